//! Aggregates with coverage: a region (CA5) or a route segment summed over the members that
//! report each period, carrying `members_reporting`, `members_total` and the missing members
//! (STATISTICS.md "Aggregates": a country that stops reporting is not a fall in seizures).
//!
//! A [`Selection`] says what to sum: which members, which drugs (one key, a group's
//! substances, or all substances; reported totals such as `total_all_drugs` are never added
//! to drug rows), which indicator and breakdown. The query is a polars lazy filter and
//! group-by; the per-period coverage bookkeeping runs on the small grouped result.

use std::collections::{BTreeMap, BTreeSet};

use polars::prelude::*;

use super::series::{code, Coverage, Series, SeriesKey, Window};
use crate::model::reference::DrugKind;
use crate::model::unit::decimal_sum;
use crate::model::{Freq, Period, Reference, Unit};

/// Which drug rows a selection sums.
#[derive(Clone, Debug, PartialEq)]
pub enum DrugSelection {
    /// Rows without a drug (offences, arrests).
    NoDrug,
    /// These drug keys, reported under `label` (a key, a group key, or `all_drugs`).
    Keys { label: String, keys: Vec<String> },
}

impl DrugSelection {
    /// Parses `heroin`, `group:cannabis_type`, `all` (every substance, no reported totals)
    /// or an empty string (no drug).
    pub fn parse(text: &str, reference: &Reference) -> Result<DrugSelection, String> {
        let t = text.trim();
        let substances = |keep: &dyn Fn(&crate::model::reference::Drug) -> bool| -> Vec<String> {
            reference
                .drugs
                .iter()
                .filter(|d| d.kind == DrugKind::Substance && keep(d))
                .map(|d| d.key.clone())
                .collect()
        };
        if t.is_empty() {
            Ok(DrugSelection::NoDrug)
        } else if t == "all" {
            Ok(DrugSelection::Keys {
                label: "all_drugs".into(),
                keys: substances(&|_| true),
            })
        } else if let Some(group) = t.strip_prefix("group:") {
            let key = reference.resolve_group(group)?.to_string();
            Ok(DrugSelection::Keys {
                keys: substances(&|d| d.group == key),
                label: key,
            })
        } else {
            let key = reference.resolve_drug(t)?.to_string();
            Ok(DrugSelection::Keys {
                label: key.clone(),
                keys: vec![key],
            })
        }
    }

    pub fn label(&self) -> Option<&str> {
        match self {
            DrugSelection::NoDrug => None,
            DrugSelection::Keys { label, .. } => Some(label),
        }
    }
}

/// What to sum, over which members.
#[derive(Clone, Debug, PartialEq)]
pub struct Selection {
    /// The code of the result: a country, a region (`CA5`) or a route segment label.
    pub geo: String,
    pub members: Vec<String>,
    pub drug: DrugSelection,
    pub indicator: String,
    pub dimension: Option<String>,
    pub category: Option<String>,
}

impl Selection {
    /// Parses a geo selector: an ISO3 code or country name, a region code (`CA5`), or
    /// `route:ID:SEGMENT[+SEGMENT]` with segments origin, transit, destination.
    pub fn members(text: &str, reference: &Reference) -> Result<(String, Vec<String>), String> {
        if let Some(rest) = text.strip_prefix("route:") {
            let (id, segments) = rest.split_once(':').ok_or_else(|| {
                format!(
                    "'{text}': expected route:ID:SEGMENT, e.g. route:northern:transit+destination"
                )
            })?;
            let route = reference.route(id).ok_or_else(|| {
                let ids: Vec<&str> = reference.routes.iter().map(|r| r.id.as_str()).collect();
                format!("'{text}': no route '{id}' (routes: {})", ids.join(", "))
            })?;
            let mut members = Vec::new();
            for segment in segments.split('+') {
                members.extend(match segment {
                    "origin" => route.origin.clone(),
                    "transit" => route.transit.clone(),
                    "destination" => route.destination.clone(),
                    other => {
                        return Err(format!(
                            "'{text}': segment '{other}': expected origin, transit or destination"
                        ))
                    }
                });
            }
            return Ok((format!("{id}:{segments}"), members));
        }
        let code = reference.resolve_geo(text)?.to_string();
        let members = reference.countries_of(&code);
        Ok((code, members))
    }
}

/// What to do with periods where some members do not report.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum CoveragePolicy {
    /// Keep them, flagged by their coverage (default).
    #[default]
    Flag,
    /// Drop them.
    Drop,
    /// Keep only the members that report every period of the window.
    CompleteMembers,
}

impl CoveragePolicy {
    pub fn parse(text: &str) -> Result<CoveragePolicy, String> {
        match text {
            "flag" => Ok(CoveragePolicy::Flag),
            "drop" => Ok(CoveragePolicy::Drop),
            "complete_members" => Ok(CoveragePolicy::CompleteMembers),
            other => Err(format!(
                "'{other}': expected \"flag\", \"drop\" or \"complete_members\""
            )),
        }
    }
}

/// An aggregate series: the summed values with each period's coverage, and the members'
/// own values (for shares of a segment).
#[derive(Clone, Debug)]
pub struct Aggregate {
    pub series: Series,
    /// Members' values per period: member -> value, for the periods of `series`.
    pub by_member: Vec<BTreeMap<String, f64>>,
    /// The members summed (fewer than selected under `CompleteMembers`).
    pub members: Vec<String>,
    pub notes: Vec<String>,
}

fn text_eq(column: &str, value: &Option<String>) -> Expr {
    match value {
        Some(v) => col(column).eq(lit(v.clone())),
        None => col(column).is_null(),
    }
}

fn list(values: &[String]) -> Expr {
    lit(polars::prelude::Series::new("".into(), values.to_vec())).implode(false)
}

/// The observations a selection sums: its indicator, members, drugs, dimension and category.
pub fn selection_predicate(selection: &Selection) -> Expr {
    let drug = match &selection.drug {
        DrugSelection::NoDrug => col("drug").is_null(),
        DrugSelection::Keys { keys, .. } => col("drug").is_in(list(keys), false),
    };
    col("indicator")
        .eq(lit(selection.indicator.clone()))
        .and(col("geo").is_in(list(&selection.members), false))
        .and(drug)
        .and(text_eq("dimension", &selection.dimension))
        .and(text_eq("category", &selection.category))
}

/// Sums a selection per period (one aggregate per frequency and unit found).
pub fn aggregate(
    observations: LazyFrame,
    selection: &Selection,
    policy: CoveragePolicy,
    window: Window,
) -> PolarsResult<Vec<Aggregate>> {
    let mut predicate = selection_predicate(selection);
    if let Some(start) = window.start {
        predicate = predicate.and(col("x").gt_eq(lit(start.x())));
    }
    if let Some(end) = window.end {
        predicate = predicate.and(col("x").lt_eq(lit(end.last_x())));
    }
    let by_member = observations
        .filter(predicate)
        .group_by([
            col("freq"),
            col("unit"),
            col("period"),
            col("x"),
            col("geo"),
        ])
        .agg([col("value")])
        .sort(["freq", "unit", "x", "geo"], SortMultipleOptions::default())
        .collect()?;
    let text = |name: &str| by_member.column(name).and_then(|c| c.str().cloned());
    let (freq, unit, period, geo) = (text("freq")?, text("unit")?, text("period")?, text("geo")?);
    // Each member's figures (several drugs of a group, line items) summed as decimals.
    let lists = by_member.column("value")?.list()?.clone();

    // (freq, unit) -> period -> member -> value, in order.
    type Periods = BTreeMap<(i64, String), BTreeMap<String, f64>>;
    let mut groups: BTreeMap<(String, String), Periods> = BTreeMap::new();
    for i in 0..by_member.height() {
        let p = period.get(i).unwrap_or("");
        let parsed = Period::parse(p).map_err(|e| polars_err!(ComputeError: "{e}"))?;
        let order = (parsed.x() * 4.0).round() as i64;
        groups
            .entry((
                freq.get(i).unwrap_or("").to_string(),
                unit.get(i).unwrap_or("").to_string(),
            ))
            .or_default()
            .entry((order, p.to_string()))
            .or_default()
            .insert(geo.get(i).unwrap_or("").to_string(), {
                let terms: Vec<f64> = match lists.get_as_series(i) {
                    Some(s) => s.f64()?.iter().flatten().collect(),
                    None => Vec::new(),
                };
                decimal_sum(&terms)
            });
    }
    groups
        .into_iter()
        .map(|((freq, unit), periods)| {
            let freq = code(Some(&freq), Freq::from_code, "freq")?;
            let unit = code(Some(&unit), Unit::from_code, "unit")?;
            Ok(build(selection, policy, freq, unit, periods))
        })
        .collect()
}

/// A weighted sum of aggregates of the same members (e.g. opiates in heroin equivalent:
/// heroin x 1 + opium x factor), member by member: a member reports a period when it reports
/// any of the parts. `None` when no part has data.
pub fn weighted_sum(parts: &[(f64, &Aggregate)], drug_label: &str) -> Option<Aggregate> {
    let first = parts.first()?.1;
    let members: Vec<String> = first.members.clone();
    let mut periods: BTreeMap<(i64, Period), BTreeMap<String, f64>> = BTreeMap::new();
    for (factor, a) in parts {
        for (i, p) in a.series.periods.iter().enumerate() {
            let slot = periods
                .entry(((p.x() * 4.0).round() as i64, *p))
                .or_default();
            for (member, value) in &a.by_member[i] {
                *slot.entry(member.clone()).or_insert(0.0) += factor * value;
            }
        }
    }
    let mut key = first.series.key.clone();
    key.drug = Some(drug_label.to_string());
    let mut series = Series {
        key,
        periods: Vec::new(),
        values: Vec::new(),
        coverage: Vec::new(),
    };
    let mut by_member = Vec::new();
    for ((_, period), values) in periods {
        series.periods.push(period);
        series
            .values
            .push(decimal_sum(&values.values().copied().collect::<Vec<_>>()));
        series.coverage.push(Coverage {
            reporting: values.len() as u32,
            total: members.len() as u32,
            missing: members
                .iter()
                .filter(|m| !values.contains_key(*m))
                .cloned()
                .collect(),
        });
        by_member.push(values);
    }
    Some(Aggregate {
        series,
        by_member,
        members,
        notes: Vec::new(),
    })
}

fn build(
    selection: &Selection,
    policy: CoveragePolicy,
    freq: Freq,
    unit: Unit,
    periods: BTreeMap<(i64, String), BTreeMap<String, f64>>,
) -> Aggregate {
    let selected: BTreeSet<String> = selection.members.iter().cloned().collect();
    let mut notes = Vec::new();
    let members: Vec<String> = match policy {
        CoveragePolicy::CompleteMembers => {
            let kept: Vec<String> = selected
                .iter()
                .filter(|m| periods.values().all(|v| v.contains_key(*m)))
                .cloned()
                .collect();
            let dropped: Vec<&String> = selected.iter().filter(|m| !kept.contains(m)).collect();
            if !dropped.is_empty() {
                notes.push(format!(
                    "restricted to the members reporting every period: {} (left out: {})",
                    kept.join(" "),
                    dropped
                        .iter()
                        .map(|s| s.as_str())
                        .collect::<Vec<_>>()
                        .join(" ")
                ));
            }
            kept
        }
        _ => selected.iter().cloned().collect(),
    };
    let mut series = Series {
        key: SeriesKey {
            indicator: selection.indicator.clone(),
            geo: selection.geo.clone(),
            drug: selection.drug.label().map(str::to_string),
            dimension: selection.dimension.clone(),
            category: selection.category.clone(),
            freq,
            unit,
        },
        periods: Vec::new(),
        values: Vec::new(),
        coverage: Vec::new(),
    };
    let mut by_member = Vec::new();
    let mut dropped = Vec::new();
    for ((_, label), values) in periods {
        let kept: BTreeMap<String, f64> = values
            .into_iter()
            .filter(|(m, _)| members.contains(m))
            .collect();
        let coverage = Coverage {
            reporting: kept.len() as u32,
            total: members.len() as u32,
            missing: members
                .iter()
                .filter(|m| !kept.contains_key(*m))
                .cloned()
                .collect(),
        };
        if kept.is_empty() || (policy == CoveragePolicy::Drop && !coverage.complete()) {
            if !kept.is_empty() {
                dropped.push(label);
            }
            continue;
        }
        let Ok(period) = Period::parse(&label) else {
            continue;
        };
        series.periods.push(period);
        series
            .values
            .push(decimal_sum(&kept.values().copied().collect::<Vec<_>>()));
        series.coverage.push(coverage);
        by_member.push(kept);
    }
    if !dropped.is_empty() {
        notes.push(format!(
            "incomplete periods dropped: {}",
            dropped.join(", ")
        ));
    }
    Aggregate {
        series,
        by_member,
        members,
        notes,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::Reference;

    fn observations() -> LazyFrame {
        df! {
            "indicator" => ["seizures"; 7],
            "geo" => ["KAZ", "TKM", "KAZ", "TKM", "KAZ", "KAZ", "UZB"],
            "drug" => ["heroin", "heroin", "heroin", "opium", "heroin", "total_all_drugs", "heroin"],
            "dimension" => [None::<&str>; 7],
            "category" => [None::<&str>; 7],
            "period" => ["2015", "2015", "2016", "2016", "2017", "2017", "2017"],
            "freq" => ["A"; 7],
            "x" => [2015.0, 2015.0, 2016.0, 2016.0, 2017.0, 2017.0, 2017.0],
            "value" => [10.0, 5.0, 20.0, 7.0, 30.0, 999.0, 1.0],
            "unit" => ["kg"; 7],
        }
        .unwrap()
        .lazy()
    }

    fn selection(drug: &str) -> Selection {
        let r = Reference::load(None).unwrap();
        let (geo, members) = Selection::members("CA5", &r).unwrap();
        Selection {
            geo,
            members,
            drug: DrugSelection::parse(drug, &r).unwrap(),
            indicator: "seizures".into(),
            dimension: None,
            category: None,
        }
    }

    #[test]
    fn sums_reporting_members_and_flags_coverage() {
        let a = &aggregate(
            observations(),
            &selection("heroin"),
            CoveragePolicy::Flag,
            Window::default(),
        )
        .unwrap()[0];
        assert_eq!(a.series.values, vec![15.0, 20.0, 31.0]);
        let c: Vec<String> = a.series.coverage.iter().map(Coverage::text).collect();
        assert_eq!(
            c,
            [
                "2/5 (KGZ TJK UZB missing)",
                "1/5 (KGZ TJK TKM UZB missing)",
                "2/5 (KGZ TJK TKM missing)"
            ]
        );
        assert_eq!(a.series.key.geo, "CA5");
    }

    #[test]
    fn all_drugs_never_adds_reported_totals() {
        let a = &aggregate(
            observations(),
            &selection("all"),
            CoveragePolicy::Flag,
            Window::default(),
        )
        .unwrap()[0];
        assert_eq!(
            a.series.values,
            vec![15.0, 27.0, 31.0],
            "999 total_all_drugs left out"
        );
        assert_eq!(a.series.key.drug.as_deref(), Some("all_drugs"));
    }

    #[test]
    fn heroin_equivalent_weights_each_members_parts() {
        let heroin = &aggregate(
            observations(),
            &selection("heroin"),
            CoveragePolicy::Flag,
            Window::default(),
        )
        .unwrap()[0];
        let opium = &aggregate(
            observations(),
            &selection("opium"),
            CoveragePolicy::Flag,
            Window::default(),
        )
        .unwrap()[0];
        let he = weighted_sum(&[(1.0, heroin), (0.1, opium)], "heroin_equivalent").unwrap();
        // 2016: KAZ heroin 20 + TKM opium 7 x 0.1 = 20.7; two members report.
        assert_eq!(he.series.values, vec![15.0, 20.7, 31.0]);
        assert_eq!(he.series.coverage[1].reporting, 2);
        assert_eq!(he.series.key.drug.as_deref(), Some("heroin_equivalent"));
    }

    #[test]
    fn policies_drop_periods_or_restrict_members() {
        let mut s = selection("heroin");
        s.members = vec!["KAZ".into(), "TKM".into()];
        let dropped =
            &aggregate(observations(), &s, CoveragePolicy::Drop, Window::default()).unwrap()[0];
        assert_eq!(dropped.series.values, vec![15.0]);
        assert!(
            dropped.notes[0].contains("2016, 2017"),
            "{:?}",
            dropped.notes
        );
        let restricted = &aggregate(
            observations(),
            &s,
            CoveragePolicy::CompleteMembers,
            Window::default(),
        )
        .unwrap()[0];
        assert_eq!(restricted.members, ["KAZ"]);
        assert_eq!(restricted.series.values, vec![10.0, 20.0, 30.0]);
        assert!(restricted.series.coverage.iter().all(Coverage::complete));
    }
}
