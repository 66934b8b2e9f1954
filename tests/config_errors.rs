//! Every configuration error of a pipeline file names the file, the full key path, the
//! value found and what is allowed (`Pipeline::parse` on small pipeline texts; the built-in
//! reference tables, no files read). One case per message of `src/pipeline/config.rs` and
//! of the TOML reader (`files::parse_toml`).

use std::path::Path;

use routetrend::pipeline::config::Pipeline;
use routetrend::pipeline::project::Confinement;

const FILE: &str = "pipelines/test.toml";

/// A valid pipeline to which each case adds or changes one thing.
const BASE: &str = r#"
name = "test"
output = "out/test"

[[inputs]]
file = "data/raw/seizures.csv"
"#;

const FIGURE: &str = r#"
[[figures]]
slug = "heroin"
kind = "line"
title = "Heroin"
series = [{ label = "Russian Federation", geo = "RUS", drug = "heroin" }]
"#;

fn error(text: &str) -> String {
    match Pipeline::parse(text, Path::new(FILE), Confinement::Project) {
        Ok(_) => panic!("accepted:\n{text}"),
        Err(e) => e.to_string(),
    }
}

/// The message names the file and the key, and contains every one of `says`.
fn check(text: &str, key: &str, says: &[&str]) {
    let message = error(text);
    let prefix = format!("{FILE}: key '{key}': ");
    assert!(
        message.starts_with(&prefix),
        "expected {prefix:?}...\ngot: {message}"
    );
    for s in says {
        assert!(message.contains(s), "expected {s:?} in: {message}");
    }
}

fn with(extra: &str) -> String {
    format!("{BASE}{extra}")
}

#[test]
fn the_base_pipeline_is_valid() {
    Pipeline::parse(&with(FIGURE), Path::new(FILE), Confinement::Project).unwrap();
}

#[test]
fn toml_level_errors_name_the_key_path_or_the_line() {
    check(
        &BASE.replace("[[inputs]]", "[analyze]\ntrend_lable = \"mk\"\n[[inputs]]"),
        "analyze.trend_lable",
        &[
            "unknown key 'trend_lable'",
            "allowed: alpha, trend_label,",
            "did you mean 'trend_label'?",
        ],
    );
    check(
        &with(&FIGURE.replace("kind = \"line\"", "kind = \"line\"\ncolumns = \"two\"")),
        "figures[0].columns",
        &["invalid type: string \"two\"", "expected usize"],
    );
    check(
        &with(&FIGURE.replace("drug = \"heroin\"", "drug = \"heroin\", colour = \"red\"")),
        "figures[0].series[0].colour",
        &["unknown key 'colour'", "allowed: label, geo, drug"],
    );
    check(
        &BASE.replace("name = \"test\"", ""),
        "(line 1)",
        &["missing field `name`"],
    );
    check(&with("[analyze\n"), "(line 7)", &["invalid table header"]);
}

#[test]
fn inputs_and_analyze() {
    check(
        &BASE.replace("[[inputs]]\nfile = \"data/raw/seizures.csv\"\n", ""),
        "inputs",
        &["the pipeline has no [[inputs]]"],
    );
    check(
        &with("format = \"xls\"\n"),
        "inputs[0].format",
        &[
            "'xls'",
            "expected one of canonical, unodc-export, cts, wide, mapping, records",
        ],
    );
    check(
        &with("line_items = \"avg\"\n"),
        "inputs[0].line_items",
        &["avg", "sum", "reject"],
    );
    check(
        &with("missing = \"drop\"\n"),
        "inputs[0].missing",
        &["'drop': expected \"count\" or \"reject\""],
    );
    check(
        &with("[analyze]\nalpha = 2\n"),
        "analyze.alpha",
        &["2: expected a number in [1e-10, 1)"],
    );
    check(
        &with("[analyze]\ntrend_label = \"sen\"\n"),
        "analyze.trend_label",
        &["'sen'", "expected \"mk\" or \"hamed_rao\""],
    );
    check(
        &with("[analyze]\nwindows = []\n"),
        "analyze.windows",
        &["give at least one window, e.g. [\"all\"]"],
    );
    check(
        &with("[analyze]\nwindows = [\"2016-2010\"]\n"),
        "analyze.windows",
        &["window '2016-2010'", "start after end"],
    );
    check(
        &with("[analyze]\nwindows = [\"2010:2016\"]\n"),
        "analyze.windows",
        &["window '2010:2016'", "expected all, START-END (2010-2016)"],
    );
}

#[test]
fn aggregates_shares_and_routes() {
    check(
        &with("[[aggregates]]\ngeo = \"CA5\"\ndrugs = [\"heroin\"]\npolicy = \"all\"\n"),
        "aggregates[0].policy",
        &[
            "'all'",
            "expected \"flag\", \"drop\" or \"complete_members\"",
        ],
    );
    check(
        &with("[[aggregates]]\ngeo = \"Atlantis\"\ndrugs = [\"heroin\"]\n"),
        "aggregates[0].geo",
        &["Atlantis"],
    );
    check(
        &with("[[aggregates]]\ngeo = \"CA5\"\ndrugs = [\"heroine\"]\n"),
        "aggregates[0].drugs[0]",
        &["heroine", "heroin"],
    );
    let share = "[[shares]]\nid = \"s\"\ntitle = \"S\"\npart = { geo = \"RUS\", drug = \"heroin\" }\nwhole = { geo = \"CA5\", drug = \"heroin\" }\n";
    check(
        &with(&format!("{share}compare = [[\"2016\", \"20x6\"]]\n")),
        "shares[0].compare",
        &["20x6"],
    );
    check(
        &with(&format!("{share}compare = []\nwindow = \"2016-2010\"\n")),
        "shares[0].window",
        &["start after end"],
    );
    check(
        &with("[[routes]]\nid = \"western\"\ndrugs = [\"heroin\"]\n"),
        "routes[0].id",
        &[
            "'western'",
            "not a route of data/reference/routes.toml or of this pipeline (routes: northern, balkan, southern)",
        ],
    );
    check(
        &with("[[routes]]\nid = \"northern\"\ndrugs = [\"heroine\"]\n"),
        "routes[0].drugs",
        &["heroine"],
    );
    check(
        &with("[[routes]]\nid = \"northern\"\ndrugs = [\"heroin\"]\nheroin_equivalent = { opium = -1.0 }\n"),
        "routes[0].heroin_equivalent.opium",
        &["-1: expected a positive factor"],
    );
    check(
        &with("[[routes]]\nid = \"northern\"\ndrugs = [\"heroin\"]\nheroin_equivalent = { poppy = 0.1 }\n"),
        "routes[0].heroin_equivalent",
        &["poppy"],
    );
}

#[test]
fn figures() {
    let figure = |from: &str, to: &str| with(&FIGURE.replace(from, to));
    check(
        &figure("slug = \"heroin\"", "slug = \"Heroin chart\""),
        "figures[0].slug",
        &[
            "'Heroin chart'",
            "lower-case letters, digits, '_' and '-' only",
        ],
    );
    check(
        &figure("kind = \"line\"", "kind = \"pie\""),
        "figures[0].kind",
        &[
            "'pie'",
            "expected line, stacked_area, share_area, bars, small_multiples or map",
        ],
    );
    check(
        &figure("kind = \"line\"", "kind = \"line\"\nsize = \"poster\""),
        "figures[0].size",
        &["'poster'", "expected report, slide or web"],
    );
    check(
        &figure("kind = \"line\"", "kind = \"line\"\npanel_y = \"free\""),
        "figures[0].panel_y",
        &["'free'", "expected shared or independent"],
    );
    check(
        &figure("kind = \"line\"", "kind = \"line\"\nwindow = \"2022-2000\""),
        "figures[0].window",
        &["start after end"],
    );
    check(
        &figure(
            "series = [{ label = \"Russian Federation\", geo = \"RUS\", drug = \"heroin\" }]",
            "series = []",
        ),
        "figures[0].series",
        &["a figure needs at least one series"],
    );
    check(
        &figure("geo = \"RUS\",", "geo = \"RUS\", share = \"s\","),
        "figures[0].series[0]",
        &[
            "gives geo and share: give exactly one of geo",
            "share",
            "route",
        ],
    );
    check(
        &figure("geo = \"RUS\",", ""),
        "figures[0].series[0]",
        &["gives none of them: give exactly one of geo"],
    );
    check(
        &figure("geo = \"RUS\",", "route = \"northern\","),
        "figures[0].series[0].route_indicator",
        &["a route series needs route_indicator"],
    );
    check(
        &figure("geo = \"RUS\",", "geo = \"Narnia\","),
        "figures[0].series[0].geo",
        &["Narnia"],
    );
    check(
        &figure("kind = \"line\"", "kind = \"line\"\ntrend = \"Russia\""),
        "figures[0].trend",
        &["'Russia' is not the label of one of the figure's series"],
    );
    check(
        &figure(
            "kind = \"line\"",
            "kind = \"line\"\nchange_point = \"Russia\"",
        ),
        "figures[0].change_point",
        &["'Russia' is not the label of one of the figure's series"],
    );
    check(
        &with(&format!("{FIGURE}{FIGURE}")),
        "figures[1].slug",
        &["'heroin' is used twice"],
    );
}

#[test]
fn claims() {
    let claim = |body: &str| {
        with(&format!(
            "[[claims]]\nid = \"c\"\nstatement = \"S\"\n{body}\n"
        ))
    };
    check(
        &claim("kind = \"guess\""),
        "claims[0].kind",
        &["'guess'", "expected share, total, greater, peak or trend"],
    );
    check(
        &claim("kind = \"share\"\nperiod = \"2016\""),
        "claims[0].share",
        &["a share claim needs `share = \"<id of a [[shares]] entry>\"`"],
    );
    check(
        &claim("kind = \"share\"\nshare = \"nope\"\nperiod = \"2016\""),
        "claims[0].share",
        &["'nope' is not the id of a [[shares]] entry"],
    );
    check(
        &claim("kind = \"total\"\nperiod = \"2016\""),
        "claims[0].of",
        &["a total claim needs `of = { geo = ..., drug = ... }`"],
    );
    check(
        &claim("kind = \"total\"\nof = { geo = \"CA5\", drug = \"heroin\" }"),
        "claims[0].period",
        &["missing: give a period such as \"2016\" or \"2017Q1\""],
    );
    check(
        &claim("kind = \"total\"\nof = { geo = \"CA5\", drug = \"heroin\" }\nperiod = \"2016Q5\""),
        "claims[0].period",
        &["2016Q5"],
    );
    check(
        &claim("kind = \"greater\"\na = { geo = \"RUS\", drug = \"heroin\" }"),
        "claims[0].b",
        &["a greater claim needs `b = { geo = ..., drug = ... }`"],
    );
    check(
        &claim("kind = \"peak\"\nof = { geo = \"CA5\", drug = \"heroin\" }"),
        "claims[0].peak",
        &["a peak claim needs `peak = \"2003-2004\"`"],
    );
    check(
        &claim("kind = \"trend\"\nof = { geo = \"CA5\", drug = \"heroin\" }\ndirection = \"up\""),
        "claims[0].direction",
        &["'up': expected \"increasing\", \"decreasing\" or \"no trend\""],
    );
    check(
        &claim("kind = \"total\"\nof = { geo = \"CA5\", drug = \"heroin\" }\nperiod = \"2016\"\nqualifier = \"roughly\""),
        "claims[0].qualifier",
        &["roughly"],
    );
    check(
        &claim("kind = \"trend\"\nof = { geo = \"CA5\", drug = \"heroin\" }\ndirection = \"increasing\"\nwindow = \"x\""),
        "claims[0].window",
        &["window 'x'"],
    );
}

#[test]
fn confinement_names_the_key_and_how_to_allow_it() {
    let dir = tempfile::tempdir().unwrap();
    let pipelines = dir.path().join("pipelines");
    std::fs::create_dir_all(&pipelines).unwrap();
    let file = pipelines.join("test.toml");
    let text = BASE.replace(
        "output = \"out/test\"",
        "root = \"..\"\noutput = \"../../elsewhere\"",
    );
    let message = Pipeline::parse(&text, &file, Confinement::Project)
        .unwrap_err()
        .to_string();
    assert!(
        message.contains("key 'output'")
            && message.contains("is outside the project folder")
            && message.contains("pass --allow-outside to allow it"),
        "{message}"
    );
}

#[test]
fn figure_axis_bounds_are_checked() {
    check(
        &with(&format!("{FIGURE}y_min = 500\ny_max = 100\n")),
        "figures[0].y_max",
        &["100: must be above y_min (500)"],
    );
    check(
        &with(&format!(
            "{}y_min = 10\n",
            FIGURE.replace("kind = \"line\"", "kind = \"bars\"")
        )),
        "figures[0].y_min",
        &["bars and areas start at zero"],
    );
}

#[test]
fn inputs_merge_regions_and_routes_of_the_pipeline_are_checked() {
    let second = "[[inputs]]\nfile = \"data/raw/other.csv\"\n";
    check(
        &with(&format!("{second}id = \"seizures\"\n")),
        "inputs[1].id",
        &["'seizures' is already the id of inputs[0]"],
    );
    check(
        &with("id = \"a b\"\n"),
        "inputs[0].id",
        &["'a b': an id is letters, digits"],
    );
    check(
        &with("periods = \"2018-2010\"\n"),
        "inputs[0].periods",
        &["2018-2010"],
    );
    check(
        &with("conflict = \"first\"\n"),
        "inputs[0].conflict",
        &["'first': expected \"reject\" or \"last\""],
    );
    check(
        &with("conflict = \"last\"\nline_items = \"sum\"\n"),
        "inputs[0].conflict",
        &["give one of the two"],
    );
    check(
        &with(&format!(
            "{second}[merge]\nprefer = [\"other\", \"unodc\"]\n"
        )),
        "merge.prefer[1]",
        &["'unodc' is not the id of an input; the inputs are seizures, other"],
    );
    check(
        &with("[merge]\nprefer = [\"seizures\", \"seizures\"]\n"),
        "merge.prefer[1]",
        &["'seizures' is listed twice"],
    );
    check(
        &with("[merge]\ntolerance = 1.5\n"),
        "merge.tolerance",
        &["1.5: expected a relative difference from 0"],
    );
    let region = |code: &str, members: &str| {
        with(&format!(
            "[[regions]]\ncode = \"{code}\"\nname = \"Region {code}\"\nmembers = [{members}]\n"
        ))
    };
    check(
        &region("CA5", "\"KAZ\""),
        "regions[0]",
        &["'CA5' is already a code of the reference tables"],
    );
    check(
        &region("BLK", "\"TUR\", \"XXX\""),
        "regions[0]",
        &["member 'XXX' is not a country code of countries.csv"],
    );
    check(&region("BLK", ""), "regions[0]", &["at least one member"]);
    let route = "[[routes]]\nid = \"own\"\nname = \"Own route\"\ndrugs = [\"heroin\"]\norigin = [\"AFG\"]\n";
    check(
        &with(&format!("{route}transit = []\n")),
        "routes[0]",
        &["needs name, origin, transit and destination; missing: destination"],
    );
    check(
        &with(&format!(
            "{route}transit = [\"IRN\", \"QQQ\"]\ndestination = [\"TUR\"]\n"
        )),
        "routes[0]",
        &["'QQQ' is not a country code of countries.csv"],
    );
    check(
        &with(&format!(
            "{}transit = []\ndestination = [\"TUR\"]\n",
            route.replace("\"own\"", "\"balkan\"")
        )),
        "routes[0]",
        &["'balkan' is already a route of the reference tables"],
    );
    check(
        &with("[[routes]]\nid = \"balkan\"\ndrugs = [\"heroin\"]\nnotes = \"mine\"\n"),
        "routes[0].notes",
        &["notes belong to a route defined here"],
    );
    // A pipeline's own route and region are found like the shipped ones.
    let own = format!(
        "[[regions]]\ncode = \"BLK\"\nname = \"Balkan transit\"\nmembers = [\"IRN\", \"TUR\"]\n\
         {route}transit = [\"IRN\", \"TUR\"]\ndestination = [\"DEU\"]\n"
    );
    let pipeline = Pipeline::parse(&with(&own), Path::new(FILE), Confinement::Project).unwrap();
    let reference = &pipeline.reference;
    assert_eq!(reference.route("own").unwrap().destination, ["DEU"]);
    assert_eq!(reference.region("BLK").unwrap().members, ["IRN", "TUR"]);
}

#[test]
fn languages_and_texts_per_language() {
    check(
        &format!("languages = [\"en\", \"de\"]\n{}", with(FIGURE)),
        "languages[1]",
        &["'de' is not a language of routetrend", "en, ru"],
    );
    check(
        &format!("languages = [\"en\", \"ru\", \"ru\"]\n{}", with(FIGURE)),
        "languages[2]",
        &["'ru' is listed twice"],
    );
    check(
        &format!("languages = [\"ru\", \"en\"]\n{}", with(FIGURE)),
        "languages[0]",
        &["the first language must be en for now", "[\"en\", \"ru\"]"],
    );
    check(
        &format!("languages = []\n{}", with(FIGURE)),
        "languages",
        &["give at least one language"],
    );
    let figure = |from: &str, to: &str| with(&FIGURE.replace(from, to));
    check(
        &figure(
            "title = \"Heroin\"",
            "title = { en = \"Heroin\", fr = \"Héroïne\" }",
        ),
        "figures[0].title.fr",
        &["'fr' is not a language of routetrend"],
    );
    check(
        &figure("title = \"Heroin\"", "title = {}"),
        "figures[0].title",
        &["an empty table", "{ en = \"...\", ru = \"...\" }"],
    );
    check(
        &figure("title = \"Heroin\"", "title = 7"),
        "figures[0].title",
        &["expected a text, or a text per language"],
    );
}

/// A text given per language is used in its language; a plain text in every language, its
/// key listed as untranslated; `trend` names a series by its first-language label.
#[test]
fn texts_resolve_per_language_and_untranslated_keys_are_listed() {
    use routetrend::i18n::Language;
    let text = format!(
        "languages = [\"en\", \"ru\"]\n{BASE}{}",
        FIGURE
            .replace(
                "title = \"Heroin\"",
                "title = { en = \"Heroin\", ru = \"Героин\" }\ntrend = \"Russian Federation\""
            )
            .replace(
                "label = \"Russian Federation\"",
                "label = { en = \"Russian Federation\", ru = \"Российская Федерация\" }"
            )
    );
    let pipeline = Pipeline::parse(&text, Path::new(FILE), Confinement::Project).unwrap();
    assert_eq!(pipeline.languages, [Language::En, Language::Ru]);
    let (en, _) = pipeline.in_language(Language::En);
    let (ru, ru_report) = pipeline.in_language(Language::Ru);
    assert_eq!(
        (en[0].title.as_str(), ru[0].title.as_str()),
        ("Heroin", "Героин")
    );
    assert_eq!(ru[0].series[0].label, "Российская Федерация");
    assert_eq!(ru[0].trend, Some(0));
    // Built in: the default y label and source line of each language.
    assert_eq!(
        (en[0].y_label.as_str(), ru[0].y_label.as_str()),
        ("Seizures", "Изъятия")
    );
    assert!(
        ru_report.source.contains("routetrend"),
        "{}",
        ru_report.source
    );
    assert_eq!(pipeline.untranslated, Vec::<String>::new());

    let regions = r#"
[[regions]]
code = "CAS"
name = "Caspian states"
members = ["AZE", "KAZ"]

[[regions]]
code = "TRC"
name = { en = "Transcaucasia", ru = "Закавказье" }
members = ["ARM", "AZE", "GEO"]
"#;
    let plain = format!("languages = [\"en\", \"ru\"]\n{}{regions}", with(FIGURE));
    let pipeline = Pipeline::parse(&plain, Path::new(FILE), Confinement::Project).unwrap();
    assert_eq!(pipeline.in_language(Language::Ru).0[0].title, "Heroin");
    assert_eq!(
        pipeline.untranslated,
        [
            "regions[0].name",
            "figures[0].series[0].label",
            "figures[0].title"
        ]
    );
    let names = |code: &str| {
        let region = pipeline.reference.region(code).unwrap();
        (region.name.clone(), region.name_ru.clone())
    };
    assert_eq!(names("CAS"), ("Caspian states".into(), None));
    assert_eq!(
        names("TRC"),
        ("Transcaucasia".into(), Some("Закавказье".into()))
    );
    assert_eq!(
        pipeline.reference.geo_name_in("TRC", Language::Ru),
        "Закавказье"
    );
}
