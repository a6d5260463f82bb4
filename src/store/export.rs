//! The exports' reads: records changed since their first import (so a merge plan starts from what
//! the CRM holds now, not only from what the steward saw). Read-only.

use super::records::record_from_row;
use super::Store;
use crate::model::Record;
use anyhow::Result;

impl Store {
    /// Every record an import has changed since it first came in (version above 1), of any object.
    /// A record still at version 1 is exactly what any decision on it saw.
    pub fn changed_records(&self) -> Result<Vec<Record>> {
        let mut stmt = self.conn().prepare("SELECT * FROM records WHERE version > 1 ORDER BY id")?;
        let rows = stmt.query_map([], record_from_row)?;
        Ok(rows.collect::<Result<_, _>>()?)
    }
}
