//! The input of the decision exports: an approved merge or a rejection, read from the body of the
//! journal entry that made it (the signed record of what the steward saw and chose). Pure: parses
//! text and answers questions about it; which entries to read is `select`'s business.
//! Strings borrow from the body text wherever JSON escapes allow: a million-decision export parses
//! a million bodies, and copying every value would cost more than reading it.

#[cfg(test)]
pub(crate) mod fixture;
mod parse;

pub use parse::{parse_approve, parse_approve_lineage, parse_reject};

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

    /// Each field under the name `to` gives it, or left out (`None`); still sorted by name.
    pub fn rename(&mut self, to: impl Fn(&str) -> Option<String>) {
        let pairs = std::mem::take(&mut self.0);
        *self = pairs.into_iter().filter_map(|(name, value)| Some((Cow::Owned(to(&name)?), value))).collect();
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

#[cfg(test)]
mod tests {
    use super::fixture::*;

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
