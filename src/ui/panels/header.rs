//! The header: what is running and what the tool itself is doing (mode,
//! elapsed time, events seen and dropped, frame time).

use ratatui::buffer::Buffer;
use ratatui::layout::Rect;
use ratatui::style::Color;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Paragraph, Widget};

use crate::format;
use crate::scenario::control::Mode;
use crate::ui::app::App;
use crate::ui::keys::{self, KeyAction};
use crate::ui::text;

/// Most rows the description may take on a screen this tall: one on a
/// compact screen, three when roomy, four from 40 rows.
fn most_rows(area: Rect) -> usize {
    if area.height < super::ROOMY_HEIGHT {
        1
    } else if area.height >= 40 {
        4
    } else {
        3
    }
}

/// Columns the description is wrapped to (one column of margin each side).
fn text_width(area: Rect) -> usize {
    area.width.saturating_sub(2).max(1) as usize
}

/// The description wrapped to `width` columns, if it needs at most
/// `most` rows. `None` when it needs more: then the header shows its
/// beginning and a pointer to the card (`d`).
fn wrapped(app: &App, width: usize, most: usize) -> Option<Vec<String>> {
    let lines = text::wrap(&app.description, width);
    (lines.len() <= most).then_some(lines)
}

/// Does the header show the whole description on a screen of `screen`?
/// When it does not, the description card is shown as the run starts.
pub fn holds_description(app: &App, screen: Rect) -> bool {
    !app.big && wrapped(app, text_width(screen), most_rows(screen)).is_some()
}

/// The end of a shortened description: where to read the rest.
fn more_hint(app: &App) -> String {
    let key = keys::first_key(KeyAction::Describe);
    format!("{} {key}: read it all", app.theme.ellipsis())
}

/// The description rows as drawn in a header `width` columns wide with
/// `most` rows for it: wrapped when it fits; otherwise the rows there are,
/// the last one shortened at a word boundary and ending in
/// "… d: read it all".
pub fn description_lines(app: &App, width: u16, most: usize) -> Vec<Line<'static>> {
    let theme = &app.theme;
    let width = (width as usize).saturating_sub(2).max(1);
    if let Some(lines) = wrapped(app, width, most) {
        return lines
            .into_iter()
            .map(|l| Line::styled(l, theme.dim()))
            .collect();
    }
    if most == 0 {
        return Vec::new();
    }
    let all = text::wrap(&app.description, width);
    let mut lines: Vec<Line<'static>> = all[..most - 1]
        .iter()
        .map(|l| Line::styled(l.clone(), theme.dim()))
        .collect();
    let rest = all[most - 1..].join(" ");
    lines.push(text::fit(
        Line::styled(rest, theme.dim()),
        width,
        &more_hint(app),
        theme.key(),
    ));
    lines
}

/// Rows the header takes: the title line, then the scenario's description
/// (see [`description_lines`]); the big layout keeps the title line only.
pub fn height(app: &App, area: Rect) -> u16 {
    if app.big {
        return 1;
    }
    let most = most_rows(area);
    let rows = wrapped(app, text_width(area), most).map_or(most, |l| l.len());
    1 + rows as u16
}

/// While stepping: what the last step did, in the log's words (a step is
/// one operation, so its events are the newest; a pop and the wake it
/// caused read "R1 popped slot 5 (len 3/8) → woke S2").
fn last_step(app: &App) -> Option<String> {
    if app.mode != Mode::Step {
        return None;
    }
    super::log::did(&app.snapshot.events, &app.snapshot, app.theme.ascii)
}

/// Draw the header: the title line, then the description in the rows
/// left (the layout sized the area with [`height`]).
pub fn render(app: &App, area: Rect, buf: &mut Buffer) {
    let theme = &app.theme;
    let color = match app.mode {
        Mode::Running => Color::Green,
        Mode::Paused => Color::Yellow,
        Mode::Step => Color::Cyan,
        Mode::Finished => Color::Magenta,
    };
    let snap = &app.snapshot;
    // Scenario time of this run: it stands still while paused.
    let now = snap
        .current()
        .map_or(snap.at_us, |c| snap.since_created(c.chan, snap.at_us));
    // Right-hand groups, most important first: those that do not fit go.
    let mut groups = vec![
        vec![
            Span::styled("elapsed ", theme.dim()),
            Span::styled(format::elapsed_us(now), theme.strong()),
        ],
        vec![
            Span::styled("  events ", theme.dim()),
            Span::raw(format::count(snap.events_seen)),
        ],
        vec![
            Span::styled("  dropped ", theme.dim()),
            Span::styled(
                format::count(snap.events_dropped),
                if snap.events_dropped > 0 {
                    theme.warn()
                } else {
                    theme.text()
                },
            ),
        ],
    ];
    if let Some(shown) = app.paused_history().and_then(|c| c.shown()) {
        // Paused: which event of the history the picture is at.
        let style = if app.rewound() {
            theme.warn()
        } else {
            theme.strong()
        };
        groups.insert(
            1,
            vec![
                Span::styled("  event ", theme.dim()),
                Span::styled(format::count(shown + 1), style),
                Span::styled(" of ", theme.dim()),
                Span::raw(format::count(app.cursor.bounds.1)),
            ],
        );
    }
    if area.width >= 110 {
        groups.push(vec![
            Span::styled("  frame ", theme.dim()),
            Span::raw(format::millis(app.frame_time.as_secs_f64() * 1e3)),
        ]);
    }
    let left = vec![
        Span::styled(" chanviz ", theme.title()),
        Span::styled(app.title.clone(), theme.strong()),
        Span::raw("  "),
        Span::styled(format!(" {} ", app.mode.label()), theme.badge(color)),
        Span::raw("  "),
    ];
    let width = area.width as usize;
    let mut left = left;
    if let Some(step) = last_step(app) {
        // Stepping: what the last step did, beside the mode; only the
        // scenario time (and the event number) stay on the right.
        groups.truncate(1 + usize::from(app.paused_history().is_some()));
        let right: usize = groups.iter().flatten().map(Span::width).sum();
        let used: usize = left.iter().map(Span::width).sum();
        let room = width.saturating_sub(used + right + 3);
        let did = Line::from(vec![
            Span::styled("did: ", theme.dim()),
            Span::styled(step, theme.strong()),
        ]);
        left.extend(theme.fit(did, room).spans);
        left.push(Span::raw("  "));
    }
    let left_w: usize = left.iter().map(Span::width).sum();
    let group_w = |g: &Vec<Span>| g.iter().map(Span::width).sum::<usize>();
    while groups.len() > 1 && left_w + groups.iter().map(group_w).sum::<usize>() + 1 > width {
        groups.pop();
    }
    let right_w: usize = groups.iter().map(group_w).sum();
    let mut spans = left;
    let gap = width.saturating_sub(left_w + right_w + 1);
    spans.push(Span::raw(" ".repeat(gap)));
    spans.extend(groups.into_iter().flatten());
    let title = theme.fit(Line::from(spans), width);
    Paragraph::new(title).render(Rect { height: 1, ..area }, buf);
    if area.height > 1 {
        let rest = Rect {
            x: area.x + 1,
            y: area.y + 1,
            width: area.width.saturating_sub(2),
            height: area.height - 1,
        };
        let lines = description_lines(app, area.width, rest.height as usize);
        Paragraph::new(lines).render(rest, buf);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ui::Theme;

    #[test]
    fn a_long_description_wraps_on_a_roomy_screen_only() {
        let long = "word ".repeat(60); // 300 characters
        let app = App::new("t", long.trim(), Theme::default());
        assert_eq!(
            height(&app, Rect::new(0, 0, 120, 24)),
            2,
            "compact: one cut line"
        );
        assert_eq!(
            height(&app, Rect::new(0, 0, 120, 32)),
            4,
            "roomy: three lines"
        );
        assert_eq!(
            height(&app, Rect::new(0, 0, 120, 40)),
            4,
            "300 chars fit in three"
        );
        let short = App::new("t", "one line", Theme::default());
        assert_eq!(height(&short, Rect::new(0, 0, 120, 40)), 2);
        let longer = App::new("t", "word ".repeat(100).trim(), Theme::default());
        assert_eq!(
            height(&longer, Rect::new(0, 0, 120, 40)),
            5,
            "at most four lines"
        );

        let mut buf = Buffer::empty(Rect::new(0, 0, 120, 4));
        render(&app, Rect::new(0, 0, 120, 4), &mut buf);
        let row3: String = (0..120).map(|x| buf[(x, 3)].symbol()).collect();
        assert!(
            row3.contains("word"),
            "the third description line is drawn: {row3:?}"
        );
    }
}
