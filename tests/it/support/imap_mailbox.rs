//! A scripted IMAP server holding a small mailbox, for the migration
//! preflight's edge cases no real server here produces on demand (issue
//! 19): no SPECIAL-USE, `/` as delimiter, XLIST, STATUS=SIZE advertised but
//! refused, throttling after N sessions or N body fetches. Plaintext on
//! 127.0.0.1:0 (the preflight allows the login with
//! `allow_plaintext_login`); every line the client sent is recorded.

use std::net::SocketAddr;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};

use tokio::io::{AsyncBufReadExt, AsyncWriteExt, BufReader};
use tokio::net::{TcpListener, TcpStream};

#[derive(Clone)]
pub struct Folder {
    /// The name on the wire (modified UTF-7).
    pub name: &'static str,
    pub attributes: &'static str,
    /// Each message's size; its body is that many bytes.
    pub sizes: Vec<u64>,
}

#[derive(Clone)]
pub struct MailboxScript {
    pub capabilities: &'static str,
    pub delimiter: &'static str,
    pub folders: Vec<Folder>,
    /// STATUS with SIZE answered `BAD`.
    pub refuse_status_size: bool,
    /// Logins beyond this many at once get `NO [LIMIT]`.
    pub max_sessions: usize,
    /// Body FETCHes after this many get `NO [LIMIT]`.
    pub body_fetches_before_limit: usize,
}

pub struct MailboxFixture {
    pub addr: SocketAddr,
    pub received: Arc<Mutex<Vec<String>>>,
}

impl MailboxFixture {
    pub fn received(&self) -> Vec<String> {
        self.received.lock().unwrap().clone()
    }
}

struct Shared {
    script: MailboxScript,
    log: Arc<Mutex<Vec<String>>>,
    sessions: AtomicUsize,
    body_fetches: AtomicUsize,
}

pub async fn start(script: MailboxScript) -> MailboxFixture {
    let listener = TcpListener::bind("127.0.0.1:0").await.expect("bind");
    let addr = listener.local_addr().expect("addr");
    let received = Arc::new(Mutex::new(Vec::new()));
    let shared = Arc::new(Shared {
        script,
        log: Arc::clone(&received),
        sessions: AtomicUsize::new(0),
        body_fetches: AtomicUsize::new(0),
    });
    tokio::spawn(async move {
        while let Ok((tcp, _)) = listener.accept().await {
            let shared = Arc::clone(&shared);
            tokio::spawn(async move {
                let mut logged_in = false;
                let _ = serve(tcp, &shared, &mut logged_in).await;
                if logged_in {
                    shared.sessions.fetch_sub(1, Ordering::SeqCst);
                }
            });
        }
    });
    MailboxFixture { addr, received }
}

/// `1:*`, `3:5`, `7,9`: the 1-based positions of a set over `n` messages.
fn set(spec: &str, n: usize) -> Vec<usize> {
    let mut out = Vec::new();
    for part in spec.split(',') {
        let (a, b) = part.split_once(':').unwrap_or((part, part));
        let num = |s: &str| if s == "*" { n } else { s.parse().unwrap_or(0) };
        for i in num(a)..=num(b).min(n) {
            if i >= 1 {
                out.push(i);
            }
        }
    }
    out
}

async fn serve(tcp: TcpStream, sh: &Shared, logged_in: &mut bool) -> std::io::Result<()> {
    let s = &sh.script;
    let mut conn = BufReader::new(tcp);
    let mut selected: Option<usize> = None;
    conn.get_mut().write_all(b"* OK fixture ready\r\n").await?;
    loop {
        let mut line = String::new();
        if conn.read_line(&mut line).await? == 0 {
            return Ok(());
        }
        let line = line.trim_end().to_string();
        sh.log.lock().unwrap().push(line.clone());
        let mut w = line.splitn(3, ' ');
        let tag = w.next().unwrap_or("*").to_string();
        let mut cmd = w.next().unwrap_or("").to_ascii_uppercase();
        let mut args = w.next().unwrap_or("").to_string();
        if cmd == "UID" {
            let (c, a) = args.split_once(' ').unwrap_or((&args, ""));
            cmd = format!("UID {}", c.to_ascii_uppercase());
            args = a.to_string();
        }
        let mut out = String::new();
        let ok = format!("{tag} OK done\r\n");
        let folder = |name: &str| {
            s.folders
                .iter()
                .position(|f| format!("\"{}\"", f.name) == name)
        };
        match cmd.as_str() {
            "CAPABILITY" => out = format!("* CAPABILITY {}\r\n{ok}", s.capabilities),
            "LOGIN" => {
                if sh.sessions.fetch_add(1, Ordering::SeqCst) >= s.max_sessions {
                    sh.sessions.fetch_sub(1, Ordering::SeqCst);
                    out = format!("{tag} NO [LIMIT] too many sessions\r\n");
                } else {
                    *logged_in = true;
                    out = ok;
                }
            }
            "LIST" | "XLIST" => {
                for f in &s.folders {
                    out += &format!(
                        "* {cmd} ({}) \"{}\" \"{}\"\r\n",
                        f.attributes, s.delimiter, f.name
                    );
                }
                out += &ok;
            }
            "STATUS" => {
                let (name, items) = args.split_once(" (").unwrap_or((&args, ""));
                match folder(name) {
                    _ if items.contains("SIZE") && s.refuse_status_size => {
                        out = format!("{tag} BAD unknown status item\r\n")
                    }
                    Some(i) => {
                        let f = &s.folders[i];
                        let size: u64 = f.sizes.iter().sum();
                        let extra = if items.contains("SIZE") {
                            format!(" SIZE {size}")
                        } else {
                            String::new()
                        };
                        out = format!(
                            "* STATUS {name} (MESSAGES {} UIDVALIDITY 42{extra})\r\n{ok}",
                            f.sizes.len()
                        );
                    }
                    None => out = format!("{tag} NO no such folder\r\n"),
                }
            }
            "EXAMINE" => match folder(&args) {
                Some(i) => {
                    selected = Some(i);
                    out = format!(
                        "* {} EXISTS\r\n* OK [UIDVALIDITY 42] ok\r\n{tag} OK [READ-ONLY] done\r\n",
                        s.folders[i].sizes.len()
                    );
                }
                None => out = format!("{tag} NO no such folder\r\n"),
            },
            "UID FETCH" | "FETCH" => {
                let Some(i) = selected else {
                    out = format!("{tag} BAD nothing selected\r\n");
                    send(&mut conn, &out).await?;
                    continue;
                };
                let sizes = &s.folders[i].sizes;
                let (which, items) = args.split_once(' ').unwrap_or((&args, ""));
                if items.contains("BODY.PEEK[]")
                    && sh.body_fetches.fetch_add(1, Ordering::SeqCst) >= s.body_fetches_before_limit
                {
                    send(&mut conn, &format!("{tag} NO [LIMIT] slow down\r\n")).await?;
                    continue;
                }
                // UIDs are positions times 10.
                let positions = if cmd == "UID FETCH" {
                    set(which, sizes.len() * 10)
                        .into_iter()
                        .filter(|u| u % 10 == 0)
                        .map(|u| u / 10)
                        .collect()
                } else {
                    set(which, sizes.len())
                };
                for p in positions.into_iter().filter(|p| *p <= sizes.len()) {
                    let size = sizes[p - 1];
                    let mut item = format!("* {p} FETCH (UID {}", p * 10);
                    if items.contains("RFC822.SIZE") {
                        item += &format!(" RFC822.SIZE {size}");
                    }
                    if items.contains("INTERNALDATE") {
                        item += " INTERNALDATE \"01-Jan-2024 10:00:00 +0000\"";
                    }
                    if items.contains("BODY.PEEK[]<0.") {
                        let n = size.min(65536) as usize;
                        item += &format!(" BODY[]<0> {{{n}}}\r\n{}", "x".repeat(n));
                    }
                    out += &format!("{item})\r\n");
                }
                out += &ok;
            }
            "UID SEARCH" => {
                let min: u64 = args.trim_start_matches("LARGER ").parse().unwrap_or(0);
                let sizes = selected
                    .map(|i| s.folders[i].sizes.clone())
                    .unwrap_or_default();
                let uids: Vec<String> = sizes
                    .iter()
                    .enumerate()
                    .filter(|(_, s)| **s > min)
                    .map(|(p, _)| ((p + 1) * 10).to_string())
                    .collect();
                out = format!("* SEARCH {}\r\n{ok}", uids.join(" "));
            }
            "NOOP" | "NAMESPACE" | "ID" => out = ok,
            "LOGOUT" => {
                send(&mut conn, &format!("* BYE bye\r\n{ok}")).await?;
                return Ok(());
            }
            _ => out = format!("{tag} BAD unknown command\r\n"),
        }
        send(&mut conn, &out).await?;
    }
}

async fn send(conn: &mut BufReader<TcpStream>, text: &str) -> std::io::Result<()> {
    conn.get_mut().write_all(text.as_bytes()).await?;
    conn.get_mut().flush().await
}
