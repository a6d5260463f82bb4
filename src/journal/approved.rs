//! The golden record a candidate's standing approval holds, read back from its journal entry: the
//! values, lineage, rules and explanations `decide` wrote under the body's `golden` key, who chose
//! each (the steward or a rule) with the rule's suggestion beside a steward's choice, the survivor,
//! and the member versions the steward approved. What was approved is the entry, not what the
//! rules would suggest over the records today: `show` prints this, as the golden exports carry it.

use super::{choices_of, standing_decision, Action};
use crate::model::{CandidateId, Choices, Golden, GoldenValue, RecordKey};
use crate::store::{JournalEntry, Store};
use anyhow::{anyhow, bail, Context, Result};
use serde::Deserialize;
use serde_json::Value;
use std::collections::BTreeMap;

/// A standing approval as its journal entry holds it.
#[derive(Debug, Clone, PartialEq)]
pub struct Approval {
    /// The approve entry's sequence number, steward and time.
    pub seq: i64,
    pub steward: String,
    pub at: String,
    pub note: Option<String>,
    /// The golden record approved, survivor included.
    pub golden: Golden,
    /// The rule's suggestion for each field the steward picked or edited.
    pub suggested: BTreeMap<String, Suggested>,
    /// The rule's survivor, when the steward chose another.
    pub survivor_suggested: Option<RecordKey>,
    /// The members approved, each with the version the steward saw.
    pub members: Vec<(RecordKey, i64)>,
    /// The steward's picks, edits and survivor it was made with.
    pub choices: Choices,
}

/// What the rules suggested for a field the steward chose.
#[derive(Debug, Clone, PartialEq)]
pub struct Suggested {
    pub value: Option<String>,
    pub from: Vec<RecordKey>,
    pub rule: String,
}

impl Approval {
    /// Candidate `id`'s standing approval, if its standing decision is one (the same replay of the
    /// journal that gives candidates their status).
    pub fn standing(store: &Store, id: CandidateId) -> Result<Option<Approval>> {
        match standing_decision(store, id)? {
            Some(e) if Action::parse(&e.action) == Some(Action::Approve) => Approval::of(&e).map(Some),
            _ => Ok(None),
        }
    }

    /// Reads an approve entry's body; a broken body is an error naming the entry.
    pub fn of(entry: &JournalEntry) -> Result<Approval> {
        let seq = entry.seq;
        let value: Value = serde_json::from_str(&entry.body)
            .with_context(|| format!("journal entry {seq}: not an approval body"))?;
        let choices = choices_of(&value);
        let body = Body::deserialize(&value)
            .with_context(|| format!("journal entry {seq}: not an approval body"))?;
        let golden =
            body.golden.ok_or_else(|| anyhow!("journal entry {seq}: an approval without a golden record"))?;
        let read = || -> Result<Approval> {
            let mut suggested = BTreeMap::new();
            let mut fields = BTreeMap::new();
            for (name, f) in golden.fields {
                if let Some(s) = f.suggested {
                    suggested.insert(
                        name.clone(),
                        Suggested { value: s.value, from: keys(&s.from)?, rule: s.rule },
                    );
                }
                let value = GoldenValue {
                    value: f.value,
                    from: keys(&f.from)?,
                    rule: f.rule,
                    explanation: f.explanation,
                    conflict: f.conflict,
                };
                fields.insert(name, value);
            }
            let survivor = key(&golden.survivor.key)?;
            let members =
                body.members.iter().map(|m| Ok((key(&m.key)?, m.version))).collect::<Result<Vec<_>>>()?;
            if !members.iter().any(|(k, _)| *k == survivor) {
                bail!("the survivor {survivor} is not a member");
            }
            Ok(Approval {
                seq,
                steward: entry.steward.clone(),
                at: entry.at.clone(),
                note: body.note,
                golden: Golden { fields, survivor, survivor_reason: golden.survivor.reason },
                suggested,
                survivor_suggested: golden.survivor.suggested.as_deref().map(key).transpose()?,
                members,
                choices,
            })
        };
        read().with_context(|| format!("journal entry {seq}"))
    }

    /// True when the steward chose the survivor.
    pub fn survivor_by_steward(&self) -> bool {
        self.survivor_suggested.is_some()
    }

    /// How the members now differ from those approved: per key, the version approved and the
    /// version now (`None` for a record that is not a member on that side).
    pub fn changes(&self, now: &[(RecordKey, i64)]) -> Vec<(RecordKey, Option<i64>, Option<i64>)> {
        let then: BTreeMap<&RecordKey, i64> = self.members.iter().map(|(k, v)| (k, *v)).collect();
        let now_map: BTreeMap<&RecordKey, i64> = now.iter().map(|(k, v)| (k, *v)).collect();
        let mut keys: Vec<&RecordKey> = then.keys().chain(now_map.keys()).copied().collect();
        keys.sort();
        keys.dedup();
        keys.into_iter()
            .map(|k| (k.clone(), then.get(k).copied(), now_map.get(k).copied()))
            .filter(|(_, a, b)| a != b)
            .collect()
    }
}

fn key(text: &str) -> Result<RecordKey> {
    RecordKey::parse(text)
        .ok_or_else(|| anyhow!("`{}` is not a record key (source:id)", crate::text::visible(text)))
}

fn keys(list: &[String]) -> Result<Vec<RecordKey>> {
    list.iter().map(|k| key(k)).collect()
}

#[derive(Deserialize)]
struct Body {
    members: Vec<BodyMember>,
    golden: Option<BodyGolden>,
    #[serde(default)]
    note: Option<String>,
}

#[derive(Deserialize)]
struct BodyMember {
    key: String,
    version: i64,
}

#[derive(Deserialize)]
struct BodyGolden {
    fields: BTreeMap<String, BodyField>,
    survivor: BodySurvivor,
}

#[derive(Deserialize)]
struct BodyField {
    value: Option<String>,
    #[serde(default)]
    from: Vec<String>,
    rule: String,
    #[serde(default)]
    explanation: String,
    #[serde(default)]
    conflict: bool,
    #[serde(default)]
    suggested: Option<BodySuggested>,
}

#[derive(Deserialize)]
struct BodySuggested {
    value: Option<String>,
    #[serde(default)]
    from: Vec<String>,
    rule: String,
}

#[derive(Deserialize)]
struct BodySurvivor {
    key: String,
    #[serde(default)]
    reason: String,
    #[serde(default)]
    suggested: Option<String>,
}

#[cfg(test)]
mod tests {
    use super::*;

    fn entry(body: &str) -> JournalEntry {
        JournalEntry {
            seq: 12,
            at: "2026-05-01T10:00:00Z".into(),
            steward: "ana".into(),
            action: "approve".into(),
            candidate: Some(1),
            body: body.into(),
            prev_hash: String::new(),
            hash: String::new(),
            signature: None,
            public_key: None,
        }
    }

    const BODY: &str = r#"{"choices":{},"golden":{"fields":{"email":{"chosen_by":"rule","conflict":false,"explanation":"valid email","from":["salesforce:S1"],"rule":"valid_email","value":"a@x.example"},"phone":{"chosen_by":"steward","conflict":false,"explanation":"edited by the steward","from":[],"rule":"steward","suggested":{"from":["salesforce:S1"],"rule":"valid_phone","value":"+1 555"},"value":"+33 1"}},"survivor":{"chosen_by":"steward","key":"hubspot:H1","reason":"chosen by the steward","suggested":"salesforce:S1"}},"members":[{"key":"salesforce:S1","version":2},{"key":"hubspot:H1","version":1}],"note":"same","object":"contact"}"#;

    #[test]
    fn an_approval_reads_back_what_the_steward_approved() {
        let a = Approval::of(&entry(BODY)).unwrap();
        let k = |s: &str| RecordKey::parse(s).unwrap();
        assert_eq!((a.seq, a.steward.as_str(), a.note.as_deref()), (12, "ana", Some("same")));
        assert_eq!(a.golden.fields["phone"].value.as_deref(), Some("+33 1"));
        assert_eq!(a.golden.fields["phone"].rule, "steward");
        assert_eq!(a.golden.fields["email"].from, [k("salesforce:S1")]);
        assert_eq!(a.suggested["phone"].value.as_deref(), Some("+1 555"));
        assert!(!a.suggested.contains_key("email"));
        assert_eq!(
            (a.golden.survivor.clone(), a.survivor_suggested.clone()),
            (k("hubspot:H1"), Some(k("salesforce:S1")))
        );
        assert_eq!(a.changes(&[(k("hubspot:H1"), 1), (k("salesforce:S1"), 2)]), []);
        assert_eq!(
            a.changes(&[(k("hubspot:H1"), 2), (k("webform:7"), 1)]),
            [
                (k("hubspot:H1"), Some(1), Some(2)),
                (k("salesforce:S1"), Some(2), None),
                (k("webform:7"), None, Some(1))
            ]
        );
    }

    #[test]
    fn a_broken_body_names_its_entry() {
        for (body, says) in [
            ("{", "journal entry 12: not an approval body"),
            (r#"{"members":[]}"#, "journal entry 12: an approval without a golden record"),
            (
                &BODY.replace("\"hubspot:H1\",\"reason\"", "\"nokey\",\"reason\""),
                "`nokey` is not a record key",
            ),
            (
                &BODY.replace("\"hubspot:H1\",\"reason\"", "\"hubspot:H9\",\"reason\""),
                "the survivor hubspot:H9 is not a member",
            ),
        ] {
            let err = format!("{:#}", Approval::of(&entry(body)).unwrap_err());
            assert!(err.contains(says) && err.starts_with("journal entry 12"), "{err}");
        }
    }
}
