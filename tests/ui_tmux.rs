//! End to end, in a real terminal: start `chanviz demo mpsc` inside a
//! 120x40 tmux session, read the screen, press keys, quit, and check that
//! the terminal is back to normal (main screen, cooked mode).
//!
//! Fails when tmux is not installed (CI installs it): a skipped end-to-end
//! test would pass without having checked anything. It uses a private tmux
//! server (`-L`), so it never touches a user's sessions.
#![cfg(feature = "tui")]

mod deadline;
mod pipeline;

use std::path::PathBuf;
use std::process::Command;
use std::thread::sleep;
use std::time::{Duration, Instant};

struct Tmux {
    socket: String,
}

impl Tmux {
    /// A private tmux server with one 120x40 session running `sh`, ready
    /// for typing.
    fn start(name: &str) -> Tmux {
        Tmux::start_sized(name, 120, 40)
    }

    /// [`Tmux::start`] with a `cols` x `rows` window.
    fn start_sized(name: &str, cols: u16, rows: u16) -> Tmux {
        require_tmux();
        let tmux = Tmux {
            socket: format!("chanviz-e2e-{name}-{}", std::process::id()),
        };
        let (cols, rows) = (cols.to_string(), rows.to_string());
        let size = ["-x", cols.as_str(), "-y", rows.as_str()];
        let out = tmux.cmd(&[&["new-session", "-d", "-s", "e2e"][..], &size, &["sh"]].concat());
        assert!(out.status.success(), "tmux new-session failed: {out:?}");
        // Let the shell finish starting (and take the terminal) before typing.
        tmux.wait_for("the shell prompt", |s| !s.trim().is_empty());
        tmux
    }

    /// Whether the pane shows the alternate screen (a full-screen program).
    fn alternate_on(&self) -> String {
        let out = self.cmd(&["display", "-p", "-t", "e2e", "#{alternate_on}"]);
        String::from_utf8_lossy(&out.stdout).trim().to_string()
    }

    fn cmd(&self, args: &[&str]) -> std::process::Output {
        Command::new("tmux")
            .arg("-L")
            .arg(&self.socket)
            .args(args)
            .env("TERM", "xterm-256color")
            .output()
            .expect("run tmux")
    }
    fn screen(&self) -> String {
        String::from_utf8_lossy(&self.cmd(&["capture-pane", "-p", "-t", "e2e"]).stdout).into_owned()
    }
    fn keys(&self, keys: &[&str]) {
        let mut args = vec!["send-keys", "-t", "e2e"];
        args.extend_from_slice(keys);
        let out = self.cmd(&args);
        assert!(out.status.success(), "send-keys failed: {out:?}");
    }
    /// Poll the screen until `pred` holds; panics with the last screen after
    /// a generous deadline (this is a wait, not a timing assertion).
    fn wait_for(&self, what: &str, pred: impl Fn(&str) -> bool) -> String {
        let deadline = Instant::now() + Duration::from_secs(20);
        loop {
            let screen = self.screen();
            if pred(&screen) {
                return screen;
            }
            if Instant::now() > deadline {
                panic!("timed out waiting for {what}; screen:\n{screen}");
            }
            sleep(Duration::from_millis(100));
        }
    }
}

impl Drop for Tmux {
    fn drop(&mut self) {
        // Our private server only.
        let _ = self.cmd(&["kill-server"]);
    }
}

/// The number after "producers" in the parameters panel (the row that also
/// names its keys, `p/P`; the header may say "producers" too).
fn producers(screen: &str) -> Option<u64> {
    let line = screen
        .lines()
        .find(|l| l.contains("producers") && l.contains("p/P"))?;
    let rest = &line[line.find("producers")? + "producers".len()..];
    rest.split_whitespace().next()?.parse().ok()
}

/// After chanviz exits: the main screen is back, and `stty -a` (written to
/// `stty_file` by the shell) shows cooked mode with echo.
fn assert_terminal_restored(tmux: &Tmux, stty_file: &std::path::Path) {
    assert_eq!(tmux.alternate_on(), "0", "left the alternate screen");
    let stty = std::fs::read_to_string(stty_file).expect("stty output");
    let flags: Vec<&str> = stty.split_whitespace().collect();
    assert!(flags.contains(&"icanon"), "raw mode left on: {stty}");
    assert!(flags.contains(&"echo"), "echo left off: {stty}");
}

/// These tests need tmux; without it they fail, saying so.
fn require_tmux() {
    let found = Command::new("tmux")
        .arg("-V")
        .output()
        .is_ok_and(|o| o.status.success());
    assert!(
        found,
        "tmux is not installed: the end-to-end TUI tests need it (apt-get install tmux)"
    );
}

#[test]
fn demo_mpsc_in_tmux_keys_work_and_terminal_is_restored() {
    let bin = env!("CARGO_BIN_EXE_chanviz");
    let dir = PathBuf::from(env!("CARGO_TARGET_TMPDIR"));
    let stty_file = dir.join(format!("stty-after-{}.txt", std::process::id()));
    let _ = std::fs::remove_file(&stty_file);
    let tmux = Tmux::start("keys");
    // Run the TUI from a shell, then record the terminal modes it left behind.
    // The marker is quoted so that the typed command line does not match it.
    let line = format!(
        "{bin} demo mpsc; stty -a > {}; echo CHANVIZ-\"EXITED\"",
        stty_file.display()
    );
    tmux.keys(&[&line, "Enter"]);

    let screen = tmux.wait_for("the TUI", |s| {
        s.contains("Parameters") && producers(s).is_some()
    });
    assert_eq!(
        tmux.alternate_on(),
        "1",
        "the TUI runs on the alternate screen"
    );
    let before = producers(&screen).unwrap();

    tmux.keys(&["p"]);
    tmux.wait_for("one more producer", |s| producers(s) == Some(before + 1));

    tmux.keys(&["?"]);
    let help = tmux.wait_for("the help screen", |s| s.contains("Help: keys"));
    assert!(help.contains("Waker queue"), "{help}");

    tmux.keys(&["q"]);
    tmux.wait_for("the shell after quitting", |s| s.contains("CHANVIZ-EXITED"));
    assert_terminal_restored(&tmux, &stty_file);
    let _ = std::fs::remove_file(&stty_file);
}

#[test]
fn sigterm_restores_the_terminal() {
    let bin = env!("CARGO_BIN_EXE_chanviz");
    let dir = PathBuf::from(env!("CARGO_TARGET_TMPDIR"));
    let id = std::process::id();
    let pid_file = dir.join(format!("pid-{id}.txt"));
    let stty_file = dir.join(format!("stty-term-{id}.txt"));
    let _ = std::fs::remove_file(&pid_file);
    let _ = std::fs::remove_file(&stty_file);
    let tmux = Tmux::start("term");
    // `exec` keeps the pid written by the inner shell.
    let line = format!(
        "sh -c 'echo $$ > {}; exec {bin} demo mpsc'; stty -a > {}; echo CHANVIZ-\"EXITED\"",
        pid_file.display(),
        stty_file.display()
    );
    tmux.keys(&[&line, "Enter"]);
    tmux.wait_for("the TUI", |s| s.contains("Parameters"));
    let pid = std::fs::read_to_string(&pid_file).expect("pid file");
    let status = Command::new("kill")
        .args(["-TERM", pid.trim()])
        .status()
        .expect("kill");
    assert!(status.success());
    tmux.wait_for("the shell after SIGTERM", |s| s.contains("CHANVIZ-EXITED"));
    assert_terminal_restored(&tmux, &stty_file);
    let _ = std::fs::remove_file(&pid_file);
    let _ = std::fs::remove_file(&stty_file);
}

/// At 100x30, a common projector size: the mpsc demo starts with its
/// description on a card over a paused run; a key closes the card without
/// acting (`p` adds no producer) and the run resumes; `b` switches to the big
/// layout and back.
#[test]
fn projector_size_card_then_big_layout() {
    let bin = env!("CARGO_BIN_EXE_chanviz");
    let tmux = Tmux::start_sized("projector", 100, 30);
    // mpsc has no timed script: nothing changes the producers but keys.
    let line = format!("{bin} demo mpsc; echo CHANVIZ-\"EXITED\"");
    tmux.keys(&[&line, "Enter"]);

    let card = tmux.wait_for("the description card, over a paused run", |s| {
        s.contains("any key: back to the run") && s.contains("PAUSED")
    });
    let scenario = chanviz::scenario::demos::find("mpsc")
        .unwrap()
        .scenario()
        .unwrap();
    let last = scenario.description.split_whitespace().last().unwrap();
    assert!(card.contains(last), "the card ends the description: {card}");
    let demo_producers = scenario.producers.count as u64;

    tmux.keys(&["p"]);
    let screen = tmux.wait_for("the picture, running again", |s| {
        s.contains("Parameters") && s.contains("RUNNING") && producers(s).is_some()
    });
    assert_eq!(
        producers(&screen),
        Some(demo_producers),
        "the key that closed the card added no producer: {screen}"
    );
    assert!(screen.contains("d: read it all"), "{screen}");

    tmux.keys(&["b"]);
    tmux.wait_for("the big layout", |s| {
        s.contains("Waker queues") && !s.contains("Parameters") && s.contains("waiting:")
    });
    tmux.keys(&["b"]);
    tmux.wait_for("the full layout again", |s| s.contains("Parameters"));

    tmux.keys(&["q"]);
    tmux.wait_for("the shell after quitting", |s| s.contains("CHANVIZ-EXITED"));
}

/// A lesson as a class meets it: it pauses at the full ring and says why,
/// a step shows a sender park (and the lesson says that too), and at 3 s it
/// asks who wakes next, takes a digit, and after a few steps says who did.
#[test]
fn a_lesson_pauses_speaks_asks_and_checks_the_answer() {
    let bin = env!("CARGO_BIN_EXE_chanviz");
    let tmux = Tmux::start("lesson");
    let line = format!("{bin} demo lesson-backpressure; echo CHANVIZ-\"EXITED\"");
    tmux.keys(&[&line, "Enter"]);
    tmux.wait_for("the first words, over a paused run", |s| {
        s.contains("Lesson at") && s.contains("The ring is full") && s.contains("PAUSED")
    });
    tmux.keys(&["Enter"]);
    tmux.wait_for("the words gone", |s| !s.contains("Lesson at"));
    // One step is one operation. Usually the next one is a sender's park,
    // but on a slow machine the consumer may pop (and a sender refill the
    // slot) first; a teacher would just press n again, and so do we.
    let parked = |s: &str| s.contains("parked (send_wait)") && s.contains(" parked: ring full");
    for _ in 0..10 {
        tmux.keys(&["n"]);
        sleep(Duration::from_millis(500));
        if parked(&tmux.screen()) {
            break;
        }
    }
    tmux.wait_for("a sender parks, and the lesson says so", parked);
    tmux.keys(&["Enter"]);
    tmux.keys(&["Space"]);
    tmux.wait_for("the question at 3 s", |s| {
        s.contains("Question at") && s.contains("[1] S1") && s.contains("PAUSED")
    });
    tmux.keys(&["1"]);
    tmux.wait_for("the answer taken", |s| s.contains("You said S1"));
    let mut verdict = String::new();
    for _ in 0..20 {
        tmux.keys(&["n"]);
        sleep(Duration::from_millis(150));
        let s = tmux.screen();
        if s.contains("Right: S") || s.contains("woke, not S1") {
            verdict = s;
            break;
        }
    }
    assert!(
        verdict.contains("the one that parked first"),
        "no verdict after 20 steps:\n{}",
        tmux.screen()
    );
    tmux.keys(&["q"]);
    tmux.keys(&["q"]);
    tmux.wait_for("the shell after quitting", |s| s.contains("CHANVIZ-EXITED"));
}

/// The number after "event " in the header ("event 1,204 of 5,310").
fn event_number(screen: &str) -> Option<u64> {
    let header = screen.lines().next()?;
    let rest = &header[header.find("event ")? + "event ".len()..];
    rest.split_whitespace()
        .next()?
        .replace(',', "")
        .parse()
        .ok()
}

/// Time travel as a user does it: pause `demo mpsc`, press Left three
/// times: the header's event number goes down by three and the picture is
/// that of the earlier event; End comes back, space resumes.
#[test]
fn paused_mpsc_steps_back_through_its_history() {
    let bin = env!("CARGO_BIN_EXE_chanviz");
    let tmux = Tmux::start("rewind");
    let line = format!("{bin} demo mpsc; echo CHANVIZ-\"EXITED\"");
    tmux.keys(&[&line, "Enter"]);
    tmux.wait_for("the run going", |s| {
        s.contains("RUNNING") && s.contains("popped")
    });
    tmux.keys(&["Space"]);
    let paused = tmux.wait_for("paused, with an event number", |s| {
        s.contains("PAUSED") && event_number(s).is_some()
    });
    let newest = event_number(&paused).unwrap();
    let log_last = |s: &str| {
        s.lines()
            .rfind(|l| {
                l.contains("s ")
                    && (l.contains("pushed")
                        || l.contains("popped")
                        || l.contains("parked")
                        || l.contains("woke"))
            })
            .map(str::to_string)
    };
    tmux.keys(&["Left", "Left", "Left"]);
    let back = tmux.wait_for("three events back", |s| {
        event_number(s) == Some(newest.saturating_sub(3))
    });
    assert_ne!(
        log_last(&back),
        log_last(&paused),
        "the log ends at an earlier event:\n{back}"
    );
    tmux.keys(&["End"]);
    tmux.wait_for("the newest again", |s| event_number(s) == Some(newest));
    tmux.keys(&["Space"]);
    tmux.wait_for("running again, no event number", |s| {
        s.contains("RUNNING") && event_number(s).is_none()
    });
    tmux.keys(&["q"]);
    tmux.wait_for("the shell after quitting", |s| s.contains("CHANVIZ-EXITED"));
}

/// Replay a recording in the same view, pause it, and step back through it.
#[test]
fn a_recording_replays_in_the_same_view_and_steps_back() {
    let bin = env!("CARGO_BIN_EXE_chanviz");
    let rec = std::env::temp_dir().join(format!("chanviz-tmux-{}.rec", std::process::id()));
    let made = Command::new(bin)
        .args(["demo", "mpsc", "--headless", "--duration", "3s", "--record"])
        .arg(&rec)
        .output()
        .expect("record a run");
    assert!(made.status.success(), "{made:?}");
    let tmux = Tmux::start("replay");
    let line = format!("{bin} replay {}; echo CHANVIZ-\"EXITED\"", rec.display());
    tmux.keys(&[&line, "Enter"]);
    tmux.wait_for("the replay playing", |s| {
        s.contains("(replay)") && s.contains("RUNNING") && s.contains("popped")
    });
    tmux.keys(&["Space"]);
    let paused = tmux.wait_for("paused, with an event number", |s| {
        s.contains("PAUSED") && event_number(s).is_some()
    });
    let at = event_number(&paused).unwrap();
    tmux.keys(&["Left", "Left"]);
    tmux.wait_for("two events back", |s| event_number(s) == Some(at - 2));
    // A recording cannot change: p says so.
    tmux.keys(&["p"]);
    tmux.wait_for("the refusal", |s| s.contains("a recording cannot change"));
    tmux.keys(&["q"]);
    tmux.wait_for("the shell after quitting", |s| s.contains("CHANVIZ-EXITED"));
    let _ = std::fs::remove_file(&rec);
}

/// `demo backpressure` as a newcomer sees it: the waiter queue names the
/// parked senders in the order they will wake, the ring names each slot's
/// message and its age, and the warning says the consumer is the
/// bottleneck, with what to try.
#[test]
fn backpressure_names_the_parked_senders_the_oldest_message_and_the_bottleneck() {
    let bin = env!("CARGO_BIN_EXE_chanviz");
    let tmux = Tmux::start_sized("insight", 130, 40);
    let line = format!("{bin} demo backpressure; echo CHANVIZ-\"EXITED\"");
    tmux.keys(&[&line, "Enter"]);
    let screen = tmux.wait_for("a parked sender named in the waiters panel", |s| {
        s.contains(" next: S") && s.contains("oldest: S")
    });
    // "next: S2 155ms › S1 › S3": a sender's name right after "next:".
    let next = screen
        .lines()
        .find(|l| l.contains(" next: S"))
        .expect("the queue line");
    let after = next.split(" next: ").nth(1).unwrap();
    assert!(
        after.starts_with('S') && after[1..].starts_with(|c: char| c.is_ascii_digit()),
        "{next}"
    );
    assert!(screen.contains("popped slot"), "who woke whom: {screen}");
    tmux.wait_for("the consumer-bound warning", |s| {
        s.contains("consumer-bound") && s.contains("The consumer is the bottleneck")
    });
    tmux.keys(&["q"]);
    // The summary after the view lists what fired while it ran.
    let after = tmux.wait_for("the shell after quitting", |s| s.contains("CHANVIZ-EXITED"));
    assert!(after.contains("warnings fired:"), "{after}");
    assert!(after.contains("consumer-bound from"), "{after}");
}

/// `chanviz attach` as a user meets it: the pipeline runs in the
/// background; the view starts on the list of its channels, opens one
/// (Enter), comes back to the list (Esc), opens another, Tab to the next
/// one, pauses, and steps back through what it has seen.
#[test]
fn attach_shows_the_programs_channels_and_steps_back() {
    let (addr, child) = pipeline::start_pipeline(8.0);
    let bin = env!("CARGO_BIN_EXE_chanviz");
    let tmux = Tmux::start_sized("attach", 120, 40);
    let line = format!("{bin} attach {addr}; echo CHANVIZ-\"EXITED\"");
    tmux.keys(&[&line, "Enter"]);
    let every_channel = |s: &str| {
        ["lines", "word counts", "output"]
            .iter()
            .all(|n| s.contains(n))
    };
    tmux.wait_for(
        "the list of the pipeline's channels, filling the screen",
        |s| {
            s.contains("attached: pipeline")
                && s.contains("Channels (Up/Dn choose, Enter opens)")
                && every_channel(s)
                && s.contains("sent ")
                && !s.contains("Ring #")
        },
    );
    let title = |s: &str| {
        s.lines()
            .find(|l| l.contains("Ring #"))
            .map(str::to_string)
            .unwrap_or_default()
    };
    // Open the first channel, come back to the list, open the next one.
    tmux.keys(&["Enter"]);
    let first = tmux.wait_for("the first channel's picture", |s| {
        !title(s).is_empty() && s.contains("Channels (Up/Dn Enter, Tab)")
    });
    let before = title(&first);
    tmux.keys(&["Escape"]);
    tmux.wait_for("back on the list", |s| {
        s.contains("Channels (Up/Dn choose, Enter opens)") && !s.contains("Ring #")
    });
    tmux.keys(&["Down", "Enter"]);
    let chosen = tmux.wait_for("the channel chosen in the list", |s| {
        let t = title(s);
        !t.is_empty() && t != before
    });
    let after = title(&chosen);
    tmux.keys(&["Tab"]);
    tmux.wait_for("the next channel with Tab", |s| {
        let t = title(s);
        !t.is_empty() && t != after
    });
    tmux.keys(&["Space"]);
    tmux.wait_for("paused", |s| s.contains("PAUSED"));
    tmux.keys(&["Left", "Left"]);
    tmux.wait_for("a step back in the history", |s| {
        s.contains("event ") && s.contains(" of ")
    });
    // The program exits (8 s): the view says so, and the history stays.
    tmux.keys(&["Space"]);
    tmux.wait_for("the note that the program exited", |s| {
        s.contains("The program has exited")
    });
    tmux.keys(&["x", "Home"]);
    tmux.wait_for("the oldest event, after the program exited", |s| {
        s.contains("event ") && s.contains(" of ") && !s.contains("The program has exited")
    });
    tmux.keys(&["q"]);
    tmux.wait_for("the shell after quitting", |s| s.contains("CHANVIZ-EXITED"));
    let (lines, transformed, written) = pipeline::program_counts(child);
    assert_eq!((lines, transformed), (transformed, written));
}
