//! What a path is for, as far as one function shows: a program (named
//! like one, or `current_exe()`), a build output (under cargo's `target/`),
//! or a file another process made or runs (a staged file being moved into
//! place, an extracted tool, a launcher). in-place-replace asks whether a write
//! lands on a program; unretried-windows-fs whether a rename or removal
//! meets a file someone else may still hold.

use crate::keys::Key;
use crate::model::Body;

use super::shared::{aliases, name_of};

/// Extensions of data, not programs: a literal file name ending in one
/// (`config.toml`, `stub.o`, `app.sig`) is no program. A list, not "any
/// other": `a.out`, `tool.AppImage` and `name-1.2.3` are programs too.
const DATA_EXT: [&str; 30] = [
    "json", "toml", "txt", "rs", "md", "log", "lock", "d", "html", "css", "js", "yml", "yaml",
    "csv", "o", "obj", "pdb", "map", "sig", "stamp", "sha256", "tar", "gz", "tgz", "xz", "zip",
    "zst", "nupkg", "part", "bak",
];

/// Does a literal say `k` is data, not a program: a file name
/// `exe_dir.join("config.toml")`, `main_exe().with_file_name("stub.o")`,
/// or an extension given to `with_extension` (`exe.with_extension("stamp")`)?
fn data_name(body: &Body, k: &Key) -> bool {
    let data = |e: &str| DATA_EXT.contains(&e.to_ascii_lowercase().as_str());
    // The argument of the last `.with_extension("..")` in the expression.
    if let Some((_, rest)) = k.text.rsplit_once(".with_extension(\"")
        && let Some((ext, _)) = rest.split_once('"')
    {
        return data(ext);
    }
    name_of(body, k)
        .and_then(|n| n.rsplit_once('.').map(|(_, e)| e.to_string()))
        .is_some_and(|e| data(&e))
}

pub(super) fn exe_name(body: &Body, k: &Key) -> bool {
    let data = data_name(body, k);
    let words = reach(body, k);
    // `k` and the `let`s it was made from: `dest = dir.join(&name)` after
    // `name = format!("{stem}.exe")`.
    let made_from: Vec<&Key> = std::iter::once(k)
        .chain(
            body.lets
                .iter()
                .filter(|(n, _)| words.contains(&n))
                .map(|(_, init)| init),
        )
        .collect();
    // `let ext = if cfg!(windows) { "pyd" } else { "so" }`, then
    // `format!("_native.{ext}")`: an extension chosen for a program.
    let chosen_ext = body.lets.iter().any(|(n, init)| {
        (words.contains(&n)
            || made_from
                .iter()
                .flat_map(|k| &k.strs)
                .any(|s| s.contains(&format!("{{{n}}}"))))
            && init.strs.iter().any(|s| {
                matches!(
                    s.trim_start_matches('.'),
                    "exe" | "dll" | "so" | "dylib" | "pyd"
                )
            })
    });
    // `p.set_extension("exe")` (on Windows): the path is a program's.
    let exe_ext_set = body.calls.iter().any(|c| {
        c.method
            && c.name == "set_extension"
            && c.recv
                .as_ref()
                .is_some_and(|r| r.ident.is_some() && r.ident == k.ident)
            && c.args.iter().any(|a| a.strs.iter().any(|s| s == "exe"))
    });
    // A variable named for what it holds: `main_exe`, `binary` (unless the
    // file name says data: `exe_dir.join("config.toml")`). Not `bin`, which
    // names data as often as programs; `fuelup_bin`, `bin_dir` do name
    // programs. Only `k` and the `let` that made it are read for names.
    let named = |w: &String| {
        let parts: Vec<&str> = w.split('_').collect();
        parts
            .iter()
            .any(|p| matches!(*p, "exe" | "executable" | "binary"))
            || (parts.len() > 1 && parts.contains(&"bin"))
    };
    let direct = std::iter::once(k).chain(
        body.lets
            .iter()
            .filter(|(n, _)| k.ident.as_ref() == Some(n))
            .map(|(_, init)| init),
    );
    let by_name = direct
        .into_iter()
        .any(|k| k.ident.iter().any(named) || k.words.iter().any(named));
    let by_literal = made_from.iter().any(|k| {
        k.strs.iter().any(|s| {
            [".exe", ".dll", ".so", ".dylib", ".pyd", ".wasm"]
                .iter()
                .any(|e| s.ends_with(e))
                // format!("rustup-init{EXE_SUFFIX}"): the constant inlined
                || s.contains("{EXE_SUFFIX}")
                || s.contains("{DLL_SUFFIX}")
        }) || k.words.iter().any(|w| {
            matches!(
                w.as_str(),
                "EXE_SUFFIX" | "EXE_EXTENSION" | "DLL_SUFFIX" | "current_exe"
            )
        })
    });
    !data && (chosen_ext || exe_ext_set || by_name || by_literal)
}

pub(super) fn build_output(body: &Body, k: &Key) -> bool {
    let all: Vec<&Key> = std::iter::once(k)
        .chain(
            body.lets
                .iter()
                .filter(|(n, _)| k.ident.as_ref() == Some(n))
                .map(|(_, i)| i),
        )
        .collect();
    let in_target = all.iter().any(|k| {
        // `target_dir`, `target_debug.join(..)`: named for cargo's target/
        // (a bare `target`, a `target_path`, is as often any copy's
        // destination).
        k.ident.iter().chain(&k.words).any(|w| {
            matches!(
                w.as_str(),
                "target_dir" | "target_directory" | "target_debug" | "target_release"
            )
        })
            || k.strs.iter().any(|s| {
                s == "target"
                    || s.starts_with("target/")
                    || s.contains("/target/")
                    || s.contains("target\\")
            })
            || k.words
                .iter()
                .any(|w| w == "target_dir" || w == "CARGO_TARGET_DIR")
            // `artifact_path`, `self.output_path`: named as a build's product.
            || k.ident.iter().chain(&k.words).any(|w| {
                w.split('_')
                    .any(|p| matches!(p, "artifact" | "artifacts" | "output"))
            })
    });
    let data = data_name(body, k);
    in_target && !data
}

/// The names in `k`, and in the `let`s that made them, four steps back:
/// `new_exe` ← `tmp.path().join(..)` ← `tempfile::tempdir()`.
pub(super) fn reach<'a>(body: &'a Body, k: &'a Key) -> Vec<&'a String> {
    let mut words: Vec<&String> = k.words.iter().chain(&k.ident).collect();
    let mut from = 0;
    for _ in 0..4 {
        let to = words.len();
        for (n, init) in &body.lets {
            if words[from..to].contains(&n) {
                words.extend(init.words.iter().chain(&init.ident));
            }
        }
        from = to;
    }
    words
}

/// Parts of a name (split at `_`) that say another process made the file
/// or runs it: a staged file moved into place, an extracted tool or
/// toolchain, a compiler's or bundler's output, a launcher. (Not a
/// download: this process made it.)
const PRODUCED: [&str; 17] = [
    "staging",
    "staged",
    "extracted",
    "unpacked",
    "toolset",
    "toolchain",
    "artifact",
    "artifacts",
    "exe",
    "bin",
    "dll",
    "lib",
    "launcher",
    "shim",
    "compiled",
    "object",
    "dist",
];

/// Might another process hold `k`'s file: is it a program or a library, a
/// build output, a file named for being made elsewhere (`staged`,
/// `extracted`, `compiled_object`), or a path a command of this function
/// is given?
pub(super) fn produced(body: &Body, k: &Key) -> bool {
    let named = reach(body, k).iter().any(|w| {
        w.split('_')
            .any(|p| PRODUCED.contains(&p.to_ascii_lowercase().as_str()))
    });
    if named || exe_name(body, k) || build_output(body, k) {
        return true;
    }
    // `k`'s aliases once, not once per argument compared.
    let mine = aliases(body, k);
    body.calls.iter().any(|c| {
        c.method
            && c.root.ends_with("Command::new")
            && std::iter::once(&c.root_args)
                .chain(c.chain.iter().map(|(_, a)| a))
                .chain(std::iter::once(&c.args))
                .flatten()
                .any(|a| aliases(body, a).iter().any(|x| mine.contains(x)))
    })
}
