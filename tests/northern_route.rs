//! The Northern Route tables on the shipped data: reviewed snapshots of shares, route and
//! claims (refresh with `UPDATE_SNAPSHOTS=1 cargo test --test tests northern_route::`, then review
//! the diff), their invariants, and the newsletter claims' verdicts.

use crate::common::{root, Workdir};
use polars::prelude::*;

fn run_shipped() -> Workdir {
    let w = Workdir::new();
    w.copy_from_root("data");
    w.copy_from_root("pipelines");
    w.run(&["run", "--quiet"]).expect_code(0);
    w
}

fn table(w: &Workdir, name: &str) -> DataFrame {
    let file =
        std::fs::File::open(w.path(&format!("out/northern_route/tables/{name}.parquet"))).unwrap();
    ParquetReader::new(file).finish().unwrap()
}

#[test]
fn tables_match_their_reviewed_snapshots() {
    let w = run_shipped();
    let update = std::env::var_os("UPDATE_SNAPSHOTS").is_some();
    for name in ["aggregates", "shares", "route", "route_ccf", "claims"] {
        let got = w.read(&format!("out/northern_route/tables/{name}.csv"));
        let path = root().join(format!("tests/snapshots/{name}.csv"));
        if update {
            std::fs::write(&path, &got).unwrap();
            continue;
        }
        let want = std::fs::read_to_string(&path).unwrap_or_else(|_| {
            panic!(
                "no snapshot {}; run with UPDATE_SNAPSHOTS=1",
                path.display()
            )
        });
        if got != want {
            let first = got
                .lines()
                .zip(want.lines())
                .position(|(a, b)| a != b)
                .unwrap_or(0);
            panic!(
                "{name}.csv differs from its snapshot at line {}:\n got: {}\nwant: {}\n(refresh with UPDATE_SNAPSHOTS=1 if the change is intended)",
                first + 1,
                got.lines().nth(first).unwrap_or("<end>"),
                want.lines().nth(first).unwrap_or("<end>")
            );
        }
    }
}

#[test]
fn newsletter_claims_get_the_verdicts_the_data_support() {
    let w = run_shipped();
    let claims = table(&w, "claims");
    let ids = claims.column("id").unwrap().str().unwrap();
    let verdicts = claims.column("verdict").unwrap().str().unwrap();
    let whys = claims.column("why").unwrap().str().unwrap();
    let verdict = |id: &str| {
        let i = ids
            .iter()
            .position(|x| x == Some(id))
            .unwrap_or_else(|| panic!("no claim {id}"));
        (
            verdicts.get(i).unwrap().to_string(),
            whys.get(i).unwrap().to_string(),
        )
    };
    assert_eq!(verdict("cannabis_share_2001").0, "supported");
    assert_eq!(verdict("cannabis_share_2016").0, "supported");
    assert_eq!(verdict("rus_heroin_above_ca5").0, "supported");
    assert_eq!(verdict("heroin_peak_2003_2004").0, "supported");
    for id in [
        "opium_peak_1990s",
        "cannabis_2017q1",
        "opiates_2017q1",
        "offences_2010",
        "offences_2016",
        "offences_decrease",
    ] {
        let (v, why) = verdict(id);
        assert_eq!(v, "not checkable", "{id}");
        assert!(!why.is_empty(), "{id} says why");
    }
    assert!(verdict("cannabis_2017q1")
        .1
        .contains("no quarterly figure for 2017Q1"));
    assert!(
        verdict("offences_2010")
            .1
            .contains("only 1 of the 5 members of CA5 ever report it (UZB)"),
        "{}",
        verdict("offences_2010").1
    );
    assert!(verdict("offences_2016").1.contains("invented"));
}

#[test]
fn heroin_equivalent_factors_add_weighted_route_indicators() {
    let w = Workdir::new();
    w.copy_from_root("data");
    w.copy_from_root("pipelines");
    let pipeline = w.read("pipelines/northern_route.toml");
    w.write(
        "pipelines/northern_route.toml",
        pipeline.replace(
            "# heroin_equivalent = { heroin",
            "heroin_equivalent = { heroin",
        ),
    );
    w.run(&["run", "--quiet"]).expect_code(0);
    let route = table(&w, "route");
    let at = |drug: &str| {
        route
            .clone()
            .lazy()
            .filter(
                col("drug")
                    .eq(lit(drug))
                    .and(col("indicator").eq(lit("destination_total")))
                    .and(col("period").eq(lit("2014"))),
            )
            .collect()
            .unwrap()
            .column("value")
            .unwrap()
            .f64()
            .unwrap()
            .get(0)
            .unwrap()
    };
    // RUS 2014: heroin + morphine + opium / 10, from the observation table.
    let observations = {
        let file =
            std::fs::File::open(w.path("out/northern_route/data/observations.parquet")).unwrap();
        ParquetReader::new(file).finish().unwrap()
    };
    let value = |drug: &str| {
        observations
            .clone()
            .lazy()
            .filter(
                col("geo")
                    .eq(lit("RUS"))
                    .and(col("drug").eq(lit(drug)))
                    .and(col("period").eq(lit("2014"))),
            )
            .collect()
            .unwrap()
            .column("value")
            .unwrap()
            .f64()
            .unwrap()
            .get(0)
            .unwrap_or(0.0) // a drug the country did not report adds nothing
    };
    let expected = value("heroin") + value("morphine") + 0.1 * value("opium");
    assert!(
        (at("heroin_equivalent") - expected).abs() < 1e-9,
        "{} vs {expected}",
        at("heroin_equivalent")
    );
    assert!(at("heroin_equivalent") > at("heroin"));
}

#[test]
fn route_and_aggregate_invariants_hold() {
    let w = run_shipped();
    // Transit countries' shares of the transit total sum to 1 in every period.
    let route = table(&w, "route");
    let sums = route
        .clone()
        .lazy()
        .filter(col("indicator").eq(lit("transit_share")))
        .group_by([col("drug"), col("period")])
        .agg([col("value").sum()])
        .collect()
        .unwrap();
    for s in sums.column("value").unwrap().f64().unwrap().iter() {
        assert!((s.unwrap() - 1.0).abs() < 1e-12, "{s:?}");
    }
    // No negative weights; keys unique.
    let keys = ["route", "drug", "indicator", "geo", "period"];
    let unique = route
        .clone()
        .lazy()
        .select(keys.map(col))
        .unique(None, UniqueKeepStrategy::Any)
        .collect()
        .unwrap();
    assert_eq!(unique.height(), route.height());
    assert!(route
        .column("value")
        .unwrap()
        .f64()
        .unwrap()
        .iter()
        .all(|v| v.unwrap() >= 0.0));
    // Turkmenistan stops in 2016: CA5 totals from 2017 are flagged, never silently lower.
    let aggregates = table(&w, "aggregates");
    let ca5_2017 = aggregates
        .lazy()
        .filter(
            col("geo")
                .eq(lit("CA5"))
                .and(col("drug").eq(lit("heroin")))
                .and(col("x").gt_eq(lit(2017.0))),
        )
        .collect()
        .unwrap();
    assert_eq!(ca5_2017.height(), 6);
    for m in ca5_2017
        .column("missing_members")
        .unwrap()
        .str()
        .unwrap()
        .iter()
    {
        assert_eq!(m, Some("TKM"));
    }
    // ... and a trend over a window crossing 2016 says so in its notes.
    let trends = table(&w, "trends");
    let ca5 = trends
        .lazy()
        .filter(
            col("geo")
                .eq(lit("CA5"))
                .and(col("drug").eq(lit("heroin")))
                .and(col("window_end").eq(lit("2022"))),
        )
        .collect()
        .unwrap();
    assert!(ca5.height() >= 1);
    for note in ca5.column("notes").unwrap().str().unwrap().iter() {
        assert!(
            note.unwrap()
                .contains("coverage changes in the window (TKM missing 2017-2022)"),
            "{note:?}"
        );
    }
}

#[test]
fn sums_carry_no_binary_noise_into_the_tables() {
    // CA5 heroin 2001 is five national figures with at most five decimals; a plain f64 sum
    // wrote 5144.578820000001.
    let w = run_shipped();
    let csv = w.read("out/northern_route/tables/aggregates.csv");
    assert!(
        csv.contains("seizures,CA5,Central Asia,heroin,,,A,kg,2001,2001,5144.57882,5,5,,"),
        "{csv}"
    );
    // Every sum: no run of eight 0s or 9s after the decimal point.
    for field in csv.split([',', '\n']) {
        let decimals = field.split_once('.').map_or("", |(_, d)| d);
        assert!(
            !(decimals.contains("00000000") || decimals.contains("99999999")),
            "{field}"
        );
    }
}

#[test]
fn coverage_is_written_as_numbers_that_spreadsheets_do_not_turn_into_dates() {
    // Regression: share_series wrote part_coverage "5/5", which Excel reads as 5 May.
    let w = run_shipped();
    let tables = w.path("out/northern_route/tables");
    for entry in std::fs::read_dir(&tables).unwrap() {
        let path = entry.unwrap().path();
        if path.extension().is_some_and(|e| e == "csv") {
            let mut reader = csv::Reader::from_path(&path).unwrap();
            for record in reader.records() {
                for cell in record.unwrap().iter() {
                    let date_like = cell.split_once('/').is_some_and(|(a, b)| {
                        !a.is_empty()
                            && !b.is_empty()
                            && a.chars().all(|c| c.is_ascii_digit())
                            && b.chars().all(|c| c.is_ascii_digit())
                    });
                    assert!(!date_like, "{}: {cell}", path.display());
                }
            }
        }
    }
    let series = table(&w, "share_series");
    let reporting = series.column("part_members_reporting").unwrap();
    assert_eq!(reporting.dtype(), &DataType::Int64);
}
