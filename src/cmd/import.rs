//! `briefdeck import`: draft briefs from Markdown articles.

use crate::cli::ImportArgs;
use crate::error::Failure;

pub fn run(_args: &ImportArgs) -> Result<(), Failure> {
    Err(Failure::Usage("`import` is not written yet".into()))
}
