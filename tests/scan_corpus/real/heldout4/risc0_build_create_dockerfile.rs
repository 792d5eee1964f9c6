// Real case for flakeproof's scan corpus: an excerpt of the crates.io crate `risc0-build` 3.0.7-rc.1
// (https://static.crates.io/crates/risc0-build/risc0-build-3.0.7-rc.1.crate), file `src/docker.rs`.
// Licence: Apache-2.0 (see ../licences/risc0-build-LICENSE.txt).
// excerpt: unrelated items removed; every kept line is verbatim.
/// Create the dockerfile.
///
/// Overwrites if a dockerfile already exists.
fn create_dockerfile(manifest_path: &Path, temp_dir: &Path, guest_info: &GuestInfo) -> Result<()> {
    let manifest_env = &[("CARGO_MANIFEST_PATH", manifest_path.to_str().unwrap())];
    let encoded_rust_flags = encode_rust_flags(&guest_info.metadata, true);
    let rustflags_env = &[("CARGO_ENCODED_RUSTFLAGS", encoded_rust_flags.as_str())];

    let common_args = vec![
        "--locked",
        "--target",
        RISC0_TARGET_TRIPLE,
        "--manifest-path",
        "$CARGO_MANIFEST_PATH",
    ];

    let mut build_args = common_args.clone();
    let features_str = guest_info.options.features.join(",");
    if !guest_info.options.features.is_empty() {
        build_args.push("--features");
        build_args.push(&features_str);
    }

    let fetch_cmd = [&["cargo", "+risc0", "fetch"], common_args.as_slice()]
        .concat()
        .join(" ");
    let build_cmd = [
        &["cargo", "+risc0", "build", "--release"],
        build_args.as_slice(),
    ]
    .concat()
    .join(" ");

    let docker_opts = guest_info.options.use_docker.clone().unwrap_or_default();
    let docker_tag = format!(
        "risczero/risc0-guest-builder:{}",
        docker_opts.docker_container_tag()
    );

    let mut build = DockerFile::new()
        .from_alias("build", &docker_tag)
        .workdir("/src")
        .copy(".", ".")
        .env(manifest_env)
        .env(rustflags_env)
        .env(&[("CARGO_TARGET_DIR", "target")])
        .env(&[("RISC0_FEATURE_bigint2", "")])
        .env(&[(
            "CC_riscv32im_risc0_zkvm_elf",
            "/root/.risc0/cpp/bin/riscv32-unknown-elf-gcc",
        )])
        .env(&[("CFLAGS_riscv32im_risc0_zkvm_elf", "-march=rv32im -nostdlib")]);

    let docker_env = docker_opts.env();
    if !docker_env.is_empty() {
        build = build.env(&docker_env);
    }

    build = build
        // Fetching separately allows docker to cache the downloads, assuming the Cargo.lock
        // doesn't change.
        .run(&fetch_cmd)
        .run(&build_cmd);

    let src_dir = format!("/src/target/{RISC0_TARGET_TRIPLE}/release");
    let binary = DockerFile::new()
        .comment("export stage")
        .from_alias("export", "scratch")
        .copy_from("build", &src_dir, "/");

    let file = DockerFile::new().dockerfile(build).dockerfile(binary);
    fs::write(temp_dir.join("Dockerfile"), file.to_string())?;
    fs::write(temp_dir.join("Dockerfile.dockerignore"), DOCKER_IGNORE)?;

    Ok(())
}
