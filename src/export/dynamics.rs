//! The Dynamics 365 (Dataverse) merge plan: one body of the Web API `Merge` action per line, one
//! line per subordinate, all into the survivor as `Target`. Dataverse keeps the target's values,
//! fills only its empty fields from the subordinate, and sets what `UpdateContent` names; so every
//! body's `UpdateContent` carries the golden values the target does not hold (a golden `None` is a
//! JSON `null`), and clears each field the golden record leaves empty but a subordinate holds, so
//! the fill cannot bring it back. `PerformParentingChecks` is `false`: mergeq does not know the
//! records' parents and lets the merge go ahead whatever they are.
//!
//! Line: `{"Target":{"@odata.type":"Microsoft.Dynamics.CRM.contact","contactid":"…"},"Subordinate":{…},"UpdateContent":{"@odata.type":…,FIELD:VALUE…},"PerformParentingChecks":false}`

use super::crm::{check_reserved, line, Change, Crm};
use super::plan::ApprovedMerge;
use anyhow::Result;
use serde::ser::{Serialize, SerializeMap, Serializer};

/// An entity in a Web API body: its `@odata.type`, then its id or its field values.
struct Entity<'a> {
    odata_type: &'a str,
    id: Option<(&'a str, &'a str)>,
    fields: &'a [Change<'a>],
}

impl Serialize for Entity<'_> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let mut map = s.serialize_map(None)?;
        map.serialize_entry("@odata.type", self.odata_type)?;
        if let Some((name, id)) = self.id {
            map.serialize_entry(name, id)?;
        }
        for (name, value) in self.fields {
            map.serialize_entry(name, value)?;
        }
        map.end()
    }
}

#[derive(serde::Serialize)]
#[serde(rename_all = "PascalCase")]
struct MergeBody<'a> {
    target: Entity<'a>,
    subordinate: Entity<'a>,
    update_content: Entity<'a>,
    perform_parenting_checks: bool,
}

/// Appends one `Merge` body per subordinate; `entity` is the logical name (`contact`, …).
pub fn render(m: &ApprovedMerge, entity: &str, out: &mut Vec<u8>) -> Result<u64> {
    let odata_type = format!("Microsoft.Dynamics.CRM.{entity}");
    let id_field = format!("{entity}id");
    let changes = Crm::Dynamics.changes(m);
    check_reserved(Crm::Dynamics, &changes, &["@odata.type", &id_field])?;
    let reference = |id| Entity { odata_type: &odata_type, id: Some((&id_field, id)), fields: &[] };
    let mut lines = 0;
    for r in m.merged() {
        let body = MergeBody {
            target: reference(m.survivor.id()),
            subordinate: reference(r.key.id()),
            update_content: Entity { odata_type: &odata_type, id: None, fields: &changes },
            perform_parenting_checks: false,
        };
        line(out, &body)?;
        lines += 1;
    }
    Ok(lines)
}

#[cfg(test)]
mod tests {
    use super::super::plan::fixture::*;
    use super::*;

    fn lines(m: &ApprovedMerge) -> Vec<String> {
        render_lines(Crm::Dynamics, m)
    }

    #[test]
    fn five_records_make_four_merges_into_one_target() {
        let body = |id: u32| {
            format!(
                r#"{{"Target":{{"@odata.type":"Microsoft.Dynamics.CRM.contact","contactid":"1"}},"Subordinate":{{"@odata.type":"Microsoft.Dynamics.CRM.contact","contactid":"{id}"}},"UpdateContent":{{"@odata.type":"Microsoft.Dynamics.CRM.contact","city":"Lisbon","email":"ana@acme.example","fax":null,"phone":"+1 555 0199"}},"PerformParentingChecks":false}}"#
            )
        };
        assert_eq!(lines(&cluster5("dynamics")), [body(2), body(3), body(4), body(5)]);
    }

    #[test]
    fn accounts_use_their_own_type_and_id_field_and_empty_update_content_stays() {
        let mut m = cluster5("dynamics");
        m.object = "account".into();
        m.members =
            vec![member("dynamics:a", &[("name", "Acme")]), member("dynamics:b", &[("name", "ACME")])];
        m.survivor = m.members[0].key.clone();
        m.golden = golden(&[("name", Some("Acme"), &["dynamics:a"], "source_priority")]);
        let want = [
            r#"{"Target":{"@odata.type":"Microsoft.Dynamics.CRM.account","accountid":"a"},"Subordinate":{"@odata.type":"Microsoft.Dynamics.CRM.account","accountid":"b"},"UpdateContent":{"@odata.type":"Microsoft.Dynamics.CRM.account"},"PerformParentingChecks":false}"#,
        ];
        assert_eq!(lines(&m), want);
    }

    #[test]
    fn a_field_left_empty_is_cleared_when_a_subordinate_holds_it() {
        let mut m = cluster5("dynamics");
        m.golden = golden(&[("city", None, &[], "steward")]);
        assert!(lines(&m)[0]
            .contains(r#""UpdateContent":{"@odata.type":"Microsoft.Dynamics.CRM.contact","city":null}"#));
    }

    #[test]
    fn the_id_field_cannot_be_a_golden_field() {
        let mut m = cluster5("dynamics");
        m.golden[0].name = "contactid".into();
        let err = Crm::Dynamics.render(&m, &mut Vec::new()).unwrap_err().to_string();
        assert!(err.contains("`contactid` cannot be set in a dynamics merge"), "{err}");
    }
}
