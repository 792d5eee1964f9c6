// Real case for flakeproof's scan corpus: an excerpt of the crates.io crate `risc0-build` 3.0.7-rc.1
// (https://static.crates.io/crates/risc0-build/risc0-build-3.0.7-rc.1.crate), file `src/lib.rs`.
// Licence: Apache-2.0 (see ../licences/risc0-build-LICENSE.txt).
// excerpt: unrelated items removed; every kept line is verbatim.
fn r0vm_image_id(path: &str, flag: &str) -> Result<Digest> {
    use hex::FromHex;
    let output = Command::new("r0vm")
        .env_remove("RUST_LOG")
        .args(["--elf", path, flag])
        .output()?;
    if output.status.success() {
        let stdout = String::from_utf8(output.stdout)?;
        let digest = stdout.trim();
        Ok(Digest::from_hex(digest).context("expecting a hex string")?)
    } else {
        let stderr = String::from_utf8(output.stderr)?;
        Err(anyhow!("{stderr}"))
    }
}

fn compute_image_id(elf: &[u8], elf_path: &str) -> Result<Digest> {
    Ok(match r0vm_image_id(elf_path, "--id") {
        Ok(image_id) => image_id,
        Err(err) => {
            tty_println("Falling back to slow ImageID computation. Updating to the latest r0vm will speed this up.");
            tty_println(&format!("  error: {err}"));
            risc0_binfmt::compute_image_id(elf)?
        }
    })
}

impl GuestBuilder for GuestListEntry {

    /// Builds the [GuestListEntry] by reading the ELF from disk, and calculating the associated
    /// image ID.
    fn build(guest_info: &GuestInfo, name: &str, elf_path: &str) -> Result<Self> {
        let mut elf = vec![];
        let mut elf_path = elf_path.to_owned();
        let mut image_id = Digest::default();
        let is_kernel = guest_info.metadata.kernel;

        if !is_skip_build() {
            if is_kernel {
                elf = std::fs::read(&elf_path)?;
            } else {
                let user_elf = std::fs::read(&elf_path)?;
                let kernel_elf = guest_info.options.kernel();
                let binary = ProgramBinary::new(&user_elf, &kernel_elf);
                elf = binary.encode();
                let combined_path = PathBuf::from_str(&(elf_path + ".bin"))?;
                std::fs::write(&combined_path, &elf)?;
                elf_path = combined_path.to_str().unwrap().to_owned();
                image_id = compute_image_id(&elf, &elf_path)?;
            }
        }

        Ok(Self {
            name: Cow::Owned(name.to_owned()),
            elf: Cow::Owned(elf),
            image_id,
            path: Cow::Owned(elf_path),
        })
    }

}
