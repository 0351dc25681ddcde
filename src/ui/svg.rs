//! A rendered [`Buffer`] as an SVG picture: monospace text with each cell's
//! colours and boldness. Screenshots come from here, so they show exactly
//! what the terminal shows. Knows nothing of panels.

use std::fmt::Write;

use ratatui::buffer::Buffer;
use ratatui::style::{Color, Modifier};

/// Width of one cell, in SVG user units.
const CELL_W: f64 = 9.0;
/// Height of one cell.
const CELL_H: f64 = 18.0;
/// Font size.
const FONT: f64 = 15.0;
/// Background and default text colours (a dark terminal).
const BG: &str = "#1c1c1c";
const FG: &str = "#d0d0d0";

/// A colour as `#rrggbb`, `None` for the terminal default.
pub fn color_hex(color: Color) -> Option<String> {
    let named = |s: &str| Some(s.to_string());
    match color {
        Color::Reset => None,
        Color::Black => named("#000000"),
        Color::Red => named("#cd3131"),
        Color::Green => named("#0dbc79"),
        Color::Yellow => named("#e5e510"),
        Color::Blue => named("#2472c8"),
        Color::Magenta => named("#bc3fbc"),
        Color::Cyan => named("#11a8cd"),
        Color::Gray => named("#b0b0b0"),
        Color::DarkGray => named("#767676"),
        Color::LightRed => named("#f14c4c"),
        Color::LightGreen => named("#23d18b"),
        Color::LightYellow => named("#f5f543"),
        Color::LightBlue => named("#3b8eea"),
        Color::LightMagenta => named("#d670d6"),
        Color::LightCyan => named("#29b8db"),
        Color::White => named("#ffffff"),
        Color::Rgb(r, g, b) => Some(format!("#{r:02x}{g:02x}{b:02x}")),
        Color::Indexed(i) => Some(indexed(i)),
    }
}

fn indexed(i: u8) -> String {
    match i {
        0..=15 => {
            const BASIC: [Color; 16] = [
                Color::Black,
                Color::Red,
                Color::Green,
                Color::Yellow,
                Color::Blue,
                Color::Magenta,
                Color::Cyan,
                Color::Gray,
                Color::DarkGray,
                Color::LightRed,
                Color::LightGreen,
                Color::LightYellow,
                Color::LightBlue,
                Color::LightMagenta,
                Color::LightCyan,
                Color::White,
            ];
            color_hex(BASIC[i as usize]).unwrap_or_default()
        }
        16..=231 => {
            let i = i - 16;
            let c = |v: u8| if v == 0 { 0 } else { 55 + v * 40 };
            format!("#{:02x}{:02x}{:02x}", c(i / 36), c((i / 6) % 6), c(i % 6))
        }
        _ => {
            let v = 8 + (i - 232) * 10;
            format!("#{v:02x}{v:02x}{v:02x}")
        }
    }
}

fn escape(s: &str, out: &mut String) {
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            c => out.push(c),
        }
    }
}

/// Render `buf` as a standalone SVG document.
pub fn buffer_to_svg(buf: &Buffer) -> String {
    let area = buf.area;
    let (w, h) = (area.width as f64 * CELL_W, area.height as f64 * CELL_H);
    let mut out = String::new();
    let _ = writeln!(
        out,
        r#"<svg xmlns="http://www.w3.org/2000/svg" width="{w}" height="{h}" viewBox="0 0 {w} {h}">"#
    );
    let _ = writeln!(out, r#"<rect width="100%" height="100%" fill="{BG}"/>"#);
    let _ = writeln!(
        out,
        r#"<g font-family="'DejaVu Sans Mono','Menlo','Consolas',monospace" font-size="{FONT}" xml:space="preserve">"#
    );
    for y in 0..area.height {
        // Backgrounds: runs of the same colour.
        let mut x = 0;
        while x < area.width {
            let cell = &buf[(area.x + x, area.y + y)];
            let (fg, bg) = colors(cell.fg, cell.bg, cell.modifier);
            let Some(bg) = bg else {
                x += 1;
                continue;
            };
            let start = x;
            while x < area.width {
                let c = &buf[(area.x + x, area.y + y)];
                if colors(c.fg, c.bg, c.modifier).1.as_deref() != Some(bg.as_str()) {
                    break;
                }
                x += 1;
            }
            let _ = fg;
            let _ = writeln!(
                out,
                r#"<rect x="{}" y="{}" width="{}" height="{CELL_H}" fill="{bg}"/>"#,
                start as f64 * CELL_W,
                y as f64 * CELL_H,
                (x - start) as f64 * CELL_W
            );
        }
        // Text: runs of the same foreground and weight.
        let mut x = 0;
        while x < area.width {
            let cell = &buf[(area.x + x, area.y + y)];
            let key = (
                colors(cell.fg, cell.bg, cell.modifier).0,
                cell.modifier.contains(Modifier::BOLD),
            );
            let start = x;
            let mut text = String::new();
            let mut cells = 0u16;
            while x < area.width {
                let c = &buf[(area.x + x, area.y + y)];
                let k = (
                    colors(c.fg, c.bg, c.modifier).0,
                    c.modifier.contains(Modifier::BOLD),
                );
                if k != key {
                    break;
                }
                text.push_str(c.symbol());
                cells += 1;
                x += 1;
            }
            if text.trim().is_empty() {
                continue;
            }
            let mut escaped = String::new();
            escape(&text, &mut escaped);
            let weight = if key.1 { r#" font-weight="bold""# } else { "" };
            let _ = writeln!(
                out,
                r#"<text x="{}" y="{}" fill="{}"{weight} textLength="{}" lengthAdjust="spacingAndGlyphs">{escaped}</text>"#,
                start as f64 * CELL_W,
                y as f64 * CELL_H + CELL_H * 0.78,
                key.0,
                cells as f64 * CELL_W,
            );
        }
    }
    out.push_str("</g>\n</svg>\n");
    out
}

/// (text colour, background colour or none), with reversed video applied.
fn colors(fg: Color, bg: Color, modifier: Modifier) -> (String, Option<String>) {
    let f = color_hex(fg);
    let b = color_hex(bg);
    if modifier.contains(Modifier::REVERSED) {
        (
            b.unwrap_or_else(|| BG.to_string()),
            Some(f.unwrap_or_else(|| FG.to_string())),
        )
    } else {
        (f.unwrap_or_else(|| FG.to_string()), b)
    }
}
