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

// Parsed once per run: the size of the largest variant does not matter.
#[allow(clippy::large_enum_variant)]
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Validate briefs and print a summary; exit 1 if any brief is invalid.
    Check(CheckArgs),
    /// Write an Anki deck, an EPUB booklet, or both.
    #[command(subcommand)]
    Export(ExportCommand),
    /// Draft a YAML brief from a news article in Markdown.
    Import(ImportArgs),
    /// Print a shell completion script (bash, zsh, fish, elvish, powershell).
    Completions {
        #[arg(value_enum)]
        shell: clap_complete::Shell,
    },
    /// Print the manual page (roff) on stdout.
    Man,
}

#[derive(Debug, Args)]
pub struct ImportArgs {
    /// Markdown articles, or folders of them (searched recursively for .md
    /// and .markdown files).
    #[arg(required = true, value_name = "ARTICLE.md")]
    pub articles: Vec<PathBuf>,
    /// Output file (one article; default: stdout) or folder (several
    /// articles or a folder; default: `sources/imported/`).
    #[arg(short, long, value_name = "FILE.yaml|DIR")]
    pub output: Option<PathBuf>,
    /// The brief's date, used instead of any date found in the article.
    #[arg(long, value_name = "YYYY-MM-DD", value_parser = crate::cmd::import::parse_date)]
    pub date: Option<time::Date>,
    /// The brief's subject.
    #[arg(long, default_value = "General", value_parser = non_empty)]
    pub subject: String,
    /// Tags for the brief (comma-separated, or the option repeated).
    #[arg(long = "tag", value_name = "TAG", value_delimiter = ',', value_parser = non_empty)]
    pub tags: Vec<String>,
    /// Replace existing YAML files (by default `import` never overwrites a
    /// brief, which you may have edited).
    #[arg(long)]
    pub force: bool,
}

#[derive(Debug, Subcommand)]
pub enum ExportCommand {
    /// Write the Anki package (.apkg).
    Anki(AnkiArgs),
    /// Write the EPUB 3 revision booklet.
    Epub(EpubArgs),
    /// Write both, from one load of the sources, into a folder.
    All(AllArgs),
}

/// Options every export shares: sources, settings, selection, reporting.
#[derive(Debug, Args)]
pub struct ExportArgs {
    #[command(flatten)]
    pub sources: SourcesArgs,
    /// Settings file [default: briefdeck.toml in the first PATH folder, if present]
    #[arg(long, value_name = "FILE", env = "BRIEFDECK_CONFIG")]
    pub config: Option<PathBuf>,
    /// Only briefs dated on or after this day.
    #[arg(long, value_name = "YYYY-MM-DD", value_parser = date)]
    pub since: Option<time::Date>,
    /// Only briefs dated on or before this day.
    #[arg(long, value_name = "YYYY-MM-DD", value_parser = date)]
    pub until: Option<time::Date>,
    /// Only briefs of this subject (repeatable; case-insensitive).
    #[arg(long, value_name = "SUBJECT")]
    pub subject: Vec<String>,
    /// Only briefs with this tag (repeatable; any of them).
    #[arg(long, value_name = "TAG")]
    pub tag: Vec<String>,
    /// Write one output per month or per subject (`-o` is then a folder).
    #[arg(long, value_enum, value_name = "GROUP")]
    pub split_by: Option<SplitBy>,
    /// Print nothing but errors.
    #[arg(long, short)]
    pub quiet: bool,
    /// Print a JSON report on stdout (inputs, outputs with size and sha256,
    /// counts, warnings, timings).
    #[arg(long)]
    pub json: bool,
    /// Do everything except writing files.
    #[arg(long)]
    pub dry_run: bool,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum, serde::Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum SplitBy {
    /// One output per month (`briefdeck-2020-10.epub`).
    Month,
    /// One output per subject (`briefdeck-economy.epub`).
    Subject,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum, serde::Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum CardKind {
    /// One cloze card per bold key term of every text.
    Cloze,
    /// A question/answer card per entry of `facts`.
    Facts,
    /// A "Why in News" card per brief (front: title and date).
    Why,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum, Default, serde::Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum DeckBy {
    /// `<root>::<subject>`
    #[default]
    Subject,
    /// `<root>::<yyyy-mm>`
    Month,
    /// Everything in `<root>`.
    None,
}

/// Settings of the Anki deck. Unset values come from the settings file,
/// then the defaults shown.
#[derive(Debug, Args)]
pub struct AnkiFlags {
    /// Which kinds of cards to make, comma-separated [default: cloze,facts,why]
    #[arg(long, value_enum, value_delimiter = ',', env = "BRIEFDECK_CARDS")]
    pub cards: Option<Vec<CardKind>>,
    /// The top-level deck [default: Current Affairs]
    #[arg(long, value_name = "NAME", env = "BRIEFDECK_DECK_ROOT", value_parser = non_empty)]
    pub deck_root: Option<String>,
    /// How notes are split into sub-decks [default: subject]
    #[arg(long, value_enum, env = "BRIEFDECK_DECK_BY")]
    pub deck_by: Option<DeckBy>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum, Default, serde::Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum GroupBy {
    /// Three parts: Why in News, Key Points, Way Forward.
    #[default]
    Theme,
    /// A chapter per brief.
    Brief,
    /// A chapter per subject.
    Subject,
    /// A chapter per month.
    Month,
}

/// Settings of the EPUB booklet. Unset values come from the settings file,
/// then the defaults shown.
#[derive(Debug, Args)]
pub struct EpubFlags {
    /// How the booklet is organised [default: theme]
    #[arg(long, value_enum, env = "BRIEFDECK_GROUP_BY")]
    pub group_by: Option<GroupBy>,
    /// Book title; the book's identifier is derived from it, so a rebuilt
    /// booklet with the same title is a new edition of the same book
    /// [default: Current Affairs Revision]
    #[arg(long, env = "BRIEFDECK_TITLE", value_parser = non_empty)]
    pub title: Option<String>,
    /// Author shown by e-readers [default: briefdeck]
    #[arg(long, env = "BRIEFDECK_AUTHOR", value_parser = non_empty)]
    pub author: Option<String>,
    /// Publisher (optional).
    #[arg(long, env = "BRIEFDECK_PUBLISHER")]
    pub publisher: Option<String>,
    /// Description shown by e-readers [default: a summary of the contents]
    #[arg(long)]
    pub description: Option<String>,
    /// Language of the book, a BCP 47 tag such as en, en-IN, hi [default: en]
    #[arg(long, env = "BRIEFDECK_LANGUAGE", value_parser = language_tag)]
    pub language: Option<String>,
    /// Fill-in-the-blank questions per brief in the self-test (0 for none);
    /// every fact is a question too [default: 2]
    #[arg(long, value_name = "N")]
    pub term_questions: Option<usize>,
}

#[derive(Debug, Args)]
pub struct AnkiArgs {
    #[command(flatten)]
    pub export: ExportArgs,
    #[command(flatten)]
    pub anki: AnkiFlags,
    /// Output file; with --split-by, a folder [default: output/briefdeck.apkg]
    #[arg(short, long, value_name = "FILE.apkg")]
    pub output: Option<PathBuf>,
}

#[derive(Debug, Args)]
pub struct EpubArgs {
    #[command(flatten)]
    pub export: ExportArgs,
    #[command(flatten)]
    pub epub: EpubFlags,
    /// Output file; with --split-by, a folder [default: output/briefdeck.epub]
    #[arg(short, long, value_name = "FILE.epub")]
    pub output: Option<PathBuf>,
}

#[derive(Debug, Args)]
pub struct AllArgs {
    #[command(flatten)]
    pub export: ExportArgs,
    #[command(flatten)]
    pub anki: AnkiFlags,
    #[command(flatten)]
    pub epub: EpubFlags,
    /// Output folder [default: output]
    #[arg(short, long, value_name = "DIR")]
    pub output: Option<PathBuf>,
}

fn non_empty(s: &str) -> Result<String, String> {
    if s.trim().is_empty() {
        Err("must not be empty".into())
    } else {
        Ok(s.to_owned())
    }
}

fn language_tag(s: &str) -> Result<String, String> {
    crate::epub::check_language(s).map(|()| s.to_owned())
}

fn date(s: &str) -> Result<time::Date, String> {
    time::Date::parse(s, time::macros::format_description!("[year]-[month]-[day]"))
        .map_err(|_| format!("`{s}` is not a date as YYYY-MM-DD"))
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
