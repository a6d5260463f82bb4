//! The survivorship engine: narrows the members' values strategy by strategy, then turns what is
//! left into a golden value with its rule, a one-line explanation and its lineage. Pure, and the
//! result never depends on the order the members are given in (members are taken in key order,
//! and every tie is broken by the survivor, then source priority, then key).

use super::rules::{FieldGroup, ObjectRules};
use super::strategy::{self as st, Strategy};
use super::view::{Explanation, GoldenView, Lineage, ValueView, Why};
use crate::model::{Record, RecordKey};
use std::borrow::Cow;
use std::cmp::Ordering;
use std::sync::Arc;

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
    /// The phrases of the strategies that acted, joined by "; ".
    parts: String,
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

/// The suggested golden record of `members` under `rules`, borrowing from them. `members` must
/// not be empty.
pub fn golden<'a>(rules: &'a ObjectRules, members: &'a [Record]) -> GoldenView<'a> {
    assert!(!members.is_empty(), "a candidate has members");
    let mut order: Vec<usize> = (0..members.len()).collect();
    order.sort_by(|&a, &b| members[a].key.cmp(&members[b].key));
    let mut env = Env { members, rules, order, survivor: None };
    let (survivor, survivor_reason) = env.choose_survivor();
    env.survivor = Some(survivor);

    let names = field_names(members);
    let table = ValueTable::new(members, &names);
    // Decided values by field index, so the result comes out in name order without sorting.
    let mut slots: Vec<Option<ValueView>> = vec![None; names.len()];
    let mut grouped: Vec<Vec<(usize, usize)>> = vec![Vec::new(); rules.groups.len()];
    for (i, name) in names.iter().enumerate() {
        match rules.plan(name) {
            Ok((g, pos)) => grouped[g].push((pos, i)),
            Err(list) => slots[i] = Some(env.decide_field(table.row(i), list)),
        }
    }
    for (group, mut rows) in rules.groups.iter().zip(grouped) {
        if rows.is_empty() {
            continue;
        }
        // In the group's order; names differing only by case keep name order.
        rows.sort_unstable_by(|a, b| a.0.cmp(&b.0).then(names[a.1].cmp(names[b.1])));
        let rows: Vec<usize> = rows.into_iter().map(|(_, i)| i).collect();
        let group_names: Vec<&str> = rows.iter().map(|&i| names[i]).collect();
        let cells: Vec<&[Option<&str>]> = rows.iter().map(|&i| table.row(i)).collect();
        for (i, value) in rows.iter().zip(env.decide_group(group, &group_names, &cells)) {
            slots[*i] = Some(value);
        }
    }
    let fields = names.into_iter().zip(slots).map(|(n, v)| (n, v.expect("every field decided"))).collect();
    GoldenView { fields, survivor: &members[survivor].key, survivor_reason }
}

/// Every field name any member has, sorted: the members' own sorted keys, merged.
fn field_names(members: &[Record]) -> Vec<&str> {
    let mut names: Vec<&str> = members[0].fields.keys().map(String::as_str).collect();
    for member in &members[1..] {
        let mut merged = Vec::with_capacity(names.len().max(member.fields.len()) + 4);
        let mut a = names.iter().copied().peekable();
        let mut b = member.fields.keys().map(String::as_str).peekable();
        loop {
            match (a.peek(), b.peek()) {
                (Some(x), Some(y)) => match x.cmp(y) {
                    Ordering::Less => merged.extend(a.next()),
                    Ordering::Greater => merged.extend(b.next()),
                    Ordering::Equal => {
                        merged.extend(a.next());
                        b.next();
                    }
                },
                (Some(_), None) => merged.extend(a.by_ref()),
                (None, Some(_)) => merged.extend(b.by_ref()),
                (None, None) => break,
            }
        }
        names = merged;
    }
    names
}

/// The members' non-blank values by field: `row(i)[m]` is member `m`'s value of field `i`.
/// Built in one pass over each member's sorted fields, so deciding a field looks nothing up.
struct ValueTable<'a> {
    width: usize,
    cells: Vec<Option<&'a str>>,
}

impl<'a> ValueTable<'a> {
    fn new(members: &'a [Record], names: &[&str]) -> ValueTable<'a> {
        let width = members.len();
        let mut cells = vec![None; names.len() * width];
        for (m, member) in members.iter().enumerate() {
            let mut i = 0;
            for (name, value) in &member.fields {
                while names[i] != name {
                    i += 1;
                }
                if !st::is_blank(value) {
                    cells[i * width + m] = Some(value.as_str());
                }
            }
        }
        ValueTable { width, cells }
    }

    fn row(&self, i: usize) -> &[Option<&'a str>] {
        &self.cells[i * self.width..(i + 1) * self.width]
    }
}

impl<'a> Env<'a> {
    pub(super) fn key(&self, m: usize) -> &'a RecordKey {
        &self.members[m].key
    }

    pub(super) fn source(&self, m: usize) -> &str {
        &self.members[m].key.source
    }

    fn keys(&self, ms: &[usize]) -> Vec<&'a RecordKey> {
        ms.iter().map(|&m| self.key(m)).collect()
    }

    /// The candidate a tie goes to: the survivor, else the best-ranked source, else the first key.
    fn representative<'c>(&self, cands: &'c [Cand<'a>]) -> &'c Cand<'a> {
        let m = self.pick(cands.iter().map(|c| c.m));
        cands.iter().find(|c| c.m == m).expect("picked from these candidates")
    }

    /// Of these members (in key order), the survivor, else the best-ranked source, else the first.
    fn pick(&self, in_key_order: impl Iterator<Item = usize> + Clone) -> usize {
        if let Some(m) = in_key_order.clone().find(|m| Some(*m) == self.survivor) {
            return m;
        }
        // `min_by_key` keeps the first of equals, and the members come in key order.
        in_key_order.min_by_key(|&m| self.rules.rank(self.source(m))).expect("never empty")
    }

    /// Runs a strategy list over the candidates (never empty).
    fn run(&self, list: &[Strategy], mut cands: Vec<Cand<'a>>, scope: Scope) -> Outcome<'a> {
        let mut parts = String::new();
        let mut rule = None;
        for s in list {
            if s.combines() {
                if matches!(scope, Scope::Field) {
                    if let Some((value, from, phrase)) = self.combine(s, &cands) {
                        add_part(&mut parts, &phrase);
                        return Outcome { cands, rule: Some(s.name()), parts, combined: Some((value, from)) };
                    }
                }
                continue;
            }
            let decided = match scope {
                Scope::Survivor => cands.len() == 1,
                _ => all_agree(&cands),
            };
            if decided {
                break;
            }
            match self.narrow(s, &cands, scope) {
                Step::Kept(mask, phrase) => {
                    let mut keep = mask.into_iter();
                    cands.retain(|_| keep.next().unwrap_or(false));
                    add_part(&mut parts, &phrase);
                    rule = Some(s.name());
                }
                Step::Note(note) => add_part(&mut parts, &note),
                Step::Pass => {}
            }
        }
        Outcome { cands, rule, parts, combined: None }
    }

    /// Picks the record a decided value is taken from, or the conflict's shown value, and explains.
    /// Returns (member, rule, explanation, conflict).
    fn settle(&self, out: &Outcome<'a>, present: usize) -> (usize, &'static str, Why<'a>, bool) {
        let pick = self.representative(&out.cands).m;
        if all_agree(&out.cands) {
            return match out.rule {
                Some(rule) => (pick, rule, Why::Text(Arc::from(out.parts.as_str())), false),
                None => (pick, "agree", self.agreement(present, pick), false),
            };
        }
        let distinct = count_distinct(&out.cands);
        let whose = if Some(pick) == self.survivor { " (the survivor)" } else { "" };
        let mut parts = out.parts.clone();
        add_part(
            &mut parts,
            &format!("no rule decides between {distinct} values; showing {}'s{whose}", self.key(pick)),
        );
        (pick, "conflict", Why::Text(Arc::from(parts)), true)
    }

    fn agreement(&self, present: usize, pick: usize) -> Why<'a> {
        match (present, self.members.len()) {
            (_, 1) => Why::Static("the only record"),
            (p, t) if p == t => Why::AllAgree(t),
            (1, _) => Why::Only(self.key(pick)),
            (p, t) => Why::SomeAgree(p, t),
        }
    }

    fn decide_field(&self, row: &[Option<&'a str>], list: &[Strategy]) -> ValueView<'a> {
        // The common case first: every member with a value has the same one.
        let mut values = row.iter().flatten();
        let Some(&first) = values.next() else { return no_value(None) };
        if values.all(|v| *v == first) && !list.first().is_some_and(Strategy::combines) {
            let pick = self.pick(self.order.iter().copied().filter(|&m| row[m].is_some()));
            let present = row.iter().flatten().count();
            return ValueView {
                value: Some(Cow::Borrowed(first)),
                from: Lineage::One(self.key(pick)),
                rule: "agree",
                explanation: Explanation::of(self.agreement(present, pick)),
                conflict: false,
            };
        }
        let cands: Vec<Cand> =
            self.order.iter().filter_map(|&m| Some(Cand { m, value: Cow::Borrowed(row[m]?) })).collect();
        if cands.is_empty() {
            return no_value(None);
        }
        let present = cands.len();
        let out = self.run(list, cands, Scope::Field);
        if let Some((value, from)) = out.combined {
            return ValueView {
                value: Some(Cow::Owned(value)),
                from: Lineage::Many(self.keys(&from)),
                rule: out.rule.unwrap_or("union"),
                explanation: Explanation::of(Why::Text(Arc::from(out.parts))),
                conflict: false,
            };
        }
        let (pick, rule, why, conflict) = self.settle(&out, present);
        let value = row[pick].map(Cow::Borrowed);
        ValueView {
            value,
            from: Lineage::One(self.key(pick)),
            rule,
            explanation: Explanation::of(why),
            conflict,
        }
    }

    /// The values of a group's fields (`names`, as the members spell them, with their `rows` of
    /// member values), all taken from one record.
    fn decide_group(
        &self,
        group: &'a FieldGroup,
        names: &[&'a str],
        rows: &[&[Option<&'a str>]],
    ) -> Vec<ValueView<'a>> {
        let has_any = |m: usize| rows.iter().any(|r| r[m].is_some());
        let same = |a: usize, b: usize| rows.iter().all(|r| r[a] == r[b]);
        let present: Vec<usize> = self.order.iter().copied().filter(|&m| has_any(m)).collect();
        let Some(&first) = present.first() else {
            return names.iter().map(|_| no_value(Some(group.name.as_str()))).collect();
        };
        let (pick, rule, why, conflict) = if present.iter().all(|&m| same(m, first)) {
            let pick = self.pick(present.iter().copied());
            (pick, "agree", self.agreement(present.len(), pick), false)
        } else {
            let cands: Vec<Cand> = present
                .iter()
                .map(|&m| {
                    let parts: Vec<&str> = rows.iter().map(|r| r[m].unwrap_or("")).collect();
                    Cand { m, value: Cow::Owned(parts.join(SEP_STR)) }
                })
                .collect();
            let out = self.run(&group.rules, cands, Scope::Group(names));
            self.settle(&out, present.len())
        };
        let key = self.key(pick);
        let unit = Some(group.name.as_str());
        names
            .iter()
            .zip(rows)
            .map(|(name, row)| {
                let value = row[pick].map(Cow::Borrowed);
                let lacks = if value.is_none() { Some((key, *name)) } else { None };
                ValueView {
                    value,
                    from: Lineage::One(key),
                    rule,
                    explanation: Explanation { unit, why: why.clone(), lacks },
                    conflict,
                }
            })
            .collect()
    }

    /// The record whose CRM id is kept, and why.
    fn choose_survivor(&self) -> (usize, String) {
        // Records are told apart by index here, so they carry no value.
        let cands: Vec<Cand> = self.order.iter().map(|&m| Cand { m, value: Cow::Borrowed("") }).collect();
        if cands.len() == 1 {
            return (cands[0].m, "the only record".to_string());
        }
        let out = self.run(&self.rules.survivor, cands, Scope::Survivor);
        if out.cands.len() == 1 {
            return (out.cands[0].m, out.parts);
        }
        let pick = self.representative(&out.cands).m;
        let order = if self.rules.source_priority.is_empty() { "key" } else { "source priority, then key" };
        let mut parts = out.parts;
        add_part(
            &mut parts,
            &format!("no rule decides between {} records; first by {order}", out.cands.len()),
        );
        (pick, parts)
    }
}

fn no_value(unit: Option<&str>) -> ValueView<'_> {
    ValueView {
        value: None,
        from: Lineage::None,
        rule: "none",
        explanation: Explanation { unit, why: Why::Static("no record has a value"), lacks: None },
        conflict: false,
    }
}

/// Appends a phrase to an explanation, after "; " when there is one already.
fn add_part(parts: &mut String, phrase: &str) {
    if !parts.is_empty() {
        parts.push_str("; ");
    }
    parts.push_str(phrase);
}

fn all_agree(cands: &[Cand]) -> bool {
    cands.iter().all(|c| c.value == cands[0].value)
}

fn count_distinct(cands: &[Cand]) -> usize {
    (0..cands.len()).filter(|&i| !cands[..i].iter().any(|c| c.value == cands[i].value)).count()
}
