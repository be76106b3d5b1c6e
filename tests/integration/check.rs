//! `briefdeck check`: diagnostics with exact places, exit codes, summaries,
//! and hostile input.

use crate::common::{MINIMAL_BRIEF, briefdeck, run, write};
use predicates::prelude::*;

/// Runs `check` on one bad fixture and asserts exit 1 and the exact headline.
fn assert_bad(name: &str, headline: &str) {
    let r = run(briefdeck().args(["check", &format!("tests/fixtures/bad/{name}")]));
    assert_eq!(r.code, 1, "{name}: exit code\n{}", r.stderr);
    assert!(
        r.stderr.lines().any(|l| l == headline),
        "{name}: expected the line\n  {headline}\nin stderr:\n{}",
        r.stderr
    );
}

#[test]
fn unknown_key_with_did_you_mean() {
    assert_bad(
        "unknown-key.yaml",
        "tests/fixtures/bad/unknown-key.yaml:4:1: error: unknown key `key_pionts` in a brief",
    );
    let r = run(briefdeck().args(["check", "tests/fixtures/bad/unknown-key.yaml"]));
    assert!(
        r.stderr.contains("= help: did you mean `key_points`?"),
        "{}",
        r.stderr
    );
    // The misspelt key is the explanation; no second "missing" error.
    assert!(!r.stderr.contains("missing required field"), "{}", r.stderr);
}

#[test]
fn missing_required_field() {
    assert_bad(
        "missing-title.yaml",
        "tests/fixtures/bad/missing-title.yaml:1:1: error: missing required field `title`",
    );
}

#[test]
fn empty_key_points() {
    assert_bad(
        "empty-key-points.yaml",
        "tests/fixtures/bad/empty-key-points.yaml:4:13: error: `key_points` must have at least one point",
    );
}

#[test]
fn invalid_date() {
    assert_bad(
        "invalid-date.yaml",
        "tests/fixtures/bad/invalid-date.yaml:2:7: error: invalid date `2024-02-30`: expected a real calendar date as YYYY-MM-DD, e.g. 2020-10-07",
    );
}

#[test]
fn invalid_id_with_a_suggestion() {
    assert_bad(
        "invalid-id.yaml",
        "tests/fixtures/bad/invalid-id.yaml:1:5: error: invalid brief id `India_Japan 2020`: use lower-case letters, digits and hyphens ([a-z0-9-]+)",
    );
    let r = run(briefdeck().args(["check", "tests/fixtures/bad/invalid-id.yaml"]));
    assert!(r.stderr.contains("try `india-japan-2020`"), "{}", r.stderr);
}

#[test]
fn point_of_the_wrong_shape() {
    assert_bad(
        "wrong-shape.yaml",
        "tests/fixtures/bad/wrong-shape.yaml:6:5: error: a point must be a string or a mapping with `text`/`heading`, found a list",
    );
    assert_bad(
        "point-without-text.yaml",
        "tests/fixtures/bad/point-without-text.yaml:5:5: error: a point needs `text` or `heading`",
    );
}

#[test]
fn forbidden_link_scheme() {
    assert_bad(
        "link-scheme.yaml",
        "tests/fixtures/bad/link-scheme.yaml:5:5: error: link scheme `javascript:` is not allowed (only http, https and mailto): `javascript:alert(1)`",
    );
}

#[test]
fn duplicate_key_names_both_places() {
    assert_bad(
        "duplicate-key.yaml",
        "tests/fixtures/bad/duplicate-key.yaml:3:1: error: duplicate key `title`",
    );
    let r = run(briefdeck().args(["check", "tests/fixtures/bad/duplicate-key.yaml"]));
    assert!(
        r.stderr
            .contains("= note: tests/fixtures/bad/duplicate-key.yaml:1:1: first given here"),
        "{}",
        r.stderr
    );
}

#[test]
fn image_paths_stay_inside_the_sources_root() {
    assert_bad(
        "image-outside-root.yaml",
        "tests/fixtures/bad/image-outside-root.yaml:6:12: error: image `../good/images/map.svg` is outside the sources root",
    );
    assert_bad(
        "image-missing.yaml",
        "tests/fixtures/bad/image-missing.yaml:6:12: error: image `images/nowhere.svg` not found (paths are relative to the sources root `tests/fixtures/bad`)",
    );
}

#[test]
fn yaml_syntax_error() {
    assert_bad(
        "yaml-syntax.yaml",
        "tests/fixtures/bad/yaml-syntax.yaml:3:14: error: unclosed quote",
    );
}

#[test]
fn duplicate_brief_ids_across_files_name_both() {
    let r = run(briefdeck().args(["check", "tests/fixtures/dup"]));
    assert_eq!(r.code, 1);
    assert!(
        r.stderr
            .contains("tests/fixtures/dup/two.yaml:1:1: error: duplicate brief id `same-id`"),
        "{}",
        r.stderr
    );
    assert!(
        r.stderr
            .contains("= note: tests/fixtures/dup/one.yaml:1:1: first used here"),
        "{}",
        r.stderr
    );
    // Neither file has a problem of its own, so neither kept its text while
    // loading; the quoted line is read again for the message.
    assert!(r.stderr.contains("1 | id: same-id"), "{}", r.stderr);
}

#[test]
fn warnings_do_not_fail_the_check() {
    let r = run(briefdeck().args(["check", "tests/fixtures/bad/warnings.yaml"]));
    assert_eq!(r.code, 0, "{}", r.stderr);
    let f = "tests/fixtures/bad/warnings.yaml";
    for line in [
        format!(
            "{f}:3:14: warning: raw HTML `<b>` is not allowed here; it will be shown as text (allowed: <sup>, <sub>, <br>)"
        ),
        format!(
            "{f}:5:5: warning: unbalanced `**`: it will show as literal asterisks and make no key term"
        ),
        format!("{f}:6:5: warning: link `/printpdf/india` has no scheme; it is kept as plain text"),
        format!(
            "{f}:7:5: warning: key point has no **bold** key term: no cloze card will come from it"
        ),
    ] {
        assert!(
            r.stderr.lines().any(|l| l == line),
            "missing\n  {line}\nin\n{}",
            r.stderr
        );
    }
}

#[test]
fn very_long_points_are_warned_about() {
    let dir = tempfile::tempdir().unwrap();
    let long = format!(
        "{MINIMAL_BRIEF}  - A **long** point {}\n",
        "word ".repeat(150)
    );
    write(dir.path(), "long.yaml", long);
    briefdeck()
        .arg("check")
        .arg(dir.path())
        .assert()
        .success()
        .stderr(predicate::str::contains(
            ":6:5: warning: very long point (766 characters",
        ));
}

#[test]
fn long_points_are_counted_in_characters_not_bytes() {
    let dir = tempfile::tempdir().unwrap();
    // 450 characters, three bytes each: long in bytes, not in characters.
    let short = format!("{MINIMAL_BRIEF}  - A **भारत** {}\n", "भारत ".repeat(89));
    write(dir.path(), "short.yaml", short);
    let r = run(briefdeck().arg("check").arg(dir.path()));
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert!(!r.stderr.contains("very long point"), "{}", r.stderr);
    let long = format!("{MINIMAL_BRIEF}  - A **भारत** {}\n", "भारत ".repeat(130));
    write(dir.path(), "short.yaml", long);
    let r = run(briefdeck().arg("check").arg(dir.path()));
    assert!(
        r.stderr
            .contains(":6:5: warning: very long point (660 characters"),
        "{}",
        r.stderr
    );
}

#[test]
fn every_problem_of_every_file_in_one_run() {
    let r = run(briefdeck().args(["check", "tests/fixtures/bad"]));
    assert_eq!(r.code, 1);
    let errors = r.stderr.lines().filter(|l| l.contains(": error: ")).count();
    assert_eq!(errors, 12, "{}", r.stderr);
    assert!(
        r.stderr.contains("12 error(s), 6 warning(s)"),
        "{}",
        r.stderr
    );
}

#[test]
fn several_problems_in_one_brief_are_all_reported() {
    let dir = tempfile::tempdir().unwrap();
    write(
        dir.path(),
        "many.yaml",
        "titel: x\ndate: 2024-13-01\nwhy_in_news: ok **x**\nkey_points:\n  - \"[a](ftp://x)\"\nfacts:\n  - q: Q\n",
    );
    let r = run(briefdeck().arg("check").arg(dir.path()));
    assert_eq!(r.code, 1);
    for needle in [
        "many.yaml:1:1: error: unknown key `titel` in a brief",
        "many.yaml:2:7: error: invalid date `2024-13-01`",
        "many.yaml:5:5: error: link scheme `ftp:` is not allowed",
        "many.yaml:7:5: error: missing required field `a`",
    ] {
        assert!(
            r.stderr.contains(needle),
            "missing {needle} in\n{}",
            r.stderr
        );
    }
}

#[test]
fn good_fixtures_pass_with_a_summary() {
    let r = run(briefdeck().args(["check", "tests/fixtures/good"]));
    assert_eq!(r.code, 0, "{}", r.stderr);
    let total = r
        .stdout
        .lines()
        .find(|l| l.starts_with("Total"))
        .expect("total row");
    let numbers: Vec<&str> = total.split_whitespace().skip(1).collect();
    assert_eq!(numbers, ["4", "7", "20", "1"], "{}", r.stdout);
    assert!(r.stdout.contains("International Relations"), "{}", r.stdout);
    assert!(
        r.stderr
            .contains("ok: 4 brief(s) in 2 file(s), 0 error(s), 0 warning(s)")
    );
}

#[test]
fn json_report_on_stdout() {
    let r = run(briefdeck().args([
        "check",
        "--format",
        "json",
        "tests/fixtures/bad/invalid-date.yaml",
    ]));
    assert_eq!(r.code, 1);
    let v: serde_json::Value = serde_json::from_str(&r.stdout).expect("valid JSON");
    assert_eq!(v["ok"], false);
    assert_eq!(v["errors"], 1);
    let d = &v["diagnostics"][0];
    assert_eq!(d["severity"], "error");
    assert_eq!(d["code"], "invalid-date");
    assert_eq!(d["file"], "tests/fixtures/bad/invalid-date.yaml");
    assert_eq!((d["line"].as_u64(), d["col"].as_u64()), (Some(2), Some(7)));
    assert!(
        r.stderr.is_empty(),
        "json mode keeps stderr quiet: {}",
        r.stderr
    );

    let r = run(briefdeck().args(["check", "--format", "json", "tests/fixtures/good"]));
    assert_eq!(r.code, 0);
    let v: serde_json::Value = serde_json::from_str(&r.stdout).unwrap();
    assert_eq!(v["summary"]["briefs"], 4);
    assert_eq!(v["summary"]["subjects"]["Economy"]["key_terms"], 3);
}

#[test]
fn shipped_sources_are_valid_and_plentiful() {
    let r = run(briefdeck().args(["check", "--format", "json"]));
    assert_eq!(r.code, 0, "{}", r.stdout);
    let v: serde_json::Value = serde_json::from_str(&r.stdout).unwrap();
    assert!(
        v["summary"]["briefs"].as_u64().unwrap() >= 16,
        "{}",
        v["summary"]
    );
    assert!(v["summary"]["subjects"].as_object().unwrap().len() >= 7);
}

#[test]
fn missing_path_is_a_usage_error() {
    briefdeck()
        .args(["check", "no/such/dir"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains(
            "no/such/dir: no such file or directory",
        ));
}

#[test]
fn a_folder_without_yaml_is_invalid_input() {
    let dir = tempfile::tempdir().unwrap();
    write(dir.path(), "notes.txt", "hello");
    briefdeck()
        .arg("check")
        .arg(dir.path())
        .assert()
        .code(1)
        .stderr(predicate::str::contains("no .yaml or .yml files found"));
}

#[test]
fn default_ids_come_from_the_file_stem() {
    let dir = tempfile::tempdir().unwrap();
    // Two streams whose default ids would be `digest-1`, `digest-2` and a
    // file stem that collides with the second: the collision is reported.
    write(
        dir.path(),
        "digest.yaml",
        format!("{MINIMAL_BRIEF}---\n{MINIMAL_BRIEF}"),
    );
    write(dir.path(), "z/Digest 2.yaml", MINIMAL_BRIEF);
    let r = run(briefdeck().arg("check").arg(dir.path()));
    assert_eq!(r.code, 1, "{}", r.stderr);
    assert!(
        r.stderr.contains("duplicate brief id `digest-2`"),
        "{}",
        r.stderr
    );
}

// --- Hostile and unusual input: a clear error, never a panic or a hang. ---

fn check_dir_with(name: &str, contents: impl AsRef<[u8]>) -> crate::common::Run {
    let dir = tempfile::tempdir().unwrap();
    write(dir.path(), name, contents);
    let r = run(briefdeck().arg("check").arg(dir.path().join(name)));
    assert!(!r.stderr.contains("panicked"), "{}", r.stderr);
    r
}

#[test]
fn alias_bomb_is_refused() {
    let mut y = String::from(
        "a: &a [\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\"]\n",
    );
    let names = ["a", "b", "c", "d", "e", "f", "g", "h", "i"];
    for w in names.windows(2) {
        let (p, n) = (w[0], w[1]);
        y.push_str(&format!(
            "{n}: &{n} [*{p},*{p},*{p},*{p},*{p},*{p},*{p},*{p},*{p}]\n"
        ));
    }
    let r = check_dir_with("bomb.yaml", y);
    assert_eq!(r.code, 1);
    assert!(r.stderr.contains("bomb.yaml:"), "{}", r.stderr);
    assert!(
        r.stderr
            .contains("the YAML is too large or too deeply nested"),
        "{}",
        r.stderr
    );
}

#[test]
fn deep_nesting_is_refused() {
    let r = check_dir_with("deep.yaml", "[".repeat(100_000));
    assert_eq!(r.code, 1);
    assert!(r.stderr.contains("deep.yaml:1:"), "{}", r.stderr);
    assert!(r.stderr.contains("error:"), "{}", r.stderr);
}

#[test]
fn a_30_mb_file_is_refused_before_reading() {
    let line = "  - A **point** with enough words to make the file grow quickly.\n";
    let body = format!(
        "{MINIMAL_BRIEF}{}",
        line.repeat(30 * 1024 * 1024 / line.len())
    );
    let r = check_dir_with("huge.yaml", body);
    assert_eq!(r.code, 1);
    assert!(
        r.stderr.contains(
            "huge.yaml:1:1: error: the file is 30.0 MiB, over the limit of 8.0 MiB per file"
        ),
        "{}",
        r.stderr
    );
}

#[test]
fn a_huge_single_string_is_refused() {
    let body = format!(
        "{MINIMAL_BRIEF}  - \"A **point** {}\"\n",
        "x".repeat(100_000)
    );
    let r = check_dir_with("long.yaml", body);
    assert_eq!(r.code, 1);
    assert!(
        r.stderr.contains("long.yaml:6:5: error: `key_points` is 97.7 KiB, over the limit of 32.0 KiB for one text"),
        "{}",
        r.stderr
    );
}

#[test]
fn invalid_utf8_names_the_place() {
    let r = check_dir_with(
        "latin1.yaml",
        b"title: ok\nwhy_in_news: caf\xe9\n".as_slice(),
    );
    assert_eq!(r.code, 1);
    assert!(
        r.stderr
            .contains("latin1.yaml:2:17: error: the file is not valid UTF-8; save it as UTF-8"),
        "{}",
        r.stderr
    );
}

#[test]
fn tabs_for_indentation_are_named() {
    let r = check_dir_with("tabs.yaml", "title: x\nkey_points:\n\t- a\n");
    assert_eq!(r.code, 1);
    assert!(
        r.stderr.contains(
            "tabs.yaml:3:1: error: tab used for indentation: YAML indents with spaces only"
        ),
        "{}",
        r.stderr
    );
}

#[test]
fn an_empty_file_is_an_error() {
    let r = check_dir_with("empty.yaml", "");
    assert_eq!(r.code, 1);
    assert!(
        r.stderr.contains(
            "empty.yaml:1:1: error: the file holds no brief (it is empty or only comments)"
        ),
        "{}",
        r.stderr
    );
    let r = check_dir_with("comments.yaml", "# nothing yet\n");
    assert_eq!(r.code, 1);
}

#[test]
fn bom_and_crlf_load() {
    let crlf = MINIMAL_BRIEF.replace('\n', "\r\n");
    let r = check_dir_with("bom.yaml", format!("\u{feff}{crlf}"));
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert!(
        r.stderr.contains("0 error(s), 0 warning(s)"),
        "{}",
        r.stderr
    );
    // Positions stay right on CRLF files.
    let bad = "title: x\r\ndate: 2024-02-30\r\nwhy_in_news: y **z**\r\nkey_points: [a **b**]\r\n";
    let r = check_dir_with("crlf.yaml", format!("\u{feff}{bad}"));
    assert!(
        r.stderr.contains("crlf.yaml:2:7: error: invalid date"),
        "{}",
        r.stderr
    );
}

#[test]
fn a_top_level_list_is_not_a_brief() {
    let r = check_dir_with("list.yaml", "- a\n- b\n");
    assert_eq!(r.code, 1);
    assert!(
        r.stderr
            .contains("list.yaml:1:1: error: expected a brief (a mapping), found a list"),
        "{}",
        r.stderr
    );
}
