//! Survivorship: the suggested golden record of a candidate, one value per field with the rule
//! that chose it, a readable explanation and its lineage, and the steward's picks and edits over
//! it. Pure: no I/O except reading a rules file in `Rules::load`.
//!
//! Callers load the rules once per command (`Rules::load(ctx.rules.as_deref())`) and then call
//! `suggest` and `apply_choices` for each candidate.

mod engine;
mod narrow;
mod rules;
mod strategy;
mod view;

pub use rules::{FieldGroup, ObjectRules, Rules, RulesError, ANY_OBJECT, BUILTIN_RULES};
pub use strategy::{is_valid_email, is_valid_phone, Strategy, STRATEGY_NAMES};
pub use view::{Explanation, GoldenView, Lineage, ValueView, Why};

use crate::model::{Choices, Golden, GoldenValue, Record, RecordKey};
use anyhow::{bail, Result};

/// The suggested golden record for these members of `object`. `members` must not be empty; the
/// result does not depend on their order.
pub fn suggest(rules: &Rules, object: &str, members: &[Record]) -> Golden {
    suggest_view(rules, object, members).into_golden()
}

/// Like `suggest`, but borrowing from the members: what streaming exports serialise (its JSON is
/// `{"fields": {field: {"value", "from", "rule", "explanation", "conflict"}}, "survivor": {"key", "reason"}}`).
pub fn suggest_view<'a>(rules: &'a Rules, object: &str, members: &'a [Record]) -> GoldenView<'a> {
    engine::golden(rules.for_object(object), members)
}

/// Applies a steward's picks, edits and survivor over a suggestion. A pick of a grouped field takes
/// the whole group from that record. Checks everything first: on error `golden` is unchanged.
pub fn apply_choices(
    rules: &Rules,
    object: &str,
    golden: &mut Golden,
    members: &[Record],
    choices: &Choices,
) -> Result<()> {
    let rules = rules.for_object(object);
    let member = |key: &RecordKey| members.iter().find(|m| &m.key == key);
    for (field, key) in &choices.picks {
        if member(key).is_none() {
            bail!("{key} is not a member of this candidate (picked for {field})");
        }
        if !golden.fields.contains_key(field) {
            bail!("no member has a field `{field}` to pick");
        }
    }
    if let Some(key) = &choices.survivor {
        if member(key).is_none() {
            bail!("{key} is not a member of this candidate, so it cannot be the survivor");
        }
    }
    for (field, key) in &choices.picks {
        let record = member(key).expect("checked above");
        let group = rules.group_of(field);
        let together: Vec<String> = match group {
            Some(g) => golden.fields.keys().filter(|f| rules.group_of(f) == Some(g)).cloned().collect(),
            None => vec![field.clone()],
        };
        for name in together {
            let value = record.fields.get(&name).filter(|v| !v.trim().is_empty()).cloned();
            let mut explanation = format!("picked from {key}");
            if let (Some(g), false) = (group, &name == field) {
                explanation.push_str(&format!(" with {field} ({} as a unit)", g.name));
            }
            if value.is_none() {
                explanation.push_str(", which has no value");
            }
            let picked = GoldenValue {
                value,
                from: vec![key.clone()],
                rule: "steward".into(),
                explanation,
                conflict: false,
            };
            golden.fields.insert(name, picked);
        }
    }
    for (field, value) in &choices.sets {
        let value = value.clone().filter(|v| !v.trim().is_empty());
        let explanation = if value.is_some() { "edited by the steward" } else { "cleared by the steward" };
        golden.fields.insert(
            field.clone(),
            GoldenValue {
                value,
                from: vec![],
                rule: "steward".into(),
                explanation: explanation.into(),
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

#[cfg(test)]
mod tests;
