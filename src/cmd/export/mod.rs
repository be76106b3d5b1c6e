//! `briefdeck export …`: load once, refuse invalid sources, then write.

mod anki;
mod epub;

use crate::brief::Library;
use crate::cli::{ExportCommand, SourcesArgs};
use crate::error::Failure;
use crate::export::BuildTime;
use crate::output;

pub fn run(command: &ExportCommand) -> Result<(), Failure> {
    match command {
        ExportCommand::Anki(args) => anki::run(args),
        ExportCommand::Epub(args) => epub::run(args),
    }
}

/// Loads the sources and prints their diagnostics. Any error stops the run
/// before an output is touched (exit 1).
fn load_valid(args: &SourcesArgs) -> Result<Library, Failure> {
    let library = super::load_sources(args)?;
    output::stderr(&library.report.render(&library.sources));
    if library.report.has_errors() {
        output::stderr(&format!(
            "invalid input: {} error(s); nothing was written\n",
            library.report.error_count()
        ));
        return Err(Failure::Invalid);
    }
    Ok(library)
}

fn build_time() -> Result<BuildTime, Failure> {
    BuildTime::from_env().map_err(Failure::Usage)
}
