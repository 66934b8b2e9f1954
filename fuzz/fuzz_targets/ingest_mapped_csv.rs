//! Any bytes as a CSV read through the shipped ARQ column mapping: never a panic, and every
//! record accounted for.
#![no_main]

use std::sync::OnceLock;

use libfuzzer_sys::fuzz_target;
use routetrend::ingest::mapping::Mapping;
use routetrend::ingest::merge::Merge;
use routetrend::ingest::{ingest_bytes, IngestOptions, InputFile};
use routetrend::model::Reference;

fn setup() -> &'static (Reference, InputFile) {
    static SETUP: OnceLock<(Reference, InputFile)> = OnceLock::new();
    SETUP.get_or_init(|| {
        let text = include_str!("../../data/mappings/arq_seizures.toml");
        let mapping = Mapping::parse(text, "arq_seizures.toml").expect("shipped mapping");
        let options = IngestOptions { mapping: Some(mapping), ..IngestOptions::default() };
        let input = InputFile { id: "input".into(), name: "fuzz.csv".into(), path: "fuzz.csv".into(), options };
        (Reference::load(None).expect("built-in reference"), input)
    })
}

fuzz_target!(|data: &[u8]| {
    let (reference, input) = setup();
    if let Ok(ingested) = ingest_bytes(&[(input, data)], reference, &Merge::default()) {
        for f in &ingested.files {
            assert_eq!(f.records, f.accounted(), "row accounting");
        }
    }
});
