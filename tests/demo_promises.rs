//! Every demo does what its description says. Each embedded demo runs
//! headless under a probe of its own (all of them side by side, once, so the
//! file takes about as long as its longest run), and a test per demo checks
//! the promise of its description against what the probe saw: parks on each
//! side, how full the ring got, the lifecycle, who woke whom.
//!
//! Nothing here asserts how fast anything is. Where a demo promises time
//! ("slow enough to watch"), the assertion is a lower bound set by the
//! consumers' own sleeps, which a slow machine can only lengthen.
#![cfg(feature = "tui")]

mod deadline;

use std::collections::{BTreeMap, VecDeque};
use std::sync::OnceLock;
use std::time::Duration;

use chanviz::probe::{
    ChannelSnapshot, EventKind, HandleState, Lifecycle, LogEntry, Model, ProbeLayer, Role, Side,
    WarningKind,
};
use chanviz::scenario::control::{Answer, Narration};
use chanviz::scenario::demos::{self, DEMOS};
use chanviz::scenario::knobs::Rate;
use chanviz::scenario::runner::{EndReason, RunOptions, Runner, Summary};
use chanviz::scenario::spec::Scenario;

/// Room for every event of the longest run (a few thousand), so the log
/// loses nothing to overwriting.
const LOG: usize = 200_000;

/// What one run did, as the runner and the probe saw it.
struct Observed {
    name: String,
    capacity: usize,
    summary: Summary,
    /// The run's channel's events, oldest first.
    events: Vec<LogEntry>,
    events_dropped: u64,
    /// The channel at the end: its handles and lifecycle history come from
    /// the probe's model, which (unlike its log) loses nothing.
    channel: ChannelSnapshot,
    /// What the script said (`say`, `ask`).
    narrations: Vec<Narration>,
}

/// One run of a demo: its own scenario (perhaps changed), its own probe.
fn run_demo(key: &str, name: &str, change: impl FnOnce(&mut Scenario)) -> (String, Observed) {
    let demo = demos::find(name).unwrap_or_else(|| panic!("no demo {name}"));
    let mut s = demo.scenario().unwrap_or_else(|e| panic!("{e}"));
    change(&mut s);
    let capacity = s.capacity;
    let probe = ProbeLayer::with_log_capacity(LOG).probe();
    let opts = RunOptions {
        dispatch: Some(probe.dispatch()),
        ..RunOptions::default()
    };
    let handle = Runner::start(s, opts).unwrap_or_else(|e| panic!("{name}: {e}"));
    let control = handle.control();
    let what = format!("the {key} run ends");
    let summary = deadline::within(&what, move || handle.wait().unwrap());
    let narrations = control.narrations(0);
    let snap = probe.snapshot_with_events(LOG);
    let channel = snap.current().expect("the probe saw the channel").clone();
    let events = snap
        .events
        .into_iter()
        .filter(|e| e.chan == channel.chan)
        .collect();
    (
        key.to_string(),
        Observed {
            name: name.to_string(),
            capacity,
            summary,
            events,
            events_dropped: snap.events_dropped,
            channel,
            narrations,
        },
    )
}

fn secs(s: f64) -> Option<Duration> {
    Some(Duration::from_secs_f64(s))
}

/// Every run, started together on first use and kept for every test.
fn runs() -> &'static BTreeMap<String, Observed> {
    static RUNS: OnceLock<BTreeMap<String, Observed>> = OnceLock::new();
    RUNS.get_or_init(|| {
        type Change = fn(&mut Scenario);
        let plan: Vec<(&str, &str, Change)> = vec![
            ("spsc", "spsc", |s| s.duration = secs(10.0)),
            ("mpsc", "mpsc", |s| s.duration = secs(12.0)),
            ("mpmc", "mpmc", |s| s.duration = secs(12.0)),
            // What `+` twice does: 15 messages a second per producer.
            ("mpmc at 15/s", "mpmc", |s| {
                s.duration = secs(8.0);
                s.producers.rate = Rate::PerSec(15.0);
            }),
            ("backpressure", "backpressure", |s| s.duration = secs(6.0)),
            ("idle-consumers", "idle-consumers", |s| {
                s.duration = secs(8.0)
            }),
            ("shutdown", "shutdown", |_| {}),
            ("burst", "burst", |s| s.duration = secs(8.0)),
            ("one-slot", "one-slot", |s| s.duration = secs(10.0)),
            // What `]` then `r` do: the same demo on a ring of two slots.
            ("one-slot x2", "one-slot", |s| {
                s.duration = secs(10.0);
                s.capacity = 2;
            }),
            ("drop-close", "drop-close", |_| {}),
            ("load-swing", "load-swing", |s| s.duration = secs(13.0)),
            // Headless: the lessons do not stop, they say what they say.
            // (tests/lessons.rs plays them with a viewer who resumes.)
            ("lesson-backpressure", "lesson-backpressure", |s| {
                s.duration = secs(7.0)
            }),
            ("lesson-shutdown", "lesson-shutdown", |_| {}),
        ];
        let threads: Vec<_> = plan
            .into_iter()
            .map(|(key, name, change)| std::thread::spawn(move || run_demo(key, name, change)))
            .collect();
        threads
            .into_iter()
            .map(|t| t.join().expect("a run panicked"))
            .collect()
    })
}

fn observed(key: &str) -> &'static Observed {
    let o = &runs()[key];
    assert_eq!(o.summary.sent, o.summary.received, "{key}: lost messages");
    o
}

impl Observed {
    /// The events while the channel was open: up to its first lifecycle
    /// change (the script's close, or the end of the run).
    fn open(&self) -> &[LogEntry] {
        let end = self
            .channel
            .lifecycle_history
            .iter()
            // The first entry is the creation (open -> open).
            .find(|l| l.from == Lifecycle::Open && l.to != Lifecycle::Open)
            .map_or(self.events.len(), |l| self.index_at(l.at_us, l.from, l.to));
        &self.events[..end]
    }

    /// Where a lifecycle change sits in the log: its own event, or (if the
    /// log lost it) the first event from its time on.
    fn index_at(&self, at_us: u64, from: Lifecycle, to: Lifecycle) -> usize {
        self.events
            .iter()
            .position(|e| e.kind == EventKind::Lifecycle { from, to })
            .or_else(|| self.events.iter().position(|e| e.at_us >= at_us))
            .unwrap_or(self.events.len())
    }

    /// When each handle of `role` was dropped (µs), by handle id.
    fn dropped_at(&self, role: Role) -> BTreeMap<u64, u64> {
        self.channel
            .handles_of(role)
            .filter_map(|h| {
                let t = h
                    .transitions
                    .iter()
                    .find(|t| t.to == HandleState::Dropped)?;
                Some((h.id, t.at_us))
            })
            .collect()
    }

    /// `len` after every push and pop of `events`, with its time.
    fn lens(events: &[LogEntry]) -> Vec<(u64, usize)> {
        events
            .iter()
            .filter_map(|e| match e.kind {
                EventKind::Push { len, .. } | EventKind::Pop { len, .. } => Some((e.at_us, len)),
                _ => None,
            })
            .collect()
    }

    fn send_waits(events: &[LogEntry]) -> usize {
        count(events, |k| matches!(k, EventKind::SendWait { .. }))
    }

    fn recv_waits(events: &[LogEntry]) -> usize {
        count(events, |k| matches!(k, EventKind::RecvWait { .. }))
    }

    /// How often the side that parks changes, in order of the parks: `S R R
    /// S` is two changes.
    fn park_side_changes(events: &[LogEntry]) -> usize {
        let sides: Vec<bool> = events
            .iter()
            .filter_map(|e| match e.kind {
                EventKind::SendWait { .. } => Some(true),
                EventKind::RecvWait { .. } => Some(false),
                _ => None,
            })
            .collect();
        sides.windows(2).filter(|w| w[0] != w[1]).count()
    }

    /// How often `len` went from 0 to `capacity` or back: one per crossing
    /// of the whole ring.
    fn empty_full_crossings(&self, events: &[LogEntry]) -> usize {
        let mut last: Option<bool> = None;
        let mut n = 0;
        for (_, len) in Self::lens(events) {
            let end = if len == 0 {
                Some(false)
            } else if len == self.capacity {
                Some(true)
            } else {
                None
            };
            if let Some(full) = end {
                if last.is_some_and(|l| l != full) {
                    n += 1;
                }
                last = Some(full);
            }
        }
        n
    }

    /// Share of the time between the first and the last push or pop of
    /// `events` during which the ring held at least one message.
    fn share_not_empty(events: &[LogEntry]) -> f64 {
        let lens = Self::lens(events);
        let (Some(first), Some(last)) = (lens.first(), lens.last()) else {
            return 0.0;
        };
        let total = last.0.saturating_sub(first.0) as f64;
        let busy: u64 = lens
            .windows(2)
            .filter(|w| w[0].1 > 0)
            .map(|w| w[1].0.saturating_sub(w[0].0))
            .sum();
        if total > 0.0 {
            busy as f64 / total
        } else {
            0.0
        }
    }

    /// Wakes that did not take the oldest parked waiter of their queue
    /// (parks and wakes replayed per side, in the log's order), and all wakes. A waiter that left
    /// its queue unwoken (a cancelled send) would count as passed over: only
    /// demos whose tasks cancel nothing while open can be checked this way.
    fn out_of_fifo_wakes(events: &[LogEntry]) -> (usize, usize) {
        let mut queues = [VecDeque::new(), VecDeque::new()];
        let (mut bad, mut all) = (0, 0);
        for e in events {
            match e.kind {
                EventKind::SendWait { handle, .. } => queues[0].push_back(handle),
                EventKind::RecvWait { handle, .. } => queues[1].push_back(handle),
                EventKind::Wake { side, woken, .. } => {
                    let q = &mut queues[(side == Side::Receivers) as usize];
                    all += 1;
                    match q.iter().position(|h| *h == woken) {
                        Some(0) => {}
                        // Older waiters were passed over.
                        Some(_) => bad += 1,
                        // Its park was not in the log.
                        None => continue,
                    }
                    // Whoever was ahead of it left the queue unseen (a lost
                    // event) or was passed over (counted above).
                    while q.pop_front().is_some_and(|h| h != woken) {}
                }
                _ => {}
            }
        }
        (bad, all)
    }

    /// Messages each receiver popped in `events`.
    fn pops_by_receiver(events: &[LogEntry]) -> BTreeMap<u64, usize> {
        let mut m = BTreeMap::new();
        for e in events {
            if let EventKind::Pop { handle, .. } = e.kind {
                *m.entry(handle).or_default() += 1;
            }
        }
        m
    }

    fn report(&self) -> String {
        let open = self.open();
        let lens = Self::lens(open);
        let min = lens.iter().skip(1).map(|l| l.1).min();
        let max = lens.iter().map(|l| l.1).max();
        format!(
            "{}: cap {} sent {} dropped {} | open: len {:?}..{:?} not-empty {:.2} send_waits {} recv_waits {} side changes {} crossings {} fifo {:?} pops {:?} | lifecycle {:?}",
            self.name,
            self.capacity,
            self.summary.sent,
            self.events_dropped,
            min,
            max,
            Self::share_not_empty(open),
            Self::send_waits(open),
            Self::recv_waits(open),
            Self::park_side_changes(open),
            self.empty_full_crossings(open),
            Self::out_of_fifo_wakes(open),
            Self::pops_by_receiver(open),
            self.lifecycle(),
        )
    }

    /// The lifecycle changes with their times (µs since the probe started).
    fn lifecycle(&self) -> Vec<(u64, Lifecycle, Lifecycle)> {
        self.channel
            .lifecycle_history
            .iter()
            .filter(|l| l.from != l.to)
            .map(|l| (l.at_us, l.from, l.to))
            .collect()
    }
}

// ---- helpers over the events -------------------------------------------

fn max_len(events: &[LogEntry]) -> usize {
    Observed::lens(events)
        .iter()
        .map(|l| l.1)
        .max()
        .unwrap_or(0)
}

/// How often `len` rose from `low` or less to `high` or more: one per
/// filling of the ring (bursts, breaths).
fn refills(events: &[LogEntry], low: usize, high: usize) -> usize {
    let mut armed = false;
    let mut n = 0;
    for (_, len) in Observed::lens(events) {
        if len <= low {
            armed = true;
        } else if len >= high && armed {
            armed = false;
            n += 1;
        }
    }
    n
}

/// The events of the second half of the time `events` span.
fn second_half(events: &[LogEntry]) -> &[LogEntry] {
    let (Some(first), Some(last)) = (events.first(), events.last()) else {
        return events;
    };
    let middle = first.at_us + (last.at_us.saturating_sub(first.at_us)) / 2;
    let from = events
        .iter()
        .position(|e| e.at_us >= middle)
        .unwrap_or(events.len());
    &events[from..]
}

/// Index of the first event after which the ring was full.
fn first_full(events: &[LogEntry], capacity: usize) -> Option<usize> {
    events
        .iter()
        .position(|e| matches!(e.kind, EventKind::Push { len, .. } if len == capacity))
}

fn wakes(events: &[LogEntry], which: Side) -> usize {
    count(
        events,
        |k| matches!(k, EventKind::Wake { side, .. } if *side == which),
    )
}

/// How many of `events` are of the kind `is` accepts.
fn count(events: &[LogEntry], is: impl Fn(&EventKind) -> bool) -> usize {
    events.iter().filter(|e| is(&e.kind)).count()
}

fn pushes(events: &[LogEntry]) -> usize {
    count(events, |k| matches!(k, EventKind::Push { .. }))
}

fn pops(events: &[LogEntry]) -> usize {
    count(events, |k| matches!(k, EventKind::Pop { .. }))
}

/// For each push (`after_push`) or pop but the last: how many waiters of
/// `side` were woken before the next one (with one task on that end, its
/// operation and the wake it causes come in order).
fn wakes_per_op(events: &[LogEntry], after_push: bool, which: Side) -> Vec<usize> {
    let mut out = Vec::new();
    let mut current: Option<usize> = None;
    for e in events {
        match e.kind {
            EventKind::Push { .. } if after_push => out.extend(current.replace(0)),
            EventKind::Pop { .. } if !after_push => out.extend(current.replace(0)),
            EventKind::Wake { side, .. } if side == which => {
                if let Some(n) = current.as_mut() {
                    *n += 1;
                }
            }
            _ => {}
        }
    }
    out
}

/// Handle events of one role: (index in `events`, handle id, from, to).
fn handle_changes(events: &[LogEntry], which: Role) -> Vec<(usize, u64, HandleState, HandleState)> {
    events
        .iter()
        .enumerate()
        .filter_map(|(i, e)| match e.kind {
            EventKind::Handle {
                handle,
                role,
                from,
                to,
            } if role == which => Some((i, handle, from, to)),
            _ => None,
        })
        .collect()
}

/// Index in the log of the lifecycle change `from -> to`, and its time.
fn lifecycle_at(o: &Observed, from: Lifecycle, to: Lifecycle) -> (usize, u64) {
    let change = o
        .channel
        .lifecycle_history
        .iter()
        .find(|l| (l.from, l.to) == (from, to))
        .unwrap_or_else(|| {
            panic!(
                "{}: no lifecycle change {from} -> {to}\n{}",
                o.name,
                o.report()
            )
        });
    (o.index_at(change.at_us, from, to), change.at_us)
}

/// The pops of `draining` took the `buffered` messages, down to `len` 0
/// (up to the events the probe's log lost).
fn assert_drained(o: &Observed, draining: &[LogEntry], buffered: usize) {
    let r = o.report();
    let popped = pops(draining);
    assert!(popped <= buffered, "{popped} popped of {buffered}: {r}");
    assert!(
        (popped + o.events_dropped as usize) >= buffered,
        "{popped} popped of {buffered}: {r}"
    );
    let last = Observed::lens(draining).last().map(|l| l.1);
    assert!(last.is_none_or(|l| l == 0) || o.events_dropped > 0, "{r}");
}

/// `len` as of the last push or pop before event `i`.
fn len_before(events: &[LogEntry], i: usize) -> usize {
    Observed::lens(&events[..i]).last().map_or(0, |l| l.1)
}

// ---- the promises ---------------------------------------------------------

/// Every demo that `chanviz demo --list` shows has a run in `runs()` (kept
/// by hand beside the promise tests below, so a new demo fails here until it
/// gets one), and every run is of a demo that exists.
#[test]
fn every_demo_has_a_promise_test_and_a_run() {
    for demo in DEMOS {
        assert!(runs().contains_key(demo.name), "{} is not run", demo.name);
    }
    for o in runs().values() {
        assert!(demos::find(&o.name).is_some(), "{} is not a demo", o.name);
    }
}

/// "Watch head jump 4 slots ahead and tail follow one slot at a time: about
/// half of the time the ring holds 1 to 4 messages, and it is never full, so
/// S1 never parks. When tail catches up (head = tail), R1 parks (recv_wait)
/// until the next burst wakes it."
#[test]
fn spsc_tail_chases_head_and_the_receiver_parks_when_it_catches_up() {
    let o = observed("spsc");
    let open = o.open();
    let r = o.report();
    assert_eq!(max_len(open), 4, "{r}");
    assert_eq!(Observed::send_waits(open), 0, "{r}");
    assert!(Observed::recv_waits(open) >= 5, "{r}");
    assert!(refills(open, 0, 4) >= 5, "{r}");
    // A message is there to see in a good share of the time (it was ~0).
    assert!(Observed::share_not_empty(open) >= 0.25, "{r}");
}

/// "the ring slowly fills: watch len climb towards capacity ... and then
/// senders park (send_wait) on the full ring. Every pop frees a slot and
/// wakes one parked sender."
#[test]
fn mpsc_fills_step_by_step_then_senders_park_and_pops_wake_them() {
    let o = observed("mpsc");
    let open = o.open();
    let r = o.report();
    let full = first_full(open, o.capacity).unwrap_or_else(|| panic!("never full: {r}"));
    let mut seen: Vec<usize> = Observed::lens(&open[..=full]).iter().map(|l| l.1).collect();
    seen.sort();
    seen.dedup();
    assert!(
        (1..=o.capacity).all(|n| seen.contains(&n)),
        "len did not climb one by one: {seen:?}"
    );
    let after = &open[full..];
    assert!(Observed::send_waits(after) >= 10, "{r}");
    assert!(wakes(after, Side::Senders) >= 10, "{r}");
}

/// "senders park on a full ring, then receivers on an empty one, several
/// times a second. FIFO within each queue: who parked first is woken first.
/// Press + twice (15 a second each): now only senders park."
#[test]
fn mpmc_breathes_both_queues_park_in_turn_and_wake_in_fifo_order() {
    let o = observed("mpmc");
    let open = o.open();
    let r = o.report();
    assert!(Observed::send_waits(open) >= 5, "{r}");
    assert!(Observed::recv_waits(open) >= 5, "{r}");
    assert!(Observed::park_side_changes(open) >= 10, "{r}");
    assert!(o.empty_full_crossings(open) >= 10, "{r}");
    let (passed_over, all) = Observed::out_of_fifo_wakes(open);
    assert!(all >= 10, "{r}");
    // The replay reads the log's order, not the queue's: a park and a wake
    // emitted on two threads can reach the log swapped, and the probe may
    // lose an event. A few wakes may look out of order for those reasons; a
    // queue that is not FIFO (three waiters or more, woken in any other
    // order) passes someone over in a large share of its wakes (about two
    // in three for a random or LIFO one with three waiters). Up to a quarter
    // is allowed: with every demo running at once on two cores, 13 of 183
    // looked swapped in one run.
    let allowed = o.events_dropped as usize + all / 4;
    assert!(
        passed_over <= allowed,
        "{passed_over} of {all} out of order: {r}"
    );
    // Any receiver may read: all three did.
    assert_eq!(Observed::pops_by_receiver(open).len(), 3, "{r}");

    // "Press + twice ... once supply exceeds demand the ring stays full and
    // only senders park."
    let fast = observed("mpmc at 15/s");
    let open = fast.open();
    let r = fast.report();
    // The first rounds may still drain the ring between bursts; once the
    // producers have fallen behind (a few rounds), it never empties again.
    let late = second_half(open);
    assert!(Observed::send_waits(late) >= 10, "{r}");
    assert_eq!(Observed::recv_waits(late), 0, "{r}");
    assert!(Observed::lens(late).iter().all(|l| l.1 > 0), "{r}");
}

/// "the ring is full and stays full ... Each pop frees a slot, moves the
/// first parked message into it and wakes its sender."
#[test]
fn backpressure_keeps_the_ring_full_and_each_pop_wakes_one_sender() {
    let o = observed("backpressure");
    let open = o.open();
    let r = o.report();
    let full = first_full(open, o.capacity).unwrap_or_else(|| panic!("never full: {r}"));
    let after = &open[full..];
    // "Stays full": after every pop a parked sender refills the slot. A
    // woken sender that its worker has not run yet (this file runs every
    // demo at once on two cores) may leave it short for a moment, so: at
    // least 90% of the pushes and pops leave it full or one short, and it
    // never runs empty.
    let lens = Observed::lens(after);
    let lowest = lens.iter().map(|l| l.1).min().unwrap();
    assert!(lowest > 0, "len fell to {lowest}: {r}");
    let near_full = lens.iter().filter(|l| l.1 + 1 >= o.capacity).count();
    assert!(
        near_full * 10 >= lens.len() * 9,
        "full or one short at only {near_full} of {} operations: {r}",
        lens.len()
    );
    assert!(Observed::send_waits(after) >= 10, "{r}");
    // Once the producers are parked (three of the four wait: the fourth is
    // the one just served), every pop has one to wake. Before that, a pop's
    // free slot may go to a producer still running, which pushes into it
    // before it ever parks: that pop wakes nobody, and rightly.
    let parked = after
        .iter()
        .position(|e| matches!(e.kind, EventKind::SendWait { waiting, .. } if waiting >= 3))
        .unwrap_or_else(|| panic!("the producers never all parked: {r}"));
    let per_pop = wakes_per_op(&after[parked..], false, Side::Senders);
    assert!(per_pop.len() >= 10, "{r}");
    let not_one = per_pop.iter().filter(|&&n| n != 1).count() as u64;
    assert!(
        not_one <= o.events_dropped,
        "wakes per pop {per_pop:?}: {r}"
    );
}

/// "The ring is almost always empty ... Each push wakes exactly one
/// receiver ... The queue is FIFO, so R1, R2 and R3 take turns"
#[test]
fn idle_consumers_park_and_take_turns() {
    let o = observed("idle-consumers");
    let open = o.open();
    let r = o.report();
    assert!(max_len(open) <= 1, "{r}");
    assert!(pushes(open) >= 9, "{r}");
    // Once all three have parked, every push wakes exactly one of them.
    let parked = open
        .iter()
        .position(|e| matches!(e.kind, EventKind::RecvWait { waiting: 3, .. }))
        .unwrap_or_else(|| panic!("the three receivers never waited together: {r}"));
    let per_push = wakes_per_op(&open[parked..], true, Side::Receivers);
    assert!(per_push.len() >= 5, "{r}");
    let not_one = per_push.iter().filter(|&&n| n != 1).count() as u64;
    assert!(
        not_one <= o.events_dropped,
        "wakes per push {per_push:?}: {r}"
    );
    let order: Vec<u64> = open
        .iter()
        .filter_map(|e| match e.kind {
            EventKind::Pop { handle, .. } => Some(handle),
            _ => None,
        })
        .collect();
    let first: Vec<u64> = order.iter().take(3).copied().collect();
    let mut distinct = first.clone();
    distinct.sort();
    distinct.dedup();
    assert_eq!(distinct.len(), 3, "the first three pops: {order:?}");
    assert!(
        order.iter().enumerate().all(|(i, h)| *h == first[i % 3]),
        "the receivers do not take turns: {order:?}"
    );
}

/// "by 6 s it is full. At 6 s a sender calls close() ... other sends fail
/// and their producers drop. The consumer drains the buffer, one message per
/// 400 ms: len falls from 12 to 0 in about 5 s ... the channel is closed".
#[test]
fn shutdown_drains_a_full_ring_slowly_enough_to_watch() {
    let o = observed("shutdown");
    let r = o.report();
    let (closing, t_closing) = lifecycle_at(o, Lifecycle::Open, Lifecycle::Closing);
    let (closed, t_closed) = lifecycle_at(o, Lifecycle::Closing, Lifecycle::Closed);
    let buffered = len_before(&o.events, closing);
    assert!(
        buffered >= o.capacity - 1,
        "{buffered} buffered at the close: {r}"
    );
    let draining = &o.events[closing..closed];
    assert_eq!(pushes(draining), 0, "{r}");
    assert_drained(o, draining, buffered);
    // Long enough to watch, from what the drain must do rather than from a
    // clock: one consumer works through every buffered message in turn.
    let spec = demos::find("shutdown").unwrap().scenario().unwrap();
    assert_eq!(spec.consumers.count, 1, "one consumer drains");
    let least = spec.consumers.work * buffered as u32;
    assert!(
        least >= Duration::from_secs(3),
        "{buffered} messages x {:?} of work: {r}",
        spec.consumers.work
    );
    // And the lifecycle's own times agree that it was not skipped.
    assert!(t_closed > t_closing, "{r}");
    // A producer went Open -> Closing -> Closed, the others dropped.
    let s = &o.summary;
    assert_eq!(s.end, EndReason::Closed, "{s:#?}");
    let closer = s
        .transitions
        .iter()
        .find(|t| t.handle != "S0" && t.to == HandleState::Closing)
        .unwrap_or_else(|| panic!("no producer closed: {s:#?}"));
    assert!(s
        .transitions
        .iter()
        .any(|t| t.handle == closer.handle && t.to == HandleState::Closed));
    let dropped = o.dropped_at(Role::Sender);
    assert!(
        dropped.values().any(|&t| t >= t_closing),
        "no producer dropped its sender during the drain: {dropped:?}"
    );
}

/// "Each burst fills the ring in an instant (and for a moment the senders
/// park on it), then the steady consumer drains it between bursts."
#[test]
fn burst_fills_and_drains_in_a_saw_tooth() {
    let o = observed("burst");
    let open = o.open();
    let r = o.report();
    assert!(refills(open, 0, 10) >= 3, "{r}");
    assert_eq!(max_len(open), o.capacity, "{r}");
    assert!(Observed::send_waits(open) >= 1, "{r}");
}

/// "Both queues take turns, several times a second. Press ] (1 -> 2
/// slots), then r: both messages fit, the senders stop parking."
#[test]
fn one_slot_both_queues_take_turns_until_a_second_slot_stops_the_senders_parking() {
    let o = observed("one-slot");
    let open = o.open();
    let r = o.report();
    assert_eq!(o.capacity, 1);
    assert!(Observed::send_waits(open) >= 5, "{r}");
    assert!(Observed::recv_waits(open) >= 5, "{r}");
    assert!(Observed::park_side_changes(open) >= 10, "{r}");

    let two = observed("one-slot x2");
    let open = two.open();
    let r = two.report();
    assert_eq!(two.capacity, 2);
    assert!(pushes(open) >= 50, "{r}");
    assert_eq!(Observed::send_waits(open), 0, "{r}");
    assert!(Observed::recv_waits(open) >= 5, "{r}");
}

/// "At 4 s S2 drops its Sender and S1 carries on alone; at 7 s S1 drops its
/// Sender too ... the channel closes by itself: open -> closing, with no
/// handle ever Closing. The consumer still receives every buffered message".
#[test]
fn drop_close_closes_when_the_last_sender_is_dropped() {
    let o = observed("drop-close");
    let r = o.report();
    let (closing, t_closing) = lifecycle_at(o, Lifecycle::Open, Lifecycle::Closing);
    let (closed, _) = lifecycle_at(o, Lifecycle::Closing, Lifecycle::Closed);
    for h in &o.channel.handles {
        assert!(
            h.transitions.iter().all(|t| t.to != HandleState::Closing),
            "{} was closed: {h:?}",
            h.label()
        );
    }
    // Every sender, the runner's S0 too, was dropped, and before the close.
    let dropped = o.dropped_at(Role::Sender);
    let senders = o.channel.handles_of(Role::Sender).count();
    assert!(senders >= 3, "{:?}", o.channel.handles);
    assert_eq!(dropped.len(), senders, "{:?}", o.channel.handles);
    assert!(dropped.values().all(|&t| t <= t_closing), "{dropped:?}");
    // S2 went first; S1 kept sending alone before it went too.
    let (s2, s1) = (dropped[&2], dropped[&1]);
    assert!(s2 < s1, "{dropped:?}");
    let alone = o
        .events
        .iter()
        .filter(|e| e.at_us > s2 && e.at_us < s1)
        .filter(|e| matches!(e.kind, EventKind::Push { handle: 1, .. }))
        .count();
    assert!(alone >= 3, "S1 sent {alone} alone: {r}");
    let buffered = len_before(&o.events, closing);
    assert!(buffered >= 1, "{r}");
    assert_drained(o, &o.events[closing..closed], buffered);
    assert_eq!(o.summary.end, EndReason::Closed, "{:#?}", o.summary);
    assert!(o.summary.transitions.is_empty(), "{:#?}", o.summary);
}

/// "the ring fills and senders park (send_wait). At 4 s two consumers join
/// ... now receivers park on an empty ring while no sender waits. At 9 s
/// they leave: the ring fills again and the parking moves back to the
/// senders."
#[test]
fn load_swing_moves_the_parking_from_side_to_side() {
    let o = observed("load-swing");
    let open = o.open();
    let r = o.report();
    let receivers = handle_changes(open, Role::Receiver);
    // R0 and R1 exist from the start; R2 and R3 join at 4 s and leave at
    // 9 s. (The probe may lose an event under contention: one of each
    // pair is enough to mark the moment.)
    let late = |from: HandleState, to: HandleState| -> Vec<usize> {
        receivers
            .iter()
            .filter(|c| c.1 >= 2 && c.2 == from && c.3 == to)
            .map(|c| c.0)
            .collect()
    };
    let joined = late(HandleState::Absent, HandleState::Open);
    let left = late(HandleState::Open, HandleState::Dropped);
    let (Some(&join), Some(&first_leave), Some(&leave)) =
        (joined.last(), left.first(), left.last())
    else {
        panic!("no consumer joined, or none left: {receivers:?}");
    };
    assert!(join < first_leave, "{receivers:?}");

    let before = &open[..join];
    assert_eq!(max_len(before), o.capacity, "{r}");
    assert!(Observed::send_waits(before) >= 3, "{r}");

    let during = &open[join..first_leave];
    let first_recv_wait = during
        .iter()
        .position(|e| matches!(e.kind, EventKind::RecvWait { .. }))
        .unwrap_or_else(|| panic!("no receiver parked after the join: {r}"));
    assert!(Observed::recv_waits(during) >= 3, "{r}");
    assert_eq!(Observed::send_waits(&during[first_recv_wait..]), 0, "{r}");

    let after = &open[leave..];
    let first_send_wait = after
        .iter()
        .position(|e| matches!(e.kind, EventKind::SendWait { .. }))
        .unwrap_or_else(|| panic!("no sender parked after the leave: {r}"));
    assert!(Observed::send_waits(after) >= 3, "{r}");
    assert_eq!(Observed::recv_waits(&after[first_send_wait..]), 0, "{r}");
    assert_eq!(max_len(after), o.capacity, "{r}");
}

/// The complaint about spsc, as a user sees it: the ring showed no message
/// in 20 of 20 samples. Through the binary's JSON ticks (sampled at an
/// interval that does not divide the producer's 400 ms rhythm), a good share
/// of the samples show a message, and some show the ring empty.
#[test]
fn spsc_ticks_show_messages_in_the_ring() {
    let o = deadline::output(
        std::process::Command::new(env!("CARGO_BIN_EXE_chanviz")).args([
            "demo",
            "spsc",
            "--json",
            "--interval",
            "130ms",
            "--duration",
            "5s",
        ]),
    );
    let out = String::from_utf8_lossy(&o.stdout);
    assert_eq!(
        o.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&o.stderr)
    );
    let lens: Vec<u64> = out
        .lines()
        .filter_map(|l| serde_json::from_str::<serde_json::Value>(l).ok())
        .filter(|j| j["type"] == "tick" && j["lifecycle"] == "open")
        .filter_map(|j| j["len"].as_u64())
        .collect();
    let with_message = lens.iter().filter(|&&n| n > 0).count();
    assert!(lens.len() >= 10, "{out}");
    assert!(with_message * 4 >= lens.len(), "{with_message} of {lens:?}");
    assert!(with_message < lens.len(), "never empty: {lens:?}");
}

/// When the script's `i`-th words were said (scenario time of the run).
fn narrated_at(o: &Observed, i: usize) -> Duration {
    o.narrations
        .get(i)
        .unwrap_or_else(|| panic!("{}: only {} narrations", o.name, o.narrations.len()))
        .at
}

/// "It pauses when the ring is first full, and again when the first sender
/// parks, and explains each; then it asks which sender a pop will wake".
/// Headless, it does not pause: it says each thing, in order, when it
/// happens (tests/lessons.rs checks the pauses).
#[test]
fn lesson_backpressure_speaks_at_the_full_ring_the_park_and_its_times() {
    let o = observed("lesson-backpressure");
    let r = o.report();
    let n = &o.narrations;
    assert_eq!(n.len(), 4, "{n:#?}");
    assert!(
        n[0].say.as_deref().unwrap().contains("ring is full"),
        "{n:#?}"
    );
    assert!(n[1].say.as_deref().unwrap().contains("parked"), "{n:#?}");
    let q = n[2].ask.as_ref().expect("the third entry asks");
    assert_eq!(q.answer, Answer::NextWokenSender);
    assert!(narrated_at(o, 2) >= Duration::from_secs(3), "{n:#?}");
    assert!(narrated_at(o, 3) >= Duration::from_secs(6), "{n:#?}");
    // In order: the full ring before the park before the question.
    assert!(narrated_at(o, 0) <= narrated_at(o, 1), "{n:#?}");
    assert!(narrated_at(o, 1) <= narrated_at(o, 2), "{n:#?}");
    // And what it explains happened: the ring filled, senders parked.
    assert!(first_full(o.open(), o.capacity).is_some(), "{r}");
    assert!(Observed::send_waits(o.open()) >= 1, "{r}");
}

/// "at 6 s a sender calls close() ... explains the Open -> Closing
/// transition when it happens, and the Closing -> Closed one when drained()
/// returns, once the consumer has emptied the ring."
#[test]
fn lesson_shutdown_explains_each_transition_when_it_happens() {
    let o = observed("lesson-shutdown");
    let n = &o.narrations;
    assert_eq!(n.len(), 3, "{n:#?}");
    assert!(narrated_at(o, 0) >= Duration::from_secs(5), "{n:#?}");
    assert!(n[1].say.as_deref().unwrap().contains("close()"), "{n:#?}");
    assert!(n[2].say.as_deref().unwrap().contains("closed"), "{n:#?}");
    let s = &o.summary;
    let at = |to: HandleState| {
        s.transitions
            .iter()
            .find(|t| t.to == to)
            .unwrap_or_else(|| panic!("no transition to {to:?}: {s:#?}"))
            .at_ms
    };
    // Said when each transition happened, not before.
    let ms = |i: usize| narrated_at(o, i).as_secs_f64() * 1000.0;
    assert!(ms(1) >= at(HandleState::Closing), "{n:#?} {s:#?}");
    assert!(ms(2) >= at(HandleState::Closed), "{n:#?} {s:#?}");
    assert!(ms(1) < at(HandleState::Closed), "{n:#?} {s:#?}");
    assert_eq!(s.end, EndReason::Closed, "{s:#?}");
}

/// Every warning the fold raised during a run, with when it first did (µs
/// since the channel was created): the model is evaluated every 100 ms of
/// the run's own time, as a view that refreshes would.
fn warnings_seen(o: &Observed) -> BTreeMap<WarningKind, u64> {
    let mut model = Model::new();
    let mut seen = BTreeMap::new();
    let Some(first) = o.events.first() else {
        return seen;
    };
    let created = first.at_us;
    let mut next = created;
    let look = |model: &Model, at: u64, seen: &mut BTreeMap<WarningKind, u64>| {
        for c in &model.snapshot(at, Vec::new()).channels {
            for w in &c.insight.warnings {
                seen.entry(w.kind).or_insert(at - created);
            }
        }
    };
    for e in &o.events {
        while next < e.at_us {
            look(&model, next, &mut seen);
            next += 100_000;
        }
        model.apply(e);
    }
    let end = o.events.last().map_or(created, |e| e.at_us);
    look(&model, end, &mut seen);
    seen
}

/// The fold never suspects a lost wakeup on a correct run: no waiter stays
/// parked beside what it waits for, in any demo.
#[test]
fn no_demo_ever_raises_the_lost_wakeup_warning() {
    for (key, o) in runs() {
        let seen = warnings_seen(o);
        assert!(
            !seen.contains_key(&WarningKind::LostWakeup),
            "{key}: {seen:?}: {}",
            o.report()
        );
    }
}

/// A healthy single-producer run raises no warning at all.
#[test]
fn spsc_raises_no_warning() {
    let o = observed("spsc");
    let seen = warnings_seen(o);
    assert!(seen.is_empty(), "{seen:?}: {}", o.report());
}

/// In `backpressure` the consumer is the bottleneck, and the advice says
/// that no capacity would help.
#[test]
fn backpressure_is_consumer_bound_and_no_capacity_helps() {
    let o = observed("backpressure");
    let seen = warnings_seen(o);
    assert!(
        seen.contains_key(&WarningKind::ConsumerBound),
        "{seen:?}: {}",
        o.report()
    );
    assert!(!seen.contains_key(&WarningKind::ProducerBound), "{seen:?}");
    // Just before the close, the picture still says so, with its advice.
    let open = o.open();
    let mut model = Model::new();
    open.iter().for_each(|e| model.apply(e));
    let at = open.last().unwrap().at_us;
    let snap = model.snapshot(at, Vec::new());
    let insight = &snap.channels[0].insight;
    assert!(insight.warns(WarningKind::ConsumerBound), "{insight:#?}");
    let advice = insight.advice.as_ref().expect("advice");
    assert_eq!(advice.capacity, None, "{advice:?}");
}

/// In `burst` a burst overfills the ring for a moment: the advice names a
/// capacity above 16 that would have held the largest backlog.
#[test]
fn burst_advice_names_the_capacity_that_absorbs_the_bursts() {
    let o = observed("burst");
    let advice = o.channel.insight.advice.as_ref().expect("advice");
    let cap = advice.capacity.expect("a capacity");
    assert!(cap > o.capacity, "{advice:?}");
    assert!(advice.reasoning.contains("Little's law"), "{advice:?}");
}

/// Little's law on the model: in the steady part of a `backpressure` run,
/// the mean time in queue that the fold measures is within 10% of the mean
/// len (time-weighted, from the events) divided by the throughput.
#[test]
fn littles_law_holds_on_the_model_in_a_steady_backpressure_run() {
    let o = observed("backpressure");
    let events = o.open();
    let start = events.first().unwrap().at_us;
    let (t0, t1) = (start + 2_000_000, events.last().unwrap().at_us);
    let mut model = Model::new();
    let (mut head, mut tail) = (0u64, 0u64);
    let mut area = 0u128; // len × µs over [t0, t1]
    let mut last = t0;
    let mut pops = 0u64;
    let mut at_t0 = None;
    for e in events {
        if e.at_us >= t0 {
            if at_t0.is_none() {
                at_t0 = Some(
                    model.snapshot(t0, Vec::new()).channels[0]
                        .insight
                        .queue_time
                        .whole,
                );
            }
            area += u128::from(head - tail) * u128::from(e.at_us - last);
            last = e.at_us;
        }
        match e.kind {
            EventKind::Push { head: h, .. } => head = head.max(h),
            EventKind::Pop { tail: t, .. } => {
                tail = tail.max(t);
                if e.at_us >= t0 {
                    pops += 1;
                }
            }
            _ => {}
        }
        model.apply(e);
    }
    let before = at_t0.expect("the run lasts past 2 s");
    let after = model.snapshot(t1, Vec::new()).channels[0]
        .insight
        .queue_time
        .whole;
    let n = after.count - before.count;
    assert!(
        n >= 40 && pops >= 40,
        "{n} timed pops, {pops} pops: {}",
        o.report()
    );
    let w_us =
        (after.mean_us * after.count as f64 - before.mean_us * before.count as f64) / n as f64;
    let secs = (t1 - t0) as f64 / 1e6;
    let mean_len = area as f64 / (t1 - t0) as f64;
    let throughput = pops as f64 / secs;
    let little_us = mean_len / throughput * 1e6;
    let err = (w_us - little_us).abs() / little_us;
    assert!(
        err <= 0.10,
        "time in queue {w_us:.0} µs vs L/λ = {mean_len:.2} / {throughput:.2}/s = {little_us:.0} µs ({:.1}% off)",
        err * 100.0
    );
}
