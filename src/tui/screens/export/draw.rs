//! The Export screen: what to export, the format, the file, and the result; the same exports as
//! `precre export decisions|predictions|ratios --out FILE`.

use super::EXPORT_FORMATS;
use crate::tui::app::{App, Level};
use crate::tui::keymap::Command;
use crate::tui::ui::block;
use ratatui::layout::Rect;
use ratatui::style::Modifier;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Paragraph, Wrap};
use ratatui::Frame;

pub fn draw(frame: &mut Frame, area: Rect, app: &App) {
    let t = app.theme();
    let b = block(app, "Export");
    let inner = b.inner(area);
    frame.render_widget(b, area);
    let path = super::file(app);
    let mut lines = vec![
        Line::from(vec![
            Span::styled(format!("{:>8}  ", "what"), t.muted),
            Span::styled(
                app.export.what.as_str(),
                t.text.add_modifier(Modifier::BOLD),
            ),
            Span::styled(
                format!("   {}: decisions / predictions / ratios", app.key(Command::ExportWhat)),
                t.muted,
            ),
        ]),
        Line::from(vec![
            Span::styled(format!("{:>8}  ", "format"), t.muted),
            Span::styled(
                EXPORT_FORMATS[app.export.format],
                t.text.add_modifier(Modifier::BOLD),
            ),
            Span::styled(
                format!("   {}: csv / json / parquet / xlsx", app.key(Command::ExportFormat)),
                t.muted,
            ),
        ]),
        Line::from(vec![
            Span::styled(format!("{:>8}  ", "file"), t.muted),
            Span::styled(
                path.display().to_string(),
                t.text.add_modifier(Modifier::BOLD),
            ),
            Span::styled(format!("   {}: edit", app.key(Command::EditPath)), t.muted),
        ]),
        Line::from(""),
        Line::from(Span::styled(
            format!(
                "{} or {} writes the file (an existing file is replaced only if you say so); {} cancels a running export.",
                app.key(Command::RunExport),
                app.key(Command::Select),
                app.key(Command::Cancel)
            ),
            t.text,
        )),
        Line::from(Span::styled(
            "Every row carries the model id; CSV cells starting with = + - @ are written as text.",
            t.muted,
        )),
        Line::from(Span::styled(
            format!(
                "From a script: precre export {} --out {}",
                app.export.what.as_str(),
                path.display()
            ),
            t.muted,
        )),
        Line::from(""),
    ];
    if let Some((level, text)) = &app.export.result {
        lines.push(Line::from(Span::styled(
            text.clone(),
            if *level == Level::Error {
                t.error
            } else {
                t.notice
            },
        )));
    }
    frame.render_widget(Paragraph::new(lines).wrap(Wrap { trim: false }), inner);
}
