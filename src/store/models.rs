//! Stored models: save, list, load, and the active one.

use super::{stored_json, Result, Store, StoreError};
use crate::model::registry::ModelRecord;
use rusqlite::OptionalExtension;

/// A model as listed (without its tree).
#[derive(Debug, Clone, PartialEq, serde::Serialize, utoipa::ToSchema)]
pub struct ModelSummary {
    pub id: String,
    pub name: String,
    pub created_at: String,
    pub active: bool,
    /// Set as the challenger beside the active model.
    pub challenger: bool,
    /// The model's validation figures, as its training reported them.
    #[schema(value_type = Object)]
    pub metrics: serde_json::Value,
}

impl Store {
    /// The current time in UTC, ISO 8601, as the store's clock reads it.
    pub fn now_utc(&self) -> Result<String> {
        Ok(self
            .conn
            .query_row("SELECT strftime('%Y-%m-%dT%H:%M:%SZ','now')", [], |r| {
                r.get(0)
            })?)
    }

    /// Saves a model as a candidate (a model with the same id is kept as it is, with who
    /// trained it first): it holds no role until it is promoted (`store::model_log`).
    pub fn save_model(&mut self, rec: &ModelRecord, trained_by: Option<&str>) -> Result<()> {
        let tx = self.conn.transaction()?;
        let body = serde_json::to_string(rec).map_err(|e| StoreError::NotFound(e.to_string()))?;
        // The same content keeps its first name and time; a record that lacked the full
        // evaluation or the test predictions (older files) gains them.
        tx.execute(
            "INSERT INTO models(id, name, created_at, params, features, data_fingerprint, metrics, body,
                                trained_by)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)
             ON CONFLICT(id) DO UPDATE SET body = json_set(excluded.body, '$.name', models.name,
                                                          '$.created_at', models.created_at)
             WHERE (json_extract(models.body, '$.evaluation') IS NULL
                    AND json_extract(excluded.body, '$.evaluation') IS NOT NULL)
                OR (json_extract(models.body, '$.test_sample') IS NULL
                    AND json_extract(excluded.body, '$.test_sample') IS NOT NULL)",
            rusqlite::params![
                rec.id,
                rec.name,
                rec.created_at,
                rec.pipeline.settings_json(),
                serde_json::to_string(&rec.pipeline.features).unwrap_or_default(),
                rec.data_fingerprint,
                serde_json::to_string(&rec.metrics).unwrap_or_default(),
                body,
                trained_by
            ],
        )?;
        tx.commit()?;
        Ok(())
    }

    pub fn models(&self) -> Result<Vec<ModelSummary>> {
        let mut stmt = self.conn.prepare(
            "SELECT id, name, created_at, active, metrics,
                    id IS (SELECT value FROM meta WHERE key = 'challenger_model')
             FROM models ORDER BY created_at DESC, id",
        )?;
        let rows = stmt.query_map([], |r| {
            let metrics: Option<String> = r.get(4)?;
            Ok((
                ModelSummary {
                    id: r.get(0)?,
                    name: r.get(1)?,
                    created_at: r.get(2)?,
                    active: r.get::<_, i64>(3)? != 0,
                    challenger: r.get::<_, i64>(5)? != 0,
                    metrics: serde_json::Value::Null,
                },
                metrics,
            ))
        })?;
        let rows: Vec<(ModelSummary, Option<String>)> = rows.collect::<rusqlite::Result<_>>()?;
        rows.into_iter()
            .map(|(mut m, metrics)| {
                // A model saved without metrics has none (null); metrics that do not parse
                // are the row's damage.
                if let Some(text) = metrics {
                    m.metrics = stored_json(&text, "models", &m.id, "metrics")?;
                }
                Ok(m)
            })
            .collect()
    }

    /// A model by id (or a unique id prefix) or name; `None` asks for the active model
    /// ([`StoreError::NoActiveModel`] when there is none).
    pub fn model(&self, key: Option<&str>) -> Result<ModelRecord> {
        let (id, body) = match key {
            None => self
                .conn
                .query_row("SELECT id, body FROM models WHERE active = 1", [], |r| {
                    Ok((r.get::<_, String>(0)?, r.get::<_, String>(1)?))
                })
                .optional()?
                .ok_or(StoreError::NoActiveModel)?,
            Some(k) => {
                let mut stmt = self
                    .conn
                    .prepare("SELECT id, body FROM models WHERE id LIKE ?1 || '%' OR name = ?1")?;
                let mut found: Vec<(String, String)> = stmt
                    .query_map([k], |r| Ok((r.get(0)?, r.get(1)?)))?
                    .collect::<rusqlite::Result<_>>()?;
                if found.len() > 1 {
                    return Err(StoreError::AmbiguousModel {
                        key: k.to_string(),
                        matches: found.len(),
                    });
                }
                found
                    .pop()
                    .ok_or_else(|| StoreError::NoSuchModel(k.to_string()))?
            }
        };
        ModelRecord::from_json(&body).map_err(|e| StoreError::DamagedRow {
            table: "models",
            row: id,
            what: "a model record",
            reason: e.to_string(),
        })
    }

    /// The active model, or `None` when no model is active (a store that cannot be read is an
    /// error, never "no model").
    pub fn active_model(&self) -> Result<Option<ModelRecord>> {
        match self.model(None) {
            Ok(m) => Ok(Some(m)),
            Err(StoreError::NoActiveModel) => Ok(None),
            Err(e) => Err(e),
        }
    }

    /// The challenger model, when one is set (`precre models challenger`).
    pub fn challenger_model(&self) -> Result<Option<ModelRecord>> {
        let id: Option<String> = self
            .conn
            .query_row(
                "SELECT value FROM meta WHERE key = 'challenger_model'",
                [],
                |r| r.get(0),
            )
            .optional()?;
        match id {
            None => Ok(None),
            Some(id) => self.model(Some(&id)).map(Some),
        }
    }
}

/// One prediction to record.
#[derive(Debug, Clone, serde::Serialize)]
pub struct Prediction {
    pub firm_id: String,
    pub fiscal_year: Option<i32>,
    pub class: String,
    pub probabilities: Vec<(String, f64)>,
}

impl Store {
    /// Records predictions of a model (append-only), in one transaction.
    pub fn save_predictions(&mut self, model_id: &str, rows: &[Prediction]) -> Result<()> {
        let tx = self.conn.transaction()?;
        {
            let mut ins = tx.prepare(
                "INSERT INTO predictions(model_id, firm_id, fiscal_year, class, probabilities) VALUES (?1,?2,?3,?4,?5)",
            )?;
            for p in rows {
                let probs = serde_json::to_string(&p.probabilities).unwrap_or_default();
                ins.execute(rusqlite::params![
                    model_id,
                    p.firm_id,
                    p.fiscal_year,
                    p.class,
                    probs
                ])?;
            }
        }
        tx.commit()?;
        Ok(())
    }

    /// Firms with a pending application.
    pub fn pending_firm_ids(&self) -> Result<Vec<String>> {
        let mut stmt = self.conn.prepare(
            "SELECT DISTINCT firm_id FROM applications WHERE status = 'pending' ORDER BY firm_id",
        )?;
        let rows = stmt.query_map([], |r| r.get(0))?;
        Ok(rows.collect::<rusqlite::Result<_>>()?)
    }
}

/// A recorded prediction, as exported.
#[derive(Debug, Clone, serde::Serialize)]
pub struct StoredPrediction {
    pub model_id: String,
    pub firm_id: String,
    pub fiscal_year: Option<i32>,
    pub class: String,
    pub probabilities: Vec<(String, f64)>,
    pub created_at: String,
}

impl Store {
    /// Every recorded prediction, oldest first.
    pub fn all_predictions(&self) -> Result<Vec<StoredPrediction>> {
        let mut stmt = self.conn.prepare(
            "SELECT model_id, firm_id, fiscal_year, class, probabilities, created_at, id
             FROM predictions ORDER BY id",
        )?;
        let rows = stmt.query_map([], |r| {
            let probs: String = r.get(4)?;
            Ok((
                r.get::<_, i64>(6)?,
                probs,
                StoredPrediction {
                    model_id: r.get(0)?,
                    firm_id: r.get(1)?,
                    fiscal_year: r.get(2)?,
                    class: r.get(3)?,
                    probabilities: Vec::new(),
                    created_at: r.get(5)?,
                },
            ))
        })?;
        let rows: Vec<(i64, String, StoredPrediction)> = rows.collect::<rusqlite::Result<_>>()?;
        rows.into_iter()
            .map(|(id, probs, mut p)| {
                p.probabilities = stored_json(&probs, "predictions", id, "probabilities")?;
                Ok(p)
            })
            .collect()
    }

    /// The latest predicted class of every firm a model scored.
    pub fn latest_predictions(
        &self,
        model_id: &str,
    ) -> Result<std::collections::HashMap<String, String>> {
        let mut stmt = self
            .conn
            .prepare("SELECT firm_id, class FROM predictions WHERE model_id = ?1 ORDER BY id")?;
        let rows = stmt.query_map([model_id], |r| Ok((r.get(0)?, r.get(1)?)))?;
        Ok(rows.collect::<rusqlite::Result<_>>()?)
    }

    /// Whether a model has scored any firm.
    pub fn has_predictions(&self, model_id: &str) -> Result<bool> {
        Ok(self.conn.query_row(
            "SELECT EXISTS(SELECT 1 FROM predictions WHERE model_id = ?1)",
            [model_id],
            |r| r.get(0),
        )?)
    }
}
