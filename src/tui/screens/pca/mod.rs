//! The PCA screen's state and keys: the ratio family, the rule for k, a k chosen by hand; and
//! the screening of the same ratios (VIF, IV, correlation heat map) in panes of its own.

mod draw;
mod screening;
pub use draw::draw;

use crate::analysis::screen::Screening;
use crate::analysis::KRule;
use crate::tui::app::{App, Tag};
use crate::tui::keymap::Command;
use crate::tui::worker::Request;
use crate::views::pca::PcaView;

super::panes! {
    Importance => "Importance",
    Scree => "Scree",
    Loadings => "Loadings",
    Scatter => "Scatter",
    Screening => "Screening",
    Correlation => "Correlation",
}

/// The rules for k the screen cycles through.
pub const PCA_RULES: [KRule; 4] = [
    KRule::Kaiser,
    KRule::Cumulative(0.80),
    KRule::Cumulative(0.90),
    KRule::Cumulative(0.95),
];
/// The ratio selections the screen cycles through.
pub const PCA_SELECTIONS: [&str; 7] = [
    "all",
    "profitability",
    "activity",
    "stability",
    "liquidity",
    "growth",
    "cash",
];

#[derive(Debug)]
pub struct PcaScreen {
    pub view: Option<Box<PcaView>>,
    /// The screening of the same ratios (`ops::screen`, as `precre screen --ratios`).
    pub screening: Option<Box<Screening>>,
    /// Index into [`PCA_RULES`].
    pub rule: usize,
    /// Index into [`PCA_SELECTIONS`].
    pub selection: usize,
    /// A k the analyst chose with + and - (else the rule's).
    pub k: Option<usize>,
}

impl Default for PcaScreen {
    fn default() -> Self {
        PcaScreen {
            view: None,
            screening: None,
            rule: 2,
            selection: 0,
            k: None,
        }
    }
}

/// Loads the components and the screening of the selected ratios.
pub fn load(app: &mut App) {
    load_components(app);
    app.pca.screening = None;
    app.request(
        Tag::Screen,
        Request::Screen {
            selection: PCA_SELECTIONS[app.pca.selection].to_string(),
        },
    );
}

/// Loads the components alone (the rule for k changed; the screening does not depend on it).
fn load_components(app: &mut App) {
    app.request(
        Tag::Pca,
        Request::Pca {
            selection: PCA_SELECTIONS[app.pca.selection].to_string(),
            rule: PCA_RULES[app.pca.rule],
        },
    );
}

pub fn open(app: &mut App) {
    if app.pca.view.is_none() {
        load(app);
    }
}

/// The screen's own commands; `false` when `cmd` is not one of them.
pub fn command(app: &mut App, cmd: Command) -> bool {
    match cmd {
        Command::MoreComponents | Command::FewerComponents => {
            if let Some(p) = &app.pca.view {
                let n = p.report.sdev.len().max(1);
                let k = app.pca.k.unwrap_or(p.report.k) as i64
                    + if cmd == Command::MoreComponents {
                        1
                    } else {
                        -1
                    };
                app.pca.k = Some(k.clamp(1, n as i64) as usize);
            }
        }
        Command::NextRule => {
            app.pca.rule = (app.pca.rule + 1) % PCA_RULES.len();
            app.pca.k = None;
            load_components(app);
        }
        Command::NextSelection => {
            app.pca.selection = (app.pca.selection + 1) % PCA_SELECTIONS.len();
            app.pca.k = None;
            load(app);
        }
        _ => return false,
    }
    true
}
