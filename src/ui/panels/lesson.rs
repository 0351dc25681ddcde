//! The script's words over the view (see `ui::lesson`): a `say`, a question
//! with the handles to choose from, the answer given, and the verdict. A box
//! in the middle while it wants a key; once a question is answered, a small
//! box at the bottom, so the class can watch the ring while it steps.

use ratatui::buffer::Buffer;
use ratatui::layout::Rect;
use ratatui::text::Line;

use crate::format;
use crate::ui::app::App;
use crate::ui::lesson::Told;
use crate::ui::text;

/// Widest the text gets.
const TEXT_WIDTH: u16 = 72;

/// The lines of the box for `told`, `width` columns wide.
pub fn lines(app: &App, told: &Told, width: usize) -> Vec<Line<'static>> {
    let theme = &app.theme;
    let mut out = Vec::new();
    // A paragraph, wrapped; an empty one is a blank line.
    let mut para = |text: &str, style| {
        if text.is_empty() {
            out.push(Line::raw(""));
        }
        for l in text::wrap(text, width) {
            out.push(Line::styled(l, style));
        }
    };
    let n = &told.narration;
    if told.waiting() {
        // Answered: only what was asked and said, small.
        if let (Some(q), Some(i)) = (&n.ask, told.chosen) {
            para(&q.text, theme.text());
            para(
                &format!(
                    "You said {}. Step with n or resume with space, and see.  Esc: skip",
                    told.choices[i]
                ),
                theme.key(),
            );
        }
        return out;
    }
    if let Some(say) = &n.say {
        para(say, theme.text());
    }
    if let Some(q) = &n.ask {
        if n.say.is_some() {
            para("", theme.text());
        }
        para(&q.text, theme.strong());
        match &told.verdict {
            Some(v) => {
                para("", theme.text());
                let style = if v.right { theme.key() } else { theme.warn() };
                para(&v.text, style);
                para("any key: go on", theme.key());
            }
            None => {
                let options: Vec<String> = told
                    .choices
                    .iter()
                    .enumerate()
                    .map(|(i, c)| format!("[{}] {c}", i + 1))
                    .collect();
                para(&options.join("   "), theme.strong());
                para("a number answers  ·  Esc skips the question", theme.key());
            }
        }
    } else {
        para("any key: go on", theme.key());
    }
    out
}

/// Draw the front of `app.told`, if any, over `room` (the rows between the
/// header and the footer).
pub fn render(app: &App, room: Rect, buf: &mut Buffer) {
    let Some(told) = app.told.front() else {
        return;
    };
    let w = room.width.saturating_sub(4).min(TEXT_WIDTH + 4);
    if w < 10 || room.height < 4 {
        return;
    }
    let body = lines(app, told, (w - 4) as usize);
    let h = (body.len() as u16 + 2).min(room.height);
    let x = room.x + (room.width - w) / 2;
    let y = if told.waiting() {
        room.bottom() - h
    } else {
        room.y + (room.height - h) / 2
    };
    let rect = Rect::new(x, y, w, h);
    let title = match (&told.narration.ask, told.narration.at) {
        (Some(_), at) => format!("Question at {}", format::elapsed(at)),
        // A replay's or an attached program's own words (not a script's).
        (None, _) if app.replay => "Note".to_string(),
        (None, at) => format!("Lesson at {}", format::elapsed(at)),
    };
    super::card::boxed(app, &title, body, rect, buf);
}
