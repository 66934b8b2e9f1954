//! Share changes: a part over a whole per period (e.g. cannabis-type drugs over all drugs
//! seized in Central Asia), its change between two periods in percentage points and in
//! relative terms, the MK/Sen/OLS trend of the share series, and, for counts only, the
//! two-proportion z test between the two periods and the Cochran-Armitage test over the
//! window (STATISTICS.md "Growth and shares"). Shares of kg have no sampling variance: no
//! proportion test for them.
//!
//! shares table grain: one row per share definition x period pair. share_series: one row per
//! share definition x period where both part and whole are present.

use super::aggregate::Aggregate;
use super::series::{Coverage, Series, Window};
use super::trend::{summary_notes, trend_row, TrendOptions};
use crate::model::{Period, Unit};
use crate::stats::{
    cochran_armitage, share_change, two_proportion_z_test, Proportion, Unavailable,
};

/// A share declared in the pipeline.
#[derive(Clone, Debug)]
pub struct ShareDef {
    pub id: String,
    pub title: String,
    /// Period pairs to compare; empty: the first and last period of the share series.
    pub compare: Vec<(Period, Period)>,
    pub window: Window,
}

/// One period of a share series.
#[derive(Clone, Debug, PartialEq)]
pub struct SharePoint {
    pub period: Period,
    pub part: f64,
    pub whole: f64,
    pub share: f64,
    pub part_coverage: Option<Coverage>,
    pub whole_coverage: Option<Coverage>,
}

/// One row of the shares table.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct ShareRow {
    pub share_id: String,
    pub title: String,
    pub unit: Unit,
    pub period_1: String,
    pub period_2: String,
    pub part_1: Option<f64>,
    pub whole_1: Option<f64>,
    pub share_1: Option<f64>,
    pub part_2: Option<f64>,
    pub whole_2: Option<f64>,
    pub share_2: Option<f64>,
    pub change_pp: Option<f64>,
    pub change_rel_pct: Option<f64>,
    pub z: Option<f64>,
    pub z_p: Option<f64>,
    pub window_start: Option<String>,
    pub window_end: Option<String>,
    pub n_periods: u32,
    pub ca_z: Option<f64>,
    pub ca_p: Option<f64>,
    pub trend: Option<String>,
    pub mk_p: Option<f64>,
    pub sen_slope_pp: Option<f64>,
    pub ols_slope_pp: Option<f64>,
    pub coverage: String,
    pub notes: String,
}

/// The share series and its rows.
#[derive(Clone, Debug)]
pub struct ShareResult {
    pub id: String,
    pub points: Vec<SharePoint>,
    pub rows: Vec<ShareRow>,
}

/// The share series: periods where both part and whole are present (and the whole is
/// positive), in time order.
pub fn share_points(part: &Aggregate, whole: &Aggregate, window: Window) -> Vec<SharePoint> {
    let inside = |p: &Period| {
        window.start.is_none_or(|s| p.x() >= s.x())
            && window.end.is_none_or(|e| p.x() <= e.last_x())
    };
    let mut points = Vec::new();
    for (j, period) in whole.series.periods.iter().enumerate() {
        let Some(i) = part.series.periods.iter().position(|p| p == period) else {
            continue;
        };
        let (p, w) = (part.series.values[i], whole.series.values[j]);
        if !inside(period) || w <= 0.0 {
            continue;
        }
        points.push(SharePoint {
            period: *period,
            part: p,
            whole: w,
            share: p / w,
            part_coverage: part.series.coverage.get(i).cloned(),
            whole_coverage: whole.series.coverage.get(j).cloned(),
        });
    }
    points
}

fn note<T>(notes: &mut Vec<String>, what: &str, r: Result<T, Unavailable>) -> Option<T> {
    r.map_err(|e| notes.push(format!("{what}: {e}"))).ok()
}

fn as_count(v: f64) -> Option<u64> {
    (v >= 0.0 && v.fract() == 0.0 && v < 9.0e15).then_some(v as u64)
}

/// Computes a share's series and its table rows. `unit` is the unit of part and whole.
pub fn compute_share(
    def: &ShareDef,
    part: &Aggregate,
    whole: &Aggregate,
    options: &TrendOptions,
) -> ShareResult {
    let points = share_points(part, whole, def.window);
    let unit = whole.series.key.unit;
    let counts = unit == Unit::Count;
    // Trend of the share series over the window.
    let share_series = Series {
        key: whole.series.key.clone(),
        periods: points.iter().map(|p| p.period).collect(),
        values: points.iter().map(|p| p.share).collect(),
        coverage: points
            .iter()
            .filter_map(|p| p.whole_coverage.clone())
            .collect(),
    };
    let trend = trend_row(&share_series, def.window, options);
    let mut window_notes = Vec::new();
    if part.series.key.unit != whole.series.key.unit {
        window_notes.push(format!(
            "part in {} but whole in {}: not a share",
            part.series.key.unit, whole.series.key.unit
        ));
    }
    let (ca_z, ca_p) = if counts {
        let x: Vec<f64> = points.iter().map(|p| p.period.x()).collect();
        let parts: Option<Vec<u64>> = points.iter().map(|p| as_count(p.part)).collect();
        let wholes: Option<Vec<u64>> = points.iter().map(|p| as_count(p.whole)).collect();
        match (parts, wholes) {
            (Some(c), Some(t)) => note(
                &mut window_notes,
                "cochran_armitage",
                cochran_armitage(&x, &c, &t),
            )
            .map_or((None, None), |ca| (Some(ca.z), Some(ca.p))),
            _ => {
                window_notes.push("cochran_armitage: counts are not whole numbers".into());
                (None, None)
            }
        }
    } else {
        (None, None)
    };
    let coverage = coverage_summary(&points);
    let pairs: Vec<(Period, Period)> = if def.compare.is_empty() {
        match (points.first(), points.last()) {
            (Some(a), Some(b)) if a.period != b.period => vec![(a.period, b.period)],
            _ => Vec::new(),
        }
    } else {
        def.compare.clone()
    };
    let at = |p: Period| points.iter().find(|s| s.period == p);
    let mut rows = Vec::new();
    for (p1, p2) in pairs {
        let mut notes = window_notes.clone();
        let (a, b) = (at(p1), at(p2));
        for (p, point) in [(p1, a), (p2, b)] {
            if point.is_none() {
                notes.push(format!("no share for {p}: part or whole not reported"));
            }
        }
        let mut row = ShareRow {
            share_id: def.id.clone(),
            title: def.title.clone(),
            unit,
            period_1: p1.to_string(),
            period_2: p2.to_string(),
            part_1: a.map(|s| s.part),
            whole_1: a.map(|s| s.whole),
            share_1: a.map(|s| s.share),
            part_2: b.map(|s| s.part),
            whole_2: b.map(|s| s.whole),
            share_2: b.map(|s| s.share),
            window_start: trend.window_start.clone(),
            window_end: trend.window_end.clone(),
            n_periods: trend.n,
            ca_z,
            ca_p,
            trend: trend.trend.clone(),
            mk_p: trend.mk_p,
            sen_slope_pp: trend.sen_slope.map(|s| 100.0 * s),
            ols_slope_pp: trend.ols_slope.map(|s| 100.0 * s),
            coverage: coverage.clone(),
            ..ShareRow::default()
        };
        if let (Some(a), Some(b)) = (a, b) {
            if let Some(change) = note(&mut notes, "change", share_change(a.share, b.share)) {
                row.change_pp = Some(change.percentage_points);
                row.change_rel_pct = note(&mut notes, "relative change", change.relative_percent);
            }
            if counts {
                let proportion = |s: &SharePoint| {
                    Some(Proportion {
                        count: as_count(s.part)?,
                        total: as_count(s.whole)?,
                    })
                };
                match (proportion(a), proportion(b)) {
                    (Some(pa), Some(pb)) => {
                        if let Some(t) = note(&mut notes, "z test", two_proportion_z_test(pa, pb)) {
                            row.z = Some(t.z);
                            row.z_p = Some(t.p);
                        }
                    }
                    _ => notes.push("z test: counts are not whole numbers".into()),
                }
            } else {
                notes.push(
                    "no proportion test: shares of quantities (kg) have no sampling variance"
                        .into(),
                );
            }
        }
        let trend_notes = summary_notes(&trend.notes);
        if !trend_notes.is_empty() {
            notes.push(format!("share trend: {trend_notes}"));
        }
        row.notes = notes.join("; ");
        rows.push(row);
    }
    ShareResult {
        id: def.id.clone(),
        points,
        rows,
    }
}

/// "complete" or the periods with incomplete part or whole coverage.
fn coverage_summary(points: &[SharePoint]) -> String {
    let incomplete: Vec<String> = points
        .iter()
        .filter_map(|p| {
            let parts: Vec<String> = [("part", &p.part_coverage), ("whole", &p.whole_coverage)]
                .iter()
                .filter_map(|(what, c)| {
                    c.as_ref()
                        .filter(|c| !c.complete())
                        .map(|c| format!("{what} {}", c.text()))
                })
                .collect();
            (!parts.is_empty()).then(|| format!("{}: {}", p.period, parts.join(", ")))
        })
        .collect();
    if incomplete.is_empty() {
        "complete".into()
    } else {
        incomplete.join("; ")
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::analysis::series::SeriesKey;
    use std::collections::BTreeMap;

    fn aggregate(unit: &str, points: &[(i32, f64)]) -> Aggregate {
        let unit = Unit::from_code(unit).unwrap();
        Aggregate {
            series: Series {
                key: SeriesKey {
                    indicator: "drug_offences".into(),
                    geo: "UZB".into(),
                    drug: None,
                    dimension: None,
                    category: None,
                    freq: crate::model::Freq::Annual,
                    unit,
                },
                periods: points.iter().map(|(y, _)| Period::year(*y)).collect(),
                values: points.iter().map(|(_, v)| *v).collect(),
                coverage: Vec::new(),
            },
            by_member: vec![BTreeMap::new(); points.len()],
            members: vec!["UZB".into()],
            notes: Vec::new(),
        }
    }

    #[test]
    fn count_shares_get_pp_relative_change_and_proportion_tests() {
        // Smuggling over all drug offences (hand-computed: 623/7680 = 0.08112, 645/6646 = 0.09705).
        let part = aggregate(
            "count",
            &[(2013, 623.0), (2014, 607.0), (2015, 709.0), (2016, 645.0)],
        );
        let whole = aggregate(
            "count",
            &[
                (2013, 7680.0),
                (2014, 6698.0),
                (2015, 6648.0),
                (2016, 6646.0),
            ],
        );
        let def = ShareDef {
            id: "smuggling".into(),
            title: "t".into(),
            compare: Vec::new(),
            window: Window::default(),
        };
        let r = compute_share(&def, &part, &whole, &TrendOptions::default());
        assert_eq!(r.points.len(), 4);
        let row = &r.rows[0];
        assert_eq!(
            (row.period_1.as_str(), row.period_2.as_str()),
            ("2013", "2016")
        );
        let (s1, s2): (f64, f64) = (623.0 / 7680.0, 645.0 / 6646.0);
        assert!((row.change_pp.unwrap() - 100.0 * (s2 - s1)).abs() < 1e-12);
        assert!((row.change_rel_pct.unwrap() - 100.0 * (s2 - s1) / s1).abs() < 1e-9);
        // pooled z by hand: p = 1268/14326
        let p: f64 = 1268.0 / 14326.0;
        let z = (s2 - s1) / (p * (1.0 - p) * (1.0 / 7680.0 + 1.0 / 6646.0)).sqrt();
        assert!((row.z.unwrap() - z).abs() < 1e-9, "{row:?}");
        assert!(row.ca_p.is_some());
    }

    #[test]
    fn kg_shares_have_no_proportion_test_and_missing_periods_are_named() {
        let part = aggregate("kg", &[(2001, 65.0), (2016, 90.0)]);
        let whole = aggregate("kg", &[(2001, 100.0), (2010, 50.0), (2016, 100.0)]);
        let def = ShareDef {
            id: "c".into(),
            title: "t".into(),
            compare: vec![
                (Period::year(2001), Period::year(2016)),
                (Period::year(2010), Period::year(2016)),
            ],
            window: Window::default(),
        };
        let r = compute_share(&def, &part, &whole, &TrendOptions::default());
        assert_eq!(r.rows[0].change_pp, Some(25.0));
        assert!(r.rows[0].z.is_none());
        assert!(r.rows[0].notes.contains("no sampling variance"));
        assert!(
            r.rows[1].notes.contains("no share for 2010"),
            "{}",
            r.rows[1].notes
        );
    }
}
