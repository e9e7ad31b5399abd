//! One client's verdict as the rules build it: whether it connects, on what
//! basis, and what stops or may stop it. Its own module so that
//! [`super::certainty`] (how certain a verdict is) and [`super::clients`]
//! (which computes it) both use it without importing each other.

use crate::vocab::TlsVersion;

use super::profiles::{ClientProfile, Failure};

pub use crate::report::ClientBasis as Basis;

/// One client's verdict.
#[derive(Debug, Clone)]
pub struct ClientVerdict {
    pub profile: &'static ClientProfile,
    pub connects: bool,
    pub basis: Basis,
    pub negotiated: Option<(TlsVersion, u16)>,
    /// The failure class that stops it (when `connects` is false).
    pub failure: Option<Failure>,
    pub reason: Option<String>,
    pub error_as_seen: Option<String>,
    /// What may still stop it: unknown client behaviour or a user prompt.
    pub risks: Vec<String>,
    /// The failure class behind each risk, where there is one.
    pub risk_classes: Vec<Failure>,
    /// Compliance profiles: whether the server complies (None: not measured).
    pub compliant: Option<bool>,
    pub violations: Vec<String>,
    /// The wire trial disagreed with the computation: (computed, observed).
    pub disagreement: Option<(String, String)>,
    /// Counts for the verdict.
    pub decides: bool,
    /// The failure rests on a profile fact no source settles (so it is a risk).
    pub unverified: bool,
    /// The trial was predicted from the scan, not sent: what that rests on.
    pub prediction: Option<String>,
}
