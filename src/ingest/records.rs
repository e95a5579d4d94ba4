//! Importing register records: firms, statements, factors, applications and outcomes.

use super::kinds::{self, Field, Kind};
use super::reader::RawTable;
use super::report::{Issue, Severity};
use super::{mapping, progress_bar, validate, ImportError, ImportOptions, ImportReport};
use crate::finance::{compute_ratios, items::IDENTITY_TOLERANCE, RatioRow, Statement, ITEMS};
use crate::store::import_tx::{CellValue as Value, ImportTx};
use crate::store::Store;
use rayon::prelude::*;
use std::collections::{HashMap, HashSet};

/// A validated row: its data row number and one value per field.
struct GoodRow {
    row: usize,
    values: Vec<Value>,
}

fn text(v: &Value) -> Option<&str> {
    match v {
        Value::Text(s) => Some(s),
        _ => None,
    }
}

fn real(v: &Value) -> Option<f64> {
    match v {
        Value::Real(x) => Some(*x),
        Value::Integer(i) => Some(*i as f64),
        _ => None,
    }
}

struct Ctx<'a> {
    table: &'a RawTable,
    fields: Vec<Field>,
    issues: Vec<Issue>,
}

impl Ctx<'_> {
    fn issue(
        &mut self,
        severity: Severity,
        row: usize,
        column: &str,
        value: &str,
        reason: impl Into<String>,
    ) {
        self.issues
            .push(self.table.issue(severity, row, column, value, reason));
    }

    fn field_index(&self, id: &str) -> usize {
        self.fields
            .iter()
            .position(|f| f.id == id)
            .unwrap_or(usize::MAX)
    }
}

/// Imports a register kind (everything but feature sets), with the store's connection in bulk
/// mode for the time of the import (see `Store::bulk_import_mode`).
pub fn import(
    store: &mut Store,
    table: &RawTable,
    opts: &ImportOptions,
    report: ImportReport,
) -> Result<ImportReport, ImportError> {
    store.bulk_import_mode(true)?;
    let result = import_checked(store, table, opts, report);
    // The import's own error, if any, says more than a failure to restore the settings.
    let restored = store.bulk_import_mode(false);
    let report = result?;
    restored?;
    Ok(report)
}

fn import_checked(
    store: &mut Store,
    table: &RawTable,
    opts: &ImportOptions,
    mut report: ImportReport,
) -> Result<ImportReport, ImportError> {
    let fields = kinds::fields(opts.kind);
    let resolved = mapping::resolve(&table.path, &table.headers, &fields, &opts.map)?;
    report.unused_columns = resolved.unused.clone();
    let mut ctx = Ctx {
        table,
        fields,
        issues: Vec::new(),
    };

    let t = std::time::Instant::now();
    // 1. Every cell against its field type, in chunks of rows on all cores; the chunks come
    // back in file order.
    let bar = progress_bar(opts.progress, table.n_rows, "validating");
    let chunks: Vec<(Vec<GoodRow>, Vec<Issue>)> = (0..table.n_rows.div_ceil(VALIDATE_CHUNK))
        .into_par_iter()
        .map(|c| {
            let rows = c * VALIDATE_CHUNK..((c + 1) * VALIDATE_CHUNK).min(table.n_rows);
            let mut chunk_ctx = Ctx {
                table,
                fields: ctx.fields.clone(),
                issues: Vec::new(),
            };
            let n = rows.len() as u64;
            let good = validate_rows(&mut chunk_ctx, &resolved.columns, opts.kind, rows);
            bar.inc(n);
            (good, chunk_ctx.issues)
        })
        .collect();
    let mut rows: Vec<GoodRow> = Vec::with_capacity(table.n_rows);
    for (good, issues) in chunks {
        rows.extend(good);
        ctx.issues.extend(issues);
    }
    bar.finish_and_clear();

    crate::timings::phase("validate", t);
    let t = std::time::Instant::now();
    // 2. Duplicate keys within the file.
    let (table_name, keys) = kinds::table(opts.kind);
    let key_idx: Vec<usize> = keys.iter().map(|k| ctx.field_index(k)).collect();
    debug_assert!(key_idx.len() <= 2, "keys of one or two fields");
    let mut seen: HashMap<(KeyPart, KeyPart), usize> = HashMap::with_capacity(rows.len());
    let mut dup_rows = HashSet::new();
    for g in &rows {
        let part = |k: usize| {
            key_idx
                .get(k)
                .map_or(KeyPart::Null, |&i| KeyPart::of(&g.values[i]))
        };
        if let Some(first) = seen.insert((part(0), part(1)), g.row) {
            let key: Vec<String> = key_idx
                .iter()
                .map(|&i| value_string(&g.values[i]))
                .collect();
            let first_loc = table.locate(first);
            ctx.issue(
                Severity::Error,
                g.row,
                keys.join("+").as_str(),
                &key.join(" "),
                format!("duplicate key: {first_loc} has the same"),
            );
            dup_rows.insert(g.row);
        }
    }
    drop(seen);
    rows.retain(|g| !dup_rows.contains(&g.row));

    crate::timings::phase("duplicates", t);
    let t = std::time::Instant::now();
    // IMMEDIATE: the write lock from here on, so the references checked below stay true.
    let tx = store.begin_import()?;

    // 3. References to firms.
    let mut new_firms: Vec<String> = Vec::new();
    if opts.kind != Kind::Firms {
        let known = tx.firm_ids()?;
        let fi = ctx.field_index("firm_id");
        let mut refused = HashSet::new();
        let mut created = HashSet::new();
        let mut last_known: Option<&str> = None;
        for g in &rows {
            let id = text(&g.values[fi]).unwrap_or_default();
            // Rows of one firm usually come together: look each run of the same id up once.
            if last_known == Some(id) {
                continue;
            }
            if known.contains(id) || created.contains(id) {
                last_known = Some(id);
                continue;
            }
            if opts.create_firms {
                created.insert(id.to_string());
                new_firms.push(id.to_string());
            } else {
                let header = resolved.columns[fi]
                    .map_or("firm_id".to_string(), |c| table.headers[c].clone());
                ctx.issue(Severity::Error, g.row, &header, id, "no firm with this id in the store; import the firms first, or let the import create placeholder firms");
                refused.insert(g.row);
            }
        }
        rows.retain(|g| !refused.contains(&g.row));
    }

    ctx.issues
        .sort_by_key(|i| (i.row, i.severity == Severity::Warning));
    report.issues = std::mem::take(&mut ctx.issues);
    let rejected: HashSet<usize> = report.errors().map(|i| i.row).collect();
    report.counts.rows_rejected = rejected.len();
    report.counts.warnings = report.issues.len() - report.errors().count();
    if report.counts.rows_rejected > 0 && !opts.skip_bad {
        return Err(ImportError::Refused {
            report: Box::new(report),
        });
    }

    crate::timings::phase("references", t);
    let t = std::time::Instant::now();
    // 4. Write, all in this one transaction.
    for id in &new_firms {
        tx.insert_placeholder_firm(id)?;
    }
    report.created_firms = new_firms.len();
    let columns: Vec<&str> = ctx.fields.iter().map(|f| f.id).collect();
    report.counts.rows_written = if opts.kind == Kind::Statements {
        write_statements(&tx, &ctx, rows, opts.progress)?
    } else {
        let mut cols = columns.clone();
        if opts.kind == Kind::Firms {
            cols.push("brn_valid");
        }
        let values = rows.into_iter().map(|g| {
            let mut v = g.values;
            if opts.kind == Kind::Firms {
                let valid = text(&v[0]).and_then(validate::korean_brn_valid);
                v.push(valid.map_or(Value::Null, |b| Value::Integer(b as i64)));
            }
            v
        });
        tx.upsert_rows(table_name, &cols, keys, values)?
    };
    tx.log_import(&report.file, opts.kind.as_str(), &report.counts)?;
    crate::timings::phase("write", t);
    let t = std::time::Instant::now();
    tx.commit()?;
    crate::timings::phase("commit", t);
    Ok(report)
}

/// Rows validated by one task of the parallel validation.
const VALIDATE_CHUNK: usize = 16_384;

/// Validates data rows `rows` (0-based) of the table: every cell, then the row's own checks.
fn validate_rows(
    ctx: &mut Ctx,
    columns: &[Option<usize>],
    kind: Kind,
    rows: std::ops::Range<usize>,
) -> Vec<GoodRow> {
    let table = ctx.table;
    let mut good = Vec::with_capacity(rows.len());
    for r in rows {
        let row = r + 1;
        let mut values = Vec::with_capacity(ctx.fields.len());
        let mut ok = true;
        for (f, col) in columns.iter().enumerate() {
            let field = ctx.fields[f];
            let value = match col {
                None => Value::Null,
                Some(c) => {
                    let cell = table.columns[*c].cell(r);
                    match validate::parse_cell(cell, field.ty) {
                        Ok(v) => v,
                        Err(reason) => {
                            let header = table.headers[*c].clone();
                            ctx.issue(Severity::Error, row, &header, &cell.display(), reason);
                            ok = false;
                            Value::Null
                        }
                    }
                }
            };
            if ok && field.required && value == Value::Null {
                let header = col.map_or(field.id.to_string(), |c| table.headers[c].clone());
                ctx.issue(
                    Severity::Error,
                    row,
                    &header,
                    "",
                    "is empty; this field is required",
                );
                ok = false;
            }
            values.push(value);
        }
        if ok && check_row(ctx, kind, row, &mut values) {
            good.push(GoodRow { row, values });
        }
    }
    good
}

/// One part of a row's key, compared without building strings.
#[derive(PartialEq, Eq, Hash)]
enum KeyPart<'a> {
    Null,
    Int(i64),
    Real(u64),
    Text(&'a str),
}

impl<'a> KeyPart<'a> {
    fn of(v: &'a Value) -> KeyPart<'a> {
        match v {
            Value::Integer(i) => KeyPart::Int(*i),
            Value::Real(x) => KeyPart::Real(x.to_bits()),
            Value::Text(s) => KeyPart::Text(s),
            _ => KeyPart::Null,
        }
    }
}

fn value_string(v: &Value) -> String {
    match v {
        Value::Text(s) => s.clone(),
        Value::Integer(i) => i.to_string(),
        Value::Real(x) => x.to_string(),
        _ => String::new(),
    }
}

/// Checks across the fields of one row, fills defaults, and adds soft warnings.
/// Returns false when the row is refused.
fn check_row(ctx: &mut Ctx, kind: Kind, row: usize, values: &mut [Value]) -> bool {
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
            if validate::korean_brn_valid(&id) == Some(false) {
                ctx.issue(Severity::Warning, row, "id", &id, "Korean business registration number with a wrong check digit (imported, flagged)");
            }
        }
        Kind::Statements => {
            let cur = ctx.field_index("currency");
            set_default(values, cur, "KRW");
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
            let s = statement_items(ctx, values);
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

/// The items and year of a validated statement row, for checks (firm id and currency left
/// empty, so nothing is allocated).
fn statement_items(ctx: &Ctx, values: &[Value]) -> Statement {
    // Statement fields are firm, year, currency, then the items in catalogue order.
    debug_assert_eq!(ctx.fields.len(), kinds::FIRST_ITEM + ITEMS.len());
    let mut items = [None; ITEMS.len()];
    for (i, v) in items.iter_mut().enumerate() {
        *v = real(&values[kinds::FIRST_ITEM + i]);
    }
    Statement {
        firm_id: String::new(),
        fiscal_year: real(&values[1]).unwrap_or(0.0) as i32,
        currency: String::new(),
        values: items,
    }
}

/// The whole statement of a validated row it consumes: the firm id is moved, not copied.
fn statement_from(ctx: &Ctx, mut values: Vec<Value>) -> Statement {
    let mut s = statement_items(ctx, &values);
    s.currency = text(&values[2]).unwrap_or("KRW").to_string();
    s.firm_id = match std::mem::replace(&mut values[0], Value::Null) {
        Value::Text(id) => id,
        _ => String::new(),
    };
    s
}

/// Writes statements with freshly computed ratios. Stored statements of the same firms are
/// merged in so that growth and average balances see the previous year, and a stored year that
/// follows an imported one is rewritten (its growth changed).
///
/// The ratios are computed in chunks on a second thread (itself using every core) while this
/// thread inserts the previous chunk, so computing overlaps with writing.
fn write_statements(
    tx: &ImportTx,
    ctx: &Ctx,
    rows: Vec<GoodRow>,
    progress: bool,
) -> Result<usize, ImportError> {
    let t_sort = std::time::Instant::now();
    let incoming: Vec<Statement> = rows
        .into_par_iter()
        .map(|g| statement_from(ctx, g.values))
        .collect();
    let stored = if tx.any_statements()? {
        let mut ids: Vec<&str> = incoming.iter().map(|s| s.firm_id.as_str()).collect();
        ids.sort_unstable();
        ids.dedup();
        tx.statements_of_firms(&ids)?
    } else {
        Vec::new()
    };
    // Keys (firm, year, stored?, index), sorted: an imported year comes before a stored one of
    // the same key, which the dedup then drops (the file wins). Sorting these small keys instead
    // of the statements moves 24 bytes a row, not the whole statement; writing in key order
    // makes the inserts appends to the key's b-tree.
    let mut order: Vec<(&str, i32, bool, u32)> = incoming
        .iter()
        .enumerate()
        .map(|(i, s)| (s.firm_id.as_str(), s.fiscal_year, false, i as u32))
        .chain(
            stored
                .iter()
                .enumerate()
                .map(|(i, s)| (s.firm_id.as_str(), s.fiscal_year, true, i as u32)),
        )
        .collect();
    order.par_sort_unstable();
    order.dedup_by(|later, first| later.0 == first.0 && later.1 == first.1);
    // (statement, imported) in key order.
    let all: Vec<(&Statement, bool)> = order
        .iter()
        .map(|&(_, _, is_stored, i)| {
            if is_stored {
                (&stored[i as usize], false)
            } else {
                (&incoming[i as usize], true)
            }
        })
        .collect();
    drop(order);
    // With no stored statement of these firms, no key can clash: plain inserts.
    let replace = !stored.is_empty();
    crate::timings::phase("write: merge and sort", t_sort);
    let same_firm = |i: usize| i > 0 && all[i - 1].0.firm_id == all[i].0.firm_id;
    // Imported rows, and stored rows right after an imported year of the same firm.
    let to_write: Vec<usize> = (0..all.len())
        .filter(|&i| all[i].1 || (same_firm(i) && all[i - 1].1))
        .collect();
    let written_imported = all.iter().filter(|(_, imported)| *imported).count();
    let bar = progress_bar(progress, to_write.len(), "writing");
    let compute = |chunk: &[usize]| -> Vec<RatioRow> {
        chunk
            .par_iter()
            .map(|&i| compute_ratios(all[i].0, same_firm(i).then(|| all[i - 1].0)))
            .collect()
    };
    std::thread::scope(|scope| -> Result<(), ImportError> {
        let (send, receive) = std::sync::mpsc::sync_channel::<Vec<RatioRow>>(2);
        let chunks = to_write.chunks(WRITE_CHUNK);
        let worker = scope.spawn({
            let chunks = chunks.clone();
            move || {
                for chunk in chunks {
                    if send.send(compute(chunk)).is_err() {
                        break; // the writer stopped on an error
                    }
                }
            }
        });
        for chunk in chunks {
            let Ok(ratios) = receive.recv() else { break };
            let rows = chunk.iter().map(|&i| all[i].0).zip(&ratios);
            tx.write_statements(rows, replace)?;
            bar.inc(chunk.len() as u64);
        }
        drop(receive);
        worker
            .join()
            .map_err(|_| ImportError::Usage("the ratio computation failed".into()))?;
        Ok(())
    })?;
    bar.finish_and_clear();
    Ok(written_imported)
}

/// Statements whose ratios are computed and written together.
const WRITE_CHUNK: usize = 16_384;
