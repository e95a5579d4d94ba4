//! The reason codes in use: the file named by `PRECRE_REASON_CODES`, else `reason_codes.toml`
//! in PRECRE's configuration folder when there is one, else the shipped list; installed once
//! for the process, so that every front-end reads and words reasons the same way.

use crate::decisions::codes::{self, CodesError, ReasonCodes};
use std::path::PathBuf;

/// Why the reason codes could not be read.
#[derive(Debug, thiserror::Error)]
pub enum ReasonCodesError {
    #[error("cannot read the reason codes {path}: {source}")]
    Read {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("reason codes {0}")]
    Invalid(#[from] CodesError),
}

/// Whether an input id is one a reason code can cover: a ratio, an item, a business factor or
/// a firm attribute.
pub fn known_input(id: &str) -> bool {
    crate::finance::catalogue::find(id).is_some()
        || crate::finance::inputs::Input::parse(id).is_some()
}

/// The file in use, if any: `PRECRE_REASON_CODES`, else the configuration folder's.
pub fn codes_path() -> Option<PathBuf> {
    if let Some(p) = std::env::var_os("PRECRE_REASON_CODES").filter(|p| !p.is_empty()) {
        return Some(PathBuf::from(p));
    }
    directories::ProjectDirs::from("", "", "precre")
        .map(|d| d.config_dir().join("reason_codes.toml"))
        .filter(|p| p.exists())
}

/// Reads the reason codes in use (the shipped ones without a file).
pub fn load() -> Result<ReasonCodes, ReasonCodesError> {
    match codes_path() {
        None => Ok(ReasonCodes::defaults(&known_input)),
        Some(path) => {
            let text = std::fs::read_to_string(&path).map_err(|source| ReasonCodesError::Read {
                path: path.clone(),
                source,
            })?;
            Ok(ReasonCodes::parse(
                &text,
                &path.display().to_string(),
                &known_input,
            )?)
        }
    }
}

/// Reads and installs the reason codes for this process.
pub fn install() -> Result<(), ReasonCodesError> {
    codes::install(load()?);
    Ok(())
}

#[cfg(test)]
mod tests {
    #[test]
    fn the_shipped_codes_name_only_known_inputs() {
        let c = crate::decisions::codes::ReasonCodes::parse(
            crate::decisions::codes::DEFAULT_TOML,
            "data/reason_codes.toml",
            &super::known_input,
        );
        assert!(c.is_ok(), "{c:?}");
    }
}
