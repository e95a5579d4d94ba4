//! The tamper-evident decision log: every decision row carries `chain_hash`, the sha256 of the
//! previous decision's hash and of its own content (id, application, decision, analyst, time,
//! model, class, override reason, note, reasons, superseded decision; the challenger and whom a
//! referral went to where present), and `meta` keeps the
//! head (the last id and hash). An edit, a deletion or a reordering made outside PRECRE breaks
//! the chain at the first decision it touches; removing the last decisions leaves the head
//! pointing past the end. Decisions made before the chain existed (migration 5) are not
//! covered: `meta.decision_chain_start` says from which id on they are.

use rusqlite::{params, Connection, OptionalExtension, Transaction};
use sha2::{Digest, Sha256};

/// A decision as it is written.
pub struct NewDecision<'a> {
    pub application_id: &'a str,
    pub decision: &'a str,
    pub analyst: &'a str,
    pub model_id: Option<&'a str>,
    pub model_hash: Option<&'a str>,
    pub predicted_class: Option<&'a str>,
    pub override_reason: Option<&'a str>,
    pub note: Option<&'a str>,
    pub reasons: &'a str,
    pub supersedes: Option<i64>,
    /// The challenger model's id and class (schema 6), hashed only when present so that the
    /// decisions written before keep their hashes.
    pub challenger: Option<(&'a str, &'a str)>,
    /// Who a referral goes to (schema 8), hashed only when present, as the challenger.
    pub referred_to: Option<&'a str>,
    /// When the decision was made, if not now (a decision made offline in a kit keeps its time).
    pub decided_at: Option<&'a str>,
    /// Where it was made offline (schema 8), hashed only when present.
    pub origin: Option<Origin<'a>>,
}

/// A decision made in a field kit: the kit, the decision's id there and its hash in the kit's
/// own chain (its identity: a second merge of the same kit finds it by this hash).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Origin<'a> {
    pub kit: &'a str,
    pub id: i64,
    pub hash: &'a str,
}

fn hash(prev: &str, id: i64, at: &str, d: &NewDecision) -> String {
    let mut h = Sha256::new();
    let fields: [Option<&str>; 10] = [
        Some(d.application_id),
        Some(d.decision),
        Some(d.analyst),
        Some(at),
        d.model_id,
        d.model_hash,
        d.predicted_class,
        d.override_reason,
        d.note,
        Some(d.reasons),
    ];
    h.update(prev.as_bytes());
    h.update([0x1e]);
    h.update(id.to_le_bytes());
    for f in fields {
        // A missing value and an empty one hash differently.
        match f {
            Some(v) => {
                h.update([1]);
                h.update(v.as_bytes());
            }
            None => h.update([0]),
        }
        h.update([0x1f]);
    }
    h.update(d.supersedes.unwrap_or(-1).to_le_bytes());
    if let Some((id, class)) = d.challenger {
        for v in [id, class] {
            h.update([0x1f]);
            h.update(v.as_bytes());
        }
    }
    if let Some(to) = d.referred_to {
        h.update([0x1d]);
        h.update(to.as_bytes());
    }
    if let Some(o) = d.origin {
        h.update([0x1c]);
        h.update(o.kit.as_bytes());
        h.update([0x1f]);
        h.update(o.id.to_le_bytes());
        h.update(o.hash.as_bytes());
    }
    h.finalize().iter().map(|b| format!("{b:02x}")).collect()
}

fn head(conn: &Connection) -> rusqlite::Result<Option<(i64, String)>> {
    read_head(conn, "decision_chain_head", "the decision chain's head")
}

/// A hash chain's head kept in `meta` under `key` as `id:hash`. A head that does not read so is
/// damage, never "no chain yet" (which would start a new chain from nothing).
pub(super) fn read_head(
    conn: &Connection,
    key: &str,
    what: &'static str,
) -> rusqlite::Result<Option<(i64, String)>> {
    let v: Option<String> = conn
        .query_row("SELECT value FROM meta WHERE key = ?1", [key], |r| r.get(0))
        .optional()?;
    v.map(|v| {
        v.split_once(':')
            .and_then(|(id, h)| Some((id.parse().ok()?, h.to_string())))
            .ok_or_else(|| super::row_damage(0, "meta", key, what, format!("'{v}' is not id:hash")))
    })
    .transpose()
}

/// Writes a decision at the end of the chain, in the caller's transaction; returns its id.
pub fn insert(tx: &Transaction, d: &NewDecision) -> rusqlite::Result<i64> {
    let id: i64 = tx.query_row("SELECT coalesce(max(id), 0) + 1 FROM decisions", [], |r| {
        r.get(0)
    })?;
    let at: String = match d.decided_at {
        Some(at) => at.to_string(),
        None => tx.query_row("SELECT strftime('%Y-%m-%dT%H:%M:%fZ','now')", [], |r| {
            r.get(0)
        })?,
    };
    let prev = head(tx)?.map(|(_, h)| h).unwrap_or_default();
    let chain = hash(&prev, id, &at, d);
    tx.execute(
        "INSERT INTO decisions(id, application_id, decision, analyst, decided_at, model_id,
             model_hash, predicted_class, override_reason, note, reasons, supersedes, chain_hash,
             challenger_id, challenger_class, referred_to, origin_kit, origin_id, origin_hash)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16, ?17, ?18, ?19)",
        params![
            id,
            d.application_id,
            d.decision,
            d.analyst,
            at,
            d.model_id,
            d.model_hash,
            d.predicted_class,
            d.override_reason,
            d.note,
            d.reasons,
            d.supersedes,
            chain,
            d.challenger.map(|c| c.0),
            d.challenger.map(|c| c.1),
            d.referred_to,
            d.origin.map(|o| o.kit),
            d.origin.map(|o| o.id),
            d.origin.map(|o| o.hash)
        ],
    )?;
    tx.execute(
        "INSERT OR REPLACE INTO meta(key, value) VALUES ('decision_chain_head', ?1)",
        [format!("{id}:{chain}")],
    )?;
    Ok(id)
}

/// Where the decision chain breaks.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum ChainBreak {
    #[error(
        "decision {id} (application {application}) does not match the chain: it was edited, or \
         a decision before it was removed or reordered"
    )]
    Mismatch { id: i64, application: String },
    #[error(
        "the chain's last decision was {head}, and the log ends at {}: decisions at its end were \
         removed", last.map_or("none".to_string(), |l| l.to_string())
    )]
    EndRemoved { head: i64, last: Option<i64> },
    #[error("decisions up to {0} are in the log but the chain has no head: it was removed")]
    HeadRemoved(i64),
}

/// Walks the chain: `Ok(n)` decisions verified, or where it breaks.
pub fn verify(conn: &Connection) -> rusqlite::Result<Result<usize, ChainBreak>> {
    let start: i64 = conn
        .query_row(
            "SELECT value FROM meta WHERE key = 'decision_chain_start'",
            [],
            |r| r.get::<_, String>(0),
        )
        .optional()?
        .and_then(|v| v.parse().ok())
        .unwrap_or(0);
    let mut stmt = conn.prepare(
        "SELECT id, application_id, decision, analyst, decided_at, model_id, model_hash,
                predicted_class, override_reason, note, reasons, supersedes, chain_hash,
                challenger_id, challenger_class, referred_to, origin_kit, origin_id, origin_hash
         FROM decisions WHERE id > ?1 ORDER BY id",
    )?;
    let mut rows = stmt.query([start])?;
    let mut prev = String::new();
    let mut last: Option<i64> = None;
    let mut n = 0;
    while let Some(r) = rows.next()? {
        let id: i64 = r.get(0)?;
        let text = |i: usize| -> rusqlite::Result<Option<String>> { r.get(i) };
        let (app, decision, analyst, at) = (text(1)?, text(2)?, text(3)?, text(4)?);
        let (mid, mhash, class, over, note, reasons) =
            (text(5)?, text(6)?, text(7)?, text(8)?, text(9)?, text(10)?);
        let (cid, cclass, referred_to) = (text(13)?, text(14)?, text(15)?);
        let (okit, oid, ohash): (Option<String>, Option<i64>, Option<String>) =
            (text(16)?, r.get(17)?, text(18)?);
        let origin = match (&okit, oid, &ohash) {
            (Some(kit), Some(id), Some(hash)) => Some(Origin { kit, id, hash }),
            _ => None,
        };
        let d = NewDecision {
            application_id: app.as_deref().unwrap_or(""),
            decision: decision.as_deref().unwrap_or(""),
            analyst: analyst.as_deref().unwrap_or(""),
            model_id: mid.as_deref(),
            model_hash: mhash.as_deref(),
            predicted_class: class.as_deref(),
            override_reason: over.as_deref(),
            note: note.as_deref(),
            reasons: reasons.as_deref().unwrap_or(""),
            supersedes: r.get(11)?,
            challenger: cid.as_deref().zip(cclass.as_deref()),
            referred_to: referred_to.as_deref(),
            decided_at: None,
            origin,
        };
        let stored: Option<String> = r.get(12)?;
        let expected = hash(&prev, id, at.as_deref().unwrap_or(""), &d);
        if stored.as_deref() != Some(expected.as_str()) {
            return Ok(Err(ChainBreak::Mismatch {
                id,
                application: d.application_id.to_string(),
            }));
        }
        prev = expected;
        last = Some(id);
        n += 1;
    }
    match (head(conn)?, last) {
        (Some((hid, hh)), Some(l)) if hid == l && hh == prev => Ok(Ok(n)),
        (None, None) => Ok(Ok(0)),
        (Some((hid, _)), _) => Ok(Err(ChainBreak::EndRemoved { head: hid, last })),
        (None, Some(l)) => Ok(Err(ChainBreak::HeadRemoved(l))),
    }
}
