//! The sources the profiles cite, each once.

use super::facts::Source;
use Source::{Capture, Observed, Repo, Unverified, Url};

// ---- sources ---------------------------------------------------------------

/// Microsoft 365 encryption reference: TLS 1.2, the Office 365 suite table, SHA-1 refused [ENC].
pub(super) const ENC: Source = Repo {
    repo: "MicrosoftDocs/microsoft-365-docs",
    path: "microsoft-365/compliance/technical-reference-details-about-encryption.md",
    version: "c3aa1ae1d82d7aa44f9f3e8dbe3e1ea9d5776f38",
};
/// "IMAP migration fails ... TLS negotiation failed": the whole exception chain [2010IMAP].
pub(super) const EXO_2010IMAP: Source = Repo {
    repo: "MicrosoftDocs/SupportArticles-docs",
    path: "Exchange/ExchangeOnline/move-or-migrate-mailboxes/mailbox-migration-fails-using-imap.md",
    version: "0bc175b9c1169ee201ca0587a1587040dcc72df2",
};
pub(super) const EXO_IMAPTS: Source = Url(
    "https://learn.microsoft.com/troubleshoot/exchange/move-or-migrate-mailboxes/troubleshoot-issues-with-imap-mailbox-migration",
);
pub(super) const NME: Source = Url(
    "https://learn.microsoft.com/powershell/module/exchange/new-migrationendpoint (-Security Tls|Ssl, -AcceptUntrustedCertificates)",
);
pub(super) const W2022: Source = Repo {
    repo: "MicrosoftDocs/win32",
    path: "desktop-src/SecAuthN/tls-cipher-suites-in-windows-server-2022.md",
    version: "0c438d8f4f6245cac3daac533a9fd72ea5403b33",
};
/// SChannel registry settings: Diffie-Hellman and PKCS `ClientMinKeyBitLength`,
/// "If not configured, 1024 bits will be the minimum".
pub(super) const SCHANNEL_REG: Source = Url(
    "https://learn.microsoft.com/windows-server/security/tls/tls-registry-settings#keyexchangealgorithm---diffie-hellman-key-sizes",
);
pub(super) const MSPKI: Source =
    Url("https://learn.microsoft.com/archive/blogs/pki/rsa-keys-under-1024-bits-are-blocked");
/// Outlook's own message for a connection encryption mismatch (error 0x800CCC1A).
pub(super) const OUTLOOK_0X800CCC1A: Source =
    Url("https://hostm.com/tutorials/security/outdated-email-encryption-windows");
/// The CryptoAPI chain engine (CertGetCertificateChain) behind SChannel retrieves
/// a missing issuer from the AIA URL unless an option or policy disables it
/// (CERT_CHAIN_OPTION_DISABLE_AIA_URL_RETRIEVAL, CERT_CHAIN_DISABLE_AIA_URL_RETRIEVAL):
/// on by default, read from the API reference (an inference from the opt-out).
pub(super) const SCHANNEL_AIA: Source = Url(
    "https://learn.microsoft.com/windows/win32/api/wincrypt/nf-wincrypt-certgetcertificatechain",
);
/// Google: the source's certificate must be publicly trusted, intermediates installed.
pub(super) const GCERT: Source = Url("https://support.google.com/a/answer/9158306");
pub(super) const IMAPSYNC_SEC: Source = Repo {
    repo: "imapsync/imapsync",
    path: "FAQ.d/FAQ.Security.txt",
    version: "imapsync-2.229",
};
pub(super) const IS37: Source = Url("https://github.com/imapsync/imapsync/issues/37");
pub(super) const OSSL_SEC: Source = Repo {
    repo: "openssl/openssl",
    path: "doc/man3/SSL_CTX_set_security_level.pod",
    version: "openssl-3.2.0",
};
pub(super) const OSSL_NEWS: Source = Repo {
    repo: "openssl/openssl",
    path: "NEWS.md",
    version: "openssl-3.2.0",
};
/// OpenSSL 3.5.0 CHANGES: the default group list `?*X25519MLKEM768 / ?*X25519:?secp256r1 / ...`.
pub(super) const OSSL_35_CHANGES: Source = Repo {
    repo: "openssl/openssl",
    path: "CHANGES.md",
    version: "openssl-3.5.0",
};
/// `X509_V_ERR_EE_KEY_TOO_SMALL` = "EE certificate key too weak".
pub(super) const OSSL_X509_TXT: Source = Repo {
    repo: "openssl/openssl",
    path: "crypto/x509/x509_txt.c",
    version: "openssl-3.0.0",
};
pub(super) const OSSL_30_CAPTURE: Source = Capture("OpenSSL 3.0.3 (git)");
pub(super) const JDK17: Source = Repo {
    repo: "openjdk/jdk17u-dev",
    path: "src/java.base/share/conf/security/java.security",
    version: "jdk-17.0.3-ga",
};
pub(super) const JAVA_RUN: Source = Observed("tests/it/real_clients.rs java_17_*");
pub(super) const JAVA17_CAPTURE: Source = Capture("Java 17.0.3 (OpenJDK)");
/// JavaMail's `SocketFetcher`: `mail.<protocol>.ssl.checkserveridentity` defaults to
/// false; the check, when on, throws "Can't verify identity of server: <host>".
pub(super) const JAVAMAIL_FETCHER: Source = Repo {
    repo: "javaee/javamail",
    path: "mail/src/main/java/com/sun/mail/util/SocketFetcher.java",
    version: "9cf56778874d5beede58cd288db3405d4a7b2130",
};
pub(super) const TB_CAPTURE: Source = Capture("Thunderbird (91.9)");
pub(super) const TB78: Source =
    Url("https://www.privacy-handbuch.de/handbuch_31k.htm (security.tls.version.min = 3 since 78)");
pub(super) const TBCERT: Source = Url("https://github.com/bkaankose/Wino-Mail/issues/348");
/// NSS error table: SSL_ERROR_UNSUPPORTED_VERSION, SSL_ERROR_PROTOCOL_VERSION_ALERT,
/// SSL_ERROR_NO_CYPHER_OVERLAP.
pub(super) const NSS_ERRS: Source =
    Url("https://hg.mozilla.org/projects/nss/file/tip/lib/ssl/SSLerrs.h");
pub(super) const APPLE_CAPTURE: Source = Capture("Apple Mail (16.0)");
/// Apple: RSA >= 2048, SHA-2, DNS name in SAN "or the certificate is no longer trusted".
pub(super) const APPLE_CERT: Source = Url("https://support.apple.com/103769");
/// Apple Mail shows "Cannot Verify Server Identity" with Continue / Details for an
/// untrusted certificate: the user can trust it.
pub(super) const APPLE_PROMPT: Source = Url(
    "https://apollo.bluecedar.com/knowledge-base/new-certificate-security-requirements-for-ios-13 (users can still press Continue)",
);
pub(super) const MOZ6: Source = Repo {
    repo: "mozilla/ssl-config-generator",
    path: "src/static/guidelines/6.0.json",
    version: "8debe30faad8a27a3ba95954035c5d9cdd7a5066",
};
pub(super) const RFC9325: Source = Url("https://www.rfc-editor.org/rfc/rfc9325");
pub(super) const GUIDELINE_SILENT: Source =
    Unverified("a configuration guideline says nothing of client behaviour");

pub(super) const OSSL_OBSERVED_RUN: Source = Observed("tests/it/real_clients.rs openssl_*");
