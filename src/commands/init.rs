//! `precre init`: create a new, empty store (owner-only, or the group's too with `--team`).

use super::{create_store, UsageError};
use crate::cli::Cli;
use crate::store::location;

pub fn run(cli: &Cli) -> anyhow::Result<()> {
    let path = location::resolve(cli.db.clone());
    if path.exists() {
        return Err(UsageError(format!(
            "{} exists already: nothing was changed (`precre info` says what it holds)",
            path.display()
        ))
        .into());
    }
    drop(create_store(cli)?);
    println!(
        "created an empty store at {}; next: precre --db {} import FILE --kind firms (then \
         statements, applications, ...), or open it with precre --db {}",
        path.display(),
        path.display(),
        path.display()
    );
    Ok(())
}
