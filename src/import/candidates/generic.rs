//! The generic formats: `left,right,score,reason` pairs and `cluster_id,record,score` clusters.

use super::sink::Sink;
use super::{parse_score, resolve_key, same_object};
use crate::import::pipeline::{pipelined, Rows};
use crate::import::table::{Row, Table};
use crate::import::InputError;
use crate::model::Reason;
use crate::store::{NewCandidate, RecordIndex, RecordRef};
use anyhow::Result;
use std::collections::HashMap;

/// `left,right,score,reason`: one pair per row, keys `source:id`. A second thread reads, checks
/// and resolves the rows while this one merges them into the workspace.
pub(super) fn read_pairs(t: &mut Table, sink: &mut Sink) -> Result<()> {
    let cols = PairColumns {
        left: t.col("left").expect("checked by layout"),
        right: t.col("right").expect("checked by layout"),
        score: t.col("score"),
        reason: t.col("reason"),
    };
    // A pairs file carries no records: the index is only read while the file is.
    let index = std::mem::take(&mut sink.index);
    // A file without scores ranks its pairs at 1.0, first in the queue: each says why.
    let unscored: Vec<Reason> = match cols.score {
        Some(_) => Vec::new(),
        None => vec![Reason::text("the file gives no score (listed as 1.0)")],
    };
    // One candidate value, refilled for each row: no allocation per row on this thread.
    let mut c = NewCandidate {
        object: String::new(),
        members: Vec::with_capacity(2),
        score: 0.0,
        origin: sink.origin.clone(),
        reasons: unscored.clone(),
    };
    let outcome = pipelined(
        |rows| parse_pairs(t, &index, &cols, rows),
        |p| {
            if c.object != p.object {
                c.object = p.object.to_string();
            }
            c.members.clear();
            c.members.extend([p.left, p.right]);
            c.score = p.score;
            match p.reason {
                RowReason::Same => {}
                RowReason::None => c.reasons.clone_from(&unscored),
                RowReason::Text(text) => {
                    c.reasons.clone_from(&unscored);
                    c.reasons.push(Reason::text(text));
                }
            }
            sink.write_candidate(&c)?;
            sink.row_done();
            Ok(())
        },
    );
    sink.index = index;
    outcome
}

struct PairColumns {
    left: usize,
    right: usize,
    score: Option<usize>,
    reason: Option<usize>,
}

/// One row of a pairs file, checked and resolved.
struct ParsedPair<'i> {
    left: RecordRef,
    right: RecordRef,
    object: &'i str,
    score: f64,
    reason: RowReason,
}

/// A row's reason text, sent only when it differs from the row before.
enum RowReason {
    Same,
    None,
    Text(String),
}

/// Reads, checks and resolves every row, handing them on; stops at the first bad row (returned)
/// or when the writing side has stopped.
fn parse_pairs<'i>(
    t: &mut Table,
    index: &'i RecordIndex,
    cols: &PairColumns,
    rows: &mut Rows<ParsedPair<'i>>,
) -> Result<(), InputError> {
    let mut row = Row::default();
    let mut last_reason: Option<String> = None;
    while t.next_row(&mut row)? {
        let (left, lo) = resolve_key(index, t, &row, cols.left)?;
        let (right, ro) = resolve_key(index, t, &row, cols.right)?;
        if left.rowid == right.rowid {
            return Err(t.error(row.line, cols.right, "a record cannot be a duplicate of itself"));
        }
        same_object(t, &row, cols.right, lo, ro)?;
        let score = match cols.score {
            Some(c) => parse_score(t, &row, c)?,
            None => 1.0,
        };
        let text = cols.reason.and_then(|c| row.get(c));
        let reason = if text == last_reason.as_deref() {
            RowReason::Same
        } else {
            last_reason = text.map(str::to_string);
            text.map_or(RowReason::None, |t| RowReason::Text(t.to_string()))
        };
        if !rows.push(ParsedPair { left, right, object: lo, score, reason }) {
            break;
        }
    }
    Ok(())
}

/// `cluster_id,record,score[,reason]`: one member per row.
pub(super) fn read_clusters(t: &mut Table, sink: &mut Sink) -> Result<()> {
    let (cluster, record) = (t.col("cluster_id").expect("checked"), t.col("record").expect("checked"));
    let (score_col, reason_col) = (t.col("score"), t.col("reason"));
    let mut objects: HashMap<String, String> = HashMap::new();
    let mut row = Row::default();
    while t.next_row(&mut row)? {
        let id =
            row.get(cluster).ok_or_else(|| t.error(row.line, cluster, "missing cluster id"))?.to_string();
        let (r, obj) = sink.resolve(t, &row, record)?;
        let first = objects.entry(id.clone()).or_insert_with(|| obj.clone());
        same_object(t, &row, record, first, &obj)?;
        let score = score_col.map(|c| parse_score(t, &row, c)).transpose()?;
        let reason = reason_col.and_then(|c| row.get(c));
        sink.add_to_cluster(&id, r, obj, score, reason);
        sink.row_done();
    }
    sink.flush_clusters("the generic file")
}
