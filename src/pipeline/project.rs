//! Where a pipeline may read and write: its project folder, decided by where the pipeline
//! file is and never by a value the file chooses.
//!
//! The project folder is the parent of the file's folder when that folder is `pipelines/`
//! (the layout of DESIGN.md: `pipelines/northern_route.toml` belongs to the folder holding
//! `pipelines/`), and otherwise the current folder. The pipeline's `root`, its inputs,
//! mappings, reference tables and output folder must lie inside it, by their path and after
//! every symbolic link is followed, unless the user passes `--allow-outside`. Each path is
//! checked before anything is read from it, so a refused file's contents never reach a
//! message.
//!
//! The output folder is replaced wholesale by every run, so it must be a folder of the
//! run's own, whatever `--allow-outside` says: not the project or a folder above it, not a
//! folder holding the pipeline file or any input, mapping or reference table, not a
//! symbolic link, and not an existing folder that routetrend did not make (one with files
//! but no `manifest.json`).

use std::ffi::OsStr;
use std::path::{Path, PathBuf};

use super::catalog;
use crate::error::Error;

/// Whether a pipeline may name files outside its project folder (`--allow-outside`).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum Confinement {
    /// Every path inside the project folder (the default).
    #[default]
    Project,
    /// Inputs, mappings, reference tables and the output anywhere.
    AllowOutside,
}

/// The project folder of a pipeline file and the rule that keeps paths inside it.
#[derive(Debug, Clone)]
pub struct Project {
    /// The pipeline file, for messages.
    file: PathBuf,
    /// The project folder, absolute with symbolic links resolved.
    folder: PathBuf,
    confinement: Confinement,
}

fn refused(file: &Path, key: &str, message: String) -> Error {
    Error::Config {
        file: file.display().to_string(),
        key: key.into(),
        message,
    }
}

impl Project {
    /// The project of the pipeline file `file`.
    pub fn of(file: &Path, confinement: Confinement) -> Project {
        let folder = file.parent().unwrap_or(Path::new(""));
        let folder = if folder.file_name() == Some(OsStr::new("pipelines")) {
            folder.parent().unwrap_or(Path::new("")).to_path_buf()
        } else {
            PathBuf::from(".")
        };
        Project {
            file: file.to_path_buf(),
            folder: resolved(&folder),
            confinement,
        }
    }

    pub fn folder(&self) -> &Path {
        &self.folder
    }

    /// Refuses `path` (the value of `key`) when it lies outside the project folder, by its
    /// path or through a symbolic link, unless outside paths are allowed.
    pub fn check(&self, key: &str, path: &Path) -> Result<(), Error> {
        let real = resolved(path);
        if self.confinement == Confinement::Project && !real.starts_with(&self.folder) {
            return Err(refused(
                &self.file,
                key,
                format!(
                    "'{}' is outside the project folder {} (it resolves to {}); the project \
                     folder is the one holding pipelines/ (or the current folder for a \
                     pipeline file elsewhere); pass --allow-outside to allow it",
                    path.display(),
                    self.folder.display(),
                    real.display()
                ),
            ));
        }
        Ok(())
    }

    /// Refuses an output folder that is not a folder of the run's own (module docs);
    /// `inputs` are every file the pipeline reads, by key.
    pub fn check_output(&self, output: &Path, inputs: &[(String, PathBuf)]) -> Result<(), Error> {
        self.check("output", output)?;
        let fail = |message: String| Err(refused(&self.file, "output", message));
        let shown = output.display();
        if std::fs::symlink_metadata(output).is_ok_and(|m| m.file_type().is_symlink()) {
            return fail(format!(
                "'{shown}' is a symbolic link; the output must be a folder of its own"
            ));
        }
        let real = resolved(output);
        if self.folder.starts_with(&real) {
            return fail(format!(
                "'{shown}' is the project folder or a folder above it ({}): every run replaces \
                 its output folder; name a new folder such as 'out/NAME'",
                real.display()
            ));
        }
        let pipeline = ("the pipeline file".to_string(), self.file.clone());
        for (key, path) in inputs.iter().chain(std::iter::once(&pipeline)) {
            if resolved(path).starts_with(&real) {
                return fail(format!(
                    "'{shown}' holds {key} ({}): every run replaces its output folder; name a \
                     new folder such as 'out/NAME'",
                    path.display()
                ));
            }
        }
        if real.is_dir()
            && !real.join(catalog::MANIFEST).is_file()
            && std::fs::read_dir(&real).is_ok_and(|mut entries| entries.next().is_some())
        {
            return fail(format!(
                "'{shown}' is a folder with files that routetrend did not make (no {}); every \
                 run replaces its output folder: name a new folder",
                catalog::MANIFEST
            ));
        }
        Ok(())
    }
}

/// The absolute path with every symbolic link of its existing part resolved (the part that
/// does not exist yet, e.g. an output folder, is appended as written, `..` removed).
pub fn resolved(path: &Path) -> PathBuf {
    let absolute =
        std::env::current_dir().map_or_else(|_| path.to_path_buf(), |cwd| cwd.join(path));
    let absolute = lexical_normal(&absolute);
    let mut existing = absolute.as_path();
    let mut rest: Vec<&OsStr> = Vec::new();
    loop {
        if let Ok(real) = existing.canonicalize() {
            return rest.iter().rev().fold(real, |p, c| p.join(c));
        }
        match (existing.parent(), existing.file_name()) {
            (Some(parent), Some(name)) => {
                rest.push(name);
                existing = parent;
            }
            _ => return absolute,
        }
    }
}

/// `a/b/../c` -> `a/c` and `pipelines/..` -> `.`, without touching the file system.
pub fn lexical_normal(path: &Path) -> PathBuf {
    use std::path::Component;
    let mut out: Vec<Component> = Vec::new();
    for c in path.components() {
        match c {
            Component::CurDir => {}
            Component::ParentDir if matches!(out.last(), Some(Component::Normal(_))) => {
                out.pop();
            }
            c => out.push(c),
        }
    }
    if out.is_empty() {
        PathBuf::from(".")
    } else {
        out.iter().collect()
    }
}
