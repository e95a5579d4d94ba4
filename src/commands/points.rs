//! The scorecard's points table as `precre train --kind scorecard` and `precre report` print it.

use crate::model::points::PointsTable;
use crate::output::{print_table, thousands, OutputFormat, TextTable};

pub(super) fn print_points_table(t: &PointsTable, format: OutputFormat) -> anyhow::Result<()> {
    println!(
        "\npoints table ({:.0} points at odds {}:1 good to bad, {:.0} to double them): base points {:.1}",
        t.base_score, t.base_odds, t.pdo, t.base_points
    );
    let rows = t
        .rows
        .iter()
        .map(|r| {
            vec![
                r.input.clone(),
                r.bin.clone(),
                thousands(r.count),
                format!("{:.1}%", r.bad_rate * 100.0),
                format!("{:.4}", r.woe),
                format!("{:.1}", r.points),
            ]
        })
        .collect();
    let table = TextTable {
        headers: ["input", "bin", "count", "bad rate", "WoE", "points"]
            .iter()
            .map(|h| h.to_string())
            .collect(),
        rows,
        right_aligned: vec![false, false, true, true, true, true],
        optional: Vec::new(),
    };
    print_table(&table, format)
}
