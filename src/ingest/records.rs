//! Importing register records: firms, statements, factors, applications and outcomes.

use super::kinds::{self, Field, Kind};
use super::numbers::NumberFormat;
use super::report::{Issue, IssueCause, Severity};
use super::statements;
use super::stream::Chunks;
use super::table::{location, RawTable};
use super::{
    mapping, progress_bar, publish, row_checks, validate, ImportError, ImportOptions, ImportReport,
};
use crate::store::import_journal::Journal;
use crate::store::import_tx::{CellValue as Value, ImportTx};
use crate::store::staging::Staging;
use crate::store::Store;
use rayon::prelude::*;
use std::collections::{HashMap, HashSet};

/// A validated row: its data row number and one value per field.
pub(crate) struct GoodRow {
    pub(crate) row: usize,
    pub(crate) values: Vec<Value>,
}

pub(super) fn text(v: &Value) -> Option<&str> {
    match v {
        Value::Text(s) => Some(s),
        _ => None,
    }
}

pub(super) fn real(v: &Value) -> Option<f64> {
    match v {
        Value::Real(x) => Some(*x),
        Value::Integer(i) => Some(*i as f64),
        _ => None,
    }
}

pub(super) struct Ctx<'a> {
    pub(super) table: &'a RawTable,
    pub(super) fields: Vec<Field>,
    pub(super) issues: Vec<Issue>,
    pub(super) opts: &'a ImportOptions,
}

impl Ctx<'_> {
    pub(super) fn issue(
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

    pub(super) fn field_index(&self, id: &str) -> usize {
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
    source: &mut dyn Chunks,
    opts: &ImportOptions,
    report: ImportReport,
) -> Result<ImportReport, ImportError> {
    store.bulk_import_mode(true)?;
    let result = import_checked(store, source, opts, report);
    // The import's own error, if any, says more than a failure to restore the settings.
    let restored = store.bulk_import_mode(false);
    let report = result?;
    restored?;
    Ok(report)
}

/// A row's key as a 128-bit fingerprint: a file's keys are remembered in 16 bytes each, however
/// long the ids (5,000,000 statements in some 200 MB). Two independently keyed SipHash values;
/// two different keys sharing both (a false "duplicate") has odds of about n² / 2^129.
struct KeyPrints(std::hash::RandomState, std::hash::RandomState);

impl KeyPrints {
    fn of(&self, a: &KeyPart, b: &KeyPart) -> u128 {
        use std::hash::BuildHasher;
        let h1 = self.0.hash_one((a, b));
        let h2 = self.1.hash_one((a, b));
        (u128::from(h1) << 64) | u128::from(h2)
    }
}

/// What the chunks of one import share: the keys and firms seen so far.
struct Seen {
    prints: KeyPrints,
    /// Key fingerprint -> data row and file line (0: not known) of its first row.
    keys: HashMap<u128, (u32, u32)>,
}

fn import_checked(
    store: &mut Store,
    source: &mut dyn Chunks,
    opts: &ImportOptions,
    mut report: ImportReport,
) -> Result<ImportReport, ImportError> {
    publish::resume_all(store)?;
    let fields = kinds::fields(opts.kind);
    let path = std::path::PathBuf::from(&report.file);
    let resolved = mapping::resolve(&path, source.headers(), &fields, &opts.map)?;
    report.unused_columns = resolved.unused.clone();
    // The number format is settled on the first chunk.
    let first = source.next_chunk()?;
    let fmt = match &first {
        Some(table) => row_checks::number_format(table, &fields, &resolved, opts, &mut report)?,
        None => NumberFormat::default(),
    };
    // Phase 1, without the write lock: every row read, checked and staged beside the store.
    let beside = store.path().map_or_else(
        || std::env::temp_dir().join("precre-memory-store"),
        std::path::Path::to_path_buf,
    );
    let n_keys = kinds::table(opts.kind).1.len();
    let n_columns = fields.len() + usize::from(opts.kind == Kind::Firms);
    let staged = Staging::create(&beside, n_columns, n_keys)?;
    let checked = stage(
        store,
        source,
        first,
        opts,
        &fields,
        &resolved,
        fmt,
        &staged,
        &mut report,
    );
    let staged_rows = match checked.and_then(|()| Ok(staged.seal()?)) {
        Ok(n) if report.counts.rows_rejected == 0 || opts.skip_bad => n,
        Ok(_) => {
            staged.remove();
            report.counts.rows_written = 0;
            report.created_firms = 0;
            return Err(ImportError::Refused {
                report: Box::new(report),
            });
        }
        Err(e) => {
            staged.remove();
            return Err(e);
        }
    };
    report.counts.rows_written = staged_rows;
    // Phase 2: published in short transactions, from a journal that a kill leaves behind.
    let name = staged
        .path()
        .file_name()
        .map(|n| n.to_string_lossy().into_owned());
    let mut journal = Journal {
        id: name.unwrap_or_default(),
        staged: staged.path().to_path_buf(),
        file: report.file.clone(),
        kind: opts.kind.as_str().to_string(),
        rows: staged_rows,
        rows_published: 0,
        chunks_done: 0,
        cursor: Vec::new(),
        counts: report.counts.clone(),
    };
    let begun = store.begin_import().and_then(|tx| {
        tx.save_journal(&journal)?;
        tx.commit()
    });
    if let Err(e) = begun {
        staged.remove();
        return Err(e.into());
    }
    let pace = publish::Pace {
        fixed_rows: opts.publish_rows,
        hook: opts.between_chunks.clone(),
    };
    let t = std::time::Instant::now();
    match publish::publish(store, &staged, &mut journal, &pace) {
        Ok(longest) => {
            crate::timings::phase("publish", t);
            crate::timings::seconds("longest chunk", longest.as_secs_f64());
            staged.remove();
            Ok(report)
        }
        Err(source) => Err(ImportError::Interrupted {
            file: report.file,
            published: journal.rows_published,
            rows: staged_rows,
            source: Box::new(source),
        }),
    }
}

/// Phase 1 of an import: each chunk read, checked (firm references against the store as it
/// is now, and the placeholders staged so far) and its good rows staged. The report gets the
/// findings and counts; once a row is refused (without `skip_bad`) the rest is only checked.
#[allow(clippy::too_many_arguments)]
fn stage(
    store: &Store,
    source: &mut dyn Chunks,
    mut first: Option<RawTable>,
    opts: &ImportOptions,
    fields: &[Field],
    resolved: &mapping::Resolved,
    fmt: NumberFormat,
    staged: &Staging,
    report: &mut ImportReport,
) -> Result<(), ImportError> {
    let mut seen = Seen {
        prints: KeyPrints(Default::default(), Default::default()),
        keys: HashMap::new(),
    };
    let known = |ids: &[&str]| -> Result<HashSet<String>, ImportError> {
        let mut known = store.known_firms(ids)?;
        let unknown: Vec<&str> = ids
            .iter()
            .copied()
            .filter(|id| !known.contains(*id))
            .collect();
        known.extend(staged.staged_firms(&unknown)?);
        Ok(known)
    };
    let (mut validate_s, mut stage_s) = (0.0, 0.0);
    let (_, size) = source.progress();
    let bar = progress_bar(opts.progress, size, "checking");
    let mut rejected = 0usize;
    loop {
        let table = match first.take() {
            Some(t) => t,
            None => match source.next_chunk()? {
                Some(t) => t,
                None => break,
            },
        };
        let t = std::time::Instant::now();
        report.counts.rows_read += table.n_rows;
        let Checked {
            rows,
            mut issues,
            new_firms,
        } = check_chunk(&known, &table, fields, resolved, opts, fmt, &mut seen)?;
        issues.sort_by_key(|i| (i.row, i.severity == Severity::Warning));
        // Issues come sorted by row: a refused row's errors stand together.
        let mut errors: Vec<usize> = issues
            .iter()
            .filter(|i| i.severity == Severity::Error)
            .map(|i| i.row)
            .collect();
        report.counts.warnings += issues.len() - errors.len();
        errors.dedup();
        rejected += errors.len();
        report.issues.extend(issues);
        validate_s += t.elapsed().as_secs_f64();
        if rejected > 0 && !opts.skip_bad {
            bar.set_position(source.progress().0);
            continue;
        }
        let t = std::time::Instant::now();
        for id in &new_firms {
            report.created_firms += usize::from(staged.add_new_firm(id)?);
        }
        staged.add_rows(rows.into_iter().map(|g| staged_values(opts, g.values)))?;
        stage_s += t.elapsed().as_secs_f64();
        bar.set_position(source.progress().0);
    }
    bar.finish_and_clear();
    crate::timings::seconds("validate", validate_s);
    crate::timings::seconds("stage", stage_s);
    report.counts.rows_rejected = rejected;
    Ok(())
}

/// A validated row as it is staged: a firm gets whether its id passed the id scheme.
fn staged_values(opts: &ImportOptions, mut v: Vec<Value>) -> Vec<Value> {
    if opts.kind == Kind::Firms {
        let valid = text(&v[0]).and_then(|id| validate::check_id(id, opts.id_scheme));
        v.push(valid.map_or(Value::Null, |b| Value::Integer(b.is_ok() as i64)));
    }
    v
}

/// Which of these firm ids are known (stored, or staged as placeholders by this import).
type KnownFirms<'a> = dyn Fn(&[&str]) -> Result<HashSet<String>, ImportError> + 'a;

/// Validates one chunk: every cell (in parallel), keys against the file's earlier rows, firm
/// references against the store. Returns the rows to write, the findings, and the placeholder
/// firms this chunk needs.
fn check_chunk(
    known_firms: &KnownFirms,
    table: &RawTable,
    fields: &[Field],
    resolved: &mapping::Resolved,
    opts: &ImportOptions,
    fmt: NumberFormat,
    seen: &mut Seen,
) -> Result<Checked, ImportError> {
    let mut ctx = Ctx {
        table,
        fields: fields.to_vec(),
        issues: Vec::new(),
        opts,
    };
    // 1. Every cell against its field type, in parts of the chunk on all cores, in file order.
    let parts: Vec<(Vec<GoodRow>, Vec<Issue>)> = (0..table.n_rows.div_ceil(VALIDATE_CHUNK))
        .into_par_iter()
        .map(|c| {
            let rows = c * VALIDATE_CHUNK..((c + 1) * VALIDATE_CHUNK).min(table.n_rows);
            let mut part = Ctx {
                table,
                fields: fields.to_vec(),
                issues: Vec::new(),
                opts,
            };
            let good = validate_rows(&mut part, &resolved.columns, opts.kind, fmt, rows);
            (good, part.issues)
        })
        .collect();
    let mut rows: Vec<GoodRow> = Vec::with_capacity(table.n_rows);
    for (good, issues) in parts {
        rows.extend(good);
        ctx.issues.extend(issues);
    }

    // 2. Duplicate keys within the file (this chunk's rows against every earlier row).
    let (_, keys) = kinds::table(opts.kind);
    let key_idx: Vec<usize> = keys.iter().map(|k| ctx.field_index(k)).collect();
    debug_assert!(key_idx.len() <= 2, "keys of one or two fields");
    let prints: Vec<u128> = rows
        .par_iter()
        .map(|g| {
            let part = |k: usize| {
                key_idx
                    .get(k)
                    .map_or(KeyPart::Null, |&i| KeyPart::of(&g.values[i]))
            };
            seen.prints.of(&part(0), &part(1))
        })
        .collect();
    let mut dup_rows = HashSet::new();
    for (g, print) in rows.iter().zip(prints) {
        if let Some(&(first, first_line)) = seen.keys.get(&print) {
            let key: Vec<String> = key_idx
                .iter()
                .map(|&i| value_string(&g.values[i]))
                .collect();
            let first_loc = location(
                first as usize,
                (first_line > 0).then_some(first_line.into()),
            );
            ctx.issue(
                Severity::Error,
                g.row,
                keys.join("+").as_str(),
                &key.join(" "),
                format!("duplicate key: {first_loc} has the same"),
            );
            dup_rows.insert(g.row);
        } else {
            let line = table
                .line_of(g.row)
                .map_or(0, |l| u32::try_from(l).unwrap_or(0));
            seen.keys.insert(print, (g.row as u32, line));
        }
    }
    rows.retain(|g| !dup_rows.contains(&g.row));

    // 3. References to firms: this chunk's firms looked up in the store (placeholders made by
    // earlier chunks included), so no list of every firm is held.
    let mut new_firms: Vec<String> = Vec::new();
    if opts.kind != Kind::Firms {
        let fi = ctx.field_index("firm_id");
        let mut ids: Vec<&str> = rows.iter().filter_map(|g| text(&g.values[fi])).collect();
        ids.sort_unstable();
        ids.dedup();
        let known = known_firms(&ids)?;
        let mut created: HashSet<String> = HashSet::new();
        let mut refused = HashSet::new();
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
                let mut issue = table.issue(
                    Severity::Error,
                    g.row,
                    &header,
                    id,
                    "no firm with this id in the store; import the firms first, or let the \
                     import create placeholder firms",
                );
                issue.cause = Some(IssueCause::UnknownFirm);
                ctx.issues.push(issue);
                refused.insert(g.row);
            }
        }
        rows.retain(|g| !refused.contains(&g.row));
    }
    Ok(Checked {
        rows,
        issues: ctx.issues,
        new_firms,
    })
}

/// One chunk after its checks: the rows to write, the findings, the placeholder firms needed.
struct Checked {
    rows: Vec<GoodRow>,
    issues: Vec<Issue>,
    new_firms: Vec<String>,
}

/// Writes one chunk of staged rows (a firm's with its id check last).
pub(super) fn write_rows(
    tx: &ImportTx,
    kind: Kind,
    fields: &[Field],
    rows: Vec<GoodRow>,
    state: &mut statements::State,
) -> Result<usize, ImportError> {
    if kind == Kind::Statements {
        return statements::write(tx, fields, rows, state);
    }
    let (table_name, keys) = kinds::table(kind);
    let mut cols: Vec<&str> = fields.iter().map(|f| f.id).collect();
    if kind == Kind::Firms {
        cols.push("brn_valid");
    }
    let values = rows.into_iter().map(|g| g.values);
    Ok(tx.upsert_rows(table_name, &cols, keys, values)?)
}

/// Rows validated by one task of the parallel validation.
const VALIDATE_CHUNK: usize = 16_384;

/// Validates data rows `rows` (0-based) of the table: every cell, then the row's own checks.
fn validate_rows(
    ctx: &mut Ctx,
    columns: &[Option<usize>],
    kind: Kind,
    fmt: NumberFormat,
    rows: std::ops::Range<usize>,
) -> Vec<GoodRow> {
    let table = ctx.table;
    let mut good = Vec::with_capacity(rows.len());
    for r in rows {
        let row = table.file_row(r);
        let mut values = Vec::with_capacity(ctx.fields.len());
        let mut ok = true;
        for (f, col) in columns.iter().enumerate() {
            let field = ctx.fields[f];
            let value = match col {
                None => Value::Null,
                Some(c) => {
                    let cell = table.cell(*c, r);
                    match validate::parse_cell_as(cell, field.ty, fmt) {
                        Ok(v) => v,
                        Err(reason) => {
                            let header = table.headers[*c].clone();
                            ctx.issue(
                                Severity::Error,
                                row,
                                &header,
                                &cell.display(),
                                reason.to_string(),
                            );
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
        if ok && row_checks::check_row(ctx, kind, row, &mut values) {
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
