//! The profiles: every fact with its source. Error texts quote the client;
//! where the client runs here (Java 17, OpenSSL, Python's `ssl`), the
//! integration test `real_clients` runs it against fixtures and compares.

use super::facts::{Fact, Refusal, Source, err, err_when};
use super::offers::*;
use super::{
    CertRules, ClientOffer, ClientProfile, Compliance, Doubt, Failure, ProfileKind, Rule,
    StartTlsBehaviour,
};
use crate::report::{Protocol, TlsVersion};

use Fact::*;
use Source::{Capture, Observed, Repo, Unverified, Url};
use TlsVersion::{Tls10, Tls11, Tls12, Tls13};

// ---- sources ---------------------------------------------------------------

/// Microsoft 365 encryption reference: TLS 1.2, the Office 365 suite table, SHA-1 refused [ENC].
const ENC: Source = Repo {
    repo: "MicrosoftDocs/microsoft-365-docs",
    path: "microsoft-365/compliance/technical-reference-details-about-encryption.md",
    version: "c3aa1ae1d82d7aa44f9f3e8dbe3e1ea9d5776f38",
};
/// "IMAP migration fails ... TLS negotiation failed": the whole exception chain [2010IMAP].
const EXO_2010IMAP: Source = Repo {
    repo: "MicrosoftDocs/SupportArticles-docs",
    path: "Exchange/ExchangeOnline/move-or-migrate-mailboxes/mailbox-migration-fails-using-imap.md",
    version: "0bc175b9c1169ee201ca0587a1587040dcc72df2",
};
const EXO_IMAPTS: Source = Url(
    "https://learn.microsoft.com/troubleshoot/exchange/move-or-migrate-mailboxes/troubleshoot-issues-with-imap-mailbox-migration",
);
const NME: Source = Url(
    "https://learn.microsoft.com/powershell/module/exchange/new-migrationendpoint (-Security Tls|Ssl, -AcceptUntrustedCertificates)",
);
const W2022: Source = Repo {
    repo: "MicrosoftDocs/win32",
    path: "desktop-src/SecAuthN/tls-cipher-suites-in-windows-server-2022.md",
    version: "0c438d8f4f6245cac3daac533a9fd72ea5403b33",
};
/// SChannel registry settings: Diffie-Hellman and PKCS `ClientMinKeyBitLength`,
/// "If not configured, 1024 bits will be the minimum".
const SCHANNEL_REG: Source = Url(
    "https://learn.microsoft.com/windows-server/security/tls/tls-registry-settings#keyexchangealgorithm---diffie-hellman-key-sizes",
);
const MSPKI: Source =
    Url("https://learn.microsoft.com/archive/blogs/pki/rsa-keys-under-1024-bits-are-blocked");
/// Outlook's own message for a connection encryption mismatch (error 0x800CCC1A).
const OUTLOOK_0X800CCC1A: Source =
    Url("https://hostm.com/tutorials/security/outdated-email-encryption-windows");
const SCHANNEL_AIA: Source = Url(
    "https://learn.microsoft.com/previous-versions/windows/it-pro/windows-server-2008-R2-and-2008/cc700843(v=ws.10) (CryptoAPI retrieves missing issuers from the AIA caIssuers URL)",
);
/// Google's data migration service: IMAP over SSL (implicit TLS) on port 993.
const GDMS: Source = Url("https://support.google.com/a/answer/14792325");
const GCERT: Source = Url("https://support.google.com/a/answer/9158306");
const IMAPSYNC_SEC: Source = Repo {
    repo: "imapsync/imapsync",
    path: "FAQ.d/FAQ.Security.txt",
    version: "imapsync-2.229",
};
const IS37: Source = Url("https://github.com/imapsync/imapsync/issues/37");
const OSSL_SEC: Source = Repo {
    repo: "openssl/openssl",
    path: "doc/man3/SSL_CTX_set_security_level.pod",
    version: "openssl-3.2.0",
};
const OSSL_NEWS: Source = Repo {
    repo: "openssl/openssl",
    path: "NEWS.md",
    version: "openssl-3.2.0",
};
/// OpenSSL 3.5.0 CHANGES: the default group list `?*X25519MLKEM768 / ?*X25519:?secp256r1 / ...`.
const OSSL_35_CHANGES: Source = Repo {
    repo: "openssl/openssl",
    path: "CHANGES.md",
    version: "openssl-3.5.0",
};
/// `X509_V_ERR_EE_KEY_TOO_SMALL` = "EE certificate key too weak".
const OSSL_X509_TXT: Source = Repo {
    repo: "openssl/openssl",
    path: "crypto/x509/x509_txt.c",
    version: "openssl-3.0.0",
};
const OSSL_30_CAPTURE: Source = Capture("OpenSSL 3.0.3 (git)");
const JDK17: Source = Repo {
    repo: "openjdk/jdk17u-dev",
    path: "src/java.base/share/conf/security/java.security",
    version: "jdk-17.0.3-ga",
};
const JAVA_RUN: Source = Observed("tests/it/real_clients.rs java_17_*");
const JAVA17_CAPTURE: Source = Capture("Java 17.0.3 (OpenJDK)");
/// JavaMail's `SocketFetcher`: `mail.<protocol>.ssl.checkserveridentity` defaults to
/// false; the check, when on, throws "Can't verify identity of server: <host>".
const JAVAMAIL_FETCHER: Source = Repo {
    repo: "javaee/javamail",
    path: "mail/src/main/java/com/sun/mail/util/SocketFetcher.java",
    version: "9cf56778874d5beede58cd288db3405d4a7b2130",
};
const TB_CAPTURE: Source = Capture("Thunderbird (91.9)");
const TB78: Source =
    Url("https://www.privacy-handbuch.de/handbuch_31k.htm (security.tls.version.min = 3 since 78)");
const TBCERT: Source = Url("https://github.com/bkaankose/Wino-Mail/issues/348");
/// NSS error table: SSL_ERROR_UNSUPPORTED_VERSION, SSL_ERROR_PROTOCOL_VERSION_ALERT,
/// SSL_ERROR_NO_CYPHER_OVERLAP.
const NSS_ERRS: Source = Url("https://hg.mozilla.org/projects/nss/file/tip/lib/ssl/SSLerrs.h");
const APPLE_CAPTURE: Source = Capture("Apple Mail (16.0)");
/// Apple: RSA >= 2048, SHA-2, DNS name in SAN "or the certificate is no longer trusted".
const APPLE_CERT: Source = Url("https://support.apple.com/103769");
/// Apple Mail shows "Cannot Verify Server Identity" with Continue / Details for an
/// untrusted certificate: the user can trust it.
const APPLE_PROMPT: Source = Url(
    "https://apollo.bluecedar.com/knowledge-base/new-certificate-security-requirements-for-ios-13 (users can still press Continue)",
);
const MOZ6: Source = Repo {
    repo: "mozilla/ssl-config-generator",
    path: "src/static/guidelines/6.0.json",
    version: "8debe30faad8a27a3ba95954035c5d9cdd7a5066",
};
const RFC9325: Source = Url("https://www.rfc-editor.org/rfc/rfc9325");
const GUIDELINE_SILENT: Source =
    Unverified("a configuration guideline says nothing of client behaviour");

// ---- shared texts ------------------------------------------------------------

/// Exchange Online's error chain for "no common protocol or cipher" (SChannel
/// SEC_E_ALGORITHM_MISMATCH), whole and verbatim with its exception prefixes, as
/// Microsoft's article prints it (one line per inner exception, joined by spaces) [2010IMAP].
pub const EXO_TLS_CHAIN: &str = "Microsoft.Exchange.Migration.MigrationServerConnectionFailedException: The connection to the server '{host}' could not be completed. Microsoft.Exchange.Connections.Common.RemoteNetworkErrorTransientException: We were unable to reach your email provider. Please check your server settings, or try again later. Microsoft.Exchange.Connections.Common.SslStreamFailureException: TLS negotiation failed. System.ComponentModel.Win32Exception: The client and server cannot communicate, because they do not possess a common algorithm.";

/// Outlook's own dialog text (0x800CCC1A), not SChannel's.
pub const OUTLOOK_ENCRYPTION_TEXT: &str = "Your server does not support the connection encryption type you have specified. Try changing the encryption method. Contact your mail server administrator or Internet service provider (ISP). (0x800CCC1A)";

const OSSL_UNSUPPORTED_PROTOCOL: &str = "error:0A000102:SSL routines::unsupported protocol";
const OSSL_VERSION_ALERT: &str = "error:0A00042E:SSL routines::tlsv1 alert protocol version";
const OSSL_EOF: &str = "error:0A000126:SSL routines::unexpected eof while reading";
const OSSL_HANDSHAKE_FAILURE: &str = "error:0A000410:SSL routines::sslv3 alert handshake failure";
const OSSL_OBSERVED: Source = Observed("tests/it/real_clients.rs openssl_*");

/// Every profile. Order is the order of `clients[]` in a Report.
pub static PROFILES: &[ClientProfile] = &[
    ClientProfile {
        id: "exchange-online",
        name: "Exchange Online IMAP migration",
        short: "Exchange Online",
        kind: ProfileKind::Migration,
        protocols: IMAP,
        decides_by_default: IMAP,
        offer: ClientOffer {
            versions: &[Tls12],
            suites: OFFICE365_SUITES,
            groups: SCHANNEL_GROUPS,
            signature_algorithms: SCHANNEL_SIGALGS,
        },
        doubt: Some(Doubt {
            versions: &[Tls13],
            suites: EXO_DOUBT_SUITES,
            note: "Microsoft says TLS 1.3 is \"supported by some of the services\", and its encryption reference also lists the RSA AES-CBC suites (0x0035, 0x002F, 0x003D, 0x003C); whether the IMAP migration client offers them is not published [ENC]",
        }),
        min_dh_bits: None,
        min_ecdhe_bits: None,
        cert: CertRules {
            // -AcceptUntrustedCertificates implies validation by default (inference) [NME].
            trust: Rule::Unknown,
            expiry: Rule::Unknown,
            name: Rule::Unknown,
            // "Since June 2016, Office 365 no longer accepts an SHA-1 certificate" [ENC].
            sha1: Rule::Enforced,
            min_rsa_bits: Some(1024),
            min_ec_bits: None,
            key_size: Rule::Enforced,
            aia_fetch: Some(true),
        },
        starttls: StartTlsBehaviour::Required,
        errors: &[
            err(Failure::ProtocolVersion, EXO_TLS_CHAIN, EXO_2010IMAP),
            err(Failure::NoCommonSuite, EXO_TLS_CHAIN, EXO_2010IMAP),
            err(Failure::NoCommonGroup, EXO_TLS_CHAIN, EXO_2010IMAP),
            err(Failure::HandshakeRefused, EXO_TLS_CHAIN, EXO_2010IMAP),
            err(
                Failure::Timeout,
                "The connection to the server {host} timed out after 00:00:15.",
                EXO_IMAPTS,
            ),
            err(
                Failure::Unreachable,
                "The connection to the server {host} timed out after 00:00:15.",
                EXO_IMAPTS,
            ),
            err(
                Failure::Unresolved,
                "The connection to the server {host} could not be completed.",
                EXO_IMAPTS,
            ),
            err(
                Failure::LoginImpossible,
                "We had trouble signing in to this account. Confirm that you're using the correct user name and password.",
                EXO_IMAPTS,
            ),
        ],
        compliance: None,
        summary: "Microsoft 365 IMAP migration (New-MigrationEndpoint -IMAP / Test-MigrationServerAvailability): TLS 1.2 with one of the eight Office 365 suites (RSA AES-CBC a risk), no SHA-1 certificate; Ssl on 993 or Tls (STARTTLS) on 143.",
        facts: &[
            (Versions, ENC),
            (Suites, ENC),
            (
                Groups,
                Unverified(
                    "Microsoft does not publish the migration client's groups; SChannel's defaults assumed",
                ),
            ),
            (
                SignatureAlgorithms,
                Unverified("not published; SChannel's defaults assumed"),
            ),
            (MinRsaBits, MSPKI),
            (KeySize, MSPKI),
            (
                Trust,
                Unverified(
                    "-AcceptUntrustedCertificates exists but its help text is a placeholder",
                ),
            ),
            (Expiry, Unverified("not documented for IMAP endpoints")),
            (Name, Unverified("not documented for IMAP endpoints")),
            (Sha1, ENC),
            (Starttls, NME),
            (AiaFetch, SCHANNEL_AIA),
        ],
    },
    ClientProfile {
        id: "google-workspace",
        name: "Google Workspace data migration service (IMAP)",
        short: "Google Workspace",
        kind: ProfileKind::Migration,
        protocols: IMAP,
        decides_by_default: IMAP,
        // Google publishes no TLS floor or suite list: this is a modern BoringSSL-style offer,
        // and everything older is a doubt, not a certainty [GCERT].
        offer: ClientOffer {
            versions: &[Tls12, Tls13],
            suites: GOOGLE_SUITES,
            groups: GOOGLE_GROUPS,
            signature_algorithms: SCHANNEL_SIGALGS,
        },
        doubt: Some(Doubt {
            versions: &[Tls10, Tls11],
            // DHE-RSA AES-GCM/CBC and 3DES: whether the service offers them is not published.
            suites: &[0x009F, 0x009E, 0x0039, 0x0033, 0x000A],
            note: "Google does not publish the data migration service's TLS floor or cipher list [GCERT]",
        }),
        min_dh_bits: None,
        min_ecdhe_bits: None,
        cert: CertRules {
            // "signed and trusted by a third-party root certificate authority"; self-signed not supported [GCERT].
            trust: Rule::Enforced,
            expiry: Rule::Enforced,
            name: Rule::Unknown,
            sha1: Rule::Unknown,
            // 2048-bit is "recommended", not required [GCERT].
            min_rsa_bits: Some(2048),
            min_ec_bits: None,
            key_size: Rule::Unknown,
            aia_fetch: None,
        },
        // The current service documents IMAP over SSL on port 993 only: a STARTTLS port
        // is not a supported way in [GDMS].
        starttls: StartTlsBehaviour::Unsupported,
        errors: &[],
        compliance: None,
        summary: "Google Workspace data migration service from an IMAP server: IMAP over SSL on port 993 (a STARTTLS-only port 143 is not supported), publicly trusted certificate with its intermediates; TLS floor and suites not published (modern offer assumed, older versions a risk).",
        facts: &[
            (Versions, Unverified("Google publishes no TLS floor")),
            (Suites, Unverified("Google publishes no cipher list")),
            (Groups, Unverified("not published")),
            (SignatureAlgorithms, Unverified("not published")),
            (MinRsaBits, GCERT),
            (
                KeySize,
                Unverified("2048 bits is recommended, not documented as required"),
            ),
            (Trust, GCERT),
            (Expiry, GCERT),
            (Name, Unverified("not documented")),
            (Sha1, Unverified("not documented")),
            (Starttls, GDMS),
            (
                AiaFetch,
                Unverified("not documented; Google asks for the intermediates to be installed"),
            ),
        ],
    },
    ClientProfile {
        id: "imapsync",
        name: "imapsync (OpenSSL 3 as shipped by Debian/Ubuntu)",
        short: "imapsync",
        kind: ProfileKind::Migration,
        protocols: IMAP,
        decides_by_default: IMAP,
        offer: ClientOffer {
            versions: &[Tls12, Tls13],
            suites: OPENSSL3_SUITES,
            groups: OPENSSL30_GROUPS,
            signature_algorithms: OPENSSL3_SIGALGS,
        },
        doubt: None,
        min_dh_bits: Some(2048),
        min_ecdhe_bits: Some(224),
        cert: CertRules {
            // SSL_VERIFY_NONE by default since 1.653/1.673 [IMAPSYNC-SEC].
            trust: Rule::NotChecked,
            expiry: Rule::NotChecked,
            name: Rule::NotChecked,
            sha1: Rule::NotChecked,
            min_rsa_bits: Some(2048),
            min_ec_bits: Some(224),
            // Certificate key checks are verification errors, ignored under SSL_VERIFY_NONE.
            key_size: Rule::NotChecked,
            aia_fetch: Some(false),
        },
        starttls: StartTlsBehaviour::Opportunistic,
        errors: &[
            err_when(
                Failure::ProtocolVersion,
                Refusal::DowngradedHello,
                OSSL_UNSUPPORTED_PROTOCOL,
                OSSL_OBSERVED,
            ),
            err_when(
                Failure::ProtocolVersion,
                Refusal::VersionAlert,
                OSSL_VERSION_ALERT,
                OSSL_OBSERVED,
            ),
            err_when(
                Failure::ProtocolVersion,
                Refusal::Closed,
                OSSL_EOF,
                OSSL_OBSERVED,
            ),
            err(
                Failure::NoCommonSuite,
                OSSL_HANDSHAKE_FAILURE,
                OSSL_OBSERVED,
            ),
            err(
                Failure::NoCommonGroup,
                OSSL_HANDSHAKE_FAILURE,
                OSSL_OBSERVED,
            ),
            err(
                Failure::HandshakeRefused,
                OSSL_HANDSHAKE_FAILURE,
                OSSL_OBSERVED,
            ),
            err(
                Failure::DhTooSmall,
                "error:0A00018A:SSL routines::dh key too small",
                OSSL_SEC,
            ),
            err(
                Failure::WrongService,
                "error:0A00010B:SSL routines::wrong version number",
                OSSL_OBSERVED,
            ),
        ],
        compliance: None,
        summary: "imapsync with the system OpenSSL 3 (TLS 1.2+, security level 2 where the distribution sets it): no certificate verification by default, STARTTLS used when advertised; override with --sslargs1 SSL_version=... / SSL_cipher_list=DEFAULT.",
        facts: &[
            (
                Versions,
                Unverified(
                    "the floor is the distribution's OpenSSL policy (Debian 12 sets none; OpenSSL 3.0's level 1 refuses TLS 1.0/1.1 signatures)",
                ),
            ),
            (Suites, OSSL_30_CAPTURE),
            (Groups, OSSL_30_CAPTURE),
            (SignatureAlgorithms, OSSL_30_CAPTURE),
            (MinDhBits, OSSL_SEC),
            (MinEcdheBits, OSSL_SEC),
            (MinRsaBits, OSSL_SEC),
            (MinEcBits, OSSL_SEC),
            (Trust, IMAPSYNC_SEC),
            (Expiry, IMAPSYNC_SEC),
            (Name, IMAPSYNC_SEC),
            (Sha1, IMAPSYNC_SEC),
            (KeySize, IMAPSYNC_SEC),
            (Starttls, IS37),
            (
                AiaFetch,
                Unverified(
                    "OpenSSL's verifier does not fetch AIA caIssuers; no document re-read here",
                ),
            ),
        ],
    },
    ClientProfile {
        id: "openssl-seclevel2",
        name: "OpenSSL 3.5 default (security level 2)",
        short: "OpenSSL 3.5",
        kind: ProfileKind::Library,
        protocols: ALL_PROTOCOLS,
        decides_by_default: &[Protocol::Tls],
        offer: ClientOffer {
            versions: &[Tls12, Tls13],
            suites: OPENSSL3_SUITES,
            groups: OPENSSL35_GROUPS,
            signature_algorithms: OPENSSL3_SIGALGS,
        },
        doubt: None,
        // Level 2: RSA/DH < 2048 and ECC < 224 prohibited; RC4 prohibited [OSSL-SEC][OSSL-NEWS].
        min_dh_bits: Some(2048),
        min_ecdhe_bits: Some(224),
        cert: CertRules {
            trust: Rule::Enforced,
            expiry: Rule::Enforced,
            name: Rule::Enforced,
            sha1: Rule::Enforced,
            min_rsa_bits: Some(2048),
            min_ec_bits: Some(224),
            key_size: Rule::Enforced,
            aia_fetch: Some(false),
        },
        starttls: StartTlsBehaviour::NotApplicable,
        errors: &[
            err_when(
                Failure::ProtocolVersion,
                Refusal::DowngradedHello,
                OSSL_UNSUPPORTED_PROTOCOL,
                OSSL_OBSERVED,
            ),
            err_when(
                Failure::ProtocolVersion,
                Refusal::VersionAlert,
                OSSL_VERSION_ALERT,
                OSSL_OBSERVED,
            ),
            err_when(
                Failure::ProtocolVersion,
                Refusal::Closed,
                OSSL_EOF,
                OSSL_OBSERVED,
            ),
            err(
                Failure::NoCommonSuite,
                OSSL_HANDSHAKE_FAILURE,
                OSSL_OBSERVED,
            ),
            err(
                Failure::NoCommonGroup,
                OSSL_HANDSHAKE_FAILURE,
                OSSL_OBSERVED,
            ),
            err(
                Failure::HandshakeRefused,
                OSSL_HANDSHAKE_FAILURE,
                OSSL_OBSERVED,
            ),
            err(
                Failure::DhTooSmall,
                "error:0A00018A:SSL routines::dh key too small",
                OSSL_SEC,
            ),
            err(
                Failure::CertKeyTooSmall,
                "error:0A000086:SSL routines::certificate verify failed (EE certificate key too weak)",
                OSSL_X509_TXT,
            ),
            err(
                Failure::Untrusted,
                "error:0A000086:SSL routines::certificate verify failed (self-signed certificate in certificate chain / unable to get local issuer certificate)",
                OSSL_OBSERVED,
            ),
            err(
                Failure::IncompleteChain,
                "error:0A000086:SSL routines::certificate verify failed (unable to get local issuer certificate)",
                OSSL_OBSERVED,
            ),
            err(
                Failure::Expired,
                "error:0A000086:SSL routines::certificate verify failed (certificate has expired)",
                OSSL_X509_TXT,
            ),
            err(
                Failure::NameMismatch,
                "error:0A000086:SSL routines::certificate verify failed (hostname mismatch)",
                OSSL_X509_TXT,
            ),
            err(
                Failure::Sha1Certificate,
                "error:0A000086:SSL routines::certificate verify failed (CA signature digest algorithm too weak)",
                OSSL_X509_TXT,
            ),
            err(
                Failure::WrongService,
                "error:0A00010B:SSL routines::wrong version number",
                OSSL_OBSERVED,
            ),
        ],
        compliance: None,
        summary: "A verifying client on OpenSSL 3.5 defaults: TLS 1.2+, X25519MLKEM768 first among the groups, no SHA-1 signatures, RSA/DH >= 2048 bits, ECC >= 224 bits, RC4 and 3DES off.",
        facts: &[
            (Versions, OSSL_SEC),
            (Suites, OSSL_30_CAPTURE),
            (Groups, OSSL_35_CHANGES),
            (SignatureAlgorithms, OSSL_30_CAPTURE),
            (MinDhBits, OSSL_SEC),
            (MinEcdheBits, OSSL_SEC),
            (MinRsaBits, OSSL_SEC),
            (MinEcBits, OSSL_SEC),
            (Trust, OSSL_SEC),
            (Expiry, OSSL_SEC),
            (Name, OSSL_SEC),
            (Sha1, OSSL_NEWS),
            (KeySize, OSSL_SEC),
            (Starttls, Unverified("a library: the application decides")),
            (
                AiaFetch,
                Unverified(
                    "OpenSSL's verifier does not fetch AIA caIssuers; no document re-read here",
                ),
            ),
        ],
    },
    ClientProfile {
        id: "thunderbird",
        name: "Thunderbird 91.9 (NSS; capture)",
        short: "Thunderbird",
        kind: ProfileKind::MailClient,
        protocols: MAIL_PROTOCOLS,
        decides_by_default: &[Protocol::Pop3, Protocol::Smtp],
        offer: ClientOffer {
            versions: &[Tls12, Tls13],
            suites: NSS_SUITES,
            groups: NSS_GROUPS,
            signature_algorithms: NSS_SIGALGS,
        },
        doubt: None,
        min_dh_bits: None,
        min_ecdhe_bits: None,
        cert: CertRules {
            // Untrusted certificates lead to an exception prompt (observed) [TBCERT].
            trust: Rule::Prompt,
            expiry: Rule::Prompt,
            name: Rule::Prompt,
            sha1: Rule::Unknown,
            min_rsa_bits: None,
            min_ec_bits: None,
            key_size: Rule::Unknown,
            aia_fetch: Some(false),
        },
        starttls: StartTlsBehaviour::Required,
        errors: &[
            err_when(
                Failure::ProtocolVersion,
                Refusal::DowngradedHello,
                "Peer using unsupported version of security protocol.",
                NSS_ERRS,
            ),
            err_when(
                Failure::ProtocolVersion,
                Refusal::VersionAlert,
                "Peer reports incompatible or unsupported protocol version.",
                NSS_ERRS,
            ),
            err(
                Failure::NoCommonSuite,
                "Cannot communicate securely with peer: no common encryption algorithm(s).",
                NSS_ERRS,
            ),
        ],
        compliance: None,
        summary: "Thunderbird (91.9 capture; TLS 1.2 floor since 78) on NSS: no DHE suites, 3DES last; certificate problems raise an exception prompt.",
        facts: &[
            (Versions, TB_CAPTURE),
            (Suites, TB_CAPTURE),
            (Groups, TB_CAPTURE),
            (SignatureAlgorithms, TB_CAPTURE),
            (Trust, TBCERT),
            (Expiry, TBCERT),
            (Name, TBCERT),
            (Sha1, Unverified("not documented for Thunderbird")),
            (KeySize, Unverified("not documented for Thunderbird")),
            (Starttls, TB78),
            (
                AiaFetch,
                Unverified(
                    "NSS fetches AIA only when configured; Thunderbird's default not documented",
                ),
            ),
        ],
    },
    ClientProfile {
        id: "outlook-windows",
        name: "Outlook on Windows (SChannel)",
        short: "Outlook",
        kind: ProfileKind::MailClient,
        protocols: MAIL_PROTOCOLS,
        decides_by_default: &[Protocol::Pop3, Protocol::Smtp],
        offer: ClientOffer {
            versions: &[Tls12, Tls13],
            suites: SCHANNEL_SUITES,
            groups: SCHANNEL_GROUPS,
            signature_algorithms: SCHANNEL_SIGALGS,
        },
        doubt: Some(Doubt {
            versions: &[Tls10, Tls11],
            suites: &[],
            note: "Outlook is assumed to follow SChannel (unverified); Windows releases before September 2023 still enable TLS 1.0/1.1 [PROT][WIN-TLS]",
        }),
        // SChannel's Diffie-Hellman ClientMinKeyBitLength: 1024 bits when not configured.
        min_dh_bits: Some(1024),
        min_ecdhe_bits: None,
        cert: CertRules {
            trust: Rule::Prompt,
            expiry: Rule::Prompt,
            name: Rule::Prompt,
            sha1: Rule::Unknown,
            // RSA keys under 1024 bits are blocked since the 2012 update [MSPKI].
            min_rsa_bits: Some(1024),
            min_ec_bits: None,
            key_size: Rule::Enforced,
            aia_fetch: Some(true),
        },
        starttls: StartTlsBehaviour::Required,
        errors: &[
            err(
                Failure::ProtocolVersion,
                OUTLOOK_ENCRYPTION_TEXT,
                OUTLOOK_0X800CCC1A,
            ),
            err(
                Failure::NoCommonSuite,
                OUTLOOK_ENCRYPTION_TEXT,
                OUTLOOK_0X800CCC1A,
            ),
        ],
        compliance: None,
        summary: "Outlook on current Windows, via SChannel: TLS 1.2/1.3 with SCH_USE_STRONG_CRYPTO (no RC4, 3DES or DHE-RSA-AES256-GCM), DH >= 1024 bits; shows 0x800CCC1A on a version or suite mismatch; certificate problems prompt the user.",
        facts: &[
            (
                Versions,
                Unverified("Outlook is assumed to follow SChannel's defaults"),
            ),
            (Suites, W2022),
            (
                Groups,
                Unverified("SChannel's curve order is not in the cipher table"),
            ),
            (SignatureAlgorithms, Unverified("not published")),
            (MinDhBits, SCHANNEL_REG),
            (MinRsaBits, MSPKI),
            (KeySize, MSPKI),
            (
                Trust,
                Unverified("Outlook's certificate prompt is commonly reported, not documented"),
            ),
            (Expiry, Unverified("as trust")),
            (Name, Unverified("as trust")),
            (Sha1, Unverified("not documented for Outlook")),
            (Starttls, Unverified("not documented")),
            (AiaFetch, SCHANNEL_AIA),
        ],
    },
    ClientProfile {
        id: "apple-mail",
        name: "Apple Mail 16.0 (capture)",
        short: "Apple Mail",
        kind: ProfileKind::MailClient,
        protocols: MAIL_PROTOCOLS,
        decides_by_default: &[Protocol::Pop3, Protocol::Smtp],
        // The newest capture is Apple Mail 16.0 (macOS 13): TLS 1.0-1.2, no 1.3. Later
        // versions may offer TLS 1.3: a doubt, not a fact.
        offer: ClientOffer {
            versions: &[Tls10, Tls11, Tls12],
            suites: APPLE_MAIL16_SUITES,
            groups: APPLE_MAIL16_GROUPS,
            signature_algorithms: APPLE_MAIL16_SIGALGS,
        },
        doubt: Some(Doubt {
            versions: &[Tls13],
            suites: APPLE_TLS13,
            note: "the newest captured Apple Mail (16.0) offers no TLS 1.3; whether later versions do is not verified",
        }),
        min_dh_bits: None,
        min_ecdhe_bits: None,
        cert: CertRules {
            // Apple's rules make such certificates "no longer trusted"; Mail then shows
            // "Cannot Verify Server Identity" and lets the user continue [APPLE-CERT].
            trust: Rule::Prompt,
            expiry: Rule::Prompt,
            name: Rule::Prompt,
            sha1: Rule::Prompt,
            min_rsa_bits: Some(2048),
            min_ec_bits: None,
            key_size: Rule::Prompt,
            aia_fetch: None,
        },
        starttls: StartTlsBehaviour::Required,
        errors: &[
            err(
                Failure::Untrusted,
                "Cannot Verify Server Identity",
                APPLE_PROMPT,
            ),
            err(
                Failure::Expired,
                "Cannot Verify Server Identity",
                APPLE_PROMPT,
            ),
            err(
                Failure::NameMismatch,
                "Cannot Verify Server Identity",
                APPLE_PROMPT,
            ),
            err(
                Failure::Sha1Certificate,
                "Cannot Verify Server Identity",
                APPLE_PROMPT,
            ),
            err(
                Failure::CertKeyTooSmall,
                "Cannot Verify Server Identity",
                APPLE_PROMPT,
            ),
        ],
        compliance: None,
        summary: "Apple Mail as captured (16.0, macOS 13): TLS 1.0-1.2 with 21 suites including CBC and 3DES; Apple's certificate rules (RSA >= 2048, SHA-2, name in SAN) raise a prompt the user can accept. Newer versions' TLS 1.3 is unverified.",
        facts: &[
            (Versions, APPLE_CAPTURE),
            (Suites, APPLE_CAPTURE),
            (Groups, APPLE_CAPTURE),
            (SignatureAlgorithms, APPLE_CAPTURE),
            (MinRsaBits, APPLE_CERT),
            (KeySize, APPLE_PROMPT),
            (Trust, APPLE_PROMPT),
            (Expiry, APPLE_PROMPT),
            (Name, APPLE_CERT),
            (Sha1, APPLE_PROMPT),
            (Starttls, Unverified("not documented")),
            (AiaFetch, Unverified("not documented")),
        ],
    },
    ClientProfile {
        id: "java-17",
        name: "Java 17 (JSSE defaults; JavaMail or Angus Mail)",
        short: "Java 17",
        kind: ProfileKind::Library,
        protocols: ALL_PROTOCOLS,
        decides_by_default: &[Protocol::Tls],
        offer: ClientOffer {
            versions: &[Tls12, Tls13],
            suites: JAVA17_SUITES,
            groups: JAVA17_GROUPS,
            signature_algorithms: JAVA17_SIGALGS,
        },
        doubt: Some(Doubt {
            versions: &[],
            suites: JAVA17U_DISABLED,
            note: "JDK 17.0.3 offers the TLS_RSA_* suites; later 17u updates disable them [JDK17U]",
        }),
        // jdk.tls.disabledAlgorithms: DH keySize < 1024, EC keySize < 224 [JDK17].
        min_dh_bits: Some(1024),
        min_ecdhe_bits: Some(224),
        cert: CertRules {
            trust: Rule::Enforced,
            expiry: Rule::Enforced,
            // JavaMail (com.sun.mail) does not check the host name by default
            // (mail.<protocol>.ssl.checkserveridentity = false); Angus Mail does.
            name: Rule::Configurable,
            // certpath: SHA1 jdkCA & usage TLSServer (public roots only) [JDK17].
            sha1: Rule::Enforced,
            min_rsa_bits: Some(1024),
            min_ec_bits: Some(224),
            key_size: Rule::Enforced,
            aia_fetch: Some(false),
        },
        starttls: StartTlsBehaviour::NotApplicable,
        errors: &[
            err_when(
                Failure::ProtocolVersion,
                Refusal::DowngradedHello,
                "javax.net.ssl.SSLHandshakeException: The server selected protocol version {java_version} is not accepted by client preferences [TLS13, TLS12]",
                JAVA_RUN,
            ),
            err_when(
                Failure::ProtocolVersion,
                Refusal::VersionAlert,
                "javax.net.ssl.SSLHandshakeException: Received fatal alert: protocol_version",
                JAVA_RUN,
            ),
            err_when(
                Failure::ProtocolVersion,
                Refusal::Closed,
                "javax.net.ssl.SSLHandshakeException: Remote host terminated the handshake",
                JAVA_RUN,
            ),
            err(
                Failure::NoCommonSuite,
                "javax.net.ssl.SSLHandshakeException: Received fatal alert: handshake_failure",
                JAVA_RUN,
            ),
            err(
                Failure::DhTooSmall,
                "javax.net.ssl.SSLHandshakeException: DH ServerKeyExchange does not comply to algorithm constraints",
                Unverified("commonly reported JSSE text, not run here"),
            ),
            err(
                Failure::Untrusted,
                "javax.net.ssl.SSLHandshakeException: PKIX path building failed: sun.security.provider.certpath.SunCertPathBuilderException: unable to find valid certification path to requested target",
                JAVA_RUN,
            ),
            err(
                Failure::IncompleteChain,
                "javax.net.ssl.SSLHandshakeException: PKIX path building failed: sun.security.provider.certpath.SunCertPathBuilderException: unable to find valid certification path to requested target",
                JAVA_RUN,
            ),
            err(
                Failure::Expired,
                "javax.net.ssl.SSLHandshakeException: PKIX path validation failed: java.security.cert.CertPathValidatorException: validity check failed",
                Unverified("commonly reported JSSE text, not run here"),
            ),
            err(
                Failure::NameMismatch,
                "java.io.IOException: Can't verify identity of server: {host}",
                JAVAMAIL_FETCHER,
            ),
        ],
        compliance: None,
        summary: "Java 17 JSSE defaults (17.0.3 capture): TLS 1.2+, no RC4/3DES/DES, DH >= 1024, EC >= 224, PKIX validation; the host name is checked by Angus Mail, not by JavaMail's default.",
        facts: &[
            (Versions, JDK17),
            (Suites, JAVA17_CAPTURE),
            (Groups, JAVA17_CAPTURE),
            (SignatureAlgorithms, JAVA17_CAPTURE),
            (MinDhBits, JDK17),
            (MinEcdheBits, JDK17),
            (MinRsaBits, JDK17),
            (MinEcBits, JDK17),
            (Trust, JDK17),
            (Expiry, JDK17),
            (Name, JAVAMAIL_FETCHER),
            (Sha1, JDK17),
            (KeySize, JDK17),
            (Starttls, Unverified("a library: the application decides")),
            (
                AiaFetch,
                Unverified(
                    "com.sun.security.enableAIAcaIssuers is off by default (JDK documentation, not re-read here)",
                ),
            ),
        ],
    },
    ClientProfile {
        id: "mozilla-intermediate",
        name: "Mozilla intermediate configuration (guideline 6.0)",
        short: "Mozilla intermediate",
        kind: ProfileKind::Compliance,
        protocols: ALL_PROTOCOLS,
        decides_by_default: &[],
        offer: ClientOffer {
            versions: &[Tls12, Tls13],
            suites: MOZ_INTERMEDIATE_SUITES,
            groups: MOZ_GROUPS,
            signature_algorithms: NSS_SIGALGS,
        },
        doubt: None,
        min_dh_bits: Some(2048),
        min_ecdhe_bits: Some(256),
        cert: CertRules {
            trust: Rule::NotChecked,
            expiry: Rule::NotChecked,
            name: Rule::NotChecked,
            sha1: Rule::NotChecked,
            min_rsa_bits: Some(2048),
            min_ec_bits: None,
            key_size: Rule::Enforced,
            aia_fetch: None,
        },
        starttls: StartTlsBehaviour::NotApplicable,
        errors: &[],
        compliance: Some(Compliance {
            allowed_versions: &[Tls12, Tls13],
            allowed_suites: Some(MOZ_INTERMEDIATE_SUITES),
            forbid_broken_ciphers: true,
            prefer_forward_secrecy: false,
            min_dh_bits: Some(2048),
            certificate_key_type: None,
        }),
        summary: "Mozilla server-side TLS intermediate, guideline 6.0: TLS 1.2-1.3, ECDHE AES-GCM and CHACHA20 only, groups X25519MLKEM768/X25519/P-256/P-384, DH >= 2048, RSA >= 2048.",
        facts: &[
            (Versions, MOZ6),
            (Suites, MOZ6),
            (Groups, MOZ6),
            (SignatureAlgorithms, GUIDELINE_SILENT),
            (MinDhBits, MOZ6),
            (MinEcdheBits, MOZ6),
            (MinRsaBits, MOZ6),
            (KeySize, MOZ6),
            (Trust, GUIDELINE_SILENT),
            (Expiry, GUIDELINE_SILENT),
            (Name, GUIDELINE_SILENT),
            (Sha1, GUIDELINE_SILENT),
            (Starttls, GUIDELINE_SILENT),
            (AiaFetch, GUIDELINE_SILENT),
        ],
    },
    ClientProfile {
        id: "mozilla-modern",
        name: "Mozilla modern configuration (guideline 6.0)",
        short: "Mozilla modern",
        kind: ProfileKind::Compliance,
        protocols: ALL_PROTOCOLS,
        decides_by_default: &[],
        offer: ClientOffer {
            versions: &[Tls13],
            suites: MOZ_MODERN_SUITES,
            groups: MOZ_GROUPS,
            signature_algorithms: NSS_SIGALGS,
        },
        doubt: None,
        min_dh_bits: None,
        min_ecdhe_bits: None,
        cert: CertRules {
            trust: Rule::NotChecked,
            expiry: Rule::NotChecked,
            name: Rule::NotChecked,
            sha1: Rule::NotChecked,
            min_rsa_bits: None,
            min_ec_bits: None,
            key_size: Rule::NotChecked,
            aia_fetch: None,
        },
        starttls: StartTlsBehaviour::NotApplicable,
        errors: &[],
        compliance: Some(Compliance {
            allowed_versions: &[Tls13],
            allowed_suites: Some(&[]),
            forbid_broken_ciphers: true,
            prefer_forward_secrecy: false,
            min_dh_bits: None,
            certificate_key_type: Some("EC"),
        }),
        summary: "Mozilla server-side TLS modern (guideline 6.0): TLS 1.3 only, with an ECDSA certificate.",
        facts: &[
            (Versions, MOZ6),
            (Suites, MOZ6),
            (Groups, MOZ6),
            (SignatureAlgorithms, GUIDELINE_SILENT),
            (KeySize, MOZ6),
            (Trust, GUIDELINE_SILENT),
            (Expiry, GUIDELINE_SILENT),
            (Name, GUIDELINE_SILENT),
            (Sha1, GUIDELINE_SILENT),
            (Starttls, GUIDELINE_SILENT),
            (AiaFetch, GUIDELINE_SILENT),
        ],
    },
    ClientProfile {
        id: "rfc9325",
        name: "RFC 9325 (BCP 195)",
        short: "RFC 9325",
        kind: ProfileKind::Compliance,
        protocols: ALL_PROTOCOLS,
        decides_by_default: &[],
        offer: ClientOffer {
            versions: &[Tls12, Tls13],
            suites: RFC9325_SUITES,
            groups: RFC9325_GROUPS,
            signature_algorithms: NSS_SIGALGS,
        },
        doubt: None,
        min_dh_bits: None,
        min_ecdhe_bits: None,
        cert: CertRules {
            trust: Rule::NotChecked,
            expiry: Rule::NotChecked,
            name: Rule::NotChecked,
            sha1: Rule::NotChecked,
            min_rsa_bits: None,
            min_ec_bits: None,
            key_size: Rule::NotChecked,
            aia_fetch: None,
        },
        starttls: StartTlsBehaviour::NotApplicable,
        errors: &[],
        compliance: Some(Compliance {
            // MUST NOT negotiate SSL, TLS 1.0 or TLS 1.1; MUST support TLS 1.2 (§3.1.1).
            allowed_versions: &[Tls12, Tls13],
            allowed_suites: None,
            // MUST NOT negotiate NULL, RC4 or export-grade suites (§4.1).
            forbid_broken_ciphers: true,
            // Forward-secret suites MUST be supported and preferred (§3.1.1, §4.1).
            prefer_forward_secrecy: true,
            min_dh_bits: None,
            certificate_key_type: None,
        }),
        summary: "RFC 9325 / BCP 195: no SSL, TLS 1.0 or 1.1; TLS 1.2 supported; no NULL, RC4 or export suites; forward secrecy supported and preferred.",
        facts: &[
            (Versions, RFC9325),
            (Suites, RFC9325),
            (
                Groups,
                Unverified("a model client: RFC 9325 names no group order"),
            ),
            (SignatureAlgorithms, GUIDELINE_SILENT),
            (KeySize, RFC9325),
            (Trust, GUIDELINE_SILENT),
            (Expiry, GUIDELINE_SILENT),
            (Name, GUIDELINE_SILENT),
            (Sha1, GUIDELINE_SILENT),
            (Starttls, GUIDELINE_SILENT),
            (AiaFetch, GUIDELINE_SILENT),
        ],
    },
];
