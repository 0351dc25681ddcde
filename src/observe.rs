//! Watch your own program (feature `observe`): the events of every chanviz
//! channel in the process go, in the recording format, to a viewer that
//! connects (`chanviz attach ADDR`) and/or to a file (`chanviz replay FILE`).
//!
//! One line in `main`:
//! ```no_run
//! let _observer = chanviz::observe().expect("observe");
//! // CHANVIZ_ADDR=127.0.0.1:7777 (or a Unix socket path) and/or
//! // CHANVIZ_RECORD=run.rec choose where the events go; neither set: nothing.
//! ```
//!
//! # What it does to the program
//! - Nothing waits on the viewer. The probe's collector hands each batch of
//!   records to the viewer's writer thread through a bounded queue; a full
//!   queue (a slow viewer) drops the batch and counts it as a gap, which the
//!   viewer shows. No viewer: the records are not sent at all. A viewer that
//!   goes away (killed, closed) ends its connection; the next one may attach.
//! - Channel semantics do not change: the channel only emits `tracing`
//!   events, as it always does; the probe decodes them off the tasks' path
//!   (see `probe`'s docs for the cost per event).
//! - One viewer at a time: a second one is refused with a line that says so
//!   (it sees "another viewer is attached" and exits 2).
//!
//! # What a viewer gets
//! The recording header; the names given to `bounded_named`; the state of
//! every channel the history has forgotten the start of (a `state` record:
//! capacity, positions, counts since it was made, lifecycle, handles, as
//! they stood before the oldest event kept); every event the probe still
//! keeps (its history: the newest million by default, so stepping back
//! works from the start of that window); then the events as they come. So
//! a viewer that attaches late sees every channel with its name, capacity
//! and counts since it was made; only what the fold follows message by
//! message (who sent what is in the ring, time in queue and parked) starts
//! at the oldest event kept.
//!
//! # With your own subscriber
//! [`observe`] installs the probe as the global default subscriber (a
//! registry with the probe's layer alone). If the program has its own
//! subscriber, take [`layer`] instead: the probe's layer under a per-layer
//! filter for the channel's events (the probe says "never" to every other
//! target, which must not silence your layers), and the observer already
//! started on it from the environment:
//! ```no_run
//! use tracing_subscriber::layer::SubscriberExt;
//! use tracing_subscriber::util::SubscriberInitExt;
//!
//! let (layer, _observer) = chanviz::observe::layer().expect("observe");
//! tracing_subscriber::registry()
//!     // .with(your_own_layer)
//!     .with(layer)
//!     .init();
//! ```
//! For a probe built yourself, start the observer on it with
//! [`Builder::start`].

use std::io::{self, BufWriter, Write};
use std::net::{TcpListener, TcpStream};
#[cfg(unix)]
use std::os::unix::net::{UnixListener, UnixStream};
use std::path::PathBuf;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::mpsc::{sync_channel, Receiver, SyncSender, TrySendError};
use std::sync::{Arc, Mutex};
use std::thread::JoinHandle;
use std::time::Duration;

use crate::probe::{Probe, Record};
use crate::record::{Encoder, Header, Recorder, VERSION};

/// The line a second viewer gets (after which its connection is closed).
pub const BUSY: &str = "chanviz: another viewer is attached to this program\n";
/// Batches a viewer's writer may be behind before batches are dropped.
const QUEUE_BATCHES: usize = 1024;

/// Where the events go.
#[derive(Clone, Debug, Default)]
pub struct Builder {
    addr: Option<String>,
    record: Option<PathBuf>,
    name: Option<String>,
}

/// Something the observer could not set up.
#[derive(Debug)]
pub enum ObserveError {
    /// A global `tracing` subscriber is already set (use [`Builder::start`]).
    SubscriberSet,
    /// The address could not be listened on, or the file not created.
    Io(String, io::Error),
}

impl std::fmt::Display for ObserveError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            ObserveError::SubscriberSet => f.write_str(
                "a global tracing subscriber is already set: add the probe's layer to it and \
                 use chanviz::observe::Builder::start",
            ),
            ObserveError::Io(what, e) => write!(f, "{what}: {e}"),
        }
    }
}

impl std::error::Error for ObserveError {}

/// Reads `CHANVIZ_ADDR` and `CHANVIZ_RECORD`, installs a probe as the
/// global default subscriber, and starts what they ask for (neither set:
/// the probe alone, which costs its per-event decoding and nothing else).
/// Keep the guard alive as long as the program runs; dropping it finishes
/// the recording and stops listening.
pub fn observe() -> Result<Observer, ObserveError> {
    let probe = crate::probe::try_install_global().map_err(|_| ObserveError::SubscriberSet)?;
    Builder::from_env().start(&probe)
}

/// The probe's layer as [`layer`] gives it: filtered to the channel's
/// events, for a registry `S` of the program's own.
pub type ObserveLayer<S> = tracing_subscriber::filter::Filtered<
    crate::probe::ProbeLayer,
    tracing_subscriber::filter::FilterFn,
    S,
>;

/// For a program with its own `tracing` subscriber: the probe's layer to
/// add to it (under a per-layer filter for target `chanviz::channel`, so
/// the program's other layers see what they saw before), and the observer,
/// started on that probe from `CHANVIZ_ADDR` and `CHANVIZ_RECORD` (see
/// [`observe`]). Keep the observer alive as long as the program runs.
pub fn layer<S>() -> Result<(ObserveLayer<S>, Observer), ObserveError>
where
    S: tracing::Subscriber + for<'a> tracing_subscriber::registry::LookupSpan<'a>,
{
    use tracing_subscriber::Layer;
    let probe_layer = crate::probe::ProbeLayer::new();
    let observer = Builder::from_env().start(&probe_layer.probe())?;
    let only_channels: fn(&tracing::Metadata<'_>) -> bool =
        |m| m.target() == crate::channel::schema::TARGET;
    Ok((
        probe_layer.with_filter(tracing_subscriber::filter::FilterFn::new(only_channels)),
        observer,
    ))
}

impl Builder {
    /// Nowhere yet.
    pub fn new() -> Builder {
        Builder::default()
    }

    /// `CHANVIZ_ADDR` and `CHANVIZ_RECORD`, when set and not empty.
    pub fn from_env() -> Builder {
        let var = |k: &str| std::env::var(k).ok().filter(|v| !v.is_empty());
        Builder {
            addr: var("CHANVIZ_ADDR"),
            record: var("CHANVIZ_RECORD").map(PathBuf::from),
            name: None,
        }
    }

    /// Listen on `addr`: `127.0.0.1:PORT` (TCP, this machine only: any other
    /// host is refused), or a path (a Unix socket; an old socket file there
    /// is replaced).
    pub fn addr(mut self, addr: impl Into<String>) -> Builder {
        self.addr = Some(addr.into());
        self
    }

    /// Record to `path` as well.
    pub fn record(mut self, path: impl Into<PathBuf>) -> Builder {
        self.record = Some(path.into());
        self
    }

    /// The program's name in the header (default: the executable's name).
    pub fn name(mut self, name: impl Into<String>) -> Builder {
        self.name = Some(name.into());
        self
    }

    /// Start on `probe` (installed by the caller in its own subscriber).
    pub fn start(self, probe: &Probe) -> Result<Observer, ObserveError> {
        let name = self.name.clone().unwrap_or_else(program_name);
        let header = Header {
            format: VERSION,
            chanviz: env!("CARGO_PKG_VERSION").into(),
            started_unix_s: std::time::SystemTime::now()
                .duration_since(std::time::UNIX_EPOCH)
                .map_or(0, |d| d.as_secs()),
            scenario: name,
            scenario_toml: String::new(),
        };
        let recorder = match &self.record {
            Some(path) => Some(
                Recorder::start(path, &header, probe)
                    .map_err(|e| ObserveError::Io(path.display().to_string(), e))?,
            ),
            None => None,
        };
        let server = match &self.addr {
            Some(addr) => Some(Server::start(addr, header, probe)?),
            None => None,
        };
        Ok(Observer {
            probe: probe.clone(),
            recorder,
            server,
        })
    }
}

fn program_name() -> String {
    std::env::args()
        .next()
        .and_then(|a| {
            std::path::Path::new(&a)
                .file_name()
                .map(|n| n.to_string_lossy().into_owned())
        })
        .unwrap_or_else(|| "program".into())
}

/// The running observer. Dropping it finishes the recording (with an empty
/// summary) and stops listening; a viewer attached then sees the stream end.
pub struct Observer {
    probe: Probe,
    recorder: Option<Recorder>,
    server: Option<Server>,
}

impl std::fmt::Debug for Observer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Observer")
            .field("recording", &self.recorder.is_some())
            .field("listening", &self.server.as_ref().map(|s| s.addr.clone()))
            .finish()
    }
}

impl Observer {
    /// The probe it reads (for snapshots of your own).
    pub fn probe(&self) -> &Probe {
        &self.probe
    }

    /// Where it listens, if it does (the port is the real one when the
    /// address asked for port 0).
    pub fn addr(&self) -> Option<&str> {
        self.server.as_ref().map(|s| s.addr.as_str())
    }

    /// Events dropped because a viewer was behind, so far.
    pub fn dropped(&self) -> u64 {
        self.server
            .as_ref()
            .map_or(0, |s| s.shared.dropped.load(Ordering::Relaxed))
    }
}

impl Drop for Observer {
    fn drop(&mut self) {
        if let Some(r) = self.recorder.take() {
            let _ = r.finish(String::new(), String::new());
        }
        if let Some(s) = self.server.take() {
            s.stop(&self.probe);
        }
    }
}

/// What the probe's sink shares with the connection thread.
#[derive(Default)]
struct Shared {
    /// The attached viewer's queue, if one is attached.
    viewer: Mutex<Option<Feed>>,
    dropped: AtomicU64,
    stop: AtomicBool,
    /// The viewer's thread, joined on stop so that what it still has to
    /// send reaches the viewer before the program exits.
    feeding: Mutex<Option<JoinHandle<()>>>,
}

struct Feed {
    tx: SyncSender<Vec<Record>>,
    /// Events of dropped batches not yet reported as a gap.
    lost: u64,
}

impl Shared {
    fn offer(&self, records: &[Record]) {
        let mut viewer = self.viewer.lock().unwrap_or_else(|e| e.into_inner());
        let Some(feed) = viewer.as_mut() else { return };
        let mut batch = Vec::with_capacity(records.len() + 1);
        if feed.lost > 0 {
            batch.push(Record::Gap { lost: feed.lost });
        }
        batch.extend_from_slice(records);
        match feed.tx.try_send(batch) {
            Ok(()) => feed.lost = 0,
            Err(TrySendError::Full(b)) => {
                // The viewer is behind: this batch is a gap (names are kept
                // by sending them with the gap's report later would need a
                // queue of their own; a name lost here shows as `#id`).
                let n = b
                    .iter()
                    .map(|r| match r {
                        Record::Event(_) => 1,
                        Record::Gap { lost } => *lost,
                        Record::Named { .. } | Record::State(_) => 0,
                    })
                    .sum::<u64>();
                feed.lost = n;
                self.dropped.fetch_add(
                    records
                        .iter()
                        .filter(|r| matches!(r, Record::Event(_)))
                        .count() as u64,
                    Ordering::Relaxed,
                );
            }
            Err(TrySendError::Disconnected(_)) => *viewer = None,
        }
    }
}

enum Listener {
    Tcp(TcpListener),
    #[cfg(unix)]
    Unix(UnixListener, PathBuf),
}

enum Conn {
    Tcp(TcpStream),
    #[cfg(unix)]
    Unix(UnixStream),
}

impl Write for Conn {
    fn write(&mut self, b: &[u8]) -> io::Result<usize> {
        match self {
            Conn::Tcp(s) => s.write(b),
            #[cfg(unix)]
            Conn::Unix(s) => s.write(b),
        }
    }
    fn flush(&mut self) -> io::Result<()> {
        match self {
            Conn::Tcp(s) => s.flush(),
            #[cfg(unix)]
            Conn::Unix(s) => s.flush(),
        }
    }
}

impl Conn {
    fn set_write_timeout(&self, d: Duration) {
        let _ = match self {
            Conn::Tcp(s) => s.set_write_timeout(Some(d)),
            #[cfg(unix)]
            Conn::Unix(s) => s.set_write_timeout(Some(d)),
        };
    }
}

impl Listener {
    fn accept(&self) -> io::Result<Conn> {
        match self {
            Listener::Tcp(l) => l.accept().map(|(s, _)| Conn::Tcp(s)),
            #[cfg(unix)]
            Listener::Unix(l, _) => l.accept().map(|(s, _)| Conn::Unix(s)),
        }
    }
}

struct Server {
    addr: String,
    shared: Arc<Shared>,
    thread: Option<JoinHandle<()>>,
}

impl Server {
    fn start(addr: &str, header: Header, probe: &Probe) -> Result<Server, ObserveError> {
        let io_err = |e| ObserveError::Io(format!("listen on {addr}"), e);
        let (listener, shown) = if addr.contains(':') && !addr.contains('/') {
            let sock: std::net::SocketAddr = addr.parse().map_err(|_| {
                io_err(io::Error::new(
                    io::ErrorKind::InvalidInput,
                    "not HOST:PORT (use 127.0.0.1:PORT, or a Unix socket path)",
                ))
            })?;
            if !sock.ip().is_loopback() {
                return Err(io_err(io::Error::new(
                    io::ErrorKind::InvalidInput,
                    "only a loopback address (127.0.0.1) is listened on",
                )));
            }
            let l = TcpListener::bind(sock).map_err(io_err)?;
            let shown = l.local_addr().map_err(io_err)?.to_string();
            (Listener::Tcp(l), shown)
        } else {
            #[cfg(unix)]
            {
                let path = PathBuf::from(addr);
                if path.exists() {
                    // Only an old socket is replaced, never a file.
                    use std::os::unix::fs::FileTypeExt;
                    let is_socket = std::fs::metadata(&path)
                        .map(|m| m.file_type().is_socket())
                        .unwrap_or(false);
                    if !is_socket {
                        return Err(io_err(io::Error::new(
                            io::ErrorKind::AlreadyExists,
                            "a file that is not a socket is there",
                        )));
                    }
                    let _ = std::fs::remove_file(&path);
                }
                let l = UnixListener::bind(&path).map_err(io_err)?;
                (Listener::Unix(l, path), addr.to_string())
            }
            #[cfg(not(unix))]
            {
                return Err(io_err(io::Error::new(
                    io::ErrorKind::Unsupported,
                    "Unix sockets need a Unix; use 127.0.0.1:PORT",
                )));
            }
        };
        let shared = Arc::new(Shared::default());
        let sink = shared.clone();
        probe.add_sink(Box::new(move |records: &[Record]| sink.offer(records)));
        let (thread_shared, thread_probe) = (shared.clone(), probe.clone());
        let thread = std::thread::Builder::new()
            .name("chanviz-observe".into())
            .spawn(move || serve(listener, header, thread_shared, thread_probe))
            .map_err(|e| ObserveError::Io("start the observer thread".into(), e))?;
        Ok(Server {
            addr: shown,
            shared,
            thread: Some(thread),
        })
    }

    fn stop(mut self, probe: &Probe) {
        // Let the collector hand over what it still holds, then end the
        // viewer's stream (its writer sees the queue close and finishes).
        for _ in 0..=crate::probe::stream::HOLD_LIMIT {
            let _ = probe.history_bounds();
        }
        self.shared.stop.store(true, Ordering::Relaxed);
        *self.shared.viewer.lock().unwrap_or_else(|e| e.into_inner()) = None;
        // Wake the accept loop with a connection of our own.
        match self.addr.parse::<std::net::SocketAddr>() {
            Ok(a) => drop(TcpStream::connect_timeout(&a, Duration::from_millis(200))),
            #[cfg(unix)]
            Err(_) => drop(UnixStream::connect(&self.addr)),
            #[cfg(not(unix))]
            Err(_) => {}
        }
        if let Some(t) = self.thread.take() {
            let _ = t.join();
        }
        // The viewer's queue is closed: its thread sends what is left and
        // ends (or gives up after its 5 s write timeout).
        let feeding = self
            .shared
            .feeding
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .take();
        if let Some(t) = feeding {
            let _ = t.join();
        }
    }
}

/// The accept loop: one viewer at a time; a viewer is served on this
/// thread, and a second one that comes meanwhile is refused by a helper
/// thread that only writes [`BUSY`].
fn serve(listener: Listener, header: Header, shared: Arc<Shared>, probe: Probe) {
    let busy = Arc::new(AtomicBool::new(false));
    loop {
        let Ok(mut conn) = listener.accept() else {
            if shared.stop.load(Ordering::Relaxed) {
                break;
            }
            continue;
        };
        if shared.stop.load(Ordering::Relaxed) {
            break;
        }
        if busy.swap(true, Ordering::AcqRel) {
            let _ = conn.write_all(BUSY.as_bytes());
            continue;
        }
        let (header, feed_shared, probe, busy) =
            (header.clone(), shared.clone(), probe.clone(), busy.clone());
        let thread = std::thread::Builder::new()
            .name("chanviz-viewer".into())
            .spawn(move || {
                let _ = feed_viewer(conn, &header, &feed_shared, &probe);
                *feed_shared.viewer.lock().unwrap_or_else(|e| e.into_inner()) = None;
                busy.store(false, Ordering::Release);
            });
        if let Ok(t) = thread {
            // The one before has ended (`busy` was clear).
            *shared.feeding.lock().unwrap_or_else(|e| e.into_inner()) = Some(t);
        }
    }
    #[cfg(unix)]
    if let Listener::Unix(_, path) = &listener {
        let _ = std::fs::remove_file(path);
    }
}

/// One viewer: the header, the kept history, then the live batches (those
/// the history already held are skipped, so every event goes once).
fn feed_viewer(conn: Conn, header: &Header, shared: &Shared, probe: &Probe) -> io::Result<()> {
    conn.set_write_timeout(Duration::from_secs(5));
    let mut out = BufWriter::new(conn);
    out.write_all(&crate::record::header_bytes(header))?;
    out.flush()?;
    let (tx, rx) = sync_channel::<Vec<Record>>(QUEUE_BATCHES);
    // Under the collector's lock: live batches queue up from the end of the
    // kept history on (nothing falls between), and the channels as they
    // stood before its oldest event are taken.
    let (first, end, states) = probe.with_history(|h| {
        let mut viewer = shared.viewer.lock().unwrap_or_else(|e| e.into_inner());
        // Read under the viewer's lock, which `Server::stop` takes after
        // setting it: a viewer that comes as the program ends gets the
        // history and then the end (no queue that nobody would close).
        if !shared.stop.load(Ordering::Relaxed) {
            *viewer = Some(Feed { tx, lost: 0 });
        }
        drop(viewer);
        let at_us = h.get(h.first()).map_or(0, |e| e.at_us);
        let states = h.base().map(|m| m.states(at_us)).unwrap_or_default();
        (h.first(), h.end(), states)
    });
    let mut enc = Encoder::default();
    let mut frame = Vec::with_capacity(1 << 16);
    let snap = probe.snapshot_with_events(0);
    for c in &snap.channels {
        if let Some(name) = &c.name {
            enc.record(
                &mut frame,
                &Record::Named {
                    chan: c.chan,
                    name: name.clone(),
                },
            );
        }
    }
    // Channels made before the oldest event kept: their capacity, counts,
    // lifecycle and handles, so the viewer's picture starts right.
    for s in states {
        enc.record(&mut frame, &Record::State(Box::new(s)));
    }
    let mut seq = first;
    while seq < end {
        let upto = (seq + 4096).min(end);
        let events: Vec<_> =
            probe.with_history(|h| (seq..upto).filter_map(|s| h.get(s).copied()).collect());
        // The history forgets its oldest events as new ones come: those it
        // forgot before they were sent here are a gap.
        let forgotten = (upto - seq) - events.len() as u64;
        if forgotten > 0 {
            enc.record(&mut frame, &Record::Gap { lost: forgotten });
        }
        for e in events {
            enc.record(&mut frame, &Record::Event(e));
        }
        seq = upto;
        write_frame(&mut out, &frame)?;
        frame.clear();
    }
    write_frame(&mut out, &frame)?;
    forward(out, rx, enc, end)
}

fn forward(
    mut out: BufWriter<Conn>,
    rx: Receiver<Vec<Record>>,
    mut enc: Encoder,
    from_seq: u64,
) -> io::Result<()> {
    let mut frame = Vec::with_capacity(1 << 16);
    while let Ok(batch) = rx.recv() {
        frame.clear();
        for r in &batch {
            if matches!(r, Record::Event(e) if e.seq < from_seq) {
                continue;
            }
            enc.record(&mut frame, r);
        }
        write_frame(&mut out, &frame)?;
    }
    // The queue closed (the program ends, or a viewer before this one):
    // everything queued was sent.
    out.flush()
}

fn write_frame(out: &mut impl Write, frame: &[u8]) -> io::Result<()> {
    if frame.is_empty() {
        return Ok(());
    }
    out.write_all(&(frame.len() as u32).to_le_bytes())?;
    out.write_all(frame)?;
    out.flush()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::probe::{EventKind, LogEntry};

    fn event(seq: u64) -> Record {
        Record::Event(LogEntry {
            seq,
            at_us: seq,
            chan: 1,
            kind: EventKind::Created { capacity: 4 },
        })
    }

    /// A viewer that is behind costs the program nothing but the batches it
    /// could not take: they are counted, and the next batch that goes
    /// starts with a gap of that many events.
    #[test]
    fn a_full_viewer_queue_drops_batches_as_a_gap() {
        let shared = Shared::default();
        let (tx, rx) = sync_channel(1);
        *shared.viewer.lock().unwrap() = Some(Feed { tx, lost: 0 });
        shared.offer(&[event(0)]);
        // The queue is full: these two batches are dropped, never waited on.
        shared.offer(&[event(1), event(2)]);
        shared.offer(&[event(3)]);
        assert_eq!(shared.dropped.load(Ordering::Relaxed), 3);
        assert_eq!(rx.recv().unwrap(), vec![event(0)]);
        shared.offer(&[event(4)]);
        assert_eq!(
            rx.recv().unwrap(),
            vec![Record::Gap { lost: 3 }, event(4)],
            "the gap says how many went missing, before what follows"
        );
        // The viewer went away: the next offer forgets it.
        drop(rx);
        shared.offer(&[event(5)]);
        assert!(shared.viewer.lock().unwrap().is_none());
    }
}
