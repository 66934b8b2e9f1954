//! Integration tests of `routetrend ingest` and `validate`: every reader, every reject
//! reason, the row-count identity, byte-identical re-runs, `--partitioned`, exit codes, and
//! the real UNODC and ARQ files.

use std::fs::File;

use crate::common::{assert_accounted, fixture, public_file, rejects, Workdir};
use polars::prelude::*;

fn read_parquet(path: &std::path::Path) -> DataFrame {
    ParquetReader::new(File::open(path).unwrap())
        .finish()
        .unwrap()
}

/// Value of the observation (geo, drug, period), or None.
fn value(df: &DataFrame, geo: &str, drug: &str, period: &str) -> Option<f64> {
    let hit = df
        .clone()
        .lazy()
        .filter(
            col("geo")
                .eq(lit(geo))
                .and(col("drug").eq(lit(drug)))
                .and(col("period").eq(lit(period))),
        )
        .collect()
        .unwrap();
    assert!(hit.height() <= 1, "key {geo} {drug} {period} is not unique");
    (hit.height() == 1).then(|| hit.column("value").unwrap().f64().unwrap().get(0).unwrap())
}

/// `routetrend ingest INPUT --out OUT FLAGS...` in the work folder.
fn ingest(w: &Workdir, input: &std::path::Path, out: &str, flags: &[&str]) -> crate::common::Run {
    let mut args: Vec<std::ffi::OsString> =
        vec!["ingest".into(), input.into(), "--out".into(), out.into()];
    args.extend(flags.iter().map(|f| f.into()));
    w.run(&args)
}

/// Each file of a --json summary accounts for its records.
fn assert_identity(summary: &serde_json::Value) {
    assert_accounted(&summary["files"]);
}

#[test]
fn canonical_csv_converts_names_units_and_periods() {
    let w = Workdir::new();
    let run = ingest(&w, &fixture("canonical_basic.csv"), "out", &["--json"]);
    run.expect_code(0);
    assert_identity(&run.json());
    let df = read_parquet(&w.path("out/observations.parquet"));
    let names: Vec<&str> = df.get_column_names().iter().map(|s| s.as_str()).collect();
    assert_eq!(names, routetrend::model::observation::COLUMNS);
    assert_eq!(df.height(), 7);
    assert_eq!(value(&df, "KGZ", "heroin", "2016"), Some(120.5));
    assert_eq!(
        value(&df, "RUS", "cannabis_resin", "2016"),
        Some(2500.0),
        "2.5 t in kg"
    );
    assert_eq!(
        value(&df, "RUS", "cannabis_herb", "2016"),
        Some(1.5),
        "1500 g in kg"
    );
    assert_eq!(
        value(&df, "TJK", "total_all_drugs", "2010Q1"),
        Some(1274.907)
    );
    let quarter = df
        .clone()
        .lazy()
        .filter(col("period").eq(lit("2010Q1")))
        .collect()
        .unwrap();
    assert_eq!(
        quarter.column("freq").unwrap().str().unwrap().get(0),
        Some("Q")
    );
    assert_eq!(
        quarter.column("x").unwrap().f64().unwrap().get(0),
        Some(2010.0)
    );
    let share = df
        .clone()
        .lazy()
        .filter(col("geo").eq(lit("CA5")))
        .collect()
        .unwrap();
    assert_eq!(
        share.column("unit").unwrap().str().unwrap().get(0),
        Some("share")
    );
    assert!(
        (share
            .column("value")
            .unwrap()
            .f64()
            .unwrap()
            .get(0)
            .unwrap()
            - 0.9)
            .abs()
            < 1e-12
    );
    // sorted by series then x: KGZ heroin 2015 before 2016
    let kgz = df
        .clone()
        .lazy()
        .filter(col("geo").eq(lit("KGZ")))
        .collect()
        .unwrap();
    let periods: Vec<Option<&str>> = kgz
        .column("period")
        .unwrap()
        .str()
        .unwrap()
        .iter()
        .collect();
    assert_eq!(periods, [Some("2015"), Some("2016")]);
    assert_eq!(
        std::fs::read_to_string(w.path("out/rejects.csv"))
            .unwrap()
            .lines()
            .count(),
        1,
        "header only"
    );
}

#[test]
fn every_reject_reason_is_named_and_no_row_is_lost() {
    let w = Workdir::new();
    let input = fixture("canonical_rejects.csv");
    let run = ingest(&w, &input, "out", &["--json"]);
    run.expect_code(0);
    let summary = run.json();
    assert_identity(&summary);
    let file = &summary["files"][0];
    assert_eq!(file["records"], 21, "{file}");
    assert_eq!(file["exact_duplicates"], 1);
    assert_eq!(
        file["kept"], 2,
        "the exact duplicate and the grouped thousands"
    );
    let rejects = rejects(&w.read("out/rejects.csv"));
    let reason_of = |row: u32| -> String {
        let hits: Vec<_> = rejects.iter().filter(|r| r.0 == row).collect();
        assert_eq!(hits.len(), 1, "row {row}: {rejects:?}");
        format!("{} | {} | {}", hits[0].1, hits[0].2, hits[0].3)
    };
    let expect = [
        (
            2,
            "unknown country or region 'Tajikistann'; closest known: 'tajikistan' (TJK)",
        ),
        (3, "unknown drug 'heroine pills'"),
        (4, "'abc' is not a number"),
        (5, "negative value"),
        (
            6,
            "'2 t 326 kg' is not a number: it has a unit or text in it",
        ),
        (7, "'12,5 kg' is not a number: it has a unit or text in it"),
        (8, "unknown unit 'pounds'"),
        (9, "'2016Q5' is not a period: quarter must be Q1 to Q4"),
        (10, "'20016' is not a period: year outside 1900-2100"),
        (11, "missing required field 'geo'"),
        (12, "missing value"),
        (
            13,
            "duplicate key (seizures KAZ heroin 2016) with a different value in",
        ),
        (
            14,
            "duplicate key (seizures KAZ heroin 2016) with a different value in",
        ),
        (17, "'NaN' is not a finite number"),
        (18, "'1e400' is not a finite number"),
        (
            19,
            "',' is not a thousands separator here; if the file uses decimal commas, declare it",
        ),
        (21, "the header repeated inside the data"),
        (22, "expected 9 fields as in the header, found 11"),
    ];
    for (row, reason) in expect {
        let got = reason_of(row);
        assert!(
            got.contains(reason),
            "row {row}: expected '{reason}' in '{got}'"
        );
    }
    assert!(
        reason_of(13).contains("row 14 (11)"),
        "names the other row: {}",
        reason_of(13)
    );
    assert!(
        reason_of(14).contains("row 13 (10)"),
        "names the other row: {}",
        reason_of(14)
    );
    assert!(
        reason_of(5).starts_with("value | -5 |"),
        "names column and value: {}",
        reason_of(5)
    );
    assert_eq!(rejects.len(), expect.len());
    let df = read_parquet(&w.path("out/observations.parquet"));
    assert_eq!(
        value(&df, "KAZ", "opium", "2020"),
        Some(22400.0),
        "\"22,400\" is grouped thousands"
    );
    assert_eq!(
        value(&df, "KAZ", "opium", "2016"),
        Some(7.0),
        "exact duplicate kept once"
    );
}

#[test]
fn bom_crlf_semicolons_and_declared_decimal_commas() {
    let w = Workdir::new();
    let input = fixture("semicolon_decimal_comma.csv");
    let run = ingest(&w, &input, "out", &["--decimal-comma"]);
    run.expect_code(0);
    let df = read_parquet(&w.path("out/observations.parquet"));
    assert_eq!(value(&df, "KAZ", "heroin", "2016"), Some(196.5));
    assert_eq!(
        value(&df, "KAZ", "opium", "2016"),
        Some(1234.5),
        "Cyrillic name, space-grouped"
    );
    assert_eq!(
        value(&df, "KAZ", "cannabis_herb", "2016"),
        Some(22400.0),
        "22,4 t"
    );
    let rows: Vec<Option<u32>> = df
        .column("source_row")
        .unwrap()
        .u32()
        .unwrap()
        .iter()
        .collect();
    assert!(
        rows.contains(&Some(5)),
        "row numbers are file lines, blank line counted: {rows:?}"
    );
    // Without the declaration the same file rejects every value with the reason.
    let run = ingest(&w, &input, "out2", &[]);
    run.expect_code(0);
    assert!(w
        .read("out2/rejects.csv")
        .contains("declare it (--decimal-comma"));
}

#[test]
fn invalid_utf8_row_is_rejected_alone() {
    let w = Workdir::new();
    let run = ingest(&w, &fixture("invalid_utf8.csv"), "out", &["--json"]);
    run.expect_code(0);
    assert_eq!(run.json()["files"][0]["kept"], 2);
    let rejects = rejects(&w.read("out/rejects.csv"));
    assert_eq!(rejects.len(), 1);
    assert_eq!(rejects[0].0, 3);
    assert!(rejects[0].3.contains("not valid UTF-8"));
}

#[test]
fn wide_csv_and_xlsx_with_gaps_error_cells_and_ignored_columns() {
    let w = Workdir::new();
    let run = ingest(
        &w,
        &fixture("wide.csv"),
        "out",
        &["--indicator", "seizures", "--json"],
    );
    run.expect_code(0);
    let summary = run.json();
    assert_identity(&summary);
    assert_eq!(summary["files"][0]["format"], "wide");
    assert_eq!(
        summary["files"][0]["records"], 5,
        "the empty 2016 cell is a gap, not a record"
    );
    let df = read_parquet(&w.path("out/observations.parquet"));
    assert_eq!(df.height(), 5);
    assert_eq!(value(&df, "TJK", "heroin", "2016"), None);
    assert_eq!(
        value(&df, "KAZ", "opium", "2017"),
        Some(2_500_000.0),
        "2,500 t"
    );

    let run = ingest(
        &w,
        &fixture("wide.xlsx"),
        "x",
        &["--indicator", "seizures", "--json"],
    );
    run.expect_code(0);
    let file = &run.json()["files"][0];
    assert_eq!(file["sheet"], "Seizures");
    assert!(
        file["warnings"]
            .to_string()
            .contains("columns ignored: notes"),
        "{file}"
    );
    assert_eq!(file["kept"], 4);
    let rejects = rejects(&w.read("x/rejects.csv"));
    assert_eq!(rejects.len(), 1, "{rejects:?}");
    assert_eq!((rejects[0].0, rejects[0].1.as_str()), (4, "2017"));
    assert!(rejects[0].3.contains("error cell #DIV/0!"), "{rejects:?}");

    // Without --indicator the wide table is a file-level error naming what is missing.
    let run = ingest(&w, &fixture("wide.csv"), "y", &[]);
    run.expect_code(2);
    assert!(
        run.stderr().contains("wide.csv") && run.stderr().contains("--indicator"),
        "{run}"
    );
}

#[test]
fn cts_workbook_after_preamble_rows() {
    let w = Workdir::new();
    let run = ingest(&w, &fixture("cts.xlsx"), "out", &["--json"]);
    run.expect_code(0);
    assert_eq!(run.json()["files"][0]["format"], "cts");
    let df = read_parquet(&w.path("out/observations.parquet"));
    assert_eq!(df.height(), 3);
    let uzb = df
        .clone()
        .lazy()
        .filter(col("geo").eq(lit("UZB")))
        .collect()
        .unwrap();
    let categories: Vec<Option<&str>> = uzb
        .column("category")
        .unwrap()
        .str()
        .unwrap()
        .iter()
        .collect();
    assert_eq!(
        categories,
        [
            Some("Drug trafficking"),
            Some("Drug trafficking; sex=Female")
        ]
    );
    assert_eq!(
        uzb.column("indicator").unwrap().str().unwrap().get(0),
        Some("persons_arrested")
    );
    let kgz = df
        .lazy()
        .filter(col("geo").eq(lit("KGZ")))
        .collect()
        .unwrap();
    assert_eq!(
        kgz.column("unit").unwrap().str().unwrap().get(0),
        Some("rate_per_100k")
    );
}

#[test]
fn cts_csv_after_preamble_rows_with_missing_markers() {
    let w = Workdir::new();
    let run = ingest(&w, &fixture("cts_preamble.csv"), "out", &["--json"]);
    run.expect_code(0);
    let summary = run.json();
    assert_identity(&summary);
    assert_eq!(summary["files"][0]["format"], "cts");
    assert_eq!(summary["files"][0]["kept"], 2);
    let df = read_parquet(&w.path("out/observations.parquet"));
    let categories: Vec<Option<&str>> = df
        .column("category")
        .unwrap()
        .str()
        .unwrap()
        .iter()
        .collect();
    assert_eq!(
        categories,
        [
            Some("Drug trafficking"),
            Some("Drug trafficking; sex=Male; age=Adult")
        ]
    );
    let r = rejects(&w.read("out/rejects.csv"));
    assert_eq!(
        (r[0].0, r[0].1.as_str(), r[0].3.as_str()),
        (6, "VALUE", "missing value"),
        "'..' means missing"
    );
}

#[test]
fn unodc_export_sums_line_items_and_falls_back_to_drug_groups() {
    let w = Workdir::new();
    let run = ingest(&w, &fixture("unodc_line_items.csv"), "out", &["--json"]);
    run.expect_code(0);
    let df = read_parquet(&w.path("out/observations.parquet"));
    let kenya = df
        .clone()
        .lazy()
        .filter(col("geo").eq(lit("KEN")))
        .collect()
        .unwrap();
    assert_eq!(kenya.height(), 1);
    assert_eq!(
        kenya.column("value").unwrap().f64().unwrap().get(0),
        Some(42.0)
    );
    assert_eq!(
        kenya.column("source_rows").unwrap().str().unwrap().get(0),
        Some("3;4;5")
    );
    assert_eq!(
        kenya.column("source").unwrap().str().unwrap().get(0),
        Some("UNODC data portal export \"Drug seizures, 2018-2022\"")
    );
    let kaz = df
        .lazy()
        .filter(col("geo").eq(lit("KAZ")))
        .collect()
        .unwrap();
    assert_eq!(
        kaz.column("drug").unwrap().str().unwrap().get(0),
        Some("opiates_other"),
        "an unknown opiate falls under its DrugSubGroup"
    );
    assert_eq!(rejects(&w.read("out/rejects.csv"))[0].3, "missing value");

    // --line-items reject: the three Kenya rows conflict and are all rejected.
    let run = ingest(
        &w,
        &fixture("unodc_line_items.csv"),
        "r",
        &["--line-items", "reject", "--json"],
    );
    run.expect_code(0);
    assert_identity(&run.json());
    let r = rejects(&w.read("r/rejects.csv"));
    assert_eq!(
        r.iter()
            .filter(|x| x.3.starts_with("duplicate key"))
            .count(),
        3,
        "{r:?}"
    );
}

#[test]
fn real_unodc_export_accounts_for_every_row() {
    let w = Workdir::new();
    let input = public_file("unodc_drug_seizures_2018_2022.xlsx");
    let run = ingest(&w, &input, "out", &["--json"]);
    run.expect_code(0);
    let summary = run.json();
    assert_identity(&summary);
    let file = &summary["files"][0];
    assert_eq!(file["records"], 11013, "data rows of sheet Export");
    assert_eq!(file["rejected"], 0);
    assert_eq!(file["missing"], 72, "empty Kilograms cells");
    assert_eq!(file["exact_duplicates"], 0);
    let df = read_parquet(&w.path("out/observations.parquet"));
    assert_eq!(df.height() as u64, file["observations"].as_u64().unwrap());
    // Every kept row is in exactly one observation's lineage.
    let rows: usize = df
        .column("source_rows")
        .unwrap()
        .str()
        .unwrap()
        .iter()
        .map(|s| s.unwrap().split(';').count())
        .sum();
    assert_eq!(rows, 11013 - 72);
    // Spot checks against the sheet (values as in data/raw/seizures.csv).
    assert_eq!(value(&df, "KAZ", "heroin", "2019"), Some(1152.0));
    assert_eq!(value(&df, "AFG", "cannabis_resin", "2019"), Some(499545.0));
    assert_eq!(value(&df, "TJK", "heroin", "2019"), Some(172.0));
    assert_eq!(
        value(&df, "KEN", "heroin", "2019"),
        Some(42.0),
        "41 + 0 + 1 kg line items"
    );
    assert_eq!(
        value(&df, "TKM", "heroin", "2019"),
        None,
        "no rows for Turkmenistan"
    );
    for r in rejects(&w.read("out/rejects.csv")) {
        assert_eq!((r.1.as_str(), r.3.as_str()), ("Kilograms", "missing value"));
    }
}

#[test]
fn real_arq_csv_through_its_mapping() {
    let w = Workdir::new();
    let input = public_file("arq_seizures_1970_2020.csv");
    let mapping = crate::common::root().join("data/mappings/arq_seizures.toml");
    let run = w.run(&[
        "ingest".as_ref(),
        input.as_os_str(),
        "--mapping".as_ref(),
        mapping.as_os_str(),
        "--out".as_ref(),
        "out".as_ref(),
        "--json".as_ref(),
    ]);
    run.expect_code(0);
    let summary = run.json();
    assert_identity(&summary);
    let file = &summary["files"][0];
    assert_eq!(file["records"], 51201);
    assert_eq!(file["rejected"], 0);
    assert_eq!(
        file["missing"], 507,
        "the NULL quantities, and nothing else"
    );
    let df = read_parquet(&w.path("out/observations.parquet"));
    let rows: usize = df
        .column("source_rows")
        .unwrap()
        .str()
        .unwrap()
        .iter()
        .map(|s| s.unwrap().split(';').count())
        .sum();
    assert_eq!(rows, 51201 - 507, "one lineage entry per non-NULL row");
    // Spot checks (values as printed in the file; see data/raw/seizures.csv).
    assert_eq!(value(&df, "AFG", "heroin", "2002"), Some(1291.7));
    assert_eq!(value(&df, "KAZ", "heroin", "2016"), Some(196.64093));
    assert_eq!(value(&df, "KAZ", "cannabis_herb", "2018"), Some(17069.744));
    let morphine = value(&df, "KAZ", "morphine", "2014").unwrap();
    assert!(
        (morphine - 0.00901).abs() < 1e-12,
        "two ARQ line items 1.00E-05 + 0.009: {morphine}"
    );
    // ARQ rows with a NULL ISO code resolve through the country name (USSR -> SUN).
    let ussr = df
        .clone()
        .lazy()
        .filter(col("geo").eq(lit("SUN")))
        .collect()
        .unwrap();
    assert!(
        ussr.height() > 0,
        "USSR rows (ISO Code NULL) resolved by name"
    );
    for r in rejects(&w.read("out/rejects.csv")) {
        assert_eq!(
            (r.1.as_str(), r.2.as_str(), r.3.as_str()),
            ("KG Equivalent", "NULL", "missing value")
        );
    }
}

#[test]
fn reruns_are_byte_identical_and_partitioned_dataset_reads_back() {
    let w = Workdir::new();
    let input = public_file("unodc_drug_seizures_2018_2022.xlsx");
    for out in ["a", "b"] {
        w.run(&[
            "ingest".as_ref(),
            input.as_os_str(),
            "--out".as_ref(),
            out.as_ref(),
            "--partitioned".as_ref(),
            "--quiet".as_ref(),
        ])
        .expect_code(0);
    }
    assert_eq!(
        w.bytes("a/observations.parquet"),
        w.bytes("b/observations.parquet")
    );
    assert_eq!(w.bytes("a/rejects.csv"), w.bytes("b/rejects.csv"));
    let part = "indicator=seizures/00000000.parquet";
    assert_eq!(
        w.bytes(&format!("a/observations/{part}")),
        w.bytes(&format!("b/observations/{part}"))
    );
    let scanned = LazyFrame::scan_parquet(
        PlRefPath::new(w.path("a/observations").to_string_lossy().as_ref()),
        ScanArgsParquet {
            hive_options: HiveOptions::new_enabled(),
            ..Default::default()
        },
    )
    .unwrap()
    .collect()
    .unwrap();
    let single = read_parquet(&w.path("a/observations.parquet"));
    assert_eq!(scanned.height(), single.height());
    assert!(
        scanned.column("indicator").is_ok(),
        "hive key column comes back"
    );
}

#[test]
fn file_level_problems_exit_2_naming_the_file() {
    let w = Workdir::new();
    let run = ingest(&w, &fixture("unknown_format.csv"), "o", &[]);
    run.expect_code(2);
    assert!(
        run.stderr().contains("unknown_format.csv: unknown format"),
        "{run}"
    );
    assert!(
        run.stderr()
            .contains("canonical (indicator,geo,period,value,unit)"),
        "{run}"
    );
    assert!(!w.path("o").exists(), "nothing written");

    let run = ingest(
        &w,
        &fixture("unodc_missing_column.csv"),
        "o",
        &["--format", "unodc-export"],
    );
    run.expect_code(2);
    assert!(run.stderr().contains("msCode"), "{run}");

    let run = w.run(&["ingest", "no_such_file.csv", "--out", "o"]);
    run.expect_code(2);
    assert!(
        run.stderr().contains("no_such_file.csv: cannot read"),
        "{run}"
    );

    let binary = w.write("binary.csv", b"PK\x03\x04\x00\x00\x00garbage");
    let run = ingest(&w, &binary, "o", &[]);
    run.expect_code(2);
    assert!(
        run.stderr().contains("binary.csv") && run.stderr().contains("NUL"),
        "{run}"
    );

    let empty = w.write("empty.csv", b"");
    let run = ingest(&w, &empty, "o", &[]);
    run.expect_code(2);
    assert!(
        run.stderr().contains("empty.csv") && run.stderr().contains("no rows"),
        "{run}"
    );

    let bad_mapping = w.write("m.toml", "indicator = \"seizures\"\nunit = \"kg\"\ncolor = 1\n[columns]\ngeo = \"c\"\nperiod = \"y\"\nvalue = \"v\"\n");
    let run = w.run(&[
        "ingest".as_ref(),
        fixture("wide.csv").as_os_str(),
        "--mapping".as_ref(),
        bad_mapping.as_os_str(),
        "--out".as_ref(),
        "o".as_ref(),
    ]);
    run.expect_code(2);
    assert!(
        run.stderr().contains("m.toml") && run.stderr().contains("color"),
        "{run}"
    );
}

#[test]
fn strict_makes_rejects_fatal_and_writes_nothing() {
    let w = Workdir::new();
    let run = ingest(&w, &fixture("canonical_rejects.csv"), "o", &["--strict"]);
    run.expect_code(2);
    assert!(
        run.stderr()
            .contains("--strict: 17 rejected record(s), nothing written"),
        "{run}"
    );
    assert!(!w.path("o").exists());
}

#[test]
fn validate_checks_and_writes_nothing() {
    let w = Workdir::new();
    let run = w.run(&[
        "validate".as_ref(),
        fixture("canonical_rejects.csv").as_os_str(),
    ]);
    run.expect_code(2);
    assert!(
        run.stdout().contains("reject: ")
            && run
                .stdout()
                .contains("row 9 column 'period' value '2016Q5'"),
        "{run}"
    );
    let run = w.run(&[
        "validate".as_ref(),
        fixture("canonical_basic.csv").as_os_str(),
        "--json".as_ref(),
    ]);
    run.expect_code(0);
    assert_eq!(run.json()["observations"], 7);
    assert_eq!(
        std::fs::read_dir(w.dir.path()).unwrap().count(),
        0,
        "validate wrote nothing"
    );
}

#[test]
fn empty_value_cells_are_missing_values_not_errors_unless_declared_so() {
    // Regression: `validate --strict` exited 2 on the untouched UNODC export, whose 72 empty
    // Kilograms cells counted as rejects.
    let w = Workdir::new();
    let input = public_file("unodc_drug_seizures_2018_2022.xlsx");
    let run = w.run(&[
        "validate".as_ref(),
        input.as_os_str(),
        "--strict".as_ref(),
        "--json".as_ref(),
    ]);
    run.expect_code(0);
    let summary = run.json();
    assert_eq!(
        (summary["rejected"].as_u64(), summary["missing"].as_u64()),
        (Some(0), Some(72))
    );
    // Still listed in rejects.csv for lineage, with their own reason.
    ingest(&w, &input, "out", &["--strict"]).expect_code(0);
    let rejects = crate::common::rejects(&w.read("out/rejects.csv"));
    assert_eq!(rejects.len(), 72);
    assert!(rejects
        .iter()
        .all(|(_, column, value, reason)| column == "Kilograms"
            && value.is_empty()
            && reason == "missing value"));
    // Declared rejects: they count as rejected and fail --strict.
    let strict = ingest(&w, &input, "out2", &["--missing", "reject", "--strict"]);
    strict.expect_code(2);
    assert!(
        strict.stderr().contains("--strict: 72 rejected record(s)"),
        "{strict}"
    );
    let json = w.run(&[
        "validate".as_ref(),
        input.as_os_str(),
        "--missing".as_ref(),
        "reject".as_ref(),
        "--json".as_ref(),
    ]);
    json.expect_code(2);
    assert_eq!(json.json()["files"][0]["rejected"], 72);
}
