//! Writing to stdout and stderr without panicking on a closed pipe.

use std::io::{self, Write};

/// Writes to stdout. A closed pipe (`briefdeck check | head`) ends the
/// process quietly with success, as Unix tools do.
pub fn stdout(text: &str) {
    let mut out = io::stdout().lock();
    if let Err(e) = out.write_all(text.as_bytes()).and_then(|()| out.flush())
        && e.kind() == io::ErrorKind::BrokenPipe
    {
        std::process::exit(0);
    }
}

/// Writes to stderr, ignoring failures (there is nowhere left to report them).
pub fn stderr(text: &str) {
    let mut err = io::stderr().lock();
    let _ = err.write_all(text.as_bytes());
    let _ = err.flush();
}
