//! What only a terminal gets: colour on the verdicts, and a progress line
//! on long runs. Output that goes to a pipe or a file (CI logs, scripts
//! reading `--json`) gets neither: no escape codes to strip, no carriage
//! returns. `NO_COLOR` turns colour off and `CLICOLOR_FORCE` on
//! (no-color.org, and the convention clap's own help follows).

use std::fmt::Display;
use std::io::{IsTerminal, Write};
use std::time::{Duration, Instant};

use anstyle::{AnsiColor, Style};

/// Colour for one stream, decided once.
#[derive(Clone, Copy)]
pub(crate) struct Paint {
    on: bool,
}

impl Paint {
    /// For what goes to standard output.
    pub(crate) fn stdout() -> Paint {
        Paint {
            on: wants_colour(std::io::stdout().is_terminal()),
        }
    }

    /// For what goes to standard error.
    pub(crate) fn stderr() -> Paint {
        Paint {
            on: wants_colour(std::io::stderr().is_terminal()),
        }
    }

    /// Whether this stream gets colour (for renderers of their own).
    pub(crate) fn on(self) -> bool {
        self.on
    }

    /// Something that went wrong: red and bold.
    pub(crate) fn bad(self, text: impl Display) -> String {
        self.paint(AnsiColor::Red.on_default().bold(), text)
    }

    /// Something that held: green.
    pub(crate) fn good(self, text: impl Display) -> String {
        self.paint(AnsiColor::Green.on_default(), text)
    }

    /// `bad` when `failed`, else `good`.
    pub(crate) fn verdict(self, failed: bool, text: impl Display) -> String {
        if failed {
            self.bad(text)
        } else {
            self.good(text)
        }
    }

    fn paint(self, style: Style, text: impl Display) -> String {
        if self.on {
            format!("{}{text}{}", style.render(), style.render_reset())
        } else {
            text.to_string()
        }
    }
}

fn wants_colour(terminal: bool) -> bool {
    let set = |name| std::env::var_os(name).is_some_and(|v| !v.is_empty() && v != "0");
    if std::env::var_os("NO_COLOR").is_some_and(|v| !v.is_empty()) {
        return false;
    }
    set("CLICOLOR_FORCE") || terminal
}

/// A line on standard error, rewritten in place, when it is a terminal;
/// nothing otherwise. Cleared when dropped, so the report that follows
/// starts on a clean line.
pub(crate) struct Progress {
    on: bool,
    shown: Option<Instant>,
}

/// Rewrites at most this often: a fast command run thousands of times
/// would otherwise spend its time painting.
const EVERY: Duration = Duration::from_millis(100);

impl Progress {
    pub(crate) fn new() -> Progress {
        Progress {
            on: std::io::stderr().is_terminal(),
            shown: None,
        }
    }

    /// Show `line` (unless the last one is under 100 ms old).
    pub(crate) fn show(&mut self, line: impl Display) {
        if !self.on || self.shown.is_some_and(|t| t.elapsed() < EVERY) {
            return;
        }
        // \r: back to the start; \x1b[K: erase what a longer line left.
        let mut e = std::io::stderr().lock();
        let _ = write!(e, "\r{line}\x1b[K");
        let _ = e.flush();
        self.shown = Some(Instant::now());
    }
}

impl Drop for Progress {
    fn drop(&mut self) {
        if self.shown.is_some() {
            let mut e = std::io::stderr().lock();
            let _ = write!(e, "\r\x1b[K");
            let _ = e.flush();
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn colour_is_only_escape_codes_around_the_text_and_none_when_off() {
        let on = Paint { on: true };
        let off = Paint { on: false };
        assert_eq!(off.bad("3 failed"), "3 failed");
        let red = on.bad("3 failed");
        assert!(
            red.starts_with("\x1b[") && red.ends_with("\x1b[0m"),
            "{red:?}"
        );
        assert!(red.contains("3 failed"));
        assert_ne!(on.verdict(true, "x"), on.verdict(false, "x"));
    }
}
