//! Resource limits for untrusted input, in one place.
//!
//! A brief is a few kilobytes; a month's digest a few hundred. The limits sit
//! far above honest use and far below what would take a second of CPU or
//! hundreds of megabytes of memory, so hostile input (alias bombs, deep
//! nesting, huge files) fails fast with a clear message. The README's
//! "Limits" section documents them; raising one means editing this file.

use serde_saphyr::Budget;
use serde_saphyr::options::AliasLimits;

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
/// Deepest nesting of YAML collections (a brief → key_points → point → points …).
pub const MAX_YAML_DEPTH: usize = 48;
/// Largest number of briefs in one YAML stream.
pub const MAX_DOCUMENTS_PER_FILE: usize = 5_000;
/// Largest number of YAML files one run loads.
pub const MAX_FILES: usize = 200_000;

/// The serde-saphyr budget applied to every file.
pub fn yaml_budget() -> Budget {
    let mut b = Budget::default();
    b.max_reader_input_bytes = Some(MAX_FILE_BYTES as usize);
    b.max_depth = MAX_YAML_DEPTH;
    b.flow_nesting_limit = MAX_YAML_DEPTH;
    b.max_documents = MAX_DOCUMENTS_PER_FILE;
    b.max_nodes = 1_000_000;
    b.max_events = 4_000_000;
    b.max_aliases = 1_000;
    b.max_anchors = 1_000;
    b.max_total_scalar_bytes = MAX_FILE_BYTES as usize * 2;
    b
}

/// Aliases may be replayed, but not exponentially.
pub fn alias_limits() -> AliasLimits {
    let mut a = AliasLimits::default();
    a.max_total_replayed_events = 100_000;
    a.max_replay_stack_depth = 16;
    a
}

/// Names a breached budget field in words.
pub fn describe_breach(kind: &str) -> &'static str {
    match kind {
        "Events" => "4,000,000 parser events",
        "Aliases" => "1,000 aliases",
        "Anchors" => "1,000 anchors",
        "Depth" => "48 levels of nesting",
        "Documents" => "5,000 documents per file",
        "Nodes" => "1,000,000 nodes",
        "ScalarBytes" => "16 MiB of text",
        _ => "an internal parser limit",
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
