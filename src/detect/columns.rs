//! Which of an object's columns are compared as one field, and building that field. Records of one
//! object come from several sources, each with its vendor's column names: HubSpot's `First Name`
//! and Salesforce's `FirstName` hold the same fact. So the columns of one kind are one field — a
//! record's value is the first of them it fills (in column order), any others it fills are kept
//! beside it (`Field::more`: `Email` and `Secondary Email`), and comparison takes the pair of
//! values that agrees best. Two exceptions: `text` columns (whose kind says nothing about what
//! they hold) stay a field each, by name; so do the parts of a street address other than the
//! street line (`kinds::street_part`: a house number, a second line), which are not the same fact.

use super::intern::Strings;
use super::kinds::{street_part, Kind, ObjectConfig};
use super::names;
use super::normalise;
use super::table::{Field, Interned, RawColumn, Region};
use rayon::prelude::*;
use rphonetic::DoubleMetaphone;
use std::collections::HashMap;

/// The columns compared as one field.
pub(super) struct Group {
    pub(super) name: String,
    pub(super) kind: Kind,
    pub(super) columns: Vec<RawColumn>,
}

/// Gathers columns (sorted by name) into the compared fields, sorted by name: one per kind and
/// street part, one per `text` column; `ignore` columns go. A field of one column keeps the
/// column's name; a field of several is named by its kind (`first_name`, `street (line 2)`), or,
/// should a column bear that name, by its kind and columns.
pub(super) fn group(columns: Vec<RawColumn>, object: &str, config: &ObjectConfig) -> Vec<Group> {
    type Key = (Kind, Option<&'static str>, Option<String>);
    let mut groups: Vec<(Key, Group)> = Vec::new();
    for col in columns {
        let kind = config.kind_of(object, &col.name);
        if kind == Kind::Ignore {
            continue;
        }
        let key: Key = (kind, street_part(kind, &col.name), (kind == Kind::Text).then(|| col.name.clone()));
        match groups.iter_mut().find(|(k, _)| *k == key) {
            Some((_, g)) => g.columns.push(col),
            None => groups.push((key, Group { name: String::new(), kind, columns: vec![col] })),
        }
    }
    let single: Vec<String> =
        groups.iter().filter(|(_, g)| g.columns.len() == 1).map(|(_, g)| g.columns[0].name.clone()).collect();
    let mut out: Vec<Group> = groups
        .into_iter()
        .map(|((kind, part, _), mut g)| {
            g.name = match (&g.columns[..], part) {
                ([one], _) => one.name.clone(),
                (_, Some(part)) => format!("{} ({part})", kind.as_str()),
                _ => kind.as_str().to_string(),
            };
            if g.columns.len() > 1 && single.contains(&g.name) {
                let names: Vec<&str> = g.columns.iter().map(|c| c.name.as_str()).collect();
                g.name = format!("{} ({})", g.name, names.join(", "));
            }
            g
        })
        .collect();
    out.sort_by(|a, b| a.name.cmp(&b.name));
    out
}

/// The raw values of a group's columns in one key space: the distinct raw strings of every
/// column end to end, and per column the key it gives each record (0: none).
fn raw_slots(columns: Vec<RawColumn>) -> (Strings, Vec<Vec<u32>>) {
    if columns.len() == 1 {
        let col = columns.into_iter().next().expect("one column");
        return (col.values.into_strings(), vec![col.ids]);
    }
    let mut raw = Strings::default();
    raw.push("");
    let mut slots = Vec::with_capacity(columns.len());
    for col in columns {
        let offset = raw.len() as u32 - 1;
        for value in col.values.into_strings().iter().skip(1) {
            raw.push(value);
        }
        slots.push(col.ids.into_iter().map(|id| if id == 0 { 0 } else { id + offset }).collect());
    }
    (raw, slots)
}

/// Phone keys per distinct raw value and region (each record's own, else `default`): the slots
/// re-keyed, and the normalised value of each new key.
fn phones_by_region(
    slots: &[Vec<u32>],
    raw: &Strings,
    regions: &[Region],
    default: Region,
) -> (Vec<Vec<u32>>, Vec<Option<String>>) {
    let mut combos: HashMap<(u32, Region), u32> = HashMap::new();
    let mut distinct: Vec<(u32, Region)> = vec![(0, None)];
    let keyed = slots
        .iter()
        .map(|slot| {
            slot.iter()
                .zip(regions)
                .map(|(&raw_id, own)| match raw_id {
                    0 => 0,
                    _ => *combos.entry((raw_id, own.or(default))).or_insert_with(|| {
                        distinct.push((raw_id, own.or(default)));
                        (distinct.len() - 1) as u32
                    }),
                })
                .collect()
        })
        .collect();
    let normalised = distinct
        .par_iter()
        .map(|&(raw_id, region)| match raw_id {
            0 => None,
            _ => normalise::normalise(Kind::Phone, &raw[raw_id as usize], region),
        })
        .collect();
    (keyed, normalised)
}

/// Normalises a group's values for its kind and derives the forms blocking and comparison use.
pub(super) fn build_field(group: Group, region: Region, regions: Option<&[Region]>) -> Field {
    let Group { name, kind, columns } = group;
    let column_names = columns.iter().map(|c| c.name.clone()).collect();
    let (raw, slots) = raw_slots(columns);
    let (norm, more, _) = match (kind, regions) {
        (Kind::Phone, Some(regions)) => {
            let (keyed, normalised) = phones_by_region(&slots, &raw, regions, region);
            Interned::from_slots(&keyed, &normalised)
        }
        _ => {
            let normalised: Vec<Option<String>> = (0..raw.len())
                .into_par_iter()
                .map(|i| if i == 0 { None } else { normalise::normalise(kind, &raw[i], region) })
                .collect();
            Interned::from_slots(&slots, &normalised)
        }
    };
    // A derived form per normalised value; a record's further values count in its frequencies
    // where their form differs from its first value's.
    let derive = |f: &(dyn Fn(&str) -> Option<String> + Sync)| -> (Interned, Vec<u32>) {
        let derived: Vec<Option<String>> = (0..norm.dict.len())
            .into_par_iter()
            .map(|i| if i == 0 { None } else { f(&norm.dict[i]) })
            .collect();
        let (mut values, _, of) = Interned::from_slots(std::slice::from_ref(&norm.ids), &derived);
        for &(r, id) in &more {
            let form = of[id as usize];
            if form != 0 && form != values.ids[r as usize] {
                values.counts[form as usize] += 1;
                values.present += 1;
            }
        }
        (values, of)
    };
    let metaphone = DoubleMetaphone::new(Some(4));
    let phonetic = |v: &str| {
        let code = metaphone.double_metaphone(v.split(' ').next_back().unwrap_or(v)).primary();
        (!code.is_empty()).then_some(code)
    };
    let (alt, code) = match kind {
        Kind::Email => (Some(derive(&|v| v.split('@').next().map(str::to_string))), None),
        Kind::FirstName => (
            Some(derive(&|v| Some(names::alias(v.split(' ').next().unwrap_or(v)).to_string()))),
            Some(derive(&|v| {
                let code = metaphone.double_metaphone(v.split(' ').next().unwrap_or(v)).primary();
                (!code.is_empty()).then_some(code)
            })),
        ),
        Kind::LastName => (None, Some(derive(&phonetic))),
        Kind::FullName => (
            Some(derive(&|v| {
                let mut words: Vec<&str> = v.split(' ').collect();
                words.sort_unstable();
                Some(words.join(" "))
            })),
            Some(derive(&phonetic)),
        ),
        Kind::Street => (
            None,
            Some(derive(&|v| {
                v.split(' ').find(|w| w.bytes().any(|b| b.is_ascii_digit())).map(str::to_string)
            })),
        ),
        _ => (None, None),
    };
    let (alt, alt_of) = alt.map_or((None, Vec::new()), |(a, of)| (Some(a), of));
    let (code, code_of) = code.map_or((None, Vec::new()), |(c, of)| (Some(c), of));
    Field { name, kind, columns: column_names, norm, more, alt, code, alt_of, code_of }
}

#[cfg(test)]
mod tests {
    use crate::detect::kinds::ObjectConfig;
    use crate::detect::table::RawTable;

    #[test]
    fn columns_of_one_kind_are_one_field_and_text_columns_stay_apart() {
        let mut raw = RawTable::default();
        let hubspot =
            [("First Name", "Joost"), ("Email", "j@a.com"), ("Secondary Email", "J@B.com"), ("tier", "1")];
        raw.push(1, 1, "hubspot", true, hubspot);
        raw.push(2, 1, "salesforce", true, [("FirstName", "JOOST"), ("Email", "j@b.com"), ("Tier__c", "1")]);
        // Both e-mails the same once normalised: one value, not two.
        raw.push(3, 1, "hubspot", true, [("Email", "x@a.com"), ("Secondary Email", "X@A.COM")]);
        let table = raw.build("contact", &ObjectConfig::default());
        let names: Vec<(&str, &[String])> =
            table.fields.iter().map(|f| (f.name.as_str(), f.columns.as_slice())).collect();
        assert_eq!(
            names,
            [
                ("Tier__c", &["Tier__c".to_string()][..]),
                ("email", &["Email".to_string(), "Secondary Email".to_string()][..]),
                ("first_name", &["First Name".to_string(), "FirstName".to_string()][..]),
                ("tier", &["tier".to_string()][..]),
            ]
        );
        let first = &table.fields[2];
        assert_eq!(first.norm.ids[0], first.norm.ids[1], "one dictionary: the same value, the same id");
        assert_eq!(first.norm.counts[first.norm.ids[0] as usize], 2);
        let email = &table.fields[1];
        let values = |r: usize| email.values_of(r).map(|id| email.text(id).to_string()).collect::<Vec<_>>();
        assert_eq!(values(0), ["j@a.com", "j@b.com"], "the first column's value first");
        assert_eq!(values(1), ["j@b.com"]);
        assert_eq!(values(2), ["x@a.com"]);
        assert_eq!(email.norm.present, 4, "every value counts in the frequencies");
        assert_eq!(email.norm.counts[email.norm.ids[1] as usize], 2, "j@b.com twice");
        let local = email.alt.as_ref().unwrap();
        assert_eq!(local.ids[0], email.alt_of[email.norm.ids[0] as usize]);
    }

    #[test]
    fn street_parts_are_fields_of_their_own() {
        let mut raw = RawTable::default();
        let febrl = [("street_number", "12"), ("address_1", "main street"), ("address_2", "unit 3")];
        raw.push(1, 1, "febrl", true, febrl);
        raw.push(2, 1, "crm", true, [("MailingStreet", "12 Main St"), ("Mailing Address 2", "Unit 3")]);
        let table = raw.build("person", &ObjectConfig::default());
        let names: Vec<&str> = table.fields.iter().map(|f| f.name.as_str()).collect();
        assert_eq!(names, ["street", "street (line 2)", "street_number"]);
        assert_eq!(table.fields[0].columns, ["MailingStreet", "address_1"]);
    }

    #[test]
    fn a_field_named_like_a_kind_keeps_a_group_apart() {
        let mut raw = RawTable::default();
        raw.push(1, 1, "a", true, [("email", "x"), ("Work Email", "a@b.com"), ("Email Address", "c@d.com")]);
        let mut config = ObjectConfig::default();
        config.fields.insert("email".into(), "text".into());
        let table = raw.build("contact", &config);
        let names: Vec<&str> = table.fields.iter().map(|f| f.name.as_str()).collect();
        assert_eq!(names, ["email", "email (Email Address, Work Email)"]);
    }
}
