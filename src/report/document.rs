//! The report: `report.md` and a self-contained `report.html` (CSS inline, figures inline as
//! SVG, no network: it opens from a USB stick). Title, as-of and run id; a summary of the main
//! findings with the numbers from the tables; every figure with its caption and alt text; the
//! trends (significant ones), shares, route and claims tables; data coverage (which
//! countries and years are missing); the rejected input rows; and provenance (inputs with
//! hashes, tool version). Every string from data or configuration is escaped.
//!
//! Built from a typed [`ReportInput`] (the report stage reads the run's tables and figure
//! sidecars into it): no files, no pipeline, no queries here.

use std::fmt::Write as _;

use crate::analysis::claims::{ClaimRow, Verdict};
use crate::display::{html_escape, markdown_cell, markdown_escape, readable};
use crate::ingest::output::InputRecord;
use crate::report::figure::FigureSidecar;

/// Everything the report shows, as the run's tables and figures hold it.
#[derive(Clone, Debug, Default)]
pub struct ReportInput {
    pub title: String,
    pub description: String,
    /// The pipeline's name.
    pub pipeline: String,
    pub run_id: String,
    pub as_of: Option<String>,
    pub trends: Vec<TrendRecord>,
    pub shares: Vec<ShareRecord>,
    pub route: Vec<RouteRecord>,
    pub claims: Vec<ClaimRow>,
    /// Seizure series with annual data, by geo and drug.
    pub coverage: Vec<CoverageRecord>,
    pub figures: Vec<PublishedFigure>,
    pub provenance: Provenance,
}

/// The columns of a trends table row that the report uses.
#[derive(Clone, Debug, Default)]
pub struct TrendRecord {
    pub indicator: String,
    pub geo: String,
    /// The place's name (the trends table's `geo_name`; empty where it has none).
    pub geo_name: String,
    pub drug: Option<String>,
    pub category: Option<String>,
    pub unit: String,
    pub window_start: Option<String>,
    pub window_end: Option<String>,
    pub n: u32,
    pub trend: Option<String>,
    pub mk_p: Option<f64>,
    pub sen_slope: Option<f64>,
    pub apc: Option<f64>,
    pub notes: String,
}

/// The columns of a shares table row that the report uses.
#[derive(Clone, Debug, Default)]
pub struct ShareRecord {
    pub title: String,
    pub period_1: String,
    pub period_2: String,
    pub share_1: Option<f64>,
    pub share_2: Option<f64>,
    pub change_pp: Option<f64>,
    pub change_rel_pct: Option<f64>,
    pub z_p: Option<f64>,
    pub trend: Option<String>,
    pub mk_p: Option<f64>,
    pub coverage: String,
}

/// A route table row.
#[derive(Clone, Debug, Default)]
pub struct RouteRecord {
    pub route: String,
    pub drug: String,
    pub indicator: String,
    pub period: String,
    pub value: Option<f64>,
    pub members_reporting: Option<i64>,
    pub members_total: Option<i64>,
    pub missing_members: String,
}

/// One seizure series' annual span: first and last year, years observed.
#[derive(Clone, Debug, Default)]
pub struct CoverageRecord {
    pub geo: String,
    pub drug: Option<String>,
    pub first: i32,
    pub last: i32,
    pub observed: u32,
}

/// A figure as the plot stage wrote it: its sidecar and its SVG.
#[derive(Clone, Debug)]
pub struct PublishedFigure {
    pub sidecar: FigureSidecar,
    pub svg: String,
}

/// Where the data came from.
#[derive(Clone, Debug, Default)]
pub struct Provenance {
    pub rejected: usize,
    pub inputs: Vec<InputRecord>,
    /// The tool that wrote the observation table ("routetrend 0.1.0").
    pub tool: Option<String>,
}

/// A block of the report, rendered to both Markdown and HTML.
enum Block {
    Heading(u8, String),
    Paragraph(String),
    Bullets(Vec<String>),
    Table {
        columns: Vec<String>,
        rows: Vec<Vec<String>>,
    },
    Figure {
        slug: String,
        caption: String,
        alt: String,
        svg: String,
    },
}

fn table(columns: &[&str], rows: Vec<Vec<String>>) -> Block {
    Block::Table {
        columns: columns.iter().map(|c| c.to_string()).collect(),
        rows,
    }
}

/// A share (0..1) as a percentage cell ("61.2%"), empty when null.
fn percent(v: Option<f64>) -> String {
    v.map_or_else(String::new, |s| format!("{:.1}%", 100.0 * s))
}

/// A number cell: rounded for reading, empty when null.
fn num(v: Option<f64>) -> String {
    v.map_or_else(String::new, readable)
}

fn text(v: &Option<String>) -> String {
    v.clone().unwrap_or_default()
}

fn int(v: Option<i64>) -> String {
    v.map_or_else(String::new, |v| v.to_string())
}

/// The report as Markdown and as self-contained HTML.
pub fn render(input: &ReportInput) -> (String, String) {
    let blocks = blocks(input);
    (markdown(&blocks), html(&blocks, &input.title))
}

/// Builds the report's blocks from the run's tables, figures and metadata.
fn blocks(input: &ReportInput) -> Vec<Block> {
    let mut out = vec![Block::Heading(1, input.title.clone())];
    let as_of = input
        .as_of
        .clone()
        .map_or_else(|| "all data".to_string(), |a| format!("data as of {a}"));
    out.push(Block::Paragraph(format!(
        "Run {} of pipeline {} ({as_of}), routetrend {}. {}",
        input.run_id,
        input.pipeline,
        env!("CARGO_PKG_VERSION"),
        input.description
    )));

    // Main findings, each a number from a table.
    let mut findings = Vec::new();
    for t in &input.trends {
        let (drug, start, end) = (text(&t.drug), text(&t.window_start), text(&t.window_end));
        let trend = text(&t.trend);
        let key_series = t.indicator == "seizures"
            && ["heroin", "opium", "cannabis_herb", "cannabis_resin"].contains(&drug.as_str())
            && (t.geo.len() == 3)
            && start == "2000"
            && end == "2022";
        if key_series && trend != "no trend" && !trend.is_empty() {
            let caveat = if t.notes.contains("coverage changes") {
                " Coverage changes inside the window (see the trends table notes): part of the change may be missing data."
            } else {
                ""
            };
            let place = if t.geo_name.is_empty() {
                &t.geo
            } else {
                &t.geo_name
            };
            findings.push(format!(
                "{place} {} seizures, {}-{}: {} (Mann-Kendall p = {}; Sen slope {} {} per year).{caveat}",
                drug.replace('_', " "),
                start,
                end,
                trend,
                t.mk_p.map_or("-".into(), readable),
                t.sen_slope.map_or("-".into(), readable),
                t.unit
            ));
        }
    }
    for s in &input.shares {
        if let (Some(a), Some(b), Some(c)) = (s.share_1, s.share_2, s.change_pp) {
            findings.push(format!(
                "{}: {:.1}% in {} and {:.1}% in {} ({:+.1} percentage points).",
                s.title,
                100.0 * a,
                s.period_1,
                100.0 * b,
                s.period_2,
                c
            ));
        }
    }
    let years: Vec<&str> = input
        .route
        .iter()
        .filter(|r| {
            r.indicator == "destination_exceeds_transit"
                && r.drug == "heroin"
                && r.value == Some(1.0)
        })
        .map(|r| r.period.as_str())
        .collect();
    if !years.is_empty() {
        findings.push(format!(
            "The Russian Federation seized more heroin than the Central Asian transit countries combined in {} of the years with data: {}.",
            years.len(),
            years.join(", ")
        ));
    }
    for v in Verdict::ALL {
        let n = input.claims.iter().filter(|c| c.verdict == v).count();
        if n > 0 {
            findings.push(format!("Claims of the newsletter: {n} {}.", v.code()));
        }
    }
    out.push(Block::Heading(2, "Main findings".into()));
    out.push(Block::Bullets(findings));

    // Figures.
    out.push(Block::Heading(2, "Figures".into()));
    // The chart carries its title; the caption under it is numbered, as a publication's.
    for (n, figure) in input.figures.iter().enumerate() {
        let f = &figure.sidecar;
        let caption = format!(
            "Figure {}. {}. Source: {}.{}",
            n + 1,
            f.subtitle,
            f.source,
            if f.notes.is_empty() {
                String::new()
            } else {
                format!(" Notes: {}.", f.notes.join("; "))
            }
        );
        out.push(Block::Figure {
            slug: f.slug.clone(),
            caption,
            alt: f.alt_text.clone(),
            svg: figure.svg.clone(),
        });
    }

    out.push(Block::Heading(2, "Claims checked".into()));
    out.push(table(
        &[
            "id",
            "statement",
            "stated",
            "computed",
            "coverage",
            "verdict",
            "why",
        ],
        input
            .claims
            .iter()
            .map(|c| {
                [
                    &c.id,
                    &c.statement,
                    &c.stated,
                    &c.computed,
                    &c.coverage,
                    &c.verdict.code().to_string(),
                    &c.why,
                ]
                .map(String::clone)
                .to_vec()
            })
            .collect(),
    ));
    out.push(Block::Heading(2, "Share changes".into()));
    out.push(table(
        &[
            "title",
            "period_1",
            "period_2",
            "share_1 (%)",
            "share_2 (%)",
            "change (pp)",
            "change_rel_pct",
            "z_p",
            "trend",
            "mk_p",
            "coverage",
        ],
        input
            .shares
            .iter()
            .map(|s| {
                vec![
                    s.title.clone(),
                    s.period_1.clone(),
                    s.period_2.clone(),
                    percent(s.share_1),
                    percent(s.share_2),
                    s.change_pp
                        .map_or_else(String::new, |pp| format!("{pp:+.1} pp")),
                    num(s.change_rel_pct),
                    num(s.z_p),
                    text(&s.trend),
                    num(s.mk_p),
                    s.coverage.clone(),
                ]
            })
            .collect(),
    ));
    out.push(Block::Heading(2, "Significant trends".into()));
    let significant: Vec<&TrendRecord> = input
        .trends
        .iter()
        .filter(|t| t.trend.as_deref().is_some_and(|t| t != "no trend"))
        .collect();
    out.push(table(
        &[
            "indicator",
            "geo",
            "drug",
            "category",
            "window_start",
            "window_end",
            "n",
            "trend",
            "mk_p",
            "Sen slope (per year)",
            "APC (% per year)",
            "notes",
        ],
        significant
            .iter()
            .map(|t| {
                vec![
                    t.indicator.clone(),
                    t.geo.clone(),
                    text(&t.drug),
                    text(&t.category),
                    text(&t.window_start),
                    text(&t.window_end),
                    t.n.to_string(),
                    text(&t.trend),
                    num(t.mk_p),
                    // A slope in its series' unit: "-119.84 kg", "0.0124 share", "12 count".
                    t.sen_slope
                        .map_or_else(String::new, |v| format!("{} {}", readable(v), t.unit)),
                    num(t.apc),
                    t.notes.clone(),
                ]
            })
            .collect(),
    ));
    out.push(Block::Paragraph(format!(
        "{} of {} trend rows are significant at the pipeline's alpha; the full table is tables/trends.csv.",
        significant.len(),
        input.trends.len()
    )));
    out.push(Block::Heading(2, "Route: destination and transit".into()));
    out.push(table(
        &[
            "route",
            "drug",
            "period",
            "value",
            "members_reporting",
            "members_total",
            "missing_members",
        ],
        input
            .route
            .iter()
            .filter(|r| r.indicator == "destination_transit_ratio")
            .map(|r| {
                vec![
                    r.route.clone(),
                    r.drug.clone(),
                    r.period.clone(),
                    num(r.value),
                    int(r.members_reporting),
                    int(r.members_total),
                    r.missing_members.clone(),
                ]
            })
            .collect(),
    ));

    // Coverage: countries and years missing among seizure series.
    out.push(Block::Heading(2, "Data coverage".into()));
    out.push(table(
        &[
            "geo",
            "drug",
            "years",
            "observed",
            "missing inside the span",
        ],
        input
            .coverage
            .iter()
            .map(|c| {
                let span = u32::try_from(c.last - c.first + 1).unwrap_or(0);
                vec![
                    c.geo.clone(),
                    text(&c.drug),
                    format!("{}-{}", c.first, c.last),
                    c.observed.to_string(),
                    span.saturating_sub(c.observed).to_string(),
                ]
            })
            .collect(),
    ));

    // Rejected rows and provenance.
    out.push(Block::Heading(2, "Provenance".into()));
    let p = &input.provenance;
    let mut provenance = vec![format!(
        "Rejected input rows: {} (data/rejects.csv gives file, row, column, value and reason).",
        p.rejected
    )];
    if let Some(tool) = &p.tool {
        provenance.push(format!("Tool: {tool}."));
    }
    for i in &p.inputs {
        provenance.push(format!(
            "Input {}: sha256 {}, {} records, {} kept, {} rejected.",
            i.file, i.sha256, i.records, i.kept, i.rejected
        ));
    }
    out.push(Block::Bullets(provenance));
    // A section whose table has no rows (no claims, no routes) is left out, heading and all.
    let mut kept: Vec<Block> = Vec::with_capacity(out.len());
    for block in out {
        if let Block::Table { rows, .. } = &block {
            if rows.is_empty() {
                if matches!(kept.last(), Some(Block::Heading(..))) {
                    kept.pop();
                }
                continue;
            }
        }
        kept.push(block);
    }
    kept
}

fn markdown(blocks: &[Block]) -> String {
    let mut md = String::new();
    for b in blocks {
        match b {
            Block::Heading(level, text) => {
                let _ = write!(
                    md,
                    "{} {}\n\n",
                    "#".repeat(*level as usize),
                    markdown_escape(text)
                );
            }
            Block::Paragraph(text) => {
                let _ = write!(md, "{}\n\n", markdown_escape(text));
            }
            Block::Bullets(items) => {
                for i in items {
                    let _ = writeln!(md, "- {}", markdown_escape(i));
                }
                md.push('\n');
            }
            Block::Table { columns, rows } => {
                let _ = writeln!(md, "| {} |", columns.join(" | "));
                let _ = writeln!(md, "|{}|", vec!["---"; columns.len()].join("|"));
                for r in rows {
                    let _ = writeln!(
                        md,
                        "| {} |",
                        r.iter()
                            .map(|c| markdown_cell(c))
                            .collect::<Vec<_>>()
                            .join(" | ")
                    );
                }
                md.push('\n');
            }
            Block::Figure {
                slug, caption, alt, ..
            } => {
                let _ = write!(
                    md,
                    "![{}](figures/{slug}.png)\n\n*{}*\n\n",
                    markdown_escape(alt),
                    markdown_escape(caption)
                );
            }
        }
    }
    md
}

const CSS: &str = "body{font-family:'DejaVu Sans',Verdana,sans-serif;max-width:1100px;margin:2em auto;padding:0 1em;color:#222;line-height:1.45}\
h1{font-size:1.7em}h2{margin-top:2em;border-bottom:1px solid #ccc}table{border-collapse:collapse;font-size:.8em;margin:1em 0;display:block;overflow-x:auto}\
th,td{border:1px solid #ddd;padding:.25em .5em;text-align:left;vertical-align:top}th{background:#f3f3f3}figure{margin:2em 0}\
figure svg{width:100%;height:auto;border:1px solid #eee}figcaption{font-size:.85em;color:#555}.alt{font-size:.8em;color:#666}";

fn html(blocks: &[Block], title: &str) -> String {
    let mut h = format!(
        "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n<title>{}</title>\n<style>{CSS}</style>\n</head>\n<body>\n",
        html_escape(title)
    );
    for b in blocks {
        match b {
            Block::Heading(level, text) => {
                let _ = writeln!(h, "<h{level}>{}</h{level}>", html_escape(text));
            }
            Block::Paragraph(text) => {
                let _ = writeln!(h, "<p>{}</p>", html_escape(text));
            }
            Block::Bullets(items) => {
                h.push_str("<ul>\n");
                for i in items {
                    let _ = writeln!(h, "<li>{}</li>", html_escape(i));
                }
                h.push_str("</ul>\n");
            }
            Block::Table { columns, rows } => {
                h.push_str("<table>\n<thead><tr>");
                for c in columns {
                    let _ = write!(h, "<th>{}</th>", html_escape(c));
                }
                h.push_str("</tr></thead>\n<tbody>\n");
                for r in rows {
                    h.push_str("<tr>");
                    for c in r {
                        let _ = write!(h, "<td>{}</td>", html_escape(c));
                    }
                    h.push_str("</tr>\n");
                }
                h.push_str("</tbody>\n</table>\n");
            }
            Block::Figure {
                slug, caption, svg, ..
            } => {
                // The figure's own SVG (its strings already escaped), with ids made unique.
                let svg = svg
                    .trim_start_matches(|c| c != '<')
                    .replace("rt-title", &format!("{slug}-title"))
                    .replace("rt-desc", &format!("{slug}-desc"));
                let svg = match svg.find("width=\"") {
                    Some(_) => svg.replacen(" width=\"", " data-width=\"", 1).replacen(
                        " height=\"",
                        " data-height=\"",
                        1,
                    ),
                    None => svg,
                };
                // The alt text is the SVG's <desc>, which names it (aria-labelledby).
                let _ = write!(
                    h,
                    "<figure id=\"{slug}\">\n{svg}\n<figcaption>{}</figcaption>\n</figure>\n",
                    html_escape(caption)
                );
            }
        }
    }
    h.push_str("</body>\n</html>\n");
    h
}
