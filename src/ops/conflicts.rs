//! The conflicts a kit merge found (`ops::kits`): listed, and each resolved by a recorded act
//! (which side stands, who chose it, why).

use super::{OpsError, Result};
use crate::decisions::in_force::status_for;
use crate::decisions::merge::{ConflictKind, Side};
use crate::decisions::DecisionRecord;
use crate::store::merge::Conflict;
use crate::store::Store;

/// The conflicts found by merges (open ones only unless `all`).
pub fn list(store: &Store, all: bool) -> Result<Vec<Conflict>> {
    Ok(store.conflicts(!all)?)
}

/// Resolves a conflict: which side stands, who chose it and why (all recorded). For a
/// decision, the chosen side's last decision is put in force (restated in the chain, naming
/// the original, when it is not the latest), and the application takes its state.
pub fn resolve(
    store: &mut Store,
    id: i64,
    side: Side,
    analyst: &str,
    reason: &str,
) -> Result<Conflict> {
    let (analyst, reason) = (analyst.trim(), reason.trim());
    if reason.is_empty() {
        return Err(OpsError::Usage(
            "resolving a conflict needs a reason".into(),
        ));
    }
    if analyst.is_empty() {
        return Err(OpsError::Usage(
            "say who resolves the conflict (the analyst)".into(),
        ));
    }
    let conflict = store.conflict(id)?;
    if conflict.kind != ConflictKind::Decision {
        store.resolve_conflict(id, side, analyst, reason, None)?;
        return Ok(store.conflict(id)?);
    }
    let version = match side {
        Side::Server => &conflict.server_version,
        Side::Kit => &conflict.kit_version,
    };
    let wanted = version.as_array().and_then(|a| a.last()).ok_or_else(|| {
        OpsError::BadData(format!(
            "conflict {id}: the {} version holds no decision",
            side.as_str()
        ))
    })?;
    let field = |k: &str| {
        wanted
            .get(k)
            .and_then(serde_json::Value::as_str)
            .unwrap_or_default()
            .to_string()
    };
    let history: Vec<DecisionRecord> = store
        .decisions()?
        .into_iter()
        .filter(|d| d.application_id == conflict.subject)
        .collect();
    // A kit's decision keeps its analyst, time and verdict here (its id is the kit's own).
    let chosen = history
        .iter()
        .rev()
        .find(|d| {
            d.analyst == field("analyst")
                && d.decided_at == field("decided_at")
                && d.decision == field("decision")
        })
        .cloned()
        .ok_or_else(|| {
            OpsError::BadData(format!(
                "conflict {id}: the {} version names no decision of this store",
                side.as_str()
            ))
        })?;
    let latest = history.last().map(|d| d.id);
    let restate = (latest != Some(chosen.id)).then_some(&chosen);
    store.resolve_conflict(
        id,
        side,
        analyst,
        reason,
        Some((status_for(&chosen.decision), restate)),
    )?;
    Ok(store.conflict(id)?)
}
