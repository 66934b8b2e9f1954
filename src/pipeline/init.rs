//! `routetrend init`: a project folder that runs at once, made from the user's own files.
//!
//! The inputs are copied into `data/raw/` (a project holds what it reads), each one's format
//! is found as ingest finds it, and a file no header matches is tried against the known
//! column mappings (those of `data/mappings/` in the current folder, then the built-in
//! ones), which are then copied beside it. The files are ingested together once: where two of them give one key
//! different values, the pipeline prefers the input whose data reaches furthest in time
//! (later editions revise earlier figures) and says so in a comment to review. What the data
//! holds then writes the rest: the windows (every series' span and the last ten years), and
//! three figures: the five largest seizure series, the composition of the largest seizing
//! country's seizures, and the largest changes in that composition over the last ten years
//! (as `[[shares]]`, tested and tabled by analyze).
//!
//! [`pipeline_text`] builds the file from what was ingested (no IO); [`init`] does the IO.

use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::path::{Path, PathBuf};

use crate::error::{Error, InputError, Result};
use crate::files::write_text;
use crate::ingest::mapping::Mapping;
use crate::ingest::merge::Merge;
use crate::ingest::{ingest_files, Format, IngestOptions, Ingested, InputFile};
use crate::model::reference::DrugKind;
use crate::model::unit::Unit;
use crate::model::{Observation, Reference};
use crate::pipeline::config::{as_id, input_id, unique_id, valid_id};

/// The column mappings routetrend ships, by file name.
const BUILT_IN_MAPPINGS: [(&str, &str); 1] = [(
    "arq_seizures.toml",
    include_str!("../../data/mappings/arq_seizures.toml"),
)];

/// Plants and seeds, weighed in some files and years only (the UNODC export from 2019):
/// left out of the default figures.
const PLANT_MATERIAL: [&str; 6] = [
    "cannabis_plants",
    "poppy_plants",
    "coca_bush",
    "cannabis_seed",
    "poppy_seed",
    "coca_seed",
];

/// How many series the default figures show.
const TOP: usize = 5;
/// How many share changes the composition-change figure shows.
const SHARE_CHANGES: usize = 3;
/// The recent window: the last this many years of the data.
const RECENT_YEARS: i32 = 10;

/// One input of the new project, as the pipeline file names it.
#[derive(Clone, Debug)]
pub struct InitInput {
    pub id: String,
    /// Relative to the project folder: `data/raw/<file name>`.
    pub file: String,
    /// Where it was copied from, as given.
    pub original: String,
    pub format: Format,
    /// `data/mappings/<name>.toml`, for a file read through a mapping.
    pub mapping: Option<String>,
}

/// What `init` wrote.
#[derive(Debug)]
pub struct InitOutcome {
    pub pipeline: PathBuf,
    pub readme: PathBuf,
    pub inputs: Vec<InitInput>,
    /// Observations of all inputs merged.
    pub observations: usize,
    pub superseded: usize,
    /// What init passed over: mappings of data/mappings/ that do not parse.
    pub notes: Vec<String>,
}

/// Writes the project folder `dir` for `files`: inputs copied, pipeline and README written.
/// Refuses a folder that already has a pipelines/ or data/ folder; on an error, removes the
/// ones it made, so that init can run again.
pub fn init(dir: &Path, files: &[PathBuf], name: Option<&str>) -> Result<InitOutcome> {
    let name = match name {
        Some(n) => n.to_string(),
        None => std::path::absolute(dir)
            .map(|d| as_id(&d.file_name().unwrap_or_default().to_string_lossy()))
            .unwrap_or_default(),
    };
    if !valid_id(&name) {
        return Err(Error::Usage(format!(
            "--name '{name}': a pipeline name is letters, digits, '_', '-' and '.'"
        )));
    }
    for taken in ["pipelines", "data"] {
        if dir.join(taken).exists() {
            return Err(Error::Usage(format!(
                "{}: already has a {taken}/ folder; init writes a new project: give an empty or new folder",
                dir.display()
            )));
        }
    }
    let outcome = write_project(dir, files, &name);
    if outcome.is_err() {
        for made in ["pipelines", "data"] {
            let _ = std::fs::remove_dir_all(dir.join(made));
        }
    }
    outcome
}

fn write_project(dir: &Path, files: &[PathBuf], name: &str) -> Result<InitOutcome> {
    let reference = Reference::load_default(None)?;
    let raw_dir = dir.join("data/raw");
    let mappings_dir = dir.join("data/mappings");
    std::fs::create_dir_all(&raw_dir).map_err(|e| Error::writing(&raw_dir, e))?;
    let mut inputs: Vec<InitInput> = Vec::new();
    let mut files_read: Vec<InputFile> = Vec::new();
    let mut notes = Vec::new();
    // Each input's latest period (its `x`), for the merge rule where inputs overlap.
    let mut reaches: Vec<(String, f64)> = Vec::new();
    for original in files {
        let file_name = original
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .ok_or_else(|| Error::Usage(format!("--input {}: not a file", original.display())))?;
        let file = format!("data/raw/{file_name}");
        if inputs.iter().any(|i| i.file == file) {
            return Err(Error::Usage(format!(
                "--input {}: another input has the file name {file_name}; rename one",
                original.display()
            )));
        }
        crate::ingest::check_regular(original, &original.display().to_string())?;
        let copy = dir.join(&file);
        std::fs::copy(original, &copy).map_err(|e| Error::writing(&copy, e))?;
        let mut input = InputFile {
            id: input_id(original),
            name: file.clone(),
            path: copy,
            options: IngestOptions::default(),
        };
        let Detected {
            format,
            mapping,
            reach,
        } = detect(&mut input, &reference, &mut notes)?;
        let mapping = match mapping {
            Some((mapping_name, text)) => {
                std::fs::create_dir_all(&mappings_dir)
                    .map_err(|e| Error::writing(&mappings_dir, e))?;
                let path = mappings_dir.join(&mapping_name);
                write_text(&path, &text)?;
                Some(format!("data/mappings/{mapping_name}"))
            }
            None => None,
        };
        let taken: Vec<&str> = inputs.iter().map(|i| i.id.as_str()).collect();
        let id = unique_id(&input.id, &taken);
        input.id.clone_from(&id);
        reaches.push((id.clone(), reach));
        inputs.push(InitInput {
            id,
            file,
            original: original.display().to_string(),
            format,
            mapping,
        });
        files_read.push(input);
    }
    let (ingested, merge, overlaps) = match ingest_files(&files_read, &reference, &Merge::default())
    {
        Ok(ingested) => (ingested, Merge::default(), 0),
        Err(Error::Conflict(_)) => {
            let merge = Merge {
                prefer: recent_first(reaches),
                ..Merge::default()
            };
            let ingested = ingest_files(&files_read, &reference, &merge)?;
            let overlaps = ingested.superseded.len();
            (ingested, merge, overlaps)
        }
        Err(e) => return Err(e),
    };
    if ingested.observations.is_empty() {
        return Err(Error::Usage(format!(
            "no observations in {}: {} rows rejected; run `routetrend validate` on the files to see why",
            inputs.iter().map(|i| i.original.as_str()).collect::<Vec<_>>().join(", "),
            ingested.errors().count()
        )));
    }
    let text = pipeline_text(name, &inputs, &ingested, &merge, overlaps, &reference);
    let pipelines = dir.join("pipelines");
    std::fs::create_dir_all(&pipelines).map_err(|e| Error::writing(&pipelines, e))?;
    let pipeline = pipelines.join(format!("{name}.toml"));
    write_text(&pipeline, &text)?;
    let readme = dir.join("README.md");
    write_text(&readme, &readme_text(name, &inputs))?;
    Ok(InitOutcome {
        pipeline,
        readme,
        observations: ingested.observations.len(),
        superseded: ingested.superseded.len(),
        inputs,
        notes,
    })
}

/// An input's format as detected, the mapping that reads it (file name, text) if one
/// does, and the latest period it reaches (its `x`).
struct Detected {
    format: Format,
    mapping: Option<(String, String)>,
    reach: f64,
}

/// The input's format as ingest detects it; a file no known header matches is tried against
/// each known mapping, and the first that reads it is returned and set.
fn detect(
    input: &mut InputFile,
    reference: &Reference,
    notes: &mut Vec<String>,
) -> Result<Detected> {
    // The latest period the file reaches.
    let reach = |ingested: &Ingested| {
        ingested
            .observations
            .iter()
            .map(|o| o.period.last_x())
            .fold(f64::NEG_INFINITY, f64::max)
    };
    let format_of = |ingested: &Ingested| {
        let name = ingested
            .files
            .first()
            .map(|f| f.format.clone())
            .unwrap_or_default();
        <Format as clap::ValueEnum>::value_variants()
            .iter()
            .copied()
            .find(|f| f.name() == name)
            .unwrap_or(Format::Canonical)
    };
    let first_error = match ingest_files(std::slice::from_ref(input), reference, &Merge::default())
    {
        Ok(ingested) => {
            return Ok(Detected {
                format: format_of(&ingested),
                mapping: None,
                reach: reach(&ingested),
            })
        }
        Err(e @ Error::Input(InputError::UnknownFormat { .. })) => e,
        Err(e) => return Err(e),
    };
    for (name, text) in known_mappings() {
        let mapping = match Mapping::parse(&text, &name) {
            Ok(mapping) => mapping,
            Err(e) => {
                let note = format!("data/mappings/{name} not tried: {e}");
                if !notes.contains(&note) {
                    notes.push(note);
                }
                continue;
            }
        };
        input.options.mapping = Some(mapping);
        if let Ok(ingested) =
            ingest_files(std::slice::from_ref(input), reference, &Merge::default())
        {
            return Ok(Detected {
                format: Format::Mapping,
                reach: reach(&ingested),
                mapping: Some((name, text)),
            });
        }
        input.options.mapping = None;
    }
    Err(first_error.context(
        "no known format or column mapping reads it: write a mapping (see data/mappings/ and the README's \"Column mappings\")",
    ))
}

/// The project's own mappings (`./data/mappings/*.toml`), then the built-in ones.
fn known_mappings() -> Vec<(String, String)> {
    let mut found: Vec<(String, String)> = std::fs::read_dir("data/mappings")
        .map(|rd| {
            rd.filter_map(|e| e.ok().map(|e| e.path()))
                .filter(|p| p.extension().is_some_and(|e| e == "toml"))
                .filter_map(|p| {
                    let text = std::fs::read_to_string(&p).ok()?;
                    Some((p.file_name()?.to_string_lossy().into_owned(), text))
                })
                .collect()
        })
        .unwrap_or_default();
    found.sort();
    for (name, text) in BUILT_IN_MAPPINGS {
        if !found.iter().any(|(n, _)| n == name) {
            found.push((name.to_string(), text.to_string()));
        }
    }
    found
}

/// Input ids, the one whose data reaches the latest period first (input order among equals).
fn recent_first(mut reaches: Vec<(String, f64)>) -> Vec<String> {
    reaches.sort_by(|a, b| b.1.total_cmp(&a.1));
    reaches.into_iter().map(|(id, _)| id).collect()
}

/// A TOML string literal.
fn quoted(text: &str) -> String {
    toml::Value::String(text.to_string()).to_string()
}

/// Annual seizures in kg of one country and one substance: what the default figures show.
type SeizureSeries = BTreeMap<(String, String), BTreeMap<i32, f64>>;

fn seizure_series(ingested: &Ingested, reference: &Reference) -> SeizureSeries {
    let mut series = SeizureSeries::new();
    for o in ingested.observations() {
        // Substances, not reported totals: what a share's whole `drug = "all"` adds up.
        let substance = o
            .drug
            .as_deref()
            .and_then(|d| reference.drug(d))
            .is_some_and(|d| d.kind == DrugKind::Substance);
        let country = reference.country_names.contains_key(&o.geo);
        let plain = o.dimension.is_none() && o.category.is_none() && o.period.quarter.is_none();
        if o.indicator == "seizures" && o.unit == Unit::Kg && substance && country && plain {
            let drug = o.drug.clone().unwrap_or_default();
            series
                .entry((o.geo.clone(), drug))
                .or_default()
                .insert(o.period.year, o.value);
        }
    }
    series
}

/// The pipeline file for `inputs` and what ingesting them gave.
pub fn pipeline_text(
    name: &str,
    inputs: &[InitInput],
    ingested: &Ingested,
    merge: &Merge,
    overlaps: usize,
    reference: &Reference,
) -> String {
    // The observations one struct each: init reads a few files once.
    let observations: Vec<Observation> = ingested.observations().collect();
    let years: Vec<i32> = observations.iter().map(|o| o.period.year).collect();
    let (first, last) = (
        years.iter().copied().min().unwrap_or(0),
        years.iter().copied().max().unwrap_or(0),
    );
    let recent_start = (last - RECENT_YEARS + 1).max(first);
    let geos: std::collections::BTreeSet<&str> =
        observations.iter().map(|o| o.geo.as_str()).collect();
    let drugs: std::collections::BTreeSet<&str> = observations
        .iter()
        .filter_map(|o| o.drug.as_deref())
        .collect();
    let indicators: std::collections::BTreeSet<&str> =
        observations.iter().map(|o| o.indicator.as_str()).collect();
    let mut t = String::new();
    let _ = writeln!(
        t,
        "# routetrend pipeline written by `routetrend init` from {} file(s). Edit freely: every key is",
        inputs.len()
    );
    let _ = writeln!(
        t,
        "# described in pipelines/northern_route.toml of the routetrend repository and its README."
    );
    let _ = writeln!(t, "#");
    let _ = writeln!(
        t,
        "# The data: {} observation(s) of {} ({first}-{last}), {} place(s), {} drug(s).",
        ingested.observations.len(),
        indicators.iter().copied().collect::<Vec<_>>().join(", "),
        geos.len(),
        drugs.len()
    );
    let _ = writeln!(t, "#   places: {}", wrap_list(&geos));
    let _ = writeln!(t, "#   drugs: {}", wrap_list(&drugs));
    let _ = writeln!(t);
    let _ = writeln!(t, "name = {}", quoted(name));
    let _ = writeln!(
        t,
        "description = {}",
        quoted(&format!(
            "{} from {}",
            indicators.iter().copied().collect::<Vec<_>>().join(", "),
            inputs
                .iter()
                .map(|i| i.file.as_str())
                .collect::<Vec<_>>()
                .join(" and ")
        ))
    );
    let _ = writeln!(t, "root = \"..\"");
    let _ = writeln!(
        t,
        "# Outputs: data/, tables/, figures/, report.html, ... in this folder."
    );
    let _ = writeln!(t, "output = {}", quoted(&format!("out/{name}")));
    let _ = writeln!(
        t,
        "# Figures in English; [\"en\", \"ru\"] draws each in Russian too (figures/<slug>.ru.png),"
    );
    let _ = writeln!(
        t,
        "# with your texts given per language: title = {{ en = \"...\", ru = \"...\" }}."
    );
    let _ = writeln!(t, "languages = [\"en\"]");
    for (input, summary) in inputs.iter().zip(&ingested.files) {
        let _ = writeln!(t);
        let _ = writeln!(
            t,
            "# Copied from {}; format {} ({} rows: {} kept, {} rejected, {} missing values, {} superseded).",
            input.original,
            input.format.name(),
            summary.records,
            summary.kept,
            summary.rejected,
            summary.missing,
            summary.superseded
        );
        let _ = writeln!(
            t,
            "# Optional: periods = \"-2017\" takes only those periods from this file."
        );
        let _ = writeln!(t, "[[inputs]]");
        let _ = writeln!(t, "id = {}", quoted(&input.id));
        let _ = writeln!(t, "file = {}", quoted(&input.file));
        if let Some(m) = &input.mapping {
            let _ = writeln!(t, "mapping = {}", quoted(m));
        }
        // The citation ingest recorded for the file's rows (its mapping's, its title row's).
        let cited = observations
            .iter()
            .find(|o| o.source_file == input.file)
            .and_then(|o| o.source.split(" | ").next())
            .filter(|c| !c.is_empty());
        if let Some(citation) = cited {
            let _ = writeln!(
                t,
                "# The citation as ingest read it; figures print it under the data."
            );
            let _ = writeln!(t, "source = {}", quoted(citation));
        }
    }
    if !merge.prefer.is_empty() {
        let _ = writeln!(t);
        let _ = writeln!(
            t,
            "# The inputs give {overlaps} row(s) a different value than another input for the same place,"
        );
        let _ = writeln!(
            t,
            "# drug and period. The input whose data reaches the latest period wins (later editions revise"
        );
        let _ = writeln!(
            t,
            "# earlier figures); the others are listed in data/superseded.csv. Review and reorder as needed."
        );
        let _ = writeln!(t, "[merge]");
        let ids: Vec<String> = merge.prefer.iter().map(|p| quoted(p)).collect();
        let _ = writeln!(t, "prefer = [{}]", ids.join(", "));
        let _ = writeln!(
            t,
            "# Values within this relative difference are the same figure, rounded differently."
        );
        let _ = writeln!(t, "tolerance = {}", merge.tolerance);
    }
    let _ = writeln!(t);
    let _ = writeln!(t, "[analyze]");
    let _ = writeln!(
        t,
        "# \"all\" is each series' own span; {recent_start}-{last} the data's last {} years.",
        last - recent_start + 1
    );
    let _ = writeln!(t, "windows = [\"all\", \"{recent_start}-{last}\"]");
    figures(&mut t, ingested, reference, recent_start, last);
    t
}

/// Codes in lines of about 90 characters, continued as comments.
fn wrap_list(items: &std::collections::BTreeSet<&str>) -> String {
    let mut out = String::new();
    let mut line = 0;
    for item in items {
        if line > 80 {
            out.push_str("\n#     ");
            line = 0;
        }
        out.push_str(item);
        out.push(' ');
        line += item.len() + 1;
    }
    out.trim_end().to_string()
}

/// The default figures (and the shares behind the last), from the annual kg seizures of
/// countries in the recent window.
fn figures(t: &mut String, ingested: &Ingested, reference: &Reference, start: i32, end: i32) {
    let series = seizure_series(ingested, reference);
    let recent_total =
        |values: &BTreeMap<i32, f64>| -> f64 { values.range(start..=end).map(|(_, v)| v).sum() };
    // A figure's series is a drug (not a precursor chemical, not plant material) reported
    // in at least half of the window's years.
    let years = usize::try_from(end - start + 1).unwrap_or(0);
    let shown = |(_, drug): &(String, String), values: &BTreeMap<i32, f64>| {
        let precursor = reference
            .drug(drug)
            .is_some_and(|d| d.group == "precursors");
        let reported = values.range(start..=end).count();
        !precursor && !PLANT_MATERIAL.contains(&drug.as_str()) && 2 * reported >= years
    };
    let mut ranked: Vec<(&(String, String), f64)> = series
        .iter()
        .filter(|(k, v)| shown(k, v))
        .map(|(k, v)| (k, recent_total(v)))
        .filter(|(_, v)| *v > 0.0)
        .collect();
    ranked.sort_by(|a, b| b.1.total_cmp(&a.1).then(a.0.cmp(b.0)));
    if ranked.is_empty() {
        let _ = writeln!(t);
        let _ = writeln!(
            t,
            "# No annual seizures in kg of a country in {start}-{end}: no default figures. Add [[figures]] (see pipelines/northern_route.toml)."
        );
        return;
    }
    let drug_name = |d: &str| reference.drug(d).map_or(d.to_string(), |d| d.name.clone());
    let label = |(geo, drug): &(String, String)| {
        format!("{}: {}", reference.geo_name(geo), drug_name(drug))
    };
    write_figure(
        t,
        &DefaultFigure {
            comment: format!(
                "The {} largest seizure series (kg, {start}-{end}).",
                ranked.len().min(TOP)
            ),
            slug: "largest_series",
            kind: "line",
            title: format!("The largest seizure series, {start}-{end}"),
            subtitle: format!(
                "The countries and drugs with the most seized in total, {start}-{end}; log scale"
            ),
            y_label: "Seized",
            window: format!("{start}-{end}"),
            scale: Some("log"),
            series: ranked
                .iter()
                .take(TOP)
                .map(|(key, _)| {
                    format!(
                        "{{ label = {}, geo = {}, drug = {} }}",
                        quoted(&label(key)),
                        quoted(&key.0),
                        quoted(&key.1)
                    )
                })
                .collect(),
        },
    );

    // The country that seized the most, and what it seized; a country that reports plant
    // material in the window is passed over (its weight swamps every share of "all").
    let plants_reported = |geo: &str| {
        series.iter().any(|((g, d), v)| {
            g == geo
                && PLANT_MATERIAL.contains(&d.as_str())
                && v.range(start..=end).next().is_some()
        })
    };
    let mut by_geo: BTreeMap<&str, f64> = BTreeMap::new();
    for ((geo, _), total) in &ranked {
        if !plants_reported(geo) {
            *by_geo.entry(geo.as_str()).or_default() += total;
        }
    }
    let Some((top_geo, _)) = by_geo
        .iter()
        .max_by(|a, b| a.1.total_cmp(b.1).then(b.0.cmp(a.0)))
    else {
        return;
    };
    let top_geo = top_geo.to_string();
    let geo_name = reference.geo_name(&top_geo);
    let drugs: Vec<&String> = ranked
        .iter()
        .filter(|((geo, _), _)| *geo == top_geo)
        .map(|((_, drug), _)| drug)
        .take(TOP)
        .collect();
    write_figure(
        t,
        &DefaultFigure {
            comment: format!(
                "What {geo_name} seized most, {start}-{end}: the composition of its seizures."
            ),
            slug: "composition",
            kind: "stacked_area",
            title: format!("What {geo_name} seizes: drug composition by weight"),
            subtitle: format!("The drugs {geo_name} seized most of, {start}-{end}"),
            y_label: "Seized",
            window: format!("{start}-{end}"),
            scale: None,
            series: drugs
                .iter()
                .map(|drug| {
                    format!(
                        "{{ label = {}, geo = {}, drug = {} }}",
                        quoted(&drug_name(drug)),
                        quoted(&top_geo),
                        quoted(drug)
                    )
                })
                .collect(),
        },
    );

    // The largest changes in the composition: share of each drug in the country's total of
    // every substance, first and last year of the window, where both are reported.
    let totals = |year: i32| -> f64 {
        series
            .iter()
            .filter(|((geo, _), _)| *geo == top_geo)
            .filter_map(|(_, v)| v.get(&year))
            .sum()
    };
    let (total_start, total_end) = (totals(start), totals(end));
    let mut changes: Vec<(&String, f64)> = Vec::new();
    if total_start > 0.0 && total_end > 0.0 {
        for ((geo, drug), values) in &series {
            if *geo != top_geo {
                continue;
            }
            if let (Some(a), Some(b)) = (values.get(&start), values.get(&end)) {
                changes.push((drug, b / total_end - a / total_start));
            }
        }
    }
    changes.sort_by(|a, b| b.1.abs().total_cmp(&a.1.abs()).then(a.0.cmp(b.0)));
    changes.truncate(SHARE_CHANGES);
    if changes.is_empty() {
        let _ = writeln!(t);
        let _ = writeln!(
            t,
            "# {geo_name} does not report {start} and {end} both: no share-change figure."
        );
        return;
    }
    let share_id = |drug: &str| format!("{}_{}_share", top_geo.to_lowercase(), drug);
    for (drug, _) in &changes {
        let _ = writeln!(t);
        let _ = writeln!(t, "[[shares]]");
        let _ = writeln!(t, "id = {}", quoted(&share_id(drug)));
        let _ = writeln!(
            t,
            "title = {}",
            quoted(&format!(
                "{} in all drugs seized, {geo_name}",
                crate::display::capitalised(&drug_name(drug))
            ))
        );
        let _ = writeln!(
            t,
            "part = {{ geo = {}, drug = {} }}",
            quoted(&top_geo),
            quoted(drug)
        );
        let _ = writeln!(
            t,
            "whole = {{ geo = {}, drug = \"all\" }}",
            quoted(&top_geo)
        );
        let _ = writeln!(t, "compare = [[\"{start}\", \"{end}\"]]");
    }
    write_figure(
        t,
        &DefaultFigure {
            comment: format!("The drugs whose share of {geo_name}'s seizures changed most from {start} to {end}."),
            slug: "largest_share_changes",
            kind: "line",
            title: format!("The largest changes in what {geo_name} seizes, {start}-{end}"),
            subtitle: format!("Share in every substance seized by weight, {start}-{end}"),
            y_label: "Share of seizures by weight",
            window: format!("{start}-{end}"),
            scale: None,
            series: changes
                .iter()
                .map(|(drug, _)| {
                    format!(
                        "{{ label = {}, share = {} }}",
                        quoted(&crate::display::capitalised(&drug_name(drug))),
                        quoted(&share_id(drug))
                    )
                })
                .collect(),
        },
    );
}

fn readme_text(name: &str, inputs: &[InitInput]) -> String {
    let mut t = String::new();
    let _ = writeln!(t, "# {name}\n");
    let _ = writeln!(
        t,
        "A routetrend project written by `routetrend init`. Run it from this folder:\n"
    );
    let _ = writeln!(t, "    routetrend run pipelines/{name}.toml\n");
    let _ = writeln!(
        t,
        "The outputs go to `out/{name}/`: `report.html` first, then `tables/`, `figures/` and `data/`\n(the observation table, `rejects.csv` and `superseded.csv`)."
    );
    let _ = writeln!(t, "\n## Inputs\n");
    for i in inputs {
        let via = i
            .mapping
            .as_deref()
            .map(|m| format!(", read through `{m}`"))
            .unwrap_or_default();
        let _ = writeln!(
            t,
            "- `{}` (id `{}`): copied from `{}`, format {}{via}.",
            i.file,
            i.id,
            i.original,
            i.format.name()
        );
    }
    let _ = writeln!(t, "\n## What to edit in `pipelines/{name}.toml`\n");
    for line in [
        "- `source` of each input: the citation that figures and the report print under the data.",
        "- `[merge] prefer`: which input wins where two give one place, drug and year different values.",
        "- `[analyze] windows`: the periods each trend is measured over.",
        "- `[[regions]]` and `[[routes]]` with `origin`, `transit` and `destination`: your own aggregates and route.",
        "- `[[figures]]`: the three written from the data are a start; titles, series and notes are yours.",
        "- `[report]`: title, intro and the order of the sections.",
    ] {
        let _ = writeln!(t, "{line}");
    }
    t
}

/// A default figure: its comment line, keys and series (each an inline table).
struct DefaultFigure {
    comment: String,
    slug: &'static str,
    kind: &'static str,
    title: String,
    subtitle: String,
    y_label: &'static str,
    window: String,
    scale: Option<&'static str>,
    series: Vec<String>,
}

/// Writes a default figure's `[[figures]]` table.
fn write_figure(t: &mut String, f: &DefaultFigure) {
    let _ = writeln!(t);
    let _ = writeln!(t, "# {}", f.comment);
    let _ = writeln!(t, "[[figures]]");
    let _ = writeln!(t, "slug = \"{}\"", f.slug);
    let _ = writeln!(t, "kind = \"{}\"", f.kind);
    let _ = writeln!(t, "title = {}", quoted(&f.title));
    let _ = writeln!(t, "subtitle = {}", quoted(&f.subtitle));
    let _ = writeln!(t, "y_label = {}", quoted(f.y_label));
    let _ = writeln!(t, "window = {}", quoted(&f.window));
    if let Some(scale) = f.scale {
        let _ = writeln!(t, "scale = {}", quoted(scale));
    }
    let _ = writeln!(t, "series = [");
    for series in &f.series {
        let _ = writeln!(t, "  {series},");
    }
    let _ = writeln!(t, "]");
}
