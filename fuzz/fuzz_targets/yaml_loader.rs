//! The YAML loader, as `check` runs it on one file: any bytes give briefs or
//! diagnostics (never a panic, a hang or unbounded memory), and whatever
//! loads exports: every Anki field and every EPUB document is well-formed
//! XML.
#![no_main]

use briefdeck::anki::{self, NoteOptions};
use briefdeck::cli::{CardKind, DeckBy, GroupBy};
use briefdeck::epub::{self, EpubOptions};
use briefdeck::export::BuildTime;
use libfuzzer_sys::fuzz_target;
use std::io::Read;
use std::path::Path;

fn well_formed(what: &str, xml: &str) {
    if let Err(e) = roxmltree::Document::parse_with_options(
        xml,
        roxmltree::ParsingOptions {
            allow_dtd: true,
            ..Default::default()
        },
    ) {
        panic!("{what} is not well-formed ({e}): {xml:?}");
    }
}

fuzz_target!(|data: &[u8]| {
    // The loader reads files as UTF-8 (anything else is an error before
    // parsing) and drops a leading byte-order mark.
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    // Images resolve under an empty folder: they are all missing.
    let root = std::env::temp_dir();
    let (briefs, diagnostics) = briefdeck::brief::load_str(text, Path::new("fuzz.yaml"), &root);
    assert!(!briefs.is_empty() || diagnostics.iter().any(|d| d.is_error()));
    if briefs.is_empty() || diagnostics.iter().any(|d| d.is_error()) {
        return;
    }

    let notes = anki::notes(
        &briefs,
        &NoteOptions {
            cards: vec![CardKind::Cloze, CardKind::Facts, CardKind::Why],
            deck_root: "Root".into(),
            deck_by: DeckBy::Subject,
        },
    );
    for note in &notes {
        for (i, field) in note.fields.iter().enumerate() {
            // The cloze note's image field is Anki HTML (`<img …>`).
            if note.notetype.name == "briefdeck Cloze" && i == 2 {
                continue;
            }
            well_formed("an Anki field", &format!("<root>{field}</root>"));
        }
    }

    let options = EpubOptions {
        title: "Fuzz".into(),
        author: "briefdeck".into(),
        publisher: None,
        description: None,
        language: "en".into(),
        group_by: GroupBy::Theme,
        term_questions: 3,
        build_time: BuildTime {
            epoch: 1_700_000_000,
            reproducible: true,
        },
    };
    let bytes = epub::build(&briefs, &options).expect("a booklet from valid briefs");
    let mut zip = zip::ZipArchive::new(std::io::Cursor::new(bytes)).expect("a zip");
    for i in 0..zip.len() {
        let mut f = zip.by_index(i).expect("an entry");
        let name = f.name().expect("a name").to_string();
        if name.ends_with(".xhtml") || name.ends_with(".opf") || name.ends_with(".ncx") {
            let mut xml = String::new();
            f.read_to_string(&mut xml).expect("UTF-8");
            well_formed(&name, &xml);
        }
    }
});
