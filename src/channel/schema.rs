//! Event schema v2: the names the channel emits and the probe decodes.
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
//! | `send_wait` | TRACE | `chan`, `handle`, `waiting_senders` (queue depth after parking) |
//! | `recv_wait` | TRACE | `chan`, `handle`, `waiting_receivers` (queue depth after parking) |
//! | `wake` | TRACE | `chan`, `side` (`senders` / `receivers`), `woken` (id of the woken handle), `waiting` (depth after) |
//! | `handle` | DEBUG | `chan`, `handle`, `role` (`sender` / `receiver`), `from`, `to` (`Open`, `Closing`, `Closed`; `-` when created or dropped) |
//! | `lifecycle` | DEBUG | `chan`, `from`, `to` (`open`, `closing`, `closed`) |
//! | `leave` (v2) | TRACE | `chan`, `side`, `handle`, `waiting` (depth after): a parked future went away unfinished (cancelled or dropped) before any wake |
//! | `leave_served` (v2) | TRACE | `chan`, `side`, `handle`, `waiting`: a parked future got what it waited for on its own retry, before any wake, and left the queue |
//!
//! v2 adds the two `leave` ops, so that a queue's depth never stays stale
//! after a parked future goes; everything in v1 is unchanged, and a reader
//! of v1 ignores them (an unknown op).
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
pub const VERSION: u32 = 2;
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
/// A parked future went away unfinished, before any wake (v2).
pub const OP_LEAVE: &str = "leave";
/// A parked future was served by its own retry, before any wake (v2).
pub const OP_LEAVE_SERVED: &str = "leave_served";

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
