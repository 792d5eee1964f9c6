// Real case for flakeproof's scan corpus: an excerpt of the crates.io crate `cargo-llvm-cov` 0.9.1
// (https://static.crates.io/crates/cargo-llvm-cov/cargo-llvm-cov-0.9.1.crate), file `src/report.rs`.
// Licence: Apache-2.0 OR MIT (see ../licences/cargo-llvm-cov-LICENSE-APACHE, ../licences/cargo-llvm-cov-LICENSE-MIT).
// excerpt: unrelated items removed; every kept line is verbatim.
fn merge_profraw(cx: &Context) -> Result<()> {
    // Convert raw profile data.
    let mut input_files = String::new();
    for path in glob::glob(
        Utf8Path::new(&glob::Pattern::escape(cx.ws.target_dir.as_str())).join("*.profraw").as_str(),
    )?
    .filter_map(Result::ok)
    {
        input_files.push_str(os_str_to_str(path.as_os_str())?);
        input_files.push('\n');
    }
    if input_files.is_empty() {
        if cx.ws.profdata_file.exists() {
            return Ok(());
        }
        bail!(
            "not found *.profraw files in {}; this may occur if target directory is accidentally \
             cleared, or running report subcommand without running any tests or binaries",
            cx.ws.target_dir
        );
    }
    let input_files_path = &cx.ws.target_dir.join(format!("{}-profraw-list", cx.ws.name));
    fs::write(input_files_path, input_files)?;
    let mut cmd = cx.process(&cx.llvm_profdata);
    cmd.args(["merge", "-sparse"])
        .arg("-f")
        .arg(input_files_path)
        .arg("-o")
        .arg(&cx.ws.profdata_file);
    if let Some(mode) = &cx.args.report.failure_mode {
        cmd.arg(format!("-failure-mode={mode}"));
    }
    if let Some(flags) = &cx.llvm_profdata_flags {
        cmd.args(flags.split(' ').filter(|s| !s.trim_start().is_empty()));
    }
    if term::verbose() {
        status!("Running", "{cmd}");
    }
    cmd.stdout_to_stderr().run()?;
    Ok(())
}
