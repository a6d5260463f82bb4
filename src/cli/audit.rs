//! `mergeq audit log|verify`, `mergeq keygen` and `mergeq signoff`.

use super::{AuditCommand, Ctx, KeygenArgs, SignoffArgs};
use crate::journal;
use crate::store::Store;
use crate::text::{visible, visible_cut};
use anyhow::{bail, Result};
use serde_json::Value;

pub fn audit(cmd: AuditCommand, ctx: &Ctx) -> Result<()> {
    let store = Store::open_existing(&ctx.db)?;
    match cmd {
        AuditCommand::Log(flag) if flag.json => log_json(&store),
        AuditCommand::Log(_) => log_text(&store),
        AuditCommand::Verify { pubkey } => {
            let keys = pubkey.iter().map(|p| journal::load_public_key(p)).collect::<Result<Vec<_>>>()?;
            let report = journal::verify_keys(&store, &keys)?;
            if !keys.is_empty() {
                super::print(&signers(&report, &pubkey))?;
            }
            if !report.is_ok() {
                bail!("{}", report.summary());
            }
            super::print(&format!("{}\n", report.summary()))
        }
    }
}

/// One line per sign-off checked against `--pubkey` files: which file's key signed it, or that
/// none did.
fn signers(report: &journal::VerifyReport, files: &[std::path::PathBuf]) -> String {
    let mut out = String::new();
    for check in &report.signoff_checks {
        let by = match check.given_key.and_then(|i| files.get(i)) {
            Some(file) => format!("signed by {}", visible(&file.display().to_string())),
            None => format!("signed by key {}…, none of the given keys", &check.public_key[..12]),
        };
        let covers = crate::text::entries(check.first, check.last);
        out.push_str(&format!("sign-off at entry {} ({covers}): {by}\n", check.seq));
    }
    out
}

fn log_json(store: &Store) -> Result<()> {
    let mut items = Vec::new();
    store.scan_journal(1, |e| {
        let mut v = serde_json::to_value(&e)?;
        v["body"] = serde_json::from_str(&e.body).unwrap_or(Value::String(e.body.clone()));
        items.push(v);
        Ok(())
    })?;
    super::print(&format!("{}\n", serde_json::to_string_pretty(&items)?))
}

fn log_text(store: &Store) -> Result<()> {
    let mut out = format!(
        "{:>7}  {:<24}  {:<12}  {:<8}  {:>6}  {:<12}  {}\n",
        "seq", "at", "steward", "action", "cand", "hash", "what"
    );
    let mut n = 0;
    store.scan_journal(1, |e| {
        n += 1;
        out.push_str(&format!(
            "{:>7}  {:<24}  {:<12}  {:<8}  {:>6}  {:<12}  {}\n",
            e.seq,
            visible_cut(&crate::clock::fixed_width(&e.at), 24),
            visible_cut(&e.steward, 12),
            visible_cut(&e.action, 8),
            e.candidate.map_or(String::new(), |c| c.to_string()),
            &e.hash[..12.min(e.hash.len())],
            visible_cut(&journal::describe::what(&e.action, &e.body), 90)
        ));
        Ok(())
    })?;
    out.push_str(&format!("{}\n", crate::text::count(n, "entry", "entries")));
    super::print(&out)
}

pub fn keygen(args: KeygenArgs) -> Result<()> {
    let files = journal::keygen(&args.out)?;
    eprintln!(
        "wrote the private key {} (mode 0600; keep it secret) and the public key {} ({})",
        files.private.display(),
        files.public.display(),
        journal::keys::public_key_hex(&files.verifying_key)
    );
    Ok(())
}

pub fn signoff(args: SignoffArgs, ctx: &Ctx) -> Result<()> {
    let key = journal::load_signing_key(&args.key)?;
    let mut store = Store::open_existing(&ctx.db)?;
    let out = journal::sign_off(&mut store, &key, &ctx.steward, &crate::clock::now(), args.note.as_deref())?;
    eprintln!("{}", out.describe());
    Ok(())
}
