//! Unit tests of the scanner's pure parts: reading answers, offer order.

use super::*;
use crate::tls::hello::{self, MAX_SUITES_PER_HELLO};
use crate::tls::reply::{Alert, ServerHello, ServerReply};
use crate::tls::suites;

fn exchange(reply: ServerReply, ending: Ending) -> Exchange {
    Exchange {
        reply,
        ending,
        connections: 1,
        ms: 1,
    }
}

fn server_hello(legacy: u16, selected: Option<u16>, suite: u16) -> ServerReply {
    ServerReply {
        record_version: Some(0x0301),
        server_hello: Some(ServerHello {
            legacy_version: legacy,
            random: [7; 32],
            session_id: vec![],
            cipher_suite: suite,
            compression: 0,
            extensions: vec![],
            selected_version: selected,
            key_share_group: None,
            is_hello_retry_request: false,
            downgrade_sentinel: None,
            alpn: None,
            secure_renegotiation: false,
            extended_master_secret: false,
            encrypt_then_mac: false,
        }),
        ..ServerReply::default()
    }
}

fn alert(description: u8) -> ServerReply {
    ServerReply {
        record_version: Some(0x0301),
        alert: Some(Alert {
            level: 2,
            description,
            record_version: 0x0301,
        }),
        ..ServerReply::default()
    }
}

#[test]
fn exchange_style_downgrade_is_not_acceptance() {
    // Given a TLS 1.2 hello answered with a TLS 1.0 ServerHello (Exchange 2010)
    let ex = exchange(server_hello(0x0301, None, 0x0035), Ending::Complete);
    // Then TLS 1.2 is not accepted, and the answer names TLS 1.0
    assert_eq!(
        read_answer(0x0303, &ex),
        OfferOutcome::Downgraded { to: 0x0301 }
    );
    assert_eq!(
        read_answer(0x0301, &ex),
        OfferOutcome::Accepted { suite: 0x0035 }
    );
}

#[test]
fn tls13_is_read_from_supported_versions() {
    let ex = exchange(server_hello(0x0303, Some(0x0304), 0x1301), Ending::Complete);
    assert_eq!(
        read_answer(0x0304, &ex),
        OfferOutcome::Accepted { suite: 0x1301 }
    );
    // A TLS 1.2 ServerHello to a TLS 1.3 offer: the server's max is 1.2.
    let ex = exchange(server_hello(0x0303, None, 0xC02F), Ending::Complete);
    assert_eq!(
        read_answer(0x0304, &ex),
        OfferOutcome::Downgraded { to: 0x0303 }
    );
}

#[test]
fn refusals_alert_close_and_reset_are_refusals() {
    assert_eq!(
        read_answer(0x0303, &exchange(alert(70), Ending::Complete)),
        OfferOutcome::VersionRefused
    );
    assert_eq!(
        read_answer(0x0303, &exchange(alert(40), Ending::Complete)),
        OfferOutcome::Refused {
            alert: Some("handshake_failure")
        }
    );
    assert_eq!(
        read_answer(0x0303, &exchange(ServerReply::default(), Ending::Closed)),
        OfferOutcome::Refused { alert: None }
    );
    assert_eq!(
        read_answer(0x0303, &exchange(ServerReply::default(), Ending::Reset)),
        OfferOutcome::Refused { alert: None }
    );
    assert!(matches!(
        read_answer(0x0303, &exchange(ServerReply::default(), Ending::TimedOut)),
        OfferOutcome::Unreadable { .. }
    ));
}

#[test]
fn offer_order_keeps_every_offerable_suite_and_puts_common_ones_first() {
    for v in [
        TlsVersion::Ssl3,
        TlsVersion::Tls10,
        TlsVersion::Tls12,
        TlsVersion::Tls13,
    ] {
        let order = offer_order(v);
        let mut a = order.clone();
        a.sort_unstable();
        let mut b = suites::offerable_for(v);
        b.sort_unstable();
        assert_eq!(a, b, "{v}");
    }
    let first = hello::split_suites(&offer_order(TlsVersion::Tls12), MAX_SUITES_PER_HELLO)
        .into_iter()
        .next()
        .unwrap();
    for common in [
        0xC02F, 0xC030, 0xCCA8, 0x009C, 0x0035, 0x002F, 0xC013, 0x000A, 0x0005,
    ] {
        assert!(
            first.contains(&common),
            "0x{common:04X} not in the first bundle"
        );
    }
}

#[test]
fn busy_banners_are_recognised() {
    assert!(oneshot::is_busy_banner("* BYE Too many connections"));
    assert!(oneshot::is_busy_banner("421 4.7.0 Too many connections"));
    assert!(oneshot::is_busy_banner("-ERR [SYS/TEMP] busy"));
    assert!(!oneshot::is_busy_banner("* OK ready"));
}

#[test]
fn trial_outcome_names_the_negotiation_or_the_refusal() {
    let ok = Ok(exchange(
        server_hello(0x0301, None, 0x0035),
        Ending::Complete,
    ));
    assert_eq!(
        trial_outcome(&ok),
        crate::observations::TrialOutcome::Negotiated {
            version: TlsVersion::Tls10,
            suite: 0x0035
        }
    );
    let refused = Ok(exchange(alert(70), Ending::Complete));
    assert_eq!(
        trial_outcome(&refused),
        crate::observations::TrialOutcome::Refused {
            alert: Some("protocol_version".into())
        }
    );
    let silent = Ok(exchange(ServerReply::default(), Ending::Closed));
    assert_eq!(
        trial_outcome(&silent),
        crate::observations::TrialOutcome::Refused { alert: None }
    );
}
