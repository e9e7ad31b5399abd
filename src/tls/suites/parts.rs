//! The parts a cipher suite is made of: key exchange, authentication, bulk
//! cipher and MAC, each with its name and its strength.

/// Key exchange, as named in the IANA suite name (the part before `_WITH_`).
///
/// Anonymous DH (`DH_anon`, `ECDH_anon`) uses ephemeral keys, so it is [`Dhe`](Self::Dhe) /
/// [`Ecdhe`](Self::Ecdhe) with [`Authentication::Anon`]; the *static* `DH_DSS`, `DH_RSA`,
/// `ECDH_ECDSA`, `ECDH_RSA` are [`Dh`](Self::Dh) / [`Ecdh`](Self::Ecdh).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum KeyExchange {
    /// No key exchange (`TLS_NULL_WITH_NULL_NULL` and the signalling values).
    Null,
    /// RSA key transport (including the 512/1024-bit export variants).
    Rsa,
    /// Static Diffie-Hellman from a DH certificate.
    Dh,
    /// Ephemeral Diffie-Hellman (also `DH_anon`).
    Dhe,
    /// Static ECDH from an ECDH-capable certificate.
    Ecdh,
    /// Ephemeral ECDH (also `ECDH_anon`).
    Ecdhe,
    /// Pre-shared key only (RFC 4279).
    Psk,
    /// PSK plus ephemeral DH (RFC 4279).
    DhePsk,
    /// PSK plus ephemeral ECDH (RFC 5489).
    EcdhePsk,
    /// PSK plus RSA key transport (RFC 4279).
    RsaPsk,
    /// Secure Remote Password (RFC 5054).
    Srp,
    /// Kerberos 5 (RFC 2712).
    Krb5,
    /// GOST R 34.10 VKO key agreement (static server key).
    Gost,
    /// Password-authenticated ECC key exchange, TLS-PWD (RFC 8492).
    EccPwd,
    /// Google's 2016 post-quantum experiment (X25519 + NewHope), never registered.
    Cecpq1,
    /// TLS 1.3: the suite does not fix the key exchange, the `key_share` groups do.
    Any,
}

impl KeyExchange {
    /// Every variant, for exhaustive tests and schema listings.
    pub const ALL: &'static [KeyExchange] = &[
        Self::Null,
        Self::Rsa,
        Self::Dh,
        Self::Dhe,
        Self::Ecdh,
        Self::Ecdhe,
        Self::Psk,
        Self::DhePsk,
        Self::EcdhePsk,
        Self::RsaPsk,
        Self::Srp,
        Self::Krb5,
        Self::Gost,
        Self::EccPwd,
        Self::Cecpq1,
        Self::Any,
    ];

    /// Stable upper-case label, spelled as in IANA names where one exists.
    pub const fn as_str(&self) -> &'static str {
        match self {
            Self::Null => "NULL",
            Self::Rsa => "RSA",
            Self::Dh => "DH",
            Self::Dhe => "DHE",
            Self::Ecdh => "ECDH",
            Self::Ecdhe => "ECDHE",
            Self::Psk => "PSK",
            Self::DhePsk => "DHE_PSK",
            Self::EcdhePsk => "ECDHE_PSK",
            Self::RsaPsk => "RSA_PSK",
            Self::Srp => "SRP",
            Self::Krb5 => "KRB5",
            Self::Gost => "GOST",
            Self::EccPwd => "ECCPWD",
            Self::Cecpq1 => "CECPQ1",
            Self::Any => "ANY",
        }
    }

    /// Whether the session key comes from per-connection (ephemeral) secrets, so that a later
    /// theft of the server's long-term key does not decrypt recorded traffic.
    ///
    /// TLS 1.3 ([`Any`](Self::Any)) counts: a full handshake always uses (EC)DHE; only PSK-only
    /// resumption (`psk_ke`) lacks it, and that is not a suite property. SRP and TLS-PWD derive
    /// keys from fresh ephemeral values too. Anonymous (EC)DH is ephemeral, hence forward-secret
    /// but unauthenticated: read this together with [`Authentication`].
    pub const fn is_ephemeral(&self) -> bool {
        matches!(
            self,
            Self::Dhe
                | Self::Ecdhe
                | Self::DhePsk
                | Self::EcdhePsk
                | Self::Srp
                | Self::EccPwd
                | Self::Cecpq1
                | Self::Any
        )
    }
}

/// How the server proves its identity under the suite.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Authentication {
    /// None at all (`TLS_NULL_WITH_NULL_NULL`, signalling values).
    Null,
    /// RSA certificate.
    Rsa,
    /// DSA certificate.
    Dss,
    /// ECDSA certificate.
    Ecdsa,
    /// Static DH certificate (`DH_DSS`/`DH_RSA`: the name gives the CA's signature algorithm,
    /// but the server's key is a DH key, which is what a client must accept).
    Dh,
    /// Static ECDH certificate (`ECDH_ECDSA`/`ECDH_RSA`, same reasoning as [`Dh`](Self::Dh)).
    Ecdh,
    /// Anonymous: no server authentication, trivially man-in-the-middled.
    Anon,
    /// The pre-shared key itself.
    Psk,
    /// The SRP verifier (password).
    Srp,
    /// Kerberos ticket.
    Krb5,
    /// GOST R 34.10 certificate.
    Gost,
    /// The TLS-PWD password.
    EccPwd,
    /// TLS 1.3: chosen by `signature_algorithms`, not by the suite.
    Any,
}

impl Authentication {
    /// Every variant, for exhaustive tests and schema listings.
    pub const ALL: &'static [Authentication] = &[
        Self::Null,
        Self::Rsa,
        Self::Dss,
        Self::Ecdsa,
        Self::Dh,
        Self::Ecdh,
        Self::Anon,
        Self::Psk,
        Self::Srp,
        Self::Krb5,
        Self::Gost,
        Self::EccPwd,
        Self::Any,
    ];

    /// Stable upper-case label.
    pub const fn as_str(&self) -> &'static str {
        match self {
            Self::Null => "NULL",
            Self::Rsa => "RSA",
            Self::Dss => "DSS",
            Self::Ecdsa => "ECDSA",
            Self::Dh => "DH",
            Self::Ecdh => "ECDH",
            Self::Anon => "ANON",
            Self::Psk => "PSK",
            Self::Srp => "SRP",
            Self::Krb5 => "KRB5",
            Self::Gost => "GOST",
            Self::EccPwd => "ECCPWD",
            Self::Any => "ANY",
        }
    }
}

/// Bulk (record) cipher with its mode. The key size is part of the variant where IANA names it;
/// where it varies with export rules (RC2, RC4), `CipherSuite::bits` carries it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum BulkCipher {
    /// No encryption.
    Null,
    /// RC2 in CBC mode (export 40-bit and EXPORT1024 56-bit only).
    Rc2,
    /// RC4 stream cipher (RFC 7465 prohibits it).
    Rc4,
    /// Single DES, CBC (56-bit key).
    Des,
    /// Export DES, CBC, 40 effective key bits (`DES40_CBC`, KRB5 `DES_CBC_40`).
    Des40,
    /// Triple DES EDE, CBC.
    TripleDes,
    /// IDEA, CBC.
    Idea,
    /// SEED, CBC (RFC 4162).
    Seed,
    /// AES-128, CBC.
    Aes128,
    /// AES-256, CBC.
    Aes256,
    /// AES-128-GCM.
    Aes128Gcm,
    /// AES-256-GCM.
    Aes256Gcm,
    /// AES-128-CCM (16-byte tag).
    Aes128Ccm,
    /// AES-128-CCM with an 8-byte tag.
    Aes128Ccm8,
    /// AES-256-CCM (16-byte tag).
    Aes256Ccm,
    /// AES-256-CCM with an 8-byte tag.
    Aes256Ccm8,
    /// Camellia-128, CBC.
    Camellia128,
    /// Camellia-256, CBC.
    Camellia256,
    /// Camellia-128-GCM.
    Camellia128Gcm,
    /// Camellia-256-GCM.
    Camellia256Gcm,
    /// ARIA-128, CBC.
    Aria128,
    /// ARIA-256, CBC.
    Aria256,
    /// ARIA-128-GCM.
    Aria128Gcm,
    /// ARIA-256-GCM.
    Aria256Gcm,
    /// ChaCha20-Poly1305 (RFC 7905 and the pre-standard `_OLD` code points).
    ChaCha20Poly1305,
    /// GOST 28147-89 in counter (CNT) mode.
    Gost28147,
    /// Kuznyechik (GOST R 34.12-2015, 128-bit block) in CTR mode (RFC 9189).
    KuznyechikCtr,
    /// Magma (GOST R 34.12-2015, 64-bit block) in CTR mode (RFC 9189).
    MagmaCtr,
    /// Kuznyechik-MGM, "light" re-keying profile (RFC 9367).
    KuznyechikMgmL,
    /// Kuznyechik-MGM, "strong" re-keying profile (RFC 9367).
    KuznyechikMgmS,
    /// Magma-MGM, "light" re-keying profile (RFC 9367).
    MagmaMgmL,
    /// Magma-MGM, "strong" re-keying profile (RFC 9367).
    MagmaMgmS,
    /// SM4-GCM (RFC 8998).
    Sm4Gcm,
    /// SM4-CCM (RFC 8998).
    Sm4Ccm,
    /// AEGIS-256 (draft-irtf-cfrg-aegis-aead).
    Aegis256,
    /// AEGIS-128L (draft-irtf-cfrg-aegis-aead).
    Aegis128L,
}

impl BulkCipher {
    /// Every variant, for exhaustive tests and schema listings.
    pub const ALL: &'static [BulkCipher] = &[
        Self::Null,
        Self::Rc2,
        Self::Rc4,
        Self::Des,
        Self::Des40,
        Self::TripleDes,
        Self::Idea,
        Self::Seed,
        Self::Aes128,
        Self::Aes256,
        Self::Aes128Gcm,
        Self::Aes256Gcm,
        Self::Aes128Ccm,
        Self::Aes128Ccm8,
        Self::Aes256Ccm,
        Self::Aes256Ccm8,
        Self::Camellia128,
        Self::Camellia256,
        Self::Camellia128Gcm,
        Self::Camellia256Gcm,
        Self::Aria128,
        Self::Aria256,
        Self::Aria128Gcm,
        Self::Aria256Gcm,
        Self::ChaCha20Poly1305,
        Self::Gost28147,
        Self::KuznyechikCtr,
        Self::MagmaCtr,
        Self::KuznyechikMgmL,
        Self::KuznyechikMgmS,
        Self::MagmaMgmL,
        Self::MagmaMgmS,
        Self::Sm4Gcm,
        Self::Sm4Ccm,
        Self::Aegis256,
        Self::Aegis128L,
    ];

    /// Stable upper-case label, spelled like the cipher part of IANA names.
    pub const fn as_str(&self) -> &'static str {
        match self {
            Self::Null => "NULL",
            Self::Rc2 => "RC2_CBC",
            Self::Rc4 => "RC4",
            Self::Des => "DES_CBC",
            Self::Des40 => "DES40_CBC",
            Self::TripleDes => "3DES_EDE_CBC",
            Self::Idea => "IDEA_CBC",
            Self::Seed => "SEED_CBC",
            Self::Aes128 => "AES_128_CBC",
            Self::Aes256 => "AES_256_CBC",
            Self::Aes128Gcm => "AES_128_GCM",
            Self::Aes256Gcm => "AES_256_GCM",
            Self::Aes128Ccm => "AES_128_CCM",
            Self::Aes128Ccm8 => "AES_128_CCM_8",
            Self::Aes256Ccm => "AES_256_CCM",
            Self::Aes256Ccm8 => "AES_256_CCM_8",
            Self::Camellia128 => "CAMELLIA_128_CBC",
            Self::Camellia256 => "CAMELLIA_256_CBC",
            Self::Camellia128Gcm => "CAMELLIA_128_GCM",
            Self::Camellia256Gcm => "CAMELLIA_256_GCM",
            Self::Aria128 => "ARIA_128_CBC",
            Self::Aria256 => "ARIA_256_CBC",
            Self::Aria128Gcm => "ARIA_128_GCM",
            Self::Aria256Gcm => "ARIA_256_GCM",
            Self::ChaCha20Poly1305 => "CHACHA20_POLY1305",
            Self::Gost28147 => "GOST28147_CNT",
            Self::KuznyechikCtr => "KUZNYECHIK_CTR",
            Self::MagmaCtr => "MAGMA_CTR",
            Self::KuznyechikMgmL => "KUZNYECHIK_MGM_L",
            Self::KuznyechikMgmS => "KUZNYECHIK_MGM_S",
            Self::MagmaMgmL => "MAGMA_MGM_L",
            Self::MagmaMgmS => "MAGMA_MGM_S",
            Self::Sm4Gcm => "SM4_GCM",
            Self::Sm4Ccm => "SM4_CCM",
            Self::Aegis256 => "AEGIS_256",
            Self::Aegis128L => "AEGIS_128L",
        }
    }

    /// Authenticated encryption: the record needs no separate MAC, and the suite needs TLS 1.2+.
    pub const fn is_aead(&self) -> bool {
        matches!(
            self,
            Self::Aes128Gcm
                | Self::Aes256Gcm
                | Self::Aes128Ccm
                | Self::Aes128Ccm8
                | Self::Aes256Ccm
                | Self::Aes256Ccm8
                | Self::Camellia128Gcm
                | Self::Camellia256Gcm
                | Self::Aria128Gcm
                | Self::Aria256Gcm
                | Self::ChaCha20Poly1305
                | Self::KuznyechikMgmL
                | Self::KuznyechikMgmS
                | Self::MagmaMgmL
                | Self::MagmaMgmS
                | Self::Sm4Gcm
                | Self::Sm4Ccm
                | Self::Aegis256
                | Self::Aegis128L
        )
    }

    /// A block cipher in CBC mode with MAC-then-encrypt: the family behind BEAST (TLS 1.0),
    /// Lucky13 and POODLE-style padding oracles, which diagnosis may want to flag.
    pub const fn is_cbc(&self) -> bool {
        matches!(
            self,
            Self::Rc2
                | Self::Des
                | Self::Des40
                | Self::TripleDes
                | Self::Idea
                | Self::Seed
                | Self::Aes128
                | Self::Aes256
                | Self::Camellia128
                | Self::Camellia256
                | Self::Aria128
                | Self::Aria256
        )
    }
}

/// Record MAC. AEAD suites say [`Aead`](Self::Aead): the `_SHA256`/`_SHA384` in their names
/// is the PRF/HKDF hash, not a MAC.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Mac {
    /// No MAC (`TLS_NULL_WITH_NULL_NULL`, signalling values).
    Null,
    /// HMAC-MD5 (SSLv3: the SSLv3 keyed MD5).
    Md5,
    /// HMAC-SHA1 (IANA names end in `_SHA`).
    Sha1,
    /// HMAC-SHA256.
    Sha256,
    /// HMAC-SHA384.
    Sha384,
    /// Integrity comes from the AEAD cipher.
    Aead,
    /// GOST 28147-89 IMIT (the `CNT_IMIT` suites).
    Gost28147Imit,
    /// HMAC with GOST R 34.11-94 (or its 2012 successor in GOST-engine suites).
    GostR3411,
    /// OMAC (CMAC) over Kuznyechik or Magma (RFC 9189 `CTR_OMAC` suites).
    Omac,
}

impl Mac {
    /// Every variant, for exhaustive tests and schema listings.
    pub const ALL: &'static [Mac] = &[
        Self::Null,
        Self::Md5,
        Self::Sha1,
        Self::Sha256,
        Self::Sha384,
        Self::Aead,
        Self::Gost28147Imit,
        Self::GostR3411,
        Self::Omac,
    ];

    /// Stable upper-case label.
    pub const fn as_str(&self) -> &'static str {
        match self {
            Self::Null => "NULL",
            Self::Md5 => "MD5",
            Self::Sha1 => "SHA1",
            Self::Sha256 => "SHA256",
            Self::Sha384 => "SHA384",
            Self::Aead => "AEAD",
            Self::Gost28147Imit => "GOST28147_IMIT",
            Self::GostR3411 => "GOSTR3411",
            Self::Omac => "OMAC",
        }
    }
}
