//! Checks that need more than one brief at a time.

use super::Brief;
use crate::diagnostic::{Diagnostic, Report};
use std::collections::HashMap;

/// Brief ids must be unique across all sources; each later use is an error
/// that names the first.
pub fn across_briefs(briefs: &[Brief], report: &mut Report) {
    let mut first: HashMap<&str, &Brief> = HashMap::with_capacity(briefs.len());
    for b in briefs {
        match first.get(b.id.as_str()) {
            Some(f) => report.push(
                Diagnostic::error(
                    "duplicate-id",
                    &b.file,
                    b.pos,
                    format!("duplicate brief id `{}`", b.id),
                )
                .with_related(&f.file, f.pos, "first used here")
                .with_help("give one of them a different `id:`"),
            ),
            None => {
                first.insert(&b.id, b);
            }
        }
    }
}
