//! Criterion benchmark of one route map: the Northern Route's heroin seizures in 2016 at the
//! `report` preset (projection and clipping of every outline, label search, arrows, the PNG
//! at twice its size box-filtered down, and the SVG), and loading the built-in outlines.
//! Not a correctness check (tests/map.rs is). Numbers and the machine they
//! came from are in BENCHMARKS.md.
//!
//! Run: `cargo bench --bench map`.

use std::hint::black_box;

use criterion::{criterion_group, criterion_main, Criterion};
use routetrend::i18n::{Language, Texts};
use routetrend::model::boundaries::Boundaries;
use routetrend::plot::{render_map, MapChart, MapPanel, MapRoute, SizePreset, Unit};

fn codes(c: &[&str]) -> Vec<String> {
    c.iter().map(|s| s.to_string()).collect()
}

/// Heroin seized in 2016, kg: the shipped pipeline's `northern_route_heroin_2016.csv`
/// (`value_in_unit`), from `data/raw/seizures.csv`.
fn northern() -> MapChart {
    let values = [
        ("AFG", 4587.7),
        ("KAZ", 196.64093),
        ("KGZ", 166.811),
        ("TJK", 88.79),
        ("TKM", 0.95),
        ("UZB", 107.76),
        ("RUS", 965.791),
    ];
    MapChart {
        language: Language::En,
        title: "Heroin seizures along the Northern Route, 2016".into(),
        subtitle: "Heroin seized (kg), 2016, by country of the Northern Route".into(),
        source: "UNODC; routetrend analysis".into(),
        notes: vec![Texts::of(Language::En).get("map-disclaimer")],
        legend_title: "Heroin seized".into(),
        unit: Unit::Kg,
        change: false,
        route: MapRoute {
            name: "Northern Route".into(),
            origin: codes(&["AFG"]),
            transit: codes(&["KAZ", "KGZ", "TJK", "TKM", "UZB"]),
            destination: codes(&["RUS"]),
        },
        panels: vec![MapPanel {
            title: "2016".into(),
            values: values
                .iter()
                .map(|(c, v)| (c.to_string(), Some(*v)))
                .collect(),
        }],
        names: Default::default(),
        columns: 0,
        size: SizePreset::Report,
        alt_text: "Map of the Northern Route.".into(),
    }
}

fn bench(c: &mut Criterion) {
    let boundaries = Boundaries::load(None).expect("built-in outlines");
    let dir = tempfile::tempdir().expect("scratch folder");
    let (png, svg) = (dir.path().join("map.png"), dir.path().join("map.svg"));
    let chart = northern();
    render_map(&chart, &boundaries, &png, &svg).expect("renders");
    c.bench_function("northern_route_map_report", |b| {
        b.iter(|| render_map(black_box(&chart), &boundaries, &png, &svg))
    });
    c.bench_function("boundaries_load_built_in", |b| {
        b.iter(|| Boundaries::load(None))
    });
}

criterion_group! {
    name = benches;
    config = Criterion::default().sample_size(10);
    targets = bench
}
criterion_main!(benches);
