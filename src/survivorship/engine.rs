//! The survivorship engine: narrows the members' values strategy by strategy, then turns what is
//! left into a golden value with its rule, a one-line explanation and its lineage. Pure, and the
//! result never depends on the order the members are given in (members are taken in key order,
//! and every tie is broken by the survivor, then source priority, then key).

use super::rules::{lower, FieldGroup, ObjectRules};
use super::strategy::{self as st, Decimal, Strategy};
use crate::model::{Golden, GoldenValue, Record, RecordKey};
use std::borrow::Cow;
use std::cmp::Ordering;
use std::collections::{BTreeMap, BTreeSet};

/// Joins a group's field values into one comparable value (a character no CRM value holds).
const SEP: char = '\u{1f}';

/// One member's value still in the running.
#[derive(Debug, Clone)]
struct Cand<'a> {
    /// Index into the members.
    m: usize,
    value: Cow<'a, str>,
}

/// What the candidates stand for: record keys (the survivor), one field's values, or a group's.
#[derive(Debug, Clone, Copy)]
enum Scope<'a> {
    Survivor,
    Field,
    Group(&'a [&'a str]),
}

/// What one narrowing strategy did.
enum Step {
    /// Kept some candidates (the mask) and says why.
    Kept(Vec<bool>, String),
    /// Kept none, so the set passes on unchanged; worth telling the steward (no valid email).
    Note(String),
    /// Kept all (or none, silently).
    Pass,
}

/// Where a list of strategies ended.
struct Outcome<'a> {
    cands: Vec<Cand<'a>>,
    /// The strategy that narrowed last (the deciding one when one value is left).
    rule: Option<&'static str>,
    parts: Vec<String>,
    /// The value `union` or `sum` built, and the members it was built from.
    combined: Option<(String, Vec<usize>)>,
}

/// The members of one candidate and the rules that judge them.
struct Env<'a> {
    members: &'a [Record],
    rules: &'a ObjectRules,
    /// Member indices in key order.
    order: Vec<usize>,
    survivor: Option<usize>,
}

/// The suggested golden record of `members` under `rules`. `members` must not be empty.
pub fn golden(rules: &ObjectRules, members: &[Record]) -> Golden {
    assert!(!members.is_empty(), "a candidate has members");
    let mut order: Vec<usize> = (0..members.len()).collect();
    order.sort_by(|&a, &b| members[a].key.cmp(&members[b].key));
    let mut env = Env { members, rules, order, survivor: None };
    let (survivor, survivor_reason) = env.choose_survivor();
    env.survivor = Some(survivor);

    let names: BTreeSet<&str> = members.iter().flat_map(|m| m.fields.keys().map(String::as_str)).collect();
    let mut fields = BTreeMap::new();
    let mut grouped: Vec<Vec<&str>> = vec![Vec::new(); rules.groups.len()];
    for name in names {
        match rules.group_index(name) {
            Some(g) => grouped[g].push(name),
            None => {
                fields.insert(name.to_string(), env.decide_field(name));
            }
        }
    }
    for (group, mut names) in rules.groups.iter().zip(grouped) {
        if names.is_empty() {
            continue;
        }
        let position = |n: &str| group.fields.iter().position(|f| *f == lower(n));
        names.sort_by(|a, b| position(a).cmp(&position(b)).then(a.cmp(b)));
        for (name, value) in names.iter().zip(env.decide_group(group, &names)) {
            fields.insert(name.to_string(), value);
        }
    }
    Golden { fields, survivor: members[survivor].key.clone(), survivor_reason }
}

impl<'a> Env<'a> {
    fn key(&self, m: usize) -> &RecordKey {
        &self.members[m].key
    }

    fn source(&self, m: usize) -> &str {
        &self.members[m].key.source
    }

    fn keys(&self, ms: &[usize]) -> Vec<RecordKey> {
        ms.iter().map(|&m| self.key(m).clone()).collect()
    }

    /// The candidate a tie goes to: the survivor, else the best-ranked source, else the first key.
    fn representative<'c>(&self, cands: &'c [Cand<'a>]) -> &'c Cand<'a> {
        if let Some(c) = cands.iter().find(|c| Some(c.m) == self.survivor) {
            return c;
        }
        // Candidates are in key order and `min_by_key` keeps the first of equals.
        cands.iter().min_by_key(|c| self.rules.rank(self.source(c.m))).expect("candidates are never empty")
    }

    /// Runs a strategy list over the candidates (never empty).
    fn run(&self, list: &[Strategy], mut cands: Vec<Cand<'a>>, scope: Scope) -> Outcome<'a> {
        let mut parts = Vec::new();
        let mut rule = None;
        for s in list {
            if s.combines() {
                if matches!(scope, Scope::Field) {
                    if let Some((value, from, phrase)) = self.combine(s, &cands) {
                        parts.push(phrase);
                        return Outcome { cands, rule: Some(s.name()), parts, combined: Some((value, from)) };
                    }
                }
                continue;
            }
            if all_agree(&cands) {
                break;
            }
            match self.narrow(s, &cands, scope) {
                Step::Kept(mask, phrase) => {
                    let mut keep = mask.into_iter();
                    cands.retain(|_| keep.next().unwrap_or(false));
                    parts.push(phrase);
                    rule = Some(s.name());
                }
                Step::Note(note) => parts.push(note),
                Step::Pass => {}
            }
        }
        Outcome { cands, rule, parts, combined: None }
    }

    /// Picks the record a decided value is taken from, or the conflict's shown value, and explains.
    /// Returns (member, rule, explanation, conflict).
    fn settle(&self, out: &Outcome<'a>, present: usize) -> (usize, &'static str, String, bool) {
        let pick = self.representative(&out.cands).m;
        if all_agree(&out.cands) {
            return match out.rule {
                Some(rule) => (pick, rule, out.parts.join("; "), false),
                None => (pick, "agree", self.agreement(present, pick), false),
            };
        }
        let distinct = count_distinct(&out.cands);
        let whose = if Some(pick) == self.survivor { " (the survivor)" } else { "" };
        let mut parts = out.parts.clone();
        parts.push(format!("no rule decides between {distinct} values; showing {}'s{whose}", self.key(pick)));
        (pick, "conflict", parts.join("; "), true)
    }

    fn agreement(&self, present: usize, pick: usize) -> String {
        let total = self.members.len();
        match (present, total) {
            (_, 1) => "the only record".to_string(),
            (p, t) if p == t => format!("all {t} records agree"),
            (1, _) => format!("only {} has a value", self.key(pick)),
            (p, t) => format!("{p} of {t} records have this value; the others have none"),
        }
    }

    fn decide_field(&self, name: &str) -> GoldenValue {
        let cands: Vec<Cand> = self
            .order
            .iter()
            .filter_map(|&m| {
                let v = self.members[m].fields.get(name).filter(|v| !st::is_blank(v))?;
                Some(Cand { m, value: Cow::Borrowed(v.as_str()) })
            })
            .collect();
        if cands.is_empty() {
            return no_value("no record has a value".to_string());
        }
        let present = cands.len();
        let out = self.run(self.rules.strategies_for(name), cands, Scope::Field);
        if let Some((value, from)) = &out.combined {
            return GoldenValue {
                value: Some(value.clone()),
                from: self.keys(from),
                rule: out.rule.unwrap_or("union").to_string(),
                explanation: out.parts.join("; "),
                conflict: false,
            };
        }
        let (pick, rule, explanation, conflict) = self.settle(&out, present);
        let value = out.cands.iter().find(|c| c.m == pick).map(|c| c.value.to_string());
        GoldenValue {
            value,
            from: vec![self.key(pick).clone()],
            rule: rule.to_string(),
            explanation,
            conflict,
        }
    }

    /// The values of a group's fields (`names`, as the members spell them), all from one record.
    fn decide_group(&self, group: &FieldGroup, names: &[&str]) -> Vec<GoldenValue> {
        let cands: Vec<Cand> = self
            .order
            .iter()
            .filter_map(|&m| {
                let fields = &self.members[m].fields;
                let parts: Vec<&str> =
                    names.iter().map(|n| fields.get(*n).map(|v| v.trim()).unwrap_or("")).collect();
                parts
                    .iter()
                    .any(|p| !p.is_empty())
                    .then(|| Cand { m, value: Cow::Owned(parts.join("\u{1f}")) })
            })
            .collect();
        if cands.is_empty() {
            return names
                .iter()
                .map(|_| no_value(format!("no record has a value for {}", group.name)))
                .collect();
        }
        let present = cands.len();
        let out = self.run(&group.rules, cands, Scope::Group(names));
        let (pick, rule, explanation, conflict) = self.settle(&out, present);
        let record = &self.members[pick];
        names
            .iter()
            .map(|name| {
                let value = record.fields.get(*name).filter(|v| !st::is_blank(v)).cloned();
                let mut text = format!("{} as a unit: {explanation}", group.name);
                if value.is_none() {
                    text.push_str(&format!("; {} has no {name}", record.key));
                }
                GoldenValue {
                    value,
                    from: vec![record.key.clone()],
                    rule: rule.to_string(),
                    explanation: text,
                    conflict,
                }
            })
            .collect()
    }

    /// The record whose CRM id is kept, and why.
    fn choose_survivor(&self) -> (usize, String) {
        let cands: Vec<Cand> =
            self.order.iter().map(|&m| Cand { m, value: Cow::Owned(m.to_string()) }).collect();
        if cands.len() == 1 {
            return (cands[0].m, "the only record".to_string());
        }
        let out = self.run(&self.rules.survivor, cands, Scope::Survivor);
        if out.cands.len() == 1 {
            return (out.cands[0].m, out.parts.join("; "));
        }
        let pick = self.representative(&out.cands).m;
        let order = if self.rules.source_priority.is_empty() { "key" } else { "source priority, then key" };
        let mut parts = out.parts;
        parts.push(format!("no rule decides between {} records; first by {order}", out.cands.len()));
        (pick, parts.join("; "))
    }

    /// What a narrowing strategy keeps.
    fn narrow(&self, s: &Strategy, cands: &[Cand], scope: Scope) -> Step {
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
                (extreme(cands, want), None)
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
                let losers: Vec<String> = losers.into_iter().map(str::to_string).collect();
                format!("{} outranks {}", self.source(first.m), st::and_list(&losers))
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
                match scope {
                    Scope::Group(names) => format!("the most complete ({k} of {} fields)", names.len()),
                    Scope::Field => format!("from the most complete record ({k} fields filled)"),
                    Scope::Survivor if kept.len() == 1 => {
                        format!("{} is the most complete record ({k} fields filled)", self.key(first.m))
                    }
                    Scope::Survivor => format!("the most complete records ({k} fields filled)"),
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
                let word = if cands.iter().all(|c| st::parse_number(&c.value).is_some()) {
                    if max {
                        "the largest"
                    } else {
                        "the smallest"
                    }
                } else if cands.iter().all(|c| st::looks_like_date(&c.value)) {
                    if max {
                        "the latest"
                    } else {
                        "the earliest"
                    }
                } else if max {
                    "the last in text order"
                } else {
                    "the first in text order"
                };
                format!("{word} of {n}")
            }
            Strategy::FromSource(source) => format!("from {source}"),
            Strategy::Union | Strategy::Sum => String::new(),
        }
    }

    /// `union` or `sum` over the candidates: the value, the members it came from, and why.
    fn combine(&self, s: &Strategy, cands: &[Cand]) -> Option<(String, Vec<usize>, String)> {
        let mut ordered: Vec<&Cand> = cands.iter().collect();
        ordered.sort_by_key(|c| self.rules.rank(self.source(c.m))); // stable: key order breaks ties
        let only = |from: Vec<usize>, value: String| {
            let why = format!("only {} has a value", self.key(from[0]));
            Some((value, from, why))
        };
        match s {
            Strategy::Union => {
                let (mut items, mut seen, mut dropped) = (Vec::<&str>::new(), Vec::<String>::new(), 0);
                for c in &ordered {
                    for item in c.value.split(';').map(str::trim).filter(|i| !i.is_empty()) {
                        let norm = st::normalise(item);
                        if seen.contains(&norm) {
                            dropped += 1;
                        } else {
                            seen.push(norm);
                            items.push(item);
                        }
                    }
                }
                let from: Vec<usize> = ordered.iter().map(|c| c.m).collect();
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

fn no_value(explanation: String) -> GoldenValue {
    GoldenValue { value: None, from: Vec::new(), rule: "none".to_string(), explanation, conflict: false }
}

fn all_agree(cands: &[Cand]) -> bool {
    cands.iter().all(|c| c.value == cands[0].value)
}

fn count_distinct(cands: &[Cand]) -> usize {
    (0..cands.len()).filter(|&i| !cands[..i].iter().any(|c| c.value == cands[i].value)).count()
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

/// The largest (`Greater`) or smallest (`Less`) values: as numbers when all are numbers, else as text.
fn extreme(cands: &[Cand], want: Ordering) -> Vec<bool> {
    let numbers: Option<Vec<f64>> = cands.iter().map(|c| st::parse_number(&c.value)).collect();
    match numbers {
        Some(ns) => best(
            cands,
            |i, _| Some(ns[i]),
            |a, b| {
                let o = a.partial_cmp(b).unwrap_or(Ordering::Equal);
                if want == Ordering::Greater {
                    o
                } else {
                    o.reverse()
                }
            },
        ),
        None => best(
            cands,
            |_, c| Some(c.value.trim()),
            |a, b| {
                let o = a.cmp(b);
                if want == Ordering::Greater {
                    o
                } else {
                    o.reverse()
                }
            },
        ),
    }
}
