//! `precre backup` and `precre restore`: the command line's adapters over `store::backup`.

use super::open_store;
use crate::cli::{BackupArgs, Cli, RestoreArgs};
use crate::output::{print_json, thousands, OutputFormat};
use crate::store::backup::BackupReport;
use crate::store::StoreError;

fn say(r: &BackupReport, what: &str) {
    println!(
        "{what} {} ({} bytes, schema version {}, store {}): {} firms, {} decisions; integrity check: {}",
        r.path.display(),
        thousands(r.bytes as usize),
        r.schema_version,
        if r.store_id.is_empty() { "-" } else { &r.store_id },
        thousands(r.firms as usize),
        thousands(r.decisions as usize),
        r.integrity
    );
}

pub fn backup(cli: &Cli, args: &BackupArgs) -> anyhow::Result<()> {
    let store = open_store(cli)?;
    let r = store.backup(&args.out, args.force).map_err(|e| match e {
        e @ StoreError::FileExists(_) => anyhow::anyhow!("{e}, or pass --force to replace it"),
        e => e.into(),
    })?;
    if args.format == OutputFormat::Json {
        return print_json(&r);
    }
    say(&r, "backup written to");
    Ok(())
}

pub fn restore(cli: &Cli, args: &RestoreArgs) -> anyhow::Result<()> {
    let target = crate::store::location::resolve(cli.db.clone());
    let r =
        crate::store::backup::restore(&args.file, &target, args.force).map_err(|e| match e {
            e @ StoreError::OtherStore { .. } => {
                anyhow::anyhow!("{e} (--db), or pass --force to replace this store with it")
            }
            e @ StoreError::WouldSetAside { .. } => anyhow::anyhow!(
                "{e}; nothing was changed: pass --force to restore it and keep them there"
            ),
            e @ StoreError::IsKit { .. } => {
                anyhow::anyhow!("{e}: precre kit in {}", args.file.display())
            }
            e => e.into(),
        })?;
    // Opening it applies any migration the backup's schema needs.
    drop(open_store(cli)?);
    if args.format == OutputFormat::Json {
        return print_json(&r);
    }
    say(&r, "restored");
    if let Some(k) = &r.replaced_kept_at {
        println!("the store it replaced is kept at {}", k.display());
        if r.set_aside > 0 {
            println!(
                "{} decision(s) of the replaced store are not in the restored one: they are kept only in {}",
                thousands(r.set_aside as usize),
                k.display()
            );
        }
    }
    Ok(())
}
