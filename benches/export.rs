//! Benchmark (issue 7): `mergeq export` of 1,000,000 approved decisions (target < 10 s).
//!
//! `cargo bench --bench export` builds a workspace file (in a temporary folder on disk) whose journal
//! holds EXPORT_BENCH_DECISIONS (default 1,000,000) approved decisions on as many candidates, then a
//! sign-off over them all, and times `export::export` — the whole path of `mergeq export FORMAT
//! --out FILE`: the window and the replay of every decision, the read of every body, parsing,
//! rendering, SHA-256, the atomic file write (with fsync) and the export's journal entry, with the
//! binary's allocator — for each format in EXPORT_BENCH_FORMATS (default: the six decision
//! exports), EXPORT_BENCH_RUNS (default 3) times each, printing every run's wall and CPU time and
//! each format's median. EXPORT_BENCH_VERDICT=reject makes the decisions rejections instead (the
//! default format is then not-duplicates; keep that workspace in another file).
//!
//! The journal is built in one transaction through the real append path (`journal::append`:
//! canonical encoding, hash chain, store checks) from real decision bodies: 100 candidates
//! (90 pairs, 10 clusters of five Salesforce contacts, 6 fields each, a steward's pick and edit
//! on each) are decided through `journal::decide_in`, and each of the million entries copies one of
//! those bodies with its record ids made unique. Candidate ids beyond the 100 have no row in the
//! candidates table: the export reads only the journal.

// The allocator of the `mergeq` binary (src/main.rs), so the figures are those of `mergeq export`.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

use mergeq::export::{self, ExportOptions};
use mergeq::journal::{self, Action, DecisionRequest, NewEntry, Verdict};
use mergeq::model::{CandidateId, Choices, Fields, RecordKey};
use mergeq::store::{NewBatch, NewCandidate, NewRecord, RecordRef, Store};
use serde_json::Value;
use std::time::Instant;

const AT: &str = "2026-05-01T10:00:00Z";
const TEMPLATES: usize = 100;

fn env_or(name: &str, default: usize) -> usize {
    std::env::var(name).ok().and_then(|v| v.parse().ok()).unwrap_or(default)
}

/// The records and candidates the template decisions are made on.
fn templates(store: &mut Store) {
    store
        .write(|tx| {
            let batch = tx.begin_batch(&NewBatch {
                object: Some("contact".into()),
                source: Some("salesforce".into()),
                ..NewBatch::new("records", "bench", "csv", AT, "bench")
            })?;
            for c in 0..TEMPLATES {
                let size = if c % 10 == 9 { 5 } else { 2 };
                let mut refs: Vec<RecordRef> = Vec::new();
                for m in 0..size {
                    let fields: Fields = [
                        ("FirstName", if m == 1 { "Anna".to_string() } else { "Ana".to_string() }),
                        ("LastName", format!("Lima {c}")),
                        ("Email", format!("p{c}.{m}@example.com")),
                        ("Phone", format!("+1 555 {c:04} {m}")),
                        ("Title", ["CEO", "Chief Executive", "Founder"][m % 3].to_string()),
                        ("MailingCity", "Lisbon".to_string()),
                    ]
                    .into_iter()
                    .map(|(k, v)| (k.to_string(), v))
                    .collect();
                    let key = RecordKey::new("salesforce", format!("003T{c:04}M{m}"));
                    let updated = format!("2026-0{}-01T00:00:00Z", m + 1);
                    let rec = NewRecord {
                        object: "contact".into(),
                        key,
                        fields,
                        created: None,
                        updated: Some(updated),
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
}

fn request(c: usize, reject: bool) -> DecisionRequest {
    let mut choices = Choices::default();
    if reject {
        // A rejection carries no choices.
        return DecisionRequest { verdict: Verdict::Reject, choices, ..request(c, false) };
    }
    choices.picks.push(("Email".into(), RecordKey::new("salesforce", format!("003T{c:04}M1"))));
    choices.sets.push(("Title".into(), Some(format!("Head of Sales {c}"))));
    DecisionRequest {
        candidate: CandidateId(c as i64 + 1),
        verdict: Verdict::Approve,
        choices,
        note: Some("checked against the signed contract".into()),
        seen: None,
        status_seen: None,
        steward: "ana".into(),
        at: AT.into(),
        rules: std::sync::Arc::new(mergeq::survivorship::Rules::builtin()),
    }
}

/// Appends `decisions` approvals or rejections (the first 100 real, the rest copies with unique ids) and a
/// sign-off, in one transaction. Returns the average body length.
fn build(store: &mut Store, decisions: usize, reject: bool) -> usize {
    let key = ed25519_dalek::SigningKey::from_bytes(&[7u8; 32]);
    let mut body_bytes = 0;
    store
        .write(|tx| {
            let mut bodies: Vec<String> = Vec::new();
            for c in 0..TEMPLATES.min(decisions) {
                let out = journal::decide_in(tx, &request(c, reject))?;
                let body = tx.journal_entry(out.seq)?.unwrap().body;
                body_bytes += body.len();
                bodies.push(body);
            }
            for i in TEMPLATES..decisions {
                // `salesforce:003T…` → `salesforce:003T<i>-…`: every decision merges its own records.
                let text = bodies[i % TEMPLATES].replace("salesforce:003T", &format!("salesforce:003T{i}-"));
                let body: Value = serde_json::from_str(&text)?;
                let candidate = Some(CandidateId(i as i64 + 1));
                let action = if reject { Action::Reject } else { Action::Approve };
                let entry = NewEntry { at: AT, steward: "ana", action, candidate, body: &body };
                body_bytes += journal::append(tx, &entry)?.body.len();
            }
            journal::sign_off_in(tx, &key, "ana", AT, Some("bench"))?;
            Ok(())
        })
        .unwrap();
    body_bytes / decisions.max(1)
}

/// CPU seconds (user + system) this process has used so far, from /proc (Linux; 100 ticks/s).
fn cpu_seconds() -> f64 {
    let stat = std::fs::read_to_string("/proc/self/stat").unwrap_or_default();
    let after = stat.rsplit(')').next().unwrap_or("");
    let f: Vec<f64> = after.split_whitespace().map(|x| x.parse().unwrap_or(0.0)).collect();
    (f.get(11).copied().unwrap_or(0.0) + f.get(12).copied().unwrap_or(0.0)) / 100.0
}

fn load_average() -> String {
    let text = std::fs::read_to_string("/proc/loadavg").unwrap_or_default();
    text.split_whitespace().next().unwrap_or("?").to_string()
}

/// Peak resident memory of this process so far, in MiB.
fn peak_rss_mib() -> f64 {
    let status = std::fs::read_to_string("/proc/self/status").unwrap_or_default();
    let kb = status.lines().find_map(|l| l.strip_prefix("VmHWM:")).and_then(|v| v.split_whitespace().next());
    kb.and_then(|k| k.parse::<f64>().ok()).unwrap_or(0.0) / 1024.0
}

fn main() {
    let decisions = env_or("EXPORT_BENCH_DECISIONS", 1_000_000);
    let runs = env_or("EXPORT_BENCH_RUNS", 3);
    // EXPORT_BENCH_VERDICT=reject builds rejections instead, for the not-duplicates export.
    let reject = std::env::var("EXPORT_BENCH_VERDICT").is_ok_and(|v| v == "reject");
    let default_formats =
        if reject { "not-duplicates" } else { "salesforce,hubspot,dynamics,zoho,golden-jsonl,golden-csv" };
    let formats = std::env::var("EXPORT_BENCH_FORMATS").unwrap_or_else(|_| default_formats.into());
    let base =
        std::env::var("EXPORT_BENCH_DIR").unwrap_or_else(|_| std::env::temp_dir().display().to_string());
    let dir = tempfile::tempdir_in(base).unwrap();
    // EXPORT_BENCH_WORKSPACE=FILE keeps the built workspace there and reuses it when it exists.
    let kept = std::env::var("EXPORT_BENCH_WORKSPACE").ok().map(std::path::PathBuf::from);
    let path = kept.clone().unwrap_or_else(|| dir.path().join("export.mergeq"));
    let reuse = kept.is_some() && path.exists();
    let mut store = Store::open(&path).unwrap();
    if reuse {
        println!("reusing the workspace {}", path.display());
    } else {
        templates(&mut store);
        let t = Instant::now();
        let avg = build(&mut store, decisions, reject);
        println!(
            "built {decisions} {} decisions and a sign-off in {:.1} s (bodies about {avg} bytes; workspace {:.0} MiB)",
            if reject { "rejected" } else { "approved" },
            t.elapsed().as_secs_f64(),
            std::fs::metadata(&path).map_or(0, |m| m.len()) as f64 / 1048576.0
        );
    }
    let mut medians = Vec::new();
    for format in formats.split(',') {
        let mut times = Vec::new();
        for run in 1..=runs {
            let out = dir.path().join(format!("out.{format}"));
            let opts = ExportOptions {
                out: Some(out.clone()),
                // Every member is a Salesforce record: the other CRMs' plans name it as their source.
                source: (format != "salesforce").then(|| "salesforce".to_string()),
                steward: "ana".into(),
                at: AT.into(),
                ..ExportOptions::default()
            };
            let (t, cpu, load) = (Instant::now(), cpu_seconds(), load_average());
            // Every run exports everything (not --since-last): a reused workspace gives the same work.
            let outcome = export::export(&mut store, format, &opts).unwrap();
            let took = t.elapsed();
            assert_eq!(outcome.items, decisions as u64, "{format}: every decision exported");
            println!(
                "{format} run {run}: {:.2} s wall, {:.2} s CPU (load average {load}) — {} decisions, {} lines, {:.0} MiB",
                took.as_secs_f64(),
                cpu_seconds() - cpu,
                outcome.items,
                outcome.details["lines"],
                std::fs::metadata(&out).map_or(0, |m| m.len()) as f64 / 1048576.0
            );
            times.push(took);
        }
        times.sort();
        medians.push((format.to_string(), times[times.len() / 2]));
    }
    for (format, median) in medians {
        println!(
            "export {format} of {decisions} {} decisions: median {:.2} s (target < 10 s)",
            if reject { "rejected" } else { "approved" },
            median.as_secs_f64()
        );
    }
    println!("peak RSS {:.0} MiB", peak_rss_mib());
}
