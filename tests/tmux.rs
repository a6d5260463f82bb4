//! The console in a real terminal: tmux runs `mergeq review` on a workspace whose records hold
//! terminal escape sequences, a carriage return and a bidirectional override. The pane title must
//! stay as it was, the screen must show markers, and `a` must write the decision.
//! Skipped (with a message) only when tmux is not installed; CI installs it.

use mergeq::model::{CandidateId, Fields, RecordKey, Status};
use mergeq::store::{NewBatch, NewCandidate, NewRecord, Store};
use std::path::Path;
use std::process::{Command, Output};
use std::time::{Duration, Instant};

/// A tmux server of our own (unique socket), killed when dropped, whatever happened.
struct Tmux {
    socket: String,
}

impl Tmux {
    fn run(&self, args: &[&str]) -> Output {
        Command::new("tmux").arg("-L").arg(&self.socket).args(args).output().expect("running tmux")
    }

    fn screen(&self) -> String {
        String::from_utf8_lossy(&self.run(&["capture-pane", "-p", "-t", "t"]).stdout).into_owned()
    }

    fn title(&self) -> String {
        let out = self.run(&["display-message", "-p", "-t", "t", "#{pane_title}"]);
        String::from_utf8_lossy(&out.stdout).trim().to_string()
    }

    /// A tmux format variable of the pane (`mouse_any_flag`, `alternate_on`, …).
    fn pane(&self, var: &str) -> String {
        let out = self.run(&["display-message", "-p", "-t", "t", &format!("#{{{var}}}")]);
        String::from_utf8_lossy(&out.stdout).trim().to_string()
    }

    fn keys(&self, keys: &[&str]) {
        let mut args = vec!["send-keys", "-t", "t"];
        args.extend_from_slice(keys);
        assert!(self.run(&args).status.success());
    }

    /// Polls the pane until every one of `wants` is on it (a frame can be caught half drawn).
    fn wait_for_all(&self, wants: &[&str]) -> String {
        let start = Instant::now();
        loop {
            let screen = self.screen();
            if wants.iter().all(|w| screen.contains(w)) {
                return screen;
            }
            if start.elapsed() > Duration::from_secs(15) {
                panic!("waited 15 s for {wants:?}; the pane shows:\n{screen}");
            }
            std::thread::sleep(Duration::from_millis(50));
        }
    }

    fn wait_for(&self, want: &str) -> String {
        self.wait_for_all(&[want])
    }
}

impl Drop for Tmux {
    fn drop(&mut self) {
        let _ = self.run(&["kill-server"]);
    }
}

fn hazard_workspace(path: &Path) {
    let mut store = Store::open(path).unwrap();
    store
        .write(|tx| {
            let b = tx.begin_batch(&NewBatch::new(
                "records",
                "hazards.csv",
                "csv",
                "2026-05-02T09:00:00Z",
                "test",
            ))?;
            let mut refs = Vec::new();
            for (source, first) in [("salesforce", "Eve\u{1b}]0;pwned\u{7}"), ("hubspot", "Eve")] {
                let fields: Fields = [
                    ("first_name", first),
                    ("last_name", "\u{1b}[2JSmith"),
                    ("company", "Acme\rEvil"),
                    ("city", "evil\u{202E}txt.exe"),
                ]
                .into_iter()
                .map(|(k, v)| (k.to_string(), v.to_string()))
                .collect();
                let rec = NewRecord {
                    object: "contact".into(),
                    key: RecordKey::new(source, "1"),
                    fields,
                    created: None,
                    updated: None,
                };
                refs.push(tx.upsert_record(b, &rec)?.1);
            }
            let c = NewCandidate {
                object: "contact".into(),
                members: refs,
                score: 0.9,
                origin: "test".into(),
                reasons: vec![],
            };
            tx.upsert_candidate(Some(b), "2026-05-02T09:00:00Z", &c)?;
            Ok(())
        })
        .unwrap();
}

#[test]
fn hostile_field_values_stay_text_in_a_real_terminal() {
    if Command::new("tmux").arg("-V").output().is_err() {
        eprintln!("SKIPPED: tmux is not installed (CI installs it; apt-get install tmux)");
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("hazards.mergeq");
    hazard_workspace(&db);
    let nanos = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).unwrap().subsec_nanos();
    let tmux = Tmux { socket: format!("mergeq-test-{}-{nanos}", std::process::id()) };
    let command = format!(
        "MERGEQ_DB='{}' MERGEQ_STEWARD=tester MERGEQ_NOW=2026-05-02T10:00:00Z TERM=xterm-256color '{}' review; echo EXIT=$?; sleep 60",
        db.display(),
        env!("CARGO_BIN_EXE_mergeq")
    );
    let out = tmux.run(&["new-session", "-d", "-s", "t", "-x", "100", "-y", "30", &command]);
    assert!(out.status.success(), "tmux new-session: {}", String::from_utf8_lossy(&out.stderr));
    let title_before = tmux.title();

    // The queue shows the name with markers.
    tmux.wait_for_all(&["of 1 decided", "Eve␛]0;pwned␇", "pending"]);
    assert_eq!(tmux.pane("alternate_on"), "1", "the console draws on the alternate screen");
    assert_eq!(tmux.pane("mouse_any_flag"), "1", "the console captures the mouse");

    tmux.keys(&["Enter"]);
    // Every hostile value shows as markers (waiting for them all: a frame can be caught half drawn).
    let review =
        tmux.wait_for_all(&["golden", "␛]0;pwned␇", "␛[2JSmith", "Acme␍Evil", "evil⟨U+202E⟩txt.exe"]);
    assert!(review.contains("#1 contact"), "the screen was not cleared by a value:\n{review}");
    assert_eq!(tmux.title(), title_before, "a field value changed the pane title");
    assert!(!tmux.title().contains("pwned"));

    // A smaller terminal: the console redraws to fit.
    assert!(tmux.run(&["resize-window", "-t", "t", "-x", "80", "-y", "24"]).status.success());
    let small = tmux.wait_for_all(&["0/1 decided", "golden", "last_name", "pick"]);
    assert!(small.lines().all(|l| l.chars().count() <= 80), "{small}");
    assert!(small.contains("golden"), "{small}");

    // Approving writes the decision, then (no pending candidate left) the queue comes back.
    tmux.keys(&["a"]);
    tmux.wait_for_all(&["#1 approved", "no pending candidates left", "1 of 1 decided · 1 merged"]);

    tmux.keys(&["q"]);
    let done = tmux.wait_for("EXIT=");
    assert!(done.contains("EXIT=0"), "mergeq review exited badly:\n{done}");
    assert_eq!(tmux.title(), title_before);
    assert_eq!(tmux.pane("alternate_on"), "0", "the main screen is back");
    assert_eq!(tmux.pane("mouse_any_flag"), "0", "mouse capture is off again");
    let store = Store::open_existing(&db).unwrap();
    assert!(store.ui_state("tester").unwrap().is_some(), "quitting saved the position");
    assert_eq!(store.candidate(CandidateId(1)).unwrap().unwrap().status, Status::Approved);
    let mut actions = Vec::new();
    store
        .scan_journal(1, |e| {
            actions.push((e.action, e.steward, e.candidate));
            Ok(())
        })
        .unwrap();
    assert_eq!(actions, [("approve".to_string(), "tester".to_string(), Some(1))]);
}

/// `SIGTERM` or `SIGHUP` (an admin's kill, a closed terminal window) end the console as a quit
/// does: the terminal given back (main screen, mouse reporting off), the place and the undecided
/// picks saved for the next console, the exit status the signal's (128 + its number).
#[test]
fn a_termination_signal_gives_the_terminal_back_and_keeps_the_place() {
    if Command::new("tmux").arg("-V").output().is_err() {
        eprintln!("SKIPPED: tmux is not installed (CI installs it; apt-get install tmux)");
        return;
    }
    for (signal, number) in [("TERM", 15), ("HUP", 1)] {
        let dir = tempfile::tempdir().unwrap();
        let db = dir.path().join("hazards.mergeq");
        hazard_workspace(&db);
        let pid_file = dir.path().join("pid");
        let nanos =
            std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).unwrap().subsec_nanos();
        let tmux = Tmux { socket: format!("mergeq-test-{}-{nanos}", std::process::id()) };
        // The inner shell writes its pid and becomes mergeq (`exec`): that pid is mergeq's.
        let command = format!(
            "MERGEQ_DB='{}' MERGEQ_STEWARD=tester TERM=xterm-256color sh -c 'echo $$ > {}; exec {} review'; echo EXIT=$?; sleep 60",
            db.display(),
            pid_file.display(),
            env!("CARGO_BIN_EXE_mergeq")
        );
        let out = tmux.run(&["new-session", "-d", "-s", "t", "-x", "100", "-y", "30", &command]);
        assert!(out.status.success(), "tmux new-session: {}", String::from_utf8_lossy(&out.stderr));
        tmux.wait_for("of 1 decided");
        // A pick not decided yet: the company from record 2.
        tmux.keys(&["Enter"]);
        tmux.wait_for("golden");
        tmux.keys(&["j", "2"]);
        tmux.wait_for("company taken from");
        assert_eq!(tmux.pane("alternate_on"), "1");
        let pid = std::fs::read_to_string(&pid_file).unwrap().trim().to_string();
        assert!(Command::new("kill").args([&format!("-{signal}"), &pid]).status().unwrap().success());
        let done = tmux.wait_for("EXIT=");
        assert!(done.contains(&format!("EXIT={}", 128 + number)), "{signal}:\n{done}");
        assert!(done.contains(&format!("ended by SIG{signal}; your place is kept")), "{done}");
        assert_eq!(tmux.pane("alternate_on"), "0", "{signal}: the main screen is back");
        assert_eq!(tmux.pane("mouse_any_flag"), "0", "{signal}: mouse reporting is off again");
        let store = Store::open_existing(&db).unwrap();
        let saved: serde_json::Value =
            serde_json::from_str(&store.ui_state("tester").unwrap().expect("the place is saved")).unwrap();
        assert_eq!(saved["open"], 1, "{signal}: {saved}");
        assert_eq!(saved["draft"]["candidate"], 1, "{signal}: the pick is kept: {saved}");
    }
}

/// A closed terminal window (tmux kills the pane: a hang-up, the terminal gone): the console still
/// saves the place and the undecided pick, and ends.
#[test]
fn a_closed_terminal_still_saves_the_place() {
    if Command::new("tmux").arg("-V").output().is_err() {
        eprintln!("SKIPPED: tmux is not installed (CI installs it; apt-get install tmux)");
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("hazards.mergeq");
    hazard_workspace(&db);
    let pid_file = dir.path().join("pid");
    let nanos = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).unwrap().subsec_nanos();
    let tmux = Tmux { socket: format!("mergeq-test-{}-{nanos}", std::process::id()) };
    let command = format!(
        "MERGEQ_DB='{}' MERGEQ_STEWARD=tester TERM=xterm-256color sh -c 'echo $$ > {}; exec {} review'",
        db.display(),
        pid_file.display(),
        env!("CARGO_BIN_EXE_mergeq")
    );
    // A first window keeps the server up once the console's pane is killed; made first, so that
    // the server is up whatever the console does (a console ending early is then a failure to
    // wait for, with its pane shown, not a tmux error). `t:` is the session: the next free index
    // (a bare `t` can resolve to window 0 and fail with "index 0 in use").
    let out = tmux.run(&["new-session", "-d", "-s", "t", "-x", "100", "-y", "30", "sleep 120"]);
    assert!(out.status.success(), "tmux new-session: {}", String::from_utf8_lossy(&out.stderr));
    let out = tmux.run(&["new-window", "-t", "t:", "-n", "console", &command]);
    assert!(out.status.success(), "tmux new-window: {}", String::from_utf8_lossy(&out.stderr));
    tmux.wait_for("of 1 decided");
    tmux.keys(&["Enter"]);
    tmux.wait_for("golden");
    tmux.keys(&["j", "2"]);
    tmux.wait_for("company taken from");
    let pid = std::fs::read_to_string(&pid_file).unwrap().trim().to_string();
    assert!(tmux.run(&["kill-pane", "-t", "t:console"]).status.success());
    let start = Instant::now();
    while Command::new("kill").args(["-0", &pid]).output().unwrap().status.success() {
        assert!(
            start.elapsed() < Duration::from_secs(15),
            "mergeq still runs 15 s after its terminal closed"
        );
        std::thread::sleep(Duration::from_millis(50));
    }
    let store = Store::open_existing(&db).unwrap();
    let saved: serde_json::Value =
        serde_json::from_str(&store.ui_state("tester").unwrap().expect("the place is saved")).unwrap();
    assert_eq!(saved["draft"]["candidate"], 1, "the pick is kept: {saved}");
}
