//! The SVG screenshots come from the same buffer the terminal shows.
#![cfg(feature = "tui")]

mod ui_support;

use chanviz::ui::{buffer_to_svg, render_to_buffer};
use ratatui::buffer::Buffer;
use ratatui::layout::Rect;
use ratatui::style::{Color, Modifier, Style};

#[test]
fn svg_has_the_screen_text_colours_and_bold() {
    let mut buf = Buffer::empty(Rect::new(0, 0, 20, 2));
    buf.set_string(0, 0, "a<b & c", Style::new().fg(Color::Red));
    buf.set_string(
        0,
        1,
        "BOLD",
        Style::new()
            .bg(Color::Rgb(1, 2, 3))
            .add_modifier(Modifier::BOLD),
    );
    let svg = buffer_to_svg(&buf);
    assert!(svg.starts_with("<svg"), "{svg}");
    assert!(svg.trim_end().ends_with("</svg>"), "{svg}");
    assert!(svg.contains("a&lt;b &amp; c"), "{svg}");
    assert!(svg.contains(r##"fill="#cd3131""##), "red text: {svg}");
    assert!(svg.contains(r##"fill="#010203""##), "rgb background: {svg}");
    assert!(svg.contains(r#"font-weight="bold""#), "{svg}");
    assert!(svg.contains(r#"width="180""#), "20 cells wide: {svg}");
}

#[test]
fn whole_screen_svg_contains_every_panel_title() {
    let buf = render_to_buffer(&ui_support::app(), 120, 40);
    let svg = buffer_to_svg(&buf);
    ui_support::assert_every_panel(&svg);
    assert_eq!(svg.matches("<svg").count(), 1);
}
