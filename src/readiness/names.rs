//! Closed sets of names the Readiness report carries as strings (endpoint
//! names, compared services and aspects, migration paths, HTTP methods), so
//! that the OpenAPI schema lists them (`#[schema(value_type = ...)]` on the
//! field) and a generated client gets an enum. The code writes them from
//! fixed tables (`plan`, `compare::PAIRS`, `compare::ASPECTS`, `advice`);
//! `tests/it/openapi.rs` checks real Readiness reports against the schema,
//! so a name written but not listed here fails there.

use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

/// An endpoint of the mail host, by service and transport.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum EndpointName {
    ImapImplicit,
    ImapStarttls,
    Pop3Implicit,
    Pop3Starttls,
    Smtp,
    Smtps,
    Submission,
    Https,
}

/// A service whose two endpoints are compared: `imap` (993 vs 143), `pop3`
/// (995 vs 110), `submission` (465 vs 587), `smtp` (25 vs 587).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum ComparedService {
    Imap,
    Pop3,
    Submission,
    Smtp,
}

/// What may differ between two endpoints, or one endpoint on two addresses.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum ComparedAspect {
    State,
    Versions,
    Suites,
    Certificate,
    Capabilities,
    Login,
}

/// A way to migrate the mailboxes off the host.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum MigrationPath {
    ImapMigration,
    Cutover,
    Hybrid,
    PstImport,
}

/// The method of an Exchange virtual-directory check.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub enum HttpMethod {
    #[serde(rename = "GET")]
    Get,
    #[serde(rename = "POST")]
    Post,
}
