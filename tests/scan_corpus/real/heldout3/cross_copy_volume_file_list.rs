// Real case for flakeproof's scan corpus: an excerpt of the crates.io crate `cross` 0.2.5
// (https://static.crates.io/crates/cross/cross-0.2.5.crate), file `src/docker/remote.rs`.
// Licence: MIT OR Apache-2.0 (see ../licences/cross-LICENSE-APACHE, ../licences/cross-LICENSE-MIT).
// excerpt: unrelated items removed; every kept line is verbatim.
// copy files for a docker volume, for remote host support
// provides a list of files relative to src.
fn copy_volume_file_list(
    engine: &Engine,
    container: &str,
    src: &Path,
    dst: &Path,
    files: &[&str],
    msg_info: &mut MessageInfo,
) -> Result<ExitStatus> {
    // SAFETY: safe, single-threaded execution.
    let tempdir = unsafe { temp::TempDir::new()? };
    let temppath = tempdir.path();
    for file in files {
        let src_path = src.join(file);
        let dst_path = temppath.join(file);
        fs::create_dir_all(dst_path.parent().expect("must have parent"))?;
        fs::copy(&src_path, &dst_path)?;
    }
    copy_volume_files(engine, container, temppath, dst, msg_info)
}
