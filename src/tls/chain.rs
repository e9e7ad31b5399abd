//! The certificate analysis: a pure function of the chain(s) a server
//! presented, the reference name, the trust stores and the time. It runs at
//! the end of a probe on whatever chains were observed (the real handshakes,
//! or the wire scanner's TLS <= 1.2 chain when no real handshake got one), so
//! a TLS 1.0-only server gets the same certificate facts as a modern one.

use rustls::pki_types::{TrustAnchor, UnixTime};
use time::OffsetDateTime;

use super::cert::{self, CertFacts, WeakHash};
use super::name::{self, ReferenceId};
use super::ocsp::{self, StapleStatus};
use super::trust::{self, Store, StoreKind, TrustReason, TrustStores};
use crate::diagnosis::thresholds::RSA_KEY_MIN_BITS;
use crate::observations::ObservedChain;
use crate::report::{Certificate, ChainSeen};

/// Most certificates of one chain we look at. Real chains have 2-4; webpki
/// itself gives up on paths deeper than 6 intermediates.
pub const MAX_CHAIN: usize = 10;

/// Everything the analysis needs; nothing it fetches.
#[derive(Debug, Clone, Copy)]
pub struct Inputs<'a> {
    /// The chain to analyse, leaf first, as sent.
    pub chain: &'a [Vec<u8>],
    /// Every chain seen, for the "differs by path" fact.
    pub observed: &'a [ObservedChain],
    pub reference: &'a ReferenceId,
    pub stores: &'a TrustStores,
    /// The request's `ca_bundle_pem`, parsed.
    pub request_anchors: &'a [TrustAnchor<'static>],
    pub ocsp_stapled: Option<bool>,
    /// The stapled OCSP response, when one was seen.
    pub ocsp_response: Option<&'a [u8]>,
    pub now: OffsetDateTime,
}

/// The facts about the presented chain, as `tls.certificate`.
pub fn analyse(input: Inputs<'_>) -> Certificate {
    let mut out = Certificate {
        name_checked: Some(input.reference.as_string()),
        ocsp_stapled: input.ocsp_stapled,
        ..Certificate::default()
    };
    let mut issues: Vec<&'static str> = Vec::new();
    let chain = if input.chain.len() > MAX_CHAIN {
        issues.push("chain-truncated");
        &input.chain[..MAX_CHAIN]
    } else {
        input.chain
    };

    let mut facts: Vec<CertFacts> = Vec::new();
    for (i, der) in chain.iter().enumerate() {
        match cert::describe(der, input.now) {
            Ok(f) => facts.push(f),
            Err(e) if i == 0 => {
                out.trusted = Some(false);
                out.trust_reason = Some(TrustReason::Invalid.as_str().into());
                out.trust_error = Some(format!("the server's certificate: {e}"));
                out.issues = vec!["unparsable-certificate".into()];
                return out;
            }
            Err(_) => {
                issues.push("unparsable-certificate");
                break;
            }
        }
    }
    let Some(leaf) = facts.first() else {
        return out;
    };

    // Order and root: each certificate should be issued by the next one.
    let in_order = facts
        .windows(2)
        .all(|w| w[0].issuer_raw == w[1].subject_raw);
    out.chain_in_order = Some(in_order);
    if !in_order {
        issues.push("chain-out-of-order");
    }
    out.root_sent = Some(facts.len() > 1 && facts.last().is_some_and(|c| c.info.self_signed));

    // Name, per RFC 7817 / RFC 6125.
    let nc = name::check(input.reference, &leaf.ids);
    out.name_match = Some(nc.matched);
    out.name_matched_by = nc.matched_by;
    out.cn_fallback_used = Some(nc.cn_fallback_used);
    if nc.cn_fallback_used {
        issues.push("cn-fallback");
    }

    validity_facts(&input, &facts, &mut out, &mut issues);
    trust_facts(&input, chain, &facts, nc.matched, &mut out);
    staple_facts(&input, leaf, &mut out, &mut issues);
    path_facts(&input, &mut out, &mut issues);

    out.chain = facts.into_iter().map(|f| f.info).collect();
    out.issues = issues.into_iter().map(str::to_string).collect();
    out
}

/// Validity of the leaf and the rest of the chain, keys and signatures.
fn validity_facts(
    input: &Inputs<'_>,
    facts: &[CertFacts],
    out: &mut Certificate,
    issues: &mut Vec<&'static str>,
) {
    let Some(leaf) = facts.first() else {
        return;
    };
    let expired = leaf.expired_at(input.now);
    let not_yet = leaf.not_yet_valid_at(input.now);
    out.expired = Some(expired);
    out.not_yet_valid = Some(not_yet);
    out.days_left = Some(leaf.info.days_left);
    out.self_signed = Some(leaf.info.self_signed);
    if expired {
        issues.push("expired");
    }
    if not_yet {
        issues.push("not-yet-valid");
    }
    if leaf.info.self_signed {
        issues.push("self-signed");
    }
    if leaf.info.server_auth_eku == Some(false) {
        issues.push("no-server-auth-eku");
    }
    if facts
        .iter()
        .any(|c| c.info.key_type == "RSA" && c.info.key_bits.is_some_and(|b| b < RSA_KEY_MIN_BITS))
    {
        issues.push("rsa-key-under-2048-bits");
    }
    // A root's own signature is never checked by a client, so a SHA-1
    // self-signature on a sent root is not a fact worth flagging.
    for c in facts
        .iter()
        .filter(|c| !(c.info.self_signed && c.info.is_ca))
    {
        match c.signature_hash() {
            Some(WeakHash::Sha1) if !issues.contains(&"sha1-signature") => {
                issues.push("sha1-signature")
            }
            Some(WeakHash::Md5) if !issues.contains(&"md5-signature") => {
                issues.push("md5-signature")
            }
            _ => {}
        }
    }
    if facts.iter().skip(1).any(|c| c.expired_at(input.now)) {
        issues.push("intermediate-expired");
    }
}

/// Trust: the path first, then the name.
fn trust_facts(
    input: &Inputs<'_>,
    chain: &[Vec<u8>],
    facts: &[CertFacts],
    name_matched: bool,
    out: &mut Certificate,
) {
    let Some(leaf) = facts.first() else {
        return;
    };
    let stores = [
        Store {
            kind: StoreKind::Mozilla,
            anchors: input.stores.mozilla(),
        },
        Store {
            kind: StoreKind::Configured,
            anchors: &input.stores.configured,
        },
        Store {
            kind: StoreKind::Request,
            anchors: input.request_anchors,
        },
    ];
    let now = UnixTime::since_unix_epoch(std::time::Duration::from_secs(
        u64::try_from(input.now.unix_timestamp()).unwrap_or(0),
    ));
    match trust::validate_path(chain, &stores, now) {
        Ok(store) => {
            out.trust_store = Some(store.as_str().into());
            out.trusted = Some(name_matched);
            if !name_matched {
                out.trust_reason = Some(TrustReason::NameMismatch.as_str().into());
                out.trust_error = Some(format!(
                    "the chain is valid (store `{}`) but the certificate does not cover `{}`{}",
                    store.as_str(),
                    input.reference.as_string(),
                    names_offered(leaf)
                ));
            }
        }
        Err(e) => {
            out.trusted = Some(false);
            let (reason, mut message) = explain(&e, facts, &stores);
            // webpki stops at the first expired certificate. Renewing fixes
            // that, but would the chain then be trusted? Check again at a
            // moment when every sent certificate is valid.
            if matches!(reason, TrustReason::Expired | TrustReason::NotYetValid)
                && let Some(t) = moment_all_valid(facts)
            {
                match trust::validate_path(chain, &stores, t) {
                    Ok(store) => message.push_str(&format!(
                        "; within its validity the path validates against `{}`",
                        store.as_str()
                    )),
                    Err(e2) => {
                        let (other, text) = explain(&e2, facts, &stores);
                        if other != reason {
                            out.other_trust_reason = Some(other.as_str().into());
                            message.push_str(&format!("; besides, {text}"));
                        }
                    }
                }
            }
            out.trust_reason = Some(reason.as_str().into());
            out.trust_error = Some(message);
        }
    }
}

/// A staple that says "revoked" is a fact even unverified (see `ocsp`).
fn staple_facts(
    input: &Inputs<'_>,
    leaf: &CertFacts,
    out: &mut Certificate,
    issues: &mut Vec<&'static str>,
) {
    if let Some(staple) = input.ocsp_response {
        let status = ocsp::staple_status(staple, &leaf.serial_raw);
        out.ocsp_status = Some(status.as_str().into());
        if status == StapleStatus::Revoked {
            issues.push("ocsp-staple-revoked");
            if out.trusted == Some(true) {
                out.trusted = Some(false);
                out.trust_reason = Some(TrustReason::Revoked.as_str().into());
                out.trust_error = Some(
                    "the server's own stapled OCSP response says the certificate is revoked".into(),
                );
            }
        }
    }
}

/// The same server may present different chains on different paths.
fn path_facts(input: &Inputs<'_>, out: &mut Certificate, issues: &mut Vec<&'static str>) {
    out.paths = input
        .observed
        .iter()
        .filter(|o| !o.der.is_empty())
        .map(|o| ChainSeen {
            path: o.path.clone(),
            chain_sha256: o
                .der
                .iter()
                .take(MAX_CHAIN)
                .map(|d| fingerprint(d))
                .collect(),
        })
        .collect();
    let differ = out
        .paths
        .windows(2)
        .any(|w| w[0].chain_sha256 != w[1].chain_sha256);
    out.chains_differ = (out.paths.len() > 1).then_some(differ);
    if differ {
        issues.push("chain-differs-by-path");
    }
}

/// A moment at which every certificate sent is within its validity, if
/// there is one: the latest `not_before`, when it precedes every `not_after`.
fn moment_all_valid(facts: &[CertFacts]) -> Option<UnixTime> {
    let start = facts.iter().map(|c| c.not_before).max()?;
    let end = facts.iter().map(|c| c.not_after).min()?;
    if start > end {
        return None;
    }
    let secs = u64::try_from(start.unix_timestamp()).ok()?;
    Some(UnixTime::since_unix_epoch(std::time::Duration::from_secs(
        secs.saturating_add(1),
    )))
}

fn fingerprint(der: &[u8]) -> String {
    ring::digest::digest(&ring::digest::SHA256, der)
        .as_ref()
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

fn names_offered(leaf: &CertFacts) -> String {
    if leaf.info.sans.is_empty() {
        format!(" (no subjectAltName; subject `{}`)", leaf.info.subject)
    } else {
        let shown: Vec<&str> = leaf.info.sans.iter().take(8).map(String::as_str).collect();
        format!(" (it names {})", shown.join(", "))
    }
}

/// Turns webpki's error into a reason and a sentence. "Unknown issuer" is
/// refined by looking at the chain as sent: if the sent chain ends in a
/// certificate that is not self-issued, and whose issuer is not a root in
/// any store, then the server left out an intermediate. (We cannot know
/// whether that intermediate would chain to a trusted root; we can only say
/// it was not sent and its issuer is not a root we know.)
fn explain(e: &webpki::Error, facts: &[CertFacts], stores: &[Store<'_>]) -> (TrustReason, String) {
    let reason = TrustReason::from_webpki(e);
    let leaf = &facts[0];
    let msg = match reason {
        TrustReason::UnknownIssuer => {
            let top = top_of_sent_path(facts);
            if top.self_issued() {
                let what = if std::ptr::eq(top, leaf) {
                    "the certificate is self-signed".to_string()
                } else {
                    format!("the chain ends at `{}`", top.info.subject)
                };
                format!(
                    "{what}, which is not a root in any trust store (searched: {})",
                    searched(stores)
                )
            } else if is_anchor_subject(&top.issuer_raw, stores) {
                format!(
                    "`{}` names a trusted root as issuer (`{}`), but the path does not validate with it",
                    top.info.subject, top.info.issuer
                )
            } else if !std::ptr::eq(top, leaf) && top.info.is_ca {
                // A CA certificate at the top whose issuer was not sent: the
                // chain is complete up to a root no store holds (a private CA).
                return (
                    TrustReason::UnknownRoot,
                    format!(
                        "the chain the server sent ends at the CA `{}`, whose issuer `{}` is not a root in any trust store (searched: {}): a private or unknown root, not a missing intermediate",
                        top.info.subject,
                        top.info.issuer,
                        searched(stores)
                    ),
                );
            } else {
                return (
                    TrustReason::IncompleteChain,
                    format!(
                        "the server did not send the certificate of `{}` (issuer of `{}`), and it is not a root in any trust store (searched: {}): an intermediate is missing, or the issuer is unknown",
                        top.info.issuer,
                        top.info.subject,
                        searched(stores)
                    ),
                );
            }
        }
        TrustReason::Expired => format!(
            "a certificate in the path has expired (leaf not after {})",
            leaf.info.not_after
        ),
        TrustReason::NotYetValid => format!(
            "a certificate in the path is not valid yet (leaf not before {})",
            leaf.info.not_before
        ),
        TrustReason::UnsupportedAlgorithm => {
            let weak: Vec<String> = facts
                .iter()
                .filter(|c| c.signature_hash().is_some())
                .map(|c| {
                    format!(
                        "`{}` is signed with {}",
                        c.info.subject, c.info.signature_algorithm
                    )
                })
                .collect();
            if weak.is_empty() {
                format!(
                    "a signature algorithm in the path is not accepted by a modern client ({e:?})"
                )
            } else {
                format!(
                    "a modern client does not accept the signature algorithm: {}",
                    weak.join("; ")
                )
            }
        }
        TrustReason::BadSignature => {
            "a signature in the chain does not verify with its issuer's key".to_string()
        }
        TrustReason::NotServerAuth => {
            "the leaf's extended key usage does not allow server authentication".to_string()
        }
        TrustReason::Revoked => "the certificate is revoked".to_string(),
        _ => format!("the chain does not validate: {e:?}"),
    };
    (reason, msg)
}

fn searched(stores: &[Store<'_>]) -> String {
    let names: Vec<&str> = stores
        .iter()
        .filter(|s| !s.anchors.is_empty())
        .map(|s| s.kind.as_str())
        .collect();
    names.join(", ")
}

/// Follows issuer names from the leaf through the certificates the server
/// sent (in any order), and returns the last one reached. Bounded by the
/// chain length, so a loop of names cannot spin.
fn top_of_sent_path(facts: &[CertFacts]) -> &CertFacts {
    let mut top = &facts[0];
    for _ in 0..facts.len() {
        if top.self_issued() {
            break;
        }
        match facts
            .iter()
            .find(|c| !std::ptr::eq(*c, top) && c.subject_raw == top.issuer_raw)
        {
            Some(next) => top = next,
            None => break,
        }
    }
    top
}

/// Does a store hold a root with this subject? Trust anchors keep the Name
/// without its SEQUENCE header; certificates keep it with.
fn is_anchor_subject(name_der: &[u8], stores: &[Store<'_>]) -> bool {
    let contents = der_contents(name_der);
    stores.iter().any(|s| {
        s.anchors.iter().any(|a| {
            let subj: &[u8] = a.subject.as_ref();
            subj == name_der || Some(subj) == contents
        })
    })
}

/// The contents of a DER TLV (tag, length, value): the value, or `None`
/// when the length does not fit the input.
fn der_contents(tlv: &[u8]) -> Option<&[u8]> {
    let first_len = *tlv.get(1)?;
    let (len, header) = if first_len < 0x80 {
        (usize::from(first_len), 2)
    } else {
        let n = usize::from(first_len & 0x7f);
        if n == 0 || n > 4 {
            return None;
        }
        let bytes = tlv.get(2..2 + n)?;
        let len = bytes
            .iter()
            .fold(0usize, |acc, b| (acc << 8) | usize::from(*b));
        (len, 2 + n)
    };
    tlv.get(header..header.checked_add(len)?)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn der_contents_is_bounded() {
        assert_eq!(der_contents(&[0x30, 0x02, 1, 2]), Some(&[1u8, 2][..]));
        assert_eq!(der_contents(&[0x30, 0x81, 0x01, 9]), Some(&[9u8][..]));
        assert_eq!(der_contents(&[0x30, 0x05, 1]), None);
        assert_eq!(der_contents(&[0x30]), None);
        assert_eq!(der_contents(&[0x30, 0x88, 1, 1, 1, 1, 1, 1, 1, 1]), None);
    }

    #[test]
    fn empty_chain_gives_no_facts() {
        let stores = TrustStores::default();
        let reference = ReferenceId::Dns("mail.example.com".into());
        let c = analyse(Inputs {
            chain: &[],
            observed: &[],
            reference: &reference,
            stores: &stores,
            request_anchors: &[],
            ocsp_stapled: None,
            ocsp_response: None,
            now: OffsetDateTime::UNIX_EPOCH,
        });
        assert!(c.chain.is_empty());
        assert_eq!(c.trusted, None);
    }

    use rcgen::{BasicConstraints, CertificateParams, DnType, IsCa, Issuer, KeyPair};

    fn now() -> OffsetDateTime {
        time::macros::datetime!(2026-06-01 00:00 UTC)
    }

    /// A root and a leaf it signed for `sans` (CN `cn`).
    fn root_and_leaf(sans: &[&str], cn: &str) -> (Vec<u8>, Vec<u8>) {
        let mut rp = CertificateParams::new(Vec::<String>::new()).unwrap();
        rp.distinguished_name.push(DnType::CommonName, "unit root");
        rp.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
        let rk = KeyPair::generate().unwrap();
        let root = rp.self_signed(&rk).unwrap();
        let issuer = Issuer::new(rp, rk);
        let mut lp =
            CertificateParams::new(sans.iter().map(|s| s.to_string()).collect::<Vec<_>>()).unwrap();
        lp.distinguished_name.push(DnType::CommonName, cn);
        let leaf = lp
            .signed_by(&KeyPair::generate().unwrap(), &issuer)
            .unwrap();
        (root.der().to_vec(), leaf.der().to_vec())
    }

    fn run(
        chain: &[Vec<u8>],
        observed: &[ObservedChain],
        reference: &str,
        anchors: &[TrustAnchor<'static>],
    ) -> Certificate {
        let reference = ReferenceId::Dns(reference.into());
        analyse(Inputs {
            chain,
            observed,
            reference: &reference,
            stores: &TrustStores::default(),
            request_anchors: anchors,
            ocsp_stapled: Some(false),
            ocsp_response: None,
            now: now(),
        })
    }

    fn anchor(der: &[u8]) -> TrustAnchor<'static> {
        webpki::anchor_from_trusted_cert(&der.to_vec().into())
            .unwrap()
            .to_owned()
    }

    #[test]
    fn wildcard_san_matches_and_request_store_trusts() {
        let (root, leaf) = root_and_leaf(&["*.example.com"], "ignored");
        let c = run(
            std::slice::from_ref(&leaf),
            &[],
            "imap.example.com",
            &[anchor(&root)],
        );
        assert_eq!(c.trusted, Some(true), "{c:?}");
        assert_eq!(c.trust_store.as_deref(), Some("request"));
        assert_eq!(c.name_matched_by.as_deref(), Some("*.example.com"));
        assert_eq!(c.cn_fallback_used, Some(false));
        assert_eq!(c.root_sent, Some(false));
        let c = run(&[leaf], &[], "a.b.example.com", &[anchor(&root)]);
        assert_eq!(c.trusted, Some(false));
        assert_eq!(c.trust_reason.as_deref(), Some("name_mismatch"));
        assert_eq!(c.trust_store.as_deref(), Some("request"));
    }

    #[test]
    fn cn_only_certificate_uses_the_fallback_and_says_so() {
        let (root, leaf) = root_and_leaf(&[], "mail.example.com");
        let c = run(&[leaf], &[], "mail.example.com", &[anchor(&root)]);
        assert_eq!(c.name_match, Some(true));
        assert_eq!(c.cn_fallback_used, Some(true));
        assert!(c.issues.contains(&"cn-fallback".to_string()), "{c:?}");
        assert!(c.chain[0].sans.is_empty());
    }

    #[test]
    fn unknown_root_sent_along_is_unknown_issuer_not_incomplete() {
        let (root, leaf) = root_and_leaf(&["mail.example.com"], "x");
        let c = run(&[leaf, root], &[], "mail.example.com", &[]);
        assert_eq!(c.trusted, Some(false));
        assert_eq!(c.trust_reason.as_deref(), Some("unknown_issuer"), "{c:?}");
        assert_eq!(c.root_sent, Some(true));
        assert!(c.trust_error.unwrap().contains("CN=unit root"));
    }

    #[test]
    fn different_chains_on_different_paths_are_a_fact() {
        let (_, leaf_a) = root_and_leaf(&["mail.example.com"], "a");
        let (_, leaf_b) = root_and_leaf(&["mail.example.com"], "b");
        let observed = [
            ObservedChain {
                path: "tls13".into(),
                der: vec![leaf_a.clone()],
            },
            ObservedChain {
                path: "scanner".into(),
                der: vec![leaf_b],
            },
        ];
        let c = run(
            std::slice::from_ref(&leaf_a),
            &observed,
            "mail.example.com",
            &[],
        );
        assert_eq!(c.chains_differ, Some(true));
        assert!(c.issues.contains(&"chain-differs-by-path".to_string()));
        assert_eq!(c.paths.len(), 2);
        assert_eq!(c.paths[1].path, "scanner");
        let same = [observed[0].clone(), observed[0].clone()];
        let c = run(&[leaf_a], &same, "mail.example.com", &[]);
        assert_eq!(c.chains_differ, Some(false));
    }

    #[test]
    fn a_tampered_signature_is_a_bad_signature() {
        let (root, mut leaf) = root_and_leaf(&["mail.example.com"], "x");
        // The last byte belongs to the ECDSA signature's `s`: still DER, no
        // longer a valid signature.
        if let Some(last) = leaf.last_mut() {
            *last ^= 0x01;
        }
        let c = run(&[leaf], &[], "mail.example.com", &[anchor(&root)]);
        assert_eq!(c.trusted, Some(false));
        assert_eq!(c.trust_reason.as_deref(), Some("bad_signature"), "{c:?}");
    }

    #[test]
    fn a_client_auth_only_leaf_is_not_for_servers() {
        let mut rp = CertificateParams::new(Vec::<String>::new()).unwrap();
        rp.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
        let rk = KeyPair::generate().unwrap();
        let root = rp.self_signed(&rk).unwrap().der().to_vec();
        let issuer = Issuer::new(rp, rk);
        let mut lp = CertificateParams::new(vec!["mail.example.com".to_string()]).unwrap();
        lp.extended_key_usages = vec![rcgen::ExtendedKeyUsagePurpose::ClientAuth];
        let leaf = lp
            .signed_by(&KeyPair::generate().unwrap(), &issuer)
            .unwrap()
            .der()
            .to_vec();
        let c = run(&[leaf], &[], "mail.example.com", &[anchor(&root)]);
        assert_eq!(c.trust_reason.as_deref(), Some("not_server_auth"), "{c:?}");
        assert_eq!(c.chain[0].server_auth_eku, Some(false));
        assert!(c.issues.contains(&"no-server-auth-eku".to_string()));
    }

    #[test]
    fn overlong_chains_are_cut() {
        let (_, leaf) = root_and_leaf(&["mail.example.com"], "x");
        let chain = vec![leaf; MAX_CHAIN + 5];
        let c = run(&chain, &[], "mail.example.com", &[]);
        assert_eq!(c.chain.len(), MAX_CHAIN);
        assert!(c.issues.contains(&"chain-truncated".to_string()));
        assert_eq!(c.chain_in_order, Some(false));
    }

    #[test]
    fn garbage_leaf_is_reported_not_trusted() {
        let stores = TrustStores::default();
        let reference = ReferenceId::Dns("mail.example.com".into());
        let c = analyse(Inputs {
            chain: &[vec![0x30, 0x03, 1, 2, 3]],
            observed: &[],
            reference: &reference,
            stores: &stores,
            request_anchors: &[],
            ocsp_stapled: None,
            ocsp_response: None,
            now: OffsetDateTime::UNIX_EPOCH,
        });
        assert_eq!(c.trusted, Some(false));
        assert_eq!(c.trust_reason.as_deref(), Some("invalid"));
        assert_eq!(c.issues, ["unparsable-certificate"]);
    }
}
