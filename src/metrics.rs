//! Prometheus metrics, exposed at `GET /metrics` in the text exposition
//! format 0.0.4.
//!
//! Hand-written rather than through a client library: the set is small and
//! fixed, every label takes its values from a closed set (protocol and
//! verdict enums, the route table's patterns, a short list of methods, the
//! status code), so no request can create a new series of its own; and the
//! 0.0.4 text format is what every scraper reads. The exposition is checked
//! against an independent parser in `tests/it/metrics.rs`.

use std::collections::BTreeMap;
use std::fmt::Write;
use std::sync::Mutex;
use std::sync::atomic::{AtomicU64, Ordering};

use crate::report::{Report, Verdict};
use crate::vocab::Protocol;

/// The exposition's media type.
pub const CONTENT_TYPE: &str = "text/plain; version=0.0.4; charset=utf-8";

const PROTOCOLS: [Protocol; 4] = [
    Protocol::Imap,
    Protocol::Pop3,
    Protocol::Smtp,
    Protocol::Tls,
];
const VERDICTS: [Verdict; 3] = [Verdict::Pass, Verdict::Warn, Verdict::Fail];

/// Upper bounds (seconds) of the probe-duration buckets: a loopback probe
/// takes tens of milliseconds, a slow server up to the 60 s timeout cap.
const DURATION_BUCKETS: [f64; 11] = [0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 20.0, 30.0, 60.0];

/// Why a probe request never became a probe.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Rejection {
    /// A field was invalid (422).
    Invalid,
    /// The target policy refused an address (403).
    Refused,
    /// Every probe slot was taken (429).
    Busy,
}

impl Rejection {
    const ALL: [Rejection; 3] = [Rejection::Invalid, Rejection::Refused, Rejection::Busy];

    fn label(self) -> &'static str {
        match self {
            Rejection::Invalid => "invalid",
            Rejection::Refused => "refused",
            Rejection::Busy => "over_capacity",
        }
    }
}

/// Every counter of one service instance. Cheap to update (atomics, and one
/// short lock per HTTP request); rendered on each scrape.
#[derive(Debug, Default)]
pub struct Metrics {
    /// Probes finished, by protocol and verdict.
    probes: [[AtomicU64; 3]; 4],
    /// Probe duration, per protocol.
    durations: [Histogram; 4],
    /// TCP connections opened to targets (the probes' meters, summed).
    connections: AtomicU64,
    /// TLS handshakes started (wire-scanner hellos and real handshakes).
    handshakes: AtomicU64,
    rejected: [AtomicU64; 3],
    /// Migration preflights finished (issue 19), by outcome: surveyed,
    /// login failed, server not reached.
    preflights: [AtomicU64; 3],
    /// Their duration (`POST /v1/preflight` and `mailprobe preflight`).
    preflight_duration: Histogram,
    /// (route pattern, method, status) → requests.
    http: Mutex<BTreeMap<(String, &'static str, u16), u64>>,
}

#[derive(Debug, Default)]
struct Histogram {
    /// Observations per bucket (not cumulative); the last is `+Inf`.
    buckets: [AtomicU64; DURATION_BUCKETS.len() + 1],
    sum_micros: AtomicU64,
    count: AtomicU64,
}

impl Histogram {
    fn observe_ms(&self, ms: u64) {
        let seconds = ms as f64 / 1000.0;
        let i = DURATION_BUCKETS
            .iter()
            .position(|&le| seconds <= le)
            .unwrap_or(DURATION_BUCKETS.len());
        self.buckets[i].fetch_add(1, Ordering::Relaxed);
        self.sum_micros
            .fetch_add(ms.saturating_mul(1000), Ordering::Relaxed);
        self.count.fetch_add(1, Ordering::Relaxed);
    }
}

fn protocol_index(p: Protocol) -> usize {
    match p {
        Protocol::Imap => 0,
        Protocol::Pop3 => 1,
        Protocol::Smtp => 2,
        Protocol::Tls => 3,
    }
}

fn verdict_index(v: Verdict) -> usize {
    match v {
        Verdict::Pass => 0,
        Verdict::Warn => 1,
        Verdict::Fail => 2,
    }
}

/// Methods outside this list share one label value, so a client inventing
/// methods cannot inflate the series count.
fn method_label(method: &str) -> &'static str {
    match method {
        "GET" => "GET",
        "POST" => "POST",
        "HEAD" => "HEAD",
        "OPTIONS" => "OPTIONS",
        "PUT" => "PUT",
        "DELETE" => "DELETE",
        "PATCH" => "PATCH",
        _ => "other",
    }
}

/// The route label of requests no route matched (the raw path would be
/// unbounded).
pub const UNMATCHED_ROUTE: &str = "unmatched";

impl Metrics {
    /// Counts one finished probe from its Report.
    pub fn observe_probe(&self, report: &Report) {
        let p = protocol_index(report.target.protocol);
        self.probes[p][verdict_index(report.verdict)].fetch_add(1, Ordering::Relaxed);
        self.durations[p].observe_ms(report.duration_ms);
        self.connections
            .fetch_add(u64::from(report.stats.connections), Ordering::Relaxed);
        self.handshakes
            .fetch_add(u64::from(report.stats.handshakes), Ordering::Relaxed);
    }

    /// Counts one finished preflight from its report.
    pub fn observe_preflight(&self, report: &crate::diagnosis::preflight::PreflightReport) {
        let i = match report.login.as_ref().map(|l| l.ok) {
            Some(Some(true)) => 0,
            Some(_) => 1,
            None => 2,
        };
        self.preflights[i].fetch_add(1, Ordering::Relaxed);
        self.preflight_duration.observe_ms(report.duration_ms);
        self.connections
            .fetch_add(u64::from(report.stats.connections), Ordering::Relaxed);
    }

    pub fn observe_rejection(&self, why: Rejection) {
        self.rejected[why as usize].fetch_add(1, Ordering::Relaxed);
    }

    /// Counts one HTTP request. `route` is the matched route pattern (e.g.
    /// `/v1/probes`), or [`UNMATCHED_ROUTE`].
    pub fn observe_http(&self, route: &str, method: &str, status: u16) {
        let key = (route.to_string(), method_label(method), status);
        // A poisoned lock only means another thread panicked mid-increment;
        // the map itself is still a valid map.
        let mut map = self.http.lock().unwrap_or_else(|e| e.into_inner());
        *map.entry(key).or_insert(0) += 1;
    }

    /// The exposition. The gauges are read by the caller at scrape time.
    pub fn render(&self, in_flight: usize, capacity: usize) -> String {
        let mut out = String::with_capacity(4096);
        // Writing to a String cannot fail.
        let _ = self.write_to(&mut out, in_flight, capacity);
        out
    }

    fn write_to(&self, o: &mut String, in_flight: usize, capacity: usize) -> std::fmt::Result {
        writeln!(
            o,
            "# HELP mailprobe_build_info The running build; the value is always 1."
        )?;
        writeln!(o, "# TYPE mailprobe_build_info gauge")?;
        writeln!(
            o,
            "mailprobe_build_info{{version=\"{}\"}} 1",
            escape(env!("CARGO_PKG_VERSION"))
        )?;

        self.write_probes(o)?;
        self.write_durations(o)?;
        self.write_preflights(o)?;
        self.write_load(o, in_flight, capacity)?;
        self.write_http(o)
    }

    /// Probes finished by protocol and verdict, and requests not run.
    fn write_probes(&self, o: &mut String) -> std::fmt::Result {
        writeln!(
            o,
            "# HELP mailprobe_probes_total Probes finished, by protocol and verdict."
        )?;
        writeln!(o, "# TYPE mailprobe_probes_total counter")?;
        for p in PROTOCOLS {
            for v in VERDICTS {
                let n = self.probes[protocol_index(p)][verdict_index(v)].load(Ordering::Relaxed);
                writeln!(
                    o,
                    "mailprobe_probes_total{{protocol=\"{}\",verdict=\"{}\"}} {n}",
                    p.as_str(),
                    v.as_str()
                )?;
            }
        }

        writeln!(
            o,
            "# HELP mailprobe_probes_rejected_total Probe requests not run: invalid, refused by the target policy, or over capacity."
        )?;
        writeln!(o, "# TYPE mailprobe_probes_rejected_total counter")?;
        for r in Rejection::ALL {
            let n = self.rejected[r as usize].load(Ordering::Relaxed);
            writeln!(
                o,
                "mailprobe_probes_rejected_total{{reason=\"{}\"}} {n}",
                r.label()
            )?;
        }
        Ok(())
    }

    /// The probe duration histogram, by protocol.
    fn write_durations(&self, o: &mut String) -> std::fmt::Result {
        writeln!(
            o,
            "# HELP mailprobe_probe_duration_seconds Time from accepting a probe to its Report, by protocol."
        )?;
        writeln!(o, "# TYPE mailprobe_probe_duration_seconds histogram")?;
        for p in PROTOCOLS {
            let h = &self.durations[protocol_index(p)];
            let mut cumulative = 0u64;
            for (i, le) in DURATION_BUCKETS.iter().enumerate() {
                cumulative += h.buckets[i].load(Ordering::Relaxed);
                writeln!(
                    o,
                    "mailprobe_probe_duration_seconds_bucket{{protocol=\"{}\",le=\"{le}\"}} {cumulative}",
                    p.as_str()
                )?;
            }
            cumulative += h.buckets[DURATION_BUCKETS.len()].load(Ordering::Relaxed);
            writeln!(
                o,
                "mailprobe_probe_duration_seconds_bucket{{protocol=\"{}\",le=\"+Inf\"}} {cumulative}",
                p.as_str()
            )?;
            let sum = h.sum_micros.load(Ordering::Relaxed) as f64 / 1e6;
            writeln!(
                o,
                "mailprobe_probe_duration_seconds_sum{{protocol=\"{}\"}} {sum}",
                p.as_str()
            )?;
            writeln!(
                o,
                "mailprobe_probe_duration_seconds_count{{protocol=\"{}\"}} {}",
                p.as_str(),
                h.count.load(Ordering::Relaxed)
            )?;
        }
        Ok(())
    }

    fn write_preflights(&self, o: &mut String) -> std::fmt::Result {
        writeln!(
            o,
            "# HELP mailprobe_preflights_total Migration preflights finished, by outcome."
        )?;
        writeln!(o, "# TYPE mailprobe_preflights_total counter")?;
        for (i, outcome) in ["surveyed", "login_failed", "unreached"].iter().enumerate() {
            let n = self.preflights[i].load(Ordering::Relaxed);
            writeln!(o, "mailprobe_preflights_total{{outcome=\"{outcome}\"}} {n}")?;
        }
        let h = &self.preflight_duration;
        writeln!(
            o,
            "# HELP mailprobe_preflight_duration_seconds Time from accepting a preflight to its report."
        )?;
        writeln!(o, "# TYPE mailprobe_preflight_duration_seconds summary")?;
        let sum = h.sum_micros.load(Ordering::Relaxed) as f64 / 1e6;
        writeln!(o, "mailprobe_preflight_duration_seconds_sum {sum}")?;
        writeln!(
            o,
            "mailprobe_preflight_duration_seconds_count {}",
            h.count.load(Ordering::Relaxed)
        )
    }

    /// Connections and handshakes to probed servers, probes in flight, capacity.
    fn write_load(&self, o: &mut String, in_flight: usize, capacity: usize) -> std::fmt::Result {
        writeln!(
            o,
            "# HELP mailprobe_probe_connections_total TCP connections opened to probed servers."
        )?;
        writeln!(o, "# TYPE mailprobe_probe_connections_total counter")?;
        writeln!(
            o,
            "mailprobe_probe_connections_total {}",
            self.connections.load(Ordering::Relaxed)
        )?;
        writeln!(
            o,
            "# HELP mailprobe_probe_handshakes_total TLS handshakes started with probed servers (scanner hellos and real handshakes)."
        )?;
        writeln!(o, "# TYPE mailprobe_probe_handshakes_total counter")?;
        writeln!(
            o,
            "mailprobe_probe_handshakes_total {}",
            self.handshakes.load(Ordering::Relaxed)
        )?;

        writeln!(o, "# HELP mailprobe_probes_in_flight Probes running now.")?;
        writeln!(o, "# TYPE mailprobe_probes_in_flight gauge")?;
        writeln!(o, "mailprobe_probes_in_flight {in_flight}")?;
        writeln!(
            o,
            "# HELP mailprobe_probe_capacity Probes this instance runs at once (MAILPROBE_MAX_CONCURRENT_PROBES)."
        )?;
        writeln!(o, "# TYPE mailprobe_probe_capacity gauge")?;
        writeln!(o, "mailprobe_probe_capacity {capacity}")?;
        Ok(())
    }

    /// HTTP requests served, by route pattern, method and status.
    fn write_http(&self, o: &mut String) -> std::fmt::Result {
        writeln!(
            o,
            "# HELP mailprobe_http_requests_total HTTP requests served, by route pattern, method and status."
        )?;
        writeln!(o, "# TYPE mailprobe_http_requests_total counter")?;
        let map = self.http.lock().unwrap_or_else(|e| e.into_inner());
        for ((route, method, status), n) in map.iter() {
            writeln!(
                o,
                "mailprobe_http_requests_total{{route=\"{}\",method=\"{method}\",status=\"{status}\"}} {n}",
                escape(route)
            )?;
        }
        Ok(())
    }
}

/// Label-value escaping of the text format: backslash, double quote, newline.
fn escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '\\' => out.push_str("\\\\"),
            '"' => out.push_str("\\\""),
            '\n' => out.push_str("\\n"),
            c => out.push(c),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn histogram_buckets_are_cumulative_and_inf_counts_everything() {
        let m = Metrics::default();
        let h = &m.durations[0];
        h.observe_ms(40); // 0.05
        h.observe_ms(100); // 0.1 (upper bounds are inclusive)
        h.observe_ms(120_000); // +Inf only
        let text = m.render(0, 1);
        assert!(text.contains(
            "mailprobe_probe_duration_seconds_bucket{protocol=\"imap\",le=\"0.05\"} 1\n"
        ));
        assert!(
            text.contains(
                "mailprobe_probe_duration_seconds_bucket{protocol=\"imap\",le=\"0.1\"} 2\n"
            )
        );
        assert!(
            text.contains(
                "mailprobe_probe_duration_seconds_bucket{protocol=\"imap\",le=\"60\"} 2\n"
            )
        );
        assert!(text.contains(
            "mailprobe_probe_duration_seconds_bucket{protocol=\"imap\",le=\"+Inf\"} 3\n"
        ));
        assert!(text.contains("mailprobe_probe_duration_seconds_sum{protocol=\"imap\"} 120.14\n"));
        assert!(text.contains("mailprobe_probe_duration_seconds_count{protocol=\"imap\"} 3\n"));
    }

    #[test]
    fn invented_methods_share_one_label_and_values_are_escaped() {
        let m = Metrics::default();
        m.observe_http(UNMATCHED_ROUTE, "BREW", 404);
        m.observe_http(UNMATCHED_ROUTE, "PROPFIND", 404);
        m.observe_http("/a\"b\\c", "GET", 200);
        let text = m.render(0, 1);
        assert!(text.contains(
            "mailprobe_http_requests_total{route=\"unmatched\",method=\"other\",status=\"404\"} 2\n"
        ));
        assert!(text.contains("route=\"/a\\\"b\\\\c\""), "{text}");
    }
}
