//! How a run fails, and the exit code each failure gives (SPEC §3).

use std::process::ExitCode;

#[derive(Debug, thiserror::Error)]
pub enum Failure {
    /// The sources are invalid; diagnostics were already printed. Nothing was written.
    #[error("invalid input")]
    Invalid,
    /// The command line cannot be carried out (missing path, bad option value).
    #[error("{0}")]
    Usage(String),
    /// Anything else: an output that cannot be written, an I/O error.
    #[error(transparent)]
    Other(#[from] anyhow::Error),
}

impl Failure {
    pub fn exit_code(&self) -> ExitCode {
        ExitCode::from(match self {
            Failure::Invalid => 1,
            Failure::Usage(_) => 2,
            Failure::Other(_) => 3,
        })
    }
}
