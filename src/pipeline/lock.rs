//! One run at a time per output folder: a lock file beside it (`out/.<name>.lock`) created
//! exclusively, holding the owner's pid. A second run waits up to `--wait` seconds, then gives
//! up (exit 3). A lock whose process is dead (no `/proc/<pid>`) is taken over with a warning.

use std::fs::OpenOptions;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

/// Why the lock could not be taken.
#[derive(Debug, thiserror::Error)]
pub enum LockError {
    #[error("{path}: another run (pid {pid}) holds the lock; waited {waited_s} s")]
    Held {
        path: String,
        pid: u32,
        waited_s: u64,
    },
    #[error("{path}: cannot create the lock file: {message}")]
    Io { path: String, message: String },
}

/// A held lock, released (file removed) when dropped.
#[derive(Debug)]
pub struct Lock {
    path: PathBuf,
    /// Set when a stale lock was taken over: the dead owner's pid.
    pub took_over_from: Option<u32>,
}

impl Drop for Lock {
    fn drop(&mut self) {
        let _ = std::fs::remove_file(&self.path);
    }
}

/// The lock file of an output folder: `<parent>/.<name>.lock`.
pub fn lock_path(output: &Path) -> PathBuf {
    super::publish::sibling(output, "lock")
}

fn process_alive(pid: u32) -> bool {
    pid == std::process::id() || Path::new(&format!("/proc/{pid}")).exists()
}

fn owner(path: &Path) -> Option<u32> {
    std::fs::read_to_string(path)
        .ok()?
        .lines()
        .next()?
        .trim()
        .parse()
        .ok()
}

/// Takes the lock of `output`, waiting up to `wait` for a live owner to finish.
pub fn acquire(output: &Path, wait: Duration) -> Result<Lock, LockError> {
    let path = lock_path(output);
    if let Some(parent) = path.parent() {
        std::fs::create_dir_all(parent).map_err(|e| LockError::Io {
            path: path.display().to_string(),
            message: e.to_string(),
        })?;
    }
    let start = Instant::now();
    let mut took_over_from = None;
    loop {
        match OpenOptions::new().write(true).create_new(true).open(&path) {
            Ok(mut file) => {
                let _ = writeln!(file, "{}", std::process::id());
                return Ok(Lock {
                    path,
                    took_over_from,
                });
            }
            Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => {
                match owner(&path) {
                    Some(pid) if process_alive(pid) => {
                        if start.elapsed() >= wait {
                            return Err(LockError::Held {
                                path: path.display().to_string(),
                                pid,
                                waited_s: start.elapsed().as_secs(),
                            });
                        }
                        std::thread::sleep(Duration::from_millis(100));
                    }
                    // A dead owner, or a lock being written right now (no pid yet): a lock
                    // without a pid for more than a second is stale too.
                    dead => {
                        if dead.is_none() && start.elapsed() < Duration::from_secs(1) {
                            std::thread::sleep(Duration::from_millis(50));
                            continue;
                        }
                        took_over_from = dead.or(Some(0));
                        let _ = std::fs::remove_file(&path);
                    }
                }
            }
            Err(e) => {
                return Err(LockError::Io {
                    path: path.display().to_string(),
                    message: e.to_string(),
                })
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn second_taker_times_out_and_stale_locks_are_taken_over() {
        let dir = tempfile::tempdir().unwrap();
        let out = dir.path().join("run");
        let first = acquire(&out, Duration::ZERO).unwrap();
        assert!(matches!(
            acquire(&out, Duration::from_millis(200)),
            Err(LockError::Held { .. })
        ));
        drop(first);
        let again = acquire(&out, Duration::ZERO).unwrap();
        drop(again);
        // A lock left by a process that no longer exists.
        std::fs::write(lock_path(&out), "4000000000\n").unwrap();
        let taken = acquire(&out, Duration::ZERO).unwrap();
        assert_eq!(taken.took_over_from, Some(4_000_000_000));
    }
}
