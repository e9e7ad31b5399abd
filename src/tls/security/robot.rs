//! ROBOT (Return Of Bleichenbacher's Oracle Threat, CVE-2017-13099 and
//! vendor CVEs): does the server answer RSA key exchanges with broken
//! PKCS#1 v1.5 padding differently from a well-formed one? As sslyze's
//! `_robot_tester.py` does it: five ClientKeyExchange payloads (one well
//! formed, four broken in known ways), each on its own connection, in two
//! rounds: with ChangeCipherSpec and Finished after the key exchange, then
//! the key exchange alone (then `close_notify`, so a server that waits for
//! the rest answers at once instead of after a timer). Only where the scan
//! found static RSA suites. An oracle answers the same payload the same way
//! every time; a server under load sometimes does not (real Dovecot 2.3 now
//! and then lets one key exchange alone go unanswered for the whole wait,
//! a different payload each time), so an answer unlike the rest of its
//! round is asked once more, on a connection of its own, and the second
//! answer stands (as sslyze repeats a test whose answers are
//! inconsistent). Ten connections, plus one per answer asked again.

use std::time::Duration;

use futures_util::future::join_all;
use openssl::bn::{BigNum, BigNumContext};
use openssl::x509::X509;
use ring::rand::{SecureRandom, SystemRandom};

use super::target::{CheckTarget, Outcome};
use super::wire::{send_and_read, to_server_hello_done};
use super::{Answer, CheckStatus, Seen};
use crate::tls::hello::ClientHelloSpec;
use crate::tls::hello::records::content_type;
use crate::tls::suites::{self, KeyExchange};
use crate::vocab::{Deadline, TlsVersion};

/// How long one oracle query waits for the server's verdict.
const ANSWER_WAIT: Duration = Duration::from_secs(3);

/// The five payloads, as sslyze names them.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Payload {
    /// `00 02 PS 00 <version> <46 bytes>`: well formed.
    Valid,
    /// `41 17 ...`: wrong first two bytes.
    WrongFirstBytes,
    /// The `00` separator early, so the secret is too long.
    ZeroEarly,
    /// No `00` separator at all.
    NoZero,
    /// Well formed, but the secret's version is `02 02`.
    WrongVersion,
}

pub const PAYLOADS: [Payload; 5] = [
    Payload::Valid,
    Payload::WrongFirstBytes,
    Payload::ZeroEarly,
    Payload::NoZero,
    Payload::WrongVersion,
];

/// The highest version up to TLS 1.2 with static RSA suites, and those suites.
fn rsa_suites(target: &CheckTarget) -> Option<(TlsVersion, Vec<u16>)> {
    let mut accepted = target.accepted();
    accepted.retain(|v| *v >= TlsVersion::Tls10 && *v <= TlsVersion::Tls12);
    accepted.into_iter().rev().find_map(|v| {
        let rsa: Vec<u16> = target
            .suites_at(v)
            .into_iter()
            .filter(|c| suites::lookup(*c).is_some_and(|s| s.kx == KeyExchange::Rsa && !s.export))
            .collect();
        (!rsa.is_empty()).then_some((v, rsa))
    })
}

/// The padded block (`k` bytes) for a payload.
pub fn padded(payload: Payload, k: usize, version: u16, rng: &dyn SecureRandom) -> Option<Vec<u8>> {
    if k < 64 {
        return None;
    }
    let mut block = vec![0u8; k];
    rng.fill(&mut block).ok()?;
    // Padding bytes must be non-zero.
    for b in block.iter_mut() {
        if *b == 0 {
            *b = 0x55;
        }
    }
    let secret_at = k - 48;
    block[0] = 0;
    block[1] = 2;
    block[secret_at - 1] = 0;
    let [vh, vl] = version.to_be_bytes();
    block[secret_at] = vh;
    block[secret_at + 1] = vl;
    match payload {
        Payload::Valid => {}
        Payload::WrongFirstBytes => {
            block[0] = 0x41;
            block[1] = 0x17;
        }
        Payload::ZeroEarly => {
            block[secret_at - 1] = 0x55;
            block[11] = 0;
        }
        Payload::NoZero => block[secret_at - 1] = 0x55,
        Payload::WrongVersion => {
            block[secret_at] = 2;
            block[secret_at + 1] = 2;
        }
    }
    Some(block)
}

/// `block^e mod n`, `k` bytes big-endian.
fn encrypt(block: &[u8], n: &BigNum, e: &BigNum, k: usize) -> Option<Vec<u8>> {
    let m = BigNum::from_slice(block).ok()?;
    let mut c = BigNum::new().ok()?;
    let mut ctx = BigNumContext::new().ok()?;
    c.mod_exp(&m, e, n, &mut ctx).ok()?;
    c.to_vec_padded(k as i32).ok()
}

/// ClientKeyExchange (and, in the first round, ChangeCipherSpec and a
/// Finished the server cannot decrypt) for one payload.
fn records(version: u16, ciphertext: &[u8], with_finished: bool) -> Vec<u8> {
    let [vh, vl] = version.to_be_bytes();
    let body_len = ciphertext.len() + 2;
    let mut hs = vec![16, 0, (body_len >> 8) as u8, body_len as u8];
    hs.extend((ciphertext.len() as u16).to_be_bytes());
    hs.extend_from_slice(ciphertext);
    let mut out = vec![content_type::HANDSHAKE, vh, vl];
    out.extend((hs.len() as u16).to_be_bytes());
    out.extend(hs);
    if with_finished {
        out.extend(crate::tls::hello::records::change_cipher_spec(version));
        out.extend([content_type::HANDSHAKE, vh, vl, 0, 40]);
        out.extend([0x42u8; 40]);
    } else {
        // A correct server waits for ChangeCipherSpec here; close_notify
        // ends the wait in one round trip, and whatever it says about the
        // key exchange itself comes first (records keep their order).
        out.extend(crate::tls::hello::records::close_notify(version));
    }
    out
}

/// One oracle query on its own connection.
async fn query(
    target: &CheckTarget,
    spec: &ClientHelloSpec,
    payload: Payload,
    with_finished: bool,
    deadline: Deadline,
) -> (Result<Answer, String>, u32) {
    let mut connections = 0;
    let mut mid = match to_server_hello_done(target, spec, deadline, &mut connections).await {
        Ok(m) => m,
        Err(why) => return (Err(why), connections),
    };
    let Some(leaf) = mid.certificates.first() else {
        return (Err("no certificate in clear".into()), connections);
    };
    let key = X509::from_der(leaf)
        .and_then(|c| c.public_key())
        .and_then(|k| k.rsa());
    let Ok(rsa) = key else {
        return (Err("the certificate has no RSA key".into()), connections);
    };
    let (Ok(n), Ok(e)) = (rsa.n().to_owned(), rsa.e().to_owned()) else {
        return (Err("unreadable RSA key".into()), connections);
    };
    let k = n.num_bytes() as usize;
    let version = mid.hello.negotiated_version();
    let rng = SystemRandom::new();
    let Some(ciphertext) = padded(payload, k, version, &rng).and_then(|b| encrypt(&b, &n, &e, k))
    else {
        return (Err("could not build the key exchange".into()), connections);
    };
    let bytes = records(version, &ciphertext, with_finished);
    let (answer, _) = send_and_read(&mut mid.stream, &bytes, deadline.within(ANSWER_WAIT)).await;
    (Ok(answer), connections)
}

/// Two rounds of the five payloads; `Seen::Robot` with both rounds' answers.
pub async fn robot(target: &CheckTarget, deadline: Deadline) -> Outcome {
    let Some((v, rsa)) = rsa_suites(target) else {
        return (
            CheckStatus::NotApplicable("no static RSA key exchange accepted".into()),
            None,
            0,
        );
    };
    let spec = ClientHelloSpec::for_version(v.wire(), rsa, target.sni.clone());
    let mut connections = 0;
    let mut rounds: Vec<Vec<Answer>> = Vec::new();
    let mut asked_again = Vec::new();
    for with_finished in [true, false] {
        let queries = PAYLOADS
            .iter()
            .map(|p| query(target, &spec, *p, with_finished, deadline));
        let mut answers = Vec::new();
        for (result, n) in join_all(queries).await {
            connections += n;
            match result {
                Ok(a) => answers.push(a),
                Err(why) => return (CheckStatus::Failed(why), None, connections),
            }
        }
        let odd = unlike_the_rest(&answers);
        let again = odd
            .iter()
            .filter_map(|i| PAYLOADS.get(*i))
            .map(|p| query(target, &spec, *p, with_finished, deadline));
        for (i, (result, n)) in odd.iter().copied().zip(join_all(again).await) {
            connections += n;
            if let (Ok(second), Some(first)) = (result, answers.get_mut(i)) {
                asked_again.push((with_finished, i, std::mem::replace(first, second)));
            }
        }
        rounds.push(answers);
    }
    let kex_only = rounds.pop().unwrap_or_default();
    let full = rounds.pop().unwrap_or_default();
    (
        CheckStatus::Done,
        Some(Seen::Robot {
            version: v.wire(),
            full,
            kex_only,
            asked_again,
        }),
        connections,
    )
}

/// The positions of the answers unlike the most common one of the round
/// (none when no answer is the most common alone).
fn unlike_the_rest(answers: &[Answer]) -> Vec<usize> {
    let count = |a: &Answer| answers.iter().filter(|x| *x == a).count();
    let Some(usual) = answers.iter().max_by_key(|a| count(a)) else {
        return Vec::new();
    };
    let most = count(usual);
    if answers.iter().any(|a| a != usual && count(a) == most) {
        return Vec::new();
    }
    (0..answers.len())
        .filter(|i| answers.get(*i) != Some(usual))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_answers_unlike_a_clear_majority_are_asked_again() {
        let closed = Answer::Closed;
        let alert = |d| Answer::Alert { description: d };
        let round = [
            closed.clone(),
            Answer::Silent,
            closed.clone(),
            closed.clone(),
            closed.clone(),
        ];
        assert_eq!(unlike_the_rest(&round), vec![1]);
        let oracle = [alert(20), alert(40), alert(40), alert(40), alert(40)];
        assert_eq!(unlike_the_rest(&oracle), vec![0]);
        // Two and two and one: no answer is the usual one.
        let split = [alert(20), alert(20), alert(40), alert(40), closed.clone()];
        assert!(unlike_the_rest(&split).is_empty());
        assert!(unlike_the_rest(&vec![closed; 5]).is_empty());
    }
}
