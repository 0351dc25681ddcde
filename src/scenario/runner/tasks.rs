//! The producer and consumer tasks, the supervisor's line to each
//! ([`TaskCtl`]), and the two ways a task closes the channel through its
//! handle's type state. A task counts what it moves and obeys its
//! instruction; it never decides when the run ends.

use std::future::{poll_fn, Future};
use std::pin::pin;
use std::sync::atomic::{AtomicBool, AtomicU64, AtomicU8, Ordering};
use std::sync::Arc;
use std::task::{Context, Poll, Wake, Waker};
use std::time::Duration;

use tokio::sync::Notify;

use super::shared::{KnobCache, Shared};
use super::{HandleState, Role, TaskStats};
use crate::channel::{Receiver, Sender};
use crate::scenario::control::Rate;
use crate::scenario::spec::Trigger;

/// A task at full speed yields to the scheduler after this many operations.
const YIELD_EVERY: u32 = 32;

/// A producer this far behind its rate starts afresh instead of catching up
/// with a burst (scenario µs).
const CATCH_UP_US: u64 = 250_000;

/// What the supervisor wants a task to do.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[repr(u8)]
pub(super) enum Instruction {
    /// Keep going.
    Run,
    /// Stop: drop the handle.
    Stop,
    /// Close the channel through this task's handle, then stop.
    Close,
    /// Drop the handle without closing (`drop_producer`).
    Drop,
}

impl Instruction {
    fn from_u8(byte: u8) -> Instruction {
        [Self::Run, Self::Stop, Self::Close, Self::Drop]
            .into_iter()
            .find(|&i| i as u8 == byte)
            .unwrap_or(Self::Stop)
    }
}

/// The supervisor's line to one task: an instruction and a bell.
pub(super) struct TaskCtl {
    pub label: String,
    instruction: AtomicU8,
    pub bell: Notify,
    pub count: AtomicU64,
}

impl TaskCtl {
    pub fn new(label: String) -> Arc<TaskCtl> {
        Arc::new(TaskCtl {
            label,
            instruction: AtomicU8::new(Instruction::Run as u8),
            bell: Notify::new(),
            count: AtomicU64::new(0),
        })
    }

    pub fn instruct(&self, what: Instruction) {
        // Release, then the bell: the task that wakes and loads it (Acquire)
        // sees this instruction and what the supervisor did before it.
        self.instruction.store(what as u8, Ordering::Release);
        self.bell.notify_one();
    }

    pub fn instruction(&self) -> Instruction {
        Instruction::from_u8(self.instruction.load(Ordering::Acquire))
    }

    pub fn running(&self) -> bool {
        self.instruction() == Instruction::Run
    }

    /// The task's count, as a task of run `run` (1-based).
    pub fn stats(&self, run: u32) -> TaskStats {
        TaskStats {
            handle: self.label.clone(),
            // Relaxed: read once the task has ended (or for display).
            messages: self.count.load(Ordering::Relaxed),
            run,
        }
    }

    /// One message moved: the task's count and the run's.
    fn counted(&self, total: &AtomicU64) {
        // Relaxed: counters; the totals are read after the tasks end.
        self.count.fetch_add(1, Ordering::Relaxed);
        total.fetch_add(1, Ordering::Relaxed);
    }
}

/// Wait at the pause gate. `true`: go ahead with one channel operation;
/// `false`: the task's bell rang (check the instruction first).
async fn gate(shared: &Shared, ctl: &TaskCtl) -> bool {
    if !shared.is_paused() {
        return true;
    }
    tokio::select! {
        biased;
        _ = ctl.bell.notified() => false,
        () = wait_for_step(shared) => true,
    }
}

/// While paused, wait for a step's permit (or for the run to resume),
/// counted as a task ready at the gate.
async fn wait_for_step(shared: &Shared) {
    let mut paused = shared.paused.subscribe();
    let _ready = shared.at_gate();
    loop {
        if !*paused.borrow_and_update() {
            return;
        }
        tokio::select! {
            biased;
            permit = shared.permits.acquire() => {
                if let Ok(p) = permit {
                    p.forget();
                }
                return;
            }
            changed = paused.changed() => {
                if changed.is_err() {
                    return;
                }
            }
        }
    }
}

/// A waker that notes whether it was woken while its future was being
/// polled (a yield: the future woke itself) or later (by another task).
struct NotingWaker {
    inner: Waker,
    polling: AtomicBool,
    woke_itself: AtomicBool,
}

impl Wake for NotingWaker {
    fn wake(self: Arc<Self>) {
        self.wake_by_ref();
    }
    fn wake_by_ref(self: &Arc<Self>) {
        // Relaxed, both: the flag only decides whether the next poll waits
        // for a step; the wake itself goes through the task's own waker.
        if self.polling.load(Ordering::Relaxed) {
            self.woke_itself.store(true, Ordering::Relaxed);
        }
        self.inner.wake_by_ref();
    }
}

/// Drive one channel operation (a send or a receive) so that, while paused,
/// each of its steps is a step of its own: a receive that parked and was
/// then woken by another task's push waits at the gate before it retries
/// its pop. (The first attempt passes the gate before this is called.) A
/// future that yields to the scheduler before parking goes on without a
/// step: its yield is not an operation. Nor is a retry that makes no ring
/// operation of its own (`free_retry`): a send's, since a parked send is
/// completed by the pop that makes room (the hand-off is that pop's step)
/// or refused by a close; a receive's on a closed and empty channel, which
/// ends the task's story at once.
async fn stepped<F: Future>(shared: &Shared, fut: F, free_retry: impl Fn() -> bool) -> F::Output {
    let mut fut = pin!(fut);
    let mut last = Last::First;
    // Whether this attempt holds a step (it passed the gate while paused):
    // then it may yield and retry until it parks or completes. An attempt
    // under way when the run was paused stops at its next poll instead.
    let mut holds_step = shared.is_paused();
    loop {
        let polled = poll_fn(|cx: &mut Context<'_>| {
            if last == Last::Parked {
                // Polled again after a park: another task woke it.
                shared.observe(Trigger::Wake);
                holds_step = false;
            }
            if !shared.is_paused() {
                holds_step = false;
            } else if last != Last::First && !holds_step && !free_retry() {
                // Woken (or caught mid-attempt) while paused: the retry is
                // the next step's.
                return Poll::Ready(None);
            }
            let precise = shared.is_paused()
                || shared.watching(Trigger::Park)
                || shared.watching(Trigger::Wake);
            if !precise {
                let out = fut.as_mut().poll(cx);
                // A park or a yield: not worth a waker of our own to know.
                last = if out.is_pending() {
                    Last::Unknown
                } else {
                    Last::First
                };
                return out.map(Some);
            }
            let noting = Arc::new(NotingWaker {
                inner: cx.waker().clone(),
                polling: AtomicBool::new(true),
                woke_itself: AtomicBool::new(false),
            });
            let waker = Waker::from(noting.clone());
            let out = fut.as_mut().poll(&mut Context::from_waker(&waker));
            noting.polling.store(false, Ordering::Relaxed);
            last = match out {
                Poll::Ready(_) => Last::First,
                Poll::Pending if noting.woke_itself.load(Ordering::Relaxed) => Last::Yielded,
                Poll::Pending => {
                    shared.observe(Trigger::Park);
                    Last::Parked
                }
            };
            out.map(Some)
        })
        .await;
        match polled {
            Some(out) => return out,
            None => {
                wait_for_step(shared).await;
                holds_step = shared.is_paused();
                // Its wake (if any) is seen; the retry is this step's.
                last = Last::First;
            }
        }
    }
}

/// How a channel future's last poll ended, as [`stepped`] saw it.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Last {
    /// Not polled yet (or done).
    First,
    /// It woke itself (a yield before parking): not an operation.
    Yielded,
    /// It parked: the next poll comes from another task's wake.
    Parked,
    /// Pending, polled without a noting waker: a park or a yield.
    Unknown,
}

/// Run `fut` unless the bell rings first (`None` then; `fut` is dropped).
async fn or_bell<F: Future>(ctl: &TaskCtl, fut: F) -> Option<F::Output> {
    tokio::select! {
        biased;
        _ = ctl.bell.notified() => None,
        out = fut => Some(out),
    }
}

/// Yield to the scheduler every [`YIELD_EVERY`] operations done without a
/// pause of their own.
async fn breathe(since_yield: &mut u32) {
    *since_yield += 1;
    if *since_yield >= YIELD_EVERY {
        *since_yield = 0;
        tokio::task::yield_now().await;
    }
}

/// Close the channel through a sender's type state: `Sender<Open>` →
/// `close()` → `Sender<Closing>` → `drained().await` → `Sender<Closed>`. The
/// one way the runner closes through a sender (a producer's, or `S0`).
pub(super) async fn close_sender(tx: Sender<u64>, shared: &Shared) {
    let label = format!("S{}", tx.id());
    let closing = tx.close();
    shared.record(
        label.clone(),
        Role::Sender,
        HandleState::Open,
        HandleState::Closing,
    );
    let closed = closing.drained().await;
    shared.record(
        label,
        Role::Sender,
        HandleState::Closing,
        HandleState::Closed,
    );
    drop(closed);
}

pub(super) async fn producer(tx: Sender<u64>, ctl: Arc<TaskCtl>, shared: Arc<Shared>) {
    let quota = shared.scenario.producers.messages;
    let burst = shared.scenario.producers.burst;
    let mut knobs = shared.knob_cache();
    let mut burst_left = burst;
    let clock = &shared.clock;
    // When the next burst is due, in total scenario µs.
    let mut next = clock.now_us();
    let mut since_yield = 0u32;
    let mut seq = 0u64;
    loop {
        match ctl.instruction() {
            Instruction::Run => {}
            Instruction::Close => return close_sender(tx, &shared).await,
            // Stop and Drop both drop the `Sender<Open>`.
            Instruction::Stop | Instruction::Drop => return,
        }
        if quota.is_some_and(|q| seq >= q) {
            return;
        }
        shared.refresh(&mut knobs);
        if burst_left == 0 {
            burst_left = burst;
            if let Rate::PerSec(r) = knobs.knobs.rate {
                let now = clock.now_us();
                next += (burst as f64 / r * 1e6) as u64;
                // Far behind (a rate just raised, a slow consumer): start
                // afresh, no catch-up burst. (A pause is not "behind": the
                // scenario clock stops with it.)
                if next + CATCH_UP_US < now {
                    next = now;
                }
                if next > now && or_bell(&ctl, clock.sleep_until(next)).await.is_none() {
                    continue;
                }
            }
        }
        if !gate(&shared, &ctl).await {
            continue;
        }
        let mut send = tx.send(seq);
        // A parked send's retry is no operation of its own (see `stepped`).
        let sent = or_bell(&ctl, stepped(&shared, &mut send, || true)).await;
        // The bell rang: unless a hand-off already moved the value into the
        // ring (then it was sent), it was not sent and is not counted.
        let sent = sent.or_else(|| send.withdraw().is_none().then_some(Ok(())));
        drop(send);
        match sent {
            None => continue,
            Some(Ok(())) => {
                seq += 1;
                burst_left -= 1;
                ctl.counted(&shared.sent);
                if shared.watching(Trigger::Full) && tx.len() >= tx.capacity() {
                    shared.observe(Trigger::Full);
                }
            }
            // Closed by someone else: this producer is done.
            Some(Err(_)) => return,
        }
        if matches!(knobs.knobs.rate, Rate::Max) {
            breathe(&mut since_yield).await;
        }
    }
}

/// A small xorshift generator for the consumers' jitter.
struct Jitter(u64);

impl Jitter {
    fn new(seed: u64) -> Jitter {
        Jitter(seed.wrapping_mul(0x9E37_79B9_7F4A_7C15) | 1)
    }

    fn next(&mut self) -> u64 {
        let mut x = self.0;
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        self.0 = x;
        x
    }

    fn up_to(&mut self, max: Duration) -> Duration {
        let ns = max.as_nanos() as u64;
        if ns == 0 {
            Duration::ZERO
        } else {
            Duration::from_nanos(self.next() % (ns + 1))
        }
    }
}

/// What a consumer carries from one message to the next.
struct Consumer {
    ctl: Arc<TaskCtl>,
    shared: Arc<Shared>,
    knobs: KnobCache,
    jitter: Jitter,
}

impl Consumer {
    /// A message arrived: count it, then its work time in scenario time
    /// (zero when hurried).
    fn received(&mut self) -> Duration {
        self.ctl.counted(&self.shared.received);
        if self.shared.hurry() {
            return Duration::ZERO;
        }
        self.shared.refresh(&mut self.knobs);
        let k = &self.knobs.knobs;
        k.work + self.jitter.up_to(self.shared.live_jitter(k.work))
    }
}

pub(super) async fn consumer(rx: Receiver<u64>, ctl: Arc<TaskCtl>, shared: Arc<Shared>, seed: u64) {
    let mut c = Consumer {
        knobs: shared.knob_cache(),
        ctl,
        shared,
        jitter: Jitter::new(seed),
    };
    let mut since_yield = 0u32;
    loop {
        match c.ctl.instruction() {
            Instruction::Run => {}
            Instruction::Close => return close_receiver(rx, &mut c).await,
            Instruction::Stop | Instruction::Drop => return,
        }
        if !gate(&c.shared, &c.ctl).await {
            continue;
        }
        match or_bell(
            &c.ctl,
            stepped(&c.shared, rx.recv(), || rx.is_closed() && rx.is_empty()),
        )
        .await
        {
            None => continue,
            Some(Ok(_)) => {}
            // Closed and drained: nothing more will ever arrive.
            Some(Err(_)) => return,
        }
        let d = c.received();
        if d.is_zero() {
            breathe(&mut since_yield).await;
        } else {
            // The message is received and counted; a bell only cuts the work short.
            or_bell(&c.ctl, c.shared.clock.sleep(d)).await;
        }
    }
}

/// `close_from_receiver`: `Receiver<Open>` → `close()` → take what is
/// buffered → `drained().await` → `Receiver<Closed>`.
async fn close_receiver(rx: Receiver<u64>, c: &mut Consumer) {
    let closing = rx.close();
    let label = c.ctl.label.clone();
    c.shared.record(
        label.clone(),
        Role::Receiver,
        HandleState::Open,
        HandleState::Closing,
    );
    loop {
        if !gate(&c.shared, &c.ctl).await {
            continue;
        }
        let Some(_) = closing.drain().next() else {
            break;
        };
        let d = c.received();
        if !d.is_zero() {
            c.shared.clock.sleep(d).await;
        }
    }
    // Another receiver may still hold the last message for a moment.
    let closed = closing.drained().await;
    c.shared.record(
        label,
        Role::Receiver,
        HandleState::Closing,
        HandleState::Closed,
    );
    drop(closed);
}
