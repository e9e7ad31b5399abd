//! What the scan has seen of the server's order, told by whichever step
//! answers the preference question first (the group scan's first hello, or
//! the preference hello beside an elimination), and the eliminations
//! running: what `scan::dhe` waits for, and what puts DHE last in the lists
//! offered to a server that follows the client (see `scan::dhe`).

use super::Endpoint;
use crate::tls::suites::{self, KeyExchange};

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
