// Synthetic case for flakeproof's scan corpus (hand-made, this project's licence).
// Shape seen in / motivated by: https://github.com/DioxusLabs/dioxus/issues/5275
use std::path::Path;
use tokio::process::Command;

pub async fn deploy_and_probe(build: &Path, program: &Path) -> std::io::Result<bool> {
    tokio::fs::copy(build, program).await?;
    let out = Command::new(program).arg("--health").output().await?;
    Ok(out.status.success())
}
