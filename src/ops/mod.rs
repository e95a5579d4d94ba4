//! The use cases, each written once: bootstrap an empty store, load the demo, train (and save a
//! candidate), promote / approve / revoke under the promotion policy (and score what is
//! missing), import a model, classify, decide / undo / override, export. Each takes the store and a [`Job`] (progress sink and cancel flag)
//! and returns typed results and an [`OpsError`] whose [`ErrorKind`] a front-end can act on.
//! The command line, the workbench's worker (and the HTTP service to come) are adapters over
//! these functions, so the same action leaves the store in the same state from each of them.

pub mod bootstrap;
pub mod compare;
pub mod conflicts;
pub mod decide;
pub mod export;
pub mod governance;
pub mod kits;
pub mod memo;
pub mod models;
pub mod monitor;
pub mod reason_codes;
pub mod score;
pub mod screen;
pub mod tokens;
pub mod train;

use crate::analysis::AnalysisError;
use crate::decisions::export::ExportError;
use crate::decisions::DecisionError;
use crate::ingest::ImportError;
use crate::store::StoreError;
use crate::views::ViewError;
use std::sync::atomic::{AtomicBool, Ordering};
use thiserror::Error;

/// What kind of failure, for a front-end to choose its words, its exit code or its status.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum ErrorKind {
    /// The request itself is wrong (a bad value, a missing reason): fix it and ask again.
    Usage,
    /// A firm, application, model or set that does not exist.
    NotFound,
    /// The request clashes with what is there (already decided, file exists, name taken).
    Conflict,
    /// Another process holds the store: nothing changed, try again.
    Busy,
    /// Stopped on request: nothing was saved.
    Cancelled,
    /// The data cannot serve the request (no statements, one class only, refused rows).
    BadData,
    /// The store file is damaged or not a PRECRE store.
    Damaged,
    /// A file could not be read or written.
    Io,
}

/// Why a use case failed. Every variant leaves the store as it was.
#[derive(Debug, Error)]
pub enum OpsError {
    #[error(transparent)]
    Store(#[from] StoreError),
    #[error(transparent)]
    View(#[from] ViewError),
    #[error(transparent)]
    Decision(#[from] DecisionError),
    #[error(transparent)]
    Export(#[from] ExportError),
    #[error(transparent)]
    Import(#[from] ImportError),
    #[error(transparent)]
    Analysis(#[from] AnalysisError),
    /// A model that cannot be trained: its settings (usage) or its data.
    #[error(transparent)]
    Train(#[from] crate::model::pipeline::TrainError),
    /// A model record (a file, the built-in default) that cannot be read.
    #[error("{}{source}", origin.as_ref().map(|o| format!("{o}: ")).unwrap_or_default())]
    Record {
        origin: Option<String>,
        source: crate::model::RecordError,
    },
    /// A promotion the promotion policy refused, naming its rule.
    #[error(transparent)]
    Refused(#[from] crate::model::governance::Refusal),
    #[error("{0}")]
    Usage(String),
    #[error("{0}")]
    BadData(String),
    /// A value given field by field (a posted firm) that cannot be taken, naming the field
    /// (`statements[1].items.revenue`).
    #[error("{field}: {message}")]
    Field { field: String, message: String },
    #[error("{0}")]
    Io(String),
    #[error("cancelled; nothing was saved")]
    Cancelled,
}

pub type Result<T> = std::result::Result<T, OpsError>;

/// The kind of a store error (busy, damaged, not found, conflict, io).
pub fn store_kind(e: &StoreError) -> ErrorKind {
    match e {
        _ if e.is_busy() => ErrorKind::Busy,
        _ if e.is_damaged() => ErrorKind::Damaged,
        StoreError::TooNew { .. } => ErrorKind::Damaged,
        _ if e.is_not_found() => ErrorKind::NotFound,
        StoreError::Conflict(_)
        | StoreError::FileExists(_)
        | StoreError::OtherStore { .. }
        | StoreError::IsKit { .. }
        | StoreError::WouldSetAside { .. } => ErrorKind::Conflict,
        StoreError::Open { .. } | StoreError::Create { .. } => ErrorKind::Io,
        _ => ErrorKind::Io,
    }
}

/// The kind of an analysis error: a value that names nothing is the request's; too few rows
/// are the data's.
pub fn analysis_kind(e: &AnalysisError) -> ErrorKind {
    match e {
        AnalysisError::TooLittleForPca { .. } => ErrorKind::BadData,
        _ => ErrorKind::Usage,
    }
}

impl OpsError {
    pub fn kind(&self) -> ErrorKind {
        match self {
            OpsError::Store(e) => store_kind(e),
            OpsError::View(ViewError::Store(e)) => store_kind(e),
            OpsError::View(
                ViewError::NoStatement { .. }
                | ViewError::NotFirmInputs { .. }
                | ViewError::TooFewRows(_),
            ) => ErrorKind::BadData,
            OpsError::View(ViewError::Analysis(e)) | OpsError::Analysis(e) => analysis_kind(e),
            OpsError::Decision(e) => match e {
                DecisionError::NoSuchApplication(_) | DecisionError::NothingToUndo(_) => {
                    ErrorKind::NotFound
                }
                DecisionError::AlreadyDecided { .. }
                | DecisionError::NotOpen { .. }
                | DecisionError::Leased { .. }
                | DecisionError::InConflict { .. } => ErrorKind::Conflict,
                DecisionError::Busy(_) => ErrorKind::Busy,
                DecisionError::Store(_) => ErrorKind::Io,
                _ => ErrorKind::Usage,
            },
            OpsError::Export(e) => match e {
                ExportError::Exists(_) => ErrorKind::Conflict,
                ExportError::Format { .. } => ErrorKind::Usage,
                ExportError::Write { .. } => ErrorKind::Io,
            },
            OpsError::Import(e) => match e {
                ImportError::Store(s) => store_kind(s),
                ImportError::Interrupted { source, .. } => store_kind(source),
                ImportError::Usage(_) | ImportError::UnknownFormat(_) => ErrorKind::Usage,
                ImportError::MissingColumns { .. }
                | ImportError::Refused { .. }
                | ImportError::AmbiguousNumbers { .. }
                | ImportError::MixedNumbers { .. } => ErrorKind::BadData,
                ImportError::Read { .. } | ImportError::Write { .. } => ErrorKind::Io,
            },
            OpsError::Train(crate::model::pipeline::TrainError::Params(_)) => ErrorKind::Usage,
            OpsError::Train(_) | OpsError::Record { .. } => ErrorKind::BadData,
            OpsError::Refused(_) => ErrorKind::Conflict,
            OpsError::Usage(_) => ErrorKind::Usage,
            OpsError::BadData(_) | OpsError::Field { .. } => ErrorKind::BadData,
            OpsError::Io(_) => ErrorKind::Io,
            OpsError::Cancelled => ErrorKind::Cancelled,
        }
    }

    /// The store error inside, if any (to name the store file in a damage message).
    pub fn store_error(&self) -> Option<&StoreError> {
        match self {
            OpsError::Store(e) | OpsError::View(ViewError::Store(e)) => Some(e),
            OpsError::Import(ImportError::Store(e)) => Some(e),
            _ => None,
        }
    }
}

/// How a running use case reports progress and learns that it should stop.
pub struct Job<'a> {
    progress: &'a dyn Fn(f64, &str),
    cancel: &'a AtomicBool,
}

static NEVER_CANCELLED: AtomicBool = AtomicBool::new(false);

impl<'a> Job<'a> {
    pub fn new(progress: &'a dyn Fn(f64, &str), cancel: &'a AtomicBool) -> Job<'a> {
        Job { progress, cancel }
    }

    /// A job nobody watches and nobody cancels (a script's command).
    pub fn quiet() -> Job<'static> {
        Job {
            progress: &|_, _| {},
            cancel: &NEVER_CANCELLED,
        }
    }

    /// Reports the share done (0..1) and what is happening, in words.
    pub fn progress(&self, share: f64, text: &str) {
        (self.progress)(share, text)
    }

    /// `Err(Cancelled)` once the job was asked to stop.
    pub fn check(&self) -> Result<()> {
        if self.cancel.load(Ordering::Relaxed) {
            Err(OpsError::Cancelled)
        } else {
            Ok(())
        }
    }
}
