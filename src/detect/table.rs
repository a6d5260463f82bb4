//! The records of one object as detection holds them: column by column, each value normalised for
//! its kind and interned (one copy of each distinct value, records hold 4-byte ids), with the
//! derived forms blocking and comparison need (e-mail local part, given-name alias, phonetic code).
//! Built once per run from rows the store streams; normalisation runs per distinct value, in parallel.

use super::intern::{Interner, Strings};
use super::kinds::{Kind, ObjectConfig};
use super::names::Generation;
use super::{columns, names, normalise};
use rayon::prelude::*;
use std::collections::HashMap;

/// The region of phone numbers written without a country code, unless the config says otherwise.
pub const DEFAULT_REGION: &str = "US";

/// Where a record stands for this run.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RecordMeta {
    pub rowid: i64,
    pub version: i64,
    pub source: u32,
    /// New or changed since the last run: pairs involving it are compared.
    pub dirty: bool,
}

/// Values of one column, interned: `ids[record]` is 0 for a missing value, else an index in `dict`.
#[derive(Debug, Default, Clone)]
pub struct Interned {
    pub ids: Vec<u32>,
    pub dict: Strings,
    /// How many records hold each value (for term-frequency weights).
    pub counts: Vec<u32>,
    /// A hash of each value, for block keys.
    pub hashes: Vec<u64>,
    /// Values held: records with a value, and the further values of records with several.
    pub present: u32,
}

impl Interned {
    /// Interns per key: `map[key]` is the value of that key (keys without a value are missing),
    /// `slots[c][record]` the key column `c` gives each record. A record's value is the first one
    /// its columns give it, in column order; its other distinct values are returned beside, as
    /// (record, id) in record order. Also returns each key's id. Counts take every value.
    pub(super) fn from_slots(
        slots: &[Vec<u32>],
        map: &[Option<String>],
    ) -> (Interned, Vec<(u32, u32)>, Vec<u32>) {
        let mut interner = Interner::default();
        let mut counts = vec![0u32];
        let mut hashes = vec![0u64];
        let mut remap = vec![0u32; map.len()];
        for (raw, value) in map.iter().enumerate() {
            if let Some(v) = value {
                let (id, new) = interner.intern(v);
                if new {
                    counts.push(0);
                    hashes.push(hash_str(v));
                }
                remap[raw] = id;
            }
        }
        let mut more: Vec<(u32, u32)> = Vec::new();
        let ids: Vec<u32> = match slots {
            [one] => one.iter().map(|r| remap[*r as usize]).collect(),
            _ => (0..slots.first().map_or(0, Vec::len))
                .map(|r| {
                    let start = more.len();
                    let mut first = 0;
                    for id in slots.iter().map(|s| remap[s[r] as usize]).filter(|id| *id != 0) {
                        if first == 0 {
                            first = id;
                        } else if id != first && !more[start..].iter().any(|(_, x)| *x == id) {
                            more.push((r as u32, id));
                        }
                    }
                    first
                })
                .collect(),
        };
        let mut present = 0;
        for id in ids.iter().chain(more.iter().map(|(_, id)| id)) {
            if *id != 0 {
                counts[*id as usize] += 1;
                present += 1;
            }
        }
        (Interned { ids, dict: interner.into_strings(), counts, hashes, present }, more, remap)
    }

    pub fn get(&self, record: usize) -> Option<&str> {
        match self.ids[record] {
            0 => None,
            id => Some(self.dict.get(id as usize)),
        }
    }

    /// Share of values equal to this record's (0 when missing).
    pub fn frequency(&self, record: usize) -> f64 {
        let id = self.ids[record] as usize;
        if id == 0 || self.present == 0 {
            return 0.0;
        }
        self.counts[id] as f64 / self.present as f64
    }

    /// The chance that two records with values hold the same one: Σ p².
    pub fn collision(&self) -> f64 {
        if self.present == 0 {
            return 0.0;
        }
        let n = self.present as f64;
        self.counts.iter().skip(1).map(|c| (*c as f64 / n).powi(2)).sum()
    }
}

/// A fast, seedless hasher for the interning maps (FNV-1a with a finaliser): values are short
/// and the maps are private to one run.
#[derive(Debug, Default, Clone, Copy)]
pub struct FastHash;

/// The hasher `FastHash` builds.
pub struct Fnv(u64);

impl std::hash::BuildHasher for FastHash {
    type Hasher = Fnv;
    fn build_hasher(&self) -> Fnv {
        Fnv(0xcbf2_9ce4_8422_2325)
    }
}

impl std::hash::Hasher for Fnv {
    fn write(&mut self, bytes: &[u8]) {
        for b in bytes {
            self.0 ^= *b as u64;
            self.0 = self.0.wrapping_mul(0x100_0000_01b3);
        }
    }
    fn finish(&self) -> u64 {
        mix(self.0)
    }
}

type FastMap<K, V> = HashMap<K, V, FastHash>;

/// 64-bit FNV-1a, then a finaliser: stable across runs (block keys must not depend on a random seed).
pub fn hash_str(text: &str) -> u64 {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for b in text.as_bytes() {
        h ^= *b as u64;
        h = h.wrapping_mul(0x100_0000_01b3);
    }
    mix(h)
}

pub fn mix(mut h: u64) -> u64 {
    h ^= h >> 33;
    h = h.wrapping_mul(0xff51_afd7_ed55_8ccd);
    h ^= h >> 33;
    h = h.wrapping_mul(0xc4ce_b9fe_1a85_ec53);
    h ^ (h >> 33)
}

/// One compared field: its normalised values and derived forms. A field holds one column, or
/// every column of one kind (`columns`): a record's value is then the first of them it fills, and
/// any other values it has in them are in `more`.
#[derive(Debug, Clone)]
pub struct Field {
    pub name: String,
    pub kind: Kind,
    /// The columns whose values it holds, by name.
    pub columns: Vec<String>,
    pub norm: Interned,
    /// The further values of records with several: (record, `norm` id), by record.
    pub more: Vec<(u32, u32)>,
    /// E-mail local part; given-name alias; full name with its words sorted.
    pub alt: Option<Interned>,
    /// Phonetic code (names); house number (streets).
    pub code: Option<Interned>,
    /// The `alt` and `code` id of each `norm` id (empty without them).
    pub alt_of: Vec<u32>,
    pub code_of: Vec<u32>,
}

impl Field {
    /// Record `r`'s further values (beyond `norm.ids[r]`), as (record, `norm` id).
    pub fn more_of(&self, r: usize) -> &[(u32, u32)] {
        if self.more.is_empty() {
            return &[];
        }
        let r = r as u32;
        let start = self.more.partition_point(|(x, _)| *x < r);
        let len = self.more[start..].partition_point(|(x, _)| *x == r);
        &self.more[start..start + len]
    }

    /// Record `r`'s value ids, its first value first (none when it has no value).
    pub fn values_of(&self, r: usize) -> impl Iterator<Item = u32> + '_ {
        let first = self.norm.ids[r];
        (first != 0).then_some(first).into_iter().chain(self.more_of(r).iter().map(|(_, id)| *id))
    }

    /// The text of a `norm` id.
    pub fn text(&self, id: u32) -> &str {
        if id == 0 {
            ""
        } else {
            &self.norm.dict[id as usize]
        }
    }
}

/// The records of one run, column by column.
#[derive(Debug, Default)]
pub struct Table {
    pub records: Vec<RecordMeta>,
    pub sources: Vec<String>,
    pub fields: Vec<Field>,
    /// Each record's generational suffix (`Jr.`, `Sr.`), from its name fields or a suffix field;
    /// empty when no record carries one.
    pub generations: Vec<Option<Generation>>,
}

impl Table {
    /// The two records' generational suffixes when both carry one and they differ (father and
    /// son): never one person.
    pub fn generations_apart(&self, a: usize, b: usize) -> Option<(Generation, Generation)> {
        match (self.generations.get(a)?, self.generations.get(b)?) {
            (Some(x), Some(y)) if x != y => Some((*x, *y)),
            _ => None,
        }
    }
}

/// Raw values as they stream in: one interned column per field name.
#[derive(Debug, Default)]
pub struct RawTable {
    pub records: Vec<RecordMeta>,
    pub sources: Vec<String>,
    columns: Vec<RawColumn>,
    column_of: FastMap<String, usize>,
}

/// One column's raw values, interned: `ids[record]` (0: missing) indexes `values`.
#[derive(Debug)]
pub(super) struct RawColumn {
    pub(super) name: String,
    pub(super) ids: Vec<u32>,
    pub(super) values: Interner,
}

impl RawTable {
    /// Adds one record; `fields` are its (name, raw value) pairs, missing values absent.
    pub fn push<'a>(
        &mut self,
        rowid: i64,
        version: i64,
        source: &str,
        dirty: bool,
        fields: impl IntoIterator<Item = (&'a str, &'a str)>,
    ) {
        let source = match self.sources.iter().position(|s| s == source) {
            Some(i) => i as u32,
            None => {
                self.sources.push(source.to_string());
                (self.sources.len() - 1) as u32
            }
        };
        let n = self.records.len();
        self.records.push(RecordMeta { rowid, version, source, dirty });
        // Records list their fields in the same order: try the column after the last one first.
        let mut next = 0;
        for (name, value) in fields {
            let value = value.trim();
            if value.is_empty() {
                continue;
            }
            let col = match self.columns.get(next) {
                Some(c) if c.name == name => next,
                _ => self.column(name, n),
            };
            next = col + 1;
            let column = &mut self.columns[col];
            column.ids.resize(n + 1, 0);
            column.ids[n] = column.values.intern(value).0;
        }
    }

    /// The column of a field name, added (empty for the records before) if new.
    fn column(&mut self, name: &str, records_before: usize) -> usize {
        if let Some(c) = self.column_of.get(name) {
            return *c;
        }
        self.columns.push(RawColumn {
            name: name.to_string(),
            ids: vec![0; records_before],
            values: Interner::default(),
        });
        self.column_of.insert(name.to_string(), self.columns.len() - 1);
        self.columns.len() - 1
    }

    /// Normalises every column for its kind (from `config`, else inferred) into the compared
    /// fields: one per kind, gathering its columns (`columns::group`); `ignore` columns go.
    pub fn build(mut self, object: &str, config: &ObjectConfig) -> Table {
        let n = self.records.len();
        // Phones without a country code are read as US numbers unless the config names a region.
        let region = normalise::region(config.default_region.as_deref().unwrap_or(DEFAULT_REGION));
        let mut columns = std::mem::take(&mut self.columns);
        columns.sort_by(|a, b| a.name.cmp(&b.name));
        for col in &mut columns {
            col.ids.resize(n, 0);
        }
        let regions = record_regions(&columns, object, config);
        let generations = record_generations(&columns, n, object, config);
        let fields: Vec<Field> = columns::group(columns, object, config)
            .into_par_iter()
            .map(|group| columns::build_field(group, region, regions.as_deref()))
            .collect();
        Table { records: self.records, sources: self.sources, fields, generations }
    }
}

/// Each record's generational suffix: from the first column that gives it one, of the name
/// columns and a suffix column (`Suffix`, `name_suffix`). Empty when no record has one.
fn record_generations(
    columns: &[RawColumn],
    n: usize,
    object: &str,
    config: &ObjectConfig,
) -> Vec<Option<Generation>> {
    type Read = fn(&str) -> Option<Generation>;
    let readers: Vec<(&RawColumn, Read)> = columns
        .iter()
        .filter_map(|c| {
            let plain: String = c.name.chars().filter(|ch| ch.is_alphanumeric()).collect();
            match config.kind_of(object, &c.name) {
                Kind::FirstName | Kind::LastName | Kind::FullName => {
                    Some((c, names::name_generation as Read))
                }
                _ if matches!(plain.to_lowercase().as_str(), "suffix" | "namesuffix") => {
                    Some((c, names::suffix_generation as Read))
                }
                _ => None,
            }
        })
        .collect();
    let by_value: Vec<Vec<Option<Generation>>> = readers
        .iter()
        .map(|(c, read)| {
            c.values.strings.iter().map(|raw| if raw.is_empty() { None } else { read(raw) }).collect()
        })
        .collect();
    if by_value.iter().all(|values| values.iter().all(Option::is_none)) {
        return Vec::new();
    }
    (0..n)
        .map(|r| readers.iter().zip(&by_value).find_map(|((c, _), values)| values[c.ids[r] as usize]))
        .collect()
}

/// A phone region (`None`: the default).
pub(super) type Region = Option<phonenumber::country::Id>;

/// Each record's own phone region, from the first country column that names one: a Spanish
/// record's `93 468 80 87` is +34 934 688 087, not a US number. `None` without a country column.
fn record_regions(columns: &[RawColumn], object: &str, config: &ObjectConfig) -> Option<Vec<Region>> {
    let countries: Vec<(&RawColumn, Vec<Region>)> = columns
        .iter()
        .filter(|c| config.kind_of(object, &c.name) == Kind::Country)
        .map(|c| {
            let by_value = c
                .values
                .strings
                .iter()
                .map(|raw| if raw.is_empty() { None } else { normalise::region(&normalise::country(raw)) })
                .collect();
            (c, by_value)
        })
        .collect();
    let n = countries.first()?.0.ids.len();
    Some((0..n).map(|r| countries.iter().find_map(|(c, by_value)| by_value[c.ids[r] as usize])).collect())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn phones_are_read_in_their_records_country() {
        let mut raw = RawTable::default();
        raw.push(1, 1, "crm", true, [("Phone", "93 468 80 87"), ("Country", "Spain")]);
        raw.push(2, 1, "crm", true, [("Phone", "+34 934 688 087"), ("Country", "ES")]);
        // The same digits in a US record, and with no country (the default region, US).
        raw.push(3, 1, "crm", true, [("Phone", "93 468 80 87"), ("Country", "USA")]);
        raw.push(4, 1, "crm", true, [("Phone", "(415) 555-0100")]);
        raw.push(5, 1, "crm", true, [("Phone", "020 7946 0958"), ("Country", "United Kingdom")]);
        // A country no region reads keeps the default.
        raw.push(6, 1, "crm", true, [("Phone", "(415) 555-0100"), ("Country", "Atlantis")]);
        let table = raw.build("contact", &ObjectConfig::default());
        let phone = table.fields.iter().find(|f| f.kind == Kind::Phone).unwrap();
        let got: Vec<Option<&str>> = (0..6).map(|r| phone.norm.get(r)).collect();
        assert_eq!(got[0], Some("+34934688087"));
        assert_eq!(got[1], Some("+34934688087"));
        assert_ne!(got[2], got[0], "read as a US number");
        assert_eq!(got[3], Some("+14155550100"));
        assert_eq!(got[4], Some("+442079460958"));
        assert_eq!(got[5], Some("+14155550100"));
        assert_eq!(phone.norm.ids[3], phone.norm.ids[5], "one value, interned once");
        assert_eq!(phone.norm.frequency(3), 2.0 / 6.0, "two of six records");
    }

    #[test]
    fn interns_normalised_values_and_counts_them() {
        let mut raw = RawTable::default();
        raw.push(1, 1, "crm", true, [("Email", "A.B+x@gmail.com"), ("FirstName", "Bob")]);
        raw.push(2, 1, "crm", true, [("Email", "ab@gmail.com"), ("FirstName", "Robert")]);
        raw.push(3, 1, "web", true, [("FirstName", "  ")]);
        let table = raw.build("contact", &ObjectConfig::default());
        assert_eq!(table.sources, ["crm", "web"]);
        let email = table.fields.iter().find(|f| f.kind == Kind::Email).unwrap();
        assert_eq!(email.norm.get(0), Some("ab@gmail.com"));
        assert_eq!(email.norm.ids[0], email.norm.ids[1]);
        assert_eq!(email.norm.get(2), None);
        assert_eq!(email.norm.frequency(0), 1.0);
        let first = table.fields.iter().find(|f| f.kind == Kind::FirstName).unwrap();
        let alias = first.alt.as_ref().unwrap();
        assert_eq!(alias.ids[0], alias.ids[1]);
        assert_eq!(first.norm.present, 2);
    }
}
