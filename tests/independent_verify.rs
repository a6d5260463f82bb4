//! The independent check: `tests/verify_journal.py` (Python's hashlib + `cryptography`, no mergeq
//! code) verifies a journal mergeq wrote, its raw CSV export, and catches tampering. Needs python3
//! with `cryptography` (pip install cryptography); MERGEQ_SKIP_PY=1 skips it on purpose.

mod journal_fixture;
use journal_fixture as common;

use mergeq::export::{self, ExportOptions};
use mergeq::journal::{self, Verdict};
use mergeq::model::RecordKey;
use std::path::Path;
use std::process::{Command, Output};

fn python_ready() -> bool {
    if std::env::var("MERGEQ_SKIP_PY").as_deref() == Ok("1") {
        eprintln!("MERGEQ_SKIP_PY=1: the independent Python check is skipped");
        return false;
    }
    let probe = Command::new("python3").args(["-c", "import cryptography"]).output();
    match probe {
        Ok(out) if out.status.success() => true,
        _ => panic!(
            "the independent journal check needs python3 with the `cryptography` package \
             (pip install cryptography); set MERGEQ_SKIP_PY=1 to skip it on purpose"
        ),
    }
}

fn verify(target: &Path, pubkey: Option<&Path>) -> Output {
    verify_keys(target, pubkey.as_slice())
}

/// The script with every key given by its own `--pubkey`.
fn verify_keys(target: &Path, pubkeys: &[&Path]) -> Output {
    let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/verify_journal.py");
    let mut cmd = Command::new("python3");
    cmd.arg(script).arg(target);
    for k in pubkeys {
        cmd.arg("--pubkey").arg(k);
    }
    cmd.output().unwrap()
}

fn stdout(o: &Output) -> String {
    String::from_utf8_lossy(&o.stdout).into_owned()
}

/// The verdict: the script's last line (sign-offs are listed before it).
fn verdict(o: &Output) -> String {
    stdout(o).trim().lines().last().unwrap_or_default().to_string()
}

#[test]
fn python_verifies_the_chain_and_signatures_mergeq_wrote() {
    if !python_ready() {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let (path, mut store) = common::workspace(dir.path(), 20);
    let keys = journal::keygen(&dir.path().join("chloé.key")).unwrap();
    let key = journal::load_signing_key(&keys.private).unwrap();
    // Text that two JSON serialisers could disagree on: controls, quotes, backslashes, U+2028, emoji.
    let awkward = "Zoë \u{1}\u{1f}\u{7f} \"q\" \\ / \u{2028} 🎉 \t\n";
    for c in 1..=12 {
        let verdict = [Verdict::Approve, Verdict::Reject, Verdict::Defer][c as usize % 3];
        let mut req = common::request(c, verdict, if c % 2 == 0 { "chloé" } else { awkward });
        req.note = Some(format!("{awkward} #{c}"));
        if verdict == Verdict::Approve {
            req.choices.sets.push(("name".into(), Some(awkward.into())));
            req.choices.picks.push(("email".into(), RecordKey::new("hubspot", format!("H{}", c - 1))));
        }
        journal::decide(&mut store, &req).unwrap();
        if c == 6 {
            journal::undo(&mut store, None, "chloé", common::AT).unwrap();
            journal::sign_off(&mut store, &key, "chloé", common::AT, Some(awkward)).unwrap();
        }
    }
    journal::sign_off(&mut store, &key, "chloé", common::AT, None).unwrap();
    let csv_path = dir.path().join("trail.csv");
    let opts = ExportOptions {
        out: Some(csv_path.clone()),
        raw: true,
        steward: "chloé".into(),
        at: common::AT.into(),
        ..Default::default()
    };
    export::export(&mut store, "audit-csv", &opts).unwrap();
    let (entries, head) = store.journal_head().unwrap().unwrap();
    drop(store);

    let ok = verify(&path, Some(&keys.public));
    assert!(ok.status.success(), "{}{}", stdout(&ok), String::from_utf8_lossy(&ok.stderr));
    assert_eq!(verdict(&ok), format!("journal ok: {entries} entries, head {head}, 2 sign-offs verified"));
    assert_eq!(stdout(&ok).matches("by chloé, key ").count(), 2, "each sign-off listed: {}", stdout(&ok));
    let from_csv = verify(&csv_path, Some(&keys.public));
    assert!(from_csv.status.success(), "{}", stdout(&from_csv));
    assert!(verdict(&from_csv).starts_with(&format!("journal ok: {} entries", entries - 1)));

    // Another steward's key, a changed entry, an edited signature: each named.
    let other = journal::keygen(&dir.path().join("other.key")).unwrap();
    let wrong_key = verify(&path, Some(&other.public));
    assert_eq!(wrong_key.status.code(), Some(1));
    assert!(stdout(&wrong_key).contains("signed by another key"), "{}", stdout(&wrong_key));
    // Several keys (stewards, or one steward's old and new): each sign-off by one of them.
    let either = verify_keys(&path, &[&other.public, &keys.public]);
    assert!(either.status.success(), "{}", stdout(&either));
    let signoff: i64 = {
        let conn = rusqlite::Connection::open(&path).unwrap();
        conn.execute_batch("DROP TRIGGER journal_no_update").unwrap();
        conn.query_row("SELECT min(seq) FROM journal WHERE action = 'signoff'", [], |r| r.get(0)).unwrap()
    };
    let tamper = |sql: &str| {
        let copy = dir.path().join("copy.mergeq");
        std::fs::copy(&path, &copy).unwrap();
        rusqlite::Connection::open(&copy).unwrap().execute_batch(sql).unwrap();
        let out = verify(&copy, Some(&keys.public));
        std::fs::remove_file(&copy).unwrap();
        out
    };
    let changed = tamper("UPDATE journal SET body = json_set(body, '$.note', 'forged') WHERE seq = 5");
    assert_eq!(changed.status.code(), Some(1));
    assert_eq!(verdict(&changed), "journal BROKEN: entry 5: its content does not match its hash");
    let sig = tamper(&format!(
        "UPDATE journal SET signature = substr(signature, 1, 10) || CASE substr(signature, 11, 1) WHEN 'a' THEN 'b' ELSE 'a' END || substr(signature, 12) WHERE seq = {signoff}"
    ));
    assert_eq!(verdict(&sig), format!("journal BROKEN: entry {signoff}: the signature does not verify"));
}

/// Python's `cryptography` reads both key files `keygen` writes, and the pair belongs together:
/// a signature made with the private key verifies with the public one.
#[test]
fn python_reads_both_key_files() {
    if !python_ready() {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let keys = journal::keygen(&dir.path().join("ana.key")).unwrap();
    let script = "import sys\n\
        from cryptography.hazmat.primitives.serialization import load_pem_private_key, load_pem_public_key\n\
        private = load_pem_private_key(open(sys.argv[1], 'rb').read(), None)\n\
        public = load_pem_public_key(open(sys.argv[2], 'rb').read())\n\
        public.verify(private.sign(b'mergeq'), b'mergeq')\n\
        print('ok')\n";
    let out =
        Command::new("python3").args(["-c", script]).arg(&keys.private).arg(&keys.public).output().unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    assert_eq!(stdout(&out), "ok\n");
}

/// A journal written before times had three fraction digits keeps its entries' stored text: a new
/// entry after one stamped `.31Z` is stamped in the three-digit form, never earlier than it (even
/// with an earlier clock), and mergeq and the Python check both verify the whole chain.
#[test]
fn older_time_formats_stay_as_stored_and_verify_alike() {
    if !python_ready() {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let (path, store) = common::workspace(dir.path(), 3);
    let (head, prev) = store.journal_head().unwrap().unwrap();
    drop(store);
    // An entry as an earlier mergeq wrote it: two fraction digits.
    let old_at = "2026-05-01T10:00:00.31Z";
    let body = r#"{"kind":"records","note":"written by an earlier version"}"#;
    let content = mergeq::journal::encoding::Content {
        seq: head + 1,
        at: old_at,
        steward: "importer",
        action: "import",
        candidate: None,
        body,
    };
    let hash = mergeq::journal::encoding::entry_hash(&prev, &content);
    rusqlite::Connection::open(&path)
        .unwrap()
        .execute(
            "INSERT INTO journal (seq, at, steward, action, candidate, body, prev_hash, hash) \
             VALUES (?1, ?2, 'importer', 'import', NULL, ?3, ?4, ?5)",
            rusqlite::params![head + 1, old_at, body, prev, hash],
        )
        .unwrap();
    let mut store = mergeq::store::Store::open_existing(&path).unwrap();
    let mut req = common::request(1, Verdict::Approve, "ana");
    req.at = "2026-05-01T09:59:59.9Z".into();
    let out = journal::decide(&mut store, &req).unwrap();
    let at = |seq| store.journal_entry(seq).unwrap().unwrap().at;
    assert_eq!(at(head + 1), old_at, "kept as stored");
    assert_eq!(at(out.seq), "2026-05-01T10:00:00.310Z", "not before the entry before it, three digits");
    assert_eq!(at(1), "2026-05-01T10:00:00.000Z");
    let report = journal::verify(&store, None).unwrap();
    assert!(report.is_ok(), "{}", report.summary());
    drop(store);
    let ok = verify(&path, None);
    assert!(ok.status.success(), "{}", stdout(&ok));
    assert!(stdout(&ok).starts_with(&format!("journal ok: {} entries", out.seq)), "{}", stdout(&ok));
}
