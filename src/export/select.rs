//! Which decisions an export carries, and the run that reads them: the window of journal entries
//! (up to the latest sign-off, or the head with `--include-unsigned`; after the previous export of
//! the same format with `--since-last`), the candidates whose standing decision falls in it, and
//! the two-pass read that feeds their bodies to `decisions::Builder` while the next batch is read.

use super::decisions::{Batch, Builder, Current, Kind};
use super::{ExportOptions, Summary};
use crate::journal::replay::Replay;
use crate::journal::Action;
use crate::model::CandidateId;
use crate::store::Store;
use anyhow::{anyhow, bail, Result};
use serde_json::{json, Value};
use std::io::Write;

/// Decisions read per batch: large enough to keep both cores busy, small enough to bound memory
/// (with at most `BATCH_BYTES` of text, whatever the size of the bodies).
const BATCH: usize = 4096;
const BATCH_BYTES: usize = 16 << 20;

/// The journal entries an export considers: `after < seq <= through`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Window {
    pub after: i64,
    pub through: i64,
}

/// The window of an export of `format`.
pub fn window(store: &Store, format: &str, include_unsigned: bool, since_last: bool) -> Result<Window> {
    let through = if include_unsigned {
        store.journal_head()?.map_or(0, |(seq, _)| seq)
    } else {
        match store.last_journal_entry(Action::Signoff)? {
            Some(e) => e.seq,
            None => bail!(
                "no sign-off covers any decision yet: run `mergeq signoff --key FILE` first, or give --include-unsigned"
            ),
        }
    };
    let after = match (since_last, store.last_export_of(format)?) {
        (true, Some((seq, body))) => through_of(&body).unwrap_or(seq),
        _ => 0,
    };
    Ok(Window { after, through })
}

/// The journal entry up to which an export looked, as its entry says.
fn through_of(body: &str) -> Option<i64> {
    let v: Value = serde_json::from_str(body).ok()?;
    v.get("details")?.get("through")?.as_i64()
}

/// The sequence numbers, in order, of the decisions of `action` that stand now (not undone, not
/// replaced by a later decision) and lie in the window.
pub fn standing(store: &Store, action: Action, w: Window) -> Result<Vec<i64>> {
    let mut replay = Replay::new();
    for e in store.decision_index()? {
        let a = Action::parse(e.action).expect("the index holds decisions and undos");
        replay
            .apply(e.seq, a, e.candidate.map(CandidateId), e.reverses)
            .map_err(|m| anyhow!("journal entry {}: {m}; run `mergeq audit verify`", e.seq))?;
    }
    let mut seqs: Vec<i64> = replay
        .latest()
        .filter(|&(_, (seq, a))| a == action && seq > w.after && seq <= w.through)
        .map(|(_, (seq, _))| seq)
        .collect();
    seqs.sort_unstable();
    Ok(seqs)
}

/// Renders a decision export into `out`: reads the chosen bodies in batches and builds the file
/// from each batch on other threads while the next one is read.
pub fn render(
    store: &Store,
    kind: Kind,
    format: &str,
    opts: &ExportOptions,
    out: &mut (impl Write + Send),
) -> Result<Summary> {
    let w = window(store, format, opts.include_unsigned, opts.since_last)?;
    let action = Action::parse(kind.action()).expect("approve or reject");
    let wanted = standing(store, action, w)?;
    let current = Current::new(store.changed_records()?);
    let builder = Builder::new(kind, opts.source.as_deref(), opts.raw, &current);
    let counts = std::thread::scope(|s| -> Result<_> {
        let (full_tx, full_rx) = std::sync::mpsc::sync_channel::<Batch>(2);
        // Batches come back once built, to be refilled: their buffers are allocated once.
        let (empty_tx, empty_rx) = std::sync::mpsc::channel::<Batch>();
        let worker = s.spawn(move || -> Result<_> {
            let mut builder = builder;
            for mut batch in full_rx {
                builder.push(&batch, out)?;
                batch.clear();
                let _ = empty_tx.send(batch);
            }
            builder.finish(out)
        });
        let mut batch = Batch::default();
        let mut next = 0usize;
        let dense = wanted.len() as i64 * 2 > w.through - w.after;
        let read = store.scan_decisions(
            kind.action(),
            w.after,
            w.through,
            dense,
            |seq| {
                // `wanted` is sorted and the scan goes in order: one cursor finds each.
                while next < wanted.len() && wanted[next] < seq {
                    next += 1;
                }
                next < wanted.len() && wanted[next] == seq
            },
            |row| {
                batch.push(row.seq, row.candidate, row.at, row.steward, row.body);
                if batch.len() == BATCH || batch.text_len() >= BATCH_BYTES {
                    let empty = empty_rx.try_recv().unwrap_or_default();
                    // A closed channel means the worker failed: its error is reported below.
                    let _ = full_tx.send(std::mem::replace(&mut batch, empty));
                }
                Ok(())
            },
        );
        if !batch.is_empty() {
            let _ = full_tx.send(batch);
        }
        drop(full_tx);
        let built = worker.join().map_err(|_| anyhow!("the export's worker thread panicked"))?;
        read?;
        built
    })?;
    let mut details = counts.details();
    details["through"] = json!(w.through);
    details["after"] = json!(w.after);
    if let Kind::Crm(crm) = kind {
        details["source"] = json!(opts.source.as_deref().unwrap_or(crm.name()));
    }
    Ok(Summary { items: counts.decisions, details })
}

#[cfg(test)]
mod tests {
    use crate::journal::{self, Action, NewEntry};
    use crate::model::CandidateId;
    use crate::store::Store;
    use serde_json::json;

    #[test]
    fn the_table_walk_and_the_index_read_the_same_entries() {
        let dir = tempfile::tempdir().unwrap();
        let mut store = Store::open(&dir.path().join("w.mergeq")).unwrap();
        store
            .write(|tx| {
                for i in 1..=30i64 {
                    let action = [Action::Approve, Action::Reject, Action::Defer][i as usize % 3];
                    let body = json!({"members": [{"key": format!("a:{i}"), "version": 1}], "i": i});
                    let candidate = Some(CandidateId(i));
                    journal::append(
                        tx,
                        &NewEntry {
                            at: "2026-05-01T10:00:00Z",
                            steward: "ana",
                            action,
                            candidate,
                            body: &body,
                        },
                    )?;
                }
                Ok(())
            })
            .unwrap();
        let read = |action: &str, after: i64, through: i64, dense: bool| {
            let mut rows = Vec::new();
            store
                .scan_decisions(
                    action,
                    after,
                    through,
                    dense,
                    |seq| seq % 4 != 0,
                    |r| {
                        rows.push((
                            r.seq,
                            r.candidate,
                            r.at.to_string(),
                            r.steward.to_string(),
                            r.body.to_string(),
                        ));
                        Ok(())
                    },
                )
                .unwrap();
            rows
        };
        for (action, after, through) in
            [("approve", 0, 30), ("reject", 5, 22), ("defer", 29, 30), ("approve", 0, 0)]
        {
            let by_index = read(action, after, through, false);
            assert_eq!(by_index, read(action, after, through, true), "{action} {after}..{through}");
            assert!(by_index.iter().all(|r| r.0 > after && r.0 <= through && r.0 % 4 != 0));
            if (action, through) == ("approve", 30) {
                assert_eq!(by_index.len(), 8, "{by_index:?}");
            }
        }
    }
}
