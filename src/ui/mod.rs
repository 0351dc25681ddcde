//! The TUI: draws `probe::Snapshot`s at a fixed frame rate and turns keys into
//! `scenario::control::Command`s. Never touches the channel or the runner's
//! tasks directly.
//!
//! - [`app`]: UI state (help, frozen log, selected channel, last snapshot).
//! - [`keys`]: the one table of key bindings (dispatch, help and footer).
//! - [`panels`]: one pure render function per region of the screen.
//! - [`theme`]: colours and glyphs (`NO_COLOR`, `--ascii`).
//! - [`text`]: word wrapping and shortening at word boundaries.
//! - [`tui`]: the terminal and the event loop.
//! - [`svg`]: a rendered buffer as an SVG picture (screenshots).

pub mod app;
pub mod keys;
pub mod lesson;
pub mod panels;
pub mod replay;
pub mod rewind;
pub mod svg;
pub mod text;
pub mod theme;
pub mod tui;

use std::sync::Arc;

use ratatui::buffer::Buffer;
use ratatui::layout::Rect;

use crate::probe::snapshot::Snapshot;
use crate::scenario::control::Control;

pub use app::App;
pub use svg::buffer_to_svg;
pub use theme::Theme;
pub use tui::{request_quit, run};

/// Frames per second of the live view that `--fps` accepts and the event
/// loop holds to (above 120 is not seen, only paid for).
pub const FPS: std::ops::RangeInclusive<u32> = 1..=120;
/// Frames per second unless `--fps` says otherwise.
pub const DEFAULT_FPS: u32 = 30;

/// How the UI draws.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct UiOptions {
    /// Frames per second (clamped to [`FPS`]).
    pub fps: u32,
    /// Only ASCII glyphs: no box drawing, no braille.
    pub ascii: bool,
    /// No colours. `NO_COLOR` (non-empty) in the environment has the same effect.
    pub no_color: bool,
    /// Start in the big layout (ring, waiter queues and log, large).
    pub big: bool,
    /// Which warnings are shown (`--warn`, `--allow`).
    pub warnings: crate::probe::insight::WarningFilter,
}

impl Default for UiOptions {
    fn default() -> Self {
        UiOptions {
            fps: DEFAULT_FPS,
            ascii: false,
            no_color: false,
            big: false,
            warnings: Default::default(),
        }
    }
}

impl UiOptions {
    /// The theme these options ask for, `NO_COLOR` included.
    pub fn theme(&self) -> Theme {
        Theme::new(!self.no_color && !Theme::no_color_env(), self.ascii)
    }
}

/// What the UI shows and steers.
pub struct Session {
    /// Scenario name (header).
    pub title: String,
    /// The scenario's description (header, and the description card).
    pub description: String,
    /// Where key commands go, and where knobs and mode are read.
    pub control: Arc<dyn Control>,
    /// Takes one snapshot; called once per frame.
    pub snapshot: Box<dyn FnMut() -> Snapshot + Send>,
    /// The history of events to rewind through while paused, if any.
    pub history: Option<Arc<dyn crate::probe::Rewind>>,
    /// A recording played back (`chanviz replay`), not a live run.
    pub replay: bool,
    /// The channel list is the view's home (`chanviz attach`): it fills
    /// the screen first, `Enter` opens a channel, `Esc` comes back.
    pub list: bool,
}

impl Session {
    /// The view of a recording: `player` steers and draws it.
    pub fn replay(title: String, description: String, player: Arc<replay::Player>) -> Session {
        Session {
            title,
            description,
            control: player.clone(),
            snapshot: Box::new({
                let player = player.clone();
                move || player.snapshot()
            }),
            history: Some(player),
            replay: true,
            list: false,
        }
    }
}

/// Draw `app` (with the snapshot, knobs and mode it holds) into a fresh
/// buffer of `width` x `height`: for screenshots, tests and benches.
pub fn render_to_buffer(app: &App, width: u16, height: u16) -> Buffer {
    let area = Rect::new(0, 0, width, height);
    let mut buf = Buffer::empty(area);
    panels::render_screen(app, area, &mut buf);
    buf
}

/// Draw `app` at `width` x `height` and return the picture as SVG: how the
/// screenshots in `screenshots/` are made.
pub fn render_to_svg(app: &App, width: u16, height: u16) -> String {
    buffer_to_svg(&render_to_buffer(app, width, height))
}
