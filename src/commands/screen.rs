//! `precre screen`: the command line's adapter over `ops::screen` (the workbench's Screen pane
//! runs the same use case): the screening table, near-duplicate groups, an input's bins, and
//! the recommended set with the flags that train on it.

use super::open_store;
use crate::analysis::screen::{ScreenRule, Screening};
use crate::cli::{Cli, ScreenArgs};
use crate::ops::screen::ScreenRequest;
use crate::output::{print_json, print_table, thousands, OutputFormat, TextTable};

pub fn run(cli: &Cli, args: &ScreenArgs) -> anyhow::Result<()> {
    let store = open_store(cli)?;
    let req = ScreenRequest {
        data: super::train::data_choice(&args.data),
        bad: args.bad.clone(),
        rule: ScreenRule {
            max_vif: args.max_vif,
            min_iv: args.min_iv,
            duplicate_corr: args.duplicate_corr,
            ..ScreenRule::default()
        },
    };
    let s = crate::ops::screen::run(&store, &req)?;
    if let Some(name) = &args.bins {
        if !s.inputs.iter().any(|i| i.name.eq_ignore_ascii_case(name)) {
            return Err(super::UsageError(format!(
                "--bins {name}: no such input; the inputs are {}",
                s.inputs
                    .iter()
                    .map(|i| i.name.as_str())
                    .collect::<Vec<_>>()
                    .join(", ")
            ))
            .into());
        }
    }
    match args.format {
        OutputFormat::Json => print_json(&crate::views::json::screening_json(&s)),
        OutputFormat::Csv => print_table(&table(&s), OutputFormat::Csv),
        OutputFormat::Table => {
            print_text(&s, args);
            Ok(())
        }
    }
}

/// One row per input.
pub fn table(s: &Screening) -> TextTable {
    let mut t = TextTable::new([
        "input",
        "kind",
        "missing",
        "VIF",
        "IV",
        "trend",
        "strongest correlations",
        "recommended",
    ])
    .align_right([2, 3, 4])
    // At 80 columns: the correlations go first, then the kind and the trend.
    .optional([6, 1, 5]);
    for i in &s.inputs {
        t.push(vec![
            i.name.clone(),
            if i.categorical {
                "categorical"
            } else {
                "numeric"
            }
            .into(),
            format!("{:.1}%", 100.0 * i.missing_share),
            i.vif.to_string(),
            i.iv().map_or("-".into(), |v| format!("{v:.4}")),
            i.binning.as_ref().map_or("-", |b| b.trend).into(),
            i.correlations
                .iter()
                .map(|(c, r)| format!("{c} {r:+.2}"))
                .collect::<Vec<_>>()
                .join(", "),
            if i.recommended {
                "yes".into()
            } else {
                format!("no: {}", i.why)
            },
        ]);
    }
    t
}

fn print_text(s: &Screening, args: &ScreenArgs) {
    match &s.bad_class {
        Some((class, n)) => {
            let line = format!(
                "{} rows, {} of class '{class}' read as bad (IV is bad against the rest)",
                thousands(s.rows),
                thousands(*n)
            );
            println!("{}", crate::output::wrapped(&line, 2));
        }
        None => println!(
            "{} rows without labels: no information value",
            thousands(s.rows)
        ),
    }
    for (why, n) in &s.rows_left_out {
        println!("{} statements left out: {why}", thousands(*n));
    }
    println!(
        "{}\n",
        crate::output::wrapped(crate::views::json::PREPARATION, 0)
    );
    print!("{}", table(s).render_fitted());
    if !s.groups.is_empty() {
        println!(
            "\nnear-duplicates (|r| >= {}), the largest IV of each kept:",
            s.rule.duplicate_corr
        );
        for g in &s.groups {
            println!(
                "{}",
                crate::output::wrapped(&format!("  {}", g.join(", ")), 2)
            );
        }
    }
    if let Some(name) = &args.bins {
        if let Some(i) = s.inputs.iter().find(|i| i.name.eq_ignore_ascii_case(name)) {
            if let Some(b) = &i.binning {
                println!("\nbins of {} (IV {:.4}, {}):", i.name, b.iv, b.trend);
                let mut t = TextTable::new(["bin", "rows", "bad", "bad rate", "WoE", "IV"])
                    .align_right([1, 2, 3, 4, 5]);
                for bin in &b.bins {
                    t.push(vec![
                        bin.label.clone(),
                        thousands(bin.count),
                        thousands(bin.bad),
                        format!("{:.1}%", 100.0 * bin.bad_rate),
                        format!("{:+.4}", bin.woe),
                        format!("{:.4}", bin.iv),
                    ]);
                }
                print!("{}", t.render_fitted());
            }
        }
    }
    println!(
        "\n{}",
        crate::output::wrapped(
            &format!(
                "recommended ({} of {}; VIF <= {}, IV >= {}): {}",
                s.recommended.len(),
                s.inputs.len(),
                s.rule.max_vif,
                s.rule.min_iv,
                s.recommended.join(", ")
            ),
            2
        )
    );
    if !s.recommended.is_empty() {
        let list = s.recommended.join(",");
        match &args.data.set {
            // The command on a line of its own, whole, to copy.
            Some(set) => println!("train on it:\n  precre train --set {set} --columns {list}"),
            None => println!(
                "train on it:\n  precre train --ratios {list} --year-rule {}",
                args.data.year_rule
            ),
        }
    }
}
