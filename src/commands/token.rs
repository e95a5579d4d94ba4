//! `precre token`: the scoring service's access tokens (`ops::tokens`).

use super::open_store;
use crate::cli::{Cli, TokenAction, TokenArgs};
use crate::output::{print_json, print_table, OutputFormat, TextTable};

pub fn run(cli: &Cli, args: &TokenArgs) -> anyhow::Result<()> {
    let mut store = open_store(cli)?;
    match &args.action {
        TokenAction::Create { name, scope } => {
            let t = crate::ops::tokens::create(&mut store, name, *scope)?;
            if args.format == OutputFormat::Json {
                return print_json(&serde_json::json!({
                    "name": t.name, "scope": t.scope.name(), "token": t.secret,
                }));
            }
            println!("{}", t.secret);
            eprintln!(
                "token '{}' ({} scope) created; this is the only time its secret is shown: \
                 send it as 'Authorization: Bearer TOKEN'",
                t.name, t.scope
            );
            Ok(())
        }
        TokenAction::List => {
            let list = crate::ops::tokens::list(&store)?;
            if args.format == OutputFormat::Json {
                return print_json(&list);
            }
            let mut t = TextTable::new(["name", "scope", "created", "revoked"]);
            for k in &list {
                t.push(vec![
                    k.name.clone(),
                    k.scope.clone(),
                    k.created_at.clone(),
                    k.revoked_at.clone().unwrap_or_default(),
                ]);
            }
            print_table(&t, args.format)
        }
        TokenAction::Revoke { name } => {
            crate::ops::tokens::revoke(&mut store, name)?;
            println!("token '{name}' revoked");
            Ok(())
        }
    }
}
