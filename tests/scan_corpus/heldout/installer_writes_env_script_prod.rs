// Synthetic case for flakeproof's scan corpus (hand-made, this project's licence).
// Shape seen in / motivated by: https://github.com/rust-lang/rustup
use std::path::Path;

const ENV_SH: &str = "#!/bin/sh\ncase \":${PATH}:\" in\n  *:\"{cargo_bin}\":*) ;;\n  *) export PATH=\"{cargo_bin}:$PATH\" ;;\nesac\n";

pub fn write_env_file(cargo_home: &Path) -> std::io::Result<()> {
    let bin = cargo_home.join("bin");
    let text = ENV_SH.replace("{cargo_bin}", &bin.to_string_lossy());
    std::fs::write(cargo_home.join("env"), text)
}
