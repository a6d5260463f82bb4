//! Detection compares records by what their columns hold, not by the columns' names: the same
//! people exported from HubSpot (`First Name`, `Phone Number`, `Company Name`…) and from
//! Salesforce (`FirstName`, `Phone`, `Company`…) with each vendor's own headers are proposed as
//! duplicates across the two sources. A record with two columns of one kind (`Email` and
//! `Secondary Email`) is compared on the pair of values that agrees best.

mod common;

use common::Workspace;
use std::collections::BTreeSet;

const FIRST: [&str; 8] = ["Joost", "Maria", "Kenji", "Aisha", "Pierre", "Ingrid", "Tomas", "Nadia"];
const LAST: [&str; 6] = ["Hendriks", "Okafor", "Lindqvist", "Moreau", "Tanaka", "Brennan"];
const CITY: [&str; 4] = ["Utrecht", "Lyon", "Leeds", "Porto"];

/// Person `i` of the fixture: given and family name (each combination once), e-mail, phone,
/// company, street, city and postcode.
struct Person {
    first: &'static str,
    last: &'static str,
    email: String,
    phone: String,
    company: String,
    street: String,
    city: &'static str,
    postcode: String,
}

fn person(i: usize) -> Person {
    let (first, last) = (FIRST[i % FIRST.len()], LAST[i / FIRST.len() % LAST.len()]);
    Person {
        first,
        last,
        email: format!("{}.{}{i}@example.com", first.to_lowercase(), last.to_lowercase()),
        phone: format!("415555{:04}", 1000 + i * 37),
        company: format!("Company {}", ["Alpha", "Beta", "Gamma", "Delta", "Epsilon"][i % 5]),
        street: format!(
            "{} {} Street",
            10 + i,
            ["Oak", "Elm", "Pine", "Birch", "Cedar", "Maple", "Ash"][i % 7]
        ),
        city: CITY[i % CITY.len()],
        postcode: format!("{:05}", 20000 + i * 11),
    }
}

/// People 0–23 are in both exports; 24–35 only in HubSpot, 36–47 only in Salesforce.
const BOTH: usize = 24;

/// HubSpot's contact export, with HubSpot's own headers. The values are written as HubSpot
/// holds them: the phone with its separators, the company with a legal form.
fn hubspot() -> String {
    let mut out = String::from(
        "Record ID,First Name,Last Name,Email,Phone Number,Company Name,Street Address,City,Postal Code,Contact owner\n",
    );
    for i in (0..BOTH).chain(BOTH..BOTH + 12) {
        let p = person(i);
        let phone = format!("({}) {}-{}", &p.phone[..3], &p.phone[3..6], &p.phone[6..]);
        out += &format!(
            "{},{},{},{},{phone},{} Inc,{},{},{},Alex\n",
            5000 + i,
            p.first,
            p.last,
            p.email,
            p.company,
            p.street,
            p.city,
            p.postcode
        );
    }
    out
}

/// Salesforce's contact export, with Salesforce's own headers. Every third person shared with
/// HubSpot has no e-mail here: those pairs can only meet on a phone or a name key.
fn salesforce() -> String {
    let mut out = String::from(
        "Id,FirstName,LastName,Email,Phone,Company,MailingStreet,MailingCity,MailingPostalCode,OwnerId\n",
    );
    for i in (0..BOTH).chain(BOTH + 12..BOTH + 24) {
        let p = person(i);
        let email = if i < BOTH && i % 3 == 0 { String::new() } else { p.email.to_uppercase() };
        out += &format!(
            "003{i:05},{},{},{email},+1 {},{},{},{},{},005A\n",
            p.first.to_uppercase(),
            p.last,
            p.phone,
            p.company,
            p.street,
            p.city,
            p.postcode
        );
    }
    out
}

fn import(ws: &Workspace, name: &str, text: String, source: &str) {
    let path = ws.file(name, text);
    ws.ok(&["import", "records", path.to_str().unwrap(), "--object", "contact", "--source", source]);
}

fn detect(ws: &Workspace, extra: &[&str]) -> serde_json::Value {
    let mut args = vec!["detect", "--object", "contact", "--json"];
    args.extend_from_slice(extra);
    serde_json::from_str(&ws.ok(&args)).expect("detect json")
}

/// The queue's candidates as (members, id).
fn proposed(ws: &Workspace) -> Vec<(BTreeSet<String>, i64)> {
    let list: Vec<serde_json::Value> =
        serde_json::from_str(&ws.ok(&["queue", "--json"])).expect("queue json");
    list.iter()
        .map(|c| {
            let members = c["members"].as_array().unwrap().iter().map(|m| m.as_str().unwrap().to_string());
            (members.collect(), c["id"].as_i64().unwrap())
        })
        .collect()
}

/// The pair of person `i`'s two records.
fn pair_of(i: usize) -> BTreeSet<String> {
    [format!("hubspot:{}", 5000 + i), format!("salesforce:003{i:05}")].into_iter().collect()
}

#[test]
fn vendors_native_headers_are_compared_by_kind_across_sources() {
    let ws = Workspace::new();
    import(&ws, "hubspot.csv", hubspot(), "hubspot");
    import(&ws, "salesforce.csv", salesforce(), "salesforce");
    let run = detect(&ws, &[]);
    assert_eq!(run["records"], 72);
    let found = proposed(&ws);
    let pairs: BTreeSet<&BTreeSet<String>> = found.iter().map(|(m, _)| m).collect();
    // Every person in both exports, those without an e-mail in Salesforce too.
    for i in 0..BOTH {
        assert!(pairs.contains(&pair_of(i)), "person {i} not proposed across sources: {pairs:?}\n{run:#}");
    }
    assert_eq!(found.len(), BOTH, "only the true pairs: {pairs:?}");
    // Columns of one kind are one field: `fields` names each kind once.
    let fields: Vec<(String, String)> = serde_json::from_value(run["fields"].clone()).unwrap();
    let first_names: Vec<&(String, String)> =
        fields.iter().filter(|(_, kind)| kind == "first_name").collect();
    assert_eq!(first_names.len(), 1, "{fields:?}");
    assert!(!fields.iter().any(|(_, kind)| kind == "ignore"), "{fields:?}");

    // Why proposed, as `show` prints it: the kind's line with a value from each vendor's column.
    let joost = found.iter().find(|(m, _)| *m == pair_of(0)).unwrap().1;
    let text = ws.ok(&["show", &joost.to_string()]);
    assert!(text.contains("  - first_name: exact (joost / joost)"), "{text}");
    assert!(text.contains("  - phone: exact (+14155551000 / +14155551000)"), "{text}");
    assert!(text.contains("  - company: exact (company alpha / company alpha)"), "{text}");
}

/// Incremental runs keep working across the grouped columns; a new source bringing a new column
/// of a kind changes the grouping, so the model is not reused: the next run is a full one.
#[test]
fn incremental_runs_compare_changed_records_and_a_new_column_of_a_kind_retrains() {
    let ws = Workspace::new();
    import(&ws, "hubspot.csv", hubspot(), "hubspot");
    import(&ws, "salesforce.csv", salesforce(), "salesforce");
    detect(&ws, &[]);
    let again = detect(&ws, &[]);
    assert_eq!((again["incremental"].as_bool(), again["pairs_compared"].as_u64()), (Some(true), Some(0)));

    // Person 1 moves, in Salesforce: only pairs involving that record are compared again.
    let moved = salesforce().replacen("11 Elm Street", "99 Harbour Road", 1);
    import(&ws, "salesforce2.csv", moved, "salesforce");
    let run = detect(&ws, &[]);
    assert_eq!(run["incremental"], true, "{run:#}");
    assert_eq!(run["records_new_or_changed"], 1);
    assert!(run["pairs_compared"].as_u64().unwrap() >= 1, "{run:#}");
    assert!(proposed(&ws).iter().any(|(m, _)| *m == pair_of(1)), "still proposed on the rest");

    // A web form whose given name column is `given_name`: one more column of that kind.
    let form = format!("id,given_name,surname,email\nw1,{},{},{}\n", "Kenji", "Hendriks", person(2).email);
    import(&ws, "form.csv", form, "webform");
    let run = detect(&ws, &[]);
    assert_eq!(run["incremental"], false, "the fields changed: {run:#}");
    assert!(
        proposed(&ws).iter().any(|(m, _)| m.contains("webform:w1") && m.contains("hubspot:5002")),
        "{:?}",
        proposed(&ws)
    );
}

/// Two columns of one kind on a record: the pair of values that agrees best is compared, and the
/// reason shows those two values. `Secondary Email` is an e-mail by its name; a column the config
/// maps to a kind joins that kind's columns.
#[test]
fn the_best_agreeing_value_of_a_kind_is_compared_and_the_config_maps_columns_into_kinds() {
    let ws = Workspace::new();
    let mut hubspot = String::from("Record ID,First Name,Last Name,Email,Secondary Email,Telefon\n");
    let mut salesforce = String::from("Id,FirstName,LastName,Email,Phone\n");
    for i in 0..30 {
        let p = person(i);
        let work = format!("{}.{}@work{i}.example", p.first.to_lowercase(), p.last.to_lowercase());
        // HubSpot holds the work address first; Salesforce only the private one.
        hubspot += &format!("{},{},{},{work},{},{}\n", 5000 + i, p.first, p.last, p.email, p.phone);
        salesforce += &format!("003{i:05},{},{},{},{}\n", p.first, p.last, p.email, p.phone);
    }
    import(&ws, "hubspot.csv", hubspot, "hubspot");
    import(&ws, "salesforce.csv", salesforce, "salesforce");
    let config = ws.file("detect.toml", "[object.contact.fields]\nTelefon = \"phone\"\n");
    let run = detect(&ws, &["--config", config.to_str().unwrap()]);
    let fields: Vec<(String, String)> = serde_json::from_value(run["fields"].clone()).unwrap();
    assert_eq!(fields.iter().filter(|(_, k)| k == "email").count(), 1, "{fields:?}");
    assert_eq!(fields.iter().filter(|(_, k)| k == "phone").count(), 1, "{fields:?}");
    let found = proposed(&ws);
    for i in 0..30 {
        assert!(found.iter().any(|(m, _)| *m == pair_of(i)), "person {i} not proposed: {found:?}");
    }
    let id = found.iter().find(|(m, _)| *m == pair_of(3)).unwrap().1;
    let text = ws.ok(&["show", &id.to_string()]);
    let email = person(3).email;
    assert!(text.contains(&format!("  - email: exact ({email} / {email})")), "{text}");
}

/// A pair proposed while one source alone named the columns (`First Name`) is proposed again
/// once another source's `FirstName` joins the kind: its reasons are the new run's, by kind, with
/// no line left over from the fields as they were named before, and they add up to the total.
#[test]
fn reasons_named_by_column_give_way_to_reasons_named_by_kind() {
    let ws = Workspace::new();
    let p = person(4);
    let twin = format!("6004,{},{},{},{},,,,,Alex\n", p.first, p.last, p.email, p.phone);
    import(&ws, "hubspot.csv", hubspot() + &twin, "hubspot");
    detect(&ws, &[]);
    let members: BTreeSet<String> = ["hubspot:5004".to_string(), "hubspot:6004".to_string()].into();
    let id = proposed(&ws).into_iter().find(|(m, _)| *m == members).expect("the HubSpot twins").1;
    let reasons = |ws: &Workspace| -> Vec<serde_json::Value> {
        let shown: serde_json::Value =
            serde_json::from_str(&ws.ok(&["show", &id.to_string(), "--json"])).unwrap();
        shown["reasons"].as_array().unwrap().clone()
    };
    assert!(reasons(&ws).iter().any(|r| r["field"] == "First Name"), "{:#?}", reasons(&ws));

    import(&ws, "salesforce.csv", salesforce(), "salesforce");
    detect(&ws, &[]);
    let now = reasons(&ws);
    // The overall line has no field.
    let fields: Vec<&str> = now.iter().filter_map(|r| r["field"].as_str()).collect();
    assert!(fields.contains(&"first_name") && !fields.contains(&"First Name"), "{fields:?}");
    let total = now.iter().find(|r| r["field"].is_null()).unwrap()["weight"].as_f64().unwrap();
    let sum: f64 = now.iter().filter(|r| r["field"].is_string()).filter_map(|r| r["weight"].as_f64()).sum();
    assert!((sum - total).abs() < 0.05, "lines add to {sum}, total {total}: {now:#?}");
}
