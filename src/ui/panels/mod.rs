//! The screen, one file per panel. Every panel is a pure function
//! `render(&App, Rect, &mut Buffer)`: it reads the app state and the
//! snapshot in it, and writes cells. No panel reads the clock, the terminal
//! or the runner.

pub mod card;
pub mod channels;
pub mod footer;
pub mod handles;
pub mod header;
pub mod help;
pub mod latency;
pub mod lesson;
pub mod log;
pub mod params;
pub mod ring;
pub mod throughput;
pub mod timeline;
pub mod waiters;
pub mod warnings;

use ratatui::buffer::Buffer;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::text::Line;
use ratatui::widgets::{Paragraph, Widget, Wrap};

use crate::probe::snapshot::ChannelSnapshot;
use crate::ui::app::App;

/// Smallest terminal the layout fits in.
pub const MIN_WIDTH: u16 = 80;
/// Smallest terminal the layout fits in.
pub const MIN_HEIGHT: u16 = 24;
/// From this height on, panels get more room (taller ring, bigger chart).
pub const ROOMY_HEIGHT: u16 = 32;
/// From this height on, the footer takes a second row when the keys do
/// not fit in one.
pub const TWO_ROW_FOOTER_HEIGHT: u16 = 30;
/// From this width on, the latency panel has a place of its own beside the
/// throughput chart; narrower, `l` shows it in the chart's place.
pub const LATENCY_WIDTH: u16 = 120;

/// Where each panel goes on a screen of a given size. The big layout
/// leaves the handles, the parameters and the throughput out: their areas
/// are empty.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Areas {
    /// Title, mode, clock.
    pub header: Rect,
    /// The ring of slots.
    pub ring: Rect,
    /// Parked senders and receivers.
    pub waiters: Rect,
    /// Handles and their type states, channel lifecycle.
    pub handles: Rect,
    /// Knobs and their keys.
    pub params: Rect,
    /// Sent / received per second.
    pub throughput: Rect,
    /// Time in queue and time parked.
    pub latency: Rect,
    /// What is wrong, in words (no rows when nothing is).
    pub warnings: Rect,
    /// Newest events in words.
    pub log: Rect,
    /// Keys that work now.
    pub footer: Rect,
    /// The history's timeline, while paused (one row; empty otherwise).
    pub timeline: Rect,
}

/// Rows the timeline takes: one while paused with a history, else none.
fn timeline_height(app: &App) -> u16 {
    u16::from(app.paused_history().is_some())
}

/// Rows the footer takes: two when the keys do not fit in one row and the
/// screen is tall enough to spare one, else one.
pub fn footer_height(app: &App, area: Rect) -> u16 {
    if area.height >= TWO_ROW_FOOTER_HEIGHT && footer::rows_needed(app, area.width) > 1 {
        2
    } else {
        1
    }
}

/// Split `area` into panels: [`big_layout`] when the app asks for it, else
/// the full layout. The ring gets the rows it asks for (within a limit),
/// the middle band a fixed height, the chart and the log the rest.
pub fn layout(app: &App, area: Rect) -> Areas {
    if app.big {
        return big_layout(app, area);
    }
    let roomy = area.height >= ROOMY_HEIGHT;
    let [header, body, warnings, timeline, footer] = Layout::vertical([
        Constraint::Length(header::height(app, area)),
        Constraint::Fill(1),
        Constraint::Length(warnings::height(app, area)),
        Constraint::Length(timeline_height(app)),
        Constraint::Length(footer_height(app, area)),
    ])
    .areas(area);
    let ring_max = if roomy { body.height / 3 } else { 6 };
    let ring_h = ring::wanted_height(app, body.width).clamp(5, ring_max.max(5));
    let middle_h = if roomy { 10 } else { 8 };
    let [ring, middle, bottom] = Layout::vertical([
        Constraint::Length(ring_h),
        Constraint::Length(middle_h),
        Constraint::Fill(1),
    ])
    .areas(body);
    let [waiters, handles, params] = Layout::horizontal([
        Constraint::Percentage(30),
        Constraint::Percentage(38),
        Constraint::Fill(1),
    ])
    .areas(middle);
    let (throughput, latency, log) = if area.width >= LATENCY_WIDTH {
        let [throughput, latency, log] = Layout::horizontal([
            Constraint::Percentage(30),
            Constraint::Percentage(30),
            Constraint::Fill(1),
        ])
        .areas(bottom);
        (throughput, latency, log)
    } else {
        let [left, log] =
            Layout::horizontal([Constraint::Percentage(40), Constraint::Fill(1)]).areas(bottom);
        if app.latency {
            (Rect::default(), left, log)
        } else {
            (left, Rect::default(), log)
        }
    };
    Areas {
        header,
        ring,
        waiters,
        handles,
        params,
        throughput,
        latency,
        warnings,
        log,
        footer,
        timeline,
    }
}

/// The big layout, for a room: the title line, the ring drawn large across
/// the screen, and under it the waiter queues beside the log.
pub fn big_layout(app: &App, area: Rect) -> Areas {
    let [header, body, warnings, timeline, footer] = Layout::vertical([
        Constraint::Length(header::height(app, area)),
        Constraint::Fill(1),
        Constraint::Length(warnings::height(app, area)),
        Constraint::Length(timeline_height(app)),
        Constraint::Length(footer_height(app, area)),
    ])
    .areas(area);
    // The ring takes what it asks for, up to a little over half the body.
    let ring_h = ring::wanted_height(app, body.width).clamp(5, (body.height * 11 / 20).max(5));
    let [ring, bottom] =
        Layout::vertical([Constraint::Length(ring_h), Constraint::Fill(1)]).areas(body);
    let [waiters, log] =
        Layout::horizontal([Constraint::Percentage(36), Constraint::Fill(1)]).areas(bottom);
    let none = Rect::default();
    Areas {
        header,
        ring,
        waiters,
        handles: none,
        params: none,
        throughput: none,
        latency: none,
        warnings,
        log,
        footer,
        timeline,
    }
}

/// A panel's render function.
type Render = fn(&App, Rect, &mut Buffer);

/// Draw the whole screen: every panel, the help on top when asked, the
/// description card on top of all, or the "too small" message.
pub fn render_screen(app: &App, area: Rect, buf: &mut Buffer) {
    if area.width < MIN_WIDTH || area.height < MIN_HEIGHT {
        render_too_small(area, buf);
        return;
    }
    let a = layout(app, area);
    header::render(app, a.header, buf);
    if app.help {
        // Compact screens give the help the header's rows too.
        let top = if area.height >= ROOMY_HEIGHT {
            a.header.bottom()
        } else {
            area.y
        };
        let body = Rect {
            y: top,
            height: a.footer.y - top,
            ..area
        };
        help::render(app, body, buf);
    } else if app.list_screen() {
        // The channel list fills the screen (`chanviz attach`'s home).
        let body = Rect {
            y: a.header.bottom(),
            height: a.timeline.y.min(a.footer.y) - a.header.bottom(),
            ..area
        };
        channels::render(app, body, buf);
    } else {
        let panels: [(Rect, Render); 8] = [
            (a.ring, ring::render),
            (a.waiters, waiters::render),
            (a.handles, handles::render),
            (
                a.params,
                if channels::shown(app) {
                    channels::render
                } else {
                    params::render
                },
            ),
            (a.throughput, throughput::render),
            (a.latency, latency::render),
            (a.log, log::render),
            (a.warnings, warnings::render),
        ];
        for (rect, render) in panels {
            if !rect.is_empty() {
                render(app, rect, buf);
            }
        }
    }
    if !a.timeline.is_empty() {
        timeline::render(app, a.timeline, buf);
    }
    footer::render(app, a.footer, buf);
    if !app.help {
        let room = Rect {
            y: a.header.bottom(),
            height: a.footer.y.saturating_sub(a.header.bottom()),
            ..area
        };
        lesson::render(app, room, buf);
    }
    if app.card_shown() {
        let room = Rect {
            y: a.header.y + 1,
            height: a.footer.y.saturating_sub(a.header.y + 1),
            ..area
        };
        card::render(app, area, room, buf);
    }
}

/// The message shown instead of a garbled screen.
pub fn too_small_message(width: u16, height: u16) -> String {
    format!("terminal too small: need at least {MIN_WIDTH}x{MIN_HEIGHT}, have {width}x{height}")
}

fn render_too_small(area: Rect, buf: &mut Buffer) {
    if area.is_empty() {
        return;
    }
    let msg = too_small_message(area.width, area.height);
    let lines = vec![
        Line::from(msg),
        Line::from("enlarge the window, or press q"),
    ];
    let y = area.y + area.height.saturating_sub(3) / 2;
    let rect = Rect {
        y,
        height: area.bottom() - y,
        ..area
    };
    Paragraph::new(lines)
        .centered()
        .wrap(Wrap { trim: true })
        .render(rect, buf);
}

/// Text for when there is no channel yet.
pub(crate) fn no_channel(app: &App, area: Rect, buf: &mut Buffer) {
    Paragraph::new(Line::styled("waiting for the channel...", app.theme.dim())).render(area, buf);
}

/// Draw a panel's frame titled `title` and return the area inside it with
/// the channel shown; without a channel yet, say so inside and return `None`.
pub(crate) fn framed<'a>(
    app: &'a App,
    title: &str,
    area: Rect,
    buf: &mut Buffer,
) -> Option<(Rect, &'a ChannelSnapshot)> {
    let block = app.theme.block(title);
    let inner = block.inner(area);
    block.render(area, buf);
    match app.channel() {
        Some(chan) => Some((inner, chan)),
        None => {
            no_channel(app, inner, buf);
            None
        }
    }
}
