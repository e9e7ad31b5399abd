//! The transfer time estimate: the mailbox's bytes over the rate measured
//! in the throughput sample, one session.

use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::observations::preflight::SampleSeen;

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct Estimate {
    /// Bytes to move: the sum of the folders' sizes.
    pub total_bytes: u64,
    /// Body bytes per second the sample received over one session.
    pub measured_bytes_per_sec: f64,
    /// `total_bytes / measured_bytes_per_sec`, rounded up.
    pub seconds: u64,
    /// The same in words, e.g. `9 h 40 min`.
    pub duration: String,
    /// How the rate was measured.
    pub basis: String,
    /// The sample was small or cut short: read the figure as rough.
    pub rough: bool,
}

/// A sample smaller than this gives a rough figure.
const ROUGH_BELOW: u64 = 1 << 20;

/// Body bytes per second of a sample; `None` without bytes or time.
pub fn rate(sample: &SampleSeen) -> Option<f64> {
    if sample.body_bytes == 0 {
        return None;
    }
    // A sample faster than the clock's millisecond counts as 1 ms.
    Some(sample.body_bytes as f64 * 1000.0 / sample.ms.max(1) as f64)
}

pub fn estimate(total_bytes: u64, sample: &SampleSeen) -> Option<Estimate> {
    let r = rate(sample)?;
    let seconds = (total_bytes as f64 / r).ceil() as u64;
    Some(Estimate {
        total_bytes,
        measured_bytes_per_sec: (r * 10.0).round() / 10.0,
        seconds,
        duration: words(seconds),
        basis: format!(
            "{} body bytes of {} messages in {} ms over one session (BODY.PEEK[]<0.n>, {} batches), folder {}",
            sample.body_bytes,
            sample.messages,
            sample.ms,
            sample.batches.len(),
            sample.folder
        ),
        rough: sample.partial || sample.body_bytes < ROUGH_BELOW,
    })
}

/// `9 h 40 min`, `3 min`, `12 s`, `2 d 4 h`.
pub fn words(seconds: u64) -> String {
    let (d, h, m, s) = (
        seconds / 86_400,
        seconds % 86_400 / 3600,
        seconds % 3600 / 60,
        seconds % 60,
    );
    match (d, h, m) {
        (0, 0, 0) => format!("{s} s"),
        (0, 0, m) => format!("{m} min"),
        (0, h, m) => format!("{h} h {m} min"),
        (d, h, _) => format!("{d} d {h} h"),
    }
}

/// `3.1 MB/s` (decimal megabytes, as transfer rates are quoted).
pub fn rate_words(bytes_per_sec: f64) -> String {
    if bytes_per_sec >= 1e6 {
        format!("{:.1} MB/s", bytes_per_sec / 1e6)
    } else {
        format!("{:.0} kB/s", bytes_per_sec / 1e3)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sample(bytes: u64, ms: u64) -> SampleSeen {
        SampleSeen {
            folder: "INBOX".into(),
            messages: 10,
            body_bytes: bytes,
            ms,
            ..SampleSeen::default()
        }
    }

    #[test]
    fn arithmetic() {
        // 3.1 MB/s: 3,100,000 bytes in 1000 ms.
        let e = estimate(107_880_000_000, &sample(3_100_000, 1000)).unwrap();
        assert_eq!(e.measured_bytes_per_sec, 3_100_000.0);
        assert_eq!(e.seconds, 34_800);
        assert_eq!(e.duration, "9 h 40 min");
        assert!(!e.rough);
        assert_eq!(rate_words(e.measured_bytes_per_sec), "3.1 MB/s");
        // Rounded up, never down.
        assert_eq!(estimate(1001, &sample(1000, 1000)).unwrap().seconds, 2);
        assert!(estimate(1, &sample(5, 1)).unwrap().rough);
        assert_eq!(estimate(10, &sample(0, 5)), None);
        assert_eq!(words(59), "59 s");
        assert_eq!(words(180), "3 min");
        assert_eq!(words(2 * 86_400 + 4 * 3600 + 5), "2 d 4 h");
    }
}
