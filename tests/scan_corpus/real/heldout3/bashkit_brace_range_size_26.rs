// Real case for flakeproof's scan corpus: an excerpt of the crates.io crate `bashkit` 0.20.2
// (https://static.crates.io/crates/bashkit/bashkit-0.20.2.crate), file `src/parser/budget.rs`.
// Licence: MIT (see ../licences/bashkit-LICENSE.txt).
// excerpt: unrelated items removed; every kept line is verbatim.
fn estimate_brace_range_size(content: &str) -> Option<u64> {
    let parts: Vec<&str> = content.splitn(3, "..").collect();
    if parts.len() < 2 {
        return None;
    }

    // Try numeric range
    if let (Ok(start), Ok(end)) = (parts[0].parse::<i64>(), parts[1].parse::<i64>()) {
        let step = if parts.len() == 3 {
            parts[2].parse::<i64>().ok()?.unsigned_abs().max(1)
        } else {
            1
        };
        let range = ((end as i128) - (start as i128)).unsigned_abs();
        let count = range / u128::from(step) + 1;
        return Some(u64::try_from(count).unwrap_or(u64::MAX));
    }

    // Try single-char range
    if parts[0].len() == 1 && parts[1].len() == 1 {
        let start = parts[0].as_bytes()[0];
        let end = parts[1].as_bytes()[0];
        let range = if end >= start {
            (end - start) as u64
        } else {
            (start - end) as u64
        };
        let step = if parts.len() == 3 {
            parts[2].parse::<u64>().ok()?.max(1)
        } else {
            1
        };
        return Some(range / step + 1);
    }

    None
}

#[cfg(test)]
mod tests {
    use super::*;
    #[test]
    fn estimate_char_range() {
        assert_eq!(estimate_brace_range_size("a..z"), Some(26));
        assert_eq!(estimate_brace_range_size("A..Z"), Some(26));
    }

}
