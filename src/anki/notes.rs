//! Notes from briefs: which texts become cards, their fields, decks and tags.

use super::guid::{guid, hash64};
use super::notetype::{CLOZE, NoteType, QA};
use crate::brief::{Brief, Image, Point, Section, Text};
use crate::cli::{CardKind, DeckBy};
use crate::markup::{Flavor, KeyTerm, escape};
use std::collections::HashMap;

/// One Anki note, ready to write.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Note {
    pub guid: String,
    pub notetype: &'static NoteType,
    /// In the note type's field order.
    pub fields: Vec<String>,
    pub tags: Vec<String>,
    pub deck: String,
    /// Card ordinals (0-based). A cloze note has one per cloze number.
    pub card_ords: Vec<u16>,
    /// Media files the fields refer to.
    pub media: Vec<Image>,
}

#[derive(Clone, Debug)]
pub struct NoteOptions {
    pub cards: Vec<CardKind>,
    pub deck_root: String,
    pub deck_by: DeckBy,
}

/// Cloze numbers are drawn from 1..=CLOZE_RANGE (see [`cloze_numbers`]).
pub const CLOZE_RANGE: u64 = 500;

/// Builds every note of every brief, in a stable order (briefs in parallel).
pub fn notes(briefs: &[Brief], options: &NoteOptions) -> Vec<Note> {
    use rayon::prelude::*;
    let per_brief: Vec<Vec<Note>> = briefs
        .par_iter()
        .map(|brief| {
            let mut out = Vec::new();
            BriefNotes::new(brief, options).collect_into(&mut out);
            out
        })
        .collect();
    per_brief.into_iter().flatten().collect()
}

/// The shared context of one brief's notes.
struct BriefNotes<'a> {
    brief: &'a Brief,
    options: &'a NoteOptions,
    deck: String,
    tags: Vec<String>,
    date: String,
    source: String,
    /// How many point notes of a (section, anchor) were made so far.
    anchors: HashMap<(Section, String), usize>,
}

impl<'a> BriefNotes<'a> {
    fn new(brief: &'a Brief, options: &'a NoteOptions) -> Self {
        let month = format!(
            "{:04}-{:02}",
            brief.date.year(),
            u8::from(brief.date.month())
        );
        let deck = match options.deck_by {
            DeckBy::Subject => format!("{}::{}", options.deck_root, deck_part(&brief.subject)),
            DeckBy::Month => format!("{}::{month}", options.deck_root),
            DeckBy::None => options.deck_root.clone(),
        };
        let mut tags = vec![tag(&brief.subject), month, brief.id.clone()];
        tags.extend(brief.tags.iter().map(|t| tag(t)));
        tags.sort();
        tags.dedup();
        let source = match &brief.source {
            Some(s) => {
                let name = s.name.as_deref().or(s.url.as_deref()).unwrap_or("");
                match &s.url {
                    Some(url) => format!(
                        "<a href=\"{}\">{}</a>",
                        escape(url, Flavor::Anki),
                        escape(name, Flavor::Anki)
                    ),
                    None => escape(name, Flavor::Anki),
                }
            }
            None => String::new(),
        };
        BriefNotes {
            brief,
            options,
            deck,
            tags,
            date: brief.date.to_string(),
            source,
            anchors: HashMap::new(),
        }
    }

    fn wants(&self, kind: CardKind) -> bool {
        self.options.cards.contains(&kind)
    }

    fn collect_into(mut self, out: &mut Vec<Note>) {
        let b = self.brief;
        let title = b.title.markup.to_inline_html(Flavor::Anki);
        if self.wants(CardKind::Why) {
            let front = format!(
                "Why in News: {title} <span class=\"bd-date\">({})</span>",
                self.date
            );
            let back = b.why_in_news.markup.to_block_html(Flavor::Anki);
            out.push(self.qa_note(format!("{}/why", b.id), front, back, &title));
        }
        if self.wants(CardKind::Cloze) {
            let context = format!("{title} › {}", Section::WhyInNews.title());
            if let Some(n) = self.cloze_note(
                format!("{}/why_in_news", b.id),
                &b.why_in_news,
                context,
                None,
            ) {
                out.push(n);
            }
            for (section, points) in b.point_sections() {
                let mut path = Vec::new();
                self.point_notes(section, points, &mut path, &title, out);
            }
        }
        if self.wants(CardKind::Facts) {
            for fact in &b.facts {
                let key = match &fact.id {
                    Some(id) => format!("{}/fact/{id}", b.id),
                    None => format!(
                        "{}/fact/q:{}",
                        b.id,
                        normalise(&fact.question.markup.plain_text())
                    ),
                };
                let front = fact.question.markup.to_inline_html(Flavor::Anki);
                let back = fact.answer.markup.to_inline_html(Flavor::Anki);
                out.push(self.qa_note(key, front, back, &title));
            }
        }
    }

    fn point_notes(
        &mut self,
        section: Section,
        points: &'a [Point],
        path: &mut Vec<String>,
        title: &str,
        out: &mut Vec<Note>,
    ) {
        for p in points {
            if let Some(text) = &p.text {
                let mut context = format!("{title} › {}", section.title());
                for step in path.iter() {
                    context.push_str(" › ");
                    context.push_str(step);
                }
                if let Some(h) = &p.heading {
                    context.push_str(" › ");
                    context.push_str(&h.markup.to_inline_html(Flavor::Anki));
                }
                let anchor = match (&p.id, text.terms().first()) {
                    (Some(id), _) => Some(format!("id:{id}")),
                    (None, Some(term)) => Some(format!("t:{}", term.key)),
                    (None, None) => None,
                };
                if let Some(anchor) = anchor {
                    let seen = self.anchors.entry((section, anchor.clone())).or_insert(0);
                    *seen += 1;
                    let suffix = if *seen > 1 {
                        format!("#{seen}")
                    } else {
                        String::new()
                    };
                    let key = format!("{}/{}/{anchor}{suffix}", self.brief.id, section.key());
                    if let Some(n) = self.cloze_note(key, text, context, p.image.as_deref()) {
                        out.push(n);
                    }
                }
            }
            path.push(path_step(p));
            self.point_notes(section, &p.points, path, title, out);
            path.pop();
        }
    }

    /// A cloze note for `text`, or None when it has no key term.
    fn cloze_note(
        &self,
        key: String,
        text: &Text,
        context: String,
        image: Option<&Image>,
    ) -> Option<Note> {
        let terms = text.terms();
        if terms.is_empty() {
            return None;
        }
        let numbers = cloze_numbers(&terms);
        let html = text
            .markup
            .render(Flavor::Anki, false, &mut |term, inner, _| match term {
                // Inside a cloze Anki reads `::` as the start of a hint, so
                // `**India::Japan**` must not keep it literally.
                Some(t) => format!(
                    "{{{{c{}::{}}}}}",
                    numbers[&t.key],
                    inner.replace("::", ":&#58;")
                ),
                None => format!("<strong>{inner}</strong>"),
            });
        let mut ords: Vec<u16> = numbers.values().map(|n| n - 1).collect();
        ords.sort_unstable();
        Some(Note {
            guid: guid(&key),
            notetype: &CLOZE,
            fields: vec![
                html,
                context,
                image_html(image),
                self.source.clone(),
                self.date.clone(),
                escape(&self.brief.subject, Flavor::Anki),
                self.brief.id.clone(),
            ],
            tags: self.tags.clone(),
            deck: self.deck.clone(),
            card_ords: ords,
            media: image.cloned().into_iter().collect(),
        })
    }

    fn qa_note(&self, key: String, front: String, back: String, title: &str) -> Note {
        Note {
            guid: guid(&key),
            notetype: &QA,
            fields: vec![
                front,
                back,
                title.to_owned(),
                self.source.clone(),
                self.date.clone(),
                escape(&self.brief.subject, Flavor::Anki),
                self.brief.id.clone(),
            ],
            tags: self.tags.clone(),
            deck: self.deck.clone(),
            card_ords: vec![0],
            media: Vec::new(),
        }
    }
}

/// What a point contributes to the context path of its children: its
/// heading, else its label (`Significance`), else the start of its text.
fn path_step(p: &Point) -> String {
    if let Some(h) = &p.heading {
        return h.markup.to_inline_html(Flavor::Anki);
    }
    let Some(text) = &p.text else {
        return String::new();
    };
    let plain = text.markup.plain_text();
    if let Some(label) = label_of(&plain, text) {
        return escape(&label, Flavor::Anki);
    }
    const MAX: usize = 60;
    let short: String = plain.chars().take(MAX).collect();
    let ellipsis = if plain.chars().count() > MAX {
        "…"
    } else {
        ""
    };
    escape(&format!("{}{ellipsis}", short.trim_end()), Flavor::Anki)
}

fn label_of(plain: &str, text: &Text) -> Option<String> {
    if !text.markup.starts_with_label() {
        return None;
    }
    let end = plain.find(':')?;
    Some(plain[..end].trim().to_owned())
}

/// Cloze numbers for a text's key terms: each term's number comes from a
/// hash of the term itself, in 1..=[`CLOZE_RANGE`], so that adding or removing
/// *other* terms of the text leaves it unchanged (Anki ties a card, and its
/// review history, to the cloze number). Collisions go to the next free
/// number, resolving terms in order of (hash, term) so the result does not
/// depend on their order in the text.
pub fn cloze_numbers(terms: &[KeyTerm]) -> HashMap<String, u16> {
    let mut by_hash: Vec<(u64, &str)> = terms
        .iter()
        .map(|t| (hash64(t.key.as_bytes()) % CLOZE_RANGE, t.key.as_str()))
        .collect();
    by_hash.sort_unstable();
    // The loader refuses texts with more terms (`limits::MAX_TERMS_PER_TEXT`);
    // past CLOZE_RANGE the search for a free number would never end.
    assert!(terms.len() <= CLOZE_RANGE as usize, "too many key terms");
    let mut taken = vec![false; CLOZE_RANGE as usize];
    let mut numbers = HashMap::with_capacity(terms.len());
    for (slot, key) in by_hash {
        let mut s = slot as usize;
        while taken[s] {
            s = (s + 1) % CLOZE_RANGE as usize;
        }
        taken[s] = true;
        numbers.insert(key.to_owned(), s as u16 + 1);
    }
    numbers
}

fn image_html(image: Option<&Image>) -> String {
    match image {
        Some(i) => format!(
            "<img src=\"{}\" alt=\"{}\">",
            escape(&i.file_name(), Flavor::Anki),
            escape(&i.alt, Flavor::Anki)
        ),
        None => String::new(),
    }
}

/// Anki tags cannot hold spaces.
fn tag(s: &str) -> String {
    s.split_whitespace().collect::<Vec<_>>().join("_")
}

/// `::` separates deck levels, so a subject may not contain it.
fn deck_part(s: &str) -> String {
    s.replace("::", ":")
}

fn normalise(s: &str) -> String {
    crate::markup::term_key(s)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn terms(keys: &[&str]) -> Vec<KeyTerm> {
        keys.iter()
            .map(|k| KeyTerm {
                text: k.to_string(),
                key: k.to_string(),
            })
            .collect()
    }

    #[test]
    fn cloze_numbers_survive_adding_and_removing_other_terms() {
        let before = cloze_numbers(&terms(&["quad", "malabar", "acsa"]));
        let after = cloze_numbers(&terms(&["acsa", "new term", "quad"]));
        assert_eq!(before["quad"], after["quad"]);
        assert_eq!(before["acsa"], after["acsa"]);
    }

    #[test]
    fn cloze_numbers_are_distinct_and_in_range() {
        let keys: Vec<String> = (0..200).map(|i| format!("term {i}")).collect();
        let refs: Vec<&str> = keys.iter().map(String::as_str).collect();
        let numbers = cloze_numbers(&terms(&refs));
        let mut values: Vec<u16> = numbers.values().copied().collect();
        values.sort_unstable();
        values.dedup();
        assert_eq!(values.len(), 200);
        assert!(values.iter().all(|n| (1..=CLOZE_RANGE as u16).contains(n)));
    }

    #[test]
    fn tags_have_no_spaces() {
        assert_eq!(tag("Polity & Governance"), "Polity_&_Governance");
    }
}
