//! Any text as a mapping TOML; a mapping that parses is then used on a small CSV.
#![no_main]

use std::sync::OnceLock;

use libfuzzer_sys::fuzz_target;
use routetrend::ingest::mapping::Mapping;
use routetrend::ingest::merge::Merge;
use routetrend::ingest::{ingest_bytes, IngestOptions, InputFile};
use routetrend::model::Reference;

const CSV: &[u8] = b"Region,country,ISO Code,Drug Group,Drug,Year,KG Equivalent\nAsia,Kazakhstan,KAZ,Opioids,Heroin,2016,196.64\nAsia,Tajikistan,NULL,Opioids,Heroin,2016,NULL\n";

fn reference() -> &'static Reference {
    static REFERENCE: OnceLock<Reference> = OnceLock::new();
    REFERENCE.get_or_init(|| Reference::load(None).expect("built-in reference"))
}

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else { return };
    let Ok(mapping) = Mapping::parse(text, "fuzz.toml") else { return };
    let options = IngestOptions { mapping: Some(mapping), ..IngestOptions::default() };
    let input = InputFile { id: "input".into(), name: "fuzz.csv".into(), path: "fuzz.csv".into(), options };
    let _ = ingest_bytes(&[(&input, CSV)], reference(), &Merge::default());
});
