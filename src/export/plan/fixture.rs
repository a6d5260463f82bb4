//! Approved merges built by hand, for the renderers' tests (test builds only; kept apart so `plan.rs`
//! holds only what ships).

use super::*;

/// What `crm` writes for `m`, line by line; checks the count the renderer reports.
pub fn render_lines(crm: super::super::crm::Crm, m: &ApprovedMerge) -> Vec<String> {
    let mut out = Vec::new();
    let n = crm.render(m, &mut out).unwrap();
    let lines: Vec<String> = String::from_utf8(out).unwrap().lines().map(str::to_string).collect();
    assert_eq!(n as usize, lines.len());
    lines
}

pub fn meta(seq: i64) -> DecisionMeta<'static> {
    DecisionMeta { seq, candidate: seq * 10, at: "2026-05-01T10:00:00Z".into(), steward: "ana".into() }
}

pub fn k(text: &str) -> Key<'static> {
    Key::parse(text.to_string()).unwrap()
}

pub fn member(key: &str, fields: &[(&str, &str)]) -> Member<'static> {
    let fields = fields.iter().map(|(k, v)| (Cow::Owned(k.to_string()), Cow::Owned(v.to_string()))).collect();
    Member { key: k(key), version: 1, fields }
}

/// `(name, value, from, rule)`
pub fn golden(fields: &[(&str, Option<&str>, &[&str], &str)]) -> Vec<GoldenField<'static>> {
    fields
        .iter()
        .map(|(name, value, from, rule)| GoldenField {
            name: Cow::Owned(name.to_string()),
            value: value.map(|v| Cow::Owned(v.to_string())),
            from: from.iter().map(|f| k(f)).collect(),
            rule: Cow::Owned(rule.to_string()),
        })
        .collect()
}

/// A five-contact cluster in one source; the survivor `src:1` holds some golden values already.
pub fn cluster5(source: &str) -> ApprovedMerge<'static> {
    let key = |i: u32| format!("{source}:{i}");
    ApprovedMerge {
        meta: meta(42),
        object: "contact".into(),
        survivor: k(&key(1)),
        members: vec![
            member(&key(1), &[("email", "ana@old.example"), ("first_name", "Ana"), ("fax", "+1 555 0100")]),
            member(&key(2), &[("email", "ana@acme.example"), ("first_name", "Ana")]),
            member(&key(3), &[("phone", "+1 555 0199"), ("first_name", "Anna")]),
            member(&key(4), &[("first_name", "Ana"), ("city", "Lisbon")]),
            member(&key(5), &[("first_name", "A.")]),
        ],
        golden: golden(&[
            ("city", Some("Lisbon"), &[&key(4)], "non_empty"),
            ("email", Some("ana@acme.example"), &[&key(2)], "valid_email"),
            ("fax", None, &[], "steward"),
            ("first_name", Some("Ana"), &[&key(1)], "most_frequent"),
            ("phone", Some("+1 555 0199"), &[&key(3)], "valid_phone"),
        ]),
    }
}
