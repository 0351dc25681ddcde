//! Colours and glyphs: the one place that knows about `NO_COLOR` and `--ascii`.
//! Panels ask the theme for a style or a glyph; they never pick a colour or a
//! box-drawing character themselves.

use ratatui::style::{Color, Modifier, Style};
use ratatui::symbols::border;
use ratatui::text::Line;
use ratatui::widgets::{Block, BorderType, Borders};

/// ASCII-only borders for `--ascii` (projectors, dumb terminals, logs).
pub const ASCII_BORDER: border::Set<'static> = border::Set {
    top_left: "+",
    top_right: "+",
    bottom_left: "+",
    bottom_right: "+",
    vertical_left: "|",
    vertical_right: "|",
    horizontal_top: "-",
    horizontal_bottom: "-",
};

/// Eight levels, empty to full, for sparklines and bucket fill.
const LEVELS_UNICODE: [&str; 9] = [" ", "▁", "▂", "▃", "▄", "▅", "▆", "▇", "█"];
const LEVELS_ASCII: [&str; 9] = [" ", ".", ".", ":", ":", "=", "=", "#", "#"];

/// How the screen is painted: with or without colour, with or without
/// non-ASCII glyphs.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Theme {
    /// Colours allowed (false under `NO_COLOR` / `--no-color`).
    pub color: bool,
    /// Only ASCII glyphs (`--ascii`).
    pub ascii: bool,
}

impl Default for Theme {
    fn default() -> Self {
        Theme {
            color: true,
            ascii: false,
        }
    }
}

impl Theme {
    /// A theme with the given switches.
    pub fn new(color: bool, ascii: bool) -> Self {
        Theme { color, ascii }
    }

    /// True when the `NO_COLOR` environment variable is set and non-empty
    /// (<https://no-color.org>).
    pub fn no_color_env() -> bool {
        std::env::var_os("NO_COLOR").is_some_and(|v| !v.is_empty())
    }

    fn fg(&self, color: Color) -> Style {
        if self.color {
            Style::new().fg(color)
        } else {
            Style::new()
        }
    }

    /// Ordinary text.
    pub fn text(&self) -> Style {
        Style::new()
    }
    /// Secondary text: labels, units, explanations.
    pub fn dim(&self) -> Style {
        if self.color {
            Style::new().fg(Color::DarkGray)
        } else {
            Style::new()
        }
    }
    /// Panel titles and key names.
    pub fn title(&self) -> Style {
        self.fg(Color::Cyan).add_modifier(Modifier::BOLD)
    }
    /// A key name in the footer, the help and the parameters panel.
    pub fn key(&self) -> Style {
        self.fg(Color::Yellow).add_modifier(Modifier::BOLD)
    }
    /// Things about senders (producers, head, sent).
    pub fn sender(&self) -> Style {
        self.fg(Color::Green)
    }
    /// Things about receivers (consumers, tail, received).
    pub fn receiver(&self) -> Style {
        self.fg(Color::Magenta)
    }
    /// Something that needs attention (waiting, closing, dropped events).
    pub fn warn(&self) -> Style {
        self.fg(Color::Yellow)
    }
    /// Something over (closed, dropped).
    pub fn bad(&self) -> Style {
        self.fg(Color::Red)
    }
    /// An occupied slot.
    pub fn occupied(&self) -> Style {
        self.fg(Color::LightBlue)
    }
    /// A slot's message, named in its cell (text on the slot's colour).
    pub fn message(&self) -> Style {
        if self.color {
            Style::new().fg(Color::Black).bg(Color::LightBlue)
        } else {
            Style::new().add_modifier(Modifier::REVERSED)
        }
    }
    /// The oldest message in the ring: it stands out.
    pub fn oldest(&self) -> Style {
        if self.color {
            Style::new()
                .fg(Color::Black)
                .bg(Color::Yellow)
                .add_modifier(Modifier::BOLD)
        } else {
            Style::new().add_modifier(Modifier::REVERSED | Modifier::BOLD | Modifier::UNDERLINED)
        }
    }
    /// An empty slot.
    pub fn empty(&self) -> Style {
        self.dim()
    }
    /// Emphasis that survives `NO_COLOR`.
    pub fn strong(&self) -> Style {
        Style::new().add_modifier(Modifier::BOLD)
    }
    /// A badge (RUNNING, PAUSED, ...) in the given colour; reversed video
    /// without colour so it still stands out.
    pub fn badge(&self, color: Color) -> Style {
        if self.color {
            Style::new()
                .fg(Color::Black)
                .bg(color)
                .add_modifier(Modifier::BOLD)
        } else {
            Style::new().add_modifier(Modifier::BOLD | Modifier::REVERSED)
        }
    }

    /// A bordered panel with a title, drawn with the theme's glyphs.
    pub fn block<'a>(&self, title: &'a str) -> Block<'a> {
        let block = Block::new()
            .borders(Borders::ALL)
            .title(format!(" {title} "))
            .title_style(self.title())
            .border_style(self.dim());
        if self.ascii {
            block.border_set(ASCII_BORDER)
        } else {
            block.border_type(BorderType::Rounded)
        }
    }

    /// `ascii` under `--ascii`, else `unicode`.
    fn glyph(&self, ascii: &'static str, unicode: &'static str) -> &'static str {
        if self.ascii {
            ascii
        } else {
            unicode
        }
    }

    /// Glyph for `level` in 0..=8 (0 empty, 8 full).
    pub fn level(&self, level: usize) -> &'static str {
        let level = level.min(8);
        self.glyph(LEVELS_ASCII[level], LEVELS_UNICODE[level])
    }
    /// A full cell: an occupied slot.
    pub fn full(&self) -> &'static str {
        self.glyph("#", "█")
    }
    /// An empty slot.
    pub fn hollow(&self) -> &'static str {
        self.glyph(".", "·")
    }
    /// An arrow pointing right (timelines).
    pub fn arrow(&self) -> &'static str {
        self.glyph("->", "→")
    }
    /// A separator dot.
    pub fn sep(&self) -> &'static str {
        self.glyph("|", "·")
    }
    /// The mark at the end of a line shortened to fit (at a word boundary).
    pub fn ellipsis(&self) -> &'static str {
        self.glyph("...", "…")
    }
    /// `line`, shortened at a word boundary to `max` columns if it is wider,
    /// ending in [`Theme::ellipsis`] (see [`crate::ui::text::fit`]).
    pub fn fit(&self, line: Line<'static>, max: usize) -> Line<'static> {
        crate::ui::text::fit(line, max, self.ellipsis(), self.dim())
    }
    /// Up/down arrows, as named in the help.
    pub fn up_down(&self) -> &'static str {
        self.glyph("Up/Dn", "↑/↓")
    }
}
