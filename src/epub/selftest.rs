//! The self-test: questions from each brief's `facts`, and fill-in-the-blank
//! questions made from key terms in their own sentence; the answers are at
//! the back of the book, each question and answer linked both ways.
//!
//! Blanks come from the points a reader has just revised, so the test asks
//! for exactly what the booklet highlighted. A sentence that is little more
//! than the term itself is skipped: a blank with no context tests nothing.

use super::glossary::{Glossary, Place, Prefix};
use super::layout::{CHUNK, Doc, Group, Heading, Locator, TocEntry, plain_doc};
use super::xhtml::{Page, document, esc, esc_into};
use crate::brief::{Brief, Fact, Section, Text};
use crate::markup::{Flavor, KeyTerm};
use rayon::prelude::*;
use std::fmt::Write as _;
use std::sync::Arc;

/// Context a blank needs around it, in characters.
const MIN_CONTEXT: usize = 15;

enum Item<'a> {
    Fact(&'a Fact),
    Blank {
        text: &'a Text,
        term: KeyTerm,
        section: Section,
    },
}

pub(crate) struct SelfTest {
    /// The opening page, then the question pages.
    pub questions: Vec<Doc>,
    /// The answers' opening page, then the answer pages.
    pub answers: Vec<Doc>,
    pub count: usize,
}

/// Up to `per_brief` blanks for a brief: the first term not yet asked from
/// each point that has one, in reading order.
fn blanks(b: &Brief, per_brief: usize) -> Vec<Item<'_>> {
    let mut items = Vec::new();
    if per_brief == 0 {
        return items;
    }
    // A term already asked is one of the few items so far.
    let asked = |items: &[Item], key: &str| {
        items
            .iter()
            .any(|item| matches!(item, Item::Blank { term, .. } if term.key == key))
    };
    b.walk_points(|section, _, p| {
        if items.len() >= per_brief {
            return;
        }
        let Some(text) = &p.text else { return };
        // The source's length is a fair, cheap measure of the context.
        let context = text.source().chars().count();
        let term =
            text.markup.key_terms().into_iter().find(|t| {
                !asked(&items, &t.key) && context >= t.text.chars().count() + MIN_CONTEXT
            });
        if let Some(term) = term {
            items.push(Item::Blank {
                text,
                term,
                section,
            });
        }
    });
    items
}

/// A text with every occurrence of `key` blanked out; other terms stay bold.
#[cfg(test)]
fn blanked(text: &Text, key: &str) -> String {
    let mut out = String::new();
    blanked_into(text, key, &mut out);
    out
}

/// [`blanked`], appending to `out`.
fn blanked_into(text: &Text, key: &str, out: &mut String) {
    let strong =
        &mut |term: Option<crate::markup::TermRef>, inner: &str, out: &mut String| match term {
            Some(t) if t.key == key => out.push_str("<span class=\"blank\">________</span>"),
            _ => {
                out.push_str("<strong>");
                out.push_str(inner);
                out.push_str("</strong>");
            }
        };
    text.markup.render_into(Flavor::Xhtml, false, strong, out);
}

/// A question page and its answer page, being written.
struct PagePair {
    q: Page,
    a: Page,
    /// Their file names, shared by the places in them.
    qf: Arc<str>,
    af: Arc<str>,
    /// The places rendered, in reading order.
    places: Vec<Place>,
}

/// Writes brief `i`'s items, numbered from `first`, into `pages`.
fn render(
    i: usize,
    head: &Heading,
    items: &[Item],
    first: usize,
    loc: &Locator,
    pages: &mut PagePair,
) {
    let PagePair {
        q,
        a,
        qf,
        af,
        places,
    } = pages;
    let (q, a) = (q.buf(), a.buf());
    for out in [&mut *q, &mut *a] {
        out.push_str("<h3>");
        out.push_str(&head.html);
        out.push_str("</h3>\n");
    }
    for (k, item) in items.iter().enumerate() {
        let number = first + k;
        let _ = write!(
            q,
            "<div class=\"q\" id=\"q{number}\"><p><span class=\"qn\">{number}.</span> "
        );
        let _ = write!(
            a,
            "<div class=\"a\" id=\"a{number}\"><p><a class=\"qn\" href=\"{qf}#q{number}\">{number}.</a> "
        );
        let read = match item {
            Item::Fact(f) => {
                let mut qp = Place::new(Prefix('q', number), qf, &head.title, "Self-test");
                let mut ap = Place::new(Prefix('a', number), af, &head.title, "Answers");
                qp.render_into(&f.question, false, q);
                ap.render_into(&f.answer, false, a);
                places.extend([qp, ap]);
                ("Key Points", loc.key[i].as_str())
            }
            Item::Blank {
                text,
                term,
                section,
            } => {
                blanked_into(text, &term.key, q);
                a.push_str("<strong>");
                esc_into(&term.text, a);
                a.push_str("</strong>");
                match (section, &loc.way[i]) {
                    (Section::WayForward, Some(way)) => ("Way Forward", way.as_str()),
                    (Section::Background, _) => ("Background", loc.key[i].as_str()),
                    _ => ("Key Points", loc.key[i].as_str()),
                }
            }
        };
        let _ = writeln!(q, " <a href=\"{af}#a{number}\">Answer</a></p></div>");
        let _ = write!(
            a,
            "</p>\n<p class=\"from\">Back to <a href=\"{qf}#q{number}\">question {number}</a> · Revise: <a href=\""
        );
        esc_into(read.1, a);
        let _ = writeln!(a, "\">{}</a></p></div>", read.0);
    }
}

pub(crate) fn build(
    sorted: &[&Brief],
    headings: &[Heading],
    groups: &[Group],
    loc: &Locator,
    per_brief: usize,
    lang: &str,
    glossary: &mut Glossary,
) -> SelfTest {
    let items: Vec<Vec<Item>> = sorted
        .par_iter()
        .map(|b| {
            let mut v: Vec<Item> = b.facts.iter().map(Item::Fact).collect();
            v.extend(blanks(b, per_brief));
            v
        })
        .collect();
    let count = items.iter().map(Vec::len).sum();
    let mut test = SelfTest {
        questions: Vec::new(),
        answers: Vec::new(),
        count,
    };
    if count == 0 {
        return test;
    }

    // Pages: per group, chunks of the briefs that have questions. Numbers
    // run through the book in reading order.
    struct Chunk {
        label: String,
        briefs: Vec<usize>,
    }
    let mut pages: Vec<Chunk> = Vec::new();
    let mut first = vec![0; sorted.len()];
    let mut next = 1;
    for g in groups {
        let with: Vec<usize> = g.range.clone().filter(|&i| !items[i].is_empty()).collect();
        for (k, c) in with.chunks(CHUNK).enumerate() {
            for &i in c {
                first[i] = next;
                next += items[i].len();
            }
            pages.push(Chunk {
                label: if k == 0 {
                    g.label.clone()
                } else {
                    format!("{} (continued)", g.label)
                },
                briefs: c.to_vec(),
            });
        }
    }
    let qfile = |n: usize| format!("test-{n:03}.xhtml");
    let afile = |n: usize| format!("answers-{n:03}.xhtml");

    // Each page pair is rendered and compressed on its own, in parallel;
    // the places come back in reading order for the glossary.
    let written: Vec<(Doc, Doc, Vec<Place>)> = pages
        .par_iter()
        .enumerate()
        .map(|(k, page)| {
            let heading = format!("<h2 class=\"subject\">{}</h2>\n", esc(&page.label));
            let mut out = PagePair {
                q: Page::new(lang, &format!("Self-test: {}", page.label), None),
                a: Page::new(lang, &format!("Answers: {}", page.label), None),
                qf: qfile(k + 1).into(),
                af: afile(k + 1).into(),
                places: Vec::new(),
            };
            out.q.push(&heading);
            out.a.push(&heading);
            for &i in &page.briefs {
                render(i, &headings[i], &items[i], first[i], loc, &mut out);
            }
            (
                plain_doc(&out.qf, &out.q.finish()),
                plain_doc(&out.af, &out.a.finish()),
                out.places,
            )
        })
        .collect();

    let mut q_children = Vec::new();
    let mut a_children = Vec::new();
    for ((q, a, places), page) in written.into_iter().zip(&pages) {
        for p in places {
            glossary.add(p);
        }
        q_children.push((page.label.clone(), q.file.clone()));
        a_children.push((page.label.clone(), a.file.clone()));
        test.questions.push(q);
        test.answers.push(a);
    }

    let intro = format!(
        "<section epub:type=\"chapter\">\n<h1>Self-test</h1>\n<p>{count} questions: the facts of each brief, and key terms to recall in their own sentence (a line marks the missing term). Each question links to its answer at the back of the booklet, and each answer links back.</p>\n{}</section>",
        link_list(&q_children)
    );
    test.questions.insert(
        0,
        Doc::new(
            "test.xhtml".into(),
            &document(lang, "Self-test", Some("bodymatter"), &intro),
            Some(TocEntry {
                title: "Self-test".into(),
                href: "test.xhtml".into(),
                children: q_children,
            }),
            None,
        ),
    );
    let intro = format!(
        "<section epub:type=\"chapter\">\n<h1>Answers</h1>\n<p>Answers to the self-test, with a link back to each question and to the entry to revise.</p>\n{}</section>",
        link_list(&a_children)
    );
    test.answers.insert(
        0,
        Doc::new(
            "answers.xhtml".into(),
            &document(lang, "Answers", Some("backmatter"), &intro),
            Some(TocEntry {
                title: "Answers".into(),
                href: "answers.xhtml".into(),
                children: a_children,
            }),
            None,
        ),
    );
    test
}

fn link_list(links: &[(String, String)]) -> String {
    let mut s = String::from("<ul class=\"plain\">\n");
    for (label, href) in links {
        let _ = writeln!(s, "<li><a href=\"{}\">{}</a></li>", esc(href), esc(label));
    }
    s.push_str("</ul>\n");
    s
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::diagnostic::Pos;

    fn text(s: &str) -> Text {
        Text::parse(s.into(), Pos::default()).0
    }

    #[test]
    fn a_blank_hides_every_occurrence_of_its_term_only() {
        let t = text("The **Quad** met; the **quad** includes **Japan**.");
        let html = blanked(&t, "quad");
        assert_eq!(html.matches("class=\"blank\"").count(), 2, "{html}");
        assert!(!html.to_lowercase().contains("quad"), "{html}");
        assert!(html.contains("<strong>Japan</strong>"), "{html}");
    }
}
