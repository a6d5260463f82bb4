//! Reading a decision body: the serde shapes of the journal's JSON (borrowing its strings), the
//! full read for the CRM plans and the keys-only read for the golden exports, and the checks that
//! name the entry when a body is broken. Apart from `plan`, whose types the renderers use without
//! caring where they came from.

use super::{ApprovedMerge, DecisionMeta, GoldenField, Key, Member, Rejection, Values};
use crate::json::{Pairs, Text};
use anyhow::{bail, Context, Result};

#[derive(serde::Deserialize)]
struct BodyMember<'a> {
    #[serde(borrow)]
    key: Text<'a>,
    version: i64,
    #[serde(default, borrow)]
    fields: Pairs<'a, Text<'a>>,
}

#[derive(serde::Deserialize)]
struct BodyGoldenField<'a> {
    #[serde(borrow)]
    value: Option<Text<'a>>,
    #[serde(default, borrow)]
    from: Vec<Text<'a>>,
    #[serde(borrow)]
    rule: Text<'a>,
}

#[derive(serde::Deserialize)]
struct BodySurvivor<'a> {
    #[serde(borrow)]
    key: Text<'a>,
}

#[derive(serde::Deserialize)]
struct BodyGolden<'a> {
    #[serde(borrow)]
    fields: Pairs<'a, BodyGoldenField<'a>>,
    #[serde(borrow)]
    survivor: BodySurvivor<'a>,
}

#[derive(serde::Deserialize)]
struct Body<'a> {
    #[serde(borrow)]
    object: Text<'a>,
    #[serde(borrow)]
    members: Vec<BodyMember<'a>>,
    #[serde(borrow)]
    golden: Option<BodyGolden<'a>>,
    #[serde(default, borrow)]
    note: Option<Text<'a>>,
}

/// A body read for the golden exports: members' keys only (their values are not needed there, and
/// skipping them spares most of a body's strings).
#[derive(serde::Deserialize)]
struct LineageBody<'a> {
    #[serde(borrow)]
    object: Text<'a>,
    #[serde(borrow)]
    members: Vec<MemberKey<'a>>,
    #[serde(borrow)]
    golden: Option<BodyGolden<'a>>,
}

#[derive(serde::Deserialize)]
struct MemberKey<'a> {
    #[serde(borrow)]
    key: Text<'a>,
    version: i64,
}

fn key(text: Text) -> Result<Key> {
    match Key::parse(text.0.clone()) {
        Some(key) => Ok(key),
        None => bail!("`{}` is not a record key (source:id)", crate::text::visible(&text.0)),
    }
}

fn body<'a>(meta: &DecisionMeta, text: &'a str) -> Result<Body<'a>> {
    serde_json::from_str(text).with_context(|| format!("journal entry {}: not a decision body", meta.seq))
}
/// Reads an approve entry's body; the merge borrows from `text`.
pub fn parse_approve<'a>(meta: DecisionMeta<'a>, text: &'a str) -> Result<ApprovedMerge<'a>> {
    let b = body(&meta, text)?;
    let members = b.members.into_iter().map(|m| {
        let fields: Values = m.fields.0.into_iter().map(|(k, v)| (k.0, v.0)).collect();
        Ok(Member { key: key(m.key)?, version: m.version, fields })
    });
    approved(meta, b.object, members, b.golden)
}

/// Reads an approve entry's body for the golden exports: like `parse_approve`, but the members'
/// values are left empty (only their keys are read).
pub fn parse_approve_lineage<'a>(meta: DecisionMeta<'a>, text: &'a str) -> Result<ApprovedMerge<'a>> {
    let b: LineageBody = serde_json::from_str(text)
        .with_context(|| format!("journal entry {}: not a decision body", meta.seq))?;
    let members = b
        .members
        .into_iter()
        .map(|m| Ok(Member { key: key(m.key)?, version: m.version, fields: Values::default() }));
    approved(meta, b.object, members, b.golden)
}

fn approved<'a>(
    meta: DecisionMeta<'a>,
    object: Text<'a>,
    members: impl Iterator<Item = Result<Member<'a>>>,
    golden: Option<BodyGolden<'a>>,
) -> Result<ApprovedMerge<'a>> {
    let seq = meta.seq;
    let in_entry = || format!("journal entry {seq}");
    let golden =
        golden.with_context(|| format!("journal entry {seq}: an approval without a golden record"))?;
    let members = members.collect::<Result<Vec<_>>>().with_context(in_entry)?;
    let survivor = key(golden.survivor.key).with_context(in_entry)?;
    if !members.iter().any(|m| m.key == survivor) {
        bail!("journal entry {seq}: the survivor {survivor} is not a member");
    }
    let mut golden = golden
        .fields
        .0
        .into_iter()
        .map(|(name, f)| {
            let from = f.from.into_iter().map(key).collect::<Result<_>>()?;
            Ok(GoldenField { name: name.0, value: f.value.map(|v| v.0), from, rule: f.rule.0 })
        })
        .collect::<Result<Vec<_>>>()
        .with_context(in_entry)?;
    // Journal bodies are canonical (keys sorted), but a body is not trusted to be.
    if !golden.is_sorted_by(|a, b| a.name < b.name) {
        golden.sort_by(|a, b| a.name.cmp(&b.name));
    }
    Ok(ApprovedMerge { meta, object: object.0, survivor, members, golden })
}

/// Reads a reject entry's body.
pub fn parse_reject<'a>(meta: DecisionMeta<'a>, text: &'a str) -> Result<Rejection<'a>> {
    let b = body(&meta, text)?;
    let members = b.members.into_iter().map(|m| key(m.key)).collect::<Result<_>>();
    let members = members.with_context(|| format!("journal entry {}", meta.seq))?;
    Ok(Rejection { meta, object: b.object.0, members, note: b.note.map(|n| n.0) })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::export::plan::fixture::*;

    const BODY: &str = r#"{"choices":{},"golden":{"fields":{"email":{"chosen_by":"steward","conflict":false,"explanation":"picked","from":["hubspot:H1"],"rule":"steward","value":"a@x.example"},"fax":{"chosen_by":"steward","conflict":false,"explanation":"edited","from":[],"rule":"steward","value":null}},"survivor":{"chosen_by":"rule","key":"salesforce:S1","reason":"oldest"}},"members":[{"created":null,"fields":{"email":"old@x.example","fax":"1"},"key":"salesforce:S1","updated":null,"version":2},{"created":null,"fields":{"email":"a@x.example"},"key":"hubspot:H1","updated":null,"version":1}],"note":"same","object":"contact","score":"0.9","seen":"2.1","status_after":"approved","status_before":"pending"}"#;

    #[test]
    fn an_approval_body_reads_into_a_merge() {
        let m = parse_approve(meta(7), BODY).unwrap();
        assert_eq!(m.object, "contact");
        assert_eq!((m.survivor.source(), m.survivor.id()), ("salesforce", "S1"));
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
        let sources = m.members.iter().map(|m| m.key.source());
        let left = crate::export::crm::Crm::Salesforce.leaves_out("salesforce", &m.object, sources);
        assert_eq!(left, Some(crate::export::crm::LeftOut::OtherSource));
    }

    #[test]
    fn the_lineage_read_is_the_full_read_without_member_values() {
        let mut full = parse_approve(meta(7), BODY).unwrap();
        for m in &mut full.members {
            m.fields = Values::default();
        }
        assert_eq!(parse_approve_lineage(meta(7), BODY).unwrap(), full);
        let err = format!("{:#}", parse_approve_lineage(meta(9), "[]").unwrap_err());
        assert!(err.contains("journal entry 9: not a decision body"), "{err}");
    }

    #[test]
    fn escaped_strings_are_read_as_text() {
        let body = BODY
            .replace(r#""a@x.example"}"#, r#""a\"b\u00e9\n"}"#)
            .replace("hubspot:H1", r#"hub\u0073pot:H1"#);
        let m = parse_approve(meta(7), &body).unwrap();
        assert_eq!(m.members[1].key.source(), "hubspot");
        assert_eq!(m.members[1].get("email"), Some("a\"bé\n"));
        assert_eq!(m.golden[0].from, [k("hubspot:H1")]);
    }

    #[test]
    fn a_rejection_body_reads_its_members_and_note() {
        let r = parse_reject(meta(8), BODY).unwrap();
        assert_eq!(r.members, [k("salesforce:S1"), k("hubspot:H1")]);
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
}
