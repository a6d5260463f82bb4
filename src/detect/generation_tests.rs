//! Tests of generational suffixes on whole tables: father and son are never proposed.

use super::kinds::ObjectConfig;
use super::table::RawTable;
use super::test_accounts::word;
use super::{detect, Options};

/// 300 people, each with a copy that shares e-mail, phone and street (a duplicate), and 20
/// households where a father and his son of the same name share street and phone but not
/// e-mail. In 10 of those, the father's copy drops his `Sr.` (`John Smith` and `John Smith Jr.`
/// might be one person, so that pair stays possible); in the other 10 both carry their suffix,
/// once in the family name and once in a `Suffix` column.
fn households() -> (RawTable, Vec<(i64, i64)>) {
    let mut raw = RawTable::default();
    let mut id = 0;
    let mut push = |raw: &mut RawTable,
                    first: &str,
                    last: &str,
                    suffix: &str,
                    email: &str,
                    phone: &str,
                    street: &str| {
        id += 1;
        let fields = [
            ("FirstName", first),
            ("LastName", last),
            ("Suffix", suffix),
            ("Email", email),
            ("Phone", phone),
            ("MailingStreet", street),
        ];
        raw.push(id, 1, "crm", true, fields);
        id
    };
    let mut fathers_and_sons = Vec::new();
    for i in 0..300 {
        let (first, last) = (word(i), word(i * 7 + 3));
        let email = format!("{first}.{last}@example.com");
        let (phone, street) = (format!("+1415555{i:04}"), format!("{} {} street", i + 1, word(i * 3 + 1)));
        for _ in 0..2 {
            push(&mut raw, &first, &last, "", &email, &phone, &street);
        }
    }
    for h in 0..20 {
        let (first, last) = (word(3000 + h), word(3500 + h));
        let (phone, street) = (format!("+1212555{h:04}"), format!("{} {} avenue", h + 1, word(h * 5 + 2)));
        let (father_last, father_suffix) = match h % 2 {
            0 => (format!("{last} Sr."), ""),
            _ => (last.clone(), "Sr"),
        };
        let father_mail = format!("{first}.{last}@old.example");
        let father = push(&mut raw, &first, &father_last, father_suffix, &father_mail, &phone, &street);
        let son = push(
            &mut raw,
            &first,
            &format!("{last} Jr."),
            "",
            &format!("{first}@young.example"),
            &phone,
            &street,
        );
        // In half the households the father has a second record without his suffix.
        if h < 10 {
            push(&mut raw, &first, &last, "", &father_mail, &phone, &street);
        }
        fathers_and_sons.push((father, son));
    }
    (raw, fathers_and_sons)
}

#[test]
fn father_and_son_are_never_proposed() {
    let (raw, fathers_and_sons) = households();
    let table = raw.build("contact", &ObjectConfig::default());
    let rowid = |i: usize| table.records[i].rowid;
    let mut said = Vec::new();
    let out = detect(&table, &Options::default(), &mut |line| said.push(line.to_string()));
    let proposed: Vec<(i64, i64)> = out.proposals.iter().map(|p| (rowid(p.a), rowid(p.b))).collect();
    for pair in &fathers_and_sons {
        assert!(!proposed.contains(pair), "father and son {pair:?} proposed");
    }
    // Every duplicate is still found, and the fathers' copies without a suffix are found too.
    for i in 0..300 {
        assert!(proposed.contains(&(2 * i + 1, 2 * i + 2)), "duplicate {i} lost");
    }
    assert!(out.stats.generations_apart > 0, "{:?}", out.stats);
    let found = said.iter().find(|l| l.contains("candidates found")).unwrap();
    assert!(found.contains("set apart: their generational suffixes differ"), "{found}");

    // An earlier proposal of a father and son (an older engine's) is rescored at 0, and says why.
    let (father, son) = fathers_and_sons[1];
    let opts = Options { rescore: [(father, son)].into_iter().collect(), ..Options::default() };
    let out = detect(&table, &opts, &mut |_| {});
    let p = out.proposals.iter().find(|p| (rowid(p.a), rowid(p.b)) == (father, son)).expect("rescored");
    assert!(p.below && p.probability == 0.0, "{p:?}");
    let reasons = out.explainer().reasons(p);
    assert!(reasons.iter().any(|r| r.said().contains("generations differ (Sr. and Jr.)")), "{reasons:?}");
}
