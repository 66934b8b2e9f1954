//! Safe for schedulers and hostile pipeline files (issue 22), with the real binary: many
//! concurrent runs on one project and pipelines sharing an output folder always publish a
//! whole set; `--wait` is bounded; signals, a full disk and killed runs leave no staging
//! folder; a pipeline file cannot escape its project or make its output folder destroy data.

use std::path::Path;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use crate::common::{snapshot, staging_folders, Run, Workdir};

const TINY_CSV: &str = "indicator,geo,drug,period,value,unit,source\n\
seizures,KAZ,heroin,2010,120.5,kg,test\n\
seizures,KAZ,heroin,2011,98,kg,test\n\
seizures,KAZ,heroin,2012,101.25,kg,test\n\
seizures,KAZ,heroin,2013,80,kg,test\n\
seizures,KAZ,heroin,2014,75.5,kg,test\n\
seizures,KAZ,heroin,2015,60,kg,test\n\
seizures,TJK,heroin,2010,900,kg,test\n\
seizures,TJK,heroin,2011,850,kg,test\n\
seizures,TJK,heroin,2012,700,kg,test\n\
seizures,TJK,heroin,2013,650,kg,test\n\
seizures,TJK,heroin,2014,500,kg,test\n\
seizures,TJK,heroin,2015,410,kg,test\n";

/// A pipeline file of the tiny project; `extra` goes at the top level.
fn tiny_pipeline(name: &str, output: &str, extra: &str) -> String {
    format!(
        "name = \"{name}\"\nroot = \"..\"\noutput = \"{output}\"\n{extra}\n\
         [[inputs]]\nfile = \"data/tiny.csv\"\n\n[report]\ntitle = \"Report of {name}\"\n"
    )
}

/// A project with one small input and `pipelines/tiny.toml` writing `out/tiny`.
fn tiny_project() -> Workdir {
    let w = Workdir::new();
    w.write("data/tiny.csv", TINY_CSV);
    w.write("pipelines/tiny.toml", tiny_pipeline("tiny", "out/tiny", ""));
    w
}

fn routetrend(w: &Workdir, args: &[&str]) -> Command {
    let mut command = Command::new(env!("CARGO_BIN_EXE_routetrend"));
    command
        .args(args)
        .current_dir(w.dir.path())
        .stdout(Stdio::null())
        .stderr(Stdio::piped());
    command
}

/// The published set is one run's whole set: every output hash in its manifest holds, and
/// returns the manifest.
fn assert_whole_set(w: &Workdir, output: &str) -> serde_json::Value {
    let manifest: serde_json::Value =
        serde_json::from_str(&w.read(&format!("{output}/manifest.json"))).unwrap();
    let mut listed = 0;
    for stage in manifest["stages"].as_array().unwrap() {
        for (path, hash) in stage["outputs"].as_object().unwrap() {
            let bytes = w.bytes(&format!("{output}/{path}"));
            assert_eq!(
                routetrend::ingest::sha256_hex(&bytes),
                hash.as_str().unwrap(),
                "{output}/{path} does not match its manifest"
            );
            listed += 1;
        }
    }
    assert!(listed > 5, "the manifest lists the outputs");
    manifest
}

#[test]
fn twenty_concurrent_runs_on_one_project_each_publish_a_whole_set() {
    let w = tiny_project();
    for round in 0..3 {
        let children: Vec<_> = (0..20)
            .map(|_| {
                routetrend(
                    &w,
                    &["run", "pipelines/tiny.toml", "--force", "--wait", "300"],
                )
                .spawn()
                .unwrap()
            })
            .collect();
        for child in children {
            let out = child.wait_with_output().unwrap();
            let stderr = String::from_utf8_lossy(&out.stderr);
            assert_eq!(out.status.code(), Some(0), "round {round}: {stderr}");
            assert!(!stderr.contains("stale lock"), "round {round}: {stderr}");
        }
        assert_whole_set(&w, "out/tiny");
        assert!(staging_folders(&w, "tiny").is_empty(), "round {round}");
        assert!(!w.path("out/.tiny.previous").exists());
        assert_eq!(w.read("out/.tiny.lock"), "", "released: no holder's pid");
    }
}

#[test]
fn five_pipelines_sharing_an_output_folder_publish_one_pipelines_whole_set() {
    let w = tiny_project();
    for k in 0..5 {
        let alpha = format!("[analyze]\nalpha = 0.0{}\n", k + 1);
        w.write(
            &format!("pipelines/p{k}.toml"),
            tiny_pipeline(&format!("p{k}"), "out/shared", "")
                .replace("[[inputs]]", &format!("{alpha}\n[[inputs]]")),
        );
    }
    for round in 0..4 {
        let children: Vec<_> = (0..5)
            .map(|k| {
                let file = format!("pipelines/p{k}.toml");
                routetrend(&w, &["run", &file, "--wait", "300"])
                    .spawn()
                    .unwrap()
            })
            .collect();
        for child in children {
            let out = child.wait_with_output().unwrap();
            let code = out.status.code();
            assert!(
                code == Some(0) || code == Some(4),
                "round {round}: {code:?} {}",
                String::from_utf8_lossy(&out.stderr)
            );
        }
        let manifest = assert_whole_set(&w, "out/shared");
        let name = manifest["pipeline"]["name"].as_str().unwrap();
        let report = w.read("out/shared/report.md");
        assert!(
            report.contains(&format!("Report of {name}")),
            "round {round}: the report is not {name}'s"
        );
        assert!(staging_folders(&w, "shared").is_empty(), "round {round}");
    }
}

#[test]
fn wait_is_bounded_against_a_held_lock_and_a_killed_holder_leaves_no_lock() {
    let w = tiny_project();
    let mut holder = routetrend(&w, &["run", "pipelines/tiny.toml"])
        .env("ROUTETREND_TEST_HOOK", "after-stage:ingest=sleep:8000")
        .spawn()
        .unwrap();
    // The holder has the lock once its staging folder exists.
    let started = Instant::now();
    while staging_folders(&w, "tiny").is_empty() {
        assert!(
            started.elapsed() < Duration::from_secs(60),
            "the holder never started"
        );
        std::thread::sleep(Duration::from_millis(50));
    }
    let waited = Instant::now();
    let run = w.run(&["run", "pipelines/tiny.toml", "--wait", "1"]);
    let elapsed = waited.elapsed();
    run.expect_code(3);
    assert!(run.stderr().contains("holds the lock"), "{run}");
    // Bounded: 1 s asked, far less than the holder's 8 s sleep (generous for a busy machine).
    assert!(elapsed < Duration::from_secs(5), "waited {elapsed:?}");

    // SIGKILL: the OS drops the lock with the process; the next run takes it at once and
    // removes the dead run's staging folder.
    holder.kill().unwrap();
    holder.wait().unwrap();
    assert!(
        !staging_folders(&w, "tiny").is_empty(),
        "the killed run's staging is left"
    );
    let run = w.run(&["run", "pipelines/tiny.toml", "--wait", "0"]);
    run.expect_code(0);
    assert!(run.stderr().contains("took over a stale lock"), "{run}");
    assert!(staging_folders(&w, "tiny").is_empty());
    assert_whole_set(&w, "out/tiny");
}

/// Sends `signal` to a run that sleeps after ingest, once its staging folder exists.
fn signalled_run(w: &Workdir, signal: &str) -> std::process::Output {
    let child = routetrend(w, &["run", "pipelines/tiny.toml", "--force"])
        .env("ROUTETREND_TEST_HOOK", "after-stage:ingest=sleep:8000")
        .spawn()
        .unwrap();
    let started = Instant::now();
    while staging_folders(w, "tiny").is_empty() {
        assert!(
            started.elapsed() < Duration::from_secs(60),
            "the run never started"
        );
        std::thread::sleep(Duration::from_millis(50));
    }
    std::thread::sleep(Duration::from_millis(300));
    let sent = Command::new("kill")
        .args([format!("-{signal}"), child.id().to_string()])
        .status()
        .unwrap();
    assert!(sent.success());
    child.wait_with_output().unwrap()
}

#[test]
fn sigterm_sigint_and_a_full_disk_remove_the_runs_staging_folder() {
    let w = tiny_project();
    w.run(&["run", "pipelines/tiny.toml", "--quiet"])
        .expect_code(0);
    let before = snapshot(&w.path("out/tiny"));
    for (signal, code) in [("TERM", 143), ("INT", 130)] {
        let out = signalled_run(&w, signal);
        assert_eq!(out.status.code(), Some(code), "SIG{signal}");
        assert!(
            staging_folders(&w, "tiny").is_empty(),
            "SIG{signal} left staging"
        );
        assert_eq!(snapshot(&w.path("out/tiny")), before, "SIG{signal}");
    }
    // A full disk (ENOSPC, injected) in a stage and just before publishing: exit 1 naming
    // the cause, no staging folder left, the published set untouched.
    for point in ["after-stage:analyze", "before-commit"] {
        let out = routetrend(&w, &["run", "pipelines/tiny.toml", "--force"])
            .env("ROUTETREND_TEST_HOOK", format!("{point}=enospc"))
            .output()
            .unwrap();
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(1), "{point}: {stderr}");
        assert!(
            stderr.contains("No space left on device"),
            "{point}: {stderr}"
        );
        assert!(
            staging_folders(&w, "tiny").is_empty(),
            "{point} left staging"
        );
        assert_eq!(snapshot(&w.path("out/tiny")), before, "{point}");
    }
    // Failing between the two renames of the swap puts the old set back at once.
    let out = routetrend(&w, &["run", "pipelines/tiny.toml", "--force"])
        .env("ROUTETREND_TEST_HOOK", "between-renames=enospc")
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    assert_eq!(snapshot(&w.path("out/tiny")), before, "between renames");
    assert!(staging_folders(&w, "tiny").is_empty());
}

#[test]
fn a_lock_file_that_cannot_be_created_is_an_io_failure_not_a_held_lock() {
    let w = tiny_project();
    // `out` is a file: the lock file cannot be created (as on a read-only file system).
    w.write("out", "not a folder");
    let run = w.run(&["run", "pipelines/tiny.toml"]);
    run.expect_code(1);
    assert!(run.stderr().contains("taking the lock"), "{run}");
}

/// Runs `pipelines/evil.toml` (with `extra` arguments), expecting exit 2 and nothing in
/// the project changed but the listed output folder; returns the run.
fn refused(w: &Workdir, text: &str, extra: &[&str]) -> Run {
    w.write("pipelines/evil.toml", text);
    let before = snapshot(w.dir.path());
    let mut args = vec!["run", "pipelines/evil.toml"];
    args.extend_from_slice(extra);
    let run = w.run(&args);
    run.expect_code(2);
    assert_eq!(snapshot(w.dir.path()), before, "{run}");
    run
}

#[test]
fn a_pipeline_file_cannot_leave_its_project() {
    // The project sits one level down, so that a root of ".." from pipelines/ reaches a
    // folder above it that the test owns and watches.
    let outer = Workdir::new();
    let w = Workdir {
        dir: tempfile::tempdir_in(outer.dir.path()).unwrap(),
    };
    w.write("data/tiny.csv", TINY_CSV);
    outer.write("shared.csv", TINY_CSV);
    outer.write(
        "secret_mapping.toml",
        "[columns]\nsecret_column_name = \"x\"\n",
    );
    let project_name = w
        .dir
        .path()
        .file_name()
        .unwrap()
        .to_string_lossy()
        .into_owned();
    let outside = || {
        let mut files = snapshot(outer.dir.path());
        files.retain(|name, _| !name.starts_with(&project_name));
        files
    };
    let before = outside();

    // root "/" and root "../.." with an output beside the project.
    for root in ["/", "../.."] {
        let text = tiny_pipeline("evil", "routetrend_evil_out", "")
            .replace("root = \"..\"", &format!("root = \"{root}\""));
        let run = refused(&w, &text, &[]);
        assert!(run.stderr().contains("key 'root'"), "{run}");
        assert!(run.stderr().contains("--allow-outside"), "{run}");
    }
    assert!(!Path::new("/routetrend_evil_out").exists());
    // An input outside: refused before it is read, so nothing of it is echoed.
    let text = tiny_pipeline("evil", "out/evil", "").replace("data/tiny.csv", "/etc/passwd");
    let run = refused(&w, &text, &[]);
    assert!(run.stderr().contains("key 'inputs[0].file'"), "{run}");
    assert!(!run.stderr().contains("root:"), "the file was read: {run}");
    // A mapping outside: refused before it is parsed (its keys never appear).
    let base = outer.dir.path().display().to_string();
    let text = tiny_pipeline("evil", "out/evil", "").replace(
        "file = \"data/tiny.csv\"",
        &format!("file = \"data/tiny.csv\"\nmapping = \"{base}/secret_mapping.toml\""),
    );
    let run = refused(&w, &text, &[]);
    assert!(run.stderr().contains("key 'inputs[0].mapping'"), "{run}");
    assert!(!run.stderr().contains("secret_column_name"), "{run}");
    // A data/reference folder that is a symbolic link out of the project.
    #[cfg(unix)]
    {
        std::fs::create_dir_all(outer.path("reference")).unwrap();
        std::os::unix::fs::symlink(outer.path("reference"), w.path("data/reference")).unwrap();
        let run = refused(&w, &tiny_pipeline("evil", "out/evil", ""), &[]);
        assert!(run.stderr().contains("data/reference"), "{run}");
        std::fs::remove_file(w.path("data/reference")).unwrap();
    }
    assert_eq!(outside(), before, "nothing was written beside the project");

    // --allow-outside lets a pipeline read a shared input beside the project.
    let text = tiny_pipeline("shared", "out/shared", "")
        .replace("data/tiny.csv", &format!("{base}/shared.csv"));
    w.write("pipelines/shared.toml", text);
    w.run(&["run", "pipelines/shared.toml", "--quiet"])
        .expect_code(2);
    w.run(&["run", "pipelines/shared.toml", "--quiet", "--allow-outside"])
        .expect_code(0);
    assert_whole_set(&w, "out/shared");
}

#[test]
fn an_output_folder_that_would_destroy_data_is_refused() {
    let w = tiny_project();
    w.write("docs/notes.txt", "a researcher's notes");
    for (output, says) in [
        (".", "the project folder"),
        ("", "the project folder"),
        ("..", "the project folder or a folder above it"),
        ("data", "holds inputs[0].file"),
        ("pipelines", "holds the pipeline file"),
        ("docs", "routetrend did not make"),
    ] {
        let text = tiny_pipeline("evil", output, "");
        let run = refused(&w, &text, &["--allow-outside"]);
        assert!(run.stderr().contains("key 'output'"), "{output}: {run}");
        assert!(run.stderr().contains(says), "{output}: {run}");
    }
    #[cfg(unix)]
    {
        // An output folder that is a symbolic link, and a `.previous` that is one.
        std::fs::create_dir_all(w.path("elsewhere")).unwrap();
        std::fs::create_dir_all(w.path("out")).unwrap();
        std::os::unix::fs::symlink(w.path("elsewhere"), w.path("out/link")).unwrap();
        let run = refused(&w, &tiny_pipeline("evil", "out/link", ""), &[]);
        assert!(run.stderr().contains("symbolic link"), "{run}");

        w.write("elsewhere/keep.txt", "mine");
        std::os::unix::fs::symlink(w.path("elsewhere"), w.path("out/.tiny.previous")).unwrap();
        let run = w.run(&["run", "pipelines/tiny.toml"]);
        run.expect_code(2);
        assert!(
            run.stderr().contains("symbolic link (not followed)"),
            "{run}"
        );
        assert_eq!(w.read("elsewhere/keep.txt"), "mine");
    }
}

/// Renders Markdown files with python-markdown (tables extension) and returns the HTML.
fn python_markdown(files: &[std::path::PathBuf]) -> String {
    let script = "import sys, markdown\n\
                  for f in sys.argv[1:]:\n    \
                  print(markdown.markdown(open(f, encoding='utf-8').read(), extensions=['tables']))";
    let out = Command::new("python3")
        .arg("-c")
        .arg(script)
        .args(files)
        .output()
        .expect("python3 (tests/requirements.txt: markdown)");
    assert!(
        out.status.success(),
        "python-markdown failed (pip install -r tests/requirements.txt): {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).unwrap()
}

#[test]
fn markdown_and_csv_payloads_in_data_and_labels_stay_inert() {
    const LINK: &str = "[click](javascript:alert(4)) ![t](http://x.invalid/p.png)";
    let w = Workdir::new();
    let rows: String = (2010..2016)
        .map(|year| {
            format!(
                "\"{LINK}\",KAZ,heroin,{year},{},kg,\"{LINK}\"\n",
                100 + year % 7
            )
        })
        .collect();
    w.write(
        "data/tiny.csv",
        format!("indicator,geo,drug,period,value,unit,source\n{rows}"),
    );
    let figure = format!(
        "\n[[figures]]\nslug = \"payload\"\nkind = \"line\"\ntitle = \"Title {LINK}\"\n\
         series = [{{ label = \"KAZ\\r=2+2,\\\"x\", geo = \"KAZ\", drug = \"heroin\", indicator = \"{LINK}\" }}]\n"
    );
    let text = tiny_pipeline(
        "payload",
        "out/payload",
        "description = \"a\\u0007b\\u001b[31m\"",
    )
    .replace(
        "[report]\ntitle = \"Report of payload\"",
        &format!("[report]\ntitle = \"Report {LINK}\"\n{figure}"),
    );
    w.write("pipelines/payload.toml", text);
    let run = w.run(&["run", "pipelines/payload.toml"]);
    run.expect_code(0);

    let mut markdown_files = vec![w.path("out/payload/report.md")];
    for entry in std::fs::read_dir(w.path("out/payload/tables")).unwrap() {
        let path = entry.unwrap().path();
        if path.extension().is_some_and(|e| e == "md") {
            markdown_files.push(path);
        }
    }
    let html = python_markdown(&markdown_files);
    assert!(
        html.contains("javascript:alert(4)"),
        "the payload reaches the outputs as text"
    );
    assert!(!html.contains("<a "), "a live link: {html}");
    // The one image is the report's own chart.
    let images: Vec<&str> = html.split("<img").skip(1).collect();
    assert_eq!(images.len(), 1, "{html}");
    assert!(
        images[0].contains("src=\"figures/payload.png\""),
        "{}",
        images[0]
    );
    for file in &markdown_files {
        let text = std::fs::read_to_string(file).unwrap();
        assert!(
            !text.contains('\u{7}') && !text.contains('\u{1b}'),
            "{}",
            file.display()
        );
    }
    let report_html = w.read("out/payload/report.html");
    assert!(
        !report_html.contains("href=\"javascript"),
        "a live link in report.html"
    );
    assert!(
        !report_html.contains('\u{1b}'),
        "a control character in report.html"
    );

    // The figure CSV: the label's CR, comma and quote stay inside one quoted field, and no
    // field starts a formula.
    let csv_text = w.read("out/payload/figures/payload.csv");
    let mut reader = csv::Reader::from_reader(csv_text.as_bytes());
    let records: Vec<csv::StringRecord> = reader.records().map(|r| r.unwrap()).collect();
    assert_eq!(records.len(), 6, "{csv_text}");
    for r in &records {
        assert_eq!(r.len(), 10, "{r:?}");
        assert_eq!(&r[0], "KAZ\r=2+2,\"x");
        assert!(r.iter().all(|f| !f.starts_with(['=', '+', '@'])), "{r:?}");
    }
}

#[test]
fn a_figure_whose_series_have_no_values_is_drawn_as_no_data_and_the_run_goes_on() {
    // The shipped pipeline on the first 200 rows of its data: the Russian Federation's rows
    // come later, so several figures have series without a value.
    let w = Workdir::new();
    w.copy_from_root("data");
    w.copy_from_root("pipelines");
    let data = w.read("data/raw/seizures.csv");
    let first: String = data.lines().take(201).map(|l| format!("{l}\n")).collect();
    w.write("data/raw/seizures.csv", first);
    let run = w.run(&["run"]);
    run.expect_code(0);
    let last = run.stderr().lines().last().unwrap_or_default().to_string();
    assert!(
        last.contains("published with"),
        "the last line names the warnings: {run}"
    );
    assert!(last.contains("Russian Federation"), "{last}");
    let out = "out/northern_route";
    let manifest: serde_json::Value =
        serde_json::from_str(&w.read(&format!("{out}/manifest.json"))).unwrap();
    let warnings: Vec<&str> = manifest["warnings"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|w| w.as_str())
        .collect();
    assert!(
        warnings
            .iter()
            .any(|w| w.starts_with("figure destination_transit_ratio: no data")),
        "{warnings:?}"
    );
    // Every figure is drawn, and the one without any value says so in its notes.
    let sidecar: serde_json::Value =
        serde_json::from_str(&w.read(&format!("{out}/figures/destination_transit_ratio.json")))
            .unwrap();
    assert!(
        sidecar["notes"]
            .to_string()
            .contains("No data in the window"),
        "{sidecar}"
    );
    let svg = w.read(&format!("{out}/figures/destination_transit_ratio.svg"));
    assert!(svg.contains("No data"), "the plot is marked");
    assert_whole_set(&w, out);
}

/// Runs routetrend under python's `resource` to read the child's peak resident memory:
/// (exit code, peak KiB, stderr).
fn run_measured(w: &Workdir, args: &[&str]) -> (i32, u64, String) {
    let script = "import resource, subprocess, sys\n\
                  p = subprocess.run(sys.argv[1:], capture_output=True)\n\
                  sys.stderr.write(p.stderr.decode('utf-8', 'replace'))\n\
                  print(p.returncode, resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss)";
    let out = Command::new("python3")
        .arg("-c")
        .arg(script)
        .arg(env!("CARGO_BIN_EXE_routetrend"))
        .args(args)
        .current_dir(w.dir.path())
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    let mut fields = stdout.split_whitespace();
    let code = fields.next().and_then(|c| c.parse().ok()).unwrap_or(-1);
    let peak = fields
        .next()
        .and_then(|c| c.parse().ok())
        .unwrap_or(u64::MAX);
    (
        code,
        peak,
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

/// A minimal xlsx workbook: one sheet with `sheet_data` (the `<sheetData>` rows), a used range
/// `dimension`, and shared strings `shared` (each an `<si>` text).
fn xlsx(dimension: &str, sheet_data: &str, shared: &[String]) -> Vec<u8> {
    use std::io::Write;
    const MAIN: &str = "http://schemas.openxmlformats.org/spreadsheetml/2006/main";
    const REL: &str = "http://schemas.openxmlformats.org/officeDocument/2006/relationships";
    let mut zip = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
    let options = zip::write::SimpleFileOptions::default()
        .compression_method(zip::CompressionMethod::Deflated);
    let shared_strings: String = shared
        .iter()
        .map(|s| format!("<si><t>{s}</t></si>"))
        .collect();
    let parts = [
        (
            "[Content_Types].xml",
            "<?xml version=\"1.0\" encoding=\"UTF-8\"?><Types xmlns=\"http://schemas.openxmlformats.org/package/2006/content-types\">\
             <Default Extension=\"rels\" ContentType=\"application/vnd.openxmlformats-package.relationships+xml\"/>\
             <Default Extension=\"xml\" ContentType=\"application/xml\"/>\
             <Override PartName=\"/xl/workbook.xml\" ContentType=\"application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml\"/>\
             <Override PartName=\"/xl/worksheets/sheet1.xml\" ContentType=\"application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml\"/>\
             <Override PartName=\"/xl/sharedStrings.xml\" ContentType=\"application/vnd.openxmlformats-officedocument.spreadsheetml.sharedStrings+xml\"/></Types>".to_string(),
        ),
        (
            "_rels/.rels",
            format!("<?xml version=\"1.0\" encoding=\"UTF-8\"?><Relationships xmlns=\"http://schemas.openxmlformats.org/package/2006/relationships\">\
             <Relationship Id=\"rId1\" Type=\"{REL}/officeDocument\" Target=\"xl/workbook.xml\"/></Relationships>"),
        ),
        (
            "xl/workbook.xml",
            format!("<?xml version=\"1.0\" encoding=\"UTF-8\"?><workbook xmlns=\"{MAIN}\" xmlns:r=\"{REL}\">\
             <sheets><sheet name=\"Sheet1\" sheetId=\"1\" r:id=\"rId1\"/></sheets></workbook>"),
        ),
        (
            "xl/_rels/workbook.xml.rels",
            format!("<?xml version=\"1.0\" encoding=\"UTF-8\"?><Relationships xmlns=\"http://schemas.openxmlformats.org/package/2006/relationships\">\
             <Relationship Id=\"rId1\" Type=\"{REL}/worksheet\" Target=\"worksheets/sheet1.xml\"/>\
             <Relationship Id=\"rId2\" Type=\"{REL}/sharedStrings\" Target=\"sharedStrings.xml\"/></Relationships>"),
        ),
        (
            "xl/sharedStrings.xml",
            format!("<?xml version=\"1.0\" encoding=\"UTF-8\"?><sst xmlns=\"{MAIN}\" count=\"{n}\" uniqueCount=\"{n}\">{shared_strings}</sst>", n = shared.len()),
        ),
        (
            "xl/worksheets/sheet1.xml",
            format!("<?xml version=\"1.0\" encoding=\"UTF-8\"?><worksheet xmlns=\"{MAIN}\"><dimension ref=\"{dimension}\"/>\
             <sheetData>{sheet_data}</sheetData></worksheet>"),
        ),
    ];
    for (name, text) in parts {
        zip.start_file(name, options).unwrap();
        zip.write_all(text.as_bytes()).unwrap();
    }
    zip.finish().unwrap().into_inner()
}

/// An inline-string cell.
fn text_cell(at: &str, text: &str) -> String {
    format!("<c r=\"{at}\" t=\"inlineStr\"><is><t>{text}</t></is></c>")
}

/// The canonical header and one data row, as sheet rows 1 and 2.
fn canonical_rows() -> String {
    let header = ["indicator", "geo", "period", "value", "unit"];
    let data = ["seizures", "KAZ", "2016", "5", "kg"];
    let cols = ["A", "B", "C", "D", "E"];
    let row = |r: usize, values: [&str; 5]| {
        let cells: String = cols
            .iter()
            .zip(values)
            .map(|(c, v)| text_cell(&format!("{c}{r}"), v))
            .collect();
        format!("<row r=\"{r}\">{cells}</row>")
    };
    row(1, header) + &row(2, data)
}

/// Peak memory allowed to a refused or tiny input: far below what the bombs asked for
/// (549 GB, 2.4 GB), with room for the binary and polars.
const BOUNDED_KB: u64 = 400 * 1024;

#[test]
fn xlsx_bombs_are_read_cell_by_cell_or_refused_in_bounded_memory() {
    let w = Workdir::new();
    // Cells A1.. and XFD1048576: the used range would be 17 billion cells dense.
    let far = format!(
        "{}<row r=\"1048576\">{}</row>",
        canonical_rows(),
        text_cell("XFD1048576", "far away")
    );
    w.write("far.xlsx", xlsx("A1:XFD1048576", &far, &[]));
    let (code, peak, stderr) = run_measured(&w, &["ingest", "far.xlsx", "--out", "far", "--json"]);
    assert_eq!(code, 0, "{stderr}");
    assert!(peak < BOUNDED_KB, "peak {peak} KiB");
    let observations =
        routetrend::files::read_parquet(&w.path("far/observations.parquet"), "missing").unwrap();
    assert_eq!(observations.height(), 1, "the real row is read");

    // One 10 MB shared string referenced by 400 cells: 4 GB of cell text.
    let big = "x".repeat(10 * 1024 * 1024);
    let refs: String = (1..=400)
        .map(|r| format!("<row r=\"{r}\"><c r=\"A{r}\" t=\"s\"><v>0</v></c></row>"))
        .collect();
    w.write("strings.xlsx", xlsx("A1:A400", &refs, &[big]));
    let (code, peak, stderr) = run_measured(&w, &["ingest", "strings.xlsx", "--out", "s"]);
    assert_eq!(code, 2, "{stderr}");
    assert!(stderr.contains("MiB of text"), "{stderr}");
    assert!(peak < BOUNDED_KB, "peak {peak} KiB");

    // 700 rows, each with a cell in the last column: 11.5 million cells once rows are made.
    let wide: String = (1..=700)
        .map(|r| {
            format!(
                "<row r=\"{r}\">{}</row>",
                text_cell(&format!("XFD{r}"), "1")
            )
        })
        .collect();
    w.write("wide.xlsx", xlsx("A1:XFD700", &wide, &[]));
    let (code, peak, stderr) = run_measured(&w, &["ingest", "wide.xlsx", "--out", "wd"]);
    assert_eq!(code, 2, "{stderr}");
    assert!(stderr.contains("cells"), "{stderr}");
    assert!(peak < BOUNDED_KB, "peak {peak} KiB");
    assert!(staging_folders(&w, "wd").is_empty());
}

#[test]
fn fifos_huge_and_sparse_files_are_refused_before_they_are_read() {
    let w = tiny_project();
    // A FIFO as an input: refused at once, by `ingest` and by a pipeline (whose up-to-date
    // check would otherwise wait on it for a writer).
    let made = Command::new("mkfifo")
        .arg(w.path("data/fifo.csv"))
        .status()
        .unwrap();
    assert!(made.success());
    for args in [
        vec!["ingest", "data/fifo.csv", "--out", "f"],
        vec!["run", "pipelines/fifo.toml"],
    ] {
        w.write(
            "pipelines/fifo.toml",
            tiny_pipeline("fifo", "out/fifo", "").replace("data/tiny.csv", "data/fifo.csv"),
        );
        let mut child = routetrend(&w, &args).spawn().unwrap();
        let started = Instant::now();
        let status = loop {
            if let Some(status) = child.try_wait().unwrap() {
                break status;
            }
            if started.elapsed() > Duration::from_secs(60) {
                child.kill().unwrap();
                panic!("{args:?} hangs on a FIFO");
            }
            std::thread::sleep(Duration::from_millis(50));
        };
        let mut stderr = String::new();
        std::io::Read::read_to_string(&mut child.stderr.take().unwrap(), &mut stderr).unwrap();
        assert_eq!(status.code(), Some(2), "{args:?}: {stderr}");
        assert!(stderr.contains("not a regular file"), "{args:?}: {stderr}");
    }
    // A 2 GiB sparse file of NUL bytes: refused by its size, without reading it.
    let big = std::fs::File::create(w.path("big.csv")).unwrap();
    big.set_len(2 << 30).unwrap();
    let (code, peak, stderr) = run_measured(&w, &["ingest", "big.csv", "--out", "b"]);
    assert_eq!(code, 2, "{stderr}");
    assert!(stderr.contains("at most 1024 MiB"), "{stderr}");
    assert!(peak < BOUNDED_KB, "peak {peak} KiB");
}

#[test]
fn silent_choices_are_refused_or_counted() {
    let w = Workdir::new();
    // Two columns that are both `value`.
    w.write(
        "dup.csv",
        "indicator,geo,period,value,unit, Value \nseizures,KAZ,2016,5,kg,6\n",
    );
    let run = w.run(&["ingest", "dup.csv", "--out", "d"]);
    run.expect_code(2);
    assert!(
        run.stderr().contains("columns 4 and 6 are both 'value'"),
        "{run}"
    );

    // A wide table's columns written as periods that are none: each cell a counted reject.
    w.write(
        "wide.csv",
        "geo,indicator,unit,2015,2016Q5,20016,1899,notes\n\
         KAZ,seizures,kg,1,2,3,,x\n\
         TJK,seizures,kg,4,,5,6,y\n",
    );
    let run = w.run(&["ingest", "wide.csv", "--out", "wd", "--json"]);
    run.expect_code(0);
    let file = &run.json()["files"][0];
    assert_eq!(
        (
            file["records"].as_u64(),
            file["kept"].as_u64(),
            file["rejected"].as_u64()
        ),
        (Some(6), Some(2), Some(4)),
        "{file}"
    );
    let rejects = crate::common::rejects(&w.read("wd/rejects.csv"));
    let columns: Vec<(&str, &str)> = rejects
        .iter()
        .map(|(_, column, value, _)| (column.as_str(), value.as_str()))
        .collect();
    assert_eq!(
        columns,
        [
            ("2016Q5", "2"),
            ("20016", "3"),
            ("20016", "5"),
            ("1899", "6")
        ]
    );
    assert!(
        rejects[0].3.contains("quarter must be Q1 to Q4"),
        "{rejects:?}"
    );
    assert!(
        file["warnings"]
            .to_string()
            .contains("columns ignored: notes"),
        "{file}"
    );

    // Labels: zero-width and bidi characters refused; full-width folded by NFKC into the
    // same series; exact duplicates keep each source; -0, subnormals and underflow by one
    // rule.
    w.write(
        "labels.csv",
        "indicator,geo,period,value,unit,source\n\
         seizures\u{200B},KAZ,2010,1,kg,a\n\
         seiz\u{202E}ures,KAZ,2011,1,kg,a\n\
         ｓｅｉｚｕｒｅｓ,KAZ,2012,2,kg,a\n\
         seizures,KAZ,2013,3,kg,report A\n\
         seizures,KAZ,2013,3,kg,report B\n\
         seizures,KAZ,2014,-0,kg,a\n\
         seizures,KAZ,2015,-1e-320,kg,a\n\
         seizures,KAZ,2016,1e-400,kg,a\n",
    );
    let run = w.run(&["ingest", "labels.csv", "--out", "l", "--json"]);
    run.expect_code(0);
    let rejects = crate::common::rejects(&w.read("l/rejects.csv"));
    let rows: Vec<(u32, &str)> = rejects
        .iter()
        .map(|(row, c, ..)| (*row, c.as_str()))
        .collect();
    assert_eq!(
        rows,
        [
            (2, "indicator"),
            (3, "indicator"),
            (8, "value"),
            (9, "value")
        ],
        "{rejects:?}"
    );
    assert!(rejects[0].3.contains("U+200B"), "{rejects:?}");
    assert!(rejects[1].3.contains("U+202E"), "{rejects:?}");
    assert!(rejects[2].3.contains("too small"), "{rejects:?}");
    let df = routetrend::files::read_parquet(&w.path("l/observations.parquet"), "missing").unwrap();
    let indicators: std::collections::BTreeSet<String> = df
        .column("indicator")
        .unwrap()
        .str()
        .unwrap()
        .iter()
        .flatten()
        .map(str::to_string)
        .collect();
    assert_eq!(indicators.len(), 1, "{indicators:?}");
    let sources: Vec<&str> = df
        .column("source")
        .unwrap()
        .str()
        .unwrap()
        .iter()
        .flatten()
        .collect();
    assert!(
        sources
            .iter()
            .any(|s| s.contains("report A") && s.contains("report B")),
        "{sources:?}"
    );
    let values: Vec<f64> = df
        .column("value")
        .unwrap()
        .f64()
        .unwrap()
        .into_no_null_iter()
        .collect();
    assert!(
        values
            .iter()
            .all(|v| *v > 0.0 || (*v == 0.0 && v.is_sign_positive())),
        "{values:?}"
    );
}
