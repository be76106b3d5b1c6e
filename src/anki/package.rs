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
//! - **Fast**: all rows go in one transaction through prepared statements,
//!   eight rows a statement ([`super::insert`]), with journaling and syncing
//!   off (the database is a scratch file until it is zipped) and indexes
//!   built once at the end; the rows of the next few dozen briefs are made
//!   on the other threads while the current ones are inserted, so memory
//!   stays bounded; the collection is deflated (fast level) in 1 MiB pieces
//!   on all threads, joined into one stream, most of it while SQLite builds
//!   the indexes ([`super::deflate`]).

use super::deflate::{DeflatedCollection, deflate_ahead, deflate_collection};
use super::guid::{Guid, hash64};
use super::insert::{self, Batched};
use super::notes::{self, NoteOptions};
use super::notetype::{CLOZE, QA};
use crate::brief::Brief;
use crate::export::{BuildTime, interrupt};
use anyhow::{Context as _, Result};
use rusqlite::{Connection, params};
use serde_json::{Map, Value, json};
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

const SCHEMA: &str = "
CREATE TABLE col (
    id integer primary key, crt integer not null, mod integer not null,
    scm integer not null, ver integer not null, dty integer not null,
    usn integer not null, ls integer not null, conf text not null,
    models text not null, decks text not null, dconf text not null,
    tags text not null
);
CREATE TABLE notes (
    id integer primary key, guid text not null, mid integer not null,
    mod integer not null, usn integer not null, tags text not null,
    flds text not null, sfld integer not null, csum integer not null,
    flags integer not null, data text not null
);
CREATE TABLE cards (
    id integer primary key, nid integer not null, did integer not null,
    ord integer not null, mod integer not null, usn integer not null,
    type integer not null, queue integer not null, due integer not null,
    ivl integer not null, factor integer not null, reps integer not null,
    lapses integer not null, left integer not null, odue integer not null,
    odid integer not null, flags integer not null, data text not null
);
CREATE TABLE revlog (
    id integer primary key, cid integer not null, usn integer not null,
    ease integer not null, ivl integer not null, lastIvl integer not null,
    factor integer not null, time integer not null, type integer not null
);
CREATE TABLE graves (usn integer not null, oid integer not null, type integer not null);
";

/// Indexes are built after the rows are in: one sort instead of a B-tree
/// update per row.
const INDEXES: &str = "
CREATE INDEX ix_notes_usn on notes (usn);
CREATE INDEX ix_cards_usn on cards (usn);
CREATE INDEX ix_revlog_usn on revlog (usn);
CREATE INDEX ix_cards_nid on cards (nid);
CREATE INDEX ix_cards_sched on cards (did, queue, due);
CREATE INDEX ix_revlog_cid on revlog (cid);
CREATE INDEX ix_notes_csum on notes (csum);
";

/// The deck options group every deck of the package uses.
const DECK_CONFIG_ID: i64 = 1;

/// Briefs are turned into rows this many at a time, so that memory stays
/// bounded however large the sources are. Small enough that the first
/// chunk, made before any insert can start, is a small part of the run.
const BRIEFS_PER_CHUNK: usize = 64;

/// Chunks made ahead of the inserts, waiting in the channel.
const CHUNKS_AHEAD: usize = 2;

/// Writes the notes of `briefs` as an `.apkg` to `out`.
pub fn write_package(
    briefs: &[Brief],
    options: &NoteOptions,
    build: BuildTime,
    out: &mut (impl Write + Seek),
) -> Result<PackageStats> {
    // A scratch database on disk: its pages live in the page cache, not in
    // this process, and it is streamed into the zip.
    let (scratch, _registered_folder) =
        interrupt::create_registered(tempfile::tempdir, |d| d.path())
            .context("cannot create a temporary folder")?;
    let db_path = scratch.path().join("collection.anki2");
    // Ctrl-C removes the scratch collection and its folder too. The file is
    // made empty here, registered and under the handler's lock (see
    // `interrupt`); SQLite takes an empty file for a new database.
    let _registered = interrupt::register(&db_path);
    interrupt::while_blocked(|| std::fs::File::create_new(&db_path))
        .context("cannot create the collection database")?;
    // Ctrl-C removes the deflated collection, and the part deflated ahead.
    let deflated_path = scratch.path().join("collection.deflated");
    let ahead_path = scratch.path().join("ahead.deflated");
    let _registered_deflated = (
        interrupt::register(&deflated_path),
        interrupt::register(&ahead_path),
    );
    let (stats, media, ahead) = {
        let mut conn =
            Connection::open(&db_path).context("cannot create the collection database")?;
        // A SQLite connection is single-threaded, so the rows of the next
        // chunks are made on other threads while this one inserts the
        // current chunk. Chunks arrive in order, so the ids and the file are
        // the same as if made one after the other. The inserting thread is
        // the pipeline's bottleneck, so the rows are made at a lower
        // priority: it goes first when all want a core.
        let (stats, media) = std::thread::scope(|s| {
            let (tx, rx) = std::sync::mpsc::sync_channel(CHUNKS_AHEAD);
            // Inserted chunks come back to be filled again: their buffers
            // are reused, and freed on the thread that made them.
            let (back_tx, back_rx) = std::sync::mpsc::channel();
            s.spawn(move || {
                crate::export::priority::behind(move || {
                    for chunk in briefs.chunks(BRIEFS_PER_CHUNK) {
                        let mut rows = back_rx.try_recv().unwrap_or_default();
                        fill_rows(chunk, options, &mut rows);
                        // An error on the inserting side drops the receiver: stop.
                        if tx.send(rows).is_err() {
                            break;
                        }
                    }
                })
            });
            write_collection(&mut conn, build, |done| {
                if let Some(done) = done {
                    // The maker may have finished: then the chunk is dropped.
                    let _ = back_tx.send(done);
                }
                rx.recv().ok()
            })
        })?;
        // The rows are committed: their pages are final. They are deflated
        // on the other threads while this one builds the indexes, at a lower
        // priority: the index build is the sequential part, so it goes first
        // when both want a core.
        let committed = committed_pages(&conn)?;
        let ahead = std::thread::scope(|s| {
            let ahead = s.spawn(|| {
                committed.map(|range| {
                    crate::export::priority::behind(|| deflate_ahead(&db_path, &ahead_path, range))
                })
            });
            let indexed = conn.execute_batch(&format!("BEGIN;{INDEXES}COMMIT;"));
            let ahead = ahead.join().expect("the deflating thread does not panic");
            indexed?;
            ahead.transpose()
        })?;
        (stats, media, ahead.flatten())
    };

    let collection = deflate_collection(&db_path, &deflated_path, ahead)?;
    // The scratch collection is no longer needed. Removing it frees its pages
    // in the page cache, a few milliseconds for a large deck, so it is done
    // beside the zip's assembly.
    std::thread::scope(|s| {
        s.spawn(|| {
            // Left behind, the temporary folder's removal retries them.
            let _ = std::fs::remove_file(&db_path);
            let _ = std::fs::remove_file(&ahead_path);
        });
        write_zip(out, collection, &media)
    })?;
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

/// The notes of one brief as table rows: all their text in one buffer, so
/// that a brief costs a few allocations rather than a dozen per note, and
/// the inserting thread only binds slices. Reused from chunk to chunk.
#[derive(Default)]
struct BriefRows {
    text: String,
    /// `" tag1 tag2 "`, Anki's form.
    tags: Range<usize>,
    deck: Range<usize>,
    notes: Vec<NoteRow>,
    /// Card ordinals of all the notes.
    ords: Vec<u16>,
    /// Media the notes use, in note order: file name, path.
    media: Vec<(String, PathBuf)>,
}

struct NoteRow {
    guid: Guid,
    mid: i64,
    /// The fields joined with `\x1f`.
    flds: Range<usize>,
    /// The first field without HTML, for sorting and duplicate checks.
    sfld: Range<usize>,
    csum: i64,
    ords: Range<usize>,
}

impl BriefRows {
    fn str(&self, range: &Range<usize>) -> &str {
        &self.text[range.clone()]
    }

    /// Fills the rows with the notes of `brief`, keeping the buffers.
    fn fill(&mut self, brief: &Brief, options: &NoteOptions) {
        let r = self;
        r.text.clear();
        r.tags = 0..0;
        r.deck = 0..0;
        r.notes.clear();
        r.ords.clear();
        r.media.clear();
        let mut shared_done = false;
        notes::brief_notes(brief, options, |shared, draft| {
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
            let sfld = flds.end..r.text.len();
            let csum = field_checksum(&r.text[sfld.clone()]);
            let ords = r.ords.len()..r.ords.len() + draft.card_ords.len();
            r.ords.extend_from_slice(draft.card_ords);
            if let Some(image) = draft.image {
                r.media.push((image.file_name(), image.path.clone()));
            }
            r.notes.push(NoteRow {
                guid: draft.guid,
                mid: draft.notetype.id,
                flds,
                sfld,
                csum,
                ords,
            });
        });
    }
}

/// Fills `rows` with the rows of a chunk of briefs, made in parallel, in
/// brief order; the rows already there are reused.
fn fill_rows(briefs: &[Brief], options: &NoteOptions, rows: &mut Vec<BriefRows>) {
    use rayon::prelude::*;
    rows.truncate(briefs.len());
    rows.resize_with(briefs.len(), BriefRows::default);
    briefs
        .par_iter()
        .zip(rows.par_iter_mut())
        .for_each(|(brief, rows)| rows.fill(brief, options));
}

/// A deck id from its name: 1 is Anki's Default deck, so ids start above it.
fn deck_id(name: &str) -> i64 {
    (hash64(name.as_bytes()) >> 12) as i64 + 2
}

/// Creates the collection from chunks of rows given by `next_chunk`, which
/// is handed back each chunk once it is inserted; returns the counts and the
/// media files the notes use (name → path).
fn write_collection(
    conn: &mut Connection,
    build: BuildTime,
    mut next_chunk: impl FnMut(Option<Vec<BriefRows>>) -> Option<Vec<BriefRows>>,
) -> Result<(PackageStats, BTreeMap<String, PathBuf>)> {
    // A scratch file: no journal, no syncing. A small page cache (2 MB):
    // inserting only touches the last pages of each table, and the index
    // build reads each table straight through, so a larger cache mostly
    // cost fresh memory to fault in (8 MB was 3 % slower, 32 MB more so).
    // No sorter threads (`PRAGMA threads`): while the indexes are built the
    // other cores deflate the committed rows, and with both the index build
    // took longer, at 1,170 briefs and at 10,000.
    conn.execute_batch(
        "PRAGMA page_size = 16384; PRAGMA journal_mode = OFF; PRAGMA synchronous = OFF; PRAGMA locking_mode = EXCLUSIVE; PRAGMA cache_size = -2048;",
    )?;
    conn.execute_batch(SCHEMA)?;
    let secs = build.epoch;
    let millis = secs * 1000;
    let tx = conn.transaction()?;
    let mut stats = PackageStats::default();
    let mut decks: BTreeMap<String, i64> = BTreeMap::new();
    let mut media: BTreeMap<String, PathBuf> = BTreeMap::new();
    {
        // Row ids count up from the build time in milliseconds, one by one
        // (see `Batched`); `?1` is the modification time, shared by all rows.
        let mut notes = Batched::new(
            &tx,
            "notes",
            "({0}, {1}, {2}, ?1, -1, {3}, {4}, {5}, {6}, 0, '')",
            NOTE_PARAMS,
            millis,
        );
        let mut cards = Batched::new(
            &tx,
            "cards",
            "({0}, {1}, {2}, {3}, ?1, -1, 0, 0, {4}, 0, 0, 0, 0, 0, 0, 0, 0, '')",
            CARD_PARAMS,
            millis,
        );
        let mut done = None;
        // Cards wait here until a statement's worth is ready: (note id,
        // deck, ordinal, due).
        let mut pending_cards: Vec<(i64, i64, u16, i64)> = Vec::with_capacity(insert::ROWS);
        while let Some(chunk) = next_chunk(done.take()) {
            // Notes wait until a statement's worth is ready: (brief, note).
            let mut pending_notes: Vec<(&BriefRows, &NoteRow)> = Vec::with_capacity(insert::ROWS);
            for brief in chunk.iter().filter(|b| !b.notes.is_empty()) {
                let did = deck_with_parents(&mut decks, brief.str(&brief.deck));
                for note in &brief.notes {
                    let note_id = millis + stats.notes as i64;
                    stats.notes += 1;
                    pending_notes.push((brief, note));
                    if pending_notes.len() == insert::ROWS {
                        insert_notes(&mut notes, &pending_notes, secs)?;
                        pending_notes.clear();
                    }
                    for &ord in &brief.ords[note.ords.clone()] {
                        // New cards are shown in note order.
                        pending_cards.push((note_id, did, ord, stats.notes as i64));
                        stats.cards += 1;
                        if pending_cards.len() == insert::ROWS {
                            insert_cards(&mut cards, &pending_cards, secs)?;
                            pending_cards.clear();
                        }
                    }
                }
                for (name, path) in &brief.media {
                    if !media.contains_key(name) {
                        media.insert(name.clone(), path.clone());
                    }
                }
            }
            // The notes borrow from the chunk, which goes back to be refilled.
            if !pending_notes.is_empty() {
                insert_notes(&mut notes, &pending_notes, secs)?;
            }
            done = Some(chunk);
        }
        if !pending_cards.is_empty() {
            insert_cards(&mut cards, &pending_cards, secs)?;
        }
        notes.check_ids()?;
        cards.check_ids()?;
    }
    let first_deck = decks.values().next().copied().unwrap_or(1);
    tx.execute(
        "INSERT INTO col VALUES (1, ?1, ?2, ?2, 11, 0, 0, 0, ?3, ?4, ?5, ?6, '{}')",
        params![
            day_start(secs),
            millis,
            conf_json().to_string(),
            models_json(secs, first_deck).to_string(),
            decks_json(&decks, secs).to_string(),
            dconf_json().to_string(),
        ],
    )?;
    tx.commit()?;
    stats.decks = decks.len();
    Ok((stats, media))
}

/// Parameters of a note row: id, guid, note type, tags, fields, sort field,
/// checksum.
const NOTE_PARAMS: usize = 7;

/// Parameters of a card row: id, note, deck, ordinal, due.
const CARD_PARAMS: usize = 5;

/// Inserts `rows` notes with one statement.
fn insert_notes(batched: &mut Batched, rows: &[(&BriefRows, &NoteRow)], secs: i64) -> Result<()> {
    let st = batched.next(rows.len(), secs)?;
    for (r, &(brief, note)) in rows.iter().enumerate() {
        let p = |n| insert::param(NOTE_PARAMS, r, n);
        st.raw_bind_parameter(p(1), note.guid.as_str())?;
        st.raw_bind_parameter(p(2), note.mid)?;
        st.raw_bind_parameter(p(3), brief.str(&brief.tags))?;
        st.raw_bind_parameter(p(4), brief.str(&note.flds))?;
        st.raw_bind_parameter(p(5), brief.str(&note.sfld))?;
        st.raw_bind_parameter(p(6), note.csum)?;
    }
    st.raw_execute()?;
    Ok(())
}

/// Inserts `rows` cards, (note id, deck, ordinal, due), with one statement.
fn insert_cards(batched: &mut Batched, rows: &[(i64, i64, u16, i64)], secs: i64) -> Result<()> {
    let st = batched.next(rows.len(), secs)?;
    for (r, &(nid, did, ord, due)) in rows.iter().enumerate() {
        let p = |n| insert::param(CARD_PARAMS, r, n);
        st.raw_bind_parameter(p(1), nid)?;
        st.raw_bind_parameter(p(2), did)?;
        st.raw_bind_parameter(p(3), ord)?;
        st.raw_bind_parameter(p(4), due)?;
    }
    st.raw_execute()?;
    Ok(())
}

/// The bytes of the committed collection that are final: all its pages
/// but page 1, when every later change will append pages (and rewrite page
/// 1) rather than reuse free ones. None otherwise.
fn committed_pages(conn: &Connection) -> Result<Option<Range<u64>>> {
    let (free, pages, page_size): (i64, i64, i64) = conn.query_row(
        "SELECT * FROM pragma_freelist_count, pragma_page_count, pragma_page_size",
        [],
        |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)),
    )?;
    Ok((free == 0).then_some(page_size as u64..(pages * page_size) as u64))
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

fn conf_json() -> Value {
    json!({
        "activeDecks": [1], "addToCur": true, "collapseTime": 1200, "curDeck": 1,
        "curModel": CLOZE.id.to_string(), "dueCounts": true, "estTimes": true,
        "newBury": true, "newSpread": 0, "nextPos": 1, "sortBackwards": false,
        "sortType": "noteFld", "timeLim": 0
    })
}

fn models_json(secs: i64, deck_id: i64) -> Value {
    let mut m = Map::new();
    for nt in [&CLOZE, &QA] {
        m.insert(nt.id.to_string(), nt.to_json(secs, deck_id));
    }
    Value::Object(m)
}

fn deck_json(id: i64, name: &str, secs: i64) -> Value {
    json!({
        "id": id, "name": name, "desc": "", "mod": secs, "usn": -1, "dyn": 0,
        "conf": DECK_CONFIG_ID, "collapsed": false, "browserCollapsed": false,
        "extendNew": 0, "extendRev": 0,
        "newToday": [0, 0], "revToday": [0, 0], "lrnToday": [0, 0], "timeToday": [0, 0]
    })
}

fn decks_json(decks: &BTreeMap<String, i64>, secs: i64) -> Value {
    let mut m = Map::new();
    m.insert("1".into(), deck_json(1, "Default", secs));
    for (name, id) in decks {
        m.insert(id.to_string(), deck_json(*id, name, secs));
    }
    Value::Object(m)
}

fn dconf_json() -> Value {
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
