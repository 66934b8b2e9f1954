//! The series a declared figure draws, computed once by the analyze stage from what it has
//! already computed: a country's or an aggregate's series (with each period's coverage), a
//! declared share's series or a route indicator. A figure's series that the trends table
//! already holds *is* that table's series, so a chart and a table cannot disagree on the
//! data, and the trend statistics drawn on it are the table's row for it.
//!
//! Pure: in-memory series and rows in, [`Drawn`] series out. Not here: which series get a
//! trend line (the figure's declaration), drawing (`crate::plot`), files.

use std::collections::{BTreeMap, BTreeSet};

use polars::prelude::*;

use super::aggregate::{aggregate, selection_predicate, CoveragePolicy, Selection};
use super::route::RouteRow;
use super::series::{Coverage, Series, SeriesKey, Window};
use super::share::ShareResult;
use crate::model::Unit;

/// Where a plotted series comes from.
#[derive(Clone, Debug)]
pub enum FigureSource {
    /// A country or an aggregate of the observation table.
    Selection(Selection),
    /// A declared share's series (tables/share_series).
    Share(String),
    /// A route indicator (tables/route).
    Route {
        route: String,
        drug: String,
        indicator: String,
        geo: String,
    },
}

/// One series of a figure, as declared.
#[derive(Clone, Debug)]
pub struct FigureSeries {
    pub label: String,
    pub source: FigureSource,
}

/// What kind of source a drawn series has; it decides how missing members are told (an
/// aggregate's in the coverage note, a route segment's in its own note).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum SourceKind {
    Selection,
    Share,
    Route,
}

impl SourceKind {
    pub fn code(self) -> &'static str {
        match self {
            SourceKind::Selection => "selection",
            SourceKind::Share => "share",
            SourceKind::Route => "route",
        }
    }

    pub fn from_code(code: &str) -> Option<SourceKind> {
        [SourceKind::Selection, SourceKind::Share, SourceKind::Route]
            .into_iter()
            .find(|k| k.code() == code)
    }
}

/// A figure's series over all its periods (the figure's window is applied when drawing and
/// when its trend row is computed); `None` when the source has no data.
#[derive(Clone, Debug)]
pub struct Drawn {
    pub kind: SourceKind,
    pub series: Option<Series>,
    /// The input files its observations come from, sorted (a share's: its part's and
    /// whole's; a route indicator's: its route's).
    pub source_files: Vec<String>,
}

/// What the analyze stage computed that a figure may draw.
pub struct Computed<'a> {
    pub observations: LazyFrame,
    /// The series of the trends table (countries, then declared aggregates).
    pub series: &'a [Series],
    pub shares: &'a [ShareResult],
    pub route: &'a [RouteRow],
    /// The selections each share (`share:<id>`: part and whole) and route (`route:<id>`:
    /// every member and drug) sums, for the lineage of their figure series.
    pub lineage: &'a BTreeMap<String, Vec<Selection>>,
}

/// The input files the observations of `selections` come from, sorted.
fn source_files(observations: &LazyFrame, selections: &[Selection]) -> PolarsResult<Vec<String>> {
    let mut files = BTreeSet::new();
    for selection in selections {
        let frame = observations
            .clone()
            .filter(selection_predicate(selection))
            .select([col("source_file")])
            .collect()?;
        files.extend(
            frame
                .column("source_file")?
                .str()?
                .iter()
                .flatten()
                .map(str::to_string),
        );
    }
    Ok(files.into_iter().collect())
}

/// The series `declared` draws. A selection whose series is in the trends table is taken
/// from there; any other is summed from the observation table with its coverage flagged.
pub fn drawn(declared: &FigureSeries, computed: &Computed) -> PolarsResult<Drawn> {
    Ok(match &declared.source {
        FigureSource::Selection(selection) => {
            let summed = aggregate(
                computed.observations.clone(),
                selection,
                CoveragePolicy::Flag,
                Window::default(),
            )?
            .into_iter()
            .next()
            .map(|a| a.series);
            let series = summed.map(|s| {
                computed
                    .series
                    .iter()
                    .find(|t| t.key == s.key)
                    .cloned()
                    .unwrap_or(s)
            });
            Drawn {
                kind: SourceKind::Selection,
                series,
                source_files: source_files(
                    &computed.observations,
                    std::slice::from_ref(selection),
                )?,
            }
        }
        FigureSource::Share(id) => Drawn {
            kind: SourceKind::Share,
            series: computed
                .shares
                .iter()
                .find(|s| &s.id == id)
                .and_then(share_series),
            source_files: lineage_files(computed, &format!("share:{id}"))?,
        },
        FigureSource::Route {
            route,
            drug,
            indicator,
            geo,
        } => {
            let rows: Vec<&RouteRow> = computed
                .route
                .iter()
                .filter(|r| {
                    (&r.route, &r.drug, &r.indicator, &r.geo) == (route, drug, indicator, geo)
                })
                .collect();
            Drawn {
                kind: SourceKind::Route,
                series: route_series(&rows),
                source_files: lineage_files(computed, &format!("route:{route}"))?,
            }
        }
    })
}

/// The input files of a share's or route's selections (`key` as in [`Computed::lineage`]).
fn lineage_files(computed: &Computed, key: &str) -> PolarsResult<Vec<String>> {
    match computed.lineage.get(key) {
        Some(selections) => source_files(&computed.observations, selections),
        None => Ok(Vec::new()),
    }
}

/// A share as a series: indicator `share`, geo the share's id, values 0..1, each period's
/// coverage that of its whole (where the whole is a total).
fn share_series(share: &ShareResult) -> Option<Series> {
    let first = share.points.first()?;
    Some(Series {
        key: SeriesKey {
            indicator: "share".into(),
            geo: share.id.clone(),
            drug: None,
            dimension: None,
            category: None,
            freq: first.period.freq(),
            unit: Unit::Share,
        },
        periods: share.points.iter().map(|p| p.period).collect(),
        values: share.points.iter().map(|p| p.share).collect(),
        // A share is as complete as its whole.
        coverage: share
            .points
            .iter()
            .map(|p| p.whole_coverage.clone())
            .collect::<Option<Vec<Coverage>>>()
            .unwrap_or_default(),
    })
}

/// A route indicator as a series: indicator as in the route table, geo
/// `route:<route>:<geo>`, each period's coverage from the row.
fn route_series(rows: &[&RouteRow]) -> Option<Series> {
    let first = rows.first()?;
    Some(Series {
        key: SeriesKey {
            indicator: first.indicator.clone(),
            geo: format!("route:{}:{}", first.route, first.geo),
            drug: Some(first.drug.clone()),
            dimension: None,
            category: None,
            freq: first.period.freq(),
            unit: first.unit,
        },
        periods: rows.iter().map(|r| r.period).collect(),
        values: rows.iter().map(|r| r.value).collect(),
        coverage: rows.iter().map(|r| route_coverage(r)).collect(),
    })
}

fn route_coverage(row: &RouteRow) -> Coverage {
    let missing: Vec<String> = row
        .missing_members
        .split_whitespace()
        .map(str::to_string)
        .collect();
    let total = row.members_total.unwrap_or(0);
    Coverage {
        reporting: row.members_reporting.unwrap_or(total),
        total,
        missing,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::analysis::share::SharePoint;
    use crate::model::Period;

    #[test]
    fn a_share_is_drawn_as_its_own_series() {
        let share = ShareResult {
            id: "ca5_cannabis_share".into(),
            points: [(2001, 0.65), (2016, 0.9)]
                .iter()
                .map(|&(y, s)| SharePoint {
                    period: Period::year(y),
                    part: s,
                    whole: 1.0,
                    share: s,
                    part_coverage: None,
                    whole_coverage: None,
                })
                .collect(),
            rows: Vec::new(),
        };
        let s = share_series(&share).unwrap();
        assert_eq!(s.key.indicator, "share");
        assert_eq!(s.key.geo, "ca5_cannabis_share");
        assert_eq!(s.values, vec![0.65, 0.9]);
    }

    #[test]
    fn a_route_row_keeps_its_missing_members() {
        let row = RouteRow {
            route: "northern".into(),
            drug: "heroin".into(),
            indicator: "transit_total".into(),
            geo: "transit".into(),
            period: Period::year(2017),
            value: 5.0,
            unit: Unit::Kg,
            members_reporting: Some(4),
            members_total: Some(5),
            missing_members: "TKM".into(),
        };
        let s = route_series(&[&row]).unwrap();
        assert_eq!(s.key.geo, "route:northern:transit");
        assert_eq!(s.coverage[0].missing, vec!["TKM".to_string()]);
        assert_eq!(s.coverage[0].reporting, 4);
    }
}
