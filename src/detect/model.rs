//! The Fellegi–Sunter model, estimated from the data itself (no labels), as Splink does:
//! `u` (how often non-matches land on each level) from random record pairs, with the exact level's
//! `u` computed from value frequencies (Σ p²); `m` (how often true matches do) by
//! expectation-maximisation over the blocked pairs of each blocking rule, with `u` fixed and the
//! rule's own fields left out (their agreement is forced there); the prior λ as the fixed point of
//! the expected number of matches among all pairs. Pure: works on patterns and counts.

use super::block::Pair;
use super::compare::{level_at, level_names, Comparer, MISSING, SWAPPED};
use super::table::{mix, Field, Table};
use rayon::prelude::*;
use serde::{Deserialize, Serialize};
use std::collections::HashMap;

/// One field's level probabilities.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct FieldModel {
    pub field: String,
    pub kind: String,
    /// P(level | match), closest level first.
    pub m: Vec<f64>,
    /// P(level | non-match).
    pub u: Vec<f64>,
}

/// A trained model: per field m and u, λ, the chance that two random records match, and (for CRM
/// records, see `place`) how much the place facets a pair agrees on depend on each other among
/// non-matches.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Model {
    pub fields: Vec<FieldModel>,
    pub lambda: f64,
    /// `place[mask]`: log2 lift of agreeing on the facets of `mask` together (`place::lifts`);
    /// empty when place evidence is not grouped (or for a model trained before it was measured).
    #[serde(default)]
    pub place: Vec<f64>,
}

impl Model {
    /// The log2 Bayes factor of level `l` of field `k` (0 for a missing value).
    pub fn weight(&self, k: usize, l: u8) -> f64 {
        if l == MISSING {
            return 0.0;
        }
        let f = &self.fields[k];
        (f.m[l as usize] / f.u[l as usize]).log2()
    }

    /// True when this model was trained on the same fields and kinds.
    pub fn fits(&self, comparer: &Comparer) -> bool {
        self.fits_fields(comparer.fields())
    }

    /// `fits` for the fields a comparer will compare (`Comparer::compared`), before it is built.
    pub fn fits_fields<'f>(&self, fields: impl Iterator<Item = &'f Field>) -> bool {
        let mut fields = fields;
        self.fields
            .iter()
            .all(|m| fields.next().is_some_and(|f| m.field == f.name && m.kind == f.kind.as_str()))
            && fields.next().is_none()
    }
}

/// A small deterministic generator (SplitMix64): sampling must not vary between runs.
pub struct Rng(u64);

impl Rng {
    pub fn new(seed: u64) -> Rng {
        Rng(seed)
    }

    pub fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9e37_79b9_7f4a_7c15);
        mix(self.0)
    }

    pub fn below(&mut self, n: usize) -> usize {
        (self.next_u64() % n as u64) as usize
    }
}

/// Starting m: most matches agree exactly, the rest spread over the closer levels.
fn initial_m(levels: usize) -> Vec<f64> {
    let mut m = vec![0.0; levels];
    m[0] = 0.8;
    let rest = levels - 1;
    let mut share = 0.2;
    for (i, slot) in m.iter_mut().enumerate().skip(1) {
        *slot = if i == levels - 1 { share } else { share * 0.6 };
        share -= *slot;
        if rest == 0 {
            break;
        }
    }
    m
}

/// Estimates u per field from `samples` random pairs (across sources when `link_only`).
pub fn estimate_u(table: &Table, comparer: &Comparer, samples: usize, link_only: bool) -> Vec<Vec<f64>> {
    let n = table.records.len();
    let fields: Vec<_> = comparer.fields().collect();
    let mut counts: Vec<Vec<f64>> = fields.iter().map(|f| vec![0.0; level_names(f.kind).len()]).collect();
    if n >= 2 {
        let chunks = 64usize;
        let per_chunk = samples.div_ceil(chunks);
        let partial: Vec<Vec<Vec<f64>>> = (0..chunks)
            .into_par_iter()
            .map(|c| {
                let mut rng = Rng::new(0x5eed ^ (c as u64) << 32);
                let mut local: Vec<Vec<f64>> = counts.clone();
                let mut done = 0;
                let mut tries = 0;
                let mut drawn = Vec::with_capacity(per_chunk);
                while done < per_chunk && tries < per_chunk * 20 {
                    tries += 1;
                    let (i, j) = (rng.below(n), rng.below(n));
                    if i == j || (link_only && table.records[i].source == table.records[j].source) {
                        continue;
                    }
                    done += 1;
                    drawn.push((i, j));
                }
                let mut patterns = Vec::with_capacity(drawn.len());
                comparer.patterns_into(drawn, &mut patterns);
                for p in patterns {
                    let p = p & !SWAPPED;
                    for (k, slot) in local.iter_mut().enumerate() {
                        let l = level_at(p, k);
                        if l != MISSING {
                            slot[l as usize] += 1.0;
                        }
                    }
                }
                local
            })
            .collect();
        for part in partial {
            for (k, levels) in part.into_iter().enumerate() {
                for (l, c) in levels.into_iter().enumerate() {
                    counts[k][l] += c;
                }
            }
        }
    }
    fields
        .iter()
        .zip(counts)
        .map(|(f, c)| {
            let exact = f.norm.collision().clamp(1e-9, 0.999);
            let others: f64 = c.iter().skip(1).sum();
            let floor = 0.5 / others.max(1.0);
            let mut u: Vec<f64> = c.iter().skip(1).map(|x| (x / others.max(1.0)).max(floor)).collect();
            let total: f64 = u.iter().sum();
            u.iter_mut().for_each(|x| *x *= (1.0 - exact) / total);
            u.insert(0, exact);
            u
        })
        .collect()
}

/// Pattern counts of one training rule's pairs, its own fields blanked out.
pub type Patterns = HashMap<u64, f64>;

/// Blanks (sets to `MISSING`) the levels of `fields` in a pattern.
pub fn blank(pattern: u64, fields: &[usize]) -> u64 {
    fields.iter().fold(pattern & !SWAPPED, |p, k| p | ((MISSING as u64) << (4 * k)))
}

/// EM over one rule's patterns with u fixed: returns (m per field, expected matches, per-field
/// expected matches with a value), fields in `fixed` untouched.
pub fn em(patterns: &Patterns, u: &[Vec<f64>], start_m: &[Vec<f64>]) -> (Vec<Vec<f64>>, f64, Vec<f64>) {
    let nf = u.len();
    let mut m: Vec<Vec<f64>> = start_m.to_vec();
    let total: f64 = patterns.values().sum();
    let mut lambda: f64 = 0.3;
    let mut sorted: Vec<(u64, f64)> = patterns.iter().map(|(p, c)| (*p, *c)).collect();
    sorted.sort_unstable_by_key(|x| x.0);
    let mut seen = vec![0.0; nf];
    let mut expected = 0.0;
    for _ in 0..200 {
        let mut new_m: Vec<Vec<f64>> = u.iter().map(|l| vec![0.0; l.len()]).collect();
        seen = vec![0.0; nf];
        expected = 0.0;
        for (p, c) in &sorted {
            let (mut lm, mut lu) = (lambda.ln(), (1.0 - lambda).ln());
            for k in 0..nf {
                let l = level_at(*p, k);
                if l != MISSING {
                    lm += m[k][l as usize].ln();
                    lu += u[k][l as usize].ln();
                }
            }
            let prob = 1.0 / (1.0 + (lu - lm).exp());
            let w = c * prob;
            expected += w;
            for k in 0..nf {
                let l = level_at(*p, k);
                if l != MISSING {
                    new_m[k][l as usize] += w;
                    seen[k] += w;
                }
            }
        }
        let new_lambda = (expected / total).clamp(1e-9, 1.0 - 1e-9);
        let mut change = (new_lambda - lambda).abs();
        for k in 0..nf {
            if seen[k] <= 0.0 {
                continue;
            }
            for l in 0..new_m[k].len() {
                let v = (new_m[k][l] / seen[k]).max(1e-6);
                change = change.max((v - m[k][l]).abs());
                m[k][l] = v;
            }
        }
        lambda = new_lambda;
        if change < 1e-6 {
            break;
        }
    }
    (m, expected, seen)
}

/// Trains m for every field from the pairs each rule produced.
/// `rule_fields[r]` are the fields rule `r` forces to agree (with those it drags along);
/// `rule_own[r]` only the fields of its key. A field that every rule sets aside with
/// `rule_fields` (on accounts every field is a place field, and every key is one too) is trained,
/// in a second pass, on the rules that do not read it themselves, as Splink does: left out, it
/// would keep its starting m, and a company name matching exactly would weigh no more than 0.8
/// of a sure duplicate's.
pub fn train_m(
    pairs: &[Pair],
    patterns: &[u64],
    rule_fields: &[Vec<usize>],
    rule_own: &[Vec<usize>],
    u: &[Vec<f64>],
) -> Vec<Vec<f64>> {
    let nf = u.len();
    let start: Vec<Vec<f64>> = u.iter().map(|l| initial_m(l.len())).collect();
    let mut sum: Vec<Vec<f64>> = u.iter().map(|l| vec![0.0; l.len()]).collect();
    let mut weight = vec![0.0; nf];
    let everything: Vec<bool> = vec![true; nf];
    train_pass(pairs, patterns, rule_fields, u, &start, &everything, &mut sum, &mut weight);
    let untrained: Vec<bool> = weight.iter().map(|w| *w <= 0.0).collect();
    if untrained.iter().any(|x| *x) {
        train_pass(pairs, patterns, rule_own, u, &start, &untrained, &mut sum, &mut weight);
    }
    (0..nf)
        .map(|k| {
            if weight[k] <= 0.0 {
                return start[k].clone();
            }
            let mut m: Vec<f64> = sum[k].iter().map(|v| (v / weight[k]).max(1e-5)).collect();
            let total: f64 = m.iter().sum();
            m.iter_mut().for_each(|v| *v /= total);
            m
        })
        .collect()
}

/// One pass of `train_m`: EM per rule with `blanks[r]` left out, adding the m of the fields in
/// `wanted` (weighted by the expected matches that have a value) to `sum` and `weight`.
#[allow(clippy::too_many_arguments)]
fn train_pass(
    pairs: &[Pair],
    patterns: &[u64],
    blanks: &[Vec<usize>],
    u: &[Vec<f64>],
    start: &[Vec<f64>],
    wanted: &[bool],
    sum: &mut [Vec<f64>],
    weight: &mut [f64],
) {
    let nf = u.len();
    let nrules = blanks.len();
    let counted: Vec<Patterns> = pairs
        .par_chunks(1 << 16)
        .zip(patterns.par_chunks(1 << 16))
        .fold(
            || vec![Patterns::new(); nrules],
            |mut acc, (chunk, pats)| {
                for (pair, pattern) in chunk.iter().zip(pats) {
                    for (r, slot) in acc.iter_mut().enumerate() {
                        if pair.rules & (1 << r) != 0 {
                            *slot.entry(blank(*pattern, &blanks[r])).or_insert(0.0) += 1.0;
                        }
                    }
                }
                acc
            },
        )
        .reduce(
            || vec![Patterns::new(); nrules],
            |mut a, b| {
                for (x, y) in a.iter_mut().zip(b) {
                    for (p, c) in y {
                        *x.entry(p).or_insert(0.0) += c;
                    }
                }
                a
            },
        );
    for (r, pats) in counted.iter().enumerate() {
        let trains = (0..nf).any(|k| wanted[k] && !blanks[r].contains(&k));
        if pats.values().sum::<f64>() < 20.0 || blanks[r].len() >= nf || !trains {
            continue;
        }
        let (m, _, seen) = em(pats, u, start);
        for k in 0..nf {
            if !wanted[k] || blanks[r].contains(&k) || seen[k] <= 0.0 {
                continue;
            }
            for (l, v) in m[k].iter().enumerate() {
                sum[k][l] += v * seen[k];
            }
            weight[k] += seen[k];
        }
    }
}

/// λ such that λ × all pairs = the expected number of matches among the compared pairs.
pub fn estimate_lambda(weights: &[f64], all_pairs: f64) -> f64 {
    if all_pairs <= 0.0 || weights.is_empty() {
        return 1e-9;
    }
    let mut lambda = (weights.iter().filter(|w| **w > 0.0).count() as f64 / all_pairs).clamp(1e-12, 0.5);
    for _ in 0..100 {
        let prior = (lambda / (1.0 - lambda)).log2();
        let expected: f64 =
            weights.par_iter().map(|w| 1.0 / (1.0 + (-(prior + w) * std::f64::consts::LN_2).exp())).sum();
        let next = (expected / all_pairs).clamp(1e-12, 0.5);
        if (next / lambda - 1.0).abs() < 1e-6 {
            lambda = next;
            break;
        }
        lambda = next;
    }
    lambda
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Two fields with 3 levels; matches mostly agree, non-matches mostly differ.
    #[test]
    fn em_recovers_m_from_a_synthetic_mixture() {
        let true_m = [[0.9, 0.08, 0.02], [0.7, 0.2, 0.1]];
        let u = vec![vec![0.01, 0.04, 0.95], vec![0.05, 0.15, 0.8]];
        let third_m = [0.85, 0.1, 0.05];
        let third_u = [0.02, 0.08, 0.9];
        let mut patterns = Patterns::new();
        let (matches, non) = (2_000.0, 8_000.0);
        for a in 0..3 {
            for b in 0..3 {
                for c in 0..3 {
                    let p = super::super::compare::pack(&[a, b, c]);
                    let cm = matches * true_m[0][a as usize] * true_m[1][b as usize] * third_m[c as usize];
                    let cu = non * u[0][a as usize] * u[1][b as usize] * third_u[c as usize];
                    patterns.insert(p, cm + cu);
                }
            }
        }
        let mut u3 = u.clone();
        u3.push(third_u.to_vec());
        let start: Vec<Vec<f64>> = u3.iter().map(|l| initial_m(l.len())).collect();
        let (m, expected, _) = em(&patterns, &u3, &start);
        assert!((expected - matches).abs() < 20.0, "expected matches {expected}");
        for (k, want) in true_m.iter().enumerate() {
            for (l, w) in want.iter().enumerate() {
                assert!((m[k][l] - w).abs() < 0.01, "m[{k}][{l}] = {} want {w}", m[k][l]);
            }
        }
    }

    #[test]
    fn lambda_is_the_share_of_expected_matches() {
        // 100 sure matches and 900 sure non-matches among 1,000,000 pairs.
        let mut w = vec![40.0; 100];
        w.extend(vec![-40.0; 900]);
        let lambda = estimate_lambda(&w, 1_000_000.0);
        assert!((lambda - 1e-4).abs() < 1e-6, "{lambda}");
    }

    #[test]
    fn initial_m_sums_to_one() {
        for n in 2..7 {
            let m = initial_m(n);
            assert!((m.iter().sum::<f64>() - 1.0).abs() < 1e-9, "{m:?}");
        }
    }

    #[test]
    fn a_model_fits_the_fields_to_compare_as_it_fits_their_comparer() {
        use crate::detect::kinds::ObjectConfig;
        use crate::detect::table::RawTable;
        let mut raw = RawTable::default();
        raw.push(1, 1, "crm", true, [("first_name", "ann"), ("email", "ann@example.com")]);
        raw.push(2, 1, "crm", true, [("first_name", "bob"), ("email", "bob@example.com")]);
        let table = raw.build("contact", &ObjectConfig::default());
        let comparer = Comparer::new(&table);
        let field = |f: &Field| FieldModel {
            field: f.name.clone(),
            kind: f.kind.as_str().to_string(),
            m: vec![0.9, 0.1],
            u: vec![0.1, 0.9],
        };
        let whole = Model { fields: comparer.fields().map(field).collect(), lambda: 1e-3, place: Vec::new() };
        let fewer = Model { fields: whole.fields[..1].to_vec(), lambda: 1e-3, place: Vec::new() };
        let mut other_kind = whole.clone();
        other_kind.fields[0].kind = "text".into();
        for model in [&whole, &fewer, &other_kind] {
            assert_eq!(model.fits_fields(Comparer::compared(&table)), model.fits(&comparer));
        }
        assert!(whole.fits(&comparer));
        assert!(!fewer.fits(&comparer) && !other_kind.fits(&comparer));
    }
}
