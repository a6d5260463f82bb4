//! What makes a CRM merge plan refuse before anything is written: a workspace source no record
//! comes from, and field names the CRM's API would not take (labels like `First Name`). Pure:
//! the caller reads the workspace's sources and collects the names a plan would send.

use super::crm::Crm;
use crate::text::{count, visible};
use anyhow::{anyhow, bail, Result};
use std::collections::BTreeSet;

/// Refuses a plan from a workspace source that holds no record (`sources`: the workspace's
/// record sources): a `--source` (`given`) that names none (a typo, `Salesforce` for
/// `salesforce`), or the CRM's own name when only another spelling of it holds records.
/// Otherwise the plan would be empty and its export would still take its window of decisions. A
/// workspace with no record of this CRM at all, and no `--source`, is not refused: its plan is
/// simply empty (a nightly job may run every CRM's plan).
pub fn check_source(crm: Crm, given: Option<&str>, sources: &[String]) -> Result<()> {
    let source = crm.records_source(given);
    if sources.iter().any(|s| s == source) {
        return Ok(());
    }
    let folded = source.to_lowercase();
    let near: Vec<String> =
        sources.iter().filter(|s| s.to_lowercase() == folded).map(|s| format!("`{}`", visible(s))).collect();
    let shown = visible(source);
    match (given, near.is_empty()) {
        (Some(_), false) => {
            bail!("no record comes from source `{shown}`; did you mean {}?", near.join(" or "))
        }
        (None, false) => bail!(
            "no record comes from source `{shown}` (the {} plan's source unless --source names another); \
             did you mean --source {}?",
            crm.name(),
            near.join(" or ")
        ),
        (Some(_), true) if sources.is_empty() => {
            bail!("no record comes from source `{shown}`: the workspace holds no records")
        }
        (Some(_), true) => {
            const SHOWN: usize = 10;
            let mut list: Vec<String> =
                sources.iter().take(SHOWN).map(|s| format!("`{}`", visible(s))).collect();
            if sources.len() > SHOWN {
                list.push(format!("and {} more", sources.len() - SHOWN));
            }
            bail!(
                "no record comes from source `{shown}` (the workspace's sources: {}); --source names \
                 the workspace source that holds the {} records",
                list.join(", "),
                crm.name()
            )
        }
        (None, true) => Ok(()),
    }
}

/// Whether `crm` can take `name` as a field name: an API identifier (an ASCII letter, then
/// letters, digits and `_`: `FirstName`, `npe01__HomeEmail__c`, `firstname`, `emailaddress1`,
/// `First_Name`), and for Dataverse also a lookup written through `…@odata.bind`. A label from a
/// CRM's export (`First Name`, `Country/Region`) is not one: the CRM would refuse the call. This
/// is the shape of a name, not a check against the CRM's own list of fields.
pub fn is_api_name(crm: Crm, name: &str) -> bool {
    let name = match crm {
        Crm::Dynamics => name.strip_suffix("@odata.bind").unwrap_or(name),
        _ => name,
    };
    let mut chars = name.chars();
    chars.next().is_some_and(|c| c.is_ascii_alphabetic())
        && chars.all(|c| c.is_ascii_alphanumeric() || c == '_')
}

/// The error of a plan that would send field names `crm` does not take (`is_api_name`): `names`,
/// in `candidates` candidates, the first of them `first` (candidate, journal entry).
pub fn labels(crm: Crm, names: &BTreeSet<String>, candidates: u64, first: (i64, i64)) -> anyhow::Error {
    let shown: Vec<String> = names.iter().map(|n| format!("`{}`", visible(n))).collect();
    let (field, are_not, api_names) =
        if names.len() == 1 { ("field", "is not a", "API name") } else { ("fields", "are not", "API names") };
    let others = match candidates {
        1 => String::new(),
        n => format!(", and {}", count(n - 1, "more candidate", "more candidates")),
    };
    anyhow!(
        "the {name} plan would send {field} {list}, which {are_not} {title} {api_names} (an API name is an \
         ASCII letter, then letters, digits and `_`): candidate {c} (journal entry {seq}){others}. \
         Name them with `mergeq export {name} --fields FILE` (`[object]` tables of `\"{example}\" = \
         \"apiname\"` lines; `\"\"` leaves a field out of the plan). Nothing was written.",
        name = crm.name(),
        title = crm.title(),
        list = shown.join(", "),
        c = first.0,
        seq = first.1,
        example = visible(names.iter().next().map_or("Field Label", String::as_str)),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_plan_from_a_source_no_record_has_is_refused() {
        let sources = |list: &[&str]| list.iter().map(|s| s.to_string()).collect::<Vec<_>>();
        let cases: [(Option<&str>, Vec<String>, Option<&str>); 8] = [
            (None, sources(&["hubspot", "salesforce"]), None),
            (Some("sfdc"), sources(&["sfdc"]), None),
            // No record of this CRM and no --source: an empty plan, as before.
            (None, sources(&["hubspot"]), None),
            (None, sources(&[]), None),
            (Some("Salesforce"), sources(&["hubspot", "salesforce"]), Some("did you mean `salesforce`?")),
            (
                None,
                sources(&["Salesforce", "SALESFORCE"]),
                Some("did you mean --source `Salesforce` or `SALESFORCE`?"),
            ),
            (
                Some("nosuch"),
                sources(&["hubspot", "salesforce"]),
                Some("(the workspace's sources: `hubspot`, `salesforce`)"),
            ),
            (Some("nosuch"), sources(&[]), Some("the workspace holds no records")),
        ];
        for (given, sources, want) in cases {
            let got = check_source(Crm::Salesforce, given, &sources).err().map(|e| e.to_string());
            match (want, &got) {
                (None, None) => {}
                (Some(want), Some(got)) => assert!(got.contains(want), "{given:?} {sources:?}: {got}"),
                _ => panic!("{given:?} {sources:?}: {got:?}, wanted {want:?}"),
            }
        }
    }

    #[test]
    fn api_names_and_labels() {
        let cases = [
            (Crm::Salesforce, "FirstName", true),
            (Crm::Salesforce, "npe01__HomeEmail__c", true),
            (Crm::Salesforce, "First Name", false),
            (Crm::HubSpot, "firstname", true),
            (Crm::HubSpot, "hs_lead_status", true),
            (Crm::HubSpot, "Country/Region", false),
            (Crm::HubSpot, "Phone Number", false),
            (Crm::HubSpot, "", false),
            (Crm::HubSpot, "1st_touch", false),
            (Crm::HubSpot, "_private", false),
            (Crm::HubSpot, "e-mail", false),
            (Crm::HubSpot, "prénom", false),
            (Crm::Dynamics, "emailaddress1", true),
            (Crm::Dynamics, "parentcustomerid_account@odata.bind", true),
            (Crm::Dynamics, "Company Name", false),
            (Crm::Salesforce, "AccountId@odata.bind", false),
            (Crm::Zoho, "First_Name", true),
            (Crm::Zoho, "First Name", false),
        ];
        for (crm, name, want) in cases {
            assert_eq!(is_api_name(crm, name), want, "{crm:?} {name}");
        }
    }

    #[test]
    fn a_plan_with_labels_names_them_the_candidate_and_the_way_out() {
        let names: BTreeSet<String> = ["First Name", "Country/Region"].map(String::from).into();
        let e = labels(Crm::HubSpot, &names, 3, (5, 12)).to_string();
        for want in [
            "the hubspot plan would send fields `Country/Region`, `First Name`, which are not HubSpot API names",
            "candidate 5 (journal entry 12), and 2 more candidates",
            "mergeq export hubspot --fields FILE",
            r#""Country/Region" = "apiname""#,
        ] {
            assert!(e.contains(want), "{want:?} not in {e}");
        }
        let one: BTreeSet<String> = ["Name X".to_string()].into();
        let e = labels(Crm::Zoho, &one, 1, (7, 30)).to_string();
        assert!(e.contains("would send field `Name X`, which is not a Zoho API name (an API name"), "{e}");
        assert!(e.contains("candidate 7 (journal entry 30). Name them"), "{e}");
    }
}
