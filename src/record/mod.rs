//! Recordings: the probe's stream of records written to a file that a
//! reader can follow while it grows, and read back into a `probe::History`
//! for `chanviz replay`.
//!
//! # Format, version 4 (versions 1 to 3 read too)
//! ```text
//! magic      "CHANVIZREC\n"                      11 bytes
//! version    u8 (4)
//! header     u32 LE length, then JSON: {"format":2,"chanviz":"0.1.0",
//!            "started_unix_s":1764350000,"scenario":"NAME","scenario_toml":"..."}
//! frames     u32 LE length, then one batch of records, until the end of file
//! ```
//! A frame holds records back to back, each a tag byte and LEB128 varints:
//! - `0x10` event: time delta (zig-zag, µs since the previous event), chan,
//!   then the event's own tag and fields (`0` created: capacity; `1` push and
//!   `2` pop: handle, slot, head, tail, len; `3` send_wait and `4` recv_wait:
//!   handle, waiting; `5` wake: side (0 senders, 1 receivers), woken,
//!   waiting; `6` handle: handle, role (0 sender, 1 receiver), from, to
//!   (0 absent, 1 open, 2 closing, 3 closed, 4 dropped); `7` lifecycle:
//!   from, to (0 open, 1 closing, 2 closed); `8` leave (format 2): side,
//!   handle, waiting, served (0/1); format 3, schema v2's fields: `9`
//!   send_wait and `10` recv_wait: handle, waiting, ticket; `11` wake: side,
//!   woken, waiting, ticket, cause (0 unknown, 1 push, 2 pop, 3 pass, 4 close
//!   by a sender, 5 close by a receiver), by; `12` leave: side, handle,
//!   waiting, served, ticket; `13` closed: role, handle; format 4, schema
//!   v3's hand-off: `14` handoff: as a push (the parked sender's id, slot,
//!   head, tail, len), and wake causes 6 (hand-off by a sender) and 7
//!   (hand-off by a receiver). A ticket is written
//!   plus one, 0 meaning none. Format 3 writes tags 9 to 13 instead of 3, 4,
//!   5 and 8, which still read). Events are numbered in order:
//!   the first one of the file is the stream's `first_seq` (in the header's
//!   first frame, see below), each next one the next number.
//! - `0x11` named: chan, name length, UTF-8 bytes.
//! - `0x12` gap: events lost.
//! - `0x14` state (a stream that starts late: `chanviz attach` to a running
//!   program; before the first event): chan, at (µs), created (µs),
//!   capacity, head, tail, sent, received, send_waits, recv_waits,
//!   sender_wakes, receiver_wakes, waiting senders and receivers, their
//!   peaks, lifecycle, then the number of handles and each one's id, role
//!   and state. A reader older than it stops there (a file written by
//!   `Recorder` never has one).
//! - `0x13` start: the number of the first event and its time in µs (written
//!   once, before the first event; the time deltas count from it).
//! - `0x20` summary, text; `0x21` summary, JSON line: length and UTF-8 bytes,
//!   written once when the run ends (a file without them was cut short).
//!
//! # Recording your own program
//! With `chanviz = { version = "0.1", default-features = false, features =
//! ["record"] }` (the probe and this module; no ratatui, crossterm, clap or
//! tokio):
//! ```no_run
//! use chanviz::probe::ProbeLayer;
//! use chanviz::record::{Header, Recorder, VERSION};
//!
//! let probe = ProbeLayer::new().probe();
//! tracing::dispatcher::set_global_default(probe.dispatch()).unwrap();
//! let header = Header {
//!     format: VERSION,
//!     chanviz: "0.1.0".into(),
//!     started_unix_s: 0,
//!     scenario: "my-program".into(),
//!     scenario_toml: String::new(),
//! };
//! let recorder = Recorder::start("run.rec".as_ref(), &header, &probe).unwrap();
//! // ... the program's chanviz channels run here ...
//! recorder.finish(String::new(), String::new()).unwrap();
//! // then: chanviz replay run.rec
//! ```
//!
//! A frame is written whole and flushed; a reader that finds a frame cut
//! short (its writer was killed) stops before it and says where. Measured
//! sizes are in README.md ("Recordings").

use std::fmt;
use std::fs::File;
use std::io::{self, BufWriter, Read, Write};
use std::path::Path;
use std::sync::mpsc::{sync_channel, SyncSender, TrySendError};
use std::sync::{Arc, Mutex, RwLock};
use std::thread::JoinHandle;

use crate::probe::{
    ChannelState, Counters, EventKind, HandleState, History, Lifecycle, LogEntry, Probe, Record,
    Role, Side, WakeCause, NO_TICKET,
};

/// The bytes every recording starts with.
pub const MAGIC: &[u8] = b"CHANVIZREC\n";
/// The format version this chanviz writes (and the newest it reads):
/// version 2 adds the `leave` events of schema v2 (tag 8), version 3 the
/// tickets, wake causes and `closed` events (tags 9 to 13), version 4
/// schema v3's hand-off (tag 14, wake causes 6 and 7); older files read as
/// before (their tickets and causes are unknown).
pub const VERSION: u8 = 4;
/// Batches the writer thread may be behind before the recording drops
/// (and records a gap instead): the collector never waits on the disk.
const QUEUE_BATCHES: usize = 4096;

/// What a recording says about itself.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Header {
    /// Format version.
    pub format: u8,
    /// The chanviz that wrote it.
    pub chanviz: String,
    /// When the run started, seconds since 1970 (UTC).
    pub started_unix_s: u64,
    /// The scenario's name.
    pub scenario: String,
    /// The scenario file's text (for a demo, its embedded TOML).
    pub scenario_toml: String,
}

// ---- encoding -------------------------------------------------------------

fn put(out: &mut Vec<u8>, mut v: u64) {
    loop {
        let byte = (v & 0x7f) as u8;
        v >>= 7;
        if v == 0 {
            out.push(byte);
            return;
        }
        out.push(byte | 0x80);
    }
}

fn put_i(out: &mut Vec<u8>, v: i64) {
    put(out, ((v << 1) ^ (v >> 63)) as u64);
}

fn put_str(out: &mut Vec<u8>, s: &str) {
    put(out, s.len() as u64);
    out.extend_from_slice(s.as_bytes());
}

fn state_code(s: HandleState) -> u64 {
    match s {
        HandleState::Absent => 0,
        HandleState::Open => 1,
        HandleState::Closing => 2,
        HandleState::Closed => 3,
        HandleState::Dropped => 4,
    }
}

fn lifecycle_code(l: Lifecycle) -> u64 {
    match l {
        Lifecycle::Open => 0,
        Lifecycle::Closing => 1,
        Lifecycle::Closed => 2,
    }
}

/// Encodes records into frames; keeps the previous event's time.
#[derive(Default)]
pub(crate) struct Encoder {
    last_us: u64,
    started: bool,
}

impl Encoder {
    pub(crate) fn record(&mut self, out: &mut Vec<u8>, r: &Record) {
        match r {
            Record::Event(e) => {
                if !self.started {
                    self.started = true;
                    out.push(0x13);
                    put(out, e.seq);
                    put(out, e.at_us);
                    self.last_us = e.at_us;
                }
                out.push(0x10);
                put_i(out, e.at_us as i64 - self.last_us as i64);
                self.last_us = e.at_us;
                put(out, e.chan);
                event(out, &e.kind);
            }
            Record::Named { chan, name } => {
                out.push(0x11);
                put(out, *chan);
                put_str(out, name);
            }
            Record::Gap { lost } => {
                out.push(0x12);
                put(out, *lost);
            }
            Record::State(s) => {
                out.push(0x14);
                put(out, s.chan);
                put(out, s.at_us);
                put(out, s.created_us);
                put(out, s.capacity as u64);
                put(out, s.head);
                put(out, s.tail);
                let c = &s.counters;
                for v in [
                    c.sent,
                    c.received,
                    c.send_waits,
                    c.recv_waits,
                    c.sender_wakes,
                    c.receiver_wakes,
                ] {
                    put(out, v);
                }
                for v in [
                    s.waiting_senders,
                    s.waiting_receivers,
                    s.peak_waiting_senders,
                    s.peak_waiting_receivers,
                ] {
                    put(out, v as u64);
                }
                put(out, lifecycle_code(s.lifecycle));
                put(out, s.handles.len() as u64);
                for &(id, role, state) in &s.handles {
                    put(out, id);
                    put(out, u64::from(role == Role::Receiver));
                    put(out, state_code(state));
                }
            }
        }
    }
}

fn event(out: &mut Vec<u8>, k: &EventKind) {
    match *k {
        EventKind::Created { capacity } => {
            out.push(0);
            put(out, capacity as u64);
        }
        EventKind::Push {
            handle,
            slot,
            head,
            tail,
            len,
            ..
        }
        | EventKind::Pop {
            handle,
            slot,
            head,
            tail,
            len,
        } => {
            out.push(match k {
                EventKind::Push { handoff: true, .. } => 14,
                EventKind::Push { .. } => 1,
                _ => 2,
            });
            for v in [handle, slot as u64, head, tail, len as u64] {
                put(out, v);
            }
        }
        EventKind::SendWait {
            handle,
            waiting,
            ticket,
        }
        | EventKind::RecvWait {
            handle,
            waiting,
            ticket,
        } => {
            out.push(if matches!(k, EventKind::SendWait { .. }) {
                9
            } else {
                10
            });
            put(out, handle);
            put(out, waiting as u64);
            put(out, ticket_code(ticket));
        }
        EventKind::Wake {
            side,
            woken,
            waiting,
            ticket,
            cause,
            by,
        } => {
            out.push(11);
            put(out, u64::from(side == Side::Receivers));
            put(out, woken);
            put(out, waiting as u64);
            put(out, ticket_code(ticket));
            put(out, cause_code(cause));
            put(out, by);
        }
        EventKind::Closed { role, handle } => {
            out.push(13);
            put(out, u64::from(role == Role::Receiver));
            put(out, handle);
        }
        EventKind::Handle {
            handle,
            role,
            from,
            to,
        } => {
            out.push(6);
            put(out, handle);
            put(out, u64::from(role == Role::Receiver));
            put(out, state_code(from));
            put(out, state_code(to));
        }
        EventKind::Leave {
            side,
            handle,
            waiting,
            served,
            ticket,
        } => {
            out.push(12);
            put(out, u64::from(side == Side::Receivers));
            put(out, handle);
            put(out, waiting as u64);
            put(out, u64::from(served));
            put(out, ticket_code(ticket));
        }
        EventKind::Lifecycle { from, to } => {
            out.push(7);
            put(out, lifecycle_code(from));
            put(out, lifecycle_code(to));
        }
    }
}

/// A ticket as written: plus one, 0 for none.
fn ticket_code(ticket: u64) -> u64 {
    if ticket == NO_TICKET {
        0
    } else {
        ticket + 1
    }
}

fn ticket_of(code: u64) -> u64 {
    code.checked_sub(1).unwrap_or(NO_TICKET)
}

fn cause_code(cause: WakeCause) -> u64 {
    match cause {
        WakeCause::Unknown => 0,
        WakeCause::Push => 1,
        WakeCause::Pop => 2,
        WakeCause::Pass => 3,
        WakeCause::Close { role: Role::Sender } => 4,
        WakeCause::Close {
            role: Role::Receiver,
        } => 5,
        WakeCause::Handoff { role: Role::Sender } => 6,
        WakeCause::Handoff {
            role: Role::Receiver,
        } => 7,
    }
}

fn cause_of(code: u64) -> Option<WakeCause> {
    Some(match code {
        0 => WakeCause::Unknown,
        1 => WakeCause::Push,
        2 => WakeCause::Pop,
        3 => WakeCause::Pass,
        4 => WakeCause::Close { role: Role::Sender },
        5 => WakeCause::Close {
            role: Role::Receiver,
        },
        6 => WakeCause::Handoff { role: Role::Sender },
        7 => WakeCause::Handoff {
            role: Role::Receiver,
        },
        _ => return None,
    })
}

fn side_of(code: u64) -> Side {
    if code == 1 {
        Side::Receivers
    } else {
        Side::Senders
    }
}

/// The magic, the version and the header frame.
pub(crate) fn header_bytes(header: &Header) -> Vec<u8> {
    let json = serde_json::json!({
        "format": VERSION,
        "chanviz": header.chanviz,
        "started_unix_s": header.started_unix_s,
        "scenario": header.scenario,
        "scenario_toml": header.scenario_toml,
    })
    .to_string();
    let mut out = MAGIC.to_vec();
    out.push(VERSION);
    out.extend_from_slice(&(json.len() as u32).to_le_bytes());
    out.extend_from_slice(json.as_bytes());
    out
}

/// A whole recording in memory: the header, `records` in frames of
/// `per_frame`, and the summary if given (as [`Recorder`] writes it).
pub fn to_bytes(
    header: &Header,
    records: &[Record],
    per_frame: usize,
    summary: Option<(&str, &str)>,
) -> Vec<u8> {
    let mut out = header_bytes(header);
    let mut enc = Encoder::default();
    for chunk in records.chunks(per_frame.max(1)) {
        let mut frame = Vec::new();
        for r in chunk {
            enc.record(&mut frame, r);
        }
        out.extend_from_slice(&(frame.len() as u32).to_le_bytes());
        out.extend_from_slice(&frame);
    }
    if let Some((text, json)) = summary {
        let mut frame = vec![0x20];
        put_str(&mut frame, text);
        frame.push(0x21);
        put_str(&mut frame, json);
        out.extend_from_slice(&(frame.len() as u32).to_le_bytes());
        out.extend_from_slice(&frame);
    }
    out
}

// ---- writing --------------------------------------------------------------

/// What the writer thread is told.
enum ToWriter {
    Batch(Vec<Record>),
    /// Events the collector could not hand over (the writer was behind).
    Lost(u64),
    Summary {
        text: String,
        json: String,
    },
}

/// What the probe's collector shares with [`Recorder::finish`].
struct SinkState {
    /// `None` once the recording is finished.
    tx: Option<SyncSender<ToWriter>>,
    /// Events in batches dropped since the last gap written.
    lost: u64,
    /// Channel names from dropped batches, sent with the next batch that
    /// goes (a name is not an event: it is never lost).
    names: Vec<Record>,
}

impl SinkState {
    /// Hand `records` to the writer, or count them as lost if it is behind.
    fn offer(&mut self, records: &[Record]) {
        let Some(tx) = self.tx.as_ref() else { return };
        if self.lost > 0 && tx.try_send(ToWriter::Lost(self.lost)).is_ok() {
            self.lost = 0;
        }
        let batch = if self.names.is_empty() {
            records.to_vec()
        } else {
            let mut b = std::mem::take(&mut self.names);
            b.extend_from_slice(records);
            b
        };
        if let Err(TrySendError::Full(ToWriter::Batch(b))) = tx.try_send(ToWriter::Batch(batch)) {
            for r in b {
                match r {
                    Record::Event(_) => self.lost += 1,
                    // The probe's own gaps in this batch are lost events too.
                    Record::Gap { lost } => self.lost += lost,
                    // A name or a state is not an event: never lost.
                    keep @ (Record::Named { .. } | Record::State(_)) => self.names.push(keep),
                }
            }
        }
    }
}

/// A recording being written: a sink on the probe feeds a thread of its
/// own that encodes and writes, so the probe's collector never waits on the
/// disk; if the writer falls behind, batches are dropped and recorded as a
/// gap.
pub struct Recorder {
    state: Arc<Mutex<SinkState>>,
    probe: Probe,
    thread: Option<JoinHandle<io::Result<u64>>>,
}

impl fmt::Debug for Recorder {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Recorder").finish_non_exhaustive()
    }
}

impl Recorder {
    /// Create `path`, write the header, and record everything `probe`'s
    /// stream carries from now on.
    pub fn start(path: &Path, header: &Header, probe: &Probe) -> io::Result<Recorder> {
        let mut file = BufWriter::new(File::create(path)?);
        file.write_all(&header_bytes(header))?;
        file.flush()?;
        let (tx, rx) = sync_channel::<ToWriter>(QUEUE_BATCHES);
        let thread = std::thread::Builder::new()
            .name("chanviz-recorder".into())
            .spawn(move || write_loop(file, rx))?;
        let state = Arc::new(Mutex::new(SinkState {
            tx: Some(tx),
            lost: 0,
            names: Vec::new(),
        }));
        let sink_state = state.clone();
        probe.add_sink(Box::new(move |records: &[Record]| {
            // Taken only here and once by `finish`: never waits on the disk.
            sink_state
                .lock()
                .unwrap_or_else(|e| e.into_inner())
                .offer(records);
        }));
        Ok(Recorder {
            state,
            probe: probe.clone(),
            thread: Some(thread),
        })
    }

    /// End the recording: write the run's summary (as the text and the JSON
    /// line the headless run prints), flush, and close the file. Returns the
    /// events written. Call it once the recorded channels are done: every
    /// event they emitted before is in the file.
    pub fn finish(mut self, text: String, json: String) -> io::Result<u64> {
        // Each call runs the collector once, and it hands what it drained
        // to this recorder's sink before returning; `HOLD_LIMIT + 1` drains
        // also let out any event still held for a cause that never came.
        for _ in 0..=crate::probe::stream::HOLD_LIMIT {
            let _ = self.probe.history_bounds();
        }
        let (tx, lost, names) = {
            let mut s = self.state.lock().unwrap_or_else(|e| e.into_inner());
            (
                s.tx.take(),
                std::mem::take(&mut s.lost),
                std::mem::take(&mut s.names),
            )
        };
        if let Some(tx) = tx {
            // The writer may be behind: from here on, wait for it.
            if lost > 0 {
                let _ = tx.send(ToWriter::Lost(lost));
            }
            if !names.is_empty() {
                let _ = tx.send(ToWriter::Batch(names));
            }
            let _ = tx.send(ToWriter::Summary { text, json });
        }
        match self.thread.take().map(JoinHandle::join) {
            Some(Ok(r)) => r,
            Some(Err(_)) => Err(io::Error::other("the recorder thread panicked")),
            None => Ok(0),
        }
    }
}

impl Drop for Recorder {
    fn drop(&mut self) {
        // Without `finish`: close the file as it is (a reader sees no summary).
        self.state
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .tx
            .take();
        if let Some(t) = self.thread.take() {
            let _ = t.join();
        }
    }
}

fn write_loop(
    mut file: BufWriter<File>,
    rx: std::sync::mpsc::Receiver<ToWriter>,
) -> io::Result<u64> {
    let mut enc = Encoder::default();
    let mut events = 0u64;
    let mut frame = Vec::with_capacity(1 << 16);
    while let Ok(msg) = rx.recv() {
        frame.clear();
        match msg {
            ToWriter::Batch(records) => {
                for r in &records {
                    events += u64::from(matches!(r, Record::Event(_)));
                    enc.record(&mut frame, r);
                }
            }
            ToWriter::Lost(n) => enc.record(&mut frame, &Record::Gap { lost: n }),
            ToWriter::Summary { text, json } => {
                frame.push(0x20);
                put_str(&mut frame, &text);
                frame.push(0x21);
                put_str(&mut frame, &json);
            }
        }
        if frame.is_empty() {
            continue;
        }
        file.write_all(&(frame.len() as u32).to_le_bytes())?;
        file.write_all(&frame)?;
        file.flush()?;
    }
    file.flush()?;
    Ok(events)
}

// ---- reading --------------------------------------------------------------

/// Why a file could not be read as a recording.
#[derive(Debug)]
pub enum LoadError {
    /// It could not be opened or read.
    Io(String, io::Error),
    /// It is not a chanviz recording.
    NotARecording(String),
    /// A newer format than this chanviz reads.
    TooNew(String, u8),
    /// Its header or a frame makes no sense.
    Corrupt(String, String),
}

impl fmt::Display for LoadError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            LoadError::Io(p, e) => write!(f, "{p}: cannot read it: {e}"),
            LoadError::NotARecording(p) => write!(
                f,
                "{p}: not a chanviz recording (make one with chanviz demo NAME --record FILE)"
            ),
            LoadError::TooNew(p, v) => write!(
                f,
                "{p}: recording format version {v} is newer than this chanviz reads ({VERSION}): \
                 use a newer chanviz"
            ),
            LoadError::Corrupt(p, why) => write!(f, "{p}: not a readable recording: {why}"),
        }
    }
}

impl std::error::Error for LoadError {}

/// A recording read back.
#[derive(Debug)]
pub struct Loaded {
    /// What it says about itself.
    pub header: Header,
    /// Every record, in order.
    pub records: Vec<Record>,
    /// The run's summary as its headless run printed it (text, JSON line),
    /// if the recording was finished.
    pub summary: Option<(String, String)>,
    /// Set when the file was cut short (its writer was killed or has not
    /// finished yet): it ends inside a frame, or between two frames without
    /// the run's summary. The number of events read, up to the last whole
    /// frame.
    pub truncated_after: Option<u64>,
}

impl Loaded {
    /// The history of every event (for the view and the headless replay).
    pub fn history(&self) -> RwLock<History> {
        let events = self
            .records
            .iter()
            .filter(|r| matches!(r, Record::Event(_)))
            .count();
        let mut h = History::new(events.max(1));
        for r in &self.records {
            h.push_record(r);
        }
        RwLock::new(h)
    }

    /// Events in the recording.
    pub fn events(&self) -> u64 {
        self.records
            .iter()
            .filter(|r| matches!(r, Record::Event(_)))
            .count() as u64
    }
}

/// The run's summary (its JSON line) against the fold of the recorded
/// events: pushes are the messages sent, pops those received. `None` when
/// they agree; otherwise what differs, and whether the recording's gaps
/// (`lost` events) explain it.
pub fn cross_check(summary_json: &str, pushes: u64, pops: u64, lost: u64) -> Option<String> {
    let v: serde_json::Value = serde_json::from_str(summary_json).ok()?;
    let (sent, received) = (v.get("sent")?.as_u64()?, v.get("received")?.as_u64()?);
    if (sent, received) == (pushes, pops) {
        return None;
    }
    let events = format!(
        "its events show {pushes} pushes and {pops} pops, its summary {sent} sent and \
         {received} received"
    );
    Some(if lost > 0 {
        format!("{events} ({lost} events were lost in gaps while it was recorded)")
    } else {
        format!("{events}, with no gap: the recording does not hold every event")
    })
}

struct Cursor<'a> {
    bytes: &'a [u8],
    at: usize,
}

impl Cursor<'_> {
    fn byte(&mut self) -> Option<u8> {
        let b = *self.bytes.get(self.at)?;
        self.at += 1;
        Some(b)
    }

    fn uint(&mut self) -> Option<u64> {
        let mut v = 0u64;
        for shift in (0..64).step_by(7) {
            let b = self.byte()?;
            v |= u64::from(b & 0x7f) << shift;
            if b & 0x80 == 0 {
                return Some(v);
            }
        }
        None
    }

    fn int(&mut self) -> Option<i64> {
        let u = self.uint()?;
        Some(((u >> 1) as i64) ^ -((u & 1) as i64))
    }

    fn string(&mut self) -> Option<String> {
        let n = usize::try_from(self.uint()?).ok()?;
        let end = self.at.checked_add(n)?;
        let s = std::str::from_utf8(self.bytes.get(self.at..end)?).ok()?;
        self.at = end;
        Some(s.to_string())
    }
}

fn state(v: u64) -> Option<HandleState> {
    Some(match v {
        0 => HandleState::Absent,
        1 => HandleState::Open,
        2 => HandleState::Closing,
        3 => HandleState::Closed,
        4 => HandleState::Dropped,
        _ => return None,
    })
}

fn lifecycle(v: u64) -> Option<Lifecycle> {
    Some(match v {
        0 => Lifecycle::Open,
        1 => Lifecycle::Closing,
        2 => Lifecycle::Closed,
        _ => return None,
    })
}

fn read_event(c: &mut Cursor<'_>) -> Option<EventKind> {
    let u = |c: &mut Cursor<'_>| c.uint();
    Some(match c.byte()? {
        0 => EventKind::Created {
            capacity: u(c)? as usize,
        },
        t @ (1 | 2 | 14) => {
            let (handle, slot, head, tail, len) =
                (u(c)?, u(c)? as usize, u(c)?, u(c)?, u(c)? as usize);
            if t != 2 {
                EventKind::Push {
                    handle,
                    slot,
                    head,
                    tail,
                    len,
                    handoff: t == 14,
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
        t @ (3 | 4 | 9 | 10) => {
            let (handle, waiting) = (u(c)?, u(c)? as usize);
            let ticket = if t >= 9 { ticket_of(u(c)?) } else { NO_TICKET };
            if t == 3 || t == 9 {
                EventKind::SendWait {
                    handle,
                    waiting,
                    ticket,
                }
            } else {
                EventKind::RecvWait {
                    handle,
                    waiting,
                    ticket,
                }
            }
        }
        5 => EventKind::Wake {
            side: side_of(u(c)?),
            woken: u(c)?,
            waiting: u(c)? as usize,
            ticket: NO_TICKET,
            cause: WakeCause::Unknown,
            by: 0,
        },
        11 => EventKind::Wake {
            side: side_of(u(c)?),
            woken: u(c)?,
            waiting: u(c)? as usize,
            ticket: ticket_of(u(c)?),
            cause: cause_of(u(c)?)?,
            by: u(c)?,
        },
        13 => EventKind::Closed {
            role: if u(c)? == 1 {
                Role::Receiver
            } else {
                Role::Sender
            },
            handle: u(c)?,
        },
        6 => EventKind::Handle {
            handle: u(c)?,
            role: if u(c)? == 1 {
                Role::Receiver
            } else {
                Role::Sender
            },
            from: state(u(c)?)?,
            to: state(u(c)?)?,
        },
        7 => EventKind::Lifecycle {
            from: lifecycle(u(c)?)?,
            to: lifecycle(u(c)?)?,
        },
        t @ (8 | 12) => EventKind::Leave {
            side: side_of(u(c)?),
            handle: u(c)?,
            waiting: u(c)? as usize,
            served: u(c)? == 1,
            ticket: if t == 12 { ticket_of(u(c)?) } else { NO_TICKET },
        },
        _ => return None,
    })
}

fn read_state(c: &mut Cursor<'_>) -> Option<ChannelState> {
    let (chan, at_us, created_us, capacity, head, tail) = (
        c.uint()?,
        c.uint()?,
        c.uint()?,
        usize::try_from(c.uint()?).ok()?,
        c.uint()?,
        c.uint()?,
    );
    let counters = Counters {
        sent: c.uint()?,
        received: c.uint()?,
        send_waits: c.uint()?,
        recv_waits: c.uint()?,
        sender_wakes: c.uint()?,
        receiver_wakes: c.uint()?,
    };
    let mut depth = || usize::try_from(c.uint()?).ok();
    let (waiting_senders, waiting_receivers, peak_waiting_senders, peak_waiting_receivers) =
        (depth()?, depth()?, depth()?, depth()?);
    let lifecycle = lifecycle(c.uint()?)?;
    let n = c.uint()?;
    // Every handle takes at least 3 bytes: a count larger than what is
    // left is a corrupt record, not an allocation to make.
    if n > (c.bytes.len() - c.at) as u64 / 3 {
        return None;
    }
    let mut handles = Vec::with_capacity(n as usize);
    for _ in 0..n {
        let id = c.uint()?;
        let role = if c.uint()? == 1 {
            Role::Receiver
        } else {
            Role::Sender
        };
        handles.push((id, role, state(c.uint()?)?));
    }
    Some(ChannelState {
        chan,
        at_us,
        created_us,
        capacity,
        head,
        tail,
        counters,
        waiting_senders,
        waiting_receivers,
        peak_waiting_senders,
        peak_waiting_receivers,
        lifecycle,
        handles,
    })
}

/// Decodes frames one after the other (the numbering and the time deltas
/// run across frames): for a whole file ([`parse`]) or a stream read as it
/// comes (`chanviz attach`).
#[derive(Debug, Default)]
pub struct FrameReader {
    /// The number the next event gets.
    pub seq: u64,
    last_us: u64,
    /// The summary's text and JSON, once read.
    pub summary: (Option<String>, Option<String>),
}

impl FrameReader {
    /// Decode one frame's body, appending its records to `records`; on a
    /// record that cannot be read, why.
    pub fn read(&mut self, body: &[u8], records: &mut Vec<Record>) -> Result<(), String> {
        let mut c = Cursor { bytes: body, at: 0 };
        while let Some(tag) = c.byte() {
            let bad = || format!("a record (tag {tag:#x}) cannot be read");
            match tag {
                0x13 => {
                    self.seq = c.uint().ok_or_else(bad)?;
                    self.last_us = c.uint().ok_or_else(bad)?;
                }
                0x10 => {
                    let dt = c.int().ok_or_else(bad)?;
                    self.last_us = self.last_us.saturating_add_signed(dt);
                    let chan = c.uint().ok_or_else(bad)?;
                    let kind = read_event(&mut c).ok_or_else(bad)?;
                    records.push(Record::Event(LogEntry {
                        seq: self.seq,
                        at_us: self.last_us,
                        chan,
                        kind,
                    }));
                    self.seq += 1;
                }
                0x11 => {
                    let chan = c.uint().ok_or_else(bad)?;
                    let name = c.string().ok_or_else(bad)?;
                    records.push(Record::Named { chan, name });
                }
                0x12 => records.push(Record::Gap {
                    lost: c.uint().ok_or_else(bad)?,
                }),
                0x14 => records.push(Record::State(Box::new(read_state(&mut c).ok_or_else(bad)?))),
                0x20 => self.summary.0 = Some(c.string().ok_or_else(bad)?),
                0x21 => self.summary.1 = Some(c.string().ok_or_else(bad)?),
                _ => return Err(bad()),
            }
        }
        Ok(())
    }
}

/// Read the recording at `path` (up to its last whole frame).
///
/// Only a regular file is read (a pipe or a device could block or never
/// end), and only once its first bytes are a recording's magic.
pub fn load(path: &Path) -> Result<Loaded, LoadError> {
    let name = path.display().to_string();
    let io = |e| LoadError::Io(name.clone(), e);
    if !std::fs::metadata(path).map_err(io)?.is_file() {
        return Err(LoadError::NotARecording(name));
    }
    let mut file = File::open(path).map_err(io)?;
    let mut bytes = Vec::new();
    (&mut file)
        .take(MAGIC.len() as u64)
        .read_to_end(&mut bytes)
        .map_err(io)?;
    if bytes != MAGIC {
        return Err(LoadError::NotARecording(name));
    }
    file.read_to_end(&mut bytes).map_err(io)?;
    parse(&name, &bytes)
}

/// Read a recording from its bytes (`name` for messages).
pub fn parse(name: &str, bytes: &[u8]) -> Result<Loaded, LoadError> {
    let corrupt = |why: &str| LoadError::Corrupt(name.to_string(), why.to_string());
    if !bytes.starts_with(MAGIC) {
        return Err(LoadError::NotARecording(name.to_string()));
    }
    let mut at = MAGIC.len();
    let version = *bytes
        .get(at)
        .ok_or_else(|| corrupt("it ends before its version"))?;
    at += 1;
    if version > VERSION {
        return Err(LoadError::TooNew(name.to_string(), version));
    }
    if version == 0 {
        return Err(corrupt("version 0"));
    }
    let frame = |at: usize| -> Option<(&[u8], usize)> {
        let len = u32::from_le_bytes(bytes.get(at..at + 4)?.try_into().ok()?) as usize;
        let body = bytes.get(at + 4..at + 4 + len)?;
        Some((body, at + 4 + len))
    };
    let (head, mut at) = frame(at).ok_or_else(|| corrupt("its header is cut short"))?;
    let json: serde_json::Value =
        serde_json::from_slice(head).map_err(|e| corrupt(&format!("its header: {e}")))?;
    let text = |k: &str| {
        json.get(k)
            .and_then(|v| v.as_str())
            .unwrap_or("")
            .to_string()
    };
    let header = Header {
        format: version,
        chanviz: text("chanviz"),
        started_unix_s: json
            .get("started_unix_s")
            .and_then(|v| v.as_u64())
            .unwrap_or(0),
        scenario: text("scenario"),
        scenario_toml: text("scenario_toml"),
    };
    let mut records = Vec::new();
    let mut reader = FrameReader::default();
    let mut truncated_after = None;
    while at < bytes.len() {
        let Some((body, next)) = frame(at) else {
            truncated_after = Some(reader.seq);
            break;
        };
        reader
            .read(body, &mut records)
            .map_err(|why| corrupt(&why))?;
        at = next;
    }
    let seq = reader.seq;
    let summary = reader.summary.0.zip(reader.summary.1);
    if summary.is_none() {
        // Cut between two frames: as cut short as inside one.
        truncated_after.get_or_insert(seq);
    }
    Ok(Loaded {
        header,
        records,
        summary,
        truncated_after,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn event(seq: u64) -> Record {
        Record::Event(LogEntry {
            seq,
            at_us: seq,
            chan: 1,
            kind: EventKind::Created { capacity: 1 },
        })
    }

    /// A writer that is behind: the batch is dropped into a gap (its events
    /// and the probe's own gaps in it), its channel names are kept, and the
    /// gap goes to the writer, before the next batch, once there is room.
    #[test]
    fn a_dropped_batch_becomes_a_gap_and_keeps_its_names() {
        let (tx, rx) = sync_channel(2);
        let mut s = SinkState {
            tx: Some(tx),
            lost: 0,
            names: Vec::new(),
        };
        s.offer(&[event(0)]);
        s.offer(&[event(1)]);
        let named = Record::Named {
            chan: 1,
            name: "jobs".into(),
        };
        // The queue is full: dropped.
        s.offer(&[named.clone(), event(2), Record::Gap { lost: 5 }, event(3)]);
        assert_eq!(s.lost, 7);
        assert_eq!(s.names, vec![named.clone()]);
        assert!(matches!(rx.try_recv(), Ok(ToWriter::Batch(b)) if b == vec![event(0)]));
        assert!(matches!(rx.try_recv(), Ok(ToWriter::Batch(b)) if b == vec![event(1)]));
        s.offer(&[event(4)]);
        assert_eq!((s.lost, s.names.len()), (0, 0));
        assert!(matches!(rx.try_recv(), Ok(ToWriter::Lost(7))));
        assert!(matches!(rx.try_recv(), Ok(ToWriter::Batch(b)) if b == vec![named, event(4)]));
    }

    /// Format 2's events (tags 3, 4, 5, 8, without tickets or causes)
    /// still read, their tickets and causes unknown; format 3's round-trip.
    #[test]
    fn older_event_tags_read_and_new_ones_round_trip() {
        let mut old = Vec::new();
        for (tag, fields) in [
            (3u8, &[2u64, 1][..]),
            (4, &[0, 2]),
            (5, &[0, 2, 0]),
            (8, &[1, 0, 1, 0]),
        ] {
            old.push(tag);
            fields.iter().for_each(|&f| put(&mut old, f));
        }
        let mut c = Cursor { bytes: &old, at: 0 };
        let read: Vec<EventKind> = std::iter::from_fn(|| read_event(&mut c)).collect();
        assert_eq!(
            read,
            vec![
                EventKind::SendWait {
                    handle: 2,
                    waiting: 1,
                    ticket: NO_TICKET
                },
                EventKind::RecvWait {
                    handle: 0,
                    waiting: 2,
                    ticket: NO_TICKET
                },
                EventKind::Wake {
                    side: Side::Senders,
                    woken: 2,
                    waiting: 0,
                    ticket: NO_TICKET,
                    cause: WakeCause::Unknown,
                    by: 0
                },
                EventKind::Leave {
                    side: Side::Receivers,
                    handle: 0,
                    waiting: 1,
                    served: false,
                    ticket: NO_TICKET
                },
            ]
        );
        let new = [
            EventKind::SendWait {
                handle: 3,
                waiting: 2,
                ticket: 0,
            },
            EventKind::Wake {
                side: Side::Receivers,
                woken: 1,
                waiting: 0,
                ticket: 41,
                cause: WakeCause::Close { role: Role::Sender },
                by: 3,
            },
            EventKind::Leave {
                side: Side::Senders,
                handle: 5,
                waiting: 0,
                served: true,
                ticket: NO_TICKET,
            },
            EventKind::Closed {
                role: Role::Receiver,
                handle: 2,
            },
            // Format 4: a hand-off and its wake.
            EventKind::Push {
                handle: 2,
                slot: 0,
                head: 9,
                tail: 8,
                len: 1,
                handoff: true,
            },
            EventKind::Wake {
                side: Side::Senders,
                woken: 2,
                waiting: 1,
                ticket: 7,
                cause: WakeCause::Handoff {
                    role: Role::Receiver,
                },
                by: 0,
            },
            EventKind::Wake {
                side: Side::Senders,
                woken: 3,
                waiting: 0,
                ticket: 8,
                cause: WakeCause::Handoff { role: Role::Sender },
                by: 3,
            },
        ];
        let mut out = Vec::new();
        new.iter().for_each(|k| super::event(&mut out, k));
        let mut c = Cursor { bytes: &out, at: 0 };
        let back: Vec<EventKind> = std::iter::from_fn(|| read_event(&mut c)).collect();
        assert_eq!(back, new);
    }

    #[test]
    fn varints_and_zigzag_round_trip() {
        let mut out = Vec::new();
        for v in [0u64, 1, 127, 128, 300, u64::MAX] {
            put(&mut out, v);
        }
        for v in [0i64, -1, 1, -1_000_000, i64::MAX, i64::MIN + 1] {
            put_i(&mut out, v);
        }
        let mut c = Cursor { bytes: &out, at: 0 };
        for v in [0u64, 1, 127, 128, 300, u64::MAX] {
            assert_eq!(c.uint(), Some(v));
        }
        for v in [0i64, -1, 1, -1_000_000, i64::MAX, i64::MIN + 1] {
            assert_eq!(c.int(), Some(v));
        }
        assert_eq!(c.byte(), None);
    }
}
