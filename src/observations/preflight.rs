//! The migration preflight's observations (issue 19): what the login and
//! the survey saw for one account, nothing judged. The diagnosis reads
//! this (`diagnosis::preflight`).

use time::OffsetDateTime;

pub use crate::mail::dialogue::{LoginResult, MailTls};
pub use crate::mail::preflight::{
    FolderSeen, ItemSeen, NamespaceSeen, QuotaSeen, SampleSeen, Survey,
};
use crate::net::Stats;
use crate::vocab::{StepError, Target};

/// Extra sessions opened on request, each logged in and held, to see how
/// many the server allows.
#[derive(Debug, Clone, Default, serde::Serialize, serde::Deserialize, utoipa::ToSchema)]
pub struct ParallelSeen {
    /// Extra sessions asked for (0 to 3).
    pub requested: u32,
    /// Extra sessions that logged in while the first was open.
    pub logged_in: u32,
    /// How the others ended (refused, closed, login rejected), verbatim.
    pub refused: Vec<String>,
}

/// Everything the preflight saw.
#[derive(Debug, Clone)]
pub struct PreflightSeen {
    pub target: Target,
    pub started_at: OffsetDateTime,
    pub greeting: Option<String>,
    /// The TLS the session ran over (engine, version, suite).
    pub tls: Option<MailTls>,
    pub login: Option<LoginResult>,
    pub survey: Option<Survey>,
    pub parallel: Option<ParallelSeen>,
    pub errors: Vec<StepError>,
    pub stats: Stats,
    pub duration_ms: u64,
}
