//! `mergeq detect`: loads an object's records from the workspace, runs the detection engine, and
//! stores the pairs it proposes as candidates (origin `detect`) in one transaction, with what the
//! run compared so that the next run compares only pairs involving new or changed records.

use super::{Ctx, DetectArgs};
use crate::detect::kinds::Config;
use crate::detect::model::Model;
use crate::detect::table::RawTable;
use crate::detect::{self, Options, DEFAULT_MAX_BLOCK, DEFAULT_THRESHOLD};
use crate::store::{CandidateUpsert, DetectState, NewBatch, NewCandidate, RecordRef, Store};
use anyhow::{bail, Context, Result};
use std::borrow::Cow;
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
    let config = match &args.config {
        Some(path) => {
            let text = std::fs::read_to_string(path)
                .with_context(|| format!("reading the config {}", path.display()))?;
            Config::parse(&path.display().to_string(), &text)?
        }
        None => Config::default(),
    };
    let settings = config.object(&args.object);
    let threshold = args.threshold.or(settings.threshold).unwrap_or(DEFAULT_THRESHOLD);
    if !(0.0..=1.0).contains(&threshold) {
        bail!("--threshold {threshold} is not between 0 and 1");
    }
    let mut store = Store::open_existing(&ctx.db)?;

    let mut raw = RawTable::default();
    let mut count = 0u64;
    store.detect_rows(&args.object, |row| {
        let fields: FieldPairs = serde_json::from_str(row.fields)
            .with_context(|| format!("record {} of the workspace has unreadable fields", row.rowid))?;
        let dirty = row.seen_version != Some(row.version);
        raw.push(
            row.rowid,
            row.version,
            row.source,
            dirty,
            fields.0.iter().map(|(k, v)| (k.0.as_ref(), v.0.as_ref())),
        );
        count += 1;
        if count.is_multiple_of(250_000) {
            eprintln!("{count} records read");
        }
        Ok(())
    })?;
    if raw.records.is_empty() {
        bail!(
            "the workspace has no records of object `{}` (import some with `mergeq import records`)",
            args.object
        );
    }
    eprintln!("[{:.1} s] {count} records read", started.elapsed().as_secs_f64());
    let mut table = raw.build(&args.object, &settings);
    eprintln!(
        "[{:.1} s] {} records normalised ({} fields: {})",
        started.elapsed().as_secs_f64(),
        table.records.len(),
        table.fields.len(),
        table
            .fields
            .iter()
            .map(|f| format!("{} as {}", f.name, f.kind.as_str()))
            .collect::<Vec<_>>()
            .join(", ")
    );

    let max_block = settings.max_block.unwrap_or(DEFAULT_MAX_BLOCK);
    let fingerprint = serde_json::json!({
        "engine": 1,
        "fields": table.fields.iter().map(|f| (f.name.as_str(), f.kind.as_str())).collect::<Vec<_>>(),
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
    };
    let outcome = detect::detect(&table, &opts, &mut |message| {
        eprintln!("[{:.1} s] {message}", started.elapsed().as_secs_f64())
    });

    eprintln!("[{:.1} s] writing candidates", started.elapsed().as_secs_f64());
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
        for p in &outcome.proposals {
            let member =
                |i: usize| RecordRef { rowid: table.records[i].rowid, version: table.records[i].version };
            let candidate = NewCandidate {
                object: args.object.clone(),
                members: vec![member(p.a), member(p.b)],
                score: (p.probability * 1e6).round() / 1e6,
                origin: "detect".into(),
                reasons: p.reasons.clone(),
            };
            match tx.upsert_candidate(Some(batch), &at, &candidate)? {
                CandidateUpsert::New => added += 1,
                CandidateUpsert::Changed => changed += 1,
                CandidateUpsert::Unchanged => unchanged += 1,
                CandidateUpsert::Suppressed => suppressed += 1,
            }
        }
        tx.end_bulk(bulk)?;
        let state = DetectState {
            fingerprint: fingerprint.clone(),
            model: model_json.clone(),
            records: records_trained,
            at: at.clone(),
        };
        tx.save_detect_state(&args.object, &state, &seen, !incremental)?;
        tx.finish_batch(batch, outcome.stats.pairs_compared, added, changed, "")?;
        Ok((added, changed, unchanged, suppressed))
    })?;

    let summary = Summary {
        object: args.object.clone(),
        incremental,
        threshold,
        stats: outcome.stats,
        candidates_added: added,
        candidates_changed: changed,
        candidates_unchanged: unchanged,
        candidates_suppressed: suppressed,
        seconds: (started.elapsed().as_secs_f64() * 1000.0).round() / 1000.0,
    };
    eprintln!(
        "detect {}: {} records, {} pairs compared, {} candidates found: {added} added, {changed} updated, \
         {unchanged} already there, {suppressed} rejected before (not proposed) in {:.2} s",
        summary.object,
        summary.stats.records,
        summary.stats.pairs_compared,
        summary.stats.candidates_found,
        summary.seconds
    );
    if args.json {
        super::print(&format!("{}\n", serde_json::to_string_pretty(&summary)?))?;
    }
    Ok(())
}

/// A record's fields as (name, value) pairs, read straight from the stored JSON object (no map:
/// a million records are read per run).
struct FieldPairs<'a>(Vec<(Text<'a>, Text<'a>)>);

impl<'de> serde::Deserialize<'de> for FieldPairs<'de> {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> std::result::Result<Self, D::Error> {
        struct Pairs;
        impl<'de> serde::de::Visitor<'de> for Pairs {
            type Value = FieldPairs<'de>;
            fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
                f.write_str("an object of field values")
            }
            fn visit_map<A: serde::de::MapAccess<'de>>(
                self,
                mut map: A,
            ) -> std::result::Result<Self::Value, A::Error> {
                let mut out = Vec::with_capacity(map.size_hint().unwrap_or(12));
                while let Some((k, v)) = map.next_entry::<Text<'de>, Text<'de>>()? {
                    out.push((k, v));
                }
                Ok(FieldPairs(out))
            }
        }
        deserializer.deserialize_map(Pairs)
    }
}

/// A JSON string, borrowed from the input when it has no escapes.
struct Text<'a>(Cow<'a, str>);

impl<'de> serde::Deserialize<'de> for Text<'de> {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> std::result::Result<Self, D::Error> {
        struct Visit;
        impl<'de> serde::de::Visitor<'de> for Visit {
            type Value = Text<'de>;
            fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
                f.write_str("a string")
            }
            fn visit_borrowed_str<E>(self, v: &'de str) -> std::result::Result<Self::Value, E> {
                Ok(Text(Cow::Borrowed(v)))
            }
            fn visit_str<E>(self, v: &str) -> std::result::Result<Self::Value, E> {
                Ok(Text(Cow::Owned(v.to_string())))
            }
            fn visit_string<E>(self, v: String) -> std::result::Result<Self::Value, E> {
                Ok(Text(Cow::Owned(v)))
            }
        }
        deserializer.deserialize_str(Visit)
    }
}
