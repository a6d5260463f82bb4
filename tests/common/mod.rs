//! Helpers shared by the CLI tests: a temporary workspace and a way to run mergeq against it.
#![allow(dead_code)]

use assert_cmd::Command;
use std::path::{Path, PathBuf};

pub struct Workspace {
    pub dir: tempfile::TempDir,
    pub db: PathBuf,
}

impl Workspace {
    pub fn new() -> Workspace {
        let dir = tempfile::tempdir().expect("temp dir");
        let db = dir.path().join("ws.mergeq");
        Workspace { dir, db }
    }

    /// Two Salesforce contacts paired as candidate 1: record 1 with a whole address, record 2
    /// with a country only (a pick in the address group takes the rest empty with it).
    pub fn address_pair() -> Workspace {
        let ws = Workspace::new();
        ws.file(
            "r.csv",
            "id,name,street,city,postcode,country\n1,Ann Lee,1 High St,Leeds,LS1 1AA,UK\n2,Ann Lee,,,,United Kingdom\n",
        );
        ws.ok(&["import", "records", "r.csv", "--object", "contact", "--source", "salesforce"]);
        ws.file("p.csv", "left,right,score\nsalesforce:1,salesforce:2,0.9\n");
        ws.ok(&["import", "candidates", "p.csv"]);
        ws
    }

    /// `mergeq` with this workspace, a fixed steward and a fixed clock.
    pub fn cmd(&self) -> Command {
        let mut cmd = Command::cargo_bin("mergeq").expect("binary");
        cmd.env("MERGEQ_DB", &self.db)
            .env("MERGEQ_STEWARD", "ann")
            .env("MERGEQ_NOW", "2026-11-27T09:00:00Z")
            .env_remove("MERGEQ_RULES")
            .current_dir(self.dir.path());
        cmd
    }

    /// `cmd` as a plain `std::process::Command`, for tests that wire its stdout themselves.
    pub fn process(&self) -> std::process::Command {
        let mut cmd = std::process::Command::new(assert_cmd::cargo::cargo_bin("mergeq"));
        cmd.env("MERGEQ_DB", &self.db)
            .env("MERGEQ_STEWARD", "ann")
            .env("MERGEQ_NOW", "2026-11-27T09:00:00Z")
            .env_remove("MERGEQ_RULES")
            .current_dir(self.dir.path());
        cmd
    }

    /// Writes `content` to a file in the workspace's folder and returns its path.
    pub fn file(&self, name: &str, content: impl AsRef<[u8]>) -> PathBuf {
        let path = self.dir.path().join(name);
        std::fs::write(&path, content).expect("write fixture");
        path
    }

    /// The logical content of the workspace (every table's rows).
    pub fn dump(&self) -> String {
        mergeq::store::Store::open_existing(&self.db).expect("open").logical_dump().expect("dump")
    }

    /// Runs a command that must succeed and returns its stdout.
    pub fn ok(&self, args: &[&str]) -> String {
        let out = self.cmd().args(args).output().expect("run");
        assert!(out.status.success(), "mergeq {args:?} failed: {}", String::from_utf8_lossy(&out.stderr));
        String::from_utf8(out.stdout).expect("utf-8 stdout")
    }

    /// Runs a command that must fail with exit code `code` and returns its stderr.
    pub fn fails(&self, args: &[&str], code: i32) -> String {
        let out = self.cmd().args(args).output().expect("run");
        assert_eq!(
            out.status.code(),
            Some(code),
            "mergeq {args:?}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        String::from_utf8(out.stderr).expect("utf-8 stderr")
    }
}

pub fn fixture(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures").join(name)
}

/// A file of the shared data folder (`shared/data` beside the checkout): found from a checkout
/// next to it and from a worktree nested deeper (`wt/NAME`) alike.
pub fn shared_data(name: &str) -> PathBuf {
    let manifest = Path::new(env!("CARGO_MANIFEST_DIR"));
    let dir = manifest
        .ancestors()
        .skip(1)
        .map(|d| d.join("shared/data"))
        .find(|d| d.is_dir())
        .unwrap_or_else(|| manifest.join("../shared/data"));
    dir.join(name)
}

/// A workspace holding the small import fixture: 3 Salesforce and 2 HubSpot contacts, 2 pairs.
pub fn seeded() -> Workspace {
    let ws = Workspace::new();
    let sf = fixture("import/contacts_sf.csv");
    let hs = fixture("import/contacts_hs.csv");
    let pairs = fixture("import/pairs.csv");
    ws.ok(&["import", "records", sf.to_str().unwrap(), "--object", "contact", "--source", "salesforce"]);
    ws.ok(&["import", "records", hs.to_str().unwrap(), "--object", "contact", "--source", "hubspot"]);
    ws.ok(&["import", "candidates", pairs.to_str().unwrap()]);
    ws
}
