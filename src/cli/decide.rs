//! `mergeq decide`, `mergeq undo` and `mergeq combine`: the command-line face of `journal::decide`,
//! `journal::undo` and `import::combine`.

use super::{CombineArgs, Ctx, DecideArgs, UndoArgs, Verdict as CliVerdict};
use crate::journal::{self, DecisionRequest, Verdict};
use crate::model::{CandidateId, Choices, Golden, RecordKey};
use crate::store::Store;
use crate::survivorship::Rules;
use crate::text::visible;
use anyhow::Result;
use clap::CommandFactory;

/// A malformed option value is a usage error (exit 2), reported the way clap reports its own.
pub(super) fn usage_error(message: String) -> ! {
    super::Cli::command().error(clap::error::ErrorKind::InvalidValue, message).exit()
}

fn key(option: &str, text: &str) -> RecordKey {
    RecordKey::parse(text)
        .unwrap_or_else(|| usage_error(format!("{option} {text}: expected a record key SOURCE:ID")))
}

/// The steward's `--pick`, `--set` and `--survivor` as `Choices`. Two choices for one field
/// (`--pick F=…` and `--set F=…`, or either twice) are a usage error naming both: one would
/// silently win.
pub fn parse_choices(args: &DecideArgs) -> Choices {
    let mut choices = Choices::default();
    // Each field chosen so far, with the option that chose it as typed.
    let mut chosen: Vec<(String, String)> = Vec::new();
    let mut choose = |field: &str, option: String| {
        if let Some((_, first)) = chosen.iter().find(|(f, _)| f == field) {
            usage_error(format!(
                "{} and {} both choose the field `{}`: give one choice per field",
                visible(first),
                visible(&option),
                visible(field)
            ));
        }
        chosen.push((field.to_string(), option));
    };
    for pick in &args.pick {
        match pick.split_once('=') {
            Some((field, k)) if !field.is_empty() => {
                choose(field, format!("--pick {pick}"));
                choices.picks.push((field.to_string(), key("--pick", k)))
            }
            _ => usage_error(format!("--pick {pick}: expected FIELD=SOURCE:ID")),
        }
    }
    for set in &args.set {
        match set.split_once('=') {
            // `--set phone=` clears the field.
            Some((field, value)) if !field.is_empty() => {
                choose(field, format!("--set {set}"));
                choices.sets.push((field.to_string(), (!value.is_empty()).then(|| value.to_string())))
            }
            _ => usage_error(format!("--set {set}: expected FIELD=VALUE")),
        }
    }
    choices.survivor = args.survivor.as_deref().map(|s| key("--survivor", s));
    choices
}

pub fn decide(args: DecideArgs, ctx: &Ctx) -> Result<()> {
    let choices = parse_choices(&args);
    let verdict = match args.verdict {
        CliVerdict::Approve => Verdict::Approve,
        CliVerdict::Reject => Verdict::Reject,
        CliVerdict::Defer => Verdict::Defer,
    };
    let mut store = Store::open_existing(&ctx.db)?;
    let req = DecisionRequest {
        candidate: CandidateId(args.id),
        verdict,
        choices,
        note: args.note,
        seen: args.seen,
        status_seen: None,
        steward: ctx.steward.clone(),
        // Stamped below, once the write lock is held.
        at: String::new(),
        rules: std::sync::Arc::new(crate::survivorship::Rules::load(ctx.rules.as_deref())?),
    };
    // The time is read once the write lock is held: a decision waiting for another one's commit
    // is stamped after it.
    let out = store
        .write(|tx| journal::decide_in(tx, &DecisionRequest { at: crate::clock::now(), ..req.clone() }))?;
    eprintln!(
        "candidate {}: {} (was {}) on member versions {} — journal entry {}",
        out.candidate, out.status, out.status_before, out.seen, out.seq
    );
    if let Some(golden) = &out.golden {
        let object = store.candidate(out.candidate)?.map(|c| c.object).unwrap_or_default();
        for note in group_notes(&req.rules, &object, &req.choices, golden) {
            eprintln!("{note}");
        }
        // The console asks once more before approving these; here it is said after the fact.
        let open: Vec<&str> =
            golden.fields.iter().filter(|(_, g)| g.conflict).map(|(f, _)| f.as_str()).collect();
        if !open.is_empty() {
            eprintln!(
                "note: {} no rule decided ({}): approved with the values shown, the survivor's; \
                 `--pick FIELD=SOURCE:ID` or `--set FIELD=VALUE` chooses (approve again, or undo)",
                crate::text::count(open.len(), "field", "fields"),
                crate::text::visible(&open.join(", "))
            );
        }
    }
    if let Some(exported) = &out.exported {
        eprintln!("{}", exported.note());
    }
    if let Some(note) = out.inside_note() {
        eprintln!("{note}");
    }
    if let Some(note) = out.superseded_note() {
        eprintln!("{note}");
    }
    if let Some(note) = out.shared_note() {
        eprintln!("{note}");
    }
    Ok(())
}

/// For each `--pick` of a field in a group (an address): the group's other fields came from the
/// same record, and those it lacks are now empty — said, so that a street going blank is seen.
fn group_notes(rules: &Rules, object: &str, choices: &Choices, golden: &Golden) -> Vec<String> {
    let rules = rules.for_object(object);
    let chosen =
        |f: &str| choices.picks.iter().any(|(p, _)| p == f) || choices.sets.iter().any(|(s, _)| s == f);
    let mut notes = Vec::new();
    for (field, key) in &choices.picks {
        if let Some((group, with)) = rules.came_with(golden, field, |f| !chosen(f)) {
            let note = format!("note: --pick {field}={key} takes the whole {group} from {key}: {with}");
            notes.push(visible(&note).into_owned());
        }
    }
    notes
}

pub fn undo(args: UndoArgs, ctx: &Ctx) -> Result<()> {
    let mut store = Store::open_existing(&ctx.db)?;
    let out = store.write(|tx| {
        let at = crate::clock::now();
        journal::undo_noted_in(tx, args.id.map(CandidateId), &ctx.steward, &at, args.note.as_deref())
    })?;
    let whose = out.reversed_by.as_deref().map_or(String::new(), |s| format!("{}'s ", visible(s)));
    eprintln!(
        "undid entry {} ({whose}{} of candidate {}): candidate {} is {} again — journal entry {}",
        out.reversed_seq, out.reversed_action, out.candidate, out.candidate, out.status, out.seq
    );
    if let Some(exported) = &out.exported {
        eprintln!("{}", exported.note());
    }
    if let Some(note) = out.replaced_note() {
        eprintln!("{note}");
    }
    if let Some(note) = out.released_note() {
        eprintln!("{note}");
    }
    Ok(())
}

pub fn combine(args: CombineArgs, ctx: &Ctx) -> Result<()> {
    let mut store = Store::open_existing(&ctx.db)?;
    let ids: Vec<CandidateId> = args.ids.iter().map(|&i| CandidateId(i)).collect();
    let out = crate::import::combine(&mut store, &ids, &ctx.steward, &crate::clock::now())?;
    let from: Vec<String> = out.from.iter().map(|c| c.to_string()).collect();
    let members: Vec<String> = out.members.iter().map(|k| k.to_string()).collect();
    eprintln!(
        "{} candidate {} holds every record of candidates {} ({} records: {}); review it with \
         `mergeq show {}`: approving it replaces the approvals it covers",
        if out.added { "added" } else { "already there:" },
        out.id,
        from.join(", "),
        members.len(),
        crate::text::visible(&members.join(", ")),
        out.id
    );
    if args.json {
        super::print(&format!("{}\n", serde_json::to_string_pretty(&out)?))?;
    }
    Ok(())
}
