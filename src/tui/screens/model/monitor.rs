//! The Model screen's Monitor pane: the active model's stability and back-test by year
//! (`ops::monitor`, as `precre monitor --by year`): one row a period, then the period under the
//! cursor in detail (its back-test by band, the inputs that moved most with their bins). Bands
//! show as a mark and a word as well as a colour, so they read without colour.

use crate::analysis::stability::Band;
use crate::ops::monitor::Monitoring;
use crate::tui::app::App;
use crate::tui::keymap::Command;
use crate::tui::theme::Theme;
use crate::tui::ui::block;
use ratatui::layout::Rect;
use ratatui::style::Style;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Paragraph, Wrap};
use ratatui::Frame;

fn pct(x: f64) -> String {
    format!("{:.1}%", x * 100.0)
}

/// A p-value in three decimals, a small one in e-notation.
fn p_value(p: f64) -> String {
    if p < 1e-3 {
        format!("{p:.1e}")
    } else {
        format!("{p:.3}")
    }
}

fn band_style(t: &Theme, b: Band) -> Style {
    match b {
        Band::Stable => t.good,
        Band::Watch => t.satisfactory,
        Band::Act => t.bad,
    }
}

fn band_span(t: &Theme, b: Band) -> Span<'static> {
    Span::styled(format!("{} {:<6}", b.mark(), b.word()), band_style(t, b))
}

pub fn draw(frame: &mut Frame, area: Rect, app: &App) {
    let t = app.theme();
    let Some(m) = app.model.monitoring.as_ref() else {
        let b = block(app, "Monitor");
        let inner = b.inner(area);
        frame.render_widget(b, area);
        let text = format!(
            "Press {} to monitor the active model: the stability of its chance of bad and of each \
             input against its training population, year by year, and the back-test of the years \
             whose outcome window has closed.",
            app.key(Command::Monitor)
        );
        frame.render_widget(
            Paragraph::new(Span::styled(text, t.muted)).wrap(Wrap { trim: true }),
            inner,
        );
        return;
    };
    let b = block(
        app,
        format!(
            "Monitor: model {} '{}', {} applications by {}",
            m.model_id, m.model_name, m.applications, m.by
        ),
    );
    let inner = b.inner(area);
    frame.render_widget(b, area);
    let lines = lines(m, app.model.monitor_cursor, t);
    frame.render_widget(Paragraph::new(lines).wrap(Wrap { trim: false }), inner);
}

/// The pane's text: the periods (the one under the cursor marked), then its detail.
pub fn lines(m: &Monitoring, cursor: usize, t: &Theme) -> Vec<Line<'static>> {
    let mut out = vec![
        Line::from(Span::styled(
            "PSI / CSI against training: . stable < 0.10 <= ! watch <= 0.25 < X act",
            t.muted,
        )),
        Line::from(Span::styled(
            format!(
                "  {:<8}{:>6}{:>7}  {:<9}{:>8}  {:<16}",
                "period", "apps", "PSI", "band", "inputs", "back-test"
            ),
            t.accent,
        )),
    ];
    for (k, p) in m.periods.iter().enumerate() {
        let (st, wa, ac) = p.input_bands();
        let bt = match &p.backtest {
            None => Span::styled("window open".to_string(), t.muted),
            Some(b) => {
                let failing = b.bands.iter().filter(|g| g.fails).count();
                let auc = b.auc.map_or("-".into(), |a| format!("{a:.2}"));
                if failing > 0 {
                    Span::styled(format!("X {failing} band(s) fail, AUC {auc}"), t.bad)
                } else {
                    Span::styled(format!(". holds, AUC {auc}"), t.good)
                }
            }
        };
        let here = k == cursor;
        let lead = if here { "> " } else { "  " };
        out.push(Line::from(vec![
            Span::styled(
                format!(
                    "{lead}{:<8}{:>6}{:>7.3}  ",
                    p.period, p.applications, p.score.index
                ),
                if here { t.selected } else { t.text },
            ),
            band_span(t, p.score.band),
            Span::styled(format!(" {:>8}  ", format!("{st}/{wa}/{ac}")), t.text),
            bt,
        ]));
    }
    let Some(p) = m.periods.get(cursor) else {
        return out;
    };
    out.push(Line::from(""));
    match &p.backtest {
        None => out.push(Line::from(Span::styled(
            format!(
                "{}: the outcome window ({} year) closes {}; no back-test yet.",
                p.period, m.horizon_years, p.window_closes
            ),
            t.muted,
        ))),
        Some(b) => {
            out.push(Line::from(Span::styled(
                format!(
                    "{} back-test (bad within {} year of submission; X: a test's p below 0.05):",
                    p.period, m.horizon_years
                ),
                t.accent,
            )));
            out.push(Line::from(Span::styled(
                format!(
                    "  {:<8} {:>5} {:>4} {:>9} {:>9} {:>9} {:>9}",
                    "band", "count", "bads", "predicted", "observed", "binom p", "Jeffreys"
                ),
                t.accent,
            )));
            for g in &b.bands {
                let verdict = if g.fails {
                    Span::styled(" X fails", t.bad)
                } else {
                    Span::styled(" . holds", t.good)
                };
                out.push(Line::from(vec![
                    Span::styled(
                        format!(
                            "  {:<8} {:>5} {:>4} {:>9} {:>9} {:>9} {:>9}",
                            format!("{:.0}-{:.0}%", 100.0 * g.from, 100.0 * g.to),
                            g.count,
                            g.bads,
                            pct(g.mean_predicted),
                            pct(g.observed),
                            p_value(g.binomial_p),
                            p_value(g.jeffreys_p)
                        ),
                        t.text,
                    ),
                    verdict,
                ]));
            }
        }
    }
    out.push(Line::from(Span::styled(
        format!(
            "{}: inputs that moved most (CSI; training share -> period share)",
            p.period
        ),
        t.accent,
    )));
    for i in p.most_changed(3) {
        out.push(Line::from(vec![
            Span::styled(format!("  {} {:.3} ", i.name, i.index), t.text),
            band_span(t, i.band),
        ]));
        let bins: Vec<String> = i
            .bins
            .iter()
            .map(|b| format!("{} {}->{}", b.bin, pct(b.training), pct(b.period)))
            .collect();
        out.push(Line::from(Span::styled(
            format!("    {}", bins.join(" | ")),
            t.muted,
        )));
    }
    out
}
