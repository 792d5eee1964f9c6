// Real case for flakeproof's scan corpus: an excerpt of the crates.io crate `sccache` 0.19.0
// (https://static.crates.io/crates/sccache/sccache-0.19.0.crate), file `tests/sccache_rustc.rs` (a test file).
// Licence: Apache-2.0 (see ../licences/sccache-LICENSE).
// excerpt: unrelated items removed; every kept line is verbatim.
fn create_mock_rustc(dir: PathBuf) {
    let bin = dir.join("bin");
    create_dir_all(&bin).unwrap();

    let dll_name = format!("driver{DLL_SUFFIX}");
    let dll = dir.join(&dll_name);
    fs::write(&dll, dir.as_os_str().as_bytes()).unwrap();

    let lib = dir.join("lib");
    create_dir(&lib).unwrap();
    symlink(dll, lib.join(&dll_name)).unwrap();

    let rustc = bin.join("rustc");
    write!(
        File::create(&rustc).unwrap(),
        r#"#!/usr/bin/env sh

set -e
build=0

while [ "$#" -gt 0 ]; do
    case "$1" in
        -vV)
            echo rustc 1.0.0
            exec echo "host: unknown"
            ;;
        +stable)
            exit 1
            ;;
        --print=sysroot)
            echo {0}
            ;;
        --print=target-libdir)
            echo {0}/lib/rustlib/unknown/lib
            ;;
        --print)
            shift
            if [ "$1" = file-names ]; then
                exec echo RUST_FILE.rs
            fi
            ;;
        --emit)
            shift
            if [ "$1" = dep-info ]; then
                echo "deps.d: RUST_FILE.rs" > "$3"
                exec echo "RUST_FILE.rs:" "$3"
            fi
            ;;
        RUST_FILE.rs)
            build=1
            ;;
    esac
    shift
done

if [ "$build" -eq 1 ]; then
    echo '{{"artifact":"'"$PWD"'/libsccache_rustc_tests.rmeta","emit":"metadata"}}' >&2
    echo $(($(cat counter) + 1)) > counter
    cp counter RUST_FILE
    echo '{{"artifact":"'"$PWD"'/libsccache_rustc_tests.rlib","emit":"link"}}' >&2
fi
"#,
        dir.display(),
    )
    .unwrap();

    let mut perm = rustc.metadata().unwrap().permissions();
    perm.set_mode(0o755);
    set_permissions(&rustc, perm).unwrap();
}
