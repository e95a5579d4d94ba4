//! The Portfolio dashboard's state and loading (`precre portfolio` prints the same view).

mod draw;
pub use draw::draw;

use crate::tui::app::{App, Tag};
use crate::tui::worker::Request;
use crate::views::portfolio::Portfolio;

super::panes! {
    Overview => "Overview",
    Ratios => "Ratios",
    Closures => "Closures",
}

/// What the dashboard holds: the view once loaded.
#[derive(Debug, Default)]
pub struct PortfolioScreen {
    pub view: Option<Box<Portfolio>>,
}

/// Asks the worker for the dashboard.
pub fn load(app: &mut App) {
    app.request(Tag::Portfolio, Request::Portfolio);
}

/// On entering the screen: load it if nothing is shown.
pub fn open(app: &mut App) {
    if app.portfolio.view.is_none() {
        load(app);
    }
}
