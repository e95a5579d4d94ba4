//! `precre serve`: the scoring service on the store (`crate::serve`).

use super::open_store;
use crate::cli::{Cli, ServeArgs};
use crate::serve::ServeOptions;
use std::time::Duration;

pub fn run(cli: &Cli, args: &ServeArgs) -> anyhow::Result<()> {
    let store = open_store(cli)?;
    let path = store
        .path()
        .map(std::path::Path::to_path_buf)
        .ok_or_else(|| anyhow::anyhow!("the service needs a store file"))?;
    let tokens = store
        .tokens()?
        .iter()
        .filter(|t| t.revoked_at.is_none())
        .count();
    drop(store);
    let opts = ServeOptions {
        listen: args.listen,
        max_body: args.max_body,
        max_batch_rows: args.max_batch_rows,
        request_timeout: Duration::from_secs(args.timeout.max(1)),
        header_timeout: Duration::from_secs(args.header_timeout.max(1)),
        max_connections: args.max_connections.max(1),
        token_cache: Duration::from_secs(args.token_cache),
        concurrency: args.concurrency.max(1),
        ..ServeOptions::default()
    };
    crate::serve::run(path.clone(), opts, |addr| {
        eprintln!(
            "precre serve: listening on http://{addr} (store {}; {tokens} active token(s){}); SIGTERM or Ctrl-C stops it",
            path.display(),
            if tokens == 0 {
                ": create one with precre token create NAME"
            } else {
                ""
            }
        );
    })
}
