//! The migration preflight's survey (issue 19): over an IMAP session the
//! dialogue has logged in, read-only, it lists the personal namespace's
//! folders and records per folder its messages, size and largest items,
//! the quota, the capabilities migration tools use, and a throughput
//! sample of real message bodies. Facts only: which item is too large for
//! which destination is the diagnosis's (`diagnosis::preflight`).
//!
//! Never writes: EXAMINE (never SELECT), `BODY.PEEK` (never `BODY[]`, which
//! sets `\Seen`), and no STORE, APPEND, EXPUNGE, COPY, MOVE, CREATE,
//! DELETE or RENAME is ever sent ([`READ_ONLY_COMMANDS`] lists what is).
//! Bounded: folders, responses and bytes read, and time, each capped by
//! [`SurveyParams`]; a count a cap cut short is marked `partial`.

mod folders;
mod sample;

use std::time::{Duration, Instant};

use serde::{Deserialize, Serialize};
use tokio::io::{AsyncRead, AsyncWrite};
use utoipa::ToSchema;

use crate::mail::codec::imap::{Condition, Imap, ImapResponse};
use crate::mail::codec::imap_data::{self, Namespaces};
use crate::mail::connection::StepFailure;
use crate::mail::line::{LineError, LineLimits};
use crate::vocab::{Deadline, ErrorKind};

/// The commands the survey sends, and no other.
pub const READ_ONLY_COMMANDS: &[&str] = &[
    "CAPABILITY",
    "NAMESPACE",
    "LIST",
    "XLIST",
    "STATUS",
    "EXAMINE",
    "UID FETCH",
    "FETCH",
    "UID SEARCH",
    "GETQUOTAROOT",
    "NOOP",
];

/// The survey's caps and what to look for; every field has a stated default.
#[derive(Debug, Clone)]
pub struct SurveyParams {
    /// Folders surveyed at most (default 1,000).
    pub max_folders: usize,
    /// Responses read at most over the whole survey (default 500,000).
    pub max_responses: usize,
    /// Bytes read at most over the session (default 128 MiB, sample included).
    pub max_bytes: usize,
    /// Time for the survey at most (default 120 s; the probe deadline also holds).
    pub time: Duration,
    /// Largest items recorded per folder (default 5).
    pub largest_per_folder: usize,
    /// Items at or above each of these sizes are counted per folder (the
    /// pipeline passes the destination's "near limit" and "over limit"
    /// sizes; the smallest also picks the items `UID SEARCH LARGER` lists).
    pub count_items_from: Vec<u64>,
    /// Only log in, hold the session a moment and leave (the extra
    /// sessions of the parallel-session check).
    pub hold_only: bool,
    /// Read each listed item's subject (default off: subjects are personal data).
    pub subjects: bool,
    /// Body bytes the throughput sample fetches at most (default 8 MiB; 0: no sample).
    pub sample_bytes: u64,
    /// For the parallel-session check: the main session says when it is
    /// logged in, and stays open until the extra sessions are done.
    pub overlap: Option<Overlap>,
}

/// The main session's side of the parallel-session check.
#[derive(Clone)]
pub struct Overlap {
    /// Set once the main session is logged in (dropped unset: it never was).
    pub logged_in: std::sync::Arc<tokio::sync::watch::Sender<bool>>,
    /// Set when the extra sessions are done.
    pub release: tokio::sync::watch::Receiver<bool>,
}

impl std::fmt::Debug for Overlap {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Overlap")
    }
}

impl Default for SurveyParams {
    fn default() -> Self {
        SurveyParams {
            max_folders: 1000,
            max_responses: 500_000,
            max_bytes: 128 << 20,
            time: Duration::from_secs(120),
            largest_per_folder: 5,
            count_items_from: Vec::new(),
            hold_only: false,
            subjects: false,
            sample_bytes: 8 << 20,
            overlap: None,
        }
    }
}

/// What the survey saw.
#[derive(Debug, Clone, Default, Serialize, Deserialize, ToSchema)]
pub struct Survey {
    /// Capabilities after login, as the server spelt them.
    pub capabilities: Vec<String>,
    /// The personal namespace's prefix and delimiter (RFC 2342), when NAMESPACE is offered.
    pub personal_namespace: Option<NamespaceSeen>,
    /// Prefixes of the other users' and shared namespaces (not surveyed).
    pub other_namespaces: Vec<String>,
    /// The hierarchy delimiter of the listed folders (`null`: flat or none listed).
    pub delimiter: Option<String>,
    /// The listing command: `LIST "" "*" RETURN (SPECIAL-USE)`, `XLIST` or `LIST`.
    pub list_command: String,
    /// Folders of the personal namespace, in the server's order.
    pub folders: Vec<FolderSeen>,
    /// More folders were listed than `max_folders`: the list is cut.
    pub folders_partial: bool,
    /// GETQUOTAROOT INBOX's quotas (RFC 9208; STORAGE in KiB).
    pub quota: Vec<QuotaSeen>,
    /// The throughput sample (`null`: not taken).
    pub sample: Option<SampleSeen>,
    /// Caps the survey reached, each named with its value.
    pub caps_reached: Vec<String>,
    /// Throttling the server signalled: `NO [LIMIT]`, `NO [UNAVAILABLE]`, `BYE`.
    pub throttling: Vec<String>,
    /// Commands that failed, with the server's answer.
    pub errors: Vec<String>,
    /// Responses and bytes read over the session.
    pub responses_read: u64,
    pub bytes_read: u64,
    pub duration_ms: u64,
}

#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct NamespaceSeen {
    /// The prefix, e.g. `INBOX.` or empty.
    pub prefix: String,
    /// The namespace's hierarchy delimiter.
    pub delimiter: Option<String>,
}

#[derive(Debug, Clone, Default, Serialize, Deserialize, ToSchema)]
pub struct FolderSeen {
    /// The name as sent (modified UTF-7).
    pub name_raw: String,
    /// The name decoded (the raw name when it is not valid modified UTF-7).
    pub name: String,
    /// The name without the personal namespace prefix: what a destination creates.
    pub destination_name: String,
    /// `false`: the raw name is not valid modified UTF-7.
    pub name_decoded: bool,
    /// LIST attributes as sent.
    pub attributes: Vec<String>,
    /// The RFC 6154 / XLIST special-use attribute, e.g. `\Sent`.
    pub special_use: Option<String>,
    /// `\Noselect` / `\NonExistent`: a name in the hierarchy holding no messages.
    pub selectable: bool,
    /// Levels below the top (INBOX and top-level folders: 1).
    pub depth: usize,
    /// Messages in the folder (STATUS MESSAGES, else EXISTS).
    pub messages: Option<u64>,
    /// Total of the messages' RFC822.SIZE.
    pub size_bytes: Option<u64>,
    /// `status-size` (RFC 8438) or `fetch` (sum of RFC822.SIZE).
    pub size_source: Option<String>,
    /// The folder's UIDVALIDITY.
    pub uidvalidity: Option<u64>,
    /// `[size, items at or above it]` for each of `count_items_from`.
    #[schema(value_type = Vec<Vec<u64>>)]
    pub items_from: Vec<(u64, u64)>,
    /// The largest items (at most `largest_per_folder`), largest first.
    pub largest: Vec<ItemSeen>,
    /// A cap cut a count in this folder short.
    pub partial: bool,
    /// Why this folder's counts are missing or partial.
    pub note: Option<String>,
}

#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct ItemSeen {
    /// The item's UID in its folder.
    pub uid: u64,
    /// RFC822.SIZE in bytes.
    pub size_bytes: u64,
    /// INTERNALDATE as sent.
    pub internal_date: Option<String>,
    /// Only when the caller asked for subjects.
    pub subject: Option<String>,
}

#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct QuotaSeen {
    /// The quota root, as sent.
    pub root: String,
    /// `STORAGE` (KiB), `MESSAGE` (count), ...
    pub resource: String,
    /// Usage, in the resource's unit.
    pub usage: u64,
    /// The limit, in the resource's unit.
    pub limit: u64,
}

/// The throughput sample: real message bodies fetched with `BODY.PEEK[]<0.n>`.
#[derive(Debug, Clone, Default, Serialize, Deserialize, ToSchema)]
pub struct SampleSeen {
    /// The folder sampled (decoded name).
    pub folder: String,
    /// Messages whose body bytes were fetched.
    pub messages: u64,
    /// Body payload bytes received (counted from the literals).
    pub body_bytes: u64,
    /// All bytes read on the wire during the sample (framing included).
    pub wire_bytes: u64,
    /// Time from the first FETCH to the last completion, ms.
    pub ms: u64,
    /// Each batch's `[body bytes, ms]`, in order: a slow-down shows here.
    #[schema(value_type = Vec<Vec<u64>>)]
    pub batches: Vec<(u64, u64)>,
    /// A cap ended the sample before `sample_bytes`.
    pub partial: bool,
}

/// The session the survey runs on, with its caps and what it counted.
struct Session<'a, S> {
    imap: &'a mut Imap<S>,
    params: &'a SurveyParams,
    deadline: Deadline,
    survey: &'a mut Survey,
    responses: usize,
    started_bytes: usize,
}

/// A command's tagged completion and whether it was refused.
struct Done {
    ok: bool,
    line: String,
}

const STEP: &str = "preflight";

impl<S: AsyncRead + AsyncWrite + Unpin> Session<'_, S> {
    /// Sends `text` and hands every untagged response to `each`; stops
    /// reading at the tagged completion or a cap (which is an error).
    async fn run(&mut self, text: &str, mut each: impl FnMut(&[u8])) -> Result<Done, StepFailure> {
        let verb = text.split(' ').take(2).collect::<Vec<_>>();
        debug_assert!(
            READ_ONLY_COMMANDS
                .iter()
                .any(|c| c == &verb[0] || *c == verb.join(" ")),
            "{text}"
        );
        if self.deadline.remaining().is_zero() {
            return Err(self.cap(format!("time ({} s)", self.params.time.as_secs())));
        }
        let tag = self.imap.take_tag();
        self.imap
            .wire
            .command(&format!("{tag} {text}"), STEP, self.deadline)
            .await?;
        loop {
            if self.responses >= self.params.max_responses {
                return Err(self.cap(format!("responses ({})", self.params.max_responses)));
            }
            let (decoded, bytes) = match self.imap.read_response(STEP, self.deadline).await {
                Ok(r) => r,
                Err(f) if matches!(f.line, Some(LineError::TotalExceeded { .. })) => {
                    return Err(self.cap(format!("bytes ({})", self.params.max_bytes)));
                }
                Err(f) if f.kind == ErrorKind::Timeout && self.deadline.remaining().is_zero() => {
                    return Err(self.cap(format!("time ({} s)", self.params.time.as_secs())));
                }
                Err(f) => return Err(f),
            };
            self.responses += 1;
            if let ImapResponse::Status {
                tag: Some(t),
                condition,
                ..
            } = &decoded.reply
                && t.eq_ignore_ascii_case(&tag)
            {
                let line = self
                    .imap
                    .wire
                    .shown(&bytes[..bytes.len().saturating_sub(2)]);
                let ok = *condition == Condition::Ok;
                if !ok {
                    self.throttle_signal(&bytes, &line);
                }
                return Ok(Done { ok, line });
            }
            if bytes.starts_with(b"* BYE") || bytes.starts_with(b"* bye") {
                let line = self
                    .imap
                    .wire
                    .shown(&bytes[..bytes.len().saturating_sub(2)]);
                self.survey.throttling.push(format!("BYE: {line}"));
                return Err(StepFailure::new(STEP, ErrorKind::Reset, line));
            }
            each(&bytes);
        }
    }

    fn throttle_signal(&mut self, bytes: &[u8], line: &str) {
        if ["LIMIT", "UNAVAILABLE", "INUSE", "OVERQUOTA"]
            .iter()
            .any(|c| imap_data::has_code(bytes, c))
            && self.survey.throttling.len() < 20
        {
            self.survey.throttling.push(line.to_string());
        }
    }

    fn cap(&mut self, what: String) -> StepFailure {
        if !self.survey.caps_reached.contains(&what) {
            self.survey.caps_reached.push(what.clone());
        }
        StepFailure::new(STEP, ErrorKind::Limit, format!("cap reached: {what}"))
    }

    fn error(&mut self, what: &str, e: &StepFailure) {
        if self.survey.errors.len() < 50 {
            self.survey.errors.push(format!("{what}: {}", e.message));
        }
    }

    fn refused(&mut self, what: &str, d: &Done) {
        if self.survey.errors.len() < 50 {
            self.survey.errors.push(format!("{what}: {}", d.line));
        }
    }

    fn has(&self, cap: &str) -> bool {
        self.survey
            .capabilities
            .iter()
            .any(|c| c.eq_ignore_ascii_case(cap))
    }
}

/// Runs the survey on a logged-in session; what was learnt before a cap or
/// failure stands.
pub async fn survey<S>(imap: &mut Imap<S>, params: &SurveyParams, deadline: Deadline) -> Survey
where
    S: AsyncRead + AsyncWrite + Unpin,
{
    let started = Instant::now();
    let deadline = deadline.within(params.time);
    // The dialogue's bounds fit a probe; a survey reads more.
    let started_bytes = imap.wire.reader().total_read();
    imap.wire.reader().set_limits(LineLimits {
        max_line: 64 * 1024,
        max_total: started_bytes.saturating_add(params.max_bytes),
    });
    if let Some(o) = &params.overlap {
        o.logged_in.send_replace(true);
    }
    let mut survey = Survey::default();
    let mut s = Session {
        imap,
        params,
        deadline,
        survey: &mut survey,
        responses: 0,
        started_bytes,
    };
    let outcome = if params.hold_only {
        hold(&mut s).await
    } else {
        steps(&mut s).await
    };
    if let Err(e) = outcome {
        s.error("survey stopped", &e);
    }
    if let Some(o) = &params.overlap {
        let mut release = o.release.clone();
        let _ = deadline.run(release.wait_for(|done| *done)).await;
    }
    let read = s.imap.wire.reader().total_read() - s.started_bytes;
    survey.responses_read = s.responses as u64;
    survey.bytes_read = read as u64;
    survey.duration_ms = started.elapsed().as_millis() as u64;
    survey
}

async fn steps<S: AsyncRead + AsyncWrite + Unpin>(
    s: &mut Session<'_, S>,
) -> Result<(), StepFailure> {
    let mut caps = Vec::new();
    s.run("CAPABILITY", |b| {
        if let ImapResponse::Capability(c) = crate::mail::codec::imap::decode_response(b).reply {
            caps = c;
        }
    })
    .await?;
    s.survey.capabilities = caps;
    let ns = namespaces(s).await?;
    folders::list(s, &ns).await?;
    quota(s).await?;
    folders::survey_all(s).await?;
    sample::take(s).await?;
    Ok(())
}

/// An extra session: a moment logged in (so it overlaps the others), a NOOP.
async fn hold<S: AsyncRead + AsyncWrite + Unpin>(
    s: &mut Session<'_, S>,
) -> Result<(), StepFailure> {
    tokio::time::sleep(Duration::from_millis(500).min(s.deadline.remaining())).await;
    let done = s.run("NOOP", |_| {}).await?;
    if !done.ok {
        s.refused("NOOP", &done);
    }
    Ok(())
}

async fn namespaces<S: AsyncRead + AsyncWrite + Unpin>(
    s: &mut Session<'_, S>,
) -> Result<Option<Namespaces>, StepFailure> {
    if !s.has("NAMESPACE") {
        return Ok(None);
    }
    let mut found = None;
    let done = s
        .run("NAMESPACE", |b| {
            if let Some(n) = imap_data::namespace(b) {
                found = Some(n);
            }
        })
        .await?;
    if !done.ok {
        s.refused("NAMESPACE", &done);
    }
    if let Some(n) = &found {
        s.survey.personal_namespace = n.personal.first().map(|(p, d)| NamespaceSeen {
            prefix: p.clone(),
            delimiter: d.clone(),
        });
        s.survey.other_namespaces = n
            .other_users
            .iter()
            .chain(&n.shared)
            .map(|(p, _)| p.clone())
            .collect();
    }
    Ok(found)
}

async fn quota<S: AsyncRead + AsyncWrite + Unpin>(
    s: &mut Session<'_, S>,
) -> Result<(), StepFailure> {
    if !s.has("QUOTA") {
        return Ok(());
    }
    let mut items = Vec::new();
    let done = s
        .run("GETQUOTAROOT INBOX", |b| {
            items.extend(imap_data::quota(b).into_iter().map(|q| QuotaSeen {
                root: q.root,
                resource: q.resource,
                usage: q.usage,
                limit: q.limit,
            }))
        })
        .await?;
    if !done.ok {
        s.refused("GETQUOTAROOT", &done);
    }
    s.survey.quota = items;
    Ok(())
}
