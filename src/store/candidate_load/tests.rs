//! Bulk loads against in-memory workspaces: a buffered load writes what single upserts write,
//! leaves origin and time to its batch, numbers rows best score first, restores the schema and
//! the page cache. Kept apart so `candidate_load.rs` reads as the code it tests.

use super::*;
use crate::model::{Reason, RecordKey};
use crate::store::candidates::{member_key, QueueFilter};
use crate::store::{NewBatch, NewRecord, RecordRef, Store};

fn seed(store: &mut Store, n: usize) -> Vec<RecordRef> {
    store
        .write(|tx| {
            let batch =
                tx.begin_batch(&NewBatch::new("records", "t.csv", "csv", "2026-01-01T00:00:00Z", "t"))?;
            (0..n)
                .map(|i| {
                    let rec = NewRecord {
                        object: "contact".into(),
                        key: RecordKey::new("s", i.to_string()),
                        fields: Default::default(),
                        created: None,
                        updated: None,
                    };
                    Ok(tx.upsert_record(batch, &rec)?.1)
                })
                .collect()
        })
        .unwrap()
}

fn candidate(members: &[RecordRef], score: f64, origin: &str, reason: &str) -> NewCandidate {
    NewCandidate {
        object: "contact".into(),
        members: members.to_vec(),
        score,
        origin: origin.into(),
        reasons: vec![Reason::text(reason)],
    }
}

/// One stored candidate, then a load that updates it, adds new ones (one of them twice, from
/// two origins) and repeats one unchanged.
fn load(store: &mut Store, r: &[RecordRef], expected: u64) -> (Vec<CandidateUpsert>, bool) {
    load_encoding(store, r, expected, |_| false)
}

/// `load`, giving the reasons of the candidates `encode` picks already serialised.
fn load_encoding(
    store: &mut Store,
    r: &[RecordRef],
    expected: u64,
    encode: impl Fn(usize) -> bool,
) -> (Vec<CandidateUpsert>, bool) {
    store
        .write(|tx| {
            tx.upsert_candidate(None, "t0", &candidate(&[r[0], r[1]], 0.5, "a", "first"))?;
            let batch = tx.begin_batch(&NewBatch::new("candidates", "c.csv", "pairs", "t1", "t"))?;
            let bulk = tx.begin_bulk(expected)?;
            let buffered = bulk.is_buffered();
            let results = [
                candidate(&[r[1], r[0]], 0.9, "a", "first"),
                candidate(&[r[2], r[3]], 0.4, "a", "x"),
                candidate(&[r[3], r[2]], 0.4, "a", "x"),
                candidate(&[r[4], r[5], r[6]], 0.7, "a", "cluster"),
                candidate(&[r[2], r[3]], 0.6, "b", "y"),
                candidate(&[r[5], r[4]], 0.8, "a", "pair"),
            ]
            .iter()
            .enumerate()
            .map(|(i, c)| match encode(i) {
                true => {
                    tx.upsert_encoded_candidate(Some(batch), "t1", c, &serde_json::to_string(&c.reasons)?)
                }
                false => tx.upsert_candidate(Some(batch), "t1", c),
            })
            .collect::<Result<Vec<_>>>()?;
            tx.end_bulk(bulk)?;
            Ok((results, buffered))
        })
        .unwrap()
}

/// The queue as text without candidate ids (a buffered load numbers new ones by score).
fn content(store: &Store) -> Vec<String> {
    let mut rows: Vec<String> = store
        .queue(&QueueFilter::default())
        .unwrap()
        .into_iter()
        .map(|c| format!("{:?} {} {:?} {:?} {:?}", c.members, c.score, c.status, c.origin, c.reasons))
        .collect();
    rows.sort();
    rows
}

#[test]
fn a_buffered_load_writes_what_single_upserts_write() {
    let (mut plain, mut buffered) = (Store::in_memory().unwrap(), Store::in_memory().unwrap());
    let (r1, r2) = (seed(&mut plain, 7), seed(&mut buffered, 7));
    buffered.conn().pragma_update(None, "cache_size", -12_345).unwrap();
    let schema_before = schema(&buffered);
    let (plain_results, was_buffered) = load(&mut plain, &r1, 10);
    assert!(!was_buffered, "a small load is not buffered");
    let (buffered_results, was_buffered) = load(&mut buffered, &r2, 1_000_000);
    assert!(was_buffered, "a large load is buffered");
    use CandidateUpsert::*;
    assert_eq!(plain_results, [Changed, New, Unchanged, New, Changed, New]);
    assert_eq!(buffered_results, plain_results);
    assert_eq!(content(&buffered), content(&plain));
    assert_eq!(content(&plain).len(), 4);
    assert_eq!(counts(&buffered), counts(&plain));
    assert_eq!(schema(&buffered), schema_before, "index and trigger restored as they were");
    let cache: i64 = buffered.conn().query_row("PRAGMA cache_size", [], |r| r.get(0)).unwrap();
    assert_eq!(cache, -12_345, "the caller's page cache is back after the index build");
}

#[test]
fn reasons_given_as_json_are_written_as_the_values_would_be() {
    let plain = {
        let mut store = Store::in_memory().unwrap();
        let r = seed(&mut store, 7);
        load(&mut store, &r, 10);
        content(&store)
    };
    let picks: [fn(usize) -> bool; 3] = [|_| true, |i| i % 2 == 0, |i| i % 2 == 1];
    for (expected, encode) in [10, 1_000_000].into_iter().flat_map(|e| picks.map(|p| (e, p))) {
        let mut store = Store::in_memory().unwrap();
        let r = seed(&mut store, 7);
        load_encoding(&mut store, &r, expected, encode);
        assert_eq!(content(&store), plain, "expecting {expected}");
    }
}

#[test]
fn buffered_rows_leave_origin_and_time_to_their_batch() {
    let mut store = Store::in_memory().unwrap();
    let r = seed(&mut store, 7);
    load(&mut store, &r, 1_000_000);
    let rows: Vec<(String, Option<String>, Option<String>)> = store
        .conn()
        .prepare("SELECT member_key, origin, created_at FROM candidates ORDER BY id")
        .unwrap()
        .query_map([], |row| Ok((row.get(0)?, row.get(1)?, row.get(2)?)))
        .unwrap()
        .collect::<rusqlite::Result<_>>()
        .unwrap();
    let a = |i: usize| r[i].rowid;
    let some = |s: &str| Some(s.to_string());
    assert_eq!(
        rows,
        [
            // Stored before the load, outside any batch: its own origin and time.
            (format!("{},{}", a(0), a(1)), some(r#"["a"]"#), some("t0")),
            (format!("{},{}", a(4), a(5)), None, None),
            (format!("{},{},{}", a(4), a(5), a(6)), None, None),
            // Merged from two origins: not the batch's origins, so its own.
            (format!("{},{}", a(2), a(3)), some(r#"["a","b"]"#), some("t1")),
        ]
    );
    let origins: Vec<Vec<String>> =
        store.queue(&QueueFilter::default()).unwrap().into_iter().map(|c| c.origin).collect();
    assert!(origins.iter().all(|o| o[0] == "a"), "{origins:?}");
    let page = store.queue_page(&Default::default(), crate::store::PageFrom::Start, 10).unwrap();
    let times: Vec<&str> = page.iter().map(|row| row.created_at.as_str()).collect();
    assert_eq!(times, ["t0", "t1", "t1", "t1"], "by score: 0.9 is the one stored before, updated");
}

#[test]
fn buffered_candidates_are_numbered_best_score_first() {
    let mut store = Store::in_memory().unwrap();
    let r = seed(&mut store, 7);
    load(&mut store, &r, 1_000_000);
    let ids: Vec<(i64, String)> = store
        .conn()
        .prepare("SELECT id, score FROM candidates ORDER BY id")
        .unwrap()
        .query_map([], |row| Ok((row.get(0)?, row.get::<_, f64>(1)?.to_string())))
        .unwrap()
        .collect::<rusqlite::Result<_>>()
        .unwrap();
    let scores: Vec<&str> = ids.iter().map(|(_, s)| s.as_str()).collect();
    // The stored candidate first, then the new ones by descending score.
    assert_eq!(scores, ["0.9", "0.8", "0.7", "0.6"]);
}

#[test]
fn a_repeated_load_changes_nothing() {
    let mut store = Store::in_memory().unwrap();
    let r = seed(&mut store, 7);
    load(&mut store, &r, 1_000_000);
    let before = store.logical_dump().unwrap();
    let results = store
        .write(|tx| {
            let bulk = tx.begin_bulk(60_000)?;
            assert!(bulk.is_buffered());
            let out = tx.upsert_candidate(None, "t2", &candidate(&[r[5], r[4]], 0.8, "a", "pair"))?;
            tx.end_bulk(bulk)?;
            Ok(out)
        })
        .unwrap();
    assert_eq!(results, CandidateUpsert::Unchanged);
    assert_eq!(store.logical_dump().unwrap(), before);
}

fn schema(store: &Store) -> String {
    let dump = store.logical_dump().unwrap();
    dump.lines().filter(|l| l.starts_with("CREATE")).collect::<Vec<_>>().join("\n")
}

fn counts(store: &Store) -> Vec<(String, i64)> {
    store
        .conn()
        .prepare("SELECT status, sum(n) FROM candidate_counts GROUP BY status ORDER BY status")
        .unwrap()
        .query_map([], |row| Ok((row.get(0)?, row.get(1)?)))
        .unwrap()
        .collect::<rusqlite::Result<_>>()
        .unwrap()
}

#[test]
fn written_members_match_the_single_row_key() {
    let refs = [RecordRef { rowid: 12, version: 3 }, RecordRef { rowid: 7, version: 1 }];
    let c = candidate(&refs, 0.5, "t", "r");
    let (mut key, mut versions) = (String::new(), String::new());
    write_members(Members::of(&c).refs(), &mut key, &mut versions);
    assert_eq!((key, versions), member_key(&refs));
}
