// Real case for flakeproof's scan corpus: an excerpt of the crates.io crate `cargo-mobile2` 0.22.5
// (https://static.crates.io/crates/cargo-mobile2/cargo-mobile2-0.22.5.crate), file `src/os/windows/ln.rs`.
// Licence: Apache-2.0 OR MIT (see ../licences/cargo-mobile2-LICENSE-APACHE, ../licences/cargo-mobile2-LICENSE-MIT).
// excerpt: unrelated items removed; every kept line is verbatim.
use crate::util::{
    ln::{Clobber, Error, ErrorCause, LinkType, TargetStyle},
    prefix_path,
};
use std::{
    borrow::Cow,
    fs::{remove_dir_all, remove_file},
    os::windows::ffi::OsStrExt,
    path::Path,
};
use windows::{
    core::{self, PCWSTR},
    Win32::{
        Foundation::{CloseHandle, ERROR_PRIVILEGE_NOT_HELD, GENERIC_READ},
        Storage::FileSystem::{
            CreateFileW, FILE_FLAG_BACKUP_SEMANTICS, FILE_FLAG_DELETE_ON_CLOSE,
            FILE_FLAG_OPEN_REPARSE_POINT, FILE_SHARE_READ, OPEN_EXISTING,
        },
    },
};

pub fn force_symlink(
    source: impl AsRef<Path>,
    target: impl AsRef<Path>,
    target_style: TargetStyle,
) -> Result<(), Error> {
    let (source, target) = (source.as_ref(), target.as_ref());
    let error = |cause: ErrorCause| {
        Error::new(
            LinkType::Symbolic,
            Clobber::FileOnly,
            source.to_owned(),
            target.to_owned(),
            target_style,
            cause,
        )
    };
    let target = if target_style == TargetStyle::Directory {
        let file_name = if let Some(file_name) = source.file_name() {
            file_name
        } else {
            return Err(error(ErrorCause::MissingFileName));
        };
        Cow::Owned(target.join(file_name))
    } else {
        Cow::Borrowed(target)
    };
    let is_directory = target
        .parent()
        .map(|parent| prefix_path(parent, source).is_dir())
        .unwrap_or(false);
    if is_symlink(&target) {
        delete_symlink(&target).map_err(|err| error(ErrorCause::IOError(err.into())))?;
    } else if target.is_file() {
        remove_file(&target).map_err(|err| error(ErrorCause::IOError(err)))?;
    } else if target.is_dir() {
        remove_dir_all(&target).map_err(|err| error(ErrorCause::IOError(err)))?;
    }
    let result = if is_directory {
        std::os::windows::fs::symlink_dir(source, target)
    } else {
        std::os::windows::fs::symlink_file(source, target)
    };
    result.map_err(|err| {
        if err.raw_os_error() == Some(ERROR_PRIVILEGE_NOT_HELD.0 as i32) {
            error(ErrorCause::SymlinkNotAllowed)
        } else {
            error(ErrorCause::IOError(err))
        }
    })?;
    Ok(())
}
