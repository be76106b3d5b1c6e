//! Clean Ctrl-C: temporary files are removed and no output is left half
//! written.
//!
//! Every temporary output file (and scratch folder) is registered while it
//! exists. The signal handler (SIGINT, SIGTERM, SIGHUP) removes them under the
//! same lock that guards the final rename, then exits with status 130, so an
//! interrupted run leaves every previous output byte-for-byte as it was.

use std::path::{Path, PathBuf};
use std::sync::{Mutex, MutexGuard, Once};

static TEMPORARY: Mutex<Vec<PathBuf>> = Mutex::new(Vec::new());
static INSTALL: Once = Once::new();

fn temporaries() -> MutexGuard<'static, Vec<PathBuf>> {
    TEMPORARY.lock().unwrap_or_else(|e| e.into_inner())
}

/// Installs the handler (once per process). Failing to install it is not
/// fatal: outputs stay atomic, only a stray temporary file could remain.
pub fn install() {
    INSTALL.call_once(|| {
        ignore_file_size_signal();
        let _ = ctrlc::set_handler(|| {
            let files = temporaries();
            // Files first, then the scratch folders that held them: a folder
            // is only ever removed when empty, never recursively.
            for f in files.iter() {
                let _ = std::fs::remove_file(f);
            }
            for f in files.iter() {
                let _ = std::fs::remove_dir(f);
            }
            crate::output::stderr("\ninterrupted: no output was changed\n");
            std::process::exit(130);
        });
    });
}

/// A file-size limit (`ulimit -f`, as a full disk is often simulated) sends
/// SIGXFSZ, whose default action kills the process before any cleanup.
/// Ignored, the write fails with EFBIG instead and the ordinary error path
/// removes the temporary files.
#[cfg(unix)]
fn ignore_file_size_signal() {
    // SAFETY: setting a signal's disposition to SIG_IGN installs no handler
    // code and touches no memory of ours.
    unsafe {
        libc::signal(libc::SIGXFSZ, libc::SIG_IGN);
    }
}

#[cfg(not(unix))]
fn ignore_file_size_signal() {}

/// Keeps `path` (a temporary file, or a scratch folder) registered until the
/// guard is dropped.
pub struct Registered(PathBuf);

/// Makes a temporary file or folder whose name is only known once it exists
/// (`make`, which gives it with its `path`) and registers it, as one step
/// for the handler: made and then registered, a file made while the handler
/// ran was left behind (it waits for the lock, and the process exits).
pub fn create_registered<T, E>(
    make: impl FnOnce() -> Result<T, E>,
    path: impl FnOnce(&T) -> &Path,
) -> Result<(T, Registered), E> {
    install();
    let mut files = temporaries();
    let made = make()?;
    pause_for_tests("BRIEFDECK_TEST_PAUSE_AFTER_CREATE_MS");
    let path = path(&made).to_path_buf();
    files.push(path.clone());
    Ok((made, Registered(path)))
}

/// A test aid: with the environment variable `var` set to a number of
/// milliseconds, wait that long, so that the tests can interrupt a run at
/// the one moment that matters. Never set in normal use.
pub fn pause_for_tests(var: &str) {
    if let Some(ms) = std::env::var(var).ok().and_then(|v| v.parse::<u64>().ok()) {
        std::thread::sleep(std::time::Duration::from_millis(ms.min(60_000)));
    }
}

impl Drop for Registered {
    fn drop(&mut self) {
        let mut files = temporaries();
        if let Some(i) = files.iter().position(|f| *f == self.0) {
            files.swap_remove(i);
        }
    }
}

/// Runs `f` while the handler cannot run (it waits for the lock).
pub fn while_blocked<T>(f: impl FnOnce() -> T) -> T {
    let _guard = temporaries();
    f()
}
