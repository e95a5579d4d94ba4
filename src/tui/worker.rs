//! The worker: every store query and every long job runs here, never in a key handler. Quick
//! requests run in order on the worker's thread with its own connection; long jobs (loading the
//! demo, training, exporting) run on a thread of their own, report progress, and can be
//! cancelled. Replies carry the request's job id so stale ones can be dropped.

use crate::analysis::KRule;
use crate::decisions::export::ExportError;
use crate::decisions::{DecisionInput, DecisionRecord};
use crate::model::registry::ModelRecord;
use crate::store::firms::{FirmQuery, FirmRow};
use crate::store::Store;
use crate::views;
use crate::views::model::{TrainJob, TrainStop};
use std::path::PathBuf;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::mpsc::{channel, Receiver, Sender};
use std::sync::Arc;

/// The committed default model, loaded into an empty store with the demo portfolio.
pub const DEFAULT_MODEL: &str = include_str!("../../models/default.json");

/// What the screens ask for.
#[derive(Debug, Clone)]
pub enum Request {
    /// First start: load the demo and the default model into an empty store.
    Bootstrap,
    Portfolio,
    FirmsCount(FirmQuery),
    FirmsPage(FirmQuery),
    Firm(String),
    Pca {
        selection: String,
        rule: KRule,
    },
    Model,
    Queue,
    Decide(DecisionInput),
    Undo {
        application_id: String,
        analyst: String,
    },
    Train(TrainJob),
    Activate(String),
    Export {
        what: ExportTarget,
        path: PathBuf,
        force: bool,
    },
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ExportTarget {
    Decisions,
    Predictions,
    Ratios,
}

impl ExportTarget {
    pub fn as_str(self) -> &'static str {
        match self {
            ExportTarget::Decisions => "decisions",
            ExportTarget::Predictions => "predictions",
            ExportTarget::Ratios => "ratios",
        }
    }
}

/// What comes back.
#[derive(Debug, Clone)]
pub enum Reply {
    Bootstrapped(Option<String>),
    Portfolio(Box<views::portfolio::Portfolio>),
    FirmsCount(usize),
    FirmsPage { offset: usize, rows: Vec<FirmRow> },
    Firm(Box<views::firm::FirmDetail>),
    Pca(Box<views::pca::PcaView>),
    Model(Box<views::model::ModelView>),
    Queue(Vec<views::triage::QueueItem>),
    Decided(Box<DecisionRecord>),
    Undone(Box<DecisionRecord>),
    Progress { share: f64, text: String },
    Trained(Box<ModelRecord>),
    Activated(String),
    Exported { path: PathBuf, rows: usize },
    ExportExists(PathBuf),
    Cancelled,
    Error(String),
}

/// A reply with the id of the request it answers.
#[derive(Debug, Clone)]
pub struct Envelope {
    pub job: u64,
    pub reply: Reply,
}

/// Whether a request is long work that gets its own thread and a progress gauge.
pub fn is_long(req: &Request) -> bool {
    matches!(
        req,
        Request::Bootstrap | Request::Train(_) | Request::Export { .. }
    )
}

/// Answers one request on `store`. `progress` reports long work; `cancel` stops it.
pub fn handle(
    store: &mut Store,
    req: Request,
    progress: &dyn Fn(f64, &str),
    cancel: &AtomicBool,
) -> Reply {
    match answer(store, req, progress, cancel) {
        Ok(r) => r,
        Err(e) => Reply::Error(e),
    }
}

fn answer(
    store: &mut Store,
    req: Request,
    progress: &dyn Fn(f64, &str),
    cancel: &AtomicBool,
) -> Result<Reply, String> {
    let s = |e: &dyn std::fmt::Display| e.to_string();
    Ok(match req {
        Request::Bootstrap => Reply::Bootstrapped(bootstrap(store, progress).map_err(|e| s(&e))?),
        Request::Portfolio => {
            Reply::Portfolio(Box::new(views::portfolio::load(store).map_err(|e| s(&e))?))
        }
        Request::FirmsCount(q) => Reply::FirmsCount(store.count_firms(&q).map_err(|e| s(&e))?),
        Request::FirmsPage(q) => Reply::FirmsPage {
            offset: q.offset,
            rows: store.list_firms(&q).map_err(|e| s(&e))?,
        },
        Request::Firm(id) => {
            Reply::Firm(Box::new(views::firm::load(store, &id).map_err(|e| s(&e))?))
        }
        Request::Pca { selection, rule } => Reply::Pca(Box::new(
            views::pca::load(store, &selection, rule).map_err(|e| s(&e))?,
        )),
        Request::Model => Reply::Model(Box::new(views::model::load(store).map_err(|e| s(&e))?)),
        Request::Queue => Reply::Queue(views::triage::load(store).map_err(|e| s(&e))?),
        Request::Decide(input) => {
            Reply::Decided(Box::new(store.record_decision(input).map_err(|e| s(&e))?))
        }
        Request::Undo {
            application_id,
            analyst,
        } => Reply::Undone(Box::new(
            store
                .undo_decision(&application_id, &analyst)
                .map_err(|e| s(&e))?,
        )),
        Request::Train(job) => match views::model::train(store, &job, progress, cancel) {
            Ok(rec) => Reply::Trained(Box::new(rec)),
            Err(TrainStop::Cancelled) => Reply::Cancelled,
            Err(TrainStop::Failed(e)) => return Err(format!("training failed: {e}")),
        },
        Request::Activate(id) => {
            store.activate_model(&id).map_err(|e| s(&e))?;
            let rec = store.model(Some(&id)).map_err(|e| s(&e))?;
            if !store.has_predictions(&rec.id).map_err(|e| s(&e))? {
                let p = views::scoring::score_all(store, &rec).map_err(|e| s(&e))?;
                store.save_predictions(&rec.id, &p).map_err(|e| s(&e))?;
            }
            Reply::Activated(rec.id)
        }
        Request::Export { what, path, force } => {
            use crate::decisions::tables;
            progress(0.2, "reading the store");
            let table = match what {
                ExportTarget::Decisions => {
                    tables::decisions(&store.decisions().map_err(|e| s(&e))?)
                }
                ExportTarget::Predictions => tables::predictions(store).map_err(|e| s(&e))?,
                ExportTarget::Ratios => tables::ratios(store).map_err(|e| s(&e))?,
            };
            if cancel.load(Ordering::Relaxed) {
                return Ok(Reply::Cancelled);
            }
            progress(0.6, "writing the file");
            match crate::decisions::export::write(&table, &path, force) {
                Ok(rows) => Reply::Exported { path, rows },
                Err(ExportError::Exists(p)) => Reply::ExportExists(p),
                Err(e) => return Err(e.to_string()),
            }
        }
    })
}

/// Loads the demo portfolio and the default model into an empty store, scoring every firm.
/// Returns the notice to show, or `None` when the store had firms already.
fn bootstrap(store: &mut Store, progress: &dyn Fn(f64, &str)) -> anyhow::Result<Option<String>> {
    if store.count("firms")? > 0 {
        return Ok(None);
    }
    progress(0.1, "the store is empty: loading the demo portfolio");
    crate::demo::load(store, None, false)?;
    progress(0.7, "loading the default model");
    let rec = ModelRecord::from_json(DEFAULT_MODEL).map_err(anyhow::Error::msg)?;
    store.save_model(&rec, true)?;
    progress(0.85, "scoring every firm with the default model");
    let p = views::scoring::score_all(store, &rec)?;
    store.save_predictions(&rec.id, &p)?;
    let firms = crate::output::thousands(store.count("firms")? as usize);
    Ok(Some(format!(
        "The store was empty: loaded the demo portfolio ({firms} firms) and the default model {} \
         (trained on the demo; see Model)",
        rec.id
    )))
}

/// The worker thread and its channels.
pub struct Worker {
    requests: Sender<(u64, Request)>,
    pub replies: Receiver<Envelope>,
    cancel: Arc<AtomicBool>,
}

impl Worker {
    /// Starts the worker on a store file (each thread opens its own connection).
    pub fn start(path: PathBuf) -> Worker {
        let (req_tx, req_rx) = channel::<(u64, Request)>();
        let (rep_tx, rep_rx) = channel::<Envelope>();
        let cancel = Arc::new(AtomicBool::new(false));
        let cancel_w = cancel.clone();
        std::thread::spawn(move || {
            let mut store = match Store::open(&path) {
                Ok(s) => s,
                Err(e) => {
                    let _ = rep_tx.send(Envelope {
                        job: 0,
                        reply: Reply::Error(e.to_string()),
                    });
                    return;
                }
            };
            while let Ok((job, req)) = req_rx.recv() {
                if is_long(&req) {
                    let tx = rep_tx.clone();
                    let path = path.clone();
                    let cancel = cancel_w.clone();
                    cancel.store(false, Ordering::Relaxed);
                    std::thread::spawn(move || {
                        let reply = match Store::open(&path) {
                            Ok(mut s) => {
                                let ptx = tx.clone();
                                let progress = move |share: f64, text: &str| {
                                    let _ = ptx.send(Envelope {
                                        job,
                                        reply: Reply::Progress {
                                            share,
                                            text: text.to_string(),
                                        },
                                    });
                                };
                                handle(&mut s, req, &progress, &cancel)
                            }
                            Err(e) => Reply::Error(e.to_string()),
                        };
                        let _ = tx.send(Envelope { job, reply });
                    });
                } else {
                    let reply = handle(&mut store, req, &|_, _| {}, &AtomicBool::new(false));
                    if rep_tx.send(Envelope { job, reply }).is_err() {
                        break;
                    }
                }
            }
        });
        Worker {
            requests: req_tx,
            replies: rep_rx,
            cancel,
        }
    }

    pub fn send(&self, job: u64, req: Request) {
        let _ = self.requests.send((job, req));
    }

    /// Asks the running long job to stop at its next check.
    pub fn cancel(&self) {
        self.cancel.store(true, Ordering::Relaxed);
    }
}
