//! The shared core behind every handle: the ring, the two waiter queues, the
//! handle counts, the lifecycle, and every tracing event the channel emits.
//!
//! # Parking protocol (no lost wakeups)
//! A future that finds the ring full (or empty) registers its waker with a
//! SeqCst increment of its queue's `state`, then tries again; the ring's
//! full/empty verdict is taken after a SeqCst fence. The other side makes
//! its progress with a SeqCst CAS on `head`/`tail`, then loads the queue's
//! `state` with SeqCst. In the single total order of SeqCst operations,
//! either the retry sees the progress, or the load sees the registration and
//! wakes the future.
//!
//! # Hand-off
//! A sender that parks leaves its message in its queue entry. The pop that
//! frees a slot while senders are parked moves the first parked message into
//! the ring (`Ring::push`, under the senders' queue lock, which runs no user
//! code) and wakes that sender, whose send is then done: one wake per
//! message, no retry, and FIFO among parked senders. It is reported as its
//! own event (`handoff`: a push of that sender's message, made by the
//! popper) before the wake (cause `handoff`). A parked sender's own check
//! after registering (the retry above) serves the queue's front the same
//! way, so whoever sees room hands off, in order. Every message still passes
//! through a slot.

use std::task::{Context, Poll};

use crossbeam_utils::CachePadded;

use super::ring::{PopError, Position, PushError, Ring, Room};
use super::schema::*;
use super::sync::{loom_seqcst_fence, Arc, AtomicU8, AtomicUsize, Ordering};
use super::waiters::{resume_panic, Left, Panic, Waiter, WaiterKey, WaiterQueue, Woken};
use super::RecvError;

/// How many times a receive that finds the ring empty yields to its
/// executor before it parks its waker. On a multi-thread runtime the sender
/// usually pushes within that time; on a single thread, yielding lets it
/// run. Either way it avoids most park/wake round trips.
///
/// A send that finds the ring full parks at once: the pop that makes room
/// hands its message off into the ring, so a parked send costs one wake and
/// no retry, while a yield would only move its task between workers. (And
/// so a woken send never makes a ring operation of its own: the runner's
/// steps rely on it.)
#[cfg(not(loom))]
const RECV_YIELDS_BEFORE_PARKING: u8 = 2;
/// Under loom one yield keeps the path in the models, and the models small
/// enough to explore (every yield is a full extra poll for loom).
#[cfg(loom)]
const RECV_YIELDS_BEFORE_PARKING: u8 = 1;

/// Whether a receive that found the ring empty should yield to its
/// executor (it is woken at once, so it is polled again soon) rather than
/// park: while it is not parked and has yields left.
#[inline]
fn yield_instead_of_parking(waiter: &mut Waiter, cx: &mut Context<'_>) -> bool {
    if waiter.key.is_none() && waiter.yields < RECV_YIELDS_BEFORE_PARKING {
        waiter.yields += 1;
        cx.waker().wake_by_ref();
        return true;
    }
    false
}

/// Parks `waiter` in `self.$queue` and, if that added an entry (not a
/// refresh), emits the park event `$op` with the queue depth as `$depth`.
/// A macro because the depth's field name differs per side.
macro_rules! park {
    ($self:ident, $queue:ident, $op:expr, $depth:ident, $waiter:expr, $handle:expr, $cx:expr) => {
        if let Some(depth) = $self.$queue.register(&mut $waiter.key, $handle, $cx.waker()) {
            tracing::trace!(
                target: TARGET,
                op = $op,
                chan = $self.id,
                handle = $handle,
                $depth = depth as u64,
                ticket = $waiter.key.unwrap_or(u64::MAX),
            );
        }
    };
}

/// `Chan::lifecycle` values.
const OPEN: u8 = 0;
const CLOSING: u8 = 1;
const CLOSED: u8 = 2;

fn lifecycle_name(v: u8) -> &'static str {
    match v {
        OPEN => "open",
        CLOSING => "closing",
        _ => "closed",
    }
}

/// Process-wide source of channel ids (the `chan` field). Not modelled by
/// loom: it only labels events.
static NEXT_CHAN: std::sync::atomic::AtomicU64 = std::sync::atomic::AtomicU64::new(1);

pub(crate) struct Chan<T> {
    pub(crate) ring: Ring<T>,
    /// Senders parked on a full ring. Closed (its `CLOSED` bit) when the
    /// channel closes, which routes every later pop through the slow path
    /// that notices the drain.
    senders: CachePadded<WaiterQueue<T>>,
    /// Receivers parked on an empty ring.
    receivers: CachePadded<WaiterQueue>,
    /// Handles waiting for the drain (`Sender<_, Closing>::drained`).
    drain_waiters: WaiterQueue,
    /// Live `Sender`s, in any state. The last one to go closes the channel.
    sender_count: AtomicUsize,
    /// Live `Receiver`s, in any state. The last one to go closes the channel.
    receiver_count: AtomicUsize,
    next_sender_id: AtomicUsize,
    next_receiver_id: AtomicUsize,
    /// `OPEN` -> `CLOSING` (no new sends) -> `CLOSED` (drained).
    lifecycle: AtomicU8,
    /// The `chan` field of every event.
    pub(crate) id: u64,
    /// The label shown by the TUI.
    pub(crate) name: Option<Box<str>>,
}

impl<T> Chan<T> {
    pub(crate) fn new(capacity: usize, name: Option<Box<str>>) -> Self {
        assert!(
            capacity > 0,
            "chanviz::channel::bounded: capacity must be at least 1, got 0"
        );
        let chan = Self {
            ring: Ring::new(capacity),
            senders: CachePadded::new(WaiterQueue::new()),
            receivers: CachePadded::new(WaiterQueue::new()),
            drain_waiters: WaiterQueue::new(),
            sender_count: AtomicUsize::new(0),
            receiver_count: AtomicUsize::new(0),
            next_sender_id: AtomicUsize::new(0),
            next_receiver_id: AtomicUsize::new(0),
            lifecycle: AtomicU8::new(OPEN),
            id: NEXT_CHAN.fetch_add(1, std::sync::atomic::Ordering::Relaxed),
            name,
        };
        tracing::debug!(
            target: TARGET,
            op = OP_CREATED,
            chan = chan.id,
            capacity = capacity as u64,
            name = chan.name.as_deref().unwrap_or(""),
        );
        chan
    }

    // ----- handles -------------------------------------------------------

    /// Counts a new sender and returns its id.
    pub(crate) fn add_sender(&self) -> u64 {
        self.sender_count.fetch_add(1, Ordering::Relaxed);
        let id = self.next_sender_id.fetch_add(1, Ordering::Relaxed) as u64;
        self.handle_event(id, ROLE_SENDER, STATE_NONE, "Open");
        id
    }

    /// Counts a new receiver and returns its id.
    pub(crate) fn add_receiver(&self) -> u64 {
        self.receiver_count.fetch_add(1, Ordering::Relaxed);
        let id = self.next_receiver_id.fetch_add(1, Ordering::Relaxed) as u64;
        self.handle_event(id, ROLE_RECEIVER, STATE_NONE, "Open");
        id
    }

    /// A sender went away. The last one closes the channel.
    pub(crate) fn remove_sender(&self, id: u64, state: &'static str) {
        self.handle_event(id, ROLE_SENDER, state, STATE_NONE);
        if self.sender_count.fetch_sub(1, Ordering::AcqRel) == 1 {
            self.close(ROLE_SENDER, id);
        }
    }

    /// A receiver went away. The last one closes the channel, and since no
    /// one can receive any more, the channel is finished, and what is still
    /// buffered is dropped now (as crossbeam and tokio do), not when the last
    /// sender goes: a message that carries a reply handle would otherwise
    /// keep its requester waiting. Those drops show as this receiver's pops.
    ///
    /// A value whose `Drop` panics: the panic comes out of the receiver's
    /// drop, after the lifecycle has reached `closed`; what is left in the
    /// ring is dropped with the channel.
    pub(crate) fn remove_receiver(&self, id: u64, state: &'static str) {
        self.handle_event(id, ROLE_RECEIVER, state, STATE_NONE);
        // SeqCst: a Dekker pair with `close`, which moves the lifecycle to
        // closing and then loads this count. Either `close` sees the count
        // reach 0 and finishes, or our `finish` below sees `closing`.
        if self.receiver_count.fetch_sub(1, Ordering::SeqCst) == 1 {
            loom_seqcst_fence();
            self.close(ROLE_RECEIVER, id);
            self.finish();
            while self.try_pop(id).is_ok() {}
        }
    }

    /// Moves the channel out of a handle that changes its type state, and
    /// emits the `handle` event of the transition.
    ///
    /// # Safety
    /// `chan` must belong to a handle that is never dropped or used again
    /// (it sits in a `ManuallyDrop`), so that the `Arc` is moved out exactly
    /// once and its count stays balanced.
    pub(crate) unsafe fn retype(
        chan: &Arc<Chan<T>>,
        handle: u64,
        role: &str,
        from: &str,
        to: &str,
    ) -> Arc<Chan<T>> {
        // SAFETY: the caller guarantees that `chan` is never used again.
        let chan = unsafe { std::ptr::read(chan) };
        chan.handle_event(handle, role, from, to);
        chan
    }

    pub(crate) fn handle_event(&self, handle: u64, role: &str, from: &str, to: &str) {
        tracing::debug!(
            target: TARGET,
            op = OP_HANDLE,
            chan = self.id,
            handle,
            role,
            from,
            to,
        );
    }

    // ----- lifecycle -----------------------------------------------------

    /// Closes the channel to new sends: `open -> closing`, and `-> closed`
    /// at once if nothing is buffered. Wakes every parked sender (they get
    /// their value back) and receiver (they drain, then get `RecvError`).
    /// Returns `true` for the call that closed it. `role` and `by` name the
    /// handle whose close (or drop) it is: the wakes report them as their
    /// cause.
    ///
    /// Every state change comes before the first wake, and every parked
    /// future is woken even if a waker panics; the first such panic is then
    /// resumed (unless this thread is already unwinding).
    pub(crate) fn close(&self, role: &'static str, by: u64) -> bool {
        if !self.ring.close() {
            return false;
        }
        loom_seqcst_fence();
        // Route later pops through the slow path that notices the drain.
        self.senders.close();
        // Dekker pair with `try_pop`: a pop does (SeqCst CAS on `tail`;
        // fence; SeqCst load of the senders' `state`), we do (SeqCst RMW of
        // that `state`; fence; SeqCst loads of `head`/`tail` in `len`).
        // Either the pop sees the close and finishes, or we see its pop.
        loom_seqcst_fence();
        // Only the call that set the mark bit gets here, so `open -> closing`
        // cannot fail. Its event goes out before the store: another thread's
        // `closing -> closed` can only follow the store, so every subscriber
        // sees the two transitions in order.
        self.lifecycle_event(OPEN, CLOSING);
        self.lifecycle.store(CLOSING, Ordering::SeqCst);
        // Dekker pair with `remove_receiver` (see there): SeqCst store of the
        // lifecycle, fence, SeqCst load of the receiver count.
        loom_seqcst_fence();
        let finished = (self.ring.len() == 0 || self.receiver_count.load(Ordering::SeqCst) == 0)
            && self.transition(CLOSING, CLOSED);
        let p1 = self
            .senders
            .wake_all(|w| self.wake_event(SIDE_SENDERS, w, CAUSE_CLOSE, role, by));
        let p2 = self
            .receivers
            .wake_all(|w| self.wake_event(SIDE_RECEIVERS, w, CAUSE_CLOSE, role, by));
        let p3 = if finished {
            self.wake_drain_waiters()
        } else {
            None
        };
        resume_panic(p1.or(p2).or(p3));
        true
    }

    /// `closing -> closed`, once; wakes whoever waits for the drain.
    pub(crate) fn finish(&self) {
        if self.transition(CLOSING, CLOSED) {
            resume_panic(self.wake_drain_waiters());
        }
    }

    #[must_use]
    fn wake_drain_waiters(&self) -> Option<Panic> {
        // Dekker pair with `poll_drained`: (lifecycle CAS; fence; queue
        // `state` load) here, (queue `state` RMW; fence; lifecycle load) there.
        loom_seqcst_fence();
        self.drain_waiters.wake_all(|_| {})
    }

    fn transition(&self, from: u8, to: u8) -> bool {
        let done = self
            .lifecycle
            .compare_exchange(from, to, Ordering::SeqCst, Ordering::SeqCst)
            .is_ok();
        if done {
            self.lifecycle_event(from, to);
        }
        done
    }

    fn lifecycle_event(&self, from: u8, to: u8) {
        tracing::debug!(
            target: TARGET,
            op = OP_LIFECYCLE,
            chan = self.id,
            from = lifecycle_name(from),
            to = lifecycle_name(to),
        );
    }

    /// Whether the channel is closed and drained.
    pub(crate) fn is_drained(&self) -> bool {
        self.lifecycle.load(Ordering::SeqCst) == CLOSED
    }

    /// Waits for the drain.
    pub(crate) fn poll_drained(
        &self,
        key: &mut WaiterKey,
        handle: u64,
        cx: &mut Context<'_>,
    ) -> Poll<()> {
        if self.is_drained() {
            self.drain_waiters.cancel(key);
            return Poll::Ready(());
        }
        self.drain_waiters.register(key, handle, cx.waker());
        loom_seqcst_fence();
        if self.is_drained() {
            self.drain_waiters.cancel(key);
            return Poll::Ready(());
        }
        Poll::Pending
    }

    /// Forgets a drain waiter that went away.
    pub(crate) fn cancel_drained(&self, key: &mut WaiterKey) {
        self.drain_waiters.cancel(key);
    }

    // ----- operations ----------------------------------------------------

    /// Pushes without waiting, then wakes a parked receiver if there is one.
    #[inline(always)]
    pub(crate) fn try_push(&self, value: T, handle: u64) -> Result<(), PushError<T>> {
        let pos = self.ring.push(value)?;
        loom_seqcst_fence();
        self.push_event(pos, handle);
        if self.receivers.needs_attention() {
            self.wake_next(
                &self.receivers,
                SIDE_RECEIVERS,
                CAUSE_PUSH,
                ROLE_SENDER,
                handle,
            );
        }
        Ok(())
    }

    /// Pops without waiting, then wakes a parked sender if there is one, or
    /// notices that a closed channel has just been drained.
    #[inline(always)]
    pub(crate) fn try_pop(&self, handle: u64) -> Result<T, PopError> {
        match self.ring.pop() {
            Ok((value, pos)) => {
                loom_seqcst_fence();
                self.pop_event(pos, handle);
                if self.senders.needs_attention() {
                    self.after_pop_slow(handle);
                }
                Ok(value)
            }
            Err(PopError::Closed) => {
                self.finish();
                Err(PopError::Closed)
            }
            Err(PopError::Empty) => Err(PopError::Empty),
        }
    }

    /// A pop made room while senders are parked (or the channel closed):
    /// hand the first parked message off into the ring.
    #[cold]
    fn after_pop_slow(&self, handle: u64) {
        self.hand_off(handle, ROLE_RECEIVER);
        // The other half of the Dekker pair in `close`.
        if self.senders.is_closed() && self.ring.len() == 0 {
            self.finish();
        }
    }

    /// The body of `SendFuture::poll`: try; when full, park at once, leaving
    /// the value in the queue entry, so that the pop that makes room can
    /// move it into the ring (a hand-off) and wake a finished send.
    /// A parked future polled again only looks whether that has happened.
    ///
    /// `value` holds the message while the future has it: before it parks,
    /// and when a wake gives it back (the channel closed).
    #[inline]
    pub(crate) fn poll_send(
        &self,
        value: &mut Option<T>,
        waiter: &mut Waiter,
        handle: u64,
        cx: &mut Context<'_>,
    ) -> Poll<Result<(), T>> {
        if waiter.key.is_some() {
            match self.senders.poll_parked(&mut waiter.key, cx.waker()) {
                // Still queued, the message with it.
                None => return Poll::Pending,
                // A hand-off moved the message into the ring: sent.
                Some(None) => return Poll::Ready(Ok(())),
                // Woken with the message (a close): try again, below.
                Some(Some(v)) => *value = Some(v),
            }
        }
        let v = value.take().expect("SendFuture polled after completion");
        let v = match self.try_push(v, handle) {
            Ok(()) => return Poll::Ready(Ok(())),
            Err(PushError::Closed(v)) => return self.send_closed(v, handle),
            Err(PushError::Full(v)) => v,
        };
        let depth = self.senders.park(&mut waiter.key, handle, cx.waker(), v);
        tracing::trace!(
            target: TARGET,
            op = OP_SEND_WAIT,
            chan = self.id,
            handle,
            waiting_senders = depth as u64,
            ticket = waiter.key.unwrap_or(u64::MAX),
        );
        self.after_send_parked(value, waiter, handle, cx)
    }

    /// Has the ring made room (or closed) since the parked send found it
    /// full? The pops that made room may have come before the park, and so
    /// served nobody. Whoever sees room serves the queue's front, in order,
    /// so this future hands off the first parked message (perhaps its own)
    /// until there is no room left or its own message is in.
    ///
    /// Dekker pair with `try_pop`: the park is a SeqCst RMW of the senders'
    /// `state`, then the fence in [`Ring::room`] and its loads of `head` and
    /// `tail`; a pop is a SeqCst CAS of `tail`, a fence, and a SeqCst load of
    /// that `state`. Either the pop sees this entry (and hands it off), or
    /// this check sees the pop's room.
    #[cold]
    fn after_send_parked(
        &self,
        value: &mut Option<T>,
        waiter: &mut Waiter,
        handle: u64,
        cx: &mut Context<'_>,
    ) -> Poll<Result<(), T>> {
        loop {
            match self.ring.room() {
                Room::None => return Poll::Pending,
                Room::Some => {
                    self.hand_off(handle, ROLE_SENDER);
                }
                Room::Closed => {
                    // A close after the park wakes this entry (its wake is
                    // under the queue's lock, after the mark bit); one
                    // before it left nobody to. Take the message back.
                    return match self.senders.leave(&mut waiter.key) {
                        Left::Removed(w, v) => {
                            self.leave_event(OP_LEAVE_SERVED, SIDE_SENDERS, w);
                            self.send_closed(v, handle)
                        }
                        Left::Woken(Some(v)) => self.send_closed(v, handle),
                        Left::Woken(None) => Poll::Ready(Ok(())),
                        Left::NotParked => unreachable!("parked just now"),
                    };
                }
            }
            match self.senders.poll_parked(&mut waiter.key, cx.waker()) {
                None => {}
                Some(None) => return Poll::Ready(Ok(())),
                Some(Some(v)) => {
                    // Woken with it: the channel closed meanwhile.
                    *value = Some(v);
                    return self.poll_send(value, waiter, handle, cx);
                }
            }
        }
    }

    /// A send ends with its value given back: the channel is closed.
    #[cold]
    fn send_closed(&self, v: T, handle: u64) -> Poll<Result<(), T>> {
        self.closed_event(OP_SEND_CLOSED, handle);
        Poll::Ready(Err(v))
    }

    /// Moves the first parked sender's message into the ring, if there is
    /// room, and wakes that sender: its send is done. `by` (of role `role`)
    /// is the handle doing it: a receiver whose pop made the room, or a
    /// parked sender that saw room. A message pushed this way is reported
    /// as a `handoff` (a push of that sender's message, made by `by`), and
    /// may wake a parked receiver like any push. Returns whether it moved
    /// one.
    #[cold]
    fn hand_off(&self, by: u64, role: &'static str) -> bool {
        let moved = self
            .senders
            .hand_off_front(|v| self.ring.push(v).map_err(PushError::into_value));
        let Some((w, pos)) = moved else {
            return false;
        };
        loom_seqcst_fence();
        self.handoff_event(pos, w.handle, by, role);
        self.wake_event(SIDE_SENDERS, w, CAUSE_HANDOFF, role, by);
        // As in `try_push`: a receiver may have parked on the empty ring.
        if self.receivers.needs_attention() {
            self.wake_next(
                &self.receivers,
                SIDE_RECEIVERS,
                CAUSE_PUSH,
                ROLE_SENDER,
                w.handle,
            );
        }
        true
    }

    /// The body of `RecvFuture::poll` and `Stream::poll_next`: like
    /// [`Chan::poll_send`], mirrored.
    #[inline]
    pub(crate) fn poll_recv(
        &self,
        waiter: &mut Waiter,
        handle: u64,
        cx: &mut Context<'_>,
    ) -> Poll<Result<T, RecvError>> {
        match self.try_pop(handle) {
            Ok(v) => return self.recv_done(waiter, handle, Ok(v)),
            Err(PopError::Closed) => return self.recv_done(waiter, handle, Err(RecvError)),
            Err(PopError::Empty) => {}
        }
        if yield_instead_of_parking(waiter, cx) {
            return Poll::Pending;
        }
        park!(
            self,
            receivers,
            OP_RECV_WAIT,
            waiting_receivers,
            waiter,
            handle,
            cx
        );
        // Has a message arrived just now?
        match self.try_pop(handle) {
            Ok(v) => self.recv_done(waiter, handle, Ok(v)),
            Err(PopError::Closed) => self.recv_done(waiter, handle, Err(RecvError)),
            Err(PopError::Empty) => Poll::Pending,
        }
    }

    #[inline(always)]
    fn recv_done(
        &self,
        waiter: &mut Waiter,
        handle: u64,
        result: Result<T, RecvError>,
    ) -> Poll<Result<T, RecvError>> {
        // A stream reuses its waiter for the next item.
        waiter.yields = 0;
        if waiter.key.is_some() {
            self.parked_recv_done(&mut waiter.key, handle);
        }
        if result.is_err() {
            self.closed_event(OP_RECV_CLOSED, handle);
        }
        Poll::Ready(result)
    }

    /// [`Chan::parked_send_done`], mirrored: a parked receiver that completes
    /// after a wake took its entry passes the wakeup on if a message is still
    /// buffered (it may have taken one that was pushed before it parked).
    #[cold]
    fn parked_recv_done(&self, key: &mut WaiterKey, handle: u64) {
        match self.receivers.leave(key) {
            Left::Woken(_) if self.ring.len() > 0 => {
                self.wake_next(
                    &self.receivers,
                    SIDE_RECEIVERS,
                    CAUSE_PASS,
                    ROLE_RECEIVER,
                    handle,
                );
            }
            Left::Removed(w, ()) => self.leave_event(OP_LEAVE_SERVED, SIDE_RECEIVERS, w),
            _ => {}
        }
    }

    /// [`SendFuture::withdraw`](super::SendFuture::withdraw) of a parked
    /// send: its value back, unless a hand-off used it.
    pub(crate) fn withdraw_send(&self, key: &mut WaiterKey) -> Option<T> {
        match self.senders.leave(key) {
            Left::Removed(w, v) => {
                self.leave_event(OP_LEAVE, SIDE_SENDERS, w);
                Some(v)
            }
            Left::Woken(v) => v,
            Left::NotParked => None,
        }
    }

    /// A `SendFuture` went away unfinished. Still parked: it leaves the
    /// queue, and its message is dropped (after the lock is released). A
    /// hand-off already moved its message: that send happened. Woken with
    /// its message (a close): the message is dropped. No wakeup needs
    /// passing on: only a close wakes a sender without serving it.
    #[inline(always)]
    pub(crate) fn abandon_send(&self, key: &mut WaiterKey) {
        if key.is_some() {
            drop(self.withdraw_send(key));
        }
    }

    /// A `RecvFuture` (or a stream) went away unfinished. If it had been
    /// woken, the wakeup is passed on so that the message is not stranded.
    #[inline(always)]
    pub(crate) fn abandon_recv(&self, key: &mut WaiterKey, handle: u64) {
        if key.is_some() {
            match self.receivers.leave(key) {
                Left::Woken(_) => self.wake_next(
                    &self.receivers,
                    SIDE_RECEIVERS,
                    CAUSE_PASS,
                    ROLE_RECEIVER,
                    handle,
                ),
                Left::Removed(w, ()) => self.leave_event(OP_LEAVE, SIDE_RECEIVERS, w),
                Left::NotParked => {}
            }
        }
    }

    /// Wakes the longest-waiting future of `queue`, if any, and reports it
    /// with its cause: what `by` (a handle of role `role`) just did.
    #[inline]
    fn wake_next(
        &self,
        queue: &WaiterQueue,
        side: &'static str,
        cause: &'static str,
        role: &'static str,
        by: u64,
    ) {
        if let Some(w) = queue.wake_one() {
            self.wake_event(side, w, cause, role, by);
        }
    }

    // ----- events ----------------------------------------------------------

    #[inline(always)]
    fn push_event(&self, pos: Position, handle: u64) {
        tracing::trace!(
            target: TARGET,
            op = OP_PUSH,
            chan = self.id,
            head = self.ring.position(pos) + 1,
            tail = self.ring.tail_position(),
            len = (self.ring.position(pos) + 1).saturating_sub(self.ring.tail_position()),
            slot = self.ring.slot_of(pos) as u64,
            handle,
        );
    }

    /// `by` moved parked sender `sender`'s message into the ring at `pos`.
    #[cold]
    fn handoff_event(&self, pos: Position, sender: u64, by: u64, role: &'static str) {
        tracing::trace!(
            target: TARGET,
            op = OP_HANDOFF,
            chan = self.id,
            head = self.ring.position(pos) + 1,
            tail = self.ring.tail_position(),
            len = (self.ring.position(pos) + 1).saturating_sub(self.ring.tail_position()),
            slot = self.ring.slot_of(pos) as u64,
            handle = sender,
            by,
            role,
        );
    }

    #[inline(always)]
    fn pop_event(&self, pos: Position, handle: u64) {
        tracing::trace!(
            target: TARGET,
            op = OP_POP,
            chan = self.id,
            head = self.ring.head_position(),
            tail = self.ring.position(pos) + 1,
            len = self.ring.head_position().saturating_sub(self.ring.position(pos) + 1),
            slot = self.ring.slot_of(pos) as u64,
            handle,
        );
    }

    /// A parked future left its queue without a wake: it went away
    /// (`leave`), or its own retry got what it waited for (`leave_served`).
    #[cold]
    fn leave_event(&self, op: &'static str, side: &'static str, w: Woken) {
        tracing::trace!(
            target: TARGET,
            op,
            chan = self.id,
            side,
            handle = w.handle,
            waiting = w.waiting as u64,
            ticket = w.ticket,
        );
    }

    fn wake_event(&self, side: &'static str, w: Woken, cause: &str, role: &str, by: u64) {
        tracing::trace!(
            target: TARGET,
            op = OP_WAKE,
            chan = self.id,
            side,
            woken = w.handle,
            waiting = w.waiting as u64,
            ticket = w.ticket,
            cause,
            role,
            by,
        );
    }

    /// A future ended because the channel is closed: a send that gives its
    /// value back (`send_closed`), a receive at the end of the stream
    /// (`recv_closed`).
    #[cold]
    fn closed_event(&self, op: &'static str, handle: u64) {
        tracing::trace!(target: TARGET, op, chan = self.id, handle);
    }

    /// Parked senders now.
    pub(crate) fn waiting_senders(&self) -> usize {
        self.senders.waiting()
    }

    /// Parked receivers now.
    pub(crate) fn waiting_receivers(&self) -> usize {
        self.receivers.waiting()
    }
}
