//! Where the store lives, and creating its file readable by its owner only (or, for a team
//! sharing one store on a server, by its group too).

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

/// Who may read and write a new store.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Access {
    /// The owner only: file 0600, folder 0700 (the default).
    #[default]
    Private,
    /// The owner and the file's group: file 0660, folder 0770 (`--team`).
    Team,
}

/// Creates the parent folder and an empty file with owner-only permissions if the store does not
/// exist yet. SQLite gives its -wal and -shm files the same permissions as the database file.
pub fn create_private(path: &Path) -> Result<()> {
    create(path, Access::Private)
}

/// Creates the store's folder and file with the permissions of `access` if it does not exist.
/// The modes are set explicitly after creation, so a umask cannot widen or narrow them.
pub fn create(path: &Path, access: Access) -> Result<()> {
    let (file_mode, dir_mode) = match access {
        Access::Private => (0o600, 0o700),
        Access::Team => (0o660, 0o770),
    };
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
                builder.mode(dir_mode);
            }
            builder.create(parent).map_err(err)?;
            #[cfg(unix)]
            {
                use std::os::unix::fs::PermissionsExt;
                std::fs::set_permissions(parent, std::fs::Permissions::from_mode(dir_mode))
                    .map_err(err)?;
            }
        }
    }
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        options.mode(file_mode);
    }
    let _ = dir_mode;
    match options.open(path) {
        Ok(_) => {
            #[cfg(unix)]
            {
                use std::os::unix::fs::PermissionsExt;
                std::fs::set_permissions(path, std::fs::Permissions::from_mode(file_mode))
                    .map_err(err)?;
            }
            let _ = file_mode;
            Ok(())
        }
        Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => Ok(()),
        Err(e) => Err(err(e)),
    }
}
