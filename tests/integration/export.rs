//! `briefdeck export all` and what every export shares: settings file and
//! precedence, selection, splitting, the JSON report, dry runs,
//! reproducibility, interruption, shell integration.

use crate::common::{briefdeck, repo, run, write};
use serde_json::Value;
use std::path::{Path, PathBuf};

/// Copies the good fixtures into a fresh sources folder.
fn sources_copy(dir: &Path) -> PathBuf {
    let src = dir.join("sources");
    for f in ["dialogue.yaml", "digest.yaml", "images/map.svg"] {
        let to = src.join(f);
        std::fs::create_dir_all(to.parent().unwrap()).unwrap();
        std::fs::copy(repo().join("tests/fixtures/good").join(f), to).unwrap();
    }
    src
}

fn json_report(r: &crate::common::Run) -> Value {
    serde_json::from_str(&r.stdout)
        .unwrap_or_else(|e| panic!("not JSON ({e}):\n{}\n{}", r.stdout, r.stderr))
}

/// The names of the entries of `dir`, sorted.
fn sorted_names(dir: &Path) -> Vec<String> {
    let mut names: Vec<String> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    names
}

/// The deck names inside an `.apkg` (read with SQLite, as Anki would).
fn apkg_decks(path: &Path) -> Vec<String> {
    let file = std::fs::File::open(path).unwrap();
    let mut zip = zip::ZipArchive::new(file).unwrap();
    let mut db = Vec::new();
    std::io::Read::read_to_end(&mut zip.by_name("collection.anki2").unwrap(), &mut db).unwrap();
    let dir = tempfile::tempdir().unwrap();
    let db_path = dir.path().join("c.anki2");
    std::fs::write(&db_path, db).unwrap();
    let conn = rusqlite::Connection::open(&db_path).unwrap();
    let decks: String = conn
        .query_row("select decks from col", [], |r| r.get(0))
        .unwrap();
    let decks: Value = serde_json::from_str(&decks).unwrap();
    let mut names: Vec<String> = decks
        .as_object()
        .unwrap()
        .values()
        .map(|d| d["name"].as_str().unwrap().to_owned())
        .collect();
    names.sort();
    names
}

#[test]
fn export_all_writes_deck_and_booklet_from_one_load() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("out");
    let r = run(briefdeck()
        .args(["export", "all", "tests/fixtures/good", "--json", "-o"])
        .arg(&out));
    assert_eq!(r.code, 0, "{}", r.stderr);
    let v = json_report(&r);
    assert_eq!(v["ok"], true);
    assert_eq!(v["inputs"]["briefs"], 4);
    assert_eq!(v["inputs"]["selected"], 4);
    let outputs = v["outputs"].as_array().unwrap();
    assert_eq!(outputs.len(), 2);
    for (o, name, kind) in [
        (&outputs[0], "briefdeck.apkg", "anki"),
        (&outputs[1], "briefdeck.epub", "epub"),
    ] {
        assert_eq!(o["kind"], kind);
        let path = out.join(name);
        assert_eq!(o["path"].as_str().unwrap(), path.to_str().unwrap());
        let bytes = std::fs::read(&path).unwrap();
        assert_eq!(o["bytes"].as_u64().unwrap(), bytes.len() as u64);
        assert_eq!(
            o["sha256"].as_str().unwrap(),
            briefdeck::digest::hex(&bytes)
        );
        assert_eq!(o["written"], true);
    }
    assert_eq!(outputs[0]["notes"], 18);
    assert_eq!(outputs[0]["cards"], 27);
    assert!(v["timings"]["total_seconds"].as_f64().unwrap() > 0.0);
    assert!(
        r.stderr.is_empty(),
        "--json keeps stderr quiet: {}",
        r.stderr
    );
}

#[test]
fn one_summary_line_per_output_when_not_a_terminal() {
    let dir = tempfile::tempdir().unwrap();
    let r = run(briefdeck()
        .args(["export", "all", "tests/fixtures/good", "-o"])
        .arg(dir.path()));
    assert_eq!(r.code, 0, "{}", r.stderr);
    let lines: Vec<&str> = r.stderr.lines().collect();
    assert_eq!(lines.len(), 2, "{}", r.stderr);
    assert!(
        lines[0].starts_with("wrote ") && lines[0].ends_with("18 notes, 27 cards from 4 briefs"),
        "{}",
        lines[0]
    );
    assert!(
        lines[1].contains("briefdeck.epub") && lines[1].ends_with("from 4 briefs"),
        "{}",
        lines[1]
    );

    let r = run(briefdeck()
        .args(["export", "all", "tests/fixtures/good", "--quiet", "-o"])
        .arg(dir.path()));
    assert_eq!(r.code, 0);
    assert!(
        r.stderr.is_empty() && r.stdout.is_empty(),
        "{}{}",
        r.stdout,
        r.stderr
    );
}

#[test]
fn settings_file_then_environment_then_command_line() {
    let dir = tempfile::tempdir().unwrap();
    let src = sources_copy(dir.path());
    write(
        &src,
        "briefdeck.toml",
        "[anki]\ndeck_root = \"FileRoot\"\ndeck_by = \"none\"\noutput = \"mine.apkg\"\n\n[epub]\ntitle = \"File Title\"\noutput = \"mine.epub\"\n",
    );
    let out = dir.path().join("out");
    let export = |env: Option<&str>, flag: Option<&str>| {
        let mut cmd = briefdeck();
        cmd.args(["export", "all"]).arg(&src).arg("-o").arg(&out);
        if let Some(e) = env {
            cmd.env("BRIEFDECK_DECK_ROOT", e);
        }
        if let Some(f) = flag {
            cmd.args(["--deck-root", f]);
        }
        let r = run(&mut cmd);
        assert_eq!(r.code, 0, "{}", r.stderr);
        apkg_decks(&out.join("mine.apkg"))
    };
    assert_eq!(export(None, None), ["Default", "FileRoot"]);
    assert_eq!(export(Some("EnvRoot"), None), ["Default", "EnvRoot"]);
    assert_eq!(
        export(Some("EnvRoot"), Some("CliRoot")),
        ["CliRoot", "Default"]
    );
    assert!(
        out.join("mine.epub").is_file(),
        "output names come from the file"
    );
}

#[test]
fn unknown_settings_keys_are_errors_with_their_place() {
    let dir = tempfile::tempdir().unwrap();
    let src = sources_copy(dir.path());
    write(&src, "briefdeck.toml", "[anki]\ndeck_rot = \"x\"\n");
    let out = dir.path().join("out");
    let r = run(briefdeck()
        .args(["export", "all"])
        .arg(&src)
        .arg("-o")
        .arg(&out));
    assert_eq!(r.code, 2, "{}", r.stderr);
    assert!(
        r.stderr
            .contains("briefdeck.toml:2:1: error: unknown field `deck_rot`"),
        "{}",
        r.stderr
    );
    assert!(!out.exists(), "nothing written");

    // An explicit --config that does not exist.
    let r = run(briefdeck()
        .args(["export", "anki", "--config", "no/such.toml"])
        .arg(&src));
    assert_eq!(r.code, 2, "{}", r.stderr);
    assert!(
        r.stderr.contains("configuration file not found"),
        "{}",
        r.stderr
    );
}

#[test]
fn selection_by_date_subject_and_tag() {
    let dir = tempfile::tempdir().unwrap();
    let selected = |args: &[&str]| {
        let r = run(briefdeck()
            .args([
                "export",
                "all",
                "tests/fixtures/good",
                "--dry-run",
                "--json",
                "-o",
            ])
            .arg(dir.path())
            .args(args));
        (
            r.code,
            json_report(&r)["inputs"]["selected"].as_u64().unwrap_or(0),
        )
    };
    assert_eq!(selected(&[]), (0, 4));
    assert_eq!(selected(&["--since", "2023-09-01"]), (0, 2));
    assert_eq!(
        selected(&["--since", "2023-01-01", "--until", "2023-08-31"]),
        (0, 1)
    );
    assert_eq!(
        selected(&["--subject", "economy", "--subject", "Science & Technology"]),
        (0, 2)
    );
    assert_eq!(selected(&["--tag", "CYBERSECURITY"]), (0, 1));
    let r = run(briefdeck()
        .args([
            "export",
            "all",
            "tests/fixtures/good",
            "--tag",
            "nothing-has-it",
            "-o",
        ])
        .arg(dir.path()));
    assert_eq!(r.code, 1);
    assert!(
        r.stderr.contains("no brief matches the selection"),
        "{}",
        r.stderr
    );
    let r = run(briefdeck().args([
        "export",
        "anki",
        "--since",
        "2024-01-01",
        "--until",
        "2023-01-01",
    ]));
    assert_eq!(r.code, 2);
    assert!(
        r.stderr
            .contains("--since 2024-01-01 is after --until 2023-01-01"),
        "{}",
        r.stderr
    );
    let r = run(briefdeck().args(["export", "anki", "--since", "last week"]));
    assert_eq!(r.code, 2);
}

#[test]
fn split_by_month_writes_one_deck_and_booklet_per_month() {
    let dir = tempfile::tempdir().unwrap();
    let r = run(briefdeck()
        .args([
            "export",
            "all",
            "tests/fixtures/good",
            "--split-by",
            "month",
            "--json",
            "-o",
        ])
        .arg(dir.path()));
    assert_eq!(r.code, 0, "{}", r.stderr);
    let names = sorted_names(dir.path());
    assert_eq!(
        names,
        [
            "briefdeck-2020-10.apkg",
            "briefdeck-2020-10.epub",
            "briefdeck-2023-08.apkg",
            "briefdeck-2023-08.epub",
            "briefdeck-2023-09.apkg",
            "briefdeck-2023-09.epub",
            "briefdeck-2024-02.apkg",
            "briefdeck-2024-02.epub",
        ]
    );
    let v = json_report(&r);
    let groups: Vec<&str> = v["outputs"]
        .as_array()
        .unwrap()
        .iter()
        .map(|o| o["group"].as_str().unwrap())
        .collect();
    assert_eq!(
        groups,
        [
            "2020-10", "2020-10", "2023-08", "2023-08", "2023-09", "2023-09", "2024-02", "2024-02"
        ]
    );

    let r = run(briefdeck()
        .args([
            "export",
            "epub",
            "tests/fixtures/good",
            "--split-by",
            "subject",
            "-o",
        ])
        .arg(dir.path().join("by-subject")));
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert!(
        dir.path()
            .join("by-subject/briefdeck-international-relations.epub")
            .is_file()
    );
    assert!(
        dir.path()
            .join("by-subject/briefdeck-polity-governance.epub")
            .is_file()
    );
}

#[test]
fn dry_run_writes_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("out");
    let r = run(briefdeck()
        .args(["export", "all", "tests/fixtures/good", "--dry-run", "-o"])
        .arg(&out));
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert!(r.stderr.contains("would write"), "{}", r.stderr);
    assert!(!out.exists());
}

#[test]
fn outputs_are_byte_identical_from_any_working_directory() {
    let dir = tempfile::tempdir().unwrap();
    let a = dir.path().join("a");
    let b = dir.path().join("b");
    let r = run(briefdeck()
        .args(["export", "all", "sources", "-o"])
        .arg(&a)
        .env("SOURCE_DATE_EPOCH", "1700000000"));
    assert_eq!(r.code, 0, "{}", r.stderr);
    let r = run(briefdeck()
        .current_dir(dir.path())
        .args(["export", "all"])
        .arg(repo().join("sources"))
        .arg("-o")
        .arg("b")
        .env("SOURCE_DATE_EPOCH", "1700000000"));
    assert_eq!(r.code, 0, "{}", r.stderr);
    for name in ["briefdeck.apkg", "briefdeck.epub"] {
        let (x, y) = (
            std::fs::read(a.join(name)).unwrap(),
            std::fs::read(b.join(name)).unwrap(),
        );
        assert!(x == y, "{name} differs between working directories");
    }
}

#[test]
fn ctrl_c_while_writing_leaves_old_outputs_and_no_temp_files() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("out");
    std::fs::create_dir_all(&out).unwrap();
    std::fs::write(out.join("briefdeck.apkg"), b"old deck").unwrap();
    std::fs::write(out.join("briefdeck.epub"), b"old book").unwrap();
    let bin = assert_cmd::cargo::cargo_bin("briefdeck");
    let mut child = std::process::Command::new(bin)
        .current_dir(repo())
        .args(["export", "all", "tests/fixtures/good", "-o"])
        .arg(&out)
        .env("BRIEFDECK_TEST_PAUSE_BEFORE_RENAME_MS", "20000")
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    // Wait until the first temporary file exists, then interrupt.
    let started = std::time::Instant::now();
    loop {
        let temp = std::fs::read_dir(&out)
            .unwrap()
            .any(|e| e.unwrap().file_name().to_string_lossy().ends_with(".tmp"));
        if temp {
            break;
        }
        assert!(
            started.elapsed().as_secs() < 30,
            "no temporary file appeared"
        );
        std::thread::sleep(std::time::Duration::from_millis(20));
    }
    unsafe_free_sigint(child.id());
    let status = child.wait().unwrap();
    assert_eq!(status.code(), Some(130));
    let mut stderr = String::new();
    std::io::Read::read_to_string(&mut child.stderr.take().unwrap(), &mut stderr).unwrap();
    assert!(
        stderr.contains("interrupted: no output was changed"),
        "{stderr}"
    );
    let names = sorted_names(&out);
    assert_eq!(
        names,
        ["briefdeck.apkg", "briefdeck.epub"],
        "no temporary files left"
    );
    assert_eq!(
        std::fs::read(out.join("briefdeck.apkg")).unwrap(),
        b"old deck"
    );
    assert_eq!(
        std::fs::read(out.join("briefdeck.epub")).unwrap(),
        b"old book"
    );
}

/// Sends SIGINT with the `kill` command (no unsafe code, no extra crate).
fn unsafe_free_sigint(pid: u32) {
    let status = std::process::Command::new("kill")
        .args(["-INT", &pid.to_string()])
        .status()
        .unwrap();
    assert!(status.success());
}

#[test]
fn completions_and_man_page() {
    let r = run(briefdeck().args(["completions", "bash"]));
    assert_eq!(r.code, 0);
    assert!(
        r.stdout.contains("_briefdeck()") && r.stdout.contains("export"),
        "{}",
        &r.stdout[..200.min(r.stdout.len())]
    );
    let r = run(briefdeck().args(["completions", "zsh"]));
    assert!(r.stdout.contains("#compdef briefdeck"));
    let r = run(briefdeck().arg("man"));
    assert_eq!(r.code, 0);
    assert!(
        r.stdout.starts_with(".ie") || r.stdout.contains(".TH briefdeck"),
        "{}",
        &r.stdout[..200.min(r.stdout.len())]
    );
}

#[test]
fn a_closed_pipe_ends_quietly() {
    // Output far larger than a pipe's buffer, so that the writer really
    // meets the closed pipe.
    let dir = tempfile::tempdir().unwrap();
    for i in 0..400 {
        write(
            dir.path(),
            &format!("b{i}.yaml"),
            "title: T\ndate: 2024-01-01\nwhy_in_news: W **x**\nkey_points:\n  - no bold here\n  - nor here\n",
        );
    }
    let bin = assert_cmd::cargo::cargo_bin("briefdeck");
    let big = format!("check --format json '{}'", dir.path().display());
    for args in ["man", "completions bash", big.as_str()] {
        let out = std::process::Command::new("sh")
            .current_dir(repo())
            .arg("-c")
            .arg(format!("'{}' {args} | head -c 1 >/dev/null", bin.display()))
            .output()
            .unwrap();
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert!(stderr.is_empty(), "{args}: {stderr}");
        assert!(out.status.success());
    }
}
