//! The scoring service's access tokens (name, scope, the sha256 of the secret; never the
//! secret itself) and its request log.

use super::{Result, Store, StoreError};

/// A token as listed (no secret, no hash).
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct TokenInfo {
    pub name: String,
    pub scope: String,
    pub created_at: String,
    pub revoked_at: Option<String>,
}

/// One logged request of the service.
#[derive(Debug, Clone, PartialEq)]
pub struct RequestLog {
    pub at: String,
    pub token: String,
    pub route: String,
    pub status: u16,
    pub model_id: Option<String>,
    pub firm_id: Option<String>,
    pub rows: usize,
}

impl Store {
    /// Records a new token by the hash of its secret; a name in use is a conflict.
    pub fn insert_token(&mut self, name: &str, scope: &str, token_hash: &str) -> Result<()> {
        let exists: bool = self.conn.query_row(
            "SELECT EXISTS(SELECT 1 FROM api_tokens WHERE name = ?1)",
            [name],
            |r| r.get(0),
        )?;
        if exists {
            return Err(StoreError::Conflict(format!(
                "a token named '{name}' exists already: revoke it first, or choose another name"
            )));
        }
        self.conn.execute(
            "INSERT INTO api_tokens(name, scope, token_hash) VALUES (?1, ?2, ?3)",
            [name, scope, token_hash],
        )?;
        Ok(())
    }

    /// Every token, oldest first.
    pub fn tokens(&self) -> Result<Vec<TokenInfo>> {
        let mut stmt = self.conn.prepare(
            "SELECT name, scope, created_at, revoked_at FROM api_tokens ORDER BY created_at, name",
        )?;
        let rows = stmt.query_map([], |r| {
            Ok(TokenInfo {
                name: r.get(0)?,
                scope: r.get(1)?,
                created_at: r.get(2)?,
                revoked_at: r.get(3)?,
            })
        })?;
        Ok(rows.collect::<rusqlite::Result<_>>()?)
    }

    /// Revokes a token (kept, marked, so the log still names it).
    pub fn revoke_token(&mut self, name: &str) -> Result<()> {
        let n = self.conn.execute(
            "UPDATE api_tokens SET revoked_at = strftime('%Y-%m-%dT%H:%M:%fZ', 'now')
             WHERE name = ?1 AND revoked_at IS NULL",
            [name],
        )?;
        if n == 0 {
            return Err(StoreError::NotFound(format!(
                "no active token named '{name}'"
            )));
        }
        Ok(())
    }

    /// The (name, scope) of the live token with this hash.
    pub fn token_by_hash(&self, token_hash: &str) -> Result<Option<(String, String)>> {
        let mut stmt = self.conn.prepare_cached(
            "SELECT name, scope FROM api_tokens WHERE token_hash = ?1 AND revoked_at IS NULL",
        )?;
        let mut rows = stmt.query([token_hash])?;
        match rows.next()? {
            Some(r) => Ok(Some((r.get(0)?, r.get(1)?))),
            None => Ok(None),
        }
    }

    /// Appends logged requests, in one transaction.
    pub fn log_requests(&mut self, entries: &[RequestLog]) -> Result<()> {
        let tx = self.conn.transaction()?;
        {
            let mut ins = tx.prepare_cached(
                "INSERT INTO api_requests(at, token, route, status, model_id, firm_id, rows)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
            )?;
            for e in entries {
                ins.execute(rusqlite::params![
                    e.at,
                    e.token,
                    e.route,
                    e.status,
                    e.model_id,
                    e.firm_id,
                    e.rows as i64
                ])?;
            }
        }
        tx.commit()?;
        Ok(())
    }

    /// The logged requests, oldest first.
    pub fn request_log(&self) -> Result<Vec<RequestLog>> {
        let mut stmt = self.conn.prepare(
            "SELECT at, token, route, status, model_id, firm_id, rows FROM api_requests ORDER BY id",
        )?;
        let rows = stmt.query_map([], |r| {
            Ok(RequestLog {
                at: r.get(0)?,
                token: r.get(1)?,
                route: r.get(2)?,
                status: r.get(3)?,
                model_id: r.get(4)?,
                firm_id: r.get(5)?,
                rows: r.get::<_, i64>(6)? as usize,
            })
        })?;
        Ok(rows.collect::<rusqlite::Result<_>>()?)
    }

    /// The id of the active model, cheaply (the service checks it on every call).
    pub fn active_model_id(&self) -> Result<Option<String>> {
        let mut stmt = self
            .conn
            .prepare_cached("SELECT id FROM models WHERE active = 1 LIMIT 1")?;
        let mut rows = stmt.query([])?;
        match rows.next()? {
            Some(r) => Ok(Some(r.get(0)?)),
            None => Ok(None),
        }
    }

    /// Sets how long this connection waits for a writer before it says the store is busy.
    pub fn set_busy_timeout(&self, ms: u64) -> Result<()> {
        self.conn
            .busy_timeout(std::time::Duration::from_millis(ms))?;
        Ok(())
    }
}
