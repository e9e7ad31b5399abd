//! The unpredictable parts of a ClientHello: the client random and the key
//! shares, real in production and fixed in golden tests.

use ring::agreement;
use ring::rand::{SecureRandom, SystemRandom};

use super::{HelloError, groups};

/// The unpredictable parts of a ClientHello. Production uses [`RingEntropy`];
/// golden tests use [`FixedEntropy`].
pub trait HelloEntropy {
    /// The 32-byte `Random` of the hello.
    fn client_random(&mut self) -> Result<[u8; 32], HelloError>;
    /// The public key exchange value for `group` (uncompressed point for
    /// NIST curves, 32 raw bytes for X25519).
    fn key_share(&mut self, group: u16) -> Result<Vec<u8>, HelloError>;
}

/// Entropy from ring's `SystemRandom`; key shares from `ring::agreement`.
/// The private keys are dropped as soon as the public half is encoded: the
/// scanner hangs up after the ServerHello and never derives a secret.
#[derive(Debug)]
pub struct RingEntropy {
    rng: SystemRandom,
}

impl RingEntropy {
    pub fn new() -> Self {
        Self {
            rng: SystemRandom::new(),
        }
    }
}

impl Default for RingEntropy {
    fn default() -> Self {
        Self::new()
    }
}

impl HelloEntropy for RingEntropy {
    fn client_random(&mut self) -> Result<[u8; 32], HelloError> {
        let mut random = [0u8; 32];
        self.rng.fill(&mut random).map_err(|_| HelloError::Random {
            what: "client random",
        })?;
        Ok(random)
    }

    fn key_share(&mut self, group: u16) -> Result<Vec<u8>, HelloError> {
        let alg = match group {
            groups::X25519 => &agreement::X25519,
            groups::SECP256R1 => &agreement::ECDH_P256,
            groups::SECP384R1 => &agreement::ECDH_P384,
            _ => return Err(HelloError::UnsupportedKeyShareGroup { group }),
        };
        let private = agreement::EphemeralPrivateKey::generate(alg, &self.rng)
            .map_err(|_| HelloError::Random { what: "key share" })?;
        let public = private
            .compute_public_key()
            .map_err(|_| HelloError::Random { what: "key share" })?;
        Ok(public.as_ref().to_vec())
    }
}

/// Entropy fixed in advance, for golden byte-for-byte tests and fuzz targets.
#[derive(Debug, Clone, Default)]
pub struct FixedEntropy {
    pub random: [u8; 32],
    /// `(group, public key bytes)`; a share requested but not listed is an error.
    pub key_shares: Vec<(u16, Vec<u8>)>,
}

impl HelloEntropy for FixedEntropy {
    fn client_random(&mut self) -> Result<[u8; 32], HelloError> {
        Ok(self.random)
    }

    fn key_share(&mut self, group: u16) -> Result<Vec<u8>, HelloError> {
        self.key_shares
            .iter()
            .find(|(g, _)| *g == group)
            .map(|(_, share)| share.clone())
            .ok_or(HelloError::MissingKeyShare { group })
    }
}
