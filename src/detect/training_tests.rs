//! Tests of training on whole tables: which fields get their m from the data.

use super::kinds::ObjectConfig;
use super::test_accounts::{word, Accounts};
use super::{detect, Options};

/// Accounts: every field is a place field and every blocking key reads one, so the first
/// training pass sets every field aside. 200 companies with a duplicate each (the same web
/// domain and phone; the name one letter off in one of ten; moved to another street in four
/// of ten) and 20 serviced offices of five companies each (one street and reception phone).
/// The m of the name and the street must come from the data: near 0.9 and 0.6, not the
/// starting 0.8 both kept before.
#[test]
fn account_fields_are_trained() {
    let mut accounts = Accounts::default();
    let mut push = |name, street, phone, web| accounts.push(name, street, phone, web);
    for i in 0..200 {
        let name = format!("{} {}", word(i), word(i * 7 + 3));
        let street = format!("{} {} street", i + 1, word(i * 3 + 1));
        let (phone, web) = (format!("+1415555{i:04}"), format!("{}.com", word(i * 11 + 5)));
        push(name.clone(), street.clone(), phone.clone(), web.clone());
        let name = if i % 10 == 0 { format!("{name}x") } else { name };
        let street = if i % 10 < 4 { format!("{} {} road", i + 500, word(i * 13 + 2)) } else { street };
        push(name, street, phone, web);
    }
    accounts.serviced_offices(|w| w);
    let table = accounts.0.build("account", &ObjectConfig::default());
    let out = detect(&table, &Options::default(), &mut |_| {});
    let m_exact = |field: &str| out.model.fields.iter().find(|f| f.field == field).unwrap().m[0];
    let (name, street) = (m_exact("Name"), m_exact("BillingStreet"));
    assert!((name - 0.9).abs() < 0.04, "m of the name agreeing exactly: {name}");
    assert!((street - 0.6).abs() < 0.06, "m of the street agreeing exactly: {street}");
    let proposed: Vec<(usize, usize)> = out.proposals.iter().map(|p| (p.a, p.b)).collect();
    let duplicates: Vec<(usize, usize)> = (0..200).map(|i| (2 * i, 2 * i + 1)).collect();
    assert_eq!(proposed, duplicates, "every duplicate and no two offices' companies");
}
