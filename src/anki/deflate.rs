//! The collection database, deflated into the one-entry zip the package
//! copies in.
//!
//! The file is deflated in pieces on all threads, as pigz does: every piece
//! but the last ends with a sync flush (byte-aligned, not final) instead of a
//! final block ([`zip_entry::deflate`]), so the pieces join into one deflate
//! stream; compressing each piece on its own costs a fraction of a percent of
//! the size.
//!
//! Most of the file is final well before the end. Once the rows are
//! committed, building the indexes only appends pages and rewrites page 1:
//! SQLite takes new pages from the freelist, and appends them when it is
//! empty, as it is in a file that was only ever inserted into. So the
//! writer deflates the committed pages after page 1 ([`deflate_ahead`])
//! while SQLite builds the indexes, and only page 1 and the index pages are
//! left for the end ([`deflate_collection`]).

use crate::export::zip_entry;
use anyhow::{Context as _, Result, bail};
use std::fs::File;
use std::io::{Read as _, Seek, SeekFrom, Write};
use std::ops::Range;
use std::path::Path;

/// The size of a piece. Pieces are counted from the start of each range
/// deflated, so where they fall does not depend on the number of threads.
const PIECE: u64 = 1 << 20;

/// Pieces read and deflated at a time, per thread: enough to keep every
/// thread busy, few enough to keep memory bounded.
const PIECES_PER_THREAD: usize = 2;

/// Bytes of the collection deflated before the file was complete.
pub struct Ahead {
    /// Which bytes: the committed pages after page 1.
    range: Range<u64>,
    /// Their deflated pieces, none of them final, in a scratch file.
    deflated: File,
    deflated_len: u64,
    crc: crc32fast::Hasher,
}

/// Deflates the bytes `range` of `db` into a scratch file at `scratch`.
/// Those bytes must not change afterwards (see the module's header). None
/// when the range is too small to be worth it.
pub fn deflate_ahead(db: &Path, scratch: &Path, range: Range<u64>) -> Result<Option<Ahead>> {
    if range.end.saturating_sub(range.start) < PIECE {
        return Ok(None);
    }
    let mut file = File::open(db).context("cannot read the collection database")?;
    let mut deflated = File::options()
        .read(true)
        .write(true)
        .create_new(true)
        .open(scratch)
        .context("cannot create a scratch file")?;
    let mut crc = crc32fast::Hasher::new();
    let deflated_len = {
        let mut out = std::io::BufWriter::new(&mut deflated);
        let n = deflate_range(&mut file, range.clone(), false, &mut out, &mut crc)?;
        out.flush()?;
        n
    };
    Ok(Some(Ahead {
        range,
        deflated,
        deflated_len,
        crc,
    }))
}

/// Deflates the collection at `db` into a one-entry zip at `to`, taking
/// the bytes `ahead` covers from it.
pub fn deflate_collection(db: &Path, to: &Path, ahead: Option<Ahead>) -> Result<()> {
    let mut db = File::open(db).context("cannot read the collection database")?;
    let total = db.metadata()?.len();
    let mut out = std::io::BufWriter::new(File::create(to)?);
    let mut info = zip_entry::EntryInfo {
        name: "collection.anki2",
        crc: 0,
        size: 0,
        deflated_size: 0,
    };
    // The local header is written last, when the sizes and CRC are known.
    out.write_all(&vec![0; info.local_header_len()])?;
    let mut crc = crc32fast::Hasher::new();
    let deflated_len = match ahead {
        Some(mut ahead) if ahead.range.end <= total => {
            let start = ahead.range.start;
            let mut n = deflate_range(&mut db, 0..start, false, &mut out, &mut crc)?;
            ahead.deflated.seek(SeekFrom::Start(0))?;
            let copied = std::io::copy(&mut ahead.deflated, &mut out)?;
            if copied != ahead.deflated_len {
                bail!("the deflated collection shrank while it was zipped");
            }
            n += copied;
            crc.combine(&ahead.crc);
            n += deflate_range(&mut db, ahead.range.end..total, true, &mut out, &mut crc)?;
            n
        }
        _ => deflate_range(&mut db, 0..total, true, &mut out, &mut crc)?,
    };
    let (Ok(size), Ok(deflated_size)) = (u32::try_from(total), u32::try_from(deflated_len)) else {
        bail!("the collection is too large for a zip without zip64");
    };
    info.crc = crc.finalize();
    info.size = size;
    info.deflated_size = deflated_size;
    out.write_all(&info.directory())?;
    let mut file = out.into_inner().map_err(|e| e.into_error())?;
    file.seek(SeekFrom::Start(0))?;
    file.write_all(&info.local_header())?;
    Ok(())
}

/// Deflates bytes `range` of `file` to `out` in pieces, in parallel, adding
/// them to `crc`; with `finish`, the last piece ends the stream (an empty
/// range then writes just the final block). Returns the deflated length.
fn deflate_range(
    file: &mut File,
    range: Range<u64>,
    finish: bool,
    out: &mut impl Write,
    crc: &mut crc32fast::Hasher,
) -> Result<u64> {
    use rayon::prelude::*;
    let piece = PIECE as usize;
    let batch = piece * PIECES_PER_THREAD * rayon::current_num_threads();
    let mut buf = Vec::with_capacity(batch.min((range.end - range.start) as usize));
    let mut deflated = 0u64;
    file.seek(SeekFrom::Start(range.start))?;
    let mut read = range.start;
    while read < range.end {
        buf.clear();
        let want = (range.end - read).min(batch as u64);
        std::io::Read::by_ref(file)
            .take(want)
            .read_to_end(&mut buf)?;
        if buf.len() as u64 != want {
            bail!("the collection database shrank while it was zipped");
        }
        read += want;
        let at_end = read == range.end;
        let pieces: Vec<Vec<u8>> = buf
            .par_chunks(piece)
            .enumerate()
            .map(|(i, data)| {
                let last = finish && at_end && (i + 1) * piece >= buf.len();
                zip_entry::deflate(data, last)
            })
            .collect();
        crc.update(&buf);
        for p in pieces {
            out.write_all(&p)?;
            deflated += p.len() as u64;
        }
    }
    if finish && range.is_empty() {
        let end = zip_entry::deflate(&[], true);
        out.write_all(&end)?;
        deflated += end.len() as u64;
    }
    Ok(deflated)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A file of `len` bytes that compresses, but not to nothing.
    fn sample(len: usize) -> Vec<u8> {
        (0..len)
            .map(|i| ((i as u64 * 2_654_435_761) >> 7) as u8 % 17 + b'a')
            .collect()
    }

    fn unzip(path: &Path) -> Vec<u8> {
        let mut archive = zip::ZipArchive::new(File::open(path).unwrap()).unwrap();
        let mut entry = archive.by_name("collection.anki2").unwrap();
        assert_eq!(entry.compression(), zip::CompressionMethod::Deflated);
        let mut bytes = Vec::new();
        // Reading to the end checks the CRC too.
        entry.read_to_end(&mut bytes).unwrap();
        bytes
    }

    #[test]
    fn pieces_deflated_ahead_join_the_rest() {
        let dir = tempfile::tempdir().unwrap();
        let db = dir.path().join("c.db");
        // Deflated ahead while the file had 3.5 pieces; it then grew, and
        // its first page changed (as page 1 does).
        let mut bytes = sample(7 * PIECE as usize / 2);
        std::fs::write(&db, &bytes).unwrap();
        let ahead = deflate_ahead(&db, &dir.path().join("ahead"), 4096..bytes.len() as u64)
            .unwrap()
            .expect("large enough");
        bytes[..4096].fill(b'!');
        bytes.extend(sample(PIECE as usize + 123));
        std::fs::write(&db, &bytes).unwrap();
        let zip = dir.path().join("c.zip");
        deflate_collection(&db, &zip, Some(ahead)).unwrap();
        assert!(unzip(&zip) == bytes, "the entry inflates to the file");
    }

    #[test]
    fn a_file_ending_where_the_pieces_ahead_end_still_gets_a_final_block() {
        let dir = tempfile::tempdir().unwrap();
        let db = dir.path().join("c.db");
        let bytes = sample(3 * PIECE as usize);
        std::fs::write(&db, &bytes).unwrap();
        let ahead =
            deflate_ahead(&db, &dir.path().join("ahead"), 4096..bytes.len() as u64).unwrap();
        assert!(ahead.is_some());
        let zip = dir.path().join("c.zip");
        deflate_collection(&db, &zip, ahead).unwrap();
        assert!(unzip(&zip) == bytes);
    }

    #[test]
    fn a_small_file_is_deflated_in_one_go() {
        let dir = tempfile::tempdir().unwrap();
        let db = dir.path().join("c.db");
        let bytes = sample(PIECE as usize + 5);
        std::fs::write(&db, &bytes).unwrap();
        let ahead =
            deflate_ahead(&db, &dir.path().join("ahead"), 4096..bytes.len() as u64).unwrap();
        assert!(ahead.is_none());
        let zip = dir.path().join("c.zip");
        deflate_collection(&db, &zip, ahead).unwrap();
        assert!(unzip(&zip) == bytes);
    }
}
