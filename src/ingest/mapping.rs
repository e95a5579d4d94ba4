//! Matching a file's headers to fields: by name (case- and spacing-insensitive, with aliases) or
//! by an explicit mapping from `--map column=field` or a TOML file.

use super::kinds::Field;
use super::ImportError;
use std::collections::HashMap;
use std::path::Path;

/// Header normal form: lower case, letters and digits only ("Fiscal Year" = "fiscal_year").
pub fn normalize(s: &str) -> String {
    s.chars()
        .filter(|c| c.is_alphanumeric())
        .flat_map(char::to_lowercase)
        .collect()
}

/// A file's column names for a message: all of them up to 30, else the first 30 and how many
/// more (a file of 200,000 columns must not print them all).
pub fn column_list(headers: &[String]) -> String {
    const SHOWN: usize = 30;
    let names: Vec<String> = headers
        .iter()
        .take(SHOWN)
        .map(|h| super::reader::quoted(h))
        .collect();
    let mut out = names.join(", ");
    if headers.len() > SHOWN {
        out.push_str(&format!(" and {} more", headers.len() - SHOWN));
    }
    out
}

/// An explicit mapping from file column to field, merged from a TOML file and `--map` pairs.
#[derive(Debug, Clone, Default)]
pub struct ColumnMap(pub Vec<(String, String)>);

impl ColumnMap {
    /// Parses `--map` values of the form `column=field`.
    pub fn from_pairs(pairs: &[String]) -> Result<ColumnMap, ImportError> {
        let mut out = Vec::new();
        for p in pairs {
            let (col, field) = p.split_once('=').ok_or_else(|| {
                ImportError::Usage(format!(
                    "'{p}': a mapping is written column=field, e.g. \"Umsatz=revenue\""
                ))
            })?;
            out.push((col.trim().to_string(), field.trim().to_string()));
        }
        Ok(ColumnMap(out))
    }

    /// Reads a TOML mapping file: a `[columns]` table of `"file column" = "field"` entries.
    pub fn from_toml(path: &Path) -> Result<ColumnMap, ImportError> {
        let text = std::fs::read_to_string(path).map_err(|e| {
            ImportError::Usage(format!("cannot read mapping file {}: {e}", path.display()))
        })?;
        let value: toml::Table = text.parse().map_err(|e| {
            ImportError::Usage(format!(
                "mapping file {} is not valid TOML: {e}",
                path.display()
            ))
        })?;
        let columns = value
            .get("columns")
            .and_then(|c| c.as_table())
            .ok_or_else(|| {
                ImportError::Usage(format!(
                "mapping file {} needs a [columns] table of \"file column\" = \"field\" entries",
                path.display()
            ))
            })?;
        let mut out = Vec::new();
        for (col, field) in columns {
            let field = field.as_str().ok_or_else(|| {
                ImportError::Usage(format!(
                    "mapping file {}: the value for '{col}' must be a field name in quotes",
                    path.display()
                ))
            })?;
            out.push((col.clone(), field.to_string()));
        }
        Ok(ColumnMap(out))
    }

    pub fn extend(&mut self, other: ColumnMap) {
        self.0.extend(other.0);
    }
}

/// Which file column feeds each field (`None` when the file lacks an optional field), and which
/// file columns were left unused.
#[derive(Debug, Clone)]
pub struct Resolved {
    pub columns: Vec<Option<usize>>,
    pub unused: Vec<String>,
}

/// Matches `headers` to `fields`. Explicit mappings win; then exact ids; then aliases.
pub fn resolve(
    path: &Path,
    headers: &[String],
    fields: &[Field],
    map: &ColumnMap,
) -> Result<Resolved, ImportError> {
    let norm_headers: Vec<String> = headers.iter().map(|h| normalize(h)).collect();
    let mut by_field: HashMap<&str, usize> = HashMap::new();
    for (col, field) in &map.0 {
        let target = fields
            .iter()
            .find(|f| normalize(f.id) == normalize(field))
            .ok_or_else(|| {
                ImportError::Usage(format!(
                    "mapping {col}={field}: there is no field '{field}'; fields are {}",
                    fields.iter().map(|f| f.id).collect::<Vec<_>>().join(", ")
                ))
            })?;
        let idx = norm_headers
            .iter()
            .position(|h| *h == normalize(col))
            .ok_or_else(|| {
                ImportError::Usage(format!(
                    "mapping {col}={field}: {} has no column '{col}'; its columns are {}",
                    path.display(),
                    column_list(headers)
                ))
            })?;
        by_field.insert(target.id, idx);
    }
    let taken = |by_field: &HashMap<&str, usize>, i: usize| by_field.values().any(|&v| v == i);
    for field in fields {
        if by_field.contains_key(field.id) {
            continue;
        }
        let exact = norm_headers.iter().position(|h| *h == normalize(field.id));
        let found = exact.or_else(|| {
            field
                .aliases
                .iter()
                .find_map(|a| norm_headers.iter().position(|h| *h == normalize(a)))
        });
        if let Some(i) = found.filter(|&i| !taken(&by_field, i)) {
            by_field.insert(field.id, i);
        }
    }
    let missing: Vec<&Field> = fields
        .iter()
        .filter(|f| f.required && !by_field.contains_key(f.id))
        .collect();
    if !missing.is_empty() {
        let wanted: Vec<String> = missing
            .iter()
            .map(|f| {
                if f.aliases.is_empty() {
                    f.id.to_string()
                } else {
                    format!("{} (or {})", f.id, f.aliases.join(", "))
                }
            })
            .collect();
        return Err(ImportError::MissingColumns {
            path: path.to_path_buf(),
            missing: wanted.join("; "),
            found: column_list(headers),
        });
    }
    let columns = fields.iter().map(|f| by_field.get(f.id).copied()).collect();
    let unused = headers
        .iter()
        .enumerate()
        .filter(|(i, _)| !taken(&by_field, *i))
        .map(|(_, h)| h.clone())
        .collect();
    Ok(Resolved { columns, unused })
}
