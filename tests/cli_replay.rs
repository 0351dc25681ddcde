//! `--record` and `chanviz replay` as a user runs them: a replay prints
//! the same summary as the run that made the recording and the same tick
//! counters; bad files exit 2 with a reason; a file cut short replays up to
//! where it ends and says so.
#![cfg(feature = "tui")]

mod deadline;

use std::path::PathBuf;
use std::process::{Command, Output};

use serde_json::Value;

fn chanviz(args: &[&str]) -> Output {
    deadline::output(Command::new(env!("CARGO_BIN_EXE_chanviz")).args(args))
}

fn temp(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("chanviz-replay-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    dir.join(name)
}

fn json_lines(o: &Output) -> Vec<Value> {
    String::from_utf8_lossy(&o.stdout)
        .lines()
        .map(|l| serde_json::from_str(l).unwrap_or_else(|e| panic!("{l}: {e}")))
        .collect()
}

#[test]
fn a_replay_prints_what_the_recorded_run_printed() {
    let rec = temp("shutdown.rec");
    let live = chanviz(&[
        "demo",
        "shutdown",
        "--json",
        "--duration",
        "7s",
        "--record",
        rec.to_str().unwrap(),
    ]);
    assert_eq!(
        live.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&live.stderr)
    );
    assert!(String::from_utf8_lossy(&live.stderr).contains("recorded"));
    let replay = chanviz(&["replay", rec.to_str().unwrap(), "--json"]);
    assert_eq!(
        replay.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&replay.stderr)
    );
    let replay_err = replay.stderr.clone();
    let (live, replay) = (json_lines(&live), json_lines(&replay));
    // The same summary: sent, received, lost, transitions.
    let (l, r) = (live.last().unwrap(), replay.last().unwrap());
    assert_eq!(l["type"], "summary");
    for k in ["sent", "received", "lost", "transitions"] {
        assert_eq!(l[k], r[k], "{k}");
    }
    // The same ticks, each second (the live run sampled them a hair early
    // or late, so each is compared with the replay's nearest).
    let ticks = |v: &[Value]| -> Vec<(u64, u64, u64)> {
        v.iter()
            .filter(|t| t["type"] == "tick")
            .map(|t| {
                let ms = t["elapsed_ms"].as_u64().unwrap();
                (
                    ms.div_ceil(1000),
                    t["sent"].as_u64().unwrap(),
                    t["received"].as_u64().unwrap(),
                )
            })
            .collect()
    };
    let (lt, rt) = (ticks(&live), ticks(&replay));
    assert!(rt.len() >= 5, "{rt:?}");
    let mut agree = 0;
    for (s, sent, recv) in &rt {
        if lt.iter().any(|(ls, lsent, lrecv)| {
            ls == s && lsent.abs_diff(*sent) <= 1 && lrecv.abs_diff(*recv) <= 1
        }) {
            agree += 1;
        }
    }
    assert!(agree * 10 >= rt.len() * 8, "live {lt:?}\nreplay {rt:?}");
    // The fold of the events equals the summary (replay says so otherwise),
    // and the last tick's counters are the fold's so far.
    let err = String::from_utf8_lossy(&replay_err);
    assert_eq!(l["events_dropped"], 0);
    assert!(!err.contains("its events show"), "{err}");
    let last = replay.iter().rev().find(|t| t["type"] == "tick").unwrap();
    assert!(last["sent"].as_u64() <= r["sent"].as_u64());
    assert!(last["received"].as_u64() <= last["sent"].as_u64());
}

/// A summary that the events do not add up to: replay prints it, and says
/// on stderr what the events show instead.
#[test]
fn a_summary_the_events_do_not_match_is_reported() {
    use chanviz::probe::{EventKind, LogEntry, Record};
    let header = chanviz::record::Header {
        format: chanviz::record::VERSION,
        chanviz: "0.1.0".into(),
        started_unix_s: 0,
        scenario: "made-up".into(),
        scenario_toml: String::new(),
    };
    let e = |seq, kind| {
        Record::Event(LogEntry {
            seq,
            at_us: seq * 1000,
            chan: 1,
            kind,
        })
    };
    let push = EventKind::Push {
        handle: 1,
        slot: 0,
        head: 1,
        tail: 0,
        len: 1,
        handoff: false,
    };
    let records = [e(0, EventKind::Created { capacity: 4 }), e(1, push)];
    let json = r#"{"type":"summary","sent":5,"received":5,"lost":0}"#;
    let bytes = chanviz::record::to_bytes(&header, &records, 8, Some(("text", json)));
    let rec = temp("made-up.rec");
    std::fs::write(&rec, bytes).unwrap();
    let o = chanviz(&["replay", rec.to_str().unwrap(), "--json"]);
    assert_eq!(o.status.code(), Some(0));
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(err.contains("1 pushes and 0 pops"), "{err}");
    assert!(err.contains("no gap"), "{err}");
    assert_eq!(json_lines(&o).last().unwrap()["sent"], 5);
}

#[test]
fn bad_files_exit_2_with_a_reason() {
    let missing = chanviz(&["replay", "/nonexistent/run.rec", "--json"]);
    assert_eq!(missing.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&missing.stderr).contains("cannot read it"));
    let text = temp("notes.txt");
    std::fs::write(&text, "not a recording\n").unwrap();
    let o = chanviz(&["replay", text.to_str().unwrap(), "--json"]);
    assert_eq!(o.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&o.stderr).contains("not a chanviz recording"));
    // A device that never ends: refused at once, not read.
    let o = chanviz(&["replay", "/dev/zero", "--json"]);
    assert_eq!(o.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&o.stderr).contains("not a chanviz recording"));
    // A newer version.
    let rec = temp("newer.rec");
    let live = chanviz(&[
        "demo",
        "spsc",
        "--headless",
        "--duration",
        "300ms",
        "--record",
        rec.to_str().unwrap(),
    ]);
    assert_eq!(live.status.code(), Some(0));
    let mut bytes = std::fs::read(&rec).unwrap();
    bytes[chanviz::record::MAGIC.len()] += 1;
    std::fs::write(&rec, &bytes).unwrap();
    let o = chanviz(&["replay", rec.to_str().unwrap()]);
    assert_eq!(o.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&o.stderr).contains("newer than this chanviz reads"));
    // A bad flag.
    let o = chanviz(&["replay", rec.to_str().unwrap(), "--interval", "forever"]);
    assert_eq!(o.status.code(), Some(2));
}

#[test]
fn a_file_cut_short_replays_up_to_where_it_ends() {
    let rec = temp("cut.rec");
    let live = chanviz(&[
        "demo",
        "mpsc",
        "--headless",
        "--duration",
        "3s",
        "--record",
        rec.to_str().unwrap(),
    ]);
    assert_eq!(live.status.code(), Some(0));
    let bytes = std::fs::read(&rec).unwrap();
    std::fs::write(&rec, &bytes[..bytes.len() * 2 / 3]).unwrap();
    let o = chanviz(&["replay", rec.to_str().unwrap()]);
    assert_eq!(
        o.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&o.stderr)
    );
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(err.contains("the recording ends after event"), "{err}");
    let out = String::from_utf8_lossy(&o.stdout);
    assert!(out.contains("summary: none recorded"), "{out}");
}

/// A replay shows the warnings as the run did, from the events alone: the
/// line with the words when one starts, `warn NAME` on the ticks, the times
/// in queue; `--allow NAME` and `--warn NAME` choose them as in a run.
#[test]
fn a_replay_says_the_warnings_and_allow_hides_them() {
    let rec = temp("backpressure-warnings.rec");
    let live = chanviz(&[
        "demo",
        "backpressure",
        "--headless",
        "--duration",
        "5s",
        "--record",
        rec.to_str().unwrap(),
    ]);
    assert_eq!(
        live.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&live.stderr)
    );
    let text = |extra: &[&str]| {
        let mut args = vec!["replay", rec.to_str().unwrap(), "--headless"];
        args.extend_from_slice(extra);
        let o = chanviz(&args);
        assert_eq!(o.status.code(), Some(0), "{extra:?}");
        String::from_utf8_lossy(&o.stdout).into_owned()
    };
    let all = text(&[]);
    let said = all
        .lines()
        .filter(|l| l.contains("  warning consumer-bound: ") && l.contains(" Try: "))
        .count();
    assert_eq!(said, 1, "{all}");
    assert!(all.contains("  warn consumer-bound"), "{all}");
    assert!(all.contains("  queue p50 "), "{all}");
    for hidden in [
        text(&["--allow", "consumer-bound"]),
        text(&["--warn", "stuck-closing"]),
    ] {
        let ticks: Vec<&str> = hidden.lines().filter(|l| l.contains(" sent ")).collect();
        assert!(!ticks.is_empty(), "{hidden}");
        assert!(
            ticks.iter().all(|l| !l.contains("consumer-bound")),
            "{hidden}"
        );
        assert!(!hidden.contains("  warning consumer-bound: "), "{hidden}");
    }
    let o = chanviz(&["replay", rec.to_str().unwrap(), "--json"]);
    let lines = json_lines(&o);
    assert!(
        lines.iter().any(|t| t["type"] == "tick"
            && t["warnings"]
                .as_array()
                .is_some_and(|w| w.iter().any(|w| w["kind"] == "consumer-bound"))),
        "{lines:?}"
    );
}
