//! Waiting for the write lock: retried every millisecond up to the busy timeout. SQLite's own
//! handler sleeps up to 100 ms between tries, so a decision waiting behind an import that
//! commits chunk after chunk could miss every gap between them and be told the store is busy.

use std::time::{Duration, Instant};

/// A busy handler for SQLite: `tries` counts the calls of one wait (0 for the first); it says
/// whether to try again, every millisecond until `timeout` has passed since the first call.
pub(super) fn retry_every_millisecond(timeout: Duration) -> impl FnMut(i32) -> bool + Send {
    let mut started = Instant::now();
    move |tries| {
        if tries == 0 {
            started = Instant::now();
        }
        if started.elapsed() >= timeout {
            return false;
        }
        std::thread::sleep(Duration::from_millis(1));
        true
    }
}
