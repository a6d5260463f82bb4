//! Sign-offs whose steward signed with another key than at their sign-off before: `audit verify`
//! flags each (a forged sign-off under a steward's name would look the same), saying whether the
//! sign-off declared the change (`signoff --new-key` writes `replaces_key`). Pure: reads the
//! sign-offs the walk checked.

use super::VerifyReport;
use std::collections::BTreeMap;

/// A steward's sign-off made with another key than their sign-off before it: worth a word with
/// the steward, as a forged sign-off under their name would look the same.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct KeyChange {
    pub seq: i64,
    pub steward: String,
    pub public_key: String,
    /// Their sign-off before it and its key.
    pub earlier_seq: i64,
    pub earlier_key: String,
    /// The sign-off said it replaces that key (`signoff --new-key`).
    pub declared: bool,
}

impl VerifyReport {
    /// The sign-offs whose steward signed with another key than at their sign-off before, in order.
    pub fn key_changes(&self) -> Vec<KeyChange> {
        let mut last: BTreeMap<&str, (i64, &str)> = BTreeMap::new();
        let mut changes = Vec::new();
        for c in &self.signoff_checks {
            if let Some(&(earlier_seq, earlier_key)) = last.get(c.steward.as_str()) {
                if earlier_key != c.public_key {
                    changes.push(KeyChange {
                        seq: c.seq,
                        steward: c.steward.clone(),
                        public_key: c.public_key.clone(),
                        earlier_seq,
                        earlier_key: earlier_key.to_string(),
                        declared: c.replaces_key.as_deref() == Some(earlier_key),
                    });
                }
            }
            last.insert(&c.steward, (c.seq, &c.public_key));
        }
        changes
    }
}

#[cfg(test)]
mod tests {
    use super::super::SignoffCheck;
    use super::*;

    fn check(seq: i64, steward: &str, key: &str, replaces: Option<&str>) -> SignoffCheck {
        SignoffCheck {
            seq,
            first: seq - 1,
            last: seq - 1,
            steward: steward.into(),
            public_key: key.into(),
            replaces_key: replaces.map(str::to_string),
            given_key: None,
        }
    }

    #[test]
    fn a_key_change_is_each_stewards_own() {
        let checks = vec![
            check(2, "ana", "aa", None),
            check(4, "bob", "bb", None),
            check(6, "ana", "aa", None),
            // ana again, with another key, not declared; bob's new key, declared.
            check(8, "ana", "cc", None),
            check(10, "bob", "dd", Some("bb")),
            // Declared, but not the key ana signed with before: not taken as declared.
            check(12, "ana", "ee", Some("aa")),
            check(14, "ana", "ee", None),
        ];
        let report = VerifyReport {
            entries: 14,
            head: None,
            signoffs: 7,
            unsigned_decisions: 0,
            keys_given: 0,
            signoff_checks: checks,
            problem: None,
        };
        let change = |seq, steward: &str, key: &str, earlier_seq, earlier: &str, declared| KeyChange {
            seq,
            steward: steward.into(),
            public_key: key.into(),
            earlier_seq,
            earlier_key: earlier.into(),
            declared,
        };
        assert_eq!(
            report.key_changes(),
            [
                change(8, "ana", "cc", 6, "aa", false),
                change(10, "bob", "dd", 4, "bb", true),
                change(12, "ana", "ee", 8, "cc", false),
            ]
        );
    }
}
