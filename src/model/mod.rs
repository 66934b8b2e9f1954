//! The data model: observations, periods, units and reference data (countries, drugs,
//! regions, routes). No file IO here except reading the reference tables.

pub mod observation;
pub mod period;
pub mod reference;
pub mod unit;

pub use observation::{Observation, ObservationKey};
pub use period::{Freq, Period};
pub use reference::Reference;
pub use unit::Unit;
