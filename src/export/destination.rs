//! Where `--out FILE` leads, decided before a byte is rendered: symbolic links followed to the file
//! they name (the link is kept, its target replaced), an existing file that is not a regular file
//! (a character device such as `/dev/null`, a FIFO) written in place rather than replaced, and the
//! workspace itself — or its `-wal`, `-shm` or `-journal` file, by whatever name or link — refused,
//! as replacing it would destroy the journal.

use anyhow::{bail, Context, Result};
use std::fs::Metadata;
use std::path::{Path, PathBuf};

/// Symbolic links followed before giving up (the kernel's own limit).
const MAX_LINKS: usize = 40;

/// The files SQLite keeps beside a workspace, by suffix.
const WORKSPACE_FILES: [(&str, &str); 4] = [
    ("", "the workspace"),
    ("-wal", "its write-ahead log"),
    ("-shm", "its shared memory"),
    ("-journal", "its rollback journal"),
];

/// How an export reaches its file.
#[derive(Debug)]
pub enum Destination {
    /// A regular file, or none yet: a temporary file beside `path` is renamed onto it. `existing`
    /// is the file it replaces (its permissions and owner carry over).
    Replace { path: PathBuf, existing: Option<Metadata> },
    /// An existing file that is not a regular file (a device, a FIFO): written in place.
    Direct { path: PathBuf },
}

/// Decides how to write `out`, refusing the files of the workspace at `workspace`.
pub fn resolve(out: &Path, workspace: Option<&Path>) -> Result<Destination> {
    let (path, meta) = follow_links(out)?;
    if let Some(db) = workspace {
        if let Some(what) = workspace_file(&path, meta.as_ref(), db)? {
            bail!(
                "refusing to write the export to {}: it is {what} ({}); nothing was written",
                out.display(),
                db.display()
            );
        }
    }
    Ok(match meta {
        Some(m) if m.is_dir() => bail!("{} is a directory, not a file to export to", out.display()),
        Some(m) if !m.is_file() => Destination::Direct { path },
        existing => Destination::Replace { path, existing },
    })
}

/// `path` with every symbolic link followed (relative links from the link's folder), and the
/// metadata of what it names, `None` when nothing is there yet (a dangling link names a new file).
fn follow_links(path: &Path) -> Result<(PathBuf, Option<Metadata>)> {
    let mut path = path.to_path_buf();
    for _ in 0..MAX_LINKS {
        match std::fs::symlink_metadata(&path) {
            Ok(m) if m.file_type().is_symlink() => {
                let link = std::fs::read_link(&path)
                    .with_context(|| format!("reading the link {}", path.display()))?;
                path = match path.parent() {
                    Some(dir) => dir.join(link),
                    None => link,
                };
            }
            Ok(m) => return Ok((path, Some(m))),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok((path, None)),
            Err(e) => return Err(e).with_context(|| format!("reading {}", path.display())),
        }
    }
    bail!("{}: too many levels of symbolic links", path.display())
}

/// Which of the workspace's files `path` is, if any: the same file (device and inode) when both
/// exist, else the same name in the same folder once both folders are resolved.
fn workspace_file(path: &Path, meta: Option<&Metadata>, db: &Path) -> Result<Option<&'static str>> {
    let (db_resolved, _) = follow_links(db)?;
    let here = canonical_location(path);
    for db in [db, db_resolved.as_path()] {
        let Some(name) = db.file_name() else { continue };
        for (suffix, what) in WORKSPACE_FILES {
            let mut file_name = name.to_os_string();
            file_name.push(suffix);
            let file = db.with_file_name(&file_name);
            if let (Some(meta), Ok(theirs)) = (meta, std::fs::metadata(&file)) {
                if same_file(meta, &theirs) {
                    return Ok(Some(what));
                }
            }
            if here.is_some() && here == canonical_location(&file) {
                return Ok(Some(what));
            }
        }
    }
    Ok(None)
}

/// A path as its resolved folder and its own name (the file need not exist; the folder must).
fn canonical_location(path: &Path) -> Option<(PathBuf, std::ffi::OsString)> {
    let name = path.file_name()?.to_os_string();
    let dir = match path.parent() {
        Some(d) if !d.as_os_str().is_empty() => d,
        _ => Path::new("."),
    };
    Some((std::fs::canonicalize(dir).ok()?, name))
}

#[cfg(unix)]
fn same_file(a: &Metadata, b: &Metadata) -> bool {
    use std::os::unix::fs::MetadataExt;
    (a.dev(), a.ino()) == (b.dev(), b.ino())
}

#[cfg(not(unix))]
fn same_file(_: &Metadata, _: &Metadata) -> bool {
    false
}

/// Gives a new temporary file the permissions (and, where allowed, the owner) of the file it will
/// replace, before anything is written to it.
pub fn keep_attributes(tmp: &std::fs::File, existing: &Metadata) -> std::io::Result<()> {
    #[cfg(unix)]
    {
        use std::os::unix::fs::MetadataExt;
        let mine = tmp.metadata()?;
        if (mine.uid(), mine.gid()) != (existing.uid(), existing.gid()) {
            // Only root may give a file away; anyone else keeps their own file, as a copy would.
            let _ = std::os::unix::fs::fchown(tmp, Some(existing.uid()), Some(existing.gid()));
        }
    }
    tmp.set_permissions(existing.permissions())
}

#[cfg(all(test, unix))]
mod tests {
    use super::*;

    fn refused(out: &Path, db: &Path) -> bool {
        resolve(out, Some(db)).is_err_and(|e| e.to_string().contains("refusing to write the export"))
    }

    #[test]
    fn the_workspace_and_its_files_are_refused_by_any_name() {
        let dir = tempfile::tempdir().unwrap();
        let db = dir.path().join("ws.mergeq");
        std::fs::write(&db, "db").unwrap();
        std::fs::write(dir.path().join("ws.mergeq-wal"), "wal").unwrap();
        std::fs::create_dir(dir.path().join("sub")).unwrap();
        std::os::unix::fs::symlink(&db, dir.path().join("link")).unwrap();
        std::fs::hard_link(&db, dir.path().join("hard")).unwrap();
        let refused_paths = [
            db.clone(),
            dir.path().join("sub/../ws.mergeq"),
            dir.path().join("./ws.mergeq-wal"),
            dir.path().join("ws.mergeq-shm"), // not there yet: by name
            dir.path().join("ws.mergeq-journal"),
            dir.path().join("link"),
            dir.path().join("hard"),
        ];
        for out in refused_paths {
            assert!(refused(&out, &db), "{} was not refused", out.display());
        }
        for out in ["ws.mergeq2", "ws.mergeq-walx", "sub/ws.mergeq"] {
            assert!(!refused(&dir.path().join(out), &db), "{out} was refused");
        }
        // A workspace opened through a link: the files beside its target are its files.
        let real = dir.path().join("sub/real.mergeq");
        std::fs::write(&real, "db").unwrap();
        let via = dir.path().join("via.mergeq");
        std::os::unix::fs::symlink("sub/real.mergeq", &via).unwrap();
        assert!(refused(&dir.path().join("sub/real.mergeq-wal"), &via));
        assert!(refused(&dir.path().join("via.mergeq-wal"), &via));
    }

    #[test]
    fn links_are_followed_and_special_files_written_in_place() {
        let dir = tempfile::tempdir().unwrap();
        let target = dir.path().join("real.jsonl");
        std::fs::write(&target, "old").unwrap();
        let link = dir.path().join("link.jsonl");
        std::os::unix::fs::symlink("real.jsonl", &link).unwrap();
        match resolve(&link, None).unwrap() {
            Destination::Replace { path, existing } => {
                assert_eq!(path, dir.path().join("real.jsonl"));
                assert!(existing.is_some());
            }
            other => panic!("{other:?}"),
        }
        let dangling = dir.path().join("dangling");
        std::os::unix::fs::symlink("new.jsonl", &dangling).unwrap();
        assert!(matches!(resolve(&dangling, None).unwrap(),
            Destination::Replace { path, existing: None } if path == dir.path().join("new.jsonl")));
        assert!(matches!(resolve(Path::new("/dev/null"), None).unwrap(), Destination::Direct { .. }));
        assert!(resolve(dir.path(), None).unwrap_err().to_string().contains("is a directory"));
    }
}
