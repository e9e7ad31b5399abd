//! Scripted in-process mail servers replaying real dialogues (domain.md §2):
//! plaintext with STARTTLS, or implicit TLS (rustls), on 127.0.0.1:0. Each
//! records the lines the client sent, so a test can check what the probe
//! did and did not send.

use std::net::SocketAddr;
use std::sync::{Arc, Mutex};

use base64::Engine;
use base64::engine::general_purpose::STANDARD as B64;
use rustls::pki_types::{CertificateDer, PrivateKeyDer, PrivatePkcs8KeyDer};
use tokio::io::{AsyncBufReadExt, AsyncRead, AsyncReadExt, AsyncWrite, AsyncWriteExt, BufReader};
use tokio::net::TcpListener;
use tokio_rustls::TlsAcceptor;

use super::pki::Ca;

/// The one account the login fixtures accept.
pub const USER: &str = "alice@example.com";
pub const PASSWORD: &str = "Corr3ct-Horse\"Battery\\Staple";
pub const TOKEN: &str = "ya29.fixture-oauth2-token-4b1d";

pub trait Io: AsyncRead + AsyncWrite + Unpin + Send {}
impl<T: AsyncRead + AsyncWrite + Unpin + Send> Io for T {}

type Conn = BufReader<Box<dyn Io>>;

pub struct MailFixture {
    pub addr: SocketAddr,
    pub port: u16,
    /// Every line the client sent, in order, over all connections.
    pub received: Arc<Mutex<Vec<String>>>,
    /// The same lines grouped by flight: a line read while the one before
    /// it still had bytes behind it in the buffer joins that line's group
    /// (the client sent them together, without waiting for an answer).
    pub flights: Arc<Mutex<Vec<Vec<String>>>>,
    /// The private root that issued the server's certificate (PEM).
    pub root_pem: String,
}

impl MailFixture {
    pub fn received(&self) -> Vec<String> {
        self.received.lock().unwrap().clone()
    }

    pub fn flights(&self) -> Vec<Vec<String>> {
        self.flights.lock().unwrap().clone()
    }
}

/// How a server starts: TLS from the first byte, or plaintext.
#[derive(Clone, Copy, PartialEq, Eq)]
pub enum Start {
    Plain,
    ImplicitTls,
}

#[derive(Clone)]
pub struct ImapScript {
    pub greeting: &'static str,
    pub caps_plain: &'static str,
    pub caps_tls: &'static str,
    /// `Some(text)`: STARTTLS answered `OK text` and TLS starts.
    pub starttls_ok: Option<&'static str>,
    /// The answer when STARTTLS is refused.
    pub starttls_refused: &'static str,
    /// The untagged ID response, if the server answers ID.
    pub id: Option<&'static str>,
}

/// Exchange 2010 on 143 (domain.md §2, FL145 / PILER): LOGINDISABLED before
/// TLS, AUTH=PLAIN only after; no MOVE, no ID.
pub fn exchange_2010() -> ImapScript {
    ImapScript {
        greeting: "* OK The Microsoft Exchange IMAP4 service is ready.",
        caps_plain: "IMAP4 IMAP4rev1 AUTH=NTLM AUTH=GSSAPI LOGINDISABLED STARTTLS UIDPLUS CHILDREN IDLE NAMESPACE LITERAL+",
        caps_tls: "IMAP4 IMAP4rev1 AUTH=PLAIN AUTH=NTLM AUTH=GSSAPI UIDPLUS CHILDREN IDLE NAMESPACE LITERAL+",
        starttls_ok: Some("Begin TLS negotiation now."),
        starttls_refused: "BAD Command received in Invalid state.",
        id: None,
    }
}

/// Exchange 2013+ on 143 (MK269 / MK1351): MOVE and ID.
pub fn exchange_2016() -> ImapScript {
    ImapScript {
        greeting: "* OK The Microsoft Exchange IMAP4 service is ready.",
        caps_plain: "IMAP4 IMAP4rev1 LOGINDISABLED STARTTLS UIDPLUS MOVE ID CHILDREN IDLE NAMESPACE LITERAL+",
        caps_tls: "IMAP4 IMAP4rev1 AUTH=PLAIN AUTH=NTLM AUTH=GSSAPI UIDPLUS MOVE ID CHILDREN IDLE NAMESPACE LITERAL+",
        starttls_ok: Some("Begin TLS negotiation now."),
        starttls_refused: "BAD Command received in Invalid state.",
        id: Some("* ID (\"name\" \"Microsoft.Exchange.Imap4.Imap4Server\" \"version\" \"15.1\")"),
    }
}

/// Exchange Online on 993 (SWM109 / MK2016 / MK1512): base64 backend suffix.
pub fn exchange_online() -> ImapScript {
    ImapScript {
        greeting: "* OK The Microsoft Exchange IMAP4 service is ready. [UwBJADIAUABSADAANABDAEEAMAAwADAANQAuAGEAcABjAHAAcgBkADAANAAuAHAAcgBvAGQALgBvAHUAdABsAG8AbwBrAC4AYwBvAG0A]",
        caps_plain: "",
        caps_tls: "IMAP4 IMAP4rev1 AUTH=PLAIN AUTH=XOAUTH2 SASL-IR UIDPLUS MOVE ID UNSELECT CHILDREN IDLE NAMESPACE LITERAL+",
        starttls_ok: None,
        starttls_refused: "BAD Command received in Invalid state.",
        id: Some("* ID (\"name\" \"Microsoft.Exchange.Imap4.Imap4Server\" \"version\" \"15.20\")"),
    }
}

/// Dovecot 2.3 as Debian ships it: capabilities in the greeting, ID with a literal.
pub fn dovecot() -> ImapScript {
    ImapScript {
        greeting: "* OK [CAPABILITY IMAP4rev1 SASL-IR LOGIN-REFERRALS ID ENABLE IDLE LITERAL+ STARTTLS LOGINDISABLED] Dovecot (Debian) ready.",
        caps_plain: "IMAP4rev1 SASL-IR LOGIN-REFERRALS ID ENABLE IDLE LITERAL+ STARTTLS LOGINDISABLED",
        caps_tls: "IMAP4rev1 SASL-IR LOGIN-REFERRALS ID ENABLE IDLE LITERAL+ AUTH=PLAIN",
        starttls_ok: Some("Begin TLS negotiation now."),
        starttls_refused: "BAD Unknown command.",
        id: Some("* ID (\"name\" {7}\r\nDovecot \"version\" \"2.3.21\")"),
    }
}

#[derive(Clone)]
pub struct Pop3Script {
    pub greeting: &'static str,
    pub capa_plain: &'static [&'static str],
    pub capa_tls: &'static [&'static str],
    pub stls_ok: bool,
}

#[derive(Clone)]
pub struct SmtpScript {
    pub greeting: &'static [&'static str],
    pub ehlo_plain: &'static [&'static str],
    pub ehlo_tls: &'static [&'static str],
    pub starttls_ok: bool,
}

/// What a wrong-service server does after its first bytes.
#[derive(Clone, Copy, PartialEq, Eq)]
pub enum After {
    Hold,
    Close,
}

#[derive(Clone)]
pub enum Script {
    Imap(ImapScript),
    Pop3(Pop3Script),
    Smtp(SmtpScript),
    /// Writes these bytes on connect, then holds or closes.
    Raw(&'static [u8], After),
}

pub async fn start(script: Script, start: Start) -> MailFixture {
    let _ = rustls::crypto::ring::default_provider().install_default();
    let root = Ca::root("mailprobe mail fixture root");
    let leaf = root.leaf(&["localhost", "127.0.0.1"]);
    let config = rustls::ServerConfig::builder_with_provider(Arc::new(
        rustls::crypto::ring::default_provider(),
    ))
    .with_safe_default_protocol_versions()
    .expect("versions")
    .with_no_client_auth()
    .with_single_cert(
        vec![CertificateDer::from(leaf.cert_der.clone())],
        PrivateKeyDer::Pkcs8(PrivatePkcs8KeyDer::from(leaf.key_der.clone())),
    )
    .expect("cert");
    let acceptor = TlsAcceptor::from(Arc::new(config));
    let listener = TcpListener::bind("127.0.0.1:0").await.expect("bind");
    let addr = listener.local_addr().expect("addr");
    let received = Arc::new(Mutex::new(Vec::new()));
    let flights = Arc::new(Mutex::new(Vec::new()));
    let log = Arc::clone(&received);
    let grouped = Arc::clone(&flights);
    tokio::spawn(async move {
        while let Ok((tcp, _)) = listener.accept().await {
            let (acceptor, script, log) = (acceptor.clone(), script.clone(), Arc::clone(&log));
            let flights = Arc::clone(&grouped);
            tokio::spawn(async move {
                let (io, tls): (Box<dyn Io>, bool) = match start {
                    Start::Plain => (Box::new(tcp), false),
                    Start::ImplicitTls => match acceptor.accept(tcp).await {
                        Ok(t) => (Box::new(t), true),
                        Err(_) => return,
                    },
                };
                let conn = BufReader::new(io);
                let session = Session {
                    acceptor,
                    log,
                    flights,
                    tls,
                };
                let _ = match script {
                    Script::Imap(s) => session.imap(conn, s).await,
                    Script::Pop3(s) => session.pop3(conn, s).await,
                    Script::Smtp(s) => session.smtp(conn, s).await,
                    Script::Raw(bytes, after) => raw(conn, bytes, after).await,
                };
            });
        }
    });
    MailFixture {
        addr,
        port: addr.port(),
        received,
        flights,
        root_pem: root.cert_pem.clone(),
    }
}

async fn raw(mut conn: Conn, bytes: &[u8], after: After) -> std::io::Result<()> {
    conn.get_mut().write_all(bytes).await?;
    if after == After::Hold {
        let mut sink = [0u8; 1024];
        while conn.read(&mut sink).await? > 0 {}
    }
    Ok(())
}

struct Session {
    acceptor: TlsAcceptor,
    log: Arc<Mutex<Vec<String>>>,
    flights: Arc<Mutex<Vec<Vec<String>>>>,
    tls: bool,
}

fn check_plain(b64: &str) -> bool {
    let expected = format!("\0{USER}\0{PASSWORD}");
    B64.decode(b64.trim()).ok().as_deref() == Some(expected.as_bytes())
}

fn check_xoauth2(b64: &str) -> bool {
    let expected = format!("user={USER}\x01auth=Bearer {TOKEN}\x01\x01");
    B64.decode(b64.trim()).ok().as_deref() == Some(expected.as_bytes())
}

/// The XOAUTH2 failure challenge Google and Microsoft send.
const XOAUTH2_ERROR: &str = "eyJzdGF0dXMiOiI0MDEiLCJzY2hlbWVzIjoiYmVhcmVyIn0=";

impl Session {
    async fn line(&self, conn: &mut Conn) -> std::io::Result<Option<String>> {
        let fresh = conn.buffer().is_empty();
        let mut buf = Vec::new();
        let n = (&mut *conn)
            .take(64 * 1024)
            .read_until(b'\n', &mut buf)
            .await?;
        if n == 0 {
            return Ok(None);
        }
        let line = String::from_utf8_lossy(&buf)
            .trim_end_matches(['\r', '\n'])
            .to_string();
        self.log.lock().unwrap().push(line.clone());
        let mut flights = self.flights.lock().unwrap();
        match flights.last_mut() {
            Some(flight) if !fresh => flight.push(line.clone()),
            _ => flights.push(vec![line.clone()]),
        }
        Ok(Some(line))
    }

    async fn send(conn: &mut Conn, text: &str) -> std::io::Result<()> {
        conn.get_mut().write_all(text.as_bytes()).await?;
        conn.get_mut().flush().await
    }

    async fn upgrade(&mut self, conn: Conn) -> std::io::Result<Conn> {
        let io = conn.into_inner();
        let tls = self.acceptor.accept(io).await?;
        self.tls = true;
        Ok(BufReader::new(Box::new(tls) as Box<dyn Io>))
    }

    async fn imap(mut self, mut conn: Conn, s: ImapScript) -> std::io::Result<()> {
        Self::send(&mut conn, &format!("{}\r\n", s.greeting)).await?;
        while let Some(line) = self.line(&mut conn).await? {
            let mut words = line.splitn(3, ' ');
            let tag = words.next().unwrap_or("*").to_string();
            let cmd = words.next().unwrap_or("").to_ascii_uppercase();
            let args = words.next().unwrap_or("").to_string();
            let caps = if self.tls { s.caps_tls } else { s.caps_plain };
            let login_disabled = caps.split(' ').any(|c| c == "LOGINDISABLED");
            match cmd.as_str() {
                "CAPABILITY" => {
                    Self::send(
                        &mut conn,
                        &format!("* CAPABILITY {caps}\r\n{tag} OK CAPABILITY completed.\r\n"),
                    )
                    .await?
                }
                "STARTTLS" => match s.starttls_ok {
                    Some(text) if !self.tls => {
                        Self::send(&mut conn, &format!("{tag} OK {text}\r\n")).await?;
                        conn = self.upgrade(conn).await?;
                    }
                    _ => {
                        Self::send(&mut conn, &format!("{tag} {}\r\n", s.starttls_refused)).await?
                    }
                },
                "ID" => match s.id {
                    Some(id) => {
                        Self::send(&mut conn, &format!("{id}\r\n{tag} OK ID completed.\r\n"))
                            .await?
                    }
                    None => {
                        Self::send(&mut conn, &format!("{tag} BAD Command Error. 10\r\n")).await?
                    }
                },
                "LOGIN" if login_disabled => {
                    Self::send(
                        &mut conn,
                        &format!("{tag} BAD Command received in Invalid state.\r\n"),
                    )
                    .await?
                }
                "LOGIN" => {
                    let want = format!(
                        "\"{USER}\" \"{}\"",
                        PASSWORD.replace('\\', "\\\\").replace('"', "\\\"")
                    );
                    let reply = if args == want {
                        "OK LOGIN completed."
                    } else {
                        "NO LOGIN failed."
                    };
                    Self::send(&mut conn, &format!("{tag} {reply}\r\n")).await?
                }
                "AUTHENTICATE" => {
                    let (mech, ir) = match args.split_once(' ') {
                        Some((m, ir)) => (m.to_ascii_uppercase(), Some(ir.to_string())),
                        None => (args.to_ascii_uppercase(), None),
                    };
                    let offered = caps
                        .split(' ')
                        .any(|c| c.eq_ignore_ascii_case(&format!("AUTH={mech}")));
                    if !offered {
                        Self::send(&mut conn, &format!("{tag} NO AUTHENTICATE failed.\r\n"))
                            .await?;
                        continue;
                    }
                    let ir = match ir {
                        Some(ir) => ir,
                        None => {
                            Self::send(&mut conn, "+ \r\n").await?;
                            self.line(&mut conn).await?.unwrap_or_default()
                        }
                    };
                    let ok = match mech.as_str() {
                        "PLAIN" => check_plain(&ir),
                        "XOAUTH2" => check_xoauth2(&ir),
                        _ => false,
                    };
                    if ok {
                        Self::send(&mut conn, &format!("{tag} OK AUTHENTICATE completed.\r\n"))
                            .await?;
                    } else {
                        if mech == "XOAUTH2" {
                            Self::send(&mut conn, &format!("+ {XOAUTH2_ERROR}\r\n")).await?;
                            self.line(&mut conn).await?;
                        }
                        Self::send(&mut conn, &format!("{tag} NO AUTHENTICATE failed.\r\n"))
                            .await?;
                    }
                }
                "LOGOUT" => {
                    Self::send(&mut conn, &format!("* BYE Microsoft Exchange Server IMAP4 server signing off.\r\n{tag} OK LOGOUT completed.\r\n")).await?;
                    return Ok(());
                }
                _ => Self::send(&mut conn, &format!("{tag} BAD Command Error. 10\r\n")).await?,
            }
        }
        Ok(())
    }

    async fn pop3(mut self, mut conn: Conn, s: Pop3Script) -> std::io::Result<()> {
        Self::send(&mut conn, &format!("{}\r\n", s.greeting)).await?;
        let mut user_ok = false;
        while let Some(line) = self.line(&mut conn).await? {
            let (cmd, arg) = line.split_once(' ').unwrap_or((&line, ""));
            match cmd.to_ascii_uppercase().as_str() {
                "CAPA" => {
                    let capa = if self.tls { s.capa_tls } else { s.capa_plain };
                    let mut out = String::from("+OK\r\n");
                    for c in capa {
                        out.push_str(c);
                        out.push_str("\r\n");
                    }
                    out.push_str(".\r\n");
                    Self::send(&mut conn, &out).await?;
                }
                "STLS" if s.stls_ok && !self.tls => {
                    Self::send(&mut conn, "+OK Begin TLS negotiation\r\n").await?;
                    conn = self.upgrade(conn).await?;
                }
                "STLS" => Self::send(&mut conn, "-ERR Command not permitted\r\n").await?,
                "USER" => {
                    user_ok = arg == USER;
                    Self::send(&mut conn, "+OK\r\n").await?;
                }
                "PASS" => {
                    let reply = if user_ok && arg == PASSWORD {
                        "+OK User successfully logged on.\r\n"
                    } else {
                        "-ERR Logon failure: unknown user name or bad password.\r\n"
                    };
                    Self::send(&mut conn, reply).await?;
                }
                "AUTH" => {
                    let (mech, ir) = arg.split_once(' ').unwrap_or((arg, ""));
                    let ok = match mech.to_ascii_uppercase().as_str() {
                        "PLAIN" => check_plain(ir),
                        "XOAUTH2" => check_xoauth2(ir),
                        _ => false,
                    };
                    let reply = if ok {
                        "+OK Logged in.\r\n"
                    } else {
                        "-ERR [AUTH] Authentication failed.\r\n"
                    };
                    Self::send(&mut conn, reply).await?;
                }
                "QUIT" => {
                    Self::send(&mut conn, "+OK Logging out.\r\n").await?;
                    return Ok(());
                }
                _ => Self::send(&mut conn, "-ERR Unknown command\r\n").await?,
            }
        }
        Ok(())
    }

    async fn smtp(mut self, mut conn: Conn, s: SmtpScript) -> std::io::Result<()> {
        Self::send(&mut conn, &multiline(220, s.greeting)).await?;
        while let Some(line) = self.line(&mut conn).await? {
            let (cmd, arg) = line.split_once(' ').unwrap_or((&line, ""));
            match cmd.to_ascii_uppercase().as_str() {
                "EHLO" => {
                    let lines = if self.tls { s.ehlo_tls } else { s.ehlo_plain };
                    Self::send(&mut conn, &multiline(250, lines)).await?;
                }
                "STARTTLS" if s.starttls_ok && !self.tls => {
                    Self::send(&mut conn, "220 2.0.0 SMTP server ready\r\n").await?;
                    conn = self.upgrade(conn).await?;
                }
                "STARTTLS" => Self::send(&mut conn, "454 4.7.0 TLS not available\r\n").await?,
                "AUTH" => {
                    let (mech, ir) = arg.split_once(' ').unwrap_or((arg, ""));
                    let ok = match mech.to_ascii_uppercase().as_str() {
                        "PLAIN" => check_plain(ir),
                        "XOAUTH2" => check_xoauth2(ir),
                        "LOGIN" => {
                            Self::send(&mut conn, "334 VXNlcm5hbWU6\r\n").await?;
                            let u = self.line(&mut conn).await?.unwrap_or_default();
                            Self::send(&mut conn, "334 UGFzc3dvcmQ6\r\n").await?;
                            let p = self.line(&mut conn).await?.unwrap_or_default();
                            B64.decode(u).ok().as_deref() == Some(USER.as_bytes())
                                && B64.decode(p).ok().as_deref() == Some(PASSWORD.as_bytes())
                        }
                        _ => false,
                    };
                    let reply = if ok {
                        "235 2.7.0 Authentication successful\r\n"
                    } else {
                        "535 5.7.3 Authentication unsuccessful\r\n"
                    };
                    Self::send(&mut conn, reply).await?;
                }
                "QUIT" => {
                    Self::send(
                        &mut conn,
                        "221 2.0.0 Service closing transmission channel\r\n",
                    )
                    .await?;
                    return Ok(());
                }
                _ => Self::send(&mut conn, "500 5.3.3 Unrecognized command\r\n").await?,
            }
        }
        Ok(())
    }
}

fn multiline(code: u16, lines: &[&str]) -> String {
    let mut out = String::new();
    for (i, l) in lines.iter().enumerate() {
        let sep = if i + 1 == lines.len() { ' ' } else { '-' };
        out.push_str(&format!("{code}{sep}{l}\r\n"));
    }
    out
}
