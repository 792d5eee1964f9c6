// Real case for flakeproof's scan corpus: an excerpt of the crates.io crate `solana-cargo-build-sbf` 4.0.0
// (https://static.crates.io/crates/solana-cargo-build-sbf/solana-cargo-build-sbf-4.0.0.crate), file `src/post_processing.rs`.
// Licence: Apache-2.0 (see ../licences/solana-cargo-build-sbf-LICENSE.txt).
// excerpt: unrelated items removed; every kept line is verbatim.

fn generate_debug_objects(
    config: &Config,
    sbf_debug_dir: &Path,
    finalized_program: &str,
    program_unstripped_so: &Path,
    deploy_keypair: &Path,
    debug_keypair: &PathBuf,
    program_name: &str,
    llvm_bin: &Path,
) -> PathBuf {
    // debug objects
    let program_debug = sbf_debug_dir.join(format!("{program_name}.so.debug"));
    let program_debug_stripped = sbf_debug_dir.join(finalized_program);

    if file_older_or_missing(program_unstripped_so, &program_debug_stripped) {
        strip_object(
            config,
            program_unstripped_so,
            &program_debug_stripped,
            llvm_bin,
        );
    }

    if file_older_or_missing(program_unstripped_so, &program_debug) {
        copy_file(program_unstripped_so, &program_debug);
    }

    if !debug_keypair.exists() {
        if deploy_keypair.exists() {
            copy_file(deploy_keypair, debug_keypair);
        } else {
            generate_keypair(debug_keypair);
        }
    }

    program_debug_stripped
}

fn generate_release_objects(
    config: &Config,
    sbf_out_dir: &Path,
    program_unstripped_so: &Path,
    deploy_keypair: &PathBuf,
    debug_keypair: &Path,
    program_name: &str,
    llvm_bin: &Path,
) -> PathBuf {
    let program_so = sbf_out_dir.join(format!("{program_name}.so"));

    if file_older_or_missing(program_unstripped_so, &program_so) {
        strip_object(config, program_unstripped_so, &program_so, llvm_bin);
    }

    if !deploy_keypair.exists() {
        if debug_keypair.exists() {
            copy_file(debug_keypair, deploy_keypair);
        } else {
            generate_keypair(deploy_keypair);
        }
    }

    program_so
}
