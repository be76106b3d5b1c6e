//! `briefdeck.toml`: project settings for the exporters.
//!
//! Looked for at the sources root (the first PATH when it is a folder, so
//! `sources/briefdeck.toml` by default), or given with `--config`. Every value
//! is optional; precedence is command line > environment (`BRIEFDECK_*`) >
//! this file > built-in defaults. Unknown keys are errors with their line and
//! column, like the briefs.
//!
//! ```toml
//! [anki]
//! deck_root = "Current Affairs"
//! deck_by = "subject"              # subject | month | none
//! cards = ["cloze", "facts", "why"]
//! output = "briefdeck.apkg"        # file name inside the output folder
//!
//! [epub]
//! title = "Current Affairs Revision"
//! author = "briefdeck"
//! publisher = "Our Coaching Centre"
//! language = "en"
//! group_by = "theme"               # theme | brief | subject | month
//! output = "briefdeck.epub"
//! ```

use crate::cli::{CardKind, DeckBy, GroupBy};
use crate::diagnostic::{Diagnostic, Pos};
use serde::Deserialize;
use std::path::{Path, PathBuf};

pub const FILE_NAME: &str = "briefdeck.toml";

#[derive(Debug, Default, Clone, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Config {
    #[serde(default)]
    pub anki: AnkiConfig,
    #[serde(default)]
    pub epub: EpubConfig,
}

#[derive(Debug, Default, Clone, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AnkiConfig {
    pub deck_root: Option<String>,
    pub deck_by: Option<DeckBy>,
    pub cards: Option<Vec<CardKind>>,
    pub output: Option<String>,
}

#[derive(Debug, Default, Clone, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct EpubConfig {
    pub title: Option<String>,
    pub author: Option<String>,
    pub publisher: Option<String>,
    pub description: Option<String>,
    pub language: Option<String>,
    pub group_by: Option<GroupBy>,
    pub term_questions: Option<usize>,
    pub output: Option<String>,
}

/// Where the configuration came from, for messages.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct Loaded {
    pub config: Config,
    pub path: Option<PathBuf>,
}

/// Finds and reads the configuration: `explicit` must exist; otherwise
/// `briefdeck.toml` in the first folder of `paths` is used when present.
pub fn load(explicit: Option<&Path>, paths: &[PathBuf]) -> Result<Loaded, Box<Diagnostic>> {
    let path = match explicit {
        Some(p) => {
            if !p.is_file() {
                return Err(Box::new(Diagnostic::error(
                    "config-missing",
                    p,
                    Pos::default(),
                    "configuration file not found",
                )));
            }
            p.to_path_buf()
        }
        None => match paths
            .first()
            .filter(|p| p.is_dir())
            .map(|d| d.join(FILE_NAME))
        {
            Some(p) if p.is_file() => p,
            _ => return Ok(Loaded::default()),
        },
    };
    let text = std::fs::read_to_string(&path).map_err(|e| {
        Box::new(Diagnostic::error(
            "config-unreadable",
            &path,
            Pos::default(),
            format!("cannot read the configuration: {e}"),
        ))
    })?;
    let config = parse(&text).map_err(|(pos, message)| {
        Box::new(Diagnostic::error("config-invalid", &path, pos, message))
    })?;
    Ok(Loaded {
        config,
        path: Some(path),
    })
}

/// Parses configuration text; an error carries its position.
pub fn parse(text: &str) -> Result<Config, (Pos, String)> {
    toml::from_str(text).map_err(|e: toml::de::Error| {
        let pos = e
            .span()
            .map(|span| position_of(text, span.start, span.len()))
            .unwrap_or(Pos::new(1, 1, 1));
        (pos, e.message().trim().to_owned())
    })
}

fn position_of(text: &str, offset: usize, len: usize) -> Pos {
    let before = &text[..offset.min(text.len())];
    let line = before.matches('\n').count() + 1;
    let col = before.rsplit('\n').next().unwrap_or("").chars().count() + 1;
    Pos::new(line as u32, col as u32, len.max(1) as u32)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_full_config_parses() {
        let c = parse(
            "[anki]\ndeck_root = \"UPSC\"\ndeck_by = \"month\"\ncards = [\"cloze\", \"why\"]\n\n[epub]\ntitle = \"T\"\ngroup_by = \"subject\"\n",
        )
        .unwrap();
        assert_eq!(c.anki.deck_root.as_deref(), Some("UPSC"));
        assert_eq!(c.anki.deck_by, Some(DeckBy::Month));
        assert_eq!(c.anki.cards, Some(vec![CardKind::Cloze, CardKind::Why]));
        assert_eq!(c.epub.group_by, Some(GroupBy::Subject));
    }

    #[test]
    fn unknown_keys_are_reported_with_their_place() {
        let (pos, message) = parse("[anki]\ndeck_root = \"x\"\ndeck_rot = \"y\"\n").unwrap_err();
        assert_eq!((pos.line, pos.col), (3, 1));
        assert!(message.contains("unknown field `deck_rot`"), "{message}");
    }

    #[test]
    fn bad_values_are_reported_with_their_place() {
        let (pos, message) = parse("[epub]\ngroup_by = \"week\"\n").unwrap_err();
        assert_eq!((pos.line, pos.col), (2, 12));
        assert!(message.contains("week"), "{message}");
    }
}
