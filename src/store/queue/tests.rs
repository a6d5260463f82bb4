//! The queue's reads against an in-memory workspace: keyset pages both ways, filters and search,
//! status counts, the console's saved place. Kept apart so `queue.rs` reads as the code it tests.

use super::*;
use crate::model::{Fields, RecordKey};
use crate::store::{BatchId, NewBatch, NewCandidate, NewRecord, Tx};

/// A workspace of `n` pair candidates over contacts; candidate i has score from the table.
fn workspace(scores: &[f64]) -> Store {
    let mut store = Store::in_memory().unwrap();
    store
        .write(|tx| {
            let batch = tx.begin_batch(&NewBatch::new("records", "t", "csv", "2026-01-01T00:00:00Z", "t"))?;
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
    let pending =
        QueueQuery { status: Some(Status::Pending), object: Some("contact".into()), ..QueueQuery::default() };
    assert_eq!(page(pending), [2, 3, 1]);
    assert_eq!(store.record_sources().unwrap(), ["hubspot", "salesforce"]);
    assert_eq!(store.record_objects().unwrap(), ["contact"]);
}

#[test]
fn search_ignores_case_beyond_ascii() {
    let mut store = workspace(&[0.5]);
    store
        .write(|tx| {
            let batch = tx.begin_batch(&NewBatch::new("records", "u", "csv", "2026-01-01T00:00:00Z", "t"))?;
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
