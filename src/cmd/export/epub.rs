//! `briefdeck export epub`.

use crate::cli::EpubArgs;
use crate::epub::{self, EpubOptions};
use crate::error::Failure;
use crate::export::write_atomic;
use crate::output;
use std::time::Instant;

pub fn run(args: &EpubArgs) -> Result<(), Failure> {
    let start = Instant::now();
    let library = super::load_valid(&args.sources)?;
    let loaded = start.elapsed();
    let options = EpubOptions {
        title: args.title.clone(),
        author: args.author.clone(),
        publisher: args.publisher.clone(),
        description: args.description.clone(),
        language: args.language.clone(),
        group_by: args.group_by,
        term_questions: args.term_questions,
        build_time: super::build_time()?,
    };
    // Built in memory first: a failure leaves any previous booklet untouched.
    let bytes = epub::build(&library.briefs, &options)?;
    let built = start.elapsed();
    write_atomic(&args.output, |w| Ok(std::io::Write::write_all(w, &bytes)?))?;
    output::stderr(&format!(
        "wrote {} ({} briefs, {} KB)\n",
        args.output.display(),
        library.briefs.len(),
        bytes.len().div_ceil(1024)
    ));
    // For benchmarks: where the time goes (see bench/README.md).
    if std::env::var_os("BRIEFDECK_TIMINGS").is_some() {
        output::stderr(&format!(
            "timings: load {:.3} s, build {:.3} s, write {:.3} s\n",
            loaded.as_secs_f64(),
            (built - loaded).as_secs_f64(),
            (start.elapsed() - built).as_secs_f64()
        ));
    }
    Ok(())
}
