//! Where each steward left the console, and how long the console waits on a busy workspace:
//! the console's own state, written without waiting for the disk. Apart from the queue reads
//! because it is the one write here, with its own durability trade.

use crate::store::Store;
use anyhow::Result;
use rusqlite::{params, OptionalExtension};
use std::time::Duration;

impl Store {
    /// Where this steward left the console (its JSON), if anywhere.
    pub fn ui_state(&self, steward: &str) -> Result<Option<String>> {
        Ok(self
            .conn()
            .prepare_cached("SELECT state FROM ui_state WHERE steward = ?1")?
            .query_row(params![steward], |r| r.get(0))
            .optional()?)
    }

    /// Remembers where this steward is in the console, without waiting for the disk: a crash of
    /// mergeq or of the terminal keeps it (it is in the WAL), only a power cut may lose the latest
    /// place, and no decision is ever written so. `wait: false` (the saves made while the steward
    /// works) gives up at once when another mergeq is writing: an import or a detection must not
    /// hold the console up, and the next save or the quit writes the place.
    pub fn save_ui_state(&mut self, steward: &str, state: &str, at: &str, wait: bool) -> Result<()> {
        let busy: i64 = self.conn.query_row("PRAGMA busy_timeout", [], |r| r.get(0))?;
        if !wait {
            self.conn.busy_timeout(Duration::ZERO)?;
        }
        self.conn.pragma_update(None, "synchronous", "NORMAL")?;
        let written = self.write(|tx| {
            tx.conn()
                .prepare_cached(
                    "INSERT INTO ui_state (steward, state, at) VALUES (?1, ?2, ?3) \
                     ON CONFLICT (steward) DO UPDATE SET state = excluded.state, at = excluded.at",
                )?
                .execute(params![steward, state, at])?;
            Ok(())
        });
        // Put both back before reporting anything: decisions are written with FULL.
        let restored = self
            .conn
            .pragma_update(None, "synchronous", "FULL")
            .and_then(|_| self.conn.busy_timeout(Duration::from_millis(busy.max(0) as u64)));
        written.and(restored.map_err(Into::into))
    }

    /// How long a write waits for another mergeq holding the workspace before it fails. The
    /// console keeps this short so that a locked workspace becomes a message, not a frozen screen.
    pub fn set_busy_timeout(&self, wait: Duration) -> Result<()> {
        self.conn().busy_timeout(wait)?;
        Ok(())
    }
}
