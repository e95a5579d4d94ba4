//! The Portfolio dashboard: counts by sector, region, size and class, the model's class mix,
//! ratio distributions with medians by sector, and closures by year.

use super::Pane;
use crate::output::thousands;
use crate::tui::app::{App, Screen};
use crate::tui::screens::roomy;
use crate::tui::ui::{bar, block, class_span, pane_bar, placeholder};
use crate::views::portfolio::Portfolio;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::style::Modifier;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Bar, BarChart, BarGroup, Paragraph};
use ratatui::Frame;

pub fn draw(frame: &mut Frame, area: Rect, app: &App) {
    let Some(p) = &app.portfolio.view else {
        return placeholder(frame, area, app, "Loading the portfolio…");
    };
    let mut area = area;
    if let Some(n) = &app.notice {
        let [top, rest] = Layout::vertical([Constraint::Length(2), Constraint::Min(1)]).areas(area);
        frame.render_widget(
            Paragraph::new(Span::styled(format!("★ {n}"), app.theme().notice))
                .wrap(ratatui::widgets::Wrap { trim: true }),
            top,
        );
        area = rest;
    }
    if roomy(area) {
        let [upper, lower] =
            Layout::vertical([Constraint::Percentage(55), Constraint::Percentage(45)]).areas(area);
        overview(frame, upper, app, p);
        let [l, r] = Layout::horizontal([Constraint::Percentage(60), Constraint::Percentage(40)])
            .areas(lower);
        ratios(frame, l, app, p);
        closures(frame, r, app, p);
        return;
    }
    let [bar_area, rest] =
        Layout::vertical([Constraint::Length(1), Constraint::Min(1)]).areas(area);
    frame.render_widget(
        Paragraph::new(pane_bar(app, Screen::Portfolio, bar_area.width)),
        bar_area,
    );
    match Pane::at(app.pane_of(Screen::Portfolio)) {
        Pane::Overview => overview(frame, rest, app, p),
        Pane::Ratios => ratios(frame, rest, app, p),
        Pane::Closures => closures(frame, rest, app, p),
    }
}

fn count_lines(
    app: &App,
    title: &str,
    rows: &[(String, i64)],
    width: usize,
    max: usize,
) -> Vec<Line<'static>> {
    let t = app.theme();
    let largest: i64 = rows.iter().map(|r| r.1).max().unwrap_or(1).max(1);
    let mut lines = vec![Line::from(Span::styled(title.to_string(), t.accent))];
    let label_w = 14.min(width.saturating_sub(16));
    let bar_w = width.saturating_sub(label_w + 14).max(1);
    for (k, n) in rows.iter().take(max) {
        let label: String = k.chars().take(label_w).collect();
        lines.push(Line::from(vec![
            Span::styled(format!("{label:<label_w$} "), t.text),
            Span::styled(format!("{:>6} ", thousands(*n as usize)), t.text),
            Span::styled(bar(*n as f64 / largest as f64, bar_w), t.accent),
        ]));
    }
    if rows.len() > max {
        lines.push(Line::from(Span::styled(
            format!("  … {} more", rows.len() - max),
            t.muted,
        )));
    }
    lines
}

fn overview(frame: &mut Frame, area: Rect, app: &App, p: &Portfolio) {
    let t = app.theme();
    let b = block(app, "Portfolio");
    let inner = b.inner(area);
    frame.render_widget(b, area);
    let [head, cols] = Layout::vertical([Constraint::Length(2), Constraint::Min(1)]).areas(inner);
    let model = match &p.model {
        Some((id, name)) => format!("model {id} '{name}'"),
        None => "no active model (train one on the Model screen and promote it)".into(),
    };
    frame.render_widget(
        Paragraph::new(vec![
            Line::from(vec![
                Span::styled(
                    format!("{} firms", thousands(p.firms as usize)),
                    t.text.add_modifier(Modifier::BOLD),
                ),
                Span::styled(
                    format!(" · {} statements · ", thousands(p.statements as usize)),
                    t.text,
                ),
                Span::styled(format!("{} applications pending", p.pending), t.warning),
                Span::styled(format!(" · {} decided here", p.decided), t.text),
            ]),
            Line::from(Span::styled(model, t.muted)),
        ]),
        head,
    );
    let [a, b2, c] = Layout::horizontal([
        Constraint::Percentage(36),
        Constraint::Percentage(32),
        Constraint::Percentage(32),
    ])
    .areas(cols);
    let rows = a.height as usize;
    frame.render_widget(
        Paragraph::new(count_lines(
            app,
            "By sector",
            &p.by_sector,
            a.width as usize,
            rows.saturating_sub(2),
        )),
        a,
    );
    let mut mid = count_lines(app, "By size", &p.by_size, b2.width as usize, 5);
    mid.push(Line::from(""));
    mid.extend(count_lines(
        app,
        "By region",
        &p.by_region,
        b2.width as usize,
        rows.saturating_sub(mid.len() + 2),
    ));
    frame.render_widget(Paragraph::new(mid), b2);
    let mut right = vec![Line::from(Span::styled("Observed class", t.accent))];
    right.extend(class_rows(app, &p.by_class, c.width as usize));
    right.push(Line::from(""));
    right.push(Line::from(Span::styled("Predicted by the model", t.accent)));
    if p.predicted_mix.is_empty() {
        right.push(Line::from(Span::styled("  no predictions yet", t.muted)));
    }
    right.extend(class_rows(app, &p.predicted_mix, c.width as usize));
    frame.render_widget(Paragraph::new(right), c);
}

fn class_rows(app: &App, rows: &[(String, i64)], width: usize) -> Vec<Line<'static>> {
    let total: i64 = rows.iter().map(|r| r.1).sum::<i64>().max(1);
    let bar_w = width.saturating_sub(26);
    let order = ["good", "satisfactory", "bad"];
    let mut sorted: Vec<&(String, i64)> = rows.iter().collect();
    sorted.sort_by_key(|(c, _)| order.iter().position(|o| o == c).unwrap_or(9));
    sorted
        .into_iter()
        .map(|(c, n)| {
            let share = *n as f64 / total as f64;
            Line::from(vec![
                class_span(app, Some(c), false),
                Span::styled(
                    format!(" {c:<12} {:>5} {:>4.0}% ", n, share * 100.0),
                    app.theme().text,
                ),
                Span::styled(bar(share, bar_w), app.theme().class(c)),
            ])
        })
        .collect()
}

fn ratios(frame: &mut Frame, area: Rect, app: &App, p: &Portfolio) {
    let b = block(
        app,
        "Ratio distributions (latest statements; 2nd-98th percentile)",
    );
    let inner = b.inner(area);
    frame.render_widget(b, area);
    let n = p.distributions.len().max(1) as u32;
    let cols = Layout::horizontal(vec![Constraint::Ratio(1, n); n as usize]).split(inner);
    for (d, col) in p.distributions.iter().zip(cols.iter()) {
        let [head, chart, med] = Layout::vertical([
            Constraint::Length(2),
            Constraint::Min(3),
            Constraint::Length(5.min(d.sector_medians.len() as u16 + 1)),
        ])
        .areas(*col);
        let fmt = |v: f64| {
            if d.percent {
                format!("{:.1}%", v * 100.0)
            } else {
                format!("{v:.2}")
            }
        };
        frame.render_widget(
            Paragraph::new(vec![
                Line::from(Span::styled(d.name.to_string(), app.theme().accent)),
                Line::from(Span::styled(
                    format!(
                        "median {} · n {}",
                        d.median.map(fmt).unwrap_or("-".into()),
                        d.n
                    ),
                    app.theme().muted,
                )),
            ]),
            head,
        );
        let bars: Vec<Bar> = d
            .bins
            .iter()
            .map(|(_, c)| Bar::new(*c).text_value(String::new()))
            .collect();
        let bw = ((chart.width as usize).saturating_sub(d.bins.len()) / d.bins.len().max(1)).max(1)
            as u16;
        frame.render_widget(
            BarChart::default()
                .data(BarGroup::default().bars(&bars))
                .bar_width(bw)
                .bar_gap(1)
                .bar_style(app.theme().accent),
            chart,
        );
        let mut lines = vec![Line::from(Span::styled(
            "median by sector",
            app.theme().muted,
        ))];
        for (s, m) in d
            .sector_medians
            .iter()
            .take(med.height.saturating_sub(1) as usize)
        {
            let name: String = s
                .chars()
                .take(col.width.saturating_sub(10) as usize)
                .collect();
            lines.push(Line::from(Span::styled(
                format!(
                    "{name:<w$} {}",
                    fmt(*m),
                    w = col.width.saturating_sub(10) as usize
                ),
                app.theme().text,
            )));
        }
        frame.render_widget(Paragraph::new(lines), med);
    }
}

fn closures(frame: &mut Frame, area: Rect, app: &App, p: &Portfolio) {
    let b = block(app, "Closure rate by year");
    let inner = b.inner(area);
    frame.render_widget(b, area);
    if p.closures.is_empty() {
        frame.render_widget(
            Paragraph::new(Span::styled("no closures recorded", app.theme().muted)),
            inner,
        );
        return;
    }
    let bars: Vec<Bar> = p
        .closures
        .iter()
        .map(|y| {
            Bar::new((y.rate() * 1000.0).round() as u64)
                .label(Line::from(format!("{}", y.year % 100)))
                .text_value(format!("{:.1}", y.rate() * 100.0))
        })
        .collect();
    let [chart, note] = Layout::vertical([Constraint::Min(3), Constraint::Length(1)]).areas(inner);
    let n = bars.len().max(1);
    let bw = ((chart.width as usize).saturating_sub(n) / n).clamp(1, 6) as u16;
    frame.render_widget(
        BarChart::default()
            .data(BarGroup::default().bars(&bars))
            .bar_width(bw)
            .bar_gap(1)
            .bar_style(app.theme().bad)
            .value_style(app.theme().text),
        chart,
    );
    let total: i64 = p.closures.iter().map(|y| y.closed).sum();
    frame.render_widget(
        Paragraph::new(Span::styled(
            format!("% of firms alive at the start of the year (’yy) · {total} closures"),
            app.theme().muted,
        )),
        note,
    );
}
