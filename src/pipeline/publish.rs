//! Atomic publication of an output folder: a run builds its outputs in a staging folder
//! beside the published one (`out/.<name>.staging`), then swaps it in with two renames. A run
//! that dies before the swap leaves the published folder untouched; one that dies between
//! the two renames leaves the previous outputs in `out/.<name>.previous`, restored by the
//! next run before anything else.

use std::io;
use std::path::{Path, PathBuf};

/// `out/.<name>.<suffix>`: the files that sit beside an output folder (staging, previous, lock).
pub fn sibling(output: &Path, suffix: &str) -> PathBuf {
    let name = output
        .file_name()
        .map_or("out".into(), |n| n.to_string_lossy().into_owned());
    output
        .parent()
        .unwrap_or(Path::new("."))
        .join(format!(".{name}.{suffix}"))
}

pub fn staging_path(output: &Path) -> PathBuf {
    sibling(output, "staging")
}

fn previous_path(output: &Path) -> PathBuf {
    sibling(output, "previous")
}

/// Restores a previous publication interrupted between its two renames, and removes a
/// staging folder left by a dead run. Call with the lock held.
pub fn recover(output: &Path) -> io::Result<()> {
    let previous = previous_path(output);
    if previous.exists() {
        if output.exists() {
            std::fs::remove_dir_all(&previous)?;
        } else {
            std::fs::rename(&previous, output)?;
        }
    }
    let staging = staging_path(output);
    if staging.exists() {
        std::fs::remove_dir_all(&staging)?;
    }
    Ok(())
}

/// Creates the staging folder as a copy of the published outputs (stages that are up to
/// date keep theirs). Hard links would be cheaper, but a copy keeps the published files
/// immutable whatever a stage does.
pub fn begin(output: &Path) -> io::Result<PathBuf> {
    let staging = staging_path(output);
    if output.is_dir() {
        copy_dir(output, &staging)?;
    } else {
        std::fs::create_dir_all(&staging)?;
    }
    Ok(staging)
}

/// Swaps the staging folder in: the published folder is always either the old complete set
/// or the new one.
pub fn commit(output: &Path) -> io::Result<()> {
    let staging = staging_path(output);
    let previous = previous_path(output);
    if output.exists() {
        std::fs::rename(output, &previous)?;
    }
    super::test_hook("between-renames");
    std::fs::rename(&staging, output)?;
    if previous.exists() {
        std::fs::remove_dir_all(&previous)?;
    }
    Ok(())
}

/// Drops the staging folder of a failed run.
pub fn abort(output: &Path) {
    let _ = std::fs::remove_dir_all(staging_path(output));
}

fn copy_dir(from: &Path, to: &Path) -> io::Result<()> {
    std::fs::create_dir_all(to)?;
    let mut entries: Vec<_> = std::fs::read_dir(from)?.collect::<Result<_, _>>()?;
    entries.sort_by_key(|e| e.file_name());
    for entry in entries {
        let target = to.join(entry.file_name());
        let kind = entry.file_type()?;
        if kind.is_dir() {
            copy_dir(&entry.path(), &target)?;
        } else if kind.is_file() {
            std::fs::copy(entry.path(), &target)?;
        }
        // symlinks inside an output folder are not ours: not copied
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn publish_swaps_and_recovery_restores_an_interrupted_swap() {
        let dir = tempfile::tempdir().unwrap();
        let out = dir.path().join("run");
        std::fs::create_dir_all(&out).unwrap();
        std::fs::write(out.join("a.txt"), "old").unwrap();
        let staging = begin(&out).unwrap();
        assert_eq!(
            std::fs::read_to_string(staging.join("a.txt")).unwrap(),
            "old"
        );
        std::fs::write(staging.join("a.txt"), "new").unwrap();
        assert_eq!(
            std::fs::read_to_string(out.join("a.txt")).unwrap(),
            "old",
            "published untouched"
        );
        commit(&out).unwrap();
        assert_eq!(std::fs::read_to_string(out.join("a.txt")).unwrap(), "new");
        // Interrupted between the renames: the output is gone, the previous set is aside.
        std::fs::rename(&out, previous_path(&out)).unwrap();
        std::fs::create_dir_all(staging_path(&out)).unwrap();
        recover(&out).unwrap();
        assert_eq!(std::fs::read_to_string(out.join("a.txt")).unwrap(), "new");
        assert!(!staging_path(&out).exists());
    }
}
