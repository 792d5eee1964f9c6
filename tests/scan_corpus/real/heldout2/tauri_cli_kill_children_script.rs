// Real case for flakeproof's scan corpus: an excerpt of the crates.io crate `tauri-cli` 2.12.4
// (https://static.crates.io/crates/tauri-cli/tauri-cli-2.12.4.crate), file `src/dev.rs`.
// Licence: Apache-2.0 OR MIT (see ../licences/tauri-cli-LICENSE-APACHE-2.0, ../licences/tauri-cli-LICENSE-MIT).
// excerpt: unrelated items removed; every kept line is verbatim.
const KILL_CHILDREN_SCRIPT: &[u8] = include_bytes!("../scripts/kill-children.sh");

pub fn kill_before_dev_process() {
  if let Some(child) = BEFORE_DEV.get() {
    // swap so only the first caller (e.g. the Ctrl+C handler or `on_app_exit`) kills the process
    if KILL_BEFORE_DEV_FLAG.swap(true, Ordering::SeqCst) {
      return;
    }
    #[cfg(windows)]
    {
      let powershell_path = std::env::var("SYSTEMROOT").map_or_else(
        |_| "powershell.exe".to_string(),
        |p| format!("{p}\\System32\\WindowsPowerShell\\v1.0\\powershell.exe"),
      );
      let _ = Command::new(powershell_path)
      .arg("-NoProfile")
      .arg("-Command")
      .arg(format!("function Kill-Tree {{ Param([int]$ppid); Get-CimInstance Win32_Process | Where-Object {{ $_.ParentProcessId -eq $ppid }} | ForEach-Object {{ Kill-Tree $_.ProcessId }}; Stop-Process -Id $ppid -ErrorAction SilentlyContinue }}; Kill-Tree {}", child.id()))
      .status();
    }
    #[cfg(unix)]
    {
      use std::io::Write;
      let mut kill_children_script_path = std::env::temp_dir();
      kill_children_script_path.push("tauri-stop-dev-processes.sh");

      if !kill_children_script_path.exists() {
        if let Ok(mut file) = std::fs::File::create(&kill_children_script_path) {
          use std::os::unix::fs::PermissionsExt;
          let _ = file.write_all(KILL_CHILDREN_SCRIPT);
          let mut permissions = file.metadata().unwrap().permissions();
          permissions.set_mode(0o770);
          let _ = file.set_permissions(permissions);
        }
      }
      let _ = Command::new(&kill_children_script_path)
        .arg(child.id().to_string())
        .output();
    }
    let _ = child.kill();
  }
}
