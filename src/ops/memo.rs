//! Writing an application's credit memo (`views::memo`) to a file: a new file only (an
//! existing one is never replaced), readable by its owner only.

use std::io::Write;
use std::path::{Path, PathBuf};

/// Why a memo was not written.
#[derive(Debug, thiserror::Error)]
pub enum MemoError {
    #[error("{0} exists: the memo is not written over it; name another file")]
    Exists(PathBuf),
    #[error("cannot write the memo {path}: {source}")]
    Write {
        path: PathBuf,
        source: std::io::Error,
    },
}

/// The memo's file name when none is given: `memo-APP.html` (characters other than letters,
/// digits, '-', '_' and '.' in the id become '_').
pub fn default_name(application_id: &str) -> PathBuf {
    let safe: String = application_id
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.') {
                c
            } else {
                '_'
            }
        })
        .collect();
    PathBuf::from(format!("memo-{safe}.html"))
}

/// Writes `html` to `path`, a new file (0600); an existing file is left alone.
pub fn write_new(path: &Path, html: &str) -> Result<(), MemoError> {
    let mut opts = std::fs::OpenOptions::new();
    opts.write(true).create_new(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        opts.mode(0o600);
    }
    let mut file = opts.open(path).map_err(|source| {
        if source.kind() == std::io::ErrorKind::AlreadyExists {
            MemoError::Exists(path.to_path_buf())
        } else {
            MemoError::Write {
                path: path.to_path_buf(),
                source,
            }
        }
    })?;
    file.write_all(html.as_bytes())
        .and_then(|_| file.sync_all())
        .map_err(|source| MemoError::Write {
            path: path.to_path_buf(),
            source,
        })
}

/// Gathers application `id`'s memo and writes it to `out` (default: [`default_name`]);
/// returns the path written.
pub fn write_memo(
    store: &crate::store::Store,
    id: &str,
    out: Option<&Path>,
) -> Result<PathBuf, super::OpsError> {
    let memo = crate::views::memo::load(store, id)?;
    let path = out.map_or_else(|| default_name(&memo.application.id), Path::to_path_buf);
    write_new(&path, &crate::views::memo::html(&memo))
        .map_err(|e| super::OpsError::Usage(e.to_string()))?;
    Ok(path)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_memo_never_replaces_a_file() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("m.html");
        write_new(&p, "one").unwrap();
        assert!(matches!(write_new(&p, "two"), Err(MemoError::Exists(_))));
        assert_eq!(std::fs::read_to_string(&p).unwrap(), "one");
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let mode = std::fs::metadata(&p).unwrap().permissions().mode() & 0o777;
            assert_eq!(mode, 0o600);
        }
        assert_eq!(
            default_name("APP-1/../x"),
            PathBuf::from("memo-APP-1_.._x.html")
        );
    }
}
