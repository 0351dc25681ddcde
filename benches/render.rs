//! Time to draw one full frame at 200x60 from a busy synthetic snapshot
//! (capacity 64, 10,000 log entries available, 600 buckets of history).
//! This is the UI's whole per-frame cost apart from taking the snapshot and
//! writing the diff to the terminal.

use std::hint::black_box;

use chanviz::scenario::control::Mode;
use chanviz::ui::panels::render_screen;
use chanviz::ui::{App, Theme};
use criterion::{criterion_group, criterion_main, Criterion};
use ratatui::backend::TestBackend;
use ratatui::buffer::Buffer;
use ratatui::layout::Rect;
use ratatui::Terminal;

#[path = "../tests/ui_support/mod.rs"]
mod ui_support;

fn busy_app(theme: Theme) -> App {
    let mut app = App::new("mpmc", "a busy synthetic run", theme);
    app.update(
        ui_support::busy_snapshot(),
        ui_support::knobs(),
        Mode::Running,
    );
    app
}

fn bench_render(c: &mut Criterion) {
    let area = Rect::new(0, 0, 200, 60);
    let app = busy_app(Theme::default());
    let mut buf = Buffer::empty(area);
    c.bench_function("render_frame_200x60", |b| {
        b.iter(|| {
            buf.reset();
            render_screen(black_box(&app), area, &mut buf);
            black_box(&buf);
        })
    });

    let ascii = busy_app(Theme::new(false, true));
    c.bench_function("render_frame_200x60_ascii", |b| {
        b.iter(|| {
            buf.reset();
            render_screen(black_box(&ascii), area, &mut buf);
            black_box(&buf);
        })
    });

    // Each panel alone, in the rectangle the full layout gives it.
    let areas = chanviz::ui::panels::layout(&app, area);
    type Panel = fn(&App, Rect, &mut Buffer);
    let panels: [(&str, Panel, Rect); 8] = [
        ("header", chanviz::ui::panels::header::render, areas.header),
        ("ring", chanviz::ui::panels::ring::render, areas.ring),
        (
            "waiters",
            chanviz::ui::panels::waiters::render,
            areas.waiters,
        ),
        (
            "handles",
            chanviz::ui::panels::handles::render,
            areas.handles,
        ),
        ("params", chanviz::ui::panels::params::render, areas.params),
        (
            "throughput",
            chanviz::ui::panels::throughput::render,
            areas.throughput,
        ),
        ("log", chanviz::ui::panels::log::render, areas.log),
        ("footer", chanviz::ui::panels::footer::render, areas.footer),
    ];
    let mut group = c.benchmark_group("panel_200x60");
    for (name, render, rect) in panels {
        group.bench_function(name, |b| {
            b.iter(|| {
                render(black_box(&app), rect, &mut buf);
                black_box(&buf);
            })
        });
    }
    group.finish();

    // Through ratatui's Terminal, as the event loop draws (diff included).
    let mut terminal = Terminal::new(TestBackend::new(200, 60)).expect("test backend");
    c.bench_function("terminal_draw_200x60", |b| {
        b.iter(|| {
            terminal
                .draw(|f| render_screen(black_box(&app), f.area(), f.buffer_mut()))
                .expect("draw");
        })
    });
}

criterion_group! {
    name = benches;
    config = Criterion::default()
        .sample_size(20)
        .warm_up_time(std::time::Duration::from_millis(500))
        .measurement_time(std::time::Duration::from_secs(2));
    targets = bench_render
}
criterion_main!(benches);
