//! A draft as YAML that reads well and loads back to exactly the same texts.
//!
//! Keys come in a fixed order (id, title, date, subject, tags, source,
//! why_in_news, key_points, background, way_forward). Each text is written
//! in the plainest style that is exact: a plain scalar when it is short and
//! nothing in it means something to YAML; a folded block scalar (`>-`) when
//! it is long; a literal block scalar (`|-`) when it has several paragraphs;
//! a double-quoted scalar (with escapes) otherwise. `import` loads every
//! draft back and compares the texts, so a mistake here cannot go unnoticed.

use super::{Draft, DraftPoint};
use std::fmt::Write as _;

/// Lines are wrapped at this column when a text can be folded.
const WIDTH: usize = 92;
/// Folded lines hold at least this many columns of text, however deep.
const MIN_TEXT_WIDTH: usize = 40;

/// Renders `draft`, preceded by `header` as comment lines.
pub fn to_yaml(draft: &Draft, header: &[String]) -> String {
    let mut out = String::new();
    for line in header {
        let _ = writeln!(out, "# {line}");
    }
    field(&mut out, 0, "id", &draft.id);
    field(&mut out, 0, "title", &draft.title);
    let _ = writeln!(out, "date: {}", draft.date);
    field(&mut out, 0, "subject", &draft.subject);
    if !draft.tags.is_empty() {
        tags(&mut out, &draft.tags);
    }
    if let Some(source) = &draft.source {
        out.push_str("source:\n");
        if let Some(name) = &source.name {
            field(&mut out, 2, "name", name);
        }
        if let Some(url) = &source.url {
            field(&mut out, 2, "url", url);
        }
    }
    field(&mut out, 0, "why_in_news", &draft.why_in_news);
    for (key, points) in [
        ("key_points", &draft.key_points),
        ("background", &draft.background),
        ("way_forward", &draft.way_forward),
    ] {
        if !points.is_empty() {
            let _ = writeln!(out, "{key}:");
            point_list(&mut out, 2, points);
        }
    }
    out
}

fn tags(out: &mut String, tags: &[String]) {
    let simple = |t: &String| {
        !t.is_empty()
            && t.bytes()
                .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
            && t.bytes().any(|b| b.is_ascii_lowercase())
    };
    if tags.iter().all(simple) {
        let _ = writeln!(out, "tags: [{}]", tags.join(", "));
    } else {
        out.push_str("tags:\n");
        for t in tags {
            let _ = writeln!(out, "  - {}", double_quoted(t));
        }
    }
}

/// `key: value` at `indent`.
fn field(out: &mut String, indent: usize, key: &str, value: &str) {
    let _ = write!(out, "{}{key}:", " ".repeat(indent));
    scalar(out, indent + key.len() + 2, indent + 2, value);
}

fn point_list(out: &mut String, indent: usize, points: &[DraftPoint]) {
    for p in points {
        point(out, indent, p);
    }
}

/// A point: a bare scalar when it is only a text, else a mapping with
/// `heading`, `text` and `points` in that order.
fn point(out: &mut String, indent: usize, p: &DraftPoint) {
    let pad = " ".repeat(indent);
    if p.heading.is_none() && p.points.is_empty() {
        let _ = write!(out, "{pad}-");
        scalar(out, indent + 2, indent + 2, p.text.as_deref().unwrap_or(""));
        return;
    }
    let mut first = true;
    let mut key = |out: &mut String, name: &str| {
        if first {
            let _ = write!(out, "{pad}- {name}:");
            first = false;
        } else {
            let _ = write!(out, "{pad}  {name}:");
        }
    };
    let inner = indent + 2;
    if let Some(h) = &p.heading {
        key(out, "heading");
        scalar(out, inner + "heading: ".len(), inner + 2, h);
    }
    if let Some(t) = &p.text {
        key(out, "text");
        scalar(out, inner + "text: ".len(), inner + 2, t);
    }
    if !p.points.is_empty() {
        key(out, "points");
        out.push('\n');
        point_list(out, inner + 2, &p.points);
    }
}

/// Writes ` value\n` (or a block scalar) after a `key:` or `-` already
/// written. `column` is where an inline value would start; `block_indent`
/// the indentation of a block scalar's lines.
fn scalar(out: &mut String, column: usize, block_indent: usize, value: &str) {
    let pad = " ".repeat(block_indent);
    if value.contains('\n') {
        if literal_safe(value) {
            out.push_str(" |-\n");
            for line in value.split('\n') {
                if line.is_empty() {
                    out.push('\n');
                } else {
                    let _ = writeln!(out, "{pad}{line}");
                }
            }
        } else {
            let _ = writeln!(out, " {}", double_quoted(value));
        }
        return;
    }
    let fits = column + value.chars().count() <= WIDTH;
    if fits && plain_safe(value) {
        let _ = writeln!(out, " {value}");
    } else if !fits && fold_safe(value) {
        out.push_str(" >-\n");
        let width = WIDTH.saturating_sub(block_indent).max(MIN_TEXT_WIDTH);
        for line in fold(value, width) {
            let _ = writeln!(out, "{pad}{line}");
        }
    } else {
        let _ = writeln!(out, " {}", double_quoted(value));
    }
}

/// Characters that must be escaped (YAML's non-printable characters, line
/// separators and the byte-order mark).
fn needs_escape(c: char) -> bool {
    c.is_control()
        || matches!(
            c,
            '\u{85}' | '\u{2028}' | '\u{2029}' | '\u{feff}' | '\u{fffe}' | '\u{ffff}'
        )
}

/// Words YAML would read as something other than a string.
fn is_reserved(s: &str) -> bool {
    let lower = s.to_ascii_lowercase();
    matches!(
        lower.as_str(),
        "true" | "false" | "yes" | "no" | "on" | "off" | "y" | "n" | "null" | "~"
    ) || !s.chars().any(char::is_alphabetic)
}

/// A plain scalar is exact when it starts with a letter or digit, holds no
/// `: ` or ` #`, does not end in `:`, has no surrounding spaces and is not a
/// word YAML types (`true`, `null`, a number).
fn plain_safe(s: &str) -> bool {
    let Some(first) = s.chars().next() else {
        return false;
    };
    first.is_alphanumeric()
        && s.trim() == s
        && !s.chars().any(|c| needs_escape(c) || c == '\t')
        && !s.contains(": ")
        && !s.contains(" #")
        && !s.ends_with(':')
        && !is_reserved(s)
}

/// A folded block scalar is exact for one line of text without surrounding
/// spaces or characters that need escapes.
fn fold_safe(s: &str) -> bool {
    !s.is_empty() && s.trim() == s && !s.chars().any(needs_escape)
}

/// A literal block scalar is exact when no line starts with a space or tab,
/// no line holds only spaces, and the text neither starts nor ends with a
/// line break.
fn literal_safe(s: &str) -> bool {
    !s.starts_with('\n')
        && !s.ends_with('\n')
        && !s.chars().any(|c| c != '\n' && needs_escape(c))
        && s.split('\n').all(|line| {
            !line.starts_with([' ', '\t']) && (line.is_empty() || !line.trim().is_empty())
        })
}

/// Breaks `s` into lines of at most `width` characters where possible. A
/// folded scalar turns each line break back into one space, so a break goes
/// only where a single space separates two other characters.
fn fold(s: &str, width: usize) -> Vec<String> {
    let chars: Vec<char> = s.chars().collect();
    let is_space = |c: char| c == ' ' || c == '\t';
    // The words: split at single spaces between two non-space characters.
    let mut words: Vec<String> = Vec::new();
    let mut current = String::new();
    for (i, &c) in chars.iter().enumerate() {
        let breakable = c == ' '
            && i > 0
            && i + 1 < chars.len()
            && !is_space(chars[i - 1])
            && !is_space(chars[i + 1]);
        if breakable {
            words.push(std::mem::take(&mut current));
        } else {
            current.push(c);
        }
    }
    words.push(current);
    let mut lines: Vec<String> = Vec::new();
    let mut line = String::new();
    let mut line_len = 0;
    for word in words {
        let len = word.chars().count();
        if !line.is_empty() && line_len + 1 + len > width {
            lines.push(std::mem::take(&mut line));
            line_len = 0;
        }
        if !line.is_empty() {
            line.push(' ');
            line_len += 1;
        }
        line.push_str(&word);
        line_len += len;
    }
    lines.push(line);
    lines
}

/// A double-quoted scalar: always exact.
pub fn double_quoted(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 2);
    out.push('"');
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\t' => out.push_str("\\t"),
            '\r' => out.push_str("\\r"),
            '\0' => out.push_str("\\0"),
            '\u{85}' => out.push_str("\\N"),
            '\u{a0}' => out.push_str("\\_"),
            '\u{2028}' => out.push_str("\\L"),
            '\u{2029}' => out.push_str("\\P"),
            c if needs_escape(c) => {
                let _ = write!(out, "\\u{:04X}", c as u32);
            }
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::brief::yaml::{self, Value};
    use crate::import::SourceRef;
    use proptest::prelude::*;

    /// Writes `value` as a field and reads it back with the project's parser.
    fn round_trip(value: &str, indent: usize) -> String {
        let mut y = String::new();
        if indent > 0 {
            y.push_str("outer:\n");
        }
        field(&mut y, indent, "text", value);
        let docs = yaml::parse_stream(&y).unwrap_or_else(|e| panic!("{e:?} in\n{y}"));
        let Value::Map(m) = &docs[0].value else {
            panic!("{y}")
        };
        let node = if indent > 0 {
            let Value::Map(inner) = &m[0].1.value else {
                panic!("{y}")
            };
            inner[0].1.clone()
        } else {
            m[0].1.clone()
        };
        match node.value {
            Value::Str(s) | Value::Other(s) => s,
            other => panic!("{other:?} from\n{y}"),
        }
    }

    #[test]
    fn tricky_texts_round_trip() {
        for s in [
            "**Significance:** It will attract stakeholders.",
            "Key: value",
            "Ends with a colon:",
            "a # not a comment",
            "\"quoted\" and 'single'",
            "back\\slash",
            "- looks like a list",
            "& anchor-like",
            "*alias-like",
            "! tag-like",
            "% directive-like",
            "@ reserved",
            "`code`",
            "[flow] {map}",
            "null",
            "True",
            "~",
            "2020",
            "3.14",
            "0x1F",
            "2020-10-07",
            " leading space",
            "trailing space ",
            "tab\there",
            "bell\u{7}",
            "line\u{2028}separator",
            "bom\u{feff}",
            "non-breaking\u{a0}space",
            "नई दिल्ली में **G20**",
            "para one\n\npara two",
            "para one\n\n  indented",
            "line\n",
            "---",
            "...",
            "> quote",
            "| pipe",
        ] {
            assert_eq!(round_trip(s, 0), s, "{s:?}");
            assert_eq!(round_trip(s, 2), s, "{s:?}");
        }
    }

    #[test]
    fn long_texts_fold_and_round_trip() {
        let long = "India and Japan recently held **13<sup>th</sup> India-Japan Foreign Ministers' Strategic Dialogue** in which inter-alia both countries agreed to sign a **Memorandum of Cooperation (MoC)**: in the field of #cybersecurity.";
        let mut y = String::new();
        field(&mut y, 0, "why_in_news", long);
        assert!(y.starts_with("why_in_news: >-\n  India"), "{y}");
        assert!(y.lines().all(|l| l.chars().count() <= WIDTH), "{y}");
        assert_eq!(round_trip(long, 0), long);
        assert_eq!(round_trip(long, 2), long);
        let spaced = format!("{long}  two  spaces   and a {}", "verylongword".repeat(12));
        assert_eq!(round_trip(&spaced, 2), spaced);
    }

    #[test]
    fn short_safe_texts_are_plain() {
        let mut y = String::new();
        field(
            &mut y,
            0,
            "title",
            "India-Japan Foreign Ministers' Strategic Dialogue",
        );
        assert_eq!(
            y,
            "title: India-Japan Foreign Ministers' Strategic Dialogue\n"
        );
        let mut y = String::new();
        field(&mut y, 0, "title", "**Bold** start");
        assert_eq!(y, "title: \"**Bold** start\"\n");
    }

    #[test]
    fn a_draft_has_a_stable_key_order() {
        let draft = Draft {
            id: "x".into(),
            title: "X".into(),
            date: time::macros::date!(2020 - 10 - 07),
            subject: "General".into(),
            tags: vec!["a".into(), "b-2".into()],
            source: Some(SourceRef {
                name: Some("The Hindu".into()),
                url: Some("https://example.org/a#b".into()),
            }),
            why_in_news: "Why **this**.".into(),
            key_points: vec![DraftPoint {
                heading: Some("**Head**".into()),
                text: None,
                points: vec![DraftPoint::text("Child **one**.")],
            }],
            background: vec![DraftPoint::text("Note.")],
            way_forward: vec![],
        };
        let y = to_yaml(&draft, &["Drafted.".into()]);
        assert_eq!(
            y,
            "# Drafted.\nid: x\ntitle: X\ndate: 2020-10-07\nsubject: General\ntags: [a, b-2]\nsource:\n  name: The Hindu\n  url: https://example.org/a#b\nwhy_in_news: Why **this**.\nkey_points:\n  - heading: \"**Head**\"\n    points:\n      - Child **one**.\nbackground:\n  - Note.\n"
        );
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(400))]
        #[test]
        fn any_text_round_trips(s in "[ -~\u{a0}\u{85}\u{2028}\u{feff}é₹\n\t]{1,200}") {
            prop_assert_eq!(round_trip(&s, 0), s.clone());
            prop_assert_eq!(round_trip(&s, 4), s);
        }
    }
}
