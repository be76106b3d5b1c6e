//! Property tests over whole briefs: generated YAML (hostile text around
//! known key terms, nested points, facts, optional sections) goes through the
//! loader and both exporters. Whatever the text, loading never panics, every
//! key term comes back exactly once, each becomes exactly one cloze card, and
//! every Anki field and every EPUB document is well-formed XML with no live
//! markup.

use super::load_str;
use crate::anki::{self, NoteOptions};
use crate::cli::{CardKind, DeckBy, GroupBy};
use crate::epub::{self, EpubOptions};
use crate::export::BuildTime;
use crate::markup::term_key;
use proptest::prelude::*;
use std::io::Read as _;
use std::path::Path;

/// Complete hostile fragments: each stands alone, so none can swallow the
/// bold runs around it (an open `<a ` here and a `>` there would).
const HOSTILE: &[&str] = &[
    "<script>alert(1)</script>",
    "<img src=x onerror=alert(1)>",
    "<iframe src=\"https://evil.example/\"></iframe>",
    "<a href=\"javascript:alert(1)\">x</a>",
    "javascript:alert(1)",
    "]]>",
    "{{c1::leak}}",
    "{{Front}}",
    "{{cloze:Text}}",
    "::",
    "&amp;",
    "&lt;b&gt;",
    "&#0;",
    "&#x202E;",
    "\u{200B}",
    "\u{200D}",
    "\u{FEFF}",
    "\u{202E}rtl\u{202C}",
    "العربية",
    "<sup>th</sup>",
    "<sub>2</sub>",
    "<sup>unclosed",
    "</sub>",
    "<br>",
    "\"quoted\" 'single'",
    "#",
    "- ",
    "1. ",
    "> ",
    "a\u{0}b\u{1B}c",
];

/// A key term as written in `**…**`: letters and digits, with inner spaces
/// and characters that mean something to Anki or XML (`::`, `{{`, `<`).
fn term() -> impl Strategy<Value = String> {
    "[A-Za-z][A-Za-z0-9 :{}\"'<]{0,10}[A-Za-z0-9]"
}

/// A text: words and hostile fragments around bold terms, sometimes in
/// several paragraphs or lines. Returns the source and its terms as written.
fn text() -> impl Strategy<Value = (String, Vec<String>)> {
    let filler = prop_oneof![
        3 => "[a-z]{1,8}",
        2 => prop::sample::select(HOSTILE).prop_map(str::to_owned),
    ];
    let segment = prop_oneof![
        3 => filler.prop_map(|f| (f, None)),
        2 => term().prop_map(|t| (format!("**{t}**"), Some(t))),
    ];
    let separator = prop_oneof![6 => Just(" "), 1 => Just("\n"), 1 => Just("\n\n")];
    prop::collection::vec((segment, separator), 1..12).prop_map(|parts| {
        // Starts with a word: a leading `**x:**` would be a label.
        let mut source = String::from("Word");
        let mut terms = Vec::new();
        for ((piece, term), sep) in parts {
            source.push_str(if term.is_some() { " " } else { sep });
            source.push_str(&piece);
            terms.extend(term);
        }
        (source, terms)
    })
}

/// A point: a string, or a mapping with text, heading, id and children.
#[derive(Clone, Debug)]
struct GenPoint {
    text: (String, Vec<String>),
    heading: Option<String>,
    children: Vec<GenPoint>,
    as_mapping: bool,
}

fn point() -> impl Strategy<Value = GenPoint> {
    let leaf = (text(), any::<bool>()).prop_map(|(text, as_mapping)| GenPoint {
        text,
        heading: None,
        children: Vec::new(),
        as_mapping,
    });
    leaf.prop_recursive(3, 12, 3, |inner| {
        (
            text(),
            prop::option::of(text().prop_map(|t| t.0)),
            prop::collection::vec(inner, 1..3),
        )
            .prop_map(|(text, heading, children)| GenPoint {
                text,
                heading,
                children,
                as_mapping: true,
            })
    })
}

#[derive(Clone, Debug)]
struct GenBrief {
    title: String,
    subject: String,
    why: (String, Vec<String>),
    key_points: Vec<GenPoint>,
    background: Vec<GenPoint>,
    way_forward: Vec<GenPoint>,
    facts: Vec<(String, (String, Vec<String>))>,
}

fn brief() -> impl Strategy<Value = GenBrief> {
    (
        text().prop_map(|t| t.0),
        prop::sample::select(
            &[
                "Economy",
                "Polity & Governance",
                "<b>Subject</b> :: {{Subject}}",
                "\u{202E}RTL",
            ][..],
        ),
        text(),
        prop::collection::vec(point(), 1..4),
        prop::collection::vec(point(), 0..2),
        prop::collection::vec(point(), 0..2),
        prop::collection::vec((text().prop_map(|t| t.0), text()), 0..3),
    )
        .prop_map(
            |(title, subject, why, key_points, background, way_forward, facts)| GenBrief {
                title,
                subject: subject.to_owned(),
                why,
                key_points,
                background,
                way_forward,
                facts,
            },
        )
}

/// A YAML double-quoted scalar: every character that YAML or a control
/// character could trouble is escaped.
fn q(s: &str) -> String {
    let mut out = String::from("\"");
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            c if c.is_control() || c == '\u{FEFF}' => {
                out.push_str(&format!("\\u{:04X}", c as u32));
            }
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

fn write_points(out: &mut String, key: &str, points: &[GenPoint], indent: usize) {
    if points.is_empty() {
        return;
    }
    let pad = " ".repeat(indent);
    out.push_str(&format!("{pad}{key}:\n"));
    for p in points {
        if p.as_mapping {
            out.push_str(&format!("{pad}  - text: {}\n", q(&p.text.0)));
            if let Some(h) = &p.heading {
                out.push_str(&format!("{pad}    heading: {}\n", q(h)));
            }
            write_points(out, "points", &p.children, indent + 4);
        } else {
            out.push_str(&format!("{pad}  - {}\n", q(&p.text.0)));
        }
    }
}

impl GenBrief {
    fn yaml(&self) -> String {
        let mut y = format!(
            "id: generated\ntitle: {}\ndate: 2024-02-29\nsubject: {}\ntags: [{}]\nsource:\n  name: {}\n  url: {}\nwhy_in_news: {}\n",
            q(&self.title),
            q(&self.subject),
            q("<script>"),
            q("<img src=x onerror=alert(1)>"),
            q("https://example.org/?a=\"><script>&b={{c1::x}}"),
            q(&self.why.0),
        );
        write_points(&mut y, "key_points", &self.key_points, 0);
        write_points(&mut y, "background", &self.background, 0);
        write_points(&mut y, "way_forward", &self.way_forward, 0);
        if !self.facts.is_empty() {
            y.push_str("facts:\n");
            for (question, answer) in &self.facts {
                y.push_str(&format!(
                    "  - q: {}\n    a: {}\n",
                    q(question),
                    q(&answer.0)
                ));
            }
        }
        y
    }

    /// The distinct terms of every cloze text (why in news and every point
    /// at any depth), in the order the exporter meets them.
    fn cloze_texts(&self) -> Vec<Vec<String>> {
        fn walk(points: &[GenPoint], out: &mut Vec<Vec<String>>) {
            for p in points {
                out.push(distinct(&p.text.1));
                walk(&p.children, out);
            }
        }
        let mut out = vec![distinct(&self.why.1)];
        walk(&self.key_points, &mut out);
        walk(&self.background, &mut out);
        walk(&self.way_forward, &mut out);
        out.retain(|t| !t.is_empty());
        out
    }
}

/// Terms as the model should give them: whitespace collapsed, one per key.
fn distinct(terms: &[String]) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    for t in terms {
        let t = t.split_whitespace().collect::<Vec<_>>().join(" ");
        if !out.iter().any(|o| term_key(o) == term_key(&t)) {
            out.push(t);
        }
    }
    out
}

fn assert_well_formed(what: &str, xml: &str) {
    let wrapped = format!("<root xmlns=\"http://www.w3.org/1999/xhtml\">{xml}</root>");
    if let Err(e) = roxmltree::Document::parse(&wrapped) {
        panic!("{what} is not well-formed ({e}): {xml:?}");
    }
}

/// Elements that would be live in a reader or a card.
const LIVE: &[&str] = &[
    "script", "iframe", "object", "embed", "form", "input", "base", "style", "frame",
];

fn assert_no_live_markup(what: &str, doc: &roxmltree::Document) {
    for n in doc.descendants().filter(|n| n.is_element()) {
        let name = n.tag_name().name().to_ascii_lowercase();
        assert!(!LIVE.contains(&name.as_str()), "{what}: <{name}>");
        if name == "img" {
            let src = n.attribute("src").unwrap_or("");
            assert!(
                src == "cover.svg" || src.starts_with("images/img-") || src.starts_with("img-"),
                "{what}: <img src={src:?}>"
            );
        }
        for a in n.attributes() {
            let lower = a.name().to_ascii_lowercase();
            assert!(!lower.starts_with("on"), "{what}: attribute {lower}");
            let value = a.value().trim().to_ascii_lowercase();
            assert!(
                !value.starts_with("javascript:") && !value.starts_with("data:"),
                "{what}: {lower}={value:?}"
            );
        }
    }
}

fn load(yaml: &str) -> (Vec<super::Brief>, Vec<crate::diagnostic::Diagnostic>) {
    load_str(yaml, Path::new("generated.yaml"), Path::new("."))
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(48))]

    #[test]
    fn whole_briefs_round_trip_through_both_exporters(b in brief()) {
        let yaml = b.yaml();
        let (briefs, diagnostics) = load(&yaml);
        let errors: Vec<String> = diagnostics
            .iter()
            .filter(|d| d.is_error())
            .map(|d| d.headline())
            .collect();
        prop_assert!(errors.is_empty(), "{:?}\n{}", errors, yaml);
        prop_assert_eq!(briefs.len(), 1);
        let brief = &briefs[0];

        // Key terms round-trip, text by text.
        let mut got_texts: Vec<Vec<String>> = Vec::new();
        if !brief.why_in_news.terms().is_empty() {
            got_texts.push(brief.why_in_news.terms().iter().map(|t| t.text.clone()).collect());
        }
        brief.walk_points(|_, _, p| {
            if let Some(t) = &p.text && !t.terms().is_empty() {
                got_texts.push(t.terms().iter().map(|t| t.text.clone()).collect());
            }
        });
        // `walk_points` goes section by section, like the generator.
        prop_assert_eq!(&got_texts, &b.cloze_texts(), "{}", yaml);

        // Anki: one card per distinct term, plus why and facts; no field
        // holds template syntax other than our clozes, or live markup.
        let options = NoteOptions {
            cards: vec![CardKind::Cloze, CardKind::Facts, CardKind::Why],
            deck_root: "Root".into(),
            deck_by: DeckBy::Subject,
        };
        let notes = anki::notes(&briefs, &options);
        let cards: usize = notes.iter().map(|n| n.card_ords.len()).sum();
        let expected: usize =
            b.cloze_texts().iter().map(Vec::len).sum::<usize>() + b.facts.len() + 1;
        prop_assert_eq!(cards, expected, "{}", yaml);
        for note in &notes {
            let clozes = note.fields[0].matches("{{c").count();
            for (i, field) in note.fields.iter().enumerate() {
                if note.notetype.name == "briefdeck Cloze" && i == 2 {
                    continue; // the image field: our own `<img>`, HTML style
                }
                let opens = field.matches("{{").count();
                let closes = field.matches("}}").count();
                if i == 0 && note.notetype.name == "briefdeck Cloze" {
                    prop_assert_eq!(opens, clozes, "{}", field);
                    prop_assert!(closes >= clozes, "{}", field);
                    // Inside a cloze, `::` would start a hint.
                    for cloze in field.split("{{c").skip(1) {
                        let body = cloze.split_once("::").map_or("", |(_, b)| b);
                        let body = body.split("}}").next().unwrap_or("");
                        prop_assert!(!body.contains("::"), "a hint in {}", field);
                    }
                } else {
                    prop_assert_eq!(opens + closes, 0, "{}", field);
                }
                assert_well_formed("an Anki field", field);
                let wrapped = format!("<root>{field}</root>");
                let doc = roxmltree::Document::parse(&wrapped).unwrap();
                assert_no_live_markup("an Anki field", &doc);
            }
        }

        // EPUB: every document well-formed, no live markup, every term in
        // the text.
        let options = EpubOptions {
            title: "Booklet <script>".into(),
            author: "A & B".into(),
            publisher: None,
            description: None,
            language: "en".into(),
            group_by: GroupBy::Theme,
            term_questions: 3,
            build_time: BuildTime { epoch: 1_700_000_000, reproducible: true },
        };
        let bytes = epub::build(&briefs, &options).expect("the booklet builds");
        let mut zip = zip::ZipArchive::new(std::io::Cursor::new(bytes)).unwrap();
        let mut all_text = String::new();
        for i in 0..zip.len() {
            let mut f = zip.by_index(i).unwrap();
            let name = f.name().unwrap().to_string();
            if !(name.ends_with(".xhtml") || name.ends_with(".opf") || name.ends_with(".ncx")) {
                continue;
            }
            let mut text = String::new();
            f.read_to_string(&mut text).unwrap();
            let doc = roxmltree::Document::parse_with_options(
                &text,
                roxmltree::ParsingOptions { allow_dtd: true, ..Default::default() },
            )
            .unwrap_or_else(|e| panic!("{name} is not well-formed: {e}\n{yaml}"));
            assert_no_live_markup(&name, &doc);
            for n in doc.descendants().filter(|n| n.is_text()) {
                all_text.push_str(n.text().unwrap_or(""));
                all_text.push('\n');
            }
        }
        let all_text = all_text.split_whitespace().collect::<Vec<_>>().join(" ");
        for t in b.cloze_texts().iter().flatten() {
            prop_assert!(all_text.contains(t.as_str()), "term {:?} missing from the booklet", t);
        }
    }

    /// Arbitrary text in every position of a brief: loading never panics
    /// and gives either a brief or a diagnostic.
    #[test]
    fn arbitrary_field_values_never_panic(
        values in prop::collection::vec(any::<String>(), 6),
        raw in "[ -~\n\t]{0,200}",
    ) {
        let yaml = format!(
            "title: {}\ndate: {}\nsubject: {}\nwhy_in_news: {}\nkey_points:\n  - {}\n  - text: {}\n    image: {}\n    alt: x\n",
            q(&values[0]), q(&values[1]), q(&values[2]), q(&values[3]), q(&values[4]),
            q(&values[5]), q(&values[1]),
        );
        let (briefs, diagnostics) = load(&yaml);
        prop_assert!(!briefs.is_empty() || diagnostics.iter().any(|d| d.is_error()));
        // And raw printable text as a whole file.
        let (briefs, diagnostics) = load(&raw);
        prop_assert!(!briefs.is_empty() || diagnostics.iter().any(|d| d.is_error()));
    }
}

#[test]
fn load_str_reads_a_stream_like_a_file() {
    let (briefs, diagnostics) = load(
        "title: A\ndate: 2024-01-01\nwhy_in_news: W **x**\nkey_points: [a **b**]\n---\ntitle: B\ndate: 2024-01-02\nwhy_in_news: W **y**\nkey_points: [c **d**]\n",
    );
    assert!(diagnostics.is_empty(), "{diagnostics:?}");
    let ids: Vec<&str> = briefs.iter().map(|b| b.id.as_str()).collect();
    assert_eq!(ids, ["generated-1", "generated-2"]);
    let (briefs, diagnostics) = load("title: [unclosed");
    assert!(briefs.is_empty());
    assert_eq!(diagnostics[0].code, "yaml-syntax");
}
