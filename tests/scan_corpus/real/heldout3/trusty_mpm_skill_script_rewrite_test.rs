// Real case for flakeproof's scan corpus: an excerpt of the crates.io crate `trusty-mpm` 1.11.1
// (https://static.crates.io/crates/trusty-mpm/trusty-mpm-1.11.1.crate), file `src/core/skill_staleness.rs`.
// Licence: MIT (see ../licences/trusty-mpm-LICENSE).
// excerpt: unrelated items removed; every kept line is verbatim.
#[cfg(test)]
mod tests {
    use super::*;
    use crate::core::skill_deployer::deploy_skills;
    use std::fs;
    use tempfile::TempDir;

    /// #10211: a change to a carried script alone marks its skill stale. Fails
    /// on the pre-fix code, which compared the `.md` entry point only.
    #[test]
    fn stale_skills_flags_a_changed_script() {
        let src = TempDir::new().unwrap();
        let dest = TempDir::new().unwrap();
        fs::write(src.path().join("tm-doctor.md"), "body\n").unwrap();
        let scripts = src.path().join("tm-doctor").join("scripts");
        fs::create_dir_all(&scripts).unwrap();
        fs::write(scripts.join("check.sh"), "#!/bin/sh\nexit 0\n").unwrap();
        deploy_skills(src.path(), dest.path()).unwrap();
        assert!(stale_skills(src.path(), dest.path()).unwrap().is_empty());

        fs::write(scripts.join("check.sh"), "#!/bin/sh\nexit 1\n").unwrap();

        let stale = stale_skills(src.path(), dest.path()).unwrap();
        assert_eq!(stale, vec!["tm-doctor".to_string()]);
    }
}
