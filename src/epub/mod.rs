//! The EPUB 3 revision booklet (SPEC §5).
//!
//! The booklet is composed in memory from the loaded model (never from YAML):
//! [`layout`] orders and groups the briefs and decides which file each entry
//! lands in; [`xhtml`] renders them, recording every key term for the
//! [`glossary`]; [`selftest`] writes the questions and answers; [`cover`] the
//! cover and title page; [`package`] writes the OPF, nav and NCX and streams
//! the reproducible zip.
//!
//! Reproducibility: nothing reads the clock. The modification date is
//! `SOURCE_DATE_EPOCH` when set, else the newest brief's date; the identifier
//! is derived from the title; every zip entry carries that same date. Two runs
//! on the same sources give byte-identical files.

mod cover;
mod css;
mod glossary;
mod layout;
mod package;
mod selftest;
mod xhtml;

use crate::brief::{Brief, Section};
use crate::cli::GroupBy;
use crate::export::BuildTime;
use anyhow::{Result, bail};
use std::collections::BTreeSet;
use std::io::Write;
use time::{OffsetDateTime, Time};

#[derive(Clone, Debug)]
pub struct EpubOptions {
    pub title: String,
    pub author: String,
    pub publisher: Option<String>,
    /// `dc:description`; a summary of the contents when absent.
    pub description: Option<String>,
    pub language: String,
    pub group_by: GroupBy,
    /// Fill-in-the-blank questions per brief in the self-test.
    pub term_questions: usize,
    pub build_time: BuildTime,
}

/// Writes the booklet for `briefs` to `out`, as it is zipped: the booklet
/// is never held whole in memory, only its compressed documents.
pub fn write(briefs: &[Brief], options: &EpubOptions, out: &mut dyn Write) -> Result<()> {
    if briefs.is_empty() {
        bail!("there are no briefs to put in the booklet");
    }
    let lang = options.language.as_str();
    let sorted = layout::order(briefs, options.group_by);
    let groups = layout::groups(&sorted, options.group_by);
    let headings = layout::headings(&sorted);

    let mut glossary = glossary::Glossary::default();
    let mut images = xhtml::Images::default();
    let (body, locator) = layout::body(
        &sorted,
        &headings,
        &groups,
        options.group_by,
        lang,
        &mut glossary,
        &mut images,
    );
    let test = selftest::build(
        &sorted,
        &headings,
        &groups,
        &locator,
        options.term_questions,
        lang,
        &mut glossary,
    );
    let glossary_docs = layout::glossary_docs(&glossary, lang);
    let key_terms = glossary.len();
    // Its pages are made: free it before the package is assembled.
    drop(glossary);

    let first = briefs.iter().map(|b| b.date).min().expect("a brief");
    let last = briefs.iter().map(|b| b.date).max().expect("a brief");
    let subjects: BTreeSet<&str> = briefs.iter().map(|b| b.subject.as_str()).collect();
    let mut key_points = 0;
    for b in briefs {
        b.walk_points(|section, _, p| {
            if section == Section::KeyPoints && p.text.is_some() {
                key_points += 1;
            }
        });
    }
    let facts = cover::Facts {
        title: options.title.clone(),
        author: options.author.clone(),
        publisher: options.publisher.clone(),
        first,
        last,
        briefs: briefs.len(),
        subjects: subjects.len(),
        key_points,
        key_terms,
        questions: test.count,
        grouping: match options.group_by {
            GroupBy::Theme => "by theme: Why in News, Key Points and Way Forward, each by subject",
            GroupBy::Brief => "as a chapter per brief, by subject",
            GroupBy::Subject => "by subject, a chapter per brief",
            GroupBy::Month => "by month, a chapter per brief",
        },
    };

    // Spine order: cover, title page, body, self-test, glossary, answers.
    let mut docs = vec![cover::cover_doc(&facts, lang)];
    let rest: Vec<layout::Doc> = body
        .into_iter()
        .chain(test.questions)
        .chain(glossary_docs)
        .chain(test.answers)
        .collect();
    let contents: Vec<(String, String)> = rest
        .iter()
        .filter_map(|d| d.toc.as_ref().map(|t| (t.title.clone(), t.href.clone())))
        .collect();
    docs.push(cover::title_doc(&facts, &contents, lang));
    docs.extend(rest);

    let toc_depth = if docs
        .iter()
        .any(|d| d.toc.as_ref().is_some_and(|t| !t.children.is_empty()))
    {
        2
    } else {
        1
    };
    let modified = if options.build_time.reproducible {
        options.build_time.datetime()
    } else {
        OffsetDateTime::new_utc(last, Time::MIDNIGHT)
    };
    let description = options.description.clone().unwrap_or_else(|| {
        format!(
            "Current-affairs revision booklet: {} briefs from {} in {} subjects, with a glossary of {} key terms and a self-test of {} questions.",
            facts.briefs,
            facts.date_range(),
            facts.subjects,
            facts.key_terms,
            facts.questions
        )
    });
    let meta = package::Meta {
        title: options.title.clone(),
        language: options.language.clone(),
        author: options.author.clone(),
        publisher: options.publisher.clone(),
        description,
        subjects: subjects.iter().map(|s| s.to_string()).collect(),
        identifier: package::identifier(&options.title),
        modified,
        date: last,
        toc_depth,
    };
    package::write(
        out,
        &docs,
        &images.files,
        &cover::svg(&facts),
        css::STYLESHEET,
        &meta,
    )
}

/// Builds the `.epub` in memory; [`write`] streams it instead and needs
/// less memory.
pub fn build(briefs: &[Brief], options: &EpubOptions) -> Result<Vec<u8>> {
    let mut bytes = Vec::new();
    write(briefs, options, &mut bytes)?;
    Ok(bytes)
}

/// Checks a `--language` value: a BCP 47 tag such as `en`, `en-IN` or
/// `hi-Latn` (shape only; the registry is not consulted).
pub fn check_language(tag: &str) -> Result<(), String> {
    let mut subtags = tag.split('-');
    let first = subtags.next().unwrap_or_default();
    let first_ok = (2..=8).contains(&first.len()) && first.chars().all(|c| c.is_ascii_alphabetic())
        || matches!(first, "x" | "i");
    let rest_ok = subtags
        .clone()
        .all(|s| (1..=8).contains(&s.len()) && s.chars().all(|c| c.is_ascii_alphanumeric()));
    if first_ok && rest_ok {
        Ok(())
    } else {
        Err(format!(
            "`{tag}` is not a language tag (BCP 47), e.g. `en`, `en-IN` or `hi`"
        ))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::brief::{LoadOptions, load};
    use std::io::Read as _;

    fn options(group_by: GroupBy) -> EpubOptions {
        EpubOptions {
            title: "Test & Booklet".into(),
            author: "A".into(),
            publisher: None,
            description: None,
            language: "en-IN".into(),
            group_by,
            term_questions: 2,
            build_time: BuildTime {
                epoch: 1_700_000_000,
                reproducible: true,
            },
        }
    }

    fn entries(epub: &[u8]) -> Vec<(String, String)> {
        let mut zip = zip::ZipArchive::new(std::io::Cursor::new(epub)).unwrap();
        (0..zip.len())
            .map(|i| {
                let mut f = zip.by_index(i).unwrap();
                let mut text = String::new();
                f.read_to_string(&mut text).unwrap_or_default();
                (f.name().unwrap().to_string(), text)
            })
            .collect()
    }

    #[test]
    fn the_fixtures_build_reproducibly_in_every_layout() {
        let library = load(&LoadOptions {
            paths: vec!["tests/fixtures/good".into()],
        })
        .unwrap();
        for by in [
            GroupBy::Theme,
            GroupBy::Brief,
            GroupBy::Subject,
            GroupBy::Month,
        ] {
            let a = build(&library.briefs, &options(by)).unwrap();
            let b = build(&library.briefs, &options(by)).unwrap();
            assert!(a == b, "{by:?}: two builds differ");
            let files = entries(&a);
            assert_eq!(files[0], ("mimetype".into(), "application/epub+zip".into()));
            let nav = &files.iter().find(|f| f.0 == "OEBPS/nav.xhtml").unwrap().1;
            assert!(nav.contains("xml:lang=\"en-IN\" lang=\"en-IN\""), "{nav}");
            let opf = &files.iter().find(|f| f.0 == "OEBPS/content.opf").unwrap().1;
            assert!(
                opf.contains("<dc:title>Test &amp; Booklet</dc:title>"),
                "{opf}"
            );
            assert!(opf.contains("2023-11-14T22:13:20Z"), "{opf}");
            package::check_unique_ids(opf).unwrap();
            // Every content document was slotted in (none left empty).
            for (name, text) in &files {
                if name.ends_with(".xhtml") {
                    assert!(text.starts_with("<?xml"), "{name} is empty");
                }
            }
        }
    }

    #[test]
    fn no_briefs_is_an_error() {
        assert!(build(&[], &options(GroupBy::Theme)).is_err());
    }

    #[test]
    fn language_tags() {
        for ok in ["en", "en-IN", "hi", "hi-Latn-IN", "x-private"] {
            assert!(check_language(ok).is_ok(), "{ok}");
        }
        for bad in ["", "e", "english language", "en_IN", "en-", "\"><x"] {
            assert!(check_language(bad).is_err(), "{bad}");
        }
    }
}
