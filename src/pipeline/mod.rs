//! Pipelines: the TOML files of `pipelines/` that declare inputs, parameters and outputs,
//! and the stages that run them.

pub mod config;
pub mod lock;
pub mod publish;
pub mod stages;
