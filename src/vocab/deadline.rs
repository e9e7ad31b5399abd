//! The moment a probe must be finished by, shared by every layer that waits:
//! the connector, the mail readers, the engines. `net` re-exports it.

use std::time::Duration;

use tokio::time::Instant;

/// The moment a probe must be finished by. Each step runs under
/// `min(step limit, time left)`, so a slow step cannot eat the whole budget
/// unnoticed and no step outlives the probe.
#[derive(Debug, Clone, Copy)]
pub struct Deadline(Instant);

/// A step ran out of time.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[error("timed out after {ms} ms")]
pub struct TimedOut {
    pub ms: u64,
}

impl Deadline {
    pub fn after(d: Duration) -> Deadline {
        Deadline(Instant::now() + d)
    }

    pub fn remaining(&self) -> Duration {
        self.0.saturating_duration_since(Instant::now())
    }

    /// The earlier of this deadline and `now + limit`.
    pub fn within(&self, limit: Duration) -> Deadline {
        Deadline(self.0.min(Instant::now() + limit))
    }

    pub fn instant(&self) -> Instant {
        self.0
    }

    /// Runs `fut` until this deadline.
    pub async fn run<F: Future>(&self, fut: F) -> Result<F::Output, TimedOut> {
        let budget = self.remaining();
        tokio::time::timeout_at(self.0, fut)
            .await
            .map_err(|_| TimedOut {
                ms: budget.as_millis() as u64,
            })
    }
}
