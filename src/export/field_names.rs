//! `export --fields FILE`: the CRM's API name of each workspace field, per object, for a merge
//! plan. A workspace built from other exports (or the demo) names fields `first_name`, which no
//! CRM accepts; the file says `first_name = "FirstName"`, or `tags = ""` to leave a field out of the
//! plan. Fields the file does not name are written as they are, and the export says which.
//!
//! ```toml
//! [contact]
//! first_name = "FirstName"
//! tags = ""            # not a CRM field: left out of the plan
//! ["*"]                # every object
//! owner = ""
//! ```

use anyhow::{anyhow, bail, Context, Result};
use std::path::Path;

/// One object's lines: each field as written (matched ignoring case) and the CRM's name of it,
/// or `None`: left out.
type ObjectNames = Vec<(String, Option<String>)>;

/// The names a `--fields` file gives, by object (`*`: any object), compared ignoring case.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct FieldNames {
    file: String,
    /// (object, lower case; `*` for any) and its fields.
    objects: Vec<(String, ObjectNames)>,
}

/// What the file says of one field.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Named<'a> {
    /// Written under this name.
    As(&'a str),
    /// Left out of the plan.
    LeftOut,
    /// Not named by the file: written as it is.
    Unnamed,
}

impl FieldNames {
    pub fn load(path: &Path) -> Result<FieldNames> {
        let file = path.display().to_string();
        let text = std::fs::read_to_string(path).with_context(|| format!("cannot read {file}"))?;
        FieldNames::parse(&file, &text)
    }

    pub fn parse(file: &str, text: &str) -> Result<FieldNames> {
        let table: toml::Table = text.parse().map_err(|e| anyhow!("{file}: {e}"))?;
        let (mut objects, mut tables) = (Vec::new(), Vec::<String>::new());
        for (object, fields) in table {
            let Some(fields) = fields.as_table() else {
                bail!("{file}: `{object}` must be a table of fields, `[{object}]` with `field = \"CRM name\"` lines");
            };
            let mut names: ObjectNames = Vec::new();
            for (field, name) in fields {
                let Some(name) = name.as_str() else {
                    bail!(
                        "{file}: [{object}] {field} must be a string: the CRM's field name, or \"\" to leave it out"
                    );
                };
                let name = name.trim();
                // Names are matched ignoring case, so two lines that differ only in case, or two
                // fields under one name, would leave one of them to chance.
                if let Some((other, _)) = names.iter().find(|(f, _)| f.eq_ignore_ascii_case(field)) {
                    bail!("{file}: [{object}] names the field `{other}` twice (as `{other}` and `{field}`)");
                }
                if let Some((other, _)) = names.iter().find(|(_, n)| {
                    !name.is_empty() && n.as_deref().is_some_and(|n| n.eq_ignore_ascii_case(name))
                }) {
                    bail!("{file}: [{object}] gives `{other}` and `{field}` one name, `{name}`: a name can stand for one field");
                }
                names.push((field.to_string(), (!name.is_empty()).then(|| name.to_string())));
            }
            if let Some(other) = tables.iter().find(|t: &&String| t.eq_ignore_ascii_case(&object)) {
                bail!("{file}: the tables `[{other}]` and `[{object}]` are one object: write its lines in one table");
            }
            tables.push(object.clone());
            objects.push((object.to_lowercase(), names));
        }
        Ok(FieldNames { file: file.to_string(), objects })
    }

    /// The columns the file names for `object` (its own lines and `*`'s) that none of `columns`
    /// is: an import's map naming a column its file lacks (a typo, or another export's map).
    pub fn columns_missing<'a>(&'a self, object: &str, columns: &[String]) -> Vec<&'a str> {
        self.lines(object)
            .filter_map(|(_, n)| n.as_deref())
            .filter(|n| !columns.iter().any(|c| c.trim().eq_ignore_ascii_case(n)))
            .collect()
    }

    /// The lines that speak for `object`: its own table's, then `*`'s (the order a line is
    /// looked for in: an object's own line wins). Each object has one table (`parse`).
    fn lines<'a>(&'a self, object: &str) -> impl Iterator<Item = &'a (String, Option<String>)> {
        let object = object.to_lowercase();
        let own = self.objects.iter().filter(move |(o, _)| *o == object);
        let any = self.objects.iter().filter(|(o, _)| o == "*");
        own.chain(any).flat_map(|(_, names)| names.iter())
    }

    /// The file's name as given.
    pub fn file(&self) -> &str {
        &self.file
    }

    /// What the file says of `field` of `object`: its object's own line first, then `*`'s.
    pub fn name(&self, object: &str, field: &str) -> Named<'_> {
        match self.lines(object).find(|(f, _)| f.eq_ignore_ascii_case(field)) {
            Some((_, Some(name))) => Named::As(name),
            Some((_, None)) => Named::LeftOut,
            None => Named::Unnamed,
        }
    }

    /// For an import, read the other way: the field (as the file writes it) that a file's column
    /// `column` of `object` is stored as, when the file names one (its object's lines first, then
    /// `*`'s; column names compared ignoring case).
    pub fn field_of_column(&self, object: &str, column: &str) -> Option<&str> {
        let column = column.trim();
        self.lines(object)
            .find(|(_, name)| name.as_deref().is_some_and(|n| n.eq_ignore_ascii_case(column)))
            .map(|(field, _)| field.as_str())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_by_object_then_any_ignoring_case() {
        let names = FieldNames::parse(
            "f.toml",
            "[contact]\nfirst_name = \"FirstName\"\ntags = \"\"\n[\"*\"]\nowner = \"\"\nfirst_name = \"x\"\n",
        )
        .unwrap();
        assert_eq!(names.name("Contact", "FIRST_NAME"), Named::As("FirstName"));
        assert_eq!(names.name("contact", "tags"), Named::LeftOut);
        assert_eq!(names.name("account", "owner"), Named::LeftOut);
        assert_eq!(names.name("account", "first_name"), Named::As("x"));
        assert_eq!(names.name("contact", "email"), Named::Unnamed);
        assert_eq!(names.field_of_column("contact", "firstname"), Some("first_name"));
        let mixed = FieldNames::parse("f.toml", "[contact]\nFirstName = \"First Name\"\n").unwrap();
        assert_eq!(mixed.field_of_column("Contact", "first name"), Some("FirstName"), "kept as written");
        assert_eq!(mixed.name("contact", "firstname"), Named::As("First Name"));
        assert_eq!(mixed.columns_missing("contact", &["Email".into()]), ["First Name"]);
        assert!(mixed.columns_missing("contact", &["first name".into()]).is_empty());
        assert_eq!(names.field_of_column("account", "X"), Some("first_name"));
        assert_eq!(names.field_of_column("contact", "tags"), None);
    }

    #[test]
    fn bad_files_say_where() {
        let err = FieldNames::parse("f.toml", "[contact]\nfirst_name = 3\n").unwrap_err().to_string();
        assert!(err.contains("f.toml: [contact] first_name must be a string"), "{err}");
        let err = FieldNames::parse("f.toml", "contact = \"x\"\n").unwrap_err().to_string();
        assert!(err.contains("f.toml: `contact` must be a table"), "{err}");
        let err = FieldNames::parse("f.toml", "[contact]\nphone = \"Phone\"\nPHONE = \"phone2\"\n")
            .unwrap_err()
            .to_string();
        assert!(err.contains("names the field `PHONE` twice (as `PHONE` and `phone`)"), "{err}");
        let err = FieldNames::parse("f.toml", "[contact]\nfoo = \"First Name\"\nbar = \"first name\"\n")
            .unwrap_err()
            .to_string();
        assert!(err.contains("gives `bar` and `foo` one name, `First Name`"), "{err}");
        let err = FieldNames::parse("f.toml", "[contact]\na = \"x\"\n[Contact]\nb = \"y\"\n")
            .unwrap_err()
            .to_string();
        assert!(err.contains("the tables `[Contact]` and `[contact]` are one object"), "{err}");
        assert!(
            FieldNames::parse("f.toml", "[contact]\na = \"\"\nb = \"\"\n").is_ok(),
            "leaving out two is fine"
        );
        let err = FieldNames::parse("f.toml", "[contact\n").unwrap_err().to_string();
        assert!(err.starts_with("f.toml: ") && err.contains("line 1"), "{err}");
    }
}
