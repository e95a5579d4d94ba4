//! The accept loop: HTTP/1 connections, their usual score requests read by our own loop
//! (`fast`) and the rest served by hyper (`POST /v1/score` straight to its work, `direct`;
//! every other request through the router) with a deadline on a connection
//! that makes no progress (`watch`: a client that trickles its headers, slowloris-style, is
//! cut off; the request timeout only starts once the headers are in), TCP_NODELAY, and a
//! graceful end: on the signal no new connection is taken, each open one finishes the request
//! in flight and closes, and the loop returns once all are closed.

use super::direct;
use super::fast;
use super::state::AppState;
use super::watch::{Progress, Watchdog, Watched};
use axum::body::Body;
use axum::response::Response;
use axum::Router;
use hyper::server::conn::http1;
use hyper_util::rt::TokioIo;
use hyper_util::service::TowerToHyperService;
use std::convert::Infallible;
use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;
use std::time::Duration;
use tokio::net::TcpListener;

type Answer = Pin<Box<dyn Future<Output = Result<Response, Infallible>> + Send>>;

pub async fn serve(
    listener: TcpListener,
    state: Arc<AppState>,
    router: Router,
    header_timeout: Duration,
    shutdown: impl Future<Output = ()>,
) {
    let (stop_tx, stop_rx) = tokio::sync::watch::channel(());
    let (open_tx, mut open_rx) = tokio::sync::mpsc::channel::<()>(1);
    let mut shutdown = std::pin::pin!(shutdown);
    loop {
        let stream = tokio::select! {
            accepted = listener.accept() => match accepted {
                Ok((stream, _)) => stream,
                // Out of file descriptors and the like: wait a little, as axum::serve does.
                Err(_) => {
                    tokio::time::sleep(Duration::from_millis(50)).await;
                    continue;
                }
            },
            _ = &mut shutdown => break,
        };
        let _ = stream.set_nodelay(true);
        let routed = TowerToHyperService::new(router.clone());
        let fast_state = state.clone();
        let state = state.clone();
        let progress = Arc::new(Progress::default());
        let in_work = progress.clone();
        // `POST /v1/score` goes straight to its work; the rest through the router.
        let service =
            hyper::service::service_fn(move |req: hyper::Request<hyper::body::Incoming>| {
                use hyper::service::Service;
                let busy = in_work.begin();
                if direct::takes(&req) {
                    let state = state.clone();
                    Box::pin(async move {
                        let answer = direct::score(state, req.map(Body::new)).await;
                        drop(busy);
                        Ok(answer)
                    }) as Answer
                } else {
                    let answer = routed.call(req);
                    Box::pin(async move {
                        let answer = answer.await;
                        drop(busy);
                        answer
                    }) as Answer
                }
            });
        let mut stop = stop_rx.clone();
        let open = open_tx.clone();
        tokio::spawn(async move {
            let mut stream = Watched::new(stream, progress.clone());
            let every = Watchdog::tick_every(header_timeout);
            let mut ticks = tokio::time::interval_at(tokio::time::Instant::now() + every, every);
            ticks.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
            let mut dog = Watchdog::new(progress.clone());
            // The usual score requests are read here; hyper takes the connection at the
            // first other request, with what was read of it.
            let read = match fast::serve(
                &fast_state,
                &mut stream,
                &progress,
                &mut ticks,
                &mut dog,
                &mut stop,
            )
            .await
            {
                fast::Next::Closed => return drop(open),
                fast::Next::HandOver(read) => read,
            };
            stream.give_back(read);
            let conn = http1::Builder::new().serve_connection(TokioIo::new(stream), service);
            let mut conn = std::pin::pin!(conn);
            let mut stopping = false;
            loop {
                tokio::select! {
                    _ = conn.as_mut() => break,
                    _ = ticks.tick() => if dog.expired() {
                        // Dropping the connection closes its socket.
                        break;
                    },
                    changed = stop.changed(), if !stopping => {
                        let _ = changed;
                        stopping = true;
                        conn.as_mut().graceful_shutdown();
                    }
                }
            }
            drop(open);
        });
    }
    drop(listener);
    drop(stop_tx);
    drop(open_tx);
    // Every connection task holds a sender: `None` once the last one has closed.
    let _ = open_rx.recv().await;
}
