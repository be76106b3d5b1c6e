//! XHTML building blocks: the document shell, a brief's sections and its
//! nested key points.
//!
//! Everything that comes from a source is either rendered by the markup
//! module (which escapes all text and emits only a fixed set of elements) or
//! passed through [`esc`]; no string from a brief is ever pasted in raw.

use super::glossary::Place;
#[cfg(doc)]
use crate::brief::Image;
use crate::brief::{Brief, Point, Text};
use crate::markup::{self, Flavor};
use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::path::PathBuf;
use time::Date;
use time::macros::format_description;

/// Escapes a plain string (a title, subject, alt text, URL) for XHTML text
/// or a double-quoted attribute.
pub(crate) fn esc(s: &str) -> String {
    markup::escape(s, Flavor::Xhtml)
}

/// A text as one plain line (markup removed, whitespace collapsed), for
/// `<title>`, the navigation and the cover.
pub(crate) fn plain(text: &Text) -> String {
    one_line(&text.markup.plain_text())
}

/// Whitespace collapsed to single spaces.
pub(crate) fn one_line(s: &str) -> String {
    s.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// Drops the characters XML 1.0 forbids. For strings handed to epub-builder,
/// which escapes `&`, `<`, `>` but does not filter control characters.
pub(crate) fn xml_clean(s: &str) -> String {
    s.chars()
        .filter(|&c| matches!(c, '\t' | '\n' | '\r' | '\u{20}'..='\u{D7FF}' | '\u{E000}'..='\u{FFFD}' | '\u{10000}'..='\u{10FFFF}'))
        .collect()
}

/// `7 October 2020`.
pub(crate) fn long_date(d: Date) -> String {
    d.format(format_description!(
        "[day padding:none] [month repr:long] [year]"
    ))
    .unwrap_or_else(|_| d.to_string())
}

/// `October 2020`.
pub(crate) fn month_label(d: Date) -> String {
    d.format(format_description!("[month repr:long] [year]"))
        .unwrap_or_else(|_| d.to_string())
}

/// A complete XHTML content document. Every document carries an XML
/// declaration naming utf-8 and both `xml:lang` and `lang` (EPUB readers read
/// the former, HTML tooling the latter).
pub(crate) fn document(lang: &str, title: &str, body_type: Option<&str>, body: &str) -> String {
    let mut page = Page::new(lang, title, body_type);
    page.push(body);
    page.finish()
}

/// A content document written in one pass: head, body pieces, end. Writing
/// the body straight into the document, rather than wrapping a finished
/// body, saves copying megabytes for a large booklet.
pub(crate) struct Page(String);

impl Page {
    pub fn new(lang: &str, title: &str, body_type: Option<&str>) -> Page {
        let lang = esc(lang);
        let title = esc(title);
        let body_attr = body_type
            .map(|t| format!(" epub:type=\"{t}\""))
            .unwrap_or_default();
        Page(format!(
            "<?xml version=\"1.0\" encoding=\"utf-8\"?>\n\
<!DOCTYPE html>\n\
<html xmlns=\"http://www.w3.org/1999/xhtml\" xmlns:epub=\"http://www.idpf.org/2007/ops\" xml:lang=\"{lang}\" lang=\"{lang}\">\n\
<head>\n\
<meta charset=\"utf-8\"/>\n\
<title>{title}</title>\n\
<link rel=\"stylesheet\" type=\"text/css\" href=\"stylesheet.css\"/>\n\
</head>\n\
<body{body_attr}>\n"
        ))
    }

    pub fn push(&mut self, html: &str) {
        self.0.push_str(html);
    }

    /// Bytes written so far.
    pub fn len(&self) -> usize {
        self.0.len()
    }

    pub fn finish(mut self) -> String {
        self.0.push_str("\n</body>\n</html>\n");
        self.0
    }
}

impl std::fmt::Write for Page {
    fn write_str(&mut self, s: &str) -> std::fmt::Result {
        self.0.push_str(s);
        Ok(())
    }
}

/// Images used by the booklet, keyed by their packed name. The name is
/// derived from the content (see [`Image::file_name`]), so two different
/// `map.png` never collide and one file used twice is packed once.
#[derive(Default)]
pub(crate) struct Images {
    pub files: BTreeMap<String, (PathBuf, &'static str)>,
}

impl Images {
    /// Takes the images a rendered place used.
    pub fn add(&mut self, place: &Place) {
        for (name, path, media_type) in &place.images {
            self.files
                .entry(name.clone())
                .or_insert_with(|| (path.clone(), media_type));
        }
    }
}

/// A point list as nested `<ul>`s, to any depth.
pub(crate) fn points(points: &[Point], place: &mut Place) -> String {
    let mut out = String::from("<ul class=\"points\">\n");
    for p in points {
        point(p, place, &mut out);
    }
    out.push_str("</ul>\n");
    out
}

fn point(p: &Point, place: &mut Place, out: &mut String) {
    out.push_str("<li>");
    match (&p.heading, &p.text) {
        // A heading is a lead line; its text, if any, a paragraph under it.
        (Some(h), text) => {
            let _ = write!(out, "<p class=\"lead\">{}</p>", place.render(h, false));
            if let Some(t) = text {
                let _ = write!(out, "<p>{}</p>", place.render(t, false));
            }
        }
        (None, Some(t)) => out.push_str(&place.render(t, false)),
        (None, None) => {}
    }
    if let Some(image) = &p.image {
        let _ = write!(
            out,
            "<figure><img src=\"images/{}\" alt=\"{}\"/></figure>",
            esc(&image.file_name()),
            esc(&one_line(&image.alt))
        );
        place
            .images
            .push((image.file_name(), image.path.clone(), image.media_type()));
    }
    if !p.points.is_empty() {
        out.push('\n');
        out.push_str(&points(&p.points, place));
    }
    out.push_str("</li>\n");
}

/// The line above a brief's title: `Economy · 7 October 2020`, or just the
/// date where a subject heading already says the subject.
pub(crate) fn kicker(b: &Brief, with_subject: bool) -> String {
    if with_subject {
        format!(
            "<p class=\"kicker\">{} · {}</p>",
            esc(&b.subject),
            esc(&long_date(b.date))
        )
    } else {
        format!("<p class=\"kicker\">{}</p>", esc(&long_date(b.date)))
    }
}

/// The brief's title as inline XHTML (it may hold `<sup>` and the like).
pub(crate) fn title_html(b: &Brief) -> String {
    b.title.markup.to_inline_html(Flavor::Xhtml)
}

/// `Source: The Hindu` with a link when the brief has a URL; empty if none.
pub(crate) fn source_line(b: &Brief) -> String {
    let Some(source) = &b.source else {
        return String::new();
    };
    let name = source.name.as_deref().map(esc);
    let shown = match (&source.url, name) {
        (Some(url), Some(name)) => format!("<a href=\"{}\">{name}</a>", esc(url)),
        (Some(url), None) => format!("<a href=\"{0}\">{0}</a>", esc(url)),
        (None, Some(name)) => name,
        (None, None) => return String::new(),
    };
    format!("<p class=\"meta\">Source: {shown}</p>\n")
}

/// The background notes of a brief as a ruled box, or nothing.
pub(crate) fn background_box(b: &Brief, place: &mut Place) -> String {
    if b.background.is_empty() {
        return String::new();
    }
    format!(
        "<div class=\"box\">\n<p class=\"box-title\">Background</p>\n{}</div>\n",
        points(&b.background, place)
    )
}

/// `See also: Key Points · Way Forward`, linking a brief's other entries.
pub(crate) fn see_also(links: &[(&str, String)]) -> String {
    if links.is_empty() {
        return String::new();
    }
    let parts: Vec<String> = links
        .iter()
        .map(|(label, href)| format!("<a href=\"{}\">{}</a>", esc(href), esc(label)))
        .collect();
    format!("<p class=\"xref\">See also: {}</p>\n", parts.join(" · "))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::diagnostic::Pos;
    use crate::epub::glossary::Title;

    fn text(s: &str) -> Text {
        Text::parse(s.into(), Pos::default()).0
    }

    fn item(s: &str, children: Vec<Point>) -> Point {
        Point {
            heading: None,
            text: Some(text(s)),
            id: None,
            image: None,
            points: children,
            pos: Pos::default(),
        }
    }

    #[test]
    fn nested_points_become_nested_lists_with_labels_kept_bold() {
        let mut place = Place::new("k1".into(), "f.xhtml", &Title::new("T"), "Key Points");
        let list = vec![item(
            "**Significance:** it helps **5G**",
            vec![item("deeper <script>", vec![item("deepest", vec![])])],
        )];
        let html = points(&list, &mut place);
        assert_eq!(html.matches("<ul").count(), 3, "{html}");
        assert!(html.contains("<strong>Significance:</strong>"), "{html}");
        assert!(
            html.contains("<strong class=\"term\" id=\"k1-1\">5G</strong>"),
            "{html}"
        );
        assert!(html.contains("deeper &lt;script&gt;"), "{html}");
        roxmltree::Document::parse(&format!("<div>{html}</div>")).expect("well-formed");
    }

    #[test]
    fn documents_declare_utf8_and_language() {
        let doc = document("en-IN", "A & B", Some("bodymatter"), "<p>x</p>");
        assert!(doc.starts_with("<?xml version=\"1.0\" encoding=\"utf-8\"?>"));
        assert!(doc.contains("xml:lang=\"en-IN\" lang=\"en-IN\""));
        assert!(doc.contains("<title>A &amp; B</title>"));
        roxmltree::Document::parse_with_options(
            &doc,
            roxmltree::ParsingOptions {
                allow_dtd: true,
                ..Default::default()
            },
        )
        .expect("well-formed");
    }

    #[test]
    fn dates_read_naturally() {
        let d = Date::from_calendar_date(2020, time::Month::October, 7).unwrap();
        assert_eq!(long_date(d), "7 October 2020");
        assert_eq!(month_label(d), "October 2020");
    }

    #[test]
    fn xml_clean_drops_control_characters() {
        assert_eq!(xml_clean("a\u{0}b\u{1b}c\td"), "abc\td");
    }
}
