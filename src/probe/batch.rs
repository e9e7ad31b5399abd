//! Many probes from one request: run under a per-batch parallelism cap,
//! each waiting for a global probe slot (never refused for capacity), and
//! yielded one by one as each finishes, so results stream out and are never
//! gathered in memory. Dropping the stream cancels every probe still running
//! or queued: their connections close and no new ones open.

use futures_util::{Stream, StreamExt, stream};

use super::request::ProbeRequest;
use super::{ProbeRejection, Prober};
use crate::config::Settings;
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
                let mut request = t.request;
                // Batches run every check but ROBOT unless the target names its own.
                if request.checks.is_none() {
                    request.checks = Some(crate::tls::security::CheckId::WITHOUT_ROBOT.to_vec());
                }
                let outcome = prober.probe_queued(&request).await.map(Box::new);
                BatchResult {
                    index: t.index,
                    id: t.id,
                    outcome,
                }
            }
        })
        .buffer_unordered(parallelism.max(1))
}

/// The parallelism a batch gets: what it asks for, at most
/// `MAILPROBE_BATCH_PARALLELISM` and at most half the global probe slots,
/// so that one batch never holds every slot and single probes still run.
pub fn parallelism(requested: Option<usize>, settings: &Settings) -> usize {
    let cap = settings
        .batch_parallelism
        .min(settings.max_concurrent_probes / 2)
        .max(1);
    requested.unwrap_or(cap).clamp(1, cap)
}

#[cfg(test)]
mod tests {
    use super::*;
    use clap::Parser;

    fn settings(batch_parallelism: usize, max_concurrent_probes: usize) -> Settings {
        #[derive(Parser)]
        struct W {
            #[command(flatten)]
            s: Settings,
        }
        let mut s = W::parse_from(["x"]).s;
        s.batch_parallelism = batch_parallelism;
        s.max_concurrent_probes = max_concurrent_probes;
        s
    }

    /// A batch gets what it asks for within both caps, the configured
    /// default when it asks nothing, and at least one probe at a time.
    #[test]
    fn parallelism_is_capped_by_the_setting_and_half_the_slots() {
        let s = settings(8, 100);
        assert_eq!(parallelism(None, &s), 8);
        assert_eq!(parallelism(Some(3), &s), 3);
        assert_eq!(parallelism(Some(50), &s), 8);
        assert_eq!(parallelism(Some(0), &s), 1);
        let few_slots = settings(8, 6);
        assert_eq!(parallelism(None, &few_slots), 3);
        assert_eq!(parallelism(Some(7), &few_slots), 3);
        assert_eq!(parallelism(None, &settings(8, 1)), 1);
    }
}
