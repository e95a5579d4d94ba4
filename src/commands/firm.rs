//! `precre firm ID`: what the Firm screen shows (`views::firm`), for scripts: the firm's facts,
//! its ratios by family over its years with the sector median and its percentile, the
//! statements, the active model's class, probabilities, path and reasons, its applications
//! and decisions.
//!
//! JSON shape: `{"firm": {...}, "years": [YEAR], "peers": N, "median_year": YEAR|null,
//! "flags": [FLAG], "currency": C|null, "families": [{"group", "lines": [{"id", "name", "unit",
//! "higher_is_better", "values": [V|null per year], "sector_median", "percentile",
//! "standing": "better"|"typical"|"worse"|null, "misleading", "flags": [FLAG]}]}], "items":
//! [{"item", "values": [...]}], "amounts": [{"fiscal_year", "currency", "unit"}], "model": {"id",
//! "name", "fiscal_year", "class", "probabilities": {CLASS: P}, "reasons", "coded_reasons",
//! "path",
//! "nearest_change"}|null, "applications": [...], "decisions": [...]}`.

use super::open_store;
use crate::cli::{Cli, FirmArgs};
use crate::output::{format_ratio, print_json, print_table, OutputFormat, TextTable};

pub fn run(cli: &Cli, args: &FirmArgs) -> anyhow::Result<()> {
    let store = open_store(cli)?;
    let d = crate::views::firm::load(&store, &args.id)?;
    if args.format == OutputFormat::Json {
        return print_json(&crate::views::json::firm_view(&d));
    }
    if args.format == OutputFormat::Table {
        let f = &d.firm;
        let head = format!(
            "{} {} - {}, {}, {}, {}{}",
            f.id,
            f.name,
            f.sector,
            f.region.as_deref().unwrap_or("-"),
            f.size.as_deref().unwrap_or("-"),
            f.status,
            f.closed_on
                .as_ref()
                .map(|c| format!(" on {c}"))
                .unwrap_or_default()
        );
        println!("{}", crate::output::wrapped(&head, 2));
        match &d.score {
            Some(s) => {
                let probs: Vec<String> = s
                    .explanation
                    .probabilities
                    .iter()
                    .map(|(c, p)| format!("{c} {:.1}%", p * 100.0))
                    .collect();
                let line = format!(
                    "model {} '{}' on {}: {} ({})",
                    s.model_id,
                    d.model_name.as_deref().unwrap_or(""),
                    s.fiscal_year,
                    s.explanation.class,
                    probs.join(", ")
                );
                println!("{}", crate::output::wrapped(&line, 2));
                for r in &s.coded {
                    let line = format!("  {:<4} {}", r.code, r.text);
                    println!("{}", crate::output::wrapped(&line, 7));
                }
            }
            None => println!("model: none active, or the firm has no statement"),
        }
        for flag in &d.flags {
            println!(
                "{}",
                crate::output::wrapped(&format!("! {}", flag.words()), 2)
            );
        }
        println!(
            "{}\n",
            crate::output::wrapped(
                &format!(
                    "{} live sector peers{}; pct: the firm's percentile among them (▲ better \
                     quarter, ▼ worse, by the ratio's direction)",
                    d.peers,
                    d.median_year
                        .map(|y| format!(" in {y}"))
                        .unwrap_or_default()
                ),
                2
            )
        );
    }
    let years = d.years.len();
    let mut headers = vec!["family".to_string(), "ratio".into()];
    headers.extend(d.years.iter().map(|y| y.to_string()));
    headers.push(match d.median_year {
        Some(y) => format!("sector {y}"),
        None => "sector".into(),
    });
    headers.push("pct".into());
    headers.push("flag".into());
    let n = headers.len();
    // At 80 columns: the family goes first, then the oldest years (the latest two stay).
    let mut t = TextTable::new(headers)
        .align_right(2..n - 1)
        .optional(std::iter::once(0).chain(2..(2 + years.saturating_sub(2))));
    for fam in &d.families {
        for l in &fam.lines {
            let mut row = vec![fam.group.as_str().to_string(), l.name.to_string()];
            row.extend(l.values.iter().map(|v| format_ratio(*v, l.unit)));
            row.push(format_ratio(l.sector_median, l.unit));
            row.push(match (l.percentile, l.standing) {
                (Some(p), Some(s)) if args.format == OutputFormat::Table => {
                    format!("{p:.0} {}", s.arrow())
                }
                (Some(p), _) => format!("{p:.0}"),
                _ => "-".into(),
            });
            row.push(
                l.flags
                    .iter()
                    .map(|f| f.short())
                    .collect::<Vec<_>>()
                    .join(", "),
            );
            t.push(row);
        }
    }
    print_table(&t, args.format)?;
    if args.format == OutputFormat::Table {
        if !d.years.is_empty() {
            println!();
            match d.amounts_label() {
                Some(label) => println!("statements ({label})"),
                None => println!("statements (currency and unit by year)"),
            }
            let mut headers = vec!["item".to_string()];
            headers.extend(d.years.iter().map(|y| y.to_string()));
            let n = headers.len();
            let mut st = TextTable::new(headers).align_right(1..n);
            if d.amounts_label().is_none() {
                let mut row = vec!["amounts in".to_string()];
                row.extend((0..d.years.len()).map(|i| d.year_label(i)));
                st.push(row);
            }
            for (name, values) in &d.items {
                let mut row = vec![name.to_string()];
                row.extend(
                    values
                        .iter()
                        .map(|v| v.map_or("-".into(), crate::output::amount)),
                );
                st.push(row);
            }
            print_table(&st, args.format)?;
        }
        println!();
        for a in &d.applications {
            let line = format!(
                "application {}: {} thousand {} for {} months, submitted {}, {}",
                a.id,
                crate::output::thousands_f(a.amount),
                a.currency,
                a.term_months,
                a.submitted,
                a.status
            );
            println!("{}", crate::output::wrapped(&line, 2));
        }
        for dec in &d.decisions {
            let codes = if dec.reason_codes.is_empty() {
                String::new()
            } else {
                format!(" ({})", dec.reason_codes.join(", "))
            };
            let line = format!(
                "decision on {}: {} by {} at {}{codes}",
                dec.application_id, dec.decision, dec.analyst, dec.decided_at
            );
            println!("{}", crate::output::wrapped(&line, 2));
        }
    }
    Ok(())
}
