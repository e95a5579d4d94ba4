//! `update`: the one place the workbench's state changes, from a key, a worker reply or a
//! resize. Keys become commands through the keymap; global commands are handled here, the
//! others by the current screen's module (`screens/*/mod.rs`) or the open pop-up (`popup`).

use super::app::{App, Job, Level, Screen, StoreStart, Tag};
use super::keymap::Command;
use super::worker::{Envelope, Request};
use super::{popup, replies, screens};
use crossterm::event::{KeyCode, KeyEvent};

/// Everything that can happen to the workbench.
#[derive(Debug, Clone)]
pub enum Action {
    /// The first thing: check the store (loading the demo if empty) and load the dashboard.
    Start,
    Key(KeyEvent),
    Reply(Envelope),
    /// The window's new size (columns, rows).
    Resize(u16, u16),
}

pub fn update(app: &mut App, action: Action) {
    match action {
        Action::Start => match app.settings.start {
            StoreStart::Ask => {
                app.overlay = popup::Overlay::NewStore(app.settings.store_path.clone());
            }
            StoreStart::Open => bootstrap(app, false),
            StoreStart::Demo => bootstrap(app, true),
        },
        Action::Key(key) => on_key(app, key),
        Action::Reply(env) => replies::on_reply(app, env),
        Action::Resize(w, h) => {
            app.size = Some((w, h));
            screens::firms::ensure_pages(app)
        }
    }
}

/// Opens the store (the worker creates it where it does not exist), with the demo if asked.
pub fn bootstrap(app: &mut App, demo: bool) {
    let id = app.request(
        Tag::Bootstrap,
        Request::Bootstrap {
            demo,
            analyst: app.settings.analyst.clone(),
        },
    );
    app.job = Some(Job {
        id,
        label: "opening the store".into(),
        share: 0.0,
        text: if demo {
            "loading the demo portfolio".into()
        } else {
            "checking the store".into()
        },
        cancellable: false,
    });
}

fn on_key(app: &mut App, key: KeyEvent) {
    if key.kind == crossterm::event::KeyEventKind::Release {
        return;
    }
    if app.too_small() {
        return too_small_key(app, key);
    }
    if !matches!(app.overlay, popup::Overlay::None) {
        return popup::on_key(app, key);
    }
    let ctx = app.screen.context();
    match app.settings.keymap.lookup(ctx, &key) {
        Some(cmd) => run(app, cmd),
        None => {
            if let KeyCode::Char(c) = key.code {
                let msg = format!(
                    "'{c}' does nothing here; {} lists the keys",
                    app.key(Command::Help)
                );
                app.set_status(Level::Info, msg);
            }
        }
    }
}

/// Runs a command (from a key or the palette).
pub fn run(app: &mut App, cmd: Command) {
    use Command::*;
    match cmd {
        Quit => quit(app),
        Help => app.overlay = popup::Overlay::Help { scroll: 0 },
        Palette => {
            app.overlay = popup::Overlay::Palette {
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
        Cancel => cancel_job(app),
        OpenFirm => screens::firm::ask_for_id(app),
        other => {
            let handled = match app.screen {
                Screen::Firms => screens::firms::command(app, other),
                Screen::Pca => screens::pca::command(app, other),
                Screen::Model => screens::model::command(app, other),
                Screen::Triage => screens::triage::command(app, other),
                Screen::Export => screens::export::command(app, other),
                Screen::Portfolio | Screen::Firm => false,
            };
            if !handled {
                let msg = format!(
                    "that key belongs to another screen; {} lists this one's",
                    app.key(Command::Help)
                );
                app.set_status(Level::Info, msg);
            }
        }
    }
}

/// Quits, or asks first when something would be lost (the open pop-up comes back on "no").
fn quit(app: &mut App) {
    match app.would_lose() {
        Some(what) => {
            let back = std::mem::replace(&mut app.overlay, popup::Overlay::None);
            app.overlay = popup::Overlay::ConfirmQuit {
                what,
                back: Box::new(back),
            }
        }
        None => app.running = false,
    }
}

/// A key while the window is below the minimum size: quit (and the answer to its question)
/// acts; every other key is dropped, not kept for later, so nothing is decided or typed unseen.
fn too_small_key(app: &mut App, key: KeyEvent) {
    if matches!(app.overlay, popup::Overlay::ConfirmQuit { .. }) {
        return popup::on_key(app, key);
    }
    if app.settings.keymap.lookup_global(&key) == Some(Command::Quit) {
        quit(app);
    }
}

fn page(app: &App) -> usize {
    app.body_rows.get().saturating_sub(4).max(1)
}

/// Switches screens, loading what the new one shows if it has nothing yet.
pub fn switch(app: &mut App, screen: Screen) {
    app.screen = screen;
    if !matches!(app.status, Some((Level::Error, _))) {
        app.status = None;
    }
    match screen {
        Screen::Portfolio => screens::portfolio::open(app),
        Screen::Firms => screens::firms::open(app),
        Screen::Firm => screens::firm::open(app),
        Screen::Pca => screens::pca::open(app),
        Screen::Model => screens::model::open(app),
        Screen::Triage => screens::triage::open(app),
        Screen::Export => {}
    }
}

fn refresh(app: &mut App) {
    match app.screen {
        Screen::Portfolio => screens::portfolio::load(app),
        Screen::Firms => screens::firms::reload(app),
        Screen::Firm => screens::firm::refresh(app),
        Screen::Pca => screens::pca::load(app),
        Screen::Model => screens::model::load(app),
        Screen::Triage => screens::triage::load(app),
        Screen::Export => {}
    }
    app.set_status(Level::Info, "reloading from the store");
}

fn move_by(app: &mut App, delta: i64) {
    match app.screen {
        Screen::Firms => screens::firms::move_by(app, delta),
        Screen::Triage => screens::triage::move_by(app, delta),
        Screen::Firm => screens::firm::move_by(app, delta),
        Screen::Model => screens::model::move_by(app, delta),
        Screen::Export | Screen::Pca | Screen::Portfolio => {}
    }
}

fn left_right(app: &mut App, dir: i64) {
    if app.screen == Screen::Model && screens::model::left_right(app, dir) {
        return;
    }
    cycle_pane(app, dir);
}

fn cycle_pane(app: &mut App, dir: i64) {
    let n = app.screen.panes().len();
    if n == 0 {
        return;
    }
    let cur = app.pane_of(app.screen) as i64;
    app.set_pane(app.screen, ((cur + dir).rem_euclid(n as i64)) as usize);
}

fn select(app: &mut App) {
    match app.screen {
        Screen::Firms => screens::firms::select(app),
        Screen::Triage => screens::triage::select(app),
        Screen::Model => screens::model::select(app),
        Screen::Export => screens::export::start(app, false),
        Screen::Portfolio | Screen::Firm | Screen::Pca => {}
    }
}

fn back(app: &mut App) {
    if app.screen == Screen::Firm {
        screens::firm::back(app);
    }
    app.status = None;
}

/// Cancel: whatever job runs, from any screen.
fn cancel_job(app: &mut App) {
    match &app.job {
        Some(j) if j.cancellable => {
            let msg = format!("cancelling {}", j.label);
            app.set_status(Level::Info, msg);
            app.cancel_requested = true;
        }
        _ => app.set_status(Level::Info, "nothing to cancel"),
    }
}
