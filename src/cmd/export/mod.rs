//! `briefdeck export anki|epub|all`: load once, refuse invalid sources, select,
//! render every output in memory, then write each atomically.

mod settings;

use crate::anki;
use crate::brief::Library;
use crate::cli::{AnkiFlags, EpubFlags, ExportArgs, ExportCommand};
use crate::config;
use crate::diagnostic::Severity;
use crate::epub;
use crate::error::Failure;
use crate::export::report::{OutputKind, OutputReport, RunReport};
use crate::export::select::{self, Group, Selection};
use crate::export::{AtomicFile, BuildTime, interrupt, priority};
use crate::output;
use anyhow::Context as _;
use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};
use settings::{AnkiSettings, EpubSettings};
use std::io::IsTerminal;
use std::io::{BufWriter, Seek, SeekFrom, Write};
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

/// What one invocation writes.
struct Plan<'a> {
    export: &'a ExportArgs,
    anki: Option<AnkiSettings>,
    epub: Option<EpubSettings>,
    /// `-o` as given.
    output: Option<&'a Path>,
    /// True for `export all`: `-o` is a folder even without `--split-by`.
    into_folder: bool,
}

pub fn run(command: &ExportCommand) -> Result<(), Failure> {
    interrupt::install();
    let (export, anki_flags, epub_flags, output, into_folder): (
        &ExportArgs,
        Option<&AnkiFlags>,
        Option<&EpubFlags>,
        Option<&Path>,
        bool,
    ) = match command {
        ExportCommand::Anki(a) => (&a.export, Some(&a.anki), None, a.output.as_deref(), false),
        ExportCommand::Epub(e) => (&e.export, None, Some(&e.epub), e.output.as_deref(), false),
        ExportCommand::All(x) => (
            &x.export,
            Some(&x.anki),
            Some(&x.epub),
            x.output.as_deref(),
            true,
        ),
    };
    let started = Instant::now();
    let loaded_config =
        config::load(export.config.as_deref(), &export.sources.paths).map_err(|d| {
            if !export.json {
                output::stderr(
                    &crate::diagnostic::Report {
                        diagnostics: vec![*d.clone()],
                    }
                    .render(&Default::default()),
                );
            }
            Failure::Usage(format!("invalid settings: {}", d.headline()))
        })?;
    let build = BuildTime::from_env().map_err(Failure::Usage)?;
    let plan = Plan {
        export,
        anki: anki_flags
            .map(|f| settings::anki(f, &loaded_config.config.anki))
            .transpose()?,
        epub: epub_flags
            .map(|f| settings::epub(f, &loaded_config.config.epub, build))
            .transpose()?,
        output,
        into_folder,
    };

    let loading = spinner("loading sources", export.quiet || export.json);
    let library = super::load_sources(&export.sources);
    loading.finish_and_clear();
    let library = library?;
    let mut report = RunReport {
        dry_run: export.dry_run,
        ..RunReport::default()
    };
    report.inputs.paths = export.sources.paths.clone();
    report.inputs.config = loaded_config.path.clone();
    report.inputs.files = library.files;
    report.inputs.briefs = library.briefs.len();
    report.timings.load_seconds = started.elapsed().as_secs_f64();
    if !export.json {
        output::stderr(&library.report.render(&library.sources));
    }
    report.warnings = library
        .report
        .diagnostics
        .iter()
        .filter(|d| d.severity == Severity::Warning)
        .cloned()
        .collect();
    if library.report.has_errors() {
        if export.json {
            report.warnings = library.report.diagnostics.clone();
            print_json(&report)?;
        } else {
            output::stderr(&format!(
                "invalid input: {} error(s); nothing was written\n",
                library.report.error_count()
            ));
        }
        return Err(Failure::Invalid);
    }
    let result = render_and_write(&plan, library, build, &mut report);
    report.timings.total_seconds = started.elapsed().as_secs_f64();
    report.ok = result.is_ok();
    if export.json {
        print_json(&report)?;
    }
    result
}

fn print_json(report: &RunReport) -> Result<(), Failure> {
    let text = serde_json::to_string_pretty(report).map_err(anyhow::Error::from)?;
    output::stdout(&format!("{text}\n"));
    Ok(())
}

fn selection(export: &ExportArgs) -> Result<Selection, Failure> {
    if let (Some(since), Some(until)) = (export.since, export.until)
        && since > until
    {
        return Err(Failure::Usage(format!(
            "--since {since} is after --until {until}"
        )));
    }
    Ok(Selection {
        since: export.since,
        until: export.until,
        subjects: export.subject.clone(),
        tags: export.tag.clone(),
    })
}

/// One output to produce: its kind, group and path.
struct Job<'g, 'b> {
    kind: OutputKind,
    group: &'g Group<'b>,
    path: PathBuf,
}

fn render_and_write(
    plan: &Plan,
    mut library: Library,
    build: BuildTime,
    report: &mut RunReport,
) -> Result<(), Failure> {
    let export = plan.export;
    let selection = selection(export)?;
    let groups = select::split(&mut library.briefs, &selection, export.split_by);
    let selected: usize = groups.iter().map(|g| g.briefs.len()).sum();
    report.inputs.selected = selected;
    if selected == 0 {
        output::stderr(
            "error: no brief matches the selection (--since, --until, --subject, --tag); nothing was written\n",
        );
        return Err(Failure::Invalid);
    }

    let mut jobs = Vec::new();
    for group in &groups {
        if let Some(a) = &plan.anki {
            jobs.push(Job {
                kind: OutputKind::Anki,
                group,
                path: output_path(plan, &a.file_name, group),
            });
        }
        if let Some(e) = &plan.epub {
            jobs.push(Job {
                kind: OutputKind::Epub,
                group,
                path: output_path(plan, &e.file_name, group),
            });
        }
    }

    let quiet = export.quiet || export.json;
    let progress = progress_bar(jobs.len() as u64, quiet);
    progress.set_message("rendering");
    // Every output is rendered (in parallel: a deck and a booklet at once)
    // into a temporary file beside its target; only when all succeeded are
    // they renamed into place, so a failure in any output leaves every
    // previous output as it was.
    let rendered: Vec<Rendered> = on_threads(&jobs, CONCURRENT_OUTPUTS, |job| {
        let started = Instant::now();
        let mut out = render(plan, job, build)?;
        out.seconds = started.elapsed().as_secs_f64();
        progress.inc(1);
        Ok(out)
    })
    .into_iter()
    .collect::<Result<_, Failure>>()?;
    for (job, r) in jobs.iter().zip(&rendered) {
        match job.kind {
            OutputKind::Anki => report.timings.anki_seconds += r.seconds,
            OutputKind::Epub => report.timings.epub_seconds += r.seconds,
        }
    }
    let mut files = Vec::new();
    for (job, r) in jobs.iter().zip(rendered) {
        let out = OutputReport {
            kind: job.kind,
            path: job.path.clone(),
            group: job.group.key.as_ref().map(|k| k.slug.clone()),
            briefs: job.group.briefs.len(),
            bytes: r.bytes,
            sha256: r.sha256,
            notes: r.counts.map(|c| c.0),
            cards: r.counts.map(|c| c.1),
            written: r.file.is_some(),
        };
        files.extend(r.file);
        report.outputs.push(out);
    }
    // Renamed together: Ctrl-C leaves all the old outputs or all the new.
    AtomicFile::commit_all(files)?;
    if !quiet {
        for out in &report.outputs {
            progress.suspend(|| output::stderr(&format!("{}\n", out.summary_line())));
        }
    }
    progress.finish_and_clear();
    // The process ends soon: freeing every string one by one would only
    // delay the exit.
    std::mem::forget(library);
    Ok(())
}

/// How many outputs are rendered at once: a deck and a booklet.
const CONCURRENT_OUTPUTS: usize = 2;

/// Runs `f` on every item, `threads` items at a time, each on a thread of
/// its own; results come back in the items' order.
///
/// Plain threads rather than rayon tasks: the deck writer blocks its thread
/// while it waits for notes, which are made on rayon's threads. Run as a
/// rayon task, it would hold one of rayon's two threads idle, and the
/// booklet and the notes would share the other.
fn on_threads<T: Sync, R: Send>(items: &[T], threads: usize, f: impl Fn(&T) -> R + Sync) -> Vec<R> {
    use std::sync::Mutex;
    use std::sync::atomic::{AtomicUsize, Ordering};
    let next = AtomicUsize::new(0);
    let results: Mutex<Vec<Option<R>>> = Mutex::new(items.iter().map(|_| None).collect());
    std::thread::scope(|s| {
        for _ in 0..threads.min(items.len()) {
            s.spawn(|| {
                loop {
                    let i = next.fetch_add(1, Ordering::Relaxed);
                    let Some(item) = items.get(i) else { break };
                    let r = f(item);
                    results.lock().unwrap_or_else(|e| e.into_inner())[i] = Some(r);
                }
            });
        }
    });
    results
        .into_inner()
        .unwrap_or_else(|e| e.into_inner())
        .into_iter()
        .map(|r| r.expect("every item was run"))
        .collect()
}

/// One output, rendered and not yet in place.
struct Rendered {
    /// The temporary file awaiting its rename; `None` in a dry run.
    file: Option<AtomicFile>,
    bytes: u64,
    sha256: String,
    /// (notes, cards) of a deck.
    counts: Option<(usize, usize)>,
    seconds: f64,
}

/// Renders one output into a temporary file beside its target (an unnamed
/// temporary file in a dry run), then measures and hashes it.
fn render(plan: &Plan, job: &Job, build: BuildTime) -> Result<Rendered, Failure> {
    let target = if plan.export.dry_run {
        None
    } else {
        Some(AtomicFile::create(&job.path)?)
    };
    let mut scratch = match &target {
        Some(_) => None,
        None => Some(tempfile::tempfile().map_err(anyhow::Error::from)?),
    };
    let file: &std::fs::File = match (&target, &scratch) {
        (Some(t), _) => t.file(),
        (None, Some(s)) => s,
        (None, None) => unreachable!("one of the two exists"),
    };
    let write_error =
        |e: std::io::Error| anyhow::anyhow!("cannot write {}: {e}", job.path.display());
    let briefs = job.group.briefs;
    let counts = {
        let mut w = BufWriter::new(file);
        let counts = match job.kind {
            OutputKind::Anki => {
                let s = plan.anki.as_ref().expect("anki settings");
                let stats = anki::write_package(briefs, &s.notes, build, &mut w)
                    .with_context(|| format!("cannot write {}", job.path.display()))?;
                Some((stats.notes, stats.cards))
            }
            OutputKind::Epub => {
                let s = plan.epub.as_ref().expect("epub settings");
                let mut options = s.booklet.clone();
                if let Some(k) = &job.group.key {
                    options.title = format!("{} — {}", options.title, k.label);
                }
                let mut write = || epub::write(briefs, &options, &mut w);
                // Beside a deck, the booklet goes behind it (see `priority`).
                let written = if plan.anki.is_some() {
                    priority::behind(write)
                } else {
                    write()
                };
                written.with_context(|| format!("cannot write {}", job.path.display()))?;
                None
            }
        };
        w.flush().map_err(write_error)?;
        counts
    };
    // Only the JSON report shows the digest; reading a large output back
    // for nothing would lengthen the run.
    let (bytes, sha256) = if plan.export.json {
        hash_file(file).map_err(write_error)?
    } else {
        (file.metadata().map_err(write_error)?.len(), String::new())
    };
    scratch.take();
    Ok(Rendered {
        file: target,
        bytes,
        sha256,
        counts,
        seconds: 0.0,
    })
}

/// Size and SHA-256 of a file just written, read back from the start.
fn hash_file(mut file: &std::fs::File) -> std::io::Result<(u64, String)> {
    use sha2::{Digest, Sha256};
    use std::io::Read;
    file.seek(SeekFrom::Start(0))?;
    let mut hasher = Sha256::new();
    let mut buffer = vec![0u8; 1 << 16];
    let mut bytes = 0u64;
    loop {
        let n = file.read(&mut buffer)?;
        if n == 0 {
            break;
        }
        hasher.update(&buffer[..n]);
        bytes += n as u64;
    }
    Ok((bytes, crate::digest::to_hex(&hasher.finalize())))
}

/// Where an output goes. A single file export takes `-o` as the file; a
/// split export or `export all` takes it as a folder (default `output/`),
/// and a split adds the group to the file name: `briefdeck-2020-10.epub`.
fn output_path(plan: &Plan, file_name: &str, group: &Group) -> PathBuf {
    let folder_mode = plan.into_folder || plan.export.split_by.is_some();
    let name = match &group.key {
        Some(k) => {
            let (stem, ext) = file_name.rsplit_once('.').unwrap_or((file_name, ""));
            format!("{stem}-{}.{ext}", k.slug)
        }
        None => file_name.to_owned(),
    };
    match (plan.output, folder_mode) {
        (Some(o), true) => o.join(name),
        (Some(o), false) => o.to_path_buf(),
        (None, _) => PathBuf::from("output").join(name),
    }
}

/// A spinner on a terminal while something of unknown length runs.
fn spinner(message: &'static str, quiet: bool) -> ProgressBar {
    if quiet || !std::io::stderr().is_terminal() {
        return ProgressBar::hidden();
    }
    let spinner = ProgressBar::new_spinner();
    spinner.set_message(message);
    spinner.enable_steady_tick(Duration::from_millis(120));
    spinner
}

/// A progress bar on a terminal; nothing when stderr is not one (CI logs get
/// one summary line per output instead) or when quiet.
fn progress_bar(len: u64, quiet: bool) -> ProgressBar {
    if quiet || !std::io::stderr().is_terminal() {
        return ProgressBar::hidden();
    }
    let bar = ProgressBar::with_draw_target(Some(len), ProgressDrawTarget::stderr());
    bar.set_style(
        ProgressStyle::with_template("{spinner} [{bar:30}] {pos}/{len} {wide_msg}")
            .expect("valid template")
            .progress_chars("=> "),
    );
    bar.enable_steady_tick(Duration::from_millis(120));
    bar
}
