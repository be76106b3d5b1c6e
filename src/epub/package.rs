//! Packaging: epub-builder assembles the EPUB 3 container (OPF manifest and
//! spine, EPUB 3 nav, EPUB 2 NCX), then [`repack`] re-writes the zip so the
//! output is byte-for-byte reproducible and fixes what epub-builder 0.8.3
//! cannot express.
//!
//! epub-builder 0.8.3 traps, and what we do about each:
//! - `dc:language` and `dc:creator` both get `id="epub-creator-0"`, a
//!   duplicate id EPUBCheck rejects. We set no author through it and add
//!   `dc:creator` (with its role), `dc:publisher` and `dc:date` to the OPF
//!   ourselves; [`check_unique_ids`] guards against any duplicate.
//! - `dcterms:modified` is the wall-clock time unless set through `chrono`,
//!   which we do not depend on: we replace its value with ours.
//! - its nav document has no `xml:lang`/`lang`; we add them. The NCX claims
//!   a depth of 1 and has no `dtb:uid`; we correct both.
//! - an empty landmarks nav when no content has a reference type: the cover,
//!   title page, first part and glossary always carry one.
//!
//! Every fix replaces an exact, expected piece of text and fails loudly if it
//! is not there, so an epub-builder upgrade that changes its templates stops
//! the build instead of silently producing a different book.

use super::layout::{Doc, Landmark};
use super::xhtml::{esc, xml_clean};
use anyhow::{Context as _, Result, anyhow, bail};
use epub_builder::{
    EpubBuilder, EpubContent, EpubVersion, MetadataOpfV3, ReferenceType, TocElement, ZipLibrary,
};
use rayon::prelude::*;
use std::collections::{BTreeMap, HashMap, HashSet};
use std::io::{Cursor, Read as _, Write as _};
use std::path::PathBuf;
use time::OffsetDateTime;
use time::macros::format_description;

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

fn builder_error(e: epub_builder::Error) -> anyhow::Error {
    anyhow!("cannot assemble the EPUB: {e}")
}

/// Builds the `.epub` bytes.
///
/// The documents are compressed here, in parallel, rather than by
/// epub-builder (which compresses serially, at a level we cannot choose): it
/// gets empty placeholders, assembles the package around them while the
/// documents compress, and [`repack`] slots the compressed documents in.
pub(crate) fn package(
    docs: &[Doc],
    images: &BTreeMap<String, (PathBuf, &'static str)>,
    cover_svg: &str,
    stylesheet: &str,
    meta: &Meta,
) -> Result<Vec<u8>> {
    let (raw, compressed) = rayon::join(
        || assemble(docs, images, cover_svg, stylesheet, meta),
        || compress(docs, zip_time(meta.modified)),
    );
    repack(&raw?, compressed?, meta)
}

/// The package as epub-builder writes it, with empty content documents.
fn assemble(
    docs: &[Doc],
    images: &BTreeMap<String, (PathBuf, &'static str)>,
    cover_svg: &str,
    stylesheet: &str,
    meta: &Meta,
) -> Result<Vec<u8>> {
    let mut b =
        EpubBuilder::new(ZipLibrary::new().map_err(builder_error)?).map_err(builder_error)?;
    b.epub_version(EpubVersion::V30);
    // epub-builder escapes what it writes; we only strip what XML forbids.
    b.escape_html(true);
    b.set_title(xml_clean(&meta.title));
    b.add_language(xml_clean(&meta.language));
    b.set_generator(format!("briefdeck {}", env!("CARGO_PKG_VERSION")));
    b.set_toc_name("Contents");
    b.add_description(xml_clean(&meta.description));
    for s in &meta.subjects {
        b.add_subject(xml_clean(s));
    }
    b.set_uuid(meta.identifier);
    for (property, value) in accessibility(!images.is_empty()) {
        b.add_metadata_opf(Box::new(MetadataOpfV3::new(
            property.to_owned(),
            esc(&value),
        )));
    }
    b.stylesheet(stylesheet.as_bytes()).map_err(builder_error)?;
    b.add_cover_image("cover.svg", cover_svg.as_bytes(), "image/svg+xml")
        .map_err(builder_error)?;
    for (name, (path, media_type)) in images {
        let bytes = std::fs::read(path)
            .with_context(|| format!("cannot read the image {}", path.display()))?;
        b.add_resource(format!("images/{name}"), bytes.as_slice(), *media_type)
            .map_err(builder_error)?;
    }
    for doc in docs {
        let mut content = EpubContent::new(doc.file.as_str(), &b""[..]);
        if let Some(toc) = &doc.toc {
            content = content.title(xml_clean(&toc.title));
            for (title, href) in &toc.children {
                content = content.child(TocElement::new(href.as_str(), xml_clean(title)));
            }
        }
        if let Some(landmark) = doc.landmark {
            content = content.reftype(match landmark {
                Landmark::Cover => ReferenceType::Cover,
                Landmark::TitlePage => ReferenceType::TitlePage,
                Landmark::BodyMatter => ReferenceType::Text,
                Landmark::Glossary => ReferenceType::Glossary,
            });
        }
        b.add_content(content).map_err(builder_error)?;
    }
    let mut raw = Vec::new();
    b.generate(&mut raw).map_err(builder_error)?;
    Ok(raw)
}

/// The documents, compressed: runs of documents, each run a zip of its own
/// so that a thread resets its deflate state between documents rather than
/// allocating a new one.
fn compress(docs: &[Doc], time: zip::DateTime) -> Result<Vec<Vec<u8>>> {
    let runs = rayon::current_num_threads() * 2;
    let per_run = docs.len().div_ceil(runs).max(1);
    docs.par_chunks(per_run)
        .map(|run| {
            let size: usize = run.iter().map(|d| d.xhtml.len()).sum();
            let mut zip = zip::ZipWriter::new(Cursor::new(Vec::with_capacity(size / 3 + 4096)));
            for d in run {
                zip.start_file(format!("OEBPS/{}", d.file), entry_options(time))?;
                zip.write_all(d.xhtml.as_bytes())?;
            }
            Ok(zip.finish()?.into_inner())
        })
        .collect()
}

/// Deflate level of the content documents. Level 1 (zlib-rs's "quick"
/// strategy) saves about a quarter of the build's CPU time against level 3,
/// for files about 30 % larger (2,000 briefs: 8.0 MB instead of
/// 6.1 MB); a booklet is small either way, and build time is what a CI run
/// or a writer waiting on a rebuild feels (see bench/README.md).
const LEVEL: i64 = 1;

fn entry_options(time: zip::DateTime) -> zip::write::SimpleFileOptions {
    zip::write::SimpleFileOptions::default()
        .compression_method(zip::CompressionMethod::Deflated)
        .compression_level(Some(LEVEL))
        .last_modified_time(time)
        .unix_permissions(0o644)
}

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

/// Re-writes the zip: every entry gets the same fixed time and permissions
/// (entries copied without recompressing), the content documents replace
/// their placeholders (from `documents`, zips of compressed documents), and
/// the OPF, nav and NCX get their fixes.
pub(crate) fn repack(raw: &[u8], documents: Vec<Vec<u8>>, meta: &Meta) -> Result<Vec<u8>> {
    let capacity: usize = documents.iter().map(Vec::len).sum();
    let mut documents = documents
        .into_iter()
        .map(|zip| zip::ZipArchive::new(Cursor::new(zip)))
        .collect::<Result<Vec<_>, _>>()?;
    let mut index: HashMap<String, (usize, usize)> = HashMap::new();
    for (a, archive) in documents.iter_mut().enumerate() {
        for i in 0..archive.len() {
            index.insert(archive.by_index_raw(i)?.name()?.into_owned(), (a, i));
        }
    }
    let mut archive = zip::ZipArchive::new(Cursor::new(raw)).context("reading back the EPUB")?;
    let mut out = zip::ZipWriter::new(Cursor::new(Vec::with_capacity(raw.len() + capacity)));
    let time = zip_time(meta.modified);
    let mut fixed = 0;
    for i in 0..archive.len() {
        let name = archive.by_index_raw(i)?.name()?.into_owned();
        let fix: Option<fn(String, &Meta) -> Result<String>> = match name.as_str() {
            "OEBPS/content.opf" => Some(fix_opf),
            "OEBPS/nav.xhtml" => Some(fix_nav),
            "OEBPS/toc.ncx" => Some(fix_ncx),
            _ => None,
        };
        if let Some((a, i)) = index.remove(&name) {
            out.raw_copy_file(documents[a].by_index_raw(i)?)?;
            continue;
        }
        match fix {
            Some(fix) => {
                let mut text = String::new();
                archive.by_index(i)?.read_to_string(&mut text)?;
                let text = fix(text, meta).with_context(|| format!("fixing {name}"))?;
                out.start_file(name, entry_options(time))?;
                out.write_all(text.as_bytes())?;
                fixed += 1;
            }
            None => out.raw_copy_file_touch(archive.by_index_raw(i)?, time, Some(0o644))?,
        }
    }
    if fixed != 3 || !index.is_empty() {
        bail!("epub-builder wrote an unexpected package ({fixed} of 3 files to fix found)");
    }
    Ok(out.finish()?.into_inner())
}

/// Replaces the one occurrence of `from` in the head of `text` (the part
/// before `end`, where epub-builder writes what we fix); anything else is an
/// error. Searching only the head keeps a 2,000-brief navigation cheap.
fn replace_once(text: &str, end: &str, from: &str, to: &str) -> Result<String> {
    let head = &text[..text.find(end).unwrap_or(text.len())];
    match head.matches(from).count() {
        1 => {
            let at = head.find(from).expect("found once");
            let mut out = String::with_capacity(text.len() + to.len());
            out.push_str(&text[..at]);
            out.push_str(to);
            out.push_str(&text[at + from.len()..]);
            Ok(out)
        }
        n => bail!("expected `{from}` once, found it {n} times"),
    }
}

fn w3c_datetime(t: OffsetDateTime) -> String {
    t.format(format_description!(
        "[year]-[month]-[day]T[hour]:[minute]:[second]Z"
    ))
    .expect("a formattable date")
}

fn fix_opf(opf: String, meta: &Meta) -> Result<String> {
    const MODIFIED: &str = "<meta property=\"dcterms:modified\">";
    let start = opf
        .find(MODIFIED)
        .ok_or_else(|| anyhow!("no dcterms:modified"))?
        + MODIFIED.len();
    let end = start
        + opf[start..]
            .find("</meta>")
            .ok_or_else(|| anyhow!("unclosed dcterms:modified"))?;
    let mut opf = format!(
        "{}{}{}",
        &opf[..start],
        w3c_datetime(meta.modified),
        &opf[end..]
    );

    let mut added = format!(
        "    <dc:creator id=\"creator\">{}</dc:creator>\n    <meta refines=\"#creator\" property=\"role\" scheme=\"marc:relators\">aut</meta>\n",
        esc(&meta.author)
    );
    if let Some(p) = &meta.publisher {
        added.push_str(&format!("    <dc:publisher>{}</dc:publisher>\n", esc(p)));
    }
    added.push_str(&format!("    <dc:date>{}</dc:date>\n", meta.date));
    added.push_str("  </metadata>");
    opf = replace_once(&opf, "<manifest>", "  </metadata>", &added)?;
    check_unique_ids(&opf)?;
    Ok(opf)
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

fn fix_nav(nav: String, meta: &Meta) -> Result<String> {
    let lang = esc(&meta.language);
    replace_once(
        &nav,
        "<head>",
        "<html xmlns=\"http://www.w3.org/1999/xhtml\" xmlns:epub=\"http://www.idpf.org/2007/ops\">",
        &format!(
            "<html xmlns=\"http://www.w3.org/1999/xhtml\" xmlns:epub=\"http://www.idpf.org/2007/ops\" xml:lang=\"{lang}\" lang=\"{lang}\">"
        ),
    )
}

fn fix_ncx(ncx: String, meta: &Meta) -> Result<String> {
    let lang = esc(&meta.language);
    let ncx = replace_once(
        &ncx,
        "<head>",
        "<ncx version=\"2005-1\" xmlns=\"http://www.daisy.org/z3986/2005/ncx/\">",
        &format!(
            "<ncx version=\"2005-1\" xmlns=\"http://www.daisy.org/z3986/2005/ncx/\" xml:lang=\"{lang}\">"
        ),
    )?;
    replace_once(
        &ncx,
        "<navMap>",
        "<meta name=\"dtb:depth\" content=\"1\" />",
        &format!(
            "<meta name=\"dtb:uid\" content=\"{}\" />\n    <meta name=\"dtb:depth\" content=\"{}\" />",
            uuid::fmt::Urn::from_uuid(meta.identifier),
            meta.toc_depth
        ),
    )
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
    fn replace_once_refuses_missing_or_repeated_text() {
        assert_eq!(replace_once("abc|b", "|", "b", "x").unwrap(), "axc|b");
        assert!(replace_once("abc", "|", "z", "x").is_err());
        assert!(replace_once("abab", "|", "b", "x").is_err());
        assert!(
            replace_once("a|b", "|", "b", "x").is_err(),
            "only the head counts"
        );
    }

    #[test]
    fn zip_times_clamp_to_the_dos_range() {
        let t = OffsetDateTime::from_unix_timestamp(0).unwrap();
        assert_eq!(zip_time(t).year(), 1980);
        let t = OffsetDateTime::from_unix_timestamp(1_700_000_000).unwrap();
        assert_eq!(zip_time(t).year(), 2023);
    }
}
