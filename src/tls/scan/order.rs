//! What the scan has seen of the server's order, told by whichever step
//! answers the preference question first (the group scan's first hello, or
//! the preference hello beside an elimination), and the eliminations
//! running: what `scan::dhe` waits for, and what puts DHE last in the lists
//! offered to a server that follows the client (see `scan::dhe`).

use super::{Endpoint, Settled};
use crate::tls::suites::{self, KeyExchange};
use crate::vocab::TlsVersion;

/// What the scan has seen of the server's order, and of its eliminations.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct OrderSeen {
    /// The first preference answer: `Some(true)` when the server followed
    /// the client's order.
    follows_client: Option<bool>,
    /// Eliminations running, and ended.
    running: u32,
    ended: u32,
}

impl OrderSeen {
    /// A preference answer came.
    pub(super) fn known(&self) -> bool {
        self.follows_client.is_some()
    }

    /// The server was seen to follow the client's order.
    pub(super) fn follows(&self) -> bool {
        self.follows_client == Some(true)
    }

    /// Every elimination begun has ended (and one has).
    pub(super) fn all_ended(&self) -> bool {
        self.ended > 0 && self.running == 0
    }

    /// Nothing more will be learnt of the order: it is known, or every
    /// elimination begun has ended without a preference answer.
    pub(super) fn known_or_over(&self) -> bool {
        self.known() || self.all_ended()
    }
}

/// Records the first preference answer seen at any version.
pub(super) fn tell_order(endpoint: &Endpoint, follows_client: bool) {
    endpoint.order_seen().send_if_modified(|o| {
        let first = o.follows_client.is_none();
        if first {
            o.follows_client = Some(follows_client);
        }
        first
    });
}

/// Waits until [`OrderSeen::known_or_over`] (at most until `deadline`).
pub(super) async fn known_or_over(endpoint: &Endpoint, deadline: crate::vocab::Deadline) {
    let mut seen = endpoint.order_seen().subscribe();
    let _ = deadline.run(seen.wait_for(OrderSeen::known_or_over)).await;
}

/// Whether the server has been seen to follow the client's order.
pub(super) fn follows_client(endpoint: &Endpoint) -> bool {
    endpoint.order_seen().borrow().follows()
}

/// `list` with its DHE suites moved to the end, the rest in order; `true`
/// when the server follows the client (see the module doc), else `list` as
/// it was and `false`.
pub(super) fn put_dh_last(endpoint: &Endpoint, list: &mut [u16]) -> bool {
    let follows = follows_client(endpoint);
    if follows {
        list.sort_by_key(|c| suites::lookup(*c).is_some_and(|s| matches!(s.kx, KeyExchange::Dhe)));
    }
    follows
}

/// An elimination running, counted until dropped.
pub(super) struct Eliminating<'a>(&'a Endpoint);

impl<'a> Eliminating<'a> {
    pub(super) fn start(endpoint: &'a Endpoint) -> Eliminating<'a> {
        endpoint.order_seen().send_modify(|o| o.running += 1);
        Eliminating(endpoint)
    }
}

impl Drop for Eliminating<'_> {
    fn drop(&mut self) {
        self.0.order_seen().send_modify(|o| {
            o.running = o.running.saturating_sub(1);
            o.ended += 1;
        });
    }
}

/// Whether `c` is a finite-field DHE suite.
pub(super) fn is_dhe(c: u16) -> bool {
    suites::lookup(c).is_some_and(|s| matches!(s.kx, KeyExchange::Dhe))
}

/// The preference question asked by an elimination's own next hello, so
/// that on a server following the client it costs no connection (issue
/// 21). `found` starts with `s1`, the server's pick from the whole list,
/// then `s2`. The hello offers the suites left (DHE ones last), with `s2`
/// before the DHE ones and `s1` at the very end:
/// - a server with its own order picks `s1` again (its favourite of all);
/// - one that follows the client picks the first suite left it accepts, a
///   new pick; or `s2`, when none is left but DHE ones (never a DHE suite
///   without parameters, which `s2` comes before).
///
/// `None` before two suites are found.
pub(super) fn question(found: &[u16], remaining: &[u16]) -> Option<Vec<u16>> {
    let (&s1, &s2) = (found.first()?, found.get(1)?);
    let mut hello: Vec<u16> = remaining.iter().copied().filter(|c| !is_dhe(*c)).collect();
    hello.push(s2);
    hello.extend(remaining.iter().copied().filter(|c| is_dhe(*c)));
    hello.push(s1);
    Some(hello)
}

/// What the answer to [`question`] says.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Told {
    /// `s1` again: the server has an order of its own; nothing new found.
    OwnOrder,
    /// `s2`: the server follows the client and accepts no suite left but
    /// (perhaps) DHE ones.
    FollowsOnlyDheLeft,
    /// Another suite: the server follows the client; a new pick.
    FollowsNewPick,
}

/// Reads the pick answering [`question`].
pub(super) fn told(found: &[u16], pick: u16) -> Told {
    match (found.first(), found.get(1)) {
        (Some(&s1), _) if pick == s1 => Told::OwnOrder,
        (_, Some(&s2)) if pick == s2 => Told::FollowsOnlyDheLeft,
        _ => Told::FollowsNewPick,
    }
}

/// Whether no group chain runs below TLS 1.3, as far as `now` tells:
/// `Some(true)` when TLS 1.3 is accepted (its hellos carry the groups) or
/// out of reach (unknown, or the scan over), `Some(false)` when refused,
/// `None` while not known. One rule for `descent::beside`, which waits for
/// it, and [`asks_in_chain`].
pub(super) fn no_group_chain(now: &Settled) -> Option<bool> {
    let v = TlsVersion::Tls13;
    match now.accepted(v) {
        Some(accepted) => Some(accepted),
        None if now.unknown.contains(&v) || now.done => Some(true),
        None => None,
    }
}

/// Whether an elimination asks the preference question in its own chain
/// now: when its version's preference is not folded into a group hello
/// (groups not wanted beside it, or [`no_group_chain`]).
pub(super) fn asks_in_chain(endpoint: &Endpoint, groups_wanted: bool) -> bool {
    !groups_wanted || no_group_chain(&endpoint.progress().borrow()) == Some(true)
}
