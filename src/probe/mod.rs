//! The probe: decodes the channel's tracing events (schema v1) into a live
//! model and hands out consistent [`Snapshot`]s. It must never block or
//! allocate on an instrumented task's path, and never use a chanviz channel,
//! or anything else that emits these events, for its own transport (that
//! path deadlocks, as tokio-console's instrumentation of tokio's mpsc did).
//!
//! # Parts
//! - [`ProbeLayer`] (`layer.rs`): the `tracing_subscriber::Layer`. It is
//!   interested in target `chanviz::channel` only, and decodes each event
//!   with a `Visit` into a value on the stack (`decode.rs`).
//! - The per-channel model (`channel_state.rs`): atomics for everything a
//!   per-operation event changes, a mutex for handles and lifecycle.
//! - The event stream (`stream.rs`): every decoded event goes into a
//!   lock-free bounded queue; a collector orders, numbers and keeps them in
//!   a [`History`] (with [`Model`] checkpoints for seeking) and hands them
//!   to sinks. A full queue drops and counts a gap instead of waiting.
//! - The model as a fold (`model.rs`): [`Model`], the same picture from the
//!   events alone, for rewinding and replays.
//! - The clock (`clock.rs`): a coarse microsecond clock refreshed every
//!   millisecond by a ticker thread, because `Instant::now()` per event
//!   costs more than everything else the probe does.
//! - [`Probe`]: a cheap handle that takes [`Snapshot`]s.
//!
//! # Costs and bounds
//! - A per-operation event (push, pop, send_wait, recv_wait, wake) costs a
//!   decode on the stack (by a per-callsite plan: field index to field id,
//!   no name matching), a thread-local lookup of the channel, a few relaxed
//!   atomic operations on cache lines split by side, and one push into the
//!   stream's lock-free queue. It never allocates, never waits, and never
//!   calls the OS.
//! - `created`, `handle` and `lifecycle` events are rare and take a mutex.
//! - Memory is bounded: the queue holds 65,536 events; the history at least
//!   the newest [`DEFAULT_LOG_CAPACITY`] events and at most 4,096 more (or
//!   what [`ProbeLayer::with_log_capacity`] says), 72 bytes each; at most [`MAX_CHANNELS`]
//!   channels are kept (the oldest closed one is forgotten first); each keeps
//!   at most 4,096 handles (the oldest dropped ones are forgotten), 600
//!   throughput buckets, and one stamp per slot up to 65,536 slots (a larger
//!   ring's occupancy is derived from `[tail, head)`).
//! - Measured (`benches/probe.rs`, 2-vCPU VM shared with other jobs, so
//!   treat as ratios): on `spsc-1024/ct` the channel moves about 56 M msg/s
//!   unobserved, 7.7 M msg/s under a layer that only visits every field
//!   (the floor for any decoding `tracing` layer: two events per message),
//!   and 4 to 5 M msg/s under the probe (scoped / global dispatcher). Most
//!   of the cost is `tracing` itself: dispatch plus one dynamic call per
//!   field.
//!
//! # Installing it
//! [`install_global`] is the simplest. For a runtime whose threads should
//! report to a probe without a global subscriber, give every worker the
//! probe's [`Probe::dispatch`] with [`set_thread_default`] in tokio's
//! `on_thread_start`, and wrap the thread that creates the channels in
//! [`tracing::dispatcher::with_default`]. Mind `tracing`'s interest cache
//! (see [`set_thread_default`]): while the probe's dispatcher is the only
//! one in the process, a channel event first hit on a thread that does not
//! report to it is cached as "nobody listens".
//!
//! # Decoding rules
//! - Events whose `op` is unknown, that lack `chan`, or that lack a field the
//!   op needs (`side`, `role`, a valid `from`/`to`) are ignored.
//! - An event for a `chan` never announced by `created` registers that
//!   channel on the spot, with capacity 0 (unknown, no slots) and no
//!   `created` entry in its lifecycle history. A later `created` fills in the
//!   capacity and the name.
//! - `sent` counts `push` events, `received` counts `pop` events. `head` and
//!   `tail` are the highest positions seen; `len` is `head - tail`.
//! - A `send_wait`, `recv_wait` or `wake` event sets its queue's depth now;
//!   peaks are the highest depths seen.
//! - In a `handle` event, `-` is `Absent` in `from` and `Dropped` in `to`.
//! - Times are microseconds since the probe was created, up to a millisecond
//!   late (the coarse clock); a snapshot's own time is exact.
//!
//! # Example
//! ```
//! let probe = chanviz::probe::ProbeLayer::new().probe();
//! // In a runtime: `on_thread_start(move || chanviz::probe::set_thread_default(&dispatch))`
//! // with `let dispatch = probe.dispatch();`, or `install_global()` once.
//! let snapshot = probe.snapshot();
//! assert!(snapshot.channels.is_empty());
//! ```

mod channel_state;
mod clock;
mod decode;
pub mod insight;
mod layer;
pub mod model;
pub mod snapshot;
pub mod stream;

use std::cell::RefCell;

pub use clock::TimeSource;
pub use layer::{
    Probe, ProbeBuilder, ProbeLayer, DEFAULT_LOG_CAPACITY, DEFAULT_SNAPSHOT_EVENTS, MAX_CHANNELS,
};
pub use model::{ChannelState, Model};
pub use snapshot::*;
pub use stream::{History, Record, Rewind, Sink};

use tracing::dispatcher::{DefaultGuard, Dispatch};

/// Installs a registry with a new [`ProbeLayer`] as the global default
/// subscriber and returns its probe.
///
/// # Panics
/// If a global default subscriber is already set (see [`try_install_global`]).
pub fn install_global() -> Probe {
    try_install_global().expect("a global tracing subscriber is already set")
}

/// Like [`install_global`], but returns an error instead of panicking when a
/// global default subscriber is already set.
pub fn try_install_global() -> Result<Probe, tracing::subscriber::SetGlobalDefaultError> {
    let probe = ProbeLayer::new().probe();
    tracing::dispatcher::set_global_default(probe.dispatch())?;
    Ok(probe)
}

thread_local! {
    /// The guard of the dispatcher set by [`set_thread_default`].
    static THREAD_DEFAULT: RefCell<Option<DefaultGuard>> = const { RefCell::new(None) };
}

/// Makes `dispatch` this thread's default dispatcher until the thread ends
/// (or until the next call), keeping the guard in a thread-local. Meant for
/// tokio's `on_thread_start`, so a runtime's workers report to one probe
/// without a global subscriber.
///
/// # Callsite interest (a `tracing` trap)
/// `tracing` caches, per callsite, whether anyone listens. While a single
/// `Dispatch` exists in the process, it asks only the *current thread's*
/// default, at the moment a callsite is first hit or the cache is rebuilt.
/// A channel event first hit on a thread without the probe's dispatcher is
/// then cached as "nobody listens", for every thread. This function rebuilds
/// the cache after setting the default, which repairs that; still, set the
/// default (or use [`tracing::dispatcher::with_default`]) on every thread
/// that creates or uses channels, the creating thread included, or install
/// the probe globally ([`install_global`]).
pub fn set_thread_default(dispatch: &Dispatch) {
    THREAD_DEFAULT.with(|slot| {
        // Drop the previous guard before setting the new default: a guard
        // restores what was current when it was made.
        drop(slot.borrow_mut().take());
        let guard = tracing::dispatcher::set_default(dispatch);
        *slot.borrow_mut() = Some(guard);
    });
    tracing::callsite::rebuild_interest_cache();
}
