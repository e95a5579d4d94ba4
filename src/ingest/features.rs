//! Importing a ready-made table as a named feature set (the way public data sets come).

use super::mapping::normalize;
use super::reader::{Cell, RawTable};
use super::report::Severity;
use super::validate::{is_missing_marker, parse_number};
use super::{ImportError, ImportOptions, ImportReport};
use crate::store::features::{FeatureColumn, FeatureRow, FeatureSetInfo};
use crate::store::Store;
use std::collections::{BTreeSet, HashMap};

fn find_column(table: &RawTable, name: &str, what: &str) -> Result<usize, ImportError> {
    table
        .headers
        .iter()
        .position(|h| normalize(h) == normalize(name))
        .ok_or_else(|| {
            ImportError::Usage(format!(
                "{what} '{name}': {} has no such column; its columns are {}",
                table.path.display(),
                super::mapping::column_list(&table.headers)
            ))
        })
}

fn cell_text(cell: Cell) -> Option<String> {
    match cell {
        Cell::Missing => None,
        Cell::Num(x) if x.fract() == 0.0 && x.abs() < 1e15 => Some(format!("{}", x as i64)),
        Cell::Num(x) => Some(format!("{x}")),
        Cell::Text(t) => {
            let t = t.trim();
            (!is_missing_marker(t)).then(|| t.to_string())
        }
    }
}

/// Imports every column but the id and the label as a feature: numeric when every present cell
/// is a number, else categorical (codes such as `A11` become categories, not errors).
pub fn import(
    store: &mut Store,
    table: &RawTable,
    opts: &ImportOptions,
    mut report: ImportReport,
) -> Result<ImportReport, ImportError> {
    let fo = &opts.features;
    let label_name = fo.label_column.as_deref().ok_or_else(|| {
        ImportError::Usage("a feature set needs its label column (the class of each row)".into())
    })?;
    let label_col = find_column(table, label_name, "the label column")?;
    let id_col = fo
        .id_column
        .as_deref()
        .map(|n| find_column(table, n, "the id column"))
        .transpose()?;
    let name = fo.name.clone().unwrap_or_else(|| {
        table
            .path
            .file_stem()
            .map_or("features".to_string(), |s| s.to_string_lossy().to_string())
    });
    let feature_cols: Vec<usize> = (0..table.headers.len())
        .filter(|&c| c != label_col && Some(c) != id_col)
        .collect();

    // Decide each column's kind from its cells.
    let mut columns = Vec::new();
    let mut cat_index: Vec<HashMap<String, usize>> = Vec::new();
    for &c in &feature_cols {
        let mut numeric = true;
        let mut cats = BTreeSet::new();
        for r in 0..table.n_rows {
            match table.cell(c, r) {
                Cell::Missing | Cell::Num(_) => {}
                Cell::Text(t) => {
                    let t = t.trim();
                    if is_missing_marker(t) {
                        continue;
                    }
                    if parse_number(t).is_none() {
                        numeric = false;
                    }
                    cats.insert(t.to_string());
                }
            }
        }
        let categories: Vec<String> = if numeric {
            Vec::new()
        } else {
            cats.into_iter().collect()
        };
        cat_index.push(
            categories
                .iter()
                .enumerate()
                .map(|(i, s)| (s.clone(), i))
                .collect(),
        );
        columns.push(FeatureColumn {
            name: table.headers[c].clone(),
            kind: if numeric { "numeric" } else { "categorical" }.into(),
            categories,
            n_missing: 0,
        });
    }

    let issue = |row: usize, column: &str, value: &str, reason: &str| {
        table.issue(Severity::Error, row, column, value, reason)
    };
    let mut rows = Vec::with_capacity(table.n_rows);
    let mut seen_ids: HashMap<String, usize> = HashMap::new();
    for r in 0..table.n_rows {
        let row = table.file_row(r);
        let label = cell_text(table.cell(label_col, r));
        if label.is_none() {
            report.issues.push(issue(
                row,
                &table.headers[label_col],
                "",
                "the label is empty",
            ));
            continue;
        }
        let entity_id = match id_col {
            Some(c) => match cell_text(table.cell(c, r)) {
                Some(id) => id,
                None => {
                    report
                        .issues
                        .push(issue(row, &table.headers[c], "", "the id is empty"));
                    continue;
                }
            },
            None => row.to_string(),
        };
        if let Some(first) = seen_ids.insert(entity_id.clone(), row) {
            let why = format!("duplicate id: {} has the same", table.locate(first));
            report.issues.push(issue(
                row,
                id_col.map_or("", |c| &table.headers[c]),
                &entity_id,
                &why,
            ));
            continue;
        }
        let mut values = Vec::with_capacity(feature_cols.len());
        for (k, &c) in feature_cols.iter().enumerate() {
            let cell = table.cell(c, r);
            let v = match (cell, columns[k].kind.as_str()) {
                (Cell::Num(x), "numeric") => x,
                (Cell::Text(t), "numeric") => parse_number(t.trim()).unwrap_or(f64::NAN),
                (Cell::Num(x), _) => cat_index[k]
                    .get(&format!("{x}"))
                    .map_or(f64::NAN, |&i| i as f64),
                (Cell::Text(t), _) => cat_index[k].get(t.trim()).map_or(f64::NAN, |&i| i as f64),
                (Cell::Missing, _) => f64::NAN,
            };
            if v.is_nan() {
                columns[k].n_missing += 1;
            }
            values.push(v);
        }
        rows.push(FeatureRow {
            entity_id,
            label,
            values,
        });
    }

    report.counts.rows_rejected = report.issues.len();
    if report.counts.rows_rejected > 0 && !opts.skip_bad {
        return Err(ImportError::Refused {
            report: Box::new(report),
        });
    }
    let mut labels: HashMap<String, usize> = HashMap::new();
    for r in &rows {
        *labels
            .entry(r.label.clone().unwrap_or_default())
            .or_default() += 1;
    }
    let mut labels: Vec<(String, usize)> = labels.into_iter().collect();
    labels.sort();
    let info = FeatureSetInfo {
        name: name.clone(),
        source: table.path.display().to_string(),
        id_column: id_col.map(|c| table.headers[c].clone()),
        label_column: table.headers[label_col].clone(),
        n_rows: rows.len(),
        imported_at: String::new(),
        labels: labels.clone(),
        columns,
    };
    let tx = store.begin_import()?;
    tx.write_feature_set(&info, &rows, fo.replace)?;
    report.counts.rows_written = rows.len();
    report.feature_set = Some(name);
    report.labels = labels;
    report.missing_cells = info.columns.iter().map(|c| c.n_missing).sum();
    tx.log_import(&report.file, "features", &report.counts)?;
    tx.commit()?;
    Ok(report)
}
