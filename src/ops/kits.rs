//! Field kits, each use case once: take part of the book out to a laptop (`kit_out`: select,
//! write the kit, lease its applications), bring it back (`kit_in`: verify the kit's own
//! decision chain, check its new rows by the import's rules, merge all of it in one
//! transaction, idempotent) and take a lease back (`revoke`); the conflicts a merge finds are
//! listed and resolved by `ops::conflicts`. The rules of the merge are `decisions::merge`.

use super::{OpsError, Result};
use crate::decisions::merge::{merge_decisions, merge_row, ConflictKind, DecisionMerge, RowMerge};
use crate::ingest::kinds::Kind;
use crate::ingest::table::Cell;
use crate::ingest::validate::check_field;
use crate::store::kits::{KitOrigin, KitOutReport, RegisterRow, RowKind};
use crate::store::merge::KitDecision;
use crate::store::{Store, StoreError};
use serde::Serialize;
use std::collections::{BTreeMap, BTreeSet, HashMap, HashSet};
use std::path::Path;

/// Which applications go out in a kit: the given ids, or the pending queue narrowed by sector,
/// by a firm filter expression, and to the `limit` riskiest.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct KitSelection {
    pub applications: Vec<String>,
    pub sector: Option<String>,
    pub filter: Option<String>,
    /// The applications referred to this analyst (or role), in place of the pending queue.
    pub assigned_to: Option<String>,
    pub limit: Option<usize>,
}

impl KitSelection {
    /// The selection in words, as the kit records it.
    pub fn describe(&self) -> String {
        let mut parts = Vec::new();
        if !self.applications.is_empty() {
            parts.push(format!("applications {}", self.applications.join(", ")));
        }
        if let Some(s) = &self.sector {
            parts.push(format!("sector {s}"));
        }
        if let Some(f) = &self.filter {
            parts.push(format!("firms where {f}"));
        }
        if let Some(who) = &self.assigned_to {
            parts.push(format!("referred to {who}"));
        }
        if let Some(n) = self.limit {
            parts.push(format!("the {n} riskiest pending"));
        }
        if parts.is_empty() {
            "every pending application".to_string()
        } else {
            parts.join("; ")
        }
    }
}

/// The application ids a selection picks, riskiest first.
pub fn select(store: &Store, sel: &KitSelection) -> Result<Vec<String>> {
    if !sel.applications.is_empty() {
        let mut seen = HashSet::new();
        return Ok(sel
            .applications
            .iter()
            .filter(|a| seen.insert(a.as_str()))
            .cloned()
            .collect());
    }
    let firms: Option<HashSet<String>> = match &sel.filter {
        None => None,
        Some(text) => {
            let expr = crate::filter::parse(text)
                .map_err(|e| OpsError::Usage(format!("the filter: {e}")))?;
            let q = crate::store::firms::FirmQuery {
                filter: expr,
                ..Default::default()
            };
            Some(store.list_firms(&q)?.into_iter().map(|f| f.id).collect())
        }
    };
    let holds = store.holds()?;
    let queue = match &sel.assigned_to {
        Some(who) => crate::views::triage::load_in(
            store,
            &crate::store::decisions::QueueState::ReferredTo(who.trim().to_string()),
        )?,
        None => crate::views::triage::load(store)?,
    };
    let mut ids: Vec<String> = queue
        .into_iter()
        .map(|q| q.application)
        .filter(|a| {
            sel.sector
                .as_ref()
                .is_none_or(|s| a.sector.eq_ignore_ascii_case(s))
        })
        .filter(|a| firms.as_ref().is_none_or(|f| f.contains(&a.firm_id)))
        .filter(|a| !holds.contains_key(&a.id))
        .map(|a| a.id)
        .collect();
    if let Some(n) = sel.limit {
        ids.truncate(n);
    }
    Ok(ids)
}

/// Takes a kit out: refuses a kit store, an empty selection, or applications that cannot go
/// (not pending, already out, in conflict: all named), then writes the kit and leases them.
pub fn kit_out(
    store: &mut Store,
    sel: &KitSelection,
    out: &Path,
    analyst: &str,
) -> Result<KitOutReport> {
    let analyst = analyst.trim();
    if analyst.is_empty() {
        return Err(OpsError::Usage(
            "say who takes the kit out (the analyst)".into(),
        ));
    }
    if let Some(origin) = store.kit_origin()? {
        return Err(OpsError::Usage(format!(
            "this store is itself kit {} of store {}: take kits out of the server's store",
            origin.kit_id, origin.server_store_id
        )));
    }
    let ids = select(store, sel)?;
    if ids.is_empty() {
        return Err(OpsError::Usage(format!(
            "the selection ({}) picks no open application that is free to go out",
            sel.describe()
        )));
    }
    let refused = store.kit_refusals(&ids)?;
    if !refused.is_empty() {
        let list: Vec<String> = refused
            .iter()
            .map(|(id, why)| format!("{id}: {why}"))
            .collect();
        return Err(OpsError::Store(StoreError::Conflict(format!(
            "{} of the {} applications cannot go out in a kit, so none went: {}",
            refused.len(),
            ids.len(),
            list.join("; ")
        ))));
    }
    Ok(store.take_out_kit(out, &ids, analyst, &sel.describe())?)
}

/// Takes a kit's leases back (its applications can be decided here again); the reason is kept.
pub fn revoke(store: &mut Store, kit_id: &str, analyst: &str, reason: &str) -> Result<usize> {
    if reason.trim().is_empty() {
        return Err(OpsError::Usage(
            "revoking a kit's leases needs a reason".into(),
        ));
    }
    if analyst.trim().is_empty() {
        return Err(OpsError::Usage(
            "say who revokes the kit's leases (the analyst)".into(),
        ));
    }
    Ok(store.revoke_kit(kit_id, analyst.trim(), reason.trim())?)
}

/// A row of a kit refused by the import's rules.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct BadRow {
    pub kind: &'static str,
    pub key: String,
    pub field: String,
    pub reason: String,
}

/// What a merge did (all zero and `already_merged` on a second merge of the same kit).
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct MergeReport {
    pub kit_id: String,
    pub taken_by: String,
    pub taken_at: String,
    /// Decisions added (with their original analyst and time).
    pub decisions: usize,
    /// Applications whose state the kit's decisions set.
    pub applications: usize,
    /// Register rows added or changed (firms, statements, factors).
    pub rows: usize,
    /// Conflicts found by this merge (kept, see `precre conflicts`).
    pub conflicts: usize,
    pub leases_released: usize,
    /// Rows refused by the import's rules and left out (`skip_bad`).
    pub skipped: Vec<BadRow>,
    /// Nothing was new: the kit had been merged already.
    pub already_merged: bool,
}

/// Everything read from a kit before the server is locked.
struct KitContent {
    origin: KitOrigin,
    decisions: Vec<KitDecision>,
    rows: Vec<RegisterRow>,
    base: HashMap<(String, String), String>,
    /// Applications the kit holds, as rows for one it created.
    applications: HashMap<String, Vec<crate::store::import_tx::CellValue>>,
    statuses: HashMap<String, String>,
}

fn read_kit(file: &Path) -> Result<KitContent> {
    if !file.is_file() {
        return Err(OpsError::Store(StoreError::NotFound(format!(
            "no kit at {}",
            file.display()
        ))));
    }
    let kit = Store::open(file)?;
    let origin = kit.kit_origin()?.ok_or_else(|| {
        OpsError::Usage(format!(
            "{} is not a kit (it records no origin): a backup comes back with restore",
            file.display()
        ))
    })?;
    if let Err(broken) = kit.verify_chain()? {
        return Err(OpsError::BadData(format!(
            "kit {} was edited outside PRECRE, nothing was merged: {broken}",
            file.display()
        )));
    }
    let decisions = kit.kit_decisions()?;
    let mut rows = Vec::new();
    for kind in RowKind::ALL {
        rows.extend(kit.register_rows(kind)?);
    }
    let mut applications = HashMap::new();
    let mut statuses = HashMap::new();
    let app_ids: BTreeSet<&str> = decisions
        .iter()
        .map(|d| d.record.application_id.as_str())
        .collect();
    for id in app_ids {
        let row = kit.application_row(id)?;
        if let Some(crate::store::import_tx::CellValue::Text(s)) = row.get(6) {
            statuses.insert(id.to_string(), s.clone());
        }
        applications.insert(id.to_string(), row);
    }
    Ok(KitContent {
        base: kit.kit_base()?,
        origin,
        decisions,
        rows,
        applications,
        statuses,
    })
}

/// The import's rule for each entered value of a row the merge would write: `None` when it
/// passes, else the first field that fails and why.
fn check_row(row: &RegisterRow) -> Option<(String, String)> {
    let (kind, fields): (Kind, Vec<&str>) = match row.kind {
        RowKind::Firm => (
            Kind::Firms,
            vec!["id", "name", "sector", "region", "founded", "size"],
        ),
        RowKind::Statement => (
            Kind::Statements,
            row.kind
                .columns()
                .into_iter()
                .filter(|c| *c != "currency" && *c != "unit")
                .collect(),
        ),
        RowKind::Factors => (
            Kind::Factors,
            row.kind
                .columns()
                .into_iter()
                .filter(|c| *c != "firm_id" && *c != "as_of")
                .collect(),
        ),
    };
    for f in fields {
        let text = row.text(f);
        let cell = match (row.number(f), &text) {
            (Some(v), _) if row.kind != RowKind::Firm => Cell::Num(v),
            (_, Some(t)) => Cell::Text(t),
            _ => Cell::Missing,
        };
        if let Err(reason) = check_field(kind, f, cell) {
            return Some((f.to_string(), reason.to_string()));
        }
    }
    None
}

/// Brings a kit back: verifies it (a kit of this store, its chain intact), checks the rows it
/// would add by the import's rules (one bad row refuses the merge, or is left out with
/// `skip_bad`), then in one transaction adds its decisions with their original analyst, time,
/// models and texts (marked as made in the kit), its new and changed firms, statements and
/// factors, records every conflict, and releases its leases. A second merge of the same kit
/// (or of a copy) changes nothing and says so.
pub fn kit_in(
    store: &mut Store,
    file: &Path,
    analyst: &str,
    skip_bad: bool,
) -> Result<MergeReport> {
    let analyst = analyst.trim();
    if analyst.is_empty() {
        return Err(OpsError::Usage(
            "say who brings the kit back (the analyst)".into(),
        ));
    }
    let kit = read_kit(file)?;
    let here = store.store_id()?;
    if kit.origin.server_store_id != here {
        return Err(OpsError::Usage(format!(
            "kit {} was taken out of store {}, not this one ({here}): merge it there",
            kit.origin.kit_id, kit.origin.server_store_id
        )));
    }
    let mut report = MergeReport {
        kit_id: kit.origin.kit_id.clone(),
        taken_by: kit.origin.taken_by.clone(),
        taken_at: kit.origin.taken_at.clone(),
        ..Default::default()
    };
    // The rules of the import, before the store is locked.
    let mut bad: Vec<BadRow> = Vec::new();
    let mut bad_keys: HashSet<(RowKind, String)> = HashSet::new();
    for row in &kit.rows {
        let base = kit
            .base
            .get(&(row.kind.as_str().to_string(), row.key.clone()));
        if base == Some(&row.hash) {
            continue;
        }
        if let Some((field, reason)) = check_row(row) {
            bad_keys.insert((row.kind, row.key.clone()));
            bad.push(BadRow {
                kind: row.kind.as_str(),
                key: row.key.clone(),
                field,
                reason,
            });
        }
    }
    if !bad.is_empty() && !skip_bad {
        let list: Vec<String> = bad
            .iter()
            .map(|b| format!("{} {} field {}: {}", b.kind, b.key, b.field, b.reason))
            .collect();
        return Err(OpsError::BadData(format!(
            "{} row(s) of kit {} break the import's rules, nothing was merged: {}",
            bad.len(),
            file.display(),
            list.join("; ")
        )));
    }
    let kit_id = kit.origin.kit_id.clone();
    let tx = store.begin_merge()?;
    let record = tx.kit(&kit_id)?.ok_or_else(|| {
        OpsError::Usage(format!(
            "kit {kit_id} is not registered in this store (it was not taken out of it, or its \
             taking out did not finish)"
        ))
    })?;
    // Register rows: firms first (statements and applications refer to them).
    let mut recompute: BTreeSet<String> = BTreeSet::new();
    let mut skipped_firms: HashSet<String> = HashSet::new();
    for kind in RowKind::ALL {
        for row in kit.rows.iter().filter(|r| r.kind == kind) {
            if bad_keys.contains(&(row.kind, row.key.clone())) {
                if kind == RowKind::Firm {
                    skipped_firms.insert(row.firm_id.clone());
                }
                continue;
            }
            let base = kit.base.get(&(kind.as_str().to_string(), row.key.clone()));
            let server = tx.server_row(row)?;
            match merge_row(
                base.map(String::as_str),
                server.as_ref().map(|s| s.hash.as_str()),
                &row.hash,
            ) {
                RowMerge::Unchanged | RowMerge::Same => {}
                RowMerge::New | RowMerge::TakeKit => {
                    if kind != RowKind::Firm && skipped_firms.contains(&row.firm_id) {
                        continue;
                    }
                    tx.write_row(row)?;
                    report.rows += 1;
                    if kind == RowKind::Statement {
                        recompute.insert(row.firm_id.clone());
                    }
                }
                RowMerge::Conflict => {
                    let server = server.map_or(serde_json::Value::Null, |s| s.to_json());
                    let kind = match kind {
                        RowKind::Firm => ConflictKind::Firm,
                        RowKind::Statement => ConflictKind::Statement,
                        RowKind::Factors => ConflictKind::Factors,
                    };
                    if tx.record_conflict(
                        kind,
                        &row.key,
                        &kit_id,
                        &server,
                        &row.to_json(),
                        &row.hash,
                    )? {
                        report.conflicts += 1;
                    }
                }
            }
        }
    }
    let firms: Vec<&str> = recompute.iter().map(String::as_str).collect();
    tx.recompute_ratios(&firms)?;
    // Decisions, application by application, in the kit's order.
    let kit_hashes: HashSet<String> = kit.decisions.iter().map(|d| d.chain_hash.clone()).collect();
    let mut by_app: BTreeMap<&str, Vec<&KitDecision>> = BTreeMap::new();
    for d in &kit.decisions {
        by_app
            .entry(d.record.application_id.as_str())
            .or_default()
            .push(d);
    }
    let kit_ids: HashMap<i64, &str> = kit
        .decisions
        .iter()
        .map(|d| (d.record.id, d.chain_hash.as_str()))
        .collect();
    for (app, decisions) in by_app {
        let mut new = Vec::new();
        for d in decisions {
            if tx.merged_id(&d.chain_hash)?.is_none() {
                new.push(d);
            }
        }
        if !tx.has_application(app)? {
            match kit.applications.get(app) {
                Some(row) => tx.insert_application(row.clone())?,
                None => continue,
            }
        }
        let elsewhere = tx.decided_elsewhere(app, record.decision_mark, &kit_hashes)?;
        let rule = merge_decisions(new.len(), !elsewhere.is_empty());
        if rule == DecisionMerge::AlreadyMerged {
            continue;
        }
        let mut kit_side = Vec::new();
        // A kit's first decision on an application supersedes what was in force here when the
        // kit went out (a referral it took up), as the same decision made here would.
        let taken_up = tx.in_force_at(app, record.decision_mark)?;
        for d in &new {
            let supersedes = match d.record.supersedes.and_then(|s| kit_ids.get(&s)) {
                Some(hash) => tx.merged_id(hash)?,
                None if d.record.supersedes.is_none() => taken_up,
                None => None,
            };
            tx.insert_decision(&kit_id, d, supersedes)?;
            kit_side.push(serde_json::to_value(&d.record).unwrap_or_default());
            report.decisions += 1;
        }
        match rule {
            DecisionMerge::Apply => {
                if let Some(status) = kit.statuses.get(app) {
                    if tx.set_status(app, status)? {
                        report.applications += 1;
                    }
                }
            }
            DecisionMerge::Conflict => {
                let server = tx.decisions_json(&elsewhere)?;
                let hash = new.last().map_or("", |d| d.chain_hash.as_str());
                if tx.record_conflict(
                    ConflictKind::Decision,
                    app,
                    &kit_id,
                    &server,
                    &serde_json::Value::Array(kit_side),
                    hash,
                )? {
                    report.conflicts += 1;
                }
            }
            DecisionMerge::AlreadyMerged => {}
        }
    }
    report.leases_released = tx.end_leases(&kit_id, analyst)?;
    report.skipped = bad;
    report.already_merged = report.decisions
        + report.rows
        + report.conflicts
        + report.leases_released
        + report.applications
        == 0;
    if !report.already_merged {
        tx.log_merge(
            &kit_id,
            analyst,
            report.decisions,
            report.rows,
            report.conflicts,
        )?;
        tx.commit()?;
    }
    Ok(report)
}
