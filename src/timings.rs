//! Phase timings on stderr when `PRECRE_TIMINGS` is set (for profiling imports and the
//! dashboard); silent otherwise.

use std::time::Instant;

/// Prints how long a phase took since `since`.
pub(crate) fn phase(name: &str, since: Instant) {
    if std::env::var_os("PRECRE_TIMINGS").is_some() {
        eprintln!("timing: {name} {:.3} s", since.elapsed().as_secs_f64());
    }
}

/// Runs `f` as one phase called `name`.
pub(crate) fn timed<T>(name: &str, f: impl FnOnce() -> T) -> T {
    let t = Instant::now();
    let out = f();
    phase(name, t);
    out
}

/// Prints a phase's total time when it was measured in parts.
pub(crate) fn seconds(name: &str, seconds: f64) {
    if std::env::var_os("PRECRE_TIMINGS").is_some() {
        eprintln!("timing: {name} {seconds:.3} s");
    }
}
