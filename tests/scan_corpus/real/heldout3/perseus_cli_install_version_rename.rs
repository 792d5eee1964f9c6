// Real case for flakeproof's scan corpus: an excerpt of the crates.io crate `perseus-cli` 0.4.2
// (https://static.crates.io/crates/perseus-cli/perseus-cli-0.4.2.crate), file `src/install.rs`.
// Licence: MIT (see ../licences/perseus-cli-LICENSE.txt).
// excerpt: unrelated items removed; every kept line is verbatim.
impl Tool {

    /// Installs the given version of the tool, returning the path to the final
    /// binary.
    async fn install_version(
        &self,
        version: &str,
        artifact_name: &str,
        target: &Path,
    ) -> Result<String, InstallError> {
        let url = format!(
            "https://github.com/{gh_repo}/releases/download/{version}/{artifact_name}.tar.gz",
            artifact_name = artifact_name,
            version = version,
            gh_repo = self.gh_repo
        );
        let dir_name = format!("{}-{}", self.name, version);
        let tar_name = format!("{}.tar.gz", &dir_name);
        let dir_path = target.join(&dir_name);
        let tar_path = target.join(&tar_name);

        // Deal with placeholders in the name to expect from the extracted directory
        let extracted_dir_name = self
            .extracted_dir_name
            .replace("%artifact_name", artifact_name)
            .replace("%version", version);

        // Download the tarball (source https://github.com/seanmonstar/reqwest/issues/1266#issuecomment-1106187437)
        // We do this by chunking to minimize memory usage (we're downloading fairly
        // large files!)
        let mut res = Client::new().get(url).send().await.map_err(|err| {
            InstallError::BinaryDownloadRequestFailed {
                source: err,
                tool: self.name.to_string(),
            }
        })?;
        let mut file = tokio::fs::File::create(&tar_path)
            .await
            .map_err(|err| InstallError::CreateToolDownloadDestFailed { source: err })?;
        while let Some(mut item) = res
            .chunk()
            .await
            .map_err(|err| InstallError::ChunkBinaryDownloadFailed { source: err })?
        {
            file.write_all_buf(item.borrow_mut())
                .await
                .map_err(|err| InstallError::WriteBinaryDownloadChunkFailed { source: err })?;
        }
        // Now unzip the tarball
        // TODO Async?
        let tar_gz = File::open(&tar_path)
            .map_err(|err| InstallError::CreateToolExtractDestFailed { source: err })?;
        let mut archive = Archive::new(GzDecoder::new(tar_gz));
        // We'll extract straight into `dist/tools/` and then rename the resulting
        // directory
        archive
            .unpack(target)
            .map_err(|err| InstallError::ToolExtractFailed {
                source: err,
                tool: self.name.to_string(),
            })?;

        // Now delete the original archive file
        fs::remove_file(&tar_path)
            .map_err(|err| InstallError::ArchiveDeletionFailed { source: err })?;
        // Finally, rename the extracted directory
        fs::rename(
            target.join(extracted_dir_name), // We extracted into the root of the target
            &dir_path,
        )
        .map_err(|err| InstallError::DirRenameFailed { source: err })?;

        // Return the path inside the directory we extracted
        Ok(dir_path
            .join(&self.final_path)
            .to_str()
            .unwrap()
            .to_string())
    }

}
