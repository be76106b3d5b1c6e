//! Inline Markdown: parsing once into a compact flat form, rendering to XHTML
//! or to Anki field HTML, and extracting key terms.
//!
//! Briefs carry a deliberately small Markdown: `**bold**` (a key term),
//! `*italic*`, `` `code` ``, `[links](https://…)`, hard line breaks, and the raw
//! HTML tags `<sup>`, `<sub>` and `<br>`. Everything is parsed by
//! pulldown-cmark and filtered into [`Inline`] nodes, then flattened into a
//! [`Markup`]; the common plain text with `**bold**` terms takes a fast path
//! ([`fast`]) that gives the same result. Nothing from the source is ever
//! copied into the output unescaped, so the output is always well-formed XHTML
//! and never live script. Any other raw HTML is kept as visible text. Block
//! syntax (lists, headings, quotes, code blocks) is not part of a brief's
//! text, so a line that merely *looks* like a block marker (`2020. The year…`,
//! `- 5 %`) stays a sentence.

mod fast;

use crate::limits;
use pulldown_cmark::{Event, LinkType, Options, Parser, Tag, TagEnd};
use std::borrow::Cow;
use std::fmt::Write as _;

/// A parsed text, stored flat so that thousands of briefs stay small in
/// memory: its nodes in document order, a container followed by everything
/// inside it, and one buffer that starts with the Markdown source and goes on
/// with the pieces of text and URLs the nodes need (a plain text's nodes
/// point into the source itself).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Markup {
    text: Box<str>,
    source_len: u32,
    nodes: Box<[Node]>,
}

/// One node of a [`Markup`]. For `Text`, `Code` and `Link` (its URL),
/// `start..start + len` is a range of the text buffer; for containers
/// (`Paragraph`, `Strong`, `Label`, `Emphasis`, `Link`, `Sup`, `Sub`), `end`
/// is the index one past their last descendant.
///
/// Packed: 13 bytes instead of 16, and a booklet's worth of briefs holds
/// millions of nodes. Fields are only ever read and written by value.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[repr(C, packed)]
struct Node {
    kind: Kind,
    start: u32,
    len: u32,
    end: u32,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[repr(u8)]
enum Kind {
    Paragraph,
    Text,
    Code,
    /// `**…**`, a key term (unless its text is blank).
    Strong,
    /// A leading `**Significance:**`: bold, but not a key term.
    Label,
    Emphasis,
    Link,
    Sup,
    Sub,
    LineBreak,
}

impl Kind {
    fn is_container(self) -> bool {
        !matches!(self, Kind::Text | Kind::Code | Kind::LineBreak)
    }
}

/// The tree pulldown-cmark's events are filtered into, before it is
/// flattened into a [`Markup`].
#[derive(Clone, Debug, PartialEq, Eq)]
enum Inline {
    Text(String),
    Code(String),
    /// `**…**`. `label` marks a leading `**Significance:**`, which is not a key term.
    Strong {
        children: Vec<Inline>,
        label: bool,
    },
    Emphasis(Vec<Inline>),
    Link {
        url: String,
        children: Vec<Inline>,
    },
    Superscript(Vec<Inline>),
    Subscript(Vec<Inline>),
    LineBreak,
}

/// A problem noticed while parsing a text. The caller turns these into
/// diagnostics with the text's position.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum MarkupIssue {
    /// A link whose scheme is not http, https or mailto (error).
    ForbiddenLinkScheme { scheme: String, url: String },
    /// A link with no scheme; it is shown as plain text (warning).
    RelativeLink { url: String },
    /// `**` left unpaired; it shows as literal asterisks (warning).
    UnbalancedBold,
    /// Raw HTML other than the allowed tags; it shows as text (warning).
    DisallowedHtml { html: String },
    /// `![alt](src)`: only a point's `image` key adds images (warning).
    InlineImage { url: String },
}

impl MarkupIssue {
    pub fn is_error(&self) -> bool {
        matches!(self, MarkupIssue::ForbiddenLinkScheme { .. })
    }

    pub fn code(&self) -> &'static str {
        match self {
            MarkupIssue::ForbiddenLinkScheme { .. } => "link-scheme",
            MarkupIssue::RelativeLink { .. } => "relative-link",
            MarkupIssue::UnbalancedBold => "unbalanced-bold",
            MarkupIssue::DisallowedHtml { .. } => "raw-html",
            MarkupIssue::InlineImage { .. } => "inline-image",
        }
    }

    pub fn message(&self) -> String {
        match self {
            MarkupIssue::ForbiddenLinkScheme { scheme, url } => format!(
                "link scheme `{scheme}:` is not allowed (only http, https and mailto): `{}`",
                shorten(url)
            ),
            MarkupIssue::RelativeLink { url } => format!(
                "link `{}` has no scheme; it is kept as plain text",
                shorten(url)
            ),
            MarkupIssue::UnbalancedBold => {
                "unbalanced `**`: it will show as literal asterisks and make no key term".into()
            }
            MarkupIssue::DisallowedHtml { html } => format!(
                "raw HTML `{}` is not allowed here; it will be shown as text (allowed: <sup>, <sub>, <br>)",
                shorten(html)
            ),
            MarkupIssue::InlineImage { url } => format!(
                "inline image `{}` is shown as its alt text; use a point's `image` key for figures",
                shorten(url)
            ),
        }
    }
}

fn shorten(s: &str) -> Cow<'_, str> {
    const MAX: usize = 80;
    if s.chars().count() <= MAX {
        Cow::Borrowed(s)
    } else {
        Cow::Owned(format!("{}…", s.chars().take(MAX).collect::<String>()))
    }
}

/// A key term: a bold run that is not a label.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct KeyTerm {
    /// How it reads (the first spelling met), plain text.
    pub text: String,
    /// Identity: lower-cased, whitespace collapsed. Two bold runs with the
    /// same key are one term.
    pub key: String,
}

/// How text is escaped for the target.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Flavor {
    /// XHTML for EPUB.
    Xhtml,
    /// Anki field HTML: also escapes `{` and `}` so that source text can never
    /// form a cloze (`{{c1::…}}`) or a template reference (`{{Field}}`).
    Anki,
}

impl Markup {
    /// Parses a text. Never fails: problems are returned beside the tree.
    pub fn parse(source: &str) -> (Markup, Vec<MarkupIssue>) {
        Markup::parse_owned(source.to_owned())
    }

    /// Like [`Markup::parse`], taking ownership of the source, which a
    /// plain text then keeps as its buffer without a copy.
    pub fn parse_owned(source: String) -> (Markup, Vec<MarkupIssue>) {
        match fast::parse(source) {
            Ok(markup) => (markup, Vec::new()),
            Err(source) => {
                let (paragraphs, issues) = parse_tree(&source);
                (Markup::encode(&source, &paragraphs), issues)
            }
        }
    }

    /// The Markdown source as written.
    pub fn source(&self) -> &str {
        &self.text[..self.source_len as usize]
    }

    /// Flattens a tree of paragraphs parsed from `source`.
    fn encode(source: &str, paragraphs: &[Vec<Inline>]) -> Markup {
        let mut enc = Encoder {
            text: String::with_capacity(source.len() * 2),
            nodes: Vec::new(),
        };
        enc.text.push_str(source);
        for p in paragraphs {
            let at = enc.open(Kind::Paragraph, 0, 0);
            for inline in p {
                enc.inline(inline);
            }
            enc.close(at);
        }
        enc.finish(source.len())
    }

    pub fn is_empty(&self) -> bool {
        self.nodes.is_empty()
    }

    /// Whether the text opens with a bold label such as `**Significance:**`.
    pub fn starts_with_label(&self) -> bool {
        self.nodes.get(1).is_some_and(|n| n.kind == Kind::Label)
    }

    fn str_of(&self, n: &Node) -> &str {
        &self.text[n.start as usize..(n.start + n.len) as usize]
    }

    /// The plain text of the nodes `from..to`.
    fn plain_into(&self, from: usize, to: usize, out: &mut String) {
        for n in &self.nodes[from..to] {
            match n.kind {
                Kind::Text | Kind::Code => out.push_str(self.str_of(n)),
                Kind::LineBreak => out.push('\n'),
                _ => {}
            }
        }
    }

    /// Writes the key term of the `Strong` node at `i` into `text` (its
    /// plain text, whitespace collapsed) and `key` (see [`term_key`]), both
    /// cleared first; false when the term is blank. Works in the callers'
    /// buffers: rendering and term lists meet a term at every bold run.
    fn term_into(&self, i: usize, text: &mut String, key: &mut String) -> bool {
        text.clear();
        key.clear();
        let children = &self.nodes[i + 1..self.nodes[i].end as usize];
        // The common term: one run of text, already collapsed.
        if let [n] = children
            && n.kind == Kind::Text
            && is_collapsed(self.str_of(n))
        {
            text.push_str(self.str_of(n));
            lower_into(text, key);
            return !key.is_empty();
        }
        // Whether whitespace came since the last word: pieces (text, code,
        // line breaks) join without a space unless one was written.
        let mut space = false;
        for n in children {
            let piece = match n.kind {
                Kind::Text | Kind::Code => self.str_of(n),
                Kind::LineBreak => "\n",
                _ => continue,
            };
            space |= piece.starts_with(char::is_whitespace);
            let mut words = 0;
            for word in piece.split_whitespace() {
                if (space || words > 0) && !text.is_empty() {
                    text.push(' ');
                }
                text.push_str(word);
                words += 1;
            }
            if words > 0 {
                space = piece.ends_with(char::is_whitespace);
            }
        }
        lower_into(text, key);
        !key.is_empty()
    }

    /// How many bold runs may be key terms: at least as many as the distinct
    /// key terms, and cheap to count.
    pub fn strong_count(&self) -> usize {
        self.nodes.iter().filter(|n| n.kind == Kind::Strong).count()
    }

    /// Whether the text has a key term; cheaper than [`Markup::key_terms`].
    pub fn has_key_terms(&self) -> bool {
        self.term_runs().any(|i| {
            self.nodes[i + 1..self.nodes[i].end as usize]
                .iter()
                .any(|c| {
                    matches!(c.kind, Kind::Text | Kind::Code) && !self.str_of(c).trim().is_empty()
                })
        })
    }

    /// The keys of the distinct key terms, in order of first appearance:
    /// [`Markup::key_terms`] without the texts, for callers that only
    /// compare terms.
    pub fn term_keys(&self) -> Vec<String> {
        let mut keys = Vec::new();
        let n = self.term_keys_into(&mut keys);
        keys.truncate(n);
        keys
    }

    /// [`Markup::term_keys`] written into `keys[..n]`, reusing the strings
    /// already there (a caller going through many texts allocates once);
    /// returns `n`. Strings past `n` are left for later calls.
    pub fn term_keys_into(&self, keys: &mut Vec<String>) -> usize {
        let mut n = 0;
        let mut text = String::new();
        for i in self.term_runs() {
            if keys.len() == n {
                keys.push(String::new());
            }
            let (seen, rest) = keys.split_at_mut(n);
            if self.term_into(i, &mut text, &mut rest[0]) && !seen.contains(&rest[0]) {
                n += 1;
            }
        }
        n
    }

    /// The index of every bold run that may be a key term: not a label,
    /// not inside another bold run.
    fn term_runs(&self) -> impl Iterator<Item = usize> + '_ {
        let mut i = 0;
        std::iter::from_fn(move || {
            while let Some(n) = self.nodes.get(i) {
                match n.kind {
                    // Bold inside a key term is only formatting.
                    Kind::Strong => {
                        let at = i;
                        i = n.end as usize;
                        return Some(at);
                    }
                    Kind::Label => i = n.end as usize,
                    _ => i += 1,
                }
            }
            None
        })
    }

    /// Distinct key terms in order of first appearance.
    pub fn key_terms(&self) -> Vec<KeyTerm> {
        let mut terms: Vec<KeyTerm> = Vec::new();
        let (mut text, mut key) = (String::new(), String::new());
        for i in self.term_runs() {
            if self.term_into(i, &mut text, &mut key) && !terms.iter().any(|k| k.key == key) {
                terms.push(KeyTerm {
                    text: text.clone(),
                    key: key.clone(),
                });
            }
        }
        terms
    }

    /// The text without markup, paragraphs separated by a blank line.
    pub fn plain_text(&self) -> String {
        let mut out = String::with_capacity(self.text.len());
        for (i, p) in self.paragraph_starts().enumerate() {
            if i > 0 {
                out.push_str("\n\n");
            }
            self.plain_into(p + 1, self.nodes[p].end as usize, &mut out);
        }
        out
    }

    fn paragraph_starts(&self) -> impl Iterator<Item = usize> + '_ {
        let mut i = 0;
        std::iter::from_fn(move || {
            let at = i;
            let n = self.nodes.get(at)?;
            i = n.end as usize;
            Some(at)
        })
    }

    /// Inline HTML: paragraphs joined with `<br/>`, for list items and fields.
    pub fn to_inline_html(&self, flavor: Flavor) -> String {
        let mut out = String::new();
        self.render_as(flavor, false, None, &mut out);
        out
    }

    /// Block HTML: each paragraph in `<p>`.
    pub fn to_block_html(&self, flavor: Flavor) -> String {
        let mut out = String::new();
        self.render_as(flavor, true, None, &mut out);
        out
    }

    /// [`Markup::to_inline_html`] (or, with `blocks`, [`Markup::to_block_html`])
    /// appended to `out`.
    pub fn html_into(&self, flavor: Flavor, blocks: bool, out: &mut String) {
        self.render_as(flavor, blocks, None, out);
    }

    /// Renders with a caller-chosen rendering of key terms: `strong` receives
    /// the term (None for a label), its already-rendered inner HTML, and the
    /// output to append to. Used by the Anki exporter to write clozes and by
    /// the booklet to anchor terms.
    pub fn render(&self, flavor: Flavor, blocks: bool, strong: &mut StrongFn<'_>) -> String {
        let mut out = String::new();
        self.render_into(flavor, blocks, strong, &mut out);
        out
    }

    /// [`Markup::render`], appending to `out`.
    pub fn render_into(
        &self,
        flavor: Flavor,
        blocks: bool,
        strong: &mut StrongFn<'_>,
        out: &mut String,
    ) {
        self.render_as(flavor, blocks, Some(strong), out);
    }

    /// [`Markup::render_into`]; without `strong`, every bold run is plain
    /// `<strong>`, and no key term is worked out.
    fn render_as(
        &self,
        flavor: Flavor,
        blocks: bool,
        strong: Option<&mut StrongFn<'_>>,
        out: &mut String,
    ) {
        thread_local! {
            /// The renderer's buffers, kept for this thread's next text.
            static SCRATCH: std::cell::Cell<Scratch> = Default::default();
        }
        out.reserve(self.text.len() + 8 * self.nodes.len());
        let mut r = Renderer {
            markup: self,
            flavor,
            strong,
            // A caller rendering from inside `strong` finds it empty: safe.
            scratch: SCRATCH.take(),
        };
        for (i, p) in self.paragraph_starts().enumerate() {
            if blocks {
                out.push_str("<p>");
            } else if i > 0 {
                out.push_str("<br/>");
            }
            r.range(p + 1, self.nodes[p].end as usize, out, false);
            if blocks {
                out.push_str("</p>");
            }
        }
        SCRATCH.set(r.scratch);
    }

    /// How deeply containers nest inside a paragraph (tests).
    #[cfg(test)]
    fn depth(&self) -> usize {
        let mut open: Vec<u32> = Vec::new();
        let mut deepest = 0;
        for (i, n) in self.nodes.iter().enumerate() {
            while open.last().is_some_and(|&end| end as usize <= i) {
                open.pop();
            }
            if n.kind.is_container() && n.kind != Kind::Paragraph {
                open.push(n.end);
                deepest = deepest.max(open.len());
            }
        }
        deepest
    }
}

/// Flattens [`Inline`] trees into a [`Markup`].
struct Encoder {
    text: String,
    nodes: Vec<Node>,
}

impl Encoder {
    fn push_str(&mut self, s: &str) -> (u32, u32) {
        let start = self.text.len() as u32;
        self.text.push_str(s);
        (start, s.len() as u32)
    }

    fn leaf(&mut self, kind: Kind, s: &str) {
        let (start, len) = self.push_str(s);
        self.nodes.push(Node {
            kind,
            start,
            len,
            end: 0,
        });
    }

    fn open(&mut self, kind: Kind, start: u32, len: u32) -> usize {
        self.nodes.push(Node {
            kind,
            start,
            len,
            end: 0,
        });
        self.nodes.len() - 1
    }

    fn close(&mut self, at: usize) {
        self.nodes[at].end = self.nodes.len() as u32;
    }

    fn container(&mut self, kind: Kind, children: &[Inline]) {
        let at = self.open(kind, 0, 0);
        for c in children {
            self.inline(c);
        }
        self.close(at);
    }

    fn inline(&mut self, inline: &Inline) {
        match inline {
            Inline::Text(t) => self.leaf(Kind::Text, t),
            Inline::Code(t) => self.leaf(Kind::Code, t),
            Inline::LineBreak => self.leaf(Kind::LineBreak, ""),
            Inline::Strong { children, label } => {
                self.container(if *label { Kind::Label } else { Kind::Strong }, children)
            }
            Inline::Emphasis(c) => self.container(Kind::Emphasis, c),
            Inline::Superscript(c) => self.container(Kind::Sup, c),
            Inline::Subscript(c) => self.container(Kind::Sub, c),
            Inline::Link { url, children } => {
                let (start, len) = self.push_str(url);
                let at = self.open(Kind::Link, start, len);
                for c in children {
                    self.inline(c);
                }
                self.close(at);
            }
        }
    }

    fn finish(self, source_len: usize) -> Markup {
        Markup {
            text: self.text.into_boxed_str(),
            source_len: source_len as u32,
            nodes: self.nodes.into_boxed_slice(),
        }
    }
}

/// Parses `source` with pulldown-cmark into a tree of paragraphs.
fn parse_tree(source: &str) -> (Vec<Vec<Inline>>, Vec<MarkupIssue>) {
    let prepared = neutralize_block_syntax(source);
    let mut builder = Builder::default();
    // A tag escaped at the start of a line is still raw HTML shown as text.
    for line in source.split('\n') {
        let line = line.trim_start_matches([' ', '\t']);
        if opens_html_block(line) {
            let tag = line.find('>').map_or(line, |end| &line[..=end]);
            builder.issues.push(MarkupIssue::DisallowedHtml {
                html: tag.to_owned(),
            });
        }
    }
    let parser = Parser::new_ext(&prepared, Options::empty());
    for event in parser {
        builder.event(event);
    }
    builder.finish()
}

/// Normalises a term for identity: whitespace collapsed, lower case.
pub fn term_key(text: &str) -> String {
    let mut key = String::with_capacity(text.len());
    lower_into(&collapse_whitespace(text), &mut key);
    key
}

/// Appends `text` lower-cased to `out`.
fn lower_into(text: &str, out: &mut String) {
    if text.is_ascii() {
        let start = out.len();
        out.push_str(text);
        out[start..].make_ascii_lowercase();
    } else {
        // Not char by char: `to_lowercase` knows a word-final sigma.
        out.push_str(&text.to_lowercase());
    }
}

/// Trims and turns every run of whitespace into one space.
pub fn collapse_whitespace(text: &str) -> Cow<'_, str> {
    if is_collapsed(text) {
        return Cow::Borrowed(text);
    }
    let mut out = String::with_capacity(text.len());
    for word in text.split_whitespace() {
        if !out.is_empty() {
            out.push(' ');
        }
        out.push_str(word);
    }
    Cow::Owned(out)
}

/// Whether `text` is already collapsed: single ASCII spaces between words,
/// none at the ends. One pass over the bytes; a character other than a space
/// is whitespace only if it is ASCII or starts with one of the few lead
/// bytes of Unicode's other spaces (U+0085 … U+3000).
fn is_collapsed(text: &str) -> bool {
    let bytes = text.as_bytes();
    if bytes.first() == Some(&b' ') || bytes.last() == Some(&b' ') {
        return false;
    }
    let mut after_space = false;
    for (i, &b) in bytes.iter().enumerate() {
        match b {
            b' ' if after_space => return false,
            b' ' => {
                after_space = true;
                continue;
            }
            b'\t' | b'\n' | 0x0B | 0x0C | b'\r' => return false,
            0xC2 | 0xE1 | 0xE2 | 0xE3 if text[i..].starts_with(char::is_whitespace) => {
                return false;
            }
            _ => {}
        }
        after_space = false;
    }
    true
}

fn plain_of(inlines: &[Inline]) -> String {
    let mut s = String::new();
    for i in inlines {
        push_plain(i, &mut s);
    }
    s
}

fn push_plain(inline: &Inline, out: &mut String) {
    match inline {
        Inline::Text(t) | Inline::Code(t) => out.push_str(t),
        Inline::LineBreak => out.push('\n'),
        Inline::Strong { children: c, .. }
        | Inline::Emphasis(c)
        | Inline::Link { children: c, .. }
        | Inline::Superscript(c)
        | Inline::Subscript(c) => {
            for i in c {
                push_plain(i, out);
            }
        }
    }
}

/// How a caller renders a bold run: see [`Markup::render`].
pub type StrongFn<'s> = dyn FnMut(Option<TermRef<'_>>, &str, &mut String) + 's;

/// A key term as [`Markup::render`] hands it to its caller: borrowed from
/// the renderer's buffers, so a bold run costs no allocation.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct TermRef<'a> {
    /// See [`KeyTerm::text`].
    pub text: &'a str,
    /// See [`KeyTerm::key`].
    pub key: &'a str,
}

struct Renderer<'a, 'f, 's> {
    markup: &'a Markup,
    flavor: Flavor,
    strong: Option<&'f mut StrongFn<'s>>,
    scratch: Scratch,
}

/// Buffers reused from one bold run to the next, and from one text to the
/// next (bold runs do not nest as terms: bold inside a term is only
/// formatting).
#[derive(Default)]
struct Scratch {
    inner: String,
    term_text: String,
    term_key: String,
}

impl Renderer<'_, '_, '_> {
    /// Renders the nodes `from..to` (siblings and their descendants).
    fn range(&mut self, from: usize, to: usize, out: &mut String, in_term: bool) {
        let m = self.markup;
        let mut i = from;
        while i < to {
            let n = m.nodes[i];
            let inner = (i + 1, n.end as usize);
            match n.kind {
                Kind::Text => escape_into(m.str_of(&n), self.flavor, out),
                Kind::Code => {
                    out.push_str("<code>");
                    escape_into(m.str_of(&n), self.flavor, out);
                    out.push_str("</code>");
                }
                Kind::LineBreak => out.push_str("<br/>"),
                Kind::Emphasis => self.wrap("em", inner, out, in_term),
                Kind::Sup => self.wrap("sup", inner, out, in_term),
                Kind::Sub => self.wrap("sub", inner, out, in_term),
                Kind::Link => {
                    out.push_str("<a href=\"");
                    escape_into(m.str_of(&n), self.flavor, out);
                    out.push_str("\">");
                    self.range(inner.0, inner.1, out, in_term);
                    out.push_str("</a>");
                }
                // Bold inside a key term is only formatting.
                Kind::Strong | Kind::Label if in_term || self.strong.is_none() => {
                    self.wrap("strong", inner, out, true)
                }
                Kind::Strong | Kind::Label => {
                    let mut html = std::mem::take(&mut self.scratch.inner);
                    html.clear();
                    self.range(inner.0, inner.1, &mut html, true);
                    let Scratch {
                        term_text,
                        term_key,
                        ..
                    } = &mut self.scratch;
                    let is_term = n.kind == Kind::Strong && m.term_into(i, term_text, term_key);
                    if n.kind == Kind::Strong && !is_term {
                        // Empty bold (`** **`): plain formatting.
                        out.push_str("<strong>");
                        out.push_str(&html);
                        out.push_str("</strong>");
                    } else {
                        let term = is_term.then_some(TermRef {
                            text: term_text,
                            key: term_key,
                        });
                        let strong = self.strong.as_mut().expect("checked above");
                        strong(term, &html, out);
                    }
                    self.scratch.inner = html;
                }
                Kind::Paragraph => {}
            }
            i = if n.kind.is_container() {
                n.end as usize
            } else {
                i + 1
            };
        }
    }

    fn wrap(&mut self, tag: &str, (from, to): (usize, usize), out: &mut String, in_term: bool) {
        out.push('<');
        out.push_str(tag);
        out.push('>');
        self.range(from, to, out, in_term);
        out.push_str("</");
        out.push_str(tag);
        out.push('>');
    }
}

/// Escapes text for XHTML (and, for Anki, template braces). Runs of plain
/// characters are copied as slices; only special characters are replaced.
/// Works on bytes: every character to replace or drop is ASCII except
/// U+FFFE and U+FFFF, whose UTF-8 starts with 0xEF.
pub fn escape_into(text: &str, flavor: Flavor, out: &mut String) {
    let special = match flavor {
        Flavor::Xhtml => &SPECIAL_XHTML,
        Flavor::Anki => &SPECIAL_ANKI,
    };
    let bytes = text.as_bytes();
    let mut plain_from = 0;
    let mut i = 0;
    while i < bytes.len() {
        let b = bytes[i];
        if !special[b as usize] {
            i += 1;
            continue;
        }
        let (replacement, len) = match b {
            b'&' => ("&amp;", 1),
            b'<' => ("&lt;", 1),
            b'>' => ("&gt;", 1),
            b'"' => ("&quot;", 1),
            b'\'' => ("&#39;", 1),
            b'{' => ("&#123;", 1),
            b'}' => ("&#125;", 1),
            // U+FFFE and U+FFFF, which XML 1.0 forbids: dropped.
            0xEF if matches!(bytes[i + 1..], [0xBF, 0xBE | 0xBF, ..]) => ("", 3),
            0xEF => {
                i += 1;
                continue;
            }
            // Control characters XML 1.0 forbids: dropped.
            _ => ("", 1),
        };
        out.push_str(&text[plain_from..i]);
        out.push_str(replacement);
        i += len;
        plain_from = i;
    }
    out.push_str(&text[plain_from..]);
}

/// Bytes [`escape_into`] must look at, per flavor.
static SPECIAL_XHTML: [bool; 256] = special_bytes(false);
static SPECIAL_ANKI: [bool; 256] = special_bytes(true);

const fn special_bytes(braces: bool) -> [bool; 256] {
    let mut table = [false; 256];
    let mut b = 0;
    while b < 0x20 {
        table[b] = !matches!(b as u8, b'\t' | b'\n' | b'\r');
        b += 1;
    }
    table[b'&' as usize] = true;
    table[b'<' as usize] = true;
    table[b'>' as usize] = true;
    table[b'"' as usize] = true;
    table[b'\'' as usize] = true;
    table[b'{' as usize] = braces;
    table[b'}' as usize] = braces;
    table[0xEF] = true;
    table
}

pub fn escape(text: &str, flavor: Flavor) -> String {
    let mut s = String::with_capacity(text.len());
    escape_into(text, flavor, &mut s);
    s
}

fn is_xml_char(c: char) -> bool {
    matches!(c, '\t' | '\n' | '\r' | '\u{20}'..='\u{D7FF}' | '\u{E000}'..='\u{FFFD}' | '\u{10000}'..='\u{10FFFF}')
}

/// Escapes line-leading characters that Markdown would read as block syntax,
/// and drops leading indentation (which would make a code block). Texts in a
/// brief are sentences, never lists or headings.
fn neutralize_block_syntax(source: &str) -> Cow<'_, str> {
    if !source.lines().any(needs_neutralizing) {
        return Cow::Borrowed(source);
    }
    let mut out = String::with_capacity(source.len() + 8);
    let mut join = false;
    for (i, line) in source.split('\n').enumerate() {
        if i > 0 {
            out.push(if join && !line.trim().is_empty() {
                ' '
            } else {
                '\n'
            });
        }
        let trimmed = line.trim_start_matches([' ', '\t']);
        join = is_lone_allowed_tag(trimmed);
        match block_marker_at(trimmed) {
            Some(at) => {
                out.push_str(&trimmed[..at]);
                out.push('\\');
                out.push_str(&trimmed[at..]);
            }
            None => out.push_str(trimmed),
        }
    }
    Cow::Owned(out)
}

fn needs_neutralizing(line: &str) -> bool {
    line.starts_with([' ', '\t']) || block_marker_at(line).is_some() || is_lone_allowed_tag(line)
}

/// An allowed tag alone on its line (`<br>`, `</sup>`) opens an HTML block
/// at the start of a paragraph, which would swallow the Markdown of the
/// lines after it. Joined to the next line it stays inline; a line break
/// inside a paragraph reads as a space anyway.
fn is_lone_allowed_tag(line: &str) -> bool {
    let line = line.trim();
    line.starts_with('<') && line.find('>') == Some(line.len() - 1) && allowed_tag(line).is_some()
}

/// Where to put a backslash when `line` starts with something Markdown reads
/// as a block: before the marker, or before the dot of `2020.`.
fn block_marker_at(line: &str) -> Option<usize> {
    let bytes = line.as_bytes();
    let &first = bytes.first()?;
    let followed_by_space_or_end =
        |at: usize| bytes.get(at).is_none_or(|b| *b == b' ' || *b == b'\t');
    match first {
        b'#' | b'>' | b'=' | b'|' => Some(0),
        b'-' | b'+' | b'_' | b'~' | b'`'
            if followed_by_space_or_end(1) || bytes.get(1) == Some(&first) =>
        {
            Some(0)
        }
        b'*' if followed_by_space_or_end(1)
            || line.starts_with("***")
            || line.starts_with("* *") =>
        {
            Some(0)
        }
        b'0'..=b'9' => {
            let digits = bytes.iter().take_while(|b| b.is_ascii_digit()).count();
            let after = bytes.get(digits);
            (digits <= 9
                && matches!(after, Some(b'.') | Some(b')'))
                && followed_by_space_or_end(digits + 1))
            .then_some(digits)
        }
        b'[' if is_link_definition(line) => Some(0),
        b'<' if opens_html_block(line) => Some(0),
        _ => None,
    }
}

/// A line starting with a tag other than the allowed ones (or with `<!`,
/// `<?`) may open an HTML block, inside which Markdown is not parsed: a text
/// pasted as `<p>The **RBI** …` would lose its key term. Such a tag is shown
/// as text anyway, so its `<` is escaped. Autolinks (`<https://…>`) stay.
fn opens_html_block(line: &str) -> bool {
    let Some(rest) = line.strip_prefix('<') else {
        return false;
    };
    if rest.starts_with(['!', '?']) {
        return true;
    }
    let name = rest.strip_prefix('/').unwrap_or(rest);
    let len = name
        .bytes()
        .take_while(|b| b.is_ascii_alphanumeric() || *b == b'-')
        .count();
    let is_tag = name.bytes().next().is_some_and(|b| b.is_ascii_alphabetic())
        && name[len..]
            .bytes()
            .next()
            .is_none_or(|b| b.is_ascii_whitespace() || b == b'>' || b == b'/');
    let allowed = line
        .find('>')
        .is_some_and(|end| allowed_tag(&line[..=end]).is_some());
    is_tag && !allowed
}

fn is_link_definition(line: &str) -> bool {
    line.find("]:").is_some_and(|i| !line[1..i].contains(']'))
}

/// Builds the tree from pulldown-cmark events, filtering as it goes.
#[derive(Default)]
struct Builder {
    paragraphs: Vec<Vec<Inline>>,
    /// Open containers, innermost last. The bottom frame is the paragraph.
    stack: Vec<Frame>,
    issues: Vec<MarkupIssue>,
    /// Inside `![alt](…)`: alt text only.
    in_image: usize,
    /// Markdown elements opened beyond [`limits::MAX_INLINE_DEPTH`] and kept
    /// flat: their end events are skipped.
    flattened: usize,
}

struct Frame {
    kind: FrameKind,
    children: Vec<Inline>,
}

#[derive(Clone, PartialEq, Eq)]
enum FrameKind {
    Paragraph,
    Strong,
    Emphasis,
    /// `None` when the link is dropped (kept as its text).
    Link(Option<String>),
    /// Raw `<sup>`/`<sub>`, closed by its own end tag.
    Html(HtmlTag),
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum HtmlTag {
    Sup,
    Sub,
}

impl HtmlTag {
    fn open_text(self) -> &'static str {
        match self {
            HtmlTag::Sup => "<sup>",
            HtmlTag::Sub => "<sub>",
        }
    }
}

impl Builder {
    fn event(&mut self, event: Event<'_>) {
        match event {
            Event::Start(Tag::Image { dest_url, .. }) => {
                self.in_image += 1;
                self.issues.push(MarkupIssue::InlineImage {
                    url: dest_url.to_string(),
                });
            }
            Event::End(TagEnd::Image) => self.in_image = self.in_image.saturating_sub(1),
            Event::Start(Tag::Paragraph) | Event::Start(Tag::HtmlBlock) => self.open_paragraph(),
            Event::End(TagEnd::Paragraph) | Event::End(TagEnd::HtmlBlock) => self.close_paragraph(),
            Event::Start(Tag::Strong) => self.push(FrameKind::Strong),
            Event::Start(Tag::Emphasis) => self.push(FrameKind::Emphasis),
            Event::Start(Tag::Link {
                link_type,
                dest_url,
                ..
            }) => {
                let url = self.check_link(link_type, &dest_url);
                self.push(FrameKind::Link(url));
            }
            Event::End(TagEnd::Strong) => self.pop(&FrameKind::Strong),
            Event::End(TagEnd::Emphasis) => self.pop(&FrameKind::Emphasis),
            Event::End(TagEnd::Link) => self.pop_link(),
            Event::Text(t) => self.text(&t),
            Event::Code(t) => self.add(Inline::Code(t.into_string())),
            Event::InlineHtml(h) | Event::Html(h) => self.html(&h),
            Event::SoftBreak => self.text(" "),
            Event::HardBreak => self.add(Inline::LineBreak),
            // Block structure cannot occur after neutralising, and the
            // remaining events (math, footnotes, rules, task lists) need
            // options we do not enable; any stray text is kept as text.
            Event::Start(_) | Event::End(_) | Event::Rule | Event::TaskListMarker(_) => {}
            Event::InlineMath(t) | Event::DisplayMath(t) | Event::FootnoteReference(t) => {
                self.text(&t)
            }
        }
    }

    fn check_link(&mut self, link_type: LinkType, url: &str) -> Option<String> {
        let url = url.trim();
        match scheme_of(url) {
            Some(s) if ["http", "https", "mailto"].contains(&s.to_ascii_lowercase().as_str()) => {
                Some(href_safe(url).into_owned())
            }
            Some(s) => {
                self.issues.push(MarkupIssue::ForbiddenLinkScheme {
                    scheme: s.to_owned(),
                    url: url.to_owned(),
                });
                None
            }
            None => {
                // `<foo@bar.org>` autolinks have no scheme but are e-mail.
                if link_type == LinkType::Email {
                    return Some(format!("mailto:{url}"));
                }
                self.issues.push(MarkupIssue::RelativeLink {
                    url: url.to_owned(),
                });
                None
            }
        }
    }

    fn open_paragraph(&mut self) {
        self.close_paragraph();
        self.stack.push(Frame {
            kind: FrameKind::Paragraph,
            children: Vec::new(),
        });
    }

    fn close_paragraph(&mut self) {
        if self.stack.is_empty() {
            return;
        }
        while self.stack.len() > 1 {
            self.unwind_top();
        }
        self.flattened = 0;
        let frame = self.stack.pop().expect("paragraph frame");
        if !frame.children.is_empty() {
            self.paragraphs.push(merge_text(frame.children));
        }
    }

    fn ensure_paragraph(&mut self) {
        if self.stack.is_empty() {
            self.open_paragraph();
        }
    }

    fn push(&mut self, kind: FrameKind) {
        if self.in_image > 0 {
            return;
        }
        self.ensure_paragraph();
        // Every pass over the tree recurses, so its depth is bounded: deeper
        // markup keeps its text, flat (a raw tag shows as written).
        if self.stack.len() > limits::MAX_INLINE_DEPTH {
            match kind {
                FrameKind::Html(tag) => self.text(tag.open_text()),
                _ => self.flattened += 1,
            }
            return;
        }
        self.stack.push(Frame {
            kind,
            children: Vec::new(),
        });
    }

    fn add(&mut self, inline: Inline) {
        self.ensure_paragraph();
        self.stack.last_mut().expect("frame").children.push(inline);
    }

    fn text(&mut self, t: &str) {
        if !t.is_empty() {
            self.add(Inline::Text(t.to_owned()));
        }
    }

    /// Closes the innermost frame of `kind`, first unwinding raw-HTML frames
    /// opened inside it and never closed (`**a <sup>b**`).
    fn pop(&mut self, kind: &FrameKind) {
        if !self.unwind_to(|k| k == kind) {
            return;
        }
        if self.stack.last().is_some_and(|f| f.kind == *kind) {
            let frame = self.stack.pop().expect("frame");
            let node = match frame.kind {
                FrameKind::Strong => Inline::Strong {
                    children: frame.children,
                    label: false,
                },
                FrameKind::Emphasis => Inline::Emphasis(frame.children),
                _ => unreachable!("pop is only called for strong and emphasis"),
            };
            self.add(node);
        }
    }

    fn pop_link(&mut self) {
        if !self.unwind_to(|k| matches!(k, FrameKind::Link(_))) {
            return;
        }
        if let Some(Frame {
            kind: FrameKind::Link(url),
            ..
        }) = self.stack.last()
        {
            let url = url.clone();
            let frame = self.stack.pop().expect("frame");
            match url {
                Some(url) => self.add(Inline::Link {
                    url,
                    children: frame.children,
                }),
                None => {
                    for c in frame.children {
                        self.add(c);
                    }
                }
            }
        }
    }

    /// Before a closing event: unwinds the raw-HTML frames opened above the
    /// innermost frame `is_target` accepts (or the paragraph) and never
    /// closed. False when the event closes markup that is dropped (inside an
    /// image) or flattened (too deep), which has no frame of its own.
    fn unwind_to(&mut self, is_target: impl Fn(&FrameKind) -> bool) -> bool {
        if self.in_image > 0 {
            return false;
        }
        if self.flattened > 0 {
            self.flattened -= 1;
            return false;
        }
        while let Some(top) = self.stack.last() {
            if is_target(&top.kind) || top.kind == FrameKind::Paragraph {
                break;
            }
            self.unwind_top();
        }
        true
    }

    /// Pops the top frame without its closing event: a raw-HTML frame becomes
    /// its opening tag as text followed by its children; a Markdown frame
    /// (which pulldown-cmark always closes) is closed normally.
    fn unwind_top(&mut self) {
        let frame = self.stack.pop().expect("frame");
        let parent = &mut self.stack.last_mut().expect("paragraph frame").children;
        match frame.kind {
            FrameKind::Html(tag) => {
                parent.push(Inline::Text(tag.open_text().to_owned()));
                parent.extend(frame.children);
            }
            FrameKind::Strong => parent.push(Inline::Strong {
                children: frame.children,
                label: false,
            }),
            FrameKind::Emphasis => parent.push(Inline::Emphasis(frame.children)),
            FrameKind::Link(Some(url)) => parent.push(Inline::Link {
                url,
                children: frame.children,
            }),
            FrameKind::Link(None) => parent.extend(frame.children),
            FrameKind::Paragraph => unreachable!("the paragraph frame is never unwound"),
        }
    }

    /// Raw HTML: the allowed tags become nodes, anything else stays text.
    fn html(&mut self, raw: &str) {
        for piece in split_html(raw) {
            match piece {
                HtmlPiece::Text(t) => self.text(t),
                HtmlPiece::Tag(tag) => match allowed_tag(tag) {
                    Some(AllowedTag::Br) => self.add(Inline::LineBreak),
                    Some(AllowedTag::Open(t)) => self.push(FrameKind::Html(t)),
                    Some(AllowedTag::Close(t)) => self.close_html(t, tag),
                    None => {
                        self.issues.push(MarkupIssue::DisallowedHtml {
                            html: tag.to_owned(),
                        });
                        self.text(tag);
                    }
                },
            }
        }
    }

    fn close_html(&mut self, tag: HtmlTag, raw: &str) {
        if self
            .stack
            .last()
            .is_some_and(|f| f.kind == FrameKind::Html(tag))
        {
            let frame = self.stack.pop().expect("frame");
            self.add(match tag {
                HtmlTag::Sup => Inline::Superscript(frame.children),
                HtmlTag::Sub => Inline::Subscript(frame.children),
            });
        } else {
            // A stray or crossing end tag stays visible as text.
            self.text(raw);
        }
    }

    fn finish(mut self) -> (Vec<Vec<Inline>>, Vec<MarkupIssue>) {
        self.close_paragraph();
        let mut paragraphs = self.paragraphs;
        if let Some(first) = paragraphs.first_mut() {
            mark_label(first);
        }
        // pulldown-cmark leaves an unpaired `**` as text (in pieces).
        if paragraphs.iter().flatten().any(has_literal_double_star) {
            self.issues.push(MarkupIssue::UnbalancedBold);
        }
        (paragraphs, self.issues)
    }
}

/// A bold run opening the text and ending in a colon (`**Significance:**`,
/// or `**Significance**:`) is a label, not a key term.
fn mark_label(paragraph: &mut [Inline]) {
    let colon_after = matches!(paragraph.get(1), Some(Inline::Text(t)) if t.starts_with(':'));
    if let Some(Inline::Strong { children, label }) = paragraph.first_mut()
        && (plain_of(children).trim_end().ends_with(':') || colon_after)
    {
        *label = true;
    }
}

fn has_literal_double_star(inline: &Inline) -> bool {
    match inline {
        Inline::Text(t) => t.contains("**"),
        Inline::Code(_) | Inline::LineBreak => false,
        Inline::Strong { children: c, .. }
        | Inline::Emphasis(c)
        | Inline::Link { children: c, .. }
        | Inline::Superscript(c)
        | Inline::Subscript(c) => c.iter().any(has_literal_double_star),
    }
}

/// Joins adjacent text nodes (pulldown-cmark splits text at every escape).
fn merge_text(inlines: Vec<Inline>) -> Vec<Inline> {
    let mut out: Vec<Inline> = Vec::with_capacity(inlines.len());
    for i in inlines {
        let i = match i {
            Inline::Strong { children, label } => Inline::Strong {
                children: merge_text(children),
                label,
            },
            Inline::Emphasis(c) => Inline::Emphasis(merge_text(c)),
            Inline::Superscript(c) => Inline::Superscript(merge_text(c)),
            Inline::Subscript(c) => Inline::Subscript(merge_text(c)),
            Inline::Link { url, children } => Inline::Link {
                url,
                children: merge_text(children),
            },
            other => other,
        };
        match (out.last_mut(), i) {
            (Some(Inline::Text(prev)), Inline::Text(t)) => prev.push_str(&t),
            (_, i) => out.push(i),
        }
    }
    out
}

/// Percent-encodes the characters a URL may not hold (`"`, `<`, `>`,
/// spaces, `{`, `|`, `}`, `\\`, `^`, `` ` ``, controls), as a browser does
/// before following it: a link copied with them (`https://x.org/a"b`) would
/// make the booklet fail EPUBCheck (RSC-020).
pub fn href_safe(url: &str) -> Cow<'_, str> {
    let bad = |c: char| c.is_ascii_control() || " \"<>\\^`{|}".contains(c);
    if !url.contains(bad) {
        return Cow::Borrowed(url);
    }
    let mut out = String::with_capacity(url.len() + 8);
    for c in url.chars() {
        if bad(c) {
            let _ = write!(out, "%{:02X}", c as u32);
        } else {
            out.push(c);
        }
    }
    Cow::Owned(out)
}

fn scheme_of(url: &str) -> Option<&str> {
    let colon = url.find(':')?;
    let scheme = &url[..colon];
    let mut chars = scheme.chars();
    let first = chars.next()?;
    (first.is_ascii_alphabetic()
        && chars.all(|c| c.is_ascii_alphanumeric() || matches!(c, '+' | '-' | '.')))
    .then_some(scheme)
}

enum HtmlPiece<'a> {
    Text(&'a str),
    Tag(&'a str),
}

/// Splits raw HTML into tags (`<…>`) and the text between them.
fn split_html(raw: &str) -> Vec<HtmlPiece<'_>> {
    let mut pieces = Vec::new();
    let mut rest = raw;
    while let Some(start) = rest.find('<') {
        if start > 0 {
            pieces.push(HtmlPiece::Text(&rest[..start]));
        }
        match rest[start..].find('>') {
            Some(end) => {
                pieces.push(HtmlPiece::Tag(&rest[start..start + end + 1]));
                rest = &rest[start + end + 1..];
            }
            None => {
                pieces.push(HtmlPiece::Text(&rest[start..]));
                rest = "";
            }
        }
    }
    if !rest.is_empty() {
        pieces.push(HtmlPiece::Text(rest));
    }
    pieces
}

enum AllowedTag {
    Open(HtmlTag),
    Close(HtmlTag),
    Br,
}

fn allowed_tag(tag: &str) -> Option<AllowedTag> {
    let inner = tag.strip_prefix('<')?.strip_suffix('>')?.trim();
    let lower = inner.to_ascii_lowercase();
    match lower.as_str() {
        "sup" => Some(AllowedTag::Open(HtmlTag::Sup)),
        "sub" => Some(AllowedTag::Open(HtmlTag::Sub)),
        "/sup" => Some(AllowedTag::Close(HtmlTag::Sup)),
        "/sub" => Some(AllowedTag::Close(HtmlTag::Sub)),
        "br" | "br/" | "br /" => Some(AllowedTag::Br),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn html(src: &str) -> String {
        Markup::parse(src).0.to_inline_html(Flavor::Xhtml)
    }

    fn terms(src: &str) -> Vec<String> {
        Markup::parse(src)
            .0
            .key_terms()
            .into_iter()
            .map(|t| t.text)
            .collect()
    }

    fn issues(src: &str) -> Vec<MarkupIssue> {
        Markup::parse(src).1
    }

    #[test]
    fn bold_italic_code_and_links_render() {
        assert_eq!(
            html("A **key** and *soft* `x<y` [site](https://a.org/?q=1&r=2)"),
            "A <strong>key</strong> and <em>soft</em> <code>x&lt;y</code> <a href=\"https://a.org/?q=1&amp;r=2\">site</a>"
        );
    }

    #[test]
    fn sup_sub_and_br_are_the_only_raw_tags_kept() {
        assert_eq!(
            html("13<sup>th</sup> CO<sub>2</sub> a<br>b"),
            "13<sup>th</sup> CO<sub>2</sub> a<br/>b"
        );
        assert_eq!(html("<b>x</b>"), "&lt;b&gt;x&lt;/b&gt;");
        assert_eq!(
            issues("<b>x</b>"),
            vec![
                MarkupIssue::DisallowedHtml { html: "<b>".into() },
                MarkupIssue::DisallowedHtml {
                    html: "</b>".into()
                }
            ]
        );
    }

    #[test]
    fn script_is_shown_as_text() {
        let out = html("<script>alert(1)</script> and <img src=x onerror=alert(1)>");
        assert!(!out.contains("<script"), "{out}");
        assert!(!out.contains("<img"), "{out}");
        assert!(
            out.contains("&lt;script&gt;alert(1)&lt;/script&gt;"),
            "{out}"
        );
    }

    #[test]
    fn an_unclosed_sup_becomes_text() {
        assert_eq!(html("13<sup>th anniversary"), "13&lt;sup&gt;th anniversary");
        assert_eq!(html("**a <sup>b** c"), "<strong>a &lt;sup&gt;b</strong> c");
        assert_eq!(html("x</sup>"), "x&lt;/sup&gt;");
    }

    #[test]
    fn javascript_links_are_errors_and_dropped() {
        let (m, issues) = Markup::parse("[click](javascript:alert(1))");
        assert!(issues[0].is_error());
        assert_eq!(m.to_inline_html(Flavor::Xhtml), "click");
        let (_, issues) = Markup::parse("[x](JavaScript:alert(1))");
        assert!(
            matches!(&issues[0], MarkupIssue::ForbiddenLinkScheme { scheme, .. } if scheme == "JavaScript")
        );
    }

    #[test]
    fn relative_links_are_kept_as_text_with_a_warning() {
        let (m, issues) = Markup::parse("see [the page](/printpdf/x)");
        assert_eq!(m.to_inline_html(Flavor::Xhtml), "see the page");
        assert_eq!(
            issues,
            vec![MarkupIssue::RelativeLink {
                url: "/printpdf/x".into()
            }]
        );
        assert!(!issues[0].is_error());
    }

    /// `[a](https://x.org/a"b)`, as copied from a web page, reached the
    /// booklet as `href="https://x.org/a&quot;b"`: escaped, but not a URL,
    /// and EPUBCheck failed the book (RSC-020).
    #[test]
    fn regression_a_quote_in_a_link_made_the_booklet_invalid() {
        assert_eq!(
            html("[a](https://x.org/a\"b?q={x}|y^`z`) <https://x.org/\"on=1>"),
            "<a href=\"https://x.org/a%22b?q=%7Bx%7D%7Cy%5E%60z%60\">a</a> <a href=\"https://x.org/%22on=1\">https://x.org/\"on=1</a>"
                .replace("\"on=1</a>", "&quot;on=1</a>")
        );
        assert_eq!(
            href_safe("https://x.org/ok?a=1&b=%20#f"),
            "https://x.org/ok?a=1&b=%20#f"
        );
    }

    #[test]
    fn mailto_and_autolinks_are_allowed() {
        assert_eq!(
            html("<https://x.org>"),
            "<a href=\"https://x.org\">https://x.org</a>"
        );
        assert_eq!(
            html("[m](mailto:a@b.org)"),
            "<a href=\"mailto:a@b.org\">m</a>"
        );
    }

    #[test]
    fn key_terms_are_distinct_and_ordered() {
        assert_eq!(terms("**B** then **a** then **b**"), vec!["B", "a"]);
    }

    #[test]
    fn a_leading_label_is_not_a_key_term() {
        assert_eq!(terms("**Significance:** it helps **5G**"), vec!["5G"]);
        assert_eq!(terms("**Significance**: it helps **5G**"), vec!["5G"]);
        assert_eq!(terms("It helps **Significance:**"), vec!["Significance:"]);
    }

    #[test]
    fn unbalanced_bold_is_reported_and_shown_literally() {
        let (m, issues) = Markup::parse("a **broken term");
        assert_eq!(issues, vec![MarkupIssue::UnbalancedBold]);
        assert!(m.key_terms().is_empty());
        assert_eq!(m.to_inline_html(Flavor::Xhtml), "a **broken term");
    }

    #[test]
    fn block_syntax_stays_a_sentence() {
        assert_eq!(
            html("2020. The year of **Covid-19**"),
            "2020. The year of <strong>Covid-19</strong>"
        );
        assert_eq!(html("- 5 per cent"), "- 5 per cent");
        assert_eq!(html("# 5G rollout"), "# 5G rollout");
        assert_eq!(
            html("    indented **code**"),
            "indented <strong>code</strong>"
        );
        assert_eq!(html("> quoted"), "&gt; quoted");
        assert_eq!(html("[a]: https://x.org"), "[a]: https://x.org");
        assert_eq!(html("line\n---"), "line ---");
    }

    #[test]
    fn anki_flavor_escapes_template_braces() {
        let out = Markup::parse("{{c1::x}} and {{Front}}")
            .0
            .to_inline_html(Flavor::Anki);
        assert!(!out.contains("{{"), "{out}");
        assert!(!out.contains('{'), "{out}");
    }

    #[test]
    fn paragraphs_render_as_blocks_or_breaks() {
        let m = Markup::parse("one\n\ntwo").0;
        assert_eq!(m.to_block_html(Flavor::Xhtml), "<p>one</p><p>two</p>");
        assert_eq!(m.to_inline_html(Flavor::Xhtml), "one<br/>two");
        assert_eq!(m.plain_text(), "one\n\ntwo");
    }

    #[test]
    fn custom_strong_rendering_sees_terms_and_labels() {
        let m = Markup::parse("**Note:** a **b**").0;
        let out = m.render(Flavor::Anki, false, &mut |term, inner, out| match term {
            Some(t) => write!(out, "[{}:{inner}]", t.key).unwrap(),
            None => write!(out, "<b>{inner}</b>").unwrap(),
        });
        assert_eq!(out, "<b>Note:</b> a [b:b]");
    }

    #[test]
    fn entities_are_decoded_then_escaped_again() {
        assert_eq!(html("&lt;b&gt; &amp; &copy;"), "&lt;b&gt; &amp; ©");
    }

    /// A text pasted as `<p>The **RBI** …` (or opening with `<script>`,
    /// `<div>`, `<!-- … -->`, on any line) opened an HTML block: its bold
    /// runs stayed literal `**`, the key terms were lost and the warning
    /// blamed an "unbalanced `**`".
    #[test]
    fn regression_a_line_opening_with_a_tag_lost_its_key_terms() {
        for src in [
            "<p>The **RBI** kept rates",
            "<script>alert(1)</script> and the **RBI**",
            "<div class=\"x\">\n**RBI**</div>",
            "before\n<style>p{}</style> **RBI**",
            "<!-- c --> **RBI**",
            "<?php echo 1 ?> **RBI**",
            "<![CDATA[ x ]]> **RBI**",
            "</div> **RBI**",
            "<h1>x</h1>\n\n<table>\n**RBI**",
        ] {
            let (m, issues) = Markup::parse(src);
            assert_eq!(terms(src), vec!["RBI"], "{src:?}");
            assert!(!issues.contains(&MarkupIssue::UnbalancedBold), "{src:?}");
            assert!(
                issues
                    .iter()
                    .any(|i| matches!(i, MarkupIssue::DisallowedHtml { .. })),
                "{src:?}: {issues:?}"
            );
            let html = m.to_block_html(Flavor::Xhtml);
            assert!(html.contains("&lt;"), "{src:?}: {html}");
        }
        // The allowed tags and autolinks at the start of a line still work.
        assert_eq!(
            html("<sup>th</sup> **x**"),
            "<sup>th</sup> <strong>x</strong>"
        );
        assert_eq!(
            html("<https://x.org> **x**"),
            "<a href=\"https://x.org\">https://x.org</a> <strong>x</strong>"
        );
    }

    /// Found by the whole-brief property test: `</sub>` (or `<br>`) alone on
    /// the first line of a paragraph opened an HTML block, and the bold
    /// terms on the lines after it were lost.
    #[test]
    fn regression_a_lone_allowed_tag_swallowed_the_lines_after_it() {
        assert_eq!(terms("Word\n\n</sub>\na **aA**"), vec!["aA"]);
        assert_eq!(terms("<br>\n**b** and\n<sup>\n**c**"), vec!["b", "c"]);
        assert_eq!(html("<br>\n**b**"), "<br/> <strong>b</strong>");
        assert_eq!(
            Markup::parse("a\n<br>\n\nb").0.to_block_html(Flavor::Xhtml),
            "<p>a <br/></p><p>b</p>"
        );
        assert!(!issues("x\n\n</sup>\n**y**").contains(&MarkupIssue::UnbalancedBold));
    }

    /// A 32 KiB text of nested `*`, `<sup>` or links made a tree thousands
    /// of levels deep, and every recursive pass over it (rendering, key
    /// terms, dropping it) overflowed a thread's stack: `check` and `export`
    /// aborted. Nesting now stops at `limits::MAX_INLINE_DEPTH`.
    #[test]
    fn regression_deeply_nested_markup_overflowed_the_stack() {
        let n = 16_000;
        let texts = [
            format!("{}x{}", "*".repeat(n), "*".repeat(n)),
            format!("{}x{}", "_".repeat(n), "_".repeat(n)),
            format!("**a** {}x{}", "<sup>".repeat(2_900), "</sup>".repeat(2_900)),
            format!("{}x{}", "<sub>*".repeat(2_700), "*</sub>".repeat(2_700)),
            format!("{}x{}", "[".repeat(5_000), "](https://x.org)".repeat(2_000)),
        ];
        // A small stack, as on a worker thread, and a debug build's frames.
        let worker = std::thread::Builder::new().stack_size(512 * 1024);
        let texts2 = texts.clone();
        worker
            .spawn(move || {
                for src in &texts2 {
                    let (m, _) = Markup::parse(src);
                    assert!(m.depth() <= limits::MAX_INLINE_DEPTH);
                    let html = m.to_block_html(Flavor::Xhtml);
                    let anki = m.to_inline_html(Flavor::Anki);
                    assert!(html.contains('x') && anki.contains('x'));
                    assert!(m.plain_text().contains('x'));
                    let _ = m.key_terms();
                    roxmltree::Document::parse(&format!("<r>{html}</r>")).expect("well-formed");
                }
            })
            .unwrap()
            .join()
            .expect("no stack overflow");
    }

    #[test]
    fn control_characters_never_reach_the_output() {
        let out = html("a\u{0}b\u{1b}c\u{7}");
        assert!(!out.chars().any(|c| c.is_control()), "{out:?}");
        assert!(out.starts_with('a') && out.contains("bc"), "{out:?}");
    }
}

#[cfg(test)]
mod properties {
    use super::*;
    use proptest::prelude::*;

    /// Text mixing what escaping and whitespace handling look at: special
    /// ASCII, control characters, Unicode spaces and the non-characters
    /// U+FFFE and U+FFFF beside their UTF-8 neighbours.
    fn escape_text() -> impl Strategy<Value = String> {
        let c = prop_oneof![
            Just('a'),
            Just(' '),
            Just('&'),
            Just('<'),
            Just('>'),
            Just('"'),
            Just('\''),
            Just('{'),
            Just('}'),
            Just('\t'),
            Just('\n'),
            Just('\r'),
            Just('\u{0}'),
            Just('\u{b}'),
            Just('\u{1f}'),
            Just('\u{7f}'),
            Just('\u{85}'),
            Just('\u{a0}'),
            Just('\u{1680}'),
            Just('\u{2003}'),
            Just('\u{200b}'),
            Just('\u{2028}'),
            Just('\u{202f}'),
            Just('\u{3000}'),
            Just('\u{fffd}'),
            Just('\u{fffe}'),
            Just('\u{ffff}'),
            Just('\u{effe}'),
            Just('\u{10000}'),
            Just('क'),
            Just('Σ'),
            any::<char>(),
        ];
        proptest::collection::vec(c, 0..40).prop_map(|v| v.into_iter().collect())
    }

    /// Text rich in Markdown and HTML syntax, to stress the filter.
    fn hostile_text() -> impl Strategy<Value = String> {
        let piece = prop_oneof![
            Just("**".to_owned()),
            Just("*".to_owned()),
            Just("_".to_owned()),
            Just("`".to_owned()),
            Just("<sup>".to_owned()),
            Just("</sup>".to_owned()),
            Just("<sub>".to_owned()),
            Just("</sub>".to_owned()),
            Just("<br>".to_owned()),
            Just("<script>".to_owned()),
            Just("<img src=x onerror=alert(1)>".to_owned()),
            Just("]]>".to_owned()),
            Just("&amp;".to_owned()),
            Just("&#0;".to_owned()),
            Just("[a](".to_owned()),
            Just("javascript:".to_owned()),
            Just("https://x.org".to_owned()),
            Just(")".to_owned()),
            Just("{{c1::".to_owned()),
            Just("}}".to_owned()),
            Just("\n".to_owned()),
            Just("\n\n".to_owned()),
            Just("    ".to_owned()),
            Just("- ".to_owned()),
            Just("1. ".to_owned()),
            Just("# ".to_owned()),
            Just("\u{202e}".to_owned()),
            Just("\u{200b}".to_owned()),
            "[a-zA-Z0-9 ]{0,6}",
            any::<char>().prop_map(String::from),
        ];
        prop::collection::vec(piece, 0..40).prop_map(|v| v.concat())
    }

    fn assert_well_formed(html: &str) {
        let doc = format!("<root xmlns=\"http://www.w3.org/1999/xhtml\">{html}</root>");
        if let Err(e) = roxmltree::Document::parse(&doc) {
            panic!("not well-formed ({e}): {html:?}");
        }
    }

    fn elements(html: &str) -> Vec<String> {
        let doc = format!("<root>{html}</root>");
        let doc = roxmltree::Document::parse(&doc).expect("well-formed");
        doc.descendants()
            .filter(|n| n.is_element())
            .map(|n| n.tag_name().name().to_owned())
            .collect()
    }

    /// Texts near the fast path's edge: bold pairs next to spaces,
    /// punctuation, digits, colons, non-ASCII letters and whitespace.
    fn bold_text() -> impl Strategy<Value = String> {
        let piece = prop_oneof![
            8 => Just("**".to_owned()),
            1 => Just("*".to_owned()),
            1 => Just("***".to_owned()),
            8 => Just(" ".to_owned()),
            1 => Just("  ".to_owned()),
            1 => Just(":".to_owned()),
            1 => Just("\u{a0}".to_owned()),
            1 => Just("\t".to_owned()),
            1 => Just("\n".to_owned()),
            1 => Just("₹".to_owned()),
            1 => Just("भारत".to_owned()),
            1 => Just("2020.".to_owned()),
            1 => Just("- ".to_owned()),
            1 => Just("# ".to_owned()),
            3 => "[.,;:()?!'\"%$#=+~|>{}-]",
            12 => "[a-zA-Z0-9]{1,5}",
        ];
        prop::collection::vec(piece, 0..16).prop_map(|v| v.concat())
    }

    /// Brief-like texts: words, some in bold pairs, with punctuation after
    /// them; mostly on the fast path.
    fn brief_like_text() -> impl Strategy<Value = String> {
        let word = "[a-zA-Z0-9₹%:()'\"-]{1,6}( [a-zA-Zभ]{1,4}){0,2}";
        let item = (word, any::<bool>(), "[(\"'x]?", "[.,;:)?!'%/-]?");
        let items = prop::collection::vec(item, 1..8);
        (items, "\n{0,2}").prop_map(|(items, end)| {
            let words: Vec<String> = items
                .into_iter()
                .map(|(w, bold, before, after)| {
                    if bold {
                        format!("{before}**{w}**{after}")
                    } else {
                        format!("{w}{after}")
                    }
                })
                .collect();
            words.join(" ") + &end
        })
    }

    /// Everything a caller can observe of a parsed text.
    fn observable(m: &Markup) -> Vec<String> {
        let mut seen = vec![
            m.plain_text(),
            format!(
                "{:?} {} {}",
                m.key_terms(),
                m.is_empty(),
                m.starts_with_label()
            ),
        ];
        for flavor in [Flavor::Xhtml, Flavor::Anki] {
            seen.push(m.to_inline_html(flavor));
            seen.push(m.render(flavor, true, &mut |term, inner, out| {
                write!(out, "[{term:?}|{inner}]").unwrap()
            }));
        }
        seen
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(400))]

        /// The fast path gives exactly what the full parser gives.
        #[test]
        fn the_fast_path_agrees_with_the_full_parser(src in prop_oneof![bold_text(), brief_like_text()]) {
            let (full, issues) = parse_tree(&src);
            let full = Markup::encode(&src, &full);
            if let Ok(fast) = fast::parse(src.clone()) {
                prop_assert!(issues.is_empty(), "{:?}: {:?}", src, issues);
                prop_assert_eq!(observable(&fast), observable(&full), "{:?}", src);
            }
        }

        /// The byte-level escaping replaces and drops exactly what the
        /// character-level rule says.
        #[test]
        fn escaping_works_character_by_character(src in escape_text()) {
            for flavor in [Flavor::Xhtml, Flavor::Anki] {
                let mut expected = String::new();
                for c in src.chars() {
                    match c {
                        '&' => expected.push_str("&amp;"),
                        '<' => expected.push_str("&lt;"),
                        '>' => expected.push_str("&gt;"),
                        '"' => expected.push_str("&quot;"),
                        '\'' => expected.push_str("&#39;"),
                        '{' if flavor == Flavor::Anki => expected.push_str("&#123;"),
                        '}' if flavor == Flavor::Anki => expected.push_str("&#125;"),
                        c if !is_xml_char(c) => {}
                        c => expected.push(c),
                    }
                }
                prop_assert_eq!(escape(&src, flavor), expected);
            }
        }

        /// The one-pass check agrees with collapsing by `split_whitespace`.
        #[test]
        fn collapsing_whitespace_agrees_with_split_whitespace(src in escape_text()) {
            let expected = src.split_whitespace().collect::<Vec<_>>().join(" ");
            prop_assert_eq!(is_collapsed(&src), src == expected, "{:?}", src);
            prop_assert_eq!(collapse_whitespace(&src), expected.as_str());
        }

        /// A term read from the nodes is its plain text collapsed, and its
        /// key that text's [`term_key`].
        #[test]
        fn terms_are_their_collapsed_plain_text(src in hostile_text()) {
            let (m, _) = Markup::parse(&src);
            let keys: Vec<String> = m.key_terms().into_iter().map(|t| t.key).collect();
            prop_assert_eq!(m.term_keys(), keys.clone());
            // Reused strings left from another text change nothing.
            let mut reused: Vec<String> = ["leftover", "quad", ""].map(String::from).to_vec();
            let n = m.term_keys_into(&mut reused);
            prop_assert_eq!(&reused[..n], &keys[..]);
            let (mut text, mut key) = (String::new(), String::new());
            for (i, n) in m.nodes.iter().enumerate() {
                if n.kind != Kind::Strong {
                    continue;
                }
                let mut plain = String::new();
                m.plain_into(i + 1, n.end as usize, &mut plain);
                let expected = plain.split_whitespace().collect::<Vec<_>>().join(" ");
                let found = m.term_into(i, &mut text, &mut key);
                prop_assert_eq!(found, !expected.is_empty());
                if found {
                    prop_assert_eq!(&text, &expected);
                    prop_assert_eq!(&key, &term_key(&expected));
                }
            }
        }

        #[test]
        fn output_is_always_well_formed_xhtml(src in hostile_text()) {
            let (m, _) = Markup::parse(&src);
            for flavor in [Flavor::Xhtml, Flavor::Anki] {
                assert_well_formed(&m.to_inline_html(flavor));
                assert_well_formed(&m.to_block_html(flavor));
            }
        }

        #[test]
        fn only_allowed_elements_appear(src in hostile_text()) {
            let html = Markup::parse(&src).0.to_block_html(Flavor::Xhtml);
            for name in elements(&html) {
                prop_assert!(
                    ["root", "p", "strong", "em", "code", "a", "sup", "sub", "br"].contains(&name.as_str()),
                    "unexpected <{}> in {:?}", name, html
                );
            }
        }

        #[test]
        fn links_are_only_http_https_or_mailto(src in hostile_text()) {
            let html = Markup::parse(&src).0.to_inline_html(Flavor::Xhtml);
            let wrapped = format!("<root>{html}</root>");
            let doc = roxmltree::Document::parse(&wrapped).unwrap();
            for a in doc.descendants().filter(|n| n.has_tag_name("a")) {
                let href = a.attribute("href").unwrap_or("").to_ascii_lowercase();
                prop_assert!(href.starts_with("http://") || href.starts_with("https://") || href.starts_with("mailto:"), "{}", href);
            }
        }

        #[test]
        fn anki_output_never_holds_template_braces(src in hostile_text()) {
            let html = Markup::parse(&src).0.to_inline_html(Flavor::Anki);
            prop_assert!(!html.contains('{') && !html.contains('}'), "{}", html);
        }

        #[test]
        fn bold_terms_round_trip(
            before in "[a-z ]{0,12}",
            terms in prop::collection::vec("[A-Za-z][A-Za-z0-9 ]{0,10}[A-Za-z0-9]", 1..5),
            after in "[a-z ]{0,12}",
        ) {
            let body: Vec<String> = terms.iter().map(|t| format!("**{t}**")).collect();
            let src = format!("x {before} {} {after}", body.join(" and "));
            let mut expected: Vec<String> = Vec::new();
            for t in &terms {
                let norm = t.split_whitespace().collect::<Vec<_>>().join(" ");
                if !expected.iter().any(|e| term_key(e) == term_key(&norm)) {
                    expected.push(norm);
                }
            }
            let got: Vec<String> = Markup::parse(&src).0.key_terms().into_iter().map(|t| t.text).collect();
            prop_assert_eq!(got, expected);
        }
    }
}
