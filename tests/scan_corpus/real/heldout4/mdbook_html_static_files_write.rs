// Real case for flakeproof's scan corpus: an excerpt of the crates.io crate `mdbook-html` 0.5.4
// (https://static.crates.io/crates/mdbook-html/mdbook-html-0.5.4.crate), file `src/html_handlebars/static_files.rs`.
// Licence: MPL-2.0 (see ../licences/mdbook-html-LICENSE).
// excerpt: unrelated items removed; every kept line is verbatim.
use mdbook_core::utils::fs;

impl StaticFiles {

    pub(super) fn write_files(self, destination: &Path) -> Result<ResourceHelper> {
        use regex::bytes::Captures;
        // The `{{ resource "name" }}` directive in static resources look like
        // handlebars syntax, even if they technically aren't.
        static_regex!(RESOURCE, bytes, r#"\{\{ resource "([^"]+)" \}\}"#);
        fn replace_all<'a>(
            hash_map: &HashMap<String, String>,
            data: &'a [u8],
            filename: &str,
        ) -> Cow<'a, [u8]> {
            RESOURCE.replace_all(data, move |captures: &Captures<'_>| {
                let name = captures
                    .get(1)
                    .expect("capture 1 in resource regex")
                    .as_bytes();
                let name = std::str::from_utf8(name).expect("resource name with invalid utf8");
                let resource_filename = hash_map.get(name).map(|s| &s[..]).unwrap_or(name);
                let path_to_root = fs::path_to_root(filename);
                format!("{}{}", path_to_root, resource_filename)
                    .as_bytes()
                    .to_owned()
            })
        }
        for static_file in &self.static_files {
            match static_file {
                StaticFile::Builtin { filename, data } => {
                    debug!("Writing builtin -> {}", filename);
                    let data = if filename.ends_with(".css") || filename.ends_with(".js") {
                        replace_all(&self.hash_map, data, filename)
                    } else {
                        Cow::Borrowed(&data[..])
                    };
                    let path = destination.join(filename);
                    fs::write(path, &data)?;
                }
                StaticFile::Additional {
                    input_location,
                    filename,
                } => {
                    let output_location = destination.join(filename);
                    debug!(
                        "Copying {} -> {}",
                        input_location.display(),
                        output_location.display()
                    );
                    if let Some(parent) = output_location.parent() {
                        fs::create_dir_all(parent)
                            .with_context(|| format!("Unable to create {}", parent.display()))?;
                    }
                    if filename.ends_with(".css") || filename.ends_with(".js") {
                        let data = fs::read_to_string(input_location)?;
                        let data = replace_all(&self.hash_map, data.as_bytes(), filename);
                        let path = destination.join(filename);
                        fs::write(path, &data)?;
                    } else {
                        std::fs::copy(input_location, &output_location).with_context(|| {
                            format!(
                                "Unable to copy {} to {}",
                                input_location.display(),
                                output_location.display()
                            )
                        })?;
                    }
                }
            }
        }
        let hash_map = self.hash_map;
        Ok(ResourceHelper { hash_map })
    }
}
