//! `briefdeck check`: validate the sources and summarise them.

use crate::brief::summary::Summary;
use crate::cli::{CheckArgs, Format};
use crate::diagnostic::Diagnostic;
use crate::error::Failure;
use crate::output;
use serde::Serialize;

#[derive(Serialize)]
struct JsonReport<'a> {
    ok: bool,
    errors: usize,
    warnings: usize,
    summary: &'a Summary,
    diagnostics: &'a [Diagnostic],
}

pub fn run(args: &CheckArgs) -> Result<(), Failure> {
    let library = super::load_sources(&args.sources)?;
    let summary = Summary::of(&library.briefs, library.files);
    let report = &library.report;
    match args.format {
        Format::Json => {
            let json = JsonReport {
                ok: !report.has_errors(),
                errors: report.error_count(),
                warnings: report.warning_count(),
                summary: &summary,
                diagnostics: &report.diagnostics,
            };
            let text = serde_json::to_string_pretty(&json).map_err(anyhow::Error::from)?;
            output::stdout(&format!("{text}\n"));
        }
        Format::Text => {
            output::stderr(&report.render(&library.sources));
            if !args.quiet && !report.has_errors() {
                output::stdout(&summary.render());
            }
            let (e, w) = (report.error_count(), report.warning_count());
            if e > 0 || w > 0 || !args.quiet {
                output::stderr(&format!(
                    "{}: {} brief(s) in {} file(s), {e} error(s), {w} warning(s)\n",
                    if e > 0 { "invalid" } else { "ok" },
                    library.briefs.len(),
                    library.files,
                ));
            }
        }
    }
    if report.has_errors() {
        Err(Failure::Invalid)
    } else {
        Ok(())
    }
}
