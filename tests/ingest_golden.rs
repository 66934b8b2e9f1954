//! What ingest makes of every file of the test corpus, fixed in one snapshot
//! (tests/snapshots/ingest_corpus.txt): each file's summary and warnings, every reject and
//! superseded row with its reason, in order, and a digest of the observations. Taken before
//! the table readers were made columnar (issue 20), it holds them to the same rows, the same
//! reasons and the same order. Refresh with `UPDATE_SNAPSHOTS=1 cargo test --test tests
//! ingest_golden::` only for an intended change, and review the diff.
//!
//! The corpus: the fixtures of tests/data/ and tests/data/bad/, the committed fuzz seeds of
//! the three table targets (fuzz/corpus/), and the two real public files, alone and merged.

use std::path::{Path, PathBuf};

use routetrend::analysis::series::Window;
use routetrend::ingest::mapping::Mapping;
use routetrend::ingest::merge::Merge;
use routetrend::ingest::{ingest_bytes, ingest_files, IngestOptions, Ingested, InputFile};
use routetrend::model::unit::Decimal;
use routetrend::model::Reference;
use sha2::{Digest, Sha256};

use crate::common::root;

fn arq_mapping() -> Mapping {
    let text = std::fs::read_to_string(root().join("data/mappings/arq_seizures.toml")).unwrap();
    Mapping::parse(&text, "arq_seizures.toml").unwrap()
}

fn input(path: &Path, options: IngestOptions) -> InputFile {
    let name = path
        .strip_prefix(root())
        .unwrap_or(path)
        .display()
        .to_string();
    InputFile {
        id: path.file_stem().unwrap().to_string_lossy().into_owned(),
        name,
        path: path.to_path_buf(),
        options,
    }
}

fn files_in(dir: &str, extensions: &[&str]) -> Vec<PathBuf> {
    let mut files: Vec<PathBuf> = std::fs::read_dir(root().join(dir))
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| {
            p.is_file()
                && (extensions.is_empty()
                    || p.extension()
                        .is_some_and(|e| extensions.contains(&e.to_str().unwrap_or(""))))
        })
        .collect();
    files.sort();
    files
}

/// The corpus as (label, inputs, merge rule); fuzz seeds are read as bytes.
fn render_all(reference: &Reference) -> String {
    let mut out = String::new();
    let table = ["csv", "xlsx"];
    for path in files_in("tests/data", &table)
        .into_iter()
        .chain(files_in("tests/data/bad", &table))
    {
        if path.ends_with("expected.csv") || path.ends_with("records_small.csv") {
            continue; // the bad corpus's expectations; records have their own reader
        }
        let mut options = IngestOptions::default();
        let name = path.file_name().unwrap().to_string_lossy();
        if name.starts_with("semicolon_decimal_comma") {
            options.decimal = Decimal::Comma;
        }
        if name.starts_with("wide") {
            options.indicator = Some("seizures".into());
        }
        let inputs = [input(&path, options)];
        render(
            &mut out,
            &name,
            ingest_files(&inputs, reference, &Merge::default()),
        );
    }
    for (target, file, mapping) in [
        ("ingest_csv", "fuzz.csv", None),
        ("ingest_mapped_csv", "fuzz.csv", Some(arq_mapping())),
        ("ingest_xlsx", "fuzz.xlsx", None),
    ] {
        for seed in files_in(&format!("fuzz/corpus/{target}"), &[]) {
            let options = IngestOptions {
                mapping: mapping.clone(),
                ..IngestOptions::default()
            };
            let input = InputFile {
                id: "input".into(),
                name: file.into(),
                path: file.into(),
                options,
            };
            let bytes = std::fs::read(&seed).unwrap();
            let label = format!("{target}/{}", seed.file_name().unwrap().to_string_lossy());
            render(
                &mut out,
                &label,
                ingest_bytes(&[(&input, &bytes)], reference, &Merge::default()),
            );
        }
    }
    let arq = || {
        input(
            &root().join("tests/data/public/arq_seizures_1970_2020.csv"),
            IngestOptions {
                mapping: Some(arq_mapping()),
                ..IngestOptions::default()
            },
        )
    };
    let unodc = || {
        input(
            &root().join("tests/data/public/unodc_drug_seizures_2018_2022.xlsx"),
            IngestOptions::default(),
        )
    };
    render(
        &mut out,
        "public ARQ",
        ingest_files(&[arq()], reference, &Merge::default()),
    );
    render(
        &mut out,
        "public UNODC",
        ingest_files(&[unodc()], reference, &Merge::default()),
    );
    let mut early = arq();
    early.options.periods = Window::parse("-2019").unwrap();
    let mut late = unodc();
    late.options.periods = Window::parse("2018-").unwrap();
    let merge = Merge {
        prefer: vec![late.id.clone(), early.id.clone()],
        ..Merge::default()
    };
    render(
        &mut out,
        "public UNODC over ARQ",
        ingest_files(&[early.clone(), late.clone()], reference, &merge),
    );
    render(
        &mut out,
        "public ARQ and UNODC, no prefer",
        ingest_files(&[early, late], reference, &Merge::default()),
    );
    out
}

/// A line as it is, or (beyond 400 bytes: the error naming 100,000 header cells) its start
/// and a digest of the whole.
fn line(text: String) -> String {
    if text.len() <= 400 {
        return text;
    }
    let cut = (0..=300)
        .rev()
        .find(|&i| text.is_char_boundary(i))
        .unwrap_or(0);
    format!(
        "{}... ({} bytes, sha256 {})",
        &text[..cut],
        text.len(),
        digest(&[&text])
    )
}

fn digest(lines: &[&str]) -> String {
    let mut hasher = Sha256::new();
    for line in lines {
        hasher.update(line.as_bytes());
        hasher.update(b"\n");
    }
    hasher
        .finalize()
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

fn render(out: &mut String, label: &str, result: Result<Ingested, routetrend::error::Error>) {
    let mut lines = Vec::new();
    render_lines(&mut lines, label, result);
    for text in lines {
        out.push_str(&line(text));
        out.push('\n');
    }
}

fn render_lines(
    out: &mut Vec<String>,
    label: &str,
    result: Result<Ingested, routetrend::error::Error>,
) {
    out.push(format!("== {label}"));
    let ingested = match result {
        Ok(ingested) => ingested,
        Err(e) => {
            out.push(format!("error: {e}"));
            return;
        }
    };
    for f in &ingested.files {
        out.push(format!("file {} sheet {:?} format {} sha256 {} records {} kept {} rejected {} exact_duplicates {} missing {} superseded {} outside_periods {} line_items_summed {} observations {}",
            f.file, f.sheet, f.format, f.sha256, f.records, f.kept, f.rejected, f.exact_duplicates,
            f.missing, f.superseded, f.outside_periods, f.line_items_summed, f.observations
        ));
        for w in &f.warnings {
            out.push(format!("warning {w}"));
        }
    }
    for r in &ingested.rejects {
        out.push(format!(
            "reject {} {:?} row {} column {:?} value {:?} missing {}: {}",
            r.file, r.sheet, r.row, r.column, r.value, r.missing, r.reason
        ));
    }
    // Superseded rows (3,258 in the public merge) in order: their digest and the first ten.
    let superseded: Vec<String> = ingested
        .superseded
        .iter()
        .map(|s| {
            format!(
                "superseded {} {:?} row {} key {:?} value {:?} kept {:?} from {:?}: {}",
                s.file, s.sheet, s.row, s.key, s.value, s.kept_value, s.kept_source, s.why
            )
        })
        .collect();
    let refs: Vec<&str> = superseded.iter().map(String::as_str).collect();
    out.push(format!(
        "superseded {} sha256 {}",
        superseded.len(),
        digest(&refs)
    ));
    out.extend(superseded.into_iter().take(10));
    let mut lines: Vec<String> = ingested
        .observations()
        .map(|o| {
            format!(
                "{}|{}|{:?}|{:?}|{:?}|{}|{:?}|{}|{}|{}|{}|{}",
                o.indicator,
                o.geo,
                o.drug,
                o.dimension,
                o.category,
                o.period,
                o.value,
                o.unit.code(),
                o.source,
                o.source_file,
                o.source_row,
                o.source_rows
            )
        })
        .collect();
    lines.sort();
    let refs: Vec<&str> = lines.iter().map(String::as_str).collect();
    out.push(format!(
        "observations {} sha256 {}",
        lines.len(),
        digest(&refs)
    ));
    // A few in full, so that a changed digest can be read.
    for line in lines.iter().take(3) {
        out.push(format!("observation {line}"));
    }
}

#[test]
fn every_corpus_file_gives_todays_rejects_summaries_and_observations() {
    let reference = Reference::load(None).unwrap();
    let got = render_all(&reference);
    let path = root().join("tests/snapshots/ingest_corpus.txt");
    if std::env::var_os("UPDATE_SNAPSHOTS").is_some() {
        std::fs::write(&path, &got).unwrap();
        return;
    }
    let want = std::fs::read_to_string(&path).unwrap_or_else(|_| {
        panic!(
            "no snapshot {}; run with UPDATE_SNAPSHOTS=1",
            path.display()
        )
    });
    if got == want {
        return;
    }
    let (got_lines, want_lines): (Vec<&str>, Vec<&str>) =
        (got.lines().collect(), want.lines().collect());
    let at = got_lines
        .iter()
        .zip(&want_lines)
        .position(|(g, w)| g != w)
        .unwrap_or(got_lines.len().min(want_lines.len()));
    panic!(
        "ingest differs from tests/snapshots/ingest_corpus.txt at line {}:\n got: {}\nwant: {}\n({} lines against {}; refresh with UPDATE_SNAPSHOTS=1 only if the change is intended)",
        at + 1,
        got_lines.get(at).unwrap_or(&"(end)"),
        want_lines.get(at).unwrap_or(&"(end)"),
        got_lines.len(),
        want_lines.len()
    );
}
