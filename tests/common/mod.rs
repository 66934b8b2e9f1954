//! Test support: run the real `routetrend` binary in a temporary folder and show command,
//! stdout and stderr when something fails (after xsv's `tests/workdir.rs`).
#![allow(dead_code)]

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

/// The project's root folder (where Cargo.toml is).
pub fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// A fixture of tests/data/.
pub fn fixture(name: &str) -> PathBuf {
    root().join("tests/data").join(name)
}

/// A real public file, committed under tests/data/public/ (origin in its README.md).
pub fn public_file(name: &str) -> PathBuf {
    let path = root().join("tests/data/public").join(name);
    assert!(
        path.is_file(),
        "missing public test file {}",
        path.display()
    );
    path
}

/// A temporary working folder; the binary runs inside it.
pub struct Workdir {
    pub dir: tempfile::TempDir,
}

/// The result of one run, printable on failure.
pub struct Run {
    pub command: String,
    pub output: Output,
}

impl Run {
    pub fn code(&self) -> i32 {
        self.output.status.code().unwrap_or(-1)
    }
    pub fn stdout(&self) -> String {
        String::from_utf8_lossy(&self.output.stdout).into_owned()
    }
    pub fn stderr(&self) -> String {
        String::from_utf8_lossy(&self.output.stderr).into_owned()
    }
    /// Asserts the exit code, printing everything when it differs.
    pub fn expect_code(&self, code: i32) -> &Self {
        assert_eq!(self.code(), code, "{self}");
        self
    }
    pub fn json(&self) -> serde_json::Value {
        serde_json::from_str(&self.stdout())
            .unwrap_or_else(|e| panic!("stdout is not JSON ({e}): {self}"))
    }
}

impl std::fmt::Display for Run {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "\n$ {}\nexit: {:?}\n--- stdout\n{}\n--- stderr\n{}",
            self.command,
            self.output.status.code(),
            self.stdout(),
            self.stderr()
        )
    }
}

impl Workdir {
    pub fn new() -> Workdir {
        Workdir {
            dir: tempfile::tempdir().expect("temp dir"),
        }
    }

    pub fn path(&self, name: &str) -> PathBuf {
        self.dir.path().join(name)
    }

    /// Writes a file into the folder.
    pub fn write(&self, name: &str, bytes: impl AsRef<[u8]>) -> PathBuf {
        let path = self.path(name);
        if let Some(parent) = path.parent() {
            std::fs::create_dir_all(parent).unwrap();
        }
        std::fs::write(&path, bytes).unwrap();
        path
    }

    /// Copies a folder of the project (e.g. `data`, `pipelines`) into the work folder.
    pub fn copy_from_root(&self, name: &str) {
        copy_dir(&root().join(name), &self.path(name));
    }

    pub fn run<S: AsRef<std::ffi::OsStr>>(&self, args: &[S]) -> Run {
        let mut cmd = Command::new(env!("CARGO_BIN_EXE_routetrend"));
        cmd.args(args).current_dir(self.dir.path());
        let command = format!(
            "routetrend {}",
            args.iter()
                .map(|a| a.as_ref().to_string_lossy().into_owned())
                .collect::<Vec<_>>()
                .join(" ")
        );
        let output = cmd.output().expect("run routetrend");
        Run { command, output }
    }

    pub fn read(&self, name: &str) -> String {
        std::fs::read_to_string(self.path(name)).unwrap_or_else(|e| panic!("read {name}: {e}"))
    }

    pub fn bytes(&self, name: &str) -> Vec<u8> {
        std::fs::read(self.path(name)).unwrap_or_else(|e| panic!("read {name}: {e}"))
    }
}

fn copy_dir(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).unwrap();
    for entry in std::fs::read_dir(from).unwrap() {
        let entry = entry.unwrap();
        let target = to.join(entry.file_name());
        if entry.file_type().unwrap().is_dir() {
            copy_dir(&entry.path(), &target);
        } else {
            std::fs::copy(entry.path(), target).unwrap();
        }
    }
}

/// Reads a rejects.csv into (row, column, value, reason) tuples.
pub fn rejects(text: &str) -> Vec<(u32, String, String, String)> {
    let mut reader = csv::Reader::from_reader(text.as_bytes());
    reader
        .records()
        .map(|r| {
            let r = r.unwrap();
            (
                r[2].parse().unwrap(),
                r[3].to_string(),
                r[4].to_string(),
                r[5].to_string(),
            )
        })
        .collect()
}

/// Every input's rows add up, for each entry of an ingest `--json` summary's `files` or a
/// manifest's `inputs`: records = kept + rejected + exact_duplicates + missing +
/// superseded + outside_periods.
pub fn assert_accounted(files: &serde_json::Value) {
    for f in files.as_array().expect("a list of files") {
        let n = |k: &str| f[k].as_u64().unwrap_or_else(|| panic!("no count {k}: {f}"));
        assert_eq!(
            n("records"),
            n("kept")
                + n("rejected")
                + n("exact_duplicates")
                + n("missing")
                + n("superseded")
                + n("outside_periods"),
            "{f}"
        );
    }
}

/// The slugs of the figures in `dir` of the first language (`<slug>.json`; a further
/// language's sidecar is `<slug>.ru.json`), sorted.
pub fn figure_slugs(w: &Workdir, dir: &str) -> Vec<String> {
    let mut slugs: Vec<String> = std::fs::read_dir(w.path(dir))
        .unwrap()
        .filter_map(|e| {
            e.ok()?
                .file_name()
                .to_str()?
                .strip_suffix(".json")
                .map(str::to_string)
        })
        .filter(|slug| !slug.contains('.'))
        .collect();
    slugs.sort();
    slugs
}

/// The drawn text of an SVG: its `<text>` elements' contents, trimmed (not its title and
/// description).
pub fn svg_texts(svg: &str) -> Vec<String> {
    svg.split("<text")
        .skip(1)
        .filter_map(|t| {
            t.split_once('>')
                .map(|(_, rest)| rest.split('<').next().unwrap_or("").trim().to_string())
        })
        .collect()
}

/// Every file under `dir` (recursively, hidden ones included) with its bytes.
pub fn snapshot(dir: &Path) -> BTreeMap<String, Vec<u8>> {
    let mut files = BTreeMap::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        let Ok(entries) = std::fs::read_dir(&d) else {
            continue;
        };
        for entry in entries {
            let p = entry.unwrap().path();
            let name = p.strip_prefix(dir).unwrap().display().to_string();
            if p.is_symlink() {
                files.insert(name, b"(symlink)".to_vec());
            } else if p.is_dir() {
                stack.push(p);
            } else {
                files.insert(name, std::fs::read(&p).unwrap());
            }
        }
    }
    files
}

/// The staging folders beside `out/NAME`.
pub fn staging_folders(w: &Workdir, name: &str) -> Vec<String> {
    std::fs::read_dir(w.path("out"))
        .map(|entries| {
            entries
                .filter_map(|e| e.ok())
                .map(|e| e.file_name().to_string_lossy().into_owned())
                .filter(|n| n.starts_with(&format!(".{name}.staging")))
                .collect()
        })
        .unwrap_or_default()
}
