//! Tests of the place lifts: measured on made-up collisions, and end to end on small tables.

use super::*;

/// 1,000 records in 500 households of two: each household shares family name and street.
/// Chance would give few pairs sharing both; households make 500: a large lift.
#[test]
fn households_lift_the_family_name_and_address_together() {
    let n = 1000.0;
    let pairs = n * (n - 1.0) / 2.0;
    let mut c =
        Collisions { shared: vec![0.0; MASKS], pairs: vec![pairs; MASKS], non_match: vec![None; MASKS] };
    c.shared[0b0001] = 4_500.0; // 100 family names, 10 records each: 100 × 45 pairs…
    c.shared[0b0010] = 500.0; // …and each street shared by the two of a household
    c.shared[0b0011] = 500.0;
    let lift = lifts(&c, &[0.0; MASKS]);
    let want = (500.0 / pairs / ((4_500.0 / pairs) * (500.0 / pairs))).log2();
    assert!((lift[0b0011] - want).abs() < 1e-9, "{} want {want}", lift[0b0011]);
    assert!(lift[0b0011] > 6.0);
    // A combination no non-match was seen sharing takes the largest lift measured inside it,
    // not one made of a floor over a tiny chance (that was 16.6 bits here, the most of all).
    let mut unseen = c.clone();
    unseen.shared[0b1111] = 8.0;
    unseen.non_match[0b1111] = Some(0.0);
    unseen.shared[0b0100] = 300.0;
    unseen.shared[0b1000] = 900.0;
    let backed_off = lifts(&unseen, &[0.0; MASKS]);
    assert_eq!(backed_off[0b1111], backed_off[0b0011]);
    assert!((backed_off[0b0011] - want).abs() < 1e-9);
    // Facets that never meet together: no correction, never a bonus.
    assert_eq!(lift[0b0101], 0.0);
    // Pairs that are true matches are not a household's dependence: removing them lowers it.
    let mut matches = vec![0.0; MASKS];
    matches[0b0011] = 400.0;
    assert!(lifts(&c, &matches)[0b0011] < lift[0b0011] - 2.0);
}

/// Accounts carry no given name: no separator tells the duplicates among the pairs sharing a
/// place, and the lifts come from the collisions less the matches the model expects before any
/// lift. 100 companies with a duplicate each (same name, street, phone, web site) and 20
/// serviced offices, five different companies each at one street and reception phone.
#[test]
fn without_a_given_name_offices_are_lifted_and_duplicates_are_not_explained_away() {
    use crate::detect::kinds::ObjectConfig;
    use crate::detect::test_accounts::{word, Accounts};
    use crate::detect::{detect, Options};
    let mut accounts = Accounts::default();
    let mut push = |name, street, phone, web| accounts.push(name, street, phone, web);
    for i in 0..100 {
        for _ in 0..2 {
            let street = format!("{} {} street", i + 1, word(i * 3 + 1));
            push(
                format!("{} {}", word(i), word(i * 7 + 3)),
                street,
                format!("+1415555{i:04}"),
                format!("{}.com", word(i * 11 + 5)),
            );
        }
    }
    accounts.serviced_offices(|w| format!("{w}.com"));
    let table = accounts.0.build("account", &ObjectConfig::default());
    assert!(!table.fields.iter().any(|f| f.kind == Kind::FirstName));
    let out = detect(&table, &Options { place_once: Some(true), ..Options::default() }, &mut |_| {});
    let (street_phone, name_street, name_phone) = (0b0110, 0b1010, 0b1100);
    // Offices share street and phone far more often than chance: measured, held back, but
    // never beyond the non-matches' true dependence: 200 office pairs share both, as many
    // share each, of 44,850 pairs (taking the expected matches out of each facet's own
    // collisions too overstated it: 10.0 bits).
    let pairs = 300.0 * 299.0 / 2.0;
    let true_lift = f64::log2(200.0 / (200.0 * 200.0 / pairs));
    let lift = out.model.place[street_phone];
    assert!(lift > 3.0 && lift <= true_lift, "{lift} (true {true_lift}): {:?}", out.model.place);
    // Only duplicates share the name with the street or the phone: no lift, not dependence
    // (taking every sharing pair for a non-match gave each pair of them 7.2 bits, and 14.4 to all three).
    assert_eq!(out.model.place[name_street], 0.0, "{:?}", out.model.place);
    assert_eq!(out.model.place[name_phone], 0.0, "{:?}", out.model.place);
    let proposed: Vec<(usize, usize)> = out.proposals.iter().map(|p| (p.a, p.b)).collect();
    let duplicates: Vec<(usize, usize)> = (0..100).map(|i| (2 * i, 2 * i + 1)).collect();
    assert_eq!(proposed, duplicates, "every duplicate and no two offices' companies");
}

/// Two sources: in `a`, 20 households of three (family name and street shared, given names
/// not); in `b`, 20 records with a household's family name on another street and 20 with a
/// household's street under another family name. Linking proposes only pairs across sources,
/// and across sources no two records share both: no dependence to correct for there.
#[test]
fn linking_counts_collisions_over_pairs_across_sources_only() {
    use crate::detect::kinds::ObjectConfig;
    use crate::detect::table::RawTable;
    use crate::detect::{detect, Options};
    let family = |h: usize| -> String {
        let (consonants, vowels) = (b"bdfgklmnprstvz", b"aeiou");
        [consonants[h % 14], vowels[h / 14 % 5], b'r', vowels[h % 5]].iter().map(|c| *c as char).collect()
    };
    let mut raw = RawTable::default();
    let mut push = |source: &str, first: &str, last: String, street: String| {
        let id = raw.records.len() as i64 + 1;
        let phone = format!("+1415555{id:04}");
        let fields = [("first_name", first), ("last_name", &last), ("street", &street), ("phone", &phone)];
        raw.push(id, 1, source, true, fields);
    };
    for h in 0..20 {
        for first in ["ann", "bob", "cyd"] {
            push("a", first, family(h), format!("{} elm street", h + 1));
        }
    }
    for h in 0..20 {
        push("b", "dee", family(h), format!("{} oak road", h + 1));
        push("b", "eve", family(h + 40), format!("{} elm street", h + 1));
    }
    let table = raw.build("contact", &ObjectConfig::default());
    let comparer = Comparer::new(&table);
    let keys = key_sets(&comparer)[0];
    let (name, street, both) = (0b0001, 0b0010, 0b0011);

    let linked = collisions(&table, &comparer, &keys, None, true);
    // Across sources: 20 × 3 pairs share a family name, 20 × 3 a street, none both; of the
    // records holding a key, 60 in `a` and 40 in `b` make 2,400 pairs.
    assert_eq!((linked.shared[name], linked.shared[street], linked.shared[both]), (60.0, 60.0, 0.0));
    assert_eq!((linked.pairs[name], linked.pairs[both]), (2_400.0, 2_400.0));
    assert_eq!(lifts(&linked, &[0.0; MASKS])[both], 0.0);
    // Over all pairs the households within `a` count too: 60 more of each, 60 sharing both.
    let all = collisions(&table, &comparer, &keys, None, false);
    assert_eq!((all.shared[name], all.shared[street], all.shared[both]), (120.0, 120.0, 60.0));
    assert_eq!(all.pairs[name], 4_950.0);
    assert!(lifts(&all, &[0.0; MASKS])[both] > 4.0);
    // With a given name to tell duplicates, the pairs compared are those across sources too.
    let separator = separator_at(&comparer, Kind::FirstName);
    let told = collisions(&table, &comparer, &keys, Some(separator), true);
    assert_eq!(told.non_match[both], Some(0.0));
    assert_eq!(collisions(&table, &comparer, &keys, Some(separator), false).non_match[both], Some(60.0));

    // `detect --link-only` measures them so: no lift for family name with street.
    let options = Options { link_only: true, place_once: Some(true), ..Options::default() };
    let out = detect(&table, &options, &mut |_| {});
    assert_eq!(out.model.place[both], 0.0, "{:?}", out.model.place);
    let options = Options { place_once: Some(true), ..Options::default() };
    assert!(
        detect(&table, &options, &mut |_| {}).model.place[both] > 0.0,
        "the households within `a` do count"
    );
}

/// A separator on the field of `kind` that tells duplicates apart almost perfectly.
fn separator_at(comparer: &Comparer, kind: Kind) -> Separator {
    let field = comparer.fields().position(|f| f.kind == kind).unwrap();
    Separator { field, m_differs: 0.05, u_differs: 0.95 }
}

/// Accounts: the web domain is a facet apart from the company name (`domain_apart`). 300
/// companies with a duplicate each, one in four of which moved and changed its line, and 300
/// companies without one. Counted once with the name, the domain left the moved ones below
/// the threshold; counted apart, name and domain outweigh the new street and line.
#[test]
fn on_accounts_the_web_domain_is_a_facet_apart() {
    use crate::detect::kinds::ObjectConfig;
    use crate::detect::table::RawTable;
    use crate::detect::test_accounts::{word, Accounts};
    use crate::detect::{detect, Options};
    let mut accounts = Accounts::default();
    let mut push = |name, street, phone, web| accounts.push(name, street, phone, web);
    let company = |i: usize| {
        let name = format!("{} {}", word(i), word(i * 7 + 3));
        let street = format!("{} {} street", i + 1, word(i * 3 + 1));
        (name, street, format!("+1415555{i:04}"), format!("{}.com", word(i * 11 + 5)))
    };
    for i in 0..300 {
        let (name, street, phone, web) = company(i);
        push(name.clone(), street.clone(), phone.clone(), web.clone());
        match i % 4 {
            0 => push(name, format!("{} {} road", i + 700, word(i * 13 + 2)), format!("+1646555{i:04}"), web),
            _ => push(name, street, phone, web),
        }
    }
    for i in 300..600 {
        let (name, street, phone, web) = company(i);
        push(name, street, phone, web);
    }
    let table = accounts.0.build("account", &ObjectConfig::default());
    let comparer = Comparer::new(&table);
    let facet = |kind: Kind| facets(&comparer)[comparer.fields().position(|f| f.kind == kind).unwrap()];
    assert_eq!((facet(Kind::Website), facet(Kind::Company)), (Some(0), Some(3)));
    assert_eq!(facet_names(&comparer)[0], "web domain");
    let out = detect(&table, &Options::default(), &mut |_| {});
    let proposed: Vec<(usize, usize)> = out.proposals.iter().map(|p| (p.a, p.b)).collect();
    let duplicates: Vec<(usize, usize)> = (0..300).map(|i| (2 * i, 2 * i + 1)).collect();
    assert_eq!(proposed, duplicates, "every duplicate, the moved ones too");
    // Contacts keep company and web domain in one facet (colleagues share both).
    let mut raw = RawTable::default();
    raw.push(1, 1, "crm", true, [("last_name", "ng"), ("company", "acme"), ("website", "acme.com")]);
    let contacts = raw.build("contact", &ObjectConfig::default());
    let comparer = Comparer::new(&contacts);
    let at = |kind: Kind| comparer.fields().position(|f| f.kind == kind).unwrap();
    let facets = facets(&comparer);
    assert_eq!((facets[at(Kind::Website)], facets[at(Kind::Company)]), (Some(3), Some(3)));
    assert_eq!(facet_names(&comparer)[0], "family name");
}
