//! `briefdeck completions SHELL` and `briefdeck man`.

use crate::cli::Cli;
use crate::error::Failure;
use crate::output;
use clap::CommandFactory;

pub fn completions(shell: clap_complete::Shell) -> Result<(), Failure> {
    let mut script = Vec::new();
    clap_complete::generate(shell, &mut Cli::command(), "briefdeck", &mut script);
    output::stdout(&String::from_utf8_lossy(&script));
    Ok(())
}

pub fn man() -> Result<(), Failure> {
    let mut page = Vec::new();
    clap_mangen::Man::new(Cli::command())
        .render(&mut page)
        .map_err(anyhow::Error::from)?;
    output::stdout(&String::from_utf8_lossy(&page));
    Ok(())
}
