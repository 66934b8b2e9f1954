//! The short fuzz run of CI: every committed seed of fuzz/corpus/ and a bounded number of
//! random and mutated inputs go through the same entry points as the cargo-fuzz targets
//! (fuzz/fuzz_targets/): no panic, and every ingested file keeps its row accounting. Long
//! runs use cargo-fuzz (fuzz/README.md).

use std::path::Path;
use std::sync::OnceLock;

use proptest::prelude::*;
use proptest::test_runner::FileFailurePersistence;
use routetrend::ingest::mapping::Mapping;
use routetrend::ingest::merge::Merge;
use routetrend::ingest::{ingest_bytes, IngestOptions, InputFile};
use routetrend::model::unit::{parse_number, parse_unit, Decimal};
use routetrend::model::{Period, Reference};
use routetrend::pipeline::config::Pipeline;
use routetrend::pipeline::project::Confinement;

fn reference() -> &'static Reference {
    static REFERENCE: OnceLock<Reference> = OnceLock::new();
    REFERENCE.get_or_init(|| Reference::load(None).unwrap())
}

fn arq_mapping() -> Mapping {
    let text = std::fs::read_to_string(
        Path::new(env!("CARGO_MANIFEST_DIR")).join("data/mappings/arq_seizures.toml"),
    )
    .unwrap();
    Mapping::parse(&text, "arq_seizures.toml").unwrap()
}

/// The checks of the ingest fuzz targets.
fn ingest(name: &str, options: IngestOptions, data: &[u8]) {
    let input = InputFile {
        id: "input".into(),
        name: name.into(),
        path: name.into(),
        options,
    };
    if let Ok(ingested) = ingest_bytes(&[(&input, data)], reference(), &Merge::default()) {
        for f in &ingested.files {
            assert_eq!(f.records, f.accounted(), "{name}: row accounting");
        }
    }
}

fn fields(text: &str) {
    if let Ok(p) = Period::parse(text) {
        assert_eq!(Period::parse(&p.to_string()), Ok(p));
    }
    let _ = parse_unit(text);
    for decimal in [Decimal::Point, Decimal::Comma] {
        if let Ok(Some(v)) = parse_number(text, decimal) {
            assert!(v.is_finite());
        }
    }
}

fn mapping_toml(text: &str) {
    if let Ok(mapping) = Mapping::parse(text, "fuzz.toml") {
        let csv = b"Region,country,ISO Code,Drug Group,Drug,Year,KG Equivalent\nAsia,Kazakhstan,KAZ,Opioids,Heroin,2016,196.64\n";
        ingest(
            "fuzz.csv",
            IngestOptions {
                mapping: Some(mapping),
                ..IngestOptions::default()
            },
            csv,
        );
    }
}

fn seeds(target: &str) -> Vec<Vec<u8>> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("fuzz/corpus")
        .join(target);
    let mut files: Vec<_> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .collect();
    files.sort();
    assert!(!files.is_empty(), "no seeds in {}", dir.display());
    files.iter().map(|p| std::fs::read(p).unwrap()).collect()
}

#[test]
fn every_committed_seed_passes_its_target() {
    for data in seeds("ingest_csv") {
        ingest("fuzz.csv", IngestOptions::default(), &data);
    }
    for data in seeds("ingest_mapped_csv") {
        ingest(
            "fuzz.csv",
            IngestOptions {
                mapping: Some(arq_mapping()),
                ..IngestOptions::default()
            },
            &data,
        );
    }
    for data in seeds("ingest_xlsx") {
        ingest("fuzz.xlsx", IngestOptions::default(), &data);
    }
    for data in seeds("mapping_toml") {
        mapping_toml(&String::from_utf8_lossy(&data));
    }
    for data in seeds("pipeline_toml") {
        let _ = Pipeline::parse(
            &String::from_utf8_lossy(&data),
            Path::new("pipelines/fuzz.toml"),
            Confinement::Project,
        );
    }
    for data in seeds("fields") {
        fields(&String::from_utf8_lossy(&data));
    }
    for data in seeds("ingest_records") {
        records(&data);
    }
}

/// The check of the records target: the reader streams from a file.
fn records(data: &[u8]) {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("records.csv");
    std::fs::write(&path, data).unwrap();
    if let Ok((_, _, summary)) = routetrend::ingest::records::ingest_records(
        &path,
        "fuzz.csv",
        reference(),
        routetrend::ingest::Missing::Count,
    ) {
        assert_eq!(
            summary.records,
            summary.kept + summary.rejected + summary.missing,
            "row accounting"
        );
    }
}

/// A seed with a few bytes overwritten, inserted or cut: the mutations libFuzzer starts from.
fn mutated(target: &'static str) -> impl Strategy<Value = Vec<u8>> {
    let seeds = seeds(target);
    (
        0..seeds.len(),
        prop::collection::vec((any::<usize>(), any::<u8>(), 0u8..3), 1..8),
    )
        .prop_map(move |(i, edits)| {
            let mut data = seeds[i].clone();
            for (at, byte, op) in edits {
                let at = if data.is_empty() { 0 } else { at % data.len() };
                match op {
                    0 if !data.is_empty() => data[at] = byte,
                    1 => data.insert(at, byte),
                    _ => data.truncate(at),
                }
            }
            data
        })
}

proptest! {
    // A failure is saved in tests/fuzz_corpus.proptest-regressions, beside this file.
    #![proptest_config(ProptestConfig {
        cases: 48,
        failure_persistence: Some(Box::new(FileFailurePersistence::WithSource("proptest-regressions"))),
        ..ProptestConfig::default()
    })]

    #[test]
    fn mutated_csv_never_panics(data in mutated("ingest_csv")) {
        ingest("fuzz.csv", IngestOptions::default(), &data);
    }

    #[test]
    fn mutated_mapped_csv_never_panics(data in mutated("ingest_mapped_csv")) {
        ingest("fuzz.csv", IngestOptions { mapping: Some(arq_mapping()), ..IngestOptions::default() }, &data);
    }

    #[test]
    fn mutated_xlsx_never_panics(data in mutated("ingest_xlsx")) {
        ingest("fuzz.xlsx", IngestOptions::default(), &data);
    }

    #[test]
    fn mutated_tomls_never_panic(data in mutated("pipeline_toml"), mapping in mutated("mapping_toml")) {
        let _ = Pipeline::parse(&String::from_utf8_lossy(&data), Path::new("pipelines/fuzz.toml"), Confinement::Project);
        mapping_toml(&String::from_utf8_lossy(&mapping));
    }

    #[test]
    fn mutated_records_never_panic(data in mutated("ingest_records")) {
        records(&data);
    }

    #[test]
    fn any_text_field_never_panics(text in "\\PC{0,40}") {
        fields(&text);
    }
}
