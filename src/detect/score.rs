//! Scoring: a pair's levels into a match weight (sum of per-field log2 Bayes factors, with the
//! exact level weighted by how rare the shared value is — a role mailbox or a common surname
//! counts for less) and a match probability; and the per-field reasons a steward reads.

use super::compare::{level_at, level_names, Comparer, MAX_FIELDS, MISSING, SWAPPED};
use super::kinds::{Group, Kind};
use super::model::Model;
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
        Scorer { table, comparer, model, fields, place_once, base, exact, local }
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

    /// What each field contributes to a pair's weight, and whether it was counted. A household
    /// shares family name, address and landline, an office its address, line and company: those
    /// fields (the place group and the family name) are one piece of evidence, so only their
    /// strongest agreement and their strongest disagreement count.
    fn contributions(&self, pattern: u64, i: usize) -> [(f64, bool); MAX_FIELDS] {
        let swapped = pattern & SWAPPED != 0;
        let mut out = [(0.0, true); MAX_FIELDS];
        let mut best: Option<usize> = None;
        let mut worst: Option<usize> = None;
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
            let household = self.place_once
                && (kind.group() == Group::Place || matches!(kind, Kind::LastName | Kind::FullName));
            if household && l != MISSING {
                out[k].1 = false;
                if w > 0.0 && best.is_none_or(|b| w > out[b].0) {
                    best = Some(k);
                }
                if w < 0.0 && worst.is_none_or(|b| w < out[b].0) {
                    worst = Some(k);
                }
            }
        }
        for k in [best, worst].into_iter().flatten() {
            out[k].1 = true;
        }
        out
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
        self.contributions(pattern, i).iter().filter(|(_, counted)| *counted).map(|(w, _)| w).sum()
    }

    /// The probability of a match given the weight and the model's prior.
    pub fn probability(&self, weight: f64) -> f64 {
        let prior = (self.model.lambda / (1.0 - self.model.lambda)).log2();
        1.0 / (1.0 + (-(prior + weight)).exp2())
    }

    /// Per-field reasons: the two values compared, the level and its weight.
    pub fn reasons(&self, pattern: u64, i: usize, j: usize) -> Vec<Reason> {
        let swapped = pattern & SWAPPED != 0;
        let contributions = self.contributions(pattern, i);
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
                } else if counted {
                    format!("{t} ({weight:+.2})")
                } else {
                    format!("{t} ({own:+.2}, not counted: place evidence counts once)")
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
