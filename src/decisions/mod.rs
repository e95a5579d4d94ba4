//! Decisions on loan applications: what an analyst decides (approve, decline, refer), the rules a
//! decision must meet before it is written (reasons for a decline, an override reason against the
//! model), and the file writers of the exporters. The store keeps decisions append-only; an undo
//! is a new row. Below the store: the store records these types, and knows no other module.

pub mod codes;
pub mod export;
pub mod in_force;
pub mod merge;

use serde::Serialize;
use thiserror::Error;

/// At most this many reasons go with a decline (the adverse-action notice lists up to four).
pub const MAX_REASONS: usize = 4;

/// Who a referral goes to when the analyst names nobody: the role of the senior credit desk.
pub const DEFAULT_REFERRAL: &str = "senior";

/// How long after a decision its analyst may still undo it, by default (in minutes).
pub const DEFAULT_UNDO_MINUTES: u32 = 30;

/// What an analyst decides.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Verdict {
    Approve,
    Decline,
    Refer,
}

impl Verdict {
    pub fn as_str(self) -> &'static str {
        match self {
            Verdict::Approve => "approve",
            Verdict::Decline => "decline",
            Verdict::Refer => "refer",
        }
    }

    /// The application status a verdict leaves.
    pub fn status(self) -> &'static str {
        match self {
            Verdict::Approve => "approved",
            Verdict::Decline => "declined",
            Verdict::Refer => "referred",
        }
    }

    /// Whether this verdict goes against the model's class: approving a firm it calls bad, or
    /// declining one it calls good. Referring never does.
    pub fn against(self, predicted: &str) -> bool {
        matches!(
            (self, predicted),
            (Verdict::Approve, "bad") | (Verdict::Decline, "good")
        )
    }
}

/// The model that scored the application, as recorded with the decision.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ModelRef {
    pub id: String,
    /// The full sha256 of the model's content (the id is its first 16 characters).
    pub hash: String,
    pub predicted_class: String,
}

/// A decision to record.
#[derive(Debug, Clone, PartialEq)]
pub struct DecisionInput {
    pub application_id: String,
    pub verdict: Verdict,
    pub analyst: String,
    pub note: Option<String>,
    /// The reasons as typed: `CODE`, `CODE: words` (a code of the catalogue in use) or words
    /// alone (code OTH); after [`DecisionInput::checked`], their texts.
    pub reasons: Vec<String>,
    /// The reasons' codes, one per reason (filled by [`DecisionInput::checked`]).
    pub reason_codes: Vec<String>,
    /// Why the analyst goes against the model, or replaces an earlier decision.
    pub override_reason: Option<String>,
    pub model: Option<ModelRef>,
    /// The challenger model's view of the firm, when a challenger is set.
    pub challenger: Option<ModelRef>,
    /// Replace a decision already taken on this application (needs an override reason; logged).
    pub replace: bool,
    /// Who a referral goes to: an analyst's name or a role (a referral only; by default
    /// [`DEFAULT_REFERRAL`]).
    pub referred_to: Option<String>,
}

/// A recorded decision, as the store holds it.
#[derive(Debug, Clone, Default, PartialEq, Serialize, utoipa::ToSchema)]
pub struct DecisionRecord {
    pub id: i64,
    pub application_id: String,
    pub firm_id: String,
    pub decision: String,
    pub analyst: String,
    pub decided_at: String,
    pub model_id: Option<String>,
    pub model_hash: Option<String>,
    pub predicted_class: Option<String>,
    pub override_reason: Option<String>,
    pub note: Option<String>,
    /// The reasons' texts, in order.
    pub reasons: Vec<String>,
    /// The reasons' codes, one per reason (OTH for a reason in the analyst's words, and for
    /// the reasons of decisions taken before codes were kept).
    pub reason_codes: Vec<String>,
    pub supersedes: Option<i64>,
    /// The challenger model's id and class when the decision was taken (schema 6 on).
    pub challenger_id: Option<String>,
    pub challenger_class: Option<String>,
    /// The field kit it was made in, offline (schema 8 on; none for a decision made here).
    pub made_in_kit: Option<String>,
    /// Who a referral went to: an analyst's name or a role (schema 8 on; referrals only).
    pub referred_to: Option<String>,
}

/// Why a decision was not recorded, in words an analyst can act on.
#[derive(Debug, Error, PartialEq)]
pub enum DecisionError {
    #[error("no application '{0}' in the store")]
    NoSuchApplication(String),
    #[error("application {id} is {status}: only pending applications can be decided")]
    NotOpen { id: String, status: String },
    #[error(
        "application {id} is already decided by {analyst} at {at} ({decision}); replacing it is an \
         explicit override with its reason"
    )]
    AlreadyDecided {
        id: String,
        decision: String,
        analyst: String,
        at: String,
    },
    #[error("a decline needs at least one reason (up to {MAX_REASONS})")]
    DeclineWithoutReason,
    #[error("at most {MAX_REASONS} reasons go with a decision ({0} given)")]
    TooManyReasons(usize),
    #[error("the model calls this firm '{0}': a decision against it needs an override reason")]
    OverrideWithoutReason(String),
    #[error("replacing a decision needs an override reason")]
    ReplaceWithoutReason,
    #[error("application {0} has no decision to undo")]
    NothingToUndo(String),
    #[error("{0} has no decision of their own to undo")]
    NoOwnDecision(String),
    #[error(
        "your last decision ({decision} on {application} at {at}) is older than the undo window \
         of {minutes} minutes: replacing it now is an override with its reason"
    )]
    UndoWindowPassed {
        application: String,
        decision: String,
        at: String,
        minutes: u32,
    },
    #[error(
        "your last decision ({decision} on {application}) is no longer in force: {by} recorded \
         '{now}' on it since"
    )]
    NoLongerInForce {
        application: String,
        decision: String,
        by: String,
        now: String,
    },
    #[error("the analyst name is empty: say who decides")]
    NoAnalyst,
    #[error(
        "the store is busy: another analyst's write held it for {0} s; nothing was recorded, try again"
    )]
    Busy(u64),
    /// The application is leased to a field kit: it is decided there, or the lease is taken
    /// back first (a front-end names how).
    #[error("application {id} is out with kit {kit} ({analyst}, since {since}): it is decided in the kit, or the kit's lease is revoked first")]
    Leased {
        id: String,
        kit: String,
        analyst: String,
        since: String,
    },
    /// The application was decided in two places: the conflict is resolved first.
    #[error("application {id} was decided in two places (conflict {conflict}): resolve the conflict first")]
    InConflict { id: String, conflict: i64 },
    #[error("{0}")]
    Store(String),
}

impl DecisionInput {
    /// Checks the rules that need no store: reasons, override reasons, analyst. Blank reasons are
    /// dropped and texts trimmed.
    pub fn checked(mut self) -> Result<DecisionInput, DecisionError> {
        self.analyst = self.analyst.trim().to_string();
        if self.analyst.is_empty() {
            return Err(DecisionError::NoAnalyst);
        }
        let coded: Vec<codes::CodedReason> = self
            .reasons
            .iter()
            .map(|r| r.trim())
            .filter(|r| !r.is_empty())
            .map(|r| codes::active().read_typed(r))
            .collect();
        self.reason_codes = coded.iter().map(|c| c.code.clone()).collect();
        self.reasons = coded.into_iter().map(|c| c.text).collect();
        self.note = self
            .note
            .map(|n| n.trim().to_string())
            .filter(|n| !n.is_empty());
        self.override_reason = self
            .override_reason
            .map(|n| n.trim().to_string())
            .filter(|n| !n.is_empty());
        if self.reasons.len() > MAX_REASONS {
            return Err(DecisionError::TooManyReasons(self.reasons.len()));
        }
        if self.verdict == Verdict::Decline && self.reasons.is_empty() {
            return Err(DecisionError::DeclineWithoutReason);
        }
        if let Some(m) = &self.model {
            if self.verdict.against(&m.predicted_class) && self.override_reason.is_none() {
                return Err(DecisionError::OverrideWithoutReason(
                    m.predicted_class.clone(),
                ));
            }
        }
        if self.replace && self.override_reason.is_none() {
            return Err(DecisionError::ReplaceWithoutReason);
        }
        self.referred_to = match self.verdict {
            Verdict::Refer => Some(
                self.referred_to
                    .map(|r| r.trim().to_string())
                    .filter(|r| !r.is_empty())
                    .unwrap_or_else(|| DEFAULT_REFERRAL.to_string()),
            ),
            // Only a referral goes to someone.
            _ => None,
        };
        Ok(self)
    }
}

/// The analyst's name: the flag, else the login name (the account of the process's user id,
/// which the environment cannot fake; then USER, LOGNAME, USERNAME), else "unknown".
pub fn analyst_name(flag: Option<&str>) -> String {
    flag.map(str::to_string)
        .or_else(account_name)
        .or_else(|| std::env::var("USER").ok())
        .or_else(|| std::env::var("LOGNAME").ok())
        .or_else(|| std::env::var("USERNAME").ok())
        .map(|s| s.trim().to_string())
        .filter(|s| !s.is_empty())
        .unwrap_or_else(|| "unknown".to_string())
}

/// The name of the account the process runs as, from the password database.
#[cfg(unix)]
fn account_name() -> Option<String> {
    let mut buf = vec![0u8; 4096];
    // SAFETY: getpwuid_r writes into `pwd` and `buf` (whose length we pass) and sets `result`
    // to null or to `pwd`; pw_name then points into `buf`, which outlives its use here.
    unsafe {
        let mut pwd: libc::passwd = std::mem::zeroed();
        let mut result: *mut libc::passwd = std::ptr::null_mut();
        let rc = libc::getpwuid_r(
            libc::getuid(),
            &mut pwd,
            buf.as_mut_ptr().cast(),
            buf.len(),
            &mut result,
        );
        if rc != 0 || result.is_null() || pwd.pw_name.is_null() {
            return None;
        }
        std::ffi::CStr::from_ptr(pwd.pw_name)
            .to_str()
            .ok()
            .map(str::to_string)
    }
}

#[cfg(not(unix))]
fn account_name() -> Option<String> {
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    fn input(verdict: Verdict) -> DecisionInput {
        DecisionInput {
            application_id: "A1".into(),
            verdict,
            analyst: "ana".into(),
            note: None,
            reasons: vec![],
            reason_codes: vec![],
            override_reason: None,
            model: Some(ModelRef {
                id: "m".into(),
                hash: "h".into(),
                predicted_class: "good".into(),
            }),
            challenger: None,
            replace: false,
            referred_to: None,
        }
    }

    #[test]
    fn a_decline_needs_reasons_and_an_override_against_the_model() {
        assert_eq!(
            input(Verdict::Decline).checked().unwrap_err(),
            DecisionError::DeclineWithoutReason
        );
        let mut d = input(Verdict::Decline);
        d.reasons = vec!["low liquidity".into(), "  ".into()];
        assert_eq!(
            d.clone().checked().unwrap_err(),
            DecisionError::OverrideWithoutReason("good".into())
        );
        d.override_reason = Some("collateral is weak".into());
        let checked = d.checked().unwrap();
        assert_eq!(checked.reasons, vec!["low liquidity"]);
        assert_eq!(checked.reason_codes, vec!["OTH"]);
        let mut d = input(Verdict::Refer);
        d.reasons = vec!["LIQ".into(), "lev: debt ratio 103.6%".into()];
        let checked = d.checked().unwrap();
        assert_eq!(checked.reason_codes, vec!["LIQ", "LEV"]);
        assert_eq!(checked.reasons, vec!["Weak liquidity", "debt ratio 103.6%"]);
        let mut d = input(Verdict::Refer);
        d.reasons = (0..5).map(|i| format!("r{i}")).collect();
        assert_eq!(d.checked().unwrap_err(), DecisionError::TooManyReasons(5));
        assert!(input(Verdict::Approve).checked().is_ok());
    }

    #[test]
    fn a_referral_goes_to_someone_and_only_a_referral_does() {
        let d = input(Verdict::Refer).checked().unwrap();
        assert_eq!(d.referred_to.as_deref(), Some(DEFAULT_REFERRAL));
        let mut d = input(Verdict::Refer);
        d.referred_to = Some("  kim ".into());
        assert_eq!(d.checked().unwrap().referred_to.as_deref(), Some("kim"));
        let mut d = input(Verdict::Approve);
        d.referred_to = Some("kim".into());
        assert_eq!(d.checked().unwrap().referred_to, None);
    }
}
