//! `briefdeck export epub`.

use crate::cli::EpubArgs;
use crate::epub::{self, EpubOptions};
use crate::error::Failure;
use crate::export::write_atomic;
use crate::output;

pub fn run(args: &EpubArgs) -> Result<(), Failure> {
    let library = super::load_valid(&args.sources)?;
    let options = EpubOptions {
        title: args.title.clone(),
        author: args.author.clone(),
        publisher: args.publisher.clone(),
        language: args.language.clone(),
        group_by: args.group_by,
        build_time: super::build_time()?,
    };
    write_atomic(&args.output, |w| epub::write(&library.briefs, &options, w))?;
    output::stderr(&format!("wrote {}\n", args.output.display()));
    Ok(())
}
