//! The player behind `chanviz replay`: it plays a history at the recorded
//! pace, pauses, steps, starts again, stops at the end, and the view it
//! steers refuses the keys that would change a run.
#![cfg(feature = "tui")]

mod deadline;

use std::sync::{Arc, RwLock};
use std::time::{Duration, Instant};

use chanviz::probe::{EventKind, History, LogEntry, Record, Rewind};
use chanviz::scenario::control::{Command, Control, Mode};
use chanviz::ui::replay::Player;
use chanviz::ui::{App, Theme};
use ratatui::crossterm::event::{KeyCode, KeyEvent, KeyModifiers};

/// Twenty pushes and pops, 2 ms apart in the recording's time.
fn history() -> Arc<dyn Rewind> {
    let mut h = History::new(1_000);
    let mut seq = 0;
    let mut add = |kind| {
        h.push_record(&Record::Event(LogEntry {
            seq,
            at_us: 2_000 * seq,
            chan: 1,
            kind,
        }));
        seq += 1;
    };
    add(EventKind::Created { capacity: 4 });
    for p in 0..10u64 {
        add(EventKind::Push {
            handle: 1,
            slot: (p % 4) as usize,
            head: p + 1,
            tail: p,
            len: 1,
            handoff: false,
        });
        add(EventKind::Pop {
            handle: 1,
            slot: (p % 4) as usize,
            head: p + 1,
            tail: p + 1,
            len: 0,
        });
    }
    Arc::new(RwLock::new(h))
}

#[test]
fn it_plays_to_the_end_and_stops_there() {
    let player = Player::new(history());
    assert_eq!(player.mode(), Mode::Running, "a replay starts playing");
    let deadline = Instant::now() + deadline::HANG;
    while player.mode() == Mode::Running {
        assert!(
            Instant::now() < deadline,
            "the replay never reached its end"
        );
        std::thread::sleep(Duration::from_millis(5));
    }
    assert_eq!(player.position(), Some(20), "stopped at the last event");
    let snap = player.snapshot();
    assert_eq!(snap.current().unwrap().counters.received, 10);
    // Play again from the end: nothing more to play.
    player.command(Command::TogglePause);
    assert_eq!(player.mode(), Mode::Paused);
    // r: from the start.
    player.command(Command::Restart);
    player.command(Command::Pause);
    assert!(player.position().unwrap() < 20);
}

#[test]
fn paused_it_steps_one_event_at_a_time() {
    let player = Player::new(history());
    player.command(Command::Restart);
    player.command(Command::Pause);
    let at = player.position().unwrap();
    std::thread::sleep(Duration::from_millis(60));
    assert_eq!(player.position(), Some(at), "paused: no event passes");
    player.command(Command::Step);
    assert_eq!(player.position(), Some(at + 1));
    assert_eq!(player.mode(), Mode::Paused);
    let snap = player.snapshot();
    assert_eq!(snap.events.last().map(|e| e.seq), Some(at + 1));
}

#[test]
fn the_view_of_a_recording_refuses_to_change_the_run() {
    let player = Player::new(history());
    player.command(Command::Pause);
    let mut app = App::new("replay", "", Theme::default());
    app.replay = true;
    app.update(player.snapshot(), player.knobs(), player.mode());
    for c in ['p', 'c', 'x', '+', '<'] {
        app.on_key(
            KeyEvent::new(KeyCode::Char(c), KeyModifiers::NONE),
            player.as_ref(),
        );
        let notice = app.notice().unwrap_or_default().to_string();
        assert!(
            notice.contains("a recording cannot change"),
            "{c}: {notice:?}"
        );
    }
    // Space, n, s and r work.
    let before = player.position();
    app.on_key(
        KeyEvent::new(KeyCode::Char('n'), KeyModifiers::NONE),
        player.as_ref(),
    );
    assert_eq!(player.position(), before.map(|p| p + 1));
    app.on_key(
        KeyEvent::new(KeyCode::Char('s'), KeyModifiers::NONE),
        player.as_ref(),
    );
    assert_eq!(player.knobs().speed, 0.5);
}

#[test]
fn the_view_steps_back_from_where_the_replay_is_not_from_its_end() {
    let player = Player::new(history());
    player.command(Command::Restart);
    player.command(Command::Pause);
    player.command(Command::Step);
    player.command(Command::Step);
    let at = player.position().unwrap();
    assert!(at < 20);
    let rewind: &dyn Rewind = player.as_ref();
    assert_eq!(
        rewind.bounds(),
        (0, at + 1),
        "the newest is the replay's position"
    );
    let mut app = App::new("replay", "", Theme::default());
    app.replay = true;
    app.set_history(player.clone());
    app.update(player.snapshot(), player.knobs(), player.mode());
    app.refresh_history();
    app.on_key(
        KeyEvent::new(KeyCode::Left, KeyModifiers::NONE),
        player.as_ref(),
    );
    assert_eq!(app.cursor.at, Some(at - 1));
}
