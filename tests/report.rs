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

#[test]
fn report_is_one_self_contained_file_with_every_figure_and_table() {
    let w = run_shipped();
    let html = w.read("out/northern_route/report.html");
    for needle in [
        "<h1>Drug seizures on the Northern Route",
        "Main findings",
        "Claims checked",
        "Share changes",
        "Data coverage",
        "Provenance",
        "sha256",
    ] {
        assert!(html.contains(needle), "report.html lacks {needle}");
    }
    // Findings name places, never codes.
    let md = w.read("out/northern_route/report.md");
    assert!(
        md.contains("- Kazakhstan cannabis resin seizures, 2000-2022"),
        "{md}"
    );
    assert!(
        md.contains("- Central Asia heroin seizures, 2000-2022"),
        "{md}"
    );
    assert!(
        !md.contains("- KAZ ") && !md.contains("- CA5 "),
        "a code in the findings"
    );
    assert_eq!(html.matches("<svg").count(), 6, "every figure inline");
    // Numbered captions under the charts, no repeated title above them, and the alt text in
    // each SVG's <desc> rather than printed in the body.
    assert!(
        html.contains("<figcaption>Figure 1. Heroin seized (kg)"),
        "numbered captions"
    );
    assert!(html.contains("<figcaption>Figure 6. "));
    assert_eq!(html.matches("Alt text: ").count(), 0);
    assert_eq!(
        html.matches("<h3>").count(),
        0,
        "the chart carries its title"
    );
    assert!(
        html.matches("-desc\">Line chart of").count() >= 3,
        "alt text in the SVGs"
    );
    // Sen slopes with their unit in the significant-trends table.
    assert!(md.contains("| -119.84 kg |"), "a Sen slope with its unit");
    // Shares as percentages, changes in percentage points.
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
    let md = w.read("out/northern_route/report.md");
    assert!(
        md.contains("![Line chart of Heroin seizures")
            && md.contains("(figures/heroin_rus_vs_central_asia.png)")
    );
    assert!(md.contains("Rejected input rows: 0"));
    // Regression: "pipeline `northern_route`" printed its Markdown backticks in the HTML.
    assert!(
        !html.contains('`'),
        "Markdown syntax leaked into report.html"
    );
    assert!(html.contains("of pipeline northern_route ("));
}

#[test]
fn hostile_labels_are_inert_in_report_svg_markdown_and_csv() {
    let w = run_shipped();
    let pipeline = w.read("pipelines/northern_route.toml");
    let hostile = pipeline
        .replace(
            "title = \"What Central Asia seizes: drug composition by weight\"",
            "title = \"<script>alert(1)</script> & =HYPERLINK(\\\"http://evil\\\")\"",
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

#[test]
fn report_renders_in_headless_chromium_without_console_errors() {
    let w = run_shipped();
    let chromium = ["chromium", "chromium-browser"]
        .into_iter()
        .find(|c| {
            Command::new(c)
                .arg("--version")
                .output()
                .is_ok_and(|o| o.status.success())
        })
        .expect("chromium (Debian package `chromium`, installed by .ci/run)");
    // Kept for a look after the run; CARGO_TARGET_TMPDIR follows CARGO_TARGET_DIR.
    let screenshot =
        std::path::Path::new(env!("CARGO_TARGET_TMPDIR")).join("report-screenshot.png");
    let profile = w.path("chromium-profile");
    let page = format!(
        "file://{}",
        w.path("out/northern_route/report.html").display()
    );
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
            "--enable-logging=stderr",
            "--v=0",
            "--window-size=1200,2400",
            &format!("--user-data-dir={}", profile.display()),
            &format!("--screenshot={}", screenshot.display()),
            &page,
        ])
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(output.status.success(), "{stderr}");
    let console: Vec<&str> = stderr
        .lines()
        .filter(|l| l.contains("CONSOLE") || l.contains("Uncaught"))
        .collect();
    assert!(console.is_empty(), "console messages: {console:?}");
    let decoder = png::Decoder::new(std::fs::File::open(&screenshot).unwrap());
    let info = decoder.read_info().unwrap().info().clone();
    assert_eq!((info.width, info.height), (1200, 2400));
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
    for section in [
        "## Claims checked",
        "## Share changes",
        "## Route: destination and transit",
    ] {
        assert!(
            !md.contains(section),
            "{section} printed without rows:\n{md}"
        );
    }
    assert!(md.contains("## Provenance"), "{md}");
}
