//! The deadline on a connection that makes no progress: a client that takes longer than the
//! header timeout to send a request's headers (slowloris), sits idle between requests, or
//! stops reading its answer, is cut off. Progress is a request whose headers are in, or bytes
//! written to the client; a request being worked on is never cut here (the request timeout
//! covers it).
//!
//! This replaces hyper's own header-read timeout, which sets and clears a timer for every
//! request: under load that was ~15% of the service's CPU. Here each connection has one
//! ticker that wakes four times per timeout and compares two counters, so a connection is cut
//! between one and one and a quarter timeouts after its last progress.

use std::io;
use std::pin::Pin;
use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering};
use std::sync::Arc;
use std::task::{Context, Poll};
use std::time::Duration;
use tokio::io::{AsyncRead, AsyncWrite, ReadBuf};

/// What a connection has done, shared by its stream, its service and its watchdog.
#[derive(Default)]
pub struct Progress {
    /// Bumped by each request's headers and each write to the client.
    events: AtomicU64,
    /// Requests being worked on (0 or 1 on HTTP/1).
    busy: AtomicUsize,
}

impl Progress {
    /// A request's headers are in: it is worked on until the guard is dropped.
    pub fn begin(self: &Arc<Self>) -> Busy {
        self.events.fetch_add(1, Ordering::Relaxed);
        self.busy.fetch_add(1, Ordering::Relaxed);
        Busy(self.clone())
    }
}

/// A request being worked on; dropped when its answer is ready or it is abandoned.
pub struct Busy(Arc<Progress>);

impl Drop for Busy {
    fn drop(&mut self) {
        self.0.busy.fetch_sub(1, Ordering::Relaxed);
    }
}

/// Whether a connection is to be cut off, checked at each of its ticks.
pub struct Watchdog {
    progress: Arc<Progress>,
    seen: u64,
    quiet_ticks: u32,
}

/// Ticks per timeout.
const TICKS: u32 = 4;

impl Watchdog {
    pub fn new(progress: Arc<Progress>) -> Watchdog {
        Watchdog {
            progress,
            seen: 0,
            quiet_ticks: 0,
        }
    }

    /// The time between ticks for a timeout of `timeout`.
    pub fn tick_every(timeout: Duration) -> Duration {
        (timeout / TICKS).max(Duration::from_millis(10))
    }

    /// One tick: `true` when the connection has made no progress and had no request in work
    /// for a whole timeout.
    pub fn expired(&mut self) -> bool {
        let events = self.progress.events.load(Ordering::Relaxed);
        let busy = self.progress.busy.load(Ordering::Relaxed) > 0;
        if events != self.seen || busy {
            self.seen = events;
            self.quiet_ticks = 0;
            return false;
        }
        self.quiet_ticks += 1;
        self.quiet_ticks >= TICKS
    }
}

/// A stream whose writes count as progress, and that can be given back bytes read ahead of
/// the next reader (the accept loop's own reading hands a connection to hyper with them).
pub struct Watched<S> {
    inner: S,
    progress: Arc<Progress>,
    /// Bytes to read before the stream's own, from `at` on.
    given_back: Vec<u8>,
    at: usize,
}

impl<S> Watched<S> {
    pub fn new(inner: S, progress: Arc<Progress>) -> Watched<S> {
        Watched {
            inner,
            progress,
            given_back: Vec::new(),
            at: 0,
        }
    }

    /// The next reads give `bytes` first, then what comes from the stream.
    pub fn give_back(&mut self, bytes: Vec<u8>) {
        self.given_back = bytes;
        self.at = 0;
    }

    fn wrote(&self, done: &Poll<io::Result<usize>>) {
        if matches!(done, Poll::Ready(Ok(n)) if *n > 0) {
            self.progress.events.fetch_add(1, Ordering::Relaxed);
        }
    }
}

impl<S: AsyncRead + Unpin> AsyncRead for Watched<S> {
    fn poll_read(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut ReadBuf<'_>,
    ) -> Poll<io::Result<()>> {
        let this = self.get_mut();
        if this.at < this.given_back.len() {
            let n = buf.remaining().min(this.given_back.len() - this.at);
            buf.put_slice(&this.given_back[this.at..this.at + n]);
            this.at += n;
            if this.at == this.given_back.len() {
                this.given_back = Vec::new();
                this.at = 0;
            }
            return Poll::Ready(Ok(()));
        }
        Pin::new(&mut this.inner).poll_read(cx, buf)
    }
}

impl<S: AsyncWrite + Unpin> AsyncWrite for Watched<S> {
    fn poll_write(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<io::Result<usize>> {
        let this = self.get_mut();
        let done = Pin::new(&mut this.inner).poll_write(cx, buf);
        this.wrote(&done);
        done
    }

    fn poll_write_vectored(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        bufs: &[io::IoSlice<'_>],
    ) -> Poll<io::Result<usize>> {
        let this = self.get_mut();
        let done = Pin::new(&mut this.inner).poll_write_vectored(cx, bufs);
        this.wrote(&done);
        done
    }

    fn is_write_vectored(&self) -> bool {
        self.inner.is_write_vectored()
    }

    fn poll_flush(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.get_mut().inner).poll_flush(cx)
    }

    fn poll_shutdown(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.get_mut().inner).poll_shutdown(cx)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_quiet_connection_expires_after_a_whole_timeout_of_ticks() {
        let progress = Arc::new(Progress::default());
        let mut dog = Watchdog::new(progress.clone());
        // Quiet from the start: cut at the fourth tick, not before.
        assert_eq!(
            (0..TICKS).map(|_| dog.expired()).collect::<Vec<_>>(),
            [false, false, false, true]
        );
    }

    #[test]
    fn progress_or_a_request_in_work_keeps_a_connection() {
        let progress = Arc::new(Progress::default());
        let mut dog = Watchdog::new(progress.clone());
        for _ in 0..3 {
            assert!(!dog.expired());
        }
        // A request comes: the count starts again, and while it is worked on nothing expires.
        let busy = progress.begin();
        for _ in 0..10 {
            assert!(!dog.expired());
        }
        drop(busy);
        // Answered: a whole timeout of quiet ticks again before the cut.
        for _ in 0..TICKS - 1 {
            assert!(!dog.expired());
        }
        assert!(dog.expired());
    }

    #[tokio::test]
    async fn bytes_given_back_are_read_before_the_stream() {
        use tokio::io::{AsyncReadExt, AsyncWriteExt};
        let (mut client, server) = tokio::io::duplex(64);
        let mut stream = Watched::new(server, Arc::new(Progress::default()));
        stream.give_back(b"hello ".to_vec());
        client.write_all(b"world").await.unwrap();
        drop(client);
        let mut all = String::new();
        stream.read_to_string(&mut all).await.unwrap();
        assert_eq!(all, "hello world");
    }
}
