//! The wire numbers a ClientHello and a server reply carry: versions,
//! groups, signature schemes, extensions, SCSVs and SSLv2 cipher kinds,
//! each table with its names.

use crate::vocab::TlsVersion;

/// Protocol versions as they appear on the wire, as numbers (the scanner
/// compares and offers raw values, including ones no [`TlsVersion`] names).
pub mod version {
    use crate::vocab::TlsVersion;

    /// The version field of an SSLv2 CLIENT-HELLO / SERVER-HELLO.
    pub const SSL2: u16 = TlsVersion::Ssl2.wire();
    pub const SSL3: u16 = TlsVersion::Ssl3.wire();
    pub const TLS10: u16 = TlsVersion::Tls10.wire();
    pub const TLS11: u16 = TlsVersion::Tls11.wire();
    pub const TLS12: u16 = TlsVersion::Tls12.wire();
    pub const TLS13: u16 = TlsVersion::Tls13.wire();
}

/// The report name of a protocol version: exactly "SSLv2", "SSLv3",
/// "TLSv1.0", "TLSv1.1", "TLSv1.2" or "TLSv1.3"; `None` for anything else
/// (TLS 1.3 drafts, GREASE, garbage), which callers report by number.
pub fn version_name(v: u16) -> Option<&'static str> {
    TlsVersion::from_wire(v).map(TlsVersion::as_str)
}

/// Declares a module of wire constants and a function naming them, from one
/// table, so a constant and its name cannot drift apart (after rustls
/// `enum_builder!`; values not in the table stay plain numbers).
macro_rules! code_points {
    (
        $(#[$mod_meta:meta])* mod $module:ident: $ty:ty;
        $(#[$fn_meta:meta])* fn $name_fn:ident;
        $( $(#[$meta:meta])* $konst:ident = $value:literal => $name:literal, )*
    ) => {
        $(#[$mod_meta])*
        pub mod $module {
            $( $(#[$meta])* pub const $konst: $ty = $value; )*
        }

        $(#[$fn_meta])*
        pub fn $name_fn(value: $ty) -> Option<&'static str> {
            match value {
                $( $module::$konst => Some($name), )*
                _ => None,
            }
        }
    };
}

code_points! {
    /// Named groups (RFC 8422 curves, RFC 7919 FFDHE, RFC 8446, RFC 8734
    /// brainpool for TLS 1.3, and the ML-KEM hybrids).
    mod groups: u16;
    /// The IANA name of a named group ("x25519", "secp256r1", "ffdhe2048",
    /// "X25519MLKEM768", ...); `None` for unassigned or GREASE values.
    fn group_name;
    SECT163K1 = 0x0001 => "sect163k1",
    SECT163R1 = 0x0002 => "sect163r1",
    SECT163R2 = 0x0003 => "sect163r2",
    SECT193R1 = 0x0004 => "sect193r1",
    SECT193R2 = 0x0005 => "sect193r2",
    SECT233K1 = 0x0006 => "sect233k1",
    SECT233R1 = 0x0007 => "sect233r1",
    SECT239K1 = 0x0008 => "sect239k1",
    SECT283K1 = 0x0009 => "sect283k1",
    SECT283R1 = 0x000A => "sect283r1",
    SECT409K1 = 0x000B => "sect409k1",
    SECT409R1 = 0x000C => "sect409r1",
    SECT571K1 = 0x000D => "sect571k1",
    SECT571R1 = 0x000E => "sect571r1",
    SECP160K1 = 0x000F => "secp160k1",
    SECP160R1 = 0x0010 => "secp160r1",
    SECP160R2 = 0x0011 => "secp160r2",
    SECP192K1 = 0x0012 => "secp192k1",
    SECP192R1 = 0x0013 => "secp192r1",
    SECP224K1 = 0x0014 => "secp224k1",
    SECP224R1 = 0x0015 => "secp224r1",
    SECP256K1 = 0x0016 => "secp256k1",
    SECP256R1 = 0x0017 => "secp256r1",
    SECP384R1 = 0x0018 => "secp384r1",
    SECP521R1 = 0x0019 => "secp521r1",
    BRAINPOOLP256R1 = 0x001A => "brainpoolP256r1",
    BRAINPOOLP384R1 = 0x001B => "brainpoolP384r1",
    BRAINPOOLP512R1 = 0x001C => "brainpoolP512r1",
    X25519 = 0x001D => "x25519",
    X448 = 0x001E => "x448",
    BRAINPOOLP256R1_TLS13 = 0x001F => "brainpoolP256r1tls13",
    BRAINPOOLP384R1_TLS13 = 0x0020 => "brainpoolP384r1tls13",
    BRAINPOOLP512R1_TLS13 = 0x0021 => "brainpoolP512r1tls13",
    FFDHE2048 = 0x0100 => "ffdhe2048",
    FFDHE3072 = 0x0101 => "ffdhe3072",
    FFDHE4096 = 0x0102 => "ffdhe4096",
    FFDHE6144 = 0x0103 => "ffdhe6144",
    FFDHE8192 = 0x0104 => "ffdhe8192",
    MLKEM512 = 0x0200 => "MLKEM512",
    MLKEM768 = 0x0201 => "MLKEM768",
    MLKEM1024 = 0x0202 => "MLKEM1024",
    SECP256R1_MLKEM768 = 0x11EB => "SecP256r1MLKEM768",
    /// Offered by code point only: ring cannot make its share, so a scan
    /// offers it in supported_groups without a share and learns of it
    /// through a HelloRetryRequest.
    X25519_MLKEM768 = 0x11EC => "X25519MLKEM768",
    SECP384R1_MLKEM1024 = 0x11ED => "SecP384r1MLKEM1024",
    X25519_KYBER768_DRAFT00 = 0x6399 => "X25519Kyber768Draft00",
    ARBITRARY_EXPLICIT_PRIME_CURVES = 0xFF01 => "arbitrary_explicit_prime_curves",
    ARBITRARY_EXPLICIT_CHAR2_CURVES = 0xFF02 => "arbitrary_explicit_char2_curves",
}

/// Groups for which `ClientHelloSpec::encode` can generate a real key share.
pub const KEY_SHARE_GROUPS: [u16; 3] = [groups::X25519, groups::SECP256R1, groups::SECP384R1];

code_points! {
    /// Signature schemes (RFC 8446 §4.2.3) and the TLS 1.2 hash/signature
    /// pairs (RFC 5246 §7.4.1.4.1) that share their code space.
    mod sigschemes: u16;
    /// The IANA name of a signature scheme; `None` when unassigned.
    fn signature_scheme_name;
    RSA_PKCS1_MD5 = 0x0101 => "rsa_pkcs1_md5",
    DSA_MD5 = 0x0102 => "dsa_md5",
    ECDSA_MD5 = 0x0103 => "ecdsa_md5",
    RSA_PKCS1_SHA1 = 0x0201 => "rsa_pkcs1_sha1",
    DSA_SHA1 = 0x0202 => "dsa_sha1",
    ECDSA_SHA1 = 0x0203 => "ecdsa_sha1",
    RSA_PKCS1_SHA224 = 0x0301 => "rsa_pkcs1_sha224",
    DSA_SHA224 = 0x0302 => "dsa_sha224",
    ECDSA_SHA224 = 0x0303 => "ecdsa_sha224",
    RSA_PKCS1_SHA256 = 0x0401 => "rsa_pkcs1_sha256",
    DSA_SHA256 = 0x0402 => "dsa_sha256",
    ECDSA_SECP256R1_SHA256 = 0x0403 => "ecdsa_secp256r1_sha256",
    RSA_PKCS1_SHA384 = 0x0501 => "rsa_pkcs1_sha384",
    DSA_SHA384 = 0x0502 => "dsa_sha384",
    ECDSA_SECP384R1_SHA384 = 0x0503 => "ecdsa_secp384r1_sha384",
    RSA_PKCS1_SHA512 = 0x0601 => "rsa_pkcs1_sha512",
    DSA_SHA512 = 0x0602 => "dsa_sha512",
    ECDSA_SECP521R1_SHA512 = 0x0603 => "ecdsa_secp521r1_sha512",
    RSA_PSS_RSAE_SHA256 = 0x0804 => "rsa_pss_rsae_sha256",
    RSA_PSS_RSAE_SHA384 = 0x0805 => "rsa_pss_rsae_sha384",
    RSA_PSS_RSAE_SHA512 = 0x0806 => "rsa_pss_rsae_sha512",
    ED25519 = 0x0807 => "ed25519",
    ED448 = 0x0808 => "ed448",
    RSA_PSS_PSS_SHA256 = 0x0809 => "rsa_pss_pss_sha256",
    RSA_PSS_PSS_SHA384 = 0x080A => "rsa_pss_pss_sha384",
    RSA_PSS_PSS_SHA512 = 0x080B => "rsa_pss_pss_sha512",
    ECDSA_BRAINPOOLP256R1TLS13_SHA256 = 0x081A => "ecdsa_brainpoolP256r1tls13_sha256",
    ECDSA_BRAINPOOLP384R1TLS13_SHA384 = 0x081B => "ecdsa_brainpoolP384r1tls13_sha384",
    ECDSA_BRAINPOOLP512R1TLS13_SHA512 = 0x081C => "ecdsa_brainpoolP512r1tls13_sha512",
    MLDSA44 = 0x0904 => "mldsa44",
    MLDSA65 = 0x0905 => "mldsa65",
    MLDSA87 = 0x0906 => "mldsa87",
}

code_points! {
    /// Extension types this module sends, and those the reply reader reads.
    mod ext: u16;
    /// The IANA name of an extension type; `None` for those not listed.
    fn extension_name;
    SERVER_NAME = 0 => "server_name",
    MAX_FRAGMENT_LENGTH = 1 => "max_fragment_length",
    STATUS_REQUEST = 5 => "status_request",
    SUPPORTED_GROUPS = 10 => "supported_groups",
    EC_POINT_FORMATS = 11 => "ec_point_formats",
    SIGNATURE_ALGORITHMS = 13 => "signature_algorithms",
    HEARTBEAT = 15 => "heartbeat",
    ALPN = 16 => "application_layer_protocol_negotiation",
    SIGNED_CERTIFICATE_TIMESTAMP = 18 => "signed_certificate_timestamp",
    PADDING = 21 => "padding",
    ENCRYPT_THEN_MAC = 22 => "encrypt_then_mac",
    EXTENDED_MASTER_SECRET = 23 => "extended_master_secret",
    SESSION_TICKET = 35 => "session_ticket",
    PRE_SHARED_KEY = 41 => "pre_shared_key",
    SUPPORTED_VERSIONS = 43 => "supported_versions",
    COOKIE = 44 => "cookie",
    PSK_KEY_EXCHANGE_MODES = 45 => "psk_key_exchange_modes",
    KEY_SHARE = 51 => "key_share",
    RENEGOTIATION_INFO = 0xFF01 => "renegotiation_info",
}

/// Signaling cipher suite values: not suites, but flags in the suite list.
pub mod scsv {
    /// RFC 5746: "I support secure renegotiation" for hellos without extensions.
    pub const EMPTY_RENEGOTIATION_INFO: u16 = 0x00FF;
    /// RFC 7507: "this is a fallback"; a server that supports a higher
    /// version than offered must answer `inappropriate_fallback`.
    pub const FALLBACK: u16 = 0x5600;
}

code_points! {
    /// SSLv2 cipher kinds (3-byte codes), as offered in an SSLv2 CLIENT-HELLO.
    mod ssl2: u32;
    /// The name of an SSLv2 cipher kind ("SSL_CK_RC4_128_WITH_MD5", ...).
    fn ssl2_cipher_name;
    RC4_128_WITH_MD5 = 0x01_0080 => "SSL_CK_RC4_128_WITH_MD5",
    RC4_128_EXPORT40_WITH_MD5 = 0x02_0080 => "SSL_CK_RC4_128_EXPORT40_WITH_MD5",
    RC2_128_CBC_WITH_MD5 = 0x03_0080 => "SSL_CK_RC2_128_CBC_WITH_MD5",
    RC2_128_CBC_EXPORT40_WITH_MD5 = 0x04_0080 => "SSL_CK_RC2_128_CBC_EXPORT40_WITH_MD5",
    IDEA_128_CBC_WITH_MD5 = 0x05_0080 => "SSL_CK_IDEA_128_CBC_WITH_MD5",
    DES_64_CBC_WITH_MD5 = 0x06_0040 => "SSL_CK_DES_64_CBC_WITH_MD5",
    DES_192_EDE3_CBC_WITH_MD5 = 0x07_00C0 => "SSL_CK_DES_192_EDE3_CBC_WITH_MD5",
}

/// Every SSLv2 cipher kind, strongest first as OpenSSL offered them.
pub const SSL2_CIPHER_KINDS: [u32; 7] = [
    ssl2::DES_192_EDE3_CBC_WITH_MD5,
    ssl2::IDEA_128_CBC_WITH_MD5,
    ssl2::RC2_128_CBC_WITH_MD5,
    ssl2::RC4_128_WITH_MD5,
    ssl2::DES_64_CBC_WITH_MD5,
    ssl2::RC2_128_CBC_EXPORT40_WITH_MD5,
    ssl2::RC4_128_EXPORT40_WITH_MD5,
];
