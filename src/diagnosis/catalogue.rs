//! The findings catalogue: every finding id the diagnosis can emit, as data
//! (severity, title, remedies per server software, references). The rules in
//! [`super::findings`] pick an entry and add the evidence; `GET /v1/findings`
//! lists this table as is.

use serde::Serialize;
use utoipa::ToSchema;

mod security;

use super::server::Software;
use crate::report::Severity;

/// A remedy for one server software family (`None`: any other).
#[derive(Debug, Clone, Copy)]
pub struct Remedy {
    pub software: Option<Software>,
    /// A short imperative clause for the one-sentence summary.
    pub action: &'static str,
    /// The full remedy.
    pub text: &'static str,
}

/// One catalogue entry.
#[derive(Debug, Clone, Copy)]
pub struct FindingSpec {
    pub id: &'static str,
    /// Default severity; a rule may raise or lower it for the evidence at hand (documented there).
    pub severity: Severity,
    pub title: &'static str,
    /// Most specific first; the last entry has `software: None`.
    pub remedies: &'static [Remedy],
    pub references: &'static [&'static str],
}

const fn any(action: &'static str, text: &'static str) -> Remedy {
    Remedy {
        software: None,
        action,
        text,
    }
}

const fn for_sw(software: Software, action: &'static str, text: &'static str) -> Remedy {
    Remedy {
        software: Some(software),
        action,
        text,
    }
}

// References (domain.md sources).
const R_ENC: &str =
    "https://learn.microsoft.com/purview/technical-reference-details-about-encryption";
const R_2010IMAP: &str = "https://learn.microsoft.com/exchange/troubleshoot/move-or-migrate-mailboxes/mailbox-migration-fails-using-imap";
const R_IMAPTS: &str = "https://learn.microsoft.com/exchange/troubleshoot/move-or-migrate-mailboxes/troubleshoot-issues-with-imap-mailbox-migration";
const R_NME: &str = "https://learn.microsoft.com/powershell/module/exchange/new-migrationendpoint";
const R_SETIMAP: &str = "https://learn.microsoft.com/powershell/module/exchange/set-imapsettings";
const R_EXTLS: &str = "https://techcommunity.microsoft.com/blog/exchange/exchange-server-tls-guidance-part-2-enabling-tls-1-2-and-identifying-clients-not-using-it/607761";
const R_CSSTLS: &str =
    "https://microsoft.github.io/CSS-Exchange/Diagnostics/HealthChecker/TLSConfigurationCheck/";
const R_GCERT: &str = "https://support.google.com/a/answer/9158306";
const R_OSSL: &str = "https://docs.openssl.org/3.0/man3/SSL_CTX_set_security_level/";
const R_MOZ: &str = "https://wiki.mozilla.org/Security/Server_Side_TLS";
const R_RFC3501: &str = "https://www.rfc-editor.org/rfc/rfc3501";
const R_RFC7817: &str = "https://www.rfc-editor.org/rfc/rfc7817";
const R_RFC8314: &str = "https://www.rfc-editor.org/rfc/rfc8314";
const R_RFC8996: &str = "https://www.rfc-editor.org/rfc/rfc8996";
const R_RFC9325: &str = "https://www.rfc-editor.org/rfc/rfc9325";
const R_APPLE: &str = "https://support.apple.com/103769";
const R_IMAPSYNC: &str = "https://imapsync.lamiral.info/FAQ.d/FAQ.SSL_errors.txt";
const R_BTCONN: &str =
    "https://help.bittitan.com/hc/en-us/articles/115008100867-ErrorExceededConnectionCount";

const EXCHANGE_TLS12_STEPS: &str = "Enable TLS 1.2 on the Exchange server: under HKLM\\SYSTEM\\CurrentControlSet\\Control\\SecurityProviders\\SCHANNEL\\Protocols\\TLS 1.2\\Server and ...\\TLS 1.2\\Client set Enabled=1 and DisabledByDefault=0; under HKLM\\SOFTWARE\\Microsoft\\.NETFramework\\v4.0.30319 and \\v2.0.50727 (and the same under Wow6432Node) set SystemDefaultTlsVersions=1 and SchUseStrongCrypto=1; reboot, check with HealthChecker (Client and Server values must match), then disable TLS 1.0/1.1 (Exchange Server TLS guidance, part 3). Do not enable TLS 1.3 on Exchange Server: it is not supported.";

/// Every finding, in no particular order (reports sort by severity).
pub static CATALOGUE: &[FindingSpec] = &[
    FindingSpec {
        id: "HOST_NOT_RESOLVED",
        severity: Severity::Critical,
        title: "The host name does not resolve",
        remedies: &[any(
            "fix the DNS record or use the server's public name",
            "Publish an A/AAAA record for the name in public DNS, or point the client (Exchange Online: -RemoteServer) at the server's public FQDN. Exchange Online reports this as \"The connection to the server <fqdn> could not be completed.\"",
        )],
        references: &[R_IMAPTS],
    },
    FindingSpec {
        id: "PORT_CLOSED",
        severity: Severity::Critical,
        title: "The mail port is closed or filtered",
        remedies: &[
            for_sw(
                Software::Exchange2010,
                "open the port and start the Microsoft Exchange IMAP4 service",
                "Start the \"Microsoft Exchange IMAP4\" service (and set it to Automatic), check SSLBindings (993) and UnencryptedOrTLSBindings (143) in Get-ImapSettings, and open the port in the firewall to the migration service's address ranges (Exchange Online: Microsoft's datacenter IPs). Exchange Online reports a filtered port as \"The connection to the server <fqdn> timed out after 00:00:15.\"",
            ),
            for_sw(
                Software::Exchange,
                "open the port and start the Microsoft Exchange IMAP4 services",
                "Start the \"Microsoft Exchange IMAP4\" and \"Microsoft Exchange IMAP4 Backend\" services (Automatic), check SSLBindings (993) and UnencryptedOrTLSBindings (143) in Get-ImapSettings, and open the port in the firewall to the migration service's address ranges (Exchange Online: Microsoft's datacenter IPs).",
            ),
            any(
                "open the port to the clients and check the mail service runs",
                "Open the port in the firewall to the clients' address ranges (for Exchange Online, Microsoft's datacenter IPs; for Google, Google's), and check that the mail service listens on it. Exchange Online reports a filtered port as \"The connection to the server <fqdn> timed out after 00:00:15.\"",
            ),
        ],
        references: &[R_IMAPTS],
    },
    FindingSpec {
        id: "WRONG_SERVICE_ON_PORT",
        severity: Severity::Critical,
        title: "Something other than the expected service answers on this port",
        remedies: &[any(
            "fix the port and security pairing (993 = SSL/implicit TLS, 143 = STARTTLS)",
            "Pair port and security correctly: IMAP 993 is implicit TLS (Exchange Online -Security Ssl), IMAP 143 is plaintext with STARTTLS (-Security Tls); POP3 995/110; SMTP 465/587/25. A TLS record on 143 means the port expects implicit TLS; plaintext on 993 means TLS is not configured on it. OpenSSL-based clients report the mismatch as \"wrong version number\".",
        )],
        references: &[R_RFC8314, R_IMAPTS],
    },
    FindingSpec {
        id: "CONNECTION_LIMITED",
        severity: Severity::High,
        title: "The server refuses or drops connections (connection limit or throttling)",
        remedies: &[
            for_sw(
                Software::Exchange2010,
                "raise the IMAP connection limits and exempt the migration service",
                "Raise Set-ImapSettings -MaxConnectionFromSingleIP and -MaxConnectionsPerUser (2010 defaults: 2000 per IP, 16 per user; 2007: 20 per IP, 10 per user), restart the IMAP4 service, exempt Microsoft's IP ranges from IDS/IPS throttling, and lower MaxConcurrentMigrations on the migration endpoint.",
            ),
            for_sw(
                Software::Exchange,
                "raise the IMAP connection limits and exempt the migration service",
                "Raise Set-ImapSettings -MaxConnectionFromSingleIP and -MaxConnectionsPerUser (default 16 per user), restart the IMAP4 services, exempt Microsoft's IP ranges from IDS/IPS throttling, and lower MaxConcurrentMigrations on the migration endpoint.",
            ),
            for_sw(
                Software::Dovecot,
                "raise mail_max_userip_connections and exempt the migration service",
                "Raise mail_max_userip_connections (per user and IP) in the imap protocol block and process_limit/client_limit in service imap-login, exempt the migration service's addresses from fail2ban/IDS, and lower the migration's concurrency.",
            ),
            any(
                "raise the server's connection limits and exempt the migration service",
                "Raise the server's per-IP and per-user connection limits, exempt the migration service's address ranges from IDS/IPS or rate limiting, and lower the migration's concurrency (Exchange Online: MaxConcurrentMigrations).",
            ),
        ],
        references: &[R_IMAPTS, R_SETIMAP, R_BTCONN],
    },
    FindingSpec {
        id: "NO_GREETING",
        severity: Severity::Medium,
        title: "The server sent no greeting",
        remedies: &[any(
            "check that the mail service (not another service) listens on this port",
            "Check that a mail service listens on this port and is not overloaded; a TLS port probed as plaintext (or the reverse) also stays silent.",
        )],
        references: &[R_RFC3501],
    },
    FindingSpec {
        id: "STARTTLS_NOT_OFFERED",
        severity: Severity::Critical,
        title: "The plaintext port does not offer STARTTLS",
        remedies: &[
            for_sw(
                Software::Exchange2010,
                "bind a certificate to IMAP so 143 offers STARTTLS, or use 993 with SSL",
                "Bind a certificate to the IMAP service (Enable-ExchangeCertificate -Thumbprint <t> -Services IMAP, Set-ImapSettings -X509CertificateName <fqdn>) and restart the IMAP4 service so port 143 advertises STARTTLS, or use port 993 with -Security Ssl.",
            ),
            for_sw(
                Software::Exchange,
                "bind a certificate to IMAP so 143 offers STARTTLS, or use 993 with SSL",
                "Bind a certificate to the IMAP service (Enable-ExchangeCertificate -Thumbprint <t> -Services IMAP, Set-ImapSettings -X509CertificateName <fqdn>) and restart the IMAP4 services so port 143 advertises STARTTLS, or use port 993 with -Security Ssl.",
            ),
            for_sw(
                Software::Dovecot,
                "set ssl = yes with a certificate, or use 993",
                "Set ssl = yes (or required) with ssl_cert/ssl_key in Dovecot so 143 advertises STARTTLS, or use port 993.",
            ),
            for_sw(
                Software::Postfix,
                "set smtpd_tls_security_level = may with a certificate",
                "Set smtpd_tls_security_level = may and smtpd_tls_chain_files (or smtpd_tls_cert_file/smtpd_tls_key_file) in main.cf, then postfix reload.",
            ),
            for_sw(
                Software::Courier,
                "enable STARTTLS in imapd (IMAPDSTARTTLS=YES) with a certificate",
                "Set IMAPDSTARTTLS=YES and TLS_CERTFILE in imapd/imapd-ssl, then restart Courier IMAP.",
            ),
            for_sw(
                Software::Cyrus,
                "configure tls_server_cert/tls_server_key so STARTTLS is offered",
                "Set tls_server_cert and tls_server_key in imapd.conf and restart Cyrus, so STARTTLS is advertised.",
            ),
            any(
                "enable TLS on the plaintext port, or use the implicit-TLS port",
                "Enable TLS on the plaintext listener so it advertises STARTTLS, or use the implicit-TLS port (IMAP 993, Exchange Online -Security Ssl). imapsync then falls back to plaintext; Exchange Online with -Security Tls and Thunderbird in STARTTLS mode refuse to continue.",
            ),
        ],
        references: &[R_RFC3501, R_RFC8314, R_SETIMAP],
    },
    FindingSpec {
        id: "STARTTLS_REFUSED",
        severity: Severity::High,
        title: "The server advertises STARTTLS but refuses it",
        remedies: &[any(
            "fix the TLS configuration behind STARTTLS (certificate, TLS library), or use the implicit-TLS port",
            "A STARTTLS that answers NO/BAD usually means no usable certificate or TLS library behind it; fix the certificate binding, or use the implicit-TLS port.",
        )],
        references: &[R_RFC3501],
    },
    FindingSpec {
        id: "LOGIN_DISABLED_WITHOUT_TLS",
        severity: Severity::Info,
        title: "Plaintext login is refused before TLS (LOGINDISABLED)",
        remedies: &[
            for_sw(
                Software::Exchange2010,
                "use STARTTLS (-Security Tls) or 993 (-Security Ssl)",
                "This is Exchange's SecureLogin default and good practice: log in after STARTTLS (Exchange Online -Security Tls on 143) or over 993 (-Security Ssl). With -Security None the server answers LOGIN with \"BAD Command received in Invalid state.\". Set-ImapSettings -LoginType PlainTextLogin would allow plaintext logins, which is not advised.",
            ),
            for_sw(
                Software::Exchange,
                "use STARTTLS (-Security Tls) or 993 (-Security Ssl)",
                "This is Exchange's SecureLogin default and good practice: log in after STARTTLS (Exchange Online -Security Tls on 143) or over 993 (-Security Ssl). With -Security None the server answers LOGIN with \"BAD Command received in Invalid state.\".",
            ),
            any(
                "log in after STARTTLS, or over the implicit-TLS port",
                "Good practice (RFC 3501 §6.2.3: a client MUST NOT send LOGIN when LOGINDISABLED is advertised): clients must use STARTTLS or the implicit-TLS port; a client configured without TLS cannot log in.",
            ),
        ],
        references: &[R_RFC3501, R_SETIMAP],
    },
    FindingSpec {
        id: "LOGIN_ALLOWED_WITHOUT_TLS",
        severity: Severity::Low,
        title: "Plaintext login is allowed before TLS",
        remedies: &[
            for_sw(
                Software::Dovecot,
                "set disable_plaintext_auth = yes (auth_allow_cleartext = no in 2.4)",
                "Set disable_plaintext_auth = yes (Dovecot 2.4: auth_allow_cleartext = no) so passwords are accepted only inside TLS.",
            ),
            for_sw(
                Software::Exchange,
                "set -LoginType SecureLogin",
                "Set-ImapSettings -LoginType SecureLogin and restart the IMAP4 services, so passwords are accepted only inside TLS.",
            ),
            any(
                "accept passwords only inside TLS",
                "Configure the server to advertise LOGINDISABLED (and no AUTH=PLAIN) before TLS, so passwords never cross the network in clear.",
            ),
        ],
        references: &[R_RFC3501, R_RFC8314],
    },
    FindingSpec {
        id: "NO_PLAIN_AUTH_AFTER_TLS",
        severity: Severity::Medium,
        title: "No AUTH=PLAIN where clients log in",
        remedies: &[
            for_sw(
                Software::Exchange,
                "allow plain authentication over TLS, or use NTLM on the endpoint",
                "Exchange offers AUTH=PLAIN after TLS with LoginType SecureLogin or PlainTextAuthentication (Set-ImapSettings -LoginType); check the binding. For Exchange Online endpoints, -Authentication Ntlm exists, but how it behaves for IMAP is not documented. imapsync can use --authmech1 NTLM.",
            ),
            for_sw(
                Software::Exchange2010,
                "allow plain authentication over TLS, or use NTLM on the endpoint",
                "Exchange offers AUTH=PLAIN after TLS with LoginType SecureLogin or PlainTextAuthentication (Set-ImapSettings -LoginType). For Exchange Online endpoints, -Authentication Ntlm exists, but how it behaves for IMAP is not documented.",
            ),
            for_sw(
                Software::Dovecot,
                "add plain and login to auth_mechanisms",
                "Set auth_mechanisms = plain login (plus anything else needed); disable_plaintext_auth = yes still allows them inside TLS.",
            ),
            any(
                "allow PLAIN (and LOGIN) authentication inside TLS",
                "Tools that speak only PLAIN/LOGIN (imapsync's default, most migration services) get \"NO CAPABILITY for AUTHENTICATE\"; allow PLAIN over TLS, or configure the tool for the mechanism offered (imapsync --authmech1).",
            ),
        ],
        references: &[R_RFC3501, R_NME],
    },
    FindingSpec {
        id: "LOGIN_FAILED",
        severity: Severity::Medium,
        title: "The test login failed",
        remedies: &[any(
            "check the credentials, that IMAP is enabled for the user, and the admin's mailbox rights",
            "Check the user name and password, that the protocol is enabled for the mailbox (Exchange: Set-CASMailbox -ImapEnabled $true), and for an admin login Full Access / Receive As rights. Exchange Online reports this as \"We had trouble signing in to this account.\".",
        )],
        references: &[R_IMAPTS],
    },
    FindingSpec {
        id: "TLS_HANDSHAKE_FAILED",
        severity: Severity::High,
        title: "A modern TLS 1.2/1.3 client cannot complete a handshake",
        remedies: &[
            for_sw(
                Software::Exchange,
                "enable TLS 1.2 with AES-GCM suites in SChannel",
                EXCHANGE_TLS12_STEPS,
            ),
            any(
                "enable TLS 1.2 (and 1.3) with ECDHE AES-GCM suites",
                "Enable TLS 1.2 (and 1.3) with ECDHE-RSA AES-GCM suites on the server, and check that the port speaks TLS from the first byte (implicit TLS) or after STARTTLS.",
            ),
        ],
        references: &[R_RFC8314, R_RFC9325],
    },
    FindingSpec {
        id: "TLS_MAX_VERSION_TOO_LOW",
        severity: Severity::Critical,
        title: "The server's highest TLS version is below TLS 1.2",
        remedies: &[
            for_sw(
                Software::Exchange2010,
                "migrate by cutover, hybrid or PST import (Exchange 2010 IMAP cannot do TLS 1.2)",
                "Exchange 2010's IMAP4 service is hard-coded to TLS 1.0 and does not support TLS 1.2; no fix exists (the same limit in SMTP was fixed in 2010 SP3 RU9, IMAP never was). Migrate without IMAP instead: (1) a cutover migration over Outlook Anywhere (RPC/HTTP); (2) a hybrid migration, where MRS moves the mailboxes over EWS/HTTPS 443 (full, minimal or express hybrid); or (3) export to PST and use the Microsoft 365 PST import service. A TLS 1.2-terminating proxy in front of IMAP is undocumented and untested. If this is in fact Exchange 2013 or later, enable TLS 1.2 instead: SCHANNEL\\Protocols\\TLS 1.2\\Server Enabled=1 and DisabledByDefault=0, .NET SystemDefaultTlsVersions=1 and SchUseStrongCrypto=1, reboot.",
            ),
            for_sw(
                Software::Exchange,
                "enable TLS 1.2 in SChannel and .NET, then reboot",
                EXCHANGE_TLS12_STEPS,
            ),
            for_sw(
                Software::Dovecot,
                "set ssl_min_protocol = TLSv1.2 with a TLS 1.2-capable OpenSSL",
                "Set ssl_min_protocol = TLSv1.2 (Dovecot 2.3+; 2.2: ssl_protocols = !SSLv3 !TLSv1 !TLSv1.1) and ssl_cipher_list = ECDHE+AESGCM:ECDHE+AES:AES256-GCM-SHA384:AES128-GCM-SHA256 (keep at least one ECDHE-RSA AES suite), on an OpenSSL of 1.0.1 or later; restart Dovecot.",
            ),
            for_sw(
                Software::Postfix,
                "set smtpd_tls_protocols = >=TLSv1.2 with a TLS 1.2-capable OpenSSL",
                "Set smtpd_tls_protocols = >=TLSv1.2 and smtpd_tls_mandatory_protocols = >=TLSv1.2 (Postfix 3.6+; older: !SSLv2, !SSLv3, !TLSv1, !TLSv1.1) and smtpd_tls_mandatory_ciphers = high, on an OpenSSL of 1.0.1 or later; postfix reload.",
            ),
            for_sw(
                Software::Courier,
                "set TLS_PROTOCOL=TLSv1.2+ in imapd-ssl",
                "Set TLS_PROTOCOL=\"TLSv1.2+\" (GnuTLS builds: TLS_PRIORITY=\"NORMAL:-VERS-TLS1.0:-VERS-TLS1.1\") and TLS_CIPHER_LIST=\"HIGH:!aNULL:!3DES\" in imapd-ssl (and pop3d-ssl), then restart Courier.",
            ),
            for_sw(
                Software::Cyrus,
                "set tls_versions: tls1_2 tls1_3 in imapd.conf",
                "Set tls_versions: tls1_2 tls1_3 and tls_ciphers: HIGH:!aNULL:!3DES in imapd.conf (Cyrus 3.x; older releases need a newer Cyrus built on OpenSSL 1.0.1+), then restart Cyrus.",
            ),
            any(
                "enable TLS 1.2 on the server, or (Exchange 2010) migrate by cutover, hybrid or PST import",
                "Enable TLS 1.2 (and 1.3) on the server or on the load balancer/proxy that terminates TLS; if its TLS library cannot, upgrade it. Exchange Online, Thunderbird 78+, Java 17 and OpenSSL 3 clients all require TLS 1.2. If the server is Exchange 2010, whose IMAP4 service is hard-coded to TLS 1.0 with no fix, migrate without IMAP: a cutover migration over Outlook Anywhere (RPC/HTTP), a hybrid migration (MRS over EWS/HTTPS 443), or the PST import service.",
            ),
        ],
        references: &[R_ENC, R_2010IMAP, R_EXTLS, R_CSSTLS, R_RFC8996, R_RFC9325],
    },
    FindingSpec {
        id: "NO_COMMON_SUITE_EXCHANGE_ONLINE",
        severity: Severity::Critical,
        title: "TLS 1.2 is offered, but with no cipher suite Exchange Online accepts",
        remedies: &[
            for_sw(
                Software::Exchange,
                "enable an ECDHE-RSA AES-GCM/CBC or RSA AES-GCM suite in SChannel with an RSA certificate",
                "Enable TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384 and TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256 (or another of the eight Office 365 suites) in SChannel (Enable-TlsCipherSuite, or the \"SSL Cipher Suite Order\" group policy) and bind an RSA certificate to IMAP (Enable-ExchangeCertificate -Services IMAP); reboot.",
            ),
            for_sw(
                Software::Dovecot,
                "add ECDHE-RSA AES-GCM suites to ssl_cipher_list and serve an RSA certificate",
                "Set ssl_cipher_list = ECDHE-RSA-AES256-GCM-SHA384:ECDHE-RSA-AES128-GCM-SHA256:ECDHE-RSA-AES256-SHA384:ECDHE-RSA-AES128-SHA256:AES256-GCM-SHA384:AES128-GCM-SHA256 plus what other clients need, and serve an RSA certificate (ssl_cert/ssl_key; with an ECDSA certificate add the RSA one as ssl_alt_cert/ssl_alt_key, Dovecot 2.3+).",
            ),
            for_sw(
                Software::Postfix,
                "allow ECDHE-RSA AES suites and serve an RSA certificate",
                "Use smtpd_tls_mandatory_ciphers = medium (or high), remove exclusions of ECDHE/AES, and serve an RSA certificate (smtpd_tls_chain_files can hold an RSA and an ECDSA chain).",
            ),
            any(
                "enable an ECDHE-RSA AES-GCM suite with an RSA certificate",
                "Exchange Online accepts only TLS_ECDHE_RSA_WITH_AES_256/128_GCM_SHA384/256, TLS_ECDHE_RSA_WITH_AES_256/128_CBC_SHA384/256, TLS_ECDHE_RSA_WITH_AES_256/128_CBC_SHA and TLS_RSA_WITH_AES_256/128_GCM_SHA384/256: no DHE, ECDSA, CHACHA20, RC4 or 3DES. Enable at least one of them, with an RSA certificate.",
            ),
        ],
        references: &[R_ENC, R_2010IMAP],
    },
    FindingSpec {
        id: "NO_COMMON_SUITE",
        severity: Severity::High,
        title: "Some clients share no cipher suite (or key-exchange group) with the server",
        remedies: &[
            for_sw(
                Software::Dovecot,
                "widen ssl_cipher_list to ECDHE AES-GCM suites",
                "Set ssl_cipher_list to include ECDHE-ECDSA/RSA AES-GCM and CHACHA20 (Mozilla intermediate) and ssl_curve_list to include X25519 and P-256.",
            ),
            any(
                "enable ECDHE AES-GCM suites and common groups (x25519, P-256)",
                "Enable the Mozilla intermediate suites (ECDHE-ECDSA/RSA with AES-GCM and CHACHA20) and the groups x25519, secp256r1 and secp384r1.",
            ),
        ],
        references: &[R_MOZ, R_RFC9325],
    },
    FindingSpec {
        id: "LEGACY_PROTOCOL_ENABLED",
        severity: Severity::Medium,
        title: "Legacy SSL/TLS versions are enabled",
        remedies: &[
            for_sw(
                Software::Exchange,
                "disable SSL 3.0, TLS 1.0 and 1.1 in SChannel once TLS 1.2 works",
                "After TLS 1.2 works for every client, set Enabled=0 and DisabledByDefault=1 under SCHANNEL\\Protocols\\SSL 3.0, TLS 1.0 and TLS 1.1 (Server and Client) and reboot (Exchange Server TLS guidance, part 3).",
            ),
            for_sw(
                Software::Dovecot,
                "set ssl_min_protocol = TLSv1.2",
                "Set ssl_min_protocol = TLSv1.2 once no client needs older versions.",
            ),
            for_sw(
                Software::Postfix,
                "set smtpd_tls_protocols = >=TLSv1.2",
                "Set smtpd_tls_protocols and smtpd_tls_mandatory_protocols to >=TLSv1.2 (on port 25 opportunistic TLS, keep >=TLSv1 if old senders matter).",
            ),
            for_sw(
                Software::Courier,
                "set TLS_PROTOCOL=TLSv1.2+",
                "Set TLS_PROTOCOL=\"TLSv1.2+\" in imapd-ssl and pop3d-ssl.",
            ),
            for_sw(
                Software::Cyrus,
                "set tls_versions: tls1_2 tls1_3",
                "Set tls_versions: tls1_2 tls1_3 in imapd.conf.",
            ),
            any(
                "disable SSL 3.0, TLS 1.0 and TLS 1.1",
                "RFC 8996 deprecates TLS 1.0/1.1 and RFC 9325 forbids negotiating them; disable them once every client can do TLS 1.2.",
            ),
        ],
        references: &[R_RFC8996, R_RFC9325],
    },
    FindingSpec {
        id: "NO_FORWARD_SECRECY",
        severity: Severity::Low,
        title: "No forward-secret cipher suite is accepted",
        remedies: &[any(
            "enable ECDHE suites",
            "Enable ECDHE suites (ECDHE-RSA-AES128/256-GCM) so that a stolen server key does not decrypt recorded sessions (RFC 9325 §4.1).",
        )],
        references: &[R_RFC9325],
    },
    FindingSpec {
        id: "WEAK_DH",
        severity: Severity::Medium,
        title: "The server's Diffie-Hellman group is too small",
        remedies: &[
            for_sw(
                Software::Exchange,
                "set the SChannel DH minimum to 2048 bits, or prefer ECDHE",
                "Set ServerMinKeyBitLength=0x800 under SCHANNEL\\KeyExchangeAlgorithms\\Diffie-Hellman and reboot, or move DHE suites below the ECDHE suites.",
            ),
            for_sw(
                Software::Dovecot,
                "use 2048-bit ssl_dh parameters, or drop DHE",
                "Generate 2048-bit parameters (openssl dhparam -out /etc/dovecot/dh.pem 2048), set ssl_dh = </etc/dovecot/dh.pem, restart; or remove DHE from ssl_cipher_list.",
            ),
            for_sw(
                Software::Postfix,
                "use 2048-bit DH parameters (smtpd_tls_dh1024_param_file)",
                "Point smtpd_tls_dh1024_param_file at 2048-bit parameters (the name is historical) or drop DHE suites; postfix reload.",
            ),
            for_sw(
                Software::Courier,
                "set TLS_DHPARAMS to 2048-bit parameters",
                "Regenerate TLS_DHPARAMS with mkdhparams at 2048 bits and restart Courier.",
            ),
            any(
                "use 2048-bit DH parameters, or prefer ECDHE",
                "Use DH parameters of at least 2048 bits (Logjam; OpenSSL 3.2+ and Mozilla intermediate require 2048, Java and OpenSSL level 1 require 1024), or prefer ECDHE suites. Clients report \"dh key too small\".",
            ),
        ],
        references: &[R_OSSL, R_MOZ],
    },
    FindingSpec {
        id: "RSA_KEY_TOO_SMALL",
        severity: Severity::Medium,
        title: "The certificate's RSA key is smaller than 2048 bits",
        remedies: &[any(
            "reissue the certificate with a 2048-bit (or larger) RSA key",
            "Reissue the certificate with an RSA key of at least 2048 bits. OpenSSL 3.2+ refuses smaller keys (\"certificate verify failed (EE certificate key too weak)\", X509_V_ERR_EE_KEY_TOO_SMALL in crypto/x509/x509_txt.c); Apple no longer trusts them and Apple Mail asks the user; under 1024 bits SChannel and Java refuse them too.",
        )],
        references: &[R_APPLE, R_OSSL],
    },
    FindingSpec {
        id: "CERT_UNTRUSTED",
        severity: Severity::High,
        title: "The certificate chain is not trusted",
        remedies: &[
            for_sw(
                Software::Exchange,
                "install a public CA certificate with its intermediates and bind it to IMAP",
                "Import a certificate from a public CA (Import-ExchangeCertificate) with its intermediate chain, bind it with Enable-ExchangeCertificate -Services IMAP, set Set-ImapSettings -X509CertificateName <fqdn> and restart the IMAP4 services. For Exchange Online, retry with -AcceptUntrustedCertificates on New-MigrationEndpoint/Test-MigrationServerAvailability; Google Workspace does not accept a self-signed or private-CA certificate.",
            ),
            for_sw(
                Software::Exchange2010,
                "install a public CA certificate with its intermediates and bind it to IMAP",
                "Import a certificate from a public CA with its intermediate chain, bind it with Enable-ExchangeCertificate -Services IMAP, set -X509CertificateName and restart the IMAP4 service. For Exchange Online, retry with -AcceptUntrustedCertificates; Google Workspace does not accept a self-signed or private-CA certificate.",
            ),
            for_sw(
                Software::Dovecot,
                "serve a public CA certificate with the full chain (ssl_cert = fullchain)",
                "Set ssl_cert = </path/fullchain.pem (leaf followed by intermediates) and ssl_key = </path/privkey.pem with a public CA certificate (e.g. Let's Encrypt); restart Dovecot. For Exchange Online, -AcceptUntrustedCertificates is the stop-gap.",
            ),
            for_sw(
                Software::Postfix,
                "serve a public CA certificate with the full chain (smtpd_tls_chain_files)",
                "Use a public CA certificate and list key, leaf and intermediates in smtpd_tls_chain_files; postfix reload.",
            ),
            for_sw(
                Software::Courier,
                "serve a public CA certificate with the full chain (TLS_CERTFILE)",
                "Put key, certificate and intermediates in the PEM file TLS_CERTFILE points to; restart Courier.",
            ),
            for_sw(
                Software::Cyrus,
                "serve a public CA certificate with the full chain (tls_server_cert)",
                "Point tls_server_cert at a PEM with the certificate and its intermediates and tls_server_key at its key; restart Cyrus.",
            ),
            any(
                "install a certificate from a public CA with its full chain",
                "Install a certificate from a public CA and serve the intermediates with it. Google Workspace requires a publicly trusted certificate; for Exchange Online retry with -AcceptUntrustedCertificates (whether it checks by default is not documented); Java and OpenSSL clients fail with \"PKIX path building failed\" / \"unable to get local issuer certificate\"; Thunderbird, Outlook and Apple Mail ask the user.",
            ),
        ],
        references: &[R_GCERT, R_NME, R_IMAPSYNC],
    },
    FindingSpec {
        id: "CERT_CHAIN_INCOMPLETE",
        severity: Severity::High,
        title: "The server does not send its intermediate certificate",
        remedies: &[any(
            "serve the whole chain (leaf followed by its intermediates)",
            "Configure the server to send the leaf followed by its intermediate certificate(s) (Dovecot ssl_cert = </path/fullchain.pem, Postfix smtpd_tls_chain_files, Exchange: import the intermediate into the computer's Intermediate Certification Authorities store). SChannel clients fetch a missing intermediate from the AIA caIssuers URL, OpenSSL-based tools (imapsync) and Java do not; Google Workspace asks for the intermediates to be installed.",
        )],
        references: &[R_GCERT, R_IMAPSYNC],
    },
    FindingSpec {
        id: "CERT_SELF_SIGNED",
        severity: Severity::High,
        title: "The certificate is self-signed",
        remedies: &[
            for_sw(
                Software::Exchange,
                "replace the self-signed Exchange certificate with a public CA one bound to IMAP",
                "Exchange's default self-signed certificate is not trusted by migration services: request a public CA certificate (New-ExchangeCertificate / Import-ExchangeCertificate), bind it with Enable-ExchangeCertificate -Services IMAP and set -X509CertificateName. For Exchange Online, -AcceptUntrustedCertificates is the stop-gap; Google Workspace does not support self-signed certificates.",
            ),
            for_sw(
                Software::Exchange2010,
                "replace the self-signed Exchange certificate with a public CA one bound to IMAP",
                "Exchange's default self-signed certificate is not trusted by migration services: import a public CA certificate, bind it with Enable-ExchangeCertificate -Services IMAP and set -X509CertificateName. For Exchange Online, -AcceptUntrustedCertificates is the stop-gap; Google Workspace does not support self-signed certificates.",
            ),
            any(
                "install a certificate from a public CA",
                "Replace the self-signed certificate with one from a public CA. Google Workspace does not support self-signed certificates; for Exchange Online use -AcceptUntrustedCertificates as a stop-gap; imapsync does not verify by default.",
            ),
        ],
        references: &[R_GCERT, R_NME],
    },
    FindingSpec {
        id: "CERT_EXPIRED",
        severity: Severity::High,
        title: "The certificate has expired",
        remedies: &[
            for_sw(
                Software::Exchange,
                "renew the certificate and bind it to IMAP",
                "Renew the certificate, bind the new one with Enable-ExchangeCertificate -Services IMAP (and POP/SMTP as used) and restart the IMAP4 services.",
            ),
            for_sw(
                Software::Exchange2010,
                "renew the certificate and bind it to IMAP",
                "Renew the certificate, bind the new one with Enable-ExchangeCertificate -Services IMAP and restart the IMAP4 service.",
            ),
            any(
                "renew the certificate",
                "Renew the certificate and reload the service. Verifying clients fail with \"certificate has expired\"; Exchange Online may (not documented) and -AcceptUntrustedCertificates is the stop-gap.",
            ),
        ],
        references: &[R_GCERT, R_NME],
    },
    FindingSpec {
        id: "CERT_EXPIRES_SOON",
        severity: Severity::Low,
        title: "The certificate expires soon",
        remedies: &[any(
            "renew the certificate before it expires",
            "Renew the certificate before the migration window closes.",
        )],
        references: &[],
    },
    FindingSpec {
        id: "CERT_NAME_MISMATCH",
        severity: Severity::High,
        title: "The certificate does not name the host",
        remedies: &[
            for_sw(
                Software::Exchange,
                "point the endpoint at a name in the certificate, or bind a certificate for this name",
                "Point the client (Exchange Online -RemoteServer) at a name the certificate carries, or bind a certificate for this name: Set-ImapSettings -X509CertificateName <fqdn> and Enable-ExchangeCertificate -Services IMAP, then restart the IMAP4 services.",
            ),
            for_sw(
                Software::Exchange2010,
                "point the endpoint at a name in the certificate, or bind a certificate for this name",
                "Point the client (Exchange Online -RemoteServer) at a name the certificate carries, or bind a certificate for this name: Set-ImapSettings -X509CertificateName <fqdn> and Enable-ExchangeCertificate -Services IMAP, then restart the IMAP4 service.",
            ),
            any(
                "connect to a name the certificate carries, or reissue it with this name in SAN",
                "Use a host name the certificate carries in its subjectAltName (RFC 7817; Apple ignores the CN), or reissue the certificate with this name. Windows clients report SEC_E_WRONG_PRINCIPAL.",
            ),
        ],
        references: &[R_RFC7817, R_APPLE, R_SETIMAP],
    },
    FindingSpec {
        id: "CERT_SHA1",
        severity: Severity::High,
        title: "The certificate chain is signed with SHA-1",
        remedies: &[any(
            "reissue the certificate (and chain) with SHA-256 signatures",
            "Reissue the certificate with an SHA-256 signature and serve SHA-256 intermediates. Office 365 refuses SHA-1 certificates since June 2016; Apple, OpenSSL 3 and Java refuse them too.",
        )],
        references: &[R_ENC, R_APPLE, R_OSSL],
    },
    FindingSpec {
        id: "CLIENT_TRIAL_DISAGREES",
        severity: Severity::Low,
        title: "A client's real offer got a different answer than the scan predicts",
        remedies: &[any(
            "look for several servers behind one name or a TLS proxy with its own rules",
            "The server answered this client's exact ClientHello differently from what its scanned versions and suites predict. Common causes: a load balancer with differently configured back ends, a proxy that inspects hellos, or a server that rejects certain extensions. The report gives the observed answer.",
        )],
        references: &[],
    },
    FindingSpec {
        id: "NOT_COMPLIANT",
        severity: Severity::Medium,
        title: "The TLS configuration does not meet the requested guideline",
        remedies: &[any(
            "align the server's versions and suites with the guideline",
            "Use the Mozilla configuration generator for the server software and the guideline's level, or the RFC 9325 recommendations.",
        )],
        references: &[R_MOZ, R_RFC9325],
    },
];

/// The catalogue entry for an id.
pub fn spec(id: &str) -> Option<&'static FindingSpec> {
    all().find(|f| f.id == id)
}

/// Whether a finding is a security finding (its severity goes to the
/// rating; it never fails the migration verdict).
pub fn is_security(id: &str) -> bool {
    security::SECURITY.iter().any(|f| f.id == id)
}

/// The general catalogue and the security findings (`security`).
pub fn all() -> impl Iterator<Item = &'static FindingSpec> {
    CATALOGUE.iter().chain(security::SECURITY.iter())
}

impl FindingSpec {
    /// The remedy for this software (falling back to the generic one).
    pub fn remedy(&self, software: Software) -> Option<&'static Remedy> {
        let exchange2010_fallback = software == Software::Exchange2010;
        self.remedies
            .iter()
            .find(|r| r.software == Some(software))
            .or_else(|| {
                exchange2010_fallback
                    .then(|| {
                        self.remedies
                            .iter()
                            .find(|r| r.software == Some(Software::Exchange))
                    })
                    .flatten()
            })
            .or_else(|| self.remedies.iter().find(|r| r.software.is_none()))
    }
}

/// One remedy as `GET /v1/findings` shows it.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct RemedyDoc {
    /// Server software this remedy is for (`any` otherwise).
    #[schema(example = "Exchange 2010")]
    pub software: String,
    /// A short imperative clause, as the one-sentence summary uses it.
    pub action: String,
    /// The full remedy.
    pub text: String,
}

/// One catalogue entry as `GET /v1/findings` shows it.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct FindingDoc {
    /// Stable identifier, as in a Report's `findings[].id`.
    #[schema(example = "TLS_MAX_VERSION_TOO_LOW")]
    pub id: String,
    /// Default severity; the evidence may raise or lower it in a report.
    pub severity: Severity,
    /// One line naming the problem.
    pub title: String,
    /// Remedies per server software; `any` for the rest.
    pub remedies: Vec<RemedyDoc>,
    /// Sources (URLs) for the facts the finding rests on.
    pub references: Vec<String>,
}

/// The catalogue, for the API.
pub fn docs() -> Vec<FindingDoc> {
    let mut out: Vec<FindingDoc> = all()
        .map(|f| FindingDoc {
            id: f.id.to_string(),
            severity: f.severity,
            title: f.title.to_string(),
            remedies: f
                .remedies
                .iter()
                .map(|r| RemedyDoc {
                    software: r.software.map(|s| s.label()).unwrap_or("any").to_string(),
                    action: r.action.to_string(),
                    text: r.text.to_string(),
                })
                .collect(),
            references: f.references.iter().map(|r| r.to_string()).collect(),
        })
        .collect();
    out.sort_by(|a, b| a.id.cmp(&b.id));
    out
}
