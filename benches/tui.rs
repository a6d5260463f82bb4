//! The console on a generated 1,000,000-candidate workspace: time to first frame, key press to
//! drawn frame (move, open, approve, undo) and resident memory. Prints figures; run with
//! `cargo bench --bench tui` (MERGEQ_BENCH_CANDIDATES changes the size). The workspace is
//! generated once, by a child process (so its memory is not counted), under target/bench/.

use mergeq::model::Fields;
use mergeq::store::{BulkPair, BulkRecord, Store};
use mergeq::tui::effects::Workspace;
use mergeq::tui::view::{self, theme::Theme};
use mergeq::tui::Console;
use ratatui::backend::TestBackend;
use ratatui::crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use ratatui::Terminal;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

const SIZE: (u16, u16) = (120, 40);
const AT: &str = "2026-05-02T09:00:00Z";

/// A small deterministic generator (xorshift64*), so every run builds the same workspace.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }
    fn pick<'a>(&mut self, list: &[&'a str]) -> &'a str {
        list[(self.next() % list.len() as u64) as usize]
    }
}

const FIRST: [&str; 12] =
    ["Jane", "John", "Maria", "Ahmed", "Wei", "Olga", "Luis", "Aiko", "Sam", "Priya", "Tom", "Zoë"];
const LAST: [&str; 12] = [
    "Doe", "Smith", "García", "Khan", "Chen", "Ivanova", "Silva", "Tanaka", "Lee", "Patel", "Brown", "Müller",
];
const COMPANY: [&str; 8] =
    ["Acme Corp", "Globex", "Initech", "Umbrella", "Hooli", "Stark Ind.", "Wayne Ent.", "Vandelay"];
const CITY: [&str; 6] = ["New York", "Berlin", "São Paulo", "Tokyo", "Lagos", "Paris"];

fn pair(i: u64, rng: &mut Rng) -> BulkPair {
    let (first, last, company, city) =
        (rng.pick(&FIRST), rng.pick(&LAST), rng.pick(&COMPANY), rng.pick(&CITY));
    let email = format!("{}.{}{i}@example.com", first.to_lowercase(), last.to_lowercase());
    let left: Fields = [
        ("first_name", first.to_string()),
        ("last_name", last.to_string()),
        ("email", email.clone()),
        ("company", company.to_string()),
        ("city", city.to_string()),
        ("phone", format!("+1 415 555 {:04}", i % 10_000)),
    ]
    .into_iter()
    .map(|(k, v)| (k.to_string(), v))
    .collect();
    let mut right = left.clone();
    right.insert("last_name".into(), format!("{last}-{}", rng.pick(&LAST)));
    right.insert("phone".into(), format!("(415) 555-{:04}", i % 10_000));
    let record = |source: &str, fields: Fields| BulkRecord {
        source: source.into(),
        id: format!("{i:08}"),
        fields,
        created: "2024-01-01T00:00:00Z".into(),
        updated: "2026-01-01T00:00:00Z".into(),
    };
    let score = 0.5 + (rng.next() % 5000) as f64 / 10_000.0;
    BulkPair { left: record("salesforce", left), right: record("hubspot", right), score }
}

fn generate(path: &Path, n: u64) {
    let started = Instant::now();
    let mut store = Store::open(path).expect("creating the benchmark workspace");
    let mut rng = Rng(0x9E37_79B9_7F4A_7C15);
    let made = store.bulk_pairs("contact", AT, (0..n).map(|i| pair(i, &mut rng))).expect("bulk insert");
    println!("generated {made} candidates in {:.1} s", started.elapsed().as_secs_f64());
}

fn key(c: char) -> KeyEvent {
    let code = match c {
        '\n' => KeyCode::Enter,
        '\u{1b}' => KeyCode::Esc,
        c => KeyCode::Char(c),
    };
    KeyEvent::new(code, KeyModifiers::NONE)
}

fn open(path: &Path) -> (Console, Terminal<TestBackend>) {
    let store = Store::open_existing(path).expect("opening the benchmark workspace");
    let mut console = Console::open(Workspace::new(store, "bench"), "bench.mergeq", SIZE, Theme::COLOR);
    // A steward's pace (a second between keys): a decision key right after a decision is
    // dropped as pressed before the next candidate could be seen, and would measure nothing.
    let mut at = Instant::now();
    console.clock = Box::new(move || {
        at += Duration::from_secs(1);
        at
    });
    let mut terminal = Terminal::new(TestBackend::new(SIZE.0, SIZE.1)).unwrap();
    terminal.draw(|f| view::draw(f, &console.app)).unwrap();
    (console, terminal)
}

/// Presses `k` and draws the frame; returns the time from the press to the drawn frame.
fn press(console: &mut Console, terminal: &mut Terminal<TestBackend>, k: char) -> Duration {
    let t = Instant::now();
    console.key(key(k));
    terminal.draw(|f| view::draw(f, &console.app)).unwrap();
    t.elapsed()
}

fn ms(d: Duration) -> String {
    format!("{:.2} ms", d.as_secs_f64() * 1000.0)
}

fn report(what: &str, mut times: Vec<Duration>) {
    times.sort();
    let at = |q: f64| times[((times.len() as f64 - 1.0) * q).round() as usize];
    println!(
        "{what:<28} n={:<4} median {:>9}  p99 {:>9}  max {:>9}",
        times.len(),
        ms(at(0.5)),
        ms(at(0.99)),
        ms(*times.last().unwrap())
    );
}

fn rss_kib(field: &str) -> u64 {
    let status = std::fs::read_to_string("/proc/self/status").unwrap_or_default();
    status
        .lines()
        .find(|l| l.starts_with(field))
        .and_then(|l| l.split_whitespace().nth(1))
        .and_then(|v| v.parse().ok())
        .unwrap_or(0)
}

fn main() {
    let n: u64 =
        std::env::var("MERGEQ_BENCH_CANDIDATES").ok().and_then(|v| v.parse().ok()).unwrap_or(1_000_000);
    if let Ok(path) = std::env::var("MERGEQ_BENCH_GENERATE") {
        generate(Path::new(&path), n);
        return;
    }
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("target/bench");
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join(format!("console-{n}.mergeq"));
    let fresh = dir.join(format!("console-{n}.pristine"));
    if !fresh.exists() {
        let _ = std::fs::remove_file(&path);
        let status = std::process::Command::new(std::env::current_exe().unwrap())
            .env("MERGEQ_BENCH_GENERATE", &path)
            .status()
            .expect("running the generator");
        assert!(status.success());
        std::fs::copy(&path, &fresh).unwrap();
    }
    // Every run starts from the same pristine workspace (decisions below change it).
    std::fs::copy(&fresh, &path).unwrap();
    for suffix in ["-wal", "-shm"] {
        let _ = std::fs::remove_file(dir.join(format!("console-{n}.mergeq{suffix}")));
    }
    println!(
        "workspace: {} ({} MB, {n} candidates)",
        path.display(),
        std::fs::metadata(&path).unwrap().len() >> 20
    );

    let mut first = Vec::new();
    for _ in 0..15 {
        let t = Instant::now();
        let (console, _terminal) = open(&path);
        first.push(t.elapsed());
        assert!(!console.app.queue.rows.is_empty());
    }
    report("first frame (open + draw)", first);

    let (mut console, mut terminal) = open(&path);
    report("move (j)", (0..1000).map(|_| press(&mut console, &mut terminal, 'j')).collect());
    report("page down (PgDn)", {
        (0..200)
            .map(|_| {
                let t = Instant::now();
                console.key(KeyEvent::new(KeyCode::PageDown, KeyModifiers::NONE));
                terminal.draw(|f| view::draw(f, &console.app)).unwrap();
                t.elapsed()
            })
            .collect()
    });
    let mut opens = Vec::new();
    let mut backs = Vec::new();
    for _ in 0..200 {
        press(&mut console, &mut terminal, 'j');
        opens.push(press(&mut console, &mut terminal, '\n'));
        backs.push(press(&mut console, &mut terminal, '\u{1b}'));
    }
    report("open (Enter)", opens);
    report("back to queue (Esc)", backs);

    press(&mut console, &mut terminal, '\n');
    let mut approves = Vec::new();
    for _ in 0..200 {
        approves.push(press(&mut console, &mut terminal, 'a'));
        if console.app.status.as_ref().is_some_and(|s| s.error) {
            println!("approve (a): not measured: {}", console.app.status.as_ref().unwrap().text);
            approves.clear();
            break;
        }
    }
    if !approves.is_empty() {
        report("approve (a) + next opens", approves);
        report("undo (u)", (0..200).map(|_| press(&mut console, &mut terminal, 'u')).collect());
    }
    println!("resident memory: now {} MB, peak {} MB", rss_kib("VmRSS:") / 1024, rss_kib("VmHWM:") / 1024);
}
