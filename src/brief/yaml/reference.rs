//! The serde-saphyr implementation that `parse_stream` replaced, kept for the
//! differential tests (`tests.rs`): every input must give the same tree, or an
//! error at the same place, through both. Unchanged, but for its name.

use super::{Key, Node, ParseError, Value};
use crate::diagnostic::Pos;
use crate::limits::{self, MAX_DOCUMENTS_PER_FILE, MAX_FILE_BYTES, yaml::Limit};
use serde::de::{Deserialize, Deserializer, MapAccess, SeqAccess, Visitor};
use serde_saphyr::{Budget, DuplicateKeyPolicy, Location, Options, Spanned};
use std::fmt;

/// Parses every document of a YAML stream. `text` must not start with a BOM.
pub(super) fn parse_stream(text: &str) -> Result<Vec<Node>, ParseError> {
    let mut docs: Vec<Node> =
        serde_saphyr::from_multiple_with_options(text, options()).map_err(|e| parse_error(&e))?;
    for doc in &mut docs {
        restore_as_written(doc, text);
    }
    Ok(docs)
}

fn options() -> Options {
    let mut o = Options::default();
    o.budget = Some(budget());
    o.alias_limits.max_total_replayed_events = limits::yaml::MAX_ALIAS_EXPANSION_EVENTS;
    o.alias_limits.max_replay_stack_depth = 16;
    // Duplicate keys are reported by the converter, with both places.
    o.duplicate_keys = DuplicateKeyPolicy::PassThrough;
    // `yes`, `no`, `on`, `off` are words in a brief, not booleans.
    o.strict_booleans = true;
    o.with_snippet = false;
    o
}

/// The limits of `limits::yaml`, including those left at serde-saphyr's defaults.
fn budget() -> Budget {
    use limits::yaml::*;
    let mut b = Budget::default();
    b.max_reader_input_bytes = Some(MAX_FILE_BYTES as usize);
    b.max_depth = MAX_DEPTH;
    b.flow_nesting_limit = MAX_DEPTH;
    b.max_documents = MAX_DOCUMENTS_PER_FILE;
    b.max_nodes = MAX_NODES;
    b.max_events = MAX_EVENTS;
    b.max_aliases = MAX_ALIASES;
    b.max_anchors = MAX_ANCHORS;
    b.max_total_scalar_bytes = MAX_SCALAR_BYTES;
    b.max_merge_keys = MAX_MERGE_KEYS;
    b.max_recorded_anchor_events = MAX_ANCHOR_COPIES;
    b.max_recorded_anchor_bytes = MAX_ANCHOR_COPY_BYTES;
    b.alias_anchor_min_aliases = ALIAS_RATIO_FROM;
    b.alias_anchor_ratio_multiplier = MAX_ALIASES_PER_ANCHOR;
    b.simple_key_max_lookahead = MAX_SIMPLE_KEY_CHARS;
    b
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
        return too_large(describe_breach(what));
    }
    if message.contains("replayed_events") || message.contains("replay_stack") {
        return too_large(Limit::AliasExpansions.describe());
    }
    message.to_owned()
}

/// Names a breached budget field in words.
fn describe_breach(kind: &str) -> &'static str {
    match kind {
        "Events" => Limit::Events.describe(),
        "Aliases" => Limit::Aliases.describe(),
        "Anchors" => Limit::Anchors.describe(),
        "Depth" => Limit::Depth.describe(),
        "Documents" => Limit::Documents.describe(),
        "Nodes" => Limit::Nodes.describe(),
        "ScalarBytes" => Limit::ScalarBytes.describe(),
        _ => "an internal parser limit",
    }
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

/// Numbers and booleans reach us re-formatted by serde (`1.1` for `1.10`);
/// put back the text as the user wrote it, found by its position.
fn restore_as_written(node: &mut Node, source: &str) {
    match &mut node.value {
        Value::Other(v) => {
            if let Some(raw) = as_written(node.pos, source) {
                *v = raw;
            }
        }
        Value::Seq(items) => items.iter_mut().for_each(|n| restore_as_written(n, source)),
        Value::Map(entries) => entries
            .iter_mut()
            .for_each(|(_, n)| restore_as_written(n, source)),
        Value::Null | Value::Str(_) => {}
    }
}

/// The plain scalar at `pos`: up to the end of the line or a flow or comment
/// delimiter. Only used for numbers and booleans, which are single tokens.
fn as_written(pos: Pos, source: &str) -> Option<String> {
    let line = source.lines().nth(pos.line as usize - 1)?;
    let rest: String = line.chars().skip(pos.col as usize - 1).collect();
    let token = rest
        .split([',', ']', '}', '#'])
        .next()?
        .trim_end_matches(['\r', ' ', '\t']);
    (!token.is_empty()).then(|| token.to_owned())
}

impl<'de> Deserialize<'de> for Node {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let spanned = Spanned::<Value>::deserialize(d)?;
        Ok(Node {
            pos: pos_of(&spanned.referenced),
            value: spanned.value,
        })
    }
}

impl<'de> Deserialize<'de> for Value {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        d.deserialize_any(ValueVisitor)
    }
}

struct ValueVisitor;

impl<'de> Visitor<'de> for ValueVisitor {
    type Value = Value;

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("any YAML value")
    }
    fn visit_unit<E>(self) -> Result<Value, E> {
        Ok(Value::Null)
    }
    fn visit_none<E>(self) -> Result<Value, E> {
        Ok(Value::Null)
    }
    fn visit_some<D: Deserializer<'de>>(self, d: D) -> Result<Value, D::Error> {
        d.deserialize_any(ValueVisitor)
    }
    fn visit_bool<E>(self, v: bool) -> Result<Value, E> {
        Ok(Value::Other(v.to_string()))
    }
    fn visit_i64<E>(self, v: i64) -> Result<Value, E> {
        Ok(Value::Other(v.to_string()))
    }
    fn visit_u64<E>(self, v: u64) -> Result<Value, E> {
        Ok(Value::Other(v.to_string()))
    }
    fn visit_i128<E>(self, v: i128) -> Result<Value, E> {
        Ok(Value::Other(v.to_string()))
    }
    fn visit_u128<E>(self, v: u128) -> Result<Value, E> {
        Ok(Value::Other(v.to_string()))
    }
    fn visit_f64<E>(self, v: f64) -> Result<Value, E> {
        Ok(Value::Other(v.to_string()))
    }
    fn visit_str<E>(self, v: &str) -> Result<Value, E> {
        Ok(Value::Str(v.to_owned()))
    }
    fn visit_string<E>(self, v: String) -> Result<Value, E> {
        Ok(Value::Str(v))
    }
    fn visit_seq<A: SeqAccess<'de>>(self, mut a: A) -> Result<Value, A::Error> {
        let mut items = Vec::with_capacity(a.size_hint().unwrap_or(0));
        while let Some(item) = a.next_element()? {
            items.push(item);
        }
        Ok(Value::Seq(items))
    }
    fn visit_map<A: MapAccess<'de>>(self, mut a: A) -> Result<Value, A::Error> {
        let mut entries = Vec::with_capacity(a.size_hint().unwrap_or(0));
        while let Some(key) = a.next_key::<Spanned<String>>()? {
            let value = a.next_value()?;
            entries.push((
                Key {
                    pos: pos_of(&key.referenced),
                    name: key.value,
                },
                value,
            ));
        }
        Ok(Value::Map(entries))
    }
}
