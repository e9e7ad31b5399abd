//! Many probes from one request: run under a per-batch parallelism cap,
//! each waiting for a global probe slot (never refused for capacity), and
//! yielded one by one as each finishes, so results stream out and are never
//! gathered in memory. Dropping the stream cancels every probe still running
//! or queued: their connections close and no new ones open.

use futures_util::{Stream, StreamExt, stream};

use super::request::ProbeRequest;
use super::{ProbeRejection, Prober};
use crate::report::Report;

/// One target of a batch, in the caller's order.
#[derive(Debug, Clone)]
pub struct BatchTarget {
    /// Position in the caller's list, from 0.
    pub index: usize,
    /// The caller's label, echoed back.
    pub id: Option<String>,
    pub request: ProbeRequest,
}

/// One target's result.
#[derive(Debug)]
pub struct BatchResult {
    pub index: usize,
    pub id: Option<String>,
    pub outcome: Result<Box<Report>, ProbeRejection>,
}

/// Runs `targets`, at most `parallelism` at once, yielding each result as
/// it finishes (not in input order: a slow server does not hold up the rest).
pub fn run(
    prober: Prober,
    targets: Vec<BatchTarget>,
    parallelism: usize,
) -> impl Stream<Item = BatchResult> + Send + 'static {
    stream::iter(targets)
        .map(move |t| {
            let prober = prober.clone();
            async move {
                let outcome = prober.probe_queued(&t.request).await.map(Box::new);
                BatchResult {
                    index: t.index,
                    id: t.id,
                    outcome,
                }
            }
        })
        .buffer_unordered(parallelism.max(1))
}
