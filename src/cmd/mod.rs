//! One module per subcommand.

pub mod check;
pub mod export;
pub mod import;
pub mod shell;

use crate::brief::{self, Library, LoadOptions};
use crate::cli::SourcesArgs;
use crate::error::Failure;

/// Loads the sources named on the command line.
pub fn load_sources(args: &SourcesArgs) -> Result<Library, Failure> {
    brief::load(&LoadOptions {
        paths: args.paths.clone(),
    })
    .map_err(|e| Failure::Usage(e.to_string()))
}
