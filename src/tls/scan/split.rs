//! An elimination's second chain and its own preference question (issue
//! 21): what `versions::eliminate_reporting` is given to split its list in
//! two once the server is seen to follow the client, and to ask the
//! preference question in its own next hello (`scan::order::question`).

use super::order::{self, Told};
use super::{Endpoint, OfferOutcome};

/// How many suites an elimination finds before it splits: more than a
/// hardened configuration lists (Mozilla's "intermediate" server-side TLS
/// guideline gives a server with an RSA certificate six TLS 1.2 suites:
/// three ECDHE-RSA, three DHE-RSA). Two chains cost one refusal more and
/// save a round trip pair per two suites found after the split; on a short
/// list the second chain only takes a slot the TLS 1.3 tracks and the
/// trials need (the modern bench server, six suites: 24 connections and
/// about 14.7 round trips with one chain, 25 and 16.7 split after the third
/// suite). A long list (Dovecot's default, some thirty; Postfix's, 56) is
/// split once it has shown it is long.
pub(super) const SPLIT_AFTER: usize = 7;

/// Where an elimination may hand half of what is left to a second chain:
/// once `order` (or its own question) says the server follows the client
/// (then the two chains' picks merge in offer order exactly) and
/// [`SPLIT_AFTER`] suites are found, the next hello offers only one half
/// and `half` receives the other (see [`split_off`]). With `ask`, the
/// elimination asks the preference question in its own next hello once two
/// suites are found (`scan::order`), and tells the answer there
/// (`Some(true)`: the server's own order).
pub(super) struct Split {
    pub(super) order: tokio::sync::watch::Receiver<Option<bool>>,
    pub(super) half: Option<tokio::sync::oneshot::Sender<Vec<u16>>>,
    /// (groups wanted beside this version, where the answer goes)
    pub(super) ask: Option<(bool, tokio::sync::watch::Sender<Option<bool>>)>,
    pub(super) asked: bool,
}

impl Split {
    /// The question's hello (see [`order::question`]) when it is due: two
    /// suites found, no group hello asking it instead, and the two picks
    /// not already showing the server's own order (`defied`, asked last).
    pub(super) fn question(
        &self,
        endpoint: &Endpoint,
        (found, defied): (&[u16], impl FnOnce(&[u16]) -> bool),
        remaining: &[u16],
    ) -> Option<Vec<u16>> {
        let (groups, _) = self.ask.as_ref()?;
        let picks = found.get(..2).filter(|_| !self.asked)?;
        let due = order::asks_in_chain(endpoint, *groups) && !defied(picks);
        due.then(|| order::question(found, remaining)).flatten()
    }

    /// Reads the question's answer; `true` when the elimination goes on to
    /// its next hello (nothing new was picked, or no answer came), with
    /// `remaining` cut to its DHE suites when the answer says nothing else
    /// is left.
    pub(super) fn answered(
        &mut self,
        endpoint: &Endpoint,
        answer: &OfferOutcome,
        (found, remaining): (&[u16], &mut Vec<u16>),
    ) -> bool {
        self.asked = true;
        let OfferOutcome::Accepted { suite } = answer else {
            return true;
        };
        let told = order::told(found, *suite);
        order::tell_order(endpoint, told != Told::OwnOrder);
        if let Some((_, tx)) = &self.ask {
            tx.send_replace(Some(told == Told::OwnOrder));
        }
        if told == Told::FollowsOnlyDheLeft {
            remaining.retain(|c| order::is_dhe(*c));
        }
        told != Told::FollowsNewPick
    }

    fn follows_client(&self) -> bool {
        *self.order.borrow() == Some(false)
            || self
                .ask
                .as_ref()
                .is_some_and(|(_, tx)| *tx.borrow() == Some(false))
    }

    /// Hands half of `remaining` over when the time has come (`found`
    /// suites found so far).
    pub(super) fn maybe(&mut self, found: usize, remaining: &mut Vec<u16>) {
        if self.half.is_none()
            || found < SPLIT_AFTER
            || !self.follows_client()
            || remaining.len() < 2
        {
            return;
        }
        let (keep, other) = split_off(remaining);
        if let Some(tx) = self.half.take()
            && tx.send(other).is_ok()
        {
            *remaining = keep;
        }
    }
}

/// Two halves of an elimination's list: every DHE suite and every second
/// other one go to the second chain, so the first chain's list holds no
/// DHE and its last refusal needs no retry without DHE (see
/// `versions::dh_retry`).
pub(super) fn split_off(remaining: &[u16]) -> (Vec<u16>, Vec<u16>) {
    let (mut keep, mut other) = (Vec::new(), Vec::new());
    let mut odd = false;
    for c in remaining {
        if order::is_dhe(*c) {
            other.push(*c);
        } else {
            if odd {
                other.push(*c);
            } else {
                keep.push(*c);
            }
            odd = !odd;
        }
    }
    (keep, other)
}
