//! The Model screen: the training form (checked before a job starts) and its progress, the tree
//! as a foldable outline with counts per node, the metrics against the 15% bar, ROC curves, the
//! pruning path, feature importances, and the models in the store.

use super::Pane;
use super::FORM_FIELDS;
use crate::model::metrics::ACCEPTABLE_TEST_ERROR;
use crate::model::registry::ModelRecord;
use crate::tui::app::{App, Screen};
use crate::tui::screens::roomy;
use crate::tui::tree_view;
use crate::tui::ui::{bar, block, pane_bar, placeholder};
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::style::Modifier;
use ratatui::symbols::Marker;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Axis, Chart, Dataset, GraphType, Paragraph};
use ratatui::Frame;

pub fn draw(frame: &mut Frame, area: Rect, app: &App) {
    let Some(view) = &app.model.view else {
        return placeholder(frame, area, app, "Reading the models…");
    };
    let [bar_area, body] =
        Layout::vertical([Constraint::Length(1), Constraint::Min(1)]).areas(area);
    frame.render_widget(
        Paragraph::new(pane_bar(app, Screen::Model, bar_area.width)),
        bar_area,
    );
    let pane = Pane::at(app.pane_of(Screen::Model));
    if roomy(body)
        && !matches!(
            pane,
            Pane::Tree | Pane::Compare | Pane::Reports | Pane::Monitor
        )
    {
        // Roomy: the form and the metrics stay in view beside the chosen pane.
        let [l, r] = Layout::horizontal([Constraint::Percentage(45), Constraint::Percentage(55)])
            .areas(body);
        // The whole form (every field, the hint, a running job's two lines) where the column
        // has room for it and the metrics below; otherwise the form scrolls.
        let form_h = (FORM_FIELDS.len() as u16 + 5).min(l.height.saturating_sub(6));
        let [lt, lb] = Layout::vertical([Constraint::Length(form_h), Constraint::Min(1)]).areas(l);
        train(frame, lt, app);
        metrics(frame, lb, app, view.active.as_ref());
        match pane {
            Pane::Train | Pane::Metrics => roc(frame, r, app, view.active.as_ref()),
            _ => pane_body(frame, r, app, pane),
        }
        return;
    }
    pane_body(frame, body, app, pane);
}

fn pane_body(frame: &mut Frame, area: Rect, app: &App, pane: Pane) {
    let Some(view) = &app.model.view else { return };
    let active = view.active.as_ref();
    match pane {
        Pane::Train => train(frame, area, app),
        Pane::Tree => tree(frame, area, app, active),
        Pane::Metrics => metrics(frame, area, app, active),
        Pane::Roc => roc(frame, area, app, active),
        Pane::Pruning => pruning(frame, area, app, active),
        Pane::Importance => importance(frame, area, app),
        Pane::Models => super::governance::draw_models(frame, area, app),
        Pane::Compare => super::compare::draw_compare(frame, area, app),
        Pane::Reports => super::compare::draw_reports(frame, area, app),
        Pane::Monitor => super::monitor::draw(frame, area, app),
    }
}

fn none(frame: &mut Frame, area: Rect, app: &App, title: &str) {
    let b = block(app, title);
    let inner = b.inner(area);
    frame.render_widget(b, area);
    frame.render_widget(
        Paragraph::new(Span::styled(
            "No champion: train a candidate (Train pane, t), then promote it (Models pane, A).",
            app.theme().muted,
        )),
        inner,
    );
}

/// In place of the tree: a challenger's kind and size.
fn challenger_summary(frame: &mut Frame, area: Rect, app: &App, rec: &ModelRecord) {
    let b = block(app, format!("Model: {}", rec.pipeline.kind()));
    let inner = b.inner(area);
    frame.render_widget(b, area);
    let text = match &rec.pipeline.model {
        crate::model::pipeline::Fitted::Challenger { estimator } => estimator.summary(),
        crate::model::pipeline::Fitted::Tree(_) => String::new(),
    };
    frame.render_widget(
        Paragraph::new(Span::styled(text, app.theme().text))
            .wrap(ratatui::widgets::Wrap { trim: true }),
        inner,
    );
}

fn train(frame: &mut Frame, area: Rect, app: &App) {
    let t = app.theme();
    let b = block(app, {
        use crate::tui::keymap::Command::*;
        format!(
            "Train a model ({} edits · {} trains · {} cancels)",
            app.key(Select),
            app.key(Train),
            app.key(Cancel)
        )
    });
    let inner = b.inner(area);
    frame.render_widget(b, area);
    let mut fields = Vec::new();
    for (i, label) in FORM_FIELDS.iter().enumerate() {
        let style = if i == app.model.field {
            t.selected
        } else {
            t.text
        };
        let mut spans = vec![
            Span::styled(format!("{label:>11} "), t.muted),
            Span::styled(format!(" {:<18}", app.model.form.get(i)), style),
        ];
        if let Some((f, m)) = &app.model.error {
            if *f == i {
                spans.push(Span::styled(format!(" ✗ {m}"), t.error));
            }
        }
        fields.push(Line::from(spans));
    }
    let mut tail = Vec::new();
    if let Some(job) = app.job.as_ref().filter(|j| j.label == "training") {
        let w = (inner.width as usize).saturating_sub(8);
        tail.push(Line::from(vec![
            Span::styled(bar(job.share, w), t.accent),
            Span::styled(format!(" {:.0}%", job.share * 100.0), t.text),
        ]));
        tail.push(Line::from(Span::styled(job.text.clone(), t.muted)));
    }
    // The hint of the field in focus stays on top, a running job at the bottom; the fields
    // between scroll so that the one in focus is always in view (every field is reachable
    // however small the pane).
    let room = (inner.height as usize)
        .saturating_sub(1 + tail.len())
        .max(1);
    let focus = app.model.field.min(FORM_FIELDS.len() - 1);
    let top = focus
        .saturating_sub(room - 1)
        .min(fields.len().saturating_sub(room));
    let more_below = top + room < fields.len();
    let mut lines = vec![Line::from(Span::styled(
        crate::tui::screens::model::form::field_hint(focus),
        t.muted,
    ))];
    lines.extend(fields.into_iter().skip(top).take(room));
    if more_below || top > 0 {
        // Say that the form goes on, in the last field row's place when it is full.
        let note = match (top > 0, more_below) {
            (true, true) => "↑↓ more fields",
            (true, false) => "↑ more fields above",
            _ => "↓ more fields below",
        };
        if let Some(last) = lines.last_mut() {
            last.spans.push(Span::styled(format!("  {note}"), t.muted));
        }
    }
    lines.extend(tail);
    frame.render_widget(Paragraph::new(lines), inner);
}

fn tree(frame: &mut Frame, area: Rect, app: &App, rec: Option<&ModelRecord>) {
    let Some(rec) = rec else {
        return none(frame, area, app, "Tree");
    };
    let t = app.theme();
    let Some(tr) = rec.pipeline.tree() else {
        return challenger_summary(frame, area, app, rec);
    };
    let b = block(
        app,
        format!(
            "Tree: {} nodes, {} leaves, depth {} (←/→ fold, z toggles)",
            tr.nodes.len(),
            tr.n_leaves(),
            tr.depth()
        ),
    );
    let inner = b.inner(area);
    frame.render_widget(b, area);
    let lines = tree_view::visible(&rec.pipeline, &app.model.collapsed);
    let rows = inner.height as usize;
    let start = app.model.tree_cursor.saturating_sub(rows.saturating_sub(1));
    let classes = &rec.pipeline.classes;
    let out: Vec<Line> = lines
        .iter()
        .enumerate()
        .skip(start)
        .take(rows)
        .map(|(i, l)| {
            let n = &tr.nodes[l.node];
            let marker = if n.is_leaf() {
                "•"
            } else if l.folded {
                "▸"
            } else {
                "▾"
            };
            let cond = l.condition.clone().unwrap_or_else(|| "all firms".into());
            let total: f64 = n.counts.iter().sum::<f64>().max(1e-12);
            let dist: Vec<String> = classes
                .iter()
                .zip(&n.counts)
                .map(|(c, k)| {
                    format!(
                        "{}{:.0}%",
                        crate::tui::theme::class_letter(c),
                        k / total * 100.0
                    )
                })
                .collect();
            let major = &classes[n.majority()];
            let style = if i == app.model.tree_cursor {
                t.selected
            } else {
                t.text
            };
            Line::from(vec![
                Span::styled(format!("{}{marker} {cond}", "  ".repeat(l.depth)), style),
                Span::styled(
                    format!("  n={} [{}] → ", n.n_samples, dist.join(" ")),
                    t.muted,
                ),
                Span::styled(major.clone(), t.class(major).add_modifier(Modifier::BOLD)),
            ])
        })
        .collect();
    frame.render_widget(Paragraph::new(out), inner);
}

fn metrics(frame: &mut Frame, area: Rect, app: &App, rec: Option<&ModelRecord>) {
    let Some(rec) = rec else {
        return none(frame, area, app, "Metrics");
    };
    let t = app.theme();
    let b = block(
        app,
        format!("Metrics of '{}' ({}) on its test rows", rec.name, rec.id),
    );
    let inner = b.inner(area);
    frame.render_widget(b, area);
    let m = &rec.metrics;
    let pass = m.test_error <= ACCEPTABLE_TEST_ERROR;
    let mut lines = vec![
        Line::from(vec![
            Span::styled(
                format!("test error Q {:.1}% ", m.test_error * 100.0),
                t.text.add_modifier(Modifier::BOLD),
            ),
            Span::styled(
                if pass {
                    "PASS (≤ 15%)".to_string()
                } else {
                    "FAIL (> 15%)".to_string()
                },
                if pass {
                    t.good.add_modifier(Modifier::BOLD)
                } else {
                    t.bad.add_modifier(Modifier::BOLD)
                },
            ),
            Span::styled(
                format!(
                    " · accuracy {:.1}% · majority baseline {:.1}%",
                    m.accuracy * 100.0,
                    m.majority_baseline * 100.0
                ),
                t.text,
            ),
        ]),
        Line::from(Span::styled(
            format!(
                "macro recall {:.3} · AUC {} · Gini {} · KS {} · train {} / test {}",
                m.macro_recall,
                m.auc.map_or("-".into(), |v| format!("{v:.3}")),
                m.gini.map_or("-".into(), |v| format!("{v:.3}")),
                m.ks.map_or("-".into(), |v| format!("{v:.3}")),
                m.n_train,
                m.n_test
            ),
            t.text,
        )),
    ];
    match &rec.evaluation {
        None => lines.push(Line::from(Span::styled(
            "(the confusion matrix is kept with models trained by this version)",
            t.muted,
        ))),
        Some(e) => {
            lines.push(Line::from(""));
            let w = 13usize;
            let mut head = vec![Span::styled(format!("{:<w$}", "true \\ pred"), t.accent)];
            head.extend(
                e.classes
                    .iter()
                    .map(|c| Span::styled(format!("{c:>w$}"), t.accent)),
            );
            head.push(Span::styled(
                format!("{:>8}{:>8}{:>7}", "recall", "prec.", "AUC"),
                t.accent,
            ));
            lines.push(Line::from(head));
            for (i, c) in e.classes.iter().enumerate() {
                let mut row = vec![Span::styled(format!("{c:<w$}"), t.class(c))];
                for (j, n) in e.confusion[i].iter().enumerate() {
                    let style = if i == j {
                        t.text.add_modifier(Modifier::BOLD)
                    } else {
                        t.muted
                    };
                    row.push(Span::styled(format!("{n:>w$}"), style));
                }
                let pc = &e.per_class[i];
                row.push(Span::styled(
                    format!(
                        "{:>8.3}{:>8.3}{:>7}",
                        pc.recall,
                        pc.precision,
                        pc.auc.map_or("-".into(), |v| format!("{v:.3}"))
                    ),
                    t.text,
                ));
                lines.push(Line::from(row));
            }
        }
    }
    if let Some(p) = rec.pipeline.tree_fit().and_then(|t| t.pruning.as_ref()) {
        lines.push(Line::from(Span::styled(
            format!(
                "pruned at alpha {:.5}: {} → {} leaves",
                p.alpha, p.leaves_before, p.leaves_after
            ),
            t.muted,
        )));
    }
    frame.render_widget(Paragraph::new(lines), inner);
}

fn roc(frame: &mut Frame, area: Rect, app: &App, rec: Option<&ModelRecord>) {
    let Some(rec) = rec else {
        return none(frame, area, app, "ROC");
    };
    let t = app.theme();
    let Some(e) = &rec.evaluation else {
        let b = block(app, "ROC");
        let inner = b.inner(area);
        frame.render_widget(b, area);
        frame.render_widget(
            Paragraph::new(Span::styled(
                "This model's file keeps only its headline figures; train it again (t) to see its ROC curves.",
                t.muted,
            ))
            .wrap(ratatui::widgets::Wrap { trim: true }),
            inner,
        );
        return;
    };
    let diagonal = [(0.0, 0.0), (1.0, 1.0)];
    let mut sets = vec![Dataset::default()
        .name("chance")
        .marker(Marker::Braille)
        .graph_type(GraphType::Line)
        .style(t.muted)
        .data(&diagonal)];
    for pc in &e.per_class {
        sets.push(
            Dataset::default()
                .name(format!(
                    "{} {}",
                    crate::tui::theme::class_letter(&pc.class),
                    pc.auc.map_or("-".into(), |v| format!("AUC {v:.3}"))
                ))
                .marker(Marker::Braille)
                .graph_type(GraphType::Line)
                .style(t.class(&pc.class))
                .data(&pc.roc),
        );
    }
    let chart = Chart::new(sets)
        .block(block(app, "ROC, one class against the rest"))
        .x_axis(rate_axis(app, "false positive rate"))
        .y_axis(rate_axis(app, "TPR"));
    frame.render_widget(chart, area);
}

/// A ROC chart's axis: a rate from 0 to 1 (the ROC pane and the Compare pane).
pub(super) fn rate_axis<'a>(app: &App, title: &'a str) -> Axis<'a> {
    Axis::default()
        .title(title)
        .style(app.theme().muted)
        .bounds([0.0, 1.0])
        .labels(["0", "0.5", "1"])
}

fn pruning(frame: &mut Frame, area: Rect, app: &App, rec: Option<&ModelRecord>) {
    let Some(rec) = rec else {
        return none(frame, area, app, "Pruning");
    };
    let t = app.theme();
    if rec.cp_table.is_empty() {
        let b = block(app, "Pruning path");
        let inner = b.inner(area);
        frame.render_widget(b, area);
        frame.render_widget(
            Paragraph::new(Span::styled(
                "This model was not pruned by cross-validation (prune = cv in the form keeps the path).",
                t.muted,
            )),
            inner,
        );
        return;
    }
    let [table, chart] =
        Layout::vertical([Constraint::Percentage(50), Constraint::Percentage(50)]).areas(area);
    let b = block(app, "cp table (5-fold CV)");
    let inner = b.inner(table);
    frame.render_widget(b, table);
    let chosen = rec
        .pipeline
        .tree_fit()
        .and_then(|t| t.pruning.as_ref())
        .map(|p| p.alpha);
    let mut lines = vec![Line::from(Span::styled(
        format!(
            "{:>10} {:>6} {:>9} {:>8} {:>7} {:>8} {:>7}",
            "alpha", "leaves", "rel error", "xerror", "xstd", "xAUC", "±"
        ),
        t.accent,
    ))];
    for r in &rec.cp_table {
        let here = chosen.is_some_and(|a| (a - r.alpha).abs() < 1e-12);
        lines.push(Line::from(Span::styled(
            format!(
                "{:>10.6} {:>6} {:>9.4} {:>8.4} {:>7.4} {:>8.4} {:>7.4}{}",
                r.alpha,
                r.leaves,
                r.train_error,
                r.xerror,
                r.xstd,
                r.xauc,
                r.xauc_std,
                if here { "  ← chosen" } else { "" }
            ),
            if here {
                t.accent.add_modifier(Modifier::BOLD)
            } else {
                t.text
            },
        )));
    }
    frame.render_widget(
        Paragraph::new(lines).scroll((app.model.scroll as u16, 0)),
        inner,
    );
    let xerr: Vec<(f64, f64)> = rec
        .cp_table
        .iter()
        .map(|r| (r.leaves as f64, r.xerror))
        .collect();
    let xauc: Vec<(f64, f64)> = rec
        .cp_table
        .iter()
        .map(|r| (r.leaves as f64, r.xauc))
        .collect();
    let max_leaves = rec.cp_table.iter().map(|r| r.leaves).max().unwrap_or(1) as f64;
    let c = Chart::new(vec![
        Dataset::default()
            .name("xerror")
            .marker(Marker::Braille)
            .graph_type(GraphType::Line)
            .style(t.bad)
            .data(&xerr),
        Dataset::default()
            .name("xAUC")
            .marker(Marker::Braille)
            .graph_type(GraphType::Line)
            .style(t.good)
            .data(&xauc),
    ])
    .block(block(app, "Cross-validated error and AUC by tree size"))
    .x_axis(
        Axis::default()
            .title("leaves")
            .style(t.muted)
            .bounds([1.0, max_leaves])
            .labels(["1".to_string(), format!("{max_leaves:.0}")]),
    )
    .y_axis(
        Axis::default()
            .style(t.muted)
            .bounds([0.0, 1.0])
            .labels(["0", "0.5", "1"]),
    );
    frame.render_widget(c, chart);
}

fn importance(frame: &mut Frame, area: Rect, app: &App) {
    let t = app.theme();
    let b = block(app, "Feature importance (impurity decrease)");
    let inner = b.inner(area);
    frame.render_widget(b, area);
    let Some(view) = &app.model.view else { return };
    if view.importances.is_empty() {
        frame.render_widget(
            Paragraph::new(Span::styled("no splits, no importances", t.muted)),
            inner,
        );
        return;
    }
    let name_w = 26usize;
    let bw = (inner.width as usize).saturating_sub(name_w + 8).max(4);
    let max = view.importances.first().map_or(1.0, |x| x.1).max(1e-12);
    let lines: Vec<Line> = view
        .importances
        .iter()
        .take(inner.height as usize)
        .map(|(n, v)| {
            let name: String = n.chars().take(name_w - 1).collect();
            Line::from(vec![
                Span::styled(format!("{name:<name_w$}"), t.text),
                Span::styled(format!("{:>5.1}% ", v * 100.0), t.text),
                Span::styled(bar(v / max, bw), t.accent),
            ])
        })
        .collect();
    frame.render_widget(Paragraph::new(lines), inner);
}
