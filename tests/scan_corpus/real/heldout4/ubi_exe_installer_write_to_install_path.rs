// Real case for flakeproof's scan corpus: an excerpt of the crates.io crate `ubi` 0.13.0
// (https://static.crates.io/crates/ubi/ubi-0.13.0.crate), file `src/installer.rs`.
// Licence: MIT OR Apache-2.0 (see ../licences/ubi-LICENSE.txt).
// excerpt: unrelated items removed; every kept line is verbatim.
impl ExeInstaller {

    fn ungzip(&self, downloaded_file: &Path) -> Result<()> {
        debug!("uncompressing executable from gzip file");
        let reader = GzDecoder::new(open_file(downloaded_file)?);
        self.write_to_install_path(reader)
    }

    fn unxz(&self, downloaded_file: &Path) -> Result<()> {
        debug!("uncompressing executable from xz file");
        let reader = XzDecoder::new(open_file(downloaded_file)?);
        self.write_to_install_path(reader)
    }

    fn unzstd(&self, downloaded_file: &Path) -> Result<()> {
        debug!("uncompressing executable from zstd file");
        let reader = ZstdDecoder::new(open_file(downloaded_file)?)?;
        self.write_to_install_path(reader)
    }

    fn write_to_install_path(&self, mut reader: impl Read) -> Result<()> {
        self.create_install_dir().with_context(|| {
            format!(
                "failed to create installation directory for {}",
                self.install_path.display()
            )
        })?;
        self.check_install_path_is_not_a_dir(&self.install_path)?;
        let mut writer = File::create(&self.install_path)
            .with_context(|| format!("Cannot write to {}", self.install_path.display()))?;
        std::io::copy(&mut reader, &mut writer).with_context(|| {
            format!("failed to copy content to {}", self.install_path.display())
        })?;
        Ok(())
    }

}
