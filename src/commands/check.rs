//! `precre check`: what a store file is and what can be read of it (read-only, whatever its
//! state); on a healthy store it finishes an interrupted import (see `ingest::publish`), then
//! checks its foreign keys, decisions, their chain; and where its latest backup is.
//! `--rebuild-summaries` first fills the dashboard's summaries again.

use super::open_store_as_found;
use crate::cli::{CheckArgs, Cli};
use crate::output::thousands;
use crate::store::check::Finding;
use crate::store::inspect::{inspect, latest_backup};
use crate::store::location;

/// A finding as `check` prints it: marked ok or PROBLEM.
fn line(f: &Finding) -> String {
    format!("{} {}", if f.ok { "ok     " } else { "PROBLEM" }, f.what)
}

/// An interrupted import that `check` found, finished or not.
fn resumed(r: &crate::ingest::publish::Resumed) -> Finding {
    let (what, lost) = crate::output::resumed_import(r);
    Finding { ok: !lost, what }
}

pub fn run(cli: &Cli, args: &CheckArgs) -> anyhow::Result<()> {
    let path = location::resolve(cli.db.clone());
    if !path.exists() {
        return Err(super::UsageError(super::no_store_here(&path)).into());
    }
    let found = inspect(&path);
    if let Some(bytes) = found.size {
        println!(
            "{}",
            line(&Finding {
                ok: true,
                what: format!("SQLite file, {} bytes", thousands(bytes as usize)),
            })
        );
    }
    for f in found.file.iter().chain(&found.findings) {
        println!("{}", line(f));
    }
    let mut problems = found.problems();
    if found.healthy {
        // The inspection ran the integrity check; the rest needs the store open (an older
        // schema is migrated here, after its backup, as on any first use).
        let mut store = open_store_as_found(cli)?;
        for r in crate::ingest::publish::finish_interrupted(&mut store)? {
            println!("{}", line(&resumed(&r)));
            problems += usize::from(r.lost);
        }
        if args.rebuild_summaries {
            store.rebuild_summaries()?;
            println!(
                "{}",
                line(&Finding {
                    ok: true,
                    what: "dashboard summaries filled again from the tables".into()
                })
            );
        }
        let report = store.check_contents()?;
        for f in &report.findings {
            println!("{}", line(f));
        }
        for t in &report.tables {
            println!("        {}: {} rows", t.table, t.rows);
        }
        problems += report.problems();
        if report.summaries_wrong {
            println!(
                "to fill the dashboard's summaries again: precre --db {} check --rebuild-summaries",
                path.display()
            );
        }
    } else {
        for t in &found.tables {
            println!(
                "        {}: {} rows readable",
                t.table,
                thousands(t.rows as usize)
            );
        }
    }
    let backup = latest_backup(
        &path,
        found.store_id.as_deref(),
        found.last_backup.as_deref(),
    );
    let db = path.display();
    match (&backup, problems) {
        (Some(b), _) => {
            let when = crate::clock::minute_utc(b.modified);
            println!(
                "latest backup: {} ({when}, schema version {}, passes a quick check)",
                b.path.display(),
                b.schema_version
            );
            if problems > 0 {
                println!(
                    "to recover: precre --db {db} restore {} (the damaged store is kept beside it)",
                    b.path.display()
                );
            }
        }
        (None, 0) => println!(
            "no backup of this store found beside it: take one with `precre --db {db} backup --out FILE`"
        ),
        (None, _) => println!(
            "no backup of this store found beside it; copy out what the lines above call readable before changing the file"
        ),
    }
    if problems == 0 {
        println!("the store is consistent");
        Ok(())
    } else {
        anyhow::bail!("{problems} problem(s) found in {db}")
    }
}
