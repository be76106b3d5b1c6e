//! `briefdeck export anki`, verified with the official Anki library: import
//! into a fresh collection, check notes, cards and rendering, then rebuild
//! after edits and check that re-imports update in place and keep reviews.

use crate::common::{anki_check, briefdeck, repo, run, synthetic_sources, tools_venv, write};
use serde_json::Value;
use std::path::{Path, PathBuf};

/// The headless Anki client (`tests/tools/anki_check.py`).
struct Anki {
    collection: PathBuf,
}

impl Anki {
    fn new(test: &str, dir: &Path) -> Option<Anki> {
        tools_venv(test)?;
        Some(Anki {
            collection: dir.join("collection.anki2"),
        })
    }

    fn call(&self, args: &[&str]) -> Value {
        anki_check(args)
    }

    fn import(&self, apkg: &Path) -> Value {
        self.call(&["import", self.col(), apkg.to_str().unwrap()])
    }

    fn dump(&self) -> Value {
        self.call(&["dump", self.col()])
    }

    fn review_all(&self) -> Value {
        self.call(&["review", self.col()])
    }

    fn col(&self) -> &str {
        self.collection.to_str().unwrap()
    }
}

/// Builds a package from `sources` at build time `epoch`.
fn export(sources: &Path, out: &Path, epoch: i64) -> String {
    let r = run(briefdeck()
        .args(["export", "anki"])
        .arg(sources)
        .arg("-o")
        .arg(out)
        .env("SOURCE_DATE_EPOCH", epoch.to_string()));
    assert_eq!(r.code, 0, "export failed:\n{}", r.stderr);
    r.stderr
}

fn log_count(import: &Value, kind: &str) -> u64 {
    import["log"][kind]
        .as_u64()
        .unwrap_or_else(|| panic!("no log.{kind} in {import}"))
}

/// The package's collection, extracted into `dir` (which checks its CRC)
/// and opened, after SQLite's integrity check passed on it.
fn sound_collection(apkg: &Path, dir: &Path) -> rusqlite::Connection {
    let mut archive = zip::ZipArchive::new(std::fs::File::open(apkg).unwrap()).unwrap();
    let mut entry = archive.by_name("collection.anki2").unwrap();
    let db = dir.join("extracted.anki2");
    // Reading to the end checks the CRC.
    std::io::copy(&mut entry, &mut std::fs::File::create(&db).unwrap()).unwrap();
    let conn = rusqlite::Connection::open(&db).unwrap();
    let check: String = conn
        .query_row("PRAGMA integrity_check", [], |r| r.get(0))
        .unwrap();
    assert_eq!(check, "ok");
    conn
}

/// A note longer than a page keeps the start of its record on its leaf and
/// the rest on overflow pages (src/anki/sqlite_file.rs); a sort field that
/// reads as a number is stored as a number, as SQLite stores text given to
/// an integer column. Both must come back whole, in SQLite and in Anki.
#[test]
fn notes_longer_than_a_page_and_numeric_sort_fields_come_back_whole() {
    let dir = tempfile::tempdir().unwrap();
    let sources = dir.path().join("sources");
    let long_ascii = "abc ".repeat(7_500);
    let long_utf8 = "भारत ".repeat(1_500);
    write(
        &sources,
        "long.yaml",
        format!(
            "title: Long\ndate: 2024-01-01\nwhy_in_news: W **x**\nkey_points:\n  \
             - \"A **term** {long_ascii}\"\n  - \"Another **thing** {long_utf8}\"\n\
             facts:\n  - q: \"1947\"\n    a: \"**Independence**\"\n"
        ),
    );
    let apkg = dir.path().join("long.apkg");
    export(&sources, &apkg, 1_700_000_000);
    let conn = sound_collection(&apkg, dir.path());
    let fields: Vec<String> = conn
        .prepare("SELECT flds FROM notes ORDER BY id")
        .unwrap()
        .query_map([], |r| r.get(0))
        .unwrap()
        .map(Result::unwrap)
        .collect();
    for text in [long_ascii.trim_end(), long_utf8.trim_end()] {
        assert!(
            fields.iter().any(|f| f.contains(text) && f.len() > 16_384),
            "no note holds the long text whole"
        );
    }
    let sort_field: (String, i64) = conn
        .query_row(
            "SELECT typeof(sfld), sfld FROM notes WHERE sfld = 1947",
            [],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )
        .unwrap();
    assert_eq!(sort_field, ("integer".to_string(), 1947));

    let Some(anki) = Anki::new(
        "notes_longer_than_a_page_and_numeric_sort_fields_come_back_whole",
        dir.path(),
    ) else {
        return;
    };
    let import = anki.import(&apkg);
    assert_eq!(log_count(&import, "new"), fields.len() as u64, "{import}");
    let dump = anki.dump();
    let anki_fields: Vec<String> = dump["notes"]
        .as_array()
        .unwrap()
        .iter()
        .flat_map(|n| n["fields"].as_object().unwrap().values())
        .map(|v| v.as_str().unwrap().to_string())
        .collect();
    for text in [long_ascii.trim_end(), long_utf8.trim_end(), "1947"] {
        assert!(
            anki_fields.iter().any(|f| f.contains(text)),
            "Anki lost a field: {}",
            text.chars().take(20).collect::<String>()
        );
    }
}

/// The collection is written page by page, without SQLite
/// (src/anki/sqlite_file.rs), and deflated in pieces as it is written
/// (src/anki/deflate.rs). A deck of several pieces, with interior pages in
/// its tables and indexes, must be a whole, sound database: SQLite's
/// integrity check (which also checks every index against its table), the
/// row counts, and a real Anki import.
#[test]
fn a_large_deck_written_page_by_page_is_whole() {
    let dir = tempfile::tempdir().unwrap();
    let src = dir.path().join("synthetic");
    synthetic_sources(&src, 400);
    let apkg = dir.path().join("big.apkg");
    let summary = export(&src, &apkg, 1_700_000_000);
    let counts: Vec<u64> = summary
        .split(|c: char| !c.is_ascii_digit())
        .filter_map(|n| n.parse().ok())
        .collect();
    // "wrote …/big.apkg (N MiB): NOTES notes, CARDS cards from 400 briefs"
    let [.., notes, cards, 400] = counts[..] else {
        panic!("unexpected summary: {summary}")
    };

    let conn = sound_collection(&apkg, dir.path());
    let pages: i64 = conn
        .query_row("PRAGMA page_count", [], |r| r.get(0))
        .unwrap();
    assert!(
        pages * 16384 > 3 << 20,
        "too small for several pieces: {pages} pages"
    );
    let count = |table: &str| -> u64 {
        conn.query_row(&format!("SELECT count(*) FROM {table}"), [], |r| {
            r.get::<_, i64>(0)
        })
        .unwrap() as u64
    };
    assert_eq!((count("notes"), count("cards")), (notes, cards));
    let indexes: i64 = conn
        .query_row(
            "SELECT count(*) FROM sqlite_schema WHERE type = 'index'",
            [],
            |r| r.get(0),
        )
        .unwrap();
    assert_eq!(indexes, 7);

    let Some(anki) = Anki::new("a_large_deck_written_page_by_page_is_whole", dir.path()) else {
        return;
    };
    let import = anki.import(&apkg);
    assert_eq!(log_count(&import, "new"), notes, "{import}");
    let dump = anki.dump();
    assert_eq!(dump["totals"]["notes"], notes);
    assert_eq!(dump["totals"]["cards"], cards);
}

#[test]
fn sample_deck_imports_into_real_anki() {
    let dir = tempfile::tempdir().unwrap();
    let Some(anki) = Anki::new("sample_deck_imports_into_real_anki", dir.path()) else {
        return;
    };
    let apkg = dir.path().join("deck.apkg");
    let summary = export(&repo().join("tests/fixtures/good"), &apkg, 1_700_000_000);
    // Notes: per brief a "why" Q&A and a why-in-news cloze (8), the dialogue's
    // 4 key points with text, its background, way forward and fact (7), one
    // point per digest brief (3). Cards: one per distinct key term of each
    // cloze note (22) plus the 5 Q&A. Decks: the root and 4 subjects.
    assert!(
        summary.contains("18 notes, 27 cards from 4 briefs"),
        "{summary}"
    );

    let import = anki.import(&apkg);
    assert_eq!(log_count(&import, "new"), 18, "{import}");
    for kind in [
        "updated",
        "duplicate",
        "conflicting",
        "missing_notetype",
        "missing_deck",
        "empty_first_field",
    ] {
        assert_eq!(log_count(&import, kind), 0, "{kind}: {import}");
    }
    let dump = anki.dump();
    assert_eq!(dump["totals"]["notes"], 18);
    assert_eq!(dump["totals"]["cards"], 27);

    let decks: Vec<&str> = dump["decks"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| d["name"].as_str().unwrap())
        .collect();
    for deck in [
        "Current Affairs",
        "Current Affairs::Economy",
        "Current Affairs::International Relations",
        "Current Affairs::Polity & Governance",
        "Current Affairs::Science & Technology",
    ] {
        assert!(decks.contains(&deck), "{deck} missing from {decks:?}");
    }

    let notetype = |name: &str| {
        dump["notetypes"]
            .as_array()
            .unwrap()
            .iter()
            .find(|n| n["name"] == name)
            .unwrap_or_else(|| panic!("note type {name} missing"))
            .clone()
    };
    let field_names = |nt: &Value| -> Vec<String> {
        nt["fields"]
            .as_array()
            .unwrap()
            .iter()
            .map(|f| {
                f.as_str()
                    .map(str::to_owned)
                    .unwrap_or_else(|| f["name"].as_str().unwrap().to_owned())
            })
            .collect()
    };
    assert_eq!(
        field_names(&notetype("briefdeck Cloze")),
        [
            "Text", "Context", "Image", "Source", "Date", "Subject", "BriefId"
        ]
    );
    assert_eq!(
        field_names(&notetype("briefdeck Q&A")),
        [
            "Front", "Back", "Context", "Source", "Date", "Subject", "BriefId"
        ]
    );

    // A cloze card hides its own term and shows it on the answer side.
    let cards = dump["cards"].as_array().unwrap();
    let cloze = cards
        .iter()
        .find(|c| {
            c["question"]
                .as_str()
                .unwrap()
                .contains("data-cloze=\"capacity&#x20;building\"")
        })
        .expect("a card for the term `capacity building`");
    let q = cloze["question"].as_str().unwrap();
    assert!(q.contains("[...]"), "{q}");
    assert!(!q.contains(">capacity building<"), "{q}");
    let a = cloze["answer"].as_str().unwrap();
    assert!(a.contains(">capacity building</span>"), "{a}");
    assert!(
        a.contains("India-Japan Foreign Ministers&#x27;")
            || a.contains("India-Japan Foreign Ministers&#39;"),
        "context on the back: {a}"
    );
    assert!(
        a.contains("Key Points › Cyber Security MoC"),
        "heading path on the back: {a}"
    );
    assert!(a.contains("2020-10-07"), "{a}");
    assert!(
        a.contains("<a href=\"https://www.thehindu.com/news/national/example\">The Hindu</a>"),
        "{a}"
    );

    // A label (`**Significance:**`) is not a cloze, and its point's card
    // asks for `5G` only.
    let significance: Vec<&Value> = cards
        .iter()
        .filter(|c| c["question"].as_str().unwrap().contains("Significance:"))
        .collect();
    assert_eq!(
        significance.len(),
        1,
        "one card (5G) for the labelled point"
    );
    assert!(
        significance[0]["question"]
            .as_str()
            .unwrap()
            .contains("data-cloze=\"5G\"")
    );

    // The image travels as media and shows on the back.
    let media = dump["media_files"].as_array().unwrap();
    assert_eq!(media.len(), 1, "{media:?}");
    let image_card = cards
        .iter()
        .find(|c| c["answer"].as_str().unwrap().contains("<img src="))
        .expect("a card with the map");
    assert!(
        image_card["answer"]
            .as_str()
            .unwrap()
            .contains("alt=\"A sketch map of an island in the Indian Ocean\"")
    );

    // Why in News and the fact are Q&A cards.
    assert!(cards.iter().any(|c| {
        c["question"]
            .as_str()
            .unwrap()
            .contains("Why in News: Chandrayaan-3")
    }));
    let fact = cards
        .iter()
        .find(|c| {
            c["question"]
                .as_str()
                .unwrap()
                .contains("At which summit did India launch the IPOI?")
        })
        .expect("the fact card");
    assert!(
        fact["answer"]
            .as_str()
            .unwrap()
            .contains("East Asia Summit")
    );

    // Tags: subject, month, brief id, user tags.
    let note = dump["notes"]
        .as_array()
        .unwrap()
        .iter()
        .find(|n| n["fields"]["BriefId"] == "test-dialogue-2020")
        .unwrap();
    let tags: Vec<&str> = note["tags"]
        .as_array()
        .unwrap()
        .iter()
        .map(|t| t.as_str().unwrap())
        .collect();
    for t in [
        "International_Relations",
        "2020-10",
        "test-dialogue-2020",
        "india-japan",
        "cybersecurity",
    ] {
        assert!(tags.contains(&t), "{t} missing from {tags:?}");
    }
}

const BASE: &str = r#"id: reimport
title: Re-import test
date: 2024-03-01
subject: Economy
why_in_news: The **Monetary Policy Committee** met.
key_points:
  - The **repo rate** stayed at 6.5 per cent.
  - The **reverse repo** is no longer the floor of the corridor.
  - The **Standing Deposit Facility** is the floor now.
facts:
  - q: Who sets the repo rate?
    a: The **Monetary Policy Committee**
"#;

/// Card state by (note guid, ord): (reps, ivl, type).
fn review_state(dump: &Value) -> std::collections::BTreeMap<(String, u64), (u64, u64, u64)> {
    let guid_of: std::collections::HashMap<u64, String> = dump["notes"]
        .as_array()
        .unwrap()
        .iter()
        .map(|n| {
            (
                n["id"].as_u64().unwrap(),
                n["guid"].as_str().unwrap().to_owned(),
            )
        })
        .collect();
    dump["cards"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| {
            (
                (
                    guid_of[&c["nid"].as_u64().unwrap()].clone(),
                    c["ord"].as_u64().unwrap(),
                ),
                (
                    c["reps"].as_u64().unwrap(),
                    c["ivl"].as_u64().unwrap(),
                    c["type"].as_u64().unwrap(),
                ),
            )
        })
        .collect()
}

#[test]
fn rebuilt_decks_update_in_place_and_keep_reviews() {
    let dir = tempfile::tempdir().unwrap();
    let Some(anki) = Anki::new("rebuilt_decks_update_in_place_and_keep_reviews", dir.path()) else {
        return;
    };
    let sources = dir.path().join("sources");
    let brief = write(&sources, "reimport.yaml", BASE);
    let apkg = dir.path().join("deck.apkg");
    let mut epoch = 1_700_000_000;

    export(&sources, &apkg, epoch);
    let first = anki.import(&apkg);
    // why Q&A, why-in-news cloze, 3 point clozes, 1 fact.
    assert_eq!(log_count(&first, "new"), 6, "{first}");
    anki.review_all();
    let reviewed = review_state(&anki.dump());
    assert_eq!(reviewed.len(), 6);
    assert!(
        reviewed.values().all(|(reps, _, _)| *reps == 1),
        "{reviewed:?}"
    );

    // Each edit: (what, new YAML, expected new notes, expected total notes).
    let edits: [(&str, String, u64, u64); 5] = [
        (
            "wording fixed outside the bold terms",
            BASE.replace("stayed at 6.5 per cent", "was kept unchanged at 6.50%"),
            0,
            6,
        ),
        (
            "a point inserted",
            BASE.replace(
                "key_points:\n",
                "key_points:\n  - The **marginal standing facility** is the ceiling.\n",
            ),
            1,
            7,
        ),
        (
            "points reordered",
            BASE.replace(
                "  - The **repo rate** stayed at 6.5 per cent.\n  - The **reverse repo** is no longer the floor of the corridor.\n",
                "  - The **reverse repo** is no longer the floor of the corridor.\n  - The **repo rate** stayed at 6.5 per cent.\n",
            ),
            0,
            7,
        ),
        (
            "a point removed",
            BASE.replace("  - The **reverse repo** is no longer the floor of the corridor.\n", ""),
            0,
            7,
        ),
        (
            "a bold term added to a point",
            BASE.replace("stayed at 6.5 per cent", "stayed at **6.5 per cent**"),
            0,
            7,
        ),
    ];
    for (what, yaml, new, total) in edits {
        epoch += 3600;
        std::fs::write(&brief, &yaml).unwrap();
        export(&sources, &apkg, epoch);
        let import = anki.import(&apkg);
        assert_eq!(log_count(&import, "new"), new, "{what}: {import}");
        assert_eq!(log_count(&import, "duplicate"), 0, "{what}: {import}");
        assert_eq!(log_count(&import, "conflicting"), 0, "{what}: {import}");
        let incoming = import["found_notes"].as_u64().unwrap();
        // Every incoming note that is not new is newer than its copy: updated.
        assert_eq!(
            log_count(&import, "updated"),
            incoming - new,
            "{what}: {import}"
        );
        let dump = anki.dump();
        assert_eq!(
            dump["totals"]["notes"].as_u64(),
            Some(total),
            "{what}: no duplicates"
        );
        // Every card reviewed before still has its review.
        let now = review_state(&dump);
        for (card, state) in &reviewed {
            assert_eq!(
                now.get(card),
                Some(state),
                "{what}: review of {card:?} lost"
            );
        }
    }

    // The last edit gave the repo-rate note a second cloze: a new card,
    // and the note's text now holds the new wording.
    let dump = anki.dump();
    let note = dump["notes"]
        .as_array()
        .unwrap()
        .iter()
        .find(|n| {
            n["fields"]["Text"]
                .as_str()
                .is_some_and(|t| t.contains("repo rate}}"))
        })
        .expect("repo rate note");
    assert!(
        note["fields"]["Text"]
            .as_str()
            .unwrap()
            .contains("::6.5 per cent}}"),
        "{note}"
    );
    let cards_of_note = dump["cards"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|c| c["nid"] == note["id"])
        .count();
    assert_eq!(cards_of_note, 2);
}

#[test]
fn same_sources_and_epoch_give_identical_packages() {
    let dir = tempfile::tempdir().unwrap();
    let a = dir.path().join("a.apkg");
    let b = dir.path().join("b.apkg");
    export(&repo().join("sources"), &a, 1_700_000_000);
    export(&repo().join("sources"), &b, 1_700_000_000);
    assert_eq!(std::fs::read(&a).unwrap(), std::fs::read(&b).unwrap());
    export(&repo().join("sources"), &b, 1_700_000_001);
    assert_ne!(
        std::fs::read(&a).unwrap(),
        std::fs::read(&b).unwrap(),
        "the build time is in the package"
    );
}

/// A deck of several pieces, deflated on one thread and on four: the pieces
/// finish in a different order, the package must not change.
#[test]
fn a_package_of_many_pieces_is_the_same_on_any_number_of_threads() {
    let dir = tempfile::tempdir().unwrap();
    let src = dir.path().join("synthetic");
    synthetic_sources(&src, 400);
    let packages: Vec<Vec<u8>> = ["1", "4"]
        .iter()
        .map(|threads| {
            let apkg = dir.path().join(format!("t{threads}.apkg"));
            let r = run(briefdeck()
                .args(["export", "anki"])
                .arg(&src)
                .arg("-o")
                .arg(&apkg)
                .env("SOURCE_DATE_EPOCH", "1700000000")
                .env("RAYON_NUM_THREADS", threads));
            assert_eq!(r.code, 0, "{}", r.stderr);
            std::fs::read(&apkg).unwrap()
        })
        .collect();
    let mut archive = zip::ZipArchive::new(std::io::Cursor::new(&packages[0])).unwrap();
    let collection = archive.by_name("collection.anki2").unwrap().size();
    assert!(collection > 3 << 20, "several pieces: {collection} bytes");
    assert!(
        packages[0] == packages[1],
        "the thread count changed the package"
    );
}

#[test]
fn template_syntax_in_sources_makes_no_cloze_or_substitution() {
    let dir = tempfile::tempdir().unwrap();
    let Some(anki) = Anki::new(
        "template_syntax_in_sources_makes_no_cloze_or_substitution",
        dir.path(),
    ) else {
        return;
    };
    let sources = dir.path().join("sources");
    write(
        &sources,
        "hostile.yaml",
        "title: \"{{Front}} <script>alert(1)</script>\"\ndate: 2024-01-01\nwhy_in_news: \"{{c1::leak}} and {{BriefId}} near **one term**\"\nkey_points:\n  - \"A **term** then {{c9::not a cloze}} and <img src=x onerror=alert(1)>\"\n",
    );
    let apkg = dir.path().join("deck.apkg");
    export(&sources, &apkg, 1_700_000_000);
    anki.import(&apkg);
    let dump = anki.dump();
    let cards = dump["cards"].as_array().unwrap();
    // why Q&A (1), why-in-news cloze with one term (1), the point with one term (1).
    assert_eq!(cards.len(), 3, "no extra cloze numbers: {dump}");
    for c in cards {
        for side in ["question", "answer"] {
            let html = c[side].as_str().unwrap();
            assert!(!html.contains("<script"), "{html}");
            assert!(!html.contains("<img src=\"x\""), "{html}");
            assert!(!html.contains("<img src=x"), "{html}");
        }
    }
    let why = cards
        .iter()
        .find(|c| c["question"].as_str().unwrap().contains("Why in News"))
        .unwrap();
    // `{{Front}}` in the title stays literal text (escaped braces), not the
    // Front field again.
    assert!(
        why["question"]
            .as_str()
            .unwrap()
            .contains("Why in News: &#123;&#123;Front&#125;&#125; &lt;script&gt;"),
        "{}",
        why["question"]
    );
}

#[test]
fn invalid_sources_leave_the_old_package_untouched() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("deck.apkg");
    std::fs::write(&out, b"previous package").unwrap();
    let r = run(briefdeck()
        .args([
            "export",
            "anki",
            "tests/fixtures/bad/invalid-date.yaml",
            "-o",
        ])
        .arg(&out));
    assert_eq!(r.code, 1, "{}", r.stderr);
    assert!(
        r.stderr
            .contains("invalid-date.yaml:2:7: error: invalid date"),
        "{}",
        r.stderr
    );
    assert!(r.stderr.contains("nothing was written"), "{}", r.stderr);
    assert_eq!(std::fs::read(&out).unwrap(), b"previous package");
    assert_eq!(
        std::fs::read_dir(dir.path()).unwrap().count(),
        1,
        "no temp files left"
    );
}

#[test]
fn an_unwritable_output_is_a_clear_failure() {
    let dir = tempfile::tempdir().unwrap();
    let blocker = dir.path().join("file");
    std::fs::write(&blocker, b"x").unwrap();
    // A path below a regular file can never be created.
    let r = run(briefdeck()
        .args(["export", "anki", "tests/fixtures/good", "-o"])
        .arg(blocker.join("deck.apkg")));
    assert_eq!(r.code, 3, "{}", r.stderr);
    assert!(
        r.stderr.contains("error: cannot create the folder"),
        "{}",
        r.stderr
    );
    // A directory as output.
    let r = run(briefdeck()
        .args(["export", "anki", "tests/fixtures/good", "-o"])
        .arg(dir.path()));
    assert_eq!(r.code, 3, "{}", r.stderr);
    assert!(r.stderr.contains("is a directory"), "{}", r.stderr);
}

#[test]
fn card_kinds_and_deck_layout_are_chosen_on_the_command_line() {
    let dir = tempfile::tempdir().unwrap();
    let Some(anki) = Anki::new(
        "card_kinds_and_deck_layout_are_chosen_on_the_command_line",
        dir.path(),
    ) else {
        return;
    };
    let apkg = dir.path().join("deck.apkg");
    let r = run(briefdeck()
        .args([
            "export",
            "anki",
            "tests/fixtures/good",
            "--cards",
            "facts",
            "--deck-by",
            "month",
            "--deck-root",
            "UPSC",
            "-o",
        ])
        .arg(&apkg));
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert!(
        r.stderr.contains("1 notes, 1 cards from 4 briefs"),
        "{}",
        r.stderr
    );
    anki.import(&apkg);
    let dump = anki.dump();
    let card = &dump["cards"][0];
    assert_eq!(card["deck"], "UPSC::2020-10", "{card}");
}

#[test]
fn oversized_fields_are_refused_and_the_old_package_survives() {
    let dir = tempfile::tempdir().unwrap();
    let sources = dir.path().join("sources");
    let huge = format!(
        "title: Huge\ndate: 2024-01-01\nwhy_in_news: W **x**\nkey_points:\n  - \"A **term** {}\"\n",
        "word ".repeat(10_000)
    );
    write(&sources, "huge.yaml", huge);
    let out = dir.path().join("deck.apkg");
    std::fs::write(&out, b"previous package").unwrap();
    let r = run(briefdeck()
        .args(["export", "anki"])
        .arg(&sources)
        .arg("-o")
        .arg(&out));
    assert_eq!(r.code, 1, "{}", r.stderr);
    assert!(
        r.stderr.contains("huge.yaml:5:5: error: `key_points` is 48.8 KiB, over the limit of 32.0 KiB for one text"),
        "{}",
        r.stderr
    );
    assert_eq!(std::fs::read(&out).unwrap(), b"previous package");
}
