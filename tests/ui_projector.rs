//! Readable at projector sizes (issue #10, item 4): every demo's whole
//! description can be read at 80x24, 100x30 and 140x45 (in the header, or
//! on the card shown as the run starts), no text is cut inside a word, and
//! the big layout keeps the ring, the waiter queues and the log, large.
#![cfg(feature = "tui")]

mod ui_support;

use chanviz::scenario::control::Mode;
use chanviz::scenario::demos::DEMOS;
use chanviz::ui::app::Card;
use chanviz::ui::keys::{first_key, footer_entries, KeyAction};
use chanviz::ui::panels::{self, card, footer, header, log, params, waiters};
use chanviz::ui::text::is_word_prefix;
use chanviz::ui::{render_to_buffer, App, Theme};
use ratatui::buffer::Buffer;
use ratatui::crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use ratatui::layout::Rect;
use ui_support::{text, FakeControl};

/// The sizes a classroom meets: the smallest the layout takes, a common
/// projector, a large one.
const SIZES: [(u16, u16); 3] = [(80, 24), (100, 30), (140, 45)];

/// The usual synthetic run, showing `demo`'s title and description.
fn demo_app(demo: &chanviz::scenario::demos::Demo, theme: Theme) -> App {
    let s = demo.scenario().expect("every demo parses");
    let mut app = ui_support::app_with(theme, Mode::Running);
    app.title = s.title;
    app.description = s.description;
    app
}

/// The text of `rect` in `buf`, row by row.
fn rows_of(buf: &Buffer, rect: Rect) -> Vec<String> {
    (rect.top()..rect.bottom())
        .map(|y| {
            (rect.left()..rect.right())
                .map(|x| buf[(x, y)].symbol())
                .collect()
        })
        .collect()
}

/// The hint that ends a shortened description in the header.
fn more_hint() -> String {
    format!("… {}: read it all", first_key(KeyAction::Describe))
}

/// As the live view starts: the card waits for the first frame, which
/// decides whether the header can hold the description.
fn started(demo: &chanviz::scenario::demos::Demo, w: u16, h: u16) -> (App, FakeControl) {
    let control = FakeControl::new(Mode::Running);
    let mut app = demo_app(demo, Theme::default());
    app.card = Card::AtStart;
    app.settle(Rect::new(0, 0, w, h), &control);
    (app, control)
}

#[test]
fn every_demo_description_is_readable_whole_at_projector_sizes() {
    for demo in DEMOS {
        for (w, h) in SIZES {
            let (app, _) = started(demo, w, h);
            let description = app.description.clone();
            let words: Vec<&str> = description.split_whitespace().collect();
            let area = Rect::new(0, 0, w, h);
            let buf = render_to_buffer(&app, w, h);
            let at = format!("{} at {w}x{h}", demo.name);

            // The header (seen once the card is closed): a word-for-word
            // beginning of the description, nothing cut inside a word, then
            // the hint when shortened.
            let mut closed = app.clone();
            closed.card = Card::Hidden;
            let rows = header::height(&closed, area);
            let below = render_to_buffer(&closed, w, h);
            let shown = rows_of(&below, Rect::new(0, 1, w, rows - 1)).join(" ");
            let (shown, shortened) = match shown.find(&more_hint()) {
                Some(i) => (shown[..i].to_string(), true),
                None => (shown, false),
            };
            assert!(
                is_word_prefix(&shown, &description, &[]),
                "{at}: the header cuts a word: {shown:?}"
            );
            let header_words = shown.split_whitespace().count();
            assert_eq!(
                header_words == words.len(),
                !shortened,
                "{at}: the hint shows exactly when words are missing: {shown:?}"
            );

            if shortened {
                // Then the card is up, and it holds every word, whole.
                assert!(app.card_shown(), "{at}: shortened, but no card");
                let room = Rect::new(0, 1, w, h - 1 - panels::footer_height(&app, area));
                let (rect, _) = card::place(&app, area, room);
                let inner = Rect::new(rect.x + 2, rect.y + 1, rect.width - 4, rect.height - 2);
                let on_card = rows_of(&buf, inner).join(" ");
                let card_words: Vec<&str> = on_card.split_whitespace().collect();
                assert!(
                    card_words.len() > words.len() && card_words[..words.len()] == words[..],
                    "{at}: the card does not hold the whole description: {on_card:?}"
                );
            } else {
                assert!(!app.card_shown(), "{at}: the header holds it all, no card");
            }
        }
    }
}

#[test]
fn at_140x45_every_description_fits_in_the_header() {
    // The issue's complaint: `shutdown` lost its last words at this size.
    for demo in DEMOS {
        let app = demo_app(demo, Theme::default());
        assert!(
            header::holds_description(&app, Rect::new(0, 0, 140, 45)),
            "{}",
            demo.name
        );
        let out = text(&render_to_buffer(&app, 140, 45));
        let last = app.description.split_whitespace().last().unwrap();
        assert!(out.contains(last), "{}: {out}", demo.name);
    }
}

#[test]
fn the_card_pauses_the_run_and_any_key_only_closes_it() {
    let shutdown = DEMOS.iter().find(|d| d.name == "shutdown").unwrap();
    let (mut app, control) = started(shutdown, 100, 30);
    assert!(
        app.card_shown(),
        "shutdown's description needs the card at 100x30"
    );
    use chanviz::scenario::control::Command;
    assert_eq!(
        control.taken(),
        vec![Command::Pause],
        "paused under the card"
    );
    *control.mode.lock().unwrap() = Mode::Paused;
    app.update(app.snapshot.clone(), app.knobs, Mode::Paused);

    // `p` would add a producer; on the card it only closes the card.
    let p = KeyEvent::new(KeyCode::Char('p'), KeyModifiers::NONE);
    assert_eq!(app.on_key(p, &control), None);
    assert!(!app.card_shown());
    assert!(!app.quit);
    assert_eq!(
        control.taken(),
        vec![Command::Resume],
        "closing resumes the run, and nothing else"
    );

    // `d` shows it again; while paused by the user, closing leaves it paused.
    let d = KeyEvent::new(KeyCode::Char('d'), KeyModifiers::NONE);
    assert_eq!(app.on_key(d, &control), Some(KeyAction::Describe));
    assert!(app.card_shown());
    assert!(control.taken().is_empty(), "already paused: no command");
    app.on_key(KeyEvent::new(KeyCode::Esc, KeyModifiers::NONE), &control);
    assert!(!app.card_shown());
    assert!(!app.quit, "Esc closes the card, it does not quit");
    assert!(control.taken().is_empty());

    // Ctrl-C still quits from the card.
    app.on_key(d, &control);
    let ctrl_c = KeyEvent::new(KeyCode::Char('c'), KeyModifiers::CONTROL);
    app.on_key(ctrl_c, &control);
    assert!(app.quit);
}

#[test]
fn a_description_that_fits_gets_no_card() {
    let control = FakeControl::new(Mode::Running);
    let mut app = ui_support::app();
    app.card = Card::AtStart;
    // Too small to draw: nothing decided yet.
    app.settle(Rect::new(0, 0, 60, 20), &control);
    assert_eq!(app.card, Card::AtStart);
    app.settle(Rect::new(0, 0, 100, 30), &control);
    assert_eq!(app.card, Card::Hidden);
    assert!(control.taken().is_empty(), "no card, no pause");
    // The big layout has no room for it in the header: the card shows.
    let mut big = ui_support::app();
    big.big = true;
    big.card = Card::AtStart;
    big.settle(Rect::new(0, 0, 140, 45), &control);
    assert!(big.card_shown());
}

/// Every line a panel draws fits its panel, for every layout, mode and
/// size: a line wider than its panel would be cut by the frame.
#[test]
fn no_panel_line_is_wider_than_its_panel() {
    let busy = {
        let mut app = ui_support::app();
        app.update(
            ui_support::busy_snapshot(),
            ui_support::knobs(),
            Mode::Running,
        );
        app.knobs.next_capacity = 1024; // "8 -> 1024 on r"
        app
    };
    for base in [ui_support::app(), busy] {
        for demo in DEMOS {
            for big in [false, true] {
                for mode in [Mode::Running, Mode::Paused, Mode::Finished] {
                    for (w, h) in SIZES {
                        let mut app = base.clone();
                        app.title = demo.scenario().unwrap().title;
                        app.description = demo.scenario().unwrap().description;
                        app.big = big;
                        app.mode = mode;
                        check_lines_fit(&app, w, h);
                    }
                }
            }
        }
    }
}

fn check_lines_fit(app: &App, w: u16, h: u16) {
    let at = format!("{w}x{h} big={} {:?}", app.big, app.mode);
    let area = Rect::new(0, 0, w, h);
    let a = panels::layout(app, area);
    let inside = |r: Rect| Rect::new(r.x + 1, r.y + 1, r.width - 2, r.height - 2);
    let fits = |what: &str, lines: Vec<ratatui::text::Line>, width: u16| {
        for l in lines {
            assert!(
                l.width() <= width as usize,
                "{at}: a {what} line is {} wide in {width}: {l:?}",
                l.width()
            );
        }
    };
    let chan = app.channel().unwrap();
    let wi = inside(a.waiters);
    if app.big {
        fits(
            "queue",
            waiters::big_lines(chan, &app.theme, wi, app.snapshot.at_us),
            wi.width,
        );
    } else {
        fits(
            "waiters",
            waiters::lines(chan, &app.theme, wi, app.snapshot.at_us),
            wi.width,
        );
        let pi = inside(a.params);
        fits("parameters", params::lines(app, pi), pi.width);
    }
    let li = inside(a.log);
    let n = log::line_count(app);
    let newest = n.saturating_sub(50)..n;
    fits(
        "log",
        log::lines_for(app, newest, li.width as usize),
        li.width,
    );
    fits("footer", footer::lines(app, a.footer), w);
    fits(
        "description",
        header::description_lines(app, w, a.header.height.saturating_sub(1) as usize),
        w - 2,
    );
}

#[test]
fn waiters_and_footer_fit_at_100x30() {
    let out = text(&render_to_buffer(&ui_support::app(), 100, 30));
    // The issue: "senders     2 waiting  peak" lost its number, "parked
    // so far: 6 sends, 2 re" its last word.
    let senders = out.lines().find(|l| l.starts_with("│senders ")).unwrap();
    assert!(senders.contains("peak 3"), "{senders}");
    // The queues in wake order come first; the totals, when there is a row
    // left for them, keep their last word.
    assert!(out.contains(" next: S1 "), "{out}");
    if let Some(parked) = out.lines().find(|l| l.starts_with("│parked")) {
        assert!(parked.contains("2 recvs"), "{parked}");
    }
    // Every key that works now is in the footer, whole.
    let app = ui_support::app();
    let footer: String = out.lines().rev().take(2).collect::<Vec<_>>().join(" ");
    for (keys, word) in footer_entries(&app.key_context()) {
        assert!(
            footer.contains(&format!("{keys} {word}")),
            "{keys} {word} missing from the footer: {footer}"
        );
    }
}

#[test]
fn the_compact_footer_keeps_whole_entries_and_help() {
    let app = ui_support::app();
    let out = text(&render_to_buffer(&app, 80, 24));
    let footer = out.lines().last().unwrap();
    assert!(footer.contains("? help"), "{footer}");
    let entries = footer_entries(&app.key_context());
    let shown: Vec<String> = footer
        .split("  ")
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .map(str::to_string)
        .collect();
    for s in &shown {
        assert!(
            entries.iter().any(|(k, w)| *s == format!("{k} {w}")),
            "a cut entry {s:?} in {footer}"
        );
    }
}

/// The big layout keeps the ring, the waiter queues and the log; the ring's
/// cells are wider and taller than in the full layout.
fn check_big(w: u16, h: u16, name: &str) {
    let mut app = ui_support::app();
    app.big = true;
    let out = text(&render_to_buffer(&app, w, h));
    for kept in ["Ring", "Waker queues", "Event log"] {
        assert!(out.contains(kept), "{kept} missing: {out}");
    }
    for left_out in ["Type state", "Parameters", "Throughput"] {
        assert!(!out.contains(left_out), "{left_out} shown: {out}");
    }
    // Occupied slots 0..=4: count the rows of cells and the cell width.
    let cell_rows: Vec<&str> = out.lines().filter(|l| l.contains("█████ ")).collect();
    let full = text(&render_to_buffer(&ui_support::app(), w, h));
    let full_rows = full.lines().filter(|l| l.contains("█████ ")).count();
    assert!(
        cell_rows.len() >= 3 * full_rows.max(1),
        "taller cells: {out}"
    );
    let widest = |rows: &[&str]| {
        rows.iter()
            .flat_map(|r| r.split(|c| c != '█'))
            .map(|run| run.chars().count())
            .max()
            .unwrap_or(0)
    };
    let full_rows: Vec<&str> = full.lines().filter(|l| l.contains("█████ ")).collect();
    assert!(
        widest(&cell_rows) > widest(&full_rows),
        "wider cells: {out}"
    );
    assert!(out.contains("H head") && out.contains("T tail"), "{out}");
    // Two parked senders: two blocks.
    assert!(out.contains("senders waiting: 2"), "{out}");
    insta::assert_snapshot!(name, out);
}

#[test]
fn big_layout_at_100x30() {
    check_big(100, 30, "big_100x30");
}

#[test]
fn big_layout_at_140x45() {
    check_big(140, 45, "big_140x45");
}

#[test]
fn the_card_at_100x30() {
    let shutdown = DEMOS.iter().find(|d| d.name == "shutdown").unwrap();
    let (mut app, _) = started(shutdown, 100, 30);
    // The runner has paused, as the card asked.
    app.update(app.snapshot.clone(), app.knobs, Mode::Paused);
    let out = text(&render_to_buffer(&app, 100, 30));
    assert!(out.contains("PAUSED"), "{out}");
    assert!(out.contains("any key: back to the run"), "{out}");
    insta::assert_snapshot!("card_100x30", out);
}

#[test]
fn b_switches_layouts() {
    let control = FakeControl::new(Mode::Running);
    let mut app = ui_support::app();
    let b = KeyEvent::new(KeyCode::Char('b'), KeyModifiers::NONE);
    assert_eq!(app.on_key(b, &control), Some(KeyAction::ToggleBig));
    assert!(app.big);
    assert!(!text(&render_to_buffer(&app, 100, 30)).contains("Parameters"));
    app.on_key(b, &control);
    assert!(!app.big);
    assert!(text(&render_to_buffer(&app, 100, 30)).contains("Parameters"));
    assert!(control.taken().is_empty(), "a layout is not a command");
}
