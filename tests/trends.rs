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
use routetrend::stats::{
    hamed_rao, mann_kendall_min_p, yue_wang, Alpha, CORRECTION_MIN_N, CORRECTION_MIN_RATIO,
};

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

    /// Labels never claim more than the data can show: "too short" exactly where the
    /// Mann-Kendall test cannot reach alpha at this n; no corrected p-value below 10
    /// observations or with n/n* under 1/3; every null of those columns has a note.
    #[test]
    fn labels_and_corrected_p_values_respect_their_guards(
        series in arbitrary_series(),
        alpha in prop_oneof![Just(0.05), Just(0.1), Just(0.01)],
    ) {
        let options = TrendOptions { alpha: Alpha::new(alpha).unwrap(), ..TrendOptions::default() };
        let row = trend_row(&series, Window::default(), &options);
        let n = row.n as usize;
        let reachable = mann_kendall_min_p(n).is_some_and(|p| p < alpha);
        if n >= 3 && !reachable {
            prop_assert_eq!(row.trend.as_deref(), Some("too short"), "{:?}", row);
            prop_assert!(row.notes.contains("trend: too short"), "{}", row.notes);
        } else {
            prop_assert_ne!(row.trend.as_deref(), Some("too short"), "{:?}", row);
        }
        if n < CORRECTION_MIN_N {
            prop_assert!(row.mk_hr_p.is_none() && row.mk_yw_p.is_none() && row.mk_tfpw_p.is_none(), "{:?}", row);
        }
        let values: Vec<f64> = series.values.clone();
        if row.mk_hr_p.is_some() {
            let hr = hamed_rao(&values, options.alpha).unwrap();
            prop_assert!(hr.n_over_n_star >= CORRECTION_MIN_RATIO, "{:?}", hr);
        }
        if row.mk_yw_p.is_some() {
            let yw = yue_wang(&values, options.alpha).unwrap();
            prop_assert!(yw.n_over_n_star >= CORRECTION_MIN_RATIO, "{:?}", yw);
        }
        for (p, method) in [(row.mk_hr_p, "mk_hr"), (row.mk_yw_p, "mk_yw"), (row.mk_tfpw_p, "mk_tfpw")] {
            if p.is_none() && n > 0 {
                prop_assert!(row.notes.contains(method), "{method}: {}", row.notes);
            }
        }
        // The seasonal columns: null with a note on annual series.
        prop_assert!(row.smk_p.is_none());
        if n > 0 {
            prop_assert!(row.notes.contains("smk: annual series"), "{}", row.notes);
        }
    }
}

#[test]
fn shipped_regional_tests_joinpoint_limits_and_labels() {
    let w = Workdir::new();
    w.copy_from_root("data");
    w.copy_from_root("pipelines");
    w.run(&["run", "--quiet"]).expect_code(0);
    let read = |name: &str| {
        let file =
            std::fs::File::open(w.path(&format!("out/northern_route/tables/{name}.parquet")))
                .unwrap();
        ParquetReader::new(file).finish().unwrap()
    };
    // The regional Kendall test of Central Asia's members, as pymannkendall 1.4.3
    // regional_test(years x members) and correlated_multivariate_test(complete rows) give
    // them (tests/reference/expected.json, cases ca5_heroin_2000_2022).
    let regional = read("regional_trends");
    let heroin = regional
        .clone()
        .lazy()
        .filter(
            col("geo")
                .eq(lit("CA5"))
                .and(col("drug").eq(lit("heroin")))
                .and(col("window_start").eq(lit("2000"))),
        )
        .collect()
        .unwrap();
    assert_eq!(heroin.height(), 1);
    let score = heroin.column("s").unwrap().i64().unwrap().get(0);
    assert_eq!(score, Some(-462));
    assert_eq!(f(&heroin, "var_s"), 6324.0);
    assert!((f(&heroin, "p") - 6.750259076576134e-09).abs() < 1e-9 * 6.75e-9);
    assert!((f(&heroin, "slope") + 22.98616666666667).abs() < 1e-9);
    assert_eq!(s(&heroin, "trend"), "decreasing");
    assert!((f(&heroin, "cmk_p") - 0.033894853524689246).abs() < 1e-9 * 0.034);
    let opiates = regional
        .lazy()
        .filter(
            col("geo")
                .eq(lit("CA5"))
                .and(col("drug").eq(lit("opiates"))),
        )
        .collect()
        .unwrap();
    assert_eq!(opiates.height(), 2, "2000-2022 and 2010-2016");
    // The report says whether the members trend together.
    let md = w.read("out/northern_route/report.md");
    assert!(
        md.contains("Its members trend together over 2000-2022 (regional Kendall test: decreasing, p &lt; 0.001, median member slope -22.99 kg per year"),
        "{md}"
    );
    // Every joinpoint fit says how many joinpoints it considered: NCI's maximum.
    let trends = read("trends");
    let notes = trends.column("notes").unwrap().str().unwrap();
    let jp_k = trends
        .column("jp_k")
        .unwrap()
        .cast(&DataType::Int64)
        .unwrap();
    let jp_k = jp_k.i64().unwrap();
    let n = trends.column("n").unwrap().cast(&DataType::Int64).unwrap();
    let n = n.i64().unwrap();
    let mut fits = 0;
    for i in 0..trends.height() {
        if jp_k.get(i).is_some() {
            fits += 1;
            let note = notes.get(i).unwrap_or("");
            let n = n.get(i).unwrap();
            assert!(
                note.contains(&format!("NCI's maximum for {n} observations")),
                "{note}"
            );
        }
    }
    assert!(fits > 50, "{fits} joinpoint fits");
    // "too short" rows: n = 3 or 4 at alpha 0.05, never "no trend" there.
    let trend = trends.column("trend").unwrap().str().unwrap();
    for i in 0..trends.height() {
        let n = n.get(i).unwrap();
        if (3..=4).contains(&n) {
            assert_eq!(trend.get(i), Some("too short"));
        }
    }
}
