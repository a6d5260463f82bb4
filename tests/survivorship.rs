//! Property tests of survivorship: the suggestion does not depend on the order of members, and
//! every value it picks is one of the members' values (`union` and `sum` are built only from
//! members' values), under the built-in rules and under random strategy lists.

use mergeq::model::{Fields, Golden, Record, RecordKey};
use mergeq::survivorship::{suggest, suggest_view, Rules, STRATEGY_NAMES};
use proptest::prelude::*;

const SOURCES: &[&str] = &["salesforce", "hubspot", "webform", "zoho"];
const TIMES: &[&str] = &["2024-01-01T00:00:00Z", "2025-06-01T12:00:00Z", "2025-06-01T12:00:00.500Z"];

/// Field names and the values they draw from (ties, case variants, blanks, invalid shapes).
const FIELDS: &[(&str, &[&str])] = &[
    ("email", &["ann@acme.com", "ANN@acme.com", "bad", " ", "b@x.org"]),
    ("phone", &["+1 415 555 0100", "12", "n/a", "020 7946 0958"]),
    ("tags", &["a;b", "B;c", "c", "x; y ;a", ";"]),
    ("form_submissions", &["1", "2", "0.5", "x", "10"]),
    ("street", &["1 Main St", "9 Elm Rd", "1 main st"]),
    ("city", &["Springfield", "Shelbyville"]),
    ("postcode", &["12345", "999"]),
    ("name", &["Acme", "ACME", "Acme \"Corp\"", " acme ", "a\\b\u{1}\u{1b}[2J\n\t\u{7f}é"]),
    ("employees", &["10", "200", "9", "abc"]),
    ("f", &["x", "X", "yy", "2025-01-01", "3"]),
];

/// A generated member: source index, created and updated time indexes, a value index per field.
type MemberSpec = (usize, Option<usize>, Option<usize>, Vec<Option<usize>>);

fn member() -> impl Strategy<Value = MemberSpec> {
    (
        0..SOURCES.len(),
        proptest::option::of(0..TIMES.len()),
        proptest::option::of(0..TIMES.len()),
        proptest::collection::vec(proptest::option::of(0..5usize), FIELDS.len()),
    )
}

fn build(specs: &[MemberSpec], object: &str) -> Vec<Record> {
    specs
        .iter()
        .enumerate()
        .map(|(i, (source, created, updated, values))| {
            let mut fields = Fields::new();
            for ((name, pool), v) in FIELDS.iter().zip(values) {
                if let Some(v) = v {
                    fields.insert(name.to_string(), pool[v % pool.len()].to_string());
                }
            }
            Record {
                object: object.to_string(),
                key: RecordKey::new(SOURCES[*source], format!("r{i}")),
                fields,
                created: created.map(|t| TIMES[t].to_string()),
                updated: updated.map(|t| TIMES[t].to_string()),
                version: 1,
            }
        })
        .collect()
}

/// A rules file deciding field `f` by `list` and the address by `group`, survivor by `survivor`.
fn random_rules(list: &[String], group: &[String], survivor: &[String]) -> Rules {
    let quote = |l: &[String]| l.iter().map(|s| s.to_string()).collect::<Vec<_>>().join(", ");
    let text = format!(
        "[object.contact]\nsource_priority = [\"salesforce\", \"hubspot\", \"webform\"]\n\
         default = [{}]\nsurvivor = [{}]\n\
         groups = {{ address = {{ fields = [\"street\", \"city\", \"postcode\"], rules = [{}] }} }}\n\
         [object.contact.fields]\nf = [{}]\n",
        quote(group),
        quote(survivor),
        quote(group),
        quote(list)
    );
    Rules::parse(&text, "random.toml").unwrap_or_else(|e| panic!("{e}\n{text}"))
}

fn strategy_name(record_only: bool, no_combine: bool) -> BoxedStrategy<String> {
    let names: Vec<String> = STRATEGY_NAMES
        .iter()
        .filter(|n| !no_combine || !matches!(**n, "union" | "sum"))
        .filter(|n| {
            !record_only || matches!(**n, "source_priority" | "most_recent" | "oldest" | "most_complete")
        })
        .map(|n| format!("\"{n}\""))
        .chain(SOURCES.iter().map(|s| format!("{{ from_source = \"{s}\" }}")))
        .collect();
    proptest::sample::select(names).boxed()
}

fn lists() -> impl Strategy<Value = (Vec<String>, Vec<String>, Vec<String>)> {
    (
        proptest::collection::vec(strategy_name(false, false), 1..4),
        proptest::collection::vec(strategy_name(false, true), 1..4),
        proptest::collection::vec(strategy_name(true, true), 1..4),
    )
}

/// Every golden value is a member's value of that field (several only for union and sum).
fn check_lineage(golden: &Golden, members: &[Record]) -> Result<(), TestCaseError> {
    let member = |k: &RecordKey| members.iter().find(|m| &m.key == k);
    prop_assert!(member(&golden.survivor).is_some(), "survivor {} is not a member", golden.survivor);
    for (field, g) in &golden.fields {
        for k in &g.from {
            prop_assert!(member(k).is_some(), "{field}: {k} is not a member");
        }
        let Some(value) = &g.value else { continue };
        match g.rule.as_str() {
            "union" => {
                let items: Vec<String> = g
                    .from
                    .iter()
                    .filter_map(|k| member(k)?.fields.get(field))
                    .flat_map(|v| v.split(';').map(|i| i.trim().to_lowercase()))
                    .collect();
                for item in value.split(';') {
                    prop_assert!(items.contains(&item.to_lowercase()), "{field}: {item} from nowhere");
                }
            }
            "sum" => {
                let total: f64 = g
                    .from
                    .iter()
                    .map(|k| member(k).unwrap().fields[field].trim().parse::<f64>().unwrap())
                    .sum();
                prop_assert!(
                    (value.parse::<f64>().unwrap() - total).abs() < 1e-9,
                    "{field}: {value} ≠ {total}"
                );
            }
            _ => {
                prop_assert_eq!(g.from.len(), 1, "{}: one record", field);
                let from = member(&g.from[0]).unwrap();
                prop_assert_eq!(from.fields.get(field), Some(value), "{}: value not the record's", field);
            }
        }
        // A group's conflict is between whole addresses, not one field's values.
        if g.conflict && !["street", "city", "postcode"].contains(&field.as_str()) {
            let distinct: std::collections::BTreeSet<&String> =
                members.iter().filter_map(|m| m.fields.get(field)).collect();
            prop_assert!(distinct.len() >= 2, "{field}: a conflict needs two different values");
        }
    }
    Ok(())
}

/// The streaming form serialises to the same values, lineage, rules and explanations.
fn check_view_json(
    rules: &Rules,
    object: &str,
    members: &[Record],
    golden: &Golden,
) -> Result<(), TestCaseError> {
    let view = suggest_view(rules, object, members);
    let mut direct = Vec::new();
    view.write_json(&mut direct);
    prop_assert_eq!(String::from_utf8(direct).unwrap(), serde_json::to_string(&view).unwrap());
    let view = serde_json::to_value(&view).unwrap();
    prop_assert_eq!(&view["survivor"]["key"], &serde_json::json!(golden.survivor.to_string()));
    prop_assert_eq!(&view["survivor"]["reason"], &serde_json::json!(golden.survivor_reason));
    let fields = view["fields"].as_object().unwrap();
    prop_assert_eq!(fields.len(), golden.fields.len());
    for (name, g) in &golden.fields {
        let from: Vec<String> = g.from.iter().map(|k| k.to_string()).collect();
        let want = serde_json::json!({
            "value": g.value, "from": from, "rule": g.rule, "explanation": g.explanation, "conflict": g.conflict
        });
        prop_assert_eq!(&fields[name], &want, "{}", name);
    }
    Ok(())
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(300))]

    #[test]
    fn builtin_rules_ignore_member_order_and_pick_members_values(
        specs in proptest::collection::vec(member(), 1..6),
        object in proptest::sample::select(vec!["contact", "account", "lead", "opportunity"]),
        seed in any::<u64>(),
    ) {
        let rules = Rules::builtin();
        let members = build(&specs, object);
        let golden = suggest(&rules, object, &members);
        check_lineage(&golden, &members)?;
        check_view_json(&rules, object, &members, &golden)?;
        let mut shuffled = members.clone();
        shuffle(&mut shuffled, seed);
        prop_assert_eq!(&suggest(&rules, object, &shuffled), &golden);
    }

    #[test]
    fn random_strategy_lists_ignore_member_order_and_pick_members_values(
        specs in proptest::collection::vec(member(), 1..6),
        (list, group, survivor) in lists(),
        seed in any::<u64>(),
    ) {
        let rules = random_rules(&list, &group, &survivor);
        let members = build(&specs, "contact");
        let golden = suggest(&rules, "contact", &members);
        check_lineage(&golden, &members)?;
        let address: Vec<&RecordKey> =
            ["street", "city", "postcode"].iter().filter_map(|f| golden.fields.get(*f)).flat_map(|g| &g.from).collect();
        prop_assert!(address.windows(2).all(|w| w[0] == w[1]), "an address mixes records: {:?}", address);
        let mut shuffled = members.clone();
        shuffle(&mut shuffled, seed);
        prop_assert_eq!(&suggest(&rules, "contact", &shuffled), &golden);
    }
}

/// A deterministic Fisher–Yates shuffle from a seed (proptest shrinks the seed like any input).
fn shuffle<T>(items: &mut [T], mut seed: u64) {
    for i in (1..items.len()).rev() {
        seed = seed.wrapping_mul(6364136223846793005).wrapping_add(1442695040888963407);
        items.swap(i, (seed >> 33) as usize % (i + 1));
    }
}
