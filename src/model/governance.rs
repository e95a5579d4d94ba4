//! Model governance, as pure rules: the roles a model holds (champion, challenger), what a row
//! of the model log records (a promotion, a proposal, a revoke, with the candidate's validation
//! figures), the promotion policy read from the configuration (four eyes, gates) and its checks,
//! and the population stability index the PSI gate reads.

use super::registry::ModelRecord;
use serde::{Deserialize, Serialize};
use std::fmt;

/// The role a model is put into.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Role {
    /// The model whose classes the queue, triage and decisions rest on.
    Champion,
    /// The model shown beside the champion, whose class each decision also records.
    Challenger,
}

impl Role {
    pub fn as_str(self) -> &'static str {
        match self {
            Role::Champion => "champion",
            Role::Challenger => "challenger",
        }
    }

    pub fn parse(s: &str) -> Option<Role> {
        match s {
            "champion" => Some(Role::Champion),
            "challenger" => Some(Role::Challenger),
            _ => None,
        }
    }
}

impl fmt::Display for Role {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// What a row of the model log records.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum LogAction {
    /// A model put into a role (from the model that held it, or none).
    Promote,
    /// A promotion asked for, waiting for a second analyst's approval (nothing changes yet).
    Propose,
    /// The model in a role taken out, the one before it put back (or none).
    Revoke,
}

impl LogAction {
    pub fn as_str(self) -> &'static str {
        match self {
            LogAction::Promote => "promote",
            LogAction::Propose => "propose",
            LogAction::Revoke => "revoke",
        }
    }

    pub fn parse(s: &str) -> Option<LogAction> {
        match s {
            "promote" => Some(LogAction::Promote),
            "propose" => Some(LogAction::Propose),
            "revoke" => Some(LogAction::Revoke),
            _ => None,
        }
    }
}

impl fmt::Display for LogAction {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A model's validation figures on its held-out part, as the log keeps them at the moment of a
/// change. The test part is out of time when `out_of_time_from` names its first fiscal year.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Figures {
    pub auc: Option<f64>,
    pub ks: Option<f64>,
    pub brier: Option<f64>,
    pub test_error: Option<f64>,
    pub n_test: Option<usize>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub out_of_time_from: Option<i32>,
}

impl Figures {
    /// The figures of a model's record: AUC and KS as its training reported them, the Brier
    /// score of its kept test predictions (chance of bad against bad), and the first year of an
    /// out-of-time test part.
    pub fn of(rec: &ModelRecord) -> Figures {
        let brier = rec.test_sample.as_ref().and_then(|s| {
            (!s.bad.is_empty()).then(|| {
                s.bad
                    .iter()
                    .zip(&s.p_bad)
                    .map(|(&b, &p)| (p - if b { 1.0 } else { 0.0 }).powi(2))
                    .sum::<f64>()
                    / s.bad.len() as f64
            })
        });
        Figures {
            auc: rec.metrics.auc,
            ks: rec.metrics.ks,
            brier,
            test_error: Some(rec.metrics.test_error),
            n_test: Some(rec.metrics.n_test),
            out_of_time_from: rec.test_part.as_ref().and_then(|t| t.out_of_time_from),
        }
    }

    /// In words: "AUC 0.825, KS 0.773, Brier 0.171 on 720 test rows".
    pub fn describe(&self) -> String {
        let f = |name: &str, v: Option<f64>| v.map(|v| format!("{name} {v:.3}"));
        let mut parts: Vec<String> = [f("AUC", self.auc), f("KS", self.ks), f("Brier", self.brier)]
            .into_iter()
            .flatten()
            .collect();
        if parts.is_empty() {
            parts.push("no test figures".into());
        }
        let mut s = parts.join(", ");
        if let Some(n) = self.n_test {
            s.push_str(&format!(" on {n} test rows"));
        }
        if let Some(y) = self.out_of_time_from {
            s.push_str(&format!(" (out of time, {y} on)"));
        }
        s
    }
}

/// Who must agree before a model is put into use.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum FourEyes {
    /// One analyst may train and promote (the default: one analyst on a laptop).
    #[default]
    Off,
    /// The analyst who promotes is not the one who trained the candidate.
    NotTrainer,
    /// A promotion is a proposal until a second analyst approves it.
    Approval,
}

/// The promotion policy: the `[promotion]` section of the configuration file. The defaults
/// suit one analyst on a laptop: no four eyes, no gates.
#[derive(Debug, Clone, Copy, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub struct PromotionPolicy {
    #[serde(default)]
    pub four_eyes: FourEyes,
    /// The candidate's test AUC may be below the champion's, on the candidate's held-out part,
    /// by at most this much.
    #[serde(default)]
    pub max_auc_drop: Option<f64>,
    /// The PSI of the candidate's chances of bad against the champion's, on every firm's
    /// latest statement, must stay below this bound.
    #[serde(default)]
    pub max_psi: Option<f64>,
}

/// A promotion policy's value that cannot be meant.
#[derive(Debug, Clone, Copy, PartialEq, thiserror::Error)]
pub enum PolicyError {
    #[error("max-auc-drop {0} must be between 0 and 1")]
    AucDrop(f64),
    #[error("max-psi {0} must be above 0")]
    PsiBound(f64),
}

impl PromotionPolicy {
    /// Refuses values that cannot be meant (a negative margin, a bound at or below zero).
    pub fn check(&self) -> Result<(), PolicyError> {
        if let Some(m) = self.max_auc_drop {
            if !(0.0..=1.0).contains(&m) {
                return Err(PolicyError::AucDrop(m));
            }
        }
        if let Some(b) = self.max_psi {
            if !(b > 0.0 && b.is_finite()) {
                return Err(PolicyError::PsiBound(b));
            }
        }
        Ok(())
    }

    /// In words, for the history and the confirmation.
    pub fn describe(&self) -> String {
        let eyes = match self.four_eyes {
            FourEyes::Off => "one analyst may train and promote",
            FourEyes::NotTrainer => "four eyes: the promoter is not the trainer",
            FourEyes::Approval => "four eyes: a second analyst approves each proposal",
        };
        let mut s = eyes.to_string();
        match self.max_auc_drop {
            Some(m) => s.push_str(&format!("; AUC gate: at most {m:.3} below the champion")),
            None => s.push_str("; no AUC gate"),
        }
        match self.max_psi {
            Some(b) => s.push_str(&format!("; PSI gate: below {b:.2}")),
            None => s.push_str("; no PSI gate"),
        }
        s
    }
}

/// The rule of the policy that refused a promotion.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Rule {
    /// Four eyes: the promoter trained the candidate.
    FourEyesTrainer,
    /// Four eyes: the approver is the one who proposed.
    FourEyesApproval,
    /// The candidate ranks worse than the champion by more than the margin.
    AucGate,
    /// The candidate's scores moved too far from the champion's.
    PsiGate,
}

impl Rule {
    pub fn as_str(self) -> &'static str {
        match self {
            Rule::FourEyesTrainer => "four eyes (not the trainer)",
            Rule::FourEyesApproval => "four eyes (a second approver)",
            Rule::AucGate => "AUC gate",
            Rule::PsiGate => "PSI gate",
        }
    }
}

impl fmt::Display for Rule {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A promotion the policy refused: the rule, what it found, and how to proceed.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[error("refused by the {rule} rule of the promotion policy: {found}; {proceed}")]
pub struct Refusal {
    pub rule: Rule,
    pub found: String,
    pub proceed: String,
}

/// Four eyes, when the promoter trained the candidate (`trained_by`, when known).
pub fn check_trainer(
    policy: &PromotionPolicy,
    analyst: &str,
    trained_by: Option<&str>,
) -> Result<(), Refusal> {
    if policy.four_eyes != FourEyes::NotTrainer {
        return Ok(());
    }
    match trained_by {
        Some(t) if t == analyst => Err(Refusal {
            rule: Rule::FourEyesTrainer,
            found: format!("{analyst} trained this model"),
            proceed: "another analyst must promote it".into(),
        }),
        _ => Ok(()),
    }
}

/// Four eyes, when the approver is the analyst who proposed.
pub fn check_approver(analyst: &str, proposed_by: &str) -> Result<(), Refusal> {
    if analyst == proposed_by {
        return Err(Refusal {
            rule: Rule::FourEyesApproval,
            found: format!("{analyst} proposed this promotion"),
            proceed: "a second analyst must approve it".into(),
        });
    }
    Ok(())
}

/// The AUC gate: the candidate's AUC and the champion's on the same held-out rows.
pub fn check_auc(
    policy: &PromotionPolicy,
    candidate: f64,
    champion: f64,
    rows: usize,
) -> Result<(), Refusal> {
    let Some(margin) = policy.max_auc_drop else {
        return Ok(());
    };
    if candidate + margin < champion {
        return Err(Refusal {
            rule: Rule::AucGate,
            found: format!(
                "on the candidate's {rows} held-out rows its AUC is {candidate:.3} and the \
                 champion's {champion:.3}, {:.3} lower, more than the margin {margin:.3}",
                champion - candidate
            ),
            proceed: "keep the champion, train a better candidate, or widen the margin in the \
                      promotion policy"
                .into(),
        });
    }
    Ok(())
}

/// The PSI gate: the PSI of the candidate's chances of bad against the champion's.
pub fn check_psi(policy: &PromotionPolicy, psi: f64, firms: usize) -> Result<(), Refusal> {
    let Some(bound) = policy.max_psi else {
        return Ok(());
    };
    if psi.is_nan() || psi >= bound {
        return Err(Refusal {
            rule: Rule::PsiGate,
            found: format!(
                "the PSI of its chances of bad against the champion's on {firms} firms is \
                 {psi:.3}, not below {bound:.2}"
            ),
            proceed: "look at how the two models' scores differ before putting the candidate \
                      into use, or raise the bound in the promotion policy"
                .into(),
        });
    }
    Ok(())
}

/// The smallest share a bin is given in the PSI (an empty bin would make it infinite).
pub const PSI_FLOOR: f64 = 1e-4;

/// The population stability index of `actual` against `expected`, on `bins` quantile bins of
/// `expected` (the edges are its quantiles at k/bins, interpolated; a value on an edge falls in
/// the bin below): sum over bins of (a - e) ln(a / e), each share floored at [`PSI_FLOOR`].
/// NaN when either side is empty.
pub fn psi(expected: &[f64], actual: &[f64], bins: usize) -> f64 {
    if expected.is_empty() || actual.is_empty() || bins == 0 {
        return f64::NAN;
    }
    let mut sorted = expected.to_vec();
    sorted.sort_by(f64::total_cmp);
    let edges: Vec<f64> = (1..bins)
        .filter_map(|k| crate::finance::peers::quantile_sorted(&sorted, k as f64 / bins as f64))
        .collect();
    let shares = |values: &[f64]| -> Vec<f64> {
        let mut counts = vec![0usize; bins];
        for &v in values {
            let b = edges.partition_point(|&e| e < v);
            counts[b] += 1;
        }
        counts
            .iter()
            .map(|&c| (c as f64 / values.len() as f64).max(PSI_FLOOR))
            .collect()
    };
    let (e, a) = (shares(expected), shares(actual));
    e.iter().zip(&a).map(|(e, a)| (a - e) * (a / e).ln()).sum()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn expected() -> Vec<f64> {
        (0..200).map(|i| ((i * 37) % 101) as f64 / 101.0).collect()
    }

    /// Reference: NumPy 2 in /work/main/.venv-bench on the same numbers:
    /// `edges = np.quantile(e, [k/10 for k in range(1, 10)])` (linear, R's type 7),
    /// `b = np.searchsorted(edges, v, side='left')`, shares `np.bincount(b, minlength=10)/len(v)`
    /// floored at 1e-4, `np.sum((A - E) * np.log(A / E))` -> 0.7558452110100828, and with
    /// 50 values at 0.99 and 50 at 0.01 (eight empty bins) -> 6.808478703493799.
    #[test]
    fn psi_matches_numpy_on_the_same_numbers() {
        let e = expected();
        let a: Vec<f64> = (0..150)
            .map(|i| (((i * 53) % 97) as f64 / 97.0 * 0.8 + 0.15).min(1.0))
            .collect();
        assert!((psi(&e, &a, 10) - 0.7558452110100828).abs() < 1e-12);
        let mut two = vec![0.99; 50];
        two.extend(vec![0.01; 50]);
        assert!((psi(&e, &two, 10) - 6.808478703493799).abs() < 1e-12);
        // The same population against itself is stable.
        assert_eq!(psi(&e, &e, 10), 0.0);
        assert!(psi(&[], &e, 10).is_nan());
    }

    #[test]
    fn each_rule_refuses_by_name_and_the_defaults_refuse_nothing() {
        let off = PromotionPolicy::default();
        assert_eq!(off.four_eyes, FourEyes::Off);
        assert!(check_trainer(&off, "kim", Some("kim")).is_ok());
        assert!(check_auc(&off, 0.5, 0.9, 10).is_ok());
        assert!(check_psi(&off, 9.0, 10).is_ok());
        let strict = PromotionPolicy {
            four_eyes: FourEyes::NotTrainer,
            max_auc_drop: Some(0.02),
            max_psi: Some(0.25),
        };
        assert_eq!(
            check_trainer(&strict, "kim", Some("kim")).unwrap_err().rule,
            Rule::FourEyesTrainer
        );
        assert!(check_trainer(&strict, "lee", Some("kim")).is_ok());
        assert!(check_trainer(&strict, "kim", None).is_ok());
        assert_eq!(
            check_approver("kim", "kim").unwrap_err().rule,
            Rule::FourEyesApproval
        );
        let auc = check_auc(&strict, 0.80, 0.83, 100).unwrap_err();
        assert_eq!(auc.rule, Rule::AucGate);
        assert!(auc.to_string().contains("AUC gate"), "{auc}");
        assert!(check_auc(&strict, 0.815, 0.83, 100).is_ok());
        assert_eq!(check_psi(&strict, 0.3, 10).unwrap_err().rule, Rule::PsiGate);
        assert!(check_psi(&strict, 0.1, 10).is_ok());
        let parsed: PromotionPolicy =
            toml::from_str("four-eyes = \"approval\"\nmax-psi = 0.2").unwrap();
        assert_eq!(parsed.four_eyes, FourEyes::Approval);
        assert_eq!(parsed.max_psi, Some(0.2));
        assert!(toml::from_str::<PromotionPolicy>("four-eyes = \"maybe\"").is_err());
        assert!(PromotionPolicy {
            max_psi: Some(0.0),
            ..off
        }
        .check()
        .is_err());
    }
}
