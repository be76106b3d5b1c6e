//! What an export run did, for people (one line per output, progress on a
//! terminal) and for scripts (`--json`).

use crate::diagnostic::Diagnostic;
use serde::Serialize;
use std::path::PathBuf;

#[derive(Debug, Default, Serialize)]
pub struct RunReport {
    pub ok: bool,
    pub dry_run: bool,
    pub inputs: Inputs,
    pub outputs: Vec<OutputReport>,
    pub warnings: Vec<Diagnostic>,
    pub timings: Timings,
}

#[derive(Debug, Default, Serialize)]
pub struct Inputs {
    pub paths: Vec<PathBuf>,
    pub config: Option<PathBuf>,
    pub files: usize,
    pub briefs: usize,
    /// Briefs left after `--since`, `--until`, `--subject`, `--tag`.
    pub selected: usize,
}

#[derive(Debug, Serialize)]
pub struct OutputReport {
    pub kind: OutputKind,
    pub path: PathBuf,
    /// The `--split-by` group (`2020-10`, `economy`), if any.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub group: Option<String>,
    pub briefs: usize,
    pub bytes: u64,
    /// Worked out only for the JSON report (empty otherwise).
    pub sha256: String,
    /// Anki only.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub notes: Option<usize>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub cards: Option<usize>,
    pub written: bool,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum OutputKind {
    Anki,
    Epub,
}

#[derive(Debug, Default, Serialize)]
pub struct Timings {
    pub load_seconds: f64,
    pub anki_seconds: f64,
    pub epub_seconds: f64,
    pub total_seconds: f64,
}

impl OutputReport {
    /// The line printed for this output: `wrote output/briefdeck.apkg: …`.
    pub fn summary_line(&self) -> String {
        let verb = if self.written { "wrote" } else { "would write" };
        let size = crate::limits::human_bytes(self.bytes);
        let briefs = match self.briefs {
            1 => "1 brief".to_owned(),
            n => format!("{n} briefs"),
        };
        match (self.notes, self.cards) {
            (Some(notes), Some(cards)) => format!(
                "{verb} {} ({size}): {notes} notes, {cards} cards from {briefs}",
                self.path.display(),
            ),
            _ => format!("{verb} {} ({size}) from {briefs}", self.path.display()),
        }
    }
}
