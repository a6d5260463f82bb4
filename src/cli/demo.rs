//! `mergeq demo`: a fresh workspace built from the demo data bundled in the binary.

use super::Ctx;
use anyhow::{bail, Result};
use clap::Args;

#[derive(Debug, Args)]
pub struct DemoArgs {
    /// Build the workspace and print what the queue holds, without opening the console
    #[arg(long)]
    pub no_console: bool,
}

pub fn run(_args: DemoArgs, _ctx: &Ctx) -> Result<()> {
    bail!("the demo data is not bundled yet")
}
