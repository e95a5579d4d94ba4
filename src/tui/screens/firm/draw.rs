//! The Firm screen: header facts, then panes: the ratio table by family (years as columns, sector
//! median, percentile, trend), the statements, the model's view (class, probabilities, path,
//! reasons), and the applications with their decision history.

use super::Pane;
use crate::output::format_ratio;
use crate::tui::app::{App, Screen};
use crate::tui::screens::roomy;
use crate::tui::ui::{bar, block, class_span, pane_bar, placeholder, sparkline};
use crate::views::firm::{FirmDetail, Standing};
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::style::Modifier;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Paragraph, Wrap};
use ratatui::Frame;

pub fn draw(frame: &mut Frame, area: Rect, app: &App) {
    let Some(d) = &app.firm.detail else {
        return placeholder(
            frame,
            area,
            app,
            &format!(
                "No firm open: choose one on the Firms screen ({}, then {}), or press {} and type its id.",
                app.key(crate::tui::keymap::Command::GoFirms),
                app.key(crate::tui::keymap::Command::Select),
                app.key(crate::tui::keymap::Command::OpenFirm)
            ),
        );
    };
    let t = app.theme();
    let f = &d.firm;
    let [head, bar_area, body] = Layout::vertical([
        Constraint::Length(3),
        Constraint::Length(1),
        Constraint::Min(1),
    ])
    .areas(area);
    let predicted = d.score.as_ref().map(|s| s.explanation.class.clone());
    frame.render_widget(
        Paragraph::new(vec![
            Line::from(vec![
                Span::styled(format!("{} ", f.name), t.title.add_modifier(Modifier::BOLD)),
                Span::styled(format!("({})", f.id), t.muted),
            ]),
            Line::from(Span::styled(
                format!(
                    "{} · {} · {} · founded {} · {}{}",
                    f.sector,
                    f.region.as_deref().unwrap_or("-"),
                    f.size.as_deref().unwrap_or("-"),
                    f.founded.as_deref().unwrap_or("-"),
                    f.status,
                    f.closed_on
                        .as_deref()
                        .map(|c| format!(" {c}"))
                        .unwrap_or_default()
                ),
                t.text,
            )),
            Line::from(vec![
                Span::styled("observed ", t.muted),
                class_span(app, f.class.as_deref(), true),
                Span::styled("  model ", t.muted),
                class_span(app, predicted.as_deref(), true),
                Span::styled(
                    format!(
                        "  · {} live sector peers{}",
                        d.peers,
                        d.median_year
                            .map(|y| format!(" in {y}"))
                            .unwrap_or_default()
                    ),
                    t.muted,
                ),
                Span::styled(
                    d.flags
                        .iter()
                        .map(|f| format!("  ⚠ {}", f.short()))
                        .collect::<String>(),
                    t.warning,
                ),
            ]),
        ]),
        head,
    );
    if roomy(body) {
        frame.render_widget(
            Paragraph::new(Span::styled(
                "Ratios | Model | Applications  (Statements: ] )",
                t.muted,
            )),
            bar_area,
        );
        let [l, r] = Layout::horizontal([Constraint::Percentage(62), Constraint::Percentage(38)])
            .areas(body);
        if Pane::at(app.pane_of(Screen::Firm)) == Pane::Statements {
            statements(frame, l, app, d);
        } else {
            ratios(frame, l, app, d);
        }
        let [m, a] =
            Layout::vertical([Constraint::Percentage(60), Constraint::Percentage(40)]).areas(r);
        model(frame, m, app, d);
        applications(frame, a, app, d);
        return;
    }
    frame.render_widget(
        Paragraph::new(pane_bar(app, Screen::Firm, bar_area.width)),
        bar_area,
    );
    match Pane::at(app.pane_of(Screen::Firm)) {
        Pane::Ratios => ratios(frame, body, app, d),
        Pane::Statements => statements(frame, body, app, d),
        Pane::Model => model(frame, body, app, d),
        Pane::Applications => applications(frame, body, app, d),
    }
}

fn ratios(frame: &mut Frame, area: Rect, app: &App, d: &FirmDetail) {
    let t = app.theme();
    let b = block(app, "Ratios by family (↑↓ scroll)");
    let inner = b.inner(area);
    frame.render_widget(b, area);
    let name_w = 26usize.min(inner.width as usize / 3);
    // The flag column (neg. equity, no prev. year) always has its room.
    let fixed = name_w + 11 + 6 + 8 + 14;
    let year_cols =
        ((inner.width as usize).saturating_sub(fixed) / 10).clamp(1, d.years.len().max(1));
    let years = &d.years[d.years.len().saturating_sub(year_cols)..];
    let mut lines = Vec::new();
    let mut head = vec![Span::styled(format!("{:<name_w$}", "ratio"), t.accent)];
    for y in years {
        head.push(Span::styled(format!("{y:>10}"), t.accent));
    }
    let sector = match d.median_year {
        Some(y) => format!("sector {y}"),
        None => "sector".into(),
    };
    head.push(Span::styled(
        format!("{sector:>12}{:>6} {:<7}{}", "pct", "trend", "flag"),
        t.accent,
    ));
    lines.push(Line::from(head));
    for fam in &d.families {
        lines.push(Line::from(Span::styled(
            fam.group.as_str().to_uppercase(),
            t.title,
        )));
        for l in &fam.lines {
            let name: String = l.name.chars().take(name_w - 1).collect();
            let mut spans = vec![Span::styled(format!("{name:<name_w$}"), t.text)];
            let skip = d.years.len() - years.len();
            for v in &l.values[skip..] {
                spans.push(Span::styled(
                    format!("{:>10}", format_ratio(*v, l.unit)),
                    t.text,
                ));
            }
            // The percentile with an arrow and a colour by the ratio's direction (none where
            // the value's sign makes a rank meaningless).
            let pct = match (l.percentile, l.standing) {
                (Some(p), Some(s)) => format!("{p:.0}{}", s.arrow()),
                _ => "- ".into(),
            };
            let pct_style = match l.standing {
                Some(Standing::Worse) => t.bad,
                Some(Standing::Better) => t.good,
                _ => t.text,
            };
            spans.push(Span::styled(
                format!("{:>12}", format_ratio(l.sector_median, l.unit)),
                t.muted,
            ));
            spans.push(Span::styled(format!("{pct:>6}"), pct_style));
            spans.push(Span::styled(
                format!(" {:<7}", sparkline(&l.values)),
                t.accent,
            ));
            let flags: Vec<&str> = l.flags.iter().map(|f| f.short()).collect();
            if !flags.is_empty() {
                spans.push(Span::styled(format!("⚠ {}", flags.join(", ")), t.warning));
            }
            lines.push(Line::from(spans));
        }
    }
    frame.render_widget(
        Paragraph::new(lines).scroll((app.firm.scroll as u16, 0)),
        inner,
    );
}

fn statements(frame: &mut Frame, area: Rect, app: &App, d: &FirmDetail) {
    let t = app.theme();
    let title = match d.amounts_label() {
        Some(label) => format!("Statements ({label})"),
        None => "Statements (currency and unit by year, below)".to_string(),
    };
    let b = block(app, title);
    let inner = b.inner(area);
    frame.render_widget(b, area);
    let name_w = 28usize.min(inner.width as usize / 3);
    let cols = ((inner.width as usize).saturating_sub(name_w) / 13).clamp(1, d.years.len().max(1));
    let years = &d.years[d.years.len().saturating_sub(cols)..];
    let skip = d.years.len() - years.len();
    let mut lines = vec![Line::from(
        std::iter::once(Span::styled(format!("{:<name_w$}", "item"), t.accent))
            .chain(
                years
                    .iter()
                    .map(|y| Span::styled(format!("{y:>13}"), t.accent)),
            )
            .collect::<Vec<_>>(),
    )];
    if d.amounts_label().is_none() && !d.years.is_empty() {
        lines.push(Line::from(
            std::iter::once(Span::styled(format!("{:<name_w$}", "amounts in"), t.muted))
                .chain((skip..d.years.len()).map(|i| {
                    let label: String = d.year_label(i).chars().take(12).collect();
                    Span::styled(format!("{label:>13}"), t.muted)
                }))
                .collect::<Vec<_>>(),
        ));
    }
    for (name, values) in &d.items {
        let n: String = name.chars().take(name_w - 1).collect();
        let mut spans = vec![Span::styled(format!("{n:<name_w$}"), t.text)];
        for v in &values[skip..] {
            let s = v.map(crate::output::amount).unwrap_or("-".into());
            spans.push(Span::styled(format!("{s:>13}"), t.text));
        }
        lines.push(Line::from(spans));
    }
    frame.render_widget(
        Paragraph::new(lines).scroll((app.firm.scroll as u16, 0)),
        inner,
    );
}

fn model(frame: &mut Frame, area: Rect, app: &App, d: &FirmDetail) {
    let t = app.theme();
    let title = match &d.model_name {
        Some(n) => format!("Model '{n}'"),
        None => "Model".into(),
    };
    let b = block(app, title);
    let inner = b.inner(area);
    frame.render_widget(b, area);
    let Some(s) = &d.score else {
        frame.render_widget(
            Paragraph::new(Span::styled(
                "no active model, or no statement to score",
                t.muted,
            )),
            inner,
        );
        return;
    };
    let e = &s.explanation;
    let mut lines = vec![Line::from(vec![
        Span::styled("class ", t.muted),
        class_span(app, Some(&e.class), true),
        Span::styled(format!("  (fiscal year {})", s.fiscal_year), t.muted),
    ])];
    let bw = (inner.width as usize).saturating_sub(22).max(4);
    for (c, p) in &e.probabilities {
        lines.push(Line::from(vec![
            Span::styled(format!("  {c:<13}{:>4.0}% ", p * 100.0), t.text),
            Span::styled(bar(*p, bw), t.class(c)),
        ]));
    }
    if let Some((name, c)) = &d.challenger {
        let label = format!("{} '{name}'", c.model_id);
        let disagrees = c.explanation.class != e.class;
        lines.push(crate::tui::ui::challenger_line(app, &label, c, disagrees));
    }
    lines.push(Line::from(Span::styled("Reasons", t.accent)));
    if s.coded.is_empty() {
        lines.push(Line::from(Span::styled(
            "  none: the path favours this class",
            t.muted,
        )));
    }
    for r in &s.coded {
        lines.push(Line::from(vec![
            Span::styled(format!("  {:<4}", r.code), t.accent),
            Span::styled(r.text.clone(), t.text),
        ]));
    }
    lines.push(Line::from(Span::styled("Path", t.accent)));
    for step in &e.path {
        lines.push(Line::from(Span::styled(
            format!(
                "  {}{} → p({}) {:.0}%",
                step.condition,
                if step.was_missing {
                    " (missing: median used)"
                } else {
                    ""
                },
                e.class,
                step.after * 100.0
            ),
            t.text,
        )));
    }
    if let Some(c) = &e.nearest_change {
        lines.push(Line::from(Span::styled(
            format!("Nearest change: {}", c.text),
            t.muted,
        )));
    }
    frame.render_widget(Paragraph::new(lines).wrap(Wrap { trim: false }), inner);
}

fn applications(frame: &mut Frame, area: Rect, app: &App, d: &FirmDetail) {
    let t = app.theme();
    let b = block(app, "Applications and decisions");
    let inner = b.inner(area);
    frame.render_widget(b, area);
    let mut lines = Vec::new();
    if d.applications.is_empty() {
        lines.push(Line::from(Span::styled("no applications", t.muted)));
    }
    for a in &d.applications {
        lines.push(Line::from(vec![
            Span::styled(format!("{} ", a.id), t.text.add_modifier(Modifier::BOLD)),
            Span::styled(
                format!(
                    "{} · {} thousand {} · {} months · {} · ",
                    a.submitted,
                    crate::output::thousands_f(a.amount),
                    a.currency,
                    a.term_months,
                    a.purpose.as_deref().unwrap_or("-")
                ),
                t.text,
            ),
            Span::styled(
                a.status.clone(),
                if a.status == "pending" {
                    t.warning
                } else {
                    t.accent
                },
            ),
        ]));
        for dec in d.decisions.iter().filter(|x| x.application_id == a.id) {
            let mut text = format!("   {} {} by {}", dec.decided_at, dec.decision, dec.analyst);
            if let Some(m) = &dec.model_id {
                text.push_str(&format!(
                    " (model {m}: {})",
                    dec.predicted_class.as_deref().unwrap_or("-")
                ));
            }
            if !dec.reasons.is_empty() {
                text.push_str(&format!(" · {}", dec.reasons.join("; ")));
            }
            if let Some(o) = &dec.override_reason {
                text.push_str(&format!(" · override: {o}"));
            }
            if let Some(n) = &dec.note {
                text.push_str(&format!(" · {n}"));
            }
            lines.push(Line::from(Span::styled(text, t.muted)));
        }
    }
    frame.render_widget(Paragraph::new(lines).wrap(Wrap { trim: false }), inner);
}
