//! Route maps: the shipped Northern Route maps (values from the observation table, classes,
//! sidecars, disclaimer, byte-identical re-renders, first in the report), a route declared by
//! a project's own reference drawn from the real ARQ world file, and outlines for every
//! reference route.

use std::collections::BTreeMap;

use crate::common::{public_file, Workdir};
use polars::prelude::*;
use routetrend::model::boundaries::Boundaries;
use routetrend::model::Reference;

const NORTHERN: [(&str, &str); 7] = [
    ("AFG", "origin"),
    ("KAZ", "transit"),
    ("KGZ", "transit"),
    ("TJK", "transit"),
    ("TKM", "transit"),
    ("UZB", "transit"),
    ("RUS", "destination"),
];

/// Rows of a map's CSV as header -> value maps.
fn csv_rows(text: &str) -> Vec<BTreeMap<String, String>> {
    let mut reader = csv::Reader::from_reader(text.as_bytes());
    let header: Vec<String> = reader
        .headers()
        .unwrap()
        .iter()
        .map(str::to_string)
        .collect();
    reader
        .records()
        .map(|r| {
            let r = r.unwrap();
            header
                .iter()
                .cloned()
                .zip(r.iter().map(str::to_string))
                .collect()
        })
        .collect()
}

/// Heroin seized by `geo` in `period`, summed from the run's observation table.
fn heroin(observations: &DataFrame, geo: &str, period: &str) -> Option<f64> {
    let rows = observations
        .clone()
        .lazy()
        .filter(
            col("geo")
                .eq(lit(geo))
                .and(col("drug").eq(lit("heroin")))
                .and(col("indicator").eq(lit("seizures")))
                .and(col("period").eq(lit(period)))
                .and(col("dimension").is_null())
                .and(col("value").is_not_null()),
        )
        .select([col("value").sum(), col("value").count().alias("n")])
        .collect()
        .unwrap();
    let n = rows.column("n").unwrap().u32().unwrap().get(0).unwrap_or(0);
    (n > 0).then(|| rows.column("value").unwrap().f64().unwrap().get(0).unwrap())
}

#[test]
fn shipped_route_maps_show_the_observations_with_their_route_legend_and_disclaimer() {
    let w = Workdir::new();
    w.copy_from_root("data");
    w.copy_from_root("pipelines");
    w.run(&["run", "--quiet"]).expect_code(0);
    let out = "out/northern_route";
    let file = std::fs::File::open(w.path(&format!("{out}/data/observations.parquet"))).unwrap();
    let observations = ParquetReader::new(file).finish().unwrap();

    // The 2016 map: every country of the route, its value the observation table's.
    let rows = csv_rows(&w.read(&format!("{out}/figures/northern_route_heroin_2016.csv")));
    let got: Vec<(&str, &str)> = rows
        .iter()
        .map(|r| (r["country"].as_str(), r["role"].as_str()))
        .collect();
    assert_eq!(got, NORTHERN);
    for r in &rows {
        let expected = heroin(&observations, &r["country"], "2016");
        let value: Option<f64> = r["value_in_unit"].parse().ok();
        match (expected, value) {
            (Some(e), Some(v)) => assert!((e - v).abs() < 1e-9 * e.abs().max(1.0), "{r:?}: {e}"),
            (None, None) => assert_eq!(r["class"], "No data", "{r:?}"),
            other => panic!("{r:?}: {other:?}"),
        }
    }
    // Values that span orders of magnitude get classes by powers of ten: Afghanistan's
    // 4,588 kg and Turkmenistan's 0.95 kg are not lumped with the rest.
    let class = |c: &str| rows.iter().find(|r| r["country"] == c).unwrap()["class"].clone();
    assert_eq!(class("AFG"), "1,000 to 10,000");
    assert_eq!(class("TKM"), "0 to 1");
    assert_eq!(class("TJK"), "10 to 100");

    // The change map: 2016 less 2010, on a diverging scale.
    let change = csv_rows(&w.read(&format!("{out}/figures/northern_route_heroin_change.csv")));
    for r in &change {
        let (a, b) = (
            heroin(&observations, &r["country"], "2010"),
            heroin(&observations, &r["country"], "2016"),
        );
        let value: Option<f64> = r["value_in_unit"].parse().ok();
        match (a, b, value) {
            (Some(a), Some(b), Some(v)) => assert!((b - a - v).abs() < 1e-6, "{r:?}"),
            (_, _, None) => assert!(a.is_none() || b.is_none(), "{r:?}"),
            other => panic!("{r:?}: {other:?}"),
        }
    }
    assert!(change.iter().any(|r| r["class"].starts_with('\u{2212}')));

    // Sidecar: kind, alt text with the numbers, the UN disclaimer.
    let sidecar: serde_json::Value =
        serde_json::from_str(&w.read(&format!("{out}/figures/northern_route_heroin_2016.json")))
            .unwrap();
    assert_eq!(sidecar["kind"], "map");
    let alt = sidecar["alt_text"].as_str().unwrap();
    assert!(
        alt.starts_with("Map of the Northern Route. Origin: Afghanistan; transit: Kazakhstan, Kyrgyzstan, Tajikistan, Turkmenistan and Uzbekistan; destination: Russian Federation."),
        "{alt}"
    );
    assert!(
        alt.contains("Afghanistan seized the most on the route, 4,588 kg"),
        "{alt}"
    );
    let notes = sidecar["notes"].as_array().unwrap();
    assert!(notes.iter().any(|n| n
        == "The boundaries and names shown and the designations used on this map do not imply official endorsement or acceptance by the United Nations."));
    let svg = w.read(&format!("{out}/figures/northern_route_heroin_2016.svg"));
    assert!(
        svg.contains(alt.split('.').next().unwrap()),
        "the SVG's <desc>"
    );

    // The report opens its figures with the maps.
    let md = w.read(&format!("{out}/report.md"));
    let first_png = md.find("figures/").map(|i| &md[i..i + 40]).unwrap();
    assert!(
        first_png.starts_with("figures/northern_route_heroin_2016.png"),
        "{first_png}"
    );

    // Same inputs, same bytes.
    let before: Vec<Vec<u8>> = ["png", "svg", "csv", "json"]
        .iter()
        .map(|e| w.bytes(&format!("{out}/figures/northern_route_heroin_change.{e}")))
        .collect();
    w.run(&["run", "--quiet", "--force"]).expect_code(0);
    for (e, bytes) in ["png", "svg", "csv", "json"].iter().zip(before) {
        assert!(
            w.bytes(&format!("{out}/figures/northern_route_heroin_change.{e}")) == bytes,
            "{e} differs on a re-run"
        );
    }
}

#[test]
fn every_country_of_every_reference_route_has_an_outline() {
    let reference = Reference::load(Some(&crate::common::root().join("data/reference"))).unwrap();
    let boundaries = Boundaries::load(None).unwrap();
    assert!(!reference.routes.is_empty());
    for route in &reference.routes {
        for code in route
            .origin
            .iter()
            .chain(&route.transit)
            .chain(&route.destination)
        {
            for m in reference.countries_of(code) {
                let country = boundaries.country(&m);
                assert!(
                    country.is_some_and(|c| !c.polygons.is_empty()),
                    "{}: {m} has no outline",
                    route.id
                );
            }
        }
    }
}

#[test]
fn a_route_of_the_project_is_mapped_from_the_arq_world_file() {
    // A Balkan route defined in the pipeline file, and the shipped Southern route; small
    // multiples per period.
    let w = Workdir::new();
    w.copy_from_root("data/reference");
    w.copy_from_root("data/mappings");
    std::fs::create_dir_all(w.path("data/public")).unwrap();
    std::fs::copy(
        public_file("arq_seizures_1970_2020.csv"),
        w.path("data/public/arq.csv"),
    )
    .unwrap();
    w.write(
        "pipelines/balkan.toml",
        r#"name = "balkan"
root = ".."
output = "out/balkan"

[[inputs]]
file = "data/public/arq.csv"
mapping = "data/mappings/arq_seizures.toml"

[analyze]
geos = ["AFG", "IRN", "TUR", "BGR", "SRB", "DEU", "NLD", "PAK", "ARE", "OMN", "KEN", "TZA", "MOZ", "ZAF", "IND", "LKA"]

[[routes]]
id = "balkan_core"
name = "Balkan route"
origin = ["AFG"]
transit = ["IRN", "TUR", "BGR", "SRB"]
destination = ["DEU", "NLD"]
drugs = ["heroin"]

[[figures]]
slug = "balkan_heroin"
kind = "map"
route = "balkan_core"
title = "Heroin seizures along the Balkan route"
y_label = "Heroin seized"
measure = { drug = "heroin", periods = ["2008", "2016"] }

[[figures]]
slug = "balkan_heroin_mean"
kind = "map"
route = "balkan_core"
title = "Heroin seized along the Balkan route, yearly mean"
y_label = "Heroin seized"
measure = { drug = "heroin", window = "2012-2016", stat = "mean" }

[[figures]]
slug = "balkan_opiates"
kind = "map"
route = "balkan_core"
title = "Heroin and opium seized along the Balkan route, 2016"
y_label = "Seized"
measure = { drugs = ["heroin", "opium"], period = "2016" }

[[figures]]
slug = "southern_heroin"
kind = "map"
route = "southern"
title = "Heroin seized along the southern route, 2016"
y_label = "Heroin seized"
measure = { drug = "heroin", period = "2016" }
"#,
    );
    w.run(&["run", "pipelines/balkan.toml", "--quiet"])
        .expect_code(0);
    let rows = csv_rows(&w.read("out/balkan/figures/balkan_heroin.csv"));
    let panels: Vec<&str> = rows.iter().map(|r| r["panel"].as_str()).collect();
    assert_eq!(panels, [["2008"; 7], ["2016"; 7]].concat());
    let countries: Vec<&str> = rows[..7].iter().map(|r| r["country"].as_str()).collect();
    assert_eq!(countries, ["AFG", "IRN", "TUR", "BGR", "SRB", "DEU", "NLD"]);
    // Iran seizes heroin by the tonne in the ARQ file: it has a value in both years.
    for r in rows.iter().filter(|r| r["country"] == "IRN") {
        assert!(r["value_in_unit"].parse::<f64>().unwrap() > 1000.0, "{r:?}");
    }
    let mean = csv_rows(&w.read("out/balkan/figures/balkan_heroin_mean.csv"));
    assert_eq!(mean.len(), 7);
    assert!(mean.iter().all(|r| r["measure"] == "mean 2012-2016"));
    // A map per drug, on one scale.
    let by_drug = csv_rows(&w.read("out/balkan/figures/balkan_opiates.csv"));
    let panels: Vec<&str> = by_drug.iter().map(|r| r["panel"].as_str()).collect();
    assert_eq!(panels, [["Heroin"; 7], ["Opium"; 7]].concat());
    assert!(by_drug.iter().all(|r| r["measure"] == "2016"));
    // The shipped Southern route: origin, transit, destination in its order of routes.toml.
    let southern = csv_rows(&w.read("out/balkan/figures/southern_heroin.csv"));
    let countries: Vec<&str> = southern.iter().map(|r| r["country"].as_str()).collect();
    assert_eq!(
        countries,
        ["AFG", "PAK", "IRN", "ARE", "OMN", "KEN", "TZA", "MOZ", "ZAF", "IND", "LKA"]
    );
    let pakistan = southern.iter().find(|r| r["country"] == "PAK").unwrap();
    assert!(
        pakistan["value_in_unit"].parse::<f64>().unwrap() > 1000.0,
        "{pakistan:?}"
    );
    let heroin_irn = &by_drug.iter().find(|r| r["country"] == "IRN").unwrap()["value_in_unit"];
    let heroin_2016 = rows
        .iter()
        .find(|r| r["panel"] == "2016" && r["country"] == "IRN")
        .unwrap();
    assert_eq!(heroin_irn, &heroin_2016["value_in_unit"]);
    let png = w.bytes("out/balkan/figures/balkan_heroin.png");
    assert_eq!(&png[1..4], b"PNG");
    let sidecar: serde_json::Value =
        serde_json::from_str(&w.read("out/balkan/figures/balkan_heroin.json")).unwrap();
    assert!(sidecar["alt_text"]
        .as_str()
        .unwrap()
        .starts_with("Map of the Balkan route. Origin: Afghanistan; transit: Iran (Islamic Republic of), Türkiye, Bulgaria and Serbia; destination: Germany and Netherlands"));
}

#[test]
fn map_declarations_are_checked() {
    let w = Workdir::new();
    w.copy_from_root("data");
    w.copy_from_root("pipelines");
    let shipped = w.read("pipelines/northern_route.toml");
    let cases = [
        (
            shipped.replacen(
                r#"route = "northern"
title = { en = "Heroin seizures along"#,
                r#"route = "silk"
title = { en = "Heroin seizures along"#,
                1,
            ),
            "figures[0].route",
            "'silk': not a route",
        ),
        (
            shipped.replacen(
                r#"measure = { drug = "heroin", period = "2016" }"#,
                r#"measure = { drug = "heroin", period = "2016", change = ["2010", "2016"] }"#,
                1,
            ),
            "figures[0].measure",
            "gives period and change",
        ),
        (
            shipped.replacen(
                r#"measure = { drug = "heroin", change = ["2010", "2016"] }"#,
                r#"measure = { drug = "heroin", change = ["2016", "2010"] }"#,
                1,
            ),
            "figures[1].measure.change",
            "2016 is not before 2010",
        ),
    ];
    for (text, key, says) in cases {
        assert_ne!(text, shipped, "{key}");
        w.write("pipelines/northern_route.toml", &text);
        let run = w.run(&["run", "--quiet"]);
        run.expect_code(2);
        let err = run.stderr();
        assert!(err.contains(key) && err.contains(says), "{key}: {err}");
    }
}
