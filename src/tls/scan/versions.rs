//! Versions and suites: each version offered on its own, its suites found
//! by elimination per bundle, and the server's preference and order.

use futures_util::future::join_all;

use super::HelloAnswer;
use super::{Ending, Exchange, Hello, OfferOutcome, SeenInScan, read_answer, send_hello};
use crate::tls::hello::{self, ClientHelloSpec, MAX_SUITES_PER_HELLO};
use crate::tls::scan::Endpoint;
use crate::tls::suites::Suite;
use crate::tls::suites::{self, Authentication, KeyExchange};
use crate::vocab::Deadline;
use crate::vocab::{ErrorKind, TlsVersion};

/// One version's findings.
#[derive(Debug, Clone)]
pub(super) struct VersionScan {
    pub(super) version: TlsVersion,
    pub(super) offered: Option<bool>,
    pub(super) suites: Vec<Suite>,
    /// Accepted code points (TLS versions only), in report order.
    pub(super) codes: Vec<u16>,
    pub(super) server_preference: Option<bool>,
    /// Every "not accepted" answer for this version was a reset.
    pub(super) refused_by_reset: bool,
    pub(super) errors: Vec<(ErrorKind, String)>,
    pub(super) seen: SeenInScan,
    /// The answer to the version's first hello.
    pub(super) answer: Option<HelloAnswer>,
    /// Suites came from more than one bundle: elimination gave each
    /// bundle's order, not the interleaving of a server's own order.
    pub(super) interleaved: bool,
    /// The groups, found beside this version's elimination (see
    /// `groups::early_groups`).
    pub(super) early_groups: Option<super::answers::GroupFacts>,
}

impl VersionScan {
    pub(super) fn new(version: TlsVersion) -> VersionScan {
        VersionScan {
            version,
            offered: None,
            suites: Vec::new(),
            codes: Vec::new(),
            server_preference: None,
            refused_by_reset: false,
            errors: Vec::new(),
            seen: SeenInScan::default(),
            answer: None,
            interleaved: false,
            early_groups: None,
        }
    }

    /// Not accepted, as `answer` (the reply to this version's hello, or to
    /// a higher one that settled it) says.
    pub(super) fn refused(version: TlsVersion, answer: HelloAnswer) -> VersionScan {
        VersionScan {
            offered: Some(false),
            answer: Some(answer),
            ..VersionScan::new(version)
        }
    }

    pub(super) fn skipped(version: TlsVersion) -> VersionScan {
        VersionScan::new(version)
    }
}

/// Every suite offerable at `v`, the widely deployed ones first, so that the
/// first bundle holds what real servers accept and an accepted version is
/// usually settled by one bundle. Within a rank ECDHE comes first, then the
/// others by key exchange, each in code-point order: a server that follows
/// the client answers the descent's first hello with an ECDHE suite when it
/// has one, and that answer's curve starts the group chain at once (issue
/// 21). A client-preference server's suites are reported in this order.
pub fn offer_order(v: TlsVersion) -> Vec<u16> {
    let mut codes = suites::offerable_for(v);
    codes.sort_by_key(|c| (rank(*c), kx_rank(*c)));
    codes
}

/// ECDHE, then RSA key transport, then finite-field DHE (a server with DHE
/// in its list but no parameters fails on a DHE pick: offered last, it is
/// picked last), then the rest.
fn kx_rank(code: u16) -> u8 {
    match suites::lookup(code).map(|s| s.kx) {
        Some(KeyExchange::Ecdhe) => 0,
        Some(KeyExchange::Rsa) => 1,
        Some(KeyExchange::Dhe) => 2,
        _ => 3,
    }
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

/// One bundle's elimination.
#[derive(Debug, Default)]
pub(super) struct BundleRun {
    found: Vec<u16>,
    /// The version itself was refused (downgrade or protocol_version).
    version_refused: Option<String>,
    /// The bundle was refused by a reset (not an alert or a close).
    reset: bool,
    errors: Vec<(ErrorKind, String)>,
    seen: SeenInScan,
    /// The answer to the bundle's first hello.
    first: Option<HelloAnswer>,
}

impl BundleRun {
    /// Refused by a reset with nothing found (no control hello was sent).
    pub(super) fn reset_without_picks(&self) -> bool {
        self.reset && self.found.is_empty()
    }

    pub(super) fn found(&self) -> &[u16] {
        &self.found
    }

    /// The first step is a hello already answered at `v`: `suite` chosen.
    fn seeded(&mut self, v: TlsVersion, (suite, ex): (u16, &Exchange), remaining: &mut Vec<u16>) {
        self.seen.observe(v, ex);
        (self.first, self.found) = (Some(HelloAnswer::Accepted), vec![suite]);
        remaining.retain(|c| *c != suite);
    }

    /// A hello got no answer (`why`): the run ends here.
    fn no_answer(&mut self, (kind, why): (ErrorKind, String)) {
        self.first
            .get_or_insert(HelloAnswer::NoAnswer { why: why.clone() });
        self.errors.push((kind, why));
    }

    pub(super) fn set_found(&mut self, found: Vec<u16>) {
        self.found = found;
    }
}

pub(super) async fn scan_version(
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
    let head = eliminate(endpoint, v, first.clone(), None, sni.clone(), deadline).await;
    out.answer = head.first.clone();
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
                .map(|b| eliminate(endpoint, v, b.clone(), None, sni.clone(), deadline)),
        )
        .await,
    );

    let bundles_with_suites = runs.iter().filter(|r| !r.found.is_empty()).count();
    finish(&mut out, runs);
    out.interleaved = bundles_with_suites > 1;
    out
}

/// Folds eliminations into the version's findings.
pub(super) fn finish(out: &mut VersionScan, runs: Vec<BundleRun>) {
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
    out.suites = codes.iter().map(|c| crate::tls::suite_info(*c)).collect();
    out.codes = codes;
}

/// Whether the server follows its own order at this version, and that
/// order. `known` is a preference another step already settled (the group
/// scan's first hello, see `groups`); otherwise one hello decides it.
pub(super) async fn settle_preference(
    endpoint: &Endpoint,
    out: &mut VersionScan,
    known: Option<bool>,
    sni: Option<String>,
    deadline: Deadline,
) {
    if out.codes.len() < 2 {
        return;
    }
    let pref = match known
        .or(out.server_preference)
        .or_else(|| picks_defy_offer_order(out))
    {
        Some(p) => p,
        None => match server_preference(endpoint, out.version, &out.codes, sni.clone(), deadline)
            .await
        {
            Ok((pref, seen)) => {
                out.seen.absorb(seen);
                pref
            }
            Err((e, seen)) => {
                out.seen.absorb(seen);
                out.errors.push(e);
                return;
            }
        },
    };
    out.server_preference = Some(pref);
    if pref && out.interleaved {
        // Each bundle's order is the server's, but not the interleaving:
        // derive the whole order once.
        let (ordered, seen, err) =
            order_by_elimination(endpoint, out.version, &out.codes, sni, deadline).await;
        out.seen.absorb(seen);
        match err {
            None => {
                out.codes = ordered;
                out.suites = out
                    .codes
                    .iter()
                    .map(|c| crate::tls::suite_info(*c))
                    .collect();
            }
            Some(e) => out.errors.push(e),
        }
    }
}

/// Offer the bundle, remove the suite chosen, repeat until refused. A
/// `seed` is a hello already answered at `v` (the descent's), which counts as
/// the first step.
pub(super) async fn eliminate(
    endpoint: &Endpoint,
    v: TlsVersion,
    bundle: Vec<u16>,
    seed: Option<(u16, Exchange)>,
    sni: Option<String>,
    deadline: Deadline,
) -> BundleRun {
    // A chain of its own (`net::Slots::chain_running`); the descent's
    // seeded one is counted by its job.
    let _chain = endpoint.chain_running();
    eliminate_reporting(endpoint, v, bundle, seed, sni, deadline, (None, None)).await
}

/// The suites an elimination has found so far, each with the curve of its
/// ECDHE ServerKeyExchange; closed when the elimination ends.
pub(super) type FoundSoFar = tokio::sync::watch::Sender<Vec<(u16, Option<u16>)>>;

/// The curve named in an exchange's ECDHE ServerKeyExchange.
pub(super) fn curve_of(ex: &Exchange) -> Option<u16> {
    match &ex.reply.key_exchange {
        Some(crate::tls::reply::KeyExchangeInfo::Ecdhe { named_curve, .. }) => *named_curve,
        _ => None,
    }
}

/// [`eliminate`], telling `found` each suite as soon as it is found (so the
/// preference question and the groups can run beside the rest).
pub(super) async fn eliminate_reporting(
    endpoint: &Endpoint,
    v: TlsVersion,
    bundle: Vec<u16>,
    seed: Option<(u16, Exchange)>,
    sni: Option<String>,
    deadline: Deadline,
    (found, mut split): (Option<FoundSoFar>, Option<super::split::Split>),
) -> BundleRun {
    let mut run = BundleRun::default();
    let mut remaining = bundle;
    let mut dh_retried = false;
    let tell = |suite: u16, ex: &Exchange| {
        if let Some(tx) = &found {
            tx.send_modify(|f| f.push((suite, curve_of(ex))));
        }
    };
    if let Some((suite, ex)) = seed {
        run.seeded(v, (suite, &ex), &mut remaining);
        tell(suite, &ex);
    }
    // Each round removes one suite or stops (the question aside), so this
    // bounds the loop.
    let rounds = remaining.len() + 2;
    for _ in 0..rounds {
        let dh_last = before_hello(endpoint, &run, &mut remaining, split.as_mut());
        if remaining.is_empty() {
            break;
        }
        let defied = |picks: &[u16]| defy_offer_order(v, picks);
        let asking = split
            .as_ref()
            .and_then(|s| s.question(endpoint, (&run.found, defied), &remaining));
        let hello = scan_hello(
            v,
            asking.clone().unwrap_or_else(|| remaining.clone()),
            sni.clone(),
        );
        let ex = match send_hello(endpoint, &hello, false, deadline).await {
            Ok(ex) => ex,
            Err(e) => {
                run.no_answer((e.kind(), e.to_string()));
                break;
            }
        };
        run.seen.observe(v, &ex);
        let answer = read_answer(v.wire(), &ex);
        run.first
            .get_or_insert_with(|| super::hello_answer(&answer, &ex));
        note_tls13_group(&mut run, v, &ex);
        let found = (&run.found[..], &mut remaining);
        if asking.is_some()
            && split
                .as_mut()
                .is_some_and(|s| s.answered(endpoint, &answer, found))
        {
            continue;
        }
        match answer {
            OfferOutcome::Accepted { suite } => {
                let Some(pos) = remaining.iter().position(|c| *c == suite) else {
                    run.errors.push(not_offered(suite));
                    break;
                };
                remaining.remove(pos);
                run.found.push(suite);
                tell(suite, &ex);
            }
            OfferOutcome::Downgraded { .. } | OfferOutcome::VersionRefused => {
                run.version_refused = Some(version_refusal(&answer));
                break;
            }
            OfferOutcome::Refused { alert } => {
                // (No retry once DHE works, nor after DHE last: `scan::dhe`.)
                let settled = dh_retried || dh_last || endpoint.dhe().answer() == Some(true);
                if let Some(rest) = dh_retry(&run, settled, alert, &ex, &remaining) {
                    dh_retried = true;
                    remaining = rest;
                    if run.found.is_empty() {
                        run.first = None;
                    }
                    continue;
                }
                run.reset = ex.ending == Ending::Reset;
                if let (true, Some(&control)) = (run.reset, run.found.last()) {
                    confirm_reset_refusal(endpoint, v, control, &sni, deadline, &mut run).await;
                }
                break;
            }
            OfferOutcome::Unreadable { why } => {
                let kind = super::unreadable_kind(&ex);
                run.errors.push((kind, why));
                break;
            }
        }
    }
    run
}

/// The error of an elimination whose hello was answered with a suite it
/// did not offer.
fn not_offered(suite: u16) -> (ErrorKind, String) {
    (
        ErrorKind::Tls,
        format!(
            "the server chose {}, which was not offered; elimination stopped",
            suites::iana_hex(suite)
        ),
    )
}

/// How a hello of an elimination was refused for its version.
fn version_refusal(answer: &OfferOutcome) -> String {
    match answer {
        OfferOutcome::Downgraded { to } => format!(
            "answered with {}",
            hello::version_name(*to).unwrap_or("an unknown version")
        ),
        _ => "protocol_version alert".into(),
    }
}

/// What changes in an elimination's list between two hellos: half of it
/// handed to a second chain (see [`Split`]), DHE left out once no DHE
/// suite can be negotiated (`scan::dhe`: offered, it would only make a
/// silent refusal ambiguous), and DHE put last for a server that follows
/// the client (`scan::order`); `true` when it was.
fn before_hello(
    endpoint: &Endpoint,
    run: &BundleRun,
    remaining: &mut Vec<u16>,
    split: Option<&mut super::split::Split>,
) -> bool {
    if let Some(split) = split {
        split.maybe(run.found.len(), remaining);
    }
    if endpoint.dhe().answer() == Some(false) && !run.found.iter().any(|c| needs_dh_params(*c)) {
        remaining.retain(|c| !needs_dh_params(*c));
    }
    super::order::put_dh_last(endpoint, remaining)
}

/// The group of a TLS 1.3 ServerHello's key share, noted once.
fn note_tls13_group(run: &mut BundleRun, v: TlsVersion, ex: &Exchange) {
    if v == TlsVersion::Tls13
        && let Some(g) = ex
            .reply
            .server_hello
            .as_ref()
            .and_then(|s| s.key_share_group)
    {
        run.seen.tls13_group.get_or_insert(g);
    }
}

/// After an elimination's refusal: the rest to offer once more without DHE
/// when the refusal may be a DHE pick the server could not serve (see
/// [`may_be_failed_pick`]); once per elimination, and not once a DHE suite
/// was accepted (the server has its parameters).
fn dh_retry(
    run: &BundleRun,
    retried: bool,
    alert: Option<&str>,
    ex: &Exchange,
    remaining: &[u16],
) -> Option<Vec<u16>> {
    if retried || run.found.iter().any(|c| needs_dh_params(*c)) || !may_be_failed_pick(alert, ex) {
        return None;
    }
    without_dh(remaining)
}

/// Whether a suite's key exchange is ECDHE (its ServerKeyExchange names a
/// curve: the group scan below TLS 1.3 rides on these).
pub(super) fn is_ecdhe(code: u16) -> bool {
    suites::lookup(code).is_some_and(|s| matches!(s.kx, KeyExchange::Ecdhe))
}

/// Whether a suite's key exchange needs parameters the server must be
/// given (finite-field DHE). A server with DHE suites in its list but no
/// parameters (Dovecot 2.3 without `ssl_dh`) picks one and then fails.
pub(super) fn needs_dh_params(code: u16) -> bool {
    suites::lookup(code).is_some_and(|s| matches!(s.kx, KeyExchange::Dhe))
}

/// `list` without its DHE suites, when it holds both DHE suites and others.
pub(super) fn without_dh(list: &[u16]) -> Option<Vec<u16>> {
    let rest: Vec<u16> = list
        .iter()
        .copied()
        .filter(|c| !needs_dh_params(*c))
        .collect();
    (rest.len() < list.len() && !rest.is_empty()).then_some(rest)
}

/// A refusal that may be a DHE pick the server could not serve rather than
/// "none of these suites": a close with nothing said (Dovecot 2.3 without
/// DH parameters logs "Diffie-Hellman key exchange requested, but no DH
/// parameters provided" and disconnects without a word) or `internal_error`
/// (OpenSSL 3's `SSL_R_MISSING_TMP_DH_KEY`). Not `handshake_failure`:
/// OpenSSL sends it for every hello it has no suite or version for (the
/// ordinary end of an elimination, an SSLv3 hello to a TLS-only server),
/// so a second hello there would cost a connection on every ordinary
/// server. (OpenSSL 1.0.2 reported the missing key with `handshake_failure`:
/// such a server is not second-guessed.) A reset is SChannel's refusal,
/// handled by `confirm_reset_refusal`.
pub(super) fn may_be_failed_pick(alert: Option<&str>, ex: &Exchange) -> bool {
    match alert {
        None => ex.ending == Ending::Closed && ex.reply.is_empty(),
        Some(a) => a == "internal_error",
    }
}

/// SChannel refuses a hello by resetting the connection, and so does a
/// server (or a firewall) that sheds connections beyond a limit; only the
/// second truncates an elimination. Offering one suite the server has just
/// accepted tells them apart: a real refuser accepts it again, a limit
/// resets it too. One extra hello, and only for servers that refuse by reset.
pub(super) async fn confirm_reset_refusal(
    endpoint: &Endpoint,
    v: TlsVersion,
    control: u16,
    sni: &Option<String>,
    deadline: Deadline,
    run: &mut BundleRun,
) {
    let hello = scan_hello(v, vec![control], sni.clone());
    match send_hello(endpoint, &hello, true, deadline).await {
        Ok(ex) => {
            run.seen.observe(v, &ex);
            if read_answer(v.wire(), &ex) != (OfferOutcome::Accepted { suite: control }) {
                run.errors.push((
                    ErrorKind::Reset,
                    format!(
                        "the server reset a hello offering {}, which it had accepted moments before: a connection limit or a filter, so the suite list may be incomplete",
                        suites::iana_hex(control)
                    ),
                ));
            }
        }
        Err(e) => run
            .errors
            .push((e.kind(), format!("confirming a reset: {e}"))),
    }
}

type StepFailure = ((ErrorKind, String), SeenInScan);

/// Elimination offers every remaining suite in [`offer_order`], so a server
/// that follows the client picks the accepted suites in that order. A pick
/// that jumps ahead of an earlier-offered suite it accepted later proves an
/// order of the server's own, with no hello spent. Picks in offer order
/// prove nothing (a server's order may agree with ours): `None`.
fn picks_defy_offer_order(out: &VersionScan) -> Option<bool> {
    if out.interleaved {
        return None;
    }
    defy_offer_order(out.version, &out.codes).then_some(true)
}

/// Whether some pick in `picks` (in the order found) comes after a later
/// one in [`offer_order`] at `v`: the server's own order, proven.
pub(super) fn defy_offer_order(v: TlsVersion, picks: &[u16]) -> bool {
    let order = offer_order(v);
    let positions: Option<Vec<usize>> = picks
        .iter()
        .map(|c| order.iter().position(|o| o == c))
        .collect();
    positions.is_some_and(|p| p.windows(2).any(|w| w[0] > w[1]))
}

/// Offers the accepted suites in reverse order: a server that follows the
/// client picks the (new) first one; a server with its own order does not.
pub(super) async fn server_preference(
    endpoint: &Endpoint,
    v: TlsVersion,
    codes: &[u16],
    sni: Option<String>,
    deadline: Deadline,
) -> Result<(bool, SeenInScan), StepFailure> {
    let mut seen = SeenInScan::default();
    let reversed: Vec<u16> = codes.iter().rev().copied().collect();
    let hello = scan_hello(v, reversed.clone(), sni);
    let ex = match send_hello(endpoint, &hello, true, deadline).await {
        Ok(ex) => ex,
        Err(e) => return Err(((e.kind(), format!("server preference: {e}")), seen)),
    };
    seen.observe(v, &ex);
    match read_answer(v.wire(), &ex) {
        OfferOutcome::Accepted { suite } => Ok((Some(&suite) != reversed.first(), seen)),
        other => Err((refused_accepted("server preference", &other, &ex), seen)),
    }
}

/// An offer of suites the server had accepted was refused: with a reset
/// that is a connection limit or a filter at work, otherwise a server that
/// changes its mind (load balancer with differing backends?).
fn refused_accepted(step: &str, answer: &OfferOutcome, ex: &Exchange) -> (ErrorKind, String) {
    if ex.ending == Ending::Reset {
        (
            ErrorKind::Reset,
            format!(
                "{step}: the server reset a hello offering only suites it had accepted: a connection limit or a filter"
            ),
        )
    } else {
        (
            ErrorKind::Tls,
            format!("{step}: the server refused suites it had accepted ({answer:?})"),
        )
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
) -> (Vec<u16>, SeenInScan, Option<(ErrorKind, String)>) {
    let mut seen = SeenInScan::default();
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
            OfferOutcome::Accepted { suite } if remaining.contains(&suite) => {
                remaining.retain(|c| *c != suite);
                ordered.push(suite);
            }
            other => {
                let e = refused_accepted("suite order", &other, &ex);
                return (ordered, seen, Some(e));
            }
        }
    }
    ordered.extend(remaining);
    (ordered, seen, None)
}
