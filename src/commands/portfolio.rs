//! `precre portfolio`: what the Portfolio dashboard shows (`views::portfolio`), for scripts.
//!
//! JSON shape: `{"firms", "statements", "by_sector" | "by_region" | "by_size" | "by_class":
//! [{"name", "firms"}], "distributions": [{"ratio", "name", "percent", "median", "n", "bins":
//! [{"from", "firms"}], "sector_medians": [{"sector", "median"}]}], "closures": [{"year",
//! "closed", "alive", "rate"}], "model": {"id", "name"}|null, "predicted_mix": [{"class",
//! "firms"}], "pending", "decided"}`.

use super::open_store;
use crate::cli::{Cli, FormatArgs};
use crate::output::{format_ratio, print_json, print_table, thousands, OutputFormat, TextTable};

pub fn run(cli: &Cli, args: &FormatArgs) -> anyhow::Result<()> {
    let store = open_store(cli)?;
    let p = crate::views::portfolio::load(&store).map_err(crate::ops::OpsError::from)?;
    if args.format == OutputFormat::Json {
        return print_json(&crate::views::json::portfolio_view(&p));
    }
    // Table and CSV: one row per figure (section, item, value), as the dashboard's panes list them.
    let mut t = TextTable::new(["section", "item", "value"]).align_right([2]);
    let mut push = |a: &str, b: String, c: String| t.push(vec![a.to_string(), b, c]);
    push("store", "firms".into(), thousands(p.firms as usize));
    push(
        "store",
        "statements".into(),
        thousands(p.statements as usize),
    );
    push(
        "store",
        "pending applications".into(),
        p.pending.to_string(),
    );
    push(
        "store",
        "decided applications".into(),
        p.decided.to_string(),
    );
    for (section, v) in [
        ("sector", &p.by_sector),
        ("region", &p.by_region),
        ("size", &p.by_size),
        ("class", &p.by_class),
    ] {
        for (n, c) in v.iter() {
            push(section, n.clone(), thousands(*c as usize));
        }
    }
    for d in &p.distributions {
        let unit = if d.percent {
            crate::finance::catalogue::Unit::Percent
        } else {
            crate::finance::catalogue::Unit::Ratio
        };
        push("median", d.name.to_string(), format_ratio(d.median, unit));
        for (s, m) in &d.sector_medians {
            push(
                &format!("median by sector: {}", d.name),
                s.clone(),
                format_ratio(Some(*m), unit),
            );
        }
    }
    for c in &p.closures {
        push(
            "closures",
            c.year.to_string(),
            format!("{} of {} ({:.1}%)", c.closed, c.alive, c.rate() * 100.0),
        );
    }
    match &p.model {
        Some((id, name)) => {
            push("model", "active".into(), format!("{id} '{name}'"));
            for (c, n) in &p.predicted_mix {
                push("model", format!("predicted {c}"), thousands(*n as usize));
            }
        }
        None => push("model", "active".into(), "none".into()),
    }
    print_table(&t, args.format)
}
