#!/usr/bin/env bash
# Type-check the crate, its tests and examples for Windows, macOS and
# Android from Linux.
#
# The rustup toolchain here has only the Linux target; Debian's rustc-web,
# cargo-web and rust-web-src ship a toolchain with std's source, which
# -Zbuild-std can check for any target (RUSTC_BOOTSTRAP unlocks -Z on stable).
# It checks, it does not run. About 25 s per target when cold.
set -euo pipefail
cd "$(dirname "$0")/.."

if [ ! -x /usr/bin/cargo ] || [ ! -d /usr/lib/rustlib/src/rust/library ]; then
  echo "cross-check: installing rustc-web cargo-web rust-web-src (Debian)"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq rustc-web cargo-web rust-web-src >/dev/null
fi

targets=("${@:-x86_64-pc-windows-msvc aarch64-apple-darwin aarch64-linux-android}")
for target in ${targets[*]}; do
  echo "cross-check: $target"
  # A separate target dir: the rustup toolchain's artifacts are not compatible.
  # -D warnings: dead code on one OS is a real finding (std is capped, unaffected).
  RUSTFLAGS="-D warnings" RUSTC=/usr/bin/rustc RUSTC_BOOTSTRAP=1 CARGO_TARGET_DIR=target/cross \
    /usr/bin/cargo check -q -Zbuild-std=std,panic_abort --target "$target" --all-features --lib --tests --examples
done
echo "cross-check: ok"
