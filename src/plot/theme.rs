//! The one routetrend chart theme: embedded font, colours, line styles and the size presets.
//!
//! Every size (fonts, strokes, margins) is derived from the [`SizePreset`] so that a figure
//! reads the same at print size (`report`), on a projector (`slide`) and on a web page
//! (`web`). This module holds no layout logic; see `layout.rs` for where things go.

use std::sync::OnceLock;

use plotters::style::{register_font, FontDesc, FontStyle, RGBColor};

use super::{PlotError, SizePreset};

/// DejaVu Sans (Bitstream Vera licence, see `assets/LICENSE-DejaVu.txt`). Embedded so that
/// PNG text renders identically on any machine, with no system fonts and no fontconfig.
static DEJAVU_SANS: &[u8] = include_bytes!("../../assets/DejaVuSans.ttf");
static DEJAVU_SANS_BOLD: &[u8] = include_bytes!("../../assets/DejaVuSans-Bold.ttf");

/// The family name the embedded font is registered under. The SVG names it too (with
/// fallbacks of similar metrics, see `output.rs`), because SVG text is laid out by the viewer.
pub(crate) const FONT_FAMILY: &str = "DejaVu Sans";

/// plotters (ab_glyph) sizes text by the font's ascent - descent, not by the em:
/// DejaVu Sans has unitsPerEm 2048, hhea ascent 1901 and descent -483, so a plotters size of
/// `em * 1.1640625` gives text whose em is `em` pixels.
pub(crate) const HEIGHT_PER_EM: f64 = 2384.0 / 2048.0;

/// Registers the embedded fonts with plotters once per process (plotters keeps a global
/// font table). Later calls return the first outcome.
pub(crate) fn ensure_fonts() -> Result<(), PlotError> {
    static REGISTERED: OnceLock<Result<(), String>> = OnceLock::new();
    REGISTERED
        .get_or_init(|| {
            register_font(FONT_FAMILY, FontStyle::Normal, DEJAVU_SANS)
                .map_err(|_| "DejaVuSans.ttf is not a valid font".to_string())?;
            register_font(FONT_FAMILY, FontStyle::Bold, DEJAVU_SANS_BOLD)
                .map_err(|_| "DejaVuSans-Bold.ttf is not a valid font".to_string())?;
            Ok(())
        })
        .clone()
        .map_err(PlotError::Font)
}

/// The embedded font itself (regular or bold), for glyph outlines (the SVG's text).
pub(crate) fn font_ref(bold: bool) -> Result<&'static ab_glyph::FontRef<'static>, PlotError> {
    type Fonts = Result<(ab_glyph::FontRef<'static>, ab_glyph::FontRef<'static>), String>;
    static FONTS: OnceLock<Fonts> = OnceLock::new();
    let fonts = FONTS.get_or_init(|| {
        let parse = |bytes: &'static [u8], name: &str| {
            ab_glyph::FontRef::try_from_slice(bytes).map_err(|e| format!("{name}: {e}"))
        };
        Ok((
            parse(DEJAVU_SANS, "DejaVuSans.ttf")?,
            parse(DEJAVU_SANS_BOLD, "DejaVuSans-Bold.ttf")?,
        ))
    });
    match fonts {
        Ok((regular, bold_font)) => Ok(if bold { bold_font } else { regular }),
        Err(e) => Err(PlotError::Font(e.clone())),
    }
}

/// A plotters font description for text whose em is `em_px` pixels.
pub(crate) fn font(em_px: f64, bold: bool) -> FontDesc<'static> {
    let style = if bold {
        FontStyle::Bold
    } else {
        FontStyle::Normal
    };
    FontDesc::new(FONT_FAMILY.into(), em_px * HEIGHT_PER_EM, style)
}

/// Width in pixels of `text` set at `em_px`, with the metrics used for drawing.
pub(crate) fn text_width(text: &str, em_px: f64, bold: bool) -> Result<f64, PlotError> {
    if text.is_empty() {
        return Ok(0.0);
    }
    font(em_px, bold)
        .box_size(text)
        .map(|(w, _)| f64::from(w))
        .map_err(|e| PlotError::Font(format!("measuring {text:?}: {e:?}")))
}

/// Okabe & Ito (2008), "Color Universal Design": the colours that stay distinct for the
/// common colour-vision deficiencies, without their yellow (#F0E442, 1.2:1 on white: a
/// yellow line cannot be read). A chart never has more series than these
/// (`report::figure` makes small multiples or an "Other" series beyond).
pub(crate) const PALETTE: [RGBColor; 7] = [
    RGBColor(0x00, 0x72, 0xB2), // blue
    RGBColor(0xD5, 0x5E, 0x00), // vermillion
    RGBColor(0x00, 0x9E, 0x73), // bluish green
    RGBColor(0xE6, 0x9F, 0x00), // orange
    RGBColor(0xCC, 0x79, 0xA7), // reddish purple
    RGBColor(0x56, 0xB4, 0xE9), // sky blue
    RGBColor(0x00, 0x00, 0x00), // black
];

/// How many series one chart can tell apart by colour.
pub const DISTINCT_COLOURS: usize = PALETTE.len();

pub(crate) const WHITE: RGBColor = RGBColor(0xFF, 0xFF, 0xFF);
pub(crate) const TITLE_INK: RGBColor = RGBColor(0x1A, 0x1A, 0x1A);
pub(crate) const BODY_INK: RGBColor = RGBColor(0x33, 0x33, 0x33);
pub(crate) const MUTED_INK: RGBColor = RGBColor(0x59, 0x59, 0x59);
pub(crate) const GRID: RGBColor = RGBColor(0xDD, 0xDD, 0xDD);
pub(crate) const AXIS: RGBColor = RGBColor(0x4D, 0x4D, 0x4D);
pub(crate) const NO_DATA: RGBColor = RGBColor(0xF0, 0xF0, 0xF0);
pub(crate) const ANNOTATION: RGBColor = RGBColor(0x4D, 0x4D, 0x4D);

/// Colour of series `i` (charts keep within [`DISTINCT_COLOURS`]; beyond, small multiples
/// draw every panel in the first colour).
pub(crate) fn series_color(i: usize) -> RGBColor {
    PALETTE[i % PALETTE.len()]
}

/// `c` mixed with white: `amount` 0 keeps it, 1 is white (a light tint for bands, a faint
/// line).
pub(crate) fn tint(c: RGBColor, amount: f64) -> RGBColor {
    let mix = |v: u8| (f64::from(v) + (255.0 - f64::from(v)) * amount).round() as u8;
    RGBColor(mix(c.0), mix(c.1), mix(c.2))
}

/// A darker shade of `c` with at least 4.5:1 contrast on white (WCAG AA for small text),
/// for labels set in a series' colour. Colours that already pass are returned unchanged.
pub(crate) fn text_color(c: RGBColor) -> RGBColor {
    fn lin(v: f64) -> f64 {
        let v = v / 255.0;
        if v <= 0.04045 {
            v / 12.92
        } else {
            ((v + 0.055) / 1.055).powf(2.4)
        }
    }
    let luminance = |c: (f64, f64, f64)| 0.2126 * lin(c.0) + 0.7152 * lin(c.1) + 0.0722 * lin(c.2);
    let mut rgb = (f64::from(c.0), f64::from(c.1), f64::from(c.2));
    for _ in 0..40 {
        if 1.05 / (luminance(rgb) + 0.05) >= 4.5 {
            break;
        }
        rgb = (rgb.0 * 0.92, rgb.1 * 0.92, rgb.2 * 0.92);
    }
    RGBColor(
        rgb.0.round() as u8,
        rgb.1.round() as u8,
        rgb.2.round() as u8,
    )
}

/// Dash pattern of series `i`, in multiples of the line width (on, off, on, off, ...);
/// empty = solid. Together with the colour this keeps series apart in grey-scale print.
pub(crate) fn series_dash(i: usize) -> &'static [f64] {
    const PATTERNS: [&[f64]; 8] = [
        &[],
        &[5.0, 2.5],
        &[1.2, 1.6],
        &[7.0, 2.0, 1.5, 2.0],
        &[11.0, 3.0],
        &[3.0, 2.0],
        &[7.0, 2.0, 1.5, 2.0, 1.5, 2.0],
        &[],
    ];
    // After the first eight, shift the pattern against the colour so pairs stay unique.
    PATTERNS[(i + i / PALETTE.len()) % PATTERNS.len()]
}

/// Pixel sizes for one preset. All lengths are in output pixels.
#[derive(Debug, Clone)]
pub(crate) struct Theme {
    pub width: u32,
    pub height: u32,
    /// Dots per inch written into the PNG (pHYs) so that the figure places at its
    /// intended physical size.
    pub dpi: f64,
    /// The PNG is drawn at this multiple of its size and box-filtered down, which
    /// anti-aliases lines, areas and bars (plotters' bitmap rasteriser does not).
    pub supersample: u32,
    pub title_em: f64,
    pub subtitle_em: f64,
    pub body_em: f64,
    pub tick_em: f64,
    pub small_em: f64,
    pub line_w: f64,
    pub trend_w: f64,
    pub grid_w: f64,
    pub axis_w: f64,
    pub margin: f64,
}

impl Theme {
    pub(crate) fn new(preset: SizePreset) -> Self {
        // (width, height, dpi, px per pt, title, subtitle, body, tick, small, line pt)
        let (width, height, dpi, px_per_pt, title, subtitle, body, tick, small, line) = match preset
        {
            // 170 mm at 300 dpi = 2008 px; 105 mm high. Text 7-11 pt at print size.
            SizePreset::Report => (
                2008,
                1240,
                300.0,
                300.0 / 72.0,
                11.0,
                8.5,
                8.5,
                7.5,
                7.0,
                1.5,
            ),
            // A 13.33 x 7.5 in (16:9) slide at 144 dpi; text read from across a room.
            SizePreset::Slide => (1920, 1080, 144.0, 2.0, 24.0, 16.0, 15.0, 13.0, 12.0, 2.5),
            // 850 x 600 CSS px at 2x: 1 pt = 4/3 CSS px = 8/3 device px. Title 18.7 CSS px,
            // body 14 CSS px, ticks 12.7 CSS px, notes 12 CSS px.
            SizePreset::Web => (
                1700,
                1200,
                192.0,
                8.0 / 3.0,
                14.0,
                10.5,
                10.5,
                9.5,
                9.0,
                1.75,
            ),
        };
        Theme {
            width,
            height,
            dpi,
            supersample: 2,
            title_em: title * px_per_pt,
            subtitle_em: subtitle * px_per_pt,
            body_em: body * px_per_pt,
            tick_em: tick * px_per_pt,
            small_em: small * px_per_pt,
            line_w: line * px_per_pt,
            trend_w: line * 0.7 * px_per_pt,
            grid_w: (0.4 * px_per_pt).max(1.0),
            axis_w: (0.75 * px_per_pt).max(1.0),
            margin: body * px_per_pt * 1.3,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Every character a figure may print in a language (its catalog, and the names in
    /// Russian of the built-in reference tables) has a glyph in both embedded DejaVu Sans
    /// faces: no tofu box in a Russian chart.
    #[test]
    fn every_character_of_the_catalogs_and_names_has_a_glyph() {
        use ab_glyph::Font;
        let reference = crate::model::Reference::load(None).unwrap();
        let mut texts: Vec<String> = crate::i18n::Language::ALL
            .iter()
            .map(|l| l.catalog().to_string())
            .collect();
        texts.extend(reference.country_names_ru.values().cloned());
        texts.extend(reference.regions.iter().filter_map(|r| r.name_ru.clone()));
        texts.extend(reference.drugs.iter().filter_map(|d| d.name_ru.clone()));
        texts.extend(reference.groups.iter().filter_map(|g| g.name_ru.clone()));
        texts.extend(reference.routes.iter().filter_map(|r| r.name_ru.clone()));
        // What the number formats write besides digits: minus sign, scientific notation.
        texts.push("\u{2212}·⁰¹²³⁴⁵⁶⁷⁸⁹⁻\u{a0}".into());
        assert!(texts.len() > 400);
        for bold in [false, true] {
            let font = font_ref(bold).unwrap();
            let missing: std::collections::BTreeSet<char> = texts
                .iter()
                .flat_map(|t| t.chars())
                .filter(|c| !c.is_control())
                .filter(|c| font.glyph_id(*c).0 == 0)
                .collect();
            assert!(
                missing.is_empty(),
                "no glyph (bold: {bold}) for {missing:?}"
            );
        }
    }

    #[test]
    fn label_colours_reach_aa_contrast_and_dark_colours_are_kept() {
        assert_eq!(text_color(PALETTE[0]), PALETTE[0]);
        assert_eq!(text_color(PALETTE[6]), PALETTE[6]);
        let sky = text_color(PALETTE[5]);
        assert!(
            sky != PALETTE[5] && sky.2 < 0xE9,
            "sky blue is darkened for text: {sky:?}"
        );
    }

    #[test]
    fn embedded_font_registers_and_measures() {
        ensure_fonts().unwrap();
        let w = text_width("2017Q1", 30.0, false).unwrap();
        // DejaVu Sans digits advance 0.636 em, "Q" 0.787 em: 5 * 0.636 + 0.787 = 3.967 em.
        assert!((w - 3.967 * 30.0).abs() < 3.0, "{w}");
    }
}
