//! What the queue shows of a candidate, computed from its member records: display names, sources,
//! the changed-since-proposed mark and the number of conflicting fields. Pure.

use super::app::QueueItem;
use crate::model::{Fields, Golden, Record};
use crate::store::QueueRow;

/// Field names that hold a person's or a company's name, tried in order (compared ignoring case
/// and `_`), after the first-name + last-name pair.
const NAME_FIELDS: [&str; 8] =
    ["name", "fullname", "accountname", "company", "companyname", "organization", "title", "email"];

fn fold(name: &str) -> String {
    name.chars().filter(|c| *c != '_' && *c != ' ' && *c != '-').flat_map(char::to_lowercase).collect()
}

fn field<'a>(fields: &'a Fields, wanted: &[&str]) -> Option<&'a str> {
    fields
        .iter()
        .find(|(k, v)| !v.trim().is_empty() && wanted.contains(&fold(k).as_str()))
        .map(|(_, v)| v.trim())
}

/// A record's name for lists: first and last name, else a name-like field, else `?`.
pub fn display_name(fields: &Fields) -> String {
    let first = field(fields, &["firstname", "givenname"]);
    let last = field(fields, &["lastname", "surname", "familyname"]);
    match (first, last) {
        (Some(f), Some(l)) => return format!("{f} {l}"),
        (Some(n), None) | (None, Some(n)) => return n.to_string(),
        (None, None) => {}
    }
    NAME_FIELDS.iter().find_map(|n| field(fields, &[n])).map(str::to_string).unwrap_or_else(|| "?".into())
}

/// The queue's line for one page row; `suggest` gives the golden suggestion (for the conflicts).
pub fn queue_item(row: &QueueRow, suggest: impl Fn(&str, &[Record]) -> Golden) -> QueueItem {
    let records: Vec<Record> = row.members.iter().map(|(r, _)| r.clone()).collect();
    let mut sources: Vec<String> = records.iter().map(|r| r.key.source.clone()).collect();
    sources.sort();
    sources.dedup();
    let conflicts = if records.is_empty() { 0 } else { suggest(&row.object, &records).conflicts() };
    QueueItem {
        id: row.id,
        key: row.key(),
        object: row.object.clone(),
        score: row.score,
        status: row.status,
        names: records.iter().map(|r| display_name(&r.fields)).collect(),
        sources,
        conflicts,
        changed: row.members.iter().any(|(r, proposed)| r.version > *proposed),
        held_by: row.held_by,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_from_common_field_layouts() {
        let cases: [(&[(&str, &str)], &str); 7] = [
            (&[("first_name", "Ann"), ("last_name", "Lee")], "Ann Lee"),
            (&[("FirstName", "Ann"), ("LastName", "Lee"), ("Name", "X")], "Ann Lee"),
            (&[("firstname", "Ann")], "Ann"),
            (&[("Name", "Acme Inc")], "Acme Inc"),
            (&[("company", "Acme"), ("email", "a@x.io")], "Acme"),
            (&[("email", "a@x.io"), ("name", " ")], "a@x.io"),
            (&[("phone", "1")], "?"),
        ];
        for (fields, want) in cases {
            let fields: Fields = fields.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect();
            assert_eq!(display_name(&fields), want, "{fields:?}");
        }
    }
}
