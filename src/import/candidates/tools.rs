//! Other tools' outputs: Splink predictions and clusters, dedupe, Zingg, Salesforce duplicate sets.

use super::sink::Sink;
use super::{parse_score, CandidateOptions, DEFAULT_OBJECT};
use crate::import::records::loose;
use crate::import::table::{Row, Table};
use crate::import::InputError;
use crate::model::{Fields, Reason, RecordKey};
use crate::store::{NewRecord, RecordRef};
use anyhow::Result;

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

/// A source read from the file's source column must not hold `:`: a key `a:b:id` could not be
/// named again (`--pick`, `--survivor`), since a key's source ends at its first `:`.
fn check_source(t: &Table, row: &Row, col: Option<usize>, source: &str) -> Result<(), InputError> {
    match col {
        Some(c) if source.contains(':') => Err(t.error(
            row.line,
            c,
            format!(
                "source `{}` holds `:`, which a record key `source:id` cannot",
                crate::text::visible(source)
            ),
        )),
        _ => Ok(()),
    }
}

/// Splink pairwise predictions: both records are in the row (`<col>_l`, `<col>_r`), with the
/// comparison level (`gamma_<col>`) and, in Splink 5, the match weight (`mw_<col>`) of each field.
pub(super) fn read_splink_predictions(t: &mut Table, sink: &mut Sink, opts: &CandidateOptions) -> Result<()> {
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
            check_source(t, &row, src_col, &source)?;
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
pub(super) struct ToolClusters {
    name: &'static str,
    cluster: &'static str,
    /// Per-record score columns; the lowest non-empty one counts.
    scores: &'static [&'static str],
    ids: &'static [&'static str],
    /// Columns that are the tool's, not the record's.
    own: &'static [&'static str],
    /// The column saying which input a record came from, in a linkage of several inputs: the same
    /// id in two inputs is two records, never one.
    input: &'static str,
    /// The `input` column numbers the inputs (dedupe's `source file`: 0, 1) rather than naming
    /// them: the source is then `<--source or the tool>-<number>`.
    input_numbered: bool,
    /// A score of 0 means "linked only through other members" (newer Zingg), not "no match":
    /// such members do not sink their cluster's score.
    zero_is_through: bool,
}

impl ToolClusters {
    pub(super) fn splink() -> Self {
        ToolClusters {
            name: "Splink",
            cluster: "cluster_id",
            scores: &[],
            ids: &["unique_id"],
            own: &["cluster_id", "source_dataset"],
            input: "source_dataset",
            input_numbered: false,
            zero_is_through: false,
        }
    }
    pub(super) fn dedupe() -> Self {
        ToolClusters {
            name: "dedupe",
            cluster: "Cluster ID",
            scores: &["confidence_score", "confidence", "Link Score"],
            ids: &["rec_id", "id", "Id", "record_id"],
            own: &["Cluster ID", "confidence_score", "confidence", "Link Score", "source file"],
            input: "source file",
            input_numbered: true,
            zero_is_through: false,
        }
    }
    pub(super) fn zingg() -> Self {
        ToolClusters {
            name: "Zingg",
            cluster: "z_cluster",
            scores: &["z_minScore"],
            ids: &["id", "rec_id", "unique_id"],
            own: &["z_cluster", "z_minScore", "z_maxScore", "z_isMatch", "z_zid", "z_source"],
            input: "z_source",
            input_numbered: false,
            zero_is_through: true,
        }
    }
}

/// Per-record cluster outputs (Splink clusters, dedupe, Zingg): each row is a record with its
/// values and its cluster; clusters of two or more become candidates.
pub(super) fn read_tool_clusters(
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
    let input_col = t.col(tool.input);
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
        let source = match input_col.and_then(|c| row.get(c)) {
            Some(n) if tool.input_numbered => {
                format!("{}-{n}", opts.source.as_deref().unwrap_or(&default_source))
            }
            _ => embedded_source(&row, input_col, opts, &default_source),
        };
        check_source(t, &row, input_col, &source)?;
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
        if tool.zero_is_through && score == Some(0.0) {
            sink.add_to_cluster(&cid, r, object.clone(), None, None);
            sink.scored_zero(&cid, object.clone());
        } else {
            sink.add_to_cluster(&cid, r, object.clone(), score, None);
        }
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
pub(super) fn read_salesforce(t: &mut Table, sink: &mut Sink, opts: &CandidateOptions) -> Result<()> {
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
