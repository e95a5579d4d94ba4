//! A fitted pipeline's tree as text (like scikit-learn's `export_text`, with counts per node) or
//! as Graphviz DOT, thresholds in original units.

use super::pipeline::Pipeline;
use super::Node;

impl Pipeline {
    /// Tree input `j`'s name and a threshold on it in original units.
    fn split_text(&self, node: &Node) -> (String, f64) {
        let j = node.feature.unwrap_or(0);
        match &self.pca {
            None => (
                self.features[j].clone(),
                node.threshold * self.scaler.sds[j] + self.scaler.means[j],
            ),
            Some(_) => (format!("PC{}", j + 1), node.threshold),
        }
    }

    /// The condition that leads to a split's left (`name <= t`) or right (`name >  t`) child,
    /// the threshold in original units: the one formatter of the text export, the DOT export
    /// and the workbench's Tree pane.
    pub fn split_condition(&self, node: &Node, left: bool) -> String {
        let (name, t) = self.split_text(node);
        let op = if left { "<=" } else { "> " };
        format!("{name} {op} {}", fmt_num(t))
    }

    fn counts_text(&self, node: &Node) -> String {
        let counts: Vec<String> = self
            .classes
            .iter()
            .zip(&node.counts)
            .map(|(c, n)| format!("{c} {}", fmt_count(*n)))
            .collect();
        counts.join(", ")
    }

    /// The tree as indented text: `|--- x <= t` lines, leaves with their class and counts.
    pub fn export_text(&self) -> String {
        let mut out = String::new();
        self.text_node(0, 0, &mut out);
        out
    }

    fn text_node(&self, id: usize, depth: usize, out: &mut String) {
        let node = &self.tree_nodes()[id];
        let indent = "|   ".repeat(depth);
        if node.is_leaf() {
            out.push_str(&format!(
                "{indent}|--- class: {}  [{}]\n",
                self.classes[node.majority()],
                self.counts_text(node)
            ));
            return;
        }
        out.push_str(&format!(
            "{indent}|--- {}\n",
            self.split_condition(node, true)
        ));
        self.text_node(node.left, depth + 1, out);
        out.push_str(&format!(
            "{indent}|--- {}\n",
            self.split_condition(node, false)
        ));
        self.text_node(node.right, depth + 1, out);
    }

    /// The tree as a Graphviz digraph.
    pub fn export_dot(&self) -> String {
        let mut out = String::from("digraph tree {\n  node [shape=box, fontname=\"monospace\"];\n");
        for (id, node) in self.tree_nodes().iter().enumerate() {
            let head = if node.is_leaf() {
                format!("class: {}", self.classes[node.majority()])
            } else {
                self.split_condition(node, true)
            };
            let label = format!(
                "{head}\\nsamples = {}\\n{}",
                node.n_samples,
                self.counts_text(node)
            );
            out.push_str(&format!(
                "  n{id} [label=\"{}\"];\n",
                label.replace('"', "'")
            ));
            if !node.is_leaf() {
                out.push_str(&format!(
                    "  n{id} -> n{} [label=\"yes\"];\n  n{id} -> n{} [label=\"no\"];\n",
                    node.left, node.right
                ));
            }
        }
        out.push_str("}\n");
        out
    }
}

fn fmt_count(n: f64) -> String {
    if n.fract() == 0.0 {
        format!("{n:.0}")
    } else {
        format!("{n:.2}")
    }
}

fn fmt_num(x: f64) -> String {
    if x.abs() >= 1000.0 {
        format!("{x:.1}")
    } else {
        format!("{x:.4}")
    }
}
