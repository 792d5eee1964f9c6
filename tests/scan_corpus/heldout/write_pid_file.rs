// Synthetic case for flakeproof's scan corpus (hand-made, this project's licence).
// Shape seen in / motivated by: https://github.com/rust-lang/rust/issues/114554
pub fn write_pid(run_dir: &std::path::Path) -> std::io::Result<()> {
    std::fs::write(run_dir.join("daemon.pid"), std::process::id().to_string())
}
