//! The real terminal: raw mode, the alternate screen and mouse capture on the way in, and all of
//! them undone on the way out: on quit, on error (the guard's drop) and on panic (the hook).
//! `ratatui::init` does not know about mouse capture, so it is turned off here too.

use ratatui::crossterm::event::{DisableMouseCapture, EnableMouseCapture};
use ratatui::crossterm::execute;
use ratatui::DefaultTerminal;
use std::io::stdout;
use std::sync::Once;

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

/// Gives the terminal back: mouse capture off, raw mode off, the main screen again.
pub fn restore() {
    let _ = execute!(stdout(), DisableMouseCapture);
    ratatui::restore();
}

impl Drop for TerminalGuard {
    fn drop(&mut self) {
        restore();
    }
}
