//! Everything that can happen to the console, as values: what a key, the mouse or the terminal asks
//! for, and what an effect against the workspace came back with. `update` is the only reader.

use super::app::{JournalView, Progress, QueueItem, ReviewData};
use crate::model::{CandidateId, Choices};
use crate::store::{QueueKey, Stats};

/// One thing that happened. Key bindings produce the unit variants (see `keymap`).
#[derive(Debug, Clone, PartialEq)]
pub enum Action {
    /// Move the selection one row up / down.
    Up,
    Down,
    /// Move the selection one screen up / down.
    PageUp,
    PageDown,
    /// Go to the first / last row.
    Top,
    Bottom,
    /// Select the member column to the left / right (review).
    Left,
    Right,
    /// Open the selected candidate.
    Open,
    /// Leave the current screen (review → queue, journal, dashboard, why → where it came from), or
    /// close help.
    Back,
    /// Open the next / previous candidate of the queue (review).
    NextCandidate,
    PrevCandidate,
    /// Take member N's value (1-based, as the column headers number them) for the selected field.
    PickMember(u8),
    /// Edit the selected field's golden value in place.
    Edit,
    /// Drop the steward's pick or edit of the selected field: back to the rule's suggestion.
    ResetField,
    /// Make the selected member column the survivor.
    MakeSurvivor,
    /// Decide the open candidate: merge it, mark it not duplicates, or put it off.
    Approve,
    Reject,
    Defer,
    /// Write a note that goes with the next decision on this candidate.
    Note,
    /// Undo the latest decision (as a new journal entry).
    Undo,
    /// Hide or show rows where every member has the same value.
    ToggleEqual,
    /// Open the journal screen.
    ShowJournal,
    /// Open the dashboard of figures.
    ShowDashboard,
    /// Open the why screen: every reason the candidate under review was proposed (review).
    ShowWhy,
    /// Add the candidate holding every record of this one and of the approved ones sharing its
    /// records, and open it (review).
    Combine,
    /// Show or hide the help overlay.
    Help,
    Quit,
    /// Queue filters: cycle status, object, source, score band; cycle the sort; search values.
    CycleStatus,
    CycleObject,
    CycleSource,
    CycleBand,
    CycleSort,
    Search,
    /// Open a candidate by its number (the `#3` that messages and other screens cite).
    GoTo,
    /// Approve the undecided candidates inside an approved one (the pairs of an approved cluster).
    ApproveInside,

    /// Text input in an open prompt (edit, note, search).
    Input(char),
    InputBackspace,
    /// Delete everything before the cursor.
    InputDeleteToStart,
    InputDelete,
    InputLeft,
    InputRight,
    InputHome,
    InputEnd,
    /// Enter: keep the text. Esc: drop it.
    InputCommit,
    InputCancel,

    /// Mouse: a click at (column, row), or the wheel.
    Click {
        column: u16,
        row: u16,
    },
    ScrollUp,
    ScrollDown,
    /// The terminal's new size.
    Resize {
        width: u16,
        height: u16,
    },
    /// No key for a while: time to look whether others wrote to the workspace.
    Tick,
    /// The console is ended from outside (`SIGTERM`, `SIGHUP`): it quits at once, asking nothing,
    /// the place and any undecided picks saved as on a quit.
    Terminate,

    /// Results of effects (see `effects`).
    Loaded(Loaded),
    /// An effect failed; the text goes to the status line.
    Failed(String),
}

/// Which row of a freshly read queue window to select. The first and last rows are named as such
/// rather than by id: with the conflicts sort the rows are re-ordered once read, and the top of
/// the queue is then the first row drawn, not the first row read.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Select {
    First,
    Last,
    /// This candidate's row (the anchor's, or the next one when it left the filter).
    Row(CandidateId),
}

/// What an effect came back with.
#[derive(Debug, Clone, PartialEq)]
pub enum Loaded {
    /// A queue window around `anchor`; `at_start`/`at_end` say whether the window reaches the
    /// ends of the queue.
    Window {
        rows: Vec<QueueItem>,
        select: Select,
        at_start: bool,
        at_end: bool,
    },
    /// More rows after (`forward`) or before the window.
    More {
        rows: Vec<QueueItem>,
        forward: bool,
        reached_end: bool,
    },
    /// The progress figures for the header.
    Progress(Progress),
    /// A candidate ready to review.
    Candidate(Box<ReviewData>),
    /// The candidate under review read again after a decision on it was refused (its records or
    /// status changed since it was shown).
    Reloaded(Box<ReviewData>),
    /// No candidate in that direction; the text says so. `leave`: go back to the queue (the
    /// candidate on screen was just decided).
    NoCandidate {
        message: String,
        leave: bool,
    },
    /// A decision was committed; `key` is the decided candidate's place in the queue.
    Decided {
        message: String,
        key: QueueKey,
        /// The candidate approved, when undecided candidates lie inside it (`A` approves them).
        inside_of: Option<CandidateId>,
    },
    /// Another mergeq (a steward, an import) wrote to the workspace since the last look.
    OthersWrote,
    /// How the candidate under review stands now, when that differs from what was shown
    /// (`approved by ana 01:28 (since you opened it)`); `None` when it is as shown.
    Since {
        candidate: CandidateId,
        line: Option<String>,
    },
    /// The undecided candidates inside an approved one were approved (`A`).
    InsideApproved {
        message: String,
        approved: Vec<CandidateId>,
    },
    /// Candidates were combined: the one holding all their records, to review.
    Combined {
        message: String,
        data: Box<ReviewData>,
    },
    /// The latest decision is another steward's: undone only when `u` is pressed again, naming
    /// this entry (a newer one is asked about anew).
    UndoAsk {
        message: String,
        seq: i64,
    },
    /// The latest decision was undone; the candidate it was about, to reopen, with the steward's
    /// choices of the undone approval when they are to be shown again (it is not approved now).
    Undone {
        message: String,
        candidate: Option<CandidateId>,
        choices: Option<Choices>,
    },
    Journal(JournalView),
    /// The dashboard's figures.
    Dashboard(Box<Stats>),
    /// The objects and sources the queue can be filtered by.
    Facets {
        objects: Vec<String>,
        sources: Vec<String>,
    },
}
