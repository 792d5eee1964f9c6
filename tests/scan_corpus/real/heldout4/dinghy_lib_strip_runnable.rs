// Real case for flakeproof's scan corpus: an excerpt of the crates.io crate `dinghy-lib` 0.8.6
// (https://static.crates.io/crates/dinghy-lib/dinghy-lib-0.8.6.crate), file `src/platform/mod.rs`.
// Licence: MIT/Apache-2.0 (see ../licences/dinghy-lib-LICENSE.txt).
// excerpt: unrelated items removed; every kept line is verbatim.
pub fn strip_runnable(runnable: &Runnable, mut command: Command) -> Result<Runnable> {
    let exe_stripped_name = file_name_as_str(&runnable.exe)?;

    let mut stripped_runnable = runnable.clone();
    stripped_runnable.exe = runnable
        .exe
        .parent()
        .map(|it| it.join(format!("{}-stripped", exe_stripped_name)))
        .with_context(|| format!("{} is not a valid executable name", &runnable.exe.display()))?;

    // Backup old runnable
    fs::copy(&runnable.exe, &stripped_runnable.exe)?;

    let command = command.arg(&stripped_runnable.exe);
    debug!("Running command {:?}", command);

    let output = command.log_invocation(2).output()?;
    if !output.status.success() {
        bail!(
            "Error while stripping {}\nError: {}",
            &stripped_runnable.exe.display(),
            String::from_utf8(output.stdout)?
        )
    }

    debug!(
        "{} unstripped size = {} and stripped size = {}",
        runnable.exe.display(),
        fs::metadata(&runnable.exe)?.len(),
        fs::metadata(&stripped_runnable.exe)?.len()
    );
    Ok(stripped_runnable)
}
