//! The request log's writer: handlers add entries to a shared buffer (a push under a lock, no
//! thread woken per request), and one thread commits what has gathered at most every
//! [`LOG_EVERY`] (each commit is an fsync), then the rest at shutdown.

use crate::store::tokens::RequestLog;
use crate::store::Store;
use std::path::PathBuf;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

/// How often the request log is committed at most: committing every few requests under load
/// took a tenth of the service's CPU. A crash loses at most this much of the log.
pub const LOG_EVERY: Duration = Duration::from_millis(250);

/// Entries waiting for the writer.
#[derive(Default)]
pub struct LogBuffer {
    pending: Mutex<Vec<RequestLog>>,
    closed: AtomicBool,
    writer: Mutex<Option<std::thread::Thread>>,
}

impl LogBuffer {
    /// Adds an entry for the next commit.
    pub fn push(&self, entry: RequestLog) {
        if let Ok(mut pending) = self.pending.lock() {
            pending.push(entry);
        }
    }

    fn take(&self) -> Vec<RequestLog> {
        self.pending
            .lock()
            .map(|mut p| std::mem::take(&mut *p))
            .unwrap_or_default()
    }

    /// No more entries come: the writer commits what it holds and stops.
    pub fn close(&self) {
        self.closed.store(true, Ordering::Release);
        if let Ok(w) = self.writer.lock() {
            if let Some(t) = w.as_ref() {
                t.unpark();
            }
        }
    }
}

/// Starts the thread that writes `buffer` to the store at `db` until it is closed.
pub fn spawn_writer(db: PathBuf, buffer: Arc<LogBuffer>) -> std::thread::JoinHandle<()> {
    let handle = {
        let buffer = buffer.clone();
        std::thread::spawn(move || write_until_closed(&db, &buffer))
    };
    if let Ok(mut w) = buffer.writer.lock() {
        *w = Some(handle.thread().clone());
    }
    handle
}

fn write_until_closed(db: &std::path::Path, buffer: &LogBuffer) {
    let mut store = match Store::open(db) {
        Ok(s) => s,
        Err(e) => {
            eprintln!("precre serve: the request log cannot be written ({e}); requests are answered but not logged");
            return;
        }
    };
    let mut batch = Vec::new();
    loop {
        // Read before taking: whatever was pushed before the close is in this last take.
        let closed = buffer.closed.load(Ordering::Acquire);
        batch.append(&mut buffer.take());
        // A busy store keeps the batch for the next round.
        let written = if batch.is_empty() {
            Ok(())
        } else {
            store.log_requests(&batch)
        };
        match written {
            Ok(()) => batch.clear(),
            Err(e) if closed => {
                eprintln!(
                    "precre serve: the last {} request log rows could not be written: {e}",
                    batch.len()
                );
            }
            Err(_) => {}
        }
        if closed {
            return;
        }
        std::thread::park_timeout(LOG_EVERY);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn entry(i: usize) -> RequestLog {
        RequestLog {
            at: "2026-12-01T00:00:00Z".into(),
            token: "t".into(),
            route: "/v1/score".into(),
            status: 200,
            model_id: None,
            firm_id: Some(format!("F{i}")),
            rows: 1,
        }
    }

    #[test]
    fn every_entry_pushed_before_the_close_is_written() {
        let dir = tempfile::tempdir().unwrap();
        let db = dir.path().join("log.db");
        drop(Store::open(&db).unwrap());
        let buffer = Arc::new(LogBuffer::default());
        let writer = spawn_writer(db.clone(), buffer.clone());
        for i in 0..1_000 {
            buffer.push(entry(i));
        }
        std::thread::sleep(LOG_EVERY + Duration::from_millis(100));
        for i in 1_000..1_500 {
            buffer.push(entry(i));
        }
        buffer.close();
        writer.join().unwrap();
        let log = Store::open(&db).unwrap().request_log().unwrap();
        assert_eq!(log.len(), 1_500);
        assert_eq!(log[1_499].firm_id.as_deref(), Some("F1499"));
    }
}
