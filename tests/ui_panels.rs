//! Every panel rendered alone from the synthetic snapshot, checked as text.
#![cfg(feature = "tui")]

mod ui_support;

use chanviz::format::rate as fmt_rate;
use chanviz::probe::LogEntry;
use chanviz::scenario::control::Mode;
use chanviz::ui::app::App;
use chanviz::ui::panels;
use chanviz::ui::Theme;
use ratatui::buffer::Buffer;
use ratatui::layout::Rect;
use ui_support::{app, app_with, assert_shows, text};

fn draw(app: &App, w: u16, h: u16, render: fn(&App, Rect, &mut Buffer)) -> String {
    let area = Rect::new(0, 0, w, h);
    let mut buf = Buffer::empty(area);
    render(app, area, &mut buf);
    text(&buf)
}

/// Draw `render` at (w, h) from the usual app: it must show `parts`, and
/// the picture is the insta snapshot `name`.
fn check_panel(name: &str, (w, h): (u16, u16), render: Render, parts: &[&str]) {
    let out = draw(&app(), w, h, render);
    assert_shows(&out, parts);
    insta::assert_snapshot!(name, out);
}

/// A panel's render function.
type Render = fn(&App, Rect, &mut Buffer);

/// [`draw`] the usual app, in `mode`.
fn draw_in(mode: Mode, w: u16, h: u16, render: fn(&App, Rect, &mut Buffer)) -> String {
    draw(&app_with(Theme::default(), mode), w, h, render)
}

#[test]
fn ring_shows_every_slot_with_head_and_tail() {
    check_panel(
        "panel_ring_cap8",
        (80, 7),
        panels::ring::render,
        &[
            "head = next write: slot 5 lap 1",
            "tail = next read: slot 0 lap 1",
            "5 of 8 slots used",
        ],
    );
}

/// The usual app, its channel resized to `capacity` slots of which the
/// slots `used` are taken, in lap `lap`: tail at `used.start`, head at
/// `used.end`.
fn app_with_ring(capacity: usize, used: std::ops::Range<usize>, lap: usize) -> App {
    let mut app = app();
    let chan = &mut app.snapshot.channels[0];
    chan.capacity = capacity as _;
    chan.slots = (0..capacity).map(|i| used.contains(&i)).collect();
    chan.head = (capacity * lap + used.end) as _;
    chan.tail = (capacity * lap + used.start) as _;
    chan.len = used.len() as _;
    // The messages in those slots: senders S0..S2 in turn, 10 ms apart.
    let (head, tail) = (chan.head, chan.tail);
    chan.insight.messages = (tail..head)
        .map(|pos| chanviz::probe::SlotMessage {
            slot: (pos % capacity as u64) as usize,
            pos,
            sender: pos % 3,
            seq: pos / 3 + 1,
            pushed_us: 60_000_000 - (head - pos) * 10_000,
        })
        .collect();
    chan.insight.in_flight = used.len();
    app
}

/// Draws the ring panel of a ring of `capacity` slots with `used` taken on
/// lap `lap`, checks that `needle` is on it, and snapshots it as `name`.
fn check_ring(
    name: &str,
    ring: (usize, std::ops::Range<usize>, usize),
    size: (u16, u16),
    needle: &str,
) {
    let app = app_with_ring(ring.0, ring.1, ring.2);
    let out = draw(&app, size.0, size.1, panels::ring::render);
    assert!(out.contains(needle), "{out}");
    insta::assert_snapshot!(name, out);
}

#[test]
fn ring_beyond_64_slots_uses_buckets_with_a_legend() {
    // head 1500, tail 1000, 500 used.
    check_ring(
        "panel_ring_cap1000",
        (1000, 0..500, 1),
        (80, 7),
        "each cell = 100 slots",
    );
}

#[test]
fn ring_of_64_slots_wraps_onto_rows_when_tall_enough() {
    check_ring(
        "panel_ring_cap64",
        (64, 10..40, 3),
        (118, 10),
        "slot 40 lap 3",
    );
}

#[test]
fn waiters_show_depth_peak_and_wakes() {
    check_panel(
        "panel_waiters",
        (36, 8),
        panels::waiters::render,
        &["senders     2 waiting  peak 3"],
    );
}

#[test]
fn handles_show_type_states_and_lifecycle_timeline() {
    check_panel(
        "panel_handles",
        (46, 10),
        panels::handles::render,
        &["S0  sender   Closing", "S2  sender   Dropped", "CLOSING"],
    );
}

#[test]
fn handles_that_do_not_fit_are_counted() {
    let out = draw(&app(), 46, 6, panels::handles::render);
    assert!(out.contains("+2 more (1 dropped)"), "{out}");
}

#[test]
fn throughput_shows_current_average_and_peak() {
    let app = app();
    let out = draw(&app, 48, 12, panels::throughput::render);
    // Independent arithmetic over the complete buckets (the last one is filling).
    let b = &app.snapshot.channels[0].buckets;
    let complete = &b[..b.len() - 1];
    let current: u64 = complete[complete.len() - 10..].iter().map(|b| b.sent).sum();
    let total: u64 = complete.iter().map(|b| b.sent).sum();
    let avg = total as f64 / (complete.len() as f64 / 10.0);
    let line = format!("sent {:>8} avg {}", fmt_rate(current as f64), fmt_rate(avg));
    assert!(out.contains(&line), "want {line}: {out}");
    let recv_now: u64 = complete[complete.len() - 10..]
        .iter()
        .map(|b| b.received)
        .sum();
    assert!(
        out.contains(&format!("recv {:>8}", fmt_rate(recv_now as f64))),
        "{out}"
    );
    insta::assert_snapshot!("panel_throughput", out);
}

#[test]
fn throughput_leaves_paused_time_out_and_says_so() {
    // Running until 30 s, paused 30 s..50 s, running again to 60.05 s.
    let mut app = app();
    let full = app.snapshot.clone();
    for (at_us, mode) in [
        (10_000_000, Mode::Running),
        (30_000_000, Mode::Paused),
        (40_000_000, Mode::Paused),
        (50_000_000, Mode::Running),
        (full.at_us, Mode::Running),
    ] {
        let mut snap = full.clone();
        snap.at_us = at_us;
        app.update(snap, app.knobs, mode);
    }
    assert_eq!(app.paused, vec![(30_000_000, 50_000_000)]);
    // Time that steps moved the scenario clock through is time that
    // happened: it is not left out.
    let mut stepped = self::app();
    for (at_us, mode) in [
        (10_000_000, Mode::Running),
        (30_000_000, Mode::Step),
        (50_000_000, Mode::Running),
    ] {
        let mut snap = full.clone();
        snap.at_us = at_us;
        stepped.update(snap, stepped.knobs, mode);
    }
    assert_eq!(stepped.paused, vec![]);
    let out = draw(&app, 60, 12, panels::throughput::render);
    assert_shows(&out, &["Throughput (msg/s, 60 s, 20.0s paused left out)"]);
    let narrow = draw(&app, 40, 12, panels::throughput::render);
    assert_shows(&narrow, &["Throughput (20.0s paused)"]);
    // The average is over the 40 s that ran, not the 60 s that passed.
    let b = &full.channels[0].buckets;
    let ran: Vec<_> = b[..b.len() - 1]
        .iter()
        .filter(|b| !(30_000_000..50_000_000).contains(&b.start_us))
        .collect();
    let avg = ran.iter().map(|b| b.sent).sum::<u64>() as f64 / (ran.len() as f64 / 10.0);
    assert_shows(&out, &[&format!("avg {}", fmt_rate(avg))]);
}

#[test]
fn throughput_in_ascii_has_no_braille() {
    let app = app_with(Theme::new(false, true), Mode::Running);
    let out = draw(&app, 48, 12, panels::throughput::render);
    assert!(out.is_ascii(), "{out}");
    assert!(out.contains('#'), "{out}");
    insta::assert_snapshot!("panel_throughput_ascii", out);
}

#[test]
fn log_tells_events_in_words() {
    check_panel(
        "panel_log",
        (80, 10),
        panels::log::render,
        &[
            "S2 parked: ring full (8/8), 3 senders waiting",
            "R0 popped slot 7 (len 5/8)",
            // S2 parked after the pop began: its wake is told after its park.
            "R0's pop woke S2 (2 senders still waiting)",
        ],
    );
}

/// With several channels every row starts `#N`: the words do not say it
/// again (the issue: `#2 channel #2 closing`).
#[test]
fn log_rows_of_several_channels_name_the_channel_once() {
    let mut app = app();
    let mut snap = app.snapshot.clone();
    let mut second = snap.channels[0].clone();
    second.chan = 2;
    snap.channels.push(second);
    app.update(snap, app.knobs, Mode::Running);
    let out = draw(&app, 80, 10, panels::log::render);
    assert_shows(
        &out,
        &["#1 channel created with 8 slots", "#1 channel closing"],
    );
    assert!(!out.contains("channel #"), "{out}");
}

#[test]
fn log_times_past_a_minute_keep_the_millisecond_and_line_up() {
    let mut app = app();
    // Entries 12.345 ms apart around the minute mark: 59.999s, 1m00.011s, ...
    for (i, e) in app.snapshot.events.iter_mut().enumerate() {
        e.at_us = 59_999_000 + i as u64 * 12_345;
    }
    let out = draw(&app, 80, 10, panels::log::render);
    assert_shows(
        &out,
        &["  59.999s ", "1m00.011s ", "1m00.024s ", "1m00.036s "],
    );
    let starts: Vec<usize> = out
        .lines()
        .filter_map(|l| l.find("s ").filter(|_| l.contains("│")))
        .collect();
    assert!(
        starts.windows(2).all(|w| w[0] == w[1]),
        "times line up: {out}"
    );
}

#[test]
fn params_show_each_knob_with_its_key() {
    check_panel(
        "panel_params",
        (30, 10),
        panels::params::render,
        &[
            "producers",
            "p/P",
            "1/4x",
            "200/s ×1/4 = 50/s",
            "5ms ×4 = 20ms",
        ],
    );
}

#[test]
fn params_show_the_real_rate_in_slow_motion_even_when_narrow() {
    let narrow = draw(&app(), 25, 10, panels::params::render);
    assert_shows(&narrow, &["rate  200/s = 50/s +/-", "work"]);
    let mut real_time = app();
    real_time.knobs.speed = 1.0;
    let out = draw(&real_time, 30, 10, panels::params::render);
    assert_shows(
        &out,
        &["rate (each)       200/s +/-", "work                5ms </>"],
    );
}

#[test]
fn header_shows_title_mode_clock_and_drops() {
    let out = draw_in(Mode::Paused, 120, 2, panels::header::render);
    assert_shows(&out, &["PAUSED", "dropped 7"]);
    insta::assert_snapshot!("panel_header", out);
}

#[test]
fn footer_offers_step_only_while_paused() {
    let running = draw_in(Mode::Running, 160, 1, panels::footer::render);
    let paused = draw_in(Mode::Paused, 160, 1, panels::footer::render);
    assert!(!running.contains("n step"), "{running}");
    assert!(running.contains("space pause"), "{running}");
    assert!(paused.contains("n step"), "{paused}");
    assert!(paused.contains("space resume"), "{paused}");
    insta::assert_snapshot!("panel_footer_running", running);
    insta::assert_snapshot!("panel_footer_paused", paused);
}

#[test]
fn footer_says_why_a_key_did_nothing_then_shows_the_keys_again() {
    use ratatui::crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
    let control = ui_support::FakeControl::new(Mode::Running);
    let mut app = app();
    app.knobs.consumers = 1;
    app.on_key(
        KeyEvent::new(KeyCode::Char('C'), KeyModifiers::SHIFT),
        &control,
    );
    let out = draw(&app, 100, 1, panels::footer::render);
    assert_shows(
        &out,
        &["is the last consumer: removing it would strand messages"],
    );
    insta::assert_snapshot!("panel_footer_notice", out);
    let mut later = app.snapshot.clone();
    later.at_us += chanviz::ui::app::NOTICE_US;
    app.update(later, app.knobs, Mode::Running);
    let out = draw(&app, 100, 1, panels::footer::render);
    assert_shows(&out, &["q quit", "space pause"]);
}

#[test]
fn help_lists_every_key_and_explains_the_picture() {
    let out = draw(&app(), 120, 36, panels::help::render);
    for (keys, _) in chanviz::ui::keys::help_rows() {
        assert!(out.contains(&keys), "missing {keys}: {out}");
    }
    for word in ["head (H)", "Waker queue", "Type state"] {
        assert!(out.contains(word), "missing {word}: {out}");
    }
    insta::assert_snapshot!("panel_help", out);
}

/// "A step says in the header what it was": while stepping, the header
/// names the newest event (a step is one operation), and keeps the time.
#[test]
fn a_step_says_in_the_header_what_it_did() {
    let stepping = draw_in(Mode::Step, 120, 2, panels::header::render);
    let app = ui_support::app_with(chanviz::ui::Theme::default(), Mode::Step);
    let did = panels::log::did(&app.snapshot.events, &app.snapshot, app.theme.ascii).unwrap();
    let start: String = did.chars().take(24).collect();
    assert!(stepping.contains(&format!("did: {start}")), "{stepping}");
    assert!(stepping.contains("elapsed"), "{stepping}");
    let running = draw_in(Mode::Running, 120, 2, panels::header::render);
    assert!(!running.contains("did:"), "{running}");
}

/// A step that popped and woke a sender says both, as the log's one line
/// does, even with another handle's event between the pop and its wake.
#[test]
fn a_step_that_popped_and_woke_says_both_in_the_header() {
    use chanviz::probe::{EventKind, Side, WakeCause};
    let mut app = ui_support::app_with(Theme::default(), Mode::Step);
    let mut events = app.snapshot.events.clone();
    // The fixture's pop (R0, slot 7), a push by S1, then the pop's wake.
    let pop = events[2];
    let push = events[1];
    let wake = LogEntry {
        kind: EventKind::Wake {
            side: Side::Senders,
            woken: 3,
            waiting: 1,
            ticket: 9,
            cause: WakeCause::Pop,
            by: 0,
        },
        ..events[4]
    };
    events.extend([pop, push, wake]);
    app.snapshot.events = events;
    let out = draw(&app, 120, 2, panels::header::render);
    assert!(
        out.contains("did: R0 popped slot 7 (len 5/8) → woke S3 (1 sender still waiting)"),
        "{out}"
    );
}

#[test]
fn latency_shows_percentiles_bars_and_the_capacity_advice() {
    check_panel(
        "panel_latency",
        (50, 9),
        panels::latency::render,
        &[
            "in queue p50 2.3s p90 2.9s p99 3.1s max 3.2s",
            "parked   p50 450ms",
            "whole run: in queue p50 2.0s",
            "capacity: No capacity absorbs a steady overload",
        ],
    );
}

#[test]
fn warnings_say_what_is_wrong_and_what_to_try() {
    check_panel(
        "panel_warnings",
        (80, 4),
        panels::warnings::render,
        &[
            "consumer-bound",
            "The consumer is the bottleneck",
            "try: Add a consumer, or make each message cheaper to handle. No capacity",
        ],
    );
    // `--allow consumer-bound`: nothing.
    let mut app = app();
    app.warnings.allow = vec![chanviz::probe::WarningKind::ConsumerBound];
    let out = draw(&app, 80, 4, panels::warnings::render);
    assert!(!out.contains("consumer-bound"), "{out}");
}

/// A second channel, "results": empty and without warnings.
fn add_results_channel(app: &mut App) {
    let mut other = app.snapshot.channels[0].clone();
    other.chan = 2;
    other.name = Some("results".into());
    other.len = 0;
    other.insight.warnings.clear();
    app.snapshot.channels.push(other);
}

#[test]
fn channel_list_shows_every_channel_and_marks_the_one_shown() {
    let mut app = app();
    app.replay = true;
    add_results_channel(&mut app);
    app.selected = Some(1);
    assert!(panels::channels::shown(&app));
    let out = draw(&app, 40, 6, panels::channels::render);
    assert_shows(&out, &["> jobs", "  results", "5/8", "consumer-bound"]);
    insta::assert_snapshot!("panel_channels", out);
}

/// `chanviz attach`'s home: the list fills the screen (with each channel's
/// totals and lifecycle), `Enter` opens the chosen channel's picture, `Esc`
/// comes back to the list with the shown channel chosen, and `Esc` on the
/// list quits.
#[test]
fn attach_starts_on_the_channel_list_and_esc_comes_back_to_it() {
    use ratatui::crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
    let mut app = app();
    app.replay = true;
    app.list_home = true;
    app.on_list = true;
    add_results_channel(&mut app);
    let screen = |app: &App| text(&chanviz::ui::render_to_buffer(app, 100, 24));
    let out = screen(&app);
    assert_shows(
        &out,
        &[
            "Channels (Up/Dn choose, Enter opens)",
            "jobs",
            "results",
            "sent",
        ],
    );
    assert!(
        !out.contains("Waker queues"),
        "no picture on the list:\n{out}"
    );
    insta::assert_snapshot!("screen_channel_list", out);

    let control = ui_support::FakeControl::new(Mode::Running);
    let key = |c| KeyEvent::new(c, KeyModifiers::NONE);
    app.on_key(key(KeyCode::Up), &control);
    assert_eq!(app.list_at, 1);
    app.on_key(key(KeyCode::Up), &control);
    app.on_key(key(KeyCode::Enter), &control);
    assert!(!app.list_screen());
    assert_eq!(app.channel().map(|c| c.chan), Some(1));
    let out = screen(&app);
    assert!(!out.contains("Channels (Up/Dn choose"), "{out}");
    app.on_key(key(KeyCode::Esc), &control);
    assert!(app.list_screen() && !app.quit);
    assert_eq!(
        app.list_at, 0,
        "the list's choice is the channel that was shown"
    );
    app.on_key(key(KeyCode::Esc), &control);
    assert!(app.quit, "Esc on the list quits");
}

/// A hand-off in the waker queues: the pop moved the woken sender's message
/// into the slot it freed, so the line says the send is done, and says so
/// in fewer words where the panel is narrow.
#[test]
fn a_handoff_says_the_woken_sender_was_sent() {
    use chanviz::probe::{Role, WakeCause};
    let mut app = ui_support::app_with(Theme::default(), Mode::Running);
    for c in &mut app.snapshot.channels {
        for w in &mut c.insight.wakes {
            w.cause = WakeCause::Handoff {
                role: Role::Receiver,
            };
        }
    }
    let wide = draw(&app, 70, 9, panels::waiters::render);
    assert!(
        wide.contains("R0 moved its message into slot 7 → woke S2, sent"),
        "{wide}"
    );
    let projector = draw(&app, 39, 9, panels::waiters::render);
    assert!(
        projector.contains("R0 handed slot 7 over → woke S2, sent"),
        "{projector}"
    );
    let narrow = draw(&app, 36, 9, panels::waiters::render);
    assert!(
        narrow.contains("R0 handed slot 7 → woke S2, sent"),
        "{narrow}"
    );
}
