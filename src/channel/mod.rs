//! A bounded async MPMC channel with type-state handles, instrumented with
//! `tracing`. Runtime-agnostic: it never depends on tokio or any executor.
//!
//! ```
//! use chanviz::channel::bounded;
//! futures::executor::block_on(async {
//!     let (tx, rx) = bounded::<u64>(8);
//!     let tx2 = tx.clone();                 // many producers...
//!     let rx2 = rx.clone();                 // ...and many consumers
//!     tx.send(1).await.unwrap();
//!     tx2.send(2).await.unwrap();
//!     assert_eq!(rx.recv().await, Ok(1));   // FIFO
//!     assert_eq!(rx2.recv().await, Ok(2));
//! });
//! ```
//!
//! # How it works
//! - **Ring.** A lock-free array of exactly `capacity` slots (Vyukov's
//!   bounded MPMC queue). `head` is the next position to write, `tail` the
//!   next position to read; both only grow, so `slot = position % capacity`
//!   and `lap = position / capacity`.
//! - **Waiter queues.** A sender that finds the ring full parks its `Waker`
//!   in the senders' queue; a receiver that finds it empty parks in the
//!   receivers' queue. Each queue is a `Mutex<VecDeque>` with an atomic
//!   count beside it, so when nobody waits, a send or receive takes no lock
//!   and allocates nothing.
//! - **Futures.** [`SendFuture`] and [`RecvFuture`] try, register, then try
//!   again (which closes the lost-wakeup window), and keep one entry in the
//!   queue however often they are polled. `SendFuture` holds its value in an
//!   `Option<T>`, so a push that fails on a full ring puts it back.
//!
//! # Type state
//! Each handle carries its state in its type. Only `Open` handles can send,
//! receive or be cloned; every transition consumes the handle.
//!
//! ```text
//!   bounded() / clone()
//!          │
//!          ▼
//!   ┌────────────┐  close(self)   ┌──────────────┐  try_finish(self) / drained().await  ┌─────────────┐
//!   │    Open    │ ─────────────► │   Closing    │ ───────────────────────────────────► │   Closed    │
//!   │ send, recv │                │ drain (recv) │      (once the channel is drained)   │ inspect only│
//!   │ try_*,clone│                │ wait (send)  │                                      │             │
//!   └────────────┘                └──────────────┘                                      └─────────────┘
//!          │ drop                        │ drop                                               │ drop
//!          ▼                             ▼                                                    ▼
//!          -                             -                                                    -
//! ```
//!
//! The channel itself has a lifecycle too. A clone's *type* cannot change
//! when another handle closes the channel, so the channel keeps it at run
//! time, and `is_closed()` reports it on every handle:
//!
//! ```text
//!   open ──────────────────────────► closing ─────────────────────────► closed
//!         a close(), or the last           the last buffered message
//!         sender / receiver dropped        is received (at once if the
//!         (no new sends from here on)      ring is empty; or the last
//!                                          receiver is dropped)
//! ```
//!
//! No accepted message is lost: while closing, receivers still get every
//! message left in the ring, and only then `Err(RecvError)`.
//!
//! # Semantics
//! - FIFO order; the capacity is exact (no rounding up) and never exceeded.
//!   A capacity of 0 panics.
//! - When the last sender goes, every waiting receiver wakes, drains, then
//!   gets `Err(RecvError)`. When the last receiver goes, every waiting
//!   sender wakes and gets its value back in the error.
//! - Buffered values are dropped exactly once: when the last receiver goes
//!   (nobody can receive them any more; a message that carries a reply handle
//!   then releases its requester at once), or with the channel.
//! - A `mem::forget` of a *parked* `SendFuture` or `RecvFuture` leaves its
//!   entry (and its waker) in the queue until the channel goes away, and a
//!   wake that picks that entry is lost to the others: forgetting a parked
//!   future can keep one other waiter asleep until the next push or pop.
//! - A `Receiver` used as a `Stream` keeps its place in the queue between
//!   polls. Inside `select!`, a stream that was woken but whose branch did not
//!   run holds that wakeup until it is polled again or dropped (dropping
//!   passes it on); poll it again, or drop it, rather than leaving it idle.
//! - Handles are `Send + Sync` and the futures `Send` whenever `T: Send`.
//!   No `T: Unpin` bound anywhere.
//!
//! # Events (schema v3)
//! Every operation emits a `tracing` event with target `chanviz::channel`.
//! Field values are computed only when a subscriber listens, so an
//! unobserved channel pays only `tracing`'s call-site check.
//!
//! | op | level | fields |
//! |---|---|---|
//! | `created` | DEBUG | `chan`, `capacity`, `name` (`""` when none) |
//! | `push` | TRACE | `chan`, `head`, `tail`, `len`, `slot`, `handle` (sender id) |
//! | `pop` | TRACE | `chan`, `head`, `tail`, `len`, `slot`, `handle` (receiver id) |
//! | `handoff` (v3) | TRACE | as `push`, for a parked sender's message (`handle`), plus `by`, `role`: who moved it into the ring |
//! | `send_wait` | TRACE | `chan`, `handle`, `waiting_senders` (queue depth after parking) |
//! | `recv_wait` | TRACE | `chan`, `handle`, `waiting_receivers` (queue depth after parking) |
//! | `wake` | TRACE | `chan`, `side` (`senders`/`receivers`), `woken` (handle id), `waiting` (depth after) |
//! | `handle` | DEBUG | `chan`, `handle`, `role` (`sender`/`receiver`), `from`, `to` (`Open`, `Closing`, `Closed`; `-` when created or dropped) |
//! | `lifecycle` | DEBUG | `chan`, `from`, `to` (`open`, `closing`, `closed`) |
//! | `leave` (v2) | TRACE | `chan`, `side`, `handle`, `waiting` (depth after): a parked future went away unwoken |
//! | `leave_served` (v2) | TRACE | `chan`, `side`, `handle`, `waiting`: a parked future's own retry was served before any wake |
//!
//! See [`schema`] for the exact meaning of each field.

/// `Debug` for a handle type (`Sender` or `Receiver`), in every state.
macro_rules! handle_debug {
    ($handle:ident) => {
        impl<T, S: State> fmt::Debug for $handle<T, S> {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.debug_struct(stringify!($handle))
                    .field("chan", &self.chan.id)
                    .field("id", &self.id)
                    .field("state", &S::NAME)
                    .field("len", &self.len())
                    .field("capacity", &self.capacity())
                    .finish()
            }
        }
    };
}

/// The inspection methods every handle has, in every state (`Sender` and
/// `Receiver` alike). Expands inside `impl<T, S: State> Handle<T, S>`.
macro_rules! handle_inspectors {
    ($prefix:literal) => {
        /// Messages buffered now.
        pub fn len(&self) -> usize {
            self.chan.ring.len()
        }

        /// Number of slots: exactly what was asked of [`bounded`](crate::channel::bounded).
        pub fn capacity(&self) -> usize {
            self.chan.ring.capacity()
        }

        /// Whether no message is buffered.
        pub fn is_empty(&self) -> bool {
            self.len() == 0
        }

        /// Whether every slot is taken.
        pub fn is_full(&self) -> bool {
            self.len() == self.capacity()
        }

        /// Whether the channel is closed, from either side: by a `close`, or
        /// by the last sender or the last receiver going away. Messages may
        /// still be buffered.
        pub fn is_closed(&self) -> bool {
            self.chan.ring.is_closed()
        }

        #[doc = concat!("This handle's id: it is `", $prefix, "{id}` in events and in the TUI.")]
        pub fn id(&self) -> u64 {
            self.id
        }

        /// The channel's process-unique id (the `chan` field of its events).
        pub fn chan_id(&self) -> u64 {
            self.chan.id
        }

        /// The channel's label, if it was made with
        /// [`bounded_named`](crate::channel::bounded_named).
        pub fn name(&self) -> Option<&str> {
            self.chan.name.as_deref()
        }

        /// The handle's type state: `"Open"`, `"Closing"` or `"Closed"`.
        pub fn state(&self) -> &'static str {
            S::NAME
        }
    };
}

mod chan;
mod drained;
mod error;
mod future;
mod receiver;
mod ring;
pub mod schema;
mod sender;
mod state;
mod sync;
mod waiters;

#[cfg(all(test, loom))]
mod loom_tests;
#[cfg(doctest)]
mod typestate_doctests;

pub use error::{RecvError, SendError, TryRecvError, TrySendError};
pub use future::{RecvFuture, SendFuture};
pub use receiver::{Drain, Receiver, ReceiverDrained};
pub use sender::{Drained, Sender};
pub use state::{Closed, Closing, Open, State};

use chan::Chan;
use sync::Arc;

/// Creates a channel of exactly `capacity` slots.
///
/// # Panics
/// If `capacity` is 0.
///
/// # Examples
/// ```
/// let (tx, rx) = chanviz::channel::bounded::<u8>(3);
/// assert_eq!(tx.capacity(), 3);
/// assert!(rx.is_empty());
/// ```
pub fn bounded<T>(capacity: usize) -> (Sender<T, Open>, Receiver<T, Open>) {
    make(capacity, None)
}

/// Like [`bounded`], with a label that the TUI shows (the `name` field of
/// the `created` event).
///
/// # Panics
/// If `capacity` is 0.
///
/// # Examples
/// ```
/// let (tx, _rx) = chanviz::channel::bounded_named::<u8>(3, "jobs");
/// assert_eq!(tx.name(), Some("jobs"));
/// ```
pub fn bounded_named<T>(
    capacity: usize,
    name: impl Into<String>,
) -> (Sender<T, Open>, Receiver<T, Open>) {
    make(capacity, Some(name.into().into_boxed_str()))
}

fn make<T>(capacity: usize, name: Option<Box<str>>) -> (Sender<T, Open>, Receiver<T, Open>) {
    let chan = Arc::new(Chan::new(capacity, name));
    let sid = chan.add_sender();
    let rid = chan.add_receiver();
    (
        Sender::from_chan(chan.clone(), sid),
        Receiver::from_chan(chan, rid),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    // That handles and futures are Send/Sync: tests/channel_semantics.rs.

    #[test]
    #[should_panic(expected = "capacity")]
    fn zero_capacity_panics() {
        let _ = bounded::<u8>(0);
    }

    #[test]
    fn capacity_is_exact_and_ring_wraps_in_order() {
        for cap in [1usize, 2, 3, 5, 7, 8, 9, 100] {
            let (tx, rx) = bounded::<usize>(cap);
            assert_eq!(tx.capacity(), cap);
            for round in 0..3 {
                for i in 0..cap {
                    tx.try_send(round * 1000 + i).unwrap();
                }
                assert!(tx.is_full());
                assert_eq!(tx.len(), cap);
                assert!(matches!(tx.try_send(0), Err(TrySendError::Full(0))));
                for i in 0..cap {
                    assert_eq!(rx.try_recv(), Ok(round * 1000 + i));
                }
                assert_eq!(rx.try_recv(), Err(TryRecvError::Empty));
            }
        }
    }
}
