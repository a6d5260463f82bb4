//! The decision exports end to end, batch by batch: which candidates each format carries, what
//! it counts and leaves out, and that batch sizes never change the bytes. Kept apart so
//! `decisions.rs` reads as the code it tests.

/// A record merged by one approval cannot be merged again: the later approval that shares it
/// is left out of CRM plans (counted, with the first such pair named), in whatever batches the
/// entries come; the golden exports keep both.
#[test]
fn a_record_is_merged_once_per_plan() {
    let sf = |id: &str| format!("salesforce:{id}");
    let pair = |a: &str, b: &str| {
        let (a, b) = (sf(a), sf(b));
        approve_body("contact", &[(a.as_str(), 1, &[]), (b.as_str(), 1, &[])], &[])
    };
    let entries = [
        entry(1, pair("A", "B")),
        entry(2, pair("B", "C")),
        entry(3, pair("D", "E")),
        entry(4, pair("C", "A")),
    ];
    for per_batch in [1, 2, 4] {
        let (text, counts) = run_in("salesforce", None, &Current::default(), &entries, per_batch);
        let merged: Vec<&str> = text.lines().map(|l| &l[l.find("\"Id\":\"").unwrap() + 6..][..1]).collect();
        assert_eq!(merged, ["A", "D"], "per batch {per_batch}: {text}");
        assert_eq!((counts.decisions, counts.lines, counts.overlapping), (2, 2, 2), "per batch {per_batch}");
        let first = (meta(2).candidate, "salesforce:B".to_string(), meta(1).candidate);
        assert_eq!(counts.first_overlap, Some(first));
        let notes = notes(&counts.details());
        assert!(
            notes[0].starts_with(
                "2 approved candidates left out: a record of theirs is merged by an earlier candidate"
            ),
            "{notes:?}"
        );
    }
    let (_, counts) = run_in("golden-jsonl", None, &Current::default(), &entries, 2);
    assert_eq!((counts.decisions, counts.overlapping), (4, 0));
}

#[test]
fn notes_count_in_words_that_agree() {
    let one = json!({"source": "salesforce", "other_source": 1, "unmergeable": {"opportunity": 1},
                     "refreshed_members": 1, "decisions": 3});
    assert_eq!(
        notes(&one),
        [
            "1 approved candidate has records from outside source `salesforce`: not in this plan (see golden-csv or golden-jsonl)",
            "1 approved candidate left out (object `opportunity`): this CRM cannot merge that object",
            "1 member record changed after approval: the plan starts from the current values",
        ]
    );
    let many = json!({"source": "hubspot", "other_source": 2, "unmergeable": {"quote": 3},
                      "refreshed_members": 4, "decisions": 3});
    assert_eq!(
        notes(&many),
        [
            "2 approved candidates have records from outside source `hubspot`: not in this plan (see golden-csv or golden-jsonl)",
            "3 approved candidates left out (object `quote`): this CRM cannot merge that object",
            "4 member records changed after approval: the plan starts from the current values",
        ]
    );
    let within = |n: u64| notes(&json!({"within": n, "first_within": [7, 3], "decisions": 1}));
    assert_eq!(
        within(1),
        ["1 approved candidate is merged as part of a larger approved candidate of this plan (first: candidate 7, within candidate 3): nothing to do"]
    );
    assert!(within(2)[0].starts_with("2 approved candidates are merged as part of"), "{:?}", within(2));
}

use super::super::plan::fixture::meta;
use super::*;
use serde_json::{json, Value};
use std::collections::BTreeMap;

/// `(key, version, fields)`
type TestMember<'a> = (&'a str, i64, &'a [(&'a str, &'a str)]);

/// A decision body as the journal writes it, for members `(key, version, fields)`.
pub fn approve_body(object: &str, members: &[TestMember], golden: &[(&str, Option<&str>, &str)]) -> String {
    let members: Vec<Value> = members
        .iter()
        .map(|(k, v, f)| {
            let fields: BTreeMap<&str, &str> = f.iter().copied().collect();
            json!({"key": k, "version": v, "fields": fields, "created": null, "updated": null})
        })
        .collect();
    let fields: serde_json::Map<String, Value> = golden
        .iter()
        .map(|(name, value, from)| {
            let from: Vec<&str> = if from.is_empty() { vec![] } else { vec![*from] };
            (name.to_string(), json!({"value": value, "from": from, "rule": "non_empty", "explanation": "", "conflict": false, "chosen_by": "rule"}))
        })
        .collect();
    let survivor = members[0]["key"].clone();
    json!({"object": object, "members": members, "golden": {"fields": fields, "survivor": {"key": survivor, "reason": "first", "chosen_by": "rule"}}, "note": null})
        .to_string()
}

/// `(seq, body)`
type Entry = (i64, String);

fn entry(seq: i64, body: String) -> Entry {
    (seq, body)
}

/// The export of `entries`, fed in batches of `per_batch`.
fn run_in(
    format: &str,
    source: Option<&str>,
    current: &Current,
    entries: &[Entry],
    per_batch: usize,
) -> (String, Counts) {
    let mut b = Builder::new(Kind::parse(format).unwrap(), source, false, current);
    let mut out = Vec::new();
    let mut batch = Batch::default();
    for chunk in entries.chunks(per_batch) {
        batch.clear();
        for (seq, body) in chunk {
            let m = meta(*seq);
            batch.push(m.seq, m.candidate, &m.at, &m.steward, body);
        }
        batch = b.push(batch, &mut out).unwrap();
    }
    let counts = b.finish(&mut out).unwrap();
    (String::from_utf8(out).unwrap(), counts)
}

fn run(format: &str, source: Option<&str>, current: &Current, entries: &[Entry]) -> (String, Counts) {
    run_in(format, source, current, entries, 2)
}

fn entries() -> Vec<Entry> {
    vec![
        entry(
            3,
            approve_body(
                "contact",
                &[("hubspot:1", 1, &[("email", "a@x")]), ("hubspot:2", 1, &[("email", "b@x")])],
                &[("email", Some("b@x"), "hubspot:2")],
            ),
        ),
        // Cross-source: golden exports only.
        entry(
            5,
            approve_body(
                "contact",
                &[("hubspot:3", 1, &[]), ("webform:9", 1, &[("phone", "+1")])],
                &[("phone", Some("+1"), "webform:9")],
            ),
        ),
        entry(8, approve_body("opportunity", &[("salesforce:o1", 1, &[]), ("salesforce:o2", 1, &[])], &[])),
    ]
}

#[test]
fn crm_plans_hold_only_candidates_all_from_their_source() {
    let (text, counts) = run("hubspot", None, &Current::default(), &entries());
    assert_eq!(text.lines().count(), 2, "{text}");
    assert!(text.contains(r#""objectIdToMerge":"2""#) && !text.contains("webform"), "{text}");
    assert_eq!(counts, Counts { decisions: 1, lines: 2, other_source: 2, ..Counts::default() });
    // --source names the workspace source that holds this CRM's records.
    let (text, counts) = run("salesforce", Some("hubspot"), &Current::default(), &entries());
    assert_eq!(text.lines().count(), 1, "{text}");
    assert!(text.contains(r#""recordToMergeIds":["2"]"#), "{text}");
    assert_eq!(counts.other_source, 2);
    // Salesforce cannot merge opportunities: counted, not exported, not an error.
    let (text, counts) = run("salesforce", None, &Current::default(), &entries());
    assert_eq!(text, "");
    assert_eq!(counts.unmergeable, BTreeMap::from([("opportunity".to_string(), 1)]));
}

#[test]
fn golden_exports_hold_cross_source_candidates() {
    for format in ["golden-jsonl", "golden-csv"] {
        let (text, counts) = run(format, None, &Current::default(), &entries());
        assert!(text.contains("webform:9"), "{format}: {text}");
        assert_eq!((counts.decisions, counts.other_source), (3, 0), "{format}");
    }
}

#[test]
fn a_member_changed_since_the_decision_is_planned_from_its_current_values() {
    // hubspot:1 was re-imported with the golden email already: nothing left to set.
    let now = Record {
        object: "contact".into(),
        key: crate::model::RecordKey::new("hubspot", "1"),
        fields: Fields::from([("email".to_string(), "b@x".to_string())]),
        created: None,
        updated: None,
        version: 2,
    };
    let current = Current::new(vec![now.clone()]);
    let (text, counts) = run("hubspot", None, &current, &entries()[..1]);
    assert_eq!(text.lines().count(), 1, "{text}");
    assert_eq!(counts.refreshed_members, 1);
    // Another object with the same key is another record.
    let current = Current::new(vec![Record { object: "lead".into(), ..now }]);
    let (text, counts) = run("hubspot", None, &current, &entries()[..1]);
    assert_eq!((text.lines().count(), counts.refreshed_members), (2, 0), "{text}");
}

#[test]
fn not_duplicates_reads_rejections() {
    let body = approve_body("contact", &[("hubspot:1", 1, &[]), ("salesforce:2", 1, &[])], &[]);
    let (text, counts) = run("not-duplicates", None, &Current::default(), &[entry(4, body)]);
    assert_eq!(text.lines().nth(1), Some("hubspot:1,salesforce:2,contact,2026-05-01T10:00:00Z,ana,40,4,"));
    assert_eq!((counts.decisions, counts.lines), (1, 1));
}

#[test]
fn batches_of_any_size_give_the_same_export() {
    // Many entries, of every kind the builder tells apart, in one batch and one by one.
    let mut many = Vec::new();
    for i in 0..200 {
        let mut e = entries()[(i % 3) as usize].clone();
        e.0 = i + 1;
        many.push(e);
    }
    for format in
        ["salesforce", "hubspot", "dynamics", "zoho", "golden-jsonl", "golden-csv", "not-duplicates"]
    {
        let (whole, whole_counts) = run_in(format, None, &Current::default(), &many, many.len());
        let (single, single_counts) = run_in(format, None, &Current::default(), &many, 1);
        assert_eq!(whole, single, "{format}");
        assert_eq!(whole_counts, single_counts, "{format}");
        assert!(whole_counts.decisions + whole_counts.other_source > 0, "{format}");
    }
    let (text, counts) = run_in("golden-jsonl", None, &Current::default(), &many, many.len());
    let decisions: Vec<i64> = text
        .lines()
        .map(|l| serde_json::from_str::<Value>(l).unwrap()["decision"].as_i64().unwrap())
        .collect();
    assert_eq!(decisions, (1..=many.len() as i64).collect::<Vec<_>>());
    assert_eq!(counts.decisions, many.len() as u64);
}
