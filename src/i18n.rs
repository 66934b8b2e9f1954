//! The languages of a run's figures and reports: every generated text comes from a Project
//! Fluent message catalog (`i18n/<code>.ftl`, built in), plurals chosen by the language's
//! CLDR rules ("в 1 году", "в 13 годах"), and every number written in the language's CLDR
//! format by ICU4X ("1,234.5" in English, "1 234,5" in Russian, the space there being CLDR's
//! no-break space U+00A0).
//!
//! [`Texts::of`] gives a language's catalog and formats; `display::format_number` and
//! `display::readable` are its English ones. The machine tables (CSV, Parquet) are written in
//! no language: codes and full-precision numbers ([`crate::files`]).

use std::borrow::Cow;
use std::str::FromStr;
use std::sync::OnceLock;

use fluent_bundle::concurrent::FluentBundle;
use fluent_bundle::types::{FluentNumber, FluentNumberOptions};
use fluent_bundle::{FluentArgs, FluentResource, FluentValue};
use icu_decimal::input::Decimal;
use icu_decimal::DecimalFormatter;

use crate::model::Period;

/// A language of the outputs. The first of a pipeline's `languages` keeps the plain file
/// names; each further one adds its code before the extension (`report.ru.html`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Default)]
pub enum Language {
    #[default]
    En,
    Ru,
}

impl Language {
    pub const ALL: [Language; 2] = [Language::En, Language::Ru];

    /// The ISO 639-1 code, as written in `languages = [...]` and in file names.
    pub fn code(self) -> &'static str {
        match self {
            Language::En => "en",
            Language::Ru => "ru",
        }
    }

    /// The language of `code` (`"en"`, `"ru"`), or what would be valid.
    pub fn parse(code: &str) -> Result<Language, String> {
        Language::ALL
            .into_iter()
            .find(|l| l.code() == code.trim().to_ascii_lowercase())
            .ok_or_else(|| {
                let known: Vec<&str> = Language::ALL.iter().map(|l| l.code()).collect();
                format!(
                    "'{code}' is not a language of routetrend (one of: {})",
                    known.join(", ")
                )
            })
    }

    /// `name.ext` in this language: unchanged for the run's first language, else
    /// `name.<code>.ext` (`report.html` -> `report.ru.html`).
    pub fn file_name(self, first: Language, name: &str) -> String {
        if self == first {
            return name.to_string();
        }
        match name.rsplit_once('.') {
            Some((stem, ext)) => format!("{stem}.{}.{ext}", self.code()),
            None => format!("{name}.{}", self.code()),
        }
    }

    /// The built-in catalog of the language (`i18n/<code>.ftl`).
    pub(crate) fn catalog(self) -> &'static str {
        match self {
            Language::En => include_str!("../i18n/en.ftl"),
            Language::Ru => include_str!("../i18n/ru.ftl"),
        }
    }

    fn icu_locale(self) -> icu_locale_core::Locale {
        match self {
            Language::En => icu_locale_core::locale!("en"),
            Language::Ru => icu_locale_core::locale!("ru"),
        }
    }
}

/// An argument of a message: a text, or a number (formatted in the language and choosing
/// its plural form: a whole number, or one shown with so many decimals, "12,5 пункта").
pub enum Arg<'a> {
    Text(Cow<'a, str>),
    Number(f64),
    Decimal(f64, usize),
}

impl<'a> From<&'a str> for Arg<'a> {
    fn from(s: &'a str) -> Self {
        Arg::Text(Cow::Borrowed(s))
    }
}

impl<'a> From<&'a String> for Arg<'a> {
    fn from(s: &'a String) -> Self {
        Arg::Text(Cow::Borrowed(s))
    }
}

impl From<String> for Arg<'_> {
    fn from(s: String) -> Self {
        Arg::Text(Cow::Owned(s))
    }
}

macro_rules! number_arg {
    ($($t:ty),*) => {$(
        impl From<$t> for Arg<'_> {
            fn from(n: $t) -> Self {
                Arg::Number(n as f64)
            }
        }
    )*};
}
number_arg!(u32, u64, usize, i32, i64);

/// A language's message catalog and number format.
pub struct Texts {
    pub language: Language,
    bundle: FluentBundle<FluentResource>,
    decimal: DecimalFormatter,
}

impl Texts {
    /// The built-in catalog and formats of `language`, made once per process.
    pub fn of(language: Language) -> &'static Texts {
        static TEXTS: [OnceLock<Option<Texts>>; 2] = [OnceLock::new(), OnceLock::new()];
        static EN_FALLBACK: OnceLock<Texts> = OnceLock::new();
        let slot = &TEXTS[Language::ALL
            .iter()
            .position(|l| *l == language)
            .unwrap_or(0)];
        match slot.get_or_init(|| Texts::new(language).ok()) {
            Some(texts) => texts,
            // Unreachable with the built-in catalogs (a unit test parses each); never a panic.
            None => EN_FALLBACK.get_or_init(|| Texts::bare(Language::En)),
        }
    }

    fn new(language: Language) -> Result<Texts, String> {
        let mut texts = Texts::bare(language);
        let resource = FluentResource::try_new(language.catalog().to_string())
            .map_err(|(_, errors)| format!("i18n/{}.ftl: {errors:?}", language.code()))?;
        texts
            .bundle
            .add_resource(resource)
            .map_err(|errors| format!("i18n/{}.ftl: {errors:?}", language.code()))?;
        Ok(texts)
    }

    /// The language's formats with an empty catalog.
    fn bare(language: Language) -> Texts {
        let id = unic_langid::LanguageIdentifier::from_str(language.code()).unwrap_or_default();
        let mut bundle = FluentBundle::new_concurrent(vec![id]);
        // No Unicode isolation marks around arguments: the texts are left-to-right only.
        bundle.set_use_isolating(false);
        bundle.set_formatter(Some(match language {
            Language::En => |v, _| format_fluent_number(Language::En, v),
            Language::Ru => |v, _| format_fluent_number(Language::Ru, v),
        }));
        Texts {
            language,
            bundle,
            decimal: decimal_formatter(language),
        }
    }

    /// The message `id` without arguments.
    pub fn get(&self, id: &str) -> String {
        self.format(id, &[])
    }

    /// The message `id` without arguments, if the catalog has it (messages named after
    /// data, such as `unit-<code>`).
    pub fn find(&self, id: &str) -> Option<String> {
        self.bundle.has_message(id).then(|| self.get(id))
    }

    /// The message `id` with its arguments. A message the catalog lacks comes out as its id
    /// (a unit test checks that both catalogs hold the same ids; the language test of the
    /// outputs would find an id in a text).
    pub fn format(&self, id: &str, args: &[(&str, Arg)]) -> String {
        let Some(pattern) = self.bundle.get_message(id).and_then(|m| m.value()) else {
            return id.to_string();
        };
        let mut fluent_args = FluentArgs::new();
        for (name, arg) in args {
            let value = match arg {
                Arg::Text(t) => FluentValue::from(t.to_string()),
                Arg::Number(n) => {
                    FluentValue::Number(FluentNumber::new(*n, FluentNumberOptions::default()))
                }
                // The decimals shown are the plural rule's visible fraction digits (CLDR
                // operand v): "1,0" is not "one".
                Arg::Decimal(n, decimals) => {
                    let options = FluentNumberOptions {
                        minimum_fraction_digits: Some(*decimals),
                        maximum_fraction_digits: Some(*decimals),
                        ..FluentNumberOptions::default()
                    };
                    let rounded = format!("{n:.decimals$}").parse().unwrap_or(*n);
                    FluentValue::Number(FluentNumber::new(rounded, options))
                }
            };
            fluent_args.set(*name, value);
        }
        let mut errors = Vec::new();
        let text = self
            .bundle
            .format_pattern(pattern, Some(&fluent_args), &mut errors);
        text.into_owned()
    }

    /// `value` with `decimals` decimals, grouped in the language's CLDR format
    /// ("12,000" / "12 000"); a value that rounds to zero has no sign.
    pub fn number(&self, value: f64, decimals: usize) -> String {
        if !value.is_finite() {
            return value.to_string();
        }
        let digits = format!("{:.*}", decimals, value);
        let unsigned = digits.trim_start_matches('-');
        let zero = unsigned.bytes().all(|b| b == b'0' || b == b'.');
        let text = if zero { unsigned } else { digits.as_str() };
        let formatted = match Decimal::from_str(text) {
            Ok(d) => self.decimal.format_to_string(&d),
            Err(_) => text.to_string(),
        };
        match self.language {
            // Russian typography writes a minus sign, not CLDR's hyphen-minus.
            Language::Ru => formatted.replacen('-', "\u{2212}", 1),
            Language::En => formatted,
        }
    }

    /// A number rounded for reading: grouped and whole from 1,000, else 3 significant
    /// digits (at most 2 decimals from 1), the language's decimal separator.
    pub fn readable(&self, v: f64) -> String {
        match readable_decimals(v) {
            Some(decimals) => self.number(v, decimals),
            None => self.scientific(v),
        }
    }

    /// [`Texts::readable`] as a message argument that also chooses the plural form of the
    /// word after it ("12 пунктов", "12,5 пункта").
    pub fn readable_arg(&self, v: f64) -> Arg<'static> {
        match readable_decimals(v) {
            Some(decimals) => Arg::Decimal(v, decimals),
            None => Arg::from(self.scientific(v)),
        }
    }

    /// A number too small for [`readable_decimals`]: "3.00e-5"; in Russian "3,00·10⁻⁵".
    fn scientific(&self, v: f64) -> String {
        let text = format!("{v:.2e}");
        match (self.language, text.split_once('e')) {
            (Language::Ru, Some((mantissa, exponent))) => {
                let superscript: String = exponent
                    .chars()
                    .map(|c| match c {
                        '-' => '⁻',
                        d => SUPERSCRIPT_DIGITS[d.to_digit(10).unwrap_or(0) as usize],
                    })
                    .collect();
                let mantissa = mantissa.replace('.', ",").replacen('-', "\u{2212}", 1);
                format!("{mantissa}·10{superscript}")
            }
            _ => text,
        }
    }

    /// A percentage with `decimals` decimals, in the language's pattern ("92.6%", "92,6 %").
    pub fn percent(&self, percentage: f64, decimals: usize) -> String {
        let value = self.number(percentage, decimals);
        self.format("percent", &[("value", Arg::from(value))])
    }

    /// A number with its unit: "911.7 kg", "911,7 кг" (a no-break space in Russian).
    pub fn value_unit(&self, value: String, unit: &str) -> String {
        self.format(
            "value-unit",
            &[("value", Arg::from(value)), ("unit", Arg::from(unit))],
        )
    }

    /// "2001-2022" (in Russian with an en dash), as lists and notes write a span of periods.
    pub fn period_range(&self, a: Period, b: Period) -> String {
        self.between("period-range", a, b)
    }

    /// A span in running text: years with the language's word for them ("2000–2022 гг."),
    /// quarters as [`Texts::period_range`].
    pub fn span(&self, a: Period, b: Period) -> String {
        let years = a.quarter.is_none() && b.quarter.is_none();
        self.between(if years { "year-span" } else { "period-range" }, a, b)
    }

    /// The message `id` of the periods `from` and `to`.
    fn between(&self, id: &str, a: Period, b: Period) -> String {
        self.format(
            id,
            &[
                ("from", self.period(a).into()),
                ("to", self.period(b).into()),
            ],
        )
    }

    /// A period in running text: a year with the language's word for it ("2016 г."), a
    /// quarter as [`Texts::period`].
    pub fn period_in_text(&self, p: Period) -> String {
        match p.quarter {
            Some(_) => self.period(p),
            None => self.format("year-in-text", &[("year", self.period(p).into())]),
        }
    }

    /// A period for people: "2016", and a quarter "2017 Q1" / "I кв. 2017" (no-break spaces).
    pub fn period(&self, period: Period) -> String {
        match period.quarter {
            None => period.year.to_string(),
            Some(q) => self.format(
                "quarter",
                &[
                    ("year", Arg::from(period.year.to_string())),
                    ("quarter", Arg::from(q as u32)),
                ],
            ),
        }
    }
}

/// The decimals [`Texts::readable`] shows of `v`: none from 1,000, up to 2 from 1 (trailing
/// zeros dropped), 3 significant digits below 1; `None` below 0.0001 (written in scientific
/// notation) or for a value that is not finite.
fn readable_decimals(v: f64) -> Option<usize> {
    let a = v.abs();
    if !v.is_finite() || (a < 1e-4 && a != 0.0) {
        None
    } else if a >= 1000.0 {
        Some(0)
    } else if a >= 1.0 || a == 0.0 {
        let text = format!("{v:.2}");
        let trimmed = text.trim_end_matches('0').trim_end_matches('.');
        Some(trimmed.split_once('.').map_or(0, |(_, f)| f.len()))
    } else {
        Some((-a.log10().floor()) as usize + 2)
    }
}

const SUPERSCRIPT_DIGITS: [char; 10] = ['⁰', '¹', '²', '³', '⁴', '⁵', '⁶', '⁷', '⁸', '⁹'];

fn decimal_formatter(language: Language) -> DecimalFormatter {
    DecimalFormatter::try_new(language.icu_locale().into(), Default::default())
        .or_else(|_| DecimalFormatter::try_new(Default::default(), Default::default()))
        .unwrap_or_else(|_| unreachable_formatter())
}

/// The root locale's formatter is compiled in: `try_new` of it cannot fail.
#[allow(clippy::panic)]
fn unreachable_formatter() -> DecimalFormatter {
    panic!("ICU4X compiled data holds the root locale")
}

/// Fluent's hook for numbers in messages: each in the language's format, with the decimals
/// it was given ([`Arg::Decimal`]), else whole or as [`Texts::readable`] writes it.
fn format_fluent_number(language: Language, value: &FluentValue) -> Option<String> {
    let FluentValue::Number(n) = value else {
        return None;
    };
    let texts = Texts::of(language);
    Some(match n.options.minimum_fraction_digits {
        Some(decimals) => texts.number(n.value, decimals),
        None if n.value.fract() == 0.0 => texts.number(n.value, 0),
        None => texts.readable(n.value),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The ids of a catalog's messages (`id = ...` at the start of a line).
    fn ids(language: Language) -> Vec<String> {
        let mut ids: Vec<String> = language
            .catalog()
            .lines()
            .filter_map(|l| l.split_once(" ="))
            .map(|(id, _)| id.to_string())
            .filter(|id| id.starts_with(|c: char| c.is_ascii_lowercase()))
            .filter(|id| id.chars().all(|c| c.is_ascii_alphanumeric() || c == '-'))
            .collect();
        ids.sort();
        ids
    }

    #[test]
    fn both_catalogs_parse_and_hold_the_same_messages() {
        for language in Language::ALL {
            assert!(Texts::new(language).is_ok(), "{language:?}");
        }
        assert_eq!(ids(Language::En), ids(Language::Ru));
        assert!(ids(Language::En).len() > 20);
    }

    // Expected values: CLDR 47 via ICU4X icu_decimal 2.4 (the ru grouping separator is
    // U+00A0, the decimal separator a comma), as ICU4C/Intl.NumberFormat("ru") print them.
    #[test]
    fn numbers_in_each_language() {
        let (en, ru) = (Texts::of(Language::En), Texts::of(Language::Ru));
        assert_eq!(en.number(1234.5, 1), "1,234.5");
        assert_eq!(ru.number(1234.5, 1), "1\u{a0}234,5");
        assert_eq!(en.number(-1_234_567.891, 2), "-1,234,567.89");
        assert_eq!(
            ru.number(-1_234_567.891, 2),
            "\u{2212}1\u{a0}234\u{a0}567,89"
        );
        assert_eq!(ru.number(-0.0001, 1), "0,0");
        assert_eq!(ru.readable(0.0123), "0,0123");
        assert_eq!(en.readable(0.0123), "0.0123");
        assert_eq!(ru.readable(12.5), "12,5");
        assert_eq!(ru.percent(92.6, 1), "92,6\u{a0}%");
        assert_eq!(ru.number(-119.84, 2), "\u{2212}119,84");
        assert_eq!(ru.readable(0.0000301), "3,01·10⁻⁵");
        assert_eq!(en.readable(0.0000301), "3.01e-5");
        let (a, b) = (Period::year(2000), Period::year(2022));
        assert_eq!(ru.span(a, b), "2000–2022\u{a0}гг.");
        assert_eq!(en.span(a, b), "2000-2022");
        assert_eq!(ru.period_range(a, b), "2000–2022");
        assert_eq!(ru.period_in_text(a), "2000\u{a0}г.");
        assert_eq!(en.period_in_text(a), "2000");
        let q = Period::parse("2017Q1").unwrap();
        assert_eq!(ru.span(q, q), "I\u{a0}кв.\u{a0}2017–I\u{a0}кв.\u{a0}2017");
        assert_eq!(en.percent(92.6, 1), "92.6%");
    }

    /// English output is what display::format_number and readable wrote before ICU4X.
    #[test]
    fn english_numbers_are_the_plain_ones() {
        let en = Texts::of(Language::En);
        for (v, d, want) in [
            (12000.0, 0, "12,000"),
            (999.95, 1, "1,000.0"),
            (-0.004, 2, "0.00"),
            (1e15, 0, "1,000,000,000,000,000"),
            (0.5, 3, "0.500"),
        ] {
            assert_eq!(en.number(v, d), want);
        }
        assert_eq!(en.readable(1234.4), "1,234");
        assert_eq!(en.readable(2.50), "2.5");
        assert_eq!(en.readable(0.00003), "3.00e-5");
    }

    /// Russian plurals by CLDR: one (1, 21), few (2-4, 22), many (5-20, 25).
    #[test]
    fn plurals_follow_the_language() {
        let ru = Texts::of(Language::Ru);
        let years = |n: u32| ru.format("in-years", &[("count", Arg::from(n))]);
        assert_eq!(years(1), "в 1 году");
        assert_eq!(years(13), "в 13 годах");
        assert_eq!(years(21), "в 21 году");
        let en = Texts::of(Language::En);
        assert_eq!(
            en.format("in-years", &[("count", Arg::from(1u32))]),
            "in 1 year"
        );
        assert_eq!(
            en.format("in-years", &[("count", Arg::from(13u32))]),
            "in 13 years"
        );
    }

    /// A word after a number shown with decimals takes the plural form of what is shown.
    #[test]
    fn plurals_follow_the_number_as_shown() {
        let ru = Texts::of(Language::Ru);
        let points = |v: f64| ru.format("index-points", &[("value", ru.readable_arg(v))]);
        assert_eq!(points(1.0), "1 пункт индекса");
        assert_eq!(points(3.0), "3 пункта индекса");
        assert_eq!(points(12.0), "12 пунктов индекса");
        assert_eq!(points(12.5), "12,5 пункта индекса");
        assert_eq!(points(1234.0), "1\u{a0}234 пункта индекса");
        let en = Texts::of(Language::En);
        assert_eq!(
            en.format("index-points", &[("value", en.readable_arg(1.5))]),
            "1.5 index points"
        );
    }

    #[test]
    fn quarters_and_file_names() {
        let q = Period::parse("2017Q1").unwrap();
        assert_eq!(Texts::of(Language::Ru).period(q), "I\u{a0}кв.\u{a0}2017");
        assert_eq!(Texts::of(Language::En).period(q), "2017 Q1");
        assert_eq!(
            Language::Ru.file_name(Language::En, "report.html"),
            "report.ru.html"
        );
        assert_eq!(
            Language::En.file_name(Language::En, "report.html"),
            "report.html"
        );
        assert_eq!(
            Language::En.file_name(Language::Ru, "heroin.png"),
            "heroin.en.png"
        );
        assert!(Language::parse("de").unwrap_err().contains("en, ru"));
    }
}
