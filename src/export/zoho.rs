//! The Zoho CRM merge plan: one body of `POST /crm/v8/{module}/{master_id}/actions/merge` per
//! line, the survivor as master and up to 2 children per body, in member order. Zoho keeps the
//! master's values except the fields listed in a child's `_fields`, so each golden value the master
//! does not hold is listed in the `_fields` of one child that holds exactly that value (the record
//! the golden value came from when it is a child). A golden value no child holds (a steward's own
//! value, a cleared field, a `union`) is set by one record update after the merges.
//!
//! Lines (each says the call it maps to):
//! `{"method":"POST","path":"/crm/v8/Contacts/…/actions/merge","module":"Contacts","master_id":"…","body":{"merge":[{"data":[{"id":"…","_fields":[{"api_name":"Phone"}]},…]}]}}`
//! `{"method":"PUT","path":"/crm/v8/Contacts/…","module":"Contacts","record_id":"…","body":{"data":[{"id":"…",FIELD:VALUE…}]}}`

use super::crm::{check_reserved, line, path_segment, Change, Crm};
use super::plan::{ApprovedMerge, Member};
use anyhow::Result;
use serde::ser::{Serialize, SerializeMap, Serializer};

/// Children merged into the master per call (Zoho's limit).
pub const PER_CALL: usize = 2;

#[derive(serde::Serialize)]
struct ApiName<'a> {
    api_name: &'a str,
}

#[derive(serde::Serialize)]
struct Child<'a> {
    id: &'a str,
    #[serde(rename = "_fields")]
    fields: Vec<ApiName<'a>>,
}

#[derive(serde::Serialize)]
struct MergeItem<'a> {
    data: Vec<Child<'a>>,
}

#[derive(serde::Serialize)]
struct MergeBody<'a> {
    merge: [MergeItem<'a>; 1],
}

#[derive(serde::Serialize)]
struct Merge<'a> {
    method: &'static str,
    path: &'a str,
    module: &'a str,
    master_id: &'a str,
    body: MergeBody<'a>,
}

/// A record's id and field values as one object of a `data` array.
struct RecordData<'a> {
    id: &'a str,
    fields: &'a [Change<'a>],
}

impl Serialize for RecordData<'_> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let mut map = s.serialize_map(Some(self.fields.len() + 1))?;
        map.serialize_entry("id", self.id)?;
        for (name, value) in self.fields {
            map.serialize_entry(name, value)?;
        }
        map.end()
    }
}

#[derive(serde::Serialize)]
struct UpdateBody<'a> {
    data: [RecordData<'a>; 1],
}

#[derive(serde::Serialize)]
struct Update<'a> {
    method: &'static str,
    path: &'a str,
    module: &'a str,
    record_id: &'a str,
    body: UpdateBody<'a>,
}

/// The child that contributes a golden value: the record it came from if that is a child holding
/// it, else the first child holding it; `None` when no child holds it.
fn contributor(m: &ApprovedMerge, merged: &[&Member], field: &str, value: &str) -> Option<usize> {
    let holds = |c: &&Member| c.get(field) == Some(value);
    let golden_from = m.golden.iter().find(|g| g.name == field).map_or(&[][..], |g| g.from.as_slice());
    golden_from
        .iter()
        .find_map(|k| merged.iter().position(|c| &c.key == k && holds(c)))
        .or_else(|| merged.iter().position(holds))
}

/// Appends the merge calls and, when needed, the update for one approved merge; `module` is the
/// API name (`Contacts`, …).
pub fn render(m: &ApprovedMerge, module: &str, out: &mut Vec<u8>) -> Result<u64> {
    let changes = Crm::Zoho.changes(m);
    check_reserved(Crm::Zoho, &changes, &["id"])?;
    let merged: Vec<&Member> = m.merged().collect();
    let mut contributes: Vec<Vec<ApiName>> = merged.iter().map(|_| Vec::new()).collect();
    let mut update: Vec<Change> = Vec::new();
    for &(field, value) in &changes {
        match value.and_then(|v| contributor(m, &merged, field, v)) {
            Some(child) => contributes[child].push(ApiName { api_name: field }),
            None => update.push((field, value)),
        }
    }
    let master = m.survivor.id();
    let path = format!("/crm/v8/{}/{}/actions/merge", path_segment(module), path_segment(master));
    let mut children = merged.iter().zip(contributes).map(|(c, fields)| Child { id: c.key.id(), fields });
    let mut lines = 0;
    loop {
        let data: Vec<Child> = children.by_ref().take(PER_CALL).collect();
        if data.is_empty() {
            break;
        }
        let body = MergeBody { merge: [MergeItem { data }] };
        line(out, &Merge { method: "POST", path: &path, module, master_id: master, body })?;
        lines += 1;
    }
    if !update.is_empty() {
        let path = format!("/crm/v8/{}/{}", path_segment(module), path_segment(master));
        let body = UpdateBody { data: [RecordData { id: master, fields: &update }] };
        line(out, &Update { method: "PUT", path: &path, module, record_id: master, body })?;
        lines += 1;
    }
    Ok(lines)
}

#[cfg(test)]
mod tests {
    use super::super::plan::fixture::*;
    use super::*;

    fn lines(m: &ApprovedMerge) -> Vec<String> {
        render_lines(Crm::Zoho, m)
    }

    #[test]
    fn five_records_make_two_merges_with_the_fields_each_child_gives() {
        let want = [
            r#"{"method":"POST","path":"/crm/v8/Contacts/1/actions/merge","module":"Contacts","master_id":"1","body":{"merge":[{"data":[{"id":"2","_fields":[{"api_name":"email"}]},{"id":"3","_fields":[{"api_name":"phone"}]}]}]}}"#,
            r#"{"method":"POST","path":"/crm/v8/Contacts/1/actions/merge","module":"Contacts","master_id":"1","body":{"merge":[{"data":[{"id":"4","_fields":[{"api_name":"city"}]},{"id":"5","_fields":[]}]}]}}"#,
            r#"{"method":"PUT","path":"/crm/v8/Contacts/1","module":"Contacts","record_id":"1","body":{"data":[{"id":"1","fax":null}]}}"#,
        ];
        assert_eq!(lines(&cluster5("zoho")), want);
    }

    #[test]
    fn which_child_gives_a_value() {
        // (golden value of first_name, its `from`, the child expected to give it or None = update)
        let cases: [(&str, &str, Option<&str>); 4] = [
            ("Anna", "zoho:3", Some("3")), // the record it came from
            ("Ana", "zoho:9", Some("2")),  // not a child: the first child holding it
            ("A.", "zoho:5", Some("5")),
            ("Anne", "zoho:2", None), // no child holds it: an update
        ];
        for (value, from, want) in cases {
            let mut m = cluster5("zoho");
            m.members[0].fields.remove("first_name");
            m.golden = golden(&[("first_name", Some(value), &[from], "steward")]);
            let got = lines(&m);
            let gives = |id: &str| format!(r#"{{"id":"{id}","_fields":[{{"api_name":"first_name"}}]}}"#);
            match want {
                Some(id) => assert!(got.iter().any(|l| l.contains(&gives(id))), "{value}: {got:?}"),
                None => assert!(got[2].contains(r#""data":[{"id":"1","first_name":"Anne"}]"#), "{got:?}"),
            }
        }
    }

    #[test]
    fn an_odd_cluster_ends_with_one_child() {
        let mut m = cluster5("zoho");
        m.members.truncate(2);
        m.golden.clear();
        m.object = "lead".into();
        let want = [
            r#"{"method":"POST","path":"/crm/v8/Leads/1/actions/merge","module":"Leads","master_id":"1","body":{"merge":[{"data":[{"id":"2","_fields":[]}]}]}}"#,
        ];
        assert_eq!(lines(&m), want);
    }
}
