//! What a CRM merge plan sends as field names: labels from a CRM's export (`First Name`,
//! `Country/Region`) refused before anything is written, with the way out (`--fields`); the
//! read-only Salesforce fields of a realistic export left out; HubSpot's property update sent
//! before the irreversible merge.

mod common;

use common::Workspace;

/// Records of `source` from `csv` (first column the id, `id_column`), paired as candidate 1,
/// approved with `survivor` and the steward's `choices`, and signed off.
fn approved(source: &str, csv: &str, id_column: &str, survivor: &str, choices: &[&str]) -> Workspace {
    let ws = Workspace::new();
    ws.ok(&["keygen", "--out", "ann.key"]);
    ws.file("r.csv", csv);
    let import =
        ["import", "records", "r.csv", "--object", "contact", "--source", source, "--id-column", id_column];
    ws.ok(&import);
    let ids: Vec<&str> = csv.lines().skip(1).map(|l| l.split(',').next().unwrap()).collect();
    ws.file("p.csv", format!("left,right,score\n{source}:{},{source}:{},0.9\n", ids[0], ids[1]));
    ws.ok(&["import", "candidates", "p.csv"]);
    let survivor = format!("{source}:{survivor}");
    let mut decide = vec!["decide", "1", "approve", "--survivor", &survivor];
    decide.extend_from_slice(choices);
    ws.ok(&decide);
    ws.ok(&["signoff", "--key", "ann.key"]);
    ws
}

fn journal_len(ws: &Workspace) -> usize {
    let log: Vec<serde_json::Value> = serde_json::from_str(&ws.ok(&["audit", "log", "--json"])).unwrap();
    log.len()
}

/// A HubSpot contacts export as HubSpot writes it: labels for headers. The survivor, 48484, holds
/// none of the values: the golden record takes every one from 69621, and the plan sends them all.
const HUBSPOT_LABELS: &str = "Record ID,First Name,Last Name,Email,Country/Region,Phone Number\n\
     48484,,,,,\n\
     69621,LINNÉA,NILSSON,linnea@x.example,SE,08-453 747 76\n";

#[test]
fn labels_for_field_names_refuse_every_crm_plan_and_name_the_way_out() {
    for (crm, title) in
        [("hubspot", "HubSpot"), ("salesforce", "Salesforce"), ("dynamics", "Dataverse"), ("zoho", "Zoho")]
    {
        let ws = approved(crm, HUBSPOT_LABELS, "Record ID", "48484", &[]);
        let entries = journal_len(&ws);
        let stderr = ws.fails(&["export", crm, "--out", "plan.jsonl"], 1);
        for want in [
            "`Country/Region`",
            "`First Name`",
            "`Last Name`",
            &format!("not {title} API names"),
            "candidate 1 (journal entry",
            &format!("mergeq export {crm} --fields FILE"),
            "Nothing was written",
        ] {
            assert!(stderr.contains(want), "{crm}: {want:?} not in {stderr}");
        }
        // `Email` is an identifier (HubSpot would want `email`: only the shape is checked).
        assert!(!stderr.contains("`Email`"), "{crm}: {stderr}");
        assert!(!ws.dir.path().join("plan.jsonl").exists(), "{crm}");
        assert_eq!(journal_len(&ws), entries, "{crm}: a refused plan was recorded");
        // To stdout likewise: nothing on stdout.
        let out = ws.cmd().args(["export", crm]).output().unwrap();
        assert_eq!((out.status.code(), out.stdout.len()), (Some(1), 0), "{crm}");
        // The golden exports carry every field as it is.
        assert!(ws.ok(&["export", "golden-jsonl"]).contains("\"Country/Region\""), "{crm}");
    }
}

#[test]
fn fields_named_or_left_out_by_the_map_go_through() {
    let ws = approved("hubspot", HUBSPOT_LABELS, "Record ID", "48484", &[]);
    ws.file(
        "names.toml",
        "[contact]\n\"First Name\" = \"firstname\"\n\"Last Name\" = \"lastname\"\n\"Country/Region\" = \"\"\n\
         \"Phone Number\" = \"phone\"\nEmail = \"email\"\n",
    );
    ws.ok(&["export", "hubspot", "--fields", "names.toml", "--out", "plan.jsonl"]);
    let plan = std::fs::read_to_string(ws.dir.path().join("plan.jsonl")).unwrap();
    assert!(!plan.contains("Country") && !plan.contains("First Name"), "{plan}");
    // A map that names a field with another label is refused the same way.
    ws.file("bad.toml", "[contact]\n\"First Name\" = \"first name\"\n");
    let stderr = ws.fails(&["export", "hubspot", "--fields", "bad.toml"], 1);
    assert!(stderr.contains("`first name`") && stderr.contains("`Country/Region`"), "{stderr}");
}

#[test]
fn a_field_the_survivor_holds_already_is_not_sent_and_not_refused() {
    // The golden values of the labelled fields are the survivor's own: no call carries them.
    let ws = approved(
        "salesforce",
        "Id,Email,Mobile Phone\n003A,ann@x.example,+46 1\n003B,,+46 1\n",
        "Id",
        "003B",
        &[],
    );
    let plan = ws.ok(&["export", "salesforce"]);
    assert!(plan.contains("\"Email\":\"ann@x.example\"") && !plan.contains("Mobile"), "{plan}");
}

#[test]
fn a_realistic_salesforce_contact_export_leaves_out_the_read_only_fields() {
    // The review's export: `Name` is a compound of the name fields, `PhotoUrl` read-only.
    let ws = approved(
        "salesforce",
        "Id,IsDeleted,AccountId,FirstName,LastName,Name,Email,OwnerId,CreatedById,SystemModstamp,PhotoUrl,JigsawContactId,Jigsaw\n\
         003000000000001AAA,false,001000000000001AAA,Ann,Lee,Ann Lee,ann@x.com,005000000000001AAA,005000000000001AAA,2026-01-01T00:00:00.000+0000,/p/1,j1,k1\n\
         003000000000002AAA,false,001000000000002AAA,Anne,Lee,Anne Lee,ann@x.com,005000000000002AAA,005000000000002AAA,2026-02-01T00:00:00.000+0000,/p/2,j2,k2\n",
        "Id",
        "003000000000001AAA",
        &[],
    );
    let out = ws.cmd().args(["export", "salesforce"]).output().unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let plan: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let master = plan["masterRecord"].as_object().unwrap();
    let mut names: Vec<&str> = master.keys().map(String::as_str).collect();
    names.sort();
    // The default rules take the newer record's values; `Jigsaw` (the Data.com key) is writable.
    assert_eq!(names, ["FirstName", "Id", "Jigsaw", "OwnerId", "attributes"], "{plan}");
    let stderr = String::from_utf8_lossy(&out.stderr);
    for left_out in ["`Name`", "`PhotoUrl`", "`JigsawContactId`"] {
        assert!(stderr.contains(left_out), "{left_out} not named: {stderr}");
    }
}

#[test]
fn the_hubspot_update_comes_before_the_merge() {
    let ws = approved(
        "hubspot",
        "Record ID,firstname,phone,email\n1,Ann,+46 1,ann@old.example\n2,Anne,,ann@new.example\n",
        "Record ID",
        "1",
        &["--pick", "firstname=hubspot:2", "--pick", "email=hubspot:2", "--pick", "phone=hubspot:1"],
    );
    let plan = ws.ok(&["export", "hubspot"]);
    let lines: Vec<serde_json::Value> = plan.lines().map(|l| serde_json::from_str(l).unwrap()).collect();
    let calls: Vec<(String, String)> = lines
        .iter()
        .map(|l| (l["method"].as_str().unwrap().to_string(), l["path"].as_str().unwrap().to_string()))
        .collect();
    assert_eq!(
        calls,
        [
            ("PATCH".to_string(), "/crm/v3/objects/contacts/1".to_string()),
            ("POST".to_string(), "/crm/v3/objects/contacts/merge".to_string()),
            ("PATCH".to_string(), "/crm/v3/objects/contacts/1".to_string()),
        ],
        "{plan}"
    );
    // The golden values the primary lacks go first; the address contact 2 holds can only follow
    // its merge (HubSpot keeps contacts' addresses unique).
    assert_eq!(lines[0]["body"]["properties"], serde_json::json!({"firstname": "Anne"}), "{plan}");
    assert_eq!(lines[2]["body"]["properties"], serde_json::json!({"email": "ann@new.example"}), "{plan}");
}

/// Two golden fields under one CRM name — a map's target next to a field of that name, or two
/// names that differ only in case — would carry the name twice and leave the CRM to keep either
/// value: the plan is refused, naming both.
#[test]
fn two_fields_under_one_crm_name_are_refused() {
    let csv = "Id,phone,Phone2,Email,email\n003A,1,,a@x.com,\n003B,2,3,,b@x.com\n";
    let ws = approved("salesforce", csv, "Id", "003A", &[]);
    ws.file("map.toml", "[contact]\nPhone2 = \"phone\"\nemail = \"\"\n");
    let entries = journal_len(&ws);
    let err = ws.fails(&["export", "salesforce", "--out", "plan.jsonl", "--fields", "map.toml"], 1);
    assert!(err.contains("would send two fields under one salesforce name"), "{err}");
    assert!(
        err.contains("`Phone2` (as `phone` by --fields) and `phone`")
            || err.contains("`phone` and `Phone2` (as `phone` by --fields)"),
        "{err}"
    );
    // Without the map: `Email` and `email` are one field to Salesforce.
    let err = ws.fails(&["export", "salesforce", "--out", "plan.jsonl"], 1);
    assert!(err.contains("`Email` and `email`"), "{err}");
    assert_eq!(journal_len(&ws), entries, "nothing recorded");
    assert!(!ws.dir.path().join("plan.jsonl").exists());
}
