//! `mergeq queue`: candidates, best score first, as a table or JSON.

use super::Ctx;
use crate::model::{Candidate, CandidateId, Status};
use crate::store::{QueueFilter, Store};
use crate::text::visible_cut;
use anyhow::{anyhow, Result};
use clap::Args;
use std::collections::HashMap;

#[derive(Debug, Args)]
pub struct QueueArgs {
    /// pending, approved, rejected or deferred
    #[arg(long, value_parser = parse_status)]
    pub status: Option<Status>,
    #[arg(long)]
    pub object: Option<String>,
    #[arg(long)]
    pub json: bool,
}

fn parse_status(text: &str) -> Result<Status> {
    Status::parse(text).ok_or_else(|| anyhow!("expected pending, approved, rejected or deferred"))
}

#[derive(serde::Serialize)]
struct QueueItem<'a> {
    id: i64,
    object: &'a str,
    score: f64,
    status: Status,
    origin: &'a [String],
    members: Vec<String>,
    /// Undecided, with every record in this approved candidate (the console's `in #3`).
    #[serde(skip_serializing_if = "Option::is_none")]
    held_by: Option<i64>,
}

pub fn run(args: QueueArgs, ctx: &Ctx) -> Result<()> {
    let store = Store::open_existing(&ctx.db)?;
    let list = store.queue(&QueueFilter { status: args.status, object: args.object })?;
    let held = store.held_whole()?;
    if args.json {
        let items: Vec<QueueItem> = list
            .iter()
            .map(|c| QueueItem {
                id: c.id.0,
                object: &c.object,
                score: c.score,
                status: c.status,
                origin: &c.origin,
                members: c.members.iter().map(|m| m.to_string()).collect(),
                held_by: held.get(&c.id).map(|h| h.0),
            })
            .collect();
        return super::print(&format!("{}\n", serde_json::to_string_pretty(&items)?));
    }
    let mut out = table(&list, &held);
    out.push_str(&format!("{}\n", crate::text::count(list.len(), "candidate", "candidates")));
    super::print(&out)
}

/// The queue as a text table, one candidate per line (also shown by `mergeq demo`); an
/// undecided candidate held whole by an approved one ends `· all in #3, approved`.
pub(super) fn table(list: &[Candidate], held: &HashMap<CandidateId, CandidateId>) -> String {
    let mut out = format!("{:>6}  {:>5}  {:<9} {:<10} {}\n", "id", "score", "status", "object", "members");
    for c in list {
        let members: Vec<String> = c.members.iter().map(|m| m.to_string()).collect();
        let held = held.get(&c.id).map_or(String::new(), |h| format!("  · all in #{h}, approved"));
        out.push_str(&format!(
            "{:>6}  {:>5.3}  {:<9} {:<10} {}{held}\n",
            c.id.0,
            c.score,
            c.status.as_str(),
            visible_cut(&c.object, 10),
            visible_cut(&members.join("  "), 120)
        ));
    }
    out
}
