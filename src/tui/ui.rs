//! Drawing the workbench: the title bar with the screen tabs, the current screen, the status
//! line, and the overlay on top. Renderers only read the state.

use super::app::{App, Level, Screen};
use super::keymap::Command;
use super::screens;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::style::{Modifier, Style};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Borders, Gauge, Paragraph, Wrap};
use ratatui::Frame;

/// The smallest window the workbench draws its screens in and takes keys in (the README and
/// the guide say the same; a test holds them to it). Below it only quitting acts: every other
/// key is dropped, so nothing is decided or typed unseen.
pub const MIN_WIDTH: u16 = 80;
pub const MIN_HEIGHT: u16 = 24;

/// Whether a window of `width` x `height` is large enough to work in.
pub fn fits(width: u16, height: u16) -> bool {
    width >= MIN_WIDTH && height >= MIN_HEIGHT
}

/// What a window below the minimum shows: its size, the minimum, that keys do nothing, how to
/// quit; and the quit question when one is open.
pub fn too_small_text(app: &App, width: u16, height: u16) -> String {
    let km = &app.settings.keymap;
    if let super::popup::Overlay::ConfirmQuit { what, .. } = &app.overlay {
        return format!(
            "Window too small ({width}x{height}). Quit although {what}? {} quits, {} stays.",
            km.key_of(Command::Confirm),
            km.key_of(Command::Deny)
        );
    }
    format!(
        "Window too small ({width}x{height}): PRECRE needs {MIN_WIDTH}x{MIN_HEIGHT}. Keys do \
         nothing until it is enlarged; {} quits.",
        km.key_of(Command::Quit)
    )
}

pub fn draw(frame: &mut Frame, app: &App) {
    let area = frame.area();
    if !fits(area.width, area.height) {
        let msg = too_small_text(app, area.width, area.height);
        frame.render_widget(
            Paragraph::new(msg)
                .style(app.theme().warning)
                .wrap(Wrap { trim: true }),
            area,
        );
        return;
    }
    let [top, body, status] = Layout::vertical([
        Constraint::Length(1),
        Constraint::Min(1),
        Constraint::Length(1),
    ])
    .areas(area);
    app.body_rows.set(body.height as usize);
    draw_tabs(frame, top, app);
    match app.screen {
        Screen::Portfolio => screens::portfolio::draw(frame, body, app),
        Screen::Firms => screens::firms::draw(frame, body, app),
        Screen::Firm => screens::firm::draw(frame, body, app),
        Screen::Pca => screens::pca::draw(frame, body, app),
        Screen::Model => screens::model::draw(frame, body, app),
        Screen::Triage => screens::triage::draw(frame, body, app),
        Screen::Export => screens::export::draw(frame, body, app),
    }
    draw_status(frame, status, app);
    super::popup::draw(frame, area, app);
}

fn draw_tabs(frame: &mut Frame, area: Rect, app: &App) {
    let t = app.theme();
    let mut spans = vec![Span::styled(
        " PRECRE ",
        t.title.add_modifier(Modifier::BOLD),
    )];
    for (i, s) in Screen::ALL.iter().enumerate() {
        let label = if area.width >= 100 {
            format!(" {} {} ", i + 1, s.title())
        } else {
            format!(" {}{} ", i + 1, &s.title()[..s.title().len().min(4)])
        };
        spans.push(if *s == app.screen {
            Span::styled(label, t.selected.add_modifier(Modifier::BOLD))
        } else {
            Span::styled(label, t.muted)
        });
    }
    // On a field kit the kit comes first: it must show even where the bar is cut.
    let right = if app.settings.store_label.starts_with("KIT ") {
        format!(" {} · {} ", app.settings.store_label, app.settings.analyst)
    } else {
        format!(" {} · {} ", app.settings.analyst, app.settings.store_label)
    };
    let used: usize = spans.iter().map(|s| s.content.chars().count()).sum();
    let room = (area.width as usize).saturating_sub(used);
    if room > 4 {
        let r: String = if right.chars().count() > room {
            right
                .chars()
                .take(room.saturating_sub(1))
                .collect::<String>()
                + "…"
        } else {
            format!("{right:>room$}")
        };
        spans.push(Span::styled(r, t.muted));
    }
    frame.render_widget(Paragraph::new(Line::from(spans)), area);
}

fn draw_status(frame: &mut Frame, area: Rect, app: &App) {
    let t = app.theme();
    if let Some(job) = &app.job {
        let label = format!(
            "{}: {} ({:.0}%){}",
            job.label,
            job.text,
            job.share * 100.0,
            if job.cancellable {
                format!("  {} cancels", app.key(Command::Cancel))
            } else {
                String::new()
            }
        );
        frame.render_widget(
            Gauge::default()
                .ratio(job.share.clamp(0.0, 1.0))
                .label(label)
                .gauge_style(t.accent),
            area,
        );
        return;
    }
    let line = match &app.status {
        Some((level, text)) => {
            let style = match level {
                Level::Info => t.text,
                Level::Success => t.notice,
                Level::Error => t.error,
            };
            let prefix = match level {
                Level::Error => "error: ",
                _ => "",
            };
            Line::from(Span::styled(format!("{prefix}{text}"), style))
        }
        None => {
            let km = &app.settings.keymap;
            Line::from(Span::styled(
                format!(
                    "{} help · {} commands · {}/{}-{} screens · {} {} panes · {} quit",
                    km.key_of(Command::Help),
                    km.key_of(Command::Palette),
                    km.key_of(Command::NextScreen),
                    km.key_of(Command::GoPortfolio),
                    km.key_of(Command::GoExport),
                    km.key_of(Command::PrevPane),
                    km.key_of(Command::NextPane),
                    km.key_of(Command::Quit)
                ),
                t.muted,
            ))
        }
    };
    frame.render_widget(Paragraph::new(line), area);
}

/// A centred rectangle of at most `w` x `h` inside `area`.
pub fn centered(area: Rect, w: u16, h: u16) -> Rect {
    let w = w.min(area.width);
    let h = h.min(area.height);
    Rect {
        x: area.x + (area.width - w) / 2,
        y: area.y + (area.height - h) / 2,
        width: w,
        height: h,
    }
}

/// A bordered block with a title in the theme's colours.
pub fn block<'a>(app: &App, title: impl Into<String>) -> Block<'a> {
    Block::default()
        .borders(Borders::ALL)
        .border_style(app.theme().border)
        .title(Span::styled(
            format!(" {} ", title.into()),
            app.theme().title,
        ))
}

/// A line of text for an empty or loading screen.
pub fn placeholder(frame: &mut Frame, area: Rect, app: &App, text: &str) {
    frame.render_widget(
        Paragraph::new(Span::styled(text.to_string(), app.theme().muted))
            .block(block(app, app.screen.title()))
            .wrap(Wrap { trim: true }),
        area,
    );
}

/// The pane bar of a screen that shows one pane at a time, within `width` columns: every pane
/// padded and the switch keys when they fit; else the panes a space apart; else the panes
/// around the current one, an ellipsis marking those left out.
pub fn pane_bar(app: &App, screen: Screen, width: u16) -> Line<'static> {
    let t = app.theme();
    let cur = app.pane_of(screen);
    let panes = screen.panes();
    let width = width as usize;
    let hint = format!(
        "  {} {} switch",
        app.key(Command::PrevPane),
        app.key(Command::NextPane)
    );
    let padded: usize = panes.iter().map(|p| p.chars().count() + 2).sum();
    let roomy = padded <= width;
    let label = |p: &str| {
        if roomy {
            format!(" {p} ")
        } else {
            p.to_string()
        }
    };
    let sep = if roomy { 0 } else { 1 };
    let lens: Vec<usize> = panes.iter().map(|p| label(p).chars().count()).collect();
    let n = panes.len();
    let span_width = |lo: usize, hi: usize| {
        lens[lo..hi].iter().sum::<usize>()
            + sep * (hi - lo).saturating_sub(1)
            + if lo > 0 { 2 } else { 0 }
            + if hi < n { 2 } else { 0 }
    };
    let (mut lo, mut hi) = (cur.min(n.saturating_sub(1)), (cur + 1).min(n));
    loop {
        if hi < n && span_width(lo, hi + 1) <= width {
            hi += 1;
        } else if lo > 0 && span_width(lo - 1, hi) <= width {
            lo -= 1;
        } else {
            break;
        }
    }
    let mut spans = vec![];
    if lo > 0 {
        spans.push(Span::styled("… ", t.muted));
    }
    for (i, p) in panes.iter().enumerate().take(hi).skip(lo) {
        if i > lo && sep > 0 {
            spans.push(Span::raw(" "));
        }
        let style = if i == cur { t.selected } else { t.muted };
        spans.push(Span::styled(label(p), style));
    }
    if hi < n {
        spans.push(Span::styled(" …", t.muted));
    }
    if lo == 0 && hi == n && span_width(0, n) + hint.chars().count() <= width {
        spans.push(Span::styled(hint, t.muted));
    }
    Line::from(spans)
}

/// Eight-level sparkline text of a series (missing values blank).
pub fn sparkline(values: &[Option<f64>]) -> String {
    const BARS: [char; 8] = ['▁', '▂', '▃', '▄', '▅', '▆', '▇', '█'];
    let finite: Vec<f64> = values
        .iter()
        .flatten()
        .copied()
        .filter(|v| v.is_finite())
        .collect();
    let (lo, hi) = finite
        .iter()
        .fold((f64::INFINITY, f64::NEG_INFINITY), |(a, b), &v| {
            (a.min(v), b.max(v))
        });
    values
        .iter()
        .map(|v| match v {
            Some(x) if x.is_finite() => {
                if hi > lo {
                    BARS[(((x - lo) / (hi - lo)) * 7.0).round().clamp(0.0, 7.0) as usize]
                } else {
                    BARS[3]
                }
            }
            _ => ' ',
        })
        .collect()
}

/// A class as a coloured letter and word (reads without colour).
pub fn class_span(app: &App, class: Option<&str>, wide: bool) -> Span<'static> {
    match class {
        None => Span::styled("-", app.theme().muted),
        Some(c) => {
            let letter = super::theme::class_letter(c);
            let text = if wide {
                format!("{letter} {c}")
            } else {
                letter.to_string()
            };
            Span::styled(text, app.theme().class(c).add_modifier(Modifier::BOLD))
        }
    }
}

/// A horizontal bar of `share` (0-1) in `width` cells.
pub fn bar(share: f64, width: usize) -> String {
    let cells = share.clamp(0.0, 1.0) * width as f64;
    let full = cells.floor() as usize;
    let part = ((cells - full as f64) * 8.0).round() as usize;
    const PARTS: [&str; 9] = ["", "▏", "▎", "▍", "▌", "▋", "▊", "▉", "█"];
    let mut s = "█".repeat(full);
    if full < width {
        s.push_str(PARTS[part.min(8)]);
    }
    s
}

pub fn style_or(style: Style, mono: bool, fallback: Modifier) -> Style {
    if mono {
        style.add_modifier(fallback)
    } else {
        style
    }
}

/// A challenger model's class and chances in one line, marked where it disagrees with the
/// champion (Triage and Firm).
pub fn challenger_line(
    app: &App,
    model: &str,
    s: &crate::views::scoring::Scored,
    disagrees: bool,
) -> Line<'static> {
    let t = app.theme();
    let chances: Vec<String> = s
        .explanation
        .probabilities
        .iter()
        .map(|(c, p)| format!("{c} {:.0}%", p * 100.0))
        .collect();
    Line::from(vec![
        Span::styled("challenger ", t.muted),
        class_span(app, Some(&s.explanation.class), true),
        Span::styled(
            format!("  {} (model {model})", chances.join(" · ")),
            t.muted,
        ),
        Span::styled(
            if disagrees {
                "  ! disagrees with the champion"
            } else {
                ""
            },
            t.warning,
        ),
    ])
}
