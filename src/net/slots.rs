//! The slots of one target address, handed out by priority (issue 21).
//!
//! A probe's work is a few long chains of dependent hellos (the scan's
//! eliminations) beside many single connections whose moment does not
//! matter (client trials, real handshakes, the mail dialogue). With a cap
//! of four, a first-come queue lets the single connections take the slots
//! the chains need next, and every round trip a chain waits is one the
//! whole probe waits. So a freed slot goes to the oldest waiter of the
//! highest priority: [`Priority::Chain`], then [`Priority::Settle`], then
//! [`Priority::Aside`], and the last two together leave one slot per
//! running chain ([`Slots::chain_running`]; all but one at most, and
//! half while no chain says it runs), so a chain's next hello finds a
//! slot free when its answer comes in rather than one round trip later,
//! and a lone chain does not keep half the slots idle. Within a priority
//! the queue is first come, first served, as a [`tokio::sync::Semaphore`]
//! is.
//!
//! A waiter that gives up (its deadline, a cancelled probe) leaves the
//! queue; a slot handed to a waiter that is gone at that very moment is
//! passed on, never lost.

use std::collections::VecDeque;
use std::sync::{Arc, Mutex};

use tokio::sync::oneshot;

/// Who gets a freed slot first.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Priority {
    /// A step others wait on (the scan's chains of hellos).
    #[default]
    Chain,
    /// A step nothing else waits on for long: the versions below one
    /// already accepted, the DHE question, the mail dialogue and the real
    /// handshakes (the long single tasks, before the short trials).
    Settle,
    /// A step nothing waits on (client trials, handshakes, the dialogue).
    Aside,
}

/// A pool of slots with two queues.
#[derive(Debug)]
pub struct Slots {
    state: Mutex<State>,
}

#[derive(Debug)]
struct State {
    free: usize,
    size: usize,
    /// Slots held by [`Priority::Settle`] and [`Priority::Aside`]
    /// connections together.
    aside_held: usize,
    /// Chains that say they run ([`Slots::chain_running`]).
    chains: usize,
    chain: VecDeque<oneshot::Sender<()>>,
    settle: VecDeque<oneshot::Sender<()>>,
    aside: VecDeque<oneshot::Sender<()>>,
}

impl State {
    /// The most [`Priority::Settle`] and [`Priority::Aside`] may hold: one
    /// slot is kept for each running chain's next hello, all but one at
    /// most; half (rounded down) while no chain has said it runs (the
    /// first hellos of a scan are chains that have not yet).
    fn aside_max(&self) -> usize {
        let half = self.size / 2;
        let kept = if self.chains == 0 {
            half
        } else {
            self.chains.min(self.size - 1)
        };
        self.size - kept
    }

    /// Free slots to settle and aside waiters, as far as their most allows
    /// (after it grew).
    fn hand_aside(&mut self) {
        while self.free > 0 && self.aside_held < self.aside_max() {
            let Some(tx) = self.settle.pop_front().or_else(|| self.aside.pop_front()) else {
                break;
            };
            if tx.send(()).is_ok() {
                self.free -= 1;
                self.aside_held += 1;
            }
        }
    }
}

/// A chain of dependent hellos running, counted until dropped (see
/// [`Slots::chain_running`]).
#[derive(Debug)]
pub struct ChainRunning {
    pool: Arc<Slots>,
}

impl Drop for ChainRunning {
    fn drop(&mut self) {
        let mut st = self.pool.state();
        st.chains = st.chains.saturating_sub(1);
        // Fewer chains may mean more room aside: hand it to the waiters.
        st.hand_aside();
    }
}

/// One slot, given back when dropped: to the pool, or to its lender (see
/// [`Slot::lend`]).
#[derive(Debug)]
pub struct Slot {
    pool: Arc<Slots>,
    priority: Priority,
    /// Lent: where the slot goes when the borrower is done with it.
    back: Option<oneshot::Sender<Slot>>,
}

impl Drop for Slot {
    fn drop(&mut self) {
        if let Some(back) = self.back.take() {
            let again = Slot {
                pool: Arc::clone(&self.pool),
                priority: self.priority,
                back: None,
            };
            // A lender that has gone lets it drop: back to the pool.
            let _ = back.send(again);
            return;
        }
        self.pool.release(self.priority);
    }
}

impl Slot {
    /// Lends the slot: whoever holds the returned one gives it back through
    /// the receiver when done with it (dropped), instead of to the pool.
    /// The cap holds throughout: it is one slot all along.
    pub fn lend(mut self) -> (Slot, oneshot::Receiver<Slot>) {
        let (tx, rx) = oneshot::channel();
        self.back = Some(tx);
        (self, rx)
    }
}

/// A place in a queue; a slot delivered to it after its owner stopped
/// waiting is given back on drop.
struct Waiting {
    rx: oneshot::Receiver<()>,
    pool: Arc<Slots>,
    priority: Priority,
    taken: bool,
}

impl Drop for Waiting {
    fn drop(&mut self) {
        if !self.taken && self.rx.try_recv().is_ok() {
            self.pool.release(self.priority);
        }
    }
}

impl Slots {
    pub fn new(size: usize) -> Slots {
        let size = size.max(1);
        Slots {
            state: Mutex::new(State {
                free: size,
                size,
                aside_held: 0,
                chains: 0,
                chain: VecDeque::new(),
                settle: VecDeque::new(),
                aside: VecDeque::new(),
            }),
        }
    }

    fn state(&self) -> std::sync::MutexGuard<'_, State> {
        // Only counters and queues live under the lock: a poisoned lock
        // still holds a usable state.
        self.state.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// Slots free right now.
    pub fn available(&self) -> usize {
        self.state().free
    }

    /// A chain of dependent hellos starts (an elimination): until the
    /// guard drops, one slot is kept from [`Priority::Settle`] and
    /// [`Priority::Aside`] for its next hello. The first chain lowers the
    /// keep from half the slots to one; each further one adds one, up to
    /// all but one (four slots, three chains: one slot aside).
    pub fn chain_running(self: &Arc<Self>) -> ChainRunning {
        let mut st = self.state();
        st.chains += 1;
        st.hand_aside();
        ChainRunning {
            pool: Arc::clone(self),
        }
    }

    /// Waits for a slot. Cancel-safe: dropping the future leaves the queue.
    pub async fn acquire(self: &Arc<Self>, priority: Priority) -> Slot {
        loop {
            let rx = {
                let mut st = self.state();
                let may = match priority {
                    Priority::Chain => st.chain.is_empty(),
                    Priority::Settle => {
                        st.chain.is_empty()
                            && st.settle.is_empty()
                            && st.aside_held < st.aside_max()
                    }
                    Priority::Aside => {
                        st.chain.is_empty()
                            && st.settle.is_empty()
                            && st.aside.is_empty()
                            && st.aside_held < st.aside_max()
                    }
                };
                if st.free > 0 && may {
                    st.free -= 1;
                    if priority != Priority::Chain {
                        st.aside_held += 1;
                    }
                    return Slot {
                        pool: Arc::clone(self),
                        priority,
                        back: None,
                    };
                }
                let (tx, rx) = oneshot::channel();
                match priority {
                    Priority::Chain => st.chain.push_back(tx),
                    Priority::Settle => st.settle.push_back(tx),
                    Priority::Aside => st.aside.push_back(tx),
                }
                rx
            };
            let mut waiting = Waiting {
                rx,
                pool: Arc::clone(self),
                priority,
                taken: false,
            };
            // The sender stays queued until a slot is handed over (the pool
            // outlives its queue), so this ends with a slot; were the sender
            // ever dropped unsent, the loop would queue again.
            if (&mut waiting.rx).await.is_ok() {
                waiting.taken = true;
                return Slot {
                    pool: Arc::clone(self),
                    priority,
                    back: None,
                };
            }
        }
    }

    /// A slot of `priority` is free again: the oldest live chain waiter
    /// gets it, else the oldest settle then aside waiter while those two
    /// hold fewer than their most, else it is counted free.
    fn release(&self, priority: Priority) {
        let mut st = self.state();
        if priority != Priority::Chain {
            st.aside_held = st.aside_held.saturating_sub(1);
        }
        // A waiter that has gone refuses the hand-over: next one.
        while let Some(tx) = st.chain.pop_front() {
            if tx.send(()).is_ok() {
                return;
            }
        }
        while st.aside_held < st.aside_max() {
            let Some(tx) = st.settle.pop_front().or_else(|| st.aside.pop_front()) else {
                break;
            };
            if tx.send(()).is_ok() {
                st.aside_held += 1;
                return;
            }
        }
        st.free += 1;
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::Duration;

    #[tokio::test]
    async fn a_freed_slot_goes_to_a_chain_before_an_older_aside_waiter() {
        let pool = Arc::new(Slots::new(1));
        let held = pool.acquire(Priority::Chain).await;
        let order = Arc::new(Mutex::new(Vec::new()));
        let aside = {
            let (pool, order) = (Arc::clone(&pool), Arc::clone(&order));
            tokio::spawn(async move {
                let _s = pool.acquire(Priority::Aside).await;
                order.lock().unwrap().push("aside");
            })
        };
        tokio::time::sleep(Duration::from_millis(20)).await;
        let chain = {
            let (pool, order) = (Arc::clone(&pool), Arc::clone(&order));
            tokio::spawn(async move {
                let _s = pool.acquire(Priority::Chain).await;
                order.lock().unwrap().push("chain");
            })
        };
        tokio::time::sleep(Duration::from_millis(20)).await;
        drop(held);
        chain.await.unwrap();
        aside.await.unwrap();
        assert_eq!(*order.lock().unwrap(), vec!["chain", "aside"]);
        assert_eq!(pool.available(), 1);
    }

    #[tokio::test]
    async fn aside_connections_hold_at_most_half_the_slots() {
        let pool = Arc::new(Slots::new(4));
        let a = pool.acquire(Priority::Aside).await;
        let _b = pool.acquire(Priority::Aside).await;
        let third = tokio::time::timeout(Duration::from_millis(20), pool.acquire(Priority::Aside));
        assert!(third.await.is_err(), "a third aside slot out of four");
        let _c = pool.acquire(Priority::Chain).await;
        let _d = pool.acquire(Priority::Chain).await;
        assert_eq!(pool.available(), 0);
        let waiter = {
            let pool = Arc::clone(&pool);
            tokio::spawn(async move { pool.acquire(Priority::Aside).await })
        };
        tokio::time::sleep(Duration::from_millis(20)).await;
        drop(a);
        let _e = tokio::time::timeout(Duration::from_secs(2), waiter)
            .await
            .expect("the freed aside slot goes to the aside waiter")
            .unwrap();
    }

    #[tokio::test]
    async fn each_running_chain_keeps_a_slot_all_but_one_at_most() {
        let pool = Arc::new(Slots::new(4));
        let first = pool.chain_running();
        let _a = pool.acquire(Priority::Aside).await;
        let _b = pool.acquire(Priority::Settle).await;
        let _c = pool.acquire(Priority::Aside).await;
        let fourth = tokio::time::timeout(Duration::from_millis(20), pool.acquire(Priority::Aside));
        assert!(fourth.await.is_err(), "the lone chain's slot stays free");
        assert_eq!(pool.available(), 1);

        let pool = Arc::new(Slots::new(4));
        let _one = pool.chain_running();
        let _two = pool.chain_running();
        let _a = pool.acquire(Priority::Aside).await;
        let _b = pool.acquire(Priority::Aside).await;
        let third = tokio::time::timeout(Duration::from_millis(20), pool.acquire(Priority::Aside));
        assert!(third.await.is_err(), "two chains keep two slots of four");
        drop(first);

        let pool = Arc::new(Slots::new(4));
        let _chains: Vec<_> = (0..5).map(|_| pool.chain_running()).collect();
        let _a = pool.acquire(Priority::Settle).await;
        let second = tokio::time::timeout(Duration::from_millis(20), pool.acquire(Priority::Aside));
        assert!(
            second.await.is_err(),
            "three chains or more keep all but one"
        );
    }

    #[tokio::test]
    async fn a_chain_that_ends_hands_its_kept_slot_to_a_waiter_aside() {
        let pool = Arc::new(Slots::new(4));
        let one = pool.chain_running();
        let _two = pool.chain_running();
        let _a = pool.acquire(Priority::Aside).await;
        let _b = pool.acquire(Priority::Aside).await;
        let waiter = {
            let pool = Arc::clone(&pool);
            tokio::spawn(async move { pool.acquire(Priority::Aside).await })
        };
        tokio::time::sleep(Duration::from_millis(20)).await;
        assert!(!waiter.is_finished());
        drop(one);
        let _c = tokio::time::timeout(Duration::from_secs(2), waiter)
            .await
            .expect("one chain left: a third slot goes aside")
            .unwrap();
        assert_eq!(pool.available(), 1);
    }

    #[tokio::test]
    async fn a_waiter_that_gives_up_loses_no_slot() {
        let pool = Arc::new(Slots::new(2));
        let a = pool.acquire(Priority::Chain).await;
        let b = pool.acquire(Priority::Aside).await;
        // Gives up while queued.
        let gone = tokio::time::timeout(Duration::from_millis(10), pool.acquire(Priority::Chain));
        assert!(gone.await.is_err());
        drop(a);
        drop(b);
        assert_eq!(pool.available(), 2);
        let _x = pool.acquire(Priority::Aside).await;
        let _y = pool.acquire(Priority::Chain).await;
        assert_eq!(pool.available(), 0);
    }

    #[tokio::test]
    async fn the_queue_of_one_priority_is_first_come_first_served() {
        let pool = Arc::new(Slots::new(1));
        let held = pool.acquire(Priority::Aside).await;
        let order = Arc::new(Mutex::new(Vec::new()));
        let mut tasks = Vec::new();
        for i in 0..3 {
            let (pool, order) = (Arc::clone(&pool), Arc::clone(&order));
            tasks.push(tokio::spawn(async move {
                let _s = pool.acquire(Priority::Aside).await;
                order.lock().unwrap().push(i);
            }));
            tokio::time::sleep(Duration::from_millis(10)).await;
        }
        drop(held);
        for t in tasks {
            t.await.unwrap();
        }
        assert_eq!(*order.lock().unwrap(), vec![0, 1, 2]);
    }
}
