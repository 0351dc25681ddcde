//! A recording as Chrome trace-event JSON (the "JSON Object Format"), for
//! ui.perfetto.dev (and chrome://tracing).
//!
//! What a reader finds there:
//! - **A process per channel** (pid = the channel's id), named after the
//!   channel (`bounded_named`, or `#id`) with its capacity. Its counter
//!   tracks, sampled only when the value changes: `ring len` (messages in
//!   the ring), `senders waiting` and `receivers waiting` (the waiter
//!   queues). Its instants: `created`, the lifecycle (`channel open ->
//!   closing`, ...) and the recording's gaps (`gap: N events lost`).
//! - **A thread per handle** (`S0`, `S1`, `R0`, ...; senders and receivers
//!   get distinct tids, none equal to a pid) with a slice for every time it
//!   was parked: `parked (send_wait)` or `parked (recv_wait)`, from the park
//!   to its wake or leave (`args.ended` says which, and who woke it). A
//!   handle that parks again before a wake (a re-registration) ends its
//!   slice there, so slices never overlap; a park still open when the
//!   recording ends closes at the last event and says so
//!   (`args.open_at_end`). Each push and pop is a zero-length `push` or `pop`
//!   slice on its handle's thread (inside a park slice when it happens while
//!   parked), and each type-state transition an instant (`created (Open)`,
//!   `Open -> Closing`, `dropped (was Closed)`).
//! - **An arrow per message**, from its push to its pop (same channel, same
//!   position): a flow `s` bound to the `push` slice, and an `f` (`bp: e`)
//!   bound to the `pop` slice, id unique in the trace, category and name
//!   `message`. All of them, or the first N popped ([`Options::max_flows`]);
//!   `otherData` says how many were drawn and how many exist.
//!
//! Times are the recording's microseconds (`at_us`). Events that share a
//! microsecond are spread one nanosecond apart (`ts` 7994.001, 7994.002,
//! ...), in the recording's order, so that Perfetto reads them in that order
//! and binds every arrow to its own `push` or `pop`; the file lists every
//! timed event in ascending `ts`. The recording's order is the one that
//! counts (a pop after its push, a wake after its park), and a few events
//! are stamped earlier than one before them (each thread reads the clock
//! before the collector orders the events): such an event is drawn 1 ns
//! after the one before it. `otherData` says how far any event moved
//! (`max_shift_ns`) and how many moved 1 µs or more: none in a demo at
//! teaching speed, a few in a thousand at `--rate max`.

use std::borrow::Cow;
use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::io::{self, Write};

use crate::probe::{EventKind, HandleState, Record, Role, Side, WakeCause, NO_TICKET};
use crate::record::Loaded;

/// Category and name of the message arrows (a flow is known by id, category
/// and name together).
pub const FLOW: &str = "message";
/// Name of a sender's park slice.
pub const SEND_PARK: &str = "parked (send_wait)";
/// Name of a receiver's park slice.
pub const RECV_PARK: &str = "parked (recv_wait)";
/// Counter track of the ring's length: event name and argument (Perfetto
/// names the track "ring len").
pub const LEN_COUNTER: (&str, &str) = ("ring", "len");
/// Counter track of the parked senders ("senders waiting").
pub const SENDERS_COUNTER: (&str, &str) = ("senders", "waiting");
/// Counter track of the parked receivers ("receivers waiting").
pub const RECEIVERS_COUNTER: (&str, &str) = ("receivers", "waiting");

/// What to export.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Options {
    /// Draw at most this many message arrows: the first ones popped. `None`:
    /// all of them.
    pub max_flows: Option<u64>,
}

/// What an export wrote.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Stats {
    /// Trace events written (metadata included).
    pub trace_events: u64,
    /// Events in the recording.
    pub recorded_events: u64,
    /// Channels (processes).
    pub channels: u64,
    /// Handles (threads).
    pub handles: u64,
    /// Park slices: one per `send_wait` and `recv_wait`.
    pub park_slices: u64,
    /// Of those, parks still open when the recording ends.
    pub parks_open_at_end: u64,
    /// Message arrows drawn.
    pub flows_drawn: u64,
    /// Messages whose push and pop are both in the recording (the push
    /// first): the arrows there are to draw.
    pub flows_total: u64,
    /// Gaps in the recording.
    pub gaps: u64,
    /// Events lost in them.
    pub lost: u64,
    /// The most an event's `ts` was moved past its recorded time (in ns),
    /// to keep the recording's order: events that share a microsecond are
    /// spread 1 ns apart, and one stamped earlier than the event before it
    /// comes 1 ns after that one.
    pub max_shift_ns: u64,
    /// Events moved by a microsecond or more: stamped earlier than an event
    /// before them in the recording's order (the clock is read before the
    /// collector puts the events in order).
    pub moved_over_1us: u64,
}

/// Write `loaded` to `out` as Chrome trace-event JSON.
pub fn write(loaded: &Loaded, opts: &Options, out: &mut dyn Write) -> io::Result<Stats> {
    let mut trace = Builder::new(&loaded.records, opts);
    trace.run(&loaded.records);
    trace.finish();
    trace.write(loaded, opts, out)
}

// ---- the trace's events ---------------------------------------------------

/// The phase of a trace event, with what only that phase carries.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Phase {
    /// `X`: a slice with its duration.
    Complete { dur_ns: u64 },
    /// `C`.
    Counter,
    /// `i`, with its scope.
    Instant(Scope),
    /// `s`, with the flow's id.
    FlowStart(u64),
    /// `f` (`bp: e`), with the flow's id.
    FlowEnd(u64),
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Scope {
    Thread,
    Process,
}

#[derive(Clone, Debug, PartialEq, Eq)]
enum Arg {
    U(u64),
    S(Cow<'static, str>),
    B(bool),
}

/// At one `ts`, the order Perfetto must read things in: a park slice that
/// begins there, then an operation's zero-length slice (or a thread
/// instant), then the arrows bound to it (a flow binds to the slice open on
/// its thread when Perfetto reads it), then the process's counters and
/// instants.
const RANK_PARK: u8 = 0;
const RANK_ANCHOR: u8 = 1;
const RANK_FLOW: u8 = 2;
const RANK_PROCESS: u8 = 3;

#[derive(Clone, Debug)]
struct Ev {
    ts_ns: u64,
    rank: u8,
    phase: Phase,
    pid: u64,
    tid: Option<u64>,
    name: Cow<'static, str>,
    cat: &'static str,
    args: Vec<(&'static str, Arg)>,
}

// ---- building -------------------------------------------------------------

/// A handle: its channel, its role (0 sender, 1 receiver), its id.
type HandleKey = (u64, u8, u64);

fn role_code(r: Role) -> u8 {
    match r {
        Role::Sender => 0,
        Role::Receiver => 1,
    }
}

fn side_code(s: Side) -> u8 {
    role_code(s.role())
}

fn label(key: HandleKey) -> String {
    format!("{}{}", if key.1 == 0 { "S" } else { "R" }, key.2)
}

/// The handle an event is about, if any.
fn handle_of(chan: u64, kind: &EventKind) -> Option<HandleKey> {
    Some(match *kind {
        EventKind::Push { handle, .. } | EventKind::SendWait { handle, .. } => (chan, 0, handle),
        EventKind::Pop { handle, .. } | EventKind::RecvWait { handle, .. } => (chan, 1, handle),
        EventKind::Wake { side, woken, .. } => (chan, side_code(side), woken),
        EventKind::Leave { side, handle, .. } => (chan, side_code(side), handle),
        EventKind::Closed { role, handle } | EventKind::Handle { role, handle, .. } => {
            (chan, role_code(role), handle)
        }
        _ => return None,
    })
}

#[derive(Default)]
struct ChanInfo {
    name: Option<String>,
    capacity: Option<usize>,
}

/// A park not yet ended.
struct Park {
    start_ns: u64,
    ticket: u64,
    depth: usize,
    seq: u64,
}

/// A push whose pop has not come yet.
struct PushAt {
    ts_ns: u64,
    tid: u64,
}

/// The counters' last values, per channel.
#[derive(Default)]
struct Counters {
    len: Option<usize>,
    senders: Option<usize>,
    receivers: Option<usize>,
}

struct Builder {
    max_flows: Option<u64>,
    chans: BTreeMap<u64, ChanInfo>,
    /// Every handle, in order, with its tid.
    tids: BTreeMap<HandleKey, u64>,
    first_us: Option<u64>,
    events: Vec<Ev>,
    /// Channels seen so far (a gap is shown on those).
    seen: BTreeSet<u64>,
    counters: HashMap<u64, Counters>,
    parks: HashMap<HandleKey, Park>,
    pushes: HashMap<(u64, u64), PushAt>,
    last_ns: Option<u64>,
    stats: Stats,
}

impl Builder {
    /// Read the channels, their names and capacities, and every handle
    /// first, so that each handle gets its tid in a stable order.
    fn new(records: &[Record], opts: &Options) -> Builder {
        let mut chans: BTreeMap<u64, ChanInfo> = BTreeMap::new();
        let mut handles = BTreeSet::new();
        let mut first_us = None;
        let mut recorded = 0;
        for r in records {
            match r {
                Record::Event(e) => {
                    recorded += 1;
                    first_us.get_or_insert(e.at_us);
                    let c = chans.entry(e.chan).or_default();
                    if let EventKind::Created { capacity } = e.kind {
                        c.capacity = Some(capacity);
                    }
                    if let Some(h) = handle_of(e.chan, &e.kind) {
                        handles.insert(h);
                    }
                }
                Record::Named { chan, name } => {
                    chans.entry(*chan).or_default().name = Some(name.clone());
                }
                Record::Gap { .. } => {}
                Record::State(s) => {
                    chans.entry(s.chan).or_default().capacity = Some(s.capacity);
                }
                // A newer kind of record: nothing to know from it (yet).
                #[allow(unreachable_patterns)]
                _ => {}
            }
        }
        // Tids after every pid: Perfetto takes a thread whose tid is a pid
        // for that process's main thread.
        let base = chans.keys().next_back().map_or(1, |c| c + 1);
        let tids = handles.into_iter().zip(base..).collect();
        Builder {
            max_flows: opts.max_flows,
            stats: Stats {
                recorded_events: recorded,
                channels: chans.len() as u64,
                ..Stats::default()
            },
            chans,
            tids,
            first_us,
            events: Vec::new(),
            seen: BTreeSet::new(),
            counters: HashMap::new(),
            parks: HashMap::new(),
            pushes: HashMap::new(),
            last_ns: None,
        }
    }

    /// The `ts` of the next event: its microsecond, or one nanosecond after
    /// the previous event's `ts` if that is not later.
    fn tick(&mut self, at_us: u64) -> u64 {
        let recorded = at_us.saturating_mul(1000);
        let t = match self.last_ns {
            Some(last) => recorded.max(last + 1),
            None => recorded,
        };
        self.stats.max_shift_ns = self.stats.max_shift_ns.max(t - recorded);
        self.stats.moved_over_1us += u64::from(t - recorded >= 1000);
        self.last_ns = Some(t);
        t
    }

    fn run(&mut self, records: &[Record]) {
        for r in records {
            match r {
                Record::Event(e) => {
                    let t = self.tick(e.at_us);
                    self.seen.insert(e.chan);
                    self.event(e.chan, e.seq, &e.kind, t);
                }
                Record::Gap { lost } => {
                    let t = match self.last_ns {
                        Some(last) => last + 1,
                        None => self.first_us.unwrap_or(0).saturating_mul(1000),
                    };
                    self.last_ns = Some(t);
                    self.gap(*lost, t);
                }
                Record::Named { .. } => {}
                #[allow(unreachable_patterns)]
                _ => {}
            }
        }
    }

    fn tid(&self, key: HandleKey) -> u64 {
        // Every handle an event names was found by `new`.
        self.tids.get(&key).copied().unwrap_or(0)
    }

    fn event(&mut self, chan: u64, seq: u64, kind: &EventKind, t: u64) {
        let pid = chan;
        match *kind {
            EventKind::Created { capacity } => {
                self.process_instant(
                    t,
                    pid,
                    format!("created, capacity {capacity}").into(),
                    "lifecycle",
                    vec![("capacity", Arg::U(capacity as u64)), ("seq", Arg::U(seq))],
                );
                self.counter(t, chan, LEN_COUNTER, 0);
                self.counter(t, chan, SENDERS_COUNTER, 0);
                self.counter(t, chan, RECEIVERS_COUNTER, 0);
            }
            EventKind::Push {
                handle,
                slot,
                head,
                len,
                ..
            } => {
                let tid = self.tid((chan, 0, handle));
                let pos = head.saturating_sub(1);
                self.anchor(t, pid, tid, "push", pos, slot, len, seq);
                self.pushes.insert((chan, pos), PushAt { ts_ns: t, tid });
                self.counter(t, chan, LEN_COUNTER, len);
            }
            EventKind::Pop {
                handle,
                slot,
                tail,
                len,
                ..
            } => {
                let tid = self.tid((chan, 1, handle));
                let pos = tail.saturating_sub(1);
                self.anchor(t, pid, tid, "pop", pos, slot, len, seq);
                if let Some(push) = self.pushes.remove(&(chan, pos)) {
                    self.flow(pid, &push, t, tid);
                }
                self.counter(t, chan, LEN_COUNTER, len);
            }
            EventKind::SendWait {
                handle,
                waiting,
                ticket,
                ..
            } => {
                self.park((chan, 0, handle), t, ticket, waiting, seq);
                self.counter(t, chan, SENDERS_COUNTER, waiting);
            }
            EventKind::RecvWait {
                handle,
                waiting,
                ticket,
                ..
            } => {
                self.park((chan, 1, handle), t, ticket, waiting, seq);
                self.counter(t, chan, RECEIVERS_COUNTER, waiting);
            }
            EventKind::Wake {
                side,
                woken,
                waiting,
                ticket,
                cause,
                by,
                ..
            } => {
                let why = woken_by(side, cause, by);
                self.unpark((chan, side_code(side), woken), t, ticket, why.into());
                self.waiting(t, chan, side, waiting);
            }
            EventKind::Leave {
                side,
                handle,
                waiting,
                served,
                ticket,
                ..
            } => {
                let why = if served {
                    "left the queue: its own retry was served"
                } else {
                    "left the queue: the future went away unfinished"
                };
                self.unpark((chan, side_code(side), handle), t, ticket, why.into());
                self.waiting(t, chan, side, waiting);
            }
            EventKind::Closed { role, handle } => {
                let name = match role {
                    Role::Sender => "send ended: channel closed (value returned)",
                    Role::Receiver => "recv ended: channel closed and drained",
                };
                let tid = self.tid((chan, role_code(role), handle));
                self.thread_instant(
                    t,
                    pid,
                    tid,
                    name.into(),
                    "closed",
                    vec![("seq", Arg::U(seq))],
                );
            }
            EventKind::Handle {
                handle,
                role,
                from,
                to,
            } => {
                let name = match (from, to) {
                    (HandleState::Absent, to) => format!("created ({to})"),
                    (from, HandleState::Dropped) => format!("dropped (was {from})"),
                    (from, to) => format!("{from} -> {to}"),
                };
                let tid = self.tid((chan, role_code(role), handle));
                let args = vec![
                    ("from", Arg::S(from.as_str().into())),
                    ("to", Arg::S(to.as_str().into())),
                    ("seq", Arg::U(seq)),
                ];
                self.thread_instant(t, pid, tid, name.into(), "handle", args);
            }
            EventKind::Lifecycle { from, to } => {
                self.process_instant(
                    t,
                    pid,
                    format!("channel {from} -> {to}").into(),
                    "lifecycle",
                    vec![
                        ("from", Arg::S(from.as_str().into())),
                        ("to", Arg::S(to.as_str().into())),
                        ("seq", Arg::U(seq)),
                    ],
                );
            }
            // A newer event kind: nothing to draw for it (yet).
            #[allow(unreachable_patterns)]
            _ => {}
        }
    }

    #[allow(clippy::too_many_arguments)]
    fn anchor(
        &mut self,
        t: u64,
        pid: u64,
        tid: u64,
        name: &'static str,
        pos: u64,
        slot: usize,
        len: usize,
        seq: u64,
    ) {
        self.events.push(Ev {
            ts_ns: t,
            rank: RANK_ANCHOR,
            phase: Phase::Complete { dur_ns: 0 },
            pid,
            tid: Some(tid),
            name: name.into(),
            cat: "op",
            args: vec![
                ("pos", Arg::U(pos)),
                ("slot", Arg::U(slot as u64)),
                ("len", Arg::U(len as u64)),
                ("seq", Arg::U(seq)),
            ],
        });
    }

    /// The arrow of one message, if there are arrows left to draw.
    fn flow(&mut self, pid: u64, push: &PushAt, t: u64, tid: u64) {
        self.stats.flows_total += 1;
        if self.max_flows.is_some_and(|m| self.stats.flows_drawn >= m) {
            return;
        }
        self.stats.flows_drawn += 1;
        let id = self.stats.flows_drawn;
        for (ts_ns, tid, phase) in [
            (push.ts_ns, push.tid, Phase::FlowStart(id)),
            (t, tid, Phase::FlowEnd(id)),
        ] {
            self.events.push(Ev {
                ts_ns,
                rank: RANK_FLOW,
                phase,
                pid,
                tid: Some(tid),
                name: FLOW.into(),
                cat: FLOW,
                args: Vec::new(),
            });
        }
    }

    fn park(&mut self, key: HandleKey, t: u64, ticket: u64, depth: usize, seq: u64) {
        if let Some(before) = self.parks.remove(&key) {
            // Parked again without a wake: the first slice ends here, so
            // that the two do not overlap.
            self.park_slice(
                key,
                before,
                t,
                "parked again before a wake (re-registered)".into(),
                false,
            );
        }
        self.parks.insert(
            key,
            Park {
                start_ns: t,
                ticket,
                depth,
                seq,
            },
        );
    }

    fn unpark(&mut self, key: HandleKey, t: u64, ticket: u64, why: Cow<'static, str>) {
        let Some(park) = self.parks.get(&key) else {
            // Its park is not in the recording (before it began, or in a gap).
            return;
        };
        if ticket != NO_TICKET && park.ticket != NO_TICKET && ticket != park.ticket {
            // The end of an earlier park, whose slice a re-registration
            // already ended.
            return;
        }
        if let Some(park) = self.parks.remove(&key) {
            self.park_slice(key, park, t, why, false);
        }
    }

    fn park_slice(
        &mut self,
        key: HandleKey,
        park: Park,
        end_ns: u64,
        ended: Cow<'static, str>,
        open_at_end: bool,
    ) {
        self.stats.park_slices += 1;
        let mut args = Vec::with_capacity(5);
        if park.ticket != NO_TICKET {
            args.push(("ticket", Arg::U(park.ticket)));
        }
        args.push(("waiting after it parked", Arg::U(park.depth as u64)));
        args.push(("ended", Arg::S(ended)));
        args.push(("open_at_end", Arg::B(open_at_end)));
        args.push(("seq", Arg::U(park.seq)));
        self.events.push(Ev {
            ts_ns: park.start_ns,
            rank: RANK_PARK,
            phase: Phase::Complete {
                dur_ns: end_ns.saturating_sub(park.start_ns),
            },
            pid: key.0,
            tid: Some(self.tid(key)),
            name: if key.1 == 0 { SEND_PARK } else { RECV_PARK }.into(),
            cat: "park",
            args,
        });
    }

    fn waiting(&mut self, t: u64, chan: u64, side: Side, waiting: usize) {
        let which = match side {
            Side::Senders => SENDERS_COUNTER,
            Side::Receivers => RECEIVERS_COUNTER,
        };
        self.counter(t, chan, which, waiting);
    }

    /// A counter sample, if the value changed.
    fn counter(&mut self, t: u64, chan: u64, which: (&'static str, &'static str), v: usize) {
        let c = self.counters.entry(chan).or_default();
        let last = if which == LEN_COUNTER {
            &mut c.len
        } else if which == SENDERS_COUNTER {
            &mut c.senders
        } else {
            &mut c.receivers
        };
        if *last == Some(v) {
            return;
        }
        *last = Some(v);
        self.events.push(Ev {
            ts_ns: t,
            rank: RANK_PROCESS,
            phase: Phase::Counter,
            pid: chan,
            tid: None,
            name: which.0.into(),
            cat: "counter",
            args: vec![(which.1, Arg::U(v as u64))],
        });
    }

    fn thread_instant(
        &mut self,
        t: u64,
        pid: u64,
        tid: u64,
        name: Cow<'static, str>,
        cat: &'static str,
        args: Vec<(&'static str, Arg)>,
    ) {
        self.events.push(Ev {
            ts_ns: t,
            rank: RANK_ANCHOR,
            phase: Phase::Instant(Scope::Thread),
            pid,
            tid: Some(tid),
            name,
            cat,
            args,
        });
    }

    fn process_instant(
        &mut self,
        t: u64,
        pid: u64,
        name: Cow<'static, str>,
        cat: &'static str,
        args: Vec<(&'static str, Arg)>,
    ) {
        self.events.push(Ev {
            ts_ns: t,
            rank: RANK_PROCESS,
            phase: Phase::Instant(Scope::Process),
            pid,
            tid: None,
            name,
            cat,
            args,
        });
    }

    /// A gap: an instant on every channel seen so far (on every channel of
    /// the recording if it comes first).
    fn gap(&mut self, lost: u64, t: u64) {
        self.stats.gaps += 1;
        self.stats.lost += lost;
        let chans: Vec<u64> = if self.seen.is_empty() {
            self.chans.keys().copied().collect()
        } else {
            self.seen.iter().copied().collect()
        };
        for pid in chans {
            self.process_instant(
                t,
                pid,
                format!("gap: {lost} events lost").into(),
                "gap",
                vec![
                    ("lost", Arg::U(lost)),
                    (
                        "meaning",
                        Arg::S(
                            "the recording lost these events (a queue was full): a slice, an \
                             arrow or a transition around here may be missing"
                                .into(),
                        ),
                    ),
                ],
            );
        }
    }

    /// Close the parks still open at the last event, and sort.
    fn finish(&mut self) {
        let end = self.last_ns.unwrap_or(0);
        let mut open: Vec<(HandleKey, Park)> = self.parks.drain().collect();
        open.sort_by_key(|(k, _)| *k);
        for (key, park) in open {
            self.stats.parks_open_at_end += 1;
            self.park_slice(
                key,
                park,
                end,
                "still parked when the recording ends".into(),
                true,
            );
        }
        // Stable: at one (ts, rank), the order the events were made in.
        self.events.sort_by_key(|e| (e.ts_ns, e.rank));
        self.stats.handles = self.tids.len() as u64;
    }

    // ---- writing ----------------------------------------------------------

    fn write(&mut self, loaded: &Loaded, opts: &Options, out: &mut dyn Write) -> io::Result<Stats> {
        let mut n = 0u64;
        out.write_all(b"{\"traceEvents\":[\n")?;
        let mut sep = |out: &mut dyn Write| -> io::Result<()> {
            if n > 0 {
                out.write_all(b",\n")?;
            }
            n += 1;
            Ok(())
        };
        for (&chan, info) in &self.chans {
            let name = info.name.clone().unwrap_or_else(|| format!("#{chan}"));
            let shown = match info.capacity {
                Some(c) => format!("{name} (capacity {c})"),
                None => name,
            };
            let mut args = vec![("name", Arg::S(shown.into())), ("chan", Arg::U(chan))];
            if let Some(c) = info.capacity {
                args.push(("capacity", Arg::U(c as u64)));
            }
            sep(out)?;
            metadata(out, "process_name", chan, None, &args)?;
            sep(out)?;
            metadata(
                out,
                "process_sort_index",
                chan,
                None,
                &[("sort_index", Arg::U(chan))],
            )?;
        }
        let mut index: HashMap<u64, u64> = HashMap::new();
        for (&key, &tid) in &self.tids {
            let i = index.entry(key.0).or_default();
            sep(out)?;
            metadata(
                out,
                "thread_name",
                key.0,
                Some(tid),
                &[("name", Arg::S(label(key).into()))],
            )?;
            sep(out)?;
            metadata(
                out,
                "thread_sort_index",
                key.0,
                Some(tid),
                &[("sort_index", Arg::U(*i))],
            )?;
            *i += 1;
        }
        for e in &self.events {
            sep(out)?;
            event(out, e)?;
        }
        let s = &mut self.stats;
        s.trace_events = n;
        let max_flows = match opts.max_flows {
            Some(m) => m.to_string(),
            None => "null".into(),
        };
        let h = &loaded.header;
        let other = [
            (
                "exported_by",
                Arg::S(format!("chanviz {} export --perfetto", env!("CARGO_PKG_VERSION")).into()),
            ),
            ("scenario", Arg::S(h.scenario.clone().into())),
            (
                "recorded_by",
                Arg::S(format!("chanviz {}", h.chanviz).into()),
            ),
            ("recording_format", Arg::U(u64::from(h.format))),
            ("started_unix_s", Arg::U(h.started_unix_s)),
            ("complete", Arg::B(loaded.truncated_after.is_none())),
            ("recorded_events", Arg::U(s.recorded_events)),
            ("gaps", Arg::U(s.gaps)),
            ("events_lost_in_gaps", Arg::U(s.lost)),
            ("channels", Arg::U(s.channels)),
            ("handles", Arg::U(s.handles)),
            ("park_slices", Arg::U(s.park_slices)),
            ("parks_open_at_end", Arg::U(s.parks_open_at_end)),
            ("max_shift_ns", Arg::U(s.max_shift_ns)),
            ("events_moved_over_1us", Arg::U(s.moved_over_1us)),
            ("flows_drawn", Arg::U(s.flows_drawn)),
            ("flows_total", Arg::U(s.flows_total)),
            (
                "flows",
                Arg::S(
                    format!(
                        "arrows from a push to the pop of the same message: {} drawn of {}{}",
                        s.flows_drawn,
                        s.flows_total,
                        if s.flows_drawn < s.flows_total {
                            " (the first ones popped, --max-flows)"
                        } else {
                            ""
                        }
                    )
                    .into(),
                ),
            ),
            (
                "timestamps",
                Arg::S(
                    "microseconds of the recording (at_us); events in the same microsecond are \
                     spread 1 ns apart, in the recording's order; an event stamped earlier than \
                     the one before it is drawn 1 ns after that one (max_shift_ns: the most an \
                     event was moved; events_moved_over_1us: how many moved 1 us or more)"
                        .into(),
                ),
            ),
        ];
        write!(
            out,
            "\n],\n\"displayTimeUnit\":\"ms\",\n\"otherData\":{{\"max_flows\":{max_flows}"
        )?;
        for (k, v) in &other {
            out.write_all(b",")?;
            string(out, k)?;
            out.write_all(b":")?;
            arg(out, v)?;
        }
        out.write_all(b"}}\n")?;
        Ok(*s)
    }
}

/// Why a parked future was woken, for its slice's `args.ended`.
fn woken_by(side: Side, cause: WakeCause, by: u64) -> String {
    let who = cause.by_role(side).map(|r| format!("{}{by}", r.prefix()));
    match (cause, who) {
        (WakeCause::Push, Some(w)) => format!("woken by {w}'s push"),
        (WakeCause::Pop, Some(w)) => format!("woken by {w}'s pop"),
        (WakeCause::Pass, Some(w)) => format!("woken: {w} passed its wakeup on"),
        (WakeCause::Handoff { .. }, Some(w)) => {
            format!("woken by {w}'s hand-off: its message moved into the ring")
        }
        (WakeCause::Close { .. }, Some(w)) => format!("woken by {w}'s close"),
        _ => "woken".into(),
    }
}

/// A time in nanoseconds as microseconds, exactly.
fn us(ns: u64) -> String {
    if ns % 1000 == 0 {
        (ns / 1000).to_string()
    } else {
        format!("{}.{:03}", ns / 1000, ns % 1000)
    }
}

fn string(out: &mut dyn Write, s: &str) -> io::Result<()> {
    serde_json::to_writer(out, s).map_err(io::Error::from)
}

fn arg(out: &mut dyn Write, v: &Arg) -> io::Result<()> {
    match v {
        Arg::U(u) => write!(out, "{u}"),
        Arg::S(s) => string(out, s),
        Arg::B(b) => write!(out, "{b}"),
    }
}

fn args(out: &mut dyn Write, args: &[(&str, Arg)]) -> io::Result<()> {
    out.write_all(b",\"args\":{")?;
    for (i, (k, v)) in args.iter().enumerate() {
        if i > 0 {
            out.write_all(b",")?;
        }
        string(out, k)?;
        out.write_all(b":")?;
        arg(out, v)?;
    }
    out.write_all(b"}")
}

fn metadata(
    out: &mut dyn Write,
    name: &str,
    pid: u64,
    tid: Option<u64>,
    a: &[(&str, Arg)],
) -> io::Result<()> {
    write!(out, "{{\"name\":\"{name}\",\"ph\":\"M\",\"pid\":{pid}")?;
    if let Some(tid) = tid {
        write!(out, ",\"tid\":{tid}")?;
    }
    args(out, a)?;
    out.write_all(b"}")
}

fn event(out: &mut dyn Write, e: &Ev) -> io::Result<()> {
    out.write_all(b"{\"name\":")?;
    string(out, &e.name)?;
    let ph = match e.phase {
        Phase::Complete { .. } => "X",
        Phase::Counter => "C",
        Phase::Instant(_) => "i",
        Phase::FlowStart(_) => "s",
        Phase::FlowEnd(_) => "f",
    };
    write!(
        out,
        ",\"cat\":\"{}\",\"ph\":\"{ph}\",\"ts\":{},\"pid\":{}",
        e.cat,
        us(e.ts_ns),
        e.pid
    )?;
    if let Some(tid) = e.tid {
        write!(out, ",\"tid\":{tid}")?;
    }
    match e.phase {
        Phase::Complete { dur_ns } => write!(out, ",\"dur\":{}", us(dur_ns))?,
        Phase::Instant(Scope::Thread) => out.write_all(b",\"s\":\"t\"")?,
        Phase::Instant(Scope::Process) => out.write_all(b",\"s\":\"p\"")?,
        Phase::FlowStart(id) => write!(out, ",\"id\":{id}")?,
        Phase::FlowEnd(id) => write!(out, ",\"id\":{id},\"bp\":\"e\"")?,
        Phase::Counter => {}
    }
    if !e.args.is_empty() {
        args(out, &e.args)?;
    }
    out.write_all(b"}")
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::record::Header;

    fn loaded(records: Vec<Record>) -> Loaded {
        Loaded {
            header: Header {
                format: crate::record::VERSION,
                chanviz: "0.1.0".into(),
                started_unix_s: 0,
                scenario: "t".into(),
                scenario_toml: String::new(),
            },
            records,
            summary: None,
            truncated_after: Some(0),
        }
    }

    fn export(records: Vec<Record>) -> (serde_json::Value, Stats) {
        let mut out = Vec::new();
        let stats = write(&loaded(records), &Options::default(), &mut out).unwrap();
        let json = serde_json::from_slice(&out).expect("valid JSON");
        (json, stats)
    }

    #[test]
    fn times_are_exact_microseconds() {
        assert_eq!(us(0), "0");
        assert_eq!(us(7_994_000), "7994");
        assert_eq!(us(7_994_001), "7994.001");
        assert_eq!(us(7_994_120), "7994.120");
    }

    /// No event at all: still a trace, with nothing in it.
    #[test]
    fn an_empty_recording_is_an_empty_trace() {
        let (json, stats) = export(Vec::new());
        assert_eq!(json["traceEvents"].as_array().map(Vec::len), Some(0));
        assert_eq!(json["otherData"]["complete"], false);
        assert_eq!(
            (stats.trace_events, stats.channels, stats.handles),
            (0, 0, 0)
        );
    }

    /// A recording that starts after `created` (no capacity) and with a
    /// gap before its first event: the process is named by id, the gap is
    /// shown on it, and a wake without its park draws no slice.
    #[test]
    fn a_recording_that_starts_late() {
        let records = vec![
            Record::Gap { lost: 2 },
            Record::Event(crate::probe::LogEntry {
                seq: 2,
                at_us: 50,
                chan: 3,
                kind: EventKind::Wake {
                    side: Side::Senders,
                    woken: 1,
                    waiting: 0,
                    ticket: NO_TICKET,
                    cause: WakeCause::Unknown,
                    by: 0,
                },
            }),
        ];
        let (json, stats) = export(records);
        let events = json["traceEvents"].as_array().unwrap();
        let name = events
            .iter()
            .find(|e| e["name"] == "process_name")
            .map(|e| e["args"]["name"].clone());
        assert_eq!(name, Some("#3".into()));
        let gap = events.iter().find(|e| e["cat"] == "gap").expect("a gap");
        assert_eq!(
            (gap["pid"].as_u64(), gap["ts"].as_u64()),
            (Some(3), Some(50))
        );
        assert_eq!(stats.park_slices, 0);
        assert_eq!((stats.gaps, stats.lost, stats.handles), (1, 2, 1));
        // The wake comes after the gap, 1 ns later.
        let c = events.iter().find(|e| e["ph"] == "C").expect("a counter");
        assert_eq!(c["ts"].as_f64(), Some(50.001));
    }
}
