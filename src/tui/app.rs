//! The console's whole state as plain data: which screen, the queue window, the open candidate
//! with the steward's choices, the journal view, prompts and the status line. No I/O here; `update`
//! changes it and `view` draws it.

use super::action::Action;
use super::view::theme::Theme;
use crate::model::{Candidate, CandidateId, Choices, Golden, Record, Status};
use crate::store::{QueueKey, QueueOrder, QueueQuery, Stats};
use crate::survivorship::Rules;
use serde::{Deserialize, Serialize};
use std::sync::Arc;
use std::time::{Duration, Instant};

pub use super::line_edit::LineEdit;

/// How long a candidate a decision opened is on screen before a decision key acts on it: a second
/// press of `a` (a double tap, key repeat) lands on the next candidate a millisecond after it
/// opens, before the steward could have seen it.
pub const SETTLE: Duration = Duration::from_millis(300);

/// How the survivorship engine says that no rule chose the survivor (`choose_survivor` in
/// `survivorship/engine.rs`: "no rule decides between 2 records; first by source priority, then
/// key"). The console's tests approve such a pair, so a change of wording there fails them.
pub const SURVIVOR_TIE: &str = "no rule decides between";

/// The screen in front.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Screen {
    Queue,
    Review,
    Journal,
    Dashboard,
    /// Every reason the candidate under review was proposed (over the review).
    Why,
}

/// How the queue is sorted. `Conflicts` sorts the loaded rows only (conflicts are computed per
/// page); the rows are read in score order.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Sort {
    #[default]
    Score,
    Conflicts,
    Age,
}

impl Sort {
    pub fn next(self) -> Sort {
        match self {
            Sort::Score => Sort::Conflicts,
            Sort::Conflicts => Sort::Age,
            Sort::Age => Sort::Score,
        }
    }

    pub fn order(self) -> QueueOrder {
        match self {
            Sort::Age => QueueOrder::Age,
            _ => QueueOrder::Score,
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            Sort::Score => "score",
            Sort::Conflicts => "conflicts",
            Sort::Age => "age",
        }
    }
}

/// Score bands the queue can be narrowed to: (label, at least, below).
pub const BANDS: [(&str, Option<f64>, Option<f64>); 4] = [
    ("all", None, None),
    ("≥ 0.90", Some(0.9), None),
    ("0.70–0.90", Some(0.7), Some(0.9)),
    ("< 0.70", None, Some(0.7)),
];

/// One candidate as the queue lists it (built from a store page by `summary`).
#[derive(Debug, Clone, PartialEq)]
pub struct QueueItem {
    pub id: CandidateId,
    pub key: QueueKey,
    pub object: String,
    pub score: f64,
    pub status: Status,
    /// One display name per member, in member order (`?` when a record has no name-like field).
    pub names: Vec<String>,
    /// The distinct sources of the members, sorted.
    pub sources: Vec<String>,
    /// Fields no survivorship rule could decide.
    pub conflicts: usize,
    /// A member changed since the candidate was proposed.
    pub changed: bool,
    /// Undecided, with every record in this approved candidate (the queue says `in #3`).
    pub held_by: Option<CandidateId>,
}

/// The queue: its filter, and a window of rows read from the workspace around the selection.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct QueueState {
    pub query: QueueQuery,
    pub sort: Sort,
    /// Index into `BANDS`.
    pub band: usize,
    pub rows: Vec<QueueItem>,
    pub selected: usize,
    /// The first row drawn.
    pub offset: usize,
    /// Whether the window reaches the first / last candidate of the queue.
    pub at_start: bool,
    pub at_end: bool,
    /// The keyset ends of the window, in read order (with `Sort::Conflicts` the rows are
    /// re-sorted, so these are kept apart from the rows).
    pub first_key: Option<QueueKey>,
    pub last_key: Option<QueueKey>,
    /// Objects and sources to cycle through, read the first time a filter key is pressed.
    pub objects: Vec<String>,
    pub sources: Vec<String>,
    pub facets_loaded: bool,
    /// The filter key that is waiting for the objects and sources to be read.
    pub after_facets: Option<super::action::Action>,
    /// A window has been read (until then the screen says it is reading).
    pub loaded: bool,
}

impl QueueState {
    pub fn selected_item(&self) -> Option<&QueueItem> {
        self.rows.get(self.selected)
    }
}

/// A candidate's standing approval as the review shows it.
#[derive(Debug, Clone, PartialEq)]
pub struct ApprovedView {
    /// The steward's choices it was made with (picks, edits, survivor).
    pub choices: Choices,
    /// Who approved it when: `approved by ann 2026-05-02 14:31`.
    pub line: String,
    /// Who approved it.
    pub steward: String,
    /// The approval's note, if it has one: shown as the review's note until changed.
    pub note: Option<String>,
    /// The golden record approved, as its journal entry holds it: what the merge carries, even
    /// when the members or the rules changed since (re-applying the choices could differ).
    pub golden: Golden,
}

/// A candidate as the review screen needs it, read by an effect.
#[derive(Debug, Clone, PartialEq)]
pub struct ReviewData {
    pub candidate: Candidate,
    /// Members as they are now, each with the version it had when proposed, in key order.
    pub members: Vec<(Record, i64)>,
    /// The rules' suggestion, before the steward's choices.
    pub suggestion: Golden,
    /// The `seen` token of the member versions shown.
    pub seen: String,
    pub key: QueueKey,
    /// The survivorship rules the suggestion came from (the steward's choices apply over it).
    pub rules: Arc<Rules>,
    /// For an approved candidate: its standing approval, so that the golden column shows what
    /// was merged.
    pub approved: Option<ApprovedView>,
    /// For a rejected or deferred candidate: who decided it when, and their note
    /// (`rejected by bob 2026-11-27 21:10 · two people, one mailbox`).
    pub decided: Option<String>,
    /// The steward of its standing decision (approval, rejection or deferral), if any: `u` asks
    /// before undoing another's.
    pub decider: Option<String>,
    /// Its records that other approved candidates hold too, with those candidates: a CRM merges
    /// a record once, so a merge plan carries only the earlier approval.
    pub shared: Vec<(crate::model::RecordKey, CandidateId)>,
    /// Of those, the approved candidates all of whose records this one holds: approving it
    /// replaces their approvals.
    pub replaces: Vec<CandidateId>,
    /// Undecided and replacing approvals: their picks, edits and survivor, to start from (the
    /// first approval's where two chose differently), and which approvals they came from.
    pub carried: Option<(Choices, Vec<CandidateId>)>,
}

impl ReviewData {
    /// How it stands to the approved candidates holding records of it.
    pub fn overlaps(&self) -> crate::journal::Overlaps {
        crate::journal::Overlaps::of(&self.shared, &self.replaces, self.members.len())
    }
}

/// The review of one candidate.
#[derive(Debug, Clone, PartialEq)]
pub struct ReviewState {
    pub data: ReviewData,
    pub choices: Choices,
    /// The suggestion with the steward's choices applied: what approving would write.
    pub golden: Golden,
    /// Every field any member or the golden record has, sorted.
    pub fields: Vec<String>,
    /// Selected row, as an index into `visible_fields()`.
    pub selected: usize,
    pub offset: usize,
    /// Selected member column (0-based).
    pub member: usize,
    /// First member column drawn.
    pub member_scroll: usize,
    pub hide_equal: bool,
    /// The note that goes with the next decision.
    pub note: Option<String>,
    /// How the candidate stands now when another steward decided it since it was opened
    /// (`approved by ana 01:28 (since you opened it)`), as the idle check found it. The decision
    /// keys still act on what was shown: the journal refuses them and the candidate reloads.
    pub since: Option<String>,
}

impl ReviewState {
    /// True when every member holds the same value for `field` (all missing counts as equal).
    pub fn is_equal(&self, field: &str) -> bool {
        let mut values = self.data.members.iter().map(|(r, _)| r.fields.get(field));
        let first = values.next().flatten();
        values.all(|v| v == first)
    }

    /// What the steward chose on screen that no decision holds yet (`picks and edits`, `a note`),
    /// or `None`: leaving the candidate drops it. An approved candidate opens with its approval's
    /// choices, which are not unsaved.
    pub fn unsaved(&self) -> Option<&'static str> {
        let choices = match &self.data.approved {
            Some(a) => self.choices != a.choices,
            None => self.choices != Choices::default(),
        };
        let note = match &self.data.approved {
            Some(a) => self.note != a.note,
            None => self.note.as_deref().is_some_and(|n| !n.trim().is_empty()),
        };
        match (choices, note) {
            (true, true) => Some("picks or edits and a note"),
            (true, false) => Some("picks or edits"),
            (false, true) => Some("a note"),
            (false, false) => None,
        }
    }

    /// The rule of a golden value as the screen names it: `agree` with a single record holding a
    /// value would read as corroborated, so it is `only one`.
    pub fn rule_label<'g>(&self, field: &str, g: &'g crate::model::GoldenValue) -> &'g str {
        let holders =
            self.members().filter(|m| m.fields.get(field).is_some_and(|v| !v.trim().is_empty())).count();
        match g.rule.as_str() {
            "agree" if holders == 1 => "only one",
            rule => rule,
        }
    }

    /// Whether approving would leave `field` empty though a record holds a value for it: `Some(true)`
    /// when the survivor holds one (the merge clears it in the CRM), `Some(false)` when only
    /// another record does (its value goes with the merge). A value the steward emptied on
    /// purpose (an edit to nothing) is not asked about again.
    pub fn clears(&self, field: &str) -> Option<bool> {
        let empty = self.golden.fields.get(field).is_none_or(|g| g.value.is_none());
        let typed_empty = self.choices.sets.iter().any(|(f, v)| f == field && v.is_none());
        let holds = |r: &Record| r.fields.get(field).is_some_and(|v| !v.trim().is_empty());
        if !empty || typed_empty || !self.members().any(holds) {
            return None;
        }
        Some(self.members().any(|r| r.key == self.golden.survivor && holds(r)))
    }

    /// The fields approving would empty though a record holds a value (`clears`), with whether
    /// the survivor holds it.
    pub fn emptied(&self) -> Vec<(&str, bool)> {
        self.fields.iter().filter_map(|f| self.clears(f).map(|survivor| (f.as_str(), survivor))).collect()
    }

    /// Whether no rule chose the survivor (a tie broken by source priority or key): the CRM id
    /// kept is then arbitrary, asked about like a field no rule decided.
    pub fn survivor_undecided(&self) -> bool {
        self.golden.survivor_reason.contains(SURVIVOR_TIE)
    }

    /// Forgets what `unsaved` would report: a decision took the choices and note (or set them
    /// aside), so none of them is undecided any more.
    pub fn forget_unsaved(&mut self) {
        self.choices = self.data.approved.as_ref().map(|a| a.choices.clone()).unwrap_or_default();
        self.note = self.data.approved.as_ref().and_then(|a| a.note.clone());
    }

    /// The fields drawn as rows (equal ones dropped when hidden).
    pub fn visible_fields(&self) -> Vec<&str> {
        self.fields.iter().map(String::as_str).filter(|f| !self.hide_equal || !self.is_equal(f)).collect()
    }

    pub fn selected_field(&self) -> Option<String> {
        self.visible_fields().get(self.selected).map(|f| f.to_string())
    }

    pub fn members(&self) -> impl Iterator<Item = &Record> {
        self.data.members.iter().map(|(r, _)| r)
    }
}

/// One journal entry as the journal screen lists it.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct JournalLine {
    pub seq: i64,
    pub at: String,
    pub steward: String,
    pub action: String,
    pub candidate: Option<CandidateId>,
    /// A decision's note; for other entries, what they did (`journal::describe`).
    pub what: Option<String>,
}

/// The journal screen's contents: latest entries first, and the sign-off state.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct JournalView {
    /// The latest entries, newest first (at most the last 500).
    pub entries: Vec<JournalLine>,
    /// How many entries the journal holds.
    pub total: i64,
    /// Decisions that no sign-off covers yet.
    pub unsigned: u64,
    /// The latest sign-off, as a line ("ann signed up to entry 120 on 2026-05-02").
    pub last_signoff: Option<String>,
}

/// The progress figures of the header.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Progress {
    pub candidates: i64,
    pub pending: i64,
    pub approved: i64,
    pub rejected: i64,
    pub deferred: i64,
}

/// What an open prompt is for.
#[derive(Debug, Clone, PartialEq)]
pub enum PromptKind {
    /// Editing the golden value of this field.
    Edit(String),
    Note,
    Search,
    /// A candidate's number, to open it.
    GoTo,
}

/// A text prompt: the editor takes the keys until Enter or Esc.
#[derive(Debug, Clone, PartialEq)]
pub struct Prompt {
    pub kind: PromptKind,
    pub editor: LineEdit,
}

/// The status line: the outcome of the last action.
#[derive(Debug, Clone, PartialEq)]
pub struct StatusLine {
    pub text: String,
    pub error: bool,
}

/// The whole console.
#[derive(Debug, Clone, PartialEq)]
pub struct App {
    pub screen: Screen,
    /// The screen the journal, the dashboard or the why screen returns to.
    pub back_to: Screen,
    pub prompt: Option<Prompt>,
    pub help: bool,
    pub queue: QueueState,
    pub review: Option<ReviewState>,
    pub journal: JournalView,
    pub journal_offset: usize,
    /// The dashboard's figures, once read.
    pub dashboard: Option<Stats>,
    pub dashboard_offset: usize,
    /// The first line of reasons drawn on the why screen.
    pub why_offset: usize,
    pub progress: Progress,
    pub status: Option<StatusLine>,
    /// Terminal size (columns, rows), kept up to date by resize events.
    pub size: (u16, u16),
    pub theme: Theme,
    /// The workspace's file name, for the header.
    pub workspace: String,
    pub steward: String,
    /// Choices to put back on a candidate about to reopen (after an undo of its approval).
    pub restore: Option<(CandidateId, Choices)>,
    /// Undecided picks saved by an earlier console, put back when their candidate opens.
    pub draft: Option<Draft>,
    /// An action that asked to be pressed again (leaving unsaved picks; approving with fields no
    /// rule decided): the next action confirms it when it is the same, and disarms it otherwise.
    pub armed: Option<Action>,
    /// Whether a pick (1–9) answers that question too, as it says ("1-9 picks").
    pub armed_picks: bool,
    /// Whether `s` (the selected record survives) answers it too ("s picks").
    pub armed_survivor: bool,
    /// Whether the action being applied is that second press.
    pub confirmed: bool,
    /// The journal entry of another steward's decision that a second `u` undoes.
    pub undo_asked: Option<i64>,
    /// The approval just made with undecided candidates inside it, which `A` approves.
    pub inside_of: Option<CandidateId>,
    /// When the action being applied happened (the console's clock, set before each dispatch).
    pub now: Instant,
    /// The decision just made, while the candidate it opened is under review.
    pub just_decided: Option<JustDecided>,
    pub quit: bool,
}

/// A candidate opened by a key's effect rather than by the steward's choosing it (the next one
/// after a decision, the one an undo reopened, the same one reloaded after a refusal): decision
/// keys on it are dropped until `SETTLE` after it was first drawn (keys queued before it was drawn
/// included), and each one dropped starts that wait again, so a held key (auto-repeat) never
/// gets through. `[` on the one a decision opened reopens the candidate decided.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct JustDecided {
    /// What opened it.
    pub why: Opened,
    /// The candidate opened, once it opened (none when none was left).
    pub opened: Option<CandidateId>,
    /// When it opened, then when it was first drawn, then when a key was last dropped on it.
    pub at: Instant,
    pub drawn: bool,
    /// Whether a dropped key was said already (the first one is).
    pub said: bool,
}

/// What opened a guarded candidate (`JustDecided`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Opened {
    /// A decision on this candidate opened the next one: `[` goes back to it.
    Decided(CandidateId),
    /// An undo reopened it: a second `u` is dropped too.
    Undone,
    /// A decision on it was refused (its records or status changed): it shows what is there now.
    Reloaded,
}

impl App {
    pub fn new(workspace: &str, steward: &str, size: (u16, u16), theme: Theme) -> App {
        App {
            screen: Screen::Queue,
            back_to: Screen::Queue,
            prompt: None,
            help: false,
            queue: QueueState {
                query: QueueQuery { status: Some(Status::Pending), ..QueueQuery::default() },
                ..QueueState::default()
            },
            review: None,
            journal: JournalView::default(),
            journal_offset: 0,
            dashboard: None,
            dashboard_offset: 0,
            why_offset: 0,
            progress: Progress::default(),
            status: None,
            size,
            theme,
            workspace: workspace.to_string(),
            steward: steward.to_string(),
            restore: None,
            draft: None,
            armed: None,
            armed_picks: false,
            armed_survivor: false,
            confirmed: false,
            undo_asked: None,
            inside_of: None,
            now: Instant::now(),
            just_decided: None,
            quit: false,
        }
    }

    /// The screen was drawn at `at`: a candidate a decision opened is on screen from then on.
    pub fn drawn(&mut self, at: Instant) {
        if let Some(j) = self.just_decided.as_mut().filter(|j| !j.drawn) {
            j.at = at;
            j.drawn = true;
        }
    }

    /// Asks for `action` to be pressed again, saying why and what the second press does (a
    /// question, not an error: nothing failed).
    pub fn arm(&mut self, action: Action, text: impl Into<String>) {
        self.armed = Some(action);
        self.armed_picks = false;
        self.armed_survivor = false;
        self.status = Some(StatusLine { text: text.into(), error: false });
    }

    /// `arm`, for a question a pick (it offers "1-9 picks") or the survivor key ("s picks")
    /// answers as well.
    pub fn arm_or_pick(&mut self, action: Action, text: impl Into<String>, picks: bool, survivor: bool) {
        self.arm(action, text);
        self.armed_picks = picks;
        self.armed_survivor = survivor;
    }

    /// A key other than the one a question asks for: the question is dropped, nothing done.
    pub fn cancel_question(&mut self) {
        self.armed = None;
        self.armed_picks = false;
        self.armed_survivor = false;
        self.undo_asked = None;
        self.info("cancelled: nothing done");
    }

    pub fn info(&mut self, text: impl Into<String>) {
        self.status = Some(StatusLine { text: text.into(), error: false });
    }

    pub fn error(&mut self, text: impl Into<String>) {
        self.status = Some(StatusLine { text: text.into(), error: true });
    }
}

/// Where a steward left the console, saved in the workspace on quit and at every candidate opened.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Default)]
pub struct SavedPosition {
    pub query: QueueQuery,
    pub sort: Sort,
    pub band: usize,
    /// The selected queue row.
    pub selected: Option<QueueKey>,
    /// The candidate under review, when the console was left on the review screen.
    pub open: Option<CandidateId>,
    pub hide_equal: bool,
    /// Picks, edits and a note not decided yet: saved as they change, so that a crash or a closed
    /// terminal does not lose them (the next console puts them back).
    #[serde(default)]
    pub draft: Option<Draft>,
}

/// A candidate's picks, edits and note that no decision holds yet, with what they were made on.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Draft {
    pub candidate: CandidateId,
    /// The `seen` token and the status shown: put back only on the candidate as it was.
    pub seen: String,
    pub status: Status,
    pub choices: Choices,
    pub note: Option<String>,
}

impl App {
    /// Whether the review is on screen, or under the screen opened over it.
    pub fn under_review(&self) -> bool {
        match self.screen {
            Screen::Review => true,
            Screen::Queue => false,
            Screen::Journal | Screen::Dashboard | Screen::Why => self.back_to == Screen::Review,
        }
    }

    /// The position to save.
    pub fn position(&self) -> SavedPosition {
        SavedPosition {
            query: self.queue.query.clone(),
            sort: self.queue.sort,
            band: self.queue.band,
            selected: self.queue.selected_item().map(|i| i.key),
            // A screen opened over the review (why, journal, dashboard) reopens on the review.
            open: self.review.as_ref().filter(|_| self.under_review()).map(|r| r.data.candidate.id),
            hide_equal: self.review.as_ref().is_some_and(|r| r.hide_equal),
            draft: self.draft_now().or_else(|| self.draft.clone()),
        }
    }

    /// The review's picks, edits and note that no decision holds, if any.
    pub fn draft_now(&self) -> Option<Draft> {
        let r = self.review.as_ref().filter(|r| r.unsaved().is_some())?;
        Some(Draft {
            candidate: r.data.candidate.id,
            seen: r.data.seen.clone(),
            status: r.data.candidate.status,
            choices: r.choices.clone(),
            note: r.note.clone(),
        })
    }
}
