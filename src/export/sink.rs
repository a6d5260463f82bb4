//! Where an export's bytes go while they are rendered, and the order in which they are delivered
//! and recorded: a temporary file beside the target (renamed into place inside the transaction
//! that records the export) or memory (for stdout, or a device or FIFO that cannot be replaced,
//! written out before the export is recorded). Which one is `destination`'s call. Either way the
//! journal entry commits only after every byte was delivered. Bytes are hashed as they pass, so
//! the SHA-256 the journal records needs no second read, and a large export is never held in
//! memory on its way to a file.

use super::destination::{keep_attributes, resolve, Destination};
use crate::store::{Store, Tx};
use anyhow::{Context, Result};
use sha2::{Digest, Sha256};
use std::fs::File;
use std::io::{BufWriter, Write};
use std::path::{Path, PathBuf};

/// A temporary file, removed when dropped unless it was renamed into place.
struct TempFile {
    path: PathBuf,
    renamed: bool,
}

impl Drop for TempFile {
    fn drop(&mut self) {
        if !self.renamed {
            let _ = std::fs::remove_file(&self.path);
        }
    }
}

enum Target {
    /// `out` is declared before `tmp` so the file is closed before it is removed.
    File {
        out: BufWriter<File>,
        tmp: TempFile,
        path: PathBuf,
    },
    /// A device or FIFO, opened now and written once the entry commits.
    Direct {
        file: File,
        data: Vec<u8>,
        path: PathBuf,
    },
    Memory(Vec<u8>),
}

/// An export's destination, written through `std::io::Write`.
pub struct Sink {
    hasher: Sha256,
    bytes: u64,
    target: Target,
}

/// What a finished sink delivered.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Delivered<T> {
    /// What the commit returned.
    pub value: T,
    /// Hex SHA-256 of every byte written.
    pub sha256: String,
    pub bytes: u64,
}

impl Sink {
    /// A sink for `path` (a temporary file beside it, created now), or for stdout when `None` or `-`.
    /// `workspace`: the workspace file, which `path` must not lead to (nor its companions).
    pub fn new(path: Option<&Path>, workspace: Option<&Path>) -> Result<Sink> {
        let target = match path.filter(|p| *p != Path::new("-")) {
            None => Target::Memory(Vec::new()),
            Some(out) => match resolve(out, workspace)? {
                Destination::Direct { path } => {
                    let file = std::fs::OpenOptions::new()
                        .write(true)
                        .open(&path)
                        .with_context(|| format!("opening {}", path.display()))?;
                    Target::Direct { file, data: Vec::new(), path }
                }
                Destination::Replace { path, existing } => {
                    let dir = match path.parent() {
                        Some(d) if !d.as_os_str().is_empty() => d.to_path_buf(),
                        _ => PathBuf::from("."),
                    };
                    let name =
                        path.file_name().with_context(|| format!("{} is not a file name", out.display()))?;
                    let tmp =
                        dir.join(format!(".{}.mergeq-{}.tmp", name.to_string_lossy(), std::process::id()));
                    let mut options = std::fs::OpenOptions::new();
                    options.write(true).create_new(true);
                    #[cfg(unix)]
                    if existing.is_some() {
                        // Private until it has the replaced file's permissions.
                        std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
                    }
                    let file = options.open(&tmp).with_context(|| format!("creating {}", tmp.display()))?;
                    let tmp = TempFile { path: tmp, renamed: false };
                    if let Some(existing) = &existing {
                        keep_attributes(&file, existing).with_context(|| {
                            format!("giving {} the permissions of {}", tmp.path.display(), path.display())
                        })?;
                    }
                    Target::File { out: BufWriter::with_capacity(1 << 20, file), tmp, path }
                }
            },
        };
        Ok(Sink { hasher: Sha256::new(), bytes: 0, target })
    }

    /// Bytes written so far.
    pub fn len(&self) -> u64 {
        self.bytes
    }

    pub fn is_empty(&self) -> bool {
        self.bytes == 0
    }

    /// Finishes the export: delivers the bytes, then records the export with `record` (given the
    /// hash and length) in one workspace transaction, which commits only once every byte was
    /// delivered — an export that did not arrive whole is never in the journal, and the next
    /// `--since-last` carries its decisions again.
    /// - a file: the temporary file is flushed and synced, `record` runs, the file is renamed into
    ///   place, and only then the transaction commits (a failure before the rename leaves no file
    ///   and no entry);
    /// - a device or FIFO, or stdout: the bytes are written and flushed (and the device closed)
    ///   before the transaction starts; any write error — a full disk, a reader that closed the
    ///   pipe early — fails the export with nothing recorded. The transaction comes after the
    ///   write, not around it, so a slow reader never holds the workspace's write lock.
    pub fn finish<T>(
        self,
        store: &mut Store,
        record: impl FnOnce(&Tx, &str, u64) -> Result<T>,
    ) -> Result<Delivered<T>> {
        let Sink { hasher, bytes, target } = self;
        let sha256 = crate::journal::encoding::hex(&hasher.finalize());
        let value = match target {
            Target::File { out, mut tmp, path } => {
                let file = out.into_inner().map_err(|e| e.into_error()).and_then(|f| {
                    f.sync_all()?;
                    Ok(f)
                });
                drop(file.with_context(|| format!("writing {}", tmp.path.display()))?);
                let mut renamed = false;
                let value = store.write(|tx| {
                    let value = record(tx, &sha256, bytes)?;
                    std::fs::rename(&tmp.path, &path).with_context(|| {
                        format!(
                            "renaming {} to {} (nothing was recorded)",
                            tmp.path.display(),
                            path.display()
                        )
                    })?;
                    renamed = true;
                    Ok(value)
                });
                tmp.renamed = renamed;
                match value {
                    Ok(value) => value,
                    Err(e) if renamed => {
                        return Err(e.context(format!(
                            "{} was written, but the export could not be recorded in the journal \
                             (the next --since-last exports the same decisions again)",
                            path.display()
                        )))
                    }
                    Err(e) => return Err(e),
                }
            }
            Target::Direct { mut file, data, path } => {
                file.write_all(&data).and_then(|_| file.flush()).with_context(|| {
                    format!("writing the export to {} (nothing was recorded in the journal)", path.display())
                })?;
                drop(file);
                record_delivered(store, record, &sha256, bytes, &path.display().to_string())?
            }
            Target::Memory(data) => {
                let mut out = std::io::stdout().lock();
                out.write_all(&data)
                    .and_then(|_| out.flush())
                    .context("writing the export to stdout (nothing was recorded in the journal)")?;
                drop(out);
                record_delivered(store, record, &sha256, bytes, "stdout")?
            }
        };
        Ok(Delivered { value, sha256, bytes })
    }
}

/// Records an export whose bytes went to `place` already; a failure says they did.
fn record_delivered<T>(
    store: &mut Store,
    record: impl FnOnce(&Tx, &str, u64) -> Result<T>,
    sha256: &str,
    bytes: u64,
    place: &str,
) -> Result<T> {
    store.write(|tx| record(tx, sha256, bytes)).with_context(|| {
        format!(
            "the export was written to {place}, but it could not be recorded in the journal \
             (the next --since-last exports the same decisions again)"
        )
    })
}

impl Write for Sink {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.write_all(buf)?;
        Ok(buf.len())
    }

    fn write_all(&mut self, buf: &[u8]) -> std::io::Result<()> {
        match &mut self.target {
            Target::File { out, .. } => out.write_all(buf)?,
            Target::Direct { data, .. } | Target::Memory(data) => data.extend_from_slice(buf),
        }
        self.hasher.update(buf);
        self.bytes += buf.len() as u64;
        Ok(())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        match &mut self.target {
            Target::File { out, .. } => out.flush(),
            Target::Direct { .. } | Target::Memory(_) => Ok(()),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use anyhow::bail;

    fn files(dir: &Path) -> Vec<String> {
        let mut names: Vec<String> = std::fs::read_dir(dir)
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().into())
            .collect();
        names.sort();
        names
    }

    fn store() -> Store {
        Store::in_memory().unwrap()
    }

    #[test]
    fn a_file_appears_only_inside_the_recording_transaction() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("out.csv");
        let mut sink = Sink::new(Some(&path), None).unwrap();
        sink.write_all(b"hel").unwrap();
        sink.write_all(b"lo").unwrap();
        assert_eq!(sink.len(), 5);
        assert!(!path.exists());
        let done = sink
            .finish(&mut store(), |_, sha, bytes| {
                assert_eq!(files(dir.path()).len(), 1, "only the temporary file before the record");
                Ok((sha.to_string(), bytes))
            })
            .unwrap();
        assert_eq!(std::fs::read(&path).unwrap(), b"hello");
        let want = crate::journal::encoding::hex(&Sha256::digest(b"hello"));
        assert_eq!(done, Delivered { value: (want.clone(), 5), sha256: want, bytes: 5 });
        assert_eq!(files(dir.path()), ["out.csv"]);
    }

    #[test]
    fn nothing_is_left_when_the_commit_fails_or_the_export_stops() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("out.csv");
        let mut sink = Sink::new(Some(&path), None).unwrap();
        sink.write_all(b"x").unwrap();
        let failed = sink.finish(&mut store(), |_, _, _| -> Result<()> { bail!("no") });
        assert!(failed.is_err());
        assert!(files(dir.path()).is_empty());
        // A render that fails drops its sink unfinished.
        let mut sink = Sink::new(Some(&path), None).unwrap();
        sink.write_all(&[b'y'; 3 << 20]).unwrap();
        drop(sink);
        assert!(files(dir.path()).is_empty());
    }

    #[test]
    fn an_existing_file_is_replaced_whole() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("out.csv");
        std::fs::write(&path, "old contents, longer than the new").unwrap();
        let mut sink = Sink::new(Some(&path), None).unwrap();
        sink.write_all(b"new").unwrap();
        sink.finish(&mut store(), |_, _, _| Ok(())).unwrap();
        assert_eq!(std::fs::read(&path).unwrap(), b"new");
    }

    #[cfg(unix)]
    #[test]
    fn a_replaced_file_keeps_its_permissions_and_a_link_stays_a_link() {
        use std::os::unix::fs::PermissionsExt;
        let dir = tempfile::tempdir().unwrap();
        let real = dir.path().join("real.csv");
        std::fs::write(&real, "old").unwrap();
        std::fs::set_permissions(&real, std::fs::Permissions::from_mode(0o640)).unwrap();
        let link = dir.path().join("link.csv");
        std::os::unix::fs::symlink("real.csv", &link).unwrap();
        let mut sink = Sink::new(Some(&link), None).unwrap();
        sink.write_all(b"new").unwrap();
        sink.finish(&mut store(), |_, _, _| Ok(())).unwrap();
        assert!(std::fs::symlink_metadata(&link).unwrap().file_type().is_symlink());
        assert_eq!(std::fs::read(&real).unwrap(), b"new");
        assert_eq!(std::fs::metadata(&real).unwrap().permissions().mode() & 0o7777, 0o640);
        assert_eq!(files(dir.path()), ["link.csv", "real.csv"]);
    }

    /// Records an export entry, as `export` does.
    fn record(tx: &Tx, sha256: &str, bytes: u64) -> Result<i64> {
        let event = crate::journal::ExportEvent {
            format: "golden-jsonl",
            file: "-",
            sha256,
            bytes,
            items: 1,
            details: serde_json::json!({}),
        };
        crate::journal::record_export(tx, "ann", "2026-01-01T00:00:00Z", &event)
    }

    #[test]
    fn a_rename_that_fails_takes_the_entry_back() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("out.csv");
        let mut store = store();
        let mut sink = Sink::new(Some(&path), None).unwrap();
        sink.write_all(b"x").unwrap();
        let tmp = files(dir.path());
        let failed = sink.finish(&mut store, |tx, sha, bytes| {
            let seq = record(tx, sha, bytes)?;
            // The temporary file vanishes before the rename.
            std::fs::remove_file(dir.path().join(&tmp[0])).unwrap();
            Ok(seq)
        });
        let message = format!("{:#}", failed.unwrap_err());
        assert!(message.contains("nothing was recorded"), "{message}");
        assert_eq!(store.journal_head().unwrap(), None);
        assert!(files(dir.path()).is_empty());
    }

    #[cfg(unix)]
    #[test]
    fn a_fifo_is_written_whole_and_closed_before_the_record() {
        let dir = tempfile::tempdir().unwrap();
        let fifo = dir.path().join("pipe");
        let made = std::process::Command::new("mkfifo").arg(&fifo).status().unwrap();
        assert!(made.success());
        let reader = {
            let fifo = fifo.clone();
            std::thread::spawn(move || std::fs::read(fifo).unwrap())
        };
        let mut sink = Sink::new(Some(&fifo), None).unwrap();
        sink.write_all(b"through the pipe").unwrap();
        // The reader reaches the end of its file (the writer closed it) before the record runs.
        let done = sink.finish(&mut store(), |_, _, _| Ok(reader.join().unwrap())).unwrap();
        assert_eq!(done.value, b"through the pipe");
        assert!(std::os::unix::fs::FileTypeExt::is_fifo(
            &std::fs::symlink_metadata(&fifo).unwrap().file_type()
        ));
        assert_eq!(files(dir.path()), ["pipe"]);
    }

    #[cfg(target_os = "linux")]
    #[test]
    fn a_device_that_refuses_the_bytes_records_nothing() {
        let full = Path::new("/dev/full");
        if !full.exists() {
            return;
        }
        let mut store = store();
        let mut sink = Sink::new(Some(full), None).unwrap();
        sink.write_all(b"more than nothing\n").unwrap();
        let failed = sink.finish(&mut store, record);
        let message = format!("{:#}", failed.unwrap_err());
        assert!(message.contains("writing the export to /dev/full"), "{message}");
        assert!(message.contains("nothing was recorded"), "{message}");
        assert_eq!(store.journal_head().unwrap(), None);
    }
}
