//! The report: `report.md` (Pandoc Markdown: a title block, figures with ids, captions and
//! alt text, pipe tables; `pandoc report.md -o report.docx` gives a Word document) and a
//! self-contained `report.html` (CSS inline, figures inline as SVG, a table of contents, a
//! print layout for A4; no network: it opens from a USB stick).
//!
//! The blocks, in the order `[report] sections` gives: findings (sentences from the tables,
//! see [`crate::report::findings`]), figures (numbered captions under the charts), claims,
//! tables for reading (significant trends, share changes, the route comparison), data
//! coverage of the pipeline's scope, methods, and provenance; the writer's `intro` and
//! `outro` around them. Empty blocks are left out. Every string from data or configuration
//! is escaped.
//!
//! Built from a typed [`ReportInput`] (the report stage reads the run's tables and figure
//! sidecars into it): no files, no pipeline, no queries here.

use std::collections::{BTreeMap, BTreeSet};
use std::fmt::Write as _;

use crate::analysis::claims::ClaimRow;
use crate::analysis::trend::{is_significant, summary_notes, JoinpointLimit, NCI_LIMIT_CAP};
use crate::display::{html_escape, markdown_cell, markdown_escape, readable};
use crate::i18n::{Language, Texts};
use crate::ingest::output::InputRecord;
use crate::report::figure::FigureSidecar;
use crate::report::findings::{
    distinct_windows, findings, missing_members, p_value, percent, series_name, slope, window_text,
    words,
};
use crate::stats::{mann_kendall_min_p, CORRECTION_MIN_N};

/// The blocks a report can show, as `[report] sections` names them.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Section {
    Findings,
    Figures,
    Claims,
    Tables,
    Coverage,
    Methods,
    Provenance,
}

impl Section {
    /// Every section, in the default order.
    pub const ALL: [Section; 7] = [
        Section::Findings,
        Section::Figures,
        Section::Claims,
        Section::Tables,
        Section::Coverage,
        Section::Methods,
        Section::Provenance,
    ];

    pub fn key(self) -> &'static str {
        match self {
            Section::Findings => "findings",
            Section::Figures => "figures",
            Section::Claims => "claims",
            Section::Tables => "tables",
            Section::Coverage => "coverage",
            Section::Methods => "methods",
            Section::Provenance => "provenance",
        }
    }

    /// The section's heading in the language of `texts`.
    fn heading(self, texts: &Texts) -> String {
        texts.get(&format!("section-{}", self.key()))
    }
}

/// Everything the report shows, as the run's tables and figures hold it.
#[derive(Clone, Debug)]
pub struct ReportInput {
    /// The language the report is written in.
    pub language: Language,
    pub title: String,
    pub subtitle: Option<String>,
    /// The writer's Markdown before the first section and after the last.
    pub intro: Option<String>,
    pub outro: Option<String>,
    pub sections: Vec<Section>,
    /// Ids whose findings come first (`[report] highlight`).
    pub highlight: Vec<String>,
    pub description: String,
    /// The pipeline's name.
    pub pipeline: String,
    pub run_id: String,
    pub as_of: Option<String>,
    pub methods: MethodParams,
    /// What the pipeline declares: the series, routes and scope the report speaks of.
    pub declared: Declared,
    /// Names of the places and drugs of this run, by code (from the reference).
    pub geo_names: BTreeMap<String, String>,
    pub drug_names: BTreeMap<String, String>,
    pub trends: Vec<TrendRecord>,
    pub regional: Vec<RegionalRecord>,
    pub parallel: Vec<ParallelRecord>,
    pub shares: Vec<ShareRecord>,
    pub route: Vec<RouteRecord>,
    pub claims: Vec<ClaimRow>,
    /// Periods in which an aggregate's members do not all report.
    pub member_gaps: Vec<MemberGap>,
    /// Periods in which a share's part or whole misses members.
    pub share_gaps: Vec<ShareGap>,
    /// Seizure series with annual data, by geo and drug.
    pub coverage: Vec<CoverageRecord>,
    /// The first and last period of the observation table.
    pub span: Option<(String, String)>,
    pub figures: Vec<PublishedFigure>,
    pub provenance: Provenance,
}

impl Default for ReportInput {
    fn default() -> Self {
        ReportInput {
            language: Language::En,
            title: String::new(),
            subtitle: None,
            intro: None,
            outro: None,
            sections: Section::ALL.to_vec(),
            highlight: Vec::new(),
            description: String::new(),
            pipeline: String::new(),
            run_id: String::new(),
            as_of: None,
            methods: MethodParams::default(),
            declared: Declared::default(),
            geo_names: BTreeMap::new(),
            drug_names: BTreeMap::new(),
            trends: Vec::new(),
            regional: Vec::new(),
            parallel: Vec::new(),
            shares: Vec::new(),
            route: Vec::new(),
            claims: Vec::new(),
            member_gaps: Vec::new(),
            share_gaps: Vec::new(),
            coverage: Vec::new(),
            span: None,
            figures: Vec::new(),
            provenance: Provenance::default(),
        }
    }
}

impl ReportInput {
    /// The catalog and number formats of the report's language.
    pub fn texts(&self) -> &'static Texts {
        Texts::of(self.language)
    }

    /// A place's name ("Kazakhstan", "Central Asia"); the code itself when the reference
    /// has no name for it.
    pub fn geo_name(&self, code: &str) -> String {
        self.geo_names
            .get(code)
            .cloned()
            .unwrap_or_else(|| code.to_string())
    }

    /// A drug's name in running text ("heroin", "cannabis-type drugs"); the key in words
    /// when the reference has none.
    pub fn drug_name(&self, key: &str) -> String {
        self.drug_names
            .get(key)
            .cloned()
            .unwrap_or_else(|| words(key))
    }

    /// Text of the pipeline's tables with every geo code in it named: "1/5 (KAZ KGZ
    /// missing)" -> "1/5 (Kazakhstan Kyrgyzstan missing)".
    pub fn named(&self, text: &str) -> String {
        let mut out = String::with_capacity(text.len());
        let mut word = String::new();
        let flush = |word: &mut String, out: &mut String| {
            match self.geo_names.get(word.as_str()) {
                Some(name) => out.push_str(name),
                None => out.push_str(word),
            }
            word.clear();
        };
        for c in text.chars() {
            if c.is_ascii_alphanumeric() {
                word.push(c);
            } else {
                flush(&mut word, &mut out);
                out.push(c);
            }
        }
        flush(&mut word, &mut out);
        out
    }

    /// The test that labels the trend column, and its p-value for this row.
    pub fn trend_test(&self, t: &TrendRecord) -> (&'static str, Option<f64>) {
        if self.methods.hamed_rao {
            ("Hamed-Rao modified Mann-Kendall", t.hr_p)
        } else {
            ("Mann-Kendall", t.mk_p)
        }
    }

    /// Whether a trends row is about what the pipeline declares.
    fn in_scope(&self, t: &TrendRecord) -> bool {
        self.declared.covers(&t.key.geo, &t.key.drug)
    }
}

/// The analysis settings the methods section states.
#[derive(Clone, Debug)]
pub struct MethodParams {
    pub alpha: f64,
    /// The trend label comes from the Hamed-Rao test (else the original Mann-Kendall).
    pub hamed_rao: bool,
    pub joinpoint_limit: JoinpointLimit,
    /// Joinpoints chosen by permutation tests with this many permutations (else BIC).
    pub permutations: Option<usize>,
}

impl Default for MethodParams {
    fn default() -> Self {
        MethodParams {
            alpha: 0.05,
            hamed_rao: false,
            joinpoint_limit: JoinpointLimit::Nci,
            permutations: None,
        }
    }
}

/// What the pipeline declares.
#[derive(Clone, Debug, Default)]
pub struct Declared {
    /// Aggregates and the series figures draw from the observations.
    pub series: Vec<DeclaredSeries>,
    pub routes: Vec<DeclaredRoute>,
    /// The geos (codes, with every member of an aggregate and route) and drugs (keys and
    /// group labels) the pipeline speaks of; `None`: it declares none, so everything.
    pub geos: Option<BTreeSet<String>>,
    pub drugs: Option<BTreeSet<String>>,
}

/// Which series a row is about: the series columns of the tables (without frequency and
/// unit, which a declaration does not fix).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct SeriesRef {
    pub indicator: String,
    pub geo: String,
    /// The drug label of the tables (a key, a group key, `all_drugs`).
    pub drug: Option<String>,
    pub dimension: Option<String>,
    pub category: Option<String>,
}

impl Declared {
    /// Whether a geo and drug are among those the pipeline speaks of (everything when it
    /// declares nothing; a row without a drug is in scope by its geo).
    pub fn covers(&self, geo: &str, drug: &Option<String>) -> bool {
        let geo = self.geos.as_ref().is_none_or(|g| g.contains(geo));
        let drug = match (&self.drugs, drug) {
            (Some(drugs), Some(drug)) => drugs.contains(drug),
            _ => true,
        };
        geo && drug
    }
}

/// A series the findings speak of.
#[derive(Clone, Debug, Default)]
pub struct DeclaredSeries {
    /// What declared it: an aggregate's geo or a figure's slug (for `highlight`).
    pub about: String,
    pub key: SeriesRef,
}

/// A route the pipeline analyses, with its members named.
#[derive(Clone, Debug, Default)]
pub struct DeclaredRoute {
    pub id: String,
    pub name: String,
    pub transit: Vec<String>,
    pub destination: Vec<String>,
    /// Drug labels of the route table.
    pub drugs: Vec<String>,
}

/// An aggregate's period with members missing (tables/aggregates).
#[derive(Clone, Debug, Default)]
pub struct MemberGap {
    pub key: SeriesRef,
    pub period: String,
    /// Codes of the members missing, space-separated.
    pub missing: String,
}

/// A share's period with members of its part or whole missing (tables/share_series).
#[derive(Clone, Debug, Default)]
pub struct ShareGap {
    pub share_id: String,
    pub period: String,
    pub missing: String,
}

/// The columns of a trends table row that the report uses.
#[derive(Clone, Debug, Default)]
pub struct TrendRecord {
    pub key: SeriesRef,
    /// The place's name (the trends table's `geo_name`; empty where it has none).
    pub geo_name: String,
    pub unit: String,
    pub window_start: Option<String>,
    pub window_end: Option<String>,
    pub n: u32,
    pub n_missing: u32,
    pub trend: Option<String>,
    pub mk_p: Option<f64>,
    pub hr_p: Option<f64>,
    pub tau: Option<f64>,
    pub sen_slope: Option<f64>,
    pub apc: Option<f64>,
    pub notes: String,
}

/// A parallel table row.
#[derive(Clone, Debug, Default)]
pub struct ParallelRecord {
    pub id: String,
    pub indicator: String,
    pub a_geo: String,
    pub a_drug: Option<String>,
    pub b_geo: String,
    pub b_drug: Option<String>,
    pub window_start: Option<String>,
    pub window_end: Option<String>,
    pub k: Option<i64>,
    pub f: Option<f64>,
    pub df1: Option<i64>,
    pub df2: Option<i64>,
    pub p: Option<f64>,
    pub verdict: Option<String>,
}

/// The columns of a regional trends table row that the report uses.
#[derive(Clone, Debug, Default)]
pub struct RegionalRecord {
    pub key: SeriesRef,
    pub unit: String,
    pub window_start: Option<String>,
    pub window_end: Option<String>,
    pub members: u32,
    pub members_tested: u32,
    pub p: Option<f64>,
    pub slope: Option<f64>,
    pub trend: Option<String>,
    pub cmk_periods: u32,
    pub cmk_p: Option<f64>,
}

/// The columns of a shares table row that the report uses.
#[derive(Clone, Debug, Default)]
pub struct ShareRecord {
    pub share_id: String,
    pub title: String,
    pub period_1: String,
    pub period_2: String,
    pub share_1: Option<f64>,
    pub share_2: Option<f64>,
    pub change_pp: Option<f64>,
    pub change_rel_pct: Option<f64>,
    pub z_p: Option<f64>,
    pub window_start: Option<String>,
    pub window_end: Option<String>,
    pub trend: Option<String>,
    pub mk_p: Option<f64>,
    pub sen_slope_pp: Option<f64>,
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

impl CoverageRecord {
    /// Years without an observation between the first and the last.
    pub fn missing_inside(&self) -> u32 {
        u32::try_from(self.last - self.first + 1)
            .unwrap_or(0)
            .saturating_sub(self.observed)
    }
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
    /// The writer's own Markdown (`intro`, `outro`).
    Markdown(String),
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

/// A table whose columns are headed by the catalog's messages `columns` (`column-<name>`).
fn table(texts: &Texts, columns: &[&str], rows: Vec<Vec<String>>) -> Block {
    Block::Table {
        columns: columns
            .iter()
            .map(|c| texts.get(&format!("column-{c}")))
            .collect(),
        rows,
    }
}

/// A number cell: rounded for reading, empty when null.
fn num(v: Option<f64>) -> String {
    v.map_or_else(String::new, readable)
}

fn text(v: &Option<String>) -> String {
    v.clone().unwrap_or_default()
}

/// The report as Markdown and as self-contained HTML.
pub fn render(input: &ReportInput) -> (String, String) {
    let blocks = blocks(input);
    (markdown(input, &blocks), html(input, &blocks))
}

/// Builds the report's blocks from the run's tables, figures and metadata.
fn blocks(input: &ReportInput) -> Vec<Block> {
    let texts = input.texts();
    let mut data = match &input.as_of {
        None => texts.get("run-data-all"),
        Some(a) => texts.format("run-data-as-of", &[("period", a.into())]),
    };
    if let Some((first, last)) = &input.span {
        data = texts.format(
            "run-data-span",
            &[
                ("data", data.into()),
                ("first", first.into()),
                ("last", last.into()),
            ],
        );
    }
    let run_line = texts.format(
        "run-line",
        &[
            ("run", (&input.run_id).into()),
            ("pipeline", (&input.pipeline).into()),
            ("data", data.into()),
            ("version", env!("CARGO_PKG_VERSION").into()),
        ],
    );
    let mut out = vec![Block::Paragraph(format!(
        "{run_line} {}",
        input.description
    ))];
    if let Some(intro) = &input.intro {
        out.push(Block::Markdown(intro.clone()));
    }
    for section in &input.sections {
        let body = match section {
            Section::Findings => findings(input)
                .into_iter()
                .flat_map(|(heading, texts)| [Block::Heading(3, heading), Block::Bullets(texts)])
                .collect(),
            Section::Figures => figures(input),
            Section::Claims => vec![claims_table(input)],
            Section::Tables => tables(input),
            Section::Coverage => coverage(input),
            Section::Methods => methods(input),
            Section::Provenance => provenance(input),
        };
        let body: Vec<Block> = body.into_iter().filter(|b| !is_empty(b)).collect();
        // A section with nothing to show is left out, heading and all.
        if body.iter().any(|b| !matches!(b, Block::Heading(..))) {
            out.push(Block::Heading(2, section.heading(input.texts())));
            out.extend(body);
        }
    }
    if let Some(outro) = &input.outro {
        out.push(Block::Markdown(outro.clone()));
    }
    out
}

fn is_empty(block: &Block) -> bool {
    match block {
        Block::Bullets(items) => items.is_empty(),
        Block::Table { rows, .. } => rows.is_empty(),
        _ => false,
    }
}

fn figures(input: &ReportInput) -> Vec<Block> {
    // The chart carries its title; the caption under it is numbered, as a publication's.
    input
        .figures
        .iter()
        .enumerate()
        .map(|(n, figure)| {
            let f = &figure.sidecar;
            let what = f.caption.as_deref().unwrap_or(&f.subtitle);
            let notes: Vec<&str> = f.notes.iter().map(|n| n.trim_end_matches('.')).collect();
            let texts = input.texts();
            let mut caption = texts.format(
                "figure-caption",
                &[
                    ("number", (n + 1).into()),
                    ("what", what.trim_end_matches('.').into()),
                    ("source", (&f.source).into()),
                ],
            );
            if !notes.is_empty() {
                caption.push(' ');
                caption.push_str(&texts.format(
                    "figure-caption-notes",
                    &[("notes", notes.join("; ").into())],
                ));
            }
            Block::Figure {
                slug: f.slug.clone(),
                caption,
                alt: f.alt_text.clone(),
                svg: figure.svg.clone(),
            }
        })
        .collect()
}

fn claims_table(input: &ReportInput) -> Block {
    table(
        input.texts(),
        &[
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
                vec![
                    c.statement.clone(),
                    c.stated.clone(),
                    input.named(&c.computed),
                    input.named(&c.coverage),
                    c.verdict.code().to_string(),
                    input.named(&c.why),
                ]
            })
            .collect(),
    )
}

/// The tables for reading: significant trends in scope, share changes, the route comparison.
fn tables(input: &ReportInput) -> Vec<Block> {
    let in_scope: Vec<&TrendRecord> = input.trends.iter().filter(|t| input.in_scope(t)).collect();
    let significant: Vec<&TrendRecord> = distinct_windows(
        in_scope
            .iter()
            .copied()
            .filter(|t| t.trend.as_deref().is_some_and(is_significant)),
    );
    let mut out = Vec::new();
    if !significant.is_empty() {
        out.push(Block::Heading(
            3,
            input.texts().get("heading-significant-trends"),
        ));
        out.push(table(
            input.texts(),
            &[
                "series",
                "window",
                "n",
                "trend",
                "p",
                "sen-slope",
                "apc",
                "notes",
            ],
            significant
                .iter()
                .map(|t| {
                    let (_, p) = input.trend_test(t);
                    vec![
                        trend_series_name(input, t),
                        window_text(&t.window_start, &t.window_end),
                        t.n.to_string(),
                        text(&t.trend),
                        p.map_or_else(String::new, p_value),
                        t.sen_slope.map_or_else(String::new, |v| slope(v, &t.unit)),
                        num(t.apc),
                        // Without the notes of columns this table does not show.
                        input.named(&summary_notes(&t.notes)),
                    ]
                })
                .collect(),
        ));
        // Counts and alpha as the tables write them.
        out.push(Block::Paragraph(input.texts().format(
            "significant-trends-summary",
            &[
                ("significant", significant.len().to_string().into()),
                ("rows", in_scope.len().to_string().into()),
                ("alpha", input.methods.alpha.to_string().into()),
            ],
        )));
    }
    if !input.shares.is_empty() {
        out.push(Block::Heading(
            3,
            input.texts().get("heading-share-changes"),
        ));
        out.push(table(
            input.texts(),
            &[
                "share",
                "periods",
                "first",
                "second",
                "change",
                "relative-change",
                "test-p",
                "trend",
                "coverage",
            ],
            input
                .shares
                .iter()
                .map(|s| {
                    vec![
                        s.title.clone(),
                        format!("{} to {}", s.period_1, s.period_2),
                        s.share_1.map_or_else(String::new, percent),
                        s.share_2.map_or_else(String::new, percent),
                        s.change_pp
                            .map_or_else(String::new, |pp| format!("{pp:+.1} pp")),
                        s.change_rel_pct
                            .map_or_else(String::new, |r| format!("{}%", readable(r))),
                        s.z_p.map_or_else(String::new, p_value),
                        text(&s.trend),
                        share_coverage(input, s),
                    ]
                })
                .collect(),
        ));
    }
    for route in &input.declared.routes {
        out.extend(route_table(input, route));
    }
    out
}

/// A route's destination/transit ratio by period, a column per drug; a ratio whose
/// members do not all report says how many do ("1.35 (4 of 5)").
fn route_table(input: &ReportInput, route: &DeclaredRoute) -> Vec<Block> {
    let ratios: Vec<&RouteRecord> = input
        .route
        .iter()
        .filter(|r| r.route == route.id && r.indicator == "destination_transit_ratio")
        .collect();
    if ratios.is_empty() {
        return Vec::new();
    }
    let mut periods: Vec<&str> = ratios.iter().map(|r| r.period.as_str()).collect();
    periods.sort_by(|a, b| {
        let x = |p: &str| crate::model::Period::parse(p).map_or(f64::NAN, |p| p.x());
        x(a).total_cmp(&x(b))
    });
    periods.dedup();
    let rows = periods
        .iter()
        .map(|period| {
            let mut row = vec![period.to_string()];
            for drug in &route.drugs {
                let cell = ratios
                    .iter()
                    .find(|r| r.period == *period && r.drug == *drug)
                    .map_or_else(String::new, |r| {
                        let value = num(r.value);
                        match (r.members_reporting, r.members_total) {
                            (Some(a), Some(b)) if a < b => format!("{value} ({a} of {b})"),
                            _ => value,
                        }
                    });
                row.push(cell);
            }
            row
        })
        .collect();
    let names: Vec<String> = route.drugs.iter().map(|d| input.drug_name(d)).collect();
    // A column per drug, headed by its name.
    let mut columns = vec![input.texts().get("column-period")];
    columns.extend(names);
    vec![
        Block::Heading(
            3,
            input.texts().format(
                "route-ratio-heading",
                &[
                    ("route", (&route.name).into()),
                    ("destination", route.destination.join(", ").into()),
                    ("transit", route.transit.join(", ").into()),
                ],
            ),
        ),
        Block::Table { columns, rows },
    ]
}

/// The members missing in a share's compared periods: "complete", or "Turkmenistan
/// missing in 2022".
fn share_coverage(input: &ReportInput, s: &ShareRecord) -> String {
    let gaps: Vec<(&str, &str)> = input
        .share_gaps
        .iter()
        .filter(|g| g.share_id == s.share_id && (g.period == s.period_1 || g.period == s.period_2))
        .map(|g| (g.period.as_str(), g.missing.as_str()))
        .collect();
    let missing = missing_members(&gaps, input);
    if missing.is_empty() {
        "complete".into()
    } else {
        missing
    }
}

/// A trends row's series in words: a share by its title, a route indicator by its segment.
fn trend_series_name(input: &ReportInput, t: &TrendRecord) -> String {
    if let Some(share) = input.shares.iter().find(|s| s.share_id == t.key.geo) {
        return share.title.clone();
    }
    let geo = if t.geo_name.is_empty() {
        input.geo_name(&t.key.geo)
    } else {
        t.geo_name.clone()
    };
    series_name(input, &geo, &t.key)
}

/// Countries and years missing among the seizure series of the pipeline's scope.
fn coverage(input: &ReportInput) -> Vec<Block> {
    let rows: Vec<Vec<String>> = input
        .coverage
        .iter()
        .filter(|c| input.declared.covers(&c.geo, &c.drug))
        .map(|c| {
            vec![
                input.geo_name(&c.geo),
                c.drug
                    .as_deref()
                    .map_or_else(String::new, |k| input.drug_name(k)),
                format!("{}-{}", c.first, c.last),
                c.observed.to_string(),
                c.missing_inside().to_string(),
            ]
        })
        .collect();
    if rows.is_empty() {
        return Vec::new();
    }
    vec![
        Block::Paragraph(input.texts().get("coverage-intro")),
        table(
            input.texts(),
            &["place", "drug", "years", "observed", "missing-inside"],
            rows,
        ),
    ]
}

/// The tests behind the tables, each with its reference and the convention used
/// (STATISTICS.md).
fn methods(input: &ReportInput) -> Vec<Block> {
    let m = &input.methods;
    let confidence = format!("{}%", readable(100.0 * (1.0 - m.alpha)));
    let label = if m.hamed_rao {
        "the Mann-Kendall test modified for autocorrelation by Hamed and Rao (1998)"
    } else {
        "the original Mann-Kendall test"
    };
    let mut items = vec![
        format!(
            "Trends: the Mann-Kendall test (Mann 1945; Kendall 1975) on the observed values in time order, with the tie-corrected variance and a continuity correction, two-sided p (as pymannkendall and R trend). A series is labelled increasing or decreasing when the p-value of {label} is below alpha = {}; missing periods are gaps, never zeros.",
            m.alpha
        ),
        format!(
            "Slopes: Sen's slope (Theil-Sen; Sen 1968), the median of all pairwise slopes on real time in years, with its {confidence} confidence interval (Gilbert 1987, as R trend::sens.slope). Slopes are per year."
        ),
        format!(
            "Too short to test: a series labelled too short has so few observations that the Mann-Kendall test cannot reach alpha = {} whatever the values (the smallest p it can give is that of a strictly monotone series: {} with 3 values, {} with 4), so it is not called trendless.",
            m.alpha,
            mann_kendall_min_p(3).map_or_else(String::new, readable),
            mann_kendall_min_p(4).map_or_else(String::new, readable),
        ),
        format!(
            "Autocorrelation: the Hamed-Rao (1998) and Yue-Wang (2004) variance corrections and trend-free pre-whitening (Yue et al. 2002) are reported beside the original test in tables/trends.csv, for series of {CORRECTION_MIN_N} or more observations (the authors' simulations start at n = 10) and a variance ratio n/n* of at least 1/3 (below it a correction would count more than three times as many independent observations as there are); otherwise they are left empty with the reason."
        ),
        "Seasons and regions: quarterly series also get the seasonal Mann-Kendall test (Hirsch, Slack and Smith 1982: each quarter compared only with the same quarter, a seasonal Sen slope per year); every aggregate gets the regional Kendall test (Helsel and Frans 2006), which sums the members' own Mann-Kendall scores and asks whether they trend together, and its form allowing for correlation between members (Libiseller and Grimvall 2002) on the periods where all report (as pymannkendall regional_test and correlated_multivariate_test).".into(),
        format!(
            "Annual percent change: log-linear least squares, APC = 100 (e^b - 1) with a {confidence} interval from t with n - 2 degrees of freedom (NCI Joinpoint, zero-joinpoint model); series with a value at or below zero get none. Joinpoint regression (Kim et al. 2000) considers up to {} joinpoints, located by grid search and chosen {}; each segment's APC has NCI's parametric {confidence} interval (segments refitted separately without the observations on joinpoints, pooled variance, t with n* - 2(k+1) degrees of freedom) and the AAPC over the window the interval of Clegg et al. (2009).",
            match m.joinpoint_limit {
                JoinpointLimit::Nci => format!("NCI's recommended maximum for the series' length (1 from 7 observations, one more every 5), at most {NCI_LIMIT_CAP}"),
                JoinpointLimit::AtMost(k) => k.to_string(),
            },
            m.permutations.map_or_else(
                || "by BIC".to_string(),
                |r| format!(
                    "by NCI's sequential permutation tests ({} permutations each; the test of k joinpoints at alpha / (K - k))",
                    crate::display::format_number(r as f64, 0)
                )
            )
        ),
        "Change points: the Pettitt (1979) test, p = 2 exp(-6K^2/(n^3 + n^2)) (as R trend::pettitt.test).".into(),
        "Aggregates: a region or route segment in a period is the sum of the members that report that period; a trend or share over an aggregate whose coverage changes inside the window says so, since a country that stops reporting is not a fall in seizures.".into(),
    ];
    if !input.shares.is_empty() {
        items.push("Shares: part over whole per period; changes in percentage points (100 (s2 - s1)) and relative to the first share. Shares of counts get a two-proportion z test (pooled variance, no continuity correction, as statsmodels proportions_ztest) and the Cochran-Armitage trend test (as R prop.trend.test); shares of kilograms have no sampling variance and get the trend tests of their series only.".into());
    }
    if !input.route.is_empty() {
        items.push("Routes: segment totals over the route's origin, transit and destination countries, the destination/transit ratio, and the cross-correlation of the first differences of transit and destination seizures up to the declared lag (biased estimator, band +/- 1.96/sqrt(n), as R ccf).".into());
    }
    vec![Block::Bullets(items)]
}

fn provenance(input: &ReportInput) -> Vec<Block> {
    let (p, texts) = (&input.provenance, input.texts());
    // Counts as written in the tables, ungrouped (they are matched against them).
    let mut items = vec![texts.format(
        "provenance-rejected",
        &[("count", p.rejected.to_string().into())],
    )];
    if let Some(tool) = &p.tool {
        items.push(texts.format("provenance-tool", &[("tool", tool.into())]));
    }
    for i in &p.inputs {
        items.push(texts.format(
            "provenance-input",
            &[
                ("file", (&i.file).into()),
                ("sha256", (&i.sha256).into()),
                ("records", i.records.to_string().into()),
                ("kept", i.kept.to_string().into()),
                ("rejected", i.rejected.to_string().into()),
            ],
        ));
    }
    vec![Block::Bullets(items)]
}

/// A YAML single-quoted scalar holding Markdown-escaped text: no backslash escapes of its
/// own, so a Markdown reader that does not know the title block still sees escaped text.
fn yaml_string(text: &str) -> String {
    format!("'{}'", markdown_escape(text).replace('\'', "''"))
}

/// The writer's Markdown with raw HTML made inert.
fn writer_markdown(text: &str) -> String {
    text.replace('&', "&amp;").replace('<', "&lt;")
}

fn markdown(input: &ReportInput, blocks: &[Block]) -> String {
    // A Pandoc title block: the document's title (and the Word document's) without a
    // repeated first heading.
    let mut md = format!("---\ntitle: {}\n", yaml_string(&input.title));
    if let Some(subtitle) = &input.subtitle {
        let _ = writeln!(md, "subtitle: {}", yaml_string(subtitle));
    }
    md.push_str("---\n\n");
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
            Block::Markdown(text) => {
                let _ = write!(md, "{}\n\n", writer_markdown(text.trim()));
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
                // Pandoc: an image alone in its paragraph is a figure, its text the caption;
                // the id makes it referable (@fig-slug), `alt` is the image's alt text.
                let alt = markdown_cell(alt).replace('"', "\\\"");
                let _ = write!(
                    md,
                    "![{}](figures/{slug}.png){{#fig-{slug} alt=\"{alt}\"}}\n\n",
                    markdown_escape(caption)
                );
            }
        }
    }
    md
}

/// A heading's anchor: "Main findings" -> "main-findings".
fn anchor(text: &str) -> String {
    let mut out = String::new();
    for c in text.chars() {
        if c.is_alphanumeric() {
            out.extend(c.to_lowercase());
        } else if !out.ends_with('-') && !out.is_empty() {
            out.push('-');
        }
    }
    out.trim_end_matches('-').to_string()
}

const CSS: &str = "body{font-family:'DejaVu Sans',Verdana,sans-serif;max-width:1100px;margin:2em auto;padding:0 1em;color:#222;line-height:1.45}\
h1{font-size:1.7em;margin-bottom:.2em}.subtitle{font-size:1.2em;color:#444;margin-top:0}.run{font-size:.85em;color:#555}\
h2{margin-top:2em;border-bottom:1px solid #ccc}h3{margin-top:1.5em}\
nav.toc{border:1px solid #ddd;background:#fafafa;padding:.5em 1em;font-size:.9em}nav.toc ol{margin:.3em 0;padding-left:1.4em}\
table{border-collapse:collapse;font-size:.8em;margin:1em 0;display:block;overflow-x:auto;max-width:100%}\
th,td{border:1px solid #ddd;padding:.25em .5em;text-align:left;vertical-align:top}td.short{white-space:nowrap}th{background:#f3f3f3}\
figure{margin:2em 0}figure svg{width:100%;height:auto;border:1px solid #eee}figcaption{font-size:.85em;color:#555}\
@media (max-width:600px){body{margin:1em auto;font-size:15px}h1{font-size:1.35em}table{font-size:.75em}}\
@page{size:A4;margin:18mm 16mm}\
@media print{body{max-width:none;margin:0;padding:0;font-size:10pt}nav.toc{display:none}a{color:inherit;text-decoration:none}\
h2,h3{break-after:avoid}figure,tr{break-inside:avoid}figure svg{border:none;max-height:230mm}table{display:table;font-size:8pt}}";

fn html(input: &ReportInput, blocks: &[Block]) -> String {
    let mut h = format!(
        "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n<title>{}</title>\n<style>{CSS}</style>\n</head>\n<body>\n<header>\n<h1>{}</h1>\n",
        html_escape(&input.title),
        html_escape(&input.title),
    );
    if let Some(subtitle) = &input.subtitle {
        let _ = writeln!(h, "<p class=\"subtitle\">{}</p>", html_escape(subtitle));
    }
    h.push_str("</header>\n");
    let sections: Vec<&String> = blocks
        .iter()
        .filter_map(|b| match b {
            Block::Heading(2, text) => Some(text),
            _ => None,
        })
        .collect();
    let contents = html_escape(&input.texts().get("contents"));
    let mut toc =
        format!("<nav class=\"toc\" aria-label=\"{contents}\"><strong>{contents}</strong>\n<ol>\n");
    for s in &sections {
        let _ = writeln!(
            toc,
            "<li><a href=\"#{}\">{}</a></li>",
            anchor(s),
            html_escape(s)
        );
    }
    toc.push_str("</ol>\n</nav>\n");
    let mut toc = Some(toc);
    for (i, b) in blocks.iter().enumerate() {
        match b {
            Block::Heading(level, text) => {
                if *level == 2 {
                    if let Some(toc) = toc.take() {
                        h.push_str(&toc);
                    }
                }
                let _ = writeln!(
                    h,
                    "<h{level} id=\"{}\">{}</h{level}>",
                    anchor(text),
                    html_escape(text)
                );
            }
            Block::Paragraph(text) => {
                let class = if i == 0 { " class=\"run\"" } else { "" };
                let _ = writeln!(h, "<p{class}>{}</p>", html_escape(text));
            }
            Block::Markdown(text) => h.push_str(&markdown_to_html(text)),
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
                        // A short cell ("p < 0.001", "-119.84 kg per year") stays on one line.
                        let class = if c.chars().count() <= 24 {
                            " class=\"short\""
                        } else {
                            ""
                        };
                        let _ = write!(h, "<td{class}>{}</td>", html_escape(c));
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
                    "<figure id=\"fig-{slug}\">\n{svg}\n<figcaption>{}</figcaption>\n</figure>\n",
                    html_escape(caption)
                );
            }
        }
    }
    h.push_str("</body>\n</html>\n");
    h
}

/// The writer's Markdown as HTML, raw HTML in it shown as text and links kept only when
/// they point into the page or to http(s).
fn markdown_to_html(text: &str) -> String {
    use pulldown_cmark::{Event, Options, Parser, Tag};
    let events = Parser::new_ext(text, Options::ENABLE_TABLES).map(|event| match event {
        Event::Html(raw) | Event::InlineHtml(raw) => Event::Text(raw),
        Event::Start(Tag::Link {
            link_type,
            dest_url,
            title,
            id,
        }) if !(dest_url.starts_with("https://")
            || dest_url.starts_with("http://")
            || dest_url.starts_with('#')) =>
        {
            Event::Start(Tag::Link {
                link_type,
                dest_url: "#".into(),
                title,
                id,
            })
        }
        Event::Start(Tag::Image { .. }) | Event::End(pulldown_cmark::TagEnd::Image) => {
            Event::Text("".into())
        }
        other => other,
    });
    let mut out = String::new();
    pulldown_cmark::html::push_html(&mut out, events);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn input() -> ReportInput {
        ReportInput {
            title: "T".into(),
            geo_names: [("KAZ", "Kazakhstan"), ("CA5", "Central Asia")]
                .map(|(k, v)| (k.to_string(), v.to_string()))
                .into(),
            ..ReportInput::default()
        }
    }

    #[test]
    fn codes_in_table_text_are_named() {
        let i = input();
        assert_eq!(
            i.named("CA5: 4/5 (KAZ missing); KAZAKH"),
            "Central Asia: 4/5 (Kazakhstan missing); KAZAKH"
        );
        assert_eq!(i.geo_name("XYZ"), "XYZ");
        assert_eq!(i.drug_name("cannabis_resin"), "cannabis resin");
    }

    #[test]
    fn sections_follow_the_declared_order_and_empty_ones_are_left_out() {
        let mut i = input();
        i.sections = vec![Section::Methods, Section::Claims, Section::Provenance];
        i.intro = Some("Intro with <i>html</i>.".into());
        let (md, html) = render(&i);
        let headings: Vec<&str> = md.lines().filter(|l| l.starts_with("## ")).collect();
        assert_eq!(
            headings,
            ["## Methods", "## Provenance"],
            "no claims: no section"
        );
        assert!(md.contains("Intro with &lt;i>html&lt;/i>."));
        assert!(
            html.contains("Intro with &lt;i&gt;html&lt;/i&gt;."),
            "{html}"
        );
        assert!(html.contains("<li><a href=\"#methods\">Methods</a></li>"));
    }

    #[test]
    fn anchors_are_lower_case_words_joined_by_hyphens() {
        assert_eq!(anchor("Main findings"), "main-findings");
        assert_eq!(
            anchor("Route: destination and transit"),
            "route-destination-and-transit"
        );
    }
}
