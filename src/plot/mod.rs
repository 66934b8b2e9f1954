//! Report figures: one theme, five chart kinds, PNG and SVG with byte-identical re-renders.
//!
//! [`render`] turns a [`Chart`] (series already selected and aggregated by the caller) into a
//! PNG and an SVG at a [`SizePreset`], and returns a [`RenderInfo`] holding the exact plotted
//! points (after unit scaling, stacking and share normalisation) so that the caller can write
//! them beside the figure. It decides nothing about files beyond writing those two paths: no
//! CSV, JSON or slug naming here (that is `report/`).
//!
//! Rules the module enforces rather than leaves to callers:
//! - **Gaps stay gaps.** A `None` value, or a period missing from a series on the chart's
//!   time grid, breaks the line; an isolated point between gaps gets a marker. A stacked or
//!   100 % area never treats a missing member as zero: periods where any member is missing are
//!   left blank (shaded "No data") and listed in [`RenderInfo::skipped_periods`]. A missing
//!   bar is not drawn; a zero bar is drawn as a hairline, so the two are never confused.
//! - **Units by magnitude.** Weights are given in kg and shown in kg, or in tonnes when the
//!   largest plotted value reaches 10,000 kg; shares (0..1) are shown in percent; tick labels
//!   carry thousands separators.
//! - **Never colour alone.** Okabe-Ito colours plus a dash pattern per series, and direct
//!   labels at line ends where they fit (a legend outside the plot otherwise).
//! - **Same input, same bytes.** No timestamps, no hash-ordered drawing, fonts embedded
//!   (DejaVu Sans, licence in `assets/LICENSE-DejaVu.txt`). The PNG is rasterised with the
//!   embedded font; the SVG keeps text as text naming DejaVu Sans (with metric-compatible
//!   fallbacks), laid out with the same metrics.
//!
//! Not here: choosing which series to plot, statistics (trend slopes and change points arrive
//! computed), and file naming.

mod axes;
mod frame;
mod geometry;
mod layout;
mod legend;
mod map;
mod marks;
mod output;
mod panels;
mod prepare;
mod projection;
mod scale;
mod scene;
mod single;
mod text;
mod theme;

use std::fmt;
use std::path::{Path, PathBuf};

use crate::i18n::Language;

pub use crate::display::format_number;
pub use crate::model::Unit;
pub use map::{
    map_scale, render_map, MapChart, MapClass, MapInfo, MapPanel, MapRoute, MapScale, MappedCountry,
};
pub use scale::DisplayUnit;
pub use theme::DISTINCT_COLOURS;

/// What kind of figure to draw.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ChartKind {
    /// One line per series over time, optionally with a trend line and a change-point marker.
    Line,
    /// Series stacked in the given order (first at the bottom) from a zero baseline.
    StackedArea,
    /// Like `StackedArea`, each period normalised to 100 % over the series.
    ShareArea,
    /// One group per period, one bar per series in the given order.
    GroupedBars,
    /// One line panel per series on a grid ([`Chart::columns`] wide), shared x axis.
    SmallMultiples,
}

/// Output size. Fonts, strokes and margins scale with it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SizePreset {
    /// 170 mm wide at 300 dpi (2008 x 1240 px), text 7-11 pt at print size.
    Report,
    /// 1920 x 1080 px for a 16:9 slide.
    Slide,
    /// 850 x 600 CSS px at 2x (1700 x 1200 px).
    Web,
}

impl SizePreset {
    /// Pixel size of the PNG (and the SVG's viewBox).
    pub fn pixels(self) -> (u32, u32) {
        let t = theme::Theme::new(self);
        (t.width, t.height)
    }

    /// The preset's name as used in pipeline files: `report`, `slide`, `web`.
    pub fn name(self) -> &'static str {
        match self {
            SizePreset::Report => "report",
            SizePreset::Slide => "slide",
            SizePreset::Web => "web",
        }
    }
}

/// How small multiples scale their y axes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PanelY {
    /// One y range for every panel: panels compare magnitudes.
    Shared,
    /// Each panel fits its own data: panels compare shapes.
    Independent,
}

/// One named series. `x` is time in years (2016.0; 2017.25 is 2017Q2), `None` is a gap
/// (not reported). Points may come in any order; an x may appear once.
#[derive(Debug, Clone, PartialEq)]
pub struct Series {
    pub name: String,
    pub points: Vec<(f64, Option<f64>)>,
    /// The x of values that are incomplete (a total or share whose members do not all
    /// report): lines draw them with a hollow marker and dotted segments to them.
    pub incomplete: Vec<f64>,
}

impl Series {
    pub fn new(name: impl Into<String>, points: Vec<(f64, Option<f64>)>) -> Self {
        Series {
            name: name.into(),
            points,
            incomplete: Vec::new(),
        }
    }

    /// The series with the values at `xs` marked incomplete.
    pub fn with_incomplete(mut self, xs: Vec<f64>) -> Self {
        self.incomplete = xs;
        self
    }
}

/// A straight trend line drawn over one series, from `start` to `end` in data units
/// (x in years, y in the series' unit, e.g. kg). The caller computes it (e.g. Sen's slope).
#[derive(Debug, Clone, PartialEq)]
pub struct TrendLine {
    /// Index into [`Chart::series`].
    pub series: usize,
    pub start: (f64, f64),
    pub end: (f64, f64),
    /// Shown as a direct label or legend entry, e.g. "Trend (Sen): -180 kg/year".
    pub label: String,
    /// A trend that its test does not find significant, drawn faint (lighter, dotted).
    pub faint: bool,
    /// The slope's confidence band as a polygon in data units (drawn as a light tint
    /// under the line), when asked for.
    pub band: Vec<(f64, f64)>,
}

/// A marker at a change point of one series: a vertical rule at `x` and a label above the plot.
#[derive(Debug, Clone, PartialEq)]
pub struct ChangePoint {
    /// Index into [`Chart::series`].
    pub series: usize,
    pub x: f64,
    /// e.g. "Change point 2011 (Pettitt, p = 0.01)".
    pub label: String,
}

/// A labelled vertical marker at a period (a policy change, an event the report discusses).
#[derive(Debug, Clone, PartialEq)]
pub struct Event {
    pub x: f64,
    pub label: String,
}

/// Everything a figure shows. Build with struct-update syntax from [`Chart::default`].
#[derive(Debug, Clone, PartialEq)]
pub struct Chart {
    /// The language of the chart's own words (axis titles, "Source:", "No data", ticks).
    pub language: Language,
    pub kind: ChartKind,
    pub title: String,
    /// What is measured, unit, geography and period, e.g. "Heroin seized, tonnes, 2000-2022".
    pub subtitle: String,
    /// Shown as "Source: ...".
    pub source: String,
    /// Each shown as its own "Note: ..." paragraph under the source line.
    pub notes: Vec<String>,
    /// The measure on the y axis, without unit (the unit is appended), e.g. "Heroin seized".
    pub y_label: String,
    pub unit: Unit,
    pub series: Vec<Series>,
    pub trend: Option<TrendLine>,
    pub change_point: Option<ChangePoint>,
    /// Small multiples: shared or independent y axes.
    pub panel_y: PanelY,
    /// Small multiples: panels per row (0 = 3).
    pub columns: usize,
    pub size: SizePreset,
    /// Text alternative for the SVG `<desc>` and the PNG description; generated from the data
    /// when `None`.
    pub alt_text: Option<String>,
    /// The value axis' bounds, in the series' unit, where the figure fixes them (else from 0
    /// to the data); every value must lie within them.
    pub y_min: Option<f64>,
    pub y_max: Option<f64>,
    /// Labelled vertical markers, each on a label row of its own above the plot (small
    /// multiples: the rules only).
    pub events: Vec<Event>,
    /// What the values are, where they are no longer in `unit` (an index: "2010 = 100"):
    /// shown as they are, under this label.
    pub value_label: Option<String>,
    /// A base-10 logarithmic value axis (lines only; every value positive).
    pub log_scale: bool,
}

impl Default for Chart {
    fn default() -> Self {
        Chart {
            language: Language::En,
            kind: ChartKind::Line,
            title: String::new(),
            subtitle: String::new(),
            source: String::new(),
            notes: Vec::new(),
            y_label: String::new(),
            unit: Unit::Count,
            series: Vec::new(),
            trend: None,
            change_point: None,
            panel_y: PanelY::Shared,
            columns: 0,
            size: SizePreset::Report,
            y_min: None,
            y_max: None,
            events: Vec::new(),
            value_label: None,
            log_scale: false,
            alt_text: None,
        }
    }
}

/// One plotted point, in display units (the unit of [`RenderInfo::y_unit`]).
#[derive(Debug, Clone, PartialEq)]
pub struct PlottedPoint {
    pub x: f64,
    /// "2016" or "2017Q2".
    pub period: String,
    /// The value as plotted (scaled to t, or normalised to percent); `None` = not drawn.
    pub y: Option<f64>,
    /// Lower edge of the drawn band for stacked and share areas (the top of the series
    /// below); `None` for lines and bars.
    pub y_base: Option<f64>,
}

/// The plotted points of one series.
#[derive(Debug, Clone, PartialEq)]
pub struct PlottedSeries {
    pub name: String,
    pub points: Vec<PlottedPoint>,
}

/// A period left blank in a stacked or share area, and why.
#[derive(Debug, Clone, PartialEq)]
pub struct SkippedPeriod {
    pub x: f64,
    pub period: String,
    pub reason: String,
}

/// What [`render`] drew.
#[derive(Debug, Clone, PartialEq)]
pub struct RenderInfo {
    /// PNG size in pixels (also the SVG viewBox).
    pub width: u32,
    pub height: u32,
    /// Resolution written into the PNG.
    pub dpi: f64,
    /// Unit of the plotted y values: "kg", "t", "%", or the unit's code ("count", "ratio").
    pub y_unit: String,
    /// Input values were divided by this to get plotted values (1000 for kg shown as t; for
    /// share areas each value is divided by its period's total and multiplied by 100 instead).
    pub y_divisor: f64,
    pub series: Vec<PlottedSeries>,
    pub skipped_periods: Vec<SkippedPeriod>,
    /// The trend line as plotted (display units), if any.
    pub trend: Option<((f64, f64), (f64, f64))>,
    /// The text in the SVG `<desc>` and the PNG `Description` chunk.
    pub alt_text: String,
}

/// Why a chart could not be rendered. Nothing in this module panics on bad input.
#[derive(Debug)]
pub enum PlotError {
    /// The chart has no series.
    EmptyChart,
    /// No series has a single period, not even a gap: there is no time axis (a series of
    /// gaps only is drawn, shaded "No data").
    NoData { series: String },
    /// A NaN or infinite x or y.
    NonFinite { series: String, what: String },
    /// The same period twice in one series.
    DuplicatePeriod { series: String, period: String },
    /// A negative value where the chart kind stacks values.
    NegativeValue {
        series: String,
        period: String,
        value: f64,
    },
    /// A trend line or change point names a series that does not exist.
    BadSeriesIndex {
        what: &'static str,
        index: usize,
        series_count: usize,
    },
    /// The chart kind cannot show this (e.g. a trend line on a share area).
    NotSupported { what: &'static str, kind: ChartKind },
    /// The text (title, notes, labels) leaves no room for the plot at this size.
    Layout(String),
    /// The embedded font could not be registered or used.
    Font(String),
    /// plotters failed while drawing.
    Draw(String),
    /// A map needs the outline of a country the boundary file does not have.
    MissingOutline(String),
    /// Writing an output file failed.
    Io {
        path: PathBuf,
        source: std::io::Error,
    },
}

impl fmt::Display for PlotError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            PlotError::EmptyChart => write!(f, "chart has no series; expected at least one"),
            PlotError::NoData { series } => {
                write!(
                    f,
                    "series {series:?} has no periods at all: nothing to draw a time axis for"
                )
            }
            PlotError::NonFinite { series, what } => {
                write!(f, "series {series:?}: {what} is not a finite number")
            }
            PlotError::DuplicatePeriod { series, period } => {
                write!(f, "series {series:?} has period {period} more than once")
            }
            PlotError::NegativeValue {
                series,
                period,
                value,
            } => write!(
                f,
                "series {series:?} has negative value {value} in {period}; stacked and share \
                 areas need values >= 0"
            ),
            PlotError::BadSeriesIndex {
                what,
                index,
                series_count,
            } => write!(
                f,
                "{what} refers to series {index}, but the chart has {series_count} series \
                 (valid: 0..{series_count})"
            ),
            PlotError::NotSupported { what, kind } => write!(
                f,
                "a {what} cannot be drawn on a {kind:?} chart; it is supported on Line and \
                 SmallMultiples"
            ),
            PlotError::Layout(m) => write!(f, "layout: {m}"),
            PlotError::Font(m) => write!(f, "embedded font: {m}"),
            PlotError::Draw(m) => write!(f, "drawing failed: {m}"),
            PlotError::MissingOutline(iso3) => write!(
                f,
                "{iso3} has no outline in the map's boundary file (data/reference/map/countries.geojson); \
                 a map can draw the countries it has"
            ),
            PlotError::Io { path, source } => write!(f, "writing {}: {source}", path.display()),
        }
    }
}

impl std::error::Error for PlotError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            PlotError::Io { source, .. } => Some(source),
            _ => None,
        }
    }
}

/// The unit the chart's value axis will show (`t` for large weights, `%` for shares): one
/// choice per chart, for its subtitle, labels and alt text to agree with the axis. For a
/// 100 % share area, the unit of its values (the axis shows percentages of their total).
pub fn display_unit(chart: &Chart) -> Result<DisplayUnit, PlotError> {
    let prepared = prepare::prepare(chart)?;
    Ok(if chart.kind == ChartKind::ShareArea {
        let max_abs = chart
            .series
            .iter()
            .flat_map(|s| s.points.iter().filter_map(|p| p.1))
            .fold(0.0, |m: f64, v| m.max(v.abs()));
        scale::display_unit(chart.unit, max_abs)
    } else {
        prepared.unit
    })
}

/// Renders `chart` to a PNG at `png` and an SVG at `svg` (both overwritten).
///
/// The same chart always gives byte-identical files. The SVG carries the title and alt text
/// in `<title>` and `<desc>` and references nothing outside itself; the PNG carries its
/// resolution (pHYs) and the same title and description (iTXt).
pub fn render(chart: &Chart, png: &Path, svg: &Path) -> Result<RenderInfo, PlotError> {
    theme::ensure_fonts()?;
    let theme = theme::Theme::new(chart.size);
    let prepared = prepare::prepare(chart)?;
    let scene = layout::layout(chart, &prepared, &theme)?;
    let alt_text = match &chart.alt_text {
        Some(t) => text::clean(t),
        None => prepare::describe(chart, &prepared),
    };
    let title = text::clean(&chart.title);
    output::write_png(&scene, &theme, png, &title, &alt_text)?;
    output::write_svg(&scene, &theme, svg, &title, &alt_text)?;
    Ok(prepared.into_info(&theme, alt_text))
}
