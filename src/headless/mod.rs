//! Headless output: one text line (or one JSON line) per interval, then a
//! summary, from `probe::Snapshot`s and the runner's own counters. The
//! formatting is a set of pure functions, so it can be tested with
//! fabricated snapshots; [`run`] is the only part that waits or prints.
//! `json.rs` is the crate's only serialization boundary (nothing else
//! derives `Serialize`); `text.rs` prints through `crate::format`.
//!
//! Text, one line per interval:
//! ```text
//!     2.0s  sent      40 (20/s)  recv      38 (19/s)  len  2/16  head 40  tail 38  waiting s0 r1  open
//! ```
//! When there are values, the line goes on with the time in queue and the
//! time parked over the last 10 s (`queue p50 1ms p90 2ms p99 3ms max 4ms
//! parked p50 ...`) and the names of the warnings that are on (`warn
//! consumer-bound`); a warning's words and what to try are printed on a line
//! of their own when it starts (`warning consumer-bound: ... Try: ...`), and
//! a line says when it is over.
//!
//! JSON lines: `{"type":"tick",...}` per interval (with `queue_time`,
//! `park_time` and the `warnings` on), then one `{"type":"summary",...}` with
//! at least `sent`, `received`, `lost`, `duration_ms`, `events_dropped` and
//! `transitions`, and, from the probe, `queue_time` and `park_time` (whole
//! run and last 10 s), every warning that fired and the capacity advice.

use std::io::{self, Write};
use std::time::{Duration, Instant};

mod json;
mod text;
mod warnings;

use crate::probe::insight::WarningFilter;
use crate::probe::{Advice, ChannelSnapshot, Latency, Lifecycle, Percentiles, Snapshot, Warning};
use crate::scenario::control::Mode;
use crate::scenario::runner::{LiveStats, RunError, RunnerHandle, Summary};
use crate::scenario::Scenario;

pub use json::{narration_json, summary_json, tick_json};
pub use text::{header_text, narration_text, summary_text, text_line, warning_text};
pub use warnings::{fired_in_history, Change, Fired, WarningLog};

/// How often a headless run looks at the warnings, at most: a warning that
/// holds for less than a tick is still seen (and counted by `check`).
pub const WARNING_SAMPLE: Duration = Duration::from_millis(250);

/// Text or JSON lines.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Format {
    /// Human-readable lines.
    Text,
    /// One JSON object per line.
    Json,
}

/// What one interval line says.
#[derive(Clone, Debug, PartialEq)]
pub struct Tick {
    /// Scenario time since the run started (stretched by the speed factor,
    /// stopped while paused).
    pub elapsed: Duration,
    /// Messages sent (runner's counter).
    pub sent: u64,
    /// Messages received (runner's counter).
    pub received: u64,
    /// Sends per second over the last interval.
    pub send_rate: f64,
    /// Receives per second over the last interval.
    pub recv_rate: f64,
    /// The runner's mode.
    pub mode: Mode,
    /// The channel as the probe sees it (none before its first event, or
    /// without a probe).
    pub channel: Option<ChannelView>,
    /// Events the probe could not keep in its log.
    pub events_dropped: u64,
    /// Time in queue over the last 10 s (`None`: no message popped then).
    pub queue_time: Option<Percentiles>,
    /// Time parked over the last 10 s (`None`: no wake then).
    pub park_time: Option<Percentiles>,
    /// The warnings on now, each `since_us` made relative to the channel's
    /// creation (as every time shown is).
    pub warnings: Vec<Warning>,
}

impl Tick {
    /// The tick with only the warnings `filter` shows.
    pub fn only(mut self, filter: &WarningFilter) -> Tick {
        self.warnings.retain(|w| filter.shows(w.kind));
        self
    }
}

/// `p` if it holds any value.
fn measured(p: Percentiles) -> Option<Percentiles> {
    (p.count > 0).then_some(p)
}

/// The ring's state in a tick.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ChannelView {
    /// Messages buffered.
    pub len: usize,
    /// Slots.
    pub capacity: usize,
    /// Next position to write.
    pub head: u64,
    /// Next position to read.
    pub tail: u64,
    /// Senders parked now.
    pub waiting_senders: usize,
    /// Receivers parked now.
    pub waiting_receivers: usize,
    /// Open, closing or closed.
    pub lifecycle: Lifecycle,
}

impl From<&ChannelSnapshot> for ChannelView {
    fn from(c: &ChannelSnapshot) -> Self {
        ChannelView {
            len: c.len,
            capacity: c.capacity,
            head: c.head,
            tail: c.tail,
            waiting_senders: c.waiting_senders,
            waiting_receivers: c.waiting_receivers,
            lifecycle: c.lifecycle,
        }
    }
}

/// Build a tick from a snapshot and the runner's counters now and at the
/// previous tick (`None` for the first: rates are taken since the start).
pub fn tick(snapshot: &Snapshot, now: &LiveStats, prev: Option<&LiveStats>) -> Tick {
    let (sent0, recv0, t0) = prev
        .map(|p| (p.sent, p.received, p.scenario_time))
        .unwrap_or((0, 0, Duration::ZERO));
    let dt = now.scenario_time.saturating_sub(t0).as_secs_f64();
    let rate = |a: u64, b: u64| {
        if dt > 0.0 {
            a.saturating_sub(b) as f64 / dt
        } else {
            0.0
        }
    };
    let current = snapshot.current();
    let insight = current.map(|c| &c.insight);
    Tick {
        elapsed: now.scenario_time,
        sent: now.sent,
        received: now.received,
        send_rate: rate(now.sent, sent0),
        recv_rate: rate(now.received, recv0),
        mode: now.mode,
        channel: current.map(ChannelView::from),
        events_dropped: snapshot.events_dropped,
        queue_time: insight.and_then(|i| measured(i.queue_time.recent)),
        park_time: insight.and_then(|i| measured(i.park_time.recent)),
        warnings: current
            .map(|c| {
                let created = c.created_us();
                c.insight
                    .warnings
                    .iter()
                    .map(|w| Warning {
                        since_us: w.since_us.saturating_sub(created),
                        ..w.clone()
                    })
                    .collect()
            })
            .unwrap_or_default(),
    }
}

/// What the probe saw of the run's channel, beside the runner's summary.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct ProbeReport {
    /// Pushes the probe decoded (all channels of the run).
    pub sent: u64,
    /// Pops the probe decoded.
    pub received: u64,
    /// Events decoded in total.
    pub events_seen: u64,
    /// Events it could not keep in its log.
    pub events_dropped: u64,
    /// The channel's lifecycle changes: (ms since the probe started, from, to).
    pub lifecycle: Vec<(f64, Lifecycle, Lifecycle)>,
    /// Time in queue (the run's channel: the newest).
    pub queue_time: Latency,
    /// Time parked.
    pub park_time: Latency,
    /// The capacity advice at the end of the run.
    pub advice: Option<Advice>,
    /// The warnings that fired during the run and were shown (`None`: not
    /// followed, as in the live view, which shows them as they come).
    pub warnings: Option<Vec<Fired>>,
}

impl ProbeReport {
    /// Gather the report from the final snapshot. `None` when the probe saw
    /// no channel (no probe installed).
    pub fn from_snapshot(s: &Snapshot) -> Option<ProbeReport> {
        let current = s.current()?;
        Some(ProbeReport {
            queue_time: current.insight.queue_time.clone(),
            park_time: current.insight.park_time.clone(),
            advice: current.insight.advice.clone(),
            warnings: None,
            sent: s.channels.iter().map(|c| c.counters.sent).sum(),
            received: s.channels.iter().map(|c| c.counters.received).sum(),
            events_seen: s.events_seen,
            events_dropped: s.events_dropped,
            lifecycle: s
                .channels
                .iter()
                .flat_map(|c| c.lifecycle_history.iter())
                .map(|l| (l.at_us as f64 / 1000.0, l.from, l.to))
                .collect(),
        })
    }

    /// Whether the probe's counts equal the runner's.
    pub fn agrees_with(&self, s: &Summary) -> bool {
        self.sent == s.sent && self.received == s.received
    }
}

/// How a headless run went.
#[derive(Debug)]
pub struct Outcome {
    /// The runner's summary.
    pub summary: Summary,
    /// What the probe saw (if one was installed).
    pub probe: Option<ProbeReport>,
}

/// Print ticks every `interval` until the run ends, then the summary.
/// `snapshot` is called once per tick (a probe's `snapshot()`, or a
/// function returning an empty `Snapshot` when there is no probe). A write
/// error (e.g. a closed pipe) shuts the run down. Every warning is shown.
pub fn run(
    scenario: &Scenario,
    handle: RunnerHandle,
    snapshot: impl FnMut() -> Snapshot,
    format: Format,
    interval: Duration,
    out: &mut dyn Write,
) -> Result<Outcome, RunError> {
    let shown = WarningFilter::default();
    run_filtered(scenario, handle, snapshot, format, interval, &shown, out).map(|(o, _)| o)
}

/// [`run`], showing the warnings `filter` shows. The warnings are looked
/// at every [`WARNING_SAMPLE`] (and at every tick); the [`WarningLog`]
/// returned beside the outcome has every one that fired, shown or not.
pub fn run_filtered(
    scenario: &Scenario,
    handle: RunnerHandle,
    mut snapshot: impl FnMut() -> Snapshot,
    format: Format,
    interval: Duration,
    filter: &WarningFilter,
    out: &mut dyn Write,
) -> Result<(Outcome, WarningLog), RunError> {
    let mut write_ok = true;
    let emit = |out: &mut dyn Write, line: String| -> io::Result<()> {
        writeln!(out, "{line}")?;
        out.flush()
    };
    if format == Format::Text {
        write_ok &= emit(out, header_text(scenario)).is_ok();
    }
    let start = Instant::now();
    let mut prev: Option<LiveStats> = None;
    let mut n = 1u32;
    let mut said = 0usize;
    // The script's words, printed as they come (a headless run does not
    // stop for them).
    let mut narrate = |out: &mut dyn Write, handle: &RunnerHandle| -> bool {
        let new = handle.narrations(said);
        said += new.len();
        new.iter()
            .flat_map(|n| match format {
                Format::Text => narration_text(n),
                Format::Json => narration_json(n),
            })
            .all(|line| emit(out, line).is_ok())
    };
    let mut log = WarningLog::default();
    let mut sample = start + WARNING_SAMPLE.min(interval);
    while write_ok {
        let tick_due = start + interval * n;
        let due = tick_due.min(sample);
        while !handle.is_finished() {
            let now = Instant::now();
            if now >= due {
                break;
            }
            std::thread::sleep((due - now).min(Duration::from_millis(20)));
        }
        if handle.is_finished() {
            break;
        }
        write_ok &= narrate(out, &handle);
        let stats = handle.stats();
        let snap = snapshot();
        for change in log.observe(&snap) {
            if format == Format::Text && filter.shows(change.kind()) {
                write_ok &= emit(out, warning_text(&change, stats.scenario_time)).is_ok();
            }
        }
        sample = Instant::now().max(sample) + WARNING_SAMPLE.min(interval);
        if Instant::now() < tick_due {
            continue;
        }
        let t = tick(&snap, &stats, prev.as_ref()).only(filter);
        let line = match format {
            Format::Text => text_line(&t),
            Format::Json => tick_json(&t),
        };
        write_ok &= emit(out, line).is_ok();
        prev = Some(stats);
        n += 1;
    }
    if write_ok {
        write_ok &= narrate(out, &handle);
    }
    if !write_ok {
        handle.shutdown();
    }
    let summary = handle.wait()?;
    let last = snapshot();
    log.observe(&last);
    let probe = ProbeReport::from_snapshot(&last).map(|p| ProbeReport {
        warnings: Some(
            log.fired()
                .iter()
                .filter(|f| filter.shows(f.kind))
                .cloned()
                .collect(),
        ),
        ..p
    });
    let text = match format {
        Format::Text => summary_text(&summary, probe.as_ref()),
        Format::Json => summary_json(&summary, probe.as_ref()),
    };
    if write_ok {
        let _ = emit(out, text);
    }
    Ok((Outcome { summary, probe }, log))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::probe::{Counters, HandleState, LifecycleChange, Role};
    use crate::scenario::control::Knobs;
    use crate::scenario::runner::{EndReason, TaskStats, TransitionRecord};

    fn stats(ms: u64, sent: u64, received: u64) -> LiveStats {
        LiveStats {
            elapsed: Duration::from_millis(ms),
            scenario_time: Duration::from_millis(ms),
            sent,
            received,
            mode: Mode::Running,
            knobs: Knobs {
                producers: 1,
                consumers: 1,
                capacity: 16,
                next_capacity: 16,
                ..Knobs::default()
            },
        }
    }

    fn snapshot() -> Snapshot {
        Snapshot {
            at_us: 2_000_000,
            channels: vec![ChannelSnapshot {
                chan: 1,
                name: Some("mpsc".into()),
                capacity: 16,
                head: 40,
                tail: 38,
                len: 2,
                waiting_receivers: 1,
                counters: Counters {
                    sent: 40,
                    received: 38,
                    ..Counters::default()
                },
                lifecycle: Lifecycle::Open,
                lifecycle_history: vec![LifecycleChange {
                    at_us: 1500,
                    from: Lifecycle::Open,
                    to: Lifecycle::Closing,
                }],
                ..ChannelSnapshot::default()
            }],
            events_dropped: 3,
            events_seen: 100,
            ..Snapshot::default()
        }
    }

    fn summary() -> Summary {
        Summary {
            scenario: "mpsc".into(),
            sent: 40,
            received: 40,
            lost: 0,
            duration_ms: 2500,
            end: EndReason::Duration,
            restarts: 0,
            producers: vec![TaskStats {
                handle: "S1".into(),
                messages: 40,
                run: 1,
            }],
            consumers: vec![TaskStats {
                handle: "R1".into(),
                messages: 40,
                run: 1,
            }],
            transitions: vec![TransitionRecord {
                at_ms: 2400.0,
                handle: "S0".into(),
                role: Role::Sender,
                from: HandleState::Open,
                to: HandleState::Closing,
            }],
        }
    }

    #[test]
    fn a_tick_takes_rates_over_the_interval_and_the_ring_from_the_probe() {
        let t = tick(
            &snapshot(),
            &stats(2000, 40, 38),
            Some(&stats(1000, 20, 19)),
        );
        assert_eq!(t.send_rate, 20.0);
        assert_eq!(t.recv_rate, 19.0);
        let c = t.channel.as_ref().unwrap();
        assert_eq!((c.len, c.capacity, c.head, c.tail), (2, 16, 40, 38));
        assert_eq!(
            text_line(&t),
            "    2.0s  sent        40 (   20/s)  recv        38 (   19/s)  len   2/16   head 40  tail 38  waiting s0 r1  open  (3 events dropped)"
        );
    }

    #[test]
    fn a_tick_without_a_probe_still_prints_the_runner_counters() {
        let t = tick(&Snapshot::default(), &stats(1000, 10, 9), None);
        assert!(t.channel.is_none());
        let line = text_line(&t);
        assert!(line.contains("sent        10"), "{line}");
        assert!(line.contains("len -/-"), "{line}");
        let j: serde_json::Value = serde_json::from_str(&tick_json(&t)).unwrap();
        assert_eq!(j["type"], "tick");
        assert_eq!(j["sent"], 10);
        assert!(j["len"].is_null());
    }

    #[test]
    fn tick_json_has_every_field_of_the_text_line() {
        let t = tick(&snapshot(), &stats(2000, 40, 38), None);
        let j: serde_json::Value = serde_json::from_str(&tick_json(&t)).unwrap();
        for key in [
            "elapsed_ms",
            "sent",
            "received",
            "send_rate",
            "recv_rate",
            "len",
            "capacity",
            "head",
            "tail",
            "waiting_senders",
            "waiting_receivers",
            "lifecycle",
        ] {
            assert!(!j[key].is_null(), "{key} missing in {j}");
        }
        assert_eq!(j["lifecycle"], "open");
        assert_eq!(j["waiting_receivers"], 1);
    }

    #[test]
    fn summary_json_holds_counts_drops_and_transitions() {
        let probe = ProbeReport::from_snapshot(&snapshot()).unwrap();
        let line = summary_json(&summary(), Some(&probe));
        assert!(line.starts_with(r#"{"type":"summary""#), "{line}");
        let j: serde_json::Value = serde_json::from_str(&line).unwrap();
        assert_eq!(j["type"], "summary");
        assert_eq!(j["sent"], 40);
        assert_eq!(j["received"], 40);
        assert_eq!(j["lost"], 0);
        assert_eq!(j["duration_ms"], 2500);
        assert_eq!(j["events_dropped"], 3);
        assert_eq!(j["end"], "duration");
        assert_eq!(j["transitions"][0]["handle"], "S0");
        assert_eq!(j["transitions"][0]["to"], "Closing");
        // The probe saw 38 pops, the runner 40: they disagree, and it says so.
        assert_eq!(j["probe"]["agrees"], false);
        assert!(summary_text(&summary(), Some(&probe)).contains("DISAGREES"));
    }

    #[test]
    fn summary_text_lists_transitions_and_tasks() {
        let text = summary_text(&summary(), None);
        assert!(text.contains("sent 40  received 40  lost 0"), "{text}");
        assert!(text.contains("producers: S1 40"), "{text}");
        assert!(text.contains("S0 (sender) Open -> Closing"), "{text}");
    }

    fn percentiles(count: u64, p50_us: u64) -> Percentiles {
        Percentiles {
            count,
            mean_us: p50_us as f64,
            p50_us,
            p90_us: 2 * p50_us,
            p99_us: 3 * p50_us,
            max_us: 4 * p50_us,
        }
    }

    /// The snapshot, with times measured and the consumer-bound warning on
    /// since 1.5 s of probe time (the channel was created at 0).
    fn measured_snapshot() -> Snapshot {
        let mut s = snapshot();
        let c = &mut s.channels[0];
        c.lifecycle_history[0].at_us = 0;
        c.insight.queue_time = Latency {
            whole: percentiles(40, 12_000),
            recent: percentiles(38, 10_000),
            ..Latency::default()
        };
        c.insight.park_time.whole = percentiles(3, 500);
        c.insight.warnings = vec![Warning {
            kind: crate::probe::WarningKind::ConsumerBound,
            since_us: 1_500_000,
            what: "The consumer is the bottleneck.".into(),
            try_this: "Add a consumer.".into(),
        }];
        c.insight.advice = Some(Advice {
            capacity: Some(24),
            reasoning: "Little's law.".into(),
        });
        s
    }

    #[test]
    fn a_tick_line_goes_on_with_the_times_and_the_warnings_on() {
        let t = tick(&measured_snapshot(), &stats(2000, 40, 38), None);
        let line = text_line(&t);
        // The fields before stay as they were.
        assert!(
            line.starts_with(
                "    2.0s  sent        40 (   20/s)  recv        38 (   19/s)  len   2/16   head 40  tail 38  waiting s0 r1  open  (3 events dropped)"
            ),
            "{line}"
        );
        // The last 10 s; nothing parked then, so no `parked`.
        assert!(
            line.ends_with(
                "  queue p50 10.0ms p90 20.0ms p99 30.0ms max 40.0ms  warn consumer-bound"
            ),
            "{line}"
        );
        let j: serde_json::Value = serde_json::from_str(&tick_json(&t)).unwrap();
        assert_eq!(j["queue_time"]["p99_us"], 30_000, "{j}");
        assert_eq!(j["queue_time"]["count"], 38, "{j}");
        assert!(j["park_time"].is_null(), "{j}");
        assert_eq!(j["warnings"][0]["kind"], "consumer-bound", "{j}");
        assert_eq!(j["warnings"][0]["since_ms"], 1500, "{j}");
        assert_eq!(j["warnings"][0]["try"], "Add a consumer.", "{j}");
        // --allow consumer-bound: not shown.
        let filter = WarningFilter {
            allow: vec![crate::probe::WarningKind::ConsumerBound],
            ..WarningFilter::default()
        };
        let t = t.only(&filter);
        assert!(!text_line(&t).contains("warn "), "{}", text_line(&t));
        let j: serde_json::Value = serde_json::from_str(&tick_json(&t)).unwrap();
        assert_eq!(j["warnings"], serde_json::json!([]));
    }

    #[test]
    fn a_warning_line_has_its_words_and_what_to_try() {
        let mut log = WarningLog::default();
        let changes = log.observe(&measured_snapshot());
        let line = warning_text(&changes[0], Duration::from_millis(3500));
        assert_eq!(
            line,
            "    3.5s  warning consumer-bound: The consumer is the bottleneck. Try: Add a consumer."
        );
        let over = log.observe(&snapshot());
        assert_eq!(
            warning_text(&over[0], Duration::from_secs(5)),
            "    5.0s  warning consumer-bound is over (it held from 1.5s)"
        );
    }

    #[test]
    fn the_summary_carries_both_latencies_what_fired_and_the_advice() {
        let snap = measured_snapshot();
        let mut log = WarningLog::default();
        log.observe(&snap);
        let probe = ProbeReport {
            warnings: Some(log.fired().to_vec()),
            ..ProbeReport::from_snapshot(&snap).unwrap()
        };
        let j: serde_json::Value =
            serde_json::from_str(&summary_json(&summary(), Some(&probe))).unwrap();
        assert_eq!(j["queue_time"]["whole"]["count"], 40, "{j}");
        assert_eq!(j["queue_time"]["whole"]["p50_us"], 12_000, "{j}");
        assert_eq!(j["queue_time"]["recent"]["max_us"], 40_000, "{j}");
        assert_eq!(j["park_time"]["whole"]["count"], 3, "{j}");
        assert_eq!(j["park_time"]["recent"]["count"], 0, "{j}");
        let w = &j["warnings"][0];
        assert_eq!(
            (&w["kind"], &w["first_ms"], &w["times"]),
            (&"consumer-bound".into(), &1500.into(), &1.into()),
            "{j}"
        );
        assert_eq!(w["what"], "The consumer is the bottleneck.", "{j}");
        assert_eq!(w["try"], "Add a consumer.", "{j}");
        assert_eq!(j["advice"]["capacity"], 24, "{j}");
        assert_eq!(j["advice"]["reasoning"], "Little's law.", "{j}");
        let text = summary_text(&summary(), Some(&probe));
        for part in [
            "time in queue: p50 12.0ms p90 24.0ms p99 36.0ms max 48.0ms (mean 12.0ms, 40 measured); last 10 s: p50 10.0ms",
            "time parked: p50 500us",
            "warnings fired:\n    consumer-bound from 1.5s: The consumer is the bottleneck. Try: Add a consumer.",
            "advice: capacity 24: Little's law.",
        ] {
            assert!(text.contains(part), "{part:?} missing from:\n{text}");
        }
        // Not followed (the live view): no warnings key, no line.
        let unfollowed = ProbeReport::from_snapshot(&snap).unwrap();
        let j: serde_json::Value =
            serde_json::from_str(&summary_json(&summary(), Some(&unfollowed))).unwrap();
        assert!(j.get("warnings").is_none(), "{j}");
        assert!(!summary_text(&summary(), Some(&unfollowed)).contains("warnings"));
        // Followed, none fired.
        let none = ProbeReport {
            warnings: Some(Vec::new()),
            ..unfollowed
        };
        assert!(summary_text(&summary(), Some(&none)).contains("warnings: none fired"));
        // Without a probe: none of the probe's keys.
        let j: serde_json::Value = serde_json::from_str(&summary_json(&summary(), None)).unwrap();
        assert!(
            j.get("queue_time").is_none() && j.get("advice").is_none(),
            "{j}"
        );
    }

    /// After a restart the handle names start again from `S1`: each run's
    /// tasks are labelled, in text and in JSON.
    fn restarted() -> Summary {
        let task = |handle: &str, messages, run| TaskStats {
            handle: handle.into(),
            messages,
            run,
        };
        Summary {
            restarts: 1,
            producers: vec![task("S1", 330, 1), task("S2", 310, 1), task("S1", 263, 2)],
            consumers: vec![task("R1", 640, 1), task("R1", 263, 2)],
            ..summary()
        }
    }

    #[test]
    fn after_a_restart_the_summary_says_which_run_each_task_was() {
        let text = summary_text(&restarted(), None);
        assert!(
            text.contains("producers: run 1: S1 330, S2 310; run 2: S1 263"),
            "{text}"
        );
        assert!(
            text.contains("consumers: run 1: R1 640; run 2: R1 263"),
            "{text}"
        );
        let j: serde_json::Value = serde_json::from_str(&summary_json(&restarted(), None)).unwrap();
        let p = &j["producers"];
        assert_eq!(
            (&p[0]["handle"], &p[0]["messages"], &p[0]["run"]),
            (&"S1".into(), &330.into(), &1.into())
        );
        assert_eq!((&p[2]["handle"], &p[2]["run"]), (&"S1".into(), &2.into()));
        assert_eq!(j["consumers"][1]["run"], 2);
        // One run: no labels in text, `run` 1 in JSON.
        let one = summary_text(&summary(), None);
        assert!(!one.contains("run 1"), "{one}");
        let j: serde_json::Value = serde_json::from_str(&summary_json(&summary(), None)).unwrap();
        assert_eq!(j["producers"][0]["run"], 1);
    }
}
