//! The `not-duplicates` export: every pair of records a steward rejected as not duplicates, for the
//! upstream matcher (Splink, dedupe, Zingg, a CRM's duplicate rules) to suppress. A rejected
//! candidate of n records gives all n·(n−1)/2 pairs; a pair appears once, at its first rejection.
//!
//! CSV: `left,right,object,rejected_at,steward,candidate,decision,note`, `left` < `right` (by
//! source, then id), keys written `source:id` exactly as stored (a matcher must match them byte for
//! byte); only the free-text cells (`steward`, `note`) get the spreadsheet formula guard, unless `raw`.

use super::csv_cell::push_cell;
use super::plan::Rejection;
use rustc_hash::FxHashSet;

pub const CSV_COLUMNS: [&str; 8] =
    ["left", "right", "object", "rejected_at", "steward", "candidate", "decision", "note"];

/// The file, built rejection by rejection.
pub struct NotDuplicates {
    raw: bool,
    seen: FxHashSet<(String, String)>,
    text: String,
}

impl NotDuplicates {
    pub fn new(raw: bool) -> NotDuplicates {
        let mut text = CSV_COLUMNS.join(",");
        text.push('\n');
        NotDuplicates { raw, seen: FxHashSet::default(), text }
    }

    /// How many pairs so far.
    pub fn pairs(&self) -> usize {
        self.seen.len()
    }

    /// Adds the pairs of one rejection that are not in the file yet.
    pub fn push(&mut self, r: &Rejection) {
        for (i, a) in r.members.iter().enumerate() {
            for b in &r.members[i + 1..] {
                let (left, right) = if a <= b { (a, b) } else { (b, a) };
                let pair = (left.to_string(), right.to_string());
                if left == right || self.seen.contains(&pair) {
                    continue;
                }
                let t = &mut self.text;
                for cell in [left.as_str(), right.as_str(), &r.object, &r.meta.at] {
                    push_cell(t, cell, true);
                    t.push(',');
                }
                push_cell(t, &r.meta.steward, self.raw);
                t.push(',');
                for cell in [&r.meta.candidate.to_string(), &r.meta.seq.to_string()] {
                    push_cell(t, cell, true);
                    t.push(',');
                }
                push_cell(t, r.note.as_deref().unwrap_or(""), self.raw);
                t.push('\n');
                self.seen.insert(pair);
            }
        }
    }

    pub fn finish(self) -> Vec<u8> {
        self.text.into_bytes()
    }
}

#[cfg(test)]
mod tests {
    use super::super::plan::fixture::{k, meta};
    use super::*;

    fn rejection(seq: i64, members: &[&str], note: Option<&str>) -> Rejection<'static> {
        Rejection {
            meta: meta(seq),
            object: "contact".into(),
            members: members.iter().map(|key| k(key)).collect(),
            note: note.map(|n| n.to_string().into()),
        }
    }

    #[test]
    fn every_pair_once_smaller_key_on_the_left() {
        let mut f = NotDuplicates::new(false);
        f.push(&rejection(5, &["sf:2", "hs:9", "sf:1"], Some("different people, same office")));
        f.push(&rejection(6, &["sf:1", "hs:9"], Some("=again")));
        f.push(&rejection(7, &["sf:1", "sf:3"], None));
        assert_eq!(f.pairs(), 4);
        let want = "\
left,right,object,rejected_at,steward,candidate,decision,note
hs:9,sf:2,contact,2026-05-01T10:00:00Z,ana,50,5,\"different people, same office\"
sf:1,sf:2,contact,2026-05-01T10:00:00Z,ana,50,5,\"different people, same office\"
hs:9,sf:1,contact,2026-05-01T10:00:00Z,ana,50,5,\"different people, same office\"
sf:1,sf:3,contact,2026-05-01T10:00:00Z,ana,70,7,
";
        assert_eq!(String::from_utf8(f.finish()).unwrap(), want);
    }

    #[test]
    fn keys_stay_exact_and_free_text_is_guarded_unless_raw() {
        for trigger in ["=", "+", "-", "@", "\t", "\r", "\n"] {
            for raw in [false, true] {
                let mut r =
                    rejection(5, &[&format!("sf:{trigger}1"), "tt:2"], Some(&format!("{trigger}note")));
                r.meta.steward = format!("{trigger}ana").into();
                let mut f = NotDuplicates::new(raw);
                f.push(&r);
                let text = String::from_utf8(f.finish()).unwrap();
                let mark = if raw { "" } else { "'" };
                let enc = |s: &str| super::super::csv_cell::encode(s).into_owned();
                let want = format!(
                    "{},tt:2,contact,2026-05-01T10:00:00Z,{},50,5,{}\n",
                    enc(&format!("sf:{trigger}1")),
                    enc(&format!("{mark}{trigger}ana")),
                    enc(&format!("{mark}{trigger}note"))
                );
                assert!(text.ends_with(&want), "{trigger:?} raw={raw}: {text:?}");
            }
        }
    }
}
