//! Which decisions an export carries, and the run that reads them: the window of journal entries
//! (up to the latest sign-off, or the head with `--include-unsigned`; after the previous export of
//! the same format — and, for a CRM plan, the same `--source` — with `--since-last`), the candidates whose standing decision falls in it, and
//! the two-pass read that feeds their bodies, batch by batch, to renderer threads and a writer
//! thread while the next batch is read.

use super::decisions::{Batch, Builder, Current, Kind, Part};
use super::replayed::{merged_by_earlier_exports, replay_decisions, standing, Replayed};
use super::{ExportOptions, Summary};
use crate::journal::Action;
use crate::store::Store;
use anyhow::{anyhow, bail, Result};
use serde_json::{json, Value};
use std::collections::BTreeMap;
use std::io::Write;
use std::sync::mpsc::{channel, sync_channel};
use std::sync::{Arc, Mutex};

/// Decisions read per batch (with at most `BATCH_BYTES` of text, whatever the size of the bodies):
/// large enough that handing a batch over costs nothing next to rendering it, small enough that a
/// batch is still in the processor's cache when a renderer reads it.
const BATCH: usize = 1024;
const BATCH_BYTES: usize = 4 << 20;
/// Threads that parse and render batches (the machine this was measured on has two cores, and the
/// reading thread keeps about a third of one busy).
const RENDERERS: usize = 2;
/// Batches in existence at once: one being filled, one waiting per renderer, one being rendered per
/// renderer, and one on its way back.
const BATCHES: usize = 2 * RENDERERS + 2;

/// The journal entries an export considers: `after < seq <= through`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Window {
    pub after: i64,
    pub through: i64,
}

/// The window of an export of `format` (of a CRM plan: from workspace `source`). An export never
/// looks back before what the previous one reached: when the sign-off lags behind an earlier
/// `--include-unsigned` export, the window is empty rather than reversed, and the next
/// `--since-last` still starts after the earlier export.
pub fn window(
    store: &Store,
    format: &str,
    source: Option<&str>,
    include_unsigned: bool,
    since_last: bool,
) -> Result<Window> {
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
    let after = match (since_last, store.last_export_of(format, source)?) {
        (true, Some((seq, body))) => through_of(&body).unwrap_or(seq),
        _ => 0,
    };
    Ok(Window { after, through: through.max(after) })
}

/// The journal entry up to which an export looked, as its entry says.
fn through_of(body: &str) -> Option<i64> {
    let v: Value = serde_json::from_str(body).ok()?;
    v.get("details")?.get("through")?.as_i64()
}

/// Renders a decision export into `out`: the calling thread reads the chosen bodies in batches,
/// `RENDERERS` threads parse and render whole batches, and one more takes the rendered batches in
/// journal order and writes them out. Channels block (no thread spins while it waits), and at
/// most `BATCHES` batches exist at once, so memory stays bounded whatever the journal's size.
pub fn render(
    store: &Store,
    kind: Kind,
    format: &str,
    opts: &ExportOptions,
    out: &mut (impl Write + Send),
) -> Result<Summary> {
    // A CRM plan's exports are told apart by the workspace source they take candidates from.
    let source = match kind {
        Kind::Crm(crm) => Some(crm.records_source(opts.source.as_deref())),
        _ => None,
    };
    let w = window(store, format, source, opts.include_unsigned, opts.since_last)?;
    let action = Action::parse(kind.action()).expect("approve or reject");
    // A CRM plan after an earlier one (from the same source) leaves out what that one merged.
    let earlier = match (kind, w.after > 0) {
        (Kind::Crm(_), true) => store.exports_of(format, source)?,
        _ => Vec::new(),
    };
    let Replayed { standing: decisions, carried } = replay_decisions(store, &earlier)?;
    let wanted = standing(&decisions, action, w);
    let current = Current::new(store.changed_records()?);
    let Builder { renderer, mut assembly } = Builder::new(kind, opts.source.as_deref(), opts.raw, &current);
    let renderer = renderer.with_field_names(opts.field_names.clone());
    if let Kind::Crm(crm) = kind {
        assembly.merged_before(merged_by_earlier_exports(store, &carried, &earlier, crm)?);
    }
    let renderer = &renderer;
    let counts = std::thread::scope(|s| -> Result<_> {
        let (job_tx, job_rx) = sync_channel::<(usize, Batch)>(RENDERERS);
        let job_rx = Arc::new(Mutex::new(job_rx));
        let (part_tx, part_rx) = channel::<(usize, Result<(Part, Option<Batch>)>)>();
        // Batches come back once written, to be refilled: their buffers are allocated once.
        let (empty_tx, empty_rx) = channel::<Batch>();
        for _ in 0..RENDERERS {
            let (job_rx, part_tx) = (Arc::clone(&job_rx), part_tx.clone());
            s.spawn(move || loop {
                let job = job_rx.lock().map_err(|_| ()).and_then(|rx| rx.recv().map_err(|_| ()));
                let Ok((n, batch)) = job else { break };
                // A panic becomes the batch's error: the writer must not wait for it forever.
                let part = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| renderer.render(batch)))
                    .unwrap_or_else(|_| Err(anyhow!("the export's renderer thread panicked")));
                if part_tx.send((n, part)).is_err() {
                    break;
                }
            });
        }
        drop(part_tx);
        let writer = s.spawn(move || -> Result<_> {
            let mut waiting = BTreeMap::new();
            let mut next = 0;
            for (n, part) in part_rx {
                waiting.insert(n, part);
                while let Some(part) = waiting.remove(&next) {
                    let (part, back) = part?;
                    let kept = assembly.accept(part, out)?;
                    if let Some(mut batch) = back.or(kept) {
                        batch.clear();
                        let _ = empty_tx.send(batch);
                    }
                    next += 1;
                }
            }
            assembly.finish(out)
        });
        let mut batch = Batch::default();
        let (mut sent, mut made) = (0usize, 1usize);
        let mut send = |full: Batch| -> Result<()> {
            // A closed channel means a renderer or the writer stopped: its error is reported below.
            job_tx.send((sent, full)).map_err(|_| anyhow!("the export stopped"))?;
            sent += 1;
            Ok(())
        };
        let mut fresh = || -> Result<Batch> {
            if let Ok(batch) = empty_rx.try_recv() {
                return Ok(batch);
            }
            if made < BATCHES {
                made += 1;
                return Ok(Batch::default());
            }
            empty_rx.recv().map_err(|_| anyhow!("the export stopped"))
        };
        let mut next = 0usize;
        // A decision standing again after an undo in the window is older than the window.
        let from = wanted.first().map_or(w.after, |first| (first - 1).min(w.after));
        let dense = wanted.len() as i64 * 2 > w.through - from;
        let read = store.scan_decisions(
            kind.action(),
            from,
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
                    let full = std::mem::replace(&mut batch, fresh()?);
                    send(full)?;
                }
                Ok(())
            },
        );
        let read = read.and_then(|_| if batch.is_empty() { Ok(()) } else { send(batch) });
        drop(job_tx);
        let built = writer.join().map_err(|_| anyhow!("the export's writer thread panicked"))?;
        let counts = built?;
        read?;
        Ok(counts)
    })?;
    if let (Kind::Crm(crm), Some(first)) = (kind, counts.first_not_api) {
        return Err(super::refusals::labels(crm, &counts.not_api, counts.not_api_candidates, first));
    }
    let mut details = counts.details();
    details["through"] = json!(w.through);
    details["after"] = json!(w.after);
    if let Kind::Crm(crm) = kind {
        details["source"] = json!(opts.source.as_deref().unwrap_or(crm.name()));
        if !counts.computed.is_empty() {
            details["computed_why"] = json!(super::computed::reason(crm));
        }
    }
    Ok(Summary { items: counts.decisions, details })
}

#[cfg(test)]
mod tests {
    use super::super::decisions::{Batch, Builder, Current, Kind};
    use super::super::ExportOptions;
    use crate::journal::{self, Action, NewEntry};
    use crate::model::CandidateId;
    use crate::store::Store;
    use serde_json::json;

    #[test]
    fn a_long_export_is_the_same_as_one_rendered_on_one_thread() {
        let dir = tempfile::tempdir().unwrap();
        let mut store = Store::open(&dir.path().join("w.mergeq")).unwrap();
        let n = 3 * super::BATCH as i64 + 300;
        store
            .write(|tx| {
                for i in 1..=n {
                    let (a, b) = (format!("salesforce:a{i}"), format!("salesforce:b{i}"));
                    let body = json!({
                        "object": "contact",
                        "members": [{"key": a, "version": 1, "fields": {"email": format!("x{i}@example.com")}}, {"key": b, "version": 1, "fields": {}}],
                        "golden": {"fields": {"email": {"value": format!("x{i}@example.com"), "from": [a], "rule": "r"}, "f{i}": {"value": null, "from": [], "rule": "steward"}}, "survivor": {"key": b}},
                    });
                    let candidate = Some(CandidateId(i));
                    let action = if i % 7 == 0 { Action::Reject } else { Action::Approve };
                    journal::append(tx, &NewEntry { at: "2026-05-01T10:00:00Z", steward: "ana", action, candidate, body: &body })?;
                }
                Ok(())
            })
            .unwrap();
        let opts = ExportOptions { include_unsigned: true, ..ExportOptions::default() };
        for format in ["golden-jsonl", "golden-csv", "salesforce", "not-duplicates"] {
            let kind = Kind::parse(format).unwrap();
            let mut piped = Vec::new();
            let summary = super::render(&store, kind, format, &opts, &mut piped).unwrap();
            // The same entries, in one batch, on this thread.
            let current = Current::default();
            let mut builder = Builder::new(kind, None, false, &current);
            let mut batch = Batch::default();
            store
                .scan_decisions(
                    kind.action(),
                    0,
                    n,
                    true,
                    |_| true,
                    |r| {
                        batch.push(r.seq, r.candidate, r.at, r.steward, r.body);
                        Ok(())
                    },
                )
                .unwrap();
            let want_items = batch.len() as u64;
            let mut whole = Vec::new();
            builder.push(batch, &mut whole).unwrap();
            builder.finish(&mut whole).unwrap();
            assert_eq!(summary.items, want_items, "{format}");
            assert!(want_items > 2 * super::BATCH as u64 || format == "not-duplicates", "{format}");
            assert!(piped == whole, "{format}: the pipelined export differs");
        }
    }

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
