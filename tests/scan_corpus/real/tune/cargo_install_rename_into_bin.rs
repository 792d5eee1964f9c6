// Real case for flakeproof's scan corpus: an excerpt of the crates.io crate `cargo` 0.100.0
// (https://static.crates.io/crates/cargo/cargo-0.100.0.crate), file `src/ops/cargo_install.rs`.
// Licence: MIT OR Apache-2.0 (see ../licences/cargo-LICENSE-MIT, ../licences/cargo-LICENSE-APACHE).
// excerpt: unrelated items removed; every kept line is verbatim.
use crate::util::data_structures::HashMap;
use std::collections::BTreeMap;
use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::{env, fmt, fs};

use crate::compiler::{CompileKind, DefaultExecutor, Executor, UnitOutput};
use crate::context::FeatureUnification;
use crate::ops::{CompileFilter, Packages};
use crate::ops::{FilterRule, common_for_install_and_uninstall::*};
use crate::sources::source::Source;

impl<'gctx> InstallablePackage<'gctx> {

    fn install_one(mut self, dry_run: bool) -> CargoResult<bool> {
        self.gctx.shell().status("Installing", &self.pkg)?;

        if let Some(source) = get_rustup_toolchain_source()
            && source.is_implicit_override().unwrap_or_else(|| {
                debug!("ignoring unrecognized rustup toolchain source `{source}`");
                false
            })
        {
            #[expect(clippy::disallowed_methods, reason = "consistency with rustup")]
            let maybe_toolchain = env::var("RUSTUP_TOOLCHAIN")
                .ok()
                .map(|toolchain| format!(" with `{toolchain}`"))
                .unwrap_or_default();
            let report = &[Level::WARNING
                .secondary_title(format!(
                    "default toolchain implicitly overridden{maybe_toolchain} by {source}"
                ))
                .element(Level::HELP.message(format!(
                    "use `cargo +stable install` if you meant to use the stable toolchain"
                )))
                .element(Level::NOTE.message(format!(
                    "rustup selects the toolchain based on the parent environment and not the \
                     environment of the package being installed"
                )))];
            self.gctx.shell().print_report(report, false)?;
        }

        // Normalize to absolute path for consistency throughout.
        // See: https://github.com/rust-lang/cargo/issues/16023
        let dst = self.root.join("bin").into_path_unlocked();
        let cwd = self.gctx.cwd();
        let dst = if dst.is_absolute() {
            paths::normalize_path(dst.as_path())
        } else {
            paths::normalize_path(&cwd.join(&dst))
        };

        let mut td_opt = None;
        let mut needs_cleanup = false;
        if !self.source_id.is_path() {
            let target_dir = if let Some(dir) = self.gctx.target_dir()? {
                dir
            } else if let Ok(td) = TempFileBuilder::new().prefix("cargo-install").tempdir() {
                let p = td.path().to_owned();
                td_opt = Some(td);
                Filesystem::new(p)
            } else {
                needs_cleanup = true;
                Filesystem::new(self.gctx.cwd().join("target-install"))
            };
            self.ws.set_target_dir(target_dir);
        }

        self.check_yanked_install()?;

        let exec: Arc<dyn Executor> = Arc::new(DefaultExecutor);
        self.opts.build_config.dry_run = dry_run;
        let compile = ops::compile_with_exec(&self.ws, &self.opts, &exec).with_context(|| {
            if let Some(td) = td_opt.take() {
                // preserve the temporary directory, so the user can inspect it
                drop(td.keep());
            }

            format!(
                "failed to compile `{}`, intermediate artifacts can be \
                 found at `{}`.\nTo reuse those artifacts with a future \
                 compilation, set the environment variable \
                 `CARGO_BUILD_BUILD_DIR` to that path.",
                self.pkg,
                self.ws.build_dir().display()
            )
        })?;
        let mut binaries: Vec<(&str, &Path)> = compile
            .binaries
            .iter()
            .map(|UnitOutput { path, .. }| {
                let name = path.file_name().unwrap();
                if let Some(s) = name.to_str() {
                    Ok((s, path.as_ref()))
                } else {
                    bail!("Binary `{:?}` name can't be serialized into string", name)
                }
            })
            .collect::<CargoResult<_>>()?;
        if binaries.is_empty() {
            // Cargo already warns the user if they use a target specifier that matches nothing,
            // but we want to error if the user asked for a _particular_ binary to be installed,
            // and we didn't end up installing it.
            //
            // NOTE: This _should_ be impossible to hit since --bin=does_not_exist will fail on
            // target selection, and --bin=requires_a without --features=a will fail with "target
            // .. requires the features ..". But rather than assume that's the case, we define the
            // behavior for this fallback case as well.
            if let CompileFilter::Only { bins, examples, .. } = &self.opts.filter {
                let mut any_specific = false;
                if let FilterRule::Just(v) = bins {
                    if !v.is_empty() {
                        any_specific = true;
                    }
                }
                if let FilterRule::Just(v) = examples {
                    if !v.is_empty() {
                        any_specific = true;
                    }
                }
                if any_specific {
                    bail!("no binaries are available for install using the selected features");
                }
            }

            // If there _are_ binaries available, but none were selected given the current set of
            // features, let the user know.
            //
            // Note that we know at this point that _if_ bins or examples is set to `::Just`,
            // they're `::Just([])`, which is `FilterRule::none()`.
            let binaries: Vec<_> = self
                .pkg
                .targets()
                .iter()
                .filter(|t| t.is_executable())
                .collect();
            if !binaries.is_empty() {
                self.gctx
                    .shell()
                    .warn(make_warning_about_missing_features(&binaries))?;
            }

            return Ok(false);
        }
        // This is primarily to make testing easier.
        binaries.sort_unstable();

        let (tracker, duplicates) = if self.no_track {
            (None, self.no_track_duplicates(&dst)?)
        } else {
            let tracker = InstallTracker::load(self.gctx, &self.root)?;
            let (_freshness, duplicates) = tracker.check_upgrade(
                &dst,
                &self.pkg,
                self.force,
                &self.opts,
                &self.target,
                &self.rustc.verbose_version,
            )?;
            (Some(tracker), duplicates)
        };

        paths::create_dir_all(&dst)?;

        // Copy all binaries to a temporary directory under `dst` first, catching
        // some failure modes (e.g., out of space) before touching the existing
        // binaries. This directory will get cleaned up via RAII.
        let staging_dir = TempFileBuilder::new()
            .prefix("cargo-install")
            .tempdir_in(&dst)?;
        if !dry_run {
            for &(bin, src) in binaries.iter() {
                let dst = staging_dir.path().join(bin);
                // Try to move if `target_dir` is transient.
                if !self.source_id.is_path() && fs::rename(src, &dst).is_ok() {
                    continue;
                }
                paths::copy(src, &dst)?;
            }
        }

        let (to_replace, to_install): (Vec<&str>, Vec<&str>) = binaries
            .iter()
            .map(|&(bin, _)| bin)
            .partition(|&bin| duplicates.contains_key(bin));

        let mut installed = Transaction { bins: Vec::new() };
        let mut successful_bins = BTreeSet::new();

        // Move the temporary copies into `dst` starting with new binaries.
        for bin in to_install.iter() {
            let src = staging_dir.path().join(bin);
            let dst = dst.join(bin);
            self.gctx.shell().status("Installing", dst.display())?;
            if !dry_run {
                fs::rename(&src, &dst).with_context(|| {
                    format!("failed to move `{}` to `{}`", src.display(), dst.display())
                })?;
                installed.bins.push(dst);
                successful_bins.insert(bin.to_string());
            }
        }

        // Repeat for binaries which replace existing ones but don't pop the error
        // up until after updating metadata.
        let replace_result = {
            let mut try_install = || -> CargoResult<()> {
                for &bin in to_replace.iter() {
                    let src = staging_dir.path().join(bin);
                    let dst = dst.join(bin);
                    self.gctx.shell().status("Replacing", dst.display())?;
                    if !dry_run {
                        fs::rename(&src, &dst).with_context(|| {
                            format!("failed to move `{}` to `{}`", src.display(), dst.display())
                        })?;
                        successful_bins.insert(bin.to_string());
                    }
                }
                Ok(())
            };
            try_install()
        };

        if let Some(mut tracker) = tracker {
            tracker.mark_installed(
                &self.pkg,
                &successful_bins,
                self.vers.map(|s| s.to_string()),
                &self.opts,
                &self.target,
                &self.rustc.verbose_version,
            );

            if let Err(e) = remove_orphaned_bins(
                &self.ws,
                &mut tracker,
                &duplicates,
                &self.pkg,
                &dst,
                dry_run,
            ) {
                // Don't hard error on remove.
                self.gctx
                    .shell()
                    .warn(format!("failed to remove orphan: {:?}", e))?;
            }

            match tracker.save() {
                Err(err) => replace_result.with_context(|| err)?,
                Ok(_) => replace_result?,
            }
        }

        // Reaching here means all actions have succeeded. Clean up.
        installed.success();
        if needs_cleanup {
            // Don't bother grabbing a lock as we're going to blow it all away
            // anyway.
            let target_dir = self.ws.target_dir().into_path_unlocked();
            paths::remove_dir_all(&target_dir)?;
        }

        // Helper for creating status messages.
        fn executables<T: AsRef<str>>(mut names: impl Iterator<Item = T> + Clone) -> String {
            if names.clone().count() == 1 {
                format!("(executable `{}`)", names.next().unwrap().as_ref())
            } else {
                format!(
                    "(executables {})",
                    names
                        .map(|b| format!("`{}`", b.as_ref()))
                        .collect::<Vec<_>>()
                        .join(", ")
                )
            }
        }

        if dry_run {
            self.gctx.shell().warn("aborting install due to dry run")?;
            Ok(true)
        } else if duplicates.is_empty() {
            self.gctx.shell().status(
                "Installed",
                format!(
                    "package `{}` {}",
                    self.pkg,
                    executables(successful_bins.iter())
                ),
            )?;
            Ok(true)
        } else {
            if !to_install.is_empty() {
                self.gctx.shell().status(
                    "Installed",
                    format!("package `{}` {}", self.pkg, executables(to_install.iter())),
                )?;
            }
            // Invert the duplicate map.
            let mut pkg_map = BTreeMap::new();
            for (bin_name, opt_pkg_id) in &duplicates {
                let key =
                    opt_pkg_id.map_or_else(|| "unknown".to_string(), |pkg_id| pkg_id.to_string());
                pkg_map.entry(key).or_insert_with(Vec::new).push(bin_name);
            }
            for (pkg_descr, bin_names) in &pkg_map {
                self.gctx.shell().status(
                    "Replaced",
                    format!(
                        "package `{}` with `{}` {}",
                        pkg_descr,
                        self.pkg,
                        executables(bin_names.iter())
                    ),
                )?;
            }
            Ok(true)
        }
    }

}
