//! The binary as a user meets it: listing demos, bad input (exit 2, with the
//! file, line and field, or the flag, in the message), and headless runs that
//! end with nothing lost (exit 0).
#![cfg(feature = "tui")]

mod deadline;

use std::path::PathBuf;
use std::process::{Command, Output};

use chanviz::scenario::demos::DEMOS;

fn chanviz(args: &[&str]) -> Output {
    deadline::output(Command::new(env!("CARGO_BIN_EXE_chanviz")).args(args))
}

fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

fn stdout(o: &Output) -> String {
    String::from_utf8_lossy(&o.stdout).into_owned()
}

/// A scenario file in a temp folder of its own.
fn scenario_file(name: &str, text: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("chanviz-cli-{}-{name}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join(format!("{name}.toml"));
    std::fs::write(&path, text).unwrap();
    path
}

#[test]
fn demo_list_prints_one_demo_per_line_name_first() {
    let o = chanviz(&["demo", "--list"]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let out = stdout(&o);
    let lines: Vec<&str> = out.lines().collect();
    assert_eq!(lines.len(), DEMOS.len());
    for (line, demo) in lines.iter().zip(DEMOS) {
        assert_eq!(line.split_whitespace().next(), Some(demo.name), "{line}");
        let title = demo.scenario().unwrap().title;
        assert!(line.ends_with(&title), "{line}");
    }
}

#[test]
fn an_unknown_demo_lists_the_real_ones_and_exits_2() {
    let o = chanviz(&["demo", "mpcs", "--headless"]);
    assert_eq!(o.status.code(), Some(2));
    let err = stderr(&o);
    assert!(err.contains("unknown demo \"mpcs\""), "{err}");
    for demo in DEMOS {
        assert!(err.contains(demo.name), "{} missing from: {err}", demo.name);
    }
}

#[test]
fn a_missing_demo_name_lists_the_demos_and_exits_2() {
    let o = chanviz(&["demo"]);
    assert_eq!(o.status.code(), Some(2));
    let err = stderr(&o);
    for demo in DEMOS {
        assert!(err.contains(demo.name), "{} missing from: {err}", demo.name);
    }
}

#[test]
fn a_bad_value_in_a_file_names_file_line_and_field() {
    let path = scenario_file(
        "badrate",
        "title = \"x\"\ncapacity = 8\n[producers]\nrate = -5\n",
    );
    let o = chanviz(&["run", path.to_str().unwrap(), "--headless"]);
    assert_eq!(o.status.code(), Some(2));
    let err = stderr(&o);
    let expected = format!(
        "{}:4: producers.rate: must be \"max\" or a number of messages per second between 1 and 100000000, got -5",
        path.display()
    );
    assert!(err.contains(&expected), "{err}");
}

#[test]
fn unknown_keys_and_bad_durations_in_a_file_are_rejected() {
    let cases = [
        (
            "unknownkey",
            "title = \"x\"\ncapacity = 8\n[consumers]\nspeed = 3\n",
            ":4: consumers.speed: unknown key",
        ),
        (
            "badduration",
            "title = \"x\"\ncapacity = 8\n\n[consumers]\nwork = \"soon\"\n",
            ":5: consumers.work: must be a duration",
        ),
        (
            "zerocap",
            "title = \"x\"\ncapacity = 0\n",
            ":2: capacity: must be a number of slots between 1 and 1048576, got 0",
        ),
        (
            "badaction",
            "title = \"x\"\ncapacity = 4\n[[script]]\nat = \"1s\"\naction = \"explode\"\n",
            ":5: script[0].action: must be one of close_from_sender",
        ),
        ("syntax", "title = \"x\"\ncapacity = \n", ":2:"),
        (
            "workers",
            "title = \"x\"\ncapacity = 4\nworkers = 65\n",
            ":3: workers: must be a number of worker threads between 1 and 64, got 65",
        ),
    ];
    for (name, text, expected) in cases {
        let path = scenario_file(name, text);
        let o = chanviz(&["run", path.to_str().unwrap(), "--json"]);
        assert_eq!(o.status.code(), Some(2), "{name}: {}", stderr(&o));
        let err = stderr(&o);
        let want = format!("{}{expected}", path.display());
        assert!(err.contains(&want), "{name}: wanted {want:?} in {err:?}");
        assert!(!err.contains("panicked"), "{err}");
    }
}

#[test]
fn a_missing_file_is_bad_input() {
    let o = chanviz(&["run", "/nonexistent/nothing.toml", "--headless"]);
    assert_eq!(o.status.code(), Some(2));
    assert!(
        stderr(&o).contains("/nonexistent/nothing.toml"),
        "{}",
        stderr(&o)
    );
}

#[test]
fn bad_flags_name_the_flag_and_exit_2() {
    let cases: [(&[&str], &str); 9] = [
        (
            &["--capacity", "0"],
            "--capacity: must be a number of slots between 1 and 1048576, got 0",
        ),
        (
            &["--rate", "-5"],
            "--rate: must be \"max\" or a number of messages per second",
        ),
        (
            &["--producers", "0"],
            "--producers: must be a number of tasks between 1 and 1024, got 0",
        ),
        (&["--work", "fast"], "--work: must be a duration"),
        // The old name of `--work` still works, and is checked the same way.
        (&["--consumer-delay", "fast"], "--work: must be a duration"),
        (&["--fps", "121"], "--fps"),
        (&["--fps", "0"], "--fps"),
        (&["--duration", "0"], "--duration: must be longer than 0"),
        (&["--interval", "1parsec"], "--interval: must be a duration"),
    ];
    for (flags, expected) in cases {
        let mut args = vec!["demo", "mpsc", "--headless"];
        args.extend_from_slice(flags);
        let o = chanviz(&args);
        assert_eq!(o.status.code(), Some(2), "{flags:?}");
        assert!(stderr(&o).contains(expected), "{flags:?}: {}", stderr(&o));
    }
    // The frame rate the UI draws at most is the most the flag accepts.
    let max = chanviz::ui::FPS.end().to_string();
    let o = chanviz(&[
        "demo",
        "spsc",
        "--headless",
        "--duration",
        "100ms",
        "--fps",
        &max,
    ]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    // clap's own usage errors are bad input too.
    let o = chanviz(&["demo", "mpsc", "--no-such-flag"]);
    assert_eq!(o.status.code(), Some(2));
}

#[test]
fn help_shows_examples() {
    let o = chanviz(&["--help"]);
    assert_eq!(o.status.code(), Some(0));
    let out = stdout(&o);
    assert!(out.contains("Examples:"), "{out}");
    assert!(out.contains("chanviz demo mpsc"), "{out}");
}

#[test]
fn screenshot_writes_an_svg_of_the_live_view() {
    let out = std::env::temp_dir().join(format!("chanviz-shot-{}.svg", std::process::id()));
    let o = chanviz(&[
        "screenshot",
        "backpressure",
        "--at",
        "700ms",
        "--size",
        "100x30",
        "--out",
        out.to_str().unwrap(),
    ]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let svg = std::fs::read_to_string(&out).expect("the picture was written");
    assert!(
        svg.starts_with("<svg") || svg.starts_with("<?xml"),
        "{}",
        &svg[..80.min(svg.len())]
    );
    // The picture is the live view of the demo that ran.
    assert!(svg.contains("Backpressure"), "title missing");
    assert!(svg.contains("Ring"), "ring panel missing");
    let _ = std::fs::remove_file(&out);
}

#[test]
fn screenshot_rejects_bad_input_with_exit_2() {
    let out = std::env::temp_dir().join("chanviz-never-written.svg");
    let out = out.to_str().unwrap();
    for (args, expect) in [
        (vec!["screenshot", "nosuch", "--out", out], "unknown demo"),
        (
            vec!["screenshot", "mpsc", "--size", "10x5", "--out", out],
            "--size",
        ),
        (
            vec!["screenshot", "mpsc", "--at", "soon", "--out", out],
            "--at",
        ),
    ] {
        let o = chanviz(&args);
        assert_eq!(o.status.code(), Some(2), "{args:?}: {}", stderr(&o));
        assert!(stderr(&o).contains(expect), "{args:?}: {}", stderr(&o));
    }
}

/// Each limit and list is defined once in the code; README.md must state
/// the same values.
#[test]
fn readme_states_the_limits_the_code_uses() {
    use chanviz::scenario::knobs::{speeds_text, MAX_CAPACITY};
    use chanviz::ui::{DEFAULT_FPS, FPS};
    let readme = include_str!("../README.md");
    for expected in [
        format!("ring slots, 1..={MAX_CAPACITY}"),
        format!("between 1 and {MAX_CAPACITY}"),
        format!("speed: {}", speeds_text()),
        format!(
            "`--fps N` (default {DEFAULT_FPS}, {} to {})",
            FPS.start(),
            FPS.end()
        ),
    ] {
        assert!(
            readme.contains(&expected),
            "README.md does not say {expected:?}"
        );
    }
}

#[test]
fn big_is_a_switch_of_demo_and_run() {
    // Headless, the layout does not matter, but the flag is accepted.
    let o = chanviz(&["demo", "spsc", "--headless", "--duration", "100ms", "--big"]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let path = scenario_file(
        "big",
        "title = \"t\"\ndescription = \"d\"\ncapacity = 2\nduration = \"100ms\"\n",
    );
    let o = chanviz(&["run", path.to_str().unwrap(), "--headless", "--big"]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    // It takes no value: a value is bad input, and the message names the flag.
    let o = chanviz(&["demo", "spsc", "--headless", "--big=yes"]);
    assert_eq!(o.status.code(), Some(2));
    assert!(stderr(&o).contains("--big"), "{}", stderr(&o));
}

#[test]
fn screenshot_draws_the_big_layout_and_the_card() {
    let dir = std::env::temp_dir();
    let big = dir.join(format!("chanviz-big-{}.svg", std::process::id()));
    let o = chanviz(&[
        "screenshot",
        "mpsc",
        "--at",
        "300ms",
        "--size",
        "100x30",
        "--big",
        "--out",
        big.to_str().unwrap(),
    ]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let svg = std::fs::read_to_string(&big).expect("the picture was written");
    assert!(svg.contains("Waker queues"), "queues missing");
    assert!(
        !svg.contains("Parameters"),
        "the big layout has no parameters"
    );
    let _ = std::fs::remove_file(&big);

    let card = dir.join(format!("chanviz-card-{}.svg", std::process::id()));
    let o = chanviz(&[
        "screenshot",
        "shutdown",
        "--at",
        "300ms",
        "--size",
        "100x30",
        "--card",
        "--out",
        card.to_str().unwrap(),
    ]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let svg = std::fs::read_to_string(&card).expect("the picture was written");
    assert!(svg.contains("any key: back to the run"), "card missing");
    assert!(svg.contains("PAUSED"), "the card pauses the run");
    let _ = std::fs::remove_file(&card);
}

#[test]
fn history_takes_a_bounded_number_of_events() {
    for bad in ["5", "0", "lots", "100000001"] {
        let o = chanviz(&[
            "demo",
            "mpsc",
            "--headless",
            "--duration",
            "100ms",
            "--history",
            bad,
        ]);
        assert_eq!(o.status.code(), Some(2), "--history {bad}");
        assert!(stderr(&o).contains("--history"), "{}", stderr(&o));
    }
    let o = chanviz(&[
        "demo",
        "mpsc",
        "--headless",
        "--duration",
        "200ms",
        "--history",
        "2000",
    ]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
}

#[test]
fn an_unknown_warning_name_lists_the_names_and_exits_2() {
    let names = [
        "consumer-bound",
        "producer-bound",
        "stuck-closing",
        "lost-wakeup",
        "thundering-herd",
    ];
    let file = scenario_file("warn", "title = \"x\"\ncapacity = 8\n");
    let rec = file.with_extension("rec");
    for args in [
        vec!["demo", "spsc", "--headless", "--warn", "consumer-bund"],
        vec!["demo", "spsc", "--headless", "--allow", "herd"],
        vec![
            "run",
            file.to_str().unwrap(),
            "--headless",
            "--warn",
            "lost",
        ],
        vec!["replay", rec.to_str().unwrap(), "--allow", "Stuck-Closing"],
    ] {
        let o = chanviz(&args);
        assert_eq!(o.status.code(), Some(2), "{args:?}: {}", stderr(&o));
        let err = stderr(&o);
        assert!(err.contains("unknown warning"), "{args:?}: {err}");
        for name in names {
            assert!(err.contains(name), "{args:?}: {name} missing from: {err}");
        }
        assert!(stdout(&o).is_empty(), "{args:?} ran: {}", stdout(&o));
    }
    // The names themselves are taken (the run is short).
    let o = chanviz(&[
        "demo",
        "spsc",
        "--headless",
        "--duration",
        "300ms",
        "--warn",
        "consumer-bound",
        "--allow",
        "thundering-herd",
    ]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
}
