//! Clean Ctrl-C: temporary files are removed and no output is left half
//! written.
//!
//! Every temporary output file is registered while it exists. The signal
//! handler (SIGINT, SIGTERM, SIGHUP) removes the registered files under the
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
        let _ = ctrlc::set_handler(|| {
            let files = temporaries();
            for f in files.iter() {
                let _ = std::fs::remove_file(f);
            }
            crate::output::stderr("\ninterrupted: no output was changed\n");
            std::process::exit(130);
        });
    });
}

/// Keeps `path` registered until the guard is dropped.
pub struct Registered(PathBuf);

pub fn register(path: &Path) -> Registered {
    install();
    temporaries().push(path.to_path_buf());
    Registered(path.to_path_buf())
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
