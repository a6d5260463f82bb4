//! Candidate files: the generic pair and cluster CSVs, and the outputs of Splink, dedupe, Zingg and
//! Salesforce duplicate record sets, read as those tools write them. Columns are found by name,
//! never by position. Formats that carry record values (Splink, dedupe, Zingg) fill the workspace
//! with those records too.

mod generic;
mod sink;
mod tools;

pub use tools::salesforce_id18;

use super::table::{Row, Table};
use super::{ImportContext, InputError, Progress, Summary};
use crate::model::RecordKey;
use crate::store::{NewBatch, RecordIndex, RecordRef, Store};
use anyhow::Result;
use sink::Sink;
use std::collections::HashMap;
use std::path::Path;

#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum CandidateFormat {
    Auto,
    Generic,
    Splink,
    Dedupe,
    Zingg,
    Salesforce,
}

#[derive(Debug, Clone)]
pub struct CandidateOptions {
    pub format: CandidateFormat,
    /// Restricts key resolution to this object, and names the object of records a file carries.
    pub object: Option<String>,
    /// The source of records a file carries (Splink without `source_dataset`, dedupe, Zingg),
    /// or of the ids a Salesforce file names.
    pub source: Option<String>,
    pub id_column: Option<String>,
    pub delimiter: u8,
}

/// The object given to records that a candidates file carries when `--object` is not given.
pub const DEFAULT_OBJECT: &str = "record";

/// The concrete layouts `auto` chooses between, by their header.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Layout {
    Pairs,
    Clusters,
    SplinkPredictions,
    SplinkClusters,
    Dedupe,
    Zingg,
    Salesforce,
}

fn detect_layout(t: &Table, format: CandidateFormat) -> Result<Layout, InputError> {
    let has = |n: &str| t.col(n).is_some();
    let layout = if has("unique_id_l") && has("unique_id_r") {
        Some(Layout::SplinkPredictions)
    } else if has("cluster_id") && has("unique_id") {
        Some(Layout::SplinkClusters)
    } else if has("Cluster ID") {
        Some(Layout::Dedupe)
    } else if has("z_cluster") {
        Some(Layout::Zingg)
    } else if has("DuplicateRecordSetId") || t.headers.iter().any(|h| h.starts_with("Duplicate Record Set")) {
        Some(Layout::Salesforce)
    } else if has("left") && has("right") {
        Some(Layout::Pairs)
    } else if has("cluster_id") && has("record") {
        Some(Layout::Clusters)
    } else {
        None
    };
    let fits = matches!(
        (format, layout),
        (CandidateFormat::Auto, Some(_))
            | (CandidateFormat::Generic, Some(Layout::Pairs | Layout::Clusters))
            | (CandidateFormat::Splink, Some(Layout::SplinkPredictions | Layout::SplinkClusters))
            | (CandidateFormat::Dedupe, Some(Layout::Dedupe))
            | (CandidateFormat::Zingg, Some(Layout::Zingg))
            | (CandidateFormat::Salesforce, Some(Layout::Salesforce))
    );
    match layout {
        Some(l) if fits => Ok(l),
        _ => Err(InputError::at(
            &t.file,
            1,
            None,
            format!(
                "the header does not look like {} candidates (expected {}){}",
                format_name(format),
                expected_columns(format),
                super::table::delimiter_hint(&t.headers)
            ),
        )),
    }
}

fn format_name(f: CandidateFormat) -> &'static str {
    match f {
        CandidateFormat::Auto => "any known",
        CandidateFormat::Generic => "generic",
        CandidateFormat::Splink => "Splink",
        CandidateFormat::Dedupe => "dedupe",
        CandidateFormat::Zingg => "Zingg",
        CandidateFormat::Salesforce => "Salesforce",
    }
}

fn expected_columns(f: CandidateFormat) -> &'static str {
    match f {
        CandidateFormat::Generic => "`left,right,score,reason` or `cluster_id,record,score`",
        CandidateFormat::Splink => "`unique_id_l,unique_id_r,match_probability,…` or `cluster_id,unique_id,…`",
        CandidateFormat::Dedupe => "`Cluster ID,confidence_score,…`",
        CandidateFormat::Zingg => "`z_cluster,z_minScore,z_maxScore,…`",
        CandidateFormat::Salesforce => "`DuplicateRecordSetId,RecordId` or a duplicate record set report",
        CandidateFormat::Auto => {
            "generic pairs or clusters, Splink predictions or clusters, dedupe, Zingg or Salesforce duplicate sets"
        }
    }
}

/// The record a key cell names, with its object.
pub(super) fn resolve_key<'i>(
    index: &'i RecordIndex,
    t: &Table,
    row: &Row,
    col: usize,
) -> Result<(RecordRef, &'i str), InputError> {
    let key = row.get(col).ok_or_else(|| t.error(row.line, col, "missing record key"))?;
    if RecordKey::parse(key).is_none() {
        return Err(t.error(
            row.line,
            col,
            format!("`{}` is not a record key `source:id`", crate::text::visible(key)),
        ));
    }
    index.resolve(key).map_err(|e| t.error(row.line, col, crate::text::visible(&e).into_owned()))
}

/// Imports a candidates file in one transaction: all of it, or nothing.
pub fn import_candidates(
    store: &mut Store,
    path: &Path,
    opts: &CandidateOptions,
    ctx: &ImportContext,
) -> Result<Summary> {
    let file = path.display().to_string();
    let mut t = Table::open(path, opts.delimiter)?;
    let layout = detect_layout(&t, opts.format)?;
    let origin = match layout {
        Layout::Pairs | Layout::Clusters => "generic",
        Layout::SplinkPredictions | Layout::SplinkClusters => "splink",
        Layout::Dedupe => "dedupe",
        Layout::Zingg => "zingg",
        Layout::Salesforce => "salesforce",
    };
    // About 40 bytes a row: enough to tell a bulk load from a top-up.
    let expected = std::fs::metadata(path).map(|m| m.len() / 40).unwrap_or(0);
    let bulk_file = expected >= 50_000;
    if bulk_file {
        // Every member reference is resolved inside the import's own transaction, so the
        // per-row foreign-key lookups (a random read each) prove nothing new.
        store.set_foreign_keys(false)?;
    }
    let result = store.write_if(|tx| {
        let batch = tx.begin_batch(&NewBatch {
            kind: "candidates".into(),
            file: file.clone(),
            sha256: String::new(),
            format: format!("{layout:?}").to_lowercase(),
            object: opts.object.clone(),
            source: opts.source.clone(),
            at: ctx.at.clone(),
            steward: ctx.steward.clone(),
        })?;
        let mut sink = Sink {
            tx,
            batch,
            at: ctx.at.clone(),
            origin: origin.to_string(),
            index: tx.record_index(opts.object.as_deref())?,
            summary: Summary {
                file: file.clone(),
                path: crate::journal::absolute_path(&file),
                ..Summary::default()
            },
            clusters: Vec::new(),
            cluster_pos: HashMap::new(),
            progress: Progress::new("importing candidates:"),
        };
        let bulk = tx.begin_bulk(expected)?;
        match layout {
            Layout::Pairs => generic::read_pairs(&mut t, &mut sink)?,
            Layout::Clusters => generic::read_clusters(&mut t, &mut sink)?,
            Layout::SplinkPredictions => tools::read_splink_predictions(&mut t, &mut sink, opts)?,
            Layout::SplinkClusters => {
                tools::read_tool_clusters(&mut t, &mut sink, opts, tools::ToolClusters::splink())?
            }
            Layout::Dedupe => {
                tools::read_tool_clusters(&mut t, &mut sink, opts, tools::ToolClusters::dedupe())?
            }
            Layout::Zingg => {
                tools::read_tool_clusters(&mut t, &mut sink, opts, tools::ToolClusters::zingg())?
            }
            Layout::Salesforce => tools::read_salesforce(&mut t, &mut sink, opts)?,
        }
        sink.progress.done(sink.summary.rows);
        tx.end_bulk(bulk)?;
        let mut summary = sink.summary;
        summary.sha256 = t.finish()?;
        let added = summary.records_added + summary.candidates_added;
        let changed = summary.records_changed + summary.candidates_changed;
        tx.finish_batch(batch, summary.rows, added, changed, &summary.sha256)?;
        let keep = !summary.is_noop();
        if keep {
            crate::journal::record_import(tx, &ctx.steward, &ctx.at, "candidates", &summary)?;
        }
        Ok((summary, keep))
    });
    if bulk_file {
        store.set_foreign_keys(true)?;
    }
    result
}

pub(super) fn parse_score(t: &Table, row: &Row, col: usize) -> Result<f64, InputError> {
    let text = row.get(col).ok_or_else(|| t.error(row.line, col, "missing score"))?;
    match text.trim().parse::<f64>() {
        Ok(s) if (0.0..=1.0).contains(&s) => Ok(s),
        _ => Err(t.error(
            row.line,
            col,
            format!("`{}` is not a score between 0 and 1", crate::text::visible(text)),
        )),
    }
}

pub(super) fn same_object(t: &Table, row: &Row, col: usize, a: &str, b: &str) -> Result<(), InputError> {
    if a != b {
        return Err(t.error(row.line, col, format!("a candidate cannot join a {a} and a {b}")));
    }
    Ok(())
}
