//! Packaging: the EPUB 3 container (OPF manifest and spine, EPUB 3 nav,
//! EPUB 2 NCX) and the zip, written straight to the output.
//!
//! The project used epub-builder 0.8.3 for the package. Profiling a
//! 2,000-brief booklet showed it was the slowest part of the build, on one
//! thread: it compressed every content document again, each with a fresh
//! deflate state (empty placeholders included), kept its own zip in memory,
//! and then the result had to be read back and re-written to fix what it
//! cannot express. We now write the same three files ourselves, byte for byte
//! what epub-builder wrote plus our fixes (checked when the switch was made:
//! the same `.epub`, to the byte, for 2,000 and 10,000 synthetic briefs in
//! every layout), so the output did not change:
//! - `dc:creator` (with its role), `dc:publisher` and `dc:date` come after
//!   epub-builder's metadata; its `dc:creator` gave `dc:language` a
//!   duplicate id, which EPUBCheck rejects ([`check_unique_ids`] still guards
//!   against any duplicate).
//! - `dcterms:modified` is ours, never the wall-clock time.
//! - the nav document has `xml:lang`/`lang`; the NCX has `xml:lang`, a
//!   `dtb:uid` and the real depth.
//! - the landmarks nav is never empty: the cover, title page, first part and
//!   glossary carry a landmark.
//!
//! Documents arrive compressed ([`Packed`]): each is deflated in parallel as
//! soon as it is rendered and its text dropped, so the booklet never holds
//! more than its compressed size; [`write`] then copies the compressed
//! entries into the output zip in order, without a second in-memory copy.

use super::layout::{Doc, Landmark};
use super::xhtml::{esc, xml_clean};
use crate::export::zip_entry;
use anyhow::{Context as _, Result, bail};
use std::borrow::Cow;
use std::collections::{BTreeMap, HashSet};
use std::fmt::Write as _;
use std::io::{Cursor, Write};
use std::path::PathBuf;
use time::OffsetDateTime;
use time::macros::format_description;
use zip::write::{SimpleFileOptions, StreamWriter};
use zip::{CompressionMethod, ZipArchive, ZipWriter};

/// Everything the package needs besides the documents.
pub(crate) struct Meta {
    pub title: String,
    pub language: String,
    pub author: String,
    pub publisher: Option<String>,
    pub description: String,
    pub subjects: Vec<String>,
    pub identifier: uuid::Uuid,
    /// `dcterms:modified`, and the time stamped on every zip entry.
    pub modified: OffsetDateTime,
    /// `dc:date`: the newest brief's date.
    pub date: time::Date,
    /// The deepest navigation level (1 or 2), for the NCX.
    pub toc_depth: usize,
}

/// The identifier of a booklet: a UUID v5 of its title, so rebuilding a
/// booklet gives the same identifier and readers treat it as a new edition
/// of the same book rather than a second copy.
pub(crate) fn identifier(title: &str) -> uuid::Uuid {
    let namespace = uuid::Uuid::new_v5(&uuid::Uuid::NAMESPACE_URL, b"urn:briefdeck:epub");
    uuid::Uuid::new_v5(&namespace, title.as_bytes())
}

/// A document deflated into a zip of its own (one entry): what [`write`]
/// copies into the package without recompressing. It costs about 100 bytes
/// of zip headers per document.
pub(crate) struct Packed(Vec<u8>);

impl Packed {
    /// Deflates `text` as the entry `OEBPS/<file>`; see [`Packed::deflated`].
    pub fn new(file: &str, text: &str) -> Packed {
        Packed::deflated(&format!("OEBPS/{file}"), text.as_bytes())
    }

    /// Deflates `bytes` as the entry `name` at [`zip_entry::LEVEL`] (one
    /// deflate state per thread); the time and permissions are stamped when
    /// it is copied into the package.
    fn deflated(name: &str, bytes: &[u8]) -> Packed {
        Packed(zip_entry::one_entry_zip(name, bytes))
    }

    /// The same document as the content file `file`: its deflated data is
    /// kept, the zip headers are written again.
    pub fn renamed(&self, file: &str) -> Packed {
        Packed(zip_entry::renamed(&self.0, &format!("OEBPS/{file}")))
    }

    /// The entry `name` as epub-builder wrote it: `mimetype` stored, anything
    /// else deflated at the zip crate's default level.
    fn as_epub_builder_did(name: &str, bytes: &[u8]) -> Packed {
        let options = SimpleFileOptions::default().compression_method(if name == "mimetype" {
            CompressionMethod::Stored
        } else {
            CompressionMethod::Deflated
        });
        let mut zip = ZipWriter::new(Cursor::new(Vec::with_capacity(bytes.len() / 3 + 256)));
        // Writing into memory cannot fail; an error here is a bug.
        zip.start_file(name, options)
            .and_then(|()| zip.write_all(bytes).map_err(Into::into))
            .expect("compressing into memory");
        let mut bytes = zip.finish().expect("compressing into memory").into_inner();
        bytes.shrink_to_fit();
        Packed(bytes)
    }

    /// The document's text again (for tests).
    #[cfg(test)]
    pub fn text(&self) -> String {
        use std::io::Read as _;
        let mut zip = ZipArchive::new(Cursor::new(&self.0)).unwrap();
        let mut text = String::new();
        zip.by_index(0).unwrap().read_to_string(&mut text).unwrap();
        text
    }
}

/// Writes the `.epub` to `out`: entries in epub-builder's order (mimetype,
/// container, iBooks options, stylesheet, cover image, images, the content
/// documents in spine order, OPF, NCX, nav), every one stamped with the same
/// time and permissions so the file is reproducible.
pub(crate) fn write(
    out: &mut dyn Write,
    docs: &[Doc],
    images: &BTreeMap<String, (PathBuf, &'static str)>,
    cover_svg: &str,
    stylesheet: &str,
    meta: &Meta,
) -> Result<()> {
    // The three navigation files are large for a big booklet (the NCX of
    // 10,000 briefs is about 7 MB): build and compress them in parallel.
    let ((opf, ncx), nav) = rayon::join(
        || {
            rayon::join(
                || -> Result<Packed> {
                    let opf = opf(docs, images, meta);
                    check_unique_ids(&opf).context("fixing OEBPS/content.opf")?;
                    Ok(Packed::deflated("OEBPS/content.opf", opf.as_bytes()))
                },
                || Packed::deflated("OEBPS/toc.ncx", ncx(docs, meta).as_bytes()),
            )
        },
        || Packed::deflated("OEBPS/nav.xhtml", nav(docs, meta).as_bytes()),
    );
    let opf = opf?;

    // What epub-builder added itself, at its (default) compression level.
    let mut head = vec![
        Packed::as_epub_builder_did("mimetype", b"application/epub+zip"),
        Packed::as_epub_builder_did("META-INF/container.xml", CONTAINER.as_bytes()),
        Packed::as_epub_builder_did(
            "META-INF/com.apple.ibooks.display-options.xml",
            IBOOKS.as_bytes(),
        ),
        Packed::as_epub_builder_did("OEBPS/stylesheet.css", stylesheet.as_bytes()),
        Packed::as_epub_builder_did("OEBPS/cover.svg", cover_svg.as_bytes()),
    ];
    for (name, (path, _)) in images {
        let bytes = std::fs::read(path)
            .with_context(|| format!("cannot read the image {}", path.display()))?;
        head.push(Packed::as_epub_builder_did(
            &format!("OEBPS/images/{name}"),
            &bytes,
        ));
    }

    // `ZipWriter::new` over a `StreamWriter`: copied entries have their sizes
    // and CRC up front, so the writer never seeks back (a `StreamWriter`
    // refuses any seek that is not a no-op, so a change there fails loudly
    // rather than writing a broken file), and no data descriptors are added
    // as `ZipWriter::new_stream` would.
    let mut zip = ZipWriter::new(StreamWriter::new(out));
    let time = zip_time(meta.modified);
    let all = head
        .iter()
        .chain(docs.iter().map(|d| &d.content))
        .chain([&opf, &ncx, &nav]);
    for packed in all {
        let mut archive = ZipArchive::new(Cursor::new(packed.0.as_slice()))?;
        zip.raw_copy_file_touch(archive.by_index_raw(0)?, time, Some(0o644))?;
    }
    zip.finish()?.flush()?;
    Ok(())
}

const CONTAINER: &str = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>
<container version=\"1.0\" xmlns=\"urn:oasis:names:tc:opendocument:xmlns:container\">
  <rootfiles>
    <rootfile full-path=\"OEBPS/content.opf\" media-type=\"application/oebps-package+xml\" />
  </rootfiles>
</container>
";

/// Asks Apple Books to use the booklet's fonts.
const IBOOKS: &str = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>
<display_options>
  <platform name=\"*\">
    <option name=\"specified-fonts\">true</option>
  </platform>
</display_options>
";

/// Accessibility metadata (schema.org, as EPUB Accessibility 1.1 asks).
/// Every image, the cover included, has a text alternative, so text alone
/// suffices.
fn accessibility(has_images: bool) -> Vec<(&'static str, String)> {
    let mut m = vec![
        ("schema:accessMode", "textual".to_owned()),
        ("schema:accessMode", "visual".to_owned()),
        ("schema:accessModeSufficient", "textual".to_owned()),
        (
            "schema:accessibilityFeature",
            "structuralNavigation".to_owned(),
        ),
        ("schema:accessibilityFeature", "tableOfContents".to_owned()),
        ("schema:accessibilityFeature", "readingOrder".to_owned()),
        ("schema:accessibilityFeature", "alternativeText".to_owned()),
        (
            "schema:accessibilityFeature",
            "displayTransformability".to_owned(),
        ),
        ("schema:accessibilityHazard", "none".to_owned()),
    ];
    let summary = if has_images {
        "Text with headings, a two-level table of contents and linked cross-references; every figure and the cover have a text alternative; key terms are bold and nothing relies on colour."
    } else {
        "Text with headings, a two-level table of contents and linked cross-references; the cover has a text alternative; key terms are bold and nothing relies on colour."
    };
    m.push(("schema:accessibilitySummary", summary.to_owned()));
    m
}

/// DOS time for the zip entries (which cannot go before 1980).
fn zip_time(t: OffsetDateTime) -> zip::DateTime {
    let year = t.year().clamp(1980, 2107) as u16;
    zip::DateTime::from_date_and_time(
        year,
        t.month() as u8,
        t.day(),
        t.hour(),
        t.minute(),
        t.second(),
    )
    .unwrap_or_default()
}

/// `&`, `<`, `>` escaped: how epub-builder escaped text.
fn text_esc(s: &str, out: &mut String) {
    escape_bytes(s, false, out);
}

/// `&`, `<`, `>`, `"` escaped: how epub-builder escaped attributes.
fn attr_esc(s: &str, out: &mut String) {
    escape_bytes(s, true, out);
}

fn escape_bytes(s: &str, quote: bool, out: &mut String) {
    let mut from = 0;
    for (i, b) in s.bytes().enumerate() {
        let r = match b {
            b'&' => "&amp;",
            b'<' => "&lt;",
            b'>' => "&gt;",
            b'"' if quote => "&quot;",
            _ => continue,
        };
        out.push_str(&s[from..i]);
        out.push_str(r);
        from = i + 1;
    }
    out.push_str(&s[from..]);
}

/// Appends `text` with every non-empty line indented by `spaces`, lines
/// joined by `\n` (epub-builder's `indent`, for multi-line metadata).
fn indented(text: &str, spaces: usize, out: &mut String) {
    for (i, line) in text.lines().enumerate() {
        if i > 0 {
            out.push('\n');
        }
        if !line.is_empty() {
            out.extend(std::iter::repeat_n(' ', spaces));
        }
        out.push_str(line);
    }
}

/// A manifest id from a file name (epub-builder's `to_id`): `id_` and the
/// name with every character an XML name cannot hold replaced by `_`.
fn manifest_id(file: &str, out: &mut String) {
    out.push_str("id_");
    out.extend(file.chars().map(|c| if is_id_char(c) { c } else { '_' }));
}

fn is_id_char(c: char) -> bool {
    matches!(c,
        'A'..='Z' | '_' | 'a'..='z' | '-' | '.' | '0'..='9' | '\u{B7}'
        | '\u{C0}'..='\u{D6}' | '\u{D8}'..='\u{F6}' | '\u{F8}'..='\u{2FF}'
        | '\u{300}'..='\u{36F}' | '\u{370}'..='\u{37D}' | '\u{37F}'..='\u{1FFF}'
        | '\u{200C}'..='\u{200D}' | '\u{203F}'..='\u{2040}' | '\u{2070}'..='\u{218F}'
        | '\u{2C00}'..='\u{2FEF}' | '\u{3001}'..='\u{D7FF}' | '\u{F900}'..='\u{FDCF}'
        | '\u{FDF0}'..='\u{FFFD}' | '\u{10000}'..='\u{EFFFF}')
}

fn w3c_datetime(t: OffsetDateTime) -> String {
    t.format(format_description!(
        "[year]-[month]-[day]T[hour]:[minute]:[second]Z"
    ))
    .expect("a formattable date")
}

fn generator() -> String {
    format!("briefdeck {}", env!("CARGO_PKG_VERSION"))
}

/// The navigation title epub-builder shows for a document: its TOC title,
/// control characters removed.
fn toc_title(doc: &Doc) -> Cow<'_, str> {
    doc.toc
        .as_ref()
        .map(|t| xml_clean(&t.title))
        .unwrap_or_default()
}

/// `content.opf`.
fn opf(docs: &[Doc], images: &BTreeMap<String, (PathBuf, &'static str)>, meta: &Meta) -> String {
    let mut o = String::with_capacity(4096 + docs.len() * 160);
    o.push_str("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<package version=\"3.0\" xmlns=\"http://www.idpf.org/2007/opf\" unique-identifier=\"epub-id-1\">\n  <metadata xmlns:dc=\"http://purl.org/dc/elements/1.1/\"\n            xmlns:opf=\"http://www.idpf.org/2007/opf\">\n    <dc:identifier id=\"epub-id-1\">");
    let _ = write!(o, "{}", uuid::fmt::Urn::from_uuid(meta.identifier));
    o.push_str("</dc:identifier>\n    <dc:title>");
    text_esc(&xml_clean(&meta.title), &mut o);
    o.push_str("</dc:title>\n    \n    \n    <dc:language id=\"epub-creator-0\">");
    text_esc(&xml_clean(&meta.language), &mut o);
    o.push_str("</dc:language>\n    \n    \n    <meta property=\"dcterms:modified\">");
    o.push_str(&w3c_datetime(meta.modified));
    o.push_str("</meta>\n");

    let mut optional = String::new();
    optional.push_str("<dc:description>");
    text_esc(&xml_clean(&meta.description), &mut optional);
    optional.push_str("</dc:description>");
    for s in &meta.subjects {
        optional.push_str("\n<dc:subject>");
        text_esc(&xml_clean(s), &mut optional);
        optional.push_str("</dc:subject>");
    }
    for (property, value) in accessibility(!images.is_empty()) {
        let _ = write!(
            optional,
            "\n<meta property=\"{property}\">{}</meta>",
            esc(&value)
        );
    }
    optional.push_str("\n<meta name=\"cover\" content=\"cover-image\"/>");
    indented(&optional, 4, &mut o);
    let _ = write!(
        o,
        "\n    <dc:creator id=\"creator\">{}</dc:creator>\n    <meta refines=\"#creator\" property=\"role\" scheme=\"marc:relators\">aut</meta>\n",
        esc(&meta.author)
    );
    if let Some(p) = &meta.publisher {
        let _ = writeln!(o, "    <dc:publisher>{}</dc:publisher>", esc(p));
    }
    let _ = writeln!(o, "    <dc:date>{}</dc:date>", meta.date);
    o.push_str("  </metadata>\n  <manifest>\n    <item id=\"ncx\" href=\"toc.ncx\" media-type=\"application/x-dtbncx+xml\"/>\n    <item id=\"nav\" href=\"nav.xhtml\" media-type=\"application/xhtml+xml\" properties=\"nav\"/>\n");
    o.push_str("    <item media-type=\"text/css\" id=\"id_stylesheet.css\" href=\"stylesheet.css\"/>\n    <item media-type=\"image/svg+xml\" properties=\"cover-image\" id=\"cover-image\" href=\"cover.svg\"/>\n");
    for (name, (_, media_type)) in images {
        let file = format!("images/{name}");
        o.push_str("    <item media-type=\"");
        attr_esc(media_type, &mut o);
        o.push_str("\" id=\"");
        manifest_id(&file, &mut o);
        o.push_str("\" href=\"");
        attr_esc(&file, &mut o);
        o.push_str("\"/>\n");
    }
    for d in docs {
        o.push_str("    <item media-type=\"application/xhtml+xml\" id=\"");
        manifest_id(&d.file, &mut o);
        o.push_str("\" href=\"");
        attr_esc(&d.file, &mut o);
        o.push_str("\"/>\n");
    }
    o.push_str("  </manifest>\n  <spine toc=\"ncx\" page-progression-direction=\"ltr\">\n");
    for d in docs {
        o.push_str("    <itemref idref=\"");
        manifest_id(&d.file, &mut o);
        o.push_str("\"/>\n");
    }
    o.push_str("  </spine>\n  <guide>\n    <reference type=\"toc\" title=\"Contents\" href=\"nav.xhtml\"/>\n");
    for d in docs {
        let Some(landmark) = d.landmark else { continue };
        let kind = match landmark {
            Landmark::Cover => "cover",
            Landmark::TitlePage => "title-page",
            Landmark::BodyMatter => "text",
            Landmark::Glossary => "glossary",
        };
        let _ = write!(o, "    <reference type=\"{kind}\" title=\"");
        attr_esc(&toc_title(d), &mut o);
        o.push_str("\" href=\"");
        attr_esc(&d.file, &mut o);
        o.push_str("\"/>\n");
    }
    o.push_str("  </guide>\n</package>\n");
    o
}

/// `nav.xhtml`: the EPUB 3 table of contents (two levels) and landmarks.
fn nav(docs: &[Doc], meta: &Meta) -> String {
    let mut o = String::with_capacity(4096 + docs.len() * 200);
    o.push_str("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<!DOCTYPE html>\n<html xmlns=\"http://www.w3.org/1999/xhtml\" xmlns:epub=\"http://www.idpf.org/2007/ops\"");
    let lang = esc(&meta.language);
    let _ = write!(
        o,
        " xml:lang=\"{lang}\" lang=\"{lang}\">\n<head>\n  <meta charset = \"utf-8\" />\n  <meta name=\"generator\" content=\""
    );
    attr_esc(&generator(), &mut o);
    o.push_str("\" />\n  <title>Contents</title>\n  <link rel=\"stylesheet\" type=\"text/css\" href=\"stylesheet.css\" />\n</head>\n<body>\n  <nav epub:type = \"toc\" id=\"toc\">\n    <h1 id=\"toc-title\">Contents</h1>\n    <ol>");
    for d in docs {
        let Some(toc) = &d.toc else { continue };
        let title = xml_clean(&toc.title);
        if title.is_empty() {
            continue;
        }
        let link = |o: &mut String, href: &str, title: &str| {
            o.push_str("<a href=\"");
            attr_esc(href, o);
            o.push_str("\">");
            text_esc(title, o);
            o.push_str("</a>");
        };
        if toc.children.is_empty() {
            o.push_str("\n      <li>");
            link(&mut o, &toc.href, &title);
            o.push_str("</li>");
            continue;
        }
        o.push_str("\n      <li>\n        ");
        link(&mut o, &toc.href, &title);
        o.push_str("\n        <ol>");
        for (child, href) in &toc.children {
            let child = xml_clean(child);
            o.push('\n');
            // An untitled entry is left out, its line kept (as epub-builder did).
            if !child.is_empty() {
                o.push_str("          <li>");
                link(&mut o, href, &child);
                o.push_str("</li>");
            }
        }
        o.push_str("\n        </ol>\n      </li>");
    }
    o.push_str("\n    </ol>\n  </nav>\n  <nav epub:type = \"landmarks\">\n    <ol>");
    for d in docs {
        let Some(landmark) = d.landmark else { continue };
        let title = toc_title(d);
        if title.is_empty() {
            continue;
        }
        let kind = match landmark {
            Landmark::Cover => "cover",
            Landmark::TitlePage => "titlepage",
            Landmark::BodyMatter => "bodymatter",
            Landmark::Glossary => "glossary",
        };
        let _ = write!(o, "\n      <li><a epub:type=\"{kind}\" href=\"");
        attr_esc(&d.file, &mut o);
        o.push_str("\">");
        text_esc(&title, &mut o);
        o.push_str("</a></li>");
    }
    o.push_str("\n    </ol>\n  </nav>\n</body>\n</html>\n");
    o
}

/// `toc.ncx`: the EPUB 2 table of contents, for older readers.
fn ncx(docs: &[Doc], meta: &Meta) -> String {
    let mut o = String::with_capacity(4096 + docs.len() * 400);
    let _ = write!(
        o,
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<ncx version=\"2005-1\" xmlns=\"http://www.daisy.org/z3986/2005/ncx/\" xml:lang=\"{}\">\n  <head>\n    <meta name=\"dtb:uid\" content=\"{}\" />\n    <meta name=\"dtb:depth\" content=\"{}\" />\n    <meta name=\"dtb:totalPageCount\" content=\"0\" />\n    <meta name=\"dtb:maxPageNumber\" content=\"0\" />\n  </head>\n  <docTitle>\n    <text>Contents</text>\n  </docTitle>\n  <navMap>",
        esc(&meta.language),
        uuid::fmt::Urn::from_uuid(meta.identifier),
        meta.toc_depth
    );
    let mut order = 0;
    let point = |o: &mut String, order: &mut u32, indent: &str, title: &str, href: &str| {
        *order += 1;
        let _ = write!(
            o,
            "\n{indent}<navPoint playOrder=\"{order}\" id=\"navPoint-{order}\">\n{indent}  <navLabel>\n{indent}   <text>"
        );
        // Escaping leaves the ends' whitespace as it is: trim first.
        text_esc(title.trim(), o);
        let _ = write!(
            o,
            "</text>\n{indent}  </navLabel>\n{indent}  <content src=\""
        );
        attr_esc(href, o);
        o.push_str("\"/>");
    };
    for d in docs {
        let Some(toc) = &d.toc else { continue };
        let title = xml_clean(&toc.title);
        if title.is_empty() {
            continue;
        }
        point(&mut o, &mut order, "    ", &title, &toc.href);
        for (child, href) in &toc.children {
            point(&mut o, &mut order, "      ", &xml_clean(child), href);
            o.push_str("\n      </navPoint>");
        }
        o.push_str("\n    </navPoint>");
    }
    o.push_str("\n  </navMap>\n</ncx>\n");
    o
}

/// Every `id="…"` in a document is distinct.
pub(crate) fn check_unique_ids(xml: &str) -> Result<()> {
    let mut seen = HashSet::new();
    for part in xml.split(" id=\"").skip(1) {
        let id = part.split('"').next().unwrap_or_default();
        if !seen.insert(id) {
            bail!("duplicate id `{id}`");
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn identifiers_are_stable_and_differ_by_title() {
        assert_eq!(identifier("A"), identifier("A"));
        assert_ne!(identifier("A"), identifier("B"));
        assert_eq!(identifier("A").get_version_num(), 5);
    }

    #[test]
    fn duplicate_ids_are_caught() {
        assert!(check_unique_ids("<a id=\"x\"/><b id=\"y\"/>").is_ok());
        assert!(check_unique_ids("<a id=\"x\"/><b id=\"x\"/>").is_err());
    }

    #[test]
    fn zip_times_clamp_to_the_dos_range() {
        let t = OffsetDateTime::from_unix_timestamp(0).unwrap();
        assert_eq!(zip_time(t).year(), 1980);
        let t = OffsetDateTime::from_unix_timestamp(1_700_000_000).unwrap();
        assert_eq!(zip_time(t).year(), 2023);
    }
}
