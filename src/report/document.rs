//! The report: `report.md` and a self-contained `report.html` (CSS inline, figures inline as
//! SVG, no network: it opens from a USB stick). Title, as-of and run id; a summary of the main
//! findings with the numbers from the tables; every figure with its caption and alt text; the
//! trends (significant ones), shares, route and claims tables; data coverage (which
//! countries and years are missing); the rejected input rows; and provenance (inputs with
//! hashes, tool version). Every string from data or configuration is escaped.

use std::fmt::Write as _;
use std::path::Path;

use polars::prelude::*;

use crate::ingest::write::write_text;
use crate::ingest::IngestError;
use crate::pipeline::config::Pipeline;
use crate::report::tables::{markdown_escape, readable};

/// What the report is built from: the run's output folder and its labels.
pub struct ReportContext<'a> {
    pub pipeline: &'a Pipeline,
    pub dir: &'a Path,
    pub run_id: &'a str,
    pub as_of: Option<String>,
}

/// Escapes text for HTML (element content and attribute values).
pub fn html_escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

fn fail(path: &Path, e: impl std::fmt::Display) -> IngestError {
    IngestError::Unreadable {
        file: path.display().to_string(),
        message: e.to_string(),
    }
}

fn read(dir: &Path, name: &str) -> Result<DataFrame, IngestError> {
    let path = dir.join(name);
    let file = std::fs::File::open(&path).map_err(|e| fail(&path, e))?;
    ParquetReader::new(file)
        .finish()
        .map_err(|e| fail(&path, e))
}

fn cell(c: &Column, i: usize) -> String {
    match c.get(i).unwrap_or(AnyValue::Null) {
        AnyValue::Null => String::new(),
        AnyValue::Float64(v) => readable(v),
        AnyValue::String(s) => s.to_string(),
        AnyValue::StringOwned(s) => s.to_string(),
        other => other.to_string(),
    }
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
        title: String,
        caption: String,
        alt: String,
        svg: String,
    },
}

fn table_of(frame: &DataFrame, columns: &[&str]) -> Block {
    let cols: Vec<&Column> = columns
        .iter()
        .filter_map(|c| frame.column(c).ok())
        .collect();
    let rows = (0..frame.height())
        .map(|i| cols.iter().map(|c| cell(c, i)).collect())
        .collect();
    Block::Table {
        columns: columns.iter().map(|c| c.to_string()).collect(),
        rows,
    }
}

fn strings(frame: &DataFrame, name: &str) -> Vec<String> {
    frame
        .column(name)
        .and_then(|c| c.str().cloned())
        .map(|c| c.iter().map(|s| s.unwrap_or("").to_string()).collect())
        .unwrap_or_default()
}

fn floats(frame: &DataFrame, name: &str) -> Vec<Option<f64>> {
    frame
        .column(name)
        .and_then(|c| c.f64().cloned())
        .map(|c| c.iter().collect())
        .unwrap_or_default()
}

/// Builds the report's blocks from the run's tables, figures and metadata.
fn blocks(ctx: &ReportContext) -> Result<Vec<Block>, IngestError> {
    let dir = ctx.dir;
    let trends = read(dir, "tables/trends.parquet")?;
    let shares = read(dir, "tables/shares.parquet")?;
    let route = read(dir, "tables/route.parquet")?;
    let claims = read(dir, "tables/claims.parquet")?;
    let observations = read(dir, "data/observations.parquet")?;
    let mut out = vec![Block::Heading(1, ctx.pipeline.report.title.clone())];
    let as_of = ctx
        .as_of
        .clone()
        .map_or_else(|| "all data".to_string(), |a| format!("data as of {a}"));
    out.push(Block::Paragraph(format!(
        "Run {} of pipeline `{}` ({as_of}), routetrend {}. {}",
        ctx.run_id,
        ctx.pipeline.name,
        env!("CARGO_PKG_VERSION"),
        ctx.pipeline.description
    )));

    // Main findings, each a number from a table.
    let mut findings = Vec::new();
    let (geo, drug, trend, mk_p, sen, start, end) = (
        strings(&trends, "geo"),
        strings(&trends, "drug"),
        strings(&trends, "trend"),
        floats(&trends, "mk_p"),
        floats(&trends, "sen_slope"),
        strings(&trends, "window_start"),
        strings(&trends, "window_end"),
    );
    let indicator = strings(&trends, "indicator");
    let units = strings(&trends, "unit");
    let notes = strings(&trends, "notes");
    for i in 0..trends.height() {
        let key_series = indicator[i] == "seizures"
            && ["heroin", "opium", "cannabis_herb", "cannabis_resin"].contains(&drug[i].as_str())
            && (geo[i].len() == 3)
            && start[i] == "2000"
            && end[i] == "2022";
        if key_series && trend[i] != "no trend" && !trend[i].is_empty() {
            let caveat = if notes[i].contains("coverage changes") {
                " Coverage changes inside the window (see the trends table notes): part of the change may be missing data."
            } else {
                ""
            };
            findings.push(format!(
                "{} {} seizures, {}-{}: {} (Mann-Kendall p = {}; Sen slope {} {} per year).{caveat}",
                geo[i],
                drug[i].replace('_', " "),
                start[i],
                end[i],
                trend[i],
                mk_p[i].map_or("-".into(), readable),
                sen[i].map_or("-".into(), readable),
                units[i]
            ));
        }
    }
    let (title, p1, p2, s1, s2, pp) = (
        strings(&shares, "title"),
        strings(&shares, "period_1"),
        strings(&shares, "period_2"),
        floats(&shares, "share_1"),
        floats(&shares, "share_2"),
        floats(&shares, "change_pp"),
    );
    for i in 0..shares.height() {
        if let (Some(a), Some(b), Some(c)) = (s1[i], s2[i], pp[i]) {
            findings.push(format!(
                "{}: {:.1}% in {} and {:.1}% in {} ({:+.1} percentage points).",
                title[i],
                100.0 * a,
                p1[i],
                100.0 * b,
                p2[i],
                c
            ));
        }
    }
    let exceeds = route
        .clone()
        .lazy()
        .filter(
            col("indicator")
                .eq(lit("destination_exceeds_transit"))
                .and(col("drug").eq(lit("heroin")))
                .and(col("value").eq(lit(1.0))),
        )
        .collect()
        .map_err(|e| fail(dir, e))?;
    let years = strings(&exceeds, "period");
    if !years.is_empty() {
        findings.push(format!(
            "The Russian Federation seized more heroin than the Central Asian transit countries combined in {} of the years with data: {}.",
            years.len(),
            years.join(", ")
        ));
    }
    let verdicts = strings(&claims, "verdict");
    for v in ["supported", "contradicted", "not checkable"] {
        let n = verdicts.iter().filter(|x| x.as_str() == v).count();
        if n > 0 {
            findings.push(format!("Claims of the newsletter: {n} {v}."));
        }
    }
    out.push(Block::Heading(2, "Main findings".into()));
    out.push(Block::Bullets(findings));

    // Figures.
    out.push(Block::Heading(2, "Figures".into()));
    for figure in &ctx.pipeline.figures {
        let json_path = dir.join(format!("figures/{}.json", figure.slug));
        let json: serde_json::Value = serde_json::from_str(
            &std::fs::read_to_string(&json_path).map_err(|e| fail(&json_path, e))?,
        )
        .map_err(|e| fail(&json_path, e))?;
        let svg_path = dir.join(format!("figures/{}.svg", figure.slug));
        let svg = std::fs::read_to_string(&svg_path).map_err(|e| fail(&svg_path, e))?;
        let text = |k: &str| json[k].as_str().unwrap_or("").to_string();
        let notes: Vec<String> = json["notes"]
            .as_array()
            .map(|a| {
                a.iter()
                    .filter_map(|n| n.as_str().map(str::to_string))
                    .collect()
            })
            .unwrap_or_default();
        let caption = format!(
            "{}. {}{}",
            text("subtitle"),
            text("source"),
            if notes.is_empty() {
                String::new()
            } else {
                format!(" Notes: {}", notes.join(" "))
            }
        );
        out.push(Block::Figure {
            slug: figure.slug.clone(),
            title: text("title"),
            caption,
            alt: text("alt_text"),
            svg,
        });
    }

    out.push(Block::Heading(2, "Claims checked".into()));
    out.push(table_of(
        &claims,
        &[
            "id",
            "statement",
            "stated",
            "computed",
            "coverage",
            "verdict",
            "why",
        ],
    ));
    out.push(Block::Heading(2, "Share changes".into()));
    out.push(table_of(
        &shares,
        &[
            "title",
            "period_1",
            "period_2",
            "share_1",
            "share_2",
            "change_pp",
            "change_rel_pct",
            "z_p",
            "trend",
            "mk_p",
            "coverage",
        ],
    ));
    out.push(Block::Heading(2, "Significant trends".into()));
    let significant = trends
        .clone()
        .lazy()
        .filter(col("trend").neq(lit("no trend")))
        .collect()
        .map_err(|e| fail(dir, e))?;
    out.push(table_of(
        &significant,
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
            "sen_slope",
            "apc",
            "notes",
        ],
    ));
    out.push(Block::Paragraph(format!("{} of {} trend rows are significant at the pipeline's alpha; the full table is tables/trends.csv.", significant.height(), trends.height())));
    out.push(Block::Heading(2, "Route: destination and transit".into()));
    let ratios = route
        .clone()
        .lazy()
        .filter(col("indicator").eq(lit("destination_transit_ratio")))
        .collect()
        .map_err(|e| fail(dir, e))?;
    out.push(table_of(
        &ratios,
        &[
            "route",
            "drug",
            "period",
            "value",
            "members_reporting",
            "members_total",
            "missing_members",
        ],
    ));

    // Coverage: countries and years missing among seizure series.
    out.push(Block::Heading(2, "Data coverage".into()));
    let coverage = observations
        .clone()
        .lazy()
        .filter(
            col("indicator")
                .eq(lit("seizures"))
                .and(col("freq").eq(lit("A"))),
        )
        .group_by([col("geo"), col("drug")])
        .agg([
            col("x").min().alias("first"),
            col("x").max().alias("last"),
            col("x").count().alias("n"),
        ])
        .sort(["geo", "drug"], SortMultipleOptions::default())
        .collect()
        .map_err(|e| fail(dir, e))?;
    let (g, d, first, last) = (
        strings(&coverage, "geo"),
        strings(&coverage, "drug"),
        floats(&coverage, "first"),
        floats(&coverage, "last"),
    );
    let n: Vec<u32> = coverage
        .column("n")
        .ok()
        .and_then(|c| c.cast(&DataType::UInt32).ok())
        .and_then(|c| {
            c.u32()
                .ok()
                .map(|c| c.iter().map(|v| v.unwrap_or(0)).collect())
        })
        .unwrap_or_default();
    let mut rows = Vec::new();
    for i in 0..coverage.height() {
        let (a, b) = (
            first[i].unwrap_or(0.0) as i32,
            last[i].unwrap_or(0.0) as i32,
        );
        let span = (b - a + 1) as u32;
        rows.push(vec![
            g[i].clone(),
            d[i].clone(),
            format!("{a}-{b}"),
            n[i].to_string(),
            span.saturating_sub(n[i]).to_string(),
        ]);
    }
    out.push(Block::Table {
        columns: [
            "geo",
            "drug",
            "years",
            "observed",
            "missing inside the span",
        ]
        .map(String::from)
        .to_vec(),
        rows,
    });

    // Rejected rows and provenance.
    out.push(Block::Heading(2, "Provenance".into()));
    let rejects_path = dir.join("data/rejects.csv");
    let rejected = std::fs::read_to_string(&rejects_path)
        .map(|t| t.lines().count().saturating_sub(1))
        .unwrap_or(0);
    let mut provenance = vec![format!("Rejected input rows: {rejected} (data/rejects.csv gives file, row, column, value and reason).")];
    let metadata = ParquetReader::new(
        std::fs::File::open(dir.join("data/observations.parquet")).map_err(|e| fail(dir, e))?,
    )
    .get_metadata()
    .map_err(|e| fail(dir, e))?
    .clone();
    for kv in metadata.key_value_metadata().iter().flatten() {
        if kv.key == "routetrend.inputs" {
            let inputs: serde_json::Value =
                serde_json::from_str(kv.value.as_deref().unwrap_or("[]")).unwrap_or_default();
            for i in inputs.as_array().into_iter().flatten() {
                provenance.push(format!(
                    "Input {}: sha256 {}, {} records, {} kept, {} rejected.",
                    i["file"].as_str().unwrap_or(""),
                    i["sha256"].as_str().unwrap_or(""),
                    i["records"],
                    i["kept"],
                    i["rejected"]
                ));
            }
        } else if kv.key == "routetrend.tool" {
            provenance.push(format!("Tool: {}.", kv.value.as_deref().unwrap_or("")));
        }
    }
    out.push(Block::Bullets(provenance));
    Ok(out)
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
                            .map(|c| markdown_escape(c))
                            .collect::<Vec<_>>()
                            .join(" | ")
                    );
                }
                md.push('\n');
            }
            Block::Figure {
                slug,
                title,
                caption,
                alt,
                ..
            } => {
                let _ = write!(
                    md,
                    "### {}\n\n![{}](figures/{slug}.png)\n\n*{}*\n\n",
                    markdown_escape(title),
                    markdown_escape(alt).replace(['[', ']'], ""),
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
                slug,
                title,
                caption,
                alt,
                svg,
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
                let _ = write!(
                    h,
                    "<figure id=\"{slug}\">\n<h3>{}</h3>\n{svg}\n<figcaption>{}</figcaption>\n<p class=\"alt\">Alt text: {}</p>\n</figure>\n",
                    html_escape(title),
                    html_escape(caption),
                    html_escape(alt)
                );
            }
        }
    }
    h.push_str("</body>\n</html>\n");
    h
}

/// Writes `report.md` and `report.html` into the run folder.
pub fn write_report(ctx: &ReportContext) -> Result<(), IngestError> {
    let blocks = blocks(ctx)?;
    write_text(&ctx.dir.join("report.md"), &markdown(&blocks))?;
    write_text(
        &ctx.dir.join("report.html"),
        &html(&blocks, &ctx.pipeline.report.title),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn html_escape_makes_markup_inert() {
        assert_eq!(
            html_escape("<script>alert('x')</script> & \"q\""),
            "&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt; &amp; &quot;q&quot;"
        );
    }
}
