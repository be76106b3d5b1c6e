//! Resource limits for untrusted input, in one place.
//!
//! A brief is a few kilobytes; a month's digest a few hundred. The limits sit
//! far above honest use and far below what would take a second of CPU or
//! hundreds of megabytes of memory, so hostile input (alias bombs, deep
//! nesting, huge files) fails fast with a clear message. The README's
//! "Limits" section documents them; raising one means editing this file.

/// Largest source file read, in bytes (checked before reading).
pub const MAX_FILE_BYTES: u64 = 8 * 1024 * 1024;
/// Largest single text (a point, why in news, an answer), in bytes.
pub const MAX_TEXT_BYTES: usize = 32 * 1024;
/// Largest image file.
pub const MAX_IMAGE_BYTES: u64 = 5 * 1024 * 1024;
/// A point longer than this (in characters) gets a "very long point" warning.
pub const LONG_POINT_CHARS: usize = 600;
/// Deepest nesting of inline markup (`**`, `*`, links, `<sup>`, `<sub>`)
/// kept as structure; deeper markup keeps its text, flat. Every pass over a
/// text recurses, so this bounds the stack whatever a 32 KiB text holds.
pub const MAX_INLINE_DEPTH: usize = 32;
/// Most distinct key terms in one text. Each is a cloze number in 1–500, so
/// this must stay well below 500.
pub const MAX_TERMS_PER_TEXT: usize = 200;
/// Largest number of briefs in one YAML stream.
pub const MAX_DOCUMENTS_PER_FILE: usize = 5_000;
/// Largest number of YAML files one run loads.
pub const MAX_FILES: usize = 200_000;

/// The limits on one YAML file, enforced while it is parsed (`src/brief/yaml/`).
/// Counts are per file; alias expansions are counted per document.
pub mod yaml {
    /// Deepest nesting of YAML collections (a brief → key_points → point → points …),
    /// aliases expanded.
    pub const MAX_DEPTH: usize = 48;
    /// Parser events: every scalar, collection start and end, alias, document and
    /// stream marker, and every event an alias replays.
    pub const MAX_EVENTS: usize = 4_000_000;
    /// Nodes (scalars and collections), aliases expanded.
    pub const MAX_NODES: usize = 1_000_000;
    /// Total bytes of scalar text (and tag spellings), aliases expanded.
    pub const MAX_SCALAR_BYTES: usize = super::MAX_FILE_BYTES as usize * 2;
    /// Alias (`*name`) uses.
    pub const MAX_ALIASES: usize = 1_000;
    /// Anchor (`&name`) definitions.
    pub const MAX_ANCHORS: usize = 1_000;
    /// Events replayed by aliases in one document: an alias bomb stops here.
    pub const MAX_ALIAS_EXPANSION_EVENTS: usize = 100_000;
    /// Merge keys (`<<`).
    pub const MAX_MERGE_KEYS: usize = 10_000;
    /// Events copied into anchors while they are recorded (an event inside
    /// nested anchors is copied once for each).
    pub const MAX_ANCHOR_COPIES: usize = 1_000_000;
    /// Bytes of text copied into anchors (texts the parser had to rewrite, and tags).
    pub const MAX_ANCHOR_COPY_BYTES: usize = 64 * 1024 * 1024;
    /// From this many aliases on, a file must define at least one anchor for
    /// every [`MAX_ALIASES_PER_ANCHOR`] aliases.
    pub const ALIAS_RATIO_FROM: usize = 100;
    /// See [`ALIAS_RATIO_FROM`].
    pub const MAX_ALIASES_PER_ANCHOR: usize = 10;
    /// Longest implicit mapping key the scanner looks ahead for, in characters.
    pub const MAX_SIMPLE_KEY_CHARS: usize = 1_024;
    /// Nesting of block collections the parser itself accepts; deeper input is
    /// refused by [`MAX_DEPTH`] first, with the clearer message.
    pub const PARSER_BLOCK_NESTING: usize = 255;

    /// A YAML limit, named in words for messages.
    #[derive(Clone, Copy, Debug, PartialEq, Eq)]
    pub enum Limit {
        Events,
        Nodes,
        ScalarBytes,
        Depth,
        Documents,
        Aliases,
        Anchors,
        AliasExpansions,
        MergeKeys,
        AnchorCopies,
        AnchorCopyBytes,
        AliasRatio,
    }

    impl Limit {
        /// The limit in words, for "limit reached: …".
        pub fn describe(self) -> &'static str {
            match self {
                Limit::Events => "4,000,000 parser events",
                Limit::Nodes => "1,000,000 nodes",
                Limit::ScalarBytes => "16 MiB of text",
                Limit::Depth => "48 levels of nesting",
                Limit::Documents => "5,000 documents per file",
                Limit::Aliases => "1,000 aliases",
                Limit::Anchors => "1,000 anchors",
                Limit::AliasExpansions => "100,000 alias expansions",
                Limit::MergeKeys => "10,000 merge keys",
                Limit::AnchorCopies => "1,000,000 events copied into anchors",
                Limit::AnchorCopyBytes => "64 MiB of text copied into anchors",
                Limit::AliasRatio => "10 aliases per anchor",
            }
        }
    }
}

/// `1.5 MiB`-style sizes for messages.
pub fn human_bytes(n: u64) -> String {
    const KIB: f64 = 1024.0;
    let n = n as f64;
    if n >= KIB * KIB {
        format!("{:.1} MiB", n / KIB / KIB)
    } else if n >= KIB {
        format!("{:.1} KiB", n / KIB)
    } else {
        format!("{n} bytes")
    }
}

#[cfg(test)]
mod tests {
    use super::yaml::*;

    /// The words in messages say what the constants are.
    #[test]
    fn yaml_limits_are_described_by_their_values() {
        let with_commas = |n: usize| {
            let digits = n.to_string();
            let mut out = String::new();
            for (i, c) in digits.chars().enumerate() {
                if i > 0 && (digits.len() - i).is_multiple_of(3) {
                    out.push(',');
                }
                out.push(c);
            }
            out
        };
        for (limit, value) in [
            (Limit::Events, MAX_EVENTS),
            (Limit::Nodes, MAX_NODES),
            (Limit::Depth, MAX_DEPTH),
            (Limit::Documents, super::MAX_DOCUMENTS_PER_FILE),
            (Limit::Aliases, MAX_ALIASES),
            (Limit::Anchors, MAX_ANCHORS),
            (Limit::AliasExpansions, MAX_ALIAS_EXPANSION_EVENTS),
            (Limit::MergeKeys, MAX_MERGE_KEYS),
            (Limit::AnchorCopies, MAX_ANCHOR_COPIES),
            (Limit::AliasRatio, MAX_ALIASES_PER_ANCHOR),
            (Limit::ScalarBytes, MAX_SCALAR_BYTES >> 20),
            (Limit::AnchorCopyBytes, MAX_ANCHOR_COPY_BYTES >> 20),
        ] {
            let words = limit.describe();
            assert!(words.starts_with(&with_commas(value)), "{words}");
        }
    }
}
