//! Field kinds: what a column holds (an e-mail, a first name, a postcode…), inferred from common
//! column names (Salesforce, HubSpot, plain) and overridden per object by a TOML config. Pure: the
//! caller reads the config file and hands its text here.

use anyhow::{bail, Result};
use serde::Deserialize;
use std::collections::BTreeMap;
use toml::Spanned;

/// What a field holds; decides how it is normalised, blocked on and compared.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Kind {
    Id,
    Email,
    Phone,
    Website,
    Company,
    FirstName,
    LastName,
    FullName,
    Street,
    City,
    Postcode,
    State,
    Country,
    Date,
    Text,
    /// Not compared at all (owner, status, notes…).
    Ignore,
}

impl Kind {
    pub const ALL: [Kind; 16] = [
        Kind::Id,
        Kind::Email,
        Kind::Phone,
        Kind::Website,
        Kind::Company,
        Kind::FirstName,
        Kind::LastName,
        Kind::FullName,
        Kind::Street,
        Kind::City,
        Kind::Postcode,
        Kind::State,
        Kind::Country,
        Kind::Date,
        Kind::Text,
        Kind::Ignore,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Kind::Id => "id",
            Kind::Email => "email",
            Kind::Phone => "phone",
            Kind::Website => "website",
            Kind::Company => "company",
            Kind::FirstName => "first_name",
            Kind::LastName => "last_name",
            Kind::FullName => "full_name",
            Kind::Street => "street",
            Kind::City => "city",
            Kind::Postcode => "postcode",
            Kind::State => "state",
            Kind::Country => "country",
            Kind::Date => "date",
            Kind::Text => "text",
            Kind::Ignore => "ignore",
        }
    }

    pub fn parse(text: &str) -> Option<Kind> {
        Kind::ALL.into_iter().find(|k| k.as_str() == text)
    }

    /// Kinds of one group tell about the same fact: a household or an office shares its address,
    /// landline and company at once, and a namesake shares given and family name at once. Their
    /// evidence is not independent, so scoring counts a group once and training leaves the whole
    /// group out when a blocking rule forces one of its fields to agree.
    pub fn group(self) -> Group {
        match self {
            Kind::FirstName | Kind::LastName | Kind::FullName => Group::Name,
            Kind::Street
            | Kind::City
            | Kind::Postcode
            | Kind::State
            | Kind::Country
            | Kind::Phone
            | Kind::Company
            | Kind::Website => Group::Place,
            _ => Group::Own,
        }
    }
}

/// See `Kind::group`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Group {
    Name,
    Place,
    /// A field that stands alone.
    Own,
}

/// Squeezes a column name to lower-case letters and digits: `Mailing Street`, `mailing_street`
/// and `MailingStreet` all become `mailingstreet`.
fn squeeze(column: &str) -> String {
    column.chars().filter(|c| c.is_alphanumeric()).flat_map(|c| c.to_lowercase()).collect()
}

/// Prefixes CRMs put before address and contact columns (`MailingCity`, `BillingPostalCode`).
/// `Secondary Email` and `Alternate Phone` are an e-mail and a phone too.
const PREFIXES: &[&str] = &[
    "mailing",
    "billing",
    "shipping",
    "other",
    "home",
    "work",
    "primary",
    "secondary",
    "alternate",
    "alternative",
    "business",
    "personal",
    "hs",
];

/// The kind a column name suggests; `object` matters for `Name`, a company on accounts and a person
/// elsewhere. Unknown names are `text`.
pub fn infer(object: &str, column: &str) -> Kind {
    let full = squeeze(column);
    if let Some(kind) = infer_squeezed(object, &full) {
        return kind;
    }
    for prefix in PREFIXES {
        if let Some(rest) = full.strip_prefix(prefix).filter(|r| !r.is_empty()) {
            if let Some(kind) = infer_squeezed(object, rest) {
                return kind;
            }
        }
    }
    Kind::Text
}

fn is_company_object(object: &str) -> bool {
    matches!(
        squeeze(object).as_str(),
        "account" | "accounts" | "company" | "companies" | "organization" | "organisation"
    )
}

fn infer_squeezed(object: &str, name: &str) -> Option<Kind> {
    let kind = match name {
        "ssn"
        | "socsecid"
        | "socialsecurity"
        | "socialsecuritynumber"
        | "nationalid"
        | "taxid"
        | "vat"
        | "vatnumber"
        | "vatid"
        | "duns"
        | "dunsnumber"
        | "externalid"
        | "enrichmentid"
        | "clearbitid"
        | "zoominfoid"
        | "linkedinid"
        | "passport"
        | "passportnumber"
        | "nino"
        | "ein"
        | "abn" => Kind::Id,
        "email" | "emailaddress" | "mail" | "email1" | "email2" | "emailaddr" => Kind::Email,
        "phone" | "phonenumber" | "telephone" | "tel" | "mobile" | "mobilephone" | "cell" | "cellphone"
        | "fax" | "phone1" | "phone2" | "landline" => Kind::Phone,
        "website" | "websiteurl" | "url" | "web" | "domain" | "companydomain" | "companydomainname"
        | "homepage" | "companywebsite" => Kind::Website,
        "company" | "companyname" | "accountname" | "organisation" | "organization" | "org" | "employer"
        | "businessname" | "account" => Kind::Company,
        "name" if is_company_object(object) => Kind::Company,
        "firstname" | "givenname" | "fname" | "forename" | "first" => Kind::FirstName,
        "lastname" | "surname" | "lname" | "familyname" | "last" => Kind::LastName,
        "name" | "fullname" | "contactname" | "personname" => Kind::FullName,
        "street" | "address" | "address1" | "addressline1" | "streetaddress" | "addr" | "line1"
        | "address2" | "addressline2" | "line2" | "streetnumber" | "housenumber" | "streetname" => {
            Kind::Street
        }
        "city" | "suburb" | "town" | "locality" | "municipality" => Kind::City,
        "postcode" | "postalcode" | "zip" | "zipcode" | "postal" | "plz" => Kind::Postcode,
        "state" | "province" | "region" | "county" | "stateprovince" | "stateregion" | "statecode" => {
            Kind::State
        }
        "country" | "countrycode" | "countryregion" | "nation" => Kind::Country,
        "dob" | "dateofbirth" | "birthdate" | "birthday" | "date" => Kind::Date,
        "notes" | "note" | "description" | "comments" | "comment" | "owner" | "ownerid" | "status"
        | "leadstatus" | "lifecyclestage" | "leadsource" | "source" | "tags" | "rating" | "score"
        | "createdby" | "createdbyid" | "lastmodifiedbyid" | "modifiedby" | "contactowner"
        | "companyowner" | "hubspotowner" | "leadowner" | "accountowner" => Kind::Ignore,
        _ => return None,
    };
    Some(kind)
}

/// Which part of a street address a `street` column holds, when it holds a part: a house number
/// (`street_number`, `HouseNumber`) or a further line (`address_2`, `Street Line 2`). Columns of one
/// kind are compared as one field (a record's value comes from whichever of them it fills), but
/// these hold another part of the address than the street line, not the same fact under another
/// name: they stay fields of their own. `None` for the street line and for other kinds.
pub fn street_part(kind: Kind, column: &str) -> Option<&'static str> {
    if kind != Kind::Street {
        return None;
    }
    let name = squeeze(column);
    if name.contains("number") {
        return Some("number");
    }
    match name.chars().last() {
        Some(d @ '2'..='9') => Some(
            ["line 2", "line 3", "line 4", "line 5", "line 6", "line 7", "line 8", "line 9"]
                [d as usize - '2' as usize],
        ),
        _ => None,
    }
}

/// The detection settings of one object, from the config file.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct ObjectConfig {
    /// Propose pairs whose match probability reaches this.
    pub threshold: Option<f64>,
    /// Phones without a country code are read as numbers of this region (ISO code, e.g. `US`).
    pub default_region: Option<String>,
    /// Blocks larger than this are skipped (they would compare too many pairs).
    pub max_block: Option<usize>,
    /// Count family name, address, phone and company as one piece of evidence (households and
    /// offices share them). Default: on when the records carry an e-mail, phone, company or website.
    pub place_once: Option<bool>,
    /// Kinds by field name; a field not named here keeps its inferred kind.
    pub fields: BTreeMap<String, String>,
}

/// A detection config file: per-object settings.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Config {
    pub object: BTreeMap<String, ObjectConfig>,
}

/// The file as written, each checked value with where it stands, so that a value the checks after
/// parsing refuse is reported at its line and column like a type error is.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawConfig {
    #[serde(default)]
    object: BTreeMap<String, RawObject>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawObject {
    threshold: Option<Spanned<f64>>,
    default_region: Option<Spanned<String>>,
    max_block: Option<Spanned<usize>>,
    place_once: Option<bool>,
    #[serde(default)]
    fields: BTreeMap<String, Spanned<String>>,
}

impl Config {
    /// Parses a config file's text; errors name the file, line and column.
    pub fn parse(file: &str, text: &str) -> Result<Config> {
        let at = |span: std::ops::Range<usize>| {
            let (line, col) = crate::text::line_col(text, span.start);
            format!("{file}:{line}:{col}")
        };
        let raw: RawConfig = match toml::from_str(text) {
            Ok(c) => c,
            Err(e) => match e.span() {
                Some(span) => bail!("{}: {}", at(span), e.message().trim()),
                None => bail!("{file}: {}", e.message().trim()),
            },
        };
        let mut config = Config::default();
        for (object, settings) in raw.object {
            let mut fields = BTreeMap::new();
            for (field, kind) in settings.fields {
                if Kind::parse(kind.get_ref()).is_none() {
                    let names: Vec<&str> = Kind::ALL.iter().map(|k| k.as_str()).collect();
                    bail!(
                        "{}: object {object}, field {field}: unknown kind `{}` (expected one of {})",
                        at(kind.span()),
                        kind.get_ref(),
                        names.join(", ")
                    );
                }
                fields.insert(field, kind.into_inner());
            }
            if let Some(t) = settings.threshold.as_ref().filter(|t| !(0.0..=1.0).contains(t.get_ref())) {
                bail!("{}: object {object}: threshold {} is not between 0 and 1", at(t.span()), t.get_ref());
            }
            if let Some(region) =
                settings.default_region.as_ref().filter(|r| super::normalise::region(r.get_ref()).is_none())
            {
                bail!(
                    "{}: object {object}: unknown default_region `{}` (an ISO country code such as US)",
                    at(region.span()),
                    region.get_ref()
                );
            }
            // A block of one record holds no pair: below 2 every block is skipped and the run compares
            // nothing while reporting success.
            if let Some(max) = settings.max_block.as_ref().filter(|m| *m.get_ref() < 2) {
                bail!(
                    "{}: object {object}: max_block {} compares no pair (blocks need at least 2 records)",
                    at(max.span()),
                    max.get_ref()
                );
            }
            let settings = ObjectConfig {
                threshold: settings.threshold.map(Spanned::into_inner),
                default_region: settings.default_region.map(Spanned::into_inner),
                max_block: settings.max_block.map(Spanned::into_inner),
                place_once: settings.place_once,
                fields,
            };
            config.object.insert(object, settings);
        }
        Ok(config)
    }

    /// The settings of one object (empty when the file does not name it).
    pub fn object(&self, object: &str) -> ObjectConfig {
        self.object.get(object).cloned().unwrap_or_default()
    }
}

impl ObjectConfig {
    /// The kind of a field: the config's word, else the inferred one.
    pub fn kind_of(&self, object: &str, field: &str) -> Kind {
        self.fields.get(field).and_then(|k| Kind::parse(k)).unwrap_or_else(|| infer(object, field))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn infers_kinds_from_common_column_names() {
        let table = [
            ("contact", "FirstName", Kind::FirstName),
            ("contact", "LastName", Kind::LastName),
            ("contact", "Email", Kind::Email),
            ("contact", "Phone", Kind::Phone),
            ("contact", "MobilePhone", Kind::Phone),
            ("contact", "MailingStreet", Kind::Street),
            ("contact", "MailingCity", Kind::City),
            ("contact", "MailingPostalCode", Kind::Postcode),
            ("contact", "MailingState", Kind::State),
            ("contact", "MailingCountry", Kind::Country),
            ("contact", "Birthdate", Kind::Date),
            ("account", "Name", Kind::Company),
            ("account", "Account Name", Kind::Company),
            ("account", "Website", Kind::Website),
            ("account", "BillingStreet", Kind::Street),
            ("contact", "Name", Kind::FullName),
            ("contact", "firstname", Kind::FirstName),
            ("contact", "lastname", Kind::LastName),
            ("contact", "company", Kind::Company),
            ("contact", "zip", Kind::Postcode),
            ("company", "domain", Kind::Website),
            ("person", "given_name", Kind::FirstName),
            ("person", "surname", Kind::LastName),
            ("person", "suburb", Kind::City),
            ("person", "date_of_birth", Kind::Date),
            ("person", "soc_sec_id", Kind::Id),
            ("person", "street_number", Kind::Street),
            ("person", "address_1", Kind::Street),
            ("person", "postcode", Kind::Postcode),
            ("contact", "Email Address", Kind::Email),
            ("contact", "Secondary Email", Kind::Email),
            ("contact", "Alternate Phone", Kind::Phone),
            ("contact", "First Name", Kind::FirstName),
            ("contact", "Phone Number", Kind::Phone),
            ("contact", "Company Name", Kind::Company),
            ("contact", "Street Address", Kind::Street),
            ("contact", "Postal Code", Kind::Postcode),
            ("contact", "Country/Region", Kind::Country),
            ("contact", "Contact owner", Kind::Ignore),
            ("contact", "State/Region", Kind::State),
            ("contact", "OwnerId", Kind::Ignore),
            ("contact", "favourite_colour", Kind::Text),
        ];
        for (object, column, want) in table {
            assert_eq!(infer(object, column), want, "{object}.{column}");
        }
    }

    #[test]
    fn street_parts_stay_apart_from_the_street_line() {
        let table = [
            ("street_number", Some("number")),
            ("HouseNumber", Some("number")),
            ("address_1", None),
            ("address_2", Some("line 2")),
            ("Address Line 2", Some("line 2")),
            ("MailingStreet", None),
            ("Street Address", None),
        ];
        for (column, want) in table {
            assert_eq!(street_part(infer("person", column), column), want, "{column}");
        }
        assert_eq!(street_part(Kind::Phone, "phone2"), None, "other kinds have no parts");
    }

    #[test]
    fn config_overrides_inferred_kinds() {
        let text = "[object.person]\nthreshold = 0.5\n[object.person.fields]\ngiven_name = \"first_name\"\n\
                    surname = \"last_name\"\ndate_of_birth = \"date\"\nsoc_sec_id = \"text\"\n";
        let config = Config::parse("c.toml", text).unwrap();
        let person = config.object("person");
        assert_eq!(person.threshold, Some(0.5));
        assert_eq!(person.kind_of("person", "soc_sec_id"), Kind::Text);
        assert_eq!(person.kind_of("person", "suburb"), Kind::City);
        assert_eq!(config.object("other"), ObjectConfig::default());
    }

    #[test]
    fn config_errors_name_line_and_column() {
        // (file text, where the error must point, what it must say)
        let table = [
            ("[object.person.fields]\nsurname = \"lastname\"\n", "c.toml:2:11: ", "unknown kind `lastname`"),
            ("[object.person]\nthreshold = \"high\"\n", "c.toml:2:13: ", "invalid type"),
            ("[object.contact]\nthreshold = 1.5\n", "c.toml:2:13: ", "threshold 1.5 is not between 0 and 1"),
            (
                "[object.contact]\nmax_block = 10\nthreshold = -0.1\n",
                "c.toml:3:13: ",
                "threshold -0.1 is not",
            ),
            (
                "[object.contact]\n  default_region = \"ZZZ\"\n",
                "c.toml:2:20: ",
                "unknown default_region `ZZZ`",
            ),
            // The first object is fine; the second's value is the one named, not an earlier same word.
            (
                "[object.a.fields]\n\"given\" = \"text\"\n[object.b.fields]\nx = \"given\"\n",
                "c.toml:4:5: ",
                "object b, field x: unknown kind `given`",
            ),
            (
                "[object.a]\nthreshold = 0.5\n[object.b]\nthreshold = 2.0\n",
                "c.toml:4:13: ",
                "object b: threshold 2",
            ),
            ("[object.contact]\nmax_block = 0\n", "c.toml:2:13: ", "max_block 0 compares no pair"),
            (
                "[object.a]\nmax_block = 2\n[object.b]\n max_block = 1\n",
                "c.toml:4:14: ",
                "object b: max_block 1",
            ),
            ("[object.contact]\nmax_block = -1\n", "c.toml:2:13: ", "invalid value"),
            // Columns count characters, not bytes.
            ("[object.\"é\".fields]\n\"ü\" = \"bad\"\n", "c.toml:2:7: ", "unknown kind `bad`"),
        ];
        for (text, at, says) in table {
            let err = Config::parse("c.toml", text).unwrap_err().to_string();
            assert!(err.starts_with(at) && err.contains(says), "{text:?}: {err}");
        }
    }
}
