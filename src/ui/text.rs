//! Where a line of text may break: word wrapping and shortening at word
//! boundaries. Every panel that draws text narrower than it wants goes
//! through here, so that nothing on screen is cut in the middle of a word
//! (a word longer than the whole width is the one exception: it is cut,
//! since it cannot be shown at all otherwise).

use ratatui::style::Style;
use ratatui::text::{Line, Span};

/// Columns `s` takes on screen.
pub fn width(s: &str) -> usize {
    Span::raw(s).width()
}

fn char_width(c: char) -> usize {
    let mut b = [0u8; 4];
    width(c.encode_utf8(&mut b))
}

/// `text`'s words (split at whitespace) laid out greedily into lines at
/// most `max` columns wide. A word wider than `max` is split (the only cut
/// inside a word). An empty text gives no lines.
pub fn wrap(text: &str, max: usize) -> Vec<String> {
    let max = max.max(1);
    let mut lines = Vec::new();
    let mut line = String::new();
    let mut used = 0usize;
    for word in text.split_whitespace() {
        let w = width(word);
        if used > 0 && used + 1 + w <= max {
            line.push(' ');
            line.push_str(word);
            used += 1 + w;
            continue;
        }
        if used > 0 {
            lines.push(std::mem::take(&mut line));
            used = 0;
        }
        if w <= max {
            line.push_str(word);
            used = w;
            continue;
        }
        // A word wider than a line: split it where it must be.
        for c in word.chars() {
            let cw = char_width(c);
            if used + cw > max && used > 0 {
                lines.push(std::mem::take(&mut line));
                used = 0;
            }
            line.push(c);
            used += cw;
        }
    }
    if used > 0 {
        lines.push(line);
    }
    lines
}

/// `line` if it fits in `max` columns; otherwise its longest beginning that
/// ends at a word boundary, followed by `ellipsis` (in `style`), together
/// at most `max` wide. Spans keep their styles. A first word that alone
/// does not fit is cut (see the module docs).
pub fn fit(line: Line<'static>, max: usize, ellipsis: &str, style: Style) -> Line<'static> {
    if line.width() <= max {
        return line;
    }
    let room = max.saturating_sub(width(ellipsis));
    // Every character with its style, and the widths before each one.
    let chars: Vec<(char, Style)> = line
        .spans
        .iter()
        .flat_map(|s| {
            let st = line.style.patch(s.style);
            s.content.chars().map(move |c| (c, st))
        })
        .collect();
    let mut cut = 0usize; // characters kept, and their width
    let mut cut_w = 0usize;
    let mut at_word_end = None; // the last cut that ends a word and fits
    for (i, &(c, _)) in chars.iter().enumerate() {
        let w = char_width(c);
        if cut_w + w > room {
            break;
        }
        cut_w += w;
        cut = i + 1;
        let next_is_space = chars.get(i + 1).is_some_and(|(n, _)| n.is_whitespace());
        if !c.is_whitespace() && next_is_space {
            at_word_end = Some((i + 1, cut_w));
        }
    }
    let (keep, kept_w) = at_word_end.unwrap_or((cut, cut_w));
    let mut spans: Vec<Span<'static>> = Vec::new();
    for &(c, st) in &chars[..keep] {
        match spans.last_mut() {
            Some(last) if last.style == st => last.content.to_mut().push(c),
            _ => spans.push(Span::styled(c.to_string(), st)),
        }
    }
    // "word …" reads as "and more", when the gap fits.
    if at_word_end.is_some() && kept_w + 1 + width(ellipsis) <= max {
        spans.push(Span::raw(" "));
    }
    spans.push(Span::styled(ellipsis.to_string(), style));
    let mut out = Line::from(spans);
    out.alignment = line.alignment;
    out
}

/// Does every word of `shown` appear, in order, as a whole word of `text`,
/// starting from its first word (ignoring `ignore`, e.g. an ellipsis)? True
/// when `shown` is a word-for-word beginning of `text`: nothing in it was
/// cut inside a word.
pub fn is_word_prefix(shown: &str, text: &str, ignore: &[&str]) -> bool {
    let mut want = text.split_whitespace();
    shown
        .split_whitespace()
        .filter(|w| !ignore.contains(w))
        .all(|w| want.next() == Some(w))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn plain(line: &Line<'_>) -> String {
        line.spans.iter().map(|s| s.content.as_ref()).collect()
    }

    #[test]
    fn wrap_breaks_between_words_only() {
        let text = "the quick brown fox jumps over the lazy dog";
        let lines = wrap(text, 10);
        assert_eq!(
            lines,
            ["the quick", "brown fox", "jumps over", "the lazy", "dog"]
        );
        assert!(lines.iter().all(|l| width(l) <= 10));
        assert_eq!(lines.join(" "), text);
        assert!(wrap("", 10).is_empty());
        assert_eq!(wrap("abcdefghij", 4), ["abcd", "efgh", "ij"]);
    }

    #[test]
    fn fit_cuts_at_a_word_boundary_and_says_so() {
        let line = Line::from(vec![
            Span::raw("R0 parked: "),
            Span::styled("ring empty, 1 receiver waiting", Style::new().bold()),
        ]);
        let out = fit(line.clone(), 30, "…", Style::new());
        assert_eq!(plain(&out), "R0 parked: ring empty, 1 …");
        assert!(out.width() <= 30);
        assert!(is_word_prefix(&plain(&out), &plain(&line), &["…"]));
        // The styles stay with their characters.
        assert_eq!(out.spans[1].content, "ring empty, 1");
        assert_eq!(out.spans[1].style, Style::new().bold());
        // A line that fits is left alone.
        assert_eq!(fit(line.clone(), 41, "…", Style::new()), line);
        // One long word is cut: nothing else would show anything.
        assert_eq!(
            plain(&fit(Line::raw("abcdefghij"), 5, "~", Style::new())),
            "abcd~"
        );
    }

    #[test]
    fn word_prefix_catches_a_cut_word() {
        let text = "one producer, three consumers";
        assert!(is_word_prefix("one producer, three …", text, &["…"]));
        assert!(!is_word_prefix("one producer, thr", text, &[]));
        assert!(!is_word_prefix("one consumers", text, &[]));
    }
}
