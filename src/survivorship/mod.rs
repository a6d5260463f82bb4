//! Survivorship: the suggested golden record of a candidate, one value per field with the rule
//! that chose it, a readable explanation and its lineage. Pure: no I/O.
//! (Placeholder until the rules engine lands: first non-empty value, oldest record survives.)

use crate::model::{Choices, Golden, GoldenValue, Record};
use anyhow::{bail, Result};
use std::collections::BTreeMap;

/// The suggested golden record for these members of `object`.
pub fn suggest(_object: &str, members: &[Record]) -> Golden {
    let mut fields = BTreeMap::new();
    for m in members {
        for (name, value) in &m.fields {
            fields.entry(name.clone()).or_insert_with(|| GoldenValue {
                value: Some(value.clone()),
                from: vec![m.key.clone()],
                rule: "non_empty".into(),
                explanation: format!("first value, from {}", m.key),
                conflict: false,
            });
        }
    }
    let survivor = members.first().map(|m| m.key.clone()).expect("a candidate has members");
    Golden { fields, survivor, survivor_reason: "first member".into() }
}

/// Applies a steward's picks, edits and survivor over a suggestion.
pub fn apply_choices(golden: &mut Golden, members: &[Record], choices: &Choices) -> Result<()> {
    for (field, key) in &choices.picks {
        let Some(m) = members.iter().find(|m| &m.key == key) else { bail!("{key} is not a member") };
        golden.fields.insert(
            field.clone(),
            GoldenValue {
                value: m.fields.get(field).cloned(),
                from: vec![key.clone()],
                rule: "steward".into(),
                explanation: format!("picked from {key}"),
                conflict: false,
            },
        );
    }
    for (field, value) in &choices.sets {
        golden.fields.insert(
            field.clone(),
            GoldenValue {
                value: value.clone(),
                from: vec![],
                rule: "steward".into(),
                explanation: "edited".into(),
                conflict: false,
            },
        );
    }
    if let Some(s) = &choices.survivor {
        golden.survivor = s.clone();
        golden.survivor_reason = "chosen by the steward".into();
    }
    Ok(())
}
