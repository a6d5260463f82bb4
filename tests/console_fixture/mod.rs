//! Fixture workspaces for the console's tests: a handful of contact and account candidates with
//! the awkward parts a steward meets (near-identical names, a 4-record cluster, a record changed
//! since it was proposed, escape sequences in a value).
#![allow(dead_code)]

use mergeq::model::{Fields, Reason, RecordKey};
use mergeq::store::{NewBatch, NewCandidate, NewRecord, RecordRef, Store};
use mergeq::tui::effects::Workspace;
use mergeq::tui::view::theme::Theme;
use mergeq::tui::Console;
use std::cell::RefCell;
use std::rc::Rc;
use std::time::{Duration, Instant};

pub const AT: &str = "2026-05-02T09:00:00Z";

pub fn fixed_clock() -> String {
    AT.to_string()
}

fn fields(pairs: &[(&str, &str)]) -> Fields {
    pairs.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect()
}

fn batch(tx: &mergeq::store::Tx, kind: &str) -> anyhow::Result<mergeq::store::BatchId> {
    tx.begin_batch(&NewBatch::new(kind, "fixture", "csv", AT, "fixture"))
}

struct Rec<'a> {
    object: &'a str,
    key: (&'a str, &'a str),
    fields: &'a [(&'a str, &'a str)],
    created: &'a str,
    updated: &'a str,
}

fn add(tx: &mergeq::store::Tx, b: mergeq::store::BatchId, r: &Rec) -> anyhow::Result<RecordRef> {
    let rec = NewRecord {
        object: r.object.into(),
        key: RecordKey::new(r.key.0, r.key.1),
        fields: fields(r.fields),
        created: Some(r.created.into()),
        updated: Some(r.updated.into()),
    };
    Ok(tx.upsert_record(b, &rec)?.1)
}

fn reason(field: &str, text: &str) -> Reason {
    Reason { field: field.into(), text: text.into(), values: None, level: None, weight: None }
}

/// Writes the fixture records and candidates into `store`.
pub fn fill(store: &mut Store) {
    store
        .write(|tx| {
            let b = batch(tx, "records")?;
            let jane_sf = add(
                tx,
                b,
                &Rec {
                    object: "contact",
                    key: ("salesforce", "0035g00000AbC"),
                    fields: &[
                        ("first_name", "Jane"),
                        ("last_name", "Doe"),
                        ("email", "jane.doe@acme.com"),
                        ("phone", "+1 415 555 0100"),
                        ("company", "Acme Corp"),
                        ("city", "San Francisco"),
                    ],
                    created: "2023-03-14T10:00:00Z",
                    updated: "2026-04-30T16:20:00Z",
                },
            )?;
            let jane_hs = add(
                tx,
                b,
                &Rec {
                    object: "contact",
                    key: ("hubspot", "5102"),
                    fields: &[
                        ("first_name", "Jane"),
                        ("last_name", "Doe-Smith"),
                        ("email", "jane.doe@acme.com"),
                        ("phone", "(415) 555-0100"),
                        ("company", "ACME Corporation"),
                        ("city", "San Francisco"),
                        ("lifecycle", "customer"),
                    ],
                    created: "2024-01-09T08:00:00Z",
                    updated: "2026-05-01T11:00:00Z",
                },
            )?;
            let jon = add(
                tx,
                b,
                &Rec {
                    object: "contact",
                    key: ("salesforce", "0035g00000XyZ"),
                    fields: &[
                        ("first_name", "Jon"),
                        ("last_name", "Smith"),
                        ("email", "jon@smith.io"),
                        ("title", "VP Sales\u{1b}[2J"),
                    ],
                    created: "2022-07-01T00:00:00Z",
                    updated: "2025-12-01T00:00:00Z",
                },
            )?;
            let john = add(
                tx,
                b,
                &Rec {
                    object: "contact",
                    key: ("webform", "f-881"),
                    fields: &[
                        ("first_name", "John"),
                        ("last_name", "Smith"),
                        ("email", "john.smith@smith.io"),
                    ],
                    created: "2026-02-11T00:00:00Z",
                    updated: "2026-02-11T00:00:00Z",
                },
            )?;
            let mut globex = Vec::new();
            for (source, id, name, domain, phone, city) in [
                (
                    "salesforce",
                    "0015g00001Glx",
                    "Globex Corporation",
                    "globex.com",
                    "+1 212 555 0199",
                    "New York",
                ),
                ("hubspot", "7731", "Globex Corp", "globex.com", "212-555-0199", "New York"),
                ("webform", "f-902", "GLOBEX", "globex.com", "", "NYC"),
                (
                    "enrichment",
                    "dnb-55",
                    "Globex Corporation Inc.",
                    "globex.com",
                    "+1 212 555 0100",
                    "New York",
                ),
            ] {
                let mut f: Vec<(&str, &str)> = vec![("name", name), ("domain", domain), ("city", city)];
                if !phone.is_empty() {
                    f.push(("phone", phone));
                }
                globex.push(add(
                    tx,
                    b,
                    &Rec {
                        object: "account",
                        key: (source, id),
                        fields: &f,
                        created: "2021-05-05T00:00:00Z",
                        updated: "2026-03-03T00:00:00Z",
                    },
                )?);
            }
            let cands: Vec<(&str, Vec<RecordRef>, f64, Vec<Reason>)> = vec![
                (
                    "contact",
                    vec![jane_sf, jane_hs],
                    0.97,
                    vec![
                        reason("email", "same address"),
                        reason("last_name", "Doe / Doe-Smith, Jaro-Winkler 0.91"),
                    ],
                ),
                ("account", globex, 0.88, vec![reason("domain", "same registrable domain globex.com")]),
                (
                    "contact",
                    vec![jon, john],
                    0.74,
                    vec![reason("", "same company domain smith.io, names close")],
                ),
            ];
            for (object, members, score, reasons) in cands {
                tx.upsert_candidate(
                    Some(b),
                    AT,
                    &NewCandidate { object: object.into(), members, score, origin: "detect".into(), reasons },
                )?;
            }
            Ok(())
        })
        .unwrap();
    // A later import changes Jon's record: the queue marks his candidate as changed.
    store
        .write(|tx| {
            let b = batch(tx, "records")?;
            add(
                tx,
                b,
                &Rec {
                    object: "contact",
                    key: ("salesforce", "0035g00000XyZ"),
                    fields: &[
                        ("first_name", "Jon"),
                        ("last_name", "Smith"),
                        ("email", "jon@smith.io"),
                        ("title", "VP Sales\u{1b}[2J"),
                        ("phone", "555 0142"),
                    ],
                    created: "2022-07-01T00:00:00Z",
                    updated: "2026-04-20T00:00:00Z",
                },
            )?;
            Ok(())
        })
        .unwrap();
}

fn compared(field: &str, text: &str, values: (&str, &str), weight: f64) -> Reason {
    let level = if values.0.is_empty() || values.1.is_empty() { -1 } else { 0 };
    Reason {
        field: field.into(),
        text: text.into(),
        values: Some((values.0.into(), values.1.into())),
        level: Some(level),
        weight: Some(weight),
    }
}

/// The reasons `mergeq detect` gives a pair, per compared field and stored in field order: a long
/// one (place evidence), one against, values missing on one side, one value with an escape
/// sequence and a pair of values too long for one line.
pub fn detection_reasons() -> Vec<Reason> {
    vec![
        Reason { weight: Some(40.16), ..Reason::text("match probability 1.0000; blocked on Email") },
        compared(
            "Company",
            "exact (+11.47, -4.98 as family name, address, company agree together: non-duplicates share \
             them 31× as often as by chance)",
            ("vertex granite partners", "vertex granite partners"),
            6.49,
        ),
        compared("Email", "exact", ("williams@vertexgranitep.com", "williams@vertexgranitep.com"), 15.12),
        compared("FirstName", "Jaro-Winkler ≥ 0.92", ("kathy", "kathryn"), 4.21),
        compared("LastName", "exact", ("williams", "williams"), 9.8),
        compared(
            "MailingCity",
            "exact (+4.17, not counted: place evidence counts once per facet)",
            ("denver", "denver"),
            0.0,
        ),
        compared("MailingCountry", "missing on one side", ("", "us"), 0.0),
        compared(
            "MailingStreet",
            "Jaro-Winkler ≥ 0.90",
            ("1200 seventeenth street suite 2400 republic plaza tower two", "1200 17th st ste 2400"),
            2.1,
        ),
        compared("Phone", "one digit off", ("+13035550148", "+13035550149"), 5.91),
        compared("Title", "different", ("head of ops\u{1b}[31m", "vp operations"), -1.37),
    ]
}

/// Adds a contact pair proposed by detection, with `detection_reasons()`, scored above every other
/// candidate (so it is the queue's first row).
pub fn add_detected(store: &mut Store) {
    store
        .write(|tx| {
            let b = batch(tx, "records")?;
            let sf = add(
                tx,
                b,
                &Rec {
                    object: "contact",
                    key: ("salesforce", "0035g00000VgP"),
                    fields: &[
                        ("FirstName", "Kathy"),
                        ("LastName", "Williams"),
                        ("Email", "williams@vertexgranitep.com"),
                        ("Company", "Vertex Granite Partners"),
                        ("MailingStreet", "1200 Seventeenth Street, Suite 2400, Republic Plaza Tower Two"),
                        ("MailingCity", "Denver"),
                        ("Phone", "+1 303 555 0148"),
                        ("Title", "Head of Ops\u{1b}[31m"),
                    ],
                    created: "2024-06-01T00:00:00Z",
                    updated: "2026-01-15T00:00:00Z",
                },
            )?;
            let hs = add(
                tx,
                b,
                &Rec {
                    object: "contact",
                    key: ("hubspot", "88120"),
                    fields: &[
                        ("FirstName", "Kathryn"),
                        ("LastName", "Williams"),
                        ("Email", "williams@vertexgranitep.com"),
                        ("Company", "Vertex Granite Partners"),
                        ("MailingStreet", "1200 17th St Ste 2400"),
                        ("MailingCity", "Denver"),
                        ("MailingCountry", "US"),
                        ("Phone", "303-555-0149"),
                        ("Title", "VP Operations"),
                    ],
                    created: "2025-02-20T00:00:00Z",
                    updated: "2026-04-02T00:00:00Z",
                },
            )?;
            let reasons = detection_reasons();
            let new = NewCandidate {
                object: "contact".into(),
                members: vec![sf, hs],
                score: 0.99,
                origin: "detect".into(),
                reasons,
            };
            tx.upsert_candidate(Some(b), AT, &new)?;
            Ok(())
        })
        .unwrap();
}

/// A fixture workspace in memory.
pub fn store() -> Store {
    let mut store = Store::in_memory().unwrap();
    fill(&mut store);
    store
}

/// A steward's pace: each action a second after the one before, so that a decision key is never
/// one pressed on a candidate before it could be seen (`App::just_decided`).
pub fn paced() -> Box<dyn FnMut() -> Instant> {
    let mut at = Instant::now();
    Box::new(move || {
        at += Duration::from_secs(1);
        at
    })
}

/// A clock that moves only when the test moves it (`*at.borrow_mut() += …`).
pub fn held(at: &Rc<RefCell<Instant>>) -> Box<dyn FnMut() -> Instant> {
    let at = at.clone();
    Box::new(move || *at.borrow())
}

/// A console over `store` at this size, with the fixed clock, the colour theme and a steward's
/// pace.
pub fn console(store: Store, size: (u16, u16)) -> Console {
    let mut ws = Workspace::new(store, "ann");
    ws.clock = fixed_clock;
    let mut console = Console::open(ws, "fixture.mergeq", size, Theme::COLOR);
    console.clock = paced();
    console
}
