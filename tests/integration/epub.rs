//! `briefdeck export epub`: the booklet's structure, links, reproducibility,
//! failure modes, and EPUBCheck (SPEC §5).
//!
//! Each test reads the produced `.epub` back with the `zip` crate and parses
//! every XHTML document with `roxmltree`; one test runs the W3C EPUBCheck
//! (installed by `scripts/setup-test-tools.sh`) on several books at once.

use crate::common::{MINIMAL_BRIEF, briefdeck, repo, run, synthetic_sources, write};
use std::collections::{BTreeMap, BTreeSet};
use std::io::Read as _;
use std::path::{Path, PathBuf};

const EPOCH: &str = "1700000000";

/// An unpacked booklet: file name → bytes, in archive order.
struct Epub {
    names: Vec<String>,
    files: BTreeMap<String, Vec<u8>>,
    /// `(name, compression, DOS date-time)` per entry.
    entries: Vec<(String, zip::CompressionMethod, Option<zip::DateTime>)>,
}

impl Epub {
    fn open(path: &Path) -> Epub {
        let bytes = std::fs::read(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
        let mut archive = zip::ZipArchive::new(std::io::Cursor::new(bytes)).expect("a zip");
        let mut epub = Epub {
            names: Vec::new(),
            files: BTreeMap::new(),
            entries: Vec::new(),
        };
        for i in 0..archive.len() {
            let mut f = archive.by_index(i).unwrap();
            let name = f.name().unwrap().to_string();
            let mut data = Vec::new();
            f.read_to_end(&mut data).unwrap();
            epub.entries
                .push((name.clone(), f.compression(), f.last_modified()));
            epub.names.push(name.clone());
            epub.files.insert(name, data);
        }
        epub
    }

    fn text(&self, name: &str) -> &str {
        let bytes = self
            .files
            .get(name)
            .unwrap_or_else(|| panic!("no {name} in the book"));
        std::str::from_utf8(bytes).unwrap_or_else(|e| panic!("{name}: {e}"))
    }

    /// Every XHTML document (content and nav), by name.
    fn xhtml(&self) -> impl Iterator<Item = (&str, &str)> {
        self.names
            .iter()
            .filter(|n| n.ends_with(".xhtml"))
            .map(|n| (n.as_str(), self.text(n)))
    }
}

fn parse<'a>(name: &str, text: &'a str) -> roxmltree::Document<'a> {
    let options = roxmltree::ParsingOptions {
        allow_dtd: true,
        ..Default::default()
    };
    roxmltree::Document::parse_with_options(text, options)
        .unwrap_or_else(|e| panic!("{name} is not well-formed XML: {e}"))
}

const XML: &str = "http://www.w3.org/XML/1998/namespace";

/// Runs `export epub` and returns the book; panics with stderr on failure.
fn export(sources: &[&str], out: &Path, extra: &[&str]) -> Epub {
    let mut cmd = briefdeck();
    cmd.args(["export", "epub"])
        .args(sources)
        .arg("-o")
        .arg(out)
        .args(extra)
        .env("SOURCE_DATE_EPOCH", EPOCH);
    let r = run(&mut cmd);
    assert_eq!(r.code, 0, "export failed:\n{}", r.stderr);
    Epub::open(out)
}

/// `(title, href)` of a navigation entry.
type Link = (String, String);

/// The navigation document's table of contents as (title, href, children).
fn nav_toc(epub: &Epub) -> Vec<(String, String, Vec<Link>)> {
    let text = epub.text("OEBPS/nav.xhtml");
    let doc = parse("nav.xhtml", text);
    let nav = doc
        .descendants()
        .find(|n| {
            n.has_tag_name("nav")
                && n.attributes()
                    .any(|a| a.name() == "type" && a.value() == "toc")
        })
        .expect("a toc nav");
    let top = nav
        .children()
        .find(|n| n.has_tag_name("ol"))
        .expect("an ol");
    let link = |li: roxmltree::Node| {
        let a = li.children().find(|n| n.has_tag_name("a")).expect("a link");
        (
            a.text().unwrap_or_default().to_owned(),
            a.attribute("href").unwrap().to_owned(),
        )
    };
    top.children()
        .filter(|n| n.has_tag_name("li"))
        .map(|li| {
            let (title, href) = link(li);
            let children = li
                .children()
                .filter(|n| n.has_tag_name("ol"))
                .flat_map(|ol| ol.children().filter(|n| n.has_tag_name("li")))
                .map(|c| {
                    assert!(
                        !c.children().any(|n| n.has_tag_name("ol")),
                        "the toc is deeper than two levels under {title}"
                    );
                    link(c)
                })
                .collect();
            (title, href, children)
        })
        .collect()
}

/// Checks what every booklet must satisfy: mimetype first and stored, every
/// XHTML document well-formed with a utf-8 declaration and its language,
/// only allowed elements, and every internal link pointing at an existing
/// file and id.
fn assert_sound(epub: &Epub, lang: &str) {
    assert_eq!(epub.names[0], "mimetype");
    assert_eq!(epub.text("mimetype"), "application/epub+zip");
    assert_eq!(epub.entries[0].1, zip::CompressionMethod::Stored);

    let allowed: BTreeSet<&str> = [
        "html", "head", "meta", "title", "link", "body", "section", "nav", "div", "p", "h1", "h2",
        "h3", "ul", "ol", "li", "a", "strong", "em", "code", "sup", "sub", "br", "span", "figure",
        "img", "table", "caption", "tbody", "tr", "th", "td", "dl", "dt", "dd",
    ]
    .into();
    let mut ids: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    let mut links: Vec<(String, String)> = Vec::new();
    for (name, text) in epub.xhtml() {
        let declaration = text.lines().next().unwrap_or_default().to_lowercase();
        assert_eq!(
            declaration, "<?xml version=\"1.0\" encoding=\"utf-8\"?>",
            "{name}: XML declaration"
        );
        let doc = parse(name, text);
        let root = doc.root_element();
        assert_eq!(
            root.attribute((XML, "lang")),
            Some(lang),
            "{name}: xml:lang"
        );
        assert_eq!(root.attribute("lang"), Some(lang), "{name}: lang");
        let file = name.trim_start_matches("OEBPS/").to_owned();
        let mut seen = BTreeSet::new();
        for n in doc.descendants().filter(|n| n.is_element()) {
            let tag = n.tag_name().name();
            assert!(allowed.contains(tag), "{name}: unexpected <{tag}>");
            if let Some(id) = n.attribute("id") {
                assert!(seen.insert(id.to_owned()), "{name}: duplicate id {id}");
            }
            if let Some(href) = n.attribute("href")
                && tag == "a"
            {
                if href.starts_with("http://")
                    || href.starts_with("https://")
                    || href.starts_with("mailto:")
                {
                    continue;
                }
                links.push((file.clone(), href.to_owned()));
            }
        }
        ids.insert(file, seen);
    }
    for (from, href) in &links {
        let (file, fragment) = href.split_once('#').unwrap_or((href, ""));
        let target = ids
            .get(file)
            .unwrap_or_else(|| panic!("{from}: link to a missing file {href}"));
        assert!(
            fragment.is_empty() || target.contains(fragment),
            "{from}: link to a missing id {href}"
        );
    }
}

/// Number of briefs under `paths`, from `check --format json`.
fn brief_count(paths: &[&str]) -> u64 {
    let r = run(briefdeck().args(["check", "--format", "json"]).args(paths));
    let json: serde_json::Value = serde_json::from_str(&r.stdout).expect("a JSON report");
    json["summary"]["briefs"].as_u64().expect("a brief count")
}

#[test]
fn the_default_booklet_has_three_cross_linked_parts_and_sound_documents() {
    let dir = tempfile::tempdir().unwrap();
    let epub = export(&[], &dir.path().join("book.epub"), &[]);
    assert_sound(&epub, "en");

    let toc = nav_toc(&epub);
    let titles: Vec<&str> = toc.iter().map(|t| t.0.as_str()).collect();
    assert_eq!(
        titles,
        [
            "Title page",
            "Why in News",
            "Key Points",
            "Way Forward",
            "Self-test",
            "Glossary",
            "Answers"
        ]
    );
    let briefs = brief_count(&["sources"]) as usize;
    assert_eq!(briefs, 20);
    assert_eq!(toc[1].2.len(), briefs, "every brief under Why in News");
    assert_eq!(toc[2].2.len(), briefs, "every brief under Key Points");
    assert!(!toc[3].2.is_empty() && toc[3].2.len() <= briefs);
    let why: BTreeSet<&str> = toc[1].2.iter().map(|c| c.0.as_str()).collect();
    let key: BTreeSet<&str> = toc[2].2.iter().map(|c| c.0.as_str()).collect();
    assert_eq!(why, key);
    assert!(why.contains("India-Japan Foreign Ministers' Strategic Dialogue"));

    // Ordered by subject then date: the first subject is Economy.
    let part = epub.text("OEBPS/why-001.xhtml");
    assert!(
        part.contains("<h2 class=\"subject\">Economy</h2>"),
        "{part}"
    );

    // A brief's three entries link to each other.
    let key = epub.text("OEBPS/key-india-japan-strategic-dialogue-2020.xhtml");
    assert!(key.contains("See also: <a href=\"why-"), "{key}");
    assert!(key.contains(">Way Forward</a>"), "{key}");
    // Background notes are a box, labels stay bold, nesting is kept.
    assert!(key.contains("<div class=\"box\">"), "{key}");
    assert!(key.contains("<strong>Significance:</strong>"), "{key}");
    assert!(
        key.contains("<ul class=\"points\">\n<li>This matters more"),
        "{key}"
    );
    assert!(
        key.contains("<p class=\"lead\">Cyber Security MoC</p>"),
        "{key}"
    );

    // The image is a figure with its alt text, packed under its digest.
    let nicobar = epub.text("OEBPS/key-great-nicobar-project.xhtml");
    let img = nicobar
        .split("<img ")
        .nth(1)
        .expect("a figure")
        .split("/>")
        .next()
        .unwrap();
    assert!(
        img.contains("alt=\"Schematic map of Great Nicobar Island"),
        "{img}"
    );
    let src = img
        .split("src=\"")
        .nth(1)
        .unwrap()
        .split('"')
        .next()
        .unwrap();
    assert!(
        src.starts_with("images/img-") && src.ends_with(".svg"),
        "{src}"
    );
    assert!(epub.files.contains_key(&format!("OEBPS/{src}")));
    let opf = epub.text("OEBPS/content.opf");
    assert!(
        opf.contains("media-type=\"image/svg+xml\" id=\"id_images_"),
        "{opf}"
    );

    // Cover and metadata.
    assert!(opf.contains("properties=\"cover-image\""), "{opf}");
    assert!(opf.contains("<meta property=\"dcterms:modified\">2023-11-14T22:13:20Z</meta>"));
    assert!(opf.contains("<dc:language id=\"epub-creator-0\">en</dc:language>"));
    assert!(opf.contains("<dc:creator id=\"creator\">briefdeck</dc:creator>"));
    assert!(opf.contains("<dc:identifier id=\"epub-id-1\">urn:uuid:"));
    for property in [
        "schema:accessMode",
        "schema:accessModeSufficient",
        "schema:accessibilityFeature",
        "schema:accessibilityHazard",
        "schema:accessibilitySummary",
    ] {
        assert!(
            opf.contains(&format!("property=\"{property}\"")),
            "{property}"
        );
    }
    let ncx = epub.text("OEBPS/toc.ncx");
    assert!(
        ncx.contains("<meta name=\"dtb:depth\" content=\"2\" />"),
        "{ncx}"
    );
}

#[test]
fn glossary_and_self_test_link_both_ways() {
    let dir = tempfile::tempdir().unwrap();
    let epub = export(&["tests/fixtures/good"], &dir.path().join("book.epub"), &[]);
    assert_sound(&epub, "en");

    // Glossary: alphabetical, each term linking to where it appears.
    let mut terms = Vec::new();
    for (name, text) in epub
        .xhtml()
        .filter(|(n, _)| n.starts_with("OEBPS/glossary-"))
    {
        let doc = parse(name, text);
        for dt in doc.descendants().filter(|n| n.has_tag_name("dt")) {
            let term: String = dt
                .descendants()
                .filter(|n| n.is_text())
                .filter_map(|n| n.text())
                .collect();
            let dd = dt.next_sibling_element().expect("a definition");
            assert!(
                dd.descendants().any(|n| n.has_tag_name("a")),
                "{term} links nowhere"
            );
            terms.push(term);
        }
    }
    assert!(terms.iter().any(|t| t == "East Asia Summit"), "{terms:?}");
    assert!(
        !terms.iter().any(|t| t == "Significance:"),
        "a label is no term"
    );
    let folded: Vec<String> = terms
        .iter()
        .map(|t| {
            t.trim_start_matches(|c: char| !c.is_alphanumeric())
                .to_lowercase()
        })
        .collect();
    let letters: Vec<&String> = folded
        .iter()
        .filter(|t| t.starts_with(char::is_alphabetic))
        .collect();
    assert!(letters.windows(2).all(|w| w[0] <= w[1]), "{letters:?}");
    let glossary = epub
        .files
        .iter()
        .filter(|(n, _)| n.starts_with("OEBPS/glossary-"))
        .map(|(_, b)| String::from_utf8_lossy(b).into_owned())
        .collect::<String>();
    assert!(
        glossary.contains("<dt>5G</dt>\n<dd><a href=\"key-test-dialogue-2020.xhtml#k"),
        "{glossary}"
    );

    // Self-test: every question links to its answer and back.
    let pages = |prefix: &str| {
        epub.xhtml()
            .filter(|(n, _)| n.starts_with(prefix))
            .map(|(_, t)| t)
            .collect::<String>()
    };
    let (test, answers) = (pages("OEBPS/test-"), pages("OEBPS/answers-"));
    assert!(
        test.contains("At which summit did India launch the IPOI?"),
        "{test}"
    );
    assert!(
        test.contains("<span class=\"blank\">________</span>"),
        "{test}"
    );
    let mut questions = 0;
    for (name, text) in epub.xhtml() {
        let doc = parse(name, text);
        for div in doc.descendants().filter(|n| n.has_tag_name("div")) {
            let (Some(class), Some(id)) = (div.attribute("class"), div.attribute("id")) else {
                continue;
            };
            let other = match class {
                "q" => id.replacen('q', "a", 1),
                "a" => id.replacen('a', "q", 1),
                _ => continue,
            };
            questions += usize::from(class == "q");
            assert!(
                div.descendants()
                    .filter_map(|n| n.attribute("href"))
                    .any(|h| h.ends_with(&format!("#{other}"))),
                "{name}: {id} does not link to {other}"
            );
        }
    }
    assert!(questions >= 4, "{questions} questions");
    assert!(
        answers.contains("<strong class=\"term\" id=\"a1-1\">East Asia Summit</strong>")
            || answers.contains(">East Asia Summit</strong>"),
        "{answers}"
    );
}

#[test]
fn other_groupings_have_a_chapter_per_brief() {
    let dir = tempfile::tempdir().unwrap();
    let briefs = brief_count(&["sources"]) as usize;

    let epub = export(
        &[],
        &dir.path().join("brief.epub"),
        &["--group-by", "brief"],
    );
    assert_sound(&epub, "en");
    let toc = nav_toc(&epub);
    let chapters: Vec<_> = toc.iter().filter(|t| t.1.starts_with("brief-")).collect();
    assert_eq!(chapters.len(), briefs);
    for (title, _, sections) in &chapters {
        let names: Vec<&str> = sections.iter().map(|s| s.0.as_str()).collect();
        assert!(
            names.starts_with(&["Why in News", "Key Points"]),
            "{title}: {names:?}"
        );
    }

    let epub = export(
        &[],
        &dir.path().join("subject.epub"),
        &["--group-by", "subject"],
    );
    assert_sound(&epub, "en");
    let toc = nav_toc(&epub);
    let subjects: Vec<&str> = toc
        .iter()
        .filter(|t| t.1.starts_with("group-"))
        .map(|t| t.0.as_str())
        .collect();
    assert_eq!(subjects[0], "Economy");
    assert!(subjects.contains(&"Environment & Ecology"), "{subjects:?}");
    let in_groups: usize = toc
        .iter()
        .filter(|t| t.1.starts_with("group-"))
        .map(|t| t.2.len())
        .sum();
    assert_eq!(in_groups, briefs);

    let epub = export(
        &[],
        &dir.path().join("month.epub"),
        &["--group-by", "month", "--language", "en-IN"],
    );
    assert_sound(&epub, "en-IN");
    let toc = nav_toc(&epub);
    let months: Vec<&str> = toc
        .iter()
        .filter(|t| t.1.starts_with("group-"))
        .map(|t| t.0.as_str())
        .collect();
    assert_eq!(months[0], "October 2020", "{months:?}");
}

#[test]
fn output_is_byte_identical_across_runs() {
    let dir = tempfile::tempdir().unwrap();
    let (a, b) = (dir.path().join("a.epub"), dir.path().join("b.epub"));
    export(&[], &a, &[]);
    export(&[], &b, &[]);
    assert!(
        std::fs::read(&a).unwrap() == std::fs::read(&b).unwrap(),
        "two builds differ"
    );

    // Every entry carries SOURCE_DATE_EPOCH (2023-11-14 22:13:20 UTC).
    let epub = Epub::open(&a);
    for (name, _, time) in &epub.entries {
        let t = time.expect("a time");
        assert_eq!(
            (t.year(), t.month(), t.day(), t.hour(), t.minute()),
            (2023, 11, 14, 22, 13),
            "{name}"
        );
    }

    // Without SOURCE_DATE_EPOCH nothing reads the clock either: the date is
    // the newest brief's.
    let c = dir.path().join("c.epub");
    let r = run(briefdeck()
        .args(["export", "epub", "tests/fixtures/good", "-o"])
        .arg(&c));
    assert_eq!(r.code, 0, "{}", r.stderr);
    let first = std::fs::read(&c).unwrap();
    let r = run(briefdeck()
        .args(["export", "epub", "tests/fixtures/good", "-o"])
        .arg(&c));
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert!(first == std::fs::read(&c).unwrap(), "two builds differ");
    let opf = Epub::open(&c);
    let opf = opf.text("OEBPS/content.opf");
    assert!(
        opf.contains("<meta property=\"dcterms:modified\">2024-02-08T00:00:00Z</meta>"),
        "{opf}"
    );
}

#[test]
fn invalid_sources_leave_the_previous_booklet_untouched() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("book.epub");
    std::fs::write(&out, b"the previous booklet").unwrap();
    let r = run(briefdeck()
        .args([
            "export",
            "epub",
            "tests/fixtures/bad/unknown-key.yaml",
            "-o",
        ])
        .arg(&out));
    assert_eq!(r.code, 1, "{}", r.stderr);
    assert!(
        r.stderr
            .contains("tests/fixtures/bad/unknown-key.yaml:4:1: error: unknown key `key_pionts`"),
        "{}",
        r.stderr
    );
    assert!(r.stderr.contains("nothing was written"), "{}", r.stderr);
    assert_eq!(std::fs::read(&out).unwrap(), b"the previous booklet");
    assert_eq!(
        std::fs::read_dir(dir.path()).unwrap().count(),
        1,
        "no temp file left"
    );
}

#[test]
fn an_unwritable_output_is_exit_3_with_a_clear_message() {
    let dir = tempfile::tempdir().unwrap();
    let blocker = write(dir.path(), "file", "not a folder");
    let r = run(briefdeck()
        .args(["export", "epub", "tests/fixtures/good", "-o"])
        .arg(blocker.join("book.epub")));
    assert_eq!(r.code, 3, "{}", r.stderr);
    assert!(
        r.stderr.starts_with("error: cannot create the folder"),
        "{}",
        r.stderr
    );

    let r = run(briefdeck()
        .args(["export", "epub", "tests/fixtures/good", "-o"])
        .arg(dir.path()));
    assert_eq!(r.code, 3, "{}", r.stderr);
    assert!(r.stderr.contains("is a directory"), "{}", r.stderr);
}

#[test]
fn bad_options_are_usage_errors() {
    for args in [
        &["--language", "english please"][..],
        &["--title", " "][..],
        &["--group-by", "week"][..],
    ] {
        let r = run(briefdeck()
            .args([
                "export",
                "epub",
                "tests/fixtures/good",
                "-o",
                "/nonexistent/x.epub",
            ])
            .args(args));
        assert_eq!(r.code, 2, "{args:?}: {}", r.stderr);
    }
    let dir = tempfile::tempdir().unwrap();
    let r = run(briefdeck()
        .args(["export", "epub", "tests/fixtures/good", "-o"])
        .arg(dir.path().join("x.epub"))
        .env("SOURCE_DATE_EPOCH", "yesterday"));
    assert_eq!(r.code, 2, "{}", r.stderr);
    assert!(
        r.stderr.contains("SOURCE_DATE_EPOCH must be a number"),
        "{}",
        r.stderr
    );
}

#[test]
fn hostile_text_never_becomes_markup_and_images_never_collide() {
    let dir = tempfile::tempdir().unwrap();
    let src = dir.path().join("src");
    let svg = |label: &str| {
        format!(
            "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"10\" height=\"10\"><title>{label}</title></svg>"
        )
    };
    write(&src, "a/map.svg", svg("a"));
    write(&src, "b/map.svg", svg("b"));
    write(
        &src,
        "a/brief.yaml",
        r#"title: "<script>alert(1)</script> & **bold** title"
date: 2024-02-01
subject: "<b>Subject</b> & co"
source:
  name: "<i>Paper</i>"
  url: "https://example.org/?a=1&b=\"2\""
why_in_news: "A <img src=x onerror=alert(1)> **term** ]]> <!-- c --> &amp;"
key_points:
  - text: "First **map** point"
    image: a/map.svg
    alt: "\"quoted\" <alt> & more"
  - text: "Second **map** point, same picture"
    image: a/map.svg
    alt: Same map again
  - text: "Third point, **other map**"
    image: b/map.svg
    alt: Another map with the same file name
"#,
    );
    let out = dir.path().join("book.epub");
    let epub = export(&[src.to_str().unwrap()], &out, &[]);
    assert_sound(&epub, "en");
    for (name, text) in epub.xhtml() {
        assert!(!text.contains("<script"), "{name}");
        assert!(!text.contains("<img src=x"), "{name}");
        assert!(!text.contains("<b>"), "{name}");
    }
    let images: Vec<&String> = epub
        .names
        .iter()
        .filter(|n| n.starts_with("OEBPS/images/"))
        .collect();
    assert_eq!(images.len(), 2, "{images:?}");
    let key = epub
        .xhtml()
        .find(|(n, _)| n.starts_with("OEBPS/key-"))
        .unwrap()
        .1;
    assert!(
        key.contains("alt=\"&quot;quoted&quot; &lt;alt&gt; &amp; more\""),
        "{key}"
    );
    let opf = epub.text("OEBPS/content.opf");
    assert!(
        opf.contains("<dc:subject>&lt;b&gt;Subject&lt;/b&gt; &amp; co</dc:subject>"),
        "{opf}"
    );
    assert!(
        parse("content.opf", opf)
            .root_element()
            .has_tag_name("package")
    );
    let nav = epub.text("OEBPS/nav.xhtml");
    assert!(
        nav.contains("&lt;script&gt;alert(1)&lt;/script&gt; &amp; "),
        "{nav}"
    );
}

#[test]
fn a_minimal_brief_makes_a_booklet_without_way_forward_or_facts() {
    let dir = tempfile::tempdir().unwrap();
    let src = dir.path().join("src");
    write(&src, "one.yaml", MINIMAL_BRIEF);
    let epub = export(
        &[src.to_str().unwrap()],
        &dir.path().join("book.epub"),
        &[
            "--term-questions",
            "0",
            "--title",
            "One & only",
            "--publisher",
            "P",
        ],
    );
    assert_sound(&epub, "en");
    let toc = nav_toc(&epub);
    assert!(toc.iter().any(|t| t.0 == "Way Forward" && t.2.is_empty()));
    assert!(
        !toc.iter().any(|t| t.0 == "Self-test"),
        "no questions, no self-test"
    );
    let opf = epub.text("OEBPS/content.opf");
    assert!(opf.contains("<dc:title>One &amp; only</dc:title>"), "{opf}");
    assert!(opf.contains("<dc:publisher>P</dc:publisher>"), "{opf}");
}

// ---------------------------------------------------------------------------
// A synthetic book and EPUBCheck.

/// Where the test tools are, or why they are not: missing tools fail under
/// CI and skip loudly elsewhere.
fn epubcheck_available() -> bool {
    if repo().join(".venv-tools/bin/python").exists() {
        return true;
    }
    if std::env::var_os("CI").is_some() {
        panic!(
            "EPUBCheck is not installed (.venv-tools missing) but CI is set: run scripts/setup-test-tools.sh"
        );
    }
    eprintln!(
        "\n{bar}\n!! SKIPPING EPUBCheck: .venv-tools is missing.\n!! Run scripts/setup-test-tools.sh (scripts/test.sh does) to check the booklets.\n{bar}\n",
        bar = "!".repeat(72)
    );
    false
}

/// Runs `scripts/epubcheck.sh --json` on `books` and asserts 0 errors and 0
/// warnings for each.
fn epubcheck(books: &[PathBuf]) {
    let out = std::process::Command::new(repo().join("scripts/epubcheck.sh"))
        .arg("--json")
        .args(books)
        .output()
        .expect("scripts/epubcheck.sh runs");
    let stdout = String::from_utf8_lossy(&out.stdout);
    let reports: Vec<serde_json::Value> = stdout
        .lines()
        .map(|l| serde_json::from_str(l).expect("a JSON report line"))
        .collect();
    assert_eq!(
        reports.len(),
        books.len(),
        "EPUBCheck did not report on every book:\n{stdout}\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
    for r in &reports {
        assert!(
            r["ok"] == true && r["errors"] == 0 && r["warnings"] == 0 && r["fatal"] == 0,
            "EPUBCheck: {}",
            serde_json::to_string_pretty(r).unwrap()
        );
    }
    assert!(out.status.success(), "{stdout}");
}

#[test]
fn epubcheck_passes_on_the_samples_and_a_300_brief_book() {
    let dir = tempfile::tempdir().unwrap();
    let src = dir.path().join("synthetic");
    let titles = synthetic_sources(&src, 300);
    let big = dir.path().join("synthetic.epub");
    let epub = export(&[src.to_str().unwrap()], &big, &[]);
    assert_sound(&epub, "en");
    let toc = nav_toc(&epub);
    let listed: BTreeSet<&str> = toc[1].2.iter().map(|c| c.0.as_str()).collect();
    assert_eq!(toc[1].0, "Why in News");
    assert_eq!(listed.len(), 300);
    for t in &titles {
        assert!(listed.contains(t.as_str()), "{t} is not in the nav");
    }

    let mut samples = Vec::new();
    for by in ["theme", "brief", "month"] {
        let path = dir.path().join(format!("sources-{by}.epub"));
        export(&[], &path, &["--group-by", by]);
        samples.push(path);
    }
    if !epubcheck_available() {
        return;
    }
    // EPUBCheck starts a JVM per book (~6 s): check in two parallel runs.
    let big_check = std::thread::spawn(move || epubcheck(&[big]));
    epubcheck(&samples);
    big_check.join().expect("EPUBCheck of the synthetic book");
}
