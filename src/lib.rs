//! briefdeck: YAML current-affairs briefs → Anki decks and EPUB booklets.
//!
//! The flow is mdBook's: the sources are loaded once into a [`brief::Library`]
//! (with every problem collected in a [`diagnostic::Report`]); exporters then
//! render that model and never re-read YAML.

pub mod anki;
pub mod brief;
pub mod cli;
pub mod cmd;
pub mod config;
pub mod diagnostic;
pub mod digest;
pub mod epub;
pub mod error;
pub mod export;
pub mod import;
pub mod key_index;
pub mod limits;
pub mod malloc;
pub mod markup;
pub mod output;

use clap::Parser;
use std::process::ExitCode;

/// Parses the command line, runs the command and maps failures to exit codes.
pub fn run() -> ExitCode {
    malloc::tune();
    let cli = cli::Cli::parse();
    let result = match &cli.command {
        cli::Command::Check(args) => cmd::check::run(args),
        cli::Command::Export(target) => cmd::export::run(target),
        cli::Command::Import(args) => cmd::import::run(args),
        cli::Command::Completions { shell } => cmd::shell::completions(*shell),
        cli::Command::Man => cmd::shell::man(),
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(failure) => {
            match &failure {
                error::Failure::Invalid => {}
                error::Failure::Usage(m) => output::stderr(&format!("error: {m}\n")),
                error::Failure::Other(e) => output::stderr(&format!("error: {e:#}\n")),
            }
            failure.exit_code()
        }
    }
}
