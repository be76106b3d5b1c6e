//! Notes from briefs: which texts become cards, their fields, decks and tags.

use super::guid::{guid, hash64};
use super::notetype::{CLOZE, NoteType, QA};
use crate::brief::{Brief, Image, Point, Section, Text};
use crate::cli::{CardKind, DeckBy};
use crate::markup::{Flavor, escape};
use std::collections::HashMap;
use std::fmt::Write as _;

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
            brief_notes(brief, options, |shared, draft| {
                out.push(draft.into_note(shared))
            });
            out
        })
        .collect();
    per_brief.into_iter().flatten().collect()
}

/// What every note of one brief shares: its last four fields, its tags and
/// its deck. Made once per brief, so a note does not carry its own copies
/// until it is turned into a [`Note`].
#[derive(Debug)]
pub struct BriefShared {
    /// Source, Date, Subject and BriefId: the last four fields of both note
    /// types, in field order.
    pub tail_fields: [String; 4],
    /// Sorted, without duplicates.
    pub tags: Vec<String>,
    pub deck: String,
}

/// A note as it is made: its first three fields are its own, the rest is
/// the brief's [`BriefShared`]. The `.apkg` writer copies drafts straight
/// into its row buffers; [`notes`] turns them into owned [`Note`]s.
#[derive(Debug)]
pub struct Draft<'a> {
    pub guid: String,
    pub notetype: &'static NoteType,
    pub own_fields: [String; 3],
    /// Card ordinals (0-based), sorted.
    pub card_ords: Vec<u16>,
    pub image: Option<&'a Image>,
}

impl Draft<'_> {
    pub fn into_note(self, shared: &BriefShared) -> Note {
        let mut fields = Vec::with_capacity(7);
        fields.extend(self.own_fields);
        fields.extend(shared.tail_fields.iter().cloned());
        Note {
            guid: self.guid,
            notetype: self.notetype,
            fields,
            tags: shared.tags.clone(),
            deck: shared.deck.clone(),
            card_ords: self.card_ords,
            media: self.image.cloned().into_iter().collect(),
        }
    }
}

/// Makes the notes of one brief in order, handing each to `emit` with what
/// the brief's notes share.
pub fn brief_notes<'a>(
    brief: &'a Brief,
    options: &'a NoteOptions,
    mut emit: impl FnMut(&BriefShared, Draft<'a>),
) {
    BriefNotes::new(brief, options).collect_into(&mut emit);
}

/// The shared context of one brief's notes.
struct BriefNotes<'a> {
    brief: &'a Brief,
    options: &'a NoteOptions,
    shared: BriefShared,
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
            shared: BriefShared {
                tail_fields: [
                    source,
                    brief.date.to_string(),
                    escape(&brief.subject, Flavor::Anki),
                    brief.id.clone(),
                ],
                tags,
                deck,
            },
            anchors: HashMap::new(),
        }
    }

    fn wants(&self, kind: CardKind) -> bool {
        self.options.cards.contains(&kind)
    }

    fn collect_into(mut self, emit: &mut impl FnMut(&BriefShared, Draft<'a>)) {
        let b = self.brief;
        let title = b.title.markup.to_inline_html(Flavor::Anki);
        if self.wants(CardKind::Why) {
            let front = format!(
                "Why in News: {title} <span class=\"bd-date\">({})</span>",
                self.shared.tail_fields[DATE]
            );
            let back = b.why_in_news.markup.to_block_html(Flavor::Anki);
            let draft = qa_draft(&format!("{}/why", b.id), front, back, &title);
            emit(&self.shared, draft);
        }
        if self.wants(CardKind::Cloze) {
            let terms = b.why_in_news.term_keys();
            if !terms.is_empty() {
                let context = format!("{title} › {}", Section::WhyInNews.title());
                let key = format!("{}/why_in_news", b.id);
                emit(
                    &self.shared,
                    cloze_draft(&key, &b.why_in_news, &terms, context, None),
                );
            }
            for (section, points) in b.point_sections() {
                let mut path = Vec::new();
                self.point_notes(section, points, &mut path, &title, emit);
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
                emit(&self.shared, qa_draft(&key, front, back, &title));
            }
        }
    }

    fn point_notes(
        &mut self,
        section: Section,
        points: &'a [Point],
        path: &mut Vec<String>,
        title: &str,
        emit: &mut impl FnMut(&BriefShared, Draft<'a>),
    ) {
        for p in points {
            if let Some(text) = &p.text {
                let terms = text.term_keys();
                let anchor = match (&p.id, terms.first()) {
                    (Some(id), _) => Some(format!("id:{id}")),
                    (None, Some(key)) => Some(format!("t:{key}")),
                    (None, None) => None,
                };
                if let Some(anchor) = anchor {
                    // Counted even when the text makes no note (an `id` but no
                    // key term), so that later points keep their numbers.
                    let seen = self.anchors.entry((section, anchor.clone())).or_insert(0);
                    *seen += 1;
                    let seen = *seen;
                    if !terms.is_empty() {
                        let mut context = format!("{title} › {}", section.title());
                        for step in path.iter() {
                            context.push_str(" › ");
                            context.push_str(step);
                        }
                        if let Some(h) = &p.heading {
                            context.push_str(" › ");
                            context.push_str(&h.markup.to_inline_html(Flavor::Anki));
                        }
                        let mut key = format!("{}/{}/{anchor}", self.brief.id, section.key());
                        if seen > 1 {
                            let _ = write!(key, "#{seen}");
                        }
                        let draft = cloze_draft(&key, text, &terms, context, p.image.as_deref());
                        emit(&self.shared, draft);
                    }
                }
            }
            // Only a point with sub-points needs its step of the path.
            if !p.points.is_empty() {
                path.push(path_step(p));
                self.point_notes(section, &p.points, path, title, emit);
                path.pop();
            }
        }
    }
}

/// Index of the Date field in [`BriefShared::tail_fields`].
const DATE: usize = 1;

/// A cloze note for `text`, which has at least one key term.
fn cloze_draft<'a>(
    key: &str,
    text: &Text,
    terms: &[String],
    context: String,
    image: Option<&'a Image>,
) -> Draft<'a> {
    let numbers = cloze_slots(terms);
    let number = |key: &str| {
        // Texts have a handful of terms: a scan beats hashing the key.
        let i = terms.iter().position(|t| t == key);
        numbers[i.expect("a key term of the text")]
    };
    let html = text
        .markup
        .render(Flavor::Anki, false, &mut |term, inner, out| match term {
            Some(t) => {
                let _ = write!(out, "{{{{c{}::", number(t.key));
                // Inside a cloze Anki reads `::` as the start of a hint, so
                // `**India::Japan**` must not keep it literally.
                if inner.contains("::") {
                    out.push_str(&inner.replace("::", ":&#58;"));
                } else {
                    out.push_str(inner);
                }
                out.push_str("}}");
            }
            None => {
                out.push_str("<strong>");
                out.push_str(inner);
                out.push_str("</strong>");
            }
        });
    let mut ords: Vec<u16> = numbers.iter().map(|n| n - 1).collect();
    ords.sort_unstable();
    Draft {
        guid: guid(key),
        notetype: &CLOZE,
        own_fields: [html, context, image_html(image)],
        card_ords: ords,
        image,
    }
}

fn qa_draft<'a>(key: &str, front: String, back: String, title: &str) -> Draft<'a> {
    Draft {
        guid: guid(key),
        notetype: &QA,
        own_fields: [front, back, title.to_owned()],
        card_ords: vec![0],
        image: None,
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
pub fn cloze_numbers(keys: &[String]) -> HashMap<String, u16> {
    keys.iter()
        .zip(cloze_slots(keys))
        .map(|(k, n)| (k.clone(), n))
        .collect()
}

/// [`cloze_numbers`] as a list in the order of `keys`: what the notes use,
/// without a map and a copy of every key per text.
fn cloze_slots(keys: &[String]) -> Vec<u16> {
    // The loader refuses texts with more terms (`limits::MAX_TERMS_PER_TEXT`);
    // past CLOZE_RANGE the search for a free number would never end.
    assert!(keys.len() <= CLOZE_RANGE as usize, "too many key terms");
    let mut by_hash: Vec<(u64, &str, usize)> = keys
        .iter()
        .enumerate()
        .map(|(i, k)| (hash64(k.as_bytes()) % CLOZE_RANGE, k.as_str(), i))
        .collect();
    by_hash.sort_unstable();
    // One bit per number, on the stack.
    let mut taken = [0u64; (CLOZE_RANGE as usize).div_ceil(64)];
    let mut numbers = vec![0; keys.len()];
    for (slot, _, i) in by_hash {
        let mut s = slot as usize;
        while taken[s / 64] & (1 << (s % 64)) != 0 {
            s = (s + 1) % CLOZE_RANGE as usize;
        }
        taken[s / 64] |= 1 << (s % 64);
        numbers[i] = s as u16 + 1;
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

    fn terms(keys: &[&str]) -> Vec<String> {
        keys.iter().map(|k| k.to_string()).collect()
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
