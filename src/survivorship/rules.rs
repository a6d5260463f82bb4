//! The survivorship rules file (TOML): per object a source priority, a default strategy list,
//! per-field lists, field groups and the survivor's list. Reading checks everything a steward
//! can get wrong and names the file, line and column of each problem. Owns no decisions.

mod read;

use super::strategy::Strategy;
use crate::import::InputError;
use anyhow::{Context, Result};
use std::collections::{BTreeMap, HashMap};
use std::fmt;
use std::hash::{BuildHasherDefault, Hasher};
use std::path::Path;

/// The rules built into mergeq (`assets/rules.toml`).
pub const BUILTIN_RULES: &str = include_str!("../../assets/rules.toml");

/// The object name whose rules apply to objects the file does not name.
pub const ANY_OBJECT: &str = "*";

/// Survivorship rules for every object.
#[derive(Debug, Clone, PartialEq)]
pub struct Rules {
    objects: BTreeMap<String, ObjectRules>,
    fallback: ObjectRules,
}

/// How one object's golden record is decided.
#[derive(Debug, Clone, PartialEq)]
pub struct ObjectRules {
    /// Sources, best first; sources not listed rank after all listed ones.
    pub source_priority: Vec<String>,
    /// The list for fields with no list of their own.
    pub default: Vec<Strategy>,
    /// Per-field lists, keyed by the field name in lower case (names match without regard to case).
    /// Read-only after reading the file: `plan_of` indexes it.
    pub(super) fields: BTreeMap<String, Vec<Strategy>>,
    pub(super) groups: Vec<FieldGroup>,
    /// The list that chooses the survivor (record strategies only).
    pub survivor: Vec<Strategy>,
    /// Lower-case field name → index in `groups`.
    group_of: HashMap<String, usize>,
    /// Lower-case field name → how it is decided: the one lookup the engine makes per field.
    plan_of: HashMap<String, Plan, BuildHasherDefault<Fnv>>,
    /// The per-field lists `Plan::List` points into.
    lists: Vec<Vec<Strategy>>,
}

/// How a named field is decided.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Plan {
    /// With group `.0`, where it is field number `.1`.
    Group(usize, usize),
    /// By its own list (an index into `lists`).
    List(usize),
}

/// FNV-1a: field names are short and come from the rules file, so a fast hash is enough.
#[derive(Debug, Default, Clone, Copy)]
pub(super) struct Fnv(u64);

impl Hasher for Fnv {
    fn write(&mut self, bytes: &[u8]) {
        let mut h = if self.0 == 0 { 0xcbf2_9ce4_8422_2325 } else { self.0 };
        for b in bytes {
            h ^= u64::from(*b);
            h = h.wrapping_mul(0x0100_0000_01b3);
        }
        self.0 = h;
    }
    fn finish(&self) -> u64 {
        self.0
    }
}

/// Fields decided together, from one record.
#[derive(Debug, Clone, PartialEq)]
pub struct FieldGroup {
    pub name: String,
    /// Lower-case field names, in the file's order.
    pub fields: Vec<String>,
    /// The group's own list, else the list of its first field that has one, else the default.
    pub rules: Vec<Strategy>,
}

/// Every problem found in a rules file.
#[derive(Debug, Clone, PartialEq)]
pub struct RulesError {
    pub problems: Vec<InputError>,
}

impl fmt::Display for RulesError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let lines: Vec<String> = self.problems.iter().map(|p| p.to_string()).collect();
        f.write_str(&lines.join("; "))
    }
}

impl std::error::Error for RulesError {}

impl Rules {
    /// The built-in rules.
    pub fn builtin() -> Rules {
        Rules::parse(BUILTIN_RULES, "assets/rules.toml").expect("the built-in rules are valid")
    }

    /// The rules of `--rules FILE` when given, else the built-in ones.
    pub fn load(path: Option<&Path>) -> Result<Rules> {
        let Some(path) = path else { return Ok(Rules::builtin()) };
        let text = std::fs::read_to_string(path)
            .with_context(|| format!("reading the rules file {}", path.display()))?;
        Ok(Rules::parse(&text, &path.display().to_string())?)
    }

    /// The rules for `object`: its own, else those of `[object."*"]`, else a built-in fallback.
    pub fn for_object(&self, object: &str) -> &ObjectRules {
        self.objects.get(object).or_else(|| self.objects.get(ANY_OBJECT)).unwrap_or(&self.fallback)
    }

    /// The objects the file names.
    pub fn objects(&self) -> impl Iterator<Item = &str> {
        self.objects.keys().map(String::as_str)
    }
}

impl ObjectRules {
    /// Rules for an object no rules file names: newest, then fullest record; oldest survives.
    pub fn fallback() -> ObjectRules {
        ObjectRules::new(
            Vec::new(),
            vec![Strategy::MostRecent, Strategy::MostComplete, Strategy::SourcePriority],
            vec![Strategy::Oldest, Strategy::MostComplete],
        )
    }

    /// Rules with no per-field lists and no groups.
    pub fn new(source_priority: Vec<String>, default: Vec<Strategy>, survivor: Vec<Strategy>) -> ObjectRules {
        ObjectRules {
            source_priority,
            default,
            fields: BTreeMap::new(),
            groups: Vec::new(),
            survivor,
            group_of: HashMap::new(),
            plan_of: HashMap::default(),
            lists: Vec::new(),
        }
    }

    /// The field groups, in the file's order.
    pub fn groups(&self) -> &[FieldGroup] {
        &self.groups
    }

    /// Builds `plan_of` from `fields` and `groups` (once, after reading).
    fn index(&mut self) {
        self.plan_of.clear();
        self.lists.clear();
        for (name, list) in &self.fields {
            self.plan_of.insert(name.clone(), Plan::List(self.lists.len()));
            self.lists.push(list.clone());
        }
        for (g, group) in self.groups.iter().enumerate() {
            for (pos, name) in group.fields.iter().enumerate() {
                self.plan_of.insert(name.clone(), Plan::Group(g, pos));
            }
        }
    }

    /// The list that decides `field` when it is not in a group.
    pub fn strategies_for(&self, field: &str) -> &[Strategy] {
        let key = lower(field);
        self.fields.get(key.as_ref()).unwrap_or(&self.default)
    }

    /// The group `field` belongs to, if any.
    pub fn group_of(&self, field: &str) -> Option<&FieldGroup> {
        self.group_index(field).map(|i| &self.groups[i])
    }

    /// What came with `field`'s value when it was taken from one record (its group's fields all
    /// name the same record): the group's name, and its other fields in `golden` that `counted`
    /// keeps, said as `city; street, postcode now empty (it has none)`. `None` when `field` is in
    /// no group or nothing counted came with it.
    pub fn came_with(
        &self,
        golden: &crate::model::Golden,
        field: &str,
        counted: impl Fn(&str) -> bool,
    ) -> Option<(&str, String)> {
        let group = self.group_of(field)?;
        let (blank, kept): (Vec<_>, Vec<_>) = golden
            .fields
            .iter()
            .filter(|(f, _)| {
                *f != field && counted(f) && self.group_of(f).is_some_and(|g| g.name == group.name)
            })
            .partition(|(_, g)| g.value.is_none());
        let names = |list: &[(&String, &crate::model::GoldenValue)]| {
            list.iter().map(|(f, _)| f.as_str()).collect::<Vec<_>>().join(", ")
        };
        let text = match (kept.is_empty(), blank.is_empty()) {
            (true, true) => return None,
            (false, true) => names(&kept),
            (true, false) => format!("{} now empty (it has none)", names(&blank)),
            (false, false) => format!("{}; {} now empty (it has none)", names(&kept), names(&blank)),
        };
        Some((&group.name, text))
    }

    /// The index in `groups` of the group `field` belongs to.
    pub(super) fn group_index(&self, field: &str) -> Option<usize> {
        match self.plan(field) {
            Ok((g, _)) => Some(g),
            Err(_) => None,
        }
    }

    /// How `field` is decided: with its group (index, position in it), or by this list.
    pub(super) fn plan(&self, field: &str) -> Result<(usize, usize), &[Strategy]> {
        // Names are usually lower case already: try them as they are before lowering.
        let found = self.plan_of.get(field).or_else(|| match lower(field) {
            std::borrow::Cow::Owned(key) => self.plan_of.get(&key),
            std::borrow::Cow::Borrowed(_) => None,
        });
        match found {
            Some(Plan::Group(g, pos)) => Ok((*g, *pos)),
            Some(Plan::List(i)) => Err(&self.lists[*i]),
            None => Err(&self.default),
        }
    }

    /// Where `source` stands in the priority order (unlisted sources share the last place).
    pub fn rank(&self, source: &str) -> usize {
        self.source_priority.iter().position(|s| s == source).unwrap_or(self.source_priority.len())
    }
}

/// `name` in lower case, borrowed when it already is.
pub(super) fn lower(name: &str) -> std::borrow::Cow<'_, str> {
    // Most names are plain ASCII: check bytes first, characters only when there is more.
    let ascii = name.is_ascii();
    if ascii && name.bytes().any(|b| b.is_ascii_uppercase()) {
        std::borrow::Cow::Owned(name.to_ascii_lowercase())
    } else if !ascii && name.chars().any(char::is_uppercase) {
        std::borrow::Cow::Owned(name.to_lowercase())
    } else {
        std::borrow::Cow::Borrowed(name)
    }
}
