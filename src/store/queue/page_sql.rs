//! The SQL of one queue page: the filters (with a search that folds case beyond ASCII), the
//! keyset where the page starts, and the index each status and order walks. Apart from the reads
//! in `queue` because this is text-building with its own test of SQLite's plans: no page may sort
//! the whole queue.

use super::{PageFrom, QueueOrder, QueueQuery};
use crate::model::Status;
use rusqlite::types::Value;

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
pub(in crate::store) fn register_fold(conn: &rusqlite::Connection) -> rusqlite::Result<()> {
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
pub(super) fn page_sql(q: &QueueQuery, from: PageFrom, limit: usize) -> (String, Vec<Value>, bool) {
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

#[cfg(test)]
mod plan_tests {
    use super::*;
    use crate::model::CandidateId;
    use crate::store::{QueueKey, Store};
    use rusqlite::params_from_iter;

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
