//! Exports: dispatches a format name to the code that renders it, then delivers the bytes — to a
//! file written atomically (a temporary file in the same folder, renamed into place) or to stdout —
//! and records the export, with the SHA-256 of what was written, as a journal entry.
//! Formats render bytes and read the store; they never write files or the journal themselves.

pub mod audit;
pub mod crm;
pub mod csv_cell;
pub mod decisions;
pub mod dynamics;
pub mod golden;
pub mod hubspot;
pub mod not_duplicates;
pub mod plan;
pub mod salesforce;
pub mod select;
pub mod zoho;

pub use decisions::notes;

use crate::journal::{record_export, ExportEvent};
use crate::store::Store;
use anyhow::{bail, Context, Result};
use serde_json::Value;
use sha2::{Digest, Sha256};
use std::io::Write;
use std::path::{Path, PathBuf};

/// Every format name DESIGN.md lists.
pub const FORMATS: &[&str] = &[
    "golden-csv",
    "golden-jsonl",
    "salesforce",
    "hubspot",
    "dynamics",
    "zoho",
    "not-duplicates",
    "audit-csv",
    "audit-report",
];

/// What `mergeq export` was asked for.
#[derive(Debug, Clone, Default)]
pub struct ExportOptions {
    /// The file to write; `None` or `-` writes to stdout.
    pub out: Option<PathBuf>,
    pub source: Option<String>,
    pub include_unsigned: bool,
    pub since_last: bool,
    /// CSV cells exactly as stored (no spreadsheet formula guard).
    pub raw: bool,
    pub steward: String,
    /// RFC 3339 UTC.
    pub at: String,
}

/// A rendered export, before it is delivered.
#[derive(Debug, Clone)]
pub struct Rendered {
    pub bytes: Vec<u8>,
    /// What the format counts (rows, decisions, entries).
    pub items: u64,
    /// Format-specific facts for the journal entry (integers and strings only).
    pub details: Value,
}

/// What an export delivered.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ExportOutcome {
    pub format: String,
    /// The file written, or `-` for stdout.
    pub file: String,
    pub sha256: String,
    pub items: u64,
    /// The export's journal entry.
    pub seq: i64,
    /// The format's own facts, as the journal entry records them.
    pub details: Value,
}

/// Renders `format` and delivers it.
pub fn export(store: &mut Store, format: &str, opts: &ExportOptions) -> Result<ExportOutcome> {
    let rendered = match format {
        "audit-csv" => audit::csv(store, opts.raw)?,
        "audit-report" => audit::report(store, opts.include_unsigned)?,
        f => match decisions::Kind::parse(f) {
            Some(kind) => select::render(store, kind, f, opts)?,
            None => {
                bail!("unknown export format `{}` (formats: {})", crate::text::visible(f), FORMATS.join(", "))
            }
        },
    };
    deliver(store, format, opts, rendered)
}

/// Writes the bytes where `opts.out` says and records the export in the journal: for a file, the
/// journal entry commits before the finished temporary file is renamed into place, so a failed
/// export leaves neither the file nor the entry.
pub fn deliver(store: &mut Store, format: &str, opts: &ExportOptions, r: Rendered) -> Result<ExportOutcome> {
    let sha256 = crate::journal::encoding::hex(&Sha256::digest(&r.bytes));
    let path = opts.out.as_deref().filter(|p| *p != Path::new("-"));
    let file = path.map_or("-".to_string(), |p| p.display().to_string());
    let event = ExportEvent {
        format,
        file: &file,
        sha256: &sha256,
        bytes: r.bytes.len() as u64,
        items: r.items,
        details: r.details.clone(),
    };
    let record = |store: &mut Store| store.write(|tx| record_export(tx, &opts.steward, &opts.at, &event));
    let seq = match path {
        Some(path) => write_atomically(path, &r.bytes, || record(store))?,
        None => {
            let seq = record(store)?;
            let mut out = std::io::stdout().lock();
            match out.write_all(&r.bytes).and_then(|_| out.flush()) {
                Err(e) if e.kind() != std::io::ErrorKind::BrokenPipe => return Err(e.into()),
                _ => {}
            }
            seq
        }
    };
    Ok(ExportOutcome { format: format.to_string(), file, sha256, items: r.items, seq, details: r.details })
}

/// Writes a temporary file beside `path`, runs `commit`, then renames the file into place; the
/// temporary file is removed when anything fails before the rename.
pub fn write_atomically<T>(path: &Path, bytes: &[u8], commit: impl FnOnce() -> Result<T>) -> Result<T> {
    let dir = match path.parent() {
        Some(d) if !d.as_os_str().is_empty() => d.to_path_buf(),
        _ => PathBuf::from("."),
    };
    let name = path.file_name().with_context(|| format!("{} is not a file name", path.display()))?;
    let tmp = dir.join(format!(".{}.mergeq-{}.tmp", name.to_string_lossy(), std::process::id()));
    let written = (|| -> Result<()> {
        let mut f = std::fs::OpenOptions::new()
            .write(true)
            .create_new(true)
            .open(&tmp)
            .with_context(|| format!("creating {}", tmp.display()))?;
        f.write_all(bytes)
            .and_then(|_| f.sync_all())
            .with_context(|| format!("writing {}", tmp.display()))?;
        Ok(())
    })();
    let committed = written.and_then(|_| commit());
    match committed {
        Ok(value) => {
            std::fs::rename(&tmp, path).with_context(|| {
                format!(
                    "renaming {} to {} (the export is in the journal; the file is {})",
                    tmp.display(),
                    path.display(),
                    tmp.display()
                )
            })?;
            Ok(value)
        }
        Err(e) => {
            let _ = std::fs::remove_file(&tmp);
            Err(e)
        }
    }
}

/// A CSV cell made safe to open in a spreadsheet: a cell that starts like a formula gets a `'`.
pub fn spreadsheet_safe(cell: &str) -> std::borrow::Cow<'_, str> {
    match cell.chars().next() {
        Some('=' | '+' | '-' | '@' | '\t' | '\r' | '\n') => format!("'{cell}").into(),
        _ => cell.into(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formula_cells_are_defused() {
        let cases = [
            ("=1+1", "'=1+1"),
            ("+33 1", "'+33 1"),
            ("-x", "'-x"),
            ("@SUM(A1)", "'@SUM(A1)"),
            ("\tx", "'\tx"),
            ("\rx", "'\rx"),
            ("\nx", "'\nx"),
            ("ana", "ana"),
            ("", ""),
            ("a=b", "a=b"),
        ];
        for (cell, want) in cases {
            assert_eq!(spreadsheet_safe(cell), want);
        }
    }

    #[test]
    fn atomic_write_leaves_nothing_when_the_commit_fails() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("out.csv");
        let failed: Result<()> = write_atomically(&path, b"x", || bail!("no"));
        assert!(failed.is_err());
        assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 0);
        write_atomically(&path, b"hello", || Ok(())).unwrap();
        assert_eq!(std::fs::read(&path).unwrap(), b"hello");
        assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 1);
    }
}
