//! Profiles held field by field against wire captures of the real clients:
//! testssl.sh's `client-simulation.txt` (Debian package `testssl.sh`, GPL-2),
//! read from the installed package at test time and never copied here. The
//! capture is parsed on its own (hex ClientHello bytes), independently of the
//! profile data. Without the package the test says `skipped` and why.

use super::profiles;
use crate::vocab::TlsVersion;

const CAPTURES: &str = "/etc/testssl/client-simulation.txt";

/// One captured ClientHello, as the wire has it.
#[derive(Debug, Default)]
struct Hello {
    versions: Vec<TlsVersion>,
    suites: Vec<u16>,
    groups: Vec<u16>,
    sigalgs: Vec<u16>,
}

fn u16s(b: &[u8]) -> Vec<u16> {
    b.chunks_exact(2)
        .map(|c| u16::from_be_bytes([c[0], c[1]]))
        .collect()
}

fn version(wire: u16) -> Option<TlsVersion> {
    TlsVersion::ALL.iter().copied().find(|v| v.wire() == wire)
}

/// Parses a record holding a ClientHello (no GREASE in these captures).
fn parse(hex: &str, lowest: u16, highest: u16) -> Option<Hello> {
    let bytes: Vec<u8> = (0..hex.len())
        .step_by(2)
        .map(|i| u8::from_str_radix(hex.get(i..i + 2)?, 16).ok())
        .collect::<Option<_>>()?;
    let mut r = bytes.get(5 + 4 + 2 + 32..)?; // record + handshake headers, version, random
    let take = |r: &mut &[u8], n: usize| -> Option<Vec<u8>> {
        let (a, b) = (r.get(..n)?, r.get(n..)?);
        let out = a.to_vec();
        *r = b;
        Some(out)
    };
    let sid = take(&mut r, 1)?[0] as usize;
    take(&mut r, sid)?;
    let n = u16::from_be_bytes(take(&mut r, 2)?.try_into().ok()?) as usize;
    let suites = u16s(&take(&mut r, n)?);
    let c = take(&mut r, 1)?[0] as usize;
    take(&mut r, c)?;
    let n = u16::from_be_bytes(take(&mut r, 2)?.try_into().ok()?) as usize;
    let mut ext = &take(&mut r, n)?[..];
    let mut h = Hello {
        suites,
        ..Default::default()
    };
    while !ext.is_empty() {
        let t = u16::from_be_bytes(take(&mut ext, 2)?.try_into().ok()?);
        let n = u16::from_be_bytes(take(&mut ext, 2)?.try_into().ok()?) as usize;
        let body = take(&mut ext, n)?;
        match t {
            10 => h.groups = u16s(body.get(2..)?),
            13 => h.sigalgs = u16s(body.get(2..)?),
            43 => {
                h.versions = u16s(body.get(1..)?)
                    .into_iter()
                    .filter_map(version)
                    .collect()
            }
            _ => {}
        }
    }
    if h.versions.is_empty() {
        h.versions = TlsVersion::ALL
            .iter()
            .copied()
            .filter(|v| (lowest..=highest).contains(&v.wire()))
            .collect();
    }
    h.versions.sort();
    Some(h)
}

/// The capture named `name` in testssl.sh's bash arrays.
fn capture(text: &str, name: &str) -> Option<Hello> {
    let block = text.split("names+=(\"").find(|b| b.starts_with(name))?;
    let field = |key: &str| -> Option<String> {
        let at = block.find(&format!("{key}+=(\""))? + key.len() + 4;
        Some(block.get(at..)?.split('"').next()?.to_string())
    };
    let hex = |s: String| u16::from_str_radix(s.trim_start_matches("0x"), 16).ok();
    parse(
        &field("handshakebytes")?,
        hex(field("lowest_protocol")?)?,
        hex(field("highest_protocol")?)?,
    )
}

/// Which fields of which profile a capture holds: (capture name, profile id,
/// versions?, suites?, groups?, signature algorithms?).
const HELD: &[(&str, &str, bool, bool, bool, bool)] = &[
    ("Thunderbird (91.9)", "thunderbird", true, true, true, true),
    ("Apple Mail (16.0)", "apple-mail", true, true, true, true),
    ("Java 17.0.3 (OpenJDK)", "java-17", true, true, true, true),
    // imapsync's versions are the distribution's policy, not the library default.
    ("OpenSSL 3.0.3 (git)", "imapsync", false, true, true, true),
    // OpenSSL 3.5 changed only the groups (CHANGES.md).
    (
        "OpenSSL 3.0.3 (git)",
        "openssl-seclevel2",
        false,
        true,
        false,
        true,
    ),
];

#[test]
fn profiles_match_the_captured_client_hellos_field_by_field() {
    let Ok(text) = std::fs::read_to_string(CAPTURES) else {
        println!("skipped: {CAPTURES} not installed (apt-get install testssl.sh)");
        return;
    };
    for (name, id, versions, suites, groups, sigalgs) in HELD {
        let hello = capture(&text, name).unwrap_or_else(|| panic!("no capture {name}"));
        let p = profiles::by_id(id).unwrap();
        if *versions {
            let mut ours = p.offer.versions.to_vec();
            ours.sort();
            assert_eq!(ours, hello.versions, "{id} versions vs {name}");
        }
        if *suites {
            assert_eq!(p.offer.suites, &hello.suites[..], "{id} suites vs {name}");
        }
        if *groups {
            assert_eq!(p.offer.groups, &hello.groups[..], "{id} groups vs {name}");
        }
        if *sigalgs {
            assert_eq!(
                p.offer.signature_algorithms,
                &hello.sigalgs[..],
                "{id} signature_algorithms vs {name}"
            );
        }
        // The profile cites the capture it is held against.
        let cites = p
            .facts
            .iter()
            .any(|(_, s)| *s == profiles::Source::Capture(name));
        assert!(cites, "{id} does not cite the capture {name}");
    }
}

#[test]
fn the_capture_parser_reads_a_known_hello() {
    // A minimal TLS 1.2 hello: suites 0xC02F, 0x00FF; groups x25519; sigalgs 0x0401.
    let hex = "16030100410100003d03030000000000000000000000000000000000000000000000000000000000000000000004c02f00ff01000010000a00040002001d000d000400020401";
    let h = parse(hex, 0x0303, 0x0303).unwrap();
    assert_eq!(h.suites, vec![0xC02F, 0x00FF]);
    assert_eq!(h.groups, vec![0x001D]);
    assert_eq!(h.sigalgs, vec![0x0401]);
    assert_eq!(h.versions, vec![TlsVersion::Tls12]);
    // Every prefix is refused or read, never a panic.
    for n in 0..hex.len() {
        let _ = parse(hex.get(..n).unwrap_or(""), 0x0303, 0x0303);
    }
}
