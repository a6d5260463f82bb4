//! Tests of records holding several values of one kind (`Email` and `Secondary Email`): blocked
//! on each, compared on the pair that agrees best, explained with that pair.

use super::block::{self, BlockOptions};
use super::compare::{level_at, Comparer, MISSING};
use super::kinds::ObjectConfig;
use super::table::{RawTable, Table};
use super::{detect, Options};

fn opts() -> BlockOptions {
    BlockOptions { link_only: false, max_block: 100, rule_budget: 1_000_000, sample_dropped: false }
}

/// Records 0–3 (named), then 200 others with an e-mail and a phone of their own.
fn table(named: &[&[(&str, &str)]]) -> Table {
    let mut raw = RawTable::default();
    for (r, fields) in named.iter().enumerate() {
        raw.push(r as i64 + 1, 1, "crm", true, fields.iter().copied());
    }
    for r in 0..200 {
        let (email, phone) = (format!("person{r}@example.org"), format!("+1415666{r:04}"));
        raw.push(r + 100, 1, "crm", true, [("Email", email.as_str()), ("Phone", phone.as_str())]);
    }
    raw.build("contact", &ObjectConfig::default())
}

#[test]
fn a_further_value_is_compared_and_blocked_on() {
    let t = table(&[
        &[("Email", "ann@work.example"), ("Secondary Email", "ann.lee@home.example")],
        &[("Email", "ANN.LEE@home.example")],
        &[("Secondary Email", "bob@x.example")],
        &[("Email", "carl@y.example")],
    ]);
    let email = t.fields.iter().position(|f| f.name == "email").expect("one e-mail field");
    let comparer = Comparer::new(&t);
    // The work address differs; the home one agrees: the pair agrees exactly, on the home one.
    assert_eq!(level_at(comparer.pattern(0, 1), email), 0);
    assert_eq!(level_at(comparer.pattern(1, 0), email), 0);
    assert_eq!(comparer.level(0, 1, email), 0);
    let (a, b) = comparer.compared_ids(0, 1, email);
    assert_eq!(
        (t.fields[email].text(a), t.fields[email].text(b)),
        ("ann.lee@home.example", "ann.lee@home.example")
    );
    // A record whose only e-mail is in the second column has it as its value.
    assert_eq!(t.fields[email].norm.get(2), Some("bob@x.example"));
    assert_ne!(level_at(comparer.pattern(0, 3), email), MISSING);
    assert_ne!(level_at(comparer.pattern(0, 3), email), 0);

    // Blocked on the home address, though it is the first record's second value.
    let rules = block::rules_for(&t);
    let (pairs, _, _) = block::pairs(&t, &rules, opts());
    let rule = rules.iter().position(|r| r.name == "email").expect("an e-mail rule");
    let pair = pairs.iter().find(|p| (p.a, p.b) == (0, 1)).expect("blocked together");
    assert_ne!(pair.rules & 1 << rule, 0, "under the e-mail rule");
}

#[test]
fn records_sharing_two_keys_of_a_rule_are_paired_once() {
    let t = table(&[
        &[("Email", "x@a.example"), ("Work Email", "y@b.example")],
        &[("Email", "y@b.example"), ("Work Email", "x@a.example")],
    ]);
    let rules = block::rules_for(&t);
    let (pairs, stats, _) = block::pairs(&t, &rules, opts());
    assert_eq!(pairs.iter().filter(|p| (p.a, p.b) == (0, 1)).count(), 1, "{stats:?}");
    let mut seen = std::collections::HashSet::new();
    assert!(pairs.iter().all(|p| seen.insert((p.a, p.b))), "a pair was produced twice");
}

/// Through the whole engine: the pair is proposed, and its e-mail reason shows the two values
/// that agree (not the first record's work address).
#[test]
fn the_reason_shows_the_values_that_agree() {
    let mut raw = RawTable::default();
    for r in 0..300i64 {
        let (email, phone) = (format!("person{r}@example.org"), format!("+1415666{r:04}"));
        let (first, last) = (format!("given{}", r / 2), format!("family{}", r / 2));
        let work = format!("p{r}@work{r}.example");
        // Every even record holds its work address first, then the private one its odd twin has.
        let private = format!("person{}@example.org", r + 1);
        let fields: Vec<(&str, &str)> = match r % 2 {
            0 => vec![
                ("FirstName", first.as_str()),
                ("LastName", last.as_str()),
                ("Email", work.as_str()),
                ("Secondary Email", private.as_str()),
                ("Phone", phone.as_str()),
            ],
            _ => {
                vec![("First Name", first.as_str()), ("Last Name", last.as_str()), ("Email", email.as_str())]
            }
        };
        raw.push(r + 1, 1, ["salesforce", "hubspot"][r as usize % 2], true, fields);
    }
    let t = raw.build("contact", &ObjectConfig::default());
    let out = detect(&t, &Options::default(), &mut |_| {});
    let p = out.proposals.iter().find(|p| (p.a, p.b) == (0, 1)).expect("records 0 and 1 proposed");
    let reasons = out.explainer().reasons(p);
    let email = reasons.iter().find(|r| r.field == "email").expect("an e-mail reason");
    let private = "person1@example.org".to_string();
    assert_eq!(email.values, Some((private.clone(), private)), "{reasons:#?}");
    assert_eq!(email.level, Some(0));
    assert!(reasons.iter().any(|r| r.field == "first_name" && r.level == Some(0)), "{reasons:#?}");
}
