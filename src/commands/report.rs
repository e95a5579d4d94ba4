//! `precre report`: a model's gains / KS table, calibration and score bands over its test part.

use super::open_store;
use crate::cli::{Cli, ReportArgs};
use crate::output::{print_json, print_table, thousands, OutputFormat, TextTable};

fn pct(x: f64) -> String {
    format!("{:.1}%", x * 100.0)
}

fn table(headers: &[&str], rows: Vec<Vec<String>>) -> TextTable {
    TextTable {
        headers: headers.iter().map(|h| h.to_string()).collect(),
        rows,
        right_aligned: vec![true; headers.len()],
        optional: Vec::new(),
    }
}

pub fn run(cli: &Cli, args: &ReportArgs) -> anyhow::Result<()> {
    let store = open_store(cli)?;
    let (rec, r) =
        crate::ops::models::reports(&store, args.model.as_deref(), args.groups, &args.bands)?;
    if args.format == OutputFormat::Json {
        return print_json(&serde_json::json!({
            "model_id": rec.id,
            "name": rec.name,
            "kind": rec.pipeline.kind(),
            "positive_class": rec.pipeline.classes[rec.pipeline.positive_class],
            "reports": r,
            "points_table": rec.pipeline.points_table(),
        }));
    }
    println!(
        "model {} '{}' ({}): {} test rows, {} '{}' ({}); KS {:.3}",
        rec.id,
        rec.name,
        rec.pipeline.kind().description(),
        thousands(r.n),
        thousands(r.bads),
        rec.pipeline.classes[rec.pipeline.positive_class],
        pct(r.gains.bad_rate),
        r.gains.ks
    );
    println!("\ngains by score group (1 = riskiest):");
    let rows = r
        .gains
        .rows
        .iter()
        .map(|g| {
            vec![
                g.group.to_string(),
                thousands(g.count),
                thousands(g.bads),
                pct(g.bad_rate),
                format!("{:.3}-{:.3}", g.min_p, g.max_p),
                pct(g.cum_bad_share),
                pct(g.cum_good_share),
                format!("{:.3}", g.ks),
                format!("{:.2}", g.lift),
                format!("{:.2}", g.cum_lift),
            ]
        })
        .collect();
    let headers = [
        "group",
        "count",
        "bads",
        "bad rate",
        "p(bad)",
        "cum bads",
        "cum goods",
        "KS",
        "lift",
        "cum lift",
    ];
    print_table(&table(&headers, rows), args.format)?;
    let c = &r.calibration;
    println!(
        "\ncalibration (safest group first): Brier {:.4}, Hosmer-Lemeshow {:.3} on {} degrees of freedom, p = {:.4}",
        c.brier, c.hosmer_lemeshow, c.degrees_of_freedom, c.p_value
    );
    let rows = c
        .rows
        .iter()
        .map(|g| {
            vec![
                g.group.to_string(),
                thousands(g.count),
                pct(g.mean_predicted),
                pct(g.observed),
                format!("{:.1}", g.expected_bads),
                thousands(g.bads),
            ]
        })
        .collect();
    let headers = [
        "group",
        "count",
        "predicted",
        "observed",
        "expected bads",
        "bads",
    ];
    print_table(&table(&headers, rows), args.format)?;
    println!("\nscore bands (chance of bad):");
    let rows = r
        .bands
        .iter()
        .map(|b| {
            vec![
                format!("{:.2}-{:.2}", b.from, b.to),
                thousands(b.count),
                pct(b.share),
                thousands(b.bads),
                pct(b.bad_rate),
            ]
        })
        .collect();
    print_table(
        &table(&["band", "count", "share", "bads", "bad rate"], rows),
        args.format,
    )?;
    if let Some(t) = rec.pipeline.points_table() {
        super::points::print_points_table(&t, args.format)?;
    }
    Ok(())
}
