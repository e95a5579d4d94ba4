//! The Triage screen's state and keys: the applications in a view (pending, referred to me,
//! referred, decided, all; `precre queue --state` / `--referred-to-me` print the same), the
//! headline counted from the store, the decision pop-up it opens, and undo of the analyst's own
//! last decision (`ops::decide`, as `precre decide` and `precre undo` run it).

mod draw;
pub use draw::{draw, draw_decision};

use crate::decisions::{DecisionError, DecisionInput, Verdict, MAX_REASONS};
use crate::ops::decide::DecideRequest;
use crate::store::decisions::{QueueCounts, QueueState};
use crate::tui::app::{App, Level, Screen, Tag};
use crate::tui::keymap::Command;
use crate::tui::popup::{DecisionDraft, Overlay};
use crate::tui::screens::clamp_move;
use crate::tui::worker::Request;
use crate::views::triage::QueueItem;

/// Which applications the screen lists (`v` cycles them).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum TriageView {
    #[default]
    Pending,
    ReferredToMe,
    Referred,
    Decided,
    All,
}

impl TriageView {
    pub const ALL: [TriageView; 5] = [
        TriageView::Pending,
        TriageView::ReferredToMe,
        TriageView::Referred,
        TriageView::Decided,
        TriageView::All,
    ];

    pub fn title(self) -> &'static str {
        match self {
            TriageView::Pending => "pending",
            TriageView::ReferredToMe => "referred to me",
            TriageView::Referred => "referred",
            TriageView::Decided => "decided",
            TriageView::All => "all",
        }
    }

    /// The next view in the cycle.
    pub fn next(self) -> TriageView {
        let i = TriageView::ALL.iter().position(|v| *v == self).unwrap_or(0);
        TriageView::ALL[(i + 1) % TriageView::ALL.len()]
    }

    /// The store's state for this view, for `analyst`.
    pub fn state(self, analyst: &str) -> QueueState {
        match self {
            TriageView::Pending => QueueState::Pending,
            TriageView::ReferredToMe => QueueState::ReferredTo(analyst.to_string()),
            TriageView::Referred => QueueState::Referred,
            TriageView::Decided => QueueState::Decided,
            TriageView::All => QueueState::All,
        }
    }
}

#[derive(Debug, Default)]
pub struct TriageScreen {
    pub queue: Vec<QueueItem>,
    pub loaded: bool,
    pub cursor: usize,
    pub view: TriageView,
    /// The headline's counts, read from the store with each load (every workbench on the
    /// store shows the same).
    pub counts: QueueCounts,
}

pub fn load(app: &mut App) {
    let state = app.triage.view.state(&app.settings.analyst);
    app.request(Tag::Queue, Request::Queue(state));
}

pub fn open(app: &mut App) {
    if !app.triage.loaded {
        load(app);
    }
}

/// The screen's own commands; `false` when `cmd` is not one of them.
pub fn command(app: &mut App, cmd: Command) -> bool {
    match cmd {
        Command::Approve => open_decision(app, Verdict::Approve),
        Command::Decline => open_decision(app, Verdict::Decline),
        Command::Refer => open_decision(app, Verdict::Refer),
        Command::Undo => undo(app),
        Command::TriageView => {
            app.triage.view = app.triage.view.next();
            app.triage.cursor = 0;
            load(app);
        }
        Command::Memo => memo(app),
        _ => return false,
    }
    true
}

pub fn move_by(app: &mut App, delta: i64) {
    app.triage.cursor = clamp_move(app.triage.cursor, delta, app.triage.queue.len());
}

/// Enter: the firm behind the application under the cursor (Esc comes back here).
pub fn select(app: &mut App) {
    if let Some(id) = app
        .triage
        .queue
        .get(app.triage.cursor)
        .map(|q| q.application.firm_id.clone())
    {
        app.firm.came_from = Some(Screen::Triage);
        app.screen = Screen::Firm;
        super::firm::load(app, id);
    }
}

fn open_decision(app: &mut App, verdict: Verdict) {
    let Some(item) = app.triage.queue.get(app.triage.cursor) else {
        let msg = format!(
            "no application in this view ({}); {} shows another",
            app.triage.view.title(),
            app.key(Command::TriageView)
        );
        return app.set_status(Level::Info, msg);
    };
    let mut reasons: Vec<String> = if verdict == Verdict::Decline {
        item.suggested_reasons()
    } else {
        Vec::new()
    };
    reasons.resize(MAX_REASONS, String::new());
    let against = item
        .model
        .as_ref()
        .is_some_and(|m| verdict.against(&m.predicted_class));
    app.overlay = Overlay::Decision(Box::new(DecisionDraft {
        verdict,
        application_id: item.application.id.clone(),
        firm: format!(
            "{} {}",
            item.application.firm_id, item.application.firm_name
        ),
        model: item.model.clone(),
        reasons,
        referred_to: String::new(),
        note: String::new(),
        override_reason: String::new(),
        against_model: against,
        field: 0,
        error: None,
    }));
}

/// Enter in the decision pop-up: the rules the store applies are checked first, so the pop-up
/// can say what is missing and put the cursor there; then the decision goes to the worker.
pub fn submit_decision(app: &mut App, draft: DecisionDraft) {
    let input = DecisionInput {
        application_id: draft.application_id.clone(),
        verdict: draft.verdict,
        analyst: app.settings.analyst.clone(),
        note: Some(draft.note.clone()),
        reasons: draft.reasons.clone(),
        reason_codes: Vec::new(),
        override_reason: Some(draft.override_reason.clone()),
        model: draft.model.clone(),
        // Filled in by the use case that records it (the worker's `ops::decide`).
        challenger: None,
        replace: false,
        referred_to: Some(draft.referred_to.clone()),
    };
    if let Err(e) = input.checked() {
        let mut d = draft;
        let names = d.field_names();
        d.field = match e {
            DecisionError::OverrideWithoutReason(_) => names.len() - 1,
            DecisionError::DeclineWithoutReason => 0,
            _ => d.field,
        };
        d.error = Some(e.to_string());
        app.overlay = Overlay::Decision(Box::new(d));
        return;
    }
    app.overlay = Overlay::None;
    let req = DecideRequest {
        application_id: draft.application_id.clone(),
        verdict: draft.verdict,
        analyst: app.settings.analyst.clone(),
        note: Some(draft.note),
        reasons: draft.reasons,
        override_reason: Some(draft.override_reason),
        replace: false,
        referred_to: Some(draft.referred_to),
    };
    app.request(Tag::Decide, Request::Decide(req));
    app.set_status(
        Level::Info,
        format!("saving the decision on {}", draft.application_id),
    );
}

/// The credit memo of the application under the cursor, to a new file in the export folder.
fn memo(app: &mut App) {
    let Some(item) = app.triage.queue.get(app.triage.cursor) else {
        return app.set_status(Level::Info, "the queue is empty");
    };
    let id = item.application.id.clone();
    let path = app
        .settings
        .export_dir
        .join(crate::ops::memo::default_name(&id));
    app.request(
        Tag::Memo,
        Request::Memo {
            application_id: id.clone(),
            path,
        },
    );
    app.set_status(Level::Info, format!("writing the credit memo of {id}"));
}

/// `u`: the analyst's own last decision, whichever session took it, within the undo window.
fn undo(app: &mut App) {
    let req = Request::UndoLast {
        analyst: app.settings.analyst.clone(),
        minutes: app.settings.undo_minutes,
    };
    app.request(Tag::Decide, req);
}
