//! Scoring: a pair's levels into a match weight (sum of per-field log2 Bayes factors, with the
//! exact level weighted by how rare the shared value is — a role mailbox or a common surname
//! counts for less) and a match probability; and the per-field reasons a steward reads.

use super::compare::{level_at, level_names, Comparer, MISSING, SWAPPED};
use super::kinds::Kind;
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
}

impl<'a> Scorer<'a> {
    pub fn new(table: &'a Table, comparer: &'a Comparer<'a>, model: &'a Model) -> Scorer<'a> {
        let fields = comparer
            .fields()
            .map(|f| table.fields.iter().position(|t| std::ptr::eq(t, f)).unwrap_or(0))
            .collect();
        Scorer { table, comparer, model, fields }
    }

    /// The weight of field `k` at level `l` for records `i`, `j`.
    fn field_weight(&self, k: usize, l: u8, i: usize, swapped: bool) -> f64 {
        if l == MISSING {
            return 0.0;
        }
        let base = self.model.weight(k, l);
        if l != 0 {
            return base;
        }
        let field = &self.table.fields[self.fields[k]];
        let names = matches!(field.kind, Kind::FirstName | Kind::LastName);
        if swapped && names {
            return base;
        }
        // Term frequency: agreeing on a value half the records share is weak evidence.
        let fm = &self.model.fields[k];
        let tf = field.norm.frequency(i).max(1.0 / field.norm.present.max(1) as f64);
        base + (fm.u[0] / tf).log2()
    }

    /// The match weight (log2 Bayes factor) of a pair with this pattern.
    pub fn weight(&self, pattern: u64, i: usize) -> f64 {
        let swapped = pattern & SWAPPED != 0;
        (0..self.fields.len()).map(|k| self.field_weight(k, level_at(pattern, k), i, swapped)).sum()
    }

    /// The probability of a match given the weight and the model's prior.
    pub fn probability(&self, weight: f64) -> f64 {
        let prior = (self.model.lambda / (1.0 - self.model.lambda)).log2();
        1.0 / (1.0 + (-(prior + weight)).exp2())
    }

    /// Per-field reasons: the two values compared, the level and its weight.
    pub fn reasons(&self, pattern: u64, i: usize, j: usize) -> Vec<Reason> {
        let swapped = pattern & SWAPPED != 0;
        let mut out = Vec::with_capacity(self.fields.len());
        for k in 0..self.fields.len() {
            let field = &self.table.fields[self.fields[k]];
            let l = level_at(pattern, k);
            let (a, b) = (field.norm.get(i).unwrap_or(""), field.norm.get(j).unwrap_or(""));
            let (a, b) = if swapped && matches!(field.kind, Kind::FirstName | Kind::LastName) {
                let other = self
                    .fields
                    .iter()
                    .map(|f| &self.table.fields[*f])
                    .find(|f| matches!(f.kind, Kind::FirstName | Kind::LastName) && f.kind != field.kind);
                (a, other.and_then(|o| o.norm.get(j)).unwrap_or(""))
            } else {
                (a, b)
            };
            let weight = self.field_weight(k, l, i, swapped);
            let text = if l == MISSING {
                "missing on one side".to_string()
            } else {
                let mut t = level_names(field.kind)[l as usize].to_string();
                if swapped && matches!(field.kind, Kind::FirstName | Kind::LastName) {
                    t.push_str(", names swapped");
                }
                format!("{t} ({weight:+.2})")
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
