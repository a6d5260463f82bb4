//! The input of the decision exports: an approved merge or a rejection, read from the body of the
//! journal entry that made it (the signed record of what the steward saw and chose). Pure: parses
//! text and answers questions about it; which entries to read is `select`'s business.

use crate::model::{Fields, RecordKey};
use anyhow::{anyhow, bail, Context, Result};
use serde::Deserialize;
use std::collections::BTreeMap;

/// Who made a decision, when, and where it sits in the journal.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DecisionMeta {
    /// The decision's journal sequence number.
    pub seq: i64,
    pub candidate: i64,
    /// RFC 3339 UTC.
    pub at: String,
    pub steward: String,
}

/// A member record as the decision saw it, or as the workspace holds it now when an import has
/// changed it since (see `select`): the values a CRM holds before the merge.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Member {
    pub key: RecordKey,
    /// The record version these fields belong to.
    pub version: i64,
    pub fields: Fields,
}

/// One field of the approved golden record.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GoldenField {
    pub name: String,
    /// `None`: the golden record holds no value (the CRM field is cleared).
    pub value: Option<String>,
    /// The member records the value came from (none for a steward's own value).
    pub from: Vec<RecordKey>,
    /// The survivorship strategy that chose it, or `steward`.
    pub rule: String,
}

/// An approved candidate: the survivor whose CRM id is kept, the members in the decision's order,
/// and the golden record, field by field in name order.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ApprovedMerge {
    pub meta: DecisionMeta,
    pub object: String,
    pub survivor: RecordKey,
    pub members: Vec<Member>,
    pub golden: Vec<GoldenField>,
}

/// A rejected candidate: its members are not duplicates of one another.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Rejection {
    pub meta: DecisionMeta,
    pub object: String,
    pub members: Vec<RecordKey>,
    pub note: Option<String>,
}

impl ApprovedMerge {
    /// The survivor's member entry (its current values).
    pub fn survivor_member(&self) -> &Member {
        self.members
            .iter()
            .find(|m| m.key == self.survivor)
            .expect("checked when parsed: the survivor is a member")
    }

    /// The members merged into the survivor, in the decision's order.
    pub fn merged(&self) -> impl Iterator<Item = &Member> {
        self.members.iter().filter(move |m| m.key != self.survivor)
    }

    /// True when every member comes from `source`: only then can that CRM merge them.
    pub fn all_from(&self, source: &str) -> bool {
        self.members.iter().all(|m| m.key.source == source)
    }

    /// The golden values the survivor does not already hold, in field order (`None` = clear it).
    pub fn survivor_changes(&self) -> Vec<(&str, Option<&str>)> {
        let holds = &self.survivor_member().fields;
        self.golden
            .iter()
            .filter(|g| holds.get(&g.name).map(String::as_str) != g.value.as_deref())
            .map(|g| (g.name.as_str(), g.value.as_deref()))
            .collect()
    }

    /// `survivor_changes` plus an explicit clear of every field the golden record leaves empty but
    /// a merged member holds: for CRMs that fill the survivor's empty fields from the records
    /// merged into it (Dataverse, HubSpot), so a value the steward removed cannot come back.
    pub fn survivor_changes_guarded(&self) -> Vec<(&str, Option<&str>)> {
        let holds = &self.survivor_member().fields;
        self.golden
            .iter()
            .filter(|g| {
                let differs = holds.get(&g.name).map(String::as_str) != g.value.as_deref();
                let refill = g.value.is_none() && self.merged().any(|m| m.fields.contains_key(&g.name));
                differs || refill
            })
            .map(|g| (g.name.as_str(), g.value.as_deref()))
            .collect()
    }
}

#[derive(Deserialize)]
struct BodyMember {
    key: String,
    version: i64,
    #[serde(default)]
    fields: Fields,
}

#[derive(Deserialize)]
struct BodyGoldenField {
    value: Option<String>,
    #[serde(default)]
    from: Vec<String>,
    rule: String,
}

#[derive(Deserialize)]
struct BodySurvivor {
    key: String,
}

#[derive(Deserialize)]
struct BodyGolden {
    fields: BTreeMap<String, BodyGoldenField>,
    survivor: BodySurvivor,
}

#[derive(Deserialize)]
struct Body {
    object: String,
    members: Vec<BodyMember>,
    golden: Option<BodyGolden>,
    #[serde(default)]
    note: Option<String>,
}

fn key(text: &str) -> Result<RecordKey> {
    RecordKey::parse(text)
        .ok_or_else(|| anyhow!("`{}` is not a record key (source:id)", crate::text::visible(text)))
}

fn body(meta: &DecisionMeta, text: &str) -> Result<Body> {
    serde_json::from_str(text).with_context(|| format!("journal entry {}: not a decision body", meta.seq))
}

/// Reads an approve entry's body.
pub fn parse_approve(meta: DecisionMeta, text: &str) -> Result<ApprovedMerge> {
    let b = body(&meta, text)?;
    let seq = meta.seq;
    let in_entry = || format!("journal entry {seq}");
    let golden =
        b.golden.with_context(|| format!("journal entry {seq}: an approval without a golden record"))?;
    let members = b
        .members
        .into_iter()
        .map(|m| Ok(Member { key: key(&m.key)?, version: m.version, fields: m.fields }))
        .collect::<Result<Vec<_>>>()
        .with_context(in_entry)?;
    let survivor = key(&golden.survivor.key).with_context(in_entry)?;
    if !members.iter().any(|m| m.key == survivor) {
        bail!("journal entry {seq}: the survivor {survivor} is not a member");
    }
    let golden = golden
        .fields
        .into_iter()
        .map(|(name, f)| {
            let from = f.from.iter().map(|k| key(k)).collect::<Result<_>>()?;
            Ok(GoldenField { name, value: f.value, from, rule: f.rule })
        })
        .collect::<Result<Vec<_>>>()
        .with_context(in_entry)?;
    Ok(ApprovedMerge { meta, object: b.object, survivor, members, golden })
}

/// Reads a reject entry's body.
pub fn parse_reject(meta: DecisionMeta, text: &str) -> Result<Rejection> {
    let b = body(&meta, text)?;
    let members = b.members.iter().map(|m| key(&m.key)).collect::<Result<_>>();
    let members = members.with_context(|| format!("journal entry {}", meta.seq))?;
    Ok(Rejection { meta, object: b.object, members, note: b.note })
}

#[cfg(test)]
pub(crate) mod fixture {
    //! Approved merges built by hand, for the renderers' tests.
    use super::*;

    pub fn meta(seq: i64) -> DecisionMeta {
        DecisionMeta { seq, candidate: seq * 10, at: "2026-05-01T10:00:00Z".into(), steward: "ana".into() }
    }

    pub fn member(key: &str, fields: &[(&str, &str)]) -> Member {
        let fields = fields.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect();
        Member { key: RecordKey::parse(key).unwrap(), version: 1, fields }
    }

    /// `(name, value, from, rule)`
    pub fn golden(fields: &[(&str, Option<&str>, &[&str], &str)]) -> Vec<GoldenField> {
        fields
            .iter()
            .map(|(name, value, from, rule)| GoldenField {
                name: name.to_string(),
                value: value.map(str::to_string),
                from: from.iter().map(|k| RecordKey::parse(k).unwrap()).collect(),
                rule: rule.to_string(),
            })
            .collect()
    }

    /// A five-contact cluster in one source; the survivor `src:1` holds some golden values already.
    pub fn cluster5(source: &str) -> ApprovedMerge {
        let k = |i: u32| format!("{source}:{i}");
        ApprovedMerge {
            meta: meta(42),
            object: "contact".into(),
            survivor: RecordKey::new(source, "1"),
            members: vec![
                member(&k(1), &[("email", "ana@old.example"), ("first_name", "Ana"), ("fax", "+1 555 0100")]),
                member(&k(2), &[("email", "ana@acme.example"), ("first_name", "Ana")]),
                member(&k(3), &[("phone", "+1 555 0199"), ("first_name", "Anna")]),
                member(&k(4), &[("first_name", "Ana"), ("city", "Lisbon")]),
                member(&k(5), &[("first_name", "A.")]),
            ],
            golden: golden(&[
                ("city", Some("Lisbon"), &[&k(4)], "non_empty"),
                ("email", Some("ana@acme.example"), &[&k(2)], "valid_email"),
                ("fax", None, &[], "steward"),
                ("first_name", Some("Ana"), &[&k(1)], "most_frequent"),
                ("phone", Some("+1 555 0199"), &[&k(3)], "valid_phone"),
            ]),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::fixture::*;
    use super::*;

    const BODY: &str = r#"{"choices":{},"golden":{"fields":{"email":{"chosen_by":"steward","conflict":false,"explanation":"picked","from":["hubspot:H1"],"rule":"steward","value":"a@x.example"},"fax":{"chosen_by":"steward","conflict":false,"explanation":"edited","from":[],"rule":"steward","value":null}},"survivor":{"chosen_by":"rule","key":"salesforce:S1","reason":"oldest"}},"members":[{"created":null,"fields":{"email":"old@x.example","fax":"1"},"key":"salesforce:S1","updated":null,"version":2},{"created":null,"fields":{"email":"a@x.example"},"key":"hubspot:H1","updated":null,"version":1}],"note":"same","object":"contact","score":"0.9","seen":"2.1","status_after":"approved","status_before":"pending"}"#;

    #[test]
    fn an_approval_body_reads_into_a_merge() {
        let m = parse_approve(meta(7), BODY).unwrap();
        assert_eq!(m.object, "contact");
        assert_eq!(m.survivor, RecordKey::new("salesforce", "S1"));
        assert_eq!(
            m.members.iter().map(|m| (m.key.to_string(), m.version)).collect::<Vec<_>>(),
            [("salesforce:S1".to_string(), 2), ("hubspot:H1".to_string(), 1)]
        );
        assert_eq!(
            m.golden,
            golden(&[
                ("email", Some("a@x.example"), &["hubspot:H1"], "steward"),
                ("fax", None, &[], "steward")
            ])
        );
        assert_eq!(m.merged().map(|m| m.key.to_string()).collect::<Vec<_>>(), ["hubspot:H1"]);
        assert!(!m.all_from("salesforce"));
    }

    #[test]
    fn a_rejection_body_reads_its_members_and_note() {
        let r = parse_reject(meta(8), BODY).unwrap();
        assert_eq!(r.members, [RecordKey::new("salesforce", "S1"), RecordKey::new("hubspot", "H1")]);
        assert_eq!(r.note.as_deref(), Some("same"));
    }

    #[test]
    fn broken_bodies_name_their_entry() {
        let cases = [
            ("not json", "journal entry 9: not a decision body"),
            (r#"{"object":"contact","members":[{"key":"a:1","version":1}]}"#, "without a golden record"),
            (
                r#"{"object":"c","members":[{"key":"a:1","version":1}],"golden":{"fields":{},"survivor":{"key":"a:2"}}}"#,
                "the survivor a:2 is not a member",
            ),
            (
                r#"{"object":"c","members":[{"key":"nokey","version":1}],"golden":{"fields":{},"survivor":{"key":"a:1"}}}"#,
                "`nokey` is not a record key",
            ),
        ];
        for (body, want) in cases {
            let err = format!("{:#}", parse_approve(meta(9), body).unwrap_err());
            assert!(err.contains(want), "{body}: {err}");
        }
    }

    #[test]
    fn changes_are_what_the_survivor_does_not_hold() {
        let m = cluster5("sf");
        assert_eq!(
            m.survivor_changes(),
            [
                ("city", Some("Lisbon")),
                ("email", Some("ana@acme.example")),
                ("fax", None),
                ("phone", Some("+1 555 0199"))
            ]
        );
        // The guard adds a clear of a field the survivor lacks but a merged record holds.
        let mut m = cluster5("sf");
        m.golden[0].value = None; // city: held only by sf:4
        assert_eq!(m.survivor_changes().first(), Some(&("email", Some("ana@acme.example"))));
        assert_eq!(m.survivor_changes_guarded().first(), Some(&("city", None)));
    }
}
