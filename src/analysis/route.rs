//! Route indicators: for a route (origin -> transit -> destination) and a drug selection,
//! per period: the segment totals with their coverage, the destination/transit ratio,
//! whether the destination seized more than all transit countries together, each transit
//! country's share of the transit total, and the heroin:opium ratio per segment; over the
//! whole span, the lagged cross-correlation between transit and destination on first
//! differences with its ±1.96/sqrt(n) band (STATISTICS.md "Lagged cross-correlation").
//!
//! route table grain: one row per route x drug x indicator x geo x period. route_ccf grain:
//! one row per route x drug x lag.

use super::aggregate::Aggregate;
use super::series::Coverage;
use crate::model::{Period, Unit};
use crate::stats::cross_correlation;

/// One row of the route table.
#[derive(Clone, Debug, PartialEq)]
pub struct RouteRow {
    pub route: String,
    pub drug: String,
    pub indicator: String,
    /// The segment (`transit`, `destination`, ...) or a member country.
    pub geo: String,
    pub period: Period,
    pub value: f64,
    pub unit: Unit,
    pub members_reporting: Option<u32>,
    pub members_total: Option<u32>,
    pub missing_members: String,
}

/// One lag of the transit/destination cross-correlation.
#[derive(Clone, Debug, PartialEq)]
pub struct CcfRow {
    pub route: String,
    pub drug: String,
    pub lag: i64,
    pub r: Option<f64>,
    pub band: Option<f64>,
    pub significant: Option<bool>,
    pub n: u32,
    pub span: String,
    pub notes: String,
}

/// The three segment aggregates of one route and drug (any may be absent from the data).
pub struct RouteSegments<'a> {
    pub route: &'a str,
    pub drug: &'a str,
    pub origin: Option<&'a Aggregate>,
    pub transit: Option<&'a Aggregate>,
    pub destination: Option<&'a Aggregate>,
}

fn segment_rows(route: &str, drug: &str, segment: &str, a: &Aggregate, out: &mut Vec<RouteRow>) {
    for (i, period) in a.series.periods.iter().enumerate() {
        let c = a.series.coverage.get(i).cloned().unwrap_or_default();
        out.push(RouteRow {
            route: route.into(),
            drug: drug.into(),
            indicator: format!("{segment}_total"),
            geo: segment.into(),
            period: *period,
            value: a.series.values[i],
            unit: a.series.key.unit,
            members_reporting: Some(c.reporting),
            members_total: Some(c.total),
            missing_members: c.missing.join(" "),
        });
    }
}

/// The per-period indicators of one route and drug.
pub fn route_rows(s: &RouteSegments) -> Vec<RouteRow> {
    let mut out = Vec::new();
    for (name, segment) in [
        ("origin", s.origin),
        ("transit", s.transit),
        ("destination", s.destination),
    ] {
        if let Some(a) = segment {
            segment_rows(s.route, s.drug, name, a, &mut out);
        }
    }
    let (Some(transit), Some(destination)) = (s.transit, s.destination) else {
        return out;
    };
    let derived =
        |indicator: &str, geo: &str, period: Period, value: f64, unit: Unit, c: &Coverage| {
            RouteRow {
                route: s.route.into(),
                drug: s.drug.into(),
                indicator: indicator.into(),
                geo: geo.into(),
                period,
                value,
                unit,
                members_reporting: Some(c.reporting),
                members_total: Some(c.total),
                missing_members: c.missing.join(" "),
            }
        };
    for (j, period) in destination.series.periods.iter().enumerate() {
        let Some(i) = transit.series.periods.iter().position(|p| p == period) else {
            continue;
        };
        let (t, d) = (transit.series.values[i], destination.series.values[j]);
        let c = transit.series.coverage.get(i).cloned().unwrap_or_default();
        if t > 0.0 {
            out.push(derived(
                "destination_transit_ratio",
                "destination/transit",
                *period,
                d / t,
                Unit::Ratio,
                &c,
            ));
        }
        out.push(derived(
            "destination_exceeds_transit",
            "destination/transit",
            *period,
            f64::from(u8::from(d > t)),
            Unit::Flag,
            &c,
        ));
    }
    for (i, period) in transit.series.periods.iter().enumerate() {
        let total = transit.series.values[i];
        let c = transit.series.coverage.get(i).cloned().unwrap_or_default();
        if total <= 0.0 {
            continue;
        }
        for (member, value) in &transit.by_member[i] {
            out.push(derived(
                "transit_share",
                member,
                *period,
                value / total,
                Unit::Share,
                &c,
            ));
        }
    }
    out
}

/// Heroin:opium ratio per segment and period, from the heroin and opium aggregates.
pub fn heroin_opium_rows(
    route: &str,
    segment: &str,
    heroin: &Aggregate,
    opium: &Aggregate,
) -> Vec<RouteRow> {
    let mut out = Vec::new();
    for (i, period) in heroin.series.periods.iter().enumerate() {
        let Some(j) = opium.series.periods.iter().position(|p| p == period) else {
            continue;
        };
        let (h, o) = (heroin.series.values[i], opium.series.values[j]);
        if o <= 0.0 {
            continue;
        }
        let c = heroin.series.coverage.get(i).cloned().unwrap_or_default();
        out.push(RouteRow {
            route: route.into(),
            drug: "heroin:opium".into(),
            indicator: "heroin_opium_ratio".into(),
            geo: segment.into(),
            period: *period,
            value: h / o,
            unit: Unit::Ratio,
            members_reporting: Some(c.reporting),
            members_total: Some(c.total),
            missing_members: c.missing.join(" "),
        });
    }
    out
}

/// Cross-correlation of first differences of transit and destination totals, on the longest
/// run of consecutive periods where both are present (a difference never spans a gap).
/// Lag k > 0: the destination leads transit by k periods (r(k) = corr(transit_{t+k}, dest_t)).
pub fn transit_destination_ccf(
    route: &str,
    drug: &str,
    transit: &Aggregate,
    destination: &Aggregate,
    max_lag: usize,
) -> Vec<CcfRow> {
    let mut pairs: Vec<(Period, f64, f64)> = Vec::new();
    for (i, p) in transit.series.periods.iter().enumerate() {
        if let Some(j) = destination.series.periods.iter().position(|q| q == p) {
            pairs.push((*p, transit.series.values[i], destination.series.values[j]));
        }
    }
    let step = |a: Period, b: Period| match a.freq() {
        crate::model::Freq::Annual => b.year - a.year == 1,
        crate::model::Freq::Quarterly => (b.x() - a.x() - 0.25).abs() < 1e-9,
    };
    // Longest run of consecutive periods.
    let (mut best, mut start) = ((0usize, 0usize), 0usize);
    for i in 1..=pairs.len() {
        if i == pairs.len() || !step(pairs[i - 1].0, pairs[i].0) {
            if i - start > best.1 - best.0 {
                best = (start, i);
            }
            start = i;
        }
    }
    let run = &pairs[best.0..best.1];
    let span = match (run.first(), run.last()) {
        (Some(a), Some(b)) => format!("{}-{}", a.0, b.0),
        _ => String::new(),
    };
    let dt: Vec<f64> = run.windows(2).map(|w| w[1].1 - w[0].1).collect();
    let dd: Vec<f64> = run.windows(2).map(|w| w[1].2 - w[0].2).collect();
    let lag = max_lag.min(dt.len().saturating_sub(1));
    let row = |lag: i64, r: Option<f64>, band: Option<f64>, notes: String| CcfRow {
        route: route.into(),
        drug: drug.into(),
        lag,
        r,
        band,
        significant: r.zip(band).map(|(r, b)| r.abs() > b),
        n: dt.len() as u32,
        span: span.clone(),
        notes,
    };
    match cross_correlation(&dt, &dd, lag) {
        Ok(ccf) => ccf
            .lags
            .iter()
            .map(|l| {
                row(
                    l.lag,
                    Some(l.r),
                    Some(ccf.band_95),
                    "first differences".into(),
                )
            })
            .collect(),
        Err(e) => vec![row(0, None, None, format!("no cross-correlation: {e}"))],
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::analysis::series::{Series, SeriesKey};
    use std::collections::BTreeMap;

    fn agg(points: &[(i32, f64)], members: &[(&str, f64)]) -> Aggregate {
        Aggregate {
            series: Series {
                key: SeriesKey {
                    indicator: "seizures".into(),
                    geo: "x".into(),
                    drug: Some("heroin".into()),
                    dimension: None,
                    category: None,
                    freq: crate::model::Freq::Annual,
                    unit: Unit::Kg,
                },
                periods: points.iter().map(|(y, _)| Period::year(*y)).collect(),
                values: points.iter().map(|(_, v)| *v).collect(),
                coverage: vec![
                    Coverage {
                        reporting: 2,
                        total: 2,
                        missing: vec![]
                    };
                    points.len()
                ],
            },
            by_member: vec![
                members
                    .iter()
                    .map(|(m, v)| (m.to_string(), *v))
                    .collect::<BTreeMap<_, _>>();
                points.len()
            ],
            members: vec![],
            notes: vec![],
        }
    }

    #[test]
    fn ratios_shares_and_exceedance_by_hand() {
        let transit = agg(
            &[(2010, 100.0), (2011, 50.0)],
            &[("KAZ", 25.0), ("TJK", 75.0)],
        );
        let destination = agg(&[(2010, 150.0), (2011, 40.0)], &[]);
        let rows = route_rows(&RouteSegments {
            route: "northern",
            drug: "heroin",
            origin: None,
            transit: Some(&transit),
            destination: Some(&destination),
        });
        let find = |ind: &str, geo: &str, y: i32| {
            rows.iter()
                .find(|r| r.indicator == ind && r.geo == geo && r.period == Period::year(y))
                .map(|r| r.value)
        };
        assert_eq!(
            find("destination_transit_ratio", "destination/transit", 2010),
            Some(1.5)
        );
        assert_eq!(
            find("destination_exceeds_transit", "destination/transit", 2010),
            Some(1.0)
        );
        assert_eq!(
            find("destination_exceeds_transit", "destination/transit", 2011),
            Some(0.0)
        );
        assert_eq!(find("transit_share", "KAZ", 2010), Some(0.25));
        assert_eq!(find("transit_total", "transit", 2011), Some(50.0));
    }

    #[test]
    fn ccf_uses_first_differences_on_the_longest_consecutive_run() {
        let t: Vec<(i32, f64)> = vec![
            (2000, 1.0),
            (2001, 3.0),
            (2002, 2.0),
            (2003, 5.0),
            (2004, 4.0),
            (2005, 8.0),
            (2007, 1.0),
        ];
        let d: Vec<(i32, f64)> = t.iter().map(|(y, v)| (*y, 2.0 * v)).collect();
        let ccf = transit_destination_ccf("r", "heroin", &agg(&t, &[]), &agg(&d, &[]), 2);
        let zero = ccf.iter().find(|r| r.lag == 0).unwrap();
        assert!(
            (zero.r.unwrap() - 1.0).abs() < 1e-12,
            "proportional series correlate perfectly"
        );
        assert_eq!((zero.n, zero.span.as_str()), (5, "2000-2005"));
    }
}
