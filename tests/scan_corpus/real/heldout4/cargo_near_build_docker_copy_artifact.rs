// Real case for flakeproof's scan corpus: an excerpt of the crates.io crate `cargo-near-build` 0.11.5
// (https://static.crates.io/crates/cargo-near-build/cargo-near-build-0.11.5.crate), file `src/types/near/docker_build/cloned_repo.rs`.
// Licence: MIT OR Apache-2.0 (see ../licences/cargo-near-build-LICENSE.txt).
// excerpt: unrelated items removed; every kept line is verbatim.
impl ClonedRepo {

    pub fn copy_artifact(
        self,
        in_wasm_path: camino::Utf8PathBuf,
        cli_override: Option<camino::Utf8PathBuf>,
    ) -> eyre::Result<BuildArtifact> {
        let destination_crate_metadata = {
            let cargo_toml_path: camino::Utf8PathBuf = {
                let mut path = self.initial_crate_in_repo.crate_root.clone();
                path.push(MANIFEST_FILE_NAME);
                path
            };
            let manifest_path = ManifestPath::try_from(cargo_toml_path)?;
            CrateMetadata::collect(manifest_path, self.no_locked, &CargoTargetDir::NoOp, None)?
        };

        let destination_dir = destination_crate_metadata
            .get_legacy_cargo_near_output_path(cli_override)?
            .out_dir;

        copy(in_wasm_path, destination_dir)
    }
}

fn copy(
    in_wasm_path: camino::Utf8PathBuf,
    mut destination_dir: camino::Utf8PathBuf,
) -> eyre::Result<BuildArtifact> {
    let file_name = in_wasm_path
        .file_name()
        .expect("expected to be a wasm file path name as the result of [near_verify_rs::logic::nep330_build::run]");
    let out_wasm_path = {
        destination_dir.push(file_name);
        destination_dir
    };
    if out_wasm_path.exists() {
        println!(" {}", "removing previous artifact".cyan());
        std::fs::remove_file(&out_wasm_path)?;
    }
    std::fs::copy::<camino::Utf8PathBuf, camino::Utf8PathBuf>(in_wasm_path, out_wasm_path.clone())?;
    let result = BuildArtifact {
        path: out_wasm_path,
        fresh: true,
        from_docker: true,
        builder_version_info: Some(VersionInfo::UnknownFromDocker),
        artifact_type: PhantomData,
    };
    let mut messages = ArtifactMessages::default();
    messages.push_binary(&result)?;
    messages.pretty_print();

    Ok(result)
}
