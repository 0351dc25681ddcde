//! `chanviz attach` on a real program: `examples/pipeline.rs` runs as a
//! process of its own with `CHANVIZ_ADDR`, and the built `chanviz` attaches
//! to it. Nothing here asserts a time: the program's own counts are what
//! the viewer must agree with.
#![cfg(feature = "tui")]

mod deadline;
mod pipeline;

use std::io::{BufRead, BufReader};
use std::process::{Command, Stdio};

use pipeline::{program_counts, start_pipeline};

fn chanviz() -> Command {
    Command::new(env!("CARGO_BIN_EXE_chanviz"))
}

/// Every channel appears, named, with the counts the program itself
/// counted; `--record` keeps a recording of the same.
#[test]
fn attach_headless_sees_every_channel_with_the_programs_counts() {
    let (addr, child) = start_pipeline(3.0);
    let rec = std::env::temp_dir().join(format!("chanviz-attach-{}.rec", std::process::id()));
    let rec_arg = rec.display().to_string();
    let out = deadline::within("attach ends with the program", move || {
        chanviz()
            .args([
                "attach",
                &addr,
                "--json",
                "--interval",
                "200ms",
                "--record",
                &rec_arg,
            ])
            .output()
    })
    .expect("attach");
    assert_eq!(out.status.code(), Some(0), "{out:?}");
    let (lines, transformed, written) = program_counts(child);
    let text = String::from_utf8_lossy(&out.stdout);
    let json: Vec<serde_json::Value> = text
        .lines()
        .map(|l| serde_json::from_str(l).unwrap_or_else(|e| panic!("{l}: {e}")))
        .collect();
    assert!(json.last().is_some_and(|j| j["type"] == "ended"), "{text}");
    let last = |name: &str| {
        json.iter()
            .rev()
            .find(|j| j["name"] == name)
            .unwrap_or_else(|| panic!("no channel {name}: {text}"))
            .clone()
    };
    for (name, sent, cap) in [
        ("lines", lines, 16),
        ("word counts", transformed, 8),
        ("output", transformed, 4),
    ] {
        let c = last(name);
        assert_eq!(c["capacity"], cap, "{c}");
        assert_eq!(c["sent"], sent, "{name}: {c}");
        assert_eq!(c["received"], sent, "{name}: {c}");
        assert_eq!(c["lifecycle"], "closed", "{c}");
    }
    assert_eq!(written, transformed);
    // The recording holds the same channels and counts.
    let loaded = chanviz::record::load(&rec).expect("attach's recording reads");
    let h = loaded.history();
    let h = h.read().unwrap();
    let snap = h.model().snapshot(0, Vec::new());
    for (name, sent) in [
        ("lines", lines),
        ("word counts", transformed),
        ("output", transformed),
    ] {
        let c = snap
            .channels
            .iter()
            .find(|c| c.name.as_deref() == Some(name))
            .unwrap_or_else(|| panic!("{name} in the recording"));
        assert_eq!(
            (c.counters.sent, c.counters.received),
            (sent, sent),
            "{name}"
        );
    }
    std::fs::remove_file(&rec).ok();
}

/// Nothing listening: a clear message and exit 2. Not a number: the same.
#[test]
fn attach_to_nothing_is_bad_input() {
    // A port nobody listens on: bind one, note it, let it go.
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let out = chanviz()
        .args(["attach", &format!("127.0.0.1:{port}"), "--headless"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2), "{out:?}");
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("nothing is listening"), "{err}");
    let out = chanviz()
        .args(["attach", "/nonexistent/chanviz.sock", "--headless"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2), "{out:?}");
}

/// A second viewer is refused while the first is attached; a viewer killed
/// mid-run leaves the program's output correct, and another can attach
/// after it.
#[test]
fn one_viewer_at_a_time_and_a_killed_viewer_changes_nothing() {
    let (addr, child) = start_pipeline(4.0);
    let mut first = chanviz()
        .args(["attach", &addr, "--headless", "--interval", "100ms"])
        .stdout(Stdio::piped())
        .spawn()
        .unwrap();
    // Wait until the first viewer prints a line: it is attached.
    let mut out = BufReader::new(first.stdout.take().unwrap());
    let mut line = String::new();
    out.read_line(&mut line).unwrap();
    assert!(line.contains("cap"), "{line}");
    let second = chanviz()
        .args(["attach", &addr, "--headless"])
        .output()
        .unwrap();
    assert_eq!(second.status.code(), Some(2), "{second:?}");
    assert!(
        String::from_utf8_lossy(&second.stderr).contains("another viewer"),
        "{second:?}"
    );
    // Kill the first; a new one attaches and follows to the end.
    first.kill().unwrap();
    let _ = first.wait();
    let addr2 = addr.clone();
    let third = deadline::within("a new viewer follows to the end", move || {
        // The killed viewer's connection is noticed at the next write.
        for _ in 0..50 {
            let out = chanviz()
                .args(["attach", &addr2, "--json", "--interval", "200ms"])
                .output()
                .unwrap();
            if out.status.code() != Some(2) {
                return out;
            }
            std::thread::sleep(std::time::Duration::from_millis(100));
        }
        panic!("never attached again");
    });
    assert_eq!(third.status.code(), Some(0), "{third:?}");
    let (lines, transformed, written) = program_counts(child);
    assert_eq!((lines, transformed), (transformed, written));
    let text = String::from_utf8_lossy(&third.stdout);
    assert!(
        text.lines()
            .any(|l| l.contains("\"name\":\"lines\"") && l.contains(&format!("\"sent\":{lines}"))),
        "{text}"
    );
}
