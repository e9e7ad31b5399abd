use super::super::hello::{ext, groups};
use super::key_exchange::bit_len;
use super::*;

// ---- Building server flights by hand ---------------------------------

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

fn extension(ext_type: u16, data: &[u8]) -> Vec<u8> {
    let mut out = ext_type.to_be_bytes().to_vec();
    out.extend_from_slice(&(data.len() as u16).to_be_bytes());
    out.extend_from_slice(data);
    out
}

fn server_hello(version: u16, random: [u8; 32], suite: u16, exts: Option<&[Vec<u8>]>) -> Vec<u8> {
    let mut body = version.to_be_bytes().to_vec();
    body.extend_from_slice(&random);
    body.push(4);
    body.extend_from_slice(&[9, 9, 9, 9]);
    body.extend_from_slice(&suite.to_be_bytes());
    body.push(0);
    if let Some(exts) = exts {
        let block = exts.concat();
        body.extend_from_slice(&(block.len() as u16).to_be_bytes());
        body.extend_from_slice(&block);
    }
    message(2, &body)
}

fn certificate(chain: &[Vec<u8>]) -> Vec<u8> {
    let mut list = Vec::new();
    for der in chain {
        list.extend_from_slice(&(der.len() as u32).to_be_bytes()[1..]);
        list.extend_from_slice(der);
    }
    let mut body = (list.len() as u32).to_be_bytes()[1..].to_vec();
    body.extend_from_slice(&list);
    message(11, &body)
}

fn ske_ecdhe(curve: u16, point_len: usize, tls12: bool) -> Vec<u8> {
    let mut body = vec![3];
    body.extend_from_slice(&curve.to_be_bytes());
    body.push(point_len as u8);
    body.extend(std::iter::repeat_n(0x04, point_len));
    if tls12 {
        body.extend_from_slice(&0x0804u16.to_be_bytes());
    }
    body.extend_from_slice(&[0, 3, 0xAB, 0xCD, 0xEF]);
    message(12, &body)
}

fn ske_dhe(prime_len: usize, tls12: bool) -> Vec<u8> {
    let mut body = Vec::new();
    for field in [vec![0xFF; prime_len], vec![2], vec![0x33; prime_len]] {
        body.extend_from_slice(&(field.len() as u16).to_be_bytes());
        body.extend_from_slice(&field);
    }
    if tls12 {
        body.extend_from_slice(&0x0401u16.to_be_bytes());
    }
    body.extend_from_slice(&[0, 2, 0xAB, 0xCD]);
    message(12, &body)
}

fn done() -> Vec<u8> {
    message(14, &[])
}

fn chain() -> Vec<Vec<u8>> {
    vec![vec![0x30; 700], vec![0x31; 500]]
}

/// A TLS 1.2 ECDHE flight: ServerHello, Certificate, ServerKeyExchange,
/// ServerHelloDone as a list of handshake messages.
fn tls12_flight() -> Vec<Vec<u8>> {
    let exts = [
        extension(ext::RENEGOTIATION_INFO, &[0]),
        extension(ext::EXTENDED_MASTER_SECRET, &[]),
        extension(ext::ALPN, &[0, 5, 4, b'i', b'm', b'a', b'p']),
    ];
    vec![
        server_hello(0x0303, [0x42; 32], 0xC02F, Some(&exts)),
        certificate(&chain()),
        ske_ecdhe(groups::SECP256R1, 65, true),
        done(),
    ]
}

fn tls13_server_hello(random: [u8; 32], key_share: &[u8]) -> Vec<u8> {
    let exts = [
        extension(ext::SUPPORTED_VERSIONS, &[0x03, 0x04]),
        extension(ext::KEY_SHARE, key_share),
    ];
    server_hello(0x0303, random, 0x1301, Some(&exts))
}

fn x25519_share() -> Vec<u8> {
    let mut share = vec![0x00, 0x1D, 0x00, 0x20];
    share.extend_from_slice(&[0x77; 32]);
    share
}

fn done_reply(p: Result<Progress, ReplyError>) -> ServerReply {
    match p {
        Ok(Progress::Done(reply)) => reply,
        other => panic!("expected Done, got {other:?}"),
    }
}

fn ecdhe_reader() -> ReplyReader {
    ReplyReader::default().with_ske_kind(|suite| match suite {
        0xC000..=0xC0FF | 0xCCA8 | 0xCCA9 => SkeKind::Ecdhe,
        0x0033 | 0x0039 | 0x009E | 0x009F => SkeKind::Dhe,
        _ => SkeKind::Unknown,
    })
}

fn check_tls12_reply(reply: &ServerReply) {
    let sh = reply.server_hello.as_ref().unwrap();
    assert_eq!(sh.legacy_version, 0x0303);
    assert_eq!(sh.negotiated_version(), 0x0303);
    assert_eq!(sh.cipher_suite, 0xC02F);
    assert_eq!(sh.session_id, vec![9; 4]);
    assert!(sh.secure_renegotiation && sh.extended_master_secret && !sh.encrypt_then_mac);
    assert_eq!(sh.alpn.as_deref(), Some("imap"));
    assert_eq!(sh.downgrade_sentinel, None);
    assert!(!sh.is_hello_retry_request);
    assert_eq!(reply.certificates.as_ref().unwrap(), &chain());
    assert_eq!(
        reply.key_exchange,
        Some(KeyExchangeInfo::Ecdhe {
            curve_type: 3,
            named_curve: Some(groups::SECP256R1),
            public_key_len: Some(65),
            signature_scheme: Some(0x0804),
        })
    );
    assert!(reply.server_hello_done);
    assert_eq!(reply.handshake_messages, vec![2, 11, 12, 14]);
    assert_eq!(reply.record_version, Some(0x0303));
    assert_eq!(reply.outcome(), ReplyOutcome::ServerHello);
    assert!(!reply.truncated);
}

// ---- Whole flights -------------------------------------------------

#[test]
fn tls12_flight_in_one_record() {
    let bytes = record(22, 0x0303, &tls12_flight().concat());
    let reply = done_reply(ecdhe_reader().feed(&bytes));
    check_tls12_reply(&reply);
}

#[test]
fn tls12_flight_one_record_per_message() {
    let bytes: Vec<u8> = tls12_flight()
        .iter()
        .flat_map(|m| record(22, 0x0303, m))
        .collect();
    check_tls12_reply(&done_reply(ecdhe_reader().feed(&bytes)));
}

#[test]
fn every_split_point_gives_the_same_reply() {
    let bytes = record(22, 0x0303, &tls12_flight().concat());
    for cut in 0..=bytes.len() {
        let mut reader = ecdhe_reader();
        let first = reader.feed(&bytes[..cut]).unwrap();
        let reply = match first {
            Progress::Done(reply) => {
                assert_eq!(cut, bytes.len());
                reply
            }
            Progress::NeedMore => done_reply(reader.feed(&bytes[cut..])),
        };
        check_tls12_reply(&reply);
    }
}

#[test]
fn message_split_over_three_records_fed_byte_by_byte() {
    // Given a Certificate message cut across three records, between a
    // ServerHello record and a ServerKeyExchange + Done record,
    let flight = tls12_flight();
    let cert = &flight[1];
    let (a, rest) = cert.split_at(2); // inside the handshake header
    let (b, c) = rest.split_at(600); // inside the first certificate
    let mut bytes = record(22, 0x0303, &flight[0]);
    for part in [a, b, c] {
        bytes.extend(record(22, 0x0303, part));
    }
    bytes.extend(record(
        22,
        0x0303,
        &[flight[2].clone(), flight[3].clone()].concat(),
    ));

    // when it arrives one byte at a time,
    let mut reader = ecdhe_reader();
    for (i, byte) in bytes.iter().enumerate() {
        let progress = reader.feed(std::slice::from_ref(byte)).unwrap();
        if i + 1 < bytes.len() {
            // then every prefix is NeedMore, never an error,
            assert_eq!(progress, Progress::NeedMore, "prefix of {} bytes", i + 1);
        } else {
            // and the last byte completes the reply.
            check_tls12_reply(&done_reply(Ok(progress)));
        }
    }
    assert_eq!(reader.feed(&[0]), Err(ReplyError::Finished));
}

#[test]
fn every_truncation_is_need_more_and_eof_reports_truncated() {
    let bytes = record(22, 0x0303, &tls12_flight().concat());
    for len in 0..bytes.len() {
        let mut reader = ecdhe_reader();
        assert_eq!(
            reader.feed(&bytes[..len]),
            Ok(Progress::NeedMore),
            "len {len}"
        );
        let reply = reader.finish_eof();
        assert_eq!(reply.truncated, len > 0, "len {len}");
        assert!(!reply.server_hello_done);
        if len == 0 {
            assert_eq!(reply.outcome(), ReplyOutcome::ClosedSilently);
        }
    }
}

#[test]
fn stop_after_server_hello_skips_the_certificate() {
    let bytes = record(22, 0x0303, &tls12_flight().concat());
    let mut reader = ReplyReader::default().stop_after_server_hello(true);
    let reply = done_reply(reader.feed(&bytes));
    assert_eq!(reply.server_hello.unwrap().cipher_suite, 0xC02F);
    assert_eq!(reply.certificates, None);
    assert_eq!(reply.handshake_messages, vec![2]);
}

#[test]
fn exchange_2010_answers_tls12_with_tls10() {
    // Given a TLS 1.2 hello, Exchange 2010 replies with a TLS 1.0
    // ServerHello, a plain RSA suite, and no ServerKeyExchange.
    let flight = [
        server_hello(
            0x0301,
            [1; 32],
            0x002F,
            Some(&[extension(ext::RENEGOTIATION_INFO, &[0])]),
        ),
        certificate(&chain()),
        done(),
    ]
    .concat();
    let reply = done_reply(ReplyReader::default().feed(&record(22, 0x0301, &flight)));
    let sh = reply.server_hello.unwrap();
    assert_eq!(sh.negotiated_version(), 0x0301);
    assert_eq!(version_name(sh.negotiated_version()), Some("TLSv1.0"));
    assert_eq!(reply.key_exchange, None);
    assert_eq!(reply.certificates.unwrap().len(), 2);
    assert_eq!(reply.record_version, Some(0x0301));
}

#[test]
fn sslv3_server_hello_without_extensions() {
    let flight = [server_hello(0x0300, [1; 32], 0x000A, None), done()].concat();
    let reply = done_reply(ReplyReader::default().feed(&record(22, 0x0300, &flight)));
    let sh = reply.server_hello.unwrap();
    assert_eq!((sh.legacy_version, sh.extensions.len()), (0x0300, 0));
    assert!(!sh.secure_renegotiation);
}

#[test]
fn dhe_key_exchange_reports_prime_bits() {
    for (tls12, version) in [(true, 0x0303), (false, 0x0301)] {
        let flight = [
            server_hello(version, [1; 32], 0x0033, Some(&[])),
            certificate(&chain()),
            ske_dhe(128, tls12),
            done(),
        ]
        .concat();
        let bytes = record(22, version, &flight);
        for reader in [ecdhe_reader(), ReplyReader::default()] {
            let reply = done_reply({ reader }.feed(&bytes));
            let Some(KeyExchangeInfo::Dhe {
                prime_bits,
                prime,
                generator,
                public_key_len,
                signature_scheme,
            }) = reply.key_exchange
            else {
                panic!("expected DHE, got {:?}", reply.key_exchange);
            };
            assert_eq!((prime_bits, prime.len(), public_key_len), (1024, 128, 128));
            assert_eq!(generator, vec![2]);
            assert_eq!(signature_scheme, tls12.then_some(0x0401));
        }
    }
}

#[test]
fn dh_prime_bits_ignore_leading_zeros() {
    assert_eq!(bit_len(&[0, 0, 0x80, 0]), 16);
    assert_eq!(bit_len(&[0x01, 0xFF]), 9);
    assert_eq!(bit_len(&[0, 0]), 0);
    assert_eq!(bit_len(&[]), 0);
}

#[test]
fn unknown_kind_guesses_ecdhe_and_keeps_garbage_unparsed() {
    let bytes = record(22, 0x0303, &tls12_flight().concat());
    let reply = done_reply(ReplyReader::default().feed(&bytes));
    check_tls12_reply(&reply);

    let flight = [
        server_hello(0x0303, [1; 32], 0xFFFF, Some(&[])),
        message(12, &[0x99; 40]),
        done(),
    ]
    .concat();
    let reply = done_reply(ReplyReader::default().feed(&record(22, 0x0303, &flight)));
    assert_eq!(
        reply.key_exchange,
        Some(KeyExchangeInfo::Unparsed { len: 40 })
    );
}

#[test]
fn declared_kind_that_does_not_fit_is_an_error() {
    let flight = [
        server_hello(0x0303, [1; 32], 0xC02F, Some(&[])),
        message(12, &[3, 0, 23, 200, 1]),
    ]
    .concat();
    let mut reader = ecdhe_reader();
    let err = reader.feed(&record(22, 0x0303, &flight)).unwrap_err();
    assert!(
        matches!(err, ReplyError::MalformedHandshake { msg_type: 12, .. }),
        "{err:?}"
    );
    // What came before the fault is still there.
    assert!(reader.reply_so_far().server_hello.is_some());
    assert!(reader.finish_eof().server_hello.is_some());
}

#[test]
fn certificate_request_and_ocsp_staple_are_recorded() {
    let mut status = vec![1, 0, 0, 3];
    status.extend_from_slice(&[0x30, 0x01, 0x00]);
    let flight = [
        server_hello(0x0303, [1; 32], 0x002F, Some(&[])),
        certificate(&chain()),
        message(22, &status),
        message(13, &[1, 1, 0, 0]),
        done(),
    ]
    .concat();
    let reply = done_reply(ReplyReader::default().feed(&record(22, 0x0303, &flight)));
    assert!(reply.certificate_requested);
    assert_eq!(reply.ocsp_response, Some(vec![0x30, 0x01, 0x00]));
    assert_eq!(reply.handshake_messages, vec![2, 11, 22, 13, 14]);
}

// ---- TLS 1.3 ---------------------------------------------------------

#[test]
fn tls13_server_hello_is_done_at_once() {
    let mut bytes = record(22, 0x0303, &tls13_server_hello([5; 32], &x25519_share()));
    // Middlebox-compat CCS and the encrypted flight follow in the same read.
    bytes.extend(record(20, 0x0303, &[1]));
    bytes.extend(record(23, 0x0303, &[0xEE; 100]));
    let reply = done_reply(ReplyReader::default().feed(&bytes));
    let sh = reply.server_hello.as_ref().unwrap();
    assert_eq!(sh.legacy_version, 0x0303);
    assert_eq!(sh.selected_version, Some(0x0304));
    assert_eq!(sh.negotiated_version(), 0x0304);
    assert_eq!(sh.key_share_group, Some(groups::X25519));
    assert_eq!(sh.cipher_suite, 0x1301);
    assert!(sh.is_tls13() && !sh.is_hello_retry_request);
    assert!(!reply.change_cipher_spec, "stopped before the CCS");
    assert_eq!(reply.certificates, None);
}

#[test]
fn hello_retry_request_names_the_wanted_group() {
    let bytes = record(
        22,
        0x0303,
        &tls13_server_hello(
            HELLO_RETRY_REQUEST_RANDOM,
            &groups::X25519_MLKEM768.to_be_bytes(),
        ),
    );
    let reply = done_reply(ReplyReader::default().feed(&bytes));
    assert_eq!(reply.outcome(), ReplyOutcome::HelloRetryRequest);
    let sh = reply.server_hello.unwrap();
    assert!(sh.is_hello_retry_request);
    assert_eq!(sh.key_share_group, Some(0x11EC));
    assert_eq!(sh.selected_version, Some(0x0304));
}

#[test]
fn tls13_key_share_with_bad_length_is_malformed() {
    let bytes = record(
        22,
        0x0303,
        &tls13_server_hello([5; 32], &[0x00, 0x1D, 0x00, 0x20, 1]),
    );
    let err = ReplyReader::default().feed(&bytes).unwrap_err();
    assert!(matches!(
        err,
        ReplyError::MalformedHandshake { msg_type: 2, .. }
    ));
}

#[test]
fn downgrade_sentinels() {
    for (tail, want) in [
        (*b"DOWNGRD\x01", Some(Downgrade::Tls12)),
        (*b"DOWNGRD\x00", Some(Downgrade::Tls11OrBelow)),
        (*b"DOWNGRD\x02", None),
    ] {
        let mut random = [7; 32];
        random[24..].copy_from_slice(&tail);
        let bytes = record(22, 0x0303, &server_hello(0x0303, random, 0x002F, None));
        let mut reader = ReplyReader::default().stop_after_server_hello(true);
        let sh = done_reply(reader.feed(&bytes)).server_hello.unwrap();
        assert_eq!(sh.downgrade_sentinel, want);
    }
}

// ---- Alerts ------------------------------------------------------------

#[test]
fn alert_only_reply_on_any_record_version() {
    for record_version in [0x0300, 0x0301, 0x0303] {
        let bytes = record(21, record_version, &[2, 40]);
        let reply = done_reply(ReplyReader::default().feed(&bytes));
        let alert = reply.alert.unwrap();
        assert_eq!((alert.level, alert.description), (2, 40));
        assert_eq!(alert.description_name(), "handshake_failure");
        assert_eq!(alert.level_name(), "fatal");
        assert_eq!(alert.record_version, record_version);
        assert_eq!(reply.record_version, Some(record_version));
        assert_eq!(reply.outcome(), ReplyOutcome::Alert);
    }
}

#[test]
fn alert_fed_byte_by_byte() {
    let bytes = record(21, 0x0301, &[2, 70]);
    let mut reader = ReplyReader::default();
    for byte in &bytes[..bytes.len() - 1] {
        assert_eq!(
            reader.feed(std::slice::from_ref(byte)),
            Ok(Progress::NeedMore)
        );
    }
    let reply = done_reply(reader.feed(&bytes[bytes.len() - 1..]));
    assert_eq!(
        alert_name(reply.alert.unwrap().description),
        "protocol_version"
    );
}

#[test]
fn alert_split_across_records() {
    let bytes = [record(21, 0x0303, &[2]), record(21, 0x0303, &[71])].concat();
    let reply = done_reply(ReplyReader::default().feed(&bytes));
    assert_eq!(
        reply.alert.unwrap().description_name(),
        "insufficient_security"
    );
}

#[test]
fn warning_unrecognized_name_then_server_hello() {
    let mut bytes = record(21, 0x0303, &[1, 112]);
    bytes.extend(record(22, 0x0303, &tls12_flight().concat()));
    let reply = done_reply(ecdhe_reader().feed(&bytes));
    assert_eq!(reply.alert, None);
    assert_eq!(reply.warnings.len(), 1);
    assert_eq!(reply.warnings[0].description_name(), "unrecognized_name");
    assert!(reply.server_hello_done);
}

#[test]
fn close_notify_ends_the_reply() {
    let reply = done_reply(ReplyReader::default().feed(&record(21, 0x0303, &[1, 0])));
    assert_eq!(reply.alert.unwrap().description_name(), "close_notify");
}

#[test]
fn alert_after_server_hello_keeps_both() {
    let mut bytes = record(22, 0x0303, &tls12_flight()[0]);
    bytes.extend(record(21, 0x0303, &[2, 80]));
    let reply = done_reply(ReplyReader::default().feed(&bytes));
    assert!(reply.server_hello.is_some());
    assert_eq!(reply.alert.unwrap().description_name(), "internal_error");
}

#[test]
fn names() {
    assert_eq!(alert_name(40), "handshake_failure");
    assert_eq!(alert_name(70), "protocol_version");
    assert_eq!(alert_name(71), "insufficient_security");
    assert_eq!(alert_name(86), "inappropriate_fallback");
    assert_eq!(alert_name(255), "unknown");
    assert_eq!(version_name(0x0303), Some("TLSv1.2"));
    assert_eq!(Ssl2Error { code: 1 }.name(), "NO-CIPHER-ERROR");
}

// ---- Silence, plaintext, SSLv2 -------------------------------------------

#[test]
fn close_without_a_word_is_an_empty_reply() {
    // Dovecot refuses a handshake by closing the connection.
    let reply = ReplyReader::default().finish_eof();
    assert!(reply.is_empty());
    assert_eq!(reply.outcome(), ReplyOutcome::ClosedSilently);
}

#[test]
fn plaintext_greetings_are_not_tls() {
    for (text, guess) in [
        (
            &b"* OK [CAPABILITY IMAP4rev1 STARTTLS] Dovecot ready.\r\n"[..],
            PlaintextGuess::ImapGreeting,
        ),
        (b"+OK POP3 ready\r\n", PlaintextGuess::Pop3Greeting),
        (
            b"220 mx.example.com ESMTP Postfix\r\n",
            PlaintextGuess::SmtpGreeting,
        ),
        (
            b"HTTP/1.1 400 Bad Request\r\nContent-Length: 0\r\n\r\n",
            PlaintextGuess::Http,
        ),
        (b"SSH-2.0-OpenSSH_9.6\r\n", PlaintextGuess::Unknown),
    ] {
        let reply = done_reply(ReplyReader::default().feed(text));
        let not_tls = reply.not_tls.as_ref().unwrap();
        assert_eq!(not_tls.guess, guess);
        let first_line = std::str::from_utf8(text).unwrap().lines().next().unwrap();
        assert_eq!(not_tls.printable, first_line);
        assert_eq!(reply.outcome(), ReplyOutcome::NotTls);
    }
}

#[test]
fn plaintext_without_newline_waits_then_eof_reports_it() {
    let mut reader = ReplyReader::default();
    assert_eq!(reader.feed(b"* OK"), Ok(Progress::NeedMore));
    assert_eq!(reader.feed(b" still"), Ok(Progress::NeedMore));
    let reply = reader.finish_eof();
    let not_tls = reply.not_tls.unwrap();
    assert_eq!(not_tls.printable, "* OK still");
    assert_eq!(not_tls.guess, PlaintextGuess::ImapGreeting);
}

#[test]
fn plaintext_is_bounded() {
    let long = vec![b'A'; 10_000];
    let reply = done_reply(ReplyReader::default().feed(&long));
    let not_tls = reply.not_tls.unwrap();
    assert_eq!(not_tls.raw.len(), NOT_TLS_PREFIX);
    assert_eq!(not_tls.printable.len(), NOT_TLS_PREFIX);
    // Binary junk is shown as dots.
    let reply = done_reply(ReplyReader::default().feed(&[0x16, 0x99, 0x00, b'\n']));
    assert_eq!(reply.not_tls.unwrap().printable, "...");
}

fn ssl2_server_hello() -> Vec<u8> {
    let cert = vec![0x30; 300];
    let kinds = [0x01, 0x00, 0x80, 0x07, 0x00, 0xC0];
    let conn_id = [0xC1; 16];
    let mut m = vec![4, 0, 1, 0x00, 0x02];
    for len in [cert.len(), kinds.len(), conn_id.len()] {
        m.extend_from_slice(&(len as u16).to_be_bytes());
    }
    m.extend_from_slice(&cert);
    m.extend_from_slice(&kinds);
    m.extend_from_slice(&conn_id);
    let mut out = (0x8000 | m.len() as u16).to_be_bytes().to_vec();
    out.extend_from_slice(&m);
    out
}

#[test]
fn sslv2_server_hello() {
    let bytes = ssl2_server_hello();
    let mut reader = ReplyReader::default();
    for byte in &bytes[..bytes.len() - 1] {
        assert_eq!(
            reader.feed(std::slice::from_ref(byte)),
            Ok(Progress::NeedMore)
        );
    }
    let reply = done_reply(reader.feed(&bytes[bytes.len() - 1..]));
    let hello = reply.ssl2_server_hello.as_ref().unwrap();
    assert_eq!(hello.version, 0x0002);
    assert_eq!(version_name(hello.version), Some("SSLv2"));
    assert_eq!(hello.cipher_kinds, vec![0x010080, 0x0700C0]);
    assert_eq!(hello.certificate.len(), 300);
    assert_eq!(hello.connection_id.len(), 16);
    assert_eq!(hello.certificate_type, 1);
    assert_eq!(reply.outcome(), ReplyOutcome::Ssl2ServerHello);
}

#[test]
fn sslv2_error_message() {
    let reply = done_reply(ReplyReader::default().feed(&[0x80, 0x03, 0x00, 0x00, 0x01]));
    assert_eq!(reply.ssl2_error.unwrap().name(), "NO-CIPHER-ERROR");
    assert_eq!(reply.outcome(), ReplyOutcome::Ssl2Error);
}

#[test]
fn sslv2_server_hello_with_lying_lengths() {
    let mut bytes = ssl2_server_hello();
    bytes[9] = 0xFF; // certificate length high byte
    let err = ReplyReader::default().feed(&bytes).unwrap_err();
    assert!(matches!(err, ReplyError::MalformedSsl2 { msg_type: 4, .. }));
    let mut truncated = ssl2_server_hello();
    truncated.truncate(40);
    let mut reader = ReplyReader::default();
    assert_eq!(reader.feed(&truncated), Ok(Progress::NeedMore));
    assert!(reader.finish_eof().truncated);
}

// ---- Hostile input -------------------------------------------------------

#[test]
fn handshake_claiming_16_mb_is_refused_before_buffering() {
    // The record says 5 bytes; the handshake header inside claims 16 MB.
    let bytes = record(22, 0x0303, &[11, 0xFF, 0xFF, 0xFF, 0x00]);
    let err = ReplyReader::default().feed(&bytes).unwrap_err();
    assert_eq!(
        err,
        ReplyError::HandshakeMessageTooLarge {
            msg_type: 11,
            len: 0xFF_FFFF,
            max: 64 * 1024
        }
    );
    // Only the header: still refused at once.
    let bytes = record(22, 0x0303, &[2, 0x01, 0x00, 0x01]);
    assert!(matches!(
        ReplyReader::default().feed(&bytes),
        Err(ReplyError::HandshakeMessageTooLarge { len: 0x01_0001, .. })
    ));
}

#[test]
fn oversized_record_is_refused_from_its_header() {
    let err = ReplyReader::default()
        .feed(&[22, 3, 3, 0xFF, 0xFF])
        .unwrap_err();
    assert_eq!(
        err,
        ReplyError::RecordTooLarge {
            content_type: 22,
            len: 0xFFFF,
            max: 18432
        }
    );
    // Exactly the bound is fine.
    let mut reader = ReplyReader::default();
    assert_eq!(reader.feed(&[22, 3, 3, 0x48, 0x00]), Ok(Progress::NeedMore));
}

#[test]
fn total_budget_is_enforced() {
    let limits = ReplyLimits {
        max_total_bytes: 64,
        ..ReplyLimits::default()
    };
    let mut reader = ReplyReader::new(limits);
    let err = reader.feed(&record(22, 0x0303, &[0x00; 100])).unwrap_err();
    assert_eq!(err, ReplyError::TooMuchData { max: 64 });
    // A reply that completes within the budget is fine even if junk follows.
    let mut bytes = record(21, 0x0303, &[2, 40]);
    bytes.extend_from_slice(&[0xAA; 100]);
    let reply = done_reply(ReplyReader::new(limits).feed(&bytes));
    assert!(reply.alert.is_some());
    // Endless warnings stay bounded.
    let warnings: Vec<u8> = (0..10)
        .flat_map(|_| record(21, 0x0303, &[1, 112]))
        .collect();
    let mut reader = ReplyReader::new(limits);
    assert!(reader.feed(&warnings).is_err());
}

#[test]
fn unexpected_content_type_is_an_error() {
    let mut bytes = record(22, 0x0303, &tls12_flight()[0]);
    bytes.extend(record(99, 0x0303, &[0]));
    let err = ReplyReader::default().feed(&bytes).unwrap_err();
    assert_eq!(err, ReplyError::UnexpectedContentType { content_type: 99 });
}

#[test]
fn malformed_server_hellos_are_errors() {
    let good = server_hello(
        0x0303,
        [1; 32],
        0x002F,
        Some(&[extension(ext::RENEGOTIATION_INFO, &[0])]),
    );
    // Shrink the handshake length so the message ends at every inner
    // position: each must be an error or a valid shorter hello, never a panic.
    for cut in 4..good.len() {
        let body = &good[4..cut];
        let mut bytes = vec![2];
        bytes.extend_from_slice(&(body.len() as u32).to_be_bytes()[1..]);
        bytes.extend_from_slice(body);
        let result = ReplyReader::default()
            .stop_after_server_hello(true)
            .feed(&record(22, 0x0303, &bytes));
        let ends_after_compression = body.len() == 2 + 32 + 1 + 4 + 2 + 1;
        match result {
            Ok(Progress::Done(_)) => assert!(ends_after_compression, "cut {cut}"),
            Err(ReplyError::MalformedHandshake { msg_type: 2, .. }) => {}
            other => panic!("cut {cut}: {other:?}"),
        }
    }
    // Trailing bytes after the extension block.
    let mut bytes = good.clone();
    bytes.push(0);
    bytes[3] += 1;
    assert!(
        ReplyReader::default()
            .feed(&record(22, 0x0303, &bytes))
            .is_err()
    );
}

/// xorshift64*: deterministic garbage without a rand dependency.
struct Garbage(u64);
impl Garbage {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }
}

#[test]
fn garbage_and_mutations_never_panic() {
    let mut rng = Garbage(0x9E37_79B9_7F4A_7C15);
    let seed = record(22, 0x0303, &tls12_flight().concat());
    for round in 0..3000 {
        let mut bytes = if round % 3 == 0 {
            (0..(rng.next() % 600))
                .map(|_| rng.next() as u8)
                .collect::<Vec<_>>()
        } else {
            seed.clone()
        };
        if round % 3 != 0 {
            // Flip a few bytes of a valid flight, often in length fields.
            for _ in 0..(1 + rng.next() % 4) {
                let i = (rng.next() as usize) % bytes.len();
                bytes[i] = rng.next() as u8;
            }
        }
        if round % 2 == 0 && !bytes.is_empty() {
            bytes[0] = [20, 21, 22, 0x80][(rng.next() % 4) as usize];
        }
        let mut reader = ReplyReader::new(ReplyLimits {
            max_total_bytes: 4096,
            ..ReplyLimits::default()
        });
        let mut rest = &bytes[..];
        while !rest.is_empty() {
            let n = 1 + (rng.next() as usize) % 64;
            let (chunk, tail) = rest.split_at(n.min(rest.len()));
            rest = tail;
            match reader.feed(chunk) {
                Ok(Progress::NeedMore) => {}
                Ok(Progress::Done(_)) | Err(_) => break,
            }
        }
        let _ = reader.finish_eof();
    }
}

#[test]
fn reader_cursor_never_overreads() {
    let data = [1, 2, 3];
    let mut r = Reader::new(&data);
    assert_eq!(r.take(usize::MAX), None);
    assert_eq!(r.take(4), None);
    assert_eq!(r.u16(), Some(0x0102));
    assert_eq!(r.u16(), None);
    assert_eq!(r.left(), 1);
    assert_eq!(r.u24_prefixed(), None);
    assert_eq!(r.rest(), &[3]);
    assert!(r.is_empty());
    assert_eq!(Reader::new(&[5, 1, 2]).u8_prefixed(), None);
}

#[test]
fn round_trip_with_the_hello_builder_sizes() {
    // The reader's record bound accepts the largest hello the builder
    // makes in one record (servers echo nothing of it, but a fuzz target
    // can feed one through).
    use super::super::hello::{ClientHelloSpec, FixedEntropy, version};
    let bytes = ClientHelloSpec::for_version(version::TLS12, vec![0x002F; 128], None)
        .encode_with(&mut FixedEntropy::default())
        .unwrap();
    let mut r = Reader::new(&bytes);
    assert_eq!(r.u8(), Some(22));
    r.u16();
    assert!(usize::from(r.u16().unwrap()) <= ReplyLimits::default().max_record_payload);
}
