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
            super::print(&signers(&report, &pubkey))?;
            if !report.is_ok() {
                bail!("{}", report.summary());
            }
            let mut out = format!("{}\n", report.summary());
            if keys.is_empty() && report.signoffs > 0 {
                out.push_str(
                    "note: no --pubkey given, so each signature was checked against the key it carries: \
                     that shows the entries are unchanged since that key signed them, not who signed; \
                     give each steward's public key (--pubkey FILE) to check who did\n",
                );
            }
            super::print(&out)
        }
    }
}

/// One line per sign-off: who signed, with which key and, with `--pubkey` files, which file's key
/// it is or that none is; then a warning for each steward who signed with another key than at
/// their sign-off before.
fn signers(report: &journal::VerifyReport, files: &[std::path::PathBuf]) -> String {
    let mut out = String::new();
    for check in &report.signoff_checks {
        let by = match (files.is_empty(), check.given_key.and_then(|i| files.get(i))) {
            (true, _) => "valid for the key it carries".to_string(),
            (false, Some(file)) => format!("signed by {}", visible(&file.display().to_string())),
            (false, None) => "signed by none of the given keys".to_string(),
        };
        out.push_str(&format!(
            "sign-off at entry {} ({}) by {}, key {}…: {by}\n",
            check.seq,
            crate::text::entries(check.first, check.last),
            visible(&check.steward),
            short_key(&check.public_key)
        ));
    }
    for change in report.key_changes() {
        let declared = match change.declared {
            true => "it says so (signed with --new-key)",
            false => "it does not say the key changed (no --new-key)",
        };
        out.push_str(&format!(
            "warning: sign-off at entry {} by {who} is signed with key {}…, not with key {}… of {who}'s \
             sign-off at entry {}; {declared}: check with {who} that both keys are theirs\n",
            change.seq,
            short_key(&change.public_key),
            short_key(&change.earlier_key),
            change.earlier_seq,
            who = visible(&change.steward),
        ));
    }
    out
}

/// The first 12 hex digits of a public key: how mergeq names a key everywhere.
fn short_key(hex: &str) -> &str {
    &hex[..12.min(hex.len())]
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
    // The time is read once the write lock is held, so that it follows the entry before.
    let out = store.write(|tx| {
        let at = crate::clock::now();
        let signing = journal::Signing {
            steward: &ctx.steward,
            at: &at,
            note: args.note.as_deref(),
            new_key: args.new_key,
        };
        journal::sign_off_as(tx, &key, &signing)
    })?;
    eprintln!("{}", out.describe());
    Ok(())
}
