//! Statement rows of an import: their items for the row checks, and each chunk written with
//! ratios computed against the firm's neighbouring years, stored or imported.

use super::kinds::{self, Field};
use super::records::{real, text, GoodRow};
use super::ImportError;
use crate::finance::items::DEFAULT_CURRENCY;
use crate::finance::{compute_ratios, RatioRow, Statement, Unit, ITEMS};
use crate::store::import_tx::{CellValue as Value, ImportTx};
use rayon::prelude::*;
use std::collections::HashSet;
use std::hash::BuildHasher;

/// The items, year and unit of a validated statement row, for checks (firm id and currency
/// left empty, so nothing is allocated).
pub(super) fn items(fields: &[Field], values: &[Value]) -> Statement {
    // Statement fields are firm, year, currency, then the items in catalogue order.
    debug_assert_eq!(fields.len(), kinds::FIRST_ITEM + ITEMS.len());
    let mut items = [None; ITEMS.len()];
    for (i, v) in items.iter_mut().enumerate() {
        *v = real(&values[kinds::FIRST_ITEM + i]);
    }
    Statement {
        firm_id: String::new(),
        fiscal_year: real(&values[1]).unwrap_or(0.0) as i32,
        currency: String::new(),
        unit: text(&values[3]).and_then(Unit::parse).unwrap_or_default(),
        values: items,
    }
}

/// The whole statement of a validated row it consumes: the firm id is moved, not copied.
fn from_row(fields: &[Field], mut values: Vec<Value>) -> Statement {
    let mut s = items(fields, &values);
    s.currency = text(&values[2]).unwrap_or(DEFAULT_CURRENCY).to_string();
    s.firm_id = match std::mem::replace(&mut values[0], Value::Null) {
        Value::Text(id) => id,
        _ => String::new(),
    };
    s
}

/// What the statement chunks of one import carry from one to the next.
pub(super) struct State {
    /// The store held no statement when the import began: only firms written by an earlier
    /// chunk can have stored statements to merge with.
    pub(super) fresh_store: bool,
    /// 64-bit hashes of the firms written so far: 8 bytes a firm; two firms sharing a hash only
    /// cost one needless look-up of stored statements.
    pub(super) firms_written: HashSet<u64>,
    pub(super) firm_hash: std::hash::RandomState,
}

/// Writes one chunk of statements with freshly computed ratios. Stored statements of the same
/// firms (earlier chunks' included: the transaction sees its own writes) are merged in so that
/// growth and average balances see the previous year, and a stored year that follows an
/// imported one is rewritten (its growth changed).
pub(super) fn write(
    tx: &ImportTx,
    fields: &[Field],
    rows: Vec<GoodRow>,
    state: &mut State,
) -> Result<usize, ImportError> {
    let incoming: Vec<Statement> = rows
        .into_par_iter()
        .map(|g| from_row(fields, g.values))
        .collect();
    let mut ids: Vec<&str> = incoming
        .iter()
        .map(|s| s.firm_id.as_str())
        .filter(|id| {
            !state.fresh_store || state.firms_written.contains(&state.firm_hash.hash_one(id))
        })
        .collect();
    ids.sort_unstable();
    ids.dedup();
    let stored = if ids.is_empty() {
        Vec::new()
    } else {
        tx.statements_of_firms(&ids)?
    };
    // Keys (firm, year, stored?, index), sorted: an imported year comes before a stored one of
    // the same key, which the dedup then drops (the file wins). Sorting these small keys instead
    // of the statements moves 24 bytes a row, not the whole statement; writing in key order
    // makes the inserts appends to the key's b-tree.
    let mut order: Vec<(&str, i32, bool, u32)> = incoming
        .iter()
        .enumerate()
        .map(|(i, s)| (s.firm_id.as_str(), s.fiscal_year, false, i as u32))
        .chain(
            stored
                .iter()
                .enumerate()
                .map(|(i, s)| (s.firm_id.as_str(), s.fiscal_year, true, i as u32)),
        )
        .collect();
    order.par_sort_unstable();
    order.dedup_by(|later, first| later.0 == first.0 && later.1 == first.1);
    // (statement, imported) in key order.
    let all: Vec<(&Statement, bool)> = order
        .iter()
        .map(|&(_, _, is_stored, i)| {
            if is_stored {
                (&stored[i as usize], false)
            } else {
                (&incoming[i as usize], true)
            }
        })
        .collect();
    drop(order);
    // With no stored statement of these firms, no key can clash: plain inserts.
    let replace = !stored.is_empty();
    let same_firm = |i: usize| i > 0 && all[i - 1].0.firm_id == all[i].0.firm_id;
    // Imported rows, and stored rows right after an imported year of the same firm.
    let to_write: Vec<usize> = (0..all.len())
        .filter(|&i| all[i].1 || (same_firm(i) && all[i - 1].1))
        .collect();
    let ratios: Vec<RatioRow> = to_write
        .par_iter()
        .map(|&i| compute_ratios(all[i].0, same_firm(i).then(|| all[i - 1].0)))
        .collect();
    tx.write_statements(to_write.iter().map(|&i| all[i].0).zip(&ratios), replace)?;
    if state.fresh_store {
        for s in &incoming {
            state
                .firms_written
                .insert(state.firm_hash.hash_one(s.firm_id.as_str()));
        }
    }
    Ok(incoming.len())
}
