//! The wire scanner: what one endpoint accepts, learned from hand-built
//! hellos and the server's answers, never from a finished handshake.
//!
//! 1. **Versions, top down** (`descent`). SSLv2 and TLS 1.3 are offered
//!    on their own (SSLv2 only to a server that refuses TLS 1.3: `ssl2`);
//!    SSLv3 .. TLS 1.2 from the top, one hello per version the
//!    answers so far have not settled. A ServerHello for a lower version
//!    (Exchange 2010 answers a TLS 1.2 hello with TLS 1.0) settles every
//!    version in between and starts that version's elimination; a
//!    `protocol_version` alert settles every version below; any other
//!    refusal (an alert such as `handshake_failure`, a silent close as
//!    Dovecot does) settles the versions below whose suites it offered too
//!    (a server speaking one would have answered with it), except a reset
//!    (SChannel's refusal, but also a connection limit's) and a close that
//!    may be a failed DHE pick: those settle only the version offered.
//! 2. **Suites, by elimination.** Offer every suite of the version, remove
//!    the one chosen, repeat until refused: (accepted suites + 1) hellos, the
//!    first of them the version's own. A server that refuses a hello of more
//!    than 128 suites with some other alert gets bundles of 128 instead, as
//!    testssl.sh and sslscan offer.
//! 3. **Server preference.** Picks that jump ahead of our order prove an
//!    order of the server's own at no cost; otherwise a group hello asks it
//!    (the first ECDHE suite found offered last, see `groups::early_groups`),
//!    or the elimination's own next hello (`order::question`: the first pick
//!    offered last), or, when neither brought an answer, two accepted suites
//!    offered in reverse. Once a server is known to follow the client, a
//!    long elimination (seven suites found) splits in two (`split::Split`).
//! 4. **Groups.** TLS 1.3: found together with the suites (`tls13`): each
//!    hello offers only the groups not yet seen, and the ServerHello or
//!    HelloRetryRequest names a suite and a group at once. Below 1.3: the
//!    ECDHE ServerKeyExchange's named curve, eliminated at the highest
//!    version with an accepted ECDHE suite (secp256r1 and secp384r1 asked
//!    one hello each beside the chain over the others). The DH prime size
//!    comes from any DHE ServerKeyExchange seen.
//! 5. **Chain.** The Certificate of the first TLS <= 1.2 reply (in clear), so
//!    a TLS 1.0-only server still yields it.
//!
//! A full scan stays within (accepted suites + 1) per accepted version plus
//! 8 connections on every fixture (issue #7's budget; `tests/it/scan.rs`).
//!
//! Refusals come as alerts (nginx, OpenSSL), silent closes (Dovecot) or
//! resets (SChannel), and a connection limit looks like the last of these.
//! Each connection refused or reset before the server spoke is tried once
//! more; a reset that ends a list is checked with one control hello the
//! server accepted before, and `* BYE` / `-ERR` / `421` at connect are
//! reported as a limit, never as "not accepted".
//!
//! A server that refuses silently is asked once whether DHE can be
//! negotiated at all ([`dhe`]) instead of having refused lists offered again
//! without DHE, unless it is seen to follow the client: then every list puts
//! DHE last (`order`) and a silent refusal is a plain answer.
//!
//! All of it runs concurrently under the per-target connection cap (the
//! [`Connector`](crate::net::Connector), whose slots go to these chains of
//! hellos before the probe's other connections) and the probe deadline;
//! steps that cannot finish say so in `errors`, and what they did learn
//! stands.

mod answers;
mod descent;
pub mod dhe;
mod groups;
pub mod oneshot;
mod order;
pub mod predict;
mod split;
mod ssl2;
mod tls13;
mod tls13_tracks;
mod versions;

use std::time::Instant;

use futures_util::future::join_all;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use groups::{GroupFacts, scan_groups};
use versions::{VersionScan, scan_version, settle_preference};
pub use versions::{offer_order, scan_hello};

pub use answers::{ClientTrial, HelloAnswer, TrialOutcome, VersionAnswer};
pub use oneshot::{
    Ending, Endpoint, Exchange, ExchangeError, HELLO_TIMEOUT, Hello, Settled, client_trial,
    send_hello, trial_outcome,
};

use crate::tls::reply::KeyExchangeInfo;
use crate::tls::suites::{self, Suite};
use crate::vocab::Deadline;
use crate::vocab::{ErrorKind, StepError, TlsVersion, steps};

/// Alert description `protocol_version` (RFC 5246 §7.2.2, RFC 8446 §6.2).
const ALERT_PROTOCOL_VERSION: u8 = 70;
/// Group eliminations stop after this many rounds whatever the server says.
const MAX_GROUP_ROUNDS: usize = 24;

/// What to scan.
#[derive(Debug, Clone)]
pub struct ScanOptions {
    /// Host name for SNI (none for IP literals).
    pub sni: Option<String>,
    /// Versions to try; every one is listed in the result regardless, the
    /// others with `offered: null`.
    pub versions: Vec<TlsVersion>,
    /// Run the group elimination.
    pub groups: bool,
}

impl ScanOptions {
    pub fn full(sni: Option<String>) -> ScanOptions {
        ScanOptions {
            sni,
            versions: TlsVersion::ALL.to_vec(),
            groups: true,
        }
    }
}

/// What the scan found; the pipeline records it in the observations.
#[derive(Debug, Clone, Default)]
pub struct ScanResult {
    /// One entry per version SSLv2..TLS 1.3.
    pub versions: Vec<VersionSupport>,
    /// True when the server imposes its order in some version, false when
    /// it follows the client in every version where it could be tested.
    pub server_preference: Option<bool>,
    /// Groups accepted, in the server's order of choice.
    pub groups: Vec<u16>,
    /// The smallest DH prime seen in a DHE ServerKeyExchange.
    pub dh_bits: Option<u32>,
    /// The chain of the first full reply at the highest TLS <= 1.2 version
    /// accepted, leaf first, as sent.
    pub chain_der: Vec<Vec<u8>>,
    pub errors: Vec<StepError>,
    /// How each scanned version's hello was answered.
    pub answers: Vec<VersionAnswer>,
    /// Connections the scan opened (retries included).
    pub connections: u32,
    pub ms: u64,
    /// When the scan started (the origin of `ms`).
    pub started: Option<Instant>,
    /// Client profiles' own offers, sent once each (filled by the probe).
    pub client_trials: Vec<ClientTrial>,
}

impl ScanResult {
    /// The version entry, if scanned.
    pub fn version(&self, v: TlsVersion) -> Option<&VersionSupport> {
        self.versions.iter().find(|s| s.version == v)
    }
}

/// What one answer says about the version that was offered.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum OfferOutcome {
    /// A ServerHello (or HelloRetryRequest) for the version offered.
    Accepted { suite: u16 },
    /// A ServerHello for another version: the offered one is not accepted
    /// (and the one named is the server's best below it).
    Downgraded { to: u16 },
    /// A `protocol_version` alert: the version is not accepted.
    VersionRefused,
    /// Some other refusal: none of the offered suites (or nothing at all)
    /// at this version. An alert by name, or `None` for a close or reset.
    Refused { alert: Option<&'static str> },
    /// No answer that can be read as either.
    Unreadable { why: String },
}

/// Reads an exchange's reply as an answer to a hello offering `offered`.
pub fn read_answer(offered: u16, ex: &Exchange) -> OfferOutcome {
    let reply = &ex.reply;
    if let Some(sh) = &reply.server_hello {
        let got = sh.negotiated_version();
        return if got == offered {
            OfferOutcome::Accepted {
                suite: sh.cipher_suite,
            }
        } else {
            OfferOutcome::Downgraded { to: got }
        };
    }
    if let Some(alert) = &reply.alert {
        return if alert.description == ALERT_PROTOCOL_VERSION {
            OfferOutcome::VersionRefused
        } else {
            OfferOutcome::Refused {
                alert: Some(alert.description_name()),
            }
        };
    }
    if let Some(nt) = &reply.not_tls {
        return OfferOutcome::Unreadable {
            why: format!("the server answered in plaintext: {:?}", nt.printable),
        };
    }
    if reply.ssl2_error.is_some() || reply.ssl2_server_hello.is_some() {
        // An SSLv2 answer to a TLS hello: whatever it is, not this version.
        return OfferOutcome::Refused { alert: None };
    }
    match ex.ending {
        Ending::Closed | Ending::Reset if reply.is_empty() => OfferOutcome::Refused { alert: None },
        Ending::TimedOut if reply.is_empty() => OfferOutcome::Unreadable {
            why: "no answer to the ClientHello before the time limit".into(),
        },
        _ => OfferOutcome::Unreadable {
            why: "the reply ended before a ServerHello or an alert".into(),
        },
    }
}

/// What kind of failure an [`OfferOutcome::Unreadable`] reply is: plaintext where
/// TLS was expected, silence until the time limit, or broken TLS.
fn unreadable_kind(ex: &Exchange) -> ErrorKind {
    if ex.reply.not_tls.is_some() {
        ErrorKind::Protocol
    } else if ex.ending == Ending::TimedOut {
        ErrorKind::Timeout
    } else {
        ErrorKind::Tls
    }
}

/// The fact behind an [`OfferOutcome`], for the observations.
fn hello_answer(answer: &OfferOutcome, ex: &Exchange) -> HelloAnswer {
    match answer {
        OfferOutcome::Accepted { .. } => HelloAnswer::Accepted,
        OfferOutcome::Downgraded { to } => HelloAnswer::OtherVersion { version: *to },
        OfferOutcome::VersionRefused => HelloAnswer::Alert {
            name: "protocol_version".into(),
        },
        OfferOutcome::Refused { alert: Some(name) } => HelloAnswer::Alert {
            name: (*name).to_string(),
        },
        OfferOutcome::Refused { alert: None } => match (&ex.reply.ssl2_error, ex.ending) {
            (Some(e), _) => HelloAnswer::Alert {
                name: format!("SSLv2 {}", e.name()),
            },
            (None, Ending::Reset) => HelloAnswer::Reset,
            (None, _) => HelloAnswer::Closed,
        },
        OfferOutcome::Unreadable { why } => HelloAnswer::NoAnswer { why: why.clone() },
    }
}

/// Scans one endpoint. Never fails: what could not be learned is in
/// `errors` and the affected versions say `offered: null`.
pub async fn scan(endpoint: &Endpoint, options: &ScanOptions, deadline: Deadline) -> ScanResult {
    let started = Instant::now();
    let (mut scans, tls13_groups, dhe_seen) = scan_versions(endpoint, options, deadline).await;

    let mut result = ScanResult::default();
    let mut seen = dhe_seen;
    for s in &scans {
        seen.absorb(s.seen.clone());
    }
    let any_reset = scans
        .iter()
        .any(|s| s.offered == Some(false) && s.refused_by_reset);
    if any_reset {
        confirm_reset_refusals(
            endpoint,
            &mut scans,
            &mut seen,
            options,
            deadline,
            &mut result,
        )
        .await;
    }
    let group_facts = groups_and_preferences(
        endpoint,
        options,
        deadline,
        &mut scans,
        &mut seen,
        tls13_groups,
    )
    .await;
    if let Some(e) = &group_facts.error {
        result
            .errors
            .push(scan_error(e.0, format!("groups: {}", e.1)));
    }
    distinct_errors(&scans, &mut result);
    fill_result(&mut result, scans, group_facts, seen);
    result.ms = started.elapsed().as_millis() as u64;
    result.started = Some(started);
    endpoint.settle_done();
    result
}

/// Every version, side by side: SSLv2, TLS 1.3 (with its groups when asked)
/// and the descent through TLS 1.2 .. SSLv3. One scan per version, oldest
/// first, and the TLS 1.3 groups when TLS 1.3 is spoken.
async fn scan_versions(
    endpoint: &Endpoint,
    options: &ScanOptions,
    deadline: Deadline,
) -> (Vec<VersionScan>, Option<GroupFacts>, SeenInScan) {
    let wanted = |v: TlsVersion| options.versions.contains(&v);
    // The DHE question (see `dhe`) is asked beside the versions while they
    // run, if the server refuses silently.
    let (over_tx, over) = tokio::sync::watch::channel(false);
    if !(wanted(TlsVersion::Tls13) && options.groups) {
        // Only the TLS 1.3 scan with groups settles TLS 1.3 early.
        endpoint.settle_unknown(TlsVersion::Tls13);
    }
    let (ssl2, tls13, descended, dhe_seen) = tokio::join!(
        async {
            // Not asked of a server that speaks TLS 1.3 (see `ssl2`).
            let after_tls13 = wanted(TlsVersion::Tls13) && options.groups;
            let scan = match wanted(TlsVersion::Ssl2) {
                true => ssl2::scan_ssl2_unless_tls13(endpoint, after_tls13, deadline).await,
                false => VersionScan::skipped(TlsVersion::Ssl2),
            };
            // Settled like the others, so that the steps waiting for the
            // first answers (`dhe`) know when they are in.
            match scan.offered {
                Some(true) => endpoint.settle(TlsVersion::Ssl2, Some(0)),
                Some(false) => endpoint.settle(TlsVersion::Ssl2, None),
                None => endpoint.settle_unknown(TlsVersion::Ssl2),
            }
            scan
        },
        async {
            match (wanted(TlsVersion::Tls13), options.groups) {
                (true, true) => {
                    let (scan, groups) =
                        tls13::scan_tls13(endpoint, options.sni.clone(), deadline).await;
                    // Not settled by its first answer (no answer): it stays unknown.
                    endpoint.settle_unknown(TlsVersion::Tls13);
                    (scan, Some(groups))
                }
                (true, false) => (
                    scan_version(endpoint, TlsVersion::Tls13, options.sni.clone(), deadline).await,
                    None,
                ),
                (false, _) => (VersionScan::skipped(TlsVersion::Tls13), None),
            }
        },
        async {
            let scans = descent::scan_descending(endpoint, options, deadline).await;
            over_tx.send_replace(true);
            scans
        },
        dhe::ask_when_silent(endpoint, options.sni.clone(), deadline, over),
    );
    let (tls13, tls13_groups) = tls13;
    // Groups found beside the TLS 1.3 suites stand when TLS 1.3 is spoken.
    let tls13_groups = tls13_groups.filter(|_| tls13.offered == Some(true));
    let mut descended = descent::merge(descended);
    let scans: Vec<VersionScan> = TlsVersion::ALL
        .into_iter()
        .map(|v| match v {
            TlsVersion::Ssl2 => ssl2.clone(),
            TlsVersion::Tls13 => tls13.clone(),
            _ => match descended.iter().position(|s| s.version == v) {
                Some(i) => descended.swap_remove(i),
                None => VersionScan::skipped(v),
            },
        })
        .collect();
    (scans, tls13_groups, dhe_seen)
}

/// Groups and each version's preference, side by side; the group scan's
/// first hello answers the preference question for its own version.
async fn groups_and_preferences(
    endpoint: &Endpoint,
    options: &ScanOptions,
    deadline: Deadline,
    scans: &mut [VersionScan],
    seen: &mut SeenInScan,
    tls13_groups: Option<GroupFacts>,
) -> GroupFacts {
    // Groups found beside the highest version's elimination (TLS <= 1.2).
    let early = scans.iter_mut().find_map(|s| s.early_groups.take());
    let plan = (options.groups && tls13_groups.is_none() && early.is_none())
        .then(|| groups::plan_groups(scans, seen, options.sni.clone()))
        .flatten();
    let folded = match &tls13_groups {
        Some(_) => Some(TlsVersion::Tls13),
        None => plan
            .as_ref()
            .and_then(|p| p.fold.as_ref().map(|_| p.version)),
    };
    let before: Vec<u32> = scans.iter().map(|s| s.seen.connections).collect();
    let (group_facts, ()) = tokio::join!(
        async {
            match (plan, tls13_groups.or(early)) {
                (_, Some(found)) => found,
                (Some(plan), None) => scan_groups(endpoint, plan, deadline).await,
                (None, None) => GroupFacts::default(),
            }
        },
        async {
            join_all(
                scans
                    .iter_mut()
                    .filter(|s| Some(s.version) != folded)
                    .map(|s| settle_preference(endpoint, s, None, options.sni.clone(), deadline)),
            )
            .await;
        }
    );
    if let Some(v) = folded
        && let Some(s) = scans.iter_mut().find(|s| s.version == v)
    {
        // Settled by the group scan, or (its first hello refused: no new
        // group) asked on its own.
        settle_preference(
            endpoint,
            s,
            group_facts.preference,
            options.sni.clone(),
            deadline,
        )
        .await;
    }
    for (s, counted) in scans.iter().zip(before) {
        // What the preference steps added (the rest is counted already).
        let mut added = s.seen.clone();
        added.connections = added.connections.saturating_sub(counted);
        seen.absorb(added);
    }
    seen.connections += group_facts.connections;
    group_facts
}

/// One entry per distinct failure, naming every version it hit: a
/// connection limit would otherwise be reported six times over.
fn distinct_errors(scans: &[VersionScan], result: &mut ScanResult) {
    let mut distinct: Vec<(ErrorKind, &str, Vec<&str>)> = Vec::new();
    for s in scans {
        for (kind, text) in &s.errors {
            match distinct.iter_mut().find(|d| d.0 == *kind && d.1 == text) {
                Some(d) => d.2.push(s.version.as_str()),
                None => distinct.push((*kind, text, vec![s.version.as_str()])),
            }
        }
    }
    for (kind, text, versions) in distinct {
        result
            .errors
            .push(scan_error(kind, format!("{}: {text}", versions.join(", "))));
    }
}

/// The versions, answers, preference, groups and chain, into the result.
fn fill_result(
    result: &mut ScanResult,
    scans: Vec<VersionScan>,
    group_facts: GroupFacts,
    seen: SeenInScan,
) {
    for s in scans {
        let offered = s.offered;
        if let Some(answer) = s.answer {
            result.answers.push(VersionAnswer {
                version: s.version,
                answer: if offered == Some(true) {
                    HelloAnswer::Accepted
                } else {
                    answer
                },
            });
        }
        result.versions.push(VersionSupport {
            version: s.version,
            offered,
            suites: s.suites,
            server_preference: s.server_preference,
        });
    }
    let prefs: Vec<bool> = result
        .versions
        .iter()
        .filter_map(|v| v.server_preference)
        .collect();
    result.server_preference = if prefs.contains(&true) {
        Some(true)
    } else if prefs.is_empty() {
        None
    } else {
        Some(false)
    };
    result.groups = group_facts.groups;
    for c in seen.curves {
        if !result.groups.contains(&c) {
            result.groups.push(c);
        }
    }
    result.dh_bits = seen.dh_bits;
    result.chain_der = seen.chain.unwrap_or_default();
    result.connections = seen.connections;
}

/// Some version was refused by a reset while another was accepted. SChannel
/// resets hellos for versions it has disabled, and so does a connection
/// limit that kicked in mid-scan. One control hello, an offer the server
/// accepted before, tells which: a limit resets that too, and then the
/// reset versions are left undetermined rather than called unsupported.
async fn confirm_reset_refusals(
    endpoint: &Endpoint,
    scans: &mut [VersionScan],
    seen: &mut SeenInScan,
    options: &ScanOptions,
    deadline: Deadline,
    result: &mut ScanResult,
) {
    // With nothing accepted there is no control to offer: a server that
    // resets everything it does not refuse otherwise is not telling us
    // about TLS.
    let control = scans
        .iter()
        .filter(|s| s.offered == Some(true))
        .find_map(|s| s.codes.first().map(|c| (s.version, *c)));
    if let Some((v, suite)) = control {
        let hello = scan_hello(v, vec![suite], options.sni.clone());
        let confirmed = match send_hello(endpoint, &hello, true, deadline).await {
            Ok(ex) => {
                seen.observe(v, &ex);
                read_answer(v.wire(), &ex) == (OfferOutcome::Accepted { suite })
            }
            Err(_) => false,
        };
        if confirmed {
            return;
        }
    }
    let mut undetermined = Vec::new();
    for s in scans.iter_mut() {
        if s.offered == Some(false) && s.refused_by_reset {
            s.offered = None;
            undetermined.push(s.version.as_str());
        }
    }
    result.errors.push(scan_error(
        ErrorKind::Reset,
        format!(
            "{}: refused with a connection reset, {}: a connection limit or a filter, not an answer about these versions",
            undetermined.join(", "),
            if control.is_some() {
                "and so was a control hello the server had accepted before"
            } else {
                "and no version was accepted"
            }
        ),
    ));
}

fn scan_error(kind: ErrorKind, message: impl Into<String>) -> StepError {
    StepError {
        step: steps::TLS_SCAN.to_string(),
        kind,
        message: message.into(),
    }
}

/// Facts gathered along the way from any reply.
#[derive(Debug, Clone, Default)]
struct SeenInScan {
    chain: Option<Vec<Vec<u8>>>,
    /// Which version the chain came from (the highest <= TLS 1.2 wins).
    chain_version: Option<TlsVersion>,
    dh_bits: Option<u32>,
    /// Named curves in ECDHE ServerKeyExchanges, first seen first.
    curves: Vec<u16>,
    /// The group a full-list TLS 1.3 offer got (key_share / HRR).
    tls13_group: Option<u16>,
    connections: u32,
}

impl SeenInScan {
    fn observe(&mut self, v: TlsVersion, ex: &Exchange) {
        self.connections += ex.connections;
        let reply = &ex.reply;
        if let Some(chain) = &reply.certificates
            && !chain.is_empty()
            && self.chain.is_none()
        {
            self.chain = Some(chain.clone());
            self.chain_version = Some(v);
        }
        // An anonymous suite's group is left out: OpenSSL sizes an automatic
        // DH group by the suite (ADH-AES128 gets 1024 bits where
        // DHE-RSA-AES128 gets 2048, on Postfix's defaults), no client offers
        // one, and ANONYMOUS_SUITES_ENABLED reports them.
        let anonymous = reply
            .server_hello
            .as_ref()
            .and_then(|sh| suites::lookup(sh.cipher_suite))
            .is_some_and(|c| c.auth == suites::Authentication::Anon);
        match &reply.key_exchange {
            Some(KeyExchangeInfo::Dhe { prime_bits, .. }) if !anonymous => {
                let bits = u32::try_from(*prime_bits).unwrap_or(u32::MAX);
                self.dh_bits = Some(self.dh_bits.map_or(bits, |b| b.min(bits)));
            }
            Some(KeyExchangeInfo::Ecdhe {
                named_curve: Some(c),
                ..
            }) if !self.curves.contains(c) => self.curves.push(*c),
            _ => {}
        }
    }

    fn absorb(&mut self, other: SeenInScan) {
        self.connections += other.connections;
        let better_chain = match (self.chain_version, other.chain_version) {
            (_, None) => false,
            (None, Some(_)) => true,
            (Some(a), Some(b)) => b > a,
        };
        if better_chain {
            self.chain = other.chain;
            self.chain_version = other.chain_version;
        }
        if let Some(b) = other.dh_bits {
            self.dh_bits = Some(self.dh_bits.map_or(b, |a| a.min(b)));
        }
        for c in other.curves {
            if !self.curves.contains(&c) {
                self.curves.push(c);
            }
        }
        self.tls13_group = self.tls13_group.or(other.tls13_group);
    }
}

#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct VersionSupport {
    /// The protocol version this entry is about.
    pub version: TlsVersion,
    /// Accepted by the server (null: could not be determined; see `errors`).
    pub offered: Option<bool>,
    /// Accepted suites, in the server's order where it has one.
    pub suites: Vec<Suite>,
    /// Whether the server picks by its own order for this version.
    pub server_preference: Option<bool>,
}

#[cfg(test)]
mod tests;
