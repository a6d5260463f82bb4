//! `mergeq import records|candidates`.

use super::Ctx;
use crate::import::{self, CandidateFormat, CandidateOptions, RecordFormat, RecordOptions};
use crate::store::Store;
use anyhow::Result;
use clap::{Args, Subcommand};
use std::path::PathBuf;

#[derive(Debug, Subcommand)]
pub enum ImportCommand {
    /// Import records (CSV or JSON Lines), one record per row
    Records(RecordsArgs),
    /// Import candidate pairs or clusters (generic CSV or a matcher's output)
    Candidates(CandidatesArgs),
}

#[derive(Debug, Args)]
pub struct RecordsArgs {
    pub file: PathBuf,
    /// The CRM object the records belong to (account, contact, lead, …)
    #[arg(long, value_parser = object_name)]
    pub object: String,
    /// The system the records came from (salesforce, hubspot, webform, …)
    #[arg(long, value_parser = source_name)]
    pub source: String,
    /// The id column [default: `id`]
    #[arg(long, value_name = "COL")]
    pub id_column: Option<String>,
    #[arg(long, value_enum, default_value = "csv")]
    pub format: RecordFormat,
    /// Field delimiter of a CSV file (`,` `;` `tab` `|`)
    #[arg(long, default_value = ",", value_parser = delimiter)]
    pub delimiter: u8,
    /// The field each column is stored as, per object (TOML, `first_name = "First Name"`: the
    /// same shape as `export --fields`)
    #[arg(long, value_name = "FILE")]
    pub fields: Option<PathBuf>,
    /// Also import rows last modified before the workspace's copy of their record
    #[arg(long)]
    pub allow_older: bool,
    #[arg(long)]
    pub json: bool,
}

#[derive(Debug, Args)]
pub struct CandidatesArgs {
    pub file: PathBuf,
    /// auto, generic, splink, dedupe, zingg or salesforce
    #[arg(long, default_value = "auto", value_parser = candidate_format)]
    pub format: CandidateFormat,
    /// Resolve keys among this object's records, and give it to records the file carries
    #[arg(long, value_parser = object_name)]
    pub object: Option<String>,
    /// The source of records the file carries (or of the ids a Salesforce file names)
    #[arg(long, value_parser = source_name)]
    pub source: Option<String>,
    /// The record id column of a per-record cluster file
    #[arg(long, value_name = "COL")]
    pub id_column: Option<String>,
    /// Field delimiter of a CSV file (`,` `;` `tab` `|`)
    #[arg(long, default_value = ",", value_parser = delimiter)]
    pub delimiter: u8,
    #[arg(long)]
    pub json: bool,
}

/// `--format` of `import candidates`. `hubspot` is refused with what to do instead: HubSpot
/// publishes no file of the duplicate pairs its tool finds.
fn candidate_format(text: &str) -> Result<CandidateFormat, String> {
    if text.eq_ignore_ascii_case("hubspot") {
        return Err("HubSpot publishes no file of its duplicate pairs (its duplicate tool has no export); \
                    write them as generic pairs `left,right,score,reason` with keys `hubspot:<Record ID>` \
                    and import them with --format generic"
            .to_string());
    }
    <CandidateFormat as clap::ValueEnum>::from_str(text, false)
        .map_err(|_| "takes auto, generic, splink, dedupe, zingg or salesforce".to_string())
}

/// `--source` is the first part of every record key `source:id`: a `:` in it would make keys that
/// `--pick` and `--survivor` cannot name (a key's source ends at its first `:`).
fn source_name(text: &str) -> Result<String, String> {
    match text {
        "" => Err("a source needs a name".to_string()),
        t if t.contains(':') => {
            Err(format!("`{t}` holds `:`, which ends a source in a record key `source:id`"))
        }
        t => Ok(t.to_string()),
    }
}

fn object_name(text: &str) -> Result<String, String> {
    match text {
        "" => Err("an object needs a name (account, contact, lead, …)".to_string()),
        t => Ok(t.to_string()),
    }
}

/// A malformed `--delimiter` is a usage error (exit 2), reported by clap.
fn delimiter(text: &str) -> Result<u8, String> {
    match text {
        "tab" | "\\t" | "\t" => Ok(b'\t'),
        t if t.len() == 1 && t.is_ascii() => Ok(t.as_bytes()[0]),
        other => Err(format!("takes one ASCII character or `tab`, not `{other}`")),
    }
}

pub fn run(cmd: ImportCommand, ctx: &Ctx) -> Result<()> {
    let (summary, json) = match cmd {
        ImportCommand::Records(a) => {
            let opts = RecordOptions {
                object: a.object,
                source: a.source,
                id_column: a.id_column,
                format: a.format,
                delimiter: a.delimiter,
                fields: a.fields.as_deref().map(crate::export::field_names::FieldNames::load).transpose()?,
                allow_older: a.allow_older,
            };
            let mut store = Store::open(&ctx.db)?;
            (import::import_records(&mut store, &a.file, &opts, &ctx.import_context())?, a.json)
        }
        ImportCommand::Candidates(a) => {
            let opts = CandidateOptions {
                format: a.format,
                object: a.object,
                source: a.source,
                id_column: a.id_column,
                delimiter: a.delimiter,
            };
            let mut store = Store::open(&ctx.db)?;
            (import::import_candidates(&mut store, &a.file, &opts, &ctx.import_context())?, a.json)
        }
    };
    eprintln!("{}", summary.describe());
    if json {
        super::print(&format!("{}\n", serde_json::to_string_pretty(&summary)?))?;
    }
    Ok(())
}
