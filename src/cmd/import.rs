//! `briefdeck import`: draft briefs from Markdown articles.
//!
//! Every article is read and drafted first; if any has an error (no date,
//! no key points, unreadable), nothing is written (exit 1). Each draft's YAML
//! is then loaded back with the project's loader and compared with the draft
//! before anything is written, so `import` never writes a brief that `check`
//! refuses. Existing files are never replaced without `--force`.

use crate::cli::ImportArgs;
use crate::diagnostic::{Diagnostic, Report, SourceMap};
use crate::error::Failure;
use crate::export::write_atomic;
use crate::import::{self, Draft, Imported, Options, UNPLACED, writer};
use crate::output;
use anyhow::Context as _;
use std::collections::HashMap;
use std::io::Write as _;
use std::path::{Path, PathBuf};
use std::sync::Arc;

/// Where several articles go when `-o` is not given.
pub const DEFAULT_DIR: &str = "sources/imported";

/// `--date`: a real calendar date as `YYYY-MM-DD`.
pub fn parse_date(s: &str) -> Result<time::Date, String> {
    import::date::parse_iso(s.trim())
        .ok_or_else(|| format!("`{s}` is not a real date as YYYY-MM-DD (for example 2020-10-07)"))
}

enum Dest {
    Stdout,
    File(PathBuf),
}

pub fn run(args: &ImportArgs) -> Result<(), Failure> {
    let (articles, batch) = discover(&args.articles)?;
    let dests = destinations(args, &articles, batch)?;
    if !args.force {
        let existing: Vec<String> = dests
            .iter()
            .filter_map(|d| match d {
                Dest::File(p) if p.exists() => Some(p.display().to_string()),
                _ => None,
            })
            .collect();
        if !existing.is_empty() {
            return Err(Failure::Usage(format!(
                "{} already {}; `import` does not overwrite a brief, which you may have edited: pass --force to replace it, or choose another -o",
                existing.join(", "),
                if existing.len() == 1 {
                    "exists"
                } else {
                    "exist"
                }
            )));
        }
    }

    let options = Options {
        date: args.date,
        subject: args.subject.trim().to_owned(),
        tags: args.tags.iter().map(|t| t.trim().to_owned()).collect(),
    };
    let mut report = Report::default();
    let mut sources = SourceMap::default();
    // (article index, draft, pieces unplaced)
    let mut drafts: Vec<(usize, Draft, usize)> = Vec::new();
    for (i, path) in articles.iter().enumerate() {
        match import::read_article(path) {
            Ok(text) => {
                let Imported {
                    draft,
                    diagnostics,
                    unplaced,
                } = import::import(path, &text, &options);
                sources.insert(path.clone(), Arc::from(text));
                report.extend(diagnostics);
                drafts.extend(draft.map(|d| (i, d, unplaced)));
            }
            Err(d) => report.push(*d),
        }
    }
    unique_ids(&mut drafts, &articles, &mut report);
    report.sort();
    print_diagnostics(&report, &sources);
    if report.has_errors() {
        output::stderr(&format!(
            "import failed: {} error(s), {} warning(s); nothing was written\n",
            report.error_count(),
            report.warning_count()
        ));
        return Err(Failure::Invalid);
    }

    // Render and verify everything before writing anything.
    let mut outputs = Vec::new();
    for (i, draft, unplaced) in &drafts {
        let article = &articles[*i];
        let yaml = writer::to_yaml(draft, &header(article, *unplaced));
        let verified = import::verify(draft, &yaml)
            .with_context(|| format!("while drafting from {}", article.display()))?;
        outputs.push((yaml, verified));
    }
    for ((yaml, verified), (i, draft, unplaced)) in outputs.iter().zip(&drafts) {
        let article = &articles[*i];
        let shown = match &dests[*i] {
            Dest::Stdout => {
                output::stdout(yaml);
                "stdout".to_owned()
            }
            Dest::File(path) => {
                write_atomic(path, |w| Ok(w.write_all(yaml.as_bytes())?))?;
                path.display().to_string()
            }
        };
        let [_, background, forward] = draft.point_counts();
        let mut line = format!(
            "drafted {shown} from {}: {} key point(s), {} key term(s), {background} background point(s), {forward} way forward",
            article.display(),
            verified.key_points,
            verified.key_terms
        );
        if verified.warnings > 0 {
            line.push_str(&format!(
                "; `briefdeck check` has {} warning(s) about it",
                verified.warnings
            ));
        }
        if *unplaced > 0 {
            line.push_str(&format!(
                "; {unplaced} piece(s) to place by hand under \"{UNPLACED}\""
            ));
        }
        output::stderr(&format!("{line}\n"));
    }
    Ok(())
}

/// The comment at the top of a draft.
fn header(article: &Path, unplaced: usize) -> Vec<String> {
    let name = article
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    let mut lines = vec![
        format!("Drafted by `briefdeck import` from {name}; review it before use:"),
        "the structure, the date, the source and every **bold** key term (each becomes a card)."
            .to_owned(),
    ];
    if unplaced > 0 {
        lines.push(format!(
            "Some text could not be placed: see \"{UNPLACED}\" at the end of `background`."
        ));
    }
    lines
}

/// Warnings and errors: `file:line:col: …` with a snippet; those about a
/// whole article (line 0) on one line.
fn print_diagnostics(report: &Report, sources: &SourceMap) {
    let mut text = String::new();
    for d in &report.diagnostics {
        if d.pos.line == 0 {
            if d.is_error() {
                text.push_str(&format!("error: {}\n", d.message));
            } else {
                text.push_str(&format!("{}: warning: {}\n", d.file.display(), d.message));
            }
        } else {
            let one = Report {
                diagnostics: vec![d.clone()],
            };
            text.push_str(&one.render(sources));
        }
    }
    output::stderr(&text);
}

/// Two articles with the same title would make two briefs with one id.
fn unique_ids(drafts: &mut [(usize, Draft, usize)], articles: &[PathBuf], report: &mut Report) {
    let mut seen: HashMap<String, usize> = HashMap::new();
    for (i, draft, _) in drafts.iter_mut() {
        let article = &articles[*i];
        let count = seen.entry(draft.id.clone()).or_insert(0);
        *count += 1;
        if *count > 1 {
            let id = format!("{}-{count}", draft.id);
            report.push(Diagnostic::warning(
                "duplicate-id",
                article,
                crate::diagnostic::Pos::default(),
                format!("another article has the same title: this brief's id is `{id}`"),
            ));
            draft.id = id;
        }
    }
}

/// The articles named, folders searched recursively (sorted, hidden files
/// skipped); and whether this is a batch (a folder, or several articles).
fn discover(paths: &[PathBuf]) -> Result<(Vec<PathBuf>, bool), Failure> {
    let mut articles = Vec::new();
    let mut batch = paths.len() > 1;
    for path in paths {
        let meta = std::fs::metadata(path).map_err(|e| {
            Failure::Usage(match e.kind() {
                std::io::ErrorKind::NotFound => {
                    format!("{}: no such file or directory", path.display())
                }
                _ => format!("{}: cannot read: {e}", path.display()),
            })
        })?;
        if meta.is_dir() {
            batch = true;
            let mut found = Vec::new();
            walk(path, &mut found)
                .map_err(|e| Failure::Usage(format!("{}: cannot read: {e}", path.display())))?;
            if found.is_empty() {
                return Err(Failure::Usage(format!(
                    "{}: no Markdown articles (.md, .markdown) found",
                    path.display()
                )));
            }
            found.sort();
            articles.extend(found);
        } else {
            articles.push(path.clone());
        }
    }
    let mut seen = std::collections::HashSet::new();
    articles.retain(|a| seen.insert(a.canonicalize().unwrap_or_else(|_| a.clone())));
    Ok((articles, batch))
}

fn walk(dir: &Path, out: &mut Vec<PathBuf>) -> std::io::Result<()> {
    for entry in std::fs::read_dir(dir)? {
        let entry = entry?;
        let path = entry.path();
        if entry.file_name().to_string_lossy().starts_with('.') {
            continue;
        }
        let file_type = entry.file_type()?;
        if file_type.is_dir() {
            walk(&path, out)?;
        } else if is_markdown(&path) && path.is_file() {
            out.push(path);
        }
    }
    Ok(())
}

fn is_markdown(path: &Path) -> bool {
    matches!(
        path.extension()
            .and_then(|e| e.to_str())
            .map(str::to_ascii_lowercase)
            .as_deref(),
        Some("md" | "markdown")
    )
}

/// `article.md` → `article.yaml`, named after the article's file name.
fn yaml_name(article: &Path) -> String {
    let stem = article
        .file_stem()
        .map(|s| s.to_string_lossy().into_owned())
        .unwrap_or_default();
    let slug = import::article::slug(&stem);
    format!("{}.yaml", if slug.is_empty() { "imported" } else { &slug })
}

fn destinations(
    args: &ImportArgs,
    articles: &[PathBuf],
    batch: bool,
) -> Result<Vec<Dest>, Failure> {
    if !batch {
        let article = &articles[0];
        let dest = match &args.output {
            None => Dest::Stdout,
            Some(p) if p.as_os_str() == "-" => Dest::Stdout,
            Some(p) if p.is_dir() || p.to_string_lossy().ends_with(['/', '\\']) => {
                Dest::File(p.join(yaml_name(article)))
            }
            Some(p) => Dest::File(p.clone()),
        };
        return Ok(vec![dest]);
    }
    let dir = args
        .output
        .clone()
        .unwrap_or_else(|| PathBuf::from(DEFAULT_DIR));
    let looks_like_file = matches!(
        dir.extension().and_then(|e| e.to_str()),
        Some("yaml" | "yml")
    );
    if (dir.exists() && !dir.is_dir()) || (!dir.exists() && looks_like_file) {
        return Err(Failure::Usage(format!(
            "-o {}: with several articles (or a folder), -o names a folder to write one .yaml per article into",
            dir.display()
        )));
    }
    let mut taken: HashMap<PathBuf, &PathBuf> = HashMap::new();
    let mut dests = Vec::new();
    for article in articles {
        let out = dir.join(yaml_name(article));
        if let Some(other) = taken.insert(out.clone(), article) {
            return Err(Failure::Usage(format!(
                "{} and {} would both be written to {}; rename one of them",
                other.display(),
                article.display(),
                out.display()
            )));
        }
        dests.push(Dest::File(out));
    }
    Ok(dests)
}
