//! The command line (a contract: see DESIGN.md). Parses arguments, resolves the workspace path,
//! steward and rules, and hands each command to its module. Errors are printed once, here.

mod audit;
mod decide;
mod demo;
mod detect;
mod export;
mod import;
mod queue;
mod review;
mod rules;
pub mod show;
mod stats;

use anyhow::{bail, Result};
use clap::{Args, Parser, Subcommand};
use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

#[derive(Debug, Parser)]
#[command(
    name = "mergeq",
    version,
    about = "Review suspected duplicate CRM records, decide merges, sign the trail, export merge plans"
)]
pub struct Cli {
    /// The workspace file [default: a workspace in the user's data directory]
    #[arg(long, global = true, env = "MERGEQ_DB", value_name = "PATH")]
    pub db: Option<PathBuf>,
    /// Who is deciding [default: the login name]
    #[arg(long, global = true, env = "MERGEQ_STEWARD", value_name = "NAME")]
    pub steward: Option<String>,
    /// Survivorship rules (TOML) replacing the built-in `assets/rules.toml`
    #[arg(long, global = true, env = "MERGEQ_RULES", value_name = "FILE")]
    pub rules: Option<PathBuf>,
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Create a fresh workspace from the bundled demo data and open the review console
    Demo(demo::DemoArgs),
    /// Create an empty workspace
    Init,
    /// Import records or candidates, all or nothing
    #[command(subcommand)]
    Import(import::ImportCommand),
    /// Run duplicate detection over the workspace's records
    Detect(DetectArgs),
    /// Open the review console
    Review,
    /// List candidates, best score first
    Queue(queue::QueueArgs),
    /// Show one candidate: records side by side, the suggested golden record, why it was proposed
    Show(ShowArgs),
    /// Record a decision without the console
    Decide(DecideArgs),
    /// Reverse the latest decision (of one candidate), as a new journal entry
    Undo(UndoArgs),
    /// Add the candidate holding every record of overlapping candidates, to review and approve whole
    Combine(CombineArgs),
    /// Export merge plans, golden records, the not-duplicate list or the audit trail
    Export(ExportArgs),
    /// Show or verify the journal
    #[command(subcommand)]
    Audit(AuditCommand),
    /// Make a steward's Ed25519 key pair (FILE, mode 0600, and FILE.pub)
    Keygen(KeygenArgs),
    /// Sign the journal up to now
    Signoff(SignoffArgs),
    /// The dashboard's figures
    Stats(JsonFlag),
    /// Check survivorship rules files
    #[command(subcommand)]
    Rules(RulesCommand),
}

#[derive(Debug, Args)]
pub struct JsonFlag {
    /// One JSON document on stdout
    #[arg(long)]
    pub json: bool,
}

#[derive(Debug, Args)]
pub struct DetectArgs {
    #[arg(long)]
    pub object: String,
    /// Field kinds and thresholds (TOML)
    #[arg(long, value_name = "FILE")]
    pub config: Option<PathBuf>,
    /// Propose pairs at or above this match probability
    #[arg(long, value_name = "T", value_parser = parse_probability)]
    pub threshold: Option<f64>,
    /// Only pairs whose records come from different sources
    #[arg(long)]
    pub link_only: bool,
    /// One JSON document on stdout
    #[arg(long)]
    pub json: bool,
}

/// A probability given on the command line: a number from 0 to 1, else a usage error (exit 2).
fn parse_probability(text: &str) -> Result<f64, String> {
    match text.trim().parse::<f64>() {
        Ok(p) if (0.0..=1.0).contains(&p) => Ok(p),
        _ => Err(format!("`{text}` is not a number between 0 and 1")),
    }
}

#[derive(Debug, Args)]
pub struct ShowArgs {
    pub id: i64,
    #[arg(long)]
    pub json: bool,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Verdict {
    Approve,
    Reject,
    Defer,
}

#[derive(Debug, Args)]
pub struct DecideArgs {
    pub id: i64,
    #[arg(value_enum)]
    pub verdict: Verdict,
    /// A steward's own value for a field
    #[arg(long = "set", value_name = "FIELD=VALUE")]
    pub set: Vec<String>,
    /// Take a field's value from one member record
    #[arg(long = "pick", value_name = "FIELD=SOURCE:ID")]
    pub pick: Vec<String>,
    /// The record whose CRM id is kept
    #[arg(long, value_name = "SOURCE:ID")]
    pub survivor: Option<String>,
    #[arg(long)]
    pub note: Option<String>,
    /// The `seen` token from `show --json`: refuse if a member changed, or the candidate was
    /// decided or undone, since
    #[arg(long, value_name = "TOKEN")]
    pub seen: Option<String>,
}

#[derive(Debug, Args)]
pub struct UndoArgs {
    pub id: Option<i64>,
    /// Why the decision is undone (kept in the journal entry)
    #[arg(long)]
    pub note: Option<String>,
}

#[derive(Debug, Args)]
pub struct CombineArgs {
    /// The candidates to combine (two or more that share records)
    #[arg(required = true, num_args = 2..)]
    pub ids: Vec<i64>,
    /// Print the combined candidate as JSON on stdout
    #[arg(long)]
    pub json: bool,
}

#[derive(Debug, Args)]
pub struct ExportArgs {
    /// golden-csv, golden-jsonl, salesforce, hubspot, dynamics, zoho, not-duplicates, audit-csv, audit-report
    #[arg(value_parser = clap::builder::PossibleValuesParser::new(crate::export::FORMATS))]
    pub format: String,
    /// Output file, or `-` for stdout
    #[arg(long, value_name = "FILE")]
    pub out: Option<PathBuf>,
    /// The workspace source that holds this CRM's records, when not named after the CRM
    #[arg(long, value_name = "NAME")]
    pub source: Option<String>,
    /// Include decisions no sign-off covers yet
    #[arg(long)]
    pub include_unsigned: bool,
    /// Only decisions made since the last export of this format
    #[arg(long)]
    pub since_last: bool,
    /// Write CSV cells exactly as stored (no spreadsheet formula guard)
    #[arg(long)]
    pub raw: bool,
    /// The CRM's names of the workspace's fields, per object (TOML; merge plans only)
    #[arg(long, value_name = "FILE")]
    pub fields: Option<PathBuf>,
}

#[derive(Debug, Subcommand)]
pub enum AuditCommand {
    /// List journal entries
    Log(JsonFlag),
    /// Check every hash link and signature
    Verify {
        /// A steward's public key; give it once per steward whose sign-offs the journal holds
        #[arg(long, value_name = "FILE")]
        pubkey: Vec<PathBuf>,
    },
}

#[derive(Debug, Args)]
pub struct KeygenArgs {
    #[arg(long, value_name = "FILE")]
    pub out: PathBuf,
}

#[derive(Debug, Args)]
pub struct SignoffArgs {
    #[arg(long, value_name = "FILE")]
    pub key: PathBuf,
    #[arg(long)]
    pub note: Option<String>,
    /// Sign with a key other than the one of your previous sign-off (a new key); the sign-off
    /// names the key it replaces
    #[arg(long)]
    pub new_key: bool,
}

#[derive(Debug, Subcommand)]
pub enum RulesCommand {
    /// Validate a rules file, reporting errors with line and column
    Check { file: PathBuf },
}

/// What every command knows: where the workspace is, who is working, which rules apply.
#[derive(Debug, Clone)]
pub struct Ctx {
    pub db: PathBuf,
    /// True when the workspace path came from `--db`/`MERGEQ_DB` rather than the default.
    pub db_given: bool,
    pub steward: String,
    pub rules: Option<PathBuf>,
}

impl Ctx {
    pub fn import_context(&self) -> crate::import::ImportContext {
        crate::import::ImportContext { steward: self.steward.clone(), at: crate::clock::now() }
    }
}

/// The user's data directory for mergeq (from `directories`), e.g. `~/.local/share/mergeq`.
pub fn data_dir() -> Result<PathBuf> {
    match directories::ProjectDirs::from("", "", "mergeq") {
        Some(dirs) => Ok(dirs.data_dir().to_path_buf()),
        None => bail!("cannot find a home directory for the default workspace; give --db PATH"),
    }
}

/// The login name: from the environment, else the operating system's account name (cron jobs and
/// containers often set no `USER`), so the journal names who decided instead of "unknown".
fn login_name() -> String {
    ["USER", "USERNAME", "LOGNAME"]
        .iter()
        .find_map(|v| std::env::var(v).ok().filter(|s| !s.is_empty()))
        .or_else(|| whoami::fallible::username().ok().filter(|s| !s.is_empty()))
        .unwrap_or_else(|| "unknown".to_string())
}

/// Writes to stdout; a closed pipe (`mergeq queue | head`) is not an error.
pub fn print(text: &str) -> Result<()> {
    let mut out = std::io::stdout().lock();
    match out.write_all(text.as_bytes()).and_then(|_| out.flush()) {
        Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => Ok(()),
        other => Ok(other?),
    }
}

/// Runs the command line; the exit code follows DESIGN.md (0 ok, 1 runtime error, 2 usage).
pub fn main() -> ExitCode {
    // An empty variable (`MERGEQ_DB= mergeq …`, or a script's unset `$RULES`) is no value: the
    // default applies, as for an unset one, instead of a usage error about an option not given.
    for var in ["MERGEQ_DB", "MERGEQ_STEWARD", "MERGEQ_RULES"] {
        if std::env::var_os(var).is_some_and(|v| v.is_empty()) {
            std::env::remove_var(var);
        }
    }
    let cli = Cli::parse();
    let (db, db_given) = match cli.db.clone() {
        Some(db) => (db, true),
        None => match data_dir() {
            Ok(dir) => (dir.join("workspace.mergeq"), false),
            Err(e) => {
                eprintln!("error: {e:#}");
                return ExitCode::from(1);
            }
        },
    };
    let ctx = Ctx {
        db,
        db_given,
        steward: cli.steward.clone().unwrap_or_else(login_name),
        rules: cli.rules.clone(),
    };
    let existed = ctx.db.exists();
    match run(cli.command, &ctx) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            // A failed command leaves things as they were: a workspace it created goes again.
            if !existed {
                remove_workspace(&ctx.db);
            }
            eprintln!("error: {}", crate::text::visible(&format!("{e:#}")));
            ExitCode::from(1)
        }
    }
}

fn remove_workspace(db: &Path) {
    for suffix in ["", "-wal", "-shm", "-journal"] {
        let mut p = db.as_os_str().to_owned();
        p.push(suffix);
        let _ = std::fs::remove_file(PathBuf::from(p));
    }
}

fn run(command: Command, ctx: &Ctx) -> Result<()> {
    match command {
        Command::Demo(args) => demo::run(args, ctx),
        Command::Init => {
            let existed = ctx.db.exists();
            crate::store::Store::open(&ctx.db)?;
            let what = if existed { "already a workspace" } else { "created an empty workspace" };
            eprintln!("{what}: {}", ctx.db.display());
            Ok(())
        }
        Command::Import(cmd) => import::run(cmd, ctx),
        Command::Queue(args) => queue::run(args, ctx),
        Command::Detect(args) => detect::run(args, ctx),
        Command::Review => review::run(ctx),
        Command::Show(args) => show::run(args, ctx),
        Command::Decide(args) => decide::decide(args, ctx),
        Command::Undo(args) => decide::undo(args, ctx),
        Command::Combine(args) => decide::combine(args, ctx),
        Command::Export(args) => export::run(args, ctx),
        Command::Audit(cmd) => audit::audit(cmd, ctx),
        Command::Keygen(args) => audit::keygen(args),
        Command::Signoff(args) => audit::signoff(args, ctx),
        Command::Stats(args) => stats::run(args, ctx),
        Command::Rules(cmd) => rules::run(cmd),
    }
}
