//! `mergeq stats`: the dashboard's figures, as text or JSON.

use super::{Ctx, JsonFlag};
use crate::store::Store;
use crate::text::{count, visible};
use anyhow::Result;

pub fn run(args: JsonFlag, ctx: &Ctx) -> Result<()> {
    let stats = Store::open_existing(&ctx.db)?.stats()?;
    if args.json {
        return super::print(&format!("{}\n", serde_json::to_string_pretty(&stats)?));
    }
    let mut out = format!(
        "{} of {} decided · {} merged · {} rejected · {} deferred · {} pending\n",
        stats.decided,
        count(stats.candidates, "candidate", "candidates"),
        stats.approved,
        stats.rejected,
        stats.deferred,
        stats.pending
    );
    // As the dashboard says it.
    if let Some(mean) = stats.mean_pending_score {
        out.push_str(&format!("mean score of the pending candidates: {mean:.2}\n"));
    }
    if let Some(note) = stats.approved_sharing_note() {
        out.push_str(&format!("{note}\n"));
    }
    out.push_str(&format!("\nrecords: {}\n", stats.records));
    for (object, source, n) in &stats.records_by_source {
        out.push_str(&format!("  {:<12} {:<12} {n:>9}\n", visible(object), visible(source)));
    }
    out.push_str(&format!("\ncandidates: {}\n", stats.candidates));
    for (object, status, n) in &stats.candidates_by_status {
        out.push_str(&format!("  {:<12} {:<12} {n:>9}\n", visible(object), status));
    }
    super::print(&out)
}
