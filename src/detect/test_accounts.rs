//! For tests: account tables built by hand (name, billing street, phone, web site).

use super::table::RawTable;

/// A made-up word per number (four letters, distinct for numbers below 4,900).
pub fn word(i: usize) -> String {
    let (consonants, vowels) = (b"bdfgklmnprstvz", b"aeiou");
    [consonants[i % 14], vowels[i / 14 % 5], consonants[i / 70 % 14], vowels[i / 980 % 5]]
        .iter()
        .map(|c| *c as char)
        .collect()
}

/// Account records of one source, ids from 1 in the order pushed.
#[derive(Default)]
pub struct Accounts(pub RawTable);

impl Accounts {
    pub fn push(&mut self, name: String, street: String, phone: String, web: String) {
        let id = self.0.records.len() as i64 + 1;
        let fields = [("Name", name), ("BillingStreet", street), ("Phone", phone), ("Website", web)];
        self.0.push(id, 1, "crm", true, fields.iter().map(|(k, v)| (*k, v.as_str())));
    }

    /// 20 serviced offices of five different companies each, at one street and reception phone;
    /// `web(n)` is company `n`'s web site (from the words of `n + 2000`).
    pub fn serviced_offices(&mut self, web: impl Fn(String) -> String) {
        for b in 0..20 {
            for c in 0..5 {
                let n = 2000 + b * 5 + c;
                let street = format!("{} {} avenue", b + 1, word(b * 5 + 2));
                self.push(
                    format!("{} {}", word(n), word(n + 1000)),
                    street,
                    format!("+1212555{b:04}"),
                    web(word(n + 2000)),
                );
            }
        }
    }
}
