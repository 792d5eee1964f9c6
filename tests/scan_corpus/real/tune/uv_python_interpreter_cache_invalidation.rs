// Real case for flakeproof's scan corpus: an excerpt of the crates.io crate `uv-python` 0.0.90
// (https://static.crates.io/crates/uv-python/uv-python-0.0.90.crate), file `src/interpreter.rs`.
// Licence: MIT OR Apache-2.0 (see ../licences/uv-python-LICENSE.txt).
// excerpt: unrelated items removed; every kept line is verbatim.
#[cfg(test)]
mod tests {
    use std::str::FromStr;

    use anyhow::Result;
    use fs_err as fs;
    use indoc::{formatdoc, indoc};
    use serde_json::Value;
    use tempfile::tempdir;

    use uv_cache::{Cache, CacheBucket};
    use uv_cache_info::Timestamp;
    use uv_pep440::Version;

    use crate::Interpreter;

    #[tokio::test]
    async fn test_cache_invalidation() {
        let mock_dir = tempdir().unwrap();
        let mocked_interpreter = mock_dir.path().join("python");
        let query_log = mock_dir.path().join("queries");
        let json = mocked_interpreter_response().replace(
            "{sys_executable}",
            &mocked_interpreter.display().to_string(),
        );

        let cache = Cache::temp().unwrap().init().await.unwrap();

        fs::write(
            &mocked_interpreter,
            formatdoc! {r"
        #!/bin/sh
        echo queried >> '{}'
        echo '{json}'
        ", query_log.display()},
        )
        .unwrap();

        fs::set_permissions(
            &mocked_interpreter,
            std::os::unix::fs::PermissionsExt::from_mode(0o770),
        )
        .unwrap();
        let interpreter = Interpreter::query(&mocked_interpreter, &cache).unwrap();
        assert_eq!(
            interpreter.markers.python_version().version,
            Version::from_str("3.12").unwrap()
        );
        assert!(cache.bucket(CacheBucket::Interpreter).is_dir());
        assert_eq!(fs::read_to_string(&query_log).unwrap(), "queried\n");

        let interpreter = Interpreter::query(&mocked_interpreter, &cache).unwrap();
        assert_eq!(
            interpreter.markers.python_version().version,
            Version::from_str("3.12").unwrap()
        );
        assert_eq!(fs::read_to_string(&query_log).unwrap(), "queried\n");

        let timestamp = Timestamp::from_path(&mocked_interpreter).unwrap();
        fs::write(
            &mocked_interpreter,
            formatdoc! {r"
        #!/bin/sh
        echo queried >> '{}'
        echo '{}'
        ", query_log.display(), json.replace("3.12", "3.13")},
        )
        .unwrap();
        assert_ne!(
            Timestamp::from_path(&mocked_interpreter).unwrap(),
            timestamp
        );
        let interpreter = Interpreter::query(&mocked_interpreter, &cache).unwrap();
        assert_eq!(
            interpreter.markers.python_version().version,
            Version::from_str("3.13").unwrap()
        );
        assert_eq!(
            fs::read_to_string(&query_log).unwrap(),
            "queried\nqueried\n"
        );
    }

}
