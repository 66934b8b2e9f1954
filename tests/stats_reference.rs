//! Compares every value in `tests/reference/expected.json` (pymannkendall,
//! scipy, statsmodels and documented numpy transcriptions of R / NCI formulas;
//! see `tests/reference/generate.py`) with `routetrend::stats`, within the
//! named tolerances of `tests/reference/tolerances.rs`. A failure names the
//! series (or case), the method, the quantity and where the expected number
//! came from. Set `REFERENCE_REPORT=1` to print the largest deviation seen per
//! method and quantity.

use std::collections::{BTreeMap, HashMap};
use std::path::PathBuf;

use crate::tolerances::tolerance_for;
use routetrend::stats::{self, Alpha, JoinpointOptions, Proportion, Unavailable};
use serde::Deserialize;
use serde_json::Value;

#[derive(Deserialize)]
struct Reference {
    versions: BTreeMap<String, String>,
    series: Vec<Series>,
    cases: Vec<Value>,
}

#[derive(Deserialize)]
struct Series {
    name: String,
    x: Vec<f64>,
    y: Vec<f64>,
}

/// A computed quantity.
#[derive(Debug)]
enum Got {
    Number(Option<f64>),
    Text(String),
}

fn num(v: f64) -> Got {
    Got::Number(Some(v))
}

fn opt(v: Option<f64>) -> Got {
    Got::Number(v)
}

type Outcome = Result<Vec<(String, Got)>, Unavailable>;

fn load() -> Reference {
    let path: PathBuf = [
        env!("CARGO_MANIFEST_DIR"),
        "tests",
        "reference",
        "expected.json",
    ]
    .iter()
    .collect();
    let text = std::fs::read_to_string(&path)
        .unwrap_or_else(|e| panic!("reading {}: {e}", path.display()));
    serde_json::from_str(&text).unwrap_or_else(|e| panic!("parsing {}: {e}", path.display()))
}

fn f64_field(case: &Value, key: &str) -> f64 {
    case[key]
        .as_f64()
        .unwrap_or_else(|| panic!("case field {key} missing: {case}"))
}

fn vec_field<T: for<'de> Deserialize<'de>>(case: &Value, key: &str) -> Vec<T> {
    serde_json::from_value(case[key].clone()).unwrap_or_else(|e| panic!("case field {key}: {e}"))
}

fn compute(case: &Value, series: &HashMap<&str, &Series>) -> Outcome {
    let method = case["method"].as_str().unwrap_or_default();
    let alpha = case["alpha"]
        .as_f64()
        .and_then(Alpha::new)
        .unwrap_or_default();
    let s = case["series"].as_str().map(|name| series[name]);
    let (x, y) = s
        .map(|s| (s.x.as_slice(), s.y.as_slice()))
        .unwrap_or((&[], &[]));
    let field = |name: &str, v: Got| (name.to_string(), v);
    Ok(match method {
        "mann_kendall" => {
            let r = stats::mann_kendall(y, alpha)?;
            vec![
                field("s", num(r.s as f64)),
                field("var_s", num(r.var_s)),
                field("z", num(r.z)),
                field("p", num(r.p)),
                field("tau_b", opt(r.tau_b)),
                field("trend", Got::Text(r.trend.to_string())),
            ]
        }
        "hamed_rao" => {
            let r = stats::hamed_rao(y, alpha)?;
            vec![
                field("s", num(r.s as f64)),
                field("var_s", num(r.var_s)),
                field("var_s_corrected", num(r.var_s_corrected)),
                field("n_over_n_star", num(r.n_over_n_star)),
                field("significant_lags", num(r.significant_lags as f64)),
                field("z", num(r.z)),
                field("p", num(r.p)),
                field("trend", Got::Text(r.trend.to_string())),
                field("sen_slope_per_step", num(r.sen_slope_per_step)),
            ]
        }
        "yue_wang" => {
            let r = stats::yue_wang(y, alpha)?;
            vec![
                field("s", num(r.s as f64)),
                field("var_s", num(r.var_s)),
                field("var_s_corrected", num(r.var_s_corrected)),
                field("n_over_n_star", num(r.n_over_n_star)),
                field("lag1_autocorrelation", num(r.lag1_autocorrelation)),
                field("z", num(r.z)),
                field("p", num(r.p)),
                field("trend", Got::Text(r.trend.to_string())),
                field("sen_slope_per_step", num(r.sen_slope_per_step)),
            ]
        }
        "trend_free_prewhitening" => {
            let r = stats::trend_free_prewhitening(y, alpha)?;
            vec![
                field("n_tested", num(r.n_tested as f64)),
                field("lag1_autocorrelation", num(r.lag1_autocorrelation)),
                field("s", num(r.s as f64)),
                field("var_s", num(r.var_s)),
                field("z", num(r.z)),
                field("p", num(r.p)),
                field("trend", Got::Text(r.trend.to_string())),
                field("sen_slope_per_step", num(r.sen_slope_per_step)),
            ]
        }
        "sen_slope" => {
            let r = stats::sen_slope(x, y, alpha)?;
            vec![
                field("slope", num(r.slope)),
                field("intercept", num(r.intercept)),
                field("ci_lower", opt(r.ci_lower)),
                field("ci_upper", opt(r.ci_upper)),
            ]
        }
        "linear_trend" => {
            let r = stats::linear_trend(x, y, alpha)?;
            vec![
                field("slope", num(r.slope)),
                field("intercept", num(r.intercept)),
                field("slope_se", num(r.slope_se)),
                field("ci_lower", num(r.ci_lower)),
                field("ci_upper", num(r.ci_upper)),
                field("p", num(r.p)),
                field("r_squared", num(r.r_squared)),
            ]
        }
        "annual_percent_change" => {
            let r = stats::annual_percent_change(x, y, alpha)?;
            vec![
                field("apc", num(r.apc)),
                field("ci_lower", num(r.ci_lower)),
                field("ci_upper", num(r.ci_upper)),
                field("p", num(r.p)),
                field("log_slope", num(r.log_slope)),
                field("log_slope_se", num(r.log_slope_se)),
            ]
        }
        "pettitt" => {
            let r = stats::pettitt(y)?;
            vec![
                field("k_statistic", num(r.k_statistic as f64)),
                field("last_before_change", num(r.last_before_change as f64)),
                field("p", num(r.p)),
            ]
        }
        "cagr" => {
            let n = y.len();
            let r = stats::cagr(x[0], y[0], x[n - 1], y[n - 1])?;
            vec![field("rate", num(r.rate)), field("years", num(r.years))]
        }
        "joinpoint" => {
            let options = JoinpointOptions {
                max_joinpoints: f64_field(case, "max_joinpoints") as usize,
                min_obs_end: f64_field(case, "min_obs_end") as usize,
                min_obs_between: f64_field(case, "min_obs_between") as usize,
                alpha,
                ..JoinpointOptions::default()
            };
            let r = stats::fit_joinpoint(x, y, &options)?;
            let mut out = vec![
                field(
                    "max_joinpoints_considered",
                    num(r.max_joinpoints_considered as f64),
                ),
                field("selected_joinpoints", num(r.joinpoints.len() as f64)),
                field("aapc", num(r.aapc)),
            ];
            for (i, jp) in r.joinpoints.iter().enumerate() {
                out.push(field(&format!("joinpoint[{i}]"), num(*jp)));
            }
            for (i, segment) in r.segments.iter().enumerate() {
                out.push(field(&format!("segment_apc[{i}]"), num(segment.apc)));
                if r.interval_df.is_some() {
                    out.push(field(&format!("segment_apc_lo[{i}]"), opt(segment.apc_lo)));
                    out.push(field(&format!("segment_apc_hi[{i}]"), opt(segment.apc_hi)));
                }
            }
            if let Some(df) = r.interval_df {
                out.push(field("interval_df", num(df as f64)));
                out.push(field("aapc_lo", opt(r.aapc_lo)));
                out.push(field("aapc_hi", opt(r.aapc_hi)));
            }
            for model in &r.models {
                let k = model.joinpoints.len();
                out.push(field(&format!("sse[{k}]"), num(model.sse)));
                out.push(field(&format!("bic[{k}]"), num(model.bic)));
            }
            out
        }
        "two_proportion_z_test" => {
            let pair = |key| {
                let v: Vec<u64> = vec_field(case, key);
                Proportion {
                    count: v[0],
                    total: v[1],
                }
            };
            let r = stats::two_proportion_z_test(pair("first"), pair("second"))?;
            vec![
                field("p1", num(r.p1)),
                field("p2", num(r.p2)),
                field("pooled", num(r.pooled)),
                field("z", num(r.z)),
                field("p", num(r.p)),
            ]
        }
        "cochran_armitage" => {
            let (xs, counts, totals): (Vec<f64>, Vec<u64>, Vec<u64>) = (
                vec_field(case, "x"),
                vec_field(case, "counts"),
                vec_field(case, "totals"),
            );
            let r = stats::cochran_armitage(&xs, &counts, &totals)?;
            vec![
                field("pooled", num(r.pooled)),
                field("z", num(r.z)),
                field("chi_squared", num(r.chi_squared)),
                field("p", num(r.p)),
            ]
        }
        "cross_correlation" => {
            let (a, b): (Vec<f64>, Vec<f64>) = (vec_field(case, "x"), vec_field(case, "y"));
            let r = stats::cross_correlation(&a, &b, f64_field(case, "max_lag") as usize)?;
            let mut out = vec![field("band_95", num(r.band_95))];
            for lag in &r.lags {
                out.push(field(&format!("r[{}]", lag.lag), num(lag.r)));
            }
            out
        }
        "seasonal_mann_kendall" | "regional_kendall" => {
            let blocks: Vec<(Vec<f64>, Vec<f64>)> = if method == "regional_kendall" {
                case["blocks"]
                    .as_array()
                    .into_iter()
                    .flatten()
                    .map(|b| (vec_field(b, "x"), vec_field(b, "y")))
                    .collect()
            } else {
                vec![(vec_field(case, "x"), vec_field(case, "y"))]
            };
            let r = if method == "regional_kendall" {
                let views: Vec<(&[f64], &[f64])> = blocks
                    .iter()
                    .map(|(x, y)| (x.as_slice(), y.as_slice()))
                    .collect();
                stats::regional_kendall(&views, alpha)?
            } else {
                stats::seasonal_mann_kendall(&blocks[0].0, &blocks[0].1, alpha)?
            };
            vec![
                field("blocks_tested", num(r.blocks_tested as f64)),
                field("s", num(r.s as f64)),
                field("var_s", num(r.var_s)),
                field("z", num(r.z)),
                field("p", num(r.p)),
                field("tau", num(r.tau)),
                field("slope", num(r.slope)),
                field("trend", Got::Text(r.trend.to_string())),
            ]
        }
        "joinpoint_parallelism" => {
            let (x, a, b): (Vec<f64>, Vec<f64>, Vec<f64>) = (
                vec_field(case, "x"),
                vec_field(case, "a"),
                vec_field(case, "b"),
            );
            let r = stats::joinpoint_parallelism(&x, &a, &b, &JoinpointOptions::default())?;
            vec![
                field("k", num(r.k as f64)),
                field("sse_separate", num(r.sse_separate)),
                field("sse_parallel", num(r.sse_parallel)),
                field("f", num(r.f)),
                field("df1", num(r.df1 as f64)),
                field("df2", num(r.df2 as f64)),
                field("p", num(r.p)),
            ]
        }
        "correlated_regional_kendall" => {
            let rows: Vec<Vec<f64>> = vec_field(case, "rows");
            let r = stats::correlated_regional_kendall(&rows, alpha)?;
            vec![
                field("periods", num(r.periods as f64)),
                field("s", num(r.s as f64)),
                field("var_s", num(r.var_s)),
                field("z", num(r.z)),
                field("p", num(r.p)),
                field("trend", Got::Text(r.trend.to_string())),
            ]
        }
        "share_change" => {
            let r = stats::share_change(f64_field(case, "s1"), f64_field(case, "s2"))?;
            vec![
                field("percentage_points", num(r.percentage_points)),
                field("relative_percent", opt(r.relative_percent.ok())),
            ]
        }
        "t_quantile" => {
            vec![field(
                "value",
                opt(stats::t_quantile(
                    f64_field(case, "p"),
                    f64_field(case, "df"),
                )),
            )]
        }
        "t_two_sided_p" => {
            vec![field(
                "value",
                opt(stats::t_two_sided_p(
                    f64_field(case, "t"),
                    f64_field(case, "df"),
                )),
            )]
        }
        "normal_sf" => vec![field("value", opt(stats::normal_sf(f64_field(case, "z"))))],
        "normal_quantile" => vec![field(
            "value",
            opt(stats::normal_quantile(f64_field(case, "p"))),
        )],
        other => panic!("expected.json has a method this test does not know: {other}"),
    })
}

/// Largest deviation seen per (method, quantity), in units of the tolerance.
#[derive(Default)]
struct Deviations(BTreeMap<(String, String), (f64, f64)>);

impl Deviations {
    fn record(&mut self, method: &str, key: &str, got: f64, expected: f64) {
        let abs = (got - expected).abs();
        let rel = if expected != 0.0 {
            abs / expected.abs()
        } else {
            0.0
        };
        let entry = self
            .0
            .entry((method.to_string(), key.to_string()))
            .or_insert((0.0, 0.0));
        entry.0 = entry.0.max(abs);
        entry.1 = entry.1.max(rel);
    }
}

fn compare_case(
    case: &Value,
    outcome: &Outcome,
    failures: &mut Vec<String>,
    deviations: &mut Deviations,
) -> usize {
    let method = case["method"].as_str().unwrap_or_default();
    let label = format!(
        "[{} / {method}{}]",
        case["series"]
            .as_str()
            .or(case["name"].as_str())
            .unwrap_or("?"),
        case["alpha"]
            .as_f64()
            .map(|a| format!(" / alpha {a}"))
            .unwrap_or_default()
    );
    let expected_reason = case["unavailable"].as_str();
    let values = match (outcome, expected_reason) {
        (Err(reason), Some(expected)) => {
            if reason.to_string() != expected {
                failures.push(format!(
                    "{label} unavailable: got \"{reason}\", expected \"{expected}\""
                ));
            }
            return 1;
        }
        (Err(reason), None) => {
            failures.push(format!(
                "{label} unavailable (\"{reason}\") but the reference has values"
            ));
            return 0;
        }
        (Ok(_), Some(expected)) => {
            failures.push(format!(
                "{label} computed values but the reference says unavailable: \"{expected}\" ({})",
                case["unavailable_ref"].as_str().unwrap_or("")
            ));
            return 0;
        }
        (Ok(values), None) => values,
    };
    let ours: HashMap<&str, &Got> = values.iter().map(|(k, v)| (k.as_str(), v)).collect();
    let expected = case["values"].as_object().cloned().unwrap_or_default();
    let mut checked = 0;
    for (key, entry) in &expected {
        let base = key.split('@').next().unwrap_or(key);
        let reference = entry["ref"].as_str().unwrap_or("");
        let Some(got) = ours.get(base) else {
            failures.push(format!(
                "{label} {key}: not computed (expected from {reference})"
            ));
            continue;
        };
        checked += 1;
        match (got, &entry["value"]) {
            (Got::Text(text), Value::String(want)) => {
                if text != want {
                    failures.push(format!(
                        "{label} {key}: got \"{text}\", expected \"{want}\" ({reference})"
                    ));
                }
            }
            (Got::Number(None), Value::Null) => {}
            (Got::Number(Some(value)), Value::Number(want)) => {
                let want = want.as_f64().unwrap_or(f64::NAN);
                let tolerance = tolerance_for(method, key);
                deviations.record(method, key, *value, want);
                if !tolerance.accepts(*value, want) {
                    failures.push(format!(
                        "{label} {key}: got {value:e}, expected {want:e} (diff {:e}; tolerance abs {:e} rel {:e}) from {reference}",
                        value - want,
                        tolerance.abs,
                        tolerance.rel
                    ));
                }
            }
            (got, want) => failures.push(format!(
                "{label} {key}: got {got:?}, expected {want} ({reference})"
            )),
        }
    }
    for (key, _) in values {
        let covered = expected
            .keys()
            .any(|k| k.split('@').next() == Some(key.as_str()));
        if !covered {
            failures.push(format!(
                "{label} {key}: computed but the reference has no value for it"
            ));
        }
    }
    checked
}

#[test]
fn every_reference_value_matches_within_its_tolerance() {
    let reference = load();
    let series: HashMap<&str, &Series> = reference
        .series
        .iter()
        .map(|s| (s.name.as_str(), s))
        .collect();
    let mut failures = Vec::new();
    let mut deviations = Deviations::default();
    let mut checked = 0;
    for case in &reference.cases {
        let outcome = compute(case, &series);
        checked += compare_case(case, &outcome, &mut failures, &mut deviations);
    }
    if std::env::var_os("REFERENCE_REPORT").is_some() {
        eprintln!(
            "reference versions: {:?}; {checked} values checked",
            reference.versions
        );
        for ((method, key), (abs, rel)) in &deviations.0 {
            eprintln!("{method:>26} {key:<28} max abs {abs:9.2e}  max rel {rel:9.2e}");
        }
    }
    assert!(
        failures.is_empty(),
        "{} of the reference comparisons failed:\n{}",
        failures.len(),
        failures.join("\n")
    );
    // Guard against a silently empty reference file.
    assert!(
        checked > 1500,
        "only {checked} reference values were checked"
    );
}

#[test]
fn reference_covers_every_method_and_reason() {
    let reference = load();
    let methods: std::collections::BTreeSet<&str> = reference
        .cases
        .iter()
        .filter_map(|c| c["method"].as_str())
        .collect();
    for method in [
        "mann_kendall",
        "hamed_rao",
        "yue_wang",
        "trend_free_prewhitening",
        "sen_slope",
        "linear_trend",
        "annual_percent_change",
        "joinpoint",
        "pettitt",
        "cagr",
        "two_proportion_z_test",
        "cochran_armitage",
        "cross_correlation",
        "seasonal_mann_kendall",
        "regional_kendall",
        "correlated_regional_kendall",
        "joinpoint_parallelism",
        "share_change",
        "t_quantile",
        "t_two_sided_p",
        "normal_sf",
        "normal_quantile",
    ] {
        assert!(methods.contains(method), "no reference case for {method}");
    }
    let reasons: std::collections::BTreeSet<&str> = reference
        .cases
        .iter()
        .filter_map(|c| c["unavailable"].as_str())
        .collect();
    for reason in [
        "fewer than 3 observations",
        "non-positive value",
        "all values equal",
        "n/n* <= 0 (Hamed-Rao correction undefined)",
        "n/n* <= 0 (Yue-Wang correction undefined)",
        "Sen-detrended series is constant (autocorrelation undefined)",
    ] {
        assert!(
            reasons.contains(reason),
            "no reference case for the reason {reason:?}"
        );
    }
}
