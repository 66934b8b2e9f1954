//! The claims check: numbers that report writers state ("the share of cannabis-type drugs
//! rose from about 65% to 90%") held against the data every quarter. Each claim says what it
//! measures, the stated value with its qualifier or tolerance, and the period; the verdict is
//! `supported`, `contradicted` or `not checkable` with why. A regional figure is checked only
//! when every member reports: the check never invents a regional total from part of it.
//!
//! claims table grain: one row per claim; key `id`.

use super::aggregate::{Aggregate, Selection};
use super::series::Window;
use super::share::ShareResult;
use super::trend::{trend_row, TrendOptions, TOO_SHORT};
use crate::display::readable;
use crate::model::Period;

/// The hedge of a stated number.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Qualifier {
    /// Equal within the tolerance (default: 1 pp for shares, 2% for totals).
    Exact,
    /// Equal within a wider tolerance (default: 5 pp for shares, 10% for totals).
    About,
    /// Strictly more than the stated value.
    Over,
    /// Strictly less than the stated value.
    Under,
    /// At most the stated value and within the tolerance below it (default 10%, 5 pp).
    Almost,
}

impl Qualifier {
    pub fn parse(text: &str) -> Result<Qualifier, String> {
        match text {
            "" | "exactly" => Ok(Qualifier::Exact),
            "about" => Ok(Qualifier::About),
            "over" => Ok(Qualifier::Over),
            "under" => Ok(Qualifier::Under),
            "almost" => Ok(Qualifier::Almost),
            other => Err(format!(
                "'{other}': expected about, over, under, almost or exactly"
            )),
        }
    }

    fn default_tolerance(self, share: bool) -> f64 {
        match (self, share) {
            (Qualifier::Exact, true) => 0.01,
            (Qualifier::Exact, false) => 0.02,
            (_, true) => 0.05,
            (_, false) => 0.10,
        }
    }
}

/// What a claim measures.
#[derive(Clone, Debug)]
pub enum ClaimCheck {
    /// A declared share at a period equals the stated value.
    Share { share: String, period: Period },
    /// A (regional) total at a period equals the stated value.
    Total {
        selection: Selection,
        period: Period,
    },
    /// `a` is greater than `b` in every period of the window.
    Greater {
        a: Selection,
        b: Selection,
        window: Window,
    },
    /// The series peaks inside `stated` (within the `within` window).
    Peak {
        selection: Selection,
        stated: Window,
        within: Window,
    },
    /// The series' trend over the window has this direction (`increasing`, `decreasing`).
    Trend {
        selection: Selection,
        window: Window,
        direction: String,
    },
}

impl ClaimCheck {
    /// The series the claim is checked on.
    pub fn selections(&self) -> Vec<&Selection> {
        match self {
            ClaimCheck::Share { .. } => Vec::new(),
            ClaimCheck::Total { selection, .. }
            | ClaimCheck::Peak { selection, .. }
            | ClaimCheck::Trend { selection, .. } => vec![selection],
            ClaimCheck::Greater { a, b, .. } => vec![a, b],
        }
    }
}

/// A claim declared in the pipeline.
#[derive(Clone, Debug)]
pub struct Claim {
    pub id: String,
    pub statement: String,
    pub check: ClaimCheck,
    pub stated: Option<f64>,
    pub qualifier: Qualifier,
    pub tolerance: Option<f64>,
}

/// One row of the claims table.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct ClaimRow {
    pub id: String,
    pub statement: String,
    pub stated: String,
    pub computed: String,
    pub coverage: String,
    pub verdict: Verdict,
    pub why: String,
}

/// What the data say of a claim.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum Verdict {
    Supported,
    Contradicted,
    /// No data, or not enough, to check it (the default until checked).
    #[default]
    NotCheckable,
}

impl Verdict {
    pub const ALL: [Verdict; 3] = [
        Verdict::Supported,
        Verdict::Contradicted,
        Verdict::NotCheckable,
    ];

    /// The verdict as the claims table writes it.
    pub fn code(self) -> &'static str {
        match self {
            Verdict::Supported => "supported",
            Verdict::Contradicted => "contradicted",
            Verdict::NotCheckable => "not checkable",
        }
    }
}

fn within(window: Window, p: Period) -> bool {
    window.start.is_none_or(|s| p.x() >= s.x()) && window.end.is_none_or(|e| p.x() <= e.last_x())
}

fn window_text(w: Window) -> String {
    let b = |p: Option<Period>| p.map_or(String::new(), |p| p.to_string());
    format!("{}-{}", b(w.start), b(w.end))
}

/// Checks every period in `window` of an aggregate for complete coverage; the reason names
/// the missing members and refuses to invent a regional figure.
fn incomplete(a: &Aggregate, window: Window) -> Option<String> {
    let gaps: Vec<String> = a
        .series
        .periods
        .iter()
        .zip(&a.series.coverage)
        .filter(|(p, c)| within(window, **p) && !c.complete())
        .map(|(p, c)| format!("{p}: {}", c.text()))
        .collect();
    (!gaps.is_empty()).then(|| {
        format!(
            "{} is not reported by all its members ({}); a regional figure from part of them would be invented",
            a.series.key.geo,
            gaps.join("; ")
        )
    })
}

/// Which periods of a window have no value (for annual windows).
fn absent_years(a: &Aggregate, window: Window) -> Vec<String> {
    let (Some(s), Some(e)) = (window.start, window.end) else {
        return Vec::new();
    };
    (s.year..=e.year)
        .filter(|y| {
            !a.series
                .periods
                .iter()
                .any(|p| p.year == *y && p.quarter.is_none())
        })
        .map(|y| y.to_string())
        .collect()
}

fn compare(
    stated: f64,
    computed: f64,
    q: Qualifier,
    tolerance: f64,
    share: bool,
) -> (bool, String) {
    let show = |v: f64| {
        if share {
            format!("{:.1}%", 100.0 * v)
        } else {
            readable(v)
        }
    };
    let gap = if share {
        (computed - stated).abs()
    } else {
        ((computed - stated) / stated).abs()
    };
    let tol = if share {
        format!("{:.1} pp", 100.0 * tolerance)
    } else {
        format!("{:.0}%", 100.0 * tolerance)
    };
    match q {
        Qualifier::Over => (
            computed > stated,
            format!(
                "{} is {} {}",
                show(computed),
                if computed > stated {
                    "over"
                } else {
                    "not over"
                },
                show(stated)
            ),
        ),
        Qualifier::Under => (
            computed < stated,
            format!(
                "{} is {} {}",
                show(computed),
                if computed < stated {
                    "under"
                } else {
                    "not under"
                },
                show(stated)
            ),
        ),
        Qualifier::Almost => {
            let ok = computed <= stated && gap <= tolerance;
            (
                ok,
                format!(
                    "{} vs almost {} (tolerance {tol} below)",
                    show(computed),
                    show(stated)
                ),
            )
        }
        Qualifier::Exact | Qualifier::About => (
            gap <= tolerance,
            format!("{} vs {} (tolerance {tol})", show(computed), show(stated)),
        ),
    }
}

/// Evaluates one claim. `fetch` sums a selection (None: no data at all); `shares` are the
/// computed shares of the pipeline.
pub fn check_claim(
    claim: &Claim,
    fetch: &dyn Fn(&Selection) -> Result<Option<Aggregate>, String>,
    shares: &[ShareResult],
    options: &TrendOptions,
) -> ClaimRow {
    let mut row = ClaimRow {
        id: claim.id.clone(),
        statement: claim.statement.clone(),
        stated: claim.stated.map(readable).unwrap_or_default(),
        ..ClaimRow::default()
    };
    let verdict = |row: &mut ClaimRow, ok: bool, why: String| {
        row.verdict = if ok {
            Verdict::Supported
        } else {
            Verdict::Contradicted
        };
        row.why = why;
    };
    let not_checkable = |row: &mut ClaimRow, why: String| {
        row.verdict = Verdict::NotCheckable;
        row.why = why;
    };
    let fetched = |s: &Selection| -> Result<Aggregate, String> {
        fetch(s)?.ok_or_else(|| {
            format!(
                "no observations of {} {} {} in the data",
                s.indicator,
                s.geo,
                s.drug.label().unwrap_or("")
            )
        })
    };
    match &claim.check {
        ClaimCheck::Share { share, period } => {
            let Some(result) = shares.iter().find(|s| &s.id == share) else {
                return {
                    not_checkable(&mut row, format!("no share '{share}' is declared"));
                    row
                };
            };
            let Some(point) = result.points.iter().find(|p| p.period == *period) else {
                not_checkable(
                    &mut row,
                    format!("no share for {period}: part or whole not reported"),
                );
                return row;
            };
            row.stated = claim
                .stated
                .map(|v| format!("{:.1}%", 100.0 * v))
                .unwrap_or_default();
            row.computed = format!("{:.1}%", 100.0 * point.share);
            let coverage: Vec<String> = [&point.part_coverage, &point.whole_coverage]
                .iter()
                .filter_map(|c| c.as_ref().map(|c| c.text()))
                .collect();
            row.coverage = coverage.join(" / ");
            if let Some(c) = point.whole_coverage.as_ref().filter(|c| !c.complete()) {
                not_checkable(
                    &mut row,
                    format!(
                        "whole not reported by all members in {period} ({})",
                        c.text()
                    ),
                );
                return row;
            }
            let Some(stated) = claim.stated else {
                not_checkable(&mut row, "no stated value".into());
                return row;
            };
            let tolerance = claim
                .tolerance
                .unwrap_or(claim.qualifier.default_tolerance(true));
            let (ok, why) = compare(stated, point.share, claim.qualifier, tolerance, true);
            verdict(&mut row, ok, why);
        }
        ClaimCheck::Total { selection, period } => {
            let a = match fetched(selection) {
                Ok(a) => a,
                Err(e) => {
                    not_checkable(&mut row, e);
                    return row;
                }
            };
            let Some(i) = a.series.periods.iter().position(|p| p == period) else {
                let freq = if period.quarter.is_some() {
                    "quarterly"
                } else {
                    "annual"
                };
                let have: Vec<String> = a.series.periods.iter().map(|p| p.to_string()).collect();
                let range = match (have.first(), have.last()) {
                    (Some(f), Some(l)) => format!("{f} to {l}"),
                    _ => "none".into(),
                };
                let mut why = format!(
                    "no {freq} figure for {period} in the data (periods available: {range})"
                );
                if selection.members.len() > 1 {
                    let reporting: std::collections::BTreeSet<&String> =
                        a.by_member.iter().flat_map(|m| m.keys()).collect();
                    let names: Vec<&str> = reporting.iter().map(|s| s.as_str()).collect();
                    why.push_str(&format!(
                        "; only {} of the {} members of {} ever report it ({}): a regional figure cannot be made from the country data",
                        names.len(),
                        selection.members.len(),
                        selection.geo,
                        names.join(" ")
                    ));
                }
                not_checkable(&mut row, why);
                return row;
            };
            let c = a.series.coverage.get(i).cloned().unwrap_or_default();
            row.coverage = c.text();
            row.computed = readable(a.series.values[i]);
            if let Some(why) = incomplete(
                &a,
                Window {
                    start: Some(*period),
                    end: Some(*period),
                },
            ) {
                not_checkable(&mut row, why);
                return row;
            }
            let Some(stated) = claim.stated else {
                not_checkable(&mut row, "no stated value".into());
                return row;
            };
            let tolerance = claim
                .tolerance
                .unwrap_or(claim.qualifier.default_tolerance(false));
            let (ok, why) = compare(
                stated,
                a.series.values[i],
                claim.qualifier,
                tolerance,
                false,
            );
            verdict(&mut row, ok, why);
        }
        ClaimCheck::Greater { a, b, window } => {
            let (fa, fb) = match (fetched(a), fetched(b)) {
                (Ok(x), Ok(y)) => (x, y),
                (Err(e), _) | (_, Err(e)) => {
                    not_checkable(&mut row, e);
                    return row;
                }
            };
            for f in [&fa, &fb] {
                let absent = absent_years(f, *window);
                if !absent.is_empty() {
                    not_checkable(
                        &mut row,
                        format!(
                            "{} has no figure for {}",
                            f.series.key.geo,
                            absent.join(", ")
                        ),
                    );
                    return row;
                }
                if let Some(why) = incomplete(f, *window) {
                    not_checkable(&mut row, why);
                    return row;
                }
            }
            let mut failing = Vec::new();
            let mut pairs = Vec::new();
            for (i, p) in fa.series.periods.iter().enumerate() {
                if !within(*window, *p) {
                    continue;
                }
                let Some(j) = fb.series.periods.iter().position(|q| q == p) else {
                    continue;
                };
                let (x, y) = (fa.series.values[i], fb.series.values[j]);
                pairs.push(format!("{p}: {} vs {}", readable(x), readable(y)));
                if x <= y {
                    failing.push(p.to_string());
                }
            }
            row.computed = pairs.join("; ");
            row.coverage = "complete".into();
            let why = if failing.is_empty() {
                format!(
                    "{} above {} in every year {}",
                    fa.series.key.geo,
                    fb.series.key.geo,
                    window_text(*window)
                )
            } else {
                format!("not above in {}", failing.join(", "))
            };
            verdict(&mut row, failing.is_empty(), why);
        }
        ClaimCheck::Peak {
            selection,
            stated,
            within: span,
        } => {
            let a = match fetched(selection) {
                Ok(a) => a,
                Err(e) => {
                    not_checkable(&mut row, e);
                    return row;
                }
            };
            let first = a.series.periods.first().copied();
            if let (Some(s), Some(f)) = (span.start, first) {
                if f.x() > s.x() {
                    not_checkable(
                        &mut row,
                        format!(
                            "the data start in {f}, after the start of {}",
                            window_text(*span)
                        ),
                    );
                    return row;
                }
            }
            if let Some(why) = incomplete(&a, *span) {
                not_checkable(&mut row, why);
                return row;
            }
            let peak = a
                .series
                .periods
                .iter()
                .zip(&a.series.values)
                .filter(|(p, _)| within(*span, **p))
                .max_by(|x, y| x.1.total_cmp(y.1));
            let Some((p, v)) = peak else {
                not_checkable(&mut row, format!("no figure in {}", window_text(*span)));
                return row;
            };
            row.computed = format!("peak {} in {p}", readable(*v));
            row.coverage = "complete".into();
            verdict(
                &mut row,
                within(*stated, *p),
                format!("highest value of {} is in {p}", window_text(*span)),
            );
        }
        ClaimCheck::Trend {
            selection,
            window,
            direction,
        } => {
            let a = match fetched(selection) {
                Ok(a) => a,
                Err(e) => {
                    not_checkable(&mut row, e);
                    return row;
                }
            };
            if let Some(why) = incomplete(&a, *window) {
                not_checkable(&mut row, why);
                return row;
            }
            let t = trend_row(&a.series, *window, options);
            match (&t.trend, t.mk_p) {
                // Too few observations for the test to reach alpha: the data can neither
                // support nor contradict a trend.
                (Some(found), Some(p)) if found == TOO_SHORT => not_checkable(
                    &mut row,
                    format!(
                        "{} observations over {}: too few for Mann-Kendall to reach significance (p = {})",
                        t.n,
                        window_text(*window),
                        readable(p)
                    ),
                ),
                (Some(found), Some(p)) => {
                    row.computed = format!("{found} (MK p = {}, n = {})", readable(p), t.n);
                    row.coverage = "complete".into();
                    verdict(
                        &mut row,
                        found == direction,
                        format!("Mann-Kendall over {}", window_text(*window)),
                    );
                }
                _ => not_checkable(&mut row, format!("no trend test: {}", t.notes)),
            }
        }
    }
    row
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::analysis::aggregate::DrugSelection;
    use crate::analysis::series::Coverage;
    use crate::analysis::series::{Series, SeriesKey};
    use crate::analysis::share::SharePoint;
    use std::collections::BTreeMap;

    fn selection(geo: &str, members: &[&str]) -> Selection {
        Selection {
            geo: geo.into(),
            members: members.iter().map(|m| m.to_string()).collect(),
            drug: DrugSelection::Keys {
                label: "heroin".into(),
                keys: vec!["heroin".into()],
            },
            indicator: "seizures".into(),
            dimension: None,
            category: None,
        }
    }

    /// An aggregate of `years` values; `missing` members absent in the given years.
    fn agg(geo: &str, points: &[(i32, f64)], total: u32, missing: &[(i32, &str)]) -> Aggregate {
        let coverage = points
            .iter()
            .map(|(y, _)| {
                let gone: Vec<String> = missing
                    .iter()
                    .filter(|(m, _)| m == y)
                    .map(|(_, c)| c.to_string())
                    .collect();
                Coverage {
                    reporting: total - gone.len() as u32,
                    total,
                    missing: gone,
                }
            })
            .collect();
        Aggregate {
            series: Series {
                key: SeriesKey {
                    indicator: "seizures".into(),
                    geo: geo.into(),
                    drug: Some("heroin".into()),
                    dimension: None,
                    category: None,
                    freq: crate::model::Freq::Annual,
                    unit: crate::model::Unit::Kg,
                },
                periods: points.iter().map(|(y, _)| Period::year(*y)).collect(),
                values: points.iter().map(|(_, v)| *v).collect(),
                coverage,
            },
            by_member: vec![BTreeMap::from([("KAZ".to_string(), 1.0)]); points.len()],
            members: vec![],
            notes: vec![],
        }
    }

    fn claim(check: ClaimCheck, stated: Option<f64>, qualifier: Qualifier) -> Claim {
        Claim {
            id: "c".into(),
            statement: "s".into(),
            check,
            stated,
            qualifier,
            tolerance: None,
        }
    }

    fn run(c: &Claim, data: &[Aggregate], shares: &[ShareResult]) -> ClaimRow {
        let fetch = |s: &Selection| Ok(data.iter().find(|a| a.series.key.geo == s.geo).cloned());
        check_claim(c, &fetch, shares, &TrendOptions::default())
    }

    #[test]
    fn share_claims_use_the_qualifier_tolerance() {
        let point = |y: i32, share: f64| SharePoint {
            period: Period::year(y),
            part: share,
            whole: 1.0,
            share,
            part_coverage: None,
            whole_coverage: None,
        };
        let shares = [ShareResult {
            id: "s".into(),
            points: vec![point(2001, 0.612), point(2016, 0.926)],
            rows: vec![],
        }];
        let at = |y| ClaimCheck::Share {
            share: "s".into(),
            period: Period::year(y),
        };
        assert_eq!(
            run(&claim(at(2001), Some(0.65), Qualifier::About), &[], &shares).verdict,
            Verdict::Supported,
            "3.8 pp within 5 pp"
        );
        assert_eq!(
            run(&claim(at(2001), Some(0.65), Qualifier::Exact), &[], &shares).verdict,
            Verdict::Contradicted,
            "3.8 pp beyond 1 pp"
        );
        let r = run(&claim(at(2005), Some(0.7), Qualifier::About), &[], &shares);
        assert_eq!(r.verdict, Verdict::NotCheckable);
        assert!(r.why.contains("no share for 2005"));
    }

    #[test]
    fn totals_need_complete_coverage_and_respect_over_and_almost() {
        let ca5 = agg("CA5", &[(2016, 950.0), (2017, 3900.0)], 5, &[(2017, "TKM")]);
        let total = |y, v, q| {
            claim(
                ClaimCheck::Total {
                    selection: selection("CA5", &["KAZ", "KGZ", "TJK", "TKM", "UZB"]),
                    period: Period::year(y),
                },
                Some(v),
                q,
            )
        };
        assert_eq!(
            run(
                &total(2016, 1000.0, Qualifier::Over),
                std::slice::from_ref(&ca5),
                &[]
            )
            .verdict,
            Verdict::Contradicted
        );
        assert_eq!(
            run(
                &total(2016, 900.0, Qualifier::Over),
                std::slice::from_ref(&ca5),
                &[]
            )
            .verdict,
            Verdict::Supported
        );
        assert_eq!(
            run(
                &total(2016, 1000.0, Qualifier::Almost),
                std::slice::from_ref(&ca5),
                &[]
            )
            .verdict,
            Verdict::Supported,
            "950 is almost 1000"
        );
        let r = run(
            &total(2017, 4000.0, Qualifier::Almost),
            std::slice::from_ref(&ca5),
            &[],
        );
        assert_eq!(r.verdict, Verdict::NotCheckable);
        assert!(
            r.why.contains("TKM missing") && r.why.contains("invented"),
            "{}",
            r.why
        );
        let q = claim(
            ClaimCheck::Total {
                selection: selection("CA5", &["KAZ"]),
                period: Period {
                    year: 2017,
                    quarter: Some(1),
                },
            },
            Some(4000.0),
            Qualifier::About,
        );
        assert!(run(&q, &[ca5], &[])
            .why
            .contains("no quarterly figure for 2017Q1"));
    }

    #[test]
    fn greater_peak_and_trend_claims() {
        let rus = agg("RUS", &[(2010, 10.0), (2011, 9.0), (2012, 8.0)], 1, &[]);
        let ca5 = agg("CA5", &[(2010, 5.0), (2011, 9.5), (2012, 7.0)], 5, &[]);
        let window = Window {
            start: Some(Period::year(2010)),
            end: Some(Period::year(2012)),
        };
        let greater = claim(
            ClaimCheck::Greater {
                a: selection("RUS", &["RUS"]),
                b: selection("CA5", &["KAZ"]),
                window,
            },
            None,
            Qualifier::Exact,
        );
        let r = run(&greater, &[rus.clone(), ca5.clone()], &[]);
        assert_eq!(
            (r.verdict.code(), r.why.as_str()),
            ("contradicted", "not above in 2011")
        );
        let peak = |from, to| {
            claim(
                ClaimCheck::Peak {
                    selection: selection("CA5", &["KAZ"]),
                    stated: Window {
                        start: Some(Period::year(from)),
                        end: Some(Period::year(to)),
                    },
                    within: window,
                },
                None,
                Qualifier::Exact,
            )
        };
        assert_eq!(
            run(&peak(2011, 2011), std::slice::from_ref(&ca5), &[]).verdict,
            Verdict::Supported
        );
        assert_eq!(
            run(&peak(2010, 2010), &[ca5], &[]).verdict,
            Verdict::Contradicted
        );
        let trend = claim(
            ClaimCheck::Trend {
                selection: selection("RUS", &["RUS"]),
                window: Window::default(),
                direction: "decreasing".into(),
            },
            None,
            Qualifier::Exact,
        );
        let r = run(&trend, &[rus], &[]);
        assert_eq!(
            r.verdict,
            Verdict::NotCheckable,
            "3 points cannot reach p < 0.05: {r:?}"
        );
        assert!(r.why.contains("too few for Mann-Kendall"), "{r:?}");
    }
}
