//! Individual seizure records: aggregation into annual and quarterly series (totals, event
//! counts, median sizes) with every record accounted for, and `routetrend synth` data on which
//! the analysis recovers the planted trends and the planted step change.

use crate::common::{fixture, rejects, Workdir};
use polars::prelude::*;

fn read(path: &std::path::Path) -> DataFrame {
    ParquetReader::new(std::fs::File::open(path).unwrap())
        .finish()
        .unwrap()
}

fn value(df: &DataFrame, indicator: &str, geo: &str, period: &str) -> f64 {
    let hit = df
        .clone()
        .lazy()
        .filter(
            col("indicator")
                .eq(lit(indicator))
                .and(col("geo").eq(lit(geo)))
                .and(col("period").eq(lit(period))),
        )
        .collect()
        .unwrap();
    assert_eq!(hit.height(), 1, "{indicator} {geo} {period}");
    hit.column("value").unwrap().f64().unwrap().get(0).unwrap()
}

#[test]
fn records_aggregate_by_year_and_quarter_and_every_record_is_accounted_for() {
    let w = Workdir::new();
    let input = fixture("records_small.csv");
    let run = w.run(&[
        "ingest".as_ref(),
        input.as_os_str(),
        "--out".as_ref(),
        "out".as_ref(),
        "--json".as_ref(),
    ]);
    run.expect_code(0);
    let file = &run.json()["files"][0];
    assert_eq!(file["format"], "records");
    assert_eq!(
        (
            file["records"].as_u64(),
            file["kept"].as_u64(),
            file["rejected"].as_u64()
        ),
        (Some(10), Some(4), Some(6)),
        "{file}"
    );
    let df = read(&w.path("out/observations.parquet"));
    // KAZ heroin 2016: 1.5 + 0.5 (500 g) + 2.5 kg in three events; median 1.5 kg.
    assert_eq!(value(&df, "seizures", "KAZ", "2016"), 4.5);
    assert_eq!(value(&df, "seizure_events", "KAZ", "2016"), 3.0);
    assert_eq!(value(&df, "median_seizure", "KAZ", "2016"), 1.5);
    assert_eq!(value(&df, "seizures", "KAZ", "2016Q3"), 0.5);
    assert_eq!(value(&df, "seizures", "TJK", "2017Q1"), 10.0);
    let r = rejects(&w.read("out/rejects.csv"));
    let reasons: Vec<(u32, &str, &str)> = r
        .iter()
        .map(|(row, column, _, reason)| (*row, column.as_str(), reason.as_str()))
        .collect();
    assert_eq!(reasons[0], (6, "date", "date is not a date YYYY-MM-DD"));
    assert_eq!((reasons[1].0, reasons[1].1), (7, "country"));
    assert_eq!((reasons[2].0, reasons[2].1), (8, "drug"));
    assert_eq!(
        reasons[3],
        (9, "quantity", "quantity is not a finite number")
    );
    assert_eq!(
        reasons[4],
        (10, "unit", "unknown unit: expected g, kg or t")
    );
    assert_eq!(reasons[5], (11, "quantity", "negative quantity"));
}

#[test]
fn records_padding_empty_fields_impossible_days_and_misspelt_names() {
    // Row 2's date is padded (polars' date parser refuses it; the reader reads it itself);
    // the header's names are found whatever their case and padding.
    let w = Workdir::new();
    w.write(
        "records.csv",
        "Date, Country ,Drug,QUANTITY,Unit\n\
         2016-03-04 , Kazakhstan ,HEROIN, 1.5 , KG \n\
         2016-02-30,KAZ,heroin,1,kg\n\
         2016-03-04,Kazahkstan,heroin,1,kg\n\
         ,KAZ,heroin,1,kg\n\
         2016-03-04,,heroin,1,kg\n\
         2016-03-04,KAZ,heroin,,kg\n\
         2016-03-04,KAZ,heroin,NaN,kg\n\
         2016-03-04,KAZ,heroin,-0.5,lb\n\
         2016-03-04,KAZ,heroin, -2 ,kg\n\
         2016-05-06,KAZ,heroin,0,g\n\
         1850-06-01,KAZ,heroin,1,kg\n\
         2016-6-1,KAZ,heroin,2,kg\n\
         2016-03-04,KAZ,heroin,1e308,t\n",
    );
    let run = w.run(&["ingest", "records.csv", "--out", "out", "--json"]);
    run.expect_code(0);
    let file = &run.json()["files"][0];
    // An empty quantity is a missing value, as in every other format (issue 21):
    // records = kept + rejected + missing.
    assert_eq!(
        (
            file["records"].as_u64(),
            file["kept"].as_u64(),
            file["rejected"].as_u64(),
            file["missing"].as_u64()
        ),
        (Some(13), Some(3), Some(9), Some(1)),
        "{file}"
    );
    let df = read(&w.path("out/observations.parquet"));
    // Padded fields and upper case are read; a zero seizure is an event; one-digit months
    // and days are read as polars reads them.
    assert_eq!(value(&df, "seizures", "KAZ", "2016"), 3.5);
    assert_eq!(value(&df, "seizure_events", "KAZ", "2016"), 3.0);
    assert_eq!(value(&df, "median_seizure", "KAZ", "2016"), 1.5);
    assert_eq!(value(&df, "seizures", "KAZ", "2016Q1"), 1.5);
    assert_eq!(value(&df, "seizure_events", "KAZ", "2016Q2"), 2.0);
    let r = rejects(&w.read("out/rejects.csv"));
    let got: Vec<(u32, &str, &str)> = r
        .iter()
        .map(|(row, column, value, _)| (*row, column.as_str(), value.as_str()))
        .collect();
    assert_eq!(
        got,
        [
            (3, "date", "2016-02-30"),
            (4, "country", "Kazahkstan"),
            (5, "date", ""),
            (6, "country", ""),
            (7, "quantity", ""),
            (8, "quantity", "NaN"),
            (9, "unit", "lb"),
            (10, "quantity", " -2 "),
            (12, "date", "1850-06-01"),
            (14, "quantity", "1e308"),
        ]
    );
    assert!(
        r[1].3.contains("closest known") && r[1].3.contains("(KAZ)"),
        "{}",
        r[1].3
    );
    assert_eq!(r[3].3, "country is empty");
    assert_eq!(r[4].3, "missing value");
    assert_eq!(r[7].3, "negative quantity");
    assert_eq!(
        r[9].3, "quantity is not a finite number",
        "1e308 t is no finite kg"
    );
    // `--missing reject` makes the empty quantity a reject like the others.
    let strict = w.run(&[
        "ingest",
        "records.csv",
        "--out",
        "out2",
        "--missing",
        "reject",
        "--json",
    ]);
    strict.expect_code(0);
    let file = &strict.json()["files"][0];
    assert_eq!(
        (file["rejected"].as_u64(), file["missing"].as_u64()),
        (Some(10), Some(0)),
        "{file}"
    );
}

#[test]
fn a_record_with_more_fields_than_the_header_is_named() {
    let w = Workdir::new();
    w.write(
        "records.csv",
        "date,country,drug,quantity,unit\n\
         2016-03-04,\"Korea, Republic of\",heroin,1,kg\n\
         2016-03-04,KAZ,heroin\n\
         2016-03-04,Korea, Republic of,heroin,1,kg\n",
    );
    let run = w.run(&["ingest", "records.csv", "--out", "out"]);
    run.expect_code(2);
    assert!(
        run.stderr()
            .contains("records.csv: row 4 has 6 fields, the header 5"),
        "{}",
        run.stderr()
    );
}

#[test]
fn suggestions_for_unknown_names_are_bounded_and_do_not_depend_on_order() {
    let w = Workdir::new();
    let mut text = String::from("date,country,drug,quantity,unit\n");
    for i in (0..250).rev() {
        text.push_str(&format!("2016-03-04,Zz{i:03},heroin,1,kg\n"));
    }
    w.write("records.csv", text);
    w.run(&["ingest", "records.csv", "--out", "a", "--quiet"])
        .expect_code(0);
    w.run(&["ingest", "records.csv", "--out", "b", "--quiet"])
        .expect_code(0);
    assert_eq!(w.bytes("a/rejects.csv"), w.bytes("b/rejects.csv"));
    let plain: Vec<String> = rejects(&w.read("a/rejects.csv"))
        .into_iter()
        .filter(|r| r.3.ends_with("(add it to data/reference/countries.csv)"))
        .map(|r| r.2)
        .collect();
    assert_eq!(
        plain.len(),
        50,
        "the first 200 names in text order get a search"
    );
    assert!(
        plain.iter().all(|name| name.as_str() >= "Zz200"),
        "{plain:?}"
    );
}

#[test]
fn synth_extra_series_are_seeded_known_country_drug_pairs() {
    let w = Workdir::new();
    let synth = |out: &str| {
        w.run(&[
            "synth",
            "--records",
            "20000",
            "--extra-series",
            "40",
            "--seed",
            "3",
            "--out",
            out,
        ])
        .expect_code(0);
    };
    synth("records.csv");
    synth("again.csv");
    assert_eq!(w.bytes("records.csv"), w.bytes("again.csv"), "seeded");
    let run = w.run(&["ingest", "records.csv", "--out", "obs", "--json"]);
    run.expect_code(0);
    assert_eq!(
        run.json()["files"][0]["rejected"],
        4,
        "only the planted malformed records: every extra pair is in the reference"
    );
    let pairs = read(&w.path("obs/observations.parquet"))
        .lazy()
        .select([col("geo"), col("drug")])
        .unique(None, UniqueKeepStrategy::Any)
        .collect()
        .unwrap();
    assert_eq!(pairs.height(), 8 + 40, "the planted series and 40 more");
}

#[test]
fn synthetic_records_reveal_the_planted_trends_and_step_change() {
    let w = Workdir::new();
    w.run(&[
        "synth",
        "--records",
        "60000",
        "--seed",
        "7",
        "--out",
        "records.csv",
    ])
    .expect_code(0);
    let first = w.bytes("records.csv");
    w.run(&[
        "synth",
        "--records",
        "60000",
        "--seed",
        "7",
        "--out",
        "again.csv",
    ])
    .expect_code(0);
    assert_eq!(first, w.bytes("again.csv"), "seeded: same bytes");
    let run = w.run(&["ingest", "records.csv", "--out", "obs", "--json"]);
    run.expect_code(0);
    w.run(&["ingest", "records.csv", "--out", "obs2", "--quiet"])
        .expect_code(0);
    assert_eq!(
        w.bytes("obs/observations.parquet"),
        w.bytes("obs2/observations.parquet"),
        "same records, same bytes"
    );
    let file = &run.json()["files"][0];
    assert_eq!(file["records"], 60000);
    assert_eq!(
        file["rejected"], 12,
        "one malformed record in 10,000 of each kind"
    );
    w.run(&[
        "analyze",
        "obs/observations.parquet",
        "--out",
        "t",
        "--indicator",
        "seizures",
        "--quiet",
    ])
    .expect_code(0);
    let trends = read(&w.path("t/trends.parquet"))
        .lazy()
        .filter(col("freq").eq(lit("A")))
        .collect()
        .unwrap();
    let get = |geo: &str, drug: &str, column: &str| -> String {
        let hit = trends
            .clone()
            .lazy()
            .filter(col("geo").eq(lit(geo)).and(col("drug").eq(lit(drug))))
            .collect()
            .unwrap();
        assert_eq!(hit.height(), 1, "{geo} {drug}");
        let c = hit.column(column).unwrap();
        c.get(0).unwrap().to_string().trim_matches('"').to_string()
    };
    assert_eq!(
        get("RUS", "heroin", "trend"),
        "decreasing",
        "planted -8% a year"
    );
    assert_eq!(
        get("KAZ", "cannabis_herb", "trend"),
        "increasing",
        "planted +6% a year"
    );
    assert_eq!(
        get("RUS", "cannabis_herb", "trend"),
        "decreasing",
        "planted -4% a year"
    );
    assert_eq!(
        get("TJK", "heroin", "pettitt_period"),
        "2010",
        "planted step down from 2011"
    );
    assert!(get("TJK", "heroin", "pettitt_p").parse::<f64>().unwrap() < 0.05);
}
