//! The TLS reply reader on arbitrary server bytes, split at a fuzzer-chosen
//! point: never a panic, never past its byte bound, and the same answer
//! whether the bytes come whole or in two pieces.
#![no_main]

use libfuzzer_sys::fuzz_target;
use mailprobe::tls::reply::{Progress, ReplyLimits, ReplyReader};

fn read(chunks: &[&[u8]]) -> Option<Result<Progress, String>> {
    let limits = ReplyLimits::default();
    let mut reader = ReplyReader::new(limits);
    let mut last = None;
    for chunk in chunks {
        let r = reader.feed(chunk);
        assert!(reader.bytes_read() <= limits.max_total_bytes);
        match r {
            Ok(Progress::NeedMore) => last = Some(Ok(Progress::NeedMore)),
            Ok(done) => return Some(Ok(done)),
            Err(e) => return Some(Err(e.to_string())),
        }
    }
    last
}

fuzz_target!(|data: &[u8]| {
    let Some((&split, bytes)) = data.split_first() else {
        return;
    };
    let at = usize::from(split) * bytes.len() / 256;
    let whole = read(&[bytes]);
    let split = read(&[&bytes[..at], &bytes[at..]]);
    assert_eq!(whole, split);
});
