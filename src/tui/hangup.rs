//! The terminal's hang-up (SIGHUP: the SSH connection dropped, the terminal window closed).
//!
//! The workbench handles it itself instead of relying on the signal's default action: a parent
//! that ignores SIGHUP (`nohup`, some CI runners and service managers) passes that disposition
//! on, and the workbench would then run on with no terminal. [`install`] sets a handler that
//! only raises a flag; the event loop sees the flag within one poll (30 ms), and `tui::run`
//! restores the terminal, lets the worker finish the writes already asked of it and ends as a
//! hang-up ends a program ([`exit`]). What was saved stays saved; a form half filled in is not.
//!
//! The signal does not always come (a process that is not in the terminal's foreground group),
//! and crossterm's default event source reads a closed terminal's end-of-file in an endless
//! loop: the workbench reads its events through `/dev/tty` (crossterm's `use-dev-tty`, whose
//! reader returns on end-of-file), and [`received`] also asks the terminal itself.

use std::sync::atomic::{AtomicBool, Ordering};

/// Set by the SIGHUP handler.
static RECEIVED: AtomicBool = AtomicBool::new(false);

/// Whether the terminal has hung up since [`install`]: SIGHUP came, or the terminal's input
/// reports a hang-up (its other end closed, with or without the signal reaching us).
pub fn received() -> bool {
    if RECEIVED.load(Ordering::SeqCst) {
        return true;
    }
    if input_closed() {
        RECEIVED.store(true, Ordering::SeqCst);
        return true;
    }
    false
}

/// Whether standard input (the terminal) reports a hang-up or an error, without reading it.
#[cfg(unix)]
fn input_closed() -> bool {
    let mut fds = libc::pollfd {
        fd: libc::STDIN_FILENO,
        events: libc::POLLIN,
        revents: 0,
    };
    // SAFETY: poll with a zero timeout on standard input, into a pollfd we own.
    let ready = unsafe { libc::poll(&mut fds, 1, 0) };
    ready > 0 && fds.revents & (libc::POLLHUP | libc::POLLERR | libc::POLLNVAL) != 0
}

#[cfg(not(unix))]
fn input_closed() -> bool {
    false
}

#[cfg(unix)]
extern "C" fn on_hangup(_signal: libc::c_int) {
    // Only an atomic store: async-signal-safe.
    RECEIVED.store(true, Ordering::SeqCst);
}

/// Installs the SIGHUP handler (replacing an inherited "ignore").
#[cfg(unix)]
pub fn install() -> std::io::Result<()> {
    // SAFETY: a zeroed sigaction is a valid value to fill in; the handler is an `extern "C"`
    // function that only stores to an atomic, and SA_RESTART keeps the other threads' system
    // calls (SQLite's, the terminal's) from failing with EINTR.
    unsafe {
        let mut action: libc::sigaction = std::mem::zeroed();
        action.sa_sigaction = on_hangup as extern "C" fn(libc::c_int) as libc::sighandler_t;
        action.sa_flags = libc::SA_RESTART;
        libc::sigemptyset(&mut action.sa_mask);
        if libc::sigaction(libc::SIGHUP, &action, std::ptr::null_mut()) != 0 {
            return Err(std::io::Error::last_os_error());
        }
    }
    Ok(())
}

#[cfg(not(unix))]
pub fn install() -> std::io::Result<()> {
    Ok(())
}

/// Ends the process as SIGHUP's default action would (the parent sees a death by SIGHUP),
/// after the caller has cleaned up.
#[cfg(unix)]
pub fn exit() -> ! {
    // SAFETY: restoring the default disposition and raising the signal on ourselves.
    unsafe {
        libc::signal(libc::SIGHUP, libc::SIG_DFL);
        libc::raise(libc::SIGHUP);
    }
    std::process::exit(128 + libc::SIGHUP)
}

#[cfg(not(unix))]
pub fn exit() -> ! {
    std::process::exit(129)
}
