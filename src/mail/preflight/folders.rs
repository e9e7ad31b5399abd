//! The folder list and each folder's counts, sizes and largest items.

use tokio::io::{AsyncRead, AsyncWrite};

use super::{FolderSeen, ItemSeen, Session};
use crate::mail::codec::encoded_words;
use crate::mail::codec::imap_data::{self, Namespaces};
use crate::mail::codec::mutf7;
use crate::mail::connection::StepFailure;
use crate::vocab::ErrorKind;

/// RFC 6154 special-use attributes, and the XLIST ones Gmail sent before it.
const SPECIAL_USE: &[&str] = &[
    "\\All",
    "\\Archive",
    "\\Drafts",
    "\\Flagged",
    "\\Junk",
    "\\Sent",
    "\\Trash",
    "\\Inbox",
    "\\Spam",
    "\\Starred",
    "\\AllMail",
    "\\Important",
];

/// UIDs fetched for details at most per folder.
const DETAIL_UIDS: usize = 200;

/// LIST (with SPECIAL-USE when offered, else XLIST, else plain LIST) of the
/// personal namespace.
pub(super) async fn list<S: AsyncRead + AsyncWrite + Unpin>(
    s: &mut Session<'_, S>,
    ns: &Option<Namespaces>,
) -> Result<(), StepFailure> {
    let prefix = s
        .survey
        .personal_namespace
        .as_ref()
        .map(|n| n.prefix.clone())
        .unwrap_or_default();
    let others: Vec<String> = ns
        .as_ref()
        .map(|n| {
            n.other_users
                .iter()
                .chain(&n.shared)
                .map(|(p, _)| p.clone())
                .filter(|p| !p.is_empty())
                .collect()
        })
        .unwrap_or_default();
    let command = if s.has("SPECIAL-USE") && s.has("LIST-EXTENDED") {
        "LIST \"\" \"*\" RETURN (SPECIAL-USE)"
    } else if s.has("XLIST") && !s.has("SPECIAL-USE") {
        "XLIST \"\" \"*\""
    } else {
        "LIST \"\" \"*\""
    };
    s.survey.list_command = command.to_string();
    let mut items = Vec::new();
    let max = s.params.max_folders;
    let mut cut = false;
    let done = s
        .run(command, |b| {
            if let Some(item) = imap_data::list_item(b) {
                if items.len() < max {
                    items.push(item);
                } else {
                    cut = true;
                }
            }
        })
        .await?;
    if !done.ok {
        s.refused(command, &done);
    }
    s.survey.folders_partial = cut;
    if cut {
        s.survey.caps_reached.push(format!("folders ({max})"));
    }
    for item in items {
        let raw = String::from_utf8_lossy(&item.name).into_owned();
        if others.iter().any(|p| raw.starts_with(p.as_str())) {
            continue;
        }
        if s.survey.delimiter.is_none() {
            s.survey.delimiter = item.delimiter.clone();
        }
        s.survey.folders.push(folder_seen(item, raw, &prefix));
    }
    Ok(())
}

fn folder_seen(item: imap_data::ListItem, raw: String, prefix: &str) -> FolderSeen {
    let decoded = mutf7::decode(&item.name);
    let name = decoded.clone().unwrap_or_else(|| raw.clone());
    let destination_name = match name.strip_prefix(prefix) {
        Some(rest) if !prefix.is_empty() && !rest.is_empty() => rest.to_string(),
        _ => name.clone(),
    };
    let depth = match &item.delimiter {
        Some(d) if !d.is_empty() => destination_name.matches(d.as_str()).count() + 1,
        _ => 1,
    };
    let has = |a: &str| item.attributes.iter().any(|x| x.eq_ignore_ascii_case(a));
    FolderSeen {
        special_use: item
            .attributes
            .iter()
            .find(|a| SPECIAL_USE.iter().any(|u| u.eq_ignore_ascii_case(a)))
            .cloned(),
        selectable: !has("\\Noselect") && !has("\\NonExistent"),
        name_decoded: decoded.is_some(),
        attributes: item.attributes,
        name_raw: raw,
        name,
        destination_name,
        depth,
        ..FolderSeen::default()
    }
}

/// Every selectable folder in turn; a cap ends the survey and marks what
/// was not reached.
pub(super) async fn survey_all<S: AsyncRead + AsyncWrite + Unpin>(
    s: &mut Session<'_, S>,
) -> Result<(), StepFailure> {
    for i in 0..s.survey.folders.len() {
        if !s.survey.folders[i].selectable {
            continue;
        }
        match folder(s, i).await {
            Ok(()) => {}
            Err(e) if e.kind == ErrorKind::Limit => {
                for f in s.survey.folders[i..].iter_mut().filter(|f| f.selectable) {
                    f.partial = true;
                    f.note.get_or_insert_with(|| e.message.clone());
                }
                return Err(e);
            }
            Err(e) => {
                s.survey.folders[i].partial = true;
                s.survey.folders[i].note = Some(e.message.clone());
                return Err(e);
            }
        }
    }
    Ok(())
}

async fn folder<S: AsyncRead + AsyncWrite + Unpin>(
    s: &mut Session<'_, S>,
    i: usize,
) -> Result<(), StepFailure> {
    let raw = s.survey.folders[i].name_raw.clone();
    let Some(quoted) = imap_data::quote_mailbox(raw.as_bytes()) else {
        let f = &mut s.survey.folders[i];
        f.partial = true;
        f.note = Some("the name needs an IMAP literal; not surveyed".into());
        return Ok(());
    };
    status(s, i, &quoted).await?;
    let mut exists = None;
    let mut uidvalidity = None;
    let done = s
        .run(&format!("EXAMINE {quoted}"), |b| {
            exists = imap_data::exists(b).or(exists);
            uidvalidity = imap_data::code_number(b, "UIDVALIDITY").or(uidvalidity);
        })
        .await?;
    if !done.ok {
        s.refused(&format!("EXAMINE {raw}"), &done);
        let f = &mut s.survey.folders[i];
        f.partial = true;
        f.note = Some(format!("EXAMINE refused: {}", done.line));
        return Ok(());
    }
    let f = &mut s.survey.folders[i];
    f.messages = f.messages.or(exists);
    f.uidvalidity = f.uidvalidity.or(uidvalidity);
    if exists == Some(0) {
        f.size_bytes.get_or_insert(0);
        f.size_source.get_or_insert_with(|| "fetch".into());
        f.items_from = s.params.count_items_from.iter().map(|t| (*t, 0)).collect();
        return Ok(());
    }
    let top = if s.survey.folders[i].size_bytes.is_some() {
        large_by_search(s, i).await?
    } else {
        sizes_by_fetch(s, i).await?
    };
    details(s, i, top).await
}

async fn status<S: AsyncRead + AsyncWrite + Unpin>(
    s: &mut Session<'_, S>,
    i: usize,
    quoted: &str,
) -> Result<(), StepFailure> {
    let mut tries = vec!["MESSAGES UIDVALIDITY"];
    if s.has("STATUS=SIZE") {
        tries.insert(0, "MESSAGES UIDVALIDITY SIZE");
    }
    for items in tries {
        let mut got = Vec::new();
        let done = s
            .run(&format!("STATUS {quoted} ({items})"), |b| {
                if let Some(v) = imap_data::status(b) {
                    got = v;
                }
            })
            .await?;
        if !done.ok {
            let what = format!("STATUS ({items})");
            s.refused(&what, &done);
            continue;
        }
        let f = &mut s.survey.folders[i];
        for (k, v) in got {
            match k.as_str() {
                "MESSAGES" => f.messages = Some(v),
                "UIDVALIDITY" => f.uidvalidity = Some(v),
                "SIZE" => {
                    f.size_bytes = Some(v);
                    f.size_source = Some("status-size".into());
                }
                _ => {}
            }
        }
        return Ok(());
    }
    Ok(())
}

/// No STATUS SIZE: every message's RFC822.SIZE, summed; the largest kept.
async fn sizes_by_fetch<S: AsyncRead + AsyncWrite + Unpin>(
    s: &mut Session<'_, S>,
    i: usize,
) -> Result<Vec<(u64, u64)>, StepFailure> {
    let keep = s.params.largest_per_folder;
    let mut counts: Vec<(u64, u64)> = s.params.count_items_from.iter().map(|t| (*t, 0)).collect();
    let (mut seen, mut total) = (0u64, 0u64);
    let mut top: Vec<(u64, u64)> = Vec::new();
    let result = s
        .run("UID FETCH 1:* (RFC822.SIZE)", |b| {
            let Some(item) = imap_data::fetch(b) else {
                return;
            };
            let (Some(uid), Some(size)) = (item.uid, item.size) else {
                return;
            };
            seen += 1;
            total += size;
            for (t, n) in counts.iter_mut() {
                if size >= *t {
                    *n += 1;
                }
            }
            keep_largest(&mut top, (uid, size), keep);
        })
        .await;
    let f = &mut s.survey.folders[i];
    f.size_bytes = Some(total);
    f.size_source = Some("fetch".into());
    f.items_from = counts;
    if f.messages.is_some_and(|m| seen < m) {
        f.partial = true;
    }
    match result {
        Ok(done) if !done.ok => {
            f.partial = true;
            f.note = Some(format!("FETCH RFC822.SIZE refused: {}", done.line));
            Ok(top)
        }
        Ok(_) => Ok(top),
        Err(e) => {
            f.partial = true;
            Err(e)
        }
    }
}

/// STATUS SIZE gave the total: only the items at or above the threshold
/// are looked up (`UID SEARCH LARGER`), then their sizes.
async fn large_by_search<S: AsyncRead + AsyncWrite + Unpin>(
    s: &mut Session<'_, S>,
    i: usize,
) -> Result<Vec<(u64, u64)>, StepFailure> {
    let mut thresholds = s.params.count_items_from.clone();
    thresholds.sort_unstable();
    let mut counts = Vec::new();
    let mut uids = Vec::new();
    // Largest threshold first, so the smallest one's UIDs are kept last.
    for t in thresholds.iter().rev() {
        uids.clear();
        let done = s
            .run(&format!("UID SEARCH LARGER {}", t.saturating_sub(1)), |b| {
                if let Some(found) = imap_data::search(b) {
                    uids.extend(found);
                }
            })
            .await?;
        if !done.ok {
            s.refused("SEARCH LARGER", &done);
            return sizes_by_fetch(s, i).await;
        }
        counts.insert(0, (*t, uids.len() as u64));
    }
    s.survey.folders[i].items_from = counts;
    if uids.is_empty() {
        return Ok(Vec::new());
    }
    if uids.len() > DETAIL_UIDS {
        s.survey.folders[i].partial = true;
    }
    let set = uid_set(&uids[..uids.len().min(DETAIL_UIDS)]);
    let keep = s.params.largest_per_folder;
    let mut top = Vec::new();
    s.run(&format!("UID FETCH {set} (RFC822.SIZE)"), |b| {
        if let Some(item) = imap_data::fetch(b)
            && let (Some(uid), Some(size)) = (item.uid, item.size)
        {
            keep_largest(&mut top, (uid, size), keep);
        }
    })
    .await?;
    Ok(top)
}

/// INTERNALDATE (and the subject when asked) of the largest items.
async fn details<S: AsyncRead + AsyncWrite + Unpin>(
    s: &mut Session<'_, S>,
    i: usize,
    top: Vec<(u64, u64)>,
) -> Result<(), StepFailure> {
    if top.is_empty() {
        return Ok(());
    }
    let uids: Vec<u64> = top.iter().map(|(u, _)| *u).collect();
    let what = if s.params.subjects {
        "INTERNALDATE BODY.PEEK[HEADER.FIELDS (SUBJECT)]"
    } else {
        "INTERNALDATE"
    };
    let mut found = Vec::new();
    s.run(&format!("UID FETCH {} ({what})", uid_set(&uids)), |b| {
        if let Some(item) = imap_data::fetch(b) {
            found.push(item);
        }
    })
    .await?;
    let subjects = s.params.subjects;
    s.survey.folders[i].largest = top
        .into_iter()
        .map(|(uid, size)| {
            let item = found.iter().find(|f| f.uid == Some(uid));
            ItemSeen {
                uid,
                size_bytes: size,
                internal_date: item.and_then(|f| f.internal_date.clone()),
                subject: item
                    .filter(|_| subjects)
                    .and_then(|f| f.header.as_deref())
                    .and_then(encoded_words::subject),
            }
        })
        .collect();
    Ok(())
}

/// Keeps the `keep` largest `(uid, size)`, largest first.
fn keep_largest(top: &mut Vec<(u64, u64)>, item: (u64, u64), keep: usize) {
    if keep == 0 {
        return;
    }
    if top.len() == keep && top.last().is_some_and(|l| l.1 >= item.1) {
        return;
    }
    let at = top.partition_point(|t| t.1 >= item.1);
    top.insert(at, item);
    top.truncate(keep);
}

fn uid_set(uids: &[u64]) -> String {
    uids.iter()
        .map(u64::to_string)
        .collect::<Vec<_>>()
        .join(",")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn largest_kept_in_order() {
        let mut top = Vec::new();
        for (uid, size) in [(1, 5), (2, 50), (3, 7), (4, 50), (5, 1), (6, 90)] {
            keep_largest(&mut top, (uid, size), 3);
        }
        assert_eq!(top, [(6, 90), (2, 50), (4, 50)]);
    }

    #[test]
    fn names_decoded_stripped_and_measured() {
        let item = imap_data::ListItem {
            attributes: vec!["\\HasNoChildren".into(), "\\Sent".into()],
            delimiter: Some(".".into()),
            name: b"INBOX.Entw&APw-rfe.alt".to_vec(),
        };
        let f = folder_seen(item, "INBOX.Entw&APw-rfe.alt".into(), "INBOX.");
        assert_eq!(f.name, "INBOX.Entwürfe.alt");
        assert_eq!(f.destination_name, "Entwürfe.alt");
        assert_eq!((f.depth, f.special_use.as_deref()), (2, Some("\\Sent")));
        assert!(f.selectable && f.name_decoded);
    }
}
