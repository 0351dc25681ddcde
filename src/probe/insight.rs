//! The fold's insight into one channel (issue #11): the messages in flight
//! with their sender, number and age; the waiter queues in wake order; who
//! woke whom; time in queue and time parked as histograms; the conditions
//! behind the warnings; and the numbers behind the capacity advice.
//!
//! [`Tracker`] is part of the model's per-channel state: it is applied
//! event by event by the same thread that folds the model, cloned with its
//! checkpoints, and turned into a plain-data [`Insight`] by
//! [`Tracker::insight`]. Nothing here runs on an instrumented task's path.
//!
//! # Costs and bounds
//! - Per event: a few comparisons; a push appends to a deque, a pop takes
//!   from its front and records one histogram value; a park inserts into a
//!   short sorted deque, a wake removes from it (from the front, normally).
//! - Memory per channel: up to [`MAX_TRACKED_MESSAGES`] messages in flight
//!   (24 bytes each), one entry per parked future, one counter per sender,
//!   and two sets of histograms (hdrhistogram: the whole run at 2
//!   significant figures, about 13 KB; ten one-second windows at 1
//!   significant figure, about 2 KB each), allocated on the first value.

use std::collections::{HashMap, VecDeque};

use hdrhistogram::Histogram;

use super::snapshot::{
    Advice, ChannelSnapshot, Latency, Lifecycle, Parked, Percentiles, Role, Side, SlotMessage,
    WakeCause, WakeNote, Warning, WarningKind, BUCKET_US, MAX_LISTED_MESSAGES,
    MAX_TRACKED_MESSAGES, MAX_WAKE_NOTES, NO_TICKET, RECENT_WINDOW_US,
};

/// The ring is "nearly full" from this share of its capacity, in percent.
pub const NEARLY_FULL_PERCENT: usize = 90;
/// How long the consumer-bound condition must hold before it is a warning.
pub const CONSUMER_BOUND_AFTER_US: u64 = 2_000_000;
/// How long the producer-bound condition must hold.
pub const PRODUCER_BOUND_AFTER_US: u64 = 2_000_000;
/// How long a channel may stay in `closing` before it is a warning.
pub const STUCK_CLOSING_AFTER_US: u64 = 3_000_000;
/// How long a waiter may stay parked beside what it waits for.
pub const LOST_WAKEUP_AFTER_US: u64 = 1_000_000;
/// A condition that lapses for at most this long still counts as holding
/// (a pop makes room for an instant before a woken sender fills it again).
const GRACE_US: u64 = 100_000;
/// The thundering-herd window, in 100 ms buckets (2 s).
const HERD_BUCKETS: usize = 20;
/// Wakes in that window before the rule looks at all.
const HERD_MIN_WAKES: u64 = 20;

/// One message in flight.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
struct InFlight {
    pos: u64,
    sender: u32,
    seq: u32,
    pushed_us: u64,
}

/// A condition over the model, with when it started to hold.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
struct Cond {
    on: bool,
    ever: bool,
    since: u64,
    off_at: u64,
}

impl Cond {
    /// The condition is `now` from time `at` on. A lapse shorter than
    /// `grace` does not restart it.
    fn set(&mut self, now: bool, at: u64, grace: u64) {
        if now && !self.on {
            if !self.ever || at.saturating_sub(self.off_at) > grace {
                self.since = at;
            }
            self.on = true;
            self.ever = true;
        } else if !now && self.on {
            self.on = false;
            self.off_at = at;
        }
    }

    /// Since when it holds at time `at`, if it has held at least `after`.
    fn held(&self, at: u64, after: u64, grace: u64) -> Option<u64> {
        let holding = self.on || (self.ever && at.saturating_sub(self.off_at) <= grace);
        (holding && at.saturating_sub(self.since) >= after).then_some(self.since)
    }
}

/// Durations: the whole run (exact count, sum and max beside the
/// histogram) and one-second windows for the last 10 s.
#[derive(Clone, Debug, Default, PartialEq)]
struct Durations {
    whole: Option<Box<Histogram<u32>>>,
    count: u64,
    sum: u128,
    max: u64,
    /// `(second, histogram, exact max)`, oldest first, at most 10.
    windows: VecDeque<(u64, Histogram<u32>, u64)>,
}

/// Durations are clamped to this (one hour, in µs).
const MAX_DURATION_US: u64 = 3_600_000_000;

impl Durations {
    fn record(&mut self, at_us: u64, d: u64) {
        let d = d.clamp(1, MAX_DURATION_US);
        self.count += 1;
        self.sum += u128::from(d);
        self.max = self.max.max(d);
        self.whole
            .get_or_insert_with(|| {
                Box::new(
                    Histogram::new_with_bounds(1, MAX_DURATION_US, 2).expect("valid hdr bounds"),
                )
            })
            .saturating_record(d);
        let second = at_us / 1_000_000;
        if self.windows.back().is_none_or(|w| w.0 < second) {
            let keep_from = second.saturating_sub(RECENT_WINDOW_US / 1_000_000 - 1);
            while self.windows.front().is_some_and(|w| w.0 < keep_from) {
                self.windows.pop_front();
            }
            let h = Histogram::new_with_bounds(1, MAX_DURATION_US, 1).expect("valid hdr bounds");
            self.windows.push_back((second, h, 0));
        }
        // A late stamp counts in the newest window.
        if let Some(w) = self.windows.back_mut() {
            w.1.saturating_record(d);
            w.2 = w.2.max(d);
        }
    }

    fn latency(&self, at_us: u64) -> Latency {
        let whole = match &self.whole {
            Some(h) if self.count > 0 => Percentiles {
                count: self.count,
                mean_us: self.sum as f64 / self.count as f64,
                p50_us: h.value_at_quantile(0.50),
                p90_us: h.value_at_quantile(0.90),
                p99_us: h.value_at_quantile(0.99),
                max_us: self.max,
            },
            _ => Percentiles::default(),
        };
        let from = (at_us / 1_000_000).saturating_sub(RECENT_WINDOW_US / 1_000_000 - 1);
        let mut recent: Option<Histogram<u32>> = None;
        let mut recent_max = 0;
        for (_, h, max) in self.windows.iter().filter(|w| w.0 >= from) {
            recent_max = recent_max.max(*max);
            match &mut recent {
                None => recent = Some(h.clone()),
                Some(r) => {
                    let _ = r.add(h);
                }
            }
        }
        let mut recent_bars = Vec::new();
        if let Some(h) = recent.as_ref().filter(|h| !h.is_empty()) {
            let mut bars: Vec<(u64, u64)> = h
                .iter_log(1, 2.0)
                .map(|v| (v.value_iterated_to(), v.count_since_last_iteration()))
                .collect();
            while bars.first().is_some_and(|b| b.1 == 0) {
                bars.remove(0);
            }
            while bars.last().is_some_and(|b| b.1 == 0) {
                bars.pop();
            }
            recent_bars = bars;
        }
        let recent = match recent {
            // One significant figure per window (memory: the windows go
            // into every checkpoint), so a percentile is clamped to the
            // exact max.
            Some(h) if !h.is_empty() => Percentiles {
                count: h.len(),
                mean_us: h.mean(),
                p50_us: h.value_at_quantile(0.50).min(recent_max),
                p90_us: h.value_at_quantile(0.90).min(recent_max),
                p99_us: h.value_at_quantile(0.99).min(recent_max),
                max_us: recent_max,
            },
            _ => Percentiles::default(),
        };
        Latency {
            whole,
            recent,
            recent_bars,
        }
    }
}

/// Per-handle numbers, by id: a vector for the small ids every channel
/// uses (ids count from 0), a map past them. (A `HashMap` for all of them
/// cost more than the rest of the fold; see the commit.)
#[derive(Clone, Debug, Default, PartialEq)]
struct PerHandle {
    dense: Vec<u32>,
    sparse: HashMap<u64, u32>,
}

/// Ids below this are kept in the vector (4 bytes each).
const DENSE_IDS: u64 = 4096;

impl PerHandle {
    fn get(&self, id: u64) -> Option<u32> {
        if id < DENSE_IDS {
            self.dense.get(id as usize).copied()
        } else {
            self.sparse.get(&id).copied()
        }
    }

    fn slot(&mut self, id: u64) -> &mut u32 {
        if id < DENSE_IDS {
            let i = id as usize;
            if self.dense.len() <= i {
                self.dense.resize(i + 1, 0);
            }
            &mut self.dense[i]
        } else {
            self.sparse.entry(id).or_insert(0)
        }
    }
}

/// The insight part of one channel's model.
#[derive(Clone, Debug, Default, PartialEq)]
pub(crate) struct Tracker {
    in_flight: VecDeque<InFlight>,
    /// Pushes per sender so far.
    pushes: PerHandle,
    /// One plus the slot of each handle's last push (senders) or pop
    /// (receivers); 0 for none yet.
    last_slot: [PerHandle; 2],
    parked: [VecDeque<Parked>; 2],
    wakes: VecDeque<WakeNote>,
    queue_time: Durations,
    park_time: Durations,
    consumer_bound: Cond,
    producer_bound: Cond,
    /// A sender parked beside room, a receiver parked beside a message.
    stranded: [Cond; 2],
    /// The largest backlog seen (messages in the ring plus senders parked
    /// with one in hand), and when.
    peak_backlog: (usize, u64),
    /// The consumer-bound condition has held long enough to warn, at some
    /// point: the advice then says that no capacity helps, even once the
    /// run has closed and drained.
    overloaded: bool,
    first_us: Option<u64>,
    last_us: u64,
}

fn side_index(side: Side) -> usize {
    match side {
        Side::Senders => 0,
        Side::Receivers => 1,
    }
}

fn label(role: Role, id: u64) -> String {
    format!("{}{id}", role.prefix())
}

impl Tracker {
    pub(crate) fn push(&mut self, at_us: u64, handle: u64, slot: usize, head: u64) {
        let seq = self.pushes.slot(handle);
        *seq = seq.saturating_add(1);
        let seq = *seq;
        *self.last_slot[0].slot(handle) = slot as u32 + 1;
        if self.in_flight.len() < MAX_TRACKED_MESSAGES {
            self.in_flight.push_back(InFlight {
                pos: head.wrapping_sub(1),
                sender: handle as u32,
                seq,
                pushed_us: at_us,
            });
        }
    }

    pub(crate) fn pop(&mut self, at_us: u64, handle: u64, slot: usize, tail: u64) {
        *self.last_slot[1].slot(handle) = slot as u32 + 1;
        let pos = tail.wrapping_sub(1);
        // Positions only grow in the stream; anything older than this pop
        // was lost in a gap.
        while self.in_flight.front().is_some_and(|m| m.pos < pos) {
            self.in_flight.pop_front();
        }
        if self.in_flight.front().is_some_and(|m| m.pos == pos) {
            let m = self.in_flight.pop_front().expect("front exists");
            self.queue_time
                .record(at_us, at_us.saturating_sub(m.pushed_us));
        }
    }

    pub(crate) fn park(&mut self, at_us: u64, side: Side, handle: u64, ticket: u64, depth: usize) {
        let q = &mut self.parked[side_index(side)];
        if ticket != NO_TICKET {
            if q.iter().any(|p| p.ticket == ticket) {
                return;
            }
            // Depth 1: everyone who parked before it has gone.
            if depth == 1 {
                q.retain(|p| p.ticket > ticket);
            }
        } else if depth == 1 {
            q.clear();
        }
        let entry = Parked {
            handle,
            ticket,
            since_us: at_us,
        };
        let at = if ticket == NO_TICKET {
            q.len()
        } else {
            q.partition_point(|p| p.ticket < ticket)
        };
        q.insert(at, entry);
    }

    /// A parked future left its queue (woken, or `leave`): its park time is
    /// recorded when it was woken or served.
    fn unpark(
        &mut self,
        at_us: u64,
        side: Side,
        handle: u64,
        ticket: u64,
        depth: usize,
        served: bool,
    ) {
        let q = &mut self.parked[side_index(side)];
        let i = if ticket != NO_TICKET {
            q.iter().position(|p| p.ticket == ticket)
        } else {
            q.iter().position(|p| p.handle == handle)
        };
        if let Some(p) = i.and_then(|i| q.remove(i)) {
            if served {
                self.park_time
                    .record(at_us, at_us.saturating_sub(p.since_us));
            }
        }
        // Depth 0: nobody older is still parked (their events were lost).
        if depth == 0 {
            if ticket == NO_TICKET {
                q.clear();
            } else {
                q.retain(|p| p.ticket > ticket);
            }
        }
    }

    pub(crate) fn wake(
        &mut self,
        at_us: u64,
        side: Side,
        woken: u64,
        ticket: u64,
        depth: usize,
        (cause, by): (WakeCause, u64),
    ) {
        self.unpark(at_us, side, woken, ticket, depth, true);
        let slot = match cause {
            WakeCause::Push => self.last_slot[0].get(by),
            WakeCause::Pop => self.last_slot[1].get(by),
            // The slot the woken sender's message was moved into.
            WakeCause::Handoff { .. } => self.last_slot[0].get(woken),
            _ => None,
        }
        .and_then(|s| (s as usize).checked_sub(1));
        if self.wakes.len() >= MAX_WAKE_NOTES {
            self.wakes.pop_front();
        }
        self.wakes.push_back(WakeNote {
            at_us,
            side,
            woken,
            cause,
            by,
            slot,
        });
    }

    pub(crate) fn leave(
        &mut self,
        at_us: u64,
        side: Side,
        handle: u64,
        ticket: u64,
        depth: usize,
        served: bool,
    ) {
        self.unpark(at_us, side, handle, ticket, depth, served);
    }

    /// After every event: the conditions over the model's new state.
    pub(crate) fn settle(
        &mut self,
        at_us: u64,
        len: usize,
        capacity: usize,
        waiting_senders: usize,
        waiting_receivers: usize,
    ) {
        self.first_us.get_or_insert(at_us);
        self.last_us = self.last_us.max(at_us);
        let nearly_full = capacity > 0 && len * 100 >= capacity * NEARLY_FULL_PERCENT;
        self.consumer_bound
            .set(nearly_full && waiting_senders > 0, at_us, GRACE_US);
        self.producer_bound
            .set(len == 0 && waiting_receivers > 0, at_us, GRACE_US);
        self.stranded[0].set(
            capacity > 0 && len < capacity && !self.parked[0].is_empty(),
            at_us,
            0,
        );
        self.stranded[1].set(len > 0 && !self.parked[1].is_empty(), at_us, 0);
        self.overloaded |= self
            .consumer_bound
            .held(at_us, CONSUMER_BOUND_AFTER_US, GRACE_US)
            .is_some();
        let backlog = len + waiting_senders;
        if backlog > self.peak_backlog.0 {
            self.peak_backlog = (backlog, at_us);
        }
    }

    /// The insight at time `at_us`, for the channel `c` (whose other fields
    /// the model has just filled in).
    pub(crate) fn insight(&self, c: &ChannelSnapshot, at_us: u64) -> super::snapshot::Insight {
        let cap = c.capacity as u64;
        let live: Vec<&InFlight> = self
            .in_flight
            .iter()
            .filter(|m| m.pos >= c.tail && m.pos < c.head)
            .collect();
        let step = live.len().div_ceil(MAX_LISTED_MESSAGES).max(1);
        let messages = live
            .iter()
            .step_by(step)
            .map(|m| SlotMessage {
                slot: if cap == 0 { 0 } else { (m.pos % cap) as usize },
                pos: m.pos,
                sender: u64::from(m.sender),
                seq: u64::from(m.seq),
                pushed_us: m.pushed_us,
            })
            .collect();
        let mut insight = super::snapshot::Insight {
            messages,
            in_flight: live.len(),
            parked_senders: self.parked[0].iter().copied().collect(),
            parked_receivers: self.parked[1].iter().copied().collect(),
            wakes: self.wakes.iter().copied().collect(),
            queue_time: self.queue_time.latency(at_us),
            park_time: self.park_time.latency(at_us),
            warnings: Vec::new(),
            advice: None,
        };
        insight.warnings = self.warnings(c, &insight, at_us);
        insight.advice = self.advice(c, &insight, at_us);
        insight
    }

    fn warnings(
        &self,
        c: &ChannelSnapshot,
        insight: &super::snapshot::Insight,
        at_us: u64,
    ) -> Vec<Warning> {
        let mut out = Vec::new();
        let secs = |since: u64| human(at_us.saturating_sub(since));
        let pops_per_s = recent_rate(c, |b| b.received);
        if let Some(since) = self
            .consumer_bound
            .held(at_us, CONSUMER_BOUND_AFTER_US, GRACE_US)
        {
            out.push(Warning {
                kind: WarningKind::ConsumerBound,
                since_us: since,
                what: format!(
                    "The consumer is the bottleneck: the ring has been (nearly) full with senders \
                     parked for {}; receivers take {pops_per_s:.1} msg/s and the senders offer more.",
                    secs(since)
                ),
                try_this: "Add a consumer, or make each message cheaper to handle. No capacity \
                           helps: a bigger ring only delays the parking."
                    .into(),
            });
        }
        if let Some(since) = self
            .producer_bound
            .held(at_us, PRODUCER_BOUND_AFTER_US, GRACE_US)
        {
            out.push(Warning {
                kind: WarningKind::ProducerBound,
                since_us: since,
                what: format!(
                    "The producers are the bottleneck: the ring has been empty with receivers \
                     parked for {}; the consumers could take more than the {:.1} msg/s sent.",
                    secs(since),
                    recent_rate(c, |b| b.sent)
                ),
                try_this: "Fine if the producers are simply idle; otherwise speed them up, or use \
                           fewer consumers."
                    .into(),
            });
        }
        if let Some(w) = self.stuck_closing(c, at_us) {
            out.push(w);
        }
        for (i, side) in [Side::Senders, Side::Receivers].into_iter().enumerate() {
            if let Some(since) = self.stranded[i].held(at_us, LOST_WAKEUP_AFTER_US, 0) {
                let who = insight
                    .parked(side)
                    .first()
                    .map(|p| label(side.role(), p.handle))
                    .unwrap_or_else(|| "a waiter".into());
                let what = match side {
                    Side::Senders => "a free slot",
                    Side::Receivers => "a buffered message",
                };
                out.push(Warning {
                    kind: WarningKind::LostWakeup,
                    since_us: since,
                    what: format!(
                        "Suspected lost wakeup: {who} has stayed parked beside {what} for {}.",
                        secs(since)
                    ),
                    try_this: "A correct channel never does this: record the run (--record) and \
                               report it."
                        .into(),
                });
            }
        }
        let window = &c.buckets[c.buckets.len().saturating_sub(HERD_BUCKETS)..];
        let wakes: u64 = window.iter().map(|b| b.wakes).sum();
        let moved: u64 = window.iter().map(|b| b.received.max(b.sent)).sum();
        if wakes >= HERD_MIN_WAKES && wakes * 2 > moved * 3 {
            out.push(Warning {
                kind: WarningKind::ThunderingHerd,
                since_us: window.first().map_or(at_us, |b| b.start_us),
                what: format!(
                    "Thundering herd: {wakes} wakes for {moved} messages moved in the last 2 s; \
                     most woken tasks find nothing to do."
                ),
                try_this: "Fewer waiters on the side that is woken, or larger batches per wake."
                    .into(),
            });
        }
        out
    }

    fn stuck_closing(&self, c: &ChannelSnapshot, at_us: u64) -> Option<Warning> {
        if c.lifecycle != Lifecycle::Closing {
            return None;
        }
        let since = c
            .lifecycle_history
            .iter()
            .rev()
            .find(|h| h.to == Lifecycle::Closing)?
            .at_us;
        if at_us.saturating_sub(since) < STUCK_CLOSING_AFTER_US {
            return None;
        }
        let alive = |role: Role| -> Vec<String> {
            c.handles_of(role)
                .filter(|h| h.state != super::snapshot::HandleState::Dropped)
                .map(|h| h.label())
                .collect()
        };
        let receivers = alive(Role::Receiver);
        let open_senders: Vec<String> = c
            .handles_of(Role::Sender)
            .filter(|h| h.state == super::snapshot::HandleState::Open)
            .map(|h| h.label())
            .collect();
        let recent_pops: u64 = c.buckets.iter().rev().take(20).map(|b| b.received).sum();
        // A drain that makes progress is slow, not stuck: the shutdown demo
        // drains a full ring one message every 400 ms.
        if recent_pops > 0 && !receivers.is_empty() {
            return None;
        }
        let blame = if receivers.is_empty() {
            "no receiver is left to drain it".to_string()
        } else {
            format!(
                "{} still hold{} it open but took nothing in the last 2 s",
                join(&receivers),
                if receivers.len() == 1 { "s" } else { "" }
            )
        };
        let senders = if open_senders.is_empty() {
            String::new()
        } else {
            format!(
                " ({} never closed: {} a clone kept alive after close()?)",
                join(&open_senders),
                if open_senders.len() == 1 {
                    "is it"
                } else {
                    "are they"
                }
            )
        };
        Some(Warning {
            kind: WarningKind::StuckClosing,
            since_us: since,
            what: format!(
                "Stuck closing for {}: {} message{} still buffered and {blame}{senders}.",
                human(at_us.saturating_sub(since)),
                c.len,
                if c.len == 1 { "" } else { "s" },
            ),
            try_this: "Keep receiving until recv() says the channel is closed, or drop the last \
                       receiver to discard what is left."
                .into(),
        })
    }

    fn advice(
        &self,
        c: &ChannelSnapshot,
        insight: &super::snapshot::Insight,
        at_us: u64,
    ) -> Option<Advice> {
        let first = self.first_us?;
        let elapsed_s = at_us.saturating_sub(first) as f64 / 1e6;
        let q = insight.queue_time.whole;
        if elapsed_s < 1.0 || q.count < 10 {
            return None;
        }
        // Little's law: messages waiting on average = arrival rate × wait.
        let lambda = c.counters.sent as f64 / elapsed_s;
        let w_s = q.mean_us / 1e6;
        let l = lambda * w_s;
        let little = format!(
            "Little's law: {lambda:.1} msg/s x {} in queue = {l:.1} messages wait on average",
            human(q.mean_us as u64)
        );
        if self.overloaded
            || self
                .consumer_bound
                .held(at_us, CONSUMER_BOUND_AFTER_US, GRACE_US)
                .is_some()
        {
            return Some(Advice {
                capacity: None,
                reasoning: format!(
                    "No capacity absorbs a steady overload ({little}, and the ring stayed full \
                     with senders parked): a bigger ring only delays the parking; add consumer \
                     capacity."
                ),
            });
        }
        let (peak, peak_at) = self.peak_backlog;
        let reasoning = if peak > c.capacity {
            format!(
                "Capacity {peak} would have absorbed the largest burst ({} in the ring + {} \
                 senders parked, {} into the run); {little}.",
                c.capacity,
                peak - c.capacity,
                human(peak_at.saturating_sub(c.created_us()))
            )
        } else {
            format!(
                "Capacity {} is enough: the largest backlog was {peak} messages; {little}.",
                c.capacity
            )
        };
        Some(Advice {
            capacity: Some(peak.max(c.capacity)),
            reasoning,
        })
    }
}

/// A duration for a sentence: `0.9ms`, `12.3ms`, `2.4s`, `3m05s` (ASCII).
pub fn human(us: u64) -> String {
    if us < 1_000_000 {
        format!("{:.1}ms", us as f64 / 1e3)
    } else if us < 60_000_000 {
        format!("{:.1}s", us as f64 / 1e6)
    } else {
        format!("{}m{:02}s", us / 60_000_000, us / 1_000_000 % 60)
    }
}

fn join(labels: &[String]) -> String {
    match labels {
        [] => String::new(),
        [one] => one.clone(),
        [rest @ .., last] => format!("{} and {last}", rest.join(", ")),
    }
}

/// Messages per second over the last 2 s of buckets.
fn recent_rate(c: &ChannelSnapshot, count: impl Fn(&super::snapshot::Bucket) -> u64) -> f64 {
    let n = c.buckets.len().min(HERD_BUCKETS);
    if n == 0 {
        return 0.0;
    }
    let sum: u64 = c.buckets[c.buckets.len() - n..].iter().map(count).sum();
    sum as f64 / (n as f64 * BUCKET_US as f64 / 1e6)
}

/// Which warnings a view, a headless run or `chanviz check` shows:
/// `--warn NAME` (only those named; repeatable) and `--allow NAME` (never
/// that one; repeatable). By default, all.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct WarningFilter {
    /// Only these, when not empty.
    pub only: Vec<WarningKind>,
    /// Never these.
    pub allow: Vec<WarningKind>,
}

impl WarningFilter {
    /// Whether warnings of `kind` are shown.
    pub fn shows(&self, kind: WarningKind) -> bool {
        (self.only.is_empty() || self.only.contains(&kind)) && !self.allow.contains(&kind)
    }

    /// The warnings of `warnings` it shows.
    pub fn apply<'a>(&'a self, warnings: &'a [Warning]) -> impl Iterator<Item = &'a Warning> {
        warnings.iter().filter(|w| self.shows(w.kind))
    }
}
