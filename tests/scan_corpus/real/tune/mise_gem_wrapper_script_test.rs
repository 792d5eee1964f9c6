// Real case for flakeproof's scan corpus: an excerpt of the crates.io crate `mise` 2026.10.25
// (https://static.crates.io/crates/mise/mise-2026.10.25.crate), file `src/backend/gem.rs`.
// Licence: MIT (see ../licences/mise-LICENSE).
// excerpt: unrelated items removed; every kept line is verbatim.
#[cfg(test)]
mod tests {
    use super::*;

    /// The wrapper must run the executable it was generated for, even when the
    /// install directory or the executable's name contains spaces or shell
    /// metacharacters, and must not run anything else.
    #[cfg(unix)]
    #[test]
    fn unix_wrapper_quotes_paths_with_shell_metacharacters() {
        let dir_names = [
            "plain",
            "with space",
            "semi;colon",
            "dollar$(touch pwned)",
            "brace{1,2}",
            "quote's",
        ];
        // A bare name keeps the executable path free of its own metacharacters,
        // so only the install directory can make the path need quoting.
        for (dir_name, exe_name) in dir_names
            .into_iter()
            .flat_map(|d| ["tool", "tool;touch injected"].map(|e| (d, e)))
        {
            let tmp = tempfile::tempdir().unwrap();
            let libexec = tmp.path().join(dir_name).join("libexec");
            let bin = libexec.join("bin");
            std::fs::create_dir_all(&bin).unwrap();
            let exe = bin.join(exe_name);
            std::fs::write(
                &exe,
                "#!/bin/sh\necho \"home=$GEM_HOME\"\nprintf '<%s>\\n' \"$@\"\n",
            )
            .unwrap();
            file::make_executable(&exe).unwrap();

            let wrapper = tmp.path().join("wrapper");
            let script = unix_wrapper_script(libexec.to_str().unwrap(), exe.to_str().unwrap());
            std::fs::write(&wrapper, script).unwrap();
            file::make_executable(&wrapper).unwrap();

            let out = std::process::Command::new(&wrapper)
                .args(["a", "b c"])
                .current_dir(tmp.path())
                .output()
                .unwrap();
            assert!(out.status.success(), "{dir_name} {exe_name}: {out:?}");
            assert_eq!(
                String::from_utf8_lossy(&out.stdout),
                format!("home={}\n<a>\n<b c>\n", libexec.display()),
                "{dir_name} {exe_name}"
            );
            assert!(
                !tmp.path().join("injected").exists(),
                "{dir_name} {exe_name}"
            );
            assert!(!tmp.path().join("pwned").exists(), "{dir_name} {exe_name}");
        }
    }

}
