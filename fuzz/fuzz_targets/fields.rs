//! Period, unit and number parsers on any text: never a panic; an accepted number is finite.
#![no_main]

use libfuzzer_sys::fuzz_target;
use routetrend::model::unit::{parse_number, parse_unit, Decimal};
use routetrend::model::Period;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else { return };
    if let Ok(p) = Period::parse(text) {
        assert_eq!(Period::parse(&p.to_string()), Ok(p), "periods round-trip");
    }
    let _ = parse_unit(text);
    for decimal in [Decimal::Point, Decimal::Comma] {
        if let Ok(Some(v)) = parse_number(text, decimal) {
            assert!(v.is_finite());
        }
    }
});
