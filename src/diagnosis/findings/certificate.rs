//! The certificate findings, by concept: trust (self-signed, an incomplete
//! chain, untrusted), validity (expired, expiring soon), the name, SHA-1
//! signatures and a small RSA key. Each quotes the certificate and names the
//! clients that fail or are at risk because of it.

use crate::diagnosis::client_verdict::ClientVerdict;
use crate::diagnosis::profiles::Failure;
use crate::diagnosis::server::{self, ServerView};
use crate::diagnosis::thresholds::{KEY_BROKEN_BITS, RSA_KEY_MIN_BITS};
use crate::report::{Certificate, Finding, Severity};

use super::{affected, make};

/// Said where a client's refusal is documented but Exchange Online's is not.
const EXO_NOTE: &str = " Exchange Online's behaviour is not documented: if it refuses, retry with -AcceptUntrustedCertificates.";

/// The certificate as the findings quote it.
struct Quoted<'a> {
    cert: &'a Certificate,
    /// The leaf's subject and issuer (empty when no chain was kept).
    subject: String,
    issuer: String,
}

/// Every certificate finding the facts support, in the catalogue's order.
pub(super) fn certificate_rules(
    view: &ServerView,
    verdicts: &[ClientVerdict],
    out: &mut Vec<Finding>,
) {
    let Some(cert) = &view.obs.certificate else {
        return;
    };
    let leaf = cert.chain.first();
    let quoted = Quoted {
        cert,
        subject: leaf.map(|l| l.subject.clone()).unwrap_or_default(),
        issuer: leaf.map(|l| l.issuer.clone()).unwrap_or_default(),
    };
    trust_rule(view, verdicts, &quoted, out);
    validity_rule(view, verdicts, &quoted, out);
    name_rule(view, verdicts, &quoted, out);
    sha1_rule(view, verdicts, out);
    rsa_key_rule(view, verdicts, &quoted.subject, out);
}

/// Self-signed, sent without its intermediate, or not trusted: at most one.
fn trust_rule(
    view: &ServerView,
    verdicts: &[ClientVerdict],
    quoted: &Quoted<'_>,
    out: &mut Vec<Finding>,
) {
    let sw = view.software;
    let Quoted {
        cert,
        subject,
        issuer,
    } = quoted;
    if cert.self_signed == Some(true) {
        out.push(make(
            "CERT_SELF_SIGNED",
            None,
            format!(
                "The certificate \"{subject}\" is self-signed.{}{EXO_NOTE}",
                affected(verdicts, &[Failure::Untrusted])
            ),
            sw,
        ));
    } else if cert.chain_incomplete() {
        out.push(make(
            "CERT_CHAIN_INCOMPLETE",
            None,
            format!(
                "The server sent \"{subject}\" without the intermediate that issued it (\"{issuer}\"), and no trust store holds that issuer. SChannel clients (Exchange Online, Outlook) fetch it from the certificate's AIA caIssuers URL if there is one; OpenSSL-based tools and Java do not.{}",
                affected(verdicts, &[Failure::IncompleteChain])
            ),
            sw,
        ));
    } else if cert.trusted == Some(false) {
        out.push(make(
            "CERT_UNTRUSTED",
            None,
            format!(
                "The chain for \"{subject}\" (issued by \"{issuer}\", {} certificate(s) sent) is not trusted by the {} store{}.{}{}{EXO_NOTE}",
                cert.chain.len(),
                cert.trust_store.clone().unwrap_or_else(|| "mozilla".into()),
                cert.trust_error.as_ref().map(|e| format!(": {e}")).unwrap_or_default(),
                if cert.chain.len() == 1 {
                    // [GCERT][IMAPSYNC-SSL]: a missing intermediate looks like an unknown issuer.
                    " Only the leaf was sent: if the issuer is a public CA, the intermediate certificate is missing from the server's chain."
                } else {
                    ""
                },
                affected(verdicts, &[Failure::Untrusted])
            ),
            sw,
        ));
    }
}

/// Expired (or not yet valid), else expiring within 30 days.
fn validity_rule(
    view: &ServerView,
    verdicts: &[ClientVerdict],
    quoted: &Quoted<'_>,
    out: &mut Vec<Finding>,
) {
    let (obs, sw) = (view.obs, view.software);
    let Quoted { cert, subject, .. } = quoted;
    if let Some((true, what)) = server::validity(obs) {
        let ago = cert
            .days_left
            .filter(|d| *d < 0)
            .map(|d| format!(" ({} days ago)", -d))
            .unwrap_or_default();
        out.push(make(
            "CERT_EXPIRED",
            None,
            format!(
                "The certificate \"{subject}\" {what}{ago}.{}{EXO_NOTE}",
                affected(verdicts, &[Failure::Expired])
            ),
            sw,
        ));
    } else if let Some(days) = cert.days_left
        && (0..30).contains(&days)
    {
        out.push(make(
            "CERT_EXPIRES_SOON",
            None,
            format!(
                "The certificate \"{subject}\" expires on {} (in {days} days).",
                cert.chain
                    .first()
                    .map(|l| l.not_after.clone())
                    .unwrap_or_default()
            ),
            sw,
        ));
    }
}

/// The certificate does not name the host the client asked for.
fn name_rule(
    view: &ServerView,
    verdicts: &[ClientVerdict],
    quoted: &Quoted<'_>,
    out: &mut Vec<Finding>,
) {
    let obs = view.obs;
    let Quoted { cert, subject, .. } = quoted;
    if cert.name_match != Some(false) {
        return;
    }
    let names = cert
        .chain
        .first()
        .map(|l| crate::diagnosis::cert_names_shown(&l.sans))
        .unwrap_or_default();
    let reference = obs
        .target
        .sni
        .clone()
        .unwrap_or_else(|| obs.target.host.clone());
    out.push(make(
        "CERT_NAME_MISMATCH",
        None,
        format!(
            "The certificate names {} (subject \"{subject}\"), not {reference}.{} Whether Exchange Online checks the name is not documented.",
            if names.is_empty() { "no DNS name in subjectAltName".to_string() } else { names },
            affected(verdicts, &[Failure::NameMismatch])
        ),
        view.software,
    ));
}

/// Certificates in the chain signed with SHA-1.
fn sha1_rule(view: &ServerView, verdicts: &[ClientVerdict], out: &mut Vec<Finding>) {
    let sha1 = server::sha1_signed(view.obs);
    if sha1.is_empty() {
        return;
    }
    let who: Vec<String> = sha1
        .iter()
        .map(|c| format!("\"{}\" ({})", c.subject, c.signature_algorithm))
        .collect();
    out.push(make(
        "CERT_SHA1",
        None,
        format!(
            "Signed with SHA-1: {}.{}",
            who.join(", "),
            affected(verdicts, &[Failure::Sha1Certificate])
        ),
        view.software,
    ));
}

/// An RSA key under 2048 bits (critical under 1024).
fn rsa_key_rule(
    view: &ServerView,
    verdicts: &[ClientVerdict],
    subject: &str,
    out: &mut Vec<Finding>,
) {
    if let Some(bits) = view.rsa_bits()
        && bits < RSA_KEY_MIN_BITS
    {
        out.push(make(
            "RSA_KEY_TOO_SMALL",
            Some(if bits < KEY_BROKEN_BITS {
                Severity::Critical
            } else {
                Severity::Medium
            }),
            format!(
                "The certificate \"{subject}\" has a {bits}-bit RSA key.{}",
                affected(verdicts, &[Failure::CertKeyTooSmall])
            ),
            view.software,
        ));
    }
}
