//! Micro-benchmarks of the CPU work in a probe: building a ClientHello,
//! reading a server's reply, and the diagnosis. Run with `cargo bench`
//! (not part of `.ci/run`; clippy only compiles them).
//!
//! They answer "is any of this worth moving off the async runtime?": each
//! is microseconds, against milliseconds of network per connection.

use std::hint::black_box;

use criterion::{Criterion, criterion_group, criterion_main};
use mailprobe::diagnosis::Evidence;
use mailprobe::observations::Observations;
use mailprobe::report::{
    Certificate, CertificateInfo, Protocol, Target, TlsVersion, Transport, VersionSupport,
};
use mailprobe::tls::hello::{ClientHelloSpec, FixedEntropy};
use mailprobe::tls::reply::{Progress, ReplyReader, SkeKind};

fn hello(c: &mut Criterion) {
    let suites: Vec<u16> = mailprobe::tls::suites::all()
        .iter()
        .map(|s| s.code)
        .take(120)
        .collect();
    let tls12 =
        ClientHelloSpec::for_version(0x0303, suites.clone(), Some("mail.example.com".into()));
    let tls13 = ClientHelloSpec::for_version(
        0x0304,
        vec![0x1301, 0x1302, 0x1303],
        Some("mail.example.com".into()),
    );
    let fixed = || FixedEntropy {
        random: [0x42; 32],
        key_shares: vec![(0x001D, vec![0x77; 32])],
    };
    c.bench_function("client_hello/tls12_120_suites", |b| {
        b.iter(|| black_box(&tls12).encode_with(&mut fixed()))
    });
    c.bench_function("client_hello/tls13_fixed_share", |b| {
        b.iter(|| black_box(&tls13).encode_with(&mut fixed()))
    });
    // A real x25519 key pair per hello, as the scanner sends it.
    c.bench_function("client_hello/tls13_real_x25519_share", |b| {
        b.iter(|| black_box(&tls13).encode())
    });
}

// ---- A TLS 1.2 ECDHE server flight, built by hand -------------------------

fn record(content_type: u8, version: u16, payload: &[u8]) -> Vec<u8> {
    let mut out = vec![content_type];
    out.extend_from_slice(&version.to_be_bytes());
    out.extend_from_slice(&(payload.len() as u16).to_be_bytes());
    out.extend_from_slice(payload);
    out
}

fn message(msg_type: u8, body: &[u8]) -> Vec<u8> {
    let mut out = vec![msg_type];
    out.extend_from_slice(&(body.len() as u32).to_be_bytes()[1..]);
    out.extend_from_slice(body);
    out
}

fn tls12_flight() -> Vec<u8> {
    let mut sh = 0x0303u16.to_be_bytes().to_vec();
    sh.extend_from_slice(&[0x42; 32]);
    sh.push(0);
    sh.extend_from_slice(&0xC02Fu16.to_be_bytes());
    sh.push(0);
    // renegotiation_info, extended_master_secret
    let exts = [0xFF, 0x01, 0x00, 0x01, 0x00, 0x00, 0x17, 0x00, 0x00];
    sh.extend_from_slice(&(exts.len() as u16).to_be_bytes());
    sh.extend_from_slice(&exts);
    let chain = [vec![0x30; 1400], vec![0x31; 1100]];
    let mut list = Vec::new();
    for der in &chain {
        list.extend_from_slice(&(der.len() as u32).to_be_bytes()[1..]);
        list.extend_from_slice(der);
    }
    let mut cert = (list.len() as u32).to_be_bytes()[1..].to_vec();
    cert.extend_from_slice(&list);
    let mut ske = vec![3, 0x00, 0x17, 65];
    ske.extend(std::iter::repeat_n(0x04, 65));
    ske.extend_from_slice(&[0x08, 0x04, 0x01, 0x00]);
    ske.extend(std::iter::repeat_n(0xAB, 256));
    let flight = [
        message(2, &sh),
        message(11, &cert),
        message(12, &ske),
        message(14, &[]),
    ]
    .concat();
    flight
        .chunks(16_384)
        .flat_map(|c| record(22, 0x0303, c))
        .collect()
}

fn reply(c: &mut Criterion) {
    let bytes = tls12_flight();
    let reader = || {
        ReplyReader::default().with_ske_kind(|s| match s {
            0xC000..=0xC0FF => SkeKind::Ecdhe,
            _ => SkeKind::Unknown,
        })
    };
    c.bench_function("reply_reader/tls12_flight_whole", |b| {
        b.iter(|| {
            let mut r = reader();
            matches!(r.feed(black_box(&bytes)), Ok(Progress::Done(_)))
        })
    });
    // As a socket delivers it: in 1400-byte segments.
    c.bench_function("reply_reader/tls12_flight_segmented", |b| {
        b.iter(|| {
            let mut r = reader();
            let mut done = false;
            for seg in bytes.chunks(1400) {
                if let Ok(Progress::Done(_)) = r.feed(black_box(seg)) {
                    done = true;
                    break;
                }
            }
            done
        })
    });
}

// ---- The diagnosis on the seed case and on a modern server ----------------

fn observations(accepted: &[(TlsVersion, &[u16])], greeting: &str) -> Evidence {
    let mut o: Evidence = Observations::new(
        Target {
            host: "mail.example.com".into(),
            port: 993,
            protocol: Protocol::Imap,
            transport: Transport::Implicit,
            addresses: vec!["192.0.2.10".into()],
            sni: Some("mail.example.com".into()),
        },
        time::OffsetDateTime::UNIX_EPOCH,
    )
    .into();
    o.connect.ok = true;
    o.mail.greeting = Some(greeting.into());
    o.tls.versions = TlsVersion::ALL
        .iter()
        .map(|v| {
            let suites = accepted.iter().find(|(a, _)| a == v).map(|(_, s)| *s);
            VersionSupport {
                version: *v,
                offered: Some(suites.is_some()),
                suites: suites
                    .unwrap_or(&[])
                    .iter()
                    .map(|c| mailprobe::tls::suite_info(*c))
                    .collect(),
                server_preference: Some(true),
            }
        })
        .collect();
    o.tls.server_preference = Some(true);
    o.tls.groups = vec!["x25519".into(), "secp256r1".into()];
    o.certificate = Some(Certificate {
        chain: vec![CertificateInfo {
            subject: "CN=mail.example.com".into(),
            sans: vec!["mail.example.com".into()],
            issuer: "CN=Example CA".into(),
            serial: "01".into(),
            not_before: "2026-01-01T00:00:00Z".into(),
            not_after: "2027-01-01T00:00:00Z".into(),
            days_left: 400,
            key_type: "RSA".into(),
            key_bits: Some(2048),
            curve: None,
            signature_algorithm: "sha256WithRSAEncryption".into(),
            self_signed: false,
            is_ca: false,
            server_auth_eku: Some(true),
            sha256: "00".into(),
        }],
        trusted: Some(true),
        name_match: Some(true),
        expired: Some(false),
        days_left: Some(400),
        self_signed: Some(false),
        ..Default::default()
    });
    o
}

fn diagnosis(c: &mut Criterion) {
    let exchange = observations(
        &[(
            TlsVersion::Tls10,
            &[0x0035, 0x002F, 0x000A, 0x0005, 0x0004, 0xC014, 0xC013],
        )],
        "* OK The Microsoft Exchange IMAP4 service is ready.",
    );
    let modern = observations(
        &[
            (TlsVersion::Tls12, &[0xC030, 0xC02F, 0xCCA8]),
            (TlsVersion::Tls13, &[0x1302, 0x1301, 0x1303]),
        ],
        "* OK [CAPABILITY IMAP4rev1 AUTH=PLAIN] Dovecot ready.",
    );
    c.bench_function("diagnosis/exchange2010_report", |b| {
        b.iter(|| mailprobe::diagnosis::report(black_box(exchange.clone()), None))
    });
    c.bench_function("diagnosis/modern_report", |b| {
        b.iter(|| mailprobe::diagnosis::report(black_box(modern.clone()), None))
    });
    c.bench_function("diagnosis/modern_report_to_json", |b| {
        let report = mailprobe::diagnosis::report(modern.clone(), None);
        b.iter(|| serde_json::to_vec(black_box(&report)).map(|v| v.len()))
    });
}

criterion_group!(benches, hello, reply, diagnosis);
criterion_main!(benches);
