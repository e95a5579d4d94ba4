//! One module per screen: each draws its part of the state into the body area.

pub mod export;
pub mod firm;
pub mod firms;
pub mod model;
pub mod pca;
pub mod portfolio;
pub mod triage;

use ratatui::layout::Rect;

/// Whether an area is large enough to show several panes at once.
pub fn roomy(area: Rect) -> bool {
    area.width >= 110 && area.height >= 30
}
