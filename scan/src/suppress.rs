//! Silencing a finding: `// flakeproof: allow(rule-id) reason` on the
//! finding's line, or on the comment lines right above it (above the
//! statement's first line when the finding is in a method chain). The reason is
//! required: an allow without one silences nothing and says so.

use crate::finding::Finding;

const MARK: &str = "flakeproof: allow(";

/// The allows a line's comment holds: (rule ids, has a reason).
fn allows(line: &str) -> Option<(Vec<&str>, bool)> {
    let c = comment_start(line)?;
    let comment = &line[c..];
    let at = comment.find(MARK)?;
    let rest = &comment[at + MARK.len()..];
    let close = rest.find(')')?;
    let ids = rest[..close]
        .split(',')
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .collect();
    let reason = !rest[close + 1..].trim().is_empty();
    Some((ids, reason))
}

/// Where the line's `//` comment starts, strings and character literals
/// skipped: `"// flakeproof: allow(x) y"` in a string is no comment. (A
/// line inside a string spread over lines is read as code.)
fn comment_start(line: &str) -> Option<usize> {
    let b = line.as_bytes();
    let mut i = 0;
    while i < b.len() {
        match b[i] {
            b'/' if b.get(i + 1) == Some(&b'/') => return Some(i),
            b'"' => {
                // A raw string `r#"..."#` ends at a quote and as many `#`s.
                let hashes = b[..i].iter().rev().take_while(|&&c| c == b'#').count();
                let raw = i > hashes && b[i - hashes - 1] == b'r';
                i += 1;
                while i < b.len() {
                    if !raw && b[i] == b'\\' {
                        i += 2;
                        continue;
                    }
                    if b[i] == b'"' && b[i + 1..].iter().take(hashes).all(|&c| c == b'#') {
                        i += if raw { hashes } else { 0 };
                        break;
                    }
                    i += 1;
                }
            }
            // '"' and '\'' (a lifetime has no closing quote).
            b'\'' if b.get(i + 2) == Some(&b'\'') => i += 2,
            b'\'' if b.get(i + 1) == Some(&b'\\') && b.get(i + 3) == Some(&b'\'') => i += 3,
            _ => {}
        }
        i += 1;
    }
    None
}

fn comment_only(line: &str) -> bool {
    line.trim_start().starts_with("//")
}

/// Split findings into kept and silenced; a reasonless allow leaves the
/// finding kept, with a note.
pub(crate) fn apply(source: &str, findings: Vec<Finding>) -> (Vec<Finding>, usize) {
    let lines: Vec<&str> = source.lines().collect();
    let mut kept = Vec::new();
    let mut silenced = 0;
    for mut f in findings {
        let mut candidates = Vec::new();
        if let Some(l) = lines.get(f.line.wrapping_sub(1)) {
            candidates.push(*l);
        }
        // Up through a method chain's lines (`.open(&p)` under
        // `OpenOptions::new()`) to the statement's first line, then the
        // comment lines above it.
        let mut i = f.line.wrapping_sub(1);
        while lines
            .get(i)
            .is_some_and(|l| l.trim_start().starts_with('.'))
        {
            i = i.wrapping_sub(1);
            if let Some(l) = lines.get(i) {
                candidates.push(*l);
            }
        }
        i = i.wrapping_sub(1);
        while let Some(l) = lines
            .get(i)
            .filter(|l| comment_only(l) || l.trim_start().starts_with('.'))
        {
            candidates.push(*l);
            i = i.wrapping_sub(1);
        }
        let hit = candidates
            .iter()
            .filter_map(|l| allows(l))
            .find(|(ids, _)| ids.contains(&f.rule.id()));
        match hit {
            Some((_, true)) => silenced += 1,
            Some((_, false)) => {
                let n = "the allow comment names no reason, so it silences nothing: \
                         `// flakeproof: allow(rule-id) why this is fine`";
                f.note = Some(match f.note.take() {
                    Some(old) => format!("{old}; {n}"),
                    None => n.to_string(),
                });
                kept.push(f);
            }
            None => kept.push(f),
        }
    }
    (kept, silenced)
}
