//! Time travel in the view, as a user pauses and steps back: the cursor
//! moves through the history, every panel draws the fold up to it, the
//! header numbers the event, the timeline marks where it is, jumps go to
//! the marks of the chosen kind, and resuming returns to the newest.
#![cfg(feature = "tui")]

mod ui_support;

use std::sync::{Arc, RwLock};

use chanviz::probe::{EventKind, History, LogEntry, Record, Rewind, Side};
use chanviz::scenario::control::{Command, Mode};
use chanviz::ui::panels;
use chanviz::ui::rewind::Mark;
use chanviz::ui::{App, Theme};
use ratatui::crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use ui_support::{knobs, text, FakeControl};

fn key(code: KeyCode) -> KeyEvent {
    KeyEvent::new(code, KeyModifiers::NONE)
}

/// A ring of 2: S1 fills it, parks, R1 pops and wakes S1, S1 pushes.
fn history() -> Arc<dyn Rewind> {
    use EventKind::*;
    let kinds = [
        Created { capacity: 2 },
        Push {
            handle: 1,
            slot: 0,
            head: 1,
            tail: 0,
            len: 1,
            handoff: false,
        },
        Push {
            handle: 1,
            slot: 1,
            head: 2,
            tail: 0,
            len: 2,
            handoff: false,
        },
        SendWait {
            handle: 1,
            waiting: 1,
            ticket: u64::MAX,
        },
        Pop {
            handle: 1,
            slot: 0,
            head: 2,
            tail: 1,
            len: 1,
        },
        Wake {
            side: Side::Senders,
            woken: 1,
            waiting: 0,
            ticket: u64::MAX,
            cause: chanviz::probe::WakeCause::Unknown,
            by: 0,
        },
        Push {
            handle: 1,
            slot: 0,
            head: 3,
            tail: 1,
            len: 2,
            handoff: false,
        },
    ];
    let mut h = History::new(1_000);
    h.push_record(&Record::Named {
        chan: 1,
        name: "jobs".into(),
    });
    for (i, kind) in kinds.into_iter().enumerate() {
        h.push_record(&Record::Event(LogEntry {
            seq: i as u64,
            at_us: 1_000 * i as u64,
            chan: 1,
            kind,
        }));
    }
    Arc::new(RwLock::new(h))
}

/// An app paused on that history, its live snapshot the newest event's.
fn paused() -> (App, FakeControl, Arc<dyn Rewind>) {
    let h = history();
    let mut app = App::new("rewind", "", Theme::default());
    app.set_history(h.clone());
    let live = h.snapshot_at(6, 100).unwrap();
    app.update(live, knobs(), Mode::Paused);
    app.refresh_history();
    (app, FakeControl::new(Mode::Paused), h)
}

/// One frame: the live snapshot again, then the history at the cursor.
fn frame(app: &mut App, h: &Arc<dyn Rewind>, mode: Mode) {
    let live = h.snapshot_at(6, 100).unwrap();
    app.update(live, knobs(), mode);
    app.refresh_history();
}

fn screen(app: &App) -> String {
    text(&chanviz::ui::render_to_buffer(app, 120, 40))
}

#[test]
fn left_steps_back_and_every_panel_shows_the_earlier_state() {
    let (mut app, control, h) = paused();
    assert!(screen(&app).contains("event 7 of 7"), "{}", screen(&app));
    let full = app.snapshot.current().unwrap().len;
    assert_eq!(full, 2);
    for _ in 0..3 {
        app.on_key(key(KeyCode::Left), &control);
    }
    frame(&mut app, &h, Mode::Paused);
    assert_eq!(app.cursor.at, Some(3));
    let out = screen(&app);
    assert!(out.contains("event 4 of 7"), "{out}");
    // After event 3 (S1 parked on the full ring): full, one sender waiting,
    // nothing popped yet.
    let c = app.snapshot.current().unwrap();
    assert_eq!((c.len, c.waiting_senders, c.counters.received), (2, 1, 0));
    assert_eq!(c.name.as_deref(), Some("jobs"));
    assert!(
        out.contains("S1 parked"),
        "the log ends at the cursor: {out}"
    );
    assert!(
        !out.contains("R1 popped"),
        "nothing after the cursor: {out}"
    );
    assert_eq!(control.taken(), vec![], "moving the cursor sends nothing");
    // → goes forward again; past the newest it is live again.
    app.on_key(key(KeyCode::Right), &control);
    frame(&mut app, &h, Mode::Paused);
    assert_eq!(app.snapshot.current().unwrap().counters.received, 1);
    app.on_key(key(KeyCode::End), &control);
    assert_eq!(app.cursor.at, None);
}

/// The log at the cursor: a pop and the wake it caused are one line, at the
/// pop's place; with the cursor on the pop, the line has no wake yet.
#[test]
fn a_merged_line_stands_at_its_first_event_and_grows_with_the_cursor() {
    let (mut app, control, h) = paused();
    let log_lines = |app: &App| -> Vec<String> {
        panels::log::lines_for(app, 0..100, 120)
            .iter()
            .map(|l| l.to_string())
            .collect()
    };
    let at_newest = log_lines(&app);
    assert_eq!(at_newest.len(), 6, "7 events, 6 lines: {at_newest:?}");
    assert!(
        at_newest[4].ends_with("R1 popped slot 0 (len 1/2) → woke S1 (none still waiting)"),
        "{at_newest:?}"
    );
    assert!(
        at_newest[4].starts_with(" 0.004s R1 "),
        "the pop's time: {at_newest:?}"
    );
    assert!(at_newest[5].ends_with("S1 pushed slot 0 (len 2/2: now full)"));
    // On the wake (event 5): the same line, last.
    app.on_key(key(KeyCode::Left), &control);
    frame(&mut app, &h, Mode::Paused);
    assert_eq!(app.cursor.at, Some(5));
    assert_eq!(log_lines(&app), at_newest[..5]);
    // On the pop (event 4): the pop alone.
    app.on_key(key(KeyCode::Left), &control);
    frame(&mut app, &h, Mode::Paused);
    assert_eq!(app.cursor.at, Some(4));
    let at_pop = log_lines(&app);
    assert_eq!(at_pop.len(), 5);
    assert!(
        at_pop[4].ends_with("R1 popped slot 0 (len 1/2)"),
        "{at_pop:?}"
    );
    let out = screen(&app);
    assert!(out.contains("R1 popped slot 0 (len 1/2)"), "{out}");
    assert!(!out.contains("woke S1"), "{out}");
}

#[test]
fn home_goes_to_the_oldest_and_jumps_go_to_marks() {
    let (mut app, control, h) = paused();
    app.on_key(key(KeyCode::Home), &control);
    frame(&mut app, &h, Mode::Paused);
    assert_eq!(app.cursor.at, Some(0));
    assert_eq!(app.snapshot.current().unwrap().counters.sent, 0);
    // `}`: the next park (the only one, event 3).
    assert_eq!(app.cursor.mark, Mark::Park);
    app.on_key(key(KeyCode::Char('}')), &control);
    assert_eq!(app.cursor.at, Some(3));
    // No later park: the cursor stays and a notice says why.
    app.on_key(key(KeyCode::Char('}')), &control);
    assert_eq!(app.cursor.at, Some(3));
    assert!(
        app.notice().unwrap().contains("no later park"),
        "{:?}",
        app.notice()
    );
    // `m`: wakes now; `}` goes to the wake (event 5).
    app.on_key(key(KeyCode::Char('m')), &control);
    frame(&mut app, &h, Mode::Paused);
    assert_eq!(app.cursor.mark, Mark::Wake);
    app.on_key(key(KeyCode::Char('}')), &control);
    assert_eq!(app.cursor.at, Some(5));
    // The timeline has the cursor where it is, and the wake marked.
    let out = screen(&app);
    assert!(out.contains("{/} wake"), "{out}");
    assert!(out.contains('█'), "{out}");
}

#[test]
fn resuming_or_stepping_the_run_returns_to_the_newest() {
    let (mut app, control, h) = paused();
    app.on_key(key(KeyCode::Left), &control);
    assert!(app.rewound());
    app.on_key(key(KeyCode::Char('n')), &control);
    assert_eq!(
        app.cursor.at, None,
        "n lets the real run go on, from the newest"
    );
    assert_eq!(control.taken(), vec![Command::Step]);
    app.on_key(key(KeyCode::Left), &control);
    app.on_key(key(KeyCode::Char(' ')), &control);
    assert_eq!(app.cursor.at, None);
    assert_eq!(control.taken(), vec![Command::TogglePause]);
    // And a run that moves again (a lesson resumed it) drops the cursor.
    app.on_key(key(KeyCode::Left), &control);
    frame(&mut app, &h, Mode::Running);
    assert_eq!(app.cursor.at, None);
    assert!(
        !screen(&app).contains("event "),
        "no event number while running"
    );
}

#[test]
fn the_timeline_puts_marks_gaps_and_the_cursor_in_proportion() {
    let cells =
        panels::timeline::cells(10, (100, 200), Some(150), &[110, 190], &[120], &[(180, 3)]);
    let s: String = cells.into_iter().collect();
    assert_eq!(s, "─·│──█──×·");
    let empty: String = panels::timeline::cells(5, (0, 0), None, &[], &[], &[])
        .into_iter()
        .collect();
    assert_eq!(empty, "─────");
}

#[test]
fn g_goes_to_a_time_typed_in_the_footer() {
    let (mut app, control, _h) = paused();
    app.on_key(key(KeyCode::Char('g')), &control);
    for c in "3.5ms".chars() {
        app.on_key(key(KeyCode::Char(c)), &control);
    }
    assert!(
        screen(&app).contains("go to time: 3.5ms_"),
        "{}",
        screen(&app)
    );
    app.on_key(key(KeyCode::Enter), &control);
    // Events are 1 ms apart from the channel's creation: 3.5 ms is event 3.
    assert_eq!(app.cursor.at, Some(3));
    assert_eq!(control.taken(), vec![], "typing sent nothing to the run");
    // Plain seconds work too; nonsense says why and moves nothing.
    app.on_key(key(KeyCode::Char('g')), &control);
    for c in "0.001".chars() {
        app.on_key(key(KeyCode::Char(c)), &control);
    }
    app.on_key(key(KeyCode::Enter), &control);
    assert_eq!(app.cursor.at, Some(1));
    app.on_key(key(KeyCode::Char('g')), &control);
    for c in "soon".chars() {
        app.on_key(key(KeyCode::Char(c)), &control);
    }
    app.on_key(key(KeyCode::Enter), &control);
    assert_eq!(app.cursor.at, Some(1));
    assert!(
        app.notice().unwrap().contains("the time must be"),
        "{:?}",
        app.notice()
    );
    // Esc gives up.
    app.on_key(key(KeyCode::Char('g')), &control);
    app.on_key(key(KeyCode::Esc), &control);
    assert!(app.prompt.is_none());
    assert!(!app.quit);
}

#[test]
fn the_parameters_say_they_are_todays_at_the_cursor() {
    let (mut app, control, _h) = paused();
    assert!(!screen(&app).contains("Parameters (now"));
    app.on_key(key(KeyCode::Left), &control);
    assert!(screen(&app).contains("Parameters (now, not at the cursor)"));
}
