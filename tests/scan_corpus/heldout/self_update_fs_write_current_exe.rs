// Synthetic case for flakeproof's scan corpus (hand-made, this project's licence).
// Shape seen in / motivated by: https://github.com/fluvio-community/fluvio/issues/617
use anyhow::Result;

pub async fn update_self(url: &str) -> Result<()> {
    let bytes = crate::http::get_bytes(url).await?;
    crate::verify::check_signature(&bytes)?;
    let exe = std::env::current_exe()?;
    std::fs::write(&exe, &bytes)?;
    println!("updated {}", exe.display());
    Ok(())
}
