//! The ring panel: the buffer as slots, with head (next write) and tail
//! (next read) marked. Up to 64 slots each slot is drawn, and each full one
//! names its message: the sender and that sender's number for it (`S2#14`),
//! with its age beside the slot's index when the cell is wide enough; the
//! oldest message stands out, and the info line says how long it has
//! waited. Beyond 64 slots, or when the rows are short, neighbouring slots
//! share a bucket, which shows the age of its oldest message. The big
//! layout draws the cells wider and up to five rows tall (the age under the
//! name), and names the markers ("H head").

use ratatui::buffer::Buffer;
use ratatui::layout::Rect;
use ratatui::style::Style;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Paragraph, Widget};

use crate::format;
use crate::probe::snapshot::ChannelSnapshot;
use crate::ui::app::App;
use crate::ui::theme::Theme;

/// Most slots drawn one by one.
pub const MAX_SLOTS: usize = 64;

/// How the slots are grouped into cells on screen.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
struct Grid {
    /// Slots per cell (1 = every slot drawn).
    per_cell: usize,
    /// Cells drawn.
    cells: usize,
    /// Screen columns per cell, including one column of gap.
    width: usize,
    /// Cells per row of the grid.
    per_row: usize,
    /// Rows of a cell's body (1, or up to [`BIG_TALL`] in the big layout).
    tall: usize,
    /// Markers in words ("H head") where a cell is wide enough (big layout).
    named: bool,
}

impl Grid {
    fn rows(&self) -> usize {
        self.cells.div_ceil(self.per_row.max(1))
    }
    /// Screen rows of one grid row: index, body, marker.
    fn row_height(&self) -> usize {
        self.tall + 2
    }
    /// Screen rows of all grid rows.
    fn height(&self) -> usize {
        self.rows() * self.row_height()
    }
}

/// Widest a cell gets (gap included), in the full layout and in the big one.
const CELL_MAX: usize = 9;
const BIG_CELL_MAX: usize = 16;
/// Most rows of a cell's body in the big layout.
const BIG_TALL: usize = 5;

/// One cell per slot, if the capacity allows it, each at most `max` wide.
fn slot_grid(capacity: usize, inner_width: usize, max: usize, tall: usize) -> Option<Grid> {
    if capacity == 0 || capacity > MAX_SLOTS {
        return None;
    }
    let width = (inner_width / capacity).clamp(3, max);
    let per_row = (inner_width / width).max(1);
    Some(Grid {
        per_cell: 1,
        cells: capacity,
        width,
        per_row,
        tall,
        named: false,
    })
}

/// One row of buckets covering every slot, each wide enough for an age.
fn bucket_grid(capacity: usize, inner_width: usize, tall: usize) -> Grid {
    let width = 5;
    let max_cells = (inner_width / width).max(1);
    let per_cell = nice(capacity.max(1).div_ceil(max_cells));
    let cells = capacity.max(1).div_ceil(per_cell);
    Grid {
        per_cell,
        cells,
        width,
        per_row: max_cells,
        tall,
        named: false,
    }
}

/// The smallest of 1, 2, 5, 10, 20, 50, ... that is at least `n`, so the
/// legend reads "each cell = 50 slots", not 39.
fn nice(n: usize) -> usize {
    let mut base = 1;
    loop {
        for k in [1, 2, 5] {
            if k * base >= n {
                return k * base;
            }
        }
        base *= 10;
    }
}

/// Rows (borders included) the panel would like, at this width.
pub fn wanted_height(app: &App, width: u16) -> u16 {
    let inner = width.saturating_sub(2) as usize;
    let (max, tall) = if app.big {
        (BIG_CELL_MAX, BIG_TALL)
    } else {
        (CELL_MAX, 1)
    };
    let grid = app
        .channel()
        .and_then(|c| slot_grid(c.capacity, inner, max, tall))
        .unwrap_or_else(|| bucket_grid(1, inner, tall));
    // info line + the grid + legend + borders
    (1 + grid.height() + 1 + 2) as u16
}

/// The grid for a ring of `capacity` slots in `w` x `h` (under the info
/// line): slot by slot when every row fits, with the tallest cells that
/// fit (big layout), else buckets.
fn choose_grid(capacity: usize, w: usize, h: usize, big: bool) -> Grid {
    let (max, tallest) = if big {
        (BIG_CELL_MAX, BIG_TALL)
    } else {
        (CELL_MAX, 1)
    };
    for tall in (1..=tallest).rev() {
        if let Some(g) = slot_grid(capacity, w, max, tall).filter(|g| g.height() < h) {
            return Grid { named: big, ..g };
        }
    }
    let mut tall = tallest;
    while tall > 1 && bucket_grid(capacity, w, tall).height() >= h {
        tall -= 1;
    }
    Grid {
        named: big,
        ..bucket_grid(capacity, w, tall)
    }
}

/// Draw the ring.
pub fn render(app: &App, area: Rect, buf: &mut Buffer) {
    let theme = &app.theme;
    let Some(chan) = app.channel() else {
        let block = theme.block("Ring");
        let inner = block.inner(area);
        block.render(area, buf);
        super::no_channel(app, inner, buf);
        return;
    };
    let label = match &chan.name {
        Some(n) => format!("#{} \"{n}\"", chan.chan),
        None => format!("#{}", chan.chan),
    };
    let fill = if chan.capacity > 0 && chan.len >= chan.capacity {
        ": FULL"
    } else if chan.len == 0 {
        ": empty"
    } else {
        ""
    };
    let name = format!(
        "Ring {label}: {} of {} slots used{fill}",
        chan.len, chan.capacity
    );
    let block = theme.block(&name);
    let inner = block.inner(area);
    block.render(area, buf);
    if inner.is_empty() {
        return;
    }
    let w = inner.width as usize;
    let h = inner.height as usize;

    let grid = choose_grid(chan.capacity, w, h, app.big);
    let legend = 1 + grid.height() < h;

    let at_us = app.snapshot.at_us;
    let mut y = inner.y;
    Paragraph::new(info_line(chan, theme, at_us, w)).render(
        Rect {
            y,
            height: 1,
            ..inner
        },
        buf,
    );
    y += 1;
    let cells = Cells::new(chan, &grid, at_us);
    for row in 0..grid.rows() {
        let first = row * grid.per_row;
        let last = (first + grid.per_row).min(grid.cells);
        draw_grid_row(
            chan,
            &cells,
            theme,
            &grid,
            first..last,
            inner.x,
            y,
            buf,
            inner.right(),
        );
        y += grid.row_height() as u16;
    }
    if legend {
        let line = theme.fit(legend_line(theme, &grid), w);
        Paragraph::new(line).render(
            Rect {
                y,
                height: 1,
                ..inner
            },
            buf,
        );
    }
}

/// The head and tail in words, then the oldest message and its wait, as
/// much as fits in `w` columns.
fn info_line(chan: &ChannelSnapshot, theme: &Theme, at_us: u64, w: usize) -> Line<'static> {
    let oldest = chan.insight.oldest().map(|m| {
        (
            format!("S{}#{}", m.sender, m.seq),
            m.slot,
            format::age_us(at_us.saturating_sub(m.pushed_us)),
        )
    });
    let long = head_tail_line(chan, theme);
    let Some((name, slot, age)) = oldest else {
        return theme.fit(long, w);
    };
    let sep = Span::styled(format!("  {}  ", theme.sep()), theme.dim());
    let said = |mut line: Line<'static>, words: String| {
        line.spans.push(sep.clone());
        line.spans.push(Span::styled(words, theme.oldest()));
        line
    };
    let short = Line::from(vec![
        Span::styled("H", theme.sender().patch(theme.strong())),
        Span::styled(
            format!(" slot {} lap {}", chan.head_slot(), chan.head_lap()),
            theme.sender(),
        ),
        Span::raw(" "),
        Span::styled("T", theme.receiver().patch(theme.strong())),
        Span::styled(
            format!(" slot {} lap {}", chan.tail_slot(), chan.tail_lap()),
            theme.receiver(),
        ),
    ]);
    // The head and tail in words come first (the oldest message also
    // stands out in its cell, with its age beside the slot's index).
    let candidates = [
        said(
            long.clone(),
            format!("oldest: {name} in slot {slot}, waiting {age}"),
        ),
        said(long.clone(), format!("oldest {name}: {age}")),
        long.clone(),
        said(
            short.clone(),
            format!("oldest: {name} in slot {slot}, waiting {age}"),
        ),
        said(short.clone(), format!("oldest {name}: {age}")),
    ];
    for c in candidates {
        if c.width() <= w {
            let mut c = c;
            if c.spans.first().is_some_and(|s| s.content == sep.content) {
                c.spans.remove(0);
            }
            return c;
        }
    }
    theme.fit(short, w)
}

fn head_tail_line(chan: &ChannelSnapshot, theme: &Theme) -> Line<'static> {
    Line::from(vec![
        Span::styled("H", theme.sender().patch(theme.strong())),
        Span::raw(" head = next write: "),
        Span::styled(
            format!("slot {} lap {}", chan.head_slot(), chan.head_lap()),
            theme.sender(),
        ),
        Span::styled(format!("  {}  ", theme.sep()), theme.dim()),
        Span::styled("T", theme.receiver().patch(theme.strong())),
        Span::raw(" tail = next read: "),
        Span::styled(
            format!("slot {} lap {}", chan.tail_slot(), chan.tail_lap()),
            theme.receiver(),
        ),
    ])
}

fn legend_line(theme: &Theme, grid: &Grid) -> Line<'static> {
    let mut spans = Vec::new();
    if grid.per_cell == 1 {
        spans.push(Span::styled(theme.full(), theme.occupied()));
        spans.push(Span::raw(" holds a message  "));
        spans.push(Span::styled(theme.hollow(), theme.empty()));
        spans.push(Span::raw(" empty  "));
        spans.push(Span::styled("S2#5", theme.message()));
        spans.push(Span::raw(" sender and its message number  "));
    } else {
        spans.push(Span::raw(format!("each cell = {} slots; ", grid.per_cell)));
        if grid.tall > 1 {
            spans.push(Span::styled(
                format!("{}{}{}", theme.level(1), theme.level(4), theme.level(8)),
                theme.occupied(),
            ));
            spans.push(Span::raw(" share in use, "));
        }
        spans.push(Span::styled("2.9s", theme.message()));
        spans.push(Span::raw(" age of its oldest message  "));
    }
    spans.push(Span::styled(
        format!("messages wait from T to H {}", theme.arrow()),
        theme.dim(),
    ));
    Line::from(spans)
}

/// What each cell shows of the messages: per slot (slot grid) or per
/// bucket, the message (or the bucket's oldest), and which is the oldest.
struct Cells {
    /// Per cell: `(name, age, pushed_us)` of its (oldest) message.
    shown: Vec<Option<(String, String, u64)>>,
    /// The cell of the oldest message.
    oldest: Option<usize>,
}

impl Cells {
    fn new(chan: &ChannelSnapshot, grid: &Grid, at_us: u64) -> Cells {
        let mut shown: Vec<Option<(String, String, u64)>> = vec![None; grid.cells];
        for m in &chan.insight.messages {
            let Some(cell) = shown.get_mut(m.slot / grid.per_cell.max(1)) else {
                continue;
            };
            if cell.as_ref().is_none_or(|c| m.pushed_us < c.2) {
                let age = format::age_us(at_us.saturating_sub(m.pushed_us));
                *cell = Some((format!("S{}#{}", m.sender, m.seq), age, m.pushed_us));
            }
        }
        let oldest = chan.insight.oldest().map(|m| m.slot / grid.per_cell.max(1));
        Cells { shown, oldest }
    }
}

/// `text` centred in `width` columns (cut to fit).
fn centred(text: &str, width: usize) -> String {
    let text: String = text.chars().take(width).collect();
    let pad = width - crate::ui::text::width(&text).min(width);
    format!("{}{text}{}", " ".repeat(pad / 2), " ".repeat(pad - pad / 2))
}

/// A message's name in `width` columns: `S2#14`, else `S2`, else a glyph.
fn name_in(name: &str, width: usize) -> Option<String> {
    if name.len() <= width {
        return Some(centred(name, width));
    }
    let sender = name.split('#').next().unwrap_or(name);
    (sender.len() <= width).then(|| centred(sender, width))
}

#[allow(clippy::too_many_arguments)]
fn draw_grid_row(
    chan: &ChannelSnapshot,
    cells_shown: &Cells,
    theme: &Theme,
    grid: &Grid,
    cells: std::ops::Range<usize>,
    x0: u16,
    y: u16,
    buf: &mut Buffer,
    right: u16,
) {
    let body = grid.width - 1; // columns of a cell without the gap
    let head_cell = chan.head_slot() / grid.per_cell;
    let tail_cell = chan.tail_slot() / grid.per_cell;
    let mut label_end = x0; // first column free for an index label
    for (i, cell) in cells.enumerate() {
        let x = x0 + (i * grid.width) as u16;
        if x + body as u16 > right {
            break;
        }
        let first_slot = cell * grid.per_cell;
        let slots_here = (first_slot..(first_slot + grid.per_cell).min(chan.capacity)).len();
        let end = (first_slot + slots_here).min(chan.slots.len());
        let occupied = chan
            .slots
            .get(first_slot.min(end)..end)
            .map_or(0, |s| s.iter().filter(|&&o| o).count());

        let message = cells_shown.shown.get(cell).and_then(Option::as_ref);
        let is_oldest = cells_shown.oldest == Some(cell);
        let msg_style = if is_oldest {
            theme.oldest()
        } else {
            theme.message()
        };

        // Index line: the first slot of the cell, where it does not collide,
        // and the message's age beside it when the cell is wide enough.
        let label = first_slot.to_string();
        if x >= label_end && label.len() <= body + (grid.width - body) {
            buf.set_string(x, y, &label, theme.dim());
            label_end = x + label.len() as u16 + 1;
            if let Some((_, age, _)) = message.filter(|_| grid.per_cell == 1 && grid.tall == 1) {
                if label.len() + 1 + crate::ui::text::width(age) <= body {
                    let style = if is_oldest { theme.warn() } else { theme.dim() };
                    buf.set_string(x + label.len() as u16 + 1, y, age, style);
                    label_end = x + body as u16 + 1;
                }
            }
        }

        // Cell line.
        let (glyph, style): (&str, Style) = if grid.per_cell == 1 {
            if occupied == 1 {
                (theme.full(), theme.occupied())
            } else {
                (theme.hollow(), theme.empty())
            }
        } else {
            let level = if occupied == 0 {
                0
            } else {
                (occupied * 8).div_ceil(slots_here).max(1)
            };
            if level == 0 {
                (theme.hollow(), theme.empty())
            } else {
                (theme.level(level), theme.occupied())
            }
        };
        for r in 0..grid.tall {
            buf.set_string(x, y + 1 + r as u16, glyph.repeat(body), style);
        }
        // The message named in its cell: a slot's sender and number (its
        // age under it when the cell is tall); a bucket's oldest age.
        if let Some((name, age, _)) = message {
            let first = if grid.per_cell == 1 {
                name_in(name, body)
            } else {
                (crate::ui::text::width(age) <= body).then(|| centred(age, body))
            };
            if let Some(text) = first {
                // A bucket keeps its share-in-use glyphs on the rows under it.
                let row = if grid.per_cell > 1 && grid.tall > 1 {
                    grid.tall - 1
                } else {
                    0
                };
                buf.set_string(x, y + 1 + row as u16, text, msg_style);
            }
            if grid.per_cell == 1 && grid.tall > 1 && crate::ui::text::width(age) <= body {
                buf.set_string(x, y + 2, centred(age, body), msg_style);
            }
        }

        // Marker line: named in words when the cell is wide enough.
        let named = grid.named && body >= 6;
        let marker = match (cell == head_cell, cell == tail_cell) {
            (true, true) => Some((if named { "H+T" } else { "HT" }, theme.strong())),
            (true, false) => Some((
                if named { "H head" } else { "H" },
                theme.sender().patch(theme.strong()),
            )),
            (false, true) => Some((
                if named { "T tail" } else { "T" },
                theme.receiver().patch(theme.strong()),
            )),
            _ => None,
        };
        if let Some((m, style)) = marker {
            buf.set_string(x, y + 1 + grid.tall as u16, m, style);
        }
    }
}
