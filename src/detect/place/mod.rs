//! Place evidence and its dependence. CRM records say where a person is reached in four ways —
//! family name, address, phone and company — and non-duplicates share several of them at once: a
//! household its family name, address and landline, an office its company, line and address. Each
//! of these facets is weighed on its own (within a facet, its strongest agreement and strongest
//! disagreement count: a shared street implies a shared city), the facets' weights add up (given a
//! match, they drift independently), and for the set of facets a pair agrees on, the model adds
//! `−log2 lift`, where `lift = P(all of them agree | non-match) / Π P(each agrees | non-match)` is
//! measured on the records themselves: how many pairs share the family name and the street, say,
//! against how many chance alone would give — counting only the non-duplicates among them, told
//! by their given names (duplicates share those, household members and colleagues do not).
//! Without a given name (accounts), the duplicates' number comes from the model's probabilities
//! before any lift (`expected_matches`), and the web domain takes the family name's facet
//! (`domain_apart`).
//! Pure: works on the table, the comparer's ids and pair posteriors.

use super::block::Pair;
use super::compare::{level_names, Comparer, MISSING};
use super::kinds::Kind;
use super::table::{mix, Field, Interned, Table};
use rayon::prelude::*;

/// The facets, in the order their bits take in a mask.
pub const FACETS: [&str; 4] = ["family name", "address", "phone", "company"];
/// Masks of facets: 4 bits.
pub const MASKS: usize = 1 << FACETS.len();

/// The facet of a place kind (or the family name), if any.
pub fn facet_of(kind: Kind) -> Option<usize> {
    match kind {
        Kind::LastName | Kind::FullName => Some(0),
        Kind::Street | Kind::City | Kind::Postcode | Kind::State | Kind::Country => Some(1),
        Kind::Phone => Some(2),
        Kind::Company | Kind::Website => Some(3),
        _ => None,
    }
}

/// Whether the web domain is a facet of its own, in the family name's place: on records without
/// a family name but with a company name (accounts). There a company's name and its domain are
/// the two marks of its identity, not one fact that colleagues share; counted once, a company that
/// moved and changed its line fell below the threshold with both agreeing. Non-duplicates that do
/// share both (divisions filed under the group's domain) are measured like any other facets shared
/// together, and their lift taken off.
pub fn domain_apart(kinds: &[Kind]) -> bool {
    !kinds.iter().any(|k| matches!(k, Kind::LastName | Kind::FullName))
        && kinds.contains(&Kind::Company)
        && kinds.contains(&Kind::Website)
}

/// The facet of each compared field (`facet_of`, with the web domain apart when `domain_apart`).
pub fn facets(comparer: &Comparer) -> Vec<Option<usize>> {
    let kinds: Vec<Kind> = comparer.fields().map(|f| f.kind).collect();
    let apart = domain_apart(&kinds);
    kinds.iter().map(|k| if apart && *k == Kind::Website { Some(0) } else { facet_of(*k) }).collect()
}

/// The facets' names for reasons: `FACETS`, the first being the web domain when it stands apart.
pub fn facet_names(comparer: &Comparer) -> [&'static str; 4] {
    let kinds: Vec<Kind> = comparer.fields().map(|f| f.kind).collect();
    let mut names = FACETS;
    if domain_apart(&kinds) {
        names[0] = "web domain";
    }
    names
}

/// Which compared field (position in the comparer's pattern) says each facet agrees.
pub type Keys = [Option<usize>; 4];

/// The key fields of the facets, in two sets: the family name, the street (else the postcode),
/// the phone, the company (else the web domain); and the same with the postcode for the address
/// (when there is a street too: a pair whose street is missing or differs may still share the
/// postcode, and the lift of that agreement is measured on its own).
pub fn key_sets(comparer: &Comparer) -> [Keys; 2] {
    let kinds: Vec<Kind> = comparer.fields().map(|f| f.kind).collect();
    let first = |wanted: &[Kind]| wanted.iter().find_map(|w| kinds.iter().position(|k| k == w));
    let (street, postcode) = (first(&[Kind::Street]), first(&[Kind::Postcode]));
    let (family, phone, company) = match domain_apart(&kinds) {
        true => (first(&[Kind::Website]), first(&[Kind::Phone]), first(&[Kind::Company])),
        false => (
            first(&[Kind::LastName, Kind::FullName]),
            first(&[Kind::Phone]),
            first(&[Kind::Company, Kind::Website]),
        ),
    };
    [[family, street.or(postcode), phone, company], [family, street.and(postcode), phone, company]]
}

/// A field outside the place facets that tells matches from non-matches and that non-matches
/// sharing a place do not share more than others: the given name. Household members and
/// colleagues have different given names as often as any two people; duplicates hardly ever do.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Separator {
    /// Its position in the comparer's pattern.
    pub field: usize,
    /// P(its level is "different" | match) and P(… | non-match), from the trained model.
    pub m_differs: f64,
    pub u_differs: f64,
}

/// The given-name field as a `Separator`, when there is one and it separates.
pub fn separator(comparer: &Comparer, m: &[Vec<f64>], u: &[Vec<f64>]) -> Option<Separator> {
    let field = comparer.fields().position(|f| f.kind == Kind::FirstName)?;
    let (m_differs, u_differs) = (*m[field].last()?, *u[field].last()?);
    (u_differs > m_differs + 0.5).then_some(Separator { field, m_differs, u_differs })
}

/// Pairs of records sharing the key values of every facet of each mask (exact equality), and
/// pairs of records both holding all of them: counted from value frequencies, no sampling. When
/// linking, both count only pairs across sources, the pairs that can be proposed (a source's own
/// records may share an address far more, or less, than records of two sources do).
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Collisions {
    /// `shared[mask]`: pairs equal on every key of `mask`.
    pub shared: Vec<f64>,
    /// `pairs[mask]`: pairs of records both with a value in every key of `mask`.
    pub pairs: Vec<f64>,
    /// `non_match[mask]`: of the `shared` pairs, how many are not duplicates, told by the
    /// separator (for masks of two facets or more; `None` without a separator).
    pub non_match: Vec<Option<f64>>,
}

/// Records sharing a mask's keys beyond this many are counted as non-matches without comparing
/// their given names (their pairs would cost more than all the rest; duplicates do not come in
/// hundreds).
const RUN_CAP: usize = 300;
/// Sharing pairs whose given names are compared, at most (about), per mask.
const COMPARE_CAP: f64 = 200_000.0;

/// Counts `Collisions` for every mask of one or more facets. Where several facets are shared, the
/// true duplicates among the sharing pairs are many and must not pass for the non-matches'
/// dependence: each sharing pair's given names are compared, and with `d` of `q` pairs whose given
/// names differ, `non-matches = (d − m·q) / (u − m)` (m, u: the separator's "different" shares).
pub fn collisions(
    table: &Table,
    comparer: &Comparer,
    keys: &Keys,
    separator: Option<Separator>,
    link_only: bool,
) -> Collisions {
    let n = table.records.len();
    let source = |r: u32| table.records[r as usize].source;
    let fields: Vec<&Field> = comparer.fields().collect();
    // Each record's first value of a key field: the further values of a record filling several
    // columns of the kind (`Field::more`) are not counted here (value collisions over all pairs
    // need one value a record; a second e-mail or phone is rarely what a household shares).
    let norms: Vec<Option<&Interned>> = keys.iter().map(|k| k.map(|k| &fields[k].norm)).collect();
    // Per record, the facets it has a key value in (low 4 bits) and those whose value another
    // record shares (high 4 bits): one pass, then every mask reads bits.
    let bits: Vec<u8> = (0..n)
        .into_par_iter()
        .map(|r| {
            let mut b = 0u8;
            for (f, values) in norms.iter().enumerate() {
                if let Some(v) = values {
                    let id = v.ids[r] as usize;
                    if id != 0 {
                        b |= 1 << f;
                        if v.counts[id] >= 2 {
                            b |= 1 << (f + 4);
                        }
                    }
                }
            }
            b
        })
        .collect();
    // `holding[source][held]`: records of the source with a value in exactly the facets `held`.
    let mut holding = vec![[0f64; MASKS]; table.sources.len().max(1)];
    for (r, b) in bits.iter().enumerate() {
        let s = if link_only { source(r as u32) as usize } else { 0 };
        holding[s][(b & 0xf) as usize] += 1.0;
    }
    // Pairs in a run of records sharing values (when linking, less those within one source).
    let pairs_in = |run: &[(u64, u32)]| {
        let all = run.len() as f64 * (run.len() as f64 - 1.0) / 2.0;
        if !link_only {
            return all;
        }
        let mut sources: Vec<u32> = run.iter().map(|(_, r)| source(*r)).collect();
        sources.sort_unstable();
        all - sources
            .chunk_by(|a, b| a == b)
            .map(|s| s.len() as f64 * (s.len() as f64 - 1.0) / 2.0)
            .sum::<f64>()
    };
    let sharing: Vec<u32> = (0..n as u32).filter(|r| (bits[*r as usize] >> 4).count_ones() >= 2).collect();
    let counted: Vec<(f64, f64, Option<f64>)> = (0..MASKS)
        .into_par_iter()
        .map(|mask| {
            if mask == 0 || (0..FACETS.len()).any(|f| mask & (1 << f) != 0 && keys[f].is_none()) {
                return (0.0, 0.0, None);
            }
            let present: Vec<f64> = holding
                .iter()
                .map(|h| (0..MASKS).filter(|held| held & mask == mask).map(|held| h[held]).sum())
                .collect();
            let pairs = super::pairs_among(&present, link_only);
            let values: Vec<&Interned> =
                (0..FACETS.len()).filter(|f| mask & (1 << f) != 0).filter_map(|f| norms[f]).collect();
            if let [one] = values[..] {
                let shared: f64 =
                    one.counts.iter().skip(1).map(|c| *c as f64 * (*c as f64 - 1.0) / 2.0).sum();
                if !link_only {
                    return (shared, pairs, None);
                }
                // Less the pairs sharing a value within one source: records by (value, source).
                let mut within: Vec<u64> = (0..n)
                    .filter(|r| one.ids[*r] != 0 && one.counts[one.ids[*r] as usize] >= 2)
                    .map(|r| (one.ids[r] as u64) << 32 | source(r as u32) as u64)
                    .collect();
                within.par_sort_unstable();
                let same: f64 = within
                    .chunk_by(|a, b| a == b)
                    .map(|c| c.len() as f64 * (c.len() as f64 - 1.0) / 2.0)
                    .sum();
                return (shared - same, pairs, None);
            }
            // Only records whose every key value is shared with some other record can share them all.
            let mut keyed: Vec<(u64, u32)> = sharing
                .iter()
                .filter(|r| (bits[**r as usize] >> 4) as usize & mask == mask)
                .map(|r| (values.iter().fold(0u64, |h, v| mix(h ^ v.ids[*r as usize] as u64)), *r))
                .collect();
            keyed.sort_unstable();
            let sep = separator;
            let shared: f64 = keyed.chunk_by(|a, b| a.0 == b.0).map(pairs_in).sum();
            // Past `COMPARE_CAP` sharing pairs, every `stride`-th is compared: a share is enough.
            let stride = (shared / COMPARE_CAP).ceil().max(1.0) as u64;
            let (mut seen, mut compared, mut differ) = (0u64, 0.0, 0.0);
            for run in keyed.chunk_by(|a, b| a.0 == b.0) {
                let Some(sep) = sep else { break };
                if run.len() > RUN_CAP {
                    compared += pairs_in(run) / stride as f64;
                    differ += pairs_in(run) / stride as f64;
                    continue;
                }
                for (x, a) in run.iter().enumerate() {
                    for b in &run[x + 1..] {
                        if link_only && source(a.1) == source(b.1) {
                            continue;
                        }
                        seen += 1;
                        if seen % stride != 0 {
                            continue;
                        }
                        let l = comparer.level(a.1 as usize, b.1 as usize, sep.field);
                        if l == MISSING {
                            continue;
                        }
                        compared += 1.0;
                        if l as usize == level_names(Kind::FirstName).len() - 1 {
                            differ += 1.0;
                        }
                    }
                }
            }
            let non_match = sep.map(|s| {
                if compared <= 0.0 {
                    return shared;
                }
                let non =
                    ((differ - s.m_differs * compared) / (s.u_differs - s.m_differs)).clamp(0.0, compared);
                non * shared / compared
            });
            (shared, pairs, non_match)
        })
        .collect();
    Collisions {
        shared: counted.iter().map(|c| c.0).collect(),
        pairs: counted.iter().map(|c| c.1).collect(),
        non_match: counted.iter().map(|c| c.2).collect(),
    }
}

/// Expected true matches among the compared pairs that share the keys of each mask of two facets
/// or more: the sum of their match probabilities. A single facet's sharing pairs are all counted
/// (0 here), as with a separator: duplicates are a small share of them in any sizeable table, and
/// taking the model's own number out of them too would make every facet's chance, hence every
/// lift, hang on the probabilities the lifts set.
pub fn expected_matches(comparer: &Comparer, keys: &Keys, pairs: &[Pair], posteriors: &[f64]) -> Vec<f64> {
    pairs
        .par_iter()
        .zip(posteriors)
        .fold(
            || vec![0.0; MASKS],
            |mut acc, (p, post)| {
                let (i, j) = (p.a as usize, p.b as usize);
                let (a, b) = (comparer.ids(i), comparer.ids(j));
                let several = comparer.several(i, j);
                let mut same = 0usize;
                for (f, key) in keys.iter().enumerate() {
                    if let Some(k) = key {
                        if (a[*k] != 0 && a[*k] == b[*k]) || (several && comparer.shares(i, j, *k)) {
                            same |= 1 << f;
                        }
                    }
                }
                // Every mask inside the shared set is shared too.
                let mut sub = same;
                while sub != 0 {
                    if sub.count_ones() >= 2 {
                        acc[sub] += post;
                    }
                    sub = (sub - 1) & same;
                }
                acc
            },
        )
        .reduce(
            || vec![0.0; MASKS],
            |mut a, b| {
                a.iter_mut().zip(b).for_each(|(x, y)| *x += y);
                a
            },
        )
}

/// `log2 lift` per mask (0 for masks of fewer than two facets, and never below 0: shared facets
/// are never made to say more together than apart). `matches[mask]`: expected true matches
/// sharing it, removed from the pairs before measuring (they are not the non-matches' dependence).
/// A combination seen in less than one non-match pair is not measured: it takes the largest lift
/// of the combinations inside it (what the data does show), never one made of a floor divided by a
/// tiny chance.
pub fn lifts(c: &Collisions, matches: &[f64]) -> Vec<f64> {
    let pairs = |mask: usize| c.pairs[mask];
    let non_matches = |mask: usize| -> Option<f64> {
        let non_match = match c.non_match.get(mask).copied().flatten() {
            Some(told) => told,
            None => c.shared[mask] - matches.get(mask).copied().unwrap_or(0.0),
        };
        (pairs(mask) >= 1.0 && c.shared[mask] > 0.0).then_some(non_match.max(0.0))
    };
    let mut lift = vec![0.0; MASKS];
    // Fewer facets first: a mask backs off to the masks inside it.
    let mut order: Vec<usize> = (0..MASKS).filter(|m| m.count_ones() >= 2).collect();
    order.sort_by_key(|m| m.count_ones());
    for mask in order {
        let Some(seen) = non_matches(mask) else { continue };
        if seen < 1.0 {
            let mut sub = (mask - 1) & mask;
            while sub != 0 {
                lift[mask] = f64::max(lift[mask], lift[sub]);
                sub = (sub - 1) & mask;
            }
            continue;
        }
        // Non-match pairs sharing every facet of the mask if the facets were independent.
        let mut chance = pairs(mask);
        for f in 0..FACETS.len() {
            if mask & (1 << f) != 0 {
                match non_matches(1 << f) {
                    Some(n) if n > 0.0 => chance *= n / pairs(1 << f),
                    _ => chance = f64::NAN,
                }
            }
        }
        if chance > 0.0 {
            lift[mask] = (seen / chance).log2().max(0.0);
        }
    }
    lift
}

#[cfg(test)]
mod tests;
