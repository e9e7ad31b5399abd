//! Catalogue entries for the security findings: the ones derived from what
//! the scan saw (each weakness on its own, replacing the old lumped
//! `WEAK_CIPHERS_ENABLED`) and the ones the security checks establish.

use super::{FindingSpec, any, for_sw};
use crate::diagnosis::server::Software;
use crate::report::Severity;

const CVE: &str = "https://www.cve.org/CVERecord?id=";
const R_DROWN: &str = "https://www.cve.org/CVERecord?id=CVE-2016-0800";
const R_RFC6176: &str = "https://www.rfc-editor.org/rfc/rfc6176";
const R_POODLE: &str = "https://www.cve.org/CVERecord?id=CVE-2014-3566";
const R_RFC7568: &str = "https://www.rfc-editor.org/rfc/rfc7568";
const R_BEAST: &str = "https://www.cve.org/CVERecord?id=CVE-2011-3389";
const R_SWEET32: &str = "https://www.cve.org/CVERecord?id=CVE-2016-2183";
const R_SWEET32_SITE: &str = "https://sweet32.info/";
const R_RC4: &str = "https://www.cve.org/CVERecord?id=CVE-2015-2808";
const R_RFC7465: &str = "https://www.rfc-editor.org/rfc/rfc7465";
const R_FREAK: &str = "https://www.cve.org/CVERecord?id=CVE-2015-0204";
const R_LOGJAM: &str = "https://www.cve.org/CVERecord?id=CVE-2015-4000";
const R_WEAKDH: &str = "https://weakdh.org/";
const R_RFC9325: &str = "https://www.rfc-editor.org/rfc/rfc9325";
const R_LUCKY13: &str = "https://www.cve.org/CVERecord?id=CVE-2013-0169";
const R_RFC7366: &str = "https://www.rfc-editor.org/rfc/rfc7366";
const R_INJECT: &str = "https://www.cve.org/CVERecord?id=CVE-2011-0411";
const R_NOSTARTTLS: &str =
    "https://www.usenix.org/conference/usenixsecurity21/presentation/poddebniak";
const R_RFC3207: &str = "https://www.rfc-editor.org/rfc/rfc3207#section-4.2";
const R_RFC2595: &str = "https://www.rfc-editor.org/rfc/rfc2595#section-3.1";
const R_RFC7507: &str = "https://www.rfc-editor.org/rfc/rfc7507";
const R_CRIME: &str = "https://www.cve.org/CVERecord?id=CVE-2012-4929";
const R_RFC5746: &str = "https://www.rfc-editor.org/rfc/rfc5746";
const R_RENEG: &str = "https://www.cve.org/CVERecord?id=CVE-2009-3555";
const R_RENEG_DOS: &str = "https://www.cve.org/CVERecord?id=CVE-2011-1473";
const R_HEARTBLEED: &str = "https://www.cve.org/CVERecord?id=CVE-2014-0160";
const R_RFC6520: &str = "https://www.rfc-editor.org/rfc/rfc6520";
const R_CCS: &str = "https://www.cve.org/CVERecord?id=CVE-2014-0224";
const R_ROBOT: &str = "https://robotattack.org/";
const R_ROBOT_CVE: &str = "https://www.cve.org/CVERecord?id=CVE-2017-13099";
const R_MOZ: &str = "https://wiki.mozilla.org/Security/Server_Side_TLS";

// `CVE` documents the form of the references above.
const _: &str = CVE;

/// Protocols: the same switch in each server's configuration.
const PROTOCOLS_DOVECOT: &str =
    "Set ssl_min_protocol = TLSv1.2 in Dovecot's 10-ssl.conf and reload.";
const PROTOCOLS_POSTFIX: &str = "Set smtpd_tls_protocols = >=TLSv1.2 and smtpd_tls_mandatory_protocols = >=TLSv1.2 (Postfix 3.6+; older: !SSLv2, !SSLv3, !TLSv1, !TLSv1.1) and reload.";
const PROTOCOLS_COURIER: &str = "Set TLS_PROTOCOL=TLSv1.2+ (OpenSSL builds) or TLS_PRIORITY without SSL3.0/TLS1.0 (GnuTLS builds) in imapd-ssl and pop3d-ssl, then restart.";
const PROTOCOLS_CYRUS: &str = "Set tls_versions: tls1_2 tls1_3 in imapd.conf and restart.";
const PROTOCOLS_EXCHANGE: &str = "Disable the protocol in SChannel: HKLM\\SYSTEM\\CurrentControlSet\\Control\\SecurityProviders\\SCHANNEL\\Protocols\\<protocol>\\Server, Enabled=0 and DisabledByDefault=1, then reboot (Exchange Server TLS guidance, part 3).";

/// Cipher lists: one recommended list per server (Mozilla intermediate).
const CIPHERS_DOVECOT: &str = "Set ssl_cipher_list = ECDHE+AESGCM:ECDHE+CHACHA20:DHE+AESGCM:!aNULL:!eNULL:!EXPORT:!DES:!3DES:!RC4:!MD5 (Mozilla intermediate) and ssl_prefer_server_ciphers = yes.";
const CIPHERS_POSTFIX: &str = "Set smtpd_tls_exclude_ciphers = aNULL, eNULL, EXPORT, DES, 3DES, RC4, MD5, IDEA and smtpd_tls_mandatory_ciphers = high; tls_preempt_cipherlist = yes.";
const CIPHERS_COURIER: &str = "Set TLS_CIPHER_LIST=\"ECDHE+AESGCM:ECDHE+CHACHA20:!aNULL:!eNULL:!EXPORT:!DES:!3DES:!RC4\" in imapd-ssl and pop3d-ssl.";
const CIPHERS_CYRUS: &str = "Set tls_ciphers: ECDHE+AESGCM:ECDHE+CHACHA20:!aNULL:!eNULL:!EXPORT:!DES:!3DES:!RC4 and tls_prefer_server_ciphers: 1 in imapd.conf.";
const CIPHERS_EXCHANGE: &str = "Disable the cipher in SChannel (HKLM\\SYSTEM\\CurrentControlSet\\Control\\SecurityProviders\\SCHANNEL\\Ciphers\\<cipher>, Enabled=0), or remove the suites with Disable-TlsCipherSuite / the SSL Cipher Suite Order group policy; reboot.";
const CIPHERS_ANY: &str = "Remove the suites from the server's cipher list; the Mozilla intermediate configuration is a good default.";

/// Software updates: the vulnerable code is in the TLS library or the server.
const UPDATE_OPENSSL: &str = "Update OpenSSL (and restart every service linked to it): the fix is in the library, not the configuration.";

macro_rules! cipher_remedies {
    ($action:expr) => {
        &[
            for_sw(Software::Exchange, $action, CIPHERS_EXCHANGE),
            for_sw(Software::Dovecot, $action, CIPHERS_DOVECOT),
            for_sw(Software::Postfix, $action, CIPHERS_POSTFIX),
            for_sw(Software::Courier, $action, CIPHERS_COURIER),
            for_sw(Software::Cyrus, $action, CIPHERS_CYRUS),
            any($action, CIPHERS_ANY),
        ]
    };
}

macro_rules! protocol_remedies {
    ($action:expr, $any:expr) => {
        &[
            for_sw(Software::Exchange, $action, PROTOCOLS_EXCHANGE),
            for_sw(Software::Dovecot, $action, PROTOCOLS_DOVECOT),
            for_sw(Software::Postfix, $action, PROTOCOLS_POSTFIX),
            for_sw(Software::Courier, $action, PROTOCOLS_COURIER),
            for_sw(Software::Cyrus, $action, PROTOCOLS_CYRUS),
            any($action, $any),
        ]
    };
}

macro_rules! update_remedies {
    ($action:expr, $exchange:expr, $dovecot:expr, $postfix:expr, $courier:expr, $cyrus:expr, $any:expr) => {
        &[
            for_sw(Software::Exchange, $action, $exchange),
            for_sw(Software::Dovecot, $action, $dovecot),
            for_sw(Software::Postfix, $action, $postfix),
            for_sw(Software::Courier, $action, $courier),
            for_sw(Software::Cyrus, $action, $cyrus),
            any($action, $any),
        ]
    };
}

/// Every security finding.
pub static SECURITY: &[FindingSpec] = &[
    FindingSpec {
        id: "SSL2_DROWN",
        severity: Severity::Critical,
        title: "SSLv2 is accepted (DROWN)",
        remedies: protocol_remedies!(
            "disable SSLv2",
            "Disable SSLv2 everywhere the same RSA key is used (RFC 6176 prohibits it); DROWN lets SSLv2 on any server with the key decrypt TLS sessions of this one."
        ),
        references: &[R_DROWN, R_RFC6176],
    },
    FindingSpec {
        id: "SSL3_POODLE",
        severity: Severity::High,
        title: "SSLv3 with CBC suites is accepted (POODLE)",
        remedies: protocol_remedies!(
            "disable SSLv3",
            "Disable SSLv3 (RFC 7568): its CBC padding is not checked (POODLE) and its only alternative is RC4."
        ),
        references: &[R_POODLE, R_RFC7568],
    },
    FindingSpec {
        id: "TLS10_CBC_BEAST",
        severity: Severity::Low,
        title: "TLS 1.0 with CBC suites is accepted (BEAST)",
        remedies: protocol_remedies!(
            "disable TLS 1.0 once the clients allow it",
            "Disable TLS 1.0 once every client can do TLS 1.2 (RFC 8996). Current clients split records (1/n-1) against BEAST, so the risk is small; the protocol's age is the reason."
        ),
        references: &[R_BEAST, R_RFC9325],
    },
    FindingSpec {
        id: "SWEET32_64BIT_BLOCK",
        severity: Severity::Medium,
        title: "64-bit block ciphers (3DES, DES, IDEA, RC2) are accepted (Sweet32)",
        remedies: cipher_remedies!("remove 3DES, DES, IDEA and RC2 suites"),
        references: &[R_SWEET32, R_SWEET32_SITE, R_RFC9325],
    },
    FindingSpec {
        id: "RC4_ENABLED",
        severity: Severity::High,
        title: "RC4 suites are accepted",
        remedies: cipher_remedies!("remove the RC4 suites"),
        references: &[R_RC4, R_RFC7465],
    },
    FindingSpec {
        id: "EXPORT_RSA_FREAK",
        severity: Severity::Critical,
        title: "RSA export suites are accepted (FREAK)",
        remedies: cipher_remedies!("remove the export suites"),
        references: &[R_FREAK, R_RFC9325],
    },
    FindingSpec {
        id: "EXPORT_DH_LOGJAM",
        severity: Severity::Critical,
        title: "DHE export suites are accepted (Logjam)",
        remedies: cipher_remedies!("remove the export suites"),
        references: &[R_LOGJAM, R_WEAKDH],
    },
    FindingSpec {
        id: "NULL_CIPHER_ENABLED",
        severity: Severity::Critical,
        title: "NULL suites (no encryption) are accepted",
        remedies: cipher_remedies!("remove the NULL suites"),
        references: &[R_RFC9325, R_MOZ],
    },
    FindingSpec {
        id: "ANONYMOUS_SUITES_ENABLED",
        severity: Severity::High,
        title: "Anonymous suites (no server authentication) are accepted",
        remedies: cipher_remedies!("remove the anonymous (aNULL) suites"),
        references: &[R_RFC9325, R_MOZ],
    },
    FindingSpec {
        id: "LUCKY13_CBC",
        severity: Severity::Info,
        title: "CBC suites with HMAC are accepted (Lucky Thirteen)",
        remedies: cipher_remedies!("prefer AEAD (GCM, ChaCha20) suites"),
        references: &[R_LUCKY13, R_RFC7366],
    },
    FindingSpec {
        id: "STARTTLS_INJECTION",
        severity: Severity::Critical,
        title: "A command pipelined after STARTTLS is answered inside TLS (command injection)",
        remedies: update_remedies!(
            "update the mail server: it must discard plaintext buffered before STARTTLS",
            "Install the current cumulative update; if a proxy or load balancer terminates STARTTLS in front of Exchange, update or fix that device, which is then the one answering.",
            "Update Dovecot (CVE-2021-33515 was fixed in 2.3.14.1 for its submission service).",
            "Update Postfix (CVE-2011-0411 was fixed in 2.8.0, 2.7.3, 2.6.9, 2.5.12, 2.4.16).",
            "Update Courier (the 2011 fixes for CVE-2011-0411 class bugs).",
            "Update Cyrus IMAP (CVE-2011-1926 was fixed in 2.4.7).",
            "Update the server or the proxy terminating STARTTLS: after the STARTTLS OK it must throw away every byte received in plaintext (RFC 3207 §4.2, RFC 2595 §3.1)."
        ),
        references: &[R_INJECT, R_NOSTARTTLS, R_RFC3207, R_RFC2595],
    },
    FindingSpec {
        id: "STARTTLS_DATA_BEFORE_HANDSHAKE",
        severity: Severity::High,
        title: "The server sends plaintext after its STARTTLS OK, before the handshake",
        remedies: update_remedies!(
            "update the server or proxy that answers in plaintext after STARTTLS",
            "Check for a proxy or load balancer in front of Exchange that rewrites the dialogue; install the current cumulative update.",
            "Update Dovecot; check for a proxy in front of it.",
            "Update Postfix; check for a proxy (or postscreen in a broken chain) in front of it.",
            "Update Courier; check for a proxy in front of it.",
            "Update Cyrus IMAP; check for a proxy in front of it.",
            "After the STARTTLS OK the server must say nothing until the TLS handshake: whatever it sends is read as TLS by clients, and a man in the middle can use the gap to inject responses (NO STARTTLS, 2021)."
        ),
        references: &[R_NOSTARTTLS, R_RFC3207, R_RFC2595],
    },
    FindingSpec {
        id: "NO_FALLBACK_SCSV",
        severity: Severity::Low,
        title: "TLS_FALLBACK_SCSV is not honoured (no downgrade protection)",
        remedies: update_remedies!(
            "update the TLS library so it honours TLS_FALLBACK_SCSV",
            "Windows (SChannel) does not implement TLS_FALLBACK_SCSV; disable the lower versions instead (Exchange Server TLS guidance, part 3).",
            UPDATE_OPENSSL,
            UPDATE_OPENSSL,
            "Update OpenSSL or GnuTLS (GnuTLS 3.3.10+ honours the SCSV).",
            UPDATE_OPENSSL,
            "Use a TLS library that honours RFC 7507 (OpenSSL 1.0.1j+, GnuTLS 3.3.10+), or disable every version below the highest."
        ),
        references: &[R_RFC7507],
    },
    FindingSpec {
        id: "TLS_COMPRESSION_CRIME",
        severity: Severity::High,
        title: "TLS compression (DEFLATE) is accepted (CRIME)",
        remedies: update_remedies!(
            "turn TLS compression off",
            "SChannel never offered TLS compression: a device in front of Exchange answers; fix that one.",
            "Set ssl_options = no_compression (Dovecot 2.2.14+; later versions default to it).",
            "Set tls_ssl_options = NO_COMPRESSION (Postfix 3.4+), or update OpenSSL.",
            "Update Courier's TLS library (OpenSSL 1.1.0+ has no compression).",
            "Update OpenSSL (1.1.0+ builds have no compression).",
            "Turn off TLS compression (OpenSSL: SSL_OP_NO_COMPRESSION, default since 1.1.0); RFC 9325 §3.3 forbids it."
        ),
        references: &[R_CRIME, R_RFC9325],
    },
    FindingSpec {
        id: "NO_SECURE_RENEGOTIATION",
        severity: Severity::Medium,
        title: "RFC 5746 secure renegotiation is not supported",
        remedies: update_remedies!(
            "update the TLS stack to one with RFC 5746",
            "Install the Windows updates of 2010 (MS10-049) or later; current Windows has RFC 5746.",
            UPDATE_OPENSSL,
            UPDATE_OPENSSL,
            UPDATE_OPENSSL,
            UPDATE_OPENSSL,
            "Update the TLS library: every one since 2010 supports RFC 5746; without it, renegotiation allows CVE-2009-3555 prefix injection."
        ),
        references: &[R_RFC5746, R_RENEG],
    },
    FindingSpec {
        id: "CLIENT_RENEGOTIATION_ALLOWED",
        severity: Severity::Low,
        title: "Client-initiated renegotiation is accepted",
        remedies: update_remedies!(
            "refuse client-initiated renegotiation",
            "Set HKLM\\SYSTEM\\CurrentControlSet\\Control\\SecurityProviders\\SCHANNEL\\AllowInsecureRenegoClients and AllowInsecureRenegoServers to 0, and update Windows.",
            "Update OpenSSL to 3.x (servers refuse client renegotiation unless SSL_OP_ALLOW_CLIENT_RENEGOTIATION is set) and Dovecot.",
            "Update OpenSSL to 3.x, or set tls_ssl_options = NO_RENEGOTIATION (Postfix 3.4+).",
            "Update the TLS library (OpenSSL 3.x refuses client renegotiation by default).",
            "Update OpenSSL to 3.x (client renegotiation refused by default).",
            "Refuse renegotiation started by the client: each one costs the server a full handshake (CVE-2011-1473, THC-SSL-DOS)."
        ),
        references: &[R_RENEG_DOS, R_RFC5746],
    },
    FindingSpec {
        id: "HEARTBLEED",
        severity: Severity::Critical,
        title: "Heartbleed: the server returns memory in heartbeat responses",
        remedies: update_remedies!(
            "update OpenSSL, then replace the key and certificate",
            "SChannel is not affected: a device in front of Exchange answers; update it, then replace its key and certificate.",
            "Update OpenSSL (1.0.1g+), restart Dovecot, then replace the key and certificate and change the passwords that passed through it.",
            "Update OpenSSL (1.0.1g+), restart Postfix, then replace the key and certificate.",
            "Update OpenSSL (1.0.1g+), restart Courier, then replace the key and certificate and change the passwords that passed through it.",
            "Update OpenSSL (1.0.1g+), restart Cyrus, then replace the key and certificate and change the passwords that passed through it.",
            "Update OpenSSL to 1.0.1g or later (or build without heartbeats), restart, then revoke and replace the key and certificate and treat passwords as leaked."
        ),
        references: &[R_HEARTBLEED, R_RFC6520],
    },
    FindingSpec {
        id: "CCS_INJECTION",
        severity: Severity::High,
        title: "An early ChangeCipherSpec is accepted (CCS injection)",
        remedies: update_remedies!(
            "update OpenSSL",
            "SChannel is not affected: a device in front of Exchange answers; update it.",
            UPDATE_OPENSSL,
            UPDATE_OPENSSL,
            UPDATE_OPENSSL,
            UPDATE_OPENSSL,
            "Update OpenSSL to 0.9.8za / 1.0.0m / 1.0.1h or later."
        ),
        references: &[R_CCS],
    },
    FindingSpec {
        id: "ROBOT",
        severity: Severity::High,
        title: "ROBOT: the server is an RSA padding oracle",
        remedies: update_remedies!(
            "disable static RSA key exchange and update the TLS stack",
            "Disable the TLS_RSA_* suites (Disable-TlsCipherSuite, or the SSL Cipher Suite Order policy) and update Windows; check a load balancer in front of Exchange, the usual culprit.",
            "Set ssl_cipher_list without kRSA (e.g. ECDHE+AESGCM:ECDHE+CHACHA20) and update OpenSSL.",
            "Add kRSA to tls_high_cipherlist exclusions (smtpd_tls_exclude_ciphers = ..., kRSA) and update OpenSSL.",
            "Remove kRSA from TLS_CIPHER_LIST and update the TLS library.",
            "Remove kRSA from tls_ciphers and update OpenSSL.",
            "Disable the static RSA key exchange suites (TLS_RSA_*) and update the TLS implementation or the device in front of the server."
        ),
        references: &[R_ROBOT, R_ROBOT_CVE],
    },
    FindingSpec {
        id: "ROBOT_UNCONFIRMED",
        severity: Severity::Medium,
        title: "ROBOT (unconfirmed): RSA key exchanges with bad padding are answered differently",
        remedies: update_remedies!(
            "disable static RSA key exchange",
            "Disable the TLS_RSA_* suites (Disable-TlsCipherSuite, or the SSL Cipher Suite Order policy).",
            "Set ssl_cipher_list without kRSA.",
            "Exclude kRSA in smtpd_tls_exclude_ciphers.",
            "Remove kRSA from TLS_CIPHER_LIST.",
            "Remove kRSA from tls_ciphers.",
            "Disable the static RSA key exchange suites (TLS_RSA_*): without them there is no oracle to ask."
        ),
        references: &[R_ROBOT, R_ROBOT_CVE],
    },
];
