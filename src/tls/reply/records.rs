//! Records read after the handshake messages a check needed: the answers
//! to a heartbeat request or an early ChangeCipherSpec. Only the header and
//! a bounded prefix of each record are kept; lengths come from the wire and
//! are never trusted for an allocation.

/// One record as received: content type, version and the body length the
/// header announced; `prefix` holds at most [`PREFIX`] bytes of the body.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RecordSeen {
    pub content_type: u8,
    pub version: u16,
    /// Body length as announced by the header.
    pub length: usize,
    /// Body bytes actually received (may be less than `length` at the end).
    pub received: usize,
    pub prefix: Vec<u8>,
}

impl RecordSeen {
    /// An alert record's (level, description), when it has both bytes.
    pub fn alert(&self) -> Option<(u8, u8)> {
        (self.content_type == super::content::ALERT)
            .then(|| Some((*self.prefix.first()?, *self.prefix.get(1)?)))
            .flatten()
    }
}

/// Body bytes kept per record.
pub const PREFIX: usize = 16;
/// Records kept at most; the rest are counted in `RecordLog::dropped`.
const MAX_RECORDS: usize = 16;

/// The records of a byte stream, fed in chunks of any size.
#[derive(Debug, Clone, Default)]
pub struct RecordLog {
    pub records: Vec<RecordSeen>,
    /// Records beyond the kept ones.
    pub dropped: usize,
    /// Bytes read in total.
    pub bytes: usize,
    /// The first bytes did not look like a TLS record header.
    pub not_tls: bool,
    header: Vec<u8>,
    /// Body bytes still expected by the last record.
    remaining: usize,
}

impl RecordLog {
    pub fn feed(&mut self, mut chunk: &[u8]) {
        self.bytes += chunk.len();
        while !chunk.is_empty() && !self.not_tls {
            if self.remaining > 0 {
                let take = self.remaining.min(chunk.len());
                let (body, rest) = chunk.split_at(take);
                if let Some(last) = self.records.last_mut().filter(|_| self.dropped == 0) {
                    let room = PREFIX.saturating_sub(last.prefix.len());
                    last.prefix.extend(body.iter().take(room));
                    last.received += body.len();
                }
                self.remaining -= take;
                chunk = rest;
                continue;
            }
            let need = 5 - self.header.len();
            let take = need.min(chunk.len());
            let (head, rest) = chunk.split_at(take);
            self.header.extend_from_slice(head);
            chunk = rest;
            if self.header.len() < 5 {
                return;
            }
            let h = std::mem::take(&mut self.header);
            let (ct, version, length) = match h.as_slice() {
                [ct, vh, vl, lh, ll] => (
                    *ct,
                    u16::from_be_bytes([*vh, *vl]),
                    usize::from(u16::from_be_bytes([*lh, *ll])),
                ),
                _ => return,
            };
            if !(20..=24).contains(&ct) || version >> 8 != 3 {
                self.not_tls = true;
                return;
            }
            self.remaining = length;
            if self.records.len() < MAX_RECORDS {
                self.records.push(RecordSeen {
                    content_type: ct,
                    version,
                    length,
                    received: 0,
                    prefix: Vec::new(),
                });
            } else {
                self.dropped += 1;
            }
        }
    }

    /// The first alert received, as (level, description).
    pub fn first_alert(&self) -> Option<(u8, u8)> {
        self.records.iter().find_map(RecordSeen::alert)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Every split of the same bytes reads the same records.
    #[test]
    fn records_survive_any_chunking() {
        let mut bytes = vec![0x18, 3, 3, 0, 40];
        bytes.extend(std::iter::repeat_n(0xAA, 40));
        bytes.extend([0x15, 3, 3, 0, 2, 2, 40]);
        for split in 0..bytes.len() {
            let mut log = RecordLog::default();
            let (a, b) = bytes.split_at(split);
            log.feed(a);
            log.feed(b);
            assert_eq!(log.records.len(), 2, "split {split}");
            assert_eq!(log.records[0].length, 40);
            assert_eq!(log.records[0].received, 40);
            assert_eq!(log.records[0].prefix.len(), PREFIX);
            assert_eq!(log.first_alert(), Some((2, 40)));
        }
        let mut log = RecordLog::default();
        log.feed(b"* OK hello\r\n");
        assert!(log.not_tls && log.records.is_empty());
    }
}
