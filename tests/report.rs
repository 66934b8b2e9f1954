//! The report stage: report.md and a self-contained report.html, strings from data and
//! configuration made inert in HTML, SVG, Markdown and CSV, and the page rendered by headless
//! Chromium with no console errors (screenshot saved as target/tmp/report-screenshot.png).

use std::process::Command;

use crate::common::Workdir;

fn run_shipped() -> Workdir {
    let w = Workdir::new();
    w.copy_from_root("data");
    w.copy_from_root("pipelines");
    w.run(&["run", "--quiet"]).expect_code(0);
    w
}

/// The `## ` sections of a Markdown report, each with its lines.
fn sections(md: &str) -> Vec<(String, Vec<String>)> {
    let mut out: Vec<(String, Vec<String>)> = Vec::new();
    for line in md.lines() {
        if let Some(h) = line.strip_prefix("## ") {
            out.push((h.to_string(), Vec::new()));
        } else if let Some((_, lines)) = out.last_mut() {
            if !line.trim().is_empty() {
                lines.push(line.to_string());
            }
        }
    }
    out
}

/// The findings' bullets of a Markdown report.
fn findings(md: &str) -> Vec<String> {
    sections(md)
        .into_iter()
        .find(|(h, _)| h == "Main findings")
        .map(|(_, lines)| {
            lines
                .into_iter()
                .filter_map(|l| l.strip_prefix("- ").map(str::to_string))
                .collect()
        })
        .unwrap_or_default()
}

/// Every section has something under it besides sub-headings.
fn assert_no_empty_section(md: &str) {
    for (heading, lines) in sections(md) {
        assert!(
            lines.iter().any(|l| !l.starts_with('#')),
            "section {heading} is empty:\n{md}"
        );
    }
}

#[test]
fn report_is_one_self_contained_file_with_every_figure_and_table() {
    let w = run_shipped();
    let html = w.read("out/northern_route/report.html");
    for needle in [
        "<h1>Drug seizures on the Northern Route",
        "<nav class=\"toc\"",
        "<a href=\"#main-findings\">Main findings</a>",
        "id=\"main-findings\">Main findings",
        "Claims checked",
        "Share changes",
        "Data coverage",
        "Methods",
        "Provenance",
        "sha256",
        "@page{size:A4",
        "@media print",
    ] {
        assert!(html.contains(needle), "report.html lacks {needle}");
    }
    // A Pandoc title block, then no repeated title.
    let md = w.read("out/northern_route/report.md");
    assert!(
        md.starts_with("---\ntitle: 'Drug seizures on the Northern Route, 2000-2022'\n---\n"),
        "{md}"
    );
    assert!(!md.contains("\n# "), "a second title");
    assert_no_empty_section(&md);
    // Findings in sentences, with names, units and the test, never codes.
    let found = findings(&md);
    assert!(
        found.iter().any(|f| f.starts_with(
            "Central Asia, seizures of heroin: decreasing over 2000-2022 (Sen slope -258.49 kg per year; Mann-Kendall p &lt; 0.001, n = 23)"
        )),
        "{found:#?}"
    );
    assert!(
        found.iter().any(|f| f.starts_with(
            "Cannabis-type drugs in all drugs seized, Central Asia: 61.2% in 2001 and 92.6% in 2016 (+31.3 percentage points)"
        )),
        "{found:#?}"
    );
    assert!(
        found
            .iter()
            .any(|f| f.starts_with("Northern Route, heroin: the destination (Russian Federation) seized more than the transit countries combined")),
        "{found:#?}"
    );
    // Each claim has its sentence with its verdict.
    assert_eq!(
        found.iter().filter(|f| f.starts_with("Claim “")).count(),
        10
    );
    // Incomplete coverage is said where it is.
    assert!(found
        .iter()
        .any(|f| f.contains("Incomplete coverage: Turkmenistan missing in 2017-2022.")));
    for f in &found {
        for code in [
            "KAZ",
            "KGZ",
            "TJK",
            "TKM",
            "UZB",
            "RUS",
            "AFG",
            "CA5",
            "all_drugs",
        ] {
            assert!(
                !f.split(|c: char| !c.is_ascii_alphanumeric() && c != '_')
                    .any(|word| word == code),
                "a code in a finding: {f}"
            );
        }
    }
    assert_eq!(html.matches("<svg").count(), 8, "every figure inline");
    // Numbered captions under the charts, no repeated title above them, and the alt text in
    // each SVG's <desc> rather than printed in the body.
    assert!(
        html.contains("<figcaption>Figure 3. Heroin seized (kg)"),
        "numbered captions"
    );
    assert!(html.contains("<figcaption>Figure 8. "));
    assert!(!html.contains(
        ">Heroin seizures: Russian Federation and the five Central Asian countries combined</h"
    ));
    assert_eq!(html.matches("Alt text: ").count(), 0);
    assert!(
        html.matches("-desc\">Line chart of").count() >= 3,
        "alt text in the SVGs"
    );
    // Pandoc figures: caption, id and alt text as attributes.
    assert!(md.contains(
        "![Figure 3. Heroin seized (kg), Russian Federation, Central Asia (5), 2000-2022. Source: "
    ));
    assert!(md.contains(
        "](figures/heroin_rus_vs_central_asia.png){#fig-heroin_rus_vs_central_asia alt=\"Line chart of Heroin seizures"
    ));
    // Tables for reading: names, slopes with units, p in the field's style, shares as
    // percentages with changes in percentage points.
    assert!(
        md.contains("| Russian Federation, seizures of heroin | 2000-2022 | 23 | decreasing | p = 0.010 | -119.84 kg per year |"),
        "{md}"
    );
    assert!(
        md.contains("| 61.2% | 92.6% | +31.3 pp |"),
        "shares as percentages"
    );
    for external in [
        "src=\"http",
        "href=\"http",
        "<link",
        "<script",
        "url(http",
        "@import",
    ] {
        assert!(!html.contains(external), "external reference {external}");
    }
    assert!(md.contains("Rejected input rows: 0"));
    // Regression: "pipeline `northern_route`" printed its Markdown backticks in the HTML.
    assert!(
        !html.contains('`'),
        "Markdown syntax leaked into report.html"
    );
    assert!(html.contains("of pipeline northern_route ("));
}

/// The numbers of a text: "-258.49", "61.2%", "2,637", "0.001".
fn numbers(text: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut current = String::new();
    let chars: Vec<char> = text.chars().collect();
    for (i, &c) in chars.iter().enumerate() {
        let next_digit = chars.get(i + 1).is_some_and(|n| n.is_ascii_digit());
        let continues = c.is_ascii_digit()
            || (matches!(c, '.' | ',') && !current.is_empty() && next_digit)
            || (matches!(c, '-' | '+')
                && current.is_empty()
                && next_digit
                && !chars
                    .get(i.wrapping_sub(1))
                    .is_some_and(|p| p.is_ascii_digit()));
        if continues {
            current.push(c);
        } else if !current.is_empty() {
            if c == '%' {
                current.push('%');
            }
            out.push(std::mem::take(&mut current));
        }
    }
    if !current.is_empty() {
        out.push(current);
    }
    out
}

#[test]
fn every_number_of_the_findings_is_a_table_cell() {
    // Each number in a finding, as the report writes it, is the formatted value of a cell
    // of tables/{trends,regional_trends,parallel,shares,route,claims}.csv (or of the route
    // table's count of years).
    use routetrend::display::readable;
    let w = run_shipped();
    let md = w.read("out/northern_route/report.md");
    let mut cells = std::collections::BTreeSet::new();
    let mut add = |v: &str| {
        cells.insert(v.to_string());
        if let Ok(x) = v.parse::<f64>() {
            cells.insert(readable(x));
            cells.insert(format!("+{}", readable(x)));
            cells.insert(format!("{x:.3}"));
            cells.insert(format!("{:.1}%", 100.0 * x));
            cells.insert(format!("{x:+.1}"));
            cells.insert(readable(100.0 * x));
            cells.insert(format!("+{}", readable(100.0 * x)));
        }
    };
    for table in [
        "trends",
        "regional_trends",
        "parallel",
        "shares",
        "route",
        "claims",
    ] {
        let text = w.read(&format!("out/northern_route/tables/{table}.csv"));
        let mut reader = csv::Reader::from_reader(text.as_bytes());
        for record in reader.records() {
            for cell in record.unwrap().iter() {
                add(cell);
                for n in numbers(cell) {
                    add(&n);
                }
            }
        }
    }
    // The years in which the destination seized more than transit, counted per drug.
    let route = w.read("out/northern_route/tables/route.csv");
    let mut reader = csv::Reader::from_reader(route.as_bytes());
    let mut years: std::collections::BTreeMap<String, (usize, usize)> = Default::default();
    for record in reader.records() {
        let r = record.unwrap();
        if &r[2] == "destination_exceeds_transit" && !r[5].contains('Q') {
            let e = years.entry(r[1].to_string()).or_default();
            e.1 += 1;
            if &r[7] == "1" {
                e.0 += 1;
            }
        }
    }
    for (exceeds, all) in years.values() {
        cells.insert(exceeds.to_string());
        cells.insert(all.to_string());
    }
    let found = findings(&md);
    assert!(found.len() > 20, "{found:#?}");
    let mut checked = 0;
    for f in &found {
        for n in numbers(f) {
            // p below the threshold is written "p < 0.001", the bound not a cell.
            if n == "0.001" && f.contains("p &lt; 0.001") {
                continue;
            }
            assert!(cells.contains(&n), "{n} in \"{f}\" is no table cell");
            checked += 1;
        }
    }
    assert!(checked > 200, "{checked} numbers checked");
}

#[test]
fn a_report_of_another_route_region_and_windows_names_only_what_it_declares() {
    // A Balkan-route pipeline over the real ARQ world file: its own region, route (both
    // defined in the pipeline file) and windows. Its report speaks of them and of nothing
    // the shipped pipeline declares.
    let w = Workdir::new();
    w.copy_from_root("data/reference");
    w.copy_from_root("data/mappings");
    std::fs::create_dir_all(w.path("data/public")).unwrap();
    std::fs::copy(
        crate::common::public_file("arq_seizures_1970_2020.csv"),
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
windows = ["1995-2005", "2006-2016"]
geos = ["IRN", "TUR", "BGR", "SRB", "DEU", "NLD", "AFG"]

[[aggregates]]
geo = "BLK"
drugs = ["heroin", "opium"]
indicator = "seizures"

[[shares]]
id = "tur_heroin_share"
title = "Turkey's heroin seizures in the Balkan transit total"
part = { geo = "TUR", drug = "heroin" }
whole = { geo = "BLK", drug = "heroin" }
compare = [["1995", "2016"]]

[[regions]]
code = "BLK"
name = "Balkan transit"
members = ["IRN", "TUR", "BGR", "SRB"]

[[routes]]
id = "balkan_core"
name = "Balkan route"
origin = ["AFG"]
transit = ["IRN", "TUR", "BGR", "SRB"]
destination = ["DEU", "NLD"]
notes = "Afghan opiates through Iran, Turkey and the Balkans to Western Europe (World Drug Report 2015)."
drugs = ["heroin"]
max_lag = 2

[[figures]]
slug = "heroin_turkey_iran"
kind = "line"
title = "Heroin seizures: Turkey and Iran"
series = [
  { label = "Turkey", geo = "TUR", drug = "heroin" },
  { label = "Iran", geo = "IRN", drug = "heroin" },
]

[report]
title = "Heroin on the Balkan route"
"#,
    );
    w.run(&["run", "pipelines/balkan.toml", "--quiet"])
        .expect_code(0);
    let md = w.read("out/balkan/report.md");
    let html = w.read("out/balkan/report.html");
    for absent in [
        "Russian Federation",
        "Central Asia",
        "Northern",
        "Kazakhstan",
        "Tajikistan",
        "newsletter",
    ] {
        assert!(
            !md.contains(absent) && !html.contains(absent),
            "{absent}:\n{md}"
        );
    }
    let found = findings(&md);
    for needle in [
        "Balkan transit, seizures of heroin: increasing over 1995-2005 (Sen slope +843.41 kg per year; Mann-Kendall p = 0.029, n = 11); no significant trend over 2006-2016",
        "Türkiye, seizures of heroin: no significant trend over 1995-2005",
        "Turkey's heroin seizures in the Balkan transit total: 60.3% in 1995 and 20.5% in 2016 (-39.8 percentage points)",
        "Balkan route, heroin: the destination (Germany, Netherlands) seized more than the transit countries combined (Iran (Islamic Republic of), Türkiye, Bulgaria, Serbia)",
        "Incomplete coverage: Serbia missing in 1995-2006, 2009.",
    ] {
        assert!(found.iter().any(|f| f.contains(needle)), "{needle}:\n{found:#?}");
    }
    assert_no_empty_section(&md);
    // Coverage of the pipeline's own places only, not the world file's.
    let coverage = sections(&md)
        .into_iter()
        .find(|(h, _)| h == "Data coverage")
        .unwrap()
        .1;
    assert_eq!(
        coverage.iter().filter(|l| l.starts_with("| ")).count(),
        1 + 14
    );
    assert!(md.len() < 20_000, "{} bytes", md.len());
}

#[test]
fn hostile_labels_are_inert_in_report_svg_markdown_and_csv() {
    let w = run_shipped();
    let pipeline = w.read("pipelines/northern_route.toml");
    let hostile = pipeline
        .replace(
            "en = \"What Central Asia seizes: drug composition by weight\"",
            "en = \"<script>alert(1)</script> & =HYPERLINK(\\\"http://evil\\\")\"",
        )
        .replace(
            "statement = \"... to 90% in 2016.\"",
            "statement = \"=HYPERLINK(\\\"http://evil\\\",\\\"x\\\") <img src=x onerror=alert(1)>\"",
        );
    assert_ne!(hostile, pipeline);
    w.write("pipelines/northern_route.toml", hostile);
    w.run(&["run", "--quiet"]).expect_code(0);
    let out = |f: &str| w.read(&format!("out/northern_route/{f}"));
    let html = out("report.html");
    assert!(
        !html.contains("<script>alert(1)") && html.contains("&lt;script&gt;alert(1)"),
        "HTML escapes the title"
    );
    assert!(
        !html.contains("<img src=x") && html.contains("&lt;img src=x"),
        "HTML escapes the claim"
    );
    let svg = out("figures/drug_composition_central_asia.svg");
    assert!(
        !svg.contains("<script>") && svg.contains("&lt;script&gt;"),
        "SVG escapes the title"
    );
    let md = out("report.md");
    assert!(
        !md.contains("<script>") && !md.contains("<img"),
        "Markdown makes tags inert"
    );
    let claims = out("tables/claims.csv");
    assert!(
        claims.contains("'=HYPERLINK"),
        "CSV neutralises formulas: {claims}"
    );
    assert!(!claims.contains(",=HYPERLINK") && !claims.contains(",\"=HYPERLINK"));
}

/// Runs headless Chromium on `page` with `args`; returns its stderr, failing on a console
/// message.
fn chromium(w: &Workdir, page: &str, args: &[String]) -> String {
    let chromium = ["chromium", "chromium-browser"]
        .into_iter()
        .find(|c| {
            Command::new(c)
                .arg("--version")
                .output()
                .is_ok_and(|o| o.status.success())
        })
        .expect("chromium (Debian package `chromium`, installed by .ci/run)");
    let profile = w.path("chromium-profile");
    let output = Command::new(chromium)
        .args([
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-quic",
            "--no-first-run",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--hide-scrollbars",
            "--enable-logging=stderr",
            "--v=0",
            &format!("--user-data-dir={}", profile.display()),
        ])
        .args(args)
        .arg(page)
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&output.stderr).into_owned();
    assert!(output.status.success(), "{stderr}");
    let console: Vec<&str> = stderr
        .lines()
        .filter(|l| l.contains("CONSOLE") || l.contains("Uncaught"))
        .collect();
    assert!(console.is_empty(), "console messages: {console:?}");
    stderr
}

#[test]
fn report_renders_in_headless_chromium_without_console_errors() {
    // Screenshots kept for a look after the run (CARGO_TARGET_TMPDIR follows
    // CARGO_TARGET_DIR): the top and the whole page on a desktop (headless Chromium does not
    // scroll to a fragment, so figures and tables are looked at in the whole page), the top
    // on a phone, and the print layout as a PDF.
    let w = run_shipped();
    let page = format!(
        "file://{}",
        w.path("out/northern_route/report.html").display()
    );
    let kept = std::path::Path::new(env!("CARGO_TARGET_TMPDIR"));
    for (name, anchor, size) in [
        ("report-screenshot.png", "", (1200, 2400)),
        ("report-full.png", "", (1200, 16000)),
        ("report-phone.png", "", (390, 1600)),
    ] {
        let shot = kept.join(name);
        chromium(
            &w,
            &format!("{page}{anchor}"),
            &[
                format!("--window-size={},{}", size.0, size.1),
                format!("--screenshot={}", shot.display()),
            ],
        );
        let decoder = png::Decoder::new(std::fs::File::open(&shot).unwrap());
        let info = decoder.read_info().unwrap().info().clone();
        assert_eq!((info.width, info.height), size, "{name}");
    }
    let pdf = kept.join("report-print.pdf");
    chromium(
        &w,
        &page,
        &[
            "--no-pdf-header-footer".into(),
            format!("--print-to-pdf={}", pdf.display()),
        ],
    );
    let bytes = std::fs::read(&pdf).unwrap();
    assert!(bytes.starts_with(b"%PDF"), "a PDF");
    // A4 pages (595 x 842 points), several of them.
    let text = String::from_utf8_lossy(&bytes);
    let pages = text.matches("/Type /Page").count() - text.matches("/Type /Pages").count();
    assert!(pages >= 5, "{pages} pages");
    assert!(
        text.contains("/MediaBox [0 0 594.95996 841.91998]"),
        "A4 pages"
    );
}

#[test]
fn sections_without_rows_are_left_out() {
    // A pipeline that declares no claims, shares or routes: their sections are not printed
    // as empty tables.
    let w = Workdir::new();
    w.write(
        "data/tiny.csv",
        "indicator,geo,drug,period,value,unit\n\
         seizures,KAZ,heroin,2010,100,kg\nseizures,KAZ,heroin,2011,120,kg\n\
         seizures,KAZ,heroin,2012,90,kg\nseizures,KAZ,heroin,2013,150,kg\n",
    );
    w.write(
        "pipelines/tiny.toml",
        "name = \"tiny\"\nroot = \"..\"\noutput = \"out/tiny\"\n\n[[inputs]]\nfile = \"data/tiny.csv\"\n",
    );
    w.run(&["run", "pipelines/tiny.toml", "--quiet"])
        .expect_code(0);
    let md = w.read("out/tiny/report.md");
    for section in ["Claims checked", "Share changes", "Route", "Main findings"] {
        assert!(
            !md.contains(section),
            "{section} printed without rows:\n{md}"
        );
    }
    assert_no_empty_section(&md);
    assert!(md.contains("## Provenance"), "{md}");
    assert!(md.contains("## Data coverage"), "{md}");
}

#[test]
fn the_writers_words_sections_highlights_and_captions_shape_the_report() {
    let w = run_shipped();
    let pipeline = w.read("pipelines/northern_route.toml");
    let edited = pipeline
        .replace(
            "[report]\n",
            "[report]\nsubtitle = \"Quarterly update, second quarter\"\n\
             intro = \"This update is *preliminary*. <b>bold</b> [a link](javascript:alert(1))\"\n\
             outro = \"Prepared by the regional office.\"\n\
             sections = [\"findings\", \"figures\", \"methods\"]\n\
             highlight = [\"rus_heroin_share_of_route\", \"northern\"]\n",
        )
        .replace(
            "slug = \"cannabis_share_central_asia\"\n",
            "slug = \"cannabis_share_central_asia\"\ncaption = \"Cannabis-type drugs took a growing share of what Central Asia seizes.\"\n",
        );
    assert_ne!(edited, pipeline);
    w.write("pipelines/northern_route.toml", &edited);
    w.run(&["run", "--quiet"]).expect_code(0);
    let md = w.read("out/northern_route/report.md");
    let headings: Vec<String> = sections(&md).into_iter().map(|(h, _)| h).collect();
    assert_eq!(headings, ["Main findings", "Figures", "Methods"], "{md}");
    assert!(md.contains("subtitle: 'Quarterly update, second quarter'"));
    // The intro before the first section, the outro after the last.
    let intro = md.find("This update is *preliminary*.").expect("intro");
    assert!(intro < md.find("## Main findings").unwrap());
    assert!(
        md.trim_end().ends_with("Prepared by the regional office."),
        "{md}"
    );
    // Highlights first, in the order given.
    let found = findings(&md);
    assert!(
        found[0].starts_with("Russian Federation's heroin seizures in the Northern Route's transit and destination total:"),
        "{found:#?}"
    );
    assert!(
        found[1].starts_with("Northern Route, heroin:"),
        "{found:#?}"
    );
    assert!(md.find("### Highlights").unwrap() < md.find("### Trends").unwrap());
    // The caption override, numbered and with its source.
    assert!(md.contains(
        "![Figure 5. Cannabis-type drugs took a growing share of what Central Asia seizes. Source: "
    ));
    let html = w.read("out/northern_route/report.html");
    assert!(html.contains("<p class=\"subtitle\">Quarterly update, second quarter</p>"));
    assert!(
        html.contains("<em>preliminary</em>"),
        "the intro's Markdown rendered"
    );
    assert!(
        !html.contains("<b>bold</b>") && html.contains("&lt;b&gt;bold"),
        "raw HTML inert"
    );
    assert!(!html.contains("javascript:"), "a live javascript link");
    // A section or highlight the pipeline does not have is a configuration error.
    for (bad, says) in [
        (
            "sections = [\"findings\", \"appendix\"]",
            "report.sections[1]",
        ),
        ("highlight = [\"no_such_share\"]", "report.highlight[0]"),
    ] {
        w.write(
            "pipelines/northern_route.toml",
            pipeline.replace("[report]\n", &format!("[report]\n{bad}\n")),
        );
        let run = w.run(&["run", "--quiet"]);
        run.expect_code(2);
        assert!(run.stderr().contains(says), "{run}");
    }
}

#[test]
fn without_pandoc_the_report_says_so_in_the_manifest_and_gains_the_docx_once_it_is_installed() {
    let w = run_shipped();
    std::fs::remove_dir_all(w.path("out")).unwrap();
    let no_pandoc = w.path("empty-bin");
    std::fs::create_dir_all(&no_pandoc).unwrap();
    let run = |path: &std::ffi::OsStr| {
        Command::new(env!("CARGO_BIN_EXE_routetrend"))
            .args(["run", "--quiet"])
            .current_dir(w.dir.path())
            .env("PATH", path)
            .status()
            .unwrap()
            .code()
    };
    assert_eq!(run(no_pandoc.as_os_str()), Some(0));
    assert!(!w.path("out/northern_route/report.docx").exists());
    assert!(w.path("out/northern_route/tables.xlsx").is_file());
    let manifest: serde_json::Value =
        serde_json::from_str(&w.read("out/northern_route/manifest.json")).unwrap();
    let report = &manifest["stages"][3];
    assert_eq!(report["name"], "report");
    assert!(
        report["notes"][0]
            .as_str()
            .unwrap()
            .starts_with("report.docx not written: pandoc is not on PATH"),
        "{report}"
    );
    assert_eq!(
        manifest["warnings"],
        serde_json::json!([]),
        "not a loss of data"
    );
    // Still without pandoc, the run is up to date; with it, the report stage runs again.
    assert_eq!(run(no_pandoc.as_os_str()), Some(4));
    assert_eq!(run(&std::env::var_os("PATH").unwrap()), Some(0));
    assert!(w.path("out/northern_route/report.docx").is_file());
}
