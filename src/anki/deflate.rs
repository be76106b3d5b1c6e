//! The collection database, deflated into the one-entry zip the package
//! copies in ([`DeflatedCollection`]).
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
    let mut crc = crc32fast::Hasher::new();
    let (deflated, deflated_len) =
        deflate_to_scratch(&mut file, range.clone(), false, scratch, &mut crc)?;
    Ok(Some(Ahead {
        range,
        deflated,
        deflated_len,
        crc,
    }))
}

/// Deflates the collection at `db` into a one-entry zip, taking the bytes
/// `ahead` covers from it. Without them, everything is deflated into a
/// scratch file at `scratch`.
pub fn deflate_collection(
    db: &Path,
    scratch: &Path,
    ahead: Option<Ahead>,
) -> Result<DeflatedCollection> {
    let mut db = File::open(db).context("cannot read the collection database")?;
    let total = db.metadata()?.len();
    let mut crc = crc32fast::Hasher::new();
    let mut parts = Vec::new();
    match ahead {
        Some(ahead) if ahead.range.end <= total => {
            // Page 1 and the index pages: small enough to keep in memory.
            let mut head = Vec::new();
            deflate_range(&mut db, 0..ahead.range.start, false, &mut head, &mut crc)?;
            parts.push(Part::Memory(head));
            crc.combine(&ahead.crc);
            parts.push(Part::File {
                file: ahead.deflated,
                len: ahead.deflated_len,
            });
            let mut tail = Vec::new();
            deflate_range(&mut db, ahead.range.end..total, true, &mut tail, &mut crc)?;
            parts.push(Part::Memory(tail));
        }
        _ => {
            let (file, len) = deflate_to_scratch(&mut db, 0..total, true, scratch, &mut crc)?;
            parts.push(Part::File { file, len });
        }
    }
    let deflated_len: u64 = parts.iter().map(Part::len).sum();
    let (Ok(size), Ok(deflated_size)) = (u32::try_from(total), u32::try_from(deflated_len)) else {
        bail!("the collection is too large for a zip without zip64");
    };
    let info = zip_entry::EntryInfo {
        name: "collection.anki2",
        crc: crc.finalize(),
        size,
        deflated_size,
    };
    parts.insert(0, Part::Memory(info.local_header()));
    parts.push(Part::Memory(info.directory()));
    Ok(DeflatedCollection {
        len: parts.iter().map(Part::len).sum(),
        parts,
        pos: 0,
    })
}

/// The deflated collection as a one-entry zip, read straight from its parts
/// (headers and end pieces in memory, the part deflated ahead in its scratch
/// file) rather than assembled in a file of its own first, which cost a
/// write, a read and a removal of a few megabytes after the index build.
pub struct DeflatedCollection {
    parts: Vec<Part>,
    len: u64,
    pos: u64,
}

enum Part {
    Memory(Vec<u8>),
    File { file: File, len: u64 },
}

impl Part {
    fn len(&self) -> u64 {
        match self {
            Part::Memory(bytes) => bytes.len() as u64,
            Part::File { len, .. } => *len,
        }
    }
}

impl std::io::Read for DeflatedCollection {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        let mut start = 0;
        for part in &mut self.parts {
            let len = part.len();
            if self.pos < start + len {
                let offset = self.pos - start;
                let want = buf.len().min((len - offset) as usize);
                let n = match part {
                    Part::Memory(bytes) => {
                        let from = offset as usize;
                        buf[..want].copy_from_slice(&bytes[from..from + want]);
                        want
                    }
                    Part::File { file, .. } => {
                        file.seek(SeekFrom::Start(offset))?;
                        file.read(&mut buf[..want])?
                    }
                };
                if n == 0 && want > 0 {
                    return Err(std::io::Error::new(
                        std::io::ErrorKind::UnexpectedEof,
                        "the deflated collection shrank while it was zipped",
                    ));
                }
                self.pos += n as u64;
                return Ok(n);
            }
            start += len;
        }
        Ok(0)
    }
}

impl Seek for DeflatedCollection {
    fn seek(&mut self, to: SeekFrom) -> std::io::Result<u64> {
        let pos = match to {
            SeekFrom::Start(n) => Some(n),
            SeekFrom::End(d) => self.len.checked_add_signed(d),
            SeekFrom::Current(d) => self.pos.checked_add_signed(d),
        };
        self.pos = pos.ok_or_else(|| {
            std::io::Error::new(std::io::ErrorKind::InvalidInput, "seek before the start")
        })?;
        Ok(self.pos)
    }
}

/// Deflates bytes `range` of `file` (see [`deflate_range`]) into a new
/// scratch file at `scratch`, registered for Ctrl-C by the caller and made
/// under the handler's lock (see `interrupt::register`); returns it and the
/// deflated length.
fn deflate_to_scratch(
    file: &mut File,
    range: Range<u64>,
    finish: bool,
    scratch: &Path,
    crc: &mut crc32fast::Hasher,
) -> Result<(File, u64)> {
    let mut deflated = crate::export::interrupt::while_blocked(|| {
        File::options()
            .read(true)
            .write(true)
            .create_new(true)
            .open(scratch)
    })
    .context("cannot create a scratch file")?;
    let mut out = std::io::BufWriter::new(&mut deflated);
    let len = deflate_range(file, range, finish, &mut out, crc)?;
    out.flush()?;
    drop(out);
    Ok((deflated, len))
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

    fn unzip(zip: DeflatedCollection) -> Vec<u8> {
        let mut archive = zip::ZipArchive::new(std::io::BufReader::new(zip)).unwrap();
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
        let zip = deflate_collection(&db, &dir.path().join("c.zip"), Some(ahead)).unwrap();
        assert!(unzip(zip) == bytes, "the entry inflates to the file");
    }

    /// Deflates a file of `len` bytes, its pages after the first ahead when
    /// it is large enough, and checks the entry inflates to the file; tells
    /// whether any were deflated ahead.
    fn round_trip(len: usize) -> bool {
        let dir = tempfile::tempdir().unwrap();
        let db = dir.path().join("c.db");
        let bytes = sample(len);
        std::fs::write(&db, &bytes).unwrap();
        let ahead =
            deflate_ahead(&db, &dir.path().join("ahead"), 4096..bytes.len() as u64).unwrap();
        let deflated_ahead = ahead.is_some();
        let zip = deflate_collection(&db, &dir.path().join("c.zip"), ahead).unwrap();
        assert!(unzip(zip) == bytes, "{len} bytes");
        deflated_ahead
    }

    #[test]
    fn a_file_ending_where_the_pieces_ahead_end_still_gets_a_final_block() {
        assert!(round_trip(3 * PIECE as usize));
    }

    #[test]
    fn a_small_file_is_deflated_in_one_go() {
        assert!(!round_trip(PIECE as usize + 5));
    }

    #[test]
    fn the_parts_read_and_seek_as_one_file() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("middle");
        std::fs::write(&path, b"defgh").unwrap();
        let parts = vec![
            Part::Memory(b"abc".to_vec()),
            Part::File {
                file: File::open(&path).unwrap(),
                len: 5,
            },
            Part::Memory(Vec::new()),
            Part::Memory(b"ij".to_vec()),
        ];
        let mut joined = DeflatedCollection {
            len: 10,
            parts,
            pos: 0,
        };
        let mut all = Vec::new();
        let mut buf = [0; 2];
        loop {
            let n = joined.read(&mut buf).unwrap();
            if n == 0 {
                break;
            }
            all.extend_from_slice(&buf[..n]);
        }
        assert_eq!(all, b"abcdefghij");
        assert_eq!(joined.seek(SeekFrom::End(-4)).unwrap(), 6);
        assert_eq!(joined.read(&mut buf).unwrap(), 2);
        assert_eq!(&buf, b"gh");
        assert_eq!(joined.seek(SeekFrom::Current(-7)).unwrap(), 1);
        assert_eq!(joined.read(&mut buf).unwrap(), 2);
        assert_eq!(&buf, b"bc");
        assert!(joined.seek(SeekFrom::Current(-4)).is_err());
    }

    #[test]
    fn a_scratch_file_shorter_than_announced_is_an_error() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("short");
        std::fs::write(&path, b"de").unwrap();
        let mut joined = DeflatedCollection {
            len: 5,
            parts: vec![Part::File {
                file: File::open(&path).unwrap(),
                len: 5,
            }],
            pos: 0,
        };
        let mut all = Vec::new();
        let err = joined.read_to_end(&mut all).unwrap_err();
        assert_eq!(err.kind(), std::io::ErrorKind::UnexpectedEof);
    }
}
