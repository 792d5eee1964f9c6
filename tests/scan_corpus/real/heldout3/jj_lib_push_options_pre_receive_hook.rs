// Real case for flakeproof's scan corpus: an excerpt of the crates.io crate `jj-lib` 0.46.0
// (https://static.crates.io/crates/jj-lib/jj-lib-0.46.0.crate), file `tests/test_git.rs` (a test file).
// Licence: Apache-2.0 (see ../licences/jj-lib-LICENSE).
// excerpt: unrelated items removed; every kept line is verbatim.
// Copyright 2020 The Jujutsu Authors
//
// Licensed under the Apache License, Version 2.0 (the "License");
// you may not use this file except in compliance with the License.
// You may obtain a copy of the License at
//
// https://www.apache.org/licenses/LICENSE-2.0
//
// Unless required by applicable law or agreed to in writing, software
// distributed under the License is distributed on an "AS IS" BASIS,
// WITHOUT WARRANTIES OR CONDITIONS OF ANY KIND, either express or implied.
// See the License for the specific language governing permissions and
// limitations under the License.

#[test]
fn test_push_updates_with_options() -> TestResult {
    let settings = testutils::user_settings();
    let temp_dir = testutils::new_temp_dir();
    let setup = set_up_push_repos(&settings, &temp_dir);
    let git_settings = GitSettings::from_settings(&settings)?;

    std::process::Command::new("git")
        .arg("--git-dir")
        .arg(&setup.source_repo_dir)
        .args(["config", "receive.advertisePushOptions", "true"])
        .output()?;

    // Set up pre-receive hook to echo back received options
    let hooks_dir = setup.source_repo_dir.join("hooks");
    fs::create_dir_all(&hooks_dir)?;
    let hook_path = hooks_dir.join("pre-receive");
    let hook_content = r#"#!/bin/sh
    if [ -n "$GIT_PUSH_OPTION_COUNT" ] && [ "$GIT_PUSH_OPTION_COUNT" -gt 0 ]; then
        i=0
        while [ $i -lt "$GIT_PUSH_OPTION_COUNT" ]; do
            eval "option_value=\$GIT_PUSH_OPTION_$i"
            echo "Push-Option: $option_value"
            i=$((i + 1))
        done
    fi
    "#;
    fs::write(&hook_path, hook_content)?;
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt as _;

        std::fs::set_permissions(&hook_path, std::fs::Permissions::from_mode(0o700))?;
    }

    let remote_output = Arc::new(std::sync::Mutex::new(Vec::new()));
    struct CapturingCallback {
        output: Arc<std::sync::Mutex<Vec<u8>>>,
    }
    impl GitSubprocessCallback for CapturingCallback {
        fn needs_progress(&self) -> bool {
            false
        }
        fn progress(&mut self, _progress: &git::GitProgress) -> std::io::Result<()> {
            Ok(())
        }
        fn local_sideband(
            &mut self,
            _message: &[u8],
            _term: Option<GitSidebandLineTerminator>,
        ) -> std::io::Result<()> {
            Ok(())
        }
        fn remote_sideband(
            &mut self,
            message: &[u8],
            _term: Option<GitSidebandLineTerminator>,
        ) -> std::io::Result<()> {
            if let Ok(mut output) = self.output.lock() {
                output.extend_from_slice(message);
            }
            Ok(())
        }
    }
    let mut callback = CapturingCallback {
        output: remote_output.clone(),
    };

    let result = git::push_updates(
        setup.jj_repo.as_ref(),
        git_settings.to_subprocess_options(),
        "origin".as_ref(),
        &[GitRefUpdate {
            qualified_name: "refs/heads/main".into(),
            targets: Diff::new(&setup.main_commit, &setup.child_of_main_commit)
                .map(|commit| Some(git_id(commit))),
        }],
        &mut callback,
        &GitPushOptions {
            remote_push_options: vec![
                "merge_request.create".to_owned(),
                "merge_request.draft".to_owned(),
            ],
        },
    )?;

    let stats = result;
    assert_eq!(
        stats.pushed,
        vec![jj_lib::ref_name::GitRefNameBuf::from("refs/heads/main")]
    );
    assert!(stats.rejected.is_empty());
    assert!(stats.remote_rejected.is_empty());
    assert!(stats.unexported_bookmarks.is_empty());

    let captured_bytes = remote_output.lock().unwrap();
    let captured_string = String::from_utf8_lossy(&captured_bytes);
    assert!(captured_string.contains("Push-Option: merge_request.create"));
    assert!(captured_string.contains("Push-Option: merge_request.draft"));
    Ok(())
}
