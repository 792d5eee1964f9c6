//! The text form of a plan, from its rules: what `Display` prints parses back
//! to the same plan. Pure.

use std::fmt;
use std::time::Duration;

use super::plan::{Action, Errno, Per, Rule, Trigger};

pub(crate) struct DisplayRules<'a>(pub(crate) &'a [Rule]);

impl fmt::Display for DisplayRules<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (i, r) in self.0.iter().enumerate() {
            if i > 0 {
                f.write_str("; ")?;
            }
            f.write_str(r.op.map_or("any", |op| op.name()))?;
            if let Some(g) = &r.pattern {
                write!(f, "({g})")?;
            }
            f.write_str("=")?;
            match r.action {
                Action::Fail(e) => write!(f, "{}", DisplayErrno(e))?,
                Action::Delay(d) => write!(f, "delay({})", DisplayDuration(d))?,
                Action::Busy(e, d) => {
                    write!(f, "busy({},{})", DisplayErrno(e), DisplayDuration(d))?
                }
                Action::Held(e) => write!(f, "held({})", DisplayErrno(e))?,
            }
            match r.trigger {
                Trigger::Always => {}
                Trigger::Calls { from, to: Some(to) } if from == to => write!(f, "@{from}")?,
                Trigger::Calls { from, to: Some(to) } => write!(f, "@{from}..{to}")?,
                Trigger::Calls { from, to: None } => write!(f, "@{from}..")?,
                Trigger::Every(n) => write!(f, "@every{n}")?,
                // f64's Display is the shortest text that parses back exactly.
                Trigger::Chance { p, seed } => write!(f, "@p{p}/seed={seed}")?,
            }
            if r.per == Per::Process {
                f.write_str("/per=process")?;
            }
        }
        Ok(())
    }
}

struct DisplayErrno(Errno);

impl fmt::Display for DisplayErrno {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.0.name {
            Some(n) => f.write_str(n),
            None => write!(f, "{}", self.0.code),
        }
    }
}

struct DisplayDuration(Duration);

impl fmt::Display for DisplayDuration {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let n = self.0.as_nanos();
        for (unit, per) in [("s", 1_000_000_000), ("ms", 1_000_000), ("us", 1_000)] {
            if n.is_multiple_of(per) && n > 0 {
                return write!(f, "{}{unit}", n / per);
            }
        }
        write!(f, "{n}ns")
    }
}
