//! How the booklet is laid out (SPEC §5): the order of the briefs, the
//! grouping (`--group-by theme|brief|subject|month`), which file every entry
//! lands in, and the navigation entries.
//!
//! A new XHTML file is the only page break every e-ink reader honours, so a
//! file is the unit of layout: a brief's key points, or a brief chapter,
//! always start a new file. Short entries (a brief's *Why in News* or *Way
//! Forward*) share a file per subject, in chunks of [`CHUNK`] so that no file
//! grows beyond what slow readers open comfortably.
//!
//! The navigation is at most two levels deep (Kindle's limit); [`TocEntry`]
//! cannot express more.

use super::glossary::{Glossary, Place, Prefix, Title};
use super::package::Packed;
use super::xhtml::{
    Images, Page, background_box_into, document, esc, kicker, month_label, plain, points_into,
    see_also_into, source_line_into, title_html,
};
use crate::brief::Brief;
use crate::cli::GroupBy;
use rayon::prelude::*;
use std::fmt::Write as _;
use std::ops::Range;
use std::sync::Arc;

/// Briefs per shared file (Why in News, Way Forward, self-test).
pub(crate) const CHUNK: usize = 25;

/// One XHTML content document of the spine.
pub(crate) struct Doc {
    /// File name inside the package (all content files sit together, beside
    /// `stylesheet.css`).
    pub file: String,
    /// The document, compressed as soon as it was written.
    pub content: Packed,
    /// The navigation entry this document opens, if any.
    pub toc: Option<TocEntry>,
    pub landmark: Option<Landmark>,
}

/// A top-level navigation entry with its children: two levels at most.
pub(crate) struct TocEntry {
    /// Plain text.
    pub title: String,
    pub href: String,
    /// `(plain title, href)`.
    pub children: Vec<(String, String)>,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Landmark {
    Cover,
    TitlePage,
    BodyMatter,
    Glossary,
}

/// Where each brief's entries are, by position in the sorted order: for the
/// cross-links between them and the self-test's links back.
#[derive(Default)]
pub(crate) struct Locator {
    pub why: Vec<String>,
    pub key: Vec<String>,
    pub way: Vec<Option<String>>,
}

/// A brief's title as the booklet shows it, worked out once per brief: the
/// body, the navigation and the self-test all show it, several times.
pub(crate) struct Heading {
    /// One plain line, for `<title>` and the navigation.
    pub plain: String,
    /// Inline XHTML.
    pub html: String,
    /// As the glossary's links show it.
    pub title: Title,
}

/// The headings of the sorted briefs, in the same order.
pub(crate) fn headings(sorted: &[&Brief]) -> Vec<Heading> {
    sorted
        .par_iter()
        .map(|b| {
            let plain = plain(&b.title);
            Heading {
                html: title_html(b),
                title: Title::new(&plain),
                plain,
            }
        })
        .collect()
}

/// A run of consecutive sorted briefs sharing a subject (or a month).
pub(crate) struct Group {
    pub label: String,
    pub range: Range<usize>,
}

/// The briefs in reading order: by subject then date, or for
/// `--group-by month` by date then subject. Title and id break ties, so the
/// order never depends on file names.
pub(crate) fn order(briefs: &[Brief], by: GroupBy) -> Vec<&Brief> {
    let mut sorted: Vec<&Brief> = briefs.iter().collect();
    let title = |b: &Brief| plain(&b.title).to_lowercase();
    match by {
        GroupBy::Month => sorted
            .sort_by_cached_key(|b| (b.date, b.subject.to_lowercase(), title(b), b.id.clone())),
        _ => sorted
            .sort_by_cached_key(|b| (b.subject.to_lowercase(), b.date, title(b), b.id.clone())),
    }
    sorted
}

/// Consecutive runs of the sorted briefs by subject, or by month.
pub(crate) fn groups(sorted: &[&Brief], by: GroupBy) -> Vec<Group> {
    let label = |b: &Brief| match by {
        GroupBy::Month => month_label(b.date),
        _ => b.subject.clone(),
    };
    let mut groups: Vec<Group> = Vec::new();
    for (i, b) in sorted.iter().enumerate() {
        let l = label(b);
        match groups.last_mut() {
            Some(g) if g.label.to_lowercase() == l.to_lowercase() => g.range.end = i + 1,
            _ => groups.push(Group {
                label: l,
                range: i..i + 1,
            }),
        }
    }
    groups
}

/// Splits a group's briefs into runs of at most [`CHUNK`].
pub(crate) fn chunks(range: Range<usize>) -> impl Iterator<Item = Range<usize>> {
    range
        .clone()
        .step_by(CHUNK)
        .map(move |s| s..(s + CHUNK).min(range.end))
}

/// The body of the booklet and where everything landed. Briefs are
/// rendered in parallel; their key terms and images are then taken in
/// reading order, so the result does not depend on scheduling.
pub(crate) fn body(
    sorted: &[&Brief],
    headings: &[Heading],
    groups: &[Group],
    by: GroupBy,
    lang: &str,
    glossary: &mut Glossary,
    images: &mut Images,
) -> (Vec<Doc>, Locator) {
    match by {
        GroupBy::Theme => theme(sorted, headings, groups, lang, glossary, images),
        GroupBy::Brief => chapters(sorted, headings, &[], by, lang, glossary, images),
        GroupBy::Subject | GroupBy::Month => {
            chapters(sorted, headings, groups, by, lang, glossary, images)
        }
    }
}

const PART_NUMBERS: [&str; 3] = ["I", "II", "III"];

/// The file part of an href.
fn file_of(href: &str) -> &str {
    href.split('#').next().unwrap_or(href)
}

/// Opens a brief's entry in the theme layout: `<section>` with the anchor
/// `<anchor>-<id>`, the kicker line and the title.
fn entry_head(anchor: char, b: &Brief, kicker: &str, title_html: &str, out: &mut String) {
    let _ = write!(
        out,
        "<section class=\"entry\" id=\"{anchor}-{}\">\n{kicker}\n<h3>{title_html}</h3>\n",
        b.id
    );
}

/// Room made for a Why in News or Way Forward entry: enough for nearly all,
/// so the entry is written without growing; it is then shrunk, as all of
/// them wait for their shared files.
const ENTRY_BYTES: usize = 4096;

/// A brief's three entries in the theme layout, rendered.
struct Entries {
    why: String,
    /// A whole document, compressed already.
    key: Doc,
    way: Option<String>,
}

/// A brief's places, in reading order within each part: Why in News;
/// Background and Key Points; Way Forward.
type EntryPlaces = (Place, [Place; 2], Option<Place>);

/// `--group-by theme`: three parts, Why in News, Key Points and Way Forward,
/// each listing every brief, a brief's three entries linked together.
fn theme(
    sorted: &[&Brief],
    headings: &[Heading],
    groups: &[Group],
    lang: &str,
    glossary: &mut Glossary,
    images: &mut Images,
) -> (Vec<Doc>, Locator) {
    // First decide where everything goes, so entries can link forward.
    let n = sorted.len();
    let mut loc = Locator {
        why: vec![String::new(); n],
        key: vec![String::new(); n],
        way: vec![None; n],
    };
    let mut why_files: Vec<(String, usize, Range<usize>)> = Vec::new();
    let mut way_files: Vec<(String, usize, Vec<usize>)> = Vec::new();
    // Each brief's shared files, for its places.
    let mut why_file: Vec<Arc<str>> = Vec::with_capacity(n);
    let mut way_file: Vec<Option<Arc<str>>> = vec![None; n];
    for (gi, g) in groups.iter().enumerate() {
        for c in chunks(g.range.clone()) {
            let file = format!("why-{:03}.xhtml", why_files.len() + 1);
            let shared: Arc<str> = file.as_str().into();
            for i in c.clone() {
                loc.why[i] = format!("{file}#w-{}", sorted[i].id);
                why_file.push(Arc::clone(&shared));
            }
            why_files.push((file, gi, c));
        }
        let with_way: Vec<usize> = g
            .range
            .clone()
            .filter(|&i| !sorted[i].way_forward.is_empty())
            .collect();
        for c in with_way.chunks(CHUNK) {
            let file = format!("way-{:03}.xhtml", way_files.len() + 1);
            let shared: Arc<str> = file.as_str().into();
            for &i in c {
                loc.way[i] = Some(format!("{file}#f-{}", sorted[i].id));
                way_file[i] = Some(Arc::clone(&shared));
            }
            way_files.push((file, gi, c.to_vec()));
        }
    }
    for (i, b) in sorted.iter().enumerate() {
        loc.key[i] = format!("key-{0}.xhtml#k-{0}", b.id);
    }

    let mut opens_group: Vec<Option<&str>> = vec![None; n];
    for g in groups {
        opens_group[g.range.start] = Some(&g.label);
    }
    let (entries, places): (Vec<Entries>, Vec<EntryPlaces>) = (0..n)
        .into_par_iter()
        .map(|i| {
            let b = sorted[i];
            let head = &headings[i];
            let kicker = kicker(b, false);
            let mut why_place =
                Place::new(Prefix('w', i), &why_file[i], &head.title, "Why in News");
            let mut why = String::with_capacity(ENTRY_BYTES);
            entry_head('w', b, &kicker, &head.html, &mut why);
            source_line_into(b, &mut why);
            why_place.render_into(&b.why_in_news, true, &mut why);
            why.push('\n');
            see_also_into(others(&loc, i, Part::Why), &mut why);
            why.push_str("</section>\n");
            why.shrink_to_fit();

            // A key-points entry is a whole document: write it as one.
            let key_file: Arc<str> = file_of(&loc.key[i]).into();
            let mut bg_place = Place::new(Prefix('b', i), &key_file, &head.title, "Background");
            let mut key_place = Place::new(Prefix('k', i), &key_file, &head.title, "Key Points");
            let mut key = Page::new(
                lang,
                &format!("Key Points: {}", head.plain),
                Some("bodymatter"),
            );
            if let Some(label) = opens_group[i] {
                key.push(&subject_heading(label, &mut false));
            }
            let out = key.buf();
            entry_head('k', b, &kicker, &head.html, out);
            background_box_into(b, &mut bg_place, out);
            points_into(&b.key_points, &mut key_place, out);
            see_also_into(others(&loc, i, Part::Key), out);
            out.push_str("</section>\n");
            let key = plain_doc(&key_file, &key.finish());

            let (way, way_place) = match &way_file[i] {
                Some(file) => {
                    let mut place = Place::new(Prefix('f', i), file, &head.title, "Way Forward");
                    let mut html = String::with_capacity(ENTRY_BYTES);
                    entry_head('f', b, &kicker, &head.html, &mut html);
                    points_into(&b.way_forward, &mut place, &mut html);
                    see_also_into(others(&loc, i, Part::Way), &mut html);
                    html.push_str("</section>\n");
                    html.shrink_to_fit();
                    (Some(html), Some(place))
                }
                None => (None, None),
            };
            (
                Entries { why, key, way },
                (why_place, [bg_place, key_place], way_place),
            )
        })
        .unzip();

    // The glossary and images take the places in reading order: part by
    // part, brief by brief.
    let mut key_places = Vec::with_capacity(n);
    let mut way_places = Vec::with_capacity(n);
    for (why, key, way) in places {
        glossary.add(why);
        key_places.push(key);
        way_places.push(way);
    }
    for p in key_places.into_iter().flatten() {
        images.add(&p);
        glossary.add(p);
    }
    for p in way_places.into_iter().flatten() {
        images.add(&p);
        glossary.add(p);
    }

    let mut docs = Vec::new();
    // Part I: Why in News.
    docs.push(part_divider(
        0,
        "Why in News",
        "What happened, brief by brief: the news that puts each topic in the syllabus.",
        headings,
        groups,
        |i| &loc.why[i],
        (0..n).collect(),
        lang,
    ));
    docs.extend(shared_files(&why_files, "Why in News", groups, lang, |i| {
        &entries[i].why
    }));

    // Part II: Key Points, a file per brief.
    docs.push(part_divider(
        1,
        "Key Points",
        "The facts to revise, with background notes in boxes.",
        headings,
        groups,
        |i| &loc.key[i],
        (0..n).collect(),
        lang,
    ));
    let mut way_entries = Vec::with_capacity(n);
    for e in entries {
        docs.push(e.key);
        way_entries.push(e.way);
    }

    // Part III: Way Forward, for the briefs that have one.
    let with_way: Vec<usize> = (0..n).filter(|&i| loc.way[i].is_some()).collect();
    docs.push(part_divider(
        2,
        "Way Forward",
        "What should happen next: the material for the last paragraph of a Mains answer.",
        headings,
        groups,
        |i| loc.way[i].as_deref().unwrap_or_default(),
        with_way,
        lang,
    ));
    docs.extend(shared_files(&way_files, "Way Forward", groups, lang, |i| {
        way_entries[i].as_deref().unwrap_or_default()
    }));
    (docs, loc)
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum Part {
    Why,
    Key,
    Way,
}

/// The links `(label, href)` from one of a brief's entries to its other
/// two (or one, without a Way Forward).
fn others(loc: &Locator, i: usize, from: Part) -> impl Iterator<Item = (&'static str, &str)> {
    [
        (Part::Why, "Why in News", Some(loc.why[i].as_str())),
        (Part::Key, "Key Points", Some(loc.key[i].as_str())),
        (Part::Way, "Way Forward", loc.way[i].as_deref()),
    ]
    .into_iter()
    .filter(move |&(part, _, _)| part != from)
    .filter_map(|(_, label, href)| Some((label, href?)))
}

/// The documents of a part whose entries share files (Why in News, Way
/// Forward): each file holds entries of one subject group, under the
/// group's subject heading; `entry` gives brief `i`'s entry. Made in parallel.
fn shared_files<'e, M>(
    files: &[(String, usize, M)],
    part: &str,
    groups: &[Group],
    lang: &str,
    entry: impl Fn(usize) -> &'e str + Sync,
) -> Vec<Doc>
where
    M: Clone + IntoIterator<Item = usize> + Sync,
{
    let headings = subject_headings(groups, files.iter().map(|f| f.1));
    files
        .par_iter()
        .zip(headings)
        .map(|((file, gi, members), heading)| {
            let title = format!("{part}: {}", groups[*gi].label);
            let mut page = Page::new(lang, &title, Some("bodymatter"));
            page.push(&heading);
            for i in members.clone() {
                page.push(entry(i));
            }
            plain_doc(file, &page.finish())
        })
        .collect()
}

/// The subject headings of a part's shared files, one per file given by its
/// group, decided in order so that the files can then be written in
/// parallel.
fn subject_headings(groups: &[Group], files: impl Iterator<Item = usize>) -> Vec<String> {
    let mut seen = vec![false; groups.len()];
    files
        .map(|gi| subject_heading(&groups[gi].label, &mut seen[gi]))
        .collect()
}

/// `<h2>` for a subject where its run starts, `(continued)` after that.
fn subject_heading(label: &str, seen: &mut bool) -> String {
    let more = if *seen { " (continued)" } else { "" };
    *seen = true;
    format!("<h2 class=\"subject\">{}{more}</h2>\n", esc(label))
}

/// A part's opening page, with the navigation entry listing its briefs.
#[allow(clippy::too_many_arguments)]
fn part_divider<'h>(
    part: usize,
    title: &str,
    intro: &str,
    headings: &[Heading],
    groups: &[Group],
    href: impl Fn(usize) -> &'h str,
    members: Vec<usize>,
    lang: &str,
) -> Doc {
    let file = format!("part-{}.xhtml", part + 1);
    let mut body = format!(
        "<section epub:type=\"part\">\n<p class=\"kicker\">Part {}</p>\n<h1>{}</h1>\n<p>{}</p>\n",
        PART_NUMBERS[part],
        esc(title),
        esc(intro)
    );
    if members.is_empty() {
        body.push_str("<p>No brief in this booklet has this section.</p>\n");
    } else {
        body.push_str("<ul class=\"plain\">\n");
        for g in groups {
            let in_group: Vec<usize> = members
                .iter()
                .copied()
                .filter(|i| g.range.contains(i))
                .collect();
            if let Some(&first) = in_group.first() {
                let _ = writeln!(
                    body,
                    "<li><a href=\"{}\">{}</a> ({} {})</li>",
                    esc(href(first)),
                    esc(&g.label),
                    in_group.len(),
                    if in_group.len() == 1 {
                        "brief"
                    } else {
                        "briefs"
                    }
                );
            }
        }
        body.push_str("</ul>\n");
    }
    body.push_str("</section>");
    let children = members
        .iter()
        .map(|&i| (headings[i].plain.clone(), href(i).to_owned()))
        .collect();
    let toc = TocEntry {
        title: title.to_owned(),
        href: file.clone(),
        children,
    };
    Doc::new(
        file,
        &document(lang, title, Some("bodymatter"), &body),
        Some(toc),
        (part == 0).then_some(Landmark::BodyMatter),
    )
}

impl Doc {
    /// A document, compressed at once so its text can be dropped.
    pub fn new(
        file: String,
        xhtml: &str,
        toc: Option<TocEntry>,
        landmark: Option<Landmark>,
    ) -> Doc {
        Doc {
            content: Packed::new(&file, xhtml),
            file,
            toc,
            landmark,
        }
    }
}

/// A document with no navigation entry of its own.
pub(crate) fn plain_doc(file: &str, xhtml: &str) -> Doc {
    Doc::new(file.to_owned(), xhtml, None, None)
}

/// `--group-by brief|subject|month`: a chapter (one file) per brief with its
/// sections; for subject and month, a divider page opens each group.
fn chapters(
    sorted: &[&Brief],
    headings: &[Heading],
    groups: &[Group],
    by: GroupBy,
    lang: &str,
    glossary: &mut Glossary,
    images: &mut Images,
) -> (Vec<Doc>, Locator) {
    let n = sorted.len();
    let file = |b: &Brief| format!("brief-{}.xhtml", b.id);
    let loc = Locator {
        why: sorted
            .iter()
            .map(|b| format!("{}#w-{}", file(b), b.id))
            .collect(),
        key: sorted
            .iter()
            .map(|b| format!("{}#k-{}", file(b), b.id))
            .collect(),
        way: sorted
            .iter()
            .map(|b| (!b.way_forward.is_empty()).then(|| format!("{}#f-{}", file(b), b.id)))
            .collect(),
    };
    let grouped = !groups.is_empty();
    // Brief titles are h1 in a chapter per brief, h2 under a group's h1.
    let (h, hs) = if grouped { ("h2", "h3") } else { ("h1", "h2") };
    let chapters: Vec<(Packed, Vec<Place>)> = sorted
        .par_iter()
        .enumerate()
        .map(|(i, b)| {
            let f: Arc<str> = file(b).into();
            let head = &headings[i];
            let mut places = vec![
                Place::new(Prefix('w', i), &f, &head.title, "Why in News"),
                Place::new(Prefix('b', i), &f, &head.title, "Background"),
                Place::new(Prefix('k', i), &f, &head.title, "Key Points"),
            ];
            let mut page = Page::new(lang, &head.plain, Some("bodymatter"));
            let body = page.buf();
            let _ = write!(
                body,
                "<section class=\"entry\" id=\"b-{id}\">\n{kicker}\n<{h}>{title_html}</{h}>\n",
                id = b.id,
                kicker = kicker(b, by != GroupBy::Subject),
                title_html = head.html,
            );
            source_line_into(b, body);
            let _ = write!(
                body,
                "<section id=\"w-{}\">\n<{hs}>Why in News</{hs}>\n",
                b.id
            );
            places[0].render_into(&b.why_in_news, true, body);
            body.push_str("\n</section>\n");
            background_box_into(b, &mut places[1], body);
            let _ = write!(
                body,
                "<section id=\"k-{}\">\n<{hs}>Key Points</{hs}>\n",
                b.id
            );
            points_into(&b.key_points, &mut places[2], body);
            body.push_str("</section>\n");
            if !b.way_forward.is_empty() {
                let mut place = Place::new(Prefix('f', i), &f, &head.title, "Way Forward");
                let _ = write!(
                    body,
                    "<section id=\"f-{}\">\n<{hs}>Way Forward</{hs}>\n",
                    b.id
                );
                points_into(&b.way_forward, &mut place, body);
                body.push_str("</section>\n");
                places.push(place);
            }
            body.push_str("</section>");
            (Packed::new(&f, &page.finish()), places)
        })
        .collect();

    let mut docs = Vec::new();
    let mut divider_at: Vec<Option<usize>> = vec![None; n];
    for (gi, g) in groups.iter().enumerate() {
        divider_at[g.range.start] = Some(gi);
    }
    for (i, (b, (content, places))) in sorted.iter().zip(chapters).enumerate() {
        for p in places {
            images.add(&p);
            glossary.add(p);
        }
        if let Some(gi) = divider_at[i] {
            docs.push(group_divider(
                gi,
                &groups[gi],
                sorted,
                headings,
                lang,
                docs.is_empty(),
            ));
        }
        let title = headings[i].plain.clone();
        let mut children = vec![
            ("Why in News".to_owned(), loc.why[i].clone()),
            ("Key Points".to_owned(), loc.key[i].clone()),
        ];
        if let Some(way) = &loc.way[i] {
            children.push(("Way Forward".to_owned(), way.clone()));
        }
        let f = file(b);
        docs.push(Doc {
            content,
            // Grouped, the brief is a child of its group's entry instead.
            toc: (!grouped).then(|| TocEntry {
                title,
                href: f.clone(),
                children,
            }),
            landmark: (!grouped && i == 0).then_some(Landmark::BodyMatter),
            file: f,
        });
    }
    (docs, loc)
}

/// The page opening a subject or a month, listing its briefs.
fn group_divider(
    gi: usize,
    g: &Group,
    sorted: &[&Brief],
    headings: &[Heading],
    lang: &str,
    first: bool,
) -> Doc {
    let file = format!("group-{:03}.xhtml", gi + 1);
    let mut body = format!(
        "<section epub:type=\"chapter\">\n<h1>{}</h1>\n<ul class=\"plain\">\n",
        esc(&g.label)
    );
    let mut children = Vec::new();
    for i in g.range.clone() {
        let b = sorted[i];
        let href = format!("brief-{}.xhtml", b.id);
        let _ = writeln!(
            body,
            "<li><a href=\"{}\">{}</a> <span class=\"meta\">({})</span></li>",
            esc(&href),
            headings[i].html,
            esc(&super::xhtml::long_date(b.date))
        );
        children.push((headings[i].plain.clone(), href));
    }
    body.push_str("</ul>\n</section>");
    let toc = TocEntry {
        title: g.label.clone(),
        href: file.clone(),
        children,
    };
    Doc::new(
        file,
        &document(lang, &g.label, Some("bodymatter"), &body),
        Some(toc),
        first.then_some(Landmark::BodyMatter),
    )
}

/// The glossary: an opening page listing the initials, then a page per
/// initial.
pub(crate) fn glossary_docs(glossary: &Glossary, lang: &str) -> Vec<Doc> {
    let pages = glossary.pages(lang);
    if pages.is_empty() {
        return Vec::new();
    }
    let file_of = |i: usize| format!("glossary-{:03}.xhtml", i + 1);
    let mut body = String::from(
        "<section epub:type=\"glossary\">\n<h1>Glossary</h1>\n<p>Every key term of the booklet, with links to where it appears.</p>\n<ul class=\"letters\">\n",
    );
    let mut children = Vec::new();
    for (i, p) in pages.iter().enumerate() {
        if i == 0 || pages[i - 1].letter != p.letter {
            let _ = writeln!(
                body,
                "<li><a href=\"{}\">{}</a></li>",
                file_of(i),
                esc(&p.letter)
            );
        }
        children.push((p.label.clone(), file_of(i)));
    }
    body.push_str("</ul>\n</section>");
    let toc = TocEntry {
        title: "Glossary".into(),
        href: "glossary.xhtml".into(),
        children,
    };
    let mut docs = vec![Doc::new(
        "glossary.xhtml".into(),
        &document(lang, "Glossary", Some("backmatter"), &body),
        Some(toc),
        Some(Landmark::Glossary),
    )];
    // The pages were compressed as they were written; only now are their
    // file names known.
    docs.extend(pages.into_iter().enumerate().map(|(i, p)| {
        let file = file_of(i);
        Doc {
            content: p.content.renamed(&file),
            file,
            toc: None,
            landmark: None,
        }
    }));
    docs
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn chunks_cover_the_range() {
        let c: Vec<Range<usize>> = chunks(3..60).collect();
        assert_eq!(c, vec![3..28, 28..53, 53..60]);
        assert_eq!(chunks(0..0).count(), 0);
    }
}
