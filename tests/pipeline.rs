//! The pipeline engine with the real binary: up-to-date checks by content, reasons, stage
//! selection, crash safety (abort at several points, SIGKILL), the lock, concurrent runs,
//! `--as-of` and `diff`.

use std::process::{Command, Stdio};
use std::time::Duration;

use crate::common::{snapshot, staging_folders, Workdir};

const OUT: &str = "out/northern_route";

fn project() -> Workdir {
    let w = Workdir::new();
    w.copy_from_root("data");
    w.copy_from_root("pipelines");
    w
}

fn manifest(w: &Workdir) -> serde_json::Value {
    serde_json::from_str(&w.read(&format!("{OUT}/manifest.json"))).unwrap()
}

fn stage_status(m: &serde_json::Value) -> Vec<(String, String)> {
    m["stages"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| {
            (
                s["name"].as_str().unwrap().to_string(),
                s["status"].as_str().unwrap().to_string(),
            )
        })
        .collect()
}

fn owned(v: &[(&str, &str)]) -> Vec<(String, String)> {
    v.iter()
        .map(|(a, b)| (a.to_string(), b.to_string()))
        .collect()
}

/// Runs `routetrend run` with the test hook set, returning the process output.
fn run_with_hook(w: &Workdir, hook: &str, extra: &[&str]) -> std::process::Output {
    Command::new(env!("CARGO_BIN_EXE_routetrend"))
        .args(["run", "--quiet"])
        .args(extra)
        .env("ROUTETREND_TEST_HOOK", hook)
        .current_dir(w.dir.path())
        .output()
        .unwrap()
}

#[test]
fn second_run_does_no_work_and_exits_with_the_up_to_date_code() {
    let w = project();
    w.run(&["run", "--quiet"]).expect_code(0);
    let before = snapshot(&w.path(OUT));
    let run = w.run(&["run"]);
    run.expect_code(4);
    assert!(run.stderr().contains("everything is up to date"), "{run}");
    assert_eq!(snapshot(&w.path(OUT)), before, "nothing touched");
    let status = w.run(&["status"]);
    status.expect_code(0);
    assert_eq!(
        status.stdout(),
        "ingest: up to date\nanalyze: up to date\nplot: up to date\nreport: up to date\n"
    );
}

#[test]
fn changed_input_reruns_ingest_and_what_follows_and_says_why() {
    let w = project();
    w.run(&["run", "--quiet"]).expect_code(0);
    let mut text = w.read("data/raw/offences.csv");
    text.push_str("drug_offences,UZB,,,,2017,6000,count,test revision\n");
    w.write("data/raw/offences.csv", text);
    let status = w.run(&["status"]);
    assert!(
        status
            .stdout()
            .contains("ingest: out of date: input data/raw/offences.csv changed"),
        "{status}"
    );
    assert!(
        status
            .stdout()
            .contains("analyze: runs if ingest changes its outputs"),
        "{status}"
    );
    w.run(&["run", "--quiet"]).expect_code(0);
    let m = manifest(&w);
    assert_eq!(
        stage_status(&m),
        owned(&[
            ("ingest", "ran"),
            ("analyze", "ran"),
            ("plot", "ran"),
            ("report", "ran")
        ])
    );
    assert_eq!(
        m["stages"][0]["reason"],
        "input data/raw/offences.csv changed"
    );
    // A file touched but unchanged in content is not a change.
    let text = w.read("data/raw/seizures.csv");
    w.write("data/raw/seizures.csv", text);
    w.run(&["run", "--quiet"]).expect_code(4);
}

#[test]
fn changed_parameters_rerun_only_their_stage() {
    let w = project();
    w.run(&["run", "--quiet"]).expect_code(0);
    let observations = w.bytes(&format!("{OUT}/data/observations.parquet"));
    let pipeline = w
        .read("pipelines/northern_route.toml")
        .replace("alpha = 0.05", "alpha = 0.1");
    w.write("pipelines/northern_route.toml", pipeline);
    let run = w.run(&["run", "--dry-run"]);
    assert_eq!(
        run.stdout(),
        "ingest: up to date\nanalyze: would run: parameters changed ([analyze])\nplot: would run: parameters changed ([analyze])\nreport: would run: parameters changed ([analyze])\n",
        "{run}"
    );
    w.run(&["run", "--quiet"]).expect_code(0);
    assert_eq!(
        stage_status(&manifest(&w)),
        owned(&[
            ("ingest", "up_to_date"),
            ("analyze", "ran"),
            ("plot", "ran"),
            ("report", "ran")
        ])
    );
    assert_eq!(
        w.bytes(&format!("{OUT}/data/observations.parquet")),
        observations
    );
    // --force reruns a selected stage that is up to date; --stage selects one.
    w.run(&["run", "--quiet", "--stage", "analyze", "--force"])
        .expect_code(0);
    assert_eq!(
        stage_status(&manifest(&w)),
        owned(&[
            ("ingest", "up_to_date"),
            ("analyze", "ran"),
            ("plot", "up_to_date"),
            ("report", "up_to_date")
        ])
    );
    w.run(&["run", "--quiet", "--from", "ingest", "--force"])
        .expect_code(0);
    assert_eq!(
        stage_status(&manifest(&w)),
        owned(&[
            ("ingest", "ran"),
            ("analyze", "ran"),
            ("plot", "ran"),
            ("report", "ran")
        ])
    );
}

#[test]
fn a_stage_whose_inputs_do_not_exist_is_refused() {
    let w = project();
    let run = w.run(&["run", "--stage", "analyze"]);
    run.expect_code(2);
    assert!(
        run.stderr().contains("data/observations.parquet")
            && run.stderr().contains("run the stages before it"),
        "{run}"
    );
}

#[test]
fn killed_runs_leave_the_previous_outputs_byte_identical() {
    let w = project();
    w.run(&["run", "--quiet"]).expect_code(0);
    let before = snapshot(&w.path(OUT));
    let pipeline = w.read("pipelines/northern_route.toml");
    w.write(
        "pipelines/northern_route.toml",
        pipeline.replace("alpha = 0.05", "alpha = 0.2"),
    );
    for point in ["after-stage:ingest", "after-stage:analyze", "before-commit"] {
        let out = run_with_hook(&w, &format!("{point}=abort"), &["--force"]);
        assert!(!out.status.success(), "{point}: the run should have died");
        assert_eq!(
            snapshot(&w.path(OUT)),
            before,
            "{point}: published outputs changed"
        );
    }
    // SIGKILL at several moments of a run slowed down by sleeps.
    for delay_ms in [50, 300, 700, 1100] {
        let mut child = Command::new(env!("CARGO_BIN_EXE_routetrend"))
            .args(["run", "--quiet", "--force"])
            .env("ROUTETREND_TEST_HOOK", "after-stage:ingest=sleep:400,after-stage:analyze=sleep:400,before-commit=sleep:400")
            .current_dir(w.dir.path())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap();
        std::thread::sleep(Duration::from_millis(delay_ms));
        child.kill().unwrap(); // SIGKILL
        child.wait().unwrap();
        assert_eq!(
            snapshot(&w.path(OUT)),
            before,
            "killed after {delay_ms} ms: published outputs changed"
        );
    }
    // Dying between the two renames of the swap: the previous set is kept aside and the next
    // run restores it before doing anything else.
    let out = run_with_hook(&w, "between-renames=abort", &["--force"]);
    assert!(!out.status.success());
    assert_eq!(snapshot(&w.path("out/.northern_route.previous")), before);
    w.write("pipelines/northern_route.toml", pipeline);
    let run = w.run(&["run", "--quiet"]);
    run.expect_code(4);
    assert_eq!(snapshot(&w.path(OUT)), before, "recovered");
}

#[test]
fn the_lock_makes_a_second_run_wait_or_give_up_and_stale_locks_are_taken_over() {
    let w = project();
    let mut holder = Command::new(env!("CARGO_BIN_EXE_routetrend"))
        .args(["run", "--quiet"])
        .env("ROUTETREND_TEST_HOOK", "after-stage:ingest=sleep:1500")
        .current_dir(w.dir.path())
        .spawn()
        .unwrap();
    std::thread::sleep(Duration::from_millis(400));
    let run = w.run(&["run", "--wait", "0"]);
    run.expect_code(3);
    assert!(run.stderr().contains("holds the lock"), "{run}");
    assert!(holder.wait().unwrap().success());

    w.write("out/.northern_route.lock", "4000000000\n");
    let run = w.run(&["run", "--force"]);
    run.expect_code(0);
    assert!(run.stderr().contains("took over a stale lock"), "{run}");
    assert_eq!(
        w.read("out/.northern_route.lock"),
        "",
        "released: no holder's pid"
    );
}

#[test]
fn concurrent_runs_never_interleave_their_outputs() {
    let w = project();
    w.run(&["run", "--quiet"]).expect_code(0);
    let children: Vec<_> = (0..3)
        .map(|_| {
            Command::new(env!("CARGO_BIN_EXE_routetrend"))
                .args(["run", "--quiet", "--force", "--wait", "120"])
                .current_dir(w.dir.path())
                .spawn()
                .unwrap()
        })
        .collect();
    for mut c in children {
        assert!(c.wait().unwrap().success());
    }
    // The published set is one run's complete set: every output hash in the manifest holds.
    let m = manifest(&w);
    for stage in m["stages"].as_array().unwrap() {
        for (path, hash) in stage["outputs"].as_object().unwrap() {
            let bytes = w.bytes(&format!("{OUT}/{path}"));
            assert_eq!(
                routetrend::ingest::sha256_hex(&bytes),
                hash.as_str().unwrap(),
                "{path}"
            );
        }
    }
    let staging = staging_folders(&w, "northern_route");
    assert!(staging.is_empty(), "{staging:?}");
}

#[test]
fn diff_of_an_as_of_run_and_a_full_run_lists_later_observations_as_new() {
    let w = project();
    w.run(&["run", "--quiet"]).expect_code(0);
    let current = snapshot(&w.path(OUT));
    // --as-of writes <output>@P and leaves the current outputs byte-identical.
    let run = w.run(&["run", "--quiet", "--as-of", "2015"]);
    run.expect_code(0);
    assert_eq!(snapshot(&w.path(OUT)), current, "--as-of touched {OUT}");
    let as_of: serde_json::Value =
        serde_json::from_str(&w.read(&format!("{OUT}@2015/manifest.json"))).unwrap();
    assert_eq!(as_of["as_of"], "2015");
    let report = w.read(&format!("{OUT}@2015/report.md"));
    assert!(
        report.contains("data as of 2015: observations from 2000 to 2015"),
        "{report}"
    );
    let run = w.run(&[
        "diff",
        &format!("{OUT}@2015"),
        &format!("{OUT}/manifest.json"),
        "--json",
    ]);
    run.expect_code(0);
    let diff = run.json();
    let new = diff["new_observations"].as_array().unwrap();
    assert!(!new.is_empty());
    for o in new {
        let period = o["period"].as_str().unwrap();
        assert!(period[..4].parse::<i32>().unwrap() >= 2016, "{o}");
    }
    let full = routetrend::files::read_parquet(
        &w.path(&format!("{OUT}/data/observations.parquet")),
        "missing",
    )
    .unwrap();
    let later = full
        .column("x")
        .unwrap()
        .f64()
        .unwrap()
        .iter()
        .filter(|x| x.unwrap() >= 2016.0)
        .count();
    assert_eq!(
        new.len(),
        later,
        "every observation from 2016 on is new, and only those"
    );
    assert!(diff["revised_observations"].as_array().unwrap().is_empty());
    assert!(diff["series_added"]
        .as_array()
        .unwrap()
        .iter()
        .any(|s| s == "seizures AFG cannabis_herb"));
    let markdown = w.run(&["diff", &format!("{OUT}@2015"), OUT]);
    assert!(
        markdown.stdout().contains("## New observations"),
        "{markdown}"
    );
    assert!(markdown.stdout().contains("## Trend changes"), "{markdown}");
    // Each change once per series, with every window that reads alike, slopes with units.
    let changes = diff["trend_changes"].as_array().unwrap();
    assert!(!changes.is_empty(), "{diff}");
    let mut seen = std::collections::BTreeSet::new();
    for c in changes {
        let key = (c["series"].to_string(), c["change"].to_string());
        assert!(seen.insert(key), "listed twice: {c}");
        assert!(!c["windows"].as_array().unwrap().is_empty(), "{c}");
        let change = c["change"].as_str().unwrap();
        if change.starts_with("Sen slope") {
            assert!(
                [" kg per year", " count per year", " share per year"]
                    .iter()
                    .any(|u| change.contains(u)),
                "{c}"
            );
        }
    }
    let series: Vec<&str> = changes
        .iter()
        .map(|c| c["series"].as_str().unwrap())
        .collect();
    assert!(
        series.windows(2).all(|w| w[0] <= w[1]),
        "grouped by series: {series:?}"
    );
}

#[test]
fn json_logs_are_one_object_per_line() {
    let w = project();
    let run = w.run(&["--log-format", "json", "run"]);
    run.expect_code(0);
    let lines: Vec<&str> = run
        .output
        .stderr
        .split(|&b| b == b'\n')
        .filter(|l| !l.is_empty())
        .map(|l| std::str::from_utf8(l).unwrap())
        .collect();
    assert!(!lines.is_empty());
    for line in lines {
        let v: serde_json::Value =
            serde_json::from_str(line).unwrap_or_else(|e| panic!("{e}: {line}"));
        assert!(v["level"].is_string(), "{line}");
    }
    let run = w.run(&["run", "--as-of", "2016Q5"]);
    run.expect_code(2);
}

#[test]
fn an_unreadable_table_of_an_earlier_stage_is_an_internal_failure_with_its_causes() {
    let w = project();
    w.run(&["run", "--quiet"]).expect_code(0);
    // A table that analyze wrote, damaged afterwards: not the user's input.
    w.write(
        &format!("{OUT}/tables/trends.parquet"),
        b"PAR1 not a parquet file",
    );
    let run = w.run(&["run", "--stage", "plot", "--force"]);
    run.expect_code(1);
    let stderr = run.stderr();
    assert!(
        stderr.contains("stage plot: reading ") && stderr.contains("tables/trends.parquet: "),
        "the cause chain names the stage, the file and polars' reason: {run}"
    );
}

#[test]
fn bad_configuration_exits_2_naming_file_and_key() {
    let w = project();
    let pipeline = w.read("pipelines/northern_route.toml");
    w.write(
        "pipelines/northern_route.toml",
        pipeline.replace("alpha = 0.05", "alpha = 2"),
    );
    let run = w.run(&["run"]);
    run.expect_code(2);
    assert!(
        run.stderr().contains("northern_route.toml")
            && run.stderr().contains("key 'analyze.alpha'"),
        "{run}"
    );
}

#[test]
fn dry_run_exits_and_words_its_plan_as_run_would() {
    let w = project();
    w.run(&["run", "--quiet"]).expect_code(0);
    // Everything up to date: 4, as `run` itself exits.
    let dry = w.run(&["run", "--dry-run"]);
    dry.expect_code(4);
    assert_eq!(
        dry.stdout(),
        "ingest: up to date\nanalyze: up to date\nplot: up to date\nreport: up to date\n"
    );
    // --force runs every selected stage, whatever changed.
    let forced = w.run(&["run", "--dry-run", "--force", "--from", "analyze"]);
    forced.expect_code(0);
    assert_eq!(
        forced.stdout(),
        "ingest: not selected\nanalyze: would run: --force\nplot: would run: --force\nreport: would run: --force\n"
    );
    // JSON says the same in a field a scheduler can test, and never a null reason.
    let json = w.run(&["run", "--dry-run", "--json"]);
    json.expect_code(4);
    for stage in json.json().as_array().unwrap() {
        assert_eq!(stage["verdict"], "up_to_date", "{json}");
        assert_eq!(stage["reason"], "up to date", "{json}");
    }
}

#[test]
fn a_closed_stdout_is_a_normal_end() {
    let w = project();
    w.run(&["run", "--quiet"]).expect_code(0);
    let out = w.path(OUT);
    // `routetrend diff A B | head -0`: the reader is gone before anything is written.
    let mut child = Command::new(env!("CARGO_BIN_EXE_routetrend"))
        .args(["diff", "--json"])
        .arg(&out)
        .arg(&out)
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    drop(child.stdout.take());
    let output = child.wait_with_output().unwrap();
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(output.status.code(), Some(0), "{stderr}");
    assert!(
        !stderr.contains("panicked") && !stderr.contains("Broken pipe"),
        "{stderr}"
    );
}
