//! The destinations' documented limits for an IMAP migration, each with
//! its source; where no source was found the limit is marked unverified
//! and a finding resting on it is a risk, never a problem. Every limit can
//! be overridden per request (`limits` in `POST /v1/preflight`).

use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

/// Where the mailbox is going.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "kebab-case")]
pub enum Destination {
    /// Microsoft 365 / Exchange Online, IMAP migration batches.
    #[default]
    ExchangeOnline,
    /// Google Workspace data migration service.
    GoogleWorkspace,
}

impl Destination {
    pub fn label(self) -> &'static str {
        match self {
            Destination::ExchangeOnline => "Exchange Online",
            Destination::GoogleWorkspace => "Google Workspace",
        }
    }
}

/// Microsoft: "What you need to know about migrating your IMAP mailboxes"
/// (500,000 items per mailbox, newest first; the biggest email 35 MB).
pub const EXO_IMAP_PAGE: &str = "https://learn.microsoft.com/en-us/exchange/mailbox-migration/migrating-imap-mailboxes/migrating-imap-mailboxes";
/// Microsoft: "Tips for optimizing IMAP migrations" (folders with `/` in the
/// name are not migrated; messages over 35 MB are not).
pub const EXO_IMAP_TIPS: &str = "https://learn.microsoft.com/en-us/exchange/mailbox-migration/migrating-imap-mailboxes/optimizing-imap-migrations";
/// Microsoft: Exchange Online limits (mailbox folder limits, mailbox
/// storage). Not verified by this project: the figures were not read there.
pub const EXO_LIMITS: &str = "https://learn.microsoft.com/en-us/office365/servicedescriptions/exchange-online-service-description/exchange-online-limits";
/// Google Workspace data migration service: no source was read for its
/// limits, so none is cited; the defaults are the commonly quoted figures.
pub const GOOGLE_DMS: &str =
    "unverified: Google Workspace data migration service (no source read; override in `limits`)";

/// A limit with its value, its source and whether that source was read.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct Limit {
    /// `max_item_bytes`, `max_items_per_mailbox`, ...
    pub name: String,
    /// The limit (bytes, items, folders or levels, by name).
    pub value: u64,
    /// Where the default comes from (a URL; `unverified: ...` when no
    /// source was read), or `request` when overridden.
    pub source: String,
    /// `false`: no source was read for this default; findings resting on
    /// it are risks.
    pub verified: bool,
}

/// Per-request overrides; each replaces the destination's default.
#[derive(Debug, Clone, Default, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct LimitOverrides {
    /// Largest item the destination takes, bytes.
    pub max_item_bytes: Option<u64>,
    /// Items per mailbox the destination's migration moves.
    pub max_items_per_mailbox: Option<u64>,
    /// Items per folder the destination takes.
    pub max_items_per_folder: Option<u64>,
    /// Folders per mailbox the destination takes.
    pub max_folders: Option<u64>,
    /// Deepest folder nesting the destination takes.
    pub max_folder_depth: Option<u64>,
    /// The destination mailbox's quota (the plan's), bytes.
    pub mailbox_quota_bytes: Option<u64>,
}

/// The limits in force for one preflight.
#[derive(Debug, Clone, PartialEq)]
pub struct Limits {
    pub destination: Destination,
    pub max_item_bytes: Limit,
    pub max_items_per_mailbox: Limit,
    pub max_items_per_folder: Limit,
    pub max_folders: Limit,
    pub max_folder_depth: Limit,
    pub mailbox_quota_bytes: Limit,
    /// Folders whose name holds `/` are not migrated (Exchange Online).
    pub slash_in_name_skipped: bool,
}

/// "Near a limit": at or above this share of it.
pub const NEAR: f64 = 0.9;

const MIB: u64 = 1 << 20;
const GIB: u64 = 1 << 30;

fn limit(name: &str, value: u64, source: &str, verified: bool, over: Option<u64>) -> Limit {
    match over {
        Some(v) => Limit {
            name: name.into(),
            value: v,
            source: "request".into(),
            verified: true,
        },
        None => Limit {
            name: name.into(),
            value,
            source: source.into(),
            verified,
        },
    }
}

impl Limits {
    pub fn of(destination: Destination, o: &LimitOverrides) -> Limits {
        match destination {
            Destination::ExchangeOnline => Limits {
                destination,
                max_item_bytes: limit(
                    "max_item_bytes",
                    35 * MIB,
                    EXO_IMAP_PAGE,
                    true,
                    o.max_item_bytes,
                ),
                max_items_per_mailbox: limit(
                    "max_items_per_mailbox",
                    500_000,
                    EXO_IMAP_PAGE,
                    true,
                    o.max_items_per_mailbox,
                ),
                max_items_per_folder: limit(
                    "max_items_per_folder",
                    1_000_000,
                    EXO_LIMITS,
                    false,
                    o.max_items_per_folder,
                ),
                max_folders: limit("max_folders", 10_000, EXO_LIMITS, false, o.max_folders),
                max_folder_depth: limit(
                    "max_folder_depth",
                    300,
                    EXO_LIMITS,
                    false,
                    o.max_folder_depth,
                ),
                mailbox_quota_bytes: limit(
                    "mailbox_quota_bytes",
                    50 * GIB,
                    EXO_LIMITS,
                    false,
                    o.mailbox_quota_bytes,
                ),
                slash_in_name_skipped: true,
            },
            Destination::GoogleWorkspace => Limits {
                destination,
                max_item_bytes: limit(
                    "max_item_bytes",
                    25 * MIB,
                    GOOGLE_DMS,
                    false,
                    o.max_item_bytes,
                ),
                max_items_per_mailbox: limit(
                    "max_items_per_mailbox",
                    u64::MAX,
                    GOOGLE_DMS,
                    false,
                    o.max_items_per_mailbox,
                ),
                max_items_per_folder: limit(
                    "max_items_per_folder",
                    u64::MAX,
                    GOOGLE_DMS,
                    false,
                    o.max_items_per_folder,
                ),
                max_folders: limit("max_folders", u64::MAX, GOOGLE_DMS, false, o.max_folders),
                max_folder_depth: limit(
                    "max_folder_depth",
                    u64::MAX,
                    GOOGLE_DMS,
                    false,
                    o.max_folder_depth,
                ),
                mailbox_quota_bytes: limit(
                    "mailbox_quota_bytes",
                    30 * GIB,
                    GOOGLE_DMS,
                    false,
                    o.mailbox_quota_bytes,
                ),
                slash_in_name_skipped: false,
            },
        }
    }

    /// The limits as the report lists them (unbounded ones left out).
    pub fn listed(&self) -> Vec<Limit> {
        [
            &self.max_item_bytes,
            &self.max_items_per_mailbox,
            &self.max_items_per_folder,
            &self.max_folders,
            &self.max_folder_depth,
            &self.mailbox_quota_bytes,
        ]
        .into_iter()
        .filter(|l| l.value != u64::MAX)
        .cloned()
        .collect()
    }

    /// The sizes the survey counts items from: near the item limit, and
    /// over it.
    pub fn item_thresholds(&self) -> Vec<u64> {
        let l = self.max_item_bytes.value;
        vec![near(l), l.saturating_add(1)]
    }
}

/// The "near limit" size of a limit.
pub fn near(limit: u64) -> u64 {
    (limit as f64 * NEAR).floor() as u64
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn defaults_sources_and_overrides() {
        let l = Limits::of(Destination::ExchangeOnline, &LimitOverrides::default());
        assert_eq!(l.max_item_bytes.value, 36_700_160);
        assert!(l.max_item_bytes.verified && l.max_items_per_mailbox.verified);
        assert!(!l.max_folders.verified);
        assert_eq!(l.item_thresholds(), [33_030_144, 36_700_161]);
        let g = Limits::of(
            Destination::GoogleWorkspace,
            &LimitOverrides {
                max_item_bytes: Some(1000),
                ..LimitOverrides::default()
            },
        );
        assert_eq!(
            (g.max_item_bytes.value, g.max_item_bytes.source.as_str()),
            (1000, "request")
        );
        assert!(!g.mailbox_quota_bytes.verified);
        assert_eq!(g.listed().len(), 2);
    }
}
