//! `mergeq export` where a careless `--out` or a second incremental export could do harm: the
//! workspace (and its companion files) refused as a destination, devices and FIFOs written in
//! place, links and permissions kept; `--since-last` after an empty export and per `--source`;
//! fields a CRM computes itself left out of its plan; an export that did not reach its reader
//! (a full device, a pipe closed early) left out of the journal.

mod common;

use common::Workspace;
use predicates::prelude::PredicateBooleanExt;
use predicates::str::contains;

/// Two Salesforce contacts paired as candidate 1, approved and signed off.
fn approved_pair() -> Workspace {
    let ws = Workspace::address_pair();
    ws.ok(&["keygen", "--out", "ann.key"]);
    ws.ok(&["decide", "1", "approve"]);
    ws.ok(&["signoff", "--key", "ann.key"]);
    ws
}

fn journal_len(ws: &Workspace) -> usize {
    let log: Vec<serde_json::Value> = serde_json::from_str(&ws.ok(&["audit", "log", "--json"])).unwrap();
    log.len()
}

#[test]
fn the_workspace_and_its_files_are_never_an_export_destination() {
    let ws = approved_pair();
    let entries = journal_len(&ws);
    let db = ws.db.display().to_string();
    let dump = ws.dump();
    let sub = ws.dir.path().join("sub");
    std::fs::create_dir(&sub).unwrap();
    #[cfg(unix)]
    std::os::unix::fs::symlink(&ws.db, ws.dir.path().join("link.jsonl")).unwrap();
    let outs = [
        db.clone(),
        "ws.mergeq".to_string(),
        "./sub/../ws.mergeq".to_string(),
        format!("{db}-wal"),
        "ws.mergeq-shm".to_string(),
        "ws.mergeq-journal".to_string(),
        #[cfg(unix)]
        "link.jsonl".to_string(),
    ];
    for out in &outs {
        for format in ["golden-jsonl", "salesforce", "audit-csv"] {
            ws.cmd()
                .args(["export", format, "--out", out])
                .assert()
                .code(1)
                .stderr(contains("refusing to write the export").and(contains("nothing was written")));
        }
    }
    assert_eq!(ws.dump(), dump, "the workspace changed");
    assert_eq!(journal_len(&ws), entries);
    // (After the line naming the sign-off's steward and key.)
    assert!(ws.ok(&["audit", "verify"]).lines().any(|l| l.starts_with("journal ok")));
    assert!(!ws.dir.path().join("ws.mergeq-journal").exists());
    #[cfg(unix)]
    assert!(std::fs::symlink_metadata(ws.dir.path().join("link.jsonl")).unwrap().file_type().is_symlink());
}

#[cfg(unix)]
#[test]
fn dev_null_stays_a_device_and_links_and_permissions_are_kept() {
    use std::os::unix::fs::{FileTypeExt, PermissionsExt};
    let ws = approved_pair();
    ws.cmd().args(["export", "golden-jsonl", "--out", "/dev/null"]).assert().success();
    assert!(std::fs::symlink_metadata("/dev/null").unwrap().file_type().is_char_device());
    // A link keeps pointing at its file, which gets the export and keeps its mode.
    let real = ws.file("real.jsonl", "old");
    std::fs::set_permissions(&real, std::fs::Permissions::from_mode(0o640)).unwrap();
    std::os::unix::fs::symlink("real.jsonl", ws.dir.path().join("plan.jsonl")).unwrap();
    ws.ok(&["export", "golden-jsonl", "--out", "plan.jsonl"]);
    let link = std::fs::symlink_metadata(ws.dir.path().join("plan.jsonl")).unwrap();
    assert!(link.file_type().is_symlink());
    let exported = std::fs::read_to_string(&real).unwrap();
    assert!(exported.starts_with("{\"candidate\":1,"), "{exported}");
    assert_eq!(std::fs::metadata(&real).unwrap().permissions().mode() & 0o7777, 0o640);
    // A FIFO gets the bytes in place and stays a FIFO.
    let fifo = ws.dir.path().join("pipe");
    assert!(std::process::Command::new("mkfifo").arg(&fifo).status().unwrap().success());
    let reader = {
        let fifo = fifo.clone();
        std::thread::spawn(move || std::fs::read_to_string(fifo).unwrap())
    };
    ws.ok(&["export", "golden-jsonl", "--out", "pipe"]);
    assert_eq!(reader.join().unwrap(), exported);
    assert!(std::fs::symlink_metadata(&fifo).unwrap().file_type().is_fifo());
}

/// Four records of `source` paired as candidates 1 (r1, r2) and 2 (r3, r4), none decided.
fn two_pairs(source: &str) -> Workspace {
    let ws = Workspace::new();
    ws.ok(&["keygen", "--out", "ann.key"]);
    ws.file("r.csv", "id,email\nr1,a@x.example\nr2,a@x.example\nr3,b@x.example\nr4,b@x.example\n");
    ws.ok(&["import", "records", "r.csv", "--object", "contact", "--source", source]);
    ws.file("p.csv", format!("left,right,score\n{source}:r1,{source}:r2,0.9\n{source}:r3,{source}:r4,0.9\n"));
    ws.ok(&["import", "candidates", "p.csv"]);
    ws
}

fn merged_ids(plan: &str) -> usize {
    plan.lines().filter(|l| l.contains("r2") || l.contains("r4")).count()
}

#[test]
fn an_empty_incremental_export_does_not_break_the_next_one() {
    for crm in ["salesforce", "hubspot", "zoho", "dynamics"] {
        let ws = two_pairs(crm);
        ws.ok(&["decide", "1", "approve"]);
        ws.ok(&["signoff", "--key", "ann.key"]);
        ws.ok(&["export", crm, "--out", "a"]);
        ws.ok(&["export", crm, "--since-last", "--out", "b"]); // nothing new
        assert_eq!(std::fs::read_to_string(ws.dir.path().join("b")).unwrap(), "", "{crm}");
        ws.ok(&["decide", "2", "approve"]);
        ws.ok(&["signoff", "--key", "ann.key"]);
        ws.ok(&["export", crm, "--since-last", "--out", "c"]);
        let plan = std::fs::read_to_string(ws.dir.path().join("c")).unwrap();
        assert!(plan.contains("r4") && !plan.contains("r2"), "{crm}: {plan}");
    }
}

#[test]
fn since_last_counts_from_the_previous_export_of_the_same_source() {
    let ws = two_pairs("salesforce");
    ws.file("h.csv", "id,email\nh1,c@x.example\n");
    ws.ok(&["import", "records", "h.csv", "--object", "contact", "--source", "hubspot"]);
    ws.ok(&["decide", "1", "approve"]);
    ws.ok(&["decide", "2", "approve"]);
    ws.ok(&["signoff", "--key", "ann.key"]);
    // A plan from the hubspot source holds none of these, and must not use up their window.
    ws.ok(&["export", "salesforce", "--source", "hubspot", "--out", "x"]);
    ws.ok(&["export", "salesforce", "--since-last", "--out", "y"]);
    assert_eq!(merged_ids(&std::fs::read_to_string(ws.dir.path().join("y")).unwrap()), 2);
    ws.cmd().args(["export", "salesforce", "--since-last", "--out", "z"]).assert().success().stderr(
        contains("no decisions to export after journal entry").and(contains("from source `salesforce`")),
    );
    // The hubspot-source window is its own: still nothing of these there.
    ws.ok(&["export", "salesforce", "--source", "hubspot", "--since-last", "--out", "w"]);
    assert_eq!(std::fs::read_to_string(ws.dir.path().join("w")).unwrap(), "");
}

#[test]
fn an_unsigned_export_ahead_of_the_sign_off_is_not_exported_again() {
    let ws = two_pairs("salesforce");
    ws.ok(&["decide", "1", "approve"]);
    ws.ok(&["signoff", "--key", "ann.key"]);
    ws.ok(&["decide", "2", "approve"]);
    ws.ok(&["export", "golden-jsonl", "--include-unsigned", "--since-last", "--out", "a"]);
    // The sign-off lags behind what that export reached: nothing new, and nothing again later.
    ws.ok(&["export", "golden-jsonl", "--since-last", "--out", "b"]);
    assert_eq!(std::fs::read_to_string(ws.dir.path().join("b")).unwrap(), "");
    ws.ok(&["signoff", "--key", "ann.key"]);
    ws.ok(&["export", "golden-jsonl", "--since-last", "--out", "c"]);
    assert_eq!(std::fs::read_to_string(ws.dir.path().join("c")).unwrap(), "");
}

/// Two records of `source` from `csv` (whose first column is the id), paired and approved by the
/// rules alone, and signed off.
fn approved_from(source: &str, csv: &str, id_column: &str) -> Workspace {
    let ws = Workspace::new();
    ws.ok(&["keygen", "--out", "ann.key"]);
    ws.file("r.csv", csv);
    ws.ok(&[
        "import",
        "records",
        "r.csv",
        "--object",
        "contact",
        "--source",
        source,
        "--id-column",
        id_column,
    ]);
    ws.file("p.csv", format!("left,right,score\n{source}:1,{source}:2,0.9\n"));
    ws.ok(&["import", "candidates", "p.csv"]);
    ws.ok(&["decide", "1", "approve", "--survivor", &format!("{source}:2")]);
    ws.ok(&["signoff", "--key", "ann.key"]);
    ws
}

#[test]
fn a_salesforce_plan_leaves_out_the_system_fields_and_says_so() {
    let ws = approved_from(
        "salesforce",
        "Id,Email,OwnerId,CreatedById,LastModifiedById,CreatedDate,LastModifiedDate,SystemModstamp,IsDeleted,MasterRecordId,LastActivityDate,LastViewedDate,LastReferencedDate\n\
         1,a@x.example,005A,005C,005M,2026-01-01T00:00:00.000+0000,2026-03-01T00:00:00.000+0000,2026-03-02T00:00:00.000+0000,false,001X,2026-02-01,2026-03-03T00:00:00.000+0000,2026-03-04T00:00:00.000+0000\n\
         2,,005B,005D,005N,2026-01-02T00:00:00.000+0000,2026-02-01T00:00:00.000+0000,2026-02-02T00:00:00.000+0000,true,,,,\n",
        "Id",
    );
    let out = ws.cmd().args(["export", "salesforce"]).assert().success();
    let (stdout, stderr) = (out.get_output().stdout.clone(), out.get_output().stderr.clone());
    let plan = String::from_utf8(stdout).unwrap();
    let stderr = String::from_utf8(stderr).unwrap();
    let line: serde_json::Value = serde_json::from_str(plan.trim()).unwrap();
    let master = line["masterRecord"].as_object().unwrap();
    let mut names: Vec<&str> = master.keys().map(String::as_str).collect();
    names.sort();
    // Only the settable fields the survivor does not hold yet (the rules pick record 1's email
    // and owner, the newer record).
    assert_eq!(names, ["Email", "Id", "OwnerId", "attributes"], "{plan}");
    assert_eq!(master["Id"], "2");
    let left_out =
        ["IsDeleted", "LastActivityDate", "LastModifiedById", "LastReferencedDate", "LastViewedDate"];
    for name in left_out.iter().chain(&["MasterRecordId", "SystemModstamp", "CreatedById"]) {
        assert!(stderr.contains(&format!("`{name}`")), "{name} not named: {stderr}");
    }
    assert_eq!(stderr.matches("left out of every merge").count(), 1, "{stderr}");
    assert!(stderr.contains("Salesforce sets these system fields itself"), "{stderr}");
    // The golden records keep every field.
    let golden = ws.ok(&["export", "golden-jsonl"]);
    for name in left_out {
        assert!(golden.contains(&format!("\"{name}\"")), "{name} missing from {golden}");
    }
}

#[test]
fn system_modstamp_is_a_timestamp_on_import() {
    let ws = Workspace::new();
    ws.file("r.csv", "Id,Email,SystemModstamp\n1,a@x.example,2026-03-02T10:00:00.000+0000\n");
    ws.ok(&["import", "records", "r.csv", "--object", "contact", "--source", "salesforce"]);
    let store = mergeq::store::Store::open_existing(&ws.db).unwrap();
    let key = mergeq::model::RecordKey::new("salesforce", "1");
    let record = store.record(Some("contact"), &key).unwrap().unwrap();
    assert_eq!(record.updated.as_deref(), Some("2026-03-02T10:00:00Z"));
    assert!(!record.fields.contains_key("SystemModstamp"), "{:?}", record.fields);
}

#[test]
fn a_hubspot_plan_leaves_out_calculated_properties_and_later_plans_still_work() {
    let ws = approved_from(
        "hubspot",
        "Record ID,hs_object_id,email,createdate,lastmodifieddate,hs_analytics_source,num_form_submissions,hs_lead_status\n\
         1,1,a@x.example,2026-01-01T00:00:00Z,2026-03-01T00:00:00Z,ORGANIC,3,OPEN\n\
         2,2,,2026-01-02T00:00:00Z,2026-02-01T00:00:00Z,PAID,1,NEW\n",
        "Record ID",
    );
    let out = ws.cmd().args(["export", "hubspot", "--out", "a"]).assert().success();
    let stderr = String::from_utf8(out.get_output().stderr.clone()).unwrap();
    let plan = std::fs::read_to_string(ws.dir.path().join("a")).unwrap();
    let lines: Vec<serde_json::Value> = plan.lines().map(|l| serde_json::from_str(l).unwrap()).collect();
    let methods: Vec<&str> = lines.iter().map(|l| l["method"].as_str().unwrap()).collect();
    // The update before the merge; the address the merged contact holds after it.
    assert_eq!(methods, ["PATCH", "POST", "PATCH"], "{plan}");
    let mut names: Vec<&str> = lines
        .iter()
        .filter(|l| l["method"] == "PATCH")
        .flat_map(|l| l["body"]["properties"].as_object().unwrap().keys().map(String::as_str))
        .collect();
    names.sort();
    assert_eq!(names, ["email", "hs_lead_status"], "{plan}");
    for name in ["hs_object_id", "hs_analytics_source", "num_form_submissions"] {
        assert!(stderr.contains(&format!("`{name}`")), "{name} not named: {stderr}");
    }
    // A later approval and a later plan are not blocked by the first one's fields.
    ws.ok(&["export", "hubspot", "--since-last", "--out", "b"]);
    ws.ok(&["export", "hubspot", "--out", "c"]);
    assert_eq!(std::fs::read_to_string(ws.dir.path().join("c")).unwrap(), plan);
}

#[test]
fn a_field_a_plan_cannot_carry_names_the_candidate() {
    let ws = approved_from("salesforce", "Id,Email,attributes\n1,a@x.example,x\n2,,y\n", "Id");
    ws.cmd()
        .args(["export", "salesforce", "--out", "plan.jsonl"])
        .assert()
        .code(1)
        .stderr(contains("candidate 1 (journal entry").and(contains("`attributes` cannot be set")));
    assert!(!ws.dir.path().join("plan.jsonl").exists());
}

/// `--since-last` after a failed export still carries candidate 1.
fn since_last_exports_candidate_1(ws: &Workspace) {
    let again = ws.ok(&["export", "golden-jsonl", "--since-last"]);
    assert!(again.starts_with("{\"candidate\":1,"), "{again}");
}

#[cfg(target_os = "linux")]
#[test]
fn an_export_a_full_device_refuses_is_not_recorded() {
    if !std::path::Path::new("/dev/full").exists() {
        eprintln!("no /dev/full: skipped");
        return;
    }
    let ws = approved_pair();
    let entries = journal_len(&ws);
    // Shell redirection (`> /dev/full`): stdout is the device.
    let full = std::fs::OpenOptions::new().write(true).open("/dev/full").unwrap();
    let out = ws
        .process()
        .args(["export", "golden-jsonl", "--since-last"])
        .stdout(full)
        .stderr(std::process::Stdio::piped())
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(1), "{stderr}");
    assert!(stderr.contains("writing the export to stdout"), "{stderr}");
    assert!(stderr.contains("nothing was recorded in the journal"), "{stderr}");
    assert!(!stderr.contains("exported golden-jsonl"), "{stderr}");
    // `--out /dev/full`: the device is written in place.
    let stderr = ws.fails(&["export", "golden-jsonl", "--since-last", "--out", "/dev/full"], 1);
    assert!(stderr.contains("writing the export to /dev/full"), "{stderr}");
    assert_eq!(journal_len(&ws), entries, "a failed export was recorded");
    since_last_exports_candidate_1(&ws);
}

#[test]
fn an_export_whose_reader_closes_the_pipe_early_is_not_recorded() {
    // A value of 200 KB: more than a pipe holds, so the export's write meets the closed pipe
    // whenever the reader goes away.
    let ws = Workspace::new();
    ws.ok(&["keygen", "--out", "ann.key"]);
    let long = "x".repeat(200_000);
    ws.file("r.csv", format!("id,email,note\n1,a@x.example,{long}\n2,a@x.example,\n"));
    ws.ok(&["import", "records", "r.csv", "--object", "contact", "--source", "salesforce"]);
    ws.file("p.csv", "left,right,score\nsalesforce:1,salesforce:2,0.9\n");
    ws.ok(&["import", "candidates", "p.csv"]);
    ws.ok(&["decide", "1", "approve"]);
    ws.ok(&["signoff", "--key", "ann.key"]);
    let entries = journal_len(&ws);
    let mut child = ws
        .process()
        .args(["export", "golden-jsonl", "--since-last"])
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    drop(child.stdout.take()); // the reader goes away without reading
    let out = child.wait_with_output().unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(1), "{stderr}");
    assert!(stderr.contains("nothing was recorded in the journal"), "{stderr}");
    assert!(stderr.contains("Broken pipe"), "{stderr}");
    assert_eq!(journal_len(&ws), entries, "an export nobody read was recorded");
    let again = ws.ok(&["export", "golden-jsonl", "--since-last"]);
    assert!(again.starts_with("{\"candidate\":1,") && again.contains(&long), "{}", &again[..100]);
}

#[test]
fn a_plan_from_a_source_no_record_has_is_refused_and_not_recorded() {
    let ws = two_pairs("Salesforce");
    ws.ok(&["decide", "1", "approve"]);
    ws.ok(&["signoff", "--key", "ann.key"]);
    let entries = journal_len(&ws);
    // The default source differs from the records' only in case.
    let stderr = ws.fails(&["export", "salesforce", "--out", "plan.jsonl"], 1);
    assert!(stderr.contains("no record comes from source `salesforce`"), "{stderr}");
    assert!(stderr.contains("did you mean --source `Salesforce`?"), "{stderr}");
    let stderr = ws.fails(&["export", "hubspot", "--source", "salesforce"], 1);
    assert!(
        stderr.contains("no record comes from source `salesforce`; did you mean `Salesforce`?"),
        "{stderr}"
    );
    let stderr = ws.fails(&["export", "zoho", "--source", "nosuch", "--since-last"], 1);
    assert!(
        stderr.contains("no record comes from source `nosuch` (the workspace's sources: `Salesforce`)"),
        "{stderr}"
    );
    assert_eq!(journal_len(&ws), entries, "a refused plan was recorded");
    assert!(!ws.dir.path().join("plan.jsonl").exists());
    let plan = ws.ok(&["export", "salesforce", "--source", "Salesforce"]);
    assert_eq!(merged_ids(&plan), 1, "{plan}");
    // A workspace without any record of a CRM still gets its (empty) plan, as a nightly job
    // running every CRM's plan expects.
    assert_eq!(ws.ok(&["export", "dynamics"]), "");
}

#[test]
fn source_with_a_format_that_does_not_read_it_is_a_usage_error() {
    let ws = approved_pair();
    let entries = journal_len(&ws);
    for format in ["golden-csv", "golden-jsonl", "not-duplicates", "audit-csv", "audit-report"] {
        let stderr = ws.fails(&["export", format, "--source", "salesforce"], 2);
        assert!(stderr.contains("--source goes with a merge plan"), "{format}: {stderr}");
    }
    assert_eq!(journal_len(&ws), entries);
}
