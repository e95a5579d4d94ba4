//! The analyst's desk (issue 28): a window too small decides nothing, a store path that does
//! not exist is created only when asked, triage works as a team (referrals to someone and their
//! view, states that stay findable, undo of one's own last decision after a restart, Esc back
//! where one came from, a typed note never dropped unasked, one headline from the store), and
//! the Model form shows every field.

use crate::common::{precre, run};
use precre::store::Store;
use precre::tui::app::{Screen, StoreStart};
use precre::tui::harness::{test_settings, Harness};
use precre::tui::popup::Overlay;
use precre::tui::ui::{MIN_HEIGHT, MIN_WIDTH};
use std::path::Path;

fn started() -> Harness {
    let mut h = Harness::new(Store::open_in_memory().unwrap(), test_settings("analyst"));
    h.start();
    h
}

#[test]
fn keys_in_a_window_too_small_decide_nothing_and_are_not_kept_for_later() {
    let mut h = started();
    h.press("6");
    assert_eq!(h.app.triage.queue.len(), 48);
    let screen = h.render(40, 12);
    assert!(screen.contains("Window too small"), "{screen}");
    assert!(
        screen.contains(&format!("{MIN_WIDTH}x{MIN_HEIGHT}")),
        "{screen}"
    );
    // Approve the riskiest application blind: `a`, a note, Enter; then the window grows.
    h.press("a");
    h.type_text("blind");
    h.press("enter");
    h.press("d");
    h.press("enter");
    assert_eq!(h.app.overlay, Overlay::None, "no form opened unseen");
    let screen = h.render(120, 40);
    assert!(screen.contains("0 of 48 decided"), "{screen}");
    assert!(h.store.decisions().unwrap().is_empty(), "nothing decided");
    assert_eq!(h.app.overlay, Overlay::None, "no key was kept for later");
    // A form open when the window shrinks takes no key either, and comes back as it was.
    h.press("r");
    h.type_text("kim");
    h.render(79, 24);
    h.type_text("xx");
    h.press("enter");
    h.render(80, 24);
    let Overlay::Decision(d) = &h.app.overlay else {
        panic!("the referral form is still open")
    };
    assert_eq!(d.referred_to, "kim");
    assert!(h.store.decisions().unwrap().is_empty());
    // Quit acts below the minimum; with text that would be lost, it asks (in the message).
    h.render(40, 12);
    h.press("q");
    assert!(h.app.running);
    let screen = h.render(40, 12).replace('\n', " ");
    assert!(screen.contains("Quit although the decision"), "{screen}");
    h.press("n");
    assert!(
        matches!(h.app.overlay, Overlay::Decision(_)),
        "the form is kept"
    );
    h.press("q");
    h.press("y");
    assert!(!h.app.running);
}

#[test]
fn the_readme_and_the_guide_state_the_minimum_the_code_enforces() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let min = format!("from {MIN_WIDTH}x{MIN_HEIGHT} up");
    for doc in ["README.md", "docs/guide/workbench.md"] {
        let text = std::fs::read_to_string(root.join(doc)).unwrap();
        assert!(text.contains(&min), "{doc} does not say '{min}'");
    }
}

fn asking() -> Harness {
    let mut settings = test_settings("analyst");
    settings.start = StoreStart::Ask;
    settings.store_path = "/tmp/typo/precre.db".into();
    let mut h = Harness::new(Store::open_in_memory().unwrap(), settings);
    h.start();
    h
}

#[test]
fn a_new_store_asks_first_empty_demo_or_quit() {
    let mut h = asking();
    assert!(matches!(h.app.overlay, Overlay::NewStore(_)));
    let screen = h.render(80, 24);
    for text in [
        "There is no store at /tmp/typo/precre.db",
        "create an empty store",
        "demo portfolio",
        "quit: nothing is created",
    ] {
        assert!(screen.contains(text), "{text}: {screen}");
    }
    // No other key acts meanwhile.
    h.press("6");
    h.press("a");
    assert!(matches!(h.app.overlay, Overlay::NewStore(_)));
    assert_eq!(h.store.count("firms").unwrap(), 0);
    h.press("q");
    assert!(!h.app.running);
    assert_eq!(h.store.count("firms").unwrap(), 0, "nothing loaded");

    let mut h = asking();
    h.press("e");
    assert_eq!(h.store.count("firms").unwrap(), 0);
    assert!(h
        .app
        .notice
        .as_deref()
        .unwrap()
        .contains("The store is empty"));
    assert!(h.app.running);

    let mut h = asking();
    h.press("d");
    assert_eq!(h.store.count("firms").unwrap(), 2400);
    assert!(h.app.notice.as_deref().unwrap().contains("fictitious"));
}

#[test]
fn an_existing_empty_store_stays_empty_without_the_demo_flag() {
    let mut settings = test_settings("analyst");
    settings.start = StoreStart::Open;
    let mut h = Harness::new(Store::open_in_memory().unwrap(), settings);
    h.start();
    assert_eq!(h.app.overlay, Overlay::None);
    assert_eq!(h.store.count("firms").unwrap(), 0);
}

#[test]
fn a_mistyped_store_path_is_refused_by_commands_and_creates_no_file() {
    let dir = tempfile::tempdir().unwrap();
    let typo = dir.path().join("precre-dmeo.db");
    let typo_s = typo.display().to_string();
    for args in [
        vec!["queue"],
        vec!["firms", "--limit", "3"],
        vec!["decide", "APP-000001-1", "--approve"],
        vec!["undo"],
        vec!["check"],
        vec!["token", "create", "x", "--scope", "read"],
        // The workbench without a terminal: refused before any store is made.
        vec![],
        vec!["--demo"],
    ] {
        let (code, _, err) = run(&typo, &args);
        assert_ne!(code, Some(0), "{args:?}");
        assert!(!typo.exists(), "{args:?} created {typo_s}");
        if !args.is_empty() && args[0] != "--demo" {
            assert!(
                err.contains(&format!("there is no store at {typo_s}"))
                    && err.contains("`precre init` (empty)")
                    && err.contains("`precre --demo`"),
                "{args:?}: {err}"
            );
        }
    }
    // A refused import into a new path leaves no store behind either.
    let bad = dir.path().join("bad.csv");
    std::fs::write(&bad, "id,name\n").unwrap();
    let (code, _, _) = run(&typo, &["import", bad.to_str().unwrap(), "--kind", "firms"]);
    assert_ne!(code, Some(0));
    assert!(!typo.exists());
    // Asked for: init makes an empty store (once), then commands run on it.
    let (code, out, err) = run(&typo, &["init"]);
    assert_eq!(code, Some(0), "{err}");
    assert!(out.contains("created an empty store"), "{out}");
    assert!(typo.exists());
    assert_eq!(run(&typo, &["init"]).0, Some(2));
    let (code, out, _) = run(&typo, &["queue"]);
    assert_eq!(code, Some(0));
    assert!(out.contains("0 pending application(s)"), "{out}");
}

fn demo_db() -> (tempfile::TempDir, std::path::PathBuf) {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("desk.db");
    let (code, _, err) = run(&db, &["demo"]);
    assert_eq!(code, Some(0), "{err}");
    (dir, db)
}

fn queue_json(db: &Path, args: &[&str]) -> serde_json::Value {
    let mut all = vec!["queue", "--format", "json"];
    all.extend_from_slice(args);
    let (code, out, err) = run(db, &all);
    assert_eq!(code, Some(0), "{err}");
    serde_json::from_str(&out).unwrap()
}

fn ids(v: &serde_json::Value) -> Vec<String> {
    v["applications"]
        .as_array()
        .unwrap()
        .iter()
        .map(|a| a["application_id"].as_str().unwrap().to_string())
        .collect()
}

#[test]
fn a_referral_reaches_its_analyst_who_decides_it_and_it_stays_findable() {
    let (_dir, db) = demo_db();
    let pending = queue_json(&db, &[]);
    let app = ids(&pending)[0].clone();
    let (code, out, err) = run(
        &db,
        &[
            "--analyst",
            "lee",
            "decide",
            &app,
            "--refer",
            "--refer-to",
            "kim",
            "--note",
            "site visit first",
        ],
    );
    assert_eq!(code, Some(0), "{err}");
    assert!(out.contains("refer to kim by lee"), "{out}");
    // Kim's view has it, with its state; Lee's does not; the pending queue no longer does.
    let kims = queue_json(&db, &["--analyst", "kim", "--referred-to-me"]);
    assert_eq!(ids(&kims), std::slice::from_ref(&app));
    let entry = &kims["applications"][0];
    assert_eq!(entry["status"], "referred");
    assert_eq!(entry["decision"]["referred_to"], "kim");
    assert_eq!(entry["decision"]["note"], "site visit first");
    assert!(ids(&queue_json(&db, &["--analyst", "lee", "--referred-to-me"])).is_empty());
    assert!(!ids(&queue_json(&db, &[])).contains(&app));
    // Kim decides it: no override needed over a referral; a second referral would need one.
    let (code, _, err) = run(
        &db,
        &[
            "--analyst",
            "kim",
            "decide",
            &app,
            "--decline",
            "--reason",
            "thin equity",
        ],
    );
    assert_eq!(code, Some(0), "{err}");
    let (code, _, err) = run(&db, &["--analyst", "lee", "decide", &app, "--refer"]);
    assert_eq!(code, Some(2));
    assert!(err.contains("already decided by kim"), "{err}");
    let decided = queue_json(&db, &["--state", "decided"]);
    assert_eq!(ids(&decided), std::slice::from_ref(&app));
    assert_eq!(decided["applications"][0]["status"], "declined");
    assert_eq!(ids(&queue_json(&db, &["--state", "all"])).len(), 48);
    // The chain holds, referral target included; editing it is found.
    let (code, out, _) = run(&db, &["check"]);
    assert_eq!(code, Some(0), "{out}");
    let store = Store::open(&db).unwrap();
    let rows = store.decisions().unwrap();
    assert_eq!(rows[0].referred_to.as_deref(), Some("kim"));
    assert_eq!(rows[1].supersedes, Some(rows[0].id));
    assert!(store.check().unwrap().ok());
}

#[test]
fn undo_of_ones_own_last_decision_works_after_a_restart_within_the_window() {
    let (_dir, db) = demo_db();
    let apps = ids(&queue_json(&db, &[]));
    for app in &apps[..2] {
        let (code, _, err) = run(&db, &["--analyst", "lee", "decide", app, "--refer"]);
        assert_eq!(code, Some(0), "{err}");
    }
    // Nothing of kim's to undo.
    let (code, _, err) = run(&db, &["--analyst", "kim", "undo"]);
    assert_eq!(code, Some(2), "{err}");
    assert!(
        err.contains("kim has no decision of their own to undo"),
        "{err}"
    );
    // A window of 0 minutes has passed already: refused, nothing written.
    let (code, _, err) = run(&db, &["--analyst", "lee", "--undo-minutes", "0", "undo"]);
    assert_ne!(code, Some(0));
    assert!(
        err.contains("older than the undo window of 0 minutes"),
        "{err}"
    );
    assert_eq!(Store::open(&db).unwrap().decisions().unwrap().len(), 2);
    // Another process (a new session) undoes lee's last, then the one before.
    let (code, out, err) = run(&db, &["--analyst", "lee", "undo"]);
    assert_eq!(code, Some(0), "{err}");
    assert!(
        out.contains(&apps[1]) && out.contains("pending again"),
        "{out}"
    );
    let (code, out, _) = run(&db, &["--analyst", "lee", "undo"]);
    assert_eq!(code, Some(0));
    assert!(out.contains(&apps[0]), "{out}");
    let store = Store::open(&db).unwrap();
    let rows = store.decisions().unwrap();
    assert_eq!(rows.len(), 4);
    assert_eq!(
        (rows[2].decision.as_str(), rows[2].supersedes),
        ("undo", Some(rows[1].id))
    );
    assert_eq!(
        (rows[3].decision.as_str(), rows[3].supersedes),
        ("undo", Some(rows[0].id))
    );
    assert!(store.check().unwrap().ok());
    drop(store);
    // A decision of lee's that kim replaced since is no longer lee's to undo.
    run(&db, &["--analyst", "lee", "decide", &apps[2], "--refer"]);
    let (code, _, err) = run(
        &db,
        &[
            "--analyst",
            "kim",
            "decide",
            &apps[2],
            "--approve",
            "--override-reason",
            "seen",
        ],
    );
    assert_eq!(code, Some(0), "{err}");
    let (code, _, err) = run(&db, &["--analyst", "lee", "undo"]);
    assert_ne!(code, Some(0));
    assert!(
        err.contains("no longer in force: kim recorded 'approve'"),
        "{err}"
    );
}

#[test]
fn undo_in_the_workbench_takes_the_last_decision_of_another_session() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("two.db");
    let mut first = Harness::new(Store::open(&db).unwrap(), test_settings("lee"));
    first.start();
    first.press("6");
    first.press("r");
    first.press("enter");
    assert_eq!(first.store.decisions().unwrap().len(), 1);
    drop(first);
    // A restart: a new workbench on the same store.
    let mut again = Harness::new(Store::open(&db).unwrap(), test_settings("lee"));
    again.start();
    again.press("6");
    assert_eq!(again.app.triage.counts.referred, 1);
    again.press("u");
    let rows = again.store.decisions().unwrap();
    assert_eq!(rows.len(), 2);
    assert_eq!(rows[1].decision, "undo");
    assert_eq!(again.app.triage.counts.pending, 48);
}

#[test]
fn two_workbenches_on_one_store_show_the_same_headline() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("pair.db");
    let mut a = Harness::new(Store::open(&db).unwrap(), test_settings("lee"));
    a.start();
    let mut b = Harness::new(Store::open(&db).unwrap(), test_settings("kim"));
    b.start();
    a.press("6");
    b.press("6");
    a.press("d");
    a.press("enter");
    // Kim's list is from before Lee's decision: the next application down.
    b.press("down");
    b.press("a");
    b.type_text("ok");
    b.press("enter");
    if matches!(b.app.overlay, Overlay::Decision(_)) {
        // The model calls it bad: an override reason.
        b.type_text("guarantee");
        b.press("enter");
    }
    a.press("R");
    let head = |h: &mut Harness| h.render(120, 40).lines().nth(1).unwrap_or("").to_string();
    let (ha, hb) = (head(&mut a), head(&mut b));
    assert!(
        ha.contains("2 of 48 decided · 0 referred · 46 pending"),
        "{ha}"
    );
    assert_eq!(ha, hb);
}

#[test]
fn triage_views_keep_referred_and_decided_applications_with_their_state() {
    let mut h = started();
    h.press("6");
    let first = h.app.triage.queue[0].application.id.clone();
    h.press("r");
    h.type_text("analyst");
    h.press("enter");
    assert!(!h.app.triage.queue.iter().any(|q| q.application.id == first));
    h.press("v");
    assert_eq!(h.app.triage.view.title(), "referred to me");
    assert_eq!(h.app.triage.queue.len(), 1);
    let screen = h.render(120, 40);
    assert!(
        screen.contains("referred to analyst by analyst"),
        "{screen}"
    );
    assert!(screen.contains("→"), "{screen}");
    h.press("v");
    assert_eq!(h.app.triage.view.title(), "referred");
    assert_eq!(h.app.triage.queue.len(), 1);
    // Deciding it from this view: the referral's taker needs no override.
    h.press("d");
    h.press("enter");
    if matches!(h.app.overlay, Overlay::Decision(_)) {
        h.type_text("checked");
        h.press("enter");
    }
    assert!(h.app.triage.queue.is_empty());
    h.press("v");
    assert_eq!(h.app.triage.view.title(), "decided");
    assert_eq!(h.app.triage.queue[0].application.id, first);
    assert_eq!(h.app.triage.queue[0].application.status, "declined");
    h.press("v");
    assert_eq!(h.app.triage.view.title(), "all");
    assert_eq!(h.app.triage.queue.len(), 48);
    h.press("v");
    assert_eq!(h.app.triage.view.title(), "pending");
    assert_eq!(h.app.triage.queue.len(), 47);
}

#[test]
fn the_queue_figure_is_labelled_as_the_chance_of_bad() {
    let mut h = started();
    h.press("6");
    let q = &h.app.triage.queue[0];
    let label = format!("bad{:>4.0}%", q.risk() * 100.0);
    for (w, ht) in [(80, 24), (120, 40)] {
        let screen = h.render(w, ht);
        assert!(screen.contains(&label), "{w}x{ht}: {screen}");
    }
}

#[test]
fn esc_returns_where_the_firm_was_opened_and_a_typed_note_is_not_dropped_unasked() {
    let mut h = started();
    h.press("6");
    h.press("enter");
    assert_eq!(h.app.screen, Screen::Firm);
    h.press("esc");
    assert_eq!(h.app.screen, Screen::Triage);
    h.press("2");
    h.press("enter");
    h.press("esc");
    assert_eq!(h.app.screen, Screen::Firms);

    h.press("6");
    h.press("a");
    h.type_text("collateral checked");
    h.press("esc");
    assert!(matches!(h.app.overlay, Overlay::ConfirmDiscard(_)));
    assert!(h.render(80, 24).contains("Discard it?"));
    h.press("n");
    let Overlay::Decision(d) = &h.app.overlay else {
        panic!("back to the form")
    };
    assert_eq!(d.note, "collateral checked");
    h.press("esc");
    h.press("y");
    assert_eq!(h.app.overlay, Overlay::None);
    assert!(h.store.decisions().unwrap().is_empty());
    // An empty form closes at once.
    h.press("a");
    h.press("esc");
    assert_eq!(h.app.overlay, Overlay::None);
}

#[test]
fn the_model_form_shows_every_field_at_80x24_and_up() {
    let mut h = started();
    h.press("5");
    for (w, ht) in [(80, 24), (100, 30), (120, 40), (200, 50)] {
        let screen = h.render(w, ht);
        for label in precre::tui::screens::model::FORM_FIELDS {
            assert!(
                screen.lines().any(|l| l.contains(&format!(" {label} "))),
                "{w}x{ht}: '{label}' hidden:\n{screen}"
            );
        }
    }
}

#[test]
fn the_model_form_scrolls_to_the_field_in_focus_in_a_short_pane() {
    let mut h = started();
    h.press("5");
    // Focus the last field (kind) and draw the form in the smallest window.
    for _ in 0..12 {
        h.press("down");
    }
    assert_eq!(h.app.model.field, 12);
    let screen = h.render(MIN_WIDTH, MIN_HEIGHT);
    assert!(screen.contains("kind"), "{screen}");
    assert!(
        screen.contains("scorecard") && screen.contains("svm"),
        "{screen}"
    );
}

#[test]
fn the_store_file_is_never_made_by_a_read_command_even_under_precre_db() {
    let dir = tempfile::tempdir().unwrap();
    let typo = dir.path().join("nested/typo.db");
    let out = precre(&typo).arg("portfolio").output().unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(!typo.exists() && !typo.parent().unwrap().exists());
}

/// A key to press once the app is in a state.
type Step = (fn(&precre::tui::app::App) -> bool, &'static str);

/// Keys for the real event loop, each pressed once the app is in its state.
struct Keys(Vec<Step>);

impl precre::tui::Events for Keys {
    fn next(
        &mut self,
        app: &precre::tui::app::App,
        timeout: std::time::Duration,
    ) -> anyhow::Result<Option<crossterm::event::Event>> {
        match self.0.first() {
            Some((ready, key)) if ready(app) => {
                let k = precre::tui::keymap::parse_key(key).unwrap();
                self.0.remove(0);
                Ok(Some(crossterm::event::Event::Key(k)))
            }
            _ => {
                std::thread::sleep(timeout);
                Ok(None)
            }
        }
    }
}

/// The real loop and worker on a path where no store is: nothing is created before the
/// answer, `q` leaves no file, `e` makes an empty store.
#[test]
fn the_real_loop_creates_no_store_before_the_answer() {
    use precre::tui::{main_loop, worker::Worker};
    use ratatui::{backend::TestBackend, Terminal};
    let dir = tempfile::tempdir().unwrap();
    for (answer, created) in [("q", false), ("e", true)] {
        let db = dir.path().join(format!("new-{answer}.db"));
        let mut settings = test_settings("lee");
        settings.start = StoreStart::Ask;
        settings.store_path = db.clone();
        let mut app = precre::tui::app::App::new(settings);
        let worker = Worker::start_with(db.clone(), Default::default());
        let mut terminal = Terminal::new(TestBackend::new(80, 24)).unwrap();
        let mut keys = Keys(vec![
            (|a| matches!(a.overlay, Overlay::NewStore(_)), "2"),
            (|a| matches!(a.overlay, Overlay::NewStore(_)), answer),
            (
                |a| a.job.is_none() && !matches!(a.overlay, Overlay::NewStore(_)),
                "q",
            ),
        ]);
        if answer == "q" {
            keys.0.truncate(2);
        }
        main_loop(&mut terminal, &mut app, &worker, &mut keys).unwrap();
        assert!(!app.running);
        assert_eq!(db.exists(), created, "{answer}");
        if created {
            let store = Store::open(&db).unwrap();
            assert_eq!(store.count("firms").unwrap(), 0);
        }
    }
}

#[test]
fn an_undo_brings_back_the_referral_or_the_decision_it_replaced() {
    let (_dir, db) = demo_db();
    let apps = ids(&queue_json(&db, &[]));
    // lee refers to kim; kim takes it up and approves, then undoes: the referral stands again.
    let (code, _, err) = run(
        &db,
        &[
            "--analyst",
            "lee",
            "decide",
            &apps[0],
            "--refer",
            "--refer-to",
            "kim",
        ],
    );
    assert_eq!(code, Some(0), "{err}");
    let (code, _, err) = run(
        &db,
        &[
            "--analyst",
            "kim",
            "decide",
            &apps[0],
            "--approve",
            "--override-reason",
            "guarantee",
        ],
    );
    assert_eq!(code, Some(0), "{err}");
    let (code, out, err) = run(&db, &["--analyst", "kim", "undo"]);
    assert_eq!(code, Some(0), "{err}");
    assert!(out.contains("referred again"), "{out}");
    let to_kim = ids(&queue_json(&db, &["--referred-to", "kim"]));
    assert_eq!(to_kim, vec![apps[0].clone()], "back in kim's referrals");
    // lee approves another; kim overrides with a decline, then undoes it: lee's approval stands.
    run(
        &db,
        &[
            "--analyst",
            "lee",
            "decide",
            &apps[1],
            "--approve",
            "--override-reason",
            "seen",
        ],
    );
    let (code, _, err) = run(
        &db,
        &[
            "--analyst",
            "kim",
            "decide",
            &apps[1],
            "--decline",
            "--reason",
            "OTH: exposure",
            "--replace",
            "--override-reason",
            "limit reached",
        ],
    );
    assert_eq!(code, Some(0), "{err}");
    let (code, out, err) = run(
        &db,
        &[
            "--analyst",
            "kim",
            "decide",
            &apps[1],
            "--undo",
            "--format",
            "json",
        ],
    );
    assert_eq!(code, Some(0), "{err}");
    let undone: serde_json::Value = serde_json::from_str(&out).unwrap();
    assert_eq!(undone["status"], "approved", "{out}");
    assert_eq!(undone["decision"], "undo", "{out}");
    let store = Store::open(&db).unwrap();
    assert_eq!(store.application(&apps[1]).unwrap().status, "approved");
    // Undone once more: nothing stands, pending; the store agrees with its log.
    drop(store);
    let (code, out, err) = run(&db, &["--analyst", "lee", "decide", &apps[1], "--undo"]);
    assert_eq!(code, Some(0), "{err}");
    assert!(out.contains("pending again"), "{out}");
    let store = Store::open(&db).unwrap();
    assert_eq!(store.application(&apps[1]).unwrap().status, "pending");
    assert!(store.check().unwrap().ok());
}
