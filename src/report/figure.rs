//! A figure as published: its declaration ([`FigureSpec`]), the [`Chart`] that
//! `crate::plot` draws, its subtitle, notes and alt text, the CSV of its plotted points and
//! its JSON sidecar ([`FigureSidecar`], read back by the report). Everything is composed
//! from what the analyze stage computed: the drawn series ([`Plotted`]) and the trends
//! table's row for the series whose statistics the figure shows ([`TrendFacts`]), so a
//! figure's trend line, change point and alt-text numbers are the table's.
//!
//! Pure: no files (the plot stage reads the tables and writes the outputs). Same inputs,
//! same bytes: no timestamps.

use std::collections::{BTreeMap, BTreeSet};

use serde::{Deserialize, Serialize};

use super::map::MapSpec;
use crate::analysis::figure::{FigureSeries, SourceKind};
use crate::analysis::series::SeriesKey;
use crate::analysis::series::Window;
use crate::analysis::trend::{is_significant, TOO_SHORT};
use crate::error::Error;
use crate::files::csv_string;
use crate::i18n::{Arg, Language, Texts};
use crate::model::unit::decimal_sum;
use crate::model::Period;
use crate::model::Unit;
use crate::plot::{
    self, ChangePoint, Chart, ChartKind, DisplayUnit, Event, PanelY, RenderInfo, Series,
    SizePreset, TrendLine,
};

/// A figure declared in the pipeline.
#[derive(Clone, Debug)]
pub struct FigureSpec {
    pub slug: String,
    pub kind: ChartKind,
    pub title: String,
    pub subtitle: Option<String>,
    pub y_label: String,
    pub size: SizePreset,
    pub window: Window,
    pub series: Vec<FigureSeries>,
    /// Index of the series that gets a Sen trend line (where its trend is significant).
    pub trend: Option<usize>,
    /// Draw the trend line even when not significant, faint (`trend_always = true`).
    pub trend_always: bool,
    /// Draw the Sen slope's confidence band under the line (`trend_band = true`).
    pub trend_band: bool,
    /// A logarithmic value axis (`scale = "log"`; lines only, every value positive).
    pub log_scale: bool,
    /// Each series as an index, 100 at this period (`index = 2010`).
    pub index: Option<Period>,
    /// Labelled vertical markers (`events = [{ period = "2001", label = "..." }]`).
    pub events: Vec<(Period, String)>,
    /// Fixed bounds of the value axis, in the series' unit (`y_min`, `y_max`).
    pub y_min: Option<f64>,
    pub y_max: Option<f64>,
    /// Index of the series that gets a Pettitt change point (drawn when p < alpha).
    pub change_point: Option<usize>,
    pub notes: Vec<String>,
    /// The figure's own source line (`source`); else from its inputs ([`RunFacts`]).
    pub source: Option<String>,
    /// The report's caption of the figure (`caption`), instead of its subtitle.
    pub caption: Option<String>,
    pub columns: usize,
    pub panel_y: PanelY,
    /// A route map (`kind = "map"`): its route, panels and measures; `kind` and the chart
    /// fields above then go unused, and `y_label` titles the map's legend.
    pub map: Option<MapSpec>,
}

/// The end of an index's unit label: "2010 = 100".
const INDEX_LABEL: &str = " = 100";

impl FigureSpec {
    /// A problem with this figure's declaration, found while composing it (exit 2).
    fn error(&self, key: &str, message: String) -> Error {
        Error::Config {
            file: format!("figure {}", self.slug),
            key: key.into(),
            message,
        }
    }

    /// The series whose statistics the alt text gives: the trend series, else the
    /// change-point series, else the first.
    pub fn main_series(&self) -> usize {
        self.trend.or(self.change_point).unwrap_or(0)
    }

    /// Every series whose trends row the figure shows (alt text, trend line, change point),
    /// each once.
    pub fn stats_series(&self) -> Vec<usize> {
        let mut shown = vec![self.main_series()];
        for i in [self.trend, self.change_point].into_iter().flatten() {
            if !shown.contains(&i) {
                shown.push(i);
            }
        }
        shown
    }
}

/// One drawn series inside the figure's window, as analyze computed it: each point with the
/// members missing from it (for aggregates and route segments). Empty when no data.
#[derive(Clone, Debug, Default)]
pub struct Plotted {
    pub kind: Option<SourceKind>,
    /// The series' key, where it has data (its trends row is found by it).
    pub key: Option<SeriesKey>,
    pub points: Vec<(Period, f64)>,
    /// Per point: the members of a total (or a share's whole) that report, of how many;
    /// `None` for a series that is no total.
    pub coverage: Vec<Option<(u32, u32)>>,
    pub missing: Vec<Vec<String>>,
    /// The input files its observations come from.
    pub source_files: Vec<String>,
}

impl Plotted {
    /// The periods whose value not every member reports.
    fn incomplete(&self) -> impl Iterator<Item = Period> + '_ {
        self.points
            .iter()
            .zip(&self.coverage)
            .filter(|(_, c)| c.is_some_and(|(reporting, total)| reporting < total))
            .map(|((p, _), _)| *p)
    }

    /// The series' unit (a series without data has the default).
    pub fn unit(&self) -> Unit {
        self.key.as_ref().map_or_else(Unit::default, |k| k.unit)
    }
}

/// The trends table's statistics of one series over the figure's window.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct TrendFacts {
    pub n: u32,
    /// The trend label ("increasing", "decreasing", "no trend") at the pipeline's alpha.
    pub trend: Option<String>,
    /// The test the label comes from (the catalog's id of its name: "test-mk" or
    /// "test-hamed-rao") and its p.
    pub test: &'static str,
    pub p: Option<f64>,
    pub sen_slope: Option<f64>,
    /// The slope's confidence interval at the pipeline's alpha.
    pub sen_lo: Option<f64>,
    pub sen_hi: Option<f64>,
    pub sen_intercept: Option<f64>,
    pub pettitt_p: Option<f64>,
    pub pettitt_period: Option<String>,
}

/// The JSON sidecar of a figure: what the report needs to place, caption and describe it.
#[derive(Clone, Debug, Serialize, Deserialize, PartialEq)]
pub struct FigureSidecar {
    pub slug: String,
    pub kind: String,
    pub title: String,
    pub subtitle: String,
    pub source: String,
    pub notes: Vec<String>,
    pub alt_text: String,
    /// The report's caption (`caption`), when the pipeline gives one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub caption: Option<String>,
    pub size: SizeInfo,
    pub run_id: String,
    pub y_unit: String,
    pub series: Vec<String>,
    pub files: [String; 3],
}

#[derive(Clone, Debug, Serialize, Deserialize, PartialEq)]
pub struct SizeInfo {
    pub preset: String,
    pub width_px: u32,
    pub height_px: u32,
    pub dpi: f64,
}

/// A figure ready to draw: the chart (its alt text inside), and the texts of its sidecar.
pub struct Composed {
    pub chart: Chart,
    pub subtitle: String,
    pub notes: Vec<String>,
    pub alt_text: String,
    /// The figure's unit.
    pub unit: Unit,
    /// Its source line.
    pub source: String,
    /// The labels of the series without a value in the window (drawn as "No data").
    pub without_data: Vec<String>,
}

/// What every figure of a run in one language shares: every period of its figure series,
/// the names of its places by code in that language (notes name countries, never codes),
/// and the citations of its inputs.
#[derive(Clone, Debug, Default)]
pub struct RunFacts {
    pub language: Language,
    pub periods: Vec<Period>,
    pub geo_names: BTreeMap<String, String>,
    pub sources: SourceLines,
}

/// Where a figure's source line comes from: the citation of each input file (in the
/// pipeline's order), and the pipeline's source for a figure whose files are not all cited.
#[derive(Clone, Debug, Default)]
pub struct SourceLines {
    pub by_file: Vec<(String, String)>,
    pub fallback: String,
}

impl SourceLines {
    /// The source line of a figure drawn from `files`: "A; B; routetrend analysis".
    pub(crate) fn line(&self, files: &BTreeSet<&str>, texts: &Texts) -> String {
        let cited: Option<Vec<&str>> = files
            .iter()
            .map(|f| {
                self.by_file
                    .iter()
                    .find(|(file, _)| file == f)
                    .map(|(_, c)| c.as_str())
            })
            .collect();
        match cited {
            Some(mut citations) if !citations.is_empty() => {
                let order = |c: &&str| self.by_file.iter().position(|(_, s)| s == c);
                citations.sort_by_key(order);
                citations.dedup();
                texts.format(
                    "routetrend-analysis",
                    &[("citations", citations.join("; ").into())],
                )
            }
            _ => self.fallback.clone(),
        }
    }
}

impl RunFacts {
    /// The name of a place, its code where the run has none.
    fn name<'a>(&'a self, code: &'a str) -> &'a str {
        self.geo_names.get(code).map_or(code, String::as_str)
    }

    pub(crate) fn texts(&self) -> &'static Texts {
        Texts::of(self.language)
    }
}

/// Composes a figure from its drawn series and the trend facts of each series (by index;
/// `None` where the figure shows no statistics of it). `alpha` is the trends table's.
///
/// A series without a value in the window is drawn as "No data" (a panel of its own in small
/// multiples, a band over a plot where no series has a value) with a note, and listed in
/// [`Composed::without_data`]; a figure where no series has a value takes its periods from
/// the run's periods inside its window.
pub fn compose(
    spec: &FigureSpec,
    plotted: &[Plotted],
    facts: &[Option<TrendFacts>],
    alpha: f64,
    run: &RunFacts,
) -> Result<Composed, Error> {
    let indexed = match spec.index {
        Some(base) => Some(index_series(spec, plotted, facts, base)?),
        None => None,
    };
    let (plotted, facts) = match &indexed {
        Some((p, f)) => (p.as_slice(), f.as_slice()),
        None => (plotted, facts),
    };
    let units: BTreeSet<Unit> = plotted
        .iter()
        .filter(|f| !f.points.is_empty())
        .map(Plotted::unit)
        .collect();
    if units.len() > 1 {
        return Err(spec.error(
            "series",
            format!(
                "series in different units ({}): one figure, one unit",
                units
                    .iter()
                    .map(|u| u.code())
                    .collect::<Vec<_>>()
                    .join(", ")
            ),
        ));
    }
    let unit = units.into_iter().next().unwrap_or(Unit::Count);
    // A log axis shows positive values only.
    if spec.log_scale {
        for (s, f) in spec.series.iter().zip(plotted) {
            if let Some((period, v)) = f.points.iter().find(|(_, v)| *v <= 0.0) {
                return Err(spec.error(
                    "scale",
                    format!(
                        "{} is {v} in {period}: a log scale shows positive values only",
                        s.label
                    ),
                ));
            }
        }
    }
    // Every value on the chart: fixed axis bounds may not cut one off.
    for (s, f) in spec.series.iter().zip(plotted) {
        for (period, v) in &f.points {
            let outside = match (spec.y_min, spec.y_max) {
                (Some(lo), _) if *v < lo => Some(("y_min", lo)),
                (_, Some(hi)) if *v > hi => Some(("y_max", hi)),
                _ => None,
            };
            if let Some((key, bound)) = outside {
                return Err(spec.error(
                    key,
                    format!(
                        "{bound} would cut off {} in {period} ({v}): every value must stay on the chart",
                        s.label
                    ),
                ));
            }
        }
    }
    // A common annual/quarterly grid, so that a missing period is an explicit gap.
    let mut grid: BTreeSet<(i64, Period)> = plotted
        .iter()
        .flat_map(|f| f.points.iter().map(|(p, _)| (order(p), *p)))
        .collect();
    if grid.is_empty() {
        grid = run
            .periods
            .iter()
            .filter(|p| spec.window.contains(p))
            .map(|p| (order(p), *p))
            .collect();
    }
    let span: Vec<Period> = match (grid.first(), grid.last()) {
        (Some((_, a)), Some((_, b))) if a.quarter.is_none() && b.quarter.is_none() => {
            (a.year..=b.year).map(Period::year).collect()
        }
        _ => grid.iter().map(|(_, p)| *p).collect(),
    };
    let series: Vec<Series> = spec
        .series
        .iter()
        .zip(plotted)
        .map(|(s, f)| {
            let points = span
                .iter()
                .map(|p| {
                    (
                        p.x(),
                        f.points.iter().find(|(q, _)| q == p).map(|(_, v)| *v),
                    )
                })
                .collect();
            Series::new(s.label.clone(), points)
                .with_incomplete(f.incomplete().map(|p| p.x()).collect())
        })
        .collect();
    let texts = run.texts();
    let mut notes: Vec<String> = Vec::new();
    let (kind, series) = within_palette(spec.kind, series, &mut notes, texts);
    if kind == ChartKind::GroupedBars
        && series
            .iter()
            .any(|s| s.points.iter().any(|p| p.1.is_none()))
    {
        notes.push(texts.get("note-dashed-zero"));
    }
    // Lines mark incomplete values (hollow points, dotted steps) and say so per series;
    // other charts list the missing members in one note.
    if matches!(kind, ChartKind::Line | ChartKind::SmallMultiples) {
        notes.extend(
            spec.series
                .iter()
                .zip(plotted)
                .filter_map(|(s, f)| incomplete_note(&s.label, f, run)),
        );
    } else {
        notes.extend(
            spec.series
                .iter()
                .zip(plotted)
                .filter(|(_, f)| f.kind == Some(SourceKind::Route))
                .filter_map(|(s, f)| route_note(&s.label, f, run)),
        );
        notes.extend(coverage_note(plotted, run));
    }
    let without_data: Vec<String> = spec
        .series
        .iter()
        .zip(plotted)
        .filter(|(_, f)| f.points.is_empty())
        .map(|(s, _)| s.label.clone())
        .collect();
    if !without_data.is_empty() {
        notes.push(texts.format(
            "note-no-data-window",
            &[("names", without_data.join(", ").into())],
        ));
    }
    notes.extend(spec.notes.iter().cloned());

    let fact = |i: usize| facts.get(i).and_then(Option::as_ref);
    let mut trend = None;
    if let Some(i) = spec.trend {
        let f = &plotted[i];
        let label = &spec.series[i].label;
        if let (Some(t), Some((p0, _)), Some((p1, _))) =
            (fact(i), f.points.first(), f.points.last())
        {
            let significant = t.trend.as_deref().is_some_and(is_significant);
            let span = (p0.x(), p1.x());
            if let (true, Some(slope), Some(intercept)) = (
                significant || spec.trend_always,
                t.sen_slope,
                t.sen_intercept,
            ) {
                // Labelled once the chart's display unit is known (below).
                trend = sen_line(intercept, slope, span, unit).map(|(start, end)| TrendLine {
                    series: i,
                    start,
                    end,
                    label: String::new(),
                    faint: !significant,
                    band: if spec.trend_band {
                        sen_band(t, intercept, f, span, unit)
                    } else {
                        Vec::new()
                    },
                });
            }
            if trend.as_ref().is_some_and(|line| !line.band.is_empty()) {
                let level = texts.readable(100.0 * (1.0 - alpha));
                notes.push(texts.format(
                    "note-trend-band",
                    &[
                        ("label", label.into()),
                        (
                            "level",
                            texts.format("percent", &[("value", level.into())]).into(),
                        ),
                    ],
                ));
            }
            if !significant {
                let drawn = texts.get(if spec.trend_always {
                    "note-drawn-faint"
                } else {
                    "note-no-trend-line"
                });
                notes.push(match t.p {
                    Some(p) => texts.format(
                        "note-no-trend",
                        &[
                            ("label", label.into()),
                            ("test", texts.get(t.test).into()),
                            ("p", texts.readable(p).into()),
                            ("drawn", drawn.into()),
                        ],
                    ),
                    None => texts.format(
                        "note-too-few",
                        &[("label", label.into()), ("drawn", drawn.into())],
                    ),
                });
            }
        }
    }
    let mut change_point = None;
    if let Some(i) = spec.change_point {
        if let Some(p) = fact(i).and_then(|t| t.pettitt_p) {
            if p < alpha {
                let period = fact(i)
                    .and_then(|t| t.pettitt_period.as_deref())
                    .and_then(|t| Period::parse(t).ok());
                if let Some(period) = period {
                    change_point = Some(ChangePoint {
                        series: i,
                        x: period.x(),
                        label: texts.format(
                            "change-point-label",
                            &[
                                ("period", texts.period_in_text(period).into()),
                                ("p", texts.readable(p).into()),
                            ],
                        ),
                    });
                }
            } else {
                notes.push(texts.format(
                    "note-no-change-point",
                    &[
                        ("label", (&spec.series[i].label).into()),
                        ("p", texts.readable(p).into()),
                    ],
                ));
            }
        }
    }
    for (period, label) in &spec.events {
        let inside = span
            .first()
            .zip(span.last())
            .is_some_and(|(a, b)| a.x() <= period.x() && period.last_x() <= b.last_x());
        if !inside {
            return Err(spec.error(
                "events",
                format!(
                    "'{label}' at {period} is outside the periods the figure shows ({}-{})",
                    span.first().map_or(String::new(), Period::to_string),
                    span.last().map_or(String::new(), Period::to_string)
                ),
            ));
        }
        if kind == ChartKind::SmallMultiples {
            notes.push(texts.format(
                "note-event-rule",
                &[
                    ("period", texts.period(*period).into()),
                    ("label", label.into()),
                ],
            ));
        }
    }
    let period_text = match (span.first(), span.last()) {
        (Some(a), Some(b)) => texts.span(*a, *b),
        _ => String::new(),
    };
    let source = spec.source.clone().unwrap_or_else(|| {
        let files: BTreeSet<&str> = plotted
            .iter()
            .flat_map(|f| f.source_files.iter().map(String::as_str))
            .collect();
        run.sources.line(&files, texts)
    });
    let mut chart = Chart {
        language: run.language,
        kind,
        title: spec.title.clone(),
        subtitle: String::new(),
        source: source.clone(),
        notes: notes.clone(),
        y_label: spec.y_label.clone(),
        unit,
        series,
        trend,
        change_point,
        panel_y: spec.panel_y,
        columns: spec.columns,
        size: spec.size,
        alt_text: None,
        y_min: spec.y_min,
        y_max: spec.y_max,
        value_label: spec.index.map(|base| format!("{base}{INDEX_LABEL}")),
        log_scale: spec.log_scale,
        events: spec
            .events
            .iter()
            .map(|(period, label)| Event {
                x: period.x(),
                label: texts.format(
                    "event-label",
                    &[
                        ("period", texts.period(*period).into()),
                        ("label", label.into()),
                    ],
                ),
            })
            .collect(),
    };
    // One display unit for the axis, subtitle, trend label and alt text (kg or t, once).
    let shown = plot::display_unit(&chart).unwrap_or_else(|_| DisplayUnit {
        divisor: 1.0,
        label: unit.code().into(),
        percent: unit == Unit::Share,
    });
    if let (Some(line), Some(i)) = (chart.trend.as_mut(), spec.trend) {
        if let Some(slope) = fact(i).and_then(|t| t.sen_slope) {
            line.label = texts.format(
                if line.faint {
                    "trend-line-label-faint"
                } else {
                    "trend-line-label"
                },
                &[
                    ("label", (&spec.series[i].label).into()),
                    ("slope", show_slope(slope, &shown, texts).into()),
                ],
            );
        }
    }
    let labels: Vec<&str> = spec.series.iter().map(|s| s.label.as_str()).collect();
    let subtitle = spec.subtitle.clone().unwrap_or_else(|| {
        texts.format(
            if spec.log_scale {
                "subtitle-log"
            } else {
                "subtitle"
            },
            &[
                ("measure", (&spec.y_label).into()),
                ("unit", shown.text(texts).into()),
                ("labels", labels.join(", ").into()),
                ("period", (&period_text).into()),
            ],
        )
    });
    let main = spec.main_series();
    let mut alt_text = alt_text(spec, kind, plotted, fact(main), &shown, &period_text, texts);
    for (period, label) in &spec.events {
        alt_text.push(' ');
        alt_text.push_str(&texts.format(
            "alt-marked",
            &[
                ("period", texts.period(*period).into()),
                ("label", label.into()),
            ],
        ));
    }
    if spec.log_scale {
        alt_text.push(' ');
        alt_text.push_str(&texts.get("alt-log"));
    }
    chart.subtitle = subtitle.clone();
    chart.alt_text = Some(alt_text.clone());
    Ok(Composed {
        chart,
        subtitle,
        notes,
        alt_text,
        unit,
        source,
        without_data,
    })
}

/// A period's place on the time axis in quarters, for ordering annual and quarterly periods.
fn order(p: &Period) -> i64 {
    (p.x() * 4.0).round() as i64
}

/// A route segment that misses members in some periods: "Heroin: incomplete transit
/// coverage in 6 period(s), 2017 (TKM missing) to 2022 (TKM missing)".
fn route_note(label: &str, plotted: &Plotted, run: &RunFacts) -> Option<String> {
    let texts = run.texts();
    let gaps: Vec<String> = plotted
        .points
        .iter()
        .zip(&plotted.missing)
        .filter(|(_, m)| !m.is_empty())
        .map(|((p, _), m)| {
            let names: Vec<&str> = m.iter().map(|code| run.name(code)).collect();
            texts.format(
                "note-route-gap",
                &[
                    ("period", texts.period(*p).into()),
                    ("names", names.join(", ").into()),
                ],
            )
        })
        .collect();
    let (first, last) = (gaps.first()?, gaps.last()?);
    Some(texts.format(
        "note-route-coverage",
        &[
            ("label", label.into()),
            ("count", gaps.len().into()),
            ("first", first.into()),
            ("last", last.into()),
        ],
    ))
}

/// One note for all aggregates of a figure: which members are missing in which years, e.g.
/// "Totals cover the members that report; not reported for some series: Turkmenistan
/// 2017-2022".
fn coverage_note(plotted: &[Plotted], run: &RunFacts) -> Option<String> {
    let mut by_member: BTreeMap<&str, BTreeSet<(i64, Period)>> = BTreeMap::new();
    for f in plotted
        .iter()
        .filter(|f| f.kind == Some(SourceKind::Selection))
    {
        for ((p, _), missing) in f.points.iter().zip(&f.missing) {
            for m in missing {
                by_member.entry(m).or_default().insert((order(p), *p));
            }
        }
    }
    let texts = run.texts();
    let parts: Vec<String> = by_member
        .iter()
        .map(|(member, periods)| format!("{} {}", run.name(member), period_runs(periods, texts)))
        .collect();
    (!parts.is_empty())
        .then(|| texts.format("note-coverage", &[("parts", parts.join("; ").into())]))
}

/// Each series as an index, 100 at `base` (its value there): points and the Sen line's
/// statistics scaled alike. A series without a value (or with 0) at `base` cannot be
/// indexed: refused, naming it.
fn index_series(
    spec: &FigureSpec,
    plotted: &[Plotted],
    facts: &[Option<TrendFacts>],
    base: Period,
) -> Result<(Vec<Plotted>, Vec<Option<TrendFacts>>), Error> {
    let mut out = Vec::with_capacity(plotted.len());
    let mut scaled_facts = facts.to_vec();
    for (i, (s, f)) in spec.series.iter().zip(plotted).enumerate() {
        if f.points.is_empty() {
            out.push(f.clone());
            continue;
        }
        let at_base = f.points.iter().find(|(p, _)| *p == base).map(|(_, v)| *v);
        let factor = match at_base {
            Some(v) if v != 0.0 => 100.0 / v,
            other => {
                return Err(spec.error(
                    "index",
                    format!(
                        "{} has {} in {base}: a series is indexed to its value in the base period",
                        s.label,
                        if other.is_some() { "0" } else { "no value" }
                    ),
                ))
            }
        };
        let mut g = f.clone();
        for (_, v) in &mut g.points {
            *v *= factor;
        }
        if let Some(Some(t)) = scaled_facts.get_mut(i) {
            for v in [
                &mut t.sen_slope,
                &mut t.sen_lo,
                &mut t.sen_hi,
                &mut t.sen_intercept,
            ] {
                *v = v.map(|x| x * factor);
            }
        }
        out.push(g);
    }
    Ok((out, scaled_facts))
}

/// Keeps a chart within the colours that tell its series apart ([`plot::DISTINCT_COLOURS`]),
/// never reusing one: a line chart of more series becomes small multiples (one series a
/// panel); an area or bar chart keeps its largest series (by total) and sums the rest, per
/// period, as "Other (N series)" (a period where one of them has no value has none). Each
/// change is said in a note.
fn within_palette(
    kind: ChartKind,
    series: Vec<Series>,
    notes: &mut Vec<String>,
    texts: &Texts,
) -> (ChartKind, Vec<Series>) {
    let most = plot::DISTINCT_COLOURS;
    if series.len() <= most {
        return (kind, series);
    }
    match kind {
        ChartKind::SmallMultiples => (kind, series),
        ChartKind::Line => {
            notes.push(texts.format(
                "note-small-multiples",
                &[("count", series.len().into()), ("most", most.into())],
            ));
            (ChartKind::SmallMultiples, series)
        }
        ChartKind::StackedArea | ChartKind::ShareArea | ChartKind::GroupedBars => {
            let total = |s: &Series| s.points.iter().filter_map(|p| p.1).sum::<f64>();
            let mut order: Vec<usize> = (0..series.len()).collect();
            order.sort_by(|&a, &b| {
                total(&series[b])
                    .total_cmp(&total(&series[a]))
                    .then(a.cmp(&b))
            });
            let mut kept: Vec<usize> = order[..most - 1].to_vec();
            kept.sort_unstable();
            let rest: Vec<&Series> = order[most - 1..].iter().map(|&i| &series[i]).collect();
            let points = series[0]
                .points
                .iter()
                .enumerate()
                .map(|(k, (x, _))| {
                    let values: Option<Vec<f64>> = rest.iter().map(|s| s.points[k].1).collect();
                    (*x, values.map(|v| decimal_sum(&v)))
                })
                .collect();
            let names: Vec<&str> = rest.iter().map(|s| s.name.as_str()).collect();
            notes.push(texts.format("note-other", &[("names", names.join(", ").into())]));
            let other = Series::new(
                texts.format("series-other", &[("count", rest.len().into())]),
                points,
            );
            let mut out: Vec<Series> = kept.into_iter().map(|i| series[i].clone()).collect();
            out.push(other);
            (kind, out)
        }
    }
}

/// Periods in runs of consecutive years: "2001-2002, 2017-2022" (quarters one by one).
fn period_runs(periods: &BTreeSet<(i64, Period)>, texts: &Texts) -> String {
    let mut runs: Vec<(Period, Period)> = Vec::new();
    for (_, p) in periods {
        match runs.last_mut() {
            Some((_, end))
                if p.quarter.is_none() && end.quarter.is_none() && p.year == end.year + 1 =>
            {
                *end = *p
            }
            _ => runs.push((*p, *p)),
        }
    }
    runs.iter()
        .map(|(a, b)| {
            if a == b {
                texts.period(*a)
            } else {
                texts.period_range(*a, *b)
            }
        })
        .collect::<Vec<_>>()
        .join(", ")
}

/// What the hollow points and dotted lines of a line chart mean, per series with incomplete
/// values, with who is missing: "Central Asia (5): hollow points and dotted lines are
/// incomplete totals (4 of 5 members report in 2017-2022; Turkmenistan missing)".
fn incomplete_note(label: &str, plotted: &Plotted, run: &RunFacts) -> Option<String> {
    let texts = run.texts();
    type Key = ((u32, u32), Vec<String>);
    let mut by_coverage: BTreeMap<Key, BTreeSet<(i64, Period)>> = BTreeMap::new();
    for (((p, _), c), missing) in plotted
        .points
        .iter()
        .zip(&plotted.coverage)
        .zip(&plotted.missing)
    {
        if let Some(coverage) = c.filter(|(r, t)| r < t) {
            by_coverage
                .entry((coverage, missing.clone()))
                .or_default()
                .insert((order(p), *p));
        }
    }
    let parts: Vec<String> = by_coverage
        .iter()
        .rev()
        .map(|(((reporting, total), missing), periods)| {
            let names: Vec<&str> = missing.iter().map(|m| run.name(m)).collect();
            let who = if names.is_empty() {
                String::new()
            } else {
                texts.format("note-incomplete-who", &[("names", names.join(", ").into())])
            };
            texts.format(
                "note-incomplete-part",
                &[
                    ("reporting", (*reporting).into()),
                    ("total", (*total).into()),
                    ("periods", period_runs(periods, texts).into()),
                    ("who", who.into()),
                ],
            )
        })
        .collect();
    (!parts.is_empty()).then(|| {
        texts.format(
            "note-incomplete",
            &[("label", label.into()), ("parts", parts.join("; ").into())],
        )
    })
}

/// The kind of chart in words (alt text, sidecar).
pub fn kind_name(kind: ChartKind, texts: &Texts) -> String {
    texts.get(match kind {
        ChartKind::Line => "chart-line",
        ChartKind::StackedArea => "chart-stacked-area",
        ChartKind::ShareArea => "chart-share-area",
        ChartKind::GroupedBars => "chart-bars",
        ChartKind::SmallMultiples => "chart-small-multiples",
    })
}

/// The confidence band of the Sen slope: the lines of slopes `sen_lo` and `sen_hi` through
/// the point the Sen line is fitted at (the medians of the window's x and of the values,
/// Sen 1968 / Conover 1980, as pymannkendall's `sens_slope` intercept), each clipped as the
/// line is, as one polygon. Empty without the slope's interval.
fn sen_band(
    t: &TrendFacts,
    intercept: f64,
    plotted: &Plotted,
    span: (f64, f64),
    unit: Unit,
) -> Vec<(f64, f64)> {
    let (Some(slope), Some(lo), Some(hi)) = (t.sen_slope, t.sen_lo, t.sen_hi) else {
        return Vec::new();
    };
    let mut xs: Vec<f64> = plotted.points.iter().map(|(p, _)| p.x()).collect();
    xs.sort_by(f64::total_cmp);
    let median_x = match xs.len() {
        0 => return Vec::new(),
        n if n % 2 == 1 => xs[n / 2],
        n => (xs[n / 2 - 1] + xs[n / 2]) / 2.0,
    };
    let pivot = intercept + slope * median_x;
    let line = |s: f64| sen_line(pivot - s * median_x, s, span, unit);
    match (line(lo), line(hi)) {
        (Some((a0, a1)), Some((b0, b1))) => vec![a0, a1, b1, b0],
        _ => Vec::new(),
    }
}

/// The Sen line `intercept + slope * x` over `(x0, x1)`, clipped where it leaves the values
/// the unit can take (0 and above for weights and counts, 0 to 1 for shares): a trend of
/// seizures never runs below zero. `None` when no part of it is inside.
fn sen_line(
    intercept: f64,
    slope: f64,
    (x0, x1): (f64, f64),
    unit: Unit,
) -> Option<((f64, f64), (f64, f64))> {
    let at = |x: f64| intercept + slope * x;
    let (lo, hi) = match unit {
        Unit::Share => (0.0, 1.0),
        Unit::Kg | Unit::Count | Unit::RatePer100k | Unit::Ratio => (0.0, f64::INFINITY),
        Unit::Flag => (0.0, 1.0),
    };
    let (mut a, mut b) = (x0, x1);
    if slope != 0.0 {
        // Where the line crosses each bound, as an x range in which it stays inside.
        let (r0, r1) = ((lo - intercept) / slope, (hi - intercept) / slope);
        let (inside_from, inside_to) = if slope > 0.0 { (r0, r1) } else { (r1, r0) };
        a = a.max(inside_from);
        b = b.min(inside_to);
    } else if !(lo..=hi).contains(&intercept) {
        return None;
    }
    (a < b).then(|| ((a, at(a).clamp(lo, hi)), (b, at(b).clamp(lo, hi))))
}

/// A slope per year in the chart's display unit: percentage points for shares, index points
/// for an index.
fn show_slope(v: f64, shown: &DisplayUnit, texts: &Texts) -> String {
    if shown.percent {
        let value = texts.number(v / shown.divisor, 2);
        texts.format("percentage-points", &[("value", value.into())])
    } else if is_index(shown) {
        texts.format("index-points", &[("value", texts.readable_arg(v))])
    } else {
        show(v, shown, texts)
    }
}

/// Whether the chart shows an index (its display unit labelled "2010 = 100", as `compose`
/// names it).
fn is_index(shown: &DisplayUnit) -> bool {
    shown.label.ends_with(INDEX_LABEL)
}

/// A value in the chart's display unit ("3.24 t", "61.2%"; counts and ratios bare).
fn show(v: f64, shown: &DisplayUnit, texts: &Texts) -> String {
    let x = v / shown.divisor;
    if shown.percent {
        texts.percent(x, 1)
    } else if [Unit::Count.code(), Unit::Ratio.code()].contains(&shown.label.as_str())
        || is_index(shown)
    {
        // Counts, ratios and index points are bare numbers.
        texts.readable(x)
    } else {
        texts.value_unit(texts.readable(x), &shown.text(texts))
    }
}

/// Alt text from the numbers: kind, what is shown, period, each series' first and last
/// value, and the main series' trend with its Mann-Kendall p-value and Sen slope (the
/// trends table's row).
fn alt_text(
    spec: &FigureSpec,
    kind: ChartKind,
    plotted: &[Plotted],
    main: Option<&TrendFacts>,
    shown: &DisplayUnit,
    period: &str,
    texts: &Texts,
) -> String {
    let mut text = texts.format(
        "alt-start",
        &[
            ("kind", kind_name(kind, texts).into()),
            ("title", spec.title.trim_end_matches('.').into()),
            ("period", period.into()),
        ],
    );
    // The sentence's full stop, unless it ends with an abbreviation's ("2000–2022 гг.").
    if !text.ends_with('.') {
        text.push('.');
    }
    let mut sentence = |id: &str, args: &[(&str, Arg)]| {
        text.push(' ');
        text.push_str(&texts.format(id, args));
    };
    for (s, f) in spec.series.iter().zip(plotted).take(6) {
        let label = || Arg::from(&s.label);
        match (f.points.first(), f.points.last()) {
            (Some((p0, v0)), Some((p1, v1))) if p0 != p1 => {
                let direction = if v1 < v0 {
                    "fell"
                } else if v1 > v0 {
                    "rose"
                } else {
                    "stayed"
                };
                sentence(
                    "alt-change",
                    &[
                        ("label", label()),
                        ("direction", direction.into()),
                        ("from", show(*v0, shown, texts).into()),
                        ("p0", texts.period(*p0).into()),
                        ("to", show(*v1, shown, texts).into()),
                        ("p1", texts.period(*p1).into()),
                    ],
                );
            }
            (Some((p0, v0)), _) => sentence(
                "alt-only",
                &[
                    ("label", label()),
                    ("value", show(*v0, shown, texts).into()),
                    ("period", texts.period(*p0).into()),
                ],
            ),
            _ => sentence("alt-no-data", &[("label", label())]),
        }
    }
    let index = spec.main_series();
    if let (Some(s), Some(t)) = (spec.series.get(index), main) {
        if let (Some(trend), Some(p), Some(slope)) = (&t.trend, t.p, t.sen_slope) {
            sentence(
                "alt-trend",
                &[
                    ("label", (&s.label).into()),
                    ("trend", trend_word(trend, texts).into()),
                    ("test", texts.get(t.test).into()),
                    ("p", texts.readable(p).into()),
                    ("n", t.n.into()),
                    ("slope", show_slope(slope, shown, texts).into()),
                ],
            );
        }
    }
    let missing = plotted
        .iter()
        .filter(|f| f.kind == Some(SourceKind::Selection))
        .any(|f| f.missing.iter().any(|m| !m.is_empty()));
    if missing {
        sentence("alt-fewer-members", &[]);
    }
    text
}

/// A trend label of the trends table ("increasing", "decreasing", "no trend") in words.
pub(crate) fn trend_word(label: &str, texts: &Texts) -> String {
    match label {
        "increasing" => texts.get("trend-increasing"),
        "decreasing" => texts.get("trend-decreasing"),
        "no trend" => texts.get("trend-none"),
        TOO_SHORT => texts.get("trend-too-short"),
        other => other.to_string(),
    }
}

/// The plotted points as CSV, each with the value it came from and, for a total or share,
/// how many of its members report.
pub fn points_csv(info: &RenderInfo, plotted: &[Plotted], unit: Unit) -> String {
    let mut rows = Vec::new();
    for (s, f) in info.series.iter().zip(plotted) {
        for p in &s.points {
            let Some(y) = p.y else { continue };
            let at = f
                .points
                .iter()
                .position(|(q, _)| (q.x() - p.x).abs() < 1e-9);
            let value = at.map(|k| f.points[k].1);
            let coverage = at.and_then(|k| f.coverage.get(k).copied().flatten());
            let field = |v: Option<f64>| v.map_or(String::new(), |v| format!("{v}"));
            let count = |n: Option<u32>| n.map_or(String::new(), |n| n.to_string());
            rows.push(vec![
                s.name.clone(),
                p.period.to_string(),
                p.x.to_string(),
                y.to_string(),
                field(p.y_base),
                info.y_unit.to_string(),
                field(value),
                unit.to_string(),
                count(coverage.map(|c| c.0)),
                count(coverage.map(|c| c.1)),
            ]);
        }
    }
    csv_string(
        &[
            "series",
            "period",
            "x",
            "y",
            "y_base",
            "display_unit",
            "value",
            "unit",
            "members_reporting",
            "members_total",
        ],
        rows,
    )
}
