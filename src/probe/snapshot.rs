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
}

impl WakeCause {
    /// The role of the handle named by `by`, for a wake of queue `side`.
    pub fn by_role(self, side: Side) -> Option<Role> {
        match self {
            WakeCause::Unknown => None,
            WakeCause::Push => Some(Role::Sender),
            WakeCause::Pop => Some(Role::Receiver),
            WakeCause::Pass => Some(side.role()),
            WakeCause::Close { role } => Some(role),
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

/// The decoded payload of an event of schema v2.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum EventKind {
    /// `created`.
    Created {
        /// Slots.
        capacity: usize,
    },
    /// `push`: a sender wrote a message.
    Push {
        /// Sender id.
        handle: u64,
        /// Slot written.
        slot: usize,
        /// Head after the push.
        head: u64,
        /// Tail seen by the push.
        tail: u64,
        /// Length after the push.
        len: usize,
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
