//! One run at a time per output folder: an advisory lock of the operating system
//! (`flock`, through `std::fs::File::try_lock`) on a lock file beside it
//! (`out/.<name>.lock`). The file is never deleted: deleting it would let a waiter lock the
//! old file while a newcomer locks a new one. The lock goes with its holder's process, so a
//! run that died leaves no lock behind, and no pid is guessed; the holder's pid is written in
//! the file for people (`cat out/.northern_route.lock`) and emptied on a clean release, so a
//! pid left in an unlocked file tells that the previous run died. A second run waits up to
//! `--wait` seconds, polling, then gives up (exit 3). A lock file that cannot be created or
//! locked (a read-only file system) is an I/O error (exit 1), not a held lock.

use std::fs::{File, OpenOptions, TryLockError};
use std::io::{Read, Seek, Write};
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use crate::error::Error;

/// A held lock, released when dropped (the file is emptied, the OS lock dropped with it).
#[derive(Debug)]
pub struct Lock {
    file: File,
    /// The pid a run that died left in the file, if any.
    pub took_over_from: Option<u32>,
}

impl Drop for Lock {
    fn drop(&mut self) {
        let _ = self.file.set_len(0);
        let _ = self.file.unlock();
    }
}

/// The lock file of an output folder: `<parent>/.<name>.lock`.
pub fn lock_path(output: &Path) -> PathBuf {
    super::publish::sibling(output, "lock")
}

/// The pid written in a lock file, if any.
fn pid_in(file: &mut File) -> Option<u32> {
    let mut text = String::new();
    file.rewind().ok()?;
    file.read_to_string(&mut text).ok()?;
    text.lines().next()?.trim().parse().ok()
}

/// Takes the lock of `output`, waiting up to `wait` for the run that holds it.
pub fn acquire(output: &Path, wait: Duration) -> Result<Lock, Error> {
    let path = lock_path(output);
    let io = |e: std::io::Error| Error::writing(&path, e).context("taking the lock");
    if let Some(parent) = path.parent() {
        std::fs::create_dir_all(parent).map_err(io)?;
    }
    let mut file = OpenOptions::new()
        .read(true)
        .write(true)
        .create(true)
        .truncate(false)
        .open(&path)
        .map_err(io)?;
    let start = Instant::now();
    loop {
        match file.try_lock() {
            Ok(()) => break,
            Err(TryLockError::WouldBlock) => {
                if start.elapsed() >= wait {
                    return Err(Error::Locked(format!(
                        "{}: another run (pid {}) holds the lock; waited {} s",
                        path.display(),
                        pid_in(&mut file).unwrap_or(0),
                        start.elapsed().as_secs()
                    )));
                }
                std::thread::sleep(Duration::from_millis(100));
            }
            Err(TryLockError::Error(e)) => return Err(io(e)),
        }
    }
    let took_over_from = pid_in(&mut file);
    file.set_len(0).map_err(io)?;
    file.rewind().map_err(io)?;
    writeln!(file, "{}", std::process::id()).map_err(io)?;
    file.flush().map_err(io)?;
    Ok(Lock {
        file,
        took_over_from,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn second_taker_times_out_and_stale_locks_are_taken_over() {
        let dir = tempfile::tempdir().unwrap();
        let out = dir.path().join("run");
        let first = acquire(&out, Duration::ZERO).unwrap();
        let held = acquire(&out, Duration::from_millis(200)).unwrap_err();
        assert_eq!(held.exit_code(), 3, "{held}");
        drop(first);
        let again = acquire(&out, Duration::ZERO).unwrap();
        assert_eq!(again.took_over_from, None, "a clean release leaves no pid");
        drop(again);
        // A lock file left by a run that died: its pid, and no OS lock.
        std::fs::write(lock_path(&out), "4000000000\n").unwrap();
        let taken = acquire(&out, Duration::ZERO).unwrap();
        assert_eq!(taken.took_over_from, Some(4_000_000_000));
    }
}
