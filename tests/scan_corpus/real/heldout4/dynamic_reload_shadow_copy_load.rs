// Real case for flakeproof's scan corpus: an excerpt of the crates.io crate `dynamic_reload` 0.10.0
// (https://static.crates.io/crates/dynamic_reload/dynamic_reload-0.10.0.crate), file `src/lib.rs`.
// Licence: MIT/Apache-2.0 (see ../licences/dynamic_reload-LICENSE).
// excerpt: unrelated items removed; every kept line is verbatim.
impl<'a> DynamicReload {

    unsafe fn load_library(&self, full_path: &Path) -> Result<Arc<Lib>> {
        let path;
        let original_path;

        if let Some(sd) = self.shadow_dir.as_ref() {
            path = Self::format_filename(sd.path(), full_path);
            Self::try_copy(full_path, &path)?;
            original_path = Some(full_path.to_path_buf());
        } else {
            original_path = None;
            path = full_path.to_path_buf();
        }

        Self::init_library(original_path, path)
    }

    // In some cases when a file has been set so that it's reloaded, it's actually not possible
    // to read from it directly so this code does some testing first to ensure we
    // can actually read from it (by using metadata which does a stat on the file).
    // If we can't read from it, we wait for 100 ms before we try again, if we can't
    // do it within 1 sec we give up
    //
    fn try_copy(src: &Path, dest: &Path) -> Result<()> {
        for _ in 0..10 {
            if let Ok(file) = fs::metadata(src) {
                let len = file.len();
                if len > 0 {
                    // ignore copy errors, library file might be locked by the compiler
                    if fs::copy(src, dest).is_ok() {
                        return Ok(());
                    }
                }
            }

            thread::sleep(Duration::from_millis(100));
        }

        Err(Error::CopyTimeOut(src.to_path_buf(), dest.to_path_buf()))
    }


    #[cfg(not(feature = "no-timestamps"))]
    fn format_filename(shadow_dir: &Path, full_path: &Path) -> PathBuf {
        let ts = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .expect("Time went backwards");
        let filename = full_path.file_name().unwrap();
        shadow_dir.join(format!("{}_{}", ts.as_millis(), filename.to_str().unwrap()))
    }

    #[cfg(feature = "no-timestamps")]
    fn format_filename(shadow_dir: &Path, full_path: &PathBuf) -> PathBuf {
        shadow_dir.join(full_path.file_name().unwrap())
    }
}
