//! Rendered parts taken in journal order (`Assembly`): each merge of a CRM plan written unless an
//! earlier merge took one of its records, the golden-csv and not-duplicates files kept whole for
//! the end, and the counts added up. Apart from `render` because only this part is sequential.

use super::{Batch, Counts, Kind, Part};
use crate::export::golden::GoldenCsv;
use crate::export::not_duplicates::NotDuplicates;
use crate::export::plan::parse_reject;
use anyhow::Result;
use rustc_hash::FxHashMap;
use std::io::Write;

/// Takes rendered batches in journal order: writes them out, or keeps them for the files written
/// whole at the end (golden-csv, whose header needs every field name; not-duplicates).
pub struct Assembly {
    golden_csv: Option<GoldenCsv>,
    not_duplicates: Option<NotDuplicates>,
    counts: Counts,
    /// CRM plans: the records merged so far, with the candidate that merged them and whether an
    /// earlier export did.
    merged: FxHashMap<String, (i64, bool)>,
}

impl Assembly {
    pub(super) fn new(kind: Kind, raw: bool) -> Assembly {
        Assembly {
            golden_csv: (kind == Kind::GoldenCsv).then(|| GoldenCsv::new(raw)),
            not_duplicates: (kind == Kind::NotDuplicates).then(|| NotDuplicates::new(raw)),
            counts: Counts::default(),
            merged: FxHashMap::default(),
        }
    }

    /// Writes a part's bytes; for a CRM plan, leaves out each merge with a record an earlier merge
    /// took (its call would fail: the record is gone), counting it instead.
    fn write_merges(&mut self, part: &mut Part, out: &mut impl Write) -> Result<()> {
        let mut written = 0;
        for merge in std::mem::take(&mut part.merges) {
            let taken = merge.records.iter().find_map(|r| self.merged.get(r).map(|by| (r, *by)));
            if let Some((record, (by, earlier_export))) = taken {
                out.write_all(&part.bytes[written..merge.bytes.start])?;
                written = merge.bytes.end;
                let c = &mut part.counts;
                (c.decisions, c.lines, c.refreshed_members) =
                    (c.decisions - 1, c.lines - merge.lines, c.refreshed_members - merge.refreshed);
                // Every record merged by the same candidate of this plan: part of its merge.
                let within = !earlier_export
                    && merge
                        .records
                        .iter()
                        .all(|r| self.merged.get(r).is_some_and(|&(other, _)| other == by));
                if within {
                    c.within += 1;
                    c.first_within = c.first_within.or(Some((merge.candidate, by)));
                    continue;
                }
                let (count, first) = match earlier_export {
                    true => (&mut c.merged_before, &mut c.first_merged_before),
                    false => (&mut c.overlapping, &mut c.first_overlap),
                };
                *count += 1;
                if first.is_none() {
                    let key = record.split_once('\u{1f}').map_or(record.as_str(), |(_, key)| key);
                    *first = Some((merge.candidate, key.to_string(), by));
                }
                continue;
            }
            for record in merge.records {
                self.merged.insert(record, (merge.candidate, false));
            }
        }
        out.write_all(&part.bytes[written..])?;
        Ok(())
    }

    /// Records that earlier exports of this plan merged (`merged_key`, with the candidate that
    /// merged them): a merge of this export that needs one again is left out like any other.
    pub fn merged_before(&mut self, records: impl IntoIterator<Item = (String, i64)>) {
        self.merged.extend(records.into_iter().map(|(record, by)| (record, (by, true))));
    }

    /// Takes the next rendered batch, in journal order; what is final goes to `out`. Gives back the
    /// batch a not-duplicates part kept, once read.
    pub fn accept(&mut self, mut part: Part, out: &mut impl Write) -> Result<Option<Batch>> {
        self.write_merges(&mut part, out)?;
        if let Some(rows) = part.csv {
            self.golden_csv.as_mut().expect("made for golden-csv").append(rows);
        }
        self.counts.add(part.counts);
        let Some(batch) = part.rejections else { return Ok(None) };
        let file = self.not_duplicates.as_mut().expect("made for not-duplicates");
        for i in 0..batch.len() {
            let (meta, body) = batch.get(i);
            file.push(&parse_reject(meta, body)?);
            self.counts.decisions += 1;
        }
        self.counts.lines = file.pairs() as u64;
        Ok(Some(batch))
    }

    /// Writes what is left (the golden-csv and not-duplicates files are written whole at the end)
    /// and returns what went into the export.
    pub fn finish(self, out: &mut impl Write) -> Result<Counts> {
        match (self.golden_csv, self.not_duplicates) {
            (Some(csv), _) => csv.write_to(out)?,
            (_, Some(file)) => out.write_all(&file.finish())?,
            _ => {}
        }
        Ok(self.counts)
    }
}
