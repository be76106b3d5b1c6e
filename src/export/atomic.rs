//! Atomic output files: a temporary file in the same folder, renamed over
//! the target only when complete.

use super::interrupt;
use anyhow::{Context as _, Result};
use std::io::{BufWriter, Write};
use std::path::{Path, PathBuf};

/// An output being written: a temporary file in the target's folder that
/// becomes the target only on [`AtomicFile::commit`]. Dropped without a
/// commit (an error, a panic), it is removed and the target is untouched.
pub struct AtomicFile {
    path: PathBuf,
    temp: tempfile::NamedTempFile,
    _registered: interrupt::Registered,
}

impl AtomicFile {
    pub fn create(path: &Path) -> Result<AtomicFile> {
        let dir = match path.parent() {
            Some(p) if !p.as_os_str().is_empty() => p,
            _ => Path::new("."),
        };
        if path.is_dir() {
            anyhow::bail!("{} is a directory", path.display());
        }
        std::fs::create_dir_all(dir)
            .with_context(|| format!("cannot create the folder {}", dir.display()))?;
        let file_name = path
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default();
        // Ctrl-C removes the temporary file and leaves `path` as it was.
        let (temp, registered) = interrupt::create_registered(
            || {
                tempfile::Builder::new()
                    .prefix(&format!(".{file_name}."))
                    .suffix(".tmp")
                    .tempfile_in(dir)
            },
            |t| t.path(),
        )
        .with_context(|| format!("cannot write in the folder {}", dir.display()))?;
        Ok(AtomicFile {
            path: path.to_path_buf(),
            temp,
            _registered: registered,
        })
    }

    pub fn path(&self) -> &Path {
        &self.path
    }

    pub fn file(&self) -> &std::fs::File {
        self.temp.as_file()
    }

    /// Flushes the content to disk and renames it over the target.
    pub fn commit(self) -> Result<()> {
        AtomicFile::commit_all(vec![self])
    }

    /// Commits several outputs as one: all are flushed to disk first, then
    /// renamed together while Ctrl-C cleanup waits, so an interruption leaves
    /// every earlier output or every new one, never a mix.
    pub fn commit_all(files: Vec<AtomicFile>) -> Result<()> {
        pause_for_tests();
        for f in &files {
            f.temp
                .as_file()
                .sync_all()
                .with_context(|| format!("cannot write {}", f.path.display()))?;
            set_readable_permissions(f.temp.as_file());
        }
        // The registrations are dropped after the lock is released: dropping
        // one takes the same lock.
        let mut registrations = Vec::with_capacity(files.len());
        let renames: Vec<(PathBuf, tempfile::NamedTempFile)> = files
            .into_iter()
            .map(|f| {
                registrations.push(f._registered);
                (f.path, f.temp)
            })
            .collect();
        let result = interrupt::while_blocked(|| {
            for (path, temp) in renames {
                temp.persist(&path)
                    .map_err(|e| e.error)
                    .with_context(|| format!("cannot replace {}", path.display()))?;
            }
            Ok(())
        });
        drop(registrations);
        result
    }
}

/// Writes `path` atomically with `write`: see [`AtomicFile`].
pub fn write_atomic(
    path: &Path,
    write: impl FnOnce(&mut BufWriter<&std::fs::File>) -> Result<()>,
) -> Result<()> {
    let file = AtomicFile::create(path)?;
    {
        let mut w = BufWriter::new(file.file());
        write(&mut w).with_context(|| format!("cannot write {}", path.display()))?;
        w.flush()
            .with_context(|| format!("cannot write {}", path.display()))?;
    }
    file.commit()
}

/// A test aid: with `BRIEFDECK_TEST_PAUSE_BEFORE_RENAME_MS` set, wait that
/// long while the temporary file exists (see [`interrupt::pause_for_tests`]).
fn pause_for_tests() {
    interrupt::pause_for_tests("BRIEFDECK_TEST_PAUSE_BEFORE_RENAME_MS");
}

/// Temporary files are created private (0600); an output is an ordinary file.
#[cfg(unix)]
fn set_readable_permissions(file: &std::fs::File) {
    use std::os::unix::fs::PermissionsExt;
    let _ = file.set_permissions(std::fs::Permissions::from_mode(0o644));
}

#[cfg(not(unix))]
fn set_readable_permissions(_: &std::fs::File) {}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_failed_write_leaves_the_old_file_and_no_temp_file() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("deck.apkg");
        std::fs::write(&path, b"old").unwrap();
        let err = write_atomic(&path, |w| {
            w.write_all(b"half of the new")?;
            anyhow::bail!("boom")
        });
        assert!(err.is_err());
        assert_eq!(std::fs::read(&path).unwrap(), b"old");
        assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 1);
    }

    #[test]
    fn a_successful_write_replaces_the_file() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("sub/book.epub");
        write_atomic(&path, |w| Ok(w.write_all(b"new")?)).unwrap();
        assert_eq!(std::fs::read(&path).unwrap(), b"new");
    }
}
