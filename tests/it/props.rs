//! Property tests over the parsers that read what servers send (issue 8):
//! the TLS reply reader, the bounded line reader and the IMAP response
//! decoder, fed random bytes and mutations of real replies, in random
//! chunkings. None may panic, none may buffer past its bounds, and the
//! reply reader's answer must not depend on how the bytes were split.

use std::time::Duration;

use mailprobe::mail::codec::imap;
use mailprobe::mail::line::{LineError, LineLimits, LineReader};
use mailprobe::tls::reply::{Progress, ReplyLimits, ReplyReader};
use mailprobe::vocab::Deadline;
use proptest::prelude::*;

use crate::support::hostile_servers::partial_server_hello;

/// A TLS 1.2 ServerHello followed by ServerHelloDone, as one record each.
fn captured_reply() -> Vec<u8> {
    let mut bytes = partial_server_hello(usize::MAX);
    bytes.extend_from_slice(&[0x16, 0x03, 0x03, 0x00, 0x04, 0x0E, 0x00, 0x00, 0x00]);
    bytes
}

const IMAP_LINES: &[&[u8]] = &[
    b"* OK [CAPABILITY IMAP4rev1 SASL-IR ID ENABLE IDLE LITERAL+ STARTTLS LOGINDISABLED] Dovecot (Debian) ready.\r\n",
    b"* CAPABILITY IMAP4 IMAP4rev1 AUTH=PLAIN AUTH=XOAUTH2 SASL-IR UIDPLUS MOVE ID UNSELECT CHILDREN IDLE NAMESPACE LITERAL+\r\n",
    b"a1 OK CAPABILITY completed.\r\n",
    b"* ID (\"name\" {7}\r\nDovecot \"version\" \"2.3.21\")\r\n",
    b"a2 BAD Command received in Invalid state.\r\n",
    b"* BYE Microsoft Exchange Server IMAP4 server signing off.\r\n",
];

/// Feeds `bytes` split at `cuts` and returns the outcome, checking the
/// reader's bound on the way.
fn feed_in_chunks(bytes: &[u8], cuts: &[usize]) -> Option<Result<Progress, String>> {
    let limits = ReplyLimits::default();
    let mut reader = ReplyReader::new(limits);
    let mut points: Vec<usize> = cuts.iter().map(|c| c % (bytes.len() + 1)).collect();
    points.push(0);
    points.push(bytes.len());
    points.sort_unstable();
    points.dedup();
    let mut last = None;
    for w in points.windows(2) {
        let r = reader.feed(&bytes[w[0]..w[1]]);
        assert!(reader.bytes_read() <= limits.max_total_bytes);
        match r {
            Ok(Progress::NeedMore) => last = Some(Ok(Progress::NeedMore)),
            Ok(done) => return Some(Ok(done)),
            Err(e) => return Some(Err(e.to_string())),
        }
    }
    last
}

fn mutate(base: &[u8], edits: &[(usize, u8)]) -> Vec<u8> {
    let mut v = base.to_vec();
    for (i, b) in edits {
        if !v.is_empty() {
            let at = i % v.len();
            v[at] = *b;
        }
    }
    v
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 512, ..ProptestConfig::default() })]

    #[test]
    fn reply_reader_never_panics_on_random_bytes(
        bytes in proptest::collection::vec(any::<u8>(), 0..4096),
        cuts in proptest::collection::vec(any::<usize>(), 0..8),
    ) {
        let _ = feed_in_chunks(&bytes, &cuts);
    }

    #[test]
    fn reply_reader_answer_does_not_depend_on_chunking(
        edits in proptest::collection::vec((any::<usize>(), any::<u8>()), 0..4),
        cuts in proptest::collection::vec(any::<usize>(), 1..8),
    ) {
        let bytes = mutate(&captured_reply(), &edits);
        let whole = feed_in_chunks(&bytes, &[]);
        let split = feed_in_chunks(&bytes, &cuts);
        prop_assert_eq!(whole, split);
    }

    #[test]
    fn imap_decoder_never_panics_on_mutated_responses(
        which in 0..IMAP_LINES.len(),
        edits in proptest::collection::vec((any::<usize>(), any::<u8>()), 0..6),
        cut in any::<usize>(),
    ) {
        let bytes = mutate(IMAP_LINES[which], &edits);
        // Every prefix too: an Incomplete must be an answer, not a panic.
        let prefix = &bytes[..cut % (bytes.len() + 1)];
        let _ = imap::decode_response(prefix);
        let _ = imap::decode_greeting(prefix);
        let _ = imap::id_pairs(prefix);
    }

    #[test]
    fn imap_decoder_never_panics_on_random_bytes(
        bytes in proptest::collection::vec(any::<u8>(), 0..2048),
    ) {
        let _ = imap::decode_response(&bytes);
        let _ = imap::decode_greeting(&bytes);
    }

    #[test]
    fn line_reader_returns_bounded_lines_that_are_the_input(
        bytes in proptest::collection::vec(
            prop_oneof![4 => any::<u8>(), 1 => Just(b'\n')], 0..6000),
        max_line in 16usize..512,
        max_total in 64usize..4096,
    ) {
        let runtime = tokio::runtime::Builder::new_current_thread()
            .enable_time()
            .build()
            .expect("runtime");
        runtime.block_on(async {
            let limits = LineLimits { max_line, max_total };
            let mut reader = LineReader::new(&bytes[..], limits);
            let mut consumed = 0usize;
            loop {
                match reader.read_line(Deadline::after(Duration::from_secs(5))).await {
                    Ok(line) => {
                        prop_assert!(line.len() <= max_line);
                        // The line is the input at this point, up to its ending.
                        prop_assert_eq!(&bytes[consumed..consumed + line.len()], &line[..]);
                        let nl = bytes[consumed..].iter().position(|&b| b == b'\n');
                        prop_assert!(nl.is_some());
                        consumed += nl.unwrap_or(0) + 1;
                        prop_assert!(consumed <= max_total + max_line);
                    }
                    Err(LineError::Timeout { .. }) => prop_assert!(false, "no timeout on a slice"),
                    Err(_) => break,
                }
            }
            Ok(())
        })?;
    }
}

#[test]
fn the_captured_reply_reads_whole_in_any_split() {
    let bytes = captured_reply();
    for cut in 0..=bytes.len() {
        let r = feed_in_chunks(&bytes, &[cut]);
        assert!(matches!(r, Some(Ok(Progress::Done(_)))), "cut {cut}: {r:?}");
    }
}
