//! `mergeq demo`: a fresh workspace built from the demo CRM bundled in the binary
//! (`assets/demo/`, made by `assets/demo/generate.py`). The CSV files are written into a `demo/`
//! folder next to the workspace, so the imports read real files a steward can open, and are
//! imported through the same library functions as `mergeq import`. A workspace named with `--db`
//! is never overwritten; the default demo workspace is rebuilt from scratch on every run.

use super::Ctx;
use crate::import::{self, CandidateFormat, CandidateOptions, RecordOptions};
use crate::model::{Candidate, Status};
use crate::store::{QueueFilter, Store};
use anyhow::{bail, Context, Result};
use clap::Args;
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

#[derive(Debug, Args)]
pub struct DemoArgs {
    /// Build the workspace and print what the queue holds, without opening the console
    #[arg(long)]
    pub no_console: bool,
}

/// What importing a bundled file means.
enum Import {
    Records {
        object: &'static str,
        source: &'static str,
    },
    Candidates,
    /// Written for the steward (the CRMs' field names for `export --fields`), not imported.
    Kept,
}

/// One bundled file: its name in `demo/`, its bytes, and how it is imported (in this order:
/// records before the candidates that name them).
struct DemoFile {
    name: &'static str,
    bytes: &'static [u8],
    import: Import,
}

macro_rules! demo_file {
    ($name:literal, $import:expr) => {
        DemoFile { name: $name, bytes: include_bytes!(concat!("../../assets/demo/", $name)), import: $import }
    };
}

const fn records(object: &'static str, source: &'static str) -> Import {
    Import::Records { object, source }
}

const FILES: &[DemoFile] = &[
    demo_file!("accounts_salesforce.csv", records("account", "salesforce")),
    demo_file!("accounts_hubspot.csv", records("account", "hubspot")),
    demo_file!("contacts_salesforce.csv", records("contact", "salesforce")),
    demo_file!("contacts_hubspot.csv", records("contact", "hubspot")),
    demo_file!("contacts_webform.csv", records("contact", "webform")),
    demo_file!("candidates.csv", Import::Candidates),
    demo_file!("candidate_clusters.csv", Import::Candidates),
    demo_file!("candidate_cluster_links.csv", Import::Candidates),
    demo_file!("salesforce_fields.toml", Import::Kept),
    demo_file!("hubspot_fields.toml", Import::Kept),
];

/// How many of the best candidates the summary lists.
const TOP: usize = 10;

pub fn run(args: DemoArgs, ctx: &Ctx) -> Result<()> {
    if !args.no_console {
        // Before anything is built: a demo that cannot open its console leaves nothing behind.
        crate::tui::needs_terminal()?;
    }
    let db = if ctx.db_given {
        if ctx.db.exists() {
            bail!(
                "{} already exists; `mergeq demo` builds a fresh workspace and never overwrites one \
                 (give a new --db path, or leave out --db to use the demo workspace in the data folder)",
                ctx.db.display()
            );
        }
        ctx.db.clone()
    } else {
        let db = super::data_dir()?.join("demo.mergeq");
        if db.exists() {
            eprintln!("replacing the previous demo workspace {}", db.display());
            super::remove_workspace(&db);
        }
        db
    };
    let folder = db.parent().filter(|d| !d.as_os_str().is_empty()).unwrap_or(Path::new(".")).join("demo");
    write_files(&folder, !ctx.db_given)?;
    let records = match build(&db, &folder, ctx) {
        Ok(records) => records,
        Err(e) => {
            super::remove_workspace(&db);
            return Err(e);
        }
    };
    eprintln!("demo workspace: {}", db.display());
    eprintln!("its data files: {}", folder.display());
    if !args.no_console {
        let name = db.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default();
        return crate::tui::run_on(Store::open_existing(&db)?, ctx, &name);
    }
    let store = Store::open_existing(&db)?;
    let list = store.queue(&QueueFilter::default())?;
    super::print(&summary(&records, &list))?;
    eprintln!("all candidates: mergeq --db {} queue", db.display());
    Ok(())
}

/// Writes the bundled files into `folder`. A file already there with other content is replaced
/// only in mergeq's own data folder; next to a workspace the user named, it is theirs: refuse.
fn write_files(folder: &Path, ours: bool) -> Result<()> {
    std::fs::create_dir_all(folder).with_context(|| format!("creating the folder {}", folder.display()))?;
    let path = |f: &DemoFile| folder.join(f.name);
    if !ours {
        for f in FILES {
            if let Ok(existing) = std::fs::read(path(f)) {
                if existing != f.bytes {
                    bail!(
                        "{} exists and is not the bundled demo data; move it away or choose another --db",
                        path(f).display()
                    );
                }
            }
        }
    }
    for f in FILES {
        std::fs::write(path(f), f.bytes).with_context(|| format!("writing {}", path(f).display()))?;
    }
    Ok(())
}

/// Imports every demo file into a new workspace at `db`; returns the records added per object.
fn build(db: &Path, folder: &Path, ctx: &Ctx) -> Result<BTreeMap<String, u64>> {
    let mut store = Store::open(db)?;
    let who = ctx.import_context();
    let mut records: BTreeMap<String, u64> = BTreeMap::new();
    for f in FILES {
        let file: PathBuf = folder.join(f.name);
        match f.import {
            Import::Records { object, source } => {
                let opts = RecordOptions::csv(object, source);
                let done = import::import_records(&mut store, &file, &opts, &who)?;
                eprintln!("{}", done.describe());
                *records.entry(object.to_string()).or_default() += done.records_added;
            }
            Import::Candidates => {
                let opts = CandidateOptions {
                    format: CandidateFormat::Generic,
                    object: None,
                    source: None,
                    id_column: None,
                    delimiter: b',',
                };
                eprintln!("{}", import::import_candidates(&mut store, &file, &opts, &who)?.describe());
            }
            Import::Kept => {}
        }
    }
    Ok(records)
}

/// Counts by object and status, then the best candidates: what `queue` would show first.
fn summary(records: &BTreeMap<String, u64>, list: &[Candidate]) -> String {
    let mut by_object: BTreeMap<&str, [usize; 4]> = records.keys().map(|o| (o.as_str(), [0; 4])).collect();
    for c in list {
        let i = Status::ALL.iter().position(|s| *s == c.status).unwrap_or(0);
        by_object.entry(c.object.as_str()).or_default()[i] += 1;
    }
    let mut out = format!(
        "{:<10} {:>7} {:>10} {:>8} {:>8} {:>8} {:>8}\n",
        "object", "records", "candidates", "pending", "approved", "rejected", "deferred"
    );
    let mut total = (0u64, [0usize; 4]);
    for (object, by_status) in &by_object {
        let n = records.get(*object).copied().unwrap_or(0);
        total.0 += n;
        for (t, s) in total.1.iter_mut().zip(by_status) {
            *t += s;
        }
        out.push_str(&row(object, n, by_status));
    }
    out.push_str(&row("total", total.0, &total.1));
    let of = crate::text::count(list.len(), "candidate", "candidates");
    out.push_str(&format!("\ntop {} of {of}, best score first:\n", TOP.min(list.len())));
    out.push_str(&super::queue::table(&list[..TOP.min(list.len())], &Default::default()));
    out
}

fn row(object: &str, records: u64, by_status: &[usize; 4]) -> String {
    format!(
        "{:<10} {:>7} {:>10} {:>8} {:>8} {:>8} {:>8}\n",
        crate::text::visible_cut(object, 10),
        records,
        by_status.iter().sum::<usize>(),
        by_status[0],
        by_status[1],
        by_status[2],
        by_status[3]
    )
}
