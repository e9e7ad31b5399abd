//! A cipher suite as the Report shows it: its code point, names and parts.
//! The registry's entries are turned into it by `tls::suite_info`; `report`
//! re-exports it. Its string fields carry closed sets; the mirrors below
//! give the OpenAPI schema those sets (`report::names` re-exports them).

use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

/// A cipher suite, by IANA code point and name.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct Suite {
    /// Code point, as `0xC02F`.
    #[schema(example = "0xC02F")]
    pub iana: String,
    /// IANA name (unknown code points: `UNKNOWN_0xABCD`).
    #[schema(example = "TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256")]
    pub name: String,
    /// OpenSSL's name for the suite, when it has one.
    pub openssl_name: Option<String>,
    /// Key exchange, e.g. `ECDHE`, `DHE`, `RSA`, `PSK`.
    #[schema(value_type = Option<SuiteKeyExchange>)]
    pub kx: Option<String>,
    /// Server authentication, e.g. `RSA`, `ECDSA`, `ANON`.
    #[schema(value_type = Option<SuiteAuthentication>)]
    pub auth: Option<String>,
    /// Bulk cipher, e.g. `AES_128_GCM`, `3DES_EDE_CBC`, `RC4`.
    #[schema(value_type = Option<SuiteCipher>)]
    pub cipher: Option<String>,
    /// Message authentication, e.g. `SHA256`, `SHA1`, `AEAD`.
    #[schema(value_type = Option<SuiteMac>)]
    pub mac: Option<String>,
    /// Effective key bits of the bulk cipher.
    pub bits: Option<u16>,
    /// The cipher is an AEAD (GCM, CCM, ChaCha20-Poly1305).
    pub aead: Option<bool>,
    /// The key exchange is ephemeral (forward secrecy).
    pub forward_secrecy: Option<bool>,
}

impl Suite {
    /// A suite known only by its code point (no registry data).
    pub fn bare(code: u16, name: impl Into<String>) -> Suite {
        Suite {
            iana: format!("0x{code:04X}"),
            name: name.into(),
            openssl_name: None,
            kx: None,
            auth: None,
            cipher: None,
            mac: None,
            bits: None,
            aead: None,
            forward_secrecy: None,
        }
    }
}

/// A cipher suite's key exchange, as in its IANA name.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub enum SuiteKeyExchange {
    #[serde(rename = "NULL")]
    Null,
    #[serde(rename = "RSA")]
    Rsa,
    #[serde(rename = "DH")]
    Dh,
    #[serde(rename = "DHE")]
    Dhe,
    #[serde(rename = "ECDH")]
    Ecdh,
    #[serde(rename = "ECDHE")]
    Ecdhe,
    #[serde(rename = "PSK")]
    Psk,
    #[serde(rename = "DHE_PSK")]
    DhePsk,
    #[serde(rename = "ECDHE_PSK")]
    EcdhePsk,
    #[serde(rename = "RSA_PSK")]
    RsaPsk,
    #[serde(rename = "SRP")]
    Srp,
    #[serde(rename = "KRB5")]
    Krb5,
    #[serde(rename = "GOST")]
    Gost,
    #[serde(rename = "ECCPWD")]
    EccPwd,
    #[serde(rename = "CECPQ1")]
    Cecpq1,
    #[serde(rename = "ANY")]
    Any,
}

/// How a cipher suite authenticates the server.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub enum SuiteAuthentication {
    #[serde(rename = "NULL")]
    Null,
    #[serde(rename = "RSA")]
    Rsa,
    #[serde(rename = "DSS")]
    Dss,
    #[serde(rename = "ECDSA")]
    Ecdsa,
    #[serde(rename = "DH")]
    Dh,
    #[serde(rename = "ECDH")]
    Ecdh,
    #[serde(rename = "ANON")]
    Anon,
    #[serde(rename = "PSK")]
    Psk,
    #[serde(rename = "SRP")]
    Srp,
    #[serde(rename = "KRB5")]
    Krb5,
    #[serde(rename = "GOST")]
    Gost,
    #[serde(rename = "ECCPWD")]
    EccPwd,
    #[serde(rename = "ANY")]
    Any,
}

/// A cipher suite's bulk cipher.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub enum SuiteCipher {
    #[serde(rename = "NULL")]
    Null,
    #[serde(rename = "RC2_CBC")]
    Rc2,
    #[serde(rename = "RC4")]
    Rc4,
    #[serde(rename = "DES_CBC")]
    Des,
    #[serde(rename = "DES40_CBC")]
    Des40,
    #[serde(rename = "3DES_EDE_CBC")]
    TripleDes,
    #[serde(rename = "IDEA_CBC")]
    Idea,
    #[serde(rename = "SEED_CBC")]
    Seed,
    #[serde(rename = "AES_128_CBC")]
    Aes128,
    #[serde(rename = "AES_256_CBC")]
    Aes256,
    #[serde(rename = "AES_128_GCM")]
    Aes128Gcm,
    #[serde(rename = "AES_256_GCM")]
    Aes256Gcm,
    #[serde(rename = "AES_128_CCM")]
    Aes128Ccm,
    #[serde(rename = "AES_128_CCM_8")]
    Aes128Ccm8,
    #[serde(rename = "AES_256_CCM")]
    Aes256Ccm,
    #[serde(rename = "AES_256_CCM_8")]
    Aes256Ccm8,
    #[serde(rename = "CAMELLIA_128_CBC")]
    Camellia128,
    #[serde(rename = "CAMELLIA_256_CBC")]
    Camellia256,
    #[serde(rename = "CAMELLIA_128_GCM")]
    Camellia128Gcm,
    #[serde(rename = "CAMELLIA_256_GCM")]
    Camellia256Gcm,
    #[serde(rename = "ARIA_128_CBC")]
    Aria128,
    #[serde(rename = "ARIA_256_CBC")]
    Aria256,
    #[serde(rename = "ARIA_128_GCM")]
    Aria128Gcm,
    #[serde(rename = "ARIA_256_GCM")]
    Aria256Gcm,
    #[serde(rename = "CHACHA20_POLY1305")]
    ChaCha20Poly1305,
    #[serde(rename = "GOST28147_CNT")]
    Gost28147,
    #[serde(rename = "KUZNYECHIK_CTR")]
    KuznyechikCtr,
    #[serde(rename = "MAGMA_CTR")]
    MagmaCtr,
    #[serde(rename = "KUZNYECHIK_MGM_L")]
    KuznyechikMgmL,
    #[serde(rename = "KUZNYECHIK_MGM_S")]
    KuznyechikMgmS,
    #[serde(rename = "MAGMA_MGM_L")]
    MagmaMgmL,
    #[serde(rename = "MAGMA_MGM_S")]
    MagmaMgmS,
    #[serde(rename = "SM4_GCM")]
    Sm4Gcm,
    #[serde(rename = "SM4_CCM")]
    Sm4Ccm,
    #[serde(rename = "AEGIS_256")]
    Aegis256,
    #[serde(rename = "AEGIS_128L")]
    Aegis128L,
}

/// A cipher suite's message authentication (`AEAD`: the cipher's own).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub enum SuiteMac {
    #[serde(rename = "NULL")]
    Null,
    #[serde(rename = "MD5")]
    Md5,
    #[serde(rename = "SHA1")]
    Sha1,
    #[serde(rename = "SHA256")]
    Sha256,
    #[serde(rename = "SHA384")]
    Sha384,
    #[serde(rename = "AEAD")]
    Aead,
    #[serde(rename = "GOST28147_IMIT")]
    Gost28147Imit,
    #[serde(rename = "GOSTR3411")]
    GostR3411,
    #[serde(rename = "OMAC")]
    Omac,
}
