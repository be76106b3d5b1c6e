//! Zip entries deflated by us rather than by the zip crate, and wrapped as a
//! one-entry zip that `ZipWriter::raw_copy_file_touch` copies into a package
//! without deflating it again (which also stamps its time and permissions).
//!
//! Both packages need it: the booklet compresses thousands of small
//! documents as they are rendered, with one deflate state per thread (the zip
//! crate sets up a fresh state for every entry of a new writer, which cost
//! more than compressing them); the deck deflates its collection in pieces
//! on all threads, as pigz does.

use flate2::{Compress, Compression, FlushCompress, Status};
use std::cell::RefCell;

/// The deflate level of everything we compress: level 1 (zlib-rs's "quick"
/// strategy) takes about a quarter less time than level 3 for files about
/// 30 % larger, and build time is what a CI run or a writer waiting on a
/// rebuild feels.
pub const LEVEL: u32 = 1;

/// Raw deflate of `data` at [`LEVEL`] with this thread's deflate state,
/// reset afterwards, so every call starts a stream of its own (the output is
/// what a fresh state gives). With `finish`, the stream ends with a final
/// block; without, with a sync flush: byte-aligned and not final, so that
/// pieces deflated one by one join into one stream when concatenated, the
/// last one finished.
pub fn deflate(data: &[u8], finish: bool) -> Vec<u8> {
    thread_local! {
        static STATE: RefCell<Compress> =
            RefCell::new(Compress::new(Compression::new(LEVEL), false));
    }
    let flush = if finish {
        FlushCompress::Finish
    } else {
        FlushCompress::Sync
    };
    STATE.with_borrow_mut(|state| {
        let mut out = Vec::with_capacity(data.len() / 2 + 64);
        loop {
            let consumed = state.total_in() as usize;
            // Deflating into memory cannot fail; an error here is a bug.
            let status = state
                .compress_vec(&data[consumed..], &mut out, flush)
                .expect("deflating into memory");
            let all_in = state.total_in() as usize == data.len();
            // zlib's rule: a flush is complete once it leaves output space.
            let done = if finish {
                status == Status::StreamEnd
            } else {
                all_in && out.len() < out.capacity()
            };
            if done {
                break;
            }
            out.reserve(out.capacity().max(1024));
        }
        state.reset();
        out
    })
}

/// What a zip header says of an entry.
#[derive(Clone, Copy, Debug)]
pub struct EntryInfo<'a> {
    pub name: &'a str,
    pub crc: u32,
    pub size: u32,
    pub deflated_size: u32,
}

impl EntryInfo<'_> {
    /// Length of the local header, which comes before the deflated data.
    pub fn local_header_len(&self) -> usize {
        30 + self.name.len()
    }

    /// The local file header (APPNOTE 4.3.7): version 2.0, no flags,
    /// deflated, 1980-01-01 00:00 (the copy stamps the real time).
    pub fn local_header(&self) -> Vec<u8> {
        self.header(0x0403_4b50, false)
    }

    /// The central directory (one entry, its local header at offset 0) and
    /// the end record (APPNOTE 4.3.12, 4.3.16): what follows the data.
    pub fn directory(&self) -> Vec<u8> {
        let central = self.header(0x0201_4b50, true);
        let central_at = self.local_header_len() as u32 + self.deflated_size;
        let mut out = central.clone();
        out.extend(0x0605_4b50u32.to_le_bytes());
        out.extend([0, 0, 0, 0, 1, 0, 1, 0]); // disks; one entry
        out.extend((central.len() as u32).to_le_bytes());
        out.extend(central_at.to_le_bytes());
        out.extend(0u16.to_le_bytes()); // comment length
        out
    }

    /// The entry's `deflated` data as a one-entry zip: local header, data,
    /// central directory. Exactly sized: a booklet keeps thousands of these
    /// until it is written.
    fn wrap(&self, deflated: &[u8]) -> Vec<u8> {
        let (header, directory) = (self.local_header(), self.directory());
        let mut out = Vec::with_capacity(header.len() + deflated.len() + directory.len());
        out.extend(header);
        out.extend_from_slice(deflated);
        out.extend(directory);
        out
    }

    fn header(&self, signature: u32, central: bool) -> Vec<u8> {
        let mut h = Vec::with_capacity(46 + self.name.len());
        h.extend(signature.to_le_bytes());
        if central {
            h.extend(0x0314u16.to_le_bytes()); // made by: Unix, 2.0
        }
        h.extend(20u16.to_le_bytes()); // needed: deflate
        h.extend(0u16.to_le_bytes()); // flags
        h.extend(8u16.to_le_bytes()); // deflated
        h.extend(0u16.to_le_bytes()); // time
        h.extend(0x21u16.to_le_bytes()); // date: 1980-01-01
        h.extend(self.crc.to_le_bytes());
        h.extend(self.deflated_size.to_le_bytes());
        h.extend(self.size.to_le_bytes());
        h.extend((self.name.len() as u16).to_le_bytes());
        h.extend(0u16.to_le_bytes()); // extra field length
        if central {
            h.extend([0; 6]); // comment length, disk, internal attributes
            h.extend((0o100644u32 << 16).to_le_bytes()); // a 0644 file
            h.extend(0u32.to_le_bytes()); // offset of the local header
        }
        h.extend(self.name.as_bytes());
        h
    }
}

/// `data` deflated, as a one-entry zip named `name`, in memory.
pub fn one_entry_zip(name: &str, data: &[u8]) -> Vec<u8> {
    let deflated = deflate(data, true);
    let info = EntryInfo {
        name,
        crc: crc32fast::hash(data),
        // Documents are far below the 4 GiB that would need zip64.
        size: u32::try_from(data.len()).expect("an entry under 4 GiB"),
        deflated_size: u32::try_from(deflated.len()).expect("an entry under 4 GiB"),
    };
    info.wrap(&deflated)
}

/// A one-entry zip made by [`one_entry_zip`], its entry renamed `name`:
/// the deflated data is kept, the headers are written again.
pub fn renamed(zip: &[u8], name: &str) -> Vec<u8> {
    let field = |at: usize| u32::from_le_bytes(zip[at..at + 4].try_into().expect("4 bytes"));
    let old_name_len = u16::from_le_bytes([zip[26], zip[27]]) as usize;
    let info = EntryInfo {
        name,
        crc: field(14),
        deflated_size: field(18),
        size: field(22),
    };
    let start = 30 + old_name_len;
    info.wrap(&zip[start..start + info.deflated_size as usize])
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::{Cursor, Read as _};

    fn text(len: usize) -> Vec<u8> {
        (0..len)
            .map(|i| b"abcdefghij klmnop"[(i * i / 7 + i / 3) % 17])
            .collect()
    }

    fn read_back(zip: Vec<u8>) -> (String, Vec<u8>) {
        let mut archive = zip::ZipArchive::new(Cursor::new(zip)).unwrap();
        let mut entry = archive.by_index(0).unwrap();
        let name = entry.name().unwrap().to_string();
        let mut back = Vec::new();
        // Reading to the end checks the CRC too.
        entry.read_to_end(&mut back).unwrap();
        (name, back)
    }

    #[test]
    fn a_one_entry_zip_reads_back() {
        for len in [0, 1, 100, 70_000] {
            let data = text(len);
            let (name, back) = read_back(one_entry_zip("OEBPS/a.xhtml", &data));
            assert_eq!(name, "OEBPS/a.xhtml");
            assert!(back == data, "length {len}");
        }
    }

    #[test]
    fn a_renamed_entry_is_what_the_new_name_would_have_given() {
        let data = text(20_000);
        let zip = one_entry_zip("OEBPS/glossary.xhtml", &data);
        for name in [
            "OEBPS/glossary-001.xhtml",
            "x",
            "OEBPS/a-much-longer-name-than-before.xhtml",
        ] {
            assert_eq!(renamed(&zip, name), one_entry_zip(name, &data));
        }
    }

    #[test]
    fn flushed_pieces_join_into_one_stream() {
        let data = text(300_000);
        let pieces: Vec<&[u8]> = data.chunks(70_000).collect();
        let mut deflated = Vec::new();
        let mut crc = crc32fast::Hasher::new();
        for (i, piece) in pieces.iter().enumerate() {
            deflated.extend(deflate(piece, i + 1 == pieces.len()));
            crc.update(piece);
        }
        let info = EntryInfo {
            name: "collection.anki2",
            crc: crc.finalize(),
            size: data.len() as u32,
            deflated_size: deflated.len() as u32,
        };
        let mut zip = info.local_header();
        zip.extend(&deflated);
        zip.extend(info.directory());
        let (_, back) = read_back(zip);
        assert!(back == data, "the pieces inflate to the input");
    }

    #[test]
    fn a_reused_state_gives_what_a_fresh_one_gives() {
        let (a, b) = (text(5_000), text(9_000));
        let first = deflate(&a, true);
        let _ = deflate(&b, false);
        assert_eq!(deflate(&a, true), first);
    }
}
