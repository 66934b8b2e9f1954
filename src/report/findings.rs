//! The report's findings: a sentence for every series the pipeline declares (its aggregates
//! and the series its figures draw), every share, every route and every claim, built from
//! this run's tables and nothing else. A series or window without a row gets no sentence;
//! places and drugs are named, never coded; each sentence says when its coverage is
//! incomplete.
//!
//! Order: what `[report] highlight` lists, in its order; then series trends, comparisons
//! (`[[parallel]]`), shares, routes and claims, each group by effect size (|Kendall's tau| of
//! a series' strongest significant window, 1 - p of a comparison, the largest |change| in
//! percentage points of a share, the share of years in which a route's destination seized
//! more than its transit), claims as declared.

use std::collections::BTreeMap;

use crate::analysis::claims::Verdict;
use crate::analysis::series::Window;
use crate::analysis::trend::{is_significant, TOO_SHORT};
use crate::display::readable;
use crate::model::Period;
use crate::report::document::{RegionalRecord, ReportInput, SeriesRef, TrendRecord};

/// A finding: its sentence, the ids it is about and its effect size.
struct Finding {
    /// Ids of the pipeline this sentence speaks of, for `[report] highlight`.
    about: Vec<String>,
    /// Which group of findings it belongs to: an index of [`GROUPS`].
    group: u8,
    effect: f64,
    text: String,
}

/// The headings of the groups of findings, by `Finding::group`.
/// (The catalog's ids of those headings, `findings-<group>`.)
const GROUPS: [&str; 5] = ["trends", "comparisons", "shares", "routes", "claims"];

/// The findings' sentences under their headings, in the report's order: "Highlights" (what
/// `[report] highlight` names, in its order), then each group by effect size. Groups
/// without a sentence are left out. Headings in the report's language.
pub fn findings(input: &ReportInput) -> Vec<(String, Vec<String>)> {
    let mut all = series_findings(input);
    all.extend(parallel_findings(input));
    all.extend(share_findings(input));
    all.extend(route_findings(input));
    all.extend(claim_findings(input));
    let rank = |f: &Finding| input.highlight.iter().position(|h| f.about.contains(h));
    all.sort_by(|a, b| {
        (rank(a).is_none(), rank(a), a.group)
            .cmp(&(rank(b).is_none(), rank(b), b.group))
            .then(b.effect.total_cmp(&a.effect))
    });
    let mut groups: Vec<(&'static str, Vec<String>)> = Vec::new();
    for f in all {
        let heading = if rank(&f).is_some() {
            "highlights"
        } else {
            GROUPS[usize::from(f.group)]
        };
        match groups.last_mut() {
            Some((h, texts)) if *h == heading => texts.push(f.text),
            _ => groups.push((heading, vec![f.text])),
        }
    }
    let texts = input.texts();
    groups
        .into_iter()
        .map(|(id, sentences)| (texts.get(&format!("findings-{id}")), sentences))
        .collect()
}

/// A p-value as the field writes it: "p < 0.001", else three decimals ("p = 0.035").
pub fn p_value(p: f64) -> String {
    if p < 0.001 {
        "p < 0.001".into()
    } else {
        format!("p = {p:.3}")
    }
}

/// A unit after a number: " kg", nothing for counts.
fn unit_suffix(unit: &str) -> String {
    match unit {
        "" | "count" => String::new(),
        u => format!(" {u}"),
    }
}

/// A slope with its unit: "-258.49 kg per year", "+1.24 pp per year" (a share's slope is
/// given in percentage points).
pub fn slope(v: f64, unit: &str) -> String {
    let (v, unit) = if unit == "share" {
        (100.0 * v, "pp")
    } else {
        (v, unit)
    };
    let sign = if v > 0.0 { "+" } else { "" };
    format!("{sign}{}{} per year", readable(v), unit_suffix(unit))
}

/// The periods as ranges: "2000-2001, 2010-2018, 2022"; consecutive periods of one frequency
/// are joined.
pub fn period_ranges(periods: &[String]) -> String {
    let mut parsed: Vec<(Period, &str)> = Vec::new();
    let mut loose: Vec<&str> = Vec::new();
    for p in periods {
        match Period::parse(p) {
            Ok(period) => parsed.push((period, p)),
            Err(_) => loose.push(p),
        }
    }
    parsed.sort();
    parsed.dedup_by_key(|(p, _)| *p);
    let mut ranges: Vec<String> = Vec::new();
    let mut i = 0;
    while i < parsed.len() {
        let mut j = i;
        while j + 1 < parsed.len() && parsed[j].0.next() == parsed[j + 1].0 {
            j += 1;
        }
        ranges.push(if i == j {
            parsed[i].1.to_string()
        } else {
            format!("{}-{}", parsed[i].1, parsed[j].1)
        });
        i = j + 1;
    }
    ranges.extend(loose.into_iter().map(str::to_string));
    ranges.join(", ")
}

/// " Incomplete coverage: Turkmenistan missing in 2017-2022; Kazakhstan missing in 2015."
/// from (period, missing member codes) pairs; empty when nothing is missing.
fn incomplete(gaps: &[(&str, &str)], input: &ReportInput) -> String {
    let missing = missing_members(gaps, input);
    if missing.is_empty() {
        missing
    } else {
        format!(" Incomplete coverage: {missing}.")
    }
}

/// "Turkmenistan missing in 2017-2022; Kazakhstan missing in 2015" from (period, missing
/// member codes) pairs; empty when nothing is missing.
pub fn missing_members(gaps: &[(&str, &str)], input: &ReportInput) -> String {
    let mut by_member: BTreeMap<&str, Vec<String>> = BTreeMap::new();
    for (period, members) in gaps {
        for member in members.split_whitespace() {
            by_member
                .entry(member)
                .or_default()
                .push(period.to_string());
        }
    }
    if by_member.is_empty() {
        return String::new();
    }
    let parts: Vec<String> = by_member
        .into_iter()
        .map(|(member, periods)| {
            format!(
                "{} missing in {}",
                input.geo_name(member),
                period_ranges(&periods)
            )
        })
        .collect();
    parts.join("; ")
}

/// Whether a period lies in the window START..END of a table row ([`Window::contains`]; an
/// unparsable bound leaves that side open, an unparsable period is outside).
fn in_window(period: &str, start: Option<&str>, end: Option<&str>) -> bool {
    let bound = |b: Option<&str>| b.and_then(|b| Period::parse(b).ok());
    let window = Window {
        start: bound(start),
        end: bound(end),
    };
    Period::parse(period).is_ok_and(|p| window.contains(&p))
}

/// "Central Asia, seizures of heroin" / "Uzbekistan, drug offences (offence type:
/// smuggling)"; `geo` is the place's name.
pub fn series_name(input: &ReportInput, geo: &str, key: &SeriesRef) -> String {
    let what = match &key.drug {
        Some(drug) => format!("{} of {}", words(&key.indicator), input.drug_name(drug)),
        None => words(&key.indicator),
    };
    let detail = match (&key.dimension, &key.category) {
        (Some(d), Some(c)) => format!(" ({}: {})", words(d), words(c)),
        _ => String::new(),
    };
    format!("{geo}, {what}{detail}")
}

/// The trends rows of one series, without a window that repeats an earlier one's result
/// (a window wider than the data tests the same observations as the data's own span).
pub fn distinct_windows<'a>(
    rows: impl IntoIterator<Item = &'a TrendRecord>,
) -> Vec<&'a TrendRecord> {
    distinct_results(rows, |t| {
        (
            t.key.clone(),
            t.n,
            t.mk_p.map(f64::to_bits),
            t.sen_slope.map(f64::to_bits),
        )
    })
}

/// The rows whose `result` differs from every earlier row's, in order.
fn distinct_results<'a, T, R: PartialEq>(
    rows: impl IntoIterator<Item = &'a T>,
    result: impl Fn(&T) -> R,
) -> Vec<&'a T> {
    let mut kept: Vec<(&T, R)> = Vec::new();
    for row in rows {
        let r = result(row);
        if !kept.iter().any(|(_, k)| *k == r) {
            kept.push((row, r));
        }
    }
    kept.into_iter().map(|(row, _)| row).collect()
}

/// A window as the report writes it: "2000-2022"; "2015" for a window of one period.
pub fn window_text(start: &Option<String>, end: &Option<String>) -> String {
    let (start, end) = (start.as_deref().unwrap_or(""), end.as_deref().unwrap_or(""));
    if start == end {
        start.to_string()
    } else {
        format!("{start}-{end}")
    }
}

/// A code as words: "drug_offences" -> "drug offences".
pub fn words(code: &str) -> String {
    code.replace('_', " ")
}

/// The phrase of one window: "decreasing over 2000-2022 (Sen slope -258.49 kg per year;
/// Mann-Kendall p < 0.001, n = 23)".
fn window_phrase(t: &TrendRecord, input: &ReportInput) -> String {
    let window = window_text(&t.window_start, &t.window_end);
    let (test, p) = input.trend_test(t);
    match (t.trend.as_deref(), p) {
        (Some(TOO_SHORT), _) => format!(
            "too few observations for the test to reach significance over {window} (n = {})",
            t.n
        ),
        (Some("no trend"), Some(p)) => format!(
            "no significant trend over {window} ({test} {}, n = {})",
            p_value(p),
            t.n
        ),
        (Some(label), Some(p)) => {
            let slope = t.sen_slope.map_or_else(String::new, |s| {
                format!("Sen slope {}; ", slope(s, &t.unit))
            });
            format!(
                "{label} over {window} ({slope}{test} {}, n = {})",
                p_value(p),
                t.n
            )
        }
        _ => format!("too few observations to test over {window} (n = {})", t.n),
    }
}

fn series_findings(input: &ReportInput) -> Vec<Finding> {
    let mut out: Vec<Finding> = Vec::new();
    let mut seen: Vec<&SeriesRef> = Vec::new();
    for d in &input.declared.series {
        if let Some(f) = out
            .iter_mut()
            .zip(&seen)
            .find(|(_, key)| **key == &d.key)
            .map(|(f, _)| f)
        {
            f.about.push(d.about.clone());
            continue;
        }
        let rows = distinct_windows(input.trends.iter().filter(|t| t.key == d.key));
        let Some(first) = rows.first() else {
            continue;
        };
        let name = series_name(input, &input.geo_name(&first.key.geo), &first.key);
        let phrases: Vec<String> = rows.iter().map(|t| window_phrase(t, input)).collect();
        let gaps: Vec<(&str, &str)> = input
            .member_gaps
            .iter()
            .filter(|g| g.key == d.key)
            .filter(|g| {
                rows.iter().any(|t| {
                    in_window(
                        &g.period,
                        t.window_start.as_deref(),
                        t.window_end.as_deref(),
                    )
                })
            })
            .map(|g| (g.period.as_str(), g.missing.as_str()))
            .collect();
        let mut coverage = incomplete(&gaps, input);
        if coverage.is_empty() {
            let missing: Vec<String> = rows
                .iter()
                .filter(|t| t.n_missing > 0)
                .map(|t| {
                    format!(
                        "{} of {} periods missing in {}",
                        t.n_missing,
                        t.n + t.n_missing,
                        window_text(&t.window_start, &t.window_end)
                    )
                })
                .collect();
            if !missing.is_empty() {
                coverage = format!(" Incomplete coverage: {}.", missing.join("; "));
            }
        }
        // Windows whose tests read alike (the data's span and a declared window that
        // covers it) are said once, as for the series' own trends.
        let tested = distinct_results(input.regional.iter().filter(|r| r.key == d.key), |r| {
            (
                r.members_tested,
                r.p.map(f64::to_bits),
                r.slope.map(f64::to_bits),
                r.cmk_periods,
                r.cmk_p.map(f64::to_bits),
            )
        });
        let regional: Vec<String> = tested.into_iter().filter_map(regional_phrase).collect();
        let regional = if regional.is_empty() {
            String::new()
        } else {
            format!(" Its members {}.", regional.join("; they "))
        };
        let effect = rows
            .iter()
            .filter(|t| t.trend.as_deref().is_some_and(is_significant))
            .filter_map(|t| t.tau.map(f64::abs))
            .fold(0.0, f64::max);
        out.push(Finding {
            about: vec![d.about.clone()],
            group: 0,
            effect,
            text: format!("{name}: {}.{regional}{coverage}", phrases.join("; ")),
        });
        seen.push(&d.key);
    }
    out
}

/// Whether an aggregate's members trend together over a window: "trend together over
/// 2000-2022 (regional Kendall test: decreasing, p < 0.001, median member slope -22.99 kg
/// per year; allowing for their correlation, p = 0.034 on the 17 periods all 5 report)".
fn regional_phrase(r: &RegionalRecord) -> Option<String> {
    let (label, p) = (r.trend.as_deref()?, r.p?);
    let window = window_text(&r.window_start, &r.window_end);
    let correlated = r.cmk_p.map_or_else(String::new, |c| {
        format!(
            "; allowing for their correlation, {} on the {} periods all {} report",
            p_value(c),
            r.cmk_periods,
            r.members
        )
    });
    let tested = if r.members_tested < r.members {
        format!(", {} of {} members tested", r.members_tested, r.members)
    } else {
        String::new()
    };
    Some(if is_significant(label) {
        let slope = r.slope.map_or_else(String::new, |s| {
            format!(", median member slope {}", slope(s, &r.unit))
        });
        format!(
            "trend together over {window} (regional Kendall test: {label}, {}{slope}{tested}{correlated})",
            p_value(p)
        )
    } else {
        format!(
            "show no common trend over {window} (regional Kendall test {}{tested}{correlated})",
            p_value(p)
        )
    })
}

/// "Russian Federation and Central Asia, seizures of heroin, 2000-2022: the joinpoint trends
/// are not parallel (approximate F test, F = 11.98 on 5 and 34 degrees of freedom,
/// p < 0.001; 2 joinpoints)".
fn parallel_findings(input: &ReportInput) -> Vec<Finding> {
    input
        .parallel
        .iter()
        .filter_map(|r| {
            let (verdict, f, p) = (r.verdict.as_deref()?, r.f?, r.p?);
            let what = if r.a_drug == r.b_drug {
                match &r.a_drug {
                    Some(d) => format!("{} of {}", words(&r.indicator), input.drug_name(d)),
                    None => words(&r.indicator),
                }
            } else {
                format!(
                    "{} of {} and {}",
                    words(&r.indicator),
                    r.a_drug.as_deref().map_or_else(String::new, |d| input.drug_name(d)),
                    r.b_drug.as_deref().map_or_else(String::new, |d| input.drug_name(d))
                )
            };
            let k = r.k.unwrap_or(0);
            Some(Finding {
                about: vec![r.id.clone()],
                group: 1,
                effect: 1.0 - p,
                text: format!(
                    "{} and {}, {what}, {}: the joinpoint trends are {verdict} (approximate F test, F = {} on {} and {} degrees of freedom, {}; {k} joinpoint{}).",
                    input.geo_name(&r.a_geo),
                    input.geo_name(&r.b_geo),
                    window_text(&r.window_start, &r.window_end),
                    readable(f),
                    r.df1.unwrap_or(0),
                    r.df2.unwrap_or(0),
                    p_value(p),
                    if k == 1 { "" } else { "s" }
                ),
            })
        })
        .collect()
}

fn share_findings(input: &ReportInput) -> Vec<Finding> {
    let mut ids: Vec<&str> = input.shares.iter().map(|s| s.share_id.as_str()).collect();
    ids.dedup();
    let mut out = Vec::new();
    for id in ids {
        let rows: Vec<_> = input.shares.iter().filter(|s| s.share_id == id).collect();
        let first = rows[0];
        let changes: Vec<String> = rows
            .iter()
            .filter_map(|s| {
                let (a, b, pp) = (s.share_1?, s.share_2?, s.change_pp?);
                Some(format!(
                    "{} in {} and {} in {} ({:+.1} percentage points)",
                    percent(a),
                    s.period_1,
                    percent(b),
                    s.period_2,
                    pp
                ))
            })
            .collect();
        let mut text = format!("{}: ", first.title);
        if changes.is_empty() {
            text.push_str("no compared period has both part and whole");
        } else {
            text.push_str(&changes.join("; "));
        }
        if let (Some(label), Some(p)) = (first.trend.as_deref(), first.mk_p) {
            let window = window_text(&first.window_start, &first.window_end);
            if label == TOO_SHORT {
                text.push_str(&format!(
                    ". The share series over {window} is too short for a trend test to reach significance"
                ));
            } else if !is_significant(label) {
                text.push_str(&format!(
                    ". The share shows no significant trend over {window} (Mann-Kendall {})",
                    p_value(p)
                ));
            } else {
                let slope = first
                    .sen_slope_pp
                    .map_or_else(String::new, |s| format!("Sen slope {}; ", slope(s, "pp")));
                text.push_str(&format!(
                    ". The share is {label} over {window} ({slope}Mann-Kendall {})",
                    p_value(p)
                ));
            }
        }
        let gaps: Vec<(&str, &str)> = input
            .share_gaps
            .iter()
            .filter(|g| g.share_id == id)
            .filter(|g| {
                in_window(
                    &g.period,
                    first.window_start.as_deref(),
                    first.window_end.as_deref(),
                ) || rows
                    .iter()
                    .any(|s| s.period_1 == g.period || s.period_2 == g.period)
            })
            .map(|g| (g.period.as_str(), g.missing.as_str()))
            .collect();
        text.push('.');
        text.push_str(&incomplete(&gaps, input));
        let effect = rows
            .iter()
            .filter_map(|s| s.change_pp.map(f64::abs))
            .fold(0.0, f64::max)
            / 100.0;
        out.push(Finding {
            about: vec![id.to_string()],
            group: 2,
            effect,
            text,
        });
    }
    out
}

/// A share (0..1) as a percentage: "61.2%".
pub fn percent(share: f64) -> String {
    format!("{:.1}%", 100.0 * share)
}

fn route_findings(input: &ReportInput) -> Vec<Finding> {
    let mut out = Vec::new();
    for route in &input.declared.routes {
        for drug in &route.drugs {
            let annual = |indicator: &str| {
                input
                    .route
                    .iter()
                    .filter(move |r| {
                        r.route == route.id
                            && r.drug == *drug
                            && r.indicator == indicator
                            && r.value.is_some()
                            && Period::parse(&r.period).is_ok_and(|p| p.quarter.is_none())
                    })
                    .collect::<Vec<_>>()
            };
            let exceeds = annual("destination_exceeds_transit");
            if exceeds.is_empty() {
                continue;
            }
            let years: Vec<String> = exceeds
                .iter()
                .filter(|r| r.value == Some(1.0))
                .map(|r| r.period.clone())
                .collect();
            let all_years: Vec<String> = exceeds.iter().map(|r| r.period.clone()).collect();
            let list = |names: &[String]| names.join(", ");
            let mut text = format!(
                "{}, {}: the destination ({}) seized more than the transit countries combined ({}) in {} of the {} years with data ({})",
                route.name,
                input.drug_name(drug),
                list(&route.destination),
                list(&route.transit),
                years.len(),
                exceeds.len(),
                period_ranges(&all_years)
            );
            if !years.is_empty() {
                text.push_str(&format!(": {}", period_ranges(&years)));
            }
            let ratio = annual("destination_transit_ratio");
            if let (Some(a), Some(b)) = (ratio.first(), ratio.last()) {
                if a.period != b.period {
                    text.push_str(&format!(
                        ". The destination/transit ratio was {} in {} and {} in {}",
                        readable(a.value.unwrap_or(f64::NAN)),
                        a.period,
                        readable(b.value.unwrap_or(f64::NAN)),
                        b.period
                    ));
                }
            }
            text.push('.');
            let gaps: Vec<(&str, &str)> = exceeds
                .iter()
                .map(|r| (r.period.as_str(), r.missing_members.as_str()))
                .collect();
            text.push_str(&incomplete(&gaps, input));
            out.push(Finding {
                about: vec![route.id.clone()],
                group: 3,
                effect: years.len() as f64 / exceeds.len() as f64,
                text,
            });
        }
    }
    out
}

fn claim_findings(input: &ReportInput) -> Vec<Finding> {
    input
        .claims
        .iter()
        .map(|c| {
            let stated = if c.stated.is_empty() {
                String::new()
            } else {
                format!(", stated {}", c.stated)
            };
            let text = match c.verdict {
                Verdict::NotCheckable => format!(
                    "Claim “{}”: not checkable ({}).",
                    c.statement,
                    input.named(&c.why)
                ),
                v => format!(
                    "Claim “{}”: {}; computed {}{stated}{}.",
                    c.statement,
                    v.code(),
                    input.named(&c.computed),
                    if c.coverage.contains("missing") {
                        format!(" (coverage: {})", input.named(&c.coverage))
                    } else {
                        String::new()
                    }
                ),
            };
            Finding {
                about: vec![c.id.clone()],
                group: 4,
                effect: 0.0,
                text,
            }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn periods_join_into_ranges() {
        let p = |v: &[&str]| period_ranges(&v.iter().map(|s| s.to_string()).collect::<Vec<_>>());
        assert_eq!(
            p(&["2000", "2001", "2010", "2011", "2012", "2022"]),
            "2000-2001, 2010-2012, 2022"
        );
        assert_eq!(p(&["2017Q3", "2017Q4", "2018Q1"]), "2017Q3-2018Q1");
        assert_eq!(p(&["2016", "2015"]), "2015-2016");
        assert_eq!(p(&[]), "");
    }

    #[test]
    fn p_values_and_slopes_read_as_the_field_writes_them() {
        assert_eq!(p_value(0.0000019), "p < 0.001");
        assert_eq!(p_value(0.0354981), "p = 0.035");
        assert_eq!(p_value(1.0), "p = 1.000");
        assert_eq!(slope(-258.486154, "kg"), "-258.49 kg per year");
        assert_eq!(slope(1.2429, "pp"), "+1.24 pp per year");
        assert_eq!(slope(12.0, "count"), "+12 per year");
    }

    #[test]
    fn windows_hold_their_periods() {
        assert!(in_window("2017", Some("2000"), Some("2022")));
        assert!(!in_window("2023", Some("2000"), Some("2022")));
        assert!(in_window("2022Q4", Some("2000"), Some("2022")));
        assert!(!in_window("1999", Some("2000"), None));
    }
}
