//! Benchmark (issue 5): decision commit latency and `audit verify` over a 1,000,000-entry journal.
//!
//! `cargo bench --bench journal` prints:
//! 1. the latency of `journal::decide` — one durable transaction per decision (WAL,
//!    `synchronous=FULL`, a workspace file in a temporary folder on disk): median, p99, mean, max
//!    over JOURNAL_BENCH_DECISIONS (default 2,000) decisions on distinct candidates, and of 200 undos;
//! 2. `journal::verify` over JOURNAL_BENCH_ENTRIES (default 1,000,000) entries: every hash link,
//!    hash, sign-off signature, undo and the status projection, timed JOURNAL_BENCH_RUNS (default 3)
//!    times on a warm page cache. The journal is built fast, in one transaction, through the real
//!    append path (`journal::append`: canonical encoding, hash, store checks and CHECK constraints)
//!    with bodies copied from real decisions, an undo every 20 entries and a sign-off every 10,000.
//!
//! With JOURNAL_BENCH_PY=1 it also times `python3 tests/verify_journal.py` on the same journal.

use mergeq::journal::{self, Action, DecisionRequest, NewEntry, Verdict};
use mergeq::model::{CandidateId, Choices, Fields, RecordKey, Status};
use mergeq::store::{NewBatch, NewCandidate, NewRecord, RecordRef, Store};
use serde_json::{json, Value};
use std::time::{Duration, Instant};

const AT: &str = "2026-05-01T10:00:00Z";

fn env_or(name: &str, default: usize) -> usize {
    std::env::var(name).ok().and_then(|v| v.parse().ok()).unwrap_or(default)
}

/// A workspace with `pairs` two-record candidates (salesforce:S{i} / hubspot:H{i}), 6 fields each.
fn workspace(path: &std::path::Path, pairs: usize) -> Store {
    let mut store = Store::open(path).unwrap();
    store
        .write(|tx| {
            let batch = tx.begin_batch(&NewBatch {
                object: Some("contact".into()),
                ..NewBatch::new("records", "bench", "csv", AT, "bench")
            })?;
            for i in 0..pairs {
                let mut refs: Vec<RecordRef> = Vec::new();
                for (source, id, email) in [
                    ("salesforce", format!("S{i}"), format!("p{i}@example.com")),
                    ("hubspot", format!("H{i}"), format!("person.{i}@example.com")),
                ] {
                    let fields: Fields = [
                        ("first_name", "Ana".to_string()),
                        ("last_name", format!("Lima {i}")),
                        ("email", email),
                        ("phone", format!("+1555{i:07}")),
                        ("company", "Acme Corporation".to_string()),
                        ("city", "Lisbon".to_string()),
                    ]
                    .into_iter()
                    .map(|(k, v)| (k.to_string(), v))
                    .collect();
                    let rec = NewRecord {
                        object: "contact".into(),
                        key: RecordKey::new(source, id),
                        fields,
                        created: None,
                        updated: Some(AT.into()),
                    };
                    refs.push(tx.upsert_record(batch, &rec)?.1);
                }
                let c = NewCandidate {
                    object: "contact".into(),
                    members: refs,
                    score: 0.93,
                    origin: "bench".into(),
                    reasons: vec![],
                };
                tx.upsert_candidate(Some(batch), AT, &c)?;
            }
            Ok(())
        })
        .unwrap();
    store
}

fn rules() -> std::sync::Arc<mergeq::survivorship::Rules> {
    static RULES: std::sync::OnceLock<std::sync::Arc<mergeq::survivorship::Rules>> =
        std::sync::OnceLock::new();
    RULES.get_or_init(|| std::sync::Arc::new(mergeq::survivorship::Rules::builtin())).clone()
}

fn request(c: usize, i: usize) -> DecisionRequest {
    let verdict = [Verdict::Approve, Verdict::Reject, Verdict::Defer][i % 3];
    let mut choices = Choices::default();
    if verdict == Verdict::Approve {
        choices.picks.push(("email".into(), RecordKey::new("hubspot", format!("H{c}"))));
        choices.sets.push(("phone".into(), Some(format!("+33 1 {i}"))));
    }
    DecisionRequest {
        candidate: CandidateId(c as i64 + 1),
        verdict,
        choices,
        note: i.is_multiple_of(4).then(|| "checked against the signed contract".to_string()),
        seen: Some("1.1".into()),
        status_seen: None,
        steward: "ana".into(),
        at: AT.into(),
        rules: rules(),
    }
}

fn stats(label: &str, mut d: Vec<Duration>) {
    d.sort();
    let ms = |d: Duration| d.as_secs_f64() * 1e3;
    let mean = d.iter().map(|x| ms(*x)).sum::<f64>() / d.len() as f64;
    let p99 = d[(d.len() * 99).div_ceil(100) - 1];
    println!(
        "{label}: n={} median {:.3} ms, p99 {:.3} ms, mean {:.3} ms, max {:.3} ms",
        d.len(),
        ms(d[d.len() / 2]),
        ms(p99),
        mean,
        ms(*d.last().unwrap())
    );
}

fn latency(dir: &std::path::Path) {
    let n = env_or("JOURNAL_BENCH_DECISIONS", 2000);
    let mut store = workspace(&dir.join("latency.mergeq"), n);
    let mut times = Vec::with_capacity(n);
    for i in 0..n {
        let req = request(i, i);
        let t = Instant::now();
        journal::decide(&mut store, &req).unwrap();
        times.push(t.elapsed());
    }
    println!("load average before the decisions: {}", load_average());
    stats("decide (durable commit, WAL + synchronous=FULL)", times);
    let mut times = Vec::new();
    for _ in 0..200.min(n) {
        let t = Instant::now();
        journal::undo(&mut store, None, "ana", AT).unwrap();
        times.push(t.elapsed());
    }
    stats("undo   (durable commit, WAL + synchronous=FULL)", times);
}

/// Builds the big journal in one transaction through `journal::append`.
/// Returns the total length of the bodies appended.
fn build_million(store: &mut Store, entries: usize, candidates: usize) -> usize {
    let key = ed25519_dalek::SigningKey::from_bytes(&[3u8; 32]);
    let mut body_bytes = 0;
    store
        .write(|tx| {
            // Real decision bodies, one per candidate, to copy.
            let mut templates: Vec<Value> = Vec::new();
            for c in 0..candidates {
                let out = journal::decide_in(tx, &request(c, 0))?;
                templates.push(serde_json::from_str(&tx.journal_entry(out.seq)?.unwrap().body)?);
            }
            let mut stacks: Vec<Vec<(i64, Action)>> = vec![Vec::new(); candidates];
            for (c, stack) in stacks.iter_mut().enumerate() {
                stack.push((tx.journal_head()?.unwrap().0 - (candidates - 1 - c) as i64, Action::Approve));
            }
            let mut seq = tx.journal_head()?.unwrap().0;
            let mut last: Option<usize> = None;
            while (seq as usize) < entries {
                let next = seq + 1;
                if next % 10_000 == 0 {
                    journal::sign_off_in(tx, &key, "ana", AT, Some("bench"))?;
                    last = None;
                } else if let (true, Some(c)) = (next % 20 == 0, last) {
                    let (reversed, action) = stacks[c].pop().unwrap();
                    let body = json!({"reverses": reversed, "reversed": {"action": action.as_str(), "at": AT, "steward": "ana"},
                        "object": "contact", "members": templates[c]["members"].as_array().unwrap().iter().map(|m| json!({"key": m["key"], "version": m["version"]})).collect::<Vec<_>>(),
                        "status_before": "x", "status_after": "y", "score": "0.93", "seen": "1.1"});
                    journal::append(tx, &NewEntry { at: AT, steward: "ben", action: Action::Undo, candidate: Some(CandidateId(c as i64 + 1)), body: &body })?;
                    last = None;
                } else {
                    let c = (next as usize * 7919) % candidates;
                    let action = [Action::Approve, Action::Reject, Action::Defer][next as usize % 3];
                    let mut body = templates[c].clone();
                    body["status_after"] = json!(journal::replay::status_of(action).as_str());
                    body["note"] = json!(format!("entry {next}"));
                    body_bytes += journal::append(tx, &NewEntry { at: AT, steward: "ana", action, candidate: Some(CandidateId(c as i64 + 1)), body: &body })?.body.len();
                    stacks[c].push((next, action));
                    last = Some(c);
                }
                seq = next;
            }
            for (c, stack) in stacks.iter().enumerate() {
                let status = stack.last().map_or(Status::Pending, |&(_, a)| journal::replay::status_of(a));
                // `workspace` added each pair's two records in turn: rows 2c+1 and 2c+2.
                let members = [2 * c as i64 + 1, 2 * c as i64 + 2];
                tx.set_candidate_status(CandidateId(c as i64 + 1), status, &members)?;
                // What a rejection leaves, as `decide` leaves it (`audit verify` rebuilds it).
                if status == Status::Rejected {
                    tx.add_rejected_pairs(&members)?;
                }
            }
            Ok(())
        })
        .unwrap();
    body_bytes
}

/// CPU seconds (user + system) this process has used so far, from /proc (Linux; 100 ticks/s).
fn cpu_seconds() -> f64 {
    let stat = std::fs::read_to_string("/proc/self/stat").unwrap_or_default();
    let after = stat.rsplit(')').next().unwrap_or("");
    let f: Vec<f64> = after.split_whitespace().map(|x| x.parse().unwrap_or(0.0)).collect();
    // Fields 14 and 15 of stat (utime, stime) are 12 and 13 after the command name.
    (f.get(11).copied().unwrap_or(0.0) + f.get(12).copied().unwrap_or(0.0)) / 100.0
}

fn load_average() -> String {
    std::fs::read_to_string("/proc/loadavg")
        .unwrap_or_default()
        .split_whitespace()
        .next()
        .unwrap_or("?")
        .to_string()
}

fn verify_million(dir: &std::path::Path) {
    let entries = env_or("JOURNAL_BENCH_ENTRIES", 1_000_000);
    let runs = env_or("JOURNAL_BENCH_RUNS", 3);
    let path = dir.join("million.mergeq");
    let mut store = workspace(&path, 2000);
    let t = Instant::now();
    let bytes = build_million(&mut store, entries, 2000) / entries.max(1);
    println!(
        "built a {entries}-entry journal in {:.1} s (one transaction; bodies average about {bytes} bytes; file {:.0} MiB)",
        t.elapsed().as_secs_f64(),
        std::fs::metadata(&path).map_or(0, |m| m.len()) as f64 / 1048576.0
    );
    let mut times = Vec::new();
    for run in 1..=runs {
        let (t, cpu, load) = (Instant::now(), cpu_seconds(), load_average());
        let report = journal::verify(&store, None).unwrap();
        let took = t.elapsed();
        assert!(report.is_ok(), "{}", report.summary());
        println!(
            "verify run {run}: {:.2} s wall, {:.2} s CPU on 2 threads (load average {load} on this machine) — {}",
            took.as_secs_f64(),
            cpu_seconds() - cpu,
            report.summary()
        );
        times.push(took);
    }
    times.sort();
    println!(
        "audit verify over {entries} entries: median {:.2} s (target < 5 s)",
        times[times.len() / 2].as_secs_f64()
    );
    drop(store);
    if std::env::var("JOURNAL_BENCH_PY").as_deref() == Ok("1") {
        let script = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/verify_journal.py");
        let t = Instant::now();
        let out = std::process::Command::new("python3").arg(script).arg(&path).output().unwrap();
        println!(
            "python3 tests/verify_journal.py: {:.1} s — {}",
            t.elapsed().as_secs_f64(),
            String::from_utf8_lossy(&out.stdout).trim()
        );
    }
}

fn main() {
    let dir = tempfile::tempdir_in(
        std::env::var("JOURNAL_BENCH_DIR").unwrap_or_else(|_| std::env::temp_dir().display().to_string()),
    )
    .unwrap();
    latency(dir.path());
    verify_million(dir.path());
    if std::env::var("JOURNAL_BENCH_KEEP").as_deref() == Ok("1") {
        println!("kept the workspaces in {}", dir.keep().display());
    }
}
