//! The glossary: every key term (a bold run that is not a label), in
//! alphabetical order, each linking back to where it appears.
//!
//! Terms are collected while the body is rendered, so the anchors the
//! glossary links to are exactly the ones written: the first occurrence of a
//! term in each *place* (one section of one brief, or one self-test entry)
//! gets an `id`, and the glossary lists one link per place. Linking every
//! occurrence would bury the useful links in repeats.

use super::xhtml::esc;
use crate::brief::Text;
use crate::markup::Flavor;
use std::collections::HashMap;
use std::fmt::Write as _;
use std::path::PathBuf;

/// Where texts are rendered: one section of one brief, or one self-test
/// entry. A place renders its texts on its own (so places can be rendered in
/// parallel), remembering the first occurrence of each key term and the
/// images it used; [`Glossary::add`] then takes them in reading order.
pub(crate) struct Place {
    /// Prefix of the anchors given to terms here; unique in the book.
    prefix: String,
    file: String,
    title: String,
    section: &'static str,
    /// `(key, text as first written, anchor)`.
    terms: Vec<(String, String, String)>,
    /// `(packed name, file on disk, media type)`.
    pub images: Vec<(String, PathBuf, &'static str)>,
}

impl Place {
    /// `prefix` must be unique in the book and start with a letter (it
    /// begins XML ids); `title` (plain text) and `section` label the
    /// glossary's link back.
    pub fn new(prefix: String, file: &str, title: &str, section: &'static str) -> Place {
        Place {
            prefix,
            file: file.to_owned(),
            title: title.to_owned(),
            section,
            terms: Vec::new(),
            images: Vec::new(),
        }
    }

    /// Renders `text` as XHTML, anchoring the first occurrence of each key
    /// term here. Labels stay plain bold.
    pub fn render(&mut self, text: &Text, blocks: bool) -> String {
        let Place { prefix, terms, .. } = self;
        text.markup
            .render(Flavor::Xhtml, blocks, &mut |term, inner, _| {
                let Some(term) = term else {
                    return format!("<strong>{inner}</strong>");
                };
                if terms.iter().any(|(k, _, _)| *k == term.key) {
                    return format!("<strong class=\"term\">{inner}</strong>");
                }
                let anchor = format!("{prefix}-{}", terms.len() + 1);
                let html = format!("<strong class=\"term\" id=\"{anchor}\">{inner}</strong>");
                terms.push((term.key.clone(), term.text.clone(), anchor));
                html
            })
    }
}

struct Ref {
    href: String,
    title: String,
    section: &'static str,
}

struct Entry {
    /// How the term reads where it was first met.
    text: String,
    refs: Vec<Ref>,
}

#[derive(Default)]
pub(crate) struct Glossary {
    entries: HashMap<String, Entry>,
}

/// One page of the glossary: terms under one initial (a long initial is
/// split over several pages).
pub(crate) struct LetterPage {
    /// `A`, or `#` for terms starting with a digit or a symbol.
    pub letter: String,
    /// A human label for the navigation: `A`, `A (continued)`, or `Numbers
    /// and symbols`.
    pub label: String,
    pub body: String,
}

/// A glossary page grows to about this many bytes before the next one
/// starts: large files are slow to open on e-ink readers.
const PAGE_BYTES: usize = 100_000;

impl Glossary {
    /// Records a rendered place's terms. Places must be added in reading
    /// order: a term reads as it was first written, and its links are listed
    /// in that order.
    pub fn add(&mut self, place: &Place) {
        for (key, text, anchor) in &place.terms {
            let entry = self.entries.entry(key.clone()).or_insert_with(|| Entry {
                text: text.clone(),
                refs: Vec::new(),
            });
            entry.refs.push(Ref {
                href: format!("{}#{anchor}", place.file),
                title: place.title.clone(),
                section: place.section,
            });
        }
    }

    /// Number of distinct key terms.
    pub fn len(&self) -> usize {
        self.entries.len()
    }

    /// The glossary's pages in order: numbers and symbols first, then
    /// letters.
    pub fn pages(&self) -> Vec<LetterPage> {
        let mut terms: Vec<(Bucket, String, &String, &Entry)> = self
            .entries
            .iter()
            .map(|(key, e)| {
                let sort = sort_key(key);
                (bucket(&sort), sort, key, e)
            })
            .collect();
        terms.sort_by(|a, b| (&a.0, &a.1, a.2).cmp(&(&b.0, &b.1, b.2)));

        let mut pages: Vec<LetterPage> = Vec::new();
        let mut current: Option<Bucket> = None;
        for (bucket, _, _, entry) in terms {
            let full = pages.last().is_some_and(|p| p.body.len() >= PAGE_BYTES);
            if current.as_ref() != Some(&bucket) || full {
                let label = if current.as_ref() == Some(&bucket) {
                    format!("{} (continued)", bucket.label())
                } else {
                    bucket.label()
                };
                pages.push(LetterPage {
                    letter: bucket.letter(),
                    label,
                    body: String::new(),
                });
                current = Some(bucket);
            }
            let page = pages.last_mut().expect("a page");
            let _ = write!(page.body, "<dt>{}</dt>\n<dd>", esc(&entry.text));
            for (i, r) in entry.refs.iter().enumerate() {
                let _ = write!(
                    page.body,
                    "{}<a href=\"{}\">{}</a> ({})",
                    if i > 0 { "; " } else { "" },
                    esc(&r.href),
                    esc(&r.title),
                    r.section
                );
            }
            page.body.push_str("</dd>\n");
        }
        pages
    }
}

/// The key a term sorts by: lower case, leading punctuation ignored
/// (`"(IPOI)"` sorts under I), so the letter pages read as a reader expects.
fn sort_key(key: &str) -> String {
    let trimmed = key.trim_start_matches(|c: char| !c.is_alphanumeric());
    if trimmed.is_empty() {
        key.to_owned()
    } else {
        trimmed.to_owned()
    }
}

/// The page a term goes on.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord)]
enum Bucket {
    /// Digits and symbols.
    Other,
    Letter(String),
}

fn bucket(sort_key: &str) -> Bucket {
    match sort_key.chars().next() {
        Some(c) if c.is_alphabetic() => Bucket::Letter(c.to_uppercase().collect()),
        _ => Bucket::Other,
    }
}

impl Bucket {
    fn letter(&self) -> String {
        match self {
            Bucket::Other => "#".into(),
            Bucket::Letter(l) => l.clone(),
        }
    }

    fn label(&self) -> String {
        match self {
            Bucket::Other => "Numbers and symbols".into(),
            Bucket::Letter(l) => l.clone(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::diagnostic::Pos;
    use crate::markup::Markup;

    fn text(s: &str) -> Text {
        let markup = Markup::parse(s).0;
        Text {
            source: s.into(),
            terms: markup.key_terms(),
            markup,
            pos: Pos::default(),
        }
    }

    #[test]
    fn first_occurrence_per_place_is_anchored_and_listed() {
        let mut g = Glossary::default();
        let mut p1 = Place::new("k1".into(), "a.xhtml", "Brief A", "Key Points");
        let html = p1.render(&text("**5G** and **5g** and **Quad**"), false);
        assert_eq!(
            html,
            "<strong class=\"term\" id=\"k1-1\">5G</strong> and <strong class=\"term\">5g</strong> and <strong class=\"term\" id=\"k1-2\">Quad</strong>"
        );
        let mut p2 = Place::new("w2".into(), "b.xhtml", "Brief B", "Why in News");
        p2.render(&text("the **quad**"), true);
        g.add(&p1);
        g.add(&p2);
        assert_eq!(g.len(), 2);

        let pages = g.pages();
        let letters: Vec<&str> = pages.iter().map(|p| p.letter.as_str()).collect();
        assert_eq!(letters, ["#", "Q"]);
        assert!(pages[1].body.contains("<dt>Quad</dt>"), "{}", pages[1].body);
        assert!(
            pages[1].body.contains(
                "<a href=\"a.xhtml#k1-2\">Brief A</a> (Key Points); <a href=\"b.xhtml#w2-1\">Brief B</a> (Why in News)"
            ),
            "{}",
            pages[1].body
        );
    }

    #[test]
    fn labels_are_not_terms() {
        let mut g = Glossary::default();
        let mut p = Place::new("k1".into(), "a.xhtml", "A", "Key Points");
        let html = p.render(&text("**Significance:** it **works**"), false);
        assert!(html.starts_with("<strong>Significance:</strong>"), "{html}");
        g.add(&p);
        assert_eq!(g.len(), 1);
    }

    #[test]
    fn a_long_initial_is_split_over_pages() {
        let mut g = Glossary::default();
        let mut p = Place::new("k1".into(), "a.xhtml", &"T".repeat(200), "Key Points");
        let many: Vec<String> = (0..2000).map(|i| format!("**a{i}**")).collect();
        p.render(&text(&many.join(" ")), false);
        g.add(&p);
        let pages = g.pages();
        assert!(pages.len() > 1);
        assert!(pages.iter().all(|p| p.body.len() < PAGE_BYTES + 1000));
        assert_eq!(pages[1].label, "A (continued)");
    }

    #[test]
    fn terms_sort_alphabetically_ignoring_case_and_leading_punctuation() {
        let mut g = Glossary::default();
        let mut p = Place::new("k1".into(), "a.xhtml", "A", "Key Points");
        p.render(
            &text("**beta** **Alpha** **(IPOI)** **₹72,000 crore** **apple** **Éclair**"),
            false,
        );
        g.add(&p);
        let pages = g.pages();
        let order: Vec<String> = pages
            .iter()
            .flat_map(|p| {
                p.body
                    .lines()
                    .filter_map(|l| l.strip_prefix("<dt>")?.strip_suffix("</dt>"))
                    .map(str::to_owned)
                    .collect::<Vec<_>>()
            })
            .collect();
        assert_eq!(
            order,
            [
                "₹72,000 crore",
                "Alpha",
                "apple",
                "beta",
                "(IPOI)",
                "Éclair"
            ]
        );
    }

    #[test]
    fn hostile_terms_are_escaped() {
        let mut g = Glossary::default();
        let mut p = Place::new("k1".into(), "a.xhtml", "<b>", "Key Points");
        p.render(&text("**<script>x</script>**"), false);
        g.add(&p);
        let body = &g.pages()[0].body;
        assert!(!body.contains("<script"), "{body}");
        assert!(!body.contains("<b>"), "{body}");
    }
}
