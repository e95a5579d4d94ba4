//! The `precre` binary: parse the command line, run it, map failures to exit codes.

use clap::Parser;
use precre::cli::Cli;
use precre::commands::{self, UsageError};
use std::process::ExitCode;

fn main() -> ExitCode {
    // `precre firms | head` should end quietly when head closes the pipe, as other tools do.
    #[cfg(unix)]
    // SAFETY: restoring the default disposition of SIGPIPE before any other thread exists.
    unsafe {
        libc::signal(libc::SIGPIPE, libc::SIG_DFL);
    }
    let cli = Cli::parse();
    match commands::run(cli) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("error: {e:#}");
            if e.downcast_ref::<UsageError>().is_some() {
                ExitCode::from(2)
            } else {
                ExitCode::from(1)
            }
        }
    }
}
