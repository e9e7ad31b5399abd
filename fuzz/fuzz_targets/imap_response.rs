//! The IMAP response and greeting decoders (imap-codec plus the tolerant
//! fallback) on arbitrary server bytes: never a panic.
#![no_main]

use libfuzzer_sys::fuzz_target;
use mailprobe::mail::codec::imap;

fuzz_target!(|data: &[u8]| {
    let _ = imap::decode_response(data);
    let _ = imap::decode_greeting(data);
    let _ = imap::id_pairs(data);
});
