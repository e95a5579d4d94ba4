//! The worker's replies: each is routed by the tag of the request it answers (stale ones are
//! dropped) into the screen that asked; errors come with their kind.

use super::app::{App, Level, Tag};
use super::popup::Overlay;
use super::screens;
use super::worker::{Envelope, Reply};
use crate::ops::ErrorKind;

pub fn on_reply(app: &mut App, env: Envelope) {
    let Some(tag) = app.tags.remove(&env.job) else {
        return;
    };
    if let Reply::Progress { share, text } = env.reply {
        app.tags.insert(env.job, tag);
        if let Some(j) = app.job.as_mut().filter(|j| j.id == env.job) {
            j.share = share;
            j.text = text;
        }
        return;
    }
    if app.job.as_ref().is_some_and(|j| j.id == env.job) {
        app.job = None;
    }
    // A reply to a request that a newer one of its kind replaced is dropped.
    if app.latest.get(&tag) != Some(&env.job) {
        return;
    }
    match (tag, env.reply) {
        (_, Reply::Error(failure)) => {
            if tag == Tag::Export {
                app.export.result = Some((Level::Error, failure.message.clone()));
            }
            if tag == Tag::Decide && failure.kind == ErrorKind::Conflict {
                // Another analyst decided it meanwhile: show the view as it is now (the
                // application stays findable, with its state, under decided or all).
                screens::triage::load(app);
            }
            if let Tag::FirmsPage(gen, p) = tag {
                if gen == app.firms.generation {
                    app.firms.requested.remove(&p);
                }
            }
            let text = match failure.kind {
                ErrorKind::Busy => format!(
                    "{} ({} retries)",
                    failure.message,
                    app.key(super::keymap::Command::Refresh)
                ),
                _ => failure.message,
            };
            app.set_status(Level::Error, text);
        }
        (Tag::Bootstrap, Reply::Bootstrapped(notice)) => {
            if let Some(n) = notice {
                app.set_status(Level::Success, n.clone());
                app.notice = Some(n);
            }
            screens::portfolio::load(app);
        }
        (Tag::Portfolio, Reply::Portfolio(p)) => app.portfolio.view = Some(p),
        (Tag::FirmsCount(gen), Reply::FirmsCount(n)) if gen == app.firms.generation => {
            app.firms.total = Some(n);
            if n == 0 {
                let msg = format!(
                    "no firm matches; {} clears the search and filter",
                    app.key(super::keymap::Command::ClearFilter)
                );
                app.set_status(Level::Info, msg);
            }
        }
        (Tag::FirmsPage(gen, p), Reply::FirmsPage { rows, .. }) if gen == app.firms.generation => {
            app.firms.requested.remove(&p);
            app.firms.pages.insert(p, rows);
        }
        (Tag::Firm, Reply::Firm(f)) => app.firm.detail = Some(f),
        (Tag::Pca, Reply::Pca(p)) => app.pca.view = Some(p),
        (Tag::Screen, Reply::Screen(s)) => app.pca.screening = Some(s),
        (Tag::Model, Reply::Model(m)) => screens::model::loaded(app, m),
        (Tag::Queue, Reply::Queue(q, counts)) => {
            app.triage.queue = q;
            app.triage.counts = counts;
            app.triage.loaded = true;
            app.triage.cursor = app
                .triage
                .cursor
                .min(app.triage.queue.len().saturating_sub(1));
        }
        (Tag::Decide, Reply::Decided(rec)) => {
            app.set_status(
                Level::Success,
                format!(
                    "saved: {} {}{} by {} at {}",
                    rec.application_id,
                    rec.decision,
                    rec.referred_to
                        .as_ref()
                        .map(|t| format!(" to {t}"))
                        .unwrap_or_default(),
                    rec.analyst,
                    rec.decided_at
                ),
            );
            // The view and its headline as the store has them now.
            screens::triage::load(app);
            invalidate_after_decision(app);
        }
        (Tag::Decide, Reply::Undone(undone)) => {
            app.set_status(
                Level::Success,
                format!(
                    "undone: {} ({}); {}",
                    undone.undo.application_id,
                    undone.undo.note.as_deref().unwrap_or("undo"),
                    undone.outcome()
                ),
            );
            screens::triage::load(app);
            invalidate_after_decision(app);
        }
        (Tag::Train, Reply::Trained(rec)) => {
            app.set_status(
                Level::Success,
                format!(
                    "model {} '{}' trained and saved as a candidate (the champion and the queue \
                     are unchanged): accuracy {:.1}%, test error {:.1}% ({} the 15% bar); {} in \
                     Models promotes it",
                    rec.id,
                    rec.name,
                    rec.metrics.accuracy * 100.0,
                    rec.metrics.test_error * 100.0,
                    if rec.metrics.passes_15_percent_bar {
                        "passes"
                    } else {
                        "fails"
                    },
                    app.key(crate::tui::keymap::Command::Activate)
                ),
            );
            screens::model::show_metrics(app);
            screens::model::load(app);
        }
        (Tag::Compare, Reply::Compared(c)) => {
            let best = c
                .candidates
                .iter()
                .max_by(|a, b| a.test.auc.total_cmp(&b.test.auc))
                .map(|b| format!("; highest AUC: {} {:.3}", b.kind, b.test.auc))
                .unwrap_or_default();
            let msg = format!(
                "{} kinds compared on {} test rows and saved as candidates{best}; {} promotes the selected one to champion, {} to challenger",
                c.candidates.len(),
                c.n_test,
                app.key(crate::tui::keymap::Command::Activate),
                app.key(crate::tui::keymap::Command::Challenger)
            );
            screens::model::compared(app, c);
            app.set_status(Level::Success, msg);
            screens::model::load(app);
        }
        (Tag::Monitor, Reply::Monitored(m)) => {
            let msg = format!(
                "model {} '{}' monitored over {} periods ({} applications)",
                m.model_id,
                m.model_name,
                m.periods.len(),
                m.applications
            );
            screens::model::monitored(app, m);
            app.set_status(Level::Success, msg);
        }
        (Tag::Preview, Reply::Preview(p)) => {
            app.status = None;
            screens::model::previewed(app, p);
        }
        (Tag::Promote, Reply::Promoted(out)) => {
            let e = &out.entry;
            let to = e.to_model.as_deref().unwrap_or("none");
            let msg = if out.proposed {
                format!(
                    "model {to} proposed as the {} (model log #{}): a second analyst approves it",
                    e.role, e.id
                )
            } else {
                format!(
                    "model {to} is now the {} (model log #{}, by {}); {} firms scored",
                    e.role, e.id, e.analyst, out.scored
                )
            };
            app.set_status(Level::Success, msg);
            after_model_change(app);
        }
        (Tag::Train | Tag::Compare | Tag::Export, Reply::Cancelled) => {
            if tag == Tag::Export {
                app.export.result = Some((Level::Info, "cancelled; no file written".into()));
            }
            app.set_status(Level::Info, "cancelled; nothing was saved");
        }
        (Tag::Export, Reply::Exported { path, rows }) => {
            let text = format!("{rows} rows written to {}", path.display());
            app.export.result = Some((Level::Success, text.clone()));
            app.set_status(Level::Success, text);
        }
        (Tag::Memo, Reply::MemoWritten(path)) => {
            app.set_status(
                Level::Success,
                format!("credit memo written to {}", path.display()),
            );
        }
        (Tag::Export, Reply::ExportExists(path)) => {
            app.overlay = Overlay::ConfirmOverwrite(path);
        }
        _ => {}
    }
}

/// After a decision or an undo: the dashboard's and the firm's facts are stale.
fn invalidate_after_decision(app: &mut App) {
    app.portfolio.view = None;
    // Reload the firm shown (the reply does not switch screens: triage stays).
    screens::firm::refresh(app);
}

/// After a new active model: every screen that shows predictions reloads.
fn after_model_change(app: &mut App) {
    app.model.collapsed.clear();
    screens::model::load(app);
    screens::triage::load(app);
    app.portfolio.view = None;
    app.firm.detail = None;
    app.firms.total = None;
    if app.screen == super::app::Screen::Portfolio {
        screens::portfolio::load(app);
    }
}
