//! Periods of observation: a year (`2016`, freq `A`) or a quarter (`2017Q2`, freq `Q`).
//!
//! A period knows its real time `x` in years (2017Q2 is 2017.25, see STATISTICS.md "Time
//! axis"). Parsing is strict: an impossible period ("2016Q5", "20016") is an error with the
//! reason, never a guess. Months, halves and date ranges are not periods here.

use std::fmt;

/// The earliest and latest years accepted: anything outside is a typing error, not data.
pub const FIRST_YEAR: i32 = 1900;
pub const LAST_YEAR: i32 = 2100;

/// Frequency of a series: annual or quarterly.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Freq {
    Annual,
    Quarterly,
}

impl Freq {
    pub fn code(self) -> &'static str {
        match self {
            Freq::Annual => "A",
            Freq::Quarterly => "Q",
        }
    }

    /// The frequency of a code as the tables write it (`A`, `Q`).
    pub fn from_code(code: &str) -> Option<Freq> {
        [Freq::Annual, Freq::Quarterly]
            .into_iter()
            .find(|f| f.code() == code)
    }
}

impl std::fmt::Display for Freq {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.code())
    }
}

/// A year or a quarter of a year.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Period {
    pub year: i32,
    /// 1..=4 for a quarter, `None` for a whole year.
    pub quarter: Option<u8>,
}

impl Period {
    pub fn year(year: i32) -> Self {
        Period {
            year,
            quarter: None,
        }
    }

    pub fn freq(self) -> Freq {
        if self.quarter.is_some() {
            Freq::Quarterly
        } else {
            Freq::Annual
        }
    }

    /// Real time in years: the year itself, or year + (q-1)/4 for a quarter.
    pub fn x(self) -> f64 {
        f64::from(self.year) + self.quarter.map_or(0.0, |q| f64::from(q - 1) / 4.0)
    }

    /// The period after this one, of the same frequency (2016 -> 2017, 2017Q4 -> 2018Q1).
    pub fn next(self) -> Period {
        match self.quarter {
            Some(4) => Period {
                year: self.year + 1,
                quarter: Some(1),
            },
            Some(q) => Period {
                year: self.year,
                quarter: Some(q + 1),
            },
            None => Period::year(self.year + 1),
        }
    }

    /// The last x inside this period (a year ends with its fourth quarter); used to compare
    /// periods of different frequencies, e.g. for `--as-of`.
    pub fn last_x(self) -> f64 {
        match self.quarter {
            Some(_) => self.x(),
            None => f64::from(self.year) + 0.75,
        }
    }

    /// Parses `2016`, `2017Q1`, `2017 Q1`, `2017-Q1`, `2017q1`; a spreadsheet number such as
    /// `2016.0` is a year. The error says why the text is not a period.
    pub fn parse(text: &str) -> Result<Period, String> {
        let t = text.trim();
        if t.is_empty() {
            return Err("empty period".into());
        }
        let upper = t.to_ascii_uppercase();
        let (year_part, quarter_part) = match upper.find('Q') {
            Some(i) => (
                upper[..i].trim_end_matches([' ', '-']),
                Some(&upper[i + 1..]),
            ),
            None => (upper.strip_suffix(".0").unwrap_or(&upper), None),
        };
        let year = parse_year(year_part, t)?;
        let quarter = match quarter_part {
            None => None,
            Some(q) => match q.trim().parse::<u8>() {
                Ok(q @ 1..=4) => Some(q),
                _ => return Err(format!("'{t}' is not a period: quarter must be Q1 to Q4")),
            },
        };
        Ok(Period { year, quarter })
    }
}

fn parse_year(digits: &str, whole: &str) -> Result<i32, String> {
    if digits.is_empty() || !digits.bytes().all(|b| b.is_ascii_digit()) {
        return Err(format!(
            "'{whole}' is not a period: expected a year such as 2016 or a quarter such as 2017Q1"
        ));
    }
    match digits.parse::<i32>() {
        Ok(y) if (FIRST_YEAR..=LAST_YEAR).contains(&y) => Ok(y),
        _ => Err(format!(
            "'{whole}' is not a period: year outside {FIRST_YEAR}-{LAST_YEAR}"
        )),
    }
}

impl fmt::Display for Period {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.quarter {
            Some(q) => write!(f, "{}Q{}", self.year, q),
            None => write!(f, "{}", self.year),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_years_and_quarters() {
        assert_eq!(Period::parse("2016").unwrap(), Period::year(2016));
        assert_eq!(Period::parse(" 2016.0 ").unwrap(), Period::year(2016));
        let q = Period::parse("2017Q2").unwrap();
        assert_eq!(q.quarter, Some(2));
        assert_eq!(q.x(), 2017.25);
        assert_eq!(q.to_string(), "2017Q2");
        assert_eq!(Period::parse("2017 q4").unwrap().x(), 2017.75);
        assert_eq!(Period::parse("2017-Q1").unwrap().freq(), Freq::Quarterly);
    }

    #[test]
    fn rejects_impossible_periods_with_reason() {
        for bad in [
            "2016Q5",
            "2016Q0",
            "20016",
            "16",
            "2016-05-01",
            "",
            "Q1",
            "2016H1",
            "1e3",
        ] {
            assert!(Period::parse(bad).is_err(), "{bad} should be rejected");
        }
        assert!(Period::parse("2016Q5").unwrap_err().contains("Q1 to Q4"));
        assert!(Period::parse("20016").unwrap_err().contains("outside"));
    }
}
