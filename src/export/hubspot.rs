//! The HubSpot merge plan. HubSpot merges exactly two records per call, gives the result a new id
//! and resolves both old ids to it, and keeps the primary's values (filling some from the other),
//! so a cluster becomes one merge per merged record, each naming the survivor's original id as the
//! primary, followed by one property update that sets the golden values the primary would not keep
//! (a golden `None` becomes `""`, HubSpot's way to clear a property; fields the golden record leaves
//! empty but a merged record holds are cleared too, so a merged value cannot fill them).
//!
//! Lines (each says the call it maps to):
//! `{"method":"POST","path":"/crm/v3/objects/contacts/merge","objectType":"contacts","body":{"primaryObjectId":"…","objectIdToMerge":"…"}}`
//! `{"method":"PATCH","path":"/crm/v3/objects/contacts/…","objectType":"contacts","objectId":"…","body":{"properties":{…}}}`

use super::crm::{check_reserved, line, path_segment, Crm, FieldMap};
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

/// Appends the merges and the property update for one approved merge; `object_type` is
/// `contacts`, `companies`, … (the `{objectType}` of the URL).
pub fn render(m: &ApprovedMerge, object_type: &str, out: &mut Vec<u8>) -> Result<u64> {
    let changes = m.survivor_changes_guarded();
    check_reserved(Crm::HubSpot, &changes, &["hs_object_id"])?;
    let primary = m.survivor.id();
    let kind = path_segment(object_type);
    let merge_path = format!("/crm/v3/objects/{kind}/merge");
    let mut lines = 0;
    for r in m.merged() {
        let body = MergeBody { primary, merged: r.key.id() };
        line(out, &Merge { method: "POST", path: &merge_path, object_type, body })?;
        lines += 1;
    }
    if !changes.is_empty() {
        let path = format!("/crm/v3/objects/{kind}/{}", path_segment(primary));
        let body = UpdateBody { properties: FieldMap { fields: &changes, clear: Some("") } };
        line(out, &Update { method: "PATCH", path: &path, object_type, object_id: primary, body })?;
        lines += 1;
    }
    Ok(lines)
}

#[cfg(test)]
mod tests {
    use super::super::plan::fixture::*;
    use super::*;

    fn lines(m: &ApprovedMerge) -> Vec<String> {
        render_lines(Crm::HubSpot, m)
    }

    #[test]
    fn five_records_make_four_merges_into_the_same_primary_then_one_update() {
        let merge = |id: u32| {
            format!(
                r#"{{"method":"POST","path":"/crm/v3/objects/contacts/merge","objectType":"contacts","body":{{"primaryObjectId":"1","objectIdToMerge":"{id}"}}}}"#
            )
        };
        let want = [
            merge(2),
            merge(3),
            merge(4),
            merge(5),
            r#"{"method":"PATCH","path":"/crm/v3/objects/contacts/1","objectType":"contacts","objectId":"1","body":{"properties":{"city":"Lisbon","email":"ana@acme.example","fax":"","phone":"+1 555 0199"}}}"#.to_string(),
        ];
        assert_eq!(lines(&cluster5("hubspot")), want);
    }

    #[test]
    fn no_update_when_the_primary_holds_the_golden_record_already() {
        let mut m = cluster5("hubspot");
        m.members =
            vec![member("hubspot:1", &[("email", "e"), ("first_name", "Ana")]), member("hubspot:2", &[])];
        m.golden =
            golden(&[("email", Some("e"), &["hubspot:1"], "non_empty"), ("fax", None, &[], "steward")]);
        m.object = "account".into();
        let want = [
            r#"{"method":"POST","path":"/crm/v3/objects/companies/merge","objectType":"companies","body":{"primaryObjectId":"1","objectIdToMerge":"2"}}"#,
        ];
        assert_eq!(lines(&m), want);
    }

    #[test]
    fn a_field_left_empty_is_cleared_when_a_merged_record_holds_it() {
        let mut m = cluster5("hubspot");
        m.golden = golden(&[("city", None, &[], "steward")]); // the primary has no city; hubspot:4 does
        assert_eq!(
            lines(&m).last().unwrap(),
            r#"{"method":"PATCH","path":"/crm/v3/objects/contacts/1","objectType":"contacts","objectId":"1","body":{"properties":{"city":""}}}"#
        );
    }

    #[test]
    fn ids_are_escaped_in_paths_only() {
        let mut m = cluster5("hubspot");
        m.members.truncate(2);
        m.members[0].key = k("hubspot:1/2 3");
        m.survivor = k("hubspot:1/2 3");
        let got = lines(&m);
        assert!(got[0].contains(r#""primaryObjectId":"1/2 3""#), "{got:?}");
        assert!(got[1].contains(r#""path":"/crm/v3/objects/contacts/1%2F2%203""#), "{got:?}");
        assert!(got[1].contains(r#""objectId":"1/2 3""#), "{got:?}");
    }
}
