//! Where the store lives, and creating its file readable by its owner only.

use super::{Result, StoreError};
use std::path::{Path, PathBuf};

/// The store path: the `--db` flag (or `PRECRE_DB`, which clap folds into it), else the
/// platform's data directory, e.g. `~/.local/share/precre/precre.db` on Linux.
pub fn resolve(flag: Option<PathBuf>) -> PathBuf {
    if let Some(p) = flag {
        return p;
    }
    match directories::ProjectDirs::from("", "", "precre") {
        Some(dirs) => dirs.data_dir().join("precre.db"),
        None => PathBuf::from("precre.db"),
    }
}

/// Creates the parent folder and an empty file with owner-only permissions if the store does not
/// exist yet. SQLite gives its -wal and -shm files the same permissions as the database file.
pub fn create_private(path: &Path) -> Result<()> {
    if path.exists() {
        return Ok(());
    }
    let err = |source| StoreError::Create {
        path: path.to_path_buf(),
        source,
    };
    if let Some(parent) = path.parent().filter(|p| !p.as_os_str().is_empty()) {
        if !parent.exists() {
            let mut builder = std::fs::DirBuilder::new();
            builder.recursive(true);
            #[cfg(unix)]
            {
                use std::os::unix::fs::DirBuilderExt;
                builder.mode(0o700);
            }
            builder.create(parent).map_err(err)?;
        }
    }
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        options.mode(0o600);
    }
    match options.open(path) {
        Ok(_) => Ok(()),
        Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => Ok(()),
        Err(e) => Err(err(e)),
    }
}
