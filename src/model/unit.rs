//! Units and numbers as they appear in input files, converted to the canonical units of the
//! observation table: `kg` for weights, `count` for counts, `share` (0..1) for proportions,
//! `rate_per_100k` for rates.
//!
//! Parsing is strict and every refusal carries its reason: a figure such as "2 t 326 kg" is
//! not a number, "12,5" is not a thousands-grouped number unless the file declares decimal
//! commas, negative weights and counts do not exist, NaN and infinities are not data.

/// A unit of a series: the canonical units of the observation table (`kg`, `count`,
/// `share`, `rate_per_100k`) and those of indicators derived from them (`ratio` of two
/// totals, `flag` 0/1), so that every table, chart and sentence agrees on one set.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Unit {
    Kg,
    /// Also the unit of a bare number, and so the default.
    #[default]
    Count,
    Share,
    RatePer100k,
    /// A quotient of two totals in the same unit (derived only).
    Ratio,
    /// 1 when a condition holds in a period, else 0 (derived only).
    Flag,
}

impl Unit {
    pub const ALL: [Unit; 6] = [
        Unit::Kg,
        Unit::Count,
        Unit::Share,
        Unit::RatePer100k,
        Unit::Ratio,
        Unit::Flag,
    ];

    pub fn code(self) -> &'static str {
        match self {
            Unit::Kg => "kg",
            Unit::Count => "count",
            Unit::Share => "share",
            Unit::RatePer100k => "rate_per_100k",
            Unit::Ratio => "ratio",
            Unit::Flag => "flag",
        }
    }

    /// The unit of a code as the tables write it.
    pub fn from_code(code: &str) -> Option<Unit> {
        Unit::ALL.into_iter().find(|u| u.code() == code)
    }
}

impl std::fmt::Display for Unit {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.code())
    }
}

/// The unit names accepted in input files, with the factor to the canonical unit.
const UNIT_NAMES: &[(&str, Unit, f64)] = &[
    ("kg", Unit::Kg, 1.0),
    ("kgs", Unit::Kg, 1.0),
    ("kilogram", Unit::Kg, 1.0),
    ("kilograms", Unit::Kg, 1.0),
    ("кг", Unit::Kg, 1.0),
    ("g", Unit::Kg, 1e-3),
    ("gram", Unit::Kg, 1e-3),
    ("grams", Unit::Kg, 1e-3),
    ("г", Unit::Kg, 1e-3),
    ("t", Unit::Kg, 1e3),
    ("tonne", Unit::Kg, 1e3),
    ("tonnes", Unit::Kg, 1e3),
    ("ton", Unit::Kg, 1e3),
    ("tons", Unit::Kg, 1e3),
    ("т", Unit::Kg, 1e3),
    ("count", Unit::Count, 1.0),
    ("counts", Unit::Count, 1.0),
    ("number", Unit::Count, 1.0),
    ("cases", Unit::Count, 1.0),
    ("persons", Unit::Count, 1.0),
    ("share", Unit::Share, 1.0),
    ("proportion", Unit::Share, 1.0),
    ("percent", Unit::Share, 0.01),
    ("%", Unit::Share, 0.01),
    ("rate_per_100k", Unit::RatePer100k, 1.0),
    ("rate per 100,000 population", Unit::RatePer100k, 1.0),
];

/// The unit names a user may write, for error messages.
pub fn accepted_unit_names() -> String {
    UNIT_NAMES
        .iter()
        .map(|(n, _, _)| *n)
        .collect::<Vec<_>>()
        .join(", ")
}

/// Resolves a unit name (case-insensitive) to its canonical unit and conversion factor.
pub fn parse_unit(text: &str) -> Result<(Unit, f64), String> {
    let t = text.trim().to_lowercase();
    if t.is_empty() {
        return Err("missing unit".into());
    }
    UNIT_NAMES
        .iter()
        .find(|(name, _, _)| *name == t)
        .map(|&(_, unit, factor)| (unit, factor))
        .ok_or_else(|| {
            format!(
                "unknown unit '{}': accepted units are {}",
                text.trim(),
                accepted_unit_names()
            )
        })
}

/// How a file writes its decimal separator.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum Decimal {
    /// `1234.5`, with optional thousands commas in groups of three (`22,400`).
    #[default]
    Point,
    /// `1234,5`, with optional thousands points or spaces (`22.400,5`), as declared by the file.
    Comma,
}

/// Parses a quantity as printed in a file. Returns `Ok(None)` for an empty cell. Accepts
/// stray spaces, a leading `+`, exponents (`9.9E-7`) and grouped thousands; rejects the rest
/// with the reason: a unit glued on ("12 kg", "2 t 326 kg"), a decimal comma in a file that
/// did not declare it, several numbers, NaN, infinities, values beyond f64 and nonzero values
/// too small for it (`-0` reads as 0: see `tiny_figure`).
pub fn parse_number(text: &str, decimal: Decimal) -> Result<Option<f64>, String> {
    let t = text.trim().trim_matches('\u{a0}');
    if t.is_empty() {
        return Ok(None);
    }
    if t.chars().any(|c| c.is_alphabetic()) && !looks_like_exponent(t) {
        let lower = t.to_lowercase();
        if ["nan", "inf", "+inf", "-inf", "infinity", "-infinity"].contains(&lower.as_str()) {
            return Err(format!("'{t}' is not a finite number"));
        }
        return Err(format!(
            "'{t}' is not a number: it has a unit or text in it (give the number alone and the unit in its own column)"
        ));
    }
    let plain = match decimal {
        Decimal::Point => ungroup(t, ',', '.')?,
        Decimal::Comma => ungroup(&t.replace([' ', '\u{a0}'], ""), '.', ',')?.replace(',', "."),
    };
    match plain.parse::<f64>() {
        Ok(v) if v.is_finite() => tiny_figure(v, &plain)
            .map(Some)
            .map_err(|why| format!("'{t}' {why}")),
        Ok(_) => Err(format!(
            "'{t}' is not a finite number (overflows a 64-bit float)"
        )),
        Err(_) => Err(format!("'{t}' is not a number")),
    }
}

/// The one rule for zeros and numbers too small for a 64-bit float: a zero is `0` whatever
/// its sign (`-0` is no negative figure), and a nonzero number below the smallest normal
/// `f64` in magnitude (about 2.2e-308: a subnormal such as `-1e-320`, or `1e-400`, which
/// would underflow to 0) is refused, whatever its sign, rather than read as a rounded 0 or
/// as a "negative" figure. No seizure or count is that small in any unit.
fn tiny_figure(v: f64, plain: &str) -> Result<f64, String> {
    let mantissa = plain.split(['e', 'E']).next().unwrap_or("");
    let nonzero_text = mantissa.bytes().any(|b| (b'1'..=b'9').contains(&b));
    if v == 0.0 && !nonzero_text {
        Ok(0.0)
    } else if v.abs() < f64::MIN_POSITIVE {
        Err("is too small for a 64-bit float (nonzero, below 2.2e-308 in magnitude): not a real figure".into())
    } else {
        Ok(v)
    }
}

fn looks_like_exponent(t: &str) -> bool {
    let mut parts = t.splitn(2, ['e', 'E']);
    let (mantissa, exponent) = (parts.next().unwrap_or(""), parts.next());
    match exponent {
        Some(e) => {
            let e = e.strip_prefix(['+', '-']).unwrap_or(e);
            !e.is_empty()
                && e.bytes().all(|b| b.is_ascii_digit())
                && mantissa.bytes().any(|b| b.is_ascii_digit())
                && mantissa
                    .bytes()
                    .all(|b| b.is_ascii_digit() || b"+-.,".contains(&b))
        }
        None => false,
    }
}

/// Removes thousands separators `group` when they sit in groups of three before the decimal
/// separator `point`; anything else with a `group` character is an error naming the fix.
fn ungroup(t: &str, group: char, point: char) -> Result<String, String> {
    if !t.contains(group) {
        return Ok(t.to_string());
    }
    let integer = t.split(point).next().unwrap_or(t);
    let digits = integer.trim_start_matches(['+', '-']);
    let mut groups = digits.split(group);
    let first_ok = groups
        .next()
        .is_some_and(|g| (1..=3).contains(&g.len()) && g.bytes().all(|b| b.is_ascii_digit()));
    let rest_ok = groups.all(|g| g.len() == 3 && g.bytes().all(|b| b.is_ascii_digit()));
    if first_ok && rest_ok && t.matches(point).count() <= 1 && !t[integer.len()..].contains(group) {
        return Ok(t.replace(group, ""));
    }
    Err(match group {
        ',' => format!(
            "'{t}' is not a number: ',' is not a thousands separator here; if the file uses decimal commas, declare it (--decimal-comma, or decimal = \",\" in a mapping)"
        ),
        _ => format!("'{t}' is not a number with decimal comma"),
    })
}

/// The most decimals a term may have for [`decimal_sum`] to round to them; beyond, the
/// compensated sum is kept as it is.
const MAX_SUM_DECIMALS: usize = 9;

/// The sum of figures as their decimals say: a compensated (Neumaier) sum, rounded to the
/// largest number of decimals among the terms as written (their shortest round-trip
/// decimal). Figures of at most `d` decimals add up to a figure of at most `d` decimals, so
/// this removes the binary noise of plain summation (`5144.57882 + ...` no longer gives
/// `5144.578820000001`) and nothing else. Terms with more than 9 decimals (`1e-12`) leave
/// the compensated sum unrounded.
///
/// Reference: Neumaier, A. (1974), "Rundungsfehleranalyse einiger Verfahren zur Summation
/// endlicher Summen", ZAMM 54, 39-51 (the improved Kahan-Babuska algorithm).
///
/// ```
/// use routetrend::model::unit::decimal_sum;
/// assert_eq!(0.1 + 0.2, 0.30000000000000004);
/// assert_eq!(decimal_sum(&[0.1, 0.2]), 0.3);
/// assert_eq!(decimal_sum(&[15_000.5, 510.355]), 15_510.855);
/// assert_eq!(decimal_sum(&[]), 0.0);
/// ```
pub fn decimal_sum(terms: &[f64]) -> f64 {
    let (mut sum, mut compensation) = (0.0_f64, 0.0_f64);
    for &t in terms {
        let next = sum + t;
        compensation += if sum.abs() >= t.abs() {
            (sum - next) + t
        } else {
            (t - next) + sum
        };
        sum = next;
    }
    let sum = sum + compensation;
    let decimals = terms
        .iter()
        .map(|t| decimals_of(*t))
        .try_fold(0, |most, d| d.map(|d| most.max(d)));
    match decimals {
        Some(d) if sum.is_finite() => {
            let rounded: f64 = format!("{sum:.d$}").parse().unwrap_or(sum);
            if rounded == 0.0 {
                0.0
            } else {
                rounded
            }
        }
        _ => sum,
    }
}

/// The number of decimals of `v` as its shortest round-trip decimal writes it: the fewest
/// `d` for which some integer `n` gives `n / 10^d == v` exactly (`n / 10^d` is correctly
/// rounded, so it is what parsing the `d`-decimal text gives); `n` is `v * 10^d` rounded, or
/// one of its neighbours. No text is formatted while
/// `v * 10^d` stays below 2^53 (every figure of a seizure table): this runs once per summed
/// term, ten million times for a records file. `None` for non-finite
/// values and for more than [`MAX_SUM_DECIMALS`] decimals.
fn decimals_of(v: f64) -> Option<usize> {
    if !v.is_finite() {
        return None;
    }
    for d in 0..=MAX_SUM_DECIMALS {
        let scale = 10f64.powi(d as i32);
        let n = (v * scale).round();
        if n.abs() >= 2f64.powi(53) {
            // `v * scale` is no longer exact enough to tell: read the written text.
            let written = format!("{v}").split_once('.').map_or(0, |(_, f)| f.len());
            return (written <= MAX_SUM_DECIMALS).then_some(written);
        }
        // `v * 10^d` is itself rounded (by up to about half a unit at 9 decimals of a
        // figure in the millions): the integer may be the neighbour of the rounded one.
        if [n, n - 1.0, n + 1.0].iter().any(|m| m / scale == v) {
            return Some(d);
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    fn num(t: &str) -> Result<Option<f64>, String> {
        parse_number(t, Decimal::Point)
    }

    #[test]
    fn parses_plain_grouped_and_exponent_numbers() {
        assert_eq!(num("5782.679").unwrap(), Some(5782.679));
        assert_eq!(num(" 22,400 ").unwrap(), Some(22400.0));
        assert_eq!(num("1,234,567.5").unwrap(), Some(1234567.5));
        assert_eq!(
            num("9.9999999999999995E-7").unwrap(),
            Some("9.9999999999999995E-7".parse::<f64>().unwrap())
        );
        assert_eq!(num("1e-06").unwrap(), Some(1e-6));
        assert_eq!(num("").unwrap(), None);
        assert_eq!(num("-3").unwrap(), Some(-3.0));
        // Signed zero, subnormals and underflow: one rule.
        let zero = num("-0").unwrap().unwrap();
        assert!(zero == 0.0 && zero.is_sign_positive());
        assert!(num("-0.000").unwrap().unwrap().is_sign_positive());
        assert!(num("-1e-320").unwrap_err().contains("too small"));
        assert!(num("1e-400").unwrap_err().contains("too small"));
        assert_eq!(num("0e-400").unwrap(), Some(0.0));
        assert_eq!(num("2.3e-308").unwrap(), Some(2.3e-308));
        assert_eq!(parse_number("12,5", Decimal::Comma).unwrap(), Some(12.5));
        assert_eq!(
            parse_number("22.400,5", Decimal::Comma).unwrap(),
            Some(22400.5)
        );
        assert_eq!(
            parse_number("22 400,5", Decimal::Comma).unwrap(),
            Some(22400.5)
        );
    }

    #[test]
    fn refuses_glued_units_decimal_commas_and_non_finite() {
        assert!(num("2 t 326 kg").unwrap_err().contains("unit"));
        assert!(num("12,5 kg").unwrap_err().contains("unit"));
        assert!(num("12,5").unwrap_err().contains("decimal comma"));
        assert!(num("1,2345").is_err());
        assert!(num("NaN").unwrap_err().contains("finite"));
        assert!(num("inf").unwrap_err().contains("finite"));
        assert!(num("1e400").unwrap_err().contains("finite"));
        assert!(num("1.2.3").is_err());
        assert!(num("=1+1").is_err());
    }

    #[test]
    fn converts_units_to_canonical() {
        assert_eq!(parse_unit("t").unwrap(), (Unit::Kg, 1000.0));
        assert_eq!(parse_unit(" G ").unwrap(), (Unit::Kg, 0.001));
        assert_eq!(parse_unit("percent").unwrap(), (Unit::Share, 0.01));
        assert_eq!(parse_unit("Counts").unwrap(), (Unit::Count, 1.0));
        assert!(parse_unit("pounds").unwrap_err().contains("accepted units"));
    }

    /// The decimals of the shortest round-trip text, as Rust's `Display` writes it.
    fn written_decimals(v: f64) -> usize {
        format!("{v}").split_once('.').map_or(0, |(_, f)| f.len())
    }

    proptest::proptest! {
        /// Without formatting, `decimals_of` counts the decimals `Display` writes: for
        /// figures of up to 9 decimals, for products of a unit factor, and for any bits.
        #[test]
        fn decimals_of_agrees_with_the_written_text(
            n in -10_000_000_000i64..10_000_000_000,
            d in 0u32..12,
            factor in proptest::sample::select(vec![1.0, 0.001, 1000.0, 0.01]),
            bits in proptest::num::u64::ANY,
        ) {
            for v in [n as f64 / 10f64.powi(d as i32) * factor, f64::from_bits(bits)] {
                let expected = Some(written_decimals(v))
                    .filter(|w| v.is_finite() && *w <= MAX_SUM_DECIMALS);
                proptest::prop_assert_eq!(decimals_of(v), expected, "{}", v);
            }
        }
    }
}
