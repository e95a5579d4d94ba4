//! Drawing the pop-ups: help (generated from the keymap, pop-up keys included), the palette,
//! inputs, yes / no questions; the decision form is drawn by the Triage screen.

use super::{palette_matches, InputPurpose, Overlay};
use crate::tui::app::App;
use crate::tui::keymap::Command;
use crate::tui::ui::{block, centered};
use ratatui::layout::Rect;
use ratatui::style::Modifier;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Clear, Paragraph, Wrap};
use ratatui::Frame;

/// "Question? y / n" with the keys the keymap gives.
fn yes_no(app: &App, question: &str) -> String {
    let km = &app.settings.keymap;
    format!(
        "{question} {} / {}",
        km.key_of(Command::Confirm),
        km.key_of(Command::Deny)
    )
}

/// Draws the open pop-up, if any, over the whole window.
pub fn draw(frame: &mut Frame, area: Rect, app: &App) {
    let t = app.theme();
    match &app.overlay {
        Overlay::None => {}
        Overlay::Help { scroll } => {
            let r = centered(area, 78, area.height.saturating_sub(2));
            let ctx = app.screen.context();
            let mut lines = vec![Line::from(Span::styled(
                format!(
                    "Keys on {} ({} {} scroll; any other key closes)",
                    app.screen.title(),
                    app.key(Command::Up),
                    app.key(Command::Down)
                ),
                t.title,
            ))];
            let mut last = None;
            for b in app.settings.keymap.help_for(ctx) {
                if last != Some(b.context) {
                    lines.push(Line::from(""));
                    lines.push(Line::from(Span::styled(b.context.title(), t.accent)));
                    last = Some(b.context);
                }
                let keys: Vec<String> = b.keys.iter().map(crate::tui::keymap::key_label).collect();
                lines.push(Line::from(vec![
                    Span::styled(
                        format!("  {:<16}", keys.join(" ")),
                        t.text.add_modifier(Modifier::BOLD),
                    ),
                    Span::styled(b.help.to_string(), t.text),
                ]));
            }
            lines.push(Line::from(""));
            lines.push(Line::from(Span::styled(
                "Keys can be rebound in the configuration file: [keys] approve = \"y\"",
                t.muted,
            )));
            // Scrolled no further than the last line at the bottom of the box.
            let last = lines
                .len()
                .saturating_sub(r.height.saturating_sub(2) as usize);
            let top = (*scroll).min(last) as u16;
            frame.render_widget(Clear, r);
            frame.render_widget(
                Paragraph::new(lines)
                    .block(block(app, "Help"))
                    .scroll((top, 0)),
                r,
            );
        }
        Overlay::Palette { input, selected } => {
            let r = centered(area, 70, area.height.saturating_sub(4).min(20));
            let matches = palette_matches(app, input);
            let mut lines = vec![Line::from(vec![
                Span::styled(": ", t.accent),
                Span::styled(input.clone(), t.text),
                Span::styled("▏", t.accent),
            ])];
            let room = r.height.saturating_sub(3) as usize;
            let start = selected.saturating_sub(room.saturating_sub(1));
            for (i, (ctx, cmd)) in matches.iter().enumerate().skip(start).take(room) {
                let b = app
                    .settings
                    .keymap
                    .bindings
                    .iter()
                    .find(|b| b.command == *cmd && b.context == *ctx);
                if let Some(b) = b {
                    let key = b
                        .keys
                        .first()
                        .map(crate::tui::keymap::key_label)
                        .unwrap_or_default();
                    let style = if i == *selected { t.selected } else { t.text };
                    lines.push(Line::from(Span::styled(
                        format!("{:<18} {:<8} {}", b.name, key, b.help),
                        style,
                    )));
                }
            }
            frame.render_widget(Clear, r);
            frame.render_widget(
                Paragraph::new(lines).block(block(
                    app,
                    format!(
                        "Commands (type to narrow, {} runs)",
                        app.key(Command::Submit)
                    ),
                )),
                r,
            );
        }
        Overlay::Input { purpose, text } => {
            let r = centered(area, 76, 5);
            let keys = format!(
                "{} applies · {} cancels · {} clears",
                app.key(Command::Submit),
                app.key(Command::Dismiss),
                app.key(Command::ClearField)
            );
            let hint = match purpose {
                InputPurpose::Filter => {
                    format!("e.g. sector = retail and current_ratio < 1 and class = bad · {keys}")
                }
                _ => keys,
            };
            let lines = vec![
                Line::from(vec![
                    Span::styled(text.clone(), t.text),
                    Span::styled("▏", t.accent),
                ]),
                Line::from(Span::styled(hint, t.muted)),
            ];
            frame.render_widget(Clear, r);
            frame.render_widget(
                Paragraph::new(lines)
                    .block(block(app, purpose.prompt()))
                    .wrap(Wrap { trim: false }),
                r,
            );
        }
        Overlay::Decision(d) => crate::tui::screens::triage::draw_decision(frame, area, app, d),
        Overlay::Promote(d) => crate::tui::screens::model::draw_promotion(frame, area, app, d),
        Overlay::NewStore(path) => {
            let km = &app.settings.keymap;
            let r = centered(area, 76, 9);
            let choice = |cmd, text: &str| {
                Line::from(vec![
                    Span::styled(
                        format!("  {:<6}", km.key_of(cmd)),
                        t.text.add_modifier(Modifier::BOLD),
                    ),
                    Span::styled(text.to_string(), t.text),
                ])
            };
            frame.render_widget(Clear, r);
            frame.render_widget(
                Paragraph::new(vec![
                    Line::from(Span::styled(
                        format!("There is no store at {}.", path.display()),
                        t.warning,
                    )),
                    Line::from(""),
                    choice(
                        Command::NewEmptyStore,
                        "create an empty store there (then import your data)",
                    ),
                    choice(
                        Command::NewDemoStore,
                        "create it with the demo portfolio (fictitious firms)",
                    ),
                    choice(Command::Quit, "quit: nothing is created"),
                ])
                .block(block(app, "New store?"))
                .wrap(Wrap { trim: false }),
                r,
            );
        }
        Overlay::ConfirmDiscard(d) => {
            crate::tui::screens::triage::draw_decision(frame, area, app, d);
            let r = centered(area, 60, 5);
            frame.render_widget(Clear, r);
            frame.render_widget(
                Paragraph::new(vec![
                    Line::from(Span::styled(
                        format!("The decision on {} has text.", d.application_id),
                        t.warning,
                    )),
                    Line::from(yes_no(app, "Discard it?")),
                ])
                .block(block(app, "Discard"))
                .wrap(Wrap { trim: true }),
                r,
            );
        }
        Overlay::ConfirmQuit { what, .. } => {
            let r = centered(area, 60, 5);
            frame.render_widget(Clear, r);
            frame.render_widget(
                Paragraph::new(vec![
                    Line::from(Span::styled(format!("{what}."), t.warning)),
                    Line::from(yes_no(app, "Quit anyway?")),
                ])
                .block(block(app, "Quit"))
                .wrap(Wrap { trim: true }),
                r,
            );
        }
        Overlay::ConfirmOverwrite(path) => {
            let r = centered(area, 70, 5);
            frame.render_widget(Clear, r);
            frame.render_widget(
                Paragraph::new(vec![
                    Line::from(Span::styled(
                        format!("{} exists already.", path.display()),
                        t.warning,
                    )),
                    Line::from(yes_no(app, "Replace it?")),
                ])
                .block(block(app, "Export"))
                .wrap(Wrap { trim: true }),
                r,
            );
        }
    }
}
