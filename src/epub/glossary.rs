//! The glossary: every key term (a bold run that is not a label), in
//! alphabetical order, each linking back to where it appears.
//!
//! Terms are collected while the body is rendered, so the anchors the
//! glossary links to are exactly the ones written: the first occurrence of a
//! term in each *place* (one section of one brief, or one self-test entry)
//! gets an `id`, and the glossary lists one link per place. Linking every
//! occurrence would bury the useful links in repeats.
//!
//! A booklet of 10,000 briefs has over 100,000 places and about 200,000
//! distinct terms, so both are stored compactly: a place's terms in one
//! buffer, its anchor prefix as a letter and a number, its file and title
//! shared with the other places of the same file and brief; the glossary's
//! texts in one buffer and its links in one list.

use super::package::Packed;
use super::xhtml::{Page, esc};
use crate::brief::Text;
use crate::key_index::KeyIndex;
use crate::markup::{Flavor, TermRef};
use rayon::prelude::*;
use std::fmt::{self, Write as _};
use std::path::PathBuf;
use std::sync::Arc;

/// The prefix of the anchors given to terms in a place: a letter naming the
/// kind of place and a number, written `w12`. Each letter is used by one
/// kind of place, numbered uniquely within it, so prefixes are unique in
/// the book (and start with a letter, as XML ids must).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct Prefix(pub char, pub usize);

impl fmt::Display for Prefix {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}{}", self.0, self.1)
    }
}

impl Prefix {
    /// Appends the anchor `<prefix>-<n>`. Written for every new term met,
    /// so without the formatting machinery.
    fn push_anchor(self, n: usize, out: &mut String) {
        out.push(self.0);
        push_number(self.1, out);
        out.push('-');
        push_number(n, out);
    }
}

/// Appends `n` in decimal.
fn push_number(mut n: usize, out: &mut String) {
    let mut digits = [0u8; 20];
    let mut at = digits.len();
    loop {
        at -= 1;
        digits[at] = b'0' + (n % 10) as u8;
        n /= 10;
        if n == 0 {
            break;
        }
    }
    out.push_str(std::str::from_utf8(&digits[at..]).expect("ASCII digits"));
}

/// Where texts are rendered: one section of one brief, or one self-test
/// entry. A place renders its texts on its own (so places can be rendered in
/// parallel), remembering the first occurrence of each key term and the
/// images it used; [`Glossary::add`] then takes them in reading order.
pub(crate) struct Place {
    /// Terms here are anchored `<prefix>-<n>`.
    prefix: Prefix,
    /// The file the place is in, shared by all the places in it.
    file: Arc<str>,
    title: Title,
    section: &'static str,
    /// The terms met here; the n-th has anchor `<prefix>-<n>`.
    terms: Terms,
    /// `(packed name, file on disk, media type)`.
    pub images: Vec<(String, PathBuf, &'static str)>,
}

impl Place {
    /// `prefix` must be unique in the book (see [`Prefix`]); `file` is the
    /// file the place is in; `title` (see [`Title::new`]) and `section`
    /// label the glossary's link back.
    pub fn new(prefix: Prefix, file: &Arc<str>, title: &Title, section: &'static str) -> Place {
        Place {
            prefix,
            file: Arc::clone(file),
            title: title.clone(),
            section,
            terms: Terms::default(),
            images: Vec::new(),
        }
    }

    /// Renders `text` as XHTML, anchoring the first occurrence of each key
    /// term here. Labels stay plain bold.
    #[cfg(test)]
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
                Some(term) if terms.contains(term.key) => {
                    out.push_str("<strong class=\"term\">");
                }
                Some(term) => {
                    terms.push(term.key, term.text);
                    out.push_str("<strong class=\"term\" id=\"");
                    prefix.push_anchor(terms.len(), out);
                    out.push_str("\">");
                }
            }
            out.push_str(inner);
            out.push_str("</strong>");
        };
        text.markup.render_into(Flavor::Xhtml, blocks, strong, out);
    }
}

/// A place's terms, `(key, text as first written)` in the order met, kept
/// in one buffer: a place has a handful of terms, each two short strings.
#[derive(Default)]
struct Terms {
    /// Each term's key then its text, end to end.
    buf: String,
    /// Where each key and each text ends in `buf`, alternately.
    ends: Vec<u32>,
}

impl Terms {
    fn len(&self) -> usize {
        self.ends.len() / 2
    }

    fn push(&mut self, key: &str, text: &str) {
        if self.ends.is_empty() {
            // Room for a few terms: most places with one have several.
            self.buf.reserve(128);
            self.ends.reserve(8);
        }
        self.buf.push_str(key);
        self.ends.push(self.buf.len() as u32);
        self.buf.push_str(text);
        self.ends.push(self.buf.len() as u32);
    }

    /// `(key, text)` in the order met.
    fn iter(&self) -> impl Iterator<Item = (&str, &str)> {
        self.ends.chunks_exact(2).scan(0, |start, ends| {
            let (k, t) = (ends[0] as usize, ends[1] as usize);
            let pair = (&self.buf[*start..k], &self.buf[k..t]);
            *start = t;
            Some(pair)
        })
    }

    /// Linear: a place has few terms.
    fn contains(&self, key: &str) -> bool {
        self.iter().any(|(k, _)| k == key)
    }
}

/// A brief's title as a glossary link shows it: escaped once, and shared by
/// all the places of the brief (a booklet of 10,000 briefs has over 100,000
/// places, most of them in the self-test).
#[derive(Clone)]
pub(crate) struct Title(Arc<str>);

impl Title {
    /// From the title as plain text.
    pub fn new(plain: &str) -> Title {
        Title(esc(plain).into())
    }
}

/// What a glossary link says and where it goes, per place.
struct PlaceInfo {
    prefix: Prefix,
    file: Arc<str>,
    title: Title,
    section: &'static str,
}

/// One link of the glossary: the anchor `<prefix>-<n>` of place `place`,
/// for term `entry` (by order of first appearance).
#[derive(Clone, Copy)]
struct Ref {
    entry: u32,
    place: u32,
    n: u32,
}

#[derive(Default)]
pub(crate) struct Glossary {
    /// Each term's entry number, by key.
    index: KeyIndex,
    /// How each term reads where it was first met, end to end; entry `e`'s
    /// text ends at `text_ends[e]`.
    texts: String,
    text_ends: Vec<u32>,
    /// Every link, in reading order.
    refs: Vec<Ref>,
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
    /// The whole content document, compressed as soon as it was written
    /// (a large booklet's glossary runs to megabytes), under a provisional
    /// name: a page's file name depends on how many pages the initials
    /// before it took ([`Packed::renamed`]).
    pub content: Packed,
}

/// A glossary page grows to about this many bytes before the next one
/// starts: large files are slow to open on e-ink readers.
const PAGE_BYTES: usize = 100_000;

/// A term as the pages sort it: the keys borrowed from the glossary.
struct Sorted<'g> {
    bucket: Bucket,
    sort: &'g str,
    key: &'g str,
    entry: u32,
}

impl Glossary {
    /// Takes a rendered place's terms. Places must be added in reading
    /// order: a term reads as it was first written, and its links are listed
    /// in that order.
    pub fn add(&mut self, place: Place) {
        if place.terms.len() == 0 {
            return;
        }
        let index = self.places.len() as u32;
        for (n, (key, text)) in place.terms.iter().enumerate() {
            // Most terms recur: look the key up before making one to keep.
            let entry = match self.index.get(key) {
                Some(entry) => entry,
                None => {
                    let entry = self.index.insert(key);
                    self.texts.push_str(text);
                    self.text_ends.push(self.texts.len() as u32);
                    entry
                }
            };
            self.refs.push(Ref {
                entry,
                place: index,
                n: n as u32 + 1,
            });
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
        self.text_ends.len()
    }

    /// How entry `e` reads.
    fn text(&self, e: u32) -> &str {
        let e = e as usize;
        let start = if e == 0 { 0 } else { self.text_ends[e - 1] };
        &self.texts[start as usize..self.text_ends[e] as usize]
    }

    /// Every entry's links, grouped by entry and in reading order within
    /// each: `(links, starts)`, entry `e`'s links being
    /// `links[starts[e]..starts[e + 1]]`. A counting sort of [`Glossary::refs`].
    fn links_by_entry(&self) -> (Vec<Ref>, Vec<u32>) {
        let mut starts = vec![0u32; self.len() + 1];
        for r in &self.refs {
            starts[r.entry as usize + 1] += 1;
        }
        for e in 0..self.len() {
            starts[e + 1] += starts[e];
        }
        let mut next = starts.clone();
        let mut links = vec![
            Ref {
                entry: 0,
                place: 0,
                n: 0
            };
            self.refs.len()
        ];
        for &r in &self.refs {
            let at = &mut next[r.entry as usize];
            links[*at as usize] = r;
            *at += 1;
        }
        (links, starts)
    }

    /// The glossary's pages in order: numbers and symbols first, then
    /// letters.
    pub fn pages(&self, lang: &str) -> Vec<LetterPage> {
        let mut terms: Vec<Sorted> = (0..self.len() as u32)
            .map(|entry| {
                let key = self.index.key(entry);
                let sort = sort_key(key);
                Sorted {
                    bucket: bucket(sort),
                    sort,
                    key,
                    entry,
                }
            })
            .collect();
        // Keys are distinct, so the order is total.
        terms.par_sort_unstable_by(|a, b| {
            (&a.bucket, a.sort, a.key).cmp(&(&b.bucket, b.sort, b.key))
        });
        let links = self.links_by_entry();

        // Each initial's pages are written in parallel.
        let mut runs: Vec<&[Sorted]> = Vec::new();
        let mut rest = terms.as_slice();
        while let Some(first) = rest.first() {
            let len = rest.iter().take_while(|t| t.bucket == first.bucket).count();
            runs.push(&rest[..len]);
            rest = &rest[len..];
        }
        let pages: Vec<LetterPage> = runs
            .par_iter()
            .flat_map_iter(|run| self.letter_pages(run, &links, lang))
            .collect();
        pages
    }

    /// The pages of one initial.
    fn letter_pages(
        &self,
        run: &[Sorted],
        (links, starts): &(Vec<Ref>, Vec<u32>),
        lang: &str,
    ) -> Vec<LetterPage> {
        let bucket = &run[0].bucket;
        let mut pages = Vec::new();
        let mut open: Option<(String, Page)> = None;
        for term in run {
            if open.as_ref().is_none_or(|(_, p)| p.len() >= PAGE_BYTES) {
                pages.extend(
                    open.take()
                        .map(|(label, page)| letter_page(bucket, label, page)),
                );
                let label = if pages.is_empty() {
                    bucket.label()
                } else {
                    format!("{} (continued)", bucket.label())
                };
                let mut page = Page::new(lang, &format!("Glossary: {label}"), Some("backmatter"));
                page.push("<section epub:type=\"glossary\">\n<h2>");
                page.push_escaped(&label);
                page.push("</h2>\n<dl class=\"glossary\">\n");
                open = Some((label, page));
            }
            let page = &mut open.as_mut().expect("a page").1;
            page.push("<dt>");
            page.push_escaped(self.text(term.entry));
            page.push("</dt>\n<dd>");
            let e = term.entry as usize;
            let refs = &links[starts[e] as usize..starts[e + 1] as usize];
            for (i, r) in refs.iter().enumerate() {
                let p = &self.places[r.place as usize];
                if i > 0 {
                    page.push("; ");
                }
                // File names and prefixes are ours, the title escaped.
                let _ = write!(
                    page,
                    "<a href=\"{}#{}-{}\">{}</a> ({})",
                    p.file, p.prefix, r.n, p.title.0, p.section
                );
            }
            page.push("</dd>\n");
        }
        pages.extend(open.map(|(label, page)| letter_page(bucket, label, page)));
        pages
    }
}

/// Ends a glossary page and compresses it.
fn letter_page(bucket: &Bucket, label: String, mut page: Page) -> LetterPage {
    page.push("</dl>\n</section>");
    LetterPage {
        letter: bucket.letter(),
        label,
        content: Packed::new("glossary.xhtml", &page.finish()),
    }
}

/// The key a term sorts by: leading punctuation ignored (`"(IPOI)"` sorts
/// under I), so the letter pages read as a reader expects. Keys are lower
/// case already.
fn sort_key(key: &str) -> &str {
    let trimmed = key.trim_start_matches(|c: char| !c.is_alphanumeric());
    if trimmed.is_empty() { key } else { trimmed }
}

/// The page a term goes on.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord)]
enum Bucket {
    /// Digits and symbols.
    Other,
    /// The initial in upper case: one to three characters (`ß` is `SS`),
    /// padded with NULs, which sort first, so buckets sort as the strings
    /// would.
    Letter([char; 3]),
}

fn bucket(sort_key: &str) -> Bucket {
    match sort_key.chars().next() {
        Some(c) if c.is_alphabetic() => {
            let mut upper = ['\0'; 3];
            for (slot, u) in upper.iter_mut().zip(c.to_uppercase()) {
                *slot = u;
            }
            Bucket::Letter(upper)
        }
        _ => Bucket::Other,
    }
}

impl Bucket {
    fn letter(&self) -> String {
        match self {
            Bucket::Other => "#".into(),
            Bucket::Letter(l) => l.iter().filter(|&&c| c != '\0').collect(),
        }
    }

    fn label(&self) -> String {
        match self {
            Bucket::Other => "Numbers and symbols".into(),
            Bucket::Letter(_) => self.letter(),
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
        let mut p1 = Place::new(
            Prefix('k', 1),
            &"a.xhtml".into(),
            &Title::new("Brief A"),
            "Key Points",
        );
        let html = p1.render(&text("**5G** and **5g** and **Quad**"), false);
        assert_eq!(
            html,
            "<strong class=\"term\" id=\"k1-1\">5G</strong> and <strong class=\"term\">5g</strong> and <strong class=\"term\" id=\"k1-2\">Quad</strong>"
        );
        let mut p2 = Place::new(
            Prefix('w', 2),
            &"b.xhtml".into(),
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
            pages[1].content.text().contains("<dt>Quad</dt>"),
            "{}",
            pages[1].content.text()
        );
        assert!(
            pages[1].content.text().contains(
                "<a href=\"a.xhtml#k1-2\">Brief A</a> (Key Points); <a href=\"b.xhtml#w2-1\">Brief B</a> (Why in News)"
            ),
            "{}",
            pages[1].content.text()
        );
    }

    #[test]
    fn labels_are_not_terms() {
        let mut g = Glossary::default();
        let mut p = Place::new(
            Prefix('k', 1),
            &"a.xhtml".into(),
            &Title::new("A"),
            "Key Points",
        );
        let html = p.render(&text("**Significance:** it **works**"), false);
        assert!(html.starts_with("<strong>Significance:</strong>"), "{html}");
        g.add(p);
        assert_eq!(g.len(), 1);
    }

    #[test]
    fn a_long_initial_is_split_over_pages() {
        let mut g = Glossary::default();
        let mut p = Place::new(
            Prefix('k', 1),
            &"a.xhtml".into(),
            &Title::new(&"T".repeat(200)),
            "Key Points",
        );
        let many: Vec<String> = (0..2000).map(|i| format!("**a{i}**")).collect();
        p.render(&text(&many.join(" ")), false);
        g.add(p);
        let pages = g.pages("en");
        assert!(pages.len() > 1);
        assert!(
            pages
                .iter()
                .all(|p| p.content.text().len() < PAGE_BYTES + 1000)
        );
        assert_eq!(pages[1].label, "A (continued)");
    }

    #[test]
    fn terms_sort_alphabetically_ignoring_case_and_leading_punctuation() {
        let mut g = Glossary::default();
        let mut p = Place::new(
            Prefix('k', 1),
            &"a.xhtml".into(),
            &Title::new("A"),
            "Key Points",
        );
        p.render(
            &text("**beta** **Alpha** **(IPOI)** **₹72,000 crore** **apple** **Éclair**"),
            false,
        );
        g.add(p);
        let pages = g.pages("en");
        let order: Vec<String> = pages
            .iter()
            .flat_map(|p| {
                p.content
                    .text()
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
    fn buckets_sort_as_their_letters_do() {
        // `ß` upper-cases to `SS`, `ŉ` to `ʼN`: more than one character.
        let initials = ["a", "s", "ß", "t", "z", "é", "ŉ", "ǆ", "1", "ω"];
        let mut by_bucket: Vec<(Bucket, String)> = initials
            .iter()
            .map(|s| (bucket(s), bucket(s).letter()))
            .collect();
        let mut by_string = by_bucket.clone();
        by_bucket.sort_by(|a, b| a.0.cmp(&b.0));
        // Numbers and symbols first, then the letters as strings.
        by_string.sort_by_key(|(b, letter)| (*b != Bucket::Other, letter.clone()));
        assert_eq!(by_bucket, by_string);
        assert_eq!(bucket("ß").letter(), "SS");
        assert_eq!(bucket("1").label(), "Numbers and symbols");
    }

    #[test]
    fn a_place_keeps_its_terms_in_order() {
        let mut t = Terms::default();
        t.push("quad", "Quad");
        t.push("5g", "5G");
        assert_eq!(t.len(), 2);
        assert!(t.contains("5g") && !t.contains("5G"));
        assert_eq!(
            t.iter().collect::<Vec<_>>(),
            [("quad", "Quad"), ("5g", "5G")]
        );
    }

    #[test]
    fn anchors_read_prefix_dash_number() {
        let mut out = String::new();
        Prefix('q', 0).push_anchor(7, &mut out);
        out.push(' ');
        Prefix('k', 1203).push_anchor(10, &mut out);
        assert_eq!(out, "q0-7 k1203-10");
        assert_eq!(Prefix('k', 1203).to_string(), "k1203");
    }

    #[test]
    fn hostile_terms_are_escaped() {
        let mut g = Glossary::default();
        let mut p = Place::new(
            Prefix('k', 1),
            &"a.xhtml".into(),
            &Title::new("<b>"),
            "Key Points",
        );
        p.render(&text("**<script>x</script>**"), false);
        g.add(p);
        let body = &g.pages("en")[0].content.text();
        assert!(!body.contains("<script"), "{body}");
        assert!(!body.contains("<b>"), "{body}");
    }
}
