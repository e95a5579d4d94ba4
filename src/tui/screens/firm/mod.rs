//! The Firm screen's state and keys: the firm shown (`precre firm ID` prints the same view)
//! and the scroll of its ratio table.

mod draw;
pub use draw::draw;

use crate::tui::app::{App, Level, Screen, Tag};
use crate::tui::keymap::Command;
use crate::tui::popup::{open_input, InputPurpose};
use crate::tui::screens::clamp_move;
use crate::tui::worker::Request;
use crate::views::firm::FirmDetail;

super::panes! {
    Ratios => "Ratios",
    Statements => "Statements",
    Model => "Model",
    Applications => "Applications",
}

#[derive(Debug, Default)]
pub struct FirmScreen {
    pub detail: Option<Box<FirmDetail>>,
    pub scroll: usize,
    /// The screen the firm was opened from (Esc goes back there; the Firms table otherwise).
    pub came_from: Option<Screen>,
}

/// Asks for a firm's facts (the screen shows them when they come).
pub fn load(app: &mut App, id: String) {
    app.firm.scroll = 0;
    app.request(Tag::Firm, Request::Firm(id));
}

/// Reloads the firm shown, if any.
pub fn refresh(app: &mut App) {
    if let Some(id) = app.firm.detail.as_ref().map(|f| f.firm.id.clone()) {
        load(app, id);
    }
}

/// On entering the screen: the firm under the Firms cursor, if none is shown.
pub fn open(app: &mut App) {
    if app.firm.detail.is_some() {
        return;
    }
    let first = app.firms.row(app.firms.cursor).map(|f| f.id.clone());
    match first {
        Some(id) => load(app, id),
        None => {
            let msg = format!(
                "choose a firm on the Firms screen (Enter), or {} to open one by id",
                app.key(Command::OpenFirm)
            );
            app.set_status(Level::Info, msg)
        }
    }
}

pub fn move_by(app: &mut App, delta: i64) {
    app.firm.scroll = clamp_move(app.firm.scroll, delta, 200);
}

/// Esc: back where the firm was opened from (Triage, say), else to the table.
pub fn back(app: &mut App) {
    match app.firm.came_from.take() {
        Some(Screen::Firm) | None => {
            app.screen = Screen::Firms;
            super::firms::open(app);
        }
        Some(screen) => crate::tui::update::switch(app, screen),
    }
}

/// The firm id typed in the open-firm pop-up.
pub fn open_by_id(app: &mut App, text: &str) {
    let id = text.trim().to_string();
    if !id.is_empty() {
        if app.screen != Screen::Firm {
            app.firm.came_from = Some(app.screen);
        }
        app.screen = Screen::Firm;
        load(app, id);
    }
}

/// `o`: asks for a firm id (from any screen).
pub fn ask_for_id(app: &mut App) {
    open_input(app, InputPurpose::OpenFirm, String::new());
}
