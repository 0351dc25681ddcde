//! The text lines: a header, one line per tick, and the summary. Every
//! number goes through `crate::format`, so it reads as it does in the TUI.

use std::time::Duration;

use super::{ProbeReport, Tick};
use crate::format;
use crate::scenario::control::{Mode, Narration};
use crate::scenario::runner::{Summary, TaskStats};
use crate::scenario::Scenario;

/// The lines of a script's words: `say` and `ask` each on a line of their
/// own, at the scenario time they were said.
pub fn narration_text(n: &Narration) -> Vec<String> {
    let at = format::elapsed(n.at);
    let mut lines = Vec::new();
    if let Some(say) = &n.say {
        lines.push(format!("{at:>8}  say: {say}"));
    }
    if let Some(q) = &n.ask {
        lines.push(format!(
            "{at:>8}  ask: {} (answer: {}; the live view checks it)",
            q.text,
            q.answer.as_str()
        ));
    }
    lines
}

/// The text line of a tick.
pub fn text_line(t: &Tick) -> String {
    let mut line = format!(
        "{:>8}  sent {:>9} ({:>7})  recv {:>9} ({:>7})",
        format::elapsed(t.elapsed),
        t.sent,
        format::rate(t.send_rate),
        t.received,
        format::rate(t.recv_rate),
    );
    match &t.channel {
        Some(c) => line.push_str(&format!(
            "  len {:>3}/{:<3}  head {}  tail {}  waiting s{} r{}  {}",
            c.len, c.capacity, c.head, c.tail, c.waiting_senders, c.waiting_receivers, c.lifecycle
        )),
        None => line.push_str("  len -/-  head -  tail -  waiting s- r-  -"),
    }
    if t.mode != Mode::Running {
        line.push_str("  ");
        line.push_str(t.mode.label());
    }
    if t.events_dropped > 0 {
        line.push_str(&format!("  ({} events dropped)", t.events_dropped));
    }
    line
}

/// `S1 330, S2 310`; when the tasks come from more than one run (after a
/// restart the names start again from `S1`), each run is labelled:
/// `run 1: S1 330, S2 310; run 2: S1 263`.
fn per_task(tasks: &[TaskStats]) -> String {
    let names = |run: u32| {
        tasks
            .iter()
            .filter(|t| t.run == run)
            .map(|t| format!("{} {}", t.handle, t.messages))
            .collect::<Vec<_>>()
            .join(", ")
    };
    let mut runs: Vec<u32> = tasks.iter().map(|t| t.run).collect();
    runs.sort_unstable();
    runs.dedup();
    match runs.as_slice() {
        [] => String::new(),
        [only] => names(*only),
        many => many
            .iter()
            .map(|&r| format!("run {r}: {}", names(r)))
            .collect::<Vec<_>>()
            .join("; "),
    }
}

/// The text summary: several lines, no trailing newline.
pub fn summary_text(s: &Summary, probe: Option<&ProbeReport>) -> String {
    let mut out = format!(
        "summary: {} ended ({}) after {}\n  sent {}  received {}  lost {}",
        s.scenario,
        s.end.as_str(),
        format::elapsed(Duration::from_millis(s.duration_ms)),
        s.sent,
        s.received,
        s.lost
    );
    if s.restarts > 0 {
        out.push_str(&format!("  restarts {}", s.restarts));
    }
    if !s.producers.is_empty() {
        out.push_str(&format!("\n  producers: {}", per_task(&s.producers)));
    }
    if !s.consumers.is_empty() {
        out.push_str(&format!("\n  consumers: {}", per_task(&s.consumers)));
    }
    if !s.transitions.is_empty() {
        out.push_str("\n  type-state transitions:");
        for t in &s.transitions {
            out.push_str(&format!(
                "\n    {:>10}  {} ({}) {} -> {}",
                format::millis(t.at_ms),
                t.handle,
                t.role.as_str(),
                t.from,
                t.to
            ));
        }
    }
    if let Some(p) = probe {
        out.push_str(&format!(
            "\n  probe: sent {}  received {}  events {} ({} lost in gaps)  {}",
            p.sent,
            p.received,
            p.events_seen,
            p.events_dropped,
            if p.agrees_with(s) {
                "agrees with the runner"
            } else {
                "DISAGREES with the runner"
            }
        ));
        if !p.lifecycle.is_empty() {
            let steps: Vec<String> = p
                .lifecycle
                .iter()
                .map(|&(at, from, to)| {
                    if from == to {
                        // The first entry is the channel's creation.
                        format!("created at {}", format::millis(at))
                    } else {
                        format!("{from} -> {to} at {}", format::millis(at))
                    }
                })
                .collect();
            out.push_str(&format!("\n  lifecycle: {}", steps.join(", ")));
        }
    }
    out
}

/// The first text line: what runs, and how to stop it.
pub fn header_text(s: &Scenario) -> String {
    let duration = s
        .duration
        .map(format::duration)
        .unwrap_or_else(|| "unlimited".to_string());
    format!(
        "chanviz: {} ({}): capacity {}, {} producer(s) at {}, {} consumer(s) with {} work, duration {}; Ctrl-C stops",
        s.name,
        s.title,
        s.capacity,
        s.producers.count,
        format::knob_rate(s.producers.rate),
        s.consumers.count,
        format::duration(s.consumers.work),
        duration
    )
}
