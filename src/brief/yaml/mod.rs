//! YAML → a position-carrying node tree.
//!
//! We build a generic [`Node`] tree rather than the model itself so that the
//! converter can report *every* problem of a file in one run (unknown keys,
//! wrong shapes, missing fields) instead of stopping at the first one.
//!
//! # Design
//!
//! The tree is built straight from granit-parser's events (the parser
//! serde-saphyr uses, re-exported by it). It used to come from serde-saphyr's
//! deserializer, one `Spanned<Value>` per node; callgrind put half of the YAML
//! cost in that serde glue (every node through `Spanned`'s synthesized map,
//! allocations for its keys, a hash of every key) rather than in the parser.
//! Without it, YAML for `check` of 1,000 briefs is 347 million instructions
//! instead of 548 (docs/performance.md).
//!
//! The builder gives exactly what the deserializer gave, which the tests check
//! against the old implementation (`reference.rs`) on every file of the
//! repository, a generated corpus and generated YAML-ish text:
//!
//! - scalars typed by serde-saphyr's rules (`scalar.rs`): YAML 1.2 core
//!   schema, strict booleans, core tags obeyed, `!!binary` decoded;
//! - duplicate keys kept (the converter reports them), merge keys (`<<`)
//!   merged, keys read as strings;
//! - an alias gives a copy of its anchor's node, placed at the alias;
//! - documents that are null are skipped;
//! - errors at the same place, in the same order (`build.rs` reads events in
//!   the order the deserializer did), worded the same, except that limits are
//!   now always named in words.
//!
//! # Limits
//!
//! The limits of `limits::yaml` are counted while events are read
//! (`events.rs`), by serde-saphyr's rules: depth, nodes, events, documents,
//! scalar bytes, aliases, anchors and merge keys over the whole file, alias
//! expansions per document, copies into anchors, and at the end at most ten
//! aliases per anchor. The parser itself refuses flow collections nested
//! deeper than the depth limit, so a hundred thousand `[` fail at the 49th.

mod build;
mod events;
#[cfg(test)]
mod reference;
mod scalar;
#[cfg(test)]
mod tests;

use crate::diagnostic::Pos;
use crate::limits::yaml::Limit;
use events::{Kind, Live, Source};

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
    let mut events = Live::new(text);
    let mut builder = build::Builder::new(text);
    let mut docs = Vec::new();
    let mut read = || {
        while let Some(ev) = events.peek(false)? {
            // A document that is only null (or empty) is skipped, unless an
            // application tag says what it is.
            if ev.kind == Kind::Scalar
                && ev.tag != scalar::Tag::Other
                && scalar::is_null(ev.tag, &ev.value, ev.style)
            {
                events.take();
                continue;
            }
            docs.push(builder.node(&mut events, 0)?);
        }
        events.finish()
    };
    match read() {
        Ok(()) => Ok(docs),
        Err(Fail { pos, message }) => Err(ParseError { pos, message }),
    }
}

/// An error while reading: its place and message.
#[derive(Debug)]
struct Fail {
    pos: Pos,
    message: String,
}

impl Fail {
    fn new(pos: Pos, message: impl Into<String>) -> Self {
        Fail {
            pos,
            message: message.into(),
        }
    }

    fn limit(pos: Pos, limit: Limit) -> Self {
        Fail::new(pos, too_large(limit.describe()))
    }
}

fn too_large(limit: &str) -> String {
    format!(
        "the YAML is too large or too deeply nested (limit reached: {limit}); see the README's \"Limits\" section"
    )
}
