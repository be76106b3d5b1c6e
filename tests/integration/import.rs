//! `briefdeck import`: the seed and the article fixtures in
//! `tests/fixtures/articles/` (each with its own quirks) become briefs that
//! pass `check`, keep their structure, and keep every bold key term.

use crate::common::{briefdeck, run, write};
use briefdeck::brief::{self, Brief, LoadOptions, Point};
use std::path::Path;

const ARTICLES: &str = "tests/fixtures/articles";
const SEED: &str = "tests/fixtures/articles/india-japan-strategic-dialogue.md";

fn article(name: &str) -> String {
    format!("{ARTICLES}/{name}")
}

/// Imports `article` into `dir/out.yaml` with `extra` options; asserts
/// success, that `check` passes on the output, and that the bold key terms
/// of the article and of the brief are the same multiset. Returns the
/// loaded brief and the import's stderr.
fn import_ok(dir: &Path, article: &str, extra: &[&str]) -> (Brief, String) {
    let out = dir.join("out.yaml");
    let r = run(briefdeck()
        .args(["import", article, "-o"])
        .arg(&out)
        .args(extra));
    assert_eq!(r.code, 0, "import {article}:\n{}", r.stderr);
    assert!(r.stdout.is_empty(), "{}", r.stdout);
    let check = run(briefdeck().arg("check").arg(&out));
    assert_eq!(check.code, 0, "check {}:\n{}", out.display(), check.stderr);
    assert!(
        check
            .stderr
            .contains("ok: 1 brief(s) in 1 file(s), 0 error(s)"),
        "check {}:\n{}",
        out.display(),
        check.stderr
    );
    let brief = load(&out);
    let text = std::fs::read_to_string(crate::common::repo().join(article)).unwrap();
    assert_eq!(
        sorted(article_terms(&text)),
        sorted(brief_terms(&brief)),
        "bold terms of {article} and of its brief differ"
    );
    (brief, r.stderr)
}

fn load(path: &Path) -> Brief {
    let library = brief::load(&LoadOptions {
        paths: vec![path.to_path_buf()],
    })
    .unwrap();
    assert!(
        !library.report.has_errors(),
        "{}",
        library.report.render(&library.sources)
    );
    assert_eq!(library.briefs.len(), 1);
    library.briefs.into_iter().next().unwrap()
}

fn sorted(mut v: Vec<String>) -> Vec<String> {
    v.sort();
    v
}

fn collapse(s: &str) -> String {
    s.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// Every `**…**` run of a text (`<b>` and `<strong>` count as `**`).
fn bold_runs(text: &str) -> Vec<String> {
    let text = text
        .replace("<strong>", "**")
        .replace("</strong>", "**")
        .replace("<b>", "**")
        .replace("</b>", "**");
    let mut runs = Vec::new();
    let mut rest = text.as_str();
    while let Some(a) = rest.find("**") {
        let after = &rest[a + 2..];
        let Some(b) = after.find("**") else { break };
        runs.push(collapse(&after[..b]));
        rest = &after[b + 2..];
    }
    runs
}

/// Bold runs that are structure, not terms: section names and source lines.
fn is_structure(run: &str) -> bool {
    let w = run
        .trim()
        .trim_end_matches([':', '?', '.'])
        .trim()
        .to_lowercase();
    [
        "why in news",
        "key points",
        "way forward",
        "conclusion",
        "background",
    ]
    .contains(&w.as_str())
        || w.starts_with("source")
}

/// The bold runs of an article, paragraph by paragraph and item by item,
/// without headings (the title), the section names and the source line.
fn article_terms(text: &str) -> Vec<String> {
    let is_item = |t: &str| {
        ["- ", "* ", "+ ", "• ", "◦ ", "▪ ", "o "]
            .iter()
            .any(|m| t.starts_with(m))
            || t.split_once(['.', ')'])
                .is_some_and(|(n, _)| !n.is_empty() && n.bytes().all(|b| b.is_ascii_digit()))
    };
    let mut chunks: Vec<String> = vec![String::new()];
    for line in text.lines() {
        let t = line.trim().trim_start_matches('>').trim();
        if t.starts_with('#') {
            continue;
        }
        if t.is_empty() || is_item(t) {
            chunks.push(String::new());
        }
        let last = chunks.last_mut().unwrap();
        last.push_str(t);
        last.push(' ');
    }
    chunks
        .iter()
        .flat_map(|c| bold_runs(c))
        .filter(|r| !is_structure(r))
        .collect()
}

/// The bold runs of a brief's why in news and of every point, at any depth.
fn brief_terms(brief: &Brief) -> Vec<String> {
    let mut runs = bold_runs(brief.why_in_news.source());
    brief.walk_points(|_, _, p| {
        for t in p.heading.as_deref().into_iter().chain(p.text.as_ref()) {
            runs.extend(bold_runs(t.source()));
        }
    });
    runs
}

fn heading(p: &Point) -> &str {
    p.heading.as_ref().map_or("", |h| h.source())
}

fn text(p: &Point) -> &str {
    p.text.as_ref().map_or("", |t| t.source())
}

fn headings(points: &[Point]) -> Vec<&str> {
    points.iter().map(heading).collect()
}

/// The unplaced point at the end of `background`, if any.
fn unplaced(brief: &Brief) -> Option<&Point> {
    brief
        .background
        .last()
        .filter(|p| heading(p) == "Unplaced (review me)")
}

#[test]
fn the_seed_keeps_its_structure_and_every_bold_term() {
    let dir = tempfile::tempdir().unwrap();
    let (b, stderr) = import_ok(dir.path(), SEED, &["--date", "2020-10-07"]);
    assert!(
        stderr.contains(&format!(
            "{SEED}:5:1: warning: `drishti` looks like page furniture"
        )),
        "{stderr}"
    );
    assert_eq!(b.id, "india-japan-foreign-ministers-strategic-dialogue");
    assert_eq!(
        b.title.source(),
        "India-Japan Foreign Ministers' Strategic Dialogue"
    );
    assert_eq!(b.date.to_string(), "2020-10-07");
    assert_eq!(b.subject, "General");
    let source = b.source.as_ref().unwrap();
    assert_eq!(source.name.as_deref(), Some("The Hindu"));
    assert_eq!(
        source.url.as_deref(),
        Some("https://drishtias.com/printpdf/india-japan-foreign-ministers-strategic-dialogue")
    );
    assert!(
        b.why_in_news
            .source()
            .starts_with("India and Japan recently held **13<sup>th</sup> India-Japan"),
        "{}",
        b.why_in_news.source()
    );

    // Key points: the bold "Cyber Security MoC" heads its children, and the
    // `**Significance:**` label heads the points under it.
    let kp = &b.key_points;
    assert_eq!(kp.len(), 5, "{kp:#?}");
    assert_eq!(heading(&kp[0]), "**Cyber Security MoC**");
    assert_eq!(kp[0].points.len(), 2);
    let significance = &kp[0].points[1];
    assert!(text(significance).starts_with("**Significance:** It will attract"));
    assert_eq!(significance.points.len(), 3);
    assert!(text(&significance.points[2]).starts_with("Also, **Covid-19 pandemic**"));
    assert!(text(&kp[1]).starts_with("The dialogue emphasized"));
    assert_eq!(
        text(&kp[2]),
        "**The importance of the Indo-pacific region** was discussed."
    );
    assert_eq!(kp[2].points.len(), 4);
    assert!(text(&kp[3]).starts_with("The issue of **abduction of Japanese nationals"));
    // The bold bullet followed by a blank line heads the list after it.
    assert_eq!(
        heading(&kp[4]),
        "**Other Recent Developments Between India and Japan**"
    );
    assert_eq!(kp[4].points.len(), 8);
    assert!(text(&kp[4].points[7]).contains("**Malabar exercise with the USA**"));

    // The free paragraphs between the lists are the boxed background notes.
    let bg: Vec<&str> = b.background.iter().map(text).collect();
    assert_eq!(bg.len(), 2);
    assert!(bg[0].starts_with("With Covid-19 and **trade tensions"));
    assert!(bg[1].starts_with("Abductions of Japanese citizens"));
    assert!(unplaced(&b).is_none());

    // `## Way Forward` followed by `---`.
    assert_eq!(b.way_forward.len(), 3);
    assert!(text(&b.way_forward[2]).contains("**combat China's**"));
}

#[test]
fn without_a_date_nothing_is_written() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("seed.yaml");
    let r = run(briefdeck().args(["import", SEED, "-o"]).arg(&out));
    assert_eq!(r.code, 1, "{}", r.stderr);
    assert!(
        r.stderr.contains(&format!(
            "error: no date found in {SEED}; pass --date YYYY-MM-DD"
        )),
        "{}",
        r.stderr
    );
    assert!(r.stderr.contains("nothing was written"), "{}", r.stderr);
    assert!(!out.exists());
    assert!(r.stdout.is_empty());
}

#[test]
fn plain_style_with_bullets_and_bare_line_headings() {
    let dir = tempfile::tempdir().unwrap();
    let (b, stderr) = import_ok(dir.path(), &article("project-cheetah.md"), &[]);
    assert_eq!(
        b.title.source(),
        "Project Cheetah: Cheetahs Return to Kuno National Park"
    );
    // From the `Date: 17th September 2022` line under the title.
    assert_eq!(b.date.to_string(), "2022-09-17");
    assert!(!stderr.contains("warning:"), "{stderr}");
    assert_eq!(
        b.source.as_ref().unwrap().name.as_deref(),
        Some("Press Information Bureau")
    );
    assert_eq!(
        headings(&b.key_points),
        ["About Project Cheetah", "About the Cheetah", "Significance"]
    );
    // `◦` under `•`, without indentation, nests by symbol.
    let project = &b.key_points[0].points;
    assert_eq!(project.len(), 3);
    assert_eq!(project[1].points.len(), 2);
    let cheetah = &b.key_points[1].points;
    assert_eq!(cheetah.len(), 3);
    assert!(text(&cheetah[1].points[0]).starts_with("IUCN status"));
    // "Conclusion" stands for Way Forward.
    assert_eq!(b.way_forward.len(), 1);
    assert!(b.background.is_empty());
}

#[test]
fn date_from_the_file_name_four_space_nesting_and_a_bold_key_points_line() {
    let dir = tempfile::tempdir().unwrap();
    let (b, _) = import_ok(
        dir.path(),
        &article("2023-09-19-womens-reservation-bill.md"),
        &[
            "--subject",
            "Polity and Governance",
            "--tag",
            "women,parliament",
        ],
    );
    assert_eq!(b.date.to_string(), "2023-09-19");
    assert_eq!(b.subject, "Polity and Governance");
    assert_eq!(b.tags, ["women", "parliament"]);
    assert_eq!(
        b.source.as_ref().unwrap().name.as_deref(),
        Some("The Indian Express")
    );
    let kp = &b.key_points;
    assert_eq!(
        headings(kp),
        ["**Provisions of the Bill**", "", "**Concerns:**"]
    );
    assert_eq!(kp[0].points.len(), 4);
    assert_eq!(kp[0].points[0].points.len(), 1);
    assert!(text(&kp[1]).starts_with("**Significance:** Women make up"));
    assert_eq!(kp[1].points.len(), 2);
    assert_eq!(kp[2].points.len(), 3);
    assert_eq!(b.background.len(), 1);
    assert!(text(&b.background[0]).starts_with("Earlier attempts"));
    assert_eq!(b.way_forward.len(), 2);
}

#[test]
fn date_in_the_text_a_remote_image_and_a_conclusion() {
    let dir = tempfile::tempdir().unwrap();
    let (b, stderr) = import_ok(dir.path(), &article("chandrayaan-3-landing.md"), &[]);
    assert_eq!(b.date.to_string(), "2023-08-23");
    assert!(
        stderr.contains("chandrayaan-3-landing.md:7:4: warning: the date 2023-08-23 is taken from the text (`August 23, 2023`)"),
        "{stderr}"
    );
    assert!(
        stderr.contains("chandrayaan-3-landing.md:9:1: warning: image `https://www.isro.gov.in/"),
        "{stderr}"
    );
    assert!(
        b.why_in_news
            .source()
            .contains("the 4<sup>th</sup> country")
    );
    assert!(b.why_in_news.source().ends_with(
        "\n\n[image: Chandrayaan-3 landing site](https://www.isro.gov.in/media_isro/image/index/Chandrayaan3/landing-site.jpg)"
    ));
    // The link on the source line wins over the page address.
    let source = b.source.as_ref().unwrap();
    assert_eq!(source.name.as_deref(), Some("The Hindu"));
    assert_eq!(
        source.url.as_deref(),
        Some("https://www.thehindu.com/sci-tech/science/chandrayaan-3-landing/article67226567.ece")
    );
    assert_eq!(
        headings(&b.key_points),
        ["**About the Mission**", "", "**Why the south pole?**"]
    );
    assert_eq!(b.key_points[0].points[1].points.len(), 2);
    assert_eq!(b.background.len(), 1);
    assert_eq!(b.way_forward.len(), 1);
}

#[test]
fn windows_line_endings_a_table_a_quote_and_a_bold_line_over_a_list() {
    let raw =
        std::fs::read(crate::common::repo().join(article("g20-new-delhi-summit.md"))).unwrap();
    assert!(
        raw.windows(2).any(|w| w == b"\r\n"),
        "the fixture has CRLF line ends"
    );
    let dir = tempfile::tempdir().unwrap();
    let (b, stderr) = import_ok(dir.path(), &article("g20-new-delhi-summit.md"), &[]);
    assert_eq!(b.date.to_string(), "2023-09-11");
    // A bold run wrapped over two lines stays one term.
    assert!(
        b.why_in_news
            .source()
            .contains("**\"One Earth, One Family, One Future\"**")
    );
    assert!(!b.why_in_news.source().contains('\r'));
    assert_eq!(
        headings(&b.key_points),
        [
            "**Outcomes of the Summit**",
            "",
            "**Other Recent Presidencies**"
        ]
    );
    assert_eq!(b.key_points[0].points.len(), 4);
    assert_eq!(b.key_points[2].points.len(), 2);
    // The quoted box is background; the table is kept for review.
    assert!(text(&b.background[0]).starts_with("The G20 was founded in **1999**"));
    let table = unplaced(&b).expect("an unplaced point");
    assert!(text(&table.points[0]).starts_with("| Year | Presidency |"));
    assert!(
        stderr.contains("g20-new-delhi-summit.md:33:1: warning: a table could not be placed; it is kept in `background` under \"Unplaced (review me)\""),
        "{stderr}"
    );
    assert_eq!(
        b.source.as_ref().unwrap().name.as_deref(),
        Some("Hindustan Times")
    );
}

#[test]
fn numbered_lists_other_sections_and_an_indian_date() {
    let dir = tempfile::tempdir().unwrap();
    let (b, _) = import_ok(dir.path(), &article("cop28-loss-and-damage-fund.md"), &[]);
    // `13/12/2023` is day/month/year.
    assert_eq!(b.date.to_string(), "2023-12-13");
    assert_eq!(b.key_points.len(), 4);
    assert_eq!(b.key_points[3].points.len(), 2);
    assert_eq!(
        headings(&b.background),
        ["About Loss and Damage", "Challenges"]
    );
    assert_eq!(b.background[0].points.len(), 2);
    // `**Way Forward**` as a bold line.
    assert_eq!(b.way_forward.len(), 2);
    assert_eq!(
        b.source.as_ref().unwrap().name.as_deref(),
        Some("Down To Earth")
    );
}

#[test]
fn labels_head_the_items_after_them_and_a_local_image_and_html_are_reported() {
    let dir = tempfile::tempdir().unwrap();
    let name = article("uniform-civil-code-uttarakhand.md");
    let (b, stderr) = import_ok(dir.path(), &name, &[]);
    assert_eq!(b.date.to_string(), "2024-02-07");
    assert!(
        stderr.contains(&format!("{name}:11:1: warning: image `images/uttarakhand-map.png` (\"Map of Uttarakhand\") is left out")),
        "{stderr}"
    );
    assert!(
        stderr.contains(&format!(
            "{name}:30:1: warning: an HTML block could not be placed"
        )),
        "{stderr}"
    );
    assert_eq!(
        headings(&b.key_points),
        [
            "**Key Provisions:**",
            "",
            "**Significance:**",
            "**Concerns:**"
        ]
    );
    assert_eq!(b.key_points[0].points.len(), 5);
    assert_eq!(b.key_points[2].points.len(), 2);
    assert_eq!(b.key_points[3].points.len(), 2);
    assert!(text(&b.background[0]).contains("**Goa Civil Code**"));
    let html = unplaced(&b).unwrap();
    assert!(text(&html.points[0]).contains("Join our Test Series"));
}

#[test]
fn setext_title_tab_nesting_star_and_plus_markers_and_two_sources() {
    let dir = tempfile::tempdir().unwrap();
    let name = article("india-middle-east-europe-corridor.md");
    let r = run(briefdeck().args(["import", &name]));
    assert_eq!(r.code, 1, "{}", r.stderr);
    let (b, _) = import_ok(dir.path(), &name, &["--date", "2023-09-10"]);
    assert_eq!(
        b.title.source(),
        "India-Middle East-Europe Economic Corridor"
    );
    assert_eq!(b.date.to_string(), "2023-09-10");
    let source = b.source.as_ref().unwrap();
    assert_eq!(
        source.name.as_deref(),
        Some("The Hindu, Press Information Bureau")
    );
    assert_eq!(
        source.url.as_deref(),
        Some(
            "https://www.drishtiias.com/daily-updates/daily-news-analysis/india-middle-east-europe-economic-corridor"
        )
    );
    let kp = &b.key_points;
    assert_eq!(
        headings(kp),
        ["**Structure of the Corridor**", "", "", "**Significance:**"]
    );
    assert_eq!(kp[0].points.len(), 2);
    assert_eq!(kp[0].points[1].points.len(), 1);
    assert_eq!(kp[3].points.len(), 2);
    assert_eq!(b.way_forward.len(), 2);
}

#[test]
fn text_before_the_first_section_sub_headings_and_other_sections() {
    let dir = tempfile::tempdir().unwrap();
    let name = article("great-nicobar-project.md");
    let (b, stderr) = import_ok(dir.path(), &name, &[]);
    assert_eq!(b.date.to_string(), "2024-01-12");
    assert!(
        b.why_in_news
            .source()
            .starts_with("The **Great Nicobar Island Development Project**")
    );
    for line in [5, 7] {
        assert!(
            stderr.contains(&format!(
                "{name}:{line}:1: warning: text before the first section could not be placed"
            )),
            "{stderr}"
        );
    }
    // `#### Components` heads the tight list under it, not the points after
    // the blank line.
    assert_eq!(
        headings(&b.key_points),
        ["Components of the Project", "", ""]
    );
    assert_eq!(b.key_points[0].points.len(), 3);
    assert_eq!(
        headings(&b.background),
        ["Concerns", "Unplaced (review me)"]
    );
    assert_eq!(b.background[0].points.len(), 4);
    let stray: Vec<&str> = unplaced(&b).unwrap().points.iter().map(text).collect();
    assert_eq!(
        stray,
        [
            "For Prelims: Great Nicobar Biosphere Reserve, Shompen, Leatherback turtle, ICTT",
            "For Mains: Balancing development and ecology in island territories"
        ]
    );
    assert_eq!(b.way_forward.len(), 2);
}

#[test]
fn a_byte_order_mark_html_tags_and_comments() {
    let raw = std::fs::read(crate::common::repo().join(article("semiconductor-units-approved.md")))
        .unwrap();
    assert!(
        raw.starts_with(b"\xef\xbb\xbf"),
        "the fixture starts with a BOM"
    );
    let dir = tempfile::tempdir().unwrap();
    let name = article("semiconductor-units-approved.md");
    let (b, stderr) = import_ok(dir.path(), &name, &[]);
    assert_eq!(
        b.title.source(),
        "Cabinet Approves Three Semiconductor Units"
    );
    assert_eq!(b.date.to_string(), "2024-03-01");
    assert!(
        b.why_in_news
            .source()
            .contains("three new **semiconductor units** under the **Development")
    );
    assert_eq!(b.key_points.len(), 4);
    assert_eq!(b.key_points[3].points.len(), 2);
    assert_eq!(
        text(&b.key_points[3].points[1]),
        "Earlier, **Micron** was approved for an ATMP unit at Sanand in 2023."
    );
    for (line, what) in [
        (5, "HTML comment `<!-- page 1 of 1 -->` is left out"),
        (19, "HTML tag `<span>` is removed (its text is kept)"),
    ] {
        assert!(
            stderr.contains(&format!("{name}:{line}:")) && stderr.contains(what),
            "{stderr}"
        );
    }
    assert!(unplaced(&b).is_none());
    assert_eq!(
        b.source.as_ref().unwrap().name.as_deref(),
        Some("The Times of India")
    );
}

#[test]
fn stdout_holds_the_same_yaml_as_the_file() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("b.yaml");
    let to_file = run(briefdeck()
        .args(["import", &article("cop28-loss-and-damage-fund.md"), "-o"])
        .arg(&out));
    assert_eq!(to_file.code, 0, "{}", to_file.stderr);
    let to_stdout = run(briefdeck().args(["import", &article("cop28-loss-and-damage-fund.md")]));
    assert_eq!(to_stdout.code, 0, "{}", to_stdout.stderr);
    let written = std::fs::read_to_string(&out).unwrap();
    assert_eq!(to_stdout.stdout, written);
    // Stable key order and a readable header.
    let keys: Vec<&str> = written
        .lines()
        .filter(|l| !l.starts_with([' ', '#', '-']) && l.contains(':'))
        .map(|l| l.split(':').next().unwrap())
        .collect();
    assert_eq!(
        keys,
        [
            "id",
            "title",
            "date",
            "subject",
            "source",
            "why_in_news",
            "key_points",
            "background",
            "way_forward"
        ]
    );
    assert!(
        written.starts_with("# Drafted by `briefdeck import` from cop28-loss-and-damage-fund.md")
    );
    // `-o` naming a folder writes `<article>.yaml` in it.
    let r = run(briefdeck()
        .args(["import", &article("cop28-loss-and-damage-fund.md"), "-o"])
        .arg(dir.path()));
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert_eq!(
        std::fs::read_to_string(dir.path().join("cop28-loss-and-damage-fund.yaml")).unwrap(),
        written
    );
}

#[test]
fn an_existing_brief_is_never_overwritten_without_force() {
    let dir = tempfile::tempdir().unwrap();
    let out = write(dir.path(), "brief.yaml", "# my edited brief\n");
    let r = run(briefdeck()
        .args(["import", &article("project-cheetah.md"), "-o"])
        .arg(&out));
    assert_eq!(r.code, 2, "{}", r.stderr);
    assert!(r.stderr.contains("already exists"), "{}", r.stderr);
    assert!(r.stderr.contains("--force"), "{}", r.stderr);
    assert_eq!(
        std::fs::read_to_string(&out).unwrap(),
        "# my edited brief\n"
    );
    let r = run(briefdeck()
        .args(["import", &article("project-cheetah.md"), "--force", "-o"])
        .arg(&out));
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert!(std::fs::read_to_string(&out).unwrap().contains("title:"));
}

#[test]
fn a_folder_of_articles_becomes_a_folder_of_briefs_or_nothing() {
    let dir = tempfile::tempdir().unwrap();
    // Two articles have no date: without --date the whole run writes nothing.
    let out = dir.path().join("none");
    let r = run(briefdeck().args(["import", ARTICLES, "-o"]).arg(&out));
    assert_eq!(r.code, 1, "{}", r.stderr);
    assert!(
        r.stderr
            .contains("india-middle-east-europe-corridor.md; pass --date"),
        "{}",
        r.stderr
    );
    assert!(!out.exists());

    let out = dir.path().join("briefs");
    let r = run(briefdeck()
        .args(["import", ARTICLES, "--date", "2024-01-01", "-o"])
        .arg(&out));
    assert_eq!(r.code, 0, "{}", r.stderr);
    let mut names: Vec<String> = std::fs::read_dir(&out)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    let mut expected: Vec<String> = std::fs::read_dir(crate::common::repo().join(ARTICLES))
        .unwrap()
        .map(|e| {
            let name = e.unwrap().file_name().to_string_lossy().into_owned();
            name.replace(".md", ".yaml")
        })
        .collect();
    expected.sort();
    assert_eq!(names, expected);
    assert!(names.len() >= 10);
    let check = run(briefdeck().arg("check").arg(&out));
    assert_eq!(check.code, 0, "{}", check.stderr);
    assert!(
        check
            .stderr
            .contains(&format!("ok: {} brief(s)", names.len())),
        "{}",
        check.stderr
    );

    // Several articles: -o must name a folder.
    let r = run(briefdeck().args([
        "import",
        &article("project-cheetah.md"),
        &article("cop28-loss-and-damage-fund.md"),
        "-o",
        "x.yaml",
    ]));
    assert_eq!(r.code, 2, "{}", r.stderr);
    assert!(r.stderr.contains("-o names a folder"), "{}", r.stderr);
}

#[test]
fn usage_errors() {
    let r = run(briefdeck().args(["import", "no/such/article.md"]));
    assert_eq!(r.code, 2, "{}", r.stderr);
    assert!(
        r.stderr
            .contains("no/such/article.md: no such file or directory")
    );
    let r = run(briefdeck().args(["import", SEED, "--date", "2020-02-30"]));
    assert_eq!(r.code, 2, "{}", r.stderr);
    assert!(
        r.stderr.contains("not a real date as YYYY-MM-DD"),
        "{}",
        r.stderr
    );
    let dir = tempfile::tempdir().unwrap();
    let r = run(briefdeck().arg("import").arg(dir.path()));
    assert_eq!(r.code, 2, "{}", r.stderr);
    assert!(r.stderr.contains("no Markdown articles"), "{}", r.stderr);
}

#[test]
fn articles_that_cannot_be_briefs_fail_clearly() {
    let dir = tempfile::tempdir().unwrap();
    let plain = write(
        dir.path(),
        "plain.md",
        "# Just a title\n\nOne paragraph, no bullets.\n",
    );
    let r = run(briefdeck()
        .arg("import")
        .arg(&plain)
        .args(["--date", "2024-01-01"]));
    assert_eq!(r.code, 1, "{}", r.stderr);
    assert!(r.stderr.contains("found no key points in"), "{}", r.stderr);
    let bad = write(
        dir.path(),
        "bad.md",
        b"# T\n\n## Why in News\n\nIt \xff happened.\n".as_slice(),
    );
    let r = run(briefdeck()
        .arg("import")
        .arg(&bad)
        .args(["--date", "2024-01-01"]));
    assert_eq!(r.code, 1, "{}", r.stderr);
    assert!(
        r.stderr
            .contains("bad.md:5:4: error: the article is not valid UTF-8"),
        "{}",
        r.stderr
    );
}

#[test]
fn hostile_articles_still_give_briefs_that_pass_check() {
    let dir = tempfile::tempdir().unwrap();
    let mut text = String::from(
        "# \"Quotes\": and #hash & *stars* `code` {braces} [brackets]\n\n## Why in News\n\n",
    );
    text.push_str("A **term** with: a colon, a `**not bold**` code span, <script>alert(1)</script>, [a js link](javascript:alert(1)) and \\*escaped\\*.\n\n## Key Points\n\n");
    for depth in 0..40 {
        text.push_str(&format!(
            "{}- level {depth} **deep {depth}**\n",
            "  ".repeat(depth)
        ));
    }
    text.push_str("- null\n- 2020\n- \"quoted\"\n- - nested marker\n- ---\n- #5G\n- **Label:**\n");
    text.push_str(&format!("- {}\n", "very long point ".repeat(200)));
    text.push_str("\n```\nlet x = 1;\n```\n\n<table><tr><td>cell</td></tr></table>\n\nSource: [Reuters](javascript:void)\n");
    let path = write(dir.path(), "hostile.md", &text);
    let out = dir.path().join("hostile.yaml");
    let r = run(briefdeck()
        .arg("import")
        .arg(&path)
        .args(["--date", "2024-01-01", "-o"])
        .arg(&out));
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert!(
        r.stderr
            .contains("warning: list nested deeper than 12 levels"),
        "{}",
        r.stderr
    );
    assert!(r.stderr.contains("javascript:alert(1)"), "{}", r.stderr);
    let check = run(briefdeck().arg("check").arg(&out));
    assert_eq!(check.code, 0, "{}", check.stderr);
    let b = load(&out);
    assert_eq!(
        b.title.source(),
        "\"Quotes\": and #hash & *stars* `code` {braces} [brackets]"
    );
    let all = brief_terms(&b);
    for depth in 0..40 {
        assert!(all.contains(&format!("deep {depth}")), "deep {depth}");
    }
}

/// The README documents the command; keep it honest about the flags.
#[test]
fn help_lists_the_options() {
    let r = run(briefdeck().args(["import", "--help"]));
    assert_eq!(r.code, 0);
    for flag in ["--output", "--date", "--subject", "--tag", "--force"] {
        assert!(r.stdout.contains(flag), "{flag}: {}", r.stdout);
    }
}
