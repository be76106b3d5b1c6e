//! Command-line types (clap derive). Each subcommand's work lives in `cmd/`.

use clap::{Args, Parser, Subcommand, ValueEnum};
use std::path::PathBuf;

/// Turn YAML current-affairs briefs into Anki decks and EPUB revision booklets.
#[derive(Debug, Parser)]
#[command(name = "briefdeck", version, about, long_about = None)]
#[command(
    after_help = "Exit codes: 0 success, 1 invalid input (nothing written), 2 usage error, 3 other failure."
)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Validate briefs and print a summary; exit 1 if any brief is invalid.
    Check(CheckArgs),
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum, Default)]
pub enum Format {
    /// Diagnostics on stderr, summary on stdout.
    #[default]
    Text,
    /// One JSON report on stdout.
    Json,
}

#[derive(Debug, Args)]
pub struct SourcesArgs {
    /// Brief files or directories (searched recursively for .yaml/.yml).
    #[arg(default_value = "sources", value_name = "PATHS")]
    pub paths: Vec<PathBuf>,
}

#[derive(Debug, Args)]
pub struct CheckArgs {
    #[command(flatten)]
    pub sources: SourcesArgs,
    /// Output format of the report.
    #[arg(long, value_enum, default_value_t = Format::Text)]
    pub format: Format,
    /// Print only errors and warnings, no summary.
    #[arg(long, short)]
    pub quiet: bool,
}
