//! mergeq: review suspected duplicate CRM records, decide merges, keep a signed audit journal, and
//! export merge plans. The binary is a thin shell over this library (`cli::main`).

pub mod cli;
pub mod clock;
pub mod detect;
pub mod export;
pub mod import;
pub mod journal;
pub mod json;
pub mod model;
pub mod store;
pub mod survivorship;
pub mod text;
pub mod tui;
