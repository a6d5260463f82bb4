//! Bad input: every case fails with exit 1, names file, line and column, and leaves the workspace
//! with exactly the logical content it had before.

mod common;
use common::{seeded, Workspace};

/// Imports `content` as records into a seeded workspace; expects failure mentioning `want`.
fn bad_records(content: &[u8], extra: &[&str], want: &str) {
    let ws = seeded();
    let before = ws.dump();
    let path = ws.file("bad.csv", content);
    let mut args =
        vec!["import", "records", path.to_str().unwrap(), "--object", "contact", "--source", "salesforce"];
    args.extend_from_slice(extra);
    let err = ws.fails(&args, 1);
    assert!(err.contains(want), "expected `{want}` in: {err}");
    assert!(err.contains("bad.csv"), "the error names the file: {err}");
    assert_eq!(before, ws.dump(), "the workspace changed after a failed import");
}

fn bad_candidates(content: &[u8], want: &str) {
    let ws = seeded();
    let before = ws.dump();
    let path = ws.file("bad.csv", content);
    let err = ws.fails(&["import", "candidates", path.to_str().unwrap()], 1);
    assert!(err.contains(want), "expected `{want}` in: {err}");
    assert_eq!(before, ws.dump(), "the workspace changed after a failed import");
}

// Each bad row sits after good rows that would change the workspace, so a partial write would show.
const GOOD: &str = "id,first_name,email\n0035g00000AbCdEAA1,Anne,ann@example.com\nnew-1,Zed,z@example.com\n";

/// A short row is reported at the first column it lacks.
#[test]
fn ragged_row() {
    bad_records(
        format!("{GOOD}new-2,Yan\n").as_bytes(),
        &[],
        "bad.csv:4:3: this row has 2 columns, the header has 3 (column `email`)",
    );
}

/// `content` as a Windows file (CRLF line ends), and with a UTF-8 byte order mark as well.
fn windows(content: &str) -> [Vec<u8>; 2] {
    let crlf = content.replace('\n', "\r\n").into_bytes();
    let bom = [&b"\xef\xbb\xbf"[..], &crlf].concat();
    [crlf, bom]
}

/// CRLF files name the same lines as LF files: the csv reader stops a row at its `\r` and would
/// count the `\n` as part of the next row's line.
#[test]
fn crlf_files_name_the_same_lines() {
    for content in windows(&format!("{GOOD}new-2,Yan\n")) {
        bad_records(&content, &[], "bad.csv:4:3: this row has 2 columns, the header has 3 (column `email`)");
    }
    for content in windows(&format!("{GOOD}new-1,Zed,z@example.com\n")) {
        bad_records(&content, &[], "bad.csv:4:1: id `new-1` repeats the record on line 3");
    }
    for content in windows(
        "left,right,score\nhubspot:5101,hubspot:5102,0.7\nhubspot:5101,salesforce:0035g00000AbCdEAA1,1.7\n",
    ) {
        bad_candidates(&content, "bad.csv:3:3: `1.7` is not a score between 0 and 1");
    }
}

/// A Splink predictions file as Python's csv module writes it (CRLF): the bad probability on line 6.
#[test]
fn splink_predictions_from_python_name_the_line() {
    let rows =
        ["5.1,0.97,a1,a2,Ann,Anne", "5.1,0.97,b1,b2,Bo,Bob", "5.1,0.97,c1,c2,Cy,Cyd", "5.1,0.9,d1,d2,Di,Dee"];
    let content = format!(
        "match_weight,match_probability,unique_id_l,unique_id_r,given_name_l,given_name_r\n{}\n-3.2,high,e1,e2,Ed,Eddie\n",
        rows.join("\n")
    );
    for content in windows(&content) {
        let ws = Workspace::new();
        let path = ws.file("predictions.csv", content);
        let err = ws.fails(
            &["import", "candidates", path.to_str().unwrap(), "--format", "splink", "--object", "person"],
            1,
        );
        assert!(err.contains("predictions.csv:6:2: `high` is not a score between 0 and 1"), "{err}");
    }
}

/// Blank lines count: the row after them is named at its own line, in LF and CRLF files, and after
/// a run of blank lines longer than what the reader keeps in memory.
#[test]
fn rows_after_blank_lines_name_their_own_line() {
    let after_blanks = |blanks: usize| format!("{GOOD}{}new-2,Yan\n", "\n".repeat(blanks));
    bad_records(after_blanks(2).as_bytes(), &[], "bad.csv:6:3: this row has 2 columns");
    for content in windows(&after_blanks(2)) {
        bad_records(&content, &[], "bad.csv:6:3: this row has 2 columns");
    }
    for content in windows(&after_blanks(40_000)) {
        bad_records(&content, &[], "bad.csv:40004:3: this row has 2 columns");
    }
}

#[test]
fn too_many_cells() {
    bad_records(
        format!("{GOOD}new-2,Yan,y@example.com,extra\n").as_bytes(),
        &[],
        "bad.csv:4:4: this row has 4 columns",
    );
}

#[test]
fn invalid_utf8() {
    let mut content = GOOD.as_bytes().to_vec();
    content.extend_from_slice(b"new-2,Y\xff\xfen,y@example.com\n");
    bad_records(&content, &[], "bad.csv:4:2: invalid UTF-8 (column `first_name`)");
}

#[test]
fn invalid_utf8_inside_a_row_that_spans_lines_names_its_own_line() {
    // The row starts on line 4; its quoted name breaks over two lines and the bad byte is on
    // line 6, in the e-mail after it.
    let mut content = GOOD.as_bytes().to_vec();
    content.extend_from_slice(b"new-2,\"Yan\r\nYi\r\nYo\",y\xff@example.com\n");
    bad_records(&content, &[], "bad.csv:6:3: invalid UTF-8 (column `email`)");
}

#[test]
fn unterminated_quote() {
    bad_records(
        format!("{GOOD}new-2,\"Yan,y@example.com\nnew-3,Xi,x@example.com\n").as_bytes(),
        &[],
        "bad.csv:4:2: unterminated quote",
    );
}

#[test]
fn duplicate_header() {
    bad_records(
        b"id,email,email\n1,a@x.com,b@x.com\n",
        &[],
        "bad.csv:1:3: column name `email` repeats column 2",
    );
}

#[test]
fn empty_header_name() {
    bad_records(b"id,,email\n1,x,a@x.com\n", &[], "bad.csv:1:2: empty column name");
}

#[test]
fn empty_file() {
    bad_records(b"", &[], "bad.csv:1: the file is empty");
}

#[test]
fn missing_id_value() {
    bad_records(
        format!("{GOOD},Yan,y@example.com\n").as_bytes(),
        &[],
        "bad.csv:4:1: missing id value (column `id`)",
    );
}

#[test]
fn no_id_column() {
    bad_records(b"name,email\nAnn,a@x.com\n", &[], "bad.csv:1: no `id` column");
}

#[test]
fn repeated_id() {
    bad_records(
        format!("{GOOD}new-1,Zed,z@example.com\n").as_bytes(),
        &[],
        "bad.csv:4:1: id `new-1` repeats the record on line 3",
    );
}

#[test]
fn bad_timestamp() {
    bad_records(
        b"id,updated_at\nnew-1,2026-05-01\nnew-2,last tuesday\n",
        &[],
        "bad.csv:3:2: `last tuesday` is not a timestamp this importer reads (column `updated_at`)",
    );
}

#[test]
fn bad_jsonl_line() {
    bad_records(
        b"{\"id\": \"new-1\", \"email\": \"a@x.com\"}\n{\"id\": \"new-2\", \"email\": }\n",
        &["--format", "jsonl"],
        "bad.csv:2:",
    );
}

/// A JSON Lines error points into the file: its line and 1-based column, never serde's own
/// "line 1 column 0" of the line alone.
#[test]
fn jsonl_syntax_error_names_line_and_column() {
    bad_records(
        b"{\"id\": \"new-1\"}\n{\"id\": \"new-2\", \"email\": \"b@x.com\"\n{\"id\": \"new-3\"}\n",
        &["--format", "jsonl"],
        "bad.csv:2:35: invalid JSON: EOF while parsing an object",
    );
}

/// An empty JSON Lines file is refused like an empty CSV file, not imported as zero records.
#[test]
fn empty_jsonl_file() {
    for content in [&b""[..], b"\xef\xbb\xbf\n\n  \n"] {
        bad_records(content, &["--format", "jsonl"], "bad.csv:1: the file is empty");
    }
}

/// A key given twice in one object is refused like a repeated CSV column, not settled by the last.
#[test]
fn jsonl_repeated_key() {
    bad_records(
        b"{\"id\": \"new-1\"}\n{\"id\": \"new-2\", \"email\": \"a@x\", \"email\": \"b@x\"}\n",
        &["--format", "jsonl"],
        "bad.csv:2:33: this key appears twice in the object (column `email`)",
    );
}

#[test]
fn unknown_record_key() {
    bad_candidates(
        b"left,right,score,reason\nsalesforce:0035g00000AbCdEAA3,hubspot:5101,0.7,x\nsalesforce:0035g00000AbCdEAA3,hubspot:9999,0.7,x\n",
        "bad.csv:3:2: unknown record hubspot:9999 (column `right`)",
    );
}

#[test]
fn not_a_record_key() {
    bad_candidates(
        b"left,right,score\nsalesforce0035,hubspot:5101,0.7\n",
        "bad.csv:2:1: `salesforce0035` is not a record key",
    );
}

#[test]
fn self_pair() {
    bad_candidates(
        b"left,right,score\nhubspot:5101,hubspot:5101,0.7\n",
        "bad.csv:2:2: a record cannot be a duplicate of itself",
    );
}

#[test]
fn score_out_of_range() {
    bad_candidates(
        b"left,right,score\nhubspot:5101,hubspot:5102,1.7\n",
        "bad.csv:2:3: `1.7` is not a score between 0 and 1",
    );
}

#[test]
fn unknown_candidate_layout() {
    bad_candidates(b"a,b,c\n1,2,3\n", "bad.csv:1: the header does not look like any known candidates");
}

#[test]
fn failed_first_import_leaves_no_workspace() {
    let ws = Workspace::new();
    let path = ws.file("bad.csv", "id,name\n1,a\n2\n");
    ws.fails(&["import", "records", path.to_str().unwrap(), "--object", "contact", "--source", "x"], 1);
    assert!(!ws.db.exists(), "a failed first import must not leave a workspace behind");
}

#[test]
fn usage_error_exits_2() {
    let ws = Workspace::new();
    ws.fails(&["import", "records", "x.csv"], 2);
    ws.fails(&["frobnicate"], 2);
}

#[test]
fn missing_file_exits_1() {
    let ws = Workspace::new();
    let err = ws.fails(&["import", "records", "nope.csv", "--object", "contact", "--source", "x"], 1);
    assert!(err.contains("nope.csv: cannot open"), "{err}");
}

#[test]
fn control_characters_in_errors_are_made_visible() {
    let ws = seeded();
    let path = ws.file("bad.csv", "id,\u{1b}]0;pwned\u{7},x\n1,2\n");
    let err = ws.fails(&["import", "records", path.to_str().unwrap(), "--object", "c", "--source", "s"], 1);
    assert!(
        !err.contains('\u{1b}') && !err.contains('\u{7}'),
        "raw control characters reached stderr: {err:?}"
    );
}

/// A CSV file read from a pipe (`/dev/stdin`, `<(…)`) is refused up front with what to do, not
/// half-way with the operating system's "Illegal seek"; the workspace is unchanged.
#[cfg(unix)]
#[test]
fn a_pipe_is_refused_with_what_to_do() {
    let ws = seeded();
    let before = ws.dump();
    let fifo = ws.dir.path().join("pipe.csv");
    let made = std::process::Command::new("mkfifo").arg(&fifo).status();
    if !made.is_ok_and(|s| s.success()) {
        eprintln!("skipped: mkfifo is not available");
        return;
    }
    // A writer on the other end, so that opening the pipe does not wait for ever.
    let path = fifo.clone();
    let writer = std::thread::spawn(move || {
        use std::io::Write;
        if let Ok(mut f) = std::fs::OpenOptions::new().write(true).open(&path) {
            let _ = f.write_all(GOOD.as_bytes());
        }
    });
    let err = ws.fails(
        &["import", "records", fifo.to_str().unwrap(), "--object", "contact", "--source", "salesforce"],
        1,
    );
    writer.join().unwrap();
    assert!(
        err.contains("pipe.csv: not a regular file (a pipe or a device): save it to a file and import that"),
        "{err}"
    );
    assert_eq!(before, ws.dump());
}
