//! The Model screen's Compare pane (every kind's figures on one split with their k-fold mean and
//! standard deviation, beside the majority baseline, and the ROC curves overlaid) and its
//! Reports pane (the active model's gains / KS, calibration and score bands).

use crate::tui::app::App;
use crate::tui::keymap::Command;
use crate::tui::ui::block;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::style::Style;
use ratatui::symbols::Marker;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Chart, Dataset, GraphType, Paragraph, Wrap};
use ratatui::Frame;

fn pct(x: f64) -> String {
    format!("{:.1}%", x * 100.0)
}

/// A distinct style for each candidate's curve: the theme's class colours, then its accents.
fn curve_style(app: &App, i: usize) -> Style {
    let t = app.theme();
    [
        t.class("bad"),
        t.class("good"),
        t.class("satisfactory"),
        t.accent,
        t.warning,
        t.text,
        t.muted,
    ][i % 7]
}

pub fn draw_compare(frame: &mut Frame, area: Rect, app: &App) {
    let t = app.theme();
    let Some(c) = &app.model.compare else {
        let b = block(app, "Compare");
        let inner = b.inner(area);
        frame.render_widget(b, area);
        let text = format!(
            "{} compares every model kind ({}) on the Train form's inputs and split, with \
             5-fold figures, and saves each as a candidate, as `precre compare --save compare` \
             does. Then {} promotes the selected one to champion and {} to challenger, after a \
             confirmation that shows what changes and asks why.",
            app.key(Command::Compare),
            crate::model::learner::ModelKind::ALL
                .map(|k| k.description())
                .join(", "),
            app.key(Command::Activate),
            app.key(Command::Challenger)
        );
        frame.render_widget(
            Paragraph::new(Span::styled(text, t.muted)).wrap(Wrap { trim: true }),
            inner,
        );
        return;
    };
    let rows = c.candidates.len() as u16 + 4;
    let [table, chart] = Layout::vertical([
        Constraint::Length(rows.min(area.height)),
        Constraint::Min(0),
    ])
    .areas(area);
    let b = block(
        app,
        format!(
            "Compare: {} train / {} test rows, '{}' against the rest ({} champion · {} challenger)",
            c.n_train,
            c.n_test,
            c.positive_class,
            app.key(Command::Activate),
            app.key(Command::Challenger)
        ),
    );
    let inner = b.inner(table);
    frame.render_widget(b, table);
    let mut lines = vec![Line::from(Span::styled(
        format!(
            "  {:<10}{:>7}{:>8}{:>7}{:>15}{:>7}{:>7}{:>7}{:>8}",
            "kind", "acc", "recall", "AUC", "AUC folds", "KS", "Brier", "loss", "fit s"
        ),
        t.accent,
    ))];
    for (i, m) in c.candidates.iter().enumerate() {
        let style = if i == app.model.compare_cursor {
            t.selected
        } else {
            t.text
        };
        let folds = m.folds.as_ref().map_or("-".to_string(), |f| {
            format!("{:.3}±{:.3}", f.mean.auc, f.sd.auc)
        });
        lines.push(Line::from(vec![
            Span::styled("▬ ", curve_style(app, i)),
            Span::styled(
                format!(
                    "{:<10}{:>7}{:>8}{:>7.3}{:>15}{:>7.3}{:>7.3}{:>7.3}{:>8.2}",
                    m.kind,
                    pct(m.test.accuracy),
                    pct(m.test.macro_recall),
                    m.test.auc,
                    folds,
                    m.test.ks,
                    m.test.brier,
                    m.test.log_loss,
                    m.fit_seconds
                ),
                style,
            ),
        ]));
    }
    lines.push(Line::from(Span::styled(
        format!("  majority baseline: accuracy {}", pct(c.majority_baseline)),
        t.muted,
    )));
    frame.render_widget(Paragraph::new(lines), inner);
    if chart.height < 6 {
        return;
    }
    let diagonal = [(0.0, 0.0), (1.0, 1.0)];
    let mut sets = vec![Dataset::default()
        .marker(Marker::Braille)
        .graph_type(GraphType::Line)
        .style(t.muted)
        .data(&diagonal)];
    for (i, m) in c.candidates.iter().enumerate() {
        sets.push(
            Dataset::default()
                .name(format!("{} {:.3}", m.kind, m.test.auc))
                .marker(Marker::Braille)
                .graph_type(GraphType::Line)
                .style(curve_style(app, i))
                .data(&m.roc),
        );
    }
    let chart_widget = Chart::new(sets)
        .block(block(
            app,
            format!("ROC of '{}' against the rest, overlaid", c.positive_class),
        ))
        .x_axis(super::draw::rate_axis(app, "FPR"))
        .y_axis(super::draw::rate_axis(app, "TPR"));
    frame.render_widget(chart_widget, chart);
}

pub fn draw_reports(frame: &mut Frame, area: Rect, app: &App) {
    let t = app.theme();
    let view = app.model.view.as_ref();
    let active = view.and_then(|v| v.active.as_ref());
    let title = active.map_or("Reports".to_string(), |m| {
        format!(
            "Reports: model {} '{}' ({}), its test part",
            m.id,
            m.name,
            m.pipeline.kind().description()
        )
    });
    let b = block(app, title);
    let inner = b.inner(area);
    frame.render_widget(b, area);
    let Some(r) = view.and_then(|v| v.reports.as_ref()) else {
        let text = if active.is_none() {
            "No active model."
        } else {
            "This model's record keeps no test predictions (an older file): train it again to read its reports."
        };
        frame.render_widget(
            Paragraph::new(Span::styled(text, t.muted)).wrap(Wrap { trim: true }),
            inner,
        );
        return;
    };
    let g = &r.gains;
    let cal = &r.calibration;
    let mut lines = vec![
        Line::from(Span::styled(
            format!(
                "{} test rows, {} bad ({}); KS {:.3}; Brier {:.4}; Hosmer-Lemeshow {:.2} (df {}, p {:.3}); gains, riskiest first:",
                r.n,
                r.bads,
                pct(g.bad_rate),
                g.ks,
                cal.brier,
                cal.hosmer_lemeshow,
                cal.degrees_of_freedom,
                cal.p_value
            ),
            t.text,
        )),
        Line::from(Span::styled(
            format!(
                "{:>5}{:>7}{:>6}{:>9}{:>9}{:>9}{:>7}{:>7}{:>9}",
                "group", "count", "bads", "bad rate", "cum bad", "cum good", "KS", "lift",
                "cum lift"
            ),
            t.accent,
        )),
    ];
    for row in &g.rows {
        lines.push(Line::from(Span::styled(
            format!(
                "{:>5}{:>7}{:>6}{:>9}{:>9}{:>9}{:>7.3}{:>7.2}{:>9.2}",
                row.group,
                row.count,
                row.bads,
                pct(row.bad_rate),
                pct(row.cum_bad_share),
                pct(row.cum_good_share),
                row.ks,
                row.lift,
                row.cum_lift
            ),
            t.text,
        )));
    }
    lines.push(Line::from(Span::styled(
        "calibration by group, lowest chance first: predicted -> observed bad rate",
        t.accent,
    )));
    let cells: Vec<String> = cal
        .rows
        .iter()
        .map(|c| {
            format!(
                "{}: {} -> {}",
                c.group,
                pct(c.mean_predicted),
                pct(c.observed)
            )
        })
        .collect();
    lines.push(Line::from(Span::styled(
        format!("  {}", cells.join(" · ")),
        t.text,
    )));
    lines.push(Line::from(Span::styled(
        "score bands (chance of bad): count, share, bad rate",
        t.accent,
    )));
    for band in &r.bands {
        lines.push(Line::from(Span::styled(
            format!(
                "  {:.2}-{:.2}  {:>6}  {:>6}  {:>6}",
                band.from,
                band.to,
                band.count,
                pct(band.share),
                pct(band.bad_rate)
            ),
            t.text,
        )));
    }
    let skip = app.model.scroll.min(lines.len().saturating_sub(1));
    frame.render_widget(
        Paragraph::new(lines.split_off(skip)).wrap(Wrap { trim: false }),
        inner,
    );
}
