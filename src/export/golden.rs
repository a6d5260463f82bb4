//! The golden-record exports, one row per approved candidate (any sources): the survivor, the
//! records merged into it, and every golden value with its lineage — the records it came from, the
//! rule or `steward` that chose it — and the journal sequence of the decision. Cross-source
//! candidates have no CRM merge call; here the lineage says which system must be updated.
//!
//! `golden-jsonl`: `{"candidate":17,"object":"contact","decision":42,"decided_at":"…","steward":"…",
//! "survivor":"src:id","merged":["src:id",…],"fields":{NAME:{"value":…|null,"from":["src:id"],"rule":"…"}}}`
//! `golden-csv`: `candidate,object,decision,decided_at,steward,survivor,merged`, then for each field
//! name in the export (sorted) `NAME,NAME.from,NAME.rule`; lists are joined with `;`; an empty cell
//! is no value. Cells that would start a spreadsheet formula get a `'` unless `raw`.

use super::csv_cell::push_cell;
use super::plan::{ApprovedMerge, Key};
use anyhow::Result;
use rustc_hash::FxHashMap;
use serde::ser::{Serialize, SerializeMap, Serializer};

/// The fixed columns of `golden-csv`, before the field columns.
pub const CSV_COLUMNS: [&str; 7] =
    ["candidate", "object", "decision", "decided_at", "steward", "survivor", "merged"];

struct Keys<'a>(&'a [Key<'a>]);

impl Serialize for Keys<'_> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_seq(self.0.iter().map(Key::as_str))
    }
}

#[derive(serde::Serialize)]
struct Value<'a> {
    value: Option<&'a str>,
    from: Keys<'a>,
    rule: &'a str,
}

struct Fields<'a>(&'a ApprovedMerge<'a>);

impl Serialize for Fields<'_> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let mut map = s.serialize_map(Some(self.0.golden.len()))?;
        for g in &self.0.golden {
            map.serialize_entry(
                &g.name,
                &Value { value: g.value.as_deref(), from: Keys(&g.from), rule: &g.rule },
            )?;
        }
        map.end()
    }
}

#[derive(serde::Serialize)]
struct Line<'a> {
    candidate: i64,
    object: &'a str,
    decision: i64,
    decided_at: &'a str,
    steward: &'a str,
    survivor: &'a str,
    merged: Vec<&'a str>,
    fields: Fields<'a>,
}

/// Appends one `golden-jsonl` line; values go out exactly as stored.
pub fn jsonl(m: &ApprovedMerge, out: &mut Vec<u8>) -> Result<()> {
    let line = Line {
        candidate: m.meta.candidate,
        object: &m.object,
        decision: m.meta.seq,
        decided_at: &m.meta.at,
        steward: &m.meta.steward,
        survivor: m.survivor.as_str(),
        merged: m.merged().map(|r| r.key.as_str()).collect(),
        fields: Fields(m),
    };
    super::crm::line(out, &line)
}

fn joined<'k>(keys: impl Iterator<Item = &'k str>) -> String {
    keys.collect::<Vec<_>>().join(";")
}

/// One row, kept compact until the export's field names are all known: the encoded fixed cells,
/// then each field's three encoded cells, located by `(field number, start, end)` in `text`.
struct Row {
    text: String,
    fields: Vec<(u32, u32, u32)>,
}

/// `golden-csv`, built row by row: the header needs every field name of the export, so rows are
/// kept encoded and laid out into columns when the last one is in.
pub struct GoldenCsv {
    raw: bool,
    names: Vec<String>,
    numbers: FxHashMap<String, u32>,
    rows: Vec<Row>,
}

impl GoldenCsv {
    pub fn new(raw: bool) -> GoldenCsv {
        GoldenCsv { raw, names: Vec::new(), numbers: FxHashMap::default(), rows: Vec::new() }
    }

    pub fn rows(&self) -> usize {
        self.rows.len()
    }

    fn number(&mut self, name: &str) -> u32 {
        if let Some(&n) = self.numbers.get(name) {
            return n;
        }
        let n = self.names.len() as u32;
        self.names.push(name.to_string());
        self.numbers.insert(name.to_string(), n);
        n
    }

    /// Adds the row of one approved candidate.
    pub fn push(&mut self, m: &ApprovedMerge) {
        let raw = self.raw;
        let mut text = String::with_capacity(256);
        let (mut candidate, mut seq) = (itoa::Buffer::new(), itoa::Buffer::new());
        let fixed: [&str; 7] = [
            candidate.format(m.meta.candidate),
            &m.object,
            seq.format(m.meta.seq),
            &m.meta.at,
            &m.meta.steward,
            m.survivor.as_str(),
            &joined(m.merged().map(|r| r.key.as_str())),
        ];
        for (i, cell) in fixed.into_iter().enumerate() {
            if i > 0 {
                text.push(',');
            }
            push_cell(&mut text, cell, raw);
        }
        let mut fields = Vec::with_capacity(m.golden.len());
        for g in &m.golden {
            let number = self.number(&g.name);
            let start = text.len() as u32;
            push_cell(&mut text, g.value.as_deref().unwrap_or(""), raw);
            text.push(',');
            push_cell(&mut text, &joined(g.from.iter().map(Key::as_str)), raw);
            text.push(',');
            push_cell(&mut text, &g.rule, raw);
            fields.push((number, start, text.len() as u32));
        }
        self.rows.push(Row { text, fields });
    }

    /// The finished file: the header, then every row with its fields in the header's columns.
    pub fn finish(self) -> Vec<u8> {
        let mut order: Vec<u32> = (0..self.names.len() as u32).collect();
        order.sort_by(|a, b| self.names[*a as usize].cmp(&self.names[*b as usize]));
        // column[field number] = the field's position among the field columns
        let mut column = vec![0usize; order.len()];
        for (pos, &n) in order.iter().enumerate() {
            column[n as usize] = pos;
        }
        let mut header = String::new();
        for (i, name) in CSV_COLUMNS.iter().enumerate() {
            if i > 0 {
                header.push(',');
            }
            push_cell(&mut header, name, self.raw);
        }
        for &n in &order {
            let name = &self.names[n as usize];
            for suffix in ["", ".from", ".rule"] {
                header.push(',');
                push_cell(&mut header, &format!("{name}{suffix}"), self.raw);
            }
        }
        header.push('\n');
        let mut out = header.into_bytes();
        let mut slots: Vec<Option<(u32, u32)>> = vec![None; order.len()];
        for row in &self.rows {
            let fixed_end = row.fields.first().map_or(row.text.len(), |f| f.1 as usize);
            out.extend_from_slice(&row.text.as_bytes()[..fixed_end]);
            for &(n, start, end) in &row.fields {
                slots[column[n as usize]] = Some((start, end));
            }
            for slot in slots.iter_mut() {
                match slot.take() {
                    Some((start, end)) => {
                        out.push(b',');
                        out.extend_from_slice(&row.text.as_bytes()[start as usize..end as usize]);
                    }
                    None => out.extend_from_slice(b",,,"),
                }
            }
            out.push(b'\n');
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::super::plan::fixture::*;
    use super::*;

    #[test]
    fn jsonl_lines_carry_every_value_with_its_lineage() {
        let mut out = Vec::new();
        jsonl(&cluster5("sf"), &mut out).unwrap();
        let want = r#"{"candidate":420,"object":"contact","decision":42,"decided_at":"2026-05-01T10:00:00Z","steward":"ana","survivor":"sf:1","merged":["sf:2","sf:3","sf:4","sf:5"],"fields":{"city":{"value":"Lisbon","from":["sf:4"],"rule":"non_empty"},"email":{"value":"ana@acme.example","from":["sf:2"],"rule":"valid_email"},"fax":{"value":null,"from":[],"rule":"steward"},"first_name":{"value":"Ana","from":["sf:1"],"rule":"most_frequent"},"phone":{"value":"+1 555 0199","from":["sf:3"],"rule":"valid_phone"}}}"#;
        assert_eq!(String::from_utf8(out).unwrap(), format!("{want}\n"));
    }

    #[test]
    fn csv_rows_share_one_header_over_every_field() {
        let mut csv = GoldenCsv::new(true);
        let mut other = cluster5("hubspot");
        other.meta = meta(43);
        other.members.truncate(2);
        other.golden = golden(&[
            ("zip", Some("1000"), &["hubspot:2"], "non_empty"),
            ("email", Some("a,b \"q\""), &["hubspot:1", "hubspot:2"], "union"),
        ]);
        csv.push(&cluster5("sf"));
        csv.push(&other);
        assert_eq!(csv.rows(), 2);
        let want = "\
candidate,object,decision,decided_at,steward,survivor,merged,city,city.from,city.rule,email,email.from,email.rule,fax,fax.from,fax.rule,first_name,first_name.from,first_name.rule,phone,phone.from,phone.rule,zip,zip.from,zip.rule
420,contact,42,2026-05-01T10:00:00Z,ana,sf:1,sf:2;sf:3;sf:4;sf:5,Lisbon,sf:4,non_empty,ana@acme.example,sf:2,valid_email,,,steward,Ana,sf:1,most_frequent,+1 555 0199,sf:3,valid_phone,,,
430,contact,43,2026-05-01T10:00:00Z,ana,hubspot:1,hubspot:2,,,,\"a,b \"\"q\"\"\",hubspot:1;hubspot:2,union,,,,,,,,,,1000,hubspot:2,non_empty
";
        assert_eq!(String::from_utf8(csv.finish()).unwrap(), want);
    }

    #[test]
    fn an_empty_export_is_the_header() {
        let want = format!("{}\n", CSV_COLUMNS.join(","));
        assert_eq!(String::from_utf8(GoldenCsv::new(false).finish()).unwrap(), want);
    }

    #[test]
    fn csv_cells_are_guarded_unless_raw() {
        // Every formula trigger, in a value, a steward name and a field name.
        for trigger in ["=", "+", "-", "@", "\t", "\r", "\n"] {
            let mut m = cluster5("sf");
            m.members.truncate(2);
            m.meta.steward = format!("{trigger}ana");
            m.golden =
                golden(&[(&format!("{trigger}f"), Some(&format!("{trigger}1+1")), &["sf:2"], "non_empty")]);
            for raw in [false, true] {
                let mut csv = GoldenCsv::new(raw);
                csv.push(&m);
                let text = String::from_utf8(csv.finish()).unwrap();
                let mark = if raw { "" } else { "'" };
                let cell = |s: String| super::super::csv_cell::encode(&format!("{mark}{s}")).into_owned();
                for want in [
                    cell(format!("{trigger}f")),
                    cell(format!("{trigger}ana")),
                    cell(format!("{trigger}1+1")),
                ] {
                    assert!(text.contains(&want), "{trigger:?} raw={raw}: {want:?} not in {text:?}");
                }
                if raw {
                    assert!(!text.contains('\''), "{text:?}");
                }
            }
        }
    }
}
