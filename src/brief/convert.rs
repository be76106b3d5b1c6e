//! From a YAML [`Node`] to a [`Brief`], reporting every problem on the way.
//!
//! The converter never stops at the first problem: a bad field is reported
//! and skipped, and the rest of the brief is still checked, so that one run
//! lists everything to fix.

use super::yaml::{Key, Node, Value};
use super::{Brief, Fact, Image, Point, Section, SourceRef, Text};
use crate::diagnostic::{Diagnostic, Pos};
use crate::limits;
use std::path::{Path, PathBuf};
use time::Date;
use time::macros::format_description;

const BRIEF_KEYS: &[&str] = &[
    "id",
    "title",
    "date",
    "subject",
    "tags",
    "source",
    "why_in_news",
    "key_points",
    "background",
    "way_forward",
    "facts",
];
const SOURCE_KEYS: &[&str] = &["name", "url"];
const POINT_KEYS: &[&str] = &["text", "heading", "points", "id", "image", "alt"];
const FACT_KEYS: &[&str] = &["q", "a", "id"];

/// Words people write for our keys that edit distance alone would not find.
const ALIASES: &[(&str, &str)] = &[
    ("question", "q"),
    ("answer", "a"),
    ("why", "why_in_news"),
    ("news", "why_in_news"),
    ("points", "key_points"),
    ("summary", "why_in_news"),
    ("children", "points"),
    ("subpoints", "points"),
    ("sub_points", "points"),
    ("link", "url"),
    ("href", "url"),
    ("caption", "alt"),
    ("conclusion", "way_forward"),
    ("context", "background"),
    ("topic", "subject"),
    ("heading", "title"),
];

pub const DEFAULT_SUBJECT: &str = "General";

/// What the converter needs to know about where a brief comes from.
pub struct Context<'a> {
    /// The file as displayed in diagnostics.
    pub file: &'a Path,
    /// The sources root, canonicalized; images must resolve inside it.
    pub root: &'a Path,
    /// The sources root as the user named it, for messages.
    pub root_shown: &'a Path,
    /// The id to use when the brief has none.
    pub default_id: String,
}

/// Converts one YAML document to a brief. Returns `None` when the brief is
/// too broken to use; diagnostics explain why.
pub fn brief(node: &Node, cx: &Context, out: &mut Vec<Diagnostic>) -> Option<Brief> {
    let mut c = Converter {
        cx,
        out,
        suggested: Vec::new(),
    };
    c.brief(node)
}

struct Converter<'a, 'b> {
    cx: &'a Context<'b>,
    out: &'a mut Vec<Diagnostic>,
    /// Keys that an unknown key was suggested for: their absence is already
    /// explained by the "did you mean" error, so "missing" would be noise.
    suggested: Vec<&'static str>,
}

/// The fields of a mapping after unknown and duplicate keys are reported.
struct Fields<'n> {
    entries: Vec<(&'n Key, &'n Node)>,
}

impl<'n> Fields<'n> {
    fn get(&self, name: &str) -> Option<&'n Node> {
        self.entries
            .iter()
            .find(|(k, _)| k.name == name)
            .map(|(_, v)| *v)
    }
}

impl Converter<'_, '_> {
    fn error(&mut self, code: &'static str, pos: Pos, message: impl Into<String>) {
        self.out
            .push(Diagnostic::error(code, self.cx.file, pos, message));
    }

    fn warning(&mut self, code: &'static str, pos: Pos, message: impl Into<String>) {
        self.out
            .push(Diagnostic::warning(code, self.cx.file, pos, message));
    }

    /// Checks that `node` is a mapping with only `allowed` keys, each once.
    fn fields<'n>(
        &mut self,
        node: &'n Node,
        allowed: &[&'static str],
        what: &str,
    ) -> Option<Fields<'n>> {
        let Value::Map(entries) = &node.value else {
            self.error(
                "wrong-type",
                node.pos,
                format!("expected {what} (a mapping), found {}", node.value.kind()),
            );
            return None;
        };
        let mut kept: Vec<(&Key, &Node)> = Vec::with_capacity(entries.len());
        for (key, value) in entries {
            if !allowed.contains(&key.name.as_str()) {
                let mut d = Diagnostic::error(
                    "unknown-key",
                    self.cx.file,
                    key.pos,
                    format!("unknown key `{}` in {what}", key.name),
                );
                d = match suggest(&key.name, allowed) {
                    Some(s) => {
                        self.suggested.push(s);
                        d.with_help(format!("did you mean `{s}`?"))
                    }
                    None => d.with_help(format!("allowed keys: {}", allowed.join(", "))),
                };
                self.out.push(d);
            } else if let Some((first, _)) = kept.iter().find(|(k, _)| k.name == key.name) {
                let d = Diagnostic::error(
                    "duplicate-key",
                    self.cx.file,
                    key.pos,
                    format!("duplicate key `{}`", key.name),
                )
                .with_related(self.cx.file, first.pos, "first given here");
                self.out.push(d);
            } else {
                kept.push((key, value));
            }
        }
        Some(Fields { entries: kept })
    }

    fn brief(&mut self, node: &Node) -> Option<Brief> {
        let f = self.fields(node, BRIEF_KEYS, "a brief")?;
        let errors_before = self.error_count();

        let id = match f.get("id") {
            Some(n) => self.id(n, "brief id"),
            None => Some(self.cx.default_id.clone()),
        };
        let title = self.required_text(&f, "title", node.pos);
        let date = self.date(&f, node.pos);
        let subject = match f.get("subject") {
            Some(n) => self.plain_string(n, "subject").filter(|s| !s.is_empty()),
            None => None,
        }
        .unwrap_or_else(|| DEFAULT_SUBJECT.to_owned());
        let tags = f.get("tags").map(|n| self.tags(n)).unwrap_or_default();
        let source = f.get("source").and_then(|n| self.source(n));
        let why_in_news = self.required_text(&f, "why_in_news", node.pos);
        let key_points = match f.get("key_points") {
            Some(n) => {
                let points = self.points(n, Section::KeyPoints, 0);
                if points.is_empty() && !matches!(&n.value, Value::Seq(items) if !items.is_empty())
                {
                    self.error(
                        "empty-field",
                        n.pos,
                        "`key_points` must have at least one point",
                    );
                }
                points
            }
            None => {
                self.missing(node.pos, "key_points");
                Vec::new()
            }
        };
        let background = self.optional_points(&f, Section::Background);
        let way_forward = self.optional_points(&f, Section::WayForward);
        let facts = f.get("facts").map(|n| self.facts(n)).unwrap_or_default();

        if self.error_count() > errors_before {
            return None;
        }
        let mut brief = Brief {
            id: id?,
            title: title?,
            date: date?,
            subject,
            tags,
            source,
            why_in_news: why_in_news?,
            key_points,
            background,
            way_forward,
            facts,
            file: self.cx.file.to_path_buf(),
            pos: node.pos,
        };
        self.check_item_ids(&mut brief);
        Some(brief)
    }

    fn error_count(&self) -> usize {
        self.out.iter().filter(|d| d.is_error()).count()
    }

    fn missing(&mut self, pos: Pos, name: &str) {
        if self.suggested.contains(&name) {
            // Still an error, already reported as the misspelt key.
            return;
        }
        self.error(
            "missing-field",
            Pos { len: 1, ..pos },
            format!("missing required field `{name}`"),
        );
    }

    /// A scalar as a string; numbers and booleans are kept as written.
    fn scalar(&mut self, node: &Node, what: &str) -> Option<String> {
        match &node.value {
            Value::Str(s) | Value::Other(s) => Some(s.clone()),
            Value::Null => Some(String::new()),
            other => {
                self.error(
                    "wrong-type",
                    node.pos,
                    format!("`{what}` must be a string, found {}", other.kind()),
                );
                None
            }
        }
    }

    fn plain_string(&mut self, node: &Node, what: &str) -> Option<String> {
        self.scalar(node, what).map(|s| s.trim().to_owned())
    }

    fn required_text(&mut self, f: &Fields, name: &str, brief_pos: Pos) -> Option<Text> {
        let Some(node) = f.get(name) else {
            self.missing(brief_pos, name);
            return None;
        };
        let text = self.text(node, name, Section::WhyInNews)?;
        if text.markup.is_empty() {
            self.error("empty-field", node.pos, format!("`{name}` is empty"));
            return None;
        }
        Some(text)
    }

    /// A Markdown text: parsed, checked, its issues reported at its position.
    fn text(&mut self, node: &Node, what: &str, section: Section) -> Option<Text> {
        let source = self.scalar(node, what)?;
        if source.len() > limits::MAX_TEXT_BYTES {
            self.error(
                "text-too-long",
                node.pos,
                format!(
                    "`{what}` is {}, over the limit of {} for one text",
                    limits::human_bytes(source.len() as u64),
                    limits::human_bytes(limits::MAX_TEXT_BYTES as u64)
                ),
            );
            return None;
        }
        let (text, issues) = Text::parse(source, node.pos);
        for issue in issues {
            let message = issue.message();
            if issue.is_error() {
                self.error(issue.code(), node.pos, message);
            } else {
                self.warning(issue.code(), node.pos, message);
            }
        }
        // Counting the bold runs first spares making the terms of every text.
        let too_many = (text.markup.strong_count() > limits::MAX_TERMS_PER_TEXT)
            .then(|| text.terms().len())
            .filter(|&n| n > limits::MAX_TERMS_PER_TEXT);
        if let Some(terms) = too_many {
            self.error(
                "too-many-terms",
                node.pos,
                format!(
                    "`{what}` has {terms} distinct key terms, over the limit of {} for one text; split it",
                    limits::MAX_TERMS_PER_TEXT
                ),
            );
            return None;
        }
        // A text has at least one byte a character: most need no count.
        let long = (section != Section::WhyInNews
            && text.source().len() > limits::LONG_POINT_CHARS)
            .then(|| text.source().chars().count())
            .filter(|&chars| chars > limits::LONG_POINT_CHARS);
        if let Some(chars) = long {
            self.warning(
                "long-point",
                node.pos,
                format!(
                    "very long point ({chars} characters, more than {}): split it so that each card asks one thing",
                    limits::LONG_POINT_CHARS
                ),
            );
        }
        Some(text)
    }

    fn id(&mut self, node: &Node, what: &str) -> Option<String> {
        let id = self.plain_string(node, what)?;
        if is_valid_id(&id) {
            return Some(id);
        }
        let mut d = Diagnostic::error(
            "invalid-id",
            self.cx.file,
            node.pos,
            format!(
                "invalid {what} `{id}`: use lower-case letters, digits and hyphens ([a-z0-9-]+)"
            ),
        );
        let slug = slugify(&id);
        if !slug.is_empty() {
            d = d.with_help(format!("try `{slug}`"));
        }
        self.out.push(d);
        None
    }

    fn date(&mut self, f: &Fields, brief_pos: Pos) -> Option<Date> {
        let Some(node) = f.get("date") else {
            self.missing(brief_pos, "date");
            return None;
        };
        let raw = self.plain_string(node, "date")?;
        match Date::parse(&raw, format_description!("[year]-[month]-[day]")) {
            Ok(d) => Some(d),
            Err(_) => {
                let message = if raw.is_empty() {
                    "`date` is empty: expected a date as YYYY-MM-DD, e.g. 2020-10-07".to_owned()
                } else {
                    format!(
                        "invalid date `{raw}`: expected a real calendar date as YYYY-MM-DD, e.g. 2020-10-07"
                    )
                };
                self.error("invalid-date", node.pos, message);
                None
            }
        }
    }

    fn tags(&mut self, node: &Node) -> Vec<String> {
        match &node.value {
            Value::Seq(items) => items
                .iter()
                .filter_map(|i| match &i.value {
                    Value::Str(s) | Value::Other(s) if !s.trim().is_empty() => {
                        Some(s.trim().to_owned())
                    }
                    other => {
                        self.error(
                            "wrong-type",
                            i.pos,
                            format!("a tag must be a non-empty string, found {}", other.kind()),
                        );
                        None
                    }
                })
                .collect(),
            Value::Str(s) => vec![s.trim().to_owned()],
            Value::Null => Vec::new(),
            other => {
                self.error(
                    "wrong-type",
                    node.pos,
                    format!("`tags` must be a list of strings, found {}", other.kind()),
                );
                Vec::new()
            }
        }
    }

    fn source(&mut self, node: &Node) -> Option<SourceRef> {
        if let Value::Str(name) = &node.value {
            // `source: The Hindu` is a name alone.
            return Some(SourceRef {
                name: Some(name.trim().to_owned()),
                url: None,
            });
        }
        let f = self.fields(node, SOURCE_KEYS, "`source`")?;
        let name = f
            .get("name")
            .and_then(|n| self.plain_string(n, "source.name"));
        let url = match f.get("url") {
            Some(n) => {
                let url = self.plain_string(n, "source.url")?;
                let lower = url.to_ascii_lowercase();
                if !(lower.starts_with("http://") || lower.starts_with("https://")) {
                    self.error(
                        "link-scheme",
                        n.pos,
                        format!("`source.url` must be an http or https address, found `{url}`"),
                    );
                    return None;
                }
                Some(crate::markup::href_safe(&url).into_owned())
            }
            None => None,
        };
        Some(SourceRef {
            name: name.filter(|n| !n.is_empty()),
            url,
        })
    }

    fn optional_points(&mut self, f: &Fields, section: Section) -> Vec<Point> {
        f.get(section.key())
            .map(|n| self.points(n, section, 0))
            .unwrap_or_default()
    }

    fn points(&mut self, node: &Node, section: Section, depth: usize) -> Vec<Point> {
        match &node.value {
            Value::Seq(items) => {
                let mut points: Vec<Point> = items
                    .iter()
                    .filter_map(|i| self.point(i, section, depth))
                    .collect();
                // Briefs stay in memory for the whole run.
                points.shrink_to_fit();
                points
            }
            Value::Null => Vec::new(),
            other => {
                self.error(
                    "wrong-type",
                    node.pos,
                    format!(
                        "`{}` must be a list of points, found {}",
                        section.key(),
                        other.kind()
                    ),
                );
                Vec::new()
            }
        }
    }

    fn point(&mut self, node: &Node, section: Section, depth: usize) -> Option<Point> {
        let what = section.key();
        match &node.value {
            Value::Str(_) | Value::Other(_) => {
                let text = self.text(node, what, section)?;
                if text.markup.is_empty() {
                    self.error("empty-field", node.pos, "empty point");
                    return None;
                }
                self.check_has_key_term(&text, section);
                Some(Point {
                    heading: None,
                    text: Some(text),
                    id: None,
                    image: None,
                    points: Vec::new(),
                    pos: node.pos,
                })
            }
            Value::Null => {
                self.error("empty-field", node.pos, "empty point");
                None
            }
            Value::Seq(_) => {
                self.error(
                    "wrong-type",
                    node.pos,
                    "a point must be a string or a mapping with `text`/`heading`, found a list",
                );
                None
            }
            Value::Map(_) => {
                let f = self.fields(node, POINT_KEYS, "a point")?;
                let heading = f
                    .get("heading")
                    .and_then(|n| self.text(n, "heading", section));
                let text = f.get("text").and_then(|n| self.text(n, "text", section));
                if f.get("heading").is_none() && f.get("text").is_none() {
                    self.error(
                        "missing-field",
                        Pos { len: 1, ..node.pos },
                        "a point needs `text` or `heading`",
                    );
                }
                if let Some(t) = &text {
                    self.check_has_key_term(t, section);
                }
                let id = f.get("id").and_then(|n| self.id(n, "point id"));
                let image = self.image(&f, node.pos);
                let points = f
                    .get("points")
                    .map(|n| self.points(n, section, depth + 1))
                    .unwrap_or_default();
                Some(Point {
                    heading: heading.map(Box::new),
                    text,
                    id,
                    image: image.map(Box::new),
                    points,
                    pos: node.pos,
                })
            }
        }
    }

    fn check_has_key_term(&mut self, text: &Text, section: Section) {
        if section == Section::KeyPoints && !text.has_terms() {
            self.warning(
                "no-key-term",
                text.pos,
                "key point has no **bold** key term: no cloze card will come from it",
            );
        }
    }

    fn image(&mut self, f: &Fields, point_pos: Pos) -> Option<Image> {
        let alt = f.get("alt").and_then(|n| self.plain_string(n, "alt"));
        let Some(node) = f.get("image") else {
            if let Some(n) = f.get("alt") {
                self.warning(
                    "alt-without-image",
                    n.pos,
                    "`alt` without `image` is ignored",
                );
            }
            return None;
        };
        let rel = self.plain_string(node, "image")?;
        let alt = match alt {
            Some(a) if !a.is_empty() => a,
            _ => {
                self.error(
                    "missing-field",
                    Pos {
                        len: 1,
                        ..point_pos
                    },
                    "a point with an `image` needs `alt` text describing it",
                );
                return None;
            }
        };
        let path = self.resolve_image(&rel, node.pos)?;
        let (digest, extension) = self.inspect_image(&rel, &path, node.pos)?;
        Some(Image {
            rel,
            path,
            alt,
            digest,
            extension,
        })
    }

    /// Reads the image once: its size, that its content is what its extension
    /// says, and the digest that names it in outputs.
    fn inspect_image(
        &mut self,
        rel: &str,
        path: &Path,
        pos: Pos,
    ) -> Option<(String, &'static str)> {
        let bytes = match read_at_most(path, limits::MAX_IMAGE_BYTES) {
            Ok(b) if b.len() as u64 <= limits::MAX_IMAGE_BYTES => b,
            Ok(_) => {
                let size = std::fs::metadata(path).map(|m| m.len()).unwrap_or(0);
                self.error(
                    "image-too-large",
                    pos,
                    format!(
                        "image `{rel}` is {}, over the limit of {}",
                        limits::human_bytes(size.max(limits::MAX_IMAGE_BYTES + 1)),
                        limits::human_bytes(limits::MAX_IMAGE_BYTES)
                    ),
                );
                return None;
            }
            Err(e) => {
                self.error(
                    "image-missing",
                    pos,
                    format!("cannot read image `{rel}`: {e}"),
                );
                return None;
            }
        };
        let ext = Path::new(rel)
            .extension()
            .and_then(|e| e.to_str())
            .map(str::to_ascii_lowercase)
            .unwrap_or_default();
        let (extension, ok) = match ext.as_str() {
            "png" => ("png", bytes.starts_with(b"\x89PNG\r\n\x1a\n")),
            "jpg" | "jpeg" => ("jpg", bytes.starts_with(&[0xFF, 0xD8, 0xFF])),
            "gif" => (
                "gif",
                bytes.starts_with(b"GIF87a") || bytes.starts_with(b"GIF89a"),
            ),
            _ => ("svg", is_svg(&bytes)),
        };
        if !ok {
            self.error(
                "image-type",
                pos,
                format!(
                    "image `{rel}` is not a valid {} file{}",
                    extension.to_uppercase(),
                    if extension == "svg" {
                        " (SVG must be well-formed XML without scripts)"
                    } else {
                        ""
                    }
                ),
            );
            return None;
        }
        let digest = crate::digest::hex16(&bytes);
        Some((digest, extension))
    }

    /// Resolves an image path inside the sources root, refusing any path that
    /// leaves it (`..`, absolute paths, symlinks pointing out).
    fn resolve_image(&mut self, rel: &str, pos: Pos) -> Option<PathBuf> {
        let ext = Path::new(rel)
            .extension()
            .and_then(|e| e.to_str())
            .map(str::to_ascii_lowercase)
            .unwrap_or_default();
        if !["png", "jpg", "jpeg", "gif", "svg"].contains(&ext.as_str()) {
            self.error(
                "image-type",
                pos,
                format!("image `{rel}` must be a PNG, JPEG, GIF or SVG file"),
            );
            return None;
        }
        let given = Path::new(rel);
        if given.is_absolute() || rel.starts_with('/') || rel.starts_with('\\') {
            self.error(
                "image-path",
                pos,
                format!("image path `{rel}` must be relative to the sources root"),
            );
            return None;
        }
        let joined = self.cx.root.join(given);
        let resolved = match joined.canonicalize() {
            Ok(p) => p,
            Err(_) => {
                self.error(
                    "image-missing",
                    pos,
                    format!(
                        "image `{rel}` not found (paths are relative to the sources root `{}`)",
                        self.cx.root_shown.display()
                    ),
                );
                return None;
            }
        };
        if !resolved.starts_with(self.cx.root) {
            self.error(
                "image-path",
                pos,
                format!("image `{rel}` is outside the sources root"),
            );
            return None;
        }
        if !resolved.is_file() {
            self.error("image-missing", pos, format!("image `{rel}` is not a file"));
            return None;
        }
        Some(resolved)
    }

    fn facts(&mut self, node: &Node) -> Vec<Fact> {
        let items = match &node.value {
            Value::Seq(items) => items,
            Value::Null => return Vec::new(),
            other => {
                self.error(
                    "wrong-type",
                    node.pos,
                    format!(
                        "`facts` must be a list of q/a mappings, found {}",
                        other.kind()
                    ),
                );
                return Vec::new();
            }
        };
        let mut facts = Vec::with_capacity(items.len());
        for item in items {
            let Some(f) = self.fields(item, FACT_KEYS, "a fact") else {
                continue;
            };
            let get = |c: &mut Self, key: &str| match f.get(key) {
                Some(n) => {
                    let t = c.text(n, key, Section::WhyInNews)?;
                    if t.markup.is_empty() {
                        c.error("empty-field", n.pos, format!("`{key}` of a fact is empty"));
                        return None;
                    }
                    Some(t)
                }
                None => {
                    c.missing(item.pos, key);
                    None
                }
            };
            let question = get(self, "q");
            let answer = get(self, "a");
            let id = f.get("id").and_then(|n| self.id(n, "fact id"));
            if let (Some(question), Some(answer)) = (question, answer) {
                facts.push(Fact {
                    question,
                    answer,
                    id,
                    pos: item.pos,
                });
            }
        }
        facts
    }

    /// Point and fact ids key their cards, so they must be unique in a brief.
    fn check_item_ids(&mut self, brief: &mut Brief) {
        let mut seen: Vec<(String, Pos)> = Vec::new();
        let mut check = |id: &Option<String>, pos: Pos, out: &mut Vec<Diagnostic>| {
            if let Some(id) = id {
                if let Some((_, first)) = seen.iter().find(|(s, _)| s == id) {
                    out.push(
                        Diagnostic::error(
                            "duplicate-id",
                            self.cx.file,
                            pos,
                            format!("duplicate id `{id}` in brief `{}`", brief.id),
                        )
                        .with_related(
                            self.cx.file,
                            *first,
                            "first used here",
                        ),
                    );
                } else {
                    seen.push((id.clone(), pos));
                }
            }
        };
        brief.walk_points(|_, _, p| check(&p.id, p.pos, self.out));
        for fact in &brief.facts {
            check(&fact.id, fact.pos, self.out);
        }
    }
}

/// Reads up to `limit + 1` bytes: enough to tell that a file is too large
/// without reading all of it.
fn read_at_most(path: &Path, limit: u64) -> std::io::Result<Vec<u8>> {
    use std::io::Read;
    let mut bytes = Vec::new();
    std::fs::File::open(path)?
        .take(limit + 1)
        .read_to_end(&mut bytes)?;
    Ok(bytes)
}

/// An SVG file: UTF-8 XML whose root element is `svg`. Scripts inside are
/// refused, since readers may run them.
fn is_svg(bytes: &[u8]) -> bool {
    let Ok(text) = std::str::from_utf8(bytes) else {
        return false;
    };
    let Ok(doc) = roxmltree::Document::parse_with_options(
        text,
        roxmltree::ParsingOptions {
            allow_dtd: false,
            ..Default::default()
        },
    ) else {
        return false;
    };
    // Elements that run script or embed a live document.
    const ACTIVE: &[&str] = &[
        "script",
        "foreignobject",
        "iframe",
        "object",
        "embed",
        "handler",
        "listener",
    ];
    doc.root_element().tag_name().name() == "svg"
        && !doc.descendants().any(|n| {
            ACTIVE.contains(&n.tag_name().name().to_ascii_lowercase().as_str())
                || n.attributes().any(|a| {
                    a.name().to_ascii_lowercase().starts_with("on") || is_script_url(a.value())
                })
        })
}

/// `javascript:` (or `vbscript:`) however it is spaced or cased, as browsers
/// read it in `href`, `xlink:href` or an animation's `to` and `values` (a
/// value merely mentioning it is refused too: safe, and rare in a map).
fn is_script_url(value: &str) -> bool {
    let compact: String = value
        .chars()
        .filter(|c| !c.is_whitespace() && !c.is_control())
        .collect::<String>()
        .to_ascii_lowercase();
    compact.contains("javascript:") || compact.contains("vbscript:")
}

/// `[a-z0-9-]+`.
pub fn is_valid_id(id: &str) -> bool {
    !id.is_empty()
        && id
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
}

/// Lower-cases and replaces runs of other characters by one hyphen.
pub fn slugify(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        if c.is_ascii_alphanumeric() {
            out.push(c.to_ascii_lowercase());
        } else if !out.ends_with('-') && !out.is_empty() {
            out.push('-');
        }
    }
    out.trim_end_matches('-').to_owned()
}

/// The closest allowed key, if one is close enough to be a likely typo.
fn suggest(unknown: &str, allowed: &[&'static str]) -> Option<&'static str> {
    let lower = unknown.to_lowercase().replace([' ', '-'], "_");
    if let Some(exact) = allowed.iter().find(|a| **a == lower) {
        return Some(exact);
    }
    if let Some((_, to)) = ALIASES
        .iter()
        .find(|(from, to)| *from == lower && allowed.contains(to))
    {
        return allowed.iter().copied().find(|a| a == to);
    }
    allowed
        .iter()
        .map(|a| (strsim::damerau_levenshtein(&lower, a), *a))
        .filter(|(d, a)| *d <= 2.max(a.len() / 3))
        .min_by_key(|(d, _)| *d)
        .map(|(_, a)| a)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids() {
        assert!(is_valid_id("india-japan-2020"));
        assert!(!is_valid_id("India"));
        assert!(!is_valid_id(""));
        assert!(!is_valid_id("a_b"));
        assert_eq!(
            slugify("India Japan_Dialogue (2020)"),
            "india-japan-dialogue-2020"
        );
    }

    #[test]
    fn suggestions() {
        assert_eq!(suggest("titel", BRIEF_KEYS), Some("title"));
        assert_eq!(suggest("keypoints", BRIEF_KEYS), Some("key_points"));
        assert_eq!(suggest("Way Forward", BRIEF_KEYS), Some("way_forward"));
        assert_eq!(suggest("question", FACT_KEYS), Some("q"));
        assert_eq!(suggest("zzzzzzzz", BRIEF_KEYS), None);
    }
}
