#!/usr/bin/env bash
# Build the test suite for Windows and run every test binary under Wine.
#
# - Debian's rustc-web / cargo-web / rust-web-src (a toolchain with std's
#   source) build std for x86_64-pc-windows-gnu with -Zbuild-std
#   (RUSTC_BOOTSTRAP unlocks -Z); gcc-mingw-w64-x86-64 links.
# - Debian's wine64 (8.0) runs the binaries, in a Wine prefix of our own,
#   once a bcryptprimitives.dll providing ProcessPrng is in it (std imports
#   it; Wine 8.0 lacks it): scripts/windows/bcryptprimitives.c.
# - Doc tests are not run (rustdoc would have to run under Wine too).
#
# Exits non-zero if any test fails. Then prints, without judging, how long
# the installer's default retries ride out a destination held open.
set -euo pipefail
cd "$(dirname "$0")/.."

need=()
[ -x /usr/bin/cargo ] && [ -d /usr/lib/rustlib/src/rust/library ] || need+=(rustc-web cargo-web rust-web-src)
command -v x86_64-w64-mingw32-gcc >/dev/null || need+=(gcc-mingw-w64-x86-64)
[ -x /usr/lib/wine/wine64 ] || need+=(wine64)
if [ ${#need[@]} -gt 0 ]; then
  echo "windows-test: installing ${need[*]} (Debian)"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq "${need[@]}" >/dev/null
fi

target=x86_64-pc-windows-gnu
out=target/windows
export RUSTC=/usr/bin/rustc RUSTC_BOOTSTRAP=1 CARGO_TARGET_DIR=$out
export CARGO_TARGET_X86_64_PC_WINDOWS_GNU_LINKER=x86_64-w64-mingw32-gcc
build=(/usr/bin/cargo test --locked --no-run -q -Zbuild-std=std,panic_abort,panic_unwind
       --target "$target" --all-features)

# The fake-command shim: build.rs can't compile it for a -Zbuild-std target
# (plain rustc finds no std for it there), so it is built here with cargo,
# as a package of its own, and handed to build.rs through FLAKEPROOF_SHIM:
# the fallback the fake module documents.
echo "windows-test: building the fake-command shim for $target"
shim_pkg=$out/shim-package
mkdir -p "$shim_pkg"
printf '%s\n' '[package]' 'name = "flakeproof-shim"' 'version = "0.0.0"' 'edition = "2021"' \
  '[[bin]]' 'name = "flakeproof-shim"' "path = \"$PWD/shim/main.rs\"" \
  '[profile.release]' 'panic = "abort"' 'strip = true' '[workspace]' >"$shim_pkg/Cargo.toml"
/usr/bin/cargo build -q --release -Zbuild-std=std,panic_abort --target "$target" \
  --manifest-path "$shim_pkg/Cargo.toml"
export FLAKEPROOF_SHIM=$PWD/$out/$target/release/flakeproof-shim.exe
ls -l "$FLAKEPROOF_SHIM"

echo "windows-test: building the tests and examples for $target"
"${build[@]}"
bins=$("${build[@]}" --message-format=json 2>/dev/null \
  | grep '"test":true' | grep -o '"executable":"[^"]*"' | cut -d'"' -f4)

echo "windows-test: preparing a Wine prefix"
export WINEPREFIX="$PWD/$out/wineprefix" WINEDEBUG=-all
wine=/usr/lib/wine/wine64
if [ ! -d "$WINEPREFIX/drive_c/windows/system32" ]; then
  "$wine" wineboot --init >/dev/null 2>&1
fi
x86_64-w64-mingw32-gcc -shared -O2 -o "$WINEPREFIX/drive_c/windows/system32/bcryptprimitives.dll" \
  scripts/windows/bcryptprimitives.c scripts/windows/bcryptprimitives.def -lbcrypt

failed=0
for bin in $bins; do
  name=$(basename "$bin" .exe | sed 's/-[0-9a-f]*$//')
  log="$out/$name.log"
  if timeout 600 "$wine" "$bin" >"$log" 2>&1; then
    printf '%-22s %s\n' "$name" "$(grep 'test result' "$log")"
  else
    cat "$log"
    echo "FAILED under Wine: $name"
    failed=1
  fi
done
[ "$failed" -eq 0 ] || exit 1

echo
echo "windows-test: how long the default retries ride out a held destination (under Wine)"
"$wine" "$out/$target/debug/examples/windows_hold.exe"
wineserver_bin=/usr/lib/wine/wineserver64
[ -x "$wineserver_bin" ] && "$wineserver_bin" -k 2>/dev/null || true
