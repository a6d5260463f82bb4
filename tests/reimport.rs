//! Importing again over records the workspace holds: what a newer, narrower, older or foreign
//! copy may change, and `--fields` maps that store vendors' columns under one field name.

mod common;
use common::Workspace;
use mergeq::model::{Record, RecordKey};
use serde_json::Value;

fn record(ws: &Workspace, source: &str, id: &str) -> Record {
    let store = mergeq::store::Store::open_existing(&ws.db).unwrap();
    store.record(None, &RecordKey::new(source, id)).unwrap().unwrap()
}

fn import(ws: &Workspace, file: &str, content: &str, extra: &[&str]) -> Value {
    let path = ws.file(file, content);
    let mut args =
        vec!["import", "records", path.to_str().unwrap(), "--object", "contact", "--source", "crm"];
    args.extend_from_slice(extra);
    args.push("--json");
    serde_json::from_str(&ws.ok(&args)).unwrap()
}

#[test]
fn a_narrower_export_keeps_the_fields_it_has_no_column_for() {
    let ws = Workspace::new();
    import(&ws, "full.csv", "id,email,phone,title\n1,a@x.com,555,CEO\n", &[]);
    // A report with the e-mail only, and one whose phone cell is empty.
    let narrow = import(&ws, "narrow.csv", "id,email\n1,a@y.com\n", &[]);
    assert_eq!(narrow["records_changed"], 1);
    let r = record(&ws, "crm", "1");
    assert_eq!(r.fields["email"], "a@y.com");
    assert_eq!(r.fields["phone"], "555", "no phone column: the phone stays");
    assert_eq!(r.fields["title"], "CEO");
    import(&ws, "cleared.csv", "id,phone\n1,\n", &[]);
    let r = record(&ws, "crm", "1");
    assert!(!r.fields.contains_key("phone"), "an empty cell in a phone column clears it");
    assert_eq!(r.fields["title"], "CEO");
    assert_eq!(r.version, 3);
}

#[test]
fn jsonl_null_clears_a_field_and_an_absent_key_keeps_it() {
    let ws = Workspace::new();
    import(
        &ws,
        "a.jsonl",
        "{\"id\":1,\"email\":\"a@x.com\",\"phone\":\"555\",\"title\":\"CEO\"}\n",
        &["--format", "jsonl"],
    );
    import(&ws, "b.jsonl", "{\"id\":1,\"email\":\"a@x.com\",\"phone\":null}\n", &["--format", "jsonl"]);
    let r = record(&ws, "crm", "1");
    assert!(!r.fields.contains_key("phone"));
    assert_eq!(r.fields["title"], "CEO");
}

#[test]
fn an_older_export_does_not_roll_records_back_unless_allowed() {
    let ws = Workspace::new();
    import(
        &ws,
        "new.csv",
        "id,email,updated_at\n1,new@x.com,2026-05-01T00:00:00Z\n2,b@x.com,2026-05-01T00:00:00Z\n",
        &[],
    );
    let older = "id,email,updated_at\n1,old@x.com,2025-01-01T00:00:00Z\n2,b2@x.com,2026-06-01T00:00:00Z\n";
    let out = import(&ws, "old.csv", older, &[]);
    assert_eq!(out["records_older"], 1);
    assert_eq!(out["records_changed"], 1, "the newer row of the file still applies");
    let one = record(&ws, "crm", "1");
    assert_eq!((one.fields["email"].as_str(), one.version), ("new@x.com", 1));
    assert_eq!(one.updated.as_deref(), Some("2026-05-01T00:00:00Z"));
    assert_eq!(record(&ws, "crm", "2").fields["email"], "b2@x.com");
    // Said on stderr, with the way to import them anyway.
    let path = ws.file("old2.csv", "id,email,updated_at\n1,older@x.com,2024-01-01T00:00:00Z\n");
    let out = ws
        .cmd()
        .args(["import", "records", path.to_str().unwrap(), "--object", "contact", "--source", "crm"])
        .output()
        .unwrap();
    let said = String::from_utf8_lossy(&out.stderr);
    assert!(
        said.contains("1 row older than the workspace's copy, kept as they are (--allow-older imports them)"),
        "{said}"
    );
    let out = import(&ws, "old3.csv", older, &["--allow-older"]);
    assert_eq!(out["records_changed"], 1);
    assert_eq!(record(&ws, "crm", "1").fields["email"], "old@x.com");
    // Times compare as times: a fraction of a second later is later, whatever the text order.
    import(&ws, "t1.csv", "id,email,updated_at\n3,c@x.com,2026-05-01T10:00:00Z\n", &[]);
    let out = import(&ws, "t2.csv", "id,email,updated_at\n3,c2@x.com,2026-05-01T10:00:00.500Z\n", &[]);
    assert_eq!(out["records_changed"], 1);
}

#[test]
fn jsonl_numbers_keep_the_digits_the_file_writes() {
    let ws = Workspace::new();
    import(
        &ws,
        "n.jsonl",
        "{\"id\":9007199254740993,\"account\":12345678901234567890123,\"price\":1.10,\"big\":1e400}\n",
        &["--format", "jsonl"],
    );
    let r = record(&ws, "crm", "9007199254740993");
    assert_eq!(r.fields["account"], "12345678901234567890123");
    assert_eq!(r.fields["price"], "1.10");
    assert_eq!(r.fields["big"], "1e400");
}

#[test]
fn a_matchers_file_fills_missing_values_and_never_replaces_the_crms() {
    let ws = Workspace::new();
    let crm = "id,Email,City,updated_at\n5101,Ann+news@Example.com,,2026-05-01T00:00:00Z\n";
    import(&ws, "hs.csv", crm, &[]);
    let splink = ws.file(
        "splink.csv",
        "match_weight,match_probability,source_dataset_l,source_dataset_r,unique_id_l,unique_id_r,Email_l,Email_r,City_l,City_r\n\
         12.5,0.9998,crm,crm,5101,5102,ann@example.com,ann@example.com,leeds,leeds\n",
    );
    ws.ok(&["import", "candidates", splink.to_str().unwrap(), "--object", "contact"]);
    let r = record(&ws, "crm", "5101");
    assert_eq!(r.fields["Email"], "Ann+news@Example.com", "the CRM's value stands");
    assert_eq!(r.fields["City"], "leeds", "a value the record lacked is filled");
    assert_eq!(r.updated.as_deref(), Some("2026-05-01T00:00:00Z"));
    // The other record came from the file alone: all its values are the file's.
    assert_eq!(record(&ws, "crm", "5102").fields["Email"], "ann@example.com");
}

#[test]
fn a_fields_map_stores_vendor_columns_under_one_field() {
    let ws = Workspace::new();
    let map =
        ws.file("hubspot_import.toml", "[contact]\nfirst_name = \"First Name\"\nphone = \"Phone Number\"\n");
    let path = ws.file("hs.csv", "Record ID,First Name,Phone Number,Lifecycle Stage\n11,Ann,555,lead\n");
    ws.ok(&[
        "import",
        "records",
        path.to_str().unwrap(),
        "--object",
        "contact",
        "--source",
        "hubspot",
        "--fields",
        map.to_str().unwrap(),
    ]);
    let r = record(&ws, "hubspot", "11");
    let names: Vec<&str> = r.fields.keys().map(String::as_str).collect();
    assert_eq!(names, ["Lifecycle Stage", "first_name", "phone"], "unnamed columns stay as they are");
    // Two columns that the map would store as one field: refused where the second one is.
    let both = ws.file("both.csv", "Record ID,phone,Phone Number\n12,1,2\n");
    let err = ws.fails(
        &[
            "import",
            "records",
            both.to_str().unwrap(),
            "--object",
            "contact",
            "--source",
            "hubspot",
            "--fields",
            map.to_str().unwrap(),
        ],
        1,
    );
    assert!(
        err.contains("both.csv:1:3: columns `phone` and `Phone Number` would both be stored as field `phone` (by --fields"),
        "{err}"
    );
}

#[test]
fn a_fields_map_keeps_the_field_names_as_written_and_says_which_columns_it_misses() {
    // A Salesforce report (labels) stored under Data Loader's API names, next to a Data Loader
    // export: one field each, `FirstName`, whichever file a value came from.
    let ws = Workspace::new();
    let dl = ws.file("dl.csv", "Id,FirstName,LastName\n003A,Ann,Lee\n");
    let rep =
        ws.file("rep.csv", "Contact ID,First Name,Last Name,Email Address\n003B,Anne,Lee-Smith,a@x.com\n");
    let map = ws.file(
        "rep.toml",
        "[contact]\nFirstName = \"First Name\"\nLastName = \"Last Name\"\nTitle = \"Job Title\"\n",
    );
    ws.ok(&["import", "records", dl.to_str().unwrap(), "--object", "contact", "--source", "salesforce"]);
    let out = ws
        .cmd()
        .args(["import", "records", rep.to_str().unwrap(), "--object", "contact", "--source", "salesforce"])
        .args(["--id-column", "Contact ID", "--fields", map.to_str().unwrap()])
        .output()
        .unwrap();
    assert!(out.status.success());
    let said = String::from_utf8_lossy(&out.stderr);
    assert!(
        said.contains("rep.toml names `Job Title` that") && said.contains("rep.csv has no column for"),
        "{said}"
    );
    let names: Vec<String> = record(&ws, "salesforce", "003B").fields.into_keys().collect();
    assert_eq!(names, ["Email Address", "FirstName", "LastName"]);
}

#[test]
fn jsonl_ids_are_found_under_the_names_csv_ids_are() {
    let ws = Workspace::new();
    let path = ws.file(
        "hs.jsonl",
        "{\"hs_object_id\":\"1\",\"firstname\":\"Ann\"}\n{\"Record ID\":2,\"firstname\":\"Bo\"}\n",
    );
    ws.ok(&[
        "import",
        "records",
        path.to_str().unwrap(),
        "--object",
        "contact",
        "--source",
        "hubspot",
        "--format",
        "jsonl",
    ]);
    assert_eq!(record(&ws, "hubspot", "1").fields["firstname"], "Ann");
    assert_eq!(record(&ws, "hubspot", "2").fields["firstname"], "Bo");
    assert!(!record(&ws, "hubspot", "2").fields.contains_key("Record ID"));
}
