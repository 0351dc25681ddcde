//! Screenshots: runs a scenario for a while with the probe watching it, and
//! draws the live view into an SVG with the program's own renderer (the same
//! panels the TUI draws). It never touches the terminal.
//!
//! `screenshots/regenerate.sh` calls `chanviz screenshot` for every picture
//! in README.md.

use std::time::{Duration, Instant};

use crate::probe::Probe;
use crate::scenario::clock::SceneClock;
use crate::scenario::control::{Command, Mode};
use crate::scenario::runner::{RunOptions, Runner};
use crate::scenario::spec::Scenario;
use crate::ui::app::Card;
use crate::ui::{self, App, UiOptions};

/// What to capture.
#[derive(Clone, Debug)]
pub struct Shot {
    /// Run time before the picture is taken.
    pub at: Duration,
    /// Terminal size to draw at.
    pub width: u16,
    /// Terminal size to draw at.
    pub height: u16,
    /// Draw the help screen over the picture.
    pub help: bool,
    /// Pause the run just before the picture, so that it shows PAUSED.
    pub pause: bool,
    /// Draw with ASCII only.
    pub ascii: bool,
    /// Draw the big layout.
    pub big: bool,
    /// Show the description card over the picture (the run pauses for it).
    pub card: bool,
    /// Pause, then go this many events back in the history (the timeline
    /// shows where).
    pub back: Option<u64>,
}

/// Runs `scenario` for `shot.at` while `probe` watches, then renders the
/// view as SVG.
pub fn take(scenario: Scenario, shot: &Shot, probe: &Probe) -> Result<String, String> {
    // Scenario time on screen, as in the live view.
    let clock = SceneClock::new();
    probe.follow(clock.clone());
    let opts = RunOptions {
        linger: true,
        clock: Some(clock),
        ..RunOptions::default()
    };
    let title = scenario.title.clone();
    let description = scenario.description.clone();
    let handle = Runner::start(scenario, opts).map_err(|e| e.to_string())?;
    let control = handle.control();

    let deadline = Instant::now() + shot.at;
    while Instant::now() < deadline && control.mode() != Mode::Finished {
        std::thread::sleep(Duration::from_millis(20));
    }
    // The card pauses the run, as in the live view.
    let paused_by_card = shot.card && !shot.pause && control.mode() == Mode::Running;
    if (shot.pause || shot.card || shot.back.is_some()) && control.mode() == Mode::Running {
        control.command(Command::TogglePause);
        // Let the pause take effect before the picture.
        std::thread::sleep(Duration::from_millis(100));
    }

    let ui_opts = UiOptions {
        fps: crate::ui::DEFAULT_FPS,
        ascii: shot.ascii,
        no_color: false,
        big: shot.big,
        ..UiOptions::default()
    };
    let mut app = App::new(title, description, ui_opts.theme());
    let started = Instant::now();
    app.update(probe.snapshot(), control.knobs(), control.mode());
    if let Some(back) = shot.back {
        app.set_history(std::sync::Arc::new(probe.clone()));
        app.refresh_history();
        let (first, end) = app.cursor.bounds;
        app.cursor.at = end.checked_sub(1 + back).map(|s| s.max(first));
        app.refresh_history();
    }
    // A lesson's newest words, as the class would see them now.
    app.hear(
        control
            .narrations(0)
            .into_iter()
            .last()
            .into_iter()
            .collect(),
    );
    app.frame_time = started.elapsed();
    app.help = shot.help;
    app.big = ui_opts.big;
    if shot.card {
        app.card = Card::Shown {
            resume: paused_by_card,
        };
    }
    let svg = ui::render_to_svg(&app, shot.width, shot.height);

    handle.shutdown();
    drop(handle);
    Ok(svg)
}

/// The view of a recording paused `shot.at` into it (its timeline shown),
/// as SVG.
pub fn take_replay(loaded: &crate::record::Loaded, shot: &Shot) -> String {
    let history = std::sync::Arc::new(loaded.history());
    let player = crate::ui::replay::Player::new(history);
    player.pause_at(shot.at);
    let ui_opts = UiOptions {
        fps: crate::ui::DEFAULT_FPS,
        ascii: shot.ascii,
        no_color: false,
        big: shot.big,
        ..UiOptions::default()
    };
    let (title, description) = replay_title(loaded);
    let mut app = App::new(title, description, ui_opts.theme());
    app.replay = true;
    app.set_history(player.clone());
    use crate::scenario::control::Control;
    app.update(player.snapshot(), player.knobs(), player.mode());
    app.refresh_history();
    app.help = shot.help;
    app.big = ui_opts.big;
    ui::render_to_svg(&app, shot.width, shot.height)
}

/// The title and description a replay shows: its scenario's, from the TOML
/// the recording carries (its name alone if that does not parse).
pub fn replay_title(loaded: &crate::record::Loaded) -> (String, String) {
    let h = &loaded.header;
    match crate::scenario::spec::parse("the recording", &h.scenario, &h.scenario_toml) {
        Ok(s) => (format!("{} (replay)", s.title), s.description),
        Err(_) => (format!("{} (replay)", h.scenario), String::new()),
    }
}
