//! `mergeq review`: opens the review console on the workspace.

use super::Ctx;
use anyhow::Result;

pub fn run(ctx: &Ctx) -> Result<()> {
    crate::tui::run(ctx)
}
