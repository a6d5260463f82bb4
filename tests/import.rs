//! Imports that must succeed: upserts, versions, accepted CSV variants, real tool outputs.

mod common;
use common::{fixture, seeded, shared_data, Workspace};
use serde_json::Value;

fn queue_json(ws: &Workspace) -> Vec<Value> {
    serde_json::from_str::<Value>(&ws.ok(&["queue", "--json"])).unwrap().as_array().unwrap().clone()
}

#[test]
fn same_file_twice_changes_nothing_and_says_so() {
    let ws = seeded();
    let before = ws.dump();
    let sf = fixture("import/contacts_sf.csv");
    let out = ws
        .cmd()
        .args(["import", "records", sf.to_str().unwrap(), "--object", "contact", "--source", "salesforce"])
        .output()
        .unwrap();
    assert!(out.status.success());
    assert!(
        String::from_utf8_lossy(&out.stderr).contains("nothing new"),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let pairs = fixture("import/pairs.csv");
    let out = ws.cmd().args(["import", "candidates", pairs.to_str().unwrap()]).output().unwrap();
    assert!(String::from_utf8_lossy(&out.stderr).contains("nothing new"));
    assert_eq!(before, ws.dump());
}

#[test]
fn newer_export_bumps_versions_of_changed_records_only() {
    let ws = seeded();
    let newer = ws.file(
        "newer.csv",
        "id,first_name,last_name,email,updated_at\n0035g00000AbCdEAA1,Ann,Lee,ann@example.com,2026-05-01T10:00:00Z\n0035g00000AbCdEAA2,Bob,Ray,bob@newco.example,2026-06-01T10:00:00Z\n0035g00000AbCdEAA3,Cy,Young,,\n",
    );
    let out = ws.ok(&[
        "import",
        "records",
        newer.to_str().unwrap(),
        "--object",
        "contact",
        "--source",
        "salesforce",
        "--json",
    ]);
    let summary: Value = serde_json::from_str(&out).unwrap();
    assert_eq!(summary["records_changed"], 1);
    assert_eq!(summary["records_unchanged"], 2);
    let store = mergeq::store::Store::open_existing(&ws.db).unwrap();
    let key = |id: &str| mergeq::model::RecordKey::new("salesforce", id);
    let bob = store.record(Some("contact"), &key("0035g00000AbCdEAA2")).unwrap().unwrap();
    assert_eq!(bob.version, 2);
    assert_eq!(bob.fields["email"], "bob@newco.example");
    assert_eq!(bob.updated.as_deref(), Some("2026-06-01T10:00:00Z"));
    let ann = store.record(Some("contact"), &key("0035g00000AbCdEAA1")).unwrap().unwrap();
    assert_eq!(ann.version, 1);
    // The old values are kept for the stale guard and the audit trail.
    let old = store.record_fields_at(&key("0035g00000AbCdEAA2"), "contact", 1).unwrap().unwrap();
    assert_eq!(old["email"], "bob@example.com");
}

#[test]
fn empty_cells_are_missing_and_timestamps_are_recognised() {
    let ws = seeded();
    let store = mergeq::store::Store::open_existing(&ws.db).unwrap();
    let cy = store
        .record(None, &mergeq::model::RecordKey::new("salesforce", "0035g00000AbCdEAA3"))
        .unwrap()
        .unwrap();
    assert!(!cy.fields.contains_key("email"), "an empty cell is a missing value");
    assert!(!cy.fields.contains_key("id"), "the id column is not a field");
    let ann = store.record(None, &mergeq::model::RecordKey::new("hubspot", "5101")).unwrap().unwrap();
    assert_eq!(ann.updated.as_deref(), Some("2026-05-01T10:00:00Z"), "HubSpot epoch milliseconds");
    assert!(!ann.fields.contains_key("hs_lastmodifieddate"));
}

#[test]
fn bom_crlf_quoted_newlines_semicolons_and_formulas_are_accepted() {
    let ws = Workspace::new();
    let content = "\u{feff}id;name;note\r\n1;\"Smith; Jo\";\"line one\r\nline two\"\r\n2;=HYPERLINK(\"http://x\",\"y\");+1 555\r\n";
    let path = ws.file("semi.csv", content);
    ws.ok(&[
        "import",
        "records",
        path.to_str().unwrap(),
        "--object",
        "contact",
        "--source",
        "web",
        "--delimiter",
        ";",
    ]);
    let store = mergeq::store::Store::open_existing(&ws.db).unwrap();
    let one = store.record(None, &mergeq::model::RecordKey::new("web", "1")).unwrap().unwrap();
    assert_eq!(one.fields["name"], "Smith; Jo");
    assert_eq!(one.fields["note"], "line one\r\nline two");
    let two = store.record(None, &mergeq::model::RecordKey::new("web", "2")).unwrap().unwrap();
    assert_eq!(two.fields["name"], "=HYPERLINK(\"http://x\",\"y\")", "formula text is stored exactly");
    assert_eq!(two.fields["note"], "+1 555");
}

#[test]
fn jsonl_records() {
    let ws = Workspace::new();
    let path = ws.file(
        "c.jsonl",
        "{\"id\": 7, \"name\": \"Ann\", \"tags\": [\"a\", \"b\"], \"score\": 3.5, \"gone\": null, \"empty\": \"\", \"created_at\": \"2026-01-02\"}\n\n{\"id\": \"8\", \"name\": \"Bo\"}\n",
    );
    ws.ok(&[
        "import",
        "records",
        path.to_str().unwrap(),
        "--object",
        "lead",
        "--source",
        "webform",
        "--format",
        "jsonl",
    ]);
    let store = mergeq::store::Store::open_existing(&ws.db).unwrap();
    let r = store.record(None, &mergeq::model::RecordKey::new("webform", "7")).unwrap().unwrap();
    assert_eq!(r.fields["tags"], "a;b");
    assert_eq!(r.fields["score"], "3.5");
    assert!(!r.fields.contains_key("gone") && !r.fields.contains_key("empty"));
    assert_eq!(r.created.as_deref(), Some("2026-01-02T00:00:00Z"));
    assert_eq!(store.counts().unwrap().records, 2);
}

#[test]
fn reversed_pair_is_the_same_candidate_with_both_origins_and_higher_score() {
    let ws = seeded();
    let path = ws.file(
        "rev.csv",
        "left,right,score,reason\nhubspot:5101,salesforce:0035g00000AbCdEAA1,0.97,names match\n",
    );
    ws.ok(&["import", "candidates", path.to_str().unwrap()]);
    let clusters = ws.file(
        "cl.csv",
        "cluster_id,record,score\nk1,hubspot:5101,0.5\nk1,salesforce:0035g00000AbCdEAA1,0.6\n",
    );
    ws.ok(&["import", "candidates", clusters.to_str().unwrap()]);
    let q = queue_json(&ws);
    assert_eq!(q.len(), 2, "still two candidates: {q:?}");
    assert_eq!(q[0]["score"], 0.97);
    assert_eq!(q[0]["members"], serde_json::json!(["hubspot:5101", "salesforce:0035g00000AbCdEAA1"]));
    let store = mergeq::store::Store::open_existing(&ws.db).unwrap();
    let c = store.candidate(mergeq::model::CandidateId(q[0]["id"].as_i64().unwrap())).unwrap().unwrap();
    assert_eq!(c.reasons.len(), 3, "reasons from all three files: {:?}", c.reasons);
}

#[test]
fn queue_json_is_ordered_by_score_with_members_status_and_origin() {
    let ws = seeded();
    let q = queue_json(&ws);
    assert_eq!(q.len(), 2);
    assert_eq!(q[0]["score"], 0.93);
    assert_eq!(q[1]["score"], 0.88);
    for c in &q {
        assert_eq!(c["status"], "pending");
        assert_eq!(c["origin"], serde_json::json!(["generic"]));
        assert_eq!(c["object"], "contact");
        assert_eq!(c["members"].as_array().unwrap().len(), 2);
        assert!(c["id"].is_i64());
    }
    assert_eq!(q[1]["members"], serde_json::json!(["hubspot:5102", "salesforce:0035g00000AbCdEAA2"]));
    let pending = ws.ok(&["queue", "--status", "approved", "--json"]);
    assert_eq!(pending.trim(), "[]");
}

#[test]
fn splink_predictions_fill_a_workspace() {
    let ws = Workspace::new();
    let file = shared_data("splink/febrl1_predictions_p0.1.csv");
    ws.ok(&["import", "candidates", file.to_str().unwrap(), "--object", "person"]);
    let rows = std::fs::read_to_string(&file).unwrap();
    let mut lines = rows.lines();
    let header: Vec<&str> = lines.next().unwrap().split(',').collect();
    let (l, r) = (
        header.iter().position(|h| *h == "unique_id_l").unwrap(),
        header.iter().position(|h| *h == "unique_id_r").unwrap(),
    );
    let gl = header.iter().position(|h| *h == "given_name_l").unwrap();
    let mut ids = std::collections::BTreeSet::new();
    let mut n = 0;
    let mut first: Option<(String, String)> = None;
    for line in lines {
        let cells: Vec<&str> = line.split(',').collect();
        ids.insert(cells[l].to_string());
        ids.insert(cells[r].to_string());
        if first.is_none() {
            first = Some((cells[l].to_string(), cells[gl].to_string()));
        }
        n += 1;
    }
    let store = mergeq::store::Store::open_existing(&ws.db).unwrap();
    let counts = store.counts().unwrap();
    assert_eq!(counts.candidates, n, "one candidate per row");
    assert_eq!(counts.records, ids.len() as i64, "one record per distinct id");
    let (id, given) = first.unwrap();
    let rec = store.record(Some("person"), &mergeq::model::RecordKey::new("splink", id)).unwrap().unwrap();
    assert_eq!(rec.fields["given_name"], given, "field values come from the file");
    assert!(rec.fields.contains_key("soc_sec_id"));
    // Why proposed: per-field comparison levels from the gamma columns.
    let q = queue_json(&ws);
    let c = store.candidate(mergeq::model::CandidateId(q[0]["id"].as_i64().unwrap())).unwrap().unwrap();
    assert!(c.reasons.iter().any(|r| r.field == "surname" && r.level.is_some() && r.values.is_some()));
}

#[test]
fn tool_cluster_outputs_import() {
    let ws = Workspace::new();
    let splink = shared_data("splink/febrl1_clusters_p0.95.csv");
    ws.ok(&["import", "candidates", splink.to_str().unwrap(), "--object", "person"]);
    let store = mergeq::store::Store::open_existing(&ws.db).unwrap();
    assert_eq!(store.counts().unwrap().candidates, 493, "493 clusters of two, singletons skipped");
    assert_eq!(store.counts().unwrap().records, 1000);
    drop(store);
    let dedupe = shared_data("dedupe/febrl1_clustered.csv");
    ws.ok(&["import", "candidates", dedupe.to_str().unwrap(), "--object", "person", "--source", "splink"]);
    let store = mergeq::store::Store::open_existing(&ws.db).unwrap();
    assert_eq!(store.counts().unwrap().records, 1000, "dedupe's records are the same records");
    let zingg = Workspace::new();
    let file = shared_data("zingg/febrl120k_match_sample.csv");
    zingg.ok(&["import", "candidates", file.to_str().unwrap()]);
    let q = queue_json(&zingg);
    assert_eq!(q.len(), 4, "two clusters of 3 and two of 2: {q:?}");
    assert!(q.iter().any(|c| c["members"].as_array().unwrap().len() == 3));
}

#[test]
fn salesforce_duplicate_report_matches_18_character_ids() {
    let ws = Workspace::new();
    let report = shared_data("salesforce/objectmerge_duplicate_report_sample.csv");
    let text = std::fs::read_to_string(&report).unwrap();
    let mut records = String::from("id,name\n");
    for (i, line) in text.lines().skip(1).enumerate() {
        let id15 = line.split(',').nth(1).unwrap();
        let id18 = mergeq::import::salesforce_id18(id15).unwrap();
        records.push_str(&format!("{id18},Person {i}\n"));
    }
    let path = ws.file("contacts.csv", records);
    ws.ok(&["import", "records", path.to_str().unwrap(), "--object", "contact", "--source", "salesforce"]);
    ws.ok(&["import", "candidates", report.to_str().unwrap()]);
    let q = queue_json(&ws);
    assert_eq!(q.len(), 5, "five duplicate record sets");
    assert!(q.iter().any(|c| c["members"].as_array().unwrap().len() == 4));
}

#[test]
fn pairs_without_scores_say_so() {
    let ws = seeded();
    let pairs = ws.file(
        "unscored.csv",
        "left,right,reason\nsalesforce:0035g00000AbCdEAA1,salesforce:0035g00000AbCdEAA2,same office\n\
         salesforce:0035g00000AbCdEAA3,hubspot:5102,\n",
    );
    ws.ok(&["import", "candidates", pairs.to_str().unwrap()]);
    let queue = queue_json(&ws);
    let texts = |c: &Value| -> Vec<String> {
        let shown: Value = serde_json::from_str(&ws.ok(&["show", &c["id"].to_string(), "--json"])).unwrap();
        shown["reasons"].as_array().unwrap().iter().map(|r| r["text"].as_str().unwrap().to_string()).collect()
    };
    let unscored: Vec<&Value> = queue.iter().filter(|c| c["score"] == 1.0).collect();
    assert_eq!(unscored.len(), 2, "{queue:?}");
    assert_eq!(texts(unscored[0]), ["the file gives no score (listed as 1.0)", "same office"]);
    assert_eq!(texts(unscored[1]), ["the file gives no score (listed as 1.0)"]);
    // A scored file's pairs carry only their own reasons.
    assert!(queue
        .iter()
        .filter(|c| c["score"] != 1.0)
        .all(|c| !texts(c).iter().any(|t| t.contains("no score"))));
}

#[test]
fn stats_count_records_and_candidates() {
    let ws = seeded();
    let stats: Value = serde_json::from_str(&ws.ok(&["stats", "--json"])).unwrap();
    assert_eq!(stats["records"], 5);
    assert_eq!(stats["candidates"], 2);
    assert_eq!(stats["pending"], 2);
    assert_eq!(stats["decided"], 0);
    assert_eq!(
        stats["records_by_source"],
        serde_json::json!([["contact", "hubspot", 2], ["contact", "salesforce", 3]])
    );
    let text = ws.ok(&["stats"]);
    assert!(text.starts_with("0 of 2 candidates decided"), "{text}");
}

/// The dashboard's figures counted from the rows themselves: records by object and source,
/// candidates by object and status, as `stats --json` gives them.
fn counted_from_rows(ws: &Workspace) -> (Value, Value) {
    let conn = rusqlite::Connection::open(&ws.db).unwrap();
    let triples = |sql: &str| -> Value {
        let mut stmt = conn.prepare(sql).unwrap();
        let rows = stmt
            .query_map([], |r| {
                Ok(serde_json::json!([r.get::<_, String>(0)?, r.get::<_, String>(1)?, r.get::<_, i64>(2)?]))
            })
            .unwrap();
        Value::Array(rows.collect::<rusqlite::Result<_>>().unwrap())
    };
    (
        triples("SELECT object, source, count(*) FROM records GROUP BY 1, 2 ORDER BY 1, 2"),
        triples("SELECT object, status, count(*) FROM candidates GROUP BY 1, 2 ORDER BY 1, 2"),
    )
}

/// `stats --json` agrees with a count of the rows.
fn assert_counts_follow_the_rows(ws: &Workspace, step: &str) {
    let stats: Value = serde_json::from_str(&ws.ok(&["stats", "--json"])).unwrap();
    let (records, candidates) = counted_from_rows(ws);
    assert_eq!(stats["records_by_source"], records, "records after {step}");
    assert_eq!(stats["candidates_by_status"], candidates, "candidates after {step}");
    let total = |v: &Value| v.as_array().unwrap().iter().map(|t| t[2].as_i64().unwrap()).sum::<i64>();
    assert_eq!(stats["records"], total(&records), "records after {step}");
    assert_eq!(stats["candidates"], total(&candidates), "candidates after {step}");
}

#[test]
fn kept_counts_follow_imports_decisions_and_failed_imports() {
    let ws = seeded();
    assert_counts_follow_the_rows(&ws, "the seed");
    // Another object, from a Splink file that brings its own records and candidates.
    let splink = shared_data("splink/febrl1_predictions_p0.1.csv");
    ws.ok(&["import", "candidates", splink.to_str().unwrap(), "--format", "splink", "--object", "person"]);
    assert_counts_follow_the_rows(&ws, "a Splink import");
    ws.ok(&["decide", "1", "approve"]);
    ws.ok(&["decide", "2", "reject"]);
    assert_counts_follow_the_rows(&ws, "two decisions");
    ws.ok(&["undo", "2"]);
    assert_counts_follow_the_rows(&ws, "an undo");
    // The same file again adds nothing; a newer copy changes records without adding any.
    let sf = fixture("import/contacts_sf.csv");
    ws.ok(&["import", "records", sf.to_str().unwrap(), "--object", "contact", "--source", "salesforce"]);
    let changed = std::fs::read_to_string(&sf).unwrap().replace("Ann", "Anne");
    let newer = ws.file("contacts_sf_newer.csv", changed);
    ws.ok(&["import", "records", newer.to_str().unwrap(), "--object", "contact", "--source", "salesforce"]);
    assert_counts_follow_the_rows(&ws, "re-imports");
    // A failed import (its last row is ragged) rolls its counts back with its rows.
    let bad = ws.file("accounts.csv", "id,name\na1,Acme\na2,Globex\na3,Initech,extra\n");
    ws.fails(&["import", "records", bad.to_str().unwrap(), "--object", "account", "--source", "crm"], 1);
    assert_counts_follow_the_rows(&ws, "a failed import");
    let good = ws.file("accounts_ok.csv", "id,name\na1,Acme\na2,Globex\n");
    ws.ok(&["import", "records", good.to_str().unwrap(), "--object", "account", "--source", "crm"]);
    assert_counts_follow_the_rows(&ws, "an accounts import");
}

/// A pairs file large enough to be loaded in bulk (new candidates buffered, written best score
/// first at the end): 60,000 pairs over 400 records, one of them given twice.
fn bulk_pairs_file(ws: &Workspace, bad_last_row: bool) -> std::path::PathBuf {
    let mut records = String::from("id,name\n");
    for i in 0..400 {
        records.push_str(&format!("r{i},Name {i}\n"));
    }
    let recs = ws.file("bulk_records.csv", records.as_bytes());
    ws.ok(&["import", "records", recs.to_str().unwrap(), "--object", "contact", "--source", "s"]);
    let mut pairs = String::from("left,right,score,reason\n");
    let mut n = 0;
    'all: for i in 0..400 {
        for j in i + 1..400 {
            pairs.push_str(&format!(
                "s:r{i},s:r{j},0.{:04},names alike in a generated bulk file\n",
                (i * 7 + j) % 10_000
            ));
            n += 1;
            if n == 60_000 {
                break 'all;
            }
        }
    }
    pairs.push_str("s:r1,s:r0,0.9999,given again reversed\n");
    if bad_last_row {
        pairs.push_str("s:r1,s:nobody,0.5,x\n");
    }
    ws.file("bulk_pairs.csv", pairs.as_bytes())
}

#[test]
fn a_bulk_pairs_file_loads_whole_best_score_first_and_once() {
    let ws = Workspace::new();
    let pairs = bulk_pairs_file(&ws, false);
    let import = |ws: &Workspace| {
        let out = ws.cmd().args(["import", "candidates", pairs.to_str().unwrap()]).output().unwrap();
        assert!(out.status.success());
        String::from_utf8_lossy(&out.stderr).into_owned()
    };
    let summary = import(&ws);
    assert!(summary.contains("60001 rows · candidates 60000 new, 1 updated"), "{summary}");
    let stats: Value = serde_json::from_str(&ws.ok(&["stats", "--json"])).unwrap();
    assert_eq!(stats["candidates"], 60_000);
    assert_eq!(stats["pending"], 60_000, "the status counts follow a bulk load");
    assert_counts_follow_the_rows(&ws, "a bulk load");
    let queue = queue_json(&ws);
    assert_eq!(queue.len(), 60_000);
    assert_eq!(queue[0]["score"], 0.9999);
    assert_eq!(queue[0]["members"], serde_json::json!(["s:r0", "s:r1"]));
    let scores: Vec<f64> = queue.iter().map(|c| c["score"].as_f64().unwrap()).collect();
    assert!(scores.windows(2).all(|w| w[0] >= w[1]));

    let before = ws.dump();
    let again = import(&ws);
    assert!(again.contains("nothing new"), "{again}");
    assert_eq!(before, ws.dump());
}

#[test]
fn a_bad_row_at_the_end_of_a_bulk_file_leaves_the_workspace_as_it_was() {
    let ws = Workspace::new();
    let pairs = bulk_pairs_file(&ws, true);
    let before = ws.dump();
    let err = ws.fails(&["import", "candidates", pairs.to_str().unwrap()], 1);
    assert!(err.contains("bulk_pairs.csv:60003:2: unknown record s:nobody"), "{err}");
    assert_eq!(before, ws.dump());
}

/// A records file of several of the reading thread's batches (4,096 rows each), optionally with a
/// bad row at its end.
fn large_records_file(ws: &Workspace, name: &str, rows: usize, given: &str, last: Option<&str>) -> String {
    let mut text = String::from("id,name,email,updated_at\n");
    for i in 0..rows {
        text.push_str(&format!("r{i},\"{given}, {i}\",n{i}@example.com,2026-01-02T03:04:05Z\n"));
    }
    if let Some(row) = last {
        text.push_str(row);
    }
    ws.file(name, text.as_bytes()).to_str().unwrap().to_string()
}

#[test]
fn a_large_records_file_loads_whole_and_a_bad_last_row_leaves_the_workspace_as_it_was() {
    let ws = Workspace::new();
    let good = large_records_file(&ws, "big.csv", 10_000, "Name", None);
    let out =
        ws.cmd().args(["import", "records", &good, "--object", "contact", "--source", "s"]).output().unwrap();
    assert!(out.status.success());
    let summary = String::from_utf8_lossy(&out.stderr);
    assert!(summary.contains("10000 rows · records 10000 new"), "{summary}");
    let store = mergeq::store::Store::open_existing(&ws.db).unwrap();
    let last = store.record(None, &mergeq::model::RecordKey::new("s", "r9999")).unwrap().unwrap();
    assert_eq!(last.fields["name"], "Name, 9999");
    assert_eq!(last.fields["email"], "n9999@example.com");
    assert_eq!(last.updated.as_deref(), Some("2026-01-02T03:04:05Z"));
    drop(store);

    let before = ws.dump();
    for (name, last, error) in [
        ("dup.csv", "r5,Again,x@example.com,\n", "dup.csv:10002:1: id `r5` repeats the record on line 7"),
        ("stamp.csv", "r10000,Late,y@example.com,soon\n", "stamp.csv:10002:4: `soon` is not a timestamp"),
        ("ragged.csv", "r10001,Short\n", "ragged.csv:10002:3: this row has 2 columns, the header has 4"),
    ] {
        // Other names: every row before the bad one would change a record if it were kept.
        let path = large_records_file(&ws, name, 10_000, "Other", Some(last));
        let err = ws.fails(&["import", "records", &path, "--object", "contact", "--source", "s"], 1);
        assert!(err.contains(error), "{err}");
        assert_eq!(before, ws.dump(), "{name} left the workspace as it was");
    }
}

#[test]
fn without_a_steward_or_login_variables_the_account_name_is_recorded() {
    let ws = Workspace::new();
    let recs = ws.file("r.csv", "id,name\nr1,Ann\n");
    let out = ws
        .cmd()
        .env_remove("MERGEQ_STEWARD")
        .env_remove("USER")
        .env_remove("USERNAME")
        .env_remove("LOGNAME")
        .args(["import", "records", recs.to_str().unwrap(), "--object", "contact", "--source", "s"])
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let log: Value = serde_json::from_str(&ws.ok(&["audit", "log", "--json"])).unwrap();
    let steward = log[0]["steward"].as_str().unwrap().to_string();
    // An account with no name (a user id without a passwd entry) is the only "unknown".
    let expected = whoami::fallible::username().unwrap_or_else(|_| "unknown".into());
    assert_eq!(steward, expected, "the operating system's name for this account");
}

/// A record linkage of two inputs names the input of each record (dedupe's `source file`, Zingg's
/// `z_source`): the same id in both inputs is two records, and their cluster is a candidate. (They
/// were read as one record, the second row's values overwriting the first's, and the cluster lost.)
#[test]
fn linkage_outputs_keep_the_same_id_from_two_inputs_apart() {
    let ws = Workspace::new();
    let dedupe = ws.file(
        "linked.csv",
        "Cluster ID,Link Score,source file,id,name\n0,0.9,0,5,Ann\n0,0.9,1,5,Anne\n1,0.8,0,6,Bob\n1,0.8,1,7,Bobby\n",
    );
    ws.ok(&["import", "candidates", dedupe.to_str().unwrap(), "--source", "crm"]);
    let q = queue_json(&ws);
    let members: Vec<&Value> = q.iter().map(|c| &c["members"]).collect();
    assert_eq!(
        members,
        [&serde_json::json!(["crm-0:5", "crm-1:5"]), &serde_json::json!(["crm-0:6", "crm-1:7"])],
        "{q:?}"
    );
    let zingg = ws.file(
        "zingg.csv",
        "z_cluster,z_minScore,z_maxScore,z_source,id,name\n9,0.7,0.7,shop,5,Ann\n9,0.7,0.7,crm,5,Anne\n",
    );
    ws.ok(&["import", "candidates", zingg.to_str().unwrap()]);
    assert!(queue_json(&ws).iter().any(|c| c["members"] == serde_json::json!(["crm:5", "shop:5"])));
}

/// Clusters of one record (a matcher's unmatched records) have nothing to merge: left out, and
/// the summary says how many; the journal's entry counts them.
#[test]
fn single_record_clusters_are_left_out_and_counted() {
    let ws = seeded();
    let clusters = ws.file(
        "cl.csv",
        "cluster_id,record,score\nk1,hubspot:5101,0.5\nk1,salesforce:0035g00000AbCdEAA1,0.6\nsolo,hubspot:5101,0.9\n",
    );
    let out = ws.cmd().args(["import", "candidates", clusters.to_str().unwrap()]).output().unwrap();
    assert!(out.status.success());
    let said = String::from_utf8_lossy(&out.stderr);
    assert!(said.contains(" · 1 cluster of one record left out (nothing to merge)"), "{said}");
    let log: Vec<Value> = serde_json::from_str(&ws.ok(&["audit", "log", "--json"])).unwrap();
    assert_eq!(log.last().unwrap()["body"]["single_clusters"], 1);
}

#[test]
fn a_zingg_member_scored_zero_does_not_sink_its_cluster() {
    // Newer Zingg gives 0 to a record linked only through the others (FORMATS.md).
    let ws = Workspace::new();
    let path = ws.file(
        "zg.csv",
        "z_cluster,z_minScore,z_maxScore,id,fname\n7,0.95,0.97,1,ann\n7,0.96,0.97,2,ann\n7,0,0,3,anne\n8,0,0,4,bo\n8,0,0,5,bo\n",
    );
    ws.ok(&["import", "candidates", path.to_str().unwrap(), "--object", "contact"]);
    let queue = queue_json(&ws);
    assert_eq!(queue.len(), 2);
    assert_eq!(queue[0]["score"], 0.95);
    assert_eq!(queue[0]["members"].as_array().unwrap().len(), 3);
    let show: Value = serde_json::from_str(&ws.ok(&["show", &queue[0]["id"].to_string(), "--json"])).unwrap();
    let reason = show["reasons"][0].to_string();
    assert!(
        reason.contains("lowest member score 0.950 (1 member scored 0, linked only through the others)"),
        "{reason}"
    );
    // Every member at 0: nothing else to go by.
    assert_eq!(queue[1]["score"], 0.0);
    let show: Value = serde_json::from_str(&ws.ok(&["show", &queue[1]["id"].to_string(), "--json"])).unwrap();
    let reason = show["reasons"][0].to_string();
    assert!(reason.contains("lowest member score 0.000 (every member scored 0)"), "{reason}");
}

#[test]
fn a_cluster_file_of_single_records_says_so_and_a_file_that_is_no_database_is_named() {
    let ws = Workspace::new();
    ws.file("r.csv", "id,n\n1,a\n");
    ws.ok(&["import", "records", "r.csv", "--object", "contact", "--source", "crm"]);
    ws.file("one.csv", "cluster_id,record,score\nc,crm:1,0.9\n");
    let out = ws.cmd().args(["import", "candidates", "one.csv"]).output().unwrap();
    let said = String::from_utf8_lossy(&out.stderr);
    assert!(
        said.contains("one.csv: nothing new — 1 row; 1 cluster of one record left out (nothing to merge)"),
        "{said}"
    );
    let not_db = ws.file("contacts.mergeq", "id,name\n1,a\n");
    let err = ws.fails(&["--db", not_db.to_str().unwrap(), "queue"], 1);
    assert!(
        err.contains("contacts.mergeq is not a mergeq workspace (not an SQLite database at all)"),
        "{err}"
    );
    assert_eq!(std::fs::read_to_string(&not_db).unwrap(), "id,name\n1,a\n");
}
