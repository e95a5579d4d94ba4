//! The workbench's state: which screen, the screens (each holds its own state, in its module
//! under `screens/`), the open pop-up, the running job and the status line. Only `update` (and
//! the screens' key handlers it calls) changes it; drawing only reads it.

use super::keymap::{Context, Keymap};
use super::popup::Overlay;
use super::screens::triage::TriageScreen;
use super::screens::{self, export::ExportScreen, firm::FirmScreen, firms::FirmsScreen};
use super::screens::{model::ModelScreen, pca::PcaScreen, portfolio::PortfolioScreen};
use super::theme::Theme;
use super::worker::Request;
use std::cell::Cell;
use std::collections::HashMap;
use std::path::PathBuf;

/// The screens, in tab order.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Screen {
    Portfolio,
    Firms,
    Firm,
    Pca,
    Model,
    Triage,
    Export,
}

impl Screen {
    pub const ALL: [Screen; 7] = [
        Screen::Portfolio,
        Screen::Firms,
        Screen::Firm,
        Screen::Pca,
        Screen::Model,
        Screen::Triage,
        Screen::Export,
    ];

    pub fn title(self) -> &'static str {
        match self {
            Screen::Portfolio => "Portfolio",
            Screen::Firms => "Firms",
            Screen::Firm => "Firm",
            Screen::Pca => "PCA",
            Screen::Model => "Model",
            Screen::Triage => "Triage",
            Screen::Export => "Export",
        }
    }

    pub fn context(self) -> Context {
        match self {
            Screen::Portfolio => Context::Global,
            Screen::Firms => Context::Firms,
            Screen::Firm => Context::Firm,
            Screen::Pca => Context::Pca,
            Screen::Model => Context::Model,
            Screen::Triage => Context::Triage,
            Screen::Export => Context::Export,
        }
    }

    /// The panes a screen shows one at a time in a small window (`[` and `]` switch).
    pub fn panes(self) -> &'static [&'static str] {
        match self {
            Screen::Portfolio => screens::portfolio::Pane::TITLES,
            Screen::Firm => screens::firm::Pane::TITLES,
            Screen::Pca => screens::pca::Pane::TITLES,
            Screen::Model => screens::model::Pane::TITLES,
            _ => &[],
        }
    }

    pub fn index(self) -> usize {
        Screen::ALL.iter().position(|s| *s == self).unwrap_or(0)
    }
}

/// How a status message reads.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Level {
    Info,
    Success,
    Error,
}

/// A long job in progress.
#[derive(Debug, Clone, PartialEq)]
pub struct Job {
    pub id: u64,
    pub label: String,
    pub share: f64,
    pub text: String,
    pub cancellable: bool,
}

/// What a request was for, to route its reply and drop stale ones.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Tag {
    Bootstrap,
    Portfolio,
    FirmsCount(u64),
    FirmsPage(u64, usize),
    Firm,
    Pca,
    Screen,
    Model,
    Queue,
    Decide,
    Train,
    Preview,
    Promote,
    Compare,
    Monitor,
    Export,
    Memo,
}

/// How the workbench opens its store.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum StoreStart {
    /// As it is (an empty store stays empty).
    #[default]
    Open,
    /// With the demo: created if missing, and an empty store gets the demo and its model.
    Demo,
    /// It does not exist: ask first (an empty store, the demo, or quit); nothing is created
    /// before the answer.
    Ask,
}

/// Settings from the command line and the configuration file.
#[derive(Debug, Clone)]
pub struct Settings {
    pub analyst: String,
    pub theme: Theme,
    pub keymap: Keymap,
    /// The promotion policy of the configuration file (four eyes, gates).
    pub promotion: crate::model::governance::PromotionPolicy,
    /// Where the store is, as the title bar shows it.
    pub store_label: String,
    /// The directory exports go to by default.
    pub export_dir: PathBuf,
    /// How the store is opened.
    pub start: StoreStart,
    /// The store's path, as the first question names it.
    pub store_path: PathBuf,
    /// How long after a decision its analyst may undo it, in minutes.
    pub undo_minutes: u32,
}

pub struct App {
    pub settings: Settings,
    pub screen: Screen,
    pub overlay: Overlay,
    pane: HashMap<Screen, usize>,
    pub status: Option<(Level, String)>,
    pub notice: Option<String>,
    pub job: Option<Job>,
    pub running: bool,
    /// The analyst asked to cancel the running job (the event loop tells the worker).
    pub cancel_requested: bool,
    pub portfolio: PortfolioScreen,
    pub firms: FirmsScreen,
    pub firm: FirmScreen,
    pub pca: PcaScreen,
    pub model: ModelScreen,
    pub triage: TriageScreen,
    pub export: ExportScreen,
    /// Requests to send, with their job ids.
    pub outbox: Vec<(u64, Request)>,
    pub tags: HashMap<u64, Tag>,
    pub latest: HashMap<Tag, u64>,
    next_job: u64,
    /// The body's height at the last draw (rows the firms table shows).
    pub body_rows: Cell<usize>,
    /// The window's size (columns, rows) as the last resize reported it; `None` before the
    /// first (a test that never draws).
    pub size: Option<(u16, u16)>,
}

impl App {
    pub fn new(settings: Settings) -> App {
        App {
            settings,
            screen: Screen::Portfolio,
            overlay: Overlay::None,
            pane: HashMap::new(),
            status: None,
            notice: None,
            job: None,
            running: true,
            cancel_requested: false,
            portfolio: PortfolioScreen::default(),
            firms: FirmsScreen::default(),
            firm: FirmScreen::default(),
            pca: PcaScreen::default(),
            model: ModelScreen::default(),
            triage: TriageScreen::default(),
            export: ExportScreen::default(),
            outbox: Vec::new(),
            tags: HashMap::new(),
            latest: HashMap::new(),
            next_job: 1,
            body_rows: Cell::new(20),
            size: None,
        }
    }

    pub fn theme(&self) -> &Theme {
        &self.settings.theme
    }

    /// The pane a screen shows (an index into [`Screen::panes`]).
    pub fn pane_of(&self, screen: Screen) -> usize {
        self.pane.get(&screen).copied().unwrap_or(0)
    }

    /// Shows pane `index` of a screen.
    pub fn set_pane(&mut self, screen: Screen, index: usize) {
        self.pane.insert(screen, index);
    }

    /// Queues a request; a newer request of the same tag makes older replies stale.
    pub fn request(&mut self, tag: Tag, req: Request) -> u64 {
        let id = self.next_job;
        self.next_job += 1;
        self.tags.insert(id, tag);
        self.latest.insert(tag, id);
        self.outbox.push((id, req));
        id
    }

    /// Queues a long request and shows its gauge (a cancellable one says which key cancels).
    pub fn start_job(&mut self, tag: Tag, req: Request, label: String, cancellable: bool) -> u64 {
        let text = "starting".to_string();
        let id = self.request(tag, req);
        self.job = Some(Job {
            id,
            label,
            share: 0.0,
            text,
            cancellable,
        });
        id
    }

    pub fn set_status(&mut self, level: Level, text: impl Into<String>) {
        self.status = Some((level, text.into()));
    }

    /// The key of a command, as the hints name it.
    pub fn key(&self, command: super::keymap::Command) -> String {
        self.settings.keymap.key_of(command)
    }

    /// Whether the window is below the minimum size (keys other than quit do nothing then).
    pub fn too_small(&self) -> bool {
        self.size.is_some_and(|(w, h)| !super::ui::fits(w, h))
    }

    /// What quitting now would lose, if anything.
    pub fn would_lose(&self) -> Option<String> {
        if let Some(job) = &self.job {
            return Some(format!("{} is still running", job.label));
        }
        match &self.overlay {
            Overlay::Decision(d) | Overlay::ConfirmDiscard(d) if d.has_text() => Some(format!(
                "the decision on {} is not saved yet",
                d.application_id
            )),
            _ => None,
        }
    }
}
