//! Any text as a pipeline file: parsed and validated, or refused with an error; never a panic.
#![no_main]

use libfuzzer_sys::fuzz_target;
use routetrend::pipeline::config::Pipeline;
use routetrend::pipeline::project::Confinement;

fuzz_target!(|data: &[u8]| {
    if let Ok(text) = std::str::from_utf8(data) {
        let _ = Pipeline::parse(text, std::path::Path::new("pipelines/fuzz.toml"), Confinement::Project);
    }
});
