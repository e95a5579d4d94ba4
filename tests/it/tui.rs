//! The workbench through ratatui's test backend: every screen rendered at 80x24 and 120x40 on the
//! demo portfolio and compared with snapshots (tests/it/snapshots), and the key flows of `update`
//! (triage approve, decline with reasons, refer, undo; filtering; switching screens).

use precre::decisions::export::ExportFormat;
use precre::store::Store;
use precre::tui::app::Screen;
use precre::tui::harness::{test_settings, Harness};
use precre::tui::popup::Overlay;

/// A workbench on a fresh in-memory store, started with the demo (as `--demo` does): the demo
/// and the default model load.
fn started() -> Harness {
    let mut h = Harness::new(Store::open_in_memory().unwrap(), test_settings("analyst"));
    h.start();
    h
}

fn snapshot(h: &mut Harness, name: &str) {
    for (w, ht) in [(80u16, 24u16), (120, 40)] {
        let screen = h.render(w, ht);
        insta::assert_snapshot!(format!("{name}_{w}x{ht}"), screen);
    }
}

#[test]
fn every_screen_at_80x24_and_120x40() {
    let mut h = started();
    assert!(h
        .app
        .notice
        .as_deref()
        .unwrap_or("")
        .contains("2,400 firms"));
    snapshot(&mut h, "portfolio");
    h.press("2");
    snapshot(&mut h, "firms");
    h.press("enter");
    assert_eq!(h.app.screen, Screen::Firm);
    snapshot(&mut h, "firm");
    h.press("]");
    h.press("]");
    snapshot(&mut h, "firm_model_pane");
    h.press("4");
    snapshot(&mut h, "pca");
    for _ in 0..4 {
        h.press("]");
    }
    snapshot(&mut h, "pca_screening");
    h.press("]");
    snapshot(&mut h, "pca_correlation");
    h.press("5");
    snapshot(&mut h, "model");
    h.press("]");
    snapshot(&mut h, "model_tree");
    h.press("]");
    snapshot(&mut h, "model_metrics");
    h.press("6");
    snapshot(&mut h, "triage");
    h.press("d");
    snapshot(&mut h, "triage_decline");
    h.press("esc");
    h.press("7");
    snapshot(&mut h, "export");
    h.press("?");
    snapshot(&mut h, "help");
}

#[test]
fn tiny_windows_get_a_message_not_a_broken_layout() {
    let mut h = started();
    for (w, ht) in [(1, 1), (40, 10), (59, 24), (80, 14)] {
        let screen = h.render(w, ht);
        assert!(screen.contains("Window") || w < 8, "{w}x{ht}: {screen}");
    }
    // Back to a usable size, the screen draws again.
    assert!(h.render(80, 24).contains("Portfolio"));
}

#[test]
fn screens_switch_by_number_tab_and_palette() {
    let mut h = started();
    h.press("tab");
    assert_eq!(h.app.screen, Screen::Firms);
    h.press("shift-tab");
    assert_eq!(h.app.screen, Screen::Portfolio);
    h.press("6");
    assert_eq!(h.app.screen, Screen::Triage);
    h.press(":");
    h.type_text("pca");
    h.press("enter");
    assert_eq!(h.app.screen, Screen::Pca);
    assert!(h.app.pca.view.is_some());
    // q quits at once when nothing would be lost.
    h.press("q");
    assert!(!h.app.running);
}

#[test]
fn the_filter_narrows_the_table_and_a_bad_filter_says_where() {
    let mut h = started();
    h.press("2");
    let all = h.app.firms.total.unwrap();
    assert_eq!(all, 2400);
    h.press("f");
    h.type_text(r#"sector = "retail" and current_ratio < 1.5 and class = bad"#);
    h.press("enter");
    let n = h.app.firms.total.unwrap();
    assert!(n > 0 && n < 100, "{n}");
    h.render(100, 30);
    for i in 0..n.min(20) {
        let r = h.app.firms.row(i).expect("the visible rows are fetched");
        assert_eq!(r.sector, "retail");
        assert!(r.current_ratio.unwrap() < 1.5);
        assert_eq!(r.class.as_deref(), Some("bad"));
    }
    h.press("f");
    h.press("ctrl-u");
    h.type_text("curent_ratio < 1");
    h.press("enter");
    let (_, msg) = h.app.status.clone().unwrap();
    assert!(
        msg.contains("column 1") && msg.contains("current_ratio"),
        "{msg}"
    );
    assert!(matches!(h.app.overlay, Overlay::Input { .. }));
    h.press("esc");
    // Text that would be SQL if pasted stays a value: nothing matches, nothing is dropped.
    h.press("f");
    h.press("ctrl-u");
    h.type_text(r#"name = "x'; DROP TABLE firms; --" or sector ~ "%""#);
    h.press("enter");
    assert_eq!(h.app.firms.total, Some(0));
    h.press("F");
    assert_eq!(h.app.firms.total, Some(2400));
    assert_eq!(h.store.count("firms").unwrap(), 2400);
}

#[test]
fn triage_approve_decline_refer_undo_are_written_at_once() {
    let mut h = started();
    h.press("6");
    let pending = h.app.triage.queue.len();
    assert_eq!(pending, 48);
    // The riskiest application first: the model calls it bad.
    let first = h.app.triage.queue[0].clone();
    assert_eq!(first.score.as_ref().unwrap().explanation.class, "bad");

    // Decline: the reasons are prefilled from the model; Enter saves.
    h.press("d");
    let Overlay::Decision(d) = &h.app.overlay else {
        panic!("the decision overlay opens")
    };
    assert!(!d.reasons[0].is_empty(), "reasons prefilled");
    h.press("tab");
    h.press("tab");
    h.press("tab");
    h.press("tab");
    h.type_text("thin liquidity");
    h.press("enter");
    let rows = h.store.decisions().unwrap();
    assert_eq!(rows.len(), 1);
    assert_eq!(rows[0].application_id, first.application.id);
    assert_eq!(rows[0].decision, "decline");
    assert_eq!(rows[0].analyst, "analyst");
    assert_eq!(rows[0].note.as_deref(), Some("thin liquidity"));
    assert_eq!(rows[0].model_id.as_deref(), Some("e29a0fc0c5b56756"));
    assert_eq!(rows[0].model_hash.as_ref().map(String::len), Some(64));
    assert!(!rows[0].reasons.is_empty());
    assert_eq!(h.app.triage.queue.len(), pending - 1);

    // Approving a firm the model calls bad asks for an override reason.
    h.press("a");
    h.type_text("ok");
    h.press("enter");
    let Overlay::Decision(d) = &h.app.overlay else {
        panic!("still open: the override reason is missing")
    };
    assert!(d.error.as_deref().unwrap().contains("override reason"));
    assert_eq!(h.store.decisions().unwrap().len(), 1);
    h.type_text("parent guarantee");
    h.press("enter");
    let rows = h.store.decisions().unwrap();
    assert_eq!(rows.len(), 2);
    assert_eq!(rows[1].decision, "approve");
    assert_eq!(rows[1].override_reason.as_deref(), Some("parent guarantee"));

    // Refer, to a named analyst, with a note.
    h.press("r");
    h.type_text("kim");
    h.press("tab");
    h.type_text("to the senior desk");
    h.press("enter");
    let referral = h.store.decisions().unwrap()[2].clone();
    assert_eq!(referral.decision, "refer");
    assert_eq!(referral.referred_to.as_deref(), Some("kim"));
    assert_eq!(referral.note.as_deref(), Some("to the senior desk"));
    assert_eq!(
        (h.app.triage.counts.decided, h.app.triage.counts.referred),
        (2, 1)
    );
    assert!(h
        .render(100, 30)
        .contains("2 of 48 decided · 1 referred · 45 pending"));

    // Undo the last one: a new row, the application is pending again.
    let referred = h.store.decisions().unwrap()[2].application_id.clone();
    h.press("u");
    let rows = h.store.decisions().unwrap();
    assert_eq!(rows.len(), 4);
    assert_eq!(rows[3].decision, "undo");
    assert_eq!(rows[3].supersedes, Some(rows[2].id));
    assert_eq!(h.store.application(&referred).unwrap().status, "pending");
    assert_eq!(h.app.triage.queue.len(), pending - 2);
    assert_eq!(
        (h.app.triage.counts.decided, h.app.triage.counts.referred),
        (2, 0)
    );

    // Esc leaves without deciding; nothing is written.
    h.press("r");
    h.press("esc");
    assert_eq!(h.store.decisions().unwrap().len(), 4);
    assert!(h.store.check().unwrap().ok());
}

#[test]
fn training_from_the_form_validates_first_and_saves_a_candidate() {
    let mut h = started();
    let champion = h.store.model(None).unwrap().id;
    let predictions = h.store.all_predictions().unwrap().len();
    h.press("5");
    // A bad field is refused before any job starts, and the cursor goes to it.
    h.app.model.form.max_depth = "deep".into();
    h.press("t");
    assert_eq!(h.app.model.field, 3);
    assert!(h.app.model.error.is_some());
    assert!(h.app.outbox.is_empty());
    h.app.model.form.max_depth = "3".into();
    h.app.model.form.prune = "none".into();
    h.app.model.form.name = "shallow".into();
    h.press("t");
    let saved = h.store.model(Some("shallow")).unwrap();
    assert!(saved.pipeline.tree().unwrap().depth() <= 3);
    let view = h.app.model.view.as_ref().unwrap();
    assert_eq!(view.models.len(), 2);
    // A candidate: the champion, its predictions and the queue are as they were.
    assert_eq!(h.store.model(None).unwrap().id, champion);
    assert_eq!(view.active.as_ref().unwrap().id, champion);
    assert_eq!(h.store.all_predictions().unwrap().len(), predictions);
    assert!(!h.store.has_predictions(&saved.id).unwrap());
}

#[test]
fn export_from_the_screen_refuses_to_overwrite_unasked() {
    let dir = tempfile::tempdir().unwrap();
    let mut settings = test_settings("analyst");
    settings.export_dir = dir.path().to_path_buf();
    let mut h = Harness::new(Store::open_in_memory().unwrap(), settings);
    h.start();
    h.press("7");
    h.press("w"); // the register
    h.press("w"); // predictions
    h.press("e");
    let file = dir.path().join("precre-predictions.csv");
    assert_eq!(ExportFormat::from_path(&file).unwrap(), ExportFormat::Csv);
    let text = std::fs::read_to_string(&file).unwrap();
    assert!(text.starts_with("model_id,firm_id,fiscal_year,class,created_at,p_bad"));
    assert_eq!(text.lines().count(), 2401);
    h.press("e");
    assert!(matches!(h.app.overlay, Overlay::ConfirmOverwrite(_)));
    h.press("n");
    h.press("e");
    h.press("y");
    assert!(h
        .app
        .export
        .result
        .as_ref()
        .unwrap()
        .1
        .contains("2400 rows"));
}

#[test]
fn x_cancels_an_export_from_the_export_screen_and_no_file_is_written() {
    let mut h = started();
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("cancelled.csv");
    h.press("7");
    h.app.export.path = Some(out.clone());
    h.press_only("e");
    let job = h.app.job.as_ref().expect("the export runs as a job");
    assert!(job.cancellable);
    // The gauge says which key cancels, from the keymap (drawn without answering the job).
    let mut term = ratatui::Terminal::new(ratatui::backend::TestBackend::new(100, 30)).unwrap();
    term.draw(|f| precre::tui::ui::draw(f, &h.app)).unwrap();
    let screen = precre::tui::harness::buffer_text(term.backend().buffer());
    assert!(screen.contains("x cancels"), "{screen}");
    h.press_only("x");
    assert!(h.app.cancel_requested, "x asked the worker to stop");
    h.settle();
    assert!(h.app.job.is_none());
    assert!(!out.exists(), "nothing written");
    let (_, text) = h.app.export.result.clone().unwrap();
    assert!(text.contains("cancelled"), "{text}");
    // The next export, not cancelled, writes the file.
    h.press("e");
    assert!(out.exists());
}

#[test]
fn pop_up_keys_come_from_the_keymap() {
    use precre::tui::keymap::{KeyList, Keymap};
    let mut keys = std::collections::HashMap::new();
    keys.insert("confirm".to_string(), KeyList::One("j".into()));
    keys.insert("deny".to_string(), KeyList::One("k".into()));
    let mut settings = test_settings("analyst");
    settings.keymap = Keymap::with_overrides(&keys).unwrap();
    let mut h = Harness::new(Store::open_in_memory().unwrap(), settings);
    h.start();
    // An export over an existing file asks; the remapped keys answer.
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("d.csv");
    std::fs::write(&out, "old").unwrap();
    h.press("7");
    h.app.export.path = Some(out.clone());
    h.press("e");
    assert!(matches!(h.app.overlay, Overlay::ConfirmOverwrite(_)));
    assert!(h.render(100, 30).contains("Replace it? j / k"));
    h.press("y");
    assert!(
        matches!(h.app.overlay, Overlay::ConfirmOverwrite(_)),
        "y is no longer bound"
    );
    h.press("j");
    assert!(matches!(h.app.overlay, Overlay::None));
    assert_ne!(std::fs::read_to_string(&out).unwrap(), "old");
    // Help lists the pop-up keys too.
    h.press("?");
    let help = h.render(100, 60);
    assert!(
        help.contains("Questions") && help.contains("Text fields"),
        "{help}"
    );
}

/// The Model screen's Compare pane: C queues every kind on the form's split (answered here with
/// three kinds and two folds, the debug build being slow), the table and the overlaid curves
/// show, A promotes the selected one to champion and c to challenger (each after its
/// confirmation, with a reason); the Reports pane reads
/// the active model's test part; Triage then shows the challenger beside the champion.
#[test]
fn compare_pane_makes_champions_and_challengers_and_reports_read_the_active_model() {
    use precre::model::learner::{Learner, KIND_NAMES};
    use precre::tui::worker::Request;
    let mut h = started();
    h.press("5");
    h.press_only("C");
    let Some((_, Request::Compare(req))) = h.app.outbox.first() else {
        panic!("C did not ask for a comparison: {:?}", h.app.outbox);
    };
    let kinds: Vec<&str> = req
        .candidates
        .iter()
        .map(|c| c.learner.kind().name())
        .collect();
    assert_eq!(kinds, KIND_NAMES);
    assert_eq!(req.save_prefix.as_deref(), Some("compare"));
    h.settle_changed(|r| match r {
        Request::Compare(mut req) => {
            req.candidates.retain(|c| {
                matches!(
                    c.learner,
                    Learner::Tree | Learner::Logistic { .. } | Learner::Lda
                )
            });
            req.folds = 2;
            Request::Compare(req)
        }
        other => other,
    });
    let c = h
        .app
        .model
        .compare
        .as_mut()
        .expect("the comparison arrived");
    assert_eq!(c.candidates.len(), 3);
    // Fit times differ from run to run: the snapshot shows zeros.
    c.candidates.iter_mut().for_each(|m| m.fit_seconds = 0.0);
    snapshot(&mut h, "model_compare");
    // The logistic regression (second row) becomes the challenger, then the LDA the champion,
    // each after its confirmation and with a reason.
    h.press("j");
    h.press("c");
    h.type_text("compare");
    h.press("enter");
    let logistic = h.store.challenger_model().unwrap().expect("a challenger");
    assert_eq!(logistic.pipeline.kind(), "logistic");
    h.press("j");
    h.press("A");
    h.type_text("compare");
    h.press("enter");
    assert_eq!(h.store.model(None).unwrap().pipeline.kind(), "lda");
    // Setting the challenger it holds already is refused before any confirmation.
    h.press("k");
    h.press("c");
    assert!(matches!(h.app.overlay, Overlay::None));
    assert_eq!(h.store.challenger_model().unwrap().unwrap().id, logistic.id);
    assert_eq!(h.store.model_log().unwrap().len(), 3);
    let said = h
        .app
        .status
        .as_ref()
        .map(|s| s.1.clone())
        .unwrap_or_default();
    assert!(said.contains("already the challenger"), "{said}");
    h.press("esc");
    h.press("]");
    snapshot(&mut h, "model_reports");
    h.press("6");
    let q = &h.app.triage.queue[0];
    assert_eq!(q.challenger.as_ref().unwrap().0.id, logistic.id);
    snapshot(&mut h, "triage_challenger");
}

#[test]
fn the_pane_bar_names_every_pane_at_80_columns_and_the_current_one_when_narrower() {
    let mut h = started();
    h.press("5");
    let screen = h.render(80, 24);
    let bar = screen.lines().nth(1).unwrap();
    for pane in precre::tui::app::Screen::Model.panes() {
        assert!(bar.contains(pane), "{pane} missing from {bar:?}");
    }
    // Narrower: the panes around the current one, the others marked as left out.
    h.press("]");
    h.press("]");
    h.press("]");
    let line = precre::tui::ui::pane_bar(&h.app, precre::tui::app::Screen::Model, 30);
    let bar: String = line.spans.iter().map(|s| s.content.as_ref()).collect();
    assert!(bar.chars().count() <= 30, "{bar:?}");
    assert!(
        bar.contains("ROC") && bar.starts_with('…') && bar.ends_with('…'),
        "{bar:?}"
    );
}
