//! The glossary: every key term (a bold run that is not a label), in
//! alphabetical order, each linking back to where it appears.
//!
//! Terms are collected while the body is rendered, so the anchors the
//! glossary links to are exactly the ones written: the first occurrence of a
//! term in each *place* (one section of one brief, or one self-test entry)
//! gets an `id`, and the glossary lists one link per place. Linking every
//! occurrence would bury the useful links in repeats.

use super::xhtml::{Page, esc};
use crate::brief::Text;
use crate::markup::{Flavor, TermRef};
use rayon::prelude::*;
use std::collections::HashMap;
use std::fmt::Write as _;
use std::path::PathBuf;

/// Where texts are rendered: one section of one brief, or one self-test
/// entry. A place renders its texts on its own (so places can be rendered in
/// parallel), remembering the first occurrence of each key term and the
/// images it used; [`Glossary::add`] then takes them in reading order.
pub(crate) struct Place {
    /// Prefix of the anchors given to terms here (`<prefix>-<n>`); unique in
    /// the book, starting with a letter.
    prefix: String,
    file: String,
    title: Title,
    section: &'static str,
    /// `(key, text as first written)`; the n-th has anchor `<prefix>-<n>`.
    terms: Vec<(String, String)>,
    /// `(packed name, file on disk, media type)`.
    pub images: Vec<(String, PathBuf, &'static str)>,
}

impl Place {
    /// `prefix` must be unique in the book and start with a letter (it
    /// begins XML ids); `title` (see [`Title::new`]) and `section` label the
    /// glossary's link back.
    pub fn new(prefix: String, file: &str, title: &Title, section: &'static str) -> Place {
        Place {
            prefix,
            file: file.to_owned(),
            title: title.clone(),
            section,
            terms: Vec::new(),
            images: Vec::new(),
        }
    }

    /// Renders `text` as XHTML, anchoring the first occurrence of each key
    /// term here. Labels stay plain bold.
    pub fn render(&mut self, text: &Text, blocks: bool) -> String {
        let mut out = String::new();
        self.render_into(text, blocks, &mut out);
        out
    }

    /// [`Place::render`], appending to `out`.
    pub fn render_into(&mut self, text: &Text, blocks: bool, out: &mut String) {
        let Place { prefix, terms, .. } = self;
        let strong = &mut |term: Option<TermRef>, inner: &str, out: &mut String| {
            match term {
                None => out.push_str("<strong>"),
                Some(term) if terms.iter().any(|(k, _)| k == term.key) => {
                    out.push_str("<strong class=\"term\">");
                }
                Some(term) => {
                    terms.push((term.key.to_owned(), term.text.to_owned()));
                    let _ = write!(
                        out,
                        "<strong class=\"term\" id=\"{prefix}-{}\">",
                        terms.len()
                    );
                }
            }
            out.push_str(inner);
            out.push_str("</strong>");
        };
        text.markup.render_into(Flavor::Xhtml, blocks, strong, out);
    }
}

/// A brief's title as a glossary link shows it: escaped once, and shared by
/// all the places of the brief (a booklet of 10,000 briefs has over 100,000
/// places, most of them in the self-test).
#[derive(Clone)]
pub(crate) struct Title(std::sync::Arc<str>);

impl Title {
    /// From the title as plain text.
    pub fn new(plain: &str) -> Title {
        Title(esc(plain).into())
    }
}

/// What a glossary link says and where it goes, per place.
struct PlaceInfo {
    prefix: String,
    file: String,
    title: Title,
    section: &'static str,
}

struct Entry {
    /// How the term reads where it was first met.
    text: String,
    /// `(place, n)`: the anchor `<prefix>-<n>` of that place.
    refs: Vec<(u32, u32)>,
}

#[derive(Default)]
pub(crate) struct Glossary {
    entries: HashMap<String, Entry>,
    places: Vec<PlaceInfo>,
}

/// One page of the glossary: terms under one initial (a long initial is
/// split over several pages).
pub(crate) struct LetterPage {
    /// `A`, or `#` for terms starting with a digit or a symbol.
    pub letter: String,
    /// A human label for the navigation: `A`, `A (continued)`, or `Numbers
    /// and symbols`.
    pub label: String,
    /// The whole content document.
    pub xhtml: String,
}

/// A glossary page grows to about this many bytes before the next one
/// starts: large files are slow to open on e-ink readers.
const PAGE_BYTES: usize = 100_000;

impl Glossary {
    /// Takes a rendered place's terms. Places must be added in reading
    /// order: a term reads as it was first written, and its links are listed
    /// in that order.
    pub fn add(&mut self, place: Place) {
        if place.terms.is_empty() {
            return;
        }
        let index = self.places.len() as u32;
        for (n, (key, text)) in place.terms.into_iter().enumerate() {
            let r = (index, n as u32 + 1);
            match self.entries.get_mut(&key) {
                Some(entry) => entry.refs.push(r),
                None => {
                    self.entries.insert(
                        key,
                        Entry {
                            text,
                            refs: vec![r],
                        },
                    );
                }
            }
        }
        self.places.push(PlaceInfo {
            prefix: place.prefix,
            file: place.file,
            title: place.title,
            section: place.section,
        });
    }

    /// Number of distinct key terms.
    pub fn len(&self) -> usize {
        self.entries.len()
    }

    /// The glossary's pages in order: numbers and symbols first, then
    /// letters.
    pub fn pages(&self, lang: &str) -> Vec<LetterPage> {
        let mut terms: Vec<(Bucket, String, &String, &Entry)> = self
            .entries
            .iter()
            .map(|(key, e)| {
                let sort = sort_key(key);
                (bucket(&sort), sort, key, e)
            })
            .collect();
        terms.par_sort_unstable_by(|a, b| (&a.0, &a.1, a.2).cmp(&(&b.0, &b.1, b.2)));

        // Each initial's pages are written in parallel.
        let mut runs: Vec<&[(Bucket, String, &String, &Entry)]> = Vec::new();
        let mut rest = terms.as_slice();
        while let Some(first) = rest.first() {
            let len = rest.iter().take_while(|t| t.0 == first.0).count();
            runs.push(&rest[..len]);
            rest = &rest[len..];
        }
        let pages: Vec<LetterPage> = runs
            .par_iter()
            .flat_map_iter(|run| self.letter_pages(run, lang))
            .collect();
        pages
    }

    /// The pages of one initial.
    fn letter_pages(
        &self,
        run: &[(Bucket, String, &String, &Entry)],
        lang: &str,
    ) -> Vec<LetterPage> {
        let bucket = &run[0].0;
        let mut pages: Vec<(String, Page)> = Vec::new();
        for (_, _, _, entry) in run {
            if pages.last().is_none_or(|(_, p)| p.len() >= PAGE_BYTES) {
                let label = if pages.is_empty() {
                    bucket.label()
                } else {
                    format!("{} (continued)", bucket.label())
                };
                let mut page = Page::new(lang, &format!("Glossary: {label}"), Some("backmatter"));
                let _ = write!(
                    page,
                    "<section epub:type=\"glossary\">\n<h2>{}</h2>\n<dl class=\"glossary\">\n",
                    esc(&label)
                );
                pages.push((label, page));
            }
            let page = &mut pages.last_mut().expect("a page").1;
            page.push("<dt>");
            page.push(&esc(&entry.text));
            page.push("</dt>\n<dd>");
            for (i, &(place, n)) in entry.refs.iter().enumerate() {
                let p = &self.places[place as usize];
                if i > 0 {
                    page.push("; ");
                }
                // File names and prefixes are ours, the title escaped.
                let _ = write!(
                    page,
                    "<a href=\"{}#{}-{n}\">{}</a> ({})",
                    p.file, p.prefix, p.title.0, p.section
                );
            }
            page.push("</dd>\n");
        }
        pages
            .into_iter()
            .map(|(label, mut page)| {
                page.push("</dl>\n</section>");
                LetterPage {
                    letter: bucket.letter(),
                    label,
                    xhtml: page.finish(),
                }
            })
            .collect()
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

    fn text(s: &str) -> Text {
        Text::parse(s.into(), Pos::default()).0
    }

    #[test]
    fn first_occurrence_per_place_is_anchored_and_listed() {
        let mut g = Glossary::default();
        let mut p1 = Place::new("k1".into(), "a.xhtml", &Title::new("Brief A"), "Key Points");
        let html = p1.render(&text("**5G** and **5g** and **Quad**"), false);
        assert_eq!(
            html,
            "<strong class=\"term\" id=\"k1-1\">5G</strong> and <strong class=\"term\">5g</strong> and <strong class=\"term\" id=\"k1-2\">Quad</strong>"
        );
        let mut p2 = Place::new(
            "w2".into(),
            "b.xhtml",
            &Title::new("Brief B"),
            "Why in News",
        );
        p2.render(&text("the **quad**"), true);
        g.add(p1);
        g.add(p2);
        assert_eq!(g.len(), 2);

        let pages = g.pages("en");
        let letters: Vec<&str> = pages.iter().map(|p| p.letter.as_str()).collect();
        assert_eq!(letters, ["#", "Q"]);
        assert!(
            pages[1].xhtml.contains("<dt>Quad</dt>"),
            "{}",
            pages[1].xhtml
        );
        assert!(
            pages[1].xhtml.contains(
                "<a href=\"a.xhtml#k1-2\">Brief A</a> (Key Points); <a href=\"b.xhtml#w2-1\">Brief B</a> (Why in News)"
            ),
            "{}",
            pages[1].xhtml
        );
    }

    #[test]
    fn labels_are_not_terms() {
        let mut g = Glossary::default();
        let mut p = Place::new("k1".into(), "a.xhtml", &Title::new("A"), "Key Points");
        let html = p.render(&text("**Significance:** it **works**"), false);
        assert!(html.starts_with("<strong>Significance:</strong>"), "{html}");
        g.add(p);
        assert_eq!(g.len(), 1);
    }

    #[test]
    fn a_long_initial_is_split_over_pages() {
        let mut g = Glossary::default();
        let mut p = Place::new(
            "k1".into(),
            "a.xhtml",
            &Title::new(&"T".repeat(200)),
            "Key Points",
        );
        let many: Vec<String> = (0..2000).map(|i| format!("**a{i}**")).collect();
        p.render(&text(&many.join(" ")), false);
        g.add(p);
        let pages = g.pages("en");
        assert!(pages.len() > 1);
        assert!(pages.iter().all(|p| p.xhtml.len() < PAGE_BYTES + 1000));
        assert_eq!(pages[1].label, "A (continued)");
    }

    #[test]
    fn terms_sort_alphabetically_ignoring_case_and_leading_punctuation() {
        let mut g = Glossary::default();
        let mut p = Place::new("k1".into(), "a.xhtml", &Title::new("A"), "Key Points");
        p.render(
            &text("**beta** **Alpha** **(IPOI)** **₹72,000 crore** **apple** **Éclair**"),
            false,
        );
        g.add(p);
        let pages = g.pages("en");
        let order: Vec<String> = pages
            .iter()
            .flat_map(|p| {
                p.xhtml
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
        let mut p = Place::new("k1".into(), "a.xhtml", &Title::new("<b>"), "Key Points");
        p.render(&text("**<script>x</script>**"), false);
        g.add(p);
        let body = &g.pages("en")[0].xhtml;
        assert!(!body.contains("<script"), "{body}");
        assert!(!body.contains("<b>"), "{body}");
    }
}
