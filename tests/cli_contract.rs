//! The command line as DESIGN.md states it, driven as a script would: exit codes (0 ok, 1 runtime
//! error, 2 usage error), errors that name file, line and column, and a workspace left exactly as it
//! was after any failed command.

mod common;
use common::seeded;

/// A malformed option value is a usage error: exit 2, like every value clap checks itself (an
/// unknown `queue --status`, a `decide` verdict), and nothing is written.
#[test]
fn bad_option_values_are_usage_errors() {
    let ws = seeded();
    let before = ws.dump();
    let err = ws.fails(&["export", "golden-cvs", "--include-unsigned"], 2);
    assert!(err.contains("golden-cvs") && err.contains("golden-csv"), "names the formats: {err}");
    for threshold in ["7", "-0.5", "NaN", "high"] {
        let err = ws.fails(&["detect", "--object", "contact", &format!("--threshold={threshold}")], 2);
        assert!(err.contains("between 0 and 1"), "{err}");
    }
    let file = ws.file("r.csv", "id,name\n1,a\n");
    let err = ws.fails(
        &["import", "records", file.to_str().unwrap(), "--object", "c", "--source", "s", "--delimiter", ";;"],
        2,
    );
    assert!(err.contains("--delimiter"), "{err}");
    ws.fails(&["import", "candidates", file.to_str().unwrap(), "--delimiter", "tabs"], 2);
    let err = ws.fails(&["import", "candidates", file.to_str().unwrap(), "--format", "zing"], 2);
    assert!(err.contains("takes auto, generic, splink, dedupe, zingg or salesforce"), "{err}");
    // DESIGN names HubSpot duplicate exports, but HubSpot publishes no such file: say what to do.
    let err = ws.fails(&["import", "candidates", file.to_str().unwrap(), "--format", "hubspot"], 2);
    assert!(err.contains("HubSpot publishes no file") && err.contains("--format generic"), "{err}");
    assert_eq!(before, ws.dump(), "a usage error wrote to the workspace");
}

/// A `;`-separated file (what a spreadsheet in many locales saves as CSV) read with the default
/// `,` fails with the flag that reads it; with that flag it imports.
#[test]
fn semicolon_file_names_the_delimiter_flag() {
    let ws = seeded();
    let before = ws.dump();
    let records = ws.file("semi.csv", "id;first_name\nnew-1;Zed\n");
    let args = ["import", "records", records.to_str().unwrap(), "--object", "contact", "--source", "web"];
    let err = ws.fails(&args, 1);
    assert!(err.contains("semi.csv:1: no `id` column") && err.contains("--delimiter ';'"), "{err}");
    let pairs = ws.file("pairs.csv", "left;right;score\nhubspot:5101;hubspot:5102;0.7\n");
    let err = ws.fails(&["import", "candidates", pairs.to_str().unwrap()], 1);
    assert!(
        err.contains("pairs.csv:1: the header does not look like") && err.contains("--delimiter ';'"),
        "{err}"
    );
    assert_eq!(before, ws.dump());
    ws.ok(&[&args[..], &["--delimiter", ";"]].concat());
    ws.ok(&["import", "candidates", pairs.to_str().unwrap(), "--delimiter", ";"]);
}

/// `--db` naming a file that is not this version's workspace changes nothing: a workspace written
/// by a newer mergeq, and another program's SQLite database (which was silently given mergeq's
/// tables and WAL mode, even by a read-only `queue`).
#[test]
fn a_database_mergeq_does_not_own_is_refused_unchanged() {
    let ws = seeded();
    let newer = ws.dir.path().join("newer.mergeq");
    std::fs::copy(&ws.db, &newer).unwrap();
    rusqlite::Connection::open(&newer).unwrap().pragma_update(None, "user_version", 999).unwrap();
    let foreign = ws.dir.path().join("crm.db");
    rusqlite::Connection::open(&foreign)
        .unwrap()
        .execute_batch("CREATE TABLE customers (id, name); INSERT INTO customers VALUES (1, 'Ann');")
        .unwrap();
    let records = ws.file("r.csv", "id,name\n1,a\n");
    for (db, want) in
        [(&newer, "written by a newer mergeq"), (&foreign, "not a mergeq workspace (it holds customers)")]
    {
        let bytes = std::fs::read(db).unwrap();
        for args in [
            &["queue", "--json"][..],
            &["import", "records", records.to_str().unwrap(), "--object", "c", "--source", "s"],
            &["init"],
        ] {
            let err = ws.fails(&[&["--db", db.to_str().unwrap()], args].concat(), 1);
            assert!(err.contains(want), "{err}");
            assert_eq!(bytes, std::fs::read(db).unwrap(), "{args:?} changed {}", db.display());
        }
    }
}

/// A record's key is `source:id` and its source ends at the first `:`: a source holding `:` made
/// records that `decide --pick/--survivor` could never name. Refused as a usage error when given
/// with `--source`, and at its line and column when a file's source column holds it.
#[test]
fn a_source_with_a_colon_is_refused() {
    let ws = seeded();
    let before = ws.dump();
    let records = ws.file("r.csv", "id,name\n1,Ann\n2,Anne\n");
    let path = records.to_str().unwrap();
    let err = ws.fails(&["import", "records", path, "--object", "contact", "--source", "crm:eu"], 2);
    assert!(err.contains("crm:eu"), "{err}");
    ws.fails(&["import", "records", path, "--object", "contact", "--source", ""], 2);
    ws.fails(&["import", "records", path, "--object", "", "--source", "crm"], 2);
    let splink = ws.file(
        "predictions.csv",
        "match_probability,source_dataset_l,source_dataset_r,unique_id_l,unique_id_r,name_l,name_r\n\
         0.9,crm,web,1,1,Ann,Ann\n0.9,crm:eu,web,2,2,Bo,Bob\n",
    );
    let err = ws.fails(&["import", "candidates", splink.to_str().unwrap(), "--source", "a:b"], 2);
    assert!(err.contains("a:b"), "{err}");
    let err = ws.fails(&["import", "candidates", splink.to_str().unwrap()], 1);
    assert!(err.contains("predictions.csv:3:2: source `crm:eu` holds `:`"), "{err}");
    assert_eq!(before, ws.dump());
}

/// `MERGEQ_DB`, `MERGEQ_STEWARD` and `MERGEQ_RULES` set but empty are not set: the steward is the
/// login name (an empty one refused every decision) and the rules are the built-in ones (an empty
/// one was a usage error about `--rules`, which nobody gave).
#[test]
fn empty_environment_variables_mean_the_default() {
    let ws = seeded();
    let db = ws.db.to_str().unwrap().to_string();
    let run = |args: &[&str]| {
        let out =
            ws.cmd().env("MERGEQ_STEWARD", "").env("MERGEQ_RULES", "").env("USER", "zoe").args(args).output();
        let out = out.unwrap();
        assert!(out.status.success(), "{args:?}: {}", String::from_utf8_lossy(&out.stderr));
        String::from_utf8(out.stdout).unwrap()
    };
    run(&["show", "1", "--json"]);
    run(&["decide", "1", "defer"]);
    let log: serde_json::Value = serde_json::from_str(&run(&["audit", "log", "--json"])).unwrap();
    assert_eq!(log.as_array().unwrap().last().unwrap()["steward"], "zoe");
    let out = ws.cmd().env("MERGEQ_DB", "").args(["--db", &db, "queue", "--json"]).output().unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
}

/// A file with a header and no rows imports nothing and says so, instead of claiming its rows
/// were "all already in the workspace".
#[test]
fn a_header_only_file_says_it_had_no_rows() {
    let ws = seeded();
    let before = ws.dump();
    let file = ws.file("none.csv", "id,name\n");
    let out = ws
        .cmd()
        .args(["import", "records", file.to_str().unwrap(), "--object", "contact", "--source", "web"])
        .output()
        .unwrap();
    assert!(out.status.success());
    let said = String::from_utf8(out.stderr).unwrap();
    assert!(said.contains("none.csv: no rows to import") && !said.contains("already"), "{said}");
    assert_eq!(before, ws.dump());
}

/// Several mergeqs creating the same new workspace at once (a script importing in parallel, the
/// console opened during a first import): each sees either no workspace or a whole one, never
/// mergeq's own tables at version 0 taken for another program's database.
#[test]
fn commands_creating_one_workspace_at_once_all_succeed() {
    let dir = tempfile::tempdir().unwrap();
    for round in 0..10 {
        let db = dir.path().join(format!("race{round}.mergeq"));
        let runs: Vec<_> = (0..6)
            .map(|_| {
                std::process::Command::new(env!("CARGO_BIN_EXE_mergeq"))
                    .arg("--db")
                    .arg(&db)
                    .arg("init")
                    .env_remove("MERGEQ_DB")
                    .stdout(std::process::Stdio::null())
                    .stderr(std::process::Stdio::piped())
                    .spawn()
                    .unwrap()
            })
            .collect();
        for run in runs {
            let out = run.wait_with_output().unwrap();
            let err = String::from_utf8_lossy(&out.stderr);
            assert!(out.status.success(), "round {round}: {err}");
        }
    }
}
