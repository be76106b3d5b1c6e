//! `briefdeck export anki`.

use crate::anki::{self, NoteOptions};
use crate::cli::AnkiArgs;
use crate::error::Failure;
use crate::export::write_atomic;
use crate::output;

pub fn run(args: &AnkiArgs) -> Result<(), Failure> {
    if args.deck_root.trim().is_empty() {
        return Err(Failure::Usage("--deck-root must not be empty".into()));
    }
    let library = super::load_valid(&args.sources)?;
    let build = super::build_time()?;
    let notes = anki::notes(
        &library.briefs,
        &NoteOptions {
            cards: args.cards.clone(),
            deck_root: args.deck_root.trim().to_owned(),
            deck_by: args.deck_by,
        },
    );
    let mut stats = None;
    write_atomic(&args.output, |w| {
        stats = Some(anki::write_apkg(&notes, build, w)?);
        Ok(())
    })?;
    let stats = stats.expect("written");
    output::stderr(&format!(
        "wrote {}: {} notes, {} cards, {} decks, {} media files from {} briefs\n",
        args.output.display(),
        stats.notes,
        stats.cards,
        stats.decks,
        stats.media,
        library.briefs.len()
    ));
    // The process ends here: freeing tens of thousands of small strings one
    // by one would only delay the exit.
    std::mem::forget((library, notes));
    Ok(())
}
