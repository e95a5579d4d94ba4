//! The Export screen's state and keys: what to export, the format, the file; the export runs
//! on the worker as a cancellable job (`ops::export`, as `precre export` runs it).

mod draw;
pub use draw::draw;

use crate::ops::export::ExportWhat;
use crate::tui::app::{App, Level, Tag};
use crate::tui::keymap::Command;
use crate::tui::popup::{open_input, InputPurpose};
use crate::tui::worker::Request;
use std::path::PathBuf;

/// The file formats the screen cycles, by extension.
pub const EXPORT_FORMATS: [&str; 4] = ["csv", "json", "parquet", "xlsx"];

#[derive(Debug)]
pub struct ExportScreen {
    pub what: ExportWhat,
    /// Index into [`EXPORT_FORMATS`].
    pub format: usize,
    /// A path the analyst typed (else the default name in the export folder).
    pub path: Option<PathBuf>,
    pub result: Option<(Level, String)>,
}

impl Default for ExportScreen {
    fn default() -> Self {
        ExportScreen {
            what: ExportWhat::Decisions,
            format: 0,
            path: None,
            result: None,
        }
    }
}

impl ExportScreen {
    /// The file the export writes to.
    pub fn file(&self, export_dir: &std::path::Path) -> PathBuf {
        self.path.clone().unwrap_or_else(|| {
            export_dir.join(format!(
                "precre-{}.{}",
                self.what.as_str(),
                EXPORT_FORMATS[self.format]
            ))
        })
    }
}

/// The file the Export screen writes to now.
pub fn file(app: &App) -> PathBuf {
    app.export.file(&app.settings.export_dir)
}

/// The screen's own commands; `false` when `cmd` is not one of them.
pub fn command(app: &mut App, cmd: Command) -> bool {
    match cmd {
        Command::ExportWhat => {
            app.export.what = app.export.what.next();
            app.export.path = None;
        }
        Command::ExportFormat => {
            app.export.format = (app.export.format + 1) % EXPORT_FORMATS.len();
            app.export.path = None;
        }
        Command::EditPath => {
            let p = file(app).display().to_string();
            open_input(app, InputPurpose::ExportPath, p)
        }
        Command::RunExport => start(app, false),
        _ => return false,
    }
    true
}

/// The path typed in the pop-up.
pub fn set_path(app: &mut App, text: &str) {
    let t = text.trim();
    app.export.path = (!t.is_empty()).then(|| PathBuf::from(t));
}

/// Starts the export on the worker (`force` replaces an existing file).
pub fn start(app: &mut App, force: bool) {
    if app.job.is_some() {
        let msg = format!(
            "a job is running; wait, or {} to cancel it",
            app.key(Command::Cancel)
        );
        return app.set_status(Level::Error, msg);
    }
    let path = file(app);
    let what = app.export.what;
    app.start_job(
        Tag::Export,
        Request::Export {
            what,
            path: path.clone(),
            force,
        },
        format!("export of {}", what.as_str()),
        true,
    );
    if let Some(j) = &mut app.job {
        j.text = format!("writing {}", path.display());
    }
}
