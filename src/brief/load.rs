//! Finding, reading and converting source files, in parallel.

use super::convert::{self, Context, slugify};
use super::yaml::{self, Value};
use super::{Brief, Library, validate};
use crate::diagnostic::{Diagnostic, Pos, SourceMap};
use crate::limits;
use rayon::prelude::*;
use std::path::{Path, PathBuf};
use std::sync::Arc;

#[derive(Clone, Debug, Default)]
pub struct LoadOptions {
    /// Files or directories; directories are searched recursively for
    /// `.yaml` and `.yml` files.
    pub paths: Vec<PathBuf>,
}

/// A problem that stops loading before any brief is read (a usage error).
#[derive(Debug, thiserror::Error)]
pub enum LoadError {
    #[error("{0}: no such file or directory")]
    NotFound(PathBuf),
    #[error("{path}: cannot read: {source}")]
    Unreadable {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("more than {} YAML files under the given paths", limits::MAX_FILES)]
    TooManyFiles,
}

/// One file to load and the sources root its images resolve against.
struct SourceFile {
    path: PathBuf,
    root: Arc<PathBuf>,
    root_shown: Arc<PathBuf>,
}

/// Loads every brief under `options.paths`. Problems in the sources are in
/// the returned library's report; only unusable paths are errors here.
pub fn load(options: &LoadOptions) -> Result<Library, LoadError> {
    let files = discover(&options.paths)?;
    let loaded: Vec<FileResult> = files.par_iter().map(load_file).collect();

    let mut library = Library {
        files: files.len(),
        ..Library::default()
    };
    let mut sources = SourceMap::default();
    // Sized once: the briefs stay in memory for the whole run.
    library
        .briefs
        .reserve_exact(loaded.iter().map(|r| r.briefs.len()).sum());
    for r in loaded {
        if let Some(text) = r.text {
            sources.insert(r.path.clone(), text);
        }
        library.briefs.extend(r.briefs);
        library.report.extend(r.diagnostics);
    }
    if files.is_empty() {
        let shown: Vec<String> = options
            .paths
            .iter()
            .map(|p| p.display().to_string())
            .collect();
        library.report.push(Diagnostic::error(
            "no-sources",
            Path::new(&shown.join(", ")),
            Pos::default(),
            "no .yaml or .yml files found",
        ));
    }
    validate::across_briefs(&library.briefs, &mut library.report);
    library.report.sort();
    // A file keeps its text only when its own load found something to quote
    // (see `load_file`). A file whose only problem was found across files (a
    // duplicate id) is read again, rather than every file's text kept for it.
    let quoted: std::collections::HashSet<&Path> = library
        .report
        .diagnostics
        .iter()
        .flat_map(|d| {
            std::iter::once(d.file.as_path()).chain(d.related.as_ref().map(|r| r.file.as_path()))
        })
        .collect();
    for path in quoted {
        if sources.get(path).is_none()
            && let Ok(text) = read_text(path)
        {
            sources.insert(path.to_path_buf(), text);
        }
    }
    library.sources = sources;
    Ok(library)
}

/// Lists the YAML files under `paths`, each directory's in sorted order.
fn discover(paths: &[PathBuf]) -> Result<Vec<SourceFile>, LoadError> {
    let mut files = Vec::new();
    for path in paths {
        let meta = std::fs::metadata(path).map_err(|e| match e.kind() {
            std::io::ErrorKind::NotFound => LoadError::NotFound(path.clone()),
            _ => LoadError::Unreadable {
                path: path.clone(),
                source: e,
            },
        })?;
        let root_dir = if meta.is_dir() {
            path.clone()
        } else {
            path.parent().map(Path::to_path_buf).unwrap_or_default()
        };
        let root_dir = if root_dir.as_os_str().is_empty() {
            PathBuf::from(".")
        } else {
            root_dir
        };
        let root = Arc::new(root_dir.canonicalize().map_err(|e| LoadError::Unreadable {
            path: root_dir.clone(),
            source: e,
        })?);
        let root_shown = Arc::new(root_dir);
        if meta.is_dir() {
            let mut found = Vec::new();
            walk_dir(path, &mut found)?;
            files.extend(found.into_iter().map(|path| SourceFile {
                path,
                root: Arc::clone(&root),
                root_shown: Arc::clone(&root_shown),
            }));
        } else {
            files.push(SourceFile {
                path: path.clone(),
                root,
                root_shown,
            });
        }
        if files.len() > limits::MAX_FILES {
            return Err(LoadError::TooManyFiles);
        }
    }
    // The same file named twice (`sources sources/a.yaml`) is read once.
    if paths.len() > 1 {
        let mut seen = std::collections::HashSet::new();
        files.retain(|f| seen.insert(f.path.canonicalize().unwrap_or_else(|_| f.path.clone())));
    }
    Ok(files)
}

/// Appends the YAML files under `dir` to `out` in the order of their paths:
/// each folder's entries sorted by name, a subfolder's files where its name
/// falls (paths compare component by component). Sorting the names of one
/// folder at a time is cheaper than sorting whole paths.
fn walk_dir(dir: &Path, out: &mut Vec<PathBuf>) -> Result<(), LoadError> {
    let unreadable = |e| LoadError::Unreadable {
        path: dir.to_path_buf(),
        source: e,
    };
    let mut entries = std::fs::read_dir(dir)
        .map_err(unreadable)?
        .map(|entry| entry.map(|e| (e.file_name(), e)))
        .collect::<Result<Vec<_>, _>>()
        .map_err(unreadable)?;
    entries.sort_unstable_by(|(a, _), (b, _)| a.cmp(b));
    for (name, entry) in entries {
        let path = entry.path();
        // Hidden files and folders (`.git`, editor swap files) are skipped.
        if name.to_string_lossy().starts_with('.') {
            continue;
        }
        // Symlinked folders are not followed: no cycles, no escaping the root.
        let file_type = entry.file_type().map_err(|e| LoadError::Unreadable {
            path: path.clone(),
            source: e,
        })?;
        if file_type.is_dir() {
            walk_dir(&path, out)?;
        } else if is_yaml(&path) && (file_type.is_file() || path.is_file()) {
            out.push(path);
        }
        if out.len() > limits::MAX_FILES {
            return Err(LoadError::TooManyFiles);
        }
    }
    Ok(())
}

fn is_yaml(path: &Path) -> bool {
    matches!(
        path.extension()
            .and_then(|e| e.to_str())
            .map(str::to_ascii_lowercase)
            .as_deref(),
        Some("yaml" | "yml")
    )
}

struct FileResult {
    path: PathBuf,
    text: Option<Arc<str>>,
    briefs: Vec<Brief>,
    diagnostics: Vec<Diagnostic>,
}

fn load_file(file: &SourceFile) -> FileResult {
    let path = &file.path;
    let mut result = FileResult {
        path: path.clone(),
        text: None,
        briefs: Vec::new(),
        diagnostics: Vec::new(),
    };
    let text = match read_text(path) {
        Ok(t) => t,
        Err(d) => {
            result.diagnostics.push(*d);
            return result;
        }
    };
    let cx = |default_id| Context {
        file: path,
        root: &file.root,
        root_shown: &file.root_shown,
        default_id,
    };
    convert_text(&text, path, cx, &mut result.briefs, &mut result.diagnostics);
    // The text is kept only to quote it in messages: most files have none,
    // and ten thousand files' texts would be a tenth of the run's memory.
    if !result.diagnostics.is_empty() {
        result.text = Some(text);
    }
    // Moved into the library's list next; a spare slot is 400 bytes.
    result.briefs.shrink_to_fit();
    result
}

/// Loads the briefs of one file's text, as `check` would if the text were a
/// file at `path` (its images resolving under `root`); for the fuzz target
/// and tests. `text` must not start with a BOM.
pub fn load_str(text: &str, path: &Path, root: &Path) -> (Vec<Brief>, Vec<Diagnostic>) {
    let canonical = root.canonicalize().unwrap_or_else(|_| root.to_path_buf());
    let cx = |default_id| Context {
        file: path,
        root: &canonical,
        root_shown: root,
        default_id,
    };
    let mut briefs = Vec::new();
    let mut report = crate::diagnostic::Report::default();
    convert_text(text, path, cx, &mut briefs, &mut report.diagnostics);
    validate::across_briefs(&briefs, &mut report);
    report.sort();
    (briefs, report.diagnostics)
}

/// Parses `text` and converts each of its documents; `cx` gives the
/// conversion context for a default id.
fn convert_text<'a>(
    text: &str,
    path: &Path,
    cx: impl Fn(String) -> Context<'a>,
    briefs: &mut Vec<Brief>,
    diagnostics: &mut Vec<Diagnostic>,
) {
    let docs = match yaml::parse_stream(text) {
        Ok(docs) => docs,
        Err(e) => {
            let d = match first_tab_indent(text) {
                Some(pos) if e.message.contains("tab") => Diagnostic::error(
                    "yaml-tab",
                    path,
                    pos,
                    "tab used for indentation: YAML indents with spaces only",
                ),
                _ => Diagnostic::error("yaml-syntax", path, e.pos, e.message),
            };
            diagnostics.push(d);
            return;
        }
    };
    let non_empty: Vec<_> = docs.iter().filter(|d| d.value != Value::Null).collect();
    if non_empty.is_empty() {
        diagnostics.push(Diagnostic::error(
            "empty-file",
            path,
            Pos::new(1, 1, 1),
            "the file holds no brief (it is empty or only comments)",
        ));
        return;
    }
    if non_empty.len() < docs.len() && docs.len() > 1 {
        let first_empty = docs
            .iter()
            .find(|d| d.value == Value::Null)
            .expect("an empty document");
        diagnostics.push(Diagnostic::warning(
            "empty-document",
            path,
            first_empty.pos,
            "empty YAML document in the stream is skipped",
        ));
    }
    let stem = slugify(&path.file_stem().unwrap_or_default().to_string_lossy());
    for (i, doc) in non_empty.iter().enumerate() {
        let default_id = if non_empty.len() > 1 {
            format!("{stem}-{}", i + 1)
        } else {
            stem.clone()
        };
        if let Some(brief) = convert::brief(doc, &cx(default_id), diagnostics) {
            briefs.push(brief);
        }
    }
}

/// The first tab in a line's leading whitespace, which YAML forbids.
fn first_tab_indent(text: &str) -> Option<Pos> {
    text.lines().enumerate().find_map(|(i, line)| {
        let indent = &line[..line.len() - line.trim_start_matches([' ', '\t']).len()];
        indent
            .find('\t')
            .map(|col| Pos::new(i as u32 + 1, col as u32 + 1, 1))
    })
}

/// Reads a file as UTF-8 text within the size limit, without its BOM.
fn read_text(path: &Path) -> Result<Arc<str>, Box<Diagnostic>> {
    let io_error = |e: std::io::Error| {
        Box::new(Diagnostic::error(
            "unreadable",
            path,
            Pos::default(),
            format!("cannot read the file: {e}"),
        ))
    };
    let size = std::fs::metadata(path).map_err(io_error)?.len();
    if size > limits::MAX_FILE_BYTES {
        return Err(Box::new(Diagnostic::error(
            "file-too-large",
            path,
            Pos::new(1, 1, 1),
            format!(
                "the file is {}, over the limit of {} per file; split it into several files",
                limits::human_bytes(size),
                limits::human_bytes(limits::MAX_FILE_BYTES)
            ),
        )));
    }
    // Read at most one byte past the limit: the size above is only a hint
    // for a file that grows, a pipe or a device (`check /dev/zero`).
    let mut bytes = Vec::with_capacity(size.min(limits::MAX_FILE_BYTES) as usize);
    std::io::Read::read_to_end(
        &mut std::io::Read::take(
            std::fs::File::open(path).map_err(io_error)?,
            limits::MAX_FILE_BYTES + 1,
        ),
        &mut bytes,
    )
    .map_err(io_error)?;
    if bytes.len() as u64 > limits::MAX_FILE_BYTES {
        return Err(Box::new(Diagnostic::error(
            "file-too-large",
            path,
            Pos::new(1, 1, 1),
            format!(
                "the file is over the limit of {} per file; split it into several files",
                limits::human_bytes(limits::MAX_FILE_BYTES)
            ),
        )));
    }
    let text = match String::from_utf8(bytes) {
        Ok(t) => t,
        Err(e) => {
            let valid = &e.as_bytes()[..e.utf8_error().valid_up_to()];
            let valid = std::str::from_utf8(valid).expect("valid prefix");
            let line = valid.matches('\n').count() + 1;
            let col = valid.rsplit('\n').next().unwrap_or("").chars().count() + 1;
            return Err(Box::new(Diagnostic::error(
                "invalid-utf8",
                path,
                Pos::new(line as u32, col as u32, 1),
                "the file is not valid UTF-8; save it as UTF-8",
            )));
        }
    };
    let text = match text.strip_prefix('\u{feff}') {
        Some(rest) => rest.to_owned(),
        None => text,
    };
    Ok(Arc::from(text))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn files_come_in_the_order_of_their_paths() {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path();
        for file in [
            "a.yaml",
            "a-b.yaml",
            "a/b.yaml",
            "a/a/z.yml",
            "a b/c.yaml",
            "B.yaml",
            "b.YAML",
            "a0/x.yaml",
            "é.yaml",
            "a/notes.txt",
            ".hidden/x.yaml",
        ] {
            let path = root.join(file);
            std::fs::create_dir_all(path.parent().unwrap()).unwrap();
            std::fs::write(&path, "").unwrap();
        }
        let mut walked = Vec::new();
        walk_dir(root, &mut walked).unwrap();
        let mut sorted = walked.clone();
        sorted.sort();
        assert_eq!(walked, sorted);
        let names: Vec<_> = walked
            .iter()
            .map(|p| p.strip_prefix(root).unwrap().to_string_lossy().into_owned())
            .collect();
        assert_eq!(
            names,
            [
                "B.yaml",
                "a/a/z.yml",
                "a/b.yaml",
                "a b/c.yaml",
                "a-b.yaml",
                "a.yaml",
                "a0/x.yaml",
                "b.YAML",
                "é.yaml"
            ]
        );
    }
}
