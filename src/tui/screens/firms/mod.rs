//! The Firms table's state and keys: a window of pages fetched from the store around the
//! cursor (a million firms stay small), sorting, search, a filter expression and ratio columns.

mod draw;
pub use draw::draw;

use crate::filter::Expr;
use crate::store::firms::{FirmQuery, FirmRow};
use crate::tui::app::{App, Level, Screen, Tag};
use crate::tui::keymap::Command;
use crate::tui::popup::{open_input, InputPurpose};
use crate::tui::screens::clamp_move;
use crate::tui::worker::Request;
use std::collections::{HashMap, HashSet};

/// Rows per page fetched from the store.
pub const PAGE: usize = 100;

#[derive(Debug, Clone)]
pub struct FirmsScreen {
    pub total: Option<usize>,
    pub pages: HashMap<usize, Vec<FirmRow>>,
    pub requested: HashSet<usize>,
    pub cursor: usize,
    pub top: usize,
    pub sort: usize,
    pub descending: bool,
    pub search: Option<String>,
    pub filter_text: String,
    pub filter: Option<Expr>,
    pub ratio_columns: Vec<&'static str>,
    /// Bumped when the query changes; replies of older generations are dropped.
    pub generation: u64,
}

impl Default for FirmsScreen {
    fn default() -> Self {
        FirmsScreen {
            total: None,
            pages: HashMap::new(),
            requested: HashSet::new(),
            cursor: 0,
            top: 0,
            sort: 0,
            descending: false,
            search: None,
            filter_text: String::new(),
            filter: None,
            ratio_columns: vec!["current_ratio", "debt_ratio", "net_margin"],
            generation: 0,
        }
    }
}

impl FirmsScreen {
    pub fn row(&self, i: usize) -> Option<&FirmRow> {
        self.pages.get(&(i / PAGE)).and_then(|p| p.get(i % PAGE))
    }

    /// The sortable columns, in the order `s` cycles them.
    pub fn sort_columns(&self) -> Vec<&'static str> {
        let mut v = vec![
            "id",
            "name",
            "sector",
            "size",
            "status",
            "latest_year",
            "class",
            "predicted",
        ];
        v.extend(self.ratio_columns.iter().copied());
        v
    }

    /// The store query of the table's current sort, search and filter.
    pub fn query(&self) -> FirmQuery {
        let cols = self.sort_columns();
        FirmQuery {
            search: self.search.clone(),
            sort: Some(cols[self.sort.min(cols.len() - 1)].to_string()),
            descending: self.descending,
            filter: self.filter.clone(),
            ratios: self.ratio_columns.clone(),
            ..Default::default()
        }
    }
}

/// On entering the screen: count and fetch if nothing is loaded.
pub fn open(app: &mut App) {
    if app.firms.total.is_none() {
        reload(app);
    }
}

/// The screen's own commands; `false` when `cmd` is not one of them.
pub fn command(app: &mut App, cmd: Command) -> bool {
    match cmd {
        Command::Search => {
            let text = app.firms.search.clone().unwrap_or_default();
            open_input(app, InputPurpose::Search, text)
        }
        Command::Filter => {
            let text = app.firms.filter_text.clone();
            open_input(app, InputPurpose::Filter, text)
        }
        Command::Columns => {
            let text = app.firms.ratio_columns.join(",");
            open_input(app, InputPurpose::Columns, text)
        }
        Command::ClearFilter => {
            app.firms.search = None;
            app.firms.filter = None;
            app.firms.filter_text.clear();
            reload(app);
            app.set_status(Level::Info, "search and filter cleared");
        }
        Command::SortNext => {
            let n = app.firms.sort_columns().len();
            app.firms.sort = (app.firms.sort + 1) % n;
            reload(app);
        }
        Command::SortReverse => {
            app.firms.descending = !app.firms.descending;
            reload(app);
        }
        _ => return false,
    }
    true
}

/// Moves the cursor, scrolling the window and fetching the pages it needs.
pub fn move_by(app: &mut App, delta: i64) {
    let total = app.firms.total.unwrap_or(0);
    app.firms.cursor = clamp_move(app.firms.cursor, delta, total);
    let rows = app.body_rows.get().saturating_sub(3).max(1);
    if app.firms.cursor < app.firms.top {
        app.firms.top = app.firms.cursor;
    } else if app.firms.cursor >= app.firms.top + rows {
        app.firms.top = app.firms.cursor + 1 - rows;
    }
    ensure_pages(app);
}

/// Enter: open the firm under the cursor.
pub fn select(app: &mut App) {
    if let Some(id) = app.firms.row(app.firms.cursor).map(|f| f.id.clone()) {
        app.firm.came_from = Some(Screen::Firms);
        app.screen = Screen::Firm;
        super::firm::load(app, id);
    }
}

/// Forgets the fetched pages and asks for the count and the first pages again.
pub fn reload(app: &mut App) {
    let f = &mut app.firms;
    f.generation += 1;
    f.pages.clear();
    f.requested.clear();
    f.total = None;
    f.cursor = 0;
    f.top = 0;
    let q = app.firms.query();
    let gen = app.firms.generation;
    app.request(Tag::FirmsCount(gen), Request::FirmsCount(q));
    ensure_pages(app);
}

/// Requests the pages the table shows (and the next one), not yet fetched or asked for.
pub fn ensure_pages(app: &mut App) {
    let rows = app.body_rows.get().max(1);
    let first = app.firms.top / PAGE;
    let last = (app.firms.top + rows) / PAGE + 1;
    for p in first..=last {
        if let Some(total) = app.firms.total {
            if p * PAGE >= total && p > 0 {
                break;
            }
        }
        if app.firms.pages.contains_key(&p) || app.firms.requested.contains(&p) {
            continue;
        }
        app.firms.requested.insert(p);
        let mut q = app.firms.query();
        q.limit = Some(PAGE);
        q.offset = p * PAGE;
        let gen = app.firms.generation;
        app.request(Tag::FirmsPage(gen, p), Request::FirmsPage(q));
    }
    // Keep at most a window of pages around the view (browsing a million firms stays small).
    let keep = first.saturating_sub(2)..=last + 2;
    app.firms.pages.retain(|p, _| keep.contains(p));
    app.firms.requested.retain(|p| keep.contains(p));
}

/// The search typed in the pop-up.
pub fn set_search(app: &mut App, text: &str) {
    let t = text.trim();
    app.firms.search = (!t.is_empty()).then(|| t.to_string());
    reload(app);
}

/// The filter typed in the pop-up; `Err` (shown, the pop-up stays open) when it does not parse.
pub fn set_filter(app: &mut App, text: &str) -> Result<(), crate::filter::FilterError> {
    let expr = crate::filter::parse(text)?;
    app.firms.filter = expr;
    app.firms.filter_text = text.trim().to_string();
    reload(app);
    let msg = if app.firms.filter.is_some() {
        format!("filter: {}", app.firms.filter_text)
    } else {
        "filter cleared".into()
    };
    app.set_status(Level::Info, msg);
    Ok(())
}

/// A ratio id typed in the columns pop-up that the catalogue does not hold.
#[derive(Debug, thiserror::Error)]
#[error("'{0}' is not a ratio id")]
pub struct UnknownRatio(String);

/// The ratio columns typed in the pop-up; `Err` names an unknown ratio id.
pub fn set_columns(app: &mut App, text: &str) -> Result<(), UnknownRatio> {
    let mut cols = Vec::new();
    for id in text.split(',').map(str::trim).filter(|s| !s.is_empty()) {
        match crate::finance::catalogue::find(id) {
            Some((_, r)) => cols.push(r.id),
            None => return Err(UnknownRatio(id.to_string())),
        }
    }
    app.firms.ratio_columns = cols;
    app.firms.sort = 0;
    reload(app);
    Ok(())
}
