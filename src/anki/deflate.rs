//! The collection database, deflated into the one-entry zip the package
//! copies in ([`DeflatedCollection`]).
//!
//! The collection is written in pieces ([`super::sqlite_file::Pages`]), and
//! each piece is deflated on its own while the next ones are written, as
//! pigz does: every piece ends with a sync flush (byte-aligned, not final)
//! instead of a final block ([`zip_entry::deflate`]), so the pieces join
//! into one deflate stream, which an empty final block ends. Page 1 comes
//! last and is its own piece. Compressing each piece on its own costs a
//! fraction of a percent of the size; where the pieces fall depends only on
//! the collection, not on the number of threads.

use crate::export::zip_entry;
use anyhow::{Context as _, Result, bail};
use std::collections::BTreeMap;
use std::fs::File;
use std::io::{Seek, SeekFrom, Write as _};
use std::sync::Mutex;
use std::sync::mpsc::{Receiver, Sender};

/// The size of a piece (the last may be shorter).
pub const PIECE: usize = 1 << 20;

/// Deflated pieces are kept in memory up to this many bytes (a 20,000-note
/// deck needs about 4 MB); the rest go to a scratch file, so that a large
/// deck made beside a booklet (`export all`) stays in bounded memory.
const IN_MEMORY: usize = 8 << 20;

/// A piece of the collection, deflated.
struct Piece {
    deflated: Vec<u8>,
    crc: crc32fast::Hasher,
    /// Its length before deflating.
    len: u64,
}

fn deflate_piece(data: &[u8]) -> Piece {
    let mut crc = crc32fast::Hasher::new();
    crc.update(data);
    let mut deflated = zip_entry::deflate(data, false);
    deflated.shrink_to_fit();
    Piece {
        deflated,
        crc,
        len: data.len() as u64,
    }
}

/// Deflated pieces, in order: the first ones in memory, the rest (if any)
/// in a scratch file.
#[derive(Default)]
pub struct Pieces {
    memory: Vec<Vec<u8>>,
    memory_len: usize,
    /// An unnamed scratch file (nothing to remove after Ctrl-C) and its
    /// length.
    file: Option<(File, u64)>,
    crc: crc32fast::Hasher,
    /// Bytes before deflating.
    size: u64,
}

impl Pieces {
    fn push(&mut self, piece: Piece) -> Result<()> {
        self.crc.combine(&piece.crc);
        self.size += piece.len;
        if self.file.is_none() && self.memory_len + piece.deflated.len() <= IN_MEMORY {
            self.memory_len += piece.deflated.len();
            self.memory.push(piece.deflated);
            return Ok(());
        }
        if self.file.is_none() {
            // Where the system has no unnamed files, the file is made and
            // unlinked while Ctrl-C waits.
            let file = crate::export::interrupt::while_blocked(tempfile::tempfile)
                .context("cannot create a scratch file")?;
            self.file = Some((file, 0));
        }
        let (file, len) = self.file.as_mut().expect("made above");
        file.write_all(&piece.deflated)
            .context("cannot write a scratch file")?;
        *len += piece.deflated.len() as u64;
        Ok(())
    }
}

/// Deflates the pieces `pieces` gives, in parallel on the current rayon
/// pool, until it closes, giving each one's buffer back to `spare`; returns
/// them in the order given.
pub fn deflate_pieces(pieces: Receiver<Vec<u8>>, spare: Sender<Vec<u8>>) -> Result<Pieces> {
    use rayon::prelude::*;
    // Pieces finish out of order: each waits here for the ones before it.
    let done = Mutex::new((0usize, BTreeMap::new(), Pieces::default()));
    pieces
        .into_iter()
        .enumerate()
        .par_bridge()
        .try_for_each_with(spare, |spare, (i, data)| {
            let piece = deflate_piece(&data);
            // The writer may be done: then the buffer is dropped.
            let _ = spare.send(data);
            let mut done = done.lock().unwrap_or_else(|e| e.into_inner());
            let (next, waiting, pieces) = &mut *done;
            waiting.insert(i, piece);
            while let Some(piece) = waiting.remove(next) {
                pieces.push(piece)?;
                *next += 1;
            }
            anyhow::Ok(())
        })?;
    let (_, waiting, pieces) = done.into_inner().unwrap_or_else(|e| e.into_inner());
    debug_assert!(waiting.is_empty());
    Ok(pieces)
}

/// The collection as a one-entry zip: `first_page`, then the `pieces` that
/// follow it, deflated.
pub fn deflated_collection(first_page: &[u8], pieces: Pieces) -> Result<DeflatedCollection> {
    let first = deflate_piece(first_page);
    let mut crc = first.crc;
    crc.combine(&pieces.crc);
    let size = first.len + pieces.size;
    let mut parts = vec![Part::Memory(first.deflated)];
    parts.extend(pieces.memory.into_iter().map(Part::Memory));
    if let Some((mut file, len)) = pieces.file {
        file.flush()?;
        parts.push(Part::File { file, len });
    }
    parts.push(Part::Memory(zip_entry::deflate(&[], true)));
    let deflated_len: u64 = parts.iter().map(Part::len).sum();
    let (Ok(size), Ok(deflated_size)) = (u32::try_from(size), u32::try_from(deflated_len)) else {
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
/// (headers and pieces in memory, later pieces in their scratch file)
/// rather than joined in one place first.
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

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::Read as _;

    /// Bytes that compress, but not to nothing.
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

    /// Deflates `first` and then `rest` in pieces of `PIECE` bytes, as the
    /// writer hands them out; tells whether a scratch file was needed.
    fn zipped(first: &[u8], rest: &[u8]) -> (DeflatedCollection, bool) {
        let (tx, rx) = std::sync::mpsc::sync_channel(2);
        let pieces = std::thread::scope(|s| {
            let deflating = s.spawn(|| deflate_pieces(rx, std::sync::mpsc::channel().0));
            for piece in rest.chunks(PIECE) {
                tx.send(piece.to_vec()).unwrap();
            }
            drop(tx);
            deflating.join().unwrap().unwrap()
        });
        let spilled = pieces.file.is_some();
        (deflated_collection(first, pieces).unwrap(), spilled)
    }

    #[test]
    fn the_pieces_and_the_first_page_join_into_the_file() {
        let first = sample(4096);
        for len in [0, 1, PIECE, 3 * PIECE + 123] {
            let rest = sample(len + 7)[7..].to_vec();
            let (zip, spilled) = zipped(&first, &rest);
            assert!(!spilled, "{len}");
            let bytes = unzip(zip);
            assert!(bytes[..4096] == first[..], "{len}");
            assert!(bytes[4096..] == rest[..], "{len}");
        }
    }

    #[test]
    fn pieces_beyond_the_memory_budget_go_to_a_scratch_file_in_order() {
        // Bytes that hardly compress: 12 MiB of them are over the budget.
        let mut state = 0x2545_f491_4f6c_dd1du64;
        let rest: Vec<u8> = (0..12 * PIECE + 5)
            .map(|_| {
                state ^= state << 13;
                state ^= state >> 7;
                state ^= state << 17;
                state as u8
            })
            .collect();
        let (zip, spilled) = zipped(b"first page", &rest);
        assert!(spilled);
        let bytes = unzip(zip);
        assert!(bytes[..10] == b"first page"[..]);
        assert!(bytes[10..] == rest[..]);
    }

    fn file_with(bytes: &[u8]) -> File {
        let mut file = tempfile::tempfile().unwrap();
        file.write_all(bytes).unwrap();
        file
    }

    #[test]
    fn the_parts_read_and_seek_as_one_file() {
        let mut joined = DeflatedCollection {
            len: 10,
            parts: vec![
                Part::Memory(b"abc".to_vec()),
                Part::File {
                    file: file_with(b"defgh"),
                    len: 5,
                },
                Part::Memory(Vec::new()),
                Part::Memory(b"ij".to_vec()),
            ],
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
        let mut joined = DeflatedCollection {
            len: 5,
            parts: vec![Part::File {
                file: file_with(b"de"),
                len: 5,
            }],
            pos: 0,
        };
        let mut all = Vec::new();
        let err = joined.read_to_end(&mut all).unwrap_err();
        assert_eq!(err.kind(), std::io::ErrorKind::UnexpectedEof);
    }
}
