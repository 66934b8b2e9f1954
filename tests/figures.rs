//! The default figures of the Northern Route pipeline: every figure's CSV matches the table
//! it came from, the SVG parses as XML with <title>/<desc> and no external reference, the PNG
//! decodes at the promised size, the JSON sidecar carries alt text and the run id, and two
//! renders are byte-identical. (Gaps, fonts and escaping are tested in plot_render.rs.)

use std::collections::BTreeMap;

use crate::common::{figure_slugs, svg_texts, Workdir};
use polars::prelude::*;

const FIGURES: &str = "out/northern_route/figures";

fn run_shipped() -> Workdir {
    let w = Workdir::new();
    w.copy_from_root("data");
    w.copy_from_root("pipelines");
    w.run(&["run", "--quiet"]).expect_code(0);
    w
}

fn slugs(w: &Workdir) -> Vec<String> {
    figure_slugs(w, FIGURES)
}

fn figure_csv(w: &Workdir, slug: &str) -> Vec<BTreeMap<String, String>> {
    let mut reader = csv::Reader::from_path(w.path(&format!("{FIGURES}/{slug}.csv"))).unwrap();
    let headers = reader.headers().unwrap().clone();
    reader
        .records()
        .map(|r| {
            headers
                .iter()
                .zip(r.unwrap().iter())
                .map(|(h, v)| (h.to_string(), v.to_string()))
                .collect()
        })
        .collect()
}

fn table(w: &Workdir, name: &str) -> DataFrame {
    let file = std::fs::File::open(w.path(&format!("out/northern_route/{name}.parquet"))).unwrap();
    ParquetReader::new(file).finish().unwrap()
}

fn lookup(df: &DataFrame, filter: Expr, period: &str, column: &str) -> f64 {
    let hit = df
        .clone()
        .lazy()
        .filter(filter.and(col("period").eq(lit(period))))
        .collect()
        .unwrap();
    assert_eq!(hit.height(), 1, "{period}");
    hit.column(column).unwrap().f64().unwrap().get(0).unwrap()
}

#[test]
fn default_figures_have_all_files_and_valid_formats() {
    let w = run_shipped();
    let slugs = slugs(&w);
    assert_eq!(slugs.len(), 8, "{slugs:?}");
    for slug in &slugs {
        let json: serde_json::Value =
            serde_json::from_str(&w.read(&format!("{FIGURES}/{slug}.json"))).unwrap();
        for key in ["title", "subtitle", "source", "alt_text", "run_id"] {
            assert!(
                json[key].as_str().is_some_and(|s| !s.is_empty()),
                "{slug}: {key}"
            );
        }
        let alt = json["alt_text"].as_str().unwrap();
        // (A map's alt text gives its countries' values: tests/map.rs.)
        assert!(
            json["kind"] == "map" || (alt.contains(" to ") && alt.contains(" in ")),
            "{slug}: alt text gives numbers: {alt}"
        );
        // PNG decodes at the promised size.
        let decoder = png::Decoder::new(
            std::fs::File::open(w.path(&format!("{FIGURES}/{slug}.png"))).unwrap(),
        );
        let reader = decoder.read_info().unwrap();
        let info = reader.info();
        assert_eq!(
            (info.width, info.height),
            (
                json["size"]["width_px"].as_u64().unwrap() as u32,
                json["size"]["height_px"].as_u64().unwrap() as u32
            )
        );
        assert_eq!(
            (info.width, info.height),
            (2008, 1240),
            "{slug}: report preset, 170 mm at 300 dpi"
        );
        // SVG parses as XML, carries title and desc, references nothing outside, and is
        // sized in millimetres (its printed size) over its pixel grid.
        let svg = w.read(&format!("{FIGURES}/{slug}.svg"));
        assert!(
            svg.contains("width=\"170.01mm\" height=\"104.99mm\" viewBox=\"0 0 2008 1240\""),
            "{slug}: {}",
            &svg[..200.min(svg.len())]
        );
        let mut reader = quick_xml::Reader::from_str(&svg);
        let mut names = Vec::new();
        loop {
            match reader.read_event() {
                Ok(quick_xml::events::Event::Eof) => break,
                Ok(quick_xml::events::Event::Start(e)) => {
                    names.push(String::from_utf8_lossy(e.name().as_ref()).into_owned())
                }
                Ok(_) => {}
                Err(e) => panic!("{slug}.svg is not XML: {e}"),
            }
        }
        assert!(
            names.contains(&"title".to_string()) && names.contains(&"desc".to_string()),
            "{slug}"
        );
        assert!(
            !svg.contains("href") && !svg.contains("http://www.w3.org/1999/xlink"),
            "{slug}: no external references"
        );
        assert!(
            svg.contains(&json["title"].as_str().unwrap().replace('&', "&amp;")),
            "{slug}: title in the SVG"
        );
    }
    let heroin: serde_json::Value =
        serde_json::from_str(&w.read(&format!("{FIGURES}/heroin_rus_vs_central_asia.json")))
            .unwrap();
    let alt = heroin["alt_text"].as_str().unwrap();
    assert!(
        alt.contains("Russian Federation: fell from 984 kg in 2000 to 911.7 kg in 2022"),
        "{alt}"
    );
    assert!(
        alt.contains("decreasing (Mann-Kendall p = 0.00965"),
        "{alt}"
    );
    assert!(
        heroin["notes"][0]
            .as_str()
            .unwrap()
            .contains("4 of 5 members report in 2017-2022; Turkmenistan missing"),
        "{heroin}"
    );
}

#[test]
fn every_figure_csv_matches_the_table_it_came_from() {
    let w = run_shipped();
    let aggregates = table(&w, "tables/aggregates");
    let observations = table(&w, "data/observations");
    let shares = table(&w, "tables/share_series");
    let route = table(&w, "tables/route");
    let value = |row: &BTreeMap<String, String>| row["value"].parse::<f64>().unwrap();

    for row in figure_csv(&w, "heroin_rus_vs_central_asia") {
        let want = match row["series"].as_str() {
            "Russian Federation" => lookup(
                &observations,
                col("geo").eq(lit("RUS")).and(col("drug").eq(lit("heroin"))),
                &row["period"],
                "value",
            ),
            _ => lookup(
                &aggregates,
                col("geo").eq(lit("CA5")).and(col("drug").eq(lit("heroin"))),
                &row["period"],
                "value",
            ),
        };
        assert_eq!(value(&row), want, "{row:?}");
        assert_eq!(
            row["y"].parse::<f64>().unwrap(),
            want,
            "plotted in kg: {row:?}"
        );
    }
    for row in figure_csv(&w, "cannabis_share_central_asia") {
        let want = lookup(
            &shares,
            col("share_id").eq(lit("ca5_cannabis_share")),
            &row["period"],
            "share",
        );
        assert_eq!(value(&row), want);
        assert!(
            (row["y"].parse::<f64>().unwrap() - 100.0 * want).abs() < 1e-9,
            "plotted in percent"
        );
    }
    for row in figure_csv(&w, "destination_transit_ratio") {
        let filter = col("indicator")
            .eq(lit("destination_transit_ratio"))
            .and(col("drug").eq(lit("heroin")));
        assert_eq!(value(&row), lookup(&route, filter, &row["period"], "value"));
    }
    let composition = figure_csv(&w, "drug_composition_central_asia");
    assert!(!composition.is_empty());
    for row in composition {
        let drug = row["series"].to_lowercase().replace(' ', "_");
        let want = lookup(
            &aggregates,
            col("geo").eq(lit("CA5")).and(col("drug").eq(lit(drug))),
            &row["period"],
            "value",
        );
        assert_eq!(value(&row), want, "{row:?}");
    }
    // Turkmenistan's panel stops in 2016: a gap, not zeros.
    let tkm: Vec<_> = figure_csv(&w, "opiates_by_transit_country")
        .into_iter()
        .filter(|r| r["series"] == "Turkmenistan")
        .collect();
    assert_eq!(tkm.last().unwrap()["period"], "2016");
}

#[test]
fn renders_are_byte_identical_and_a_title_change_reruns_plot_only() {
    let w = run_shipped();
    let read_all = |w: &Workdir| -> BTreeMap<String, Vec<u8>> {
        slugs(w)
            .iter()
            .flat_map(|s| ["png", "svg", "csv", "json"].map(|e| format!("{s}.{e}")))
            .map(|f| (f.clone(), w.bytes(&format!("{FIGURES}/{f}"))))
            .collect()
    };
    let first = read_all(&w);
    w.run(&["run", "--quiet", "--force", "--from", "plot"])
        .expect_code(0);
    assert_eq!(read_all(&w), first, "re-render is byte-identical");

    let pipeline = w.read("pipelines/northern_route.toml");
    w.write(
        "pipelines/northern_route.toml",
        pipeline.replace("What Central Asia seizes", "What the five countries seize"),
    );
    let status = w.run(&["status"]);
    assert!(status.stdout().contains("ingest: up to date\nanalyze: up to date\nplot: out of date: parameters changed ([figures])"), "{status}");
    w.run(&["run", "--quiet"]).expect_code(0);
    let manifest: serde_json::Value =
        serde_json::from_str(&w.read("out/northern_route/manifest.json")).unwrap();
    let statuses: Vec<&str> = manifest["stages"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["status"].as_str().unwrap())
        .collect();
    assert_eq!(
        statuses,
        ["up_to_date", "up_to_date", "ran", "ran"],
        "plot and report only"
    );
    assert!(w
        .read(&format!("{FIGURES}/drug_composition_central_asia.svg"))
        .contains("What the five countries seize"));
}

/// A project of two series: KAZ heroin falling steeply (significant, its Sen line would cross
/// zero within the window), TJK heroin flat with noise (no significant trend).
fn trend_project() -> Workdir {
    let w = Workdir::new();
    let kaz = [
        900.0, 760.0, 700.0, 520.0, 430.0, 300.0, 230.0, 90.0, 40.0, 5.0,
    ];
    let tjk = [
        500.0, 620.0, 480.0, 590.0, 510.0, 600.0, 470.0, 610.0, 500.0, 580.0,
    ];
    let mut csv = String::from("indicator,geo,drug,period,value,unit\n");
    for (i, (k, t)) in kaz.iter().zip(tjk).enumerate() {
        let year = 2010 + i;
        csv.push_str(&format!(
            "seizures,KAZ,heroin,{year},{k},kg\nseizures,TJK,heroin,{year},{t},kg\n"
        ));
    }
    w.write("data/trend.csv", csv);
    let figure = |slug: &str, geo: &str, label: &str, extra: &str| {
        format!(
            "[[figures]]\nslug = \"{slug}\"\nkind = \"line\"\ntitle = \"Heroin seizures\"\n\
             y_label = \"Heroin seized\"\nseries = [{{ label = \"{label}\", geo = \"{geo}\", drug = \"heroin\" }}]\n\
             trend = \"{label}\"\n{extra}\n"
        )
    };
    w.write(
        "pipelines/trend.toml",
        format!(
            "name = \"trend\"\nroot = \"..\"\noutput = \"out/trend\"\n\n[[inputs]]\nfile = \"data/trend.csv\"\n\n{}{}",
            figure("falling", "KAZ", "Kazakhstan", ""),
            figure("flat", "TJK", "Tajikistan", "")
                + &figure("flat_always", "TJK", "Tajikistan", "trend_always = true")
                + &figure("falling_band", "KAZ", "Kazakhstan", "trend_band = true")
        ),
    );
    w.run(&["run", "pipelines/trend.toml", "--quiet"])
        .expect_code(0);
    w
}

#[test]
fn trend_lines_are_drawn_only_when_significant_named_and_never_below_zero() {
    let w = trend_project();
    let sidecar = |slug: &str| -> serde_json::Value {
        serde_json::from_str(&w.read(&format!("out/trend/figures/{slug}.json"))).unwrap()
    };
    // Tajikistan: no significant trend, so no line, and a note with the test's p.
    let flat = sidecar("flat");
    let notes = flat["notes"].to_string();
    assert!(
        notes.contains("Tajikistan: no significant trend (Mann-Kendall p = "),
        "{notes}"
    );
    let flat = svg_texts(&w.read("out/trend/figures/flat.svg"));
    assert!(
        !flat.iter().any(|t| t.contains("Sen slope")),
        "a line for a non-significant trend: {flat:?}"
    );
    // Kazakhstan: the line is labelled with its series, and clipped at zero: the value axis
    // has no negative tick.
    let texts = svg_texts(&w.read("out/trend/figures/falling.svg"));
    assert!(
        texts.iter().any(|t| t.contains("Kazakhstan: Sen slope -")),
        "the legend names the series: {texts:?}"
    );
    assert!(
        texts
            .iter()
            .all(|t| !t.trim_start().starts_with('-') || t.contains("Sen slope")),
        "a negative axis label in {texts:?}"
    );
    assert!(
        texts.iter().any(|t| t.trim() == "0"),
        "the axis starts at 0: {texts:?}"
    );
    // trend_always: the non-significant line is drawn, faint and labelled so.
    let always = svg_texts(&w.read("out/trend/figures/flat_always.svg"));
    assert!(
        always
            .iter()
            .any(|t| t.contains("Tajikistan: Sen slope 0 kg per year (not significant)")),
        "{always:?}"
    );
    assert!(sidecar("flat_always")["notes"]
        .to_string()
        .contains("drawn faint"));
    // trend_band: a shaded polygon under the line, and a note saying what it is.
    let polygons = |slug: &str| {
        w.read(&format!("out/trend/figures/{slug}.svg"))
            .matches("<polygon")
            .count()
    };
    assert!(
        polygons("falling_band") > polygons("falling"),
        "no band drawn"
    );
    let band = sidecar("falling_band");
    assert!(
        band["notes"]
            .to_string()
            .contains("shaded, the 95% confidence interval of the Sen slope"),
        "{band}"
    );
}

#[test]
fn each_shipped_figure_shows_one_unit_and_names_countries_in_its_notes() {
    let w = run_shipped();
    for slug in slugs(&w) {
        let json: serde_json::Value =
            serde_json::from_str(&w.read(&format!("{FIGURES}/{slug}.json"))).unwrap();
        let (subtitle, axis, alt) = (
            json["subtitle"].as_str().unwrap(),
            json["y_unit"].as_str().unwrap(),
            json["alt_text"].as_str().unwrap(),
        );
        // No weight or count axis goes below zero (a map of changes has negative classes).
        if ["kg", "t", "count"].contains(&axis) && json["kind"] != "map" {
            let svg = w.read(&format!("{FIGURES}/{slug}.svg"));
            let labels = svg_texts(&svg);
            assert!(
                !labels
                    .iter()
                    .any(|l| l.starts_with('\u{2212}') || l.starts_with('-')),
                "{slug}: a negative axis label in {labels:?}"
            );
        }
        // Notes name countries, never their codes.
        let notes = json["notes"].to_string();
        for code in ["KAZ", "KGZ", "TJK", "TKM", "UZB", "RUS", "AFG"] {
            assert!(
                !notes.contains(code),
                "{slug}: a code in the notes: {notes}"
            );
        }
        if json["kind"] == "share_area" {
            continue; // the axis shows percentages of the values' total
        }
        assert!(
            subtitle.contains(&format!("({axis})")),
            "{slug}: '{subtitle}' vs axis {axis}"
        );
        // Weights in the alt text are in the axis unit only.
        let other = match axis {
            "t" => Some(" kg"),
            "kg" => Some(" t "),
            _ => None,
        };
        if let Some(other) = other {
            assert!(
                !alt.contains(other),
                "{slug}: '{alt}' mixes units with axis {axis}"
            );
        }
    }
}

#[test]
fn an_incomplete_total_is_marked_on_the_chart_and_in_its_csv() {
    // Shipped data, plus one 2023 row for Kazakhstan alone: Central Asia (5) in 2023 is a
    // total of 1 of 5 members.
    let w = run_shipped();
    let hollow = |w: &Workdir| {
        let svg = w.read(&format!("{FIGURES}/heroin_rus_vs_central_asia.svg"));
        svg.split("<circle")
            .skip(1)
            .filter(|c| c.split('>').next().unwrap_or("").contains("fill=\"none\""))
            .count()
    };
    let before = hollow(&w);
    let mut data = w.read("data/raw/seizures.csv");
    data.push_str("seizures,KAZ,heroin,,,2023,85.5,kg,test row\n");
    w.write("data/raw/seizures.csv", data);
    w.run(&["run", "--quiet"]).expect_code(0);
    let rows = figure_csv(&w, "heroin_rus_vs_central_asia");
    let ca = |period: &str| {
        rows.iter()
            .find(|r| r["series"] == "Central Asia (5)" && r["period"] == period)
            .unwrap_or_else(|| panic!("no Central Asia (5) {period}"))
    };
    let y2023 = ca("2023");
    assert_eq!(
        (
            y2023["members_reporting"].as_str(),
            y2023["members_total"].as_str()
        ),
        ("1", "5")
    );
    let y2016 = ca("2016");
    assert_eq!(
        (
            y2016["members_reporting"].as_str(),
            y2016["members_total"].as_str()
        ),
        ("5", "5")
    );
    assert!(
        rows.iter()
            .filter(|r| r["series"] == "Russian Federation")
            .all(|r| r["members_total"].is_empty()),
        "a country series has no members"
    );
    // One more hollow marker, and the note tells who reports.
    assert_eq!(hollow(&w), before + 1, "the 2023 point is drawn hollow");
    let sidecar: serde_json::Value =
        serde_json::from_str(&w.read(&format!("{FIGURES}/heroin_rus_vs_central_asia.json")))
            .unwrap();
    let notes = sidecar["notes"].to_string();
    assert!(notes.contains("1 of 5 members report in 2023"), "{notes}");
    assert!(
        notes.contains("Kyrgyzstan, Tajikistan, Turkmenistan, Uzbekistan missing"),
        "{notes}"
    );
}

#[test]
fn plot_draws_any_series_of_an_observation_table_without_a_pipeline() {
    let w = Workdir::new();
    let export = crate::common::public_file("unodc_drug_seizures_2018_2022.xlsx");
    w.run(&[
        "ingest".as_ref(),
        export.as_os_str(),
        "--out".as_ref(),
        "unodc".as_ref(),
        "--quiet".as_ref(),
    ])
    .expect_code(0);
    let run = w.run(&[
        "plot",
        "unodc",
        "--geo",
        "Kazakhstan",
        "--drug",
        "heroin",
        "--trend",
        "--out",
        "charts/kaz.png",
    ]);
    run.expect_code(0);
    let png = w.bytes("charts/kaz.png");
    assert!(png.starts_with(b"\x89PNG"), "a PNG");
    // The points are the observation table's Kazakhstan heroin, 2018-2022.
    let mut reader = csv::Reader::from_path(w.path("charts/kaz.csv")).unwrap();
    let rows: Vec<csv::StringRecord> = reader.records().map(|r| r.unwrap()).collect();
    let periods: Vec<&str> = rows.iter().map(|r| &r[1]).collect();
    assert_eq!(periods, ["2018", "2019", "2020", "2021", "2022"]);
    assert!(rows.iter().all(|r| &r[0] == "Kazakhstan"));
    assert_eq!(
        &rows[0][6], "59",
        "KAZ heroin 2018 in the UNODC export: 59 kg"
    );
    let sidecar: serde_json::Value = serde_json::from_str(&w.read("charts/kaz.json")).unwrap();
    assert_eq!(sidecar["title"], "Heroin seizures: Kazakhstan");
    assert!(sidecar["alt_text"]
        .as_str()
        .unwrap()
        .contains("Kazakhstan: rose from 59 kg in 2018"));
    // Several series as small multiples, as SVG.
    let run = w.run(&[
        "plot",
        "unodc",
        "--geo",
        "KAZ",
        "--geo",
        "UZB",
        "--drug",
        "heroin",
        "--kind",
        "small_multiples",
        "--out",
        "ca.svg",
    ]);
    run.expect_code(0);
    assert!(w.read("ca.svg").contains("Uzbekistan"));
    // Bad requests name what would be valid.
    let run = w.run(&["plot", "unodc", "--geo", "Kazahkstan", "--out", "x.png"]);
    run.expect_code(2);
    assert!(
        run.stderr().contains("closest known: 'kazakhstan' (KAZ)"),
        "{run}"
    );
    let run = w.run(&["plot", "unodc", "--geo", "KAZ", "--out", "x.pdf"]);
    run.expect_code(2);
    assert!(run.stderr().contains(".png or .svg"), "{run}");
}

#[test]
fn a_chart_never_reuses_a_colour_and_missing_bars_are_marked() {
    let geos = [
        "KAZ", "KGZ", "TJK", "TKM", "UZB", "RUS", "AFG", "IRN", "PAK", "CHN",
    ];
    let w = Workdir::new();
    let mut csv = String::from("indicator,geo,drug,period,value,unit\n");
    for (g, geo) in geos.iter().enumerate() {
        for year in 2010..2016 {
            if (*geo, year) == ("PAK", 2012) {
                continue; // a missing bar
            }
            let value = 100.0 * (g + 1) as f64 + year as f64 - 2010.0;
            csv.push_str(&format!("seizures,{geo},heroin,{year},{value},kg\n"));
        }
    }
    w.write("data/many.csv", csv);
    let series: Vec<String> = geos
        .iter()
        .map(|g| format!("{{ label = \"{g}\", geo = \"{g}\", drug = \"heroin\" }}"))
        .collect();
    let figure = |slug: &str, kind: &str| {
        format!(
            "[[figures]]\nslug = \"{slug}\"\nkind = \"{kind}\"\ntitle = \"Heroin\"\ny_label = \"Heroin seized\"\n\
             series = [{}]\n\n",
            series.join(", ")
        )
    };
    w.write(
        "pipelines/many.toml",
        format!(
            "name = \"many\"\nroot = \"..\"\noutput = \"out/many\"\n\n[[inputs]]\nfile = \"data/many.csv\"\n\n{}{}",
            figure("lines", "line"),
            figure("stack", "stacked_area") + &figure("bars", "bars")
        ),
    );
    w.run(&["run", "pipelines/many.toml", "--quiet"])
        .expect_code(0);
    let sidecar = |slug: &str| -> serde_json::Value {
        serde_json::from_str(&w.read(&format!("out/many/figures/{slug}.json"))).unwrap()
    };
    // Ten lines: one panel each.
    let lines = sidecar("lines");
    assert_eq!(lines["kind"], "Small-multiple line charts", "{lines}");
    assert!(
        lines["notes"].to_string().contains("one panel each"),
        "{lines}"
    );
    // Ten areas: the six largest and "Other (4 series)", seven colours, none twice.
    let svg = w.read("out/many/figures/stack.svg");
    assert!(svg.contains("Other (4 series)"), "the rest is grouped");
    let fills: std::collections::BTreeSet<&str> = svg
        .split("fill=\"#")
        .skip(1)
        .filter_map(|f| f.get(..6))
        .filter(|c| *c != "FFFFFF" && *c != "F0F0F0")
        .collect();
    assert!(!fills.contains("F0E442"), "no yellow: {fills:?}");
    let stack = sidecar("stack");
    assert!(stack["notes"].to_string().contains("Other: "), "{stack}");
    // Bars: the missing PAK 2012 is said to be no data.
    let bars = sidecar("bars");
    assert!(
        bars["notes"].to_string().contains("no data (not a zero)"),
        "{bars}"
    );
}

#[test]
fn fixed_axis_bounds_start_the_axis_and_never_cut_a_value_off() {
    let w = trend_project();
    let pipeline = w.read("pipelines/trend.toml");
    // Tajikistan's values are 470-620 kg: an axis from 400 shows them all.
    w.write(
        "pipelines/trend.toml",
        pipeline.replace(
            "trend = \"Tajikistan\"\n\n",
            "trend = \"Tajikistan\"\ny_min = 400\n\n",
        ),
    );
    w.run(&["run", "pipelines/trend.toml", "--quiet"])
        .expect_code(0);
    let svg = w.read("out/trend/figures/flat.svg");
    let labels = svg_texts(&svg);
    assert!(labels.iter().any(|l| l == "400"), "{labels:?}");
    assert!(!labels.iter().any(|l| l == "0" || l == "200"), "{labels:?}");
    // A bound below the data would hide values: refused, naming the value.
    w.write(
        "pipelines/trend.toml",
        pipeline.replace(
            "trend = \"Tajikistan\"\n\n",
            "trend = \"Tajikistan\"\ny_max = 600\n\n",
        ),
    );
    let run = w.run(&["run", "pipelines/trend.toml"]);
    run.expect_code(2);
    assert!(run.stderr().contains("y_max"), "{run}");
    assert!(
        run.stderr()
            .contains("would cut off Tajikistan in 2011 (620)"),
        "{run}"
    );
}

#[test]
fn events_are_labelled_markers_inside_the_figures_periods() {
    let w = trend_project();
    let pipeline = w.read("pipelines/trend.toml");
    let with_event = |period: &str| {
        pipeline.replacen(
            "trend = \"Kazakhstan\"\n\n",
            &format!(
                "trend = \"Kazakhstan\"\nevents = [{{ period = \"{period}\", label = \"new border post\" }}]\n\n"
            ),
            1,
        )
    };
    w.write("pipelines/trend.toml", with_event("2014"));
    w.run(&["run", "pipelines/trend.toml", "--quiet"])
        .expect_code(0);
    let svg = w.read("out/trend/figures/falling.svg");
    assert!(
        svg.contains("2014: new border post"),
        "the event's label is drawn"
    );
    let sidecar: serde_json::Value =
        serde_json::from_str(&w.read("out/trend/figures/falling.json")).unwrap();
    assert!(
        sidecar["alt_text"]
            .as_str()
            .unwrap()
            .contains("Marked at 2014: new border post."),
        "{sidecar}"
    );
    // An event outside the periods shown is refused, not drawn off the chart.
    w.write("pipelines/trend.toml", with_event("2030"));
    let run = w.run(&["run", "pipelines/trend.toml"]);
    run.expect_code(2);
    assert!(
        run.stderr()
            .contains("outside the periods the figure shows (2010-2019)"),
        "{run}"
    );
}

#[test]
fn each_figure_cites_the_inputs_its_series_come_from() {
    let w = run_shipped();
    let source = |slug: &str| -> String {
        let json: serde_json::Value =
            serde_json::from_str(&w.read(&format!("{FIGURES}/{slug}.json"))).unwrap();
        json["source"].as_str().unwrap().to_string()
    };
    // Offences come from data/raw/offences.csv, seizures from data/raw/seizures.csv.
    let offences = source("uzbekistan_offences_by_type");
    assert!(
        offences.starts_with("National statements: UzDaily.com"),
        "{offences}"
    );
    assert!(!offences.contains("ARQ"), "{offences}");
    let heroin = source("heroin_rus_vs_central_asia");
    assert!(heroin.starts_with("UNODC ARQ data via Kaggle"), "{heroin}");
    assert!(!heroin.contains("UzDaily"), "{heroin}");
    // The source line under the chart is the sidecar's.
    let svg = w.read(&format!("{FIGURES}/uzbekistan_offences_by_type.svg"));
    assert!(svg.contains("UzDaily.com"), "the drawn source line");
}

#[test]
fn an_index_shows_each_series_as_100_in_its_base_period() {
    let w = trend_project();
    let pipeline = w.read("pipelines/trend.toml");
    let indexed = |base: &str| {
        pipeline.replacen(
            "trend = \"Kazakhstan\"\n\n",
            &format!("trend = \"Kazakhstan\"\nindex = {base}\n\n"),
            1,
        )
    };
    w.write("pipelines/trend.toml", indexed("2012"));
    w.run(&["run", "pipelines/trend.toml", "--quiet"])
        .expect_code(0);
    let rows = {
        let mut reader = csv::Reader::from_path(w.path("out/trend/figures/falling.csv")).unwrap();
        reader.records().map(|r| r.unwrap()).collect::<Vec<_>>()
    };
    let at = |period: &str| rows.iter().find(|r| &r[1] == period).unwrap().clone();
    // KAZ heroin: 700 kg in 2012 is 100; 900 kg in 2010 is 128.57...; the value column keeps kg.
    assert_eq!(
        (&at("2012")[3], &at("2012")[5], &at("2012")[6]),
        ("100", "2012 = 100", "700")
    );
    assert!(at("2010")[3].starts_with("128.571428"), "{:?}", at("2010"));
    let sidecar: serde_json::Value =
        serde_json::from_str(&w.read("out/trend/figures/falling.json")).unwrap();
    assert!(
        sidecar["subtitle"]
            .as_str()
            .unwrap()
            .contains("(2012 = 100)"),
        "{sidecar}"
    );
    assert!(sidecar["alt_text"]
        .as_str()
        .unwrap()
        .contains("index points per year"));
    // A base period without a value cannot index the series.
    w.write("pipelines/trend.toml", indexed("2005"));
    let run = w.run(&["run", "pipelines/trend.toml"]);
    run.expect_code(2);
    assert!(
        run.stderr().contains("Kazakhstan has no value in 2005"),
        "{run}"
    );
}

#[test]
fn a_log_scale_labels_powers_of_ten_and_refuses_what_it_cannot_show() {
    let w = trend_project();
    let pipeline = w.read("pipelines/trend.toml");
    // Tajikistan (470-620 kg) on a log axis, without its trend line.
    let log = pipeline.replacen("trend = \"Tajikistan\"\n\n", "scale = \"log\"\n\n", 1);
    w.write("pipelines/trend.toml", &log);
    w.run(&["run", "pipelines/trend.toml", "--quiet"])
        .expect_code(0);
    let sidecar: serde_json::Value =
        serde_json::from_str(&w.read("out/trend/figures/flat.json")).unwrap();
    assert!(
        sidecar["subtitle"]
            .as_str()
            .unwrap()
            .contains("(kg, log scale)"),
        "{sidecar}"
    );
    let svg = w.read("out/trend/figures/flat.svg");
    let labels = svg_texts(&svg);
    assert!(
        ["100", "1,000"]
            .iter()
            .all(|t| labels.iter().any(|l| l == t))
            && !labels.iter().any(|l| l == "0"),
        "powers of ten on the axis, no zero: {labels:?}"
    );
    // The CSV keeps values, not logarithms.
    let csv_text = w.read("out/trend/figures/flat.csv");
    assert!(csv_text.contains("Tajikistan,2010,2010,500,"), "{csv_text}");
    // A trend line with a log scale is refused (it would bend).
    let with_trend = pipeline.replacen(
        "trend = \"Tajikistan\"\n\n",
        "trend = \"Tajikistan\"\nscale = \"log\"\n\n",
        1,
    );
    w.write("pipelines/trend.toml", with_trend);
    let run = w.run(&["run", "pipelines/trend.toml"]);
    run.expect_code(2);
    assert!(run.stderr().contains("straight on a linear axis"), "{run}");
}
