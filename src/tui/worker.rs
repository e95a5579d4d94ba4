//! The worker: every store query and every long job runs here, never in a key handler. Quick
//! requests run in order on the worker's thread with its own connection; long jobs (loading the
//! demo, training, exporting) run on a thread of their own, report progress, and can be
//! cancelled. Replies carry the request's job id so stale ones can be dropped. Every action
//! that changes the store is a use case of `ops`, the same the command line runs; failures come
//! back as an error kind with its words, so the screens can react by kind.

use crate::analysis::KRule;
use crate::decisions::DecisionRecord;
use crate::model::registry::ModelRecord;
use crate::ops::decide::DecideRequest;
use crate::ops::export::ExportWhat;
use crate::ops::train::TrainRequest;
use crate::ops::{ErrorKind, Job, OpsError};
use crate::store::firms::{FirmQuery, FirmRow};
use crate::store::Store;
use crate::views;
use std::path::PathBuf;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::mpsc::{channel, Receiver, Sender};
use std::sync::Arc;
use std::time::{Duration, Instant};

/// What the screens ask for.
#[derive(Debug, Clone)]
pub enum Request {
    /// The first request: open the store (creating it where it does not exist) and, with
    /// `demo`, load the demo and the default model into it if it is empty (the analyst is
    /// recorded in the model log with the default model's installation).
    Bootstrap {
        demo: bool,
        analyst: String,
    },
    Portfolio,
    FirmsCount(FirmQuery),
    FirmsPage(FirmQuery),
    Firm(String),
    Pca {
        selection: String,
        rule: KRule,
    },
    /// Screen the latest statements' ratios of a selection (VIF, IV, correlations).
    Screen {
        selection: String,
    },
    Model,
    Queue(crate::store::decisions::QueueState),
    Decide(DecideRequest),
    Undo {
        application_id: String,
        analyst: String,
    },
    /// Undo the analyst's own last decision within the window (minutes), from any session.
    UndoLast {
        analyst: String,
        minutes: u32,
    },
    Train(Box<TrainRequest>),
    /// What promoting a model into a role would change (nothing is written).
    PreviewPromotion {
        model: String,
        role: crate::model::governance::Role,
        policy: crate::model::governance::PromotionPolicy,
    },
    /// Promote (or propose) under the policy, with the analyst's reason.
    Promote(Box<crate::ops::governance::PromoteRequest>),
    /// Every model kind on the same split (`ops::compare`), each saved, none made active.
    Compare(Box<crate::ops::compare::CompareRequest>),
    /// Monitor a model (`ops::monitor`).
    Monitor(Box<crate::ops::monitor::MonitorRequest>),
    Export {
        what: ExportWhat,
        path: PathBuf,
        force: bool,
    },
    /// Write an application's credit memo to a new file at this path.
    Memo {
        application_id: String,
        path: PathBuf,
    },
}

/// A failed request: what kind of failure, and its words (said once).
#[derive(Debug, Clone, PartialEq)]
pub struct Failure {
    pub kind: ErrorKind,
    pub message: String,
}

impl Failure {
    fn of(e: OpsError, store: &Store) -> Failure {
        let kind = e.kind();
        let path = store.path().map(PathBuf::from).unwrap_or_default();
        let message = match e.store_error().and_then(|s| s.damaged_at(&path)) {
            Some(named) => named.to_string(),
            None => e.to_string(),
        };
        Failure { kind, message }
    }
}

/// What comes back.
#[derive(Debug, Clone)]
pub enum Reply {
    Bootstrapped(Option<String>),
    Portfolio(Box<views::portfolio::Portfolio>),
    FirmsCount(usize),
    FirmsPage {
        offset: usize,
        rows: Vec<FirmRow>,
    },
    Firm(Box<views::firm::FirmDetail>),
    Pca(Box<views::pca::PcaView>),
    Screen(Box<crate::analysis::screen::Screening>),
    Model(Box<views::model::ModelView>),
    Queue(
        Vec<views::triage::QueueItem>,
        crate::store::decisions::QueueCounts,
    ),
    Decided(Box<DecisionRecord>),
    Undone(Box<crate::ops::decide::Undone>),
    Progress {
        share: f64,
        text: String,
    },
    Trained(Box<ModelRecord>),
    Preview(Box<crate::ops::governance::Preview>),
    Promoted(Box<crate::ops::governance::Promoted>),
    Compared(Box<crate::ops::compare::Comparison>),
    Monitored(Box<crate::ops::monitor::Monitoring>),
    Exported {
        path: PathBuf,
        rows: usize,
    },
    ExportExists(PathBuf),
    /// A credit memo written to this path.
    MemoWritten(PathBuf),
    Cancelled,
    Error(Failure),
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
        Request::Bootstrap { .. }
            | Request::Train(_)
            | Request::Compare(_)
            | Request::Export { .. }
    )
}

/// Answers one request on `store`. `progress` reports long work; `cancel` stops it.
pub fn handle(
    store: &mut Store,
    req: Request,
    progress: &dyn Fn(f64, &str),
    cancel: &AtomicBool,
) -> Reply {
    let job = Job::new(progress, cancel);
    match answer(store, req, &job) {
        Ok(r) => r,
        Err(OpsError::Cancelled) => Reply::Cancelled,
        Err(OpsError::Export(crate::decisions::export::ExportError::Exists(p))) => {
            Reply::ExportExists(p)
        }
        Err(e) => Reply::Error(Failure::of(e, store)),
    }
}

fn answer(store: &mut Store, req: Request, job: &Job) -> Result<Reply, OpsError> {
    Ok(match req {
        Request::Bootstrap { demo, analyst } => {
            // An import killed while publishing is finished first, as every command does.
            let resumed: Vec<String> = crate::ingest::publish::finish_if_interrupted(store)
                .map_err(OpsError::from)?
                .iter()
                .map(|r| crate::output::resumed_import(r).0)
                .collect();
            let loaded = crate::ops::bootstrap::first_start(store, demo, &analyst, job)?;
            let said = match loaded {
                Some(out) => Some(format!(
                    "Loaded the demo portfolio ({} firms, fictitious) and the default model {} \
                     (trained on the demo; see Model)",
                    crate::output::thousands(out.firms as usize),
                    out.active_model.unwrap_or_default()
                )),
                None if !store.has_rows("firms")? => Some(
                    "The store is empty: bring in your data with precre import (docs/guide/\
                     import.md), or open the demo with precre --demo on another store"
                        .to_string(),
                ),
                None => None,
            };
            let lines: Vec<String> = resumed.into_iter().chain(said).collect();
            Reply::Bootstrapped((!lines.is_empty()).then(|| lines.join("; ")))
        }
        Request::Portfolio => Reply::Portfolio(Box::new(views::portfolio::load(store)?)),
        Request::FirmsCount(q) => Reply::FirmsCount(store.count_firms(&q)?),
        Request::FirmsPage(q) => Reply::FirmsPage {
            offset: q.offset,
            rows: store.list_firms(&q)?,
        },
        Request::Firm(id) => Reply::Firm(Box::new(views::firm::load(store, &id)?)),
        Request::Pca { selection, rule } => {
            Reply::Pca(Box::new(views::pca::load(store, &selection, rule)?))
        }
        Request::Screen { selection } => {
            let selection = selection.parse().map_err(OpsError::Analysis)?;
            let req = crate::ops::screen::ScreenRequest {
                data: crate::ops::train::DataChoice::Ratios {
                    selection,
                    year_rule: crate::analysis::dataset::YearRule::Latest,
                    label: Default::default(),
                },
                bad: None,
                rule: Default::default(),
            };
            Reply::Screen(Box::new(crate::ops::screen::run(store, &req)?))
        }
        Request::Model => Reply::Model(Box::new(views::model::load(store)?)),
        Request::Queue(state) => Reply::Queue(
            views::triage::load_in(store, &state)?,
            store.queue_counts()?,
        ),
        Request::Decide(req) => Reply::Decided(Box::new(crate::ops::decide::decide(store, req)?)),
        Request::Undo {
            application_id,
            analyst,
        } => Reply::Undone(Box::new(crate::ops::decide::undo(
            store,
            &application_id,
            &analyst,
        )?)),
        Request::UndoLast { analyst, minutes } => Reply::Undone(Box::new(
            crate::ops::decide::undo_last(store, &analyst, minutes)?,
        )),
        Request::Train(req) => {
            Reply::Trained(Box::new(crate::ops::train::train(store, &req, job)?.record))
        }
        Request::PreviewPromotion {
            model,
            role,
            policy,
        } => Reply::Preview(Box::new(crate::ops::governance::preview(
            store, &model, role, &policy,
        )?)),
        Request::Promote(req) => {
            Reply::Promoted(Box::new(crate::ops::governance::promote(store, &req, job)?))
        }
        Request::Compare(req) => {
            Reply::Compared(Box::new(crate::ops::compare::compare(store, &req, job)?))
        }
        Request::Monitor(req) => {
            Reply::Monitored(Box::new(crate::ops::monitor::run(store, &req, job)?))
        }
        Request::Memo {
            application_id,
            path,
        } => Reply::MemoWritten(crate::ops::memo::write_memo(
            store,
            &application_id,
            Some(&path),
        )?),
        Request::Export { what, path, force } => {
            let out = crate::ops::export::export(store, what, &path, force, job)?;
            Reply::Exported {
                path: out.path,
                rows: out.rows,
            }
        }
    })
}

/// The worker thread and its channels.
pub struct Worker {
    requests: Sender<(u64, Request)>,
    pub replies: Receiver<Envelope>,
    cancel: Arc<AtomicBool>,
    thread: std::thread::JoinHandle<()>,
}

impl Worker {
    /// Starts the worker on a store file that exists (each thread opens its own connection).
    pub fn start(path: PathBuf) -> Worker {
        Worker::start_with(path, crate::store::location::Access::Private)
    }

    /// Starts the worker on a store file, which its first request opens: creating it, with
    /// `access`, where it does not exist (the workbench sends none before the analyst chose).
    pub fn start_with(path: PathBuf, access: crate::store::location::Access) -> Worker {
        let (req_tx, req_rx) = channel::<(u64, Request)>();
        let (rep_tx, rep_rx) = channel::<Envelope>();
        let cancel = Arc::new(AtomicBool::new(false));
        let cancel_w = cancel.clone();
        let thread = std::thread::spawn(move || {
            let Ok((first_job, first)) = req_rx.recv() else {
                return;
            };
            let mut store = match Store::open_with(&path, access) {
                Ok(s) => s,
                Err(e) => {
                    let _ = rep_tx.send(Envelope {
                        job: first_job,
                        reply: Reply::Error(Failure {
                            kind: OpsError::from(e).kind(),
                            message: format!("cannot open the store {}", path.display()),
                        }),
                    });
                    return;
                }
            };
            let mut first = Some((first_job, first));
            while let Some((job, req)) = first.take().or_else(|| req_rx.recv().ok()) {
                if is_long(&req) {
                    let tx = rep_tx.clone();
                    let path = path.clone();
                    let cancel = cancel_w.clone();
                    cancel.store(false, Ordering::Relaxed);
                    std::thread::spawn(move || {
                        let reply = match Store::open_with(&path, access) {
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
                            Err(e) => {
                                let e = OpsError::from(e);
                                Reply::Error(Failure {
                                    kind: e.kind(),
                                    message: e.to_string(),
                                })
                            }
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
            thread,
        }
    }

    pub fn send(&self, job: u64, req: Request) {
        let _ = self.requests.send((job, req));
    }

    /// Asks the running long job to stop at its next check.
    pub fn cancel(&self) {
        self.cancel.store(true, Ordering::Relaxed);
    }

    /// Takes no more requests and waits, for at most `within`, until the worker thread has
    /// handled the ones already sent (a decision written, not half-written), its replies read
    /// and dropped. Long jobs run on threads of their own and are not waited for.
    pub fn finish(self, within: Duration) {
        let Worker {
            requests,
            replies,
            thread,
            ..
        } = self;
        drop(requests);
        let deadline = Instant::now() + within;
        while !thread.is_finished() && Instant::now() < deadline {
            // Keep the replies' receiver open: the worker stops at the first reply it cannot send.
            while replies.try_recv().is_ok() {}
            std::thread::sleep(Duration::from_millis(10));
        }
    }
}
