// Real case for flakeproof's scan corpus: an excerpt of the crates.io crate `rattler_package_streaming` 0.28.3
// (https://static.crates.io/crates/rattler_package_streaming/rattler_package_streaming-0.28.3.crate), file `src/archive.rs`.
// Licence: BSD-3-Clause (see ../licences/rattler_package_streaming-LICENSE.txt).
// excerpt: unrelated items removed; every kept line is verbatim.
#[cfg(test)]
mod tests {

    /// A republished archive must fail loudly, not yield garbage — even on
    /// servers (like this test server) that ignore `If-Range`.
    #[tokio::test]
    async fn test_archive_replaced_mid_read_errors() {
        let dir = tempfile::tempdir().unwrap();
        let served = dir.path().join("replaced-test-1.0.0-0.conda");
        std::fs::copy(
            Path::new(env!("CARGO_MANIFEST_DIR"))
                .join("../../test-data/sparse/sparse-test-1.0.0-0.conda"),
            &served,
        )
        .unwrap();
        let url = test_server::serve_file(&served).await;
        let (client, _) = counting_client();

        let archive = PackageArchive::from_url(client, url).await.unwrap();

        // Replace the archive on the server with a different package.
        std::fs::copy(conda_test_file(), &served).unwrap();

        // The payload member no longer matches the parsed index; the read
        // must error rather than return bytes from the wrong archive.
        assert!(archive.read_file("bin/first-file.txt").await.is_err());
    }

}
