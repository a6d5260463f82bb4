//! Exports: dispatches a format name to the code that renders it into a `Sink` — a file written
//! atomically (a temporary file in the same folder, renamed into place), a device or FIFO, or
//! stdout; never the workspace itself — and records the
//! export, with the SHA-256 of what was written, as a journal entry.
//! Formats render bytes and read the store; they never open files or write the journal themselves.

pub mod audit;
pub mod computed;
pub mod crm;
pub mod csv_cell;
pub mod decisions;
mod destination;
pub mod dynamics;
pub mod field_names;
pub mod golden;
pub mod hubspot;
pub mod not_duplicates;
pub mod plan;
pub mod refusals;
mod replayed;
pub mod salesforce;
pub mod select;
pub mod sink;
pub mod zoho;

pub use decisions::notes;

use crate::journal::{record_export, ExportEvent};
use crate::store::Store;
use anyhow::{bail, Result};
use serde_json::Value;
use sink::Sink;
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
    /// `--fields FILE`: the CRM's names of the workspace's fields (CRM plans only).
    pub field_names: Option<std::sync::Arc<field_names::FieldNames>>,
    pub steward: String,
    /// RFC 3339 UTC.
    pub at: String,
}

/// A rendered export, before it is delivered (the audit formats render to memory).
#[derive(Debug, Clone)]
pub struct Rendered {
    pub bytes: Vec<u8>,
    /// What the format counts (rows, decisions, entries).
    pub items: u64,
    /// Format-specific facts for the journal entry (integers and strings only).
    pub details: Value,
}

/// What a format says about the bytes it wrote.
#[derive(Debug, Clone)]
pub struct Summary {
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

/// Renders `format` into its destination and records the export in the journal once the bytes
/// were delivered: for a file, the bytes go to a temporary file as they are rendered, which is
/// renamed into place before the journal entry commits; stdout, a device or a FIFO gets the bytes
/// written and flushed first. A failed export (a write error, a reader that closed its pipe)
/// leaves no entry, and the next `--since-last` carries the same decisions.
pub fn export(store: &mut Store, format: &str, opts: &ExportOptions) -> Result<ExportOutcome> {
    let kind = decisions::Kind::parse(format);
    if kind.is_none() && !matches!(format, "audit-csv" | "audit-report") {
        bail!("unknown export format `{}` (formats: {})", crate::text::visible(format), FORMATS.join(", "));
    }
    if opts.field_names.is_some() && !matches!(kind, Some(decisions::Kind::Crm(_))) {
        bail!(
            "--fields names a CRM's fields: it goes with a merge plan (salesforce, hubspot, dynamics, zoho)"
        );
    }
    if let Some(decisions::Kind::Crm(crm)) = kind {
        refusals::check_source(crm, opts.source.as_deref(), &store.record_sources()?)?;
    }
    let mut sink = Sink::new(opts.out.as_deref(), store.path())?;
    let summary = match kind {
        Some(kind) => select::render(store, kind, format, opts, &mut sink)?,
        None => {
            let r = if format == "audit-csv" {
                audit::csv(store, opts.raw)?
            } else {
                audit::report(store, opts.include_unsigned)?
            };
            sink.write_all(&r.bytes)?;
            Summary { items: r.items, details: r.details }
        }
    };
    let path = opts.out.as_deref().filter(|p| *p != Path::new("-"));
    let file = path.map_or("-".to_string(), |p| p.display().to_string());
    let delivered = sink.finish(store, |tx, sha256, bytes| {
        let event = ExportEvent {
            format,
            file: &file,
            sha256,
            bytes,
            items: summary.items,
            details: summary.details.clone(),
        };
        record_export(tx, &opts.steward, &opts.at, &event)
    })?;
    Ok(ExportOutcome {
        format: format.to_string(),
        file,
        sha256: delivered.sha256,
        items: summary.items,
        seq: delivered.value,
        details: summary.details,
    })
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
}
