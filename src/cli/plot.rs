//! `routetrend plot OBSERVATIONS --geo KAZ --drug heroin [--geo UZB ...] --out FILE.png`:
//! one chart of any series of an observation table, without a pipeline. The series go
//! through the analyze stage (their trends rows, coverage of totals) and the plot stage
//! (the same theme, trend lines, notes and sidecars) in a temporary folder; FILE gets the
//! asked format and, beside it, the points (`.csv`) and the sidecar (`.json`).

use crate::display::capitalised;
use std::path::{Path, PathBuf};

use clap::Args;

use super::{outln, Exit};
use crate::analysis::series::{SeriesFilter, Window};
use crate::analysis::trend::TrendOptions;
use crate::error::Error;
use crate::i18n::{Language, Texts};
use crate::model::Reference;
use crate::pipeline::catalog::{self, FigureFile};
use crate::pipeline::config::{figure_from_table, AnalyzeParams};
use crate::pipeline::stage::analyze::analyze;
use crate::pipeline::stage::plot::{draw_figures, FigureSet};
use crate::report::figure::SourceLines;

#[derive(Args, Debug)]
pub struct PlotArgs {
    /// An observation table: observations.parquet, an `ingest --out` folder or a run folder.
    pub observations: PathBuf,
    /// A country or region (code, name or alias), one per series; repeat for more.
    #[arg(long = "geo", required = true)]
    pub geos: Vec<String>,
    /// The drug (or `group:opiates`) of every series, or one per `--geo`.
    #[arg(long = "drug")]
    pub drugs: Vec<String>,
    /// The indicator of the series.
    #[arg(long, default_value = "seizures")]
    pub indicator: String,
    /// line, small_multiples, bars, stacked_area or share_area.
    #[arg(long, default_value = "line")]
    pub kind: String,
    /// Draw the first series' Sen trend line (where its trend is significant).
    #[arg(long)]
    pub trend: bool,
    /// Mark the first series' Pettitt change point (where significant).
    #[arg(long)]
    pub change_point: bool,
    /// The periods shown: `2000-2022`, `2010-`, `all`.
    #[arg(long, default_value = "all")]
    pub window: String,
    /// The chart's title (default: the drug, indicator and places).
    #[arg(long)]
    pub title: Option<String>,
    /// report (default), slide or web.
    #[arg(long, default_value = "report")]
    pub size: String,
    /// Folder of reference tables (default: ./data/reference if present, else built-in).
    #[arg(long)]
    pub reference: Option<PathBuf>,
    /// The chart file: FILE.png or FILE.svg (FILE.csv and FILE.json are written beside it).
    #[arg(long, short)]
    pub out: PathBuf,
    /// The language of the chart's texts and numbers: en or ru.
    #[arg(long, default_value = "en")]
    pub lang: String,
}

pub fn run(args: PlotArgs, quiet: bool) -> Result<Exit, Error> {
    let bad = Error::Usage;
    let format = match args.out.extension().and_then(|e| e.to_str()) {
        Some("png") => FigureFile::Png,
        Some("svg") => FigureFile::Svg,
        _ => {
            return Err(bad(format!(
                "--out {}: expected a .png or .svg file",
                args.out.display()
            )))
        }
    };
    if args.drugs.len() > 1 && args.drugs.len() != args.geos.len() {
        return Err(bad(format!(
            "{} --drug for {} --geo: give one drug for every series, or one per --geo",
            args.drugs.len(),
            args.geos.len()
        )));
    }
    let window = Window::parse(&args.window).map_err(|e| bad(format!("--window: {e}")))?;
    let language = Language::parse(&args.lang).map_err(|e| bad(format!("--lang: {e}")))?;
    let texts = Texts::of(language);
    let reference = Reference::load_default(args.reference.as_deref())?;
    let drug_of = |i: usize| args.drugs.get(i).or(args.drugs.first()).cloned();

    // The series as a figure of a pipeline would declare them, labelled by name.
    let mut series = toml::value::Array::new();
    let (mut labels, mut codes) = (Vec::new(), Vec::new());
    for (i, geo) in args.geos.iter().enumerate() {
        let code = reference
            .resolve_geo(geo)
            .map_err(|e| bad(format!("--geo {geo}: {e}")))?;
        codes.push(code.to_string());
        let name = reference.geo_name_in(code, language);
        let label = if name.is_empty() {
            code.to_string()
        } else {
            name
        };
        let mut entry = toml::Table::new();
        entry.insert("label".into(), label.clone().into());
        entry.insert("geo".into(), code.into());
        entry.insert("indicator".into(), args.indicator.clone().into());
        if let Some(drug) = drug_of(i) {
            entry.insert("drug".into(), drug.into());
        }
        series.push(entry.into());
        labels.push(label);
    }
    let stem = args
        .out
        .file_stem()
        .map(|s| s.to_string_lossy().into_owned())
        .unwrap_or_default();
    let slug: String = stem
        .to_lowercase()
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || c == '-' {
                c
            } else {
                '_'
            }
        })
        .collect();
    // English names its drugs as the reference does ("Heroin"); others in running text.
    let drugs: Vec<String> = args
        .drugs
        .iter()
        .map(|d| match (reference.drug(d), language) {
            (Some(drug), Language::En) => drug.name.clone(),
            (Some(drug), _) => reference
                .running_drug_name_in(&drug.key, language)
                .unwrap_or_else(|| d.clone()),
            (None, _) => d.clone(),
        })
        .collect();
    let indicator = texts
        .find(&format!("indicator-{}", args.indicator))
        .unwrap_or_else(|| args.indicator.replace('_', " "));
    let title = args.title.clone().unwrap_or_else(|| {
        let title = texts.format(
            "plot-title",
            &[
                ("drugs", drugs.join(", ").into()),
                ("indicator", (&indicator).into()),
                ("places", labels.join(", ").into()),
            ],
        );
        capitalised(title.trim())
    });
    let mut figure = toml::Table::new();
    figure.insert("slug".into(), slug.clone().into());
    figure.insert("kind".into(), args.kind.clone().into());
    figure.insert("title".into(), title.into());
    figure.insert("y_label".into(), capitalised(&indicator).into());
    figure.insert("size".into(), args.size.clone().into());
    figure.insert("window".into(), args.window.clone().into());
    figure.insert("series".into(), series.into());
    if args.trend {
        figure.insert("trend".into(), labels[0].clone().into());
    }
    if args.change_point {
        figure.insert("change_point".into(), labels[0].clone().into());
    }
    let source = texts.format(
        "plot-source",
        &[("file", args.observations.display().to_string().into())],
    );
    let spec = figure_from_table(figure, Path::new("routetrend plot"), &reference, language)?;

    // Analyze and plot in a temporary folder, as a run would.
    let work =
        tempfile::tempdir().map_err(|e| Error::writing(Path::new("a temporary folder"), e))?;
    let tables = catalog::tables_dir(work.path());
    std::fs::create_dir_all(&tables).map_err(|e| Error::writing(&tables, e))?;
    let trends = TrendOptions {
        windows: vec![window],
        ..TrendOptions::default()
    };
    let params = AnalyzeParams {
        filter: SeriesFilter {
            indicators: vec![args.indicator.clone()],
            geos: codes,
            drugs: Vec::new(),
        },
        trends: trends.clone(),
        aggregates: Vec::new(),
        shares: Vec::new(),
        routes: Vec::new(),
        claims: Vec::new(),
        parallel: Vec::new(),
    };
    let observations = catalog::observation_table(&args.observations);
    analyze(
        &observations,
        &tables,
        &params,
        std::slice::from_ref(&spec),
        &reference,
    )?;
    // Warnings (a series without data) are logged as the figure is drawn.
    let sources = SourceLines {
        by_file: Vec::new(),
        fallback: source,
    };
    let set = FigureSet {
        language,
        figures: std::slice::from_ref(&spec),
        sources,
    };
    draw_figures(
        work.path(),
        std::slice::from_ref(&set),
        &trends,
        &reference,
        args.reference
            .as_deref()
            .or(Some(Path::new("data/reference")).filter(|d| d.is_dir())),
        "plot",
    )?;

    let folder = args.out.parent().filter(|p| !p.as_os_str().is_empty());
    if let Some(folder) = folder {
        std::fs::create_dir_all(folder).map_err(|e| Error::writing(folder, e))?;
    }
    for file in [format, FigureFile::Csv, FigureFile::Json] {
        let from = work.path().join(file.path(&slug));
        let to = args.out.with_extension(file.extension());
        std::fs::copy(&from, &to).map_err(|e| Error::writing(&to, e))?;
    }
    if !quiet {
        outln(&format!(
            "{} ({} and {} beside it)",
            args.out.display(),
            args.out.with_extension("csv").display(),
            args.out.with_extension("json").display()
        ))?;
    }
    Ok(Exit::Done)
}
