//! Event schema v3: the names the channel emits and the probe decodes.
//!
//! Every event has target [`TARGET`] and the fields `chan` (u64, unique in the
//! process) and `op` (one of the `OP_*` strings). Per-operation events are
//! TRACE; `created`, `handle` and `lifecycle` are DEBUG. Integer fields are
//! recorded as `u64`, text fields as `&str`.
//!
//! | op | level | fields |
//! |---|---|---|
//! | `created` | DEBUG | `chan`, `capacity`, `name` (the label; `""` when none) |
//! | `push` | TRACE | `chan`, `head`, `tail`, `len`, `slot`, `handle` (sender id) |
//! | `pop` | TRACE | `chan`, `head`, `tail`, `len`, `slot`, `handle` (receiver id) |
//! | `handoff` (v3) | TRACE | as `push` (`handle` is the parked sender whose message it is), plus `by` and `role`: the handle that moved it into the ring (the receiver whose pop made room, or a parked sender that saw room) |
//! | `send_wait` | TRACE | `chan`, `handle`, `waiting_senders` (queue depth after parking), `ticket` (v2) |
//! | `recv_wait` | TRACE | `chan`, `handle`, `waiting_receivers` (queue depth after parking), `ticket` (v2) |
//! | `wake` | TRACE | `chan`, `side` (`senders` / `receivers`), `woken` (id of the woken handle), `waiting` (depth after); v2: `ticket`, `cause` (`push` / `pop` / `pass` / `close`; v3: `handoff`), `by` (id of the handle whose operation woke it), `role` (`by`'s role) |
//! | `handle` | DEBUG | `chan`, `handle`, `role` (`sender` / `receiver`), `from`, `to` (`Open`, `Closing`, `Closed`; `-` when created or dropped) |
//! | `lifecycle` | DEBUG | `chan`, `from`, `to` (`open`, `closing`, `closed`) |
//! | `leave` (v2) | TRACE | `chan`, `side`, `handle`, `waiting` (depth after), `ticket`: a parked future went away unfinished (cancelled or dropped) before any wake |
//! | `leave_served` (v2) | TRACE | `chan`, `side`, `handle`, `waiting`, `ticket`: a parked future got what it waited for on its own retry, before any wake, and left the queue |
//! | `send_closed` (v2) | TRACE | `chan`, `handle`: a send future ended with `Err(SendError)` because the channel is closed; its value went back to the caller |
//! | `recv_closed` (v2) | TRACE | `chan`, `handle`: a receive future (or a stream) found the channel closed and drained: the end of the stream |
//!
//! ## What v2 adds to v1
//! | change | why |
//! |---|---|
//! | ops `leave`, `leave_served` | a queue's depth never stays stale after a parked future goes |
//! | `ticket` on parks, wakes and leaves | a queue's entries are woken in ticket order (first parked, first woken), so a reader keeps every queue in its exact order even when two threads' park events reach it swapped |
//! | `cause`, `by`, `role` on `wake` | who woke whom: `push` (a sender's push woke a receiver), `pop` (a receiver's pop woke a sender), `pass` (a woken future that did not need its wakeup passed it on), `close` (the close or last drop of handle `by`) |
//! | ops `send_closed`, `recv_closed` | what a close did to each future: a sender got its value back, a receiver reached the end of the stream |
//!
//! ## What v3 adds to v2
//! | change | why |
//! |---|---|
//! | op `handoff` | a parked sender leaves its message in the senders' queue; the pop that frees a slot moves it into the ring at once, and this event says so (the message still passes through a slot: the event carries the slot and positions of a push) |
//! | wake `cause` `handoff` | the wake that follows a hand-off: the woken sender's send is already done (`by` and `role` name who moved its message) |
//!
//! A reader of v2 sees a `handoff` as an unknown op; chanviz reads it as a
//! push of the parked sender's message. Since v3 a parked sender is never
//! woken by a plain pop (cause `pop`): only by a hand-off or a close.
//!
//! A handle's own close emits its `handle` event (`Open -> Closing`) before
//! the channel's `lifecycle` event, cause before effect. Every field v1 has
//! means what it meant; a reader of v1 ignores the new ops and fields. A v2
//! event without a `ticket` or `cause` (recordings made before they were
//! added) reads as unknown.
//!
//! `head` and `tail` are monotonic positions: the slot is `position % capacity`
//! and the lap is `position / capacity`. `head` is the next position to write,
//! `tail` the next position to read. In a `push`, `head` is the value after the
//! write; in a `pop`, `tail` is the value after the read. `len` is
//! `head - tail` as seen by the operation. Handle ids count from 0 per channel
//! and per role: senders S0, S1, ...; receivers R0, R1, ...
//!
//! The schema is versioned: a change to a name or a field's meaning is a new
//! version ([`VERSION`]).

/// Schema version.
pub const VERSION: u32 = 3;
/// Target of every event.
pub const TARGET: &str = "chanviz::channel";

/// A channel was created.
pub const OP_CREATED: &str = "created";
/// A message was written.
pub const OP_PUSH: &str = "push";
/// A message was read.
pub const OP_POP: &str = "pop";
/// A sender parked on a full ring.
pub const OP_SEND_WAIT: &str = "send_wait";
/// A receiver parked on an empty ring.
pub const OP_RECV_WAIT: &str = "recv_wait";
/// A parked waiter was woken.
pub const OP_WAKE: &str = "wake";
/// A handle was created, changed type state or was dropped.
pub const OP_HANDLE: &str = "handle";
/// The channel's lifecycle changed.
pub const OP_LIFECYCLE: &str = "lifecycle";
/// A parked sender's message was moved into the ring by the handle whose
/// pop made room (or by a parked sender that saw room): a hand-off (v3).
pub const OP_HANDOFF: &str = "handoff";
/// A parked future went away unfinished, before any wake (v2).
pub const OP_LEAVE: &str = "leave";
/// A parked future was served by its own retry, before any wake (v2).
pub const OP_LEAVE_SERVED: &str = "leave_served";

/// A send future gave its value back: the channel is closed (v2).
pub const OP_SEND_CLOSED: &str = "send_closed";
/// A receive future found the channel closed and drained (v2).
pub const OP_RECV_CLOSED: &str = "recv_closed";

/// `cause` of a wake: a sender's push made a message to take.
pub const CAUSE_PUSH: &str = "push";
/// `cause` of a wake: a receiver's pop made room.
pub const CAUSE_POP: &str = "pop";
/// `cause` of a wake: a woken future that did not use its wakeup passed it on.
pub const CAUSE_PASS: &str = "pass";
/// `cause` of a wake: a hand-off moved the woken sender's message into the
/// ring; its send is done (v3).
pub const CAUSE_HANDOFF: &str = "handoff";
/// `cause` of a wake: the channel was closed (by a handle's close or drop).
pub const CAUSE_CLOSE: &str = "close";

/// `side` of a wake of the senders' queue.
pub const SIDE_SENDERS: &str = "senders";
/// `side` of a wake of the receivers' queue.
pub const SIDE_RECEIVERS: &str = "receivers";
/// `role` of a sender.
pub const ROLE_SENDER: &str = "sender";
/// `role` of a receiver.
pub const ROLE_RECEIVER: &str = "receiver";
/// `from` of a handle that was just created, `to` of one just dropped.
pub const STATE_NONE: &str = "-";
