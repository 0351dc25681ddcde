//! Every demo runs headless for a moment and ends with nothing lost, as the
//! JSON summary reports it; text mode prints lines and a summary.
#![cfg(feature = "tui")]

mod deadline;

use std::process::Command;

use chanviz::scenario::demos::{self, DEMOS};
use serde_json::Value;

fn json_run(demo: &str, extra: &[&str]) -> Vec<Value> {
    let mut args = vec![
        "demo",
        demo,
        "--json",
        "--interval",
        "200ms",
        "--workers",
        "1",
    ];
    args.extend_from_slice(extra);
    let o = deadline::output(Command::new(env!("CARGO_BIN_EXE_chanviz")).args(&args));
    assert_eq!(
        o.status.code(),
        Some(0),
        "{demo}: {}",
        String::from_utf8_lossy(&o.stderr)
    );
    String::from_utf8_lossy(&o.stdout)
        .lines()
        .map(|l| {
            serde_json::from_str(l).unwrap_or_else(|e| panic!("{demo}: bad JSON line {l:?}: {e}"))
        })
        .collect()
}

#[test]
fn every_demo_runs_headless_and_loses_nothing() {
    // The demos run side by side: the machine is small, the runs are short.
    let runs: Vec<_> = DEMOS
        .iter()
        .map(|d| {
            (
                d.name,
                std::thread::spawn(move || json_run(d.name, &["--duration", "700ms"])),
            )
        })
        .collect();
    for (name, run) in runs {
        let lines = run.join().unwrap();
        let (summary, lines) = lines.split_last().expect("some output");
        let ticks: Vec<_> = lines.iter().filter(|l| l["type"] == "tick").collect();
        assert!(!ticks.is_empty(), "{name}: no tick lines");
        for t in ticks {
            assert!(t["sent"].is_u64() && t["received"].is_u64(), "{name}: {t}");
        }
        // Besides ticks, only a lesson's words: printed, never waited for.
        for l in lines.iter().filter(|l| l["type"] != "tick") {
            assert!(l["type"] == "say" || l["type"] == "ask", "{name}: {l}");
            assert!(l["text"].is_string() && l["at_ms"].is_u64(), "{name}: {l}");
        }
        if !demos::find(name).unwrap().is_lesson() {
            assert!(
                lines.iter().all(|l| l["type"] == "tick"),
                "{name}: words from a demo that is not a lesson"
            );
        }
        assert_eq!(summary["type"], "summary", "{name}: {summary}");
        let sent = summary["sent"].as_u64().unwrap();
        assert!(sent > 0, "{name}: nothing sent");
        assert_eq!(
            summary["received"].as_u64(),
            Some(sent),
            "{name}: {summary}"
        );
        assert_eq!(summary["lost"], 0, "{name}: {summary}");
        assert!(
            summary["duration_ms"].as_u64().unwrap() >= 700,
            "{name}: {summary}"
        );
        assert!(summary["events_dropped"].is_u64(), "{name}: {summary}");
        let transitions = summary["transitions"].as_array().expect("transitions");
        assert!(
            transitions.iter().any(|t| t["to"] == "Closed"),
            "{name}: the run did not end through Closed: {summary}"
        );
    }
}

#[test]
fn a_message_quota_ends_the_run_with_every_message_received() {
    let lines = json_run(
        "spsc",
        &[
            "--messages",
            "25",
            "--rate",
            "max",
            "--duration",
            "unlimited",
        ],
    );
    let summary = lines.last().unwrap();
    assert_eq!(summary["end"], "all_sent");
    assert_eq!(summary["sent"], 25);
    assert_eq!(summary["received"], 25);
}

#[test]
fn text_mode_prints_a_header_lines_and_a_summary() {
    let o = deadline::output(Command::new(env!("CARGO_BIN_EXE_chanviz")).args([
        "demo",
        "backpressure",
        "--headless",
        "--duration",
        "500ms",
        "--interval",
        "200ms",
    ]));
    assert_eq!(o.status.code(), Some(0));
    let out = String::from_utf8_lossy(&o.stdout);
    let lines: Vec<&str> = out.lines().collect();
    assert!(lines[0].starts_with("chanviz: backpressure"), "{out}");
    assert!(
        lines
            .iter()
            .filter(|l| l.contains(" sent ") && l.contains(" recv "))
            .count()
            >= 2,
        "{out}"
    );
    assert!(
        out.contains("summary: backpressure ended (duration)"),
        "{out}"
    );
    assert!(out.contains("lost 0"), "{out}");
}

#[cfg(unix)]
#[test]
fn sigint_stops_an_unlimited_run_and_drains_it() {
    use std::io::{BufRead, BufReader};
    use std::process::Stdio;
    let mut child = Command::new(env!("CARGO_BIN_EXE_chanviz"))
        .args([
            "demo",
            "backpressure",
            "--json",
            "--duration",
            "unlimited",
            "--interval",
            "100ms",
        ])
        .stdout(Stdio::piped())
        .spawn()
        .expect("the binary runs");
    let mut out = BufReader::new(child.stdout.take().unwrap());
    // Wait for the first tick: the run is under way (and the ring is full).
    let (first, out) = deadline::within("the first tick", move || {
        let mut first = String::new();
        out.read_line(&mut first).unwrap();
        (first, out)
    });
    assert!(first.contains("\"tick\""), "{first}");
    // SAFETY: kill(2) with a pid we spawned and a valid signal number.
    let rc = unsafe { libc_kill(child.id() as i32, 2) };
    assert_eq!(rc, 0);
    let rest: Vec<String> = deadline::within("the summary after SIGINT", move || {
        out.lines().map(|l| l.unwrap()).collect()
    });
    let status = deadline::wait_child(&mut child, "chanviz after SIGINT");
    assert_eq!(status.code(), Some(0));
    let summary: Value = serde_json::from_str(rest.last().expect("a summary")).unwrap();
    assert_eq!(summary["type"], "summary");
    assert_eq!(summary["end"], "shutdown");
    assert_eq!(summary["lost"], 0);
    assert_eq!(summary["sent"], summary["received"]);
}

#[cfg(unix)]
extern "C" {
    #[link_name = "kill"]
    fn libc_kill(pid: i32, sig: i32) -> i32;
}

#[test]
fn the_probe_sees_the_same_counts_as_the_runner() {
    let lines = json_run("mpmc", &["--duration", "600ms", "--rate", "200"]);
    let (summary, ticks) = lines.split_last().unwrap();
    // The ticks carry the ring as the probe sees it (the first one is
    // before the end of the run).
    let t = ticks.first().unwrap();
    let capacity = chanviz::scenario::demos::find("mpmc")
        .unwrap()
        .scenario()
        .unwrap()
        .capacity;
    assert_eq!(t["capacity"], capacity, "{t}");
    assert_eq!(t["lifecycle"], "open", "{t}");
    let probe = &summary["probe"];
    assert_eq!(probe["sent"], summary["sent"], "{summary}");
    assert_eq!(probe["received"], summary["received"], "{summary}");
    assert_eq!(probe["agrees"], true, "{summary}");
    // The probe saw the channel go open -> closing -> closed.
    let steps: Vec<(&str, &str)> = probe["lifecycle"]
        .as_array()
        .unwrap()
        .iter()
        .map(|l| (l["from"].as_str().unwrap(), l["to"].as_str().unwrap()))
        .filter(|(from, to)| from != to)
        .collect();
    assert_eq!(
        steps,
        [("open", "closing"), ("closing", "closed")],
        "{summary}"
    );
}

/// A lesson run headless does not stop at its pauses or questions (nobody
/// could resume it): it prints what it says and asks, and ends.
#[test]
fn a_headless_lesson_prints_its_words_and_does_not_stop() {
    let o = deadline::output(Command::new(env!("CARGO_BIN_EXE_chanviz")).args([
        "demo",
        "lesson-backpressure",
        "--headless",
        "--duration",
        "3500ms",
    ]));
    assert_eq!(o.status.code(), Some(0));
    let out = String::from_utf8_lossy(&o.stdout);
    let said: Vec<&str> = out
        .lines()
        .filter(|l| l.contains("  say: ") || l.contains("  ask: "))
        .collect();
    assert_eq!(said.len(), 3, "{out}");
    assert!(said[0].contains("say: The ring is full"), "{out}");
    assert!(
        said[1].contains("say: A sender found the ring full and parked"),
        "{out}"
    );
    assert!(
        said[2].contains("ask: Every producer is parked. Which sender will the next pop wake?")
            && said[2].contains("answer: next_woken_sender"),
        "{out}"
    );
    assert!(out.contains("ended (duration)"), "{out}");
}

/// Time in queue and time parked, the warnings and the advice, in the JSON
/// lines of a run whose consumer is the bottleneck (the ring stays full:
/// consumer-bound needs 2 s of it, the run lasts 5 s).
#[test]
fn json_lines_carry_latencies_warnings_and_advice() {
    let lines = json_run("backpressure", &["--duration", "5s"]);
    let (summary, ticks) = lines.split_last().unwrap();
    for t in ticks {
        assert!(t["warnings"].is_array(), "{t}");
    }
    assert!(
        ticks
            .iter()
            .any(|t| t["queue_time"]["count"].as_u64() > Some(0)
                && t["queue_time"]["p99_us"].is_u64()
                && t["park_time"]["max_us"].is_u64()),
        "no tick with times: {ticks:?}"
    );
    let on = ticks
        .iter()
        .flat_map(|t| t["warnings"].as_array().unwrap())
        .find(|w| w["kind"] == "consumer-bound")
        .unwrap_or_else(|| panic!("consumer-bound never on: {ticks:?}"));
    assert!(on["what"].is_string() && on["try"].is_string(), "{on}");
    assert!(on["since_ms"].is_u64(), "{on}");
    for latency in ["queue_time", "park_time"] {
        for window in ["whole", "recent"] {
            let p = &summary[latency][window];
            assert!(
                p["count"].as_u64() > Some(0),
                "{latency}.{window}: {summary}"
            );
            for key in ["mean_us", "p50_us", "p90_us", "p99_us", "max_us"] {
                assert!(p[key].is_number(), "{latency}.{window}.{key}: {summary}");
            }
        }
    }
    let whole = &summary["queue_time"]["whole"];
    assert!(
        whole["p50_us"].as_u64() <= whole["p99_us"].as_u64(),
        "{summary}"
    );
    let fired = summary["warnings"].as_array().expect("warnings");
    let cb = fired
        .iter()
        .find(|w| w["kind"] == "consumer-bound")
        .unwrap_or_else(|| panic!("consumer-bound not in the summary: {summary}"));
    assert!(
        cb["first_ms"].is_u64() && cb["times"].as_u64() >= Some(1),
        "{cb}"
    );
    assert!(cb["what"].as_str().unwrap().contains("bottleneck"), "{cb}");
    assert!(!cb["try"].as_str().unwrap().is_empty(), "{cb}");
    assert!(
        summary["advice"]["reasoning"].is_string(),
        "no advice: {summary}"
    );
}

/// `--allow NAME` hides a warning from the ticks and the summary; `--warn
/// NAME` shows only the ones named.
#[test]
fn allow_and_warn_choose_the_warnings_shown() {
    let lines = json_run(
        "backpressure",
        &["--duration", "5s", "--allow", "consumer-bound"],
    );
    let only_others = json_run(
        "backpressure",
        &[
            "--duration",
            "5s",
            "--warn",
            "producer-bound",
            "--warn",
            "stuck-closing",
        ],
    );
    for lines in [lines, only_others] {
        let (summary, ticks) = lines.split_last().unwrap();
        for t in ticks {
            let kinds = t["warnings"].as_array().unwrap();
            assert!(kinds.iter().all(|w| w["kind"] != "consumer-bound"), "{t}");
        }
        let fired = summary["warnings"].as_array().expect("warnings");
        assert!(
            fired.iter().all(|w| w["kind"] != "consumer-bound"),
            "{summary}"
        );
        // The times are still there.
        assert!(summary["queue_time"]["whole"]["count"].as_u64() > Some(0));
    }
}

/// Text: a warning's words and what to try on a line of their own when it
/// starts, its name on the tick lines while it is on, the times on the tick
/// lines, and the summary's times, warnings and advice.
#[test]
fn text_lines_say_each_warning_once_with_what_to_try() {
    let o = deadline::output(Command::new(env!("CARGO_BIN_EXE_chanviz")).args([
        "demo",
        "backpressure",
        "--headless",
        "--duration",
        "5s",
        "--interval",
        "500ms",
    ]));
    assert_eq!(o.status.code(), Some(0));
    let out = String::from_utf8_lossy(&o.stdout);
    let said: Vec<&str> = out
        .lines()
        .filter(|l| l.contains("  warning consumer-bound: "))
        .collect();
    assert_eq!(said.len(), 1, "{out}");
    assert!(
        said[0].contains("bottleneck") && said[0].contains(" Try: "),
        "{out}"
    );
    let ticks: Vec<&str> = out
        .lines()
        .filter(|l| l.contains(" sent ") && l.contains(" recv "))
        .collect();
    assert!(
        ticks.iter().any(|l| l.contains("  queue p50 ")
            && l.contains(" p90 ")
            && l.contains(" p99 ")
            && l.contains(" max ")
            && l.contains("  parked p50 ")),
        "{out}"
    );
    assert!(
        ticks.iter().any(|l| l.ends_with("  warn consumer-bound")),
        "{out}"
    );
    for part in [
        "  time in queue: p50 ",
        "  time parked: p50 ",
        "  warnings fired:\n    consumer-bound from ",
        "  advice: ",
    ] {
        assert!(out.contains(part), "{part:?} missing from:\n{out}");
    }
}
