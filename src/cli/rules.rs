//! `mergeq rules check FILE`: validates a survivorship rules file, naming the line and column of
//! every problem found.

use super::RulesCommand;
use crate::survivorship::Rules;
use anyhow::{bail, Context, Result};

pub fn run(cmd: RulesCommand) -> Result<()> {
    match cmd {
        RulesCommand::Check { file } => {
            let text = std::fs::read_to_string(&file)
                .with_context(|| format!("reading the rules file {}", file.display()))?;
            match Rules::parse(&text, &file.display().to_string()) {
                Ok(rules) => {
                    let n = rules.objects().count();
                    super::print(&format!("rules ok: {n} object{}\n", if n == 1 { "" } else { "s" }))
                }
                Err(e) => {
                    for problem in &e.problems {
                        eprintln!("{}", crate::text::visible(&problem.to_string()));
                    }
                    let n = e.problems.len();
                    bail!("{}: {n} problem{} in the rules", file.display(), if n == 1 { "" } else { "s" })
                }
            }
        }
    }
}
