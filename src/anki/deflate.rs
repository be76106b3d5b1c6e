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
use anyhow::{Result, bail};
use std::io::{Seek, SeekFrom};
use std::sync::mpsc::{Receiver, Sender};

/// The size of a piece (the last may be shorter).
pub const PIECE: usize = 1 << 20;

/// A piece of the collection, deflated.
pub struct Piece {
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

/// Deflates the pieces `pieces` gives, in parallel on the current rayon
/// pool, until it closes, giving each one's buffer back to `spare`; returns
/// them in the order given.
pub fn deflate_pieces(pieces: Receiver<Vec<u8>>, spare: Sender<Vec<u8>>) -> Vec<Piece> {
    use rayon::prelude::*;
    let mut done: Vec<(usize, Piece)> = pieces
        .into_iter()
        .enumerate()
        .par_bridge()
        .map_with(spare, |spare, (i, data)| {
            let piece = deflate_piece(&data);
            // The writer may be done: then the buffer is dropped.
            let _ = spare.send(data);
            (i, piece)
        })
        .collect();
    done.sort_unstable_by_key(|(i, _)| *i);
    done.into_iter().map(|(_, piece)| piece).collect()
}

/// The collection as a one-entry zip: `first_page`, then the `pieces` that
/// follow it, deflated.
pub fn deflated_collection(first_page: &[u8], pieces: Vec<Piece>) -> Result<DeflatedCollection> {
    let first = deflate_piece(first_page);
    let mut crc = first.crc.clone();
    let mut size = first_page.len() as u64;
    let mut parts = vec![first.deflated];
    for piece in pieces {
        size += piece.len;
        crc.combine(&piece.crc);
        parts.push(piece.deflated);
    }
    parts.push(zip_entry::deflate(&[], true));
    let deflated_len: u64 = parts.iter().map(|p| p.len() as u64).sum();
    let (Ok(size), Ok(deflated_size)) = (u32::try_from(size), u32::try_from(deflated_len)) else {
        bail!("the collection is too large for a zip without zip64");
    };
    let info = zip_entry::EntryInfo {
        name: "collection.anki2",
        crc: crc.finalize(),
        size,
        deflated_size,
    };
    parts.insert(0, info.local_header());
    parts.push(info.directory());
    Ok(DeflatedCollection {
        len: parts.iter().map(|p| p.len() as u64).sum(),
        parts,
        pos: 0,
    })
}

/// The deflated collection as a one-entry zip, read straight from its parts
/// (headers and deflated pieces) rather than joined in one buffer first.
pub struct DeflatedCollection {
    parts: Vec<Vec<u8>>,
    len: u64,
    pos: u64,
}

impl std::io::Read for DeflatedCollection {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        let mut start = 0;
        for part in &self.parts {
            let len = part.len() as u64;
            if self.pos < start + len {
                let from = (self.pos - start) as usize;
                let n = buf.len().min(part.len() - from);
                buf[..n].copy_from_slice(&part[from..from + n]);
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
    /// writer hands them out.
    fn zipped(first: &[u8], rest: &[u8]) -> DeflatedCollection {
        let (tx, rx) = std::sync::mpsc::sync_channel(2);
        let pieces = std::thread::scope(|s| {
            let deflating = s.spawn(|| deflate_pieces(rx, std::sync::mpsc::channel().0));
            for piece in rest.chunks(PIECE) {
                tx.send(piece.to_vec()).unwrap();
            }
            drop(tx);
            deflating.join().unwrap()
        });
        deflated_collection(first, pieces).unwrap()
    }

    #[test]
    fn the_pieces_and_the_first_page_join_into_the_file() {
        let first = sample(4096);
        for len in [0, 1, PIECE, 3 * PIECE + 123] {
            let rest = sample(len + 7)[7..].to_vec();
            let bytes = unzip(zipped(&first, &rest));
            assert!(bytes[..4096] == first[..], "{len}");
            assert!(bytes[4096..] == rest[..], "{len}");
        }
    }

    #[test]
    fn the_parts_read_and_seek_as_one_file() {
        let mut joined = DeflatedCollection {
            len: 10,
            parts: vec![
                b"abc".to_vec(),
                b"defgh".to_vec(),
                Vec::new(),
                b"ij".to_vec(),
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
}
