//! The cover (a generated SVG) and the title page.
//!
//! The cover is drawn, not photographed: black, white and greys only, so it
//! reads the same on e-ink, and text large enough for a library thumbnail.
//! It is SVG because that needs no image library and stays sharp at any
//! size; readers that only show raster covers in their library (some Kindle
//! models) still show it on the cover page.

use super::layout::{Doc, Landmark, TocEntry};
use super::xhtml::{document, esc, long_date};
use std::fmt::Write as _;
use time::Date;

/// What the cover and the title page show.
pub(crate) struct Facts {
    pub title: String,
    pub author: String,
    pub publisher: Option<String>,
    pub first: Date,
    pub last: Date,
    pub briefs: usize,
    pub subjects: usize,
    pub key_points: usize,
    pub key_terms: usize,
    pub questions: usize,
    pub grouping: &'static str,
}

impl Facts {
    /// `7 October 2020 – 2 September 2023`, or one date.
    pub fn date_range(&self) -> String {
        if self.first == self.last {
            long_date(self.first)
        } else {
            format!("{} – {}", long_date(self.first), long_date(self.last))
        }
    }
}

const WIDTH: u32 = 1600;
const HEIGHT: u32 = 2400;

/// Breaks `text` into lines of at most `max` characters at spaces (a longer
/// word gets a line of its own).
fn wrap(text: &str, max: usize) -> Vec<String> {
    let mut lines: Vec<String> = Vec::new();
    for word in text.split_whitespace() {
        match lines.last_mut() {
            Some(line) if line.chars().count() + 1 + word.chars().count() <= max => {
                line.push(' ');
                line.push_str(word);
            }
            _ => lines.push(word.to_owned()),
        }
    }
    lines
}

/// The largest title size whose wrapped lines fit the width in at most five
/// lines; with the smallest size, lines past the sixth are cut with `…`.
fn title_lines(title: &str) -> (u32, Vec<String>) {
    // A serif glyph is about 0.5 em wide on average; keep a margin.
    let usable = f64::from(WIDTH - 320);
    for size in [150u32, 130, 112, 96, 84] {
        let max = (usable / (f64::from(size) * 0.52)) as usize;
        let lines = wrap(title, max);
        if lines.len() <= 5 && lines.iter().all(|l| l.chars().count() <= max) {
            return (size, lines);
        }
    }
    let size = 72;
    let max = (usable / (f64::from(size) * 0.52)) as usize;
    let mut lines: Vec<String> = wrap(title, max)
        .into_iter()
        .map(|l| {
            if l.chars().count() > max {
                let cut: String = l.chars().take(max - 1).collect();
                format!("{cut}…")
            } else {
                l
            }
        })
        .collect();
    if lines.len() > 6 {
        lines.truncate(6);
        lines[5].push('…');
    }
    (size, lines)
}

/// The cover image.
pub(crate) fn svg(facts: &Facts) -> String {
    let mut s = format!(
        "<?xml version=\"1.0\" encoding=\"utf-8\"?>\n\
<svg xmlns=\"http://www.w3.org/2000/svg\" version=\"1.1\" width=\"{WIDTH}\" height=\"{HEIGHT}\" viewBox=\"0 0 {WIDTH} {HEIGHT}\">\n\
<title>{}</title>\n\
<rect width=\"{WIDTH}\" height=\"{HEIGHT}\" fill=\"#ffffff\"/>\n\
<rect x=\"60\" y=\"60\" width=\"1480\" height=\"2280\" fill=\"none\" stroke=\"#000000\" stroke-width=\"10\"/>\n\
<rect x=\"60\" y=\"60\" width=\"1480\" height=\"360\" fill=\"#111111\"/>\n\
<text x=\"800\" y=\"235\" text-anchor=\"middle\" font-family=\"serif\" font-size=\"76\" letter-spacing=\"14\" fill=\"#ffffff\">CURRENT AFFAIRS</text>\n\
<text x=\"800\" y=\"335\" text-anchor=\"middle\" font-family=\"serif\" font-size=\"52\" letter-spacing=\"8\" fill=\"#ffffff\">REVISION BOOKLET</text>\n",
        esc(&facts.title)
    );
    let (size, lines) = title_lines(&facts.title);
    let line_height = size * 6 / 5;
    let block = line_height * lines.len() as u32;
    let mut y = 980 - block / 2 + size;
    for line in &lines {
        let _ = writeln!(
            s,
            "<text x=\"800\" y=\"{y}\" text-anchor=\"middle\" font-family=\"serif\" font-weight=\"bold\" font-size=\"{size}\" fill=\"#000000\">{}</text>",
            esc(line)
        );
        y += line_height;
    }
    // Three bars for the three parts of a brief.
    for (k, label) in ["WHY IN NEWS", "KEY POINTS", "WAY FORWARD"]
        .iter()
        .enumerate()
    {
        let top = 1520 + k as u32 * 150;
        let width = 1100 - k as u32 * 220;
        let _ = writeln!(
            s,
            "<rect x=\"250\" y=\"{top}\" width=\"{width}\" height=\"100\" fill=\"#{shade}\"/>\n<text x=\"280\" y=\"{}\" font-family=\"sans-serif\" font-size=\"48\" letter-spacing=\"4\" fill=\"#ffffff\">{label}</text>",
            top + 67,
            shade = ["222222", "555555", "777777"][k],
        );
    }
    let _ = write!(
        s,
        "<text x=\"800\" y=\"2090\" text-anchor=\"middle\" font-family=\"serif\" font-size=\"58\" fill=\"#000000\">{}</text>\n\
<text x=\"800\" y=\"2200\" text-anchor=\"middle\" font-family=\"serif\" font-size=\"48\" fill=\"#333333\">{} briefs · {} subjects · {} key terms</text>\n\
</svg>\n",
        esc(&facts.date_range()),
        facts.briefs,
        facts.subjects,
        facts.key_terms
    );
    s
}

/// The cover page: the cover image alone.
pub(crate) fn cover_doc(facts: &Facts, lang: &str) -> Doc {
    let body = format!(
        "<div class=\"cover\"><img src=\"cover.svg\" alt=\"Cover: {}, {}\"/></div>",
        esc(&facts.title),
        esc(&facts.date_range())
    );
    Doc::new(
        "cover.xhtml".into(),
        &document(lang, "Cover", Some("cover"), &body),
        None,
        Some(Landmark::Cover),
    )
}

/// The title page: title, date range, counts, and the parts of the book.
pub(crate) fn title_doc(facts: &Facts, parts: &[(String, String)], lang: &str) -> Doc {
    let row =
        |label: &str, n: usize| format!("<tr><th>{label}</th><td class=\"n\">{n}</td></tr>\n");
    let mut body = format!(
        "<section epub:type=\"titlepage\" class=\"titlepage\">\n<h1>{}</h1>\n<p class=\"dates\">{}</p>\n<table>\n<caption>In this booklet</caption>\n<tbody>\n{}{}{}{}{}</tbody>\n</table>\n<p>Grouped {}.</p>\n",
        esc(&facts.title),
        esc(&facts.date_range()),
        row("Briefs", facts.briefs),
        row("Subjects", facts.subjects),
        row("Key points", facts.key_points),
        row("Key terms in the glossary", facts.key_terms),
        row("Self-test questions", facts.questions),
        facts.grouping,
    );
    body.push_str("<h2>Contents</h2>\n<ul class=\"plain\">\n");
    for (title, href) in parts {
        let _ = writeln!(
            body,
            "<li><a href=\"{}\">{}</a></li>",
            esc(href),
            esc(title)
        );
    }
    body.push_str("</ul>\n");
    let _ = write!(body, "<p class=\"colophon\">{}", esc(&facts.author));
    if let Some(p) = &facts.publisher {
        let _ = write!(body, " · {}", esc(p));
    }
    body.push_str("<br/>Made with briefdeck.</p>\n</section>");
    Doc::new(
        "title.xhtml".into(),
        &document(lang, &facts.title, Some("frontmatter"), &body),
        Some(TocEntry {
            title: "Title page".into(),
            href: "title.xhtml".into(),
            children: Vec::new(),
        }),
        Some(Landmark::TitlePage),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    fn facts(title: &str) -> Facts {
        let d = Date::from_calendar_date(2020, time::Month::October, 7).unwrap();
        Facts {
            title: title.into(),
            author: "A & B".into(),
            publisher: None,
            first: d,
            last: d,
            briefs: 1,
            subjects: 1,
            key_points: 3,
            key_terms: 4,
            questions: 5,
            grouping: "by theme",
        }
    }

    #[test]
    fn wrapping_keeps_words_whole() {
        assert_eq!(wrap("a bb ccc dddd", 6), ["a bb", "ccc", "dddd"]);
        assert_eq!(wrap("averyverylongword x", 4), ["averyverylongword", "x"]);
    }

    #[test]
    fn long_titles_shrink_and_are_cut_at_six_lines() {
        let (size, lines) = title_lines("Short");
        assert_eq!((size, lines.len()), (150, 1));
        let long = "word ".repeat(200);
        let (size, lines) = title_lines(&long);
        assert_eq!(size, 72);
        assert_eq!(lines.len(), 6);
        assert!(lines[5].ends_with('…'));
    }

    #[test]
    fn the_cover_is_well_formed_and_escaped() {
        let svg = svg(&facts("<script>alert(1)</script> & more"));
        assert!(!svg.contains("<script"));
        roxmltree::Document::parse(&svg).expect("well-formed SVG");
    }

    #[test]
    fn the_title_page_is_well_formed() {
        let doc = title_doc(
            &facts("T"),
            &[("Why in News".into(), "part-1.xhtml".into())],
            "en",
        );
        roxmltree::Document::parse_with_options(
            &doc.content.text(),
            roxmltree::ParsingOptions {
                allow_dtd: true,
                ..Default::default()
            },
        )
        .expect("well-formed");
        assert!(doc.content.text().contains("A &amp; B"));
    }
}
