//! Deterministic synthetic snapshots, a fake `Control`, and buffer-to-text,
//! shared by the UI tests and the render bench. Nothing here runs a channel.
#![allow(dead_code)]

use std::sync::Mutex;
use std::time::Duration;

use chanviz::probe::snapshot::{
    Advice, Bucket, ChannelSnapshot, Counters, EventKind, HandleSnapshot, HandleState, Insight,
    Latency, Lifecycle, LifecycleChange, LogEntry, Parked, Percentiles, Role, Side, SlotMessage,
    Snapshot, Transition, WakeCause, WakeNote, Warning, WarningKind, BUCKET_US,
};
use chanviz::scenario::control::{Command, Control, Knobs, Mode, Narration, Rate};
use chanviz::ui::{App, Theme};
use ratatui::buffer::Buffer;

/// A steering wheel that only remembers what it was asked.
pub struct FakeControl {
    /// Every command received, in order.
    pub commands: Mutex<Vec<Command>>,
    /// The mode it reports.
    pub mode: Mutex<Mode>,
    /// What "the script" said, as it reports it.
    pub said: Mutex<Vec<Narration>>,
}

impl FakeControl {
    pub fn new(mode: Mode) -> Self {
        FakeControl {
            commands: Mutex::new(Vec::new()),
            mode: Mutex::new(mode),
            said: Mutex::new(Vec::new()),
        }
    }
    pub fn taken(&self) -> Vec<Command> {
        std::mem::take(&mut self.commands.lock().unwrap())
    }
}

impl Control for FakeControl {
    fn command(&self, cmd: Command) {
        self.commands.lock().unwrap().push(cmd);
    }
    fn knobs(&self) -> Knobs {
        knobs()
    }
    fn mode(&self) -> Mode {
        *self.mode.lock().unwrap()
    }
    fn narrations(&self, from: usize) -> Vec<Narration> {
        self.said
            .lock()
            .unwrap()
            .get(from..)
            .unwrap_or_default()
            .to_vec()
    }
}

pub fn knobs() -> Knobs {
    Knobs {
        producers: 3,
        consumers: 1,
        rate: Rate::PerSec(200.0),
        work: Duration::from_millis(5),
        capacity: 8,
        next_capacity: 8,
        speed: 0.25,
    }
}

fn handle(id: u64, role: Role, changes: &[(u64, HandleState, HandleState)]) -> HandleSnapshot {
    HandleSnapshot {
        id,
        role,
        state: changes.last().map_or(HandleState::Absent, |c| c.2),
        transitions: changes
            .iter()
            .map(|&(at_us, from, to)| Transition { at_us, from, to })
            .collect(),
    }
}

/// 100 ms buckets from 0 to `n`, with a fixed wave of traffic.
pub fn buckets(n: usize, scale: u64) -> Vec<Bucket> {
    (0..n)
        .map(|i| {
            let wave = [3u64, 5, 8, 12, 9, 6, 4, 7, 10, 11][i % 10];
            // A wave on a slow ramp: about 75/s at the start, 165/s at 60 s.
            let sent = (wave + i as u64 / 60) * scale;
            Bucket {
                start_us: i as u64 * BUCKET_US,
                sent,
                received: sent.saturating_sub(scale),
                wakes: wave / 2 * scale,
                max_waiting_senders: [0, 1, 2, 3, 2, 1, 0, 0, 1, 2][i % 10],
                max_waiting_receivers: [1, 0, 0, 0, 0, 0, 1, 1, 0, 0][i % 10],
            }
        })
        .collect()
}

/// A small, closing channel, 60 s into a run: capacity 8, 5 messages
/// (slots 0..=4), head at slot 5 lap 1, tail at slot 0 lap 1, 2 senders
/// parked, S0 closed it at 59 s, S2 was dropped at 40 s.
pub fn channel() -> ChannelSnapshot {
    use HandleState::*;
    let s = 1_000_000u64;
    ChannelSnapshot {
        chan: 1,
        name: Some("jobs".to_string()),
        capacity: 8,
        head: 13,
        tail: 8,
        len: 5,
        slots: vec![true, true, true, true, true, false, false, false],
        waiting_senders: 2,
        waiting_receivers: 0,
        peak_waiting_senders: 3,
        peak_waiting_receivers: 1,
        counters: Counters {
            sent: 13,
            received: 8,
            send_waits: 6,
            recv_waits: 2,
            sender_wakes: 4,
            receiver_wakes: 2,
        },
        handles: vec![
            handle(
                0,
                Role::Sender,
                &[(0, Absent, Open), (59 * s, Open, Closing)],
            ),
            handle(1, Role::Sender, &[(0, Absent, Open)]),
            handle(
                2,
                Role::Sender,
                &[(s / 2, Absent, Open), (40 * s, Open, Dropped)],
            ),
            handle(0, Role::Receiver, &[(0, Absent, Open)]),
        ],
        lifecycle: Lifecycle::Closing,
        lifecycle_history: vec![
            LifecycleChange {
                at_us: 0,
                from: Lifecycle::Open,
                to: Lifecycle::Open,
            },
            LifecycleChange {
                at_us: 59 * s,
                from: Lifecycle::Open,
                to: Lifecycle::Closing,
            },
        ],
        buckets: buckets(600, 1),
        insight: insight(),
    }
}

/// What the fold would know of that channel: five messages (S0 and S1's,
/// the oldest 2.9 s old), S1 then S0 parked, R0's last pop woke S1, the
/// latencies, and the consumer-bound warning with its advice.
pub fn insight() -> Insight {
    let ms = 1_000u64;
    let message = |slot: usize, sender: u64, seq: u64, pushed_ms: u64| SlotMessage {
        slot,
        pos: 8 + slot as u64,
        sender,
        seq,
        pushed_us: pushed_ms * ms,
    };
    let p = |count, mean_ms: f64, p50, p90, p99, max| Percentiles {
        count,
        mean_us: mean_ms * 1e3,
        p50_us: p50 * ms,
        p90_us: p90 * ms,
        p99_us: p99 * ms,
        max_us: max * ms,
    };
    Insight {
        messages: vec![
            message(0, 0, 3, 57_100),
            message(1, 1, 2, 57_600),
            message(2, 0, 4, 58_200),
            message(3, 1, 3, 58_900),
            message(4, 1, 4, 59_500),
        ],
        in_flight: 5,
        parked_senders: vec![
            Parked {
                handle: 1,
                ticket: 4,
                since_us: 58_800 * ms,
            },
            Parked {
                handle: 0,
                ticket: 6,
                since_us: 59_400 * ms,
            },
        ],
        parked_receivers: Vec::new(),
        wakes: vec![WakeNote {
            at_us: 59_900 * ms,
            side: Side::Senders,
            woken: 2,
            cause: WakeCause::Pop,
            by: 0,
            slot: Some(7),
        }],
        queue_time: Latency {
            whole: p(8, 2_100.0, 2_000, 2_800, 3_100, 3_200),
            recent: p(5, 2_400.0, 2_300, 2_900, 3_100, 3_200),
            recent_bars: vec![(1_048_575, 1), (2_097_151, 2), (4_194_303, 2)],
        },
        park_time: Latency {
            whole: p(4, 420.0, 400, 600, 650, 650),
            recent: p(2, 500.0, 450, 600, 600, 600),
            recent_bars: vec![(262_143, 0), (524_287, 1), (1_048_575, 1)],
        },
        warnings: vec![Warning {
            kind: WarningKind::ConsumerBound,
            since_us: 52_000 * ms,
            what: "The consumer is the bottleneck: the ring has been (nearly) full with senders \
                   parked for 8.0s; receivers take 1.5 msg/s and the senders offer more."
                .into(),
            try_this: "Add a consumer, or make each message cheaper to handle. No capacity \
                       helps: a bigger ring only delays the parking."
                .into(),
        }],
        advice: Some(Advice {
            capacity: None,
            reasoning: "No capacity absorbs a steady overload (Little's law: 2.2 msg/s x 2.1s in \
                        queue = 4.6 messages wait on average, and the ring stays full): a bigger \
                        ring only delays the parking; add consumer capacity."
                .into(),
        }),
    }
}

/// A few log entries, one of each kind.
pub fn events() -> Vec<LogEntry> {
    let kinds = [
        EventKind::Created { capacity: 8 },
        EventKind::Push {
            handle: 1,
            slot: 4,
            head: 13,
            tail: 8,
            len: 5,
            handoff: false,
        },
        EventKind::Pop {
            handle: 0,
            slot: 7,
            head: 13,
            tail: 8,
            len: 5,
        },
        EventKind::SendWait {
            handle: 2,
            waiting: 3,
            ticket: 7,
        },
        EventKind::Wake {
            side: Side::Senders,
            woken: 2,
            waiting: 2,
            ticket: 7,
            cause: WakeCause::Pop,
            by: 0,
        },
        EventKind::RecvWait {
            handle: 0,
            waiting: 1,
            ticket: 0,
        },
        EventKind::Handle {
            handle: 0,
            role: Role::Sender,
            from: HandleState::Open,
            to: HandleState::Closing,
        },
        EventKind::Lifecycle {
            from: Lifecycle::Open,
            to: Lifecycle::Closing,
        },
    ];
    kinds
        .into_iter()
        .enumerate()
        .map(|(i, kind)| LogEntry {
            seq: i as u64,
            at_us: 59_000_000 + i as u64 * 12_345,
            chan: 1,
            kind,
        })
        .collect()
}

/// The whole synthetic snapshot, at 60.05 s (the last bucket is filling).
pub fn snapshot() -> Snapshot {
    Snapshot {
        at_us: 60_050_000,
        channels: vec![channel()],
        events: events(),
        events_seen: 12_345,
        events_dropped: 7,
    }
}

/// An app showing [`snapshot`], running, with colours and unicode.
pub fn app() -> App {
    app_with(Theme::new(true, false), Mode::Running)
}

pub fn app_with(theme: Theme, mode: Mode) -> App {
    let mut app = App::new(
        "mpsc",
        "three producers, one consumer: watch the ring fill and senders park",
        theme,
    );
    app.update(snapshot(), knobs(), mode);
    app
}

/// A busy snapshot for the bench: capacity 64, 10,000 log entries, 600 buckets.
pub fn busy_snapshot() -> Snapshot {
    let mut chan = channel();
    chan.capacity = 64;
    chan.slots = (0..64).map(|i| i % 3 != 0).collect();
    chan.head = 64 * 40 + 37;
    chan.tail = 64 * 40 + 3;
    chan.len = 34;
    chan.buckets = buckets(600, 900);
    chan.handles = (0..40)
        .map(|i| {
            handle(
                i,
                if i % 4 == 0 {
                    Role::Receiver
                } else {
                    Role::Sender
                },
                &[(i * 1000, HandleState::Absent, HandleState::Open)],
            )
        })
        .collect();
    let base = events();
    let events = (0..10_000u64)
        .map(|i| LogEntry {
            seq: i,
            at_us: 50_000_000 + i * 1000,
            chan: 1,
            kind: base[(i % base.len() as u64) as usize].kind,
        })
        .collect();
    Snapshot {
        at_us: 60_050_000,
        channels: vec![chan],
        events,
        events_seen: 5_000_000,
        events_dropped: 1234,
    }
}

/// The buffer as text: one line per row, trailing spaces trimmed.
pub fn text(buf: &Buffer) -> String {
    let area = buf.area;
    let mut out = String::new();
    for y in area.top()..area.bottom() {
        let mut line = String::new();
        for x in area.left()..area.right() {
            line.push_str(buf[(x, y)].symbol());
        }
        out.push_str(line.trim_end());
        out.push('\n');
    }
    out
}

/// The title of every panel of the main screen.
pub const PANEL_TITLES: [&str; 6] = [
    "Ring",
    "Waker queues",
    "Type state",
    "Parameters",
    "Throughput",
    "Event log",
];

/// `out` (a screen's text, or an SVG) shows every panel's title.
pub fn assert_every_panel(out: &str) {
    for title in PANEL_TITLES {
        assert!(out.contains(title), "missing {title}: {out}");
    }
}

/// `out` contains every one of `parts`.
pub fn assert_shows(out: &str, parts: &[&str]) {
    for part in parts {
        assert!(out.contains(part), "missing {part:?}: {out}");
    }
}
