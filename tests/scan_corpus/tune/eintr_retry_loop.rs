// Source: https://github.com/prefix-dev/rip/blob/main/src/utils.rs
// Commit: unknown (index snapshot)
// Licence of the source: BSD-3-Clause
// Rewritten and trimmed: the source's shape (calls, control flow) is kept;
// identifiers, comments and unrelated code differ. Not a verbatim copy.
pub fn retry_interrupted<F, T>(mut f: F) -> std::io::Result<T>
where
    F: FnMut() -> std::io::Result<T>,
{
    loop {
        match f() {
            Ok(result) => return Ok(result),
            Err(err) if err.kind() != std::io::ErrorKind::Interrupted => return Err(err),
            _ => {}
        }
    }
}

pub fn run(cmd: &mut std::process::Command) -> std::io::Result<std::process::Output> {
    retry_interrupted(|| cmd.output())
}
