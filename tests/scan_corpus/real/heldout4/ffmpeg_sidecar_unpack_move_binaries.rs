// Real case for flakeproof's scan corpus: an excerpt of the crates.io crate `ffmpeg-sidecar` 2.7.0
// (https://static.crates.io/crates/ffmpeg-sidecar/ffmpeg-sidecar-2.7.0.crate), file `src/download.rs`.
// Licence: MIT (see ../licences/ffmpeg-sidecar-LICENSE).
// excerpt: unrelated items removed; every kept line is verbatim.
#[cfg(feature = "download_ffmpeg")]
fn unpack_ffmpeg_internal(
  from_archive: &PathBuf,
  binary_folder: &Path,
  keep_only_ffmpeg: bool,
) -> Result<()> {
  use anyhow::Context;
  use std::{
    fs::{create_dir_all, read_dir, remove_dir_all, remove_file, rename, File},
    path::Path,
  };

  let temp_dirname = UNPACK_DIRNAME;
  let temp_folder = binary_folder.join(temp_dirname);
  create_dir_all(&temp_folder)?;

  let file = File::open(from_archive).context("Failed to open archive file")?;

  #[cfg(target_os = "linux")]
  {
    // Extracts .tar.xz file
    let tar_xz = xz2::read::XzDecoder::new(file);
    let mut archive = tar::Archive::new(tar_xz);

    archive
      .unpack(&temp_folder)
      .context("Failed to unpack ffmpeg")?;
  }

  #[cfg(not(target_os = "linux"))]
  {
    // Extracts .zip file
    let mut archive = zip::ZipArchive::new(file).context("Failed to read ZIP archive")?;
    archive
      .extract(&temp_folder)
      .context("Failed to unpack ffmpeg")?;
  }

  // Move binaries
  let (ffmpeg, ffplay, ffprobe) = if cfg!(target_os = "windows") {
    let inner_folder = read_dir(&temp_folder)?
      .next()
      .context("Failed to get inner folder")??;
    (
      inner_folder.path().join("bin/ffmpeg.exe"),
      inner_folder.path().join("bin/ffplay.exe"),
      inner_folder.path().join("bin/ffprobe.exe"),
    )
  } else if cfg!(target_os = "linux") {
    let inner_folder = read_dir(&temp_folder)?
      .next()
      .context("Failed to get inner folder")??;
    (
      inner_folder.path().join("bin/ffmpeg"),
      inner_folder.path().join("bin/ffplay"),
      inner_folder.path().join("bin/ffprobe"),
    )
  } else if cfg!(target_os = "macos") {
    (
      temp_folder.join("ffmpeg"),
      temp_folder.join("ffplay"),  // <-- no ffplay on mac
      temp_folder.join("ffprobe"), // <-- no ffprobe on mac
    )
  } else {
    anyhow::bail!("Unsupported platform");
  };

  // Move binaries
  let move_bin = |path: &Path| {
    let file_name = binary_folder.join(
      path
        .file_name()
        .with_context(|| format!("Path {} does not have a file_name", path.to_string_lossy()))?,
    );
    rename(path, file_name)?;
    anyhow::Ok(())
  };

  move_bin(&ffmpeg)?;

  if !keep_only_ffmpeg && ffprobe.exists() {
    move_bin(&ffprobe)?;
  }

  if !keep_only_ffmpeg && ffplay.exists() {
    move_bin(&ffplay)?;
  }

  // Delete archive and unpacked files
  if temp_folder.exists() && temp_folder.is_dir() {
    remove_dir_all(&temp_folder)?;
  }

  if from_archive.exists() {
    remove_file(from_archive)?;
  }

  Ok(())
}
