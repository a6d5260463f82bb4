//! What the four CRM plans share: the names of the CRMs and their objects, JSON Lines output, field
//! maps, and URL path segments. Pure: no I/O.

use super::plan::ApprovedMerge;
use anyhow::{bail, Result};
use serde::ser::{Serialize, SerializeMap, Serializer};
use std::borrow::Cow;

/// A CRM that mergeq writes merge plans for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Crm {
    Salesforce,
    HubSpot,
    Dynamics,
    Zoho,
}

/// Why a CRM's merge plan leaves an approved candidate out.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LeftOut {
    /// A member comes from another source: the CRM does not hold that record.
    OtherSource,
    /// The CRM cannot merge records of this object.
    Unmergeable,
}

impl Crm {
    pub const ALL: [Crm; 4] = [Crm::Salesforce, Crm::HubSpot, Crm::Dynamics, Crm::Zoho];

    /// The export format name, which is also the workspace source that holds its records by default.
    pub fn name(self) -> &'static str {
        match self {
            Crm::Salesforce => "salesforce",
            Crm::HubSpot => "hubspot",
            Crm::Dynamics => "dynamics",
            Crm::Zoho => "zoho",
        }
    }

    /// The CRM's own name, for messages.
    pub fn title(self) -> &'static str {
        match self {
            Crm::Salesforce => "Salesforce",
            Crm::HubSpot => "HubSpot",
            Crm::Dynamics => "Dataverse",
            Crm::Zoho => "Zoho",
        }
    }

    pub fn parse(format: &str) -> Option<Crm> {
        Crm::ALL.into_iter().find(|c| c.name() == format)
    }

    /// This CRM's name for a workspace object, or `None` when the CRM cannot merge that object.
    pub fn object_name(self, object: &str) -> Option<Cow<'_, str>> {
        let known = match (self, object) {
            (Crm::Salesforce, "account") => "Account",
            (Crm::Salesforce, "contact") => "Contact",
            (Crm::Salesforce, "lead") => "Lead",
            (Crm::Salesforce, _) => return None,
            (Crm::HubSpot, "account" | "company") => "companies",
            (Crm::HubSpot, "contact" | "lead") => "contacts",
            (Crm::HubSpot, "opportunity" | "deal") => "deals",
            (Crm::HubSpot, "ticket") => "tickets",
            // A custom object: the workspace calls it by its HubSpot object type.
            (Crm::HubSpot, other) => return Some(Cow::Owned(other.to_string())),
            (Crm::Dynamics, "account") => "account",
            (Crm::Dynamics, "contact") => "contact",
            (Crm::Dynamics, "lead") => "lead",
            (Crm::Dynamics, "incident") => "incident",
            (Crm::Dynamics, _) => return None,
            (Crm::Zoho, "account") => "Accounts",
            (Crm::Zoho, "contact") => "Contacts",
            (Crm::Zoho, "lead") => "Leads",
            (Crm::Zoho, "opportunity" | "deal") => "Deals",
            (Crm::Zoho, "vendor") => "Vendors",
            // A custom module: the workspace calls it by its Zoho API name.
            (Crm::Zoho, other) => return Some(Cow::Owned(other.to_string())),
        };
        Some(Cow::Borrowed(known))
    }

    /// The workspace source that holds this CRM's records: `--source` when given, else its name.
    pub fn records_source(self, given: Option<&str>) -> &str {
        given.unwrap_or(self.name())
    }

    /// The one rule of what a merge plan for this CRM carries (DESIGN, "Exports to a CRM"): an
    /// approved candidate of `object` whose members all come from `source` (the workspace source
    /// of this CRM's records), when the CRM can merge that object. `None`: the plan carries it.
    pub fn leaves_out<'m>(
        self,
        source: &str,
        object: &str,
        mut member_sources: impl Iterator<Item = &'m str>,
    ) -> Option<LeftOut> {
        if !member_sources.all(|s| s == source) {
            Some(LeftOut::OtherSource)
        } else if self.object_name(object).is_none() {
            Some(LeftOut::Unmergeable)
        } else {
            None
        }
    }

    /// The golden values this CRM's plan sends for one approved merge: those the survivor does
    /// not hold, and for the CRMs that fill the survivor's empty fields from the merged records
    /// (HubSpot, Dataverse) also a clear of each field the golden record leaves empty but a
    /// merged record holds.
    pub fn changes<'m>(self, m: &'m ApprovedMerge) -> Vec<Change<'m>> {
        match self {
            Crm::Salesforce | Crm::Zoho => m.survivor_changes(),
            Crm::HubSpot | Crm::Dynamics => m.survivor_changes_guarded(),
        }
    }

    /// Appends the JSON Lines that apply one approved merge in this CRM; returns how many.
    /// The caller has checked that the plan carries it (`leaves_out`).
    pub fn render(self, m: &ApprovedMerge, out: &mut Vec<u8>) -> Result<u64> {
        let Some(object) = self.object_name(&m.object) else {
            bail!("{} cannot merge `{}` records", self.name(), crate::text::visible(&m.object))
        };
        match self {
            Crm::Salesforce => super::salesforce::render(m, &object, out),
            Crm::HubSpot => super::hubspot::render(m, &object, out),
            Crm::Dynamics => super::dynamics::render(m, &object, out),
            Crm::Zoho => super::zoho::render(m, &object, out),
        }
    }
}

pub use super::plan::Change;

/// Field values serialised as one JSON object, in the given order; `clear` is what a `None` becomes.
pub struct FieldMap<'a> {
    pub fields: &'a [Change<'a>],
    pub clear: Option<&'a str>,
}

impl Serialize for FieldMap<'_> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let mut map = s.serialize_map(Some(self.fields.len()))?;
        for (name, value) in self.fields {
            map.serialize_entry(name, &value.or(self.clear))?;
        }
        map.end()
    }
}

/// Refuses a golden field whose name the line itself uses (an id or a type marker).
pub fn check_reserved(crm: Crm, changes: &[Change], reserved: &[&str]) -> Result<()> {
    if let Some((name, _)) = changes.iter().find(|(n, _)| reserved.contains(n)) {
        bail!(
            "the golden field `{}` cannot be set in a {} merge: the merge call uses that name itself",
            crate::text::visible(name),
            crm.name()
        );
    }
    Ok(())
}

/// Writes one value as a JSON line.
pub fn line(out: &mut Vec<u8>, value: &impl Serialize) -> Result<()> {
    serde_json::to_writer(&mut *out, value)?;
    out.push(b'\n');
    Ok(())
}

/// An id made safe to put in a URL path (RFC 3986 unreserved characters kept, the rest %XX).
pub fn path_segment(id: &str) -> Cow<'_, str> {
    let keep = |b: u8| b.is_ascii_alphanumeric() || matches!(b, b'-' | b'.' | b'_' | b'~');
    if id.bytes().all(keep) {
        return Cow::Borrowed(id);
    }
    let mut out = String::with_capacity(id.len() * 3);
    for b in id.bytes() {
        if keep(b) {
            out.push(b as char);
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    Cow::Owned(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_plan_carries_only_its_own_records_of_objects_it_can_merge() {
        let sf = Crm::Salesforce;
        let cases = [
            ("salesforce", "contact", vec!["salesforce", "salesforce"], None),
            ("salesforce", "contact", vec!["salesforce", "hubspot"], Some(LeftOut::OtherSource)),
            ("salesforce", "opportunity", vec!["salesforce", "salesforce"], Some(LeftOut::Unmergeable)),
            // --source names the workspace source of the CRM's records.
            ("sfdc", "contact", vec!["sfdc", "sfdc"], None),
            ("sfdc", "contact", vec!["salesforce", "sfdc"], Some(LeftOut::OtherSource)),
        ];
        for (source, object, members, want) in cases {
            assert_eq!(sf.leaves_out(source, object, members.into_iter()), want, "{source} {object}");
        }
        assert_eq!(sf.records_source(None), "salesforce");
        assert_eq!(sf.records_source(Some("sfdc")), "sfdc");
    }

    #[test]
    fn object_names() {
        let cases = [
            (Crm::Salesforce, "account", Some("Account")),
            (Crm::Salesforce, "contact", Some("Contact")),
            (Crm::Salesforce, "lead", Some("Lead")),
            (Crm::Salesforce, "opportunity", None),
            (Crm::HubSpot, "account", Some("companies")),
            (Crm::HubSpot, "contact", Some("contacts")),
            (Crm::HubSpot, "lead", Some("contacts")),
            (Crm::HubSpot, "2-1234567", Some("2-1234567")),
            (Crm::Dynamics, "account", Some("account")),
            (Crm::Dynamics, "contact", Some("contact")),
            (Crm::Dynamics, "lead", Some("lead")),
            (Crm::Dynamics, "opportunity", None),
            (Crm::Zoho, "account", Some("Accounts")),
            (Crm::Zoho, "contact", Some("Contacts")),
            (Crm::Zoho, "lead", Some("Leads")),
            (Crm::Zoho, "Invoices_X", Some("Invoices_X")),
        ];
        for (crm, object, want) in cases {
            assert_eq!(crm.object_name(object).as_deref(), want, "{crm:?} {object}");
        }
    }

    #[test]
    fn path_segments_are_escaped() {
        let cases = [("1234", "1234"), ("a b/c", "a%20b%2Fc"), ("x?y#z", "x%3Fy%23z"), ("é", "%C3%A9")];
        for (id, want) in cases {
            assert_eq!(path_segment(id), want);
        }
    }

    #[test]
    fn field_maps_keep_order_and_write_clears() {
        let fields = [("b", Some("1")), ("a", None)];
        let as_null = serde_json::to_string(&FieldMap { fields: &fields, clear: None }).unwrap();
        assert_eq!(as_null, r#"{"b":"1","a":null}"#);
        let as_empty = serde_json::to_string(&FieldMap { fields: &fields, clear: Some("") }).unwrap();
        assert_eq!(as_empty, r#"{"b":"1","a":""}"#);
    }
}
