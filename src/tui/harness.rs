//! Running the workbench without a terminal: requests are answered at once on a store in this
//! thread, and screens are drawn on ratatui's test backend. Used by the tests and the benchmarks.

use super::app::{App, Settings};
use super::keymap::Keymap;
use super::theme::Theme;
use super::update::{update, Action};
use super::worker::{handle, Envelope, Request};
use crate::store::Store;
use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use ratatui::backend::TestBackend;
use ratatui::Terminal;
use std::sync::atomic::AtomicBool;

/// A drawn buffer as text, row after row (no line breaks), as a person reads the screen.
pub fn buffer_text(buf: &ratatui::buffer::Buffer) -> String {
    buf.content().iter().map(|c| c.symbol()).collect()
}

/// Settings for tests: a fixed analyst, the dark theme, the default keys, a store opened with
/// the demo (as `--demo` does).
pub fn test_settings(analyst: &str) -> Settings {
    Settings {
        analyst: analyst.to_string(),
        theme: Theme::dark(),
        keymap: Keymap::default(),
        promotion: Default::default(),
        store_label: "test.db".into(),
        export_dir: std::path::PathBuf::from("."),
        start: super::app::StoreStart::Demo,
        store_path: std::path::PathBuf::from("test.db"),
        undo_minutes: crate::decisions::DEFAULT_UNDO_MINUTES,
    }
}

/// An app wired to a store, answering its requests synchronously.
pub struct Harness {
    pub app: App,
    pub store: Store,
    /// The cancel flag the jobs read (set when the app asks to cancel, as the event loop does).
    cancel: AtomicBool,
}

impl Harness {
    pub fn new(store: Store, settings: Settings) -> Harness {
        Harness {
            app: App::new(settings),
            store,
            cancel: AtomicBool::new(false),
        }
    }

    /// Answers every queued request (and those their replies queue) until none is left. A
    /// cancel the app asked for reaches the next job, as the event loop passes it on.
    pub fn settle(&mut self) {
        let mut rounds = 0;
        while !self.app.outbox.is_empty() && rounds < 1000 {
            rounds += 1;
            if std::mem::take(&mut self.app.cancel_requested) {
                self.cancel
                    .store(true, std::sync::atomic::Ordering::Relaxed);
            }
            let batch: Vec<_> = self.app.outbox.drain(..).collect();
            for (job, req) in batch {
                let long = super::worker::is_long(&req);
                let reply = handle(&mut self.store, req, &|_, _| {}, &self.cancel);
                if long {
                    self.cancel
                        .store(false, std::sync::atomic::Ordering::Relaxed);
                }
                update(&mut self.app, Action::Reply(Envelope { job, reply }));
            }
        }
    }

    /// `settle`, each request first passed through `change` (a test's smaller version of a
    /// long job, say).
    pub fn settle_changed(&mut self, change: impl Fn(Request) -> Request) {
        let batch: Vec<_> = self.app.outbox.drain(..).collect();
        for (job, req) in batch {
            let reply = handle(&mut self.store, change(req), &|_, _| {}, &self.cancel);
            update(&mut self.app, Action::Reply(Envelope { job, reply }));
        }
        self.settle();
    }

    /// Presses a key without answering what it asks for (the job stays "running"), so that a
    /// test can press another key while it runs.
    pub fn press_only(&mut self, key: &str) {
        let k = super::keymap::parse_key(key)
            .unwrap_or(KeyEvent::new(KeyCode::Null, KeyModifiers::NONE));
        update(&mut self.app, Action::Key(k));
    }

    pub fn start(&mut self) {
        update(&mut self.app, Action::Start);
        self.settle();
    }

    /// Presses a key (as `keymap::parse_key` reads it: `a`, `enter`, `ctrl-c`, ...) and settles.
    pub fn press(&mut self, key: &str) {
        let k = super::keymap::parse_key(key)
            .unwrap_or(KeyEvent::new(KeyCode::Null, KeyModifiers::NONE));
        update(&mut self.app, Action::Key(k));
        self.settle();
    }

    /// Types text into the open input, character by character.
    pub fn type_text(&mut self, text: &str) {
        for c in text.chars() {
            update(
                &mut self.app,
                Action::Key(KeyEvent::new(KeyCode::Char(c), KeyModifiers::NONE)),
            );
        }
        self.settle();
    }

    /// Draws the current screen at `width` x `height` and returns it as lines of text.
    pub fn render(&mut self, width: u16, height: u16) -> String {
        let mut terminal = match Terminal::new(TestBackend::new(width, height)) {
            Ok(t) => t,
            Err(e) => return format!("cannot draw: {e}"),
        };
        if let Err(e) = terminal.draw(|f| super::ui::draw(f, &self.app)) {
            return format!("cannot draw: {e}");
        }
        // Drawing records the body's size; the firms table may now want more pages.
        update(&mut self.app, Action::Resize(width, height));
        self.settle();
        if let Err(e) = terminal.draw(|f| super::ui::draw(f, &self.app)) {
            return format!("cannot draw: {e}");
        }
        let buf = terminal.backend().buffer().clone();
        let mut out = String::new();
        for y in 0..buf.area.height {
            let mut line = String::new();
            for x in 0..buf.area.width {
                line.push_str(buf[(x, y)].symbol());
            }
            out.push_str(line.trim_end());
            out.push('\n');
        }
        out
    }
}
