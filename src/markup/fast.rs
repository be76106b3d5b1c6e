//! A fast path for the texts most briefs are made of: one line of words with
//! `**bold**` key terms and nothing else Markdown would read.
//!
//! Such a text is split at its `**` pairs directly, without pulldown-cmark.
//! The path is taken only when the result is certainly what the full parser
//! gives (a property test compares the two on hostile input); anything
//! unusual, from a backslash to a `**` that CommonMark could read either way,
//! returns `None` and goes through the full parser.

use super::{Kind, Markup, Node, block_marker_at, is_xml_char};

/// Bytes with an inline meaning in our Markdown (escapes, code, the other
/// emphasis, links, images, raw HTML, entities), line breaks and other
/// control characters. `*` is handled on its own.
const SPECIAL: [bool; 256] = {
    let mut table = [false; 256];
    let mut b = 0;
    while b < 0x20 {
        table[b] = true;
        b += 1;
    }
    table[0x7f] = true;
    let mut i = 0;
    let marks = b"\\`_[]<&";
    while i < marks.len() {
        table[marks[i] as usize] = true;
        i += 1;
    }
    table
};

/// Whether a `**` after a non-space and before `c` surely closes the one
/// open pair. Before a space, the end or ASCII punctuation (`**RBI**,`,
/// `**(RBI)**.`) the run is right-flanking, so it can close; after
/// punctuation it can open too, but the pair open before it is the nearest
/// opener, and 2 + 2 is no multiple of 3, so it closes that pair.
fn closes_before(c: Option<char>) -> bool {
    c.is_none_or(|c| c == ' ' || (c.is_ascii_punctuation() && c != '*'))
}

/// Whether a `**` after `prev` and before `next` surely opens a pair: after
/// a space, the start or an opening bracket or quote (`(**RBI**)`), and
/// before a letter or digit, it is left-flanking and not right-flanking.
/// After a space it may also come before punctuation (`**(RBI)**`).
fn opens_between(prev: Option<char>, next: Option<char>) -> bool {
    match prev {
        None | Some(' ') => next.is_some_and(|c| !c.is_whitespace()),
        Some('(' | '"' | '\'') => next.is_some_and(char::is_alphanumeric),
        Some(_) => false,
    }
}

/// Parses `source` when it takes the fast path, keeping it as the text
/// buffer without a copy; gives it back otherwise.
pub(super) fn parse(source: String) -> Result<Markup, String> {
    match nodes(&source) {
        Some(nodes) => Ok(Markup {
            source_len: source.len() as u32,
            text: source.into_boxed_str(),
            nodes,
        }),
        None => Err(source),
    }
}

/// The nodes of `source` when it takes the fast path.
fn nodes(full: &str) -> Option<Box<[Node]>> {
    // A YAML block scalar (`|`, `>`) ends with one line break, which only
    // ends the paragraph; any other line break takes the full parser.
    let source = full.strip_suffix('\n').unwrap_or(full);
    let first = source.chars().next()?;
    if !(first.is_alphanumeric() || first == '*') || block_marker_at(source).is_some() {
        return None;
    }
    if source.ends_with(char::is_whitespace) {
        return None;
    }
    let bytes = source.as_bytes();
    if !source.is_ascii() && !source.chars().all(is_xml_char) {
        return None;
    }

    let mut nodes = vec![Node {
        kind: Kind::Paragraph,
        start: 0,
        len: 0,
        end: 0,
    }];
    let leaf = |kind, start: usize, end: usize| Node {
        kind,
        start: start as u32,
        len: (end - start) as u32,
        end: 0,
    };
    let mut text_from = 0;
    let mut opened: Option<usize> = None;
    let mut i = 0;
    while i < bytes.len() {
        let at = i;
        if bytes[at] != b'*' {
            if SPECIAL[bytes[at] as usize] {
                return None;
            }
            i += 1;
            continue;
        }
        // Exactly two stars: `*x*`, `***x***` and friends take the full parser.
        if bytes.get(at + 1) != Some(&b'*') || bytes.get(at + 2) == Some(&b'*') {
            return None;
        }
        let prev = source[..at].chars().next_back();
        let next = source[at + 2..].chars().next();
        match opened {
            None => {
                if !opens_between(prev, next) {
                    return None;
                }
                if at > text_from {
                    nodes.push(leaf(Kind::Text, text_from, at));
                }
                opened = Some(at + 2);
            }
            Some(from) => {
                prev.filter(|c| !c.is_whitespace())?;
                if !closes_before(next) {
                    return None;
                }
                let strong = nodes.len();
                nodes.push(Node {
                    kind: Kind::Strong,
                    start: 0,
                    len: 0,
                    end: strong as u32 + 2,
                });
                nodes.push(leaf(Kind::Text, from, at));
                text_from = at + 2;
                opened = None;
            }
        }
        i = at + 2;
    }
    if opened.is_some() {
        // Unpaired: the full parser shows it literally and warns.
        return None;
    }
    if source.len() > text_from {
        nodes.push(leaf(Kind::Text, text_from, source.len()));
    }
    nodes[0].end = nodes.len() as u32;
    // `**Significance:**` or `**Significance**:` opening the text is a label.
    if nodes[1].kind == Kind::Strong {
        let inner = &source[nodes[2].start as usize..(nodes[2].start + nodes[2].len) as usize];
        let colon_after = nodes
            .get(3)
            .is_some_and(|n| source[n.start as usize..].starts_with(':'));
        if inner.ends_with(':') || colon_after {
            nodes[1].kind = Kind::Label;
        }
    }
    Some(nodes.into_boxed_slice())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn typical_brief_texts_take_the_fast_path() {
        for src in [
            "India and Japan held the **2+2 dialogue** in Tokyo.",
            "**Significance:** it deepens the **Special Strategic and Global Partnership**.",
            "**Significance**: the **Quad**, **ACSA** and भारत's **₹4 lakh crore** plan",
            "5G rollout under the **PLI scheme**",
            "the **Standing Net Zero Index (SNZI)**, launched in **2021**.",
            "a **(term)**.",
            "the Reserve Bank of India (**RBI**) and \"**SEBI**\"",
            "a **5**% rise in **GST**-linked items",
            "a folded YAML scalar ends with a **line break**\n",
        ] {
            assert!(parse(src.to_owned()).is_ok(), "{src}");
        }
        let m = parse("**Significance:** x **y**".to_owned()).expect("fast");
        assert!(m.starts_with_label());
        assert_eq!(m.key_terms().len(), 1);
    }

    #[test]
    fn anything_unusual_takes_the_full_parser() {
        for src in [
            "",
            " leading space",
            "trailing space ",
            "2020. The year",
            "- a list",
            "an *italic* word",
            "a **term**s glued",
            "a **(term)**s glued",
            "x(**(a)**",
            "x-**a**",
            "two\nlines",
            "two lines\n\n",
            "trailing space \n",
            "a **term",
            "***both***",
            "a\nb",
            "x & y",
            "a `code`",
            "[link](https://x.org)",
            "13<sup>th</sup>",
            "snake_case",
            "a \\*escaped\\*",
        ] {
            assert!(parse(src.to_owned()).is_err(), "{src:?}");
        }
    }
}
