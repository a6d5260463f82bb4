//! Scoring: a pair's levels into a match weight (sum of per-field log2 Bayes factors, with the
//! exact level weighted by how rare the shared value is — a role mailbox or a common surname
//! counts for less) and a match probability; and the per-field reasons a steward reads.

use super::compare::{level_at, level_names, Comparer, MAX_FIELDS, MISSING, SWAPPED};
use super::kinds::Kind;
use super::model::Model;
use super::place;
use super::table::Table;
use crate::model::Reason;

/// Scores pairs with one model.
pub struct Scorer<'a> {
    pub table: &'a Table,
    pub comparer: &'a Comparer<'a>,
    pub model: &'a Model,
    /// Table field index of each compared field.
    fields: Vec<usize>,
    /// Count family name, address, phone and company as one piece of evidence.
    place_once: bool,
    /// `base[k][l]`: the model's weight of field `k` at level `l`.
    base: Vec<Vec<f64>>,
    /// `exact[k][id]`: the exact level's weight for value `id`, adjusted for how common it is.
    exact: Vec<Vec<f64>>,
    /// `local[k][id]`: an e-mail field's "same local part" weight for local part `id`.
    local: Vec<Vec<f64>>,
    /// The field whose agreement says each place facet agrees (`place::key_fields`).
    keys: [Option<usize>; 4],
}

impl<'a> Scorer<'a> {
    /// Weighs every level and every value's exact agreement once, so that scoring a pair is
    /// table lookups.
    pub fn new(
        table: &'a Table,
        comparer: &'a Comparer<'a>,
        model: &'a Model,
        place_once: bool,
    ) -> Scorer<'a> {
        let fields: Vec<usize> = comparer
            .fields()
            .map(|f| table.fields.iter().position(|t| std::ptr::eq(t, f)).unwrap_or(0))
            .collect();
        let base: Vec<Vec<f64>> = (0..fields.len())
            .map(|k| (0..model.fields[k].m.len()).map(|l| model.weight(k, l as u8)).collect())
            .collect();
        // Term frequency: agreeing on a value half the records share is weak evidence.
        let adjusted = |values: &super::table::Interned, u: f64, base: f64, cap: bool| -> Vec<f64> {
            let floor = 1.0 / values.present.max(1) as f64;
            values
                .counts
                .iter()
                .map(|c| {
                    let tf = (*c as f64 / values.present.max(1) as f64).max(floor);
                    let adjust = (u / tf).log2();
                    base + if cap { adjust.min(0.0) } else { adjust }
                })
                .collect()
        };
        let exact = fields
            .iter()
            .enumerate()
            .map(|(k, f)| adjusted(&table.fields[*f].norm, model.fields[k].u[0], base[k][0], false))
            .collect();
        let local = fields
            .iter()
            .enumerate()
            .map(|(k, f)| {
                let field = &table.fields[*f];
                match (&field.alt, field.kind) {
                    // The same local part at another domain: `mary@` says less than `wjohnson72@`.
                    (Some(alt), Kind::Email) => adjusted(alt, model.fields[k].u[1], base[k][1], true),
                    _ => Vec::new(),
                }
            })
            .collect();
        let keys = place::key_fields(comparer);
        Scorer { table, comparer, model, fields, place_once, base, exact, local, keys }
    }

    /// The weight of field `k` at level `l` for records `i`, `j`.
    /// (`id` is record `i`'s value id of the field.)
    fn field_weight(&self, k: usize, l: u8, i: usize, id: u32, swapped: bool) -> f64 {
        if l == MISSING {
            return 0.0;
        }
        let field = &self.table.fields[self.fields[k]];
        if l == 1 && !self.local[k].is_empty() {
            if let Some(alt) = &field.alt {
                return self.local[k][alt.ids[i] as usize];
            }
        }
        if l != 0 || (swapped && matches!(field.kind, Kind::FirstName | Kind::LastName)) {
            return self.base[k][l as usize];
        }
        self.exact[k][id as usize]
    }

    /// What each field contributes to a pair's weight, and whether it was counted. With
    /// `place_once` (see `place`), the family name and the place fields fall into four facets —
    /// family name, address, phone, company — and within a facet only its strongest agreement and
    /// its strongest disagreement count (a shared street implies a shared city and state). The
    /// facets add up; for the facets a pair agrees on together, `−log2 lift` (how much more often
    /// non-matches share them together than apart) goes to the last of them, returned as the
    /// third element with the mask of agreeing facets.
    fn contributions(&self, pattern: u64, i: usize) -> ([(f64, bool); MAX_FIELDS], Option<(usize, usize)>) {
        let swapped = pattern & SWAPPED != 0;
        let mut out = [(0.0, true); MAX_FIELDS];
        let mut best: [Option<usize>; 4] = [None; 4];
        let mut worst: [Option<usize>; 4] = [None; 4];
        let ids = self.comparer.ids(i);
        for k in 0..self.fields.len() {
            let l = level_at(pattern, k);
            let kind = self.table.fields[self.fields[k]].kind;
            let w = if (l == 1 || l == 2) && kind == Kind::Email && self.local_part_is_name(k, i) {
                0.0
            } else {
                self.field_weight(k, l, i, ids[k], swapped)
            };
            out[k] = (w, true);
            let facet = if self.place_once { place::facet_of(kind) } else { None };
            if let (Some(f), true) = (facet, l != MISSING) {
                out[k].1 = false;
                if w > 0.0 && best[f].is_none_or(|b| w > out[b].0) {
                    best[f] = Some(k);
                }
                if w < 0.0 && worst[f].is_none_or(|b| w < out[b].0) {
                    worst[f] = Some(k);
                }
            }
        }
        for k in best.iter().chain(&worst).flatten() {
            out[*k].1 = true;
        }
        if !self.place_once || self.model.place.len() != place::MASKS {
            return (out, None);
        }
        // The facets agreeing on their key field, and the last of them (which carries the lift).
        let mut mask = 0usize;
        let mut last = None;
        for (f, key) in self.keys.iter().enumerate() {
            if let Some(k) = key {
                let l = level_at(pattern, *k);
                let different = level_names(self.table.fields[self.fields[*k]].kind).len() as u8 - 1;
                if l != MISSING && l < different {
                    mask |= 1 << f;
                    last = best[f].or(Some(*k));
                }
            }
        }
        let lift = self.model.place[mask];
        match last {
            Some(k) if lift > 0.0 => {
                out[k] = (out[k].0 - lift, true);
                (out, Some((mask, k)))
            }
            _ => (out, None),
        }
    }

    /// True when an e-mail local part shared by both records is made of their names
    /// (`mary.lee@…`): it then says nothing the names do not already say.
    fn local_part_is_name(&self, k: usize, i: usize) -> bool {
        let values = self.comparer.values(i);
        let local = values[k].split('@').next().unwrap_or("");
        if local.is_empty() {
            return false;
        }
        (0..self.fields.len()).any(|n| {
            matches!(
                self.table.fields[self.fields[n]].kind,
                Kind::FirstName | Kind::LastName | Kind::FullName
            ) && values[n].split(' ').any(|word| word.len() >= 3 && local.contains(word))
        })
    }

    /// The match weight (log2 Bayes factor) of a pair with this pattern.
    /// (Exact agreement is weighted by how common record `i`'s value is.)
    pub fn weight(&self, pattern: u64, i: usize) -> f64 {
        self.contributions(pattern, i).0.iter().filter(|(_, counted)| *counted).map(|(w, _)| w).sum()
    }

    /// The probability of a match given the weight and the model's prior.
    pub fn probability(&self, weight: f64) -> f64 {
        let prior = (self.model.lambda / (1.0 - self.model.lambda)).log2();
        1.0 / (1.0 + (-(prior + weight)).exp2())
    }

    /// Per-field reasons: the two values compared, the level and its weight.
    pub fn reasons(&self, pattern: u64, i: usize, j: usize) -> Vec<Reason> {
        let swapped = pattern & SWAPPED != 0;
        let (contributions, lifted) = self.contributions(pattern, i);
        let mut out = Vec::with_capacity(self.fields.len());
        let (values_i, values_j) = (self.comparer.values(i), self.comparer.values(j));
        for (k, &(own, counted)) in contributions.iter().enumerate().take(self.fields.len()) {
            let field = &self.table.fields[self.fields[k]];
            let l = level_at(pattern, k);
            let (a, b) = (values_i[k], values_j[k]);
            if a.is_empty() && b.is_empty() {
                // Nothing to compare and nothing to tell.
                continue;
            }
            let (a, b) = if swapped && matches!(field.kind, Kind::FirstName | Kind::LastName) {
                let other = (0..self.fields.len()).find(|n| {
                    let kind = self.table.fields[self.fields[*n]].kind;
                    matches!(kind, Kind::FirstName | Kind::LastName) && kind != field.kind
                });
                (a, other.map(|n| values_j[n]).unwrap_or(""))
            } else {
                (a, b)
            };
            let made_of_name = (l == 1 || l == 2) && field.kind == Kind::Email && own == 0.0;
            let weight = if counted { own } else { 0.0 };
            let text = if l == MISSING {
                "missing on one side".to_string()
            } else {
                let mut t = level_names(field.kind)[l as usize].to_string();
                if swapped && matches!(field.kind, Kind::FirstName | Kind::LastName) {
                    t.push_str(", names swapped");
                }
                if made_of_name {
                    format!("{t}, made of the name (counted with the names)")
                } else if let Some((mask, _)) = lifted.filter(|(_, at)| *at == k) {
                    let lift = self.model.place[mask];
                    let together: Vec<&str> = (0..place::FACETS.len())
                        .filter(|f| mask & (1 << f) != 0)
                        .map(|f| place::FACETS[f])
                        .collect();
                    format!(
                        "{t} ({:+.2}, {:+.2} as {} agree together: non-duplicates share them {:.0}× as often as by chance)",
                        own + lift,
                        -lift,
                        together.join(", "),
                        lift.exp2()
                    )
                } else if counted {
                    format!("{t} ({weight:+.2})")
                } else {
                    format!("{t} ({own:+.2}, not counted: place evidence counts once per facet)")
                }
            };
            out.push(Reason {
                field: field.name.clone(),
                text,
                values: Some((a.to_string(), b.to_string())),
                level: Some(if l == MISSING { -1 } else { l as i32 }),
                weight: Some((weight * 1000.0).round() / 1000.0),
            });
        }
        out
    }
}
