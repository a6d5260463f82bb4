//! The journal commands as a steward runs them: decide, undo, keygen, signoff, audit log/verify,
//! export audit-csv/audit-report, against a temporary workspace.

mod journal_fixture;
use journal_fixture as common;

use assert_cmd::Command;
use predicates::str::contains;
use serde_json::Value;
use sha2::{Digest, Sha256};
use std::path::{Path, PathBuf};

struct Ws {
    _dir: tempfile::TempDir,
    dir: PathBuf,
    db: PathBuf,
}

impl Ws {
    fn new(pairs: usize) -> Ws {
        let dir = tempfile::tempdir().unwrap();
        let (sf, hs, cands) = common::write_fixture(dir.path(), pairs);
        let ws = Ws { dir: dir.path().to_path_buf(), db: dir.path().join("ws.mergeq"), _dir: dir };
        ws.run(&["import", "records"])
            .arg(&sf)
            .args(["--object", "contact", "--source", "salesforce"])
            .assert()
            .success();
        ws.run(&["import", "records"])
            .arg(&hs)
            .args(["--object", "contact", "--source", "hubspot"])
            .assert()
            .success();
        ws.run(&["import", "candidates"]).arg(&cands).assert().success();
        ws
    }

    fn run(&self, args: &[&str]) -> Command {
        let mut cmd = Command::cargo_bin("mergeq").unwrap();
        cmd.env_remove("MERGEQ_STEWARD").env("MERGEQ_DB", &self.db).env("MERGEQ_STEWARD", "ana").args(args);
        cmd
    }

    fn path(&self, name: &str) -> PathBuf {
        self.dir.join(name)
    }

    fn log(&self) -> Vec<Value> {
        let out = self.run(&["audit", "log", "--json"]).assert().success().get_output().stdout.clone();
        serde_json::from_slice(&out).unwrap()
    }
}

#[test]
fn decide_undo_and_the_log() {
    let ws = Ws::new(3);
    ws.run(&[
        "decide",
        "1",
        "approve",
        "--pick",
        "email=hubspot:H0",
        "--set",
        "phone=+33 1",
        "--survivor",
        "salesforce:S0",
        "--note",
        "same person",
    ])
    .assert()
    .success()
    .stderr(contains("candidate 1: approved (was pending)"));
    ws.run(&["--steward", "ben", "decide", "2", "reject"]).assert().success();
    ws.run(&["decide", "2", "approve", "--pick", "email"])
        .assert()
        .code(2)
        .stderr(contains("FIELD=SOURCE:ID"));
    ws.run(&["decide", "2", "approve", "--survivor", "nokey"]).assert().code(2);
    ws.run(&["decide", "9", "approve"]).assert().code(1).stderr(contains("no candidate 9"));
    ws.run(&["undo", "--note", "one household, not one person"])
        .assert()
        .success()
        .stderr(contains("undid entry 5 (ben's reject of candidate 2)"));
    ws.run(&["undo", "2"]).assert().code(1).stderr(contains("candidate 2 has no decision to undo"));
    let log = ws.log();
    let actions: Vec<&str> = log.iter().map(|e| e["action"].as_str().unwrap()).collect();
    assert_eq!(actions, ["import", "import", "import", "approve", "reject", "undo"]);
    assert_eq!(log[3]["steward"], "ana");
    assert_eq!(log[4]["steward"], "ben");
    assert_eq!(log[3]["body"]["golden"]["fields"]["phone"]["value"], "+33 1");
    assert_eq!(log[3]["body"]["note"], "same person");
    assert_eq!(log[5]["body"]["reverses"], 5);
    assert_eq!(log[5]["body"]["note"], "one household, not one person", "why it was undone");
    ws.run(&["queue", "--json"]).assert().success().stdout(contains("\"approved\""));
    ws.run(&["audit", "log"]).assert().success().stdout(contains("pending → approved on 1.1 · same person"));
    ws.run(&["audit", "log"])
        .assert()
        .success()
        .stdout(contains("reverses 5 · rejected → pending · one household, not one person"));
    ws.run(&["export", "audit-report", "--include-unsigned"])
        .assert()
        .success()
        .stdout(contains("Note: one household, not one person"));
}

#[test]
fn stale_decision_from_the_command_line() {
    let ws = Ws::new(2);
    let shown = ws.run(&["show", "1", "--json"]).assert().success().get_output().stdout.clone();
    let shown: Value = serde_json::from_slice(&shown).unwrap();
    let seen = shown["seen"].as_str().unwrap().to_string();
    assert_eq!(seen, "1.1@0");
    let seen = seen.as_str();
    let changed = ws.path("hubspot-v2.csv");
    std::fs::write(
        &changed,
        "id,name,email,phone,updated_at\nH0,Person  0,moved@example.com,+1 555,2026-03-01\n",
    )
    .unwrap();
    ws.run(&["import", "records"])
        .arg(&changed)
        .args(["--object", "contact", "--source", "hubspot"])
        .assert()
        .success();
    ws.run(&["decide", "1", "approve", "--seen", seen])
        .assert()
        .code(1)
        .stderr(contains("candidate 1 changed since it was shown"))
        .stderr(contains("hubspot:H0 is now version 2, you saw version 1 (changed: email, phone)"));
    assert_eq!(ws.log().len(), 4, "nothing recorded");
    ws.run(&["decide", "1", "approve", "--seen", "2.1@0"]).assert().success();
}

#[test]
fn keygen_signoff_verify_and_exports() {
    let ws = Ws::new(3);
    let key = ws.path("ana.key");
    ws.run(&["keygen", "--out"]).arg(&key).assert().success();
    ws.run(&["keygen", "--out"]).arg(&key).assert().code(1).stderr(contains("never overwrites"));
    ws.run(&["export", "audit-report", "--out"])
        .arg(ws.path("r.md"))
        .assert()
        .code(1)
        .stderr(contains("no sign-off yet"));
    ws.run(&[
        "--steward",
        "=HYPERLINK(\"x\")",
        "decide",
        "1",
        "approve",
        "--set",
        "phone=+1 (555) <b>|x",
        "--note",
        "ok",
    ])
    .assert()
    .success();
    ws.run(&["decide", "2", "reject", "--note", "different people"]).assert().success();
    ws.run(&["signoff", "--key"])
        .arg(&key)
        .args(["--note", "week 18"])
        .assert()
        .success()
        .stderr(contains("signed off entries 1–5"));
    ws.run(&["signoff", "--key"]).arg(&key).assert().code(1).stderr(contains("nothing to sign off"));
    ws.run(&["decide", "3", "defer"]).assert().success();
    ws.run(&["audit", "verify", "--pubkey"])
        .arg(format!("{}.pub", key.display()))
        .assert()
        .success()
        .stdout(format!(
            "sign-off at entry 6 (entries 1–5) by ana, key {}…: signed by {}.pub\n\
             journal ok: 7 entries, head {}…, 1 sign-off verified (by the given key), 1 decision not yet signed off\n",
            &ws.log()[5]["public_key"].as_str().unwrap()[..12],
            key.display(),
            head_prefix(&ws)
        ));
    let other = ws.path("ben.key");
    ws.run(&["keygen", "--out"]).arg(&other).assert().success();
    ws.run(&["audit", "verify", "--pubkey"])
        .arg(format!("{}.pub", other.display()))
        .assert()
        .code(1)
        .stderr(contains("journal entry 6: signed by key"));

    // The report: who, when, old and new values, notes, hashes and the signature.
    let report = ws.path("report.md");
    ws.run(&["export", "audit-report", "--out"]).arg(&report).assert().success();
    let text = std::fs::read_to_string(&report).unwrap();
    let log = ws.log();
    let signoff = &log[5];
    for part in [
        "## Sign-off: entry 6",
        "| note | week 18 |",
        signoff["signature"].as_str().unwrap(),
        signoff["public_key"].as_str().unwrap(),
        signoff["hash"].as_str().unwrap(),
        "### Entry 4 · approve · candidate 1 · =HYPERLINK(\"x\")",
        "| phone | — | +15550000000 | **+1 (555) &lt;b&gt;\\|x** | steward (rule agree suggested +15550000000) |",
        "Note: different people",
        "status pending → rejected",
    ] {
        assert!(text.contains(part), "missing {part:?} in\n{text}");
    }
    assert!(!text.contains("Entry 7 "), "the unsigned defer is not in the signed report");
    let export_entry = &ws.log()[7];
    assert_eq!(export_entry["action"], "export");
    assert_eq!(export_entry["body"]["sha256"], sha256_of(&report));

    // The CSV: formula cells defused unless --raw; stdout with `--out -`.
    let csv = ws.run(&["export", "audit-csv"]).assert().success().get_output().stdout.clone();
    let csv = String::from_utf8(csv).unwrap();
    assert!(csv.starts_with("seq,at,steward,action,candidate,body,prev_hash,hash,signature,public_key\n"));
    assert!(csv.contains(",\"'=HYPERLINK(\"\"x\"\")\",approve,1,"), "{csv}");
    let raw = ws
        .run(&["export", "audit-csv", "--raw", "--out", "-"])
        .assert()
        .success()
        .get_output()
        .stdout
        .clone();
    assert!(String::from_utf8(raw).unwrap().contains(",\"=HYPERLINK(\"\"x\"\")\",approve,1,"));
    // golden-csv (built in the export branch) guards its cells too, and is one more journal entry.
    ws.run(&["export", "golden-csv"]).assert().success().stdout(contains(",\"'=HYPERLINK(\"\"x\"\")\","));
    // An unknown format is a usage error (DESIGN.md: exit 2), naming the formats there are.
    ws.run(&["export", "nonsense"]).assert().code(2).stderr(contains("[possible values: golden-csv"));
    ws.run(&["audit", "verify"]).assert().success().stdout(contains("journal ok: 11 entries"));
}

/// A journal signed off by two stewards passes against both their keys, each sign-off naming the
/// key file that verified it; with one key missing, the sign-off no given key verifies is named
/// and the check fails.
#[test]
fn verify_against_several_stewards_keys() {
    let ws = Ws::new(3);
    let [ana, bob, cy] = ["ana.key", "bob.key", "cy.key"].map(|k| ws.path(k));
    for key in [&ana, &bob, &cy] {
        ws.run(&["keygen", "--out"]).arg(key).assert().success();
    }
    let public = |key: &Path| format!("{}.pub", key.display());
    ws.run(&["decide", "1", "reject"]).assert().success();
    ws.run(&["signoff", "--key"]).arg(&ana).assert().success();
    ws.run(&["--steward", "bob", "decide", "2", "reject"]).assert().success();
    ws.run(&["--steward", "bob", "signoff", "--key"])
        .arg(&bob)
        .assert()
        .success()
        .stderr(contains("signed off entry 6 (1 reject) as entry 7"));
    ws.run(&["--steward", "bob", "decide", "3", "reject"]).assert().success();
    // Ana's key is ana's: bob cannot sign off with it, and nothing is written.
    let entries = ws.log().len();
    ws.run(&["--steward", "bob", "signoff", "--key"])
        .arg(&ana)
        .assert()
        .code(1)
        .stderr(contains("this key signed off as ana in journal entry 5: a key is one steward's"));
    assert_eq!(ws.log().len(), entries);
    ws.run(&["--steward", "bob", "signoff", "--key"]).arg(&bob).assert().success();

    let both =
        ws.run(&["audit", "verify", "--pubkey", &public(&ana), "--pubkey", &public(&bob)]).assert().success();
    let out = String::from_utf8(both.get_output().stdout.clone()).unwrap();
    let ana_hex = ws.log()[4]["public_key"].as_str().unwrap()[..12].to_string();
    let bob_hex = ws.log()[6]["public_key"].as_str().unwrap()[..12].to_string();
    assert!(
        out.contains(&format!(
            "sign-off at entry 5 (entries 1–4) by ana, key {ana_hex}…: signed by {}\n",
            public(&ana)
        )),
        "{out}"
    );
    assert!(
        out.contains(&format!(
            "sign-off at entry 7 (entry 6) by bob, key {bob_hex}…: signed by {}\n",
            public(&bob)
        )),
        "{out}"
    );
    assert!(
        out.contains(&format!(
            "sign-off at entry 9 (entry 8) by bob, key {bob_hex}…: signed by {}\n",
            public(&bob)
        )),
        "{out}"
    );
    assert!(out.contains("3 sign-offs verified (by the given keys)"), "{out}");
    assert!(!out.contains("warning") && !out.contains("note:"), "{out}");

    ws.run(&["audit", "verify", "--pubkey", &public(&cy), "--pubkey", &public(&ana)])
        .assert()
        .code(1)
        .stdout(contains(format!("sign-off at entry 5 (entries 1–4) by ana, key {ana_hex}…: signed by {}\n", public(&ana))))
        .stdout(contains(format!("sign-off at entry 7 (entry 6) by bob, key {bob_hex}…: signed by none of the given keys\n")))
        .stderr(contains(format!(
            "journal entry 7: signed by key {bob_hex}…, not by any of the 2 given keys (nor is the sign-off at entry 9)"
        )));
    ws.run(&["audit", "verify", "--pubkey", &public(&bob)])
        .assert()
        .code(1)
        .stdout(contains(format!(
            "sign-off at entry 9 (entry 8) by bob, key {bob_hex}…: signed by {}\n",
            public(&bob)
        )))
        .stderr(contains("journal entry 5: signed by key"));
}

/// OpenSSL (when installed) reads the private key `keygen` writes and its `.pub` file, and both
/// name the same public key. Skipped without an `openssl` binary.
#[test]
fn openssl_reads_both_key_files() {
    let dir = tempfile::tempdir().unwrap();
    let key = dir.path().join("ana.key");
    Command::cargo_bin("mergeq").unwrap().args(["keygen", "--out"]).arg(&key).assert().success();
    let openssl =
        |args: &[&str], file: &Path| std::process::Command::new("openssl").args(args).arg(file).output();
    let Ok(private) = openssl(&["pkey", "-pubout", "-in"], &key) else {
        eprintln!("no openssl binary: the OpenSSL key check is skipped");
        return;
    };
    assert!(private.status.success(), "openssl pkey -in: {}", String::from_utf8_lossy(&private.stderr));
    let public =
        openssl(&["pkey", "-pubin", "-pubout", "-in"], &PathBuf::from(format!("{}.pub", key.display())))
            .unwrap();
    assert!(public.status.success(), "openssl pkey -pubin: {}", String::from_utf8_lossy(&public.stderr));
    assert_eq!(
        String::from_utf8_lossy(&private.stdout),
        std::fs::read_to_string(format!("{}.pub", key.display())).unwrap()
    );
    assert_eq!(private.stdout, public.stdout);
}

fn head_prefix(ws: &Ws) -> String {
    let store = mergeq::store::Store::open_existing(&ws.db).unwrap();
    store.journal_head().unwrap().unwrap().1[..12].to_string()
}

fn sha256_of(path: &Path) -> String {
    mergeq::journal::encoding::hex(&Sha256::digest(std::fs::read(path).unwrap()))
}
