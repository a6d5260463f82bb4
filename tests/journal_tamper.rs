//! Tamper tests on a 1,000-entry journal: an attacker with sqlite3 drops the triggers and changes a
//! field of an entry, deletes, inserts or swaps entries, or edits a signature; `audit verify` must
//! fail and name the first bad entry every time.

mod journal_fixture;
use journal_fixture as common;

use mergeq::journal::encoding::{entry_hash, Content};
use mergeq::journal::{self, keys::public_key_hex};
use mergeq::store::{JournalEntry, Store};
use rusqlite::{params, Connection};
use std::path::{Path, PathBuf};

struct Fixture {
    _dir: tempfile::TempDir,
    dir: PathBuf,
    pristine: PathBuf,
    entries: Vec<JournalEntry>,
    key: ed25519_dalek::VerifyingKey,
}

fn fixture() -> Fixture {
    let dir = tempfile::tempdir().unwrap();
    let (path, mut store) = common::workspace(dir.path(), 200);
    let key = common::fill_journal(&mut store, 200, 1000).verifying_key();
    let mut entries = Vec::new();
    store
        .scan_journal(1, |e| {
            entries.push(e);
            Ok(())
        })
        .unwrap();
    assert_eq!(entries.len(), 1000);
    let report = journal::verify(&store, Some(&key)).unwrap();
    assert!(report.is_ok(), "{}", report.summary());
    assert_eq!(report.signoffs, 10);
    drop(store);
    // The attacker's first move: drop the append-only triggers.
    let conn = Connection::open(&path).unwrap();
    conn.execute_batch("DROP TRIGGER journal_no_update; DROP TRIGGER journal_no_delete;").unwrap();
    drop(conn);
    assert!(!dir.path().join("ws.mergeq-wal").exists());
    let pristine = dir.path().join("pristine.mergeq");
    std::fs::rename(&path, &pristine).unwrap();
    Fixture { dir: dir.path().to_path_buf(), _dir: dir, pristine, entries, key }
}

impl Fixture {
    /// Applies `tamper` to a copy of the workspace and returns the entry `audit verify` names.
    fn verify_after(&self, tamper: impl FnOnce(&Connection)) -> Option<i64> {
        self.problem_after(tamper).map(|(seq, _)| seq)
    }

    /// Applies `tamper` to a copy of the workspace and returns the problem `audit verify` finds:
    /// the entry it names and its message.
    fn problem_after(&self, tamper: impl FnOnce(&Connection)) -> Option<(i64, String)> {
        let path = self.dir.join("case.mergeq");
        std::fs::copy(&self.pristine, &path).unwrap();
        {
            let conn = Connection::open(&path).unwrap();
            conn.execute_batch("PRAGMA ignore_check_constraints = ON; PRAGMA synchronous = OFF").unwrap();
            tamper(&conn);
        }
        let store = Store::open_existing(&path).unwrap();
        let report = journal::verify(&store, Some(&self.key)).unwrap();
        drop(store);
        for suffix in ["", "-wal", "-shm"] {
            let _ = std::fs::remove_file(format!("{}{suffix}", path.display()));
        }
        report.problem.map(|p| (p.seq.expect("a problem names an entry"), p.message))
    }

    fn signoffs(&self) -> Vec<i64> {
        self.entries.iter().filter(|e| e.action == "signoff").map(|e| e.seq).collect()
    }

    /// Positions to tamper with: the ends, an import, sign-offs and a spread of decisions between.
    fn positions(&self) -> Vec<i64> {
        let mut rng = common::Lcg(7);
        let mut p = vec![1, 2, 4, 998, 999, 1000];
        p.extend(self.signoffs().into_iter().take(2));
        p.extend((0..6).map(|_| 1 + rng.next(1000) as i64));
        p.sort();
        p.dedup();
        p
    }
}

fn exec(conn: &Connection, sql: &str, seq: i64) {
    assert_eq!(conn.execute(sql, [seq]).unwrap(), 1, "{sql} at {seq} changed nothing");
}

const FLIP_LAST: &str = "CASE substr({c}, 64, 1) WHEN '0' THEN '1' ELSE '0' END";

#[test]
fn verify_names_the_first_bad_entry_after_any_tampering() {
    let f = fixture();
    assert_eq!(f.verify_after(|_| {}), None, "the untouched copy verifies");
    let mut failures = Vec::new();
    let mut cases = 0;
    let mut check = |what: String, got: Option<i64>, want: i64| {
        cases += 1;
        if got != Some(want) {
            failures.push(format!("{what}: verify named {got:?}, expected entry {want}"));
        }
    };
    let flip = |c: &str| format!("substr({c}, 1, 63) || {}", FLIP_LAST.replace("{c}", c));
    let field_changes: Vec<(&str, String)> = vec![
        ("at", "UPDATE journal SET at = '2027-01-01T00:00:00Z' WHERE seq = ?1".into()),
        ("steward", "UPDATE journal SET steward = 'mallory' WHERE seq = ?1".into()),
        ("action", "UPDATE journal SET action = CASE action WHEN 'approve' THEN 'reject' ELSE 'approve' END WHERE seq = ?1".into()),
        ("candidate", "UPDATE journal SET candidate = COALESCE(candidate + 1, 1) WHERE seq = ?1".into()),
        ("body", "UPDATE journal SET body = json_set(body, '$.note', 'forged') WHERE seq = ?1".into()),
        ("body spacing", "UPDATE journal SET body = '{ ' || substr(body, 2) WHERE seq = ?1".into()),
        ("prev_hash", format!("UPDATE journal SET prev_hash = {} WHERE seq = ?1", flip("prev_hash"))),
        ("hash", format!("UPDATE journal SET hash = {} WHERE seq = ?1", flip("hash"))),
        ("seq", "UPDATE journal SET seq = seq + 5000 WHERE seq = ?1".into()),
        ("signature added", "UPDATE journal SET signature = COALESCE(signature, 'ab') || '00' WHERE seq = ?1".into()),
    ];
    for seq in f.positions() {
        for (field, sql) in &field_changes {
            check(format!("change {field} of entry {seq}"), f.verify_after(|c| exec(c, sql, seq)), seq);
        }
        check(
            format!("delete entry {seq}"),
            f.verify_after(|c| exec(c, "DELETE FROM journal WHERE seq = ?1", seq)),
            seq,
        );
    }
    let other_key = public_key_hex(&ed25519_dalek::SigningKey::from_bytes(&[9u8; 32]).verifying_key());
    for seq in f.signoffs() {
        let sql = format!("UPDATE journal SET signature = {} WHERE seq = ?1", flip("signature"));
        check(format!("edit the signature of sign-off {seq}"), f.verify_after(|c| exec(c, &sql, seq)), seq);
        let sql = format!("UPDATE journal SET public_key = '{other_key}' WHERE seq = ?1");
        check(format!("replace the key of sign-off {seq}"), f.verify_after(|c| exec(c, &sql, seq)), seq);
    }
    // Swaps: every column but the number exchanged between two entries.
    let mut rng = common::Lcg(11);
    for _ in 0..12 {
        let (a, b) = (1 + rng.next(1000) as i64, 1 + rng.next(1000) as i64);
        if a == b {
            continue;
        }
        check(format!("swap entries {a} and {b}"), f.verify_after(|c| swap(c, a, b)), a.min(b));
    }
    // Insertions: a forged entry with a made-up hash is itself bad; one hashed correctly onto its
    // predecessor breaks the link of the entry after it.
    for k in [1, 250, 700, 998] {
        check(
            format!("insert a badly hashed entry after {k}"),
            f.verify_after(|c| insert_after(c, &f.entries, k, false)),
            k + 1,
        );
        check(
            format!("insert a well hashed entry after {k}"),
            f.verify_after(|c| insert_after(c, &f.entries, k, true)),
            k + 2,
        );
    }
    // An attacker who rewrites an entry and recomputes every later hash is caught by the first
    // sign-off after the change: its signature no longer matches.
    for seq in [5, 150, 640] {
        let next_signoff = f.signoffs().into_iter().find(|s| *s > seq).unwrap();
        check(
            format!("rewrite entry {seq} and rehash the rest"),
            f.verify_after(|c| rewrite_and_rehash(c, &f.entries, seq)),
            next_signoff,
        );
    }
    assert!(
        failures.is_empty(),
        "{} of {cases} tamper cases not caught as expected:\n{}",
        failures.len(),
        failures.join("\n")
    );
    assert!(cases > 150, "{cases}");
}

fn swap(conn: &Connection, a: i64, b: i64) {
    let cols = "at, steward, action, candidate, body, prev_hash, hash, signature, public_key";
    conn.execute_batch(&format!(
        "CREATE TEMP TABLE t AS SELECT seq, {cols} FROM journal WHERE seq IN ({a}, {b});
         UPDATE journal SET ({cols}) = (SELECT {cols} FROM t WHERE t.seq = {b}) WHERE seq = {a};
         UPDATE journal SET ({cols}) = (SELECT {cols} FROM t WHERE t.seq = {a}) WHERE seq = {b};"
    ))
    .unwrap();
}

fn insert_after(conn: &Connection, entries: &[JournalEntry], k: i64, well_hashed: bool) {
    conn.execute_batch(&format!(
        "UPDATE journal SET seq = seq + 100000 WHERE seq > {k}; UPDATE journal SET seq = seq - 99999 WHERE seq > 100000;"
    ))
    .unwrap();
    let prev = &entries[k as usize - 1].hash;
    let body = r#"{"note":"forged"}"#;
    let content = Content {
        seq: k + 1,
        at: "2026-05-03T00:00:00Z",
        steward: "mallory",
        action: "import",
        candidate: None,
        body,
    };
    let hash = if well_hashed { entry_hash(prev, &content) } else { "ab".repeat(32) };
    conn.execute(
        "INSERT INTO journal (seq, at, steward, action, candidate, body, prev_hash, hash) VALUES (?1, ?2, ?3, 'import', NULL, ?4, ?5, ?6)",
        params![k + 1, content.at, content.steward, body, prev, hash],
    )
    .unwrap();
}

fn rewrite_and_rehash(conn: &Connection, entries: &[JournalEntry], seq: i64) {
    let mut prev = entries[seq as usize - 1].prev_hash.clone();
    for e in &entries[seq as usize - 1..] {
        let body = if e.seq == seq { e.body.replacen('}', r#","forged":1}"#, 1) } else { e.body.clone() };
        let body = if e.seq == seq { reorder(&body) } else { body };
        let content = Content {
            seq: e.seq,
            at: &e.at,
            steward: &e.steward,
            action: &e.action,
            candidate: e.candidate,
            body: &body,
        };
        let hash = entry_hash(&prev, &content);
        conn.execute(
            "UPDATE journal SET body = ?2, prev_hash = ?3, hash = ?4 WHERE seq = ?1",
            params![e.seq, body, prev, hash],
        )
        .unwrap();
        prev = hash;
    }
}

/// Canonical form of a body (the forger keeps bodies canonical so the Python check agrees too).
fn reorder(body: &str) -> String {
    mergeq::journal::encoding::canonical_json(&serde_json::from_str(body).unwrap()).unwrap()
}

/// The recorded head is what tells entries cut from the end: its row deleted (with or without the
/// whole journal) is itself named as tampering, not an internal "no rows" error.
#[test]
fn a_deleted_journal_head_is_named() {
    let f = fixture();
    let gone = "the record of the journal's last entry (journal_head) is gone";
    let (seq, message) = f.problem_after(|c| c.execute_batch("DELETE FROM journal_head").unwrap()).unwrap();
    assert_eq!(seq, 1000);
    assert!(message.contains(gone), "{message}");
    let everything =
        |c: &Connection| c.execute_batch("DELETE FROM journal; DELETE FROM journal_head").unwrap();
    let (seq, message) = f.problem_after(everything).unwrap();
    assert_eq!(seq, 1);
    assert!(message.contains(gone), "{message}");
}

#[test]
fn audit_verify_exits_1_naming_the_entry() {
    let dir = tempfile::tempdir().unwrap();
    let (path, mut store) = common::workspace(dir.path(), 3);
    journal::decide(&mut store, &common::request(1, journal::Verdict::Approve, "ana")).unwrap();
    journal::decide(&mut store, &common::request(2, journal::Verdict::Reject, "ana")).unwrap();
    drop(store);
    let mergeq = |args: &[&str]| {
        assert_cmd::Command::cargo_bin("mergeq").unwrap().arg("--db").arg(&path).args(args).assert()
    };
    mergeq(&["audit", "verify"])
        .success()
        .stdout(predicates::str::starts_with("journal ok: 5 entries, head "));
    let conn = Connection::open(&path).unwrap();
    conn.execute_batch(
        "DROP TRIGGER journal_no_update; UPDATE journal SET steward = 'mallory' WHERE seq = 4;",
    )
    .unwrap();
    drop(conn);
    mergeq(&["audit", "verify"])
        .code(1)
        .stderr(predicates::str::contains("journal entry 4: its content does not match its hash"));
    assert_tampered_status_is_caught(&path);
}

/// Changing a candidate's status outside mergeq is caught too: it is a projection of the journal.
fn assert_tampered_status_is_caught(path: &Path) {
    let conn = Connection::open(path).unwrap();
    conn.execute_batch("UPDATE journal SET steward = 'ana' WHERE seq = 4; UPDATE candidates SET status = 'approved' WHERE id = 3;").unwrap();
    drop(conn);
    let store = Store::open_existing(path).unwrap();
    let problem = journal::verify(&store, None).unwrap().problem.expect("caught");
    assert!(
        problem.message.contains("candidate 3 is approved in the workspace but pending by the journal"),
        "{problem}"
    );
}
