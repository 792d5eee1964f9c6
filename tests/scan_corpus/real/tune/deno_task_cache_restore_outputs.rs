// Real case for flakeproof's scan corpus: an excerpt of the crates.io crate `deno` 2.9.8
// (https://static.crates.io/crates/deno/deno-2.9.8.crate), file `tools/task_cache.rs`.
// Licence: MIT (see ../licences/deno-LICENSE.txt).
// excerpt: unrelated items removed; every kept line is verbatim.
// Copyright 2018-2026 the Deno authors. MIT license.

impl TaskCache {

  /// Restore captured outputs to the working tree. Files that are missing or
  /// whose contents differ from the cached copy are rewritten; identical files
  /// are left untouched so we don't churn mtimes needlessly.
  fn restore_outputs(&self, key: &TaskCacheKey<'_>, manifest: &CacheManifest) {
    let outputs_dir = self.outputs_dir(key);
    for rel in &manifest.outputs {
      let cached = outputs_dir.join(rel);
      let dest = key.cwd.join(rel);
      if !cached.exists() {
        continue;
      }
      if files_have_equal_contents(&cached, &dest) {
        continue;
      }
      if let Some(parent) = dest.parent()
        && let Err(err) = std::fs::create_dir_all(parent)
      {
        log::debug!("failed to create output dir {}: {err}", parent.display());
        continue;
      }
      if let Err(err) = std::fs::copy(&cached, &dest) {
        log::debug!("failed to restore output {}: {err}", dest.display());
      }
    }
  }

}
