//! Events for the builder: granit-parser's events with the limits counted,
//! anchors recorded and aliases replayed, as serde-saphyr's `LiveEvents` and
//! `BudgetEnforcer` did, so that every input fails at the same place.
//!
//! An alias is expanded where it is used: the events recorded for its anchor
//! are served again, each marked with the alias's place ([`Origin::Alias`]),
//! which is where the tree puts the copy.

use super::Fail;
use super::scalar::{NodeKind, Tag};
use crate::diagnostic::Pos;
use crate::limits::MAX_DOCUMENTS_PER_FILE;
use crate::limits::yaml::{self as limits, Limit};
use serde_saphyr::granit_parser::{
    ErrorKind, Event, Options, Parser, ScalarStyle, ScanError, Span, StrInput, Tag as ParsedTag,
};
use std::borrow::Cow;
use std::collections::HashSet;
use std::rc::Rc;

/// Where an event starts: line, column and length for messages, the byte
/// offset for reading a number back as written.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) struct Loc {
    pub pos: Pos,
    pub byte: usize,
}

impl Loc {
    fn of(span: &Span) -> Loc {
        let clamp = |n: usize| n.clamp(1, u32::MAX as usize) as u32;
        Loc {
            pos: Pos::new(
                clamp(span.start.line()),
                clamp(span.start.col() + 1),
                clamp(span.end.index().saturating_sub(span.start.index())),
            ),
            byte: span.start.byte_offset().unwrap_or(usize::MAX),
        }
    }
}

/// Why an event is served somewhere other than where it is written.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) enum Origin {
    Direct,
    /// Replayed for the alias at this place.
    Alias(Loc),
    /// Brought into a mapping by the merge key whose value starts here.
    Merge(Loc),
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) enum Kind {
    Scalar,
    SeqStart,
    SeqEnd,
    MapStart,
    MapEnd,
    /// An alias to an anchor whose node is not finished (`&a [*a]`): an error
    /// wherever it is read as a value.
    RecursiveAlias,
}

#[derive(Clone, Debug)]
pub(super) struct Ev<'a> {
    pub kind: Kind,
    /// The text of a scalar; empty for other events.
    pub value: Cow<'a, str>,
    pub style: ScalarStyle,
    pub tag: Tag,
    /// The tag's resolved spelling, kept for tagged nodes only.
    pub raw_tag: Option<Box<str>>,
    /// Where the event is written.
    pub loc: Loc,
    pub origin: Origin,
}

impl Ev<'_> {
    /// Where the node is used: the alias or merge it came through, else its own place.
    pub(super) fn reference(&self) -> Loc {
        match self.origin {
            Origin::Alias(at) | Origin::Merge(at) => at,
            Origin::Direct => self.loc,
        }
    }

    /// The alias this node is a copy of: errors inside it are reported there.
    pub(super) fn alias(&self) -> Option<Pos> {
        match self.origin {
            Origin::Alias(at) => Some(at.pos),
            Origin::Direct | Origin::Merge(_) => None,
        }
    }

    pub(super) fn is_start(&self) -> bool {
        matches!(self.kind, Kind::SeqStart | Kind::MapStart)
    }

    pub(super) fn is_end(&self) -> bool {
        matches!(self.kind, Kind::SeqEnd | Kind::MapEnd)
    }

    /// Bytes an anchor's copy of this event owns (borrowed text is not copied).
    fn owned_bytes(&self) -> usize {
        let value = match &self.value {
            Cow::Owned(s) => s.len(),
            Cow::Borrowed(_) => 0,
        };
        value + self.raw_tag.as_deref().map_or(0, str::len)
    }
}

/// Events the builder reads: the live parser, or a replay of recorded events.
pub(super) trait Source<'a> {
    /// The next event, not taken. `capture` is set while a node is recorded
    /// whole (a key, a merge value): only then may it hold a recursive alias.
    fn peek(&mut self, capture: bool) -> Result<Option<&Ev<'a>>, Fail>;
    /// Takes the event the last `peek` returned.
    fn take(&mut self) -> Ev<'a>;
}

fn refuse_recursive(ev: Option<&Ev<'_>>, capture: bool) -> Result<(), Fail> {
    match ev {
        Some(ev) if ev.kind == Kind::RecursiveAlias && !capture => Err(Fail::new(
            ev.loc.pos,
            "Recursive reference not allowed here",
        )),
        _ => Ok(()),
    }
}

/// Recorded events served again, last first.
pub(super) struct Replay<'a> {
    rev: Vec<Ev<'a>>,
}

impl<'a> Replay<'a> {
    pub(super) fn new(mut events: Vec<Ev<'a>>) -> Self {
        events.reverse();
        Replay { rev: events }
    }

    /// A merge's value: what it brings in is placed at `reference`, except
    /// copies of aliases, which keep their alias's place.
    pub(super) fn merged(mut events: Vec<Ev<'a>>, reference: Loc) -> Self {
        for ev in &mut events {
            if ev.alias().is_none() {
                ev.origin = Origin::Merge(reference);
            }
        }
        Replay::new(events)
    }
}

impl<'a> Source<'a> for Replay<'a> {
    fn peek(&mut self, capture: bool) -> Result<Option<&Ev<'a>>, Fail> {
        refuse_recursive(self.rev.last(), capture)?;
        Ok(self.rev.last())
    }

    fn take(&mut self) -> Ev<'a> {
        self.rev.pop().expect("take after peek")
    }
}

/// The parser, with the limits of `limits::yaml` and alias expansion.
pub(super) struct Live<'a> {
    parser: Parser<'a, StrInput<'a>>,
    look: Option<Ev<'a>>,
    counts: Counts,
    /// Recorded nodes by anchor id, for this document.
    anchors: Vec<Option<Rc<[Ev<'a>]>>>,
    /// Anchored collections still being read, innermost last.
    recording: Vec<Recording<'a>>,
    replay: Option<Replaying<'a>>,
    /// Events replayed in this document.
    replayed: usize,
    /// The last parser event's place: where a limit checked at the end is reported.
    last: Loc,
}

struct Recording<'a> {
    anchor: usize,
    /// Collections open inside it, itself included.
    depth: usize,
    events: Vec<Ev<'a>>,
}

struct Replaying<'a> {
    events: Rc<[Ev<'a>]>,
    next: usize,
    alias: Loc,
}

impl<'a> Live<'a> {
    pub(super) fn new(text: &'a str) -> Self {
        let mut options = Options::default();
        options.simple_key_max_lookahead = limits::MAX_SIMPLE_KEY_CHARS;
        options.flow_nesting_limit = limits::MAX_DEPTH;
        options.block_nesting_limit = limits::PARSER_BLOCK_NESTING.max(limits::MAX_DEPTH + 1);
        options.emit_comments = false;
        Live {
            parser: Parser::with_options(StrInput::new(text), options),
            look: None,
            counts: Counts::default(),
            anchors: Vec::new(),
            recording: Vec::new(),
            replay: None,
            replayed: 0,
            last: Loc {
                pos: Pos::new(1, 1, 1),
                byte: 0,
            },
        }
    }

    /// Checks what can only be checked at the end of the stream.
    pub(super) fn finish(&self) -> Result<(), Fail> {
        let c = &self.counts;
        if c.aliases >= limits::ALIAS_RATIO_FROM
            && (c.anchors.is_empty()
                || c.aliases > limits::MAX_ALIASES_PER_ANCHOR * c.anchors.len())
        {
            return Err(Fail::limit(self.last.pos, Limit::AliasRatio));
        }
        Ok(())
    }

    fn pull(&mut self) -> Result<Option<Ev<'a>>, Fail> {
        loop {
            if let Some(ev) = self.replayed()? {
                return Ok(Some(ev));
            }
            let Some(item) = self.parser.next() else {
                return Ok(None);
            };
            let (event, span) = item.map_err(scan_error)?;
            let loc = Loc::of(&span);
            self.last = loc;
            let tag = match &event {
                Event::Scalar(_, _, _, Some(tag))
                | Event::SequenceStart(_, _, Some(tag))
                | Event::MappingStart(_, _, Some(tag)) => Some(tag.as_ref()),
                _ => None,
            };
            let kind = tag.map_or(Tag::None, Tag::of);
            if !matches!(event, Event::Alias(_)) {
                self.counts
                    .parsed(&event, kind)
                    .map_err(|limit| Fail::limit(loc.pos, limit))?;
            }
            // Read for nodes only.
            let node_kind = match event {
                Event::Scalar(..) => NodeKind::Scalar,
                Event::SequenceStart(..) => NodeKind::Seq,
                _ => NodeKind::Map,
            };
            if let Some(tag) = tag {
                check_tag(tag, kind, node_kind, loc)?;
            }
            let mut ev = Ev {
                kind: Kind::Scalar,
                value: Cow::Borrowed(""),
                style: ScalarStyle::Plain,
                tag: kind,
                raw_tag: tag.map(|t| t.to_string().into_boxed_str()),
                loc,
                origin: Origin::Direct,
            };
            match event {
                Event::Scalar(value, style, anchor, _) => {
                    (ev.value, ev.style) = (value, style);
                    self.record(&ev)?;
                    if anchor != 0 {
                        self.copy(&ev)?;
                        self.store(anchor, Rc::from([ev.clone()]));
                    }
                }
                Event::SequenceStart(_, anchor, _) | Event::MappingStart(_, anchor, _) => {
                    ev.kind = match node_kind {
                        NodeKind::Seq => Kind::SeqStart,
                        _ => Kind::MapStart,
                    };
                    self.start(&ev, anchor)?;
                }
                Event::SequenceEnd | Event::MappingEnd => {
                    ev.kind = match event {
                        Event::SequenceEnd => Kind::SeqEnd,
                        _ => Kind::MapEnd,
                    };
                    self.record(&ev)?;
                    self.end();
                }
                Event::Alias(anchor) => {
                    self.counts
                        .alias()
                        .map_err(|limit| Fail::limit(loc.pos, limit))?;
                    if self.recording.iter().any(|r| r.anchor == anchor) {
                        ev.kind = Kind::RecursiveAlias;
                        self.record(&ev)?;
                    } else {
                        let Some(events) = self.anchors.get(anchor).cloned().flatten() else {
                            return Err(Fail::new(loc.pos, "reference to unknown value"));
                        };
                        self.replay = Some(Replaying {
                            events,
                            next: 0,
                            alias: loc,
                        });
                        continue;
                    }
                }
                Event::DocumentStart(..) | Event::DocumentEnd => {
                    // Anchors and expansion counts are per document.
                    self.replay = None;
                    self.recording.clear();
                    self.anchors.clear();
                    self.replayed = 0;
                    continue;
                }
                Event::StreamStart | Event::StreamEnd => continue,
                _ => return Err(Fail::new(loc.pos, "unsupported event from granit-parser")),
            }
            return Ok(Some(ev));
        }
    }

    /// The next event of the alias being expanded, if any.
    fn replayed(&mut self) -> Result<Option<Ev<'a>>, Fail> {
        let Some(r) = &mut self.replay else {
            return Ok(None);
        };
        let Some(ev) = r.events.get(r.next) else {
            self.replay = None;
            return Ok(None);
        };
        let ev = ev.clone();
        r.next += 1;
        let alias = r.alias;
        self.replayed += 1;
        if self.replayed > limits::MAX_ALIAS_EXPANSION_EVENTS {
            return Err(Fail::limit(ev.loc.pos, Limit::AliasExpansions));
        }
        self.counts
            .replayed(&ev)
            .map_err(|limit| Fail::limit(alias.pos, limit))?;
        self.record(&ev)?;
        Ok(Some(Ev {
            origin: Origin::Alias(alias),
            ..ev
        }))
    }

    /// A collection starts: it may open a recording of its own.
    fn start(&mut self, ev: &Ev<'a>, anchor: usize) -> Result<(), Fail> {
        for r in &mut self.recording {
            r.depth += 1;
        }
        if anchor != 0 {
            self.copy(ev)?;
            self.record(ev)?;
            self.recording.push(Recording {
                anchor,
                depth: 1,
                events: vec![ev.clone()],
            });
            Ok(())
        } else {
            self.record(ev)
        }
    }

    /// A collection ends: the recordings it closes become anchors.
    fn end(&mut self) {
        for r in &mut self.recording {
            r.depth -= 1;
        }
        while self.recording.last().is_some_and(|r| r.depth == 0) {
            let done = self.recording.pop().expect("checked");
            self.store(done.anchor, done.events.into());
        }
    }

    fn store(&mut self, anchor: usize, events: Rc<[Ev<'a>]>) {
        if anchor >= self.anchors.len() {
            self.anchors.resize(anchor + 1, None);
        }
        self.anchors[anchor] = Some(events);
    }

    /// Copies `ev` into every anchor being recorded.
    fn record(&mut self, ev: &Ev<'a>) -> Result<(), Fail> {
        for i in 0..self.recording.len() {
            self.copy(ev)?;
            self.recording[i].events.push(ev.clone());
        }
        Ok(())
    }

    /// Counts one copy of `ev` into an anchor.
    fn copy(&mut self, ev: &Ev<'a>) -> Result<(), Fail> {
        let at = self.replay.as_ref().map_or(ev.loc, |r| r.alias);
        self.counts
            .copied(ev.owned_bytes())
            .map_err(|limit| Fail::limit(at.pos, limit))
    }
}

impl<'a> Source<'a> for Live<'a> {
    fn peek(&mut self, capture: bool) -> Result<Option<&Ev<'a>>, Fail> {
        if self.look.is_none() {
            self.look = self.pull()?;
        }
        refuse_recursive(self.look.as_ref(), capture)?;
        Ok(self.look.as_ref())
    }

    fn take(&mut self) -> Ev<'a> {
        self.look.take().expect("take after peek")
    }
}

/// `!!str [a]`: a tag that does not fit its node is an error where the node is.
fn check_tag(tag: &ParsedTag, kind: Tag, node: NodeKind, at: Loc) -> Result<(), Fail> {
    if kind.fits(node) {
        Ok(())
    } else if kind == Tag::Include {
        Err(Fail::new(
            at.pos,
            "!include currently only supports the scalar form: !include <path>",
        ))
    } else {
        Err(Fail::new(
            at.pos,
            format!("unsupported tag `{}`", tag.original()),
        ))
    }
}

fn scan_error(e: ScanError) -> Fail {
    let mark = e.marker();
    let clamp = |n: usize| n.clamp(1, u32::MAX as usize) as u32;
    let pos = Pos::new(clamp(mark.line()), clamp(mark.col() + 1), 1);
    match e.kind() {
        ErrorKind::UnknownAnchor => Fail::new(pos, "reference to unknown value"),
        _ => Fail::new(pos, e.info()),
    }
}

/// What the limits count. The rules are serde-saphyr's: every parser event
/// and every replayed one counts, nodes and text include alias expansions,
/// anchors are distinct ids.
#[derive(Default)]
struct Counts {
    events: usize,
    nodes: usize,
    text_bytes: usize,
    depth: usize,
    documents: usize,
    aliases: usize,
    anchors: HashSet<usize>,
    merge_keys: usize,
    copies: usize,
    copy_bytes: usize,
    /// Open collections, to tell a mapping's keys from its values: a merge
    /// key is only counted as a key.
    open: Vec<Open>,
}

#[derive(Clone, Copy)]
struct Open {
    is_map: bool,
    /// In a mapping: whether the next node is a key.
    expecting_key: bool,
    /// Whether this collection is a mapping's value.
    is_value: bool,
}

fn over(count: usize, max: usize, limit: Limit) -> Result<(), Limit> {
    if count > max { Err(limit) } else { Ok(()) }
}

impl Counts {
    fn parsed(&mut self, event: &Event<'_>, tag: Tag) -> Result<(), Limit> {
        self.event()?;
        match event {
            Event::Scalar(value, style, anchor, parsed_tag) => {
                self.node()?;
                self.text(value.len() + tag_len(parsed_tag.as_deref()))?;
                self.anchor(*anchor)?;
                let merge_key =
                    tag == Tag::Merge || (parsed_tag.is_none() && *style == ScalarStyle::Plain);
                self.scalar(value == "<<" && merge_key)
            }
            Event::SequenceStart(_, anchor, parsed_tag)
            | Event::MappingStart(_, anchor, parsed_tag) => {
                let is_map = matches!(event, Event::MappingStart(..));
                self.enter(is_map, tag_len(parsed_tag.as_deref()))?;
                self.anchor(*anchor)
            }
            Event::SequenceEnd | Event::MappingEnd => {
                self.leave();
                Ok(())
            }
            Event::DocumentStart(..) => {
                self.documents += 1;
                over(self.documents, MAX_DOCUMENTS_PER_FILE, Limit::Documents)
            }
            _ => Ok(()),
        }
    }

    /// An event served again by an alias. Tags are not counted again, except
    /// that `!!merge` still marks a merge key (and its spelling counts).
    fn replayed(&mut self, ev: &Ev<'_>) -> Result<(), Limit> {
        self.event()?;
        match ev.kind {
            Kind::Scalar | Kind::RecursiveAlias => {
                let merge = ev.tag == Tag::Merge;
                let tag_len = if merge { MERGE_TAG_LEN } else { 0 };
                self.node()?;
                self.text(ev.value.len() + tag_len)?;
                let merge_key = merge || ev.style == ScalarStyle::Plain;
                self.scalar(ev.value == "<<" && merge_key)
            }
            Kind::SeqStart | Kind::MapStart => self.enter(ev.kind == Kind::MapStart, 0),
            Kind::SeqEnd | Kind::MapEnd => {
                self.leave();
                Ok(())
            }
        }
    }

    fn alias(&mut self) -> Result<(), Limit> {
        self.event()?;
        self.aliases += 1;
        over(self.aliases, limits::MAX_ALIASES, Limit::Aliases)
    }

    fn copied(&mut self, bytes: usize) -> Result<(), Limit> {
        self.copies += 1;
        over(self.copies, limits::MAX_ANCHOR_COPIES, Limit::AnchorCopies)?;
        self.copy_bytes = self.copy_bytes.saturating_add(bytes);
        over(
            self.copy_bytes,
            limits::MAX_ANCHOR_COPY_BYTES,
            Limit::AnchorCopyBytes,
        )
    }

    fn event(&mut self) -> Result<(), Limit> {
        self.events += 1;
        over(self.events, limits::MAX_EVENTS, Limit::Events)
    }

    fn node(&mut self) -> Result<(), Limit> {
        self.nodes += 1;
        over(self.nodes, limits::MAX_NODES, Limit::Nodes)
    }

    fn text(&mut self, bytes: usize) -> Result<(), Limit> {
        self.text_bytes = self.text_bytes.saturating_add(bytes);
        over(
            self.text_bytes,
            limits::MAX_SCALAR_BYTES,
            Limit::ScalarBytes,
        )
    }

    fn anchor(&mut self, anchor: usize) -> Result<(), Limit> {
        if anchor != 0 && self.anchors.insert(anchor) {
            over(self.anchors.len(), limits::MAX_ANCHORS, Limit::Anchors)?;
        }
        Ok(())
    }

    fn enter(&mut self, is_map: bool, tag_len: usize) -> Result<(), Limit> {
        self.node()?;
        self.depth += 1;
        over(self.depth, limits::MAX_DEPTH, Limit::Depth)?;
        self.text(tag_len)?;
        let is_value = match self.open.last_mut() {
            Some(o) if o.is_map && o.expecting_key => {
                o.expecting_key = false;
                false
            }
            Some(o) => o.is_map,
            None => false,
        };
        self.open.push(Open {
            is_map,
            expecting_key: true,
            is_value,
        });
        Ok(())
    }

    fn leave(&mut self) {
        self.depth -= 1;
        if self.open.pop().is_some_and(|o| o.is_value) {
            self.value_done();
        }
    }

    /// A scalar; `merge_key` if it would be a merge key in a key's place.
    fn scalar(&mut self, merge_key: bool) -> Result<(), Limit> {
        match self.open.last_mut() {
            Some(o) if o.is_map && o.expecting_key => {
                o.expecting_key = false;
                if merge_key {
                    self.merge_keys += 1;
                    over(self.merge_keys, limits::MAX_MERGE_KEYS, Limit::MergeKeys)?;
                }
            }
            _ => self.value_done(),
        }
        Ok(())
    }

    fn value_done(&mut self) {
        if let Some(o) = self.open.last_mut().filter(|o| o.is_map) {
            o.expecting_key = true;
        }
    }
}

/// `tag:yaml.org,2002:merge`, as serde-saphyr spells a replayed `!!merge`.
const MERGE_TAG_LEN: usize = "tag:yaml.org,2002:".len() + "merge".len();

fn tag_len(tag: Option<&ParsedTag>) -> usize {
    tag.map_or(0, |t| {
        let (handle, suffix) = t.parts();
        handle.len() + suffix.len()
    })
}
