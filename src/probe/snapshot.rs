//! The probe's view of the world at one instant: plain data, no live state.
//!
//! A [`Snapshot`] is what the UI draws and the headless printer prints. It is
//! built by `ProbeLayer::snapshot()` and never refers back to the probe, so a
//! widget can render it (or a test can fabricate it) without any channel
//! running.

use std::fmt;

/// Width of one throughput bucket, in microseconds (100 ms).
pub const BUCKET_US: u64 = 100_000;
/// Number of throughput buckets kept: 60 s of history.
pub const BUCKETS: usize = 600;

/// Everything the probe knows, at `at_us` microseconds after it started.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Snapshot {
    /// Time of the snapshot, in microseconds since the probe was created.
    pub at_us: u64,
    /// One entry per channel seen, in the order they were created.
    pub channels: Vec<ChannelSnapshot>,
    /// The newest decoded events (all channels), oldest first. At most the
    /// number asked for in `snapshot()`.
    pub events: Vec<LogEntry>,
    /// Events decoded in total since the probe started.
    pub events_seen: u64,
    /// Events that could not be kept in the bounded log (overwritten before
    /// anyone read them, or lost to contention).
    pub events_dropped: u64,
}

impl Snapshot {
    /// The channel with id `chan`, if the probe has seen it.
    pub fn channel(&self, chan: u64) -> Option<&ChannelSnapshot> {
        self.channels.iter().find(|c| c.chan == chan)
    }

    /// The most recently created channel: the one a single-channel scenario
    /// runs (a restart creates a new one).
    pub fn current(&self) -> Option<&ChannelSnapshot> {
        self.channels.last()
    }

    /// Probe time `at_us` as time since channel `chan` was created: what a
    /// view shows, so that a scenario's times start at zero on every run
    /// (the runner creates its channel as a run begins). `at_us` itself if
    /// the channel is unknown.
    pub fn since_created(&self, chan: u64, at_us: u64) -> u64 {
        self.channel(chan)
            .map_or(at_us, |c| at_us.saturating_sub(c.created_us()))
    }
}

/// The state of one channel.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct ChannelSnapshot {
    /// Process-unique id (the `chan` field of every event).
    pub chan: u64,
    /// The label given with `bounded_named`, if any.
    pub name: Option<String>,
    /// Number of slots in the ring.
    pub capacity: usize,
    /// Next position to write (monotonic; slot = head % capacity, lap = head / capacity).
    pub head: u64,
    /// Next position to read (monotonic; slot = tail % capacity, lap = tail / capacity).
    pub tail: u64,
    /// Messages in the ring as of the last push or pop.
    pub len: usize,
    /// Occupancy of every slot, index = slot. Length = capacity.
    pub slots: Vec<bool>,
    /// Senders parked now (their wakers sit in the queue).
    pub waiting_senders: usize,
    /// Receivers parked now.
    pub waiting_receivers: usize,
    /// Highest `waiting_senders` seen.
    pub peak_waiting_senders: usize,
    /// Highest `waiting_receivers` seen.
    pub peak_waiting_receivers: usize,
    /// Counters derived from the events.
    pub counters: Counters,
    /// Every handle the channel has had, senders and receivers, in creation order.
    pub handles: Vec<HandleSnapshot>,
    /// The channel's own lifecycle now.
    pub lifecycle: Lifecycle,
    /// When the lifecycle changed, oldest first (the first entry is `created`).
    pub lifecycle_history: Vec<LifecycleChange>,
    /// Throughput history: 100 ms buckets, oldest first, the last one still
    /// filling. At most [`BUCKETS`] entries.
    pub buckets: Vec<Bucket>,
    /// Messages, waiters, wakes, latencies and warnings, from the fold of
    /// the events (see [`Insight`]).
    pub insight: Insight,
}

impl ChannelSnapshot {
    /// Slot index of `head`.
    pub fn head_slot(&self) -> usize {
        if self.capacity == 0 {
            0
        } else {
            (self.head % self.capacity as u64) as usize
        }
    }
    /// Slot index of `tail`.
    pub fn tail_slot(&self) -> usize {
        if self.capacity == 0 {
            0
        } else {
            (self.tail % self.capacity as u64) as usize
        }
    }
    /// Lap of `head` (how many times the writer has gone round the ring).
    pub fn head_lap(&self) -> u64 {
        self.head.checked_div(self.capacity as u64).unwrap_or(0)
    }
    /// Lap of `tail`.
    pub fn tail_lap(&self) -> u64 {
        self.tail.checked_div(self.capacity as u64).unwrap_or(0)
    }
    /// When the channel was created (or first seen), probe time.
    pub fn created_us(&self) -> u64 {
        self.lifecycle_history.first().map_or(0, |c| c.at_us)
    }
    /// Handles in the given role.
    pub fn handles_of(&self, role: Role) -> impl Iterator<Item = &HandleSnapshot> {
        self.handles.iter().filter(move |h| h.role == role)
    }
}

/// Totals since the channel was created.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Counters {
    /// Successful pushes (messages accepted).
    pub sent: u64,
    /// Successful pops (messages delivered).
    pub received: u64,
    /// Times a sender parked (`send_wait`).
    pub send_waits: u64,
    /// Times a receiver parked (`recv_wait`).
    pub recv_waits: u64,
    /// Parked senders woken.
    pub sender_wakes: u64,
    /// Parked receivers woken.
    pub receiver_wakes: u64,
}

impl Counters {
    /// All wakes, both sides.
    pub fn wakes(&self) -> u64 {
        self.sender_wakes + self.receiver_wakes
    }
}

/// One 100 ms slice of history.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Bucket {
    /// Start of the bucket, microseconds since the probe started.
    pub start_us: u64,
    /// Pushes in this bucket.
    pub sent: u64,
    /// Pops in this bucket.
    pub received: u64,
    /// Wakes in this bucket (both sides).
    pub wakes: u64,
    /// Most senders waiting at once during this bucket.
    pub max_waiting_senders: usize,
    /// Most receivers waiting at once during this bucket.
    pub max_waiting_receivers: usize,
}

/// `Display` writes a state's `as_str()` name.
macro_rules! display_as_str {
    ($($t:ty),*) => {$(
        impl fmt::Display for $t {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(self.as_str())
            }
        }
    )*};
}

display_as_str!(Role, HandleState, Lifecycle);

/// Which end a handle is.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Default)]
pub enum Role {
    /// A `Sender`.
    #[default]
    Sender,
    /// A `Receiver`.
    Receiver,
}

impl Role {
    /// "S" or "R": the prefix of a handle's label (S0, R2, ...).
    pub fn prefix(self) -> &'static str {
        match self {
            Role::Sender => "S",
            Role::Receiver => "R",
        }
    }
    /// "sender" or "receiver", as in the event schema.
    pub fn as_str(self) -> &'static str {
        match self {
            Role::Sender => "sender",
            Role::Receiver => "receiver",
        }
    }
}

/// A handle's type state, plus the two ends of its life.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Default)]
pub enum HandleState {
    /// Not yet alive (`-` in a `from` field).
    #[default]
    Absent,
    /// `Sender<T, Open>` / `Receiver<T, Open>`.
    Open,
    /// `Sender<T, Closing>` / `Receiver<T, Closing>`.
    Closing,
    /// `Sender<T, Closed>` / `Receiver<T, Closed>`.
    Closed,
    /// The handle was dropped (`-` in a `to` field).
    Dropped,
}

impl HandleState {
    /// The name used on screen and in JSON.
    pub fn as_str(self) -> &'static str {
        match self {
            HandleState::Absent => "-",
            HandleState::Open => "Open",
            HandleState::Closing => "Closing",
            HandleState::Closed => "Closed",
            HandleState::Dropped => "Dropped",
        }
    }
}

/// One handle and its history.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct HandleSnapshot {
    /// Per-channel, per-role id: S`id` or R`id`.
    pub id: u64,
    /// Sender or receiver.
    pub role: Role,
    /// Current state.
    pub state: HandleState,
    /// Every transition, oldest first (creation is the first, from `Absent`).
    pub transitions: Vec<Transition>,
}

impl HandleSnapshot {
    /// "S3", "R0", ...
    pub fn label(&self) -> String {
        format!("{}{}", self.role.prefix(), self.id)
    }
    /// When the handle last changed state, in microseconds since the probe started.
    pub fn changed_at_us(&self) -> u64 {
        self.transitions.last().map(|t| t.at_us).unwrap_or(0)
    }
}

/// A handle moved from one type state to another.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Transition {
    /// When, microseconds since the probe started.
    pub at_us: u64,
    /// State before.
    pub from: HandleState,
    /// State after.
    pub to: HandleState,
}

/// The channel's own lifecycle.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Default)]
pub enum Lifecycle {
    /// Accepting sends.
    #[default]
    Open,
    /// Closed to new sends; messages may still be buffered.
    Closing,
    /// Closed and drained: nothing more will ever be received.
    Closed,
}

impl Lifecycle {
    /// "open", "closing", "closed", as in the event schema.
    pub fn as_str(self) -> &'static str {
        match self {
            Lifecycle::Open => "open",
            Lifecycle::Closing => "closing",
            Lifecycle::Closed => "closed",
        }
    }
}

/// The lifecycle changed.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct LifecycleChange {
    /// When, microseconds since the probe started.
    pub at_us: u64,
    /// Before.
    pub from: Lifecycle,
    /// After.
    pub to: Lifecycle,
}

/// Which waiter queue a `wake` event is about.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Side {
    /// The queue of parked senders.
    Senders,
    /// The queue of parked receivers.
    Receivers,
}

/// The `ticket` of an event that has none (an older recording).
pub const NO_TICKET: u64 = u64::MAX;

/// What woke a parked future (schema v2's `cause` of a `wake`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Default)]
pub enum WakeCause {
    /// Not said (a recording made before schema v2 said it).
    #[default]
    Unknown,
    /// A sender's push: there is a message to take.
    Push,
    /// A receiver's pop: there is room.
    Pop,
    /// A woken future that did not need its wakeup passed it on.
    Pass,
    /// The channel was closed by this handle's close or drop.
    Close {
        /// The closing handle's role.
        role: Role,
    },
    /// A hand-off (schema v3): `by` moved the woken sender's parked message
    /// into the ring, so its send is done.
    Handoff {
        /// The mover's role: a receiver whose pop made room, or a parked
        /// sender that saw room.
        role: Role,
    },
}

impl WakeCause {
    /// The role of the handle named by `by`, for a wake of queue `side`.
    pub fn by_role(self, side: Side) -> Option<Role> {
        match self {
            WakeCause::Unknown => None,
            WakeCause::Push => Some(Role::Sender),
            WakeCause::Pop => Some(Role::Receiver),
            WakeCause::Pass => Some(side.role()),
            WakeCause::Close { role } | WakeCause::Handoff { role } => Some(role),
        }
    }
}

impl Side {
    /// The role of the handles that park in this queue.
    pub fn role(self) -> Role {
        match self {
            Side::Senders => Role::Sender,
            Side::Receivers => Role::Receiver,
        }
    }
}

/// One decoded event, as kept in the probe's log.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct LogEntry {
    /// Sequence number across all channels (gaps mean dropped events).
    pub seq: u64,
    /// When the probe saw it, microseconds since the probe started.
    pub at_us: u64,
    /// Which channel.
    pub chan: u64,
    /// What happened.
    pub kind: EventKind,
}

/// The decoded payload of an event of schema v3.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum EventKind {
    /// `created`.
    Created {
        /// Slots.
        capacity: usize,
    },
    /// `push`: a sender wrote a message; or `handoff` (schema v3): the
    /// message of a parked sender was moved into the ring by the handle
    /// whose pop made room (named by the wake that follows, cause
    /// [`WakeCause::Handoff`]).
    Push {
        /// Sender id (the message's sender, also for a hand-off).
        handle: u64,
        /// Slot written.
        slot: usize,
        /// Head after the push.
        head: u64,
        /// Tail seen by the push.
        tail: u64,
        /// Length after the push.
        len: usize,
        /// A hand-off: another handle moved this parked sender's message in.
        handoff: bool,
    },
    /// `pop`: a receiver took a message.
    Pop {
        /// Receiver id.
        handle: u64,
        /// Slot read.
        slot: usize,
        /// Head seen by the pop.
        head: u64,
        /// Tail after the pop.
        tail: u64,
        /// Length after the pop.
        len: usize,
    },
    /// `send_wait`: a sender parked because the ring was full.
    SendWait {
        /// Sender id.
        handle: u64,
        /// Senders waiting after it parked.
        waiting: usize,
        /// Its place in the queue's wake order ([`NO_TICKET`] if unknown).
        ticket: u64,
    },
    /// `recv_wait`: a receiver parked because the ring was empty.
    RecvWait {
        /// Receiver id.
        handle: u64,
        /// Receivers waiting after it parked.
        waiting: usize,
        /// Its place in the queue's wake order ([`NO_TICKET`] if unknown).
        ticket: u64,
    },
    /// `wake`: a parked waiter was woken.
    Wake {
        /// Which queue.
        side: Side,
        /// Id of the woken handle (a sender id for `Senders`).
        woken: u64,
        /// Depth of that queue after the wake.
        waiting: usize,
        /// The woken entry's ticket ([`NO_TICKET`] if unknown).
        ticket: u64,
        /// What woke it (schema v2; `Unknown` in older recordings).
        cause: WakeCause,
        /// Id of the handle whose operation woke it (its role: see
        /// [`WakeCause::by_role`]).
        by: u64,
    },
    /// `leave` / `leave_served` (schema v2): a parked waiter left its queue
    /// without a wake: it went away unfinished, or (`served`) its own retry
    /// got what it waited for.
    Leave {
        /// Which queue.
        side: Side,
        /// Id of the handle that left.
        handle: u64,
        /// Depth of that queue after.
        waiting: usize,
        /// Its retry was served (`leave_served`), rather than it went away.
        served: bool,
        /// The entry's ticket ([`NO_TICKET`] if unknown).
        ticket: u64,
    },
    /// `send_closed` / `recv_closed` (schema v2): a future ended because
    /// the channel is closed: a sender got its value back (`Err(Closed)`),
    /// a receiver reached the end of the stream.
    Closed {
        /// Sender (`send_closed`) or receiver (`recv_closed`).
        role: Role,
        /// The handle's id.
        handle: u64,
    },
    /// `handle`: a handle was created, changed type state, or was dropped.
    Handle {
        /// Handle id (per role).
        handle: u64,
        /// Sender or receiver.
        role: Role,
        /// Before (`Absent` on creation).
        from: HandleState,
        /// After (`Dropped` on drop).
        to: HandleState,
    },
    /// `lifecycle`: the channel moved along open → closing → closed.
    Lifecycle {
        /// Before.
        from: Lifecycle,
        /// After.
        to: Lifecycle,
    },
}

/// What the events say beyond counts (issue #11): which message sits in
/// which slot and since when, who waits in which order, who woke whom, how
/// long messages wait, and what looks wrong. Built by the fold
/// ([`Model`](super::Model)), so it reads the same live, rewound and
/// replayed.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Insight {
    /// Messages in the ring, oldest first. When more are in flight than
    /// [`MAX_LISTED_MESSAGES`], an even sample of them that keeps the oldest.
    pub messages: Vec<SlotMessage>,
    /// Messages in flight that the fold follows (at most
    /// [`MAX_TRACKED_MESSAGES`]).
    pub in_flight: usize,
    /// Parked senders, first to last: the order the channel wakes them in.
    pub parked_senders: Vec<Parked>,
    /// Parked receivers, first to last.
    pub parked_receivers: Vec<Parked>,
    /// The newest wakes, newest last (at most [`MAX_WAKE_NOTES`]).
    pub wakes: Vec<WakeNote>,
    /// Time in queue: a message's push to its pop.
    pub queue_time: Latency,
    /// Time parked: a park to its wake (or to its own retry's success).
    pub park_time: Latency,
    /// What is wrong now, in plain words.
    pub warnings: Vec<Warning>,
    /// The capacity that would have absorbed the bursts seen, and why.
    pub advice: Option<Advice>,
}

/// Messages listed in [`Insight::messages`] at most.
pub const MAX_LISTED_MESSAGES: usize = 4096;
/// Messages in flight the fold follows per channel at most. With a bigger
/// backlog, a push finds the list full and is not followed (nor is its time
/// in queue measured); the oldest messages always are, and once they are
/// taken the newest pushes are followed again, so a large ring's time in
/// queue is measured on a sample. The bound keeps each checkpoint of the
/// model small (24 bytes a message; a checkpoint every 4,096 events).
pub const MAX_TRACKED_MESSAGES: usize = 4096;
/// Wakes remembered in [`Insight::wakes`].
pub const MAX_WAKE_NOTES: usize = 8;

impl Insight {
    /// The parked list of one side.
    pub fn parked(&self, side: Side) -> &[Parked] {
        match side {
            Side::Senders => &self.parked_senders,
            Side::Receivers => &self.parked_receivers,
        }
    }

    /// The message in `slot`, if one is listed there.
    pub fn in_slot(&self, slot: usize) -> Option<&SlotMessage> {
        self.messages.iter().find(|m| m.slot == slot)
    }

    /// The oldest message in the ring.
    pub fn oldest(&self) -> Option<&SlotMessage> {
        self.messages.first()
    }

    /// Whether a warning of this kind is on.
    pub fn warns(&self, kind: WarningKind) -> bool {
        self.warnings.iter().any(|w| w.kind == kind)
    }
}

/// A message in the ring.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct SlotMessage {
    /// Its slot.
    pub slot: usize,
    /// Its position (`pushed at position p, popped at position p`).
    pub pos: u64,
    /// The sender that pushed it (S`sender`).
    pub sender: u64,
    /// Its number among that sender's pushes, from 1.
    pub seq: u64,
    /// When it was pushed, probe time in µs.
    pub pushed_us: u64,
}

/// A parked future, in its queue.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Parked {
    /// The handle's id (S or R by the queue).
    pub handle: u64,
    /// Its place in the wake order ([`NO_TICKET`] if unknown).
    pub ticket: u64,
    /// When it parked, probe time in µs.
    pub since_us: u64,
}

/// One wake: who woke whom, and by doing what.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct WakeNote {
    /// When, probe time in µs.
    pub at_us: u64,
    /// The queue the woken future was in.
    pub side: Side,
    /// The woken handle.
    pub woken: u64,
    /// What woke it.
    pub cause: WakeCause,
    /// The handle whose operation woke it.
    pub by: u64,
    /// The slot that push or pop used, when the cause is one.
    pub slot: Option<usize>,
}

/// A duration's distribution over the whole run and over the last 10 s.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Latency {
    /// Since the channel was created.
    pub whole: Percentiles,
    /// Over the last [`RECENT_WINDOW_US`].
    pub recent: Percentiles,
    /// The last 10 s as a histogram in powers of two: `(up to µs, count)`,
    /// from the first bucket with a value to the last (empty when none).
    pub recent_bars: Vec<(u64, u64)>,
}

/// The window of [`Latency::recent`]: 10 s.
pub const RECENT_WINDOW_US: u64 = 10_000_000;

/// Percentiles of a set of durations, in µs (0 when `count` is 0).
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub struct Percentiles {
    /// Durations measured.
    pub count: u64,
    /// Their mean.
    pub mean_us: f64,
    /// Median.
    pub p50_us: u64,
    /// 90th percentile.
    pub p90_us: u64,
    /// 99th percentile.
    pub p99_us: u64,
    /// Longest (exact).
    pub max_us: u64,
}

/// Something wrong, in plain words.
#[derive(Clone, Debug, PartialEq)]
pub struct Warning {
    /// Which rule fired.
    pub kind: WarningKind,
    /// Since when its condition holds, probe time in µs.
    pub since_us: u64,
    /// What is wrong, in one sentence.
    pub what: String,
    /// What to try.
    pub try_this: String,
}

/// The warning rules (`--warn NAME`, `--allow NAME`, `check --fail-on NAME`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum WarningKind {
    /// The ring stays nearly full and senders stay parked.
    ConsumerBound,
    /// The ring stays empty and receivers stay parked.
    ProducerBound,
    /// The channel stays in `closing`.
    StuckClosing,
    /// A waiter stays parked while the ring could serve it.
    LostWakeup,
    /// More wakes than messages moved.
    ThunderingHerd,
}

impl WarningKind {
    /// Every rule, in the order they are shown.
    pub const ALL: [WarningKind; 5] = [
        WarningKind::ConsumerBound,
        WarningKind::ProducerBound,
        WarningKind::StuckClosing,
        WarningKind::LostWakeup,
        WarningKind::ThunderingHerd,
    ];

    /// The name used on the command line and in JSON.
    pub fn name(self) -> &'static str {
        match self {
            WarningKind::ConsumerBound => "consumer-bound",
            WarningKind::ProducerBound => "producer-bound",
            WarningKind::StuckClosing => "stuck-closing",
            WarningKind::LostWakeup => "lost-wakeup",
            WarningKind::ThunderingHerd => "thundering-herd",
        }
    }

    /// The rule called `name`.
    pub fn from_name(name: &str) -> Option<WarningKind> {
        WarningKind::ALL.into_iter().find(|k| k.name() == name)
    }
}

impl fmt::Display for WarningKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// Capacity advice from Little's law.
#[derive(Clone, Debug, PartialEq)]
pub struct Advice {
    /// The capacity that would have held the largest backlog seen without
    /// parking a sender; `None` when no capacity helps (a steady overload).
    pub capacity: Option<usize>,
    /// The reasoning, in one line.
    pub reasoning: String,
}
