//! The tree, built from events in the order serde-saphyr's deserializer read
//! them, so that the first error is the same one at the same place.
//!
//! Collections are kept on an explicit stack, never the Rust stack. The only
//! recursion is into the values a merge key (`<<`) brings in, which are built
//! when their mapping ends, one level deeper each time and so bounded by the
//! depth limit.

use super::events::{Ev, Kind, Loc, Replay, Source};
use super::scalar::{self, Fingerprint, KeyClass, Resolved, Tag};
use super::{Fail, Key, Node, Value};
use crate::diagnostic::Pos;
use crate::limits::yaml::{self as limits, Limit};
use serde_saphyr::granit_parser::ScalarStyle;
use std::collections::HashSet;

pub(super) struct Builder<'t> {
    text: &'t str,
    /// How to find a number as written, worked out for the first one.
    lines: Option<OldLines>,
    /// The class of every key of the mappings being built, to compare them
    /// with what merges bring in; one stack shared by all mappings.
    key_classes: Vec<KeyClass>,
}

struct Frame<'a> {
    pos: Pos,
    /// The alias this collection is a copy of: an error inside it is reported there.
    alias: Option<Pos>,
    kind: FrameKind<'a>,
}

enum FrameKind<'a> {
    Seq(Vec<Node>),
    Map(Map<'a>),
}

struct Map<'a> {
    entries: Vec<(Key, Node)>,
    /// The key whose value is being read.
    key: Option<Key>,
    /// Where this mapping's keys start in [`Builder::key_classes`].
    classes_from: usize,
    /// What its merge keys bring in, added when it ends.
    merges: Vec<Vec<Entry<'a>>>,
}

/// A key and its value, recorded by a merge.
struct Entry<'a> {
    key: Captured<'a>,
    value: Vec<Ev<'a>>,
}

/// A node recorded whole: keys are read whole before they are typed, as
/// merge values are.
enum Captured<'a> {
    One(Ev<'a>),
    Many(Vec<Ev<'a>>),
}

impl<'a> Captured<'a> {
    fn into_vec(self) -> Vec<Ev<'a>> {
        match self {
            Captured::One(ev) => vec![ev],
            Captured::Many(events) => events,
        }
    }

    /// `<<`, plain and untagged or tagged `!!merge`.
    fn is_merge_key(&self) -> bool {
        matches!(self, Captured::One(ev) if ev.kind == Kind::Scalar
            && ev.value == "<<"
            && (ev.tag == Tag::Merge || (ev.tag == Tag::None && ev.style == ScalarStyle::Plain)))
    }
}

enum Started<'a> {
    Scalar(Node),
    Collection(Frame<'a>),
}

fn peeked<'s, 'a, S: Source<'a>>(src: &'s mut S, capture: bool) -> Result<&'s Ev<'a>, Fail> {
    // The parser ends every collection it starts, and reports anything else.
    src.peek(capture)?
        .ok_or_else(|| Fail::new(Pos::new(1, 1, 1), "unexpected end of file"))
}

impl<'t> Builder<'t> {
    pub(super) fn new(text: &'t str) -> Self {
        Builder {
            text,
            lines: None,
            key_classes: Vec::new(),
        }
    }

    /// Builds the node whose first event `src` has just peeked, as a child
    /// of a collection `depth` levels deep (0 for a document).
    pub(super) fn node<'a, S: Source<'a>>(
        &mut self,
        src: &mut S,
        depth: usize,
    ) -> Result<Node, Fail> {
        let mut stack = match self.start(src, depth + 1)? {
            Started::Scalar(node) => return Ok(node),
            Started::Collection(frame) => vec![frame],
        };
        loop {
            match self.step(src, &mut stack, depth) {
                Ok(Some(node)) => return Ok(node),
                Ok(None) => {}
                Err(mut e) => {
                    // serde-saphyr reports an error inside an alias's copy at the alias.
                    if let Some(alias) = stack.iter().find_map(|f| f.alias) {
                        e.pos = alias;
                    }
                    return Err(e);
                }
            }
        }
    }

    /// Takes one node's first event: a scalar is done, a collection is opened.
    fn start<'a, S: Source<'a>>(&mut self, src: &mut S, depth: usize) -> Result<Started<'a>, Fail> {
        let ev = src.take();
        let alias = ev.alias();
        let pos = ev.reference().pos;
        let at_alias = |mut e: Fail| {
            if let Some(alias) = alias {
                e.pos = alias;
            }
            e
        };
        let kind = match ev.kind {
            Kind::Scalar => {
                let value = self.scalar(ev).map_err(at_alias)?;
                return Ok(Started::Scalar(Node { pos, value }));
            }
            Kind::SeqStart => FrameKind::Seq(Vec::new()),
            Kind::MapStart => FrameKind::Map(Map {
                entries: Vec::new(),
                key: None,
                classes_from: self.key_classes.len(),
                merges: Vec::new(),
            }),
            // `peek` refuses a recursive alias and a well-formed stream has
            // no end here.
            Kind::SeqEnd | Kind::MapEnd | Kind::RecursiveAlias => {
                unreachable!("a node starts with a scalar or a collection")
            }
        };
        // Only merged values can get deeper than the parser counted.
        if depth > limits::MAX_DEPTH {
            return Err(at_alias(Fail::limit(ev.loc.pos, Limit::Depth)));
        }
        Ok(Started::Collection(Frame { pos, alias, kind }))
    }

    /// Reads the next event of the innermost open collection; returns the
    /// node when the outermost one is done.
    fn step<'a, S: Source<'a>>(
        &mut self,
        src: &mut S,
        stack: &mut Vec<Frame<'a>>,
        depth: usize,
    ) -> Result<Option<Node>, Fail> {
        let level = depth + stack.len();
        let top = stack.last_mut().expect("an open collection");
        let ev = peeked(src, false)?;
        let child = match &mut top.kind {
            FrameKind::Seq(_) if ev.kind == Kind::SeqEnd => {
                src.take();
                return Ok(self.close(stack));
            }
            FrameKind::Map(map) if map.key.is_none() => {
                if ev.kind == Kind::MapEnd {
                    src.take();
                    self.merge(map, level)?;
                    return Ok(self.close(stack));
                }
                let key = capture(src)?;
                if key.is_merge_key() {
                    let entries = merge_value(src)?;
                    if !entries.is_empty() {
                        map.merges.push(entries);
                    }
                } else {
                    let (key, class) = key_of(key)?;
                    self.key_classes.push(class);
                    map.key = Some(key);
                }
                return Ok(None);
            }
            FrameKind::Seq(_) | FrameKind::Map(_) => self.start(src, level + 1)?,
        };
        match child {
            Started::Scalar(node) => Ok(self.attach(stack, node)),
            Started::Collection(frame) => {
                stack.push(frame);
                Ok(None)
            }
        }
    }

    /// Closes the innermost collection and gives it to its parent.
    fn close(&mut self, stack: &mut Vec<Frame<'_>>) -> Option<Node> {
        let frame = stack.pop().expect("an open collection");
        let value = match frame.kind {
            FrameKind::Seq(items) => Value::Seq(items),
            FrameKind::Map(map) => {
                self.key_classes.truncate(map.classes_from);
                Value::Map(map.entries)
            }
        };
        self.attach(
            stack,
            Node {
                pos: frame.pos,
                value,
            },
        )
    }

    fn attach(&mut self, stack: &mut [Frame<'_>], node: Node) -> Option<Node> {
        let Some(parent) = stack.last_mut() else {
            return Some(node);
        };
        match &mut parent.kind {
            FrameKind::Seq(items) => items.push(node),
            FrameKind::Map(map) => {
                let key = map.key.take().expect("a value follows its key");
                map.entries.push((key, node));
            }
        }
        None
    }

    /// Adds what a mapping's merge keys bring in: entries whose key it does
    /// not have yet, in order.
    fn merge(&mut self, map: &mut Map<'_>, level: usize) -> Result<(), Fail> {
        if map.merges.is_empty() {
            return Ok(());
        }
        let mut seen: HashSet<Fingerprint> = map
            .entries
            .iter()
            .zip(&self.key_classes[map.classes_from..])
            .map(|((key, _), class)| class.fingerprint(&key.name))
            .collect();
        for entry in std::mem::take(&mut map.merges).into_iter().flatten() {
            // A key that cannot be typed cannot be a duplicate either, so
            // typing it before the check fails where serde-saphyr does.
            let (key, class) = key_of(entry.key)?;
            if !seen.insert(class.fingerprint(&key.name)) {
                continue;
            }
            let mut value = Replay::new(entry.value);
            peeked(&mut value, false)?;
            let node = self.node(&mut value, level)?;
            map.entries.push((key, node));
        }
        Ok(())
    }

    fn scalar(&mut self, ev: Ev<'_>) -> Result<Value, Fail> {
        let at = ev.reference();
        match scalar::resolve(ev.value, ev.tag, ev.style) {
            Ok(Resolved::Null) => Ok(Value::Null),
            Ok(Resolved::Str(s)) => Ok(Value::Str(s.into_owned())),
            Ok(Resolved::Other(n)) => Ok(Value::Other(
                self.as_written(at).unwrap_or_else(|| n.to_string()),
            )),
            Err(message) => Err(Fail::new(ev.loc.pos, message)),
        }
    }

    /// A number or boolean as the user wrote it (`1.10`, not `1.1`): the
    /// text at the node's place up to the end of the line or a flow or
    /// comment delimiter (numbers and booleans are single tokens). As
    /// before, the place of an alias's copy is the alias, so a number
    /// reached through `*n` reads `*n`.
    fn as_written(&mut self, at: Loc) -> Option<String> {
        let text = self.text;
        let start = match self.lines.get_or_insert_with(|| OldLines::of(text)) {
            OldLines::AsParsed => at.byte,
            index => index.byte_of(text, at.pos)?,
        };
        let rest = text.get(start..)?;
        let end = rest.find(['\n', ',', ']', '}', '#']).unwrap_or(rest.len());
        let token = rest[..end].trim_end_matches(['\r', ' ', '\t']);
        (!token.is_empty()).then(|| token.to_owned())
    }
}

/// Finds a place by line and column the way the old implementation did: lines
/// of `str::lines` (which end at `\n` only), columns in chars. The parser
/// counts a lone `\r` as a line end and does not count a byte-order mark
/// as a column; in any other text its byte offsets point at the same place.
enum OldLines {
    AsParsed,
    Indexed {
        /// The byte and char offsets where each line starts.
        starts: Vec<(usize, usize)>,
        /// The byte offset of every [`MARK`]th char, so that finding a column
        /// never walks a long line from its start.
        marks: Vec<usize>,
        chars: usize,
    },
}

const MARK: usize = 256;

impl OldLines {
    fn of(text: &str) -> Self {
        let bytes = text.as_bytes();
        let lone_cr =
            (0..bytes.len()).any(|i| bytes[i] == b'\r' && bytes.get(i + 1) != Some(&b'\n'));
        if !lone_cr && !text.contains('\u{feff}') {
            return OldLines::AsParsed;
        }
        let (mut starts, mut marks) = (vec![(0, 0)], Vec::new());
        let mut chars = 0;
        for (byte, c) in text.char_indices() {
            if chars % MARK == 0 {
                marks.push(byte);
            }
            chars += 1;
            if c == '\n' && byte + 1 < text.len() {
                starts.push((byte + 1, chars));
            }
        }
        if text.is_empty() {
            starts.clear();
        }
        OldLines::Indexed {
            starts,
            marks,
            chars,
        }
    }

    /// The byte where `pos` is, if its line has that many columns.
    fn byte_of(&self, text: &str, pos: Pos) -> Option<usize> {
        let OldLines::Indexed {
            starts,
            marks,
            chars,
        } = self
        else {
            unreachable!("only an indexed text is searched by line and column")
        };
        let line = pos.line as usize - 1;
        let (_, first) = *starts.get(line)?;
        // The line's `\n`, or the end of the text.
        let end = starts.get(line + 1).map_or(*chars, |&(_, next)| next - 1);
        let target = first + pos.col as usize - 1;
        if target >= end {
            return None;
        }
        let from = marks[target / MARK];
        let skip = target % MARK;
        text[from..].char_indices().nth(skip).map(|(i, _)| from + i)
    }
}

/// Records the node `src` has just peeked, whole.
fn capture<'a, S: Source<'a>>(src: &mut S) -> Result<Captured<'a>, Fail> {
    peeked(src, true)?;
    let first = src.take();
    if !first.is_start() {
        return Ok(Captured::One(first));
    }
    let mut events = vec![first];
    let mut open = 1;
    while open > 0 {
        peeked(src, true)?;
        let ev = src.take();
        if ev.is_start() {
            open += 1;
        } else if ev.is_end() {
            open -= 1;
        }
        events.push(ev);
    }
    Ok(Captured::Many(events))
}

/// A key is read as a string: a collection or a null cannot be one.
fn key_of(key: Captured<'_>) -> Result<(Key, KeyClass), Fail> {
    let ev = match key {
        Captured::One(ev) if ev.kind == Kind::Scalar => ev,
        Captured::One(ev) => {
            return Err(Fail::new(
                ev.loc.pos,
                "Recursive reference not allowed here",
            ));
        }
        Captured::Many(events) => {
            return Err(Fail::new(events[0].loc.pos, "expected string scalar"));
        }
    };
    let class = KeyClass::of(&ev.value, ev.tag, ev.style, ev.raw_tag.as_deref());
    let pos = ev.reference().pos;
    let name = scalar::key(ev.value, ev.tag, ev.style)
        .map_err(|message| Fail::new(ev.loc.pos, message))?
        .into_owned();
    Ok((Key { name, pos }, class))
}

const NOT_MAPPINGS: &str = "YAML merge value must be mapping or sequence of mappings";

/// The entries a merge key's value brings in: a mapping, a list of them
/// (nested lists too), or null for none. The list's items are read one by
/// one, and each is checked before the next is read.
fn merge_value<'a, S: Source<'a>>(src: &mut S) -> Result<Vec<Entry<'a>>, Fail> {
    let ev = peeked(src, false)?;
    let reference = ev.reference();
    match ev.kind {
        Kind::Scalar if scalar::is_null(ev.tag, &ev.value, ev.style) => {
            src.take();
            Ok(Vec::new())
        }
        Kind::MapStart => merged(capture(src)?.into_vec(), reference),
        Kind::SeqStart => {
            src.take();
            let mut entries = Vec::new();
            loop {
                let ev = peeked(src, false)?;
                if ev.kind == Kind::SeqEnd {
                    src.take();
                    return Ok(entries);
                }
                let reference = ev.reference();
                entries.extend(merged(capture(src)?.into_vec(), reference)?);
            }
        }
        _ => Err(Fail::new(ev.loc.pos, NOT_MAPPINGS)),
    }
}

/// [`merge_value`] on a recorded value, whose nodes are placed at `reference`.
fn merged<'a>(events: Vec<Ev<'a>>, reference: Loc) -> Result<Vec<Entry<'a>>, Fail> {
    let mut src = Replay::merged(events, reference);
    let ev = peeked(&mut src, false)?;
    match ev.kind {
        Kind::Scalar if scalar::is_null(ev.tag, &ev.value, ev.style) => Ok(Vec::new()),
        Kind::MapStart => {
            src.take();
            let mut entries = Vec::new();
            let mut nested = Vec::new();
            while peeked(&mut src, false)?.kind != Kind::MapEnd {
                let key = capture(&mut src)?;
                if key.is_merge_key() {
                    nested.extend(merge_value(&mut src)?);
                } else {
                    let value = capture(&mut src)?.into_vec();
                    entries.push(Entry { key, value });
                }
            }
            entries.extend(nested);
            Ok(entries)
        }
        Kind::SeqStart => merge_value(&mut src),
        _ => Err(Fail::new(ev.loc.pos, NOT_MAPPINGS)),
    }
}
