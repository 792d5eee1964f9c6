// Real case for flakeproof's scan corpus: an excerpt of the crates.io crate `dprint` 0.64.3
// (https://static.crates.io/crates/dprint/dprint-0.64.3.crate), file `src/plugins/implementations/process/setup_process_plugin.rs`.
// Licence: MIT (see ../licences/dprint-LICENSE).
// excerpt: unrelated items removed; every kept line is verbatim.
async fn setup_from_zip<TEnvironment: Environment>(
  plugin_cache_dir_path: &Path,
  plugin_name: String,
  plugin_version: String,
  zip_bytes: &[u8],
  environment: &TEnvironment,
) -> Result<SetupPluginResult> {
  // stage the extract in a sibling temp dir so a crash mid-extract can't
  // leave the destination half-populated for a future run to mistake as
  // "already set up". Caller's fs_lock prevents a competing setup against
  // the same source.
  let temp_dir = get_atomic_path(environment, plugin_cache_dir_path);
  environment.mk_dir_all(&temp_dir)?;
  if let Err(err) = extract_zip(&format!("Extracting zip for {}", plugin_name), zip_bytes, &temp_dir, environment) {
    environment.try_remove_dir_all(&temp_dir);
    return Err(err);
  }
  let executable_sub_path = get_plugin_executable_file_name(&plugin_name);
  let temp_executable = temp_dir.join(&executable_sub_path);
  if !environment.path_exists(&temp_executable) {
    environment.try_remove_dir_all(&temp_dir);
    bail!("Plugin zip file did not contain required executable at: {}", temp_executable.display(),);
  }
  // remove any existing directory before moving the staged extract into place.
  // surface a removal failure directly — otherwise the rename below fails with
  // a confusing "directory not empty" error that hides the real cause.
  if let Err(err) = environment.remove_dir_all(plugin_cache_dir_path) {
    environment.try_remove_dir_all(&temp_dir);
    return Err(err.into());
  }
  if let Err(err) = environment.rename(&temp_dir, plugin_cache_dir_path) {
    environment.try_remove_dir_all(&temp_dir);
    return Err(err.into());
  }

  let plugin_executable_file_path = plugin_cache_dir_path.join(&executable_sub_path);
  start_communicator_and_collect_info(plugin_executable_file_path, Some(executable_sub_path), plugin_version, plugin_name, environment).await
}

