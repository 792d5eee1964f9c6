//! A tiny program for tests that need a real executable stub (a `.exe` on
//! Windows): it prints `helper` and its arguments, and exits with the code
//! given by `--exit N`. With `--hold` it keeps running until its stdin is
//! closed, so a test can replace it while it runs and end it without a
//! timer. Tests find it beside their own binary, in
//! `target/.../examples/`, which `cargo test` builds.
//!
//!     cargo run --example stub_helper -- a b --exit 3

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let code = args
        .iter()
        .position(|a| a == "--exit")
        .and_then(|i| args.get(i + 1)?.parse().ok())
        .unwrap_or(0);
    println!("helper {}", args.join(" "));
    if args.iter().any(|a| a == "--hold") {
        use std::io::{Read, Write};
        std::io::stdout().flush().expect("stdout");
        let _ = std::io::stdin().read_to_end(&mut Vec::new());
    }
    std::process::exit(code);
}
