//! Series from the observation table: one [`Series`] per (indicator, geo, drug, dimension,
//! category, freq, unit), values in time order. The grouping is a polars lazy query; the
//! per-series statistics then run on plain slices.

use polars::prelude::*;

use super::trend::{Series, SeriesKey};
use crate::model::observation::SERIES_COLUMNS;
use crate::model::Period;

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
                freq: owned(freq.get(i)).unwrap_or_default(),
                unit: owned(unit.get(i)).unwrap_or_default(),
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
