//! The HubSpot merge plan. HubSpot merges exactly two records per call, gives the result a new id
//! and resolves both old ids to it, and keeps the primary's latest values (filling its empty
//! properties from the other record), so a cluster becomes one property update on the survivor
//! *before* the merges, setting the golden values it does not hold (a golden `None` becomes `""`,
//! HubSpot's way to clear a property), then one merge per merged record, each naming the
//! survivor's original id as the primary. The update goes first so that a property HubSpot
//! refuses stops the plan before anything irreversible has happened.
//!
//! What a merge could undo follows in a second update after the merges, only when needed: a field
//! the golden record leaves empty but a merged record holds (the merge would fill it again), and,
//! for contacts, an e-mail address a merged contact holds (HubSpot keeps e-mail addresses unique
//! among contacts, so the survivor can take it only once the other contact is merged into it).
//!
//! Lines (each says the call it maps to):
//! `{"method":"PATCH","path":"/crm/v3/objects/contacts/…","objectType":"contacts","objectId":"…","body":{"properties":{…}}}`
//! `{"method":"POST","path":"/crm/v3/objects/contacts/merge","objectType":"contacts","body":{"primaryObjectId":"…","objectIdToMerge":"…"}}`
//! `{"method":"PATCH", … the properties a merge could undo}`

use super::crm::{check_reserved, line, path_segment, Change, Crm, FieldMap};
use super::plan::ApprovedMerge;
use anyhow::Result;
use serde::Serialize;

#[derive(Serialize)]
struct MergeBody<'a> {
    #[serde(rename = "primaryObjectId")]
    primary: &'a str,
    #[serde(rename = "objectIdToMerge")]
    merged: &'a str,
}

#[derive(Serialize)]
struct Merge<'a> {
    method: &'static str,
    path: &'a str,
    #[serde(rename = "objectType")]
    object_type: &'a str,
    body: MergeBody<'a>,
}

#[derive(Serialize)]
struct UpdateBody<'a> {
    properties: FieldMap<'a>,
}

#[derive(Serialize)]
struct Update<'a> {
    method: &'static str,
    path: &'a str,
    #[serde(rename = "objectType")]
    object_type: &'a str,
    #[serde(rename = "objectId")]
    object_id: &'a str,
    body: UpdateBody<'a>,
}

/// The golden values to set before the merges and those to set (again) after them.
fn split<'m>(
    m: &'m ApprovedMerge,
    object_type: &str,
    changes: Vec<Change<'m>>,
) -> (Vec<Change<'m>>, Vec<Change<'m>>) {
    let (mut before, mut after) = (Vec::new(), Vec::new());
    for (name, value) in changes {
        match value {
            // The merge fills an empty property from the merged record: cleared before (the
            // survivor's own value) and after.
            None if m.merged().any(|r| r.fields.contains_key(name)) => {
                before.push((name, value));
                after.push((name, value));
            }
            Some(v)
                if object_type == "contacts"
                    && name.eq_ignore_ascii_case("email")
                    && m.merged().any(|r| r.get(name).is_some_and(|e| e.eq_ignore_ascii_case(v))) =>
            {
                after.push((name, value))
            }
            _ => before.push((name, value)),
        }
    }
    (before, after)
}

/// Appends the property update, the merges and, when needed, the second update for one approved
/// merge; `object_type` is `contacts`, `companies`, … (the `{objectType}` of the URL).
pub fn render(m: &ApprovedMerge, object_type: &str, out: &mut Vec<u8>) -> Result<u64> {
    let changes = Crm::HubSpot.changes(m);
    check_reserved(Crm::HubSpot, &changes, &["hs_object_id"])?;
    let (before, after) = split(m, object_type, changes);
    let primary = m.survivor.id();
    let kind = path_segment(object_type);
    let update_path = format!("/crm/v3/objects/{kind}/{}", path_segment(primary));
    let mut lines = 0;
    let mut update = |fields: &[Change], out: &mut Vec<u8>| -> Result<()> {
        if !fields.is_empty() {
            let body = UpdateBody { properties: FieldMap { fields, clear: Some("") } };
            line(
                out,
                &Update { method: "PATCH", path: &update_path, object_type, object_id: primary, body },
            )?;
            lines += 1;
        }
        Ok(())
    };
    update(&before, out)?;
    let merge_path = format!("/crm/v3/objects/{kind}/merge");
    let mut merges = 0;
    for r in m.merged() {
        let body = MergeBody { primary, merged: r.key.id() };
        line(out, &Merge { method: "POST", path: &merge_path, object_type, body })?;
        merges += 1;
    }
    update(&after, out)?;
    Ok(lines + merges)
}

#[cfg(test)]
mod tests {
    use super::super::plan::fixture::*;
    use super::*;

    fn lines(m: &ApprovedMerge) -> Vec<String> {
        render_lines(Crm::HubSpot, m)
    }

    fn merge(object_type: &str, id: u32) -> String {
        format!(
            r#"{{"method":"POST","path":"/crm/v3/objects/{object_type}/merge","objectType":"{object_type}","body":{{"primaryObjectId":"1","objectIdToMerge":"{id}"}}}}"#
        )
    }

    #[test]
    fn five_records_make_an_update_then_four_merges_into_the_same_primary() {
        let want = [
            r#"{"method":"PATCH","path":"/crm/v3/objects/contacts/1","objectType":"contacts","objectId":"1","body":{"properties":{"city":"Lisbon","fax":"","phone":"+1 555 0199"}}}"#.to_string(),
            merge("contacts", 2),
            merge("contacts", 3),
            merge("contacts", 4),
            merge("contacts", 5),
            // hubspot:2 holds this address: the primary can take it once hubspot:2 is merged.
            r#"{"method":"PATCH","path":"/crm/v3/objects/contacts/1","objectType":"contacts","objectId":"1","body":{"properties":{"email":"ana@acme.example"}}}"#.to_string(),
        ];
        assert_eq!(lines(&cluster5("hubspot")), want);
    }

    #[test]
    fn an_address_no_merged_contact_holds_and_a_company_domain_go_first() {
        let mut m = cluster5("hubspot");
        m.golden = golden(&[("email", Some("ana@new.example"), &[], "steward")]);
        assert_eq!(
            lines(&m)[0],
            r#"{"method":"PATCH","path":"/crm/v3/objects/contacts/1","objectType":"contacts","objectId":"1","body":{"properties":{"email":"ana@new.example"}}}"#
        );
        assert_eq!(lines(&m).len(), 5);
        // Only contacts keep e-mail addresses unique.
        let mut m = cluster5("hubspot");
        m.object = "account".into();
        m.golden = golden(&[("email", Some("ana@acme.example"), &["hubspot:2"], "valid_email")]);
        let got = lines(&m);
        assert!(got[0].contains(r#""properties":{"email":"ana@acme.example"}"#), "{got:?}");
        assert_eq!(got.len(), 5, "{got:?}");
    }

    #[test]
    fn no_update_when_the_primary_holds_the_golden_record_already() {
        let mut m = cluster5("hubspot");
        m.members =
            vec![member("hubspot:1", &[("email", "e"), ("first_name", "Ana")]), member("hubspot:2", &[])];
        m.golden =
            golden(&[("email", Some("e"), &["hubspot:1"], "non_empty"), ("fax", None, &[], "steward")]);
        m.object = "account".into();
        assert_eq!(lines(&m), [merge("companies", 2)]);
    }

    #[test]
    fn a_field_left_empty_is_cleared_again_after_the_merges_when_a_merged_record_holds_it() {
        let mut m = cluster5("hubspot");
        m.golden = golden(&[("city", None, &[], "steward")]); // the primary has no city; hubspot:4 does
        let clear = r#"{"method":"PATCH","path":"/crm/v3/objects/contacts/1","objectType":"contacts","objectId":"1","body":{"properties":{"city":""}}}"#;
        let got = lines(&m);
        assert_eq!((got.first().unwrap().as_str(), got.last().unwrap().as_str()), (clear, clear));
        assert_eq!(got.len(), 6);
    }

    #[test]
    fn ids_are_escaped_in_paths_only() {
        let mut m = cluster5("hubspot");
        m.members.truncate(2);
        m.members[0].key = k("hubspot:1/2 3");
        m.survivor = k("hubspot:1/2 3");
        let got = lines(&m);
        assert!(got[0].contains(r#""path":"/crm/v3/objects/contacts/1%2F2%203""#), "{got:?}");
        assert!(got[0].contains(r#""objectId":"1/2 3""#), "{got:?}");
        assert!(got[1].contains(r#""primaryObjectId":"1/2 3""#), "{got:?}");
    }
}
