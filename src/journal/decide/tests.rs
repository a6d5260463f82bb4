//! The choice checks' hints, name by name.

use super::*;

#[test]
fn a_mistyped_field_name_suggests_the_nearest() {
    let fields: BTreeSet<&str> = ["Email", "FirstName", "Phone", "id"].into_iter().collect();
    let cases = [
        ("email", Some("Email")),
        ("FIRSTNAME", Some("FirstName")),
        ("Emial", Some("Email")),
        ("Phon", Some("Phone")),
        ("phone_number", None),
        // Two edits on a two-letter name is a different name.
        ("xy", None),
    ];
    for (typed, want) in cases {
        assert_eq!(nearest_field(typed, &fields), want, "{typed}");
    }
}
