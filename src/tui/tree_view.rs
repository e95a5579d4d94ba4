//! The tree as a foldable outline: which nodes show given the folded ones, with their depth and
//! the condition that leads to each.

use crate::model::Tree;

/// One visible line of the outline.
#[derive(Debug, Clone, PartialEq)]
pub struct TreeLine {
    pub node: usize,
    pub depth: usize,
    /// The test that leads here from the parent (`None` for the root).
    pub condition: Option<String>,
    pub folded: bool,
}

/// The visible lines, depth first (left child first), skipping the children of folded nodes.
pub fn visible(
    tree: &Tree,
    names: &[String],
    folded: &std::collections::HashSet<usize>,
) -> Vec<TreeLine> {
    let mut out = Vec::new();
    if tree.nodes.is_empty() {
        return out;
    }
    let mut stack = vec![(0usize, 0usize, None::<String>)];
    while let Some((node, depth, condition)) = stack.pop() {
        let n = &tree.nodes[node];
        let is_folded = folded.contains(&node) && !n.is_leaf();
        out.push(TreeLine {
            node,
            depth,
            condition,
            folded: is_folded,
        });
        if let (Some(f), false) = (n.feature, is_folded) {
            let name = names.get(f).cloned().unwrap_or_else(|| format!("x{f}"));
            stack.push((
                n.right,
                depth + 1,
                Some(format!("{name} > {:.4}", n.threshold)),
            ));
            stack.push((
                n.left,
                depth + 1,
                Some(format!("{name} <= {:.4}", n.threshold)),
            ));
        }
    }
    out
}
