//! The JSON lines: the serialization boundary of the whole crate. Only this
//! file knows serde's `Serialize`; the runner's and the probe's types are
//! converted here, field by field, into serializable counterparts, so that
//! changing an internal type can never silently change the output format.
//! Field names and order are a public format: `type` first, then as below.

use serde::Serialize;

use super::{ProbeReport, Tick};
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
/// "lost":...,"duration_ms":...,"events_dropped":...,"transitions":[...],...}`.
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
    };
    serde_json::to_string(&line).unwrap_or_default()
}
