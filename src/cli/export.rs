//! `mergeq export FORMAT`: the command-line face of `export::export`.

use super::{Ctx, ExportArgs};
use crate::export::{self, ExportOptions};
use crate::store::Store;
use anyhow::Result;

pub fn run(args: ExportArgs, ctx: &Ctx) -> Result<()> {
    let opts = ExportOptions {
        out: args.out,
        source: args.source,
        include_unsigned: args.include_unsigned,
        since_last: args.since_last,
        raw: args.raw,
        field_names: match &args.fields {
            Some(path) => Some(std::sync::Arc::new(crate::export::field_names::FieldNames::load(path)?)),
            None => None,
        },
        steward: ctx.steward.clone(),
        at: crate::clock::now(),
    };
    let mut store = Store::open_existing(&ctx.db)?;
    let out = export::export(&mut store, &args.format, &opts)?;
    eprintln!(
        "exported {} ({}) to {} · sha256 {} · journal entry {}",
        out.format,
        crate::text::count(out.items, "item", "items"),
        if out.file == "-" { "stdout".to_string() } else { crate::text::visible(&out.file).into_owned() },
        out.sha256,
        out.seq
    );
    for note in export::notes(&out.details) {
        eprintln!("note: {note}");
    }
    Ok(())
}
