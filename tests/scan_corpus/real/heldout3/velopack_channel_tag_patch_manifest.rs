// Real case for flakeproof's scan corpus: an excerpt of the crates.io crate `velopack` 1.2.161
// (https://static.crates.io/crates/velopack/velopack-1.2.161.crate), file `src/windows_channel_tag.rs`.
// Licence: MIT (see ../licences/velopack-LICENSE.txt).
// excerpt: unrelated items removed; every kept line is verbatim.
/// Rewrite the `<channel>` element in `{root_app_dir}/current/sq.version` to `channel`.
///
/// `channel` is validated against `^[a-z0-9-]{1,64}$` first; anything else is rejected. The
/// manifest is replaced atomically (write temp + rename) so a crash cannot leave it truncated.
/// Returns an error if the manifest or its `<channel>` element cannot be found. Never panics.
pub fn patch_installed_channel(root_app_dir: &Path, channel: &str) -> Result<()> {
    if !is_valid_channel(channel) {
        bail!("Refusing to patch invalid channel (must match ^[a-z0-9-]{{1,64}}$)");
    }

    let manifest_path = root_app_dir.join("current").join("sq.version");
    let xml = fs::read_to_string(&manifest_path).with_context(|| format!("Failed to read manifest at {:?}", manifest_path))?;

    const START_TAG: &str = "<channel>";
    const END_TAG: &str = "</channel>";
    let start = xml.find(START_TAG).with_context(|| format!("No <channel> element found in {:?}", manifest_path))?;
    let inner_start = start + START_TAG.len();
    let inner_len = xml[inner_start..].find(END_TAG).with_context(|| format!("Unterminated <channel> element in {:?}", manifest_path))?;

    let mut patched = String::with_capacity(xml.len() + channel.len());
    patched.push_str(&xml[..inner_start]);
    patched.push_str(channel);
    patched.push_str(&xml[inner_start + inner_len..]);

    if patched != xml {
        let tmp_path = manifest_path.with_extension("version.tmp");
        fs::write(&tmp_path, &patched).with_context(|| format!("Failed to write patched manifest at {:?}", tmp_path))?;
        fs::rename(&tmp_path, &manifest_path).with_context(|| format!("Failed to replace manifest at {:?}", manifest_path))?;
    }

    Ok(())
}

