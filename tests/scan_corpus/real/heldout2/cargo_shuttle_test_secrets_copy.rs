// Real case for flakeproof's scan corpus: an excerpt of the crates.io crate `cargo-shuttle` 0.57.3
// (https://static.crates.io/crates/cargo-shuttle/cargo-shuttle-0.57.3.crate), file `tests/integration/run.rs` (a test file).
// Licence: Apache-2.0 (see ../licences/cargo-shuttle-LICENSE.txt).
// excerpt: unrelated items removed; every kept line is verbatim.
#[tokio::test(flavor = "multi_thread")]
async fn rocket_secrets() {
    std::fs::copy(
        "../examples/rocket/secrets/Secrets.toml.example",
        "../examples/rocket/secrets/Secrets.toml",
    )
    .unwrap();

    let url = shuttle_run("../examples/rocket/secrets", false).await;

    let request_text = reqwest::Client::new()
        .get(format!("{url}/secret"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();

    assert_eq!(request_text, "the contents of my API key");
}
