//! The Unix door: every libc call flakeproof makes on Linux, macOS and the
//! BSDs, a file per job (CONTRIBUTING.md's map of the house lists them).

mod barrier;
mod child_writer;
mod close_watch;
mod files;
mod fs_kind;
#[cfg(all(
    target_os = "linux",
    any(target_arch = "x86_64", target_arch = "aarch64")
))]
mod notify;
#[cfg(not(all(
    target_os = "linux",
    any(target_arch = "x86_64", target_arch = "aarch64")
)))]
#[path = "notify_none.rs"]
mod notify;

pub(crate) use barrier::{lock_description, wait_for_no_writers};
pub(crate) use child_writer::{ChildFaults, write_in_child};
pub(crate) use close_watch::CloseWatch;
pub(crate) use files::unsupported as lock_unsupported;
pub(crate) use files::{
    EXEC_REFUSES_WRITERS, FileId, PATH_SEPARATOR, RUNNING_PROGRAMS_UNLINK, close, create_new,
    file_id, only_we_can_change, open_for_sync, open_for_writing, process_alive, reopen, set_mode,
    set_mode_path, sync_dir,
};
pub(crate) use files::{delete_pending, make_private_dir, mode_of, would_block, write_all_at};
pub(crate) use fs_kind::{dir_facts, fs_kind, note_leases_fail};
pub(crate) use notify::{
    attach as attach_faults, attach_both, attach_shield, enforce_on_thread, exempt_program,
    spawn_counted,
};
