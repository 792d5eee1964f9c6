// Real case for flakeproof's scan corpus: an excerpt of the crates.io crate `espup` 0.19.0
// (https://static.crates.io/crates/espup/espup-0.19.0.crate), file `src/toolchain/mod.rs`.
// Licence: MIT OR Apache-2.0 (see ../licences/espup-LICENSE-APACHE, ../licences/espup-LICENSE-MIT).
// excerpt: unrelated items removed; every kept line is verbatim.
/// Downloads a file from a URL and uncompresses it, if necesary, to the output directory.
pub async fn download_file(
    url: String,
    file_name: &str,
    output_directory: &str,
    uncompress: bool,
    strip: bool,
) -> Result<String, Error> {
    validate_download_file_name(file_name)?;
    let file_path = Path::new(output_directory).join(file_name);
    let partial_file_path = PathBuf::from(format!("{}.part", file_path.display()));

    if !Path::new(output_directory).exists() {
        debug!("Creating directory: '{output_directory}'");
        create_dir_all(output_directory)
            .map_err(|_| Error::CreateDirectory(output_directory.to_string()))?;
    } else if file_path.exists() {
        warn!(
            "File '{}' already exists, deleting it before download",
            file_path.display()
        );
        remove_file(&file_path)?;
    }

    download_file_with_resume(&url, file_name, &partial_file_path).await?;

    if uncompress {
        extract_downloaded_file(file_name, &partial_file_path, output_directory, strip)?;
        remove_file(&partial_file_path)?;
    } else {
        debug!("Creating file: '{}'", file_path.display());
        std::fs::rename(&partial_file_path, &file_path)?;
    }

    Ok(file_path.display().to_string())
}
