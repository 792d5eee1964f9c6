// Synthetic case for flakeproof's scan corpus (hand-made, this project's licence).
// Shape seen in / motivated by: https://github.com/DioxusLabs/dioxus/issues/5275
use std::path::Path;
use std::process::Command;

pub fn install_and_open(built_exe: &Path, bundle_dir: &Path) -> std::io::Result<std::process::Child> {
    let main_exe = bundle_dir.join("Contents").join("MacOS").join("app");
    std::fs::create_dir_all(main_exe.parent().unwrap())?;
    std::fs::copy(built_exe, &main_exe)?;
    Command::new(&main_exe).spawn()
}
