//! The Report: one model for the HTTP API and the CLI.
//!
//! Field names here are a contract: scripts read them. Add fields freely;
//! rename or remove none. A fact that was not measured is `null` or an empty
//! list, never a guess. The OpenAPI schema is generated from these types.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

/// The mail dialogue's records, kept by the dialogue that produces them.
pub use crate::mail::dialogue::{LoginResult, MailTls, StartTls, TlsEngine};
/// The connection counts of a probe, kept by the connector that counts them.
pub use crate::net::{Connect, Stats};

pub mod names;

pub use crate::vocab::{ErrorKind, Protocol, StepError, Target, Timing, TlsVersion, Transport};

/// Facts the engines and codecs produce, shown verbatim.
pub use crate::probe::real_tls::HandshakeAttempt;
pub use crate::tls::cert::CertificateInfo;
pub use crate::tls::handshake::Handshake;
pub use crate::tls::scan::VersionSupport;
pub use crate::tls::suites::Suite;

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "lowercase")]
pub enum Verdict {
    Pass,
    Warn,
    Fail,
}

impl Verdict {
    pub fn as_str(self) -> &'static str {
        match self {
            Verdict::Pass => "pass",
            Verdict::Warn => "warn",
            Verdict::Fail => "fail",
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    Info,
    Low,
    Medium,
    High,
    Critical,
}

/// The diagnosis of one endpoint.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct Report {
    /// The HTTP request's id (`X-Request-Id`, accepted from the caller or
    /// generated), also on the service's log line for the request, so a
    /// Report can be matched to the logs. `null` outside the HTTP API.
    #[schema(example = "3f2c9a7e01b44d5c8e6f1a2b3c4d5e6f")]
    pub request_id: Option<String>,
    /// What was probed: host, port, protocol, transport, addresses, SNI.
    pub target: Target,
    /// When the probe started (RFC 3339, UTC).
    #[schema(example = "2026-11-25T10:00:00Z")]
    pub started_at: String,
    /// Wall-clock time of the whole probe, in milliseconds.
    pub duration_ms: u64,
    /// `pass`, `warn` or `fail`, decided by the clients that count
    /// (`clients[].decides_verdict`) and the findings.
    pub verdict: Verdict,
    /// One sentence a person can act on, naming the decisive fact.
    pub summary: String,
    /// The TCP connection to the target.
    pub connect: Connect,
    /// What the mail server said, in plaintext and inside TLS (empty for `protocol: tls`).
    pub mail: Mail,
    /// What the server speaks: versions, suites, groups, certificate, handshakes.
    pub tls: Tls,
    /// Per client profile: can it connect, and if not, why and what it shows.
    pub clients: Vec<ClientResult>,
    /// What deserves attention, most severe first, each with its evidence and remedy.
    pub findings: Vec<Finding>,
    /// One entry per security check: whether it ran (and why not), what it
    /// found and what it cost (see `docs/security-checks.md`).
    #[serde(default)]
    pub security: Vec<SecurityCheck>,
    /// The security posture at a glance (A to F), beside the migration
    /// `verdict`; null when the port could not be reached.
    #[serde(default)]
    pub rating: Option<Rating>,
    /// Connections, handshakes and bytes the probe cost the target.
    pub stats: Stats,
    /// Time spent per probe step.
    pub timings: Vec<Timing>,
    /// Steps that did not complete, and why. The rest of the Report stands.
    pub errors: Vec<StepError>,
}

/// What the mail server said in plaintext and inside TLS.
#[derive(Debug, Clone, Default, Serialize, Deserialize, ToSchema)]
pub struct Mail {
    /// The server's first line, verbatim (control characters escaped).
    pub greeting: Option<String>,
    /// Server software guessed from the greeting, capabilities and `ID`; null when nothing
    /// identifies it.
    pub software_guess: Option<SoftwareGuess>,
    /// Capabilities advertised in plaintext (IMAP `CAPABILITY`, POP3 `CAPA`, SMTP `EHLO`),
    /// verbatim.
    pub capabilities_before_tls: Vec<String>,
    /// Capabilities advertised inside TLS, verbatim.
    pub capabilities_after_tls: Vec<String>,
    /// The STARTTLS (POP3: STLS) upgrade; null on implicit TLS.
    pub starttls: Option<StartTls>,
    /// The TLS connection the dialogue ran over: which engine carried it and
    /// what was negotiated. Null when the dialogue reached no TLS.
    #[serde(default)]
    pub tls: Option<MailTls>,
    /// IMAP `LOGINDISABLED` advertised before TLS.
    pub login_disabled: Option<bool>,
    /// SASL mechanisms offered before TLS.
    pub auth_mechanisms_before_tls: Vec<String>,
    /// SASL mechanisms offered where a client would log in (inside TLS).
    pub auth_mechanisms: Vec<String>,
    /// The login test's outcome; null when the request carried no credentials.
    pub login: Option<LoginResult>,
    /// IMAP `LOGINDISABLED` advertised inside TLS (Exchange Online tenants
    /// without Basic auth); null when TLS was not reached.
    pub login_disabled_after_tls: Option<bool>,
    /// `IMAP4rev1` (RFC 3501) listed where a client would log in.
    pub imap4rev1: Option<bool>,
    /// `IMAP4rev2` (RFC 9051) listed where a client would log in.
    pub imap4rev2: Option<bool>,
    /// `SASL-IR` (RFC 4959) listed where a client would log in.
    pub sasl_ir: Option<bool>,
    /// The server's IMAP `ID` response (RFC 2971), e.g. `name`, `version`.
    pub id: Option<BTreeMap<String, String>>,
    /// The dialogue as sent and received (`C: ` / `S: `), escaped, credentials
    /// replaced by placeholders; at most 200 lines.
    pub transcript: Vec<String>,
    /// Server responses the IMAP decoder (imap-codec) could not decode; they
    /// were kept verbatim and read tolerantly.
    pub undecoded: Vec<String>,
}

#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct SoftwareGuess {
    /// Product name.
    #[schema(example = "Microsoft Exchange")]
    pub name: String,
    /// Version or build, when the server text gives one.
    pub version: Option<String>,
    /// The server text that led to the guess, quoted.
    pub evidence: Vec<String>,
}

#[derive(Debug, Clone, Default, Serialize, Deserialize, ToSchema)]
pub struct Tls {
    /// One entry per protocol version SSLv2..TLSv1.3 once scanned; empty until then.
    pub versions: Vec<VersionSupport>,
    /// Whether the server imposes its own suite order (null: not determined).
    pub server_preference: Option<bool>,
    /// Key-exchange groups the server accepts, e.g. `x25519`, `secp256r1`.
    pub groups: Vec<String>,
    /// Size of the DHE prime, when a DHE suite was accepted: the smallest
    /// seen with a certificate-authenticated DHE suite (an anonymous
    /// suite's group, which OpenSSL may size smaller, is left out).
    pub dh_bits: Option<u32>,
    /// The certificate chain and its judgement; null when no chain was seen.
    pub certificate: Option<Certificate>,
    /// The handshake a modern client completes (rustls).
    pub handshake: Option<Handshake>,
    /// Real handshakes offering one version each (TLS 1.3 only, TLS 1.2
    /// only), on their own connections: what each version negotiates.
    #[serde(default)]
    pub handshakes: Vec<HandshakeAttempt>,
}

#[derive(Debug, Clone, Default, Serialize, Deserialize, ToSchema)]
pub struct Certificate {
    /// Leaf first, in the order the server sent them.
    pub chain: Vec<CertificateInfo>,
    /// A client with these trust stores would accept the certificate for
    /// `name_checked`: the path validates, the name matches, and no stapled
    /// OCSP response says revoked. Null when no chain was seen.
    pub trusted: Option<bool>,
    /// Which store the certificate path validated against: `mozilla`,
    /// `configured`, `request`. Set even when the name does not match
    /// (then `trusted` is false and `trust_reason` is `name_mismatch`).
    #[schema(value_type = Option<names::TrustStore>)]
    pub trust_store: Option<String>,
    /// Why the chain is not trusted, when it is not, in words.
    pub trust_error: Option<String>,
    /// Why the chain is not trusted, as a stable code: `unknown_issuer`,
    /// `incomplete_chain` (the leaf was sent without its intermediate and its
    /// issuer is not a root in any store: serve the whole chain),
    /// `unknown_root` (the chain was sent up to a CA whose issuer no store
    /// holds: a private CA; give the CA to the clients or use a public
    /// certificate), `expired`, `not_yet_valid`, `name_mismatch`,
    /// `bad_signature`, `unsupported_algorithm`, `not_server_auth`,
    /// `revoked`, `invalid`.
    #[serde(default)]
    #[schema(value_type = Option<names::TrustReason>)]
    pub trust_reason: Option<String>,
    /// For `expired` / `not_yet_valid`: a further reason the path fails at a
    /// moment when every certificate is valid (e.g. `unknown_issuer`), so
    /// renewing alone would not make it trusted. Null when there is none.
    #[serde(default)]
    #[schema(value_type = Option<names::TrustReason>)]
    pub other_trust_reason: Option<String>,
    /// For `incomplete_chain`: the caIssuers URL in the top certificate's
    /// Authority Information Access extension (where SChannel fetches the
    /// missing intermediate). Null when there is none.
    #[serde(default)]
    pub aia_ca_issuers: Option<String>,
    /// Whether the certificate fetched from `aia_ca_issuers` (under the target
    /// policy, bounded in time and size) completes a valid path: true, false,
    /// or null when nothing was fetched.
    #[serde(default)]
    pub aia_completes_chain: Option<bool>,
    /// Why the AIA fetch gave nothing usable, when it did not.
    #[serde(default)]
    pub aia_error: Option<String>,
    /// The leaf covers the reference identity (RFC 7817 / RFC 6125).
    pub name_match: Option<bool>,
    /// The reference identity checked: the request's `sni`, else the host.
    #[serde(default)]
    pub name_checked: Option<String>,
    /// The presented identifier that matched, verbatim (e.g. `*.example.com`).
    #[serde(default)]
    pub name_matched_by: Option<String>,
    /// The leaf has no DNS subjectAltName, so the subject CN was checked
    /// instead (RFC 6125 §6.4.4); some clients (Apple) ignore the CN.
    #[serde(default)]
    pub cn_fallback_used: Option<bool>,
    /// The leaf's `not_after` has passed.
    pub expired: Option<bool>,
    /// The leaf's `not_before` is still to come.
    #[serde(default)]
    pub not_yet_valid: Option<bool>,
    /// Days until the leaf expires (negative: expired that many days ago).
    pub days_left: Option<i64>,
    /// The leaf is self-signed.
    pub self_signed: Option<bool>,
    /// Each certificate was issued by the one after it.
    #[serde(default)]
    pub chain_in_order: Option<bool>,
    /// The server sent a self-signed root along with the chain.
    #[serde(default)]
    pub root_sent: Option<bool>,
    /// The server stapled an OCSP response.
    #[serde(default)]
    pub ocsp_stapled: Option<bool>,
    /// What the staple claims for the leaf: `good`, `revoked`, `unknown`,
    /// `other_certificate`, `unsuccessful`, `unparsable`. The responder's
    /// signature is not verified: a claim, not a proof.
    #[serde(default)]
    #[schema(value_type = Option<names::OcspStatus>)]
    pub ocsp_status: Option<String>,
    /// The chain each probe path saw (`modern`, `tls13`, `tls12`, `no_sni`
    /// (a modern handshake without SNI), `scanner`), by SHA-256 of each
    /// certificate, leaf first.
    #[serde(default)]
    pub paths: Vec<ChainSeen>,
    /// Different paths saw different chains (null: fewer than two seen).
    #[serde(default)]
    pub chains_differ: Option<bool>,
    /// Facts worth attention, as stable codes: `sha1-signature`,
    /// `md5-signature`, `chain-out-of-order`, `cn-fallback`, `expired`,
    /// `not-yet-valid`, `self-signed`, `no-server-auth-eku`,
    /// `rsa-key-under-2048-bits`, `intermediate-expired`,
    /// `chain-differs-by-path`, `chain-truncated`, `unparsable-certificate`,
    /// `ocsp-staple-revoked`.
    pub issues: Vec<String>,
}

impl Certificate {
    /// The chain was judged incomplete (the leaf came without its
    /// intermediate): the one place the `incomplete_chain` name is compared.
    pub fn chain_incomplete(&self) -> bool {
        self.trust_reason.as_deref()
            == Some(crate::tls::trust::TrustReason::IncompleteChain.as_str())
    }
}

/// The chain one probe path saw.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct ChainSeen {
    /// The probe path: `modern`, `tls13`, `tls12`, `no_sni` or `scanner`.
    #[schema(example = "tls13")]
    pub path: String,
    /// SHA-256 of each certificate's DER, leaf first, as sent.
    pub chain_sha256: Vec<String>,
}

/// Whether one client (migration service, mail app, library) can connect.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct ClientResult {
    /// Client profile id, as in `GET /v1/profiles`.
    #[schema(example = "exchange-online")]
    pub profile: String,
    /// The client's name.
    #[schema(example = "Exchange Online IMAP migration")]
    pub name: String,
    /// The verdict: `connects` (nothing stands in the way), `at_risk` (it may
    /// connect, or may not: a risk, an unmeasured fact, or a client fact no
    /// source settles), `cannot` (measured evidence and a sourced client fact
    /// say it fails).
    pub status: ClientStatus,
    /// Kept for existing callers: true when the best reading is that it
    /// connects (`status` is `connects`, or `at_risk` with a likely connection).
    pub connects: bool,
    /// What the client would negotiate, when it connects.
    pub negotiated: Option<Negotiated>,
    /// Why it cannot connect (or what it risks), naming the facts.
    pub reason: Option<String>,
    /// The error this client shows its user, as that client words it
    /// (null when no source records that client's wording).
    pub error_as_seen: Option<String>,
    /// `migration`, `mail_client`, `library` or `compliance`.
    #[schema(value_type = names::ClientKind, example = "migration")]
    pub kind: String,
    /// Whether this client counts for `verdict`: named in the request's
    /// `profiles`, or in the default set for the protocol (the migration clients for IMAP).
    pub decides_verdict: bool,
    /// How this verdict was reached: observed on the wire, computed,
    /// predicted from the scan, or incomplete.
    pub basis: ClientBasis,
    /// For `basis: predicted`: what the prediction rests on (versions,
    /// suites and order the scan found); null otherwise.
    pub prediction: Option<String>,
    /// What may still stop this client although it connects: behaviour no
    /// source documents, or a certificate prompt its user must accept.
    pub risks: Vec<String>,
    /// Compliance profiles only: whether the server meets the guideline (null: not measured).
    pub compliant: Option<bool>,
}

/// A client verdict, explicitly three-valued.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum ClientStatus {
    /// Nothing measured or documented stands in the way.
    Connects,
    /// It may connect or may not: a risk, a fact not measured, or a client
    /// behaviour no source documents.
    AtRisk,
    /// Measured evidence and a sourced client fact say it cannot connect.
    Cannot,
}

/// How a client verdict was reached.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "lowercase")]
pub enum ClientBasis {
    /// The client's own ClientHello was sent on the wire; the server's answer decides.
    Observed,
    /// Computed from the scanned versions, suites, groups and certificate.
    Computed,
    /// Predicted from the scan instead of sending the client's offer: the
    /// clients that decide the verdict and one client per TLS library family
    /// were observed and agreed with the scan (`prediction` says what it rests on).
    Predicted,
    /// A fact this verdict needs was not measured, or the client fact it rests
    /// on is unverified; `connects` is the best reading.
    Incomplete,
}

#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct Negotiated {
    /// Protocol version.
    pub version: TlsVersion,
    /// Cipher suite.
    pub suite: Suite,
}

#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct Finding {
    /// Stable identifier, e.g. `TLS_MAX_VERSION_TOO_LOW`.
    pub id: String,
    /// How much this matters.
    pub severity: Severity,
    /// One line naming the problem.
    pub title: String,
    /// The evidence: versions, suites, names, dates.
    pub detail: String,
    /// What to do, for the server software identified.
    pub remedy: String,
    /// Sources (URLs) for the facts the finding rests on.
    pub references: Vec<String>,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn version_strings_are_exact() {
        let names: Vec<String> = TlsVersion::ALL
            .iter()
            .map(|v| {
                serde_json::to_value(v)
                    .unwrap()
                    .as_str()
                    .unwrap()
                    .to_string()
            })
            .collect();
        assert_eq!(
            names,
            ["SSLv2", "SSLv3", "TLSv1.0", "TLSv1.1", "TLSv1.2", "TLSv1.3"]
        );
        for v in TlsVersion::ALL {
            assert_eq!(serde_json::to_value(v).unwrap(), v.as_str());
            assert_eq!(TlsVersion::from_wire(v.wire()), Some(v));
        }
    }

    #[test]
    fn bare_suite_formats_code_point() {
        assert_eq!(Suite::bare(0xc02f, "X").iana, "0xC02F");
        assert_eq!(Suite::bare(0x000a, "X").iana, "0x000A");
    }
}

/// One security check's result.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct SecurityCheck {
    /// The check's stable id (as in a request's `checks`).
    pub id: crate::tls::security::CheckId,
    /// `done`, `not_applicable`, `failed` (it ran and got no readable answer)
    /// or `not_run` (not selected, or switched off on the service).
    #[schema(example = "done")]
    pub status: String,
    /// For `done`: `vulnerable`, `not_vulnerable`, `honoured`, `not_honoured`,
    /// `accepted`, `refused`, `supported`, ... (per check; see docs).
    pub result: Option<String>,
    /// Why it did not run or failed.
    pub reason: Option<String>,
    /// What the server did on the wire.
    pub evidence: Option<String>,
    /// The finding it produced, if any.
    pub finding: Option<String>,
    /// Connections this check opened.
    pub connections: u32,
    /// Time the check took, in milliseconds.
    pub ms: u64,
}

/// The security rating: the lowest cap any finding sets (rules in
/// `docs/security-checks.md#rating`).
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct Rating {
    /// `A`, `A-`, `B`, `C` or `F`.
    #[schema(example = "B")]
    pub grade: String,
    /// Every cap that applied, lowest grade first.
    pub caps: Vec<RatingCap>,
    /// What the rating credits that other raters cap (e.g. a STARTTLS port
    /// that refuses login before TLS).
    pub credited: Vec<String>,
}

/// One rule that capped the grade.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct RatingCap {
    /// The grade this rule caps the rating at.
    pub grade: String,
    /// The finding id (or fact) behind it.
    pub because: String,
}
