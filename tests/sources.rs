//! A researcher's own question: `init` on the two real public files, two overlapping
//! sources merged by `periods` and `[merge] prefer` with nothing lost, a corrected row
//! appended with `conflict = "last"`, an observation table as an input, a pipeline's own
//! region and route, and `diff` between an ingest output and a run output.

use std::collections::{BTreeMap, BTreeSet};
use std::fs::File;
use std::path::Path;

use crate::common::{assert_accounted, public_file, Workdir};
use polars::prelude::*;

const ARQ: &str = "arq_seizures_1970_2020.csv";
const UNODC: &str = "unodc_drug_seizures_2018_2022.xlsx";

/// indicator, geo, drug, dimension, category, period, unit.
type Key = [String; 7];

/// An observation's value and lineage (source, source_file).
#[derive(Clone, Debug, PartialEq)]
struct Kept {
    value: f64,
    source: String,
    source_file: String,
}

/// Every observation of an observation table, by key.
fn observations(path: &Path) -> BTreeMap<Key, Kept> {
    let df = ParquetReader::new(File::open(path).unwrap())
        .finish()
        .unwrap();
    let text = |name: &str| -> Vec<String> {
        let column = df.column(name).unwrap().cast(&DataType::String).unwrap();
        column
            .str()
            .unwrap()
            .iter()
            .map(|v| v.unwrap_or("").to_string())
            .collect()
    };
    let key_columns: Vec<Vec<String>> = [
        "indicator",
        "geo",
        "drug",
        "dimension",
        "category",
        "period",
        "unit",
    ]
    .iter()
    .map(|c| text(c))
    .collect();
    let (source, source_file) = (text("source"), text("source_file"));
    let values: Vec<f64> = df
        .column("value")
        .unwrap()
        .f64()
        .unwrap()
        .iter()
        .map(|v| v.unwrap())
        .collect();
    let mut out = BTreeMap::new();
    for i in 0..df.height() {
        let key: Key = std::array::from_fn(|c| key_columns[c][i].clone());
        let kept = Kept {
            value: values[i],
            source: source[i].clone(),
            source_file: source_file[i].clone(),
        };
        assert!(out.insert(key.clone(), kept).is_none(), "{key:?} twice");
    }
    out
}

fn year(key: &Key) -> i32 {
    key[5][..4].parse().unwrap()
}

/// The key as superseded.csv writes it: "seizures KAZ heroin 2018 kg" (series, period).
fn key_text(key: &Key) -> String {
    let [indicator, geo, drug, dimension, category, period, unit] = key;
    [indicator, geo, drug, dimension, category, period, unit]
        .iter()
        .filter(|s| !s.is_empty())
        .map(|s| s.as_str())
        .collect::<Vec<_>>()
        .join(" ")
}

fn csv_rows(text: &str) -> Vec<BTreeMap<String, String>> {
    let mut reader = csv::Reader::from_reader(text.as_bytes());
    let headers = reader.headers().unwrap().clone();
    reader
        .records()
        .map(|r| {
            let r = r.unwrap();
            headers
                .iter()
                .zip(r.iter())
                .map(|(h, v)| (h.to_string(), v.to_string()))
                .collect()
        })
        .collect()
}

/// A run's inputs by file, each accounting for its rows (read = kept + rejected +
/// duplicates + missing + superseded + outside periods).
fn accounted_inputs(w: &Workdir, out: &str) -> BTreeMap<String, serde_json::Value> {
    let manifest: serde_json::Value =
        serde_json::from_str(&w.read(&format!("{out}/manifest.json"))).unwrap();
    assert_accounted(&manifest["inputs"]);
    manifest["inputs"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| (f["file"].as_str().unwrap().to_string(), f.clone()))
        .collect()
}

/// A project with the two public files in data/raw and the ARQ mapping.
fn two_sources() -> Workdir {
    let w = Workdir::new();
    w.copy_from_root("data/mappings");
    std::fs::create_dir_all(w.path("data/raw")).unwrap();
    for name in [ARQ, UNODC] {
        std::fs::copy(public_file(name), w.path(&format!("data/raw/{name}"))).unwrap();
    }
    w
}

/// `routetrend ingest` of one public file alone (the ARQ file through its mapping), into
/// single/arq/ or single/unodc/.
fn ingest_alone(w: &Workdir, name: &str) {
    let file = format!("data/raw/{name}");
    let mut args = vec!["ingest", file.as_str(), "--out"];
    if name == ARQ {
        args.extend(["single/arq", "--mapping", "data/mappings/arq_seizures.toml"]);
    } else {
        args.push("single/unodc");
    }
    w.run(&args).expect_code(0);
}

const MERGED: &str = r#"name = "merged"
root = ".."
output = "out/merged"

[[inputs]]
id = "arq"
file = "data/raw/arq_seizures_1970_2020.csv"
mapping = "data/mappings/arq_seizures.toml"
periods = "-2019"

[[inputs]]
id = "unodc"
file = "data/raw/unodc_drug_seizures_2018_2022.xlsx"
periods = "2018-"
"#;

const PREFER: &str = "\n[merge]\nprefer = [\"unodc\", \"arq\"]\n";

#[test]
fn init_on_the_two_public_files_writes_a_project_that_runs() {
    let w = Workdir::new();
    let init = w.run(&[
        "init".as_ref(),
        "project".as_ref(),
        "--input".as_ref(),
        public_file(ARQ).as_os_str(),
        public_file(UNODC).as_os_str(),
    ]);
    init.expect_code(0);
    assert!(
        init.stdout()
            .contains("next: cd project && routetrend run pipelines/project.toml"),
        "{init}"
    );
    let pipeline = w.read("project/pipelines/project.toml");
    for needle in [
        "output = \"out/project\"",
        "mapping = \"data/mappings/arq_seizures.toml\"",
        "[merge]\nprefer = [\"unodc_drug_seizures_2018_2022\", \"arq_seizures_1970_2020\"]",
        "windows = [\"all\", \"2013-2022\"]",
        "kind = \"stacked_area\"",
        "[[shares]]",
    ] {
        assert!(pipeline.contains(needle), "{needle}:\n{pipeline}");
    }
    assert!(w
        .read("project/README.md")
        .contains("pipelines/project.toml"));
    let run = w.run(&["run", "project/pipelines/project.toml"]);
    run.expect_code(0);
    // The run replaced values: its last line says how many and where to look.
    let last = run.stderr().lines().last().unwrap().to_string();
    assert!(
        last.contains("3258 input row(s) superseded") && last.contains("data/superseded.csv"),
        "{run}"
    );
    let inputs = accounted_inputs(&w, "project/out/project");
    let superseded = csv_rows(&w.read("project/out/project/data/superseded.csv"));
    let counted: u64 = inputs
        .values()
        .map(|f| f["superseded"].as_u64().unwrap())
        .sum();
    assert_eq!(superseded.len() as u64, counted);
    for file in [
        "report.html",
        "report.docx",
        "tables.xlsx",
        "figures/largest_series.png",
        "figures/composition.png",
    ] {
        assert!(w.path("project/out/project").join(file).is_file(), "{file}");
    }
}

#[test]
fn two_sources_with_periods_and_prefer_lose_no_key() {
    let w = two_sources();
    // Each file alone, through `ingest`: what the merged run must account for.
    ingest_alone(&w, ARQ);
    ingest_alone(&w, UNODC);
    let arq = observations(&w.path("single/arq/observations.parquet"));
    let unodc = observations(&w.path("single/unodc/observations.parquet"));

    // Without a prefer rule the overlap is a conflict: exit 2, both inputs named, nothing
    // written.
    w.write("pipelines/merged.toml", MERGED);
    let run = w.run(&["run", "pipelines/merged.toml", "--stage", "ingest"]);
    run.expect_code(2);
    let err = run.stderr();
    for needle in [
        "inputs 'arq' (data/raw/arq_seizures_1970_2020.csv) and 'unodc' (data/raw/unodc_drug_seizures_2018_2022.xlsx):",
        "[merge] prefer = [\"arq\", \"unodc\"]",
    ] {
        assert!(err.contains(needle), "{needle}: {run}");
    }
    assert!(!w.path("out/merged").exists());

    w.write("pipelines/merged.toml", format!("{MERGED}{PREFER}"));
    let run = w.run(&["run", "pipelines/merged.toml", "--stage", "ingest"]);
    run.expect_code(0);
    let merged = observations(&w.path("out/merged/data/observations.parquet"));
    let arq_scope: BTreeMap<&Key, &Kept> = arq.iter().filter(|(k, _)| year(k) <= 2019).collect();
    let unodc_scope: BTreeMap<&Key, &Kept> =
        unodc.iter().filter(|(k, _)| year(k) >= 2018).collect();
    assert_eq!(unodc_scope.len(), unodc.len());
    // Every key of either input within its periods, and no other.
    let expected: BTreeSet<&Key> = arq_scope
        .keys()
        .chain(unodc_scope.keys())
        .copied()
        .collect();
    let got: BTreeSet<&Key> = merged.keys().collect();
    assert_eq!(got, expected);
    // The preferred input's value wherever it has one.
    let mut replaced = BTreeSet::new();
    for (key, kept) in &merged {
        match (unodc_scope.get(key), arq_scope.get(key)) {
            (Some(u), a) => {
                assert_eq!(kept.value, u.value, "{key:?}");
                assert_eq!(kept.source_file, u.source_file);
                if let Some(a) = a.filter(|a| a.value != u.value) {
                    replaced.insert(key_text(key));
                    assert!(
                        kept.source.contains(&format!(": {}", a.value)),
                        "the lineage names the replaced row: {kept:?}"
                    );
                }
            }
            (None, Some(a)) => assert_eq!(kept.value, a.value, "{key:?}"),
            (None, None) => unreachable!(),
        }
    }
    // The replaced ARQ rows are listed, each with the kept value, and counted.
    let superseded = csv_rows(&w.read("out/merged/data/superseded.csv"));
    assert!(!superseded.is_empty());
    let listed: BTreeSet<String> = superseded.iter().map(|r| r["key"].clone()).collect();
    assert_eq!(listed, replaced);
    assert!(superseded
        .iter()
        .all(|r| r["file"] == format!("data/raw/{ARQ}")));
    let kazakhstan = superseded
        .iter()
        .find(|r| r["key"] == "seizures KAZ heroin 2018 kg")
        .unwrap();
    // Kazakhstan heroin 2018: 58.61 kg in the ARQ file (58.6144626), 59 in the UNODC
    // export: 0.66% apart, beyond the tolerance, but the one is the other rounded.
    assert!(kazakhstan["value"].starts_with("58.61"), "{kazakhstan:?}");
    assert_eq!(kazakhstan["kept_value"], "59");
    assert!(
        kazakhstan["why"].contains("rounded to fewer decimals"),
        "{kazakhstan:?}"
    );
    // Per input: read = kept + rejected + duplicates + missing + superseded + outside.
    let inputs = accounted_inputs(&w, "out/merged");
    let arq_input = &inputs[&format!("data/raw/{ARQ}")];
    assert_eq!(
        arq_input["superseded"].as_u64().unwrap() as usize,
        superseded.len()
    );
    assert!(
        arq_input["outside_periods"].as_u64().unwrap() > 0,
        "ARQ 2020 rows"
    );
    assert_eq!(inputs[&format!("data/raw/{UNODC}")]["outside_periods"], 0);
    let last = run.stderr().lines().last().unwrap().to_string();
    assert!(
        last.contains(&format!("{} input row(s) superseded", superseded.len())),
        "{run}"
    );

    // `diff` between an ingest output and a run output: the run adds the ARQ years and
    // revises nothing, since UNODC's values were preferred.
    let diff = w.run(&["diff", "single/unodc", "out/merged", "--json"]);
    diff.expect_code(0);
    let diff = diff.json();
    let new = diff["new_observations"].as_array().unwrap();
    assert_eq!(new.len(), merged.len() - unodc.len(), "{diff}");
    assert!(diff["revised_observations"].as_array().unwrap().is_empty());
    assert!(diff["removed_observations"].as_array().unwrap().is_empty());
}

#[test]
fn an_observation_table_is_an_input_with_its_lineage() {
    let w = two_sources();
    ingest_alone(&w, UNODC);
    w.write(
        "pipelines/again.toml",
        "name = \"again\"\nroot = \"..\"\noutput = \"out/again\"\n\n\
         [[inputs]]\nfile = \"single/unodc/observations.parquet\"\nperiods = \"2020-\"\n",
    );
    w.run(&["run", "pipelines/again.toml", "--stage", "ingest"])
        .expect_code(0);
    let first = observations(&w.path("single/unodc/observations.parquet"));
    let again = observations(&w.path("out/again/data/observations.parquet"));
    let later: BTreeMap<Key, Kept> = first.into_iter().filter(|(k, _)| year(k) >= 2020).collect();
    assert!(!later.is_empty());
    // The same observations, each still naming the export's file and rows.
    assert_eq!(again, later);
    assert!(again
        .values()
        .all(|o| o.source_file == format!("data/raw/{UNODC}")));
    let input = &accounted_inputs(&w, "out/again")["single/unodc/observations.parquet"];
    assert_eq!(input["format"], "observations");
    assert!(input["outside_periods"].as_u64().unwrap() > 0);
}

#[test]
fn a_corrected_row_appended_wins_with_conflict_last() {
    let w = Workdir::new();
    w.copy_from_root("data");
    w.copy_from_root("pipelines");
    let seizures = w.read("data/raw/seizures.csv");
    w.write(
        "data/raw/seizures.csv",
        format!("{seizures}seizures,RUS,heroin,,,2022,999,kg,\"correction, MVD statement\"\n"),
    );
    let rus_2022 = |w: &Workdir| {
        let key = ["seizures", "RUS", "heroin", "", "", "2022", "kg"].map(String::from);
        observations(&w.path("out/northern_route/data/observations.parquet"))
            .get(&key)
            .cloned()
    };
    // Today's rule: the file contradicts itself, both rows rejected, and the last line
    // says so.
    let run = w.run(&["run", "--stage", "ingest"]);
    run.expect_code(0);
    assert_eq!(rus_2022(&w), None);
    let last = run.stderr().lines().last().unwrap().to_string();
    assert!(
        last.contains("2 input row(s) rejected") && last.contains("data/rejects.csv"),
        "{run}"
    );
    let strict = w.run(&["run", "--stage", "ingest", "--force", "--strict"]);
    strict.expect_code(2);
    assert!(
        strict.stderr().contains("--strict: 2 rejected record(s)"),
        "{strict}"
    );

    let pipeline = w.read("pipelines/northern_route.toml");
    w.write(
        "pipelines/northern_route.toml",
        pipeline.replacen(
            "file = \"data/raw/seizures.csv\"\n",
            "file = \"data/raw/seizures.csv\"\nconflict = \"last\"\n",
            1,
        ),
    );
    let run = w.run(&["run", "--stage", "ingest"]);
    run.expect_code(0);
    let kept = rus_2022(&w).unwrap();
    assert_eq!(kept.value, 999.0);
    let superseded = csv_rows(&w.read("out/northern_route/data/superseded.csv"));
    assert_eq!(superseded.len(), 1, "{superseded:?}");
    let old = &superseded[0];
    assert_eq!(old["key"], "seizures RUS heroin 2022 kg");
    assert_eq!(old["kept_value"], "999");
    assert!(
        kept.source.contains(&format!(
            "over data/raw/seizures.csv row {}: {}",
            old["row"], old["value"]
        )),
        "{kept:?}"
    );
    accounted_inputs(&w, "out/northern_route");
}

#[test]
fn a_pipelines_own_region_and_route_leave_other_pipelines_up_to_date() {
    let w = Workdir::new();
    w.copy_from_root("data");
    w.copy_from_root("pipelines");
    for stage in ["ingest", "analyze"] {
        w.run(&["run", "--stage", stage]).expect_code(0);
    }
    let shipped = std::fs::read_to_string(w.path("pipelines/northern_route.toml")).unwrap();
    let own = |members: &str| {
        format!(
            "{}\n[[regions]]\ncode = \"CAS\"\nname = \"Caspian states\"\nmembers = [{members}]\n\n\
             [[aggregates]]\ngeo = \"CAS\"\ndrugs = [\"heroin\"]\nindicator = \"seizures\"\n\n\
             [[routes]]\nid = \"caspian\"\nname = \"Caspian route\"\norigin = [\"AFG\"]\n\
             transit = [\"TKM\", \"KAZ\"]\ndestination = [\"RUS\"]\ndrugs = [\"heroin\"]\n",
            shipped.replace("output = \"out/northern_route\"", "output = \"out/own\"")
        )
    };
    w.write("pipelines/own.toml", own("\"KAZ\", \"TKM\", \"RUS\""));
    for stage in ["ingest", "analyze"] {
        w.run(&["run", "pipelines/own.toml", "--stage", stage])
            .expect_code(0);
    }
    let aggregates = csv_rows(&w.read("out/own/tables/aggregates.csv"));
    assert!(
        aggregates.iter().any(|r| r["geo"] == "CAS"),
        "CAS aggregates"
    );
    let route = csv_rows(&w.read("out/own/tables/route.csv"));
    assert!(route.iter().any(|r| r["route"] == "caspian"), "{route:?}");
    // Editing this pipeline's definitions changes nothing for the shipped pipeline.
    w.write("pipelines/own.toml", own("\"KAZ\", \"TKM\""));
    let status = w.run(&["status", "pipelines/northern_route.toml"]);
    status.expect_code(0);
    for stage in ["ingest", "analyze"] {
        assert!(
            status.stdout().contains(&format!("{stage}: up to date\n")),
            "{status}"
        );
    }
    let status = w.run(&["status", "pipelines/own.toml"]);
    assert!(
        status.stdout().contains("ingest: out of date") && status.stdout().contains("regions"),
        "{status}"
    );
}

#[test]
fn ingest_merges_its_files_by_the_prefer_and_tolerance_flags() {
    let w = two_sources();
    ingest_alone(&w, ARQ);
    // The ARQ observations (an observation table) and the UNODC export, ids their stems.
    let unodc = format!("data/raw/{UNODC}");
    let ingest = |flags: &[&str]| {
        let mut args = vec![
            "ingest",
            "single/arq/observations.parquet",
            &unodc,
            "--out",
            "both",
        ];
        args.extend(flags);
        w.run(&args)
    };
    let run = ingest(&[]);
    run.expect_code(2);
    for needle in [
        "'observations' (single/arq/observations.parquet)",
        "'unodc_drug_seizures_2018_2022' (data/raw/unodc_drug_seizures_2018_2022.xlsx)",
        "routetrend ingest --prefer",
    ] {
        assert!(run.stderr().contains(needle), "{needle}: {run}");
    }
    let run = ingest(&["--prefer", "unodc"]);
    run.expect_code(2);
    assert!(
        run.stderr().contains("--prefer 'unodc' is not the id of an input; the inputs are observations, unodc_drug_seizures_2018_2022"),
        "{run}"
    );
    let run = ingest(&[
        "--prefer",
        "unodc_drug_seizures_2018_2022",
        "--tolerance",
        "1.5",
    ]);
    run.expect_code(2);
    assert!(
        run.stderr()
            .contains("--tolerance 1.5: expected a relative difference"),
        "{run}"
    );
    let run = ingest(&[
        "--prefer",
        "unodc_drug_seizures_2018_2022,observations",
        "--json",
    ]);
    run.expect_code(0);
    let summary = run.json();
    assert_accounted(&summary["files"]);
    let superseded = csv_rows(&w.read("both/superseded.csv"));
    assert_eq!(
        summary["files"][0]["superseded"].as_u64().unwrap() as usize,
        superseded.len()
    );
    assert!(superseded
        .iter()
        .all(|r| r["file"] == "single/arq/observations.parquet"));
    assert!(superseded
        .iter()
        .any(|r| r["key"] == "seizures KAZ heroin 2018 kg"));
}

#[test]
fn a_copied_pipeline_that_keeps_the_originals_output_says_so() {
    let w = Workdir::new();
    w.copy_from_root("data");
    w.copy_from_root("pipelines");
    w.run(&["run", "--stage", "ingest"]).expect_code(0);
    let shipped = w.read("pipelines/northern_route.toml");
    w.write(
        "pipelines/mine.toml",
        shipped.replace("alpha = 0.05", "alpha = 0.1"),
    );
    // --out is checked like `output`, and its errors name the flag.
    let run = w.run(&["run", "--out", "data", "--stage", "ingest"]);
    run.expect_code(2);
    assert!(run.stderr().contains("--out data: "), "{run}");
    // The same pipeline named another way replaces nothing of another's.
    let run = w.run(&[
        "run",
        "./pipelines/northern_route.toml",
        "--stage",
        "ingest",
        "--force",
    ]);
    run.expect_code(0);
    assert!(!run.stderr().contains("was written by"), "{run}");
    let run = w.run(&["run", "pipelines/mine.toml", "--stage", "ingest", "--force"]);
    run.expect_code(0);
    let last = run.stderr().lines().last().unwrap().to_string();
    assert!(
        last.contains("out/northern_route was written by pipelines/northern_route.toml (pipeline 'northern_route'); this run of pipelines/mine.toml replaced it: give each pipeline its own `output`"),
        "{run}"
    );
}

#[test]
fn what_cannot_be_merged_is_refused_naming_the_input() {
    let w = Workdir::new();
    std::fs::copy(
        crate::common::fixture("records_small.csv"),
        w.path("records.csv"),
    )
    .unwrap();
    w.write(
        "kaz.csv",
        "indicator,geo,drug,period,value,unit,source\nseizures,KAZ,heroin,2016,4.5,kg,statement\n",
    );
    // Seizure records are summed on their own: a key another input gives is a conflict.
    let run = w.run(&["ingest", "records.csv", "kaz.csv", "--out", "out"]);
    run.expect_code(2);
    assert!(
        run.stderr().contains("records.csv: 1 key(s) of these seizure records are also given by another input (first: seizures KAZ heroin 2016 kg)"),
        "{run}"
    );
    let run = w.run(&[
        "ingest",
        "records.csv",
        "--prefer",
        "records",
        "--out",
        "out",
    ]);
    run.expect_code(2);
    assert!(
        run.stderr()
            .contains("records.csv: [merge] prefer cannot be given for seizure records"),
        "{run}"
    );
    assert!(!w.path("out").exists());
    // conflict = "last" keeps one row of a key; the UNODC export sums its line items.
    std::fs::create_dir_all(w.path("data/raw")).unwrap();
    std::fs::copy(
        crate::common::fixture("unodc_line_items.csv"),
        w.path("data/raw/unodc.csv"),
    )
    .unwrap();
    w.write(
        "pipelines/last.toml",
        "name = \"last\"\nroot = \"..\"\noutput = \"out/last\"\n\n\
         [[inputs]]\nfile = \"data/raw/unodc.csv\"\nconflict = \"last\"\n",
    );
    let run = w.run(&["run", "pipelines/last.toml", "--stage", "ingest"]);
    run.expect_code(2);
    assert!(
        run.stderr().contains("data/raw/unodc.csv: conflict = \"last\" keeps one row of a key, but this file's format (unodc_export) sums the line items of a key: give the input line_items = \"reject\" as well"),
        "{run}"
    );
    let fixed = w.read("pipelines/last.toml") + "line_items = \"reject\"\n";
    w.write("pipelines/last.toml", fixed);
    w.run(&["run", "pipelines/last.toml", "--stage", "ingest"])
        .expect_code(0);
}

#[test]
fn init_names_inputs_by_their_files_and_leaves_nothing_when_it_fails() {
    let w = Workdir::new();
    std::fs::copy(
        crate::common::fixture("canonical_basic.csv"),
        w.path("Drug seizures (2022).csv"),
    )
    .unwrap();
    w.run(&["init", "my.project", "--input", "Drug seizures (2022).csv"])
        .expect_code(0);
    let pipeline = w.read("my.project/pipelines/my.project.toml");
    assert!(
        pipeline.contains("id = \"Drug_seizures__2022_\""),
        "{pipeline}"
    );
    w.run(&[
        "run",
        "my.project/pipelines/my.project.toml",
        "--stage",
        "ingest",
    ])
    .expect_code(0);
    // A file with no observation: an error, and no half-made project to stop a retry.
    w.write(
        "atlantis.csv",
        "indicator,geo,period,value,unit\nseizures,Atlantis,2016,1,kg\n",
    );
    for _ in 0..2 {
        let run = w.run(&["init", "empty", "--input", "atlantis.csv"]);
        run.expect_code(2);
        assert!(
            run.stderr()
                .contains("no observations in atlantis.csv: 1 rows rejected"),
            "{run}"
        );
        assert!(!w.path("empty/data").exists() && !w.path("empty/pipelines").exists());
    }
}
