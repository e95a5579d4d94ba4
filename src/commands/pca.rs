//! `precre pca`: the prcomp importance table, loadings and the chosen k.

use super::{open_store, UsageError};
use crate::analysis::pca::PcaReport;
use crate::analysis::KRule;
use crate::cli::{Cli, PcaArgs};
use crate::output::{print_json, thousands, OutputFormat};

pub fn run(cli: &Cli, args: &PcaArgs) -> anyhow::Result<()> {
    let rule = match (args.k, &args.rule) {
        (Some(_), Some(_)) => return Err(UsageError("give --k or --rule, not both".into()).into()),
        (Some(k), None) => KRule::parse(&k.to_string()).map_err(UsageError)?,
        (None, Some(r)) => KRule::parse(r).map_err(UsageError)?,
        (None, None) => KRule::Cumulative(0.90),
    };
    let store = open_store(cli)?;
    let data = super::train::load_data(&store, &args.data, false)?;
    let report = PcaReport::compute(&data, rule).map_err(|e| anyhow::anyhow!(e))?;
    if args.format == OutputFormat::Json {
        return print_json(&report);
    }
    let source = args.data.set.as_ref().map_or_else(
        || {
            format!(
                "ratios ({}), statements by year rule '{}'",
                args.data.ratios.as_deref().unwrap_or("all"),
                args.data.year_rule
            )
        },
        |s| format!("feature set '{s}'"),
    );
    println!(
        "PCA of {source}: {} rows x {} variables, standardized; {} missing cells filled with the {}",
        thousands(report.n_rows),
        report.variables.len(),
        thousands(report.missing_cells),
        report.missing_policy
    );
    for (name, why) in &report.dropped {
        println!("left out: {name} ({why})");
    }
    println!();
    print!("{}", report.importance_text());
    println!();
    print!("{}", report.loadings_text(args.cutoff));
    println!(
        "\nk = {} by the rule: {} (cumulative proportion {:.4})",
        report.k,
        report.rule_text,
        report.cumulative[report.k - 1]
    );
    Ok(())
}
