//! A route map as published: what it measures ([`MapSpec`], [`Measure`]), the
//! [`MapChart`] that `crate::plot::render_map` draws from the figure's series, its alt text
//! (the pattern, with numbers) and the CSV of its countries (country, value, class).
//!
//! A map figure's series are the route's countries (one per drug of a panel), computed by
//! the analyze stage like any figure's series; the map measures each one at a period, over
//! a window (total or mean of every period) or as the change between two periods. Pure.

use std::collections::BTreeMap;

use crate::analysis::series::Window;
use crate::display::capitalised;
use crate::files::csv_string;
use crate::i18n::Texts;
use crate::model::{Period, Unit};
use crate::plot::{map_scale, MapChart, MapInfo, MapPanel, MapRoute};

use super::figure::{FigureSpec, Plotted, RunFacts};

/// What a map shades each country by.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Measure {
    /// The value in one period.
    At(Period),
    /// The sum over every period of a window (each must be reported).
    Total(Period, Period),
    /// The mean over every period of a window (each must be reported).
    Mean(Period, Period),
    /// The later period's value less the earlier one's.
    Change(Period, Period),
}

impl Measure {
    /// The periods the measure reads (its figure's window).
    pub fn window(&self) -> Window {
        let (start, end) = match *self {
            Measure::At(p) => (p, p),
            Measure::Total(a, b) | Measure::Mean(a, b) | Measure::Change(a, b) => (a, b),
        };
        Window {
            start: Some(start),
            end: Some(end),
        }
    }

    /// "2016", "total 2012-2016", "mean 2012-2016", "2010 to 2016" (a change), in the
    /// language of `texts`.
    pub fn text(&self, texts: &Texts) -> String {
        let span = |id: &str, a, b| texts.format(id, &[("span", texts.span(a, b).into())]);
        match *self {
            Measure::At(p) => texts.period_in_text(p),
            Measure::Total(a, b) => span("measure-total", a, b),
            Measure::Mean(a, b) => span("measure-mean", a, b),
            Measure::Change(a, b) => {
                let years = a.quarter.is_none() && b.quarter.is_none();
                texts.format(
                    "measure-change",
                    &[
                        ("from", texts.period(a).into()),
                        ("to", texts.period(b).into()),
                        ("years", if years { "yes" } else { "no" }.into()),
                    ],
                )
            }
        }
    }

    /// The measure of a series' points; `Err` says which period is missing.
    fn of(&self, points: &[(Period, f64)]) -> Result<f64, Vec<Period>> {
        let at = |p: Period| points.iter().find(|(q, _)| *q == p).map(|(_, v)| *v);
        let every = |a: Period, b: Period| -> Result<Vec<f64>, Vec<Period>> {
            let mut values = Vec::new();
            let mut missing = Vec::new();
            let mut p = a;
            while p.x() <= b.x() {
                match at(p) {
                    Some(v) => values.push(v),
                    None => missing.push(p),
                }
                p = p.next();
            }
            if missing.is_empty() {
                Ok(values)
            } else {
                Err(missing)
            }
        };
        match *self {
            Measure::At(p) => at(p).ok_or_else(|| vec![p]),
            Measure::Total(a, b) => every(a, b).map(|v| crate::model::unit::decimal_sum(&v)),
            Measure::Mean(a, b) => {
                every(a, b).map(|v| crate::model::unit::decimal_sum(&v) / v.len() as f64)
            }
            Measure::Change(a, b) => {
                let missing: Vec<Period> =
                    [a, b].into_iter().filter(|p| at(*p).is_none()).collect();
                match (at(a), at(b)) {
                    (Some(x), Some(y)) => Ok(crate::model::unit::decimal_sum(&[y, -x])),
                    _ => Err(missing),
                }
            }
        }
    }

    fn is_change(&self) -> bool {
        matches!(self, Measure::Change(..))
    }
}

/// One map of a map figure: its heading, drug and measure.
#[derive(Clone, Debug, PartialEq)]
pub struct MapPanelSpec {
    pub title: String,
    /// The drug's name, for sentences ("heroin").
    pub drug: String,
    pub measure: Measure,
    /// The figure's series of this panel, one per route country in [`MapRoute::countries`]
    /// order.
    pub series: Vec<usize>,
}

/// What a map figure (`kind = "map"`) declares.
#[derive(Clone, Debug, PartialEq)]
pub struct MapSpec {
    /// The route id (`route = "northern"`).
    pub id: String,
    pub route: MapRoute,
    pub panels: Vec<MapPanelSpec>,
    /// Country names by iso3, for every country the map may label.
    pub names: BTreeMap<String, String>,
}

/// A map ready to draw, and the texts of its sidecar.
pub struct ComposedMap {
    pub chart: MapChart,
    /// The countries (by panel) without a value, with the periods they lack.
    pub without_data: Vec<(String, Vec<Period>)>,
}

/// Composes the map of `spec` (a figure with a [`MapSpec`]) from its drawn series.
pub fn compose_map(
    spec: &FigureSpec,
    map: &MapSpec,
    plotted: &[Plotted],
    run: &RunFacts,
) -> ComposedMap {
    let texts = run.texts();
    let countries = map.route.countries();
    let name = |iso3: &str| {
        map.names
            .get(iso3)
            .cloned()
            .unwrap_or_else(|| iso3.to_string())
    };
    let unit = plotted
        .iter()
        .find_map(|p| p.key.as_ref().map(|k| k.unit))
        .unwrap_or(Unit::Kg);
    let mut panels = Vec::new();
    let mut without_data = Vec::new();
    let mut files = std::collections::BTreeSet::new();
    for panel in &map.panels {
        let mut values = Vec::new();
        for (iso3, &i) in countries.iter().zip(&panel.series) {
            let p = &plotted[i];
            files.extend(p.source_files.iter().map(String::as_str));
            match panel.measure.of(&p.points) {
                Ok(v) => values.push((iso3.clone(), Some(v))),
                Err(missing) => {
                    values.push((iso3.clone(), None));
                    without_data.push((iso3.clone(), missing));
                }
            }
        }
        panels.push(MapPanel {
            title: panel.title.clone(),
            values,
        });
    }
    let change = map.panels.iter().any(|p| p.measure.is_change());
    let mut notes = spec.notes.clone();
    let mut missing_by_country: BTreeMap<&str, Vec<String>> = BTreeMap::new();
    for (iso3, periods) in &without_data {
        let entry = missing_by_country.entry(iso3.as_str()).or_default();
        for p in periods {
            if !entry.contains(&texts.period(*p)) {
                entry.push(texts.period(*p));
            }
        }
    }
    if !missing_by_country.is_empty() {
        let parts: Vec<String> = missing_by_country
            .iter()
            .map(|(iso3, periods)| {
                texts.format(
                    "map-no-value",
                    &[
                        ("name", name(iso3).into()),
                        ("periods", periods.join(", ").into()),
                    ],
                )
            })
            .collect();
        notes.push(texts.format("map-no-data", &[("parts", parts.join("; ").into())]));
    }
    notes.push(texts.get("map-disclaimer"));
    let source = spec
        .source
        .clone()
        .unwrap_or_else(|| run.sources.line(&files, texts));
    let mut chart = MapChart {
        language: run.language,
        title: spec.title.clone(),
        subtitle: String::new(),
        source,
        notes,
        legend_title: spec.y_label.clone(),
        unit,
        change,
        route: map.route.clone(),
        panels,
        names: map.names.clone(),
        columns: spec.columns,
        size: spec.size,
        alt_text: String::new(),
    };
    let scale = map_scale(&chart);
    chart.subtitle = spec.subtitle.clone().unwrap_or_else(|| {
        let distinct = |texts: Vec<String>| {
            let mut out: Vec<String> = Vec::new();
            for t in texts {
                if !out.contains(&t) {
                    out.push(t);
                }
            }
            out
        };
        let measures = distinct(map.panels.iter().map(|p| p.measure.text(texts)).collect());
        let drugs = distinct(map.panels.iter().map(|p| p.drug.clone()).collect());
        let what = if drugs.len() > 1 {
            format!("{}, ", and_list(&drugs, texts))
        } else {
            String::new()
        };
        texts.format(
            "map-subtitle",
            &[
                ("measure", (&spec.y_label).into()),
                ("unit", scale.unit.text(texts).into()),
                ("what", what.into()),
                ("measures", and_list(&measures, texts).into()),
                ("route", (&map.route.name).into()),
            ],
        )
    });
    let unit_label = scale.unit.text(texts);
    chart.alt_text = alt_text(&chart, map, &unit_label, scale.unit.divisor, texts);
    ComposedMap {
        chart,
        without_data,
    }
}

/// "A and B", "A, B and C" ("A, B и C").
fn and_list(items: &[String], texts: &Texts) -> String {
    match items {
        [] => String::new(),
        [one] => one.clone(),
        [rest @ .., last] => texts.format(
            "list-and",
            &[("rest", rest.join(", ").into()), ("last", last.into())],
        ),
    }
}

/// The alt text: the route through its countries, then per panel the countries by value,
/// largest first, and those without data.
fn alt_text(chart: &MapChart, map: &MapSpec, unit: &str, divisor: f64, texts: &Texts) -> String {
    let name = |iso3: &String| map.names.get(iso3).cloned().unwrap_or_else(|| iso3.clone());
    let names = |codes: &[String]| and_list(&codes.iter().map(name).collect::<Vec<_>>(), texts);
    let route = &map.route;
    let mut text = texts.format(
        "map-alt-start",
        &[
            ("route", (&route.name).into()),
            ("origin", names(&route.origin).into()),
        ],
    );
    if !route.transit.is_empty() {
        text.push_str(&texts.format(
            "map-alt-transit",
            &[("transit", names(&route.transit).into())],
        ));
    }
    text.push_str(&texts.format(
        "map-alt-destination",
        &[("destination", names(&route.destination).into())],
    ));
    for (panel, spec) in chart.panels.iter().zip(&map.panels) {
        let mut known: Vec<(&String, f64)> = panel
            .values
            .iter()
            .filter_map(|(c, v)| v.map(|v| (c, v)))
            .collect();
        known.sort_by(|a, b| b.1.total_cmp(&a.1).then(a.0.cmp(b.0)));
        let shown = |v: f64| texts.value_unit(three_digits(v / divisor, texts), unit);
        let signed = |v: f64| {
            if v > 0.0 {
                format!("+{}", shown(v))
            } else {
                shown(v)
            }
        };
        let what = capitalised(&format!("{} ({})", spec.drug, spec.measure.text(texts)));
        match known.split_first() {
            None => {
                text.push(' ');
                text.push_str(&texts.format("map-alt-none", &[("what", (&what).into())]));
            }
            Some((first, rest)) => {
                let (id, value) = if spec.measure.is_change() && first.1 > 0.0 {
                    ("map-alt-largest-rise", signed(first.1))
                } else if spec.measure.is_change() {
                    ("map-alt-smallest-change", signed(first.1))
                } else {
                    ("map-alt-most", shown(first.1))
                };
                text.push(' ');
                text.push_str(&texts.format(
                    id,
                    &[
                        ("what", (&what).into()),
                        ("name", name(first.0).into()),
                        ("value", value.into()),
                    ],
                ));
                let others: Vec<String> = rest
                    .iter()
                    .map(|(c, v)| {
                        let v = if spec.measure.is_change() {
                            signed(*v)
                        } else {
                            shown(*v)
                        };
                        format!("{} {v}", name(c))
                    })
                    .collect();
                if !others.is_empty() {
                    text.push_str(
                        &texts.format("map-alt-then", &[("others", others.join(", ").into())]),
                    );
                }
                text.push('.');
            }
        }
        let missing: Vec<String> = panel
            .values
            .iter()
            .filter(|(_, v)| v.is_none())
            .map(|(c, _)| name(c))
            .collect();
        if !missing.is_empty() {
            text.push(' ');
            text.push_str(&texts.format(
                "map-alt-missing",
                &[("names", and_list(&missing, texts).into())],
            ));
        }
    }
    text
}

/// A value to three significant digits with thousands separators and no exponent, trailing
/// zeros dropped: 528.93 -> "529", 0.0692 -> "0.0692", 4587.7 -> "4,588", 1e-6 -> "0.000001".
fn three_digits(v: f64, texts: &Texts) -> String {
    if v == 0.0 || !v.is_finite() {
        return texts.number(v, 0);
    }
    let decimals = (2 - v.abs().log10().floor() as i64).clamp(0, 6) as usize;
    let digits = format!("{:.*}", decimals, v);
    let kept = match digits.split_once('.') {
        Some((_, fraction)) => fraction.trim_end_matches('0').len(),
        None => 0,
    };
    texts.number(v, kept)
}

/// The map's CSV: one row per panel and route country, with its value as drawn (display
/// unit), its class, and the value in the series' unit.
pub fn map_csv(info: &MapInfo, chart: &MapChart, map: &MapSpec, texts: &Texts) -> String {
    let role = |iso3: &str| {
        if map.route.origin.iter().any(|c| c == iso3) {
            "origin"
        } else if map.route.transit.iter().any(|c| c == iso3) {
            "transit"
        } else {
            "destination"
        }
    };
    let field = |v: Option<f64>| v.map_or(String::new(), |v| v.to_string());
    let mut rows = Vec::new();
    for ((countries, panel), spec) in info.panels.iter().zip(&chart.panels).zip(&map.panels) {
        for (c, (_, value)) in countries.iter().zip(&panel.values) {
            rows.push(vec![
                spec.title.clone(),
                spec.measure.text(texts),
                c.iso3.clone(),
                c.name.clone(),
                role(&c.iso3).to_string(),
                field(c.value),
                info.unit.clone(),
                c.class.clone().unwrap_or_else(|| texts.get("no-data")),
                field(*value),
                chart.unit.to_string(),
            ]);
        }
    }
    csv_string(
        &[
            "panel",
            "measure",
            "country",
            "country_name",
            "role",
            "value",
            "display_unit",
            "class",
            "value_in_unit",
            "unit",
        ],
        rows,
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    fn y(year: i32) -> Period {
        Period::year(year)
    }

    #[test]
    fn alt_text_numbers_have_three_significant_digits() {
        for (v, text) in [
            (528.93, "529"),
            (49.66, "49.7"),
            (0.0692, "0.0692"),
            (4587.7, "4,588"),
            (1e-6, "0.000001"),
            (-1671.286, "-1,671"),
            (0.95, "0.95"),
        ] {
            assert_eq!(three_digits(v, Texts::of(crate::i18n::Language::En)), text);
        }
    }

    #[test]
    fn measures_need_every_period_they_read() {
        let points = vec![(y(2010), 10.0), (y(2011), 20.0), (y(2013), 5.0)];
        assert_eq!(Measure::At(y(2011)).of(&points), Ok(20.0));
        assert_eq!(Measure::At(y(2012)).of(&points), Err(vec![y(2012)]));
        assert_eq!(Measure::Total(y(2010), y(2011)).of(&points), Ok(30.0));
        assert_eq!(Measure::Mean(y(2010), y(2011)).of(&points), Ok(15.0));
        assert_eq!(
            Measure::Total(y(2010), y(2013)).of(&points),
            Err(vec![y(2012)])
        );
        assert_eq!(Measure::Change(y(2010), y(2013)).of(&points), Ok(-5.0));
        assert_eq!(
            Measure::Change(y(2009), y(2012)).of(&points),
            Err(vec![y(2009), y(2012)])
        );
        assert_eq!(
            Measure::Change(y(2010), y(2016)).window().end,
            Some(y(2016))
        );
    }
}
