//! `precre kit out|in|revoke|list` and `precre conflicts [resolve]`: field kits over the use
//! cases of `ops::kits`, which the workbench and the service call too.

use super::open_store;
use crate::cli::{Cli, ConflictAction, ConflictsArgs, KitAction, KitArgs};
use crate::decisions::analyst_name;
use crate::decisions::merge::Side;
use crate::ops::kits::{self, KitSelection};
use crate::ops::OpsError;
use crate::output::{print_json, print_table, OutputFormat, TextTable};

pub fn run(cli: &Cli, args: &KitArgs) -> anyhow::Result<()> {
    let mut store = open_store(cli)?;
    let analyst = analyst_name(cli.analyst.as_deref());
    match &args.action {
        KitAction::Out {
            out,
            applications,
            sector,
            filter,
            assigned_to,
            limit,
            format,
        } => {
            let sel = KitSelection {
                applications: applications.clone(),
                sector: sector.clone(),
                filter: filter.clone(),
                assigned_to: assigned_to.clone(),
                limit: *limit,
            };
            let report = kits::kit_out(&mut store, &sel, out, &analyst)?;
            if *format == OutputFormat::Json {
                return print_json(&report);
            }
            println!(
                "kit {} written to {} ({} bytes, owner-only): {} applications ({}), {} firms, {} statements",
                report.origin.kit_id,
                report.path.display(),
                report.bytes,
                report.origin.applications.len(),
                report.origin.selection,
                report.firms,
                report.statements
            );
            println!(
                "they are leased to the kit: decided in it (precre --db {} workbench), then `precre kit in {}` here",
                report.path.display(),
                report.path.display()
            );
        }
        KitAction::In {
            file,
            skip_bad,
            format,
        } => {
            let report = kits::kit_in(&mut store, file, &analyst, *skip_bad)?;
            if *format == OutputFormat::Json {
                return print_json(&report);
            }
            if report.already_merged {
                println!(
                    "kit {} ({}, taken out {}) holds nothing new: it was merged already; nothing changed",
                    report.kit_id, report.taken_by, report.taken_at
                );
                return Ok(());
            }
            println!(
                "kit {} ({}, taken out {}) merged: {} decisions (kept with their analyst and time), {} applications updated, {} register rows, {} leases released",
                report.kit_id,
                report.taken_by,
                report.taken_at,
                report.decisions,
                report.applications,
                report.rows,
                report.leases_released
            );
            for b in &report.skipped {
                println!(
                    "left out: {} {} field {}: {}",
                    b.kind, b.key, b.field, b.reason
                );
            }
            if report.conflicts > 0 {
                println!(
                    "{} conflicts found and kept: see `precre conflicts`",
                    report.conflicts
                );
            }
        }
        KitAction::Revoke { kit, reason } => {
            let n = kits::revoke(&mut store, kit, &analyst, reason)?;
            println!("kit {kit}: {n} leases taken back by {analyst} ({reason})");
        }
        KitAction::List { format } => {
            let list = store.kits().map_err(OpsError::from)?;
            if *format == OutputFormat::Json {
                return print_json(&list);
            }
            let mut t = TextTable::new(vec![
                "kit",
                "taken by",
                "taken at",
                "open leases",
                "selection",
            ]);
            for k in &list {
                t.push(vec![
                    k.id.clone(),
                    k.taken_by.clone(),
                    k.taken_at.clone(),
                    k.open_leases.to_string(),
                    k.selection.clone(),
                ]);
            }
            print_table(&t, *format)?;
        }
    }
    Ok(())
}

pub fn conflicts(cli: &Cli, args: &ConflictsArgs) -> anyhow::Result<()> {
    let mut store = open_store(cli)?;
    if let Some(ConflictAction::Resolve { id, keep, reason }) = &args.action {
        let side = Side::parse(keep)
            .ok_or_else(|| OpsError::Usage(format!("--keep takes server or kit, not '{keep}'")))?;
        let analyst = analyst_name(cli.analyst.as_deref());
        let c = crate::ops::conflicts::resolve(&mut store, *id, side, &analyst, reason)?;
        if args.format == OutputFormat::Json {
            return print_json(&c);
        }
        println!(
            "conflict {} ({} {}): the {} version stands, resolved by {} ({})",
            c.id,
            c.kind.as_str(),
            c.subject,
            side.as_str(),
            analyst,
            reason
        );
        return Ok(());
    }
    let list = crate::ops::conflicts::list(&store, args.all)?;
    if args.format == OutputFormat::Json {
        return print_json(&list);
    }
    if list.is_empty() {
        println!("no {}conflicts", if args.all { "" } else { "open " });
        return Ok(());
    }
    let mut t = TextTable::new(vec!["id", "kind", "subject", "kit", "found", "state"]);
    for c in &list {
        t.push(vec![
            c.id.to_string(),
            c.kind.as_str().to_string(),
            c.subject.clone(),
            c.kit_id.clone(),
            c.found_at.clone(),
            match (&c.resolution, &c.resolved_by) {
                (Some(side), Some(by)) => format!("{} kept by {by}", side.as_str()),
                _ => "open".to_string(),
            },
        ]);
    }
    print_table(&t, args.format)?;
    for c in list.iter().filter(|c| c.resolution.is_none()) {
        println!("\nconflict {} ({} {}):", c.id, c.kind.as_str(), c.subject);
        println!("  server: {}", c.server_version);
        println!("  kit:    {}", c.kit_version);
    }
    Ok(())
}
