//! The checks of one register row across its fields (defaults, dates in order, a currency
//! code, the balance-sheet identity, an outcome's class), and the file's number format settled
//! on its first chunk.

use super::kinds::{Field, Kind};
use super::numbers::NumberFormat;
use super::records::{real, text, Ctx};
use super::report::Severity;
use super::table::RawTable;
use super::{mapping, statements, validate, ImportError, ImportOptions, ImportReport};
use crate::finance::items::IDENTITY_TOLERANCE;
use crate::store::import_tx::CellValue as Value;

/// The file's number format: the one named, else detected from the numeric fields' text cells
/// of the first chunk (said in the report when the cells decided); refused when ambiguous.
pub(super) fn number_format(
    table: &RawTable,
    fields: &[Field],
    resolved: &mapping::Resolved,
    opts: &ImportOptions,
    report: &mut ImportReport,
) -> Result<NumberFormat, ImportError> {
    use super::kinds::FieldType;
    use super::numbers::{detect, Detected};
    let numeric: Vec<usize> = fields
        .iter()
        .zip(&resolved.columns)
        .filter(|(f, _)| matches!(f.ty, FieldType::Float(..) | FieldType::Int(..)))
        .filter_map(|(_, c)| *c)
        .collect();
    let mut cells = Vec::new();
    for r in 0..table.n_rows {
        for &c in &numeric {
            if let super::table::Cell::Text(t) = table.cell(c, r) {
                cells.push((r, c, t));
            }
        }
    }
    let found = detect(
        cells.iter().map(|x| x.2),
        opts.read.decimal,
        opts.read.thousands,
    );
    match found {
        Detected::Format { format, said } => {
            if said || opts.read.decimal.is_some() || opts.read.thousands.is_some() {
                let how = if said { "detected" } else { "as named" };
                report.number_format = Some(format!("{format} ({how})"));
            }
            Ok(format)
        }
        Detected::Ambiguous { example } => {
            let (r, c, _) = cells
                .iter()
                .find(|x| x.2 == example)
                .copied()
                .unwrap_or((0, 0, ""));
            let row = table.file_row(r);
            let header = table.headers.get(c).cloned().unwrap_or_default();
            // A sheet's location names the cell; a text file's, the row and line.
            let location = if table.has_sheet_refs() {
                let at = table.issue(Severity::Error, row, &header, "", "").location;
                format!("{at} (\"{header}\")")
            } else {
                format!("{}, column \"{header}\"", table.locate(row))
            };
            Err(ImportError::AmbiguousNumbers {
                path: table.path.clone(),
                location,
                example,
            })
        }
        Detected::Conflict { first, second } => Err(ImportError::MixedNumbers {
            path: table.path.clone(),
            first,
            second,
        }),
    }
}

/// Checks across the fields of one row, fills defaults, and adds soft warnings.
/// Returns false when the row is refused.
pub(super) fn check_row(ctx: &mut Ctx, kind: Kind, row: usize, values: &mut [Value]) -> bool {
    let set_default = |values: &mut [Value], i: usize, v: &str| {
        if values[i] == Value::Null {
            values[i] = Value::Text(v.to_string());
        }
    };
    match kind {
        Kind::Firms => {
            let (st, fo, cl) = (
                ctx.field_index("status"),
                ctx.field_index("founded"),
                ctx.field_index("closed_on"),
            );
            set_default(values, st, "active");
            if let (Some(f), Some(c)) = (text(&values[fo]), text(&values[cl])) {
                if c < f {
                    let (c, f) = (c.to_string(), f.to_string());
                    ctx.issue(
                        Severity::Error,
                        row,
                        "closed_on",
                        &c,
                        format!("is before the founding date {f}"),
                    );
                    return false;
                }
            }
            if text(&values[st]) == Some("active") && values[cl] != Value::Null {
                ctx.issue(
                    Severity::Warning,
                    row,
                    "status",
                    "active",
                    "the firm has a closure date but its status is active",
                );
            }
            let id = text(&values[0]).unwrap_or_default().to_string();
            if let Some(Err(reason)) = validate::check_id(&id, ctx.opts.id_scheme) {
                ctx.issue(
                    Severity::Warning,
                    row,
                    "id",
                    &id,
                    format!("{reason} (imported, flagged)"),
                );
            }
        }
        Kind::Statements => {
            let cur = ctx.field_index("currency");
            let read = &ctx.opts.read;
            let default_currency = read
                .currency
                .as_deref()
                .unwrap_or(crate::finance::items::DEFAULT_CURRENCY);
            set_default(values, cur, default_currency);
            let unit = ctx.field_index("unit");
            let default_unit = read
                .unit
                .as_deref()
                .unwrap_or(crate::finance::Unit::default().as_str());
            set_default(values, unit, default_unit);
            let c = text(&values[cur]).unwrap_or_default().to_string();
            if c.len() != 3 || !c.chars().all(|ch| ch.is_ascii_alphabetic()) {
                ctx.issue(
                    Severity::Error,
                    row,
                    "currency",
                    &c,
                    "is not a three-letter currency code (ISO 4217, e.g. KRW, EUR)",
                );
                return false;
            }
            values[cur] = Value::Text(c.to_ascii_uppercase());
            let s = statements::items(&ctx.fields, values);
            if let Some(gap) = s.identity_gap().filter(|g| g.abs() > IDENTITY_TOLERANCE) {
                ctx.issue(
                    Severity::Warning,
                    row,
                    "total_assets",
                    &format!("{}", s.values[0].unwrap_or(0.0)),
                    format!(
                        "assets differ from liabilities + equity by {:.1}% (imported, flagged)",
                        gap * 100.0
                    ),
                );
            }
        }
        Kind::Applications => set_default(values, ctx.field_index("status"), "pending"),
        Kind::Outcomes => {
            let (cl, dpd, src) = (
                ctx.field_index("class"),
                ctx.field_index("days_past_due"),
                ctx.field_index("source"),
            );
            if values[cl] == Value::Null {
                match real(&values[dpd]) {
                    Some(d) => {
                        let class = if d >= 90.0 {
                            "bad"
                        } else if d >= 1.0 {
                            "satisfactory"
                        } else {
                            "good"
                        };
                        values[cl] = Value::Text(class.into());
                        set_default(values, src, "days_past_due");
                    }
                    None => {
                        ctx.issue(
                            Severity::Error,
                            row,
                            "class",
                            "",
                            "needs a class or days_past_due to label the outcome",
                        );
                        return false;
                    }
                }
            }
            set_default(values, src, "import");
        }
        Kind::Factors | Kind::Features => {}
    }
    true
}
