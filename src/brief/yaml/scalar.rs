//! What a scalar means: its tag, what it becomes as a value and as a key.
//!
//! These are serde-saphyr 2.2's rules for an untyped target (`deserialize_any`,
//! and `deserialize_string` for keys), with the options we used (strict
//! booleans, no legacy octal, non-finite floats refused), so that the builder
//! types every scalar exactly as the deserializer did: YAML 1.2 core schema,
//! plain scalars only, explicit core tags obeyed.

use serde_saphyr::granit_parser::{ScalarStyle, Tag as ParsedTag};
use std::borrow::Cow;

const YAML_NAMESPACE: &str = "tag:yaml.org,2002:";

/// A node's tag, as far as it changes what the node means.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) enum Tag {
    None,
    Int,
    Float,
    Bool,
    Null,
    Seq,
    Map,
    Timestamp,
    /// The robotics extensions (`!time`, `!degrees`, `!radians`): recognised
    /// and refused, as serde-saphyr does without its `robotics` feature.
    Robotics,
    Binary,
    Str,
    Merge,
    Value,
    /// `!`: keeps the text as a string.
    NonSpecific,
    Include,
    /// Any other tag: ignored, the node is read as if untagged.
    Other,
}

/// What kind of node a tag is written on.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) enum NodeKind {
    Scalar,
    Seq,
    Map,
}

impl Tag {
    pub(super) fn of(tag: &ParsedTag) -> Tag {
        if is_include(tag) {
            return Tag::Include;
        }
        if let Some(core) = tag.core_suffix().and_then(core_tag) {
            return core;
        }
        if let Some(name) = tag.suffix_in_namespace(YAML_NAMESPACE) {
            return match name.as_ref() {
                "merge" => Tag::Merge,
                "value" => Tag::Value,
                name => named(name.strip_prefix('!').unwrap_or(name)),
            };
        }
        let Some(suffix) = tag.suffix_in_namespace("!") else {
            return Tag::Other;
        };
        match suffix.as_ref() {
            "" | "!" => Tag::NonSpecific,
            "!timestamp" => Tag::Timestamp,
            "!binary" => Tag::Binary,
            name => match name.strip_prefix('!') {
                Some(name) => core_tag(name).unwrap_or(Tag::Other),
                None => named(name),
            },
        }
    }

    /// Whether the tag may be written on this kind of node; `!!str [a]` is an error.
    pub(super) fn fits(self, kind: NodeKind) -> bool {
        match self {
            Tag::Seq => kind == NodeKind::Seq,
            Tag::Map => kind == NodeKind::Map,
            Tag::None | Tag::NonSpecific | Tag::Other => true,
            _ => kind == NodeKind::Scalar,
        }
    }

    fn forces_string(self) -> bool {
        matches!(self, Tag::Str | Tag::NonSpecific)
    }

    fn can_be_string(self) -> bool {
        matches!(
            self,
            Tag::None
                | Tag::Str
                | Tag::Merge
                | Tag::Value
                | Tag::Other
                | Tag::Include
                | Tag::NonSpecific
        )
    }

    fn is_core(self) -> bool {
        matches!(
            self,
            Tag::Int | Tag::Float | Tag::Bool | Tag::Null | Tag::Seq | Tag::Map | Tag::Str
        )
    }
}

/// `!include`, `!!include` and `!!!include`, with or without a `#fragment`.
fn is_include(tag: &ParsedTag) -> bool {
    [
        "!include",
        "tag:yaml.org,2002:include",
        "tag:yaml.org,2002:!include",
    ]
    .iter()
    .any(|prefix| {
        tag.suffix_in_namespace(prefix)
            .is_some_and(|rest| rest.is_empty() || rest.starts_with('#'))
    })
}

fn core_tag(suffix: &str) -> Option<Tag> {
    Some(match suffix {
        "null" => Tag::Null,
        "bool" => Tag::Bool,
        "int" => Tag::Int,
        "float" => Tag::Float,
        "map" => Tag::Map,
        "seq" => Tag::Seq,
        "str" => Tag::Str,
        _ => return None,
    })
}

fn named(name: &str) -> Tag {
    match name {
        "timestamp" => Tag::Timestamp,
        "time" | "degrees" | "radians" => Tag::Robotics,
        "binary" => Tag::Binary,
        "include" => Tag::Include,
        other => core_tag(other).unwrap_or(Tag::Other),
    }
}

/// What a value scalar is.
pub(super) enum Resolved<'a> {
    Null,
    Str(Cow<'a, str>),
    /// A number or boolean; the tree keeps it as written, this is the fallback.
    Other(Number),
}

pub(super) enum Number {
    Bool(bool),
    Signed(i64),
    Unsigned(u64),
    Float(f64),
}

impl std::fmt::Display for Number {
    fn fmt(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
        match self {
            Number::Bool(b) => b.fmt(f),
            Number::Signed(n) => n.fmt(f),
            Number::Unsigned(n) => n.fmt(f),
            Number::Float(x) => x.fmt(f),
        }
    }
}

/// Types a value scalar. Errors are messages; the place is the scalar's own.
pub(super) fn resolve(
    value: Cow<'_, str>,
    tag: Tag,
    style: ScalarStyle,
) -> Result<Resolved<'_>, String> {
    match tag {
        Tag::Null => return Ok(Resolved::Null),
        Tag::Bool => {
            return bool12(&value)
                .map(|b| Resolved::Other(Number::Bool(b)))
                .ok_or_else(|| "invalid boolean (true or false expected)".into());
        }
        Tag::Int if trim(&value).starts_with('-') => {
            return signed(&value)
                .and_then(|n| i64::try_from(n).ok())
                .map(|n| Resolved::Other(Number::Signed(n)))
                .ok_or_else(|| "invalid i64".into());
        }
        Tag::Int => {
            return unsigned(&value)
                .and_then(|n| u64::try_from(n).ok())
                .map(|n| Resolved::Other(Number::Unsigned(n)))
                .ok_or_else(|| "invalid u64".into());
        }
        Tag::Float => {
            let x = float(&value, tag).ok_or("invalid floating point")?;
            return finite(x, &value);
        }
        Tag::Robotics => return Err("invalid floating point".into()),
        _ => {}
    }
    if is_null(tag, &value, style) {
        return Ok(Resolved::Null);
    }
    if style != ScalarStyle::Plain || !tag.can_be_string() || tag.forces_string() {
        return Ok(Resolved::Str(string(value, tag)?));
    }
    if let Some(b) = bool12(&value) {
        return Ok(Resolved::Other(Number::Bool(b)));
    }
    let t = trim(&value);
    let digits = t.strip_prefix(['+', '-']).unwrap_or(t);
    // `0X1F` and `-.nan` are strings in the core schema.
    if matches!(digits.as_bytes(), [b'0', b'X' | b'O' | b'B', ..]) || is_signed_nan(t) {
        return Ok(Resolved::Str(value));
    }
    if t.starts_with('-') {
        if !leading_zero_decimal(t)
            && let Some(n) = signed(t).and_then(|n| i64::try_from(n).ok())
        {
            return Ok(Resolved::Other(Number::Signed(n)));
        }
    } else if let Some(n) = unsigned(t).and_then(|n| u64::try_from(n).ok()) {
        return Ok(Resolved::Other(Number::Unsigned(n)));
    }
    if let Some(x) = float(&value, tag) {
        return finite(x, &value);
    }
    Ok(Resolved::Str(value))
}

/// The text of a key: keys are read as strings, so `1: x` has the key "1".
pub(super) fn key(
    value: Cow<'_, str>,
    tag: Tag,
    style: ScalarStyle,
) -> Result<Cow<'_, str>, String> {
    if (tag == Tag::Null || is_nullish(&value, style)) && !tag.forces_string() {
        return Err("null is not allowed here".into());
    }
    string(value, tag)
}

/// A scalar read as a string: `!!binary` decoded, other non-string tags refused.
fn string(value: Cow<'_, str>, tag: Tag) -> Result<Cow<'_, str>, String> {
    if tag == Tag::Binary {
        let bytes = decode_base64(&value).ok_or("invalid !!binary base64")?;
        return String::from_utf8(bytes).map(Cow::Owned).map_err(|_| {
            "!!binary scalar is not valid UTF-8 so cannot be stored into string.".into()
        });
    }
    if !tag.can_be_string() {
        return Err("cannot deserialize tagged scalar into string".into());
    }
    Ok(value)
}

/// Whether a scalar is null: `~`, `null`, `Null`, `NULL` or nothing, plain and
/// untagged (or tagged `!!null`).
pub(super) fn is_null(tag: Tag, value: &str, style: ScalarStyle) -> bool {
    tag == Tag::Null
        || (!tag.is_core()
            && !tag.forces_string()
            && !matches!(tag, Tag::Binary | Tag::Timestamp | Tag::Robotics)
            && is_nullish(value, style))
}

fn is_nullish(value: &str, style: ScalarStyle) -> bool {
    style == ScalarStyle::Plain && matches!(value, "" | "~" | "null" | "Null" | "NULL")
}

fn finite(x: f64, raw: &str) -> Result<Resolved<'static>, String> {
    if x.is_finite() {
        Ok(Resolved::Other(Number::Float(x)))
    } else {
        Err(format!("value `{raw}` is not a finite number"))
    }
}

/// How a key is compared with the keys a merge (`<<`) brings in: what
/// serde-saphyr's key fingerprint needs beyond the key's text.
#[derive(Clone, Debug)]
pub(super) enum KeyClass {
    /// Plain and untagged: an integer compares by value (`0x10` = `16`).
    Plain,
    /// Quoted, or tagged as a string.
    Str,
    /// `!!binary`: compares by its base64 text, not by the decoded key.
    Binary(Box<str>),
    /// An application tag: compares with the tag.
    Custom(Box<str>),
}

impl KeyClass {
    /// `raw_tag` is the tag's resolved spelling; it is only read for `Tag::Other`.
    pub(super) fn of(value: &str, tag: Tag, style: ScalarStyle, raw_tag: Option<&str>) -> Self {
        match tag {
            Tag::None if style == ScalarStyle::Plain => KeyClass::Plain,
            Tag::Binary => KeyClass::Binary(value.into()),
            Tag::Other => KeyClass::Custom(raw_tag.unwrap_or_default().into()),
            _ => KeyClass::Str,
        }
    }

    pub(super) fn fingerprint(&self, name: &str) -> Fingerprint {
        match self {
            KeyClass::Plain => {
                int_fingerprint(name).unwrap_or_else(|| Fingerprint::Text(name.to_owned(), None))
            }
            KeyClass::Str => Fingerprint::Text(name.to_owned(), None),
            KeyClass::Binary(raw) => Fingerprint::Binary(raw.clone()),
            KeyClass::Custom(tag) => Fingerprint::Text(name.to_owned(), Some(tag.clone())),
        }
    }
}

/// A key's identity for merges.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub(super) enum Fingerprint {
    Int { negative: bool, magnitude: u128 },
    Text(String, Option<Box<str>>),
    Binary(Box<str>),
}

fn int_fingerprint(value: &str) -> Option<Fingerprint> {
    let (negative, magnitude) = if trim(value).starts_with('-') {
        let n = signed(value)?;
        (n < 0, n.unsigned_abs())
    } else {
        (false, unsigned(value)?)
    };
    Some(Fingerprint::Int {
        negative,
        magnitude,
    })
}

// Numbers, read as serde-saphyr reads them.

fn trim(s: &str) -> &str {
    s.trim_matches([' ', '\t', '\r', '\n'])
}

fn bool12(s: &str) -> Option<bool> {
    match trim(s) {
        "true" | "True" | "TRUE" => Some(true),
        "false" | "False" | "FALSE" => Some(false),
        _ => None,
    }
}

fn is_signed_nan(t: &str) -> bool {
    t.strip_prefix(['+', '-'])
        .is_some_and(|rest| matches!(rest, ".nan" | ".NaN" | ".NAN"))
}

fn leading_zero_decimal(t: &str) -> bool {
    let digits = t.strip_prefix(['+', '-']).unwrap_or(t);
    digits.len() > 1 && digits.starts_with('0') && digits.bytes().all(|b| b.is_ascii_digit())
}

fn signed(s: &str) -> Option<i128> {
    let t = trim(s);
    let (negative, rest) = match (t.strip_prefix('+'), t.strip_prefix('-')) {
        (Some(rest), _) => (false, rest),
        (None, Some(rest)) => (true, rest),
        (None, None) => (false, t),
    };
    let magnitude = magnitude(rest)?;
    if negative {
        if magnitude == i128::MAX as u128 + 1 {
            Some(i128::MIN)
        } else {
            i128::try_from(magnitude).ok().map(|n| -n)
        }
    } else {
        i128::try_from(magnitude).ok()
    }
}

fn unsigned(s: &str) -> Option<u128> {
    let t = trim(s);
    if t.starts_with('-') {
        return None;
    }
    magnitude(t.strip_prefix('+').unwrap_or(t))
}

/// `0x1F`, `0o17`, `0b11` or decimal without a leading zero; `_` between digits.
fn magnitude(rest: &str) -> Option<u128> {
    let prefixes = [
        ("0x", 16),
        ("0X", 16),
        ("0o", 8),
        ("0O", 8),
        ("0b", 2),
        ("0B", 2),
    ];
    let (radix, digits) = prefixes
        .iter()
        .find_map(|&(p, radix)| rest.strip_prefix(p).map(|d| (radix, d)))
        .unwrap_or((10, rest));
    if radix == 10 && digits.starts_with('0') && digits != "0" {
        return None;
    }
    let bytes = digits.as_bytes();
    let mut value: u128 = 0;
    let mut any = false;
    for (i, &b) in bytes.iter().enumerate() {
        if b == b'_' {
            if i == 0 || bytes[i - 1] == b'_' || bytes.get(i + 1).is_none_or(|&n| n == b'_') {
                return None;
            }
            continue;
        }
        let d = (b as char).to_digit(16)?;
        if d >= radix {
            return None;
        }
        value = value
            .checked_mul(u128::from(radix))?
            .checked_add(u128::from(d))?;
        any = true;
    }
    any.then_some(value)
}

/// A YAML 1.2 float, `.inf` and `.nan` included; a literal too large for
/// `f64` (`1e999`) counts as infinite.
fn float(s: &str, tag: Tag) -> Option<f64> {
    let t = trim(s);
    if tag == Tag::Float && is_signed_nan(t) {
        return Some(f64::NAN);
    }
    let (negative, rest) = match t.strip_prefix('-') {
        Some(rest) => (true, rest),
        None => (false, t.strip_prefix('+').unwrap_or(t)),
    };
    match rest {
        ".nan" | ".NaN" | ".NAN" => return Some(f64::NAN),
        ".inf" | ".Inf" | ".INF" if negative => return Some(f64::NEG_INFINITY),
        ".inf" | ".Inf" | ".INF" => return Some(f64::INFINITY),
        _ => {}
    }
    // Rust also reads `inf` and `nan`, which YAML keeps as words: only a
    // finite result, or an overflow of something that starts with a digit.
    // (Checking the first character first spares Rust's parser most words.)
    let unsigned = t.strip_prefix(['+', '-']).unwrap_or(t);
    let numeral = unsigned.starts_with(|c: char| c.is_ascii_digit());
    if !numeral && !unsigned.starts_with('.') {
        return None;
    }
    let x = t.parse::<f64>().ok()?;
    (x.is_finite() || (x.is_infinite() && numeral)).then_some(x)
}

/// Base64 as YAML's `!!binary` has it: whitespace ignored, padding required.
fn decode_base64(s: &str) -> Option<Vec<u8>> {
    fn sextet(b: u8) -> Option<u32> {
        Some(u32::from(match b {
            b'A'..=b'Z' => b - b'A',
            b'a'..=b'z' => b - b'a' + 26,
            b'0'..=b'9' => b - b'0' + 52,
            b'+' => 62,
            b'/' => 63,
            _ => return None,
        }))
    }
    let clean: Vec<u8> = s.bytes().filter(|b| !b.is_ascii_whitespace()).collect();
    if !clean.len().is_multiple_of(4) {
        return None;
    }
    let chunks = clean.chunks_exact(4);
    let last = chunks.len().saturating_sub(1);
    let mut out = Vec::with_capacity(clean.len() / 4 * 3);
    for (i, chunk) in chunks.enumerate() {
        let pad = chunk.iter().rev().take_while(|&&c| c == b'=').count();
        if (pad > 0 && i != last) || pad > 2 {
            return None;
        }
        let (a, b) = (sextet(chunk[0])?, sextet(chunk[1])?);
        // `=` only as padding at the very end: `aG=k` is refused.
        let c = match chunk[2] {
            b'=' if pad == 2 => 0,
            other => sextet(other)?,
        };
        let d = if chunk[3] == b'=' {
            0
        } else {
            sextet(chunk[3])?
        };
        if (pad == 2 && (b & 0x0F) != 0) || (pad == 1 && (c & 0x03) != 0) {
            return None;
        }
        let triple = (a << 18) | (b << 12) | (c << 6) | d;
        out.push((triple >> 16) as u8);
        if pad < 2 {
            out.push((triple >> 8) as u8);
        }
        if pad == 0 {
            out.push(triple as u8);
        }
    }
    Some(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn value(text: &str) -> String {
        match resolve(text.into(), Tag::None, ScalarStyle::Plain) {
            Ok(Resolved::Null) => "null".into(),
            Ok(Resolved::Str(s)) => format!("str {s}"),
            Ok(Resolved::Other(n)) => format!("other {n}"),
            Err(e) => format!("error {e}"),
        }
    }

    #[test]
    fn plain_scalars_follow_the_core_schema() {
        for (text, expect) in [
            ("~", "null"),
            ("", "null"),
            ("yes", "str yes"),
            ("True", "other true"),
            ("0x1F", "other 31"),
            ("0X1F", "str 0X1F"),
            ("0o17", "other 15"),
            ("1_000", "other 1000"),
            ("007", "other 7"),
            ("-007", "other -7"),
            ("1e3", "other 1000"),
            ("-.nan", "str -.nan"),
            (".inf", "error value `.inf` is not a finite number"),
            ("1e999", "error value `1e999` is not a finite number"),
            ("inf", "str inf"),
            ("2024-01-01", "str 2024-01-01"),
        ] {
            assert_eq!(value(text), expect, "{text}");
        }
    }

    #[test]
    fn base64_needs_its_padding() {
        assert_eq!(decode_base64("aGk=").as_deref(), Some(&b"hi"[..]));
        assert_eq!(decode_base64("aGk"), None);
        assert_eq!(decode_base64("aG=k"), None);
        assert_eq!(decode_base64("aGl\n0").as_deref(), Some(&b"hit"[..]));
    }
}
