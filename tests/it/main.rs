//! One integration-test binary (it links once), with a module per area.
//! Every server here is real and listens on loopback only.

mod access;
mod api;
mod batch;
mod cert;
mod cli;
mod contradiction;
mod dovecot;
mod filtered;
mod hostile;
mod hostile_legacy;
mod layers;
mod legacy;
mod mail;
mod openapi;
mod ops;
mod page;
mod pipeline;
mod policy;
mod preflight;
mod preflight_edges;
mod props;
mod readiness;
mod real_clients;
mod scan;
mod scan_busy;
mod scan_curves;
mod scan_dh;
mod scan_floor;
mod scan_split;
mod scan_tls13;
mod security;
mod seed;
mod shutdown;
mod size;
mod support;
