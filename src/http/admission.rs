//! How many batches run at once: at most `MAILPROBE_MAX_BATCHES` across the
//! instance and `MAILPROBE_MAX_BATCHES_PER_CALLER` per caller (the API key,
//! else the client address with IPv6 by /64, as for the rate limit). Beyond
//! either a batch gets 429 at once instead of queueing behind the others,
//! so one caller cannot take the whole service (issue 15). The probes of
//! the batches that run share half the probe slots (`Prober::probe_queued`).

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use super::guard::Caller;
use super::problem::{Cause, Problem};

/// Seconds a refused batch is told to wait before retrying.
const RETRY_AFTER_SECS: u64 = 5;

/// The running batches, by caller.
#[derive(Debug)]
pub struct BatchAdmission {
    global: usize,
    per_caller: usize,
    running: Mutex<Running>,
}

#[derive(Debug, Default)]
struct Running {
    total: usize,
    by_caller: HashMap<Caller, usize>,
}

/// One admitted batch; dropping it (the response stream ends or the client
/// goes away) frees its place.
#[derive(Debug)]
pub struct BatchTicket {
    admission: Arc<BatchAdmission>,
    caller: Caller,
}

impl BatchAdmission {
    pub fn new(global: usize, per_caller: usize) -> BatchAdmission {
        BatchAdmission {
            global: global.max(1),
            per_caller: per_caller.max(1),
            running: Mutex::default(),
        }
    }

    /// A place for one more batch of `caller`, or the 429 to answer with.
    pub fn admit(self: &Arc<Self>, caller: Caller) -> Result<BatchTicket, Problem> {
        let mut running = self.running.lock().unwrap_or_else(|e| e.into_inner());
        let mine = running.by_caller.get(&caller).copied().unwrap_or(0);
        let refusal = if mine >= self.per_caller {
            Some(format!(
                "this caller already runs {mine} batches, the most one caller may run at once (MAILPROBE_MAX_BATCHES_PER_CALLER)"
            ))
        } else if running.total >= self.global {
            Some(format!(
                "{} batches are running, the most this instance runs at once (MAILPROBE_MAX_BATCHES)",
                running.total
            ))
        } else {
            None
        };
        if let Some(detail) = refusal {
            let mut p = Problem::new(Cause::OverCapacity, format!("{detail}; retry later"));
            p.retry_after = Some(RETRY_AFTER_SECS);
            return Err(p);
        }
        running.total += 1;
        *running.by_caller.entry(caller.clone()).or_default() += 1;
        Ok(BatchTicket {
            admission: Arc::clone(self),
            caller,
        })
    }

    /// Batches running now.
    pub fn running(&self) -> usize {
        self.running.lock().unwrap_or_else(|e| e.into_inner()).total
    }
}

impl Drop for BatchTicket {
    fn drop(&mut self) {
        let mut running = self
            .admission
            .running
            .lock()
            .unwrap_or_else(|e| e.into_inner());
        running.total = running.total.saturating_sub(1);
        if let Some(n) = running.by_caller.get_mut(&self.caller) {
            *n = n.saturating_sub(1);
            if *n == 0 {
                running.by_caller.remove(&self.caller);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn caller(last: u8) -> Caller {
        Caller::Ip([192, 0, 2, last].into())
    }

    #[test]
    fn batches_are_capped_per_caller_and_globally_and_freed_on_drop() {
        let a = Arc::new(BatchAdmission::new(3, 2));
        let first = a.admit(caller(1)).unwrap();
        let _second = a.admit(caller(1)).unwrap();
        let p = a.admit(caller(1)).unwrap_err();
        assert!(
            p.detail.contains("MAILPROBE_MAX_BATCHES_PER_CALLER"),
            "{}",
            p.detail
        );
        assert_eq!(p.retry_after, Some(RETRY_AFTER_SECS));
        let _third = a.admit(caller(2)).unwrap();
        let p = a.admit(caller(3)).unwrap_err();
        assert!(p.detail.contains("(MAILPROBE_MAX_BATCHES)"), "{}", p.detail);
        drop(first);
        assert_eq!(a.running(), 2);
        assert!(a.admit(caller(3)).is_ok());
    }
}
