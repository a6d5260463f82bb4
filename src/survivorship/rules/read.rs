//! Reading a rules file: the TOML shapes (with the spans of every value), and the checks that
//! report each mistake at its line and column before any rule is used. Apart from `rules`, which
//! holds the rules once read and answers the engine's lookups.

use super::{FieldGroup, ObjectRules, Rules, RulesError};
use crate::import::InputError;
use crate::survivorship::strategy::Strategy;
use serde::Deserialize;
use std::collections::BTreeMap;
use std::fmt;
use toml::Spanned;

impl Rules {
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
    use crate::survivorship::rules::ANY_OBJECT;

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
