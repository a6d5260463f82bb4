//! Imports: records and candidates from files, all or nothing. Parsing reports every problem as an
//! `InputError` with file, line and column; writing goes through `store::Tx`, one transaction per
//! import, so a failed import leaves the workspace exactly as it was.

mod candidates;
pub mod combine;
mod jsonl_row;
mod pipeline;
mod records;
pub mod table;

pub use candidates::{import_candidates, salesforce_id18, CandidateFormat, CandidateOptions};
pub use combine::{combine, Combined};
pub use records::{import_records, RecordFormat, RecordOptions};

use std::fmt;

/// A problem in an input file, with where it is.
#[derive(Debug, Clone, PartialEq)]
pub struct InputError {
    pub file: String,
    /// 1-based line where the offending row starts (0 when the problem is the file as a whole).
    pub line: u64,
    /// 1-based column number and the column's header name (may be empty).
    pub column: Option<(usize, String)>,
    pub message: String,
}

impl InputError {
    pub fn at(file: &str, line: u64, column: Option<(usize, String)>, message: impl Into<String>) -> Self {
        InputError { file: file.to_string(), line, column, message: message.into() }
    }

    pub fn file(file: &str, message: impl Into<String>) -> Self {
        InputError::at(file, 0, None, message)
    }
}

impl fmt::Display for InputError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let file = crate::text::visible(&self.file);
        match (&self.column, self.line) {
            (_, 0) => write!(f, "{file}: {}", self.message),
            (None, line) => write!(f, "{file}:{line}: {}", self.message),
            (Some((col, name)), line) if name.is_empty() => {
                write!(f, "{file}:{line}:{col}: {}", self.message)
            }
            (Some((col, name)), line) => {
                write!(f, "{file}:{line}:{col}: {} (column `{}`)", self.message, crate::text::visible(name))
            }
        }
    }
}

impl std::error::Error for InputError {}

/// Who imports, and when (the same for every row of one import).
#[derive(Debug, Clone)]
pub struct ImportContext {
    pub steward: String,
    pub at: String,
}

/// What an import did, for the message on stderr and `--json`.
#[derive(Debug, Clone, Default, PartialEq, Eq, serde::Serialize)]
pub struct Summary {
    pub file: String,
    /// `file` as an absolute path, when given as a relative one: kept in the journal, so that an
    /// auditor finds the file whatever folder the import ran in.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub path: Option<String>,
    pub sha256: String,
    pub rows: u64,
    pub records_added: u64,
    pub records_changed: u64,
    pub records_unchanged: u64,
    /// Rows last modified before the workspace's copy of their record: left out (`--allow-older`).
    #[serde(default, skip_serializing_if = "is_zero")]
    pub records_older: u64,
    pub candidates_added: u64,
    pub candidates_changed: u64,
    pub candidates_unchanged: u64,
    /// Candidates not proposed again because a steward rejected them.
    pub candidates_suppressed: u64,
    /// Clusters of one record (a matcher's unmatched records): nothing to merge, not imported.
    #[serde(default, skip_serializing_if = "is_zero")]
    pub single_clusters: u64,
}

/// How to import rows older than the stored copies anyway.
const ALLOW_OLDER: &str = "--allow-older imports them";

fn is_zero(n: &u64) -> bool {
    *n == 0
}

impl Summary {
    /// Counts what an upsert did to a record.
    pub(crate) fn count_record(&mut self, what: crate::store::RecordUpsert) {
        use crate::store::RecordUpsert::*;
        match what {
            New => self.records_added += 1,
            Changed => self.records_changed += 1,
            Unchanged => self.records_unchanged += 1,
            Older => self.records_older += 1,
        }
    }

    /// True when the import changed nothing in the workspace.
    pub fn is_noop(&self) -> bool {
        self.records_added + self.records_changed + self.candidates_added + self.candidates_changed == 0
    }

    /// `3 rows` / `all 3 rows` last modified before the stored copy.
    fn older_rows(&self) -> String {
        let n = crate::text::count(self.records_older, "row", "rows");
        if self.records_older == self.rows && self.rows > 1 {
            format!("all {n}")
        } else {
            n
        }
    }

    /// One line for the steward.
    pub fn describe(&self) -> String {
        let file = crate::text::visible(&self.file);
        if self.rows == 0 {
            return format!(
                "{file}: no rows to import (a header and nothing else); the workspace is unchanged"
            );
        }
        if self.is_noop() && self.records_older > 0 {
            return format!(
                "{file}: nothing new — {}; {} older than the workspace's copy, kept as they are ({})",
                crate::text::count(self.rows, "row", "rows"),
                self.older_rows(),
                ALLOW_OLDER,
            );
        }
        if self.is_noop() && self.single_clusters > 0 {
            return format!(
                "{file}: nothing new — {}; {} of one record left out (nothing to merge)",
                crate::text::count(self.rows, "row", "rows"),
                crate::text::count(self.single_clusters, "cluster", "clusters"),
            );
        }
        if self.is_noop() {
            return format!(
                "{file}: nothing new — {}, {} in the workspace unchanged{}",
                crate::text::count(self.rows, "row", "rows"),
                if self.rows == 1 { "already" } else { "all already" },
                if self.candidates_suppressed > 0 {
                    format!(" ({} rejected earlier, not proposed again)", self.candidates_suppressed)
                } else {
                    String::new()
                }
            );
        }
        let mut parts = vec![format!("{file}: {}", crate::text::count(self.rows, "row", "rows"))];
        let recs = self.records_added + self.records_changed + self.records_unchanged;
        if recs > 0 {
            parts.push(format!(
                "records {} new, {} changed, {} unchanged",
                self.records_added, self.records_changed, self.records_unchanged
            ));
        }
        let cands = self.candidates_added
            + self.candidates_changed
            + self.candidates_unchanged
            + self.candidates_suppressed;
        if cands > 0 {
            parts.push(format!(
                "candidates {} new, {} updated, {} unchanged, {} suppressed as rejected",
                self.candidates_added,
                self.candidates_changed,
                self.candidates_unchanged,
                self.candidates_suppressed
            ));
        }
        if self.records_older > 0 {
            parts.push(format!(
                "{} older than the workspace's copy, kept as they are ({ALLOW_OLDER})",
                self.older_rows()
            ));
        }
        if self.single_clusters > 0 {
            parts.push(format!(
                "{} of one record left out (nothing to merge)",
                crate::text::count(self.single_clusters, "cluster", "clusters")
            ));
        }
        parts.join(" · ")
    }
}

/// Progress on stderr for long imports: a line every 100,000 rows, only when stderr is a terminal.
pub(crate) struct Progress {
    on: bool,
    what: &'static str,
}

impl Progress {
    pub fn new(what: &'static str) -> Self {
        use std::io::IsTerminal;
        Progress { on: std::io::stderr().is_terminal(), what }
    }

    pub fn tick(&self, rows: u64) {
        if self.on && rows.is_multiple_of(100_000) && rows > 0 {
            eprint!("\r{} {rows} rows…", self.what);
        }
    }

    pub fn done(&self, rows: u64) {
        if self.on && rows >= 100_000 {
            eprintln!("\r{} {rows} rows, done.", self.what);
        }
    }
}
