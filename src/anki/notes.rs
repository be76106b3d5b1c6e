//! Notes from briefs: which texts become cards, their fields, decks and tags.

use super::guid::{Guid, hash64};
use super::notetype::{CLOZE, NoteType, QA};
use crate::brief::{Brief, Image, Point, Section, Text};
use crate::cli::{CardKind, DeckBy};
use crate::key_index::KeyIndex;
use crate::markup::{Flavor, escape, escape_into};
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
/// the brief's [`BriefShared`]. Its text is borrowed from the maker's
/// buffers, which the next note reuses: the `.apkg` writer copies drafts
/// straight into its row buffers; [`notes`] turns them into owned [`Note`]s.
#[derive(Debug)]
pub struct Draft<'d, 'a> {
    pub guid: Guid,
    pub notetype: &'static NoteType,
    pub own_fields: [&'d str; 3],
    /// Card ordinals (0-based), sorted.
    pub card_ords: &'d [u16],
    pub image: Option<&'a Image>,
}

impl Draft<'_, '_> {
    pub fn into_note(self, shared: &BriefShared) -> Note {
        let mut fields = Vec::with_capacity(7);
        fields.extend(self.own_fields.map(str::to_owned));
        fields.extend(shared.tail_fields.iter().cloned());
        Note {
            guid: self.guid.as_str().to_owned(),
            notetype: self.notetype,
            fields,
            tags: shared.tags.clone(),
            deck: shared.deck.clone(),
            card_ords: self.card_ords.to_vec(),
            media: self.image.cloned().into_iter().collect(),
        }
    }
}

/// Makes the notes of one brief in order, handing each to `emit` with what
/// the brief's notes share.
pub fn brief_notes<'a>(
    brief: &'a Brief,
    options: &'a NoteOptions,
    mut emit: impl FnMut(&BriefShared, Draft<'_, 'a>),
) {
    thread_local! {
        /// The note buffers, kept for this thread's next brief.
        static BUFFERS: std::cell::Cell<Buffers> = Default::default();
    }
    let mut notes = BriefNotes::new(brief, options, BUFFERS.take());
    notes.collect_into(&mut emit);
    BUFFERS.set(notes.buf);
}

/// The shared context of one brief's notes.
struct BriefNotes<'a> {
    brief: &'a Brief,
    options: &'a NoteOptions,
    shared: BriefShared,
    buf: Buffers,
}

/// What a note is made in, reused from note to note and brief to brief, so
/// that a note costs no allocation of its own.
#[derive(Default)]
struct Buffers {
    /// The three fields of a note's own: text (or front), context (or
    /// back), extra (or title).
    fields: [String; 3],
    /// The identity key of the note.
    key: String,
    /// The key terms of the text: `terms[..term_count]`.
    terms: Vec<String>,
    term_count: usize,
    /// Each term's cloze number, in term order.
    numbers: Vec<u16>,
    /// Card ordinals, sorted.
    ords: Vec<u16>,
    /// (hash slot, term) pairs being given cloze numbers.
    slots: Vec<(u64, usize)>,
    /// The anchors of point notes met so far in the brief, and how many
    /// notes each anchor has had.
    anchors: KeyIndex,
    anchor_counts: Vec<usize>,
    /// The context path of the points being walked, each step after a
    /// ` › `, and where each step starts.
    path: String,
    path_starts: Vec<usize>,
}

impl<'a> BriefNotes<'a> {
    fn new(brief: &'a Brief, options: &'a NoteOptions, mut buf: Buffers) -> Self {
        buf.anchors.clear();
        buf.anchor_counts.clear();
        buf.path.clear();
        buf.path_starts.clear();
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
            buf,
        }
    }

    fn wants(&self, kind: CardKind) -> bool {
        self.options.cards.contains(&kind)
    }

    fn collect_into(&mut self, emit: &mut impl FnMut(&BriefShared, Draft<'_, 'a>)) {
        let b = self.brief;
        let title = b.title.markup.to_inline_html(Flavor::Anki);
        if self.wants(CardKind::Why) {
            let [front, back, extra] = &mut self.buf.fields;
            front.clear();
            let _ = write!(
                front,
                "Why in News: {title} <span class=\"bd-date\">({})</span>",
                self.shared.tail_fields[DATE]
            );
            back.clear();
            b.why_in_news.markup.html_into(Flavor::Anki, true, back);
            extra.clear();
            extra.push_str(&title);
            self.buf.key.clear();
            let _ = write!(self.buf.key, "{}/why", b.id);
            emit(&self.shared, self.buf.qa_draft());
        }
        if self.wants(CardKind::Cloze) {
            self.buf.term_count = b.why_in_news.markup.term_keys_into(&mut self.buf.terms);
            if self.buf.term_count > 0 {
                let context = &mut self.buf.fields[1];
                context.clear();
                let _ = write!(context, "{title} › {}", Section::WhyInNews.title());
                self.buf.key.clear();
                let _ = write!(self.buf.key, "{}/why_in_news", b.id);
                let draft = self.buf.cloze_draft(&b.why_in_news, None);
                emit(&self.shared, draft);
            }
            for (section, points) in b.point_sections() {
                self.point_notes(section, points, &title, emit);
            }
        }
        if self.wants(CardKind::Facts) {
            for fact in &b.facts {
                let [front, back, extra] = &mut self.buf.fields;
                let key = &mut self.buf.key;
                key.clear();
                let _ = match &fact.id {
                    Some(id) => write!(key, "{}/fact/{id}", b.id),
                    None => write!(
                        key,
                        "{}/fact/q:{}",
                        b.id,
                        normalise(&fact.question.markup.plain_text())
                    ),
                };
                front.clear();
                fact.question.markup.html_into(Flavor::Anki, false, front);
                back.clear();
                fact.answer.markup.html_into(Flavor::Anki, false, back);
                extra.clear();
                extra.push_str(&title);
                emit(&self.shared, self.buf.qa_draft());
            }
        }
    }

    fn point_notes(
        &mut self,
        section: Section,
        points: &'a [Point],
        title: &str,
        emit: &mut impl FnMut(&BriefShared, Draft<'_, 'a>),
    ) {
        for p in points {
            if let Some(text) = &p.text {
                let buf = &mut self.buf;
                buf.term_count = text.markup.term_keys_into(&mut buf.terms);
                // The identity key: `{brief}/{section}/{anchor}`, then `#n`
                // from the anchor's second note on.
                let key = &mut buf.key;
                key.clear();
                let _ = write!(key, "{}/{}/", self.brief.id, section.key());
                // Writing to a String cannot fail.
                let anchored = match (&p.id, buf.term_count) {
                    (Some(id), _) => {
                        let _ = write!(key, "id:{id}");
                        true
                    }
                    (None, 1..) => {
                        let _ = write!(key, "t:{}", buf.terms[0]);
                        true
                    }
                    (None, 0) => false,
                };
                if anchored {
                    // Counted even when the text makes no note (an `id` but no
                    // key term), so that later points keep their numbers. The
                    // section is in the key, so anchors of sections differ.
                    let seen = match buf.anchors.get(key) {
                        Some(e) => {
                            buf.anchor_counts[e as usize] += 1;
                            buf.anchor_counts[e as usize]
                        }
                        None => {
                            buf.anchors.insert(key);
                            buf.anchor_counts.push(1);
                            1
                        }
                    };
                    if buf.term_count > 0 {
                        if seen > 1 {
                            let _ = write!(key, "#{seen}");
                        }
                        let context = &mut buf.fields[1];
                        context.clear();
                        let _ = write!(context, "{title} › {}", section.title());
                        context.push_str(&buf.path);
                        if let Some(h) = &p.heading {
                            context.push_str(" › ");
                            h.markup.html_into(Flavor::Anki, false, context);
                        }
                        let draft = buf.cloze_draft(text, p.image.as_deref());
                        emit(&self.shared, draft);
                    }
                }
            }
            // Only a point with sub-points needs its step of the path.
            if !p.points.is_empty() {
                self.buf.path_starts.push(self.buf.path.len());
                self.buf.path.push_str(" › ");
                self.buf.path.push_str(&path_step(p));
                self.point_notes(section, &p.points, title, emit);
                let start = self.buf.path_starts.pop().expect("pushed above");
                self.buf.path.truncate(start);
            }
        }
    }
}

/// Index of the Date field in [`BriefShared::tail_fields`].
const DATE: usize = 1;

impl Buffers {
    /// A cloze note for `text`, whose key terms are in `terms[..term_count]`
    /// (at least one); the key and the context field are written already.
    fn cloze_draft<'d, 'a>(&'d mut self, text: &Text, image: Option<&'a Image>) -> Draft<'d, 'a> {
        let terms = &self.terms[..self.term_count];
        cloze_slots_into(terms, &mut self.slots, &mut self.numbers);
        let numbers = &self.numbers;
        let number = |key: &str| {
            // Texts have a handful of terms: a scan beats hashing the key.
            let i = terms.iter().position(|t| t == key);
            numbers[i.expect("a key term of the text")]
        };
        let [html, _, extra] = &mut self.fields;
        html.clear();
        text.markup.render_into(
            Flavor::Anki,
            false,
            &mut |term, inner, out| match term {
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
            },
            html,
        );
        extra.clear();
        if let Some(i) = image {
            image_html_into(i, extra);
        }
        self.ords.clear();
        self.ords.extend(self.numbers.iter().map(|n| n - 1));
        self.ords.sort_unstable();
        Draft {
            guid: Guid::of(&self.key),
            notetype: &CLOZE,
            own_fields: self.fields.each_ref().map(String::as_str),
            card_ords: &self.ords,
            image,
        }
    }

    /// A Q&A note: front, back and title in the fields, the key written.
    fn qa_draft<'a>(&mut self) -> Draft<'_, 'a> {
        self.ords.clear();
        self.ords.push(0);
        Draft {
            guid: Guid::of(&self.key),
            notetype: &QA,
            own_fields: self.fields.each_ref().map(String::as_str),
            card_ords: &self.ords,
            image: None,
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
pub fn cloze_numbers(keys: &[String]) -> HashMap<String, u16> {
    let mut numbers = Vec::new();
    cloze_slots_into(keys, &mut Vec::new(), &mut numbers);
    keys.iter().cloned().zip(numbers).collect()
}

/// [`cloze_numbers`] as a list in the order of `keys`, written into
/// `numbers`, with `slots` as scratch (both cleared first): what the notes
/// use, without a map and a copy of every key per text.
fn cloze_slots_into(keys: &[String], slots: &mut Vec<(u64, usize)>, numbers: &mut Vec<u16>) {
    // The loader refuses texts with more terms (`limits::MAX_TERMS_PER_TEXT`);
    // past CLOZE_RANGE the search for a free number would never end.
    assert!(keys.len() <= CLOZE_RANGE as usize, "too many key terms");
    slots.clear();
    slots.extend(
        keys.iter()
            .enumerate()
            .map(|(i, k)| (hash64(k.as_bytes()) % CLOZE_RANGE, i)),
    );
    // By (hash slot, term): keys are distinct, so the order is total.
    slots.sort_unstable_by(|a, b| a.0.cmp(&b.0).then_with(|| keys[a.1].cmp(&keys[b.1])));
    // One bit per number, on the stack.
    let mut taken = [0u64; (CLOZE_RANGE as usize).div_ceil(64)];
    numbers.clear();
    numbers.resize(keys.len(), 0);
    for &(slot, i) in slots.iter() {
        let mut s = slot as usize;
        while taken[s / 64] & (1 << (s % 64)) != 0 {
            s = (s + 1) % CLOZE_RANGE as usize;
        }
        taken[s / 64] |= 1 << (s % 64);
        numbers[i] = s as u16 + 1;
    }
}

fn image_html_into(image: &Image, out: &mut String) {
    out.push_str("<img src=\"");
    escape_into(&image.file_name(), Flavor::Anki, out);
    out.push_str("\" alt=\"");
    escape_into(&image.alt, Flavor::Anki, out);
    out.push_str("\">");
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
