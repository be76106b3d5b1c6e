//! The `.apkg` writer.
//!
//! Format decisions:
//!
//! - **Legacy `collection.anki2`, schema 11**, the format Python genanki
//!   writes: a zip holding one SQLite database (`col`, `notes`, `cards`,
//!   `revlog`, `graves`; note types, decks and options as JSON in `col`), a
//!   `media` file mapping `"0"`, `"1"`, … to media names, and the media files
//!   stored under those numbers. Every Anki since 2.1 (desktop 2.1–25.x and
//!   later, AnkiDroid, AnkiMobile) imports it and upgrades it on the fly.
//! - **Ids.** Note types have fixed ids ([`super::notetype`]). Deck ids are
//!   hashed from deck names (Anki matches decks by name anyway). Note and card
//!   ids count up from the build time in milliseconds, like ids Anki makes
//!   itself; Anki matches notes by GUID, not id, and re-numbers on a clash.
//! - **Modification times** are the build time: `SOURCE_DATE_EPOCH` when set,
//!   else now. Anki applies an incoming note only when it is strictly newer
//!   than its copy, so each rebuild must carry a later time.
//! - **Reproducible**: with the same notes and build time, the SQLite file
//!   and the zip (fixed entry times, fixed order, JSON with sorted keys) are
//!   byte-identical.
//! - **Written without SQLite** ([`super::sqlite_file`]): the collection is
//!   written once and never changed, so its B-tree pages are laid out
//!   directly, rows in id order and indexes from their sorted keys, the way
//!   SQLite's file format describes them; the tests check every package
//!   with SQLite's integrity check and real Anki. Through SQLite (prepared
//!   statements, then `CREATE INDEX`, then the file deflated) the same deck
//!   took about a fifth longer, most of it on one thread.
//! - **Fast**: the rows of the next few dozen briefs are made on the other
//!   threads while the current ones are written, so memory stays bounded;
//!   every full 1 MiB piece of the collection is deflated (fast level) on
//!   the other threads while the next is written, and the pieces join into
//!   one stream ([`super::deflate`]).

use super::deflate::{DeflatedCollection, PIECE, deflate_pieces, deflated_collection};
use super::guid::hash64;
use super::notes::{self, NoteOptions};
use super::notetype::{CLOZE, QA};
use super::sqlite_file::{
    self, Affinity, PAGE_SIZE, Pages, SchemaEntry, Table, Value, encode_int_record, encode_record,
    first_page,
};
use crate::brief::Brief;
use crate::export::BuildTime;
use anyhow::{Context as _, Result};
use serde_json::{Map, json};
use std::collections::BTreeMap;
use std::io::{Seek, Write};
use std::ops::Range;
use std::path::PathBuf;
use zip::write::SimpleFileOptions;
use zip::{CompressionMethod, DateTime, ZipWriter};

/// What was written, for the summary line.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct PackageStats {
    pub notes: usize,
    pub cards: usize,
    pub decks: usize,
    pub media: usize,
}

/// The tables and indexes of schema 11, as Anki and genanki create them
/// (kind, name, table, statement); root pages are assigned as they are
/// written.
const SCHEMA: [(&str, &str, &str, &str); 12] = [
    (
        "table",
        "col",
        "col",
        "CREATE TABLE col (id integer primary key, crt integer not null, mod integer not null, \
         scm integer not null, ver integer not null, dty integer not null, usn integer not null, \
         ls integer not null, conf text not null, models text not null, decks text not null, \
         dconf text not null, tags text not null)",
    ),
    (
        "table",
        "notes",
        "notes",
        "CREATE TABLE notes (id integer primary key, guid text not null, mid integer not null, \
         mod integer not null, usn integer not null, tags text not null, flds text not null, \
         sfld integer not null, csum integer not null, flags integer not null, data text not null)",
    ),
    (
        "table",
        "cards",
        "cards",
        "CREATE TABLE cards (id integer primary key, nid integer not null, did integer not null, \
         ord integer not null, mod integer not null, usn integer not null, type integer not null, \
         queue integer not null, due integer not null, ivl integer not null, factor integer not null, \
         reps integer not null, lapses integer not null, left integer not null, odue integer not null, \
         odid integer not null, flags integer not null, data text not null)",
    ),
    (
        "table",
        "revlog",
        "revlog",
        "CREATE TABLE revlog (id integer primary key, cid integer not null, usn integer not null, \
         ease integer not null, ivl integer not null, lastIvl integer not null, factor integer not null, \
         time integer not null, type integer not null)",
    ),
    (
        "table",
        "graves",
        "graves",
        "CREATE TABLE graves (usn integer not null, oid integer not null, type integer not null)",
    ),
    (
        "index",
        "ix_notes_usn",
        "notes",
        "CREATE INDEX ix_notes_usn on notes (usn)",
    ),
    (
        "index",
        "ix_cards_usn",
        "cards",
        "CREATE INDEX ix_cards_usn on cards (usn)",
    ),
    (
        "index",
        "ix_revlog_usn",
        "revlog",
        "CREATE INDEX ix_revlog_usn on revlog (usn)",
    ),
    (
        "index",
        "ix_cards_nid",
        "cards",
        "CREATE INDEX ix_cards_nid on cards (nid)",
    ),
    (
        "index",
        "ix_cards_sched",
        "cards",
        "CREATE INDEX ix_cards_sched on cards (did, queue, due)",
    ),
    (
        "index",
        "ix_revlog_cid",
        "revlog",
        "CREATE INDEX ix_revlog_cid on revlog (cid)",
    ),
    (
        "index",
        "ix_notes_csum",
        "notes",
        "CREATE INDEX ix_notes_csum on notes (csum)",
    ),
];

/// The deck options group every deck of the package uses.
const DECK_CONFIG_ID: i64 = 1;

/// Briefs are turned into rows this many at a time, so that memory stays
/// bounded however large the sources are. Small enough that the first
/// chunk, made before any row can be written, is a small part of the run.
const BRIEFS_PER_CHUNK: usize = 64;

/// Chunks made ahead of the writing, waiting in the channel.
const CHUNKS_AHEAD: usize = 2;

/// Pieces of the collection (1 MiB each) waiting to be deflated: the
/// writing thread waits when the deflating falls this far behind.
const PIECES_AHEAD: usize = 4;

/// Writes the notes of `briefs` as an `.apkg` to `out`.
pub fn write_package(
    briefs: &[Brief],
    options: &NoteOptions,
    build: BuildTime,
    out: &mut (impl Write + Seek),
) -> Result<PackageStats> {
    // The notes of the next chunks of briefs are made on other threads
    // while this one writes the current chunk's rows into the collection's
    // pages; chunks arrive in order, so ids and bytes are as if made one
    // after the other. Full pieces of the collection are deflated on other
    // threads meanwhile. Both run at a lower priority: this thread, which
    // everything waits for, goes first when all want a core.
    let (stats, media, collection) = std::thread::scope(|s| {
        let (tx, rx) = std::sync::mpsc::sync_channel(CHUNKS_AHEAD);
        // Written chunks come back to be filled again: their buffers are
        // reused, and freed on the thread that made them.
        let (back_tx, back_rx) = std::sync::mpsc::channel();
        s.spawn(move || {
            crate::export::priority::behind(move || {
                for chunk in briefs.chunks(BRIEFS_PER_CHUNK) {
                    let mut rows = back_rx.try_recv().unwrap_or_default();
                    let filled = fill_rows(chunk, options, build.epoch, &mut rows).map(|()| rows);
                    let failed = filled.is_err();
                    // An error on the writing side drops the receiver: stop.
                    if tx.send(filled).is_err() || failed {
                        break;
                    }
                }
            })
        });
        let (piece_tx, piece_rx) = std::sync::mpsc::sync_channel(PIECES_AHEAD);
        // Deflated pieces come back to be filled again.
        let (spare_tx, spare_rx) = std::sync::mpsc::channel();
        let deflating = s.spawn(move || {
            crate::export::priority::behind(move || deflate_pieces(piece_rx, spare_tx))
        });
        let written = write_collection(
            build,
            |done| {
                if let Some(done) = done {
                    // The maker may have finished: then the chunk is dropped.
                    let _ = back_tx.send(done);
                }
                rx.recv().ok()
            },
            |piece| {
                piece_tx.send(piece).map_err(|_| {
                    anyhow::anyhow!("internal error: the deflating threads stopped")
                })?;
                Ok(spare_rx.try_recv().unwrap_or_default())
            },
        );
        drop(piece_tx);
        let pieces = deflating
            .join()
            .expect("the deflating threads do not panic");
        // When the deflating failed (a full disk), the writing stopped too:
        // the deflating's error is the one to report.
        let pieces = pieces?;
        let (stats, media, first_page) = written?;
        anyhow::Ok((stats, media, deflated_collection(&first_page, pieces)?))
    })?;
    write_zip(out, collection, &media)?;
    Ok(PackageStats {
        media: media.len(),
        ..stats
    })
}

/// Writes the package: the deflated collection, copied without deflating
/// it again, then the media map and files.
fn write_zip(
    out: &mut (impl Write + Seek),
    collection: DeflatedCollection,
    media: &BTreeMap<String, PathBuf>,
) -> Result<()> {
    let mut zip = ZipWriter::new(out);
    let zip_options = entry_options();
    let reader = std::io::BufReader::with_capacity(1 << 16, collection);
    let mut archive = zip::ZipArchive::new(reader)?;
    zip.raw_copy_file_touch(archive.by_index_raw(0)?, DateTime::default(), Some(0o644))?;
    let media_map: BTreeMap<String, String> = media
        .keys()
        .enumerate()
        .map(|(i, name)| (i.to_string(), name.clone()))
        .collect();
    zip.start_file("media", zip_options)?;
    zip.write_all(serde_json::to_string(&media_map)?.as_bytes())?;
    for (i, path) in media.values().enumerate() {
        let bytes =
            std::fs::read(path).with_context(|| format!("cannot read image {}", path.display()))?;
        zip.start_file(i.to_string(), zip_options)?;
        zip.write_all(&bytes)?;
    }
    zip.finish()?;
    Ok(())
}

/// The notes of one brief as table rows: their records in one buffer, so
/// that a brief costs a few allocations rather than a dozen per note, and
/// the writing thread only copies them onto pages. Reused from chunk to
/// chunk.
#[derive(Default)]
struct BriefRows {
    /// Tags and deck; the text of the note being made.
    text: String,
    /// `" tag1 tag2 "`, Anki's form.
    tags: Range<usize>,
    deck: Range<usize>,
    /// The notes' records (rows of the `notes` table), back to back: made
    /// here, on the threads that make the notes, not on the writing thread.
    records: Vec<u8>,
    notes: Vec<NoteRow>,
    /// Card ordinals of all the notes.
    ords: Vec<u16>,
    /// Media the notes use, in note order: file name, path.
    media: Vec<(String, PathBuf)>,
}

struct NoteRow {
    /// Its record in `records`.
    record: Range<usize>,
    /// The sort field's checksum, for the `ix_notes_csum` index.
    csum: i64,
    ords: Range<usize>,
}

impl BriefRows {
    fn str(&self, range: &Range<usize>) -> &str {
        &self.text[range.clone()]
    }

    /// Fills the rows with the notes of `brief`, modified at `secs`,
    /// keeping the buffers.
    fn fill(&mut self, brief: &Brief, options: &NoteOptions, secs: i64) -> Result<()> {
        thread_local! {
            static AFFINITY: std::cell::RefCell<Affinity> = Default::default();
        }
        let r = self;
        r.text.clear();
        r.tags = 0..0;
        r.deck = 0..0;
        r.records.clear();
        r.notes.clear();
        r.ords.clear();
        r.media.clear();
        let mut shared_done = false;
        let mut failed = None;
        notes::brief_notes(brief, options, |shared, draft| {
            if failed.is_some() {
                return;
            }
            if !shared_done {
                // Every note of the brief shares these.
                shared_done = true;
                let start = r.text.len();
                r.text.push(' ');
                for tag in &shared.tags {
                    r.text.push_str(tag);
                    r.text.push(' ');
                }
                r.tags = start..r.text.len();
                r.text.push_str(&shared.deck);
                r.deck = r.tags.end..r.text.len();
            }
            let start = r.text.len();
            let tail = shared.tail_fields.iter().map(String::as_str);
            for field in draft.own_fields.into_iter().chain(tail) {
                r.text.push_str(field);
                r.text.push('\x1f');
            }
            r.text.pop();
            let flds = start..r.text.len();
            strip_html_into(draft.own_fields[0], &mut r.text);
            let sfld = &r.text[flds.end..];
            let csum = field_checksum(sfld);
            let sort_field = match AFFINITY.with_borrow_mut(|a| a.integer(sfld)) {
                Ok(value) => value,
                Err(e) => {
                    failed = Some(e);
                    return;
                }
            };
            let record_start = r.records.len();
            encode_record(
                &[
                    Value::Null, // the row id
                    Value::text(draft.guid.as_str()),
                    Value::Int(draft.notetype.id),
                    Value::Int(secs),
                    Value::Int(-1), // usn: not synced
                    Value::text(&r.text[r.tags.clone()]),
                    Value::text(&r.text[flds.clone()]),
                    sort_field,
                    Value::Int(csum),
                    Value::Int(0),
                    Value::text(""),
                ],
                &mut r.records,
            );
            let record = record_start..r.records.len();
            // The note's text is in its record now.
            r.text.truncate(flds.start);
            let ords = r.ords.len()..r.ords.len() + draft.card_ords.len();
            r.ords.extend_from_slice(draft.card_ords);
            if let Some(image) = draft.image {
                r.media.push((image.file_name(), image.path.clone()));
            }
            r.notes.push(NoteRow { record, csum, ords });
        });
        failed.map_or(Ok(()), Err)
    }
}

/// Fills `rows` with the rows of a chunk of briefs, made in parallel, in
/// brief order; the rows already there are reused.
fn fill_rows(
    briefs: &[Brief],
    options: &NoteOptions,
    secs: i64,
    rows: &mut Vec<BriefRows>,
) -> Result<()> {
    use rayon::prelude::*;
    rows.truncate(briefs.len());
    rows.resize_with(briefs.len(), BriefRows::default);
    briefs
        .par_iter()
        .zip(rows.par_iter_mut())
        .try_for_each(|(brief, rows)| rows.fill(brief, options, secs))
}

/// A deck id from its name: 1 is Anki's Default deck, so ids start above it.
fn deck_id(name: &str) -> i64 {
    (hash64(name.as_bytes()) >> 12) as i64 + 2
}

/// Writes the collection's pages from chunks of rows given by `next_chunk`,
/// which is handed back each chunk once it is written, and gives them to
/// `piece` in pieces of [`PIECE`] bytes, in order; returns the counts, the
/// media files the notes use (name → path) and page 1, which comes last.
fn write_collection(
    build: BuildTime,
    mut next_chunk: impl FnMut(Option<Vec<BriefRows>>) -> Option<Result<Vec<BriefRows>>>,
    piece: impl FnMut(Vec<u8>) -> Result<Vec<u8>>,
) -> Result<(PackageStats, BTreeMap<String, PathBuf>, Vec<u8>)> {
    let secs = build.epoch;
    let millis = secs * 1000;
    let mut pages = Pages::new(PAGE_SIZE, PIECE / PAGE_SIZE, piece);
    let mut notes = Table::new(PAGE_SIZE);
    let mut cards = Table::new(PAGE_SIZE);
    let mut stats = PackageStats::default();
    let mut decks: BTreeMap<String, i64> = BTreeMap::new();
    let mut media: BTreeMap<String, PathBuf> = BTreeMap::new();
    let mut record = Vec::new();
    // Index keys besides the row ids: (checksum, note id), (due, card id)
    // by deck, and each card's note.
    let mut by_checksum: Vec<(i64, i64)> = Vec::new();
    let mut by_schedule: BTreeMap<i64, Vec<(i64, i64)>> = BTreeMap::new();
    let mut card_notes: Vec<i64> = Vec::new();
    // Row ids count up from the build time in milliseconds, like ids Anki
    // makes itself.
    let mut done = None;
    while let Some(chunk) = next_chunk(done.take()) {
        let chunk = chunk?;
        for brief in chunk.iter().filter(|b| !b.notes.is_empty()) {
            let did = deck_with_parents(&mut decks, brief.str(&brief.deck));
            for note in &brief.notes {
                let note_id = millis + stats.notes as i64;
                stats.notes += 1;
                notes.push(&mut pages, note_id, &brief.records[note.record.clone()])?;
                by_checksum.push((note.csum, note_id));
                for &ord in &brief.ords[note.ords.clone()] {
                    let card_id = millis + stats.cards as i64;
                    stats.cards += 1;
                    // New cards are shown in note order.
                    let due = stats.notes as i64;
                    record.clear();
                    encode_int_record(
                        true, // the row id
                        &card_values(note_id, did, ord, due, secs),
                        true, // data: empty
                        &mut record,
                    );
                    cards.push(&mut pages, card_id, &record)?;
                    by_schedule.entry(did).or_default().push((due, card_id));
                    card_notes.push(note_id);
                }
            }
            for (name, path) in &brief.media {
                if !media.contains_key(name) {
                    media.insert(name.clone(), path.clone());
                }
            }
        }
        done = Some(chunk);
    }
    // The roots, in the order of `SCHEMA`.
    let mut roots = Vec::with_capacity(SCHEMA.len());
    let first_deck = decks.values().next().copied().unwrap_or(1);
    let (conf, models, decks_text, dconf) = (
        conf_json().to_string(),
        models_json(secs, first_deck).to_string(),
        decks_json(&decks, secs).to_string(),
        dconf_json().to_string(),
    );
    record.clear();
    encode_record(
        &[
            Value::Null, // the row id
            Value::Int(day_start(secs)),
            Value::Int(millis),
            Value::Int(millis),
            Value::Int(11),
            Value::Int(0),
            Value::Int(0),
            Value::Int(0),
            Value::text(&conf),
            Value::text(&models),
            Value::text(&decks_text),
            Value::text(&dconf),
            Value::text("{}"),
        ],
        &mut record,
    );
    let mut col = Table::new(PAGE_SIZE);
    col.push(&mut pages, 1, &record)?;
    roots.push(col.finish(&mut pages)?);
    roots.push(notes.finish(&mut pages)?);
    roots.push(cards.finish(&mut pages)?);
    roots.push(Table::new(PAGE_SIZE).finish(&mut pages)?); // revlog
    roots.push(Table::new(PAGE_SIZE).finish(&mut pages)?); // graves
    let note_ids = || (0..stats.notes as i64).map(|i| millis + i);
    let card_ids = || (0..stats.cards as i64).map(|i| millis + i);
    let none = || std::iter::empty::<[i64; 2]>();
    let mut keys = IndexKeys::default();
    // The usn is -1 in every row: the keys are in row id order.
    roots.push(keys.write(&mut pages, note_ids().map(|id| [-1, id]))?);
    roots.push(keys.write(&mut pages, card_ids().map(|id| [-1, id]))?);
    roots.push(keys.write(&mut pages, none())?);
    // Cards are written note by note: already in note order.
    let by_note = card_notes.iter().zip(card_ids()).map(|(&n, c)| [n, c]);
    roots.push(keys.write(&mut pages, by_note)?);
    // Within a deck, cards come in due and id order: sorted by deck.
    let sched = by_schedule
        .iter()
        .flat_map(|(&did, cards)| cards.iter().map(move |&(due, id)| [did, 0, due, id]));
    roots.push(keys.write(&mut pages, sched)?);
    roots.push(keys.write(&mut pages, none())?);
    by_checksum.sort_unstable();
    roots.push(keys.write(&mut pages, by_checksum.iter().map(|&(c, id)| [c, id]))?);
    let page_count = pages.finish()?;
    let schema: Vec<SchemaEntry> = SCHEMA
        .iter()
        .zip(roots)
        .map(|(&(kind, name, table, sql), root)| SchemaEntry {
            kind,
            name,
            table,
            root,
            sql,
        })
        .collect();
    let first_page = first_page(PAGE_SIZE, page_count, &schema)?;
    stats.decks = decks.len();
    Ok((stats, media, first_page))
}

/// A new card's integer columns, `nid` to `flags` (the row id and the
/// empty `data` go around them).
fn card_values(note_id: i64, did: i64, ord: u16, due: i64, secs: i64) -> [i64; 16] {
    [
        note_id,
        did,
        ord.into(),
        secs, // mod
        -1,   // usn: not synced
        0,    // type: new
        0,    // queue: new
        due,
        0, // ivl
        0, // factor
        0, // reps
        0, // lapses
        0, // left
        0, // odue
        0, // odid
        0, // flags
    ]
}

/// The keys of one index at a time, encoded as records, then written.
#[derive(Default)]
struct IndexKeys {
    bytes: Vec<u8>,
    ends: Vec<usize>,
}

impl IndexKeys {
    /// Writes the index of `keys` (sorted; each the indexed columns, then
    /// the row id); returns its root page.
    fn write<const N: usize, F: FnMut(Vec<u8>) -> Result<Vec<u8>>>(
        &mut self,
        pages: &mut Pages<F>,
        keys: impl Iterator<Item = [i64; N]>,
    ) -> Result<u32> {
        self.bytes.clear();
        self.ends.clear();
        for key in keys {
            encode_int_record(false, &key, false, &mut self.bytes);
            self.ends.push(self.bytes.len());
        }
        let mut start = 0;
        let slices: Vec<&[u8]> = self
            .ends
            .iter()
            .map(|&end| {
                let key = &self.bytes[start..end];
                start = end;
                key
            })
            .collect();
        sqlite_file::index(pages, &slices)
    }
}

/// The id of deck `name`, registering it and its parents (`A::B` needs `A`).
fn deck_with_parents(decks: &mut BTreeMap<String, i64>, name: &str) -> i64 {
    if let Some(id) = decks.get(name) {
        return *id;
    }
    let mut prefix = String::with_capacity(name.len());
    for (i, part) in name.split("::").enumerate() {
        if i > 0 {
            prefix.push_str("::");
        }
        prefix.push_str(part);
        decks
            .entry(prefix.clone())
            .or_insert_with_key(|n| deck_id(n));
    }
    decks[name]
}

/// Midnight (UTC) of the build day: the collection's creation time.
fn day_start(secs: i64) -> i64 {
    secs - secs.rem_euclid(86_400)
}

fn conf_json() -> serde_json::Value {
    json!({
        "activeDecks": [1], "addToCur": true, "collapseTime": 1200, "curDeck": 1,
        "curModel": CLOZE.id.to_string(), "dueCounts": true, "estTimes": true,
        "newBury": true, "newSpread": 0, "nextPos": 1, "sortBackwards": false,
        "sortType": "noteFld", "timeLim": 0
    })
}

fn models_json(secs: i64, deck_id: i64) -> serde_json::Value {
    let mut m = Map::new();
    for nt in [&CLOZE, &QA] {
        m.insert(nt.id.to_string(), nt.to_json(secs, deck_id));
    }
    serde_json::Value::Object(m)
}

fn deck_json(id: i64, name: &str, secs: i64) -> serde_json::Value {
    json!({
        "id": id, "name": name, "desc": "", "mod": secs, "usn": -1, "dyn": 0,
        "conf": DECK_CONFIG_ID, "collapsed": false, "browserCollapsed": false,
        "extendNew": 0, "extendRev": 0,
        "newToday": [0, 0], "revToday": [0, 0], "lrnToday": [0, 0], "timeToday": [0, 0]
    })
}

fn decks_json(decks: &BTreeMap<String, i64>, secs: i64) -> serde_json::Value {
    let mut m = Map::new();
    m.insert("1".into(), deck_json(1, "Default", secs));
    for (name, id) in decks {
        m.insert(id.to_string(), deck_json(*id, name, secs));
    }
    serde_json::Value::Object(m)
}

fn dconf_json() -> serde_json::Value {
    json!({
        DECK_CONFIG_ID.to_string(): {
            "id": DECK_CONFIG_ID, "name": "Default", "mod": 0, "usn": 0,
            "maxTaken": 60, "autoplay": true, "timer": 0, "replayq": true, "dyn": false,
            "new": { "bury": true, "delays": [1.0, 10.0], "initialFactor": 2500,
                     "ints": [1, 4, 7], "order": 1, "perDay": 20, "separate": true },
            "lapse": { "delays": [10.0], "leechAction": 1, "leechFails": 8,
                       "minInt": 1, "mult": 0.0 },
            "rev": { "bury": true, "ease4": 1.3, "fuzz": 0.05, "ivlFct": 1.0,
                     "maxIvl": 36500, "minSpace": 1, "perDay": 200 }
        }
    })
}

/// Field text without tags, as Anki stores it for sorting and duplicate
/// checks, appended to `out`; the entities our escaping writes are decoded.
fn strip_html_into(html: &str, out: &mut String) {
    const ENTITIES: [(&str, char); 7] = [
        ("&lt;", '<'),
        ("&gt;", '>'),
        ("&quot;", '"'),
        ("&#39;", '\''),
        ("&#123;", '{'),
        ("&#125;", '}'),
        ("&amp;", '&'),
    ];
    let mut rest = html;
    while let Some(i) = rest.find(['<', '&']) {
        out.push_str(&rest[..i]);
        rest = &rest[i..];
        if rest.starts_with('<') {
            match rest.find('>') {
                Some(end) => rest = &rest[end + 1..],
                None => rest = "",
            }
        } else if let Some((entity, c)) = ENTITIES.iter().find(|(e, _)| rest.starts_with(e)) {
            out.push(*c);
            rest = &rest[entity.len()..];
        } else {
            out.push('&');
            rest = &rest[1..];
        }
    }
    out.push_str(rest);
}

/// Anki's checksum: the first 8 hex digits of the SHA-1 of the stripped first field.
fn field_checksum(stripped: &str) -> i64 {
    use sha1::Digest as _;
    // The `sha1` crate uses the CPU's SHA instructions where there are any.
    let digest = sha1::Sha1::digest(stripped.as_bytes());
    u32::from_be_bytes(digest[..4].try_into().expect("4 bytes")) as i64
}

/// How every entry of the package is written: fast deflate, fixed time and
/// permissions (reproducible), no zip64.
fn entry_options() -> SimpleFileOptions {
    SimpleFileOptions::default()
        .compression_method(CompressionMethod::Deflated)
        .compression_level(Some(1))
        .last_modified_time(DateTime::default())
        .unix_permissions(0o644)
        .large_file(false)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn checksum_matches_anki() {
        // Anki: int(sha1("hello").hexdigest()[:8], 16)
        assert_eq!(field_checksum("hello"), 0xaaf4c61d);
        // Longer than one SHA-1 block, not ASCII.
        let long = format!(
            "Kāthmandu — a sort field longer than one SHA-1 block: {}",
            "x".repeat(80)
        );
        assert_eq!(field_checksum(&long), 0xe2e51bb4);
    }

    #[test]
    fn html_is_stripped_for_the_sort_field() {
        let mut out = String::from("kept ");
        strip_html_into("A {{c1::<b>x</b>}} &amp; &lt;y&gt;", &mut out);
        assert_eq!(out, "kept A {{c1::x}} & <y>");
    }

    #[test]
    fn parent_decks_are_included() {
        let mut decks = BTreeMap::new();
        let id = deck_with_parents(&mut decks, "Current Affairs::Economy");
        assert_eq!(decks.len(), 2);
        assert_eq!(decks["Current Affairs"], deck_id("Current Affairs"));
        assert_eq!(id, deck_id("Current Affairs::Economy"));
        assert!(decks.values().all(|id| *id > 1), "1 is the Default deck");
    }
}
