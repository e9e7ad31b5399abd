//! What the diagnosis reads: the [`Observations`] (facts only) and the
//! certificate judgement the pipeline made in the middle of the probe (it
//! decides the AIA fetch on it, calling `tls::chain` — pure judgement — and
//! judging what was fetched). The diagnosis builds the Report's `tls` from
//! the observations' [`crate::observations::TlsSeen`] and this
//! judgement.
//!
//! `Evidence` dereferences to its observations, so a rule that needs only
//! facts takes `&Observations` and is handed `&Evidence` unchanged.

use std::ops::{Deref, DerefMut};

use crate::observations::{Observations, TlsSeen};
use crate::report::{Certificate, Tls};

#[derive(Debug, Clone)]
pub struct Evidence {
    pub obs: Observations,
    /// The certificate chain and its judgement; `None` when no chain was seen.
    pub certificate: Option<Certificate>,
}

impl Evidence {
    /// Observations with no certificate judged yet.
    pub fn new(obs: Observations) -> Evidence {
        Evidence {
            obs,
            certificate: None,
        }
    }
}

/// The Report's `tls`: what the engines saw, with the certificate judgement.
pub fn report_tls(seen: TlsSeen, certificate: Option<Certificate>) -> Tls {
    Tls {
        versions: seen.versions,
        server_preference: seen.server_preference,
        groups: seen.groups,
        dh_bits: seen.dh_bits,
        certificate,
        handshake: seen.handshake,
        handshakes: seen.handshakes,
    }
}

impl From<Observations> for Evidence {
    fn from(obs: Observations) -> Evidence {
        Evidence::new(obs)
    }
}

impl Deref for Evidence {
    type Target = Observations;
    fn deref(&self) -> &Observations {
        &self.obs
    }
}

impl DerefMut for Evidence {
    fn deref_mut(&mut self) -> &mut Observations {
        &mut self.obs
    }
}
