//! Code under test: a little config store that saves and loads
//! `key = value` files with nothing but `std::fs`, as many tools do. It
//! knows nothing of flakeproof.
//!
//! The file ends with a trailer line, `# end <n>` (`n`: the bytes before
//! it), so that [`load`] can tell a complete file from a torn one.

use std::collections::BTreeMap;
use std::fs::{self, File};
use std::io::{self, Write};
use std::path::{Path, PathBuf};

/// A config: keys and values, kept sorted so the same config always
/// saves to the same bytes.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Config {
    pub entries: BTreeMap<String, String>,
}

impl Config {
    /// A config from `(key, value)` pairs.
    pub fn from_pairs<'a>(pairs: impl IntoIterator<Item = (&'a str, &'a str)>) -> Config {
        let entries = pairs
            .into_iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect();
        Config { entries }
    }

    /// The file's header line and its body (every entry), apart: the
    /// in-place save writes them one after the other.
    fn header_and_body(&self) -> (String, String) {
        let header = "# config store, format 1\n".to_string();
        let body: String = self
            .entries
            .iter()
            .map(|(k, v)| format!("{k} = {v}\n"))
            .collect();
        (header, body)
    }
}

/// The trailer that closes a file whose first `n` bytes are header and
/// body.
fn trailer(n: usize) -> String {
    format!("# end {n}\n")
}

/// Saves `config` by rewriting `path` in place: truncate, then the header,
/// the body and the trailer, each its own write. Simple, and wrong: a
/// write that fails (a full disk, an I/O error) leaves a torn file where
/// the old config was.
pub fn save_in_place(path: &Path, config: &Config) -> io::Result<()> {
    let (header, body) = config.header_and_body();
    let mut f = File::create(path)?;
    f.write_all(header.as_bytes())?;
    f.write_all(body.as_bytes())?;
    f.write_all(trailer(header.len() + body.len()).as_bytes())?;
    f.sync_all()
}

/// Saves `config` atomically: the whole file is written to a temp file
/// beside `path` (same directory, so the same filesystem), synced, then
/// renamed over `path`. A reader sees the old file or the new one, never
/// a mix; on error the temp file is removed and `path` is untouched.
pub fn save_atomic(path: &Path, config: &Config) -> io::Result<()> {
    let tmp = temp_path(path);
    let written = (|| {
        let (header, body) = config.header_and_body();
        let mut f = File::create(&tmp)?;
        f.write_all(header.as_bytes())?;
        f.write_all(body.as_bytes())?;
        f.write_all(trailer(header.len() + body.len()).as_bytes())?;
        f.sync_all()?;
        drop(f);
        fs::rename(&tmp, path)
    })();
    if written.is_err() {
        // Best effort: the save's own error is the one to report.
        let _ = fs::remove_file(&tmp);
    }
    written
}

/// `config.toml` -> `config.toml.tmp`, in the same directory.
fn temp_path(path: &Path) -> PathBuf {
    let mut name = path.file_name().unwrap_or_default().to_os_string();
    name.push(".tmp");
    path.with_file_name(name)
}

/// Loads the config at `path`. A file without its trailer, or whose
/// trailer counts other bytes than precede it, is torn: `InvalidData`.
pub fn load(path: &Path) -> io::Result<Config> {
    let text = fs::read_to_string(path)?;
    let torn = |why: &str| io::Error::new(io::ErrorKind::InvalidData, format!("torn: {why}"));
    let body = text.strip_suffix('\n').ok_or_else(|| torn("no trailer"))?;
    let (before, last) = body.rsplit_once('\n').ok_or_else(|| torn("no trailer"))?;
    let n: usize = last
        .strip_prefix("# end ")
        .and_then(|n| n.parse().ok())
        .ok_or_else(|| torn("no trailer"))?;
    if n != before.len() + 1 {
        return Err(torn("the trailer counts other bytes"));
    }
    let mut entries = BTreeMap::new();
    for line in before.lines().filter(|l| !l.starts_with('#')) {
        let (k, v) = line.split_once(" = ").ok_or_else(|| torn(line))?;
        entries.insert(k.to_string(), v.to_string());
    }
    Ok(Config { entries })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_saved_config_loads_back_and_a_cut_one_is_torn() {
        let dir = std::env::temp_dir().join(format!("config-store-{}", std::process::id()));
        fs::create_dir_all(&dir).unwrap();
        let path = dir.join("config.toml");
        let config = Config::from_pairs([("name", "demo"), ("retries", "3")]);
        for save in [save_in_place, save_atomic] {
            save(&path, &config).unwrap();
            assert_eq!(load(&path).unwrap(), config);
        }
        let full = fs::read(&path).unwrap();
        for cut in 0..full.len() {
            fs::write(&path, &full[..cut]).unwrap();
            assert!(load(&path).is_err(), "cut at {cut} loaded");
        }
        fs::remove_dir_all(&dir).unwrap();
    }
}
