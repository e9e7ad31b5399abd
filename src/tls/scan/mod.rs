//! The wire scanner: what one endpoint accepts, learned from hand-built
//! hellos and the server's answers, never from a finished handshake.
//!
//! For each of SSLv2 .. TLS 1.3, offered on its own:
//! 1. **Version.** The first bundle of suites is offered; the answer is read
//!    for what it is ([`Answer`]). A ServerHello for another version (Exchange
//!    2010 answers a TLS 1.2 hello with TLS 1.0) or a `protocol_version`
//!    alert settles "not accepted" at once; any other refusal (an alert such
//!    as `handshake_failure`, a silent close as Dovecot does, a reset) only
//!    says "none of these suites", so the other bundles are offered too.
//! 2. **Suites, by elimination.** Offer what remains, remove the one chosen,
//!    repeat until refused. Each bundle (at most 128 suites, as testssl.sh
//!    and sslscan offer) is eliminated on its own, concurrently; the version
//!    hello is the first step of the first bundle, so an accepted version
//!    costs (accepted suites + bundles) connections.
//! 3. **Server preference.** The accepted suites offered in reverse: a server
//!    that picks by the client's order now picks the last found; one that
//!    keeps its own pick has an order of its own, which elimination already
//!    produced (re-derived when suites came from several bundles).
//! 4. **Groups.** TLS 1.3: offer supported_groups, remove the group the
//!    server names (ServerHello key_share or HelloRetryRequest), repeat.
//!    Below 1.3: the same with the ECDHE ServerKeyExchange's named curve.
//!    The DH prime size comes from any DHE ServerKeyExchange seen.
//! 5. **Chain.** The Certificate of the first TLS <= 1.2 reply (in clear), so
//!    a TLS 1.0-only server still yields it.
//!
//! All of it runs concurrently under the per-target connection cap (the
//! [`Connector`](crate::probe::net::Connector)) and the probe deadline; steps
//! that cannot finish say so in `errors`, and what they did learn stands.

pub mod oneshot;

use std::time::Instant;

use futures_util::future::join_all;

pub use oneshot::{
    Ending, Endpoint, Exchange, ExchangeError, HELLO_TIMEOUT, Hello, client_trial, send_hello,
    trial_outcome,
};

use crate::observations::{Observations, steps};
use crate::probe::net::Deadline;
use crate::report::{ErrorKind, StepError, Suite, TlsVersion, VersionSupport};
use crate::tls::hello::{self, ClientHelloSpec, KEY_SHARE_GROUPS, MAX_SUITES_PER_HELLO};
use crate::tls::reply::KeyExchangeInfo;
use crate::tls::suites::{self, Authentication, KeyExchange, ProtocolVersion};

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

/// What the scan found, ready to merge into [`Observations`].
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
    /// The chain of the first TLS <= 1.2 reply, leaf first, as sent.
    pub chain_der: Vec<Vec<u8>>,
    pub errors: Vec<StepError>,
    /// Connections the scan opened (retries included).
    pub connections: u32,
    pub ms: u64,
}

impl ScanResult {
    /// The version entry, if scanned.
    pub fn version(&self, v: TlsVersion) -> Option<&VersionSupport> {
        self.versions.iter().find(|s| s.version == v)
    }

    /// Puts the scan's facts into the probe's observations. The scanner's
    /// chain fills `chain_der` only when the real handshake brought none
    /// (a TLS 1.0-only server); it is always kept in `scan_chain_der`.
    pub fn merge_into(self, obs: &mut Observations) {
        obs.tls.versions = self.versions;
        obs.tls.server_preference = self.server_preference;
        obs.tls.groups = self.groups.iter().map(|g| super::group_label(*g)).collect();
        obs.tls.dh_bits = self.dh_bits;
        if obs.chain_der.is_empty() {
            obs.chain_der = self.chain_der.clone();
        }
        obs.scan_chain_der = self.chain_der;
        obs.errors.extend(self.errors);
        obs.timing(steps::TLS_SCAN, self.ms);
    }
}

/// What one answer says about the version that was offered.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Answer {
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
pub fn read_answer(offered: u16, ex: &Exchange) -> Answer {
    let reply = &ex.reply;
    if let Some(sh) = &reply.server_hello {
        let got = sh.negotiated_version();
        return if got == offered {
            Answer::Accepted {
                suite: sh.cipher_suite,
            }
        } else {
            Answer::Downgraded { to: got }
        };
    }
    if let Some(alert) = &reply.alert {
        return if alert.description == ALERT_PROTOCOL_VERSION {
            Answer::VersionRefused
        } else {
            Answer::Refused {
                alert: Some(alert.description_name()),
            }
        };
    }
    if let Some(nt) = &reply.not_tls {
        return Answer::Unreadable {
            why: format!("the server answered in plaintext: {:?}", nt.printable),
        };
    }
    if reply.ssl2_error.is_some() || reply.ssl2_server_hello.is_some() {
        // An SSLv2 answer to a TLS hello: whatever it is, not this version.
        return Answer::Refused { alert: None };
    }
    match ex.ending {
        Ending::Closed | Ending::Reset if reply.is_empty() => Answer::Refused { alert: None },
        Ending::TimedOut if reply.is_empty() => Answer::Unreadable {
            why: "no answer to the ClientHello before the time limit".into(),
        },
        _ => Answer::Unreadable {
            why: "the reply ended before a ServerHello or an alert".into(),
        },
    }
}

/// Scans one endpoint. Never fails: what could not be learned is in
/// `errors` and the affected versions say `offered: null`.
pub async fn scan(endpoint: &Endpoint, options: &ScanOptions, deadline: Deadline) -> ScanResult {
    let started = Instant::now();
    let scans = join_all(TlsVersion::ALL.into_iter().map(|v| async move {
        if !options.versions.contains(&v) {
            return VersionScan::skipped(v);
        }
        match v {
            TlsVersion::Ssl2 => scan_ssl2(endpoint, deadline).await,
            _ => scan_version(endpoint, v, options.sni.clone(), deadline).await,
        }
    }))
    .await;

    let mut result = ScanResult::default();
    let mut seen = Seen::default();
    for s in &scans {
        seen.absorb(s.seen.clone());
    }
    // Every hello reset and none accepted: a filter or a connection limit
    // shedding us, not a server that refuses every version.
    let accepted_any = scans.iter().any(|s| s.offered == Some(true));
    let all_reset = scans
        .iter()
        .filter(|s| s.offered == Some(false))
        .all(|s| s.refused_by_reset);
    let any_reset = scans.iter().any(|s| s.refused_by_reset);
    if !accepted_any && any_reset && all_reset {
        result.errors.push(scan_error(
            ErrorKind::Reset,
            "every ClientHello was answered with a connection reset: a connection limit or a filter, not a TLS answer; versions left undetermined",
        ));
    }
    // One entry per distinct failure, naming every version it hit: a
    // connection limit would otherwise be reported six times over.
    let mut distinct: Vec<(ErrorKind, &str, Vec<&str>)> = Vec::new();
    for s in &scans {
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
    let mut group_facts = GroupFacts::default();
    if options.groups {
        group_facts = scan_groups(endpoint, &scans, &seen, options.sni.clone(), deadline).await;
        seen.connections += group_facts.connections;
        if let Some(e) = &group_facts.error {
            result
                .errors
                .push(scan_error(e.0, format!("groups: {}", e.1)));
        }
    }

    let reset_cleanup = !accepted_any && any_reset && all_reset;
    for s in scans {
        let offered = if reset_cleanup && s.offered == Some(false) {
            None
        } else {
            s.offered
        };
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
    result.ms = started.elapsed().as_millis() as u64;
    result
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
struct Seen {
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

impl Seen {
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
        match &reply.key_exchange {
            Some(KeyExchangeInfo::Dhe { prime_bits, .. }) => {
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

    fn absorb(&mut self, other: Seen) {
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

/// One version's findings.
#[derive(Debug, Clone)]
struct VersionScan {
    version: TlsVersion,
    offered: Option<bool>,
    suites: Vec<Suite>,
    /// Accepted code points (TLS versions only), in report order.
    codes: Vec<u16>,
    server_preference: Option<bool>,
    /// Every "not accepted" answer for this version was a reset.
    refused_by_reset: bool,
    errors: Vec<(ErrorKind, String)>,
    seen: Seen,
}

impl VersionScan {
    fn new(version: TlsVersion) -> VersionScan {
        VersionScan {
            version,
            offered: None,
            suites: Vec::new(),
            codes: Vec::new(),
            server_preference: None,
            refused_by_reset: false,
            errors: Vec::new(),
            seen: Seen::default(),
        }
    }

    fn skipped(version: TlsVersion) -> VersionScan {
        VersionScan::new(version)
    }
}

fn protocol_version(v: TlsVersion) -> ProtocolVersion {
    match v {
        TlsVersion::Ssl2 => ProtocolVersion::Ssl2,
        TlsVersion::Ssl3 => ProtocolVersion::Ssl3,
        TlsVersion::Tls10 => ProtocolVersion::Tls10,
        TlsVersion::Tls11 => ProtocolVersion::Tls11,
        TlsVersion::Tls12 => ProtocolVersion::Tls12,
        TlsVersion::Tls13 => ProtocolVersion::Tls13,
    }
}

/// Every suite offerable at `v`, the widely deployed ones first, so that the
/// first bundle holds what real servers accept and an accepted version is
/// usually settled by one bundle. The order within a rank is code-point
/// order; a client-preference server's suites are reported in this order.
pub fn offer_order(v: TlsVersion) -> Vec<u16> {
    let mut codes = suites::offerable_for(protocol_version(v));
    codes.sort_by_key(|c| rank(*c));
    codes
}

fn rank(code: u16) -> u8 {
    let Some(s) = suites::lookup(code) else {
        return 3;
    };
    let common_kx = matches!(
        s.kx,
        KeyExchange::Ecdhe | KeyExchange::Dhe | KeyExchange::Rsa | KeyExchange::Any
    );
    let common_auth = matches!(
        s.auth,
        Authentication::Rsa | Authentication::Ecdsa | Authentication::Dss | Authentication::Any
    );
    match (
        s.openssl_name.is_some(),
        common_kx && common_auth && !s.export,
    ) {
        (true, true) => 0,
        (true, false) => 1,
        (false, true) => 2,
        (false, false) => 3,
    }
}

/// The hello the scanner sends for `v` (see [`ClientHelloSpec::for_version`]).
pub fn scan_hello(v: TlsVersion, suites: Vec<u16>, sni: Option<String>) -> Hello {
    Hello::Tls(ClientHelloSpec::for_version(v.wire(), suites, sni))
}

async fn scan_ssl2(endpoint: &Endpoint, deadline: Deadline) -> VersionScan {
    let mut out = VersionScan::new(TlsVersion::Ssl2);
    let hello = Hello::Ssl2 {
        cipher_kinds: hello::SSL2_CIPHER_KINDS.to_vec(),
    };
    match send_hello(endpoint, &hello, false, deadline).await {
        Ok(ex) => {
            out.seen.connections += ex.connections;
            if let Some(sh) = &ex.reply.ssl2_server_hello {
                out.offered = Some(!sh.cipher_kinds.is_empty());
                out.suites = sh.cipher_kinds.iter().map(|k| ssl2_suite(*k)).collect();
            } else if let Some(nt) = &ex.reply.not_tls {
                out.errors.push((
                    ErrorKind::Protocol,
                    format!("the server answered in plaintext: {:?}", nt.printable),
                ));
            } else if ex.ending == Ending::TimedOut && ex.reply.is_empty() {
                out.errors.push((
                    ErrorKind::Timeout,
                    "no answer to the SSLv2 CLIENT-HELLO before the time limit".into(),
                ));
            } else {
                // An alert, a TLS record, an SSLv2 ERROR, a close or a reset.
                out.offered = Some(false);
                out.refused_by_reset = ex.ending == Ending::Reset;
            }
        }
        Err(e) => out.errors.push((e.kind(), e.to_string())),
    }
    out
}

/// An SSLv2 cipher kind as a report suite (its 3-byte code as `0x0700C0`).
fn ssl2_suite(kind: u32) -> Suite {
    match suites::ssl2_kinds().iter().find(|k| k.code == kind) {
        Some(k) => Suite {
            iana: k.hex(),
            name: k.name.to_string(),
            openssl_name: k.openssl_name.map(str::to_string),
            kx: Some("RSA".into()),
            auth: Some("RSA".into()),
            cipher: None,
            mac: Some("MD5".into()),
            bits: Some(k.bits),
            aead: Some(false),
            forward_secrecy: Some(false),
        },
        None => {
            let hex = format!("0x{kind:06X}");
            Suite {
                iana: hex.clone(),
                ..Suite::bare(0, format!("UNKNOWN_{hex}"))
            }
        }
    }
}

/// One bundle's elimination.
#[derive(Debug, Default)]
struct BundleRun {
    found: Vec<u16>,
    /// The version itself was refused (downgrade or protocol_version).
    version_refused: Option<String>,
    /// The bundle was refused by a reset (not an alert or a close).
    reset: bool,
    errors: Vec<(ErrorKind, String)>,
    seen: Seen,
}

async fn scan_version(
    endpoint: &Endpoint,
    v: TlsVersion,
    sni: Option<String>,
    deadline: Deadline,
) -> VersionScan {
    let mut out = VersionScan::new(v);
    let bundles = hello::split_suites(&offer_order(v), MAX_SUITES_PER_HELLO);
    let Some((first, rest)) = bundles.split_first() else {
        out.offered = Some(false);
        return out;
    };
    let head = eliminate(endpoint, v, first.clone(), sni.clone(), deadline).await;
    let mut runs = vec![];
    if let Some(why) = &head.version_refused
        && head.found.is_empty()
    {
        out.offered = Some(false);
        out.seen.absorb(head.seen);
        tracing::debug!(version = %v, %why, "version not accepted");
        return out;
    }
    if !head.errors.is_empty() && head.found.is_empty() {
        // Not a refusal but no answer at all (plaintext, a timeout, a
        // connection limit): the other bundles would only repeat it.
        out.errors.extend(head.errors);
        out.seen.absorb(head.seen);
        return out;
    }
    runs.push(head);
    runs.extend(
        join_all(
            rest.iter()
                .map(|b| eliminate(endpoint, v, b.clone(), sni.clone(), deadline)),
        )
        .await,
    );

    let bundles_with_suites = runs.iter().filter(|r| !r.found.is_empty()).count();
    let mut codes: Vec<u16> = Vec::new();
    let mut any_error = false;
    let mut all_reset = true;
    for r in runs {
        codes.extend(&r.found);
        any_error |= !r.errors.is_empty();
        all_reset &= r.reset || !r.found.is_empty();
        out.errors.extend(r.errors);
        out.seen.absorb(r.seen);
    }
    out.offered = if !codes.is_empty() {
        Some(true)
    } else if any_error {
        None
    } else {
        out.refused_by_reset = all_reset;
        Some(false)
    };

    if codes.len() >= 2 {
        match server_preference(endpoint, v, &codes, sni.clone(), deadline).await {
            Ok((pref, seen)) => {
                out.seen.absorb(seen);
                out.server_preference = Some(pref);
                if pref && bundles_with_suites > 1 {
                    // Each bundle's order is the server's, but not the
                    // interleaving: derive the whole order once.
                    let (ordered, seen, err) =
                        order_by_elimination(endpoint, v, &codes, sni.clone(), deadline).await;
                    out.seen.absorb(seen);
                    match err {
                        None => codes = ordered,
                        Some(e) => out.errors.push(e),
                    }
                }
            }
            Err((e, seen)) => {
                out.seen.absorb(seen);
                out.errors.push(e);
            }
        }
    }
    out.suites = codes.iter().map(|c| super::suite_info(*c)).collect();
    out.codes = codes;
    out
}

/// Offer the bundle, remove the suite chosen, repeat until refused.
async fn eliminate(
    endpoint: &Endpoint,
    v: TlsVersion,
    bundle: Vec<u16>,
    sni: Option<String>,
    deadline: Deadline,
) -> BundleRun {
    let mut run = BundleRun::default();
    let mut remaining = bundle;
    // Each round removes one suite or stops, so this bounds the loop.
    let rounds = remaining.len() + 1;
    for _ in 0..rounds {
        if remaining.is_empty() {
            break;
        }
        let hello = scan_hello(v, remaining.clone(), sni.clone());
        let ex = match send_hello(endpoint, &hello, false, deadline).await {
            Ok(ex) => ex,
            Err(e) => {
                run.errors.push((e.kind(), e.to_string()));
                break;
            }
        };
        run.seen.observe(v, &ex);
        if v == TlsVersion::Tls13
            && let Some(g) = ex
                .reply
                .server_hello
                .as_ref()
                .and_then(|s| s.key_share_group)
        {
            run.seen.tls13_group.get_or_insert(g);
        }
        match read_answer(v.wire(), &ex) {
            Answer::Accepted { suite } => {
                let Some(pos) = remaining.iter().position(|c| *c == suite) else {
                    run.errors.push((
                        ErrorKind::Tls,
                        format!(
                            "the server chose {}, which was not offered; elimination stopped",
                            suites::iana_hex(suite)
                        ),
                    ));
                    break;
                };
                remaining.remove(pos);
                run.found.push(suite);
            }
            Answer::Downgraded { to } => {
                run.version_refused = Some(format!(
                    "answered with {}",
                    hello::version_name(to).unwrap_or("an unknown version")
                ));
                break;
            }
            Answer::VersionRefused => {
                run.version_refused = Some("protocol_version alert".into());
                break;
            }
            Answer::Refused { .. } => {
                run.reset = ex.ending == Ending::Reset;
                break;
            }
            Answer::Unreadable { why } => {
                let kind = if ex.reply.not_tls.is_some() {
                    ErrorKind::Protocol
                } else if ex.ending == Ending::TimedOut {
                    ErrorKind::Timeout
                } else {
                    ErrorKind::Tls
                };
                run.errors.push((kind, why));
                break;
            }
        }
    }
    run
}

type StepFailure = ((ErrorKind, String), Seen);

/// Offers the accepted suites in reverse order: a server that follows the
/// client picks the (new) first one; a server with its own order does not.
async fn server_preference(
    endpoint: &Endpoint,
    v: TlsVersion,
    codes: &[u16],
    sni: Option<String>,
    deadline: Deadline,
) -> Result<(bool, Seen), StepFailure> {
    let mut seen = Seen::default();
    let reversed: Vec<u16> = codes.iter().rev().copied().collect();
    let hello = scan_hello(v, reversed.clone(), sni);
    let ex = match send_hello(endpoint, &hello, true, deadline).await {
        Ok(ex) => ex,
        Err(e) => return Err(((e.kind(), format!("server preference: {e}")), seen)),
    };
    seen.observe(v, &ex);
    match read_answer(v.wire(), &ex) {
        Answer::Accepted { suite } => Ok((Some(&suite) != reversed.first(), seen)),
        other => Err((
            (
                ErrorKind::Tls,
                format!("server preference: the server refused suites it had accepted ({other:?})"),
            ),
            seen,
        )),
    }
}

/// The server's whole order over `codes`: offer them all, take the pick,
/// repeat (n - 1 hellos).
async fn order_by_elimination(
    endpoint: &Endpoint,
    v: TlsVersion,
    codes: &[u16],
    sni: Option<String>,
    deadline: Deadline,
) -> (Vec<u16>, Seen, Option<(ErrorKind, String)>) {
    let mut seen = Seen::default();
    let mut remaining = codes.to_vec();
    let mut ordered = Vec::with_capacity(codes.len());
    while remaining.len() > 1 {
        let hello = scan_hello(v, remaining.clone(), sni.clone());
        let ex = match send_hello(endpoint, &hello, true, deadline).await {
            Ok(ex) => ex,
            Err(e) => return (ordered, seen, Some((e.kind(), format!("suite order: {e}")))),
        };
        seen.observe(v, &ex);
        match read_answer(v.wire(), &ex) {
            Answer::Accepted { suite } if remaining.contains(&suite) => {
                remaining.retain(|c| *c != suite);
                ordered.push(suite);
            }
            other => {
                return (
                    ordered,
                    seen,
                    Some((
                        ErrorKind::Tls,
                        format!("suite order: unexpected answer {other:?}"),
                    )),
                );
            }
        }
    }
    ordered.extend(remaining);
    (ordered, seen, None)
}

#[derive(Debug, Default)]
struct GroupFacts {
    groups: Vec<u16>,
    connections: u32,
    error: Option<(ErrorKind, String)>,
}

/// Group elimination at the best version that has groups: TLS 1.3 (the
/// group in key_share / HelloRetryRequest), else the highest version with an
/// accepted ECDHE suite (the ServerKeyExchange curve). The version scan's
/// own first pick seeds the list, saving one hello.
async fn scan_groups(
    endpoint: &Endpoint,
    scans: &[VersionScan],
    seen: &Seen,
    sni: Option<String>,
    deadline: Deadline,
) -> GroupFacts {
    let accepted = |v: TlsVersion| {
        scans
            .iter()
            .find(|s| s.version == v && s.offered == Some(true))
    };
    if let Some(s13) = accepted(TlsVersion::Tls13) {
        let base = ClientHelloSpec::for_version(TlsVersion::Tls13.wire(), s13.codes.clone(), sni);
        return eliminate_groups(
            endpoint,
            TlsVersion::Tls13,
            base,
            seen.tls13_group,
            deadline,
        )
        .await;
    }
    for v in [
        TlsVersion::Tls12,
        TlsVersion::Tls11,
        TlsVersion::Tls10,
        TlsVersion::Ssl3,
    ] {
        let Some(s) = accepted(v) else { continue };
        let ecdhe: Vec<u16> = s
            .codes
            .iter()
            .copied()
            .filter(|c| suites::lookup(*c).is_some_and(|x| matches!(x.kx, KeyExchange::Ecdhe)))
            .collect();
        if ecdhe.is_empty() {
            continue;
        }
        let base = ClientHelloSpec::for_version(v.wire(), ecdhe, sni);
        // The suite scan offered the full curve list at this version; its
        // first ECDHE answer is the server's first pick.
        let seed = s.seen.curves.first().copied();
        return eliminate_groups(endpoint, v, base, seed, deadline).await;
    }
    GroupFacts::default()
}

async fn eliminate_groups(
    endpoint: &Endpoint,
    v: TlsVersion,
    base: ClientHelloSpec,
    seed: Option<u16>,
    deadline: Deadline,
) -> GroupFacts {
    let mut facts = GroupFacts::default();
    let mut remaining = base.supported_groups.clone();
    if let Some(g) = seed
        && let Some(pos) = remaining.iter().position(|x| *x == g)
    {
        remaining.remove(pos);
        facts.groups.push(g);
    }
    for _ in 0..MAX_GROUP_ROUNDS {
        if remaining.is_empty() {
            break;
        }
        let mut spec = base.clone();
        spec.supported_groups = remaining.clone();
        if v == TlsVersion::Tls13 {
            // A share for a group still offered, if we can make one; with
            // none the server asks for its group by HelloRetryRequest.
            spec.key_shares = remaining
                .iter()
                .copied()
                .find(|g| KEY_SHARE_GROUPS.contains(g))
                .into_iter()
                .collect();
        }
        let ex = match send_hello(
            endpoint,
            &Hello::Tls(spec),
            v == TlsVersion::Tls13,
            deadline,
        )
        .await
        {
            Ok(ex) => ex,
            Err(e) => {
                facts.error = Some((e.kind(), e.to_string()));
                break;
            }
        };
        facts.connections += ex.connections;
        let picked = match read_answer(v.wire(), &ex) {
            Answer::Accepted { .. } if v == TlsVersion::Tls13 => ex
                .reply
                .server_hello
                .as_ref()
                .and_then(|s| s.key_share_group),
            Answer::Accepted { .. } => match &ex.reply.key_exchange {
                Some(KeyExchangeInfo::Ecdhe { named_curve, .. }) => *named_curve,
                _ => None,
            },
            _ => break,
        };
        let Some(g) = picked else {
            facts.error = Some((
                ErrorKind::Tls,
                "a reply named no group; group list incomplete".into(),
            ));
            break;
        };
        let Some(pos) = remaining.iter().position(|x| *x == g) else {
            facts.error = Some((
                ErrorKind::Tls,
                format!(
                    "the server chose group {}, which was not offered",
                    super::group_label(g)
                ),
            ));
            break;
        };
        remaining.remove(pos);
        facts.groups.push(g);
    }
    facts
}

#[cfg(test)]
mod tests;
