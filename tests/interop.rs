//! The outputs open where researchers work: the tables' Parquet files in pyarrow and DuckDB
//! with the documented columns, types and metadata; the Hive-partitioned dataset read as a
//! dataset; and the notebook executed headless against a fresh run. The Python packages are
//! those of tests/requirements.txt and notebooks/requirements.txt (installed by .ci/run).

use std::process::Command;

use crate::common::{root, Workdir};

fn python(args: &[&std::ffi::OsStr]) -> String {
    let output = Command::new("python3")
        .args(args)
        .output()
        .expect("python3");
    let stdout = String::from_utf8_lossy(&output.stdout).into_owned();
    assert!(
        output.status.success(),
        "python3 {args:?}\n{stdout}\n{}",
        String::from_utf8_lossy(&output.stderr)
    );
    stdout
}

#[test]
fn tables_and_hive_dataset_open_in_pyarrow_and_duckdb() {
    let w = Workdir::new();
    w.copy_from_root("data");
    w.copy_from_root("pipelines");
    w.run(&["run", "--quiet"]).expect_code(0);
    w.run(&[
        "ingest",
        "data/raw/seizures.csv",
        "data/raw/offences.csv",
        "--out",
        "hive",
        "--partitioned",
        "--quiet",
    ])
    .expect_code(0);
    let script = root().join("tests/interop/check_tables.py");
    let run = w.path("out/northern_route");
    let hive = w.path("hive/observations");
    let out = python(&[script.as_os_str(), run.as_os_str(), hive.as_os_str()]);
    let summary: serde_json::Value = serde_json::from_str(out.trim()).unwrap();
    assert_eq!(
        summary["rus_heroin_2014"], 3226.8,
        "value as printed in seizures_sourced.csv"
    );
    assert_eq!(summary["hive"]["seizures"], 635);
    assert_eq!(
        summary["hive"]["drug_offences"], 20,
        "UZB 2013-2016 by type"
    );
}

#[test]
fn every_parquet_output_opens_in_pyarrow_14() {
    let old = root().join("tests/interop/old-pyarrow");
    assert!(
        old.join("pyarrow").is_dir(),
        "pyarrow 14 is installed apart: python3 -m pip install --target {} -r tests/interop/requirements-old-pyarrow.txt (.ci/run does)",
        old.display()
    );
    let w = Workdir::new();
    w.copy_from_root("data");
    w.copy_from_root("pipelines");
    w.run(&["run", "--quiet"]).expect_code(0);
    let script = root().join("tests/interop/check_old_pyarrow.py");
    let run = w.path("out/northern_route");
    let output = Command::new("python3")
        .arg(&script)
        .arg(&run)
        .env("PYTHONPATH", &old)
        .output()
        .expect("python3");
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    let summary: serde_json::Value = serde_json::from_slice(&output.stdout).unwrap();
    assert_eq!(
        summary["rows"]["data/observations.parquet"], 664,
        "{summary}"
    );
    assert_eq!(summary["rows"]["tables/claims.parquet"], 10, "{summary}");
}

#[test]
fn notebook_runs_headless_against_a_fresh_run() {
    let w = Workdir::new();
    w.copy_from_root("data");
    w.copy_from_root("pipelines");
    w.run(&["run", "--quiet"]).expect_code(0);
    let notebook = root().join("notebooks/northern_route.ipynb");
    let run = w.path("out/northern_route");
    let out = python(&[
        root().join("tests/interop/run_notebook.py").as_os_str(),
        notebook.as_os_str(),
        run.as_os_str(),
    ]);
    assert!(out.contains("executed 7 code cells"), "{out}");
}

#[test]
fn report_docx_and_tables_xlsx_open_in_python_docx_and_openpyxl() {
    // report.docx is written by Debian's pandoc (installed by .ci/run); tables.xlsx by
    // rust_xlsxwriter. Both are read back with the libraries of tests/requirements.txt.
    let w = Workdir::new();
    w.copy_from_root("data");
    w.copy_from_root("pipelines");
    w.run(&["run", "--quiet"]).expect_code(0);
    let script = root().join("tests/interop/check_documents.py");
    let run = w.path("out/northern_route");
    let out = python(&[script.as_os_str(), run.as_os_str()]);
    let summary: serde_json::Value = serde_json::from_str(out.trim()).unwrap();
    assert_eq!(summary["docx"]["images"], 8, "every figure in the docx");
    assert_eq!(
        summary["docx"]["title"][0], "Drug seizures on the Northern Route, 2000-2022",
        "the Pandoc title block is the document's title"
    );
    // 153 series-window rows, and Afghanistan's heroin that the route maps declare.
    assert_eq!(summary["xlsx"]["trends"]["rows"], 154);
    assert!(summary["xlsx"]["shares"]["numbers"].as_u64().unwrap() > 0);
}
