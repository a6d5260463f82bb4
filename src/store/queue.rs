//! The review console's reads: queue pages by keyset (never the whole queue), the distinct objects
//! and sources to filter by, and where each steward left the console. Decisions are not written
//! here: they go through the journal.

use super::candidates::parse_members;
use super::records::record_from_row;
use super::Store;
use crate::model::{CandidateId, Record, Status};
use anyhow::{Context, Result};
use rusqlite::types::Value;
use rusqlite::{params, params_from_iter, OptionalExtension};
use std::collections::HashMap;
use std::time::Duration;

/// The order a queue page is read in.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum QueueOrder {
    /// Best score first (ties by id).
    #[default]
    Score,
    /// Oldest candidate first: ids grow with the time a candidate was proposed.
    Age,
}

/// Which candidates a queue page holds.
#[derive(Debug, Clone, Default, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct QueueQuery {
    pub status: Option<Status>,
    pub object: Option<String>,
    /// Only candidates with a member from this source.
    pub source: Option<String>,
    /// Scores at or above this.
    pub score_min: Option<f64>,
    /// Scores below this.
    pub score_below: Option<f64>,
    /// Only candidates with a member having a field value containing this text (any case).
    pub search: Option<String>,
    pub order: QueueOrder,
}

/// A candidate's place in the queue order: the keyset pages continue from.
#[derive(Debug, Clone, Copy, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct QueueKey {
    pub score: f64,
    pub id: CandidateId,
}

/// Where a page starts.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum PageFrom {
    Start,
    End,
    /// The rows after this key (exclusive).
    After(QueueKey),
    /// This key's row (when it still matches) and the rows after it.
    AtOrAfter(QueueKey),
    /// The rows before this key (exclusive); returned in queue order.
    Before(QueueKey),
}

/// One candidate of a queue page, with its member records as they are now.
#[derive(Debug, Clone, PartialEq)]
pub struct QueueRow {
    pub id: CandidateId,
    pub object: String,
    pub score: f64,
    pub status: Status,
    pub created_at: String,
    /// Each member record with the version it had when the candidate was proposed, in key order.
    pub members: Vec<(Record, i64)>,
}

impl QueueRow {
    pub fn key(&self) -> QueueKey {
        QueueKey { score: self.score, id: self.id }
    }
}

/// `text` as a LIKE pattern that matches it anywhere, with `%`, `_` and `\` taken literally.
fn like_anywhere(text: &str) -> String {
    let mut out = String::with_capacity(text.len() + 2);
    out.push('%');
    for c in text.chars() {
        if matches!(c, '%' | '_' | '\\') {
            out.push('\\');
        }
        out.push(c);
    }
    out.push('%');
    out
}

/// `mergeq_fold(text)`: the text in lower case by Unicode's rules. SQLite's own `LIKE` and
/// `lower()` fold ASCII letters only, so a search for `müller` would miss `MÜLLER`.
pub(super) fn register_fold(conn: &rusqlite::Connection) -> rusqlite::Result<()> {
    use rusqlite::functions::FunctionFlags;
    conn.create_scalar_function(
        "mergeq_fold",
        1,
        FunctionFlags::SQLITE_UTF8 | FunctionFlags::SQLITE_DETERMINISTIC,
        |ctx| {
            Ok(match ctx.get_raw(0) {
                rusqlite::types::ValueRef::Text(t) => Some(String::from_utf8_lossy(t).to_lowercase()),
                _ => None,
            })
        },
    )
}

/// Adds a parameter and returns its placeholder.
fn arg(v: Value, args: &mut Vec<Value>) -> String {
    args.push(v);
    format!("?{}", args.len())
}

/// The members of candidate `c` as rows of records `r` (members are inline in `member_key`).
const MEMBERS: &str = "json_each('[' || c.member_key || ']') m JOIN records r ON r.id = m.value";

/// The filter conditions of a query (all but status), as SQL on candidates `c`.
fn filter_conds(q: &QueueQuery, args: &mut Vec<Value>) -> Vec<String> {
    let mut conds: Vec<String> = Vec::new();
    if let Some(o) = &q.object {
        conds.push(format!("c.object = {}", arg(Value::Text(o.clone()), args)));
    }
    if let Some(lo) = q.score_min {
        conds.push(format!("c.score >= {}", arg(Value::Real(lo), args)));
    }
    if let Some(hi) = q.score_below {
        conds.push(format!("c.score < {}", arg(Value::Real(hi), args)));
    }
    if let Some(src) = &q.source {
        let p = arg(Value::Text(src.clone()), args);
        conds.push(format!("EXISTS (SELECT 1 FROM {MEMBERS} WHERE r.source = {p})"));
    }
    if let Some(text) = q.search.as_deref().filter(|t| !t.is_empty()) {
        // LIKE ignores the case of ASCII letters; beyond ASCII both sides are folded first.
        let fold = |column: &str| {
            if text.is_ascii() {
                column.to_string()
            } else {
                format!("mergeq_fold({column})")
            }
        };
        let p = arg(Value::Text(like_anywhere(&text.to_lowercase())), args);
        // The raw JSON text is a cheap first test; json_each then keeps only matches in values
        // (not in field names). Values with quotes or backslashes are escaped in the JSON, so
        // for such a search only the exact test runs.
        let prefilter = if text.contains(['"', '\\']) || text.chars().any(char::is_control) {
            String::new()
        } else {
            format!("{} LIKE {p} ESCAPE '\\' AND ", fold("r.fields"))
        };
        conds.push(format!(
            "EXISTS (SELECT 1 FROM {MEMBERS} WHERE {prefilter}\
             EXISTS (SELECT 1 FROM json_each(r.fields) j WHERE {} LIKE {p} ESCAPE '\\'))",
            fold("j.value")
        ));
    }
    conds
}

/// The keyset condition of a page start, and whether the page is read backwards.
fn keyset(order: QueueOrder, from: PageFrom, args: &mut Vec<Value>) -> (Option<String>, bool) {
    match (order, from) {
        (_, PageFrom::Start) => (None, false),
        (_, PageFrom::End) => (None, true),
        (QueueOrder::Score, PageFrom::After(k) | PageFrom::AtOrAfter(k)) => {
            let s = arg(Value::Real(k.score), args);
            let i = arg(Value::Integer(k.id.0), args);
            let op = if matches!(from, PageFrom::After(_)) { ">" } else { ">=" };
            (Some(format!("c.score <= {s} AND (c.score < {s} OR c.id {op} {i})")), false)
        }
        (QueueOrder::Score, PageFrom::Before(k)) => {
            let s = arg(Value::Real(k.score), args);
            let i = arg(Value::Integer(k.id.0), args);
            (Some(format!("c.score >= {s} AND (c.score > {s} OR c.id < {i})")), true)
        }
        (QueueOrder::Age, PageFrom::After(k)) => {
            (Some(format!("c.id > {}", arg(Value::Integer(k.id.0), args))), false)
        }
        (QueueOrder::Age, PageFrom::AtOrAfter(k)) => {
            (Some(format!("c.id >= {}", arg(Value::Integer(k.id.0), args))), false)
        }
        (QueueOrder::Age, PageFrom::Before(k)) => {
            (Some(format!("c.id < {}", arg(Value::Integer(k.id.0), args))), true)
        }
    }
}

/// The columns a page reads.
const COLUMNS: &str = "c.id AS id, c.object AS object, c.score AS score, c.status AS status, \
                       coalesce(c.created_at, (SELECT b.at FROM batches b WHERE b.id = c.batch_id)) AS created_at, \
                       c.member_key AS member_key, c.member_versions AS member_versions";

/// The SQL of one page request with its parameters, and whether its rows come in reverse.
fn page_sql(q: &QueueQuery, from: PageFrom, limit: usize) -> (String, Vec<Value>, bool) {
    let mut args = Vec::new();
    let mut conds = filter_conds(q, &mut args);
    let (key, reversed) = keyset(q.order, from, &mut args);
    conds.extend(key);
    let order = match (q.order, reversed) {
        (QueueOrder::Score, false) => "score DESC, id ASC",
        (QueueOrder::Score, true) => "score ASC, id DESC",
        (QueueOrder::Age, false) => "id ASC",
        (QueueOrder::Age, true) => "id DESC",
    };
    let n = arg(Value::Integer(limit as i64), &mut args);
    let select = |status: Option<String>, table: &str| {
        let mut all = conds.clone();
        all.extend(status.map(|s| format!("c.status = {s}")));
        let filter = if all.is_empty() { String::new() } else { format!("WHERE {}", all.join(" AND ")) };
        format!("SELECT {COLUMNS} FROM {table} {filter} ORDER BY {order} LIMIT {n}")
    };
    let sql = match (q.status, q.order) {
        // By age, each of the two partial indexes (pending by id; decided by status and id) is
        // used only when the query states its condition.
        (Some(Status::Pending), QueueOrder::Age) => {
            select(Some("'pending'".into()), "candidates c INDEXED BY candidates_pending_by_id")
        }
        (Some(s), QueueOrder::Age) => {
            let p = arg(Value::Text(s.as_str().into()), &mut args);
            select(Some(format!("{p} AND c.status <> 'pending'")), "candidates c")
        }
        (Some(s), QueueOrder::Score) => {
            let p = arg(Value::Text(s.as_str().into()), &mut args);
            select(Some(p), "candidates c")
        }
        (None, QueueOrder::Age) => select(None, "candidates c"),
        // Every status in score order: each status walks its own index, and the pages merge.
        (None, QueueOrder::Score) => {
            let parts: Vec<String> = Status::ALL
                .iter()
                .map(|s| {
                    format!("SELECT * FROM ({})", select(Some(format!("'{}'", s.as_str())), "candidates c"))
                })
                .collect();
            format!("{} ORDER BY {order} LIMIT {n}", parts.join(" UNION ALL "))
        }
    };
    (sql, args, reversed)
}

impl Store {
    /// One page of the queue: at most `limit` candidates from `from` on, in queue order, each
    /// with its members. Reads only the page (keyset pagination on the queue's indexes).
    pub fn queue_page(&self, q: &QueueQuery, from: PageFrom, limit: usize) -> Result<Vec<QueueRow>> {
        let (sql, args, reversed) = page_sql(q, from, limit);
        let mut stmt = self.conn().prepare_cached(&sql)?;
        let rows = stmt.query_map(params_from_iter(args), |r| {
            Ok((
                r.get::<_, i64>("id")?,
                r.get::<_, String>("object")?,
                r.get::<_, f64>("score")?,
                r.get::<_, String>("status")?,
                r.get::<_, String>("created_at")?,
                r.get::<_, String>("member_key")?,
                r.get::<_, String>("member_versions")?,
            ))
        })?;
        let mut page = Vec::with_capacity(limit);
        let mut members = Vec::with_capacity(limit);
        for row in rows {
            let (id, object, score, status, created_at, key, versions) = row?;
            page.push(QueueRow {
                id: CandidateId(id),
                object,
                score,
                status: Status::parse(&status).context("unknown status in workspace")?,
                created_at,
                members: Vec::new(),
            });
            members.push(parse_members(&key, &versions));
        }
        if reversed {
            page.reverse();
            members.reverse();
        }
        self.fill_members(&mut page, &members)?;
        Ok(page)
    }

    /// Reads the member records of a page's candidates in one query.
    fn fill_members(&self, page: &mut [QueueRow], members: &[Vec<(i64, i64)>]) -> Result<()> {
        let ids: Vec<i64> = members.iter().flatten().map(|(id, _)| *id).collect();
        if ids.is_empty() {
            return Ok(());
        }
        let mut stmt = self
            .conn()
            .prepare_cached("SELECT * FROM records WHERE id IN (SELECT value FROM json_each(?1))")?;
        let rows = stmt.query_map(params![serde_json::to_string(&ids)?], |row| {
            Ok((row.get::<_, i64>("id")?, record_from_row(row)?))
        })?;
        let records: HashMap<i64, Record> = rows.collect::<Result<_, _>>()?;
        for (row, list) in page.iter_mut().zip(members) {
            row.members = list.iter().filter_map(|(id, v)| Some((records.get(id)?.clone(), *v))).collect();
            row.members.sort_by(|a, b| a.0.key.cmp(&b.0.key));
        }
        Ok(())
    }

    /// The queue key of one candidate (to continue the queue from it), or `None` when it is gone.
    pub fn queue_key(&self, id: CandidateId) -> Result<Option<QueueKey>> {
        let score = self
            .conn()
            .prepare_cached("SELECT score FROM candidates WHERE id = ?1")?
            .query_row(params![id.0], |r| r.get::<_, f64>(0))
            .optional()?;
        Ok(score.map(|score| QueueKey { score, id }))
    }

    /// The distinct objects of the workspace's records, sorted. No index leads with the object,
    /// so this reads every record: the console asks only when a steward filters by object.
    pub fn record_objects(&self) -> Result<Vec<String>> {
        let mut stmt = self.conn().prepare_cached("SELECT DISTINCT object FROM records ORDER BY object")?;
        let rows = stmt.query_map([], |r| r.get::<_, String>(0))?;
        Ok(rows.collect::<Result<_, _>>()?)
    }

    /// The distinct sources of the workspace's records, sorted (one index seek per source).
    pub fn record_sources(&self) -> Result<Vec<String>> {
        self.distinct("SELECT min(source) FROM records WHERE source > ?1")
    }

    fn distinct(&self, sql: &str) -> Result<Vec<String>> {
        let mut stmt = self.conn().prepare_cached(sql)?;
        let mut out: Vec<String> = Vec::new();
        let mut last = String::new();
        while let Some(next) = stmt.query_row(params![last], |r| r.get::<_, Option<String>>(0))? {
            out.push(next.clone());
            last = next;
        }
        Ok(out)
    }

    /// Candidates per status, from the counts the triggers keep (one small read, whatever the
    /// size of the queue).
    pub fn status_counts(&self) -> Result<Vec<(Status, i64)>> {
        let mut stmt = self
            .conn()
            .prepare_cached("SELECT status, sum(n) FROM candidate_counts GROUP BY status ORDER BY status")?;
        let rows = stmt.query_map([], |r| Ok((r.get::<_, String>(0)?, r.get::<_, i64>(1)?)))?;
        let mut out = Vec::new();
        for row in rows {
            let (status, n) = row?;
            out.push((Status::parse(&status).context("unknown status in workspace")?, n));
        }
        Ok(out)
    }

    /// How many journal entries after `after_seq` have one of `actions` (the journal screen's
    /// count of decisions no sign-off covers yet).
    pub fn journal_count_after(&self, after_seq: i64, actions: &[&str]) -> Result<i64> {
        let names = serde_json::to_string(actions)?;
        Ok(self
            .conn()
            .prepare_cached(
                "SELECT count(*) FROM journal WHERE seq > ?1 AND action IN (SELECT value FROM json_each(?2))",
            )?
            .query_row(params![after_seq, names], |r| r.get(0))?)
    }

    /// Where this steward left the console (its JSON), if anywhere.
    pub fn ui_state(&self, steward: &str) -> Result<Option<String>> {
        Ok(self
            .conn()
            .prepare_cached("SELECT state FROM ui_state WHERE steward = ?1")?
            .query_row(params![steward], |r| r.get(0))
            .optional()?)
    }

    /// Remembers where this steward is in the console, without waiting for the disk: a crash of
    /// mergeq or of the terminal keeps it (it is in the WAL), only a power cut may lose the latest
    /// place, and no decision is ever written so. `wait: false` (the saves made while the steward
    /// works) gives up at once when another mergeq is writing: an import or a detection must not
    /// hold the console up, and the next save or the quit writes the place.
    pub fn save_ui_state(&mut self, steward: &str, state: &str, at: &str, wait: bool) -> Result<()> {
        let busy: i64 = self.conn.query_row("PRAGMA busy_timeout", [], |r| r.get(0))?;
        if !wait {
            self.conn.busy_timeout(Duration::ZERO)?;
        }
        self.conn.pragma_update(None, "synchronous", "NORMAL")?;
        let written = self.write(|tx| {
            tx.conn()
                .prepare_cached(
                    "INSERT INTO ui_state (steward, state, at) VALUES (?1, ?2, ?3) \
                     ON CONFLICT (steward) DO UPDATE SET state = excluded.state, at = excluded.at",
                )?
                .execute(params![steward, state, at])?;
            Ok(())
        });
        // Put both back before reporting anything: decisions are written with FULL.
        let restored = self
            .conn
            .pragma_update(None, "synchronous", "FULL")
            .and_then(|_| self.conn.busy_timeout(Duration::from_millis(busy.max(0) as u64)));
        written.and(restored.map_err(Into::into))
    }

    /// How long a write waits for another mergeq holding the workspace before it fails. The
    /// console keeps this short so that a locked workspace becomes a message, not a frozen screen.
    pub fn set_busy_timeout(&self, wait: Duration) -> Result<()> {
        self.conn().busy_timeout(wait)?;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{Fields, RecordKey};
    use crate::store::{BatchId, NewBatch, NewCandidate, NewRecord, Tx};

    /// A workspace of `n` pair candidates over contacts; candidate i has score from the table.
    fn workspace(scores: &[f64]) -> Store {
        let mut store = Store::in_memory().unwrap();
        store
            .write(|tx| {
                let batch =
                    tx.begin_batch(&NewBatch::new("records", "t", "csv", "2026-01-01T00:00:00Z", "t"))?;
                for (i, score) in scores.iter().enumerate() {
                    let (ann, anne, id) = (format!("Ann {i}"), format!("Anne {i}"), format!("{i}"));
                    add_candidate(tx, batch, &[("salesforce", &id, &ann), ("hubspot", &id, &anne)], *score)?;
                }
                Ok(())
            })
            .unwrap();
        store
    }

    /// A contact candidate of `members` (source, id, name), each record added with its name.
    fn add_candidate(tx: &Tx, batch: BatchId, members: &[(&str, &str, &str)], score: f64) -> Result<()> {
        let mut refs = Vec::new();
        for (source, id, name) in members {
            let fields: Fields = [("name".to_string(), name.to_string())].into_iter().collect();
            let rec = NewRecord {
                object: "contact".into(),
                key: RecordKey::new(*source, *id),
                fields,
                created: None,
                updated: None,
            };
            refs.push(tx.upsert_record(batch, &rec)?.1);
        }
        let c = NewCandidate {
            object: "contact".into(),
            members: refs,
            score,
            origin: "test".into(),
            reasons: vec![],
        };
        tx.upsert_candidate(Some(batch), "2026-01-01T00:00:00Z", &c)?;
        Ok(())
    }

    fn ids(rows: &[QueueRow]) -> Vec<i64> {
        rows.iter().map(|r| r.id.0).collect()
    }

    #[test]
    fn pages_follow_the_keyset_both_ways() {
        let store = workspace(&[0.5, 0.9, 0.9, 0.7, 0.95, 0.6]);
        let q = QueueQuery::default();
        let first = store.queue_page(&q, PageFrom::Start, 3).unwrap();
        assert_eq!(ids(&first), [5, 2, 3]);
        let next = store.queue_page(&q, PageFrom::After(first[2].key()), 3).unwrap();
        assert_eq!(ids(&next), [4, 6, 1]);
        let back = store.queue_page(&q, PageFrom::Before(next[0].key()), 2).unwrap();
        assert_eq!(ids(&back), [2, 3]);
        let at = store.queue_page(&q, PageFrom::AtOrAfter(first[1].key()), 2).unwrap();
        assert_eq!(ids(&at), [2, 3]);
        let end = store.queue_page(&q, PageFrom::End, 2).unwrap();
        assert_eq!(ids(&end), [6, 1]);
        let age = QueueQuery { order: QueueOrder::Age, ..QueueQuery::default() };
        assert_eq!(ids(&store.queue_page(&age, PageFrom::After(first[0].key()), 9).unwrap()), [6]);
        assert_eq!(first[0].members.len(), 2);
        assert_eq!(first[0].members[0].0.key, RecordKey::new("hubspot", "4"));
    }

    #[test]
    fn filters_narrow_the_page() {
        let store = workspace(&[0.5, 0.9, 0.7]);
        let page = |q: QueueQuery| ids(&store.queue_page(&q, PageFrom::Start, 10).unwrap());
        let band = QueueQuery { score_min: Some(0.6), score_below: Some(0.8), ..QueueQuery::default() };
        assert_eq!(page(band), [3]);
        let search = QueueQuery { search: Some("NNE 1".into()), ..QueueQuery::default() };
        assert_eq!(page(search), [2]);
        let field_name = QueueQuery { search: Some("name".into()), ..QueueQuery::default() };
        assert!(page(field_name).is_empty(), "field names are not values");
        let wild = QueueQuery { search: Some("%".into()), ..QueueQuery::default() };
        assert!(page(wild).is_empty());
        let source = QueueQuery { source: Some("webform".into()), ..QueueQuery::default() };
        assert!(page(source).is_empty());
        let pending = QueueQuery {
            status: Some(Status::Pending),
            object: Some("contact".into()),
            ..QueueQuery::default()
        };
        assert_eq!(page(pending), [2, 3, 1]);
        assert_eq!(store.record_sources().unwrap(), ["hubspot", "salesforce"]);
        assert_eq!(store.record_objects().unwrap(), ["contact"]);
    }

    #[test]
    fn search_ignores_case_beyond_ascii() {
        let mut store = workspace(&[0.5]);
        store
            .write(|tx| {
                let batch =
                    tx.begin_batch(&NewBatch::new("records", "u", "csv", "2026-01-01T00:00:00Z", "t"))?;
                add_candidate(
                    tx,
                    batch,
                    &[("webform", "u1", "Jürgen MÜLLER"), ("webform", "u2", "Zoë Åberg")],
                    0.9,
                )
            })
            .unwrap();
        let page = |text: &str| {
            let q = QueueQuery { search: Some(text.into()), ..QueueQuery::default() };
            ids(&store.queue_page(&q, PageFrom::Start, 10).unwrap())
        };
        for text in ["müller", "Müller", "MÜLLER", "jürgen m", "ÅBERG", "zoË"] {
            assert_eq!(page(text), [2], "{text}");
        }
        assert_eq!(page("mueller"), Vec::<i64>::new(), "folding is of case, not of spelling");
        assert_eq!(page("ANN 0"), [1], "ASCII as before");
    }

    #[test]
    fn status_counts_follow_every_change() {
        let mut store = workspace(&[0.5, 0.9, 0.7]);
        let counts = |s: &Store| s.status_counts().unwrap();
        assert_eq!(counts(&store), [(Status::Pending, 3)]);
        store
            .write(|tx| {
                tx.conn().execute("UPDATE candidates SET status = 'approved' WHERE id = 1", [])?;
                tx.conn().execute("UPDATE candidates SET status = 'rejected' WHERE id = 2", [])?;
                tx.conn().execute("UPDATE candidates SET status = 'rejected' WHERE id = 2", [])?;
                Ok(())
            })
            .unwrap();
        assert_eq!(counts(&store), [(Status::Approved, 1), (Status::Pending, 1), (Status::Rejected, 1)]);
        let full = store.counts().unwrap();
        assert_eq!((full.approved, full.pending, full.rejected), (1, 1, 1));
    }

    #[test]
    fn ui_state_is_kept_per_steward() {
        let mut store = workspace(&[]);
        assert_eq!(store.ui_state("ann").unwrap(), None);
        store.save_ui_state("ann", "{\"a\":1}", "t", true).unwrap();
        store.save_ui_state("ann", "{\"a\":2}", "t", false).unwrap();
        let synchronous: i64 = store.conn().query_row("PRAGMA synchronous", [], |r| r.get(0)).unwrap();
        assert_eq!(synchronous, 2, "FULL again for the decisions that follow");
        assert_eq!(store.ui_state("ann").unwrap().as_deref(), Some("{\"a\":2}"));
        assert_eq!(store.ui_state("bob").unwrap(), None);
    }
}

#[cfg(test)]
mod plan_tests {
    use super::*;

    /// SQLite's plan for a page request, one line per step.
    fn plan(store: &Store, q: &QueueQuery, from: PageFrom) -> String {
        let (sql, args, _) = page_sql(q, from, 50);
        let mut stmt = store.conn().prepare(&format!("EXPLAIN QUERY PLAN {sql}")).unwrap();
        let rows = stmt.query_map(params_from_iter(args), |r| r.get::<_, String>(3)).unwrap();
        rows.collect::<rusqlite::Result<Vec<_>>>().unwrap().join("\n")
    }

    /// Every page of the console reads along an index or the table's own order: never a sort
    /// of every candidate of a status (a million after a large load).
    #[test]
    fn no_page_sorts_the_whole_queue() {
        let store = Store::in_memory().unwrap();
        let key = QueueKey { score: 0.5, id: CandidateId(10) };
        let statuses = [
            None,
            Some(Status::Pending),
            Some(Status::Approved),
            Some(Status::Rejected),
            Some(Status::Deferred),
        ];
        for status in statuses {
            for order in [QueueOrder::Score, QueueOrder::Age] {
                for from in [PageFrom::Start, PageFrom::After(key), PageFrom::Before(key), PageFrom::End] {
                    let q = QueueQuery { status, order, ..QueueQuery::default() };
                    let plan = plan(&store, &q, from);
                    let lines: Vec<&str> = plan.lines().collect();
                    for (i, line) in lines.iter().enumerate() {
                        // Only the merge of the per-status pages sorts, and a page is small.
                        if line.contains("TEMP B-TREE") {
                            assert!(lines[i - 1].starts_with("SCAN (subquery"), "{q:?} {from:?}:\n{plan}");
                        }
                    }
                    let expected = match (status, order) {
                        (_, QueueOrder::Score) => "candidates_by_status_score",
                        // Every candidate by age: the table in rowid order, no status to skip.
                        (None, QueueOrder::Age) => "SCAN c",
                        (Some(Status::Pending), QueueOrder::Age) => "candidates_pending_by_id",
                        (Some(_), QueueOrder::Age) => "candidates_decided_by_id",
                    };
                    let by_rowid = plan.contains("USING INTEGER PRIMARY KEY (rowid");
                    assert!(
                        plan.contains(expected) || (expected == "SCAN c" && by_rowid),
                        "{q:?} {from:?}:\n{plan}"
                    );
                }
            }
        }
    }
}
