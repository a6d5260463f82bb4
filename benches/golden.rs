//! Benchmark (issue 3): golden records for 1,000,000 pair candidates with 20 fields each, computed
//! under the built-in contact rules and streamed as JSON Lines to a sink, on all cores (rayon).
//!
//! `cargo bench --bench golden` prints the wall time of each run and the median. The members are
//! generated in memory before timing starts: 100,000 distinct generated pairs (duplicates with
//! realistic differences: case, blanks, a second phone, an invalid email, newer titles, tags,
//! counters, missing timestamps), cycled to make 1,000,000 candidates. What is timed is the
//! survivorship engine plus JSON serialisation plus writing, in candidate order.
//! Each run also prints the CPU seconds the process used: on a machine shared with other work the
//! wall time includes waiting for a core, and CPU ÷ 2 is what two free cores would need.
//! Environment: GOLDEN_BENCH_CANDIDATES (default 1000000), GOLDEN_BENCH_RUNS (default 5),
//! GOLDEN_BENCH_OWNED=1 to measure `suggest` (owned `model::Golden`) + serde_json instead of
//! `suggest_view` + `GoldenView::write_json`.

use mergeq::model::{Fields, Record, RecordKey};
use mergeq::survivorship::{suggest, suggest_view, Rules};
use rayon::prelude::*;
use std::io::Write;
use std::time::{Duration, Instant};

const DISTINCT_PAIRS: usize = 100_000;
/// Candidates handed to the thread pool at a time; their output is written in order before the next.
const BATCH: usize = 16_384;
const CHUNK: usize = 1_024;

/// A small deterministic generator (64-bit LCG), so every run sees the same data.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_mul(6364136223846793005).wrapping_add(1442695040888963407);
        self.0 >> 33
    }
    fn below(&mut self, n: u64) -> u64 {
        self.next() % n
    }
    fn chance(&mut self, percent: u64) -> bool {
        self.below(100) < percent
    }
    fn pick<'a>(&mut self, items: &[&'a str]) -> &'a str {
        items[self.below(items.len() as u64) as usize]
    }
}

const FIRST: &[&str] = &["Ann", "Bob", "Chen", "Dana", "Élodie", "Farid", "Grace", "Hiro", "Ines", "Jon"];
const LAST: &[&str] = &["Lee", "Smith", "Müller", "Okafor", "García", "Nguyen", "Kowalski", "Rossi"];
const COMPANY: &[&str] =
    &["Acme Corp", "Globex", "Initech", "Umbrella GmbH", "Stark Industries", "Wayne Ltd"];
const TITLE: &[&str] = &["VP Sales", "CTO", "Buyer", "Head of Ops", "Analyst", "Chief Revenue Officer"];
const CITY: &[&str] = &["Springfield", "Berlin", "Lyon", "Osaka", "Leeds", "Austin", "Porto"];
const COUNTRY: &[&str] = &["US", "DE", "FR", "JP", "GB", "PT"];
const INDUSTRY: &[&str] = &["Manufacturing", "Software", "Retail", "Finance", "Healthcare"];
const TAGS: &[&str] = &["vip", "newsletter", "webinar", "partner", "event-2026", "trial"];
const SOURCES: &[&str] = &["salesforce", "hubspot", "webform", "enrichment"];

fn stamp(rng: &mut Rng) -> String {
    format!(
        "20{:02}-{:02}-{:02}T{:02}:{:02}:00Z",
        18 + rng.below(9),
        1 + rng.below(12),
        1 + rng.below(28),
        rng.below(24),
        rng.below(60)
    )
}

/// One entity as two records that a matcher would pair: 20 fields each, with differences.
fn pair(e: usize, rng: &mut Rng) -> [Record; 2] {
    let first = rng.pick(FIRST);
    let last = rng.pick(LAST);
    let company = rng.pick(COMPANY);
    let domain = company.split(' ').next().unwrap_or("acme").to_lowercase();
    let email = format!("{}.{}{e}@{domain}.com", first.to_lowercase(), last.to_lowercase());
    let base: Vec<(&str, String)> = vec![
        ("first_name", first.to_string()),
        ("last_name", last.to_string()),
        ("email", email.clone()),
        ("phone", format!("+1 415 555 {:04}", rng.below(10_000))),
        ("mobile", format!("+1 650 555 {:04}", rng.below(10_000))),
        ("title", rng.pick(TITLE).to_string()),
        ("company", company.to_string()),
        ("street", format!("{} Main St", 1 + rng.below(500))),
        ("city", rng.pick(CITY).to_string()),
        ("postcode", format!("{:05}", rng.below(100_000))),
        ("country", rng.pick(COUNTRY).to_string()),
        ("owner", format!("005A{:06}", rng.below(1_000_000))),
        ("tags", format!("{};{}", rng.pick(TAGS), rng.pick(TAGS))),
        ("form_submissions", rng.below(20).to_string()),
        ("lead_source", rng.pick(&["Web", "Trade show", "Referral", "Webinar"]).to_string()),
        ("website", format!("https://www.{domain}.com")),
        ("industry", rng.pick(INDUSTRY).to_string()),
        ("department", rng.pick(&["Sales", "IT", "Ops", "Finance"]).to_string()),
        ("employees", (10 + rng.below(5000)).to_string()),
        ("linkedin_url", format!("https://linkedin.com/in/{}-{e}", first.to_lowercase())),
    ];
    let (sa, sb) = (rng.below(2) as usize, 1 + rng.below(3) as usize);
    let make = |source: &str, variant: bool, rng: &mut Rng| {
        let mut fields = Fields::new();
        for (name, value) in &base {
            let value = if !variant {
                if rng.chance(5) {
                    continue;
                }
                value.clone()
            } else if rng.chance(10) {
                continue; // a blank cell
            } else if rng.chance(15) {
                match *name {
                    "email" => value.replace('@', " at "),
                    "phone" | "mobile" => format!("+1 212 555 {:04}", rng.below(10_000)),
                    "title" => rng.pick(TITLE).to_string(),
                    "tags" => format!("{};{}", rng.pick(TAGS), value.to_uppercase()),
                    "form_submissions" => rng.below(9).to_string(),
                    "company" | "city" => value.to_uppercase(),
                    "street" => value.replace("St", "Street"),
                    _ => format!("{value} "),
                }
            } else {
                value.clone()
            };
            fields.insert(name.to_string(), value);
        }
        Record {
            object: "contact".into(),
            key: RecordKey::new(source, format!("{e}-{}", variant as u8)),
            fields,
            created: (!rng.chance(10)).then(|| stamp(rng)),
            updated: (!rng.chance(20)).then(|| stamp(rng)),
            version: 1,
        }
    };
    [make(SOURCES[sa], false, rng), make(SOURCES[sb], true, rng)]
}

/// Counts what is written (and keeps the writes from being optimised away).
struct CountingSink {
    bytes: u64,
    /// Lines, counted by the producer (scanning 3 GB for newlines would time the sink, not us).
    lines: u64,
}

impl Write for CountingSink {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.bytes += buf.len() as u64;
        Ok(buf.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

/// One streamed line: the candidate number and its golden record (fields with value, lineage as
/// `source:id`, rule, explanation and conflict; the survivor and its reason).
#[derive(serde::Serialize)]
struct Line<'a, G: serde::Serialize> {
    candidate: usize,
    golden: &'a G,
}

/// Which engine entry point a run measures.
#[derive(Clone, Copy, PartialEq)]
enum Path {
    /// `suggest_view`: the borrowing form a streaming export serialises.
    View,
    /// `suggest`: the owned `model::Golden` the console and journal keep.
    Owned,
}

fn write_line(buf: &mut Vec<u8>, rules: &Rules, members: &[Record], k: usize, path: Path) -> usize {
    let conflicts = match path {
        Path::View => {
            // The same line as `Line` serialised by serde_json, written by `GoldenView::write_json`.
            let golden = suggest_view(rules, "contact", members);
            buf.extend_from_slice(b"{\"candidate\":");
            buf.extend_from_slice(k.to_string().as_bytes());
            buf.extend_from_slice(b",\"golden\":");
            golden.write_json(buf);
            buf.push(b'}');
            golden.fields.iter().filter(|(_, v)| v.conflict).count()
        }
        Path::Owned => {
            let golden = suggest(rules, "contact", members);
            serde_json::to_writer(&mut *buf, &Line { candidate: k, golden: &golden }).expect("serialises");
            golden.conflicts()
        }
    };
    buf.push(b'\n');
    conflicts
}

/// Computes and streams golden records for `n` candidates; returns the sink's counts.
/// Each batch is split into chunks computed in parallel into reused buffers, then written in order.
fn run(rules: &Rules, pairs: &[[Record; 2]], n: usize, path: Path) -> CountingSink {
    let mut sink = CountingSink { bytes: 0, lines: 0 };
    let mut buffers: Vec<(Vec<u8>, usize)> = (0..BATCH / CHUNK).map(|_| (Vec::new(), 0)).collect();
    let mut conflicts = 0usize;
    for start in (0..n).step_by(BATCH) {
        buffers.par_iter_mut().enumerate().for_each(|(j, (buf, conflicts))| {
            buf.clear();
            *conflicts = 0;
            let from = start + j * CHUNK;
            for k in from..(from + CHUNK).min(n) {
                *conflicts += write_line(buf, rules, &pairs[k % pairs.len()], k, path);
            }
        });
        for (buf, c) in &buffers {
            sink.write_all(buf).expect("sink");
            conflicts += c;
        }
        sink.lines += ((start + BATCH).min(n) - start) as u64;
    }
    std::hint::black_box(conflicts);
    sink
}

/// CPU seconds this process has used (user + system), from /proc (Linux's 100 ticks a second):
/// on a shared machine it tells how much of the wall time was this benchmark's own work.
fn cpu_seconds() -> Option<f64> {
    let stat = std::fs::read_to_string("/proc/self/stat").ok()?;
    let after_name = &stat[stat.rfind(')')? + 2..];
    let fields: Vec<&str> = after_name.split_whitespace().collect();
    let ticks: f64 = fields.get(11)?.parse::<f64>().ok()? + fields.get(12)?.parse::<f64>().ok()?;
    Some(ticks / 100.0)
}

fn env_number(name: &str, default: usize) -> usize {
    std::env::var(name).ok().and_then(|v| v.parse().ok()).unwrap_or(default)
}

fn main() {
    let n = env_number("GOLDEN_BENCH_CANDIDATES", 1_000_000);
    let runs = env_number("GOLDEN_BENCH_RUNS", 5).max(1);
    let rules = Rules::builtin();
    let mut rng = Rng(0x5eed);
    let pairs: Vec<[Record; 2]> = (0..DISTINCT_PAIRS.min(n)).map(|e| pair(e, &mut rng)).collect();
    let fields = pairs[0][0].fields.len().max(pairs[0][1].fields.len());
    println!(
        "golden: {n} pair candidates ({} distinct pairs, up to {fields} fields each), {} threads",
        pairs.len(),
        rayon::current_num_threads()
    );
    let path =
        if std::env::var("GOLDEN_BENCH_OWNED").is_ok_and(|v| v == "1") { Path::Owned } else { Path::View };
    let mut sample = Vec::new();
    write_line(&mut sample, &rules, &pairs[0], 0, path);
    print!("sample line: {}", String::from_utf8_lossy(&sample));
    println!(
        "measuring {}",
        if path == Path::View {
            "suggest_view + GoldenView::write_json (streaming form)"
        } else {
            "suggest (owned model::Golden) + serde_json"
        }
    );
    let load = std::fs::read_to_string("/proc/loadavg").unwrap_or_default();
    println!("load average before the runs: {}", load.trim());
    let mut times: Vec<Duration> = Vec::new();
    for i in 1..=runs {
        let cpu_before = cpu_seconds();
        let started = Instant::now();
        let sink = run(&rules, &pairs, n, path);
        let took = started.elapsed();
        let cpu = cpu_seconds().zip(cpu_before).map(|(after, before)| after - before);
        assert_eq!(sink.lines, n as u64);
        println!(
            "run {i}: {:.3} s wall, {} CPU  ({:.0} candidates/s, {:.1} MB of JSON Lines)",
            took.as_secs_f64(),
            cpu.map(|c| format!("{c:.2} s")).unwrap_or_else(|| "?".into()),
            n as f64 / took.as_secs_f64(),
            sink.bytes as f64 / 1e6
        );
        times.push(took);
    }
    let load = std::fs::read_to_string("/proc/loadavg").unwrap_or_default();
    println!("load average after the runs (other work on this machine): {}", load.trim());
    times.sort();
    let median = times[times.len() / 2];
    println!("median of {runs}: {:.3} s for {n} candidates (target: under 10 s)", median.as_secs_f64());
}
