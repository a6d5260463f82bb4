//! The review console (`mergeq review`, `mergeq demo`): a queue of candidates, the review of one
//! (and why it was proposed), the journal, the dashboard, and help. State, action, update, view:
//! keys become `Action`s through `keymap`, `update` changes the `App` and returns an `Effect`,
//! `effects` runs it against the workspace, and `view` draws the `App` without touching anything.

pub mod action;
pub mod app;
pub mod effects;
pub mod keymap;
mod line_edit;
mod said;
mod summary;
pub mod terminal;
pub mod update;
pub mod view;

use action::Action;
use app::{App, SavedPosition};
use effects::{Anchor, Effect, Workspace};
use ratatui::crossterm::event::{self, Event, KeyEvent, MouseButton, MouseEventKind};
use std::collections::VecDeque;
use std::time::{Duration, Instant};
use view::theme::Theme;

/// How long a decision waits for another mergeq that holds the workspace before saying so.
const LOCK_WAIT: Duration = Duration::from_millis(1500);
/// How long the console waits for a key before it looks for others' writes.
const LOOK_EVERY: Duration = Duration::from_secs(2);
/// How long one wait for a key lasts: a signal is seen within it.
const SLICE: Duration = Duration::from_millis(200);
/// A key that took this long and failed waited for the workspace (another program writing).
const BLOCKED: Duration = Duration::from_millis(100);

/// A console over an open workspace: the state and the handle to the store, without a terminal
/// (the terminal loop, the tests and the benchmark all drive this).
pub struct Console {
    pub app: App,
    pub ws: Workspace,
    /// When things happen: each action is stamped with it (`App::now`). `Instant::now` outside
    /// tests; a test gives its own, so that a steward's pace needs no sleeping.
    pub clock: Box<dyn FnMut() -> Instant>,
    /// Whether the last action failed after waiting for the workspace: keys typed during the wait
    /// were typed at a frozen screen (`typed_while_blocked`).
    blocked: bool,
}

impl Console {
    /// Opens the console where this steward left it (or at the top of the pending queue).
    pub fn open(mut ws: Workspace, workspace_name: &str, size: (u16, u16), theme: Theme) -> Console {
        ws.head_seen = ws.store.journal_head().ok().flatten().map(|(seq, _)| seq);
        let mut app = App::new(workspace_name, &ws.steward, size, theme);
        let saved: Option<SavedPosition> =
            ws.store.ui_state(&ws.steward).ok().flatten().and_then(|text| serde_json::from_str(&text).ok());
        let saved = saved.unwrap_or_else(|| app.position());
        app.queue.query = saved.query.clone();
        app.queue.sort = saved.sort;
        app.queue.band = saved.band % app::BANDS.len();
        app.draft = saved.draft.clone();
        let mut console = Console { app, ws, clock: Box::new(Instant::now), blocked: false };
        let n = update::page_size(&console.app);
        let anchor = saved.selected.map(Anchor::At).unwrap_or(Anchor::Start);
        let mut first = vec![
            Effect::LoadProgress,
            Effect::LoadWindow { query: saved.query.clone(), anchor, before: n / 2, after: n },
        ];
        if let Some(id) = saved.open {
            first.push(Effect::Open(id));
        }
        console.run_effect(Effect::Many(first));
        if let Some(r) = console.app.review.as_mut() {
            r.hide_equal = saved.hide_equal;
        }
        console
    }

    /// Applies an action and everything its effects lead to.
    pub fn dispatch(&mut self, action: Action) {
        self.app.now = (self.clock)();
        // Wall time, not `clock`: how long the steward looked at a frozen screen.
        let started = Instant::now();
        let mut pending = VecDeque::from([action]);
        while let Some(next) = pending.pop_front() {
            let effect = update::update(&mut self.app, next);
            pending.extend(effects::run(&mut self.ws, effect));
        }
        self.blocked = started.elapsed() >= BLOCKED && self.app.status.as_ref().is_some_and(|s| s.error);
    }

    /// Whether the last action failed after waiting for the workspace (another program held it):
    /// what was typed meanwhile goes to `typed_while_blocked`, not `event`.
    pub fn blocked(&self) -> bool {
        self.blocked
    }

    /// The events that arrived while an action waited for the workspace and then failed: typed at
    /// a frozen screen, the keys would act on a state the steward did not see (a `j` moving off
    /// the candidate, an `Esc` leaving it) and wipe the failure from the status line. They are
    /// dropped, and said so after the failure; a resize still applies.
    pub fn typed_while_blocked(&mut self, events: Vec<Event>) {
        self.blocked = false;
        let mut dropped = 0;
        for e in events {
            match e {
                Event::Resize(..) => self.event(e),
                Event::Key(k) if k.kind != event::KeyEventKind::Release => dropped += 1,
                _ => {}
            }
        }
        if let (Some(status), true) = (self.app.status.as_mut(), dropped > 0) {
            let keys = if dropped == 1 { "key" } else { "keys" };
            status.text = format!("{} · {dropped} {keys} typed while waiting dropped", status.text);
        }
    }

    fn run_effect(&mut self, effect: Effect) {
        let results = effects::run(&mut self.ws, effect);
        for action in results {
            self.dispatch(action);
        }
    }

    /// The screen was drawn: a candidate a decision opened is on screen from now on.
    pub fn drawn(&mut self) {
        let now = (self.clock)();
        self.app.drawn(now);
    }

    /// A key press, through the keymap of the current context.
    pub fn key(&mut self, key: KeyEvent) {
        if key.kind == event::KeyEventKind::Release {
            return;
        }
        let action = keymap::lookup(view::context(&self.app), key);
        if self.app.help && !keymap::is_interrupt(key) {
            // Any key closes the help, as it says, and does nothing else: `q` pressed to leave
            // the overlay must not leave the console. Only Ctrl-C quits from here.
            self.app.help = false;
        } else if let Some(action) = action {
            self.dispatch(action);
        } else if self.app.armed.is_some() {
            // A key that does nothing here (`d` in the queue) still answers a question "no", as
            // any other key does: a later Enter must not find it still asked.
            self.app.cancel_question();
        }
    }

    /// Any terminal event.
    pub fn event(&mut self, event: Event) {
        match event {
            Event::Key(key) => self.key(key),
            Event::Mouse(m) => match m.kind {
                MouseEventKind::Down(MouseButton::Left) => {
                    self.dispatch(Action::Click { column: m.column, row: m.row })
                }
                MouseEventKind::ScrollDown => self.dispatch(Action::ScrollDown),
                MouseEventKind::ScrollUp => self.dispatch(Action::ScrollUp),
                _ => {}
            },
            Event::Resize(width, height) => self.dispatch(Action::Resize { width, height }),
            _ => {}
        }
    }
}

/// Opens the review console on the command line's workspace (`mergeq review`, `mergeq demo`).
pub fn run(ctx: &crate::cli::Ctx) -> anyhow::Result<()> {
    // Before the workspace is opened: opening may upgrade its schema, and a command that fails
    // leaves the workspace as it was.
    needs_terminal()?;
    let store = crate::store::Store::open_existing(&ctx.db)?;
    let name = ctx.db.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default();
    run_on(store, ctx, &name)
}

/// Fails unless standard input and output are both a terminal. Without one, crossterm fails with a
/// bare OS error ("No such device or address"): this says what is wrong and what works instead.
pub fn needs_terminal() -> anyhow::Result<()> {
    use std::io::IsTerminal;
    if !std::io::stdin().is_terminal() || !std::io::stdout().is_terminal() {
        anyhow::bail!(
            "the review console needs a terminal (standard input and output are not one); without it, \
             use `mergeq queue`, `mergeq show ID` and `mergeq decide`, or `mergeq demo --no-console`"
        );
    }
    Ok(())
}

/// Runs the console in the terminal over an open workspace until the steward quits. Callers check
/// `needs_terminal` first, before they open or build the workspace.
pub fn run_on(store: crate::store::Store, ctx: &crate::cli::Ctx, workspace_name: &str) -> anyhow::Result<()> {
    store.set_busy_timeout(LOCK_WAIT)?;
    let mut ws = Workspace::new(store, &ctx.steward);
    ws.rules = std::sync::Arc::new(crate::survivorship::Rules::load(ctx.rules.as_deref())?);
    let stop = terminal::Stop::catch()?;
    let mut guard = terminal::init()?;
    let size = guard.terminal.size()?;
    let mut console = Console::open(ws, workspace_name, (size.width, size.height), Theme::from_env());
    let looped = run_loop(&mut guard, &mut console, &stop);
    // Ended by a signal (perhaps through the error a closed terminal gave): as a quit, the place
    // and any undecided picks saved for the next console, the terminal given back.
    let signal = stop.take();
    if signal.is_some() && !console.app.quit {
        console.dispatch(Action::Terminate);
    }
    drop(guard);
    drop(console);
    if let Some(sig) = signal {
        use std::io::Write;
        let name = terminal::Stop::name(sig);
        // After a hang-up there may be no terminal to say it on: not a failure.
        let _ = writeln!(std::io::stderr(), "mergeq review: ended by {name}; your place is kept");
        std::process::exit(128 + sig);
    }
    looped
}

/// Draws, reads keys and looks for others' writes until the steward quits or a signal arrives.
fn run_loop(
    guard: &mut terminal::TerminalGuard,
    console: &mut Console,
    stop: &terminal::Stop,
) -> anyhow::Result<()> {
    let mut quiet = Duration::ZERO;
    let mut draw = true;
    loop {
        if stop.caught().is_some() {
            return Ok(());
        }
        if draw {
            guard.terminal.draw(|frame| view::draw(frame, &console.app))?;
            console.drawn();
        }
        if console.app.quit {
            return Ok(());
        }
        // Keys are waited for a slice at a time, so that a signal is seen soon. Idle, the console
        // looks every few seconds whether others wrote to the workspace, so that another
        // steward's decisions show in the queue, the figures and the review without a key.
        draw = true;
        if event::poll(SLICE)? {
            console.event(event::read()?);
            if console.blocked() {
                let mut meanwhile = Vec::new();
                while event::poll(Duration::ZERO)? {
                    meanwhile.push(event::read()?);
                }
                console.typed_while_blocked(meanwhile);
            }
            quiet = Duration::ZERO;
        } else {
            quiet += SLICE;
            match quiet >= LOOK_EVERY {
                true => {
                    quiet = Duration::ZERO;
                    console.dispatch(Action::Tick);
                }
                false => draw = false,
            }
        }
    }
}
