//! Key-size thresholds the certificate judgement and the findings share,
//! written once. Client-specific minimums live in each profile's rules
//! (`profiles/`); these are the service's own lines for a finding.

/// Below this an RSA certificate key is flagged: OpenSSL 3.2+ (security
/// level 2), Apple and the Mozilla intermediate guideline require 2048 bits.
pub const RSA_KEY_MIN_BITS: u32 = 2048;

/// Below this an RSA key (or DH group) is Logjam territory: Java 17,
/// SChannel and OpenSSL at security level 1 refuse it.
pub const KEY_BROKEN_BITS: u32 = 1024;

/// Below this a DHE group is flagged (Logjam; OpenSSL 3.2+ and the Mozilla
/// intermediate guideline require 2048 bits).
pub const DH_MIN_BITS: u32 = 2048;
