//! Reading on a second thread: a large import spends about as long parsing and checking rows as
//! writing them, so one thread reads (CSV, UTF-8, key lookups) while the caller's thread writes.
//! Rows travel in batches, so the hand-over costs little per row; the first bad row ends the
//! reading, and the rows before it are still handed on in order (the import is all or nothing).

use super::InputError;
use std::sync::mpsc::{sync_channel, SyncSender};

/// Rows handed from the reading thread at a time.
const BATCH: usize = 4096;

/// What the reading thread pushes rows into.
pub struct Rows<T> {
    batch: Vec<T>,
    out: SyncSender<Vec<T>>,
}

impl<T> Rows<T> {
    /// Hands on one row; false when the writing side has stopped (then stop reading).
    pub fn push(&mut self, row: T) -> bool {
        self.batch.push(row);
        if self.batch.len() < BATCH {
            return true;
        }
        let full = std::mem::replace(&mut self.batch, Vec::with_capacity(BATCH));
        self.out.send(full).is_ok()
    }
}

/// Runs `read` on a second thread, feeding every row it pushes to `write` on this one, in order.
/// Returns `read`'s result, or the first error from either side.
pub fn pipelined<T: Send, R: Send>(
    read: impl FnOnce(&mut Rows<T>) -> Result<R, InputError> + Send,
    mut write: impl FnMut(T) -> anyhow::Result<()>,
) -> anyhow::Result<R> {
    std::thread::scope(|scope| {
        let (out, receive) = sync_channel(8);
        let reader = scope.spawn(move || {
            let mut rows = Rows { batch: Vec::with_capacity(BATCH), out };
            let result = read(&mut rows);
            if !rows.batch.is_empty() {
                let _ = rows.out.send(rows.batch);
            }
            result
        });
        let mut written = Ok(());
        for batch in &receive {
            if written.is_ok() {
                written = batch.into_iter().try_for_each(&mut write);
            }
            if written.is_err() {
                // Dropping the receiver stops the reader at its next hand-over.
                break;
            }
        }
        drop(receive);
        let read = reader.join().expect("the reading thread does not panic");
        written?;
        Ok(read?)
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rows_arrive_in_order_and_the_first_error_wins() {
        let mut seen = Vec::new();
        let n = pipelined(
            |rows| {
                for i in 0..10_000u32 {
                    rows.push(i);
                }
                Ok(10_000)
            },
            |i| {
                seen.push(i);
                Ok(())
            },
        )
        .unwrap();
        assert_eq!(n, 10_000);
        assert!(seen.iter().copied().eq(0..10_000));

        let mut seen = 0;
        let err = pipelined(
            |rows| {
                for i in 0..5_000u32 {
                    rows.push(i);
                }
                Err::<(), _>(InputError::at("f.csv", 5002, None, "bad row"))
            },
            |_| {
                seen += 1;
                Ok(())
            },
        )
        .unwrap_err();
        assert_eq!(seen, 5_000, "rows before the bad one are written");
        assert_eq!(err.to_string(), "f.csv:5002: bad row");

        let err = pipelined(
            |rows| {
                let mut i = 0u64;
                while rows.push(i) {
                    i += 1;
                }
                Ok(i)
            },
            |i| if i == 100_000 { anyhow::bail!("write failed at {i}") } else { Ok(()) },
        )
        .unwrap_err();
        assert_eq!(err.to_string(), "write failed at 100000", "a failed write stops the reader");
    }
}
