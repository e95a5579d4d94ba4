//! The Firms table: a virtual window over the store (only the visible rows are drawn, pages are
//! fetched around the cursor), with its sort, search and filter in the header.

use crate::finance::catalogue::find;
use crate::output::{format_ratio, thousands};
use crate::tui::app::App;
use crate::tui::ui::{block, class_span};
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::style::Modifier;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Cell, Paragraph, Row, Table};
use ratatui::Frame;

pub fn draw(frame: &mut Frame, area: Rect, app: &App) {
    let t = app.theme();
    let f = &app.firms;
    let [head, table_area] =
        Layout::vertical([Constraint::Length(1), Constraint::Min(1)]).areas(area);
    let sort_cols = f.sort_columns();
    let sort = sort_cols[f.sort.min(sort_cols.len() - 1)];
    let count = match f.total {
        Some(n) => format!("{} firms", thousands(n)),
        None => "counting…".into(),
    };
    let mut spans = vec![
        Span::styled(count, t.text.add_modifier(Modifier::BOLD)),
        Span::styled(
            format!(" · sort {sort} {}", if f.descending { "↓" } else { "↑" }),
            t.text,
        ),
    ];
    if let Some(s) = &f.search {
        spans.push(Span::styled(format!(" · search \"{s}\""), t.accent));
    }
    if !f.filter_text.is_empty() {
        spans.push(Span::styled(
            format!(" · filter {}", f.filter_text),
            t.accent,
        ));
    }
    spans.push(Span::styled(
        {
            use crate::tui::keymap::Command::*;
            format!(
                "  {} search · {} filter · {} sort · {} columns · {} open",
                app.key(Search),
                app.key(Filter),
                app.key(SortNext),
                app.key(Columns),
                app.key(Select)
            )
        },
        t.muted,
    ));
    frame.render_widget(Paragraph::new(Line::from(spans)), head);

    // Columns: fixed ones, the ratio columns while they fit, the name takes the rest.
    let width = table_area.width.saturating_sub(2) as usize;
    let mut fixed: Vec<(&str, u16)> = vec![
        ("id", 12),
        ("sector", 13),
        ("size", 6),
        ("year", 4),
        ("obs", 3),
        ("pred", 4),
    ];
    if width >= 110 {
        fixed.insert(2, ("status", 9));
    }
    let fixed_w: usize = fixed.iter().map(|(_, w)| *w as usize + 1).sum();
    let mut ratio_cols: Vec<&'static str> = Vec::new();
    for id in &f.ratio_columns {
        let used = fixed_w + (ratio_cols.len() + 1) * 11 + 14;
        if used <= width {
            ratio_cols.push(id);
        }
    }
    let name_w = width.saturating_sub(fixed_w + ratio_cols.len() * 11).max(8) as u16;
    let mut widths: Vec<Constraint> =
        vec![Constraint::Length(fixed[0].1), Constraint::Length(name_w)];
    let mut header: Vec<Cell> = vec![Cell::from("id"), Cell::from("name")];
    for (name, w) in &fixed[1..] {
        widths.push(Constraint::Length(*w));
        header.push(Cell::from(*name));
    }
    for id in &ratio_cols {
        widths.push(Constraint::Length(10));
        let short: String = id.chars().take(10).collect();
        header.push(Cell::from(Line::from(short).right_aligned()));
    }
    let visible = table_area.height.saturating_sub(3) as usize;
    let total = f.total.unwrap_or(0);
    let mut rows = Vec::with_capacity(visible);
    for i in f.top..(f.top + visible).min(total) {
        let style = if i == f.cursor { t.selected } else { t.text };
        let row = match f.row(i) {
            None => Row::new(vec![
                Cell::from("…"),
                Cell::from(Span::styled("loading", t.muted)),
            ]),
            Some(r) => {
                let mut cells = vec![
                    Cell::from(r.id.clone()),
                    Cell::from(r.name.clone()),
                    Cell::from(r.sector.clone()),
                ];
                if fixed.iter().any(|(n, _)| *n == "status") {
                    cells.push(Cell::from(r.status.clone()));
                }
                cells.push(Cell::from(r.size.clone().unwrap_or_default()));
                cells.push(Cell::from(
                    r.latest_year.map(|y| y.to_string()).unwrap_or_default(),
                ));
                cells.push(Cell::from(class_span(app, r.class.as_deref(), false)));
                cells.push(Cell::from(class_span(app, r.predicted.as_deref(), false)));
                for (k, id) in f.ratio_columns.iter().enumerate() {
                    if !ratio_cols.contains(id) {
                        continue;
                    }
                    let unit = find(id)
                        .map(|(_, d)| d.unit)
                        .unwrap_or(crate::finance::catalogue::Unit::Ratio);
                    let v = r.extra.get(k).copied().flatten();
                    cells.push(Cell::from(
                        Line::from(format_ratio(v, unit)).right_aligned(),
                    ));
                }
                Row::new(cells)
            }
        };
        rows.push(row.style(style));
    }
    let pos = if total > 0 {
        format!("Firms {}/{}", thousands(f.cursor + 1), thousands(total))
    } else {
        "Firms".to_string()
    };
    let table = Table::new(rows, widths)
        .header(Row::new(header).style(t.accent.add_modifier(Modifier::BOLD)))
        .column_spacing(1)
        .block(block(app, pos));
    frame.render_widget(table, table_area);
    if f.total == Some(0) {
        let inner = Rect {
            y: table_area.y + 2,
            height: 1,
            ..table_area
        };
        frame.render_widget(
            Paragraph::new(Span::styled(
                "  no firm matches; F clears the search and the filter",
                t.muted,
            )),
            inner,
        );
    }
}
