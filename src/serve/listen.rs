//! The accept loop, on the stock stack: each connection is hyper's HTTP/1 server through
//! hyper-util, with hyper's header-read timer (a client that trickles its headers, or sits idle
//! between requests, is cut off after `header_timeout`), a write timeout (a client that stops
//! reading its answer is cut off too), a bound on open connections, and a graceful end
//! (hyper-util's `GracefulShutdown`: no new connection, each open one finishes the request in
//! flight and closes).

use super::state::ServeOptions;
use axum::Router;
use hyper::server::conn::http1;
use hyper_util::rt::{TokioIo, TokioTimer};
use hyper_util::server::graceful::GracefulShutdown;
use hyper_util::service::TowerToHyperService;
use std::future::Future;
use std::sync::Arc;
use std::time::Duration;
use tokio::net::TcpListener;
use tokio::sync::Semaphore;
use tokio_io_timeout::TimeoutStream;

/// Serves `router` on `listener` until `shutdown` resolves, then drains the open connections
/// (for at most the request timeout and a second).
pub async fn serve(
    listener: TcpListener,
    router: Router,
    opts: &ServeOptions,
    shutdown: impl Future<Output = ()>,
) {
    let graceful = GracefulShutdown::new();
    let slots = Arc::new(Semaphore::new(opts.max_connections.max(1)));
    let mut http = http1::Builder::new();
    http.timer(TokioTimer::new())
        .header_read_timeout(opts.header_timeout)
        .keep_alive(true);
    let mut shutdown = std::pin::pin!(shutdown);
    loop {
        // A slot first: past the bound, connections wait in the backlog, not in memory.
        let slot = tokio::select! {
            slot = slots.clone().acquire_owned() => match slot {
                Ok(slot) => slot,
                Err(_) => break,
            },
            _ = &mut shutdown => break,
        };
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
        let mut stream = TimeoutStream::new(stream);
        stream.set_write_timeout(Some(opts.header_timeout));
        let io = TokioIo::new(Box::pin(stream));
        let conn = http.serve_connection(io, TowerToHyperService::new(router.clone()));
        let conn = graceful.watch(conn);
        tokio::spawn(async move {
            // A connection's end (closed, cut off, malformed) is not an error of the service.
            let _ = conn.await;
            drop(slot);
        });
    }
    drop(listener);
    let drain = opts.request_timeout + Duration::from_secs(1);
    let _ = tokio::time::timeout(drain, graceful.shutdown()).await;
}
