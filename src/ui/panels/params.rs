//! The parameters panel: the knobs a user can turn, each with its key.

use ratatui::buffer::Buffer;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Paragraph, Widget};

use crate::scenario::control::{Command, Knob, Turn};
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

/// Draw the parameters panel.
pub fn render(app: &App, area: Rect, buf: &mut Buffer) {
    let theme = &app.theme;
    let block = theme.block("Parameters");
    let inner = block.inner(area);
    block.render(area, buf);
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
        row(knob.name(), knob.show(k), keys, theme, w)
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
        lines.push(Line::styled("capacity changes on restart (r)", theme.dim()));
    }
    Paragraph::new(lines).render(inner, buf);
}
