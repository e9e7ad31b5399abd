//! Checks that need the server in the middle of a handshake: Heartbleed
//! and CCS injection, the way testssl.sh runs them (hand-built records
//! after the server's ServerHelloDone, no key exchange), and client
//! renegotiation, which needs a finished handshake (the legacy engine).

use std::io;

use tokio::io::{AsyncReadExt, AsyncWriteExt};

use super::target::{CheckTarget, Outcome};
use super::{Answer, CheckStatus, Seen};
use crate::net::ProbeStream;
use crate::tls::hello::{ClientHelloSpec, ext, records};
use crate::tls::legacy::{self, LegacyOffer};
use crate::tls::reply::records::RecordLog;
use crate::tls::reply::{Progress, ReplyReader, ServerHello};
use crate::tls::scan::oneshot::{HELLO_TIMEOUT, open, ske_kind};
use crate::vocab::{Deadline, Protocol, TlsVersion, Transport};

/// Heartbeat payload length claimed (as testssl.sh: 16 KiB).
const HEARTBEAT_CLAIM: u16 = 0x4000;
/// Bytes read after a probe record, at most.
const MAX_AFTER: usize = 64 * 1024;

/// A connection taken to the server's ServerHelloDone.
pub(super) struct MidHandshake {
    pub stream: ProbeStream,
    pub hello: ServerHello,
    /// The chain in clear, leaf first (empty when none was sent).
    pub certificates: Vec<Vec<u8>>,
}

/// Connects, runs the STARTTLS prelude where needed, sends `spec` and reads
/// to the ServerHelloDone. Counts one connection whenever TCP connected.
pub(super) async fn to_server_hello_done(
    target: &CheckTarget,
    spec: &ClientHelloSpec,
    deadline: Deadline,
    connections: &mut u32,
) -> Result<MidHandshake, String> {
    let endpoint = &target.endpoint;
    // Connect and prelude as the scan's hellos do (a busy server that
    // answered before is tried again after a pause).
    let (mut stream, _) = open(endpoint, deadline, connections)
        .await
        .map_err(|e| e.to_string())?;
    let bytes = spec.encode().map_err(|e| e.to_string())?;
    endpoint.connector.meter().count_handshake();
    let limit = deadline.within(HELLO_TIMEOUT);
    match limit.run(stream.write_all(&bytes)).await {
        Ok(Ok(())) => {}
        Ok(Err(e)) => return Err(format!("sending the ClientHello: {e}")),
        Err(t) => return Err(format!("sending the ClientHello {t}")),
    }
    let mut reader = ReplyReader::new(endpoint.limits).with_ske_kind(ske_kind);
    let mut buf = vec![0u8; 16 * 1024];
    loop {
        let n = match limit.run(stream.read(&mut buf)).await {
            Err(_) => return Err("no ServerHelloDone before the time limit".into()),
            Ok(Ok(0)) => return Err(refusal(reader.finish_eof())),
            Ok(Ok(n)) => n,
            Ok(Err(e)) => return Err(format!("reading the reply: {e}")),
        };
        match reader.feed(buf.get(..n).unwrap_or(&[])) {
            Ok(Progress::NeedMore) => {}
            Ok(Progress::Done(reply)) => {
                return match reply.server_hello {
                    Some(hello) if reply.server_hello_done => Ok(MidHandshake {
                        stream,
                        hello,
                        certificates: reply.certificates.unwrap_or_default(),
                    }),
                    _ => Err(refusal(reply)),
                };
            }
            Err(e) => return Err(format!("unreadable reply: {e}")),
        }
    }
}

fn refusal(reply: crate::tls::reply::ServerReply) -> String {
    match (&reply.alert, &reply.server_hello) {
        (Some(a), _) => format!("the hello was refused: alert {}", a.description_name()),
        (None, Some(_)) => "the server did not get to ServerHelloDone".into(),
        (None, None) => "the server closed the connection without a ServerHello".into(),
    }
}

/// Writes `bytes`, then reads records until the server closes, resets,
/// sends an alert, or the time limit; what came first is the answer.
pub(super) async fn send_and_read(
    stream: &mut ProbeStream,
    bytes: &[u8],
    deadline: Deadline,
) -> (Answer, RecordLog) {
    let mut log = RecordLog::default();
    let limit = deadline.within(HELLO_TIMEOUT);
    if let Ok(Err(e)) | Err(e) = limit
        .run(stream.write_all(bytes))
        .await
        .map_err(|t| io::Error::new(io::ErrorKind::TimedOut, t.to_string()))
    {
        return (io_answer(&e), log);
    }
    let mut buf = vec![0u8; 16 * 1024];
    let ending = loop {
        match limit.run(stream.read(&mut buf)).await {
            Err(_) => break Answer::Silent,
            Ok(Ok(0)) => break Answer::Closed,
            Ok(Ok(n)) => {
                log.feed(buf.get(..n).unwrap_or(&[]));
                if log.first_alert().is_some() || log.not_tls || log.bytes >= MAX_AFTER {
                    break Answer::Closed;
                }
            }
            Ok(Err(e)) => break io_answer(&e),
        }
    };
    let first = log.records.first().map(|r| match r.alert() {
        Some((_, description)) => Answer::Alert { description },
        None => Answer::Record {
            content_type: r.content_type,
            length: r.length,
        },
    });
    (first.unwrap_or(ending), log)
}

fn io_answer(e: &io::Error) -> Answer {
    match e.kind() {
        io::ErrorKind::TimedOut => Answer::Silent,
        io::ErrorKind::ConnectionReset
        | io::ErrorKind::ConnectionAborted
        | io::ErrorKind::BrokenPipe => Answer::Reset,
        _ => Answer::Closed,
    }
}

/// The hello both mid-handshake checks send: the highest version up to
/// TLS 1.2 with the suites the scan found there.
fn legacy_hello(target: &CheckTarget) -> Option<(TlsVersion, ClientHelloSpec)> {
    let v = target.highest_legacy()?;
    Some((
        v,
        ClientHelloSpec::for_version(v.wire(), target.suites_at(v), target.sni.clone()),
    ))
}

const NO_LEGACY: &str = "no version up to TLS 1.2 accepted: the check needs a handshake in clear (TLS 1.3 servers are not affected)";

/// CVE-2014-0160: a heartbeat request claiming 16 KiB with no payload,
/// sent after ServerHelloDone, then a close_notify so the answer comes in
/// one round trip. A server that returns a heartbeat record is leaking
/// memory; a correct one discards the request (RFC 6520 §4) and closes on
/// the alert. A ServerHello without the heartbeat extension ends the check
/// early (as testssl.sh does): nothing is sent.
pub async fn heartbleed(target: &CheckTarget, deadline: Deadline) -> Outcome {
    let Some((v, mut spec)) = legacy_hello(target) else {
        return (CheckStatus::NotApplicable(NO_LEGACY.into()), None, 0);
    };
    if v <= TlsVersion::Ssl3 {
        return (
            CheckStatus::NotApplicable("SSLv3 has no extensions, so no heartbeat".into()),
            None,
            0,
        );
    }
    spec.heartbeat = true;
    let mut connections = 0;
    let mut mid = match to_server_hello_done(target, &spec, deadline, &mut connections).await {
        Ok(m) => m,
        Err(why) => return (CheckStatus::Failed(why), None, connections),
    };
    let extension = mid.hello.extension(ext::HEARTBEAT).is_some();
    if !extension {
        let seen = Seen::Heartbleed {
            extension,
            answer: None,
        };
        return (CheckStatus::Done, Some(seen), connections);
    }
    let version = mid.hello.negotiated_version();
    let mut probe = records::heartbeat_request(version, HEARTBEAT_CLAIM);
    probe.extend(records::close_notify(version));
    let (answer, _) = send_and_read(&mut mid.stream, &probe, deadline).await;
    let seen = Seen::Heartbleed {
        extension,
        answer: Some(answer),
    };
    (CheckStatus::Done, Some(seen), connections)
}

/// CVE-2014-0224: two ChangeCipherSpec records right after ServerHelloDone,
/// before any key exchange. A correct server answers the first with
/// `unexpected_message` and closes; a vulnerable one takes it, switches to
/// keys derived from nothing, and fails to decrypt the second
/// (`decryption_failed` / `bad_record_mac`), as testssl.sh reads it.
pub async fn ccs_injection(target: &CheckTarget, deadline: Deadline) -> Outcome {
    let Some((_, spec)) = legacy_hello(target) else {
        return (CheckStatus::NotApplicable(NO_LEGACY.into()), None, 0);
    };
    let mut connections = 0;
    let mut mid = match to_server_hello_done(target, &spec, deadline, &mut connections).await {
        Ok(m) => m,
        Err(why) => return (CheckStatus::Failed(why), None, connections),
    };
    let version = mid.hello.negotiated_version();
    let mut probe = records::change_cipher_spec(version);
    probe.extend(records::change_cipher_spec(version));
    let (answer, _) = send_and_read(&mut mid.stream, &probe, deadline).await;
    (
        CheckStatus::Done,
        Some(Seen::CcsInjection { answer }),
        connections,
    )
}

/// A full OpenSSL handshake (TLS 1.2 at most), then a renegotiation the
/// client starts (`SSL_renegotiate`, see `tls::legacy::renegotiate`).
pub async fn client_renegotiation(target: &CheckTarget, deadline: Deadline) -> Outcome {
    let Some(v) = target.highest_legacy() else {
        return (CheckStatus::NotApplicable(NO_LEGACY.into()), None, 0);
    };
    let offer = LegacyOffer {
        max_version: Some(v),
        suites: target.suites_at(v),
    };
    let endpoint = &target.endpoint;
    let mut connections = 0;
    let stream = match open(endpoint, deadline, &mut connections).await {
        Ok((s, _)) => s,
        Err(e) => return (CheckStatus::Failed(e.to_string()), None, connections),
    };
    endpoint.connector.meter().count_handshake();
    let limit = deadline.within(HELLO_TIMEOUT);
    let mut done = match legacy::handshake(stream, target.sni.as_deref(), &offer, limit).await {
        Ok(d) => d,
        Err(e) => return (CheckStatus::Failed(e.to_string()), None, connections),
    };
    if target.transport == Transport::Implicit && target.protocol != Protocol::Tls {
        // The mail server greets first: read the greeting, or OpenSSL would
        // meet it in the middle of the renegotiation ("unexpected record").
        if let Err(why) = read_greeting(&mut done.stream, target.protocol, limit).await {
            return (CheckStatus::Failed(why), None, connections);
        }
    }
    let seen = match legacy::renegotiate::client_initiated(&mut done.stream, limit).await {
        Ok(()) => Seen::ClientRenegotiation {
            accepted: true,
            detail: "the server completed a renegotiation the client started".into(),
        },
        Err(refused) => Seen::ClientRenegotiation {
            accepted: false,
            detail: refused,
        },
    };
    (CheckStatus::Done, Some(seen), connections)
}

/// Reads a mail greeting inside TLS to its last line (SMTP: `220 `, not
/// `220-`), at most 4 KiB.
async fn read_greeting<S>(
    stream: &mut S,
    protocol: Protocol,
    deadline: Deadline,
) -> Result<(), String>
where
    S: tokio::io::AsyncRead + Unpin,
{
    let mut seen = Vec::new();
    let mut buf = [0u8; 1024];
    while seen.len() < 4096 {
        match deadline.run(stream.read(&mut buf)).await {
            Ok(Ok(n)) if n > 0 => seen.extend_from_slice(buf.get(..n).unwrap_or(&[])),
            Ok(Ok(_)) => return Err("the server closed the connection before its greeting".into()),
            Ok(Err(e)) => return Err(format!("reading the greeting: {e}")),
            Err(t) => return Err(format!("no greeting ({t})")),
        }
        let Some(body) = seen.strip_suffix(b"\n") else {
            continue;
        };
        let last = body.rsplit(|b| *b == b'\n').next().unwrap_or(body);
        if protocol != Protocol::Smtp || last.get(3) != Some(&b'-') {
            return Ok(());
        }
    }
    Err("greeting longer than 4 KiB".into())
}
