//! `precre demo`: load the demo portfolio, or write its files.

use super::{create_store, interactive};
use crate::cli::{Cli, DemoAction, DemoArgs};
use crate::demo::{self, DemoConfig};
use crate::output::thousands;

pub fn run(cli: &Cli, args: &DemoArgs) -> anyhow::Result<()> {
    match &args.action {
        Some(DemoAction::Generate {
            out,
            firms,
            seed,
            parquet,
            no_shock,
        }) => {
            let cfg = DemoConfig {
                firms: *firms,
                seed: *seed,
                shock: !*no_shock,
                ..DemoConfig::default()
            };
            let n = demo::generate_to_dir(&cfg, out).map_err(|e| {
                anyhow::anyhow!("cannot write the demo files into {}: {e}", out.display())
            })?;
            if *parquet {
                for (name, _, _) in demo::FILES {
                    let csv = out.join(name);
                    demo::csv_to_parquet(&csv, &csv.with_extension("parquet"))
                        .map_err(|e| anyhow::anyhow!("cannot write Parquet: {e}"))?;
                }
            }
            println!(
                "wrote {} firms and {} statements to {} (seed {}{})",
                thousands(*firms),
                thousands(n),
                out.display(),
                seed,
                if *parquet { ", CSV and Parquet" } else { "" }
            );
            Ok(())
        }
        Some(DemoAction::Features {
            out,
            rows,
            features,
            seed,
            kind,
        }) => {
            let cfg = demo::features::FeatureTableConfig {
                rows: *rows,
                features: *features,
                seed: *seed,
                shape: match kind {
                    crate::cli::FeatureShapeArg::Normal => demo::features::Shape::Normal,
                    crate::cli::FeatureShapeArg::Skewed => demo::features::Shape::Skewed,
                },
            };
            let parquet = out
                .extension()
                .is_some_and(|e| e.eq_ignore_ascii_case("parquet"));
            if parquet {
                // The CSV first (the generator writes text), beside the target, then converted.
                let csv = tempfile::Builder::new()
                    .suffix(".csv")
                    .tempfile_in(
                        out.parent()
                            .filter(|p| !p.as_os_str().is_empty())
                            .unwrap_or(std::path::Path::new(".")),
                    )
                    .map_err(|e| anyhow::anyhow!("cannot write {}: {e}", out.display()))?;
                demo::features::write_csv(&cfg, csv.path())
                    .map_err(|e| anyhow::anyhow!("cannot write {}: {e}", out.display()))?;
                demo::csv_to_parquet(csv.path(), out)
                    .map_err(|e| anyhow::anyhow!("cannot write Parquet: {e}"))?;
            } else {
                demo::features::write_csv(&cfg, out)
                    .map_err(|e| anyhow::anyhow!("cannot write {}: {e}", out.display()))?;
            }
            println!(
                "wrote {} rows x {features} features (3 classes, a train/test split column) to {}",
                thousands(*rows),
                out.display()
            );
            Ok(())
        }
        None => {
            let mut store = create_store(cli)?;
            let out = crate::ops::bootstrap::load_demo(
                &mut store,
                args.from.as_deref(),
                interactive(),
                &crate::decisions::analyst_name(cli.analyst.as_deref()),
                &crate::ops::Job::quiet(),
            )?;
            let reports = &out.reports;
            let source = args
                .from
                .as_ref()
                .map_or("built-in files".to_string(), |d| d.display().to_string());
            println!(
                "loaded the demo portfolio ({source}) into {}:",
                store
                    .path()
                    .map(|p| p.display().to_string())
                    .unwrap_or_default()
            );
            for r in reports {
                let warn = if r.counts.warnings > 0 {
                    format!(" ({} flagged)", r.counts.warnings)
                } else {
                    String::new()
                };
                println!(
                    "  {:<13} {:>7}{warn}",
                    r.kind.as_str(),
                    thousands(r.counts.rows_written)
                );
            }
            let mix: Vec<String> = store
                .class_mix()?
                .into_iter()
                .map(|(c, n)| format!("{c} {}", thousands(n as usize)))
                .collect();
            let sectors: Vec<String> = store
                .sectors()?
                .into_iter()
                .map(|(s, n)| format!("{s} {}", thousands(n as usize)))
                .collect();
            println!("classes: {}", mix.join(", "));
            println!("sectors: {}", sectors.join(", "));
            println!("pending applications: {}", store.pending_applications()?);
            match (&out.installed_model, &out.active_model) {
                (Some(id), _) => println!(
                    "model: the default model {id}, installed as the champion (model log: \
                     'demo default'); {} firms scored",
                    thousands(out.scored)
                ),
                (None, Some(id)) => println!(
                    "model: {id} stays the champion; {} firms scored",
                    thousands(out.scored)
                ),
                (None, None) => {}
            }
            println!(
                "next: precre queue; precre portfolio; precre firms --limit 20; precre firm ID"
            );
            Ok(())
        }
    }
}
