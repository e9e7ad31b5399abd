//! The outbound gate: every connection the service opens — probes,
//! readiness discovery, the Exchange HTTPS checks, and anything added later
//! (an AIA certificate fetch, say) — is checked here, address *and* port,
//! before any I/O, and counts against the same connection caps (issue 15).
//!
//! Two kinds of port:
//! - ports the caller chooses (a probe's `port`, readiness' `ports.*`)
//!   obey `MAILPROBE_ALLOW_PORTS`;
//! - the fixed well-known ports of fetches the service decides on itself
//!   obey the fetch policy: HTTP 80 and HTTPS 443 (autoconfig,
//!   Autodiscover, AIA), plus the port of the operator's
//!   `MAILPROBE_ISPDB_URL`. A caller's override of such a port
//!   (readiness' `ports.http`/`ports.https`) is a caller-chosen port and is
//!   checked against `MAILPROBE_ALLOW_PORTS` before discovery starts.
//!
//! Addresses obey the [`TargetPolicy`] (allow and deny lists, refusal of
//! non-global ranges) whatever the port.

use std::net::IpAddr;

use super::ProbeRejection;
use super::aia::FetchGate;
use super::policy::{Refusal, TargetPolicy};
use crate::config::{PortSet, Settings};
use crate::net::ConnectionLimits;
use crate::vocab::Deadline;
use crate::vocab::host::Host;

/// The service's own fetches: HTTP and HTTPS on their well-known ports.
pub const FETCH_PORTS: [u16; 2] = [80, 443];

/// Address and port policy plus the connection caps, shared by every
/// outbound connection of the instance.
#[derive(Debug, Clone)]
pub struct OutboundGate {
    targets: TargetPolicy,
    caller_ports: PortSet,
    fetch_ports: Vec<u16>,
    limits: ConnectionLimits,
}

impl OutboundGate {
    pub fn new(settings: &Settings) -> OutboundGate {
        let mut fetch_ports = FETCH_PORTS.to_vec();
        if let Some(ispdb) = &settings.ispdb_url.0
            && !fetch_ports.contains(&ispdb.port)
        {
            fetch_ports.push(ispdb.port);
        }
        OutboundGate {
            targets: TargetPolicy {
                allow: settings.allow_targets.clone(),
                deny: settings.deny_targets.clone(),
            },
            caller_ports: settings.allow_ports.clone(),
            fetch_ports,
            limits: ConnectionLimits::new(
                settings.max_connections,
                settings.per_target_connections,
            ),
        }
    }

    pub fn targets(&self) -> &TargetPolicy {
        &self.targets
    }

    pub fn limits(&self) -> &ConnectionLimits {
        &self.limits
    }

    /// A port the caller chose: `MAILPROBE_ALLOW_PORTS`.
    pub fn check_caller_port(&self, port: u16) -> Result<(), ProbeRejection> {
        if self.caller_ports.contains(port) {
            Ok(())
        } else {
            Err(ProbeRejection::PortRefused {
                port,
                allowed: self.caller_ports.to_string(),
            })
        }
    }

    /// One address of `host` (a refusal of a name hides the address).
    pub fn check_address(&self, host: &Host, ip: IpAddr) -> Result<(), Refusal> {
        self.targets.check_for(host, ip)
    }

    /// A fetch the service decided on: its port is a fetch-policy port or
    /// a caller override already checked by [`Self::check_caller_port`];
    /// every address obeys the target policy.
    pub fn check_fetch(
        &self,
        host: &Host,
        ips: &[IpAddr],
        port: u16,
    ) -> Result<(), ProbeRejection> {
        if !self.fetch_ports.contains(&port) && !self.caller_ports.contains(port) {
            let fetch: Vec<String> = self.fetch_ports.iter().map(u16::to_string).collect();
            return Err(ProbeRejection::PortRefused {
                port,
                allowed: format!(
                    "{} (fetches also use {})",
                    self.caller_ports,
                    fetch.join(",")
                ),
            });
        }
        for ip in ips {
            self.check_address(host, *ip)?;
        }
        Ok(())
    }

    /// A slot of `ip`'s cap and a global one, for a connection opened
    /// outside a probe's connector (an HTTP fetch); `None` when the
    /// deadline comes first.
    pub async fn slots(
        &self,
        ip: IpAddr,
        deadline: Deadline,
    ) -> Option<(crate::net::Slot, tokio::sync::OwnedSemaphorePermit)> {
        self.limits.acquire(ip, deadline).await
    }
}

/// The AIA engine's gate: the same fetch policy and caps.
impl FetchGate for OutboundGate {
    type Refusal = ProbeRejection;
    type Slots = (crate::net::Slot, tokio::sync::OwnedSemaphorePermit);

    fn check_fetch(&self, host: &Host, ips: &[IpAddr], port: u16) -> Result<(), ProbeRejection> {
        OutboundGate::check_fetch(self, host, ips, port)
    }

    async fn slots(&self, ip: IpAddr, deadline: Deadline) -> Option<Self::Slots> {
        OutboundGate::slots(self, ip, deadline).await
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use clap::Parser;

    #[derive(Parser)]
    struct Wrap {
        #[command(flatten)]
        settings: Settings,
    }

    fn gate(flags: &[&str]) -> OutboundGate {
        let mut argv = vec!["mailprobe", "--ispdb-url", "http://127.0.0.1:8081/ispdb"];
        argv.extend_from_slice(flags);
        OutboundGate::new(&Wrap::try_parse_from(argv).unwrap().settings)
    }

    #[test]
    fn caller_ports_and_fetch_ports_are_separate_policies() {
        let g = gate(&["--allow-ports", "993", "--allow-targets", "127.0.0.0/8"]);
        let local = Host::Ip([127, 0, 0, 1].into());
        let ip: IpAddr = [127, 0, 0, 1].into();
        assert!(g.check_caller_port(993).is_ok());
        assert!(
            g.check_caller_port(443).is_err(),
            "443 is a fetch port, not a caller's"
        );
        assert!(g.check_caller_port(6379).is_err());
        for port in [80, 443, 8081, 993] {
            assert!(g.check_fetch(&local, &[ip], port).is_ok(), "{port}");
        }
        assert!(matches!(
            g.check_fetch(&local, &[ip], 6379),
            Err(ProbeRejection::PortRefused { port: 6379, .. })
        ));
        let private = Host::Ip([10, 0, 0, 1].into());
        assert!(matches!(
            g.check_fetch(&private, &[[10, 0, 0, 1].into()], 443),
            Err(ProbeRejection::Refused(_))
        ));
    }
}
