//! The schema and its migrations; the version lives in `PRAGMA user_version`.

use super::{Result, StoreError};
use crate::finance::{catalogue::CATALOGUE_VERSION, ITEMS, RATIOS};
use rusqlite::Connection;
use std::path::Path;

/// The schema version this build writes.
pub const SCHEMA_VERSION: i64 = 13;

/// Migration 1: every table of the foundation. Statement items and ratio columns come from the
/// finance catalogues so that the store and the formulas cannot drift apart.
fn migration_1() -> String {
    let items: String = ITEMS
        .iter()
        .map(|i| format!("  {} REAL,\n", i.id))
        .collect();
    let ratios: String = RATIOS
        .iter()
        .map(|r| format!("  {} REAL,\n", r.id))
        .collect();
    format!(
        r#"
CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);

CREATE TABLE firms (
  id TEXT PRIMARY KEY,
  name TEXT NOT NULL,
  sector TEXT NOT NULL,
  region TEXT,
  founded TEXT,
  size TEXT CHECK (size IN ('micro','small','medium','large')),
  status TEXT NOT NULL DEFAULT 'active' CHECK (status IN ('active','closed','bankrupt','defaulted')),
  closed_on TEXT,
  brn_valid INTEGER
);
CREATE INDEX firms_sector ON firms(sector);
CREATE INDEX firms_name ON firms(name COLLATE NOCASE);

CREATE TABLE statements (
  firm_id TEXT NOT NULL REFERENCES firms(id) ON DELETE CASCADE,
  fiscal_year INTEGER NOT NULL,
  currency TEXT NOT NULL DEFAULT 'KRW',
{items}  flags INTEGER NOT NULL DEFAULT 0,
{ratios}  PRIMARY KEY (firm_id, fiscal_year)
);

CREATE TABLE factors (
  firm_id TEXT PRIMARY KEY REFERENCES firms(id) ON DELETE CASCADE,
  as_of TEXT,
  years_in_business REAL,
  legal_score REAL,
  management_score REAL,
  credit_security REAL,
  market_share REAL,
  supplier_dependence INTEGER,
  customer_dependence INTEGER
);

CREATE TABLE applications (
  id TEXT PRIMARY KEY,
  firm_id TEXT NOT NULL REFERENCES firms(id) ON DELETE CASCADE,
  amount REAL NOT NULL,
  term_months INTEGER NOT NULL,
  purpose TEXT,
  submitted TEXT NOT NULL,
  status TEXT NOT NULL DEFAULT 'pending'
    CHECK (status IN ('pending','approved','declined','referred','withdrawn'))
);
CREATE INDEX applications_firm ON applications(firm_id);
CREATE INDEX applications_status ON applications(status);

CREATE TABLE outcomes (
  firm_id TEXT NOT NULL REFERENCES firms(id) ON DELETE CASCADE,
  as_of TEXT NOT NULL,
  class TEXT NOT NULL,
  source TEXT NOT NULL,
  days_past_due INTEGER,
  PRIMARY KEY (firm_id, as_of)
);

CREATE TABLE feature_sets (
  id INTEGER PRIMARY KEY,
  name TEXT NOT NULL UNIQUE,
  source TEXT NOT NULL,
  id_column TEXT,
  label_column TEXT NOT NULL,
  n_rows INTEGER NOT NULL,
  imported_at TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%SZ','now'))
);
CREATE TABLE feature_columns (
  set_id INTEGER NOT NULL REFERENCES feature_sets(id) ON DELETE CASCADE,
  position INTEGER NOT NULL,
  name TEXT NOT NULL,
  kind TEXT NOT NULL CHECK (kind IN ('numeric','categorical')),
  categories TEXT,
  n_missing INTEGER NOT NULL,
  PRIMARY KEY (set_id, position)
);
CREATE TABLE feature_rows (
  set_id INTEGER NOT NULL REFERENCES feature_sets(id) ON DELETE CASCADE,
  row_no INTEGER NOT NULL,
  entity_id TEXT NOT NULL,
  label TEXT,
  vals BLOB NOT NULL,
  PRIMARY KEY (set_id, row_no)
);

CREATE TABLE imports (
  id INTEGER PRIMARY KEY,
  file TEXT NOT NULL,
  kind TEXT NOT NULL,
  at TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%SZ','now')),
  rows_read INTEGER NOT NULL,
  rows_written INTEGER NOT NULL,
  rows_rejected INTEGER NOT NULL,
  warnings INTEGER NOT NULL
);

CREATE TABLE models (
  id TEXT PRIMARY KEY,
  name TEXT NOT NULL,
  created_at TEXT NOT NULL,
  params TEXT NOT NULL,
  features TEXT NOT NULL,
  data_fingerprint TEXT NOT NULL,
  metrics TEXT,
  body TEXT NOT NULL,
  active INTEGER NOT NULL DEFAULT 0
);

CREATE TABLE predictions (
  id INTEGER PRIMARY KEY,
  model_id TEXT NOT NULL REFERENCES models(id),
  firm_id TEXT NOT NULL REFERENCES firms(id) ON DELETE CASCADE,
  fiscal_year INTEGER,
  class TEXT NOT NULL,
  probabilities TEXT NOT NULL,
  created_at TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%SZ','now'))
);
CREATE INDEX predictions_firm ON predictions(firm_id, model_id);

CREATE TABLE decisions (
  id INTEGER PRIMARY KEY,
  application_id TEXT NOT NULL REFERENCES applications(id),
  decision TEXT NOT NULL CHECK (decision IN ('approve','decline','refer','undo')),
  analyst TEXT NOT NULL,
  decided_at TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ','now')),
  model_id TEXT,
  model_hash TEXT,
  predicted_class TEXT,
  override_reason TEXT,
  note TEXT,
  reasons TEXT NOT NULL DEFAULT '[]',
  supersedes INTEGER REFERENCES decisions(id)
);
CREATE INDEX decisions_application ON decisions(application_id);
CREATE TRIGGER decisions_append_only_update BEFORE UPDATE ON decisions
  BEGIN SELECT RAISE(ABORT, 'decisions are append-only: record a new decision instead'); END;
CREATE TRIGGER decisions_append_only_delete BEFORE DELETE ON decisions
  BEGIN SELECT RAISE(ABORT, 'decisions are append-only: record a new decision instead'); END;
"#
    )
}

/// Version 2: each firm's latest outcome read from an index alone (the class mix of the
/// dashboard and of `precre demo` looked up a million table rows at a million firms).
const MIGRATION_2: &str =
    "CREATE INDEX IF NOT EXISTS outcomes_latest ON outcomes(firm_id, as_of, class);";

/// Version 3: the dashboard's ratios of each firm's latest statement read from an index alone
/// (the table's rows are 57 columns wide: 3.4 GB at 4.4 million statements, 4-19 s to scan).
/// Its columns are `views::portfolio::DASHBOARD_RATIOS` (a test keeps the two in step).
pub const MIGRATION_3: &str = "CREATE INDEX IF NOT EXISTS statements_latest ON statements\
     (firm_id, fiscal_year, net_margin, total_asset_turnover, debt_ratio);";

/// Version 4: the scoring service's access tokens (only a hash of each is kept) and its request
/// log (every scoring call and every decision through the service: token, route, model, time).
const MIGRATION_4: &str = "
CREATE TABLE IF NOT EXISTS api_tokens (
  name TEXT PRIMARY KEY,
  scope TEXT NOT NULL CHECK (scope IN ('read', 'score', 'decide')),
  token_hash TEXT NOT NULL UNIQUE,
  created_at TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now')),
  revoked_at TEXT
);
CREATE TABLE IF NOT EXISTS api_requests (
  id INTEGER PRIMARY KEY,
  at TEXT NOT NULL,
  token TEXT NOT NULL,
  route TEXT NOT NULL,
  status INTEGER NOT NULL,
  model_id TEXT,
  firm_id TEXT,
  rows INTEGER NOT NULL DEFAULT 1
);
CREATE INDEX IF NOT EXISTS api_requests_at ON api_requests(at);
";

/// Version 5: the decision log's hash chain (`store::chain`), starting after the decisions the
/// store already holds (they are named by `decision_chain_start`, not covered). Idempotent: the
/// column is added only where it is missing.
fn migration_5(conn: &Connection) -> Result<String> {
    let has_column: bool = conn
        .prepare("SELECT 1 FROM pragma_table_info('decisions') WHERE name = 'chain_hash'")?
        .exists([])?;
    let add = if has_column {
        ""
    } else {
        "ALTER TABLE decisions ADD COLUMN chain_hash TEXT;"
    };
    Ok(format!(
        "{add}
         INSERT OR IGNORE INTO meta(key, value)
           SELECT 'decision_chain_start', CAST(coalesce(max(id), 0) AS TEXT) FROM decisions;"
    ))
}

/// Version 6: each decision records the challenger model's id and class beside the champion's
/// (the challenger itself is `meta.challenger_model`). Idempotent, as version 5.
fn migration_6(conn: &Connection) -> Result<String> {
    let has_column: bool = conn
        .prepare("SELECT 1 FROM pragma_table_info('decisions') WHERE name = 'challenger_id'")?
        .exists([])?;
    Ok(if has_column {
        String::new()
    } else {
        "ALTER TABLE decisions ADD COLUMN challenger_id TEXT;
         ALTER TABLE decisions ADD COLUMN challenger_class TEXT;"
            .to_string()
    })
}

/// Version 7: the `store` scope of service tokens (storing posted firms is its own right, no
/// longer part of `score`). SQLite cannot change a CHECK in place: the table is rebuilt with
/// its rows.
const MIGRATION_7: &str = "
CREATE TABLE api_tokens_v7 (
  name TEXT PRIMARY KEY,
  scope TEXT NOT NULL CHECK (scope IN ('read', 'score', 'store', 'decide')),
  token_hash TEXT NOT NULL UNIQUE,
  created_at TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now')),
  revoked_at TEXT
);
INSERT INTO api_tokens_v7 (name, scope, token_hash, created_at, revoked_at)
  SELECT name, scope, token_hash, created_at, revoked_at FROM api_tokens;
DROP TABLE api_tokens;
ALTER TABLE api_tokens_v7 RENAME TO api_tokens;
";

/// Version 8: field kits (`store::kits`). On a server: the kits taken out, the leases of their
/// applications, the conflicts found when they come back; each decision may record where it
/// was made offline (the kit, the kit's own id and chain hash of it: merging a kit twice finds
/// its decisions by that hash). In a kit: the hash of every register row as it was taken out
/// (`kit_base`), so that a merge tells a change made in the kit from one made on the server.
/// Conflicts are kept: a resolved one cannot be changed, none can be deleted. Idempotent.
fn migration_8(conn: &Connection) -> Result<String> {
    let has_column: bool = conn
        .prepare("SELECT 1 FROM pragma_table_info('decisions') WHERE name = 'origin_kit'")?
        .exists([])?;
    let columns = if has_column {
        ""
    } else {
        "ALTER TABLE decisions ADD COLUMN origin_kit TEXT;
         ALTER TABLE decisions ADD COLUMN origin_id INTEGER;
         ALTER TABLE decisions ADD COLUMN origin_hash TEXT;"
    };
    Ok(format!(
        "{columns}
CREATE UNIQUE INDEX IF NOT EXISTS decisions_origin ON decisions(origin_hash)
  WHERE origin_hash IS NOT NULL;
CREATE TABLE IF NOT EXISTS kits (
  id TEXT PRIMARY KEY,
  taken_by TEXT NOT NULL,
  taken_at TEXT NOT NULL,
  selection TEXT NOT NULL,
  file TEXT NOT NULL,
  decision_mark INTEGER NOT NULL
);
CREATE TABLE IF NOT EXISTS leases (
  application_id TEXT NOT NULL REFERENCES applications(id),
  kit_id TEXT NOT NULL REFERENCES kits(id),
  analyst TEXT NOT NULL,
  since TEXT NOT NULL,
  ended_at TEXT,
  ended_by TEXT,
  end_kind TEXT CHECK (end_kind IN ('merged', 'revoked')),
  end_reason TEXT,
  PRIMARY KEY (application_id, kit_id)
);
CREATE UNIQUE INDEX IF NOT EXISTS leases_open ON leases(application_id) WHERE ended_at IS NULL;
CREATE TABLE IF NOT EXISTS kit_base (
  kind TEXT NOT NULL,
  key TEXT NOT NULL,
  hash TEXT NOT NULL,
  PRIMARY KEY (kind, key)
);
CREATE TABLE IF NOT EXISTS kit_merges (
  id INTEGER PRIMARY KEY,
  kit_id TEXT NOT NULL,
  merged_at TEXT NOT NULL,
  merged_by TEXT NOT NULL,
  decisions INTEGER NOT NULL,
  rows INTEGER NOT NULL,
  conflicts INTEGER NOT NULL
);
CREATE TABLE IF NOT EXISTS conflicts (
  id INTEGER PRIMARY KEY,
  kind TEXT NOT NULL CHECK (kind IN ('decision', 'firm', 'statement', 'factors')),
  subject TEXT NOT NULL,
  kit_id TEXT NOT NULL,
  server_version TEXT NOT NULL,
  kit_version TEXT NOT NULL,
  kit_hash TEXT NOT NULL,
  found_at TEXT NOT NULL,
  resolved_at TEXT,
  resolved_by TEXT,
  resolution TEXT CHECK (resolution IN ('server', 'kit')),
  reason TEXT,
  UNIQUE (kind, subject, kit_hash)
);
CREATE INDEX IF NOT EXISTS conflicts_open ON conflicts(subject) WHERE resolved_at IS NULL;
CREATE TRIGGER IF NOT EXISTS conflicts_kept BEFORE DELETE ON conflicts
  BEGIN SELECT RAISE(ABORT, 'conflicts are kept: resolve one instead'); END;
CREATE TRIGGER IF NOT EXISTS conflicts_resolved_once BEFORE UPDATE ON conflicts
  WHEN OLD.resolved_at IS NOT NULL
  BEGIN SELECT RAISE(ABORT, 'a resolved conflict stays as it was resolved'); END;
"
    ))
}

/// Version 9: model governance. The model log (`store::model_log`): every change of champion
/// or challenger, proposal and revoke, append-only and hash-chained like the decision log; and
/// who trained each model (`models.trained_by`, unknown for the models saved before).
/// Idempotent: the column is added only where it is missing.
fn migration_9(conn: &Connection) -> Result<String> {
    let has_column: bool = conn
        .prepare("SELECT 1 FROM pragma_table_info('models') WHERE name = 'trained_by'")?
        .exists([])?;
    let add = if has_column {
        ""
    } else {
        "ALTER TABLE models ADD COLUMN trained_by TEXT;"
    };
    Ok(format!(
        "{add}
CREATE TABLE IF NOT EXISTS model_log (
  id INTEGER PRIMARY KEY,
  at TEXT NOT NULL,
  analyst TEXT NOT NULL,
  action TEXT NOT NULL CHECK (action IN ('promote', 'propose', 'revoke')),
  role TEXT NOT NULL CHECK (role IN ('champion', 'challenger')),
  from_model TEXT,
  to_model TEXT,
  reason TEXT NOT NULL CHECK (length(trim(reason)) > 0),
  figures TEXT NOT NULL,
  proposal INTEGER REFERENCES model_log(id),
  chain_hash TEXT NOT NULL
);
CREATE TRIGGER IF NOT EXISTS model_log_append_only_update BEFORE UPDATE ON model_log
  BEGIN SELECT RAISE(ABORT, 'the model log is append-only: record a new change instead'); END;
CREATE TRIGGER IF NOT EXISTS model_log_append_only_delete BEFORE DELETE ON model_log
  BEGIN SELECT RAISE(ABORT, 'the model log is append-only: record a new change instead'); END;
"
    ))
}

/// Version 10: a referral names who takes it (`decisions.referred_to`: an analyst's name or a
/// role), so that a referred application lands in someone's view. Idempotent, as version 5.
fn migration_10(conn: &Connection) -> Result<String> {
    let has_column: bool = conn
        .prepare("SELECT 1 FROM pragma_table_info('decisions') WHERE name = 'referred_to'")?
        .exists([])?;
    Ok(if has_column {
        String::new()
    } else {
        "ALTER TABLE decisions ADD COLUMN referred_to TEXT;".to_string()
    })
}

/// Version 11: each statement's unit (units, thousands, millions of its currency); statements
/// stored before were in thousands. Idempotent: the column is added only where it is missing.
fn migration_11(conn: &Connection) -> Result<String> {
    let has_column: bool = conn
        .prepare("SELECT 1 FROM pragma_table_info('statements') WHERE name = 'unit'")?
        .exists([])?;
    Ok(if has_column {
        String::new()
    } else {
        "ALTER TABLE statements ADD COLUMN unit TEXT NOT NULL DEFAULT 'thousands'
           CHECK (unit IN ('units', 'thousands', 'millions'));"
            .to_string()
    })
}

// Version 12: the dashboard's summaries, kept by triggers (`store::summaries::migration_12`).
// Version 13: the dashboard's ratios counted by rounded value (`store::ratio_counts`).

/// Applies every migration newer than the store's version, each in its own transaction.
pub fn migrate(conn: &mut Connection, path: &Path) -> Result<()> {
    let found: i64 = conn.query_row("PRAGMA user_version", [], |r| r.get(0))?;
    if found > SCHEMA_VERSION {
        return Err(StoreError::TooNew {
            path: path.to_path_buf(),
            found,
            known: SCHEMA_VERSION,
        });
    }
    if found == 0 {
        let tables: i64 = conn.query_row(
            "SELECT count(*) FROM sqlite_master WHERE type='table'",
            [],
            |r| r.get(0),
        )?;
        if tables > 0 {
            return Err(StoreError::Foreign(path.to_path_buf()));
        }
    }
    // A store about to be migrated is copied first (verified), next to it.
    if found > 0 && found < SCHEMA_VERSION && path.is_file() {
        let copy = super::backup::fresh_name(&format!("{}.v{found}.backup", path.display()));
        super::backup::copy_to(conn, &copy, false)?;
    }
    let migrations: Vec<String> = vec![
        migration_1(),
        MIGRATION_2.to_string(),
        MIGRATION_3.to_string(),
        MIGRATION_4.to_string(),
        migration_5(conn)?,
        migration_6(conn)?,
        MIGRATION_7.to_string(),
        migration_8(conn)?,
        migration_9(conn)?,
        migration_10(conn)?,
        migration_11(conn)?,
        super::summaries::migration_12(),
        super::ratio_counts::migration_13(),
    ];
    for (i, sql) in migrations.iter().enumerate() {
        let version = i as i64 + 1;
        if version <= found {
            continue;
        }
        let tx = conn.transaction()?;
        tx.execute_batch(sql)?;
        tx.execute(
            "INSERT OR REPLACE INTO meta(key, value) VALUES ('ratio_catalogue_version', ?1)",
            [CATALOGUE_VERSION.to_string()],
        )?;
        tx.pragma_update(None, "user_version", version)?;
        tx.commit()?;
    }
    if found < SCHEMA_VERSION {
        super::backup::store_id(conn)?;
    }
    Ok(())
}
