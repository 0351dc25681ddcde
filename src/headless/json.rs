//! The JSON lines: the serialization boundary of the whole crate. Only this
//! file knows serde's `Serialize`; the runner's and the probe's types are
//! converted here, field by field, into serializable counterparts, so that
//! changing an internal type can never silently change the output format.
//! Field names and order are a public format: `type` first, then as below.

use serde::Serialize;

use super::{Fired, ProbeReport, Tick};
use crate::probe::{Latency, Percentiles, Warning};
use crate::scenario::control::Narration;
use crate::scenario::runner::{Summary, TaskStats, TransitionRecord};

#[derive(Serialize)]
struct TickLine<'a> {
    #[serde(rename = "type")]
    kind: &'static str,
    elapsed_ms: u64,
    sent: u64,
    received: u64,
    send_rate: f64,
    recv_rate: f64,
    len: Option<usize>,
    capacity: Option<usize>,
    head: Option<u64>,
    tail: Option<u64>,
    waiting_senders: Option<usize>,
    waiting_receivers: Option<usize>,
    lifecycle: Option<&'a str>,
    mode: &'a str,
    events_dropped: u64,
    queue_time: Option<PercentilesLine>,
    park_time: Option<PercentilesLine>,
    warnings: Vec<WarningLine<'a>>,
}

/// Durations' percentiles, in µs.
#[derive(Serialize)]
struct PercentilesLine {
    count: u64,
    mean_us: f64,
    p50_us: u64,
    p90_us: u64,
    p99_us: u64,
    max_us: u64,
}

impl From<&Percentiles> for PercentilesLine {
    fn from(p: &Percentiles) -> Self {
        PercentilesLine {
            count: p.count,
            mean_us: (p.mean_us * 10.0).round() / 10.0,
            p50_us: p.p50_us,
            p90_us: p.p90_us,
            p99_us: p.p99_us,
            max_us: p.max_us,
        }
    }
}

/// The whole run and the last 10 s.
#[derive(Serialize)]
struct LatencyLine {
    whole: PercentilesLine,
    recent: PercentilesLine,
}

impl From<&Latency> for LatencyLine {
    fn from(l: &Latency) -> Self {
        LatencyLine {
            whole: (&l.whole).into(),
            recent: (&l.recent).into(),
        }
    }
}

/// A warning on at a tick.
#[derive(Serialize)]
struct WarningLine<'a> {
    kind: &'static str,
    since_ms: u64,
    what: &'a str,
    #[serde(rename = "try")]
    try_this: &'a str,
}

impl<'a> From<&'a Warning> for WarningLine<'a> {
    fn from(w: &'a Warning) -> Self {
        WarningLine {
            kind: w.kind.name(),
            since_ms: w.since_us / 1000,
            what: &w.what,
            try_this: &w.try_this,
        }
    }
}

/// A warning that fired during the run.
#[derive(Serialize)]
struct FiredLine<'a> {
    kind: &'static str,
    first_ms: u64,
    times: u32,
    what: &'a str,
    #[serde(rename = "try")]
    try_this: &'a str,
}

impl<'a> From<&'a Fired> for FiredLine<'a> {
    fn from(f: &'a Fired) -> Self {
        FiredLine {
            kind: f.kind.name(),
            first_ms: f.first.as_millis() as u64,
            times: f.times,
            what: &f.what,
            try_this: &f.try_this,
        }
    }
}

#[derive(Serialize)]
struct AdviceLine<'a> {
    capacity: Option<usize>,
    reasoning: &'a str,
}

/// The JSON line of a tick: `{"type":"tick",...}`.
pub fn tick_json(t: &Tick) -> String {
    let c = t.channel.as_ref();
    let line = TickLine {
        kind: "tick",
        elapsed_ms: t.elapsed.as_millis() as u64,
        sent: t.sent,
        received: t.received,
        send_rate: (t.send_rate * 10.0).round() / 10.0,
        recv_rate: (t.recv_rate * 10.0).round() / 10.0,
        len: c.map(|c| c.len),
        capacity: c.map(|c| c.capacity),
        head: c.map(|c| c.head),
        tail: c.map(|c| c.tail),
        waiting_senders: c.map(|c| c.waiting_senders),
        waiting_receivers: c.map(|c| c.waiting_receivers),
        lifecycle: c.map(|c| c.lifecycle.as_str()),
        mode: t.mode.label(),
        events_dropped: t.events_dropped,
        queue_time: t.queue_time.as_ref().map(Into::into),
        park_time: t.park_time.as_ref().map(Into::into),
        warnings: lines(&t.warnings),
    };
    serde_json::to_string(&line).unwrap_or_default()
}

#[derive(Serialize)]
struct NarrationLine<'a> {
    #[serde(rename = "type")]
    kind: &'static str,
    run: u32,
    at_ms: u64,
    text: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    answer: Option<&'a str>,
}

/// The JSON lines of a script's words: `{"type":"say",...}` and
/// `{"type":"ask",...,"answer":"next_woken_sender"}`.
pub fn narration_json(n: &Narration) -> Vec<String> {
    let at_ms = n.at.as_millis() as u64;
    let say = n.say.as_deref().map(|text| NarrationLine {
        kind: "say",
        run: n.run,
        at_ms,
        text,
        answer: None,
    });
    let ask = n.ask.as_ref().map(|q| NarrationLine {
        kind: "ask",
        run: n.run,
        at_ms,
        text: &q.text,
        answer: Some(q.answer.as_str()),
    });
    [say, ask]
        .into_iter()
        .flatten()
        .map(|l| serde_json::to_string(&l).unwrap_or_default())
        .collect()
}

#[derive(Serialize)]
struct SummaryLine<'a> {
    #[serde(rename = "type")]
    kind: &'static str,
    scenario: &'a str,
    sent: u64,
    received: u64,
    lost: i64,
    duration_ms: u64,
    end: &'static str,
    restarts: u32,
    events_dropped: u64,
    transitions: Vec<TransitionLine<'a>>,
    producers: Vec<TaskLine<'a>>,
    consumers: Vec<TaskLine<'a>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    probe: Option<ProbeLine>,
    #[serde(skip_serializing_if = "Option::is_none")]
    queue_time: Option<LatencyLine>,
    #[serde(skip_serializing_if = "Option::is_none")]
    park_time: Option<LatencyLine>,
    #[serde(skip_serializing_if = "Option::is_none")]
    warnings: Option<Vec<FiredLine<'a>>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    advice: Option<Option<AdviceLine<'a>>>,
}

#[derive(Serialize)]
struct TransitionLine<'a> {
    at_ms: f64,
    handle: &'a str,
    role: &'static str,
    from: &'static str,
    to: &'static str,
}

impl<'a> From<&'a TransitionRecord> for TransitionLine<'a> {
    fn from(t: &'a TransitionRecord) -> Self {
        TransitionLine {
            at_ms: t.at_ms,
            handle: &t.handle,
            role: t.role.as_str(),
            from: t.from.as_str(),
            to: t.to.as_str(),
        }
    }
}

#[derive(Serialize)]
struct TaskLine<'a> {
    handle: &'a str,
    messages: u64,
    run: u32,
}

impl<'a> From<&'a TaskStats> for TaskLine<'a> {
    fn from(t: &'a TaskStats) -> Self {
        TaskLine {
            handle: &t.handle,
            messages: t.messages,
            run: t.run,
        }
    }
}

#[derive(Serialize)]
struct ProbeLine {
    sent: u64,
    received: u64,
    agrees: bool,
    events_seen: u64,
    events_dropped: u64,
    lifecycle: Vec<LifecycleLine>,
}

#[derive(Serialize)]
struct LifecycleLine {
    at_ms: f64,
    from: &'static str,
    to: &'static str,
}

fn lines<'a, T: 'a, L: From<&'a T>>(items: &'a [T]) -> Vec<L> {
    items.iter().map(L::from).collect()
}

/// The final JSON line: `{"type":"summary","sent":...,"received":...,
/// "lost":...,"duration_ms":...,"events_dropped":...,"transitions":[...],...}`;
/// with a probe, also `queue_time` and `park_time` (`whole` and `recent`:
/// `count`, `mean_us`, `p50_us`, `p90_us`, `p99_us`, `max_us`), `advice`
/// (`capacity` and `reasoning`, or null) and, when they were followed,
/// `warnings` (`kind`, `first_ms`, `times`, `what`, `try`).
pub fn summary_json(s: &Summary, probe: Option<&ProbeReport>) -> String {
    let line = SummaryLine {
        kind: "summary",
        scenario: &s.scenario,
        sent: s.sent,
        received: s.received,
        lost: s.lost,
        duration_ms: s.duration_ms,
        end: s.end.as_str(),
        restarts: s.restarts,
        events_dropped: probe.map(|p| p.events_dropped).unwrap_or(0),
        transitions: lines(&s.transitions),
        producers: lines(&s.producers),
        consumers: lines(&s.consumers),
        probe: probe.map(|p| ProbeLine {
            sent: p.sent,
            received: p.received,
            agrees: p.agrees_with(s),
            events_seen: p.events_seen,
            events_dropped: p.events_dropped,
            lifecycle: p
                .lifecycle
                .iter()
                .map(|&(at_ms, from, to)| LifecycleLine {
                    at_ms,
                    from: from.as_str(),
                    to: to.as_str(),
                })
                .collect(),
        }),
        queue_time: probe.map(|p| (&p.queue_time).into()),
        park_time: probe.map(|p| (&p.park_time).into()),
        warnings: probe.and_then(|p| p.warnings.as_deref()).map(lines),
        advice: probe.map(|p| {
            p.advice.as_ref().map(|a| AdviceLine {
                capacity: a.capacity,
                reasoning: &a.reasoning,
            })
        }),
    };
    serde_json::to_string(&line).unwrap_or_default()
}
