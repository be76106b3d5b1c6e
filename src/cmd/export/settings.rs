//! Resolving export settings: command line > environment > settings file >
//! defaults. (clap already puts the environment under the command line.)

use crate::anki::NoteOptions;
use crate::cli::{AnkiFlags, CardKind, EpubFlags};
use crate::config::{AnkiConfig, EpubConfig};
use crate::epub::EpubOptions;
use crate::error::Failure;
use crate::export::BuildTime;

/// The deck's settings: the notes' options and the package's file name.
#[derive(Clone, Debug)]
pub struct AnkiSettings {
    pub notes: NoteOptions,
    /// File name of the package inside the output folder.
    pub file_name: String,
}

/// The booklet's settings: its options (the title before any group is
/// added to it) and its file name.
#[derive(Clone, Debug)]
pub struct EpubSettings {
    pub booklet: EpubOptions,
    pub file_name: String,
}

pub fn anki(flags: &AnkiFlags, file: &AnkiConfig) -> Result<AnkiSettings, Failure> {
    let cards = flags
        .cards
        .clone()
        .or_else(|| file.cards.clone())
        .unwrap_or_else(|| vec![CardKind::Cloze, CardKind::Facts, CardKind::Why]);
    if cards.is_empty() {
        return Err(Failure::Usage("no card kinds chosen (cards = [])".into()));
    }
    let deck_root = flags
        .deck_root
        .clone()
        .or_else(|| file.deck_root.clone())
        .unwrap_or_else(|| "Current Affairs".into());
    let deck_root = deck_root.trim().to_owned();
    if deck_root.is_empty() {
        return Err(Failure::Usage("the deck root must not be empty".into()));
    }
    Ok(AnkiSettings {
        notes: NoteOptions {
            cards,
            deck_root,
            deck_by: flags.deck_by.or(file.deck_by).unwrap_or_default(),
        },
        file_name: file_name(file.output.as_deref(), "briefdeck.apkg", "apkg")?,
    })
}

pub fn epub(
    flags: &EpubFlags,
    file: &EpubConfig,
    build_time: BuildTime,
) -> Result<EpubSettings, Failure> {
    let pick = |flag: &Option<String>, conf: &Option<String>| flag.clone().or_else(|| conf.clone());
    let title =
        pick(&flags.title, &file.title).unwrap_or_else(|| "Current Affairs Revision".into());
    let author = pick(&flags.author, &file.author).unwrap_or_else(|| "briefdeck".into());
    for (name, value) in [("title", &title), ("author", &author)] {
        if value.trim().is_empty() {
            return Err(Failure::Usage(format!("the book {name} must not be empty")));
        }
    }
    let language = pick(&flags.language, &file.language).unwrap_or_else(|| "en".into());
    crate::epub::check_language(&language)
        .map_err(|e| Failure::Usage(format!("language `{language}`: {e}")))?;
    Ok(EpubSettings {
        booklet: EpubOptions {
            title,
            author,
            publisher: pick(&flags.publisher, &file.publisher),
            description: pick(&flags.description, &file.description),
            language,
            group_by: flags.group_by.or(file.group_by).unwrap_or_default(),
            term_questions: flags.term_questions.or(file.term_questions).unwrap_or(2),
            build_time,
        },
        file_name: file_name(file.output.as_deref(), "briefdeck.epub", "epub")?,
    })
}

/// An output name from the settings file: a plain file name with the right
/// extension (no folders: `-o` chooses where outputs go).
fn file_name(configured: Option<&str>, default: &str, extension: &str) -> Result<String, Failure> {
    let Some(name) = configured else {
        return Ok(default.to_owned());
    };
    let ok = !name.is_empty()
        && !name.contains(['/', '\\'])
        && name != ".."
        && name
            .to_ascii_lowercase()
            .ends_with(&format!(".{extension}"));
    if ok {
        Ok(name.to_owned())
    } else {
        Err(Failure::Usage(format!(
            "output name `{name}` in the settings file must be a file name ending in .{extension}, without folders"
        )))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::cli::DeckBy;

    fn flags() -> AnkiFlags {
        AnkiFlags {
            cards: None,
            deck_root: None,
            deck_by: None,
        }
    }

    #[test]
    fn defaults_then_file_then_flags() {
        let none = AnkiConfig::default();
        assert_eq!(
            anki(&flags(), &none).unwrap().notes.deck_root,
            "Current Affairs"
        );
        let file = AnkiConfig {
            deck_root: Some("UPSC".into()),
            deck_by: Some(DeckBy::Month),
            ..AnkiConfig::default()
        };
        let s = anki(&flags(), &file).unwrap().notes;
        assert_eq!((s.deck_root.as_str(), s.deck_by), ("UPSC", DeckBy::Month));
        let f = AnkiFlags {
            deck_root: Some("Mine".into()),
            ..flags()
        };
        let s = anki(&f, &file).unwrap().notes;
        assert_eq!((s.deck_root.as_str(), s.deck_by), ("Mine", DeckBy::Month));
    }

    #[test]
    fn output_names_are_plain_file_names() {
        assert!(file_name(Some("deck.apkg"), "x", "apkg").is_ok());
        assert!(file_name(Some("../deck.apkg"), "x", "apkg").is_err());
        assert!(file_name(Some("deck.epub"), "x", "apkg").is_err());
    }
}
