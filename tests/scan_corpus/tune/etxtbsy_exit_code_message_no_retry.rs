// Synthetic case for flakeproof's scan corpus (hand-made, this project's licence).
// Shape seen in / motivated by: https://github.com/rust-lang/rust/issues/114554
use std::io;

const EXIT_NOT_FOUND: i32 = 127;
const EXIT_UNEXECUTABLE: i32 = 126;

fn exec_failed(error: &io::Error) -> (i32, &'static str) {
    match error.raw_os_error() {
        Some(libc::ENOENT) => (EXIT_NOT_FOUND, "the program does not exist"),
        Some(libc::ENOEXEC) => (EXIT_UNEXECUTABLE, "give it a #! line"),
        Some(libc::EACCES | libc::EPERM) => (EXIT_UNEXECUTABLE, "check the execute permission"),
        Some(libc::ETXTBSY) => (EXIT_UNEXECUTABLE, "the program file is still open for writing"),
        _ => (EXIT_UNEXECUTABLE, "correct the program"),
    }
}

pub fn report(error: &io::Error) -> i32 {
    let (code, remedy) = exec_failed(error);
    eprintln!("exec failed: {error}; {remedy}");
    code
}
