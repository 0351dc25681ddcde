//! A lesson's words over the view, as a class meets them: a `say` stays
//! until a key (which does nothing else); a question lists the handles to
//! name, takes a digit, lets the keys work again so the class can step, and
//! then says who it really was and why.
#![cfg(feature = "tui")]

mod ui_support;

use std::time::Duration;

use chanviz::probe::snapshot::{EventKind, HandleState, LogEntry, Role, Side, Snapshot};
use chanviz::scenario::control::{Answer, Command, Mode, Narration, Question};
use chanviz::ui::panels;
use chanviz::ui::{App, Theme};
use ratatui::buffer::Buffer;
use ratatui::crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use ratatui::layout::Rect;
use ui_support::{app_with, knobs, snapshot, text, FakeControl};

fn key(c: char) -> KeyEvent {
    KeyEvent::new(KeyCode::Char(c), KeyModifiers::NONE)
}

fn esc() -> KeyEvent {
    KeyEvent::new(KeyCode::Esc, KeyModifiers::NONE)
}

fn screen(app: &App) -> String {
    let area = Rect::new(0, 0, 120, 40);
    let mut buf = Buffer::empty(area);
    panels::render_screen(app, area, &mut buf);
    text(&buf)
}

/// The lesson's box alone.
fn boxed(app: &App) -> String {
    let area = Rect::new(0, 0, 80, 14);
    let mut buf = Buffer::empty(area);
    panels::lesson::render(app, area, &mut buf);
    text(&buf)
}

fn say(words: &str) -> Narration {
    Narration {
        run: 1,
        at: Duration::from_secs(2),
        say: Some(words.to_string()),
        ask: None,
    }
}

fn ask(answer: Answer) -> Narration {
    Narration {
        run: 1,
        at: Duration::from_secs(3),
        say: None,
        ask: Some(Question {
            text: "Which sender wakes next?".to_string(),
            answer,
        }),
    }
}

/// The fixture, paused, with senders S1 and S3 open (S2 is dropped, S0 is
/// the runner's own and never parks).
fn paused_app() -> App {
    let mut app = app_with(Theme::default(), Mode::Paused);
    let chan = &mut app.snapshot.channels[0];
    let mut s3 = chan.handles[1].clone();
    s3.id = 3;
    chan.handles.push(s3);
    assert!(chan
        .handles
        .iter()
        .any(|h| h.role == Role::Sender && h.id == 2 && h.state == HandleState::Dropped));
    app
}

/// The next snapshot: the fixture plus one event after the newest.
fn then(app: &App, kind: EventKind) -> Snapshot {
    let mut snap = app.snapshot.clone();
    let last = *snap.events.last().unwrap();
    snap.events.push(LogEntry {
        seq: last.seq + 1,
        at_us: last.at_us + 1_000,
        chan: last.chan,
        kind,
    });
    snap
}

fn wake(woken: u64) -> EventKind {
    EventKind::Wake {
        side: Side::Senders,
        woken,
        waiting: 1,
        ticket: u64::MAX,
        cause: chanviz::probe::WakeCause::Unknown,
        by: 0,
    }
}

#[test]
fn words_stay_until_a_key_and_that_key_does_nothing_else() {
    let control = FakeControl::new(Mode::Paused);
    let mut app = paused_app();
    app.hear(vec![say("The ring is full: the next send cannot push.")]);
    let out = screen(&app);
    assert!(out.contains("Lesson at 2.0s"), "{out}");
    assert!(
        out.contains("The ring is full: the next send cannot push."),
        "{out}"
    );
    assert!(out.contains("any key: go on"), "{out}");
    // `n` would step; here it only closes the words.
    app.on_key(key('n'), &control);
    assert_eq!(control.taken(), vec![]);
    assert!(app.told.is_empty());
    assert!(!screen(&app).contains("The ring is full"));
    // The next `n` is a key again.
    app.on_key(key('n'), &control);
    assert_eq!(control.taken(), vec![Command::Step]);
}

#[test]
fn a_question_offers_the_open_handles_and_checks_the_answer() {
    let control = FakeControl::new(Mode::Paused);
    let mut app = paused_app();
    app.hear(vec![ask(Answer::NextWokenSender)]);
    let out = boxed(&app);
    assert!(out.contains("Question at 3.0s"), "{out}");
    assert!(out.contains("Which sender wakes next?"), "{out}");
    assert!(out.contains("[1] S1"), "{out}");
    assert!(out.contains("[2] S3"), "{out}");
    assert!(!out.contains("S2"), "a dropped handle is no answer: {out}");
    assert!(
        !out.contains("S0"),
        "the runner's own handle is no answer: {out}"
    );
    // Not a choice: a notice, and still unanswered; no command either.
    app.on_key(key('7'), &control);
    app.on_key(key('n'), &control);
    assert_eq!(control.taken(), vec![]);
    assert!(
        app.notice().unwrap().contains("1 to 2"),
        "{:?}",
        app.notice()
    );
    // S3.
    app.on_key(key('2'), &control);
    let out = boxed(&app);
    assert!(out.contains("You said S3."), "{out}");
    // Answered: the keys work again, so the class can step and watch.
    app.on_key(key('n'), &control);
    assert_eq!(control.taken(), vec![Command::Step]);
    // A park is no answer to "who wakes"; the wake of S1 is.
    let snap = then(
        &app,
        EventKind::SendWait {
            handle: 3,
            waiting: 2,
            ticket: u64::MAX,
        },
    );
    app.update(snap, knobs(), Mode::Step);
    assert!(app.told[0].verdict.is_none());
    let snap = then(&app, wake(1));
    app.update(snap, knobs(), Mode::Step);
    let v = app.told[0].verdict.clone().expect("a verdict");
    assert!(!v.right);
    assert_eq!(v.actual, "S1");
    let out = boxed(&app);
    assert!(out.contains("S1 woke, not S3."), "{out}");
    assert!(out.contains("the one that parked first"), "{out}");
    // Any key closes the verdict, and does nothing else.
    app.on_key(key('n'), &control);
    assert_eq!(control.taken(), vec![]);
    assert!(app.told.is_empty());
}

#[test]
fn a_right_answer_is_called_right() {
    let control = FakeControl::new(Mode::Paused);
    let mut app = paused_app();
    app.hear(vec![ask(Answer::NextWokenSender)]);
    app.on_key(key('1'), &control);
    let snap = then(&app, wake(1));
    app.update(snap, knobs(), Mode::Running);
    assert!(boxed(&app).contains("Right: S1 woke."));
}

#[test]
fn only_what_happens_after_the_question_answers_it() {
    // The fixture's log already holds a wake of S2: it came before the
    // question, so it answers nothing.
    let control = FakeControl::new(Mode::Paused);
    let mut app = paused_app();
    assert!(app
        .snapshot
        .events
        .iter()
        .any(|e| matches!(e.kind, EventKind::Wake { woken: 2, .. })));
    app.hear(vec![ask(Answer::NextWokenSender)]);
    app.on_key(key('1'), &control);
    let snap = snapshot();
    app.update(snap, knobs(), Mode::Running);
    assert!(app.told[0].verdict.is_none());
}

#[test]
fn esc_skips_a_question() {
    let control = FakeControl::new(Mode::Paused);
    let mut app = paused_app();
    app.hear(vec![ask(Answer::NextToPark)]);
    let out = boxed(&app);
    // Who parks next: senders and receivers both (the fixture's only
    // receiver is the runner's own R0, which never parks).
    assert!(out.contains("[1] S1 [2] S3"), "{out}");
    assert!(!out.contains("R0"), "{out}");
    app.on_key(esc(), &control);
    assert!(app.told.is_empty());
    assert_eq!(control.taken(), vec![], "Esc skipped, it did not quit");
    assert!(!app.quit);
}

#[test]
fn lesson_box_snapshot() {
    let mut app = paused_app();
    app.hear(vec![Narration {
        say: Some("Every producer is parked.".to_string()),
        ..ask(Answer::NextWokenSender)
    }]);
    let area = Rect::new(0, 0, 80, 12);
    let mut buf = Buffer::empty(area);
    panels::lesson::render(&app, area, &mut buf);
    insta::assert_snapshot!("lesson_question", text(&buf));
}

/// The description card paused the run; a lesson paused it again while the
/// card was up (and spoke): closing the card must not resume over it.
#[test]
fn closing_the_card_leaves_a_lesson_pause_alone() {
    let control = FakeControl::new(Mode::Running);
    let mut app = paused_app();
    app.on_key(key('d'), &control);
    assert!(app.card_shown());
    assert_eq!(control.taken(), vec![Command::Pause]);
    *control.mode.lock().unwrap() = Mode::Paused;
    control.said.lock().unwrap().push(say("The ring is full."));
    app.on_key(key('x'), &control);
    assert!(!app.card_shown());
    assert_eq!(control.taken(), vec![], "the lesson's pause stands");
    // Without the lesson, closing the card resumes what it paused.
    let control = FakeControl::new(Mode::Running);
    let mut app = paused_app();
    app.on_key(key('d'), &control);
    *control.mode.lock().unwrap() = Mode::Paused;
    app.on_key(key('x'), &control);
    assert_eq!(control.taken(), vec![Command::Pause, Command::Resume]);
}
