// Real case for flakeproof's scan corpus: an excerpt of the crates.io crate `cargo-zigbuild` 0.24.1
// (https://static.crates.io/crates/cargo-zigbuild/cargo-zigbuild-0.24.1.crate), file `tests/linker_args.rs` (a test file).
// Licence: MIT (see ../licences/cargo-zigbuild-LICENSE).
// excerpt: unrelated items removed; every kept line is verbatim.
//! Exercise both production argument paths without requiring an installed Zig.
#![cfg(unix)]

use std::os::unix::fs::PermissionsExt;
use std::process::Command;

fn filter_args(
    args: &[String],
    zig_version: &str,
    response_range: Option<std::ops::Range<usize>>,
    target: &str,
) -> Vec<String> {
    let dir = tempfile::tempdir().unwrap();
    let zig = dir.path().join("zig");
    let captured = dir.path().join("captured");
    std::fs::write(
        &zig,
        "#!/bin/sh\nprintf '%s\\n' \"$@\" > \"$CAPTURED_ARGS\"\n",
    )
    .unwrap();
    std::fs::set_permissions(&zig, std::fs::Permissions::from_mode(0o755)).unwrap();

    let response = dir.path().join("linker-arguments");
    let mut command = Command::new(env!("CARGO_BIN_EXE_cargo-zigbuild"));
    command.args(["zig", "cc", "--", "-target", target]);
    if let Some(ref range) = response_range {
        command.args(&args[..range.start]);
        let lines: Vec<String> = if target.ends_with("windows-msvc") {
            args[range.clone()].to_vec()
        } else {
            // rustc escapes `\` and space for a non-MSVC linker
            args[range.clone()]
                .iter()
                .map(|arg| arg.replace('\\', "\\\\").replace(' ', "\\ "))
                .collect()
        };
        let content = format!("{}\n", lines.join("\n"));
        let bytes = if target.ends_with("windows-msvc") {
            std::iter::once(0xFEFF)
                .chain(content.encode_utf16())
                .flat_map(u16::to_le_bytes)
                .collect()
        } else {
            content.into_bytes()
        };
        std::fs::write(&response, bytes).unwrap();
        command.arg(format!("@{}", response.display()));
        command.args(&args[range.end..]);
    } else {
        command.args(args);
    }
    let output = command
        .env("CARGO_ZIGBUILD_ZIG_COMMAND", &zig)
        .env("CARGO_ZIGBUILD_ZIG_COMMAND_ARGS", "")
        .env("CARGO_ZIGBUILD_ZIG_VERSION", zig_version)
        .env("CARGO_ZIGBUILD_RUSTC_VERSION", "1.96.0")
        .env("CAPTURED_ARGS", &captured)
        .output()
        .unwrap();
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    let response_args: Vec<String> = if response_range.is_some() {
        let bytes = std::fs::read(&response).unwrap();
        if target.ends_with("windows-msvc") {
            assert_eq!(&bytes[..2], &[255, 254]);
            let utf16: Vec<_> = bytes[2..]
                .as_chunks::<2>()
                .0
                .iter()
                .map(|c| u16::from_le_bytes(*c))
                .collect();
            String::from_utf16(&utf16)
                .unwrap()
                .lines()
                .map(str::to_owned)
                .collect()
        } else {
            String::from_utf8(bytes)
                .unwrap()
                .lines()
                .map(read_zig_response_line)
                .collect()
        }
    } else {
        vec![]
    };
    // Expand the response file exactly where Zig would receive it.
    std::fs::read_to_string(captured)
        .unwrap()
        .lines()
        .skip(3) // `cc -target <target>` supplied by this helper
        .flat_map(|arg| {
            if arg == format!("@{}", response.display()) {
                response_args.clone()
            } else {
                vec![arg.to_owned()]
            }
        })
        .collect()
}
