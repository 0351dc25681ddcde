//! `chanviz attach ADDR`: the live view on a program that streams its
//! channels' events (`chanviz::observe()`, feature `observe`). The stream
//! is the recording format: it is read frame by frame into a growing
//! history, which the view plays live (time travel works as in a run), and
//! which `--record FILE` copies byte for byte (a recording that `replay`
//! reads).

use super::*;
use crate::probe::History;
use crate::record::{FrameReader, MAGIC, VERSION};
use std::io::{BufReader, Read, Write};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Mutex, RwLock};

/// `chanviz attach --help`'s examples.
pub(super) const HELP: &str = "\
Examples:
  CHANVIZ_ADDR=127.0.0.1:7777 cargo run --example pipeline     the program, in one terminal
  chanviz attach 127.0.0.1:7777                                 the view, in another
  chanviz attach 127.0.0.1:7777 --headless                      one line per channel per second
  chanviz attach /tmp/app.sock --record run.rec                 a Unix socket; keep what was seen

The view starts on the list of the program's channels: Up/Dn choose, Enter opens one's
picture, Esc comes back to the list (Tab: the next channel). Space pauses, and paused,
Left/Right step through the history as on a live run. When the program exits, the view says so, stops
(paused) on the newest event and keeps its history.

Exit codes: 0 the program's stream ended (or q), 1 a failure while reading, 2 nothing is
listening at ADDR, or it is not a chanviz program, or another viewer is attached.";

/// `chanviz attach`'s flags.
#[derive(Debug, Args)]
pub struct AttachArgs {
    /// Where the program listens (its CHANVIZ_ADDR): 127.0.0.1:PORT, or the
    /// path of a Unix socket.
    pub addr: String,
    /// Print one line per channel per tick instead of the view.
    #[arg(long)]
    pub headless: bool,
    /// Print JSON lines instead of the view (one per channel per tick).
    #[arg(long)]
    pub json: bool,
    /// Time between headless lines.
    #[arg(long, default_value = "1s")]
    pub interval: String,
    /// Copy the stream to FILE as well: a recording `chanviz replay` plays.
    #[arg(long, value_name = "FILE")]
    pub record: Option<PathBuf>,
    /// How the view is drawn.
    #[command(flatten)]
    pub view: ViewArgs,
    /// Which warnings to show.
    #[command(flatten)]
    pub warnings: WarnArgs,
}

/// A byte stream from the program.
fn connect(addr: &str) -> std::io::Result<Box<dyn Read + Send>> {
    if let Ok(sock) = addr.parse::<std::net::SocketAddr>() {
        let s = std::net::TcpStream::connect_timeout(&sock, Duration::from_secs(3))?;
        return Ok(Box::new(s));
    }
    #[cfg(unix)]
    {
        let s = std::os::unix::net::UnixStream::connect(addr)?;
        Ok(Box::new(s))
    }
    #[cfg(not(unix))]
    Err(std::io::Error::new(
        std::io::ErrorKind::InvalidInput,
        "not 127.0.0.1:PORT",
    ))
}

/// Read exactly `n` bytes; `Ok(None)` at a clean end of the stream.
fn read_n(r: &mut impl Read, n: usize) -> std::io::Result<Option<Vec<u8>>> {
    let mut buf = vec![0; n];
    let mut got = 0;
    while got < n {
        match r.read(&mut buf[got..]) {
            Ok(0) if got == 0 => return Ok(None),
            Ok(0) => {
                return Err(std::io::Error::new(
                    std::io::ErrorKind::UnexpectedEof,
                    "the stream ended inside a frame",
                ))
            }
            Ok(k) => got += k,
            Err(e) if e.kind() == std::io::ErrorKind::Interrupted => {}
            Err(e) => return Err(e),
        }
    }
    Ok(Some(buf))
}

/// What the reader thread shares with the view or the printer.
struct Feed {
    history: Arc<RwLock<History>>,
    ended: Arc<AtomicBool>,
    /// Why the stream ended, if not cleanly.
    error: Mutex<Option<String>>,
    /// The program's name, from the stream's header.
    name: String,
}

/// `chanviz attach`.
pub fn attach(args: &AttachArgs) -> i32 {
    let interval = match format::parse_duration(&args.interval) {
        Ok(d) if d >= Duration::from_millis(10) && d <= Duration::from_secs(3600) => d,
        Ok(_) => return bad_input("--interval: must be between 10ms and 1h"),
        Err(m) => return bad_input(format!("--interval: {m}")),
    };
    let mut stream = match connect(&args.addr) {
        Ok(s) => s,
        Err(e) => {
            return bad_input(format!(
                "nothing is listening at {} ({e}): start the program with CHANVIZ_ADDR={} \
                 and chanviz::observe() in its main",
                args.addr, args.addr
            ))
        }
    };
    // The magic, or a refusal (another viewer is attached).
    let magic = match read_n(&mut stream, MAGIC.len()) {
        Ok(Some(m)) => m,
        Ok(None) | Err(_) => {
            return bad_input(format!(
                "{} closed the connection before saying anything: not a chanviz observer?",
                args.addr
            ))
        }
    };
    if magic != MAGIC {
        let mut text = String::from_utf8_lossy(&magic).into_owned();
        let mut rest = String::new();
        let _ = stream.read_to_string(&mut rest);
        text.push_str(&rest);
        return if text.starts_with("chanviz:") {
            bad_input(text.trim_start_matches("chanviz:").trim())
        } else {
            bad_input(format!("{} is not a chanviz observer", args.addr))
        };
    }
    let header = (|| {
        let version = read_n(&mut stream, 1).ok()??[0];
        let len = read_n(&mut stream, 4).ok()??;
        let len = u32::from_le_bytes(len.try_into().ok()?) as usize;
        let body = read_n(&mut stream, len).ok()??;
        Some((version, body))
    })();
    let Some((version, header_body)) = header else {
        return bad_input(format!("{}: the stream ended inside its header", args.addr));
    };
    if version > VERSION || version == 0 {
        return bad_input(format!(
            "{}: stream format {version}; this chanviz reads up to {VERSION}",
            args.addr
        ));
    }
    let name = serde_json::from_slice::<serde_json::Value>(&header_body)
        .ok()
        .and_then(|j| j.get("scenario")?.as_str().map(str::to_string))
        .unwrap_or_else(|| "program".into());
    let mut copy = match &args.record {
        Some(path) => match std::fs::File::create(path) {
            Ok(mut f) => {
                let mut head = MAGIC.to_vec();
                head.push(version);
                head.extend_from_slice(&(header_body.len() as u32).to_le_bytes());
                head.extend_from_slice(&header_body);
                if let Err(e) = f.write_all(&head) {
                    return bad_input(format!("{}: {e}", path.display()));
                }
                Some(f)
            }
            Err(e) => return bad_input(format!("{}: {e}", path.display())),
        },
        None => None,
    };
    let feed = Arc::new(Feed {
        history: Arc::new(RwLock::new(History::new(
            crate::probe::DEFAULT_LOG_CAPACITY,
        ))),
        ended: Arc::new(AtomicBool::new(false)),
        error: Mutex::new(None),
        name,
    });
    let reader_feed = feed.clone();
    let reader = std::thread::spawn(move || {
        let mut stream = BufReader::new(stream);
        let mut frames = FrameReader::default();
        let mut records = Vec::new();
        let result = loop {
            let len = match read_n(&mut stream, 4) {
                Ok(Some(b)) => u32::from_le_bytes(b.try_into().expect("4 bytes")) as usize,
                Ok(None) => break Ok(()),
                Err(e) => break Err(e.to_string()),
            };
            let body = match read_n(&mut stream, len) {
                Ok(Some(b)) => b,
                Ok(None) => break Err("the stream ended inside a frame".into()),
                Err(e) => break Err(e.to_string()),
            };
            if let Some(f) = copy.as_mut() {
                let _ = f
                    .write_all(&(len as u32).to_le_bytes())
                    .and_then(|_| f.write_all(&body));
            }
            records.clear();
            if let Err(why) = frames.read(&body, &mut records) {
                break Err(why);
            }
            let mut h = reader_feed
                .history
                .write()
                .unwrap_or_else(|e| e.into_inner());
            for r in &records {
                h.push_record(r);
            }
        };
        if let Err(why) = result {
            *reader_feed.error.lock().unwrap_or_else(|e| e.into_inner()) = Some(why);
        }
        reader_feed.ended.store(true, Ordering::Release);
    });
    let code = if args.json || args.headless || !std::io::stdout().is_terminal() {
        headless(&feed, args.json, interval, &args.warnings.filter())
    } else {
        let title = format!("attached: {} at {}", feed.name, args.addr);
        let description = format!(
            "The channels of {}, as it runs: Enter opens the one chosen in the list, Esc \
             comes back to it. Space pauses; paused, Left/Right step through what has come \
             so far. When it exits, the view says so and keeps the history.",
            feed.name
        );
        let history: Arc<dyn crate::probe::Rewind> = feed.history.clone();
        let player = crate::ui::replay::Player::live(history, feed.ended.clone());
        let mut session = crate::ui::Session::replay(title, description, player);
        session.replay = true;
        session.list = true;
        let ui_opts = args.view.ui_options(&args.warnings);
        match crate::ui::run(session, ui_opts) {
            Ok(()) => EXIT_OK,
            Err(e) => failure(e),
        }
    };
    // The reader ends with the stream; a view that quit first leaves it.
    if feed.ended.load(Ordering::Acquire) {
        let _ = reader.join();
    }
    if let Some(why) = feed.error.lock().unwrap_or_else(|e| e.into_inner()).take() {
        eprintln!("chanviz: the stream from {} broke: {why}", args.addr);
        if code == EXIT_OK {
            return EXIT_FAILURE;
        }
    }
    code
}

/// One line per channel per tick, until the program's stream ends.
fn headless(feed: &Feed, json: bool, interval: Duration, filter: &WarningFilter) -> i32 {
    let mut out = std::io::stdout().lock();
    loop {
        let ended = feed.ended.load(Ordering::Acquire);
        let (snap, lost) = {
            let h = feed.history.read().unwrap_or_else(|e| e.into_inner());
            let end = h.end();
            let at = end
                .checked_sub(1)
                .and_then(|s| h.get(s))
                .map_or(0, |e| e.at_us);
            let lost: u64 = h.gaps().iter().map(|g| g.1).sum();
            (h.model().snapshot(at, Vec::new()), lost)
        };
        for c in &snap.channels {
            let line = channel_line(c, &snap, json, filter, lost);
            if writeln!(out, "{line}").is_err() {
                return EXIT_OK;
            }
        }
        let _ = out.flush();
        if ended {
            let _ = writeln!(
                out,
                "{}",
                if json {
                    format!(
                        "{{\"type\":\"ended\",\"program\":{}}}",
                        serde_json::Value::from(feed.name.clone())
                    )
                } else {
                    format!("chanviz: {} closed the stream (it exited)", feed.name)
                }
            );
            return EXIT_OK;
        }
        std::thread::sleep(interval);
    }
}

fn channel_line(
    c: &crate::probe::ChannelSnapshot,
    snap: &crate::probe::Snapshot,
    json: bool,
    filter: &WarningFilter,
    lost: u64,
) -> String {
    let name = c.name.clone().unwrap_or_else(|| format!("#{}", c.chan));
    let rate = |f: fn(&crate::probe::Bucket) -> u64| {
        let n = c.buckets.len().min(10);
        let sum: u64 = c.buckets[c.buckets.len() - n..].iter().map(f).sum();
        sum as f64 / (n.max(1) as f64 * 0.1)
    };
    let (send_rate, recv_rate) = (rate(|b| b.sent), rate(|b| b.received));
    let warnings: Vec<&str> = filter
        .apply(&c.insight.warnings)
        .map(|w| w.kind.name())
        .collect();
    let t = snap.since_created(c.chan, snap.at_us);
    if json {
        serde_json::json!({
            "type": "channel",
            "chan": c.chan,
            "name": name,
            "t_ms": t / 1000,
            "capacity": c.capacity,
            "len": c.len,
            "sent": c.counters.sent,
            "received": c.counters.received,
            "send_rate": (send_rate * 10.0).round() / 10.0,
            "recv_rate": (recv_rate * 10.0).round() / 10.0,
            "waiting_senders": c.waiting_senders,
            "waiting_receivers": c.waiting_receivers,
            "lifecycle": c.lifecycle.as_str(),
            "warnings": warnings,
            "events_lost": lost,
        })
        .to_string()
    } else {
        let mut warn = if warnings.is_empty() {
            String::new()
        } else {
            format!("  warn {}", warnings.join(","))
        };
        if lost > 0 {
            // The counts come from the events: a gap makes them low.
            warn.push_str(&format!("  ({lost} events lost in gaps: counts are low)"));
        }
        format!(
            "{:>8}  {:<14} cap {:>5}  len {:>5}  sent {:>9} ({:>7}/s)  recv {:>9} ({:>7}/s)  \
             parked s{} r{}  {}{warn}",
            format::elapsed_us(t),
            name,
            c.capacity,
            c.len,
            c.counters.sent,
            format!("{send_rate:.0}"),
            c.counters.received,
            format!("{recv_rate:.0}"),
            c.waiting_senders,
            c.waiting_receivers,
            c.lifecycle.as_str(),
        )
    }
}
