//! Decoding one event of schema v1 into a value on the stack. It must never
//! allocate for a per-operation event: only the `name` of a `created` event is
//! copied into a `String`.
//!
//! Fields may arrive in any order, so text fields are turned into small enums
//! as they are visited, and their meaning is settled once the whole event has
//! been seen (see [`Decoded::kind`]).
//!
//! Matching field names costs a string compare per field. So when a
//! callsite registers, its fields are mapped once to [`FieldId`]s (a
//! [`Plan`], kept in [`Plans`]), and an event then files each number by its
//! field's index: one byte load and one store, no branch on the name.
//! Without a plan (table full, or the callsite registered before the layer
//! existed), names are matched instead.

use std::fmt::{self, Write as _};
use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering};

use tracing::field::{Field, Visit};
use tracing::Metadata;

use super::snapshot::{EventKind, HandleState, Lifecycle, Role, Side, WakeCause, NO_TICKET};
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
    Leave,
    LeaveServed,
    SendClosed,
    RecvClosed,
    Handoff,
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
                schema::OP_LEAVE => Op::Leave,
                schema::OP_LEAVE_SERVED => Op::LeaveServed,
                schema::OP_SEND_CLOSED => Op::SendClosed,
                schema::OP_RECV_CLOSED => Op::RecvClosed,
                schema::OP_HANDOFF => Op::Handoff,
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

/// What a field of schema v1 is, as an index into [`Decoded`]'s numbers
/// (the numeric ones) or a text field.
pub(crate) type FieldId = u8;

/// Numeric fields: indices into `Decoded::numbers`.
mod id {
    use super::FieldId;
    pub(crate) const CHAN: FieldId = 0;
    pub(crate) const HEAD: FieldId = 1;
    pub(crate) const TAIL: FieldId = 2;
    pub(crate) const LEN: FieldId = 3;
    pub(crate) const SLOT: FieldId = 4;
    pub(crate) const HANDLE: FieldId = 5;
    pub(crate) const CAPACITY: FieldId = 6;
    pub(crate) const WAITING_SENDERS: FieldId = 7;
    pub(crate) const WAITING_RECEIVERS: FieldId = 8;
    pub(crate) const WAITING: FieldId = 9;
    pub(crate) const WOKEN: FieldId = 10;
    pub(crate) const TICKET: FieldId = 11;
    pub(crate) const BY: FieldId = 12;
    /// A field the probe does not read (numbers land here and are ignored).
    pub(crate) const OTHER: FieldId = 13;
    /// Slots in `Decoded::numbers`.
    pub(crate) const NUMBERS: usize = 14;
    // Text fields.
    pub(crate) const OP: FieldId = 14;
    pub(crate) const SIDE: FieldId = 15;
    pub(crate) const ROLE: FieldId = 16;
    pub(crate) const FROM: FieldId = 17;
    pub(crate) const TO: FieldId = 18;
    pub(crate) const NAME: FieldId = 19;
    pub(crate) const CAUSE: FieldId = 20;
}

/// The id of a field name of schema v1 ([`id::OTHER`] for any other name).
fn field_id(name: &str) -> FieldId {
    match name {
        "chan" => id::CHAN,
        "head" => id::HEAD,
        "tail" => id::TAIL,
        "len" => id::LEN,
        "slot" => id::SLOT,
        "handle" => id::HANDLE,
        "capacity" => id::CAPACITY,
        "waiting_senders" => id::WAITING_SENDERS,
        "waiting_receivers" => id::WAITING_RECEIVERS,
        "waiting" => id::WAITING,
        "woken" => id::WOKEN,
        "ticket" => id::TICKET,
        "by" => id::BY,
        "cause" => id::CAUSE,
        "op" => id::OP,
        "side" => id::SIDE,
        "role" => id::ROLE,
        "from" => id::FROM,
        "to" => id::TO,
        "name" => id::NAME,
        _ => id::OTHER,
    }
}

/// Fields a plan covers; a callsite with more fields gets no plan.
pub(crate) const PLAN_FIELDS: usize = 16;

/// The [`FieldId`] of each field of one callsite, by field index.
pub(crate) type Plan = [FieldId; PLAN_FIELDS];

/// Plans kept at once (schema v1 has eight callsites per op kind; the channel
/// has about ten).
const PLAN_SLOTS: usize = 64;
/// A slot being filled.
const CLAIMED: usize = 1;

/// One callsite's plan: the metadata address (0 when empty) and the plan
/// packed into two words.
#[derive(Default)]
struct PlanSlot {
    key: AtomicUsize,
    ids: [AtomicU64; 2],
}

/// A small open-addressed table of plans, keyed by the callsite's metadata
/// address. Lock-free; written only when a callsite registers.
pub(crate) struct Plans {
    slots: Box<[PlanSlot]>,
}

impl Plans {
    pub(crate) fn new() -> Plans {
        Plans {
            slots: (0..PLAN_SLOTS).map(|_| PlanSlot::default()).collect(),
        }
    }

    fn key(meta: &Metadata<'_>) -> usize {
        meta as *const Metadata<'_> as usize
    }

    fn home(key: usize) -> usize {
        (key >> 4) % PLAN_SLOTS
    }

    /// Records the plan of a callsite (once; later calls do nothing).
    pub(crate) fn register(&self, meta: &'static Metadata<'static>) {
        let key = Self::key(meta);
        if self.find(meta).is_some() || meta.fields().len() > PLAN_FIELDS {
            return;
        }
        let mut plan: Plan = [id::OTHER; PLAN_FIELDS];
        for field in meta.fields().iter() {
            plan[field.index()] = field_id(field.name());
        }
        let mut halves = plan.chunks_exact(8).map(|half| {
            let mut bytes = [0u8; 8];
            bytes.copy_from_slice(half);
            u64::from_le_bytes(bytes)
        });
        let words = [halves.next().unwrap_or(0), halves.next().unwrap_or(0)];
        let home = Self::home(key);
        for probe in 0..PLAN_SLOTS {
            let slot = &self.slots[(home + probe) % PLAN_SLOTS];
            if slot
                .key
                // Claim the slot; the ids are published by the Release below.
                .compare_exchange(0, CLAIMED, Ordering::Acquire, Ordering::Relaxed)
                .is_ok()
            {
                slot.ids[0].store(words[0], Ordering::Relaxed);
                slot.ids[1].store(words[1], Ordering::Relaxed);
                slot.key.store(key, Ordering::Release);
                return;
            }
        }
        // Table full: this callsite is decoded by name.
    }

    /// The plan of a callsite, if registered.
    #[inline]
    pub(crate) fn find(&self, meta: &Metadata<'_>) -> Option<Plan> {
        let key = Self::key(meta);
        let home = Self::home(key);
        for probe in 0..PLAN_SLOTS {
            let slot = &self.slots[(home + probe) % PLAN_SLOTS];
            // Acquire pairs with the Release that published the ids.
            let k = slot.key.load(Ordering::Acquire);
            if k == key {
                let mut plan: Plan = [0; PLAN_FIELDS];
                plan[..8].copy_from_slice(&slot.ids[0].load(Ordering::Relaxed).to_le_bytes());
                plan[8..].copy_from_slice(&slot.ids[1].load(Ordering::Relaxed).to_le_bytes());
                return Some(plan);
            }
            if k == 0 {
                return None;
            }
        }
        None
    }
}

/// Every field of schema v1 that the probe reads. Numbers absent from the
/// event read as 0.
#[derive(Debug, Default)]
pub(crate) struct Decoded {
    /// The callsite's plan, valid for the first `planned` fields.
    plan: Plan,
    planned: usize,
    /// Numeric fields by [`FieldId`].
    numbers: [u64; id::NUMBERS],
    /// Bit `i` set when number `i` was present.
    present: u16,
    pub(crate) op: Op,
    /// The label of a `created` event (`None` when absent or empty).
    pub(crate) name: Option<String>,
    side: Option<Side>,
    role: Option<Role>,
    cause: Option<&'static str>,
    from: StateName,
    to: StateName,
}

impl Decoded {
    /// A decoder for an event whose callsite has `plan` (or none).
    #[inline]
    pub(crate) fn with_plan(plan: Option<Plan>) -> Decoded {
        match plan {
            Some(plan) => Decoded {
                plan,
                planned: PLAN_FIELDS,
                ..Decoded::default()
            },
            None => Decoded::default(),
        }
    }

    #[inline]
    fn number(&self, id: FieldId) -> u64 {
        self.numbers[id as usize]
    }

    /// The `chan` field, if present.
    #[inline]
    pub(crate) fn chan(&self) -> Option<u64> {
        (self.present & (1 << id::CHAN) != 0).then(|| self.number(id::CHAN))
    }

    /// The `ticket` field, [`NO_TICKET`] when absent.
    #[inline]
    fn ticket(&self) -> u64 {
        if self.present & (1 << id::TICKET) != 0 {
            self.number(id::TICKET)
        } else {
            NO_TICKET
        }
    }

    /// The `cause` of a wake, with the role of its `by`.
    fn cause(&self) -> WakeCause {
        match (self.cause, self.role) {
            (Some(schema::CAUSE_PUSH), _) => WakeCause::Push,
            (Some(schema::CAUSE_POP), _) => WakeCause::Pop,
            (Some(schema::CAUSE_PASS), _) => WakeCause::Pass,
            (Some(schema::CAUSE_CLOSE), Some(role)) => WakeCause::Close { role },
            (Some(schema::CAUSE_HANDOFF), Some(role)) => WakeCause::Handoff { role },
            _ => WakeCause::Unknown,
        }
    }

    #[inline]
    fn id_of(&self, field: &Field) -> FieldId {
        let i = field.index();
        if i < self.planned {
            self.plan[i]
        } else {
            field_id(field.name())
        }
    }

    /// The event as the log keeps it, or `None` when a field the op needs is
    /// missing or malformed (such an event is ignored). Always inlined: built
    /// in the caller's frame, it is not copied through memory in pieces.
    #[inline(always)]
    pub(crate) fn kind(&self) -> Option<EventKind> {
        Some(match self.op {
            Op::Unknown => return None,
            Op::Created => EventKind::Created {
                capacity: self.number(id::CAPACITY) as usize,
            },
            // A push and a pop carry the same fields.
            Op::Push | Op::Pop | Op::Handoff => {
                let (handle, slot) = (self.number(id::HANDLE), self.number(id::SLOT) as usize);
                let (head, tail) = (self.number(id::HEAD), self.number(id::TAIL));
                let len = self.number(id::LEN) as usize;
                if matches!(self.op, Op::Push | Op::Handoff) {
                    EventKind::Push {
                        handle,
                        slot,
                        head,
                        tail,
                        len,
                        handoff: self.op == Op::Handoff,
                    }
                } else {
                    EventKind::Pop {
                        handle,
                        slot,
                        head,
                        tail,
                        len,
                    }
                }
            }
            Op::SendWait => EventKind::SendWait {
                handle: self.number(id::HANDLE),
                waiting: self.number(id::WAITING_SENDERS) as usize,
                ticket: self.ticket(),
            },
            Op::RecvWait => EventKind::RecvWait {
                handle: self.number(id::HANDLE),
                waiting: self.number(id::WAITING_RECEIVERS) as usize,
                ticket: self.ticket(),
            },
            Op::Wake => EventKind::Wake {
                side: self.side?,
                woken: self.number(id::WOKEN),
                waiting: self.number(id::WAITING) as usize,
                ticket: self.ticket(),
                cause: self.cause(),
                by: self.number(id::BY),
            },
            Op::Leave | Op::LeaveServed => EventKind::Leave {
                side: self.side?,
                handle: self.number(id::HANDLE),
                waiting: self.number(id::WAITING) as usize,
                served: self.op == Op::LeaveServed,
                ticket: self.ticket(),
            },
            Op::SendClosed | Op::RecvClosed => EventKind::Closed {
                role: if self.op == Op::SendClosed {
                    Role::Sender
                } else {
                    Role::Receiver
                },
                handle: self.number(id::HANDLE),
            },
            Op::Handle => EventKind::Handle {
                handle: self.number(id::HANDLE),
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
    fn text(&mut self, field: FieldId, value: &str) {
        match field {
            id::OP => self.op = Op::parse(value),
            id::SIDE => {
                self.side = match value {
                    schema::SIDE_SENDERS => Some(Side::Senders),
                    schema::SIDE_RECEIVERS => Some(Side::Receivers),
                    _ => None,
                }
            }
            id::ROLE => {
                self.role = match value {
                    schema::ROLE_SENDER => Some(Role::Sender),
                    schema::ROLE_RECEIVER => Some(Role::Receiver),
                    _ => None,
                }
            }
            id::CAUSE => {
                self.cause = [
                    schema::CAUSE_PUSH,
                    schema::CAUSE_POP,
                    schema::CAUSE_PASS,
                    schema::CAUSE_CLOSE,
                    schema::CAUSE_HANDOFF,
                ]
                .into_iter()
                .find(|c| *c == value)
            }
            id::FROM => self.from = StateName::parse(value),
            id::TO => self.to = StateName::parse(value),
            id::NAME if !value.is_empty() => self.name = Some(value.to_owned()),
            _ => {}
        }
    }
}

impl Visit for Decoded {
    #[inline]
    fn record_u64(&mut self, field: &Field, value: u64) {
        let id = self.id_of(field);
        if (id as usize) < id::NUMBERS {
            self.numbers[id as usize] = value;
            self.present |= 1 << id;
        }
    }

    fn record_i64(&mut self, field: &Field, value: i64) {
        if let Ok(value) = u64::try_from(value) {
            self.record_u64(field, value);
        }
    }

    fn record_str(&mut self, field: &Field, value: &str) {
        let id = self.id_of(field);
        self.text(id, value);
    }

    /// Text recorded with `%` or `?` instead of as a `&str`: formatted into
    /// a stack buffer (never the heap), quotes stripped. Other fields, such
    /// as a `message`, are not formatted at all.
    fn record_debug(&mut self, field: &Field, value: &dyn fmt::Debug) {
        let id = self.id_of(field);
        if id == id::NAME {
            let text = format!("{value:?}");
            self.text(id, text.trim_matches('"'));
            return;
        }
        if !matches!(
            id,
            id::OP | id::SIDE | id::ROLE | id::FROM | id::TO | id::CAUSE
        ) {
            return;
        }
        let mut buf = StackText::default();
        if write!(buf, "{value:?}").is_ok() {
            self.text(id, buf.as_str().trim_matches('"'));
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

#[cfg(test)]
mod tests {
    use std::sync::{Arc, Mutex};

    use tracing::subscriber::Interest;
    use tracing::{Event, Subscriber};
    use tracing_subscriber::layer::{Context, Layer, SubscriberExt};

    use super::*;
    use crate::channel::schema::TARGET;

    /// Had a plan, `chan`, kind decoded with the plan, kind decoded by name.
    type Seen = (bool, Option<u64>, Option<EventKind>, Option<EventKind>);

    /// Decodes every event twice: with its callsite's plan, and by name.
    struct BothWays {
        plans: Plans,
        seen: Arc<Mutex<Vec<Seen>>>,
    }

    impl<S: Subscriber> Layer<S> for BothWays {
        fn register_callsite(&self, meta: &'static Metadata<'static>) -> Interest {
            self.plans.register(meta);
            Interest::always()
        }
        fn on_event(&self, event: &Event<'_>, _: Context<'_, S>) {
            let plan = self.plans.find(event.metadata());
            let mut planned = Decoded::with_plan(plan);
            event.record(&mut planned);
            let mut by_name = Decoded::default();
            event.record(&mut by_name);
            assert_eq!(planned.chan(), by_name.chan());
            self.seen.lock().unwrap().push((
                plan.is_some(),
                planned.chan(),
                planned.kind(),
                by_name.kind(),
            ));
        }
    }

    #[test]
    fn planned_decoding_equals_decoding_by_name_for_every_op() {
        let seen = Arc::new(Mutex::new(Vec::new()));
        let subscriber = BothWays {
            plans: Plans::new(),
            seen: Arc::clone(&seen),
        };
        let subscriber = tracing_subscriber::registry().with(subscriber);
        tracing::subscriber::with_default(subscriber, || {
            tracing::debug!(target: TARGET, op = "created", chan = 1u64, capacity = 4u64, name = "n");
            tracing::trace!(target: TARGET, op = "push", chan = 1u64, head = 3u64, tail = 1u64, len = 2u64, slot = 2u64, handle = 4u64);
            tracing::trace!(target: TARGET, op = "pop", chan = 1u64, head = 3u64, tail = 2u64, len = 1u64, slot = 1u64, handle = 5u64);
            tracing::trace!(target: TARGET, op = "send_wait", chan = 1u64, handle = 6u64, waiting_senders = 2u64);
            tracing::trace!(target: TARGET, op = "recv_wait", chan = 1u64, handle = 7u64, waiting_receivers = 3u64);
            tracing::trace!(target: TARGET, op = "wake", chan = 1u64, side = "senders", woken = 6u64, waiting = 1u64);
            tracing::debug!(target: TARGET, op = "handle", chan = 1u64, handle = 0u64, role = "receiver", from = "Open", to = "-");
            tracing::debug!(target: TARGET, op = "lifecycle", chan = 1u64, from = "open", to = "closing");
            // Fields in another order, and an extra one, decode the same.
            tracing::trace!(target: TARGET, handle = 4u64, extra = 9u64, slot = 2u64, len = 2u64, tail = 1u64, head = 3u64, chan = 1u64, op = "push");
        });
        let seen = seen.lock().unwrap();
        assert_eq!(seen.len(), 9);
        for (had_plan, chan, planned, by_name) in seen.iter() {
            assert!(had_plan, "every callsite registered a plan");
            assert_eq!(*chan, Some(1));
            assert!(planned.is_some());
            assert_eq!(planned, by_name);
        }
        assert_eq!(
            seen[1].2,
            Some(EventKind::Push {
                handle: 4,
                slot: 2,
                head: 3,
                tail: 1,
                len: 2,
                handoff: false,
            })
        );
        assert_eq!(seen[8].2, seen[1].2);
        assert_eq!(
            seen[6].2,
            Some(EventKind::Handle {
                handle: 0,
                role: Role::Receiver,
                from: HandleState::Open,
                to: HandleState::Dropped
            })
        );
    }
}
