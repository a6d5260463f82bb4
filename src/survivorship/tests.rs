//! Table-driven tests of the survivorship engine: one row per strategy and per tricky case.

use super::*;
use crate::model::{Choices, Fields, Record, RecordKey};

/// A member as a test row writes it.
#[derive(Clone, Copy)]
struct M {
    key: &'static str,
    created: Option<&'static str>,
    updated: Option<&'static str>,
    value: Option<&'static str>,
    /// How many other filled fields the record has (for `most_complete`).
    extra: usize,
}

const fn m(key: &'static str, value: Option<&'static str>) -> M {
    M { key, created: None, updated: None, value, extra: 0 }
}

impl M {
    const fn upd(mut self, t: &'static str) -> M {
        self.updated = Some(t);
        self
    }
    const fn cre(mut self, t: &'static str) -> M {
        self.created = Some(t);
        self
    }
    const fn extra(mut self, n: usize) -> M {
        self.extra = n;
        self
    }
}

fn record(spec: &M, field: &str) -> Record {
    let mut fields = Fields::new();
    if let Some(v) = spec.value {
        fields.insert(field.to_string(), v.to_string());
    }
    for i in 0..spec.extra {
        fields.insert(format!("other{i}"), "x".to_string());
    }
    Record {
        object: "contact".into(),
        key: RecordKey::parse(spec.key).unwrap(),
        fields,
        created: spec.created.map(str::to_string),
        updated: spec.updated.map(str::to_string),
        version: 1,
    }
}

/// Rules for `contact` with the field `f` decided by `list`.
fn rules_with(list: &str) -> Rules {
    let text = format!(
        "[object.contact]\nsource_priority = [\"salesforce\", \"hubspot\", \"webform\"]\n\
         survivor = [\"source_priority\", \"oldest\"]\n[object.contact.fields]\nf = {list}\n"
    );
    Rules::parse(&text, "test.toml").unwrap()
}

struct Row {
    name: &'static str,
    list: &'static str,
    members: Vec<M>,
    value: Option<&'static str>,
    rule: &'static str,
    from: &'static [&'static str],
    says: &'static str,
    conflict: bool,
}

const SF: &str = "salesforce:1";
const HS: &str = "hubspot:2";
const WF: &str = "webform:3";

#[test]
fn each_strategy_and_tricky_case() {
    let rows = vec![
        Row {
            name: "source_priority keeps the best source",
            list: r#"["source_priority"]"#,
            members: vec![m(WF, Some("C")), m(HS, Some("B")), m(SF, Some("A"))],
            value: Some("A"),
            rule: "source_priority",
            from: &[SF],
            says: "salesforce outranks hubspot and webform",
            conflict: false,
        },
        Row {
            name: "most_recent keeps the newest record's value",
            list: r#"["most_recent"]"#,
            members: vec![
                m(SF, Some("old")).upd("2025-01-01T00:00:00Z"),
                m(HS, Some("new")).upd("2026-05-01T09:00:00Z"),
                m(WF, Some("mid")).upd("2025-06-01T00:00:00Z"),
            ],
            value: Some("new"),
            rule: "most_recent",
            from: &[HS],
            says: "updated 2026-05-01, the newest of 3",
            conflict: false,
        },
        Row {
            name: "most_recent with timestamps missing on some records",
            list: r#"["most_recent", "source_priority"]"#,
            members: vec![m(SF, Some("a")), m(HS, Some("b")).upd("2026-05-01T09:00:00Z"), m(WF, Some("c"))],
            value: Some("b"),
            rule: "most_recent",
            from: &[HS],
            says: "the newest of 3 (2 undated)",
            conflict: false,
        },
        Row {
            name: "most_recent with no timestamps at all passes on",
            list: r#"["most_recent", "source_priority"]"#,
            members: vec![m(SF, Some("a")), m(HS, Some("b"))],
            value: Some("a"),
            rule: "source_priority",
            from: &[SF],
            says: "salesforce outranks hubspot",
            conflict: false,
        },
        Row {
            name: "most_recent shows the time when two share a date",
            list: r#"["most_recent"]"#,
            members: vec![
                m(SF, Some("a")).upd("2026-05-01T08:00:00Z"),
                m(HS, Some("b")).upd("2026-05-01T09:30:00Z"),
            ],
            value: Some("b"),
            rule: "most_recent",
            from: &[HS],
            says: "updated 2026-05-01 09:30:00, the newest of 2",
            conflict: false,
        },
        Row {
            name: "oldest keeps the first-created record's value",
            list: r#"["oldest"]"#,
            members: vec![
                m(SF, Some("later")).cre("2024-01-01T00:00:00Z"),
                m(WF, Some("first")).cre("2019-03-02T00:00:00Z"),
            ],
            value: Some("first"),
            rule: "oldest",
            from: &[WF],
            says: "created 2019-03-02, the oldest of 2",
            conflict: false,
        },
        Row {
            name: "most_complete keeps the fullest record's value",
            list: r#"["most_complete"]"#,
            members: vec![m(SF, Some("thin")).extra(1), m(HS, Some("full")).extra(5)],
            value: Some("full"),
            rule: "most_complete",
            from: &[HS],
            says: "from the most complete record (6 fields filled)",
            conflict: false,
        },
        Row {
            name: "most_frequent compares without case and spacing, then passes the spellings on",
            list: r#"["most_frequent", "source_priority"]"#,
            members: vec![m(SF, Some("Acme Inc")), m(HS, Some("ACME Corp")), m(WF, Some(" acme  corp"))],
            value: Some("ACME Corp"),
            rule: "source_priority",
            from: &[HS],
            says: "shared by 2 of 3 records; hubspot outranks webform",
            conflict: false,
        },
        Row {
            name: "longest",
            list: r#"["longest"]"#,
            members: vec![m(SF, Some("Acme")), m(HS, Some("Acme Corporation"))],
            value: Some("Acme Corporation"),
            rule: "longest",
            from: &[HS],
            says: "the longest of 2",
            conflict: false,
        },
        Row {
            name: "non_empty: a missing value never wins over a present one",
            list: r#"["non_empty", "source_priority"]"#,
            members: vec![m(SF, None), m(HS, Some("   ")), m(WF, Some("only"))],
            value: Some("only"),
            rule: "agree",
            from: &[WF],
            says: "only webform:3 has a value",
            conflict: false,
        },
        Row {
            name: "valid_email keeps the valid one",
            list: r#"["valid_email", "source_priority"]"#,
            members: vec![m(SF, Some("n/a")), m(HS, Some("ann@acme.com")), m(WF, Some("ann@acme"))],
            value: Some("ann@acme.com"),
            rule: "valid_email",
            from: &[HS],
            says: "the only valid email",
            conflict: false,
        },
        Row {
            name: "valid_email then source_priority",
            list: r#"["valid_email", "source_priority"]"#,
            members: vec![m(SF, Some("bad")), m(HS, Some("a@x.com")), m(WF, Some("b@y.com"))],
            value: Some("a@x.com"),
            rule: "source_priority",
            from: &[HS],
            says: "valid email; hubspot outranks webform",
            conflict: false,
        },
        Row {
            name: "invalid emails only: the set passes on unchanged",
            list: r#"["valid_email", "source_priority"]"#,
            members: vec![m(SF, Some("n/a")), m(HS, Some("ann(at)acme.com"))],
            value: Some("n/a"),
            rule: "source_priority",
            from: &[SF],
            says: "no valid email; salesforce outranks hubspot",
            conflict: false,
        },
        Row {
            name: "valid_phone",
            list: r#"["valid_phone", "source_priority"]"#,
            members: vec![m(SF, Some("12")), m(HS, Some("+1 415 555 2671"))],
            value: Some("+1 415 555 2671"),
            rule: "valid_phone",
            from: &[HS],
            says: "the only valid phone",
            conflict: false,
        },
        Row {
            name: "max compares numbers as numbers",
            list: r#"["max"]"#,
            members: vec![m(SF, Some("900")), m(HS, Some("1200")), m(WF, Some("80"))],
            value: Some("1200"),
            rule: "max",
            from: &[HS],
            says: "the largest of 3",
            conflict: false,
        },
        Row {
            name: "min compares numbers as numbers",
            list: r#"["min"]"#,
            members: vec![m(SF, Some("900")), m(HS, Some("1200")), m(WF, Some("80.5"))],
            value: Some("80.5"),
            rule: "min",
            from: &[WF],
            says: "the smallest of 3",
            conflict: false,
        },
        Row {
            name: "max reads amounts as CRMs write them, not in text order",
            list: r#"["max"]"#,
            members: vec![m(SF, Some("1,050")), m(HS, Some("980")), m(WF, Some("99"))],
            value: Some("1,050"),
            rule: "max",
            from: &[SF],
            says: "the largest of 3",
            conflict: false,
        },
        Row {
            name: "max leaves out what is not a number, and says so",
            list: r#"["max", "source_priority"]"#,
            members: vec![m(SF, Some("$1.2M")), m(HS, Some("900000")), m(WF, Some("n/a"))],
            value: Some("$1.2M"),
            rule: "max",
            from: &[SF],
            says: "the largest of 2 numbers (1 not a number)",
            conflict: false,
        },
        Row {
            name: "max with fewer than two numbers passes to the next rule",
            list: r#"["max", "source_priority"]"#,
            members: vec![m(SF, Some("unknown")), m(HS, Some("about 50")), m(WF, Some("40"))],
            value: Some("unknown"),
            rule: "source_priority",
            from: &[SF],
            says: "salesforce outranks hubspot and webform",
            conflict: false,
        },
        Row {
            name: "max of ISO dates",
            list: r#"["max"]"#,
            members: vec![m(SF, Some("2024-01-05")), m(HS, Some("2025-12-31"))],
            value: Some("2025-12-31"),
            rule: "max",
            from: &[HS],
            says: "the latest of 2",
            conflict: false,
        },
        Row {
            name: "from_source",
            list: r#"[{ from_source = "hubspot" }]"#,
            members: vec![m(SF, Some("005A")), m(HS, Some("77"))],
            value: Some("77"),
            rule: "from_source",
            from: &[HS],
            says: "from hubspot",
            conflict: false,
        },
        Row {
            name: "from_source with no such record passes on",
            list: r#"[{ from_source = "zoho" }, "source_priority"]"#,
            members: vec![m(SF, Some("005A")), m(HS, Some("77"))],
            value: Some("005A"),
            rule: "source_priority",
            from: &[SF],
            says: "no zoho value; salesforce outranks hubspot",
            conflict: false,
        },
        Row {
            name: "union keeps order and drops duplicates without regard to case",
            list: r#"["union"]"#,
            members: vec![m(WF, Some("c;d")), m(SF, Some("a;b")), m(HS, Some("B; c"))],
            value: Some("a;b;c;d"),
            rule: "union",
            from: &[SF, HS, WF],
            says: "union of 3 records' values, 2 duplicates dropped",
            conflict: false,
        },
        Row {
            name: "union names only the records that gave items",
            list: r#"["union"]"#,
            members: vec![m(SF, Some(" ; ")), m(HS, Some("a")), m(WF, Some("b;A"))],
            value: Some("a;b"),
            rule: "union",
            from: &[HS, WF],
            says: "union of 2 records' values, 1 duplicate dropped",
            conflict: false,
        },
        Row {
            name: "union of separators only passes on",
            list: r#"["union", "source_priority"]"#,
            members: vec![m(SF, Some(";")), m(HS, Some(" ; "))],
            value: Some(";"),
            rule: "source_priority",
            from: &[SF],
            says: "salesforce outranks hubspot",
            conflict: false,
        },
        Row {
            name: "sum adds counters, even equal ones",
            list: r#"["sum"]"#,
            members: vec![m(SF, Some("3")), m(HS, Some("3")), m(WF, None)],
            value: Some("6"),
            rule: "sum",
            from: &[SF, HS],
            says: "sum of 2 records: 3 + 3",
            conflict: false,
        },
        Row {
            name: "sum is exact with decimals and leaves out words",
            list: r#"["sum"]"#,
            members: vec![m(SF, Some("0.1")), m(HS, Some("0.2")), m(WF, Some("many"))],
            value: Some("0.3"),
            rule: "sum",
            from: &[SF, HS],
            says: "1 not a number, left out",
            conflict: false,
        },
        Row {
            name: "all members agree",
            list: r#"["source_priority"]"#,
            members: vec![m(SF, Some("x")), m(HS, Some("x")), m(WF, Some("x"))],
            value: Some("x"),
            rule: "agree",
            from: &[SF],
            says: "all 3 records agree",
            conflict: false,
        },
        Row {
            name: "the members with a value agree",
            list: r#"["source_priority"]"#,
            members: vec![m(SF, None), m(HS, Some("x")), m(WF, Some("x"))],
            value: Some("x"),
            rule: "agree",
            from: &[HS],
            says: "2 of 3 records have this value; the others have none",
            conflict: false,
        },
        Row {
            name: "all empty",
            list: r#"["source_priority"]"#,
            members: vec![m(SF, None), m(HS, Some(" "))],
            value: None,
            rule: "none",
            from: &[],
            says: "no record has a value",
            conflict: false,
        },
        Row {
            name: "a tie no rule breaks is a conflict showing the survivor's value",
            list: r#"["most_recent"]"#,
            members: vec![
                m(SF, Some("a")).upd("2026-05-01T09:00:00Z"),
                m(HS, Some("b")).upd("2026-05-01T09:00:00Z"),
            ],
            value: Some("a"),
            rule: "conflict",
            from: &[SF],
            says: "no rule decides between 2 values; showing salesforce:1's (the survivor)",
            conflict: true,
        },
        Row {
            name: "a tie without the survivor goes to the best source",
            list: r#"["longest"]"#,
            members: vec![m(SF, None), m(WF, Some("bb")), m(HS, Some("aa"))],
            value: Some("aa"),
            rule: "conflict",
            from: &[HS],
            says: "no rule decides between 2 values; showing hubspot:2's",
            conflict: true,
        },
    ];
    for row in rows {
        let rules = rules_with(row.list);
        let members: Vec<Record> = row.members.iter().map(|s| record(s, "f")).collect();
        let golden = suggest(&rules, "contact", &members);
        let got = &golden.fields["f"];
        let from: Vec<String> = got.from.iter().map(|k| k.to_string()).collect();
        assert_eq!(got.value.as_deref(), row.value, "{}: value ({got:?})", row.name);
        assert_eq!(got.rule, row.rule, "{}: rule ({got:?})", row.name);
        assert_eq!(from, row.from, "{}: from", row.name);
        assert!(got.explanation.contains(row.says), "{}: explanation {:?}", row.name, got.explanation);
        assert_eq!(got.conflict, row.conflict, "{}: conflict", row.name);
    }
}

fn rec(key: &str, created: Option<&str>, fields: &[(&str, &str)]) -> Record {
    Record {
        object: "contact".into(),
        key: RecordKey::parse(key).unwrap(),
        fields: fields.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect(),
        created: created.map(str::to_string),
        updated: None,
        version: 1,
    }
}

const GROUP_RULES: &str = r#"
[object.contact]
source_priority = ["salesforce", "hubspot"]
survivor = ["source_priority", "oldest"]
groups = { address = ["street", "city", "postcode"] }
[object.contact.fields]
street = ["source_priority"]
"#;

#[test]
fn group_with_one_field_missing_never_mixes_records() {
    let rules = Rules::parse(GROUP_RULES, "g.toml").unwrap();
    let members = [
        rec(HS, None, &[("street", "2 Oak Ave"), ("city", "Shelbyville"), ("postcode", "999")]),
        rec(SF, None, &[("street", "1 Main St"), ("City", "ignored case"), ("city", "Springfield")]),
    ];
    let golden = suggest(&rules, "contact", &members);
    let f = |name: &str| &golden.fields[name];
    assert_eq!(f("street").value.as_deref(), Some("1 Main St"));
    assert_eq!(f("city").value.as_deref(), Some("Springfield"));
    assert_eq!(f("postcode").value, None, "the chosen record has no postcode; none is borrowed");
    assert_eq!(f("City").value.as_deref(), Some("ignored case"), "names match without regard to case");
    for name in ["street", "city", "postcode", "City"] {
        assert_eq!(f(name).from, vec![RecordKey::parse(SF).unwrap()], "{name}");
        assert_eq!(f(name).rule, "source_priority", "{name}");
        assert!(f(name).explanation.starts_with("address as a unit: salesforce outranks hubspot"), "{name}");
    }
    assert!(f("postcode").explanation.ends_with("salesforce:1 has no postcode"));
}

#[test]
fn group_taken_from_the_only_record_that_has_one() {
    let rules = Rules::parse(GROUP_RULES, "g.toml").unwrap();
    let members = [rec(SF, None, &[("name", "Ann")]), rec(HS, None, &[("city", "Shelbyville")])];
    let golden = suggest(&rules, "contact", &members);
    assert_eq!(golden.fields["city"].value.as_deref(), Some("Shelbyville"));
    assert_eq!(golden.fields["city"].explanation, "address as a unit: only hubspot:2 has a value");
}

#[test]
fn group_most_complete_counts_the_groups_fields() {
    let text = GROUP_RULES.replace("street = [\"source_priority\"]", "street = [\"most_complete\"]");
    let rules = Rules::parse(&text, "g.toml").unwrap();
    let members = [
        rec(SF, None, &[("street", "1 Main St"), ("a", "1"), ("b", "2"), ("c", "3")]),
        rec(HS, None, &[("street", "2 Oak Ave"), ("city", "Shelbyville"), ("postcode", "999")]),
    ];
    let golden = suggest(&rules, "contact", &members);
    assert_eq!(golden.fields["street"].value.as_deref(), Some("2 Oak Ave"));
    assert_eq!(golden.fields["street"].explanation, "address as a unit: the most complete (3 of 3 fields)");
}

#[test]
fn survivor_is_the_oldest_record_of_the_best_source() {
    let rules = Rules::builtin();
    let members = [
        rec("hubspot:9", Some("2010-01-01T00:00:00Z"), &[]),
        rec("salesforce:b", Some("2021-01-01T00:00:00Z"), &[]),
        rec("salesforce:a", Some("2019-03-02T00:00:00Z"), &[]),
    ];
    let golden = suggest(&rules, "contact", &members);
    assert_eq!(golden.survivor.to_string(), "salesforce:a");
    assert_eq!(golden.survivor_reason, "salesforce outranks hubspot; created 2019-03-02, the oldest of 2");
}

#[test]
fn survivor_ties_go_by_key_and_say_so() {
    let rules = Rules::builtin();
    let members = [rec("salesforce:b", None, &[]), rec("salesforce:a", None, &[])];
    let golden = suggest(&rules, "contact", &members);
    assert_eq!(golden.survivor.to_string(), "salesforce:a");
    assert_eq!(
        golden.survivor_reason,
        "no rule decides between 2 records; first by source priority, then key"
    );
    let one = suggest(&rules, "contact", &members[..1]);
    assert_eq!(one.survivor_reason, "the only record");
}

#[test]
fn unknown_objects_use_the_star_rules_then_the_fallback() {
    let members = [
        rec("zoho:1", Some("2020-01-01T00:00:00Z"), &[("email", "bad")]),
        rec("crm:2", Some("2019-01-01T00:00:00Z"), &[("email", "a@b.com")]),
    ];
    let golden = suggest(&Rules::builtin(), "opportunity", &members);
    assert_eq!(golden.fields["email"].rule, "valid_email");
    assert_eq!(golden.survivor.to_string(), "zoho:1", "zoho is in the built-in `*` priority list");
    let bare = Rules::parse("[object.x]\ndefault = [\"longest\"]\n", "r.toml").unwrap();
    let golden = suggest(&bare, "opportunity", &members);
    assert_eq!(golden.survivor.to_string(), "crm:2", "the fallback's survivor is the oldest");
}

#[test]
fn builtin_contact_rules_on_plain_demo_names() {
    let rules = Rules::builtin();
    let sf = rec(
        SF,
        Some("2019-03-02T00:00:00Z"),
        &[
            ("first_name", "Ann"),
            ("last_name", "Lee"),
            ("email", "ann.lee@acme.com"),
            ("phone", "+1 415 555 0100"),
            ("owner", "005A1"),
            ("street", "1 Main St"),
            ("city", "Springfield"),
            ("tags", "vip;newsletter"),
            ("form_submissions", "2"),
            ("lead_source", "Trade show"),
        ],
    );
    let mut hs = rec(
        HS,
        Some("2021-06-01T00:00:00Z"),
        &[
            ("first_name", "Annie"),
            ("last_name", "Lee"),
            ("email", "ann.lee@acme"),
            ("phone", "+1 415 555 0199"),
            ("owner", "77"),
            ("street", "9 Elm Rd"),
            ("city", "Shelbyville"),
            ("postcode", "12345"),
            ("country", "US"),
            ("tags", "Newsletter;webinar"),
            ("form_submissions", "5"),
            ("lead_source", "Web"),
        ],
    );
    hs.updated = Some("2026-05-01T10:00:00Z".into());
    let golden = suggest(&rules, "contact", &[hs, sf]);
    let v = |f: &str| golden.fields[f].value.clone().unwrap_or_default();
    assert_eq!(golden.survivor.to_string(), SF);
    assert_eq!(v("email"), "ann.lee@acme.com");
    assert_eq!(v("phone"), "+1 415 555 0199", "newest phone");
    assert_eq!(golden.fields["phone"].explanation, "updated 2026-05-01, the newest of 2 (1 undated)");
    assert_eq!(v("owner"), "005A1");
    assert_eq!(v("tags"), "vip;newsletter;webinar");
    assert_eq!(v("form_submissions"), "7");
    assert_eq!(v("lead_source"), "Trade show", "first touch");
    assert_eq!((v("first_name"), v("last_name")), ("Ann".into(), "Lee".into()));
    assert_eq!(
        (v("street"), v("city"), v("postcode")),
        ("9 Elm Rd".into(), "Shelbyville".into(), "12345".into())
    );
    assert_eq!(golden.conflicts(), 0);
}

fn two_members() -> (Rules, Vec<Record>, Golden) {
    let rules = Rules::parse(GROUP_RULES, "g.toml").unwrap();
    let members = vec![
        rec(SF, None, &[("street", "1 Main St"), ("city", "Springfield"), ("email", "a@x.com")]),
        rec(HS, None, &[("street", "2 Oak Ave"), ("postcode", "999"), ("email", "b@y.com")]),
    ];
    let golden = suggest(&rules, "contact", &members);
    (rules, members, golden)
}

#[test]
fn steward_pick_of_a_grouped_field_takes_the_whole_group() {
    let (rules, members, mut golden) = two_members();
    let hs = RecordKey::parse(HS).unwrap();
    let choices = Choices {
        picks: vec![("city".into(), hs.clone())],
        sets: vec![("email".into(), Some("ann@new.com".into()))],
        survivor: Some(hs.clone()),
    };
    apply_choices(&rules, "contact", &mut golden, &members, &choices).unwrap();
    let f = |n: &str| &golden.fields[n];
    assert_eq!(f("street").value.as_deref(), Some("2 Oak Ave"));
    assert_eq!(f("postcode").value.as_deref(), Some("999"));
    assert_eq!(f("city").value, None);
    assert_eq!(f("city").explanation, "picked from hubspot:2, which has no value");
    assert_eq!(f("street").explanation, "picked from hubspot:2 with city (address as a unit)");
    assert!(["street", "city", "postcode", "email"].iter().all(|n| f(n).rule == "steward"));
    assert_eq!(f("email").value.as_deref(), Some("ann@new.com"));
    assert_eq!(f("email").explanation, "edited by the steward");
    assert!(f("email").from.is_empty());
    assert_eq!(golden.survivor, hs);
    assert_eq!(golden.survivor_reason, "chosen by the steward");
}

#[test]
fn steward_choices_naming_strangers_are_refused_and_change_nothing() {
    let (rules, members, golden) = two_members();
    let stranger = RecordKey::parse("zoho:5").unwrap();
    let sf = RecordKey::parse(SF).unwrap();
    let cases = [
        (Choices { picks: vec![("email".into(), stranger.clone())], ..Default::default() }, "not a member"),
        (Choices { survivor: Some(stranger.clone()), ..Default::default() }, "cannot be the survivor"),
        (Choices { picks: vec![("nope".into(), sf.clone())], ..Default::default() }, "no member has a field"),
        (
            Choices {
                picks: vec![("email".into(), sf.clone())],
                survivor: Some(stranger.clone()),
                ..Default::default()
            },
            "cannot be the survivor",
        ),
    ];
    for (choices, words) in cases {
        let mut after = golden.clone();
        let err = apply_choices(&rules, "contact", &mut after, &members, &choices).unwrap_err();
        assert!(err.to_string().contains(words), "{err}");
        assert_eq!(after, golden, "unchanged after {words}");
    }
}
