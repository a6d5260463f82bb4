//! The real terminal: raw mode, the alternate screen and mouse capture on the way in, and all of
//! them undone on the way out: on quit, on error (the guard's drop), on panic (the hook) and on
//! `SIGTERM`/`SIGHUP` (`Stop`: the loop ends as on quit). `ratatui::init` does not know about
//! mouse capture, so it is turned off here too.

use ratatui::crossterm::event::{DisableMouseCapture, EnableMouseCapture};
use ratatui::crossterm::execute;
use ratatui::DefaultTerminal;
use std::io::stdout;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{Arc, Once};
use std::time::Duration;

/// The terminal while the console owns it; dropping it gives the terminal back.
pub struct TerminalGuard {
    pub terminal: DefaultTerminal,
}

static HOOK: Once = Once::new();

/// Takes over the terminal (and arranges for a panic to give it back first).
pub fn init() -> std::io::Result<TerminalGuard> {
    let terminal = ratatui::try_init()?;
    HOOK.call_once(|| {
        // ratatui's hook (restore, then the previous hook) runs after mouse capture is off.
        let ratatui_hook = std::panic::take_hook();
        std::panic::set_hook(Box::new(move |info| {
            let _ = execute!(stdout(), DisableMouseCapture);
            ratatui_hook(info);
        }));
    });
    let guard = TerminalGuard { terminal };
    execute!(stdout(), EnableMouseCapture)?;
    Ok(guard)
}

/// Gives the terminal back: mouse capture off, raw mode off, the main screen again. Each step is
/// tried whatever the one before did, and a failure is not said: after a hang-up there is no
/// terminal to restore or to say it on (`ratatui::restore` would print, and printing to a closed
/// terminal panics).
pub fn restore() {
    use ratatui::crossterm::terminal::{disable_raw_mode, LeaveAlternateScreen};
    let _ = execute!(stdout(), DisableMouseCapture);
    let _ = disable_raw_mode();
    let _ = execute!(stdout(), LeaveAlternateScreen);
}

impl Drop for TerminalGuard {
    fn drop(&mut self) {
        restore();
    }
}

/// `SIGTERM` and `SIGHUP` (an admin's kill, a closed terminal), caught: instead of ending the
/// process where it stands (the terminal left in the alternate screen with mouse reporting on),
/// they set a flag that the console's loop reads, so that it ends as on quit.
///
/// A closed terminal can keep the loop from reading it: crossterm's key reader spins on the end
/// of input it gets from a hung-up terminal and never returns. A watchdog thread therefore ends the
/// process itself when the loop has not taken the signal up within `GRACE`; the place and any
/// undecided picks are then as last saved (at every candidate opened, and as picks change).
pub struct Stop {
    signal: Arc<AtomicUsize>,
    /// Set once the console's loop handles the signal: the watchdog leaves it to it.
    taken: Arc<AtomicBool>,
}

/// How long the watchdog waits for the console's loop to take a signal up: it looks for one every
/// key-wait slice (200 ms), after what it is doing (a decision waits up to 1.5 s for a busy
/// workspace).
const GRACE: Duration = Duration::from_secs(3);

impl Stop {
    pub fn catch() -> std::io::Result<Stop> {
        use signal_hook::consts::{SIGHUP, SIGTERM};
        let signal = Arc::new(AtomicUsize::new(0));
        let again = Arc::new(AtomicBool::new(false));
        for sig in [SIGTERM, SIGHUP] {
            // A second one while the first is being handled (the console stuck waiting for a
            // workspace) ends the process as the signal would have.
            signal_hook::flag::register_conditional_default(sig, again.clone())?;
            signal_hook::flag::register(sig, again.clone())?;
            signal_hook::flag::register_usize(sig, signal.clone(), sig as usize)?;
        }
        let taken = Arc::new(AtomicBool::new(false));
        let mut signals = signal_hook::iterator::Signals::new([SIGTERM, SIGHUP])?;
        let watched = taken.clone();
        std::thread::Builder::new().name("signals".into()).spawn(move || {
            if let Some(sig) = signals.forever().next() {
                std::thread::sleep(GRACE);
                if !watched.load(Ordering::SeqCst) {
                    restore();
                    std::process::exit(128 + sig);
                }
            }
        })?;
        Ok(Stop { signal, taken })
    }

    /// The signal caught, if any (`SIGTERM` is 15, `SIGHUP` 1).
    pub fn caught(&self) -> Option<i32> {
        match self.signal.load(Ordering::SeqCst) {
            0 => None,
            sig => Some(sig as i32),
        }
    }

    /// The signal caught, taken up by the console's loop (the watchdog then leaves it to it).
    pub fn take(&self) -> Option<i32> {
        let sig = self.caught()?;
        self.taken.store(true, Ordering::SeqCst);
        Some(sig)
    }

    /// The signal's name, for the line said after the terminal is given back.
    pub fn name(sig: i32) -> &'static str {
        match sig {
            signal_hook::consts::SIGTERM => "SIGTERM",
            signal_hook::consts::SIGHUP => "SIGHUP",
            _ => "a signal",
        }
    }
}
