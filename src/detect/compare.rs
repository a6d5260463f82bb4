//! Field comparisons: for a pair of records, each field's comparison level (0 = closest, up to the
//! kind's last level = different, `MISSING` when either value is absent), with strsim's
//! Jaro-Winkler, Levenshtein and exact equality. Given and family names swapped between two
//! records are compared crosswise. A pair's levels pack into one `u64` (4 bits per field).

use super::kinds::Kind;
use super::names;
use super::similarity::{jaro_winkler_from, osa_within};
use super::table::{Field, Table};

/// The level of a field with a value missing on either side.
pub const MISSING: u8 = 15;
/// At most this many fields are compared (4 bits each in a `u64`, one bit left for the swap flag).
pub const MAX_FIELDS: usize = 15;
/// The name of level `l` for the values compared: a text field holding numbers on both sides
/// (`form_submissions`, a house number) is compared by digit edits, not by Jaro-Winkler.
pub fn level_name(kind: Kind, l: u8, a: &str, b: &str) -> &'static str {
    let digits = |s: &str| !s.is_empty() && s.bytes().all(|c| c.is_ascii_digit());
    match kind {
        Kind::Street | Kind::Text if l == 1 && digits(a) && digits(b) => "one digit off",
        _ => level_names(kind)[l as usize],
    }
}

/// Set in a packed pattern when given and family names were compared crosswise.
pub const SWAPPED: u64 = 1 << 63;

/// The names of a kind's levels, closest first; the last one always means "different".
pub fn level_names(kind: Kind) -> &'static [&'static str] {
    match kind {
        Kind::FirstName => {
            &["exact", "nickname", "Jaro-Winkler ≥ 0.92", "Jaro-Winkler ≥ 0.80", "initial", "different"]
        }
        Kind::LastName => {
            &["exact", "Jaro-Winkler ≥ 0.92", "Jaro-Winkler ≥ 0.85", "Jaro-Winkler ≥ 0.70", "different"]
        }
        Kind::FullName => &["exact", "same words", "Jaro-Winkler ≥ 0.92", "Jaro-Winkler ≥ 0.80", "different"],
        Kind::Email => &["exact", "same local part", "similar local part", "different"],
        Kind::Phone => &["exact", "one digit off", "different"],
        Kind::Website | Kind::State | Kind::Country => &["exact", "different"],
        Kind::Company => &["exact", "Jaro-Winkler ≥ 0.92", "Jaro-Winkler ≥ 0.80", "different"],
        Kind::Street | Kind::Text => &["exact", "Jaro-Winkler ≥ 0.90", "Jaro-Winkler ≥ 0.70", "different"],
        Kind::City => &["exact", "Jaro-Winkler ≥ 0.90", "different"],
        Kind::Postcode => &["exact", "one character off", "different"],
        Kind::Date => {
            &["exact", "one character off or day and month swapped", "two characters off", "different"]
        }
        Kind::Id => &["exact", "one edit apart", "two edits apart", "different"],
        Kind::Ignore => &["different"],
    }
}

/// The level of two present, normalised values of a kind (they are known to differ).
pub fn level_of(kind: Kind, a: &str, b: &str) -> u8 {
    if kind == Kind::FirstName {
        let first_a = a.split(' ').next().unwrap_or(a);
        let first_b = b.split(' ').next().unwrap_or(b);
        if names::same_person_name(first_a, first_b) {
            return 1;
        }
    }
    level_without_alias(kind, a, b)
}

/// `level_of` once given-name aliases are known to differ.
fn level_without_alias(kind: Kind, a: &str, b: &str) -> u8 {
    let digits = || a.bytes().all(|c| c.is_ascii_digit()) && b.bytes().all(|c| c.is_ascii_digit());
    let edits = |limit: usize| osa_within(a, b, limit);
    match kind {
        Kind::FirstName => match jaro_winkler_from(a, b, 0.80) {
            Some(s) if s >= 0.92 => 2,
            Some(_) => 3,
            None if (a.len() == 1 || b.len() == 1) && a.as_bytes()[0] == b.as_bytes()[0] => 4,
            None => 5,
        },
        Kind::LastName => bands(a, b, &[0.92, 0.85, 0.70]),
        Kind::FullName => {
            let (sa, sb) = (sorted_words(a), sorted_words(b));
            if sa == sb {
                1
            } else {
                1 + bands(&sa, &sb, &[0.92, 0.80]).min(bands(a, b, &[0.92, 0.80]))
            }
        }
        Kind::Email => {
            let (la, lb) = (a.split('@').next().unwrap_or(a), b.split('@').next().unwrap_or(b));
            if la == lb {
                1
            } else if la.len().min(lb.len()) >= 4 && jaro_winkler_from(la, lb, 0.9).is_some() {
                2
            } else {
                3
            }
        }
        Kind::Phone => {
            let (da, db) = (tail(a, 10), tail(b, 10));
            if da == db || (da.len() >= 7 && osa_within(da, db, 1).is_some()) {
                1
            } else {
                2
            }
        }
        Kind::Website | Kind::State | Kind::Country | Kind::Ignore => level_names(kind).len() as u8 - 1,
        Kind::Company => bands(a, b, &[0.92, 0.80]),
        Kind::Street | Kind::Text if digits() => {
            if edits(1).is_some() {
                1
            } else {
                3
            }
        }
        Kind::Street | Kind::Text => bands(a, b, &[0.90, 0.70]),
        Kind::City => bands(a, b, &[0.90]),
        Kind::Postcode => {
            if edits(1).is_some() {
                1
            } else {
                2
            }
        }
        Kind::Date => {
            let swapped =
                a.len() == 8 && b.len() == 8 && a[..4] == b[..4] && a[4..6] == b[6..] && a[6..] == b[4..6];
            match edits(2) {
                _ if swapped => 1,
                Some(1) => 1,
                Some(_) => 2,
                None => 3,
            }
        }
        Kind::Id => match edits(2) {
            Some(1) => 1,
            Some(_) => 2,
            None => 3,
        },
    }
}

/// The index of the first Jaro-Winkler band (cuts, highest first) two values reach, plus one
/// (0 is kept for exact equality); past the last band, "different".
fn bands(a: &str, b: &str, cuts: &[f64]) -> u8 {
    let lowest = cuts.last().copied().unwrap_or(0.0);
    match jaro_winkler_from(a, b, lowest) {
        Some(score) => {
            cuts.iter().position(|c| score >= *c).map(|i| i as u8 + 1).unwrap_or(cuts.len() as u8 + 1)
        }
        None => cuts.len() as u8 + 1,
    }
}

fn sorted_words(text: &str) -> String {
    let mut words: Vec<&str> = text.split(' ').collect();
    words.sort_unstable();
    words.join(" ")
}

fn tail(text: &str, n: usize) -> &str {
    let start = text.len().saturating_sub(n);
    &text[start..]
}

/// Compares two records field by field.
///
/// Each record's compared values sit together: a row of `u32` (value ids, the given-name alias,
/// value lengths, where its text starts, which fields hold further values) and its values end to
/// end in one text buffer. A pair then reads two rows and two short runs of text instead of some
/// forty scattered places (ids per column, offsets and bytes per dictionary), which is what
/// comparing cost when memory-bound. A record's further values of a field (`Field::more`) are
/// read from the table, only for the pairs that have some.
pub struct Comparer<'a> {
    table: &'a Table,
    fields: Vec<usize>,
    kinds: Vec<Kind>,
    /// Positions (in `fields`) of the given- and family-name fields, when both exist.
    names: Option<(usize, usize)>,
    /// Per record, `width` slots: ids of the compared fields, the given-name alias id, the length
    /// of each compared value, the start of the record's text (low and high half), and a bit per
    /// field where the record holds further values (`Field::more`: several columns of the kind).
    rows: Vec<u32>,
    width: usize,
    text: String,
}

impl<'a> Comparer<'a> {
    /// The table fields a comparer compares: at most `MAX_FIELDS`, in table order.
    pub fn compared(table: &Table) -> impl Iterator<Item = &Field> {
        table.fields.iter().take(MAX_FIELDS)
    }

    /// Compares the table's fields (at most `MAX_FIELDS`, in table order).
    pub fn new(table: &'a Table) -> Comparer<'a> {
        let fields: Vec<usize> = (0..Comparer::compared(table).count()).collect();
        let pos = |kind| fields.iter().position(|f| table.fields[*f].kind == kind);
        let names = pos(Kind::FirstName).zip(pos(Kind::LastName));
        let nf = fields.len();
        let width = 2 * nf + 4;
        let alias = pos(Kind::FirstName).and_then(|p| table.fields[fields[p]].alt.as_ref());
        let n = table.records.len();
        let mut rows = vec![0u32; n * width];
        let mut text = String::new();
        for (r, row) in rows.chunks_mut(width).enumerate() {
            let start = text.len() as u64;
            for (slot, f) in fields.iter().enumerate() {
                let values = &table.fields[*f].norm;
                let id = values.ids[r];
                row[slot] = id;
                let value = if id == 0 { "" } else { &values.dict[id as usize] };
                row[nf + 1 + slot] = value.len() as u32;
                text.push_str(value);
            }
            row[nf] = alias.map(|a| a.ids[r]).unwrap_or(0);
            row[2 * nf + 1] = start as u32;
            row[2 * nf + 2] = (start >> 32) as u32;
        }
        for (slot, f) in fields.iter().enumerate() {
            for &(r, _) in &table.fields[*f].more {
                rows[r as usize * width + 2 * nf + 3] |= 1 << slot;
            }
        }
        let kinds = fields.iter().map(|f| table.fields[*f].kind).collect();
        Comparer { table, fields, kinds, names, rows, width, text }
    }

    /// The compared fields, in pattern order.
    pub fn fields(&self) -> impl Iterator<Item = &'a Field> + '_ {
        self.fields.iter().map(|f| &self.table.fields[*f])
    }

    pub fn len(&self) -> usize {
        self.fields.len()
    }

    pub fn is_empty(&self) -> bool {
        self.fields.is_empty()
    }

    /// Record `r`'s value ids, in pattern order.
    pub fn ids(&self, r: usize) -> &[u32] {
        &self.rows[r * self.width..r * self.width + self.fields.len()]
    }

    /// Record `r`'s compared values, in pattern order ("" when missing).
    pub fn values(&self, r: usize) -> [&str; MAX_FIELDS] {
        let nf = self.fields.len();
        let row = &self.rows[r * self.width..(r + 1) * self.width];
        let mut at = (row[2 * nf + 1] as u64 | (row[2 * nf + 2] as u64) << 32) as usize;
        let mut out = [""; MAX_FIELDS];
        for (slot, value) in out.iter_mut().enumerate().take(nf) {
            let len = row[nf + 1 + slot] as usize;
            *value = &self.text[at..at + len];
            at += len;
        }
        out
    }

    fn field_level(kind: Kind, a: u32, b: u32, x: &str, y: &str, same_alias: bool) -> u8 {
        if a == 0 || b == 0 {
            return MISSING;
        }
        if a == b {
            return 0;
        }
        if kind == Kind::FirstName {
            // Nicknames: the interned formal names are equal.
            return if same_alias { 1 } else { level_without_alias(kind, x, y) };
        }
        level_of(kind, x, y)
    }

    /// The level of field `k` for records `i` and `j`, as `pattern` gives it, without comparing
    /// the other fields unless names may be swapped.
    pub fn level(&self, i: usize, j: usize, k: usize) -> u8 {
        let nf = self.fields.len();
        let row_i = &self.rows[i * self.width..(i + 1) * self.width];
        let row_j = &self.rows[j * self.width..(j + 1) * self.width];
        let (a, b) = (row_i[k], row_j[k]);
        if a == 0 || b == 0 {
            return MISSING;
        }
        if (row_i[2 * nf + 3] | row_j[2 * nf + 3]) & 1 << k != 0 {
            return level_at(self.pattern(i, j), k);
        }
        let same_alias = row_i[nf] != 0 && row_i[nf] == row_j[nf];
        let (values_i, values_j) = (self.values(i), self.values(j));
        let level = Self::field_level(self.kinds[k], a, b, values_i[k], values_j[k], same_alias);
        match self.names {
            // Names compared crosswise keep their initials: only then is the whole pattern needed.
            Some((fp, lp)) if (k == fp || k == lp) && level >= 2 => {
                let initial = |v: &str| v.as_bytes().first().copied();
                if initial(values_i[fp]) == initial(values_j[lp])
                    && initial(values_i[lp]) == initial(values_j[fp])
                {
                    level_at(self.pattern(i, j), k)
                } else {
                    level
                }
            }
            _ => level,
        }
    }

    /// Field `k` of records `i` and `j` when either holds several values: the closest level of
    /// any two of their values, and the two value ids that reach it (the first such pair, the
    /// records' first values first).
    fn best(&self, i: usize, j: usize, k: usize) -> (u8, u32, u32) {
        let field = &self.table.fields[self.fields[k]];
        let alias = |id: u32| field.alt_of.get(id as usize).copied().unwrap_or(0);
        let mut best = (MISSING, 0, 0);
        for a in field.values_of(i) {
            for b in field.values_of(j) {
                let same_alias = alias(a) != 0 && alias(a) == alias(b);
                let level = Self::field_level(field.kind, a, b, field.text(a), field.text(b), same_alias);
                if level < best.0 {
                    best = (level, a, b);
                    if level == 0 {
                        return best;
                    }
                }
            }
        }
        best
    }

    /// The value ids of field `k` that records `i` and `j` were compared on: their values, or the
    /// pair that agrees best when either holds several.
    pub fn compared_ids(&self, i: usize, j: usize, k: usize) -> (u32, u32) {
        let nf = self.fields.len();
        let (row_i, row_j) = (self.row(i), self.row(j));
        let (a, b) = (row_i[k], row_j[k]);
        if a == 0 || b == 0 || (row_i[2 * nf + 3] | row_j[2 * nf + 3]) & 1 << k == 0 {
            return (a, b);
        }
        let (_, a, b) = self.best(i, j, k);
        (a, b)
    }

    /// True when records `i` and `j` hold the same value of field `k` (any of their values).
    pub fn shares(&self, i: usize, j: usize, k: usize) -> bool {
        let (a, b) = self.compared_ids(i, j, k);
        a != 0 && a == b
    }

    /// True when record `i` or `j` holds several values of some field.
    pub fn several(&self, i: usize, j: usize) -> bool {
        let at = 2 * self.fields.len() + 3;
        self.row(i)[at] | self.row(j)[at] != 0
    }

    fn row(&self, r: usize) -> &[u32] {
        &self.rows[r * self.width..(r + 1) * self.width]
    }

    /// The packed levels of records `i` and `j`.
    pub fn pattern(&self, i: usize, j: usize) -> u64 {
        self.pattern_of(i, j, &self.values(i), &self.values(j))
    }

    /// The packed levels of many pairs, appended to `out`. Pairs go in batches whose records are
    /// fetched from memory first, all together: comparing waits on memory more than it computes,
    /// and reads that do not depend on each other overlap.
    pub fn patterns_into(&self, pairs: impl IntoIterator<Item = (usize, usize)>, out: &mut Vec<u64>) {
        const BATCH: usize = 16;
        let mut batch = [(0usize, 0usize); BATCH];
        let mut pairs = pairs.into_iter().peekable();
        while pairs.peek().is_some() {
            let mut n = 0;
            for (slot, pair) in batch.iter_mut().zip(pairs.by_ref()) {
                *slot = pair;
                n += 1;
            }
            let batch = &batch[..n];
            let mut touched = 0u32;
            for &(i, j) in batch {
                touched ^= self.rows[i * self.width] ^ self.rows[(i + 1) * self.width - 1];
                touched ^= self.rows[j * self.width] ^ self.rows[(j + 1) * self.width - 1];
            }
            for &(i, j) in batch {
                touched ^= self.text_ends(i) ^ self.text_ends(j);
            }
            std::hint::black_box(touched);
            for &(i, j) in batch {
                out.push(self.pattern(i, j));
            }
        }
    }

    /// The first and last byte of record `r`'s text (reading them brings it into the cache).
    fn text_ends(&self, r: usize) -> u32 {
        let nf = self.fields.len();
        let row = &self.rows[r * self.width..(r + 1) * self.width];
        let start = (row[2 * nf + 1] as u64 | (row[2 * nf + 2] as u64) << 32) as usize;
        let len: usize = row[nf + 1..2 * nf + 1].iter().map(|l| *l as usize).sum();
        let bytes = self.text.as_bytes();
        match len {
            0 => 0,
            _ => bytes[start] as u32 ^ bytes[start + len - 1] as u32,
        }
    }

    fn pattern_of(&self, i: usize, j: usize, values_i: &[&str], values_j: &[&str]) -> u64 {
        let nf = self.fields.len();
        let mut levels = [0u8; MAX_FIELDS];
        let row_i = &self.rows[i * self.width..(i + 1) * self.width];
        let row_j = &self.rows[j * self.width..(j + 1) * self.width];
        let same_alias = row_i[nf] != 0 && row_i[nf] == row_j[nf];
        for (slot, &kind) in self.kinds.iter().enumerate() {
            levels[slot] =
                Self::field_level(kind, row_i[slot], row_j[slot], values_i[slot], values_j[slot], same_alias);
        }
        let several = row_i[2 * nf + 3] | row_j[2 * nf + 3];
        if several != 0 {
            for (slot, level) in levels.iter_mut().enumerate().take(nf) {
                if several & 1 << slot != 0 && *level != MISSING {
                    *level = self.best(i, j, slot).0;
                }
            }
        }
        let mut swapped = false;
        if let Some((fp, lp)) = self.names {
            let (lf, ll) = (levels[fp], levels[lp]);
            if lf != MISSING && ll != MISSING && (lf >= 2 || ll >= 2) {
                let (fi, li) = (values_i[fp], values_i[lp]);
                let (fj, lj) = (values_j[fp], values_j[lp]);
                // Swapped names keep their initials: anything else is not worth comparing crosswise.
                if fi.as_bytes().first() != lj.as_bytes().first()
                    || li.as_bytes().first() != fj.as_bytes().first()
                {
                    return pack(&levels[..nf]);
                }
                let cross_first = if fi == lj { 0 } else { level_of(Kind::FirstName, fi, lj) };
                let cross_last = if li == fj { 0 } else { level_of(Kind::LastName, li, fj) };
                // Crosswise only when it fits clearly better: both close, and closer in sum.
                if cross_first <= 2 && cross_last <= 1 && cross_first + cross_last < lf + ll {
                    levels[fp] = cross_first;
                    levels[lp] = cross_last;
                    swapped = true;
                }
            }
        }
        pack(&levels[..nf]) | if swapped { SWAPPED } else { 0 }
    }
}

/// Packs levels, 4 bits each, first field lowest.
pub fn pack(levels: &[u8]) -> u64 {
    levels.iter().enumerate().fold(0u64, |acc, (k, l)| acc | ((*l as u64 & 0xf) << (4 * k)))
}

/// The level of field `k` in a packed pattern.
pub fn level_at(pattern: u64, k: usize) -> u8 {
    ((pattern >> (4 * k)) & 0xf) as u8
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_text_field_of_numbers_names_its_level_by_digits() {
        assert_eq!(level_of(Kind::Text, "0", "1"), 1);
        assert_eq!(level_name(Kind::Text, 1, "0", "1"), "one digit off");
        assert_eq!(level_name(Kind::Street, 1, "12", "13"), "one digit off");
        assert_eq!(level_name(Kind::Text, 1, "acme", "acne"), "Jaro-Winkler ≥ 0.90");
        assert_eq!(level_name(Kind::Text, 0, "3", "3"), "exact");
    }

    #[test]
    fn levels_per_kind() {
        let table: &[(Kind, &str, &str, u8)] = &[
            (Kind::FirstName, "bob", "robert", 1),
            (Kind::FirstName, "jonathon", "jonathan", 2),
            (Kind::FirstName, "j", "john", 4),
            (Kind::FirstName, "mary", "john", 5),
            (Kind::LastName, "smith", "smyth", 2),
            (Kind::LastName, "smith", "jones", 4),
            (Kind::FullName, "john smith", "smith john", 1),
            (Kind::Email, "jsmith@acme.com", "jsmith@gmail.com", 1),
            (Kind::Email, "john.smith@acme.com", "jon.smith@acme.com", 2),
            (Kind::Email, "info@acme.com", "sales@acme.com", 3),
            (Kind::Phone, "+14155552671", "+14155552617", 1),
            (Kind::Phone, "+14155552671", "+14155559999", 2),
            (Kind::Street, "12", "21", 1),
            (Kind::Street, "12", "45", 3),
            (Kind::Street, "12 main street", "12 mian street", 1),
            (Kind::Postcode, "2272", "2227", 1),
            (Kind::Date, "19720812", "19721208", 1),
            (Kind::Date, "19720812", "19720813", 1),
            (Kind::Date, "19720812", "19750101", 3),
            (Kind::Id, "1451137", "1451173", 1),
            (Kind::Id, "1451137", "9999999", 3),
            (Kind::Website, "a.com", "b.com", 1),
        ];
        for (kind, a, b, want) in table {
            assert_eq!(level_of(*kind, a, b), *want, "{kind:?} {a} {b}");
            assert!((*want as usize) < level_names(*kind).len());
        }
    }

    #[test]
    fn packs_and_unpacks_levels() {
        let p = pack(&[0, 3, MISSING, 5]);
        assert_eq!((0..4).map(|k| level_at(p, k)).collect::<Vec<_>>(), [0, 3, MISSING, 5]);
    }
}
