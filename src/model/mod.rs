//! The data model: observations, periods, units and reference data (countries, drugs,
//! regions, routes, country outlines). No file IO here except reading the reference tables.

pub mod boundaries;
pub mod observation;
pub mod period;
pub mod reference;
pub mod unit;

pub use observation::{Observation, ObservationKey};
pub use period::{Freq, Period};
pub use reference::Reference;
pub use unit::Unit;
