//! The shipped pipeline in English and Russian (`languages = ["en", "ru"]`): every figure
//! in both languages; no English left in a Russian figure (its drawn text, title, alt text
//! and sidecar); Russian numbers (no-break-space grouping, decimal comma) and plural forms;
//! byte-identical re-runs in both languages; and adding Russian changes no English file.

use std::collections::BTreeMap;

use crate::common::{figure_slugs, snapshot, svg_texts, Workdir};

const FIGURES: &str = "out/northern_route/figures";

/// Latin words a Russian figure may hold: the tool's name, and the names of the sources
/// its inputs cite (a news site is called what it is called).
const LATIN_ALLOWED: [&str; 6] = [
    "routetrend",
    "Kaggle",
    "UzDaily.com",
    "Kun.uz",
    "24.kg",
    "Sputnik",
];

/// The shipped pipeline run with `languages = <languages>`.
fn run(languages: &str) -> Workdir {
    run_shipped_with(
        "languages = [\"en\", \"ru\"]",
        &format!("languages = {languages}"),
    )
}

/// The shipped pipeline run with its text `shipped` (which it must hold) replaced by `to`.
fn run_shipped_with(shipped: &str, to: &str) -> Workdir {
    let w = Workdir::new();
    w.copy_from_root("data");
    w.copy_from_root("pipelines");
    let pipeline = w.read("pipelines/northern_route.toml");
    assert!(
        pipeline.contains(shipped),
        "the shipped pipeline has {shipped:?}"
    );
    w.write(
        "pipelines/northern_route.toml",
        pipeline.replace(shipped, to),
    );
    w.run(&["run", "--quiet"]).expect_code(0);
    w
}

/// The Latin words of `text` outside [`LATIN_ALLOWED`]: runs of letters, digits and dots
/// holding a Latin letter, single letters (p, n: statistical symbols) allowed.
fn english_words(text: &str) -> Vec<String> {
    text.split(|c: char| !(c.is_alphanumeric() || c == '.' || c == '-'))
        .map(|w| w.trim_matches(|c| c == '.' || c == '-'))
        .filter(|w| w.chars().any(|c| c.is_ascii_alphabetic()))
        .filter(|w| w.chars().filter(|c| c.is_ascii_alphabetic()).count() > 1)
        .filter(|w| !LATIN_ALLOWED.contains(w))
        .map(str::to_string)
        .collect()
}

/// Numbers written the English way: a decimal point, or a comma before three digits after
/// a whole part other than 0 (a Russian "0,125" is a decimal).
fn english_numbers(text: &str) -> Vec<String> {
    let c: Vec<char> = text.chars().collect();
    let digit = |i: usize| c.get(i).is_some_and(char::is_ascii_digit);
    let whole_part = |i: usize| {
        let start = (0..i).rev().take_while(|&k| digit(k)).last().unwrap_or(i);
        c[start..i].iter().collect::<String>()
    };
    (1..c.len())
        .filter(|&i| digit(i - 1) && digit(i + 1))
        .filter(|&i| {
            c[i] == '.' || (c[i] == ',' && digit(i + 3) && !digit(i + 4) && whole_part(i) != "0")
        })
        .map(|i| {
            c[i.saturating_sub(5)..(i + 5).min(c.len())]
                .iter()
                .collect()
        })
        .collect()
}

#[test]
fn every_figure_is_drawn_in_russian_without_english_and_with_russian_numbers() {
    let w = run("[\"en\", \"ru\"]");
    let slugs = figure_slugs(&w, FIGURES);
    assert_eq!(slugs.len(), 8, "{slugs:?}");
    let mut all_text = String::new();
    for slug in &slugs {
        let file = |ext: &str| format!("{FIGURES}/{slug}.ru.{ext}");
        assert!(w.path(&file("png")).is_file(), "{slug}.ru.png");
        assert!(
            !w.path(&format!("{FIGURES}/{slug}.ru.csv")).exists(),
            "the points CSV is in no language: one per figure"
        );
        let svg = w.read(&file("svg"));
        let sidecar: serde_json::Value = serde_json::from_str(&w.read(&file("json"))).unwrap();
        assert_eq!(
            sidecar["files"],
            serde_json::json!([
                format!("{slug}.ru.png"),
                format!("{slug}.ru.svg"),
                format!("{slug}.csv")
            ])
        );
        let mut texts = svg_texts(&svg);
        for key in ["title", "subtitle", "source", "alt_text"] {
            texts.push(sidecar[key].as_str().unwrap().to_string());
        }
        // A chart's kind in words; a map's is the code the report finds maps by.
        if sidecar["kind"] != "map" {
            texts.push(sidecar["kind"].as_str().unwrap().to_string());
        }
        for list in ["notes", "series"] {
            texts.extend(
                sidecar[list]
                    .as_array()
                    .unwrap()
                    .iter()
                    .map(|n| n.as_str().unwrap().to_string()),
            );
        }
        // The SVG's own title and description (what a screen reader says).
        for tag in ["title", "desc"] {
            let inner = svg
                .split(&format!("<{tag} id=\"rt-{tag}\">"))
                .nth(1)
                .and_then(|rest| rest.split(&format!("</{tag}>")).next())
                .unwrap_or_else(|| panic!("{slug}: the SVG has its <{tag}>"));
            texts.push(inner.replace("&amp;", "&"));
        }
        for text in &texts {
            let english = english_words(text);
            assert!(
                english.is_empty(),
                "{slug}: English in the Russian figure: {english:?} in {text:?}"
            );
            let numbers = english_numbers(text);
            assert!(
                numbers.is_empty(),
                "{slug}: English number format: {numbers:?} in {text:?}"
            );
            all_text.push_str(text);
            all_text.push('\n');
        }
    }
    // Russian numbers and words as a regional analyst writes them (CLDR via ICU4X).
    for expected in [
        "8\u{a0}000",                   // an axis tick, grouped by a no-break space
        "911,7\u{a0}кг",                // a decimal comma, the unit in Russian
        "\u{2212}119,84\u{a0}кг в год", // a minus sign
        "2000–2022\u{a0}гг.",           // years in running text
        "с 2010 по 2016\u{a0}г.",       // a map's change
        "100\u{a0}%",                   // the percent sign after a no-break space
        "данные представили 4 из 5 стран за 2017–2022", // the plural of "страна" after "из 5"
        "тест Манна — Кендалла, p = 0,00965",
        "Российская Федерация",
        "Кыргызстан",
        "Вне маршрута",
        "Источник: ",
        "Примечание: ",
    ] {
        assert!(
            all_text.contains(expected),
            "no {expected:?} in the Russian figures:\n{all_text}"
        );
    }

    // One chart of any series, in Russian.
    w.run(&[
        "plot",
        "out/northern_route",
        "--geo",
        "KAZ",
        "--geo",
        "KGZ",
        "--drug",
        "heroin",
        "--trend",
        "--lang",
        "ru",
        "--out",
        "chart.svg",
    ])
    .expect_code(0);
    let sidecar: serde_json::Value = serde_json::from_str(&w.read("chart.json")).unwrap();
    assert_eq!(sidecar["title"], "Изъятия (героин): Казахстан, Кыргызстан");
    assert_eq!(
        sidecar["series"],
        serde_json::json!(["Казахстан", "Кыргызстан"])
    );
    let svg = w.read("chart.svg");
    let mut texts = svg_texts(&svg);
    texts.push(sidecar["alt_text"].as_str().unwrap().to_string());
    texts.push(sidecar["source"].as_str().unwrap().to_string());
    for text in &texts {
        // The source names the observation table it read: a path, not words.
        let english = english_words(&text.replace("out/northern_route", ""));
        assert!(
            english.is_empty(),
            "routetrend plot --lang ru: {english:?} in {text:?}"
        );
    }
    assert!(
        texts.iter().any(|t| t.contains("Изъятия (кг)")),
        "{texts:?}"
    );
    w.run(&[
        "plot",
        "out/northern_route",
        "--geo",
        "KAZ",
        "--lang",
        "de",
        "--out",
        "x.png",
    ])
    .expect_code(2);
}

#[test]
fn runs_are_byte_identical_in_both_languages_and_russian_changes_no_english_file() {
    let both = run("[\"en\", \"ru\"]");
    let figures = |w: &Workdir| snapshot(&w.path(FIGURES));
    let first = figures(&both);
    both.run(&["run", "--quiet", "--force", "--from", "plot"])
        .expect_code(0);
    assert_eq!(
        figures(&both),
        first,
        "a re-run draws the same bytes in both languages"
    );

    let english = run("[\"en\"]");
    let alone = figures(&english);
    assert!(alone.keys().all(|f| !f.contains(".ru.")));
    // The sidecars name the run (its id hashes the pipeline file, which lists its languages).
    let without_run_id = |name: &str, bytes: &[u8]| -> Vec<u8> {
        if !name.ends_with(".json") {
            return bytes.to_vec();
        }
        let mut json: BTreeMap<String, serde_json::Value> = serde_json::from_slice(bytes).unwrap();
        json.remove("run_id");
        serde_json::to_vec(&json).unwrap()
    };
    for (name, bytes) in &alone {
        assert_eq!(
            without_run_id(name, bytes),
            without_run_id(name, &first[name]),
            "{name} changes when Russian is added"
        );
    }
    assert_eq!(
        first.len(),
        alone.len() + 8 * 3,
        "each figure adds its .ru.png, .ru.svg and .ru.json"
    );
}

/// A plain text in a bilingual pipeline is used in both languages, and the run says which
/// key lacks its own text.
#[test]
fn a_text_without_a_translation_is_used_in_every_language_with_a_warning() {
    let w = run_shipped_with(
        "y_label = { en = \"Opiates seized\", ru = \"Изъято опиатов\" }",
        "y_label = \"Opiates seized\"",
    );
    let manifest: serde_json::Value =
        serde_json::from_str(&w.read("out/northern_route/manifest.json")).unwrap();
    let warnings = manifest["warnings"].to_string();
    assert!(
        warnings.contains("no text of their own in every language for figures[3].y_label"),
        "{warnings}"
    );
    let sidecar: serde_json::Value =
        serde_json::from_str(&w.read(&format!("{FIGURES}/opiates_by_transit_country.ru.json")))
            .unwrap();
    assert!(sidecar["subtitle"]
        .as_str()
        .unwrap()
        .starts_with("Opiates seized (кг)"));
}
