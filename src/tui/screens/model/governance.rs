//! The Model screen's governance: the Models pane (the models in the store, which is the
//! champion and the challenger, and the model log under them) and the confirmation of a
//! promotion (who holds the role now, the queue's class mix before and after, the candidate's
//! figures, the policy, and the reason field).

use crate::tui::app::App;
use crate::tui::keymap::Command;
use crate::tui::popup::PromotionDraft;
use crate::tui::ui::{block, centered};
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Clear, Paragraph, Wrap};
use ratatui::Frame;

/// The models, then the model log (newest first) in the room left.
pub fn draw_models(frame: &mut Frame, area: Rect, app: &App) {
    let t = app.theme();
    let Some(view) = &app.model.view else { return };
    let rows = (view.models.len() as u16 + 3).min(area.height.saturating_sub(4).max(3));
    let [top, bottom] =
        Layout::vertical([Constraint::Length(rows), Constraint::Min(0)]).areas(area);
    let b = block(
        app,
        format!(
            "Models ● champion · c challenger · others candidates ({} promotes, {} challenger)",
            app.key(Command::Activate),
            app.key(Command::Challenger)
        ),
    );
    let inner = b.inner(top);
    frame.render_widget(b, top);
    let mut lines = vec![Line::from(Span::styled(
        format!(
            "  {:<17} {:<16} {:<21} {:>8} {:>6}",
            "id", "name", "created", "Q", "AUC"
        ),
        t.accent,
    ))];
    for (i, m) in view.models.iter().enumerate() {
        let q = m.metrics.get("test_error").and_then(|v| v.as_f64());
        let auc = m.metrics.get("auc").and_then(|v| v.as_f64());
        let style = if i == app.model.models_cursor {
            t.selected
        } else {
            t.text
        };
        lines.push(Line::from(Span::styled(
            format!(
                "{} {:<17} {:<16} {:<21} {:>8} {:>6}",
                if m.active {
                    "●"
                } else if m.challenger {
                    "c"
                } else {
                    " "
                },
                m.id,
                m.name.chars().take(16).collect::<String>(),
                m.created_at,
                q.map_or("-".into(), |v| format!("{:.1}%", v * 100.0)),
                auc.map_or("-".into(), |v| format!("{v:.3}"))
            ),
            style,
        )));
    }
    let skip = app
        .model
        .models_cursor
        .saturating_sub(inner.height.saturating_sub(2) as usize);
    let head = lines.remove(0);
    let mut shown = vec![head];
    shown.extend(lines.into_iter().skip(skip));
    frame.render_widget(Paragraph::new(shown), inner);
    if bottom.height < 3 {
        return;
    }
    let b = block(
        app,
        "Model log (newest first): who put which model into use, and why",
    );
    let inner = b.inner(bottom);
    frame.render_widget(b, bottom);
    let mut lines = Vec::new();
    if view.log.is_empty() {
        lines.push(Line::from(Span::styled(
            "No model has been put into use yet.",
            t.muted,
        )));
    }
    for e in view.log.iter().rev() {
        let to = e.to_model.as_deref().unwrap_or("none");
        let from = e.from_model.as_deref().unwrap_or("none");
        lines.push(Line::from(vec![
            Span::styled(
                format!("#{} {} ", e.id, &e.at[..e.at.len().min(16)]),
                t.muted,
            ),
            Span::styled(
                format!("{} {} {}: {from} -> {to} ", e.analyst, e.action, e.role),
                t.text,
            ),
            Span::styled(
                format!("({}) \"{}\"", e.figures.describe(), e.reason),
                t.muted,
            ),
        ]));
    }
    frame.render_widget(Paragraph::new(lines).wrap(Wrap { trim: false }), inner);
}

fn mix(m: &[(String, usize)]) -> String {
    if m.is_empty() {
        return "-".into();
    }
    m.iter()
        .map(|(c, n)| format!("{c} {n}"))
        .collect::<Vec<_>>()
        .join(" · ")
}

/// The confirmation of a promotion.
pub fn draw_promotion(frame: &mut Frame, area: Rect, app: &App, d: &PromotionDraft) {
    let t = app.theme();
    let p = &d.preview;
    let current = p.current.as_ref().map_or("none".to_string(), |c| {
        format!("{} '{}' ({})", c.id, c.name, c.kind)
    });
    let mut lines = vec![
        Line::from(Span::styled(
            format!(
                "Make {} '{}' ({}) the {}?",
                p.candidate.id, p.candidate.name, p.candidate.kind, p.role
            ),
            t.title,
        )),
        Line::from(Span::styled(
            format!("now the {}: {current}", p.role),
            t.text,
        )),
        Line::from(Span::styled(
            format!("its test figures: {}", p.figures.describe()),
            t.text,
        )),
        Line::from(Span::styled(
            format!("queue's {} pending applications by class:", p.pending),
            t.accent,
        )),
        Line::from(Span::styled(
            format!("  before: {}", mix(&p.before)),
            t.text,
        )),
        Line::from(Span::styled(format!("  after:  {}", mix(&p.after)), t.text)),
        Line::from(Span::styled(format!("policy: {}", p.policy), t.muted)),
        Line::from(vec![
            Span::styled("reason: ", t.accent),
            Span::styled(d.reason.clone(), t.text),
            Span::styled("▏", t.accent),
        ]),
    ];
    if let Some(e) = &d.error {
        lines.push(Line::from(Span::styled(format!("✗ {e}"), t.error)));
    }
    lines.push(Line::from(Span::styled(
        format!(
            "{} promotes (recorded in the model log) · {} cancels",
            app.key(Command::Submit),
            app.key(Command::Dismiss)
        ),
        t.muted,
    )));
    // As tall as the lines once wrapped at the pop-up's width.
    let inner = 96.min(area.width).saturating_sub(2).max(1) as usize;
    let rows: usize = lines.iter().map(|l| l.width().div_ceil(inner).max(1)).sum();
    let r = centered(area, 96, (rows as u16 + 2).min(area.height));
    frame.render_widget(Clear, r);
    frame.render_widget(
        Paragraph::new(lines)
            .block(block(app, format!("Promote to {}", p.role)))
            .wrap(Wrap { trim: false }),
        r,
    );
}
