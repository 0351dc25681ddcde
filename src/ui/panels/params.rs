//! The parameters panel: the knobs a user can turn, each with its key.

use ratatui::buffer::Buffer;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Paragraph, Widget};

use crate::scenario::control::{Command, Rate};
use crate::ui::app::App;
use crate::ui::keys::{binding_for, Action};
use crate::ui::theme::Theme;

fn keys_of(cmds: &[Command]) -> String {
    cmds.iter()
        .filter_map(|c| binding_for(Action::Run(*c)))
        .map(|b| b.short)
        .collect::<Vec<_>>()
        .join("/")
}

/// "100/s", "max".
pub fn fmt_knob_rate(rate: Rate) -> String {
    match rate {
        Rate::Max => "max".to_string(),
        Rate::PerSec(r) if r >= 10.0 => format!("{r:.0}/s"),
        Rate::PerSec(r) => format!("{r:.1}/s"),
    }
}

/// "1x", "1/4x", "0.3x".
pub fn fmt_speed(speed: f64) -> String {
    if (speed - 1.0).abs() < 1e-9 {
        return "1x".to_string();
    }
    if speed > 0.0 && speed < 1.0 {
        let inv = 1.0 / speed;
        if (inv - inv.round()).abs() < 1e-6 {
            return format!("1/{}x", inv.round() as u64);
        }
    }
    format!("{speed:.2}x")
}

/// "5ms", "250us", "1.5s".
pub fn fmt_duration(d: std::time::Duration) -> String {
    let us = d.as_micros();
    if us == 0 {
        "0".to_string()
    } else if us < 1000 {
        format!("{us}us")
    } else if us < 1_000_000 {
        let ms = us as f64 / 1000.0;
        if ms.fract() == 0.0 {
            format!("{ms:.0}ms")
        } else {
            format!("{ms:.1}ms")
        }
    } else {
        format!("{:.2}s", d.as_secs_f64())
    }
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
        row(
            "rate (each)",
            fmt_knob_rate(k.rate),
            keys_of(&[Command::FasterRate, Command::SlowerRate]),
            theme,
            w,
        ),
        row(
            "work/msg",
            fmt_duration(k.consumer_delay),
            keys_of(&[Command::LessWork, Command::MoreWork]),
            theme,
            w,
        ),
        row(
            "capacity",
            if k.next_capacity != k.capacity && k.next_capacity != 0 {
                format!("{} -> {} on r", k.capacity, k.next_capacity)
            } else {
                k.capacity.to_string()
            },
            keys_of(&[Command::LargerCapacity, Command::SmallerCapacity]),
            theme,
            w,
        ),
        row(
            "speed",
            fmt_speed(k.speed),
            keys_of(&[Command::CycleSpeed]),
            theme,
            w,
        ),
    ];
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
