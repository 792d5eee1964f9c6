//! replace_executable puts a fresh build where a running program is,
//! without writing into it.
// Unix only: running ELF programs and modes.
#![cfg(unix)]

use std::fs;
use std::io;
use std::os::unix::fs::{MetadataExt, PermissionsExt};
use std::process::Command;

use flakeproof::fault::FaultPlan;
use flakeproof::replace::{ReplaceStep, Replacer};
use flakeproof::replace_executable;

fn mode(p: &std::path::Path) -> u32 {
    fs::metadata(p).unwrap().permissions().mode() & 0o7777
}

#[test]
fn a_running_program_is_replaced_and_keeps_running() {
    let Ok(sleep_elf) = fs::read("/bin/sleep") else {
        return crate::common::skip("bin-sleep", "/bin/sleep is not here to copy");
    };
    let Some(dir) = crate::common::exec_tempdir() else {
        return;
    };
    let (old_build, new_build, dst) = (
        dir.path().join("old"),
        dir.path().join("new"),
        dir.path().join("app"),
    );
    fs::write(&old_build, &sleep_elf).unwrap();
    fs::set_permissions(&old_build, fs::Permissions::from_mode(0o755)).unwrap();
    fs::write(&new_build, "#!/bin/sh\necho v2\n").unwrap();
    fs::set_permissions(&new_build, fs::Permissions::from_mode(0o755)).unwrap();
    replace_executable(&old_build, &dst).unwrap();
    let mut running = Command::new(&dst).arg("30").spawn().unwrap();

    // The naive way, what `dx serve` did: copy over it. The kernel refuses
    // to write into a running program.
    if cfg!(target_os = "linux") {
        // flakeproof: allow(in-place-replace) std's in-place copy, shown failing before replace_executable is
        let e = fs::copy(&new_build, &dst).unwrap_err();
        assert_eq!(e.raw_os_error(), Some(libc::ETXTBSY));
    }

    let report = replace_executable(&new_build, &dst).unwrap();
    assert!(report.replaced);
    assert_eq!(
        running.try_wait().unwrap(),
        None,
        "the old program must keep running"
    );
    assert_eq!(Command::new(&dst).output().unwrap().stdout, b"v2\n");
    running.kill().unwrap();
    running.wait().unwrap();
    assert_eq!(crate::common::entries(dir.path()), ["app", "new", "old"]);
}

#[test]
fn the_source_mode_is_kept_unless_one_is_given() {
    let dir = tempfile::tempdir().unwrap();
    let (src, dst) = (dir.path().join("out"), dir.path().join("app"));
    fs::write(&src, "#!/bin/sh\n").unwrap();
    fs::set_permissions(&src, fs::Permissions::from_mode(0o750)).unwrap();
    replace_executable(&src, &dst).unwrap();
    assert_eq!(mode(&dst), 0o750);
    Replacer::new()
        .mode(0o700)
        .skip_identical(false)
        .replace(&src, &dst)
        .unwrap();
    assert_eq!(mode(&dst), 0o700);
}

#[test]
fn identical_content_is_left_alone_and_different_content_is_a_new_inode() {
    let dir = tempfile::tempdir().unwrap();
    let (src, dst) = (dir.path().join("out"), dir.path().join("app"));
    fs::write(&src, "v1").unwrap();
    replace_executable(&src, &dst).unwrap();
    let ino = fs::metadata(&dst).unwrap().ino();
    let again = replace_executable(&src, &dst).unwrap();
    assert!(!again.replaced);
    assert_eq!(fs::metadata(&dst).unwrap().ino(), ino);
    fs::write(&src, "v2").unwrap();
    assert!(replace_executable(&src, &dst).unwrap().replaced);
    assert_ne!(fs::metadata(&dst).unwrap().ino(), ino);
    assert_eq!(fs::read(&dst).unwrap(), b"v2");
}

#[test]
fn a_missing_source_or_a_failed_step_leaves_the_destination_as_it_was() {
    let dir = tempfile::tempdir().unwrap();
    let (src, dst) = (dir.path().join("out"), dir.path().join("app"));
    fs::write(&dst, "old").unwrap();
    let e = replace_executable(&src, &dst).unwrap_err();
    assert_eq!(
        (e.step(), e.kind()),
        (ReplaceStep::ReadSource, io::ErrorKind::NotFound)
    );
    fs::write(&src, "new").unwrap();
    // `lock`: the barrier's (and the writer's flock, where the lease does
    // not decide alone).
    for rule in ["write=EIO", "rename=EXDEV", "lock=EIO"] {
        let (op, at) = rule.split_once('=').unwrap();
        let plan = match op.split_once('@') {
            Some((op, n)) => format!("{op}={at}@{n}"),
            None => format!("{op}={at}"),
        };
        let _g = FaultPlan::parse(&plan).unwrap().activate();
        assert!(replace_executable(&src, &dst).is_err(), "{rule}");
        assert_eq!(fs::read(&dst).unwrap(), b"old", "{rule}");
        assert_eq!(crate::common::entries(dir.path()), ["app", "out"], "{rule}");
    }
}

#[test]
fn with_a_lock_the_destination_is_held_while_replacing() {
    let dir = tempfile::tempdir().unwrap();
    let (src, dst) = (dir.path().join("out"), dir.path().join("app"));
    fs::write(&src, "v1").unwrap();
    let locks = flakeproof::ArtifactLock::new(dir.path());
    let other = flakeproof::ArtifactLock::new(dir.path()).timeout(std::time::Duration::ZERO);
    let held = other.lock("app").unwrap();
    let e = Replacer::new()
        .lock(other.clone())
        .replace(&src, &dst)
        .unwrap_err();
    assert_eq!(e.kind(), io::ErrorKind::TimedOut);
    drop(held);
    Replacer::new().lock(locks).replace(&src, &dst).unwrap();
    assert_eq!(fs::read(&dst).unwrap(), b"v1");
}

/// Three outputs of one build, replaced as a set under one key, while a
/// reader takes the shared lock on that key and reads them: it always sees
/// one build's whole set. (Without the reader's lock, it sees mixes: run
/// with `read_locked = false` to watch it fail.)
#[test]
fn a_set_replaced_under_one_key_is_read_whole_under_the_shared_lock() {
    use flakeproof::ArtifactLock;
    use std::sync::Arc;
    use std::sync::atomic::{AtomicBool, Ordering};
    let read_locked = true;
    let dir = tempfile::tempdir().unwrap();
    let (builds, out) = (dir.path().join("builds"), dir.path().join("out"));
    fs::create_dir_all(&out).unwrap();
    let files = ["app.wasm", "app.did", "app.most"];
    let mut sets = Vec::new();
    for v in 0..2 {
        let b = builds.join(v.to_string());
        fs::create_dir_all(&b).unwrap();
        for f in files {
            fs::write(b.join(f), format!("{f} from build {v}")).unwrap();
        }
        sets.push(files.map(|f| (b.join(f), out.join(f))));
    }
    let locks = ArtifactLock::new(dir.path().join("locks"));
    Replacer::new()
        .durable(false)
        .lock(locks.clone())
        .replace_set("app", &sets[0])
        .unwrap();
    let done = Arc::new(AtomicBool::new(false));
    let reader = {
        let (locks, out, done) = (locks.clone(), out.clone(), done.clone());
        std::thread::spawn(move || {
            let (mut reads, mut mixed) = (0, 0);
            while !done.load(Ordering::SeqCst) || reads == 0 {
                let _g = read_locked.then(|| locks.lock_shared("app").unwrap());
                let builds: Vec<String> = files
                    .iter()
                    .map(|f| fs::read_to_string(out.join(f)).unwrap())
                    .map(|t| t.rsplit(' ').next().unwrap().to_owned())
                    .collect();
                reads += 1;
                mixed += usize::from(builds.iter().any(|b| *b != builds[0]));
            }
            (reads, mixed)
        })
    };
    let replacer = Replacer::new().durable(false).lock(locks);
    for i in 0..300 {
        let reports = replacer.replace_set("app", &sets[i % 2]).unwrap();
        assert_eq!(reports.len(), 3);
    }
    done.store(true, Ordering::SeqCst);
    let (reads, mixed) = reader.join().unwrap();
    assert_eq!(mixed, 0, "{mixed} of {reads} reads saw a mixed set");
}

#[test]
fn a_set_with_a_bad_destination_touches_nothing() {
    let dir = tempfile::tempdir().unwrap();
    fs::write(dir.path().join("a"), "new").unwrap();
    fs::write(dir.path().join("b"), "old").unwrap();
    let files = [
        (dir.path().join("a"), dir.path().join("b")),
        (dir.path().join("a"), std::path::PathBuf::from("/")),
    ];
    let err = Replacer::new().replace_set("k", &files).unwrap_err();
    assert_eq!(err.step(), ReplaceStep::Validate);
    assert_eq!(fs::read_to_string(dir.path().join("b")).unwrap(), "old");
}
