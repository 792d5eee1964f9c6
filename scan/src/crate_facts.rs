//! Whether a crate is built for Windows, from what a crate says outside
//! any one file: its `Cargo.toml`, and a cfg naming Windows in any of its
//! files. A cross-platform crate (maturin, nextest, tauri-cli) renames its
//! build outputs in code every OS builds, with no cfg in the file at hand;
//! of the 37 published crates the scan corpus takes excerpts from, 35 name
//! Windows in a cfg somewhere, 20 in their `Cargo.toml`.

use proc_macro2::{TokenStream, TokenTree};

/// Does this `Cargo.toml` build for Windows on purpose: a
/// `[target.'cfg(windows)'...]` (or `target_os = "windows"`, or a
/// `*-windows-*` triple) table, or a dependency on `winapi`,
/// `windows-sys` or `windows`?
///
/// A manifest is configuration, not code: its section headers and keys
/// are read line by line.
///
/// ```
/// use flakeproof_scan::manifest_builds_for_windows as w;
/// assert!(w("[package]\nname = \"a\"\n[target.'cfg(windows)'.dependencies]\njunction = \"1\"\n"));
/// assert!(w("[dependencies]\nwindows-sys = { version = \"0.59\" }\n"));
/// assert!(w("[dependencies.winapi]\nversion = \"0.3\"\n"));
/// assert!(w("[dependencies] # what we link\nwindows-sys.workspace = true\n"));
/// assert!(!w("[package]\nname = \"windows-helper\"\n[dependencies]\nlibc = \"0.2\"\n"));
/// ```
pub fn manifest_builds_for_windows(manifest: &str) -> bool {
    const DEPS: [&str; 4] = ["winapi", "windows-sys", "windows_sys", "windows"];
    let mut in_deps = false;
    for line in manifest.lines() {
        // (A `#` inside a quoted value is cut too: values are not read.)
        let line = line.split_once('#').map_or(line, |(code, _)| code).trim();
        if let Some(header) = line.strip_prefix('[') {
            let header = header.trim_start_matches('[').trim_end_matches(']');
            if header.starts_with("target.") && header.contains("windows") {
                return true;
            }
            // `[dependencies.winapi]`, `[target.x.dependencies.windows-sys]`
            let mut parts = header.rsplitn(2, '.');
            let (last, rest) = (parts.next().unwrap_or(""), parts.next().unwrap_or(""));
            if rest.ends_with("dependencies") && DEPS.contains(&last.trim_matches(['"', '\''])) {
                return true;
            }
            in_deps = header.ends_with("dependencies");
            continue;
        }
        // `windows-sys = ..`, `windows-sys.workspace = true`
        if in_deps
            && let Some((key, _)) = line.split_once('=')
            && DEPS.contains(
                &key.split('.')
                    .next()
                    .unwrap_or("")
                    .trim()
                    .trim_matches(['"', '\'']),
            )
        {
            return true;
        }
    }
    false
}

/// Does this Rust file name Windows in a cfg (`#[cfg(windows)]`,
/// `cfg!(target_os = "windows")`, `cfg_attr(windows, ..)`, a `cfg_if!`
/// arm) or use `std::os::windows`? Tokens only, no parse: the command asks
/// this of a crate's files until one says yes, before scanning them.
/// Text that does not lex, or nests deeper than `scan` parses, says no.
///
/// ```
/// use flakeproof_scan::mentions_windows as m;
/// assert!(m("#[cfg(windows)] fn f() {}"));
/// assert!(m("fn f() { if cfg!(target_os = \"windows\") {} }"));
/// assert!(m("use std::os::windows::fs::MetadataExt;"));
/// assert!(!m("// cfg(windows) in a comment\nfn windows() {}"));
/// ```
pub fn mentions_windows(source: &str) -> bool {
    // Nested past the scan's own limit: not lexed, so the walk below (one
    // frame per bracket) can't overflow the stack.
    if crate::analyze::too_deep("", source).is_err() {
        return false;
    }
    let found = source
        .parse::<TokenStream>()
        .is_ok_and(|t| in_stream(t, false));
    // Spans are kept per thread for as long as it lives (see analyze.rs).
    proc_macro2::extra::invalidate_current_thread_spans();
    found
}

fn in_stream(tokens: TokenStream, in_cfg: bool) -> bool {
    let mut prev: Vec<String> = Vec::new();
    for t in tokens {
        match t {
            TokenTree::Group(g) => {
                let cfg = in_cfg
                    || prev
                        .iter()
                        .rev()
                        .find(|p| *p != "!")
                        .is_some_and(|p| p == "cfg" || p == "cfg_attr");
                if in_stream(g.stream(), cfg) {
                    return true;
                }
                prev.clear();
            }
            TokenTree::Ident(i) => {
                let s = i.to_string();
                let path_os = prev.len() >= 3 && prev[prev.len() - 3..] == ["os", ":", ":"];
                if (in_cfg || path_os) && s == "windows" {
                    return true;
                }
                prev.push(s);
            }
            TokenTree::Literal(l) => {
                if in_cfg && l.to_string() == "\"windows\"" {
                    return true;
                }
                prev.push(l.to_string());
            }
            TokenTree::Punct(p) => prev.push(p.as_char().to_string()),
        }
        if prev.len() > 8 {
            prev.drain(..prev.len() - 4);
        }
    }
    false
}
