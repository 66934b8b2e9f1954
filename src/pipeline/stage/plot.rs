//! The plot stage: `tables/figure_series.parquet` (the series each figure draws) and
//! `tables/trends.parquet` (their statistics) -> for every declared figure,
//! `figures/<slug>.png`, `.svg`, `.csv` (exactly the plotted points, with the values they
//! came from) and `.json` (its [`FigureSidecar`]). It computes nothing: a trend line, a
//! change point and the numbers of the alt text are the trends table's row for that series
//! and the figure's window.

use std::path::{Path, PathBuf};

use polars::prelude::*;
use rayon::prelude::*;

use super::{floats, ints, produced, texts, Context, Definition, Rows};
use crate::analysis::figure::SourceKind;
use crate::analysis::series::{code, SeriesKey};
use crate::analysis::trend::TrendOptions;
use crate::error::{Error, Result};
use crate::files::{read_parquet, write_text};
use crate::i18n::Language;
use crate::model::boundaries::{Boundaries, MAP_FILE};
use crate::model::observation::SERIES_COLUMNS;
use crate::model::{Freq, Period, Reference, Unit};
use crate::pipeline::catalog::{self, FigureFile, Table};
use crate::pipeline::config::Pipeline;
use crate::plot::{render, render_map};
use crate::report::figure::{
    compose, kind_name, points_csv, FigureSidecar, FigureSpec, Plotted, RunFacts, SizeInfo,
    SourceLines, TrendFacts,
};
use crate::report::map::{compose_map, map_csv, MapSpec};

pub struct Plot;

impl Definition for Plot {
    /// Figures use `[analyze]` alpha for their change points; `[report]` gives the source.
    fn params(&self) -> &'static [&'static str] {
        &[
            "figures",
            "report",
            "analyze",
            "regions",
            "routes",
            "languages",
        ]
    }

    fn inputs(&self, pipeline: &Pipeline, dir: &Path) -> Vec<(String, PathBuf)> {
        if pipeline.figures.is_empty() {
            return Vec::new();
        }
        let mut inputs = vec![
            produced(dir, catalog::figure_series()),
            produced(dir, Table::Trends.parquet()),
        ];
        // A map redraws when its project's outlines change.
        let outlines = pipeline
            .reference_dir()
            .map(|d| d.join(MAP_FILE))
            .filter(|p| p.is_file());
        if let Some(path) = outlines.filter(|_| pipeline.figures.iter().any(|f| f.map.is_some())) {
            inputs.push(("data/reference/".to_string() + MAP_FILE, path));
        }
        inputs
    }

    fn outputs(&self, pipeline: &Pipeline) -> Vec<String> {
        let first = pipeline.first_language();
        let mut out = Vec::new();
        for &language in &pipeline.languages {
            for f in &pipeline.figures {
                for file in FigureFile::of_language(language, first) {
                    out.push(file.path_in(&f.slug, language, first));
                }
            }
        }
        out
    }

    fn run(&self, cx: &mut Context) -> Result<Rows> {
        let pipeline = cx.pipeline;
        if !pipeline.figures.is_empty() {
            let sets: Vec<FigureSet> = pipeline
                .languages
                .iter()
                .map(|&language| {
                    let (figures, report) = pipeline.in_language(language);
                    FigureSet {
                        language,
                        figures,
                        sources: SourceLines {
                            by_file: report.input_sources.clone(),
                            fallback: report.source.clone(),
                        },
                    }
                })
                .collect();
            let untranslated: Vec<&str> = pipeline
                .untranslated
                .iter()
                .filter(|k| {
                    ["figures", "inputs", "regions", "routes"]
                        .iter()
                        .any(|p| k.starts_with(p))
                        || *k == "report.source"
                })
                .map(String::as_str)
                .collect();
            if !untranslated.is_empty() {
                let warning = format!(
                    "figures: no text of their own in every language for {} (the {} text is used)",
                    untranslated.join(", "),
                    pipeline.first_language().code()
                );
                tracing::warn!("{warning}");
                cx.warnings.push(warning);
            }
            let warnings = draw_figures(
                cx.dir,
                &sets,
                &pipeline.analyze.trends,
                &pipeline.reference,
                pipeline.reference_dir().as_deref(),
                cx.run_id,
            )?;
            cx.warnings.extend(warnings);
        }
        Ok(Rows::from([(
            "figures".into(),
            pipeline.figures.len() as u64,
        )]))
    }
}

/// A run's figures in one language, with the source lines they cite.
pub struct FigureSet<'a> {
    pub language: Language,
    pub figures: &'a [FigureSpec],
    pub sources: SourceLines,
}

/// Draws the figures of every set (one per language, the first keeping the plain file
/// names) from `dir`'s figure series and trends table (the analyze stage's outputs) into
/// `dir/figures/`, with the trends' alpha and label test, places named from `reference` in
/// each language, maps with the country outlines of `reference_dir` (else the built-in
/// ones); returns a warning per figure with series without data. The plot stage, and
/// `routetrend plot`.
pub fn draw_figures(
    dir: &Path,
    sets: &[FigureSet],
    trends_options: &TrendOptions,
    reference: &Reference,
    reference_dir: Option<&Path>,
    run_id: &str,
) -> Result<Vec<String>> {
    let missing = "missing (run the analyze stage first)";
    let drawn = read_parquet(&dir.join(catalog::figure_series()), missing)?;
    let trends = read_parquet(&dir.join(Table::Trends.parquet()), missing)?;
    let figures_dir = catalog::figures_dir(dir);
    std::fs::create_dir_all(&figures_dir).map_err(|e| Error::writing(&figures_dir, e))?;
    let alpha = trends_options.alpha.get();
    let hamed_rao = trends_options.label_from_hamed_rao;
    let first = sets.first().map_or_else(Language::default, |s| s.language);
    let boundaries = if sets.iter().flat_map(|s| s.figures).any(|f| f.map.is_some()) {
        Some(Boundaries::load(reference_dir)?)
    } else {
        None
    };
    let runs = sets
        .iter()
        .map(|set| run_facts(&drawn, &trends, &set.sources, set.language, reference))
        .collect::<PolarsResult<Vec<RunFacts>>>()
        .map_err(Error::compute(
            "reading the figure series' periods and the trends table's places",
        ))?;
    // Every figure of every language on its own core (each writes its own files); the
    // results in declaration order, so that warnings and the first error do not depend on
    // which core finished first.
    let jobs: Vec<(&FigureSet, &RunFacts, &FigureSpec)> = sets
        .iter()
        .zip(&runs)
        .flat_map(|(set, run)| set.figures.iter().map(move |spec| (set, run, spec)))
        .collect();
    let drawn_figures: Vec<Result<Vec<String>>> = jobs
        .par_iter()
        .map(|&(set, run, spec)| {
            let files = Files {
                dir,
                language: set.language,
                first,
                run_id,
            };
            let context = || format!("figure {}", spec.slug);
            let plotted = plotted_series(&drawn, spec)
                .map_err(Error::compute(format!("{}: reading its series", context())))?;
            match (&spec.map, &boundaries) {
                (Some(map), Some(boundaries)) => {
                    draw_map(spec, map, &plotted, run, boundaries, &files)
                }
                _ => {
                    let facts = trend_facts(&trends, spec, &plotted, hamed_rao).map_err(
                        Error::compute(format!("{}: reading its trends rows", context())),
                    )?;
                    draw(spec, &plotted, &facts, alpha, run, &files)
                }
            }
        })
        .collect();
    let mut warnings = Vec::new();
    for ((set, _, spec), without_data) in jobs.iter().zip(drawn_figures) {
        let without_data = without_data?;
        // Said once, for the first language.
        if set.language == first && !without_data.is_empty() {
            let warning = format!(
                "figure {}: no data in its window for {}; drawn as \"No data\"",
                spec.slug,
                without_data.join(", ")
            );
            tracing::warn!("{warning}");
            warnings.push(warning);
        }
    }
    Ok(warnings)
}

/// Where the figures of one language go: `dir/figures/`, named for `language` in a run
/// whose first language is `first`; their sidecars carry `run_id`.
struct Files<'a> {
    dir: &'a Path,
    language: Language,
    first: Language,
    run_id: &'a str,
}

impl Files<'_> {
    fn path(&self, slug: &str, file: FigureFile) -> PathBuf {
        self.dir.join(file.path_in(slug, self.language, self.first))
    }

    /// The CSV of plotted points is written once, with the first language's figures.
    fn writes_csv(&self) -> bool {
        self.language == self.first
    }

    fn names(&self, slug: &str) -> [String; 3] {
        [FigureFile::Png, FigureFile::Svg, FigureFile::Csv]
            .map(|f| f.file_name_in(slug, self.language, self.first))
    }
}

/// Renders one figure and writes its files; returns the labels of its series without
/// data.
fn draw(
    spec: &FigureSpec,
    plotted: &[Plotted],
    facts: &[Option<TrendFacts>],
    alpha: f64,
    run: &RunFacts,
    files: &Files,
) -> Result<Vec<String>> {
    let composed = compose(spec, plotted, facts, alpha, run)?;
    let path = |file: FigureFile| files.path(&spec.slug, file);
    let info = render(
        &composed.chart,
        &path(FigureFile::Png),
        &path(FigureFile::Svg),
    )
    .map_err(|e| Error::writing(&path(FigureFile::Png), e))?;
    if files.writes_csv() {
        write_text(
            &path(FigureFile::Csv),
            &points_csv(&info, plotted, composed.unit),
        )?;
    }
    let sidecar = FigureSidecar {
        slug: spec.slug.clone(),
        kind: kind_name(composed.chart.kind, run.texts()),
        title: spec.title.clone(),
        subtitle: composed.subtitle,
        source: composed.source.clone(),
        notes: composed.notes,
        alt_text: composed.alt_text,
        caption: spec.caption.clone(),
        size: SizeInfo {
            preset: spec.size.name().to_string(),
            width_px: info.width,
            height_px: info.height,
            dpi: info.dpi,
        },
        run_id: files.run_id.to_string(),
        y_unit: info.y_unit,
        series: composed
            .chart
            .series
            .iter()
            .map(|s| s.name.clone())
            .collect(),
        files: files.names(&spec.slug),
    };
    write_sidecar(&sidecar, &path(FigureFile::Json))?;
    Ok(composed.without_data)
}

/// Writes a figure's JSON sidecar.
fn write_sidecar(sidecar: &FigureSidecar, path: &Path) -> Result<()> {
    let json = serde_json::to_string_pretty(sidecar).map_err(|e| Error::writing(path, e))?;
    write_text(path, &(json + "\n"))
}

/// Renders one map and writes its four files; returns its countries without data.
fn draw_map(
    spec: &FigureSpec,
    map: &MapSpec,
    plotted: &[Plotted],
    run: &RunFacts,
    boundaries: &Boundaries,
    files: &Files,
) -> Result<Vec<String>> {
    let composed = compose_map(spec, map, plotted, run);
    let path = |file: FigureFile| files.path(&spec.slug, file);
    let chart = &composed.chart;
    let info = render_map(
        chart,
        boundaries,
        &path(FigureFile::Png),
        &path(FigureFile::Svg),
    )
    .map_err(|e| Error::writing(&path(FigureFile::Png), format!("figure {}: {e}", spec.slug)))?;
    if files.writes_csv() {
        write_text(
            &path(FigureFile::Csv),
            &map_csv(&info, chart, map, run.texts()),
        )?;
    }
    let sidecar = FigureSidecar {
        slug: spec.slug.clone(),
        // The report finds maps by this code (charts name their kind in words).
        kind: "map".to_string(),
        title: spec.title.clone(),
        subtitle: chart.subtitle.clone(),
        source: chart.source.clone(),
        notes: chart.notes.clone(),
        alt_text: chart.alt_text.clone(),
        caption: spec.caption.clone(),
        size: SizeInfo {
            preset: spec.size.name().to_string(),
            width_px: info.width,
            height_px: info.height,
            dpi: info.dpi,
        },
        run_id: files.run_id.to_string(),
        y_unit: info.unit.clone(),
        series: spec.series.iter().map(|s| s.label.clone()).collect(),
        files: files.names(&spec.slug),
    };
    write_sidecar(&sidecar, &path(FigureFile::Json))?;
    let mut names: Vec<String> = Vec::new();
    for (iso3, _) in &composed.without_data {
        let name = map.names.get(iso3).cloned().unwrap_or_else(|| iso3.clone());
        if !names.contains(&name) {
            names.push(name);
        }
    }
    Ok(names)
}

/// Every period of the run's figure series (the time axis of a figure without data), the
/// names in `language` of the places of its trends table, and `sources`.
fn run_facts(
    drawn: &DataFrame,
    trends: &DataFrame,
    sources: &SourceLines,
    language: Language,
    reference: &Reference,
) -> PolarsResult<RunFacts> {
    let mut periods: Vec<Period> = texts(drawn, "period")?
        .iter()
        .flatten()
        .filter_map(|p| Period::parse(p).ok())
        .collect();
    periods.sort_by(|a, b| a.x().total_cmp(&b.x()));
    periods.dedup();
    // The trends table names its places in the first language; every language's names
    // come from the reference tables, the table's own where they have none (a share's id).
    let geo_names = texts(trends, "geo")?
        .into_iter()
        .zip(texts(trends, "geo_name")?)
        .filter_map(|(code, name)| {
            let code = code?;
            let own = reference.geo_name_in(&code, language);
            let name = if own.is_empty() { name? } else { own };
            Some((code, name))
        })
        .collect();
    Ok(RunFacts {
        language,
        periods,
        geo_names,
        sources: sources.clone(),
    })
}

/// The rows of `frame` whose text columns equal `key` (null where the key has `None`).
fn of_key(frame: &DataFrame, key: &SeriesKey) -> PolarsResult<DataFrame> {
    let eq = |column: &str, value: Option<&str>| match value {
        Some(v) => col(column).eq(lit(v.to_string())),
        None => col(column).is_null(),
    };
    frame
        .clone()
        .lazy()
        .filter(
            eq("indicator", Some(&key.indicator))
                .and(eq("geo", Some(&key.geo)))
                .and(eq("drug", key.drug.as_deref()))
                .and(eq("dimension", key.dimension.as_deref()))
                .and(eq("category", key.category.as_deref()))
                .and(eq("freq", Some(key.freq.code())))
                .and(eq("unit", Some(key.unit.code()))),
        )
        .collect()
}

/// Each declared series of the figure as analyze computed it, with its key.
fn plotted_series(drawn: &DataFrame, spec: &FigureSpec) -> PolarsResult<Vec<Plotted>> {
    let rows = drawn
        .clone()
        .lazy()
        .filter(col("figure").eq(lit(spec.slug.clone())))
        .collect()?;
    let index: Vec<Option<u32>> = rows.column("series")?.u32()?.iter().collect();
    let (source, period, missing) = (
        texts(&rows, "source")?,
        texts(&rows, "period")?,
        texts(&rows, "missing_members")?,
    );
    let value = floats(&rows, "value")?;
    let (reporting, total) = (
        ints(&rows, "members_reporting")?,
        ints(&rows, "members_total")?,
    );
    let files = texts(&rows, "source_files")?;
    let key_columns = SERIES_COLUMNS.map(|c| texts(&rows, c));
    let [indicator, geo, drug, dimension, category, freq, unit] = key_columns;
    let (indicator, geo, drug, dimension, category, freq, unit) =
        (indicator?, geo?, drug?, dimension?, category?, freq?, unit?);
    let mut out = vec![Plotted::default(); spec.series.len()];
    for r in 0..rows.height() {
        let Some(plotted) = index[r].and_then(|i| out.get_mut(i as usize)) else {
            continue;
        };
        let (Some(p), Some(v)) = (period[r].as_deref().map(Period::parse), value[r]) else {
            continue;
        };
        let p = p.map_err(|e| polars_err!(ComputeError: "{e}"))?;
        plotted.points.push((p, v));
        if plotted.source_files.is_empty() {
            plotted.source_files = files[r]
                .as_deref()
                .unwrap_or("")
                .split(';')
                .filter(|f| !f.is_empty())
                .map(str::to_string)
                .collect();
        }
        let count = |n: Option<i64>| n.and_then(|n| u32::try_from(n).ok());
        plotted
            .coverage
            .push(count(reporting[r]).zip(count(total[r])));
        plotted.missing.push(
            missing[r]
                .as_deref()
                .unwrap_or("")
                .split_whitespace()
                .map(str::to_string)
                .collect(),
        );
        if plotted.key.is_none() {
            plotted.kind = source[r].as_deref().and_then(SourceKind::from_code);
            plotted.key = Some(SeriesKey {
                indicator: indicator[r].clone().unwrap_or_default(),
                geo: geo[r].clone().unwrap_or_default(),
                drug: drug[r].clone(),
                dimension: dimension[r].clone(),
                category: category[r].clone(),
                freq: code(freq[r].as_deref(), Freq::from_code, "freq")?,
                unit: code(unit[r].as_deref(), Unit::from_code, "unit")?,
            });
        }
    }
    Ok(out)
}

/// The trends table's row of every series whose statistics the figure shows, over the
/// figure's window (the row analyze made sure exists). `hamed_rao`: the pipeline labels
/// trends by the Hamed-Rao test (else by plain MK).
fn trend_facts(
    trends: &DataFrame,
    spec: &FigureSpec,
    plotted: &[Plotted],
    hamed_rao: bool,
) -> PolarsResult<Vec<Option<TrendFacts>>> {
    let mut facts = vec![None; plotted.len()];
    for i in spec.stats_series() {
        let Some((p, Some(key))) = plotted.get(i).map(|p| (p, p.key.as_ref())) else {
            continue;
        };
        let periods: Vec<Period> = p.points.iter().map(|(p, _)| *p).collect();
        let (start, end) = spec.window.bounds(&periods);
        let rows = of_key(trends, key)?
            .lazy()
            .filter(
                col("window_start")
                    .eq(lit(start.unwrap_or_default()))
                    .and(col("window_end").eq(lit(end.unwrap_or_default()))),
            )
            .collect()?;
        if rows.height() == 0 {
            continue;
        }
        let one = |name: &str| -> PolarsResult<Option<f64>> { Ok(floats(&rows, name)?[0]) };
        let text =
            |name: &str| -> PolarsResult<Option<String>> { Ok(texts(&rows, name)?.swap_remove(0)) };
        facts[i] = Some(TrendFacts {
            n: ints(&rows, "n")?[0]
                .and_then(|n| u32::try_from(n).ok())
                .unwrap_or(0),
            trend: text("trend")?,
            test: if hamed_rao {
                "test-hamed-rao"
            } else {
                "test-mk"
            },
            p: one(if hamed_rao { "mk_hr_p" } else { "mk_p" })?,
            sen_slope: one("sen_slope")?,
            sen_lo: one("sen_lo")?,
            sen_hi: one("sen_hi")?,
            sen_intercept: one("sen_intercept")?,
            pettitt_p: one("pettitt_p")?,
            pettitt_period: text("pettitt_period")?,
        });
    }
    Ok(facts)
}
