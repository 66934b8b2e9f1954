//! Where every output of a run lives, relative to the run's folder: the observation table
//! and its rejects, each analysis table, each figure's files, the report and the manifest.
//! Each name is written here once; stages, the runner, `status`, `diff` and the stand-alone
//! commands ask the catalog, so a file is found where it was written.
//!
//! Not here: what goes into the files (the stages) or how they are written (`crate::files`).

use std::path::{Path, PathBuf};

use crate::i18n::Language;

/// The run's manifest (`manifest.json`), written last.
pub const MANIFEST: &str = "manifest.json";
/// The report as Markdown.
pub const REPORT_MD: &str = "report.md";
/// The report as one self-contained HTML file.
pub const REPORT_HTML: &str = "report.html";
/// The report as a Word document (when pandoc is installed).
pub const REPORT_DOCX: &str = "report.docx";
/// The analysis tables as one workbook, a sheet each.
pub const TABLES_XLSX: &str = "tables.xlsx";

const DATA: &str = "data";
const TABLES: &str = "tables";
const FIGURES: &str = "figures";

/// The files of ingest: in a run's `data/` folder, or flat in the folder given to
/// `routetrend ingest --out DIR`.
#[derive(Clone, Debug)]
pub struct IngestFiles {
    pub observations: PathBuf,
    pub rejects: PathBuf,
    /// Rows whose key kept another row's value (`[merge]`, `conflict = "last"`).
    pub superseded: PathBuf,
    /// The optional Hive-partitioned copy (`--partitioned`), a folder.
    pub dataset: PathBuf,
}

impl IngestFiles {
    pub fn in_folder(dir: &Path) -> IngestFiles {
        IngestFiles {
            observations: dir.join("observations.parquet"),
            rejects: dir.join("rejects.csv"),
            superseded: dir.join("superseded.csv"),
            dataset: dir.join("observations"),
        }
    }

    pub fn in_run(run: &Path) -> IngestFiles {
        IngestFiles::in_folder(&run.join(DATA))
    }
}

/// The observation table named by `path`: the file itself, or the one in a run folder
/// (`data/observations.parquet`) or an ingest folder (`observations.parquet`).
pub fn observation_table(path: &Path) -> PathBuf {
    if !path.is_dir() {
        return path.to_path_buf();
    }
    let run = IngestFiles::in_run(path).observations;
    if run.is_file() {
        run
    } else {
        IngestFiles::in_folder(path).observations
    }
}

/// The observation table of a run, relative to the run folder.
pub fn observations() -> String {
    relative(&IngestFiles::in_run(Path::new("")).observations)
}

/// The rejects of a run, relative to the run folder.
pub fn rejects() -> String {
    relative(&IngestFiles::in_run(Path::new("")).rejects)
}

/// The superseded rows of a run, relative to the run folder.
pub fn superseded() -> String {
    relative(&IngestFiles::in_run(Path::new("")).superseded)
}

fn relative(path: &Path) -> String {
    path.to_string_lossy().replace('\\', "/")
}

/// The analysis tables, each written as CSV, Parquet and Markdown.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Table {
    Trends,
    RegionalTrends,
    Parallel,
    Aggregates,
    Shares,
    ShareSeries,
    Route,
    RouteCcf,
    Claims,
}

/// The formats of every analysis table.
pub const TABLE_FORMATS: [&str; 3] = ["csv", "parquet", "md"];

impl Table {
    pub const ALL: [Table; 9] = [
        Table::Trends,
        Table::RegionalTrends,
        Table::Parallel,
        Table::Aggregates,
        Table::Shares,
        Table::ShareSeries,
        Table::Route,
        Table::RouteCcf,
        Table::Claims,
    ];

    /// The table's name: its file stem and its `routetrend.table` metadata.
    pub fn name(self) -> &'static str {
        match self {
            Table::Trends => "trends",
            Table::RegionalTrends => "regional_trends",
            Table::Parallel => "parallel",
            Table::Aggregates => "aggregates",
            Table::Shares => "shares",
            Table::ShareSeries => "share_series",
            Table::Route => "route",
            Table::RouteCcf => "route_ccf",
            Table::Claims => "claims",
        }
    }

    /// The title above the Markdown table.
    pub fn title(self) -> &'static str {
        match self {
            Table::Trends => "Trends by series and window",
            Table::RegionalTrends => "Regional Kendall tests by aggregate and window",
            Table::Parallel => "Parallelism of joinpoint trends",
            Table::Aggregates => "Aggregates with coverage",
            Table::Shares => "Share changes",
            Table::ShareSeries => "Share series",
            Table::Route => "Route indicators",
            Table::RouteCcf => "Transit-destination cross-correlation (first differences)",
            Table::Claims => "Claims checked against the data",
        }
    }

    /// `<name>.<format>` in a folder of tables (`routetrend analyze --out DIR`).
    pub fn file_name(self, format: &str) -> String {
        format!("{}.{format}", self.name())
    }

    /// The table's file in a run, relative to the run folder: `tables/<name>.<format>`.
    pub fn path(self, format: &str) -> String {
        format!("{TABLES}/{}", self.file_name(format))
    }

    /// The table as Parquet in a run (what later stages read).
    pub fn parquet(self) -> String {
        self.path("parquet")
    }
}

/// The folder of the tables in a run.
pub fn tables_dir(run: &Path) -> PathBuf {
    run.join(TABLES)
}

/// The series every figure draws, computed by analyze and read by plot: not a table for
/// people (the figures' own CSVs are), so Parquet only.
pub const FIGURE_SERIES_FILE: &str = "figure_series.parquet";

/// [`FIGURE_SERIES_FILE`] in a run, relative to the run folder.
pub fn figure_series() -> String {
    format!("{TABLES}/{FIGURE_SERIES_FILE}")
}

/// The files of one figure.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum FigureFile {
    Png,
    Svg,
    /// The plotted points.
    Csv,
    /// The sidecar: caption, alt text, notes, size.
    Json,
}

impl FigureFile {
    pub const ALL: [FigureFile; 4] = [
        FigureFile::Png,
        FigureFile::Svg,
        FigureFile::Csv,
        FigureFile::Json,
    ];

    pub fn extension(self) -> &'static str {
        match self {
            FigureFile::Png => "png",
            FigureFile::Svg => "svg",
            FigureFile::Csv => "csv",
            FigureFile::Json => "json",
        }
    }

    /// `<slug>.<ext>`, as the sidecar names its siblings.
    pub fn file_name(self, slug: &str) -> String {
        format!("{slug}.{}", self.extension())
    }

    /// `figures/<slug>.<ext>`, relative to the run folder.
    pub fn path(self, slug: &str) -> String {
        format!("{FIGURES}/{}", self.file_name(slug))
    }

    /// The file in `language` of a run whose first language is `first`: `<slug>.<ext>`
    /// in the first, `<slug>.<code>.<ext>` in the others. The CSV of plotted points is in
    /// no language: always `<slug>.csv`.
    pub fn file_name_in(self, slug: &str, language: Language, first: Language) -> String {
        match self {
            FigureFile::Csv => self.file_name(slug),
            _ => language.file_name(first, &self.file_name(slug)),
        }
    }

    /// `figures/` and [`FigureFile::file_name_in`].
    pub fn path_in(self, slug: &str, language: Language, first: Language) -> String {
        format!("{FIGURES}/{}", self.file_name_in(slug, language, first))
    }

    /// The files of a figure in `language`: all four in the first language, the chart and
    /// its sidecar in the others.
    pub fn of_language(language: Language, first: Language) -> &'static [FigureFile] {
        if language == first {
            &FigureFile::ALL
        } else {
            &[FigureFile::Png, FigureFile::Svg, FigureFile::Json]
        }
    }
}

/// The folder of the figures in a run.
pub fn figures_dir(run: &Path) -> PathBuf {
    run.join(FIGURES)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_run_keeps_its_files_where_the_readme_says() {
        assert_eq!(observations(), "data/observations.parquet");
        assert_eq!(rejects(), "data/rejects.csv");
        assert_eq!(Table::Claims.path("csv"), "tables/claims.csv");
        assert_eq!(Table::ShareSeries.parquet(), "tables/share_series.parquet");
        assert_eq!(FigureFile::Json.path("a_b"), "figures/a_b.json");
        let (en, ru) = (Language::En, Language::Ru);
        assert_eq!(FigureFile::Png.path_in("a_b", ru, en), "figures/a_b.ru.png");
        assert_eq!(FigureFile::Csv.path_in("a_b", ru, en), "figures/a_b.csv");
        assert_eq!(FigureFile::Svg.path_in("a_b", en, en), "figures/a_b.svg");
        let flat = IngestFiles::in_folder(Path::new("out/arq"));
        assert_eq!(flat.observations, Path::new("out/arq/observations.parquet"));
    }
}
