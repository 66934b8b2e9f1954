//! Numbers and text for people: thousands grouping, numbers rounded for reading, and the
//! escaping that keeps data-derived text inert in Markdown and HTML. One home for each, used
//! by analysis (claim verdicts), the tables' Markdown, the charts and the report.
//!
//! Not here: machine formats (CSV and Parquet keep full precision, see [`crate::files`]).

use crate::i18n::{Language, Texts};

/// `value` with `decimals` decimals and a comma every three integer digits (English, as
/// [`Texts::number`] writes it; other languages: `Texts::of(language)`):
/// `format_number(12000.0, 0) == "12,000"`, `format_number(-1234.5, 1) == "-1,234.5"`.
/// A value that rounds to zero is written without a sign.
///
/// ```
/// use routetrend::display::format_number;
/// assert_eq!(format_number(1_234_567.891, 2), "1,234,567.89");
/// assert_eq!(format_number(-0.0001, 1), "0.0");
/// ```
pub fn format_number(value: f64, decimals: usize) -> String {
    Texts::of(Language::En).number(value, decimals)
}

/// `text` with its first letter in upper case: "heroin" -> "Heroin".
pub fn capitalised(text: &str) -> String {
    let mut chars = text.chars();
    match chars.next() {
        Some(first) => first.to_uppercase().chain(chars).collect(),
        None => String::new(),
    }
}

/// A number rounded for reading: thousands separators above 1,000, else 3 significant digits
/// (English, as [`Texts::readable`] writes it).
pub fn readable(v: f64) -> String {
    Texts::of(Language::En).readable(v)
}

/// Whether `c` is a control character (other than a line break or tab) or a noncharacter:
/// invisible, garbling a line, or not allowed in XML. Data-derived text shows it as a space.
fn unprintable(c: char) -> bool {
    (c.is_control() && c != '\n' && c != '\t') || c == '\u{FFFE}' || c == '\u{FFFF}'
}

/// Escapes text for Markdown (a paragraph, list item, heading or table cell) so that
/// data-derived text stays text in every renderer (CommonMark, GFM, python-markdown, Pandoc):
/// the characters that open links, images, emphasis, code and tables are backslash-escaped
/// (`[click](javascript:...)` and `![t](http://...)` stay literal), `<` and `&` become
/// entities (no raw HTML, no autolink), line breaks and control characters become spaces,
/// and a leading character that would start a heading, quote or list is escaped.
///
/// ```
/// use routetrend::display::markdown_escape;
/// assert_eq!(markdown_escape("[x](javascript:a) ![i](http://h/p.png)"),
///            "\\[x\\](javascript:a) !\\[i\\](http://h/p.png)");
/// assert_eq!(markdown_escape("# a|b_c"), "\\# a\\|b\\_c");
/// ```
pub fn markdown_escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len() + 8);
    if text.starts_with(['#', '>', '-', '+', '=']) {
        out.push('\\');
    }
    out.push_str(&markdown_cell(text));
    out
}

/// [`markdown_escape`] for a table cell, where a leading `-` or `#` starts no block
/// (`-119.84 kg` stays as it is).
pub fn markdown_cell(text: &str) -> String {
    let mut out = String::with_capacity(text.len() + 8);
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '\n' | '\r' => out.push(' '),
            '\\' | '`' | '*' | '_' | '[' | ']' | '|' | '~' => {
                out.push('\\');
                out.push(c);
            }
            c if unprintable(c) => out.push(' '),
            c => out.push(c),
        }
    }
    out
}

/// Escapes text for HTML and XML (element content and attribute values; the SVG charts
/// too); control characters become spaces.
pub fn html_escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c if unprintable(c) => out.push(' '),
            c => out.push(c),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn thousands_separators() {
        assert_eq!(format_number(0.0, 0), "0");
        assert_eq!(format_number(999.0, 0), "999");
        assert_eq!(format_number(1000.0, 0), "1,000");
        assert_eq!(format_number(12000.0, 0), "12,000");
        assert_eq!(format_number(123456789.0, 0), "123,456,789");
        assert_eq!(format_number(-1234.5, 1), "-1,234.5");
        assert_eq!(format_number(2.5, 1), "2.5");
    }

    #[test]
    fn readable_numbers() {
        assert_eq!(readable(3226.8), "3,227");
        assert_eq!(readable(-1234567.0), "-1,234,567");
        assert_eq!(readable(12.3456), "12.35");
        assert_eq!(readable(0.0123456), "0.0123");
        assert_eq!(readable(0.000012), "1.20e-5");
        assert_eq!(readable(2.0), "2");
    }

    #[test]
    fn markdown_cells_are_inert() {
        assert_eq!(markdown_escape("a|<script>"), "a\\|&lt;script>");
        assert_eq!(markdown_escape("a\u{7}b\rc\u{1b}[0m"), "a b c \\[0m");
        assert_eq!(markdown_escape("-1.5 kg"), "\\-1.5 kg");
        assert_eq!(markdown_cell("-1.5 kg"), "-1.5 kg");
        assert_eq!(markdown_cell("[x](y)"), "\\[x\\](y)");
    }

    #[test]
    fn html_escape_makes_markup_inert() {
        assert_eq!(
            html_escape("<script>alert('x')</script> & \"q\""),
            "&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt; &amp; &quot;q&quot;"
        );
        assert_eq!(html_escape("a\u{0}b\u{85}c\nd"), "a b c\nd");
    }
}
