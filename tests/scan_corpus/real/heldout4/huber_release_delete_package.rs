// Real case for flakeproof's scan corpus: an excerpt of the crates.io crate `huber` 1.0.11
// (https://static.crates.io/crates/huber/huber-1.0.11.crate), file `src/service/release.rs`.
// Licence: Apache-2.0 (see ../licences/huber-LICENSE).
// excerpt: unrelated items removed; every kept line is verbatim.
impl ItemOperationTrait for ReleaseService {

    fn delete(&self, name: &str) -> anyhow::Result<()> {
        debug!("Deleting releases of package {}", name);

        let config = self.container.get::<Config>().unwrap();
        let pkg_service = self.container.get::<PackageService>().unwrap();
        let release_service = self.container.get::<ReleaseService>().unwrap();

        let pkg = pkg_service.get(name)?;
        let release = release_service.current(&pkg)?;

        self.reset_current(&release.package)?;

        let dir = config.installed_pkg_base_dir(&pkg)?;
        Ok(remove_dir_all(dir)?)
    }

}
