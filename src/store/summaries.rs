//! The dashboard's summaries (schema 12; the ratio counts of schema 13 are `ratio_counts`),
//! kept by SQLite triggers as firms, statements, outcomes and predictions change, so that
//! every write path (import, kit merge, restore, deletes, a cascade) keeps them right; and their
//! recomputation from the tables, which `precre check` compares them with.
//!
//! - `dash_counts`: firms by sector, region, size and status; firms by the class of their
//!   latest outcome (`class`); the number of statements (`statements`, key '').
//! - `dash_firm_years`: firms by founding year, closing year, open or not, ended or not (the
//!   closure rates are one query over it).
//! - `dash_latest_statement`: each firm's sector and the dashboard's ratios of its latest
//!   statement (one narrow row per firm, read in one pass).
//! - `dash_latest_outcome`, `dash_latest_prediction`: each firm's latest outcome, and its latest
//!   prediction by each model; `dash_predicted` counts the latter by model and class.

use super::Result;
use rusqlite::types::ValueRef;
use rusqlite::Connection;

/// The ratios of `dash_latest_statement`: `views::portfolio::DASHBOARD_RATIOS` (a test keeps
/// the two in step).
pub const LATEST_RATIOS: [&str; 3] = ["net_margin", "total_asset_turnover", "debt_ratio"];

/// The firm columns counted in `dash_counts`, with '-' for a missing value.
pub const FIRM_DIMENSIONS: [&str; 4] = ["sector", "region", "size", "status"];

/// Adds `delta` to the count of `table` whose key columns have the given values (SQL
/// expressions), making the row when it is missing. No conflict clause: in a trigger, the
/// conflict policy of the statement that fired it (an upsert, an `OR IGNORE`) would replace it.
fn add_count(table: &str, key: &[(&str, String)], delta: i32) -> String {
    let matches: Vec<String> = key.iter().map(|(c, v)| format!("{c} = {v}")).collect();
    let matches = matches.join(" AND ");
    let cols: Vec<&str> = key.iter().map(|(c, _)| *c).collect();
    let values: Vec<&str> = key.iter().map(|(_, v)| v.as_str()).collect();
    format!(
        "UPDATE {table} SET n = n + {delta} WHERE {matches};
         INSERT INTO {table}({}, n) SELECT {}, {delta}
           WHERE NOT EXISTS (SELECT 1 FROM {table} WHERE {matches});",
        cols.join(", "),
        values.join(", ")
    )
}

/// Adds `delta` to the counts of a firm row (`row` is NEW or OLD).
fn firm_counts(row: &str, delta: i32) -> String {
    let mut sql: String = FIRM_DIMENSIONS
        .iter()
        .map(|d| {
            add_count(
                "dash_counts",
                &[
                    ("dimension", format!("'{d}'")),
                    ("key", format!("coalesce({row}.{d}, '-')")),
                ],
                delta,
            )
        })
        .collect();
    sql.push_str(&add_count(
        "dash_firm_years",
        &[
            (
                "founded",
                format!("coalesce(substr({row}.founded, 1, 4), '')"),
            ),
            (
                "closed",
                format!("coalesce(substr({row}.closed_on, 1, 4), '')"),
            ),
            ("open", format!("({row}.closed_on IS NULL)")),
            ("ended", format!("({row}.status != 'active')")),
        ],
        delta,
    ));
    sql
}

/// The latest statement of firm `firm` (an SQL expression) with its firm's sector, as a row of
/// `dash_latest_statement`: nothing when the firm has no statement or is not in `firms`.
/// It is inserted only where the firm has no row (the callers delete it first).
fn latest_statement_of(firm: &str) -> String {
    let ratios: String = LATEST_RATIOS.iter().map(|r| format!(", s.{r}")).collect();
    format!(
        "INSERT INTO dash_latest_statement
           SELECT s.firm_id, s.fiscal_year, f.sector{ratios} FROM statements s
           JOIN firms f ON f.id = s.firm_id
           WHERE s.firm_id = {firm}
             AND NOT EXISTS (SELECT 1 FROM dash_latest_statement WHERE firm_id = {firm})
           ORDER BY s.fiscal_year DESC LIMIT 1;"
    )
}

/// Migration 12: the tables, filled from what the store holds, then the triggers that keep
/// them. `dash_latest_statement` has no trigger of its own (it may be written with REPLACE);
/// the other per-firm tables keep their counts through theirs, so they are written with
/// upserts and deletes only.
pub fn migration_12() -> String {
    let ratio_cols: String = LATEST_RATIOS
        .iter()
        .map(|r| format!(", {r} REAL"))
        .collect();
    let new_ratios: String = LATEST_RATIOS.iter().map(|r| format!(", NEW.{r}")).collect();
    let ratios_changed: String = LATEST_RATIOS
        .iter()
        .map(|r| format!(" OR OLD.{r} IS NOT NEW.{r}"))
        .collect();
    let firm_dims_changed: String = FIRM_DIMENSIONS
        .iter()
        .map(|d| format!("OLD.{d} IS NOT NEW.{d} OR "))
        .collect();
    format!(
        r#"
CREATE TABLE IF NOT EXISTS dash_counts (
  dimension TEXT NOT NULL,
  key TEXT NOT NULL,
  n INTEGER NOT NULL,
  PRIMARY KEY (dimension, key)
) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS dash_firm_years (
  founded TEXT NOT NULL,
  closed TEXT NOT NULL,
  open INTEGER NOT NULL,
  ended INTEGER NOT NULL,
  n INTEGER NOT NULL,
  PRIMARY KEY (founded, closed, open, ended)
) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS dash_latest_statement (
  firm_id TEXT PRIMARY KEY,
  fiscal_year INTEGER NOT NULL,
  sector TEXT NOT NULL{ratio_cols}
) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS dash_latest_outcome (
  firm_id TEXT PRIMARY KEY,
  as_of TEXT NOT NULL,
  class TEXT NOT NULL
) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS dash_latest_prediction (
  model_id TEXT NOT NULL,
  firm_id TEXT NOT NULL,
  id INTEGER NOT NULL,
  class TEXT NOT NULL,
  PRIMARY KEY (model_id, firm_id)
) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS dash_predicted (
  model_id TEXT NOT NULL,
  class TEXT NOT NULL,
  n INTEGER NOT NULL,
  PRIMARY KEY (model_id, class)
) WITHOUT ROWID;

{fill}
CREATE TRIGGER IF NOT EXISTS dash_firms_insert AFTER INSERT ON firms BEGIN
  {count_new}
  DELETE FROM dash_latest_statement WHERE firm_id = NEW.id;
  {latest_new}
END;
CREATE TRIGGER IF NOT EXISTS dash_firms_delete AFTER DELETE ON firms BEGIN
  {count_old}
  DELETE FROM dash_latest_statement WHERE firm_id = OLD.id;
END;
CREATE TRIGGER IF NOT EXISTS dash_firms_update_counts AFTER UPDATE ON firms
  WHEN {firm_dims_changed}OLD.founded IS NOT NEW.founded OR OLD.closed_on IS NOT NEW.closed_on
BEGIN
  {count_old}
  {count_new}
END;
CREATE TRIGGER IF NOT EXISTS dash_firms_update_latest AFTER UPDATE ON firms
  WHEN OLD.id IS NOT NEW.id OR OLD.sector IS NOT NEW.sector
BEGIN
  DELETE FROM dash_latest_statement WHERE firm_id IN (OLD.id, NEW.id);
  {latest_new}
END;

CREATE TRIGGER IF NOT EXISTS dash_statements_insert AFTER INSERT ON statements BEGIN
  {count_statement}
  DELETE FROM dash_latest_statement
    WHERE firm_id = NEW.firm_id AND fiscal_year <= NEW.fiscal_year;
  INSERT INTO dash_latest_statement
    SELECT NEW.firm_id, NEW.fiscal_year, f.sector{new_ratios} FROM firms f
    WHERE f.id = NEW.firm_id
      AND NOT EXISTS (SELECT 1 FROM dash_latest_statement WHERE firm_id = NEW.firm_id);
END;
CREATE TRIGGER IF NOT EXISTS dash_statements_delete AFTER DELETE ON statements BEGIN
  UPDATE dash_counts SET n = n - 1 WHERE dimension = 'statements' AND key = '';
  DELETE FROM dash_latest_statement WHERE firm_id = OLD.firm_id AND fiscal_year <= OLD.fiscal_year;
  {latest_old}
END;
CREATE TRIGGER IF NOT EXISTS dash_statements_update AFTER UPDATE ON statements
  WHEN OLD.firm_id IS NOT NEW.firm_id OR OLD.fiscal_year IS NOT NEW.fiscal_year{ratios_changed}
BEGIN
  DELETE FROM dash_latest_statement WHERE firm_id IN (OLD.firm_id, NEW.firm_id);
  {latest_old}
  {latest_new_stmt}
END;

CREATE TRIGGER IF NOT EXISTS dash_outcomes_insert AFTER INSERT ON outcomes BEGIN
  UPDATE dash_latest_outcome SET as_of = NEW.as_of, class = NEW.class
    WHERE firm_id = NEW.firm_id AND as_of <= NEW.as_of;
  INSERT INTO dash_latest_outcome(firm_id, as_of, class) SELECT NEW.firm_id, NEW.as_of, NEW.class
    WHERE NOT EXISTS (SELECT 1 FROM dash_latest_outcome WHERE firm_id = NEW.firm_id);
END;
CREATE TRIGGER IF NOT EXISTS dash_outcomes_delete AFTER DELETE ON outcomes BEGIN
  {outcome_old}
END;
CREATE TRIGGER IF NOT EXISTS dash_outcomes_update AFTER UPDATE ON outcomes
  WHEN OLD.firm_id IS NOT NEW.firm_id OR OLD.as_of IS NOT NEW.as_of OR OLD.class IS NOT NEW.class
BEGIN
  {outcome_old}
  {outcome_new}
END;
CREATE TRIGGER IF NOT EXISTS dash_latest_outcome_insert AFTER INSERT ON dash_latest_outcome BEGIN
  {count_class}
END;
CREATE TRIGGER IF NOT EXISTS dash_latest_outcome_delete AFTER DELETE ON dash_latest_outcome BEGIN
  UPDATE dash_counts SET n = n - 1 WHERE dimension = 'class' AND key = OLD.class;
END;
CREATE TRIGGER IF NOT EXISTS dash_latest_outcome_update AFTER UPDATE OF class ON dash_latest_outcome
  WHEN OLD.class IS NOT NEW.class
BEGIN
  UPDATE dash_counts SET n = n - 1 WHERE dimension = 'class' AND key = OLD.class;
  {count_class}
END;

CREATE TRIGGER IF NOT EXISTS dash_predictions_insert AFTER INSERT ON predictions BEGIN
  UPDATE dash_latest_prediction SET id = NEW.id, class = NEW.class
    WHERE model_id = NEW.model_id AND firm_id = NEW.firm_id AND id < NEW.id;
  INSERT INTO dash_latest_prediction(model_id, firm_id, id, class)
    SELECT NEW.model_id, NEW.firm_id, NEW.id, NEW.class
    WHERE NOT EXISTS (SELECT 1 FROM dash_latest_prediction
                      WHERE model_id = NEW.model_id AND firm_id = NEW.firm_id);
END;
CREATE TRIGGER IF NOT EXISTS dash_predictions_delete AFTER DELETE ON predictions BEGIN
  {prediction_old}
END;
CREATE TRIGGER IF NOT EXISTS dash_predictions_update AFTER UPDATE ON predictions
  WHEN OLD.id IS NOT NEW.id OR OLD.model_id IS NOT NEW.model_id
    OR OLD.firm_id IS NOT NEW.firm_id OR OLD.class IS NOT NEW.class
BEGIN
  {prediction_old}
  {prediction_new}
END;
CREATE TRIGGER IF NOT EXISTS dash_latest_prediction_insert AFTER INSERT ON dash_latest_prediction
BEGIN
  {count_predicted}
END;
CREATE TRIGGER IF NOT EXISTS dash_latest_prediction_delete AFTER DELETE ON dash_latest_prediction BEGIN
  UPDATE dash_predicted SET n = n - 1 WHERE model_id = OLD.model_id AND class = OLD.class;
END;
CREATE TRIGGER IF NOT EXISTS dash_latest_prediction_update AFTER UPDATE OF class ON dash_latest_prediction
  WHEN OLD.class IS NOT NEW.class
BEGIN
  UPDATE dash_predicted SET n = n - 1 WHERE model_id = OLD.model_id AND class = OLD.class;
  {count_predicted}
END;
"#,
        fill = fill(),
        count_new = firm_counts("NEW", 1),
        count_old = firm_counts("OLD", -1),
        latest_new = latest_statement_of("NEW.id"),
        latest_old = latest_statement_of("OLD.firm_id"),
        latest_new_stmt = latest_statement_of("NEW.firm_id"),
        count_statement = add_count(
            "dash_counts",
            &[("dimension", "'statements'".into()), ("key", "''".into())],
            1
        ),
        count_class = add_count(
            "dash_counts",
            &[("dimension", "'class'".into()), ("key", "NEW.class".into())],
            1
        ),
        count_predicted = add_count(
            "dash_predicted",
            &[
                ("model_id", "NEW.model_id".into()),
                ("class", "NEW.class".into())
            ],
            1
        ),
        outcome_old = recompute_latest_outcome("OLD"),
        outcome_new = recompute_latest_outcome("NEW"),
        prediction_old = recompute_latest_prediction("OLD"),
        prediction_new = recompute_latest_prediction("NEW"),
    )
}

/// Fills the summaries from the tables, emptying them first. The per-firm tables are filled
/// first (their triggers, if there are any yet, count what they add), then the counts are set
/// from a recomputation.
fn fill() -> String {
    let ratio_list: String = LATEST_RATIOS.iter().map(|r| format!(", {r}")).collect();
    let fill_counts: String = FIRM_DIMENSIONS
        .iter()
        .map(|d| {
            format!(
                "INSERT INTO dash_counts(dimension, key, n)
                   SELECT '{d}', coalesce({d}, '-'), count(*) FROM firms GROUP BY 2;\n"
            )
        })
        .collect();
    format!(
        "DELETE FROM dash_latest_statement;
DELETE FROM dash_latest_outcome;
DELETE FROM dash_latest_prediction;
DELETE FROM dash_counts;
DELETE FROM dash_firm_years;
DELETE FROM dash_predicted;
INSERT INTO dash_latest_statement
  SELECT l.firm_id, l.y, f.sector{ratio_list} FROM
    (SELECT firm_id, max(fiscal_year) AS y{ratio_list} FROM statements GROUP BY firm_id) l
  JOIN firms f ON f.id = l.firm_id;
INSERT INTO dash_latest_outcome SELECT firm_id, max(as_of), class FROM outcomes GROUP BY firm_id;
INSERT INTO dash_latest_prediction
  SELECT model_id, firm_id, max(id), class FROM predictions GROUP BY model_id, firm_id;
DELETE FROM dash_counts;
DELETE FROM dash_predicted;
{fill_counts}
INSERT INTO dash_counts(dimension, key, n) SELECT 'statements', '', count(*) FROM statements;
INSERT INTO dash_firm_years(founded, closed, open, ended, n)
  SELECT coalesce(substr(founded, 1, 4), ''), coalesce(substr(closed_on, 1, 4), ''),
         closed_on IS NULL, status != 'active', count(*) FROM firms GROUP BY 1, 2, 3, 4;
INSERT INTO dash_counts(dimension, key, n)
  SELECT 'class', class, count(*) FROM dash_latest_outcome GROUP BY class;
INSERT INTO dash_predicted
  SELECT model_id, class, count(*) FROM dash_latest_prediction GROUP BY model_id, class;
"
    )
}

impl super::Store {
    /// Fills the dashboard's summaries again from the tables (see [`rebuild`]).
    pub fn rebuild_summaries(&mut self) -> Result<()> {
        rebuild(&mut self.conn)
    }
}

/// Empties the summaries and fills them again from the tables, in one transaction (for a
/// store whose summaries `verify` found wrong, e.g. after a write with the triggers dropped).
pub fn rebuild(conn: &mut Connection) -> Result<()> {
    let tx = conn.transaction()?;
    // The ratio counts are taken once at the end, not by the triggers at every refilled row.
    tx.execute_batch(super::ratio_counts::DEFER_ALL)?;
    tx.execute_batch(&fill())?;
    tx.execute_batch(&super::ratio_counts::fill())?;
    tx.commit()?;
    Ok(())
}

/// Sets `dash_latest_outcome` of `row`'s firm from `outcomes` (a delete, an update, an insert:
/// the count triggers of `dash_latest_outcome` see each change).
fn recompute_latest_outcome(row: &str) -> String {
    format!(
        "DELETE FROM dash_latest_outcome WHERE firm_id = {row}.firm_id
           AND NOT EXISTS (SELECT 1 FROM outcomes o WHERE o.firm_id = {row}.firm_id);
         UPDATE dash_latest_outcome SET (as_of, class) =
           (SELECT as_of, class FROM outcomes WHERE firm_id = {row}.firm_id
            ORDER BY as_of DESC LIMIT 1)
           WHERE firm_id = {row}.firm_id;
         INSERT INTO dash_latest_outcome(firm_id, as_of, class)
           SELECT firm_id, as_of, class FROM outcomes WHERE firm_id = {row}.firm_id
             AND NOT EXISTS (SELECT 1 FROM dash_latest_outcome WHERE firm_id = {row}.firm_id)
           ORDER BY as_of DESC LIMIT 1;"
    )
}

/// Sets `dash_latest_prediction` of `row`'s model and firm from `predictions`, as above.
fn recompute_latest_prediction(row: &str) -> String {
    format!(
        "DELETE FROM dash_latest_prediction
           WHERE model_id = {row}.model_id AND firm_id = {row}.firm_id
           AND NOT EXISTS (SELECT 1 FROM predictions p
                           WHERE p.model_id = {row}.model_id AND p.firm_id = {row}.firm_id);
         UPDATE dash_latest_prediction SET (id, class) =
           (SELECT id, class FROM predictions
            WHERE model_id = {row}.model_id AND firm_id = {row}.firm_id ORDER BY id DESC LIMIT 1)
           WHERE model_id = {row}.model_id AND firm_id = {row}.firm_id;
         INSERT INTO dash_latest_prediction(model_id, firm_id, id, class)
           SELECT model_id, firm_id, id, class FROM predictions
           WHERE model_id = {row}.model_id AND firm_id = {row}.firm_id
             AND NOT EXISTS (SELECT 1 FROM dash_latest_prediction
                             WHERE model_id = {row}.model_id AND firm_id = {row}.firm_id)
           ORDER BY id DESC LIMIT 1;"
    )
}

/// One summary whose stored rows differ from a recomputation from the tables.
#[derive(Debug, Clone, PartialEq)]
pub struct Mismatch {
    pub summary: &'static str,
    /// Rows stored but not recomputed, and recomputed but not stored.
    pub extra: usize,
    pub missing: usize,
    /// The first differing row, stored or recomputed, in words.
    pub example: String,
}

/// Each summary as stored (zero counts left out) and as recomputed from the tables, as the
/// same list of rows.
fn comparisons() -> Vec<(&'static str, String, String)> {
    let ratio_list: String = LATEST_RATIOS.iter().map(|r| format!(", {r}")).collect();
    let dims: String = FIRM_DIMENSIONS
        .iter()
        .map(|d| {
            format!(" UNION ALL SELECT '{d}', coalesce({d}, '-'), count(*) FROM firms GROUP BY 2")
        })
        .collect();
    vec![
        (
            "firm, statement and class counts",
            "SELECT dimension, key, n FROM dash_counts WHERE n != 0".into(),
            format!(
                "SELECT 'statements', '', n FROM (SELECT count(*) AS n FROM statements) WHERE n > 0{dims}
                 UNION ALL SELECT 'class', class, count(*) FROM
                   (SELECT firm_id, max(as_of), class FROM outcomes GROUP BY firm_id) GROUP BY class"
            ),
        ),
        (
            "firms by founding and closing year",
            "SELECT founded, closed, open, ended, n FROM dash_firm_years WHERE n != 0".into(),
            "SELECT coalesce(substr(founded, 1, 4), ''), coalesce(substr(closed_on, 1, 4), ''),
                    closed_on IS NULL, status != 'active', count(*) FROM firms GROUP BY 1, 2, 3, 4"
                .into(),
        ),
        (
            "latest statement of each firm",
            format!("SELECT firm_id, fiscal_year, sector{ratio_list} FROM dash_latest_statement"),
            format!(
                "SELECT l.firm_id, l.y, f.sector{ratio_list} FROM
                   (SELECT firm_id, max(fiscal_year) AS y{ratio_list} FROM statements
                    GROUP BY firm_id) l JOIN firms f ON f.id = l.firm_id"
            ),
        ),
        (
            "latest outcome of each firm",
            "SELECT firm_id, as_of, class FROM dash_latest_outcome".into(),
            "SELECT firm_id, max(as_of), class FROM outcomes GROUP BY firm_id".into(),
        ),
        (
            "latest prediction of each firm by each model",
            "SELECT model_id, firm_id, id, class FROM dash_latest_prediction".into(),
            "SELECT model_id, firm_id, max(id), class FROM predictions GROUP BY model_id, firm_id"
                .into(),
        ),
        (
            "predicted classes by model",
            "SELECT model_id, class, n FROM dash_predicted WHERE n != 0".into(),
            "SELECT model_id, class, count(*) FROM
               (SELECT model_id, firm_id, max(id), class FROM predictions
                GROUP BY model_id, firm_id) GROUP BY model_id, class"
                .into(),
        ),
    ]
}

/// Compares every summary with its recomputation from the tables (one pass over each table:
/// seconds at a million firms). Empty when all agree.
pub fn verify(conn: &Connection) -> Result<Vec<Mismatch>> {
    let mut found = Vec::new();
    let all = comparisons()
        .into_iter()
        .chain(super::ratio_counts::comparisons());
    for (summary, stored, recomputed) in all {
        let count = |a: &str, b: &str| -> Result<(usize, Option<String>)> {
            let sql = format!("SELECT * FROM ({a}) EXCEPT SELECT * FROM ({b})");
            let mut stmt = conn.prepare(&sql)?;
            let width = stmt.column_count();
            let mut rows = stmt.query([])?;
            let (mut n, mut first) = (0, None);
            while let Some(row) = rows.next()? {
                if first.is_none() {
                    let cells: Vec<String> = (0..width)
                        .map(|i| match row.get_ref(i) {
                            Ok(ValueRef::Null) => "null".into(),
                            Ok(ValueRef::Integer(v)) => v.to_string(),
                            Ok(ValueRef::Real(v)) => v.to_string(),
                            Ok(ValueRef::Text(t)) => format!("'{}'", String::from_utf8_lossy(t)),
                            Ok(ValueRef::Blob(_)) | Err(_) => "?".into(),
                        })
                        .collect();
                    first = Some(cells.join(", "));
                }
                n += 1;
            }
            Ok((n, first))
        };
        let (extra, stored_first) = count(&stored, &recomputed)?;
        let (missing, recomputed_first) = count(&recomputed, &stored)?;
        if extra + missing > 0 {
            let example = match (stored_first, recomputed_first) {
                (Some(s), _) => format!("stored ({s}) is not what the tables give"),
                (None, Some(r)) => format!("the tables give ({r}), which is not stored"),
                (None, None) => String::new(),
            };
            found.push(Mismatch {
                summary,
                extra,
                missing,
                example,
            });
        }
    }
    Ok(found)
}
