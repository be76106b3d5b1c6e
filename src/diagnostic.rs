//! Diagnostics: every problem found in the sources, with its place.
//!
//! A [`Diagnostic`] names a file, a 1-based line and column, a message and an
//! optional hint. [`Report`] collects them and renders them for people
//! (`file:line:col: error: message` plus a source snippet) or as JSON.

use serde::Serialize;
use std::collections::HashMap;
use std::fmt::Write as _;
use std::path::{Path, PathBuf};
use std::sync::Arc;

/// A place in a source file: 1-based line and column (in characters), and the
/// number of characters to underline.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
pub struct Pos {
    pub line: u32,
    pub col: u32,
    #[serde(skip)]
    pub len: u32,
}

impl Pos {
    pub const fn new(line: u32, col: u32, len: u32) -> Self {
        Pos { line, col, len }
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    Error,
    Warning,
}

impl Severity {
    pub fn as_str(self) -> &'static str {
        match self {
            Severity::Error => "error",
            Severity::Warning => "warning",
        }
    }
}

/// One problem found in the sources.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Diagnostic {
    pub severity: Severity,
    /// A stable, machine-readable kind such as `unknown-key`.
    pub code: &'static str,
    pub file: PathBuf,
    #[serde(flatten)]
    pub pos: Pos,
    pub message: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub help: Option<String>,
    /// Another place involved, e.g. the first definition of a duplicated id.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub related: Option<Related>,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Related {
    pub file: PathBuf,
    #[serde(flatten)]
    pub pos: Pos,
    pub message: String,
}

impl Diagnostic {
    pub fn error(code: &'static str, file: &Path, pos: Pos, message: impl Into<String>) -> Self {
        Diagnostic {
            severity: Severity::Error,
            code,
            file: file.to_path_buf(),
            pos,
            message: message.into(),
            help: None,
            related: None,
        }
    }

    pub fn warning(code: &'static str, file: &Path, pos: Pos, message: impl Into<String>) -> Self {
        Diagnostic {
            severity: Severity::Warning,
            ..Diagnostic::error(code, file, pos, message)
        }
    }

    pub fn with_help(mut self, help: impl Into<String>) -> Self {
        self.help = Some(help.into());
        self
    }

    pub fn with_related(mut self, file: &Path, pos: Pos, message: impl Into<String>) -> Self {
        self.related = Some(Related {
            file: file.to_path_buf(),
            pos,
            message: message.into(),
        });
        self
    }

    pub fn is_error(&self) -> bool {
        self.severity == Severity::Error
    }

    /// The one-line form: `file:line:col: error: message`.
    pub fn headline(&self) -> String {
        format!(
            "{}:{}:{}: {}: {}",
            self.file.display(),
            self.pos.line,
            self.pos.col,
            self.severity.as_str(),
            self.message
        )
    }
}

/// The text of every file read, kept so that diagnostics can quote it.
#[derive(Default, Clone, Debug)]
pub struct SourceMap {
    files: HashMap<PathBuf, Arc<str>>,
}

impl SourceMap {
    pub fn insert(&mut self, path: PathBuf, text: Arc<str>) {
        self.files.insert(path, text);
    }

    pub fn get(&self, path: &Path) -> Option<&str> {
        self.files.get(path).map(|t| &**t)
    }

    pub fn extend(&mut self, other: SourceMap) {
        self.files.extend(other.files);
    }
}

/// All diagnostics of a run: errors first, then by file and position; several
/// at one place keep the order in which they were found.
#[derive(Default, Clone, Debug)]
pub struct Report {
    pub diagnostics: Vec<Diagnostic>,
}

impl Report {
    pub fn push(&mut self, d: Diagnostic) {
        self.diagnostics.push(d);
    }

    pub fn extend(&mut self, ds: impl IntoIterator<Item = Diagnostic>) {
        self.diagnostics.extend(ds);
    }

    pub fn error_count(&self) -> usize {
        self.diagnostics.iter().filter(|d| d.is_error()).count()
    }

    pub fn warning_count(&self) -> usize {
        self.diagnostics.len() - self.error_count()
    }

    pub fn has_errors(&self) -> bool {
        self.diagnostics.iter().any(Diagnostic::is_error)
    }

    /// Errors before warnings (so that the ones that stop a run are read first),
    /// then by file and position.
    pub fn sort(&mut self) {
        self.diagnostics.sort_by(|a, b| {
            (a.severity, &a.file, a.pos.line, a.pos.col)
                .cmp(&(b.severity, &b.file, b.pos.line, b.pos.col))
        });
        self.diagnostics.dedup();
    }

    /// Renders every diagnostic for a terminal, with a snippet of the source.
    pub fn render(&self, sources: &SourceMap) -> String {
        let mut out = String::new();
        // A file with thousands of problems is quoted thousands of times:
        // its lines are found once, not searched from the top each time.
        let mut lines: HashMap<&Path, Lines> = HashMap::new();
        for d in &self.diagnostics {
            let file = sources
                .get(&d.file)
                .map(|text| &*lines.entry(&d.file).or_insert_with(|| Lines::new(text)));
            render_one(&mut out, d, file);
        }
        out
    }
}

/// Where each line of a text starts.
struct Lines<'t> {
    text: &'t str,
    starts: Vec<usize>,
}

impl<'t> Lines<'t> {
    fn new(text: &'t str) -> Lines<'t> {
        let starts = std::iter::once(0)
            .chain(text.match_indices('\n').map(|(i, _)| i + 1))
            .collect();
        Lines { text, starts }
    }

    /// Line `n` (from 1) as `str::lines` gives it, but for a `\r` before
    /// the `\n`, which the snippet trims anyway.
    fn get(&self, n: u32) -> Option<&'t str> {
        let start = *self.starts.get((n as usize).checked_sub(1)?)?;
        if start == self.text.len() {
            return None;
        }
        let end = self
            .starts
            .get(n as usize)
            .map_or(self.text.len(), |&s| s - 1);
        Some(&self.text[start..end])
    }
}

fn render_one(out: &mut String, d: &Diagnostic, file: Option<&Lines>) {
    let _ = writeln!(out, "{}", d.headline());
    if let Some(line) = file.and_then(|f| f.get(d.pos.line)) {
        render_snippet(out, line, d.pos);
    }
    if let Some(help) = &d.help {
        let _ = writeln!(out, "   = help: {help}");
    }
    if let Some(r) = &d.related {
        let _ = writeln!(
            out,
            "   = note: {}:{}:{}: {}",
            r.file.display(),
            r.pos.line,
            r.pos.col,
            r.message
        );
    }
}

/// Longest source line quoted in a snippet, in characters.
const SNIPPET_WIDTH: usize = 120;

/// Quotes `line`, the source line `pos` is on, with a caret under `pos`.
fn render_snippet(out: &mut String, line: &str, pos: Pos) {
    let line = line.trim_end_matches('\r');
    // Long lines are cut around the column so that the caret stays visible.
    let col = pos.col.max(1) as usize - 1;
    let chars: Vec<char> = line.chars().collect();
    let start = col.saturating_sub(SNIPPET_WIDTH / 2).min(chars.len());
    let end = (start + SNIPPET_WIDTH).min(chars.len());
    let shown: String = chars[start..end]
        .iter()
        .map(|&c| if c == '\t' { ' ' } else { c })
        .filter(|c| !c.is_control())
        .collect();
    let prefix = if start > 0 { "…" } else { "" };
    let number = pos.line.to_string();
    let gutter = " ".repeat(number.len());
    let _ = writeln!(out, "{gutter} |");
    let _ = writeln!(out, "{number} | {prefix}{shown}");
    let caret_at = col - start + prefix.chars().count();
    let len = (pos.len.max(1) as usize).min(end.saturating_sub(col).max(1));
    let _ = writeln!(
        out,
        "{gutter} | {}{}",
        " ".repeat(caret_at),
        "^".repeat(len)
    );
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn headline_names_file_line_and_column() {
        let d = Diagnostic::error("x", Path::new("a/b.yaml"), Pos::new(3, 7, 2), "bad thing");
        assert_eq!(d.headline(), "a/b.yaml:3:7: error: bad thing");
    }

    #[test]
    fn lines_are_found_as_str_lines_finds_them() {
        for text in ["", "a", "a\n", "a\n\nb", "a\r\nb\r\n", "\n\n", "x\ry\nz"] {
            let lines = Lines::new(text);
            for n in 0..6u32 {
                let expected = (n >= 1).then(|| text.lines().nth(n as usize - 1)).flatten();
                let found = lines.get(n).map(|l| l.strip_suffix('\r').unwrap_or(l));
                assert_eq!(found, expected, "line {n} of {text:?}");
            }
        }
    }

    #[test]
    fn snippet_underlines_the_span() {
        let mut sources = SourceMap::default();
        sources.insert("f.yaml".into(), Arc::from("one: 1\ntitel: x\n"));
        let mut report = Report::default();
        report.push(
            Diagnostic::error(
                "unknown-key",
                Path::new("f.yaml"),
                Pos::new(2, 1, 5),
                "unknown key",
            )
            .with_help("did you mean `title`?"),
        );
        let text = report.render(&sources);
        assert_eq!(
            text,
            "f.yaml:2:1: error: unknown key\n  |\n2 | titel: x\n  | ^^^^^\n   = help: did you mean `title`?\n"
        );
    }

    #[test]
    fn snippet_of_a_long_line_keeps_the_caret_in_view() {
        let line = format!("{}X", "a".repeat(500));
        let mut out = String::new();
        render_snippet(&mut out, &line, Pos::new(1, 501, 1));
        let lines: Vec<&str> = out.lines().collect();
        let x_at = lines[1].chars().position(|c| c == 'X').unwrap();
        let caret_at = lines[2].chars().position(|c| c == '^').unwrap();
        assert_eq!(x_at, caret_at);
    }

    #[test]
    fn errors_sort_before_warnings() {
        let mut r = Report::default();
        r.push(Diagnostic::warning(
            "w",
            Path::new("a"),
            Pos::new(1, 1, 1),
            "w",
        ));
        r.push(Diagnostic::error(
            "e",
            Path::new("b"),
            Pos::new(9, 1, 1),
            "e",
        ));
        r.sort();
        assert!(r.diagnostics[0].is_error());
        assert_eq!(r.error_count(), 1);
        assert_eq!(r.warning_count(), 1);
    }
}
