//! A SQLite database file written page by page, for a database that is
//! written once and never changed: the collection inside a package.
//!
//! Going through SQLite (one `INSERT` per few rows, then `CREATE INDEX`)
//! was about half of a deck's build time: the byte-code engine ran for every
//! column of every row, the indexes were sorted by SQLite's sorter on one
//! thread, and every page went to a scratch file and back. The file format
//! is documented, stable and simple for a file nobody has changed yet
//! (<https://www.sqlite.org/fileformat2.html>), so the writer lays out the
//! B-trees itself:
//!
//! - **Tables** ([`Table`]) are filled in row-id order: a leaf page takes
//!   cells until the next does not fit, and is then handed out; the interior
//!   pages are made at the end, from the list of leaves, children spread
//!   evenly. A record longer than a page keeps the part SQLite's rule keeps
//!   on the leaf and the rest goes to overflow pages.
//! - **Indexes** ([`index`]) are made from their sorted keys, all at once: an
//!   index's interior cells hold keys themselves, so the tree is cut from the
//!   top, every leaf at the same depth.
//! - **Pages** ([`Pages`]) are numbered in the order they are made, from 2,
//!   and handed on in pieces of a fixed size while the rest is written (the
//!   package deflates them meanwhile). Page 1, the file header and the
//!   schema, comes last ([`first_page`]), once the root pages are known.
//! - **Values** are stored as SQLite stores them: the smallest integer type,
//!   0 and 1 as the constant types of schema format 4, the row id of an
//!   `INTEGER PRIMARY KEY` table stored as the cell's key and NULL in the
//!   record. Text given to a column of numeric affinity that looks like a
//!   number is converted by SQLite itself ([`Affinity`]), as an `INSERT`
//!   would.
//!
//! The tests check the files with SQLite: `PRAGMA integrity_check` (which
//! also checks every index against its table), and reading every row back.

use anyhow::{Result, bail};
use std::borrow::Cow;

/// The page size of the collection: with 16 KiB pages, nearly every note
/// fits on its leaf.
pub const PAGE_SIZE: usize = 16384;

/// A value of a record.
#[derive(Clone, Debug, PartialEq)]
pub enum Value<'a> {
    Null,
    Int(i64),
    Real(f64),
    Text(Cow<'a, str>),
}

impl Value<'_> {
    pub fn text(s: &str) -> Value<'_> {
        Value::Text(Cow::Borrowed(s))
    }
}

/// Appends SQLite's variable-length integer: big-endian groups of seven
/// bits, the ninth byte (if any) a full eight.
#[inline]
pub fn put_varint(out: &mut Vec<u8>, v: u64) {
    if v <= 0x7f {
        out.push(v as u8);
        return;
    }
    if v >> 56 != 0 {
        let mut buf = [0u8; 9];
        buf[8] = v as u8;
        let mut rest = v >> 8;
        for slot in buf[..8].iter_mut().rev() {
            *slot = (rest & 0x7f) as u8 | 0x80;
            rest >>= 7;
        }
        out.extend_from_slice(&buf);
        return;
    }
    let mut buf = [0u8; 8];
    let mut n = 0;
    let mut rest = v;
    while rest != 0 {
        buf[n] = (rest & 0x7f) as u8 | 0x80;
        rest >>= 7;
        n += 1;
    }
    buf[0] &= 0x7f;
    buf[..n].reverse();
    out.extend_from_slice(&buf[..n]);
}

#[inline]
fn varint_len(v: u64) -> usize {
    if v >> 56 != 0 {
        return 9;
    }
    let bits = 64 - v.leading_zeros() as usize;
    bits.div_ceil(7).max(1)
}

/// The serial type of an integer and its length in bytes (schema format 4).
#[inline]
fn int_type(i: i64) -> (u64, usize) {
    let u = if i < 0 { !i } else { i } as u64;
    match u {
        _ if i == 0 => (8, 0),
        _ if i == 1 => (9, 0),
        0..=127 => (1, 1),
        128..=32_767 => (2, 2),
        32_768..=8_388_607 => (3, 3),
        8_388_608..=2_147_483_647 => (4, 4),
        2_147_483_648..=140_737_488_355_327 => (5, 6),
        _ => (6, 8),
    }
}

/// Appends the record of `values` (header, then body) to `out`.
pub fn encode_record(values: &[Value], out: &mut Vec<u8>) {
    let mut types_len = 0;
    let mut body_len = 0;
    for v in values {
        let (serial, len) = serial_type(v);
        types_len += varint_len(serial);
        body_len += len;
    }
    // The header's length counts its own varint.
    let mut header_len = types_len + 1;
    while types_len + varint_len(header_len as u64) != header_len {
        header_len = types_len + varint_len(header_len as u64);
    }
    out.reserve(header_len + body_len);
    put_varint(out, header_len as u64);
    for v in values {
        put_varint(out, serial_type(v).0);
    }
    for v in values {
        match v {
            Value::Null => {}
            Value::Int(i) => {
                let (_, len) = int_type(*i);
                out.extend_from_slice(&i.to_be_bytes()[8 - len..]);
            }
            Value::Real(f) => out.extend_from_slice(&f.to_bits().to_be_bytes()),
            Value::Text(s) => out.extend_from_slice(s.as_bytes()),
        }
    }
}

/// The record of a row of integers, with a NULL before them (the row id of
/// an `INTEGER PRIMARY KEY` table) and an empty text after them if asked:
/// [`encode_record`] for the rows of cards and the keys of indexes, without
/// going through [`Value`]s.
pub fn encode_int_record(null_first: bool, ints: &[i64], empty_text_last: bool, out: &mut Vec<u8>) {
    let columns = usize::from(null_first) + ints.len() + usize::from(empty_text_last);
    // One byte per serial type (all below 128), and one for the length.
    debug_assert!(columns < 127);
    out.push(columns as u8 + 1);
    if null_first {
        out.push(0);
    }
    for &i in ints {
        out.push(int_type(i).0 as u8);
    }
    if empty_text_last {
        out.push(13);
    }
    for &i in ints {
        let len = int_type(i).1;
        out.extend_from_slice(&i.to_be_bytes()[8 - len..]);
    }
}

#[inline]
fn serial_type(v: &Value) -> (u64, usize) {
    match v {
        Value::Null => (0, 0),
        Value::Int(i) => int_type(*i),
        Value::Real(_) => (7, 8),
        Value::Text(s) => (13 + 2 * s.len() as u64, s.len()),
    }
}

/// Pages after page 1, numbered in the order they are made (from 2) and
/// handed to `sink` in pieces of `piece_pages` pages, the last piece
/// possibly shorter. The sink returns an empty buffer for the next piece
/// (one it had before, to save allocating and faulting in a fresh one).
pub struct Pages<F: FnMut(Vec<u8>) -> Result<Vec<u8>>> {
    page_size: usize,
    piece_pages: usize,
    piece: Vec<u8>,
    /// The number the next page gets.
    next: u32,
    sink: F,
}

impl<F: FnMut(Vec<u8>) -> Result<Vec<u8>>> Pages<F> {
    pub fn new(page_size: usize, piece_pages: usize, sink: F) -> Self {
        Pages {
            page_size,
            piece_pages,
            piece: Vec::with_capacity(page_size * piece_pages),
            next: 2,
            sink,
        }
    }

    pub fn page_size(&self) -> usize {
        self.page_size
    }

    /// The number the next page made will get.
    fn next_number(&self) -> u32 {
        self.next
    }

    /// Adds a page; returns its number.
    fn push(&mut self, page: &[u8]) -> Result<u32> {
        debug_assert_eq!(page.len(), self.page_size);
        self.piece.extend_from_slice(page);
        let number = self.next;
        self.next = match self.next.checked_add(1) {
            Some(n) => n,
            None => bail!("the collection has too many pages for SQLite"),
        };
        if self.piece.len() == self.page_size * self.piece_pages {
            self.flush()?;
        }
        Ok(number)
    }

    fn flush(&mut self) -> Result<()> {
        if !self.piece.is_empty() {
            let full = std::mem::take(&mut self.piece);
            self.piece = (self.sink)(full)?;
            self.piece.clear();
            self.piece.reserve(self.page_size * self.piece_pages);
        }
        Ok(())
    }

    /// Hands on the last piece; returns the number of pages in the file,
    /// page 1 included.
    pub fn finish(mut self) -> Result<u32> {
        self.flush()?;
        Ok(self.next - 1)
    }
}

/// Page types (the first byte of a B-tree page's header).
const INDEX_INTERIOR: u8 = 2;
const TABLE_INTERIOR: u8 = 5;
const INDEX_LEAF: u8 = 10;
const TABLE_LEAF: u8 = 13;

/// One B-tree page being filled: cells from the end down, their pointers
/// after the header.
struct PageBuf {
    bytes: Vec<u8>,
    /// Where the B-tree header starts: 100 on page 1, else 0.
    header_at: usize,
    kind: u8,
    cells: usize,
    /// The lowest byte of cell content so far.
    content_at: usize,
}

impl PageBuf {
    fn new(page_size: usize, header_at: usize, kind: u8) -> Self {
        PageBuf {
            bytes: vec![0; page_size],
            header_at,
            kind,
            cells: 0,
            content_at: page_size,
        }
    }

    fn header_len(&self) -> usize {
        if matches!(self.kind, TABLE_INTERIOR | INDEX_INTERIOR) {
            12
        } else {
            8
        }
    }

    /// Whether a cell of `len` bytes still fits.
    fn fits(&self, len: usize) -> bool {
        let pointers_end = self.header_at + self.header_len() + 2 * (self.cells + 1);
        pointers_end + len <= self.content_at
    }

    /// Adds a cell made of `parts`, which must fit.
    fn add(&mut self, parts: &[&[u8]]) {
        let len: usize = parts.iter().map(|p| p.len()).sum();
        debug_assert!(self.fits(len));
        self.content_at -= len;
        let mut at = self.content_at;
        for p in parts {
            self.bytes[at..at + p.len()].copy_from_slice(p);
            at += p.len();
        }
        let pointer = self.header_at + self.header_len() + 2 * self.cells;
        self.bytes[pointer..pointer + 2].copy_from_slice(&(self.content_at as u16).to_be_bytes());
        self.cells += 1;
    }

    /// The finished page: its header written and its unused middle zeroed,
    /// ready to be added; [`PageBuf::clear`] then starts the next one.
    fn finish(&mut self, right_child: Option<u32>) -> &[u8] {
        let h = self.header_at;
        // Between the cell pointers and the cells: what an earlier page
        // left there (see `clear`).
        let pointers_end = h + self.header_len() + 2 * self.cells;
        self.bytes[pointers_end..self.content_at].fill(0);
        let b = &mut self.bytes;
        b[h] = self.kind;
        b[h + 1..h + 3].fill(0); // no free blocks
        b[h + 3..h + 5].copy_from_slice(&(self.cells as u16).to_be_bytes());
        // 65,536 is written as 0; smaller pages fit in two bytes.
        b[h + 5..h + 7].copy_from_slice(&(self.content_at as u16).to_be_bytes());
        b[h + 7] = 0; // no fragments
        if let Some(child) = right_child {
            b[h + 8..h + 12].copy_from_slice(&child.to_be_bytes());
        }
        &self.bytes
    }

    /// Starts the next page. Only the unused middle is zeroed, when the
    /// page is finished: the header, pointers and cells are all written.
    fn clear(&mut self) {
        self.cells = 0;
        self.content_at = self.bytes.len();
    }
}

/// The longest payload SQLite keeps whole on a page of `usable` bytes: a
/// table leaf's, or an index page's.
fn max_local(usable: usize, table_leaf: bool) -> usize {
    if table_leaf {
        usable - 35
    } else {
        (usable - 12) * 64 / 255 - 23
    }
}

/// How many bytes of a payload of `len` bytes stay on its B-tree page, by
/// SQLite's rule; the rest goes to overflow pages.
fn local_len(len: usize, usable: usize, table_leaf: bool) -> usize {
    let max_local = max_local(usable, table_leaf);
    if len <= max_local {
        return len;
    }
    let min_local = (usable - 12) * 32 / 255 - 23;
    let k = min_local + (len - min_local) % (usable - 4);
    if k <= max_local { k } else { min_local }
}

/// Writes `rest` to overflow pages, numbered one after the other; returns
/// the first one's number.
fn write_overflow<F: FnMut(Vec<u8>) -> Result<Vec<u8>>>(
    pages: &mut Pages<F>,
    rest: &[u8],
) -> Result<u32> {
    let size = pages.page_size();
    let first = pages.next_number();
    let mut page = vec![0u8; size];
    let chunks = rest.chunks(size - 4);
    let count = chunks.len();
    for (i, chunk) in chunks.enumerate() {
        page.fill(0);
        // Pages are numbered in the order they are added, so the next one
        // is this one's number plus one.
        let next = if i + 1 == count {
            0
        } else {
            first + i as u32 + 1
        };
        page[..4].copy_from_slice(&next.to_be_bytes());
        page[4..4 + chunk.len()].copy_from_slice(chunk);
        pages.push(&page)?;
    }
    Ok(first)
}

/// A table B-tree filled in row-id order.
pub struct Table {
    leaf: PageBuf,
    /// The leaves handed out so far: page number and largest row id.
    leaves: Vec<(u32, i64)>,
    last_rowid: Option<i64>,
    cell: Vec<u8>,
}

impl Table {
    pub fn new(page_size: usize) -> Table {
        Table {
            leaf: PageBuf::new(page_size, 0, TABLE_LEAF),
            leaves: Vec::new(),
            last_rowid: None,
            cell: Vec::new(),
        }
    }

    /// Adds the row `rowid` with its `record` (see [`encode_record`]); row
    /// ids must increase.
    pub fn push<F: FnMut(Vec<u8>) -> Result<Vec<u8>>>(
        &mut self,
        pages: &mut Pages<F>,
        rowid: i64,
        record: &[u8],
    ) -> Result<()> {
        if self.last_rowid.is_some_and(|last| rowid <= last) {
            bail!("internal error: row ids must increase");
        }
        let usable = pages.page_size();
        let local = local_len(record.len(), usable, true);
        // The cell: payload length and row id, the payload's local part,
        // then the first overflow page's number if any.
        self.cell.clear();
        put_varint(&mut self.cell, record.len() as u64);
        put_varint(&mut self.cell, rowid as u64);
        let first_overflow = if local < record.len() {
            Some(write_overflow(pages, &record[local..])?.to_be_bytes())
        } else {
            None
        };
        let overflow = first_overflow.as_ref().map_or(&[][..], |n| &n[..]);
        if !self.leaf.fits(self.cell.len() + local + overflow.len()) {
            self.hand_out_leaf(pages)?;
        }
        self.leaf.add(&[&self.cell, &record[..local], overflow]);
        self.last_rowid = Some(rowid);
        Ok(())
    }

    fn hand_out_leaf<F: FnMut(Vec<u8>) -> Result<Vec<u8>>>(
        &mut self,
        pages: &mut Pages<F>,
    ) -> Result<()> {
        let number = pages.push(self.leaf.finish(None))?;
        self.leaves
            .push((number, self.last_rowid.expect("a leaf handed out has rows")));
        self.leaf.clear();
        Ok(())
    }

    /// Hands out the last leaf and the interior pages; returns the root
    /// page's number.
    pub fn finish<F: FnMut(Vec<u8>) -> Result<Vec<u8>>>(
        mut self,
        pages: &mut Pages<F>,
    ) -> Result<u32> {
        if self.leaf.cells > 0 || self.leaves.is_empty() {
            let number = pages.push(self.leaf.finish(None))?;
            self.leaves.push((number, self.last_rowid.unwrap_or(0)));
        }
        let size = pages.page_size();
        // An interior cell is a child's number and a row id (at most 9
        // bytes), plus its pointer: this many always fit.
        let fanout = (size - 12) / (4 + 9 + 2);
        let mut level = self.leaves;
        let mut node = PageBuf::new(size, 0, TABLE_INTERIOR);
        let mut cell = Vec::with_capacity(13);
        while level.len() > 1 {
            let mut up = Vec::with_capacity(level.len() / fanout + 1);
            for children in even_groups(&level, fanout) {
                node.clear();
                let (last, rest) = children.split_last().expect("groups are not empty");
                for &(child, max_rowid) in rest {
                    cell.clear();
                    cell.extend_from_slice(&child.to_be_bytes());
                    put_varint(&mut cell, max_rowid as u64);
                    node.add(&[&cell]);
                }
                let number = pages.push(node.finish(Some(last.0)))?;
                up.push((number, last.1));
            }
            level = up;
        }
        Ok(level[0].0)
    }
}

/// `items` cut into as few groups of at most `max` as possible, of sizes
/// differing by one at most (so none has a single item when there are two
/// or more groups).
fn even_groups<T>(items: &[T], max: usize) -> impl Iterator<Item = &[T]> {
    let groups = items.len().div_ceil(max).max(1);
    let base = items.len() / groups;
    let extra = items.len() % groups;
    let mut start = 0;
    (0..groups).map(move |g| {
        let len = base + usize::from(g < extra);
        let group = &items[start..start + len];
        start += len;
        group
    })
}

/// Writes an index B-tree of `keys`, already sorted and each the record
/// of one key (the indexed columns, then the row id); returns its root
/// page's number. Keys must be short enough to stay on their pages.
pub fn index<F: FnMut(Vec<u8>) -> Result<Vec<u8>>>(
    pages: &mut Pages<F>,
    keys: &[&[u8]],
) -> Result<u32> {
    let size = pages.page_size();
    let longest = keys.iter().map(|k| k.len()).max().unwrap_or(0);
    // Short keys stay on their page (no overflow), and pages take several.
    if longest > max_local(size, false).min(size / 8) {
        bail!("internal error: an index key is too long");
    }
    let cell = varint_len(longest as u64) + longest;
    let shape = IndexShape {
        leaf: (size - 8) / (cell + 2),
        interior: (size - 12) / (4 + cell + 2),
    };
    let mut height = 1;
    while shape.capacity(height) < keys.len() {
        height += 1;
    }
    let mut writer = IndexWriter {
        leaf: PageBuf::new(size, 0, INDEX_LEAF),
        shape,
        cell: Vec::new(),
    };
    writer.subtree(pages, keys, height)
}

#[derive(Clone, Copy)]
struct IndexShape {
    /// Keys a leaf takes, and keys (cells) an interior page takes.
    leaf: usize,
    interior: usize,
}

impl IndexShape {
    /// The most keys a tree of `height` levels holds.
    fn capacity(&self, height: usize) -> usize {
        let mut n = self.leaf;
        for _ in 1..height {
            n = n
                .saturating_mul(self.interior + 1)
                .saturating_add(self.interior);
        }
        n
    }
}

struct IndexWriter {
    leaf: PageBuf,
    shape: IndexShape,
    cell: Vec<u8>,
}

impl IndexWriter {
    /// Writes `keys` as a tree of exactly `height` levels (children first);
    /// returns its root's number.
    fn subtree<F: FnMut(Vec<u8>) -> Result<Vec<u8>>>(
        &mut self,
        pages: &mut Pages<F>,
        keys: &[&[u8]],
        height: usize,
    ) -> Result<u32> {
        if height == 1 {
            self.leaf.clear();
            for key in keys {
                self.cell.clear();
                put_varint(&mut self.cell, key.len() as u64);
                self.leaf.add(&[&self.cell, key]);
            }
            return pages.push(self.leaf.finish(None));
        }
        // Children of `height - 1` levels, the keys between them going
        // up to this page: as few children as hold the keys, at least two,
        // sharing the keys evenly.
        let below = self.shape.capacity(height - 1);
        let children = (keys.len() + 1).div_ceil(below + 1).max(2);
        debug_assert!(children <= self.shape.interior + 1);
        let in_children = keys.len() - (children - 1);
        let (base, extra) = (in_children / children, in_children % children);
        let mut numbers = Vec::with_capacity(children);
        let mut dividers = Vec::with_capacity(children - 1);
        let mut start = 0;
        for c in 0..children {
            let len = base + usize::from(c < extra);
            debug_assert!(len >= 1);
            numbers.push(self.subtree(pages, &keys[start..start + len], height - 1)?);
            start += len;
            if c + 1 < children {
                dividers.push(keys[start]);
                start += 1;
            }
        }
        let mut node = PageBuf::new(pages.page_size(), 0, INDEX_INTERIOR);
        for (child, key) in numbers.iter().zip(&dividers) {
            self.cell.clear();
            self.cell.extend_from_slice(&child.to_be_bytes());
            put_varint(&mut self.cell, key.len() as u64);
            node.add(&[&self.cell, key]);
        }
        let right = *numbers.last().expect("two children at least");
        pages.push(node.finish(Some(right)))
    }
}

/// One row of the schema table (`sqlite_schema`).
pub struct SchemaEntry<'a> {
    /// `table` or `index`.
    pub kind: &'a str,
    pub name: &'a str,
    pub table: &'a str,
    pub root: u32,
    /// The statement that made it, as SQLite keeps it.
    pub sql: &'a str,
}

/// Page 1: the file's header, then the schema table's only page.
/// `page_count` is the number of pages in the file, this one included.
pub fn first_page(page_size: usize, page_count: u32, schema: &[SchemaEntry]) -> Result<Vec<u8>> {
    let mut page = PageBuf::new(page_size, 100, TABLE_LEAF);
    let mut record = Vec::new();
    let mut cell = Vec::new();
    for (i, entry) in schema.iter().enumerate() {
        record.clear();
        encode_record(
            &[
                Value::text(entry.kind),
                Value::text(entry.name),
                Value::text(entry.table),
                Value::Int(entry.root.into()),
                Value::text(entry.sql),
            ],
            &mut record,
        );
        cell.clear();
        put_varint(&mut cell, record.len() as u64);
        put_varint(&mut cell, i as u64 + 1);
        cell.extend_from_slice(&record);
        if record.len() > max_local(page_size, true) || !page.fits(cell.len()) {
            bail!("internal error: the schema does not fit on the first page");
        }
        page.add(&[&cell]);
    }
    page.finish(None);
    let mut bytes = page.bytes;
    let h = &mut bytes[..100];
    h[..16].copy_from_slice(b"SQLite format 3\0");
    let size_field = if page_size == 65536 {
        1
    } else {
        page_size as u16
    };
    h[16..18].copy_from_slice(&size_field.to_be_bytes());
    h[18] = 1; // legacy (rollback journal) write and read versions
    h[19] = 1;
    h[20] = 0; // no reserved bytes at the end of pages
    h[21] = 64; // payload fractions, fixed by the format
    h[22] = 32;
    h[23] = 32;
    h[24..28].copy_from_slice(&1u32.to_be_bytes()); // change counter
    h[28..32].copy_from_slice(&page_count.to_be_bytes());
    // 32..40: no free pages.
    h[40..44].copy_from_slice(&1u32.to_be_bytes()); // schema cookie
    h[44..48].copy_from_slice(&4u32.to_be_bytes()); // schema format
    // 48..56: default cache size, no auto-vacuum.
    h[56..60].copy_from_slice(&1u32.to_be_bytes()); // UTF-8
    // 60..92: user version, incremental vacuum, application id, reserved.
    h[92..96].copy_from_slice(&1u32.to_be_bytes()); // valid for change 1
    h[96..100].copy_from_slice(&(rusqlite::version_number() as u32).to_be_bytes());
    Ok(bytes)
}

/// Text for a column of numeric (`INTEGER`) affinity, stored as SQLite
/// would store it: text that reads as a number becomes that number. Almost
/// no text does, so SQLite is asked only about text made of the characters
/// of numbers, on an in-memory database opened the first time.
#[derive(Default)]
pub struct Affinity {
    conn: Option<rusqlite::Connection>,
}

impl Affinity {
    pub fn integer<'a>(&mut self, text: &'a str) -> Result<Value<'a>> {
        let trimmed = text.trim_matches(|c: char| c.is_ascii_whitespace() || c == '\x0b');
        let numeric_chars = !trimmed.is_empty()
            && trimmed
                .bytes()
                .all(|b| b.is_ascii_digit() || matches!(b, b'+' | b'-' | b'.' | b'e' | b'E'));
        if !numeric_chars {
            return Ok(Value::text(text));
        }
        let conn = match &mut self.conn {
            Some(conn) => conn,
            None => {
                let conn = rusqlite::Connection::open_in_memory()?;
                conn.execute_batch("CREATE TABLE t (v integer)")?;
                self.conn.insert(conn)
            }
        };
        let value = conn.query_row("INSERT INTO t VALUES (?1) RETURNING v", [text], |row| {
            row.get::<_, rusqlite::types::Value>(0)
        })?;
        conn.execute("DELETE FROM t", [])?;
        Ok(match value {
            rusqlite::types::Value::Integer(i) => Value::Int(i),
            rusqlite::types::Value::Real(f) => Value::Real(f),
            _ => Value::text(text),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use rusqlite::Connection;

    #[test]
    fn varints_are_sqlites() {
        let cases: [(u64, &[u8]); 6] = [
            (0, &[0]),
            (127, &[0x7f]),
            (128, &[0x81, 0x00]),
            (16_383, &[0xff, 0x7f]),
            (16_384, &[0x81, 0x80, 0x00]),
            (u64::MAX, &[0xff; 9]),
        ];
        for (v, want) in cases {
            let mut out = Vec::new();
            put_varint(&mut out, v);
            assert_eq!(out, want, "{v}");
            assert_eq!(varint_len(v), want.len(), "{v}");
        }
        let mut out = Vec::new();
        put_varint(&mut out, 1 << 56);
        assert_eq!(out, [0x80, 0xc0, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x00]);
    }

    /// A database of `page_size` pages with a table `t (id integer primary
    /// key, a, b integer)` of `rows` and indexes on `b` and `a`, written by
    /// this module; returns its bytes.
    fn write_db(page_size: usize, rows: &[(i64, Value, Value)]) -> Vec<u8> {
        let mut pieces: Vec<Vec<u8>> = Vec::new();
        let mut pages = Pages::new(page_size, 3, |p| {
            pieces.push(p);
            Ok(Vec::new())
        });
        let mut table = Table::new(page_size);
        let mut record = Vec::new();
        for (id, a, b) in rows {
            record.clear();
            encode_record(&[Value::Null, a.clone(), b.clone()], &mut record);
            table.push(&mut pages, *id, &record).unwrap();
        }
        let root = table.finish(&mut pages).unwrap();
        // Index on b (integers only in these tests), sorted by (b, id).
        let mut by_b: Vec<(i64, i64)> = rows
            .iter()
            .map(|(id, _, b)| match b {
                Value::Int(b) => (*b, *id),
                _ => unreachable!(),
            })
            .collect();
        by_b.sort_unstable();
        let keys: Vec<Vec<u8>> = by_b
            .iter()
            .map(|&(b, id)| {
                let mut k = Vec::new();
                encode_record(&[Value::Int(b), Value::Int(id)], &mut k);
                k
            })
            .collect();
        let key_refs: Vec<&[u8]> = keys.iter().map(Vec::as_slice).collect();
        let index_root = index(&mut pages, &key_refs).unwrap();
        let empty = Table::new(page_size).finish(&mut pages).unwrap();
        let empty_index = index(&mut pages, &[]).unwrap();
        let count = pages.finish().unwrap();
        let schema = [
            SchemaEntry {
                kind: "table",
                name: "t",
                table: "t",
                root,
                sql: "CREATE TABLE t (id integer primary key, a text, b integer)",
            },
            SchemaEntry {
                kind: "index",
                name: "t_b",
                table: "t",
                root: index_root,
                sql: "CREATE INDEX t_b on t (b)",
            },
            SchemaEntry {
                kind: "table",
                name: "e",
                table: "e",
                root: empty,
                sql: "CREATE TABLE e (x integer not null)",
            },
            SchemaEntry {
                kind: "index",
                name: "e_x",
                table: "e",
                root: empty_index,
                sql: "CREATE INDEX e_x on e (x)",
            },
        ];
        let mut file = first_page(page_size, count, &schema).unwrap();
        for p in pieces {
            file.extend(p);
        }
        assert_eq!(file.len(), count as usize * page_size);
        file
    }

    fn open(bytes: &[u8]) -> (tempfile::TempDir, Connection) {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("t.db");
        std::fs::write(&path, bytes).unwrap();
        let conn = Connection::open(&path).unwrap();
        (dir, conn)
    }

    fn check(conn: &Connection) {
        let result: Vec<String> = conn
            .prepare("PRAGMA integrity_check")
            .unwrap()
            .query_map([], |r| r.get(0))
            .unwrap()
            .map(Result::unwrap)
            .collect();
        assert_eq!(result, ["ok"]);
    }

    fn rows_of(conn: &Connection) -> Vec<(i64, rusqlite::types::Value, i64)> {
        conn.prepare("SELECT id, a, b FROM t ORDER BY id")
            .unwrap()
            .query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))
            .unwrap()
            .map(Result::unwrap)
            .collect()
    }

    fn sample_rows(
        n: i64,
        text: impl Fn(i64) -> String,
    ) -> Vec<(i64, Value<'static>, Value<'static>)> {
        (0..n)
            .map(|i| {
                let id = 1_700_000_000_000 + i * 3;
                // Integers of every size, negative ones too, repeated.
                let b = match i % 7 {
                    0 => 0,
                    1 => 1,
                    2 => -1,
                    3 => 300 * i,
                    4 => -70_000 * i,
                    5 => 1 << 40,
                    _ => i64::MIN + i,
                };
                (id, Value::Text(Cow::Owned(text(i))), Value::Int(b))
            })
            .collect()
    }

    fn assert_reads_back(page_size: usize, rows: &[(i64, Value, Value)]) {
        let bytes = write_db(page_size, rows);
        let (_dir, conn) = open(&bytes);
        check(&conn);
        let got = rows_of(&conn);
        assert_eq!(got.len(), rows.len());
        for (g, (id, a, b)) in got.iter().zip(rows) {
            assert_eq!(g.0, *id);
            match (a, &g.1) {
                (Value::Text(t), rusqlite::types::Value::Text(s)) => assert_eq!(t, s),
                other => panic!("{other:?}"),
            }
            assert_eq!(Value::Int(g.2), *b);
        }
        // The index answers a query on its own.
        let via_index: i64 = conn
            .query_row(
                "SELECT count(*) FROM t INDEXED BY t_b WHERE b >= 0",
                [],
                |r| r.get(0),
            )
            .unwrap();
        let direct = rows
            .iter()
            .filter(|(_, _, b)| matches!(b, Value::Int(b) if *b >= 0))
            .count();
        assert_eq!(via_index as usize, direct);
    }

    #[test]
    fn an_empty_table_and_index_read_back() {
        assert_reads_back(512, &[]);
    }

    #[test]
    fn one_row_reads_back() {
        assert_reads_back(4096, &sample_rows(1, |i| format!("row {i}")));
    }

    #[test]
    fn deep_trees_read_back() {
        // Small pages: several interior levels for the table and the index.
        assert_reads_back(512, &sample_rows(20_000, |i| format!("row {i} é")));
    }

    #[test]
    fn rows_longer_than_a_page_go_to_overflow_pages() {
        // Lengths around every threshold of the rule, on small pages.
        let rows = sample_rows(400, |i| "x".repeat((i as usize * 37) % 3000));
        assert_reads_back(512, &rows);
        let rows = sample_rows(60, |i| "ü".repeat(i as usize * 997 % 40_000));
        assert_reads_back(16384, &rows);
    }

    proptest::proptest! {
        #![proptest_config(proptest::prelude::ProptestConfig::with_cases(24))]

        /// Any rows, of any lengths and integers, on any page size: a sound
        /// file that reads back.
        #[test]
        fn any_rows_make_a_sound_file(
            page_size in proptest::sample::select(vec![512usize, 1024, 4096, 16384]),
            rows in proptest::collection::vec((0usize..40_000, proptest::num::i64::ANY, 1i64..1000), 0..300),
        ) {
            let mut id = 0i64;
            let rows: Vec<(i64, Value, Value)> = rows
                .into_iter()
                .map(|(len, b, step)| {
                    id += step;
                    let text: String = (0..len).map(|i| (b'a' + (i % 26) as u8) as char).collect();
                    (id, Value::Text(Cow::Owned(text)), Value::Int(b))
                })
                .collect();
            assert_reads_back(page_size, &rows);
        }
    }

    #[test]
    fn records_match_what_sqlite_writes() {
        // SQLite's own record for the same values, read back as a blob.
        let mut conn = Connection::open_in_memory().unwrap();
        let long = "long text ".repeat(20);
        let values: Vec<Value> = vec![
            Value::Null,
            Value::Int(0),
            Value::Int(1),
            Value::Int(-1),
            Value::Int(127),
            Value::Int(-129),
            Value::Int(40_000),
            Value::Int(-8_388_609),
            Value::Int(1_700_000_000),
            Value::Int(1_700_000_000_000),
            Value::Int(i64::MAX),
            Value::Real(2.5),
            Value::text(""),
            Value::text(&long),
        ];
        let mut ours = Vec::new();
        encode_record(&values, &mut ours);
        let columns: Vec<String> = (0..values.len()).map(|i| format!("c{i}")).collect();
        conn.execute_batch(&format!("CREATE TABLE r ({})", columns.join(", ")))
            .unwrap();
        let params: Vec<rusqlite::types::Value> = values
            .iter()
            .map(|v| match v {
                Value::Null => rusqlite::types::Value::Null,
                Value::Int(i) => rusqlite::types::Value::Integer(*i),
                Value::Real(f) => rusqlite::types::Value::Real(*f),
                Value::Text(t) => rusqlite::types::Value::Text(t.to_string()),
            })
            .collect();
        let marks: Vec<String> = (1..=values.len()).map(|i| format!("?{i}")).collect();
        conn.execute(
            &format!("INSERT INTO r VALUES ({})", marks.join(", ")),
            rusqlite::params_from_iter(params),
        )
        .unwrap();
        // The table's one leaf holds one cell: payload length, row id 1, record.
        let bytes = conn.serialize(rusqlite::MAIN_DB).unwrap().to_vec();
        let page_size = u16::from_be_bytes([bytes[16], bytes[17]]) as usize;
        let page = &bytes[page_size..2 * page_size];
        let cell_at = u16::from_be_bytes([page[8], page[9]]) as usize;
        let mut expected_cell = Vec::new();
        put_varint(&mut expected_cell, ours.len() as u64);
        put_varint(&mut expected_cell, 1);
        expected_cell.extend_from_slice(&ours);
        assert_eq!(
            &page[cell_at..cell_at + expected_cell.len()],
            &expected_cell[..]
        );
    }

    #[test]
    fn integer_records_are_the_general_ones() {
        let ints = [
            0,
            1,
            -1,
            200,
            -40_000,
            1 << 30,
            1_700_000_000_000,
            i64::MIN,
            7,
        ];
        for null_first in [false, true] {
            for empty_text_last in [false, true] {
                for n in 0..=ints.len() {
                    let mut values = Vec::new();
                    if null_first {
                        values.push(Value::Null);
                    }
                    values.extend(ints[..n].iter().map(|&i| Value::Int(i)));
                    if empty_text_last {
                        values.push(Value::text(""));
                    }
                    let (mut general, mut fast) = (Vec::new(), Vec::new());
                    encode_record(&values, &mut general);
                    encode_int_record(null_first, &ints[..n], empty_text_last, &mut fast);
                    assert_eq!(fast, general, "{values:?}");
                }
            }
        }
    }

    #[test]
    fn numeric_looking_text_is_converted_as_sqlite_does() {
        let mut affinity = Affinity::default();
        assert_eq!(
            affinity.integer("Kāthmandu").unwrap(),
            Value::text("Kāthmandu")
        );
        assert_eq!(affinity.integer("").unwrap(), Value::text(""));
        assert_eq!(affinity.integer("2021").unwrap(), Value::Int(2021));
        assert_eq!(affinity.integer(" 42 ").unwrap(), Value::Int(42));
        assert_eq!(affinity.integer("1e3").unwrap(), Value::Int(1000));
        assert_eq!(affinity.integer("2.5").unwrap(), Value::Real(2.5));
        assert_eq!(affinity.integer("1-2").unwrap(), Value::text("1-2"));
        assert_eq!(affinity.integer("e").unwrap(), Value::text("e"));
    }

    #[test]
    fn pieces_have_the_pages_in_order() {
        let mut pieces = Vec::new();
        let mut pages = Pages::new(512, 2, |p| {
            pieces.push(p);
            Ok(Vec::new())
        });
        for i in 0..5u8 {
            assert_eq!(pages.push(&[i; 512]).unwrap(), u32::from(i) + 2);
        }
        assert_eq!(pages.finish().unwrap(), 6);
        let sizes: Vec<usize> = pieces.iter().map(Vec::len).collect();
        assert_eq!(sizes, [1024, 1024, 512]);
        assert_eq!(pieces[2][0], 4);
    }
}
