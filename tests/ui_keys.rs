//! Key dispatch: every key of the table does what the help says, and only
//! when it works (step only while paused).
#![cfg(feature = "tui")]

mod ui_support;

use chanviz::scenario::control::{Command, Knob, Mode, Turn};
use chanviz::ui::keys::{footer_entries, help_rows, KeyAction, BINDINGS};
use chanviz::ui::Theme;
use ratatui::crossterm::event::{KeyCode, KeyEvent, KeyEventKind, KeyModifiers};
use ui_support::{app_with, FakeControl};

fn key(c: char) -> KeyEvent {
    KeyEvent::new(KeyCode::Char(c), KeyModifiers::NONE)
}

fn press(mode: Mode, event: KeyEvent) -> (Vec<Command>, chanviz::ui::App) {
    press_with(mode, event, |_| {})
}

/// [`press`] on the usual app after `change` (e.g. to its knobs).
fn press_with(
    mode: Mode,
    event: KeyEvent,
    change: impl FnOnce(&mut chanviz::ui::App),
) -> (Vec<Command>, chanviz::ui::App) {
    let control = FakeControl::new(mode);
    let mut app = app_with(Theme::default(), mode);
    app.knobs.consumers = 2;
    app.snapshot.channels[0].lifecycle = chanviz::probe::snapshot::Lifecycle::Open;
    change(&mut app);
    app.on_key(event, &control);
    (control.taken(), app)
}

#[test]
fn each_command_key_sends_its_command() {
    // `press` gives the fixture two consumers and an open channel, so that
    // `C` and `x` can act (see the notices below for when they cannot).
    let cases = [
        ('p', Command::AddProducer),
        ('P', Command::RemoveProducer),
        ('c', Command::AddConsumer),
        ('C', Command::RemoveConsumer),
        ('+', Command::Turn(Knob::Rate, Turn::Up)),
        ('=', Command::Turn(Knob::Rate, Turn::Up)),
        ('-', Command::Turn(Knob::Rate, Turn::Down)),
        ('<', Command::Turn(Knob::Work, Turn::Down)),
        ('>', Command::Turn(Knob::Work, Turn::Up)),
        ('s', Command::Turn(Knob::Speed, Turn::Up)),
        ('x', Command::Close),
        ('r', Command::Restart),
        (']', Command::Turn(Knob::Capacity, Turn::Up)),
        ('[', Command::Turn(Knob::Capacity, Turn::Down)),
        (' ', Command::TogglePause),
    ];
    for (c, cmd) in cases {
        let (sent, app) = press(Mode::Running, key(c));
        assert_eq!(sent, vec![cmd], "key {c:?}");
        assert!(!app.quit, "key {c:?} must not quit");
    }
}

#[test]
fn shifted_capitals_still_match() {
    // Terminals report `P` with the Shift modifier set.
    let (sent, _) = press(
        Mode::Running,
        KeyEvent::new(KeyCode::Char('P'), KeyModifiers::SHIFT),
    );
    assert_eq!(sent, vec![Command::RemoveProducer]);
}

#[test]
fn step_works_only_while_paused() {
    let (sent, app) = press(Mode::Running, key('n'));
    assert!(sent.is_empty(), "n while running sent {sent:?}");
    assert_eq!(
        app.notice(),
        Some("n works only while paused: space pauses")
    );
    let (sent, _) = press(Mode::Paused, key('n'));
    assert_eq!(sent, vec![Command::Step]);
    let (sent, _) = press(Mode::Step, key('n'));
    assert_eq!(sent, vec![Command::Step]);
}

#[test]
fn space_resumes_when_paused() {
    let (sent, _) = press(Mode::Paused, key(' '));
    assert_eq!(sent, vec![Command::TogglePause]);
}

#[test]
fn knobs_do_nothing_once_finished_but_restart_does() {
    let (sent, _) = press(Mode::Finished, key('p'));
    assert!(sent.is_empty());
    let (sent, _) = press(Mode::Finished, key('r'));
    assert_eq!(sent, vec![Command::Restart]);
}

#[test]
fn q_and_ctrl_c_quit_without_a_command() {
    for event in [
        key('q'),
        KeyEvent::new(KeyCode::Char('c'), KeyModifiers::CONTROL),
    ] {
        let (sent, app) = press(Mode::Running, event);
        assert!(app.quit, "{event:?}");
        assert!(sent.is_empty(), "Ctrl-C must not add a consumer: {sent:?}");
    }
}

#[test]
fn esc_closes_help_first_then_quits() {
    let control = FakeControl::new(Mode::Running);
    let mut app = app_with(Theme::default(), Mode::Running);
    app.on_key(key('?'), &control);
    assert!(app.help);
    app.on_key(KeyEvent::new(KeyCode::Esc, KeyModifiers::NONE), &control);
    assert!(!app.help);
    assert!(!app.quit);
    app.on_key(KeyEvent::new(KeyCode::Esc, KeyModifiers::NONE), &control);
    assert!(app.quit);
}

#[test]
fn question_mark_toggles_help() {
    let control = FakeControl::new(Mode::Running);
    let mut app = app_with(Theme::default(), Mode::Running);
    assert_eq!(app.on_key(key('?'), &control), Some(KeyAction::ToggleHelp));
    assert!(app.help);
    app.on_key(key('?'), &control);
    assert!(!app.help);
    assert!(control.taken().is_empty());
}

#[test]
fn key_release_is_ignored() {
    let control = FakeControl::new(Mode::Running);
    let mut app = app_with(Theme::default(), Mode::Running);
    let mut ev = key('p');
    ev.kind = KeyEventKind::Release;
    assert_eq!(app.on_key(ev, &control), None);
    assert!(control.taken().is_empty());
}

#[test]
fn scrolling_freezes_the_log_and_end_follows_again() {
    let control = FakeControl::new(Mode::Running);
    let mut app = app_with(Theme::default(), Mode::Running);
    let live = app.snapshot.events.len();
    app.on_key(KeyEvent::new(KeyCode::Up, KeyModifiers::NONE), &control);
    assert!(app.frozen.is_some());
    assert_eq!(app.scroll, 1);
    // New events arrive; the frozen log does not move.
    let mut snap = app.snapshot.clone();
    snap.events.clear();
    app.update(snap, app.knobs, Mode::Running);
    assert_eq!(app.log().len(), live);
    app.on_key(KeyEvent::new(KeyCode::PageUp, KeyModifiers::NONE), &control);
    let lines = chanviz::ui::panels::log::line_count(&app);
    assert!(lines <= live);
    assert_eq!(app.scroll, lines - 1, "scroll stops at the oldest line");
    app.on_key(KeyEvent::new(KeyCode::End, KeyModifiers::NONE), &control);
    assert!(app.frozen.is_none());
    assert_eq!(app.scroll, 0);
    assert_eq!(app.log().len(), 0);
}

/// Scrolling counts the log's lines: a pop and the wake it caused are one
/// line, so the oldest line is reached one key sooner than the oldest event.
#[test]
fn scrolling_counts_story_lines_not_events() {
    use chanviz::probe::{EventKind, Side, WakeCause};
    let control = FakeControl::new(Mode::Running);
    let mut app = app_with(Theme::default(), Mode::Running);
    let mut snap = app.snapshot.clone();
    let last = *snap.events.last().unwrap();
    let pop = EventKind::Pop {
        handle: 1,
        slot: 0,
        head: 9,
        tail: 9,
        len: 0,
    };
    let wake = EventKind::Wake {
        side: Side::Senders,
        woken: 3,
        waiting: 0,
        ticket: 8,
        cause: WakeCause::Pop,
        by: 1,
    };
    for (i, kind) in [pop, wake].into_iter().enumerate() {
        snap.events.push(chanviz::probe::LogEntry {
            seq: last.seq + 1 + i as u64,
            kind,
            ..last
        });
    }
    let events = snap.events.len();
    app.update(snap, app.knobs, Mode::Running);
    let lines = chanviz::ui::panels::log::line_count(&app);
    assert_eq!(lines, events - 1, "the pop and its wake are one line");
    app.on_key(KeyEvent::new(KeyCode::Home, KeyModifiers::NONE), &control);
    for _ in 0..3 {
        app.on_key(KeyEvent::new(KeyCode::PageUp, KeyModifiers::NONE), &control);
    }
    assert_eq!(app.scroll, lines - 1);
}

#[test]
fn f_toggles_freeze() {
    let control = FakeControl::new(Mode::Running);
    let mut app = app_with(Theme::default(), Mode::Running);
    app.on_key(key('f'), &control);
    assert!(app.frozen.is_some());
    app.on_key(key('f'), &control);
    assert!(app.frozen.is_none());
}

#[test]
fn tab_cycles_channels_and_comes_back_to_following() {
    let control = FakeControl::new(Mode::Running);
    let mut app = app_with(Theme::default(), Mode::Running);
    let mut snap = app.snapshot.clone();
    let mut second = snap.channels[0].clone();
    second.chan = 2;
    snap.channels.push(second);
    app.update(snap, app.knobs, Mode::Running);
    assert_eq!(app.channel().unwrap().chan, 2, "follows the newest");
    let tab = KeyEvent::new(KeyCode::Tab, KeyModifiers::NONE);
    app.on_key(tab, &control);
    assert_eq!(app.selected, Some(1));
    assert_eq!(app.channel().unwrap().chan, 1);
    app.on_key(tab, &control);
    assert_eq!(app.selected, None);
    assert_eq!(app.channel().unwrap().chan, 2);
}

#[test]
fn every_key_of_every_binding_is_named_in_the_help() {
    let help: Vec<String> = help_rows()
        .into_iter()
        .flat_map(|(k, _)| k.split(' ').map(str::to_string).collect::<Vec<_>>())
        .collect();
    for b in BINDINGS {
        for k in b.keys {
            let name = k.to_string();
            assert!(
                help.contains(&name),
                "key {name} is not in the help: {help:?}"
            );
        }
    }
}

#[test]
fn keys_print_their_own_names() {
    let names: Vec<String> = BINDINGS
        .iter()
        .flat_map(|b| b.keys.iter().map(|k| k.to_string()))
        .collect();
    for expected in [
        "q", "^C", "Esc", "F1", "space", "P", "Up", "Dn", "PgUp", "Tab",
    ] {
        assert!(
            names.iter().any(|n| n == expected),
            "{expected} in {names:?}"
        );
    }
    let (keys, what) = &help_rows()[0];
    assert_eq!(
        (keys.as_str(), what.as_str()),
        ("q Esc ^C", "quit (Esc closes help)")
    );
}

/// README.md's key table lists the same keys, row for row, as the help
/// screen (which is generated from `BINDINGS`): the docs cannot drift.
#[test]
fn readme_key_table_matches_the_key_table() {
    let readme = include_str!("../README.md");
    let section = readme
        .split("\n## Keys\n")
        .nth(1)
        .expect("README.md has a ## Keys section");
    let rows: Vec<String> = section
        .lines()
        .skip_while(|l| !l.starts_with('|'))
        .take_while(|l| l.starts_with('|'))
        .skip(2) // the header and the |---| line
        .map(|l| {
            let first = l.split('|').nth(1).unwrap_or("");
            first
                .split('`')
                .skip(1)
                .step_by(2)
                .collect::<Vec<_>>()
                .join(" ")
        })
        .collect();
    let expected: Vec<String> = help_rows().into_iter().map(|(k, _)| k).collect();
    assert_eq!(
        rows, expected,
        "README.md's key table differs from src/ui/keys.rs"
    );
}

#[test]
fn footer_lists_only_keys_that_work_now() {
    let ctx = |mode| chanviz::ui::keys::KeyContext {
        mode,
        frozen: false,
        channels: 1,
        list: false,
        picture: false,
    };
    let running = footer_entries(&ctx(Mode::Running));
    assert!(running.iter().all(|(k, _)| k != "n"));
    assert!(running.iter().all(|(_, w)| *w != "follow"));
    assert!(running.iter().all(|(_, w)| *w != "channel"));
    assert!(running.contains(&("p/P".to_string(), "producer")));
    let paused = footer_entries(&ctx(Mode::Paused));
    assert!(paused.contains(&("n".to_string(), "step")));
    assert!(paused.contains(&("space".to_string(), "resume")));
}

#[test]
fn removing_the_last_consumer_or_producer_says_why_and_sends_nothing() {
    let (sent, app) = press_with(Mode::Running, key('C'), |a| a.knobs.consumers = 1);
    assert!(sent.is_empty(), "{sent:?}");
    // The fixture has no consumer task (only R0): the message says so in words.
    assert_eq!(
        app.notice(),
        Some("this is the last consumer: removing it would strand messages")
    );

    let (sent, app) = press_with(Mode::Running, key('P'), |a| {
        a.knobs.producers = 1;
        // S1 is the one producer task still open (S2 was dropped).
    });
    assert!(sent.is_empty(), "{sent:?}");
    assert_eq!(
        app.notice(),
        Some("S1 is the last producer: removing it would close the channel (x closes it)")
    );
}

#[test]
fn a_consumer_task_is_named_in_the_notice() {
    let (_, app) = press_with(Mode::Running, key('C'), |a| {
        a.knobs.consumers = 1;
        let chan = &mut a.snapshot.channels[0];
        let mut r1 = chan.handles[3].clone();
        r1.id = 1;
        chan.handles.push(r1);
    });
    assert_eq!(
        app.notice(),
        Some("R1 is the last consumer: removing it would strand messages")
    );
}

#[test]
fn every_ignored_key_says_why() {
    use chanviz::scenario::control::Rate;
    // (mode, key, change, message)
    type Change = fn(&mut chanviz::ui::App);
    let none: Change = |_| {};
    let cases: [(Mode, KeyEvent, Change, &str); 7] = [
        (
            Mode::Finished,
            key('p'),
            none,
            "the run is finished: p does nothing now, r runs it again",
        ),
        (
            Mode::Running,
            key('z'),
            none,
            "z is not a key here: ? lists the keys",
        ),
        (
            Mode::Running,
            key('j'),
            none,
            "the log already follows the newest entry",
        ),
        (
            Mode::Running,
            KeyEvent::new(KeyCode::Tab, KeyModifiers::NONE),
            none,
            "only one channel: Tab switches channels after a restart (r)",
        ),
        (
            Mode::Running,
            key('+'),
            |a| a.knobs.rate = Rate::Max,
            "rate (each) is already at its highest: max",
        ),
        (
            Mode::Running,
            key('<'),
            |a| a.knobs.work = std::time::Duration::ZERO,
            "work is already at its lowest: 0",
        ),
        (
            Mode::Running,
            key('x'),
            |a| a.snapshot.channels[0].lifecycle = chanviz::probe::snapshot::Lifecycle::Closing,
            "the channel is closing: tasks and close wait for r (restart)",
        ),
    ];
    for (mode, ev, change, message) in cases {
        let (sent, app) = press_with(mode, ev, change);
        assert!(sent.is_empty(), "{ev:?} sent {sent:?}");
        assert_eq!(app.notice(), Some(message), "{ev:?} in {mode:?}");
    }
}

#[test]
fn a_notice_fades_and_a_key_that_acts_clears_it() {
    let control = FakeControl::new(Mode::Running);
    let mut app = app_with(Theme::default(), Mode::Running);
    app.on_key(key('z'), &control);
    assert!(app.notice().is_some());
    let mut later = app.snapshot.clone();
    later.at_us += chanviz::ui::app::NOTICE_US;
    app.update(later, app.knobs, Mode::Running);
    assert_eq!(app.notice(), None, "gone after NOTICE_US");
    app.on_key(key('z'), &control);
    app.on_key(key('f'), &control);
    assert_eq!(app.notice(), None, "a key that acted clears it");
}

#[test]
fn keys_judge_the_channel_the_runner_acts_on_not_the_one_shown() {
    use chanviz::probe::snapshot::Lifecycle;
    // After a restart: the old channel (closing) is shown with Tab, the new
    // one is open; `p` acts on the new one.
    let (sent, app) = press_with(Mode::Running, key('p'), |a| {
        let mut snap = a.snapshot.clone();
        snap.channels[0].lifecycle = Lifecycle::Closing;
        let mut new = snap.channels[0].clone();
        new.chan = 2;
        new.lifecycle = Lifecycle::Open;
        snap.channels.push(new);
        a.update(snap, a.knobs, Mode::Running);
        a.selected = Some(1);
    });
    assert_eq!(app.channel().unwrap().chan, 1, "the old channel is shown");
    assert_eq!(sent, vec![Command::AddProducer], "{:?}", app.notice());
}
