//! Fixture workspaces for the journal tests: records and candidates imported from small files
//! through the library (so imports are journal entries too), and a deterministic mix of decisions.
#![allow(dead_code)]

use mergeq::import::{self, CandidateFormat, CandidateOptions, ImportContext, RecordOptions};
use mergeq::journal::{self, DecisionRequest, Verdict};
use mergeq::model::{CandidateId, Choices, RecordKey};
use mergeq::store::Store;
use std::path::{Path, PathBuf};

pub const AT: &str = "2026-05-01T10:00:00Z";

pub fn ctx(steward: &str) -> ImportContext {
    ImportContext { steward: steward.to_string(), at: AT.to_string() }
}

/// Writes `salesforce.csv` and `hubspot.csv` with `pairs` records each (`salesforce:S{i}` and
/// `hubspot:H{i}` describe the same person) and `candidates.csv` pairing them.
pub fn write_fixture(dir: &Path, pairs: usize) -> (PathBuf, PathBuf, PathBuf) {
    let mut sf = String::from("id,name,email,phone,updated_at\n");
    let mut hs = String::from("id,name,email,phone,updated_at\n");
    let mut cands = String::from("left,right,score,reason\n");
    for i in 0..pairs {
        sf.push_str(&format!("S{i},Person {i},p{i}@example.com,+1555000{i:04},2026-01-01\n"));
        hs.push_str(&format!("H{i},Person  {i},person{i}@example.com,,2026-02-01\n"));
        cands.push_str(&format!("salesforce:S{i},hubspot:H{i},0.{:02},same name\n", 50 + i % 50));
    }
    let files = (dir.join("salesforce.csv"), dir.join("hubspot.csv"), dir.join("candidates.csv"));
    std::fs::write(&files.0, sf).unwrap();
    std::fs::write(&files.1, hs).unwrap();
    std::fs::write(&files.2, cands).unwrap();
    files
}

pub fn import_records(store: &mut Store, file: &Path, source: &str) {
    let opts = RecordOptions::csv("contact", source);
    import::import_records(store, file, &opts, &ctx("importer")).unwrap();
}

pub fn import_candidates(store: &mut Store, file: &Path) -> import::Summary {
    let opts = CandidateOptions {
        format: CandidateFormat::Auto,
        object: Some("contact".into()),
        source: None,
        id_column: None,
        delimiter: b',',
    };
    import::import_candidates(store, file, &opts, &ctx("importer")).unwrap()
}

/// A workspace file in `dir` with `pairs` candidates, pending.
pub fn workspace(dir: &Path, pairs: usize) -> (PathBuf, Store) {
    let (sf, hs, cands) = write_fixture(dir, pairs);
    let path = dir.join("ws.mergeq");
    let mut store = Store::open(&path).unwrap();
    import_records(&mut store, &sf, "salesforce");
    import_records(&mut store, &hs, "hubspot");
    import_candidates(&mut store, &cands);
    (path, store)
}

pub fn request(candidate: i64, verdict: Verdict, steward: &str) -> DecisionRequest {
    DecisionRequest {
        candidate: CandidateId(candidate),
        verdict,
        choices: Choices::default(),
        note: None,
        seen: None,
        status_seen: None,
        steward: steward.to_string(),
        at: AT.to_string(),
        rules: rules(),
    }
}

/// The built-in survivorship rules, parsed once.
pub fn rules() -> std::sync::Arc<mergeq::survivorship::Rules> {
    static RULES: std::sync::OnceLock<std::sync::Arc<mergeq::survivorship::Rules>> =
        std::sync::OnceLock::new();
    RULES.get_or_init(|| std::sync::Arc::new(mergeq::survivorship::Rules::builtin())).clone()
}

/// A small deterministic generator (tests must not depend on a crate's random stream).
pub struct Lcg(pub u64);

impl Lcg {
    pub fn next(&mut self, n: u64) -> u64 {
        self.0 = self.0.wrapping_mul(6364136223846793005).wrapping_add(1442695040888963407);
        (self.0 >> 33) % n
    }
}

/// Appends decisions, undos, exports and sign-offs (one every ~100 entries) until the journal
/// holds `entries` entries, in one transaction. Returns the sign-off key.
pub fn fill_journal(store: &mut Store, candidates: i64, entries: i64) -> ed25519_dalek::SigningKey {
    let key = ed25519_dalek::SigningKey::from_bytes(&[7u8; 32]);
    let mut rng = Lcg(42);
    store
        .write(|tx| {
            let mut n = tx.journal_head()?.map_or(0, |h| h.0);
            while n < entries {
                let at = format!("2026-05-02T{:02}:{:02}:{:02}Z", n / 3600 % 24, n / 60 % 60, n % 60);
                let steward = ["ana", "ben", "chloé"][rng.next(3) as usize];
                let c = 1 + rng.next(candidates as u64) as i64;
                if n % 100 == 99 {
                    journal::sign_off_in(tx, &key, "ana", &at, Some("weekly"))?;
                // the key is ana's
                } else if n % 157 == 0 {
                    let event = journal::ExportEvent {
                        format: "audit-csv",
                        file: "trail.csv",
                        sha256: "00",
                        bytes: 1,
                        items: n as u64,
                        details: serde_json::json!({}),
                    };
                    journal::record_export(tx, steward, &at, &event)?;
                } else if rng.next(4) == 0 && journal::undo_in(tx, Some(CandidateId(c)), steward, &at).is_ok()
                {
                } else {
                    let verdict = [Verdict::Approve, Verdict::Reject, Verdict::Defer][rng.next(3) as usize];
                    let mut req = request(c, verdict, steward);
                    req.at = at;
                    req.note = (rng.next(3) == 0).then(|| format!("note {n} — ünïcode \"quoted\" \t tab"));
                    if verdict == Verdict::Approve && rng.next(2) == 0 {
                        req.choices.sets.push(("phone".into(), Some(format!("+33 {n}"))));
                        req.choices
                            .picks
                            .push(("email".into(), RecordKey::new("hubspot", format!("H{}", c - 1))));
                    }
                    journal::decide_in(tx, &req)?;
                }
                n = tx.journal_head()?.map_or(0, |h| h.0);
            }
            Ok(())
        })
        .unwrap();
    key
}
