//! Blocking: which pairs get compared. Layered keys, strongest first — the same id, the same web
//! domain (accounts), the same e-mail, company with phone, the same phone — then looser keys
//! (mailbox name with family initial, phonetic names with postcode, date of birth, company…;
//! names alone only for records without e-mail or phone). A pair is produced once, by the first
//! rule whose key it shares; each pair carries the set of rules it satisfies (training needs it).
//! Blocks above `max_block` records are skipped, and a rule whose blocks would still produce more
//! pairs than the budget is dropped, so no run compares all pairs.

use super::kinds::Kind;
use super::table::{mix, Table};
use rayon::prelude::*;

/// One part of a block key.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Atom {
    /// The normalised value of a field.
    Norm(usize),
    /// Its derived form (e-mail local part, given-name alias, sorted words).
    Alt(usize),
    /// Its code (phonetic code, house number).
    Code(usize),
    /// Its first character.
    Initial(usize),
}

/// A blocking rule: records whose atoms all agree (and are present) share a block.
#[derive(Debug, Clone, PartialEq)]
pub struct Rule {
    pub name: String,
    pub atoms: Vec<Atom>,
    /// Given and family name codes as an unordered pair (swapped names still block together).
    pub unordered: bool,
}

impl Rule {
    fn new(table: &Table, atoms: Vec<Atom>, unordered: bool) -> Rule {
        let names: Vec<String> = atoms
            .iter()
            .map(|a| match a {
                Atom::Norm(f) => table.fields[*f].name.clone(),
                Atom::Alt(f) => format!("{} ({})", table.fields[*f].name, alt_word(table.fields[*f].kind)),
                Atom::Code(f) => format!("{} ({})", table.fields[*f].name, code_word(table.fields[*f].kind)),
                Atom::Initial(f) => format!("{} (initial)", table.fields[*f].name),
            })
            .collect();
        let name =
            if unordered { format!("{} (either order)", names.join(" + ")) } else { names.join(" + ") };
        Rule { name, atoms, unordered }
    }

    /// The fields this rule's key reads.
    pub fn fields(&self) -> Vec<usize> {
        let mut out: Vec<usize> = self
            .atoms
            .iter()
            .map(|a| match a {
                Atom::Norm(f) | Atom::Alt(f) | Atom::Code(f) | Atom::Initial(f) => *f,
            })
            .collect();
        out.sort_unstable();
        out.dedup();
        out
    }
}

fn alt_word(kind: Kind) -> &'static str {
    match kind {
        Kind::Email => "local part",
        Kind::FirstName => "alias",
        _ => "words",
    }
}

fn code_word(kind: Kind) -> &'static str {
    match kind {
        Kind::Street => "number",
        _ => "phonetic",
    }
}

/// The blocking rules for a table's fields, strongest first.
pub fn rules_for(table: &Table) -> Vec<Rule> {
    let of = |kind: Kind| -> Vec<usize> {
        table.fields.iter().enumerate().filter(|(_, f)| f.kind == kind).map(|(i, _)| i).collect()
    };
    let first = |kind: Kind| of(kind).first().copied();
    let mut rules: Vec<(Vec<Atom>, bool)> = Vec::new();
    let person = first(Kind::FirstName).or(first(Kind::LastName)).or(first(Kind::FullName)).is_some();
    for f in of(Kind::Id) {
        rules.push((vec![Atom::Norm(f)], false));
    }
    if !person {
        for f in of(Kind::Website) {
            rules.push((vec![Atom::Norm(f)], false));
        }
    }
    for f in of(Kind::Email) {
        rules.push((vec![Atom::Norm(f)], false));
    }
    if let Some(c) = first(Kind::Company) {
        for p in of(Kind::Phone) {
            rules.push((vec![Atom::Norm(c), Atom::Norm(p)], false));
        }
    }
    for p in of(Kind::Phone) {
        rules.push((vec![Atom::Norm(p)], false));
    }
    let (fname, lname, full) = (first(Kind::FirstName), first(Kind::LastName), first(Kind::FullName));
    // The same mailbox name at another domain, with the family name's initial: `john.smith@`
    // alone joins every John Smith (and every `info@`) across all domains.
    for f in of(Kind::Email) {
        let mut atoms = vec![Atom::Alt(f)];
        atoms.extend(lname.map(Atom::Initial));
        rules.push((atoms, false));
    }
    // Names: phonetic codes of given and family name in either order, with something else.
    let date = first(Kind::Date);
    let postcode = first(Kind::Postcode);
    let company = first(Kind::Company);
    let street = first(Kind::Street);
    let city = first(Kind::City);
    let name_pair: Option<Vec<Atom>> = match (fname, lname, full) {
        (Some(f), Some(l), _) => Some(vec![Atom::Code(f), Atom::Code(l)]),
        (_, _, Some(n)) => Some(vec![Atom::Alt(n)]),
        _ => None,
    };
    let unordered = fname.is_some() && lname.is_some();
    for extra in [postcode, company, city, date] {
        if let (Some(pair), Some(x)) = (&name_pair, extra) {
            let mut atoms = pair.clone();
            atoms.push(Atom::Norm(x));
            rules.push((atoms, unordered));
        }
    }
    // Names alone only for records without contact points: with an e-mail or a phone, a person's
    // duplicates share one of those or a place, and namesakes outnumber them in a name-only block
    // (CRM-like 100,000: 409,143 more pairs for 45 more matches and 56 more false ones).
    if let (Some(pair), true) = (&name_pair, of(Kind::Email).is_empty() && of(Kind::Phone).is_empty()) {
        rules.push((pair.clone(), unordered));
    }
    if let Some(d) = date {
        for n in [lname, fname].into_iter().flatten() {
            rules.push((vec![Atom::Code(n), Atom::Norm(d)], false));
        }
        if let Some(p) = postcode {
            rules.push((vec![Atom::Norm(p), Atom::Norm(d)], false));
        }
    }
    if let (Some(l), Some(p)) = (lname, postcode) {
        rules.push((vec![Atom::Norm(l), Atom::Norm(p)], false));
    }
    if let (Some(s), Some(p)) = (street, postcode) {
        rules.push((vec![Atom::Code(s), Atom::Norm(p)], false));
    }
    if let (Some(l), Some(c)) = (lname, company) {
        rules.push((vec![Atom::Code(l), Atom::Norm(c)], false));
    }
    if let (Some(f), Some(l), Some(s)) = (fname, lname, street) {
        rules.push((vec![Atom::Initial(f), Atom::Initial(l), Atom::Norm(s)], false));
    }
    if let Some(d) = date {
        rules.push((vec![Atom::Norm(d)], false));
    }
    if let (Some(c), None) = (company, name_pair.as_ref()) {
        rules.push((vec![Atom::Norm(c)], false));
    }
    let mut out: Vec<Rule> = Vec::new();
    for (atoms, unordered) in rules {
        let rule = Rule::new(table, atoms, unordered);
        if !out.contains(&rule) {
            out.push(rule);
        }
    }
    out.truncate(32);
    out
}

/// Each record's key under a rule (0 = the record has no key: an atom is missing).
pub fn keys(table: &Table, rule: &Rule) -> Vec<u64> {
    (0..table.records.len())
        .into_par_iter()
        .map(|r| {
            let mut parts = [0u64; 4];
            for (k, atom) in rule.atoms.iter().enumerate().take(4) {
                let h = match *atom {
                    Atom::Norm(f) => table.fields[f].norm.hashes[table.fields[f].norm.ids[r] as usize],
                    Atom::Alt(f) | Atom::Code(f) => {
                        let field = &table.fields[f];
                        let col = if matches!(atom, Atom::Alt(_)) {
                            field.alt.as_ref()
                        } else {
                            field.code.as_ref()
                        };
                        col.map(|c| c.hashes[c.ids[r] as usize]).unwrap_or(0)
                    }
                    Atom::Initial(f) => table.fields[f]
                        .norm
                        .get(r)
                        .and_then(|v| v.chars().next())
                        .map(|c| mix(c as u64 + 1))
                        .unwrap_or(0),
                };
                if h == 0 {
                    return 0;
                }
                parts[k] = h;
            }
            key_of(parts, rule.unordered)
        })
        .collect()
}

/// A key from its atoms' hashes.
pub(super) fn key_of(mut parts: [u64; 4], unordered: bool) -> u64 {
    if unordered && parts[0] > parts[1] {
        parts.swap(0, 1);
    }
    let key = parts.iter().fold(0x9e37_79b9_7f4a_7c15u64, |acc, p| mix(acc ^ p).rotate_left(17));
    key.max(1)
}

/// Pairs a dropped rule lends training at most: plenty for EM over a few hundred patterns.
const TRAINING_SAMPLE: u64 = 250_000;

/// Options that shape which pairs are produced.
#[derive(Debug, Clone, Copy)]
pub struct BlockOptions {
    pub link_only: bool,
    pub max_block: usize,
    /// A rule whose blocks would produce more pairs than this is dropped.
    pub rule_budget: u64,
    /// Sample the pairs of dropped rules for training.
    pub sample_dropped: bool,
}

/// A pair to compare: record indices (`a < b`) and the rules whose key they share (bit per rule).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Pair {
    pub a: u32,
    pub b: u32,
    pub rules: u32,
    /// Compared for training only (a sample from a dropped rule), never scored.
    pub train_only: bool,
}

/// What blocking did, for the progress report.
#[derive(Debug, Clone, Default, PartialEq, Eq, serde::Serialize)]
pub struct BlockStats {
    pub rules_used: Vec<String>,
    pub rules_dropped: Vec<String>,
    pub blocks: u64,
    pub blocks_skipped: u64,
    pub pairs: u64,
    /// Pairs sampled from dropped rules to train on, not scored.
    pub training_pairs: u64,
}

/// Sorted (key, record) per rule: the blocks.
fn sorted_keys(keys: &[u64]) -> Vec<(u64, u32)> {
    let mut out: Vec<(u64, u32)> =
        keys.iter().enumerate().filter(|(_, k)| **k != 0).map(|(i, k)| (*k, i as u32)).collect();
    out.par_sort_unstable();
    out
}

/// Every pair to compare, in a deterministic order (rule, then block, then record). A rule dropped
/// for producing too many pairs still lends training a sample of them (its first blocks in key
/// order, up to the budget), marked `train_only` and never scored, when `opts.sample_dropped`.
/// Returns the pairs, the report, and which rules were kept (pair masks index all `rules`).
pub fn pairs(table: &Table, rules: &[Rule], opts: BlockOptions) -> (Vec<Pair>, BlockStats, Vec<bool>) {
    let mut stats = BlockStats::default();
    let mut kept = Vec::new();
    let mut all_keys: Vec<Vec<u64>> = Vec::new();
    let mut sorted: Vec<Vec<(u64, u32)>> = Vec::new();
    // Records with several values of a rule's field have further keys (`more_keys`): per rule,
    // (record, key) by record; per record, a bit for each rule it has some under.
    let mut more: Vec<Vec<(u32, u64)>> = Vec::new();
    let mut has_more: Vec<u32> = Vec::new();
    for (r, rule) in rules.iter().enumerate() {
        let keys = keys(table, rule);
        let mut blocks = sorted_keys(&keys);
        let further = super::several::more_keys(table, rule, &keys);
        if !further.is_empty() {
            has_more.resize(table.records.len(), 0);
            for &(record, key) in &further {
                has_more[record as usize] |= 1 << r;
                blocks.push((key, record));
            }
            blocks.par_sort_unstable();
        }
        more.push(further);
        let budget: u64 = groups(&blocks)
            .map(|g| g.len() as u64)
            .filter(|n| *n as usize <= opts.max_block)
            .map(|n| n * (n - 1) / 2)
            .sum();
        if budget > opts.rule_budget {
            stats.rules_dropped.push(rule.name.clone());
            kept.push(false);
        } else {
            stats.rules_used.push(format!("{} (up to {budget} pairs)", rule.name));
            kept.push(true);
        }
        all_keys.push(keys);
        sorted.push(blocks);
    }
    // Record-major keys: finding every rule a pair shares then reads two short runs of memory
    // instead of two scattered keys per rule.
    let nrules = all_keys.len();
    let mut by_record = vec![0u64; table.records.len() * nrules];
    by_record.par_chunks_mut(nrules.max(1)).enumerate().for_each(|(record, row)| {
        for (slot, keys) in row.iter_mut().zip(&all_keys) {
            *slot = keys[record];
        }
    });
    drop(all_keys);
    let records = &table.records;
    // A rule's keys of a record: its first one and any further ones.
    let keys_of = |r: usize, record: u32, first: &[u64]| -> Vec<u64> {
        let further = &more[r];
        let start = further.partition_point(|(x, _)| *x < record);
        std::iter::once(first[r])
            .chain(further[start..].iter().take_while(|(x, _)| *x == record).map(|(_, k)| *k))
            .filter(|k| *k != 0)
            .collect()
    };
    let per_rule: Vec<(Vec<Pair>, u64, u64)> = sorted
        .par_iter()
        .enumerate()
        .map(|(r, blocks)| {
            let mut out = Vec::new();
            let (mut nblocks, mut skipped) = (0u64, 0u64);
            if !kept[r] && !opts.sample_dropped {
                return (out, 0, 0);
            }
            for group in groups(blocks) {
                if group.len() < 2 {
                    continue;
                }
                if group.len() > opts.max_block {
                    skipped += 1;
                    continue;
                }
                if !kept[r] && out.len() as u64 >= TRAINING_SAMPLE.min(opts.rule_budget) {
                    break;
                }
                nblocks += 1;
                let block_key = group[0].0;
                for (x, &(_, a)) in group.iter().enumerate() {
                    for &(_, b) in &group[x + 1..] {
                        let (ma, mb) = (&records[a as usize], &records[b as usize]);
                        if !(ma.dirty || mb.dirty) || (opts.link_only && ma.source == mb.source) {
                            continue;
                        }
                        let mut mask = 0u32;
                        let mut taken = false;
                        let keys_a = &by_record[a as usize * nrules..(a as usize + 1) * nrules];
                        let keys_b = &by_record[b as usize * nrules..(b as usize + 1) * nrules];
                        let several = match has_more.is_empty() {
                            true => 0,
                            false => has_more[a as usize] | has_more[b as usize],
                        };
                        // Keys both records give rule `r2`, when either has several.
                        let shared = |r2: usize| -> Vec<u64> {
                            let theirs = keys_of(r2, b, keys_b);
                            keys_of(r2, a, keys_a).into_iter().filter(|k| theirs.contains(k)).collect()
                        };
                        // Records sharing several keys of this rule meet in several of its blocks:
                        // the pair is produced in the block of the smallest.
                        if several & 1 << r != 0 && shared(r).into_iter().min() != Some(block_key) {
                            continue;
                        }
                        for (r2, (ka, kb)) in keys_a.iter().zip(keys_b).enumerate() {
                            let same =
                                (ka == kb && *ka != 0) || (several & 1 << r2 != 0 && !shared(r2).is_empty());
                            if same {
                                mask |= 1 << r2;
                                // Produced by an earlier kept rule, or (for a sample) by any kept
                                // rule or an earlier dropped one.
                                taken |= if kept[r] { kept[r2] && r2 < r } else { kept[r2] || r2 < r };
                            }
                        }
                        if !taken {
                            out.push(Pair { a: a.min(b), b: a.max(b), rules: mask, train_only: !kept[r] });
                        }
                    }
                }
            }
            if !kept[r] {
                nblocks = 0;
                skipped = 0;
            }
            (out, nblocks, skipped)
        })
        .collect();
    let mut all = Vec::with_capacity(per_rule.iter().map(|p| p.0.len()).sum());
    for (pairs, nblocks, skipped) in per_rule {
        stats.blocks += nblocks;
        stats.blocks_skipped += skipped;
        all.extend(pairs);
    }
    stats.pairs = all.iter().filter(|p| !p.train_only).count() as u64;
    stats.training_pairs = all.len() as u64 - stats.pairs;
    (all, stats, kept)
}

/// Runs of equal keys in a sorted list.
fn groups(sorted: &[(u64, u32)]) -> impl Iterator<Item = &[(u64, u32)]> {
    sorted.chunk_by(|x, y| x.0 == y.0)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::detect::kinds::ObjectConfig;
    use crate::detect::table::RawTable;

    /// 400 people with a duplicate each; few share a name, an e-mail or a phone by chance.
    fn people() -> Table {
        let mut raw = RawTable::default();
        let firsts = ["ann", "bob", "carl", "dora", "eve", "fay", "gus", "hal", "ida", "jon"];
        for i in 0..400i64 {
            let first = firsts[i as usize % firsts.len()];
            // Family names that sound different: letters from the number, not digits.
            let family = i / 10;
            let last: String = [
                b"bdfgklmnprstvz"[(family % 14) as usize],
                b"aeiou"[(family / 14 % 5) as usize],
                b"kmrtx"[(family / 70) as usize],
            ]
            .iter()
            .map(|c| *c as char)
            .collect();
            let email = format!("{first}.{last}@example.com");
            let phone = format!("+1415555{:04}", i);
            for copy in 0..2 {
                let fields = [
                    ("first_name", first),
                    ("last_name", last.as_str()),
                    ("email", email.as_str()),
                    ("phone", phone.as_str()),
                ];
                raw.push(i * 2 + copy, 1, "crm", true, fields);
            }
        }
        raw.build("contact", &ObjectConfig::default())
    }

    #[test]
    fn blocking_compares_a_small_share_of_all_pairs_and_finds_every_duplicate() {
        let table = people();
        let rules = rules_for(&table);
        assert_eq!(
            rules[0].name,
            "email",
            "strongest key first: {:?}",
            rules.iter().map(|r| &r.name).collect::<Vec<_>>()
        );
        let opts =
            BlockOptions { link_only: false, max_block: 400, rule_budget: 1_000_000, sample_dropped: false };
        let (pairs, stats, _) = super::pairs(&table, &rules, opts);
        let n = table.records.len() as u64;
        assert!(stats.pairs * 50 < n * (n - 1) / 2, "{} pairs of {}", stats.pairs, n * (n - 1) / 2);
        for i in 0..400u32 {
            assert!(pairs.iter().any(|p| p.a == 2 * i && p.b == 2 * i + 1), "duplicate {i} not compared");
        }
        let mut seen = std::collections::HashSet::new();
        assert!(pairs.iter().all(|p| seen.insert((p.a, p.b))), "a pair was produced twice");
    }

    #[test]
    fn names_alone_block_only_records_without_contact_points() {
        let names = |rules: &[Rule]| rules.iter().map(|r| r.name.clone()).collect::<Vec<_>>();
        let crm = names(&rules_for(&people()));
        assert!(crm.contains(&"email (local part) + last_name (initial)".to_string()), "{crm:?}");
        assert!(!crm.iter().any(|r| r.ends_with("(phonetic) (either order)")), "{crm:?}");
        let mut raw = RawTable::default();
        raw.push(1, 1, "a", true, [("given_name", "ann"), ("surname", "lee"), ("postcode", "2000")]);
        let febrl = names(&rules_for(&raw.build("person", &ObjectConfig::default())));
        assert!(febrl.iter().any(|r| r.ends_with("(phonetic) (either order)")), "{febrl:?}");
    }

    #[test]
    fn oversized_blocks_and_greedy_rules_are_skipped() {
        let table = people();
        let rules = rules_for(&table);
        let opts =
            BlockOptions { link_only: false, max_block: 1, rule_budget: 1_000_000, sample_dropped: false };
        let (_, stats, _) = super::pairs(&table, &rules, opts);
        assert!(stats.blocks_skipped > 0);
        let opts =
            BlockOptions { link_only: false, max_block: 1000, rule_budget: 300, sample_dropped: false };
        let (_, stats, _) = super::pairs(&table, &rules, opts);
        assert!(!stats.rules_dropped.is_empty(), "{stats:?}");
    }

    #[test]
    fn link_only_pairs_cross_sources_and_clean_records_are_not_compared_again() {
        let mut raw = RawTable::default();
        raw.push(1, 1, "a", false, [("email", "x@y.com")]);
        raw.push(2, 1, "a", true, [("email", "x@y.com")]);
        raw.push(3, 1, "b", false, [("email", "x@y.com")]);
        raw.push(4, 1, "b", false, [("email", "x@y.com")]);
        let table = raw.build("contact", &ObjectConfig::default());
        let rules = rules_for(&table);
        let opts = BlockOptions { link_only: true, max_block: 10, rule_budget: 100, sample_dropped: false };
        let (pairs, _, _) = super::pairs(&table, &rules, opts);
        let got: Vec<(u32, u32)> = pairs.iter().map(|p| (p.a, p.b)).collect();
        assert_eq!(got, [(1, 2), (1, 3)], "only pairs across sources that involve the changed record");
    }
}
