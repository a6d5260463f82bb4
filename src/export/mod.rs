//! Exports: merge plans for the CRMs, golden records, the not-duplicate list.
//! (Temporary root on the `export` branch: the journal branch brings the real one — the export
//! dispatcher, the atomic writer and the spreadsheet guard — and this file is replaced by it.)

pub mod crm;
pub mod csv_cell;
pub mod decisions;
pub mod dynamics;
pub mod golden;
pub mod hubspot;
pub mod not_duplicates;
pub mod plan;
pub mod salesforce;
pub mod zoho;

/// A CSV cell made safe to open in a spreadsheet: a cell that starts like a formula gets a `'`.
/// (Same as the journal branch's `export::spreadsheet_safe`, which replaces it on merge.)
pub fn spreadsheet_safe(cell: &str) -> std::borrow::Cow<'_, str> {
    match cell.chars().next() {
        Some('=' | '+' | '-' | '@' | '\t' | '\r' | '\n') => format!("'{cell}").into(),
        _ => cell.into(),
    }
}
