// Real case for flakeproof's scan corpus: an excerpt of the crates.io crate `cargo-pgrx` 0.19.4
// (https://static.crates.io/crates/cargo-pgrx/cargo-pgrx-0.19.4.crate), file `src/command/regress.rs`.
// Licence: MIT (see ../licences/cargo-pgrx-LICENSE.txt).
// excerpt: unrelated items removed; every kept line is verbatim.
fn pg_regress(
    pg_config: &PgConfig,
    bin: &Path,
    dbname: &str,
    input_dir: &Path,
    tests: &[&DirEntry],
    verbosity: &str,
    skipped_cnt: usize,
) -> eyre::Result<ExitStatus> {
    if tests.is_empty() {
        eyre::bail!("no tests to run");
    }
    let test_dir = tests[0].path().parent().unwrap().parent().unwrap().to_path_buf();
    let tests = tests.iter().map(|entry| make_test_name(entry));

    let mut command = Command::new(bin);
    command
        .current_dir(test_dir)
        .env_remove("PGDATABASE")
        .env_remove("PGHOST")
        .env_remove("PGPORT")
        .env_remove("PGUSER")
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .arg("--host")
        .arg(pg_config.host())
        .arg("--port")
        .arg(pg_config.port()?.to_string())
        .arg("--use-existing")
        .arg(format!("--dbname={dbname}"))
        .arg(format!("--inputdir={}", input_dir.display()))
        .arg(format!("--outputdir={}", input_dir.display()))
        .args(tests);

    #[cfg(not(target_os = "windows"))]
    let launcher_script = {
        fn make_launcher_script(verbosity: &str) -> eyre::Result<PathBuf> {
            use std::os::unix::fs::PermissionsExt;

            let launcher_script =
                format!("#! /bin/bash\n$* -v VERBOSITY={}", verbosity,).into_bytes();

            let path = temp_dir().join(format!("pgrx-pg_regress-runner-{}.sh", std::process::id()));
            let mut tmpfile = File::create(&path)?;
            tmpfile.write_all(&launcher_script)?;
            let mut perms = path.metadata()?.permissions();
            perms.set_mode(0o700);
            tmpfile.set_permissions(perms)?;
            Ok(path)
        }
        let launcher_script = make_launcher_script(verbosity)?;
        command.arg(format!("--launcher={}", launcher_script.display()));
        launcher_script
    };

    tracing::trace!("running {command:?}");

    let mut child = command.spawn()?;
    let (Some(stdout), Some(stderr)) = (child.stdout.take(), child.stderr.take()) else {
        panic!("unable to take stdout or stderr from pg_regress process");
    };

    let output_monitor = std::thread::spawn(move || {
        let mut passed_cnt = 0;
        let mut failed_cnt = 0;
        let stdout = BufReader::new(stdout);
        let stderr = BufReader::new(stderr);
        for line in stdout.lines().chain(stderr.lines()) {
            let line = line.unwrap();
            let Some((line, result)) = decorate_output(line) else {
                continue;
            };

            match result {
                Some(TestResult::Passed) => passed_cnt += 1,
                Some(TestResult::Failed) => failed_cnt += 1,
                None => (),
            }

            println!("{line}");
        }
        (passed_cnt, failed_cnt)
    });
    let status = child.wait()?;
    let (passed_cnt, failed_cnt) =
        output_monitor.join().map_err(|_| eyre::eyre!("failed to join output monitor thread"))?;
    if skipped_cnt > 0 {
        println!("passed={passed_cnt} failed={failed_cnt} skipped={skipped_cnt}");
    } else {
        println!("passed={passed_cnt} failed={failed_cnt}");
    }

    #[cfg(not(target_os = "windows"))]
    {
        std::fs::remove_file(launcher_script)?;
    }

    Ok(status)
}

/// Show the regression diffs path on failure. With `-v`, also print the full
/// diff content to stderr.  When `repeat > 1`, rename the file to
/// `regression.<run>.diffs` so each attempt's diffs are preserved.
fn print_regression_diffs(manifest_path: &Path, verbose: u8, run: u32, repeat: u32) {
    // pg_regress writes regression.diffs to --outputdir, which is the pg_regress/ directory
    let diffs_path = manifest_path_to_pg_regress_dir(manifest_path).join("regression.diffs");
    if !diffs_path.exists() {
        return;
    }

    if verbose >= 1
        && let Ok(content) = std::fs::read_to_string(&diffs_path)
    {
        eprintln!();
        eprintln!("{content}");
    }

    // When repeating, rename to regression.<run>.diffs so each run's output is preserved
    let final_path = if repeat > 1 {
        let renamed =
            manifest_path_to_pg_regress_dir(manifest_path).join(format!("regression.{run}.diffs"));
        // remove any stale file with the same name first
        let _ = std::fs::remove_file(&renamed);
        if let Err(e) = std::fs::rename(&diffs_path, &renamed) {
            eprintln!(
                "{} failed to rename regression.diffs to {}: {e}",
                "     WARNING".bold().yellow(),
                renamed.display()
            );
            diffs_path
        } else {
            renamed
        }
    } else {
        diffs_path
    };

    eprintln!("\n{} {}", "  Diffs at".bold().red(), final_path.display().bold().cyan());
}
