//! The PCA screen: prcomp's importance table, the scree chart, the loadings with the kept
//! components and the |loading| cutoff highlighted, and the PC1 x PC2 scatter by class.

use super::Pane;
use super::PCA_SELECTIONS;
use crate::tui::app::{App, Screen};
use crate::tui::screens::roomy;
use crate::tui::ui::{block, pane_bar, placeholder};
use crate::views::pca::PcaView;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::style::Modifier;
use ratatui::symbols::Marker;
use ratatui::text::{Line, Span};
use ratatui::widgets::canvas::{Canvas, Points};
use ratatui::widgets::{Bar, BarChart, BarGroup, Paragraph};
use ratatui::Frame;

/// Loadings at least this large (in absolute value) are highlighted.
pub const CUTOFF: f64 = 0.3;

pub fn draw(frame: &mut Frame, area: Rect, app: &App) {
    let pane = Pane::at(app.pane_of(Screen::Pca));
    if matches!(pane, Pane::Screening | Pane::Correlation) {
        let [bar_area, body] =
            Layout::vertical([Constraint::Length(1), Constraint::Min(1)]).areas(area);
        frame.render_widget(
            Paragraph::new(pane_bar(app, Screen::Pca, bar_area.width)),
            bar_area,
        );
        return super::screening::draw(frame, body, app, pane);
    }
    let Some(p) = &app.pca.view else {
        return placeholder(frame, area, app, "Computing the principal components…");
    };
    let t = app.theme();
    let k = app.pca.k.unwrap_or(p.report.k);
    let [head, bar_area, body] = Layout::vertical([
        Constraint::Length(2),
        Constraint::Length(1),
        Constraint::Min(1),
    ])
    .areas(area);
    let cum = p
        .report
        .cumulative
        .get(k.saturating_sub(1))
        .copied()
        .unwrap_or(0.0);
    frame.render_widget(
        Paragraph::new(vec![
            Line::from(vec![
                Span::styled(format!("ratios: {} ", p.selection), t.text.add_modifier(Modifier::BOLD)),
                Span::styled(
                    format!(
                        "· {} firms · {} variables · rule {} ",
                        p.report.n_rows,
                        p.report.variables.len(),
                        p.report.rule_text
                    ),
                    t.text,
                ),
            ]),
            Line::from(vec![
                Span::styled(format!("k = {k}"), t.accent.add_modifier(Modifier::BOLD)),
                Span::styled(
                    format!(
                        " ({}) keeps {:.1}% of the variance · + - change k · r rule · v ratios ({})",
                        if app.pca.k.is_some() { "chosen" } else { "by the rule" },
                        cum * 100.0,
                        PCA_SELECTIONS[(app.pca.selection + 1) % PCA_SELECTIONS.len()]
                    ),
                    t.muted,
                ),
            ]),
        ]),
        head,
    );
    if roomy(body) {
        frame.render_widget(
            Paragraph::new(pane_bar(app, Screen::Pca, bar_area.width)),
            bar_area,
        );
        let [top, bottom] =
            Layout::vertical([Constraint::Percentage(45), Constraint::Percentage(55)]).areas(body);
        let [a, b] =
            Layout::horizontal([Constraint::Percentage(60), Constraint::Percentage(40)]).areas(top);
        let [c, d] = Layout::horizontal([Constraint::Percentage(55), Constraint::Percentage(45)])
            .areas(bottom);
        importance(frame, a, app, p, k);
        scree(frame, b, app, p, k);
        loadings(frame, c, app, p, k);
        scatter(frame, d, app, p);
        return;
    }
    frame.render_widget(
        Paragraph::new(pane_bar(app, Screen::Pca, bar_area.width)),
        bar_area,
    );
    match Pane::at(app.pane_of(Screen::Pca)) {
        Pane::Importance => importance(frame, body, app, p, k),
        Pane::Scree => scree(frame, body, app, p, k),
        Pane::Loadings => loadings(frame, body, app, p, k),
        Pane::Scatter => scatter(frame, body, app, p),
        Pane::Screening | Pane::Correlation => {}
    }
}

fn importance(frame: &mut Frame, area: Rect, app: &App, p: &PcaView, k: usize) {
    let t = app.theme();
    let b = block(app, "Importance of components (as R's summary(prcomp))");
    let inner = b.inner(area);
    frame.render_widget(b, area);
    let label_w = 24usize;
    let per = ((inner.width as usize).saturating_sub(label_w) / 8).max(1);
    let mut lines = Vec::new();
    let n = p.report.sdev.len();
    let mut start = 0;
    while start < n && lines.len() + 4 <= inner.height as usize {
        let end = (start + per).min(n);
        let mut head = vec![Span::styled(format!("{:<label_w$}", ""), t.text)];
        for c in start..end {
            let style = if c < k {
                t.accent.add_modifier(Modifier::BOLD)
            } else {
                t.muted
            };
            head.push(Span::styled(
                format!("{:>8}", format!("PC{}", c + 1)),
                style,
            ));
        }
        lines.push(Line::from(head));
        for (label, values) in [
            ("Standard deviation", &p.report.sdev),
            ("Proportion of Variance", &p.report.proportion),
            ("Cumulative Proportion", &p.report.cumulative),
        ] {
            let mut spans = vec![Span::styled(format!("{label:<label_w$}"), t.text)];
            for (c, v) in values.iter().enumerate().take(end).skip(start) {
                let style = if c < k { t.text } else { t.muted };
                spans.push(Span::styled(format!("{:>8.4}", v), style));
            }
            lines.push(Line::from(spans));
        }
        start = end;
    }
    if start < n {
        lines.push(Line::from(Span::styled(
            format!("… {} more components", n - start),
            t.muted,
        )));
    }
    frame.render_widget(Paragraph::new(lines), inner);
}

fn scree(frame: &mut Frame, area: Rect, app: &App, p: &PcaView, k: usize) {
    let t = app.theme();
    let b = block(app, "Scree: variance per component (kept in colour)");
    let inner = b.inner(area);
    frame.render_widget(b, area);
    let n = p.report.sdev.len();
    let show = n.min((inner.width as usize / 3).max(1));
    let bars: Vec<Bar> = p
        .report
        .sdev
        .iter()
        .take(show)
        .enumerate()
        .map(|(c, s)| {
            let var = s * s;
            Bar::new((var * 100.0).round() as u64)
                .label(Line::from(format!("{}", c + 1)))
                .text_value(if var >= 10.0 {
                    format!("{var:.0}")
                } else {
                    format!("{var:.1}")
                })
                .style(if c < k { t.accent } else { t.muted })
        })
        .collect();
    let bw = ((inner.width as usize).saturating_sub(show) / show.max(1)).clamp(1, 5) as u16;
    frame.render_widget(
        BarChart::default()
            .data(BarGroup::default().bars(&bars))
            .bar_width(bw)
            .bar_gap(1)
            .value_style(t.text),
        inner,
    );
}

fn loadings(frame: &mut Frame, area: Rect, app: &App, p: &PcaView, k: usize) {
    let t = app.theme();
    let b = block(
        app,
        format!("Loadings of the kept components (|x| >= {CUTOFF} bold)"),
    );
    let inner = b.inner(area);
    frame.render_widget(b, area);
    let name_w = 22usize;
    let cols = k.min(((inner.width as usize).saturating_sub(name_w) / 7).max(1));
    let mut lines = vec![Line::from(
        std::iter::once(Span::styled(format!("{:<name_w$}", "variable"), t.accent))
            .chain(
                (0..cols).map(|c| Span::styled(format!("{:>7}", format!("PC{}", c + 1)), t.accent)),
            )
            .collect::<Vec<_>>(),
    )];
    for (j, v) in p.report.variables.iter().enumerate() {
        let name: String = v.chars().take(name_w - 1).collect();
        let mut spans = vec![Span::styled(format!("{name:<name_w$}"), t.text)];
        for c in 0..cols {
            let x = p.report.loadings[j][c];
            let style = if x.abs() >= CUTOFF {
                t.accent.add_modifier(Modifier::BOLD)
            } else {
                t.muted
            };
            spans.push(Span::styled(format!("{x:>7.3}"), style));
        }
        lines.push(Line::from(spans));
    }
    if cols < k {
        lines.push(Line::from(Span::styled(
            format!("({} more kept components: widen the window)", k - cols),
            t.muted,
        )));
    }
    frame.render_widget(Paragraph::new(lines), inner);
}

fn scatter(frame: &mut Frame, area: Rect, app: &App, p: &PcaView) {
    let t = app.theme();
    let b = block(app, "PC1 x PC2 by class: G good · S satisfactory · B bad");
    let inner = b.inner(area);
    frame.render_widget(b, area);
    let (mut x0, mut x1, mut y0, mut y1) = (f64::MAX, f64::MIN, f64::MAX, f64::MIN);
    let mut xs: Vec<f64> = p.scores.iter().map(|s| s.0).collect();
    let mut ys: Vec<f64> = p.scores.iter().map(|s| s.1).collect();
    xs.sort_by(f64::total_cmp);
    ys.sort_by(f64::total_cmp);
    // The 1st-99th percentile range, so a few outliers do not squash the cloud.
    if let (Some(a), Some(b), Some(c), Some(d)) = (
        crate::finance::peers::quantile_sorted(&xs, 0.01),
        crate::finance::peers::quantile_sorted(&xs, 0.99),
        crate::finance::peers::quantile_sorted(&ys, 0.01),
        crate::finance::peers::quantile_sorted(&ys, 0.99),
    ) {
        (x0, x1, y0, y1) = (a, b, c, d);
    }
    if x1 <= x0 {
        x1 = x0 + 1.0;
    }
    if y1 <= y0 {
        y1 = y0 + 1.0;
    }
    let groups: Vec<(String, Vec<(f64, f64)>)> = ["good", "satisfactory", "bad", "unlabelled"]
        .iter()
        .map(|c| {
            (
                c.to_string(),
                p.scores
                    .iter()
                    .filter(|s| s.2 == *c)
                    .map(|s| (s.0, s.1))
                    .collect(),
            )
        })
        .collect();
    let mono = t.monochrome;
    let colors: Vec<ratatui::style::Color> = ["good", "satisfactory", "bad", "unlabelled"]
        .iter()
        .map(|c| t.class(c).fg.unwrap_or(ratatui::style::Color::Reset))
        .collect();
    let canvas = Canvas::default()
        .marker(if mono { Marker::Dot } else { Marker::Braille })
        .x_bounds([x0, x1])
        .y_bounds([y0, y1])
        .paint(move |ctx| {
            for ((class, pts), color) in groups.iter().zip(&colors) {
                if mono {
                    // Without colour, classes are letters.
                    for (x, y) in pts.iter().step_by(4) {
                        ctx.print(*x, *y, crate::tui::theme::class_letter(class));
                    }
                } else {
                    ctx.draw(&Points {
                        coords: pts,
                        color: *color,
                    });
                    ctx.layer();
                }
            }
        });
    frame.render_widget(canvas, inner);
}
