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
use std::borrow::Cow;
use std::collections::BTreeMap;
use std::path::PathBuf;
use time::Date;
use time::macros::format_description;

/// Escapes a plain string (a title, subject, alt text, URL) for XHTML text
/// or a double-quoted attribute.
pub(crate) fn esc(s: &str) -> String {
    markup::escape(s, Flavor::Xhtml)
}

/// [`esc`], appending to `out`.
pub(crate) fn esc_into(s: &str, out: &mut String) {
    markup::escape_into(s, Flavor::Xhtml, out);
}

/// A text as one plain line (markup removed, whitespace collapsed), for
/// `<title>`, the navigation and the cover.
pub(crate) fn plain(text: &Text) -> String {
    one_line(&text.markup.plain_text())
}

/// Whitespace collapsed to single spaces.
pub(crate) fn one_line(s: &str) -> String {
    markup::collapse_whitespace(s).into_owned()
}

/// Drops the characters XML 1.0 forbids. For strings handed to epub-builder,
/// which escapes `&`, `<`, `>` but does not filter control characters.
/// Borrowed when there is nothing to drop, as for nearly every string.
pub(crate) fn xml_clean(s: &str) -> Cow<'_, str> {
    let allowed = |c: char| matches!(c, '\t' | '\n' | '\r' | '\u{20}'..='\u{D7FF}' | '\u{E000}'..='\u{FFFD}' | '\u{10000}'..='\u{10FFFF}');
    if s.chars().all(allowed) {
        Cow::Borrowed(s)
    } else {
        Cow::Owned(s.chars().filter(|&c| allowed(c)).collect())
    }
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
        // Most documents are several kilobytes: start with room for that.
        let mut page = String::with_capacity(8192);
        page.push_str("<?xml version=\"1.0\" encoding=\"utf-8\"?>\n\
<!DOCTYPE html>\n\
<html xmlns=\"http://www.w3.org/1999/xhtml\" xmlns:epub=\"http://www.idpf.org/2007/ops\" xml:lang=\"");
        esc_into(lang, &mut page);
        page.push_str("\" lang=\"");
        esc_into(lang, &mut page);
        page.push_str("\">\n<head>\n<meta charset=\"utf-8\"/>\n<title>");
        esc_into(title, &mut page);
        page.push_str("</title>\n<link rel=\"stylesheet\" type=\"text/css\" href=\"stylesheet.css\"/>\n</head>\n<body");
        if let Some(t) = body_type {
            page.push_str(" epub:type=\"");
            page.push_str(t);
            page.push('"');
        }
        page.push_str(">\n");
        Page(page)
    }

    pub fn push(&mut self, html: &str) {
        self.0.push_str(html);
    }

    /// Appends plain text, escaped.
    pub fn push_escaped(&mut self, text: &str) {
        esc_into(text, &mut self.0);
    }

    /// The document so far, to append to.
    pub fn buf(&mut self) -> &mut String {
        &mut self.0
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

/// A point list as nested `<ul>`s, to any depth, appended to `out`.
pub(crate) fn points_into(points: &[Point], place: &mut Place, out: &mut String) {
    out.push_str("<ul class=\"points\">\n");
    for p in points {
        point(p, place, out);
    }
    out.push_str("</ul>\n");
}

fn point(p: &Point, place: &mut Place, out: &mut String) {
    out.push_str("<li>");
    match (&p.heading, &p.text) {
        // A heading is a lead line; its text, if any, a paragraph under it.
        (Some(h), text) => {
            out.push_str("<p class=\"lead\">");
            place.render_into(h, false, out);
            out.push_str("</p>");
            if let Some(t) = text {
                out.push_str("<p>");
                place.render_into(t, false, out);
                out.push_str("</p>");
            }
        }
        (None, Some(t)) => place.render_into(t, false, out),
        (None, None) => {}
    }
    if let Some(image) = &p.image {
        let name = image.file_name();
        out.push_str("<figure><img src=\"images/");
        esc_into(&name, out);
        out.push_str("\" alt=\"");
        esc_into(&one_line(&image.alt), out);
        out.push_str("\"/></figure>");
        place
            .images
            .push((name, image.path.clone(), image.media_type()));
    }
    if !p.points.is_empty() {
        out.push('\n');
        points_into(&p.points, place, out);
    }
    out.push_str("</li>\n");
}

/// The line above a brief's title: `Economy · 7 October 2020`, or just the
/// date where a subject heading already says the subject.
pub(crate) fn kicker(b: &Brief, with_subject: bool) -> String {
    let mut out = String::from("<p class=\"kicker\">");
    if with_subject {
        esc_into(&b.subject, &mut out);
        out.push_str(" · ");
    }
    esc_into(&long_date(b.date), &mut out);
    out.push_str("</p>");
    out
}

/// The brief's title as inline XHTML (it may hold `<sup>` and the like).
pub(crate) fn title_html(b: &Brief) -> String {
    b.title.markup.to_inline_html(Flavor::Xhtml)
}

/// `Source: The Hindu` with a link when the brief has a URL, appended to
/// `out`; nothing if none.
pub(crate) fn source_line_into(b: &Brief, out: &mut String) {
    let Some(source) = &b.source else {
        return;
    };
    let (url, name) = (source.url.as_deref(), source.name.as_deref());
    if url.is_none() && name.is_none() {
        return;
    }
    out.push_str("<p class=\"meta\">Source: ");
    match (url, name) {
        (Some(url), name) => {
            out.push_str("<a href=\"");
            esc_into(url, out);
            out.push_str("\">");
            esc_into(name.unwrap_or(url), out);
            out.push_str("</a>");
        }
        (None, Some(name)) => esc_into(name, out),
        (None, None) => unreachable!("checked above"),
    }
    out.push_str("</p>\n");
}

/// The background notes of a brief as a ruled box, appended to `out`; or
/// nothing.
pub(crate) fn background_box_into(b: &Brief, place: &mut Place, out: &mut String) {
    if b.background.is_empty() {
        return;
    }
    out.push_str("<div class=\"box\">\n<p class=\"box-title\">Background</p>\n");
    points_into(&b.background, place, out);
    out.push_str("</div>\n");
}

/// `See also: Key Points · Way Forward`, linking a brief's other entries
/// (`(label, href)`), appended to `out`; nothing if there are none.
pub(crate) fn see_also_into<'a, 'b>(
    links: impl IntoIterator<Item = (&'a str, &'b str)>,
    out: &mut String,
) {
    let mut any = false;
    for (label, href) in links {
        out.push_str(if any {
            " · "
        } else {
            "<p class=\"xref\">See also: "
        });
        any = true;
        out.push_str("<a href=\"");
        esc_into(href, out);
        out.push_str("\">");
        esc_into(label, out);
        out.push_str("</a>");
    }
    if any {
        out.push_str("</p>\n");
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::diagnostic::Pos;
    use crate::epub::glossary::{Prefix, Title};

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
        let mut place = Place::new(
            Prefix('k', 1),
            &"f.xhtml".into(),
            &Title::new("T"),
            "Key Points",
        );
        let list = vec![item(
            "**Significance:** it helps **5G**",
            vec![item("deeper <script>", vec![item("deepest", vec![])])],
        )];
        let mut html = String::new();
        points_into(&list, &mut place, &mut html);
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
        assert!(matches!(xml_clean("a & b"), Cow::Borrowed("a & b")));
    }
}
