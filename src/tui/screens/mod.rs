//! One folder per screen: its state, its keys and loading (`mod.rs`) and its drawing
//! (`draw.rs`, which only reads the state).

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

/// A screen's panes by name: `Pane::Tree` instead of pane number 1.
macro_rules! panes {
    ($($variant:ident => $title:expr),+ $(,)?) => {
        /// The panes of this screen, in the order `[` and `]` cycle them.
        #[derive(Debug, Clone, Copy, PartialEq, Eq)]
        pub enum Pane {
            $($variant),+
        }

        impl Pane {
            pub const ALL: &'static [Pane] = &[$(Pane::$variant),+];
            pub const TITLES: &'static [&'static str] = &[$($title),+];

            pub fn index(self) -> usize {
                Pane::ALL.iter().position(|p| *p == self).unwrap_or(0)
            }

            /// The pane at an index (the last one past the end).
            pub fn at(i: usize) -> Pane {
                Pane::ALL[i.min(Pane::ALL.len() - 1)]
            }
        }
    };
}
pub(crate) use panes;

/// Moves a cursor by `delta` within `0..len`.
pub fn clamp_move(pos: usize, delta: i64, len: usize) -> usize {
    if len == 0 {
        return 0;
    }
    (pos as i64).saturating_add(delta).clamp(0, len as i64 - 1) as usize
}
