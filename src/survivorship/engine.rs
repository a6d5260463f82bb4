//! The survivorship engine: narrows the members' values strategy by strategy, then turns what is
//! left into a golden value with its rule, a one-line explanation and its lineage. Pure, and the
//! result never depends on the order the members are given in (members are taken in key order,
//! and every tie is broken by the survivor, then source priority, then key).

use super::rules::{lower, FieldGroup, ObjectRules};
use super::strategy::{self as st, Strategy};
use crate::model::{Golden, GoldenValue, Record, RecordKey};
use std::borrow::Cow;
use std::collections::{BTreeMap, BTreeSet};

/// Joins a group's field values into one comparable value (a character no CRM value holds).
pub(super) const SEP: char = '\u{1f}';
const SEP_STR: &str = "\u{1f}";

/// One member's value still in the running.
#[derive(Debug, Clone)]
pub(super) struct Cand<'a> {
    /// Index into the members.
    pub m: usize,
    pub value: Cow<'a, str>,
}

/// What the candidates stand for: record keys (the survivor), one field's values, or a group's.
#[derive(Debug, Clone, Copy)]
pub(super) enum Scope<'a> {
    Survivor,
    Field,
    Group(&'a [&'a str]),
}

/// What one narrowing strategy did.
pub(super) enum Step {
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
pub(super) struct Env<'a> {
    pub members: &'a [Record],
    pub rules: &'a ObjectRules,
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
    pub(super) fn key(&self, m: usize) -> &RecordKey {
        &self.members[m].key
    }

    pub(super) fn source(&self, m: usize) -> &str {
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
                    .then(|| Cand { m, value: Cow::Owned(parts.join(SEP_STR)) })
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
