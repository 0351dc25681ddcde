//! The parameters panel: the knobs a user can turn, each with its key.

use ratatui::buffer::Buffer;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Paragraph, Widget};

use crate::format;
use crate::scenario::control::{Command, Knob, Knobs, Rate, Turn};
use crate::scenario::knobs::{real_rate, real_work};
use crate::ui::app::App;
use crate::ui::keys::{KeyAction, BINDINGS};
use crate::ui::theme::Theme;

/// The first keys of the bindings that send one of `cmds`, in table order.
fn keys_of(cmds: &[Command]) -> String {
    BINDINGS
        .iter()
        .filter(|b| matches!(b.action, KeyAction::Run(c) if cmds.contains(&c)))
        .map(|b| b.short())
        .collect::<Vec<_>>()
        .join("/")
}

fn row(name: &str, value: String, keys: String, theme: &Theme, w: usize) -> Line<'static> {
    // name left, value right-aligned in the middle, keys at the end.
    let keys_w = 4;
    let value_w = w
        .saturating_sub(name.len() + keys_w + 1)
        .max(value.len() + 1);
    Line::from(vec![
        Span::raw(name.to_string()),
        Span::styled(format!("{value:>value_w$} "), theme.strong()),
        Span::styled(format!("{keys:<keys_w$}"), theme.key()),
    ])
}

/// Room for a value in a row `w` wide named `name` (see [`row`]).
fn room(name: &str, w: usize) -> usize {
    w.saturating_sub(name.len() + 4 + 2)
}

/// A knob's name and value; in slow motion, the rate and the work also
/// say what they really are (`20/s ×1/10 = 2/s`, `5ms ×4 = 20ms`). In a
/// narrow row the rate drops `(each)` from its name first, then the factor
/// (`20/s = 2/s`), then the setting (the real value alone).
fn shown(knob: Knob, k: &Knobs, theme: &Theme, w: usize) -> (&'static str, String) {
    let set = knob.show(k);
    let times = if theme.ascii { "x" } else { "×" };
    let (real, by) = match knob {
        Knob::Rate => match (k.rate, real_rate(k.rate, k.speed)) {
            (Rate::PerSec(_), real) if k.speed != 1.0 => {
                (format::knob_rate(real), format::factor(k.speed))
            }
            _ => return (knob.name(), set),
        },
        Knob::Work if k.speed != 1.0 && !k.work.is_zero() => (
            format::duration(real_work(k.work, k.speed)),
            format::factor(1.0 / k.speed),
        ),
        // "8 -> 16 on r", or "8 -> 16" in a narrow row.
        Knob::Capacity if set.chars().count() > room(knob.name(), w) => {
            return (
                knob.name(),
                format!("{} -> {}", k.capacity, k.next_capacity),
            );
        }
        _ => return (knob.name(), set),
    };
    let full = format!("{set} {times}{by} = {real}");
    let short_name = if knob == Knob::Rate {
        "rate"
    } else {
        knob.name()
    };
    [
        (knob.name(), full.clone()),
        (short_name, full),
        (short_name, format!("{set} = {real}")),
    ]
    .into_iter()
    .find(|(n, v)| v.chars().count() <= room(n, w))
    .unwrap_or((short_name, real))
}

/// Draw the parameters panel.
pub fn render(app: &App, area: Rect, buf: &mut Buffer) {
    // The knobs are the runner's, not the events': at the history cursor
    // they are still today's, and the title says so.
    let title = if app.rewound() {
        "Parameters (now, not at the cursor)"
    } else {
        "Parameters"
    };
    let block = app.theme.block(title);
    let inner = block.inner(area);
    block.render(area, buf);
    Paragraph::new(lines(app, inner)).render(inner, buf);
}

/// The panel's lines inside `inner`, each at most as wide: a knob whose
/// full wording does not fit says less (see `shown`); a row still too
/// wide is shortened at a word boundary, never cut.
pub fn lines(app: &App, inner: Rect) -> Vec<Line<'static>> {
    let theme = &app.theme;
    let k = &app.knobs;
    let w = inner.width as usize;
    let mut lines = vec![
        row(
            "producers",
            k.producers.to_string(),
            keys_of(&[Command::AddProducer, Command::RemoveProducer]),
            theme,
            w,
        ),
        row(
            "consumers",
            k.consumers.to_string(),
            keys_of(&[Command::AddConsumer, Command::RemoveConsumer]),
            theme,
            w,
        ),
    ];
    lines.extend(Knob::ALL.iter().map(|&knob| {
        let keys = keys_of(&[
            Command::Turn(knob, Turn::Up),
            Command::Turn(knob, Turn::Down),
        ]);
        let (name, value) = shown(knob, k, theme, w);
        row(name, value, keys, theme, w)
    }));
    if inner.height as usize > lines.len() {
        lines.push(row(
            "close channel",
            String::new(),
            keys_of(&[Command::Close]),
            theme,
            w,
        ));
    }
    if inner.height as usize > lines.len() {
        let note = [
            "capacity changes on restart (r)",
            "new capacity on restart (r)",
        ]
        .into_iter()
        .find(|n| n.len() <= w)
        .unwrap_or("new capacity on r");
        lines.push(Line::styled(note, theme.dim()));
    }
    lines.into_iter().map(|l| theme.fit(l, w)).collect()
}
