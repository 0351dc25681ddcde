//! Scenario files: the TOML format, its validation, and command-line
//! overrides. Never panics on bad input: every problem becomes a
//! [`ScenarioError`] that names the file, the line and the field.
//!
//! # Format
//!
//! ```toml
//! title = "Many producers, one consumer"
//! description = "One paragraph that tells a learner what to watch."
//! capacity = 8            # ring slots, 1..=1048576
//! workers = 2             # tokio worker threads, 1..=64 (default 2)
//! duration = "30s"        # or "unlimited" (default)
//!
//! [producers]
//! count = 3               # 1..=1024 (default 1)
//! rate = 20               # messages per second per producer (1..=100000000) or "max" (default)
//! burst = 1               # messages sent back to back, then a pause that keeps the average rate (default 1)
//! messages = "unlimited"  # per producer, or a number (default "unlimited")
//!
//! [consumers]
//! count = 1               # 1..=1024 (default 1)
//! work = "20ms"           # time spent on each message (default "0")
//! jitter = "5ms"          # extra random work, from 0 up to this (default "0")
//!
//! [[script]]
//! at = "5s"               # scenario time (stretched by slow motion, frozen by pause)
//! action = "close_from_sender"
//! ```
//!
//! Durations are a number and a unit: `"250us"`, `"500ms"`, `"2s"`, `"1.5s"`,
//! `"1m"`, `"1h"`, or `"0"`.
//!
//! Script actions ([`Action`]):
//! - `close_from_sender`: a sender closes the channel through the type-state
//!   API (`Sender<Open>` → `close()` → `Sender<Closing>` → `drained()` →
//!   `Sender<Closed>`); producers stop, consumers drain what is buffered.
//! - `close_from_receiver`: a receiver closes it (`Receiver<Open>` →
//!   `close()` → `Receiver<Closing>` → `try_finish()` → `Receiver<Closed>`);
//!   consumers still drain what is buffered.
//! - `drop_producer`: a producer drops its `Sender` without closing; when it
//!   is the last one, the channel closes because its last sender is gone.
//! - `add_producer` / `remove_producer`: one more / one fewer producer
//!   (never removes the last).
//! - `add_consumer` / `remove_consumer`: one more / one fewer consumer
//!   (never removes the last: messages would be stranded).

use std::fmt;
use std::path::Path;
use std::time::Duration;

use serde::Deserialize;
use toml::{Spanned, Value};

use super::control::Rate;

/// Largest ring accepted.
pub const MAX_CAPACITY: usize = 1_048_576;
/// Largest producer or consumer count accepted.
pub const MAX_TASKS: usize = 1024;
/// Largest rate accepted, messages per second per producer.
pub const MAX_RATE: f64 = 100_000_000.0;
/// Smallest numeric rate accepted.
pub const MIN_RATE: f64 = 1.0;
/// Largest burst accepted.
pub const MAX_BURST: u64 = 1_000_000;
/// Largest message count per producer accepted.
pub const MAX_MESSAGES: u64 = 1_000_000_000_000;
/// Most runtime worker threads accepted.
pub const MAX_WORKERS: usize = 64;
/// Longest consumer work time or jitter accepted.
pub const MAX_WORK: Duration = Duration::from_secs(60);
/// Longest run accepted (other than "unlimited").
pub const MAX_DURATION: Duration = Duration::from_secs(24 * 3600);

/// A validated scenario: everything a run needs, nothing unchecked.
#[derive(Clone, Debug, PartialEq)]
pub struct Scenario {
    /// Short name: the demo name or the file's stem. Names the channel.
    pub name: String,
    /// One-line title.
    pub title: String,
    /// One paragraph: what to watch.
    pub description: String,
    /// Ring capacity (slots).
    pub capacity: usize,
    /// The producing side.
    pub producers: Producers,
    /// The consuming side.
    pub consumers: Consumers,
    /// Tokio worker threads.
    pub workers: usize,
    /// How long the run lasts (scenario time); `None` is unlimited.
    pub duration: Option<Duration>,
    /// Timed actions, sorted by time.
    pub script: Vec<ScriptStep>,
}

/// The `[producers]` table.
#[derive(Clone, Debug, PartialEq)]
pub struct Producers {
    /// Producer tasks at the start.
    pub count: usize,
    /// Rate of each producer.
    pub rate: Rate,
    /// Messages sent back to back before pausing (the average rate stays `rate`).
    pub burst: u64,
    /// Messages each producer sends; `None` is unlimited.
    pub messages: Option<u64>,
}

/// The `[consumers]` table.
#[derive(Clone, Debug, PartialEq)]
pub struct Consumers {
    /// Consumer tasks at the start.
    pub count: usize,
    /// Work time per message.
    pub work: Duration,
    /// Extra random work per message, uniform in `0..=jitter`.
    pub jitter: Duration,
}

/// One `[[script]]` entry.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ScriptStep {
    /// Scenario time at which the action happens.
    pub at: Duration,
    /// What happens.
    pub action: Action,
}

/// A scripted action. See the module docs for what each one does.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Action {
    /// A sender closes the channel: `Open -> Closing -> Closed`.
    CloseFromSender,
    /// A receiver closes the channel: `Open -> Closing -> Closed`.
    CloseFromReceiver,
    /// A producer drops its sender without closing (the last one closes the channel).
    DropProducer,
    /// One more producer.
    AddProducer,
    /// One fewer producer (never the last).
    RemoveProducer,
    /// One more consumer.
    AddConsumer,
    /// One fewer consumer (never the last).
    RemoveConsumer,
}

impl Action {
    /// Every action, in documentation order.
    pub const ALL: [Action; 7] = [
        Action::CloseFromSender,
        Action::CloseFromReceiver,
        Action::DropProducer,
        Action::AddProducer,
        Action::RemoveProducer,
        Action::AddConsumer,
        Action::RemoveConsumer,
    ];

    /// The name used in scenario files.
    pub fn as_str(self) -> &'static str {
        match self {
            Action::CloseFromSender => "close_from_sender",
            Action::CloseFromReceiver => "close_from_receiver",
            Action::DropProducer => "drop_producer",
            Action::AddProducer => "add_producer",
            Action::RemoveProducer => "remove_producer",
            Action::AddConsumer => "add_consumer",
            Action::RemoveConsumer => "remove_consumer",
        }
    }

    /// Parse a name used in scenario files.
    pub fn from_name(name: &str) -> Option<Action> {
        Action::ALL.into_iter().find(|a| a.as_str() == name)
    }
}

impl fmt::Display for Action {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Where a bad value came from.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Origin {
    /// A scenario file (or an embedded demo), at a 1-based line.
    File {
        /// The file's name as given (demos: `demos/NAME.toml`).
        file: String,
        /// 1-based line; 0 when the problem is the whole file.
        line: usize,
    },
    /// A command-line flag, e.g. `--rate`.
    Flag(String),
}

/// A scenario that cannot run, and why: the file and line (or the flag), the
/// field, and what was wrong.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ScenarioError {
    /// File and line, or flag.
    pub origin: Origin,
    /// Dotted field path, e.g. `producers.rate`; empty when the problem is
    /// not about one field (a TOML syntax error).
    pub field: String,
    /// What was wrong, and what would be right.
    pub message: String,
}

impl fmt::Display for ScenarioError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.origin {
            // Line 0: about the whole file (it could not be read).
            Origin::File { file, line: 0 } => write!(f, "{file}: ")?,
            Origin::File { file, line } => write!(f, "{file}:{line}: ")?,
            Origin::Flag(flag) => write!(f, "{flag}: ")?,
        }
        if !self.field.is_empty() && !matches!(self.origin, Origin::Flag(_)) {
            write!(f, "{}: ", self.field)?;
        }
        f.write_str(&self.message)
    }
}

impl std::error::Error for ScenarioError {}

// ---------------------------------------------------------------------------
// Raw TOML shape: every scalar kept as a spanned `Value`, so that each field
// gets our own message (with its line) instead of serde's.

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawScenario {
    title: Option<Spanned<Value>>,
    description: Option<Spanned<Value>>,
    capacity: Option<Spanned<Value>>,
    workers: Option<Spanned<Value>>,
    duration: Option<Spanned<Value>>,
    producers: Option<Spanned<RawProducers>>,
    consumers: Option<Spanned<RawConsumers>>,
    #[serde(default)]
    script: Vec<Spanned<RawStep>>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawProducers {
    count: Option<Spanned<Value>>,
    rate: Option<Spanned<Value>>,
    burst: Option<Spanned<Value>>,
    messages: Option<Spanned<Value>>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawConsumers {
    count: Option<Spanned<Value>>,
    work: Option<Spanned<Value>>,
    jitter: Option<Spanned<Value>>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawStep {
    at: Option<Spanned<Value>>,
    action: Option<Spanned<Value>>,
}

/// Turns byte offsets into lines and builds errors for one source.
struct Source<'a> {
    file: &'a str,
    text: &'a str,
}

impl Source<'_> {
    fn line_of(&self, offset: usize) -> usize {
        let end = offset.min(self.text.len());
        let prefix = self.text.get(..end).unwrap_or(self.text);
        prefix.bytes().filter(|&b| b == b'\n').count() + 1
    }

    fn err(&self, offset: usize, field: &str, message: impl Into<String>) -> ScenarioError {
        ScenarioError {
            origin: Origin::File {
                file: self.file.to_string(),
                line: self.line_of(offset),
            },
            field: field.to_string(),
            message: message.into(),
        }
    }

    /// Check one spanned value with `check`; the error gets the value's line.
    fn field<T>(
        &self,
        v: &Spanned<Value>,
        field: &str,
        check: impl Fn(&Value) -> Result<T, String>,
    ) -> Result<T, ScenarioError> {
        check(v.get_ref()).map_err(|m| self.err(v.span().start, field, m))
    }

    /// The dotted path of the key at `offset`: its table header (searched
    /// upwards) and the key written on its line.
    fn key_path_at(&self, offset: usize) -> String {
        let offset = offset.min(self.text.len());
        let before = self.text.get(..offset).unwrap_or("");
        let line_start = before.rfind('\n').map(|i| i + 1).unwrap_or(0);
        let line = self.text[line_start..].lines().next().unwrap_or("");
        let key = line
            .split_once('=')
            .map(|(k, _)| k.trim().trim_matches('"').to_string())
            .unwrap_or_default();
        let table = self.text[..line_start]
            .lines()
            .rev()
            .map(str::trim)
            .find(|l| l.starts_with('['))
            .map(|l| l.trim_matches(|c| c == '[' || c == ']').trim().to_string())
            .unwrap_or_default();
        match (table.is_empty(), key.is_empty()) {
            (_, true) if line.trim_start().starts_with('[') => String::new(),
            (true, _) => key,
            (false, true) => table,
            (false, false) => format!("{table}.{key}"),
        }
    }
}

/// Parse and validate a scenario. `file` names the source in error messages
/// (for a demo, `demos/NAME.toml`); `name` becomes [`Scenario::name`].
pub fn parse(file: &str, name: &str, text: &str) -> Result<Scenario, ScenarioError> {
    let src = Source { file, text };
    let raw: RawScenario = toml::from_str(text).map_err(|e| {
        let offset = e.span().map(|s| s.start).unwrap_or(0);
        let message = e.message().trim().to_string();
        let mut field = src.key_path_at(offset);
        // For an unknown key, toml points at the key itself.
        if let Some(unknown) = message
            .strip_prefix("unknown field `")
            .and_then(|m| m.split('`').next())
        {
            if !field.ends_with(unknown) {
                field = unknown.to_string();
            }
            let expected = message
                .split_once(", expected ")
                .map(|(_, e)| format!(" (expected {e})"))
                .unwrap_or_default();
            return src.err(offset, &field, format!("unknown key{expected}"));
        }
        // Serde names our private structs; say what the user wrote instead.
        let message = match message.split_once(", expected struct Raw") {
            Some((head, _)) => format!("{head}, expected a table"),
            None => message,
        };
        src.err(offset, &field, message)
    })?;

    let title = match &raw.title {
        Some(v) => src.field(v, "title", text_value)?,
        None => return Err(src.err(0, "title", "missing: every scenario needs a title")),
    };
    let description = match &raw.description {
        Some(v) => src.field(v, "description", text_value)?,
        None => String::new(),
    };
    let capacity = match &raw.capacity {
        Some(v) => src.field(v, "capacity", capacity_value)?,
        None => {
            return Err(src.err(
                0,
                "capacity",
                format!("missing: give the ring's size, 1 to {MAX_CAPACITY}"),
            ))
        }
    };
    let workers = opt(&src, &raw.workers, "workers", workers_value)?.unwrap_or(2);
    let duration = opt(&src, &raw.duration, "duration", run_duration_value)?.unwrap_or(None);

    let producers = match &raw.producers {
        Some(p) => {
            let p = p.get_ref();
            Producers {
                count: opt(&src, &p.count, "producers.count", count_value)?.unwrap_or(1),
                rate: opt(&src, &p.rate, "producers.rate", rate_value)?.unwrap_or(Rate::Max),
                burst: opt(&src, &p.burst, "producers.burst", burst_value)?.unwrap_or(1),
                messages: opt(&src, &p.messages, "producers.messages", messages_value)?
                    .unwrap_or(None),
            }
        }
        None => Producers {
            count: 1,
            rate: Rate::Max,
            burst: 1,
            messages: None,
        },
    };
    let consumers = match &raw.consumers {
        Some(c) => {
            let c = c.get_ref();
            Consumers {
                count: opt(&src, &c.count, "consumers.count", count_value)?.unwrap_or(1),
                work: opt(&src, &c.work, "consumers.work", work_value)?.unwrap_or_default(),
                jitter: opt(&src, &c.jitter, "consumers.jitter", work_value)?.unwrap_or_default(),
            }
        }
        None => Consumers {
            count: 1,
            work: Duration::ZERO,
            jitter: Duration::ZERO,
        },
    };

    let mut script = Vec::with_capacity(raw.script.len());
    for (i, step) in raw.script.iter().enumerate() {
        let start = step.span().start;
        let step = step.get_ref();
        let at_field = format!("script[{i}].at");
        let action_field = format!("script[{i}].action");
        let at = match &step.at {
            Some(v) => src.field(v, &at_field, duration_value)?,
            None => {
                return Err(src.err(
                    start,
                    &at_field,
                    "missing: when the action happens, e.g. at = \"5s\"",
                ))
            }
        };
        let action = match &step.action {
            Some(v) => src.field(v, &action_field, action_value)?,
            None => {
                return Err(src.err(
                    start,
                    &action_field,
                    format!("missing: one of {}", action_names()),
                ))
            }
        };
        script.push(ScriptStep { at, action });
    }
    script.sort_by_key(|s| s.at);

    Ok(Scenario {
        name: name.to_string(),
        title,
        description,
        capacity,
        producers,
        consumers,
        workers,
        duration,
        script,
    })
}

/// Read and validate a scenario file. The file's stem names the scenario.
pub fn load(path: &Path) -> Result<Scenario, ScenarioError> {
    let file = path.display().to_string();
    let text = std::fs::read_to_string(path).map_err(|e| ScenarioError {
        origin: Origin::File {
            file: file.clone(),
            line: 0,
        },
        field: String::new(),
        message: format!("cannot read: {e}"),
    })?;
    let name = path
        .file_stem()
        .map(|s| s.to_string_lossy().into_owned())
        .unwrap_or_else(|| "scenario".to_string());
    parse(&file, &name, &text)
}

fn opt<T>(
    src: &Source<'_>,
    v: &Option<Spanned<Value>>,
    field: &str,
    check: impl Fn(&Value) -> Result<T, String>,
) -> Result<Option<T>, ScenarioError> {
    v.as_ref().map(|v| src.field(v, field, &check)).transpose()
}

// ---------------------------------------------------------------------------
// Command-line overrides: each flag's text is read as a TOML value and goes
// through the same checks as the file.

/// Values given on the command line that replace the scenario's. Each is the
/// flag's text as typed; [`Overrides::apply`] validates it like the file.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Overrides {
    /// `--producers`: `producers.count`.
    pub producers: Option<String>,
    /// `--consumers`: `consumers.count`.
    pub consumers: Option<String>,
    /// `--capacity`: `capacity`.
    pub capacity: Option<String>,
    /// `--rate`: `producers.rate`.
    pub rate: Option<String>,
    /// `--consumer-delay`: `consumers.work` (the jitter keeps its proportion
    /// to the work time).
    pub consumer_delay: Option<String>,
    /// `--messages`: `producers.messages`.
    pub messages: Option<String>,
    /// `--duration`: `duration`.
    pub duration: Option<String>,
    /// `--workers`: `workers`.
    pub workers: Option<String>,
}

impl Overrides {
    /// Apply every override to `scenario`, validating each one as the file
    /// would. The error names the flag.
    pub fn apply(&self, scenario: &mut Scenario) -> Result<(), ScenarioError> {
        fn get<T>(
            flag: &str,
            field: &str,
            text: &Option<String>,
            check: impl Fn(&Value) -> Result<T, String>,
        ) -> Result<Option<T>, ScenarioError> {
            text.as_deref()
                .map(|t| {
                    check(&flag_value(t)).map_err(|m| ScenarioError {
                        origin: Origin::Flag(flag.to_string()),
                        field: field.to_string(),
                        message: m,
                    })
                })
                .transpose()
        }
        if let Some(v) = get(
            "--producers",
            "producers.count",
            &self.producers,
            count_value,
        )? {
            scenario.producers.count = v;
        }
        if let Some(v) = get(
            "--consumers",
            "consumers.count",
            &self.consumers,
            count_value,
        )? {
            scenario.consumers.count = v;
        }
        if let Some(v) = get("--capacity", "capacity", &self.capacity, capacity_value)? {
            scenario.capacity = v;
        }
        if let Some(v) = get("--rate", "producers.rate", &self.rate, rate_value)? {
            scenario.producers.rate = v;
        }
        if let Some(v) = get(
            "--consumer-delay",
            "consumers.work",
            &self.consumer_delay,
            work_value,
        )? {
            // The jitter keeps its proportion to the work time.
            let c = &mut scenario.consumers;
            if !c.work.is_zero() {
                c.jitter = c.jitter.mul_f64(v.as_secs_f64() / c.work.as_secs_f64());
            }
            c.work = v;
        }
        if let Some(v) = get(
            "--messages",
            "producers.messages",
            &self.messages,
            messages_value,
        )? {
            scenario.producers.messages = v;
        }
        if let Some(v) = get("--duration", "duration", &self.duration, run_duration_value)? {
            scenario.duration = v;
        }
        if let Some(v) = get("--workers", "workers", &self.workers, workers_value)? {
            scenario.workers = v;
        }
        Ok(())
    }
}

/// A flag's text as the TOML value it would be in a file: an integer, a
/// float, or else a string (so `--rate max` and `--rate "max"` agree).
fn flag_value(text: &str) -> Value {
    let t = text.trim();
    if let Ok(i) = t.parse::<i64>() {
        Value::Integer(i)
    } else if let Ok(f) = t.parse::<f64>() {
        Value::Float(f)
    } else {
        Value::String(t.to_string())
    }
}

// ---------------------------------------------------------------------------
// Field checks, shared by files and flags. Each returns the message that
// follows "file:line: field: ".

/// How a value looks in an error message: strings quoted, numbers bare.
fn shown(v: &Value) -> String {
    match v {
        Value::String(s) => format!("{s:?}"),
        Value::Integer(i) => i.to_string(),
        Value::Float(f) => f.to_string(),
        Value::Boolean(b) => b.to_string(),
        Value::Datetime(d) => d.to_string(),
        Value::Array(_) => "an array".to_string(),
        Value::Table(_) => "a table".to_string(),
    }
}

fn text_value(v: &Value) -> Result<String, String> {
    match v {
        Value::String(s) if !s.trim().is_empty() => Ok(s.trim().to_string()),
        Value::String(_) => Err("must not be empty".to_string()),
        other => Err(format!("must be a string, got {}", shown(other))),
    }
}

fn int_in(v: &Value, lo: i64, hi: i64, what: &str) -> Result<i64, String> {
    match v {
        Value::Integer(i) if (lo..=hi).contains(i) => Ok(*i),
        other => Err(format!(
            "must be {what} between {lo} and {hi}, got {}",
            shown(other)
        )),
    }
}

fn capacity_value(v: &Value) -> Result<usize, String> {
    int_in(v, 1, MAX_CAPACITY as i64, "a number of slots").map(|i| i as usize)
}

fn count_value(v: &Value) -> Result<usize, String> {
    int_in(v, 1, MAX_TASKS as i64, "a number of tasks").map(|i| i as usize)
}

fn workers_value(v: &Value) -> Result<usize, String> {
    int_in(v, 1, MAX_WORKERS as i64, "a number of worker threads").map(|i| i as usize)
}

fn burst_value(v: &Value) -> Result<u64, String> {
    int_in(v, 1, MAX_BURST as i64, "a number of messages").map(|i| i as u64)
}

fn messages_value(v: &Value) -> Result<Option<u64>, String> {
    match v {
        Value::String(s) if s == "unlimited" => Ok(None),
        Value::Integer(i) if (1..=MAX_MESSAGES as i64).contains(i) => Ok(Some(*i as u64)),
        other => Err(format!(
            "must be \"unlimited\" or a number of messages per producer between 1 and {MAX_MESSAGES}, got {}",
            shown(other)
        )),
    }
}

fn rate_value(v: &Value) -> Result<Rate, String> {
    let n = match v {
        Value::String(s) if s == "max" => return Ok(Rate::Max),
        Value::Integer(i) => Some(*i as f64),
        Value::Float(f) => Some(*f),
        _ => None,
    };
    match n {
        Some(n) if n.is_finite() && (MIN_RATE..=MAX_RATE).contains(&n) => Ok(Rate::PerSec(n)),
        _ => Err(format!(
            "must be \"max\" or a number of messages per second between {MIN_RATE} and {MAX_RATE}, got {}",
            shown(v)
        )),
    }
}

fn duration_text(v: &Value) -> Result<Duration, String> {
    match v {
        Value::String(s) => parse_duration(s),
        Value::Integer(0) => Ok(Duration::ZERO),
        other => Err(format!(
            "must be a duration like \"500ms\", \"2s\", \"1.5s\" or \"1m\", got {}",
            shown(other)
        )),
    }
}

fn duration_value(v: &Value) -> Result<Duration, String> {
    let d = duration_text(v)?;
    if d > MAX_DURATION {
        return Err(format!("must be at most 24h, got {}", shown(v)));
    }
    Ok(d)
}

fn work_value(v: &Value) -> Result<Duration, String> {
    let d = duration_text(v)?;
    if d > MAX_WORK {
        return Err(format!(
            "must be at most {}s per message, got {}",
            MAX_WORK.as_secs(),
            shown(v)
        ));
    }
    Ok(d)
}

fn run_duration_value(v: &Value) -> Result<Option<Duration>, String> {
    if matches!(v, Value::String(s) if s == "unlimited") {
        return Ok(None);
    }
    let d = duration_text(v).map_err(|m| format!("{m} (or \"unlimited\")"))?;
    if d.is_zero() {
        return Err(format!(
            "must be longer than 0 (or \"unlimited\"), got {}",
            shown(v)
        ));
    }
    if d > MAX_DURATION {
        return Err(format!(
            "must be at most 24h (or \"unlimited\"), got {}",
            shown(v)
        ));
    }
    Ok(Some(d))
}

fn action_names() -> String {
    Action::ALL
        .iter()
        .map(|a| a.as_str())
        .collect::<Vec<_>>()
        .join(", ")
}

fn action_value(v: &Value) -> Result<Action, String> {
    match v {
        Value::String(s) => Action::from_name(s),
        _ => None,
    }
    .ok_or_else(|| format!("must be one of {}, got {}", action_names(), shown(v)))
}

/// Parse a duration: a non-negative number and a unit (`us`, `ms`, `s`, `m`,
/// `h`), e.g. `"500ms"`, `"1.5s"`, `"1m"`; a bare `"0"` is zero.
pub fn parse_duration(text: &str) -> Result<Duration, String> {
    let bad =
        || format!("must be a duration like \"500ms\", \"2s\", \"1.5s\" or \"1m\", got {text:?}");
    let t = text.trim();
    if t == "0" {
        return Ok(Duration::ZERO);
    }
    let split = t
        .find(|c: char| !(c.is_ascii_digit() || c == '.'))
        .ok_or_else(bad)?;
    let (num, unit) = t.split_at(split);
    let n: f64 = num.parse().map_err(|_| bad())?;
    let scale = match unit.trim() {
        "us" | "µs" => 1e-6,
        "ms" => 1e-3,
        "s" => 1.0,
        "m" | "min" => 60.0,
        "h" => 3600.0,
        _ => return Err(bad()),
    };
    let secs = n * scale;
    if !secs.is_finite() || !(0.0..=1e9).contains(&secs) {
        return Err(bad());
    }
    Ok(Duration::from_secs_f64(secs))
}

/// Format a duration the way files write them: `"0"`, `"750us"`, `"20ms"`,
/// `"1.5s"`, `"2m"`.
pub fn format_duration(d: Duration) -> String {
    let us = d.as_micros();
    if us == 0 {
        "0".to_string()
    } else if us < 1000 {
        format!("{us}us")
    } else if us < 1_000_000 {
        let ms = us as f64 / 1000.0;
        trim_float(ms, "ms")
    } else if us < 60_000_000 || us % 60_000_000 != 0 {
        trim_float(us as f64 / 1e6, "s")
    } else {
        format!("{}m", us / 60_000_000)
    }
}

fn trim_float(v: f64, unit: &str) -> String {
    let s = format!("{v:.3}");
    let s = s.trim_end_matches('0').trim_end_matches('.');
    format!("{s}{unit}")
}

#[cfg(test)]
mod tests {
    use super::*;

    const GOOD: &str = r#"
title = "t"
description = "d"
capacity = 8
duration = "10s"

[producers]
count = 2
rate = 50
burst = 4
messages = 100

[consumers]
count = 3
work = "2ms"
jitter = "1ms"

[[script]]
at = "3s"
action = "close_from_sender"

[[script]]
at = "1s"
action = "add_producer"
"#;

    #[test]
    fn a_full_file_parses_into_its_values() {
        let s = parse("x.toml", "x", GOOD).unwrap();
        assert_eq!(s.capacity, 8);
        assert_eq!(s.producers.count, 2);
        assert_eq!(s.producers.rate, Rate::PerSec(50.0));
        assert_eq!(s.producers.burst, 4);
        assert_eq!(s.producers.messages, Some(100));
        assert_eq!(s.consumers.count, 3);
        assert_eq!(s.consumers.work, Duration::from_millis(2));
        assert_eq!(s.consumers.jitter, Duration::from_millis(1));
        assert_eq!(s.duration, Some(Duration::from_secs(10)));
        // Sorted by time.
        assert_eq!(s.script[0].action, Action::AddProducer);
        assert_eq!(s.script[1].action, Action::CloseFromSender);
    }

    #[test]
    fn durations_parse_in_every_unit() {
        assert_eq!(parse_duration("0"), Ok(Duration::ZERO));
        assert_eq!(parse_duration("500ms"), Ok(Duration::from_millis(500)));
        assert_eq!(parse_duration("2s"), Ok(Duration::from_secs(2)));
        assert_eq!(parse_duration("1.5s"), Ok(Duration::from_millis(1500)));
        assert_eq!(parse_duration("1m"), Ok(Duration::from_secs(60)));
        assert_eq!(parse_duration("250us"), Ok(Duration::from_micros(250)));
        for bad in [
            "",
            "5",
            "ms",
            "-1s",
            "1.2.3s",
            "3 parsecs",
            "1e999s",
            "nan s",
        ] {
            assert!(parse_duration(bad).is_err(), "{bad:?} should not parse");
        }
    }

    #[test]
    fn format_duration_round_trips() {
        for text in ["0", "750us", "20ms", "1.5s", "2m", "2.5ms"] {
            let d = parse_duration(text).unwrap();
            assert_eq!(format_duration(d), text);
        }
    }

    #[test]
    fn semantic_error_names_file_line_and_field() {
        let text = GOOD.replace("rate = 50", "rate = -5");
        let e = parse("demos/x.toml", "x", &text).unwrap_err();
        assert_eq!(
            e.to_string(),
            "demos/x.toml:9: producers.rate: must be \"max\" or a number of messages per second between 1 and 100000000, got -5"
        );
    }

    #[test]
    fn unknown_key_names_its_table_and_line() {
        let text = GOOD.replace("burst = 4", "bursty = 4");
        let e = parse("x.toml", "x", &text).unwrap_err();
        assert_eq!(
            e.origin,
            Origin::File {
                file: "x.toml".into(),
                line: 10
            }
        );
        assert_eq!(e.field, "producers.bursty");
        assert!(e.message.starts_with("unknown key"), "{e}");
    }

    #[test]
    fn a_table_given_as_a_number_is_named() {
        let e = parse(
            "f.toml",
            "f",
            "title = \"t\"\ncapacity = 3\nproducers = 5\n",
        )
        .unwrap_err();
        assert_eq!(
            e.to_string(),
            "f.toml:3: producers: invalid type: integer `5`, expected a table"
        );
    }

    #[test]
    fn syntax_error_has_a_line() {
        let e = parse("x.toml", "x", "title = \"t\"\ncapacity = = 3\n").unwrap_err();
        assert!(matches!(e.origin, Origin::File { line: 2, .. }), "{e:?}");
    }

    #[test]
    fn flags_are_validated_like_the_file() {
        let mut s = parse("x.toml", "x", GOOD).unwrap();
        let o = Overrides {
            rate: Some("max".into()),
            consumer_delay: Some("5ms".into()),
            duration: Some("unlimited".into()),
            ..Default::default()
        };
        o.apply(&mut s).unwrap();
        assert_eq!(s.producers.rate, Rate::Max);
        assert_eq!(s.consumers.work, Duration::from_millis(5));
        // 1ms of jitter on 2ms of work becomes 2.5ms on 5ms.
        assert_eq!(s.consumers.jitter, Duration::from_micros(2500));
        assert_eq!(s.duration, None);
        let bad = Overrides {
            capacity: Some("0".into()),
            ..Default::default()
        };
        let e = bad.apply(&mut s).unwrap_err();
        assert_eq!(
            e.to_string(),
            "--capacity: must be a number of slots between 1 and 1048576, got 0"
        );
    }
}
