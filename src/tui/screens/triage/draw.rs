//! The Triage screen: the pending applications, riskiest first, and beside the selected one the
//! application, its key ratios against the sector, the model's class, probabilities and reasons;
//! and the decision overlay (note, reasons for a decline, override reason against the model).

use crate::decisions::{Verdict, DEFAULT_REFERRAL};
use crate::output::{format_ratio, thousands_f};
use crate::tui::app::App;
use crate::tui::popup::DecisionDraft;
use crate::tui::ui::{bar, block, centered, challenger_line, class_span, placeholder};
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::style::Modifier;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Clear, Paragraph, Wrap};
use ratatui::Frame;

pub fn draw(frame: &mut Frame, area: Rect, app: &App) {
    if !app.triage.loaded {
        return placeholder(frame, area, app, "Scoring the pending applications…");
    }
    let t = app.theme();
    let [head, body] = Layout::vertical([Constraint::Length(1), Constraint::Min(1)]).areas(area);
    let c = &app.triage.counts;
    let k = |c| app.key(c);
    use crate::tui::keymap::Command::*;
    frame.render_widget(
        Paragraph::new(Line::from(vec![
            Span::styled(
                format!("{} of {} decided", c.decided, c.total),
                t.text.add_modifier(Modifier::BOLD),
            ),
            Span::styled(
                format!(" · {} referred · {} pending", c.referred, c.pending),
                t.text,
            ),
            Span::styled(
                format!(
                    "  {} view · {} approve · {} decline · {} refer · {} undo · {} firm",
                    k(TriageView),
                    k(Approve),
                    k(Decline),
                    k(Refer),
                    k(Undo),
                    k(Select)
                ),
                t.muted,
            ),
        ])),
        head,
    );
    if app.triage.queue.is_empty() {
        let text = match app.triage.view {
            super::TriageView::Pending => {
                "Nothing is pending: every application is decided or referred.".to_string()
            }
            v => format!("No application is {} now.", v.title()),
        };
        let text = format!("{text} {} shows another view.", k(TriageView));
        return placeholder(frame, body, app, &text);
    }
    let list_w = if body.width >= 110 { 44 } else { 32 };
    let [list, detail] =
        Layout::horizontal([Constraint::Length(list_w), Constraint::Min(20)]).areas(body);
    let b = block(
        app,
        format!("{} ({})", app.triage.view.title(), app.triage.queue.len()),
    );
    let inner = b.inner(list);
    frame.render_widget(b, list);
    let rows = inner.height as usize;
    let start = app.triage.cursor.saturating_sub(rows.saturating_sub(1));
    // Class letter, "bad 84%", the challenger mark and the state mark take 12 cells, and a
    // blank before the border.
    let name_w = (list_w as usize).saturating_sub(2 + 13);
    let lines: Vec<Line> = app
        .triage
        .queue
        .iter()
        .enumerate()
        .skip(start)
        .take(rows)
        .map(|(i, q)| {
            let style = if i == app.triage.cursor {
                t.selected
            } else {
                t.text
            };
            let class = q.score.as_ref().map(|s| s.explanation.class.as_str());
            let name: String = q.application.firm_name.chars().take(name_w).collect();
            // "!" marks an application on which the challenger disagrees with the champion;
            // "K" one out with a field kit, "C" one in conflict (both named in the detail).
            let (mark, mark_style) = if let Some(hold) = &q.hold {
                (
                    match hold {
                        crate::store::kits::Hold::Kit { .. } => "K",
                        crate::store::kits::Hold::Conflict { .. } => "C",
                    },
                    t.warning,
                )
            } else if q.disagrees() {
                ("!", t.warning)
            } else {
                (" ", style)
            };
            // The figure is the chance of bad, and says so ("bad 84%").
            let risk = match &q.score {
                Some(_) => format!(" bad{:>4.0}%", q.risk() * 100.0),
                None => " bad    -".to_string(),
            };
            Line::from(vec![
                class_span(app, class, false),
                Span::styled(risk, style),
                Span::styled(mark, mark_style),
                Span::styled(state_mark(q), style),
                Span::styled(format!("{name:<name_w$}"), style),
            ])
        })
        .collect();
    frame.render_widget(Paragraph::new(lines), inner);
    let Some(q) = app.triage.queue.get(app.triage.cursor) else {
        return;
    };
    let a = &q.application;
    let b = block(app, format!("{} · {}", a.id, a.firm_name));
    let inner = b.inner(detail);
    frame.render_widget(b, detail);
    let mut lines = vec![
        Line::from(Span::styled(
            format!(
                "{} thousand {} · {} months · {} · submitted {}",
                thousands_f(a.amount),
                a.currency,
                a.term_months,
                a.purpose.as_deref().unwrap_or("-"),
                a.submitted
            ),
            t.text,
        )),
        Line::from(Span::styled(
            format!("{} · {}", a.firm_id, a.sector),
            t.muted,
        )),
    ];
    if let Some(hold) = &q.hold {
        lines.insert(
            0,
            Line::from(Span::styled(
                format!("{hold}: not decided here"),
                t.warning.add_modifier(ratatui::style::Modifier::BOLD),
            )),
        );
    }
    if let Some(d) = &q.decision {
        let to = d
            .referred_to
            .as_ref()
            .map(|t| format!(" to {t}"))
            .unwrap_or_default();
        let note = d
            .note
            .as_ref()
            .map(|n| format!(": {n}"))
            .unwrap_or_default();
        lines.push(Line::from(Span::styled(
            format!(
                "{}{to} by {} at {}{note}",
                a.status, d.analyst, d.decided_at
            ),
            t.warning.add_modifier(Modifier::BOLD),
        )));
    }
    match &q.score {
        None => lines.push(Line::from(Span::styled(
            "no model score (no active model, or no statement)",
            t.muted,
        ))),
        Some(s) => {
            lines.push(Line::from(vec![
                Span::styled("model class ", t.muted),
                class_span(app, Some(&s.explanation.class), true),
                Span::styled(
                    format!("  (model {}, FY {})", s.model_id, s.fiscal_year),
                    t.muted,
                ),
            ]));
            let bw = (inner.width as usize).saturating_sub(24).clamp(4, 30);
            for (c, p) in &s.explanation.probabilities {
                lines.push(Line::from(vec![
                    Span::styled(format!("  {c:<13}{:>4.0}% ", p * 100.0), t.text),
                    Span::styled(bar(*p, bw), t.class(c)),
                ]));
            }
        }
    }
    if let Some((m, s)) = &q.challenger {
        lines.push(challenger_line(app, &m.id, s, q.disagrees()));
    }
    // The ratio's name takes what the firm and sector columns leave (no wrapped rows at 80x24).
    let key_w = (inner.width as usize).saturating_sub(23).clamp(10, 26);
    lines.push(Line::from(Span::styled(
        format!("{:<key_w$}{:>10}{:>11}", "key ratios", "firm", "sector md"),
        t.accent,
    )));
    for k in &q.key_ratios {
        let worse = match (k.value, k.sector_median) {
            (Some(v), Some(m)) => Some((v < m) == k.higher_is_better),
            _ => None,
        };
        let (mark, style) = match worse {
            Some(true) => ("▼", t.bad),
            Some(false) => ("▲", t.good),
            None => (" ", t.muted),
        };
        let name: String = k.name.chars().take(key_w - 1).collect();
        lines.push(Line::from(vec![
            Span::styled(format!("{name:<key_w$}"), t.text),
            Span::styled(format!("{:>10}", format_ratio(k.value, k.unit)), t.text),
            Span::styled(
                format!("{:>11} ", format_ratio(k.sector_median, k.unit)),
                t.muted,
            ),
            Span::styled(mark, style),
        ]));
    }
    let reasons = q.suggested_reasons();
    if !reasons.is_empty() {
        lines.push(Line::from(Span::styled(
            "reasons (prefilled on decline)",
            t.accent,
        )));
        for r in reasons {
            lines.push(Line::from(Span::styled(format!("  • {r}"), t.text)));
        }
    }
    frame.render_widget(Paragraph::new(lines).wrap(Wrap { trim: false }), inner);
}

/// An application's state in one cell: blank while pending, an arrow when referred, a tick
/// when approved, a cross when declined (read without colour).
fn state_mark(q: &crate::views::triage::QueueItem) -> &'static str {
    match q.application.status.as_str() {
        "referred" => "→",
        "approved" => "✓",
        "declined" => "✗",
        _ => " ",
    }
}

/// The decision overlay.
pub fn draw_decision(frame: &mut Frame, area: Rect, app: &App, d: &DecisionDraft) {
    let t = app.theme();
    let names = d.field_names();
    let codes_hint = d.verdict == Verdict::Decline;
    let h = (names.len() as u16 + 11 + if codes_hint { 2 } else { 0 }).min(area.height);
    let r = centered(area, 76, h);
    let verb = match d.verdict {
        Verdict::Approve => "Approve",
        Verdict::Decline => "Decline",
        Verdict::Refer => "Refer",
    };
    let mut lines = vec![Line::from(Span::styled(d.firm.clone(), t.text))];
    if let Some(m) = &d.model {
        lines.push(Line::from(vec![
            Span::styled("model says ", t.muted),
            class_span(app, Some(&m.predicted_class), true),
            Span::styled(
                if d.against_model {
                    "  — this goes against it: give an override reason"
                } else {
                    ""
                },
                t.warning,
            ),
        ]));
    }
    for (i, name) in names.iter().enumerate() {
        let style = if i == d.field { t.selected } else { t.text };
        let cursor = if i == d.field { "▏" } else { "" };
        let mut spans = vec![
            Span::styled(format!("{name:>15} "), t.muted),
            Span::styled(format!("{}{cursor}", d.field(i)), style),
        ];
        if name == "refer to" && d.referred_to.trim().is_empty() {
            spans.push(Span::styled(
                format!("(an analyst or a role; empty: {})", DEFAULT_REFERRAL),
                t.muted,
            ));
        }
        lines.push(Line::from(spans));
    }
    if codes_hint {
        // The bank's reason codes: a reason field holds `CODE`, `CODE: words` or words alone.
        let codes: Vec<&str> = crate::decisions::codes::active()
            .codes
            .iter()
            .map(|c| c.code.as_str())
            .collect();
        lines.push(Line::from(Span::styled(
            format!(
                "reason codes: {} · a reason is CODE, CODE: words, or words (OTH)",
                codes.join(" ")
            ),
            t.muted,
        )));
    }
    lines.push(Line::from(match &d.error {
        Some(e) => Span::styled(e.clone(), t.error),
        None => {
            let km = &app.settings.keymap;
            use crate::tui::keymap::Command::*;
            Span::styled(
                format!(
                    "{} field · {} saves at once · {} cancels",
                    km.keys_of(NextField),
                    km.key_of(Submit),
                    km.key_of(Dismiss)
                ),
                t.muted,
            )
        }
    }));
    frame.render_widget(Clear, r);
    frame.render_widget(
        Paragraph::new(lines)
            .block(block(app, format!("{verb} {}", d.application_id)))
            .wrap(Wrap { trim: false }),
        r,
    );
}
