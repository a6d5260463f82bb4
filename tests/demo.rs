//! `mergeq demo` as a user runs it, and the bundled demo data against its generator.

use assert_cmd::Command;
use mergeq::store::Store;
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

/// What the demo data holds (README in assets/demo/ explains the patterns behind the numbers).
const RECORDS: i64 = 650;
const CANDIDATES: i64 = 142;
const ACCOUNT_CANDIDATES: usize = 46;
const CONTACT_CANDIDATES: usize = 96;
const FORMULA: &str = r#"=HYPERLINK("http://evil.example","click")"#;

/// The files `mergeq demo` bundles and writes next to the workspace.
const BUNDLED: &[&str] = &[
    "accounts_salesforce.csv",
    "accounts_hubspot.csv",
    "contacts_salesforce.csv",
    "contacts_hubspot.csv",
    "contacts_webform.csv",
    "candidates.csv",
    "candidate_clusters.csv",
    "candidate_cluster_links.csv",
    // The CRMs' names of the demo's fields, for `export --fields`: written, not imported.
    "salesforce_fields.toml",
    "hubspot_fields.toml",
];

fn mergeq() -> Command {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_mergeq"));
    cmd.env_remove("MERGEQ_DB").env_remove("MERGEQ_RULES").env("MERGEQ_STEWARD", "tester");
    cmd
}

fn assets() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("assets/demo")
}

fn run_demo(db: &Path) -> assert_cmd::assert::Assert {
    mergeq().arg("--db").arg(db).args(["demo", "--no-console"]).assert()
}

#[test]
fn demo_builds_a_workspace_with_every_record_and_candidate() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("ws.mergeq");
    let out = run_demo(&db).success();
    let stdout = String::from_utf8(out.get_output().stdout.clone()).unwrap();
    let stderr = String::from_utf8(out.get_output().stderr.clone()).unwrap();
    assert!(stderr.contains(&format!("demo workspace: {}", db.display())), "{stderr}");
    let row = |object: &str| stdout.lines().find(|l| l.starts_with(object)).unwrap_or_default().to_string();
    let words = |line: String| line.split_whitespace().map(str::to_string).collect::<Vec<_>>();
    assert_eq!(words(row("account")), ["account", "150", "46", "46", "0", "0", "0"], "{stdout}");
    assert_eq!(words(row("contact")), ["contact", "500", "96", "96", "0", "0", "0"], "{stdout}");
    assert!(stdout.contains("top 10 of 142 candidates"), "{stdout}");

    let store = Store::open_existing(&db).unwrap();
    let counts = store.counts().unwrap();
    assert_eq!((counts.records, counts.candidates, counts.pending), (RECORDS, CANDIDATES, CANDIDATES));
    let queue = store.queue(&Default::default()).unwrap();
    let mut by_object: BTreeMap<&str, usize> = BTreeMap::new();
    let mut formulas = 0;
    for c in &queue {
        *by_object.entry(c.object.as_str()).or_default() += 1;
        let members = store.members(c.id).unwrap();
        formulas += members
            .iter()
            .filter(|(r, _)| r.fields.get("title").map(String::as_str) == Some(FORMULA))
            .count();
        assert!(members.len() >= 2, "candidate {} has {} members", c.id, members.len());
        assert!(members.iter().all(|(r, _)| r.object == c.object), "candidate {} mixes objects", c.id);
        assert!((0.55..=0.99).contains(&c.score), "candidate {} scores {}", c.id, c.score);
    }
    assert_eq!(by_object.get("account"), Some(&ACCOUNT_CANDIDATES));
    assert_eq!(by_object.get("contact"), Some(&CONTACT_CANDIDATES));
    // The one hostile value, a web-form title that looks like a spreadsheet formula, is stored as given.
    assert_eq!(formulas, 1);

    // The files the imports read are next to the workspace, exactly as bundled.
    for name in BUNDLED {
        let written = std::fs::read(dir.path().join("demo").join(name)).unwrap();
        assert!(written == std::fs::read(assets().join(name)).unwrap(), "demo/{name} differs from assets");
    }
    let json = mergeq().arg("--db").arg(&db).args(["queue", "--json"]).assert().success();
    let items: serde_json::Value = serde_json::from_slice(&json.get_output().stdout).unwrap();
    assert_eq!(items.as_array().unwrap().len() as i64, CANDIDATES);
}

/// The links inside clusters overlap the clusters as a matcher's pairs do: approving a cluster
/// leaves its links pending but held by it, and only those.
#[test]
fn the_demo_links_inside_clusters_are_held_by_their_approved_cluster() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("ws.mergeq");
    run_demo(&db).success();
    let queue = || -> Vec<serde_json::Value> {
        let out = mergeq().arg("--db").arg(&db).args(["queue", "--json"]).assert().success();
        serde_json::from_slice(&out.get_output().stdout).unwrap()
    };
    let members = |c: &serde_json::Value| -> Vec<String> {
        c["members"].as_array().unwrap().iter().map(|m| m.as_str().unwrap().to_string()).collect()
    };
    let items = queue();
    let clusters: Vec<&serde_json::Value> = items.iter().filter(|c| members(c).len() > 2).collect();
    // The links are the pairs whose records all lie in one cluster: 9 of them, in 4 clusters.
    let mut held: BTreeMap<i64, Vec<i64>> = BTreeMap::new();
    for pair in items.iter().filter(|c| members(c).len() == 2) {
        let inside: Vec<i64> = clusters
            .iter()
            .filter(|c| members(pair).iter().all(|m| members(c).contains(m)))
            .map(|c| c["id"].as_i64().unwrap())
            .collect();
        assert!(inside.len() <= 1, "pair {} lies in clusters {inside:?}", pair["id"]);
        if let Some(&cluster) = inside.first() {
            held.entry(cluster).or_default().push(pair["id"].as_i64().unwrap());
        }
    }
    assert_eq!(held.values().map(Vec::len).sum::<usize>(), 9, "{held:?}");
    assert_eq!(held.len(), 4, "{held:?}");
    assert!(items.iter().all(|c| c["held_by"].is_null()), "nothing is approved yet");

    let (&cluster, links) = held.iter().next().unwrap();
    mergeq().arg("--db").arg(&db).args(["decide", &cluster.to_string(), "approve"]).assert().success();
    for c in queue() {
        let id = c["id"].as_i64().unwrap();
        let expected = if links.contains(&id) { serde_json::json!(cluster) } else { serde_json::Value::Null };
        assert_eq!(c["held_by"], expected, "candidate {id}");
    }
}

#[test]
fn a_second_demo_on_the_same_db_is_refused_and_changes_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("ws.mergeq");
    run_demo(&db).success();
    let before = Store::open_existing(&db).unwrap().logical_dump().unwrap();
    let out = run_demo(&db).failure().code(1);
    let stderr = String::from_utf8(out.get_output().stderr.clone()).unwrap();
    assert!(stderr.contains("already exists") && stderr.contains("never overwrites"), "{stderr}");
    assert_eq!(Store::open_existing(&db).unwrap().logical_dump().unwrap(), before);

    // Any file at --db, even one that is no workspace, is left alone.
    let other = dir.path().join("notes.txt");
    std::fs::write(&other, "mine").unwrap();
    run_demo(&other).failure().code(1);
    assert_eq!(std::fs::read_to_string(&other).unwrap(), "mine");
}

#[test]
fn demo_refuses_to_overwrite_other_files_in_a_demo_folder_next_to_db() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::create_dir(dir.path().join("demo")).unwrap();
    std::fs::write(dir.path().join("demo/candidates.csv"), "left,right\n").unwrap();
    let db = dir.path().join("ws.mergeq");
    let out = run_demo(&db).failure().code(1);
    let stderr = String::from_utf8(out.get_output().stderr.clone()).unwrap();
    assert!(stderr.contains("is not the bundled demo data"), "{stderr}");
    assert_eq!(std::fs::read_to_string(dir.path().join("demo/candidates.csv")).unwrap(), "left,right\n");
    assert!(!db.exists(), "no workspace may be left behind");
}

#[cfg(target_os = "linux")]
#[test]
fn the_default_demo_workspace_is_rebuilt_fresh() {
    let home = tempfile::tempdir().unwrap();
    let demo = |cmd: &mut Command| {
        cmd.env("HOME", home.path()).env("XDG_DATA_HOME", home.path().join("data"));
    };
    let mut first = mergeq();
    demo(&mut first);
    first.args(["demo", "--no-console"]).assert().success();
    let db = home.path().join("data/mergeq/demo.mergeq");
    assert!(db.exists() && home.path().join("data/mergeq/demo/candidates.csv").exists());

    // A steward adds something to the demo workspace; the next `demo` starts again from scratch.
    let extra = home.path().join("extra.csv");
    std::fs::write(&extra, "id,name\nx1,Extra Ltd\n").unwrap();
    mergeq()
        .arg("--db")
        .arg(&db)
        .args(["import", "records"])
        .arg(&extra)
        .args(["--object", "account", "--source", "crm"])
        .assert()
        .success();
    assert_eq!(Store::open_existing(&db).unwrap().counts().unwrap().records, RECORDS + 1);
    let mut second = mergeq();
    demo(&mut second);
    let out = second.args(["demo", "--no-console"]).assert().success();
    assert!(
        String::from_utf8_lossy(&out.get_output().stderr).contains("replacing the previous demo workspace")
    );
    assert_eq!(Store::open_existing(&db).unwrap().counts().unwrap().records, RECORDS);
}

#[test]
fn the_demo_csv_files_are_what_generate_py_writes() {
    let python = std::process::Command::new("python3").arg("--version").output();
    if !python.map(|o| o.status.success()).unwrap_or(false) {
        eprintln!("skipped: python3 is not installed");
        return;
    }
    let out = tempfile::tempdir().unwrap();
    let status = std::process::Command::new("python3")
        .arg(assets().join("generate.py"))
        .arg("--out")
        .arg(out.path())
        .status()
        .unwrap();
    assert!(status.success(), "generate.py failed");
    let mut compared = 0;
    for entry in std::fs::read_dir(assets()).unwrap() {
        let path = entry.unwrap().path();
        if path.extension().is_some_and(|e| e == "csv") {
            let name = path.file_name().unwrap();
            let fresh = std::fs::read(out.path().join(name)).unwrap_or_default();
            assert!(fresh == std::fs::read(&path).unwrap(), "{name:?} differs from what generate.py writes");
            compared += 1;
        }
    }
    let csv_bundled = BUNDLED.iter().filter(|n| n.ends_with(".csv")).count();
    assert!(compared >= csv_bundled, "only {compared} CSV files in assets/demo");
    let written = std::fs::read_dir(out.path()).unwrap().count();
    assert_eq!(written, compared, "generate.py writes files that are not committed");
}

/// Without a terminal (a pipe, a CI job), the console is not opened and nothing is built: the error
/// says what works instead, not crossterm's bare OS error.
#[test]
fn the_console_without_a_terminal_says_what_to_use_instead() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("ws.mergeq");
    let out = mergeq().arg("--db").arg(&db).arg("demo").write_stdin("").assert().code(1);
    let stderr = String::from_utf8(out.get_output().stderr.clone()).unwrap();
    assert!(stderr.contains("the review console needs a terminal"), "{stderr}");
    assert!(stderr.contains("mergeq demo --no-console"), "{stderr}");
    assert!(!db.exists(), "nothing is built for a console that cannot open");
    run_demo(&db).success();
    let out = mergeq().arg("--db").arg(&db).arg("review").write_stdin("").assert().code(1);
    let stderr = String::from_utf8(out.get_output().stderr.clone()).unwrap();
    assert!(stderr.contains("the review console needs a terminal"), "{stderr}");
}

/// The demo's field files name every field its records have: approved demo candidates go into
/// Salesforce and HubSpot plans under those CRMs' names, and no field is left unnamed.
#[test]
fn the_demo_field_files_name_every_demo_field() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("ws.mergeq");
    run_demo(&db).success();
    let queue: Vec<serde_json::Value> = serde_json::from_slice(
        &mergeq().arg("--db").arg(&db).args(["queue", "--json"]).assert().success().get_output().stdout,
    )
    .unwrap();
    // Approve every candidate whose records all come from one CRM (the ones a plan can merge).
    for c in &queue {
        let members: Vec<&str> =
            c["members"].as_array().unwrap().iter().map(|m| m.as_str().unwrap()).collect();
        let one_crm = ["salesforce:", "hubspot:"].iter().any(|p| members.iter().all(|m| m.starts_with(p)));
        if one_crm {
            let id = c["id"].to_string();
            mergeq().arg("--db").arg(&db).args(["decide", &id, "approve"]).assert().success();
        }
    }
    for crm in ["salesforce", "hubspot"] {
        let fields = assets().join(format!("{crm}_fields.toml"));
        let out = mergeq()
            .arg("--db")
            .arg(&db)
            .args(["export", crm, "--include-unsigned", "--out"])
            .arg(dir.path().join(format!("{crm}.jsonl")))
            .arg("--fields")
            .arg(&fields)
            .assert()
            .success();
        let said = String::from_utf8_lossy(&out.get_output().stderr).into_owned();
        assert!(!said.contains("not in --fields"), "{crm}: {said}");
        let plan = std::fs::read_to_string(dir.path().join(format!("{crm}.jsonl"))).unwrap();
        assert!(!plan.is_empty(), "{crm}: an empty plan proves nothing");
        for demo_name in ["first_name", "last_name", "postcode", "annual_revenue", "\"tags\""] {
            assert!(!plan.contains(demo_name), "{crm} plan still says {demo_name}: {plan}");
        }
    }
}
