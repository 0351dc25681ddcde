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
    let control = FakeControl::new(mode);
    let mut app = app_with(Theme::default(), mode);
    app.on_key(event, &control);
    (control.taken(), app)
}

#[test]
fn each_command_key_sends_its_command() {
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
    let (sent, _) = press(Mode::Running, key('n'));
    assert!(sent.is_empty(), "n while running sent {sent:?}");
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
    assert_eq!(app.scroll, live - 1, "scroll stops at the oldest entry");
    app.on_key(KeyEvent::new(KeyCode::End, KeyModifiers::NONE), &control);
    assert!(app.frozen.is_none());
    assert_eq!(app.scroll, 0);
    assert_eq!(app.log().len(), 0);
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
        ("q Esc ^C", "quit (Esc closes help first)")
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
