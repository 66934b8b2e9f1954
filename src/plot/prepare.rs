//! From a [`Chart`] to the values that are drawn: validation, the time grid, display units,
//! gap segmentation, stacking and share normalisation. Pure; no layout and no drawing.
//!
//! Policies decided here (and documented on the public types):
//! - The time grid is the union of all series' x; its step is the smallest spacing in it.
//!   A line breaks at a `None` and wherever consecutive values are more than 1.5 steps apart
//!   (a period missing from one series is a gap, not something to draw across).
//! - Stacked and share areas use only periods where every series has a value; other periods
//!   are left blank (the band breaks there) and reported as skipped. A share period whose
//!   total is zero is skipped too (no share exists).

use std::collections::BTreeMap;

use crate::i18n::Language;

use super::scale::{self, DisplayUnit};
use super::text::clean;
use super::theme::Theme;
use super::{Chart, ChartKind, PlotError, PlottedPoint, PlottedSeries, RenderInfo, SkippedPeriod};

/// Periods are matched at 1e-6 year (about 30 s), so 2017.25 computed two ways is one period.
fn period_key(x: f64) -> i64 {
    (x * 1e6).round() as i64
}

#[derive(Debug, Clone)]
pub(crate) struct PPoint {
    pub x: f64,
    /// Where it is drawn: the value in display units (its log10 on a log axis).
    pub y: Option<f64>,
    pub y_base: Option<f64>,
    /// The value in display units, as `RenderInfo` reports it.
    pub value: Option<f64>,
}

#[derive(Debug, Clone)]
pub(crate) struct PSeries {
    pub name: String,
    /// Sorted by x, in display units.
    pub points: Vec<PPoint>,
    /// Lines: runs of consecutive values to draw as one polyline (a run of one is a marker).
    pub segments: Vec<Vec<(f64, f64)>>,
    /// Lines: the x of incomplete values (`Series::incomplete`).
    pub incomplete: Vec<f64>,
}

impl PSeries {
    /// Whether the value at `x` is incomplete.
    pub(crate) fn is_incomplete(&self, x: f64) -> bool {
        self.incomplete
            .iter()
            .any(|&i| period_key(i) == period_key(x))
    }
}

#[derive(Debug, Clone)]
pub(crate) struct PTrend {
    pub series: usize,
    pub start: (f64, f64),
    pub end: (f64, f64),
    pub label: String,
    pub faint: bool,
    /// In display units.
    pub band: Vec<(f64, f64)>,
}

#[derive(Debug, Clone)]
pub(crate) struct PChange {
    pub series: usize,
    pub x: f64,
    pub label: String,
    /// The series' value at `x`, if it has one (gets a marker).
    pub y: Option<f64>,
}

#[derive(Debug, Clone)]
pub(crate) struct Prepared {
    pub language: Language,
    pub kind: ChartKind,
    pub quarterly: bool,
    /// Grid spacing in years.
    pub step: f64,
    /// Every period of any series, sorted.
    pub grid: Vec<f64>,
    pub unit: DisplayUnit,
    pub series: Vec<PSeries>,
    /// Stacked and share areas: runs of consecutive complete periods (indices into `grid`).
    pub runs: Vec<Vec<usize>>,
    pub skipped: Vec<SkippedPeriod>,
    pub trend: Option<PTrend>,
    pub change_point: Option<PChange>,
    /// The chart's fixed axis bounds, in display units (log10 of them on a log axis).
    pub y_min: Option<f64>,
    pub y_max: Option<f64>,
    /// Line values are base-10 logarithms (a log axis).
    pub log: bool,
}

impl Prepared {
    /// Whether any of the series `which` has a value to draw.
    pub(crate) fn has_values(&self, which: &[usize]) -> bool {
        which
            .iter()
            .any(|&i| self.series[i].points.iter().any(|p| p.y.is_some()))
    }

    /// The value axis' range for the series `which`: from 0 (or below, for negative
    /// values) to their largest value, unless the chart fixes a bound.
    pub(crate) fn axis_range(&self, which: &[usize]) -> (f64, f64) {
        let (lo, hi) = self.value_range(which);
        if self.log {
            // No zero on a log axis: from the data's smallest value.
            return (self.y_min.unwrap_or(lo), self.y_max.unwrap_or(hi));
        }
        (
            self.y_min.unwrap_or(lo.min(0.0)),
            self.y_max.unwrap_or(hi.max(0.0)),
        )
    }

    /// Smallest and largest plotted value over the given series (stack tops for areas).
    pub(crate) fn value_range(&self, which: &[usize]) -> (f64, f64) {
        let mut lo = f64::INFINITY;
        let mut hi = f64::NEG_INFINITY;
        for &i in which {
            for p in &self.series[i].points {
                if let Some(y) = p.y {
                    let top = y + p.y_base.unwrap_or(0.0);
                    lo = lo.min(top).min(y);
                    hi = hi.max(top);
                }
            }
        }
        if let Some(t) = &self.trend {
            if which.contains(&t.series) {
                for y in [t.start.1, t.end.1]
                    .into_iter()
                    .chain(t.band.iter().map(|b| b.1))
                {
                    lo = lo.min(y);
                    hi = hi.max(y);
                }
            }
        }
        (lo, hi)
    }

    pub(crate) fn into_info(self, theme: &Theme, alt_text: String) -> RenderInfo {
        let quarterly = self.quarterly;
        RenderInfo {
            width: theme.width,
            height: theme.height,
            dpi: theme.dpi,
            y_unit: self.unit.label.clone(),
            y_divisor: self.unit.divisor,
            series: self
                .series
                .into_iter()
                .map(|s| PlottedSeries {
                    name: s.name,
                    points: s
                        .points
                        .into_iter()
                        .map(|p| PlottedPoint {
                            x: p.x,
                            period: scale::period_label(p.x, quarterly),
                            y: p.value,
                            y_base: p.y_base,
                        })
                        .collect(),
                })
                .collect(),
            skipped_periods: self.skipped,
            trend: self.trend.map(|t| (t.start, t.end)),
            alt_text,
        }
    }
}

/// Validated, sorted points of one series in input units.
type Checked = Vec<(f64, Option<f64>)>;

fn check_series(chart: &Chart) -> Result<Vec<Checked>, PlotError> {
    if chart.series.is_empty() {
        return Err(PlotError::EmptyChart);
    }
    let stacks = matches!(chart.kind, ChartKind::StackedArea | ChartKind::ShareArea);
    let mut out = Vec::with_capacity(chart.series.len());
    for s in &chart.series {
        let mut pts = s.points.clone();
        for &(x, y) in &pts {
            if !x.is_finite() {
                return Err(PlotError::NonFinite {
                    series: s.name.clone(),
                    what: format!("x = {x}"),
                });
            }
            if let Some(v) = y {
                if !v.is_finite() {
                    return Err(PlotError::NonFinite {
                        series: s.name.clone(),
                        what: format!("the value at x = {x} ({v})"),
                    });
                }
                if stacks && v < 0.0 {
                    return Err(PlotError::NegativeValue {
                        series: s.name.clone(),
                        period: scale::period_label(x, x.fract().abs() > 1e-6),
                        value: v,
                    });
                }
            }
        }
        pts.sort_by(|a, b| a.0.total_cmp(&b.0));
        if let Some(w) = pts
            .windows(2)
            .find(|w| period_key(w[0].0) == period_key(w[1].0))
        {
            return Err(PlotError::DuplicatePeriod {
                series: s.name.clone(),
                period: scale::period_label(w[0].0, w[0].0.fract().abs() > 1e-6),
            });
        }
        out.push(pts);
    }
    Ok(out)
}

pub(crate) fn prepare(chart: &Chart) -> Result<Prepared, PlotError> {
    let checked = check_series(chart)?;
    let n = checked.len();
    let line_like = matches!(chart.kind, ChartKind::Line | ChartKind::SmallMultiples);
    if let Some(t) = &chart.trend {
        if !line_like {
            return Err(PlotError::NotSupported {
                what: "trend line",
                kind: chart.kind,
            });
        }
        if t.series >= n {
            return Err(PlotError::BadSeriesIndex {
                what: "trend line",
                index: t.series,
                series_count: n,
            });
        }
        let band = t.band.iter().flat_map(|&(x, y)| [x, y]);
        for v in [t.start.0, t.start.1, t.end.0, t.end.1]
            .into_iter()
            .chain(band)
        {
            if !v.is_finite() {
                return Err(PlotError::NonFinite {
                    series: chart.series[t.series].name.clone(),
                    what: format!("a trend line end point ({v})"),
                });
            }
        }
    }
    if chart.log_scale {
        if chart.trend.is_some() {
            return Err(PlotError::NotSupported {
                what: "a trend line on a log axis",
                kind: chart.kind,
            });
        }
        for (s, pts) in chart.series.iter().zip(&checked) {
            if let Some(v) = pts.iter().filter_map(|p| p.1).find(|v| *v <= 0.0) {
                return Err(PlotError::NonFinite {
                    series: s.name.clone(),
                    what: format!("{v} on a log axis (values must be positive)"),
                });
            }
        }
    }
    if let Some(e) = chart.events.iter().find(|e| !e.x.is_finite()) {
        return Err(PlotError::NonFinite {
            series: e.label.clone(),
            what: format!("the period of an event ({})", e.x),
        });
    }
    if let Some(c) = &chart.change_point {
        if !line_like {
            return Err(PlotError::NotSupported {
                what: "change point",
                kind: chart.kind,
            });
        }
        if c.series >= n {
            return Err(PlotError::BadSeriesIndex {
                what: "change point",
                index: c.series,
                series_count: n,
            });
        }
        if !c.x.is_finite() {
            return Err(PlotError::NonFinite {
                series: chart.series[c.series].name.clone(),
                what: format!("the change point x ({})", c.x),
            });
        }
    }

    // The time grid: every period of every series.
    let mut grid_map: BTreeMap<i64, f64> = BTreeMap::new();
    for pts in &checked {
        for &(x, _) in pts {
            grid_map.entry(period_key(x)).or_insert(x);
        }
    }
    let grid: Vec<f64> = grid_map.values().copied().collect();
    if grid.is_empty() {
        // Not even a period with a gap: there is no time axis to draw.
        return Err(PlotError::NoData {
            series: chart.series[0].name.clone(),
        });
    }
    let quarterly = grid.iter().any(|x| (x - x.round()).abs() > 1e-6);
    let step = grid
        .windows(2)
        .map(|w| w[1] - w[0])
        .fold(f64::INFINITY, f64::min);
    let step = if step.is_finite() {
        step
    } else if quarterly {
        0.25
    } else {
        1.0
    };

    let mut skipped = Vec::new();
    let mut runs = Vec::new();
    let series: Vec<PSeries>;
    let unit: DisplayUnit;

    let log = chart.log_scale && line_like;
    match chart.kind {
        ChartKind::Line | ChartKind::SmallMultiples | ChartKind::GroupedBars => {
            let max_abs = checked
                .iter()
                .flatten()
                .filter_map(|p| p.1)
                .fold(0.0f64, |m, v| m.max(v.abs()));
            unit = match &chart.value_label {
                Some(label) => DisplayUnit {
                    divisor: 1.0,
                    label: label.clone(),
                    percent: false,
                },
                None => scale::display_unit(chart.unit, max_abs),
            };
            series = chart
                .series
                .iter()
                .zip(&checked)
                .map(|(s, pts)| {
                    let points: Vec<PPoint> = pts
                        .iter()
                        .map(|&(x, y)| PPoint {
                            x,
                            y: y.map(|v| on_axis(v, unit.divisor, log)),
                            y_base: None,
                            value: y.map(|v| v / unit.divisor),
                        })
                        .collect();
                    let segments = segments(&points, step);
                    PSeries {
                        name: s.name.clone(),
                        points,
                        segments,
                        incomplete: s.incomplete.clone(),
                    }
                })
                .collect();
        }
        ChartKind::StackedArea | ChartKind::ShareArea => {
            let share = chart.kind == ChartKind::ShareArea;
            // Per series: period key -> value.
            let lookup: Vec<BTreeMap<i64, Option<f64>>> = checked
                .iter()
                .map(|pts| pts.iter().map(|&(x, y)| (period_key(x), y)).collect())
                .collect();
            let mut complete = vec![false; grid.len()];
            let mut totals = vec![0.0; grid.len()];
            for (gi, &x) in grid.iter().enumerate() {
                let k = period_key(x);
                let missing: Vec<&str> = chart
                    .series
                    .iter()
                    .zip(&lookup)
                    .filter(|(_, l)| l.get(&k).copied().flatten().is_none())
                    .map(|(s, _)| s.name.as_str())
                    .collect();
                let total: f64 = lookup
                    .iter()
                    .filter_map(|l| l.get(&k).copied().flatten())
                    .sum();
                let period = scale::period_label(x, quarterly);
                if !missing.is_empty() {
                    skipped.push(SkippedPeriod {
                        x,
                        period,
                        reason: format!("no value for {}", missing.join(", ")),
                    });
                } else if share && total <= 0.0 {
                    skipped.push(SkippedPeriod {
                        x,
                        period,
                        reason: "the total is zero, so there are no shares".into(),
                    });
                } else {
                    complete[gi] = true;
                    totals[gi] = total;
                }
            }
            unit = if share {
                scale::percent_unit()
            } else {
                let max_total = totals.iter().copied().fold(0.0, f64::max);
                scale::display_unit(chart.unit, max_total)
            };
            let mut base = vec![0.0; grid.len()];
            let mut out = Vec::with_capacity(n);
            for (s, l) in chart.series.iter().zip(&lookup) {
                let points = grid
                    .iter()
                    .enumerate()
                    .map(|(gi, &x)| {
                        if !complete[gi] {
                            return PPoint {
                                x,
                                y: None,
                                y_base: None,
                                value: None,
                            };
                        }
                        let raw = l[&period_key(x)].unwrap_or(0.0);
                        let y = if share {
                            raw / totals[gi] * 100.0
                        } else {
                            raw / unit.divisor
                        };
                        let p = PPoint {
                            x,
                            y: Some(y),
                            y_base: Some(base[gi]),
                            value: Some(y),
                        };
                        base[gi] += y;
                        p
                    })
                    .collect();
                out.push(PSeries {
                    name: s.name.clone(),
                    points,
                    segments: Vec::new(),
                    incomplete: Vec::new(),
                });
            }
            series = out;
            // Runs of complete periods that are adjacent on the grid.
            let mut run: Vec<usize> = Vec::new();
            for gi in 0..grid.len() {
                let adjacent = run
                    .last()
                    .is_some_and(|&last| last + 1 == gi && grid[gi] - grid[last] <= 1.5 * step);
                if complete[gi] && (run.is_empty() || adjacent) {
                    run.push(gi);
                } else {
                    if !run.is_empty() {
                        runs.push(std::mem::take(&mut run));
                    }
                    if complete[gi] {
                        run.push(gi);
                    }
                }
            }
            if !run.is_empty() {
                runs.push(run);
            }
        }
    }

    let trend = chart.trend.as_ref().map(|t| PTrend {
        series: t.series,
        start: (t.start.0, t.start.1 / unit.divisor),
        end: (t.end.0, t.end.1 / unit.divisor),
        label: t.label.clone(),
        faint: t.faint,
        band: t.band.iter().map(|&(x, y)| (x, y / unit.divisor)).collect(),
    });
    let change_point = chart.change_point.as_ref().map(|c| PChange {
        series: c.series,
        x: c.x,
        label: c.label.clone(),
        y: series[c.series]
            .points
            .iter()
            .find(|p| period_key(p.x) == period_key(c.x))
            .and_then(|p| p.y),
    });

    let divisor = unit.divisor;
    Ok(Prepared {
        language: chart.language,
        kind: chart.kind,
        quarterly,
        step,
        grid,
        unit,
        series,
        runs,
        skipped,
        trend,
        change_point,
        y_min: chart.y_min.map(|v| on_axis(v, divisor, log)),
        y_max: chart.y_max.map(|v| on_axis(v, divisor, log)),
        log,
    })
}

/// Where a value in input units sits on the value axis: in display units (`divisor`), as its
/// base-10 logarithm on a log axis.
fn on_axis(v: f64, divisor: f64, log: bool) -> f64 {
    let shown = v / divisor;
    if log {
        shown.log10()
    } else {
        shown
    }
}

/// Splits a line at gaps: at `None`, and between values more than 1.5 grid steps apart.
fn segments(points: &[PPoint], step: f64) -> Vec<Vec<(f64, f64)>> {
    let mut out: Vec<Vec<(f64, f64)>> = Vec::new();
    let mut current: Vec<(f64, f64)> = Vec::new();
    for p in points {
        match p.y {
            None => {
                if !current.is_empty() {
                    out.push(std::mem::take(&mut current));
                }
            }
            Some(y) => {
                if let Some(&(px, _)) = current.last() {
                    if p.x - px > 1.5 * step {
                        out.push(std::mem::take(&mut current));
                    }
                }
                current.push((p.x, y));
            }
        }
    }
    if !current.is_empty() {
        out.push(current);
    }
    out
}

/// A text alternative generated from the plotted data: chart kind, measure, period, and per
/// series its first, last and peak values and its gaps.
pub(crate) fn describe(chart: &Chart, p: &Prepared) -> String {
    let kind = match chart.kind {
        ChartKind::Line => "Line chart",
        ChartKind::StackedArea => "Stacked area chart",
        ChartKind::ShareArea => "100% stacked area chart",
        ChartKind::GroupedBars => "Grouped bar chart",
        ChartKind::SmallMultiples => "Small-multiple line charts",
    };
    let label = |x: f64| scale::period_label(x, p.quarterly);
    let first = p.grid.first().copied().unwrap_or(0.0);
    let last = p.grid.last().copied().unwrap_or(0.0);
    let measure = clean(&chart.y_label);
    let unit = &p.unit.label;
    let fmt = |v: f64| {
        let decimals = if v.abs() >= 100.0 {
            0
        } else if v.abs() >= 10.0 {
            1
        } else {
            2
        };
        let s = crate::display::format_number(v, decimals);
        if p.unit.percent {
            format!("{s}%")
        } else if unit == "count" || unit.is_empty() {
            s
        } else {
            format!("{s} {unit}")
        }
    };
    let unit_note = if p.unit.percent || unit == "count" || unit.is_empty() {
        String::new()
    } else {
        format!(" ({unit})")
    };
    let mut out = format!(
        "{kind}: {}{unit_note} by {}, {}-{}.",
        if measure.is_empty() {
            "values".to_string()
        } else {
            measure
        },
        if p.quarterly { "quarter" } else { "year" },
        label(first),
        label(last)
    );
    if chart.kind == ChartKind::ShareArea {
        out.push_str(" Each period's series sum to 100%.");
    }
    for s in &p.series {
        let vals: Vec<(f64, f64)> = s
            .points
            .iter()
            .filter_map(|q| q.y.map(|y| (q.x, y)))
            .collect();
        let (Some(&(x0, y0)), Some(&(x1, y1))) = (vals.first(), vals.last()) else {
            continue;
        };
        let &(xp, yp) = vals
            .iter()
            .fold(&vals[0], |m, v| if v.1 > m.1 { v } else { m });
        out.push_str(&format!(
            " {}: {} in {}, {} in {}, peak {} in {}",
            clean(&s.name),
            fmt(y0),
            label(x0),
            fmt(y1),
            label(x1),
            fmt(yp),
            label(xp)
        ));
        let gaps: Vec<String> = s
            .points
            .iter()
            .filter(|q| q.y.is_none())
            .map(|q| label(q.x))
            .collect();
        if !gaps.is_empty()
            && chart.kind != ChartKind::ShareArea
            && chart.kind != ChartKind::StackedArea
        {
            out.push_str(&format!("; no data for {}", gaps.join(", ")));
        }
        out.push('.');
    }
    if !p.skipped.is_empty() {
        let periods: Vec<&str> = p.skipped.iter().map(|s| s.period.as_str()).collect();
        out.push_str(&format!(
            " Periods left blank (incomplete data): {}.",
            periods.join(", ")
        ));
    }
    if let Some(t) = &p.trend {
        out.push_str(&format!(
            " Trend line, {}: {}.",
            clean(&p.series[t.series].name),
            clean(&t.label)
        ));
    }
    if let Some(c) = &p.change_point {
        out.push_str(&format!(
            " Marked on {}: {}.",
            clean(&p.series[c.series].name),
            clean(&c.label)
        ));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::plot::{Series, Unit};

    fn chart(kind: ChartKind, series: Vec<Series>) -> Chart {
        Chart {
            kind,
            unit: Unit::Kg,
            series,
            ..Chart::default()
        }
    }

    #[test]
    fn lines_break_at_none_and_at_missing_periods() {
        let c = chart(
            ChartKind::Line,
            vec![Series::new(
                "A",
                vec![
                    (2000.0, Some(1.0)),
                    (2001.0, Some(2.0)),
                    (2002.0, None),
                    (2003.0, Some(3.0)),
                    (2005.0, Some(4.0)),
                    (2006.0, Some(5.0)),
                ],
            )],
        );
        let p = prepare(&c).unwrap();
        let seg = &p.series[0].segments;
        assert_eq!(seg.len(), 3, "{seg:?}");
        assert_eq!(seg[1], vec![(2003.0, 3.0)]);
    }

    #[test]
    fn share_area_skips_periods_with_a_missing_member() {
        let c = chart(
            ChartKind::ShareArea,
            vec![
                Series::new(
                    "herb",
                    vec![
                        (2000.0, Some(30.0)),
                        (2001.0, Some(10.0)),
                        (2002.0, Some(1.0)),
                    ],
                ),
                Series::new(
                    "resin",
                    vec![(2000.0, Some(10.0)), (2001.0, None), (2002.0, Some(3.0))],
                ),
            ],
        );
        let p = prepare(&c).unwrap();
        assert_eq!(p.skipped.len(), 1);
        assert_eq!(p.skipped[0].period, "2001");
        assert!(p.skipped[0].reason.contains("resin"));
        assert_eq!(p.runs, vec![vec![0], vec![2]]);
        assert_eq!(p.series[0].points[0].y, Some(75.0));
        assert_eq!(p.series[1].points[0].y_base, Some(75.0));
        assert_eq!(p.series[1].points[1].y, None);
        for gi in [0, 2] {
            let total: f64 = p.series.iter().map(|s| s.points[gi].y.unwrap()).sum();
            assert!((total - 100.0).abs() < 1e-9);
        }
    }

    #[test]
    fn stacked_kg_switch_to_tonnes_by_the_stack_total() {
        let c = chart(
            ChartKind::StackedArea,
            vec![
                Series::new("a", vec![(2000.0, Some(6000.0))]),
                Series::new("b", vec![(2000.0, Some(6000.0))]),
            ],
        );
        let p = prepare(&c).unwrap();
        assert_eq!(p.unit.label, "t");
        assert_eq!(p.series[1].points[0].y, Some(6.0));
        assert_eq!(p.series[1].points[0].y_base, Some(6.0));
    }

    #[test]
    fn bad_input_is_a_typed_error() {
        let nan = chart(
            ChartKind::Line,
            vec![Series::new("a", vec![(2000.0, Some(f64::NAN))])],
        );
        assert!(matches!(prepare(&nan), Err(PlotError::NonFinite { .. })));
        let gaps = chart(
            ChartKind::Line,
            vec![Series::new("a", vec![(2000.0, None)])],
        );
        // A series of gaps only is drawn (as "No data"); one without a single period is not.
        assert!(prepare(&gaps).is_ok());
        let nothing = chart(ChartKind::Line, vec![Series::new("a", vec![])]);
        assert!(matches!(prepare(&nothing), Err(PlotError::NoData { .. })));
        let dup = chart(
            ChartKind::Line,
            vec![Series::new(
                "a",
                vec![(2000.0, Some(1.0)), (2000.0, Some(2.0))],
            )],
        );
        assert!(matches!(
            prepare(&dup),
            Err(PlotError::DuplicatePeriod { .. })
        ));
        let neg = chart(
            ChartKind::StackedArea,
            vec![Series::new("a", vec![(2000.0, Some(-1.0))])],
        );
        assert!(matches!(
            prepare(&neg),
            Err(PlotError::NegativeValue { .. })
        ));
        assert!(matches!(
            prepare(&chart(ChartKind::Line, vec![])),
            Err(PlotError::EmptyChart)
        ));
        let none_complete = chart(
            ChartKind::ShareArea,
            vec![
                Series::new("a", vec![(2000.0, Some(1.0))]),
                Series::new("b", vec![(2001.0, Some(1.0))]),
            ],
        );
        // Drawn as "No data" bands over every period, not refused.
        let prepared = prepare(&none_complete).unwrap();
        assert!(prepared.runs.is_empty());
        assert_eq!(prepared.skipped.len(), 2);
    }
}
