//! Decoding one event of schema v1 into a value on the stack. It must never
//! allocate for a per-operation event: only the `name` of a `created` event is
//! copied into a `String`.
//!
//! Fields may arrive in any order, so text fields are turned into small enums
//! as they are visited, and their meaning is settled once the whole event has
//! been seen (see [`Decoded::kind`]).

use std::fmt::{self, Write as _};

use tracing::field::{Field, Visit};

use super::snapshot::{EventKind, HandleState, Lifecycle, Role, Side};
use crate::channel::schema;

/// The `op` of an event.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub(crate) enum Op {
    /// Missing or not a name of schema v1.
    #[default]
    Unknown,
    Created,
    Push,
    Pop,
    SendWait,
    RecvWait,
    Wake,
    Handle,
    Lifecycle,
}

impl Op {
    #[inline]
    fn parse(s: &str) -> Op {
        // Length first: the per-operation names are told apart in one compare.
        match s.len() {
            3 if s == schema::OP_POP => Op::Pop,
            4 if s == schema::OP_PUSH => Op::Push,
            4 if s == schema::OP_WAKE => Op::Wake,
            _ => match s {
                schema::OP_SEND_WAIT => Op::SendWait,
                schema::OP_RECV_WAIT => Op::RecvWait,
                schema::OP_CREATED => Op::Created,
                schema::OP_HANDLE => Op::Handle,
                schema::OP_LIFECYCLE => Op::Lifecycle,
                _ => Op::Unknown,
            },
        }
    }
}

/// A state name in a `from` / `to` field, before we know whether it belongs
/// to a handle (`Open`) or to the channel (`open`).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub(crate) enum StateName {
    /// The field was not present.
    #[default]
    Missing,
    /// `-`: the handle did not exist yet, or no longer does.
    None,
    Open,
    Closing,
    Closed,
    /// Present but not a name of schema v1.
    Invalid,
}

impl StateName {
    fn parse(s: &str) -> StateName {
        match s {
            schema::STATE_NONE => StateName::None,
            "Open" | "open" => StateName::Open,
            "Closing" | "closing" => StateName::Closing,
            "Closed" | "closed" => StateName::Closed,
            _ => StateName::Invalid,
        }
    }

    /// As a handle's state; `-` means `none_is` (Absent in `from`, Dropped in `to`).
    fn handle(self, none_is: HandleState) -> Option<HandleState> {
        match self {
            StateName::None => Some(none_is),
            StateName::Open => Some(HandleState::Open),
            StateName::Closing => Some(HandleState::Closing),
            StateName::Closed => Some(HandleState::Closed),
            StateName::Missing | StateName::Invalid => None,
        }
    }

    /// As the channel's lifecycle.
    fn lifecycle(self) -> Option<Lifecycle> {
        match self {
            StateName::Open => Some(Lifecycle::Open),
            StateName::Closing => Some(Lifecycle::Closing),
            StateName::Closed => Some(Lifecycle::Closed),
            _ => None,
        }
    }
}

/// Every field of schema v1 that the probe reads. Numbers absent from the
/// event stay 0.
#[derive(Debug, Default)]
pub(crate) struct Decoded {
    pub(crate) op: Op,
    pub(crate) chan: Option<u64>,
    pub(crate) capacity: u64,
    /// The label of a `created` event (`None` when absent or empty).
    pub(crate) name: Option<String>,
    pub(crate) head: u64,
    pub(crate) tail: u64,
    pub(crate) len: u64,
    pub(crate) slot: u64,
    pub(crate) handle: u64,
    pub(crate) waiting_senders: u64,
    pub(crate) waiting_receivers: u64,
    pub(crate) waiting: u64,
    pub(crate) woken: u64,
    pub(crate) side: Option<Side>,
    pub(crate) role: Option<Role>,
    pub(crate) from: StateName,
    pub(crate) to: StateName,
}

impl Decoded {
    /// The event as the log keeps it, or `None` when a field the op needs is
    /// missing or malformed (such an event is ignored).
    pub(crate) fn kind(&self) -> Option<EventKind> {
        Some(match self.op {
            Op::Unknown => return None,
            Op::Created => EventKind::Created {
                capacity: self.capacity as usize,
            },
            Op::Push => EventKind::Push {
                handle: self.handle,
                slot: self.slot as usize,
                head: self.head,
                tail: self.tail,
                len: self.len as usize,
            },
            Op::Pop => EventKind::Pop {
                handle: self.handle,
                slot: self.slot as usize,
                head: self.head,
                tail: self.tail,
                len: self.len as usize,
            },
            Op::SendWait => EventKind::SendWait {
                handle: self.handle,
                waiting: self.waiting_senders as usize,
            },
            Op::RecvWait => EventKind::RecvWait {
                handle: self.handle,
                waiting: self.waiting_receivers as usize,
            },
            Op::Wake => EventKind::Wake {
                side: self.side?,
                woken: self.woken,
                waiting: self.waiting as usize,
            },
            Op::Handle => EventKind::Handle {
                handle: self.handle,
                role: self.role?,
                from: self.from.handle(HandleState::Absent)?,
                to: self.to.handle(HandleState::Dropped)?,
            },
            Op::Lifecycle => EventKind::Lifecycle {
                from: self.from.lifecycle()?,
                to: self.to.lifecycle()?,
            },
        })
    }

    #[inline]
    fn text(&mut self, field: &str, value: &str) {
        if field == "op" {
            self.op = Op::parse(value);
            return;
        }
        match field {
            "side" => {
                self.side = match value {
                    schema::SIDE_SENDERS => Some(Side::Senders),
                    schema::SIDE_RECEIVERS => Some(Side::Receivers),
                    _ => None,
                }
            }
            "role" => {
                self.role = match value {
                    schema::ROLE_SENDER => Some(Role::Sender),
                    schema::ROLE_RECEIVER => Some(Role::Receiver),
                    _ => None,
                }
            }
            "from" => self.from = StateName::parse(value),
            "to" => self.to = StateName::parse(value),
            "name" if !value.is_empty() => self.name = Some(value.to_owned()),
            _ => {}
        }
    }
}

impl Visit for Decoded {
    #[inline]
    fn record_u64(&mut self, field: &Field, value: u64) {
        // In the order push and pop send them: most fields match early.
        let name = field.name();
        if name == "chan" {
            self.chan = Some(value);
            return;
        }
        let slot = if name == "head" {
            &mut self.head
        } else if name == "tail" {
            &mut self.tail
        } else if name == "len" {
            &mut self.len
        } else if name == "slot" {
            &mut self.slot
        } else if name == "handle" {
            &mut self.handle
        } else if name == "waiting_senders" {
            &mut self.waiting_senders
        } else if name == "waiting_receivers" {
            &mut self.waiting_receivers
        } else if name == "waiting" {
            &mut self.waiting
        } else if name == "woken" {
            &mut self.woken
        } else if name == "capacity" {
            &mut self.capacity
        } else {
            return;
        };
        *slot = value;
    }

    fn record_i64(&mut self, field: &Field, value: i64) {
        if let Ok(value) = u64::try_from(value) {
            self.record_u64(field, value);
        }
    }

    fn record_str(&mut self, field: &Field, value: &str) {
        self.text(field.name(), value);
    }

    /// Text recorded with `%` or `?` instead of as a `&str`: formatted into
    /// a stack buffer (never the heap), quotes stripped. Other fields, such
    /// as a `message`, are not formatted at all.
    fn record_debug(&mut self, field: &Field, value: &dyn fmt::Debug) {
        let name = field.name();
        if name == "name" {
            let text = format!("{value:?}");
            self.text(name, text.trim_matches('"'));
            return;
        }
        if !matches!(name, "op" | "side" | "role" | "from" | "to") {
            return;
        }
        let mut buf = StackText::default();
        if write!(buf, "{value:?}").is_ok() {
            self.text(name, buf.as_str().trim_matches('"'));
        }
    }
}

/// A short string built on the stack; writing more than fits is an error.
#[derive(Default)]
struct StackText {
    bytes: [u8; 32],
    len: usize,
}

impl StackText {
    fn as_str(&self) -> &str {
        // Only whole `&str`s are ever copied in, so the prefix is valid UTF-8.
        std::str::from_utf8(&self.bytes[..self.len]).unwrap_or("")
    }
}

impl fmt::Write for StackText {
    fn write_str(&mut self, s: &str) -> fmt::Result {
        let end = self.len + s.len();
        if end > self.bytes.len() {
            return Err(fmt::Error);
        }
        self.bytes[self.len..end].copy_from_slice(s.as_bytes());
        self.len = end;
        Ok(())
    }
}
