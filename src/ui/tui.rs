//! The terminal and the event loop: enter raw mode and the alternate screen,
//! draw one snapshot per frame, dispatch keys in between, and always restore
//! the terminal. Nothing here decides what a key does or how a panel looks.

use std::io::{self, IsTerminal};
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

use ratatui::crossterm::event::{self, Event, KeyEventKind};
use ratatui::layout::Rect;
use ratatui::DefaultTerminal;

use crate::ui::app::{App, Card};
use crate::ui::panels;
use crate::ui::{Session, UiOptions};

static QUIT: AtomicBool = AtomicBool::new(false);

/// Ask the running UI to stop at its next frame and restore the terminal
/// (the CLI calls this on SIGTERM). Safe to call from any thread, and from
/// a signal-handling task. The request is sticky: a [`run`] started after
/// it returns at once.
pub fn request_quit() {
    // Relaxed: a lone flag, guarding no data; the loop reads it each frame.
    QUIT.store(true, Ordering::Relaxed);
}

/// Run the TUI until the user quits or [`request_quit`] is called.
///
/// # Errors
/// `Unsupported` when stdout is not a terminal (use `--headless` then);
/// any I/O error from the terminal.
pub fn run(session: Session, opts: UiOptions) -> io::Result<()> {
    if !io::stdout().is_terminal() {
        return Err(io::Error::new(
            io::ErrorKind::Unsupported,
            "stdout is not a terminal: the TUI needs one; use --headless for text output",
        ));
    }
    let mut app = App::new(
        session.title.clone(),
        session.description.clone(),
        opts.theme(),
    );
    app.big = opts.big;
    app.warnings = opts.warnings;
    app.replay = session.replay;
    app.list_home = session.list;
    app.on_list = session.list;
    if let Some(history) = session.history.clone() {
        app.set_history(history);
    }
    // The description card, if the header cannot hold the description.
    app.card = Card::AtStart;
    // Installs a panic hook that restores the terminal before the panic message.
    let mut terminal = match ratatui::try_init() {
        Ok(t) => t,
        Err(e) => {
            // Raw mode may be on even though the alternate screen failed.
            ratatui::restore();
            return Err(e);
        }
    };
    let result = event_loop(&mut terminal, &mut app, session, opts.fps);
    ratatui::restore();
    result
}

fn event_loop(
    terminal: &mut DefaultTerminal,
    app: &mut App,
    mut session: Session,
    fps: u32,
) -> io::Result<()> {
    let frame =
        Duration::from_secs_f64(1.0 / f64::from(fps.clamp(*super::FPS.start(), *super::FPS.end())));
    let mut next = Instant::now();
    loop {
        if QUIT.load(Ordering::Relaxed) || app.quit {
            return Ok(());
        }
        let snapshot = (session.snapshot)();
        app.update(snapshot, session.control.knobs(), session.control.mode());
        app.refresh_history();
        app.hear(session.control.narrations(app.heard));
        let size = terminal.size()?;
        app.settle(
            Rect::new(0, 0, size.width, size.height),
            session.control.as_ref(),
        );
        let started = Instant::now();
        terminal.draw(|f| panels::render_screen(app, f.area(), f.buffer_mut()))?;
        app.frame_time = started.elapsed();

        // Wait for the next frame, handling keys as they come.
        next += frame;
        let now = Instant::now();
        if next < now {
            next = now; // fell behind: do not try to catch up
        }
        loop {
            let timeout = next.saturating_duration_since(Instant::now());
            if timeout.is_zero() || !event::poll(timeout)? {
                break;
            }
            match event::read()? {
                Event::Key(key) if key.kind != KeyEventKind::Release => {
                    app.on_key(key, session.control.as_ref());
                    if app.quit {
                        return Ok(());
                    }
                }
                Event::Resize(..) => break, // redraw at the new size now
                _ => {}
            }
            if QUIT.load(Ordering::Relaxed) {
                return Ok(());
            }
        }
    }
}
