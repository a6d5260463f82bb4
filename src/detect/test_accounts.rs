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
}
