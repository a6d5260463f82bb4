//! The Salesforce merge plan: one `merge()` request per line (SOAP `MergeRequest`, Apex
//! `Database.merge`). Salesforce merges a master with at most 2 other records per request and keeps
//! the master's values unless the request sets them, so every request into the master carries the
//! golden values the master does not hold yet (a golden `None` is a JSON `null`: clear the field).
//! A cluster of n records becomes ceil((n−1)/2) requests into the same master, in member order.
//!
//! Line: `{"masterRecord":{"attributes":{"type":"Contact"},"Id":"…",FIELD:VALUE…},"recordToMergeIds":["…","…"]}`

use super::crm::{check_reserved, line, Change, Crm};
use super::plan::ApprovedMerge;
use anyhow::Result;
use serde::ser::{Serialize, SerializeMap, Serializer};
use serde::Serialize as DeriveSerialize;

/// Records merged into the master per request (Salesforce's limit).
pub const PER_REQUEST: usize = 2;

struct MasterRecord<'a> {
    sobject: &'a str,
    id: &'a str,
    fields: &'a [Change<'a>],
}

impl Serialize for MasterRecord<'_> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        #[derive(DeriveSerialize)]
        struct Attributes<'a> {
            #[serde(rename = "type")]
            sobject: &'a str,
        }
        let mut map = s.serialize_map(Some(self.fields.len() + 2))?;
        map.serialize_entry("attributes", &Attributes { sobject: self.sobject })?;
        map.serialize_entry("Id", self.id)?;
        for (name, value) in self.fields {
            map.serialize_entry(name, value)?;
        }
        map.end()
    }
}

#[derive(DeriveSerialize)]
struct MergeRequest<'a> {
    #[serde(rename = "masterRecord")]
    master: MasterRecord<'a>,
    #[serde(rename = "recordToMergeIds")]
    merge_ids: &'a [&'a str],
}

/// Appends the requests for one approved merge; `sobject` is `Account`, `Contact` or `Lead`.
pub fn render(m: &ApprovedMerge, sobject: &str, out: &mut Vec<u8>) -> Result<u64> {
    let changes = Crm::Salesforce.changes(m);
    check_reserved(Crm::Salesforce, &changes, &["Id", "attributes"])?;
    let merged: Vec<&str> = m.merged().map(|r| r.key.id()).collect();
    let mut lines = 0;
    for ids in merged.chunks(PER_REQUEST) {
        let master = MasterRecord { sobject, id: m.survivor.id(), fields: &changes };
        line(out, &MergeRequest { master, merge_ids: ids })?;
        lines += 1;
    }
    Ok(lines)
}

#[cfg(test)]
mod tests {
    use super::super::plan::fixture::*;
    use super::*;

    fn lines(m: &ApprovedMerge) -> Vec<String> {
        render_lines(Crm::Salesforce, m)
    }

    #[test]
    fn five_records_make_two_requests_into_one_master() {
        let want = [
            r#"{"masterRecord":{"attributes":{"type":"Contact"},"Id":"1","city":"Lisbon","email":"ana@acme.example","fax":null,"phone":"+1 555 0199"},"recordToMergeIds":["2","3"]}"#,
            r#"{"masterRecord":{"attributes":{"type":"Contact"},"Id":"1","city":"Lisbon","email":"ana@acme.example","fax":null,"phone":"+1 555 0199"},"recordToMergeIds":["4","5"]}"#,
        ];
        assert_eq!(lines(&cluster5("salesforce")), want);
    }

    #[test]
    fn requests_per_cluster_size() {
        // (members, requests): ceil((n-1)/2)
        for (n, want) in [(2, 1), (3, 1), (4, 2), (5, 2), (6, 3), (7, 3)] {
            let mut m = cluster5("salesforce");
            m.members = (1..=n).map(|i| member(&format!("salesforce:{i}"), &[])).collect();
            let got = lines(&m);
            assert_eq!(got.len(), want, "{n} members");
            assert!(got.iter().all(|l| l.contains(r#""Id":"1""#)), "{got:?}");
        }
    }

    #[test]
    fn the_survivor_need_not_be_first_and_values_it_holds_are_not_sent() {
        let mut m = cluster5("salesforce");
        m.survivor = m.members[2].key.clone(); // salesforce:3 holds the golden phone already
        m.members.truncate(3);
        let want = [
            r#"{"masterRecord":{"attributes":{"type":"Account"},"Id":"3","city":"Lisbon","email":"ana@acme.example","first_name":"Ana"},"recordToMergeIds":["1","2"]}"#,
        ];
        m.object = "account".into();
        assert_eq!(lines(&m), want);
    }

    #[test]
    fn values_go_out_exactly_as_stored() {
        let mut m = cluster5("salesforce");
        m.golden[1].value = Some("=HYPERLINK(\"x\")\t\"é\"\n".into());
        assert!(lines(&m)[0].contains(r#""email":"=HYPERLINK(\"x\")\t\"é\"\n""#));
    }

    #[test]
    fn reserved_names_and_unmergeable_objects_are_refused() {
        let mut m = cluster5("salesforce");
        m.golden[0].name = "Id".into();
        let err = Crm::Salesforce.render(&m, &mut Vec::new()).unwrap_err().to_string();
        assert!(err.contains("`Id` cannot be set in a salesforce merge"), "{err}");
        let mut m = cluster5("salesforce");
        m.object = "opportunity".into();
        let err = Crm::Salesforce.render(&m, &mut Vec::new()).unwrap_err().to_string();
        assert!(err.contains("salesforce cannot merge `opportunity` records"), "{err}");
    }
}
