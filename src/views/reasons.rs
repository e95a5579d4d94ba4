//! The model's reasons in the bank's words: each reason's input mapped to the reason code that
//! covers it and worded as a credit officer writes it ("Liabilities exceed assets (equity ratio
//! -3.4%, sector 30.1%)"), the dominant risk first, negative equity named first whenever the
//! latest statement has it, one reason a code, at most four.

use crate::decisions::codes::{self, CodedReason, ReasonCodes};
use crate::decisions::MAX_REASONS;
use crate::finance::catalogue::{find, Unit};
use crate::finance::compute::StatementFlags;
use crate::finance::RatioRow;
use crate::model::explain::Explanation;

/// The explanation's reasons as coded reasons, for a firm whose latest ratios are `latest`
/// and whose sector medians (catalogue order) are `medians`.
pub fn coded_reasons(
    catalogue: &ReasonCodes,
    e: &Explanation,
    latest: &RatioRow,
    medians: &[Option<f64>],
) -> Vec<CodedReason> {
    let mut out: Vec<CodedReason> = Vec::new();
    if latest.flags.has(StatementFlags::NEGATIVE_EQUITY) {
        if let Some(code) = catalogue.get(codes::NEGATIVE_EQUITY) {
            let (i, _) = find("financial_autonomy").expect("the catalogue has the equity ratio");
            out.push(CodedReason {
                code: code.code.clone(),
                text: worded(
                    &code.text,
                    "financial_autonomy",
                    latest.values[i],
                    medians.get(i).copied().flatten(),
                ),
            });
        }
    }
    for (input, value) in crate::model::wording::reason_inputs(e) {
        let Some(code) = catalogue.for_input(&input) else {
            continue;
        };
        if out.iter().any(|r| r.code == code.code) {
            continue;
        }
        let median = find(&input).and_then(|(i, _)| medians.get(i).copied().flatten());
        out.push(CodedReason {
            code: code.code.clone(),
            text: worded(&code.text, &input, Some(value), median),
        });
    }
    out.truncate(MAX_REASONS);
    out
}

/// `Weak liquidity (current ratio 0.62, sector 1.35)`: the code's text, the input as a short
/// label with the firm's value and the sector's median where known.
pub fn worded(text: &str, input: &str, value: Option<f64>, median: Option<f64>) -> String {
    let (label, unit) = label(input);
    let Some(v) = value.filter(|v| v.is_finite()) else {
        return text.to_string();
    };
    match median {
        Some(m) => format!(
            "{text} ({label} {}, sector {})",
            in_unit(v, unit),
            in_unit(m, unit)
        ),
        None => format!("{text} ({label} {})", in_unit(v, unit)),
    }
}

/// An input's short label: a ratio's name in brackets when it has one ("equity ratio",
/// "ROE"), else its name in lower case; another input's id in words.
fn label(input: &str) -> (String, Unit) {
    match find(input) {
        Some((_, def)) => {
            let short = match (def.name.find('('), def.name.rfind(')')) {
                (Some(a), Some(b)) if b > a => def.name[a + 1..b].to_string(),
                _ => def.name.to_lowercase(),
            };
            (short, def.unit)
        }
        None => (input.replace('_', " "), Unit::Ratio),
    }
}

/// A value as an officer writes it: 12.3%, 1.35, 5.8 times, 3.1 months.
fn in_unit(v: f64, unit: Unit) -> String {
    let s = match unit {
        Unit::Percent => format!("{:.1}%", v * 100.0),
        Unit::Times => format!("{v:.1} times"),
        Unit::Months => format!("{v:.1} months"),
        Unit::Ratio | Unit::Score if v.abs() >= 1000.0 => format!("{v:.0}"),
        Unit::Ratio | Unit::Score => format!("{v:.2}"),
    };
    match s.strip_prefix('-') {
        Some(rest) if !rest.chars().any(|c| ('1'..='9').contains(&c)) => rest.to_string(),
        _ => s,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::explain::Step;

    fn step(variable: &str, value: f64, before: f64, after: f64) -> Step {
        Step {
            condition: String::new(),
            variable: variable.into(),
            value,
            was_missing: false,
            threshold: 0.0,
            went_left: true,
            before,
            after,
        }
    }

    #[test]
    fn negative_equity_comes_first_and_each_code_once() {
        let catalogue = ReasonCodes::defaults(&|_| true);
        let n = crate::finance::RATIOS.len();
        let idx = |id: &str| find(id).unwrap().0;
        let mut values = vec![None; n];
        values[idx("financial_autonomy")] = Some(-0.034);
        values[idx("payables_turnover")] = Some(5.82);
        let latest = RatioRow {
            values,
            flags: StatementFlags(StatementFlags::NEGATIVE_EQUITY),
        };
        let mut medians = vec![None; n];
        medians[idx("financial_autonomy")] = Some(0.301);
        medians[idx("payables_turnover")] = Some(7.54);
        let e = Explanation {
            class: "bad".into(),
            probabilities: vec![("bad".into(), 0.93)],
            // The firm: declined for its payables turnover alone.
            path: vec![
                step("payables_turnover", 5.82, 0.84, 0.93),
                step("receivables_turnover", 3.0, 0.80, 0.84),
                step("debt_to_equity", -30.6, 0.5, 0.8),
            ],
            reasons: vec!["(model words)".into()],
            nearest_change: None,
            contributions: vec![],
        };
        let r = coded_reasons(&catalogue, &e, &latest, &medians);
        assert_eq!(
            r[0],
            CodedReason {
                code: "NEQ".into(),
                text: "Liabilities exceed assets (equity ratio -3.4%, sector 30.1%)".into()
            }
        );
        let codes: Vec<&str> = r.iter().map(|c| c.code.as_str()).collect();
        // debt to equity is NEQ's too: cited once; the two turnovers are one ACT.
        assert_eq!(codes, vec!["NEQ", "ACT"]);
        assert_eq!(
            r[1].text,
            "Slow turnover of assets or trade credit (payables turnover 5.8 times, sector 7.5 times)"
        );
    }
}
