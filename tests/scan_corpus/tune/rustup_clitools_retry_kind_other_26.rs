// Source: https://github.com/rust-lang/rustup/blob/25ed77ddc0801cf8bc34190fd2cdda55c75471a2/src/test/clitools.rs
// Commit: 25ed77ddc0801cf8bc34190fd2cdda55c75471a2
// Licence of the source: MIT OR Apache-2.0
// Rewritten and trimmed: the source's shape (calls, control flow) is kept;
// identifiers, comments and unrelated code differ. Not a verbatim copy.
use std::process::Command;
use std::sync::RwLock;

static CMD_LOCK: RwLock<()> = RwLock::new(());

pub struct Output {
    pub status: Option<i32>,
    pub stdout: Vec<u8>,
    pub stderr: Vec<u8>,
}

pub fn run_subprocess(mut cmd: Command) -> Output {
    let mut tries_left = 8;
    let result = loop {
        let guard = CMD_LOCK.read().unwrap();
        let result = cmd.output();
        drop(guard);
        match result {
            Ok(result) => break result,
            Err(e) => {
                tries_left -= 1;
                if tries_left > 0
                    && e.kind() == std::io::ErrorKind::Other
                    && e.raw_os_error() == Some(26)
                {
                    // ETXTBSY: another thread's child still holds the file.
                    std::thread::sleep(std::time::Duration::from_millis(250));
                } else {
                    panic!("Unable to run test command: {e:?}");
                }
            }
        }
    };
    Output { status: result.status.code(), stdout: result.stdout, stderr: result.stderr }
}
