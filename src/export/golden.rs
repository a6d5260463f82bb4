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
use crate::json::push_str;
use anyhow::Result;
use rayon::prelude::*;
use rustc_hash::FxHashMap;

/// The fixed columns of `golden-csv`, before the field columns.
pub const CSV_COLUMNS: [&str; 7] =
    ["candidate", "object", "decision", "decided_at", "steward", "survivor", "merged"];

/// Appends one `golden-jsonl` line; values go out exactly as stored. Written by hand rather than
/// through serde (a million lines): the bytes are serde_json's, which the tests check.
pub fn jsonl(m: &ApprovedMerge, out: &mut Vec<u8>) -> Result<()> {
    let mut number = itoa::Buffer::new();
    out.extend_from_slice(b"{\"candidate\":");
    out.extend_from_slice(number.format(m.meta.candidate).as_bytes());
    out.extend_from_slice(b",\"object\":");
    push_str(out, &m.object);
    out.extend_from_slice(b",\"decision\":");
    out.extend_from_slice(number.format(m.meta.seq).as_bytes());
    out.extend_from_slice(b",\"decided_at\":");
    push_str(out, &m.meta.at);
    out.extend_from_slice(b",\"steward\":");
    push_str(out, &m.meta.steward);
    out.extend_from_slice(b",\"survivor\":");
    push_str(out, m.survivor.as_str());
    out.extend_from_slice(b",\"merged\":[");
    for (i, r) in m.merged().enumerate() {
        if i > 0 {
            out.push(b',');
        }
        push_str(out, r.key.as_str());
    }
    out.extend_from_slice(b"],\"fields\":{");
    for (i, g) in m.golden.iter().enumerate() {
        if i > 0 {
            out.push(b',');
        }
        push_str(out, &g.name);
        out.extend_from_slice(b":{\"value\":");
        match &g.value {
            Some(v) => push_str(out, v),
            None => out.extend_from_slice(b"null"),
        }
        out.extend_from_slice(b",\"from\":[");
        for (j, k) in g.from.iter().enumerate() {
            if j > 0 {
                out.push(b',');
            }
            push_str(out, k.as_str());
        }
        out.extend_from_slice(b"],\"rule\":");
        push_str(out, &g.rule);
        out.push(b'}');
    }
    out.extend_from_slice(b"}}\n");
    Ok(())
}

fn joined<'k>(keys: impl Iterator<Item = &'k str>) -> String {
    keys.collect::<Vec<_>>().join(";")
}

/// `golden-csv` rows encoded before the export's columns are known (the header needs every field
/// name of the export): each row's fixed cells, then each field's three cells, located in `text`.
/// Rows are encoded in parallel, a run of rows per part; `GoldenCsv` numbers the fields of all parts
/// alike and lays the rows out in columns when the last one is in.
#[derive(Debug, Default)]
pub struct CsvRows {
    text: String,
    /// Per row: where its text starts, where its fixed cells end (from the start), and where its
    /// fields start in `fields`.
    rows: Vec<(usize, u32, usize)>,
    /// Per field of a row: (field number, start, end) of its three cells, from the row's start.
    fields: Vec<(u32, u32, u32)>,
    /// This part's field numbers (until `GoldenCsv::append` renumbers them for the export).
    names: FieldNumbers,
}

/// Field names numbered in the order first seen.
#[derive(Debug, Default)]
struct FieldNumbers {
    names: Vec<String>,
    numbers: FxHashMap<String, u32>,
}

impl FieldNumbers {
    fn number(&mut self, name: &str) -> u32 {
        if let Some(&n) = self.numbers.get(name) {
            return n;
        }
        let n = self.names.len() as u32;
        self.names.push(name.to_string());
        self.numbers.insert(name.to_string(), n);
        n
    }
}

impl CsvRows {
    /// Encodes the row of one approved candidate; unless `raw`, cells that would start a
    /// spreadsheet formula get a `'`.
    pub fn push(&mut self, m: &ApprovedMerge, raw: bool) {
        let row = self.text.len();
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
                self.text.push(',');
            }
            push_cell(&mut self.text, cell, raw);
        }
        self.rows.push((row, (self.text.len() - row) as u32, self.fields.len()));
        for g in &m.golden {
            let number = self.names.number(&g.name);
            let start = (self.text.len() - row) as u32;
            let text = &mut self.text;
            push_cell(text, g.value.as_deref().unwrap_or(""), raw);
            text.push(',');
            push_cell(text, &joined(g.from.iter().map(Key::as_str)), raw);
            text.push(',');
            push_cell(text, &g.rule, raw);
            self.fields.push((number, start, (self.text.len() - row) as u32));
        }
    }

    /// Row `i`: its text, its fixed cells' end, and its fields.
    fn row(&self, i: usize) -> (&str, usize, &[(u32, u32, u32)]) {
        let (start, fixed_end, first) = self.rows[i];
        let (end, last) = match self.rows.get(i + 1) {
            Some(&(next, _, next_first)) => (next, next_first),
            None => (self.text.len(), self.fields.len()),
        };
        (&self.text[start..end], fixed_end as usize, &self.fields[first..last])
    }
}

/// `golden-csv`, built from parts of encoded rows, in journal order.
pub struct GoldenCsv {
    raw: bool,
    names: FieldNumbers,
    parts: Vec<CsvRows>,
    rows: usize,
}

/// Parts laid out together before their bytes are written (in parallel, in order).
const LAYOUT_PARTS: usize = 64;

impl GoldenCsv {
    pub fn new(raw: bool) -> GoldenCsv {
        GoldenCsv { raw, names: FieldNumbers::default(), parts: Vec::new(), rows: 0 }
    }

    pub fn raw(&self) -> bool {
        self.raw
    }

    pub fn rows(&self) -> usize {
        self.rows
    }

    /// Adds the row of one approved candidate.
    pub fn push(&mut self, m: &ApprovedMerge) {
        let mut part = CsvRows::default();
        part.push(m, self.raw);
        self.append(part);
    }

    /// Adds rows encoded by `CsvRows::push` (with this export's `raw`), after the rows already in.
    pub fn append(&mut self, mut part: CsvRows) {
        let names = std::mem::take(&mut part.names);
        let global: Vec<u32> = names.names.iter().map(|name| self.names.number(name)).collect();
        for field in &mut part.fields {
            field.0 = global[field.0 as usize];
        }
        self.rows += part.rows.len();
        self.parts.push(part);
    }

    /// Writes the finished file: the header, then every row with its fields in the header's columns.
    pub fn write_to(self, out: &mut impl std::io::Write) -> Result<()> {
        let names = &self.names.names;
        let mut order: Vec<u32> = (0..names.len() as u32).collect();
        order.sort_by(|a, b| names[*a as usize].cmp(&names[*b as usize]));
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
            let name = &names[n as usize];
            for suffix in ["", ".from", ".rule"] {
                header.push(',');
                push_cell(&mut header, &format!("{name}{suffix}"), self.raw);
            }
        }
        header.push('\n');
        out.write_all(header.as_bytes())?;
        let layout = |parts: &[CsvRows]| {
            let mut bytes = Vec::with_capacity(parts.iter().map(|p| p.text.len() + p.rows.len() * 4).sum());
            let mut slots: Vec<Option<&str>> = vec![None; column.len()];
            for part in parts {
                for i in 0..part.rows.len() {
                    let (text, fixed_end, fields) = part.row(i);
                    bytes.extend_from_slice(&text.as_bytes()[..fixed_end]);
                    for &(n, start, end) in fields {
                        slots[column[n as usize]] = Some(&text[start as usize..end as usize]);
                    }
                    for slot in slots.iter_mut() {
                        match slot.take() {
                            Some(cells) => {
                                bytes.push(b',');
                                bytes.extend_from_slice(cells.as_bytes());
                            }
                            None => bytes.extend_from_slice(b",,,"),
                        }
                    }
                    bytes.push(b'\n');
                }
            }
            bytes
        };
        for window in self.parts.chunks(LAYOUT_PARTS * rayon::current_num_threads().max(1)) {
            let laid: Vec<Vec<u8>> = window.par_chunks(LAYOUT_PARTS).map(layout).collect();
            for bytes in laid {
                out.write_all(&bytes)?;
            }
        }
        Ok(())
    }

    /// The finished file, in memory.
    pub fn finish(self) -> Vec<u8> {
        let mut out = Vec::new();
        self.write_to(&mut out).expect("writing to memory");
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

    mod serde_line {
        //! The line as serde_json writes it, to check the hand-written one against.
        use super::super::super::plan::{ApprovedMerge, Key};
        use serde::ser::{Serialize, SerializeMap, Serializer};

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

        pub fn jsonl(m: &ApprovedMerge) -> String {
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
            serde_json::to_string(&line).unwrap() + "\n"
        }
    }

    #[test]
    fn jsonl_lines_are_what_serde_json_writes() {
        for text in [
            "plain",
            "",
            "q\"uote",
            "back\\slash",
            "tab\there",
            "nl\n",
            "\u{1}\u{1f}",
            "é ✓ \u{7f}",
            "/slash",
        ] {
            let mut m = cluster5("sf");
            m.object = text.to_string().into();
            m.meta.steward = text.to_string().into();
            m.golden[0].value = Some(text.to_string().into());
            m.golden[1].name = format!("{text}x").into();
            m.golden[1].rule = text.to_string().into();
            m.members[2].key = k(&format!("sf:3{text}"));
            let mut out = Vec::new();
            jsonl(&m, &mut out).unwrap();
            assert_eq!(String::from_utf8(out).unwrap(), serde_line::jsonl(&m), "{text:?}");
        }
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
            m.meta.steward = format!("{trigger}ana").into();
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
