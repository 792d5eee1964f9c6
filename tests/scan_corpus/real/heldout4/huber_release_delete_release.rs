// Real case for flakeproof's scan corpus: an excerpt of the crates.io crate `huber` 1.0.11
// (https://static.crates.io/crates/huber/huber-1.0.11.crate), file `src/service/release.rs`.
// Licence: Apache-2.0 (see ../licences/huber-LICENSE).
// excerpt: unrelated items removed; every kept line is verbatim.
impl ReleaseTrait for ReleaseService {

    fn clean_current(&self, release: &Release) -> anyhow::Result<()> {
        debug!("Cleaning the current release: {}", &release);

        let config = self.container.get::<Config>().unwrap();

        let p = config.installed_pkg_manifest_file(&release.package, &release.version)?;
        let f = File::open(&p)?;
        let mut r: Release = serde_yaml::from_reader(&f)?;
        r.current = false;
        remove_file(&p)?;

        let f = File::create(&p)?;
        Ok(serde_yaml::to_writer(f, &r)?)
    }

    fn delete_release(&self, release: &Release) -> anyhow::Result<()> {
        debug!("Removing release: {}", &release);

        let cr = self.current(&release.package)?;
        if cr.version == release.version {
            return Err(anyhow!(
                "{} is the current release, unable to remove",
                release
            ));
        }

        let config = self.container.get::<Config>().unwrap();
        let p = config.installed_pkg_dir(&release.package, &release.version)?;

        Ok(remove_dir_all(p)?)
    }
}
