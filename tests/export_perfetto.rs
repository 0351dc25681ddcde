//! `chanviz export FILE --perfetto OUT.json` as a user runs it: a recorded
//! run exported and held against the trace-event format's rules (phases,
//! timestamps in µs and in order, slices nested per thread, every flow's
//! start with one end), against what Perfetto's JSON importer does with
//! them (a slice stack per thread, a flow bound to the slice open on its
//! thread), and against the recording itself (counters, parks, arrows);
//! then each kind of bad input.
#![cfg(feature = "tui")]

mod deadline;

use std::collections::{BTreeMap, HashMap, HashSet};
use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use std::sync::OnceLock;

use chanviz::probe::{EventKind, HandleState, LogEntry, Model, Record, Role, Side, WakeCause};
use chanviz::record::{self, Header};
use serde_json::Value;

fn chanviz(args: &[&str]) -> Output {
    deadline::output(Command::new(env!("CARGO_BIN_EXE_chanviz")).args(args))
}

fn temp(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("chanviz-perfetto-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    dir.join(name)
}

fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

/// One recorded run, shared by the tests: `one-slot` parks senders and
/// receivers both, and closes its channel at the end.
fn recording() -> &'static Path {
    static REC: OnceLock<PathBuf> = OnceLock::new();
    REC.get_or_init(|| {
        let rec = temp("one-slot.rec");
        let o = chanviz(&[
            "demo",
            "one-slot",
            "--headless",
            "--duration",
            "3s",
            "--record",
            rec.to_str().unwrap(),
        ]);
        assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
        rec
    })
}

/// Export `rec` with `extra` flags; the parsed trace and the run's output.
fn export(rec: &Path, out_name: &str, extra: &[&str]) -> (Value, Output) {
    let out = temp(out_name);
    let mut args = vec![
        "export",
        rec.to_str().unwrap(),
        "--perfetto",
        out.to_str().unwrap(),
    ];
    args.extend_from_slice(extra);
    let o = chanviz(&args);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let text = std::fs::read_to_string(&out).unwrap();
    let trace = serde_json::from_str(&text).unwrap_or_else(|e| panic!("not JSON: {e}"));
    (trace, o)
}

fn events(trace: &Value) -> &Vec<Value> {
    trace["traceEvents"]
        .as_array()
        .expect("traceEvents is an array")
}

fn num(v: &Value, what: &str) -> f64 {
    v.as_f64()
        .unwrap_or_else(|| panic!("{what} is not a number: {v}"))
}

/// A time in the file (µs, maybe with a fraction) as whole nanoseconds, as
/// Perfetto reads it.
fn ns(v: &Value) -> i64 {
    (num(v, "ts") * 1000.0).round() as i64
}

/// What a trace holds, once it passed [`check_rules`].
#[derive(Debug, Default)]
struct Seen {
    /// (pid, tid) -> thread name.
    threads: HashMap<(u64, u64), String>,
    /// Park slices per thread.
    parks: usize,
    /// Flow ids.
    flows: usize,
    /// (pid, counter track) -> last value.
    counters: HashMap<(u64, String), f64>,
    /// Instants by category.
    instants: BTreeMap<String, usize>,
}

/// A slice on a thread's stack: start, end, name.
type Open = (i64, i64, String);

/// The trace-event format's rules, and what Perfetto's importer needs.
fn check_rules(trace: &Value) -> Seen {
    assert_eq!(trace["displayTimeUnit"], "ms");
    assert!(trace["otherData"].is_object(), "otherData");
    let mut seen = Seen::default();
    let mut pids = HashSet::new();
    let mut last_ts: HashMap<(u64, Option<u64>), i64> = HashMap::new();
    let mut last_any = i64::MIN;
    let mut starts: HashMap<(u64, String, String), usize> = HashMap::new();
    let mut ends: HashMap<(u64, String, String), usize> = HashMap::new();
    // Perfetto's slice stack per thread: the open slices, innermost last.
    let mut stacks: HashMap<(u64, u64), Vec<Open>> = HashMap::new();
    let mut metadata_done = false;
    for (i, e) in events(trace).iter().enumerate() {
        let at = format!("event {i} {e}");
        let ph = e["ph"].as_str().unwrap_or_else(|| panic!("{at}: no ph"));
        assert!(
            ["M", "X", "C", "i", "s", "f"].contains(&ph),
            "{at}: phase {ph}"
        );
        assert!(e["name"].is_string(), "{at}: name");
        let pid = e["pid"].as_u64().unwrap_or_else(|| panic!("{at}: pid"));
        assert!(pid > 0, "{at}: pid 0");
        pids.insert(pid);
        let tid = e.get("tid").map(|t| t.as_u64().expect("tid is a number"));
        if let Some(t) = tid {
            assert!(t > 0, "{at}: tid 0 means none to Perfetto");
        }
        if ph == "M" {
            assert!(!metadata_done, "{at}: metadata after timed events");
            let name = e["name"].as_str().unwrap();
            assert!(
                [
                    "process_name",
                    "process_sort_index",
                    "thread_name",
                    "thread_sort_index"
                ]
                .contains(&name),
                "{at}"
            );
            if name == "thread_name" {
                let t = tid.expect("a thread name has a tid");
                let n = e["args"]["name"].as_str().expect("thread name").to_string();
                assert!(
                    seen.threads.insert((pid, t), n).is_none(),
                    "{at}: thread named twice"
                );
            }
            if name == "process_name" {
                assert!(e["args"]["name"].is_string(), "{at}");
            }
            continue;
        }
        metadata_done = true;
        // Timestamps: µs numbers, in order (the file as a whole, so each
        // track too).
        let ts = ns(&e["ts"]);
        assert!(ts >= 0, "{at}: ts");
        assert!(ts >= last_any, "{at}: ts goes back");
        last_any = ts;
        let prev = last_ts.insert((pid, tid), ts);
        assert!(
            prev.is_none_or(|p| p <= ts),
            "{at}: ts goes back on its track"
        );
        match ph {
            "X" | "i" => {
                let dur = if ph == "X" {
                    let d = ns(&e["dur"]);
                    assert!(d >= 0, "{at}: dur");
                    d
                } else {
                    0
                };
                if ph == "i" {
                    let s = e["s"].as_str().expect("an instant has a scope");
                    assert!(["t", "p"].contains(&s), "{at}: scope {s}");
                    *seen
                        .instants
                        .entry(e["cat"].as_str().unwrap().into())
                        .or_default() += 1;
                    if s == "p" {
                        assert!(tid.is_none(), "{at}: a process instant on a thread");
                        continue;
                    }
                }
                let tid = tid.unwrap_or_else(|| panic!("{at}: a slice without a tid"));
                let stack = stacks.entry((pid, tid)).or_default();
                // Perfetto pops the slices that ended before this one begins
                // (or at its start, unless both are instants) ...
                while let Some(&(s, end, _)) = stack.last() {
                    let both_instants = s == end && dur == 0;
                    if end < ts || (end == ts && !both_instants) {
                        stack.pop();
                    } else {
                        break;
                    }
                }
                // ... and drops one that overlaps its parent without
                // nesting: the rule is nested or disjoint.
                if let Some((s, end, name)) = stack.last() {
                    assert!(
                        ts + dur <= *end,
                        "{at}: overlaps {name} [{s}, {end}] on its thread"
                    );
                    assert!(
                        !(ts == *s && *s == *end && dur == 0),
                        "{at}: two instants at one ts stack up"
                    );
                }
                stack.push((ts, ts + dur, e["name"].as_str().unwrap().to_string()));
                if e["cat"] == "park" {
                    seen.parks += 1;
                }
            }
            "C" => {
                let args = e["args"].as_object().expect("a counter has args");
                assert!(!args.is_empty(), "{at}");
                for (k, v) in args {
                    let track = format!("{} {k}", e["name"].as_str().unwrap());
                    seen.counters.insert((pid, track), num(v, "counter"));
                }
            }
            "s" | "f" => {
                let id = e["id"].as_u64().unwrap_or_else(|| panic!("{at}: flow id"));
                let cat = e["cat"].as_str().expect("flow cat").to_string();
                let name = e["name"].as_str().unwrap().to_string();
                let tid = tid.unwrap_or_else(|| panic!("{at}: a flow without a tid"));
                // Perfetto binds a flow to the slice open on its thread as it
                // reads it: that must be this flow's own push (pop), at the
                // same ts.
                let top = stacks
                    .get(&(pid, tid))
                    .and_then(|s| s.last())
                    .unwrap_or_else(|| panic!("{at}: no slice to bind to"));
                let own = if ph == "s" { "push" } else { "pop" };
                assert_eq!(
                    (top.0, top.2.as_str()),
                    (ts, own),
                    "{at}: binds to the wrong slice"
                );
                let key = (id, cat, name);
                if ph == "s" {
                    *starts.entry(key).or_default() += 1;
                } else {
                    assert_eq!(e["bp"], "e", "{at}: an end binds to its enclosing slice");
                    assert!(starts.contains_key(&key), "{at}: an end before its start");
                    *ends.entry(key).or_default() += 1;
                }
            }
            _ => unreachable!(),
        }
    }
    assert!(starts.values().all(|&n| n == 1), "a flow id starts twice");
    assert_eq!(starts, ends, "every flow start has exactly one end");
    seen.flows = starts.len();
    // Threads: distinct tids, none a pid (Perfetto would take it for that
    // process's main thread); names unique per process.
    let mut tids = HashSet::new();
    for &(pid, tid) in seen.threads.keys() {
        assert!(tids.insert(tid), "tid {tid} twice");
        assert!(!pids.contains(&tid), "tid {tid} is a pid");
        let same: Vec<_> = seen
            .threads
            .iter()
            .filter(|((p, _), n)| *p == pid && **n == seen.threads[&(pid, tid)])
            .collect();
        assert_eq!(same.len(), 1, "two threads named alike: {same:?}");
    }
    seen
}

/// What the recording says, to hold the trace against.
#[derive(Debug, Default)]
struct Expected {
    parks: usize,
    /// Pops whose push comes before them in the recording.
    flows: usize,
    transitions: usize,
    /// Lifecycle changes and creations.
    lifecycle: usize,
    handles: HashSet<(u64, Role, u64)>,
    model: Model,
}

fn expected(records: &[Record]) -> Expected {
    let mut x = Expected::default();
    let mut pushed = HashSet::new();
    for r in records {
        match r {
            Record::Event(e) => {
                x.model.apply(e);
                match e.kind {
                    EventKind::SendWait { handle, .. } => {
                        x.parks += 1;
                        x.handles.insert((e.chan, Role::Sender, handle));
                    }
                    EventKind::RecvWait { handle, .. } => {
                        x.parks += 1;
                        x.handles.insert((e.chan, Role::Receiver, handle));
                    }
                    EventKind::Push { handle, head, .. } => {
                        pushed.insert((e.chan, head - 1));
                        x.handles.insert((e.chan, Role::Sender, handle));
                    }
                    EventKind::Pop { handle, tail, .. } => {
                        x.flows += usize::from(pushed.remove(&(e.chan, tail - 1)));
                        x.handles.insert((e.chan, Role::Receiver, handle));
                    }
                    EventKind::Handle { handle, role, .. } => {
                        x.transitions += 1;
                        x.handles.insert((e.chan, role, handle));
                    }
                    EventKind::Lifecycle { .. } | EventKind::Created { .. } => x.lifecycle += 1,
                    EventKind::Wake { side, woken, .. } => {
                        x.handles.insert((e.chan, side.role(), woken));
                    }
                    EventKind::Leave { side, handle, .. } => {
                        x.handles.insert((e.chan, side.role(), handle));
                    }
                    EventKind::Closed { role, handle } => {
                        x.handles.insert((e.chan, role, handle));
                    }
                    // A newer event kind (none yet).
                    #[allow(unreachable_patterns)]
                    _ => {}
                }
            }
            Record::Named { chan, name } => x.model.name(*chan, name),
            Record::Gap { .. } => {}
            Record::State(s) => x.model.seed(s),
        }
    }
    x
}

/// The trace says what the recording says: a slice per park, an arrow per
/// message, an instant per transition and lifecycle change, a thread per
/// handle, and counters that end where the channel ended.
fn check_against(trace: &Value, seen: &Seen, records: &[Record]) {
    let x = expected(records);
    assert_eq!(
        seen.parks, x.parks,
        "one park slice per send_wait/recv_wait"
    );
    let other = &trace["otherData"];
    assert_eq!(seen.flows as u64, other["flows_drawn"].as_u64().unwrap());
    assert_eq!(other["flows_total"].as_u64().unwrap(), x.flows as u64);
    assert_eq!(
        seen.instants.get("handle").copied().unwrap_or(0),
        x.transitions
    );
    assert_eq!(
        seen.instants.get("lifecycle").copied().unwrap_or(0),
        x.lifecycle
    );
    let names: HashSet<(u64, String)> = seen
        .threads
        .iter()
        .map(|((pid, _), n)| (*pid, n.clone()))
        .collect();
    for &(chan, role, id) in &x.handles {
        let label = format!("{}{id}", role.prefix());
        assert!(
            names.contains(&(chan, label.clone())),
            "no thread for {label}"
        );
    }
    assert_eq!(names.len(), x.handles.len(), "a thread per handle, no more");
    let snap = x.model.snapshot(0, Vec::new());
    for c in &snap.channels {
        for (track, v) in [
            ("ring len", c.len),
            ("senders waiting", c.waiting_senders),
            ("receivers waiting", c.waiting_receivers),
        ] {
            assert_eq!(
                seen.counters.get(&(c.chan, track.to_string())).copied(),
                Some(v as f64),
                "channel {}'s last {track}",
                c.chan
            );
        }
    }
}

#[test]
fn a_recorded_run_exports_to_a_trace_that_follows_the_rules() {
    let rec = recording();
    let (trace, o) = export(rec, "one-slot.json", &[]);
    let seen = check_rules(&trace);
    let loaded = record::load(rec).unwrap();
    check_against(&trace, &seen, &loaded.records);
    // The run did park on both sides and move messages: the checks above
    // had something to check.
    assert!(seen.parks > 0 && seen.flows > 0, "{seen:?}");
    let names: HashSet<&str> = seen.threads.values().map(String::as_str).collect();
    assert!(names.contains("S0") && names.contains("R0"), "{names:?}");
    let parks_per_side = |name: &str| {
        events(&trace)
            .iter()
            .filter(|e| e["ph"] == "X" && e["name"] == name)
            .count()
    };
    assert!(parks_per_side("parked (send_wait)") > 0);
    assert!(parks_per_side("parked (recv_wait)") > 0);
    // The channel's process is named, with its capacity.
    assert!(
        events(&trace)
            .iter()
            .any(|e| e["name"] == "process_name" && e["args"]["name"] == "one-slot (capacity 1)"),
        "no process named after the channel"
    );
    // The run closed its channel: the lifecycle is there.
    assert!(events(&trace)
        .iter()
        .any(|e| e["ph"] == "i" && e["name"] == "channel closing -> closed"));
    // One line on success, with the numbers.
    let err = stderr(&o);
    assert_eq!(err.lines().count(), 1, "{err}");
    let flows = seen.flows.to_string();
    assert!(
        err.contains("wrote") && err.contains(&format!("{flows} of {flows} message arrows")),
        "{err}"
    );
}

#[test]
fn max_flows_draws_the_first_n_and_says_how_many_exist() {
    let rec = recording();
    let (all, _) = export(rec, "all-flows.json", &[]);
    let total = all["otherData"]["flows_total"].as_u64().unwrap();
    assert!(total > 5, "{total}");
    let (some, o) = export(rec, "five-flows.json", &["--max-flows", "5"]);
    let seen = check_rules(&some);
    assert_eq!(seen.flows, 5);
    assert_eq!(some["otherData"]["flows_drawn"], 5);
    assert_eq!(some["otherData"]["flows_total"], total);
    assert_eq!(some["otherData"]["max_flows"], 5);
    assert!(
        stderr(&o).contains(&format!("5 of {total} message arrows (--max-flows 5)")),
        "{}",
        stderr(&o)
    );
    // The first five popped: the pops of the full trace's first five ids.
    let pop_ts = |t: &Value, n: u64| -> Vec<i64> {
        events(t)
            .iter()
            .filter(|e| e["ph"] == "f" && e["id"].as_u64().unwrap() <= n)
            .map(|e| ns(&e["ts"]))
            .collect()
    };
    assert_eq!(pop_ts(&some, 5), pop_ts(&all, 5));
    // Everything else is the same.
    let without_flows = |t: &Value| {
        events(t)
            .iter()
            .filter(|e| e["ph"] != "s" && e["ph"] != "f")
            .count()
    };
    assert_eq!(without_flows(&some), without_flows(&all));
    let (none, _) = export(rec, "no-flows.json", &["--max-flows", "0"]);
    assert_eq!(check_rules(&none).flows, 0);
}

#[test]
fn a_dash_writes_the_trace_to_stdout() {
    let rec = recording();
    let o = chanviz(&["export", rec.to_str().unwrap(), "--perfetto", "-"]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let trace: Value = serde_json::from_slice(&o.stdout).expect("stdout is the trace");
    check_rules(&trace);
    assert!(stderr(&o).contains("wrote stdout"), "{}", stderr(&o));
}

// ---- a recording made by hand: the cases a short run may not show ---------

fn header() -> Header {
    Header {
        format: record::VERSION,
        chanviz: "0.1.0".into(),
        started_unix_s: 1_764_350_000,
        scenario: "by hand".into(),
        scenario_toml: String::new(),
    }
}

/// Two channels; on channel 1, S0 parks twice without a wake in between
/// (the second slice must not overlap the first), is woken for its second
/// park only, then parks again and is still parked at the end; R0 pops a
/// message whose push was lost in a gap; several events share one µs; a
/// wake comes for a park that is not in the recording.
fn by_hand() -> Vec<Record> {
    use EventKind::*;
    let ev = |seq: u64, at_us: u64, chan: u64, kind: EventKind| {
        Record::Event(LogEntry {
            seq,
            at_us,
            chan,
            kind,
        })
    };
    let open = |handle, role| Handle {
        handle,
        role,
        from: HandleState::Absent,
        to: HandleState::Open,
    };
    let push = |head: u64, len| Push {
        handle: 0,
        slot: 0,
        head,
        tail: head - 1,
        len,
        handoff: false,
    };
    let pop = |tail: u64, len| Pop {
        handle: 0,
        slot: 0,
        head: tail,
        tail,
        len,
    };
    let wait = |ticket, waiting| SendWait {
        handle: 0,
        waiting,
        ticket,
    };
    let wake = |ticket, waiting, cause, by| Wake {
        side: Side::Senders,
        woken: 0,
        waiting,
        ticket,
        cause,
        by,
    };
    vec![
        Record::Named {
            chan: 1,
            name: "jobs \"a\"".into(),
        },
        ev(0, 100, 1, Created { capacity: 1 }),
        ev(1, 100, 1, open(0, Role::Sender)),
        ev(2, 100, 1, open(0, Role::Receiver)),
        ev(3, 100, 1, push(1, 1)),
        ev(4, 100, 1, wait(0, 1)),
        // Parked again, no wake: a re-registration.
        ev(5, 150, 1, wait(1, 2)),
        ev(6, 200, 1, pop(1, 0)),
        // The wake of the first park: its slice already ended.
        ev(7, 200, 1, wake(0, 1, WakeCause::Pop, 0)),
        ev(8, 200, 1, wake(1, 0, WakeCause::Pop, 0)),
        ev(9, 200, 1, push(2, 1)),
        Record::Gap { lost: 3 },
        // Pops position 2, pushed in the gap: no arrow.
        ev(13, 300, 1, pop(3, 0)),
        ev(14, 300, 2, Created { capacity: 4 }),
        ev(
            15,
            300,
            2,
            Wake {
                side: Side::Receivers,
                woken: 5,
                waiting: 0,
                ticket: 9,
                cause: WakeCause::Push,
                by: 1,
            },
        ),
        ev(16, 310, 1, wait(2, 1)),
        ev(
            17,
            320,
            1,
            Handle {
                handle: 0,
                role: Role::Receiver,
                from: HandleState::Open,
                to: HandleState::Closing,
            },
        ),
        ev(
            18,
            330,
            1,
            Lifecycle {
                from: chanviz::probe::Lifecycle::Open,
                to: chanviz::probe::Lifecycle::Closing,
            },
        ),
    ]
}

#[test]
fn parks_twice_an_open_park_and_a_gap_keep_the_rules() {
    let rec = temp("by-hand.rec");
    std::fs::write(&rec, record::to_bytes(&header(), &by_hand(), 4, None)).unwrap();
    let (trace, o) = export(&rec, "by-hand.json", &[]);
    let seen = check_rules(&trace);
    check_against(&trace, &seen, &record::load(&rec).unwrap().records);
    // Cut short (no summary): exported all the same, and said.
    assert!(stderr(&o).contains("cut short"), "{}", stderr(&o));
    assert_eq!(trace["otherData"]["complete"], false);
    let parks: Vec<&Value> = events(&trace)
        .iter()
        .filter(|e| e["cat"] == "park")
        .collect();
    assert_eq!(parks.len(), 3, "{parks:?}");
    let ended: Vec<&str> = parks
        .iter()
        .map(|p| p["args"]["ended"].as_str().unwrap())
        .collect();
    assert_eq!(
        ended,
        [
            "parked again before a wake (re-registered)",
            "woken by R0's pop",
            "still parked when the recording ends"
        ]
    );
    // Back to back, not overlapping: the first ends where the second begins.
    assert_eq!(
        ns(&parks[0]["ts"]) + ns(&parks[0]["dur"]),
        ns(&parks[1]["ts"])
    );
    // The second ends at its own wake (ticket 1), not at the first's.
    assert_eq!(ns(&parks[1]["ts"]) + ns(&parks[1]["dur"]), 200_002);
    assert_eq!(parks[0]["args"]["open_at_end"], false);
    assert_eq!(parks[2]["args"]["open_at_end"], true);
    // The open park closes at the last event.
    let last = events(&trace)
        .iter()
        .filter(|e| e["ph"] != "M")
        .map(|e| ns(&e["ts"]))
        .max()
        .unwrap();
    assert_eq!(ns(&parks[2]["ts"]) + ns(&parks[2]["dur"]), last);
    // Events that share a µs keep the recording's order, 1 ns apart.
    assert_eq!(ns(&parks[0]["ts"]), 100_004);
    assert_eq!(trace["otherData"]["max_shift_ns"], 4);
    // One arrow: the second push's pop came after the gap, its push in it.
    assert_eq!(seen.flows, 1);
    assert_eq!(trace["otherData"]["flows_total"], 1);
    // The gap is an instant on the channels seen so far, and counted.
    let gaps: Vec<&Value> = events(&trace)
        .iter()
        .filter(|e| e["cat"] == "gap")
        .collect();
    assert_eq!(gaps.len(), 1);
    assert_eq!(gaps[0]["name"], "gap: 3 events lost");
    assert_eq!(gaps[0]["pid"], 1);
    assert_eq!(trace["otherData"]["events_lost_in_gaps"], 3);
    // The channel's name, escaped, with its capacity; the other channel by id.
    let process = |pid: u64| {
        events(&trace)
            .iter()
            .find(|e| e["name"] == "process_name" && e["pid"] == pid)
            .map(|e| e["args"]["name"].as_str().unwrap().to_string())
    };
    assert_eq!(process(1).as_deref(), Some("jobs \"a\" (capacity 1)"));
    assert_eq!(process(2).as_deref(), Some("#2 (capacity 4)"));
    // A transition and the lifecycle, named so that a reader understands.
    assert!(events(&trace)
        .iter()
        .any(|e| e["ph"] == "i" && e["s"] == "t" && e["name"] == "Open -> Closing"));
    assert!(events(&trace)
        .iter()
        .any(|e| e["ph"] == "i" && e["s"] == "p" && e["name"] == "channel open -> closing"));
}

// ---- bad input ------------------------------------------------------------

fn assert_bad(o: &Output, says: &str) {
    assert_eq!(o.status.code(), Some(2), "{}", stderr(o));
    let err = stderr(o);
    assert_eq!(err.lines().count(), 1, "one line: {err}");
    assert!(err.starts_with("chanviz: ") && err.contains(says), "{err}");
}

#[test]
fn a_missing_recording_is_bad_input() {
    let missing = temp("no-such.rec");
    let out = temp("missing.json");
    let o = chanviz(&[
        "export",
        missing.to_str().unwrap(),
        "--perfetto",
        out.to_str().unwrap(),
    ]);
    assert_bad(&o, "no-such.rec: cannot read it");
    assert!(!out.exists(), "nothing written");
}

#[test]
fn a_file_that_is_not_a_recording_is_bad_input() {
    let text = temp("notes.txt");
    std::fs::write(&text, "not a recording\n").unwrap();
    let out = temp("notes.json");
    let o = chanviz(&[
        "export",
        text.to_str().unwrap(),
        "--perfetto",
        out.to_str().unwrap(),
    ]);
    assert_bad(&o, "not a chanviz recording");
    assert!(!out.exists(), "nothing written");
}

#[test]
fn an_out_that_cannot_be_created_is_bad_input() {
    let rec = recording();
    let out = temp("no-such-dir").join("trace.json");
    let o = chanviz(&[
        "export",
        rec.to_str().unwrap(),
        "--perfetto",
        out.to_str().unwrap(),
    ]);
    assert_bad(&o, "--perfetto: cannot create");
}

#[test]
fn no_perfetto_flag_is_bad_input() {
    let rec = recording();
    let o = chanviz(&["export", rec.to_str().unwrap()]);
    assert_bad(&o, "--perfetto OUT.json");
}

#[test]
fn the_recording_itself_as_out_is_refused_and_left_alone() {
    let rec = temp("keep.rec");
    std::fs::copy(recording(), &rec).unwrap();
    let before = std::fs::read(&rec).unwrap();
    let o = chanviz(&[
        "export",
        rec.to_str().unwrap(),
        "--perfetto",
        rec.to_str().unwrap(),
    ]);
    assert_bad(&o, "that is the recording itself");
    assert_eq!(std::fs::read(&rec).unwrap(), before);
}
