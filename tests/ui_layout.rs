//! The whole screen at the sizes people use, and when it is too small.
#![cfg(feature = "tui")]

mod ui_support;

use chanviz::scenario::control::Mode;
use chanviz::ui::{render_to_buffer, Theme};
use ratatui::backend::TestBackend;
use ratatui::Terminal;
use ui_support::{app, app_with, text};

#[test]
fn full_layout_at_120x40() {
    let out = text(&render_to_buffer(&app(), 120, 40));
    ui_support::assert_every_panel(&out);
    insta::assert_snapshot!("layout_120x40", out);
}

#[test]
fn compact_layout_at_80x24() {
    let out = text(&render_to_buffer(&app(), 80, 24));
    ui_support::assert_every_panel(&out);
    insta::assert_snapshot!("layout_80x24", out);
}

#[test]
fn ascii_layout_uses_only_ascii() {
    let app = app_with(Theme::new(false, true), Mode::Paused);
    let out = text(&render_to_buffer(&app, 120, 40));
    assert!(out.is_ascii(), "{out}");
    insta::assert_snapshot!("layout_120x40_ascii", out);
}

#[test]
fn help_fits_the_compact_layout() {
    let mut app = app();
    app.help = true;
    let out = text(&render_to_buffer(&app, 80, 24));
    assert!(out.contains("Type state:"), "{out}");
    assert!(out.contains("Tab"), "{out}");
    insta::assert_snapshot!("layout_80x24_help", out);
}

#[test]
fn too_small_terminal_gets_a_clear_message() {
    let out = text(&render_to_buffer(&app(), 60, 20));
    assert!(
        out.contains("terminal too small: need at least 80x24, have 60x20"),
        "{out}"
    );
    insta::assert_snapshot!("layout_too_small", out);
}

#[test]
fn test_backend_draw_matches_render_to_buffer() {
    let app = app();
    let mut terminal = Terminal::new(TestBackend::new(80, 24)).unwrap();
    terminal
        .draw(|f| chanviz::ui::panels::render_screen(&app, f.area(), f.buffer_mut()))
        .unwrap();
    assert_eq!(
        text(terminal.backend().buffer()),
        text(&render_to_buffer(&app, 80, 24))
    );
}

#[test]
fn no_color_theme_paints_no_colour() {
    use ratatui::style::Color;
    let app = app_with(Theme::new(false, false), Mode::Running);
    let buf = render_to_buffer(&app, 120, 40);
    assert!(buf
        .content()
        .iter()
        .all(|c| c.fg == Color::Reset && c.bg == Color::Reset));
}

#[test]
fn any_size_and_any_snapshot_draws_without_panicking() {
    use chanviz::probe::snapshot::Snapshot;
    let mut empty = app();
    empty.update(Snapshot::default(), ui_support::knobs(), Mode::Running);
    let mut busy = app();
    busy.update(
        ui_support::busy_snapshot(),
        ui_support::knobs(),
        Mode::Finished,
    );
    let mut zero_cap = app();
    zero_cap.snapshot.channels[0].capacity = 0;
    zero_cap.snapshot.channels[0].slots.clear();
    let mut helpful = app();
    helpful.help = true;
    for app in [&empty, &busy, &zero_cap, &helpful] {
        for (w, h) in [
            (0, 0),
            (1, 1),
            (79, 24),
            (80, 23),
            (80, 24),
            (97, 31),
            (120, 40),
            (200, 60),
            (300, 90),
        ] {
            let out = text(&render_to_buffer(app, w, h));
            assert_eq!(out.lines().count(), h as usize);
        }
    }
    let out = text(&render_to_buffer(&empty, 80, 24));
    assert!(out.contains("waiting for the channel"), "{out}");
}
