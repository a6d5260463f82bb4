//! Scoring: a pair's levels into a match weight (sum of per-field log2 Bayes factors, with the
//! exact level weighted by how rare the shared value is — a role mailbox or a common surname
//! counts for less) and a match probability; and the per-field reasons a steward reads.

use super::compare::{level_at, level_name, Comparer, MAX_FIELDS, MISSING, SWAPPED};
use super::kinds::Kind;
use super::model::Model;
use super::place;
use super::table::Table;
use crate::model::Reason;

/// Per field: its weight, and whether it counts in the pair's weight.
type Contributions = [(f64, bool); MAX_FIELDS];

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
    /// The fields whose agreement says each place facet agrees (`place::key_sets`).
    keys: [place::Keys; 2],
    /// Each compared field's place facet (`place::facets`) and the facets' names.
    facets: Vec<Option<usize>>,
    facet_names: [&'static str; 4],
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
        let keys = place::key_sets(comparer);
        let (facets, facet_names) = (place::facets(comparer), place::facet_names(comparer));
        Scorer { table, comparer, model, fields, place_once, base, exact, local, keys, facets, facet_names }
    }

    /// The weight of field `k` at level `l`; `id` is the value id of the first record's value
    /// compared.
    fn field_weight(&self, k: usize, l: u8, id: u32, swapped: bool) -> f64 {
        if l == MISSING {
            return 0.0;
        }
        let field = &self.table.fields[self.fields[k]];
        if l == 1 && !self.local[k].is_empty() {
            return self.local[k][field.alt_of[id as usize] as usize];
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
    fn contributions(&self, pattern: u64, i: usize, j: usize) -> (Contributions, Option<(usize, usize)>) {
        let swapped = pattern & SWAPPED != 0;
        let mut out = [(0.0, true); MAX_FIELDS];
        let mut best: [Option<usize>; 4] = [None; 4];
        let mut worst: [Option<usize>; 4] = [None; 4];
        let ids = self.compared_ids(i, j);
        for k in 0..self.fields.len() {
            let l = level_at(pattern, k);
            let kind = self.table.fields[self.fields[k]].kind;
            let w = if (l == 1 || l == 2) && kind == Kind::Email && self.local_part_is_name(k, i, ids[k]) {
                0.0
            } else {
                self.field_weight(k, l, ids[k], swapped)
            };
            out[k] = (w, true);
            let facet = if self.place_once { self.facets[k] } else { None };
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
        if !self.place_once || self.model.place.len() != 2 * place::MASKS {
            return (out, None);
        }
        // The facets whose key field is exactly equal — the agreement the lifts were measured on
        // (a typo'd family name or company is not what a household or an office shares) — and the
        // last of them, which carries the lift; an address agreeing on the postcode alone reads the
        // postcode's lifts (second set).
        let agrees = |key: Option<usize>| key.is_some_and(|k| level_at(pattern, k) == 0);
        let (mut mask, mut set) = (0usize, 0usize);
        let mut last = None;
        for (f, strongest) in best.iter().enumerate() {
            let (first, second) = (self.keys[0][f], self.keys[1][f]);
            let via = if agrees(first) {
                first
            } else if first != second && agrees(second) {
                set = 1;
                second
            } else {
                continue;
            };
            mask |= 1 << f;
            last = strongest.or(via);
        }
        let mask = set * place::MASKS + mask;
        let lift = self.model.place[mask];
        match last {
            Some(k) if lift > 0.0 => {
                out[k] = (out[k].0 - lift, true);
                (out, Some((mask, k)))
            }
            _ => (out, None),
        }
    }

    /// Record `i`'s value ids as compared with record `j`: where either holds several values of a
    /// field, the one of the pair that agrees best.
    fn compared_ids(&self, i: usize, j: usize) -> [u32; MAX_FIELDS] {
        let mut ids = [0; MAX_FIELDS];
        let nf = self.fields.len();
        ids[..nf].copy_from_slice(self.comparer.ids(i));
        if self.comparer.several(i, j) {
            for (k, id) in ids.iter_mut().enumerate().take(nf) {
                *id = self.comparer.compared_ids(i, j, k).0;
            }
        }
        ids
    }

    /// True when an e-mail local part shared by both records (record `i`'s e-mail being value
    /// `email`) is made of their names (`mary.lee@…`): it then says nothing the names do not
    /// already say.
    fn local_part_is_name(&self, k: usize, i: usize, email: u32) -> bool {
        let values = self.comparer.values(i);
        let local = self.table.fields[self.fields[k]].text(email).split('@').next().unwrap_or("");
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

    /// The match weight (log2 Bayes factor) of records `i` and `j`, compared into this pattern.
    /// (Exact agreement is weighted by how common the shared value is.)
    pub fn weight(&self, pattern: u64, i: usize, j: usize) -> f64 {
        self.contributions(pattern, i, j).0.iter().filter(|(_, counted)| *counted).map(|(w, _)| w).sum()
    }

    /// The probability of a match given the weight and the model's prior.
    pub fn probability(&self, weight: f64) -> f64 {
        let prior = (self.model.lambda / (1.0 - self.model.lambda)).log2();
        1.0 / (1.0 + (-(prior + weight)).exp2())
    }

    /// Per-field reasons: the two values compared, the level and its weight.
    pub fn reasons(&self, pattern: u64, i: usize, j: usize) -> Vec<Reason> {
        let swapped = pattern & SWAPPED != 0;
        let (contributions, lifted) = self.contributions(pattern, i, j);
        let mut out = Vec::with_capacity(self.fields.len());
        let values_j = self.comparer.values(j);
        for (k, &(own, counted)) in contributions.iter().enumerate().take(self.fields.len()) {
            let field = &self.table.fields[self.fields[k]];
            let l = level_at(pattern, k);
            // The two values compared: where a record holds several, the pair that agrees best.
            let (id_i, id_j) = self.comparer.compared_ids(i, j, k);
            let (a, b) = (field.text(id_i), field.text(id_j));
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
                let mut t = level_name(field.kind, l, a, b).to_string();
                if swapped && matches!(field.kind, Kind::FirstName | Kind::LastName) {
                    t.push_str(", names swapped");
                }
                if made_of_name {
                    format!("{t}, made of the name (counted with the names)")
                } else if let Some((mask, _)) = lifted.filter(|(_, at)| *at == k) {
                    let lift = self.model.place[mask];
                    let together: Vec<&str> = (0..place::FACETS.len())
                        .filter(|f| mask & (1 << f) != 0)
                        .map(|f| self.facet_names[f])
                        .collect();
                    format!(
                        "{t} ({:+.2}, {:+.2} as {} agree together: non-duplicates share them {:.0}× as often as by chance)",
                        own + lift,
                        -lift,
                        together.join(", "),
                        lift.exp2()
                    )
                } else if counted {
                    // The weight follows on the reason's line, once.
                    t
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::detect::kinds::ObjectConfig;
    use crate::detect::model::FieldModel;
    use crate::detect::table::RawTable;

    /// m and u per kind, as training would find them on CRM records (exact level first).
    fn levels(kind: Kind) -> (Vec<f64>, Vec<f64>) {
        match kind {
            Kind::FirstName => {
                (vec![0.7, 0.1, 0.08, 0.04, 0.03, 0.05], vec![0.005, 0.001, 0.004, 0.02, 0.02, 0.95])
            }
            Kind::LastName => (vec![0.9, 0.04, 0.02, 0.01, 0.03], vec![0.001, 0.001, 0.003, 0.02, 0.975]),
            Kind::Phone => (vec![0.7, 0.05, 0.25], vec![0.002, 0.0001, 0.9979]),
            Kind::Company => (vec![0.75, 0.1, 0.05, 0.1], vec![0.001, 0.001, 0.01, 0.988]),
            Kind::Street => (vec![0.7, 0.1, 0.05, 0.15], vec![0.002, 0.0001, 0.001, 0.9969]),
            Kind::City => (vec![0.8, 0.05, 0.15], vec![0.002, 0.001, 0.997]),
            Kind::State => (vec![0.85, 0.15], vec![0.03, 0.97]),
            other => panic!("no test levels for {other:?}"),
        }
    }

    /// Records 0–2 are the Loelases; 1,000 others make their values as rare as the model's `u` says.
    fn loelas_table() -> Table {
        loelas_table_with(&[
            ["Jim", "Loelas", "555-201-2000", "Star Star Software", "", "Springfield", "IL"],
            ["Mary", "Loelas", "555-201-1000", "Acme Bakery", "1 Main Street", "Springfield", "IL"],
        ])
    }

    /// James Loelas (record 0), then `others` (records 1…), then 1,000 unrelated people.
    fn loelas_table_with(others: &[[&str; 7]]) -> Table {
        let mut raw = RawTable::default();
        let james =
            ["James", "Loelas", "555-201-1000", "Star Star Software", "1 Main Street", "Springfield", "IL"];
        let rows: Vec<&[&str; 7]> = std::iter::once(&james).chain(others).collect();
        let columns = ["first_name", "last_name", "phone", "company", "street", "city", "state"];
        for (r, row) in rows.iter().enumerate() {
            raw.push(r as i64 + 1, 1, "crm", true, columns.iter().copied().zip(row.iter().copied()));
        }
        for r in 0..1000 {
            let values = [
                format!("given{r}"),
                format!("family{r}"),
                format!("555-3{:02}-{:04}", r % 100, r),
                format!("company {r}"),
                format!("{r} other street"),
                format!("town{}", r % 500),
                ["NY", "CA", "TX"][r % 3].to_string(),
            ];
            let fields: Vec<(&str, &str)> =
                columns.iter().copied().zip(values.iter().map(String::as_str)).collect();
            raw.push(r as i64 + 10, 1, "crm", true, fields);
        }
        raw.build("contact", &ObjectConfig::default())
    }

    fn model_for(comparer: &Comparer, place: Vec<f64>) -> Model {
        let fields = comparer
            .fields()
            .map(|f| {
                let (m, u) = levels(f.kind);
                FieldModel { field: f.name.clone(), kind: f.kind.as_str().to_string(), m, u }
            })
            .collect();
        Model { fields, lambda: 1e-5, place }
    }

    /// Facets a pair agrees on add up, less their measured dependence: a duplicate agreeing on
    /// family name, company and town (names a nickname apart, phones different) is proposed,
    /// though with only its strongest place agreement counted it was not; a household member
    /// sharing family name, address and landline stays below, because non-duplicates share those
    /// together far more often than chance. Reasons' weights add up to the pair's weight.
    #[test]
    fn place_facets_add_up_less_their_dependence() {
        let table = loelas_table();
        let comparer = Comparer::new(&table);
        let mut lifts = vec![0.0; 2 * place::MASKS];
        lifts[0b0011] = 7.0; // family name and address: households
        lifts[0b0111] = 23.0; // … and the landline
        lifts[0b1001] = 0.1; // family name and company: hardly ever together by chance
        let model = model_for(&comparer, lifts.clone());
        let scorer = Scorer::new(&table, &comparer, &model, true);
        let without_lift = model_for(&comparer, vec![0.0; 2 * place::MASKS]);
        let independent = Scorer::new(&table, &comparer, &without_lift, true);
        let table_cases: [(usize, usize, bool, &str); 2] = [
            (0, 1, true, "Jim/James Loelas: family name, company and town agree"),
            (0, 2, false, "Mary Loelas: same family name, address and phone, another person"),
        ];
        for (i, j, proposed, what) in table_cases {
            let pattern = comparer.pattern(i, j);
            let weight = scorer.weight(pattern, i, j);
            let p = scorer.probability(weight);
            assert_eq!(p >= 0.5, proposed, "{what}: weight {weight:.2}, p {p:.3}");
            let reasons = scorer.reasons(pattern, i, j);
            let sum: f64 = reasons.iter().filter_map(|r| r.weight).sum();
            assert!(
                (sum - weight).abs() < 0.01,
                "{what}: reasons add to {sum}, weight {weight}: {reasons:#?}"
            );
            // A counted level's line says its weight once: after the text, not in it too.
            for r in reasons.iter().filter(|r| r.level.is_some_and(|l| l >= 0)) {
                let kind = table.fields.iter().find(|f| f.name == r.field).unwrap().kind;
                let (a, b) = r.values.clone().unwrap_or_default();
                let level = level_name(kind, r.level.unwrap() as u8, &a, &b);
                assert!(
                    r.text.starts_with(level) && !r.text.contains(&format!("({:+.2})", r.weight.unwrap())),
                    "{what}: {:?} repeats its weight",
                    r.text
                );
            }
        }
        // The household is held back by the lift: without it the facets alone would propose it.
        let household = comparer.pattern(0, 2);
        assert!(independent.probability(independent.weight(household, 0, 2)) >= 0.5);
        let reasons = scorer.reasons(household, 0, 2);
        assert!(
            reasons.iter().any(|r| r.text.contains("family name, address, phone agree together")),
            "{reasons:#?}"
        );
    }

    /// The lifts were measured on exact agreement: a family name one typo apart is not what a
    /// household shares, so the family, address and phone lift (23 bits here) does not apply.
    #[test]
    fn a_place_lift_needs_exact_agreement() {
        let table = loelas_table_with(&[[
            "James",
            "Loelass",
            "555-201-1000",
            "",
            "1 Main Street",
            "Springfield",
            "IL",
        ]]);
        let comparer = Comparer::new(&table);
        let mut lifts = vec![0.0; 2 * place::MASKS];
        lifts[0b0111] = 23.0;
        let (model, flat) = (model_for(&comparer, lifts), model_for(&comparer, vec![0.0; 2 * place::MASKS]));
        let scorer = Scorer::new(&table, &comparer, &model, true);
        let independent = Scorer::new(&table, &comparer, &flat, true);
        let typo = comparer.pattern(0, 1);
        assert_ne!(level_at(typo, 1), 0, "the family names differ by a typo");
        let reasons = scorer.reasons(typo, 0, 1);
        assert!(!reasons.iter().any(|r| r.text.contains("agree together")), "{reasons:#?}");
        assert_eq!(scorer.weight(typo, 0, 1), independent.weight(typo, 0, 1));
    }
}
