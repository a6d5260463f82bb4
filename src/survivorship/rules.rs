//! The survivorship rules file (TOML): per object a source priority, a default strategy list,
//! per-field lists, field groups and the survivor's list. Reading checks everything a steward
//! can get wrong and names the file, line and column of each problem. Owns no decisions.

use super::strategy::Strategy;
use crate::import::InputError;
use anyhow::{Context, Result};
use serde::Deserialize;
use std::collections::{BTreeMap, HashMap};
use std::fmt;
use std::hash::{BuildHasherDefault, Hasher};
use std::path::Path;
use toml::Spanned;

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

    /// Reads a rules file's text; `file` names it in errors.
    pub fn parse(text: &str, file: &str) -> Result<Rules, RulesError> {
        let at = |span: std::ops::Range<usize>, message: String| {
            let (line, col) = crate::text::line_col(text, span.start);
            InputError::at(file, line, Some((col, String::new())), message)
        };
        let raw: RawFile = toml::from_str(text).map_err(|e| {
            let problem = match e.span() {
                Some(span) => at(span, e.message().trim().to_string()),
                None => InputError::file(file, e.message().trim().to_string()),
            };
            RulesError { problems: vec![problem] }
        })?;
        let mut problems = Vec::new();
        if raw.object.is_empty() {
            problems.push(InputError::file(file, "no [object.NAME] tables: the file defines no rules"));
        }
        let mut objects = BTreeMap::new();
        for (name, obj) in raw.object {
            objects.insert(name, obj.into_rules(&mut |span, msg| problems.push(at(span, msg))));
        }
        if !problems.is_empty() {
            return Err(RulesError { problems });
        }
        Ok(Rules { objects, fallback: ObjectRules::fallback() })
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

type List = Spanned<Vec<Spanned<Strategy>>>;

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawFile {
    #[serde(default)]
    object: BTreeMap<String, RawObject>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawObject {
    #[serde(default)]
    source_priority: Vec<Spanned<String>>,
    default: Option<List>,
    #[serde(default)]
    fields: BTreeMap<Spanned<String>, List>,
    #[serde(default)]
    groups: BTreeMap<Spanned<String>, Spanned<RawGroup>>,
    survivor: Option<List>,
}

/// A group is a list of fields, or a table `{ fields = [...], rules = [...] }`. (Read by hand:
/// serde's untagged enums would lose the spans.)
struct RawGroup {
    fields: Vec<Spanned<String>>,
    rules: Option<List>,
}

impl<'de> Deserialize<'de> for RawGroup {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        use serde::de::{self, MapAccess, SeqAccess, Visitor};
        struct GroupVisitor;
        impl<'de> Visitor<'de> for GroupVisitor {
            type Value = RawGroup;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("a list of field names, or a table with `fields` and optional `rules`")
            }
            fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<RawGroup, A::Error> {
                let mut fields = Vec::new();
                while let Some(f) = seq.next_element::<Spanned<String>>()? {
                    fields.push(f);
                }
                Ok(RawGroup { fields, rules: None })
            }
            fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<RawGroup, A::Error> {
                let (mut fields, mut rules) = (None, None);
                while let Some(key) = map.next_key::<String>()? {
                    match key.as_str() {
                        "fields" => fields = Some(map.next_value()?),
                        "rules" => rules = Some(map.next_value()?),
                        other => {
                            return Err(de::Error::custom(format!(
                                "unknown key `{other}` in a group; expected `fields` or `rules`"
                            )))
                        }
                    }
                }
                let fields = fields.ok_or_else(|| de::Error::custom("a group table needs `fields`"))?;
                Ok(RawGroup { fields, rules })
            }
        }
        d.deserialize_any(GroupVisitor)
    }
}

type Report<'a> = dyn FnMut(std::ops::Range<usize>, String) + 'a;

/// The strategies of a list, reporting an empty list.
fn strategies(list: List, what: &str, report: &mut Report) -> Vec<Strategy> {
    if list.get_ref().is_empty() {
        report(list.span(), format!("{what} is empty: an empty list decides nothing"));
    }
    list.into_inner().into_iter().map(Spanned::into_inner).collect()
}

impl RawObject {
    fn into_rules(self, report: &mut Report) -> ObjectRules {
        let mut rules = ObjectRules::fallback();
        rules.source_priority.clear();
        for s in &self.source_priority {
            if rules.source_priority.contains(s.get_ref()) {
                report(s.span(), format!("source `{}` is listed twice in source_priority", s.get_ref()));
            }
            rules.source_priority.push(s.get_ref().clone());
        }
        if let Some(list) = self.default {
            for s in list.get_ref() {
                if s.get_ref().combines() {
                    report(s.span(), format!("`{}` cannot be a default: it is for counters and lists; name the fields it suits", s.get_ref().name()));
                }
            }
            rules.default = strategies(list, "default", report);
        }
        if let Some(list) = self.survivor {
            for s in list.get_ref() {
                if !s.get_ref().judges_records() {
                    report(
                        s.span(),
                        format!(
                            "`{}` compares field values and cannot choose the survivor; \
                             use source_priority, oldest, most_recent, most_complete or from_source",
                            s.get_ref().name()
                        ),
                    );
                }
            }
            rules.survivor = strategies(list, "survivor", report);
        }
        for (name, list) in self.fields {
            let key = name.get_ref().to_lowercase();
            if rules.fields.contains_key(&key) {
                report(
                    name.span(),
                    format!(
                        "field `{}` is listed twice (names match without regard to case)",
                        name.get_ref()
                    ),
                );
            }
            let what = format!("the list of `{}`", name.get_ref());
            let list = strategies(list, &what, report);
            rules.fields.insert(key, list);
        }
        for (name, group) in self.groups {
            let span = group.span();
            let RawGroup { fields, rules: own } = group.into_inner();
            if fields.is_empty() {
                report(span.clone(), format!("group `{}` has no fields", name.get_ref()));
            }
            let index = rules.groups.len();
            let mut lowered = Vec::new();
            for f in &fields {
                let key = f.get_ref().to_lowercase();
                if let Some(&other) = rules.group_of.get(&key) {
                    let other = if other == index {
                        name.get_ref().clone()
                    } else {
                        rules.groups[other].name.clone()
                    };
                    report(
                        f.span(),
                        format!(
                            "field `{}` is already in group `{other}`: a field belongs to one group",
                            f.get_ref()
                        ),
                    );
                }
                rules.group_of.insert(key.clone(), index);
                lowered.push(key);
            }
            let own = own.map(|list| {
                for s in list.get_ref() {
                    if s.get_ref().combines() {
                        report(
                            s.span(),
                            format!(
                                "`{}` would mix records; a group takes all its fields from one record",
                                s.get_ref().name()
                            ),
                        );
                    }
                }
                strategies(list, &format!("the rules of group `{}`", name.get_ref()), report)
            });
            let chosen = match own {
                Some(list) => list,
                None => {
                    let inherited = lowered.iter().find_map(|f| rules.fields.get(f)).cloned();
                    let list = inherited.unwrap_or_else(|| rules.default.clone());
                    if list.iter().any(Strategy::combines) {
                        report(span, format!("group `{}` would take a list that combines records (union or sum) from its first field; give the group its own `rules`", name.get_ref()));
                    }
                    list
                }
            };
            rules.groups.push(FieldGroup { name: name.into_inner(), fields: lowered, rules: chosen });
        }
        rules.index();
        rules
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn builtin_rules_parse() {
        let rules = Rules::builtin();
        for object in ["account", "contact", "lead", ANY_OBJECT] {
            assert!(rules.objects().any(|o| o == object), "{object} missing from the built-in rules");
        }
    }

    /// Each bad file, and the line:column and words its first error must carry.
    #[test]
    fn bad_files_name_line_and_column() {
        let cases: &[(&str, &str, &str)] = &[
            ("[object.contact]\ndefault = [\"newest\"]\n", "2:12", "unknown strategy `newest`"),
            ("[object.contact]\ndefualt = [\"oldest\"]\n", "2:1", "unknown field `defualt`"),
            ("[object.contact]\nsource_priority = \"salesforce\"\n", "2:19", "invalid type"),
            ("[object.contact.fields]\nemail = [{ from = \"x\" }]\n", "2:10", "unknown key `from`"),
            ("[object.contact]\nsurvivor = [\"valid_email\"]\n", "2:13", "cannot choose the survivor"),
            ("[object.contact]\ngroups = { a = [\"x\"], b = [\"X\"] }\n", "2:28", "already in group `a`"),
            ("[object.contact.fields]\nemail = []\n", "2:9", "empty"),
            (
                "[object.contact]\ngroups.a = { fields = [\"x\"], rules = [\"union\"] }\n",
                "2:39",
                "mix records",
            ),
            ("[object.contact]\ndefault = [\"sum\"]\n", "2:12", "cannot be a default"),
            ("[object.contact\n", "1:16", ""),
            ("[objects.contact]\n", "1:2", "unknown field `objects`"),
            ("[object.contact]\ndefault = [\"from_source\"]\n", "2:12", "needs a source"),
        ];
        for (text, want_at, want_words) in cases {
            let err = Rules::parse(text, "r.toml").expect_err(text);
            let first = err.problems[0].to_string();
            assert!(first.starts_with(&format!("r.toml:{want_at}:")), "{text:?} gave {first}");
            assert!(first.contains(want_words), "{text:?} gave {first}");
        }
    }

    #[test]
    fn group_rules_come_from_own_then_first_field_then_default() {
        let text = r#"
            [object.c]
            default = ["most_recent"]
            groups = { address = ["street", "city"], other = { fields = ["x"], rules = ["oldest"] }, plain = ["y"] }
            [object.c.fields]
            City = ["source_priority"]
        "#;
        let rules = Rules::parse(text, "r.toml").unwrap();
        let c = rules.for_object("c");
        assert_eq!(c.group_of("STREET").unwrap().rules, vec![Strategy::SourcePriority]);
        assert_eq!(c.group_of("x").unwrap().rules, vec![Strategy::Oldest]);
        assert_eq!(c.group_of("y").unwrap().rules, vec![Strategy::MostRecent]);
        assert_eq!(c.strategies_for("city"), &[Strategy::SourcePriority]);
        assert_eq!(rules.for_object("unknown"), &ObjectRules::fallback());
    }
}
