//! `precre monitor`: the command line's adapter over `ops::monitor` (the workbench's Monitor
//! pane runs the same use case): stability per period, the back-test of the closed periods, and
//! the inputs that moved most with their bins. Bands read as words and marks; colour is added
//! on a terminal unless NO_COLOR is set.

use super::open_store;
use crate::analysis::stability::{Band, Stability};
use crate::cli::{Cli, MonitorArgs};
use crate::ops::monitor::{MonitorRequest, Monitoring};
use crate::ops::Job;
use crate::output::{print_json, thousands, OutputFormat};
use std::io::IsTerminal;

pub fn run(cli: &Cli, args: &MonitorArgs) -> anyhow::Result<()> {
    let store = open_store(cli)?;
    let req = MonitorRequest {
        model: args.model.clone(),
        by: args.by,
        from: args.from.clone(),
        to: args.to.clone(),
        horizon_years: Some(args.horizon),
    };
    let m = crate::ops::monitor::run(&store, &req, &Job::quiet())?;
    match args.format {
        OutputFormat::Json => print_json(&m),
        OutputFormat::Table | OutputFormat::Csv => {
            let colour = std::io::stdout().is_terminal() && std::env::var_os("NO_COLOR").is_none();
            print!("{}", text(&m, args.top, colour));
            Ok(())
        }
    }
}

/// A band in a word and a mark, coloured green / amber / red when `colour`.
fn band(b: Band, colour: bool) -> String {
    let word = format!("{} {:<6}", b.mark(), b.word());
    paint(&word, b, colour)
}

fn paint(text: &str, b: Band, colour: bool) -> String {
    if !colour {
        return text.to_string();
    }
    let code = match b {
        Band::Stable => "32",
        Band::Watch => "33",
        Band::Act => "31",
    };
    format!("\x1b[{code}m{text}\x1b[0m")
}

fn pct(x: f64) -> String {
    format!("{:.1}%", 100.0 * x)
}

/// The p-value in three significant digits (small ones in e-notation).
fn p_value(p: f64) -> String {
    if p < 1e-3 {
        format!("{p:.2e}")
    } else {
        format!("{p:.3}")
    }
}

/// The report as text: a header, stability, back-test, what changed most.
pub fn text(m: &Monitoring, top: usize, colour: bool) -> String {
    use std::fmt::Write;
    let mut s = String::new();
    let _ = writeln!(
        s,
        "Model {} '{}' (training population: {} rows), by {}: {} applications scored as of \
         their submission{}.",
        m.model_id,
        m.model_name,
        thousands(m.training_rows),
        m.by,
        thousands(m.applications),
        if m.without_statement > 0 {
            format!(
                " ({} left out: no statement before the submission)",
                thousands(m.without_statement)
            )
        } else {
            String::new()
        }
    );
    if m.periods.is_empty() {
        let _ = writeln!(s, "No application in the dates asked for.");
        return s;
    }
    let _ = writeln!(
        s,
        "\nStability against the training population (PSI of the chance of bad on its deciles, \
         CSI of each input on its screening bins): . stable < 0.10 <= ! watch <= 0.25 < X act"
    );
    let _ = writeln!(
        s,
        "{:<9} {:>12} {:>8}  {:<8}  {:>22}  most moved input",
        "period", "applications", "PSI", "band", "inputs stable/watch/act"
    );
    for p in &m.periods {
        let (st, wa, ac) = p.input_bands();
        let most = p
            .most_changed(1)
            .first()
            .map(|i| format!("{} {:.3} {}", i.name, i.index, band(i.band, colour)))
            .unwrap_or_default();
        let _ = writeln!(
            s,
            "{:<9} {:>12} {:>8.3}  {}  {:>22}  {}",
            p.period,
            thousands(p.applications),
            p.score.index,
            band(p.score.band, colour),
            format!("{st}/{wa}/{ac}"),
            most.trim_end()
        );
    }
    backtest_text(&mut s, m, colour);
    if let Some(last) = m.periods.last() {
        let _ = writeln!(
            s,
            "\nWhat changed most in {} (CSI; share of the training population -> of the period, bin by bin)",
            last.period
        );
        for i in last.most_changed(top) {
            bins_text(&mut s, i, colour);
        }
    }
    s
}

fn backtest_text(s: &mut String, m: &Monitoring, colour: bool) {
    use std::fmt::Write;
    let _ = writeln!(
        s,
        "\nBack-test (bad: failed within {} year{} of submission; data to {}). A band fails \
         (X) when the one-sided binomial or the Jeffreys test puts its p-value below 0.05: the \
         model's chance of bad is too low.",
        m.horizon_years,
        if m.horizon_years == 1 { "" } else { "s" },
        m.data_end.as_deref().unwrap_or("no dated outcome")
    );
    let _ = writeln!(
        s,
        "{:<9} {:<11} {:>6} {:>5} {:>10} {:>9} {:>10} {:>10}  test",
        "period", "band", "count", "bads", "predicted", "observed", "binomial p", "Jeffreys p"
    );
    for p in &m.periods {
        let Some(b) = &p.backtest else {
            let _ = writeln!(
                s,
                "{:<9} outcome window open until {}",
                p.period, p.window_closes
            );
            continue;
        };
        for (k, g) in b.bands.iter().enumerate() {
            let verdict = if g.fails {
                paint("X fails", Band::Act, colour)
            } else {
                paint(". holds", Band::Stable, colour)
            };
            let _ = writeln!(
                s,
                "{:<9} {:<11} {:>6} {:>5} {:>10} {:>9} {:>10} {:>10}  {}",
                if k == 0 { p.period.as_str() } else { "" },
                format!("{:.0}-{:.0}%", 100.0 * g.from, 100.0 * g.to),
                g.count,
                g.bads,
                pct(g.mean_predicted),
                pct(g.observed),
                p_value(g.binomial_p),
                p_value(g.jeffreys_p),
                verdict
            );
        }
        let _ = writeln!(
            s,
            "{:<9} {:<11} {:>6} {:>5} {:>10} {:>9}  AUC {}  Gini {}",
            "",
            "all",
            b.count,
            b.bads,
            pct(b.mean_predicted),
            pct(b.observed),
            b.auc.map_or("-".into(), |a| format!("{a:.3}")),
            b.gini.map_or("-".into(), |g| format!("{g:.3}")),
        );
    }
}

fn bins_text(s: &mut String, i: &Stability, colour: bool) {
    use std::fmt::Write;
    let _ = writeln!(
        s,
        "  {}  CSI {:.3}  {}",
        i.name,
        i.index,
        band(i.band, colour).trim_end()
    );
    for b in &i.bins {
        let _ = writeln!(
            s,
            "    {:<24} {:>7} -> {:>7}",
            b.bin,
            pct(b.training),
            pct(b.period)
        );
    }
}
