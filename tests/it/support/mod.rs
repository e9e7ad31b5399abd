//! Test harness: the real service on a random port, and real fixture servers.
//! Helpers serve many test modules; not every helper is used by every one.
#![allow(dead_code)]

pub mod app;
pub mod dns_server;
pub mod hostile_servers;
pub mod https_server;
pub mod imap_mailbox;
pub mod mail_servers;
pub mod openssl_cert_server;
pub mod openssl_server;
pub mod pki;
pub mod rustls_server;
pub mod scans;
