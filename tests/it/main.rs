//! One integration-test binary (it links once), with a module per area.
//! Every server here is real and listens on loopback only.

mod api;
mod batch;
mod cert;
mod cli;
mod dovecot;
mod mail;
mod openapi;
mod ops;
mod readiness;
mod scan;
mod seed;
mod support;
