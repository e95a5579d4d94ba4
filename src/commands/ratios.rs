//! `precre ratios`: a firm's ratios by year, a sector's quartiles, or the catalogue.

use super::{open_store, UsageError};
use crate::cli::{Cli, RatiosArgs};
use crate::finance::catalogue::RatioGroup;
use crate::finance::peers::quartiles;
use crate::finance::{RatioDef, RATIOS};
use crate::output::{format_ratio, print_json, print_table, OutputFormat, TextTable};
use crate::store::Store;
use serde_json::{json, Map, Value};

fn selected(group: &Option<String>) -> anyhow::Result<Vec<(usize, &'static RatioDef)>> {
    let g = match group {
        None => None,
        Some(name) => Some(RatioGroup::parse(name).ok_or_else(|| {
            UsageError(format!(
                "--group {name}: no such group; groups are {}",
                RatioGroup::ALL.map(|g| g.as_str()).join(", ")
            ))
        })?),
    };
    Ok(RATIOS
        .iter()
        .enumerate()
        .filter(|(_, r)| g.is_none_or(|g| r.group == g))
        .collect())
}

fn def_json(r: &RatioDef) -> Map<String, Value> {
    let mut m = Map::new();
    m.insert("id".into(), json!(r.id));
    m.insert("name".into(), json!(r.name));
    m.insert("group".into(), json!(r.group.as_str()));
    m.insert("formula".into(), json!(r.formula));
    m.insert("higher_is_better".into(), json!(r.higher_is_better));
    m.insert("unit".into(), json!(r.unit));
    m
}

pub fn run(cli: &Cli, args: &RatiosArgs) -> anyhow::Result<()> {
    let ratios = selected(&args.group)?;
    if args.list {
        return list(&ratios, args.format);
    }
    let store = open_store(cli)?;
    match (&args.firm, &args.sector) {
        (Some(firm), _) => firm_ratios(&store, firm, args, &ratios),
        (None, Some(sector)) => sector_ratios(&store, sector, args, &ratios),
        _ => Err(UsageError("give --firm ID, --sector S or --list".into()).into()),
    }
}

fn list(ratios: &[(usize, &RatioDef)], format: OutputFormat) -> anyhow::Result<()> {
    if format == OutputFormat::Json {
        let v: Vec<Value> = ratios
            .iter()
            .map(|(_, r)| Value::Object(def_json(r)))
            .collect();
        return print_json(&v);
    }
    let mut t = TextTable::new(["id", "group", "better", "unit", "formula"]);
    for (_, r) in ratios {
        let unit = serde_json::to_value(r.unit)?
            .as_str()
            .unwrap_or("")
            .to_string();
        t.push(vec![
            r.id.into(),
            r.group.as_str().into(),
            if r.higher_is_better {
                "higher"
            } else {
                "lower"
            }
            .into(),
            unit,
            r.formula.into(),
        ]);
    }
    print_table(&t, format)
}

fn firm_ratios(
    store: &Store,
    firm_id: &str,
    args: &RatiosArgs,
    ratios: &[(usize, &RatioDef)],
) -> anyhow::Result<()> {
    let firm = store.firm(firm_id)?;
    let statements = store.firm_statements(&firm.id, args.year)?;
    if statements.is_empty() {
        let which = args.year.map(|y| format!(" for {y}")).unwrap_or_default();
        anyhow::bail!(
            "firm {} has no statements{which}; import them with --kind statements",
            firm.id
        );
    }
    let years: Vec<i32> = statements.iter().map(|(s, _)| s.fiscal_year).collect();
    if args.format == OutputFormat::Json {
        let mut out = Vec::new();
        for (i, r) in ratios {
            let mut m = def_json(r);
            let mut values = Map::new();
            let mut flags = Map::new();
            for (s, row) in &statements {
                values.insert(s.fiscal_year.to_string(), json!(row.values[*i]));
                let mut f = Vec::new();
                if row.misleading(*i) {
                    f.push("negative_equity");
                }
                if r.needs_previous
                    && row.values[*i].is_none()
                    && row
                        .flags
                        .has(crate::finance::StatementFlags::NO_PREVIOUS_YEAR)
                {
                    f.push("no_previous_year");
                }
                if !f.is_empty() {
                    flags.insert(s.fiscal_year.to_string(), json!(f));
                }
            }
            m.insert("values".into(), Value::Object(values));
            m.insert("flags".into(), Value::Object(flags));
            out.push(Value::Object(m));
        }
        let statement_flags: Map<String, Value> = statements
            .iter()
            .map(|(s, row)| (s.fiscal_year.to_string(), json!(row.flags.names())))
            .collect();
        return print_json(&json!({
            "firm": firm,
            "years": years,
            "statement_flags": statement_flags,
            "ratios": out,
        }));
    }
    if args.format == OutputFormat::Table {
        let head = format!(
            "{} {} ({}, {}, {}){}",
            firm.id,
            firm.name,
            firm.sector,
            firm.region.clone().unwrap_or_default(),
            firm.size.clone().unwrap_or_default(),
            firm.class
                .as_ref()
                .map(|c| format!("; class {c}"))
                .unwrap_or_default()
        );
        println!("{}\n", crate::output::wrapped(&head, 2));
    }
    let mut headers = vec!["group".to_string(), "ratio".to_string()];
    headers.extend(years.iter().map(|y| y.to_string()));
    // At the terminal's width the group goes first, then the oldest years (the latest stays).
    let mut t = TextTable::new(headers)
        .align_right(2..2 + years.len())
        .optional(std::iter::once(0).chain(2..2 + years.len().saturating_sub(1)));
    for (i, r) in ratios {
        let mut row = vec![r.group.as_str().to_string(), r.id.to_string()];
        for (_, rr) in &statements {
            let mut cell = format_ratio(rr.values[*i], r.unit);
            if rr.misleading(*i) {
                cell.push('!');
            }
            row.push(cell);
        }
        t.push(row);
    }
    print_table(&t, args.format)?;
    if args.format == OutputFormat::Table
        && statements.iter().any(|(_, r)| !r.flags.names().is_empty())
    {
        for (s, r) in &statements {
            let names = r.flags.names();
            if !names.is_empty() {
                println!("{}: {}", s.fiscal_year, names.join(", "));
            }
        }
        println!(
            "{}",
            crate::output::wrapped(
                "(! = negative equity makes this value misleading; - = missing: zero or missing \
                 denominator, or no previous year)",
                1
            )
        );
    }
    Ok(())
}

fn sector_ratios(
    store: &Store,
    sector: &str,
    args: &RatiosArgs,
    ratios: &[(usize, &RatioDef)],
) -> anyhow::Result<()> {
    let rows = store.sector_ratios(sector, args.year)?;
    if rows.is_empty() {
        let known: Vec<String> = store.sectors()?.into_iter().map(|(s, _)| s).collect();
        return Err(UsageError(format!(
            "no statements for sector '{sector}'{}; sectors in the store: {}",
            args.year.map(|y| format!(" in {y}")).unwrap_or_default(),
            known.join(", ")
        ))
        .into());
    }
    let stats: Vec<_> = ratios
        .iter()
        .map(|(i, r)| (r, quartiles(rows.iter().map(|row| row.values[*i]))))
        .collect();
    if args.format == OutputFormat::Json {
        let out: Vec<Value> = stats
            .iter()
            .map(|(r, q)| {
                let mut m = def_json(r);
                m.insert("n".into(), json!(q.n));
                m.insert("p25".into(), json!(q.p25));
                m.insert("median".into(), json!(q.median));
                m.insert("p75".into(), json!(q.p75));
                Value::Object(m)
            })
            .collect();
        return print_json(
            &json!({ "sector": sector, "year": args.year, "firms": rows.len(), "ratios": out }),
        );
    }
    if args.format == OutputFormat::Table {
        let basis = args
            .year
            .map_or("each firm's latest statement".to_string(), |y| {
                format!("fiscal year {y}")
            });
        println!("sector {sector}: {} firms, {basis}\n", rows.len());
    }
    let mut t = TextTable::new(["group", "ratio", "n", "p25", "median", "p75", "better"])
        .align_right([2, 3, 4, 5]);
    for (r, q) in stats {
        t.push(vec![
            r.group.as_str().into(),
            r.id.into(),
            q.n.to_string(),
            format_ratio(q.p25, r.unit),
            format_ratio(q.median, r.unit),
            format_ratio(q.p75, r.unit),
            if r.higher_is_better {
                "higher"
            } else {
                "lower"
            }
            .into(),
        ]);
    }
    print_table(&t, args.format)
}
