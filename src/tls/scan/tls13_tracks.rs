//! The TLS 1.3 elimination's state: what is left to find, what was found,
//! and the tracks (chains of dependent hellos) that ask about it, one hello
//! per track and round. The questions and the split are explained in
//! [`super::tls13`].

use super::groups::GroupFacts;
use super::versions::VersionScan;
use crate::tls::hello::groups;
use crate::tls::suites;
use crate::vocab::ErrorKind;

/// The groups the suites' track keeps when the elimination is split; every
/// other group goes to the groups' track. The split follows the groups
/// servers accept, so that each track has about half of them:
///
/// - P-256 and P-384 here, X25519 there: the groups we send key shares for
///   are picked by their share, in our order, and the first hello has
///   usually taken X25519 already;
/// - X448 and P-521 together (there), as the servers order them among
///   themselves by their own preference: OpenSSL 3.0's default order is
///   X25519, P-256, X448, P-521, P-384 (ssl/t1_lib.c
///   `supported_groups_default`), 3.5's default puts X448, P-384 and P-521 in
///   one tuple (`?X448:?secp384r1:?secp521r1`, OpenSSL CHANGES.md, "Changes
///   between 3.4 and 3.5.0"), where P-384 is picked by its share first;
/// - the FFDHE groups alternately, ffdhe2048 here and ffdhe3072 there;
/// - the ML-KEM groups there, with X25519 (the hybrids' favourite is
///   usually the first hello's pick).
///
/// Dovecot with the bench's seven groups gives each track three; OpenSSL
/// 3.6's defaults give three and four; a server with X25519, P-256 and
/// P-384 only leaves the groups' track nothing after its first hello.
pub(super) const SUITES_TRACK_GROUPS: [u16; 8] = [
    groups::SECP256R1,
    groups::SECP384R1,
    groups::FFDHE2048,
    groups::FFDHE4096,
    groups::FFDHE8192,
    groups::BRAINPOOLP256R1_TLS13,
    groups::BRAINPOOLP384R1_TLS13,
    groups::BRAINPOOLP512R1_TLS13,
];

/// One track: the question its next hello asks.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) enum Track {
    /// (suites not yet accepted, these groups): a pick is a new suite and a
    /// new group; a refusal says "no suite left, or no group left".
    Both(Vec<u16>),
    /// After a refusal of (suites, `refused_with`): (accepted suites,
    /// `groups`). A pick of a group of `refused_with` proves the suites ran
    /// out; a refusal proves the groups did.
    Which {
        groups: Vec<u16>,
        refused_with: Vec<u16>,
    },
    /// (accepted suites, groups) until refused; `helper`: the groups'
    /// track of a split (see [`Elimination::split`]).
    Groups {
        groups: Vec<u16>,
        helper: bool,
    },
    /// (suites not yet accepted, every group) until refused.
    Suites,
    Done,
}

/// One hello's offer.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) struct Offer {
    pub(super) suites: Vec<u16>,
    pub(super) groups: Vec<u16>,
    /// The suites are the accepted ones reversed: the preference question.
    pub(super) reversed: bool,
}

/// Where the elimination stands.
pub(super) struct Elimination {
    suites_left: Vec<u16>,
    every_group: Vec<u16>,
    pub(super) accepted: Vec<u16>,
    /// Groups in the order found, each with the groups its hello offered.
    found: Vec<(u16, Vec<u16>)>,
    pub(super) tracks: Vec<Track>,
    asked_preference: bool,
    /// The groups were split over two tracks after the first answer.
    split: bool,
    /// The groups' track was refused (its groups ran out on their own).
    helper_dry: bool,
    /// A suites question was refused: no suite is left.
    suites_done: bool,
}

impl Elimination {
    pub(super) fn new(suites: Vec<u16>, every_group: Vec<u16>) -> Elimination {
        Elimination {
            suites_left: suites,
            tracks: vec![Track::Both(every_group.clone())],
            every_group,
            accepted: Vec::new(),
            found: Vec::new(),
            asked_preference: false,
            split: false,
            helper_dry: false,
            suites_done: false,
        }
    }

    /// The first group found (the server's favourite of every group).
    pub(super) fn first_group(&self) -> Option<u16> {
        self.found.first().map(|(g, _)| *g)
    }

    /// The next round's offers, one per track still asking (in the order
    /// of `tracks`); tracks with nothing left to ask end here.
    pub(super) fn next_offers(&mut self) -> Vec<Offer> {
        let tracks: Vec<Track> = std::mem::take(&mut self.tracks)
            .into_iter()
            .filter_map(|t| self.settled(t))
            .collect();
        let mut offers = Vec::with_capacity(tracks.len());
        let mut reversal_asked = false;
        for track in &tracks {
            let offer = self.offer(track, !reversal_asked);
            reversal_asked |= offer.reversed;
            offers.push(offer);
        }
        self.tracks = tracks;
        offers
    }

    /// A track as it can still ask: an empty list cannot be offered, so
    /// that dimension is finished.
    fn settled(&self, track: Track) -> Option<Track> {
        let suites =
            || (!self.suites_left.is_empty() && !self.suites_done).then_some(Track::Suites);
        match track {
            Track::Both(g) | Track::Which { groups: g, .. } if g.is_empty() => suites(),
            Track::Both(groups) if self.suites_left.is_empty() => Some(Track::Groups {
                groups,
                helper: false,
            }),
            Track::Groups { groups, .. } if groups.is_empty() => None,
            Track::Suites => suites(),
            Track::Done => None,
            t => Some(t),
        }
    }

    fn offer(&self, track: &Track, may_reverse: bool) -> Offer {
        let accepted = |asks: bool| {
            let reversed =
                asks && may_reverse && !self.asked_preference && self.accepted.len() >= 2;
            let mut s = self.accepted.clone();
            if reversed {
                s.reverse();
            }
            (s, reversed)
        };
        let (suites, groups, reversed) = match track {
            Track::Both(g) => (self.suites_left.clone(), g.clone(), false),
            Track::Which { groups, .. } => {
                let (s, r) = accepted(true);
                (s, groups.clone(), r)
            }
            Track::Groups { groups, .. } => {
                let (s, r) = accepted(true);
                (s, groups.clone(), r)
            }
            Track::Suites | Track::Done => {
                (self.suites_left.clone(), self.every_group.clone(), false)
            }
        };
        Offer {
            suites,
            groups,
            reversed,
        }
    }

    /// Track `i`'s hello (`offer`) was answered with `suite` (and `group`,
    /// when the reply named one); `false` when the elimination must stop
    /// because the answer cannot be trusted.
    pub(super) fn picked(
        &mut self,
        i: usize,
        (suite, group): (u16, Option<u16>),
        offer: &Offer,
        facts: &mut GroupFacts,
        out: &mut VersionScan,
    ) -> bool {
        if !offer.suites.contains(&suite) {
            out.errors.push((
                ErrorKind::Tls,
                format!(
                    "the server chose {}, which was not offered; elimination stopped",
                    suites::iana_hex(suite)
                ),
            ));
            return false;
        }
        let Some(group) = group.filter(|g| offer.groups.contains(g)) else {
            facts.error = Some((
                ErrorKind::Tls,
                "a reply named no group that was offered; group list incomplete".into(),
            ));
            // Suites can still be found with every group offered.
            if matches!(self.tracks[i], Track::Both(_) | Track::Suites) {
                self.accept_suite(suite);
                self.tracks[i] = Track::Suites;
                return true;
            }
            return false;
        };
        if offer.reversed {
            self.asked_preference = true;
            facts.preference = Some(offer.suites.first() != Some(&suite));
        }
        let track = std::mem::replace(&mut self.tracks[i], Track::Done);
        self.tracks[i] = match track {
            Track::Both(g) => {
                self.accept_suite(suite);
                Track::Both(g)
            }
            Track::Which {
                groups,
                refused_with,
            } if refused_with.contains(&group) => {
                // A new group where the remaining suites were refused with
                // it: the suites ran out.
                self.suites_left.clear();
                Track::Groups {
                    groups,
                    helper: false,
                }
            }
            Track::Suites => {
                self.accept_suite(suite);
                Track::Suites
            }
            t => t,
        };
        self.record(group, &offer.groups);
        true
    }

    fn accept_suite(&mut self, suite: u16) {
        if self.suites_left.contains(&suite) {
            self.suites_left.retain(|c| *c != suite);
            self.accepted.push(suite);
        }
    }

    /// A group picked from `offered`: found (once), and no track offers it
    /// again.
    fn record(&mut self, group: u16, offered: &[u16]) {
        if !self.found.iter().any(|(g, _)| *g == group) {
            self.found.push((group, offered.to_vec()));
        }
        for t in &mut self.tracks {
            match t {
                Track::Both(g)
                | Track::Which { groups: g, .. }
                | Track::Groups { groups: g, .. } => g.retain(|x| *x != group),
                Track::Suites | Track::Done => {}
            }
        }
    }

    /// Track `i`'s hello was refused.
    pub(super) fn refused(&mut self, i: usize) {
        let track = std::mem::replace(&mut self.tracks[i], Track::Done);
        self.tracks[i] = match track {
            Track::Both(g) => Track::Which {
                groups: g.clone(),
                refused_with: g,
            },
            // The accepted suites with these groups refused: groups done;
            // the remaining suites still need every group (unless a track
            // of their own asks already).
            Track::Which { .. } if self.tracks.contains(&Track::Suites) => Track::Done,
            Track::Which { .. } => Track::Suites,
            Track::Groups { helper: true, .. } => {
                self.helper_dry = true;
                Track::Done
            }
            Track::Suites => {
                self.suites_done = true;
                Track::Done
            }
            Track::Groups { .. } | Track::Done => Track::Done,
        };
    }

    /// After the first answer, with room for two hellos at once: the groups
    /// not yet seen go to two tracks, the suites' own (combined, over
    /// [`SUITES_TRACK_GROUPS`]) and a groups' track (the accepted suites with
    /// the rest).
    pub(super) fn split(&mut self) {
        let [Track::Both(unseen)] = self.tracks.as_slice() else {
            return;
        };
        if self.found.len() != 1 || self.accepted.is_empty() {
            return;
        }
        let (mine, theirs): (Vec<u16>, Vec<u16>) =
            unseen.iter().partition(|g| SUITES_TRACK_GROUPS.contains(g));
        if mine.is_empty() || theirs.is_empty() {
            return;
        }
        self.tracks = vec![
            Track::Both(mine),
            Track::Groups {
                groups: theirs,
                helper: true,
            },
        ];
        self.split = true;
    }

    /// Between rounds, when split: a suites' track that turned to the
    /// "which ran out?" question takes the groups' track's groups into it
    /// (one question, one refusal ends both); a suites' track left alone in
    /// its combined phase asks its two questions apart, side by side.
    pub(super) fn rejoin(&mut self) {
        if !self.split {
            return;
        }
        let helper = self
            .tracks
            .iter()
            .position(|t| matches!(t, Track::Groups { helper: true, .. }));
        let which = self
            .tracks
            .iter()
            .position(|t| matches!(t, Track::Which { .. }));
        if let (Some(h), Some(w)) = (helper, which) {
            let Track::Groups { groups: theirs, .. } =
                std::mem::replace(&mut self.tracks[h], Track::Done)
            else {
                return;
            };
            if let Track::Which { groups, .. } = &mut self.tracks[w] {
                groups.extend(theirs);
                let every = &self.every_group;
                groups.sort_by_key(|g| every.iter().position(|x| x == g));
            }
            return;
        }
        // The groups' track ran dry: the suites' track is alone with two
        // lists to settle, and asks about each on its own, side by side.
        if !self.helper_dry || self.suites_done {
            return;
        }
        let live: Vec<Track> = self
            .tracks
            .iter()
            .filter(|t| **t != Track::Done)
            .cloned()
            .collect();
        self.tracks = match live.as_slice() {
            [Track::Both(groups)] => vec![
                Track::Groups {
                    groups: groups.clone(),
                    helper: false,
                },
                Track::Suites,
            ],
            [which @ Track::Which { .. }] => vec![which.clone(), Track::Suites],
            _ => return,
        };
    }

    /// The groups found, in the server's order of choice: a group picked
    /// from an offer comes before every group of that offer found later;
    /// where no answer orders two groups (found by different tracks), our
    /// offer order does. One track alone gives the order found.
    pub(super) fn groups_in_order(&self) -> Vec<u16> {
        let rank = |g: u16| self.every_group.iter().position(|x| *x == g);
        let n = self.found.len();
        let mut placed = vec![false; n];
        let mut order = Vec::with_capacity(n);
        while order.len() < n {
            let free = (0..n).filter(|&j| !placed[j]).filter(|&j| {
                let g = self.found[j].0;
                (0..j).all(|i| placed[i] || !self.found[i].1.contains(&g))
            });
            // The earliest unplaced group is always free.
            let Some(j) = free.min_by_key(|&j| (rank(self.found[j].0), j)) else {
                break;
            };
            placed[j] = true;
            order.push(self.found[j].0);
        }
        order
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::tls::hello::groups::*;

    fn found(e: &mut Elimination, g: u16, offered: &[u16]) {
        e.found.push((g, offered.to_vec()));
    }

    #[test]
    fn one_track_keeps_the_order_found() {
        let every = vec![X25519, SECP256R1, SECP384R1, X448];
        let mut e = Elimination::new(vec![0x1301], every.clone());
        found(&mut e, X448, &every);
        found(&mut e, SECP256R1, &[X25519, SECP256R1, SECP384R1]);
        found(&mut e, X25519, &[X25519, SECP384R1]);
        assert_eq!(e.groups_in_order(), vec![X448, SECP256R1, X25519]);
    }

    #[test]
    fn two_tracks_merge_by_what_the_server_chose_then_by_our_order() {
        let every = vec![X25519, SECP256R1, SECP384R1, SECP521R1, X448, FFDHE2048];
        let mut e = Elimination::new(vec![0x1301], every.clone());
        found(&mut e, X25519, &every);
        // Suites' track: P-384, then X448 over P-521 (the server's own order).
        found(&mut e, SECP384R1, &[SECP384R1, SECP521R1, X448]);
        found(&mut e, SECP256R1, &[SECP256R1, FFDHE2048]);
        found(&mut e, X448, &[SECP521R1, X448]);
        found(&mut e, FFDHE2048, &[FFDHE2048]);
        found(&mut e, SECP521R1, &[SECP521R1]);
        assert_eq!(
            e.groups_in_order(),
            vec![X25519, SECP256R1, SECP384R1, X448, SECP521R1, FFDHE2048]
        );
    }

    #[test]
    fn the_split_gives_each_track_half_and_one_question_ends_both() {
        let every = vec![X25519, SECP256R1, SECP384R1, SECP521R1, X448, FFDHE2048];
        let mut e = Elimination::new(vec![0x1301, 0x1302], every.clone());
        let offers = e.next_offers();
        assert!(e.picked(
            0,
            (0x1301, Some(X25519)),
            &offers[0],
            &mut GroupFacts::default(),
            &mut VersionScan::new(crate::vocab::TlsVersion::Tls13),
        ));
        e.split();
        assert_eq!(
            e.tracks,
            vec![
                Track::Both(vec![SECP256R1, SECP384R1, FFDHE2048]),
                Track::Groups {
                    groups: vec![SECP521R1, X448],
                    helper: true
                }
            ]
        );
        // The suites' track refused: the groups' track's groups join its
        // "which ran out?" question, in our offer order.
        e.refused(0);
        e.rejoin();
        let offers = e.next_offers();
        assert_eq!(offers.len(), 1);
        assert_eq!(
            offers[0].groups,
            vec![SECP256R1, SECP384R1, SECP521R1, X448, FFDHE2048]
        );
    }
}
