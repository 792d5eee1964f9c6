// Real case for flakeproof's scan corpus: an excerpt of the crates.io crate `worker-build` 0.8.7
// (https://static.crates.io/crates/worker-build/worker-build-0.8.7.crate), file `src/emscripten.rs`.
// Licence: Apache-2.0 (see ../licences/worker-build-LICENSE).
// excerpt: unrelated items removed; every kept line is verbatim.
/// Install the pinned emsdk release into the cache, patching its frontend when
/// it is the one that will be used.
fn provision_emsdk(patch_frontend: bool) -> Result<PathBuf> {
    let dir = cache_root()?.join(format!("emsdk-{CUR_EMSCRIPTEN_VERSION}"));
    let frontend = dir.join("upstream/emscripten");
    let stamp = frontend.join(STAMP);
    let expected_stamp = stamp_contents();

    let installed = dir.join("upstream/bin/clang").exists() && frontend.join("emcc").exists();
    let stamp_ok = fs::read_to_string(&stamp).ok().as_deref() == Some(&expected_stamp);
    if installed && (stamp_ok || !patch_frontend) {
        return Ok(dir);
    }

    let python = which::which("python3")
        .or_else(|_| which::which("python"))
        .map_err(|_| anyhow!("python3 is required to install the Emscripten SDK"))?;

    if dir.exists() {
        // A stale or unstamped install cannot be patched incrementally.
        fs::remove_dir_all(&dir).with_context(|| format!("Failed to remove {}", dir.display()))?;
    }
    fs::create_dir_all(&dir)?;

    PBAR.info(&format!(
        "{DOWN_ARROW}Downloading Emscripten SDK {CUR_EMSCRIPTEN_VERSION}..."
    ));
    download(
        &format!(
            "https://github.com/emscripten-core/emsdk/archive/refs/tags/{CUR_EMSCRIPTEN_VERSION}.tar.gz"
        ),
        &dir,
    )?;

    PBAR.info(&format!(
        "{DOWN_ARROW}Installing Emscripten {CUR_EMSCRIPTEN_VERSION} (LLVM, Binaryen, Node)..."
    ));
    let mut cmd = Command::new(&python);
    cmd.arg(dir.join("emsdk.py"))
        .arg("install")
        .arg(CUR_EMSCRIPTEN_VERSION)
        .current_dir(&dir);
    crate::build::utils::run(cmd, "emsdk install")?;

    if patch_frontend {
        for (name, contents) in PATCHES {
            PBAR.info(&format!("{CONFIG}Applying {name}"));
            apply_patch(&frontend, contents).with_context(|| format!("Applying {name}"))?;
        }
        // The release ships a populated sysroot; drop its stamp so emcc
        // reinstalls the system headers the patches add.
        let _ = fs::remove_file(frontend.join("cache/sysroot_install.stamp"));
        fs::write(&stamp, expected_stamp)?;
    }
    Ok(dir)
}

/// Apply a multi-file `git diff` to `root`. Every hunk must apply exactly.
pub fn apply_patch(root: &Path, patch: &str) -> Result<()> {
    let mut applied = 0;
    for chunk in patch.split("\ndiff --git ").skip(1) {
        let Some(start) = chunk.find("\n--- ") else {
            continue;
        };
        // Splitting consumed the chunk's trailing newline; diffy otherwise
        // treats the final context line as lacking one.
        let text = format!("{}\n", &chunk[start + 1..]);
        let file_patch =
            diffy::Patch::from_str(&text).map_err(|e| anyhow!("Invalid patch: {e}"))?;
        let target = file_patch
            .modified()
            .and_then(|p| p.strip_prefix("b/"))
            .ok_or_else(|| anyhow!("Patch chunk without a b/ target path"))?;
        let path = root.join(target);
        let original = if file_patch.original() == Some("/dev/null") {
            if let Some(parent) = path.parent() {
                fs::create_dir_all(parent)?;
            }
            String::new()
        } else {
            fs::read_to_string(&path)
                .with_context(|| format!("Failed to read {}", path.display()))?
        };
        let patched = diffy::apply(&original, &file_patch)
            .map_err(|e| anyhow!("Failed to apply patch to {target}: {e}"))?;
        fs::write(&path, patched).with_context(|| format!("Failed to write {}", path.display()))?;
        applied += 1;
    }
    if applied == 0 {
        bail!("Patch contains no file diffs");
    }
    Ok(())
}
