//! Nothing is lost, and nothing half-done is kept, when mergeq is killed: a records import, a
//! candidates import and a detection run killed part-way (SIGKILL, as a crash or a power cut
//! would end them) leave the workspace exactly as it was, and it opens and verifies afterwards.

mod common;
use common::Workspace;
use std::io::{BufRead, BufReader};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

/// `mergeq ARGS` on `ws` as a plain child process (to be killed), with the test's environment;
/// its stderr is piped.
fn spawn(ws: &Workspace, args: &[&str]) -> std::process::Child {
    Command::new(assert_cmd::cargo::cargo_bin("mergeq"))
        .args(args)
        .env("MERGEQ_DB", &ws.db)
        .env("MERGEQ_STEWARD", "ann")
        .env("MERGEQ_NOW", "2026-11-27T09:00:00Z")
        .env_remove("MERGEQ_RULES")
        .current_dir(ws.dir.path())
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .expect("spawn mergeq")
}

/// When to kill: after a share of the time the same command takes left alone (on a copy of the
/// workspace), or as soon as it prints a progress line holding this text.
enum Kill {
    AtShare(f64),
    After(&'static str),
}

/// How long `mergeq ARGS` takes when left alone, on a copy of the workspace and its files.
fn undisturbed(ws: &Workspace, args: &[&str]) -> Duration {
    let copy = Workspace::new();
    std::fs::copy(&ws.db, &copy.db).unwrap();
    for file in args.iter().filter(|a| a.ends_with(".csv")) {
        std::fs::copy(ws.dir.path().join(file), copy.dir.path().join(file)).unwrap();
    }
    let started = Instant::now();
    let out = spawn(&copy, args).wait_with_output().unwrap();
    assert!(out.status.success(), "mergeq {args:?} on the copy: {}", String::from_utf8_lossy(&out.stderr));
    started.elapsed()
}

/// Kills `mergeq ARGS` part-way through; the workspace must be exactly as it was, and sound.
fn killed_part_way(ws: &Workspace, args: &[&str], when: Kill) {
    let before = ws.dump();
    let mut child = match when {
        // The time left alone is measured on a loaded machine too: when the run ends before the
        // kill (it went faster this time), the workspace file is put back and it runs again,
        // killed sooner.
        Kill::AtShare(mut share) => {
            let mut wait = undisturbed(ws, args).mul_f64(share);
            let saved = ws.dir.path().join("saved.mergeq");
            std::fs::copy(&ws.db, &saved).unwrap();
            loop {
                let mut child = spawn(ws, args);
                std::thread::sleep(wait);
                if child.try_wait().unwrap().is_none() || share < 0.01 {
                    break child;
                }
                std::fs::copy(&saved, &ws.db).unwrap();
                for side in ["-wal", "-shm"] {
                    let _ = std::fs::remove_file(format!("{}{side}", ws.db.display()));
                }
                share /= 3.0;
                wait = wait.mul_f64(1.0 / 3.0);
            }
        }
        Kill::After(text) => {
            let mut child = spawn(ws, args);
            let mut stderr = BufReader::new(child.stderr.take().unwrap());
            let mut line = String::new();
            loop {
                line.clear();
                let read = stderr.read_line(&mut line).unwrap();
                assert!(read > 0, "mergeq {args:?} ended without printing `{text}`");
                if line.contains(text) {
                    break;
                }
            }
            child
        }
    };
    assert!(child.try_wait().unwrap().is_none(), "mergeq {args:?} ended before it could be killed");
    child.kill().unwrap();
    child.wait().unwrap();
    assert_eq!(before, ws.dump(), "mergeq {args:?}, killed, left changes");
    let verify = ws.cmd().args(["audit", "verify"]).output().unwrap();
    assert!(verify.status.success(), "{}", String::from_utf8_lossy(&verify.stderr));
}

fn records_file(ws: &Workspace, name: &str, rows: usize, source: &str) {
    let mut text = String::from("id,first_name,last_name,email,phone,city\n");
    for i in 0..rows {
        let family = ["Lee", "Ray", "Young", "Moreau", "Okafor", "Silva"][i % 6];
        text.push_str(&format!(
            "{source}{i},Name{},{family},n{i}@example.com,+1 415 555 {:04},Town{}\n",
            i % 997,
            i % 10_000,
            i % 50
        ));
    }
    ws.file(name, text);
}

#[test]
fn a_killed_records_import_leaves_the_workspace_as_it_was() {
    let ws = Workspace::new();
    records_file(&ws, "small.csv", 10, "s");
    ws.ok(&["import", "records", "small.csv", "--object", "contact", "--source", "crm"]);
    records_file(&ws, "big.csv", 150_000, "b");
    let args = ["import", "records", "big.csv", "--object", "contact", "--source", "crm"];
    killed_part_way(&ws, &args, Kill::AtShare(0.3));
}

#[test]
fn a_killed_candidates_import_leaves_the_workspace_as_it_was() {
    let ws = Workspace::new();
    records_file(&ws, "records.csv", 2_000, "r");
    ws.ok(&["import", "records", "records.csv", "--object", "contact", "--source", "crm"]);
    let mut pairs = String::from("left,right,score,reason\n");
    for i in 0..2_000 {
        for j in 1..=60 {
            pairs.push_str(&format!("crm:r{i},crm:r{},0.{:03},x\n", (i + j) % 2_000, (i * j) % 1000));
        }
    }
    ws.file("pairs.csv", pairs);
    killed_part_way(&ws, &["import", "candidates", "pairs.csv"], Kill::AtShare(0.3));
}

#[test]
fn a_killed_detection_leaves_the_workspace_as_it_was() {
    let ws = Workspace::new();
    records_file(&ws, "records.csv", 40_000, "r");
    ws.ok(&["import", "records", "records.csv", "--object", "contact", "--source", "crm"]);
    // While it writes its candidates: after the model is trained, before the commit.
    killed_part_way(&ws, &["detect", "--object", "contact"], Kill::After("candidates found"));
}
