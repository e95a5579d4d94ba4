//! The workbench's state: which screen, what each screen holds, the open overlay, the running
//! job and the status line. Only `update` changes it; the screens only read it.

use super::keymap::{Context, Keymap};
use super::theme::Theme;
use super::worker::{ExportTarget, Request};
use crate::analysis::KRule;
use crate::decisions::{ModelRef, Verdict};
use crate::filter::Expr;
use crate::store::firms::FirmRow;
use crate::views;
use std::cell::Cell;
use std::collections::{HashMap, HashSet};
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
            Screen::Portfolio => &["Overview", "Ratios", "Closures"],
            Screen::Firm => &["Ratios", "Statements", "Model", "Applications"],
            Screen::Pca => &["Importance", "Scree", "Loadings", "Scatter"],
            Screen::Model => &[
                "Train",
                "Tree",
                "Metrics",
                "ROC",
                "Pruning",
                "Importance",
                "Models",
            ],
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

/// What a one-line text input is for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum InputPurpose {
    Search,
    Filter,
    Columns,
    OpenFirm,
    ExportPath,
    FormField(usize),
}

impl InputPurpose {
    pub fn prompt(self) -> &'static str {
        match self {
            InputPurpose::Search => "Search name or id",
            InputPurpose::Filter => "Filter",
            InputPurpose::Columns => "Ratio columns (ids, comma-separated)",
            InputPurpose::OpenFirm => "Open firm (id)",
            InputPurpose::ExportPath => "Export to file",
            InputPurpose::FormField(i) => views::model::FORM_FIELDS[i],
        }
    }
}

/// A decision being written in the triage overlay.
#[derive(Debug, Clone, PartialEq)]
pub struct DecisionDraft {
    pub verdict: Verdict,
    pub application_id: String,
    pub firm: String,
    pub model: Option<ModelRef>,
    /// Up to four reason lines (declines), prefilled from the model.
    pub reasons: Vec<String>,
    pub note: String,
    pub override_reason: String,
    /// The decision goes against the model's class: an override reason is needed.
    pub against_model: bool,
    pub field: usize,
    pub error: Option<String>,
}

impl DecisionDraft {
    /// The fields in order: reasons (declines only), note, override reason (when needed).
    pub fn field_names(&self) -> Vec<String> {
        let mut v: Vec<String> = if self.verdict == Verdict::Decline {
            (1..=crate::decisions::MAX_REASONS)
                .map(|i| format!("reason {i}"))
                .collect()
        } else {
            Vec::new()
        };
        v.push("note".into());
        if self.against_model {
            v.push("override reason".into());
        }
        v
    }

    pub fn field_mut(&mut self, i: usize) -> &mut String {
        let reasons = if self.verdict == Verdict::Decline {
            crate::decisions::MAX_REASONS
        } else {
            0
        };
        if i < reasons {
            &mut self.reasons[i]
        } else if i == reasons {
            &mut self.note
        } else {
            &mut self.override_reason
        }
    }

    pub fn field(&self, i: usize) -> &str {
        let reasons = if self.verdict == Verdict::Decline {
            crate::decisions::MAX_REASONS
        } else {
            0
        };
        if i < reasons {
            &self.reasons[i]
        } else if i == reasons {
            &self.note
        } else {
            &self.override_reason
        }
    }

    /// Whether anything was typed that quitting would lose.
    pub fn has_text(&self) -> bool {
        !self.note.trim().is_empty() || !self.override_reason.trim().is_empty()
    }
}

/// The overlay on top of the screen, if any.
#[derive(Debug, Clone, PartialEq)]
pub enum Overlay {
    None,
    Help { scroll: usize },
    Palette { input: String, selected: usize },
    Input { purpose: InputPurpose, text: String },
    Decision(Box<DecisionDraft>),
    ConfirmQuit(String),
    ConfirmOverwrite(PathBuf),
}

/// The firms table: a window of pages fetched from the store around the cursor.
#[derive(Debug, Clone, Default)]
pub struct FirmsState {
    pub total: Option<usize>,
    pub pages: HashMap<usize, Vec<FirmRow>>,
    pub requested: HashSet<usize>,
    pub cursor: usize,
    pub top: usize,
    pub sort: usize,
    pub descending: bool,
    pub search: Option<String>,
    pub filter_text: String,
    pub filter: Option<Expr>,
    pub ratio_columns: Vec<&'static str>,
    /// Bumped when the query changes; replies of older generations are dropped.
    pub generation: u64,
}

/// Rows per page fetched from the store.
pub const PAGE: usize = 100;

impl FirmsState {
    pub fn row(&self, i: usize) -> Option<&FirmRow> {
        self.pages.get(&(i / PAGE)).and_then(|p| p.get(i % PAGE))
    }

    /// The sortable columns, in the order `s` cycles them.
    pub fn sort_columns(&self) -> Vec<&'static str> {
        let mut v = vec![
            "id",
            "name",
            "sector",
            "size",
            "status",
            "latest_year",
            "class",
            "predicted",
        ];
        v.extend(self.ratio_columns.iter().copied());
        v
    }
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
    Model,
    Queue,
    Decide,
    Train,
    Activate,
    Export,
}

/// The rules for k the PCA screen cycles through.
pub const PCA_RULES: [KRule; 4] = [
    KRule::Kaiser,
    KRule::Cumulative(0.80),
    KRule::Cumulative(0.90),
    KRule::Cumulative(0.95),
];
/// The ratio selections the PCA screen cycles through.
pub const PCA_SELECTIONS: [&str; 7] = [
    "all",
    "profitability",
    "activity",
    "stability",
    "liquidity",
    "growth",
    "cash",
];

/// Settings from the command line and the configuration file.
#[derive(Debug, Clone)]
pub struct Settings {
    pub analyst: String,
    pub theme: Theme,
    pub keymap: Keymap,
    /// Where the store is, as the title bar shows it.
    pub store_label: String,
    /// The directory exports go to by default.
    pub export_dir: PathBuf,
}

pub struct App {
    pub settings: Settings,
    pub screen: Screen,
    pub overlay: Overlay,
    pub pane: HashMap<Screen, usize>,
    pub status: Option<(Level, String)>,
    pub notice: Option<String>,
    pub job: Option<Job>,
    pub running: bool,
    /// The analyst asked to cancel the running job (the event loop tells the worker).
    pub cancel_requested: bool,
    pub portfolio: Option<Box<views::portfolio::Portfolio>>,
    pub firms: FirmsState,
    pub firm: Option<Box<views::firm::FirmDetail>>,
    pub firm_scroll: usize,
    pub pca: Option<Box<views::pca::PcaView>>,
    pub pca_rule: usize,
    pub pca_selection: usize,
    /// A k the analyst chose with + and - (else the rule's).
    pub pca_k: Option<usize>,
    pub model: Option<Box<views::model::ModelView>>,
    pub form: views::model::TrainForm,
    pub form_field: usize,
    pub form_error: Option<(usize, String)>,
    pub tree_cursor: usize,
    pub collapsed: HashSet<usize>,
    pub models_cursor: usize,
    pub model_scroll: usize,
    pub queue: Vec<views::triage::QueueItem>,
    pub queue_loaded: bool,
    pub queue_cursor: usize,
    /// Decisions this session took, newest last (undo takes the last).
    pub session_decisions: Vec<String>,
    pub decided_count: usize,
    pub export_what: ExportTarget,
    pub export_format: usize,
    pub export_path: Option<PathBuf>,
    pub export_result: Option<(Level, String)>,
    /// Requests to send, with their job ids.
    pub outbox: Vec<(u64, Request)>,
    pub tags: HashMap<u64, Tag>,
    pub latest: HashMap<Tag, u64>,
    next_job: u64,
    /// The body's height at the last draw (rows the firms table shows).
    pub body_rows: Cell<usize>,
}

pub const EXPORT_FORMATS: [&str; 4] = ["csv", "json", "parquet", "xlsx"];

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
            portfolio: None,
            firms: FirmsState {
                ratio_columns: vec!["current_ratio", "debt_ratio", "net_margin"],
                ..Default::default()
            },
            firm: None,
            firm_scroll: 0,
            pca: None,
            pca_rule: 2,
            pca_selection: 0,
            pca_k: None,
            model: None,
            form: Default::default(),
            form_field: 0,
            form_error: None,
            tree_cursor: 0,
            collapsed: HashSet::new(),
            models_cursor: 0,
            model_scroll: 0,
            queue: Vec::new(),
            queue_loaded: false,
            queue_cursor: 0,
            session_decisions: Vec::new(),
            decided_count: 0,
            export_what: ExportTarget::Decisions,
            export_format: 0,
            export_path: None,
            export_result: None,
            outbox: Vec::new(),
            tags: HashMap::new(),
            latest: HashMap::new(),
            next_job: 1,
            body_rows: Cell::new(20),
        }
    }

    pub fn theme(&self) -> &Theme {
        &self.settings.theme
    }

    pub fn pane_of(&self, screen: Screen) -> usize {
        self.pane.get(&screen).copied().unwrap_or(0)
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

    pub fn set_status(&mut self, level: Level, text: impl Into<String>) {
        self.status = Some((level, text.into()));
    }

    /// The file the export screen writes to.
    pub fn export_file(&self) -> PathBuf {
        self.export_path.clone().unwrap_or_else(|| {
            self.settings.export_dir.join(format!(
                "precre-{}.{}",
                self.export_what.as_str(),
                EXPORT_FORMATS[self.export_format]
            ))
        })
    }

    /// What quitting now would lose, if anything.
    pub fn would_lose(&self) -> Option<String> {
        if let Some(job) = &self.job {
            return Some(format!("{} is still running", job.label));
        }
        match &self.overlay {
            Overlay::Decision(d) if d.has_text() => Some(format!(
                "the decision on {} is not saved yet",
                d.application_id
            )),
            _ => None,
        }
    }
}
