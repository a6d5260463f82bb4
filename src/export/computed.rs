//! The fields each CRM computes itself and refuses to be written: record ids, audit stamps, system
//! flags and analytics. Records imported from a CRM's own export carry them as ordinary columns,
//! so a golden record holds them too; a merge plan leaves them out (the golden exports keep every
//! field). One small table per CRM; names compare ignoring ASCII case (Salesforce and Dataverse
//! names are case-insensitive), and a `*` stands for any run of characters. Pure: no I/O.

use super::crm::Crm;

/// Salesforce system fields: read-only on every object (`OwnerId` is settable, so not here).
const SALESFORCE: &[&str] = &[
    "Id",
    "IsDeleted",
    "MasterRecordId",
    "CreatedById",
    "CreatedDate",
    "LastModifiedById",
    "LastModifiedDate",
    "SystemModstamp",
    "LastActivityDate",
    "LastViewedDate",
    "LastReferencedDate",
    "PhotoUrl",
];

/// Salesforce fields read-only on one object (the object reference lists them without Create or
/// Update): compound fields, written through their parts (a contact's or lead's `Name` is
/// `FirstName`, `LastName` …; an account's `Name` is its own writable field and is kept; an address
/// is `MailingStreet`, `MailingCity` …), Data.com ids, bounce and conversion stamps. `Jigsaw` (the
/// Data.com key) is writable and kept.
const SALESFORCE_BY_OBJECT: &[(&str, &[&str])] = &[
    (
        "Contact",
        &[
            "Name",
            "MailingAddress",
            "OtherAddress",
            "JigsawContactId",
            "IsEmailBounced",
            "LastCURequestDate",
            "LastCUUpdateDate",
            "IsPersonAccount",
        ],
    ),
    (
        "Lead",
        &[
            "Name",
            "Address",
            "JigsawContactId",
            "IsEmailBounced",
            "ConvertedAccountId",
            "ConvertedContactId",
            "ConvertedOpportunityId",
            "ConvertedDate",
        ],
    ),
    (
        "Account",
        &["BillingAddress", "ShippingAddress", "JigsawCompanyId", "IsPersonAccount", "PersonContactId"],
    ),
];

/// HubSpot properties it calculates (internal names, and the labels its exports use as headers).
const HUBSPOT: &[&str] = &[
    "hs_object_id",
    "Record ID",
    "Record ID - *",
    "createdate",
    "Create Date",
    "hs_createdate",
    "lastmodifieddate",
    "Last Modified Date",
    "hs_lastmodifieddate",
    "num_form_submissions",
    "num_conversion_events",
    "hs_analytics_*",
];

/// Dataverse columns it maintains (plus the table's own `{entity}id` key), read-only lookup
/// values (`_…_value`, written through `…@odata.bind` instead) and the row version.
const DYNAMICS: &[&str] = &[
    "createdon",
    "createdby",
    "createdonbehalfby",
    "modifiedon",
    "modifiedby",
    "modifiedonbehalfby",
    "versionnumber",
    "@odata.etag",
    // Composed from the first, middle and last names (contact, lead): read-only.
    "fullname",
    "yomifullname",
    "_*_value",
];

/// Zoho system fields, and the `$`-prefixed keys its API returns about a record.
const ZOHO: &[&str] =
    &["id", "Created_By", "Created_Time", "Modified_By", "Modified_Time", "Last_Activity_Time", "$*"];

/// Why a plan leaves these fields out, for the steward's note.
pub fn reason(crm: Crm) -> &'static str {
    match crm {
        Crm::Salesforce => "Salesforce sets these system fields itself and merge() refuses them",
        Crm::HubSpot => "HubSpot calculates these properties itself and refuses writes to them",
        Crm::Dynamics => "Dataverse maintains these columns itself and refuses them in UpdateContent",
        Crm::Zoho => "Zoho sets these system fields itself and refuses them in an update",
    }
}

/// Whether `crm` computes `field` itself; `object` is the CRM's own name for the object (a
/// Dataverse table's key is `{object}id`).
pub fn computes(crm: Crm, object: &str, field: &str) -> bool {
    let table = match crm {
        Crm::Salesforce => {
            let own = SALESFORCE_BY_OBJECT.iter().find(|(o, _)| o.eq_ignore_ascii_case(object));
            if own.is_some_and(|(_, fields)| fields.iter().any(|f| f.eq_ignore_ascii_case(field))) {
                return true;
            }
            SALESFORCE
        }
        Crm::HubSpot => HUBSPOT,
        Crm::Dynamics => {
            let key = field.len() == object.len() + 2
                && field.is_char_boundary(object.len())
                && field[..object.len()].eq_ignore_ascii_case(object)
                && field[object.len()..].eq_ignore_ascii_case("id");
            if key {
                return true;
            }
            DYNAMICS
        }
        Crm::Zoho => ZOHO,
    };
    table.iter().any(|pattern| matches(pattern, field))
}

/// `name` against a pattern with at most one `*`, ignoring ASCII case.
fn matches(pattern: &str, name: &str) -> bool {
    let Some((head, tail)) = pattern.split_once('*') else {
        return pattern.eq_ignore_ascii_case(name);
    };
    let n = name.as_bytes();
    n.len() >= head.len() + tail.len()
        && n[..head.len()].eq_ignore_ascii_case(head.as_bytes())
        && n[n.len() - tail.len()..].eq_ignore_ascii_case(tail.as_bytes())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_crm_leaves_out_what_it_computes() {
        let cases = [
            (Crm::Salesforce, "Contact", "SystemModstamp", true),
            (Crm::Salesforce, "Contact", "systemmodstamp", true),
            (Crm::Salesforce, "Contact", "Id", true),
            (Crm::Salesforce, "Contact", "LastViewedDate", true),
            (Crm::Salesforce, "Contact", "OwnerId", false),
            (Crm::Salesforce, "Contact", "Email", false),
            (Crm::Salesforce, "Contact", "hs_object_id", false),
            (Crm::Salesforce, "Contact", "Name", true),
            (Crm::Salesforce, "Lead", "name", true),
            (Crm::Salesforce, "Account", "Name", false),
            (Crm::Salesforce, "Contact", "PhotoUrl", true),
            (Crm::Salesforce, "Account", "PhotoUrl", true),
            (Crm::Salesforce, "Contact", "JigsawContactId", true),
            (Crm::Salesforce, "Account", "JigsawContactId", false),
            (Crm::Salesforce, "Account", "JigsawCompanyId", true),
            (Crm::Salesforce, "Contact", "Jigsaw", false),
            (Crm::Salesforce, "Contact", "MailingAddress", true),
            (Crm::Salesforce, "Contact", "MailingStreet", false),
            (Crm::Salesforce, "Lead", "ConvertedDate", true),
            (Crm::Salesforce, "Contact", "FirstName", false),
            (Crm::HubSpot, "contacts", "hs_object_id", true),
            (Crm::HubSpot, "contacts", "Record ID", true),
            (Crm::HubSpot, "contacts", "Record ID - Contact", true),
            (Crm::HubSpot, "contacts", "hs_analytics_source", true),
            (Crm::HubSpot, "contacts", "hs_analytics_", true),
            (Crm::HubSpot, "contacts", "num_form_submissions", true),
            (Crm::HubSpot, "contacts", "hs_lead_status", false),
            (Crm::HubSpot, "contacts", "email", false),
            (Crm::HubSpot, "contacts", "Id", false),
            (Crm::Dynamics, "contact", "contactid", true),
            (Crm::Dynamics, "contact", "accountid", false),
            (Crm::Dynamics, "contact", "_parentcustomerid_value", true),
            (Crm::Dynamics, "contact", "_value", false),
            (Crm::Dynamics, "contact", "modifiedon", true),
            (Crm::Dynamics, "contact", "emailaddress1", false),
            (Crm::Dynamics, "contact", "fullname", true),
            (Crm::Dynamics, "contact", "contactidé", false),
            (Crm::Zoho, "Contacts", "id", true),
            (Crm::Zoho, "Contacts", "Modified_Time", true),
            (Crm::Zoho, "Contacts", "$approved", true),
            (Crm::Zoho, "Contacts", "Email", false),
            (Crm::Zoho, "Contacts", "Owner", false),
        ];
        for (crm, object, field, want) in cases {
            assert_eq!(computes(crm, object, field), want, "{crm:?} {field}");
        }
    }
}
