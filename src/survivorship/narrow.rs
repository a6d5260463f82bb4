//! How each strategy narrows the candidates (and why, in words), and how `union` and `sum` build
//! a value from several records. Called only by `engine`, which owns the order of events.

use super::engine::{Cand, Env, Scope, Step, SEP};
use super::strategy::{self as st, Decimal, Strategy};
use std::cmp::Ordering;

impl Env<'_> {
    /// What a narrowing strategy keeps.
    pub(super) fn narrow(&self, s: &Strategy, cands: &[Cand], scope: Scope) -> Step {
        let members = self.members;
        let (mask, note) = match s {
            Strategy::SourcePriority => {
                (best(cands, |_, c| Some(self.rules.rank(self.source(c.m))), |a, b| b.cmp(a)), None)
            }
            Strategy::MostRecent => {
                (best(cands, |_, c| members[c.m].updated.as_deref(), |a, b| st::cmp_time(a, b)), None)
            }
            Strategy::Oldest => {
                (best(cands, |_, c| members[c.m].created.as_deref(), |a, b| st::cmp_time(b, a)), None)
            }
            Strategy::MostComplete => (best(cands, |_, c| Some(self.filled(c, scope)), usize::cmp), None),
            Strategy::MostFrequent => {
                let norms: Vec<String> = cands.iter().map(|c| st::normalise(&c.value)).collect();
                let shared = |i: usize| norms.iter().filter(|n| **n == norms[i]).count();
                (best(cands, |i, _| Some(shared(i)), usize::cmp), None)
            }
            Strategy::Longest => (best(cands, |_, c| Some(c.value.chars().count()), usize::cmp), None),
            Strategy::NonEmpty => (cands.iter().map(|c| !st::is_blank(&c.value)).collect(), None),
            Strategy::ValidEmail => {
                (valid_mask(cands, st::is_valid_email), Some("no valid email".to_string()))
            }
            Strategy::ValidPhone => {
                (valid_mask(cands, st::is_valid_phone), Some("no valid phone".to_string()))
            }
            Strategy::Max | Strategy::Min => {
                let want = if *s == Strategy::Max { Ordering::Greater } else { Ordering::Less };
                match extreme(cands, want) {
                    Some(mask) => (mask, None),
                    // Fewer than two numbers (or dates): nothing to rank, the next rule decides.
                    None => return Step::Pass,
                }
            }
            Strategy::FromSource(source) => (
                cands.iter().map(|c| self.source(c.m) == source).collect(),
                Some(format!("no {source} value")),
            ),
            Strategy::Union | Strategy::Sum => return Step::Pass,
        };
        let kept = mask.iter().filter(|k| **k).count();
        if kept == 0 {
            return note.map(Step::Note).unwrap_or(Step::Pass);
        }
        if kept == cands.len() {
            return Step::Pass;
        }
        let phrase = self.phrase(s, cands, &mask, scope);
        Step::Kept(mask, phrase)
    }

    /// Non-empty fields: of the whole record, or of the group.
    fn filled(&self, c: &Cand, scope: Scope) -> usize {
        match scope {
            Scope::Group(_) => c.value.split(SEP).filter(|p| !p.is_empty()).count(),
            _ => self.members[c.m].fields.values().filter(|v| !st::is_blank(v)).count(),
        }
    }

    /// Why a strategy kept what it kept, in words.
    fn phrase(&self, s: &Strategy, cands: &[Cand], mask: &[bool], scope: Scope) -> String {
        let n = cands.len();
        let first = cands.iter().zip(mask).find(|(_, k)| **k).map(|(c, _)| c).expect("kept some");
        let kept: Vec<&Cand> = cands.iter().zip(mask).filter(|(_, k)| **k).map(|(c, _)| c).collect();
        match s {
            Strategy::SourcePriority => {
                let mut losers: Vec<&str> =
                    cands.iter().zip(mask).filter(|(_, k)| !**k).map(|(c, _)| self.source(c.m)).collect();
                losers.sort_by_key(|s| (self.rules.rank(s), *s));
                losers.dedup();
                // Written piece by piece: this sentence is built for most narrowed fields.
                let mut text = String::with_capacity(64);
                text.push_str(self.source(first.m));
                text.push_str(" outranks ");
                for (i, loser) in losers.iter().enumerate() {
                    if i > 0 {
                        text.push_str(if i + 1 == losers.len() { " and " } else { ", " });
                    }
                    text.push_str(loser);
                }
                text
            }
            Strategy::MostRecent | Strategy::Oldest => {
                let recent = *s == Strategy::MostRecent;
                let stamp = |m: usize| {
                    let r = &self.members[m];
                    if recent {
                        r.updated.as_deref()
                    } else {
                        r.created.as_deref()
                    }
                };
                let t = stamp(first.m).unwrap_or("");
                let stamps: Vec<&str> = cands.iter().filter_map(|c| stamp(c.m)).collect();
                let undated = n - stamps.len();
                let (verb, word) = if recent { ("updated", "newest") } else { ("created", "oldest") };
                let mut text =
                    format!("{verb} {}, the {word} of {n}", st::show_time(t, stamps.iter().copied()));
                if undated > 0 {
                    text.push_str(&format!(" ({undated} undated)"));
                }
                text
            }
            Strategy::MostComplete => {
                let k = self.filled(first, scope);
                let fields = |k| crate::text::count(k, "field", "fields");
                match scope {
                    Scope::Group(names) => format!("the most complete ({k} of {} fields)", names.len()),
                    Scope::Field => format!("from the most complete record ({} filled)", fields(k)),
                    Scope::Survivor if kept.len() == 1 => {
                        format!("{} is the most complete record ({} filled)", self.key(first.m), fields(k))
                    }
                    Scope::Survivor => format!("the most complete records ({} filled)", fields(k)),
                }
            }
            Strategy::MostFrequent => format!("shared by {} of {n} records", kept.len()),
            Strategy::Longest => format!("the longest of {n}"),
            Strategy::NonEmpty => "not empty".to_string(),
            Strategy::ValidEmail | Strategy::ValidPhone => {
                let what = if *s == Strategy::ValidEmail { "email" } else { "phone" };
                if kept.iter().all(|c| c.value == first.value) {
                    format!("the only valid {what}")
                } else {
                    format!("valid {what}")
                }
            }
            Strategy::Max | Strategy::Min => {
                let max = *s == Strategy::Max;
                if cands.iter().all(|c| st::looks_like_date(&c.value)) {
                    return format!("{} of {n}", if max { "the latest" } else { "the earliest" });
                }
                let word = if max { "the largest" } else { "the smallest" };
                let numbers = cands.iter().filter(|c| st::parse_number(&c.value).is_some()).count();
                match n - numbers {
                    0 => format!("{word} of {n}"),
                    other => format!("{word} of {numbers} numbers ({other} not a number)"),
                }
            }
            Strategy::FromSource(source) => format!("from {source}"),
            Strategy::Union | Strategy::Sum => String::new(),
        }
    }

    /// `union` or `sum` over the candidates: the value, the members it came from, and why.
    pub(super) fn combine(&self, s: &Strategy, cands: &[Cand]) -> Option<(String, Vec<usize>, String)> {
        let mut ordered: Vec<&Cand> = cands.iter().collect();
        ordered.sort_by_key(|c| self.rules.rank(self.source(c.m))); // stable: key order breaks ties
        let only = |from: Vec<usize>, value: String| {
            let why = format!("only {} has a value", self.key(from[0]));
            Some((value, from, why))
        };
        match s {
            Strategy::Union => {
                let (mut items, mut seen, mut dropped) = (Vec::<&str>::new(), Vec::<String>::new(), 0);
                let mut from = Vec::new();
                for c in &ordered {
                    let mut gave = false;
                    for item in c.value.split(';').map(str::trim).filter(|i| !i.is_empty()) {
                        gave = true;
                        let norm = st::normalise(item);
                        if seen.contains(&norm) {
                            dropped += 1;
                        } else {
                            seen.push(norm);
                            items.push(item);
                        }
                    }
                    if gave {
                        from.push(c.m);
                    }
                }
                if items.is_empty() {
                    return None; // only separators: nothing to combine, the set passes on
                }
                if from.len() == 1 {
                    return only(from, items.join(";"));
                }
                let mut why = format!("union of {} records' values", from.len());
                if dropped > 0 {
                    why.push_str(&format!(
                        ", {dropped} duplicate{} dropped",
                        if dropped == 1 { "" } else { "s" }
                    ));
                }
                Some((items.join(";"), from, why))
            }
            Strategy::Sum => {
                let numbers: Vec<(&Cand, Decimal)> =
                    ordered.iter().filter_map(|c| Decimal::parse(&c.value).map(|d| (*c, d))).collect();
                if numbers.is_empty() {
                    return None;
                }
                let total = Decimal::sum(&numbers.iter().map(|(_, d)| *d).collect::<Vec<_>>())?;
                let from: Vec<usize> = numbers.iter().map(|(c, _)| c.m).collect();
                let skipped = cands.len() - numbers.len();
                if from.len() == 1 && skipped == 0 {
                    return only(from, total.to_string());
                }
                let terms: Vec<&str> = numbers.iter().map(|(c, _)| c.value.trim()).collect();
                let records = if from.len() == 1 { "record" } else { "records" };
                let mut why = format!("sum of {} {records}: {}", from.len(), terms.join(" + "));
                if skipped > 0 {
                    why.push_str(&format!("; {skipped} not a number, left out"));
                }
                Some((total.to_string(), from, why))
            }
            _ => None,
        }
    }
}

/// The mask of candidates whose key is best (`cmp` says which is better); none when no key.
fn best<'c, 'a: 'c, T>(
    cands: &'c [Cand<'a>],
    key: impl Fn(usize, &'c Cand<'a>) -> Option<T>,
    cmp: impl Fn(&T, &T) -> Ordering,
) -> Vec<bool> {
    let keys: Vec<Option<T>> = cands.iter().enumerate().map(|(i, c)| key(i, c)).collect();
    let mut top: Option<&T> = None;
    for k in keys.iter().flatten() {
        if top.is_none_or(|t| cmp(k, t) == Ordering::Greater) {
            top = Some(k);
        }
    }
    keys.iter().map(|k| matches!((k, top), (Some(k), Some(t)) if cmp(k, t) == Ordering::Equal)).collect()
}

/// Candidates passing a validator (for a group: any of its values passing).
fn valid_mask(cands: &[Cand], valid: fn(&str) -> bool) -> Vec<bool> {
    cands.iter().map(|c| c.value.split(SEP).any(valid)).collect()
}

/// The largest (`Greater`) or smallest (`Less`) values: dates in their order when all are ISO
/// dates, else numbers among the values that read as one (the others left out); `None` when
/// fewer than two values are numbers, since text has no largest a steward would mean.
fn extreme(cands: &[Cand], want: Ordering) -> Option<Vec<bool>> {
    let directed = |o: Ordering| if want == Ordering::Greater { o } else { o.reverse() };
    if cands.iter().all(|c| st::looks_like_date(&c.value)) {
        return Some(best(cands, |_, c| Some(c.value.trim()), |a, b| directed(a.cmp(b))));
    }
    let numbers: Vec<Option<f64>> = cands.iter().map(|c| st::parse_number(&c.value)).collect();
    if numbers.iter().flatten().count() < 2 {
        return None;
    }
    Some(best(cands, |i, _| numbers[i], |a, b| directed(a.partial_cmp(b).unwrap_or(Ordering::Equal))))
}
