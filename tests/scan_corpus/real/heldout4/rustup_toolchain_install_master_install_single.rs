// Real case for flakeproof's scan corpus: an excerpt of the crates.io crate `rustup-toolchain-install-master` 1.12.2
// (https://static.crates.io/crates/rustup-toolchain-install-master/rustup-toolchain-install-master-1.12.2.crate), file `src/main.rs`.
// Licence: MIT (see ../licences/rustup-toolchain-install-master-LICENSE.txt).
// excerpt: unrelated items removed; every kept line is verbatim.
impl<'a> Installer<'a> {
    fn install_single_toolchain(&self, toolchain: &Toolchain<'_>) -> Result<(), Error> {
        let toolchain_path = self.toolchains_path.join(&toolchain.dest);
        if toolchain_path.is_dir() {
            if self.force {
                if self.actually_install {
                    remove_dir_all(&toolchain_path)?;
                }
            } else {
                eprintln!(
                    "toolchain `{}` is already installed",
                    toolchain.dest.display()
                );
                return Ok(());
            }
        }

        let channel = if let Some(channel) = self.override_channel {
            Cow::Borrowed(channel)
        } else {
            Cow::Owned(get_channel(self.client, self.prefix, toolchain.commit)?)
        };

        let downloader = TarXzDownloader {
            client: self.actually_install.then_some(self.client),
            toolchain,
            channel: &channel,
            retry: self.retry,
        };

        // download every component except rust-std.
        for component in once(&"rustc").chain(toolchain.components) {
            let component_filename = if *component == "rust-src" {
                // rust-src is the only target-independent component
                format_args!("{component}-{channel}")
            } else {
                format_args!("{component}-{channel}-{}", toolchain.host_target)
            };
            downloader.download(
                &format!(
                    "{}/{}/{component_filename}.tar.xz",
                    self.prefix, toolchain.commit
                ),
                component,
                toolchain.host_target,
            )?;
        }

        // download rust-std for every target.
        for target in toolchain.rust_std_targets {
            downloader.download(
                &format!(
                    "{}/{}/rust-std-{channel}-{target}.tar.xz",
                    self.prefix, toolchain.commit,
                ),
                "rust-std",
                target,
            )?;
        }

        // install
        if self.actually_install {
            rename(&toolchain.dest, toolchain_path)?;
            eprintln!(
                "toolchain `{}` is successfully installed!",
                toolchain.dest.display()
            );
        } else {
            eprintln!(
                "toolchain `{}` will be installed to `{}` on real run",
                toolchain.dest.display(),
                toolchain_path.display()
            );
        }

        Ok(())
    }
}
