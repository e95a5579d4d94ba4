//! The `precre` binary: parse the command line, run it, map failures to exit codes.

use clap::Parser;
use precre::cli::Cli;
use precre::commands;
use std::process::ExitCode;

/// mimalloc for every allocation of the program (see Cargo.toml).
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() -> ExitCode {
    // `precre firms | head` should end quietly when head closes the pipe, as other tools do.
    #[cfg(unix)]
    // SAFETY: restoring the default disposition of SIGPIPE before any other thread exists.
    unsafe {
        libc::signal(libc::SIGPIPE, libc::SIG_DFL);
    }
    let cli = Cli::parse();
    let db = cli.db.clone();
    match commands::run(cli) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            let (text, code) = commands::describe_failure(&e, db);
            eprintln!("error: {text}");
            ExitCode::from(code)
        }
    }
}
