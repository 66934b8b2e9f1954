//! Pipelines: the TOML files of `pipelines/` that declare inputs, parameters and outputs
//! ([`config`]), the stages that run them ([`stage`], one file each), where their outputs
//! live ([`catalog`]), the project folder they are confined to ([`project`]), and the runner that sequences the stages, checks what is up to date,
//! writes the manifest and publishes atomically ([`runner`], [`manifest`], [`lock`],
//! [`publish`]); `diff` compares two runs.

pub mod catalog;
pub mod config;
pub mod diff;
pub mod init;
pub mod lock;
pub mod manifest;
pub mod project;
pub mod publish;
pub mod runner;
pub mod stage;

/// Fault injection for the crash-safety tests, at named points of a run:
/// `ROUTETREND_TEST_HOOK="before-commit=abort,after-stage:ingest=sleep:500"`; `enospc`
/// makes the point fail as a full disk would. Unset, it does nothing.
pub fn test_hook(point: &str) -> std::io::Result<()> {
    let Ok(spec) = std::env::var("ROUTETREND_TEST_HOOK") else {
        return Ok(());
    };
    for item in spec.split(',') {
        match item.split_once('=') {
            Some((p, "abort")) if p == point => std::process::abort(),
            // ENOSPC, "No space left on device" (Linux and macOS number it 28).
            Some((p, "enospc")) if p == point => return Err(std::io::Error::from_raw_os_error(28)),
            Some((p, action)) if p == point => {
                if let Some(ms) = action.strip_prefix("sleep:").and_then(|m| m.parse().ok()) {
                    std::thread::sleep(std::time::Duration::from_millis(ms));
                }
            }
            _ => {}
        }
    }
    Ok(())
}
