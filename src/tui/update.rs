//! `update`: the one place the workbench's state changes, from a key, a worker reply or a resize.
//! Keys become commands through the keymap; what needs the store becomes a request to the worker.

use super::app::*;
use super::keymap::Command;
use super::tree_view;
use super::worker::{Envelope, ExportTarget, Reply, Request};
use crate::decisions::{DecisionInput, Verdict, MAX_REASONS};
use crate::store::firms::FirmQuery;
use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};

/// Everything that can happen to the workbench.
#[derive(Debug, Clone)]
pub enum Action {
    /// The first thing: check the store (loading the demo if empty) and load the dashboard.
    Start,
    Key(KeyEvent),
    Reply(Envelope),
    Resize,
}

pub fn update(app: &mut App, action: Action) {
    match action {
        Action::Start => {
            app.job = Some(Job {
                id: 0,
                label: "opening the store".into(),
                share: 0.0,
                text: "checking the store".into(),
                cancellable: false,
            });
            let id = app.request(Tag::Bootstrap, Request::Bootstrap);
            if let Some(j) = &mut app.job {
                j.id = id;
            }
        }
        Action::Key(key) => on_key(app, key),
        Action::Reply(env) => on_reply(app, env),
        Action::Resize => ensure_firm_pages(app),
    }
}

fn on_key(app: &mut App, key: KeyEvent) {
    if key.kind == crossterm::event::KeyEventKind::Release {
        return;
    }
    if !matches!(app.overlay, Overlay::None) {
        return on_overlay_key(app, key);
    }
    let ctx = app.screen.context();
    match app.settings.keymap.lookup(ctx, &key) {
        Some(cmd) => run(app, cmd),
        None => {
            if let KeyCode::Char(c) = key.code {
                app.set_status(
                    Level::Info,
                    format!("'{c}' does nothing here; ? lists the keys"),
                );
            }
        }
    }
}

/// Runs a command (from a key or the palette).
pub fn run(app: &mut App, cmd: Command) {
    use Command::*;
    match cmd {
        Quit => match app.would_lose() {
            Some(what) => app.overlay = Overlay::ConfirmQuit(what),
            None => app.running = false,
        },
        Help => app.overlay = Overlay::Help { scroll: 0 },
        Palette => {
            app.overlay = Overlay::Palette {
                input: String::new(),
                selected: 0,
            }
        }
        NextScreen => switch(
            app,
            Screen::ALL[(app.screen.index() + 1) % Screen::ALL.len()],
        ),
        PrevScreen => switch(
            app,
            Screen::ALL[(app.screen.index() + Screen::ALL.len() - 1) % Screen::ALL.len()],
        ),
        GoPortfolio => switch(app, Screen::Portfolio),
        GoFirms => switch(app, Screen::Firms),
        GoFirm => switch(app, Screen::Firm),
        GoPca => switch(app, Screen::Pca),
        GoModel => switch(app, Screen::Model),
        GoTriage => switch(app, Screen::Triage),
        GoExport => switch(app, Screen::Export),
        Up => move_by(app, -1),
        Down => move_by(app, 1),
        PageUp => move_by(app, -(page(app) as i64)),
        PageDown => move_by(app, page(app) as i64),
        Top => move_by(app, i64::MIN / 2),
        Bottom => move_by(app, i64::MAX / 2),
        Left => left_right(app, -1),
        Right => left_right(app, 1),
        NextPane => cycle_pane(app, 1),
        PrevPane => cycle_pane(app, -1),
        Select => select(app),
        Back => back(app),
        Refresh => refresh(app),
        Search if app.screen == Screen::Firms => open_input(
            app,
            InputPurpose::Search,
            app.firms.search.clone().unwrap_or_default(),
        ),
        Filter if app.screen == Screen::Firms => {
            open_input(app, InputPurpose::Filter, app.firms.filter_text.clone())
        }
        Columns if app.screen == Screen::Firms => open_input(
            app,
            InputPurpose::Columns,
            app.firms.ratio_columns.join(","),
        ),
        ClearFilter if app.screen == Screen::Firms => {
            app.firms.search = None;
            app.firms.filter = None;
            app.firms.filter_text.clear();
            reload_firms(app);
            app.set_status(Level::Info, "search and filter cleared");
        }
        SortNext if app.screen == Screen::Firms => {
            let n = app.firms.sort_columns().len();
            app.firms.sort = (app.firms.sort + 1) % n;
            reload_firms(app);
        }
        SortReverse if app.screen == Screen::Firms => {
            app.firms.descending = !app.firms.descending;
            reload_firms(app);
        }
        OpenFirm => open_input(app, InputPurpose::OpenFirm, String::new()),
        MoreComponents | FewerComponents if app.screen == Screen::Pca => {
            if let Some(p) = &app.pca {
                let n = p.report.sdev.len().max(1);
                let k = app.pca_k.unwrap_or(p.report.k) as i64
                    + if cmd == MoreComponents { 1 } else { -1 };
                app.pca_k = Some(k.clamp(1, n as i64) as usize);
            }
        }
        NextRule if app.screen == Screen::Pca => {
            app.pca_rule = (app.pca_rule + 1) % PCA_RULES.len();
            app.pca_k = None;
            load_pca(app);
        }
        NextSelection if app.screen == Screen::Pca => {
            app.pca_selection = (app.pca_selection + 1) % PCA_SELECTIONS.len();
            app.pca_k = None;
            load_pca(app);
        }
        Train if app.screen == Screen::Model => start_training(app),
        Cancel => cancel_job(app),
        Activate if app.screen == Screen::Model => activate_selected(app),
        ToggleNode if app.screen == Screen::Model => toggle_node(app),
        Approve | Decline | Refer if app.screen == Screen::Triage => {
            let verdict = match cmd {
                Approve => Verdict::Approve,
                Decline => Verdict::Decline,
                _ => Verdict::Refer,
            };
            open_decision(app, verdict);
        }
        Undo if app.screen == Screen::Triage => undo(app),
        ExportWhat if app.screen == Screen::Export => {
            app.export_what = match app.export_what {
                ExportTarget::Decisions => ExportTarget::Predictions,
                ExportTarget::Predictions => ExportTarget::Ratios,
                ExportTarget::Ratios => ExportTarget::Decisions,
            };
            app.export_path = None;
        }
        ExportFormat if app.screen == Screen::Export => {
            app.export_format = (app.export_format + 1) % EXPORT_FORMATS.len();
            app.export_path = None;
        }
        EditPath if app.screen == Screen::Export => {
            let p = app.export_file().display().to_string();
            open_input(app, InputPurpose::ExportPath, p)
        }
        RunExport if app.screen == Screen::Export => start_export(app, false),
        _ => app.set_status(
            Level::Info,
            format!(
                "that key belongs to another screen; {} lists this one's",
                app.settings.keymap.key_of(Command::Help)
            ),
        ),
    }
}

fn page(app: &App) -> usize {
    app.body_rows.get().saturating_sub(4).max(1)
}

fn open_input(app: &mut App, purpose: InputPurpose, text: String) {
    app.overlay = Overlay::Input { purpose, text };
}

/// Switches screens, loading what the new one shows if it has nothing yet.
pub fn switch(app: &mut App, screen: Screen) {
    app.screen = screen;
    if !matches!(app.status, Some((Level::Error, _))) {
        app.status = None;
    }
    match screen {
        Screen::Portfolio if app.portfolio.is_none() => {
            app.request(Tag::Portfolio, Request::Portfolio);
        }
        Screen::Firms if app.firms.total.is_none() => reload_firms(app),
        Screen::Firm if app.firm.is_none() => {
            let first = app.firms.row(app.firms.cursor).map(|f| f.id.clone());
            match first {
                Some(id) => load_firm(app, id),
                None => app.set_status(
                    Level::Info,
                    "choose a firm on the Firms screen (Enter), or o to open one by id",
                ),
            }
        }
        Screen::Pca if app.pca.is_none() => load_pca(app),
        Screen::Model if app.model.is_none() => {
            app.request(Tag::Model, Request::Model);
        }
        Screen::Triage if !app.queue_loaded => {
            app.request(Tag::Queue, Request::Queue);
        }
        _ => {}
    }
}

fn refresh(app: &mut App) {
    match app.screen {
        Screen::Portfolio => {
            app.request(Tag::Portfolio, Request::Portfolio);
        }
        Screen::Firms => reload_firms(app),
        Screen::Firm => {
            if let Some(id) = app.firm.as_ref().map(|f| f.firm.id.clone()) {
                load_firm(app, id);
            }
        }
        Screen::Pca => load_pca(app),
        Screen::Model => {
            app.request(Tag::Model, Request::Model);
        }
        Screen::Triage => {
            app.request(Tag::Queue, Request::Queue);
        }
        Screen::Export => {}
    }
    app.set_status(Level::Info, "reloading from the store");
}

fn load_firm(app: &mut App, id: String) {
    app.firm_scroll = 0;
    app.request(Tag::Firm, Request::Firm(id));
}

fn load_pca(app: &mut App) {
    app.request(
        Tag::Pca,
        Request::Pca {
            selection: PCA_SELECTIONS[app.pca_selection].to_string(),
            rule: PCA_RULES[app.pca_rule],
        },
    );
}

/// The firm query of the table's current sort, search and filter.
pub fn firm_query(app: &App) -> FirmQuery {
    let cols = app.firms.sort_columns();
    FirmQuery {
        search: app.firms.search.clone(),
        sort: Some(cols[app.firms.sort.min(cols.len() - 1)].to_string()),
        descending: app.firms.descending,
        filter: app.firms.filter.clone(),
        ratios: app.firms.ratio_columns.clone(),
        ..Default::default()
    }
}

/// Forgets the fetched pages and asks for the count and the first pages again.
pub fn reload_firms(app: &mut App) {
    let f = &mut app.firms;
    f.generation += 1;
    f.pages.clear();
    f.requested.clear();
    f.total = None;
    f.cursor = 0;
    f.top = 0;
    let q = firm_query(app);
    let gen = app.firms.generation;
    app.request(Tag::FirmsCount(gen), Request::FirmsCount(q));
    ensure_firm_pages(app);
}

/// Requests the pages the table shows (and the next one), not yet fetched or asked for.
pub fn ensure_firm_pages(app: &mut App) {
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
        let mut q = firm_query(app);
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

fn clamp_move(pos: usize, delta: i64, len: usize) -> usize {
    if len == 0 {
        return 0;
    }
    (pos as i64).saturating_add(delta).clamp(0, len as i64 - 1) as usize
}

fn move_by(app: &mut App, delta: i64) {
    match app.screen {
        Screen::Firms => {
            let total = app.firms.total.unwrap_or(0);
            app.firms.cursor = clamp_move(app.firms.cursor, delta, total);
            let rows = app.body_rows.get().saturating_sub(3).max(1);
            if app.firms.cursor < app.firms.top {
                app.firms.top = app.firms.cursor;
            } else if app.firms.cursor >= app.firms.top + rows {
                app.firms.top = app.firms.cursor + 1 - rows;
            }
            ensure_firm_pages(app);
        }
        Screen::Triage => {
            app.queue_cursor = clamp_move(app.queue_cursor, delta, app.queue.len());
        }
        Screen::Firm => {
            app.firm_scroll = clamp_move(app.firm_scroll, delta, 200);
        }
        Screen::Model => match app.pane_of(Screen::Model) {
            0 => app.form_field = clamp_move(app.form_field, delta, 9),
            1 => {
                let n = app
                    .model
                    .as_ref()
                    .and_then(|m| m.active.as_ref())
                    .map(|rec| {
                        tree_view::visible(&rec.pipeline.tree, &input_names(rec), &app.collapsed)
                            .len()
                    })
                    .unwrap_or(0);
                app.tree_cursor = clamp_move(app.tree_cursor, delta, n);
            }
            6 => {
                let n = app.model.as_ref().map_or(0, |m| m.models.len());
                app.models_cursor = clamp_move(app.models_cursor, delta, n);
            }
            _ => app.model_scroll = clamp_move(app.model_scroll, delta, 100),
        },
        Screen::Export => {}
        Screen::Pca | Screen::Portfolio => {}
    }
}

/// The tree's input names: features, or components.
pub fn input_names(rec: &crate::model::registry::ModelRecord) -> Vec<String> {
    match &rec.pipeline.pca {
        Some(stage) => (1..=stage.k).map(|c| format!("PC{c}")).collect(),
        None => rec.pipeline.features.clone(),
    }
}

fn left_right(app: &mut App, dir: i64) {
    if app.screen == Screen::Model && app.pane_of(Screen::Model) == 1 {
        // In the tree: left folds, right unfolds.
        if let Some(node) = tree_node_at_cursor(app) {
            if dir < 0 {
                app.collapsed.insert(node);
            } else {
                app.collapsed.remove(&node);
            }
        }
        return;
    }
    cycle_pane(app, dir);
}

fn tree_node_at_cursor(app: &App) -> Option<usize> {
    let rec = app.model.as_ref()?.active.as_ref()?;
    tree_view::visible(&rec.pipeline.tree, &input_names(rec), &app.collapsed)
        .get(app.tree_cursor)
        .map(|l| l.node)
}

fn toggle_node(app: &mut App) {
    if let Some(node) = tree_node_at_cursor(app) {
        if !app.collapsed.remove(&node) {
            app.collapsed.insert(node);
        }
    }
}

fn cycle_pane(app: &mut App, dir: i64) {
    let n = app.screen.panes().len();
    if n == 0 {
        return;
    }
    let cur = app.pane_of(app.screen) as i64;
    app.pane
        .insert(app.screen, ((cur + dir).rem_euclid(n as i64)) as usize);
}

fn select(app: &mut App) {
    match app.screen {
        Screen::Firms => {
            if let Some(id) = app.firms.row(app.firms.cursor).map(|f| f.id.clone()) {
                app.screen = Screen::Firm;
                load_firm(app, id);
            }
        }
        Screen::Triage => {
            if let Some(id) = app
                .queue
                .get(app.queue_cursor)
                .map(|q| q.application.firm_id.clone())
            {
                app.screen = Screen::Firm;
                load_firm(app, id);
            }
        }
        Screen::Model => match app.pane_of(Screen::Model) {
            0 => {
                let text = app.form.get(app.form_field).to_string();
                open_input(app, InputPurpose::FormField(app.form_field), text);
            }
            1 => toggle_node(app),
            6 => activate_selected(app),
            _ => {}
        },
        Screen::Export => start_export(app, false),
        _ => {}
    }
}

fn back(app: &mut App) {
    if app.screen == Screen::Firm {
        app.screen = Screen::Firms;
        if app.firms.total.is_none() {
            reload_firms(app);
        }
    }
    app.status = None;
}

fn start_training(app: &mut App) {
    if app.job.is_some() {
        return app.set_status(Level::Error, "a job is running; wait, or x to cancel it");
    }
    match app.form.check() {
        Err((field, message)) => {
            app.form_field = field;
            app.pane.insert(Screen::Model, 0);
            app.set_status(
                Level::Error,
                format!("{}: {message}", crate::views::model::FORM_FIELDS[field]),
            );
            app.form_error = Some((field, message));
        }
        Ok(job) => {
            app.form_error = None;
            let id = app.request(Tag::Train, Request::Train(job));
            app.job = Some(Job {
                id,
                label: "training".into(),
                share: 0.0,
                text: "starting".into(),
                cancellable: true,
            });
            app.set_status(Level::Info, "training on the worker; x cancels");
        }
    }
}

fn cancel_job(app: &mut App) {
    match &app.job {
        Some(j) if j.cancellable => {
            app.set_status(Level::Info, format!("cancelling {}", j.label));
            app.cancel_requested = true;
        }
        _ => app.set_status(Level::Info, "nothing to cancel"),
    }
}

fn activate_selected(app: &mut App) {
    if app.pane_of(Screen::Model) != 6 {
        app.pane.insert(Screen::Model, 6);
        return app.set_status(Level::Info, "choose a model, then A or Enter");
    }
    if let Some(id) = app
        .model
        .as_ref()
        .and_then(|m| m.models.get(app.models_cursor))
        .map(|m| m.id.clone())
    {
        app.request(Tag::Activate, Request::Activate(id));
    }
}

fn open_decision(app: &mut App, verdict: Verdict) {
    let Some(item) = app.queue.get(app.queue_cursor) else {
        return app.set_status(Level::Info, "the queue is empty");
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
        note: String::new(),
        override_reason: String::new(),
        against_model: against,
        field: 0,
        error: None,
    }));
}

fn submit_decision(app: &mut App, draft: DecisionDraft) {
    let input = DecisionInput {
        application_id: draft.application_id.clone(),
        verdict: draft.verdict,
        analyst: app.settings.analyst.clone(),
        note: Some(draft.note.clone()),
        reasons: draft.reasons.clone(),
        override_reason: Some(draft.override_reason.clone()),
        model: draft.model.clone(),
        replace: false,
    };
    // The same rules the store applies, checked first so the overlay can say what is missing.
    match input.clone().checked() {
        Err(e) => {
            let mut d = draft;
            // Put the cursor where the missing text goes.
            let names = d.field_names();
            d.field = match e {
                crate::decisions::DecisionError::OverrideWithoutReason(_) => names.len() - 1,
                crate::decisions::DecisionError::DeclineWithoutReason => 0,
                _ => d.field,
            };
            d.error = Some(e.to_string());
            app.overlay = Overlay::Decision(Box::new(d));
        }
        Ok(_) => {
            app.overlay = Overlay::None;
            app.request(Tag::Decide, Request::Decide(input));
            app.set_status(
                Level::Info,
                format!("saving the decision on {}", draft.application_id),
            );
        }
    }
}

fn undo(app: &mut App) {
    match app.session_decisions.last().cloned() {
        None => app.set_status(Level::Info, "no decision of this session to undo"),
        Some(id) => {
            app.request(
                Tag::Decide,
                Request::Undo {
                    application_id: id,
                    analyst: app.settings.analyst.clone(),
                },
            );
        }
    }
}

fn start_export(app: &mut App, force: bool) {
    if app.job.is_some() {
        return app.set_status(Level::Error, "a job is running; wait, or x to cancel it");
    }
    let path = app.export_file();
    let id = app.request(
        Tag::Export,
        Request::Export {
            what: app.export_what,
            path: path.clone(),
            force,
        },
    );
    app.job = Some(Job {
        id,
        label: format!("export of {}", app.export_what.as_str()),
        share: 0.0,
        text: format!("writing {}", path.display()),
        cancellable: true,
    });
}

fn on_overlay_key(app: &mut App, key: KeyEvent) {
    let overlay = std::mem::replace(&mut app.overlay, Overlay::None);
    let ctrl_c = key.code == KeyCode::Char('c') && key.modifiers.contains(KeyModifiers::CONTROL);
    app.overlay = match overlay {
        Overlay::None => Overlay::None,
        Overlay::Help { scroll } => match key.code {
            KeyCode::Down | KeyCode::Char('j') => Overlay::Help { scroll: scroll + 1 },
            KeyCode::Up | KeyCode::Char('k') => Overlay::Help {
                scroll: scroll.saturating_sub(1),
            },
            KeyCode::PageDown | KeyCode::Char(' ') => Overlay::Help {
                scroll: scroll + 10,
            },
            KeyCode::PageUp => Overlay::Help {
                scroll: scroll.saturating_sub(10),
            },
            _ => Overlay::None,
        },
        Overlay::ConfirmQuit(what) => match key.code {
            KeyCode::Char('y') | KeyCode::Char('Y') => {
                app.running = false;
                Overlay::None
            }
            KeyCode::Char('n') | KeyCode::Esc | KeyCode::Char('N') => Overlay::None,
            _ => Overlay::ConfirmQuit(what),
        },
        Overlay::ConfirmOverwrite(path) => match key.code {
            KeyCode::Char('y') | KeyCode::Char('Y') => {
                app.overlay = Overlay::None;
                start_export(app, true);
                return;
            }
            KeyCode::Char('n') | KeyCode::Esc | KeyCode::Char('N') => {
                app.set_status(Level::Info, "export cancelled; p changes the path");
                Overlay::None
            }
            _ => Overlay::ConfirmOverwrite(path),
        },
        Overlay::Palette {
            mut input,
            selected,
        } => {
            let matches = palette_matches(app, &input);
            match key.code {
                KeyCode::Esc => Overlay::None,
                _ if ctrl_c => Overlay::None,
                KeyCode::Enter => {
                    if let Some(&(ctx, cmd)) = matches.get(selected) {
                        if let Some(s) = Screen::ALL.iter().find(|s| s.context() == ctx) {
                            if ctx != super::keymap::Context::Global && app.screen != *s {
                                switch(app, *s);
                            }
                        }
                        run(app, cmd);
                        return;
                    }
                    Overlay::None
                }
                KeyCode::Down => Overlay::Palette {
                    selected: (selected + 1).min(matches.len().saturating_sub(1)),
                    input,
                },
                KeyCode::Up => Overlay::Palette {
                    selected: selected.saturating_sub(1),
                    input,
                },
                KeyCode::Backspace => {
                    input.pop();
                    Overlay::Palette { input, selected: 0 }
                }
                KeyCode::Char(c) => {
                    input.push(c);
                    Overlay::Palette { input, selected: 0 }
                }
                _ => Overlay::Palette { input, selected },
            }
        }
        Overlay::Input { purpose, mut text } => match key.code {
            KeyCode::Esc => Overlay::None,
            _ if ctrl_c => Overlay::None,
            KeyCode::Enter => {
                submit_input(app, purpose, text);
                return;
            }
            KeyCode::Backspace => {
                text.pop();
                Overlay::Input { purpose, text }
            }
            KeyCode::Char('u') if key.modifiers.contains(KeyModifiers::CONTROL) => Overlay::Input {
                purpose,
                text: String::new(),
            },
            KeyCode::Char(c) => {
                text.push(c);
                Overlay::Input { purpose, text }
            }
            _ => Overlay::Input { purpose, text },
        },
        Overlay::Decision(mut d) => {
            let n = d.field_names().len();
            match key.code {
                KeyCode::Esc => {
                    app.set_status(Level::Info, "decision not taken");
                    Overlay::None
                }
                _ if ctrl_c => Overlay::None,
                KeyCode::Enter => {
                    submit_decision(app, *d);
                    return;
                }
                KeyCode::Tab | KeyCode::Down => {
                    d.field = (d.field + 1) % n;
                    Overlay::Decision(d)
                }
                KeyCode::BackTab | KeyCode::Up => {
                    d.field = (d.field + n - 1) % n;
                    Overlay::Decision(d)
                }
                KeyCode::Backspace => {
                    let f = d.field;
                    d.field_mut(f).pop();
                    Overlay::Decision(d)
                }
                KeyCode::Char('u') if key.modifiers.contains(KeyModifiers::CONTROL) => {
                    let f = d.field;
                    d.field_mut(f).clear();
                    Overlay::Decision(d)
                }
                KeyCode::Char(c) => {
                    let f = d.field;
                    d.field_mut(f).push(c);
                    d.error = None;
                    Overlay::Decision(d)
                }
                _ => Overlay::Decision(d),
            }
        }
    };
}

/// The palette's commands matching the typed text (name or help), this screen's first.
pub fn palette_matches(app: &App, input: &str) -> Vec<(super::keymap::Context, Command)> {
    let needle = input.to_ascii_lowercase();
    let mut v: Vec<(super::keymap::Context, Command)> = app
        .settings
        .keymap
        .bindings
        .iter()
        .filter(|b| {
            needle.is_empty()
                || b.name.contains(&needle)
                || b.help.to_ascii_lowercase().contains(&needle)
        })
        .map(|b| (b.context, b.command))
        .collect();
    let here = app.screen.context();
    v.sort_by_key(|(c, _)| *c != here);
    v
}

fn submit_input(app: &mut App, purpose: InputPurpose, text: String) {
    match purpose {
        InputPurpose::Search => {
            let t = text.trim();
            app.firms.search = (!t.is_empty()).then(|| t.to_string());
            reload_firms(app);
        }
        InputPurpose::Filter => match crate::filter::parse(&text) {
            Ok(expr) => {
                app.firms.filter = expr;
                app.firms.filter_text = text.trim().to_string();
                reload_firms(app);
                app.set_status(
                    Level::Info,
                    if app.firms.filter.is_some() {
                        format!("filter: {}", app.firms.filter_text)
                    } else {
                        "filter cleared".into()
                    },
                );
            }
            Err(e) => {
                app.set_status(Level::Error, e.to_string());
                app.overlay = Overlay::Input { purpose, text };
            }
        },
        InputPurpose::Columns => {
            let mut cols = Vec::new();
            for id in text.split(',').map(str::trim).filter(|s| !s.is_empty()) {
                match crate::finance::catalogue::find(id) {
                    Some((_, r)) => cols.push(r.id),
                    None => {
                        app.set_status(Level::Error, format!("'{id}' is not a ratio id"));
                        app.overlay = Overlay::Input { purpose, text };
                        return;
                    }
                }
            }
            app.firms.ratio_columns = cols;
            app.firms.sort = 0;
            reload_firms(app);
        }
        InputPurpose::OpenFirm => {
            let id = text.trim().to_string();
            if !id.is_empty() {
                app.screen = Screen::Firm;
                load_firm(app, id);
            }
        }
        InputPurpose::ExportPath => {
            let t = text.trim();
            app.export_path = (!t.is_empty()).then(|| std::path::PathBuf::from(t));
        }
        InputPurpose::FormField(i) => {
            *app.form.get_mut(i) = text;
            app.form_error = match app.form.check() {
                Err((f, m)) if f == i => Some((f, m)),
                _ => None,
            };
            if app.form_error.is_none() && i + 1 < crate::views::model::FORM_FIELDS.len() {
                app.form_field = i + 1;
            }
        }
    }
}

fn on_reply(app: &mut App, env: Envelope) {
    let Some(tag) = app.tags.remove(&env.job) else {
        return;
    };
    if let Reply::Progress { share, text } = env.reply {
        app.tags.insert(env.job, tag);
        if let Some(j) = app.job.as_mut().filter(|j| j.id == env.job) {
            j.share = share;
            j.text = text;
        }
        return;
    }
    if app.job.as_ref().is_some_and(|j| j.id == env.job) {
        app.job = None;
    }
    // A reply to a request that a newer one of its kind replaced is dropped.
    if app.latest.get(&tag) != Some(&env.job) {
        return;
    }
    match (tag, env.reply) {
        (_, Reply::Error(e)) => {
            if tag == Tag::Export {
                app.export_result = Some((Level::Error, e.clone()));
            }
            if tag == Tag::Decide {
                // Another analyst may have decided it meanwhile: show the queue as it is now.
                app.request(Tag::Queue, Request::Queue);
            }
            app.set_status(Level::Error, e);
            if let Tag::FirmsPage(gen, p) = tag {
                if gen == app.firms.generation {
                    app.firms.requested.remove(&p);
                }
            }
        }
        (Tag::Bootstrap, Reply::Bootstrapped(notice)) => {
            if let Some(n) = notice {
                app.set_status(Level::Success, n.clone());
                app.notice = Some(n);
            }
            app.request(Tag::Portfolio, Request::Portfolio);
        }
        (Tag::Portfolio, Reply::Portfolio(p)) => app.portfolio = Some(p),
        (Tag::FirmsCount(gen), Reply::FirmsCount(n)) if gen == app.firms.generation => {
            app.firms.total = Some(n);
            if n == 0 {
                app.set_status(
                    Level::Info,
                    "no firm matches; F clears the search and filter",
                );
            }
        }
        (Tag::FirmsPage(gen, p), Reply::FirmsPage { rows, .. }) if gen == app.firms.generation => {
            app.firms.requested.remove(&p);
            app.firms.pages.insert(p, rows);
        }
        (Tag::Firm, Reply::Firm(f)) => app.firm = Some(f),
        (Tag::Pca, Reply::Pca(p)) => app.pca = Some(p),
        (Tag::Model, Reply::Model(m)) => {
            app.models_cursor = app.models_cursor.min(m.models.len().saturating_sub(1));
            app.model = Some(m);
            app.tree_cursor = 0;
        }
        (Tag::Queue, Reply::Queue(q)) => {
            app.queue = q;
            app.queue_loaded = true;
            app.queue_cursor = app.queue_cursor.min(app.queue.len().saturating_sub(1));
        }
        (Tag::Decide, Reply::Decided(rec)) => {
            app.session_decisions.push(rec.application_id.clone());
            app.decided_count += 1;
            app.set_status(
                Level::Success,
                format!(
                    "saved: {} {} by {} at {}",
                    rec.application_id, rec.decision, rec.analyst, rec.decided_at
                ),
            );
            app.queue.retain(|q| q.application.id != rec.application_id);
            app.queue_cursor = app.queue_cursor.min(app.queue.len().saturating_sub(1));
            invalidate_after_decision(app);
        }
        (Tag::Decide, Reply::Undone(rec)) => {
            app.session_decisions.pop();
            app.decided_count = app.decided_count.saturating_sub(1);
            app.set_status(
                Level::Success,
                format!("undone: {} is pending again", rec.application_id),
            );
            app.request(Tag::Queue, Request::Queue);
            invalidate_after_decision(app);
        }
        (Tag::Train, Reply::Trained(rec)) => {
            app.set_status(
                Level::Success,
                format!(
                    "model {} '{}' trained and active: accuracy {:.1}%, test error {:.1}% ({} the 15% bar)",
                    rec.id,
                    rec.name,
                    rec.metrics.accuracy * 100.0,
                    rec.metrics.test_error * 100.0,
                    if rec.metrics.passes_15_percent_bar { "passes" } else { "fails" }
                ),
            );
            app.pane.insert(Screen::Model, 2);
            after_model_change(app);
        }
        (Tag::Train | Tag::Export, Reply::Cancelled) => {
            app.set_status(Level::Info, "cancelled; nothing was saved");
        }
        (Tag::Activate, Reply::Activated(id)) => {
            app.set_status(Level::Success, format!("model {id} is now active"));
            after_model_change(app);
        }
        (Tag::Export, Reply::Exported { path, rows }) => {
            let text = format!("{rows} rows written to {}", path.display());
            app.export_result = Some((Level::Success, text.clone()));
            app.set_status(Level::Success, text);
        }
        (Tag::Export, Reply::ExportExists(path)) => {
            app.overlay = Overlay::ConfirmOverwrite(path);
        }
        _ => {}
    }
}

/// After a decision or an undo: the dashboard's and the firm's facts are stale.
fn invalidate_after_decision(app: &mut App) {
    app.portfolio = None;
    if let Some(id) = app.firm.as_ref().map(|f| f.firm.id.clone()) {
        app.request(Tag::Firm, Request::Firm(id));
        // Stay on triage: the reply would switch screens.
    }
}

/// After a new active model: every screen that shows predictions reloads.
fn after_model_change(app: &mut App) {
    app.collapsed.clear();
    app.request(Tag::Model, Request::Model);
    app.request(Tag::Queue, Request::Queue);
    app.portfolio = None;
    app.firm = None;
    app.firms.total = None;
    if app.screen == Screen::Portfolio {
        app.request(Tag::Portfolio, Request::Portfolio);
    }
}
