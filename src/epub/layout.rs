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

use super::glossary::{Glossary, Place, Title};
use super::package::Packed;
use super::xhtml::{
    Images, Page, background_box, document, esc, kicker, month_label, plain, points, see_also,
    source_line, title_html,
};
use crate::brief::Brief;
use crate::cli::GroupBy;
use rayon::prelude::*;
use std::fmt::Write as _;
use std::ops::Range;

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
    groups: &[Group],
    by: GroupBy,
    lang: &str,
    glossary: &mut Glossary,
    images: &mut Images,
) -> (Vec<Doc>, Locator) {
    match by {
        GroupBy::Theme => theme(sorted, groups, lang, glossary, images),
        GroupBy::Brief => chapters(sorted, &[], by, lang, glossary, images),
        GroupBy::Subject | GroupBy::Month => chapters(sorted, groups, by, lang, glossary, images),
    }
}

const PART_NUMBERS: [&str; 3] = ["I", "II", "III"];

/// The file part of an href.
fn file_of(href: &str) -> &str {
    href.split('#').next().unwrap_or(href)
}

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
    for (gi, g) in groups.iter().enumerate() {
        for c in chunks(g.range.clone()) {
            let file = format!("why-{:03}.xhtml", why_files.len() + 1);
            for i in c.clone() {
                loc.why[i] = format!("{file}#w-{}", sorted[i].id);
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
            for &i in c {
                loc.way[i] = Some(format!("{file}#f-{}", sorted[i].id));
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
            let title = plain(&b.title);
            let shared_title = Title::new(&title);
            let mut why_place = Place::new(format!("w{i}"), file_of(&loc.why[i]), &shared_title, "Why in News");
            let why = format!(
                "<section class=\"entry\" id=\"w-{id}\">\n{kicker}\n<h3>{title}</h3>\n{source}{why}\n{also}</section>\n",
                id = b.id,
                kicker = kicker(b, false),
                title = title_html(b),
                source = source_line(b),
                why = why_place.render(&b.why_in_news, true),
                also = see_also(&others(&loc, i, Part::Why)),
            );
            // A key-points entry is a whole document: write it as one.
            let key_file = file_of(&loc.key[i]);
            let mut bg_place = Place::new(format!("b{i}"), key_file, &shared_title, "Background");
            let mut key_place = Place::new(format!("k{i}"), key_file, &shared_title, "Key Points");
            let mut key = Page::new(lang, &format!("Key Points: {title}"), Some("bodymatter"));
            if let Some(label) = opens_group[i] {
                key.push(&subject_heading(label, &mut false));
            }
            let _ = write!(
                key,
                "<section class=\"entry\" id=\"k-{id}\">\n{kicker}\n<h3>{title_html}</h3>\n{background}{points}{also}</section>\n",
                id = b.id,
                kicker = kicker(b, false),
                title_html = title_html(b),
                background = background_box(b, &mut bg_place),
                points = points(&b.key_points, &mut key_place),
                also = see_also(&others(&loc, i, Part::Key)),
            );
            let key = plain_doc(key_file, &key.finish());
            let (way, way_place) = match &loc.way[i] {
                Some(href) => {
                    let mut place = Place::new(format!("f{i}"), file_of(href), &shared_title, "Way Forward");
                    let html = format!(
                        "<section class=\"entry\" id=\"f-{id}\">\n{kicker}\n<h3>{title}</h3>\n{points}{also}</section>\n",
                        id = b.id,
                        kicker = kicker(b, false),
                        title = title_html(b),
                        points = points(&b.way_forward, &mut place),
                        also = see_also(&others(&loc, i, Part::Way)),
                    );
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
        sorted,
        groups,
        &loc.why,
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
        sorted,
        groups,
        &loc.key,
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
    let way_hrefs: Vec<String> = loc
        .way
        .iter()
        .map(|w| w.clone().unwrap_or_default())
        .collect();
    docs.push(part_divider(
        2,
        "Way Forward",
        "What should happen next: the material for the last paragraph of a Mains answer.",
        sorted,
        groups,
        &way_hrefs,
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

/// The links from one of a brief's entries to its other two.
fn others(loc: &Locator, i: usize, from: Part) -> Vec<(&'static str, String)> {
    let mut links = Vec::new();
    if from != Part::Why {
        links.push(("Why in News", loc.why[i].clone()));
    }
    if from != Part::Key {
        links.push(("Key Points", loc.key[i].clone()));
    }
    if from != Part::Way
        && let Some(way) = &loc.way[i]
    {
        links.push(("Way Forward", way.clone()));
    }
    links
}

/// The subject headings of a part's shared files, one per file given by its
/// group, decided in order so that the files can then be written in
/// parallel.
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
fn part_divider(
    part: usize,
    title: &str,
    intro: &str,
    sorted: &[&Brief],
    groups: &[Group],
    hrefs: &[String],
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
                    esc(&hrefs[first]),
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
        .map(|&i| (plain(&sorted[i].title), hrefs[i].clone()))
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
            let f = file(b);
            let title = plain(&b.title);
            let shared_title = Title::new(&title);
            let mut places = vec![
                Place::new(format!("w{i}"), &f, &shared_title, "Why in News"),
                Place::new(format!("b{i}"), &f, &shared_title, "Background"),
                Place::new(format!("k{i}"), &f, &shared_title, "Key Points"),
            ];
            let mut body = Page::new(lang, &title, Some("bodymatter"));
            let _ = write!(
                body,
                "<section class=\"entry\" id=\"b-{id}\">\n{kicker}\n<{h}>{title_html}</{h}>\n{source}",
                id = b.id,
                kicker = kicker(b, by != GroupBy::Subject),
                title_html = title_html(b),
                source = source_line(b),
            );
            let _ = write!(
                body,
                "<section id=\"w-{}\">\n<{hs}>Why in News</{hs}>\n{}\n</section>\n",
                b.id,
                places[0].render(&b.why_in_news, true)
            );
            body.push(&background_box(b, &mut places[1]));
            let _ = write!(
                body,
                "<section id=\"k-{}\">\n<{hs}>Key Points</{hs}>\n{}</section>\n",
                b.id,
                points(&b.key_points, &mut places[2])
            );
            if !b.way_forward.is_empty() {
                let mut place = Place::new(format!("f{i}"), &f, &shared_title, "Way Forward");
                let _ = write!(
                    body,
                    "<section id=\"f-{}\">\n<{hs}>Way Forward</{hs}>\n{}</section>\n",
                    b.id,
                    points(&b.way_forward, &mut place)
                );
                places.push(place);
            }
            body.push("</section>");
            (Packed::new(&f, &body.finish()), places)
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
                lang,
                docs.is_empty(),
            ));
        }
        let title = plain(&b.title);
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
fn group_divider(gi: usize, g: &Group, sorted: &[&Brief], lang: &str, first: bool) -> Doc {
    let file = format!("group-{:03}.xhtml", gi + 1);
    let mut body = format!(
        "<section epub:type=\"chapter\">\n<h1>{}</h1>\n<ul class=\"plain\">\n",
        esc(&g.label)
    );
    let mut children = Vec::new();
    for b in &sorted[g.range.clone()] {
        let href = format!("brief-{}.xhtml", b.id);
        let _ = writeln!(
            body,
            "<li><a href=\"{}\">{}</a> <span class=\"meta\">({})</span></li>",
            esc(&href),
            title_html(b),
            esc(&super::xhtml::long_date(b.date))
        );
        children.push((plain(&b.title), href));
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
    // The pages are compressed here, in parallel, rather than as they are
    // written: a page's file name depends on how many pages the initials
    // before it took.
    docs.par_extend(
        pages
            .into_par_iter()
            .enumerate()
            .map(|(i, p)| plain_doc(&file_of(i), &p.xhtml)),
    );
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
