//! Text for the layout: cleaning caller strings, measuring them with the embedded font's
//! metrics, wrapping them to a width, and placing wrapped blocks in a [`Scene`].
//!
//! Line spacing and the ink box of a block are decided here once, so headers, footers,
//! legends, labels and panel headers all measure alike (and the alt text is cleaned like the
//! title). Not here: where a block goes (the layout modules) or how glyphs reach pixels
//! (`scene.rs`, `output.rs`).

use plotters::style::RGBColor;

use super::scene::{Align, Scene, ASCENT_EM, DESCENT_EM};
use super::theme;
use super::PlotError;

/// Baseline-to-baseline distance of wrapped lines, in em.
const LINE_SPACING: f64 = 1.22;

/// Removes characters that cannot appear in XML or would garble a text line (control
/// characters other than line breaks) and trims the ends. Line breaks are kept: titles,
/// subtitles and notes honour them.
pub(crate) fn clean(s: &str) -> String {
    s.chars()
        .filter(|c| *c != '\r')
        .map(|c| {
            if c == '\n' {
                '\n'
            } else if c.is_control() || c == '\u{FFFE}' || c == '\u{FFFF}' {
                ' '
            } else {
                c
            }
        })
        .collect::<String>()
        .trim()
        .to_string()
}

/// [`clean`] for single-line text (series names, labels): line breaks become spaces.
pub(crate) fn clean_line(s: &str) -> String {
    clean(s).replace('\n', " ")
}

/// Greedy word wrap to `max_w` pixels; honours '\n'; breaks words longer than a line. A
/// no-break space (U+00A0, U+202F, U+2007: the Russian digit grouping, "92,6 %") holds its
/// neighbours on one line.
pub(crate) fn wrap(text: &str, em: f64, bold: bool, max_w: f64) -> Result<Vec<String>, PlotError> {
    let breaks = |c: char| c.is_whitespace() && !matches!(c, '\u{a0}' | '\u{202f}' | '\u{2007}');
    let mut lines = Vec::new();
    for para in text.split('\n') {
        let mut line = String::new();
        for word in para.split(breaks).filter(|w| !w.is_empty()) {
            let candidate = if line.is_empty() {
                word.to_string()
            } else {
                format!("{line} {word}")
            };
            if theme::text_width(&candidate, em, bold)? <= max_w {
                line = candidate;
                continue;
            }
            if !line.is_empty() {
                lines.push(std::mem::take(&mut line));
            }
            // The word alone may still be too long: cut it by characters.
            let mut piece = String::new();
            for ch in word.chars() {
                piece.push(ch);
                if theme::text_width(&piece, em, bold)? > max_w && piece.chars().count() > 1 {
                    piece.pop();
                    lines.push(std::mem::take(&mut piece));
                    piece.push(ch);
                }
            }
            line = piece;
        }
        if !line.is_empty() {
            lines.push(line);
        }
    }
    Ok(lines)
}

/// Places `lines` with their ink starting at `top`; returns the y of the last line's ink bottom.
#[allow(clippy::too_many_arguments)]
pub(super) fn text_block(
    scene: &mut Scene,
    lines: &[String],
    x: f64,
    top: f64,
    em: f64,
    bold: bool,
    color: RGBColor,
    align: Align,
) -> Result<f64, PlotError> {
    let mut baseline = top + ASCENT_EM * em;
    let mut bottom = top;
    for line in lines {
        scene.text(line, x, baseline, em, bold, color, align)?;
        bottom = baseline + DESCENT_EM * em;
        baseline += LINE_SPACING * em;
    }
    Ok(bottom)
}

/// Height of a block of `n` lines as placed by [`text_block`].
pub(super) fn block_height(n: usize, em: f64) -> f64 {
    if n == 0 {
        0.0
    } else {
        (ASCENT_EM + DESCENT_EM) * em + (n - 1) as f64 * LINE_SPACING * em
    }
}

/// Widest of the given labels at `em`.
pub(super) fn widest(labels: impl IntoIterator<Item = String>, em: f64) -> Result<f64, PlotError> {
    let mut w: f64 = 0.0;
    for l in labels {
        w = w.max(theme::text_width(&l, em, false)?);
    }
    Ok(w)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn clean_removes_control_characters() {
        assert_eq!(clean("a\u{0}b\r\n c\t"), "a b\n c");
        assert_eq!(clean_line("a\nb"), "a b");
    }

    #[test]
    fn wrap_breaks_at_spaces_and_honours_newlines() {
        crate::plot::theme::ensure_fonts().unwrap();
        let lines = wrap("one two three four\nfive", 20.0, false, 120.0).unwrap();
        assert!(lines.len() >= 3, "{lines:?}");
        assert_eq!(lines.last().unwrap(), "five");
        for l in &lines {
            assert!(crate::plot::theme::text_width(l, 20.0, false).unwrap() <= 120.0);
        }
    }

    #[test]
    fn wrap_keeps_numbers_grouped_with_no_break_spaces_whole() {
        crate::plot::theme::ensure_fonts().unwrap();
        let width = crate::plot::theme::text_width("от −2 000 до", 20.0, false).unwrap();
        let lines = wrap("от −2\u{a0}000 до −1\u{a0}000", 20.0, false, width + 1.0).unwrap();
        assert_eq!(lines, ["от −2\u{a0}000 до", "−1\u{a0}000"]);
    }
}
