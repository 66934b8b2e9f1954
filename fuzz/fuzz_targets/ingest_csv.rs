//! Any bytes as a CSV file through format detection and every reader: never a panic.
#![no_main]

use std::sync::OnceLock;

use libfuzzer_sys::fuzz_target;
use routetrend::ingest::merge::Merge;
use routetrend::ingest::{ingest_bytes, IngestOptions, InputFile};
use routetrend::model::Reference;

fn reference() -> &'static Reference {
    static REFERENCE: OnceLock<Reference> = OnceLock::new();
    REFERENCE.get_or_init(|| Reference::load(None).expect("built-in reference"))
}

fuzz_target!(|data: &[u8]| {
    let input = InputFile { id: "input".into(), name: "fuzz.csv".into(), path: "fuzz.csv".into(), options: IngestOptions::default() };
    if let Ok(ingested) = ingest_bytes(&[(&input, data)], reference(), &Merge::default()) {
        for f in &ingested.files {
            assert_eq!(f.records, f.accounted(), "row accounting");
        }
    }
});
