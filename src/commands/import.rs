//! `precre import`: read, validate and store a file; report by file, row and column.

use super::{create_store, interactive, UsageError};
use crate::cli::{Cli, ImportArgs};
use crate::ingest::{
    self, report, ColumnMap, FeatureOptions, ImportError, ImportOptions, ImportReport, ReadOptions,
};
use crate::output::{print_json, thousands, OutputFormat};

/// Builds the import options from the flags.
fn options(args: &ImportArgs) -> anyhow::Result<ImportOptions> {
    let mut map = ColumnMap::default();
    if let Some(file) = &args.mapping {
        map.extend(ColumnMap::from_toml(file).map_err(|e| UsageError(e.to_string()))?);
    }
    map.extend(ColumnMap::from_pairs(&args.map).map_err(|e| UsageError(e.to_string()))?);
    let delimiter = match args.delimiter {
        None => None,
        Some(c) if c.is_ascii() => Some(c as u8),
        Some(c) => {
            return Err(UsageError(format!(
                "--delimiter '{c}' must be a single ASCII character"
            ))
            .into())
        }
    };
    if let Some(d) = args.decimal.filter(|d| !matches!(d, '.' | ',')) {
        return Err(UsageError(format!("--decimal '{d}': the decimal mark is . or ,")).into());
    }
    let thousands = match args.thousands.as_deref() {
        None => None,
        Some("none" | "") => Some(None),
        Some(t) => match t.chars().collect::<Vec<_>>().as_slice() {
            [c] if ingest::numbers::THOUSANDS.contains(c) => Some(Some(*c)),
            _ => {
                return Err(UsageError(format!(
                    "--thousands '{t}': the thousands separator is one of ' ' . , ' or none"
                ))
                .into())
            }
        },
    };
    if let Some(u) = &args.unit {
        if crate::finance::Unit::parse(u).is_none() {
            return Err(UsageError(format!(
                "--unit {u}: the unit is units, thousands or millions"
            ))
            .into());
        }
    }
    let mut opts = ImportOptions::new(args.kind);
    opts.read = ReadOptions {
        format: args.input_format,
        delimiter,
        no_header: args.no_header,
        chunk_rows: None,
        decimal: args.decimal,
        thousands,
        sheet: args.sheet.clone(),
        header_row: args.header_row,
        layout: args.layout,
        currency: args.currency.as_ref().map(|c| c.to_ascii_uppercase()),
        unit: args.unit.as_ref().map(|u| u.to_ascii_lowercase()),
    };
    opts.id_scheme = args.id_scheme;
    opts.map = map;
    opts.skip_bad = args.skip_bad;
    opts.create_firms = args.create_firms;
    opts.progress = interactive();
    opts.features = FeatureOptions {
        id_column: args.id.clone(),
        label_column: args.label.clone(),
        name: args.name.clone(),
        replace: args.replace,
    };
    Ok(opts)
}

fn write_rejects(args: &ImportArgs, report: &ImportReport) -> anyhow::Result<()> {
    if let Some(path) = &args.rejects {
        report::write_rejects(path, &report.issues).map_err(|e| {
            anyhow::anyhow!("cannot write the rejects file {}: {e}", path.display())
        })?;
    }
    Ok(())
}

pub fn run(cli: &Cli, args: &ImportArgs) -> anyhow::Result<()> {
    let opts = options(args)?;
    let path = crate::store::location::resolve(cli.db.clone());
    let fresh = !path.exists();
    let mut store = create_store(cli)?;
    let result = import(&mut store, args, &opts);
    drop(store);
    match &result {
        // A store this import created and could not fill is removed: a refused import into a
        // mistyped path leaves no empty store behind.
        Err(_) if fresh => remove_new_store(&path),
        Ok(()) if fresh => eprintln!("created the store {}", path.display()),
        _ => {}
    }
    result
}

/// Removes a store file created moments ago (and its -wal / -shm files).
fn remove_new_store(path: &std::path::Path) {
    for suffix in ["", "-wal", "-shm"] {
        let mut p = path.as_os_str().to_owned();
        p.push(suffix);
        let _ = std::fs::remove_file(std::path::PathBuf::from(p));
    }
}

fn import(
    store: &mut crate::store::Store,
    args: &ImportArgs,
    opts: &ImportOptions,
) -> anyhow::Result<()> {
    let started = std::time::Instant::now();
    match ingest::import_file(store, &args.file, opts) {
        Ok(rep) => {
            write_rejects(args, &rep)?;
            print_issues(&rep.issues, 20, args.rejects.is_some());
            if args.format == OutputFormat::Json {
                return print_json(&rep);
            }
            print_summary(&rep, started.elapsed());
            Ok(())
        }
        Err(ImportError::Refused { report: rep }) => {
            write_rejects(args, &rep)?;
            print_issues(&rep.issues, 20, args.rejects.is_some());
            if args.format == OutputFormat::Json {
                print_json(&rep)?;
            }
            Err(ImportError::Refused { report: rep }.into())
        }
        Err(ImportError::Usage(msg)) => Err(UsageError(msg).into()),
        Err(e @ (ImportError::AmbiguousNumbers { .. } | ImportError::MixedNumbers { .. })) => {
            Err(UsageError(format!("{e} (--decimal , or --decimal .)")).into())
        }
        Err(e) => Err(e.into()),
    }
}

fn print_summary(rep: &ImportReport, elapsed: std::time::Duration) {
    let secs = elapsed.as_secs_f64();
    let rate = if secs > 0.0 {
        format!(
            ", {} rows/s",
            thousands((rep.counts.rows_written as f64 / secs) as usize)
        )
    } else {
        String::new()
    };
    println!(
        "imported {} of {} rows from {} as {}{} in {:.2} s{rate}",
        thousands(rep.counts.rows_written),
        thousands(rep.counts.rows_read),
        rep.file,
        rep.kind.as_str(),
        rep.feature_set
            .as_ref()
            .map(|n| format!(" (set '{n}')"))
            .unwrap_or_default(),
        secs,
    );
    if rep.counts.rows_rejected > 0 {
        println!(
            "skipped {} bad rows (--skip-bad)",
            thousands(rep.counts.rows_rejected)
        );
    }
    if rep.counts.warnings > 0 {
        println!(
            "{} warnings: flagged, not refused",
            thousands(rep.counts.warnings)
        );
    }
    if rep.created_firms > 0 {
        println!(
            "created {} placeholder firms (--create-firms)",
            thousands(rep.created_firms)
        );
    }
    if !rep.labels.is_empty() {
        let labels: Vec<String> = rep
            .labels
            .iter()
            .map(|(l, n)| format!("{l}: {}", thousands(*n)))
            .collect();
        println!(
            "labels {}; {} missing cells",
            labels.join(", "),
            thousands(rep.missing_cells)
        );
    }
    if let Some(f) = &rep.number_format {
        println!("numbers read with {f}");
    }
    for note in &rep.layout_notes {
        println!("{note}");
    }
    if !rep.unused_columns.is_empty() {
        println!(
            "ignored columns: {}",
            crate::ingest::mapping::column_list(&rep.unused_columns)
        );
    }
}

/// Prints issues to stderr, at most `limit` of them, then how many more there are.
fn print_issues(issues: &[crate::ingest::Issue], limit: usize, rejects_hint: bool) {
    use std::io::Write;
    let mut err = std::io::stderr().lock();
    for i in issues.iter().take(limit) {
        let _ = writeln!(err, "{i}");
    }
    if issues.len() > limit {
        let hint = if rejects_hint {
            " (all of them are in the --rejects file)"
        } else {
            "; pass --rejects FILE to get them all as CSV"
        };
        let _ = writeln!(err, "... and {} more{hint}", issues.len() - limit);
    }
}
