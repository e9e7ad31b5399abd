//! The preflight's findings: each a pure rule over the survey and the
//! destination's limits. What, where (folder), how many items, the remedy
//! and the limit it rests on; a limit without a verified source makes the
//! finding a risk, never a problem.

use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::limits::{Limit, Limits, near};
use crate::observations::preflight::{FolderSeen, Survey};

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    /// Will not arrive (against a verified limit).
    Problem,
    /// May not arrive, or rests on an unverified limit.
    Risk,
    Info,
}

#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct PreflightFinding {
    /// Stable identifier, e.g. `item-over-size-limit`.
    pub id: String,
    /// `problem`: will not arrive; `risk`: may not, or the limit is unverified; `info`.
    pub severity: Severity,
    /// What was found, in words.
    pub what: String,
    /// The folder (decoded name), when the finding is about one.
    pub folder: Option<String>,
    /// How many items it concerns.
    pub items: Option<u64>,
    /// What to do before the migration.
    pub remedy: String,
    /// The limit it rests on (`null`: none).
    pub limit: Option<Limit>,
}

fn by_limit(l: &Limit) -> Severity {
    if l.verified {
        Severity::Problem
    } else {
        Severity::Risk
    }
}

fn count_from(f: &FolderSeen, size: u64) -> u64 {
    f.items_from
        .iter()
        .find(|(t, _)| *t == size)
        .map_or(0, |(_, n)| *n)
}

pub fn findings(s: &Survey, l: &Limits) -> Vec<PreflightFinding> {
    let mut out = Vec::new();
    let dest = l.destination.label();
    items(s, l, dest, &mut out);
    folders(s, l, dest, &mut out);
    mailbox(s, l, dest, &mut out);
    for t in &s.throttling {
        out.push(PreflightFinding {
            id: "source-throttling".into(),
            severity: Severity::Risk,
            what: format!("the source server throttled the survey: {t}"),
            folder: None,
            items: None,
            remedy: "raise the source's per-user connection and rate limits for the migration window, or plan for a slower transfer".into(),
            limit: None,
        });
    }
    if let Some(f) = slowdown(s) {
        out.push(f);
    }
    if !s.caps_reached.is_empty() || s.folders.iter().any(|f| f.partial) {
        out.push(PreflightFinding {
            id: "survey-partial".into(),
            severity: Severity::Info,
            what: format!(
                "the survey was cut short ({}): counts marked partial are lower bounds",
                if s.caps_reached.is_empty() { "a folder could not be read in full".to_string() } else { s.caps_reached.join(", ") }
            ),
            folder: None,
            items: None,
            remedy: "raise the caps in `caps` (time, responses, bytes, folders) and run the preflight again".into(),
            limit: None,
        });
    }
    out.sort_by_key(|f| f.severity);
    out
}

/// A quarter of the sample must hold this much to be compared.
const SLOWDOWN_MIN_BYTES: u64 = 256 * 1024;
const SLOWDOWN_MIN_MS: u64 = 50;
/// The last quarter below this share of the first quarter's rate: a slow-down.
const SLOWDOWN_SHARE: f64 = 1.0 / 3.0;

/// The sample's last quarter of batches much slower than its first: the
/// server slows a client down as it reads.
fn slowdown(s: &Survey) -> Option<PreflightFinding> {
    let b = &s.sample.as_ref()?.batches;
    let q = b.len() / 4;
    if q == 0 {
        return None;
    }
    let rate = |part: &[(u64, u64)]| {
        let (bytes, ms) = part
            .iter()
            .fold((0u64, 0u64), |(x, y), (bb, mm)| (x + bb, y + mm));
        (bytes >= SLOWDOWN_MIN_BYTES && ms >= SLOWDOWN_MIN_MS).then(|| bytes as f64 / ms as f64)
    };
    let (first, last) = (rate(&b[..q])?, rate(&b[b.len() - q..])?);
    (last < first * SLOWDOWN_SHARE).then(|| PreflightFinding {
        id: "source-slowdown".into(),
        severity: Severity::Risk,
        what: format!(
            "the transfer slowed down during the sample: {:.0} kB/s in its last quarter against {:.0} kB/s in its first",
            last, first
        ),
        folder: None,
        items: None,
        remedy: "the source throttles sustained reads: plan with the slower rate, or raise the source's limits for the migration window".into(),
        limit: None,
    })
}

fn items(s: &Survey, l: &Limits, dest: &str, out: &mut Vec<PreflightFinding>) {
    let limit = &l.max_item_bytes;
    let near_size = near(limit.value);
    for f in &s.folders {
        let over = count_from(f, limit.value.saturating_add(1));
        let near_and_over = count_from(f, near_size);
        if over > 0 {
            out.push(PreflightFinding {
                id: "item-over-size-limit".into(),
                severity: by_limit(limit),
                what: format!(
                    "{over} item(s) exceed {dest}'s limit of {} bytes for a migrated item and will be skipped",
                    limit.value
                ),
                folder: Some(f.name.clone()),
                items: Some(over),
                remedy: "save the large attachments elsewhere and remove them from the messages (or move the items out of the mailbox) before the migration".into(),
                limit: Some(limit.clone()),
            });
        }
        let close = near_and_over.saturating_sub(over);
        if close > 0 {
            out.push(PreflightFinding {
                id: "item-near-size-limit".into(),
                severity: Severity::Risk,
                what: format!(
                    "{close} item(s) are within 10% of {dest}'s item size limit ({} bytes): conversion at the destination can push them over",
                    limit.value
                ),
                folder: Some(f.name.clone()),
                items: Some(close),
                remedy: "check these items after the first batch; trim their attachments beforehand to be safe".into(),
                limit: Some(limit.clone()),
            });
        }
        if let Some(m) = f.messages
            && m > l.max_items_per_folder.value
        {
            out.push(PreflightFinding {
                id: "folder-over-item-limit".into(),
                severity: by_limit(&l.max_items_per_folder),
                what: format!(
                    "{m} items in one folder; {dest} takes {} per folder",
                    l.max_items_per_folder.value
                ),
                folder: Some(f.name.clone()),
                items: Some(m),
                remedy: "split the folder (e.g. by year) before the migration".into(),
                limit: Some(l.max_items_per_folder.clone()),
            });
        }
    }
}

/// Folder names a client treats as special when the server does not say so.
const SPECIAL_NAMES: &[&str] = &[
    "sent",
    "sent items",
    "sent messages",
    "sent mail",
    "drafts",
    "trash",
    "deleted items",
    "deleted messages",
    "junk",
    "junk e-mail",
    "spam",
    "archive",
];

fn folders(s: &Survey, l: &Limits, dest: &str, out: &mut Vec<PreflightFinding>) {
    let delim = s.delimiter.as_deref().unwrap_or("");
    for f in &s.folders {
        if l.slash_in_name_skipped && delim != "/" && f.destination_name.contains('/') {
            out.push(PreflightFinding {
                id: "folder-name-slash".into(),
                severity: Severity::Problem,
                what: format!(
                    "the folder name contains `/`: {dest}'s IMAP migration does not migrate it"
                ),
                folder: Some(f.name.clone()),
                items: f.messages,
                remedy: "rename the folder, replacing `/` with `_` or `-`".into(),
                limit: None,
            });
        }
        if f.depth as u64 > l.max_folder_depth.value {
            out.push(PreflightFinding {
                id: "folder-too-deep".into(),
                severity: by_limit(&l.max_folder_depth),
                what: format!(
                    "folder nested {} levels deep; {dest} takes {}",
                    f.depth, l.max_folder_depth.value
                ),
                folder: Some(f.name.clone()),
                items: f.messages,
                remedy: "flatten the hierarchy before the migration".into(),
                limit: Some(l.max_folder_depth.clone()),
            });
        }
        if !f.name_decoded {
            out.push(PreflightFinding {
                id: "folder-name-undecodable".into(),
                severity: Severity::Risk,
                what: "the folder name is not valid modified UTF-7 (RFC 3501 §5.1.3): migration tools may mangle or skip it".into(),
                folder: Some(f.name.clone()),
                items: f.messages,
                remedy: "rename the folder in a client before the migration".into(),
                limit: None,
            });
        }
        let top = f.destination_name.to_lowercase();
        if f.special_use.is_none() && f.depth == 1 && SPECIAL_NAMES.contains(&top.as_str()) {
            out.push(PreflightFinding {
                id: "special-folder-unmarked".into(),
                severity: Severity::Risk,
                what: format!("`{}` looks like a special folder but the server does not mark it (no SPECIAL-USE / XLIST attribute): {dest} will migrate it as an ordinary folder beside its own", f.name),
                folder: Some(f.name.clone()),
                items: f.messages,
                remedy: "map the folder explicitly in the migration tool, or move its items into the destination's own special folder afterwards".into(),
                limit: None,
            });
        }
    }
    let n = s.folders.len() as u64;
    if n > l.max_folders.value {
        out.push(PreflightFinding {
            id: "too-many-folders".into(),
            severity: by_limit(&l.max_folders),
            what: format!("{n} folders; {dest} takes {}", l.max_folders.value),
            folder: None,
            items: None,
            remedy: "merge or archive folders before the migration".into(),
            limit: Some(l.max_folders.clone()),
        });
    }
}

fn mailbox(s: &Survey, l: &Limits, dest: &str, out: &mut Vec<PreflightFinding>) {
    let items: u64 = s.folders.iter().filter_map(|f| f.messages).sum();
    if items > l.max_items_per_mailbox.value {
        out.push(PreflightFinding {
            id: "mailbox-over-item-limit".into(),
            severity: by_limit(&l.max_items_per_mailbox),
            what: format!(
                "{items} items; {dest}'s IMAP migration moves at most {} per mailbox (newest first): the oldest {} will not arrive",
                l.max_items_per_mailbox.value,
                items - l.max_items_per_mailbox.value
            ),
            folder: None,
            items: Some(items - l.max_items_per_mailbox.value),
            remedy: "archive old items elsewhere (e.g. a PST import) before the migration".into(),
            limit: Some(l.max_items_per_mailbox.clone()),
        });
    }
    let bytes: u64 = s.folders.iter().filter_map(|f| f.size_bytes).sum();
    let quota = &l.mailbox_quota_bytes;
    if bytes > quota.value || bytes >= near(quota.value) {
        let over = bytes > quota.value;
        out.push(PreflightFinding {
            id: if over { "mailbox-over-quota" } else { "mailbox-near-quota" }.into(),
            severity: if over { by_limit(quota) } else { Severity::Risk },
            what: format!(
                "{bytes} bytes in the mailbox against a destination quota of {} bytes",
                quota.value
            ),
            folder: None,
            items: None,
            remedy: "assign a larger plan or an archive mailbox, or reduce the mailbox before the migration".into(),
            limit: Some(quota.clone()),
        });
    }
}
