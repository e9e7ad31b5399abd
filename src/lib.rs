//! mailprobe: probes a mail server's TLS and mail-protocol handshakes and
//! explains which clients can connect, and why not.
//!
//! Flow: request → [`probe`] (I/O, produces [`observations::Observations`])
//! → [`diagnosis`] (pure) → [`report::Report`] → HTTP ([`http`]) or CLI ([`cli`]).

#![deny(unsafe_code)]

pub mod cli;
pub mod config;
pub mod diagnosis;
pub mod http;
pub mod mail;
pub mod metrics;
pub mod net;
pub mod observations;
pub mod probe;
pub mod readiness;
pub mod report;
pub mod tls;
pub mod vocab;
