// Real case for flakeproof's scan corpus: an excerpt of the crates.io crate `velopack` 1.2.161
// (https://static.crates.io/crates/velopack/velopack-1.2.161.crate), file `src/bundle.rs`.
// Licence: MIT (see ../licences/velopack-LICENSE.txt).
// excerpt: unrelated items removed; every kept line is verbatim.
#[allow(dead_code)]
impl BundleZip<'_> {
    pub fn copy_bundle_to_file<T: AsRef<Path>>(&self, output_file_path: T) -> Result<(), Error> {
        let nupkg_path = output_file_path.as_ref();
        if self.zip_from_file {
            misc::retry_io(|| fs::copy(self.file_path.clone().unwrap(), nupkg_path))?;
        } else {
            misc::retry_io(|| fs::write(nupkg_path, self.zip_range.unwrap()))?;
        }
        Ok(())
    }

}
