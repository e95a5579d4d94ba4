//! The service's shared state: options, metrics, the request-log writer, caches (the active
//! model, recently checked tokens), the bound on concurrent work, and the store connections
//! (one per worker thread, with a short busy timeout, so a long import answers 503, not a hang).

use super::errors::{ApiError, ErrorCode};
use crate::model::registry::ModelRecord;
use crate::ops::tokens::Scope;
use crate::store::tokens::RequestLog;
use crate::store::Store;
use axum::http::StatusCode;
use std::cell::RefCell;
use std::collections::HashMap;
use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

/// How the service runs.
#[derive(Debug, Clone)]
pub struct ServeOptions {
    pub listen: SocketAddr,
    /// Largest body of a single request (default 1 MiB).
    pub max_body: usize,
    /// Largest body of a batch (default 64 MiB) and most rows in one batch (default 10,000).
    pub max_batch_body: usize,
    pub max_batch_rows: usize,
    /// Longest a request may take, reading its body included (slow clients get 408).
    pub request_timeout: Duration,
    /// Longest a connection may take to send a request's headers, counted from the end of the
    /// previous answer (so also the longest it may sit idle), and longest a write to it may
    /// wait for the client to read (then it is closed).
    pub header_timeout: Duration,
    /// Connections open at once; past it, new ones wait in the listen backlog.
    pub max_connections: usize,
    /// Batches worked on at once (each may hold up to `max_batch_body` bytes).
    pub max_batches: usize,
    /// How long a checked token is trusted before the store is asked again (a revocation takes
    /// effect within this time; zero asks the store every time).
    pub token_cache: Duration,
    /// Requests worked on at once; past it they wait up to `queue_wait`, then get 503.
    pub concurrency: usize,
    pub queue_wait: Duration,
    /// How long a store call waits for a writer before the answer is 503.
    pub busy_ms: u64,
}

impl Default for ServeOptions {
    fn default() -> Self {
        ServeOptions {
            listen: SocketAddr::from(([127, 0, 0, 1], 8080)),
            max_body: 1 << 20,
            max_batch_body: 64 << 20,
            max_batch_rows: 10_000,
            request_timeout: Duration::from_secs(30),
            header_timeout: Duration::from_secs(10),
            max_connections: 1024,
            max_batches: 2,
            token_cache: Duration::from_secs(5),
            concurrency: 64,
            queue_wait: Duration::from_secs(5),
            busy_ms: 1_000,
        }
    }
}

/// What scoring reads from the store, kept for [`SNAPSHOT_TTL`]: the active model and the
/// store's sectors (a switch of the active model reaches the service within that time).
#[derive(Clone)]
pub struct Snapshot {
    pub model: Arc<ModelRecord>,
    /// The model's content hash (serialising the pipeline to hash it costs more than scoring).
    pub model_hash: Arc<str>,
    /// The model's features parsed once (`ops::score::features_of`).
    pub features: Arc<Vec<Option<crate::finance::inputs::Feature>>>,
    pub sectors: Arc<Vec<String>>,
    /// Each sector's ratio medians (`views::scoring::sector_medians`), by lower-case name, for
    /// the reasons of a posted firm (as the store-backed scores cite them).
    pub medians: Arc<std::collections::HashMap<String, Vec<Option<f64>>>>,
    taken: Instant,
    medians_taken: Instant,
}

/// How long a snapshot of the active model and the sectors serves before it is read again.
/// The request that finds it older is answered from it while one refresh runs behind it (no
/// request waits for the store, and 64 clients do not all refresh at once).
pub const SNAPSHOT_TTL: Duration = Duration::from_secs(1);

/// How long the sector medians (cited by the reasons; reading them scans every sector's
/// latest statements, ~40 ms on the demo) are kept before a refresh reads them again.
pub const MEDIANS_TTL: Duration = Duration::from_secs(30);

pub struct AppState {
    pub db: PathBuf,
    pub opts: ServeOptions,
    pub metrics: super::metrics::Metrics,
    pub log: Arc<super::log::LogBuffer>,
    /// The active model as last read, with its content hash (hashing serialises the pipeline).
    model: Mutex<Option<(Arc<ModelRecord>, Arc<str>)>>,
    snapshot: Mutex<Option<Arc<Snapshot>>>,
    /// A snapshot refresh is running (at most one at a time).
    refreshing: std::sync::atomic::AtomicBool,
    tokens: Mutex<HashMap<String, (String, Scope, Instant)>>,
    /// Held while the first snapshot is read, so that the requests arriving together on a cold
    /// service wait for one read instead of each reading the model and the medians (64 of those
    /// at once stalled requests for over a second).
    first_snapshot: tokio::sync::Mutex<()>,
    /// Held while a token missing from the cache is looked up, for the same reason.
    token_lookup: tokio::sync::Mutex<()>,
    work: Arc<tokio::sync::Semaphore>,
    batches: Arc<tokio::sync::Semaphore>,
}

/// The answer when a request's work was lost (a panic, a dropped task): the details to the
/// service's log.
fn lost(e: impl std::fmt::Display) -> ApiError {
    eprintln!("precre serve: a request's work failed: {e}");
    ApiError::new(
        StatusCode::INTERNAL_SERVER_ERROR,
        ErrorCode::Internal,
        "the request's work failed; the service's log says why",
    )
}

/// A place in a bound on concurrent work.
pub type Permit = tokio::sync::OwnedSemaphorePermit;

thread_local! {
    /// This worker thread's connection to the store.
    static STORE: RefCell<Option<Store>> = const { RefCell::new(None) };
}

impl AppState {
    pub fn new(db: PathBuf, opts: ServeOptions, log: Arc<super::log::LogBuffer>) -> AppState {
        let permits = opts.concurrency.max(1);
        AppState {
            db,
            metrics: Default::default(),
            log,
            model: Mutex::new(None),
            snapshot: Mutex::new(None),
            refreshing: Default::default(),
            tokens: Mutex::new(HashMap::new()),
            first_snapshot: Default::default(),
            token_lookup: Default::default(),
            work: Arc::new(tokio::sync::Semaphore::new(permits)),
            batches: Arc::new(tokio::sync::Semaphore::new(opts.max_batches.max(1))),
            opts,
        }
    }

    /// A place in the bound on concurrent work, waited for up to `queue_wait` (then 503). Every
    /// request that reads a body or does work takes one before reading its body, so the bytes
    /// held at once are bounded too.
    pub async fn permit(&self) -> Result<Permit, ApiError> {
        tokio::time::timeout(self.opts.queue_wait, self.work.clone().acquire_owned())
            .await
            .map_err(|_| {
                ApiError::new(
                    StatusCode::SERVICE_UNAVAILABLE,
                    ErrorCode::Overloaded,
                    "the service is at its bound of concurrent work; retry",
                )
            })?
            .map_err(|_| ApiError::busy())
    }

    /// A place among the batches worked on at once (`max_batches`), waited for like `permit`.
    pub async fn batch_permit(&self) -> Result<Permit, ApiError> {
        tokio::time::timeout(self.opts.queue_wait, self.batches.clone().acquire_owned())
            .await
            .map_err(|_| {
                ApiError::new(
                    StatusCode::SERVICE_UNAVAILABLE,
                    ErrorCode::Overloaded,
                    "the service is at its bound of batches worked on at once; retry",
                )
            })?
            .map_err(|_| ApiError::busy())
    }

    /// Runs `f` on a worker thread with its store connection, within the bound on concurrent
    /// work.
    pub async fn blocking<T, F>(self: &Arc<Self>, f: F) -> Result<T, ApiError>
    where
        T: Send + 'static,
        F: FnOnce(&mut Store, &AppState) -> Result<T, ApiError> + Send + 'static,
    {
        let permit = self.permit().await?;
        self.with_store(permit, f).await
    }

    /// `blocking` with a place already taken: on tokio's blocking threads (store calls wait on
    /// SQLite and the disk).
    pub async fn with_store<T, F>(self: &Arc<Self>, permit: Permit, f: F) -> Result<T, ApiError>
    where
        T: Send + 'static,
        F: FnOnce(&mut Store, &AppState) -> Result<T, ApiError> + Send + 'static,
    {
        let state = self.clone();
        tokio::task::spawn_blocking(move || {
            let _permit = permit;
            state.local_store(|store| f(store, &state))
        })
        .await
        .map_err(lost)?
    }

    /// Runs `f` with this worker thread's store connection (opened on first use, with the
    /// service's busy timeout). Call it only on a worker thread (`compute`, `with_store`).
    pub fn local_store<T>(
        &self,
        f: impl FnOnce(&mut Store) -> Result<T, ApiError>,
    ) -> Result<T, ApiError> {
        STORE.with(|cell| {
            let mut slot = cell.borrow_mut();
            if slot.is_none() {
                let s = Store::open(&self.db)
                    .map_err(|e| ApiError::from(crate::ops::OpsError::from(e)))?;
                s.set_busy_timeout(self.opts.busy_ms)
                    .map_err(|e| ApiError::from(crate::ops::OpsError::from(e)))?;
                *slot = Some(s);
            }
            match slot.as_mut() {
                Some(store) => f(store),
                None => Err(ApiError::busy()),
            }
        })
    }

    /// Runs CPU work `f` (reading a body, scoring) off the connections' threads, on the
    /// compute pool (one thread a core: the work of many clients queues there in order instead
    /// of dozens of threads time-slicing two cores, which put tens of milliseconds on the slowest
    /// answers), holding `permit` until it ends (also when its request was given up).
    pub async fn compute<T, F>(&self, permit: Permit, f: F) -> Result<T, ApiError>
    where
        T: Send + 'static,
        F: FnOnce() -> Result<T, ApiError> + Send + 'static,
    {
        let (done, answer) = tokio::sync::oneshot::channel();
        rayon::spawn(move || {
            let _permit = permit;
            let _ = done.send(std::panic::catch_unwind(std::panic::AssertUnwindSafe(f)));
        });
        match answer.await {
            Ok(Ok(result)) => result,
            Ok(Err(_)) => Err(lost("the work panicked")),
            Err(e) => Err(lost(e)),
        }
    }

    /// The active model, read again only when the store's active model changes.
    /// The active model and its content hash, read and hashed again only when the store's
    /// active model changes.
    pub fn active_model(&self, store: &Store) -> Result<(Arc<ModelRecord>, Arc<str>), ApiError> {
        let id = store
            .active_model_id()
            .map_err(|e| ApiError::from(crate::ops::OpsError::from(e)))?
            .ok_or_else(|| {
                ApiError::new(
                    StatusCode::CONFLICT,
                    ErrorCode::NoModel,
                    "the store has no champion: promote one (precre models promote MODEL --reason TEXT)",
                )
            })?;
        if let Ok(cache) = self.model.lock() {
            if let Some(m) = cache.as_ref().filter(|m| m.0.id == id) {
                return Ok(m.clone());
            }
        }
        let rec = Arc::new(
            store
                .model(Some(&id))
                .map_err(|e| ApiError::from(crate::ops::OpsError::from(e)))?,
        );
        let entry = (rec.clone(), Arc::from(rec.hash()));
        if let Ok(mut cache) = self.model.lock() {
            *cache = Some(entry.clone());
        }
        Ok(entry)
    }

    /// The active model and the sectors: the snapshot as it is while it is younger than
    /// [`SNAPSHOT_TTL`]; older, still the snapshot, and one refresh starts behind it; none yet
    /// (the first requests), read now, once for all of them.
    pub async fn snapshot(self: &Arc<Self>) -> Result<Arc<Snapshot>, ApiError> {
        use std::sync::atomic::Ordering;
        let current = self.snapshot.lock().ok().and_then(|s| s.clone());
        let Some(snap) = current else {
            let _first = self.first_snapshot.lock().await;
            // Another request may have read it while this one waited.
            if let Some(snap) = self.snapshot.lock().ok().and_then(|s| s.clone()) {
                return Ok(snap);
            }
            return self.refresh(None).await;
        };
        if snap.taken.elapsed() >= SNAPSHOT_TTL && !self.refreshing.swap(true, Ordering::AcqRel) {
            let state = self.clone();
            let previous = snap.clone();
            tokio::spawn(async move {
                let _ = state.refresh(Some(previous)).await;
                state.refreshing.store(false, Ordering::Release);
            });
        }
        Ok(snap)
    }

    /// Reads the active model and the sectors again (the medians too when `previous` has none
    /// younger than [`MEDIANS_TTL`] for these sectors), and keeps the snapshot.
    async fn refresh(
        self: &Arc<Self>,
        previous: Option<Arc<Snapshot>>,
    ) -> Result<Arc<Snapshot>, ApiError> {
        self.metrics.store_read(super::metrics::StoreRead::Snapshot);
        let snap = self
            .blocking(move |store, st| {
                let (model, model_hash) = st.active_model(store)?;
                let sectors = store
                    .sectors()
                    .map_err(|e| ApiError::from(crate::ops::OpsError::from(e)))?
                    .into_iter()
                    .map(|(s, _)| s.to_ascii_lowercase())
                    .collect::<Vec<String>>();
                let previous_model = previous
                    .as_ref()
                    .map(|p| (p.model.id.clone(), p.features.clone()));
                let kept = previous
                    .filter(|p| p.medians_taken.elapsed() < MEDIANS_TTL && *p.sectors == sectors);
                let (medians, medians_taken) = match kept {
                    Some(p) => (p.medians.clone(), p.medians_taken),
                    None => {
                        let mut medians = std::collections::HashMap::new();
                        for s in &sectors {
                            let m = crate::views::scoring::sector_medians(store, s)
                                .map_err(|e| ApiError::from(crate::ops::OpsError::from(e)))?;
                            medians.insert(s.clone(), m);
                        }
                        (Arc::new(medians), Instant::now())
                    }
                };
                let features = match kept_features(&previous_model, &model) {
                    Some(f) => f,
                    None => Arc::new(crate::ops::score::features_of(&model)),
                };
                Ok(Snapshot {
                    features,
                    model_hash,
                    model,
                    sectors: Arc::new(sectors),
                    medians,
                    taken: Instant::now(),
                    medians_taken,
                })
            })
            .await?;
        // One shared snapshot: a request clones one Arc, not one per part.
        let snap = Arc::new(snap);
        if let Ok(mut s) = self.snapshot.lock() {
            *s = Some(snap.clone());
        }
        Ok(snap)
    }

    /// The name and scope of the token whose secret is `secret` (`None`: no such token): from
    /// the cache if checked within [`TOKEN_TTL`], else from the store, one look-up at a time.
    pub async fn token(
        self: &Arc<Self>,
        secret: &str,
    ) -> Result<Option<(String, Scope)>, ApiError> {
        let hash = crate::ops::tokens::hash(secret);
        if let Some(t) = self.cached_token(&hash) {
            return Ok(Some(t));
        }
        let _lookup = self.token_lookup.lock().await;
        if let Some(t) = self.cached_token(&hash) {
            return Ok(Some(t));
        }
        let secret = secret.to_string();
        self.metrics.store_read(super::metrics::StoreRead::Token);
        let found = self
            .blocking(move |store, _| {
                crate::ops::tokens::check(store, &secret).map_err(ApiError::from)
            })
            .await?;
        if let Some((name, scope)) = &found {
            self.remember_token(hash, name.clone(), *scope);
        }
        Ok(found)
    }

    /// The token's name and scope from the cache, if checked recently.
    fn cached_token(&self, hash: &str) -> Option<(String, Scope)> {
        let cache = self.tokens.lock().ok()?;
        cache
            .get(hash)
            .filter(|(_, _, at)| at.elapsed() < self.opts.token_cache)
            .map(|(n, s, _)| (n.clone(), *s))
    }

    fn remember_token(&self, hash: String, name: String, scope: Scope) {
        if let Ok(mut cache) = self.tokens.lock() {
            if cache.len() > 10_000 {
                cache.clear();
            }
            cache.insert(hash, (name, scope, Instant::now()));
        }
    }

    /// Records a request in the log (written in batches by the log writer).
    pub fn record(&self, entry: RequestLog) {
        self.log.push(entry);
    }
}

/// The parsed features of the previous snapshot when its model is still the active one.
type ParsedFeatures = Arc<Vec<Option<crate::finance::inputs::Feature>>>;
fn kept_features(
    previous: &Option<(String, ParsedFeatures)>,
    model: &ModelRecord,
) -> Option<ParsedFeatures> {
    previous
        .as_ref()
        .filter(|(id, _)| *id == model.id)
        .map(|(_, f)| f.clone())
}
