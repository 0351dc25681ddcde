//! The text lines: a header, one line per tick, and the summary. Every
//! number goes through `crate::format`, so it reads as it does in the TUI.

use std::time::Duration;

use super::{Change, ProbeReport, Tick};
use crate::format;
use crate::probe::{Latency, Percentiles};
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
    if let Some(p) = &t.queue_time {
        line.push_str(&format!("  queue {}", percentiles(p)));
    }
    if let Some(p) = &t.park_time {
        line.push_str(&format!("  parked {}", percentiles(p)));
    }
    if !t.warnings.is_empty() {
        let names: Vec<&str> = t.warnings.iter().map(|w| w.kind.name()).collect();
        line.push_str(&format!("  warn {}", names.join(",")));
    }
    line
}

/// A duration in µs, short, to about three figures: `750us`, `12.5ms`,
/// `213ms`, `2.35s`.
fn us(us: u64) -> String {
    if us < 1_000 {
        format!("{us}us")
    } else if us < 100_000 {
        format!("{:.1}ms", us as f64 / 1e3)
    } else if us < 1_000_000 {
        format!("{:.0}ms", us as f64 / 1e3)
    } else {
        format!("{:.2}s", us as f64 / 1e6)
    }
}

/// `p50 12ms p90 30ms p99 45ms max 50ms`.
fn percentiles(p: &Percentiles) -> String {
    format!(
        "p50 {} p90 {} p99 {} max {}",
        us(p.p50_us),
        us(p.p90_us),
        us(p.p99_us),
        us(p.max_us)
    )
}

/// The line of a warning that starts (its words and what to try) or ends,
/// at scenario time `at`.
pub fn warning_text(change: &Change, at: Duration) -> String {
    let at = format::elapsed(at);
    match change {
        Change::Started { warning: w, .. } => {
            format!(
                "{at:>8}  warning {}: {} Try: {}",
                w.kind, w.what, w.try_this
            )
        }
        Change::Ended { kind, since } => format!(
            "{at:>8}  warning {kind} is over (it held from {})",
            format::elapsed(*since)
        ),
    }
}

/// A summary line of a latency: the whole run, then the last 10 s.
fn latency_text(name: &str, l: &Latency) -> String {
    let w = &l.whole;
    if w.count == 0 {
        return format!("\n  {name}: none measured");
    }
    let mut out = format!(
        "\n  {name}: {} (mean {}, {} measured)",
        percentiles(w),
        us(w.mean_us as u64),
        w.count
    );
    if l.recent.count > 0 {
        out.push_str(&format!("; last 10 s: {}", percentiles(&l.recent)));
    }
    out
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
        out.push_str(&latency_text("time in queue", &p.queue_time));
        out.push_str(&latency_text("time parked", &p.park_time));
        match p.warnings.as_deref() {
            None => {}
            Some([]) => out.push_str("\n  warnings: none fired"),
            Some(fired) => {
                out.push_str("\n  warnings fired:");
                for f in fired {
                    out.push_str(&format!(
                        "\n    {} from {}{}: {} Try: {}",
                        f.kind,
                        format::elapsed(f.first),
                        if f.times > 1 {
                            format!(" ({} times)", f.times)
                        } else {
                            String::new()
                        },
                        f.what,
                        f.try_this
                    ));
                }
            }
        }
        if let Some(a) = &p.advice {
            match a.capacity {
                Some(c) => out.push_str(&format!("\n  advice: capacity {c}: {}", a.reasoning)),
                None => out.push_str(&format!("\n  advice: {}", a.reasoning)),
            }
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
