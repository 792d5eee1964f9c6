//! A tiny program for tests that need a real executable stub (a `.exe` on
//! Windows): it prints `helper` and its arguments, and exits with the code
//! given by `--exit N`. Tests find it beside their own binary, in
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
    std::process::exit(code);
}
