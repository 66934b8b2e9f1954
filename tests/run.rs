//! `routetrend run` on the shipped data, in a copy of the project, and the Parquet read back
//! by pyarrow (tests/interop/check_observations.py).

use crate::common::{root, Workdir};

fn project() -> Workdir {
    let w = Workdir::new();
    w.copy_from_root("data");
    w.copy_from_root("pipelines");
    w
}

#[test]
fn run_ingests_the_shipped_data() {
    let w = project();
    let run = w.run(&["run", "--json"]);
    run.expect_code(0);
    let summary = run.json();
    let files = summary["files"].as_array().unwrap();
    assert_eq!(files.len(), 2);
    assert_eq!(files[0]["file"], "data/raw/seizures.csv");
    assert_eq!(files[0]["records"], 635, "rows of seizures_sourced.csv");
    assert_eq!(summary["rejected"], 0, "the shipped data is clean");
    assert_eq!(summary["observations"], 635 + 29);
    assert!(w
        .path("out/northern_route/data/observations.parquet")
        .is_file());
    assert!(w.path("out/northern_route/data/rejects.csv").is_file());
}

#[test]
fn observations_open_in_pyarrow_with_the_documented_schema() {
    let w = project();
    w.run(&["run", "--quiet"]).expect_code(0);
    let script = root().join("tests/interop/check_observations.py");
    let output = std::process::Command::new("python3")
        .arg(&script)
        .arg(w.path("out/northern_route/data/observations.parquet"))
        .output()
        .expect("python3 (with pyarrow, see tests/requirements.txt)");
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert!(
        output.status.success(),
        "{stdout}\n{}",
        String::from_utf8_lossy(&output.stderr)
    );
    let summary: serde_json::Value = serde_json::from_str(&stdout).unwrap();
    assert_eq!(summary["rows"], 664);
    assert_eq!(
        summary["tool"],
        format!("routetrend {}", env!("CARGO_PKG_VERSION"))
    );
}

#[test]
fn unknown_pipeline_key_is_a_configuration_error() {
    let w = project();
    let text = std::fs::read_to_string(w.path("pipelines/northern_route.toml")).unwrap();
    w.write("pipelines/bad.toml", text.replace("output =", "outptu ="));
    let run = w.run(&["run", "pipelines/bad.toml"]);
    run.expect_code(2);
    assert!(
        run.stderr().contains("pipelines/bad.toml") && run.stderr().contains("outptu"),
        "{run}"
    );
}

#[test]
fn pipeline_paths_cannot_leave_the_project_folder() {
    let w = project();
    let text = std::fs::read_to_string(w.path("pipelines/northern_route.toml")).unwrap();
    // An input outside the project (root = ".." of pipelines/, i.e. the work folder).
    let outside = tempfile::tempdir().unwrap();
    std::fs::copy(
        w.path("data/raw/offences.csv"),
        outside.path().join("offences.csv"),
    )
    .unwrap();
    let escaping = text.replace(
        "file = \"data/raw/offences.csv\"",
        &format!(
            "file = \"{}\"",
            outside.path().join("offences.csv").display()
        ),
    );
    w.write("pipelines/escape.toml", &escaping);
    let run = w.run(&["run", "pipelines/escape.toml"]);
    run.expect_code(2);
    assert!(
        run.stderr().contains("inputs[1].file")
            && run.stderr().contains("outside the project folder"),
        "{run}"
    );
    w.run(&["run", "pipelines/escape.toml", "--allow-outside", "--quiet"])
        .expect_code(0);
    // An output folder that climbs out.
    w.write(
        "pipelines/out.toml",
        text.replace(
            "output = \"out/northern_route\"",
            "output = \"../elsewhere\"",
        ),
    );
    let run = w.run(&["run", "pipelines/out.toml"]);
    run.expect_code(2);
    assert!(
        run.stderr().contains("'output'") || run.stderr().contains("key 'output'"),
        "{run}"
    );
    // A symbolic link inside the project that points outside it.
    std::os::unix::fs::symlink(
        outside.path().join("offences.csv"),
        w.path("data/raw/linked.csv"),
    )
    .unwrap();
    w.write(
        "pipelines/link.toml",
        text.replace(
            "file = \"data/raw/offences.csv\"",
            "file = \"data/raw/linked.csv\"",
        ),
    );
    let run = w.run(&["run", "pipelines/link.toml"]);
    run.expect_code(2);
    assert!(
        run.stderr().contains("linked.csv") && run.stderr().contains("resolves to"),
        "{run}"
    );
}

#[test]
fn figure_slugs_cannot_name_paths() {
    let w = project();
    let text = std::fs::read_to_string(w.path("pipelines/northern_route.toml")).unwrap();
    w.write(
        "pipelines/slug.toml",
        text.replace(
            "slug = \"destination_transit_ratio\"",
            "slug = \"../../etc/evil\"",
        ),
    );
    let run = w.run(&["run", "pipelines/slug.toml"]);
    run.expect_code(2);
    assert!(
        run.stderr().contains("figures[5].slug") && run.stderr().contains("a slug is a file name"),
        "{run}"
    );
}
