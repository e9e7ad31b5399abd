//! The OpenSSL fixture servers of the integration tests, on loopback, for
//! `bench/compare.sh` (never run by `cargo test`).
//!
//! `cargo run --example fixtures -- [NAME[@IP] ...]` starts the named
//! profiles (default: `exchange2010 modern`), each on its own port (and
//! loopback address when `@127.0.0.N` is given), and prints one line per
//! fixture: `NAME IP PORT`, then `ready`. Each line read on stdin then
//! prints every fixture's accepted-connection count (`NAME COUNT` lines,
//! then `end`); end of input stops them.
//!
//! `--delay-ms N` (first argument) puts each fixture behind a userspace
//! relay that delays every chunk by N ms in each direction and the
//! connection's first chunk (either way) by another 2N (standing for the
//! TCP handshake's round trip, which the relay's accept does not delay): a round-trip-time
//! emulation for machines without `tc netem`. The printed port is the
//! relay's; the counts are still the fixture's own accepts.

#[path = "../tests/it/support/mod.rs"]
#[allow(unused_imports)]
mod support;

use std::io::{BufRead, Read, Write};
use std::net::{SocketAddr, TcpListener, TcpStream};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, mpsc};
use std::thread;
use std::time::{Duration, Instant};

use support::openssl_server::{OpensslServer, Profile};

fn profile(name: &str) -> Option<Profile> {
    Some(match name {
        "exchange2010" => Profile::Exchange2010,
        "modern" => Profile::Modern,
        "tls13only" => Profile::Tls13Only,
        "dhe1024" => Profile::Dhe1024,
        "ssl3tls10" => Profile::Ssl3Tls10,
        "serverpreference" => Profile::ServerPreference,
        "clientpreference" => Profile::ClientPreference,
        _ => return None,
    })
}

fn main() -> std::process::ExitCode {
    let mut args: Vec<String> = std::env::args().skip(1).collect();
    let mut delay = None;
    if args.first().map(String::as_str) == Some("--delay-ms") {
        delay = args.get(1).and_then(|d| d.parse::<u64>().ok());
        if delay.is_none() {
            eprintln!("fixtures: --delay-ms takes a number of milliseconds");
            return std::process::ExitCode::from(2);
        }
        args.drain(..2);
    }
    if args.is_empty() {
        args = vec!["exchange2010".into(), "modern".into()];
    }
    let mut servers = Vec::new();
    for arg in &args {
        let (name, ip) = match arg.split_once('@') {
            Some((n, ip)) => (n, ip.parse().ok()),
            None => (arg.as_str(), Some([127, 0, 0, 1].into())),
        };
        let (Some(p), Some(ip)) = (profile(name), ip) else {
            eprintln!("fixtures: unknown fixture `{arg}` (NAME[@127.0.0.N])");
            return std::process::ExitCode::from(2);
        };
        let server = OpensslServer::start_on(p.config(), ip);
        let port = match delay {
            Some(ms) => relay(server.addr, Duration::from_millis(ms)),
            None => server.port(),
        };
        println!("{name} {} {port}", server.addr.ip());
        servers.push((name.to_string(), server));
    }
    println!("ready");
    let _ = std::io::stdout().flush();
    for line in std::io::stdin().lock().lines() {
        if line.is_err() {
            break;
        }
        let mut out = std::io::stdout().lock();
        for (name, s) in &servers {
            let _ = writeln!(out, "{name}@{} {}", s.addr.ip(), s.connections());
        }
        let _ = writeln!(out, "end");
        let _ = out.flush();
    }
    std::process::ExitCode::SUCCESS
}

/// A delaying relay in front of `upstream`, on the same address; returns its port.
fn relay(upstream: SocketAddr, one_way: Duration) -> u16 {
    let listener = TcpListener::bind((upstream.ip(), 0)).expect("bind relay");
    let port = listener.local_addr().expect("relay addr").port();
    thread::spawn(move || {
        for client in listener.incoming().flatten() {
            thread::spawn(move || {
                let Ok(server) = TcpStream::connect(upstream) else {
                    return;
                };
                let _ = (client.set_nodelay(true), server.set_nodelay(true));
                let (Ok(c2), Ok(s2)) = (client.try_clone(), server.try_clone()) else {
                    return;
                };
                let connect_rtt = Arc::new(AtomicBool::new(true));
                let rtt = Arc::clone(&connect_rtt);
                let up = thread::spawn(move || pipe(client, server, one_way, &rtt));
                pipe(s2, c2, one_way, &connect_rtt);
                let _ = up.join();
            });
        }
    });
    port
}

/// Copies `from` to `to`, each chunk released `one_way` after it arrived
/// in order; the connection's first chunk also pays for the TCP handshake
/// (`connect_rtt`, shared by both directions). Closes `to` after the last.
fn pipe(mut from: TcpStream, mut to: TcpStream, one_way: Duration, connect_rtt: &AtomicBool) {
    let (tx, rx) = mpsc::channel::<(Instant, Vec<u8>)>();
    let writer = thread::spawn(move || {
        for (due, chunk) in rx {
            thread::sleep(due.saturating_duration_since(Instant::now()));
            if to.write_all(&chunk).is_err() {
                break;
            }
        }
        thread::sleep(one_way);
        let _ = to.shutdown(std::net::Shutdown::Write);
    });
    let mut buf = vec![0u8; 16 * 1024];
    while let Ok(n) = from.read(&mut buf) {
        if n == 0 {
            break;
        }
        let extra = if connect_rtt.swap(false, Ordering::SeqCst) {
            2 * one_way
        } else {
            Duration::ZERO
        };
        if tx
            .send((Instant::now() + one_way + extra, buf[..n].to_vec()))
            .is_err()
        {
            break;
        }
    }
    drop(tx);
    let _ = writer.join();
}
