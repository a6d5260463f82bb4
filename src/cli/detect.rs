//! `mergeq detect`: loads an object's records from the workspace, runs the detection engine, and
//! stores the pairs it proposes as candidates (origin `detect`) in one transaction, with what the
//! run compared so that the next run compares only pairs involving new or changed records.

use super::{Ctx, DetectArgs};
use crate::detect::kinds::{Config, Kind};
use crate::detect::model::Model;
use crate::detect::rows::{Batch, BatchReader};
use crate::detect::table::RawTable;
use crate::detect::{self, Options, DEFAULT_MAX_BLOCK, DEFAULT_THRESHOLD};
use crate::store::{CandidateUpsert, DetectState, NewBatch, NewCandidate, RecordRef, Store};
use crate::text;
use anyhow::{bail, Context, Result};
use rayon::prelude::*;
use std::time::Instant;

/// What a run did, for stderr and `--json`.
#[derive(Debug, serde::Serialize)]
struct Summary {
    object: String,
    incremental: bool,
    threshold: f64,
    #[serde(flatten)]
    stats: detect::Stats,
    candidates_added: u64,
    candidates_changed: u64,
    candidates_unchanged: u64,
    candidates_suppressed: u64,
    seconds: f64,
}

/// A trained model is reused by later runs until the object grows or shrinks by more than this share.
const RETRAIN_GROWTH: f64 = 0.25;

pub fn run(args: DetectArgs, ctx: &Ctx) -> Result<()> {
    let started = Instant::now();
    // The config and the SHA-256 of its text, which the run's journal entry names.
    let (config, config_sha256) = match &args.config {
        Some(path) => {
            let text = std::fs::read_to_string(path)
                .with_context(|| format!("reading the config {}", path.display()))?;
            let sha = crate::text::hex(&<sha2::Sha256 as sha2::Digest>::digest(text.as_bytes()));
            (Config::parse(&path.display().to_string(), &text)?, Some(sha))
        }
        None => (Config::default(), None),
    };
    let settings = config.object(&args.object);
    let threshold = args.threshold.or(settings.threshold).unwrap_or(DEFAULT_THRESHOLD);
    // `--threshold` is checked as it is parsed (a usage error); this catches the config's.
    if !(0.0..=1.0).contains(&threshold) {
        bail!("the threshold {threshold} in the detection config is not between 0 and 1");
    }
    let mut store = Store::open_existing(&ctx.db)?;

    // Reading and parsing on this thread, interning on another (see `detect::rows`).
    let mut count = 0u64;
    let raw = std::thread::scope(|scope| -> Result<RawTable> {
        let (send, receive) = std::sync::mpsc::sync_channel::<Batch>(4);
        // Interned batches come back to be filled again (see `BatchReader::recycle`).
        let (give_back, returned) = std::sync::mpsc::channel::<Batch>();
        let interning = scope.spawn(move || {
            let mut raw = RawTable::default();
            for batch in receive {
                batch.push_into(&mut raw);
                let _ = give_back.send(batch);
            }
            raw
        });
        let mut reader = BatchReader::default();
        let read = store.detect_rows(&args.object, |row| {
            let dirty = row.seen_version != Some(row.version);
            let full = reader
                .add(row.rowid, row.version, row.source, dirty, row.fields)
                .with_context(|| format!("record {} of the workspace has unreadable fields", row.rowid))?;
            if count == 0 {
                let phones = reader.names().iter().any(|n| settings.kind_of(&args.object, n) == Kind::Phone);
                if phones {
                    std::thread::spawn(detect::normalise::warm_up);
                }
            }
            if let Some(batch) = full {
                // The interning thread only stops when this side hangs up.
                let _ = send.send(batch);
                returned.try_iter().for_each(|batch| reader.recycle(batch));
            }
            count += 1;
            if count.is_multiple_of(250_000) {
                eprintln!("{count} records read");
            }
            Ok(())
        });
        let _ = send.send(reader.take());
        drop(send);
        let raw = interning.join().unwrap_or_else(|panic| std::panic::resume_unwind(panic));
        read.map(|()| raw)
    })?;
    if raw.records.is_empty() {
        bail!(
            "the workspace has no records of object `{}` (import some with `mergeq import records`)",
            args.object
        );
    }
    eprintln!("[{}] {} read", clock(started), text::count(count, "record", "records"));
    let mut table = raw.build(&args.object, &settings);
    eprintln!(
        "[{}] {} normalised ({}: {})",
        clock(started),
        text::count(table.records.len(), "record", "records"),
        text::count(table.fields.len(), "field", "fields"),
        table
            .fields
            .iter()
            .map(|f| match &f.columns[..] {
                [_] => format!("{} as {}", f.name, f.kind.as_str()),
                several => format!("{} as {}", several.join(" + "), f.kind.as_str()),
            })
            .collect::<Vec<_>>()
            .join(", ")
    );

    let max_block = settings.max_block.unwrap_or(DEFAULT_MAX_BLOCK);
    // `engine` changes when the model or what it proposes does (2: place lifts; 3: account fields
    // trained, the web domain a facet apart on accounts; 4: father and son set apart), so an older
    // run's model is not reused and every pair it proposed is compared again. A field made of
    // several columns lists them: another column of a kind changes what the field holds.
    let fields: Vec<serde_json::Value> = table
        .fields
        .iter()
        .map(|f| match &f.columns[..] {
            [_] => serde_json::json!([f.name, f.kind.as_str()]),
            several => serde_json::json!([f.name, f.kind.as_str(), several]),
        })
        .collect();
    let fingerprint = serde_json::json!({
        "engine": 4,
        "fields": fields,
        "threshold": threshold,
        "link_only": args.link_only,
        "max_block": max_block,
        "default_region": settings.default_region,
        "place_once": settings.place_once,
    })
    .to_string();
    let previous = store.detect_state(&args.object)?;
    let reusable: Option<Model> = previous
        .as_ref()
        .filter(|s| s.fingerprint == fingerprint)
        .filter(|s| {
            let n = table.records.len() as f64;
            (n - s.records as f64).abs() <= RETRAIN_GROWTH * (s.records as f64).max(1.0)
        })
        .and_then(|s| serde_json::from_str(&s.model).ok());
    let incremental = reusable.is_some();
    if incremental {
        let dirty = table.records.iter().filter(|r| r.dirty).count();
        eprintln!(
            "incremental: {dirty} new or changed records of {} since the last run; comparing only pairs that involve them",
            table.records.len()
        );
    } else {
        table.records.iter_mut().for_each(|r| r.dirty = true);
        let why = match &previous {
            None => "first run",
            Some(s) if s.fingerprint != fingerprint => "fields or settings changed",
            Some(_) => "record count changed a lot since the model was trained",
        };
        eprintln!("full run ({why}): comparing all blocked pairs and training the model");
    }

    let opts = Options {
        threshold,
        link_only: args.link_only,
        max_block,
        model: reusable,
        place_once: settings.place_once,
        rescore: store.detect_only_pending_pairs(&args.object)?,
    };
    let outcome = detect::detect(&table, &opts, &mut |message| eprintln!("[{}] {message}", clock(started)));

    eprintln!("[{}] writing candidates", clock(started));
    let at = crate::clock::now();
    let model_json = serde_json::to_string(&outcome.model)?;
    let records_trained = match (&previous, outcome.stats.trained) {
        (Some(s), false) => s.records,
        _ => table.records.len() as i64,
    };
    let seen: Vec<(i64, i64)> =
        table.records.iter().filter(|r| r.dirty).map(|r| (r.rowid, r.version)).collect();
    if outcome.proposals.len() > 10_000 {
        store.widen_cache_for_bulk_write()?;
    }
    let (added, changed, unchanged, suppressed) = store.write(|tx| {
        let batch = tx.begin_batch(&NewBatch {
            kind: "detect".into(),
            file: args.config.as_ref().map(|p| p.display().to_string()).unwrap_or_default(),
            sha256: String::new(),
            format: "detect".into(),
            object: Some(args.object.clone()),
            source: None,
            at: at.clone(),
            steward: ctx.steward.clone(),
        })?;
        let (mut added, mut changed, mut unchanged, mut suppressed) = (0u64, 0u64, 0u64, 0u64);
        let bulk = tx.begin_bulk(outcome.proposals.len() as u64)?;
        // Candidates (with their reasons written out) are made on other threads, a slice at a
        // time, while this one stores the previous slice.
        let explainer = outcome.explainer();
        let make = |p: &detect::Proposal| {
            let member =
                |i: usize| RecordRef { rowid: table.records[i].rowid, version: table.records[i].version };
            let reasons = explainer.reasons(p);
            // Serialised here, on the other threads, not by the writer.
            let json = serde_json::to_string(&reasons).expect("reasons always serialise");
            let c = NewCandidate {
                object: args.object.clone(),
                members: vec![member(p.a), member(p.b)],
                score: (p.probability * 1e6).round() / 1e6,
                origin: "detect".into(),
                reasons,
            };
            (c, json)
        };
        std::thread::scope(|scope| -> Result<()> {
            let (send, receive) = std::sync::mpsc::sync_channel::<Vec<(NewCandidate, String)>>(2);
            scope.spawn(|| {
                for slice in outcome.proposals.chunks(2048) {
                    if send.send(slice.par_iter().map(make).collect()).is_err() {
                        break;
                    }
                }
                drop(send);
            });
            for candidates in receive {
                for (candidate, reasons) in &candidates {
                    match tx.upsert_encoded_candidate(Some(batch), &at, candidate, reasons)? {
                        CandidateUpsert::New => added += 1,
                        CandidateUpsert::Changed => changed += 1,
                        CandidateUpsert::Unchanged => unchanged += 1,
                        CandidateUpsert::Suppressed => suppressed += 1,
                    }
                }
                // Freeing them costs as much as making them: leave that to the other threads too.
                rayon::spawn(move || drop(candidates));
            }
            Ok(())
        })?;
        tx.end_bulk(bulk)?;
        eprintln!("[{}] candidates stored", clock(started));
        let state = DetectState {
            fingerprint: fingerprint.clone(),
            model: model_json.clone(),
            records: records_trained,
            at: at.clone(),
        };
        tx.save_detect_state(&args.object, &state, &seen, !incremental)?;
        eprintln!("[{}] compared record versions stored", clock(started));
        tx.finish_batch(batch, outcome.stats.pairs_compared, added, changed, "")?;
        // Like an import, a run that changed no candidate leaves no entry.
        if added + changed > 0 {
            let stats = &outcome.stats;
            let body = serde_json::json!({
                "object": args.object,
                "config": args.config.as_ref().map(|p| p.display().to_string()),
                "config_sha256": config_sha256,
                // A string: journal entries hold no floating-point numbers (docs/journal.md).
                "threshold": threshold.to_string(),
                "link_only": args.link_only,
                "incremental": incremental,
                "records": stats.records,
                "records_new_or_changed": stats.records_new_or_changed,
                "pairs_compared": stats.pairs_compared,
                "candidates_found": stats.candidates_found,
                "candidates_added": added,
                "candidates_changed": changed,
                "candidates_unchanged": unchanged,
                "candidates_suppressed": suppressed,
                "rescored_below_threshold": stats.rescored_below_threshold,
            });
            crate::journal::record_event(tx, &ctx.steward, &at, "detect", body)?;
        }
        Ok((added, changed, unchanged, suppressed))
    })?;
    eprintln!("[{}] committed", clock(started));

    let summary = Summary {
        object: args.object.clone(),
        incremental,
        threshold,
        stats: outcome.stats.clone(),
        candidates_added: added,
        candidates_changed: changed,
        candidates_unchanged: unchanged,
        candidates_suppressed: suppressed,
        seconds: (started.elapsed().as_secs_f64() * 1000.0).round() / 1000.0,
    };
    eprintln!(
        "detect {}: {}, {} compared, {} found: {added} added, {changed} updated, \
         {unchanged} already there, {suppressed} rejected before (not proposed){}{} in {:.2} s",
        summary.object,
        text::count(summary.stats.records, "record", "records"),
        text::count(summary.stats.pairs_compared, "pair", "pairs"),
        text::count(summary.stats.candidates_found, "candidate", "candidates"),
        match summary.stats.rescored_below_threshold {
            0 => String::new(),
            n => format!(
                "; {} now below the threshold, rescored (counted as updated)",
                text::count(n, "earlier candidate", "earlier candidates")
            ),
        },
        match summary.stats.generations_apart {
            0 => String::new(),
            1 => "; 1 pair set apart: generational suffixes differ (Jr. and Sr.)".to_string(),
            n => format!("; {n} pairs set apart: generational suffixes differ (Jr. and Sr.)"),
        },
        summary.seconds
    );
    if args.json {
        super::print(&format!("{}\n", serde_json::to_string_pretty(&summary)?))?;
    }
    // The process ends here: freeing a million records' values one by one would only cost time.
    std::mem::forget(outcome);
    std::mem::forget(table);
    Ok(())
}

/// Wall time since `started`, and the CPU time of the process and of the main thread where the
/// system reports them (Linux), for the progress lines: with two threads working, wall and process
/// time differ; the main thread's time shows what only it does (reading, storing).
fn clock(started: Instant) -> String {
    let wall = started.elapsed().as_secs_f64();
    match (cpu_seconds("/proc/self/stat"), cpu_seconds("/proc/thread-self/stat")) {
        (Some(cpu), Some(main)) => format!("{wall:.2} s, CPU {cpu:.2} s, main thread {main:.2} s"),
        (Some(cpu), None) => format!("{wall:.2} s, CPU {cpu:.2} s"),
        _ => format!("{wall:.2} s"),
    }
}

/// User plus system time from a `/proc` stat file (in clock ticks of 1/100 s).
fn cpu_seconds(path: &str) -> Option<f64> {
    let stat = std::fs::read_to_string(path).ok()?;
    // Fields after the command name (which is in parentheses and may hold spaces).
    let rest = stat.rsplit_once(')')?.1;
    let mut fields = rest.split_whitespace().skip(11);
    let user: f64 = fields.next()?.parse().ok()?;
    let system: f64 = fields.next()?.parse().ok()?;
    Some((user + system) / 100.0)
}
