//! The PCA screen's screening panes: the table of the selected ratios (missing share, VIF, IV,
//! trend, recommended or why not) and the correlation heat map, shaded by |r| with the sign in
//! colour (and in the glyph, so that it reads without colour).

use super::Pane;
use crate::analysis::screen::Screening;
use crate::tui::app::App;
use crate::tui::screens::roomy;
use crate::tui::ui::{block, placeholder};
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::style::Modifier;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Paragraph, Row, Table};
use ratatui::Frame;

pub fn draw(frame: &mut Frame, area: Rect, app: &App, pane: Pane) {
    let Some(s) = &app.pca.screening else {
        return placeholder(frame, area, app, "Screening the ratios…");
    };
    if roomy(area) {
        let [a, b] = Layout::horizontal([Constraint::Percentage(55), Constraint::Percentage(45)])
            .areas(area);
        table(frame, a, app, s);
        heat_map(frame, b, app, s);
    } else if pane == Pane::Correlation {
        heat_map(frame, area, app, s);
    } else {
        table(frame, area, app, s);
    }
}

fn table(frame: &mut Frame, area: Rect, app: &App, s: &Screening) {
    let t = app.theme();
    let title = match &s.bad_class {
        Some((class, n)) => format!(
            "Screening: {} rows, IV of '{class}' ({n}) against the rest · {} of {} recommended",
            s.rows,
            s.recommended.len(),
            s.inputs.len()
        ),
        None => format!("Screening: {} rows, no labels (no IV)", s.rows),
    };
    let b = block(app, title);
    let inner = b.inner(area);
    frame.render_widget(b, area);
    let rows: Vec<Row> = s
        .inputs
        .iter()
        .map(|i| {
            let style = if i.recommended { t.text } else { t.muted };
            let vif = match i.vif.value() {
                v if v.is_infinite() => "inf".to_string(),
                v if v.is_nan() => "-".to_string(),
                v if v >= 1e5 => format!("{v:.1e}"),
                v => format!("{v:.2}"),
            };
            let vif_style = if i.vif.value() > s.rule.max_vif {
                t.warning
            } else {
                style
            };
            Row::new(vec![
                Span::styled(i.name.clone(), style),
                Span::styled(format!("{:.0}%", 100.0 * i.missing_share), style),
                Span::styled(vif, vif_style),
                Span::styled(i.iv().map_or("-".into(), |v| format!("{v:.3}")), style),
                Span::styled(
                    i.binning
                        .as_ref()
                        .map_or("-", |b| match b.trend {
                            "ascending" => "↑",
                            "descending" => "↓",
                            other => other,
                        })
                        .to_string(),
                    style,
                ),
                if i.recommended {
                    Span::styled("keep", t.good)
                } else {
                    Span::styled(i.why.clone(), t.muted)
                },
            ])
        })
        .collect();
    let widths = [
        Constraint::Length(22),
        Constraint::Length(5),
        Constraint::Length(8),
        Constraint::Length(6),
        Constraint::Length(5),
        Constraint::Min(10),
    ];
    let header = Row::new(vec!["input", "miss", "VIF", "IV", "trend", "recommended"])
        .style(t.accent.add_modifier(Modifier::BOLD));
    frame.render_widget(Table::new(rows, widths).header(header), inner);
}

/// The glyph of a correlation: denser for a larger |r|, '+' / '-' blocks kept apart by shape.
fn glyph(r: f64) -> &'static str {
    match r.abs() {
        a if a.is_nan() => " ",
        a if a >= 0.9 => {
            if r > 0.0 {
                "█"
            } else {
                "▓"
            }
        }
        a if a >= 0.6 => {
            if r > 0.0 {
                "▒"
            } else {
                "≡"
            }
        }
        a if a >= 0.3 => {
            if r > 0.0 {
                "░"
            } else {
                "-"
            }
        }
        _ => "·",
    }
}

fn heat_map(frame: &mut Frame, area: Rect, app: &App, s: &Screening) {
    let t = app.theme();
    let b = block(
        app,
        "Correlation (|r| ≥ .9 █/▓, ≥ .6 ▒/≡, ≥ .3 ░/-; positive/negative)",
    );
    let inner = b.inner(area);
    frame.render_widget(b, area);
    let m = s.design.len();
    let label_w = 14usize;
    let room = (inner.width as usize).saturating_sub(label_w + 1);
    let cell = room.checked_div(m).unwrap_or(1).clamp(1, 3);
    let shown_cols = (room / cell).min(m);
    let shown_rows = (inner.height as usize).saturating_sub(1).min(m);
    let mut lines = Vec::with_capacity(shown_rows + 1);
    let mut head = format!("{:label_w$} ", "");
    for j in 0..shown_cols {
        let n = format!("{}", (j + 1) % 100);
        head.push_str(&format!(
            "{:>cell$}",
            if cell >= n.len() { n } else { String::new() }
        ));
    }
    lines.push(Line::from(Span::styled(head, t.muted)));
    for i in 0..shown_rows {
        let name: String = s.design[i].name.chars().take(label_w - 4).collect();
        let mut spans = vec![Span::styled(
            format!("{:>2} {:<w$} ", i + 1, name, w = label_w - 3),
            t.text,
        )];
        for j in 0..shown_cols {
            let r = s.correlation[i][j];
            let style = if i == j || r.is_nan() || r.abs() < 0.3 {
                t.muted
            } else if r > 0.0 {
                t.bad
            } else {
                t.good
            };
            spans.push(Span::styled(glyph(r).repeat(cell), style));
        }
        lines.push(Line::from(spans));
    }
    if shown_rows < m || shown_cols < m {
        if let Some(last) = lines.last_mut() {
            last.spans
                .push(Span::styled(format!(" … {m} columns in all"), t.muted));
        }
    }
    frame.render_widget(Paragraph::new(lines), inner);
}
