// Real case for flakeproof's scan corpus: an excerpt of the crates.io crate `cargo-pgrx` 0.19.4
// (https://static.crates.io/crates/cargo-pgrx/cargo-pgrx-0.19.4.crate), file `src/command/sudo_install.rs`.
// Licence: MIT (see ../licences/cargo-pgrx-LICENSE.txt).
// excerpt: unrelated items removed; every kept line is verbatim.
impl CommandExecute for SudoInstall {
    fn execute(self) -> eyre::Result<()> {
        fn make_absolute(p: &Path) -> PathBuf {
            PathBuf::from_iter(vec![PathBuf::from("/").as_path(), p])
        }

        // even tho we're an "install" command, directly use the `package` command to build
        // the extension as we want it to build out the directory structure in `./target/...`
        // from there we'll use sudo to copy each file created to the actual location on disk
        let package: Package = self.clone().into();
        let (outdir, output_files) = package.perform()?;

        eprintln!();
        eprintln!("Using sudo to copy extension files from {}", outdir.display().cyan());
        let outdir = outdir.canonicalize()?;
        for src in output_files {
            let src = src.canonicalize()?;
            let dest_abs = make_absolute(src.strip_prefix(&outdir)?);
            let dest = dest_abs.canonicalize().unwrap_or(dest_abs);

            if !cfg!(target_os = "windows") {
                println!(
                    "{} sudo cp {} {}",
                    "       Running".bold().green(),
                    src.display(),
                    dest.display()
                );

                // we're about to run `sudo` to copy some files, one at a time
                let mut command = Command::new("sudo"); // NB:  If we ever support Windows...
                command.arg("cp").arg(&src).arg(&dest);

                let mut child = command.spawn()?;

                let status = child.wait()?;
                if !status.success() {
                    // sudo failed.  let the user know and get out now
                    eprintln!("sudo command failed with status `{}`", format!("{status:?}").red());
                    std::process::exit(status.code().unwrap_or(1));
                }
            } else {
                println!(
                    "{} cp {} {}",
                    "       Running".bold().green(),
                    src.display(),
                    dest.display()
                );

                std::fs::copy(src, dest)?;
            }
        }

        Ok(())
    }
}
