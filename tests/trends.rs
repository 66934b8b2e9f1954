//! The trends table on the shipped data: the documented columns and invariants, and the
//! findings a researcher expects (issue "Trend statistics": RUS and TJK heroin decreasing
//! over 2000-2022, KAZ cannabis herb without a significant trend, RUS heroin 2010-2016 not
//! significant on 7 points).

use crate::common::Workdir;
use polars::prelude::*;
use proptest::prelude::*;
use proptest::test_runner::FileFailurePersistence;
use routetrend::analysis::series::{Series, SeriesKey, Window};
use routetrend::analysis::tables::TREND_COLUMNS;
use routetrend::analysis::trend::{trend_row, TrendOptions};
use routetrend::model::Period;

fn trends_of_shipped_data() -> DataFrame {
    let w = Workdir::new();
    w.copy_from_root("data");
    w.copy_from_root("pipelines");
    w.run(&["run", "--quiet"]).expect_code(0);
    let file = std::fs::File::open(w.path("out/northern_route/tables/trends.parquet")).unwrap();
    ParquetReader::new(file).finish().unwrap()
}

fn row(df: &DataFrame, geo: &str, drug: &str, start: &str, end: &str) -> DataFrame {
    let hit = df
        .clone()
        .lazy()
        .filter(
            col("indicator")
                .eq(lit("seizures"))
                .and(col("geo").eq(lit(geo)))
                .and(col("drug").eq(lit(drug)))
                .and(col("window_start").eq(lit(start)))
                .and(col("window_end").eq(lit(end))),
        )
        .collect()
        .unwrap();
    assert_eq!(hit.height(), 1, "{geo} {drug} {start}-{end}");
    hit
}

fn f(df: &DataFrame, c: &str) -> f64 {
    df.column(c).unwrap().f64().unwrap().get(0).unwrap()
}

fn s(df: &DataFrame, c: &str) -> String {
    df.column(c)
        .unwrap()
        .str()
        .unwrap()
        .get(0)
        .unwrap_or("")
        .to_string()
}

#[test]
fn shipped_trends_read_as_a_researcher_expects() {
    let df = trends_of_shipped_data();
    let names: Vec<&str> = df.get_column_names().iter().map(|c| c.as_str()).collect();
    assert_eq!(names, TREND_COLUMNS);

    let rus = row(&df, "RUS", "heroin", "2000", "2022");
    assert_eq!(
        (s(&rus, "trend"), f(&rus, "mk_p") < 0.05),
        ("decreasing".into(), true)
    );
    let tjk = row(&df, "TJK", "heroin", "2000", "2022");
    assert_eq!(
        (s(&tjk, "trend"), f(&tjk, "mk_p") < 0.05),
        ("decreasing".into(), true)
    );
    let kaz = row(&df, "KAZ", "cannabis_herb", "2000", "2022");
    assert_eq!(
        (s(&kaz, "trend"), f(&kaz, "mk_p") >= 0.05),
        ("no trend".into(), true)
    );
    let short = row(&df, "RUS", "heroin", "2010", "2016");
    assert_eq!(short.column("n").unwrap().u32().unwrap().get(0), Some(7));
    assert_eq!(
        (s(&short, "trend"), f(&short, "mk_p") >= 0.05),
        ("no trend".into(), true)
    );
    // Turkmenistan stops in 2016: the 2000-2022 window counts its missing years.
    let tkm = row(&df, "TKM", "heroin", "2000", "2022");
    assert_eq!(
        tkm.column("n_missing").unwrap().u32().unwrap().get(0),
        Some(6)
    );
    assert!(
        s(&tkm, "notes").contains("6 period(s) missing"),
        "{}",
        s(&tkm, "notes")
    );
}

#[test]
fn trends_table_invariants_hold() {
    let df = trends_of_shipped_data();
    // Keys unique.
    let keys = [
        "indicator",
        "geo",
        "drug",
        "dimension",
        "category",
        "freq",
        "unit",
        "window_start",
        "window_end",
    ];
    let unique = df
        .clone()
        .lazy()
        .select(keys.map(col))
        .unique(None, UniqueKeepStrategy::Any)
        .collect()
        .unwrap();
    assert_eq!(
        unique.height(),
        df.height(),
        "duplicate (series, window) keys"
    );
    // Every null statistic is explained; no NaN anywhere.
    let notes = df.column("notes").unwrap().str().unwrap();
    for name in TREND_COLUMNS {
        let c = df.column(name).unwrap();
        if let Ok(values) = c.f64() {
            assert!(
                values.iter().flatten().all(f64::is_finite),
                "{name} has a NaN or infinity"
            );
        }
        for i in 0..df.height() {
            let is_statistic = ![
                "indicator",
                "geo",
                "drug",
                "dimension",
                "category",
                "notes",
                "jp_periods",
                "window_start",
                "window_end",
            ]
            .contains(&name);
            if is_statistic && c.get(i).unwrap().is_null() {
                assert!(
                    !notes.get(i).unwrap_or("").is_empty(),
                    "row {i}: {name} is null without a note"
                );
            }
        }
    }
}

fn arbitrary_series() -> impl Strategy<Value = Series> {
    let value = prop_oneof![
        3 => 0.0f64..1e6,
        1 => Just(0.0),
        1 => Just(5.0),
        1 => prop::num::f64::ANY.prop_filter("finite", |v| v.is_finite()).prop_map(f64::abs),
    ];
    prop::collection::btree_map(1990i32..2030, value, 0..40).prop_map(|points| Series {
        key: SeriesKey {
            indicator: "seizures".into(),
            geo: "KAZ".into(),
            drug: Some("heroin".into()),
            dimension: None,
            category: None,
            freq: routetrend::model::Freq::Annual,
            unit: routetrend::model::Unit::Kg,
        },
        periods: points.keys().map(|y| Period::year(*y)).collect(),
        values: points.values().copied().collect(),
        coverage: Vec::new(),
    })
}

proptest! {
    // Past failures are replayed from tests/trends.proptest-regressions, the file beside this
    // one (named so: the default looks for a lib.rs or main.rs above tests/, finds none, warns
    // and falls back to this same file).
    #![proptest_config(ProptestConfig {
        failure_persistence: Some(Box::new(FileFailurePersistence::WithSource("proptest-regressions"))),
        ..ProptestConfig::default()
    })]

    /// No panic and no unexplained NaN on any series: gaps, zeros, constants, one point, huge values.
    #[test]
    fn trend_rows_never_panic_or_leak_nan(series in arbitrary_series(), start in 1985i32..2035, len in 0i32..20) {
        let options = TrendOptions::default();
        for window in [Window::default(), Window { start: Some(Period::year(start)), end: Some(Period::year(start + len)) }] {
            let row = trend_row(&series, window, &options);
            let numbers = [row.first_value, row.last_value, row.change_pct, row.cagr_pct, row.ols_slope, row.ols_p,
                row.apc, row.apc_p, row.mk_var_s, row.mk_z, row.mk_p, row.mk_tau, row.mk_hr_p, row.mk_yw_p,
                row.mk_tfpw_p, row.sen_slope, row.sen_lo, row.sen_hi, row.pettitt_p, row.aapc];
            for v in numbers.into_iter().flatten() {
                prop_assert!(v.is_finite(), "{row:?}");
            }
            if row.mk_p.is_none() || row.ols_p.is_none() || row.apc.is_none() || row.aapc.is_none() {
                prop_assert!(!row.notes.is_empty(), "{row:?}");
            }
        }
    }
}
