//! Reasons in words: an input's display name and its value in its unit (a share as a percent)
//! from the ratio catalogue, the tree's conditions on one input merged into one range, and a
//! challenger's push against the training average.

use super::explain::{Contribution, Step};

/// The sector median of an input by its name, where the caller knows one (a ratio of a firm
/// with sector peers).
pub type SectorMedian<'a> = &'a dyn Fn(&str) -> Option<f64>;

pub(crate) fn median_text(variable: &str, unit: Unit, median: SectorMedian) -> String {
    median(variable).map_or(String::new(), |m| {
        format!("; sector median {}", value_in_unit(m, unit))
    })
}
use crate::finance::catalogue::{find, Unit};

/// An input's name for an analyst and its unit (a column outside the catalogue: as named).
pub fn display(variable: &str) -> (String, Unit) {
    match find(variable) {
        Some((_, def)) => (def.name.to_string(), def.unit),
        None => (variable.to_string(), Unit::Ratio),
    }
}

/// A value in its unit: shares as percents, turnovers as times, months as months.
pub fn value_in_unit(v: f64, unit: Unit) -> String {
    match unit {
        Unit::Percent => format!("{:.1}%", v * 100.0),
        Unit::Times => format!("{v:.2} times"),
        Unit::Months => format!("{v:.1} months"),
        Unit::Ratio | Unit::Score => {
            if v.abs() >= 1000.0 {
                format!("{v:.0}")
            } else {
                format!("{v:.3}")
            }
        }
    }
}

/// The tree's reasons: the path's conditions grouped by input (two on one input become one
/// range), ranked by how far each input's steps moved the chance of `class`, at most four,
/// only inputs that moved it up.
pub fn tree_reasons(steps: &[Step], class: &str, median: SectorMedian) -> Vec<String> {
    ranked_tree_inputs(steps)
        .into_iter()
        .map(|(variable, list)| tree_reason(variable, &list, class, median))
        .collect()
}

/// The path's inputs that moved the chance of the class up, grouped (an input's steps
/// together), strongest first, at most four: the one ranking of the tree's reasons.
fn ranked_tree_inputs(steps: &[Step]) -> Vec<(&str, Vec<&Step>)> {
    let mut inputs: Vec<(&str, Vec<&Step>)> = Vec::new();
    for s in steps {
        match inputs.iter_mut().find(|(v, _)| *v == s.variable) {
            Some((_, list)) => list.push(s),
            None => inputs.push((&s.variable, vec![s])),
        }
    }
    let mut ranked: Vec<(f64, (&str, Vec<&Step>))> = inputs
        .into_iter()
        .filter_map(|(variable, list)| {
            let moved: f64 = list.iter().map(|s| s.after - s.before).sum();
            (moved > 0.0).then_some((moved, (variable, list)))
        })
        .collect();
    ranked.sort_by(|a, b| b.0.total_cmp(&a.0));
    ranked.into_iter().take(4).map(|(_, x)| x).collect()
}

/// The inputs behind an explanation's reasons and the firm's values of them, strongest first
/// (the tree's path ranked as its reasons are; a challenger's inputs that pushed toward the
/// class); empty when the explanation has no reasons.
pub fn reason_inputs(e: &super::explain::Explanation) -> Vec<(String, f64)> {
    if e.reasons.is_empty() {
        return Vec::new();
    }
    if !e.path.is_empty() {
        return ranked_tree_inputs(&e.path)
            .into_iter()
            .map(|(v, list)| (v.to_string(), list[0].value))
            .collect();
    }
    e.contributions
        .iter()
        .filter(|c| c.effect > 0.0)
        .take(4)
        .map(|c| (c.variable.clone(), c.value))
        .collect()
}

fn tree_reason(variable: &str, steps: &[&Step], class: &str, median: SectorMedian) -> String {
    let (name, unit) = display(variable);
    let first = steps[0];
    let last = steps[steps.len() - 1];
    // The tightest bounds the path put on the input: value <= upper, value > lower.
    let upper = steps
        .iter()
        .filter(|s| s.went_left)
        .map(|s| s.threshold)
        .fold(f64::INFINITY, f64::min);
    let lower = steps
        .iter()
        .filter(|s| !s.went_left)
        .map(|s| s.threshold)
        .fold(f64::NEG_INFINITY, f64::max);
    let range = match (lower.is_finite(), upper.is_finite()) {
        (true, true) => format!(
            "between {} and {}",
            value_in_unit(lower, unit),
            value_in_unit(upper, unit)
        ),
        (true, false) => format!("above {}", value_in_unit(lower, unit)),
        _ => format!("at or below {}", value_in_unit(upper, unit)),
    };
    let missing = if first.was_missing {
        ", missing: the training median used"
    } else {
        ""
    };
    format!(
        "{name} {}{missing} ({range}{}): chance of {class} {:.0}% -> {:.0}%",
        value_in_unit(first.value, unit),
        median_text(variable, unit, median),
        first.before * 100.0,
        last.after * 100.0
    )
}

/// A challenger's reason: the input, its value against the training average, and its push.
pub fn contribution_reason(
    c: &Contribution,
    class: &str,
    in_chance: bool,
    median: SectorMedian,
) -> String {
    let (name, unit) = display(&c.variable);
    let side = if c.value > c.average {
        "above"
    } else {
        "at or below"
    };
    let missing = if c.was_missing {
        ", missing: the training median used"
    } else {
        ""
    };
    let effect = if in_chance {
        format!("chance of {class} {:+.0} points", c.effect * 100.0)
    } else {
        format!("log-odds of {class} {:+.2}", c.effect)
    };
    format!(
        "{name} {}{missing} ({side} the training average {}{}): {effect}",
        value_in_unit(c.value, unit),
        value_in_unit(c.average, unit),
        median_text(&c.variable, unit, median)
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    fn step(
        variable: &str,
        value: f64,
        threshold: f64,
        went_left: bool,
        before: f64,
        after: f64,
    ) -> Step {
        Step {
            condition: String::new(),
            variable: variable.into(),
            value,
            was_missing: false,
            threshold,
            went_left,
            before,
            after,
        }
    }

    #[test]
    fn two_conditions_on_one_ratio_become_one_range_in_its_unit() {
        // financial_autonomy = -0.034 <= 0.144, then <= -0.018 (the example), and a
        // turnover that lowered the chance (no reason).
        let steps = [
            step("financial_autonomy", -0.034, 0.144, true, 0.14, 0.51),
            step("payables_turnover", 5.8, 3.0, false, 0.51, 0.40),
            step("financial_autonomy", -0.034, -0.018, true, 0.40, 0.84),
        ];
        let median = |v: &str| (v == "financial_autonomy").then_some(0.311);
        let r = tree_reasons(&steps, "bad", &median);
        assert_eq!(
            r,
            vec!["Financial autonomy (equity ratio) -3.4% (at or below -1.8%; sector median 31.1%): chance of bad 14% -> 84%"]
        );
        let lower = [
            step("current_ratio", 1.2, 1.0, false, 0.2, 0.3),
            step("current_ratio", 1.2, 1.5, true, 0.3, 0.5),
        ];
        assert_eq!(
            tree_reasons(&lower, "bad", &|_| None),
            vec!["Current ratio (current liquidity) 1.200 (between 1.000 and 1.500): chance of bad 20% -> 50%"]
        );
    }
}
