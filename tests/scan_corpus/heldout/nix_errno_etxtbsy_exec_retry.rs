// Synthetic case for flakeproof's scan corpus (hand-made, this project's licence).
// Shape seen in / motivated by: https://github.com/golang/go/issues/22315
use nix::errno::Errno;
use nix::unistd::execv;
use std::ffi::CString;

pub fn exec_tool(path: &CString, args: &[CString]) -> nix::Result<std::convert::Infallible> {
    let mut tries = 0;
    loop {
        match execv(path, args) {
            Err(Errno::ETXTBSY) if tries < 10 => {
                tries += 1;
                std::thread::sleep(std::time::Duration::from_millis(5));
            }
            other => return other,
        }
    }
}
