//! Command-line interface (clap): parse, load and check the scenario, pick
//! the live view or headless output, and map outcomes to exit codes:
//! 0 for a clean run, 2 for bad input, 1 for a failure at run time.

use std::io::IsTerminal;
use std::path::PathBuf;
use std::sync::{Arc, OnceLock};
use std::time::Duration;

use clap::{Args, Parser, Subcommand};

use crate::format;
use crate::headless::{self, Format, Outcome};
use crate::probe::insight::WarningFilter;
use crate::probe::{Probe, Snapshot, WarningKind};
use crate::record;
use crate::scenario::clock::SceneClock;
use crate::scenario::demos::{self, DEMOS};
use crate::scenario::runner::{RunOptions, Runner, RunnerHandle};
use crate::scenario::spec::{self, Overrides, Scenario};
use crate::ui::{DEFAULT_FPS, FPS};

/// Exit code of a clean run.
pub const EXIT_OK: i32 = 0;
/// Exit code of a failure at run time (or a run that lost messages).
pub const EXIT_FAILURE: i32 = 1;
/// Exit code of bad input: a bad flag, file, value or demo name.
pub const EXIT_BAD_INPUT: i32 = 2;
/// Exit code after a second Ctrl-C (or SIGTERM): the user would not wait
/// for the clean shutdown the first one started (128 + SIGINT).
pub const EXIT_INTERRUPTED: i32 = 130;

const EXAMPLES: &str = "\
Examples:
  chanviz demo --list                       the built-in demos
  chanviz demo mpsc                         watch three producers share a ring
  chanviz demo backpressure --consumers 2   a demo with one value changed
  chanviz demo shutdown --headless          text lines instead of the live view
  chanviz demo spsc --json --duration 5s    JSON lines, then a summary
  chanviz run my.toml --rate max            your own scenario (format: README.md)
  chanviz demo mpmc --allow lost-wakeup     every warning but that one
  chanviz export s.rec --perfetto s.json    a recording, for ui.perfetto.dev

Warnings: consumer-bound, producer-bound, stuck-closing, lost-wakeup, thundering-herd.
--warn NAME shows only those named, --allow NAME never shows that one. In CI,
  chanviz check my.toml --fail-on consumer-bound
exits 1 if the consumer was the bottleneck (chanviz check --help).

Exit codes: 0 clean run (Ctrl-C stops a run cleanly), 1 failure at run time, 2 bad input,
130 a second Ctrl-C.";

/// chanviz: a bounded async MPMC channel, shown working.
#[derive(Debug, Parser)]
#[command(name = "chanviz", version, about, after_help = EXAMPLES)]
pub struct Cli {
    /// What to do.
    #[command(subcommand)]
    pub command: Cmd,
}

/// The subcommands.
#[derive(Debug, Subcommand)]
pub enum Cmd {
    /// Run a built-in demo (`--list` shows them).
    #[command(after_help = EXAMPLES)]
    Demo {
        /// List the demos, one per line, and exit.
        #[arg(long)]
        list: bool,
        /// The demo to run.
        name: Option<String>,
        /// Values that replace the demo's, and how to show the run.
        #[command(flatten)]
        run: RunArgs,
    },
    /// Run a scenario file (TOML; the format is in README.md).
    #[command(after_help = EXAMPLES)]
    Run {
        /// The scenario file.
        file: PathBuf,
        /// Values that replace the file's, and how to show the run.
        #[command(flatten)]
        run: RunArgs,
    },
    /// Run a demo (or a scenario file) for a while, without a terminal, and
    /// save the live view as an SVG picture (screenshots/regenerate.sh).
    Screenshot(ScreenshotArgs),
    /// Play a recording (made with --record) in the same view, or print its
    /// tick lines and summary (--headless, --json).
    Replay(ReplayArgs),
    /// Run a scenario headless and exit 1 if a --fail-on warning fired
    /// (0 if none did, 2 for bad input): a backpressure test for CI.
    #[command(after_help = check::HELP)]
    Check(check::CheckArgs),
    /// Turn a recording into Chrome trace-event JSON that opens in
    /// ui.perfetto.dev (--perfetto OUT.json).
    #[command(after_help = export::HELP)]
    Export(export::ExportArgs),
    /// The live view on your own program: one that calls
    /// chanviz::observe() and runs with CHANVIZ_ADDR=ADDR.
    #[command(after_help = attach::HELP)]
    Attach(attach::AttachArgs),
}

mod attach;
mod check;
mod export;

/// `--warn` and `--allow`: which warnings a run shows.
#[derive(Debug, Args, Default)]
pub struct WarnArgs {
    /// Show only this warning (repeatable): consumer-bound, producer-bound,
    /// stuck-closing, lost-wakeup or thundering-herd.
    #[arg(long, value_name = "NAME", value_parser = warning_kind)]
    pub warn: Vec<WarningKind>,
    /// Never show this warning (repeatable).
    #[arg(long, value_name = "NAME", value_parser = warning_kind)]
    pub allow: Vec<WarningKind>,
}

impl WarnArgs {
    /// The filter these flags ask for.
    pub fn filter(&self) -> WarningFilter {
        WarningFilter {
            only: self.warn.clone(),
            allow: self.allow.clone(),
        }
    }
}

/// A warning's name, or a message that lists the names.
fn warning_kind(name: &str) -> Result<WarningKind, String> {
    WarningKind::from_name(name).ok_or_else(|| {
        let names: Vec<&str> = WarningKind::ALL.iter().map(|k| k.name()).collect();
        format!(
            "unknown warning {name:?}; the warnings are: {}",
            names.join(", ")
        )
    })
}

/// `chanviz replay`'s flags.
#[derive(Debug, Args)]
pub struct ReplayArgs {
    /// The recording.
    pub file: PathBuf,
    /// Print text lines instead of the view.
    #[arg(long)]
    pub headless: bool,
    /// Print JSON lines instead of the view (implies --headless).
    #[arg(long)]
    pub json: bool,
    /// Scenario time between headless lines.
    #[arg(long, value_name = "DURATION", default_value = "1s")]
    pub interval: String,
    /// How the view is drawn.
    #[command(flatten)]
    pub view: ViewArgs,
    /// Which warnings to show.
    #[command(flatten)]
    pub warnings: WarnArgs,
}

/// How a view of a history is drawn (`replay`, `attach`).
#[derive(Debug, Args)]
pub struct ViewArgs {
    /// Draw the view with ASCII only.
    #[arg(long)]
    pub ascii: bool,
    /// No colours (NO_COLOR is honoured too).
    #[arg(long)]
    pub no_color: bool,
    /// Start in the big layout.
    #[arg(long)]
    pub big: bool,
}

impl ViewArgs {
    /// The view's options, with the warnings `warnings` asks for.
    fn ui_options(&self, warnings: &WarnArgs) -> crate::ui::UiOptions {
        crate::ui::UiOptions {
            fps: DEFAULT_FPS,
            ascii: self.ascii,
            no_color: self.no_color,
            big: self.big,
            warnings: warnings.filter(),
        }
    }
}

/// `chanviz screenshot`'s flags.
#[derive(Debug, Args)]
pub struct ScreenshotArgs {
    /// A demo name, a path to a scenario file (ending in .toml), or a
    /// recording (ending in .rec: the picture is the replay paused at --at).
    pub scenario: String,
    /// Where to write the SVG.
    #[arg(long, value_name = "FILE.svg")]
    pub out: PathBuf,
    /// How long the scenario runs before the picture is taken.
    #[arg(long, value_name = "DURATION", default_value = "5s")]
    pub at: String,
    /// Size of the picture, in terminal cells.
    #[arg(long, value_name = "COLSxROWS", default_value = "120x40")]
    pub size: String,
    /// Show the help screen.
    #[arg(long)]
    pub help_screen: bool,
    /// Pause the run just before the picture.
    #[arg(long)]
    pub pause: bool,
    /// Draw with ASCII only.
    #[arg(long)]
    pub ascii: bool,
    /// Draw the big layout (ring, waiter queues and log, large).
    #[arg(long)]
    pub big: bool,
    /// Show the description card over the picture.
    #[arg(long)]
    pub card: bool,
    /// Pause, then go this many events back in the history.
    #[arg(long, value_name = "EVENTS")]
    pub back: Option<u64>,
}

/// Flags shared by `demo` and `run`: the scenario's values (validated by
/// `scenario::spec`, exactly like the file's), and how to show the run.
#[derive(Debug, Args, Default)]
pub struct RunArgs {
    /// Values that replace the scenario's.
    #[command(flatten)]
    pub overrides: Overrides,
    /// Print text lines instead of the live view.
    #[arg(long)]
    pub headless: bool,
    /// Print JSON lines instead of the live view (implies --headless).
    #[arg(long)]
    pub json: bool,
    /// Time between headless lines.
    #[arg(long, value_name = "DURATION", default_value = "1s")]
    pub interval: String,
    /// Frames per second of the live view.
    #[arg(long, default_value_t = DEFAULT_FPS,
          value_parser = clap::value_parser!(u32).range(i64::from(*FPS.start())..=i64::from(*FPS.end())))]
    pub fps: u32,
    /// Draw the live view with ASCII only (no box drawing or braille).
    #[arg(long)]
    pub ascii: bool,
    /// No colours in the live view (NO_COLOR is honoured too).
    #[arg(long)]
    pub no_color: bool,
    /// Start the live view in the big layout, for a room: only the ring, the
    /// waiter queues and the log, drawn large (`b` switches layouts).
    #[arg(long)]
    pub big: bool,
    /// Record every event of the run to FILE (replay it with `chanviz replay
    /// FILE`).
    #[arg(long, value_name = "FILE")]
    pub record: Option<PathBuf>,
    /// Events kept for going back in time while paused (at least this many
    /// of the newest; about 72 bytes each).
    #[arg(long, value_name = "EVENTS", default_value_t = crate::probe::DEFAULT_LOG_CAPACITY as u64,
          value_parser = clap::value_parser!(u64).range(HISTORY_RANGE))]
    pub history: u64,
    /// Which warnings to show.
    #[command(flatten)]
    pub warnings: WarnArgs,
}

/// What `--history` accepts: a thousand to a hundred million events.
pub const HISTORY_RANGE: std::ops::RangeInclusive<u64> = 1_000..=100_000_000;

/// The history asked for with `--history`, for the probe made on first use.
static HISTORY: OnceLock<usize> = OnceLock::new();

impl RunArgs {
    fn interval(&self) -> Result<Duration, String> {
        let d = format::parse_duration(&self.interval).map_err(|m| format!("--interval: {m}"))?;
        if d < Duration::from_millis(10) || d > Duration::from_secs(3600) {
            return Err(format!(
                "--interval: must be between 10ms and 1h, got {:?}",
                self.interval
            ));
        }
        Ok(d)
    }
}

/// Parse the process's arguments, run, and return the exit code.
pub fn main() -> i32 {
    let cli = match Cli::try_parse() {
        Ok(cli) => cli,
        Err(e) => {
            let _ = e.print();
            // Help and version are not errors; usage errors are bad input (2).
            return if e.use_stderr() {
                EXIT_BAD_INPUT
            } else {
                EXIT_OK
            };
        }
    };
    run(cli)
}

/// The error for a demo name that does not exist: it lists the real ones.
fn unknown_demo(name: &str) -> String {
    format!("unknown demo {name:?}; the demos are: {}", demos::names())
}

fn bad_input(message: impl std::fmt::Display) -> i32 {
    eprintln!("chanviz: {message}");
    EXIT_BAD_INPUT
}

fn failure(message: impl std::fmt::Display) -> i32 {
    eprintln!("chanviz: {message}");
    EXIT_FAILURE
}

/// The line printed by `chanviz demo --list` for each demo.
pub fn list_lines() -> Vec<String> {
    // The titles start in one column, after the longest name.
    let width = DEMOS.iter().map(|d| d.name.len()).max().unwrap_or(0);
    DEMOS
        .iter()
        .map(|d| {
            let title = d
                .scenario()
                .map(|s| s.title)
                .unwrap_or_else(|e| format!("(invalid: {e})"));
            let lesson = if d.is_lesson() { "lesson: " } else { "" };
            format!("{:<width$}  {lesson}{}", d.name, title)
        })
        .collect()
}

/// Run a parsed command line; returns the exit code.
pub fn run(cli: Cli) -> i32 {
    let toml;
    let (scenario, args) = match cli.command {
        Cmd::Demo { list: true, .. } => {
            for line in list_lines() {
                println!("{line}");
            }
            return EXIT_OK;
        }
        Cmd::Demo { name, run, .. } => {
            let Some(name) = name else {
                return bad_input(format!(
                    "which demo? the demos are: {} (chanviz demo --list describes them)",
                    demos::names()
                ));
            };
            let Some(demo) = demos::find(&name) else {
                return bad_input(unknown_demo(&name));
            };
            toml = demo.source.to_string();
            (demo.scenario(), run)
        }
        Cmd::Run { file, run } => {
            toml = std::fs::read_to_string(&file).unwrap_or_default();
            (spec::load(&file), run)
        }
        Cmd::Screenshot(args) => return screenshot(&args),
        Cmd::Replay(args) => return replay(&args),
        Cmd::Check(args) => return check::check(&args),
        Cmd::Export(args) => return export::export(&args),
        Cmd::Attach(args) => return attach::attach(&args),
    };
    let mut scenario = match scenario {
        Ok(s) => s,
        Err(e) => return bad_input(e),
    };
    if let Err(e) = args.overrides.apply(&mut scenario) {
        return bad_input(e);
    }
    let interval = match args.interval() {
        Ok(d) => d,
        Err(m) => return bad_input(m),
    };
    let _ = HISTORY.set(args.history as usize);
    let record = args.record.clone().map(|path| RecordTo {
        path,
        header: record::Header {
            format: record::VERSION,
            chanviz: env!("CARGO_PKG_VERSION").to_string(),
            started_unix_s: std::time::SystemTime::now()
                .duration_since(std::time::UNIX_EPOCH)
                .map_or(0, |d| d.as_secs()),
            scenario: scenario.name.clone(),
            scenario_toml: toml.clone(),
        },
    });

    let format = if args.json {
        Some(Format::Json)
    } else if args.headless {
        Some(Format::Text)
    } else if !std::io::stdout().is_terminal() {
        eprintln!(
            "chanviz: stdout is not a terminal, so there is no live view; running headless \
             (use --headless or --json to choose the output)"
        );
        Some(Format::Text)
    } else {
        None
    };
    match format {
        Some(format) => headless_run(scenario, format, interval, record, &args.warnings),
        None => interactive(scenario, &args, interval, record),
    }
}

/// The probe that watches this process's channels, installed once as the
/// global subscriber. `None` if another subscriber is already installed: the
/// run still works, and the output shows the runner's counters only.
fn probe() -> Option<Probe> {
    static PROBE: OnceLock<Option<Probe>> = OnceLock::new();
    PROBE
        .get_or_init(|| {
            let history = HISTORY
                .get()
                .copied()
                .unwrap_or(crate::probe::DEFAULT_LOG_CAPACITY);
            let probe = crate::probe::ProbeLayer::with_log_capacity(history).probe();
            tracing::dispatcher::set_global_default(probe.dispatch())
                .ok()
                .map(|()| probe)
        })
        .clone()
}

/// One snapshot per call: the probe's, or an empty one without a probe.
fn snapshot_source() -> impl FnMut() -> Snapshot + Send + 'static {
    let probe = probe();
    move || probe.as_ref().map(Probe::snapshot).unwrap_or_default()
}

/// The run's scenario clock, which the probe (if any) follows: every time
/// shown, in the live view and in the headless lines, is scenario time.
fn scene_clock() -> Arc<SceneClock> {
    let clock = SceneClock::new();
    if let Some(probe) = probe() {
        probe.follow(clock.clone());
    }
    clock
}

/// Where `--record` writes, and what the recording says about itself.
struct RecordTo {
    path: PathBuf,
    header: record::Header,
}

/// Start recording to `to` (before the run starts, so that every event is
/// in it). `Err`: the exit code (2: the file cannot be created).
fn start_recording(to: Option<&RecordTo>) -> Result<Option<record::Recorder>, i32> {
    let Some(to) = to else { return Ok(None) };
    let Some(probe) = probe() else {
        eprintln!("chanviz: --record needs the probe, and another tracing subscriber is installed");
        return Err(EXIT_FAILURE);
    };
    record::Recorder::start(&to.path, &to.header, &probe)
        .map(Some)
        .map_err(|e| {
            bad_input(format!(
                "--record: cannot create {}: {e}",
                to.path.display()
            ))
        })
}

/// Write the run's summary into the recording and close it.
fn finish_recording(recorder: Option<record::Recorder>, to: Option<&RecordTo>, outcome: &Outcome) {
    let (Some(recorder), Some(to)) = (recorder, to) else {
        return;
    };
    let text = headless::summary_text(&outcome.summary, outcome.probe.as_ref());
    let json = headless::summary_json(&outcome.summary, outcome.probe.as_ref());
    match recorder.finish(text, json) {
        Ok(events) => eprintln!(
            "chanviz: recorded {} events to {} (chanviz replay {} plays it)",
            format::count(events),
            to.path.display(),
            to.path.display()
        ),
        Err(e) => eprintln!(
            "chanviz: the recording {} is incomplete: {e}",
            to.path.display()
        ),
    }
}

/// Starts `scenario` for a run without a view (`run --headless`, `check`):
/// it catches Ctrl-C (a second one exits at once) and runs on the scenario
/// clock. A failure to start is reported; its exit code comes back.
fn start_headless(scenario: &Scenario) -> Result<RunnerHandle, i32> {
    let opts = RunOptions {
        linger: false,
        catch_signals: true,
        on_signal: Some(Arc::new(exit_if_interrupted_again)),
        dispatch: None,
        clock: Some(scene_clock()),
        viewer: false,
    };
    Runner::start(scenario.clone(), opts).map_err(failure)
}

fn headless_run(
    scenario: Scenario,
    format: Format,
    interval: Duration,
    record: Option<RecordTo>,
    warnings: &WarnArgs,
) -> i32 {
    let snapshot = snapshot_source();
    let recorder = match start_recording(record.as_ref()) {
        Ok(r) => r,
        Err(code) => return code,
    };
    let handle = match start_headless(&scenario) {
        Ok(h) => h,
        Err(code) => return code,
    };
    let stdout = std::io::stdout();
    let mut out = stdout.lock();
    let filter = warnings.filter();
    match headless::run_filtered(
        &scenario, handle, snapshot, format, interval, &filter, &mut out,
    ) {
        Ok((outcome, _)) => {
            finish_recording(recorder, record.as_ref(), &outcome);
            verdict(&outcome)
        }
        Err(e) => failure(e),
    }
}

/// The first signal shuts the run down cleanly (and the run's own exit code
/// stands); a second one ends the process at once.
fn exit_if_interrupted_again(signals: u32) {
    if signals > 1 {
        std::process::exit(EXIT_INTERRUPTED);
    }
}

/// Exit code of a finished run: a message lost is a failure.
fn verdict(outcome: &Outcome) -> i32 {
    let s = &outcome.summary;
    if s.lost != 0 {
        eprintln!(
            "chanviz: {} message(s) accepted by the channel were never received",
            s.lost
        );
        return EXIT_FAILURE;
    }
    if let Some(p) = &outcome.probe {
        if !p.agrees_with(s) {
            eprintln!(
                "chanviz: warning: the probe counted {} sent / {} received, the runner {} / {}",
                p.sent, p.received, s.sent, s.received
            );
        }
    }
    EXIT_OK
}

/// The live view: the runner lingers when the run ends (so the last picture
/// stays on screen, and `r` can restart it) until the user quits.
fn interactive(
    scenario: Scenario,
    args: &RunArgs,
    interval: Duration,
    record: Option<RecordTo>,
) -> i32 {
    let Some(probe) = probe() else {
        eprintln!(
            "chanviz: another tracing subscriber is installed, so the live view has nothing \
             to draw; running headless"
        );
        return headless_run(scenario, Format::Text, interval, record, &args.warnings);
    };
    let recorder = match start_recording(record.as_ref()) {
        Ok(r) => r,
        Err(code) => return code,
    };
    let opts = RunOptions {
        linger: true,
        catch_signals: true,
        // SIGTERM (or SIGINT from outside the terminal): leave the UI, which
        // restores the terminal, then end the run cleanly.
        on_signal: Some(Arc::new(|n| {
            crate::ui::request_quit();
            exit_if_interrupted_again(n);
        })),
        dispatch: None,
        clock: Some(scene_clock()),
        viewer: true,
    };
    let handle = match Runner::start(scenario.clone(), opts) {
        Ok(h) => h,
        Err(e) => return failure(e),
    };
    let session = crate::ui::Session {
        title: scenario.title.clone(),
        description: scenario.description.clone(),
        control: handle.control(),
        snapshot: Box::new({
            let probe = probe.clone();
            move || probe.snapshot()
        }),
        history: Some(Arc::new(probe.clone())),
        replay: false,
        list: false,
    };
    let ui_opts = crate::ui::UiOptions {
        fps: args.fps,
        ascii: args.ascii,
        no_color: args.no_color,
        big: args.big,
        warnings: args.warnings.filter(),
    };
    let shown = crate::ui::run(session, ui_opts);
    handle.shutdown();
    let summary = handle.wait();
    if let Err(e) = shown {
        eprintln!("chanviz: {e}");
        return if e.kind() == std::io::ErrorKind::Unsupported {
            EXIT_BAD_INPUT
        } else {
            EXIT_FAILURE
        };
    }
    match summary {
        Ok(summary) => {
            let last = probe.snapshot();
            let filter = args.warnings.filter();
            let outcome = Outcome {
                summary,
                // What fired while the view ran: its history, sampled as a
                // headless run samples its ticks.
                probe: headless::ProbeReport::from_snapshot(&last).map(|p| {
                    let fired = headless::fired_in_history(&probe, &last);
                    headless::ProbeReport {
                        warnings: Some(
                            fired.into_iter().filter(|f| filter.shows(f.kind)).collect(),
                        ),
                        ..p
                    }
                }),
            };
            println!(
                "{}",
                headless::summary_text(&outcome.summary, outcome.probe.as_ref())
            );
            finish_recording(recorder, record.as_ref(), &outcome);
            verdict(&outcome)
        }
        Err(e) => failure(e),
    }
}

/// `chanviz replay FILE`: the view on a recording, or its headless lines.
fn replay(args: &ReplayArgs) -> i32 {
    let loaded = match record::load(&args.file) {
        Ok(l) => l,
        Err(e) => return bad_input(e),
    };
    let interval = match format::parse_duration(&args.interval) {
        Ok(d) if d >= Duration::from_millis(10) && d <= Duration::from_secs(3600) => d,
        Ok(_) => return bad_input("--interval: must be between 10ms and 1h"),
        Err(m) => return bad_input(format!("--interval: {m}")),
    };
    if let Some(n) = loaded.truncated_after {
        eprintln!(
            "chanviz: {}: the recording ends after event {} (cut short: its writer did not \
             finish); replaying what is there",
            args.file.display(),
            format::count(n)
        );
    }
    let history = Arc::new(loaded.history());
    let json = args.json;
    if json || args.headless || !std::io::stdout().is_terminal() {
        return replay_headless(&loaded, history.as_ref(), json, interval, &args.warnings);
    }
    let (title, description) = crate::screenshot::replay_title(&loaded);
    let player = crate::ui::replay::Player::new(history);
    let session = crate::ui::Session::replay(title, description, player);
    let ui_opts = args.view.ui_options(&args.warnings);
    match crate::ui::run(session, ui_opts) {
        Ok(()) => EXIT_OK,
        Err(e) => {
            eprintln!("chanviz: {e}");
            EXIT_FAILURE
        }
    }
}

/// The tick lines of a recording, every `interval` of its scenario time,
/// then the summary its run printed (or, cut short, what the events say).
fn replay_headless(
    loaded: &record::Loaded,
    history: &std::sync::RwLock<crate::probe::History>,
    json: bool,
    interval: Duration,
    warnings: &WarnArgs,
) -> i32 {
    use crate::probe::Rewind;
    use crate::scenario::control::{Knobs, Mode};
    use crate::scenario::runner::LiveStats;
    use std::io::Write;
    let (first, end) = history.bounds();
    if end == first {
        eprintln!("chanviz: the recording holds no event");
    }
    let start_us = history.event(first).map_or(0, |e| e.at_us);
    let last_us = end
        .checked_sub(1)
        .and_then(|s| history.event(s))
        .map_or(start_us, |e| e.at_us);
    let mut prev: Option<LiveStats> = None;
    let mut t = interval;
    let mut out = std::io::stdout().lock();
    let (filter, mut log) = (warnings.filter(), headless::WarningLog::default());
    while start_us + t.as_micros() as u64 <= last_us {
        let at = history.at_time(start_us + t.as_micros() as u64);
        let snap = at
            .and_then(|s| history.snapshot_at(s, 1))
            .unwrap_or_default();
        let counters = snap.current().map(|c| c.counters).unwrap_or_default();
        let stats = LiveStats {
            elapsed: t,
            scenario_time: t,
            sent: counters.sent,
            received: counters.received,
            mode: Mode::Running,
            knobs: Knobs::default(),
        };
        let tick = headless::tick(&snap, &stats, prev.as_ref()).only(&filter);
        let changes = log
            .observe(&snap)
            .into_iter()
            .filter(|c| filter.shows(c.kind()));
        let line = if json {
            headless::tick_json(&tick)
        } else {
            let mut lines: Vec<String> = changes.map(|c| headless::warning_text(&c, t)).collect();
            lines.push(headless::text_line(&tick));
            lines.join("\n")
        };
        if writeln!(out, "{line}").is_err() {
            return EXIT_OK;
        }
        prev = Some(stats);
        t += interval;
    }
    let model = history
        .read()
        .map(|h| h.model().clone())
        .unwrap_or_default();
    let snap = model.snapshot(last_us, Vec::new());
    let (sent, received) = snap.channels.iter().fold((0, 0), |(s, r), c| {
        (s + c.counters.sent, r + c.counters.received)
    });
    match &loaded.summary {
        Some((text, json_line)) => {
            let _ = writeln!(out, "{}", if json { json_line } else { text });
            let lost: u64 = history.gaps().iter().map(|g| g.1).sum();
            if let Some(why) = record::cross_check(json_line, sent, received, lost) {
                eprintln!("chanviz: {}: {why}", loaded.header.scenario);
            }
        }
        None => {
            let _ = writeln!(
                out,
                "{}",
                if json {
                    format!(
                        "{{\"type\":\"summary\",\"complete\":false,\"sent\":{sent},\"received\":{received}}}"
                    )
                } else {
                    format!(
                        "summary: none recorded (the recording was cut short); its events \
                         show sent {sent}  received {received}"
                    )
                }
            );
        }
    }
    EXIT_OK
}

/// `chanviz screenshot`: bad input gets exit code 2, like every command.
fn screenshot(args: &ScreenshotArgs) -> i32 {
    let mut recording = None;
    let ScreenshotArgs {
        scenario: which,
        out,
        at,
        size,
        ..
    } = args;
    let replaying = which.ends_with(".rec");
    let scenario = if replaying {
        // A recording: its own scenario, for the checks below.
        match record::load(std::path::Path::new(which)) {
            Ok(l) => {
                let s = spec::parse("the recording", &l.header.scenario, &l.header.scenario_toml);
                recording = Some(l);
                s
            }
            Err(e) => return bad_input(e),
        }
    } else if which.ends_with(".toml") {
        spec::load(std::path::Path::new(which))
    } else {
        match demos::find(which) {
            Some(demo) => demo.scenario(),
            None => return bad_input(unknown_demo(which)),
        }
    };
    let scenario = match scenario {
        Ok(s) => s,
        Err(e) => return bad_input(e),
    };
    let at = match format::parse_duration(at) {
        Ok(d) if d <= Duration::from_secs(600) => d,
        Ok(_) => return bad_input("--at: must be at most 10m"),
        Err(m) => return bad_input(format!("--at: {m}")),
    };
    let Some((width, height)) = size
        .split_once('x')
        .and_then(|(w, h)| Some((w.parse::<u16>().ok()?, h.parse::<u16>().ok()?)))
        .filter(|&(w, h)| (20..=500).contains(&w) && (10..=200).contains(&h))
    else {
        return bad_input(format!(
            "--size: must be COLSxROWS with 20..=500 columns and 10..=200 rows, got {size:?}"
        ));
    };
    let Some(probe) = probe() else {
        eprintln!("chanviz: cannot install the probe (another tracing subscriber is installed)");
        return EXIT_FAILURE;
    };
    let shot = crate::screenshot::Shot {
        at,
        width,
        height,
        help: args.help_screen,
        pause: args.pause,
        ascii: args.ascii,
        big: args.big,
        card: args.card,
        back: args.back,
    };
    if let Some(loaded) = &recording {
        let svg = crate::screenshot::take_replay(loaded, &shot);
        return match std::fs::write(out, svg) {
            Ok(()) => {
                eprintln!("chanviz: wrote {}", out.display());
                EXIT_OK
            }
            Err(e) => {
                eprintln!("chanviz: cannot write {}: {e}", out.display());
                EXIT_FAILURE
            }
        };
    }
    let svg = match crate::screenshot::take(scenario, &shot, &probe) {
        Ok(svg) => svg,
        Err(e) => return failure(e),
    };
    if let Err(e) = std::fs::write(out, svg) {
        eprintln!("chanviz: cannot write {}: {e}", out.display());
        return EXIT_FAILURE;
    }
    eprintln!("chanviz: wrote {}", out.display());
    EXIT_OK
}
