//! Publishing a staged import: its rows go into the store in short transactions of a few
//! thousand rows, aligned on firms, each recording in the import's journal how far it got, with
//! the write lock released between them so that an analyst's decision gets in. An import
//! killed part-way is rolled forward from its staged file by the next import or `precre check`.

use super::kinds::{self, Kind};
use super::records::{write_rows, GoodRow};
use super::{statements, ImportError};
use crate::store::import_journal::Journal;
use crate::store::staging::{self, Staging};
use crate::store::{Store, StoreError};
use std::collections::HashSet;
use std::sync::Arc;
use std::time::{Duration, Instant};

/// A callback after each published chunk's commit (the chunks done so far), for tests that
/// act between chunks.
#[derive(Clone)]
pub struct ChunkHook(pub Arc<dyn Fn(usize) + Send + Sync>);

impl std::fmt::Debug for ChunkHook {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("ChunkHook")
    }
}

/// How long one chunk aims to hold the write lock; chunk sizes follow the time measured.
const LOCK_TARGET: Duration = Duration::from_millis(50);
/// Rows of the first chunk, and the bounds of later ones.
const FIRST_CHUNK: usize = 2_048;
const CHUNK_BOUNDS: (usize, usize) = (128, 65_536);
/// The pause after each commit, on top of reading the next chunk, in which a waiting writer
/// (whose busy handler tries every millisecond) takes the lock.
const PAUSE: Duration = Duration::from_millis(2);

/// How a publication goes: its chunk size and what is called between chunks.
#[derive(Default)]
pub(super) struct Pace {
    pub fixed_rows: Option<usize>,
    pub hook: Option<ChunkHook>,
}

/// Publishes the staged rows after the journal's cursor, then logs the import and ends the
/// journal in one last transaction. Returns the longest time a chunk held the write lock.
pub(super) fn publish(
    store: &mut Store,
    staged: &Staging,
    journal: &mut Journal,
    pace: &Pace,
) -> Result<Duration, StoreError> {
    let kind = journal.kind.parse::<Kind>().map_err(|_| {
        StoreError::NotFound(format!(
            "an import journal of unknown kind {}",
            journal.kind
        ))
    })?;
    let fields = kinds::fields(kind);
    let firm_column = fields.iter().position(|f| f.id == "firm_id");
    let mut state = statements::State {
        fresh_store: false,
        firms_written: HashSet::new(),
        firm_hash: std::hash::RandomState::new(),
    };
    let mut version = None;
    let mut rows_wanted = pace.fixed_rows.unwrap_or(FIRST_CHUNK);
    let mut longest = Duration::ZERO;
    loop {
        // Read before the lock is taken: the gap between chunks is the writers' way in.
        let rows = staged.chunk_after(&journal.cursor_cells(), rows_wanted)?;
        let Some(last) = rows.last() else { break };
        let cursor: Vec<_> = last[..kinds::table(kind).1.len()].to_vec();
        let held = Instant::now();
        let tx = store.begin_import()?;
        // Another connection's commit since the last chunk could have stored statements: the
        // shortcut for a store without any holds only while nobody else wrote.
        let now = tx.data_version()?;
        state.fresh_store = match version {
            None => kind == Kind::Statements && !tx.any_statements()?,
            Some(v) => state.fresh_store && v == now,
        };
        version = Some(now);
        let mut ids: Vec<String> = Vec::new();
        if let (Some(fc), true) = (firm_column, kind != Kind::Firms) {
            ids = rows
                .iter()
                .filter_map(|r| super::records::text(&r[fc]).map(str::to_string))
                .collect();
            ids.sort_unstable();
            ids.dedup();
            let ids: Vec<&str> = ids.iter().map(String::as_str).collect();
            for id in staged.staged_firms(&ids)? {
                tx.insert_placeholder_firm(&id)?;
            }
        }
        let n = rows.len();
        let good = rows
            .into_iter()
            .map(|values| GoodRow { row: 0, values })
            .collect();
        let write = |tx: &_| write_rows(tx, kind, &fields, good, &mut state);
        let written = if kind == Kind::Statements {
            // The chunk is whole firms: the dashboard's ratio counts once per firm.
            let ids: Vec<&str> = ids.iter().map(String::as_str).collect();
            tx.with_ratio_counts_per_firm(&ids, write)
        } else {
            write(&tx)
        };
        written.map_err(|e| match e {
            ImportError::Store(e) => e,
            other => StoreError::NotFound(other.to_string()),
        })?;
        journal.rows_published += n;
        journal.chunks_done += 1;
        journal.set_cursor(&cursor);
        tx.save_journal(journal)?;
        tx.commit()?;
        let took = held.elapsed();
        longest = longest.max(took);
        if pace.fixed_rows.is_none() {
            let scaled = (rows_wanted as f64 * LOCK_TARGET.as_secs_f64()
                / took.as_secs_f64().max(1e-4)) as usize;
            rows_wanted = scaled
                .clamp(rows_wanted / 2, rows_wanted * 2)
                .clamp(CHUNK_BOUNDS.0, CHUNK_BOUNDS.1);
        }
        if let Some(hook) = &pace.hook {
            (hook.0)(journal.chunks_done);
        }
        std::thread::sleep(PAUSE);
    }
    let tx = store.begin_import()?;
    tx.log_import(&journal.file, &journal.kind, &journal.counts)?;
    tx.end_journal(&journal.id)?;
    tx.commit()?;
    Ok(longest)
}

/// An interrupted import this run found, and what became of it.
#[derive(Debug, Clone)]
pub struct Resumed {
    pub file: String,
    pub kind: String,
    pub rows: usize,
    /// Rows that were in the store before this run finished the import.
    pub published_before: usize,
    /// The staged rows were gone: the import could not be finished (import the file again).
    pub lost: bool,
}

/// Finishes every import whose publication was interrupted (its staged file not held by a live
/// import), and removes staged files that no journal names (an import killed while staging).
pub fn finish_interrupted(store: &mut Store) -> Result<Vec<Resumed>, ImportError> {
    store.bulk_import_mode(true)?;
    let result = resume_all(store);
    let restored = store.bulk_import_mode(false);
    let done = result?;
    restored?;
    Ok(done)
}

/// `finish_interrupted` when an import journal is open, else nothing (one read of `meta`):
/// what every front-end runs when it opens a store.
pub fn finish_if_interrupted(store: &mut Store) -> Result<Vec<Resumed>, ImportError> {
    if store.import_journals()?.is_empty() {
        return Ok(Vec::new());
    }
    finish_interrupted(store)
}

/// `finish_interrupted`, on a connection already in bulk import mode.
pub(super) fn resume_all(store: &mut Store) -> Result<Vec<Resumed>, ImportError> {
    let journals = store.import_journals()?;
    let mut done = Vec::new();
    for mut journal in journals.iter().cloned() {
        let seen = Resumed {
            file: journal.file.clone(),
            kind: journal.kind.clone(),
            rows: journal.rows,
            published_before: journal.rows_published,
            lost: false,
        };
        if !journal.staged.exists() {
            let tx = store.begin_import()?;
            tx.end_journal(&journal.id)?;
            tx.commit()?;
            done.push(Resumed { lost: true, ..seen });
            continue;
        }
        let Some(staged) = Staging::open(&journal.staged)? else {
            continue; // a live import is publishing it
        };
        let published_before = journal.rows_published;
        publish(store, &staged, &mut journal, &Pace::default()).map_err(|source| {
            ImportError::Interrupted {
                file: journal.file.clone(),
                published: journal.rows_published.max(published_before),
                rows: journal.rows,
                source: Box::new(source),
            }
        })?;
        staged.remove();
        done.push(seen);
    }
    if let Some(path) = store.path() {
        let named: Vec<_> = journals.iter().map(|j| j.staged.clone()).collect();
        staging::remove_stale(path, &named);
    }
    Ok(done)
}
