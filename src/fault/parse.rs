//! Parsing the text form of fault plans (described in the `fault` module
//! docs, the one description of the grammar). Pure.

use std::fmt;
use std::time::Duration;

use super::plan::{Action, Errno, Per, Rule, Trigger};
use crate::classify::Op;
use crate::errno::code_of;
use crate::os::Os;

/// Why a plan's text did not parse: where, what was expected, what was found.
///
/// ```
/// use flakeproof::fault::FaultPlan;
/// let err = FaultPlan::parse("rename=EBSY").unwrap_err();
/// assert_eq!(err.column(), 8);
/// assert_eq!(err.to_string(), "column 8: `EBSY` is not a known error name: use a name like EBUSY or ERROR_SHARING_VIOLATION, or a number");
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ParseError {
    column: usize,
    message: String,
}

impl ParseError {
    pub(crate) fn new(column: usize, message: String) -> ParseError {
        ParseError { column, message }
    }

    /// 1-based column (in characters) where the problem starts.
    ///
    /// ```
    /// let e = flakeproof::fault::FaultPlan::parse("spawn=").unwrap_err();
    /// assert_eq!(e.column(), 7);
    /// ```
    pub fn column(&self) -> usize {
        self.column
    }
}

impl fmt::Display for ParseError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "column {}: {}", self.column, self.message)
    }
}

impl std::error::Error for ParseError {}

/// Parse `text` into rules, resolving error names for `os`.
pub(crate) fn parse(text: &str, os: Os) -> Result<Vec<Rule>, ParseError> {
    let mut p = Parser {
        chars: text.chars().collect(),
        at: 0,
        os,
    };
    let mut rules = Vec::new();
    loop {
        p.ws();
        if p.eof() {
            break;
        }
        if !p.eat(";") {
            rules.push(p.rule()?);
            p.ws();
            if !p.eof() && !p.eat(";") {
                return Err(p.error("`;` between rules, or the end of the plan"));
            }
        }
    }
    Ok(rules)
}

struct Parser {
    chars: Vec<char>,
    at: usize,
    os: Os,
}

impl Parser {
    fn eof(&self) -> bool {
        self.at >= self.chars.len()
    }

    fn peek(&self) -> Option<char> {
        self.chars.get(self.at).copied()
    }

    fn ws(&mut self) {
        while self.peek().is_some_and(char::is_whitespace) {
            self.at += 1;
        }
    }

    fn eat(&mut self, s: &str) -> bool {
        let n = s.chars().count();
        let matches = self.chars.len() >= self.at + n
            && self.chars[self.at..self.at + n]
                .iter()
                .copied()
                .eq(s.chars());
        if matches {
            self.at += n;
        }
        matches
    }

    fn expect(&mut self, s: &str) -> Result<(), ParseError> {
        self.ws();
        if self.eat(s) {
            Ok(())
        } else {
            Err(self.error(&format!("`{s}`")))
        }
    }

    /// What stands at the cursor, for "found ..." (a token, or "the end").
    fn found(&self) -> String {
        if self.eof() {
            return "the end of the plan".into();
        }
        let word: String = self.chars[self.at..]
            .iter()
            .take_while(|c| c.is_alphanumeric() || **c == '_')
            .take(40)
            .collect();
        if word.is_empty() {
            format!("`{}`", self.chars[self.at])
        } else {
            format!("`{word}`")
        }
    }

    fn error(&self, expected: &str) -> ParseError {
        self.error_at(
            self.at,
            format!("expected {expected}, found {}", self.found()),
        )
    }

    fn error_at(&self, at: usize, message: String) -> ParseError {
        ParseError {
            column: at + 1,
            message,
        }
    }

    /// A run of characters satisfying `f`.
    fn take(&mut self, f: impl Fn(char) -> bool) -> String {
        let start = self.at;
        while self.peek().is_some_and(&f) {
            self.at += 1;
        }
        self.chars[start..self.at].iter().collect()
    }

    fn number(&mut self, what: &str) -> Result<u64, ParseError> {
        self.ws();
        let start = self.at;
        let digits = self.take(|c| c.is_ascii_digit());
        if digits.is_empty() {
            return Err(self.error(what));
        }
        digits
            .parse()
            .map_err(|_| self.error_at(start, format!("{digits} is too large for {what}")))
    }

    fn rule(&mut self) -> Result<Rule, ParseError> {
        self.ws();
        let start = self.at;
        let word = self.take(|c| c.is_ascii_alphanumeric() || c == '_');
        let op = match word.as_str() {
            "any" => None,
            w => match Op::from_name(w) {
                Some(op) => Some(op),
                None => {
                    self.at = start;
                    let names: Vec<&str> = Op::ALL.iter().map(|o| o.name()).collect();
                    return Err(self.error(&format!("an operation ({}, any)", names.join(", "))));
                }
            },
        };
        self.ws();
        let pattern = if self.eat("(") {
            let start = self.at;
            let glob = self.take(|c| c != ')' && c != ';');
            if glob.trim().is_empty() {
                return Err(self.error_at(
                    start,
                    "expected a path pattern such as */stub-*, found nothing".into(),
                ));
            }
            if !self.eat(")") {
                return Err(self.error("`)` to close the path pattern"));
            }
            Some(glob.trim().to_owned())
        } else {
            None
        };
        self.expect("=")?;
        let action = self.action()?;
        self.ws();
        let trigger = if self.eat("@") {
            self.trigger()?
        } else {
            Trigger::Always
        };
        self.ws();
        let per = if self.eat("/per=") {
            self.ws();
            if self.eat("process") {
                Per::Process
            } else if self.eat("tree") {
                Per::Tree
            } else {
                return Err(self.error("a counter scope: per=tree or per=process"));
            }
        } else {
            Per::Tree
        };
        Ok(Rule {
            op,
            pattern,
            action,
            trigger,
            per,
        })
    }

    fn action(&mut self) -> Result<Action, ParseError> {
        self.ws();
        if self.eat("delay(") {
            let d = self.duration()?;
            self.expect(")")?;
            return Ok(Action::Delay(d));
        }
        if self.eat("busy(") {
            let e = self.errno()?;
            self.expect(",")?;
            let d = self.duration()?;
            self.expect(")")?;
            return Ok(Action::Busy(e, d));
        }
        if self.eat("held(") {
            let e = self.errno()?;
            self.expect(")")?;
            return Ok(Action::Held(e));
        }
        Ok(Action::Fail(self.errno()?))
    }

    fn errno(&mut self) -> Result<Errno, ParseError> {
        self.ws();
        let start = self.at;
        if self.peek().is_some_and(|c| c.is_ascii_digit()) {
            let n = self.number("an error number")?;
            let code = i32::try_from(n).ok().filter(|c| *c > 0).ok_or_else(|| {
                self.error_at(
                    start,
                    format!("{n} is not an error number (1 to {})", i32::MAX),
                )
            })?;
            return Ok(Errno { code, name: None });
        }
        let name = self.take(|c| c.is_ascii_alphanumeric() || c == '_');
        if name.is_empty() {
            return Err(self.error("an error name such as EBUSY, delay(..), busy(..) or held(..)"));
        }
        match code_of(self.os, &name) {
            Ok((code, name)) => Ok(Errno {
                code,
                name: Some(name),
            }),
            Err(why) => Err(self.error_at(start, format!("`{name}` {why}"))),
        }
    }

    fn duration(&mut self) -> Result<Duration, ParseError> {
        let n = self.number("a duration such as 20ms")?;
        let start = self.at;
        let unit = self.take(|c| c.is_ascii_alphabetic());
        let nanos_per = match unit.as_str() {
            "ns" => 1,
            "us" => 1_000,
            "ms" => 1_000_000,
            "s" => 1_000_000_000,
            _ => {
                self.at = start;
                return Err(self.error("a unit: ns, us, ms or s"));
            }
        };
        n.checked_mul(nanos_per)
            .map(Duration::from_nanos)
            .ok_or_else(|| self.error_at(start, format!("{n}{unit} is too long")))
    }

    fn trigger(&mut self) -> Result<Trigger, ParseError> {
        self.ws();
        let start = self.at;
        if self.eat("always") {
            return Ok(Trigger::Always);
        }
        if self.eat("every") {
            let n = self.number("how often, as in every3")?;
            if n == 0 {
                return Err(self.error_at(start, "every0 never fires: count from 1".into()));
            }
            return Ok(Trigger::Every(n));
        }
        if self.eat("p") {
            let pstart = self.at;
            let text = self.take(|c| c.is_ascii_digit() || c == '.');
            let p: f64 = text
                .parse()
                .ok()
                .filter(|p: &f64| (0.0..=1.0).contains(p))
                .ok_or_else(|| {
                    self.error_at(
                        pstart,
                        format!("expected a probability from 0 to 1, found `{text}`"),
                    )
                })?;
            self.expect("/seed=")?;
            let seed = self.number("a seed (a whole number)")?;
            return Ok(Trigger::Chance { p, seed });
        }
        let from = if self.peek() == Some('.') {
            1
        } else {
            self.number("a call number, a range like 1..3, every3, always or p0.1/seed=7")?
        };
        if from == 0 {
            return Err(self.error_at(start, "calls are counted from 1".into()));
        }
        self.ws();
        if !self.eat("..") {
            return Ok(Trigger::Calls {
                from,
                to: Some(from),
            });
        }
        self.ws();
        if !self.peek().is_some_and(|c| c.is_ascii_digit()) {
            return Ok(Trigger::Calls { from, to: None });
        }
        let to = self.number("the last call of the range")?;
        if to < from {
            return Err(self.error_at(start, format!("the range {from}..{to} is empty")));
        }
        Ok(Trigger::Calls { from, to: Some(to) })
    }
}

#[cfg(test)]
mod tests;
