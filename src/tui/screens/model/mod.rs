//! The Model screen's state and keys: the training form (checked by the command line's parsers
//! before a job starts), training a candidate on the worker (`ops::train`, as `precre train
//! --save`), promoting one to champion or challenger after a confirmation that shows what
//! changes and asks why (`ops::governance`, as `precre models promote`), the tree, the models
//! and the model log, the comparison of every kind (`ops::compare`, as `precre compare
//! --save`), the reports.

mod compare;
mod draw;
mod form;
mod governance;
mod monitor;
pub use draw::draw;
pub use form::{TrainForm, FORM_FIELDS};
pub use governance::draw_promotion;

use crate::model::governance::Role;
use crate::tui::app::{App, Level, Screen, Tag};
use crate::tui::keymap::Command;
use crate::tui::popup::{open_input, InputPurpose, Overlay, PromotionDraft};
use crate::tui::screens::clamp_move;
use crate::tui::tree_view;
use crate::tui::worker::Request;
use crate::views::model::ModelView;
use std::collections::HashSet;

super::panes! {
    Train => "Train",
    Tree => "Tree",
    Metrics => "Metrics",
    Roc => "ROC",
    Pruning => "Pruning",
    Importance => "Importance",
    Models => "Models",
    Compare => "Compare",
    Reports => "Reports",
    Monitor => "Monitor",
}

#[derive(Debug, Default)]
pub struct ModelScreen {
    pub view: Option<Box<ModelView>>,
    pub form: TrainForm,
    /// The form field under the cursor.
    pub field: usize,
    /// The field the last check refused, with why.
    pub error: Option<(usize, String)>,
    pub tree_cursor: usize,
    pub collapsed: HashSet<usize>,
    pub models_cursor: usize,
    pub scroll: usize,
    /// The last comparison of every kind, and the candidate under the cursor.
    pub compare: Option<Box<crate::ops::compare::Comparison>>,
    pub compare_cursor: usize,
    /// The active model's last monitoring, and the period under the cursor.
    pub monitoring: Option<Box<crate::ops::monitor::Monitoring>>,
    pub monitor_cursor: usize,
}

fn pane(app: &App) -> Pane {
    Pane::at(app.pane_of(Screen::Model))
}

pub fn load(app: &mut App) {
    app.request(Tag::Model, Request::Model);
}

pub fn open(app: &mut App) {
    if app.model.view.is_none() {
        load(app);
    }
}

/// The screen's own commands; `false` when `cmd` is not one of them.
pub fn command(app: &mut App, cmd: Command) -> bool {
    match cmd {
        Command::Train => start_training(app),
        Command::Activate => activate_selected(app),
        Command::Compare => start_comparison(app),
        Command::Challenger => challenger_selected(app),
        Command::ToggleNode => toggle_node(app),
        Command::Monitor => start_monitoring(app),
        _ => return false,
    }
    true
}

pub fn move_by(app: &mut App, delta: i64) {
    match pane(app) {
        Pane::Train => app.model.field = clamp_move(app.model.field, delta, FORM_FIELDS.len()),
        Pane::Tree => {
            let n = app
                .model
                .view
                .as_ref()
                .and_then(|m| m.active.as_ref())
                .map(|rec| tree_view::visible(&rec.pipeline, &app.model.collapsed).len())
                .unwrap_or(0);
            app.model.tree_cursor = clamp_move(app.model.tree_cursor, delta, n);
        }
        Pane::Models => {
            let n = app.model.view.as_ref().map_or(0, |m| m.models.len());
            app.model.models_cursor = clamp_move(app.model.models_cursor, delta, n);
        }
        Pane::Compare => {
            let n = app.model.compare.as_ref().map_or(0, |c| c.candidates.len());
            app.model.compare_cursor = clamp_move(app.model.compare_cursor, delta, n);
        }
        Pane::Monitor => {
            let n = app.model.monitoring.as_ref().map_or(0, |m| m.periods.len());
            app.model.monitor_cursor = clamp_move(app.model.monitor_cursor, delta, n);
        }
        _ => app.model.scroll = clamp_move(app.model.scroll, delta, 100),
    }
}

/// Left and right: in the tree they fold and unfold; elsewhere they switch panes (`false`).
pub fn left_right(app: &mut App, dir: i64) -> bool {
    if pane(app) != Pane::Tree {
        return false;
    }
    if let Some(node) = node_at_cursor(app) {
        if dir < 0 {
            app.model.collapsed.insert(node);
        } else {
            app.model.collapsed.remove(&node);
        }
    }
    true
}

/// Enter: edit the field, fold the node, or promote the model under the cursor.
pub fn select(app: &mut App) {
    match pane(app) {
        Pane::Train => {
            let i = app.model.field;
            let text = app.model.form.get(i).to_string();
            open_input(app, InputPurpose::FormField(i), text);
        }
        Pane::Tree => toggle_node(app),
        Pane::Models | Pane::Compare => activate_selected(app),
        _ => {}
    }
}

fn node_at_cursor(app: &App) -> Option<usize> {
    let rec = app.model.view.as_ref()?.active.as_ref()?;
    tree_view::visible(&rec.pipeline, &app.model.collapsed)
        .get(app.model.tree_cursor)
        .map(|l| l.node)
}

fn toggle_node(app: &mut App) {
    if let Some(node) = node_at_cursor(app) {
        if !app.model.collapsed.remove(&node) {
            app.model.collapsed.insert(node);
        }
    }
}

/// The form's training request, or `None` with the refused field shown (and no job running).
fn checked_form(app: &mut App) -> Option<crate::ops::train::TrainRequest> {
    if app.job.is_some() {
        let msg = format!(
            "a job is running; wait, or {} to cancel it",
            app.key(Command::Cancel)
        );
        app.set_status(Level::Error, msg);
        return None;
    }
    match app.model.form.check() {
        Err((field, message)) => {
            app.model.field = field;
            app.set_pane(Screen::Model, Pane::Train.index());
            app.set_status(Level::Error, format!("{}: {message}", FORM_FIELDS[field]));
            app.model.error = Some((field, message));
            None
        }
        Ok(req) => {
            app.model.error = None;
            Some(req)
        }
    }
}

fn start_training(app: &mut App) {
    let Some(mut req) = checked_form(app) else {
        return;
    };
    req.trained_by = Some(app.settings.analyst.clone());
    app.start_job(
        Tag::Train,
        Request::Train(Box::new(req)),
        "training".into(),
        true,
    );
    let msg = format!(
        "training on the worker; {} cancels",
        app.key(Command::Cancel)
    );
    app.set_status(Level::Info, msg);
}

/// The model under the cursor of the Models or the Compare pane: (id, name, is challenger).
fn selected_model(app: &App) -> Option<(String, String, bool)> {
    let view = app.model.view.as_ref()?;
    let challenger = |id: &str| view.models.iter().any(|m| m.id == id && m.challenger);
    match pane(app) {
        Pane::Models => view
            .models
            .get(app.model.models_cursor)
            .map(|m| (m.id.clone(), m.name.clone(), m.challenger)),
        Pane::Compare => app
            .model
            .compare
            .as_ref()?
            .candidates
            .get(app.model.compare_cursor)
            .filter(|c| c.saved)
            .map(|c| {
                let id = c.record.id.clone();
                let is = challenger(&id);
                (id, c.record.name.clone(), is)
            }),
        _ => None,
    }
}

/// Outside the Models and Compare panes: go to the Models pane and say what to do there.
fn to_models_pane(app: &mut App, command: Command) {
    app.set_pane(Screen::Model, Pane::Models.index());
    let msg = format!(
        "choose a model (here, or in the Compare pane), then {}",
        app.key(command)
    );
    app.set_status(Level::Info, msg);
}

fn activate_selected(app: &mut App) {
    ask_promotion(app, Role::Champion, Command::Activate);
}

fn challenger_selected(app: &mut App) {
    ask_promotion(app, Role::Challenger, Command::Challenger);
}

/// Asks the worker what promoting the selected model into `role` would change; the reply opens
/// the confirmation (the class mix before and after, and a reason field).
fn ask_promotion(app: &mut App, role: Role, command: Command) {
    if !matches!(pane(app), Pane::Models | Pane::Compare) {
        return to_models_pane(app, command);
    }
    if let Some((id, _, _)) = selected_model(app) {
        let policy = app.settings.promotion;
        app.request(
            Tag::Preview,
            Request::PreviewPromotion {
                model: id,
                role,
                policy,
            },
        );
        app.set_status(
            Level::Info,
            "scoring the queue with the candidate (nothing is written)",
        );
    }
}

/// After the preview: the confirmation pop-up.
pub fn previewed(app: &mut App, preview: Box<crate::ops::governance::Preview>) {
    app.overlay = Overlay::Promote(Box::new(PromotionDraft {
        preview,
        reason: String::new(),
        error: None,
    }));
}

/// The confirmation submitted with a reason: the promotion under the policy, on the worker.
pub fn submit_promotion(app: &mut App, draft: PromotionDraft) {
    let req = crate::ops::governance::PromoteRequest {
        model: draft.preview.candidate.id.clone(),
        role: draft.preview.role,
        reason: draft.reason.trim().to_string(),
        analyst: app.settings.analyst.clone(),
        policy: app.settings.promotion,
    };
    app.request(Tag::Promote, Request::Promote(Box::new(req)));
}

/// Compares every kind on the form's inputs and split, as `precre compare --save compare`.
fn start_comparison(app: &mut App) {
    let Some(mut req) = checked_form(app) else {
        return;
    };
    req.trained_by = Some(app.settings.analyst.clone());
    let req = crate::ops::compare::CompareRequest::every_kind(&req, 5, "compare");
    app.start_job(
        Tag::Compare,
        Request::Compare(Box::new(req)),
        "comparing every model kind".into(),
        true,
    );
    app.set_pane(Screen::Model, Pane::Compare.index());
    let msg = format!(
        "comparing every kind on the worker (5 folds each); {} cancels",
        app.key(Command::Cancel)
    );
    app.set_status(Level::Info, msg);
}

/// Monitors the active model by year (as `precre monitor --by year`), on the worker.
fn start_monitoring(app: &mut App) {
    app.set_pane(Screen::Model, Pane::Monitor.index());
    app.request(Tag::Monitor, Request::Monitor(Box::default()));
    app.set_status(Level::Info, "monitoring the active model on the worker");
}

/// After monitoring: its periods, the cursor on the latest.
pub fn monitored(app: &mut App, m: Box<crate::ops::monitor::Monitoring>) {
    app.model.monitor_cursor = m.periods.len().saturating_sub(1);
    app.model.monitoring = Some(m);
    app.set_pane(Screen::Model, Pane::Monitor.index());
}

/// After a comparison: its table.
pub fn compared(app: &mut App, c: Box<crate::ops::compare::Comparison>) {
    app.model.compare_cursor = 0;
    app.model.compare = Some(c);
    app.set_pane(Screen::Model, Pane::Compare.index());
}

/// A form field typed in the pop-up: kept, checked, and the cursor moves on when it is good.
pub fn set_field(app: &mut App, i: usize, text: String) {
    *app.model.form.get_mut(i) = text;
    app.model.error = match app.model.form.check() {
        Err((f, m)) if f == i => Some((f, m)),
        _ => None,
    };
    if app.model.error.is_none() && i + 1 < FORM_FIELDS.len() {
        app.model.field = i + 1;
    }
}

/// After a new model is trained: its metrics.
pub fn show_metrics(app: &mut App) {
    app.set_pane(Screen::Model, Pane::Metrics.index());
}

/// After a new model view arrives.
pub fn loaded(app: &mut App, view: Box<ModelView>) {
    app.model.models_cursor = app
        .model
        .models_cursor
        .min(view.models.len().saturating_sub(1));
    app.model.view = Some(view);
    app.model.tree_cursor = 0;
}
