//! Atomic publication of an output folder: a run builds its outputs in a staging folder of
//! its own beside the published one (`out/.<name>.staging-<pid>-<n>`), then swaps it in with
//! two renames. A run that dies before the swap leaves the published folder untouched; one
//! that dies between the two renames leaves the previous outputs in `out/.<name>.previous`,
//! restored by the next run before anything else.
//!
//! A staging folder is removed when its run fails (any error, a full disk included), when
//! the process gets SIGINT, SIGTERM or SIGHUP (then it exits with 128 + the signal), and, for
//! a run killed outright, by the next run under the lock. A `.previous` or staging path that
//! is a symbolic link or a regular file is refused, never followed, copied from or deleted.

use std::io;
use std::path::{Path, PathBuf};
use std::sync::{Mutex, MutexGuard, Once};

use crate::error::{Error, Result};

/// `out/.<name>.<suffix>`: the files that sit beside an output folder (staging, previous, lock).
pub fn sibling(output: &Path, suffix: &str) -> PathBuf {
    output
        .parent()
        .unwrap_or(Path::new("."))
        .join(format!(".{}.{suffix}", folder_name(output)))
}

fn folder_name(output: &Path) -> String {
    output
        .file_name()
        .map_or("out".into(), |n| n.to_string_lossy().into_owned())
}

fn previous_path(output: &Path) -> PathBuf {
    sibling(output, "previous")
}

/// Whether `entry` (a name in the output folder's parent) is a staging folder of `output`.
fn is_staging_of(output: &Path, entry: &str) -> bool {
    entry
        .strip_prefix(&format!(".{}.staging", folder_name(output)))
        .is_some_and(|rest| rest.is_empty() || rest.starts_with('-'))
}

/// The staging folders of live runs, removed by the signal thread. Held while a staging
/// folder is renamed into place, so that the signal thread never deletes a folder that has
/// just been published.
static LIVE: Mutex<Vec<PathBuf>> = Mutex::new(Vec::new());

fn live() -> MutexGuard<'static, Vec<PathBuf>> {
    LIVE.lock().unwrap_or_else(|poisoned| poisoned.into_inner())
}

/// Removes the live staging folders on SIGINT, SIGTERM and SIGHUP, then exits with
/// 128 + the signal. Installed once per process, by the first staging folder.
fn remove_staging_on_signals() {
    static INSTALL: Once = Once::new();
    #[cfg(unix)]
    INSTALL.call_once(|| {
        use signal_hook::consts::{SIGHUP, SIGINT, SIGTERM};
        let Ok(mut signals) = signal_hook::iterator::Signals::new([SIGINT, SIGTERM, SIGHUP]) else {
            return;
        };
        std::thread::spawn(move || {
            if let Some(signal) = signals.forever().next() {
                for path in live().drain(..) {
                    let _ = std::fs::remove_dir_all(path);
                }
                std::process::exit(128 + signal);
            }
        });
    });
}

/// Refuses `path` when it exists as anything but a real folder.
fn refuse_unless_folder(path: &Path) -> Result<()> {
    match std::fs::symlink_metadata(path) {
        Ok(meta) if !meta.file_type().is_dir() => Err(Error::Usage(format!(
            "{}: expected a folder routetrend made, found a {}; remove it by hand",
            path.display(),
            if meta.file_type().is_symlink() {
                "symbolic link (not followed)"
            } else {
                "file"
            }
        ))),
        _ => Ok(()),
    }
}

/// Restores a previous publication interrupted between its two renames, and removes the
/// staging folders left by dead runs. Call with the lock held.
pub fn recover(output: &Path) -> Result<()> {
    let previous = previous_path(output);
    refuse_unless_folder(&previous)?;
    refuse_unless_folder(output)?;
    let failed = |e| Error::writing(output, e).context("recovering");
    if previous.exists() {
        if output.exists() {
            std::fs::remove_dir_all(&previous).map_err(failed)?;
        } else {
            std::fs::rename(&previous, output).map_err(failed)?;
        }
    }
    let parent = output.parent().unwrap_or(Path::new("."));
    let Ok(entries) = std::fs::read_dir(parent) else {
        return Ok(());
    };
    let mut stale: Vec<PathBuf> = entries
        .filter_map(|e| e.ok())
        .filter(|e| is_staging_of(output, &e.file_name().to_string_lossy()))
        .map(|e| e.path())
        .collect();
    stale.sort();
    for path in stale {
        refuse_unless_folder(&path)?;
        std::fs::remove_dir_all(&path).map_err(failed)?;
    }
    Ok(())
}

/// This run's staging folder, removed when dropped unless it was committed.
#[derive(Debug)]
pub struct Staging {
    output: PathBuf,
    path: PathBuf,
}

impl Staging {
    /// Creates this run's staging folder as a copy of the published outputs (stages that
    /// are up to date keep theirs). Hard links would be cheaper, but a copy keeps the
    /// published files immutable whatever a stage does. Call with the lock held.
    pub fn begin(output: &Path) -> Result<Staging> {
        remove_staging_on_signals();
        static RUNS: std::sync::atomic::AtomicU32 = std::sync::atomic::AtomicU32::new(0);
        let n = RUNS.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        let path = sibling(output, &format!("staging-{}-{n}", std::process::id()));
        live().push(path.clone());
        let staging = Staging {
            output: output.to_path_buf(),
            path,
        };
        let copied = if output.is_dir() {
            copy_dir(output, &staging.path)
        } else {
            std::fs::create_dir_all(&staging.path)
        };
        copied.map_err(|e| Error::writing(&staging.path, e).context("staging"))?;
        Ok(staging)
    }

    pub fn path(&self) -> &Path {
        &self.path
    }

    /// Swaps the staging folder in: the published folder is always either the old complete
    /// set or the new one.
    pub fn commit(self) -> Result<()> {
        let failed = |e| Error::writing(&self.output, e).context("publishing");
        let previous = previous_path(&self.output);
        {
            let mut live = live();
            if self.output.exists() {
                std::fs::rename(&self.output, &previous).map_err(failed)?;
            }
            let swapped = super::test_hook("between-renames")
                .and_then(|()| std::fs::rename(&self.path, &self.output));
            if let Err(e) = swapped {
                // Put the old set back; if even that fails, the next run restores it.
                let _ = std::fs::rename(&previous, &self.output);
                return Err(failed(e));
            }
            live.retain(|p| *p != self.path);
        }
        if previous.exists() {
            std::fs::remove_dir_all(&previous).map_err(failed)?;
        }
        Ok(())
    }
}

impl Drop for Staging {
    fn drop(&mut self) {
        let mut live = live();
        if live.contains(&self.path) {
            let _ = std::fs::remove_dir_all(&self.path);
            live.retain(|p| *p != self.path);
        }
    }
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
        let staging = Staging::begin(&out).unwrap();
        let staged = staging.path().to_path_buf();
        assert_eq!(
            std::fs::read_to_string(staged.join("a.txt")).unwrap(),
            "old"
        );
        std::fs::write(staged.join("a.txt"), "new").unwrap();
        assert_eq!(
            std::fs::read_to_string(out.join("a.txt")).unwrap(),
            "old",
            "published untouched"
        );
        staging.commit().unwrap();
        assert_eq!(std::fs::read_to_string(out.join("a.txt")).unwrap(), "new");
        assert!(!staged.exists());
        // Interrupted between the renames: the output is gone, the previous set is aside,
        // and a dead run's staging folder is left.
        std::fs::rename(&out, previous_path(&out)).unwrap();
        let dead = sibling(&out, "staging-1-0");
        std::fs::create_dir_all(&dead).unwrap();
        recover(&out).unwrap();
        assert_eq!(std::fs::read_to_string(out.join("a.txt")).unwrap(), "new");
        assert!(!dead.exists());
    }

    #[test]
    fn a_failed_run_leaves_no_staging_and_odd_siblings_are_refused() {
        let dir = tempfile::tempdir().unwrap();
        let out = dir.path().join("run");
        let staging = Staging::begin(&out).unwrap();
        let staged = staging.path().to_path_buf();
        assert!(staged.is_dir());
        drop(staging);
        assert!(!staged.exists(), "dropped without commit: removed");

        let elsewhere = dir.path().join("elsewhere");
        std::fs::create_dir_all(&elsewhere).unwrap();
        std::fs::write(elsewhere.join("keep.txt"), "mine").unwrap();
        #[cfg(unix)]
        std::os::unix::fs::symlink(&elsewhere, previous_path(&out)).unwrap();
        #[cfg(unix)]
        {
            let refused = recover(&out).unwrap_err();
            assert!(refused.to_string().contains("symbolic link"), "{refused}");
            std::fs::remove_file(previous_path(&out)).unwrap();
            std::os::unix::fs::symlink(&elsewhere, sibling(&out, "staging-7-0")).unwrap();
            assert_eq!(recover(&out).unwrap_err().exit_code(), 2);
            std::fs::remove_file(sibling(&out, "staging-7-0")).unwrap();
        }
        std::fs::write(sibling(&out, "staging"), "a file").unwrap();
        assert!(recover(&out)
            .unwrap_err()
            .to_string()
            .contains("found a file"));
        assert_eq!(
            std::fs::read_to_string(elsewhere.join("keep.txt")).unwrap(),
            "mine"
        );
        // Another output's folders are not this one's.
        assert!(!is_staging_of(&out, ".runs.staging-1-0"));
        assert!(!is_staging_of(&out, ".run.stagingfoo"));
        assert!(is_staging_of(&out, ".run.staging-1-0"));
    }
}
