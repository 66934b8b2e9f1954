//! Pipeline files, read in two steps (STYLE.md): the TOML into raw structs that refuse
//! unknown keys, then validated into a [`Pipeline`] with paths resolved. Every error names
//! the file and the key.
//!
//! Paths in a pipeline are relative to its `root`, itself relative to the pipeline file
//! (`root = ".."` for a file in `pipelines/`). Each stage's parameters are a subtree of the
//! file (`inputs`, `analyze`, ...), hashed for the up-to-date checks.

use std::cell::RefCell;
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use serde::Deserialize;

use super::project::{lexical_normal, Confinement, Project};
use crate::analysis::aggregate::{CoveragePolicy, DrugSelection, Selection};
use crate::analysis::claims::{Claim, ClaimCheck, Qualifier};
use crate::analysis::figure::{FigureSeries, FigureSource};
use crate::analysis::series::{SeriesFilter, Window};
use crate::analysis::share::ShareDef;
use crate::analysis::trend::{JoinpointLimit, TrendOptions};
use crate::display::capitalised;
use crate::error::{Error, InputError};
use crate::files::parse_toml;
use crate::i18n::{Language, Texts};
use crate::ingest::mapping::Mapping;
use crate::ingest::merge::{Conflict, Merge};
use crate::ingest::{Format, IngestOptions, InputFile, LineItems, Missing};
use crate::model::reference::{Region, Route};
use crate::model::{Period, Reference};
use crate::plot::{ChartKind, MapRoute, PanelY, SizePreset};
use crate::report::document::Section;
use crate::report::figure::FigureSpec;
use crate::report::map::{MapPanelSpec, MapSpec, Measure};
use crate::stats::{Alpha, JoinpointOptions, JoinpointSelection, MAX_JOINPOINTS, NCI_PERMUTATIONS};

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawPipeline {
    name: String,
    #[serde(default)]
    description: String,
    root: Option<String>,
    output: String,
    #[serde(default)]
    inputs: Vec<RawInput>,
    merge: Option<RawMerge>,
    #[serde(default)]
    analyze: RawAnalyze,
    /// Regions of this pipeline only, beside those of data/reference/regions.csv.
    #[serde(default)]
    regions: Vec<RawRegion>,
    #[serde(default)]
    aggregates: Vec<RawAggregate>,
    #[serde(default)]
    shares: Vec<RawShare>,
    #[serde(default)]
    routes: Vec<RawRoute>,
    #[serde(default)]
    claims: Vec<RawClaim>,
    #[serde(default)]
    parallel: Vec<RawParallel>,
    #[serde(default)]
    figures: Vec<RawFigure>,
    #[serde(default)]
    report: RawReport,
    /// The languages of the figures and the report, the first keeping the plain file names
    /// (default `["en"]`).
    languages: Option<Vec<String>>,
}

/// A text the pipeline's writer gives (a title, label, note, citation): one string for
/// every language, or one per language code (`title = { en = "...", ru = "..." }`).
#[derive(Clone, Debug, Deserialize)]
#[serde(try_from = "toml::Value")]
enum RawText {
    Plain(String),
    ByLanguage(BTreeMap<String, String>),
}

impl TryFrom<toml::Value> for RawText {
    type Error = String;

    fn try_from(value: toml::Value) -> Result<Self, String> {
        let expected = "expected a text, or a text per language: { en = \"...\", ru = \"...\" }";
        match value {
            toml::Value::String(s) => Ok(RawText::Plain(s)),
            toml::Value::Table(table) => table
                .into_iter()
                .map(|(code, text)| match text {
                    toml::Value::String(t) => Ok((code, t)),
                    other => Err(format!("{code} = {other}: {expected}")),
                })
                .collect::<Result<_, _>>()
                .map(RawText::ByLanguage),
            other => Err(format!("{other}: {expected}")),
        }
    }
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawReport {
    title: Option<RawText>,
    subtitle: Option<RawText>,
    /// Markdown, after the title.
    intro: Option<RawText>,
    /// Markdown, after the last section.
    outro: Option<RawText>,
    sections: Option<Vec<String>>,
    #[serde(default)]
    highlight: Vec<String>,
    source: Option<RawText>,
}

#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawFigure {
    slug: String,
    kind: String,
    title: RawText,
    subtitle: Option<RawText>,
    y_label: Option<RawText>,
    size: Option<String>,
    window: Option<String>,
    #[serde(default)]
    series: Vec<RawFigureSeries>,
    /// A map's route (`kind = "map"`).
    route: Option<String>,
    /// What a map shades its countries by.
    measure: Option<RawMeasure>,
    trend: Option<String>,
    #[serde(default)]
    trend_always: bool,
    #[serde(default)]
    trend_band: bool,
    y_min: Option<f64>,
    y_max: Option<f64>,
    #[serde(default)]
    events: Vec<RawEvent>,
    /// `index = 2010` (or `"2017Q1"`): each series as 100 at that period.
    index: Option<toml::Value>,
    /// "linear" (default) or "log".
    scale: Option<String>,
    change_point: Option<String>,
    #[serde(default)]
    notes: Vec<RawText>,
    source: Option<RawText>,
    /// The report's caption under the figure, instead of its subtitle.
    caption: Option<RawText>,
    columns: Option<usize>,
    panel_y: Option<String>,
}

/// `[[parallel]]`: are two series' joinpoint trends parallel?
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawParallel {
    id: String,
    a: RawSelection,
    b: RawSelection,
    window: Option<String>,
}

/// A parallelism test of two series' joinpoint trends over a window.
#[derive(Debug, Clone)]
pub struct ParallelParams {
    pub id: String,
    pub a: Selection,
    pub b: Selection,
    pub window: Window,
}

#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawEvent {
    period: String,
    label: RawText,
}

/// `measure = { drug = "heroin", period = "2016" }` of a map: one drug (or `drugs`, a map
/// each) and one of `period`, `periods` (a map each), `window` (with `stat`) or `change`.
#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawMeasure {
    drug: Option<String>,
    drugs: Option<Vec<String>>,
    indicator: Option<String>,
    period: Option<toml::Value>,
    periods: Option<Vec<toml::Value>>,
    window: Option<String>,
    /// "total" (default) or "mean" of a window.
    stat: Option<String>,
    change: Option<Vec<toml::Value>>,
}

#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawFigureSeries {
    label: RawText,
    geo: Option<String>,
    drug: Option<String>,
    indicator: Option<String>,
    dimension: Option<String>,
    category: Option<String>,
    share: Option<String>,
    route: Option<String>,
    route_indicator: Option<String>,
    route_geo: Option<String>,
}

/// The report's texts and order, and the default source line of figures.
#[derive(Debug, Clone)]
pub struct ReportParams {
    pub title: String,
    pub subtitle: Option<String>,
    /// The writer's Markdown before the first section and after the last.
    pub intro: Option<String>,
    pub outro: Option<String>,
    /// Which blocks the report shows, in order (`[report] sections`).
    pub sections: Vec<Section>,
    /// What the findings put first, in this order: ids of shares, routes, claims, parallel
    /// tests or figures, or the geo of an aggregate (`[report] highlight`).
    pub highlight: Vec<String>,
    pub source: String,
    /// Each input's citation (`[[inputs]] source`), by its file as written: a figure's
    /// source line names those of the files its series come from.
    pub input_sources: Vec<(String, String)>,
}

/// `{ geo = "CA5", drug = "group:cannabis_type", indicator = "seizures" }`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawSelection {
    geo: String,
    drug: Option<String>,
    indicator: Option<String>,
    dimension: Option<String>,
    category: Option<String>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawAggregate {
    geo: String,
    #[serde(default)]
    drugs: Vec<String>,
    indicator: Option<String>,
    dimension: Option<String>,
    category: Option<String>,
    policy: Option<String>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawShare {
    id: String,
    title: String,
    part: RawSelection,
    whole: RawSelection,
    #[serde(default)]
    compare: Vec<[String; 2]>,
    window: Option<String>,
    policy: Option<String>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawRoute {
    id: String,
    /// A route of this pipeline only: `name`, `origin`, `transit` and `destination` define
    /// it; without them `id` names a route of data/reference/routes.toml.
    name: Option<RawText>,
    origin: Option<Vec<String>>,
    transit: Option<Vec<String>>,
    destination: Option<Vec<String>>,
    /// Where the definition comes from.
    notes: Option<String>,
    drugs: Vec<String>,
    max_lag: Option<usize>,
    policy: Option<String>,
    /// Drug key -> kg of heroin per kg (cite the factor in a comment of the pipeline file).
    #[serde(default)]
    heroin_equivalent: std::collections::BTreeMap<String, f64>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawClaim {
    id: String,
    statement: String,
    kind: String,
    value: Option<f64>,
    qualifier: Option<String>,
    tolerance: Option<f64>,
    period: Option<String>,
    share: Option<String>,
    of: Option<RawSelection>,
    a: Option<RawSelection>,
    b: Option<RawSelection>,
    window: Option<String>,
    peak: Option<String>,
    direction: Option<String>,
}

/// An aggregate series to compute (and analyse in the trends table).
#[derive(Debug, Clone)]
pub struct AggregateParams {
    pub selection: Selection,
    pub policy: CoveragePolicy,
}

/// A share with the selections of its part and whole.
#[derive(Debug, Clone)]
pub struct ShareParams {
    pub def: ShareDef,
    pub part: Selection,
    pub whole: Selection,
    pub policy: CoveragePolicy,
}

/// A route and the drug selections to measure on it.
#[derive(Debug, Clone)]
pub struct RouteParams {
    pub id: String,
    pub origin: Vec<String>,
    pub transit: Vec<String>,
    pub destination: Vec<String>,
    pub drugs: Vec<(String, DrugSelection)>,
    /// Factors to heroin equivalent by drug key; empty: no heroin-equivalent indicators.
    pub heroin_equivalent: Vec<(String, f64)>,
    pub max_lag: usize,
    pub policy: CoveragePolicy,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawInput {
    /// Named by `[merge] prefer` (default: the file's stem).
    id: Option<String>,
    file: String,
    /// `"-2017"`, `"2018-"`, `"2010-2016"`: only these periods are taken from the file.
    periods: Option<String>,
    /// Several rows of one key with different values: "reject" (default) or "last".
    conflict: Option<String>,
    format: Option<String>,
    mapping: Option<String>,
    sheet: Option<String>,
    line_items: Option<String>,
    /// What an empty value cell is: "count" (a missing value, the default) or "reject".
    missing: Option<String>,
    #[serde(default)]
    description: String,
    /// A short citation of the file, for the source lines of the figures drawn from it.
    source: Option<RawText>,
}

/// `[[regions]]`: a region of this pipeline, summed like those of regions.csv.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawRegion {
    code: String,
    name: RawText,
    members: Vec<String>,
}

/// `[merge]`: which input wins where two give one key different values.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawMerge {
    #[serde(default)]
    prefer: Vec<String>,
    tolerance: Option<f64>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawAnalyze {
    alpha: Option<f64>,
    trend_label: Option<String>,
    /// `"nci"` (default: NCI's recommendation by the number of observations) or a number.
    max_joinpoints: Option<toml::Value>,
    /// "bic" (default) or "permutation".
    joinpoint_selection: Option<String>,
    /// Permuted data sets per test of `joinpoint_selection = "permutation"` (default 4,499).
    permutations: Option<usize>,
    windows: Option<Vec<String>>,
    #[serde(default)]
    indicators: Vec<String>,
    #[serde(default)]
    geos: Vec<String>,
    #[serde(default)]
    drugs: Vec<String>,
}

/// The analyze stage's parameters.
#[derive(Debug, Clone)]
pub struct AnalyzeParams {
    pub filter: SeriesFilter,
    pub trends: TrendOptions,
    pub aggregates: Vec<AggregateParams>,
    pub shares: Vec<ShareParams>,
    pub routes: Vec<RouteParams>,
    pub claims: Vec<Claim>,
    pub parallel: Vec<ParallelParams>,
}

/// The seed of joinpoint's permutations: fixed, so that a run is reproducible (the value
/// NCI's command-line Joinpoint uses by default).
pub const PERMUTATION_SEED: u64 = 7160;

/// A validated pipeline.
#[derive(Debug)]
pub struct Pipeline {
    pub file: PathBuf,
    pub name: String,
    pub description: String,
    pub root: PathBuf,
    pub output: PathBuf,
    pub inputs: Vec<InputFile>,
    pub merge: Merge,
    /// The regions and routes this pipeline defines itself (`[[regions]]`, `[[routes]]`
    /// with a definition), added to the reference tables for this pipeline only.
    pub regions: Vec<Region>,
    pub routes: Vec<Route>,
    /// The reference tables of this pipeline: its project's (or the built-in ones) with
    /// the regions and routes it defines.
    pub reference: Reference,
    pub analyze: AnalyzeParams,
    /// The figures and the report's texts in the first of `languages`.
    pub figures: Vec<FigureSpec>,
    pub report: ReportParams,
    /// The languages of the figures and the report (`languages`, default English alone).
    pub languages: Vec<Language>,
    /// The figures and report texts in each further language, in the order of `languages`.
    pub translations: Vec<Translation>,
    /// The keys of the writer's texts without their own text in every language (the
    /// first language's is used): said as a warning by the stages that write them.
    pub untranslated: Vec<String>,
    /// The file's text as parsed TOML, for hashing each stage's parameter subtree.
    pub document: toml::Table,
}

/// A pipeline's figures and report texts in a language after the first.
#[derive(Debug)]
pub struct Translation {
    pub language: Language,
    pub figures: Vec<FigureSpec>,
    pub report: ReportParams,
}

fn config_error(file: &Path, key: &str, message: impl Into<String>) -> Error {
    Error::Config {
        file: file.display().to_string(),
        key: key.into(),
        message: message.into(),
    }
}

/// The project's own reference tables (`data/reference/` under its root), when it has them.
pub fn reference_dir(root: &Path) -> Option<PathBuf> {
    let dir = root.join("data/reference");
    dir.is_dir().then_some(dir)
}

impl Pipeline {
    /// The reference tables this pipeline reads (its project's, else the built-in ones).
    pub fn reference_dir(&self) -> Option<PathBuf> {
        reference_dir(&self.root)
    }

    /// The figures and report texts of the pipeline in `language` (the first language's
    /// for a language the pipeline does not list).
    pub fn in_language(&self, language: Language) -> (&[FigureSpec], &ReportParams) {
        match self.translations.iter().find(|t| t.language == language) {
            Some(t) => (&t.figures, &t.report),
            None => (&self.figures, &self.report),
        }
    }

    /// The run's first language (its outputs keep the plain file names).
    pub fn first_language(&self) -> Language {
        self.languages.first().copied().unwrap_or_default()
    }

    pub fn load(path: &Path, confinement: Confinement) -> Result<Pipeline, Error> {
        let text = std::fs::read_to_string(path).map_err(|e| InputError::Io {
            file: path.display().to_string(),
            message: e.to_string(),
        })?;
        Pipeline::parse(&text, path, confinement)
    }

    /// Parses and validates a pipeline's text; `path` places it (relative paths, messages,
    /// its project folder: [`Project`]). Every path it names is confined to the project (as
    /// `confinement` says) before mapping files and reference tables are read from disk.
    pub fn parse(text: &str, path: &Path, confinement: Confinement) -> Result<Pipeline, Error> {
        let file = path.display().to_string();
        let raw: RawPipeline = parse_toml(text, &file)?;
        let document: toml::Table = parse_toml(text, &file)?;
        let project = Project::of(path, confinement);
        let base = path.parent().unwrap_or(Path::new("."));
        let root = lexical_normal(&base.join(raw.root.as_deref().unwrap_or(".")));
        project.check("root", &root)?;
        if raw.inputs.is_empty() {
            return Err(config_error(
                path,
                "inputs",
                "the pipeline has no [[inputs]]",
            ));
        }
        let languages = validate_languages(path, raw.languages.as_deref())?;
        let mut inputs = Vec::new();
        let mut input_sources = Vec::new();
        for (i, input) in raw.inputs.into_iter().enumerate() {
            if let Some(source) = &input.source {
                input_sources.push((i, input.file.clone(), source.clone()));
            }
            let input = validate_input(&project, path, &root, i, input)?;
            if let Some(j) = inputs.iter().position(|o: &InputFile| o.id == input.id) {
                return Err(config_error(
                    path,
                    &format!("inputs[{i}].id"),
                    format!(
                        "'{}' is already the id of inputs[{j}]: give each input its own `id`",
                        input.id
                    ),
                ));
            }
            inputs.push(input);
        }
        let merge = validate_merge(path, raw.merge, &inputs)?;
        let reference_dir = reference_dir(&root);
        if let Some(dir) = &reference_dir {
            project.check("root (its data/reference)", dir)?;
        }
        let output = lexical_normal(&root.join(&raw.output));
        project.check_output(&output, &read_paths(&inputs, reference_dir.as_deref()))?;
        let mut reference = Reference::load_default(reference_dir.as_deref())?;
        let (regions, routes) = own_definitions(path, &raw.regions, &raw.routes, &mut reference)?;
        let mut analyze = validate_analyze(path, raw.analyze)?;
        // The names of the pipeline's own regions and routes, in every further language.
        let own_names = raw
            .regions
            .iter()
            .enumerate()
            .map(|(i, r)| (format!("regions[{i}].name"), Some(&r.name)))
            .chain(
                raw.routes
                    .iter()
                    .enumerate()
                    .map(|(i, r)| (format!("routes[{i}].name"), r.name.as_ref())),
            );
        let untranslated: Vec<String> = own_names
            .filter_map(|(key, name)| {
                let name = name?;
                let lacking = languages[1..].iter().any(|l| name.own(*l).is_none());
                lacking.then_some(key)
            })
            .collect();
        let untranslated = RefCell::new(untranslated);
        let v = Validator {
            file: path,
            reference: &reference,
            language: languages[0],
            first: languages[0],
            untranslated: &untranslated,
        };
        for (i, a) in raw.aggregates.into_iter().enumerate() {
            analyze.aggregates.extend(v.aggregate(i, a)?);
        }
        for (i, sh) in raw.shares.into_iter().enumerate() {
            analyze.shares.push(v.share(i, sh)?);
        }
        for (i, r) in raw.routes.into_iter().enumerate() {
            analyze.routes.push(v.route(i, r)?);
        }
        for (i, c) in raw.claims.into_iter().enumerate() {
            let claim = v.claim(i, c)?;
            if let ClaimCheck::Share { share, .. } = &claim.check {
                if !analyze.shares.iter().any(|s| s.def.id == *share) {
                    return Err(config_error(
                        path,
                        &format!("claims[{i}].share"),
                        format!("'{share}' is not the id of a [[shares]] entry"),
                    ));
                }
            }
            analyze.claims.push(claim);
        }
        for (i, p) in raw.parallel.iter().enumerate() {
            let key = |k: &str| format!("parallel[{i}].{k}");
            if analyze.parallel.iter().any(|q| q.id == p.id) {
                return Err(config_error(
                    path,
                    &key("id"),
                    format!("'{}' is used twice", p.id),
                ));
            }
            analyze.parallel.push(ParallelParams {
                id: p.id.clone(),
                a: v.selection(&key("a"), &p.a)?,
                b: v.selection(&key("b"), &p.b)?,
                window: v.window(key("window"), p.window.as_deref())?,
            });
        }
        let sections = match raw.report.sections.as_ref() {
            None => Section::ALL.to_vec(),
            Some(names) => {
                let mut sections = Vec::new();
                for (i, name) in names.iter().enumerate() {
                    let section = Section::ALL
                        .into_iter()
                        .find(|s| s.key() == name)
                        .ok_or_else(|| {
                            let known: Vec<&str> = Section::ALL.iter().map(|s| s.key()).collect();
                            config_error(
                                path,
                                &format!("report.sections[{i}]"),
                                format!("'{name}': expected one of {}", known.join(", ")),
                            )
                        })?;
                    if sections.contains(&section) {
                        return Err(config_error(
                            path,
                            &format!("report.sections[{i}]"),
                            format!("'{name}' is listed twice"),
                        ));
                    }
                    sections.push(section);
                }
                sections
            }
        };
        for (i, id) in raw.report.highlight.iter().enumerate() {
            let declared = analyze.shares.iter().any(|s| s.def.id == *id)
                || analyze.parallel.iter().any(|p| p.id == *id)
                || analyze.routes.iter().any(|r| r.id == *id)
                || analyze.claims.iter().any(|c| c.id == *id)
                || analyze.aggregates.iter().any(|a| a.selection.geo == *id)
                || raw.figures.iter().any(|f| f.slug == *id);
            if !declared {
                return Err(config_error(
                    path,
                    &format!("report.highlight[{i}]"),
                    format!(
                        "'{id}' is not the id of a share, route, claim or parallel test, the slug of a figure or the geo of an aggregate of this pipeline"
                    ),
                ));
            }
        }
        let texts = |v: Validator| -> Result<(Vec<FigureSpec>, ReportParams), Error> {
            let report = v.report(&raw.report, &raw.name, &sections, &input_sources)?;
            Ok((v.figures(&raw.figures)?, report))
        };
        let (figures, report) = texts(v)?;
        let translations = languages[1..]
            .iter()
            .map(|&language| {
                let (figures, report) = texts(Validator { language, ..v })?;
                Ok(Translation {
                    language,
                    figures,
                    report,
                })
            })
            .collect::<Result<_, Error>>()?;
        Ok(Pipeline {
            file: path.to_path_buf(),
            name: raw.name,
            description: raw.description,
            figures,
            report,
            languages,
            translations,
            untranslated: untranslated.into_inner(),
            output,
            root,
            inputs,
            merge,
            regions,
            routes,
            reference,
            analyze,
            document,
        })
    }

    /// The pipeline writing into `output` instead of its own folder (`run --out`), checked
    /// like the pipeline's `output`.
    pub fn at(mut self, output: &Path, confinement: Confinement) -> Result<Pipeline, Error> {
        let output = lexical_normal(output);
        let read = read_paths(&self.inputs, self.reference_dir().as_deref());
        Project::of(&self.file, confinement)
            .check_output(&output, &read)
            .map_err(|e| match e {
                // The folder came from the command line, not the file's `output` key.
                Error::Config { message, .. } => {
                    Error::Usage(format!("--out {}: {message}", output.display()))
                }
                other => other,
            })?;
        self.output = output;
        Ok(self)
    }

    /// `<output>@P`, where a run `--as-of P` writes unless told `--out`: the current outputs
    /// are never replaced by a past quarter's.
    pub fn as_of_output(&self, as_of: Period) -> PathBuf {
        let mut name = self.output.file_name().unwrap_or_default().to_os_string();
        name.push(format!("@{as_of}"));
        self.output.with_file_name(name)
    }

    /// The parameter subtree of a stage, as JSON (stable key order), for hashing.
    ///
    /// A key `name[a,b]` takes the array of tables `name` with only the fields `a` and `b`
    /// of each (analyze depends on what a figure draws, not on its title).
    pub fn params(&self, keys: &[&str]) -> serde_json::Value {
        let mut out = serde_json::Map::new();
        for key in keys {
            let (name, fields) = match key.split_once('[') {
                Some((name, rest)) => (name, Some(rest.trim_end_matches(']').split(','))),
                None => (*key, None),
            };
            let Some(v) = self.document.get(name) else {
                continue;
            };
            let mut value = serde_json::to_value(v).unwrap_or_default();
            if let (Some(fields), serde_json::Value::Array(items)) = (fields, &mut value) {
                let fields: Vec<&str> = fields.collect();
                for item in items.iter_mut() {
                    if let serde_json::Value::Object(map) = item {
                        map.retain(|k, _| fields.contains(&k.as_str()));
                    }
                }
            }
            out.insert((*key).to_string(), value);
        }
        serde_json::Value::Object(out)
    }
}

/// The regions and routes a pipeline defines, checked against `reference` and added to it.
fn own_definitions(
    path: &Path,
    raw_regions: &[RawRegion],
    raw_routes: &[RawRoute],
    reference: &mut Reference,
) -> Result<(Vec<Region>, Vec<Route>), Error> {
    let mut regions = Vec::new();
    for (i, r) in raw_regions.iter().enumerate() {
        let region = Region {
            code: r.code.trim().to_string(),
            name: r.name.english().trim().to_string(),
            name_ru: r.name.own(Language::Ru).map(|t| t.trim().to_string()),
            members: r.members.iter().map(|m| m.trim().to_string()).collect(),
        };
        reference
            .add_region(region.clone())
            .map_err(|e| config_error(path, &format!("regions[{i}]"), e))?;
        regions.push(region);
    }
    let mut routes = Vec::new();
    for (i, r) in raw_routes.iter().enumerate() {
        let key = |k: &str| format!("routes[{i}].{k}");
        let route = match (&r.name, &r.origin, &r.transit, &r.destination) {
            (None, None, None, None) => {
                if r.notes.is_some() {
                    return Err(config_error(
                        path,
                        &key("notes"),
                        "notes belong to a route defined here (with name, origin, transit and destination)",
                    ));
                }
                continue;
            }
            (Some(name), Some(origin), Some(transit), Some(destination)) => Route {
                id: r.id.clone(),
                name: name.english().to_string(),
                name_ru: name.own(Language::Ru).map(str::to_string),
                origin: origin.clone(),
                transit: transit.clone(),
                destination: destination.clone(),
                notes: r.notes.clone().unwrap_or_default(),
            },
            _ => {
                let missing: Vec<&str> = [
                    ("name", r.name.is_none()),
                    ("origin", r.origin.is_none()),
                    ("transit", r.transit.is_none()),
                    ("destination", r.destination.is_none()),
                ]
                .into_iter()
                .filter(|(_, m)| *m)
                .map(|(k, _)| k)
                .collect();
                return Err(config_error(
                    path,
                    &format!("routes[{i}]"),
                    format!(
                        "a route defined here needs name, origin, transit and destination; missing: {} (transit may be [])",
                        missing.join(", ")
                    ),
                ));
            }
        };
        reference
            .add_route(route.clone())
            .map_err(|e| config_error(path, &format!("routes[{i}]"), e))?;
        routes.push(route);
    }
    Ok((regions, routes))
}

/// What a pipeline reads, by key: its output must not overlap any of them.
fn read_paths(inputs: &[InputFile], reference_dir: Option<&Path>) -> Vec<(String, PathBuf)> {
    let mut read: Vec<(String, PathBuf)> = Vec::new();
    for (i, input) in inputs.iter().enumerate() {
        read.push((format!("inputs[{i}].file"), input.path.clone()));
        if let Some(m) = &input.options.mapping {
            read.push((format!("inputs[{i}].mapping"), PathBuf::from(&m.file)));
        }
    }
    read.extend(reference_dir.map(|d| ("data/reference".to_string(), d.to_path_buf())));
    read
}

fn validate_input(
    project: &Project,
    path: &Path,
    root: &Path,
    i: usize,
    input: RawInput,
) -> Result<InputFile, Error> {
    let key = |k: &str| format!("inputs[{i}].{k}");
    let file = lexical_normal(&root.join(&input.file));
    project.check(&key("file"), &file)?;
    if file.exists() {
        crate::ingest::check_regular(&file, &input.file)
            .map_err(|e| config_error(path, &key("file"), e.to_string()))?;
    }
    let format = match input.format.as_deref() {
        None => None,
        Some(f) => Some(
            <Format as clap::ValueEnum>::from_str(f, false).map_err(|_| {
                let formats: Vec<String> = <Format as clap::ValueEnum>::value_variants()
                    .iter()
                    .filter_map(clap::ValueEnum::to_possible_value)
                    .map(|v| v.get_name().to_string())
                    .collect();
                config_error(
                    path,
                    &key("format"),
                    format!("'{f}': expected one of {}", formats.join(", ")),
                )
            })?,
        ),
    };
    let mapping = match input.mapping.as_deref() {
        Some(m) => {
            let mapping_file = lexical_normal(&root.join(m));
            project.check(&key("mapping"), &mapping_file)?;
            Some(Mapping::load(&mapping_file)?)
        }
        None => None,
    };
    let line_items = input
        .line_items
        .as_deref()
        .map(LineItems::parse)
        .transpose()
        .map_err(|e| config_error(path, &key("line_items"), e))?;
    let missing = input
        .missing
        .as_deref()
        .map(Missing::parse)
        .transpose()
        .map_err(|e| config_error(path, &key("missing"), e))?
        .unwrap_or_default();
    let periods = match input.periods.as_deref() {
        None => Window::default(),
        Some(text) => Window::parse(text).map_err(|e| config_error(path, &key("periods"), e))?,
    };
    let conflict = input
        .conflict
        .as_deref()
        .map(Conflict::parse)
        .transpose()
        .map_err(|e| config_error(path, &key("conflict"), e))?
        .unwrap_or_default();
    if conflict == Conflict::Last && line_items == Some(LineItems::Sum) {
        return Err(config_error(
            path,
            &key("conflict"),
            "\"last\" keeps one row of a key, line_items = \"sum\" adds them up: give one of the two",
        ));
    }
    let id = match input.id {
        Some(id) => id,
        None => input_id(&file),
    };
    if !valid_id(&id) {
        return Err(config_error(
            path,
            &key("id"),
            format!("'{id}': an id is letters, digits, '_', '-' and '.' (give `id` for this file)"),
        ));
    }
    let _ = input.description; // documentation for the reader of the pipeline file
    Ok(InputFile {
        id,
        path: file,
        name: input.file,
        options: IngestOptions {
            format,
            mapping,
            line_items,
            sheet: input.sheet,
            missing,
            periods,
            conflict,
            ..IngestOptions::default()
        },
    })
}

/// An input's default id: its file stem, with every character an id cannot hold as `_`
/// (`data/raw/seizures.csv` -> `seizures`, `Drug seizures (2022).xlsx` ->
/// `Drug_seizures__2022_`).
pub fn input_id(file: &Path) -> String {
    file.file_stem()
        .map(|s| as_id(&s.to_string_lossy()))
        .unwrap_or_default()
}

/// `text` with every character an id cannot hold as `_`.
pub fn as_id(text: &str) -> String {
    text.chars()
        .map(|c| if valid_id(&c.to_string()) { c } else { '_' })
        .collect()
}

/// `id`, or `id-2`, `id-3`, ... the first that `taken` does not hold.
pub fn unique_id(id: &str, taken: &[&str]) -> String {
    let mut candidate = id.to_string();
    let mut n = 1;
    while taken.contains(&candidate.as_str()) {
        n += 1;
        candidate = format!("{id}-{n}");
    }
    candidate
}

/// Whether `id` can name an input or a pipeline: letters, digits, `_`, `-` and `.`.
pub fn valid_id(id: &str) -> bool {
    !id.is_empty()
        && id
            .chars()
            .all(|c| c.is_alphanumeric() || c == '_' || c == '-' || c == '.')
}

fn validate_merge(
    path: &Path,
    raw: Option<RawMerge>,
    inputs: &[InputFile],
) -> Result<Merge, Error> {
    let Some(raw) = raw else {
        return Ok(Merge::default());
    };
    let ids: Vec<&str> = inputs.iter().map(|input| input.id.as_str()).collect();
    Merge::check_prefer(&raw.prefer, &ids)
        .map_err(|(i, e)| config_error(path, &format!("merge.prefer[{i}]"), e))?;
    let tolerance = Merge::check_tolerance(raw.tolerance)
        .map_err(|e| config_error(path, "merge.tolerance", e))?;
    Ok(Merge {
        prefer: raw.prefer,
        tolerance,
    })
}

/// `languages = ["en", "ru"]`: known codes, each once, at least one (default English).
fn validate_languages(path: &Path, raw: Option<&[String]>) -> Result<Vec<Language>, Error> {
    let Some(codes) = raw else {
        return Ok(vec![Language::En]);
    };
    if codes.is_empty() {
        return Err(config_error(
            path,
            "languages",
            "give at least one language, e.g. [\"en\"] or [\"en\", \"ru\"]",
        ));
    }
    let mut languages = Vec::new();
    for (i, code) in codes.iter().enumerate() {
        let key = format!("languages[{i}]");
        let language = Language::parse(code).map_err(|e| config_error(path, &key, e))?;
        if languages.contains(&language) {
            return Err(config_error(
                path,
                &key,
                format!("'{code}' is listed twice"),
            ));
        }
        languages.push(language);
    }
    // The report, tables.xlsx and the tables' names are English so far: a first language
    // other than English would give a report in two languages.
    if languages[0] != Language::En {
        return Err(config_error(
            path,
            "languages[0]",
            format!(
                "'{}': the first language must be en for now (the report and tables.xlsx are written in English only); list it after en, e.g. [\"en\", \"{}\"], for figures in it",
                languages[0].code(),
                languages[0].code()
            ),
        ));
    }
    Ok(languages)
}

fn validate_analyze(path: &Path, raw: RawAnalyze) -> Result<AnalyzeParams, Error> {
    let defaults = TrendOptions::default();
    let alpha = match raw.alpha {
        None => defaults.alpha,
        Some(a) => Alpha::new(a).ok_or_else(|| {
            config_error(
                path,
                "analyze.alpha",
                format!("{a}: expected a number in [1e-10, 1)"),
            )
        })?,
    };
    let label_from_hamed_rao = match raw.trend_label.as_deref() {
        None | Some("mk") => false,
        Some("hamed_rao") => true,
        Some(other) => {
            return Err(config_error(
                path,
                "analyze.trend_label",
                format!("'{other}': expected \"mk\" or \"hamed_rao\""),
            ))
        }
    };
    let windows = match raw.windows {
        None => defaults.windows,
        Some(ws) if ws.is_empty() => {
            return Err(config_error(
                path,
                "analyze.windows",
                "give at least one window, e.g. [\"all\"]",
            ))
        }
        Some(ws) => ws
            .iter()
            .map(|w| Window::parse(w))
            .collect::<Result<_, _>>()
            .map_err(|e| config_error(path, "analyze.windows", e))?,
    };
    let joinpoint_limit = match &raw.max_joinpoints {
        None => defaults.joinpoint_limit,
        Some(toml::Value::String(s)) if s == "nci" => JoinpointLimit::Nci,
        Some(toml::Value::Integer(k)) if (0..=MAX_JOINPOINTS as i64).contains(k) => {
            JoinpointLimit::AtMost(*k as usize)
        }
        Some(other) => {
            return Err(config_error(
                path,
                "analyze.max_joinpoints",
                format!(
                    "{other}: expected \"nci\" (NCI's maximum by the number of observations) or a whole number from 0 to {MAX_JOINPOINTS}"
                ),
            ))
        }
    };
    let selection = match raw.joinpoint_selection.as_deref() {
        None | Some("bic") => JoinpointSelection::Bic,
        Some("permutation") => JoinpointSelection::Permutation {
            permutations: raw.permutations.unwrap_or(NCI_PERMUTATIONS),
            seed: PERMUTATION_SEED,
        },
        Some(other) => {
            return Err(config_error(
                path,
                "analyze.joinpoint_selection",
                format!("'{other}': expected \"bic\" or \"permutation\""),
            ))
        }
    };
    if raw.permutations == Some(0) {
        return Err(config_error(
            path,
            "analyze.permutations",
            "0: expected at least 1 permuted data set per test",
        ));
    }
    let joinpoint = JoinpointOptions {
        selection,
        ..defaults.joinpoint
    };
    Ok(AnalyzeParams {
        filter: SeriesFilter {
            indicators: raw.indicators,
            geos: raw.geos,
            drugs: raw.drugs,
        },
        trends: TrendOptions {
            alpha,
            joinpoint,
            joinpoint_limit,
            label_from_hamed_rao,
            windows,
        },
        aggregates: Vec::new(),
        shares: Vec::new(),
        routes: Vec::new(),
        claims: Vec::new(),
        parallel: Vec::new(),
    })
}

/// One figure (the keys of a `[[figures]]` table) validated against `reference` as a
/// pipeline's figure is, with its texts in `language`: for `routetrend plot`, which draws
/// without a pipeline. `file` names it in messages.
pub fn figure_from_table(
    table: toml::Table,
    file: &Path,
    reference: &Reference,
    language: Language,
) -> Result<FigureSpec, Error> {
    let raw: RawFigure = serde_path_to_error::deserialize(toml::Value::Table(table))
        .map_err(|e| config_error(file, &e.path().to_string(), e.inner().to_string()))?;
    let untranslated = RefCell::new(Vec::new());
    let v = Validator {
        file,
        reference,
        language,
        first: language,
        untranslated: &untranslated,
    };
    v.figure(0, raw)
}

#[derive(Clone, Copy)]
struct Validator<'a> {
    file: &'a Path,
    reference: &'a Reference,
    /// The language of the texts it writes, and the pipeline's first language.
    language: Language,
    first: Language,
    /// The keys of texts without one of their own in `language` (collected across
    /// languages, each once).
    untranslated: &'a RefCell<Vec<String>>,
}

impl RawText {
    /// The text for `language`: its own, else the one for `first`, else the first given;
    /// with whether it is its own.
    fn resolve(&self, language: Language, first: Language) -> (&str, bool) {
        match self {
            RawText::Plain(text) => (text, language == first),
            RawText::ByLanguage(texts) => match texts.get(language.code()) {
                Some(own) => (own, true),
                None => {
                    let fallback = texts.get(first.code()).or_else(|| texts.values().next());
                    (fallback.map_or("", String::as_str), false)
                }
            },
        }
    }

    /// The English text (else the first given): the name a reference table keeps.
    fn english(&self) -> &str {
        self.resolve(Language::En, Language::En).0
    }

    /// The text given for `language` itself, if any (a plain text is nobody's own).
    fn own(&self, language: Language) -> Option<&str> {
        match self {
            RawText::Plain(_) => None,
            RawText::ByLanguage(texts) => texts.get(language.code()).map(String::as_str),
        }
    }
}

impl Validator<'_> {
    fn err(&self, key: String, message: impl Into<String>) -> Error {
        config_error(self.file, &key, message)
    }

    /// A text of the writer in this validator's language (see [`RawText::resolve`]); a key
    /// without its own text is noted in `untranslated`.
    fn text(&self, key: String, raw: &RawText) -> Result<String, Error> {
        if let RawText::ByLanguage(texts) = raw {
            if texts.is_empty() {
                return Err(self.err(key, "an empty table: give a text, or a text per language: { en = \"...\", ru = \"...\" }"));
            }
            for code in texts.keys() {
                Language::parse(code).map_err(|e| self.err(format!("{key}.{code}"), e))?;
            }
        }
        let (text, own) = raw.resolve(self.language, self.first);
        let mut untranslated = self.untranslated.borrow_mut();
        if !own && !untranslated.contains(&key) {
            untranslated.push(key);
        }
        Ok(text.to_string())
    }

    fn optional_text(&self, key: String, raw: &Option<RawText>) -> Result<Option<String>, Error> {
        raw.as_ref().map(|t| self.text(key, t)).transpose()
    }

    /// The writer's notes of a figure (`figures[i].notes`).
    fn texts(&self, key: &str, raw: &[RawText]) -> Result<Vec<String>, Error> {
        raw.iter()
            .enumerate()
            .map(|(j, t)| self.text(format!("{key}[{j}]"), t))
            .collect()
    }

    /// The report's texts in this validator's language.
    fn report(
        &self,
        raw: &RawReport,
        name: &str,
        sections: &[Section],
        input_sources: &[(usize, String, RawText)],
    ) -> Result<ReportParams, Error> {
        let default_source = || Texts::of(self.language).get("default-source");
        Ok(ReportParams {
            title: self
                .optional_text("report.title".into(), &raw.title)?
                .unwrap_or_else(|| name.to_string()),
            subtitle: self.optional_text("report.subtitle".into(), &raw.subtitle)?,
            intro: self.optional_text("report.intro".into(), &raw.intro)?,
            outro: self.optional_text("report.outro".into(), &raw.outro)?,
            sections: sections.to_vec(),
            highlight: raw.highlight.clone(),
            source: self
                .optional_text("report.source".into(), &raw.source)?
                .unwrap_or_else(default_source),
            input_sources: input_sources
                .iter()
                .map(|(i, file, source)| {
                    Ok((
                        file.clone(),
                        self.text(format!("inputs[{i}].source"), source)?,
                    ))
                })
                .collect::<Result<_, Error>>()?,
        })
    }

    /// The figures in this validator's language, each slug once.
    fn figures(&self, raw: &[RawFigure]) -> Result<Vec<FigureSpec>, Error> {
        let mut figures: Vec<FigureSpec> = Vec::new();
        for (i, f) in raw.iter().enumerate() {
            let figure = self.figure(i, f.clone())?;
            if figures.iter().any(|g| g.slug == figure.slug) {
                return Err(self.err(
                    format!("figures[{i}].slug"),
                    format!("'{}' is used twice", figure.slug),
                ));
            }
            figures.push(figure);
        }
        Ok(figures)
    }

    fn policy(&self, key: String, text: Option<&str>) -> Result<CoveragePolicy, Error> {
        text.map_or(Ok(CoveragePolicy::Flag), |p| {
            CoveragePolicy::parse(p).map_err(|e| self.err(key, e))
        })
    }

    fn window(&self, key: String, text: Option<&str>) -> Result<Window, Error> {
        text.map_or(Ok(Window::default()), |w| {
            Window::parse(w).map_err(|e| self.err(key, e))
        })
    }

    /// The reference's route `id`; an error at `key` listing the routes otherwise.
    fn reference_route(&self, key: String, id: &str) -> Result<&Route, Error> {
        self.reference.route(id).ok_or_else(|| {
            let ids: Vec<&str> = self
                .reference
                .routes
                .iter()
                .map(|r| r.id.as_str())
                .collect();
            self.err(
                key,
                format!(
                    "'{id}': not a route of data/reference/routes.toml or of this pipeline (routes: {}); to define one here give name, origin, transit and destination",
                    ids.join(", ")
                ),
            )
        })
    }

    fn size(&self, key: String, text: Option<&str>) -> Result<SizePreset, Error> {
        match text.unwrap_or("report") {
            "report" => Ok(SizePreset::Report),
            "slide" => Ok(SizePreset::Slide),
            "web" => Ok(SizePreset::Web),
            other => Err(self.err(key, format!("'{other}': expected report, slide or web"))),
        }
    }

    /// A period given as a TOML integer (`2016`) or string (`"2017Q1"`).
    fn period_value(&self, key: String, value: &toml::Value) -> Result<Period, Error> {
        let text = match value {
            toml::Value::Integer(i) => i.to_string(),
            toml::Value::String(t) => t.clone(),
            other => other.to_string(),
        };
        Period::parse(&text).map_err(|why| self.err(key, why))
    }

    fn period(&self, key: String, text: Option<&str>) -> Result<Period, Error> {
        let t = text.ok_or_else(|| {
            self.err(
                key.clone(),
                "missing: give a period such as \"2016\" or \"2017Q1\"",
            )
        })?;
        Period::parse(t).map_err(|e| self.err(key, e))
    }

    fn selection(&self, key: &str, raw: &RawSelection) -> Result<Selection, Error> {
        let (geo, members) = Selection::members(&raw.geo, self.reference)
            .map_err(|e| self.err(format!("{key}.geo"), e))?;
        let drug = DrugSelection::parse(raw.drug.as_deref().unwrap_or(""), self.reference)
            .map_err(|e| self.err(format!("{key}.drug"), e))?;
        Ok(Selection {
            geo,
            members,
            drug,
            indicator: raw.indicator.clone().unwrap_or_else(|| "seizures".into()),
            dimension: raw.dimension.clone(),
            category: raw.category.clone(),
        })
    }

    fn aggregate(&self, i: usize, raw: RawAggregate) -> Result<Vec<AggregateParams>, Error> {
        let policy = self.policy(format!("aggregates[{i}].policy"), raw.policy.as_deref())?;
        let drugs = if raw.drugs.is_empty() {
            vec![String::new()]
        } else {
            raw.drugs.clone()
        };
        drugs
            .iter()
            .enumerate()
            .map(|(j, d)| {
                let raw_selection = RawSelection {
                    geo: raw.geo.clone(),
                    drug: Some(d.clone()),
                    indicator: raw.indicator.clone(),
                    dimension: raw.dimension.clone(),
                    category: raw.category.clone(),
                };
                // The file says `drugs = [...]`: name the element, not a `drug` key.
                let selection = self
                    .selection(&format!("aggregates[{i}]"), &raw_selection)
                    .map_err(|e| match e {
                        Error::Config { file, key, message }
                            if key == format!("aggregates[{i}].drug") =>
                        {
                            Error::Config {
                                file,
                                key: format!("aggregates[{i}].drugs[{j}]"),
                                message,
                            }
                        }
                        other => other,
                    })?;
                Ok(AggregateParams { selection, policy })
            })
            .collect()
    }

    fn share(&self, i: usize, raw: RawShare) -> Result<ShareParams, Error> {
        let key = |k: &str| format!("shares[{i}].{k}");
        let compare = raw
            .compare
            .iter()
            .map(|[a, b]| {
                Ok((
                    self.period(key("compare"), Some(a))?,
                    self.period(key("compare"), Some(b))?,
                ))
            })
            .collect::<Result<_, Error>>()?;
        Ok(ShareParams {
            def: ShareDef {
                id: raw.id,
                title: raw.title,
                compare,
                window: self.window(key("window"), raw.window.as_deref())?,
            },
            part: self.selection(&key("part"), &raw.part)?,
            whole: self.selection(&key("whole"), &raw.whole)?,
            policy: self.policy(key("policy"), raw.policy.as_deref())?,
        })
    }

    fn route(&self, i: usize, raw: RawRoute) -> Result<RouteParams, Error> {
        let key = |k: &str| format!("routes[{i}].{k}");
        let route = self.reference_route(key("id"), &raw.id)?;
        let drugs = raw
            .drugs
            .iter()
            .map(|d| {
                let selection = DrugSelection::parse(d, self.reference)
                    .map_err(|e| self.err(key("drugs"), e))?;
                Ok((selection.label().unwrap_or("").to_string(), selection))
            })
            .collect::<Result<_, Error>>()?;
        let mut heroin_equivalent = Vec::new();
        for (drug, factor) in &raw.heroin_equivalent {
            let key = self
                .reference
                .resolve_drug(drug)
                .map_err(|e| self.err(format!("routes[{i}].heroin_equivalent"), e))?;
            if !(factor.is_finite() && *factor > 0.0) {
                return Err(self.err(
                    format!("routes[{i}].heroin_equivalent.{drug}"),
                    format!("{factor}: expected a positive factor"),
                ));
            }
            heroin_equivalent.push((key.to_string(), *factor));
        }
        Ok(RouteParams {
            heroin_equivalent,
            id: route.id.clone(),
            origin: route.origin.clone(),
            transit: route.transit.clone(),
            destination: route.destination.clone(),
            drugs,
            max_lag: raw.max_lag.unwrap_or(3),
            policy: self.policy(key("policy"), raw.policy.as_deref())?,
        })
    }

    fn figure(&self, i: usize, raw: RawFigure) -> Result<FigureSpec, Error> {
        let key = |k: &str| format!("figures[{i}].{k}");
        if raw.slug.is_empty()
            || !raw
                .slug
                .bytes()
                .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'_' || b == b'-')
        {
            return Err(self.err(
                key("slug"),
                format!(
                    "'{}': a slug is a file name: lower-case letters, digits, '_' and '-' only",
                    raw.slug
                ),
            ));
        }
        if raw.kind == "map" {
            return self.map_figure(i, raw);
        }
        if raw.route.is_some() || raw.measure.is_some() {
            return Err(self.err(
                key(if raw.route.is_some() {
                    "route"
                } else {
                    "measure"
                }),
                format!("route and measure are for kind = \"map\", not {}", raw.kind),
            ));
        }
        let kind = match raw.kind.as_str() {
            "line" => ChartKind::Line,
            "stacked_area" => ChartKind::StackedArea,
            "share_area" => ChartKind::ShareArea,
            "bars" => ChartKind::GroupedBars,
            "small_multiples" => ChartKind::SmallMultiples,
            other => {
                return Err(self.err(
                    key("kind"),
                    format!(
                    "'{other}': expected line, stacked_area, share_area, bars, small_multiples or map"
                ),
                ))
            }
        };
        let size = self.size(key("size"), raw.size.as_deref())?;
        let panel_y = match raw.panel_y.as_deref().unwrap_or("shared") {
            "shared" => PanelY::Shared,
            "independent" => PanelY::Independent,
            other => {
                return Err(self.err(
                    key("panel_y"),
                    format!("'{other}': expected shared or independent"),
                ))
            }
        };
        if raw.series.is_empty() {
            return Err(self.err(key("series"), "a figure needs at least one series"));
        }
        for (k, v) in [("y_min", raw.y_min), ("y_max", raw.y_max)] {
            if v.is_some_and(|v| !v.is_finite()) {
                return Err(self.err(key(k), "must be a finite number"));
            }
        }
        if let (Some(lo), Some(hi)) = (raw.y_min, raw.y_max) {
            if lo >= hi {
                return Err(self.err(key("y_max"), format!("{hi}: must be above y_min ({lo})")));
            }
        }
        if let Some(lo) = raw.y_min.filter(|v| *v != 0.0) {
            if kind != ChartKind::Line && kind != ChartKind::SmallMultiples {
                return Err(self.err(
                    key("y_min"),
                    format!("{lo}: bars and areas start at zero (a cut axis misstates their size); y_min is for line charts"),
                ));
            }
        }
        let mut series = Vec::new();
        for (j, s) in raw.series.iter().enumerate() {
            let k = format!("figures[{i}].series[{j}]");
            let source = match (&s.geo, &s.share, &s.route) {
                (Some(geo), None, None) => FigureSource::Selection(self.selection(
                    &k,
                    &RawSelection {
                        geo: geo.clone(),
                        drug: s.drug.clone(),
                        indicator: s.indicator.clone(),
                        dimension: s.dimension.clone(),
                        category: s.category.clone(),
                    },
                )?),
                (None, Some(share), None) => FigureSource::Share(share.clone()),
                (None, None, Some(route)) => FigureSource::Route {
                    route: route.clone(),
                    drug: s.drug.clone().unwrap_or_default(),
                    indicator: s.route_indicator.clone().ok_or_else(|| {
                        self.err(
                            format!("{k}.route_indicator"),
                            "a route series needs route_indicator (e.g. destination_transit_ratio)",
                        )
                    })?,
                    geo: s
                        .route_geo
                        .clone()
                        .unwrap_or_else(|| "destination/transit".into()),
                },
                _ => {
                    let given: Vec<&str> = [
                        ("geo", s.geo.is_some()),
                        ("share", s.share.is_some()),
                        ("route", s.route.is_some()),
                    ]
                    .iter()
                    .filter(|(_, on)| *on)
                    .map(|(name, _)| *name)
                    .collect();
                    let found = if given.is_empty() {
                        "none of them".to_string()
                    } else {
                        given.join(" and ")
                    };
                    return Err(self.err(k, format!("gives {found}: give exactly one of geo (a country, region or route segment), share (a [[shares]] id) or route")));
                }
            };
            series.push(FigureSeries {
                label: self.text(format!("{k}.label"), &s.label)?,
                source,
            });
        }
        // `trend` and `change_point` name a series by its label in the first language.
        let first_labels: Vec<&str> = raw
            .series
            .iter()
            .map(|s| s.label.resolve(self.first, self.first).0)
            .collect();
        let index = |field: &str, label: &Option<String>| -> Result<Option<usize>, Error> {
            label
                .as_ref()
                .map(|l| {
                    first_labels.iter().position(|s| s == l).ok_or_else(|| {
                        self.err(
                            key(field),
                            format!("'{l}' is not the label of one of the figure's series"),
                        )
                    })
                })
                .transpose()
        };
        let index_base = match &raw.index {
            None => None,
            Some(value) => {
                let period = self.period_value(key("index"), value)?;
                if !matches!(
                    kind,
                    ChartKind::Line | ChartKind::SmallMultiples | ChartKind::GroupedBars
                ) {
                    return Err(self.err(
                        key("index"),
                        "an index is for lines and bars: stacked or share areas add their series up",
                    ));
                }
                Some(period)
            }
        };
        let log_scale = match raw.scale.as_deref().unwrap_or("linear") {
            "linear" => false,
            "log" => true,
            other => {
                return Err(self.err(key("scale"), format!("'{other}': expected linear or log")))
            }
        };
        if log_scale {
            if !matches!(kind, ChartKind::Line | ChartKind::SmallMultiples) {
                return Err(self.err(
                    key("scale"),
                    "a log scale is for line charts: bars and areas show amounts from zero",
                ));
            }
            if raw.trend.is_some() {
                return Err(self.err(
                    key("scale"),
                    "a Sen trend line is straight on a linear axis, not on a log one: drop `trend` or the log scale",
                ));
            }
            for (k, v) in [("y_min", raw.y_min), ("y_max", raw.y_max)] {
                if v.is_some_and(|v| v <= 0.0) {
                    return Err(self.err(key(k), "a log axis has no zero or negative bound"));
                }
            }
        }
        let mut events = Vec::new();
        for (j, e) in raw.events.iter().enumerate() {
            let period = Period::parse(&e.period)
                .map_err(|why| self.err(key(&format!("events[{j}].period")), why))?;
            events.push((
                period,
                self.text(key(&format!("events[{j}].label")), &e.label)?,
            ));
        }
        Ok(FigureSpec {
            slug: raw.slug.clone(),
            kind,
            trend: index("trend", &raw.trend)?,
            trend_always: raw.trend_always,
            trend_band: raw.trend_band,
            y_min: raw.y_min,
            y_max: raw.y_max,
            index: index_base,
            log_scale,
            events,
            change_point: index("change_point", &raw.change_point)?,
            title: self.text(key("title"), &raw.title)?,
            subtitle: self.optional_text(key("subtitle"), &raw.subtitle)?,
            y_label: self
                .optional_text(key("y_label"), &raw.y_label)?
                .unwrap_or_else(|| Texts::of(self.language).get("default-y-label")),
            size,
            window: self.window(key("window"), raw.window.as_deref())?,
            series,
            notes: self.texts(&key("notes"), &raw.notes)?,
            source: self.optional_text(key("source"), &raw.source)?,
            caption: self.optional_text(key("caption"), &raw.caption)?,
            columns: raw.columns.unwrap_or(0),
            panel_y,
            map: None,
        })
    }

    /// A route map: one series per route country (and drug), measured as declared.
    fn map_figure(&self, i: usize, raw: RawFigure) -> Result<FigureSpec, Error> {
        let key = |k: &str| format!("figures[{i}].{k}");
        let unused = [
            ("series", !raw.series.is_empty()),
            ("window", raw.window.is_some()),
            ("trend", raw.trend.is_some()),
            ("change_point", raw.change_point.is_some()),
            ("index", raw.index.is_some()),
            ("scale", raw.scale.is_some()),
            ("y_min", raw.y_min.is_some()),
            ("y_max", raw.y_max.is_some()),
            ("panel_y", raw.panel_y.is_some()),
            ("events", !raw.events.is_empty()),
        ];
        if let Some((k, _)) = unused.iter().find(|(_, given)| *given) {
            return Err(self.err(
                key(k),
                "a map takes its countries from `route` and its values from `measure`; drop this key",
            ));
        }
        let id = raw
            .route
            .as_deref()
            .ok_or_else(|| self.err(key("route"), "a map needs `route = \"...\"` (a route id)"))?;
        let route = self.reference_route(key("route"), id)?;
        let countries = |codes: &[String]| -> Vec<String> {
            let mut out: Vec<String> = Vec::new();
            for code in codes {
                for m in self.reference.countries_of(code) {
                    if !out.contains(&m) {
                        out.push(m);
                    }
                }
            }
            out
        };
        let map_route = MapRoute {
            name: self.reference.route_name(route, self.language).to_string(),
            origin: countries(&route.origin),
            transit: countries(&route.transit),
            destination: countries(&route.destination),
        };
        let measure = raw.measure.as_ref().ok_or_else(|| {
            self.err(
                key("measure"),
                "a map needs `measure = { drug = \"heroin\", period = \"2016\" }`",
            )
        })?;
        let mk = |k: &str| key(&format!("measure.{k}"));
        let period = |k: &str, v: &toml::Value| self.period_value(mk(k), v);
        let drugs: Vec<String> = match (&measure.drug, &measure.drugs) {
            (Some(d), None) => vec![d.clone()],
            (None, Some(ds)) if !ds.is_empty() => ds.clone(),
            _ => {
                return Err(self.err(
                    mk("drug"),
                    "give `drug = \"...\"`, or `drugs = [...]` for a map per drug",
                ))
            }
        };
        let given = [
            ("period", measure.period.is_some()),
            ("periods", measure.periods.is_some()),
            ("window", measure.window.is_some()),
            ("change", measure.change.is_some()),
        ];
        let named: Vec<&str> = given.iter().filter(|(_, g)| *g).map(|(k, _)| *k).collect();
        if named.len() != 1 {
            return Err(self.err(
                key("measure"),
                format!(
                    "gives {}: give exactly one of period, periods (a map each), window (with stat = \"total\" or \"mean\") or change = [FROM, TO]",
                    if named.is_empty() { "none of them".to_string() } else { named.join(" and ") }
                ),
            ));
        }
        if measure.stat.is_some() && measure.window.is_none() {
            return Err(self.err(mk("stat"), "stat is for a window"));
        }
        let measures: Vec<Measure> = if let Some(p) = &measure.period {
            vec![Measure::At(period("period", p)?)]
        } else if let Some(ps) = &measure.periods {
            if ps.is_empty() {
                return Err(self.err(mk("periods"), "give at least one period"));
            }
            ps.iter()
                .enumerate()
                .map(|(j, p)| period(&format!("periods[{j}]"), p).map(Measure::At))
                .collect::<Result<_, _>>()?
        } else if let Some(w) = &measure.window {
            let window = Window::parse(w).map_err(|e| self.err(mk("window"), e))?;
            let (Some(a), Some(b)) = (window.start, window.end) else {
                return Err(self.err(
                    mk("window"),
                    format!("'{w}': a map's window needs both ends (2012-2016)"),
                ));
            };
            match measure.stat.as_deref().unwrap_or("total") {
                "total" => vec![Measure::Total(a, b)],
                "mean" => vec![Measure::Mean(a, b)],
                other => {
                    return Err(self.err(mk("stat"), format!("'{other}': expected total or mean")))
                }
            }
        } else {
            let change = measure.change.as_deref().unwrap_or_default();
            let [a, b] = change else {
                return Err(self.err(
                    mk("change"),
                    "give two periods: change = [\"2010\", \"2016\"]",
                ));
            };
            let (a, b) = (period("change[0]", a)?, period("change[1]", b)?);
            if a.x() >= b.x() {
                return Err(self.err(mk("change"), format!("{a} is not before {b}")));
            }
            vec![Measure::Change(a, b)]
        };
        if drugs.len() > 1 && measures.len() > 1 {
            return Err(self.err(
                key("measure"),
                "a map per drug or a map per period, not both",
            ));
        }
        let all: Vec<String> = map_route.countries();
        let names: BTreeMap<String, String> = self
            .reference
            .country_names
            .keys()
            .map(|code| {
                (
                    code.clone(),
                    self.reference.geo_name_in(code, self.language),
                )
            })
            .collect();
        let mut series = Vec::new();
        let mut drug_names = Vec::new();
        for drug in &drugs {
            let mut first = None;
            for code in &all {
                let selection = self.selection(
                    &key("measure"),
                    &RawSelection {
                        geo: code.clone(),
                        drug: Some(drug.clone()),
                        indicator: measure.indicator.clone(),
                        dimension: None,
                        category: None,
                    },
                )?;
                let drug_name = selection
                    .drug
                    .label()
                    .and_then(|l| self.reference.running_drug_name_in(l, self.language))
                    .unwrap_or_default();
                first.get_or_insert(drug_name.clone());
                series.push(FigureSeries {
                    label: format!("{}, {drug_name}", names.get(code).map_or(code, |n| n)),
                    source: FigureSource::Selection(selection),
                });
            }
            drug_names.push(first.unwrap_or_default());
        }
        let n = all.len();
        let panels: Vec<MapPanelSpec> = if drugs.len() > 1 {
            drug_names
                .iter()
                .enumerate()
                .map(|(j, d)| MapPanelSpec {
                    title: capitalised(d),
                    drug: d.clone(),
                    measure: measures[0],
                    series: (j * n..(j + 1) * n).collect(),
                })
                .collect()
        } else {
            measures
                .iter()
                .map(|m| MapPanelSpec {
                    title: m.text(Texts::of(self.language)),
                    drug: drug_names[0].clone(),
                    measure: *m,
                    series: (0..n).collect(),
                })
                .collect()
        };
        let window = Window {
            start: panels
                .iter()
                .filter_map(|p| p.measure.window().start)
                .min_by(|a, b| a.x().total_cmp(&b.x())),
            end: panels
                .iter()
                .filter_map(|p| p.measure.window().end)
                .max_by(|a, b| a.x().total_cmp(&b.x())),
        };
        let size = self.size(key("size"), raw.size.as_deref())?;
        Ok(FigureSpec {
            slug: raw.slug,
            kind: ChartKind::Line,
            title: self.text(key("title"), &raw.title)?,
            subtitle: self.optional_text(key("subtitle"), &raw.subtitle)?,
            y_label: self
                .optional_text(key("y_label"), &raw.y_label)?
                .unwrap_or_else(|| Texts::of(self.language).get("default-map-legend")),
            size,
            window,
            series,
            trend: None,
            trend_always: false,
            trend_band: false,
            log_scale: false,
            index: None,
            events: Vec::new(),
            y_min: None,
            y_max: None,
            change_point: None,
            notes: self.texts(&key("notes"), &raw.notes)?,
            source: self.optional_text(key("source"), &raw.source)?,
            caption: self.optional_text(key("caption"), &raw.caption)?,
            columns: raw.columns.unwrap_or(0),
            panel_y: PanelY::Shared,
            map: Some(MapSpec {
                id: id.to_string(),
                route: map_route,
                panels,
                names,
            }),
        })
    }

    fn claim(&self, i: usize, raw: RawClaim) -> Result<Claim, Error> {
        let key = |k: &str| format!("claims[{i}].{k}");
        let needed = |what: &Option<RawSelection>, k: &str| -> Result<Selection, Error> {
            let s = what.as_ref().ok_or_else(|| {
                self.err(
                    key(k),
                    format!(
                        "a {} claim needs `{k} = {{ geo = ..., drug = ... }}`",
                        raw.kind
                    ),
                )
            })?;
            self.selection(&key(k), s)
        };
        let window = self.window(key("window"), raw.window.as_deref())?;
        let check = match raw.kind.as_str() {
            "share" => ClaimCheck::Share {
                share: raw.share.clone().ok_or_else(|| {
                    self.err(
                        key("share"),
                        "a share claim needs `share = \"<id of a [[shares]] entry>\"`",
                    )
                })?,
                period: self.period(key("period"), raw.period.as_deref())?,
            },
            "total" => ClaimCheck::Total {
                selection: needed(&raw.of, "of")?,
                period: self.period(key("period"), raw.period.as_deref())?,
            },
            "greater" => ClaimCheck::Greater {
                a: needed(&raw.a, "a")?,
                b: needed(&raw.b, "b")?,
                window,
            },
            "peak" => {
                let peak = raw.peak.as_deref().ok_or_else(|| {
                    self.err(key("peak"), "a peak claim needs `peak = \"2003-2004\"`")
                })?;
                ClaimCheck::Peak {
                    selection: needed(&raw.of, "of")?,
                    stated: self.window(key("peak"), Some(peak))?,
                    within: window,
                }
            }
            "trend" => ClaimCheck::Trend {
                selection: needed(&raw.of, "of")?,
                window,
                direction: match raw.direction.as_deref() {
                    Some(d @ ("increasing" | "decreasing" | "no trend")) => d.to_string(),
                    other => {
                        let found = other.map_or("missing".to_string(), |d| format!("'{d}'"));
                        return Err(self.err(
                            key("direction"),
                            format!(
                                "{found}: expected \"increasing\", \"decreasing\" or \"no trend\""
                            ),
                        ));
                    }
                },
            },
            other => {
                return Err(self.err(
                    key("kind"),
                    format!("'{other}': expected share, total, greater, peak or trend"),
                ))
            }
        };
        let qualifier = Qualifier::parse(raw.qualifier.as_deref().unwrap_or(""))
            .map_err(|e| self.err(key("qualifier"), e))?;
        Ok(Claim {
            id: raw.id,
            statement: raw.statement,
            check,
            stated: raw.value,
            qualifier,
            tolerance: raw.tolerance,
        })
    }
}
