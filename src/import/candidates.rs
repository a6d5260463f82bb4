//! Candidate files: the generic pair and cluster CSVs, and the outputs of Splink, dedupe, Zingg and
//! Salesforce duplicate record sets, read as those tools write them. Columns are found by name,
//! never by position. Formats that carry record values (Splink, dedupe, Zingg) fill the workspace
//! with those records too.

use super::records::loose;
use super::table::{Row, Table};
use super::{ImportContext, InputError, Progress, Summary};
use crate::model::{Fields, Reason, RecordKey};
use crate::store::{
    BatchId, CandidateUpsert, NewBatch, NewCandidate, NewRecord, RecordIndex, RecordRef, RecordUpsert, Store,
    Tx,
};
use anyhow::Result;
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
                "the header does not look like {} candidates (expected {})",
                format_name(format),
                expected_columns(format)
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

/// A cluster being gathered: members, object, lowest score so far, reasons.
type Cluster = (Vec<RecordRef>, String, Option<f64>, Vec<Reason>);

/// Everything an import writes goes through here: records a file carries, members resolved from
/// keys, and the candidates themselves, with the counts for the summary.
struct Sink<'t, 'c> {
    tx: &'t Tx<'c>,
    batch: BatchId,
    at: String,
    origin: String,
    index: RecordIndex,
    summary: Summary,
    /// Clusters in the order they first appear, with their members and scores.
    clusters: Vec<Cluster>,
    cluster_pos: HashMap<String, usize>,
    progress: Progress,
}

impl Sink<'_, '_> {
    /// Writes a record the file carries, merging its values into any stored copy.
    fn embed(&mut self, rec: NewRecord) -> Result<RecordRef> {
        let (what, r) = self.tx.merge_record(self.batch, &rec)?;
        let key = rec.key.to_string();
        if self.index.resolve(&key).is_err() {
            match what {
                RecordUpsert::New => self.summary.records_added += 1,
                RecordUpsert::Changed => self.summary.records_changed += 1,
                RecordUpsert::Unchanged => self.summary.records_unchanged += 1,
            }
        } else if what == RecordUpsert::Changed {
            self.summary.records_changed += 1;
        }
        self.index.insert(&rec.object, &rec.key, r);
        Ok(r)
    }

    fn resolve(&self, t: &Table, row: &Row, col: usize) -> Result<(RecordRef, String), InputError> {
        resolve_key(&self.index, t, row, col).map(|(r, o)| (r, o.to_string()))
    }

    fn candidate(
        &mut self,
        object: String,
        members: Vec<RecordRef>,
        score: f64,
        reasons: Vec<Reason>,
    ) -> Result<()> {
        let c = NewCandidate { object, members, score, origin: self.origin.clone(), reasons };
        self.write_candidate(&c)
    }

    fn write_candidate(&mut self, c: &NewCandidate) -> Result<()> {
        match self.tx.upsert_candidate(Some(self.batch), &self.at, c)? {
            CandidateUpsert::New => self.summary.candidates_added += 1,
            CandidateUpsert::Changed => self.summary.candidates_changed += 1,
            CandidateUpsert::Unchanged => self.summary.candidates_unchanged += 1,
            CandidateUpsert::Suppressed => self.summary.candidates_suppressed += 1,
        }
        Ok(())
    }

    fn row_done(&mut self) {
        self.summary.rows += 1;
        self.progress.tick(self.summary.rows);
    }

    fn add_to_cluster(
        &mut self,
        cluster: &str,
        member: RecordRef,
        object: String,
        score: Option<f64>,
        reason: Option<&str>,
    ) {
        let i = *self.cluster_pos.entry(cluster.to_string()).or_insert_with(|| {
            self.clusters.push((Vec::new(), object, None, Vec::new()));
            self.clusters.len() - 1
        });
        let c = &mut self.clusters[i];
        if !c.0.iter().any(|m| m.rowid == member.rowid) {
            c.0.push(member);
        }
        if let Some(s) = score {
            c.2 = Some(c.2.map_or(s, |old: f64| old.min(s)));
        }
        if let Some(text) = reason {
            let reason = Reason::text(text);
            if !c.3.contains(&reason) {
                c.3.push(reason);
            }
        }
    }

    /// Writes every cluster of two or more records; a cluster's score is its lowest member score.
    fn flush_clusters(&mut self, what: &str) -> Result<()> {
        for (members, object, score, mut reasons) in std::mem::take(&mut self.clusters) {
            if members.len() < 2 {
                continue;
            }
            let text = match score {
                Some(s) => format!("clustered by {what}, lowest member score {s:.3}"),
                None => format!("clustered by {what} (the file gives no score)"),
            };
            reasons.insert(0, Reason::text(text));
            self.candidate(object, members, score.unwrap_or(1.0), reasons)?;
        }
        Ok(())
    }
}

/// The record a key cell names, with its object.
fn resolve_key<'i>(
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
            summary: Summary { file: file.clone(), ..Summary::default() },
            clusters: Vec::new(),
            cluster_pos: HashMap::new(),
            progress: Progress::new("importing candidates:"),
        };
        let bulk = tx.begin_bulk(expected)?;
        match layout {
            Layout::Pairs => read_pairs(&mut t, &mut sink)?,
            Layout::Clusters => read_clusters(&mut t, &mut sink)?,
            Layout::SplinkPredictions => read_splink_predictions(&mut t, &mut sink, opts)?,
            Layout::SplinkClusters => read_tool_clusters(&mut t, &mut sink, opts, ToolClusters::splink())?,
            Layout::Dedupe => read_tool_clusters(&mut t, &mut sink, opts, ToolClusters::dedupe())?,
            Layout::Zingg => read_tool_clusters(&mut t, &mut sink, opts, ToolClusters::zingg())?,
            Layout::Salesforce => read_salesforce(&mut t, &mut sink, opts)?,
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

fn parse_score(t: &Table, row: &Row, col: usize) -> Result<f64, InputError> {
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

fn same_object(t: &Table, row: &Row, col: usize, a: &str, b: &str) -> Result<(), InputError> {
    if a != b {
        return Err(t.error(row.line, col, format!("a candidate cannot join a {a} and a {b}")));
    }
    Ok(())
}

/// `left,right,score,reason`: one pair per row, keys `source:id`. A second thread reads, checks
/// and resolves the rows while this one merges them into the workspace.
fn read_pairs(t: &mut Table, sink: &mut Sink) -> Result<()> {
    let cols = PairColumns {
        left: t.col("left").expect("checked by layout"),
        right: t.col("right").expect("checked by layout"),
        score: t.col("score"),
        reason: t.col("reason"),
    };
    // A pairs file carries no records: the index is only read while the file is.
    let index = std::mem::take(&mut sink.index);
    let outcome = std::thread::scope(|scope| -> Result<()> {
        let (send, receive) = std::sync::mpsc::sync_channel(8);
        let reader = scope.spawn(|| parse_pairs(t, &index, &cols, send));
        // One candidate value, refilled for each row: no allocation per row on this thread.
        let mut c = NewCandidate {
            object: String::new(),
            members: Vec::with_capacity(2),
            score: 0.0,
            origin: sink.origin.clone(),
            reasons: Vec::new(),
        };
        for batch in receive {
            for p in batch {
                if c.object != p.object {
                    c.object = p.object.to_string();
                }
                c.members.clear();
                c.members.extend([p.left, p.right]);
                c.score = p.score;
                match p.reason {
                    RowReason::Same => {}
                    RowReason::None => c.reasons.clear(),
                    RowReason::Text(text) => c.reasons = vec![Reason::text(text)],
                }
                sink.write_candidate(&c)?;
                sink.row_done();
            }
        }
        reader.join().expect("the pairs reader does not panic")?;
        Ok(())
    });
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

/// Rows handed from the reading thread at a time.
const PAIRS_PER_BATCH: usize = 4096;

/// Reads, checks and resolves every row, sending them on in batches; stops at the first bad row
/// (returned) or when the receiver is gone.
fn parse_pairs<'i>(
    t: &mut Table,
    index: &'i RecordIndex,
    cols: &PairColumns,
    out: std::sync::mpsc::SyncSender<Vec<ParsedPair<'i>>>,
) -> Result<(), InputError> {
    let mut row = Row::default();
    let mut batch = Vec::with_capacity(PAIRS_PER_BATCH);
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
        batch.push(ParsedPair { left, right, object: lo, score, reason });
        if batch.len() == PAIRS_PER_BATCH {
            let full = std::mem::replace(&mut batch, Vec::with_capacity(PAIRS_PER_BATCH));
            if out.send(full).is_err() {
                return Ok(());
            }
        }
    }
    if !batch.is_empty() {
        let _ = out.send(batch);
    }
    Ok(())
}

/// `cluster_id,record,score[,reason]`: one member per row.
fn read_clusters(t: &mut Table, sink: &mut Sink) -> Result<()> {
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

/// The field columns of a Splink predictions file: every `X_l` with an `X_r`, except ids.
fn splink_fields(t: &Table) -> Vec<(String, usize, usize)> {
    const NOT_FIELDS: &[&str] = &["unique_id", "source_dataset"];
    const PREFIXES: &[&str] = &["gamma_", "tf_", "bf_", "mw_"];
    t.headers
        .iter()
        .enumerate()
        .filter_map(|(i, h)| {
            let name = h.strip_suffix("_l")?;
            if NOT_FIELDS.contains(&name) || PREFIXES.iter().any(|p| name.starts_with(p)) {
                return None;
            }
            Some((name.to_string(), i, t.col(&format!("{name}_r"))?))
        })
        .collect()
}

fn embedded_source(row: &Row, col: Option<usize>, opts: &CandidateOptions, default: &str) -> String {
    col.and_then(|c| row.get(c))
        .map(str::to_string)
        .or_else(|| opts.source.clone())
        .unwrap_or_else(|| default.to_string())
}

/// Splink pairwise predictions: both records are in the row (`<col>_l`, `<col>_r`), with the
/// comparison level (`gamma_<col>`) and, in Splink 5, the match weight (`mw_<col>`) of each field.
fn read_splink_predictions(t: &mut Table, sink: &mut Sink, opts: &CandidateOptions) -> Result<()> {
    let (id_l, id_r) = (t.col("unique_id_l").expect("checked"), t.col("unique_id_r").expect("checked"));
    let prob = t
        .col("match_probability")
        .ok_or_else(|| InputError::at(&t.file, 1, None, "no `match_probability` column"))?;
    let weight = t.col("match_weight");
    let match_key = t.col("match_key");
    let (src_l, src_r) = (t.col("source_dataset_l"), t.col("source_dataset_r"));
    let fields = splink_fields(t);
    let extras: Vec<(Option<usize>, Option<usize>, Option<usize>)> = fields
        .iter()
        .map(|(name, _, _)| {
            (t.col(&format!("gamma_{name}")), t.col(&format!("mw_{name}")), t.col(&format!("bf_{name}")))
        })
        .collect();
    let object = opts.object.clone().unwrap_or_else(|| DEFAULT_OBJECT.to_string());
    let mut row = Row::default();
    while t.next_row(&mut row)? {
        let mut side = |id_col: usize,
                        src_col: Option<usize>,
                        pick: fn(&(String, usize, usize)) -> usize|
         -> Result<RecordRef> {
            let id = row.get(id_col).ok_or_else(|| t.error(row.line, id_col, "missing record id"))?;
            let source = embedded_source(&row, src_col, opts, "splink");
            let fields: Fields = fields
                .iter()
                .filter_map(|f| row.get(pick(f)).map(|v| (f.0.clone(), v.to_string())))
                .collect();
            sink.embed(NewRecord {
                object: object.clone(),
                key: RecordKey::new(source, id),
                fields,
                created: None,
                updated: None,
            })
        };
        let l = side(id_l, src_l, |f| f.1)?;
        let r = side(id_r, src_r, |f| f.2)?;
        if l.rowid == r.rowid {
            return Err(t.error(row.line, id_r, "a record cannot be a duplicate of itself").into());
        }
        let score = parse_score(t, &row, prob)?;
        let mut reasons = Vec::with_capacity(fields.len() + 1);
        let mut head = format!("Splink match probability {score:.4}");
        if let Some(w) = weight.and_then(|c| row.get(c)) {
            head.push_str(&format!(", match weight {w}"));
        }
        if let Some(k) = match_key.and_then(|c| row.get(c)) {
            head.push_str(&format!(" (blocking rule {k})"));
        }
        reasons.push(Reason::text(head));
        for ((name, lc, rc), (gamma, mw, bf)) in fields.iter().zip(&extras) {
            let level = gamma.and_then(|c| row.get(c)).and_then(|g| g.parse::<i32>().ok());
            let weight = mw
                .and_then(|c| row.get(c))
                .and_then(|w| w.parse::<f64>().ok())
                .or_else(|| bf.and_then(|c| row.get(c)).and_then(|b| b.parse::<f64>().ok()).map(f64::log2));
            let (lv, rv) = (row.get(*lc).unwrap_or(""), row.get(*rc).unwrap_or(""));
            let text = match level {
                Some(-1) => format!("{name}: a value is missing"),
                Some(g) => format!("{name}: comparison level {g}"),
                None => format!("{name}: compared"),
            };
            reasons.push(Reason {
                field: name.clone(),
                text,
                values: Some((lv.to_string(), rv.to_string())),
                level,
                weight,
            });
        }
        sink.candidate(object.clone(), vec![l, r], score, reasons)?;
        sink.row_done();
    }
    Ok(())
}

/// How a clustering tool's output names its columns.
struct ToolClusters {
    name: &'static str,
    cluster: &'static str,
    /// Per-record score columns; the lowest non-empty one counts.
    scores: &'static [&'static str],
    ids: &'static [&'static str],
    /// Columns that are the tool's, not the record's.
    own: &'static [&'static str],
}

impl ToolClusters {
    fn splink() -> Self {
        ToolClusters {
            name: "Splink",
            cluster: "cluster_id",
            scores: &[],
            ids: &["unique_id"],
            own: &["cluster_id", "source_dataset"],
        }
    }
    fn dedupe() -> Self {
        ToolClusters {
            name: "dedupe",
            cluster: "Cluster ID",
            scores: &["confidence_score", "confidence", "Link Score"],
            ids: &["rec_id", "id", "Id", "record_id"],
            own: &["Cluster ID", "confidence_score", "confidence", "Link Score", "source file"],
        }
    }
    fn zingg() -> Self {
        ToolClusters {
            name: "Zingg",
            cluster: "z_cluster",
            scores: &["z_minScore"],
            ids: &["id", "rec_id", "unique_id"],
            own: &["z_cluster", "z_minScore", "z_maxScore", "z_isMatch", "z_zid"],
        }
    }
}

/// Per-record cluster outputs (Splink clusters, dedupe, Zingg): each row is a record with its
/// values and its cluster; clusters of two or more become candidates.
fn read_tool_clusters(
    t: &mut Table,
    sink: &mut Sink,
    opts: &CandidateOptions,
    tool: ToolClusters,
) -> Result<()> {
    let cluster = t.col(tool.cluster).expect("checked by layout");
    let id = match &opts.id_column {
        Some(name) => t.col(name),
        None => tool.ids.iter().find_map(|n| t.col(n)),
    }
    .ok_or_else(|| {
        InputError::at(
            &t.file,
            1,
            None,
            format!("no record id column (tried {}; give --id-column)", tool.ids.join(", ")),
        )
    })?;
    let scores: Vec<usize> = tool.scores.iter().filter_map(|n| t.col(n)).collect();
    let source_col = t.col("source_dataset");
    let object = opts.object.clone().unwrap_or_else(|| DEFAULT_OBJECT.to_string());
    let default_source = tool.name.to_lowercase();
    let fields: Vec<(usize, String)> = t
        .headers
        .iter()
        .enumerate()
        .filter(|(i, h)| *i != id && !tool.own.contains(&h.as_str()))
        .map(|(i, h)| (i, h.clone()))
        .collect();
    let mut row = Row::default();
    while t.next_row(&mut row)? {
        let rid = row.get(id).ok_or_else(|| t.error(row.line, id, "missing record id"))?;
        let cid =
            row.get(cluster).ok_or_else(|| t.error(row.line, cluster, "missing cluster id"))?.to_string();
        let source = embedded_source(&row, source_col, opts, &default_source);
        let values: Fields =
            fields.iter().filter_map(|(i, h)| row.get(*i).map(|v| (h.clone(), v.to_string()))).collect();
        let r = sink.embed(NewRecord {
            object: object.clone(),
            key: RecordKey::new(source, rid),
            fields: values,
            created: None,
            updated: None,
        })?;
        let mut score = None;
        for &c in &scores {
            if row.get(c).is_some() {
                let s = parse_score(t, &row, c)?;
                score = Some(score.map_or(s, |o: f64| o.min(s)));
            }
        }
        sink.add_to_cluster(&cid, r, object.clone(), score, None);
        sink.row_done();
    }
    sink.flush_clusters(tool.name)
}

/// The 18-character, case-insensitive form of a 15-character Salesforce id.
pub fn salesforce_id18(id: &str) -> Option<String> {
    if id.len() != 15 || !id.bytes().all(|b| b.is_ascii_alphanumeric()) {
        return None;
    }
    const ALPHABET: &[u8; 32] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZ012345";
    let mut out = id.to_string();
    for chunk in id.as_bytes().chunks(5) {
        let bits = chunk
            .iter()
            .enumerate()
            .fold(0usize, |acc, (i, b)| acc | (usize::from(b.is_ascii_uppercase()) << i));
        out.push(ALPHABET[bits] as char);
    }
    Some(out)
}

/// Salesforce duplicate record items (`DuplicateRecordSetId`, `RecordId`) or a duplicate record set
/// report (set name and a record id column). Members must already be in the workspace; a
/// 15-character id matches its 18-character form.
fn read_salesforce(t: &mut Table, sink: &mut Sink, opts: &CandidateOptions) -> Result<()> {
    let set = t
        .col("DuplicateRecordSetId")
        .or_else(|| t.headers.iter().position(|h| h.starts_with("Duplicate Record Set")))
        .expect("checked by layout");
    let id = match &opts.id_column {
        Some(name) => t.col(name),
        None => t
            .col("RecordId")
            .or_else(|| t.headers.iter().enumerate().position(|(i, h)| i != set && loose(h).ends_with("id"))),
    }
    .ok_or_else(|| {
        InputError::at(
            &t.file,
            1,
            None,
            "no record id column (`RecordId`, `Contact ID`, …; give --id-column)",
        )
    })?;
    let source = opts.source.clone().unwrap_or_else(|| "salesforce".to_string());
    let mut row = Row::default();
    while t.next_row(&mut row)? {
        let rid = row.get(id).ok_or_else(|| t.error(row.line, id, "missing record id"))?.trim();
        let sid =
            row.get(set).ok_or_else(|| t.error(row.line, set, "missing duplicate record set"))?.to_string();
        let key = format!("{source}:{rid}");
        let found = sink.index.resolve(&key).map(|(r, o)| (r, o.to_string())).or_else(|e| {
            match salesforce_id18(rid).and_then(|long| sink.index.resolve(&format!("{source}:{long}")).ok()) {
                Some((r, o)) => Ok((r, o.to_string())),
                None => Err(e),
            }
        });
        let (r, obj) = found.map_err(|e| t.error(row.line, id, crate::text::visible(&e).into_owned()))?;
        sink.add_to_cluster(&sid, r, obj, None, None);
        sink.row_done();
    }
    sink.flush_clusters("a Salesforce duplicate rule")
}

#[cfg(test)]
mod tests {
    use super::salesforce_id18;

    #[test]
    fn salesforce_ids() {
        // Known pairs from Salesforce's documentation and real orgs.
        assert_eq!(salesforce_id18("001A0000006Vm9r").as_deref(), Some("001A0000006Vm9rIAC"));
        assert_eq!(salesforce_id18("0034100000n7m3G").map(|s| s.len()), Some(18));
        assert_eq!(salesforce_id18("short"), None);
    }
}
