//! Duplicate detection as a pure engine: records (already loaded into a `Table`) in, scored pairs
//! with per-field reasons out. Blocking picks the pairs (`block`), comparison turns each pair into
//! levels (`compare`), a Fellegi–Sunter model estimated from the data weighs them (`model`,
//! `score`). No SQL and no files here: `cli::detect` loads the records and stores the candidates.

pub mod block;
pub mod columns;
pub mod compare;
#[cfg(test)]
mod generation_tests;
pub mod intern;
pub mod kinds;
pub mod model;
pub mod names;
pub mod normalise;
pub mod place;
pub mod rows;
pub mod score;
pub mod several;
#[cfg(test)]
mod several_tests;
pub mod similarity;
pub mod table;
#[cfg(test)]
mod test_accounts;
#[cfg(test)]
mod training_tests;

use crate::model::Reason;
use crate::text::count;
use block::{BlockOptions, BlockStats};
use compare::Comparer;
use kinds::Kind;
use model::{FieldModel, Model};
use rayon::prelude::*;
use score::Scorer;
use table::Table;

/// Pairs at or above this match probability are proposed unless the config or `--threshold` says otherwise.
pub const DEFAULT_THRESHOLD: f64 = 0.5;
/// Blocks larger than this are skipped.
pub const DEFAULT_MAX_BLOCK: usize = 100;
/// Random pairs drawn to estimate u (the exact level, where rare agreement matters most, is
/// computed from value frequencies instead): 100,000 pin the other levels' shares closely enough
/// (CRM-like 100,000: the same F1 as with 200,000).
const U_SAMPLES: usize = 100_000;

/// How to run detection.
#[derive(Debug, Clone)]
pub struct Options {
    pub threshold: f64,
    pub link_only: bool,
    pub max_block: usize,
    /// A model from an earlier run to reuse (it is retrained when it does not fit the fields).
    pub model: Option<Model>,
    /// Count family name, address, phone and company once (households and offices share them);
    /// `None`: when the records carry an e-mail, phone, company or website (CRM records).
    pub place_once: Option<bool>,
    /// Pairs (record row ids, smaller first) proposed earlier and still pending: when compared
    /// again they are returned even below the threshold (`Proposal::below`), to be rescored.
    pub rescore: std::collections::HashSet<(i64, i64)>,
}

impl Default for Options {
    fn default() -> Self {
        Options {
            threshold: DEFAULT_THRESHOLD,
            link_only: false,
            max_block: DEFAULT_MAX_BLOCK,
            model: None,
            place_once: None,
            rescore: Default::default(),
        }
    }
}

/// A pair proposed as duplicates: record indices in the table, score, and what its reasons are
/// made from (`Outcome::explainer` writes them out: kept for every proposal, a million records'
/// worth of reason texts would take more memory than everything else).
#[derive(Debug, Clone, PartialEq)]
pub struct Proposal {
    pub a: usize,
    pub b: usize,
    pub probability: f64,
    pub weight: f64,
    /// The packed comparison levels.
    pub pattern: u64,
    /// The blocking rule that produced the pair (an index in `Outcome::rules`).
    pub rule: usize,
    /// Below the threshold: an earlier proposal compared again (`Options::rescore`), not a new one.
    pub below: bool,
}

/// What a run did, for the progress report and `--json`.
#[derive(Debug, Clone, Default, PartialEq, serde::Serialize)]
pub struct Stats {
    pub records: u64,
    pub records_new_or_changed: u64,
    /// The compared fields: (name, kind).
    pub fields: Vec<(String, String)>,
    /// The fields made of several columns of their kind, with those columns.
    pub grouped_columns: Vec<(String, Vec<String>)>,
    #[serde(flatten)]
    pub blocking: BlockStats,
    pub pairs_compared: u64,
    pub candidates_found: u64,
    /// Earlier proposals compared again and now below the threshold (rescored, not withdrawn).
    pub rescored_below_threshold: u64,
    /// Pairs at or above the threshold set apart because their generational suffixes differ.
    pub generations_apart: u64,
    pub trained: bool,
    pub lambda: f64,
    /// Whether family name, address, phone and company counted as one piece of evidence.
    pub place_once: bool,
}

/// The outcome of a run.
pub struct Outcome<'a> {
    pub proposals: Vec<Proposal>,
    pub model: Model,
    pub stats: Stats,
    /// Blocking rule names.
    pub rules: Vec<String>,
    table: &'a Table,
    comparer: Comparer<'a>,
    place_once: bool,
}

impl Outcome<'_> {
    /// Writes out proposals' reasons (one scorer for all of them).
    pub fn explainer(&self) -> Explainer<'_> {
        let scorer = Scorer::new(self.table, &self.comparer, &self.model, self.place_once);
        Explainer { scorer, rules: &self.rules, table: self.table }
    }
}

/// Reasons for proposals: the match probability and the rule, then per field the two values,
/// the level and its weight.
pub struct Explainer<'o> {
    scorer: Scorer<'o>,
    rules: &'o [String],
    table: &'o Table,
}

impl Explainer<'_> {
    pub fn reasons(&self, p: &Proposal) -> Vec<Reason> {
        let rule = self.rules.get(p.rule).map(String::as_str).unwrap_or("");
        // The overall line carries the weight (shown after it, as on every line), so that a later
        // run's line replaces it.
        let mut reasons = vec![Reason {
            weight: Some(p.weight),
            ..Reason::text(format!("match probability {:.4}; blocked on {rule}", p.probability))
        }];
        if let Some((a, b)) = self.table.generations_apart(p.a, p.b) {
            reasons.push(Reason::text(format!(
                "generations differ ({} and {}): father and son, not one person",
                a.label(),
                b.label()
            )));
        }
        reasons.extend(self.scorer.reasons(p.pattern, p.a, p.b));
        reasons
    }
}

/// True when a model carries the place lifts this run needs (both key sets), or none without them.
fn place_fits(model: &Model, place_once: bool) -> bool {
    model.place.len() == if place_once { 2 * place::MASKS } else { 0 }
}

/// Pairs that can exist at all: every pair, or every pair across sources when linking.
fn possible_pairs(table: &Table, link_only: bool) -> f64 {
    let mut per_source = vec![0f64; table.sources.len()];
    for r in &table.records {
        per_source[r.source as usize] += 1.0;
    }
    pairs_among(&per_source, link_only)
}

/// Pairs among records counted by source: every pair, or every pair across sources when linking.
pub(crate) fn pairs_among(per_source: &[f64], link_only: bool) -> f64 {
    let n: f64 = per_source.iter().sum();
    if !link_only {
        return n * (n - 1.0) / 2.0;
    }
    (n * n - per_source.iter().map(|c| c * c).sum::<f64>()) / 2.0
}

/// Finds the duplicate pairs of a table; `progress` hears each stage.
pub fn detect<'a>(table: &'a Table, opts: &Options, progress: &mut dyn FnMut(&str)) -> Outcome<'a> {
    let mut stats = Stats {
        records: table.records.len() as u64,
        records_new_or_changed: table.records.iter().filter(|r| r.dirty).count() as u64,
        fields: Comparer::compared(table).map(|f| (f.name.clone(), f.kind.as_str().to_string())).collect(),
        grouped_columns: Comparer::compared(table)
            .filter(|f| f.columns.len() > 1)
            .map(|f| (f.name.clone(), f.columns.clone()))
            .collect(),
        ..Stats::default()
    };
    let place_once = opts.place_once.unwrap_or_else(|| {
        table
            .fields
            .iter()
            .any(|f| matches!(f.kind, Kind::Email | Kind::Phone | Kind::Company | Kind::Website))
    });
    stats.place_once = place_once;
    // An earlier run's model is reused when it fits the fields this run compares (decided before
    // the comparer is built: blocking must know whether to sample pairs for training).
    let reuse =
        opts.model.clone().filter(|m| m.fits_fields(Comparer::compared(table)) && place_fits(m, place_once));
    let rules = block::rules_for(table);
    let block_opts = BlockOptions {
        link_only: opts.link_only,
        max_block: opts.max_block,
        rule_budget: (table.records.len() as u64 * 2).max(2_000_000),
        sample_dropped: reuse.is_none(),
    };
    // The comparer's per-record rows are built while blocking runs: neither keeps both cores busy.
    let (comparer, (pairs, block_stats, kept)) =
        rayon::join(|| Comparer::new(table), || block::pairs(table, &rules, block_opts));
    progress(&format!(
        "{} from {} ({} over {} records skipped), {} to compare",
        count(block_stats.blocks, "block", "blocks"),
        count(block_stats.rules_used.len(), "rule", "rules"),
        count(block_stats.blocks_skipped, "block", "blocks"),
        opts.max_block,
        count(block_stats.pairs, "pair", "pairs")
    ));
    if !block_stats.rules_dropped.is_empty() {
        progress(&format!("rules dropped (too many pairs): {}", block_stats.rules_dropped.join("; ")));
    }
    stats.blocking = block_stats;
    let patterns: Vec<u64> = pairs
        .par_chunks(4096)
        .flat_map_iter(|chunk| {
            let mut out = Vec::with_capacity(chunk.len());
            comparer.patterns_into(chunk.iter().map(|p| (p.a as usize, p.b as usize)), &mut out);
            out
        })
        .collect();
    stats.pairs_compared = pairs.len() as u64;
    if stats.blocking.training_pairs > 0 {
        progress(&format!(
            "{} compared ({} of them sampled from dropped rules, for training only)",
            count(pairs.len(), "pair", "pairs"),
            stats.blocking.training_pairs
        ));
    } else {
        progress(&format!("{} compared", count(pairs.len(), "pair", "pairs")));
    }

    if reuse.is_none() {
        progress("training the model");
    }
    stats.trained = reuse.is_none();
    let mut model = match reuse {
        Some(model) => model,
        None => {
            let u = model::estimate_u(table, &comparer, U_SAMPLES, opts.link_only);
            let rule_fields: Vec<Vec<usize>> = rules
                .iter()
                .map(|r| compared_positions(table, &comparer, &training_blanks(table, r)))
                .collect();
            let rule_own: Vec<Vec<usize>> =
                rules.iter().map(|r| compared_positions(table, &comparer, &own_blanks(table, r))).collect();
            progress("u estimated from random pairs");
            let m = model::train_m(&pairs, &patterns, &rule_fields, &rule_own, &u);
            let fields = comparer
                .fields()
                .zip(m.into_iter().zip(u))
                .map(|(f, (m, u))| FieldModel {
                    field: f.name.clone(),
                    kind: f.kind.as_str().to_string(),
                    m,
                    u,
                })
                .collect();
            Model { fields, lambda: 1e-6, place: Vec::new() }
        }
    };
    let weigh = |model: &Model| -> Vec<f64> {
        let scorer = Scorer::new(table, &comparer, model, place_once);
        pairs
            .par_iter()
            .zip(&patterns)
            .map(|(p, pat)| scorer.weight(*pat, p.a as usize, p.b as usize))
            .collect()
    };
    let weights = if stats.trained {
        let all_pairs = possible_pairs(table, opts.link_only);
        let lambda = |weights: &[f64]| {
            let scored: Vec<f64> =
                pairs.iter().zip(weights).filter(|(p, _)| !p.train_only).map(|(_, w)| *w).collect();
            model::estimate_lambda(&scored, all_pairs)
        };
        if place_once {
            // The place facets' dependence among non-matches, measured on all pairs of records
            // (across sources when linking: the pairs that can be proposed),
            // the true duplicates among them told apart by their given names — or, without a
            // given name that separates (accounts), removed by their number the model expects
            // before any lift. That model takes households and offices for duplicates too, so the
            // lifts err low, never high; and they are measured once: measuring again under the
            // lifts feeds back (each lift lowers the duplicates' probabilities, which raises the
            // next lift) until the duplicates sharing a place are all explained away.
            let key_sets = place::key_sets(&comparer);
            let (m, u): (Vec<Vec<f64>>, Vec<Vec<f64>>) =
                model.fields.iter().map(|f| (f.m.clone(), f.u.clone())).unzip();
            let separator = place::separator(&comparer, &m, &u);
            let collisions: Vec<place::Collisions> = key_sets
                .iter()
                .map(|keys| place::collisions(table, &comparer, keys, separator, opts.link_only))
                .collect();
            let matches = match separator {
                Some(_) => vec![vec![0.0; place::MASKS]; key_sets.len()],
                None => {
                    model.place = vec![0.0; 2 * place::MASKS];
                    let weights = weigh(&model);
                    model.lambda = lambda(&weights);
                    let scorer = Scorer::new(table, &comparer, &model, place_once);
                    let posteriors: Vec<f64> = weights.par_iter().map(|w| scorer.probability(*w)).collect();
                    key_sets
                        .iter()
                        .map(|keys| place::expected_matches(&comparer, keys, &pairs, &posteriors))
                        .collect()
                }
            };
            model.place = collisions.iter().zip(&matches).flat_map(|(c, m)| place::lifts(c, m)).collect();
            let shown: Vec<String> = (0..2 * place::MASKS)
                .filter(|m| model.place[*m] > 0.0)
                .map(|m| {
                    format!(
                        "{}{:04b} {:.1}",
                        ["", "postcode "][m / place::MASKS],
                        m % place::MASKS,
                        model.place[m]
                    )
                })
                .collect();
            progress(&format!("place facets' dependence (log2 lift by mask): {}", shown.join(", ")));
        }
        let weights = weigh(&model);
        model.lambda = lambda(&weights);
        progress(&format!("model trained: λ = {:.3e}", model.lambda));
        weights
    } else {
        weigh(&model)
    };
    stats.lambda = model.lambda;
    let scorer = Scorer::new(table, &comparer, &model, place_once);
    let mut proposals: Vec<Proposal> = (0..pairs.len())
        .into_par_iter()
        .filter_map(|x| {
            // Father and son (`Jr.`, `Sr.`) share name, address and phone: never one person.
            let apart = table.generations_apart(pairs[x].a as usize, pairs[x].b as usize).is_some();
            let probability = if apart { 0.0 } else { scorer.probability(weights[x]) };
            let below = probability < opts.threshold;
            let rowids = |p: &block::Pair| {
                let (a, b) = (table.records[p.a as usize].rowid, table.records[p.b as usize].rowid);
                (a.min(b), a.max(b))
            };
            if pairs[x].train_only || (below && !opts.rescore.contains(&rowids(&pairs[x]))) {
                return None;
            }
            let first_kept = (0..rules.len()).find(|r| kept[*r] && pairs[x].rules & (1 << r) != 0);
            Some(Proposal {
                a: pairs[x].a as usize,
                b: pairs[x].b as usize,
                probability,
                weight: weights[x],
                pattern: patterns[x],
                rule: first_kept.unwrap_or(usize::MAX),
                below,
            })
        })
        .collect();
    proposals.sort_by_key(|p| (table.records[p.a].rowid, table.records[p.b].rowid));
    if !table.generations.is_empty() {
        stats.generations_apart = (0..pairs.len())
            .filter(|&x| {
                !pairs[x].train_only
                    && table.generations_apart(pairs[x].a as usize, pairs[x].b as usize).is_some()
                    && scorer.probability(weights[x]) >= opts.threshold
            })
            .count() as u64;
    }
    stats.rescored_below_threshold = proposals.iter().filter(|p| p.below).count() as u64;
    stats.candidates_found = proposals.len() as u64 - stats.rescored_below_threshold;
    let rescored = match stats.rescored_below_threshold {
        0 => String::new(),
        1 => "; 1 earlier one compared again falls below it and is rescored".to_string(),
        n => format!("; {n} earlier ones compared again fall below it and are rescored"),
    };
    let apart = match stats.generations_apart {
        0 => String::new(),
        n => format!("; {n} set apart: their generational suffixes differ (Jr. and Sr.)"),
    };
    progress(&format!(
        "{} found at threshold {}{rescored}{apart}",
        count(stats.candidates_found, "candidate", "candidates"),
        opts.threshold
    ));
    let rules = rules.into_iter().map(|r| r.name).collect();
    Outcome { proposals, model, stats, rules, table, comparer, place_once }
}

/// The fields a training session on `rule` must leave out: besides the rule's own fields, those
/// whose agreement the rule drags along among non-matches, which would otherwise pass for matches.
/// Namesakes share e-mail local parts (made of the name); households share family name and
/// address; colleagues on a role mailbox share the company's address and line.
fn training_blanks(table: &Table, rule: &block::Rule) -> Vec<usize> {
    use kinds::{Group, Kind};
    let mut groups: Vec<Group> = Vec::new();
    let mut kinds: Vec<Kind> = Vec::new();
    for atom in &rule.atoms {
        let (block::Atom::Norm(f) | block::Atom::Alt(f) | block::Atom::Code(f) | block::Atom::Initial(f)) =
            *atom;
        let kind = table.fields[f].kind;
        kinds.push(kind);
        match (kind.group(), kind, atom) {
            (Group::Name, _, _) => kinds.push(Kind::Email),
            (Group::Place, _, _) => kinds.extend([Kind::LastName, Kind::FullName]),
            (_, Kind::Email, block::Atom::Alt(_)) => groups.push(Group::Name),
            (_, Kind::Email, _) => groups.push(Group::Place),
            _ => {}
        }
        if kind.group() != Group::Own {
            groups.push(kind.group());
        }
    }
    let own = rule.fields();
    (0..table.fields.len())
        .filter(|k| {
            let kind = table.fields[*k].kind;
            own.contains(k)
                || kinds.contains(&kind)
                || (kind.group() != Group::Own && groups.contains(&kind.group()))
        })
        .collect()
}

/// The fields the second training pass (`model::train_m`) leaves out on `rule`: the rule's own,
/// or all of them when its key reads an address or a phone. Pairs sharing a street or a line are
/// full of non-duplicates that share the rest of the place too (the tenants of a serviced office,
/// a group's subsidiaries on its switchboard), which EM takes for matches: trained on those, a
/// company name's m fell to 0.19 on the account benchmark. Pairs sharing a web domain or a
/// company name are mostly duplicates, whatever their address.
fn own_blanks(table: &Table, rule: &block::Rule) -> Vec<usize> {
    let own = rule.fields();
    if own.iter().any(|f| matches!(place::facet_of(table.fields[*f].kind), Some(1 | 2))) {
        return (0..table.fields.len()).collect();
    }
    own
}

/// Positions in the comparer's pattern of the given table fields.
fn compared_positions(table: &Table, comparer: &Comparer, fields: &[usize]) -> Vec<usize> {
    comparer
        .fields()
        .enumerate()
        .filter(|(_, f)| fields.iter().any(|t| std::ptr::eq(&table.fields[*t], *f)))
        .map(|(k, _)| k)
        .collect()
}
