// Synthetic case for flakeproof's scan corpus (hand-made, this project's licence).
// Shape seen in / motivated by: https://github.com/rust-lang/rust/issues/114554
use std::time::Duration;

#[derive(Debug)]
pub enum PinentryError {
    Spawn { source: std::io::Error },
    Protocol(String),
}

#[cfg(test)]
mod tests {
    use super::*;

    async fn retrying<T>(
        mut dialog: impl AsyncFnMut() -> Result<T, PinentryError>,
    ) -> Result<T, PinentryError> {
        for _ in 0..50 {
            match dialog().await {
                Err(PinentryError::Spawn { source })
                    if source.raw_os_error() == Some(libc::ETXTBSY) =>
                {
                    tokio::time::sleep(Duration::from_millis(20)).await;
                }
                other => return other,
            }
        }
        dialog().await
    }
}
