//! A real TLS server from the vendored OpenSSL 3.6 (built with SSLv3 and the
//! weak ciphers), in-process on a random loopback port: exactly the versions,
//! suites, groups, DH parameters and preference a test asks for, speaking an
//! IMAP greeting after the handshake (implicit TLS) or a plaintext IMAP
//! dialogue up to `STARTTLS` first; POP3 (`STLS`) and SMTP (`STARTTLS`)
//! dialogues on request ([`MailProtocol`]).
//!
//! It runs on std threads with blocking I/O (one thread per connection, at
//! most [`MAX_LIVE_CONNECTIONS`] at once; more are dropped), so it needs no
//! runtime and behaves like a small real server: each connection is served
//! on its own and a refused handshake is OpenSSL's own alert.
//!
//! Named configurations ([`Profile`]) are shared by the scanner, diagnosis
//! and readiness tests; [`Profile::expected`] is what each was configured to
//! accept, by OpenSSL suite name.

use std::io::{Read, Write};
use std::net::{SocketAddr, TcpListener, TcpStream};
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{Arc, OnceLock};
use std::thread;
use std::time::Duration;

use mailprobe::report::TlsVersion;
use openssl::dh::Dh;
use openssl::pkey::PKey;
use openssl::ssl::{Ssl, SslContext, SslContextBuilder, SslMethod, SslOptions, SslVersion};
use openssl::x509::X509;

use super::pki::Ca;

/// The account the fixtures accept (SASL PLAIN, IMAP LOGIN, POP3 USER/PASS).
pub const LOGIN_USER: &str = "migration@example.com";
pub const LOGIN_PASSWORD: &str = "Corr3ct-Horse";

/// Connections served at once; beyond this a connection is closed at once.
pub const MAX_LIVE_CONNECTIONS: usize = 64;
/// Exchange's default IMAP4 banner.
pub const EXCHANGE_GREETING: &str = "* OK The Microsoft Exchange IMAP4 service is ready.";

/// How TLS starts on the fixture's port.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Transport {
    Implicit,
    /// `* OK` greeting, `CAPABILITY`, `STARTTLS` → `OK`, then TLS.
    Starttls,
}

/// The plaintext dialogue around the TLS start.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum MailProtocol {
    Imap,
    /// `+OK` greeting, `CAPA`, `STLS` → `+OK` (RFC 2595).
    Pop3,
    /// `220` greeting, `EHLO` → `250-STARTTLS`, `STARTTLS` → `220` (RFC 3207).
    Smtp,
}

/// Everything a fixture can be told.
#[derive(Debug, Clone)]
pub struct Config {
    pub min: SslVersion,
    pub max: SslVersion,
    /// TLS <= 1.2 suites, OpenSSL syntax, in the server's order.
    pub cipher_list: &'static str,
    /// TLS 1.3 suites (OpenSSL `set_ciphersuites`); `None`: OpenSSL's default.
    pub ciphersuites: Option<&'static str>,
    /// Groups (OpenSSL `set_groups_list`); `None`: OpenSSL's default.
    pub groups: Option<&'static str>,
    pub server_preference: bool,
    /// Serve DHE with the RFC 5114 1024-bit group.
    pub dh_1024: bool,
    /// OpenSSL security level; 0 lets SSLv3, RC4, MD5 and small DH through.
    pub security_level: u32,
    /// The IMAP greeting (POP3 and SMTP use their own).
    pub greeting: &'static str,
    pub transport: Transport,
    pub protocol: MailProtocol,
    /// SSL_OP_ALLOW_CLIENT_RENEGOTIATION: OpenSSL 3 servers refuse a
    /// renegotiation the client starts unless this is set.
    pub allow_client_renegotiation: bool,
    /// DHE suites in the list but no DH parameters: a DHE pick fails
    /// (OpenSSL's `internal_error`), as Dovecot 2.3 without `ssl_dh` does.
    pub dh_params_missing: bool,
    /// Refuse a hello by closing without an alert (the alert OpenSSL
    /// writes is dropped), as Dovecot does.
    pub silent_refusal: bool,
    /// DH sized by the suite, as OpenSSL's automatic DH does on Postfix's
    /// defaults: 1024 bits for a 128-bit anonymous suite, 2048 for a suite
    /// authenticated by the fixture's RSA-2048 key (ssl/t1_lib.c
    /// `ssl_get_auto_dh`).
    pub dh_by_suite: bool,
}

/// Named fixture configurations.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Profile {
    /// Exchange 2010 IMAP on Windows 2008 R2: TLS 1.0 only, seven suites.
    Exchange2010,
    /// TLS 1.2 + 1.3, ECDHE-RSA AES-GCM/CHACHA20, the TLS 1.3 suites.
    Modern,
    /// TLS 1.3 only, two suites, two groups.
    Tls13Only,
    /// TLS 1.2 with DHE suites only, on a 1024-bit prime.
    Dhe1024,
    /// SSLv3 and TLS 1.0.
    Ssl3Tls10,
    /// TLS 1.2, four suites, the server's order wins.
    ServerPreference,
    /// The same four suites, the client's order wins.
    ClientPreference,
    /// SSLv3 only (RC4, 3DES, AES-CBC).
    Ssl3Only,
    /// TLS 1.1 only.
    Tls11Only,
    /// TLS 1.0 with RC4 suites only: the path that needs OpenSSL's legacy
    /// provider.
    Rc4Only,
    /// TLS 1.2 with CBC suites only (ECDHE and RSA key exchange).
    Tls12CbcOnly,
    /// TLS 1.2 with static RSA key exchange only (GCM and CBC).
    Tls12StaticRsa,
}

impl Profile {
    pub const ALL: [Profile; 7] = [
        Profile::Exchange2010,
        Profile::Modern,
        Profile::Tls13Only,
        Profile::Dhe1024,
        Profile::Ssl3Tls10,
        Profile::ServerPreference,
        Profile::ClientPreference,
    ];

    /// The profiles rustls cannot talk to, which the legacy engine must.
    pub const LEGACY: [Profile; 8] = [
        Profile::Exchange2010,
        Profile::Ssl3Only,
        Profile::Ssl3Tls10,
        Profile::Tls11Only,
        Profile::Rc4Only,
        Profile::Tls12CbcOnly,
        Profile::Tls12StaticRsa,
        Profile::Dhe1024,
    ];

    pub fn config(self) -> Config {
        let base = Config {
            min: SslVersion::TLS1_2,
            max: SslVersion::TLS1_3,
            cipher_list: "DEFAULT",
            ciphersuites: None,
            groups: None,
            server_preference: true,
            dh_1024: false,
            security_level: 0,
            greeting: "* OK [CAPABILITY IMAP4rev1 AUTH=PLAIN] Fixture IMAP ready.",
            transport: Transport::Implicit,
            protocol: MailProtocol::Imap,
            allow_client_renegotiation: false,
            dh_params_missing: false,
            silent_refusal: false,
            dh_by_suite: false,
        };
        match self {
            Profile::Exchange2010 => Config {
                min: SslVersion::TLS1,
                max: SslVersion::TLS1,
                cipher_list: "AES256-SHA:AES128-SHA:DES-CBC3-SHA:RC4-SHA:RC4-MD5:ECDHE-RSA-AES256-SHA:ECDHE-RSA-AES128-SHA",
                greeting: EXCHANGE_GREETING,
                ..base
            },
            Profile::Modern => Config {
                cipher_list: "ECDHE-RSA-AES256-GCM-SHA384:ECDHE-RSA-AES128-GCM-SHA256:ECDHE-RSA-CHACHA20-POLY1305",
                ciphersuites: Some(
                    "TLS_AES_256_GCM_SHA384:TLS_CHACHA20_POLY1305_SHA256:TLS_AES_128_GCM_SHA256",
                ),
                security_level: 2,
                ..base
            },
            Profile::Tls13Only => Config {
                min: SslVersion::TLS1_3,
                max: SslVersion::TLS1_3,
                ciphersuites: Some("TLS_CHACHA20_POLY1305_SHA256:TLS_AES_128_GCM_SHA256"),
                groups: Some("X25519:P-384"),
                security_level: 2,
                ..base
            },
            Profile::Dhe1024 => Config {
                max: SslVersion::TLS1_2,
                cipher_list: "DHE-RSA-AES256-GCM-SHA384:DHE-RSA-AES128-GCM-SHA256:DHE-RSA-AES128-SHA",
                dh_1024: true,
                ..base
            },
            Profile::Ssl3Tls10 => Config {
                min: SslVersion::SSL3,
                max: SslVersion::TLS1,
                cipher_list: "AES128-SHA:DES-CBC3-SHA:RC4-MD5",
                ..base
            },
            Profile::ServerPreference => Config {
                max: SslVersion::TLS1_2,
                cipher_list: "AES128-SHA:ECDHE-RSA-AES256-GCM-SHA384:AES256-GCM-SHA384:ECDHE-RSA-AES128-SHA",
                ..base
            },
            Profile::ClientPreference => Config {
                server_preference: false,
                ..Profile::ServerPreference.config()
            },
            Profile::Ssl3Only => Config {
                min: SslVersion::SSL3,
                max: SslVersion::SSL3,
                cipher_list: "AES128-SHA:DES-CBC3-SHA:RC4-SHA",
                ..base
            },
            Profile::Tls11Only => Config {
                min: SslVersion::TLS1_1,
                max: SslVersion::TLS1_1,
                cipher_list: "ECDHE-RSA-AES128-SHA:AES256-SHA:AES128-SHA",
                ..base
            },
            Profile::Rc4Only => Config {
                min: SslVersion::TLS1,
                max: SslVersion::TLS1,
                cipher_list: "RC4-SHA:RC4-MD5",
                ..base
            },
            Profile::Tls12CbcOnly => Config {
                max: SslVersion::TLS1_2,
                cipher_list: "ECDHE-RSA-AES256-SHA384:ECDHE-RSA-AES128-SHA256:AES128-SHA256:AES128-SHA",
                ..base
            },
            Profile::Tls12StaticRsa => Config {
                max: SslVersion::TLS1_2,
                cipher_list: "AES256-GCM-SHA384:AES128-GCM-SHA256:AES128-SHA",
                ..base
            },
        }
    }

    /// What the fixture accepts, per version, as OpenSSL suite names; every
    /// version not listed is refused. Server-preference profiles list the
    /// suites in the server's order.
    pub fn expected(self) -> Vec<(TlsVersion, Vec<&'static str>)> {
        let c = self.config();
        let tls12: Vec<&'static str> = c.cipher_list.split(':').collect();
        match self {
            Profile::Exchange2010 => vec![(TlsVersion::Tls10, tls12)],
            Profile::Modern => vec![
                (TlsVersion::Tls12, tls12),
                (
                    TlsVersion::Tls13,
                    c.ciphersuites.unwrap_or_default().split(':').collect(),
                ),
            ],
            Profile::Tls13Only => vec![(
                TlsVersion::Tls13,
                c.ciphersuites.unwrap_or_default().split(':').collect(),
            )],
            Profile::Dhe1024 | Profile::ServerPreference | Profile::ClientPreference => {
                vec![(TlsVersion::Tls12, tls12)]
            }
            Profile::Ssl3Tls10 => vec![
                (TlsVersion::Ssl3, tls12.clone()),
                (TlsVersion::Tls10, tls12),
            ],
            Profile::Ssl3Only => vec![(TlsVersion::Ssl3, tls12)],
            Profile::Tls11Only => vec![(TlsVersion::Tls11, tls12)],
            Profile::Rc4Only => vec![(TlsVersion::Tls10, tls12)],
            Profile::Tls12CbcOnly | Profile::Tls12StaticRsa => vec![(TlsVersion::Tls12, tls12)],
        }
    }
}

/// The test PKI every OpenSSL fixture uses: an RSA-2048 leaf for
/// `localhost`/`127.0.0.1` (RSA key exchange needs an RSA key) signed by an
/// intermediate under a private root. Made once per test run.
pub struct FixturePki {
    pub root_pem: String,
    /// Leaf then intermediate, as the server sends them.
    pub chain_der: Vec<Vec<u8>>,
    pub key_pem: String,
}

pub fn pki() -> &'static FixturePki {
    static PKI: OnceLock<FixturePki> = OnceLock::new();
    PKI.get_or_init(|| {
        let root = Ca::root("mailprobe openssl fixture root");
        let inter = root.intermediate("mailprobe openssl fixture intermediate");
        let leaf = inter.rsa_leaf(&["localhost", "127.0.0.1"], 2048);
        FixturePki {
            root_pem: root.cert_pem.clone(),
            chain_der: vec![leaf.cert_der.clone(), inter.cert_der.clone()],
            key_pem: leaf.key_pem.clone(),
        }
    })
}

/// A running fixture; stops when dropped.
pub struct OpensslServer {
    pub addr: SocketAddr,
    pub config: Config,
    /// TCP connections accepted so far.
    accepted: Arc<AtomicUsize>,
    /// TLS handshakes completed so far.
    completed: Arc<AtomicUsize>,
    stop: Arc<AtomicBool>,
}

impl OpensslServer {
    pub fn profile(p: Profile) -> OpensslServer {
        OpensslServer::start(p.config())
    }

    pub fn profile_over(p: Profile, transport: Transport) -> OpensslServer {
        OpensslServer::start(Config {
            transport,
            ..p.config()
        })
    }

    /// A profile speaking POP3 or SMTP (or IMAP) over either transport.
    pub fn profile_speaking(
        p: Profile,
        protocol: MailProtocol,
        transport: Transport,
    ) -> OpensslServer {
        OpensslServer::start(Config {
            transport,
            protocol,
            ..p.config()
        })
    }

    pub fn start(config: Config) -> OpensslServer {
        OpensslServer::start_on(config, [127, 0, 0, 1].into())
    }

    /// The same on another loopback address (127.0.0.2, ...), so that
    /// fixtures count as different servers for the per-target cap.
    pub fn start_on(config: Config, ip: std::net::IpAddr) -> OpensslServer {
        OpensslServer::start_at(config, SocketAddr::new(ip, 0))
    }

    /// The same on an exact address and port (e.g. `[::1]:P` beside a
    /// fixture on `127.0.0.1:P`: one port, two address families).
    pub fn start_at(config: Config, at: SocketAddr) -> OpensslServer {
        let ctx = Arc::new(context(&config));
        let listener = TcpListener::bind(at).expect("bind");
        let addr = listener.local_addr().expect("addr");
        let accepted = Arc::new(AtomicUsize::new(0));
        let completed = Arc::new(AtomicUsize::new(0));
        let stop = Arc::new(AtomicBool::new(false));
        let live = Arc::new(AtomicUsize::new(0));
        let (acc, st, cfg) = (Arc::clone(&accepted), Arc::clone(&stop), config.clone());
        let done = Arc::clone(&completed);
        thread::spawn(move || {
            for conn in listener.incoming() {
                if st.load(Ordering::SeqCst) {
                    break;
                }
                let Ok(stream) = conn else { continue };
                acc.fetch_add(1, Ordering::SeqCst);
                if live.fetch_add(1, Ordering::SeqCst) >= MAX_LIVE_CONNECTIONS {
                    live.fetch_sub(1, Ordering::SeqCst);
                    continue;
                }
                let (ctx, cfg, live) = (Arc::clone(&ctx), cfg.clone(), Arc::clone(&live));
                let done = Arc::clone(&done);
                thread::spawn(move || {
                    serve(stream, &ctx, &cfg, &done);
                    live.fetch_sub(1, Ordering::SeqCst);
                });
            }
        });
        OpensslServer {
            addr,
            config,
            accepted,
            completed,
            stop,
        }
    }

    pub fn port(&self) -> u16 {
        self.addr.port()
    }

    /// TCP connections the server has accepted.
    pub fn connections(&self) -> usize {
        self.accepted.load(Ordering::SeqCst)
    }

    /// TLS handshakes the server completed (a scanner's hellos never do).
    pub fn handshakes_completed(&self) -> usize {
        self.completed.load(Ordering::SeqCst)
    }
}

impl Drop for OpensslServer {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::SeqCst);
        // Wake the accept loop so it sees the flag.
        let _ = TcpStream::connect_timeout(&self.addr, Duration::from_millis(200));
    }
}

/// RC4 lives in OpenSSL 3's legacy provider; load it (with the default
/// provider kept) before any context is made, once per process.
pub fn load_legacy_provider() {
    static LEGACY: OnceLock<Option<openssl::provider::Provider>> = OnceLock::new();
    LEGACY.get_or_init(|| openssl::provider::Provider::try_load(None, "legacy", true).ok());
}

fn context(c: &Config) -> SslContext {
    load_legacy_provider();
    let pki = pki();
    let mut b = SslContextBuilder::new(SslMethod::tls_server()).expect("ctx");
    b.set_security_level(c.security_level);
    b.set_min_proto_version(Some(c.min)).expect("min");
    b.set_max_proto_version(Some(c.max)).expect("max");
    b.set_cipher_list(c.cipher_list)
        .unwrap_or_else(|e| panic!("cipher list {}: {e}", c.cipher_list));
    if let Some(s) = c.ciphersuites {
        b.set_ciphersuites(s).expect("ciphersuites");
    }
    if let Some(g) = c.groups {
        b.set_groups_list(g).expect("groups");
    }
    if c.server_preference {
        b.set_options(SslOptions::CIPHER_SERVER_PREFERENCE);
    } else {
        b.clear_options(SslOptions::CIPHER_SERVER_PREFERENCE);
    }
    if c.allow_client_renegotiation {
        // SSL_OP_ALLOW_CLIENT_RENEGOTIATION, OpenSSL 3 include/openssl/ssl.h.in: SSL_OP_BIT(8).
        b.set_options(SslOptions::from_bits_retain(1 << 8));
    }
    if c.dh_1024 {
        let dh = Dh::get_1024_160().expect("dh");
        b.set_tmp_dh(&dh).expect("tmp dh");
    }
    if c.dh_params_missing {
        // What Dovecot 2.3 does without `ssl_dh`: a callback that has no
        // parameters to give, so OpenSSL offers DHE and fails when it picks it.
        b.set_tmp_dh_callback(|_, _, _| Err(openssl::error::ErrorStack::get()));
    }
    if c.dh_by_suite {
        // SAFETY: `b.as_ptr()` is the live SSL_CTX this builder owns;
        // SSL_CTX_set_dh_auto only sets a flag on it (the openssl crate does
        // not wrap it).
        let set = unsafe { openssl_sys::SSL_CTX_set_dh_auto(b.as_ptr(), 1) };
        assert_eq!(set, 1, "SSL_CTX_set_dh_auto");
    }
    let leaf = X509::from_der(&pki.chain_der[0]).expect("leaf");
    b.set_certificate(&leaf).expect("cert");
    for extra in &pki.chain_der[1..] {
        b.add_extra_chain_cert(X509::from_der(extra).expect("inter"))
            .expect("chain");
    }
    let key = PKey::private_key_from_pem(pki.key_pem.as_bytes()).expect("key");
    b.set_private_key(&key).expect("key");
    b.check_private_key().expect("key matches");
    b.build()
}

/// One line, read a byte at a time so nothing after it (a ClientHello after
/// `STARTTLS`) is consumed. `None` on EOF, error or an over-long line.
fn read_line<R: Read>(r: &mut R) -> Option<String> {
    let mut line = Vec::new();
    let mut b = [0u8; 1];
    while line.len() < 1024 {
        match r.read(&mut b) {
            Ok(1) if b[0] == b'\n' => {
                if line.last() == Some(&b'\r') {
                    line.pop();
                }
                return Some(String::from_utf8_lossy(&line).into_owned());
            }
            Ok(1) => line.push(b[0]),
            _ => return None,
        }
    }
    None
}

/// Answers commands until the client leaves, EOF, or (when `until_starttls`)
/// the upgrade command, whose go-ahead it sends; returns whether TLS should
/// start now.
fn dialogue<S: Read + Write>(s: &mut S, protocol: MailProtocol, until_starttls: bool) -> bool {
    while let Some(line) = read_line(s) {
        let upper = line.trim().to_ascii_uppercase();
        let (out, then): (String, Option<bool>) = match protocol {
            MailProtocol::Imap => {
                let mut parts = line.splitn(2, ' ');
                let tag = parts.next().unwrap_or("*").to_string();
                let cmd = parts.next().unwrap_or("").trim().to_ascii_uppercase();
                let caps = if until_starttls {
                    "IMAP4 IMAP4rev1 LOGINDISABLED STARTTLS"
                } else {
                    "IMAP4 IMAP4rev1 AUTH=PLAIN"
                };
                match cmd.as_str() {
                    "CAPABILITY" => (
                        format!("* CAPABILITY {caps}\r\n{tag} OK CAPABILITY completed.\r\n"),
                        None,
                    ),
                    "STARTTLS" if until_starttls => (
                        format!("{tag} OK Begin TLS negotiation now.\r\n"),
                        Some(true),
                    ),
                    "LOGOUT" => (
                        format!("* BYE\r\n{tag} OK LOGOUT completed.\r\n"),
                        Some(false),
                    ),
                    c if !until_starttls && c.starts_with("AUTHENTICATE PLAIN") => {
                        let ok = sasl_plain(s, &line, "+ \r\n");
                        (imap_done(&tag, "AUTHENTICATE", ok), None)
                    }
                    c if !until_starttls && c.starts_with("LOGIN ") => {
                        let original = parts_after(&line, 2);
                        let ok = original == format!("\"{LOGIN_USER}\" \"{LOGIN_PASSWORD}\"")
                            || original == format!("{LOGIN_USER} {LOGIN_PASSWORD}");
                        (imap_done(&tag, "LOGIN", ok), None)
                    }
                    _ => (
                        format!("{tag} BAD Command received in Invalid state.\r\n"),
                        None,
                    ),
                }
            }
            MailProtocol::Pop3 => match upper.as_str() {
                "CAPA" if until_starttls => ("+OK\r\nSTLS\r\nUSER\r\n.\r\n".into(), None),
                "CAPA" => ("+OK\r\nUSER\r\nSASL PLAIN\r\n.\r\n".into(), None),
                "STLS" if until_starttls => ("+OK Begin TLS negotiation\r\n".into(), Some(true)),
                c if !until_starttls && c.starts_with("AUTH PLAIN") => {
                    let ok = sasl_plain(s, &line, "+ \r\n");
                    (pop3_done(ok), None)
                }
                c if !until_starttls && c.starts_with("USER ") => ("+OK\r\n".into(), None),
                c if !until_starttls && c.starts_with("PASS ") => {
                    (pop3_done(parts_after(&line, 1) == LOGIN_PASSWORD), None)
                }
                "QUIT" => ("+OK Bye\r\n".into(), Some(false)),
                _ => ("-ERR Unknown command\r\n".into(), None),
            },
            MailProtocol::Smtp => match upper.split(' ').next().unwrap_or("") {
                "EHLO" if until_starttls => (
                    "250-fixture.test\r\n250-PIPELINING\r\n250-STARTTLS\r\n250 8BITMIME\r\n".into(),
                    None,
                ),
                "EHLO" => (
                    "250-fixture.test\r\n250-AUTH PLAIN LOGIN\r\n250 8BITMIME\r\n".into(),
                    None,
                ),
                "STARTTLS" if until_starttls => {
                    ("220 2.0.0 Ready to start TLS\r\n".into(), Some(true))
                }
                "AUTH" if !until_starttls && upper.starts_with("AUTH PLAIN") => {
                    let ok = sasl_plain(s, &line, "334 \r\n");
                    let out = if ok {
                        "235 2.7.0 Authentication successful\r\n"
                    } else {
                        "535 5.7.8 Authentication credentials invalid\r\n"
                    };
                    (out.into(), None)
                }
                "QUIT" => ("221 2.0.0 Bye\r\n".into(), Some(false)),
                _ => ("502 5.5.2 Command not recognized\r\n".into(), None),
            },
        };
        if s.write_all(out.as_bytes()).is_err() {
            return false;
        }
        if let Some(start_tls) = then {
            return start_tls;
        }
    }
    false
}

/// The text after the first `skip` space-separated words of `line`.
fn parts_after(line: &str, skip: usize) -> String {
    line.trim()
        .splitn(skip + 1, ' ')
        .nth(skip)
        .unwrap_or("")
        .to_string()
}

/// SASL PLAIN (RFC 4616) with the initial response on the command `line`
/// (the word after `PLAIN`) or after a `prompt`; whether it names the
/// fixture's account.
fn sasl_plain<S: Read + Write>(s: &mut S, line: &str, prompt: &str) -> bool {
    use base64::Engine as _;
    let words: Vec<&str> = line.split_whitespace().collect();
    let initial = words
        .iter()
        .position(|w| w.eq_ignore_ascii_case("PLAIN"))
        .and_then(|i| words.get(i + 1))
        .filter(|w| **w != "=")
        .map(|w| w.to_string());
    let b64 = match initial {
        Some(ir) => ir,
        None => {
            if s.write_all(prompt.as_bytes()).is_err() {
                return false;
            }
            let Some(l) = read_line(s) else {
                return false;
            };
            l
        }
    };
    let Ok(bytes) = base64::engine::general_purpose::STANDARD.decode(b64.trim()) else {
        return false;
    };
    bytes == format!("\0{LOGIN_USER}\0{LOGIN_PASSWORD}").into_bytes()
}

fn imap_done(tag: &str, cmd: &str, ok: bool) -> String {
    if ok {
        format!("{tag} OK {cmd} completed.\r\n")
    } else {
        format!("{tag} NO {cmd} failed.\r\n")
    }
}

fn pop3_done(ok: bool) -> String {
    if ok {
        "+OK Logged in.\r\n".into()
    } else {
        "-ERR [AUTH] Authentication failed.\r\n".into()
    }
}

fn greeting(c: &Config) -> String {
    match c.protocol {
        MailProtocol::Imap => format!("{}\r\n", c.greeting),
        MailProtocol::Pop3 => "+OK Fixture POP3 ready.\r\n".into(),
        MailProtocol::Smtp => "220 fixture.test ESMTP Fixture ready\r\n".into(),
    }
}

fn serve(mut stream: TcpStream, ctx: &SslContext, c: &Config, completed: &AtomicUsize) {
    let _ = stream.set_read_timeout(Some(Duration::from_secs(5)));
    let _ = stream.set_write_timeout(Some(Duration::from_secs(5)));
    let _ = stream.set_nodelay(true);
    if c.transport == Transport::Starttls {
        if stream.write_all(greeting(c).as_bytes()).is_err() {
            return;
        }
        if !dialogue(&mut stream, c.protocol, true) {
            return;
        }
    }
    let Ok(ssl) = Ssl::new(ctx) else { return };
    let stream = Quiet {
        inner: stream,
        silent: c.silent_refusal,
        pending: Vec::new(),
    };
    let Ok(mut tls) = ssl.accept(stream) else {
        return;
    };
    let quiet = tls.get_mut();
    quiet.silent = false;
    if quiet.release().is_err() {
        return;
    }
    completed.fetch_add(1, Ordering::SeqCst);
    if c.transport == Transport::Implicit && tls.write_all(greeting(c).as_bytes()).is_err() {
        return;
    }
    dialogue(&mut tls, c.protocol, false);
}

/// The socket under a fixture's TLS. With `silent`, what OpenSSL writes
/// during the handshake is held until it reads the client's next flight
/// (or the handshake completes), and dropped when the handshake fails: a
/// refusal, even after a ServerHello was written, reaches the client as a
/// bare close. That is Dovecot's behaviour (it writes through a BIO pair
/// and disconnects on an `SSL_accept` error without flushing).
struct Quiet {
    inner: TcpStream,
    silent: bool,
    pending: Vec<u8>,
}

impl Quiet {
    fn release(&mut self) -> std::io::Result<()> {
        if !self.pending.is_empty() {
            let out = std::mem::take(&mut self.pending);
            self.inner.write_all(&out)?;
        }
        Ok(())
    }
}

impl Read for Quiet {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        self.release()?;
        self.inner.read(buf)
    }
}

impl Write for Quiet {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        if self.silent {
            self.pending.extend_from_slice(buf);
            return Ok(buf.len());
        }
        self.inner.write(buf)
    }

    fn flush(&mut self) -> std::io::Result<()> {
        if !self.silent {
            self.inner.flush()?;
        }
        Ok(())
    }
}
