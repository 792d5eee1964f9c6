//! File operations that ride out what another process does to a file for a
//! moment: std's names (`rename`, `remove_file`, `remove_dir_all`, `copy`)
//! with std's meaning, retried on this OS's transient errors for each
//! operation ([`Classifier::for_op`](crate::Classifier::for_op)), within a budget you pick. Unlike
//! [`crate::fs`], which mirrors std and never retries, these retry; the
//! retries are never hidden: an [`on_retry`](Robust::on_retry) hook sees
//! each one, and the `Robust` methods return a [`RetryReport`](crate::retry::RetryReport).
//!
//! See the tables below for what is retried on each OS, for how long, and
//! what other projects do.
//!
//! ```
//! use flakeproof::robust;
//! let dir = tempfile::tempdir()?;
//! std::fs::write(dir.path().join("a"), "x")?;
//! robust::rename(dir.path().join("a"), dir.path().join("b"))?; // std's rename, riding out a scanner
//! robust::remove_file(dir.path().join("b"))?;
//! # Ok::<(), std::io::Error>(())
//! ```

#![doc = include_str!("budgets.md")]

mod ops;
mod write;

pub use ops::{Budget, Robust, copy, remove_dir_all, remove_file, rename};
#[cfg(feature = "tokio")]
pub use ops::{copy_async, remove_dir_all_async, remove_file_async, rename_async};
