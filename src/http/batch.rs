//! `POST /v1/probes:batch` and `mailprobe probe --targets`: the request
//! model, per-target parsing (a bad target is a problem line, not a failed
//! batch) and the NDJSON result lines. The running, and the parallelism a
//! batch gets, are [`crate::probe::batch`].

use futures_util::{Stream, StreamExt, stream};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::problem::{self, Cause, Problem};
use crate::probe::Prober;
use crate::probe::batch::{self, BatchResult, BatchTarget};
use crate::probe::request::ProbeRequest;
use crate::report::Report;

/// The NDJSON media type of a batch's results.
pub const NDJSON: &str = "application/x-ndjson";

/// Longest `id` echoed back.
pub const MAX_ID_LEN: usize = 256;

/// Probe many endpoints. Each target is a probe request (as for
/// `POST /v1/probes`) with an optional `id`.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({
    "targets": [
        {"id": "exchange", "host": "mail.example.com", "port": 993},
        {"id": "mx", "host": "mx.example.net", "protocol": "smtp", "port": 25}
    ]
}))]
pub struct BatchRequest {
    /// The targets, at most `MAILPROBE_MAX_BATCH`. A target that is invalid
    /// or refused gets a `problem` line; the others run.
    #[schema(value_type = Vec<BatchTargetDoc>)]
    pub targets: Vec<serde_json::Value>,
    /// Probes run at once for this batch; capped by
    /// `MAILPROBE_BATCH_PARALLELISM` (the default).
    #[schema(minimum = 1)]
    pub parallelism: Option<usize>,
}

/// One batch target (documentation only: targets are parsed one by one so
/// that a bad one fails alone).
#[derive(Debug, Deserialize, ToSchema)]
#[allow(dead_code)]
pub struct BatchTargetDoc {
    /// Echoed on this target's result line (at most 256 characters).
    #[schema(example = "exchange")]
    id: Option<String>,
    #[serde(flatten)]
    request: ProbeRequest,
}

/// One line of a batch's NDJSON: a target's Report, or the problem that
/// kept it from running.
#[derive(Debug, Serialize, ToSchema)]
pub struct BatchLine {
    /// The target's position in `targets`, from 0. Lines come in the order
    /// probes finish, not in this order.
    pub index: usize,
    /// The target's `id`, when the request gave one (numbers as their decimal text).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub id: Option<String>,
    /// The target's Report, as `POST /v1/probes` returns it; absent when `problem` is present.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub report: Option<Box<Report>>,
    /// Why this target was not probed (invalid, refused by policy).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub problem: Option<Problem>,
}

impl BatchLine {
    fn problem(index: usize, id: Option<String>, problem: Problem) -> BatchLine {
        BatchLine {
            index,
            id,
            report: None,
            problem: Some(problem),
        }
    }

    /// The line and its newline, as sent.
    pub fn to_ndjson(&self) -> Vec<u8> {
        let mut line = serde_json::to_vec(self).unwrap_or_else(|e| {
            // A Report always serialises; should that ever break, the line
            // still says which target it was.
            let p = Problem::new(Cause::Internal, format!("serialising the result: {e}"));
            serde_json::to_vec(&BatchLine::problem(self.index, self.id.clone(), p))
                .unwrap_or_default()
        });
        line.push(b'\n');
        line
    }
}

impl From<BatchResult> for BatchLine {
    fn from(r: BatchResult) -> BatchLine {
        match r.outcome {
            Ok(report) => BatchLine {
                index: r.index,
                id: r.id,
                report: Some(report),
                problem: None,
            },
            Err(rejection) => BatchLine::problem(r.index, r.id, rejection.into()),
        }
    }
}

/// One target from its JSON: `id` taken out, the rest a [`ProbeRequest`].
pub fn parse_target(value: serde_json::Value) -> (Option<String>, Result<ProbeRequest, Problem>) {
    let serde_json::Value::Object(mut map) = value else {
        return (
            None,
            Err(Problem::new(
                Cause::InvalidField,
                "a target is an object: a probe request with an optional `id`",
            )),
        );
    };
    let id = match map.remove("id") {
        None | Some(serde_json::Value::Null) => None,
        Some(serde_json::Value::String(s)) if s.chars().count() <= MAX_ID_LEN => Some(s),
        Some(serde_json::Value::String(_)) => {
            return (
                None,
                Err(Problem::new(
                    Cause::InvalidField,
                    format!("id: at most {MAX_ID_LEN} characters"),
                )
                .with_field("id")),
            );
        }
        Some(n @ serde_json::Value::Number(_)) => Some(n.to_string()),
        Some(_) => {
            return (
                None,
                Err(Problem::new(Cause::InvalidField, "id: a string or a number").with_field("id")),
            );
        }
    };
    let request = serde_path_to_error::deserialize(serde_json::Value::Object(map))
        .map_err(problem::from_json_error);
    (id, request)
}

/// Checks the batch's size and parses every target; the ones that fail to
/// parse become problem lines sent first.
pub fn plan(
    targets: Vec<serde_json::Value>,
    max_batch: usize,
) -> Result<(Vec<BatchTarget>, Vec<BatchLine>), Problem> {
    if targets.is_empty() {
        return Err(
            Problem::new(Cause::InvalidField, "targets: at least one target").with_field("targets"),
        );
    }
    if targets.len() > max_batch {
        return Err(Problem::new(
            Cause::InvalidField,
            format!(
                "targets: {} targets, more than the {max_batch} allowed (MAILPROBE_MAX_BATCH)",
                targets.len()
            ),
        )
        .with_field("targets"));
    }
    let mut runnable = Vec::with_capacity(targets.len());
    let mut invalid = Vec::new();
    for (index, value) in targets.into_iter().enumerate() {
        match parse_target(value) {
            (id, Ok(request)) => runnable.push(BatchTarget { index, id, request }),
            (id, Err(mut p)) => {
                p.detail = format!("targets[{index}]: {}", p.detail);
                invalid.push(BatchLine::problem(index, id, p));
            }
        }
    }
    Ok((runnable, invalid))
}

/// Every line of a batch: the unparsable targets first, then each probe's
/// line as it finishes. Dropping the stream cancels the probes.
pub fn lines(
    prober: Prober,
    runnable: Vec<BatchTarget>,
    invalid: Vec<BatchLine>,
    parallelism: usize,
) -> impl Stream<Item = BatchLine> + Send + 'static {
    stream::iter(invalid).chain(batch::run(prober, runnable, parallelism).map(BatchLine::from))
}
