//! `mergeq export FORMAT`: the command-line face of `export::export`.

use super::{Ctx, ExportArgs};
use crate::export::{self, ExportOptions};
use crate::store::Store;
use anyhow::Result;

pub fn run(args: ExportArgs, ctx: &Ctx) -> Result<()> {
    // `--source` says where a CRM's records are; no other format reads it, and taking it silently
    // would let a script believe it had narrowed an export.
    if args.source.is_some() && crate::export::crm::Crm::parse(&args.format).is_none() {
        super::decide::usage_error(format!(
            "--source goes with a merge plan (salesforce, hubspot, dynamics, zoho), not with {}",
            args.format
        ));
    }
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
