//! Which TLS engine carries the mail dialogue: the pipeline hands this
//! judgement to the dialogue ([`crate::mail::dialogue::Fallback::retry`],
//! [`crate::mail::dialogue::Fallback::hint`]), which only carries it out.

use crate::mail::dialogue::{EngineHint, ModernFailure};
use crate::tls::legacy::LegacyOffer;
use crate::tls::scan::Settled;
use crate::vocab::TlsVersion;

/// Before the dialogue's first handshake, from the wire scan's answers so
/// far: the legacy engine from the start when the server refused TLS 1.3
/// and answered TLS 1.2 with a lower version (RFC 5246 App. E.1: it speaks
/// nothing higher), so a rustls handshake could only fail; rustls when TLS
/// 1.2 or 1.3 is accepted, or cannot be known soon (an unreadable answer,
/// the scan over); `None` while the answers that decide are still out.
/// The legacy offer is the highest version found and the suite the server
/// chose there, which it accepts by its own answer.
pub fn first_engine(scan: &Settled) -> Option<EngineHint> {
    let modern = [TlsVersion::Tls13, TlsVersion::Tls12];
    if modern.iter().any(|v| scan.accepted(*v) == Some(true)) {
        return Some(EngineHint::Modern);
    }
    if let Some((version, suite)) = scan.highest_below_tls13(&TlsVersion::ALL) {
        return Some(if version < TlsVersion::Tls12 {
            EngineHint::Legacy {
                offer: LegacyOffer {
                    max_version: Some(version),
                    suites: vec![suite],
                },
                why: format!(
                    "the wire scan found TLS 1.3 refused and a TLS 1.2 hello answered with {}",
                    version.as_str()
                ),
            }
        } else {
            EngineHint::Modern
        });
    }
    // (`unknown` may also name a version settled before; the settlement stands.)
    let unreadable = modern
        .iter()
        .any(|v| scan.accepted(*v).is_none() && scan.unknown.contains(v));
    (scan.done || unreadable).then_some(EngineHint::Modern)
}

/// After the modern (rustls) handshake failed: a second pass over the
/// legacy (OpenSSL) engine, unless the server did not speak TLS at all
/// (plaintext, or SSL 2.0, which the legacy engine lacks too) — it would
/// fare no better.
pub fn legacy_may_help(failure: &ModernFailure) -> bool {
    !failure.answered_without_tls
}

#[cfg(test)]
mod tests {
    use super::*;

    fn settled(versions: &[(TlsVersion, Option<u16>)]) -> Settled {
        Settled {
            versions: versions.to_vec(),
            ..Settled::default()
        }
    }

    #[test]
    fn the_legacy_engine_first_only_when_the_scan_saw_no_tls12_or_13() {
        use TlsVersion::*;
        // Exchange 2010: TLS 1.3 refused, TLS 1.2 answered with TLS 1.0.
        let tls10 = settled(&[
            (Tls13, None),
            (Tls12, None),
            (Tls11, None),
            (Tls10, Some(0xC013)),
        ]);
        match first_engine(&tls10) {
            Some(EngineHint::Legacy { offer, why }) => {
                assert_eq!(offer.max_version, Some(Tls10));
                assert_eq!(offer.suites, [0xC013]);
                assert!(why.contains("TLS 1.2 hello answered with TLSv1.0"), "{why}");
            }
            other => panic!("{other:?}"),
        }
        // TLS 1.2 or 1.3 spoken: rustls, whatever else is known.
        assert_eq!(
            first_engine(&settled(&[(Tls12, Some(0xC02F))])),
            Some(EngineHint::Modern)
        );
        assert_eq!(
            first_engine(&settled(&[(Tls13, Some(0x1301))])),
            Some(EngineHint::Modern)
        );
        // The TLS 1.3 answer still out, or TLS 1.1 not yet settled: wait.
        assert_eq!(
            first_engine(&settled(&[
                (Tls12, None),
                (Tls11, None),
                (Tls10, Some(0xC013))
            ])),
            None
        );
        assert_eq!(
            first_engine(&settled(&[
                (Tls13, None),
                (Tls12, None),
                (Tls10, Some(0xC013))
            ])),
            None
        );
        assert_eq!(first_engine(&Settled::default()), None);
        // Unreadable, or the scan over without a lower version: rustls.
        let mut unreadable = settled(&[(Tls13, None)]);
        unreadable.unknown.push(Tls12);
        assert_eq!(first_engine(&unreadable), Some(EngineHint::Modern));
        // A version settled, then marked unknown as its scan ends: settled.
        let mut ended = settled(&[(Tls13, None)]);
        ended.unknown.push(Tls13);
        assert_eq!(first_engine(&ended), None);
        let mut over = settled(&[(Tls13, None), (Tls12, None)]);
        over.done = true;
        assert_eq!(first_engine(&over), Some(EngineHint::Modern));
    }

    #[test]
    fn a_server_that_spoke_no_tls_gets_no_legacy_pass() {
        assert!(legacy_may_help(&ModernFailure {
            answered_without_tls: false
        }));
        assert!(!legacy_may_help(&ModernFailure {
            answered_without_tls: true
        }));
    }
}
