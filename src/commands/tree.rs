//! `precre tree`: print a model's tree as text, JSON or Graphviz DOT.

use super::open_store;
use crate::cli::{Cli, TreeArgs, TreeFormat};
use crate::output::print_json;

pub fn run(cli: &Cli, args: &TreeArgs) -> anyhow::Result<()> {
    let store = open_store(cli)?;
    let rec = store.model(args.model.as_deref())?;
    let Some(tree) = rec.pipeline.tree() else {
        anyhow::bail!(
            "model {} is a {} model, not a tree: `precre models show {}` describes it",
            rec.id,
            rec.pipeline.kind(),
            rec.id
        );
    };
    match args.format {
        TreeFormat::Text => {
            println!(
                "model {} '{}': {} nodes, {} leaves, depth {}",
                rec.id,
                rec.name,
                tree.nodes.len(),
                tree.n_leaves(),
                tree.depth()
            );
            print!("{}", rec.pipeline.export_text());
            Ok(())
        }
        TreeFormat::Dot => {
            print!("{}", rec.pipeline.export_dot());
            Ok(())
        }
        TreeFormat::Json => print_json(&serde_json::json!({
            "model_id": rec.id,
            "features": rec.pipeline.features,
            "classes": rec.pipeline.classes,
            "scaler": rec.pipeline.scaler,
            "pca": rec.pipeline.pca,
            "nodes": tree.nodes,
        })),
    }
}
