//! The tree as a foldable outline: which nodes show given the folded ones, with their depth and
//! the condition that leads to each.

use crate::model::pipeline::Pipeline;

/// One visible line of the outline.
#[derive(Debug, Clone, PartialEq)]
pub struct TreeLine {
    pub node: usize,
    pub depth: usize,
    /// The test that leads here from the parent (`None` for the root).
    pub condition: Option<String>,
    pub folded: bool,
}

/// The visible lines, depth first (left child first), skipping the children of folded nodes;
/// the conditions in original units, as the tree's text export writes them.
pub fn visible(pipeline: &Pipeline, folded: &std::collections::HashSet<usize>) -> Vec<TreeLine> {
    let mut out = Vec::new();
    let Some(tree) = pipeline.tree() else {
        return out;
    };
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
        if let (Some(_), false) = (n.feature, is_folded) {
            stack.push((n.right, depth + 1, Some(pipeline.split_condition(n, false))));
            stack.push((n.left, depth + 1, Some(pipeline.split_condition(n, true))));
        }
    }
    out
}
