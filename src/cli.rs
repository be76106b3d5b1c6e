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
    /// Write an Anki deck, an EPUB booklet, or both.
    #[command(subcommand)]
    Export(ExportCommand),
    /// Draft a YAML brief from a news article in Markdown.
    Import(ImportArgs),
}

#[derive(Debug, Args)]
pub struct ImportArgs {
    /// Markdown articles, or folders of them.
    #[arg(required = true, value_name = "ARTICLE.md")]
    pub articles: Vec<PathBuf>,
    /// Output file (one article) or folder (several); default: stdout for one
    /// article, `sources/` for several.
    #[arg(short, long, value_name = "FILE.yaml|DIR")]
    pub output: Option<PathBuf>,
    /// The brief's date (YYYY-MM-DD) when the article does not give one.
    #[arg(long, value_name = "YYYY-MM-DD")]
    pub date: Option<String>,
}

#[derive(Debug, Subcommand)]
pub enum ExportCommand {
    /// Write the Anki package (.apkg).
    Anki(AnkiArgs),
    /// Write the EPUB 3 revision booklet.
    Epub(EpubArgs),
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum CardKind {
    /// One cloze card per bold key term of every text.
    Cloze,
    /// A question/answer card per entry of `facts`.
    Facts,
    /// A "Why in News" card per brief (front: title and date).
    Why,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum, Default)]
pub enum DeckBy {
    /// `<root>::<subject>`
    #[default]
    Subject,
    /// `<root>::<yyyy-mm>`
    Month,
    /// Everything in `<root>`.
    None,
}

#[derive(Debug, Args)]
pub struct AnkiArgs {
    #[command(flatten)]
    pub sources: SourcesArgs,
    /// Output file.
    #[arg(
        short,
        long,
        value_name = "FILE.apkg",
        default_value = "output/briefdeck.apkg"
    )]
    pub output: PathBuf,
    /// Which kinds of cards to make (comma-separated).
    #[arg(
        long,
        value_enum,
        value_delimiter = ',',
        default_value = "cloze,facts,why"
    )]
    pub cards: Vec<CardKind>,
    /// The top-level deck.
    #[arg(long, value_name = "NAME", default_value = "Current Affairs")]
    pub deck_root: String,
    /// How notes are split into sub-decks.
    #[arg(long, value_enum, default_value_t = DeckBy::Subject)]
    pub deck_by: DeckBy,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum, Default)]
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

#[derive(Debug, Args)]
pub struct EpubArgs {
    #[command(flatten)]
    pub sources: SourcesArgs,
    /// Output file.
    #[arg(
        short,
        long,
        value_name = "FILE.epub",
        default_value = "output/briefdeck.epub"
    )]
    pub output: PathBuf,
    /// How the booklet is organised.
    #[arg(long, value_enum, default_value_t = GroupBy::Theme)]
    pub group_by: GroupBy,
    /// Book title; the book's identifier is derived from it, so a rebuilt
    /// booklet with the same title is a new edition of the same book.
    #[arg(long, default_value = "Current Affairs Revision", value_parser = non_empty)]
    pub title: String,
    /// Author shown by e-readers.
    #[arg(long, default_value = "briefdeck", value_parser = non_empty)]
    pub author: String,
    /// Publisher (optional).
    #[arg(long)]
    pub publisher: Option<String>,
    /// Description shown by e-readers (default: a summary of the contents).
    #[arg(long)]
    pub description: Option<String>,
    /// Language of the book (BCP 47 tag, e.g. en, en-IN, hi).
    #[arg(long, default_value = "en", value_parser = language_tag)]
    pub language: String,
    /// Fill-in-the-blank questions per brief in the self-test (0 for none);
    /// every fact is a question too.
    #[arg(long, value_name = "N", default_value_t = 2)]
    pub term_questions: usize,
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
