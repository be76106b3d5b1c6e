//! Drafting a brief from a news article in Markdown (`briefdeck import`).
//!
//! [`article`] recognises the article's structure (the seed's shape and its
//! common variants) and builds a [`Draft`]; [`writer`] renders the draft as
//! YAML; [`verify`] loads that YAML back with the project's own loader and
//! checks that it is valid and says exactly what the draft says. Nothing of
//! the article is dropped silently: what cannot be placed goes under a point
//! headed [`UNPLACED`] in `background`, with a warning naming its line.

pub mod article;
pub mod date;
pub mod source;
pub mod writer;

use crate::brief::{self, Point};
use crate::diagnostic::{Diagnostic, Pos};
use crate::limits;
use anyhow::bail;
use std::path::Path;
use time::Date;

pub use crate::brief::SourceRef;

/// The heading under which whatever could not be placed is kept.
pub const UNPLACED: &str = "Unplaced (review me)";

/// What the command line adds to every draft.
#[derive(Clone, Debug)]
pub struct Options {
    /// `--date`: used instead of any date in the article.
    pub date: Option<Date>,
    pub subject: String,
    pub tags: Vec<String>,
}

impl Default for Options {
    fn default() -> Self {
        Options {
            date: None,
            subject: "General".to_owned(),
            tags: Vec::new(),
        }
    }
}

/// A brief as drafted from an article: the fields `import` writes.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Draft {
    pub id: String,
    pub title: String,
    pub date: Date,
    pub subject: String,
    pub tags: Vec<String>,
    pub source: Option<SourceRef>,
    pub why_in_news: String,
    pub key_points: Vec<DraftPoint>,
    pub background: Vec<DraftPoint>,
    pub way_forward: Vec<DraftPoint>,
}

/// A point of a draft: a text and/or a heading, with children.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct DraftPoint {
    pub heading: Option<String>,
    pub text: Option<String>,
    pub points: Vec<DraftPoint>,
}

impl DraftPoint {
    pub fn text(text: impl Into<String>) -> Self {
        DraftPoint {
            text: Some(text.into()),
            ..DraftPoint::default()
        }
    }

    pub fn heading(heading: impl Into<String>, points: Vec<DraftPoint>) -> Self {
        DraftPoint {
            heading: Some(heading.into()),
            text: None,
            points,
        }
    }

    /// Every text of the point and its children, headings first.
    pub fn texts<'a>(&'a self, out: &mut Vec<&'a str>) {
        out.extend(self.heading.as_deref());
        out.extend(self.text.as_deref());
        for p in &self.points {
            p.texts(out);
        }
    }
}

impl Draft {
    /// Number of points at any depth in key points, background, way forward.
    pub fn point_counts(&self) -> [usize; 3] {
        fn count(points: &[DraftPoint]) -> usize {
            points.iter().map(|p| 1 + count(&p.points)).sum()
        }
        [
            count(&self.key_points),
            count(&self.background),
            count(&self.way_forward),
        ]
    }
}

/// The outcome of drafting one article: the draft unless an error stopped
/// it, and every warning and error met on the way.
#[derive(Debug)]
pub struct Imported {
    pub draft: Option<Draft>,
    pub diagnostics: Vec<Diagnostic>,
    /// How many pieces went under [`UNPLACED`].
    pub unplaced: usize,
}

/// Reads an article as UTF-8 text within the size limit, without its BOM,
/// with `\n` line ends.
pub fn read_article(path: &Path) -> Result<String, Box<Diagnostic>> {
    let fail = |message: String| {
        Box::new(Diagnostic::error(
            "unreadable",
            path,
            Pos::default(),
            message,
        ))
    };
    let size = std::fs::metadata(path)
        .map_err(|e| fail(format!("cannot read {}: {e}", path.display())))?
        .len();
    if size > limits::MAX_FILE_BYTES {
        return Err(fail(format!(
            "{} is {}, over the limit of {} per file",
            path.display(),
            limits::human_bytes(size),
            limits::human_bytes(limits::MAX_FILE_BYTES)
        )));
    }
    let bytes =
        std::fs::read(path).map_err(|e| fail(format!("cannot read {}: {e}", path.display())))?;
    let text = String::from_utf8(bytes).map_err(|e| {
        let valid = std::str::from_utf8(&e.as_bytes()[..e.utf8_error().valid_up_to()])
            .expect("valid prefix");
        let line = valid.matches('\n').count() + 1;
        let col = valid.rsplit('\n').next().unwrap_or("").chars().count() + 1;
        Box::new(Diagnostic::error(
            "invalid-utf8",
            path,
            Pos::new(line as u32, col as u32, 1),
            "the article is not valid UTF-8; save it as UTF-8",
        ))
    })?;
    Ok(normalize(&text))
}

/// Drops a byte-order mark and turns CRLF and lone CR line ends into LF.
pub fn normalize(text: &str) -> String {
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    text.replace("\r\n", "\n").replace('\r', "\n")
}

/// Drafts a brief from the text of the article `file`.
pub fn import(file: &Path, text: &str, options: &Options) -> Imported {
    article::recognise(file, &normalize(text), options)
}

/// What the loader made of a draft's YAML.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Verified {
    /// Warnings `briefdeck check` will print for the file.
    pub warnings: usize,
    /// Key points and distinct key terms, as `check` counts them.
    pub key_points: usize,
    pub key_terms: usize,
}

/// Loads `yaml` with the project's loader (as `briefdeck check` would) and
/// compares every text with the draft. Any difference is a bug in `import`.
pub fn verify(draft: &Draft, yaml: &str) -> anyhow::Result<Verified> {
    // Loaded from memory, as `check` would load the file: nothing is
    // written, so nothing can be left behind.
    let path = std::path::PathBuf::from(format!("{}.yaml", draft.id));
    let (briefs, diagnostics) = brief::load_str(yaml, &path, Path::new("."));
    if diagnostics.iter().any(|d| d.is_error()) {
        let mut sources = crate::diagnostic::SourceMap::default();
        sources.insert(path.clone(), std::sync::Arc::from(yaml));
        let report = crate::diagnostic::Report {
            diagnostics: diagnostics.clone(),
        };
        bail!(
            "internal error: the drafted brief does not pass `check`:\n{}",
            report.render(&sources)
        );
    }
    let [brief] = briefs.as_slice() else {
        bail!(
            "internal error: the drafted YAML holds {} briefs",
            briefs.len()
        );
    };
    let mut differences = Vec::new();
    let mut same = |what: &str, written: &str, loaded: &str| {
        if written != loaded {
            differences.push(format!("{what}: wrote {written:?}, read {loaded:?}"));
        }
    };
    same("id", &draft.id, &brief.id);
    same("title", &draft.title, brief.title.source());
    same("date", &draft.date.to_string(), &brief.date.to_string());
    same("subject", &draft.subject, &brief.subject);
    same(
        "why_in_news",
        &draft.why_in_news,
        brief.why_in_news.source(),
    );
    let source = |s: &Option<SourceRef>| s.as_ref().map(|s| format!("{s:?}"));
    same(
        "source",
        &source(&draft.source).unwrap_or_default(),
        &source(&brief.source).unwrap_or_default(),
    );
    same("tags", &draft.tags.join("\n"), &brief.tags.join("\n"));
    for (what, written, loaded) in [
        ("key_points", &draft.key_points, &brief.key_points),
        ("background", &draft.background, &brief.background),
        ("way_forward", &draft.way_forward, &brief.way_forward),
    ] {
        compare_points(what, written, loaded, &mut same);
    }
    if !differences.is_empty() {
        bail!(
            "internal error: the drafted YAML does not read back as written:\n  {}",
            differences.join("\n  ")
        );
    }
    let summary = brief::summary::Summary::of(&briefs, 1);
    Ok(Verified {
        warnings: diagnostics.iter().filter(|d| !d.is_error()).count(),
        key_points: summary.total.key_points,
        key_terms: summary.total.key_terms,
    })
}

fn compare_points(
    what: &str,
    written: &[DraftPoint],
    loaded: &[Point],
    same: &mut impl FnMut(&str, &str, &str),
) {
    same(
        &format!("{what} count"),
        &written.len().to_string(),
        &loaded.len().to_string(),
    );
    for (i, (w, l)) in written.iter().zip(loaded).enumerate() {
        let here = format!("{what}[{i}]");
        let text = |t: Option<&crate::brief::Text>| t.map(|t| t.source().to_owned());
        same(
            &format!("{here}.heading"),
            &format!("{:?}", w.heading),
            &format!("{:?}", text(l.heading.as_deref())),
        );
        same(
            &format!("{here}.text"),
            &format!("{:?}", w.text),
            &format!("{:?}", text(l.text.as_ref())),
        );
        compare_points(&format!("{here}.points"), &w.points, &l.points, same);
    }
}
