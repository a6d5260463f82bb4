//! The input of the decision exports: an approved merge or a rejection, read from the body of the
//! journal entry that made it (the signed record of what the steward saw and chose). Pure: parses
//! text and answers questions about it; which entries to read is `select`'s business.
//! Strings borrow from the body text wherever JSON escapes allow: a million-decision export parses
//! a million bodies, and copying every value would cost more than reading it.

use crate::json::{Pairs, Text};
use anyhow::{bail, Context, Result};
use std::borrow::Cow;
use std::fmt;

/// Who made a decision, when, and where it sits in the journal (borrowed from the batch of entries
/// that holds it).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DecisionMeta<'a> {
    /// The decision's journal sequence number.
    pub seq: i64,
    pub candidate: i64,
    /// RFC 3339 UTC.
    pub at: Cow<'a, str>,
    pub steward: Cow<'a, str>,
}

/// A record key as a decision body writes it, `source:id` (the id may hold `:`).
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Key<'a> {
    text: Cow<'a, str>,
    colon: usize,
}

impl<'a> Key<'a> {
    /// `None` unless the text is `source:id` with both parts non-empty.
    pub fn parse(text: impl Into<Cow<'a, str>>) -> Option<Key<'a>> {
        let text = text.into();
        let colon = text.find(':')?;
        (colon > 0 && colon + 1 < text.len()).then_some(Key { text, colon })
    }

    pub fn source(&self) -> &str {
        &self.text[..self.colon]
    }

    pub fn id(&self) -> &str {
        &self.text[self.colon + 1..]
    }

    /// `source:id`
    pub fn as_str(&self) -> &str {
        &self.text
    }
}

impl fmt::Display for Key<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.text)
    }
}

impl Ord for Key<'_> {
    /// By source, then id (as `RecordKey` orders).
    fn cmp(&self, other: &Self) -> std::cmp::Ordering {
        (self.source(), self.id()).cmp(&(other.source(), other.id()))
    }
}

impl PartialOrd for Key<'_> {
    fn partial_cmp(&self, other: &Self) -> Option<std::cmp::Ordering> {
        Some(self.cmp(other))
    }
}

/// A record's field values, sorted by name; a missing value is absent. (A sorted list rather
/// than a map: bodies are canonical JSON, so the values arrive sorted and cost no tree to keep.)
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Values<'a>(Vec<(Cow<'a, str>, Cow<'a, str>)>);

impl<'a> Values<'a> {
    pub fn get(&self, field: &str) -> Option<&str> {
        let i = self.0.binary_search_by(|(name, _)| (**name).cmp(field)).ok()?;
        Some(&self.0[i].1)
    }

    pub fn contains_key(&self, field: &str) -> bool {
        self.get(field).is_some()
    }

    /// Removes a field (tests shape fixtures with it).
    pub fn remove(&mut self, field: &str) {
        self.0.retain(|(name, _)| name != field);
    }
}

impl<'a> FromIterator<(Cow<'a, str>, Cow<'a, str>)> for Values<'a> {
    fn from_iter<I: IntoIterator<Item = (Cow<'a, str>, Cow<'a, str>)>>(iter: I) -> Self {
        let mut pairs: Vec<_> = iter.into_iter().collect();
        if !pairs.is_sorted_by(|a, b| a.0 < b.0) {
            pairs.sort_by(|a, b| a.0.cmp(&b.0));
            pairs.dedup_by(|a, b| a.0 == b.0);
        }
        Values(pairs)
    }
}

/// A member record as the decision saw it, or as the workspace holds it now when an import has
/// changed it since (see `decisions::Current`): the values a CRM holds before the merge.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Member<'a> {
    pub key: Key<'a>,
    /// The record version these values belong to.
    pub version: i64,
    pub fields: Values<'a>,
}

impl Member<'_> {
    pub fn get(&self, field: &str) -> Option<&str> {
        self.fields.get(field)
    }
}

/// One field of the approved golden record.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GoldenField<'a> {
    pub name: Cow<'a, str>,
    /// `None`: the golden record holds no value (the CRM field is cleared).
    pub value: Option<Cow<'a, str>>,
    /// The member records the value came from (none for a steward's own value).
    pub from: Vec<Key<'a>>,
    /// The survivorship strategy that chose it, or `steward`.
    pub rule: Cow<'a, str>,
}

/// An approved candidate: the survivor whose CRM id is kept, the members in the decision's order,
/// and the golden record, field by field in name order.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ApprovedMerge<'a> {
    pub meta: DecisionMeta<'a>,
    pub object: Cow<'a, str>,
    pub survivor: Key<'a>,
    pub members: Vec<Member<'a>>,
    pub golden: Vec<GoldenField<'a>>,
}

/// A rejected candidate: its members are not duplicates of one another.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Rejection<'a> {
    pub meta: DecisionMeta<'a>,
    pub object: Cow<'a, str>,
    pub members: Vec<Key<'a>>,
    pub note: Option<Cow<'a, str>>,
}

/// A field to set on the survivor: its name and value (`None` = clear it).
pub type Change<'b> = (&'b str, Option<&'b str>);

impl<'a> ApprovedMerge<'a> {
    /// The survivor's member entry (its current values).
    pub fn survivor_member(&self) -> &Member<'a> {
        self.members
            .iter()
            .find(|m| m.key == self.survivor)
            .expect("checked when parsed: the survivor is a member")
    }

    /// The members merged into the survivor, in the decision's order.
    pub fn merged(&self) -> impl Iterator<Item = &Member<'a>> {
        self.members.iter().filter(move |m| m.key != self.survivor)
    }

    /// The golden values the survivor does not already hold, in field order (`None` = clear it).
    pub fn survivor_changes(&self) -> Vec<Change<'_>> {
        let survivor = self.survivor_member();
        self.golden
            .iter()
            .filter(|g| survivor.get(&g.name) != g.value.as_deref())
            .map(|g| (&*g.name, g.value.as_deref()))
            .collect()
    }

    /// `survivor_changes` plus an explicit clear of every field the golden record leaves empty but
    /// a merged member holds: for CRMs that fill the survivor's empty fields from the records
    /// merged into it (Dataverse, HubSpot), so a value the steward removed cannot come back.
    pub fn survivor_changes_guarded(&self) -> Vec<Change<'_>> {
        let survivor = self.survivor_member();
        self.golden
            .iter()
            .filter(|g| {
                let differs = survivor.get(&g.name) != g.value.as_deref();
                let refill = g.value.is_none() && self.merged().any(|m| m.fields.contains_key(&g.name));
                differs || refill
            })
            .map(|g| (&*g.name, g.value.as_deref()))
            .collect()
    }
}

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
pub(crate) mod fixture {
    //! Approved merges built by hand, for the renderers' tests.
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
        let fields =
            fields.iter().map(|(k, v)| (Cow::Owned(k.to_string()), Cow::Owned(v.to_string()))).collect();
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
                member(
                    &key(1),
                    &[("email", "ana@old.example"), ("first_name", "Ana"), ("fax", "+1 555 0100")],
                ),
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
