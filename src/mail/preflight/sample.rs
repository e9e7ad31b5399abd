//! The throughput sample: real message bodies, `BODY.PEEK[]<0.n>` (no flag
//! changes), from the folder with the most bytes, in batches over this one
//! session, until `sample_bytes` were received or a cap ends it: first the
//! first 64 KiB of each message, then, while bytes are still wanted, the
//! rest of the messages that were longer, 16 chunks (1 MiB) per FETCH.

use std::time::Instant;

use tokio::io::{AsyncRead, AsyncWrite};

use super::{SampleSeen, Session};
use crate::mail::codec::imap_data;
use crate::mail::connection::StepFailure;
use crate::vocab::ErrorKind;

/// Bytes of each message fetched at most (the literal bound of the codec).
pub const CHUNK: u64 = 64 * 1024;
/// Messages per FETCH.
const BATCH: u64 = 16;

pub(super) async fn take<S: AsyncRead + AsyncWrite + Unpin>(
    s: &mut Session<'_, S>,
) -> Result<(), StepFailure> {
    if s.params.sample_bytes == 0 {
        return Ok(());
    }
    let Some(f) = s
        .survey
        .folders
        .iter()
        .filter(|f| f.selectable && f.messages.unwrap_or(0) > 0)
        .max_by_key(|f| f.size_bytes.unwrap_or(0))
    else {
        return Ok(());
    };
    let (raw, name) = (f.name_raw.clone(), f.name.clone());
    let Some(quoted) = imap_data::quote_mailbox(raw.as_bytes()) else {
        return Ok(());
    };
    let mut exists = 0;
    let done = s
        .run(&format!("EXAMINE {quoted}"), |b| {
            exists = imap_data::exists(b).unwrap_or(exists);
        })
        .await?;
    if !done.ok {
        s.refused("EXAMINE (sample)", &done);
        return Ok(());
    }
    let mut sample = SampleSeen {
        folder: name,
        ..SampleSeen::default()
    };
    let started = Instant::now();
    let mut next = 1u64;
    let mut longer = Vec::new();
    let outcome = loop {
        if sample.body_bytes >= s.params.sample_bytes || next > exists {
            break Ok(());
        }
        let last = (next + BATCH - 1).min(exists);
        let (wire_before, t) = (s.imap.wire.reader().total_read(), Instant::now());
        let (mut bytes, mut messages) = (0u64, 0u64);
        let result = s
            .run(
                &format!("FETCH {next}:{last} (UID BODY.PEEK[]<0.{CHUNK}>)"),
                |b| {
                    if let Some(item) = imap_data::fetch(b)
                        && item.body_bytes > 0
                    {
                        bytes += item.body_bytes;
                        messages += 1;
                        if item.body_bytes == CHUNK {
                            longer.push(item.seq);
                        }
                    }
                },
            )
            .await;
        sample.body_bytes += bytes;
        sample.messages += messages;
        sample.wire_bytes += (s.imap.wire.reader().total_read() - wire_before) as u64;
        sample.batches.push((bytes, t.elapsed().as_millis() as u64));
        match result {
            Ok(done) if done.ok => next = last + 1,
            Ok(done) => {
                s.refused("FETCH (sample)", &done);
                break Ok(());
            }
            Err(e) => break Err(e),
        }
    };
    let outcome = match outcome {
        Ok(()) => rest(s, &mut sample, longer).await,
        e => e,
    };
    sample.ms = started.elapsed().as_millis() as u64;
    sample.partial = sample.body_bytes < s.params.sample_bytes && next <= exists;
    s.survey.sample = Some(sample);
    match outcome {
        Err(e) if e.kind == ErrorKind::Limit => Ok(()),
        other => other,
    }
}

/// Chunks per FETCH when continuing into longer messages.
const CHUNKS: u64 = 16;

/// The rest of the longer messages, chunk by chunk, while bytes are wanted.
async fn rest<S: AsyncRead + AsyncWrite + Unpin>(
    s: &mut Session<'_, S>,
    sample: &mut SampleSeen,
    longer: Vec<u64>,
) -> Result<(), StepFailure> {
    for seq in longer {
        let mut offset = CHUNK;
        while sample.body_bytes < s.params.sample_bytes {
            let sections: Vec<String> = (0..CHUNKS)
                .map(|i| format!("BODY.PEEK[]<{}.{CHUNK}>", offset + i * CHUNK))
                .collect();
            let (wire_before, t) = (s.imap.wire.reader().total_read(), Instant::now());
            let mut bytes = 0u64;
            let done = s
                .run(&format!("FETCH {seq} ({})", sections.join(" ")), |b| {
                    if let Some(item) = imap_data::fetch(b) {
                        bytes += item.body_bytes;
                    }
                })
                .await?;
            sample.body_bytes += bytes;
            sample.wire_bytes += (s.imap.wire.reader().total_read() - wire_before) as u64;
            sample.batches.push((bytes, t.elapsed().as_millis() as u64));
            if !done.ok {
                s.refused("FETCH (sample)", &done);
                return Ok(());
            }
            if bytes < CHUNKS * CHUNK {
                break;
            }
            offset += CHUNKS * CHUNK;
        }
    }
    Ok(())
}
