//! The configured API keys, kept as SHA-256 digests: read from the settings
//! here, checked by the HTTP guard (`http::guard`) on every request.

use std::path::Path;

use ring::digest::{SHA256, digest};
use subtle::{Choice, ConstantTimeEq};

/// A SHA-256 digest of an API key: what the service keeps instead of the key.
pub type KeyDigest = [u8; 32];

pub fn key_digest(key: &str) -> KeyDigest {
    let d = digest(&SHA256, key.as_bytes());
    let mut out = [0u8; 32];
    out.copy_from_slice(d.as_ref());
    out
}

/// The configured keys, as digests. `Debug` shows only how many there are.
#[derive(Clone, Default)]
pub struct ApiKeys(pub(crate) Vec<KeyDigest>);

impl std::fmt::Debug for ApiKeys {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "ApiKeys({} configured)", self.0.len())
    }
}

impl ApiKeys {
    /// From a comma-separated list (`MAILPROBE_API_KEYS`); blanks skipped.
    pub fn parse_list(s: &str) -> Result<ApiKeys, String> {
        let mut keys = ApiKeys::default();
        for k in s.split(',').map(str::trim).filter(|k| !k.is_empty()) {
            keys.add(k)?;
        }
        Ok(keys)
    }

    /// From a file: one key per line, `#` comments and blank lines skipped.
    pub fn read_file(path: &Path) -> Result<ApiKeys, String> {
        let text = std::fs::read_to_string(path).map_err(|e| e.to_string())?;
        let mut keys = ApiKeys::default();
        for line in text.lines().map(str::trim) {
            if line.is_empty() || line.starts_with('#') {
                continue;
            }
            keys.add(line)?;
        }
        if keys.0.is_empty() {
            return Err("the file holds no key".into());
        }
        Ok(keys)
    }

    fn add(&mut self, key: &str) -> Result<(), String> {
        // A short key is guessable however it is compared.
        if key.len() < 16 {
            return Err(format!(
                "an API key must have at least 16 characters (one has {})",
                key.len()
            ));
        }
        if !key.bytes().all(|b| b.is_ascii_graphic()) {
            return Err("an API key is printable ASCII without spaces".into());
        }
        self.0.push(key_digest(key));
        Ok(())
    }

    pub fn extend(&mut self, other: ApiKeys) {
        self.0.extend(other.0);
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    /// The digest of `presented` when it is one of the keys. Every digest is
    /// compared, in constant time, whatever the outcome.
    pub fn verify(&self, presented: &str) -> Option<KeyDigest> {
        let d = key_digest(presented);
        let mut found = Choice::from(0);
        for k in &self.0 {
            found |= k[..].ct_eq(&d[..]);
        }
        bool::from(found).then_some(d)
    }
}
