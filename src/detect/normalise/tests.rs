//! Normalisation per kind, value by value.

use super::*;

#[test]
fn folds_case_accents_and_spacing() {
    for (raw, want) in [
        ("  José   GARCÍA ", "jose garcia"),
        ("Straße", "strasse"),
        ("O'Brien", "obrien"),
        ("Ærø-Łódź", "aero lodz"),
        ("ｆｕｌｌ width", "full width"),
        ("", ""),
        // Other scripts, in Latin letters.
        ("Дмитрий Иванов", "dmitrii ivanov"),
        ("Игорь", "igor"),
        ("Αθήνα", "athena"),
        ("北京 Office", "bei jing office"),
        ("Þórður Ísaksson", "thordur isaksson"),
    ] {
        assert_eq!(fold(raw), want, "{raw}");
    }
}

#[test]
fn normalises_each_kind() {
    let us = region("US");
    let table: &[(Kind, &str, Option<&str>)] = &[
        (Kind::Email, "John.Smith+news@GoogleMail.com", Some("johnsmith@gmail.com")),
        (Kind::Email, "j.smith+x@Mail.Acme.co.uk", Some("j.smith@acme.co.uk")),
        (Kind::Email, "not an email", None),
        (Kind::Phone, "(415) 555-2671", Some("+14155552671")),
        (Kind::Phone, "1-415-555-2671", Some("+14155552671")),
        (Kind::Phone, "+44 20 7946 0958", Some("+442079460958")),
        (Kind::Phone, "+1 415.555.2671 ext 12", Some("+14155552671")),
        (Kind::Phone, "0044 20 7946 0958", Some("+442079460958")),
        (Kind::Phone, "123", None),
        (Kind::Website, "https://www.Shop.Example.co.uk/about?x=1", Some("example.co.uk")),
        (Kind::Website, "acme.com", Some("acme.com")),
        (Kind::Website, "localhost", None),
        (Kind::Company, "The ACME Corp., Inc.", Some("acme")),
        (Kind::Company, "Müller & Söhne GmbH", Some("muller and sohne")),
        (Kind::Company, "Limited", Some("limited")),
        (Kind::FirstName, "Dr. José", Some("jose")),
        (Kind::LastName, "Smith Jr.", Some("smith")),
        (Kind::Street, "12 Main St., Apt 4", Some("12 main street apartment 4")),
        (Kind::Street, "St Kilda Rd", Some("st kilda road")),
        (Kind::Postcode, "SW1A 1AA", Some("sw1a1aa")),
        (Kind::Postcode, "94107-1234", Some("94107")),
        (Kind::Country, "United States of America", Some("us")),
        (Kind::Country, "U.K.", Some("gb")),
        (Kind::Date, "1972-08-12", Some("19720812")),
        (Kind::Date, "19720812", Some("19720812")),
        (Kind::Date, "12.08.1972", Some("19720812")),
        (Kind::Date, "08/12/1972", Some("19720812")),
        (Kind::Date, "25/12/1972", Some("19721225")),
        (Kind::Date, "12 Aug 1972", Some("19720812")),
        (Kind::Date, "Aug 12, 1972", Some("19720812")),
        (Kind::Date, "1972-08-12T10:00:00Z", Some("19720812")),
        (Kind::Date, "19721312", Some("19721312")),
        (Kind::Id, "123-45 678", Some("12345678")),
        (Kind::City, "  SAN   José ", Some("san jose")),
        (Kind::Ignore, "anything", None),
    ];
    for (kind, raw, want) in table {
        assert_eq!(normalise(*kind, raw, us).as_deref(), *want, "{kind:?} {raw}");
    }
}

#[test]
fn phones_without_country_code_follow_the_default_region() {
    assert_eq!(phone("020 7946 0958", region("GB")).as_deref(), Some("+442079460958"));
    assert_eq!(phone("(02) 9876 5432", region("AU")).as_deref(), Some("+61298765432"));
    assert_eq!(phone("5552671", None).as_deref(), Some("5552671"));
}
