//! The timeline: one row for the whole history while paused. Where the
//! picture is (the cursor), the marks `{`/`}` jump to, the type-state
//! transitions, and the gaps where events were lost.
//!
//! ```text
//! ◀ 1 ─────·──·──│────·─────×────█──────·───── 5,310 ▶  park  ←/→ {/} m Home/End
//! ```

use ratatui::buffer::Buffer;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Paragraph, Widget};

use crate::format;
use crate::ui::app::App;

/// The cells of a bar `width` wide for the history `[first, end)`:
/// `'─'` plain, `'·'` a mark, `'│'` a transition, `'×'` a gap, `'█'` the
/// cursor (`shown`), later ones winning a shared cell.
pub fn cells(
    width: usize,
    (first, end): (u64, u64),
    shown: Option<u64>,
    marks: &[u64],
    transitions: &[u64],
    gaps: &[(u64, u64)],
) -> Vec<char> {
    let mut bar = vec!['─'; width];
    if width == 0 || end <= first {
        return bar;
    }
    let span = end - first;
    let cell = |seq: u64| {
        let i = (seq.saturating_sub(first) as u128 * width as u128 / span as u128) as usize;
        i.min(width - 1)
    };
    for &m in marks {
        bar[cell(m)] = '·';
    }
    for &t in transitions {
        bar[cell(t)] = '│';
    }
    for &(g, _) in gaps {
        bar[cell(g)] = '×';
    }
    if let Some(s) = shown {
        bar[cell(s)] = '█';
    }
    bar
}

/// Draw the timeline into `area` (one row).
pub fn render(app: &App, area: Rect, buf: &mut Buffer) {
    let Some(c) = app.paused_history() else {
        return;
    };
    let theme = &app.theme;
    let (first, end) = c.span;
    let left = format!(" {} ", format::count(first + 1));
    let right = format!(" {} ", format::count(end));
    let mark = format!("  {{/}} {}  ", c.mark.label());
    let lost: u64 = c.gaps.iter().map(|g| g.1).sum();
    let gaps = if lost > 0 {
        format!("× {} lost  ", format::count(lost))
    } else {
        String::new()
    };
    let fixed = left.len() + right.len() + mark.len() + gaps.chars().count();
    let width = (area.width as usize).saturating_sub(fixed).max(1);
    let bar: String = cells(width, c.span, c.shown(), &c.marks, &c.transitions, &c.gaps)
        .into_iter()
        .collect();
    let line = Line::from(vec![
        Span::styled(left, theme.dim()),
        Span::styled(
            bar,
            if app.rewound() {
                theme.warn()
            } else {
                theme.text()
            },
        ),
        Span::styled(right, theme.dim()),
        Span::styled(mark, theme.key()),
        Span::styled(gaps, theme.warn()),
    ]);
    Paragraph::new(theme.fit(line, area.width as usize)).render(area, buf);
}
