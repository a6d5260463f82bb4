//! The JSON a decision writes into its journal entry: the candidate and members as the steward
//! saw them, the golden record with lineage, and the steward's choices (and `choices_of`, which
//! reads them back). Apart from `decide` because it is the entry's format, read again by exports
//! and undo, while `decide` is the transaction that writes it.

use crate::journal::stale::member_versions;
use crate::model::{Choices, Golden};
use crate::store::{CandidateRow, MemberRow};
use serde_json::{json, Map, Value};

/// The candidate and its members as the steward saw them: keys, versions and (for decisions) values.
pub(super) fn member_body(
    cand: &CandidateRow,
    members: &[MemberRow],
    with_values: bool,
) -> Map<String, Value> {
    let list: Vec<Value> = members
        .iter()
        .map(|m| {
            let r = &m.record;
            let mut v = json!({"key": r.key.to_string(), "version": r.version});
            if with_values {
                v["fields"] = json!(r.fields);
                v["created"] = json!(r.created);
                v["updated"] = json!(r.updated);
            }
            v
        })
        .collect();
    let mut body = Map::new();
    body.insert("object".into(), json!(cand.object));
    // Scores go in as text: the journal holds no floats (see encoding).
    body.insert("score".into(), json!(cand.score.to_string()));
    body.insert("seen".into(), json!(member_versions(members)));
    body.insert("members".into(), Value::Array(list));
    body
}

/// The approved golden record with lineage; a value the steward chose says so and keeps the rule's
/// suggestion beside it.
pub(super) fn golden_body(suggested: &Golden, approved: &Golden, choices: &Choices) -> Value {
    let mut fields = Map::new();
    for (name, v) in &approved.fields {
        let by_steward = v.rule == "steward";
        let mut f = json!({
            "value": v.value,
            "from": v.from.iter().map(|k| k.to_string()).collect::<Vec<_>>(),
            "rule": v.rule,
            "explanation": v.explanation,
            "conflict": v.conflict,
            "chosen_by": if by_steward { "steward" } else { "rule" },
        });
        if let (true, Some(s)) = (by_steward, suggested.fields.get(name)) {
            f["suggested"] = json!({
                "value": s.value,
                "from": s.from.iter().map(|k| k.to_string()).collect::<Vec<_>>(),
                "rule": s.rule,
            });
        }
        fields.insert(name.clone(), f);
    }
    let mut survivor = json!({
        "key": approved.survivor.to_string(),
        "reason": approved.survivor_reason,
        "chosen_by": if choices.survivor.is_some() { "steward" } else { "rule" },
    });
    if choices.survivor.is_some() {
        survivor["suggested"] = json!(suggested.survivor.to_string());
    }
    json!({"fields": fields, "survivor": survivor})
}

pub(super) fn choices_body(c: &Choices) -> Value {
    json!({
        "picks": c.picks.iter().map(|(f, k)| json!({"field": f, "from": k.to_string()})).collect::<Vec<_>>(),
        "sets": c.sets.iter().map(|(f, v)| json!({"field": f, "value": v})).collect::<Vec<_>>(),
        "survivor": c.survivor.as_ref().map(|k| k.to_string()),
    })
}

/// The steward's choices an approval's body holds (`choices_body` read back; none in other bodies).
pub fn choices_of(body: &Value) -> Choices {
    let c = &body["choices"];
    let text = |v: &Value| v.as_str().map(str::to_string);
    let key = |v: &Value| v.as_str().and_then(crate::model::RecordKey::parse);
    let list = |name: &str| c[name].as_array().map(Vec::as_slice).unwrap_or_default();
    Choices {
        picks: list("picks").iter().filter_map(|p| Some((text(&p["field"])?, key(&p["from"])?))).collect(),
        sets: list("sets").iter().filter_map(|s| Some((text(&s["field"])?, text(&s["value"])))).collect(),
        survivor: key(&c["survivor"]),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::RecordKey;

    #[test]
    fn choices_read_back_as_written() {
        let key = |s: &str| RecordKey::parse(s).unwrap();
        let choices = Choices {
            picks: vec![("email".into(), key("hubspot:5102"))],
            sets: vec![("phone".into(), Some("+1 415 555 0100".into())), ("fax".into(), None)],
            survivor: Some(key("salesforce:003:odd")),
        };
        assert_eq!(choices_of(&json!({ "choices": choices_body(&choices) })), choices);
        assert_eq!(choices_of(&json!({ "note": null })), Choices::default(), "a body without choices");
    }
}
