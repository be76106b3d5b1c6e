//! The EPUB 3 revision booklet.

use crate::brief::Brief;
use crate::cli::GroupBy;
use crate::export::BuildTime;
use std::io::Write;

pub struct EpubOptions {
    pub title: String,
    pub author: String,
    pub publisher: Option<String>,
    pub language: String,
    pub group_by: GroupBy,
    pub build_time: BuildTime,
}

/// Writes the booklet for `briefs` to `out`.
pub fn write(
    _briefs: &[Brief],
    _options: &EpubOptions,
    _out: &mut dyn Write,
) -> anyhow::Result<()> {
    anyhow::bail!("the EPUB exporter is not written yet")
}
