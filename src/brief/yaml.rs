//! YAML → a position-carrying node tree.
//!
//! serde-saphyr parses under an explicit [`Budget`](crate::limits) and gives
//! every node its line and column through [`Spanned`]. We deserialize into a
//! generic [`Node`] tree rather than straight into the model so that the
//! converter can report *every* problem of a file in one run (unknown keys,
//! wrong shapes, missing fields) instead of stopping at the first one.

use crate::diagnostic::Pos;
use crate::limits;
use serde::de::{Deserialize, Deserializer, MapAccess, SeqAccess, Visitor};
use serde_saphyr::{DuplicateKeyPolicy, Location, Options, Spanned};
use std::fmt;

/// A YAML node with the place where it starts.
#[derive(Clone, Debug, PartialEq)]
pub struct Node {
    pub pos: Pos,
    pub value: Value,
}

#[derive(Clone, Debug, PartialEq)]
pub enum Value {
    Null,
    /// A scalar that YAML typed as a string.
    Str(String),
    /// A scalar that YAML typed as a number or boolean, kept as written.
    Other(String),
    Seq(Vec<Node>),
    Map(Vec<(Key, Node)>),
}

#[derive(Clone, Debug, PartialEq)]
pub struct Key {
    pub name: String,
    pub pos: Pos,
}

impl Value {
    /// What the value is, for messages such as "expected a string, found a list".
    pub fn kind(&self) -> &'static str {
        match self {
            Value::Null => "nothing",
            Value::Str(_) => "a string",
            Value::Other(_) => "a number or boolean",
            Value::Seq(_) => "a list",
            Value::Map(_) => "a mapping",
        }
    }
}

/// A parse failure: where and why.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ParseError {
    pub pos: Pos,
    pub message: String,
}

/// Parses every document of a YAML stream. `text` must not start with a BOM.
pub fn parse_stream(text: &str) -> Result<Vec<Node>, ParseError> {
    let docs: Vec<Spanned<RawValue>> =
        serde_saphyr::from_multiple_with_options(text, options()).map_err(|e| parse_error(&e))?;
    Ok(docs
        .into_iter()
        .map(|d| into_node(d, text.as_bytes()))
        .collect())
}

fn options() -> Options {
    let mut o = Options::default();
    o.budget = Some(limits::yaml_budget());
    o.alias_limits = limits::alias_limits();
    // Duplicate keys are reported by the converter, with both places.
    o.duplicate_keys = DuplicateKeyPolicy::PassThrough;
    // `yes`, `no`, `on`, `off` are words in a brief, not booleans.
    o.strict_booleans = true;
    o.with_snippet = false;
    o
}

fn parse_error(e: &serde_saphyr::Error) -> ParseError {
    use serde_saphyr::MessageFormatter;
    let message = serde_saphyr::UserMessageFormatter
        .format_message(e)
        .into_owned();
    let pos = e
        .location()
        .map(|l| pos_of(&l))
        .unwrap_or(Pos::new(1, 1, 1));
    ParseError {
        pos,
        message: tidy_message(&message),
    }
}

/// serde-saphyr phrases budget breaches in Rust debug syntax; say them in words.
fn tidy_message(message: &str) -> String {
    if let Some(rest) = message.split("budget breached: ").nth(1) {
        let what = rest.split([' ', '{', '(']).next().unwrap_or(rest);
        return too_large(limits::describe_breach(what));
    }
    if message.contains("replayed_events") || message.contains("replay_stack") {
        return too_large("100,000 alias expansions");
    }
    message.to_owned()
}

fn too_large(limit: &str) -> String {
    format!(
        "the YAML is too large or too deeply nested (limit reached: {limit}); see the README's \"Limits\" section"
    )
}

fn pos_of(l: &Location) -> Pos {
    let len = l.span().len().clamp(1, u32::MAX as u64) as u32;
    Pos::new(
        l.line().clamp(1, u32::MAX as u64) as u32,
        l.column().clamp(1, u32::MAX as u64) as u32,
        len,
    )
}

/// The raw tree as serde sees it, before positions are folded in.
enum RawValue {
    Null,
    Str(String),
    Other(String),
    Seq(Vec<Spanned<RawValue>>),
    Map(Vec<(Spanned<String>, Spanned<RawValue>)>),
}

fn into_node(s: Spanned<RawValue>, source: &[u8]) -> Node {
    let pos = pos_of(&s.referenced);
    let value = match s.value {
        RawValue::Null => Value::Null,
        RawValue::Str(v) => Value::Str(v),
        // Numbers and booleans are kept as the user wrote them (`1.10`, not `1.1`).
        RawValue::Other(v) => Value::Other(as_written(&s.referenced, source).unwrap_or(v)),
        RawValue::Seq(items) => {
            Value::Seq(items.into_iter().map(|i| into_node(i, source)).collect())
        }
        RawValue::Map(entries) => Value::Map(
            entries
                .into_iter()
                .map(|(k, v)| {
                    (
                        Key {
                            pos: pos_of(&k.referenced),
                            name: k.value,
                        },
                        into_node(v, source),
                    )
                })
                .collect(),
        ),
    };
    Node { pos, value }
}

fn as_written(l: &Location, source: &[u8]) -> Option<String> {
    let start = l.span().byte_offset()? as usize;
    let len = l.span().byte_len()? as usize;
    let bytes = source.get(start..start.checked_add(len)?)?;
    std::str::from_utf8(bytes).ok().map(str::to_owned)
}

impl<'de> Deserialize<'de> for RawValue {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        d.deserialize_any(RawVisitor)
    }
}

struct RawVisitor;

impl<'de> Visitor<'de> for RawVisitor {
    type Value = RawValue;

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("any YAML value")
    }
    fn visit_unit<E>(self) -> Result<RawValue, E> {
        Ok(RawValue::Null)
    }
    fn visit_none<E>(self) -> Result<RawValue, E> {
        Ok(RawValue::Null)
    }
    fn visit_some<D: Deserializer<'de>>(self, d: D) -> Result<RawValue, D::Error> {
        d.deserialize_any(RawVisitor)
    }
    fn visit_bool<E>(self, v: bool) -> Result<RawValue, E> {
        Ok(RawValue::Other(v.to_string()))
    }
    fn visit_i64<E>(self, v: i64) -> Result<RawValue, E> {
        Ok(RawValue::Other(v.to_string()))
    }
    fn visit_u64<E>(self, v: u64) -> Result<RawValue, E> {
        Ok(RawValue::Other(v.to_string()))
    }
    fn visit_i128<E>(self, v: i128) -> Result<RawValue, E> {
        Ok(RawValue::Other(v.to_string()))
    }
    fn visit_u128<E>(self, v: u128) -> Result<RawValue, E> {
        Ok(RawValue::Other(v.to_string()))
    }
    fn visit_f64<E>(self, v: f64) -> Result<RawValue, E> {
        Ok(RawValue::Other(v.to_string()))
    }
    fn visit_str<E>(self, v: &str) -> Result<RawValue, E> {
        Ok(RawValue::Str(v.to_owned()))
    }
    fn visit_string<E>(self, v: String) -> Result<RawValue, E> {
        Ok(RawValue::Str(v))
    }
    fn visit_seq<A: SeqAccess<'de>>(self, mut a: A) -> Result<RawValue, A::Error> {
        let mut items = Vec::new();
        while let Some(item) = a.next_element()? {
            items.push(item);
        }
        Ok(RawValue::Seq(items))
    }
    fn visit_map<A: MapAccess<'de>>(self, mut a: A) -> Result<RawValue, A::Error> {
        let mut entries = Vec::new();
        while let Some(key) = a.next_key::<Spanned<String>>()? {
            let value = a.next_value()?;
            entries.push((key, value));
        }
        Ok(RawValue::Map(entries))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn map(node: &Node) -> &[(Key, Node)] {
        match &node.value {
            Value::Map(m) => m,
            other => panic!("expected a map, got {other:?}"),
        }
    }

    #[test]
    fn keys_and_values_carry_line_and_column() {
        let docs = parse_stream("id: a\ntitle: x\nlist:\n  - one\n").unwrap();
        let m = map(&docs[0]);
        assert_eq!(m[1].0.name, "title");
        assert_eq!((m[1].0.pos.line, m[1].0.pos.col), (2, 1));
        assert_eq!((m[1].1.pos.line, m[1].1.pos.col), (2, 8));
        let Value::Seq(items) = &m[2].1.value else {
            panic!()
        };
        assert_eq!((items[0].pos.line, items[0].pos.col), (4, 5));
    }

    #[test]
    fn numbers_and_booleans_are_kept_as_written() {
        let docs = parse_stream("a: 1.10\nb: yes\nc: true\n").unwrap();
        let m = map(&docs[0]);
        assert_eq!(m[0].1.value, Value::Other("1.10".into()));
        assert_eq!(m[1].1.value, Value::Str("yes".into()));
        assert_eq!(m[2].1.value, Value::Other("true".into()));
    }

    #[test]
    fn a_stream_gives_one_node_per_document() {
        let docs = parse_stream("title: a\n---\ntitle: b\n").unwrap();
        assert_eq!(docs.len(), 2);
        assert_eq!(docs[1].pos.line, 3);
    }

    #[test]
    fn duplicate_keys_reach_the_converter() {
        let docs = parse_stream("a: 1\na: 2\n").unwrap();
        assert_eq!(map(&docs[0]).len(), 2);
    }

    #[test]
    fn an_alias_bomb_is_refused() {
        let mut y = String::from("a: &a [x,x,x,x,x,x,x,x,x]\n");
        for (prev, name) in ["a", "b", "c", "d", "e", "f", "g", "h"]
            .iter()
            .zip(["b", "c", "d", "e", "f", "g", "h", "i"])
        {
            y.push_str(&format!("{name}: &{name} [*{prev},*{prev},*{prev},*{prev},*{prev},*{prev},*{prev},*{prev},*{prev}]\n"));
        }
        let err = parse_stream(&y).unwrap_err();
        assert!(err.message.contains("too large"), "{}", err.message);
    }

    #[test]
    fn deep_flow_nesting_is_refused_quickly() {
        let err = parse_stream(&"[".repeat(100_000)).unwrap_err();
        assert_eq!(err.pos.line, 1);
    }
}
