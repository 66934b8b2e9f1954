//! Any bytes as a seizure-records file (written to a temporary file: the records reader
//! streams from disk): never a panic, and records = kept + rejected + missing.
#![no_main]

use std::sync::OnceLock;

use libfuzzer_sys::fuzz_target;
use routetrend::ingest::records::ingest_records;
use routetrend::ingest::Missing;
use routetrend::model::Reference;

fn reference() -> &'static Reference {
    static REFERENCE: OnceLock<Reference> = OnceLock::new();
    REFERENCE.get_or_init(|| Reference::load(None).expect("built-in reference"))
}

fuzz_target!(|data: &[u8]| {
    let path = std::env::temp_dir().join(format!("routetrend-fuzz-records-{}.csv", std::process::id()));
    if std::fs::write(&path, data).is_err() {
        return;
    }
    if let Ok((_, _, summary)) = ingest_records(&path, "fuzz.csv", reference(), Missing::Count) {
        assert_eq!(summary.records, summary.kept + summary.rejected + summary.missing, "row accounting");
    }
});
