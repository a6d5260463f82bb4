//! Records holding several values of one field (`Field::more`: columns of one kind, such as
//! `Email` and `Secondary Email`, both filled): the further block keys their other values give.
//! (Comparison takes the pair of values that agrees best: `Comparer`.)

use super::block::{key_of, Atom, Rule};
use super::table::{mix, Table};

/// The hash an atom gives value `id` of its field (0 when it gives none).
fn atom_hash(table: &Table, atom: Atom, id: u32) -> u64 {
    let form = |values: &Option<super::table::Interned>, of: &[u32]| {
        values.as_ref().map_or(0, |v| v.hashes[of.get(id as usize).copied().unwrap_or(0) as usize])
    };
    match atom {
        Atom::Norm(f) => table.fields[f].norm.hashes[id as usize],
        Atom::Alt(f) => form(&table.fields[f].alt, &table.fields[f].alt_of),
        Atom::Code(f) => form(&table.fields[f].code, &table.fields[f].code_of),
        Atom::Initial(f) => table.fields[f].text(id).chars().next().map_or(0, |c| mix(c as u64 + 1)),
    }
}

/// Most keys one record gives a rule: its values of the rule's fields combined, each way.
const MAX_KEYS: usize = 16;

/// The further keys of records holding several values of a field the rule reads (`Field::more`:
/// `Email` and `Secondary Email`): every combination of their values but the first values' own
/// (`first[record]`, from `keys`), as (record, key), by record, at most `MAX_KEYS` a record.
pub fn more_keys(table: &Table, rule: &Rule, first: &[u64]) -> Vec<(u32, u64)> {
    let mut records: Vec<u32> =
        rule.fields().iter().flat_map(|f| table.fields[*f].more.iter().map(|(r, _)| *r)).collect();
    records.sort_unstable();
    records.dedup();
    let mut out = Vec::new();
    for r in records {
        let mut combos: Vec<[u64; 4]> = vec![[0; 4]];
        for (k, atom) in rule.atoms.iter().enumerate().take(4) {
            let (Atom::Norm(f) | Atom::Alt(f) | Atom::Code(f) | Atom::Initial(f)) = *atom;
            let mut hashes: Vec<u64> =
                table.fields[f].values_of(r as usize).map(|id| atom_hash(table, *atom, id)).collect();
            hashes.retain(|h| *h != 0);
            hashes.dedup();
            combos = combos
                .iter()
                .flat_map(|c| hashes.iter().map(move |h| (c, *h)))
                .map(|(c, h)| {
                    let mut c = *c;
                    c[k] = h;
                    c
                })
                .take(MAX_KEYS)
                .collect();
        }
        let start = out.len();
        for parts in combos {
            let key = key_of(parts, rule.unordered);
            if key != first[r as usize] && !out[start..].contains(&(r, key)) {
                out.push((r, key));
            }
        }
    }
    out
}
