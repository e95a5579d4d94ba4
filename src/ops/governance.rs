//! Putting models into use, written once: what a promotion would change (the queue's class mix
//! before and after, computed without writing), promote a candidate to champion or challenger
//! under the promotion policy (four eyes, gates), propose and approve, revoke, and the model log.
//! Training saves candidates only; this is the one path by which a model takes a role.

use super::models::{reads_firms, score_missing};
use super::{Job, OpsError, Result};
use crate::model::governance::{
    self, Figures, FourEyes, LogAction, PromotionPolicy, Refusal, Role,
};
use crate::model::registry::ModelRecord;
use crate::store::model_log::{ChangeRequest, LogEntry};
use crate::store::Store;
use std::collections::HashMap;

/// The bins of the PSI gate (deciles of the champion's chances of bad).
pub const PSI_BINS: usize = 10;

/// A promotion (or a challenger set) as a front-end asks for it.
#[derive(Debug, Clone, PartialEq)]
pub struct PromoteRequest {
    /// The candidate: id, id prefix or name.
    pub model: String,
    pub role: Role,
    pub reason: String,
    pub analyst: String,
    pub policy: PromotionPolicy,
}

/// A model named in a preview.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct Named {
    pub id: String,
    pub name: String,
    pub kind: String,
}

impl Named {
    fn of(rec: &ModelRecord) -> Named {
        Named {
            id: rec.id.clone(),
            name: rec.name.clone(),
            kind: rec.pipeline.kind().description().to_string(),
        }
    }
}

/// What putting a candidate into a role would change, computed without writing.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct Preview {
    pub role: Role,
    pub candidate: Named,
    /// The model holding the role now.
    pub current: Option<Named>,
    /// Pending applications whose firm each model can score.
    pub pending: usize,
    /// The queue's class mix with the model holding the role now (empty when none), and with
    /// the candidate: (class, applications), in each model's class order.
    pub before: Vec<(String, usize)>,
    pub after: Vec<(String, usize)>,
    /// The candidate's validation figures, as the log will keep them.
    pub figures: Figures,
    /// The policy in force, in words.
    pub policy: String,
}

/// The class mix of the pending queue under a model: each pending application's firm scored on
/// its latest statement (as triage scores it); nothing is written. Empty for a model that does
/// not read firms.
pub fn queue_mix(store: &Store, rec: &ModelRecord) -> Result<Vec<(String, usize)>> {
    if !reads_firms(rec) {
        return Ok(Vec::new());
    }
    let apps = store.pending_queue()?;
    let Some(data) = crate::views::data::firm_feature_rows(
        store,
        &rec.pipeline.features,
        crate::analysis::dataset::YearRule::Latest,
    )?
    else {
        return Ok(Vec::new());
    };
    let row_of: HashMap<&str, usize> = data
        .ids
        .iter()
        .enumerate()
        .map(|(r, id)| (id.as_str(), r))
        .collect();
    let rows: Vec<usize> = apps
        .iter()
        .filter_map(|a| row_of.get(a.firm_id.as_str()).copied())
        .collect();
    let x = data.x.select_rows(&rows);
    let proba = rec.pipeline.predict_proba(&x);
    let mut counts = vec![0usize; rec.pipeline.classes.len()];
    for p in &proba {
        counts[crate::model::metrics::argmax(p)] += 1;
    }
    Ok(rec.pipeline.classes.iter().cloned().zip(counts).collect())
}

fn holder(store: &Store, role: Role) -> Result<Option<ModelRecord>> {
    Ok(match role {
        Role::Champion => store.active_model()?,
        Role::Challenger => store.challenger_model()?,
    })
}

/// What promoting `key` into `role` would change.
pub fn preview(store: &Store, key: &str, role: Role, policy: &PromotionPolicy) -> Result<Preview> {
    let rec = store.model(Some(key))?;
    let current = holder(store, role)?;
    if current.as_ref().is_some_and(|c| c.id == rec.id) {
        return Err(OpsError::Store(crate::store::StoreError::Conflict(
            format!("model {} '{}' is already the {role}", rec.id, rec.name),
        )));
    }
    let after = queue_mix(store, &rec)?;
    let before = match &current {
        Some(c) => queue_mix(store, c)?,
        None => Vec::new(),
    };
    Ok(Preview {
        role,
        candidate: Named::of(&rec),
        current: current.as_ref().map(Named::of),
        pending: after.iter().map(|(_, n)| n).sum(),
        before,
        after,
        figures: Figures::of(&rec),
        policy: policy.describe(),
    })
}

/// What a promotion did: the log row, whether it is only a proposal (four eyes by approval),
/// and how many firms the new champion scored that it had not scored.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct Promoted {
    pub entry: LogEntry,
    pub proposed: bool,
    pub scored: usize,
}

fn checked_reason(reason: &str) -> Result<&str> {
    let r = reason.trim();
    if r.is_empty() {
        return Err(OpsError::Usage(
            "give a reason: the model log records why each model was put into use".into(),
        ));
    }
    Ok(r)
}

fn checked_policy(policy: &PromotionPolicy) -> Result<()> {
    policy
        .check()
        .map_err(|e| OpsError::Usage(format!("promotion policy: {e}")))
}

/// Promotes a candidate to champion or challenger under the policy: the reason is required,
/// four eyes and the gates are checked, and the change and its log row are one transaction.
/// With four eyes by approval the promotion is recorded as a proposal and nothing changes.
pub fn promote(store: &mut Store, req: &PromoteRequest, job: &Job) -> Result<Promoted> {
    let reason = checked_reason(&req.reason)?;
    checked_policy(&req.policy)?;
    let rec = store.model(Some(&req.model))?;
    if req.role == Role::Challenger && !reads_firms(&rec) {
        return Err(OpsError::Usage(format!(
            "model {} '{}' reads a feature set, not the firms' statements: a challenger scores \
             the same firms as the champion",
            rec.id, rec.name
        )));
    }
    let trained_by = store.trained_by(&rec.id)?;
    governance::check_trainer(&req.policy, &req.analyst, trained_by.as_deref())?;
    job.progress(0.2, "checking the promotion policy's gates");
    if req.role == Role::Champion {
        check_gates(store, &rec, &req.policy)?;
    }
    let action = if req.policy.four_eyes == FourEyes::Approval {
        LogAction::Propose
    } else {
        LogAction::Promote
    };
    job.check()?;
    let entry = store.change_model(&ChangeRequest {
        analyst: &req.analyst,
        action,
        role: req.role,
        to_model: Some(&rec.id),
        reason,
        proposal: None,
    })?;
    let scored = after_change(store, &entry, job)?;
    Ok(Promoted {
        proposed: action == LogAction::Propose,
        entry,
        scored,
    })
}

/// Approves the open proposal to put `key` into a role: the approver is not the proposer, the
/// gates are checked again, and the promotion is made with the proposal's reason.
pub fn approve(
    store: &mut Store,
    key: &str,
    analyst: &str,
    policy: &PromotionPolicy,
    job: &Job,
) -> Result<Promoted> {
    checked_policy(policy)?;
    let rec = store.model(Some(key))?;
    let proposal = store.open_proposal(&rec.id)?.ok_or_else(|| {
        OpsError::Store(crate::store::StoreError::NotFound(format!(
            "no open proposal to promote model {} '{}'",
            rec.id, rec.name
        )))
    })?;
    governance::check_approver(analyst, &proposal.analyst)?;
    if proposal.role == Role::Champion {
        check_gates(store, &rec, policy)?;
    }
    let entry = store.change_model(&ChangeRequest {
        analyst,
        action: LogAction::Promote,
        role: proposal.role,
        to_model: Some(&rec.id),
        reason: &proposal.reason,
        proposal: Some(proposal.id),
    })?;
    let scored = after_change(store, &entry, job)?;
    Ok(Promoted {
        entry,
        proposed: false,
        scored,
    })
}

/// Revokes the model in a role: the model its promotion replaced is put back (or none), with a
/// reason, in the log.
pub fn revoke(
    store: &mut Store,
    role: Role,
    reason: &str,
    analyst: &str,
    job: &Job,
) -> Result<Promoted> {
    let reason = checked_reason(reason)?;
    let entry = store.change_model(&ChangeRequest {
        analyst,
        action: LogAction::Revoke,
        role,
        to_model: None,
        reason,
        proposal: None,
    })?;
    let scored = after_change(store, &entry, job)?;
    Ok(Promoted {
        entry,
        proposed: false,
        scored,
    })
}

/// Installs a model as the champion of a store that has none (the demo's default model), by the
/// same change and log row as any promotion; the policy does not apply (there is no champion to
/// compare with, and nobody trained it here).
pub fn install(
    store: &mut Store,
    rec: &ModelRecord,
    analyst: &str,
    reason: &str,
) -> Result<LogEntry> {
    store.save_model(rec, None)?;
    Ok(store.change_model(&ChangeRequest {
        analyst,
        action: LogAction::Promote,
        role: Role::Champion,
        to_model: Some(&rec.id),
        reason,
        proposal: None,
    })?)
}

/// After a change: a new champion scores the firms it has not scored (as activation did).
fn after_change(store: &mut Store, entry: &LogEntry, job: &Job) -> Result<usize> {
    if entry.action == LogAction::Propose || entry.role != Role::Champion {
        return Ok(0);
    }
    let Some(id) = &entry.to_model else {
        return Ok(0);
    };
    job.progress(0.6, "scoring the firms the champion has not scored");
    let rec = store.model(Some(id))?;
    score_missing(store, &rec)
}

/// The gates of the policy, against the champion in force (none: nothing to compare with).
fn check_gates(store: &Store, rec: &ModelRecord, policy: &PromotionPolicy) -> Result<()> {
    let Some(champion) = store.active_model()? else {
        return Ok(());
    };
    if champion.id == rec.id {
        return Ok(());
    }
    if policy.max_auc_drop.is_some() {
        let (candidate, incumbent, rows) = same_rows_auc(store, rec, &champion)?;
        governance::check_auc(policy, candidate, incumbent, rows)?;
    }
    if policy.max_psi.is_some() {
        let (psi, firms) = score_psi(store, rec, &champion)?;
        governance::check_psi(policy, psi, firms)?;
    }
    Ok(())
}

fn cannot_measure(rule: governance::Rule, found: String) -> OpsError {
    OpsError::Refused(Refusal {
        rule,
        found,
        proceed: "turn this gate off in the promotion policy to promote it without it".into(),
    })
}

/// The candidate's AUC and the champion's on the candidate's held-out rows (those the champion
/// can still read from the store): the rows' outcomes and the candidate's chances of bad come
/// from its record, the champion scores the same firm-years now.
pub fn same_rows_auc(
    store: &Store,
    rec: &ModelRecord,
    champion: &ModelRecord,
) -> Result<(f64, f64, usize)> {
    use governance::Rule::AucGate;
    let (Some(part), Some(sample)) = (&rec.test_part, &rec.test_sample) else {
        return Err(cannot_measure(
            AucGate,
            format!(
                "model {} keeps no list of its held-out rows (an older or imported record): \
                 train it again",
                rec.id
            ),
        ));
    };
    if part.years.len() != part.ids.len() || !reads_firms(champion) {
        return Err(cannot_measure(
            AucGate,
            "the candidate's held-out rows are not firm statements the champion can score".into(),
        ));
    }
    let positive = &rec.pipeline.classes[rec.pipeline.positive_class];
    let Some(pc) = champion.pipeline.classes.iter().position(|c| c == positive) else {
        return Err(cannot_measure(
            AucGate,
            format!("the champion has no class '{positive}' to rank by"),
        ));
    };
    let data = crate::views::data::firm_feature_rows(
        store,
        &champion.pipeline.features,
        crate::analysis::dataset::YearRule::All,
    )?
    .ok_or_else(|| cannot_measure(AucGate, "the champion reads no firm".into()))?;
    // A panel's row ids are `firm:year`; the firm is what both models' rows share.
    let firm = |id: &str| -> String { id.split_once(':').map_or(id, |(f, _)| f).to_string() };
    let row_of: HashMap<(String, i32), usize> = data
        .ids
        .iter()
        .zip(&data.years)
        .enumerate()
        .map(|(r, (id, y))| ((firm(id), *y), r))
        .collect();
    let mut rows = Vec::new();
    let (mut bad, mut cand) = (Vec::new(), Vec::new());
    for (i, (id, y)) in part.ids.iter().zip(&part.years).enumerate() {
        if let Some(&r) = row_of.get(&(firm(id), *y)) {
            rows.push(r);
            bad.push(sample.bad[i]);
            cand.push(sample.p_bad[i]);
        }
    }
    let proba = champion.pipeline.predict_proba(&data.x.select_rows(&rows));
    let champ: Vec<f64> = proba.iter().map(|p| p[pc]).collect();
    let auc = |s: &[f64]| crate::model::metrics::roc(s, &bad).0;
    match (auc(&cand), auc(&champ)) {
        (Some(a), Some(b)) => Ok((a, b, rows.len())),
        _ => Err(cannot_measure(
            AucGate,
            format!(
                "the {} held-out rows the champion can score hold one class only",
                rows.len()
            ),
        )),
    }
}

/// The PSI of the candidate's chances of bad against the champion's, each model scoring every
/// firm's latest statement (the firms both score).
pub fn score_psi(store: &Store, rec: &ModelRecord, champion: &ModelRecord) -> Result<(f64, usize)> {
    if !reads_firms(rec) || !reads_firms(champion) {
        return Err(cannot_measure(
            governance::Rule::PsiGate,
            "the PSI gate compares scores of the store's firms, and one of the models reads a \
             feature set"
                .into(),
        ));
    }
    let p_bad = |m: &ModelRecord| -> Result<HashMap<String, f64>> {
        let pos = &m.pipeline.classes[m.pipeline.positive_class];
        Ok(crate::views::scoring::score_all(store, m)?
            .into_iter()
            .map(|p| {
                let v = p
                    .probabilities
                    .iter()
                    .find(|(c, _)| c == pos)
                    .map_or(f64::NAN, |(_, v)| *v);
                (p.firm_id, v)
            })
            .collect())
    };
    let (old, new) = (p_bad(champion)?, p_bad(rec)?);
    let mut expected = Vec::new();
    let mut actual = Vec::new();
    for (id, e) in &old {
        if let Some(a) = new.get(id) {
            expected.push(*e);
            actual.push(*a);
        }
    }
    Ok((
        governance::psi(&expected, &actual, PSI_BINS),
        expected.len(),
    ))
}

/// The model log, oldest first.
pub fn history(store: &Store) -> Result<Vec<LogEntry>> {
    Ok(store.model_log()?)
}
