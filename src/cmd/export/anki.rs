//! `briefdeck export anki`.

use crate::cli::AnkiArgs;
use crate::error::Failure;

pub fn run(_args: &AnkiArgs) -> Result<(), Failure> {
    Err(Failure::Usage(
        "the Anki exporter is not written yet".into(),
    ))
}
