//! The real event loop (`tui::main_loop`, generic over the ratatui backend) on a `TestBackend`,
//! with the real worker thread on a store file and a script of keys that waits for the state it
//! needs: the first start loads the demo, the triage queue is scored, a referral is saved, and
//! `q` ends the loop.

use crossterm::event::{Event, KeyEvent};
use precre::store::Store;
use precre::tui::app::{App, Screen};
use precre::tui::harness::test_settings;
use precre::tui::{main_loop, worker::Worker, Events};
use ratatui::backend::TestBackend;
use ratatui::Terminal;
use std::time::{Duration, Instant};

/// A key to press once the app is in a state.
type Step = (fn(&App) -> bool, &'static str);

/// Keys, each pressed once its condition holds (or the script gives up at the hang guard).
struct Script {
    steps: Vec<Step>,
    started: Instant,
}

impl Events for Script {
    fn next(&mut self, app: &App, timeout: Duration) -> anyhow::Result<Option<Event>> {
        assert!(
            self.started.elapsed() < crate::common::HANG_GUARD,
            "hang guard: the script waited too long; status: {:?}",
            app.status
        );
        match self.steps.first() {
            Some((ready, key)) if ready(app) => {
                let k: KeyEvent = precre::tui::keymap::parse_key(key).unwrap();
                self.steps.remove(0);
                Ok(Some(Event::Key(k)))
            }
            _ => {
                std::thread::sleep(timeout);
                Ok(None)
            }
        }
    }
}

#[test]
fn the_real_loop_runs_on_a_test_backend_with_the_worker() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("loop.db");
    drop(Store::open(&db).unwrap());
    let mut app = App::new(test_settings("looper"));
    let worker = Worker::start(db.clone());
    let mut terminal = Terminal::new(TestBackend::new(100, 30)).unwrap();
    let mut script = Script {
        steps: vec![
            (|a| a.job.is_none() && a.portfolio.view.is_some(), "6"),
            (|a| a.triage.loaded && a.screen == Screen::Triage, "r"),
            (
                |a| !matches!(a.overlay, precre::tui::popup::Overlay::None),
                "enter",
            ),
            (|a| a.triage.counts.referred == 1, "q"),
        ],
        started: Instant::now(),
    };
    main_loop(&mut terminal, &mut app, &worker, &mut script).unwrap();
    assert!(script.steps.is_empty());
    assert!(!app.running);
    let screen = precre::tui::harness::buffer_text(terminal.backend().buffer());
    assert!(
        screen.contains("0 of 48 decided · 1 referred · 47 pending"),
        "{screen}"
    );
    let store = Store::open(&db).unwrap();
    let d = store.decisions().unwrap();
    assert_eq!(d.len(), 1);
    assert_eq!(d[0].decision, "refer");
    assert_eq!(d[0].referred_to.as_deref(), Some("senior"));
    assert_eq!(d[0].analyst, "looper");
    assert!(d[0].model_id.is_some(), "the default model scored the firm");
}
