//! `precre memo APP [--out FILE]`: the committee pack, an application's credit memo as a
//! self-contained HTML page (`views::memo`), written to a new file (`ops::memo`).

use super::open_store;
use crate::cli::{Cli, MemoArgs};

pub fn run(cli: &Cli, args: &MemoArgs) -> anyhow::Result<()> {
    let store = open_store(cli)?;
    let path = crate::ops::memo::write_memo(&store, &args.application, args.out.as_deref())?;
    eprintln!(
        "credit memo of {} written to {} (open it in a browser; it prints on A4)",
        args.application,
        path.display()
    );
    Ok(())
}
