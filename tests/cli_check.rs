//! `chanviz check FILE.toml --fail-on NAME`, as a CI job runs it: exit 1
//! when a named warning fired (and the output names it), 0 when none did,
//! 2 for bad input, with a message.
#![cfg(feature = "tui")]

mod deadline;

use std::path::PathBuf;
use std::process::{Command, Output};

fn chanviz(args: &[&str]) -> Output {
    deadline::output(Command::new(env!("CARGO_BIN_EXE_chanviz")).args(args))
}

fn stdout(o: &Output) -> String {
    String::from_utf8_lossy(&o.stdout).into_owned()
}

fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

/// A scenario file in a temp folder of its own.
fn scenario_file(name: &str, text: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("chanviz-check-{}-{name}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join(format!("{name}.toml"));
    std::fs::write(&path, text).unwrap();
    path
}

/// Fast producers, one slow consumer, a small ring: the ring stays full and
/// the senders stay parked for the whole run (consumer-bound needs 2 s of it).
const BACKPRESSURE: &str = r#"
title = "The consumer cannot keep up"
capacity = 4
duration = "5s"
[producers]
count = 4
rate = "max"
[consumers]
count = 1
work = "50ms"
"#;

/// One producer well below what one quick consumer takes: nothing backs up.
const HEALTHY: &str = r#"
title = "A consumer with time to spare"
capacity = 16
duration = "5s"
[producers]
count = 1
rate = 40
[consumers]
count = 1
work = "1ms"
"#;

const NAMES: [&str; 5] = [
    "consumer-bound",
    "producer-bound",
    "stuck-closing",
    "lost-wakeup",
    "thundering-herd",
];

#[test]
fn a_backpressured_scenario_fails_on_consumer_bound_and_names_it() {
    let file = scenario_file("backpressure", BACKPRESSURE);
    let o = chanviz(&[
        "check",
        file.to_str().unwrap(),
        "--fail-on",
        "consumer-bound",
    ]);
    let out = stdout(&o);
    assert_eq!(o.status.code(), Some(1), "{out}\n{}", stderr(&o));
    assert!(
        out.contains("check: --fail-on consumer-bound: FIRED: The consumer is the bottleneck"),
        "{out}"
    );
    assert!(out.contains("Try: "), "{out}");
    assert!(out.contains("check: FAILED: consumer-bound fired"), "{out}");
    // It ran as `run --headless` does: ticks, the warning's own line, the
    // summary that lists it.
    assert!(
        out.contains("summary: backpressure ended (duration)"),
        "{out}"
    );
    assert!(out.contains("  warning consumer-bound: "), "{out}");
    assert!(
        out.contains("warnings fired:\n    consumer-bound from "),
        "{out}"
    );
}

#[test]
fn a_backpressured_scenario_passes_when_only_producer_bound_fails_it() {
    let file = scenario_file("backpressure-producer", BACKPRESSURE);
    let o = chanviz(&[
        "check",
        file.to_str().unwrap(),
        "--fail-on",
        "producer-bound",
    ]);
    let out = stdout(&o);
    assert_eq!(o.status.code(), Some(0), "{out}\n{}", stderr(&o));
    assert!(
        out.contains("check: --fail-on producer-bound: not fired"),
        "{out}"
    );
    // What fired is still reported.
    assert!(
        out.contains("check: fired during the run: consumer-bound"),
        "{out}"
    );
    assert!(
        out.contains("check: passed: no --fail-on warning fired"),
        "{out}"
    );
}

#[test]
fn a_healthy_scenario_passes_on_consumer_bound() {
    let file = scenario_file("healthy", HEALTHY);
    let o = chanviz(&[
        "check",
        file.to_str().unwrap(),
        "--fail-on",
        "consumer-bound",
        "--fail-on",
        "lost-wakeup",
    ]);
    let out = stdout(&o);
    assert_eq!(o.status.code(), Some(0), "{out}\n{}", stderr(&o));
    assert!(
        out.contains("check: --fail-on consumer-bound: not fired"),
        "{out}"
    );
    assert!(
        out.contains("check: --fail-on lost-wakeup: not fired"),
        "{out}"
    );
    assert!(out.contains("summary: healthy ended (duration)"), "{out}");
}

#[test]
fn a_demo_can_be_checked_with_a_duration() {
    let o = chanviz(&[
        "check",
        "--demo",
        "backpressure",
        "--duration",
        "5s",
        "--fail-on",
        "consumer-bound",
    ]);
    let out = stdout(&o);
    assert_eq!(o.status.code(), Some(1), "{out}\n{}", stderr(&o));
    assert!(
        out.contains("check: --fail-on consumer-bound: FIRED"),
        "{out}"
    );
}

/// Bad input: exit 2, a message that says what is wrong, and no run.
fn bad(args: &[&str], expected: &[&str]) {
    let o = chanviz(args);
    let err = stderr(&o);
    assert_eq!(o.status.code(), Some(2), "{args:?}: {err}\n{}", stdout(&o));
    for e in expected {
        assert!(err.contains(e), "{args:?}: {e:?} missing from: {err}");
    }
    assert!(
        !stdout(&o).contains("summary:"),
        "{args:?} ran: {}",
        stdout(&o)
    );
}

#[test]
fn bad_input_exits_2_with_a_message() {
    let file = scenario_file("bad-input", BACKPRESSURE);
    let f = file.to_str().unwrap();
    // An unknown warning: the names are listed.
    let mut unknown = vec!["unknown warning \"consumer-boud\""];
    unknown.extend(NAMES);
    bad(&["check", f, "--fail-on", "consumer-boud"], &unknown);
    // No --fail-on: the names are listed too.
    let mut none = vec!["--fail-on"];
    none.extend(NAMES);
    bad(&["check", f], &none);
    // No scenario.
    bad(
        &["check", "--fail-on", "consumer-bound"],
        &["scenario file", "--demo"],
    );
    // A file that is not there.
    let missing = file.with_file_name("missing.toml");
    bad(
        &[
            "check",
            missing.to_str().unwrap(),
            "--fail-on",
            "consumer-bound",
        ],
        &["missing.toml"],
    );
    // A bad file: its line and field.
    let broken = scenario_file("broken", "title = \"x\"\ncapacity = 0\nduration = \"5s\"\n");
    bad(
        &[
            "check",
            broken.to_str().unwrap(),
            "--fail-on",
            "consumer-bound",
        ],
        &["broken.toml:2: capacity"],
    );
    // A bad override.
    bad(
        &["check", f, "--fail-on", "consumer-bound", "--rate", "-3"],
        &["--rate"],
    );
    // A bad interval.
    bad(
        &[
            "check",
            f,
            "--fail-on",
            "consumer-bound",
            "--interval",
            "1ms",
        ],
        &["--interval"],
    );
    // An unknown demo, or a file and a demo.
    bad(
        &["check", "--demo", "nope", "--fail-on", "consumer-bound"],
        &["unknown demo \"nope\"", "backpressure"],
    );
    bad(
        &[
            "check",
            f,
            "--demo",
            "backpressure",
            "--fail-on",
            "consumer-bound",
        ],
        &["--demo"],
    );
}

#[test]
fn a_run_that_never_ends_is_refused() {
    let endless = scenario_file(
        "endless",
        "title = \"x\"\ncapacity = 4\nduration = \"unlimited\"\n",
    );
    let e = endless.to_str().unwrap();
    bad(
        &["check", e, "--fail-on", "consumer-bound"],
        &["unlimited", "--duration"],
    );
    // No duration in the file: unlimited by default.
    let unset = scenario_file("unset", "title = \"x\"\ncapacity = 4\n");
    bad(
        &[
            "check",
            unset.to_str().unwrap(),
            "--fail-on",
            "stuck-closing",
        ],
        &["unlimited", "--duration"],
    );
    // --duration unlimited on a file that has one.
    let file = scenario_file("override-endless", BACKPRESSURE);
    bad(
        &[
            "check",
            file.to_str().unwrap(),
            "--fail-on",
            "consumer-bound",
            "--duration",
            "unlimited",
        ],
        &["unlimited"],
    );
}

#[test]
fn help_describes_check_and_the_warnings() {
    let o = chanviz(&["--help"]);
    assert_eq!(o.status.code(), Some(0));
    let out = stdout(&o);
    assert!(out.contains("check"), "{out}");
    assert!(out.contains("--fail-on consumer-bound"), "{out}");
    for name in NAMES {
        assert!(out.contains(name), "{name} missing from: {out}");
    }
    let o = chanviz(&["check", "--help"]);
    assert_eq!(o.status.code(), Some(0));
    let out = stdout(&o);
    for part in ["--fail-on", "--demo", "--duration", "Exit codes"] {
        assert!(out.contains(part), "{part} missing from: {out}");
    }
}

#[test]
fn the_readme_lists_every_warning_and_check() {
    let readme = include_str!("../README.md");
    for kind in chanviz::probe::WarningKind::ALL {
        assert!(
            readme.contains(&format!("- `{}`: ", kind.name())),
            "README.md does not describe {kind}"
        );
    }
    for part in [
        "## Warnings",
        "--warn NAME",
        "--allow NAME",
        "chanviz check",
    ] {
        assert!(readme.contains(part), "README.md does not say {part:?}");
    }
}

/// Output closed (`| head -1`): the run stops early, and a check cut short
/// does not pass.
#[test]
fn a_check_cut_short_does_not_pass() {
    use std::process::Stdio;
    let file = scenario_file("cut-short", BACKPRESSURE);
    let mut child = Command::new(env!("CARGO_BIN_EXE_chanviz"))
        .args([
            "check",
            file.to_str().unwrap(),
            "--fail-on",
            "producer-bound",
        ])
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("the binary runs");
    drop(child.stdout.take());
    let status = deadline::wait_child(&mut child, "chanviz check with its output closed");
    assert_eq!(status.code(), Some(1));
    let mut err = String::new();
    std::io::Read::read_to_string(&mut child.stderr.take().unwrap(), &mut err).unwrap();
    assert!(err.contains("stopped before its end"), "{err}");
}
