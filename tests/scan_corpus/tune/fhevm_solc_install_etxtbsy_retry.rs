// Source: https://github.com/zama-ai/fhevm/tree/main/coprocessor/fhevm-engine
// Commit: unknown (index snapshot)
// Licence of the source: BSD-3-Clause-Clear
// Rewritten and trimmed: the source's shape (calls, control flow) is kept;
// identifiers, comments and unrelated code differ. Not a verbatim copy.
use std::{thread, time::Duration};

use foundry_compilers::{error::SolcError, solc::Solc};
use semver::Version;

const ATTEMPTS: usize = 5;

fn is_etxtbsy(err: &SolcError) -> bool {
    matches!(err, SolcError::Io(e) if e.source().kind() == std::io::ErrorKind::ExecutableFileBusy || e.source().raw_os_error() == Some(26))
}

pub fn find_or_install_solc(version: &Version) -> Solc {
    for attempt in 1..=ATTEMPTS {
        match Solc::find_or_install(version) {
            Ok(solc) => return solc,
            Err(err) if is_etxtbsy(&err) && attempt < ATTEMPTS => {
                thread::sleep(Duration::from_millis(attempt as u64 * 200));
            }
            Err(err) => panic!("could not install solc {version}: {err:?}"),
        }
    }
    unreachable!()
}
