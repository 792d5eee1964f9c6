// Real case for flakeproof's scan corpus: an excerpt of the crates.io crate `sccache` 0.19.0
// (https://static.crates.io/crates/sccache/sccache-0.19.0.crate), file `src/util.rs`.
// Licence: Apache-2.0 (see ../licences/sccache-LICENSE).
// excerpt: unrelated items removed; every kept line is verbatim.
#[cfg(test)]
mod tests {

    #[test]
    #[cfg(unix)]
    fn test_resolve_compiler_avoiding_ccache_skips_symlink_to_ccache() {
        use std::env;
        use std::os::unix::fs::symlink;

        let temp_dir = tempfile::tempdir().unwrap();
        let ccache_dir = temp_dir.path().join("ccache_bin");
        let real_dir = temp_dir.path().join("real_bin");
        std::fs::create_dir_all(&ccache_dir).unwrap();
        std::fs::create_dir_all(&real_dir).unwrap();

        // Create a fake "ccache" binary
        let ccache_bin = ccache_dir.join("ccache");
        std::fs::write(&ccache_bin, "fake ccache").unwrap();

        // Create a symlink "gcc" -> "ccache" in ccache_dir
        let gcc_symlink = ccache_dir.join("gcc");
        symlink(&ccache_bin, &gcc_symlink).unwrap();

        // Create a real "gcc" binary in real_dir
        let real_gcc = real_dir.join("gcc");
        std::fs::write(&real_gcc, "real gcc").unwrap();

        // Set up PATH with ccache_dir first, then real_dir
        let path = env::join_paths([&ccache_dir, &real_dir]).unwrap();
        let env_vars = vec![(OsString::from("PATH"), path)];

        let resolved = resolve_compiler_avoiding_wrapper(Path::new("gcc"), &env_vars);

        // Should skip the symlink to ccache and find the real gcc
        assert_eq!(resolved, real_gcc);
    }

}
