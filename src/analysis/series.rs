//! Series: the unit every analysis works on. A [`Series`] is one (indicator, geo, drug,
//! dimension, category, freq, unit) [`SeriesKey`] with its values in time order, and for an
//! aggregate the [`Coverage`] of each period; a [`Window`] selects periods of it.
//! [`series_of`] groups the observation table into series (a polars lazy query); the
//! per-series statistics then run on plain slices.

use polars::prelude::*;

use crate::model::observation::SERIES_COLUMNS;
use crate::model::{Freq, Period, Unit};

/// The identity of a series (DESIGN.md "The observation table").
#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct SeriesKey {
    pub indicator: String,
    pub geo: String,
    pub drug: Option<String>,
    pub dimension: Option<String>,
    pub category: Option<String>,
    pub freq: Freq,
    pub unit: Unit,
}

/// One series in time order; missing periods are absent.
#[derive(Clone, Debug)]
pub struct Series {
    pub key: SeriesKey,
    pub periods: Vec<Period>,
    pub values: Vec<f64>,
    /// For an aggregate: who reported each period (empty for a country's own series).
    pub coverage: Vec<Coverage>,
}

/// A window of periods, bounds included; `None` is the series' own first or last period.
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub struct Window {
    pub start: Option<Period>,
    pub end: Option<Period>,
}

impl Window {
    /// Parses `all`, `2010-2016`, `2017Q1-2019Q4`, `2010-` (to the end) or `-2016`.
    pub fn parse(text: &str) -> Result<Window, String> {
        let t = text.trim();
        if t.eq_ignore_ascii_case("all") {
            return Ok(Window::default());
        }
        let (a, b) = t.split_once('-').ok_or_else(|| {
            format!("window '{t}': expected all, START-END (2010-2016), START- or -END")
        })?;
        let bound = |s: &str| -> Result<Option<Period>, String> {
            let s = s.trim();
            if s.is_empty() {
                Ok(None)
            } else {
                Period::parse(s)
                    .map(Some)
                    .map_err(|e| format!("window '{t}': {e}"))
            }
        };
        let window = Window {
            start: bound(a)?,
            end: bound(b)?,
        };
        if let (Some(s), Some(e)) = (window.start, window.end) {
            if s.x() > e.x() {
                return Err(format!("window '{t}': start after end"));
            }
        }
        Ok(window)
    }
}

/// Who reported one period of an aggregate.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Coverage {
    pub reporting: u32,
    pub total: u32,
    /// Members without a figure for the period, in code order.
    pub missing: Vec<String>,
}

impl Coverage {
    pub fn complete(&self) -> bool {
        self.reporting == self.total
    }

    /// "4/5 (TKM missing)".
    pub fn text(&self) -> String {
        if self.missing.is_empty() {
            format!("{}/{}", self.reporting, self.total)
        } else {
            format!(
                "{}/{} ({} missing)",
                self.reporting,
                self.total,
                self.missing.join(" ")
            )
        }
    }
}

impl Window {
    /// Whether `period` lies inside the window.
    pub fn contains(&self, period: &Period) -> bool {
        self.start.is_none_or(|s| period.x() >= s.x())
            && self.end.is_none_or(|e| period.x() <= e.last_x())
    }

    /// The window's bounds as the trends table writes them (`window_start`, `window_end`):
    /// a bound given by the window, else the first or last of the `periods` inside it.
    pub fn bounds(&self, periods: &[Period]) -> (Option<String>, Option<String>) {
        (
            self.start
                .or(periods.first().copied())
                .map(|p| p.to_string()),
            self.end.or(periods.last().copied()).map(|p| p.to_string()),
        )
    }
}

impl Series {
    /// The part of the series inside `window`.
    pub fn within(&self, window: Window) -> Series {
        let mut out = Series {
            key: self.key.clone(),
            periods: Vec::new(),
            values: Vec::new(),
            coverage: Vec::new(),
        };
        for (i, (p, v)) in self.periods.iter().zip(&self.values).enumerate() {
            if window.contains(p) {
                out.periods.push(*p);
                out.values.push(*v);
                if let Some(c) = self.coverage.get(i) {
                    out.coverage.push(c.clone());
                }
            }
        }
        out
    }
}

/// Which series to analyse: empty lists mean "all".
#[derive(Clone, Debug, Default)]
pub struct SeriesFilter {
    pub indicators: Vec<String>,
    pub geos: Vec<String>,
    pub drugs: Vec<String>,
}

impl SeriesFilter {
    /// The filter as a polars predicate.
    pub fn predicate(&self) -> Expr {
        let mut predicate = lit(true);
        for (column, values) in [
            ("indicator", &self.indicators),
            ("geo", &self.geos),
            ("drug", &self.drugs),
        ] {
            if !values.is_empty() {
                let list = polars::prelude::Series::new("".into(), values.clone());
                predicate = predicate.and(col(column).is_in(lit(list).implode(false), false));
            }
        }
        predicate
    }
}

/// A freq or unit code of a table, parsed; an unknown code is a table routetrend did not
/// write.
pub fn code<T>(text: Option<&str>, parse: fn(&str) -> Option<T>, column: &str) -> PolarsResult<T> {
    let text = text.unwrap_or("");
    parse(text).ok_or_else(
        || polars_err!(ComputeError: "{column} '{text}' is not a code routetrend writes"),
    )
}

/// Groups the observation table into series (in the table's series order).
pub fn series_of(observations: LazyFrame, filter: &SeriesFilter) -> PolarsResult<Vec<Series>> {
    let keys: Vec<Expr> = SERIES_COLUMNS.iter().map(|c| col(*c)).collect();
    let grouped =
        crate::model::observation::sort_by_series(observations.filter(filter.predicate()))
            .group_by_stable(keys)
            .agg([col("period"), col("value")])
            .collect()?;
    let text = |name: &str| grouped.column(name).and_then(|c| c.str().cloned());
    let (indicator, geo, drug) = (text("indicator")?, text("geo")?, text("drug")?);
    let (dimension, category) = (text("dimension")?, text("category")?);
    let (freq, unit) = (text("freq")?, text("unit")?);
    let periods = grouped.column("period")?.list()?.clone();
    let values = grouped.column("value")?.list()?.clone();
    let owned = |v: Option<&str>| v.map(str::to_string);
    let mut out = Vec::with_capacity(grouped.height());
    for i in 0..grouped.height() {
        let period_list = periods.get_as_series(i).unwrap_or_default();
        let value_list = values.get_as_series(i).unwrap_or_default();
        let parsed: Vec<Period> = period_list
            .str()?
            .iter()
            .map(|p| Period::parse(p.unwrap_or("")))
            .collect::<Result<_, _>>()
            .map_err(|e| polars_err!(ComputeError: "observation table: {e}"))?;
        out.push(Series {
            key: SeriesKey {
                indicator: owned(indicator.get(i)).unwrap_or_default(),
                geo: owned(geo.get(i)).unwrap_or_default(),
                drug: owned(drug.get(i)),
                dimension: owned(dimension.get(i)),
                category: owned(category.get(i)),
                freq: code(freq.get(i), Freq::from_code, "freq")?,
                unit: code(unit.get(i), Unit::from_code, "unit")?,
            },
            periods: parsed,
            values: value_list
                .f64()?
                .iter()
                .map(|v| v.unwrap_or(f64::NAN))
                .collect(),
            coverage: Vec::new(),
        });
    }
    Ok(out)
}
