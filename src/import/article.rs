//! Recognising an article's structure and drafting a brief from it.
//!
//! This is a careful line-based reader rather than a CommonMark parser:
//! coaching notes pasted from web pages bend Markdown in ways that matter
//! here (a bold bullet that heads the list after a blank line, free
//! paragraphs between lists that are boxed background notes, `•` bullets
//! nested by symbol rather than indentation, headings written as bare
//! lines), and every warning must name its line. Three passes:
//!
//! 1. lines → entries: headings, list items with their continuation lines,
//!    paragraphs, marks (a section name on a line of its own, "Source: TH",
//!    a date line, the article's address, page furniture) and raw blocks
//!    (tables, HTML, code) that a brief cannot hold;
//! 2. entries → sections: preamble, Why in News, Key Points, Way Forward,
//!    Background, and any other section;
//! 3. sections → the draft, each section's lists, paragraphs and lead lines
//!    placed by the rules in the README ("Drafting a brief from an article").

use super::{Draft, DraftPoint, Imported, Options, SourceRef, UNPLACED, date, source};
use crate::diagnostic::{Diagnostic, Pos};
use crate::limits;
use std::path::Path;
use time::Date;

/// Deepest list nesting kept; deeper items become siblings at this depth.
const MAX_DEPTH: usize = 12;
/// Longest brief id made from a title.
const MAX_ID_LEN: usize = 60;

/// Drafts a brief from `text` (already normalised: no BOM, `\n` line ends).
pub fn recognise(file: &Path, text: &str, options: &Options) -> Imported {
    let lines = lines_of(text);
    let mut r = Recogniser {
        file,
        diagnostics: Vec::new(),
        unplaced: Vec::new(),
    };
    let entries = entries(&lines);
    let draft = r.draft(entries, &lines, options);
    Imported {
        draft,
        unplaced: r.unplaced.len(),
        diagnostics: r.diagnostics,
    }
}

// ---------------------------------------------------------------------------
// Pass 1: lines → entries

/// A line of the article: its number and its text, with tabs and no-break
/// spaces in the indentation turned into spaces (a tab reaches the next
/// multiple of four) and trailing whitespace removed.
struct Line {
    no: u32,
    text: String,
}

fn lines_of(text: &str) -> Vec<Line> {
    text.split('\n')
        .enumerate()
        .map(|(i, raw)| {
            let mut out = String::with_capacity(raw.len());
            let mut width = 0;
            let mut rest = raw;
            while let Some(c) = rest.chars().next() {
                match c {
                    ' ' | '\u{a0}' => width += 1,
                    '\t' => width += 4 - width % 4,
                    _ => break,
                }
                rest = &rest[c.len_utf8()..];
            }
            out.extend(std::iter::repeat_n(' ', width));
            out.push_str(rest.trim_end());
            Line {
                no: i as u32 + 1,
                text: out,
            }
        })
        .collect()
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Marker {
    Dash,
    Star,
    Plus,
    /// `1.`, `2)`, `(a)`.
    Ordered,
    /// `•`, `◦`, `▪` and the like, and Word's `o` under them: pasted text
    /// nests these by symbol rather than by indentation.
    Bullet(char),
}

/// Inline text from one line, with the 1-based column where it starts.
#[derive(Clone, Debug)]
struct Span {
    line: u32,
    col: u32,
    text: String,
}

impl Span {
    fn pos(&self) -> Pos {
        Pos::new(self.line, self.col, self.text.chars().count().max(1) as u32)
    }
}

#[derive(Debug)]
struct Item {
    indent: usize,
    marker: Marker,
    /// Paragraphs of the item, each a run of lines.
    paras: Vec<Vec<Span>>,
    /// A blank line separates it from what came before.
    blank_before: bool,
    at: Pos,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Kind {
    Preamble,
    Why,
    KeyPoints,
    WayForward,
    Background,
    Other,
}

#[derive(Debug)]
enum Entry {
    Heading {
        level: u8,
        span: Span,
    },
    Item(Item),
    Para {
        spans: Vec<Span>,
        quoted: bool,
    },
    Raw {
        text: String,
        at: Pos,
        what: &'static str,
    },
    /// A section name on a line of its own (bare or bold).
    Section {
        kind: Kind,
        at: Pos,
    },
    Source {
        line: source::SourceLine,
        at: Pos,
    },
    DateLine {
        date: Date,
        span: Span,
    },
    /// Page furniture such as the `drishti` watermark.
    Noise {
        span: Span,
    },
    /// A line that is only an address (`[site/page](https://…)`, `https://…`).
    Url {
        url: String,
        span: Span,
    },
    Rule,
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum Open {
    None,
    Item,
    Para,
    Quote,
}

fn entries(lines: &[Line]) -> Vec<Entry> {
    let mut out: Vec<Entry> = Vec::new();
    let mut open = Open::None;
    // A blank line (or the start) since the last content.
    let mut blank = true;
    let mut i = 0;
    while i < lines.len() {
        let line = &lines[i];
        let text = line.text.as_str();
        let indent = text.len() - text.trim_start_matches(' ').len();
        let rest = &text[indent..];
        let span_from = |byte: usize| Span {
            line: line.no,
            col: text[..byte].chars().count() as u32 + 1,
            text: text[byte..].to_owned(),
        };
        if rest.is_empty() {
            blank = true;
            if open == Open::Quote {
                open = Open::None;
            }
            i += 1;
            continue;
        }
        let at = Pos::new(line.no, indent as u32 + 1, rest.chars().count() as u32);

        // Fenced code: kept whole for review.
        if rest.starts_with("```") || rest.starts_with("~~~") {
            let fence = &rest[..3];
            let mut j = i + 1;
            while j < lines.len() && !lines[j].text.trim_start().starts_with(fence) {
                j += 1;
            }
            let end = (j + 1).min(lines.len());
            out.push(Entry::Raw {
                text: join_lines(&lines[i..end]),
                at,
                what: "a code block",
            });
            (open, blank, i) = (Open::None, false, end);
            continue;
        }
        if let Some((level, offset)) = atx_heading(rest) {
            let mut span = span_from(indent + offset);
            span.text = strip_closing_hashes(&span.text).to_owned();
            out.push(Entry::Heading { level, span });
            (open, blank, i) = (Open::None, false, i + 1);
            continue;
        }
        // A setext underline turns the one-line paragraph above into a heading.
        if let Some(level) = setext_level(rest)
            && !blank
            && open == Open::Para
            && matches!(out.last(), Some(Entry::Para { spans, quoted: false }) if spans.len() == 1)
        {
            let Some(Entry::Para { mut spans, .. }) = out.pop() else {
                unreachable!()
            };
            out.push(Entry::Heading {
                level,
                span: spans.remove(0),
            });
            (open, blank, i) = (Open::None, false, i + 1);
            continue;
        }
        if is_rule(rest) {
            out.push(Entry::Rule);
            (open, blank, i) = (Open::None, true, i + 1);
            continue;
        }
        if let Some(q) = rest.strip_prefix('>') {
            let content = q.trim_start();
            if content.is_empty() {
                // `>` alone: a paragraph break inside the quote.
                (open, i) = (Open::None, i + 1);
                continue;
            }
            let span = span_from(text.len() - content.len());
            match (open, out.last_mut()) {
                (Open::Quote, Some(Entry::Para { spans, .. })) if !blank => spans.push(span),
                _ => out.push(Entry::Para {
                    spans: vec![span],
                    quoted: true,
                }),
            }
            (open, blank, i) = (Open::Quote, false, i + 1);
            continue;
        }
        if rest.starts_with('|')
            || (rest.contains('|') && lines.get(i + 1).is_some_and(|n| is_delimiter_row(&n.text)))
        {
            let mut j = i;
            while j < lines.len() && lines[j].text.contains('|') {
                j += 1;
            }
            out.push(Entry::Raw {
                text: join_lines(&lines[i..j]),
                at,
                what: "a table",
            });
            (open, blank, i) = (Open::None, false, j);
            continue;
        }
        if let Some(end_marker) = html_block_start(rest) {
            let mut j = i;
            while j < lines.len() {
                let t = &lines[j].text;
                j += 1;
                match end_marker {
                    Some(m) if t.contains(m) => break,
                    None if lines.get(j).is_none_or(|n| n.text.is_empty()) => break,
                    _ => {}
                }
            }
            out.push(Entry::Raw {
                text: join_lines(&lines[i..j]),
                at,
                what: if end_marker.is_some() {
                    "an HTML comment"
                } else {
                    "an HTML block"
                },
            });
            (open, blank, i) = (Open::None, false, j);
            continue;
        }
        let after_bullet =
            matches!(out.last(), Some(Entry::Item(it)) if matches!(it.marker, Marker::Bullet(_)));
        if let Some((marker, offset)) = item_marker(rest, after_bullet) {
            let content = rest[offset..].trim_start();
            if !content.is_empty() {
                out.push(Entry::Item(Item {
                    indent,
                    marker,
                    paras: vec![vec![span_from(text.len() - content.len())]],
                    blank_before: blank,
                    at,
                }));
                (open, blank, i) = (Open::Item, false, i + 1);
                continue;
            }
        }

        // A line of text.
        let last_item = match out.last() {
            Some(Entry::Item(it)) => Some((it.indent, it.marker)),
            _ => None,
        };
        // Pasted `•` bullets are one line each: an unindented line after
        // one is new text, not a lazy continuation.
        let lazy_item = matches!(last_item, Some((ind, m))
            if !matches!(m, Marker::Bullet(_)) || indent > ind);
        let continuing = !blank
            && match open {
                Open::Item => lazy_item,
                Open::Para | Open::Quote => true,
                Open::None => false,
            };
        let span = span_from(indent);
        if let Some(mark) = mark_of(&span, continuing) {
            out.push(mark);
            (open, blank, i) = (Open::None, false, i + 1);
            continue;
        }
        match (continuing, open, out.last_mut()) {
            (true, Open::Item, Some(Entry::Item(it))) => {
                it.paras.last_mut().expect("a paragraph").push(span);
            }
            (true, _, Some(Entry::Para { spans, .. })) => spans.push(span),
            (false, _, Some(Entry::Item(it))) if blank && indent >= 2 && indent > it.indent => {
                // An indented paragraph after a blank line belongs to the item.
                it.paras.push(vec![span]);
                open = Open::Item;
            }
            _ => {
                out.push(Entry::Para {
                    spans: vec![span],
                    quoted: false,
                });
                open = Open::Para;
            }
        }
        blank = false;
        i += 1;
    }
    out
}

fn join_lines(lines: &[Line]) -> String {
    lines
        .iter()
        .map(|l| l.text.as_str())
        .collect::<Vec<_>>()
        .join("\n")
        .trim_matches('\n')
        .to_owned()
}

/// `## Heading`: the level and where the text starts.
fn atx_heading(rest: &str) -> Option<(u8, usize)> {
    let hashes = rest.len() - rest.trim_start_matches('#').len();
    if !(1..=6).contains(&hashes) {
        return None;
    }
    let after = &rest[hashes..];
    if !after.is_empty() && !after.starts_with([' ', '\t']) {
        return None;
    }
    let text = after.trim_start();
    (!strip_closing_hashes(text).trim().is_empty())
        .then_some((hashes as u8, rest.len() - text.len()))
}

fn strip_closing_hashes(s: &str) -> &str {
    let t = s.trim_end_matches('#');
    if t.len() < s.len() && (t.is_empty() || t.ends_with(' ')) {
        t.trim_end()
    } else {
        s
    }
}

fn setext_level(rest: &str) -> Option<u8> {
    if rest.len() >= 3 && rest.bytes().all(|b| b == b'=') {
        Some(1)
    } else if rest.len() >= 3 && rest.bytes().all(|b| b == b'-') {
        Some(2)
    } else {
        None
    }
}

/// `---`, `***`, `___`, `* * *`.
fn is_rule(rest: &str) -> bool {
    let compact: String = rest.chars().filter(|c| !c.is_whitespace()).collect();
    compact.len() >= 3
        && ["-", "*", "_"]
            .iter()
            .any(|m| compact.chars().all(|c| c.to_string() == *m))
}

/// `|---|:---:|` or `--- | ---`.
fn is_delimiter_row(line: &str) -> bool {
    let t = line.trim();
    t.contains('-')
        && t.contains('|')
        && t.chars().all(|c| matches!(c, '|' | '-' | ':' | ' ' | '\t'))
}

/// A block of raw HTML starts here: returns the text that ends it (`-->`
/// for a comment) or None for "the next blank line".
fn html_block_start(rest: &str) -> Option<Option<&'static str>> {
    if rest.starts_with("<!--") {
        return Some(Some("-->"));
    }
    let tag = rest.strip_prefix('<')?;
    let tag = tag.strip_prefix('/').unwrap_or(tag);
    let name: String = tag
        .chars()
        .take_while(|c| c.is_ascii_alphanumeric())
        .collect::<String>()
        .to_ascii_lowercase();
    const BLOCK: &[&str] = &[
        "div",
        "table",
        "p",
        "figure",
        "iframe",
        "script",
        "style",
        "section",
        "article",
        "aside",
        "blockquote",
        "ul",
        "ol",
        "li",
        "img",
        "hr",
        "pre",
        "form",
        "center",
        "font",
        "header",
        "footer",
        "nav",
        "details",
        "summary",
        "video",
        "audio",
        "picture",
        "svg",
        "dl",
        "tr",
        "td",
        "th",
        "thead",
        "tbody",
        "h1",
        "h2",
        "h3",
        "h4",
        "h5",
        "h6",
    ];
    let after = tag[name.len()..].chars().next();
    (BLOCK.contains(&name.as_str()) && matches!(after, None | Some(' ' | '>' | '/')))
        .then_some(None)
}

/// A list marker at the start of `rest`: the marker and where its content
/// starts.
fn item_marker(rest: &str, after_bullet: bool) -> Option<(Marker, usize)> {
    let c = rest.chars().next()?;
    let after = &rest[c.len_utf8()..];
    let spaced = |s: &str| s.starts_with([' ', '\t', '\u{a0}']);
    match c {
        '-' if spaced(after) => Some((Marker::Dash, 1)),
        '*' if spaced(after) => Some((Marker::Star, 1)),
        '+' if spaced(after) => Some((Marker::Plus, 1)),
        '•' | '◦' | '○' | '▪' | '▫' | '■' | '□' | '‣' | '⁃' | '●' | '➢' | '➤' | '►' | '✓' | '✔'
        | '❖' | '◆' | '◇' | '·' | '\u{f0b7}' => Some((Marker::Bullet(c), c.len_utf8())),
        '–' | '—' if spaced(after) => Some((Marker::Bullet(c), c.len_utf8())),
        'o' if after_bullet && spaced(after) => Some((Marker::Bullet('o'), 1)),
        '0'..='9' => {
            let digits = rest.bytes().take_while(u8::is_ascii_digit).count();
            let next = &rest[digits..];
            (digits <= 3 && next.starts_with(['.', ')']) && spaced(&next[1..]))
                .then_some((Marker::Ordered, digits + 1))
        }
        '(' => {
            let close = rest.find(')')?;
            let inner = &rest[1..close];
            (!inner.is_empty()
                && inner.len() <= 4
                && inner.chars().all(|c| c.is_ascii_alphanumeric())
                && spaced(&rest[close + 1..]))
            .then_some((Marker::Ordered, close + 1))
        }
        _ => None,
    }
}

/// Lines that mean something as a whole: a section name, a source line,
/// page furniture; and, when not inside a paragraph, a date or an address.
fn mark_of(span: &Span, continuing: bool) -> Option<Entry> {
    let text = span.text.as_str();
    if let Some(kind) = section_kind(text) {
        return Some(Entry::Section {
            kind,
            at: span.pos(),
        });
    }
    if let Some(line) = source::parse_line(text) {
        return Some(Entry::Source {
            line,
            at: span.pos(),
        });
    }
    if is_noise(text) {
        return Some(Entry::Noise { span: span.clone() });
    }
    // A prefixed date (`Date: …`) stands alone even right under a line of
    // text (a bare title); a bare date only after a blank line.
    if let Some((date, prefixed)) = date_line(text)
        && (prefixed || !continuing)
    {
        return Some(Entry::DateLine {
            date,
            span: span.clone(),
        });
    }
    url_line(text).map(|url| Entry::Url {
        url,
        span: span.clone(),
    })
}

/// The words of a line without emphasis, `#`s, or a final `:`, `?` or `.`,
/// in lower case.
fn bare_words(text: &str) -> String {
    let t = text
        .trim()
        .trim_start_matches('#')
        .replace("**", "")
        .replace("__", "");
    let t = t
        .trim()
        .trim_matches(|c| c == '*' || c == '_')
        .trim()
        .trim_end_matches([':', '?', '.', '-', '–'])
        .trim();
    t.split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
        .replace('&', "and")
        .to_lowercase()
}

/// The section a heading or a line of its own names, if any.
fn section_kind(text: &str) -> Option<Kind> {
    let words = bare_words(text);
    let kind = match words.as_str() {
        "why in news"
        | "why in the news"
        | "why is it in news"
        | "why in focus"
        | "why in the headlines"
        | "in news"
        | "in the news"
        | "context" => Kind::Why,
        "key points" | "key point" | "key highlights" | "highlights" | "key takeaways"
        | "main points" | "important points" | "key facts" | "major highlights" => Kind::KeyPoints,
        "way forward"
        | "the way forward"
        | "way ahead"
        | "the way ahead"
        | "road ahead"
        | "the road ahead"
        | "conclusion"
        | "conclusions"
        | "way forward and conclusion"
        | "conclusion and way forward" => Kind::WayForward,
        "background" | "backdrop" | "historical background" | "the background" => Kind::Background,
        _ => return None,
    };
    Some(kind)
}

fn is_noise(text: &str) -> bool {
    matches!(
        bare_words(text).as_str(),
        "drishti"
            | "drishti ias"
            | "drishtiias"
            | "drishtiias.com"
            | "www.drishtiias.com"
            | "print pdf"
            | "printpdf"
            | "download pdf"
    )
}

/// `07 Oct 2020`, `Date: 7th October 2020`, `Published on 2020-10-07`:
/// the date, and whether a word such as `Date:` introduced it.
fn date_line(text: &str) -> Option<(Date, bool)> {
    let t = text.replace("**", "").replace('*', "").replace('_', " ");
    let t = t.trim();
    let lower = t.to_lowercase();
    for prefix in [
        "last updated on",
        "last updated",
        "published on",
        "published",
        "updated on",
        "updated",
        "posted on",
        "dated",
        "date",
    ] {
        if lower.starts_with(prefix) {
            let rest = t[prefix.len()..].trim_start();
            let rest = rest.strip_prefix(':').unwrap_or(rest);
            return date::parse_exact(rest).map(|d| (d, true));
        }
    }
    date::parse_exact(t).map(|d| (d, false))
}

/// A line that is only an address: `https://…`, `<https://…>`, or a link
/// such as `[drishtias.com/printpdf/x](https://drishtias.com/printpdf/x)`.
fn url_line(text: &str) -> Option<String> {
    let t = text.trim();
    let t = t
        .strip_prefix('<')
        .and_then(|x| x.strip_suffix('>'))
        .unwrap_or(t);
    if source::is_http(t) {
        return Some(t.to_owned());
    }
    let link = parse_link(t)?;
    if link.len != t.len() {
        return None;
    }
    let href = link.url;
    if source::is_http(href) {
        return Some(href.to_owned());
    }
    // A site-relative copy of a web address: `drishtias.com/printpdf/x`.
    let host = href.split('/').next().unwrap_or("");
    (host.contains('.')
        && !host.starts_with('.')
        && href.contains('/')
        && !href.contains(char::is_whitespace)
        && !href.contains(':'))
    .then(|| format!("https://{href}"))
}

/// `[text](url "title")` at the start of `s`.
struct Link<'a> {
    text: &'a str,
    url: &'a str,
    /// Bytes taken from `s`.
    len: usize,
}

fn parse_link(s: &str) -> Option<Link<'_>> {
    let bytes = s.as_bytes();
    if bytes.first() != Some(&b'[') {
        return None;
    }
    let mut depth = 0usize;
    let mut close = None;
    let mut k = 0;
    while k < bytes.len() {
        match bytes[k] {
            b'\\' => k += 1,
            b'[' => depth += 1,
            b']' => {
                depth -= 1;
                if depth == 0 {
                    close = Some(k);
                    break;
                }
            }
            _ => {}
        }
        k += 1;
    }
    let close = close?;
    if bytes.get(close + 1) != Some(&b'(') {
        return None;
    }
    let mut depth = 0usize;
    let mut end = None;
    let mut k = close + 1;
    while k < bytes.len() {
        match bytes[k] {
            b'\\' => k += 1,
            b'(' => depth += 1,
            b')' => {
                depth -= 1;
                if depth == 0 {
                    end = Some(k);
                    break;
                }
            }
            _ => {}
        }
        k += 1;
    }
    let end = end?;
    let dest = s[close + 2..end].trim();
    let url = match dest.strip_prefix('<') {
        Some(d) => d.split('>').next().unwrap_or(""),
        None => dest.split_whitespace().next().unwrap_or(""),
    };
    Some(Link {
        text: &s[1..close],
        url,
        len: end + 1,
    })
}

/// The scheme of `url` when it is one a brief refuses (not http, https,
/// mailto).
fn refused_scheme(url: &str) -> Option<&str> {
    let colon = url.find(':')?;
    let scheme = &url[..colon];
    let mut chars = scheme.chars();
    let first = chars.next()?;
    let is_scheme = first.is_ascii_alphabetic()
        && chars.all(|c| c.is_ascii_alphanumeric() || matches!(c, '+' | '-' | '.'));
    (is_scheme && !["http", "https", "mailto"].contains(&scheme.to_ascii_lowercase().as_str()))
        .then_some(scheme)
}

// ---------------------------------------------------------------------------
// Bold lines and lead lines

/// `**Term**` (false) or `**Label:**` / `**Label**:` (true) as the whole text.
fn bold_line(text: &str) -> Option<bool> {
    let t = text.trim();
    let inner = t.strip_prefix("**")?;
    let (body, colon_after) = match inner.strip_suffix("**:") {
        Some(b) => (b, true),
        None => (inner.strip_suffix("**")?, false),
    };
    if body.contains("**") || body.trim().is_empty() {
        return None;
    }
    Some(colon_after || body.trim_end().ends_with(':'))
}

fn is_label_only(text: &str) -> bool {
    bold_line(text) == Some(true)
}

fn is_bold_only(text: &str) -> bool {
    bold_line(text) == Some(false)
}

/// A short line that reads as a heading: a few words, no sentence
/// punctuation at its end, starting with a capital letter or a digit.
fn heading_like(text: &str) -> bool {
    let t = text.trim();
    let words = t.split_whitespace().count();
    let first = t.chars().next().unwrap_or(' ');
    (1..=12).contains(&words)
        && t.chars().count() <= 100
        && (first.is_uppercase() || first.is_ascii_digit() || first == '*')
        && !t.ends_with(['.', ',', ';', '!', '?', ':'])
        && !t.contains(". ")
}

// ---------------------------------------------------------------------------
// Passes 2 and 3

struct Recogniser<'a> {
    file: &'a Path,
    diagnostics: Vec<Diagnostic>,
    unplaced: Vec<DraftPoint>,
}

/// A list item with its children.
#[derive(Debug)]
struct Node {
    text: String,
    at: Pos,
    blank_before: bool,
    children: Vec<Node>,
}

#[derive(Debug)]
enum LeadKind {
    /// A sub-heading, or a bold line: heads the list or boxed note after it.
    Heading,
    /// A bare short line right before a list: heads it.
    Bare,
    /// A sentence ending in `:` right before a list: the list is its children.
    Colon,
}

#[derive(Debug)]
enum Group {
    List(Vec<Node>),
    Para {
        text: String,
        at: Pos,
        quoted: bool,
        one_line: bool,
    },
    Lead {
        text: String,
        at: Pos,
        kind: LeadKind,
    },
    Raw {
        text: String,
        at: Pos,
        what: &'static str,
    },
}

/// What a piece of a section became, and what it was.
#[derive(Debug)]
enum Role {
    /// A list item (or a lead line with its list).
    Listed,
    /// A free paragraph or a boxed note; `after_list` when a list came
    /// before it in its section.
    Note { after_list: bool, quoted: bool },
}

#[derive(Debug)]
struct Placed {
    point: DraftPoint,
    role: Role,
    at: Pos,
}

struct Section {
    kind: Kind,
    /// The heading of an `Other` section.
    title: Option<String>,
    /// The `#` level of the heading that opened it.
    level: Option<u8>,
    entries: Vec<Entry>,
    at: Pos,
}

impl Recogniser<'_> {
    fn warn(&mut self, code: &'static str, at: Pos, message: impl Into<String>) {
        self.diagnostics
            .push(Diagnostic::warning(code, self.file, at, message));
    }

    fn error(&mut self, code: &'static str, at: Pos, message: impl Into<String>) {
        self.diagnostics
            .push(Diagnostic::error(code, self.file, at, message));
    }

    fn keep_unplaced(&mut self, text: String, at: Pos, what: &str) {
        self.warn(
            "unplaced",
            at,
            format!("{what} could not be placed; it is kept in `background` under \"{UNPLACED}\""),
        );
        self.unplaced.push(DraftPoint::text(text));
    }

    fn draft(&mut self, entries: Vec<Entry>, lines: &[Line], options: &Options) -> Option<Draft> {
        // Pass 2: sections, and the marks that describe the whole article.
        let mut sections = vec![Section {
            kind: Kind::Preamble,
            title: None,
            level: None,
            entries: Vec::new(),
            at: Pos::new(1, 1, 1),
        }];
        let mut names: Vec<String> = Vec::new();
        let mut source_url: Option<String> = None;
        let mut page_url: Option<String> = None;
        let mut date_line: Option<Date> = None;
        for entry in entries {
            let current = sections.last_mut().expect("a section");
            match entry {
                Entry::Heading { level, span } => {
                    let at = span.pos();
                    if let Some(kind) = section_kind(&span.text) {
                        sections.push(section(kind, None, Some(level), at));
                    } else if current.kind == Kind::Preamble
                        || current.level.is_some_and(|l| level > l)
                    {
                        current.entries.push(Entry::Heading { level, span });
                    } else {
                        let title = self.clean(&span);
                        sections.push(section(Kind::Other, Some(title), Some(level), at));
                    }
                }
                Entry::Section { kind, at } => sections.push(section(kind, None, None, at)),
                Entry::Source { line, at } => {
                    if !names.is_empty() || source_url.is_some() {
                        self.warn(
                            "source-again",
                            at,
                            "another source line: its names are added to `source.name`",
                        );
                    }
                    for n in line.names {
                        if !names.contains(&n) {
                            names.push(n);
                        }
                    }
                    source_url = source_url.or(line.url);
                }
                Entry::DateLine { date, .. } if date_line.is_none() => date_line = Some(date),
                Entry::Url { url, .. } if current.kind == Kind::Preamble && page_url.is_none() => {
                    page_url = Some(url);
                }
                Entry::DateLine { span, .. } | Entry::Url { span, .. } => {
                    current.entries.push(Entry::Para {
                        spans: vec![span],
                        quoted: false,
                    });
                }
                Entry::Noise { span } => self.warn(
                    "page-furniture",
                    span.pos(),
                    format!(
                        "`{}` looks like page furniture (a site's watermark) and is left out",
                        span.text.trim()
                    ),
                ),
                Entry::Rule => {}
                other => current.entries.push(other),
            }
        }

        // The title: the first heading of the preamble, else its first line.
        let mut preamble = std::mem::take(&mut sections[0].entries);
        let title_index = preamble
            .iter()
            .position(|e| matches!(e, Entry::Heading { .. }))
            .or_else(|| {
                preamble.iter().position(
                    |e| matches!(e, Entry::Para { spans, quoted: false } if spans.len() == 1),
                )
            });
        let title_span = title_index.map(|i| match preamble.remove(i) {
            Entry::Heading { span, .. } => span,
            Entry::Para { mut spans, .. } => spans.remove(0),
            _ => unreachable!("only headings and paragraphs are titles"),
        });
        let title = title_span
            .map(|span| unwrap_bold(&self.clean(&span)))
            .filter(|t| !t.is_empty());
        let title = match title {
            Some(t) => t,
            None => {
                let t = title_from_file(self.file);
                self.warn(
                    "no-title",
                    Pos::default(),
                    format!("no title found (a heading before \"Why in News\"); using `{t}` from the file name"),
                );
                t
            }
        };
        sections[0].entries = preamble;

        // Pass 3: each section's lists, paragraphs and lead lines, placed.
        let mut why_placed: Vec<Placed> = Vec::new();
        let mut key: Vec<DraftPoint> = Vec::new();
        // Background points, and whether each is a whole section of its own.
        let mut background: Vec<(DraftPoint, bool, Pos)> = Vec::new();
        let mut forward: Vec<DraftPoint> = Vec::new();
        let mut preamble_placed: Vec<Placed> = Vec::new();
        for sec in sections {
            let placed = self.place(sec.entries);
            match sec.kind {
                Kind::Preamble => preamble_placed = placed,
                Kind::Why => why_placed.extend(placed),
                Kind::KeyPoints => {
                    for p in placed {
                        match p.role {
                            Role::Listed
                            | Role::Note {
                                after_list: false,
                                quoted: false,
                            } => key.push(p.point),
                            // Free paragraphs between the lists are boxed notes.
                            Role::Note { .. } => background.push((p.point, false, p.at)),
                        }
                    }
                }
                Kind::WayForward => forward.extend(placed.into_iter().map(|p| p.point)),
                Kind::Background => {
                    background.extend(placed.into_iter().map(|p| (p.point, false, p.at)))
                }
                Kind::Other => {
                    let title = sec.title.unwrap_or_default();
                    if placed.is_empty() {
                        self.warn(
                            "empty-section",
                            sec.at,
                            format!("section `{title}` has nothing under it; its heading is kept"),
                        );
                    }
                    let points = placed.into_iter().map(|p| p.point).collect();
                    background.push((DraftPoint::heading(title, points), true, sec.at));
                }
            }
        }

        // Articles without a "Key Points" section: their other sections, else
        // the bullets under "Why in News", else the text before the first
        // section, are the key points.
        if key.is_empty() && background.iter().any(|(_, whole, _)| *whole) {
            let (others, rest): (Vec<_>, Vec<_>) =
                background.into_iter().partition(|(_, whole, _)| *whole);
            self.warn(
                "no-key-points",
                others[0].2,
                "no \"Key Points\" section: the sections from here on are taken as key points",
            );
            key = others.into_iter().map(|(p, _, _)| p).collect();
            background = rest;
        }
        let mut why: Vec<String> = Vec::new();
        let why_lists = why_placed
            .iter()
            .find(|p| matches!(p.role, Role::Listed))
            .map(|p| p.at);
        match why_lists {
            Some(at) if key.is_empty() => {
                self.warn(
                    "no-key-points",
                    at,
                    "no \"Key Points\" section: the bullets under \"Why in News\" are taken as key points",
                );
                for p in why_placed {
                    match p.role {
                        Role::Listed => key.push(p.point),
                        Role::Note { .. } => flatten(&p.point, &mut why),
                    }
                }
            }
            _ => why_placed.iter().for_each(|p| flatten(&p.point, &mut why)),
        }
        if why.is_empty()
            && let Some(i) = preamble_placed
                .iter()
                .position(|p| matches!(p.role, Role::Note { .. }))
        {
            let p = preamble_placed.remove(i);
            self.warn(
                "no-why-in-news",
                p.at,
                "no \"Why in News\" section: this paragraph is taken as the why in news",
            );
            flatten(&p.point, &mut why);
        }
        if key.is_empty() && !preamble_placed.is_empty() {
            self.warn(
                "no-key-points",
                preamble_placed[0].at,
                "no \"Key Points\" section: the text from here to the first section is taken as key points",
            );
            key.extend(preamble_placed.drain(..).map(|p| p.point));
        }
        for p in preamble_placed {
            self.warn(
                "unplaced",
                p.at,
                format!("text before the first section could not be placed; it is kept in `background` under \"{UNPLACED}\""),
            );
            self.unplaced.push(p.point);
        }
        if why.is_empty() {
            self.error(
                "no-why-in-news",
                Pos::default(),
                format!(
                    "found no \"Why in News\" in {}: add a \"Why in News\" heading with a paragraph under it",
                    self.file.display()
                ),
            );
        }
        if key.is_empty() {
            self.error(
                "no-key-points",
                Pos::default(),
                format!(
                    "found no key points in {}: add a \"Key Points\" heading with bullets under it",
                    self.file.display()
                ),
            );
        }
        let mut background: Vec<DraftPoint> = background.into_iter().map(|(p, _, _)| p).collect();
        if !self.unplaced.is_empty() {
            background.push(DraftPoint::heading(UNPLACED, self.unplaced.clone()));
        }

        let date = self.date(options, date_line, lines);
        let source =
            (!names.is_empty() || source_url.is_some() || page_url.is_some()).then(|| SourceRef {
                name: (!names.is_empty()).then(|| names.join(", ")),
                url: source_url.or(page_url),
            });
        let id = [slug(&title), slug(&file_stem(self.file))]
            .into_iter()
            .find(|s| !s.is_empty())
            .unwrap_or_else(|| "imported-brief".to_owned());
        let draft = Draft {
            id,
            title,
            date: date?,
            subject: options.subject.clone(),
            tags: options.tags.clone(),
            source,
            why_in_news: why.join("\n\n"),
            key_points: key,
            background,
            way_forward: forward,
        };
        self.check_sizes(&draft);
        if self.diagnostics.iter().any(Diagnostic::is_error) {
            return None;
        }
        Some(draft)
    }

    /// The brief's date: `--date`, else a date line, else the file name,
    /// else the first date in the text (with a warning to check it).
    fn date(&mut self, options: &Options, date_line: Option<Date>, lines: &[Line]) -> Option<Date> {
        if let Some(d) = options.date {
            return Some(d);
        }
        if let Some(d) = date_line {
            return Some(d);
        }
        if let Some(f) = date::find(&file_stem(self.file)) {
            return Some(f.date);
        }
        for line in lines {
            if let Some(f) = date::find(&line.text) {
                let found = &line.text[f.start..f.end];
                let col = line.text[..f.start].chars().count() as u32 + 1;
                self.warn(
                    "date-from-text",
                    Pos::new(line.no, col, found.chars().count() as u32),
                    format!(
                        "the date {} is taken from the text (`{found}`); check it, or pass --date YYYY-MM-DD",
                        f.date
                    ),
                );
                return Some(f.date);
            }
        }
        self.error(
            "no-date",
            Pos::default(),
            format!(
                "no date found in {}; pass --date YYYY-MM-DD",
                self.file.display()
            ),
        );
        None
    }

    /// A text over the loader's limit would make a brief `check` refuses.
    fn check_sizes(&mut self, draft: &Draft) {
        let mut texts: Vec<&str> = vec![&draft.title, &draft.why_in_news];
        for p in draft
            .key_points
            .iter()
            .chain(&draft.background)
            .chain(&draft.way_forward)
        {
            p.texts(&mut texts);
        }
        let too_long: Vec<String> = texts
            .into_iter()
            .filter(|t| t.len() > limits::MAX_TEXT_BYTES)
            .map(|t| t.chars().take(40).collect())
            .collect();
        for start in too_long {
            self.error(
                "text-too-long",
                Pos::default(),
                format!(
                    "the text starting `{start}…` is over the limit of {} for one text; split it into shorter paragraphs in the article",
                    limits::human_bytes(limits::MAX_TEXT_BYTES as u64)
                ),
            );
        }
    }

    /// A section's entries as placed points.
    fn place(&mut self, entries: Vec<Entry>) -> Vec<Placed> {
        let mut out = Vec::new();
        let mut after_list = false;
        let mut groups = self.groups(entries).into_iter().peekable();
        while let Some(group) = groups.next() {
            match group {
                Group::List(nodes) => {
                    let at: Vec<Pos> = nodes.iter().map(|n| n.at).collect();
                    for (i, point) in nodes_to_points(nodes).into_iter().enumerate() {
                        out.push(Placed {
                            point,
                            role: Role::Listed,
                            at: at.get(i).copied().unwrap_or(at[0]),
                        });
                    }
                    after_list = true;
                }
                Group::Lead { text, at, kind } => {
                    if let Some(Group::List(mut nodes)) =
                        groups.next_if(|g| matches!(g, Group::List(_)))
                    {
                        // `#### Heading`, two or more tight items, a blank
                        // line, more items: the heading covers the tight run.
                        let rest = match nodes.iter().skip(1).position(|n| n.blank_before) {
                            Some(k) if k >= 1 => nodes.split_off(k + 1),
                            _ => Vec::new(),
                        };
                        let children = nodes_to_points(nodes);
                        let point = match kind {
                            LeadKind::Colon => DraftPoint {
                                heading: None,
                                text: Some(text),
                                points: children,
                            },
                            LeadKind::Heading | LeadKind::Bare => {
                                DraftPoint::heading(text, children)
                            }
                        };
                        out.push(Placed {
                            point,
                            role: Role::Listed,
                            at,
                        });
                        for node in rest {
                            let at = node.at;
                            for point in node_to_points(node) {
                                out.push(Placed {
                                    point,
                                    role: Role::Listed,
                                    at,
                                });
                            }
                        }
                        after_list = true;
                    } else if matches!(kind, LeadKind::Heading)
                        && matches!(groups.peek(), Some(Group::Para { .. }))
                    {
                        // A bold line or sub-heading over paragraphs: a boxed note.
                        let mut children = Vec::new();
                        let mut quoted = false;
                        while let Some(Group::Para {
                            text, quoted: q, ..
                        }) = groups.next_if(|g| matches!(g, Group::Para { .. }))
                        {
                            quoted |= q;
                            children.push(DraftPoint::text(text));
                        }
                        out.push(Placed {
                            point: DraftPoint::heading(text, children),
                            role: Role::Note { after_list, quoted },
                            at,
                        });
                    } else {
                        out.push(Placed {
                            point: DraftPoint::text(text),
                            role: Role::Note {
                                after_list,
                                quoted: false,
                            },
                            at,
                        });
                    }
                }
                Group::Para {
                    text, at, quoted, ..
                } => out.push(Placed {
                    point: DraftPoint::text(text),
                    role: Role::Note { after_list, quoted },
                    at,
                }),
                Group::Raw { text, at, what } => self.keep_unplaced(text, at, what),
            }
        }
        out
    }

    fn groups(&mut self, entries: Vec<Entry>) -> Vec<Group> {
        let mut out = Vec::new();
        let mut items: Vec<Item> = Vec::new();
        for entry in entries {
            if let Entry::Item(it) = entry {
                items.push(it);
                continue;
            }
            if !items.is_empty() {
                let tree = self.tree(std::mem::take(&mut items));
                out.push(Group::List(tree));
            }
            match entry {
                Entry::Para { spans, quoted } => {
                    let at = spans[0].pos();
                    let one_line = spans.len() == 1;
                    let text = self.text_of(&spans);
                    if text.is_empty() {
                        continue;
                    }
                    if one_line && !quoted && bold_line(&text).is_some() {
                        out.push(Group::Lead {
                            text,
                            at,
                            kind: LeadKind::Heading,
                        });
                    } else {
                        out.push(Group::Para {
                            text,
                            at,
                            quoted,
                            one_line,
                        });
                    }
                }
                Entry::Heading { span, .. } => {
                    let text = self.clean(&span);
                    if !text.is_empty() {
                        out.push(Group::Lead {
                            text,
                            at: span.pos(),
                            kind: LeadKind::Heading,
                        });
                    }
                }
                Entry::Raw {
                    text,
                    at,
                    what: "an HTML comment",
                } => self.warn(
                    "html-comment",
                    at,
                    format!("HTML comment `{}` is left out", first_line(&text)),
                ),
                Entry::Raw { text, at, what } => out.push(Group::Raw { text, at, what }),
                // Marks are taken by the caller; items above.
                _ => {}
            }
        }
        if !items.is_empty() {
            let tree = self.tree(items);
            out.push(Group::List(tree));
        }
        // A paragraph right before a list may head it.
        for i in 0..out.len() {
            if !matches!(out.get(i + 1), Some(Group::List(_))) {
                continue;
            }
            if let Group::Para {
                text,
                at,
                quoted: false,
                one_line,
            } = &out[i]
            {
                let kind = if *one_line && heading_like(text) {
                    LeadKind::Bare
                } else if text.ends_with(':') {
                    LeadKind::Colon
                } else {
                    continue;
                };
                out[i] = Group::Lead {
                    text: text.clone(),
                    at: *at,
                    kind,
                };
            }
        }
        out
    }

    /// List items as a tree: nested by indentation (2 or 4 spaces, tabs,
    /// any mix), and pasted `•`/`◦`/`▪` bullets also by symbol.
    fn tree(&mut self, items: Vec<Item>) -> Vec<Node> {
        let mut stack: Vec<(usize, Marker)> = Vec::new();
        let mut flat: Vec<(usize, Node)> = Vec::new();
        for it in items {
            while stack.last().is_some_and(|t| t.0 > it.indent) {
                stack.pop();
            }
            let mut depth = match stack.last() {
                None => 0,
                Some(&(indent, _)) if indent < it.indent => stack.len(),
                Some(&(_, marker)) if marker == it.marker => stack.len() - 1,
                Some(&(_, marker)) => {
                    if let Some(k) = stack
                        .iter()
                        .rposition(|t| t.0 == it.indent && t.1 == it.marker)
                    {
                        k
                    } else if matches!(marker, Marker::Bullet(_))
                        || matches!(it.marker, Marker::Bullet(_))
                    {
                        stack.len()
                    } else {
                        stack.len() - 1
                    }
                }
            };
            if depth > MAX_DEPTH {
                self.warn(
                    "deep-list",
                    it.at,
                    format!("list nested deeper than {MAX_DEPTH} levels: this item is kept at level {MAX_DEPTH}"),
                );
                depth = MAX_DEPTH;
            }
            stack.truncate(depth);
            stack.push((it.indent, it.marker));
            let paras: Vec<String> = it
                .paras
                .iter()
                .map(|spans| self.text_of(spans))
                .filter(|t| !t.is_empty())
                .collect();
            flat.push((
                depth,
                Node {
                    text: paras.join("\n\n"),
                    at: it.at,
                    blank_before: it.blank_before,
                    children: Vec::new(),
                },
            ));
        }
        let mut root: Vec<Node> = Vec::new();
        for (depth, node) in flat {
            let mut level = &mut root;
            for _ in 0..depth {
                level = &mut level.last_mut().expect("a parent item").children;
            }
            level.push(node);
        }
        root
    }

    /// The lines of a paragraph, cleaned, joined by spaces.
    fn text_of(&mut self, spans: &[Span]) -> String {
        let parts: Vec<String> = spans.iter().map(|s| self.clean(s)).collect();
        let joined = parts
            .iter()
            .map(|p| p.trim())
            .filter(|p| !p.is_empty())
            .collect::<Vec<_>>()
            .join(" ");
        joined.trim().to_owned()
    }

    /// One line's inline Markdown made fit for a brief: remote images become
    /// links and local ones are dropped (a brief's images are files under the
    /// sources root), links with refused schemes keep only their text,
    /// `<b>`/`<strong>` become `**` and `<i>`/`<em>` `*`, other HTML tags and
    /// comments are removed. Each change is a warning.
    fn clean(&mut self, span: &Span) -> String {
        let s = span.text.as_str();
        let pos = |i: usize, len: usize| {
            Pos::new(
                span.line,
                span.col + s[..i].chars().count() as u32,
                s[i..i + len].chars().count().max(1) as u32,
            )
        };
        let mut out = String::with_capacity(s.len());
        let mut i = 0;
        while i < s.len() {
            let rest = &s[i..];
            let c = rest.chars().next().expect("a character");
            // Code spans are copied as written.
            if c == '`' {
                let run = rest.len() - rest.trim_start_matches('`').len();
                let fence = &rest[..run];
                let len = rest[run..].find(fence).map_or(run, |end| run + end + run);
                out.push_str(&rest[..len]);
                i += len;
                continue;
            }
            if c == '\\' {
                let len = 1 + rest[1..].chars().next().map_or(0, char::len_utf8);
                out.push_str(&rest[..len]);
                i += len;
                continue;
            }
            if rest.starts_with("![")
                && let Some(link) = parse_link(&rest[1..])
            {
                let len = link.len + 1;
                let alt = link.text.trim();
                if source::is_http(link.url) {
                    if alt.is_empty() {
                        out.push_str(&format!("[image]({})", link.url));
                    } else {
                        out.push_str(&format!("[image: {alt}]({})", link.url));
                    }
                    self.warn(
                        "image-link",
                        pos(i, len),
                        format!(
                            "image `{}` is kept as a link: a brief's images are files under the sources root (a point's `image` and `alt`)",
                            link.url
                        ),
                    );
                } else {
                    let alt_note = if alt.is_empty() {
                        String::new()
                    } else {
                        format!(" (\"{alt}\")")
                    };
                    self.warn(
                        "image-dropped",
                        pos(i, len),
                        format!(
                            "image `{}`{alt_note} is left out: copy it under the sources root and give a point `image` and `alt`",
                            link.url
                        ),
                    );
                }
                i += len;
                continue;
            }
            if c == '['
                && let Some(link) = parse_link(rest)
            {
                let inner = Span {
                    line: span.line,
                    col: span.col + s[..i + 1].chars().count() as u32,
                    text: link.text.to_owned(),
                };
                let text = self.clean(&inner);
                if let Some(scheme) = refused_scheme(link.url) {
                    self.warn(
                        "link-scheme",
                        pos(i, link.len),
                        format!("link `{}` uses `{scheme}:`, which a brief refuses (only http, https and mailto); only its text is kept", link.url),
                    );
                    out.push_str(&text);
                } else {
                    let close = 1 + link.text.len();
                    out.push('[');
                    out.push_str(&text);
                    out.push_str(&rest[close..link.len]);
                }
                i += link.len;
                continue;
            }
            if c == '<'
                && let Some(len) =
                    self.html(rest, pos(i, rest.find('>').map_or(1, |e| e + 1)), &mut out)
            {
                i += len;
                continue;
            }
            out.push(c);
            i += c.len_utf8();
        }
        out
    }

    /// Inline HTML at the start of `rest`: writes its replacement and returns
    /// the bytes taken, or None when `<` is just a character.
    fn html(&mut self, rest: &str, at: Pos, out: &mut String) -> Option<usize> {
        if let Some(body) = rest.strip_prefix("<!--") {
            let end = body.find("-->")?;
            let len = 4 + end + 3;
            self.warn(
                "html-comment",
                at,
                format!("HTML comment `{}` is left out", &rest[..len]),
            );
            return Some(len);
        }
        let end = rest.find('>')?;
        let inner = &rest[1..end];
        if inner.is_empty() || inner.contains('<') {
            return None;
        }
        // An autolink: `<https://…>`, `<name@example.org>`.
        if !inner.contains(char::is_whitespace) && (inner.contains(':') || inner.contains('@')) {
            if let Some(scheme) = refused_scheme(inner) {
                self.warn(
                    "link-scheme",
                    at,
                    format!("link `{inner}` uses `{scheme}:`, which a brief refuses; it is kept as plain text"),
                );
                out.push_str(inner);
            } else {
                out.push_str(&rest[..=end]);
            }
            return Some(end + 1);
        }
        let name_part = inner.strip_prefix('/').unwrap_or(inner);
        let name: String = name_part
            .chars()
            .take_while(|c| c.is_ascii_alphanumeric())
            .collect();
        let after = &name_part[name.len()..];
        if name.is_empty()
            || !name.starts_with(|c: char| c.is_ascii_alphabetic())
            || !(after.is_empty() || after.starts_with([' ', '/', '\t']))
        {
            return None;
        }
        match name.to_ascii_lowercase().as_str() {
            "sup" | "sub" | "br" => out.push_str(&rest[..=end]),
            "b" | "strong" => out.push_str("**"),
            "i" | "em" => out.push('*'),
            other => self.warn(
                "html-tag",
                at,
                format!(
                    "HTML tag `<{}{other}>` is removed (its text is kept)",
                    if inner.starts_with('/') { "/" } else { "" }
                ),
            ),
        }
        Some(end + 1)
    }
}

/// The first line of `text`, with `…` when there is more.
fn first_line(text: &str) -> String {
    match text.split_once('\n') {
        Some((first, _)) => format!("{first}…"),
        None => text.to_owned(),
    }
}

fn section(kind: Kind, title: Option<String>, level: Option<u8>, at: Pos) -> Section {
    Section {
        kind,
        title,
        level,
        entries: Vec::new(),
        at,
    }
}

/// List items as points. A bold (`**Term**`) or label (`**Significance:**`)
/// item with children heads them; one without children heads the items
/// after it when it is a label, or when it is bold and a blank line follows
/// it (the seed's "Other Recent Developments"), up to the next such item.
fn nodes_to_points(nodes: Vec<Node>) -> Vec<DraftPoint> {
    let heads: Vec<bool> = (0..nodes.len())
        .map(|i| {
            let n = &nodes[i];
            n.children.is_empty()
                && (is_label_only(&n.text)
                    || (is_bold_only(&n.text) && nodes.get(i + 1).is_some_and(|x| x.blank_before)))
        })
        .collect();
    let mut out = Vec::new();
    let mut iter = nodes.into_iter().enumerate().peekable();
    while let Some((i, node)) = iter.next() {
        if heads[i] && iter.peek().is_some_and(|(j, _)| !heads[*j]) {
            let mut adopted = Vec::new();
            while let Some((_, n)) = iter.next_if(|(j, _)| !heads[*j]) {
                adopted.push(n);
            }
            out.push(DraftPoint::heading(node.text, nodes_to_points(adopted)));
        } else {
            out.extend(node_to_points(node));
        }
    }
    out
}

fn node_to_points(n: Node) -> Vec<DraftPoint> {
    let children = nodes_to_points(n.children);
    if n.text.is_empty() {
        return children;
    }
    if !children.is_empty() && bold_line(&n.text).is_some() {
        return vec![DraftPoint::heading(n.text, children)];
    }
    vec![DraftPoint {
        heading: None,
        text: Some(n.text),
        points: children,
    }]
}

/// A point's texts as paragraphs, in reading order.
fn flatten(p: &DraftPoint, out: &mut Vec<String>) {
    out.extend(p.heading.iter().cloned());
    out.extend(p.text.iter().cloned());
    for c in &p.points {
        flatten(c, out);
    }
}

/// `**Title**` → `Title`.
fn unwrap_bold(text: &str) -> String {
    let t = text.trim();
    match bold_line(t) {
        Some(false) => t[2..t.len() - 2].trim().to_owned(),
        _ => t.to_owned(),
    }
}

fn file_stem(file: &Path) -> String {
    file.file_stem()
        .map(|s| s.to_string_lossy().into_owned())
        .unwrap_or_default()
}

/// `2020-10-07-india-japan_dialogue` → `India japan dialogue`.
fn title_from_file(file: &Path) -> String {
    let stem = file_stem(file);
    let mut rest = stem.as_str();
    if let Some(f) = date::find(rest)
        && f.start == 0
    {
        rest = rest[f.end..].trim_start_matches(['-', '_', ' ']);
    }
    let words = rest.replace(['-', '_'], " ");
    let words = words.split_whitespace().collect::<Vec<_>>().join(" ");
    let mut chars = words.chars();
    match chars.next() {
        Some(first) => first.to_uppercase().chain(chars).collect(),
        None => "Untitled brief".to_owned(),
    }
}

/// A brief id from a title: lower-case ASCII letters and digits joined by
/// hyphens, at most [`MAX_ID_LEN`] characters, cut at a hyphen.
pub(crate) fn slug(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        if c.is_ascii_alphanumeric() {
            out.push(c.to_ascii_lowercase());
        } else if c == '\'' || c == '’' {
            // `Ministers'` → `ministers`
        } else if !out.ends_with('-') && !out.is_empty() {
            out.push('-');
        }
    }
    let mut out = out.trim_end_matches('-').to_owned();
    if out.len() > MAX_ID_LEN {
        let cut = out[..=MAX_ID_LEN].rfind('-').unwrap_or(MAX_ID_LEN);
        out.truncate(cut);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::date;

    fn draft(text: &str) -> (Option<Draft>, Vec<Diagnostic>) {
        let options = Options {
            date: Some(date!(2020 - 10 - 07)),
            ..Options::default()
        };
        let imported = recognise(Path::new("a.md"), text, &options);
        (imported.draft, imported.diagnostics)
    }

    fn ok(text: &str) -> Draft {
        let (d, diags) = draft(text);
        d.unwrap_or_else(|| panic!("{diags:#?}"))
    }

    fn texts(points: &[DraftPoint]) -> Vec<String> {
        points
            .iter()
            .map(|p| {
                p.heading
                    .clone()
                    .map(|h| format!("# {h}"))
                    .or_else(|| p.text.clone())
                    .unwrap_or_default()
            })
            .collect()
    }

    #[test]
    fn nesting_in_two_and_four_spaces_and_tabs() {
        for (a, b) in [
            ("  ", "    "),
            ("    ", "        "),
            ("\t", "\t\t"),
            ("   ", "      "),
        ] {
            let d = ok(&format!(
                "# T\n\n## Why in News\n\nW **x**.\n\n## Key Points\n\n- **A**\n{a}- a1\n{b}- a11\n{a}- a2\n- B\n"
            ));
            assert_eq!(texts(&d.key_points), ["# **A**", "B"], "{a:?}");
            let a_children = &d.key_points[0].points;
            assert_eq!(texts(a_children), ["a1", "a2"]);
            assert_eq!(texts(&a_children[0].points), ["a11"]);
        }
    }

    #[test]
    fn bullets_nest_by_symbol() {
        let d = ok(
            "T\nWhy in News\nW.\nKey Points\n• one\n◦ one-a\n▪ one-a-i\n◦ one-b\n• two\no two-a\n",
        );
        assert_eq!(texts(&d.key_points), ["one", "two"]);
        assert_eq!(texts(&d.key_points[0].points), ["one-a", "one-b"]);
        assert_eq!(texts(&d.key_points[0].points[0].points), ["one-a-i"]);
        assert_eq!(texts(&d.key_points[1].points), ["two-a"]);
    }

    #[test]
    fn labels_and_bold_items_head_their_lists() {
        let d = ok(
            "# T\n### Why in News\nW.\n### Key Points\n- **Significance:**\n- It matters.\n- More.\n- **Concerns**:\n- Costs.\n- **Other Developments**\n\n- x\n- y\n- **Term**\n- z\n",
        );
        assert_eq!(
            texts(&d.key_points),
            [
                "# **Significance:**",
                "# **Concerns**:",
                "# **Other Developments**"
            ]
        );
        assert_eq!(texts(&d.key_points[0].points), ["It matters.", "More."]);
        assert_eq!(texts(&d.key_points[2].points), ["x", "y", "**Term**", "z"]);
    }

    #[test]
    fn lead_lines_head_the_list_after_them() {
        let d = ok(
            "# T\n## Why in News\nW.\n**Key Points:**\n**Cyber MoC**\n- a\n\nBare Heading Line\n- b\n\nThe MoC covers:\n- c\n",
        );
        assert_eq!(
            texts(&d.key_points),
            ["# **Cyber MoC**", "# Bare Heading Line", "The MoC covers:"]
        );
        assert!(d.key_points[2].heading.is_none());
        assert_eq!(texts(&d.key_points[2].points), ["c"]);
    }

    #[test]
    fn paragraphs_between_lists_are_background_and_sections_are_found() {
        let d = ok(
            "drishti\n\n## Title Here\n\n[site.com/printpdf/x](https://site.com/printpdf/x)\n\n### Why in News\n\nOne.\n\nTwo.\n\n### Key Points\n\n- k1\n\nA boxed **note**.\n\n- k2\n\n### About Things\n\n- t1\n\n## Way Forward\n\n---\n\n- w1\n\n**Source: TH**\n\ndrishti\n",
        );
        assert_eq!(d.title, "Title Here");
        assert_eq!(d.id, "title-here");
        assert_eq!(d.why_in_news, "One.\n\nTwo.");
        assert_eq!(texts(&d.key_points), ["k1", "k2"]);
        assert_eq!(
            texts(&d.background),
            ["A boxed **note**.", "# About Things"]
        );
        assert_eq!(texts(&d.way_forward), ["w1"]);
        let source = d.source.unwrap();
        assert_eq!(source.name.as_deref(), Some("The Hindu"));
        assert_eq!(source.url.as_deref(), Some("https://site.com/printpdf/x"));
    }

    #[test]
    fn unplaceable_text_is_kept_with_a_warning() {
        let (d, diags) = draft(
            "# T\n\nStray words.\n\n## Why in News\n\nW.\n\n## Key Points\n\n- k\n\n| a | b |\n|---|---|\n| 1 | 2 |\n\n<div class=\"ad\">Buy</div>\n",
        );
        let d = d.unwrap();
        let unplaced = d.background.last().unwrap();
        assert_eq!(unplaced.heading.as_deref(), Some(UNPLACED));
        assert_eq!(
            texts(&unplaced.points),
            [
                "| a | b |\n|---|---|\n| 1 | 2 |",
                "<div class=\"ad\">Buy</div>",
                "Stray words."
            ]
        );
        let lines: Vec<u32> = diags
            .iter()
            .filter(|d| d.code == "unplaced")
            .map(|d| d.pos.line)
            .collect();
        assert_eq!(lines, [13, 17, 3]);
    }

    #[test]
    fn inline_images_html_and_links() {
        let (d, diags) = draft(
            "# T\n## Why in News\nW <b>bold</b> and <i>it</i> 13<sup>th</sup>.\n## Key Points\n- ![Map](https://x.org/m.png) and ![local](img/m.png)\n- <span class=\"x\">kept</span> [bad](javascript:alert(1)) [good](https://x.org)\n",
        );
        let d = d.unwrap();
        assert_eq!(d.why_in_news, "W **bold** and *it* 13<sup>th</sup>.");
        assert_eq!(
            texts(&d.key_points),
            [
                "[image: Map](https://x.org/m.png) and",
                "kept bad [good](https://x.org)"
            ]
        );
        let codes: Vec<&str> = diags.iter().map(|d| d.code).collect();
        assert_eq!(
            codes,
            [
                "image-link",
                "image-dropped",
                "html-tag",
                "html-tag",
                "link-scheme"
            ]
        );
        assert_eq!((diags[1].pos.line, diags[1].pos.col), (5, 35));
    }

    #[test]
    fn fallbacks_when_sections_are_missing() {
        let (d, diags) = draft("# T\n\nThe news **itself**.\n\n### About It\n\n- **x**\n");
        let d = d.unwrap();
        assert_eq!(d.why_in_news, "The news **itself**.");
        assert_eq!(texts(&d.key_points), ["# About It"]);
        assert!(diags.iter().all(|d| !d.is_error()));
        let (d, diags) = draft("# T\n\nJust a paragraph.\n");
        assert!(d.is_none());
        assert!(
            diags
                .iter()
                .any(|d| d.code == "no-key-points" && d.is_error())
        );
    }

    #[test]
    fn dates_come_from_the_option_a_date_line_the_file_name_or_the_text() {
        let text = "# T\nPublished: 12th March 2024\n## Why in News\nOn 1st April 2024 it **happened**.\n## Key Points\n- k\n";
        let at = |file: &str, date: Option<Date>| {
            let options = Options {
                date,
                ..Options::default()
            };
            let i = recognise(Path::new(file), text, &options);
            i.draft.map(|d| d.date)
        };
        assert_eq!(
            at("a.md", Some(date!(2020 - 01 - 02))),
            Some(date!(2020 - 01 - 02))
        );
        assert_eq!(at("2023-05-06-a.md", None), Some(date!(2024 - 03 - 12)));
        let no_line = text.replace("Published: 12th March 2024\n", "");
        let i = recognise(Path::new("2023-05-06-a.md"), &no_line, &Options::default());
        assert_eq!(i.draft.unwrap().date, date!(2023 - 05 - 06));
        let i = recognise(Path::new("a.md"), &no_line, &Options::default());
        assert_eq!(i.draft.unwrap().date, date!(2024 - 04 - 01));
        assert!(
            i.diagnostics
                .iter()
                .any(|d| d.code == "date-from-text" && d.pos.line == 3)
        );
        let none = no_line.replace("On 1st April 2024 it", "It");
        let i = recognise(Path::new("dir/a.md"), &none, &Options::default());
        assert!(i.draft.is_none());
        assert_eq!(
            i.diagnostics.iter().find(|d| d.is_error()).unwrap().message,
            "no date found in dir/a.md; pass --date YYYY-MM-DD"
        );
    }

    #[test]
    fn slugs_and_titles_from_file_names() {
        assert_eq!(
            slug("India-Japan Foreign Ministers' Strategic Dialogue"),
            "india-japan-foreign-ministers-strategic-dialogue"
        );
        assert_eq!(
            slug("Uniform Civil Code: Uttarakhand passes the first UCC Bill in independent India"),
            "uniform-civil-code-uttarakhand-passes-the-first-ucc-bill-in"
        );
        assert_eq!(
            title_from_file(Path::new("x/2020-10-07-india-japan_talks.md")),
            "India japan talks"
        );
    }

    #[test]
    fn setext_and_quotes() {
        let d = ok(
            "The Title\n=========\n\n**Why in News**\n\nW.\n\nKey Points\n- k\n\n> A quoted box\n> on two lines.\n",
        );
        assert_eq!(d.title, "The Title");
        assert_eq!(texts(&d.background), ["A quoted box on two lines."]);
    }
}
